// Items API on Node's http module whose errors drift from the contract.
const http = require('http');

const TOKEN = 'Bearer sekret-token-123';

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', () => {
    const path = req.url.split('?')[0];
    if (req.headers.authorization !== TOKEN) {
      res.writeHead(401, { 'Content-Type': 'text/plain' });
      return res.end('Unauthorized');
    }
    if (path === '/api/items' && req.method === 'POST') {
      try {
        const item = JSON.parse(body);
        res.writeHead(201, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify(item));
      } catch (e) {
        // What Express's default handler would send.
        res.writeHead(500, { 'Content-Type': 'text/html; charset=utf-8' });
        return res.end('<!DOCTYPE html><html><body><pre>SyntaxError: Unexpected end of JSON input</pre></body></html>');
      }
    }
    res.writeHead(404, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify({ error: 'not found', retryable: true }));
  });
});

server.listen(Number(process.argv[2]), '127.0.0.1');
