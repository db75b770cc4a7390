import { forTerminal, type JournalEntry, type Phase } from '../../domain/index.js';
import type { ActorServices, CheckpointTaker, ChildPlans } from '../../../actors/index.js';
import type { CommandSandbox } from '../../sandbox/index.js';
import type { PlanMemory, PlanPersistence } from '../persistence/index.js';
import { journalRefusals } from './network-refusals.js';
import { journalUnconfined } from './unconfined-commands.js';

/** What the runtime adds to the ports it was given before the plan machine gets them. */
export interface PlanServiceParts {
  persistence: PlanPersistence;
  /** The command logs: every command's output is kept (SPEC §18). */
  logs: { wrap(runner: ActorServices['commandRunner']): ActorServices['commandRunner'] };
  /** How the plans' commands run (SPEC §15); an unconfined one is warned about and journaled. */
  commands: Pick<CommandSandbox, 'kind'> | undefined;
  /** Where the warning about unconfined commands goes (default: stderr). */
  warn: ((message: string) => void) | undefined;
  /** The phase a live plan is in, for the journal entry of its first unconfined command. */
  phaseOf(planId: string): Phase | undefined;
  children: ChildPlans;
  /** Takes the `system/create-checkpoint` tool's checkpoints, during a step. */
  checkpoints: CheckpointTaker;
  /** Where a plan's model text goes as it comes (null: nobody follows the plan live). */
  liveText?: ActorServices['liveText'];
  /** What the runtime keeps of live plans: decisions recorded are remembered (a model call counted in the record's `models`). */
  memory: Pick<PlanMemory, 'remember'>;
}

/**
 * The ports the plan machine's actors use: the given ones, with every
 * command's output kept (and an unconfined one warned about and journaled),
 * the child plans and checkpoints the runtime runs, and conflicts read once
 * the transition that started the actor is written. On a store that can go
 * away, every store access of these waits an outage out (within the bound).
 *
 * @example
 * const services = planServices(parts.services, { persistence, logs, commands, warn, phaseOf, children, checkpoints });
 * const machine = providePlanMachine(services, actors, checks);
 */
export function planServices(
  given: Omit<ActorServices, 'children' | 'checkpoints'>,
  parts: PlanServiceParts,
): ActorServices {
  const { persistence } = parts;
  // an actor that reads conflicts sees the resolution the transition that started it stored
  const settledFirst =
    <T>(read: (planId: string) => Promise<T>) =>
    async (planId: string): Promise<T> => {
      await persistence.settled(planId);
      return read(planId);
    };
  const record = (planId: string, entry: JournalEntry) => persistence.record(planId, { entries: [entry] });
  // a refused connection of a plan with a network allow-list is journaled as it happens
  const refusals = journalRefusals(given.commandRunner, { phaseOf: (planId) => parts.phaseOf(planId), record });
  const runner =
    parts.commands?.kind === 'unconfined'
      ? journalUnconfined(refusals, {
          // the warning quotes the plan's command: shown escaped, it cannot act on the terminal
          warn: parts.warn ?? ((message) => console.error(`warning: ${forTerminal(message, { multiline: true })}`)),
          phaseOf: (planId) => parts.phaseOf(planId),
          record,
        })
      : refusals;
  const kept = parts.logs.wrap(runner);
  // on a store that can go away (PostgreSQL), no command or tool call runs ahead of what is stored: it waits out an outage
  const gated = persistence.waitsOutOutages;
  const commandRunner: ActorServices['commandRunner'] = !gated
    ? kept
    : async (planId, worktree, options) => {
        // the runner's own store reads (the plan file, the registered projects at its first command) wait an outage out too
        const run = await kept(planId, worktree, { ...options, reads: (read) => persistence.through(read) });
        return async (command, runOptions) => {
          await persistence.written(planId);
          return run(command, runOptions);
        };
      };
  const tools: ActorServices['tools'] = !gated
    ? given.tools
    : {
        ...given.tools,
        writes: (name) => given.tools.writes(name),
        writesOnlyGuarded: (name) => given.tools.writesOnlyGuarded(name),
        check: (name, input, options) => given.tools.check(name, input, options),
        catalog: () => given.tools.catalog(),
        run: async (name, input, context) => {
          await persistence.written(context.planId);
          return given.tools.run(name, input, context);
        },
      };
  // the store reads a plan's actors make wait an outage out too, without waiting for the plan's last
  // transition to be written: what an actor reads of its own plan comes from this process's memory (its
  // record, a step, a decision), the rest was stored before the plan got there (a parent's decisions, the
  // plan file), and conflicts wait for the write (settledFirst) — as on LevelDB, whose writes nothing waits for
  const read =
    <A extends unknown[], T>(fn: (planId: string, ...rest: A) => Promise<T>) =>
    (planId: string, ...rest: A): Promise<T> =>
      persistence.through(() => fn(planId, ...rest));
  return {
    ...given,
    readPlan: read(given.readPlan),
    readSpec: read(given.readSpec),
    invariantsOf: read(given.invariantsOf),
    readStep: read(given.readStep),
    readDecisions: read(given.readDecisions),
    readDecision: read(given.readDecision),
    childNamed: read(given.childNamed),
    sandboxPolicy: read(given.sandboxPolicy),
    // every command's output is kept (SPEC §18); unconfined commands are warned about and journaled (SPEC §15)
    commandRunner,
    tools,
    children: gated ? childrenThroughOutages(parts.children, persistence) : parts.children,
    checkpoints: parts.checkpoints,
    settled: (planId) => persistence.settled(planId),
    record: (planId, recorded) => {
      if (recorded.decisions) parts.memory.remember(planId, recorded.decisions);
      persistence.record(planId, recorded);
    },
    ...(parts.liveText ? { liveText: parts.liveText } : {}),
    conflicts: read(settledFirst(given.conflicts)),
    openConflicts: read(settledFirst(given.openConflicts)),
  };
}

// every method of the child plans is safe to call twice (ChildPlans): one that met an outage of the store is called again
function childrenThroughOutages(children: ChildPlans, persistence: Pick<PlanPersistence, 'through'>): ChildPlans {
  return {
    start: (request) => persistence.through(() => children.start(request)),
    run: (request, signal) => persistence.through(() => children.run(request, signal)),
    cancel: (childIds, reason) => persistence.through(() => children.cancel(childIds, reason)),
    fetchHeads: (heads) => persistence.through(() => children.fetchHeads(heads)),
    merged: (childId, commit) => persistence.through(() => children.merged(childId, commit)),
    release: (childIds) => persistence.through(() => children.release(childIds)),
    applyProjectChildren: (rootId) => persistence.through(() => children.applyProjectChildren(rootId)),
    releaseApplied: (rootId) => persistence.through(() => children.releaseApplied(rootId)),
  };
}
