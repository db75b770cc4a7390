import { describe, expect, it } from 'vitest';
import type { SYSCALL_NUMBERS } from '../../src/sandbox/seccomp-syscalls.js';
import { syscallNumber, type SyscallAbi } from '../../src/sandbox/seccomp-syscalls.js';
import { ALLOW, EPERM, ENOSYS, abis, call } from './seccomp-filter-fixture.js';

// The seccomp filter of every contained command, run through a classic-BPF
// interpreter: the calls that would make a set-user-ID or set-group-ID file.

// where each call takes its mode, and open its flags: their SYSCALL_DEFINEs
// in fs/open.c and fs/namei.c, in the same order on every ABI
const MODE_AT = {
  chmod: 1,
  fchmod: 1,
  fchmodat: 2,
  fchmodat2: 2,
  creat: 1,
  mkdir: 1,
  mkdirat: 2,
  mknod: 1,
  mknodat: 2,
} as const;
const OPEN_AT = { open: { flags: 1, mode: 2 }, openat: { flags: 2, mode: 3 } } as const;
const MODE_CALLS: Record<SyscallAbi, string[]> = {
  x86_64: Object.keys(MODE_AT),
  i386: Object.keys(MODE_AT),
  aarch64: ['fchmod', 'fchmodat', 'fchmodat2', 'mkdirat', 'mknodat'],
};
// asm-generic/fcntl.h; O_TMPFILE is __O_TMPFILE | O_DIRECTORY, and arm64 has its own O_DIRECTORY (040000)
const O = { WRONLY: 0o1, RDWR: 0o2, CREAT: 0o100, TRUNC: 0o1000, CLOEXEC: 0o2000000 };
const O_TMPFILE: Record<SyscallAbi, number> = { x86_64: 0o20200000, i386: 0o20200000, aarch64: 0o20040000 };
// every other argument holds what would trip a filter that read the wrong one
const argsWith = (placed: Record<number, number>, others: number) =>
  Array.from({ length: 6 }, (_, i) => placed[i] ?? others);

describe.each(abis)('set-user-ID and set-group-ID: the %s program on the %s ABI', (arch, abi) => {
  const modeCalls = (Object.keys(MODE_AT) as (keyof typeof MODE_AT)[]).filter(
    (name) => syscallNumber(name, abi) !== null,
  );
  const run = (name: keyof typeof SYSCALL_NUMBERS, args: (number | bigint)[]) => call(arch, abi, name, args);
  const withMode = (name: keyof typeof MODE_AT, mode: number, others: number) => [
    name,
    mode,
    run(name, argsWith({ [MODE_AT[name]]: mode }, others)),
  ];
  const openCalls = (['open', 'openat'] as const).filter((name) => syscallNumber(name, abi) !== null);
  const opened = (name: keyof typeof OPEN_AT, flags: number, mode: number, others: number) => [
    name,
    flags,
    mode,
    run(name, argsWith({ [OPEN_AT[name].flags]: flags, [OPEN_AT[name].mode]: mode }, others)),
  ];

  it('has chmod, creat, open, mkdir and mknod where the ABI has them (arm64 has only the *at forms)', () => {
    for (const name of ['chmod', 'creat', 'open', 'mkdir', 'mknod'] as const)
      expect([name, syscallNumber(name, abi)]).toEqual([name, abi === 'aarch64' ? null : expect.any(Number)]);
    expect(modeCalls).toEqual(MODE_CALLS[abi]);
  });

  it('refuses each call that sets a mode with S_ISUID or S_ISGID in it', () => {
    for (const name of modeCalls)
      for (const mode of [0o4755, 0o2755, 0o6711, 0o4000, 0o2000, 0o104755])
        expect(withMode(name, mode, 0)).toEqual([name, mode, EPERM]);
  });

  it('allows the same calls with an ordinary mode, whatever their other arguments hold', () => {
    for (const name of modeCalls)
      for (const mode of [0o755, 0o644, 0o1777, 0o100644, 0])
        expect(withMode(name, mode, 0xffffffff)).toEqual([name, mode, ALLOW]);
  });

  it('refuses open and openat that create a file with a set-ID mode (O_CREAT, O_TMPFILE)', () => {
    const creating = [
      [O.CREAT | O.WRONLY, 0o4755],
      [O.CREAT | O.WRONLY | O.TRUNC | O.CLOEXEC, 0o2755],
      [O_TMPFILE[abi] | O.RDWR, 0o2000],
    ] as const;
    for (const name of openCalls)
      for (const [flags, mode] of creating) expect(opened(name, flags, mode, 0)).toEqual([name, flags, mode, EPERM]);
  });

  it('allows open and openat that create with an ordinary mode, or do not create, whatever the mode register holds', () => {
    const ordinary = [
      [O.CREAT | O.WRONLY, 0o644],
      [O_TMPFILE[abi] | O.RDWR, 0o600],
      [0, 0o4777],
      [O.RDWR | O.CLOEXEC, 0o6777],
    ] as const;
    for (const name of openCalls)
      for (const [flags, mode] of ordinary)
        expect(opened(name, flags, mode, 0xffffffff)).toEqual([name, flags, mode, ALLOW]);
  });

  it('answers openat2 ENOSYS, whose flags and mode the filter cannot read, so that callers fall back to openat', () => {
    expect(run('openat2', [0xffffff9c, 0, 0, 24])).toEqual(ENOSYS);
  });
});
