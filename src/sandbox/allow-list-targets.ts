import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { allowedBy, normalHost, parseAllowEntry, type AllowEntry, type NetworkRefusal } from '../domain/index.js';
import { ThisMachine, type ThisMachineReason } from './this-machine.js';

/**
 * What {@link AllowListTargets} says of a `host:port` a command asked for:
 * the address to connect to (`host` is the name as entries compare it);
 * refused, with the answer's body and the refusal to report; or failed — a
 * listed name that does not resolve, or no host at all (`status` 400).
 *
 * @example
 * const verdict: TargetVerdict = { host: 'registry.npmjs.org', address: '104.16.1.34' };
 */
export type TargetVerdict =
  { host: string; address: string } | { refused: string; refusal: NetworkRefusal } | { failed: string; status?: 400 };

/** How {@link AllowListTargets} decides (the proxy's options of the same names). */
export interface AllowListTargetsOptions {
  /** The plan's `network.allow` entries (valid ones: the plan file was checked). */
  allow: readonly string[];
  /**
   * The addresses of a host name (default: the system's resolver,
   * `dns.lookup`). Tests give names of their own here.
   */
  resolve?: ((host: string) => Promise<string[]>) | undefined;
  /**
   * `refuse` (the default): a listed name that resolves to this machine's
   * loopback is refused unless its entry is `localhost:PORT` or
   * `127.0.0.1:PORT`. Tests whose `resolve` maps names to servers on
   * 127.0.0.1 say `allow` (this machine's other addresses stay refused).
   */
  loopbackNames?: 'refuse' | 'allow' | undefined;
  /** This machine's interface addresses (default: `os.networkInterfaces()`'s); tests give their own. */
  machineAddresses?: (() => readonly string[]) | undefined;
}

const HOST_TEXT = /^(?:[A-Za-z0-9_.-]+|[0-9A-Fa-f:.]+)$/;
// how much of the list a refusal names
const LISTED_IN_REFUSAL = 10;
const LEADS_TO: Record<ThisMachineReason, string> = {
  loopback: "this machine's own loopback",
  'this-machine': 'an address of this machine',
  'link-local': 'a link-local address (the network this machine sits on)',
  metadata: "a cloud metadata service's address (it hands out this machine's credentials)",
};

/**
 * The allow-list's word on each `host:port` a command asks troupe's proxy
 * for (docs/explanation/sandbox.md#network-by-name): on the list or not — without
 * resolving a name that is not, since a lookup would already carry data out
 * — and, for a listed name, an address of it that does not lead to this
 * machine ({@link ThisMachine}): its loopback, its interfaces, link-local,
 * a cloud metadata service. Those are reached only through an entry that
 * names the address (`localhost:PORT`, `127.0.0.1:PORT`,
 * `169.254.169.254:80`).
 *
 * @example
 * const targets = new AllowListTargets({ allow: ['registry.npmjs.org'] });
 * await targets.check('evil.example', 443); // { refused: 'troupe refused evil.example:443: …', refusal: { …, reason: 'not-listed' } }
 */
export class AllowListTargets {
  /** The list, as written. */
  readonly allow: readonly string[];
  readonly #entries: AllowEntry[];
  readonly #resolve: (host: string) => Promise<string[]>;
  readonly #loopbackNames: 'refuse' | 'allow';
  readonly #machine: ThisMachine;

  constructor(options: AllowListTargetsOptions) {
    this.allow = [...options.allow];
    this.#entries = options.allow.map(parseAllowEntry);
    this.#resolve = options.resolve ?? systemResolve;
    this.#loopbackNames = options.loopbackNames ?? 'refuse';
    this.#machine = new ThisMachine(options.machineAddresses);
  }

  /** Whether `host:port` may be reached, and at which address. */
  async check(host: string, port: number): Promise<TargetVerdict> {
    // a host is a name or an address: anything else is no request (and no text to journal)
    if (!HOST_TEXT.test(host) || host.length > 253)
      return { failed: 'troupe: the proxy takes a host name or an address\n', status: 400 };
    if (!Number.isInteger(port) || port < 1 || port > 65_535)
      return { failed: 'troupe: the port must be from 1 to 65535\n', status: 400 };
    const name = normalHost(host);
    const entry = allowedBy(this.#entries, name, port);
    if (!entry) return { refused: this.#notListed(name, port), refusal: { host: name, port, reason: 'not-listed' } };
    // an address asked for is the entry that names it (entries match whole hosts): reached whatever it is;
    // this machine's loopback is 127.0.0.1 whatever a resolver says of `localhost` (the relays use it too)
    const named = isIP(name) ? name : entry.loopback ? '127.0.0.1' : null;
    if (named !== null) return { host: name, address: named };
    let addresses: string[];
    try {
      addresses = await this.#resolve(name);
    } catch (error) {
      // a name that does not resolve is no refusal: the answer says so, as a direct lookup would
      return { failed: `troupe: ${name} did not resolve: ${(error as Error).message}\n` };
    }
    // a listed name must not lead to this machine, nor next to it (a rebinding, a wildcard over a name pointed there)
    const reasons = addresses.map((address) => this.#machine.reason(address));
    const usable = addresses.filter(
      (_, index) => reasons[index] === null || (reasons[index] === 'loopback' && this.#loopbackNames === 'allow'),
    );
    if (usable.length > 0) return { host: name, address: usable[0]! };
    const reason = reasons.find((found) => found !== null) ?? 'loopback';
    return { refused: thisMachine(name, port, addresses, reason), refusal: { host: name, port, reason } };
  }

  #notListed(host: string, port: number): string {
    const shown =
      this.allow.slice(0, LISTED_IN_REFUSAL).join(', ') +
      (this.allow.length > LISTED_IN_REFUSAL ? `, … (${this.allow.length} in all)` : '');
    return `troupe refused ${host}:${port}: it is not on this plan's network allow-list (${shown || 'empty'}). If the plan needs it, add it to network.allow in the plan file or in .troupe/config.json — see docs/explanation/sandbox.md#network-by-name\n`;
  }
}

/**
 * The addresses of `host` as the system resolves them (`dns.lookup`, all
 * of them, in the resolver's order): the proxy's default.
 *
 * @example
 * await systemResolve('localhost'); // ['127.0.0.1', '::1'] on most machines
 */
export async function systemResolve(host: string): Promise<string[]> {
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((entry) => entry.address);
}

// the body of a refusal of a listed name that leads to this machine: where, and which entry would reach it
function thisMachine(host: string, port: number, addresses: readonly string[], reason: ThisMachineReason): string {
  const ipv4 = addresses.find((address) => isIP(address) === 4);
  const reaches =
    reason === 'loopback'
      ? 'only a localhost:PORT or 127.0.0.1:PORT entry reaches'
      : ipv4
        ? `only an entry naming the address reaches (${ipv4}:${port})`
        : 'no entry reaches (an entry names an IPv4 address only)';
  return `troupe refused ${host}:${port}: it resolves to ${addresses.join(', ')}, ${LEADS_TO[reason]}, which ${reaches}\n`;
}
