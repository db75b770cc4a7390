import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', '**/node_modules/**'],
    // real git and LevelDB in temp dirs: give slow machines room
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default (cores − 1) runs the files one at a time on a 2-core CI
    // machine; most of a file's time is spent waiting on git and child
    // processes, so two at once cut the run from ~19 to ~15 minutes there
    maxWorkers: Math.max(2, availableParallelism() - 1),
    coverage: {
      provider: 'v8',
      include: ['src/**/*.{ts,tsx}', 'machines/**/*.ts', 'actors/**/*.ts'],
      exclude: ['**/*.d.ts', 'src/ui/**'],
      // files below 100 % and the totals: what to look at when the bar is missed
      reporter: [['text', { skipFull: true }], 'text-summary', 'json-summary'],
      // enforced by npm test (test:unit runs with --coverage)
      thresholds: { lines: 97 },
    },
  },
});
