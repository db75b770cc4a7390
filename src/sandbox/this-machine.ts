import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/**
 * Why an address leads to this machine rather than out to the network
 * (docs/explanation/sandbox.md#network-by-name): `loopback` (127.0.0.0/8, `::1`, and
 * the unspecified `0.0.0.0/8` and `::`, which reach the loopback's
 * listeners), `this-machine` (an address of one of its interfaces: a LAN
 * address, a bridge), `link-local` (169.254.0.0/16, fe80::/10: the link it
 * sits on) or `metadata` (a cloud's metadata service, which hands out the
 * machine's credentials).
 *
 * @example
 * const reason: ThisMachineReason = 'metadata'; // 169.254.169.254
 */
export type ThisMachineReason = 'loopback' | 'this-machine' | 'link-local' | 'metadata';

/**
 * The cloud metadata services' addresses: AWS (169.254.169.254, its IPv6
 * `fd00:ec2::254`, and EKS Pod Identity's `fd00:ec2::23`), GCP, Azure,
 * DigitalOcean, OpenStack… (169.254.169.254), Azure's WireServer
 * (168.63.129.16), Alibaba (100.100.100.200), Oracle's legacy address
 * (192.0.0.192). Those outside link-local are ordinary-looking addresses
 * that only the cloud answers, from inside the machine.
 */
export const METADATA_ADDRESSES: readonly string[] = [
  '169.254.169.254',
  'fd00:ec2::254',
  'fd00:ec2::23',
  '168.63.129.16',
  '100.100.100.200',
  '192.0.0.192',
];

// how long a reading of the interfaces' addresses holds: a bridge or a VPN may come up while a gate lives (hours)
const INTERFACES_FRESH_MS = 1_000;

// an IPv4 rule of a BlockList also matches that address mapped into IPv6 (::ffff:a.b.c.d): no rules of their own for those
const LOOPBACK = rules([
  ['127.0.0.0', 8],
  ['0.0.0.0', 8],
  ['::1', 128],
  ['::', 128],
]);
const METADATA = rules(METADATA_ADDRESSES.map((address) => [address, isIP(address) === 4 ? 32 : 128]));
const LINK_LOCAL = rules([
  ['169.254.0.0', 16],
  ['fe80::', 10],
]);

/**
 * Tells which addresses lead to this machine: fixed ranges, and the
 * addresses of its interfaces as `os.networkInterfaces()` gives them, read
 * when it is made and again when a check finds the reading older than a
 * second (an interface that comes up later is this machine too).
 *
 * @example
 * const machine = new ThisMachine();
 * machine.reason('169.254.169.254'); // 'metadata'
 * machine.reason('140.82.112.3'); // null
 */
export class ThisMachine {
  readonly #read: () => readonly string[];
  #own = new BlockList();
  #readAt = 0;

  /** `read`: this machine's interface addresses (default: `os.networkInterfaces()`); tests give their own. */
  constructor(read: () => readonly string[] = interfaceAddresses) {
    this.#read = read;
    this.#refresh();
  }

  /** Why `address` (IPv4 or IPv6 text) leads to this machine, or null when it leads out. */
  reason(address: string): ThisMachineReason | null {
    const family = isIP(address) === 4 ? 'ipv4' : isIP(address) === 6 ? 'ipv6' : null;
    if (family === null) return null;
    // loopback first: 127.0.0.1 is an interface address too (lo), and tests may let it through
    if (LOOPBACK.check(address, family)) return 'loopback';
    if (METADATA.check(address, family)) return 'metadata';
    if (LINK_LOCAL.check(address, family)) return 'link-local';
    if (Date.now() - this.#readAt > INTERFACES_FRESH_MS) this.#refresh();
    return this.#own.check(address, family) ? 'this-machine' : null;
  }

  #refresh(): void {
    const own = new BlockList();
    for (const address of this.#read()) {
      const family = isIP(address);
      if (family !== 0) own.addAddress(address, family === 4 ? 'ipv4' : 'ipv6');
    }
    this.#own = own;
    this.#readAt = Date.now();
  }
}

/**
 * The addresses of this machine's interfaces, every family (zone ids
 * dropped): what `os.networkInterfaces()` lists.
 *
 * @example
 * interfaceAddresses(); // ['127.0.0.1', '::1', '192.168.1.20', 'fe80::1c2a:…']
 */
export function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) =>
    (list ?? []).map((entry) => entry.address.replace(/%.*$/, '')),
  );
}

function rules(subnets: readonly (readonly [string, number])[]): BlockList {
  const list = new BlockList();
  for (const [address, prefix] of subnets) list.addSubnet(address, prefix, isIP(address) === 4 ? 'ipv4' : 'ipv6');
  return list;
}
