const { toCelsius } = require('./src/celsius.js');
const got = toCelsius(212);
if (got !== 100) {
  console.error(`toCelsius(212) should be 100, got ${got}`);
  process.exit(1);
}
console.log('ok: toCelsius(212) is 100');
