import {
  encodeSockFilter,
  jumpAlways,
  jumpIfAnyBit,
  jumpIfEqual,
  loadWord,
  returnValue,
  type BpfInstruction,
} from './seccomp-bpf.js';
import { syscallNumber, type SyscallAbi, type SyscallName } from './seccomp-syscalls.js';

// The seccomp filter every contained command runs under: a deny list, the
// rest allowed. bubblewrap installs it (`bwrap --seccomp FD`) just before it
// execs the command, so bubblewrap's own setup is not filtered. The floor is
// what Flatpak, bubblewrap's demo, Docker's default profile and Codex CLI's
// Linux sandbox refuse; where this list departs from them the rule says why.

/** How a refused call answers: EPERM, or ENOSYS where libc should fall back to an older call. */
export type SeccompErrno = 'EPERM' | 'ENOSYS';

/** Which argument a condition reads: one index for every call of the rule, or each call's own (the same on every ABI). */
export type ArgumentIndex = number | Readonly<Partial<Record<SyscallName, number>>>;

/** A condition on one argument (its low 32 bits, which is all the kernel reads) under which the call is refused. */
export type ArgumentCondition =
  | { arg: ArgumentIndex; refuseAnyBitOf: number }
  | { arg: ArgumentIndex; refuseValues: readonly number[] }
  | { arg: ArgumentIndex; allowOnlyValues: readonly number[] };

/**
 * A rule that refuses a call only when its condition holds, and its `and` too
 * where it has one; `when` says so for users.
 *
 * @example
 * const creatingSetUserId: ArgumentTest = { arg: { openat: 2 }, refuseAnyBitOf: 0o100, and: { arg: { openat: 3 }, refuseAnyBitOf: 0o4000 }, when: 'it creates a set-user-ID file' };
 */
export type ArgumentTest = ArgumentCondition & { when: string; and?: ArgumentCondition };

/** One entry of the deny list: the calls, when they are refused, how, and why (a sentence for users). */
export interface SeccompRule {
  syscalls: readonly SyscallName[];
  why: string;
  /** Absent: always refused. */
  argument?: ArgumentTest;
  /** Absent: EPERM. */
  errno?: SeccompErrno;
}

// every CLONE_NEW* flag (include/uapi/linux/sched.h). CLONE_NEWTIME (0x80)
// sits in clone()'s exit-signal byte and only takes effect through clone3
// and unshare, but refusing it costs nothing: no signal is numbered 128+
const NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x80;
const TIOCSTI = 0x5412;
const TIOCLINUX = 0x541c;
// PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32 and the 0xffffffff
// query: the values Docker's default profile allows
const ORDINARY_PERSONALITIES = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];
// S_ISUID | S_ISGID (include/uapi/linux/stat.h)
const SET_ID_BITS = 0o6000;
// O_CREAT | __O_TMPFILE, the same on x86 and arm64 (asm-generic/fcntl.h):
// the flags with which open uses its mode at all (WILL_CREATE in fs/open.c).
// O_TMPFILE adds O_DIRECTORY, whose value differs between the two, and the
// kernel refuses __O_TMPFILE without it, so __O_TMPFILE alone is enough
const CREATES_A_FILE = 0o100 | 0o20000000;
// where each call takes the mode and open's flags: their SYSCALL_DEFINEs in
// fs/open.c and fs/namei.c, in the same order on every ABI
const MODE = {
  chmod: 1,
  fchmod: 1,
  fchmodat: 2,
  fchmodat2: 2,
  creat: 1,
  mkdir: 1,
  mkdirat: 2,
  mknod: 1,
  mknodat: 2,
  open: 2,
  openat: 3,
} satisfies ArgumentIndex;
const OPEN_FLAGS = { open: 1, openat: 2 } satisfies ArgumentIndex;

/**
 * What every contained command may not do, as data: the filter is compiled
 * from it and docs/explanation/sandbox.md lists it. Each call appears in one rule.
 *
 * @example
 * for (const rule of SECCOMP_RULES) console.log(`${rule.syscalls.join(', ')}: ${rule.why}`);
 */
