import { useState } from 'react';
import { ApiError } from '../lib/api/errors';
import { generateActionsWithRetry } from '../lib/api/retry';
import type { ActionOutput } from '../lib/api/types';

export function useActionGeneration() {
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [retryable, setRetryable] = useState(false);
  const [actions, setActions] = useState<ActionOutput[] | null>(null);
  const [lastRequest, setLastRequest] = useState<{ subGoalId: string; regenerate: boolean } | null>(null);

  const generateActions = async (subGoalId: string, regenerate: boolean = false) => {
    setLoading(true);
    setError(null);
    setRetryable(false);
    setLastRequest({ subGoalId, regenerate });
    try {
      const result = await generateActionsWithRetry({ subGoalId, regenerate });
      setActions(result.data.actions);
    } catch (err) {
      setError(err instanceof Error ? err.message : 'アクション生成に失敗しました');
      setRetryable(err instanceof ApiError && err.error.retryable);
    } finally {
      setLoading(false);
    }
  };

  const retry = async () => {
    if (lastRequest) {
      await generateActions(lastRequest.subGoalId, lastRequest.regenerate);
    }
  };

  return { generateActions, loading, error, retryable, actions, retry };
}

export function ActionGenerationComponent({ subGoalId }: { subGoalId: string }) {
  const { generateActions, loading, error, retryable, actions, retry } = useActionGeneration();

  return (
    <div>
      <button onClick={() => generateActions(subGoalId)} disabled={loading}>
        {loading ? 'アクション生成中...' : 'アクションを生成'}
      </button>
      {error && (
        <div className="error">
          <p>{error}</p>
          {retryable ? <button onClick={retry}>再試行</button> : null}
        </div>
      )}
      {actions && (
        <ul>
          {actions.map(action => (
            <li key={action.id}>{action.title}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
