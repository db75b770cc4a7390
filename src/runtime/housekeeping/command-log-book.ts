import type { CommandLog, Phase } from '../../domain/index.js';
import type { ActorServices, CommandLogSubject } from '../../../actors/index.js';
import type { CommandResult } from '../../sandbox/index.js';
import type { Store } from '../../store/index.js';
import type { LogDraft, PlanPersistence } from '../persistence/index.js';
import { RunningOutput } from './running-output.js';

/** What {@link CommandLogBook} needs from the runtime. */
export interface LogBookHost {
  store: Store;
  persistence: Pick<PlanPersistence, 'hold'>;
  /** The phase a live plan is in (a check's or an agent read's log is of it). */
  phaseOf(planId: string): Phase | undefined;
  now(): string;
  report(message: string, error: unknown): void;
  /** A plan as reports name it: `demo/x (01…)`. */
  named(planId: string): Promise<string>;
}

// the phase a kind of work always runs in; checks and agent reads run in the plan's current one
const PHASE_OF_KIND: Partial<Record<CommandLogSubject['kind'], Phase>> = {
  step: 'execute',
  validate: 'validate',
  strategize: 'strategize',
  service: 'execute',
};

/**
 * Keeps the stdout and stderr of every command a plan runs (SPEC §18):
 * {@link wrap} turns the actors' command runner into one that logs each
 * command when it ends. A log is held by the plan's persistence until the
 * transition that records its result, and written in that batch; a command
 * that ends after its plan did (a cancel stopped it) is written on its own.
 * When a rollback or a restart stops a plan's work, its commands' logs are
 * dropped ({@link forget}): that work is discarded.
 */
export class CommandLogBook {
  readonly #host: LogBookHost;
  // bumped when a plan's work is stopped under its commands: their logs are dropped
  readonly #generations = new Map<string, number>();
  // late writes of each plan, one after another (their seqs come from the store)
  readonly #late = new Map<string, Promise<void>>();
  // the end of what the commands running now wrote so far
  readonly #running = new RunningOutput();
  #closed = false;

  constructor(host: LogBookHost) {
    this.#host = host;
  }

  /**
   * A command runner that logs every command it runs, as `subject` (its
   * `log` option) says; a runner made before {@link forget} logs nothing.
   *
   * @example
   * services.commandRunner = book.wrap(services.commandRunner);
   */
  wrap(runner: ActorServices['commandRunner']): ActorServices['commandRunner'] {
    return async (planId, worktree, options) => {
      const run = await runner(planId, worktree, options);
      const generation = this.#generations.get(planId) ?? 0;
      return async (command, commandOptions = {}) => {
        const startedAt = this.#host.now();
        const running = this.#running;
        running.start(planId);
        const onOutput = (chunk: Buffer, stream: 'stdout' | 'stderr') => {
          running.write(planId, chunk);
          commandOptions.onOutput?.(chunk, stream);
        };
        // a command the sandbox could not start rejects: nothing ran, nothing to log
        const result = await run(command, { ...commandOptions, onOutput }).finally(() => running.end(planId));
        if ((this.#generations.get(planId) ?? 0) === generation && !this.#closed) {
          this.#add(
            planId,
            draftOf(planId, this.#phase(planId, commandOptions.log), commandOptions.log, command, startedAt, result),
          );
        }
        return result;
      };
    };
  }

  /** The last line of what the plan's commands running now wrote so far, or null (none runs, or none wrote). */
  lastLine(planId: string): string | null {
    return this.#running.lastLine(planId);
  }

  /** The plan's work was stopped under its commands (a rollback, a restart): logs of commands running now are dropped. */
  forget(planId: string): void {
    this.#generations.set(planId, (this.#generations.get(planId) ?? 0) + 1);
  }

  /** Write logs of a plan without a transition: they ended after the plan's last one. */
  late(planId: string, drafts: readonly LogDraft[]): void {
    if (drafts.length === 0 || this.#closed) return;
    const { store } = this.#host;
    const write = (this.#late.get(planId) ?? Promise.resolve())
      .then(async () => {
        const last = await store.lastLogSeq(planId);
        const ts = this.#host.now();
        await store.appendLogs(
          planId,
          drafts.map((draft, offset): CommandLog => ({ ...draft, seq: last + offset + 1, ts })),
        );
      })
      .catch(async (error: unknown) => {
        if (!this.#closed)
          this.#host.report(`could not keep the logs of plan ${await this.#host.named(planId)}`, error);
      });
    this.#late.set(planId, write);
  }

  /** Resolves once the plan's late logs are written. */
  async settled(planId: string): Promise<void> {
    await this.#late.get(planId);
  }

  /** Stop logging: the store is closing. */
  close(): void {
    this.#closed = true;
  }

  #add(planId: string, draft: LogDraft): void {
    if (!this.#host.persistence.hold(planId, draft)) this.late(planId, [draft]);
  }

  #phase(planId: string, subject: CommandLogSubject | undefined): Phase {
    return (subject && PHASE_OF_KIND[subject.kind]) ?? this.#host.phaseOf(planId) ?? 'execute';
  }
}

function draftOf(
  planId: string,
  phase: Phase,
  subject: CommandLogSubject | undefined,
  command: string,
  startedAt: string,
  result: CommandResult,
): LogDraft {
  // a result without captured output (the command never started) still says why, in its tails
  const output = result.output ?? { stdout: whole(result.stdoutTail), stderr: whole(result.stderrTail) };
  return {
    planId,
    phase,
    kind: subject?.kind ?? 'read',
    step: subject?.step ?? null,
    tool: subject?.tool ?? null,
    invariant: subject?.invariant ?? null,
    command,
    startedAt,
    durationMs: result.durationMs,
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    cancelled: result.cancelled,
    stdout: output.stdout,
    stderr: output.stderr,
    // what it asked the allow-list's proxy for, when it asked for anything
    ...(result.network && Object.keys(result.network.allowed).length + Object.keys(result.network.denied).length > 0
      ? { network: result.network }
      : {}),
  };
}

function whole(text: string) {
  const bytes = Buffer.byteLength(text);
  return { text, bytes, cut: 0 };
}
