const { sum } = require('./src/sum.js');
const got = sum(2, 3);
if (got !== 5) {
  console.error(`sum(2, 3) should be 5, got ${got}`);
  process.exit(1);
}
console.log('ok: sum(2, 3) is 5');
