import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import type { DecisionNode, PlanRecord } from '../../src/domain/index.js';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { GIT_ENV } from '../helpers/temp.js';
import type { CallCounter } from '../helpers/call-counter.js';

// The plan every kill point runs (issue 6 item 6), and the normalized final
// state a resumed run must share with an uninterrupted one.

export const PLAN_NAME = 'crash/suite';
export const CHILDREN = ['p', 'q', 'r'] as const;

/**
 * The crash plan: file writes, appends with shell/run (a step that landed
 * twice shows a repeated line), a parallel group of children that write and
 * append their own files, then more steps. Every shell command also reports
 * to `counter`, a service outside any sandbox that keeps the ledger (the
 * plan has the network for it): resume does not undo that, so it counts how
 * often each command really ran.
 */
export function crashPlan(counter: Pick<CallCounter, 'call'>): string {
  const append = (tag: string, file: string) => `sleep 0.1; echo ${tag} >> ${file}; ${counter.call(tag)}`;
  const child = (name: string) => ({
    name: `crash/child-${name}`,
    goal: `Write and log ${name}`,
    resourceScopes: [`kids/${name}.txt`, `kids/${name}.log`],
    strategy: {
      steps: [
        {
          title: `Write ${name}`,
          tool: 'fs/write-file',
          input: { path: `kids/${name}.txt`, content: `child ${name}\n` },
        },
        { title: `Log ${name}`, tool: 'shell/run', input: { command: append(`child-${name}`, `kids/${name}.log`) } },
      ],
    },
  });
  return stringify({
    name: PLAN_NAME,
    goal: 'Survive SIGKILL at any moment',
    automation: 'review',
    network: true,
    validate: [{ run: 'test -z "$(sort log.txt | uniq -d)"' }],
    strategy: {
      steps: [
        { title: 'Write a', tool: 'fs/write-file', input: { path: 'a.txt', content: 'alpha\n' } },
        { title: 'Log one', tool: 'shell/run', input: { command: append('one', 'log.txt') } },
        { title: 'Fan out', subplans: { mode: 'parallel', maxParallel: 2, entries: CHILDREN.map(child) } },
        { title: 'Log two', tool: 'shell/run', input: { command: append('two', 'log.txt') } },
        { title: 'Write b', tool: 'fs/write-file', input: { path: 'b.txt', content: 'beta\n' } },
      ],
    },
  });
}

/** What a plan looks like at the end, with ids, hashes and times taken out. */
export interface PlanShape {
  name: string;
  phase: string;
  status: string;
  lastCompletedStep: number | null;
  error: string | null;
  /** The error's message, for the report; not compared. */
  errorMessage: string | null;
  /** As its parent sees it: `status#attempt`. */
  subplan: string | null;
  /** Active decisions, depth-first: `depth type title`. */
  decisions: string[];
  discarded: number;
  /** How many times each step index, child spawn and child merge was journaled (each must be 1). */
  journaled: Record<string, number>;
  /** Journal sequence numbers run 1..n without a gap or a repeat. */
  journalContiguous: boolean;
}

/** The final state the suite compares. */
export interface FinalState {
  plans: PlanShape[];
  /** Every file of the root plan's worktree but .git, path → content. */
  files: Record<string, string>;
  /** Subjects of the root sandbox's commits since its base, oldest first. */
  commits: string[];
  clean: boolean;
  /** Lines of the ledger outside the sandbox (a command re-run after the kill shows twice here, by design). */
  ledger: string[];
}

/** Read the final state through a runtime (run in the process that finished the plan). */
export async function collectState(runtime: LocalRuntime, rootId: string, ledger: string): Promise<FinalState> {
  const all = await runtime.listPlans({ all: true });
  const root = all.find((plan) => plan.id === rootId)!;
  const children = all.filter((plan) => plan.parentId === rootId).sort((a, b) => a.name.localeCompare(b.name));
  const plans: PlanShape[] = [];
  for (const plan of [root, ...children]) plans.push(await planShape(runtime, plan, root));
  const worktree = root.sandbox ? join(runtime.dir, root.sandbox.worktree) : null;
  return {
    plans,
    files: worktree ? filesOf(worktree) : {},
    commits: worktree
      ? gitLines(worktree, 'log', '--reverse', '--topo-order', '--format=%s', `${root.sandbox!.baseCommit}..HEAD`).map(
          normalize,
        )
      : [],
    clean: worktree ? gitLines(worktree, 'status', '--porcelain').length === 0 : true,
    ledger: readLines(ledger),
  };
}

