// Items API on Node's http module that answers every error in the contract's envelope.
const http = require('http');

const TOKEN = 'Bearer sekret-token-123';

function fail(res, status, code, message, retryable) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ success: false, error: { code, message, retryable } }));
}

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', () => {
    const path = req.url.split('?')[0];
    if (!path.startsWith('/api/items')) return fail(res, 404, 'NOT_FOUND', 'no such route', false);
    if (req.headers.authorization !== TOKEN) return fail(res, 401, 'UNAUTHORIZED', 'credentials are missing', false);
    if (path === '/api/items' && req.method === 'POST') {
      try {
        const item = JSON.parse(body);
        res.writeHead(201, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify(item));
      } catch (e) {
        return fail(res, 400, 'VALIDATION_ERROR', 'the body is not JSON', false);
      }
    }
    if (path === '/api/items' && req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end('[]');
    }
    if (req.method !== 'GET') return fail(res, 405, 'METHOD_NOT_ALLOWED', 'method not allowed', false);
    return fail(res, 404, 'NOT_FOUND', 'no such item', false);
  });
});

server.listen(Number(process.argv[2]), '127.0.0.1');
