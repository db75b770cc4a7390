import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { afterEach } from 'vitest';
import { App } from '../../src/cli/ui/App.js';
import type { Runtime } from '../../src/runtime/index.js';
import { planYaml, projectWithRuntime, step } from '../runtime/fixtures.js';

// the Ink view of `troupe ui` on a real runtime in a temp project

/** The key the down arrow sends. */
export const ARROW_DOWN = '\u001B[B';
/** The key Enter sends. */
export const ENTER = '\r';

/** What the current test leaves to undo; run in reverse after each test by the hook this module registers. */
export const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    // a cleanup that hangs is named in the output, not only the hook's timeout
    const slow = setTimeout(
      () => console.error(`ui-fixture.ts: a cleanup still runs after 10 s: ${String(cleanup)}`),
      10_000,
    );
    try {
      await cleanup();
    } finally {
      clearTimeout(slow);
    }
  }
});

/** A temp project holding `files` and a runtime on it; both closed after the test. */
export async function project(files?: Record<string, string>) {
  const opened = await projectWithRuntime(files);
  cleanups.push(opened.close);
  return opened;
}

/** The App rendered on `runtime` (120×40 unless `size` says otherwise); unmounted after the test. */
export function show(runtime: Runtime, props: { rootIds?: string[]; size?: { columns: number; rows: number } } = {}) {
  const view = render(createElement(App, { runtime, size: { columns: 120, rows: 40 }, ...props }));
  cleanups.push(() => view.unmount());
  return view;
}

/** The first frame `wanted` accepts, polled every 20 ms; throws with the last frame after 15 s. */
export async function until(frame: () => string | undefined, wanted: (text: string) => boolean): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const text = frame() ?? '';
    if (wanted(text)) return text;
    if (Date.now() > deadline) throw new Error(`the view never showed what was wanted; last frame:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A review plan named `name` of two fs/write-file steps (a.txt, b.txt). */
export const twoSteps = (name: string) =>
  planYaml({
    name,
    automation: 'review',
    strategy: {
      steps: [
        step('Write a', 'fs/write-file', { path: 'a.txt', content: 'a\n' }),
        step('Write b', 'fs/write-file', { path: 'b.txt', content: 'b\n' }),
      ],
    },
  });

/** The checkpoint line marked as selected. */
export function selectedLine(frame: string): string | undefined {
  return frame.split('\n').find((line) => line.startsWith('› '));
}
