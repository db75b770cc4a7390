import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { userInfo } from 'node:os';
import { TroupeError } from '../domain/index.js';
import { probeOutput } from './probe-output.js';

/**
 * Who a contained command is on the host (DESIGN §13, docs/explanation/sandbox.md#who-a-command-is).
 *
 * - `own`: troupe runs as an ordinary user, and its commands run as that
 *   user, as they always did.
 * - `dedicated`: troupe runs as root; its commands run as the system user
 *   {@link SANDBOX_USER}, which owns nothing on the machine but the files
 *   commands write in plans' worktrees. The host's uid 0 owns `/proc/sys`,
 *   every setuid binary and most of the machine: a command that were uid 0
 *   on the host could change the kernel's settings whatever its
 *   capabilities.
 * - `nobody`: troupe runs as root and the dedicated user could not be had
 *   (no `useradd`, a read-only `/etc`): commands run as `nobody`, which is
 *   not root either but is shared with other daemons; `note` says why.
 *
 * @example
 * const identity = await commandIdentity();
 * if (identity.kind !== 'own') console.log(`commands run as ${identity.name} (uid ${identity.uid})`);
 */
export interface CommandIdentity {
  kind: 'own' | 'dedicated' | 'nobody';
  uid: number;
  gid: number;
  name: string;
  /** Why the identity is not the one troupe prefers (the `nobody` fallback). */
  note?: string;
}

/** The system user troupe runs commands as when it runs as root. */
export const SANDBOX_USER = 'troupe-sandbox';

/** What {@link resolveCommandIdentity} reads and runs; tests give their own. */
export interface IdentitySources {
  /** This process's uid (default: `process.getuid()`). */
  uid?: number;
  /** The password database's text (default: `/etc/passwd`). */
  passwd?: () => Promise<string>;
  /** The group database's text (default: `/etc/group`). */
  group?: () => Promise<string>;
  /** Create {@link SANDBOX_USER} (default: `useradd --system`); rejects when it cannot. */
  createUser?: () => Promise<void>;
  /** How long to wait before trying again when it could not (default 250 ms). */
  retryMs?: number;
}

const USERADD = ['/usr/sbin/useradd', '/sbin/useradd', '/usr/bin/useradd'];
// tries to make the user before falling back to nobody
const CREATE_ATTEMPTS = 8;

/**
 * Find who commands run as here (see {@link CommandIdentity}). As root,
 * {@link SANDBOX_USER} is used when the password database has it (an
 * administrator may make it with the uid of their choice); otherwise troupe
 * creates it once as a system user (`useradd --system --user-group`, no
 * home, no shell) and, when that fails, falls back to `nobody`. Rejects
 * with `SANDBOX_UNAVAILABLE` when the user it finds is uid or gid 0, or no
 * unprivileged identity exists at all: commands never run as the host's root.
 *
 * @example
 * await resolveCommandIdentity(); // { kind: 'dedicated', uid: 998, gid: 998, name: 'troupe-sandbox' } as root
 */
export async function resolveCommandIdentity(sources: IdentitySources = {}): Promise<CommandIdentity> {
  const uid = sources.uid ?? process.getuid?.() ?? -1;
  if (uid !== 0) return ownIdentity(uid);
  const passwd = sources.passwd ?? (() => readFile('/etc/passwd', 'utf8'));
  const group = sources.group ?? (() => readFile('/etc/group', 'utf8'));
  let found = findUser(await passwd().catch(() => ''), SANDBOX_USER);
  let note: string | undefined;
  // troupes starting together all try: one makes it, the others find /etc/passwd locked or the
  // user there, and look again a moment later
  for (let attempt = 0; found === null && attempt < CREATE_ATTEMPTS; attempt += 1) {
    try {
      await (sources.createUser ?? createSandboxUser)();
      note = undefined;
    } catch (error) {
      note = `the user ${SANDBOX_USER} could not be created (${messageOf(error)})`;
      if (attempt + 1 < CREATE_ATTEMPTS) await sleep(sources.retryMs ?? 250);
    }
    found = findUser(await passwd().catch(() => ''), SANDBOX_USER);
  }
  if (found !== null) {
    if (found.uid === 0 || found.gid === 0) throw rootUser(found.uid === 0 ? 'uid' : 'gid');
    return { kind: 'dedicated', uid: found.uid, gid: found.gid, name: SANDBOX_USER };
  }
  const nobody = findUser(await passwd().catch(() => ''), 'nobody');
  const nogroup =
    findGroup(await group().catch(() => ''), 'nogroup') ?? findGroup(await group().catch(() => ''), 'nobody');
  const fallback = { uid: nobody?.uid ?? 65534, gid: nogroup ?? nobody?.gid ?? 65534 };
  if (fallback.uid === 0 || fallback.gid === 0) throw rootUser('uid');
  return {
    kind: 'nobody',
    ...fallback,
    name: 'nobody',
    note: note ?? `the user ${SANDBOX_USER} is not in the password database`,
  };
}

