import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import type { NetworkRefusal } from '../domain/index.js';

/**
 * How many connections one plan's network gate may hold
 * (docs/explanation/sandbox.md#network-by-name). Every one of them is a descriptor of
 * troupe's own process — the proxy's listening socket lives in the plan's
 * namespace but troupe accepts on it — so a command that opens connections
 * without end would otherwise take the descriptors troupe and its other
 * plans need.
 *
 * @example
 * const caps: ConnectionCaps = { perCommand: 256, perPlan: 1024 };
 */
export interface ConnectionCaps {
  /** Connections to the proxy one command holds open at once (counted once a request names its command). */
  perCommand: number;
  /** Every socket the plan's gate holds: connections to the proxy and its relays, and their sockets to hosts. */
  perPlan: number;
}

/**
 * The caps when nothing else is said. A real `npm install` (512 packages,
 * an empty cache) held at most 15 connections to the proxy — npm's
 * `maxsockets` — and 30 sockets with its tunnels' to the registry: 256 per
 * command is seventeen times that, and 1024 per plan holds two commands at
 * their cap with a tunnel each (two sockets per connection), or dozens of
 * real ones. They are not settings: a command past them is misbehaving,
 * and what all plans together may hold grows with troupe's open-file
 * limit ({@link DescriptorBudget}).
 */
export const DEFAULT_CONNECTION_CAPS: ConnectionCaps = { perCommand: 256, perPlan: 1024 };

/**
 * A cap that was full when a connection came: the command's, the plan's,
 * or troupe's for all its plans together ({@link DescriptorBudget}), and
 * its number — as a `connections` refusal reports it.
 *
 * @example
 * const cap: ConnectionCap = { per: 'plan', limit: 1024 };
 */
export type ConnectionCap = NonNullable<NetworkRefusal['cap']>;

/**
 * The descriptors troupe gives the network gates of all its plans
 * together: half of its open-file limit (Node raises the soft limit to the
 * hard one when it starts, and has no call to raise the hard one), so that
 * however many plans flood their gates, troupe keeps the other half for its
 * store, its git and its commands' pipes.
 *
 * @example
 * const budget = DescriptorBudget.forThisProcess(); // limit 10000 under `ulimit -n 20000`
 */
export class DescriptorBudget {
  /** How many sockets the gates may hold together. */
  readonly limit: number;
  /** How many they hold now. */
  held = 0;
  static #process: DescriptorBudget | undefined;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** The budget every gate of this process shares, read once from `/proc/self/limits`. */
  static forThisProcess(): DescriptorBudget {
    if (!DescriptorBudget.#process) {
      const files = openFileLimit();
      // only Linux runs a gate, and it has /proc: a limit not found is no reason to refuse
      DescriptorBudget.#process = new DescriptorBudget(
        files === null ? Number.MAX_SAFE_INTEGER : Math.floor(files / 2),
      );
    }
    return DescriptorBudget.#process;
  }
}

/**
 * The sockets one plan's gate holds, counted against its caps: each
 * against the plan (and troupe's {@link DescriptorBudget}) from the moment
 * it is held until it closes, and a connection to the proxy against its
 * command too once a request named the command.
 *
 * @example
 * const held = new ProxyConnections(DEFAULT_CONNECTION_CAPS);
 * const full = held.room();
 * if (full) refuse(socket, full); else held.hold(socket);
 * held.claim(socket, client); // null, or the command's cap
 */
export class ProxyConnections {
  readonly caps: ConnectionCaps;
  readonly #budget: DescriptorBudget;
  // each socket held, with the command it counts against (null: none yet, or none at all)
  readonly #held = new Map<Duplex, object | null>();
  readonly #owned = new Map<object, number>();

  constructor(caps: ConnectionCaps, budget: DescriptorBudget = DescriptorBudget.forThisProcess()) {
    this.caps = caps;
    this.#budget = budget;
  }

  /** How many sockets it holds. */
  get size(): number {
    return this.#held.size;
  }

  /** The cap `slots` more sockets would pass — the plan's or troupe's — or null when there is room. */
  room(slots = 1): ConnectionCap | null {
    if (this.#held.size + slots > this.caps.perPlan) return { per: 'plan', limit: this.caps.perPlan };
    if (this.#budget.held + slots > this.#budget.limit) return { per: 'troupe', limit: this.#budget.limit };
    return null;
  }

  /** Count `socket` against the plan until it closes (ask {@link room} first). */
  hold(socket: Duplex): void {
    if (this.#held.has(socket)) return;
    this.#held.set(socket, null);
    this.#budget.held += 1;
    socket.once('close', () => this.#release(socket));
  }

  /**
   * Count a held connection against the command `owner` (a connection's
   * requests may name another command later: it moves). The command's cap
   * when it already holds its most (the connection stays the plan's only),
   * else null.
   */
  claim(socket: Duplex, owner: object): ConnectionCap | null {
    const current = this.#held.get(socket);
    if (current === undefined || current === owner) return null;
    if ((this.#owned.get(owner) ?? 0) >= this.caps.perCommand) return { per: 'command', limit: this.caps.perCommand };
    if (current !== null) this.#disown(current);
    this.#held.set(socket, owner);
    this.#owned.set(owner, (this.#owned.get(owner) ?? 0) + 1);
    return null;
  }

  /** Close every socket it holds, and forget them. */
  closeAll(): void {
    for (const socket of [...this.#held.keys()]) {
      socket.destroy();
      // now, not at its `close`: the budget is troupe's, and another gate may need it at once
      this.#release(socket);
    }
  }

  #release(socket: Duplex): void {
    const owner = this.#held.get(socket);
    if (owner === undefined) return;
    this.#held.delete(socket);
    this.#budget.held -= 1;
    if (owner !== null) this.#disown(owner);
  }

  #disown(owner: object): void {
    const left = (this.#owned.get(owner) ?? 1) - 1;
    if (left > 0) this.#owned.set(owner, left);
    else this.#owned.delete(owner);
  }
}

/**
 * The body of the `429` a connection past `cap` is answered with: which
 * cap, its number, and what to do.
 *
 * @example
 * capRefusal({ per: 'command', limit: 256 }); // 'troupe refused the connection: this command already holds 256 …'
 */
export function capRefusal(cap: ConnectionCap): string {
  const see = 'see docs/explanation/sandbox.md#network-by-name';
  if (cap.per === 'command')
    return `troupe refused the connection: this command already holds ${cap.limit} connections to troupe's proxy, the most one command may. Reuse connections, or open fewer at once (npm: --maxsockets); the cap is troupe's own, not a setting — ${see}\n`;
  if (cap.per === 'plan')
    return `troupe refused the connection: this plan's commands already hold ${cap.limit} connections through troupe's proxy (a tunnel counts with its connection to the host), the most one plan may; the cap is troupe's own, not a setting — ${see}\n`;
  return `troupe refused the connection: troupe already holds ${cap.limit} connections for the commands of all its plans, half of its open-file limit; raise troupe's open-file limit (ulimit -n, or LimitNOFILE= for a service) to allow more — ${see}\n`;
}

// RLIMIT_NOFILE's soft limit (what this process may open), or null where /proc does not say
function openFileLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((text) => text.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    return soft !== undefined && /^\d+$/.test(soft) ? Number(soft) : null;
  } catch {
    return null;
  }
}
