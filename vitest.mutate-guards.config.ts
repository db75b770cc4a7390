import { defineConfig } from 'vitest/config';
import mutate from './vitest.mutate.config.js';

// the tests that kill mutants of the files stryker.guards.config.mjs mutates
export default defineConfig({
  ...mutate,
  test: {
    ...mutate.test,
    include: [
      'test/domain/**/*.test.ts',
      'test/sandbox/allow-list*.test.ts',
      'test/sandbox/path-guard*.test.ts',
      'test/sandbox/sandbox-files.test.ts',
      'test/sandbox/bubblewrap-policy*.test.ts',
      'test/sandbox/project-view.test.ts',
      'test/sandbox/resource-limits.test.ts',
      'test/mcp/task-store*.test.ts',
      'test/runtime/plan-claims*.test.ts',
      'test/runtime/store-outage*.test.ts',
      'test/store/step-chain.test.ts',
      'test/store/memory-store.test.ts',
      'test/store/migrate-step-chains.test.ts',
      'test/machines/plan-lifecycle*.test.ts',
    ],
  },
});
