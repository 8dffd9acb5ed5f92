export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function createOrder(body: unknown): Promise<unknown> {
  const response = await fetch('/api/orders', { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) throw new ApiError(response.status, await response.text());
  return response.json();
}

export async function createOrderWithRetry(body: unknown): Promise<unknown> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await createOrder(body);
    } catch (error) {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(10_000, 500 * 2 ** attempt)));
    }
  }
  throw new Error('order not created');
}
