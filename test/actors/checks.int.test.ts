import { engineMerger } from '../../src/runtime/children/engine-merger.js';
import { existsSync, mkdirSync, realpathSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CheckRegistry, defineCheck, runInvariantCheck, type ActorServices, type AnyCheckSpec, type CheckContext } from '../../actors/index.js';
import { NotFoundError, newId, type ConflictRecord, type PlanRecord, type SandboxInfo, type TieredInvariant } from '../../src/domain/index.js';
import { createRuntime } from '../../src/runtime/index.js';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { BubblewrapSandbox, MergeWorkspace, PlanNetworks, ProcessLedger, commandEnv, createGitSandboxes, createPathGuard, createProjectRepo } from '../../src/sandbox/index.js';
import { LevelStore, MemoryStore, defaultStorePath, type Store } from '../../src/store/index.js';
import { ToolRunner, createToolRegistry } from '../../src/tools/index.js';
import { processesWith } from '../helpers/processes.js';
import { git, tempDir, tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';

// Every built-in check through runInvariantCheck, in a real git worktree made
// by a real runtime, with the ports built the way createRuntime builds them.

type StoreKind = 'level' | 'memory';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** ActorServices over a real project and store, as createRuntime makes them (the ports checks use are all real). */
function realServices(root: string, store: Store): ActorServices {
  const ledgers = new Map<string, ProcessLedger>();
  const commands = new BubblewrapSandbox({ projectRoot: root });
  const unused = (what: string) => async (): Promise<never> => {
    throw new Error(`checks do not use ${what}`);
  };
  return {
    readPlan: async (planId) => (await store.getPlan(planId)) ?? missing(planId),
    readSpec: async (planId) => (await store.getSpec(planId)) ?? missing(planId),
    invariantsOf: unused('invariantsOf'),
    openConflicts: (planId) => store.listConflicts(planId),
    conflicts: (planId) => store.listConflicts(planId),
    merges: new MergeWorkspace(root),
    merger: { mergeRound: unused('merger') },
    children: { start: unused('children'), run: unused('children'), cancel: unused('children'), fetchHeads: unused('children'), merged: unused('children'), release: unused('children'), applyProjectChildren: unused('children'), releaseApplied: unused('children') },
    checkpoints: { create: unused('checkpoints') },
    models: { call: unused('models'), checkKey: () => {} },
    readDecision: unused('readDecision'),
    readDecisions: unused('readDecisions'),
    childNamed: unused('childNamed'),
    readStep: unused('readStep'),
    sandboxes: createGitSandboxes(root),
    project: createProjectRepo(root, engineMerger(root)),
    tools: new ToolRunner(createToolRegistry([])),
    pathGuard: (sandboxRoot, scopes) => createPathGuard({ root: sandboxRoot, ...(scopes === undefined ? {} : { scopes }) }),
    commandEnv: (extra) => commandEnv(extra),
    commandRunner: async (planId, worktree, options = {}) => {
      const spec = (await store.getSpec(planId)) ?? missing(planId);
      const env = commandEnv(spec.env);
      return (command, commandOptions = {}) => commands.run({ command, worktree, env, network: spec.network === true, readOnly: options.readOnly === true, ...commandOptions });
    },
    sandboxPolicy: async () => ({ mode: 'contained', network: false, allow: null, networkFrom: null, share: [] }),
    networks: new PlanNetworks(commands),
    processes: (planId) => {
      if (store.kind === 'memory') return null;
      let ledger = ledgers.get(planId);
      if (!ledger) ledgers.set(planId, (ledger = new ProcessLedger(join(root, '.troupe', 'run', planId))));
      return ledger;
    },
    newId: () => newId(),
    now: () => new Date().toISOString(),
    cleanSandboxes: new Map(),
    stepResults: new Map(),
  };
}

function missing(planId: string): never {
  throw new NotFoundError('plan', planId);
}

const PLAN = {
  automation: 'review',
  resourceScopes: ['src/**', 'docs/**'],
  env: { GREETING: 'hello from the plan' },
  strategy: {
    steps: [
      step('Add b', 'fs/write-file', { path: 'src/b.ts', content: 'export const b = 2;\n' }),
      step('Document it', 'shell/run', { command: 'mkdir -p docs && echo "# guide" > docs/guide.md' }),
    ],
  },
};

interface Sandbox {
  root: string;
  runtime: LocalRuntime;
  store: Store;
  services: ActorServices;
  plan: PlanRecord;
  sandbox: SandboxInfo;
  /** Absolute (real) path of the plan's worktree. */
  worktree: string;
  check(invariant: Partial<TieredInvariant> & { check: string }, options?: { sandbox?: SandboxInfo; registry?: CheckRegistry; signal?: AbortSignal }): ReturnType<typeof runInvariantCheck>;
}

/** A temp project, a runtime on `kind` of store, and a plan executed (steps committed) in its real sandbox. */
async function executedPlan(kind: StoreKind, fields: Record<string, unknown> = {}, checks: AnyCheckSpec[] = []): Promise<Sandbox> {
  const repo = await tempRepo({ 'README.md': '# project\n', 'src/a.ts': 'export const a = 1;\n' });
  const root = realpathSync(repo.dir);
  const store: Store = kind === 'level' ? new LevelStore({ path: defaultStorePath(root) }) : new MemoryStore();
  const runtime = await createRuntime({ dir: root, store, report: () => {} });
  cleanups.push(async () => {
    await runtime.close();
    await repo.cleanup();
  });
  const created = await runtime.createPlan(planYaml({ ...PLAN, ...fields }));
  const plan = await runtime.run(created.id, { until: 'execute' });
  expect(plan).toMatchObject({ phase: 'execute', status: 'complete', error: null });
  const sandbox = plan.sandbox!;
  const services = realServices(root, store);
  const registry = new CheckRegistry(checks);
  return {
    root,
    runtime,
    store,
    services,
    plan,
    sandbox,
    worktree: realpathSync(join(root, sandbox.worktree)),
    check: (invariant, options = {}) =>
      runInvariantCheck(
        { planId: plan.id, trigger: 'post-step', invariant: { id: 'inv', tier: 'plan', ...invariant } as TieredInvariant, sandbox: options.sandbox ?? sandbox },
        services,
        options.registry ?? registry,
        options.signal ?? new AbortController().signal,
      ),
  };
}

describe.each<StoreKind>(['level', 'memory'])('the command check (%s store)', (kind) => {
  it('passes on exit 0 and answers a complete result', async () => {
    const { check } = await executedPlan(kind);
    const result = await check({ id: 'tests-pass', tier: 'project', check: 'command', run: 'test -f src/b.ts' });
    expect(result).toEqual({ id: 'tests-pass', tier: 'project', check: 'command', passed: true, message: expect.stringMatching(/^exit 0 in \d+ ms$/), durationMs: expect.any(Number) });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('fails with the exit code and the last line of stderr (or stdout)', async () => {
    const { check } = await executedPlan(kind);
    expect(await check({ check: 'command', run: 'echo running >&2; echo "3 tests failed" >&2; echo ok; exit 3' })).toMatchObject({
      passed: false,
      message: 'exit code 3: 3 tests failed',
    });
    expect(await check({ check: 'command', run: 'echo "lint: 2 errors"; exit 2' })).toMatchObject({ passed: false, message: 'exit code 2: lint: 2 errors' });
    expect(await check({ check: 'command', run: 'exit 4' })).toMatchObject({ passed: false, message: 'exit code 4' });
    expect(await check({ check: 'command', run: 'no-such-command-troupe' })).toMatchObject({ passed: false, message: expect.stringMatching(/^exit code 127: .*not found/) });
  });

  it('runs in the sandbox with the plan’s env and nothing of troupe’s own environment', async () => {
    const { check, worktree } = await executedPlan(kind);
    expect(await check({ check: 'command', run: 'pwd -P >&2; exit 1' })).toMatchObject({ message: `exit code 1: ${worktree}` });
    process.env.TROUPE_CHECK_TEST_LEAK = 'leaked';
    try {
      expect(await check({ check: 'command', run: 'echo "$GREETING|${TROUPE_CHECK_TEST_LEAK:-unset}" >&2; exit 1' })).toMatchObject({
        message: 'exit code 1: hello from the plan|unset',
      });
    } finally {
      delete process.env.TROUPE_CHECK_TEST_LEAK;
    }
    // the sandbox, not the project: the step's file is there, and the project does not have it
    expect(await check({ check: 'command', run: 'test -f src/b.ts && test -f docs/guide.md' })).toMatchObject({ passed: true });
  });

  it('fails a command that outlives timeoutMs with TIMEOUT, soon, and leaves none of its processes running', async () => {
    const { check } = await executedPlan(kind);
    const marker = `5.${process.pid}1`;
    const run = `sleep ${marker} & wait`;
    const started = performance.now();
    const result = await check({ check: 'command', run, timeoutMs: 300 });
    const took = performance.now() - started;
    expect(result).toMatchObject({ passed: false, message: `TIMEOUT after 300 ms: ${run}` });
    expect(took).toBeLessThan(3_000);
    // the background sleep is in the command's sandbox: it dies with it
    await expect.poll(() => processesWith(`sleep ${marker}`), { timeout: 1_000, interval: 20 }).toEqual([]);
  });

  it('stops the command when the plan is cancelled (the signal aborts) and says so', async () => {
    const { check } = await executedPlan(kind);
    const controller = new AbortController();
    const marker = `5.${process.pid}2`;
    const run = `sleep ${marker} & wait`;
    setTimeout(() => controller.abort(), 200);
    const started = performance.now();
    const result = await check({ check: 'command', run }, { signal: controller.signal });
    expect(result).toMatchObject({ passed: false, message: `cancelled while running: ${run}` });
    expect(performance.now() - started).toBeLessThan(3_000);
    await expect.poll(() => processesWith(`sleep ${marker}`), { timeout: 1_000, interval: 20 }).toEqual([]);
  });
});

describe('the file-exists and file-absent checks', () => {
  /** A sandbox with links: one inside, several that lead out of it (to a file that exists, one that does not, a directory). */
  async function linkedSandbox() {
    const made = await executedPlan('memory');
    const outside = await tempDir('troupe-outside-');
    cleanups.push(outside.cleanup);
    writeFileSync(join(outside.dir, 'secret.txt'), 'secret\n');
    symlinkSync('src/a.ts', join(made.worktree, 'inside-link'));
    symlinkSync(join(outside.dir, 'secret.txt'), join(made.worktree, 'out-link'));
    symlinkSync(join(outside.dir, 'missing.txt'), join(made.worktree, 'dangling-out-link'));
    symlinkSync(outside.dir, join(made.worktree, 'out-dir'));
    symlinkSync('../../..', join(made.worktree, 'src', 'up'));
    return made;
  }

  it('file-exists passes for a file, a directory and a link that stays inside; fails for a missing path', async () => {
    const { check } = await linkedSandbox();
    expect(await check({ id: 'readme', check: 'file-exists', path: 'README.md' })).toMatchObject({ id: 'readme', check: 'file-exists', passed: true, message: 'README.md exists' });
    expect(await check({ check: 'file-exists', path: 'src' })).toMatchObject({ passed: true, message: 'src exists' });
    expect(await check({ check: 'file-exists', path: 'docs/guide.md' })).toMatchObject({ passed: true });
    expect(await check({ check: 'file-exists', path: 'inside-link' })).toMatchObject({ passed: true, message: 'inside-link exists' });
    expect(await check({ check: 'file-exists', path: 'LICENSE' })).toMatchObject({ passed: false, message: 'LICENSE does not exist' });
    expect(await check({ check: 'file-exists', path: 'src/nested/deeper.ts' })).toMatchObject({ passed: false, message: 'src/nested/deeper.ts does not exist' });
  });

  it('file-absent passes for a missing path and fails for a file or a directory', async () => {
    const { check } = await linkedSandbox();
    expect(await check({ check: 'file-absent', path: 'debug.log' })).toMatchObject({ passed: true, message: 'debug.log is absent' });
    expect(await check({ check: 'file-absent', path: 'README.md/child' })).toMatchObject({ passed: true });
    expect(await check({ check: 'file-absent', path: 'README.md' })).toMatchObject({ passed: false, message: 'README.md exists' });
    expect(await check({ check: 'file-absent', path: 'src' })).toMatchObject({ passed: false, message: 'src exists' });
    expect(await check({ check: 'file-absent', path: 'inside-link' })).toMatchObject({ passed: false, message: 'inside-link exists' });
  });

  it('never passes a path that leaves the sandbox, and says SANDBOX_ESCAPE', async () => {
    const { check } = await linkedSandbox();
    const escapes = ['out-link', 'dangling-out-link', 'out-dir', 'out-dir/secret.txt', 'out-dir/missing.txt', 'src/up/etc', '../outside.txt', '.git/config'];
    for (const path of escapes) {
      for (const kind of ['file-exists', 'file-absent']) {
        const result = await check({ check: kind, path });
        expect(result, `${kind} ${path}`).toMatchObject({ passed: false, message: expect.stringContaining('SANDBOX_ESCAPE') });
      }
    }
  });
});

describe('the paths-within check', () => {
  it('passes when every committed change since the base matches resourceScopes', async () => {
    const { check, services, sandbox } = await executedPlan('level');
    expect((await services.sandboxes.diff(sandbox, sandbox.baseCommit, sandbox.headCommit)).map((change) => change.path)).toEqual(['docs/guide.md', 'src/b.ts']);
    expect(await check({ check: 'paths-within' })).toMatchObject({ passed: true, message: '2 changed path(s), all within src/**, docs/**' });
  });

  it('fails listing every committed path outside resourceScopes (added, modified and deleted), and only those', async () => {
    const { check, services, sandbox, worktree } = await executedPlan('level');
    // what an executor that slipped past the step checks would leave: a commit outside the scopes
    writeFileSync(join(worktree, 'config.json'), '{}\n');
    unlinkSync(join(worktree, 'README.md'));
    writeFileSync(join(worktree, 'src', 'a.ts'), 'export const a = 10;\n');
    // a rename is a delete (in scope here) and an add (outside)
    git(worktree, 'mv', 'docs/guide.md', 'guide.md');
    const head = await services.sandboxes.commit(sandbox, 'outside the scopes');
    const result = await check({ check: 'paths-within' }, { sandbox: { ...sandbox, headCommit: head } });
    expect(result.passed).toBe(false);
    expect(result.message).toMatch(/^3 changed path\(s\) outside resourceScopes \(src\/\*\*, docs\/\*\*\): /);
    expect(result.message.split(': ')[1]!.split(', ').sort()).toEqual(['README.md', 'config.json', 'guide.md']);
    // the recorded head is what counts: before that commit, everything was in scope
    expect(await check({ check: 'paths-within' })).toMatchObject({ passed: true });
  });

  it('lists the first five outside paths and counts the rest', async () => {
    const { check, services, sandbox, worktree } = await executedPlan('memory');
    for (let index = 0; index < 7; index++) writeFileSync(join(worktree, `stray-${index}.txt`), `${index}\n`);
    const head = await services.sandboxes.commit(sandbox, 'strays');
    const result = await check({ check: 'paths-within' }, { sandbox: { ...sandbox, headCommit: head } });
    expect(result).toMatchObject({ passed: false, message: expect.stringMatching(/^7 changed path\(s\) outside .*: stray-0\.txt, stray-1\.txt, stray-2\.txt, stray-3\.txt, stray-4\.txt and 2 more$/) });
  });

  it('ignores what is not committed', async () => {
    const { check, worktree } = await executedPlan('level');
    writeFileSync(join(worktree, 'junk.txt'), 'junk\n');
    writeFileSync(join(worktree, 'README.md'), 'edited, not committed\n');
    mkdirSync(join(worktree, 'build'));
    writeFileSync(join(worktree, 'build', 'out.js'), '\n');
    expect(await check({ check: 'paths-within' })).toMatchObject({ passed: true, message: '2 changed path(s), all within src/**, docs/**' });
  });

  it('passes with no resourceScopes, wherever the changes are', async () => {
    const { check, services, sandbox, worktree } = await executedPlan('memory', { resourceScopes: undefined });
    writeFileSync(join(worktree, 'anywhere.txt'), 'x\n');
    const head = await services.sandboxes.commit(sandbox, 'anywhere');
    expect(await check({ check: 'paths-within' }, { sandbox: { ...sandbox, headCommit: head } })).toMatchObject({
      passed: true,
      message: 'the plan has no resourceScopes: its 3 changed path(s) may be anywhere',
    });
  });
});

describe.each<StoreKind>(['level', 'memory'])('the no-conflicts check (%s store)', (kind) => {
  const conflict = (planId: string, file: string): ConflictRecord => ({ planId, file, child: null, kind: 'content', hunks: [{ ours: 'a\n', base: 'b\n', theirs: 'c\n' }] });

  it('passes with no conflict, fails naming the files of the plan’s open conflicts, and passes again once they are resolved', async () => {
    const { check, store, plan, runtime } = await executedPlan(kind);
    expect(await check({ id: 'merged', check: 'no-conflicts' })).toMatchObject({ id: 'merged', check: 'no-conflicts', passed: true, message: 'no open conflicts' });

    // another plan's conflict is not this plan's
    const other = await runtime.createPlan(planYaml({ name: 'demo/other' }));
    await store.commit({ planId: other.id, record: (await store.getPlan(other.id))!, conflicts: { put: [conflict(other.id, 'README.md')] } });
    expect(await check({ check: 'no-conflicts' })).toMatchObject({ passed: true });

    const record = (await store.getPlan(plan.id))!;
    await store.commit({ planId: plan.id, record, conflicts: { put: [conflict(plan.id, 'src/a.ts'), conflict(plan.id, 'docs/guide.md')] } });
    const failed = await check({ check: 'no-conflicts' });
    expect(failed.passed).toBe(false);
    expect(failed.message).toMatch(/^2 open conflict\(s\): /);
    expect(failed.message).toContain('src/a.ts');
    expect(failed.message).toContain('docs/guide.md');

    await store.commit({ planId: plan.id, record, conflicts: { resolved: ['docs/guide.md'] } });
    expect(await check({ check: 'no-conflicts' })).toMatchObject({ passed: false, message: '1 open conflict(s): src/a.ts' });
    await store.commit({ planId: plan.id, record, conflicts: { resolved: ['src/a.ts'] } });
    expect(await check({ check: 'no-conflicts' })).toMatchObject({ passed: true });
  });
});

describe('checks an app registers', () => {
  const boom = defineCheck({
    name: 'acme/boom',
    description: 'always throws',
    async run() {
      throw new Error('kaboom');
    },
  });
  const throwsString = defineCheck({
    name: 'acme/throws-string',
    description: 'throws a string',
    async run() {
      throw 'not an error object';
    },
  });
  const answers = (name: string, answer: unknown) =>
    defineCheck({
      name,
      description: 'answers something odd',
      readOnly: true,
      async run() {
        return answer as never;
      },
    });
  const odd = [
    answers('acme/object', { ok: true }),
    answers('acme/nothing', undefined),
    answers('acme/text', 'yes'),
    answers('acme/string-passed', { passed: 'true', message: 'looks fine' }),
    answers('acme/null', null),
    answers('acme/no-message', { passed: true, message: 42 }),
  ];

  it('a check that throws is a failed result saying so', async () => {
    const { check } = await executedPlan('memory', {}, [boom, throwsString]);
    expect(await check({ id: 'b', check: 'acme/boom' })).toMatchObject({ id: 'b', check: 'acme/boom', passed: false, message: 'the acme/boom check failed: kaboom' });
    expect(await check({ check: 'acme/throws-string' })).toMatchObject({ passed: false, message: 'the acme/throws-string check failed: not an error object' });
  });

  it('a check that answers something other than { passed, message } fails saying what it answered; never a pass', async () => {
    const { check } = await executedPlan('memory', {}, odd);
    expect(await check({ check: 'acme/object' })).toMatchObject({ passed: false, message: 'the acme/object check answered {"ok":true} instead of { passed, message }' });
    expect(await check({ check: 'acme/nothing' })).toMatchObject({ passed: false, message: 'the acme/nothing check answered nothing instead of { passed, message }' });
    expect(await check({ check: 'acme/text' })).toMatchObject({ passed: false, message: 'the acme/text check answered "yes" instead of { passed, message }' });
    expect(await check({ check: 'acme/string-passed' })).toMatchObject({ passed: false, message: expect.stringContaining('instead of { passed, message }') });
    expect(await check({ check: 'acme/null' })).toMatchObject({ passed: false, message: 'the acme/null check answered null instead of { passed, message }' });
    // a verdict whose message is not text keeps its verdict, with no message
    expect(await check({ check: 'acme/no-message' })).toMatchObject({ passed: true, message: '' });
  });

  it('a check this runtime does not know fails (it cannot be skipped)', async () => {
    const { check } = await executedPlan('memory');
    expect(await check({ id: 'lint', check: 'acme/lint' })).toMatchObject({ id: 'lint', passed: false, message: 'no check named "acme/lint" is registered in this runtime' });
  });

  it('gets its option defaults and a context bound to the plan’s sandbox', async () => {
    let seen: { invariant: Record<string, unknown>; context: CheckContext } | null = null;
    const probe = defineCheck({
      name: 'acme/probe',
      description: 'records what it was given',
      readOnly: true,
      options: z.strictObject({ maxWarnings: z.number().int().default(7), label: z.string().optional() }),
      async run(invariant, context) {
        seen = { invariant, context };
        const pwd = await context.runCommand('pwd -P', { timeoutMs: 5_000 });
        const changed = await context.changedPaths();
        const conflicts = await context.openConflicts();
        const readme = await context.paths.resolve('README.md', 'read');
        return { passed: true, message: `${pwd.stdoutTail.trim()}|${changed.sort().join(',')}|${conflicts.length}|${readme}|${invariant.maxWarnings}` };
      },
    });
    const made = await executedPlan('level', {}, [probe]);
    const result = await made.check({ id: 'probe', check: 'acme/probe', label: 'x' });
    expect(result).toMatchObject({
      passed: true,
      message: `${made.worktree}|docs/guide.md,src/b.ts|0|${join(made.worktree, 'README.md')}|7`,
    });
    expect(seen!.invariant).toMatchObject({ id: 'probe', tier: 'plan', check: 'acme/probe', label: 'x', maxWarnings: 7 });
    expect(seen!.context).toMatchObject({ planId: made.plan.id, trigger: 'post-step', sandbox: made.sandbox, resourceScopes: ['src/**', 'docs/**'] });
    expect(realpathSync(seen!.context.sandboxRoot)).toBe(made.worktree);
    expect(seen!.context.paths.inScope('src/x.ts')).toBe(true);
    expect(seen!.context.paths.inScope('x.ts')).toBe(false);
    await expect(seen!.context.paths.resolve('../x', 'read')).rejects.toMatchObject({ code: 'SANDBOX_ESCAPE' });
  });
});

describe('checks that may write', () => {
  it('clear the plan’s clean-sandbox mark (so the next step resets), read-only ones keep it', async () => {
    const writer = defineCheck({ name: 'acme/writer', description: 'may write (the default)', async run() { return { passed: true, message: 'ok' }; } });
    const reader = defineCheck({ name: 'acme/reader', description: 'only reads', readOnly: true, async run() { return { passed: true, message: 'ok' }; } });
    const { check, services, plan, sandbox, worktree } = await executedPlan('level', {}, [writer, reader]);
    const clean = services.cleanSandboxes;
    const marked = () => clean.get(plan.id);

    for (const invariant of [{ check: 'file-exists', path: 'README.md' }, { check: 'file-absent', path: 'x' }, { check: 'paths-within' }, { check: 'no-conflicts' }, { check: 'acme/reader' }, { check: 'acme/unknown' }]) {
      clean.set(plan.id, sandbox.headCommit);
      await check(invariant);
      expect(marked(), invariant.check).toBe(sandbox.headCommit);
    }
    for (const invariant of [{ check: 'command', run: 'echo junk > junk.txt' }, { check: 'command', run: 'exit 1' }, { check: 'acme/writer' }]) {
      clean.set(plan.id, sandbox.headCommit);
      await check(invariant);
      expect(marked(), invariant.check).toBeUndefined();
    }
    // what the command left is really there: the next step must not start from it
    expect(existsSync(join(worktree, 'junk.txt'))).toBe(true);
    expect(git(worktree, 'status', '--porcelain')).toContain('junk.txt');
    rmSync(join(worktree, 'junk.txt'));
  });
});
