// Mutation testing: `npm run mutate` (docs/explanation/reliability.md "Mutation testing").
// One folder or file at a time: npm run mutate -- --mutate 'src/merge/**/*.ts'
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts' },
  coverageAnalysis: 'perTest',
  // a static mutant changes what a module builds when it is imported (a
  // machine's states and transitions): each one reruns every test of its
  // files, ~555 in plan-lifecycle alone, over an hour here.
  // TROUPE_MUTATE_STATIC=1 npm run mutate runs them too
  ignoreStatic: process.env.TROUPE_MUTATE_STATIC !== '1',
  mutate: [
    'machines/**/*.ts',
    'src/merge/**/*.ts',
    'src/sandbox/bubblewrap-policy.ts',
    'src/sandbox/path-guard.ts',
    'src/store/step-chain.ts',
    // re-export doors and files of types only: nothing to mutate
    '!**/index.ts',
    '!machines/*/types.ts',
    '!machines/plan-lifecycle/{plan-context,plan-command,actor-io,plan-emitted}.ts',
    '!machines/outcomes.ts',
    '!src/merge/types.ts',
  ],
  // the project is typechecked by `npm run typecheck`; a mutant that does not compile still fails its tests
  checkers: [],
  // the machine has 2 cores, shared with other work: one test runner at a time
  concurrency: 1,
  // a loaded machine runs a test several times slower than the dry run measured
  timeoutMS: 10_000,
  timeoutFactor: 3,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // results kept between runs: a run after a change tests only the mutants it touched
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 85, break: null },
};
