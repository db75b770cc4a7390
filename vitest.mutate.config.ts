import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// the tests that kill mutants of the files stryker.config.mjs mutates, and no
// others: `npm run mutate` runs only these (docs/reliability.md "Mutation testing").
// Spread, not mergeConfig: that would add these globs to the base's `test/**`.
export default defineConfig({
  test: {
    ...base.test,
    include: [
      'test/machines/**/*.test.ts',
      // the *.int.test.ts files compare merges with git's own: they take most
      // of a merge run's time, and they are what kills tree-merge mutants
      'test/merge/**/*.test.ts',
      'test/sandbox/path-guard*.test.ts',
      'test/sandbox/bubblewrap-sandbox.test.ts',
      // the step chain alone, and through the store: the conformance suite on
      // MemoryStore (LevelStore runs the same suite on disk, adding time, not kills)
      'test/store/step-chain.test.ts',
      'test/store/memory-store.test.ts',
      'test/store/migrate-step-chains.test.ts',
    ],
    // Stryker measures per test itself; v8 coverage and its thresholds do not apply
    coverage: { enabled: false },
  },
});
