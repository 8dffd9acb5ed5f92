import { useState } from 'react';
import { generateActionsWithRetry } from '../lib/api/retry';
import type { ActionOutput, ErrorResponse } from '../lib/api/types';

interface UseActionGenerationResult {
  generateActions: (subGoalId: string, regenerate?: boolean) => Promise<void>;
  loading: boolean;
  error: string | null;
  errorCode: string | null;
  actions: ActionOutput[] | null;
  retry: () => Promise<void>;
}

export function useActionGeneration(): UseActionGenerationResult {
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [errorCode, setErrorCode] = useState<string | null>(null);
  const [actions, setActions] = useState<ActionOutput[] | null>(null);
  const [lastRequest, setLastRequest] = useState<{
    subGoalId: string;
    regenerate: boolean;
  } | null>(null);

  const generateActions = async (subGoalId: string, regenerate: boolean = false) => {
    setLoading(true);
    setError(null);
    setErrorCode(null);
    setLastRequest({ subGoalId, regenerate });

    try {
      const result = await generateActionsWithRetry({ subGoalId, regenerate });
      setActions(result.data.actions);
    } catch (err: any) {
      const errorResponse = err as ErrorResponse;
      setError(errorResponse.error?.message || 'アクション生成に失敗しました');
      setErrorCode(errorResponse.error?.code || 'UNKNOWN_ERROR');
    } finally {
      setLoading(false);
    }
  };

  const retry = async () => {
    if (lastRequest) {
      await generateActions(lastRequest.subGoalId, lastRequest.regenerate);
    }
  };

  return { generateActions, loading, error, errorCode, actions, retry };
}

// 使用例
export function ActionGenerationComponent({ subGoalId }: { subGoalId: string }) {
  const { generateActions, loading, error, errorCode, actions, retry } =
    useActionGeneration();

  const handleGenerate = () => {
    generateActions(subGoalId);
  };

  return (
    <div>
      <button onClick={handleGenerate} disabled={loading}>
        {loading ? 'アクション生成中...' : 'アクションを生成'}
      </button>

      {error && (
        <div className="error">
          <p>{error}</p>
          {errorCode === 'QUALITY_ERROR' ||
          errorCode === 'DATABASE_ERROR' ||
          errorCode === 'AI_SERVICE_ERROR' ? (
            <button onClick={retry}>再試行</button>
          ) : null}
        </div>
      )}

      {actions && (
        <div>
          <h3>生成されたアクション（{actions.length}個）</h3>
          {actions.map(action => (
            <div key={action.id}>
              <h4>
                {action.title} ({action.type === 'execution' ? '実行' : '習慣'})
              </h4>
              <p>{action.description}</p>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
