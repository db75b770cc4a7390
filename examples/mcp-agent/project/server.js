// A tiny HTTP API over src/sum.js: GET /sum?a=2&b=3 answers 5. `node server.js [port]`.
const http = require('node:http');
const { sum } = require('./src/sum.js');

const port = Number(process.argv[2] ?? 8765);
http
  .createServer((request, response) => {
    const url = new URL(request.url, 'http://localhost');
    const answer = String(sum(Number(url.searchParams.get('a')), Number(url.searchParams.get('b'))));
    console.log(`${request.method} ${url.pathname}${url.search} -> ${answer}`);
    response.end(answer);
  })
  .listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`));
