// Checks the API of server.js, which must already run: `node api-test.js [port]`.
const port = Number(process.argv[2] ?? 8765);
fetch(`http://127.0.0.1:${port}/sum?a=2&b=3`)
  .then((response) => response.text())
  .then((text) => {
    if (text !== '5') {
      console.error(`GET /sum?a=2&b=3 should answer 5, got ${text}`);
      process.exit(1);
    }
    console.log('ok: GET /sum?a=2&b=3 answers 5');
  })
  .catch((error) => {
    console.error(`the API does not answer: ${error.cause?.code ?? error.message}`);
    process.exit(2);
  });