export const SECCOMP_RULES: readonly SeccompRule[] = [
  {
    syscalls: ['ptrace', 'process_vm_readv', 'process_vm_writev', 'pidfd_getfd', 'process_madvise'],
    why: 'ptrace and its kin: reading or steering another process of the sandbox (its memory, registers or open files); debuggers and strace do not work inside.',
  },
  {
    syscalls: ['migrate_pages', 'move_pages'],
    why: "migrate_pages, move_pages: moving another process's memory between NUMA nodes (mbind and set_mempolicy, which steer only the caller's memory, stay allowed for NUMA-aware runtimes).",
  },
  {
    syscalls: ['add_key', 'request_key', 'keyctl'],
    why: 'the kernel keyring is not namespaced: a command could read or plant keys of your login session (Kerberos tickets, fscrypt and ecryptfs keys).',
  },
  {
    syscalls: ['io_uring_setup', 'io_uring_enter', 'io_uring_register'],
    why: 'io_uring performs file and network operations that this filter cannot see, and is a frequent source of kernel exploits.',
  },
  {
    syscalls: ['userfaultfd'],
    why: 'userfaultfd: pausing the kernel in the middle of a copy from user memory, a staple of kernel exploits.',
  },
  {
    syscalls: ['perf_event_open'],
    why: 'perf_event_open: profiling the kernel and other processes, a long-standing source of kernel bugs; profile from outside the sandbox.',
  },
  { syscalls: ['bpf'], why: 'bpf: loading programs into the kernel.' },
  {
    syscalls: ['kexec_load', 'kexec_file_load', 'init_module', 'finit_module', 'delete_module', 'reboot'],
    why: 'loading code into the running kernel, replacing it, or restarting the machine.',
  },
  {
    syscalls: [
      'mount',
      'umount',
      'umount2',
      'pivot_root',
      'chroot',
      'open_tree',
      'open_tree_attr',
      'move_mount',
      'fsopen',
      'fsconfig',
      'fsmount',
      'fspick',
      'mount_setattr',
    ],
    why: "mounting, unmounting or moving file systems: the sandbox's view of the disk is fixed when it starts (the read-only places stay read-only).",
  },
  {
    syscalls: ['unshare', 'setns'],
    why: "unshare, setns: making or entering namespaces, a way around the sandbox's own (and the door to most user-namespace kernel exploits).",
  },
  {
    syscalls: ['clone'],
    argument: { arg: 0, refuseAnyBitOf: NAMESPACE_FLAGS, when: 'its flags ask for a new namespace (CLONE_NEW*)' },
    why: 'clone with a CLONE_NEW* flag: the same as unshare; fork and threads (clone without those flags) are allowed.',
  },
  {
    syscalls: ['clone3'],
    errno: 'ENOSYS',
    why: "clone3 answers 'not implemented': its flags sit in memory the filter cannot read, and libc then falls back to clone, whose flags it can.",
  },
  {
    syscalls: ['name_to_handle_at', 'open_by_handle_at'],
    why: "opening files by handle rather than by path, which reaches files outside the sandbox's view (the 'shocker' container escape).",
  },
  {
    syscalls: ['ioctl'],
    argument: { arg: 1, refuseValues: [TIOCSTI, TIOCLINUX], when: 'the request is TIOCSTI or TIOCLINUX' },
    why: 'ioctl TIOCSTI or TIOCLINUX: typing into the terminal troupe runs in, so that your shell runs the text once the command ends; every other ioctl is allowed.',
  },
  {
    syscalls: ['syslog'],
    why: "syslog: reading the kernel's log (dmesg), which shows the host's activity and kernel addresses; logging through libc's syslog() is unaffected.",
  },
  {
    syscalls: ['acct', 'quotactl', 'quotactl_fd', 'swapon', 'swapoff'],
    why: 'process accounting, disk quotas and swap: settings of the whole host, not of a command.',
  },
  {
    syscalls: ['personality'],
    argument: {
      arg: 0,
      allowOnlyValues: ORDINARY_PERSONALITIES,
      when: 'it asks for anything but the ordinary Linux personalities or a query',
    },
    why: 'personality flags that turn off address randomisation, map page zero or make data executable, weakening the protections of everything the command starts; queries and the 32-bit personality stay allowed.',
  },
  {
    syscalls: ['chmod', 'fchmod', 'fchmodat', 'fchmodat2', 'creat', 'mkdir', 'mkdirat', 'mknod', 'mknodat'],
    argument: {
      arg: MODE,
      refuseAnyBitOf: SET_ID_BITS,
      when: 'the mode has the set-user-ID or set-group-ID bit (04000, 02000)',
    },
    why: "making a file or folder set-user-ID or set-group-ID: while the command runs, anyone who reaches a copy of a shell made so could act as the command's identity (troupe also clears such bits before a step's commit); every other mode is allowed.",
  },
  {
    syscalls: ['open', 'openat'],
    argument: {
      arg: OPEN_FLAGS,
      refuseAnyBitOf: CREATES_A_FILE,
      and: { arg: MODE, refuseAnyBitOf: SET_ID_BITS },
      when: 'it creates a file (O_CREAT or O_TMPFILE) whose mode has the set-user-ID or set-group-ID bit',
    },
    why: 'open and openat creating a file that is set-user-ID or set-group-ID from the start, the other way to make one; opening files, and creating them with any other mode, is allowed.',
  },
  {
    syscalls: ['openat2'],
    errno: 'ENOSYS',
    why: "openat2 answers 'not implemented': its flags and mode sit in memory the filter cannot read, and programs then fall back to openat, whose flags and mode it can.",
  },
  {
    syscalls: ['lookup_dcookie', 'uselib', '_sysctl', 'modify_ldt', 'iopl', 'ioperm'],
    why: 'obsolete calls no current program makes, and direct x86 hardware and segment access (modify_ldt is for 16-bit code and a history of kernel leaks).',
  },
];

