import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanRecord } from '../../src/domain/index.js';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { git } from '../helpers/temp.js';
import { planYaml, projectWithRuntime, step } from './fixtures.js';

// Subplans end to end (SPEC §8, §9): child plans are real plans in their own
// sandboxes, run by the supervisor and merged back into the parent.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function project(...args: Parameters<typeof projectWithRuntime>) {
  const made = await projectWithRuntime(...args);
  cleanups.push(made.close);
  return made;
}

/** A child entry that writes one file. */
function writer(file: string, content: string, extra: Record<string, unknown> = {}) {
  return { goal: `Write ${file}`, resourceScopes: [file], strategy: { steps: [step(`Write ${file}`, 'fs/write-file', { path: file, content })] }, ...extra };
}

function group(entries: unknown[], settings: Record<string, unknown> = {}) {
  return planYaml({ name: 'demo/fan', automation: 'review', strategy: { steps: [{ title: 'Fan out', subplans: { mode: 'parallel', maxParallel: 2, entries, ...settings } }] } });
}

async function children(runtime: LocalRuntime, parent: PlanRecord): Promise<PlanRecord[]> {
  return (await runtime.listPlans({ all: true })).filter((plan) => plan.parentId === parent.id);
}

describe('subplans on real git and LevelDB', () => {
  it('runs a parallel group: each child in its own sandbox, merged into the parent in entry order', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(group([writer('a.txt', 'a\n'), writer('b.txt', 'b\n'), writer('c.txt', 'c\n')]));
    const record = await runtime.run(plan.id);

    expect(record).toMatchObject({ phase: 'validate', status: 'complete', error: null, lastCompletedStep: 0 });
    const worktree = join(dir, record.sandbox!.worktree);
    for (const file of ['a.txt', 'b.txt', 'c.txt']) expect(readFileSync(join(worktree, file), 'utf8')).toBe(`${file[0]}\n`);
    expect(git(worktree, 'status', '--porcelain')).toBe('');

    const kids = await children(runtime, plan);
    expect(kids.map((kid) => [kid.name, kid.phase, kid.status, kid.rootId, kid.automation])).toEqual([
      ['demo/fan-1', 'apply', 'done', plan.id, 'review'],
      ['demo/fan-2', 'apply', 'done', plan.id, 'review'],
      ['demo/fan-3', 'apply', 'done', plan.id, 'review'],
    ]);
    // each child worked in its own worktree, branched from the parent's head
    expect(new Set(kids.map((kid) => kid.sandbox!.worktree)).size).toBe(3);
    expect(kids.every((kid) => kid.sandbox!.baseCommit === plan.sandbox?.baseCommit || kid.sandbox!.baseCommit === record.sandbox!.baseCommit)).toBe(true);
    expect(record.subplanStatuses).toEqual(Object.fromEntries(kids.map((kid) => [kid.id, { name: kid.name, status: 'complete', attempt: 1, error: null }])));
    expect(record.subplanConfig).toMatchObject({ mode: 'parallel', maxParallel: 2, stepIndex: 0 });

    // the parent's journal tells the story; children journal under their own ids
    const types = (await runtime.events(plan.id)).map((event) => event.type);
    expect(types.filter((type) => type === 'subplan.spawned')).toHaveLength(3);
    expect(types.filter((type) => type === 'merge.completed')).toHaveLength(3);
    expect((await runtime.events(kids[0]!.id))[0]).toMatchObject({ type: 'plan.created', data: { parentId: plan.id } });
    // the changeset shows what the children brought in
    expect((await runtime.changes(plan.id))?.files.map((file) => file.path)).toEqual(['a.txt', 'b.txt', 'c.txt']);

    // apply brings everything onto the project's branch
    expect(await runtime.runPhase(plan.id, 'apply')).toMatchObject({ status: 'done' });
    for (const file of ['a.txt', 'b.txt', 'c.txt']) expect(existsSync(join(dir, file))).toBe(true);
  });
});
