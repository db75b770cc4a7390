import { describe, expect, it } from 'vitest';
import { encodeSockFilter as encode } from '../../src/sandbox/seccomp-bpf.js';
import { SECCOMP_RULES, hostSeccompArch, seccompProgram } from '../../src/sandbox/seccomp-filter.js';
import { SYSCALL_NUMBERS, syscallNumber, type SyscallAbi } from '../../src/sandbox/seccomp-syscalls.js';
import { decode, programProblems, runSeccomp, verdictOf } from '../helpers/classic-bpf.js';
import { AUDIT_ARCH, ALLOW, EPERM, ENOSYS, abis, call } from './seccomp-filter-fixture.js';

// The seccomp filter of every contained command, run through a classic-BPF
// interpreter: what it refuses on each ABI, what ordinary work still gets.

// read again off syscall_64.tbl, syscall_32.tbl and asm-generic/unistd.h, so
// that a typo in seccomp-syscalls.ts fails here
const VERIFIED: Record<SyscallAbi, Record<string, number>> = {
  x86_64: {
    ptrace: 101,
    keyctl: 250,
    unshare: 272,
    clone3: 435,
    clone: 56,
    ioctl: 16,
    mount: 165,
    umount2: 166,
    setns: 308,
    personality: 135,
    bpf: 321,
    chmod: 90,
    fchmod: 91,
    fchmodat: 268,
    fchmodat2: 452,
    creat: 85,
    open: 2,
    openat: 257,
    openat2: 437,
    mkdir: 83,
    mkdirat: 258,
    mknod: 133,
    mknodat: 259,
  },
  i386: {
    ptrace: 26,
    keyctl: 288,
    unshare: 310,
    clone3: 435,
    clone: 120,
    ioctl: 54,
    mount: 21,
    umount: 22,
    umount2: 52,
    setns: 346,
    personality: 136,
    chmod: 15,
    fchmod: 94,
    fchmodat: 306,
    fchmodat2: 452,
    creat: 8,
    open: 5,
    openat: 295,
    openat2: 437,
    mkdir: 39,
    mkdirat: 296,
    mknod: 14,
    mknodat: 297,
  },
  aarch64: {
    ptrace: 117,
    keyctl: 219,
    unshare: 97,
    clone3: 435,
    clone: 220,
    ioctl: 29,
    mount: 40,
    umount2: 39,
    setns: 268,
    personality: 92,
    bpf: 280,
    fchmod: 52,
    fchmodat: 53,
    fchmodat2: 452,
    openat: 56,
    openat2: 437,
    mkdirat: 34,
    mknodat: 33,
  },
};

// calls ordinary work makes, [x86_64, i386, aarch64] (i386: setresuid32, setgroups32)
const ORDINARY: Record<string, readonly [number, number, number]> = {
  read: [0, 3, 63],
  write: [1, 4, 64],
  openat: [257, 295, 56],
  execve: [59, 11, 221],
  wait4: [61, 114, 260],
  setresuid: [117, 208, 147],
  setgroups: [116, 206, 159],
  capset: [126, 185, 91],
  prctl: [157, 172, 167],
  seccomp: [317, 354, 277],
  mbind: [237, 274, 235],
};

const COLUMN: Record<SyscallAbi, 0 | 1 | 2> = { x86_64: 0, i386: 1, aarch64: 2 };
const NAMESPACE_FLAGS = {
  CLONE_NEWNS: 0x20000,
  CLONE_NEWCGROUP: 0x02000000,
  CLONE_NEWUTS: 0x04000000,
  CLONE_NEWIPC: 0x08000000,
  CLONE_NEWUSER: 0x10000000,
  CLONE_NEWPID: 0x20000000,
  CLONE_NEWNET: 0x40000000,
  CLONE_NEWTIME: 0x80,
};

describe.each(abis)('the %s program on the %s ABI', (arch, abi) => {
  const program = seccompProgram(arch);
  const run = (nr: number, args: (number | bigint)[] = []) => runSeccomp(program, { nr, arch: AUDIT_ARCH[abi], args });

  it('has the numbers read off the kernel table', () => {
    for (const [name, nr] of Object.entries(VERIFIED[abi]))
      expect([name, syscallNumber(name as keyof typeof SYSCALL_NUMBERS, abi)]).toEqual([name, nr]);
  });

  it('refuses every call of the deny list with its errno', () => {
    for (const rule of SECCOMP_RULES.filter((rule) => rule.argument === undefined)) {
      for (const name of rule.syscalls) {
        const nr = syscallNumber(name, abi);
        if (nr !== null) expect([name, run(nr)]).toEqual([name, rule.errno === 'ENOSYS' ? ENOSYS : EPERM]);
      }
    }
  });

  it('answers clone3 ENOSYS, so that libc falls back to clone', () => {
    expect(call(arch, abi, 'clone3')).toEqual(ENOSYS);
  });

  it('refuses clone with each namespace flag, alone or among the flags of a thread', () => {
    for (const [flag, bit] of Object.entries(NAMESPACE_FLAGS)) {
      expect([flag, call(arch, abi, 'clone', [bit])]).toEqual([flag, EPERM]);
      expect([flag, call(arch, abi, 'clone', [0x3d0f00 | bit])]).toEqual([flag, EPERM]);
    }
  });

  it("allows clone for threads (glibc's pthread_create), fork and posix_spawn", () => {
    for (const flags of [0x3d0f00, 17, 0x01200011, 0x4111]) expect(call(arch, abi, 'clone', [flags])).toEqual(ALLOW);
  });

  it('reads only the low 32 bits of an argument, as the kernel does', () => {
    expect(call(arch, abi, 'clone', [BigInt(NAMESPACE_FLAGS.CLONE_NEWUSER) << 32n])).toEqual(ALLOW);
    expect(call(arch, abi, 'ioctl', [1, 0xffffffff00005412n])).toEqual(EPERM);
  });

  it('refuses ioctl TIOCSTI and TIOCLINUX, and allows TCGETS and FIONREAD', () => {
    expect(call(arch, abi, 'ioctl', [0, 0x5412])).toEqual(EPERM);
    expect(call(arch, abi, 'ioctl', [0, 0x541c])).toEqual(EPERM);
    expect(call(arch, abi, 'ioctl', [0, 0x5401])).toEqual(ALLOW);
    expect(call(arch, abi, 'ioctl', [3, 0x541b])).toEqual(ALLOW);
  });

  it('allows personality queries and the ordinary personalities, and refuses flags that weaken protections', () => {
    for (const persona of [0xffffffff, 0, 8, 0x20000, 0x20008])
      expect(call(arch, abi, 'personality', [persona])).toEqual(ALLOW);
    // ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, MMAP_PAGE_ZERO, PER_BSD
    for (const persona of [0x40000, 0x400000, 0x100000, 0x6])
      expect(call(arch, abi, 'personality', [persona])).toEqual(EPERM);
  });

  it('allows the calls ordinary work makes', () => {
    for (const [name, numbers] of Object.entries(ORDINARY))
      expect([name, run(numbers[COLUMN[abi]])]).toEqual([name, ALLOW]);
  });

  it('allows every call it does not name', () => {
    const named = new Set<number | null>(Object.values(SYSCALL_NUMBERS).map((numbers) => numbers[COLUMN[abi]]));
    for (let nr = 0; nr < 600; nr++) if (!named.has(nr)) expect([nr, run(nr)]).toEqual([nr, ALLOW]);
  });
});

