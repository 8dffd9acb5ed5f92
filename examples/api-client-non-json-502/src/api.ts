export interface ApiErrorBody {
  error: { code: string; message: string; retryable: boolean };
}

export async function loadOrders(): Promise<unknown[]> {
  const response = await fetch('/api/orders');
  const data = await response.json();
  if (!response.ok) {
    throw new Error((data as ApiErrorBody).error.message);
  }
  return data as unknown[];
}
