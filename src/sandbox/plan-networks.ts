import type { CommandSandbox } from './command-sandbox.js';
import type { PlanNetwork } from './plan-network.js';

/**
 * The plan networks of a runtime, one per plan at most
 * (docs/sandbox.md#services-and-the-plan-network): opened when a plan
 * starts its first service, closed when its last one stopped (or the plan
 * left execute, or the runtime closed). While a plan has one, every
 * contained command of the plan joins it; without one each command has a
 * network namespace of its own, as before. Commands of plans with
 * `network: true` never join one: they use the host's network.
 *
 * @example
 * const networks = new PlanNetworks(commandSandbox);
 * const network = await networks.open(planId); // null where commands are not contained
 * await commandSandbox.run({ ...request, planNetwork: networks.of(planId) });
 * await networks.close(planId);
 */
export class PlanNetworks {
  readonly #sandbox: Pick<CommandSandbox, 'startNetwork'>;
  readonly #open = new Map<string, Promise<PlanNetwork | null>>();

  constructor(sandbox: Pick<CommandSandbox, 'startNetwork'>) {
    this.#sandbox = sandbox;
  }

  /** The plan's network, started if it has none (null: this sandbox shares the host's). Rejects with `SANDBOX_UNAVAILABLE`. */
  async open(planId: string): Promise<PlanNetwork | null> {
    let opening = this.#open.get(planId);
    if (!opening) {
      opening = this.#sandbox.startNetwork ? this.#sandbox.startNetwork(planId) : Promise.resolve(null);
      this.#open.set(planId, opening);
      // a failed start is not kept: the next service tries again
      opening.catch(() => this.#open.delete(planId));
    }
    return opening;
  }

  /** The plan's running network, if it has one now. */
  async of(planId: string): Promise<PlanNetwork | undefined> {
    const network = await this.#open.get(planId)?.catch(() => null);
    return network?.alive ? network : undefined;
  }

  /** Stop the plan's network (its holder); safe when it has none. */
  async close(planId: string): Promise<void> {
    const opening = this.#open.get(planId);
    this.#open.delete(planId);
    await (await opening?.catch(() => null))?.stop();
  }

  /** Stop every plan's network (the runtime closes). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.#open.keys()].map((planId) => this.close(planId)));
  }
}
