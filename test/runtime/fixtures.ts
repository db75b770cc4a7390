import { stringify } from 'yaml';
import { createRuntime, type RuntimeOptions } from '../../src/runtime/index.js';
import type { Decision } from '../../src/domain/index.js';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempRepo } from '../helpers/temp.js';

/** A plan file as YAML text from an object (defaults: a name and a goal). */
export function planYaml(fields: Record<string, unknown> = {}): string {
  return stringify({ name: 'demo/x', goal: 'Change the project', ...fields });
}

/** A tool step. */
export function step(title: string, tool: string, input: Record<string, unknown>) {
  return { title, tool, input };
}

/** A temp git project with a runtime on it; `close` closes the runtime and removes the project. */
export async function projectWithRuntime(
  files: Record<string, string> = { 'README.md': '# project\n', 'src/a.ts': 'export const a = 1;\n' },
  options: Omit<RuntimeOptions, 'dir'> = {},
): Promise<{ dir: string; runtime: LocalRuntime; close: () => Promise<void> }> {
  const repo = await tempRepo(files);
  const runtime = await createRuntime({ dir: repo.dir, report: () => {}, ...options });
  return {
    dir: repo.dir,
    runtime,
    close: async () => {
      await runtime.close();
      await repo.cleanup();
    },
  };
}

/**
 * A temp git project whose `.troupe/config.json` is `config`, with a runtime
 * on it; both are undone by `cleanups` (runtime first when run in reverse).
 */
export async function projectWithConfig(
  config: unknown,
  cleanups: (() => Promise<void>)[],
  options: Omit<RuntimeOptions, 'dir'> = {},
  files: Record<string, string> = { 'README.md': '# project\n', 'src/a.ts': 'export const a = 1;\n' },
): Promise<{ dir: string; runtime: LocalRuntime }> {
  const repo = await tempRepo(files);
  cleanups.push(repo.cleanup);
  mkdirSync(join(repo.dir, '.troupe'), { recursive: true });
  writeFileSync(join(repo.dir, '.troupe', 'config.json'), JSON.stringify(config));
  const runtime = await createRuntime({ dir: repo.dir, report: () => {}, warn: () => {}, ...options });
  cleanups.push(() => runtime.close());
  return { dir: repo.dir, runtime };
}

/**
 * A plan whose first step fans out to two child plans in parallel (each
 * writes `<name>.txt`), then — unless `after` is false — writes `after.txt`;
 * `invariants` are the plan file's.
 */
/** A plan (automation auto) whose one step spawns `entries` (child plan specs) in parallel. */
export function parallelPlan(name: string, entries: object[], subplans: Record<string, unknown> = {}): string {
  return planYaml({
    name,
    automation: 'auto',
    strategy: { steps: [{ title: 'Fan out', subplans: { mode: 'parallel', ...subplans, entries } }] },
  });
}

export function fanOutPlan(name = 'demo/fan', options: { after?: boolean; invariants?: unknown[] } = {}): string {
  const fanOut = {
    title: 'Fan out',
    subplans: {
      mode: 'parallel',
      maxParallel: 2,
      entries: ['x', 'y'].map((child) => ({
        goal: `Write ${child}`,
        resourceScopes: [`${child}.txt`],
        strategy: { steps: [step('Write', 'fs/write-file', { path: `${child}.txt`, content: `${child}\n` })] },
      })),
    },
  };
  const after =
    options.after === false ? [] : [step('After', 'fs/write-file', { path: 'after.txt', content: 'after\n' })];
  return planYaml({
    name,
    automation: 'review',
    ...(options.invariants ? { invariants: options.invariants } : {}),
    strategy: { steps: [fanOut, ...after] },
  });
}

/** A plan's decisions as `plan explain` has them, flattened in tree order (parents before children). */
export async function explainedDecisions(runtime: Pick<LocalRuntime, 'explain'>, planId: string): Promise<Decision[]> {
  const flat: Decision[] = [];
  const walk = (node: Awaited<ReturnType<LocalRuntime['explain']>>['root']) => {
    if (!node) return;
    const { children, ...decision } = node;
    flat.push(decision as Decision);
    children.forEach(walk);
  };
  walk((await runtime.explain(planId)).root);
  return flat;
}

/**
 * A plan whose one step greets with `$GREETING` and whose validate checks it
 * (`plan update` tests): the file as created, with `fields` edited.
 */
export const greeter = (fields: Record<string, unknown> = {}): string =>
  planYaml({
    name: 'demo/greet',
    goal: 'Greet',
    automation: 'review',
    env: { GREETING: 'hello' },
    validate: [{ run: 'grep -q hello greet.txt' }],
    strategy: { steps: [step('Greet', 'shell/run', { command: 'printf %s "$GREETING" > greet.txt' })] },
    ...fields,
  });
