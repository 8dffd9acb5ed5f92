import { Router } from 'express';
import { sendError } from '../lib/errors';
import { findOrder, paymentsUp } from '../lib/store';

export const orders = Router();

orders.post('/orders', (req, res) => {
  if (typeof req.body?.item !== 'string') {
    return res.status(422).json({ success: false, error: { code: 'VALIDATION_ERROR', message: 'item is required', retryable: false } });
  }
  if (!paymentsUp()) {
    return sendError(res, 'SERVICE_UNAVAILABLE', 503, false, 'payments are down');
  }
  return res.status(201).json({ success: true });
});

orders.get('/orders/:id', (req, res) => {
  const order = findOrder(req.params.id);
  if (!order) {
    return sendError(res, 'ORDER_NOT_FOUND', 404, false, 'no such order');
  }
  return res.json(order);
});
