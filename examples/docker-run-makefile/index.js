const http = require("http");
const port = Number(process.env.PORT) || 3000;
http.createServer((req, res) => res.end("ok")).listen(port, "0.0.0.0");
