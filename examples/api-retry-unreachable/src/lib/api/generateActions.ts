import type { ActionGenerationRequest, ActionGenerationResponse } from './types';
import {
  getAuthToken,
  redirectToLogin,
  showErrorMessage,
  showRetryDialog,
  showValidationErrors,
} from '../ui/notify';

export async function generateActions(
  request: ActionGenerationRequest
): Promise<ActionGenerationResponse> {
  try {
    const response = await fetch('/api/ai/generate/actions', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${getAuthToken()}`,
      },
      body: JSON.stringify(request),
    });

    const data = await response.json();

    if (!response.ok) {
      // エラーハンドリング
      const error = data.error;

      switch (error.code) {
        case 'VALIDATION_ERROR':
          // バリデーションエラー: ユーザーに入力修正を促す
          showValidationErrors(error.details);
          break;

        case 'AUTHENTICATION_ERROR':
          // 認証エラー: ログイン画面にリダイレクト
          redirectToLogin();
          break;

        case 'FORBIDDEN':
        case 'NOT_FOUND':
          // 権限エラー: エラーメッセージを表示
          showErrorMessage(error.message);
          break;

        case 'QUALITY_ERROR':
        case 'DATABASE_ERROR':
        case 'AI_SERVICE_ERROR':
          // リトライ可能なエラー: リトライを提案
          if (error.retryable) {
            showRetryDialog(error.message);
          } else {
            showErrorMessage(error.message);
          }
          break;

        case 'INTERNAL_ERROR':
        default:
          // 予期しないエラー: 一般的なエラーメッセージを表示
          showErrorMessage(
            'エラーが発生しました。しばらく待ってから再試行してください。'
          );
          break;
      }

      throw new Error(error.message);
    }

    return data;
  } catch (error) {
    console.error('アクション生成エラー:', error);
    throw error;
  }
}
