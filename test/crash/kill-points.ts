import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startCallCounter } from '../helpers/call-counter.js';
import type { PlanRecord } from '../../src/domain/index.js';
import { createRuntime } from '../../src/runtime/index.js';
import { LevelStore, defaultStorePath } from '../../src/store/index.js';
import { tempDir, tempRepo } from '../helpers/temp.js';
import { crashPlan, differences, type FinalState } from './scenario.js';
import { seededRandom } from '../helpers/random.js';

// Seeded kill points and the run of one: start the plan in a child process,
// SIGKILL it at the chosen moment, look at what it left, finish the plan in a
// second process and compare the final state with an uninterrupted run.

const CHILD = join(import.meta.dirname, 'crash-child.ts');

/**
 * When to kill: after a share of the journal lines an uninterrupted run
 * prints (`line`), or after a share of its duration from ready (`delay`).
 * A share, not a count, so the points a seed names do not depend on the
 * reference run measured on this machine.
 */
export interface KillPoint {
  seed: number;
  index: number;
  kind: 'line' | 'delay';
  /** In [0, 1). */
  share: number;
}

/** How long an uninterrupted run is: journal lines and ms from ready to finished. */
export interface RunLength {
  lines: number;
  ms: number;
}

/** The first `count` kill points of a seed. */
export function killPoints(seed: number, count: number): KillPoint[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, index) => ({
    seed,
    index,
    kind: random() < 0.6 ? 'line' : 'delay',
    share: random(),
  }));
}

/** The line count or delay (ms) a kill point means for a run of this length. */
export function killAt(point: KillPoint, length: RunLength): number {
  return point.kind === 'line' ? 1 + Math.floor(point.share * length.lines) : Math.floor(point.share * length.ms);
}

export function describePoint(point: KillPoint, length?: RunLength): string {
  const share = `${(point.share * 100).toFixed(1)} %`;
  const at = length
    ? point.kind === 'line'
      ? ` = line ${killAt(point, length)}/${length.lines}`
      : ` = ${killAt(point, length)}/${length.ms} ms`
    : '';
  return `seed ${point.seed} #${point.index}: kill at ${share} of the ${point.kind === 'line' ? 'journal lines' : 'run time'}${at}`;
}

/** A temp project with the crash plan created (not started). */
export async function crashProject(): Promise<{
  dir: string;
  planId: string;
  ledger: string;
  cleanup: () => Promise<void>;
}> {
  const repo = await tempRepo({ 'README.md': '# crash\n' });
  const outside = await tempDir('troupe-ledger-');
  const ledger = join(outside.dir, 'ledger.txt');
  // contained commands cannot write outside their worktree: they report each run to a service that keeps the ledger
  const counter = await startCallCounter({ log: ledger });
  const runtime = await createRuntime({ dir: repo.dir, report: () => {} });
  const plan = await runtime.createPlan(crashPlan(counter));
  await runtime.close();
  return {
    dir: repo.dir,
    planId: plan.id,
    ledger,
    cleanup: async () => {
      await counter.close();
      await repo.cleanup();
      await outside.cleanup();
    },
  };
}

/** What the killed child did: its journal lines, ms from ready to the end, whether the kill landed before it finished. */
export interface KilledRun {
  lines: string[];
  ms: number;
  killed: boolean;
  /** The child's stderr (what it reported before it died). */
  stderr: string;
}

/**
 * Run the plan in a child process and SIGKILL it at `point` (never, for the
 * reference run). A child that neither reaches its point nor finishes within
 * `timeoutMs` is killed too, and the run fails: a hang is a failure.
 */
