import { afterEach } from 'vitest';
import { planYaml, projectWithRuntime, step } from './fixtures.js';

/** What the current test leaves to undo; run in reverse after each test by the hook this module registers. */
export const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A temp git project with a runtime on it (as projectWithRuntime), both undone after the test. */
export async function project(...args: Parameters<typeof projectWithRuntime>) {
  const made = await projectWithRuntime(...args);
  cleanups.push(made.close);
  return made;
}

/** An auto plan of three steps (write HEADER, read it back, prepend it to src/a.ts) whose validate checks HEADER is there. */
export const HEADER_PLAN = planYaml({
  automation: 'auto',
  resourceScopes: ['src/**', 'HEADER'],
  validate: [{ run: 'test -f HEADER' }],
  strategy: {
    steps: [
      step('Write the header', 'fs/write-file', { path: 'HEADER', content: '// header\n' }),
      step('Read it back', 'fs/read-file', { path: 'HEADER' }),
      step('Prepend it', 'shell/run', { command: 'cat HEADER src/a.ts > t && mv t src/a.ts' }),
    ],
  },
});
