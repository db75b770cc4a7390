import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', '**/node_modules/**'],
    // real git and LevelDB in temp dirs: give slow machines room
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
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
