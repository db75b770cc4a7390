// fast-check as `npm run mutate` sees it (vitest.mutate.config.ts): every
// property runs at most CAPPED_RUNS cases, whatever numRuns its test asks
// for. A mutant a property notices fails within its first cases; the
// thousands a test asks for guard rare inputs, and run again for every
// mutant the property covers (hours on a merge run). `npm test` runs them all.
import fc from 'fast-check';

const CAPPED_RUNS = 100;

type Assert = typeof fc.assert;

const assert = ((property: Parameters<Assert>[0], params?: Parameters<Assert>[1]) =>
  fc.assert(property, { ...params, numRuns: Math.min(params?.numRuns ?? CAPPED_RUNS, CAPPED_RUNS) })) as Assert;

export * from 'fast-check';
export { assert };
export default { ...fc, assert };
