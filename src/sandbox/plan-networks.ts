import type { CommandRequest, CommandSandbox } from './command-sandbox.js';
import type { NetworkGateOptions } from './network-gate.js';
import type { PlanNetwork } from './plan-network.js';

/** How long a plan network with an allow-list stays open once nothing uses it (its next command then finds it ready). */
export const GATED_NETWORK_IDLE_MS = 30_000;

interface Held {
  opening: Promise<PlanNetwork | null>;
  /** What `opening` gave, once it did. */
  network?: PlanNetwork | null;
  /** With a gate: commands and services using it now; it closes once idle. */
  gated: boolean;
  users: number;
  idle: NodeJS.Timeout | null;
}

/**
 * The plan networks of a runtime, one per plan at most
 * (docs/explanation/sandbox.md#services-and-the-plan-network). A plan without a network
 * allow-list gets one with its first service and loses it with its last;
 * while it has one, every contained command of the plan joins it, and
 * without one each command has a network namespace of its own, as before.
 *
 * A plan with an allow-list (docs/explanation/sandbox.md#network-by-name) has one
 * whenever a command or a service of it runs — its only way out is the
 * proxy of its gate, checked when it opens — and keeps it for
 * `idleMs` after the last one ended, so a plan's steps do not each pay for
 * a new one. Commands of plans with `network: true` never join one: they
 * use the host's network.
 *
 * @example
 * const networks = new PlanNetworks(commandSandbox);
 * const network = await networks.open(planId); // null where commands are not contained
 * await commandSandbox.run({ ...request, planNetwork: networks.of(planId) });
 * await networks.use(planId, { allow: ['registry.npmjs.org'] }, (network) => commandSandbox.run({ ...request, planNetwork: network ?? undefined }));
 * await networks.close(planId);
 */
export class PlanNetworks {
  readonly #sandbox: Pick<CommandSandbox, 'startNetwork'>;
  readonly #idleMs: number;
  readonly #held = new Map<string, Held>();
  readonly #processes: (planId: string) => CommandRequest['processes'] | null;

  /**
   * `processes`: the plan's process ledger, where its holder is recorded
   * while it lives (none: not recorded).
   */
  constructor(
    sandbox: Pick<CommandSandbox, 'startNetwork'>,
    options: { idleMs?: number; processes?: (planId: string) => CommandRequest['processes'] | null } = {},
  ) {
    this.#sandbox = sandbox;
    this.#idleMs = options.idleMs ?? GATED_NETWORK_IDLE_MS;
    this.#processes = options.processes ?? (() => null);
  }

  /**
   * The plan's network, started if it has none (null: this sandbox shares
   * the host's); with `gate`, the plan's allow-list, its way out is that
   * list's proxy. Rejects with `SANDBOX_UNAVAILABLE`.
   */
  async open(planId: string, gate?: NetworkGateOptions): Promise<PlanNetwork | null> {
    let held = this.#held.get(planId);
    // a holder that died (killed from outside, reaped by another process): the plan gets a new one
    if (held?.network && !held.network.alive) {
      if (held.idle) clearTimeout(held.idle);
      this.#held.delete(planId);
      // what it had besides the holder (its gate's proxy) goes with it
      await held.network.stop();
      held = this.#held.get(planId);
    }
    if (!held) {
      const opening = this.#sandbox.startNetwork
        ? this.#sandbox.startNetwork(planId, gate, this.#processes(planId) ?? undefined)
        : Promise.resolve(null);
      held = { opening, gated: gate !== undefined, users: 0, idle: null };
      this.#held.set(planId, held);
      const made = held;
      opening.then(
        (network) => (made.network = network),
        () => {},
      );
      // a failed start is not kept: the next command or service tries again
      opening.catch(() => {
        if (this.#held.get(planId) === made) this.#held.delete(planId);
      });
    }
    return held.opening;
  }

  /**
   * Run `work` with the plan's network open (opened with `gate` if needed):
   * a plan with an allow-list keeps it while anything uses it, and closes
   * it `idleMs` after the last user. Rejects, without running `work`, when
   * the network cannot open.
   */
  async use<T>(
    planId: string,
    gate: NetworkGateOptions,
    work: (network: PlanNetwork | null) => Promise<T>,
  ): Promise<T> {
    const network = await this.open(planId, gate);
    const held = this.#held.get(planId);
    if (held) this.#enter(held);
    try {
      return await work(network);
    } finally {
      if (held) this.#leave(planId, held);
    }
  }

  /** The plan's running network, if it has one now. */
  async of(planId: string): Promise<PlanNetwork | undefined> {
    const network = await this.#held.get(planId)?.opening.catch(() => null);
    return network?.alive ? network : undefined;
  }

  /**
   * Stop the plan's network (its holder); safe when it has none. One with
   * an allow-list is only let go: it closes once nothing uses it for `idleMs`.
   */
  async close(planId: string): Promise<void> {
    const held = this.#held.get(planId);
    if (held?.gated) {
      if (held.users === 0) this.#idleAfter(planId, held);
      return;
    }
    await this.#stop(planId);
  }

  /** Stop every plan's network (the runtime closes). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.#held.keys()].map((planId) => this.#stop(planId)));
  }

  #enter(held: Held): void {
    held.users += 1;
    if (held.idle) clearTimeout(held.idle);
    held.idle = null;
  }

  #leave(planId: string, held: Held): void {
    held.users -= 1;
    if (held.users === 0 && held.gated) this.#idleAfter(planId, held);
  }

  #idleAfter(planId: string, held: Held): void {
    if (held.idle) clearTimeout(held.idle);
    held.idle = setTimeout(() => {
      if (this.#held.get(planId) === held && held.users === 0) void this.#stop(planId);
    }, this.#idleMs);
    // an idle network does not keep troupe running
    held.idle.unref();
  }

  async #stop(planId: string): Promise<void> {
    const held = this.#held.get(planId);
    this.#held.delete(planId);
    if (held?.idle) clearTimeout(held.idle);
    await (await held?.opening.catch(() => null))?.stop();
  }
}