async function planShape(runtime: LocalRuntime, plan: PlanRecord, root: PlanRecord): Promise<PlanShape> {
  const tree = await runtime.explain(plan.id);
  const decisions: string[] = [];
  let discarded = 0;
  const walk = (node: DecisionNode, depth: number) => {
    if (node.status === 'discarded') discarded += 1;
    else decisions.push(`${depth} ${node.type} ${normalize(node.title)}`);
    for (const child of node.children) walk(child, depth + 1);
  };
  if (tree.root) walk(tree.root, 0);
  const events = await runtime.events(plan.id);
  const journaled: Record<string, number> = {};
  const names = new Map((await runtime.listPlans({ all: true })).map((other) => [other.id, other.name]));
  for (const event of events) {
    const key =
      event.type === 'step.completed'
        ? `step ${String(event.data.index)}`
        : event.type === 'subplan.spawned' || event.type === 'merge.completed'
          ? `${event.type} ${names.get(String(event.data.childId)) ?? '?'}`
          : null;
    if (key) journaled[key] = (journaled[key] ?? 0) + 1;
  }
  const subplan = plan.parentId ? root.subplanStatuses[plan.id] : undefined;
  return {
    name: plan.name,
    phase: plan.phase,
    status: plan.status,
    lastCompletedStep: plan.lastCompletedStep,
    error: plan.error?.code ?? null,
    errorMessage: plan.error ? normalize(plan.error.message) : null,
    subplan: subplan ? `${subplan.status}#${subplan.attempt}` : null,
    decisions,
    discarded,
    journaled: Object.fromEntries(Object.entries(journaled).sort(([a], [b]) => a.localeCompare(b))),
    journalContiguous: events.every((event, index) => event.seq === index + 1),
  };
}

/** Ids (ULIDs), commit hashes and durations differ between runs. */
function normalize(text: string): string {
  return text
    .replace(/\b[0-9A-HJKMNP-TV-Z]{26}\b/g, '<id>')
    .replace(/\b[0-9a-f]{7,40}\b/g, '<sha>')
    .replace(/\b\d+(\.\d+)? ?ms\b/g, '<ms>');
}

function filesOf(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name === '.git') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(root, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(root);
  return files;
}

function gitLines(cwd: string, ...args: string[]): string[] {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' })
    .split('\n')
    .filter((line) => line !== '');
}

function readLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line !== '');
  } catch {
    return [];
  }
}

/**
 * How a resumed run's final state differs from the uninterrupted one (empty
 * when they agree), plus the checks that need no reference: every step,
 * spawn and merge journaled once, every appended line present once.
 */
export function differences(reference: FinalState, state: FinalState): string[] {
  const found: string[] = [];
  const same = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b))
      found.push(`${what}: expected ${JSON.stringify(a)}, got ${JSON.stringify(b)}`);
  };
  same(
    'plans',
    reference.plans.map((plan) => plan.name),
    state.plans.map((plan) => plan.name),
  );
  for (const plan of state.plans) {
    const expected = reference.plans.find((other) => other.name === plan.name);
    if (!expected) continue;
    for (const key of [
      'phase',
      'status',
      'lastCompletedStep',
      'error',
      'subplan',
      'decisions',
      'discarded',
      'journaled',
    ] as const) {
      same(`${plan.name} ${key}`, expected[key], plan[key]);
    }
    if (plan.errorMessage !== expected.errorMessage) found.push(`${plan.name} error message: ${plan.errorMessage}`);
    if (!plan.journalContiguous) found.push(`${plan.name}: journal sequence has a gap or a repeat`);
    for (const [key, count] of Object.entries(plan.journaled))
      if (count !== 1) found.push(`${plan.name}: ${key} journaled ${count} times`);
  }
  same('sandbox files', Object.keys(reference.files), Object.keys(state.files));
  for (const [path, content] of Object.entries(state.files)) {
    if (path in reference.files) same(`content of ${path}`, reference.files[path], content);
    const lines = content.split('\n').filter((line) => line !== '');
    const repeated = lines.filter((line, index) => lines.indexOf(line) !== index);
    if (path.endsWith('.log') || path === 'log.txt')
      if (repeated.length > 0) found.push(`${path}: lines appended twice: ${repeated.join(', ')}`);
  }
  same('sandbox commits', reference.commits, state.commits);
  if (!state.clean) found.push('the sandbox has uncommitted changes');
  // the ledger is outside the sandbox: a re-run command may add a line, but none may be missing
  for (const line of new Set(reference.ledger))
    if (!state.ledger.includes(line)) found.push(`ledger: ${line} never ran`);
  return found;
}