/** The architectures troupe builds a filter for, named as Node's `process.arch` names them. */
export type SeccompArch = 'x64' | 'arm64';

/**
 * The ABIs each architecture's program filters by number. An x86-64 process
 * can also call the kernel through the i386 ABI (int 0x80), so both are
 * filtered; arm64's 32-bit ABI is refused whole rather than filtered.
 *
 * @example
 * SECCOMP_ABIS.x64; // ['x86_64', 'i386']
 */
export const SECCOMP_ABIS: Readonly<Record<SeccompArch, readonly SyscallAbi[]>> = {
  x64: ['x86_64', 'i386'],
  arm64: ['aarch64'],
};

// include/uapi/linux/audit.h; AUDIT_ARCH_ARM (0x40000028) is not dispatched
// to, so arm64's 32-bit compat ABI falls to "any other arch"
const AUDIT_ARCH: Readonly<Record<SyscallAbi, number>> = { x86_64: 0xc000003e, i386: 0x40000003, aarch64: 0xc00000b7 };
// x32 calls arrive as AUDIT_ARCH_X86_64 with this bit set in the number
const X32_SYSCALL_BIT = 0x40000000;

// include/uapi/linux/seccomp.h, asm-generic/errno-base.h, errno.h
const SECCOMP_RET_ALLOW = 0x7fff0000;
const SECCOMP_RET_ERRNO = 0x00050000;
const ERRNO: Readonly<Record<SeccompErrno, number>> = { EPERM: 1, ENOSYS: 38 };

// struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6]
const NR_OFFSET = 0;
const ARCH_OFFSET = 4;
// the low word of args[i]: both architectures are little-endian
const argumentOffset = (arg: number) => 16 + 8 * arg;

const refuse = (errno: SeccompErrno = 'EPERM') => returnValue(SECCOMP_RET_ERRNO | ERRNO[errno]);
const allow = () => returnValue(SECCOMP_RET_ALLOW);

function argumentOffsetFor(arg: ArgumentIndex, name: SyscallName): number {
  const index = typeof arg === 'number' ? arg : arg[name];
  if (index === undefined) throw new Error(`seccomp rule of ${name} names no argument of it`);
  return argumentOffset(index);
}

