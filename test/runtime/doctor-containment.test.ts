import { describe, expect, it } from 'vitest';
import { containmentChecks } from '../../src/runtime/doctor-containment.js';
import { gitVersionCheck } from '../../src/runtime/doctor.js';
import type { ProcessStatus } from '../../src/sandbox/index.js';

const dedicated = { kind: 'dedicated' as const, uid: 999, gid: 995, name: 'troupe-sandbox' };
const status = (fields: Partial<ProcessStatus> = {}): ProcessStatus => ({
  uids: [999, 999, 999, 999],
  gids: [995, 995, 995, 995],
  capEff: '0000000000000000',
  capBnd: '0000000000000000',
  noNewPrivs: true,
  seccomp: 2,
  seccompFilters: 1,
  ...fields,
});

describe("doctor's identity and system-call checks", () => {
  it('hold when the probe ran as the identity, powerless, under the filter', () => {
    const [identity, calls] = containmentChecks({ ok: true, detail: 'ran', inside: status(), identity: dedicated });
    expect(identity).toMatchObject({
      name: 'identity',
      ok: true,
      detail: expect.stringContaining('troupe-sandbox (uid 999, gid 995)'),
    });
    expect(calls).toMatchObject({ name: 'system calls', ok: true });
  });

  it("fail when the kernel says the command was the host's root, kept a capability, could gain one, or had no filter", () => {
    for (const inside of [
      status({ uids: [0, 0, 0, 0] }),
      status({ capEff: '0000000000000400' }),
      status({ noNewPrivs: false }),
      status({ uids: [999, 0, 999, 999] }),
    ]) {
      expect(containmentChecks({ ok: true, detail: 'ran', inside, identity: dedicated })[0]).toMatchObject({
        ok: false,
        fix: expect.stringContaining('who-a-command-is'),
      });
    }
    expect(
      containmentChecks({ ok: true, detail: 'ran', inside: status({ seccomp: 0 }), identity: dedicated })[1],
    ).toMatchObject({ ok: false, detail: 'no seccomp filter on a contained command (Seccomp: 0)' });
  });

  it('are not checked when no contained command ran', () => {
    const checks = containmentChecks({ ok: false, detail: 'bubblewrap is missing', fix: 'install bubblewrap' });
    expect(checks).toEqual([
      { name: 'identity', ok: false, detail: 'not checked: no contained command ran', fix: 'install bubblewrap' },
      { name: 'system calls', ok: false, detail: 'not checked: no contained command ran', fix: 'install bubblewrap' },
    ]);
  });
});

describe("doctor's git line", () => {
  it('warns about a git too old to sync what troupe writes (core.fsync, 2.36), and holds for a newer one', () => {
    expect(gitVersionCheck('git version 2.35.8')).toMatchObject({
      name: 'git',
      ok: true,
      warning: true,
      fix: expect.stringContaining('git 2.36 or later'),
    });
    expect(gitVersionCheck('git version 1.9.0')).toMatchObject({ ok: true, warning: true });
    expect(gitVersionCheck('git version 2.39.5')).toEqual({ name: 'git', ok: true, detail: 'git version 2.39.5' });
    expect(gitVersionCheck('git version 3.0.0')).toEqual({ name: 'git', ok: true, detail: 'git version 3.0.0' });
  });
});
