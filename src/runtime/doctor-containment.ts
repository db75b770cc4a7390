import { describeIdentity, SECCOMP_RULES, type SandboxProbe } from '../sandbox/index.js';
import type { DoctorCheck } from './doctor-check.js';

const DOCS = 'see docs/explanation/sandbox.md#who-a-command-is';

/**
 * `troupe doctor`'s word on who a contained command is and what the kernel
 * lets it do, from what the probe's own process read of itself
 * (`/proc/self/status`): its identity — never the host's root — with no
 * capability and no way to gain one, and the system-call filter in force.
 * Both fail (✗) when the probe ran but the kernel says otherwise.
 *
 * @example
 * const [identity, filter] = containmentChecks(await sandbox.probe());
 * // identity: '✓ identity  troupe-sandbox (uid 999, gid 995): troupe runs as root, its commands never do'
 */
export function containmentChecks(probe: SandboxProbe): DoctorCheck[] {
  const inside = probe.inside;
  if (!probe.ok || inside === undefined || probe.identity === undefined) {
    const why = probe.ok ? 'the probe said nothing of its process' : 'not checked: no contained command ran';
    return [
      { name: 'identity', ok: false, detail: why, fix: probe.fix ?? DOCS },
      { name: 'system calls', ok: false, detail: why, fix: probe.fix ?? DOCS },
    ];
  }
  const identity = probe.identity;
  const uids = new Set(inside.uids);
  const asIdentity = uids.size === 1 && uids.has(identity.uid);
  const powerless = /^0+$/.test(inside.capEff) && inside.noNewPrivs;
  const identityCheck: DoctorCheck =
    asIdentity && !uids.has(0) && powerless
      ? {
          name: 'identity',
          ok: true,
          detail: `commands run as ${describeIdentity(identity)}; no capabilities, none to gain`,
        }
      : {
          name: 'identity',
          ok: false,
          detail: `a contained command ran as uid ${inside.uids.join('/')} (capabilities ${inside.capEff || 'unknown'}, no-new-privileges ${inside.noNewPrivs ? 'on' : 'off'}), not as ${identity.name} (uid ${identity.uid}) without capabilities`,
          fix: DOCS,
        };
  const calls = SECCOMP_RULES.reduce((sum, rule) => sum + rule.syscalls.length, 0);
  const filterCheck: DoctorCheck =
    inside.seccomp === 2
      ? {
          name: 'system calls',
          ok: true,
          detail: `a seccomp filter is in force on every command: ${calls} calls refused or narrowed (ptrace, keyctl, mount, unshare, io_uring, bpf…; docs/explanation/sandbox.md#system-calls)`,
        }
      : {
          name: 'system calls',
          ok: false,
          detail: `no seccomp filter on a contained command (Seccomp: ${inside.seccomp})`,
          fix: 'troupe needs a kernel with seccomp filters (CONFIG_SECCOMP_FILTER) — see docs/explanation/sandbox.md#system-calls',
        };
  return [identityCheck, filterCheck];
}
