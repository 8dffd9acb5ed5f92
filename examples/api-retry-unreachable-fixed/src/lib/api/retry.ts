import { ApiError } from './errors';
import { generateActions } from './generateActions';
import type { ActionGenerationRequest, ActionGenerationResponse } from './types';

const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 20_000;

export async function generateActionsWithRetry(
  request: ActionGenerationRequest,
  maxRetries: number = 3
): Promise<ActionGenerationResponse> {
  let lastError: unknown = null;

  for (let attempt = 0; attempt < maxRetries; attempt++) {
    try {
      return await generateActions(request);
    } catch (error) {
      lastError = error;

      // リトライ可能なエラーかチェック（サーバーの retryable フラグ）
      if (error instanceof ApiError && error.error.retryable && attempt + 1 < maxRetries) {
        // Retry-After があればそれに従い、なければ上限つきフルジッター
        const delay =
          error.retryAfterMs ??
          Math.random() * Math.min(MAX_DELAY_MS, Math.pow(2, attempt) * BASE_DELAY_MS);
        await new Promise(resolve => setTimeout(resolve, delay));
        continue;
      }

      throw error;
    }
  }

  throw lastError ?? new Error('最大リトライ回数を超えました');
}