export function runChild(
  dir: string,
  planId: string,
  point: { kind: KillPoint['kind']; at: number } | null,
  timeoutMs = 90_000,
): Promise<KilledRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'run', dir, planId], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let ready = 0;
    let buffered = '';
    let stderr = '';
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    let hung = false;
    const kill = () => child.kill('SIGKILL');
    const bound = setTimeout(() => {
      hung = true;
      kill();
    }, timeoutMs);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const line of parts) {
        if (line === 'ready') {
          ready = Date.now();
          if (point?.kind === 'delay') timer = setTimeout(kill, point.at);
          continue;
        }
        if (line === 'finished') {
          finished = true;
          continue;
        }
        lines.push(line);
        if (point?.kind === 'line' && lines.length === point.at) kill();
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(bound);
      const ms = ready ? Date.now() - ready : 0;
      if (hung)
        reject(
          new Error(
            `the crash child hung: it neither reached its kill point nor finished within ${timeoutMs} ms: ${stderr.slice(-2000)}`,
          ),
        );
      else if (signal === 'SIGKILL') resolve({ lines, ms, killed: !finished, stderr });
      else if (code === 0) resolve({ lines, ms, killed: false, stderr });
      else reject(new Error(`the crash child exited with ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

/** Resume and finish the plan in a fresh process; its final state. */
export function finishChild(dir: string, planId: string, ledger: string, timeoutMs = 90_000): Promise<FinalState> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'finish', dir, planId, ledger], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((text) => text.startsWith('STATE '));
      if (line) resolve(JSON.parse(line.slice('STATE '.length)) as FinalState);
      else if (signal === 'SIGKILL')
        reject(new Error(`the plan is stuck: resume did not finish within ${timeoutMs} ms`));
      else reject(new Error(`resume failed (exit ${code}): ${stderr.slice(-2000)}`));
    });
  });
}

/** Where the killed process left the plan, as a phase label: `execute/processing step 2 [p:execute/processing …]`. */
export async function stateAtKill(dir: string, planId: string): Promise<string> {
  const store = new LevelStore({ path: defaultStorePath(dir) });
  await store.open();
  try {
    const plans = await store.listPlans();
    const root = plans.find((plan) => plan.id === planId)!;
    const children = plans.filter((plan) => plan.parentId === planId).sort((a, b) => a.name.localeCompare(b.name));
    return label(root, children);
  } finally {
    await store.close();
  }
}

function label(root: PlanRecord, children: PlanRecord[]): string {
  const at = `${root.phase}/${root.status}`;
  if (root.phase !== 'execute' || root.status !== 'processing') return at;
  const step = (root.lastCompletedStep ?? -1) + 1;
  const kids = children.map((child) => `${child.name.split('-').pop()}:${child.phase}/${child.status}`);
  return `${at} step ${step}${kids.length > 0 && step === 2 ? ` [${kids.join(' ')}]` : ''}`;
}

/** The outcome of one kill point. */
export interface KillPointResult {
  point: KillPoint;
  /** Where the plan stood when the child died (`not killed: …` when the kill came after the end). */
  killedAt: string;
  lines: number;
  /** Commands that ran more than once (the ledger outside the sandbox). */
  reran: string[];
  differences: string[];
  ms: number;
}

/** Run one kill point end to end against the reference state. */
export async function runKillPoint(
  point: KillPoint,
  reference: { state: FinalState; length: RunLength },
): Promise<KillPointResult> {
  const started = Date.now();
  const project = await crashProject();
  try {
    const killed = await runChild(project.dir, project.planId, {
      kind: point.kind,
      at: killAt(point, reference.length),
    });
    const left = await stateAtKill(project.dir, project.planId);
    const killedAt = killed.killed ? left : `not killed: ran to ${left}`;
    let found: string[];
    let reran: string[] = [];
    try {
      const state = await finishChild(project.dir, project.planId, project.ledger);
      found = differences(reference.state, state);
      reran = [...new Set(state.ledger.filter((line, index) => state.ledger.indexOf(line) !== index))];
    } catch (error) {
      found = [(error as Error).message];
    }
    if (found.length > 0 && killed.stderr.trim() !== '')
      found.push(`the killed process reported: ${killed.stderr.trim().slice(-1500)}`);
    return { point, killedAt, lines: killed.lines.length, reran, differences: found, ms: Date.now() - started };
  } finally {
    await project.cleanup();
  }
}

/** The uninterrupted run: its final state and its length. */
export async function referenceRun(): Promise<{ state: FinalState; length: RunLength }> {
  const project = await crashProject();
  try {
    const run = await runChild(project.dir, project.planId, null);
    const state = await finishChild(project.dir, project.planId, project.ledger);
    return { state, length: { lines: run.lines.length, ms: run.ms } };
  } finally {
    await project.cleanup();
  }
}
