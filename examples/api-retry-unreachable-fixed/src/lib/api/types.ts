export interface ActionGenerationRequest {
  subGoalId: string;
  regenerate?: boolean;
}

export interface ActionOutput {
  id: string;
  title: string;
  description: string;
  type: 'execution' | 'habit';
}

export interface ActionGenerationResponse {
  success: true;
  data: { actions: ActionOutput[] };
}

export interface ErrorResponse {
  success: false;
  error: {
    code: string;
    message: string;
    retryable: boolean;
    details?: { field: string; message: string }[];
  };
}
