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
    // machine; most of a file's time is spent waiting on git, child processes
    // and servers, so one more file than there are cores keeps the cores busy:
    // on 2 cores the suite took ~19 minutes one at a time, 10.4 two at a time
    // and 8.2 three at a time (Node 22, the same CPU time either way)
    maxWorkers: availableParallelism() + 1,
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
