import type { ErrorResponse } from './types';

/** An error response of the API: its HTTP status and the envelope's `error`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: ErrorResponse['error'],
    readonly retryAfterMs?: number
  ) {
    super(error.message);
    this.name = 'ApiError';
  }
}

/** `Retry-After` as milliseconds (delay-seconds or an HTTP date). */
export function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
