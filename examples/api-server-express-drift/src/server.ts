import express from 'express';
import { orders } from './routes/orders';
import { sendError } from './lib/errors';

const app = express();
app.use(express.json());
app.use('/api', orders);

app.use((err, req, res, next) => {
  sendError(res, 'INTERNAL_ERROR', 500, true, 'unexpected error');
});

app.listen(3000);
