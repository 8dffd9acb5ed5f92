import type { Response } from 'express';

// Every error answer of the API goes through here.
export function sendError(res: Response, code: string, status: number, retryable: boolean, message: string) {
  return res.status(status).json({ success: false, error: { code, message, retryable } });
}
