import type { ActionGenerationRequest, ActionGenerationResponse, ErrorResponse } from './types';
import { ApiError, retryAfterMs } from './errors';
import {
  getAuthToken,
  redirectToLogin,
  showErrorMessage,
  showRetryDialog,
  showValidationErrors,
} from '../ui/notify';

/** Statuses a proxy or gateway answers with, whatever the body says. */
const TRANSIENT_STATUSES = [408, 425, 429, 502, 503, 504];

export async function generateActions(
  request: ActionGenerationRequest
): Promise<ActionGenerationResponse> {
  const response = await fetch('/api/ai/generate/actions', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${getAuthToken()}`,
    },
    body: JSON.stringify(request),
  });

  // A proxy's 502/504 page is HTML: parse only JSON bodies.
  const isJson = response.headers.get('content-type')?.includes('application/json') ?? false;
  const data = isJson ? await response.json() : null;

  if (!response.ok) {
    const error: ErrorResponse['error'] = (data as ErrorResponse | null)?.error ?? {
      code: `HTTP_${response.status}`,
      message: response.statusText || 'エラーが発生しました',
      retryable: TRANSIENT_STATUSES.includes(response.status),
    };

    switch (error.code) {
      case 'VALIDATION_ERROR':
        showValidationErrors(error.details);
        break;
      case 'AUTHENTICATION_ERROR':
        redirectToLogin();
        break;
      default:
        // リトライ可否はサーバーの retryable フラグで判定する
        if (error.retryable) {
          showRetryDialog(error.message);
        } else {
          showErrorMessage(error.message);
        }
        break;
    }

    throw new ApiError(response.status, error, retryAfterMs(response));
  }

  return data as ActionGenerationResponse;
}
