import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import base from './vitest.config.js';

const cappedFastCheck = fileURLToPath(new URL('./test/helpers/fast-check-capped.ts', import.meta.url));

// what a test file costs a mutant: rules fed one answer at a time (no actors:
// a mutant that makes a machine spin fails them in milliseconds rather than
// timing out a machine's test), plain tests, properties, real git and processes
const cost = (file: string): number =>
  /\.int\.test\.ts$/.test(file) ? 2 : /propert/.test(file) ? 1 : /-rules\.test\.ts$/.test(file) ? -1 : 0;

/**
 * Cheap test files first. Vitest runs the longest first (to spread them over
 * workers); Stryker runs one file at a time and stops at the first failure,
 * so a mutant a plain test kills then never waits for the git tests.
 */
class CheapFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => cost(a.moduleId) - cost(b.moduleId) || a.moduleId.localeCompare(b.moduleId));
  }
}

function withoutProjects<T extends { projects?: unknown }>(test: T | undefined): Omit<T, 'projects'> {
  const { projects: _projects, ...rest } = test ?? ({} as T);
  return rest;
}

// the tests that kill mutants of the files stryker.config.mjs mutates, and no
// others: `npm run mutate` runs only these (docs/explanation/reliability.md "Mutation testing").
// Spread, not mergeConfig: that would add these globs to the base's `test/**`.
export default defineConfig({
  plugins: [
    {
      // the tests' fast-check is test/helpers/fast-check-capped.ts, which imports the real one
      name: 'troupe:fast-check-capped',
      enforce: 'pre',
      resolveId: (source, importer) =>
        source === 'fast-check' && importer !== cappedFastCheck ? cappedFastCheck : null,
    },
  ],
  test: {
    // one run of the files below, not the base's two projects
    ...withoutProjects(base.test),
    include: [
      'test/machines/**/*.test.ts',
      // the *.int.test.ts files compare merges with git's own: they take most
      // of a merge run's time, and they are what kills tree-merge mutants
      'test/merge/**/*.test.ts',
      'test/sandbox/path-guard*.test.ts',
      // the guard's readFile, writeFile, deleteFile and openDirectory
      'test/sandbox/sandbox-files.test.ts',
      'test/sandbox/bubblewrap-policy*.test.ts',
      'test/sandbox/bubblewrap-sandbox.test.ts',
      // the step chain alone, and through the store: the conformance suite on
      // MemoryStore (LevelStore runs the same suite on disk, adding time, not kills)
      'test/store/step-chain.test.ts',
      'test/store/memory-store.test.ts',
      'test/store/migrate-step-chains.test.ts',
    ],
    // TROUPE_MUTATE_NO_GIT=1: without the tests that run git (*.int.test.ts), for
    // files whose mutants make them time out: a lower bound, in minutes not hours
    exclude: [...(base.test?.exclude ?? []), ...(process.env.TROUPE_MUTATE_NO_GIT === '1' ? ['**/*.int.test.ts'] : [])],
    sequence: { ...base.test?.sequence, sequencer: CheapFirst },
    // Stryker measures per test itself; v8 coverage and its thresholds do not apply
    coverage: { enabled: false },
  },
});
