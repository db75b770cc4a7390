import {
  COMMAND_LOG_BYTES,
  effectiveLimits,
  effectiveNetwork,
  isOpenConflict,
  networkSource,
  newId,
  tierInvariants,
  type Invariant,
  type PlanSpec,
  type TieredInvariant,
} from '../domain/index.js';
import {
  GitTrees,
  MergeWorkspace,
  ProcessLedger,
  RUN_DIR,
  PlanNetworks,
  commandEnv,
  createGitSandboxes,
  createPathGuard,
  createProjectRepo,
  ignoredFiles,
  type CommandSandbox,
  type PlanNetwork,
} from '../sandbox/index.js';
import type { Store } from '../store/index.js';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { ToolRunner } from '../tools/index.js';
import type { ActorServices, CheckRegistry } from '../../actors/index.js';
import type { ProjectConfig } from './project/index.js';
import type { PlanMemory } from './persistence/index.js';
import type { RemoteBranches } from '../sandbox/remote-branches.js';
import { publishingSandboxes } from '../sandbox/publishing-sandboxes.js';
import { engineMerger, mergeCommitRound } from './children/index.js';

/**
 * The ports createRuntime gives the actors of a project's plans: the plans'
 * records and files (through the shared memory), their invariants with those
 * they inherit, sandboxes, path guards, and command runners contained as the
 * project's config and each plan file ask. The runtime adds the child plans,
 * checkpoints and models.
 *
 * @example
 * const services = actorServices(root, store, tools, memory, { checks, projectInvariants }, { commands, config }, null);
 * const run = await services.commandRunner(planId, worktree);
 */
