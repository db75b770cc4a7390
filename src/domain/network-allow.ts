import { z } from 'zod';
import type { FieldIssue } from './errors.js';

// The network allow-list of a plan or a project (docs/explanation/sandbox.md#network-by-name):
// which hosts a plan's commands may reach through troupe's proxy. Pure: the
// proxy (src/sandbox/allow-list-proxy.ts) asks `allowedBy` for every request.

/**
 * One entry of `network.allow`, parsed: `registry.npmjs.org`,
 * `*.github.com`, `api.example.com:8443`, `10.1.2.3:4873`, `localhost:5432`.
 *
 * @example
 * const entry: AllowEntry = parseAllowEntry('*.github.com'); // { text: '*.github.com', host: 'github.com', wildcard: true, port: null, loopback: false }
 */
export interface AllowEntry {
  /** The entry as written (lower-cased). */
  text: string;
  /** The host name or IPv4 address, lower-case, without the `*.` of a wildcard. */
  host: string;
  /** `*.host`: every name under `host` (not `host` itself). */
  wildcard: boolean;
  /** The one port it allows; null: the web's, 80 and 443. */
  port: number | null;
  /** `localhost` or an address in 127.0.0.0/8: a service on troupe's host, reached on its loopback. */
  loopback: boolean;
}

/**
 * Connections a command asked troupe's network proxy for, counted by host
 * name (as the command asked for it): `allowed` were let through, `denied`
 * refused (not on the allow-list, or a name that leads to this machine).
 *
 * @example
 * const usage: NetworkUsage = { allowed: { 'registry.npmjs.org': 12 }, denied: { 'evil.example': 1 } };
 */
export interface NetworkUsage {
  allowed: Record<string, number>;
  denied: Record<string, number>;
}

/**
 * Why troupe's proxy refused a connection: `not-listed` (the host is not on
 * the allow-list); a listed name that resolves to this machine — `loopback`
 * (127.0.0.0/8, ::1, 0.0.0.0), `this-machine` (an address of its
 * interfaces), `link-local` (169.254.0.0/16, fe80::/10) or `metadata` (a
 * cloud metadata service, 169.254.169.254 and the like) — which only an
 * entry naming the address reaches; or `connections` (a cap on the
 * connections a command or a plan may hold was full).
 */
export type NetworkRefusalReason =
  'not-listed' | 'loopback' | 'this-machine' | 'link-local' | 'metadata' | 'connections';

/**
 * One connection troupe's proxy refused: the host and port asked for (for
 * `connections`, the proxy's own, `127.0.0.1:PORT`, which the command
 * connected to), why, and for `connections` the cap that was full — the
 * command's, the plan's, or troupe's for all its plans — and its number.
 *
 * @example
 * const refusal: NetworkRefusal = { host: 'evil.example', port: 443, reason: 'not-listed' };
 * const flood: NetworkRefusal = { host: '127.0.0.1', port: 41827, reason: 'connections', cap: { per: 'plan', limit: 1024 } };
 */
export interface NetworkRefusal {
  host: string;
  port: number;
  reason: NetworkRefusalReason;
  cap?: { per: 'command' | 'plan' | 'troupe'; limit: number };
}

/** The ports an entry without one allows: plain HTTP and TLS. */
export const DEFAULT_ALLOW_PORTS: readonly number[] = [80, 443];

// at most this many entries in one list, and this long each
const MAX_ENTRIES = 1000;
const MAX_ENTRY_LENGTH = 260;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Why `text` is not an allow-list entry, or null. An entry is a host name
 * (letters, digits, `-`, dots), an IPv4 address, or `localhost`, with an
 * optional `:PORT` (1–65535); a leading `*.` makes a wildcard over a domain
 * of two labels or more. A service on the host (`localhost`, `127.x.x.x`)
 * must name its port.
 *
 * @example
 * allowEntryProblem('*.github.com'); // null
 * allowEntryProblem('api.*.com'); // 'a wildcard may only come first, as *.example.com'
 */
