import { SECCOMP_ABIS, seccompProgram, type SeccompArch } from '../../src/sandbox/seccomp-filter.js';
import type { SYSCALL_NUMBERS } from '../../src/sandbox/seccomp-syscalls.js';
import { syscallNumber, type SyscallAbi } from '../../src/sandbox/seccomp-syscalls.js';
import { runSeccomp } from '../helpers/classic-bpf.js';

// The seccomp filter's programs run through the classic-BPF interpreter: the audit
// arch of each ABI, the verdicts, and one call on an ABI.

export const AUDIT_ARCH = { x86_64: 0xc000003e, i386: 0x40000003, aarch64: 0xc00000b7, arm: 0x40000028 } as const;
export const ALLOW = { action: 'allow' };
export const EPERM = { action: 'errno', errno: 1 };
export const ENOSYS = { action: 'errno', errno: 38 };

export const abis = Object.entries(SECCOMP_ABIS).flatMap(([arch, list]) =>
  list.map((abi) => [arch as SeccompArch, abi] as const),
);

export function call(
  arch: SeccompArch,
  abi: SyscallAbi,
  name: keyof typeof SYSCALL_NUMBERS,
  args: (number | bigint)[] = [],
) {
  const nr = syscallNumber(name, abi);
  if (nr === null) throw new Error(`${name} has no number on ${abi}`);
  return runSeccomp(seccompProgram(arch), { nr, arch: AUDIT_ARCH[abi], args });
}
