export function showValidationErrors(details: unknown): void {
  console.warn('validation', details);
}

export function redirectToLogin(): void {
  window.location.assign('/login');
}

export function showErrorMessage(message: string): void {
  console.error(message);
}

export function showRetryDialog(message: string): void {
  console.info('retry?', message);
}

export function getAuthToken(): string {
  return window.localStorage.getItem('token') ?? '';
}
