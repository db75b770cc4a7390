// An agent session (issue 20, item 4): `calls` mixed tool calls on one
// agent-driven plan, one at a time as an agent makes them — a read
// (fs/read-file), a write (fs/write-file: a step, its commit, checkpoint and
// reconciliation) and a command (shell/exec `true`, contained: a step that
// changes nothing) in turn — against a script doing the same file operations
// and commits on a git repository of its own in the same run: read the file;
// write it, `git add -A`, `git commit`; run `sh -c true`, `git add -A` and
// ask git whether anything changed (`git diff --cached --quiet`).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createRuntime } from '../../src/runtime/index.js';
import { GIT_ENV, tempRepo } from '../helpers/temp.js';

/** Figures of one session, in ms per call. */
export interface AgentSessionFigures {
  calls: number;
  troupeMsPerCall: number;
  floorMsPerCall: number;
  /** Per kind of call: troupe's and the script's mean, ms. */
  byKind: Record<'read' | 'write' | 'command', { troupe: number; floor: number }>;
}

const KINDS = ['read', 'write', 'command'] as const;
type Kind = (typeof KINDS)[number];

/**
 * Run the session through troupe, then the script, each on a fresh repository.
 *
 * @example
 * const figures = await runAgentSessionBench({ calls: 500 });
 * console.log(figures.troupeMsPerCall / figures.floorMsPerCall);
 */
export async function runAgentSessionBench(options: { calls: number }): Promise<AgentSessionFigures> {
  const kindOf = (index: number): Kind => KINDS[index % KINDS.length]!;
  const troupe = await troupeSession(options.calls, kindOf);
  const floor = await scriptSession(options.calls, kindOf);
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  const byKind = Object.fromEntries(
    KINDS.map((kind) => [kind, { troupe: mean(troupe[kind]), floor: mean(floor[kind]) }]),
  ) as AgentSessionFigures['byKind'];
  const total = (times: Record<Kind, number[]>) =>
    KINDS.reduce((sum, kind) => sum + times[kind].reduce((a, b) => a + b, 0), 0);
  return {
    calls: options.calls,
    troupeMsPerCall: total(troupe) / options.calls,
    floorMsPerCall: total(floor) / options.calls,
    byKind,
  };
}

// a write goes to one of 50 notes in turn; a read reads the note the last write wrote (notes/0.txt before any)
function noteWritten(index: number): string {
  return `notes/${Math.floor(index / KINDS.length) % 50}.txt`;
}

function noteRead(index: number): string {
  return index < KINDS.length ? 'notes/0.txt' : noteWritten(index - KINDS.length + 1);
}

async function troupeSession(calls: number, kindOf: (index: number) => Kind): Promise<Record<Kind, number[]>> {
  const repo = await tempRepo({ 'README.md': '# bench\n', 'notes/0.txt': 'note\n' });
  const runtime = await createRuntime({ dir: repo.dir, resume: false, report: () => {} });
  const times: Record<Kind, number[]> = { read: [], write: [], command: [] };
  try {
    const created = await runtime.createPlan(
      stringify({
        name: 'bench/session',
        goal: 'Answer an agent',
        resourceScopes: ['**'],
        invariants: [{ id: 'readme', check: 'file-exists', path: 'README.md' }],
      }),
    );
    const plan = await runtime.run(created.id);
    if (plan.status !== 'waiting') throw new Error(`the plan is not open: ${plan.phase} ${plan.status}`);
    for (let index = 0; index < calls; index++) {
      const kind = kindOf(index);
      const call =
        kind === 'read'
          ? { tool: 'fs/read-file', input: { path: noteRead(index) } }
          : kind === 'write'
            ? { tool: 'fs/write-file', input: { path: noteWritten(index), content: `note ${index}\n` } }
            : { tool: 'shell/exec', input: { command: 'true' } };
      const started = performance.now();
      const result = await runtime.callTool(plan.id, call);
      times[kind].push(performance.now() - started);
      if (!result.ok) throw new Error(`call ${index} (${kind}) failed: ${result.error.code} ${result.error.message}`);
    }
    // the last call's batch may still be on its way: the next read of the record waits for it
    await runtime.getPlan(plan.id);
    return times;
  } finally {
    await runtime.close();
    await repo.cleanup();
  }
}

async function scriptSession(calls: number, kindOf: (index: number) => Kind): Promise<Record<Kind, number[]>> {
  const repo = await tempRepo({ 'README.md': '# bench\n', 'notes/0.txt': 'note\n' });
  const times: Record<Kind, number[]> = { read: [], write: [], command: [] };
  const git = (...args: string[]) => spawnSync('git', args, { cwd: repo.dir, env: GIT_ENV });
  try {
    mkdirSync(join(repo.dir, 'notes'), { recursive: true });
    for (let index = 0; index < calls; index++) {
      const kind = kindOf(index);
      const started = performance.now();
      if (kind === 'read') {
        readFileSync(join(repo.dir, noteRead(index)), 'utf8');
      } else if (kind === 'write') {
        writeFileSync(join(repo.dir, noteWritten(index)), `note ${index}\n`);
        git('add', '-A');
        git('commit', '-q', '-m', `write ${index}`);
      } else {
        spawnSync('sh', ['-c', 'true'], { cwd: repo.dir });
        git('add', '-A');
        git('diff', '--cached', '--quiet');
      }
      times[kind].push(performance.now() - started);
    }
    return times;
  } finally {
    await repo.cleanup();
  }
}
