// Socket.IO chat server listening on PORT.
const http = require("http");
const server = http.createServer((req, res) => res.end("ok"));
server.listen(Number(process.env.PORT || 3000), "0.0.0.0");
