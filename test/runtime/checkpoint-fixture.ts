import { afterEach } from 'vitest';
import type { Decision, DecisionNode } from '../../src/domain/index.js';
import type { Runtime, RuntimeOptions } from '../../src/runtime/index.js';
import { planYaml, projectWithRuntime, step } from './fixtures.js';

// Checkpoints, rollback and corrections (SPEC §10) on LevelDB and the memory
// store, on real git worktrees.

/** What the current test leaves to undo; run in reverse after each test by the hook this module registers. */
export const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The files of the project the tests start from. */
export const FILES = { 'README.md': '# project\n', 'a.txt': 'a0\n', 'gone.txt': 'to delete\n' };

/** demo/three: a review plan of four steps (write a.txt, add b.txt, read a.txt, delete gone.txt), which runs to (validate, complete) with seven checkpoints. */
export const THREE_STEPS = planYaml({
  name: 'demo/three',
  automation: 'review',
  invariants: [{ id: 'readme', check: 'file-exists', path: 'README.md' }],
  strategy: {
    steps: [
      step('Write a', 'fs/write-file', { path: 'a.txt', content: 'a1\n' }),
      step('Add b', 'fs/write-file', { path: 'b.txt', content: 'b1\n' }),
      step('Read a', 'fs/read-file', { path: 'a.txt' }),
      step('Delete gone', 'fs/delete-file', { path: 'gone.txt' }),
    ],
  },
});

/** Every decision of the plan, discarded ones too, in id order. */
export async function allDecisions(runtime: Runtime, planId: string): Promise<Decision[]> {
  const all: Decision[] = [];
  const walk = (node: DecisionNode) => {
    all.push(node);
    node.children.forEach(walk);
  };
  const { root } = await runtime.explain(planId);
  if (root) walk(root);
  return all.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** A temp project holding FILES and a runtime on it (with `options`); both closed after the test. */
export async function project(options: Omit<RuntimeOptions, 'dir'> = {}) {
  const made = await projectWithRuntime(FILES, options);
  cleanups.push(made.close);
  return made;
}