export function actorServices(
  root: string,
  store: Store,
  tools: ToolRunner,
  memory: PlanMemory,
  invariantSources: { checks: CheckRegistry; projectInvariants: readonly Invariant[] },
  sandbox: { commands: CommandSandbox; config: ProjectConfig },
  publish: RemoteBranches | null,
): Omit<ActorServices, 'children' | 'checkpoints' | 'models'> {
  const sandboxes = publish ? publishingSandboxes(createGitSandboxes(root), publish) : createGitSandboxes(root);
  const trees = new GitTrees(root);
  const guards = new Map<string, ReturnType<typeof createPathGuard>>();
  // the guard a sandbox root was last asked for, with the scopes it was asked with
  const lastGuards = new Map<
    string,
    { scopes: readonly string[] | undefined; guard: ReturnType<typeof createPathGuard> }
  >();
  const ledgers = new Map<string, ProcessLedger>();
  // steps read the plan file every time: the parsed one is kept (src/runtime/persistence/plan-memory.ts)
  const readSpec = (planId: string): Promise<PlanSpec> => memory.spec(planId);
  const ledgerOf = (planId: string): ProcessLedger | null => {
    // plans in memory do not outlive this process: nothing to reap later
    if (store.kind === 'memory') return null;
    let ledger = ledgers.get(planId);
    if (!ledger) ledgers.set(planId, (ledger = new ProcessLedger(join(root, RUN_DIR, planId))));
    return ledger;
  };
  // a plan network's holder is recorded in its plan's ledger, as its commands are
  const networks = new PlanNetworks(sandbox.commands, { processes: ledgerOf });
  // `root`: the plan is the root of its tree, which has no parent — known from its child's record, so
  // the root's own record is not read (on a worker, whose runtime does not hold the root, that is a store read a step)
  const invariantsOf = async (
    planId: string,
    seen: ReadonlySet<string> = new Set(),
    root = false,
  ): Promise<TieredInvariant[]> => {
    const [record, spec] = await Promise.all([root ? null : memory.record(planId), readSpec(planId)]);
    // a child inherits what its parent checks (SPEC §4); ids never loop, but a damaged store must not hang us
    const parentId = record?.parentId && !seen.has(record.parentId) ? record.parentId : null;
    const inherited =
      record && parentId ? await invariantsOf(parentId, new Set([...seen, planId]), parentId === record.rootId) : [];
    const plan = spec.invariants.map((invariant) => invariantSources.checks.withDefaults(invariant));
    return tierInvariants({ project: invariantSources.projectInvariants, plan, inherited });
  };
  return {
    readPlan: (planId) => memory.record(planId),
    readSpec,
    invariantsOf: (planId) => invariantsOf(planId),
    openConflicts: async (planId) => (await store.listConflicts(planId)).filter(isOpenConflict),
    conflicts: (planId) => store.listConflicts(planId),
    readStep: (planId, index) => memory.step(planId, index),
    sandboxes,
    project: createProjectRepo(root, engineMerger(root)),
    merges: new MergeWorkspace(root),
    merger: { mergeRound: (request) => mergeCommitRound(trees, request) },
    readDecision: (planId, decisionId) => memory.decision(planId, decisionId),
    readDecisions: (planId) => store.listDecisions(planId),
    childNamed: async (parentId, name) => {
      const id = await store.getPlanIdByName(name);
      const record = id === null ? null : await store.getPlan(id);
      return record?.parentId === parentId ? record : null;
    },
    tools,
    pathGuard: (sandboxRoot, scopes) => {
      // a guard is the sandbox's real root and compiled globs: the same for every step,
      // which passes the same scopes (the cached plan file's) again
      const last = lastGuards.get(sandboxRoot);
      if (last && last.scopes === scopes) return last.guard;
      const key = JSON.stringify([sandboxRoot, scopes ?? null]);
      let guard = guards.get(key);
      if (!guard) {
        const made = createPathGuard({ root: sandboxRoot, ...(scopes === undefined ? {} : { scopes }) });
        guards.set(key, made);
        made.catch(() => {
          guards.delete(key);
          if (lastGuards.get(sandboxRoot)?.guard === made) lastGuards.delete(sandboxRoot);
        });
        guard = made;
      }
      lastGuards.set(sandboxRoot, { scopes, guard });
      return guard;
    },
    commandEnv: (extra) => commandEnv(extra),
    clearSetIdBits: async (worktree) => (await sandbox.commands.clearSetIdBits?.(worktree)) ?? [],
    // where commands see the project (its real path) and what git ignores there: read when a command missed a module
    checkoutIgnored: async () => ({ root: await realpath(root).catch(() => root), files: await ignoredFiles(root) }),
    async commandRunner(planId, worktree, runOptions = {}) {
      const reads = runOptions.reads ?? ((read) => read());
      const spec = await reads(() => readSpec(planId));
      // none, the host's, or an allow-list: the project's and the plan's together
      const network = effectiveNetwork(sandbox.config.network, spec.network);
      // the project's, lowered where the plan (or the parent it inherited them from) asks
      const limits = effectiveLimits(sandbox.config.sandbox.limits, spec.sandbox?.limits);
      const processes = ledgerOf(planId);
      // every step asks for a runner and most run no command: the store and
      // the environment are read when the runner's first command runs (a
      // runner lives one step, one call or one check), not per step
      let setting: Promise<{ env: Record<string, string>; otherProjects: string[] }> | null = null;
      const settle = () =>
        (setting ??= reads(() => store.listProjects()).then((projects) => ({
          env: commandEnv(spec.env),
          // the other registered repositories are hidden like this one (a child of one works in a worktree of it, shown again)
          otherProjects: projects.map((project) => project.path),
        })));
      return async (command, options = {}) => {
        const settled = await settle();
        const run = (planNetwork: PlanNetwork | undefined) =>
          sandbox.commands.run({
            command,
            worktree,
            ...settled,
            ...(options.env ? { env: { ...settled.env, ...options.env } } : {}),
            network: network.kind === 'host',
            limits,
            readOnly: runOptions.readOnly === true,
            timeoutMs: options.timeoutMs,
            signal: options.signal,
            tailBytes: options.tailBytes,
            // the whole output, for the plan's command log (troupe plan logs)
            outputBytes: COMMAND_LOG_BYTES,
            ...(processes ? { processes: options.lasting ? lastingIn(processes) : processes } : {}),
            planNetwork,
            onDenied: options.onDenied,
            onOutput: options.onOutput,
          });
        // an allow-list: the plan's network is open (and checked) before the command runs, its proxy the one way out
        if (network.kind === 'allow')
          return networks.use(planId, { allow: network.allow }, (planNetwork) => run(planNetwork ?? undefined));
        // a plan running services: its commands share their network (a plan with network: true keeps the host's)
        return run(network.kind === 'host' ? undefined : await networks.of(planId));
      };
    },
    async sandboxPolicy(planId) {
      const { network, allow, from } = networkSource(sandbox.config.network, (await readSpec(planId)).network);
      return {
        mode: sandbox.config.sandbox.mode,
        network,
        allow,
        networkFrom: from,
        share: sandbox.config.sandbox.share,
      };
    },
    overlapDefault: sandbox.config.overlap,
    newId: () => newId(),
    now: () => new Date().toISOString(),
    cleanSandboxes: new Map(),
    stepResults: new Map(),
    processes: ledgerOf,
    networks,
  };
}

// the plan's ledger, recording lasting processes (a service): a step's reap leaves them to their owner
function lastingIn(ledger: ProcessLedger): Pick<ProcessLedger, 'prepare' | 'started' | 'joined' | 'release'> {
  return {
    prepare: () => ledger.prepare({ lasting: true }),
    started: (record, pid) => ledger.started(record, pid),
    joined: (record, pid) => ledger.joined(record, pid),
    release: (record) => ledger.release(record),
  };
}
