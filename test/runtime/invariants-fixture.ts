import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { DecisionNode, InvariantResult, JournalEvent } from '../../src/domain/index.js';
import { createRuntime, type RuntimeOptions } from '../../src/runtime/index.js';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { tempRepo } from '../helpers/temp.js';

// Invariant reconciliation end to end: createRuntime on a temp git repo,
// real worktrees, LevelDB (or the memory store), the real checks.

/** What the current test leaves to undo; run in reverse after each test by the hook this module registers. */
export const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const FILES = { 'README.md': '# project\n', 'src/a.ts': 'export const a = 1;\n' };

/** A temp git project (with `.troupe/config.json` when given); its real path. Removed after the test. */
export async function projectDir(config?: unknown): Promise<string> {
  const repo = await tempRepo(FILES);
  cleanups.push(repo.cleanup);
  const dir = realpathSync(repo.dir);
  if (config !== undefined) {
    mkdirSync(join(dir, '.troupe'), { recursive: true });
    writeFileSync(join(dir, '.troupe', 'config.json'), JSON.stringify(config));
  }
  return dir;
}

/** A runtime on `dir`, closed after the test. */
export async function runtimeOn(dir: string, options: Omit<RuntimeOptions, 'dir'> = {}): Promise<LocalRuntime> {
  const runtime = await createRuntime({ dir, report: () => {}, ...options });
  cleanups.push(() => runtime.close());
  return runtime;
}

/** A temp git project (with `.troupe/config.json` when given) and a runtime on it; both undone after the test. */
export async function project(
  options: Omit<RuntimeOptions, 'dir'> & { config?: unknown } = {},
): Promise<{ dir: string; runtime: LocalRuntime }> {
  const { config, ...rest } = options;
  const dir = await projectDir(config);
  return { dir, runtime: await runtimeOn(dir, rest) };
}

/** Every decision of a tree, depth first. */
export function flatten(node: DecisionNode | null): DecisionNode[] {
  return node ? [node, ...node.children.flatMap(flatten)] : [];
}

/** The invariant.* events of a journal: their type, trigger, step and results. */
export function reconciledEvents(
  events: JournalEvent[],
): { type: string; trigger: unknown; step: unknown; results: InvariantResult[] }[] {
  return events
    .filter((event) => event.type.startsWith('invariant.'))
    .map((event) => ({
      type: event.type,
      trigger: event.data.trigger,
      step: event.data.step,
      results: event.data.results as InvariantResult[],
    }));
}