describe('the x64 program', () => {
  const program = seccompProgram('x64');

  it('refuses the x32 ABI, whose numbers carry bit 30', () => {
    for (const nr of [0, 1, 59, 0x200])
      expect(runSeccomp(program, { nr: 0x40000000 | nr, arch: AUDIT_ARCH.x86_64 })).toEqual(EPERM);
  });

  it('refuses every call of a foreign arch', () => {
    for (const arch of [AUDIT_ARCH.aarch64, AUDIT_ARCH.arm, 0])
      expect(runSeccomp(program, { nr: 0, arch })).toEqual(EPERM);
  });
});

describe('the arm64 program', () => {
  const program = seccompProgram('arm64');

  it('refuses every call of 32-bit ARM and of a foreign arch', () => {
    for (const arch of [AUDIT_ARCH.arm, AUDIT_ARCH.x86_64, AUDIT_ARCH.i386])
      expect(runSeccomp(program, { nr: 63, arch })).toEqual(EPERM);
  });
});

describe.each(['x64', 'arm64'] as const)('the %s program as a whole', (arch) => {
  it('is one the kernel accepts: at most 4096 instructions, every jump inside, a RET at the end', () => {
    const program = seccompProgram(arch);
    expect(decode(program).length).toBeLessThanOrEqual(4096);
    expect(programProblems(program)).toEqual([]);
  });
});

describe('hostSeccompArch', () => {
  it('has a filter for x64 and arm64 only', () => {
    expect(['x64', 'arm64', 'ia32', 'arm', 'riscv64', 's390x'].map((arch) => hostSeccompArch(arch))).toEqual([
      'x64',
      'arm64',
      null,
      null,
      null,
      null,
    ]);
  });
});

describe('the classic-BPF interpreter', () => {
  // A = args[1] low word; A &= 0xff; if A >= 7 return ERRNO(5) else return ALLOW
  const program = encode([
    { code: 0x20, jt: 0, jf: 0, k: 24 },
    { code: 0x54, jt: 0, jf: 0, k: 0xff },
    { code: 0x35, jt: 1, jf: 0, k: 7 },
    { code: 0x06, jt: 0, jf: 0, k: 0x7fff0000 },
    { code: 0x06, jt: 0, jf: 0, k: 0x00050005 },
  ]);

  it('loads from struct seccomp_data, masks, compares and returns', () => {
    expect(runSeccomp(program, { nr: 0, arch: 0, args: [0, 6] })).toEqual(ALLOW);
    expect(runSeccomp(program, { nr: 0, arch: 0, args: [0, 0x107] })).toEqual({ action: 'errno', errno: 5 });
  });

  it('names the actions of return values', () => {
    expect([0x7fff0000, 0x00050026, 0x80000000, 0, 0x00030000].map(verdictOf)).toEqual([
      ALLOW,
      ENOSYS,
      { action: 'kill' },
      { action: 'kill' },
      { action: 'other', value: 0x00030000 },
    ]);
  });

  it('rejects what the kernel would: a jump out of the program, an unknown opcode, no RET at the end', () => {
    const jumpsOut = encode([
      { code: 0x15, jt: 3, jf: 0, k: 0 },
      { code: 0x06, jt: 0, jf: 0, k: 0 },
    ]);
    expect(programProblems(jumpsOut)).toEqual(['jump at 0 to 4 / 1']);
    expect(() => runSeccomp(jumpsOut, { nr: 1, arch: 0 })).toThrow(/leaves the program/);
    const unknown = encode([
      { code: 0x87, jt: 0, jf: 0, k: 0 },
      { code: 0x06, jt: 0, jf: 0, k: 0 },
    ]);
    expect(programProblems(unknown)).toEqual(['opcode 0x87 at 0']);
    expect(() => runSeccomp(unknown, { nr: 1, arch: 0 })).toThrow(/opcode 0x87/);
    expect(programProblems(encode([{ code: 0x20, jt: 0, jf: 0, k: 0 }]))).toEqual(['the last instruction is not RET']);
  });
});
