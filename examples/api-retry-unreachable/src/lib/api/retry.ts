import { generateActions } from './generateActions';
import type { ActionGenerationRequest, ActionGenerationResponse } from './types';

export async function generateActionsWithRetry(
  request: ActionGenerationRequest,
  maxRetries: number = 3
): Promise<ActionGenerationResponse> {
  let lastError: Error | null = null;

  for (let attempt = 0; attempt < maxRetries; attempt++) {
    try {
      return await generateActions(request);
    } catch (error) {
      lastError = error as Error;
      const errorResponse = error as { error?: { retryable?: boolean } };

      // リトライ可能なエラーかチェック
      if (errorResponse.error?.retryable) {
        // 指数バックオフ
        const delay = Math.pow(2, attempt) * 1000;
        console.log(
          `リトライします（${attempt + 1}/${maxRetries}）: ${delay}ms後`
        );
        await new Promise(resolve => setTimeout(resolve, delay));
        continue;
      }

      // リトライ不可能なエラーはすぐに投げる
      throw error;
    }
  }

  throw lastError || new Error('最大リトライ回数を超えました');
}