// one condition, its argument loaded first, then `rest`, which ends in
// "allow": where the condition holds the program goes on into rest, where it
// does not it jumps to that last "allow". Every path returns, so the call
// number, gone from the accumulator, is never needed again
function conditionInstructions(
  condition: ArgumentCondition,
  name: SyscallName,
  rest: readonly BpfInstruction[],
): BpfInstruction[] {
  const loaded = loadWord(argumentOffsetFor(condition.arg, name));
  const toAllow = rest.length - 1;
  if ('refuseAnyBitOf' in condition) return [loaded, jumpIfAnyBit(condition.refuseAnyBitOf, 0, toAllow), ...rest];
  // the i-th comparison skips the `last - i` after it to reach rest: a value
  // to refuse goes into rest and the last miss to "allow"; a value to allow
  // jumps on to "allow" and the last miss goes into rest
  const [values, refusedOnMatch] =
    'refuseValues' in condition ? [condition.refuseValues, true] : [condition.allowOnlyValues, false];
  const last = values.length - 1;
  const comparisons = values.map((value, i) =>
    refusedOnMatch ? jumpIfEqual(value, last - i, i === last ? toAllow : 0) : jumpIfEqual(value, last - i + toAllow, 0),
  );
  return [loaded, ...comparisons, ...rest];
}

// what follows "nr == N": refuse, or test each condition in turn and refuse
// when all hold
function verdict(rule: SeccompRule, name: SyscallName): BpfInstruction[] {
  const refused = refuse(rule.errno);
  if (!rule.argument) return [refused];
  const conditions: ArgumentCondition[] = rule.argument.and ? [rule.argument, rule.argument.and] : [rule.argument];
  return conditions.reduceRight((rest, condition) => conditionInstructions(condition, name, rest), [refused, allow()]);
}

// for each call: "if nr == N" followed by its own verdict, so no jump spans
// more than one rule and the program can grow without overflowing jt/jf
function ruleInstructions(rule: SeccompRule, abi: SyscallAbi): BpfInstruction[] {
  return rule.syscalls.flatMap((name) => {
    const nr = syscallNumber(name, abi);
    if (nr === null) return [];
    const instructions = verdict(rule, name);
    return [jumpIfEqual(nr, 0, instructions.length), ...instructions];
  });
}

function abiSection(abi: SyscallAbi): BpfInstruction[] {
  const x32 = abi === 'x86_64' ? [jumpIfAnyBit(X32_SYSCALL_BIT, 0, 1), refuse()] : [];
  return [loadWord(NR_OFFSET), ...x32, ...SECCOMP_RULES.flatMap((rule) => ruleInstructions(rule, abi)), allow()];
}

// load the arch, then "if arch == A, jump always to A's section" (JA takes a
// 32-bit offset); any other arch is refused every call
function dispatch(abis: readonly SyscallAbi[]): BpfInstruction[] {
  const sections = abis.map(abiSection);
  const head: BpfInstruction[] = [loadWord(ARCH_OFFSET)];
  let start = 1 + 2 * abis.length + 1;
  abis.forEach((abi, i) => {
    head.push(jumpIfEqual(AUDIT_ARCH[abi], 0, 1), jumpAlways(start - (head.length + 2)));
    start += sections[i]!.length;
  });
  return [...head, refuse(), ...sections.flat()];
}

/**
 * The classic-BPF program for `bwrap --seccomp FD`: `struct sock_filter[]`,
 * 8 bytes an instruction. It refuses what {@link SECCOMP_RULES} lists on each
 * ABI of {@link SECCOMP_ABIS} and allows every other call. A call through any
 * other ABI (x32 on x86-64, 32-bit ARM on arm64, a foreign arch) answers
 * EPERM whatever it is.
 *
 * @example
 * const child = spawn('bwrap', [...args, '--seccomp', '3', '--', 'sh', '-c', command], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
 * (child.stdio[3] as Writable).end(seccompProgram('x64'));
 */
export function seccompProgram(arch: SeccompArch): Buffer {
  return encodeSockFilter(dispatch(SECCOMP_ABIS[arch]));
}

/**
 * The architecture of this host's filter, or null where troupe has none
 * (the caller then refuses to start contained commands).
 *
 * @example
 * const arch = hostSeccompArch();
 * if (arch === null) throw new Error(`no seccomp filter for ${process.arch}`);
 */
export function hostSeccompArch(arch: string = process.arch): SeccompArch | null {
  return arch === 'x64' || arch === 'arm64' ? arch : null;
}