export function allowEntryProblem(text: string): string | null {
  if (typeof text !== 'string') return 'must be a host name such as registry.npmjs.org';
  if (text.length === 0) return 'must not be empty: name a host such as registry.npmjs.org';
  if (text.length > MAX_ENTRY_LENGTH) return `must be at most ${MAX_ENTRY_LENGTH} characters`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text))
    return `"${text}" is a URL: name the host only, without the scheme (${hostOfUrl(text) ?? 'registry.npmjs.org'})`;
  if (text.startsWith('[') || (text.match(/:/g) ?? []).length > 1)
    return `"${text}" is an IPv6 address: name the host instead, or 127.0.0.1:PORT for a service on this machine`;
  if (/[/?#@\s]/.test(text))
    return `"${text}" is not a host name: a host only, with an optional :PORT, no path, user or spaces`;
  const [hostPart = '', portPart] = text.split(':');
  if (portPart !== undefined) {
    if (!/^\d{1,5}$/.test(portPart) || Number(portPart) < 1 || Number(portPart) > 65_535)
      return `"${text}": the port must be a number from 1 to 65535`;
  }
  const lower = hostPart.toLowerCase();
  const wildcard = lower.startsWith('*.');
  const host = wildcard ? lower.slice(2) : lower;
  if (host.includes('*') || lower === '*') return `"${text}": a wildcard may only come first, as *.example.com`;
  if (host.length === 0) return `"${text}" names no host`;
  const ip = ipv4(host);
  if (ip === 'bad') return `"${text}" is not an IPv4 address (each part 0 to 255)`;
  if (ip !== null) {
    if (wildcard) return `"${text}": a wildcard goes before a domain name, not an address`;
    if (ip[0] === 0) return `"${text}" is no host to connect to`;
  } else {
    const labels = host.replace(/\.$/, '').split('.');
    if (labels.some((label) => !LABEL.test(label)) || host.length > 253)
      return `"${text}" is not a host name: labels of letters, digits and -, separated by dots`;
    if (/^\d+$/.test(labels.at(-1)!))
      return `"${text}" is not a host name (its last label is a number) nor an IPv4 address`;
    if (wildcard && labels.length < 2)
      return `"${text}": a wildcard needs a domain of two labels or more (*.example.com), not a whole top-level domain`;
  }
  if (isLoopbackHost(host) && portPart === undefined)
    return `"${text}" is this machine: name the port of the service it runs (${host}:5432)`;
  return null;
}

/**
 * An entry {@link allowEntryProblem} accepts, parsed. Throws on one it refuses.
 *
 * @example
 * parseAllowEntry('api.example.com:8443').port; // 8443
 */
export function parseAllowEntry(text: string): AllowEntry {
  const problem = allowEntryProblem(text);
  if (problem) throw new Error(problem);
  const lower = text.toLowerCase();
  const [hostPart = '', portPart] = lower.split(':');
  const wildcard = hostPart.startsWith('*.');
  const host = (wildcard ? hostPart.slice(2) : hostPart).replace(/\.$/, '');
  return {
    text: lower,
    host,
    wildcard,
    port: portPart === undefined ? null : Number(portPart),
    loopback: isLoopbackHost(host),
  };
}

/** `localhost` or an IPv4 address in 127.0.0.0/8 (a name or address of this machine's loopback). */
export function isLoopbackHost(host: string): boolean {
  const ip = ipv4(host);
  return host === 'localhost' || (Array.isArray(ip) && ip[0] === 127);
}

/**
 * The entry of `entries` that lets a connection to `host`:`port` through,
 * or null. `host` is compared without case and without a trailing dot; an
 * entry without a port allows 80 and 443.
 *
 * @example
 * allowedBy([parseAllowEntry('*.github.com')], 'api.github.com', 443)?.text; // '*.github.com'
 * allowedBy([parseAllowEntry('*.github.com')], 'github.com', 443); // null: a wildcard is for the names under it
 */
export function allowedBy(entries: readonly AllowEntry[], host: string, port: number): AllowEntry | null {
  const name = normalHost(host);
  for (const entry of entries) {
    if (!portAllowed(entry, port)) continue;
    if (entry.wildcard ? name.endsWith(`.${entry.host}`) : name === entry.host) return entry;
  }
  return null;
}

/** `host` as entries are compared with: lower-case, without a trailing dot. */
export function normalHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

function portAllowed(entry: AllowEntry, port: number): boolean {
  return entry.port === null ? DEFAULT_ALLOW_PORTS.includes(port) : entry.port === port;
}

/**
 * Whether every connection `entry` allows, the entries of `list` allow too:
 * `api.github.com` and `*.api.github.com` are within `*.github.com`;
 * `host:443` within `host`; `host` (80 and 443) within `host:80` and
 * `host:443` together.
 *
 * @example
 * within(parseAllowEntry('api.github.com'), [parseAllowEntry('*.github.com')]); // true
 * within(parseAllowEntry('github.com'), [parseAllowEntry('*.github.com')]); // false
 */
export function within(entry: AllowEntry, list: readonly AllowEntry[]): boolean {
  const ports = entry.port === null ? DEFAULT_ALLOW_PORTS : [entry.port];
  const covering = list.filter((other) =>
    other.wildcard
      ? entry.host.endsWith(`.${other.host}`) || (entry.wildcard && entry.host === other.host)
      : !entry.wildcard && entry.host === other.host,
  );
  return ports.every((port) => covering.some((other) => portAllowed(other, port)));
}

/**
 * `network` of a plan file or of `.troupe/config.json`: `false` (no
 * network, the default), `true` (the host's network), or `{ allow: [...] }`
 * (only the hosts listed, through troupe's proxy).
 *
 * @example
 * const setting: NetworkSetting = { allow: ['registry.npmjs.org', '*.github.com'] };
 */
export type NetworkSetting = boolean | { allow: string[] };

const allowEntrySchema = z
  .string({ error: 'must be a host name such as registry.npmjs.org' })
  .superRefine((value, ctx) => {
    const problem = allowEntryProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/**
 * The schema of `network` (plan file and project config): a boolean, or
 * `{ allow: [entries] }` with one entry or more, each checked by
 * {@link allowEntryProblem}; entries are kept lower-cased.
 *
 * @example
 * networkSettingSchema.parse({ allow: ['Registry.npmjs.org'] }); // { allow: ['registry.npmjs.org'] }
 */
export const networkSettingSchema = z.union(
  [
    // first: a mapping missing `allow` is told so, and anything else gets the whole choice
    z.strictObject(
      {
        allow: z
          .array(allowEntrySchema, { error: 'must be a list of host names, as ["registry.npmjs.org", "*.github.com"]' })
          .min(1, { error: 'must name at least one host (network: false is no network at all)' })
          .max(MAX_ENTRIES, { error: `must list at most ${MAX_ENTRIES} hosts` })
          .transform((entries) => entries.map((entry) => entry.toLowerCase())),
      },
      { error: 'must be true, false, or { allow: [host names] }' },
    ),
    z.boolean(),
  ],
  { error: 'must be true, false, or { allow: [host names] }' },
);

/**
 * What a plan's commands may reach, once the plan's `network` and the
 * project's are put together: `none` (a network namespace of their own,
 * only loopback), `host` (the host's network), or `allow` (only the entries
 * listed, through troupe's proxy).
 */
export type EffectiveNetwork = { kind: 'none' } | { kind: 'host' } | { kind: 'allow'; allow: string[] };

/**
 * A plan's network given the project's and its own. `true` in either keeps
 * its meaning (the host's network) unless the project has a list: then the
 * project's list is the most any plan gets — a plan's own list narrows it
 * (entries not within the project's are dropped: a project that narrows its
 * list later narrows plans already made), and a plan's `true` gets the
 * project's list.
 *
 * @example
 * effectiveNetwork({ allow: ['*.github.com'] }, { allow: ['api.github.com', 'evil.example'] }); // { kind: 'allow', allow: ['api.github.com'] }
 * effectiveNetwork(false, true); // { kind: 'host' }
 */
export function effectiveNetwork(project: NetworkSetting, plan: NetworkSetting): EffectiveNetwork {
  if (typeof project === 'object') {
    if (typeof plan !== 'object') return { kind: 'allow', allow: [...project.allow] };
    const projectEntries = project.allow.map(parseAllowEntry);
    return { kind: 'allow', allow: plan.allow.filter((text) => within(parseAllowEntry(text), projectEntries)) };
  }
  if (typeof plan === 'object') return { kind: 'allow', allow: [...plan.allow] };
  return project || plan ? { kind: 'host' } : { kind: 'none' };
}

/**
 * A plan's network as its `sandbox_policy` decision tells it: the host's
 * (`network`), an allow-list (`allow`), or neither — and where that came
 * from: the plan file (its own list, or its `true` without a project list)
 * or the project's config.
 *
 * @example
 * networkSource({ allow: ['*.github.com'] }, false); // { network: false, allow: ['*.github.com'], from: 'project' }
 */
export function networkSource(
  project: NetworkSetting,
  plan: NetworkSetting,
): { network: boolean; allow: string[] | null; from: 'plan' | 'project' | null } {
  const effective = effectiveNetwork(project, plan);
  if (effective.kind === 'none') return { network: false, allow: null, from: null };
  const fromPlan = effective.kind === 'allow' ? typeof plan === 'object' : plan === true;
  return {
    network: effective.kind === 'host',
    allow: effective.kind === 'allow' ? effective.allow : null,
    from: fromPlan ? 'plan' : 'project',
  };
}

/**
 * What in a plan's `network` reaches past the project's list (a plan may
 * narrow it, never widen it): each entry not within it, and `true`.
 * Empty when the project has no list.
 *
 * @example
 * widerNetwork({ allow: ['evil.example'] }, { allow: ['*.github.com'] });
 * // [{ path: 'network.allow[0]', message: '"evil.example" is not within the project's list …' }]
 */
export function widerNetwork(plan: NetworkSetting, project: NetworkSetting): FieldIssue[] {
  if (typeof project !== 'object') return [];
  const listed = `the project's list (${project.allow.join(', ')})`;
  if (plan === true)
    return [
      {
        path: 'network',
        message: `true would widen ${listed} to the whole network: a plan may only narrow it — leave it out to get the project's list, or name hosts in network.allow`,
      },
    ];
  if (typeof plan !== 'object') return [];
  const entries = project.allow.map(parseAllowEntry);
  return plan.allow.flatMap((text, index) =>
    within(parseAllowEntry(text), entries)
      ? []
      : [{ path: `network.allow[${index}]`, message: `"${text}" is not within ${listed}: a plan may only narrow it` }],
  );
}

function ipv4(host: string): [number, number, number, number] | 'bad' | null {
  const match = IPV4.exec(host);
  if (!match) return null;
  const parts = match.slice(1).map(Number) as [number, number, number, number];
  return parts.every((part) => part <= 255) ? parts : 'bad';
}

function hostOfUrl(text: string): string | null {
  try {
    return new URL(text).host || null;
  } catch {
    return null;
  }
}
