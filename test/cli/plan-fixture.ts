import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { PlanRecord } from '../../src/domain/index.js';
import { git } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

/** The files of the project the checkpoint tests start from. */
export const FILES = { 'README.md': '# project\n', 'a.txt': 'a0\n' };

/**
 * Create and run a review plan of three fs/write-file steps named `name`; it
 * stops at (validate, complete) with seven checkpoints (phase, pre-execute,
 * step ×3, post-execute, phase).
 */
export async function ranPlan(dir: string, name: string): Promise<PlanRecord> {
  const file = `${name.replace('/', '-')}.yaml`;
  const steps = [
    step('Write a', 'fs/write-file', { path: 'a.txt', content: 'a1\n' }),
    step('Add b', 'fs/write-file', { path: 'b.txt', content: 'b1\n' }),
    step('Add c', 'fs/write-file', { path: 'c.txt', content: 'c1\n' }),
  ];
  writeFileSync(join(dir, file), planYaml({ name, automation: 'review', strategy: { steps } }));
  const run = await runCli(dir, ['plan', 'run', file, '--json']);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as PlanRecord;
}

/** The plan record as `plan status --json` prints it, with whether a process drives it. */
export async function status(dir: string, name: string): Promise<PlanRecord & { live: boolean; holder: unknown }> {
  return JSON.parse((await runCli(dir, ['plan', 'status', name, '--json'])).stdout) as PlanRecord & {
    live: boolean;
    holder: unknown;
  };
}

/** The HEAD commit of the plan's sandbox. */
export function sandboxHead(dir: string, record: PlanRecord): string {
  return git(join(dir, record.sandbox!.worktree), 'rev-parse', 'HEAD');
}
