const orders = new Map<string, { id: string; item: string }>();

export function findOrder(id: string) {
  return orders.get(id);
}

export function paymentsUp() {
  return process.env.PAYMENTS_URL !== undefined;
}
