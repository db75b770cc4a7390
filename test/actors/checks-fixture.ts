import { engineMerger } from '../../src/runtime/children/engine-merger.js';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { CheckRegistry, runInvariantCheck, type ActorServices, type AnyCheckSpec } from '../../actors/index.js';
import {
  NotFoundError,
  newId,
  type PlanRecord,
  type SandboxInfo,
  type TieredInvariant,
} from '../../src/domain/index.js';
import { createRuntime } from '../../src/runtime/index.js';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import {
  BubblewrapSandbox,
  MergeWorkspace,
  PlanNetworks,
  ProcessLedger,
  commandEnv,
  createGitSandboxes,
  createPathGuard,
  createProjectRepo,
  ignoredFiles,
} from '../../src/sandbox/index.js';
import { LevelStore, MemoryStore, defaultStorePath, type Store } from '../../src/store/index.js';
import { ToolRunner, createToolRegistry } from '../../src/tools/index.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';

// Every built-in check through runInvariantCheck, in a real git worktree made
// by a real runtime, with the ports built the way createRuntime builds them.

/** The stores the checks run against. */
export type StoreKind = 'level' | 'memory';

/** What the current test leaves to undo; run in reverse after each test by the hook this module registers. */
export const cleanups: (() => Promise<void>)[] = [];
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
    children: {
      start: unused('children'),
      run: unused('children'),
      cancel: unused('children'),
      fetchHeads: unused('children'),
      merged: unused('children'),
      release: unused('children'),
      applyProjectChildren: unused('children'),
      releaseApplied: unused('children'),
    },
    checkpoints: { create: unused('checkpoints') },
    models: { call: unused('models'), checkKey: () => {} },
    readDecision: unused('readDecision'),
    readDecisions: unused('readDecisions'),
    childNamed: unused('childNamed'),
    readStep: unused('readStep'),
    sandboxes: createGitSandboxes(root),
    project: createProjectRepo(root, engineMerger(root)),
    tools: new ToolRunner(createToolRegistry([])),
    pathGuard: (sandboxRoot, scopes) =>
      createPathGuard({ root: sandboxRoot, ...(scopes === undefined ? {} : { scopes }) }),
    commandEnv: (extra) => commandEnv(extra),
    clearSetIdBits: (worktree) => commands.clearSetIdBits(worktree),
    checkoutIgnored: async () => ({ root, files: await ignoredFiles(root) }),
    commandRunner: async (planId, worktree, options = {}) => {
      const spec = (await store.getSpec(planId)) ?? missing(planId);
      const env = commandEnv(spec.env);
      return (command, commandOptions = {}) =>
        commands.run({
          command,
          worktree,
          env,
          network: spec.network === true,
          readOnly: options.readOnly === true,
          ...commandOptions,
        });
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

/** A plan executed in its real sandbox, and `check` to run an invariant there through runInvariantCheck. */
export interface Sandbox {
  root: string;
  runtime: LocalRuntime;
  store: Store;
  services: ActorServices;
  plan: PlanRecord;
  sandbox: SandboxInfo;
  /** Absolute (real) path of the plan's worktree. */
  worktree: string;
  check(
    invariant: Partial<TieredInvariant> & { check: string },
    options?: { sandbox?: SandboxInfo; registry?: CheckRegistry; signal?: AbortSignal },
  ): ReturnType<typeof runInvariantCheck>;
}

/** A temp project, a runtime on `kind` of store, and a plan executed (steps committed) in its real sandbox. */
export async function executedPlan(
  kind: StoreKind,
  fields: Record<string, unknown> = {},
  checks: AnyCheckSpec[] = [],
): Promise<Sandbox> {
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
        {
          planId: plan.id,
          trigger: 'post-step',
          invariant: { id: 'inv', tier: 'plan', ...invariant } as TieredInvariant,
          sandbox: options.sandbox ?? sandbox,
        },
        services,
        options.registry ?? registry,
        options.signal ?? new AbortController().signal,
      ),
  };
}
