import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

const EXCLUDED = ['test/bench/**', '**/node_modules/**'];

/** The test files that run each in a process of its own (see `projects` below). */
export const ISOLATED = [
  'test/crash/**/*.test.ts',
  '**/*.e2e.test.ts',
  'test/sandbox/escape-*.test.ts',
  'test/actors/command-check.int.test.ts',
  'test/cli/ui-terminal.test.ts',
  'test/llm/fake-provider.int.test.ts',
  'test/llm/model-endpoints.int.test.ts',
  'test/runtime/doctor.int.test.ts',
  'test/runtime/plan-claims-journal-read.test.ts',
  'test/runtime/plan-claims.test.ts',
  'test/runtime/plan-holding.test.ts',
  'test/runtime/postgres-runtime.int.test.ts',
  'test/runtime/scale-out-checks.test.ts',
  'test/runtime/worker-start-check.int.test.ts',
  'test/runtime/owner-outage.int.test.ts',
  'test/sandbox/expected-requests.test.ts',
  'test/sandbox/git-config-guard.test.ts',
  'test/sandbox/git-helper.test.ts',
  'test/sandbox/object-checks.test.ts',
  'test/sandbox/unconfined-sandbox.test.ts',
];

export default defineConfig({
  test: {
    // which files: each project's include (an include here would add to theirs)
    exclude: EXCLUDED,
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
    // Each file in a fresh process (isolated) costs it the import of the runtime — 2–4 s on
    // a 2-core machine, a third of the suite's time. Files that only call into the code share
    // their process's modules (isolate: false); a file that changes what a later one would
    // find — module mocks, the environment, the working directory, fake timers, a server
    // of the process's own — or that kills, crashes or freezes processes runs on its own.
    projects: [
      { extends: true, test: { name: 'isolated', include: ISOLATED } },
      { extends: true, test: { name: 'shared', isolate: false, include: ['test/**/*.test.ts'], exclude: ISOLATED } },
    ],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.{ts,tsx}'],
      exclude: ['**/*.d.ts', 'src/ui/**'],
      // a run with a failing test still says what it covered
      reportOnFailure: true,
      // files below 100 % and the totals: what to look at when the bar is missed
      reporter: [['text', { skipFull: true }], 'text-summary', 'json-summary'],
      // enforced by npm test (test:unit runs with --coverage)
      thresholds: { lines: 97 },
    },
  },
});