let resolved: Promise<CommandIdentity> | null = null;

/**
 * {@link resolveCommandIdentity} once per process: every sandbox of it runs
 * its commands as the same identity. A failure is not kept.
 *
 * @example
 * const { uid, gid } = await commandIdentity();
 */
export function commandIdentity(): Promise<CommandIdentity> {
  resolved ??= resolveCommandIdentity();
  resolved.catch(() => (resolved = null));
  return resolved;
}

/**
 * How an identity reads in `troupe doctor` and the docs.
 *
 * @example
 * describeIdentity({ kind: 'dedicated', uid: 998, gid: 998, name: 'troupe-sandbox' });
 * // 'troupe-sandbox (uid 998, gid 998): troupe runs as root, its commands never do'
 */
export function describeIdentity(identity: CommandIdentity): string {
  const who = `${identity.name} (uid ${identity.uid}, gid ${identity.gid})`;
  if (identity.kind === 'own') return `${who}, the user troupe runs as`;
  if (identity.kind === 'dedicated') return `${who}: troupe runs as root, its commands never do`;
  return `${who}: troupe runs as root, its commands never do; ${identity.note ?? ''}`.replace(/; $/, '');
}

function ownIdentity(uid: number): CommandIdentity {
  const gid = process.getgid?.() ?? uid;
  let name = String(uid);
  try {
    name = userInfo().username;
  } catch {
    // a uid the password database does not know (a container's): its number names it
  }
  return { kind: 'own', uid, gid, name };
}

async function createSandboxUser(): Promise<void> {
  const useradd = USERADD.find((path) => existsSync(path));
  if (useradd === undefined) throw new Error('useradd is not installed');
  await probeOutput(
    useradd,
    [
      '--system',
      '--user-group',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      '--comment',
      'troupe contained commands',
      SANDBOX_USER,
    ],
    {
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
      timeoutMs: 30_000,
    },
  );
}

// name:password:uid:gid:gecos:home:shell
function findUser(text: string, name: string): { uid: number; gid: number } | null {
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] !== name || fields.length < 7) continue;
    const uid = Number(fields[2]);
    const gid = Number(fields[3]);
    if (Number.isInteger(uid) && Number.isInteger(gid) && fields[2] !== '' && fields[3] !== '') return { uid, gid };
  }
  return null;
}

// name:password:gid:members
function findGroup(text: string, name: string): number | null {
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] !== name || fields.length < 3 || fields[2] === '') continue;
    const gid = Number(fields[2]);
    if (Number.isInteger(gid)) return gid;
  }
  return null;
}

function rootUser(which: 'uid' | 'gid'): TroupeError {
  const why = `the user ${SANDBOX_USER} has ${which} 0, and commands never run as the host's root`;
  return new TroupeError('SANDBOX_UNAVAILABLE', `commands cannot be contained: ${why}`, {
    hint: `give ${SANDBOX_USER} a uid and gid of its own (usermod, groupmod), or delete it and troupe makes one — see docs/explanation/sandbox.md#who-a-command-is`,
    details: { reason: why },
  });
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.trim();
}
