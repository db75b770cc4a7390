import type { BpfInstruction } from '../../src/sandbox/seccomp-bpf.js';

// A classic-BPF interpreter for seccomp programs, enough to run what
// src/sandbox/seccomp-filter.ts emits against one system call: loads of
// 32-bit words from struct seccomp_data, JA/JEQ/JGT/JGE/JSET against a
// constant, AND with a constant, RET a constant. Anything else throws, as does
// a jump or a fall out of the program: a filter the kernel would reject.

export interface SeccompCall {
  nr: number;
  arch: number;
  /** Up to six; as the kernel passes them, 64 bits each. */
  args?: readonly (number | bigint)[];
}

export type SeccompVerdict =
  { action: 'allow' } | { action: 'errno'; errno: number } | { action: 'kill' } | { action: 'other'; value: number };

const SECCOMP_DATA_SIZE = 64;
const MAX_INSTRUCTIONS = 4096;

/** struct seccomp_data, little-endian as on x86-64 and arm64. */
export function seccompData(call: SeccompCall): Buffer {
  const data = Buffer.alloc(SECCOMP_DATA_SIZE);
  data.writeInt32LE(call.nr, 0);
  data.writeUInt32LE(call.arch >>> 0, 4);
  (call.args ?? []).forEach((arg, i) => data.writeBigUInt64LE(BigInt.asUintN(64, BigInt(arg)), 16 + 8 * i));
  return data;
}

/** The program's instructions, decoded from `struct sock_filter[]`. */
export function decode(program: Buffer): BpfInstruction[] {
  if (program.length % 8 !== 0) throw new Error(`program of ${program.length} bytes is not whole instructions`);
  return Array.from({ length: program.length / 8 }, (_, i) => ({
    code: program.readUInt16LE(i * 8),
    jt: program.readUInt8(i * 8 + 2),
    jf: program.readUInt8(i * 8 + 3),
    k: program.readUInt32LE(i * 8 + 4),
  }));
}

/** What the kernel does with a filter's return value (include/uapi/linux/seccomp.h). */
export function verdictOf(value: number): SeccompVerdict {
  const action = (value & 0xffff0000) >>> 0;
  if (action === 0x7fff0000) return { action: 'allow' };
  if (action === 0x00050000) return { action: 'errno', errno: value & 0xffff };
  if (action === 0x80000000 || action === 0) return { action: 'kill' };
  return { action: 'other', value };
}

const KNOWN_OPCODES = new Set([0x20, 0x54, 0x05, 0x15, 0x25, 0x35, 0x45, 0x06]);
const CONDITIONAL_JUMPS = new Set([0x15, 0x25, 0x35, 0x45]);

/**
 * What the kernel's check of a classic-BPF filter would reject: a known
 * opcode, loads inside struct seccomp_data, every jump landing inside the
 * program, a RET at its end. Empty when the program is fine.
 */
export function programProblems(program: Buffer): string[] {
  const instructions = decode(program);
  const problems: string[] = [];
  if (instructions.length === 0 || instructions.length > MAX_INSTRUCTIONS)
    problems.push(`${instructions.length} instructions`);
  const lands = (pc: number, offset: number) => pc + 1 + offset < instructions.length;
  instructions.forEach(({ code, jt, jf, k }, pc) => {
    if (!KNOWN_OPCODES.has(code)) problems.push(`opcode 0x${code.toString(16)} at ${pc}`);
    if (code === 0x20 && (k % 4 !== 0 || k + 4 > SECCOMP_DATA_SIZE)) problems.push(`load at ${pc} from offset ${k}`);
    if (code === 0x05 && !lands(pc, k)) problems.push(`JA at ${pc} to ${pc + 1 + k}`);
    if (CONDITIONAL_JUMPS.has(code) && !(lands(pc, jt) && lands(pc, jf)))
      problems.push(`jump at ${pc} to ${pc + 1 + jt} / ${pc + 1 + jf}`);
  });
  if (instructions.at(-1)?.code !== 0x06) problems.push('the last instruction is not RET');
  return problems;
}

/** Runs `program` on one call, as the kernel's seccomp would, and returns its verdict. */
export function runSeccomp(program: Buffer, call: SeccompCall): SeccompVerdict {
  const instructions = decode(program);
  if (instructions.length === 0 || instructions.length > MAX_INSTRUCTIONS)
    throw new Error(`program of ${instructions.length} instructions`);
  const data = seccompData(call);
  let a = 0;
  for (let pc = 0; pc < instructions.length; pc++) {
    const { code, jt, jf, k } = instructions[pc]!;
    const conditional = (taken: boolean) => (pc += taken ? jt : jf);
    switch (code) {
      case 0x20: // LD | W | ABS
        if (k % 4 !== 0 || k + 4 > SECCOMP_DATA_SIZE) throw new Error(`load at ${pc} from offset ${k}`);
        a = data.readUInt32LE(k);
        break;
      case 0x54: // ALU | AND | K
        a = (a & k) >>> 0;
        break;
      case 0x05: // JMP | JA
        pc += k;
        break;
      case 0x15: // JMP | JEQ | K
        conditional(a === k);
        break;
      case 0x25: // JMP | JGT | K
        conditional(a > k);
        break;
      case 0x35: // JMP | JGE | K
        conditional(a >= k);
        break;
      case 0x45: // JMP | JSET | K
        conditional((a & k) !== 0);
        break;
      case 0x06: // RET | K
        return verdictOf(k);
      default:
        throw new Error(`opcode 0x${code.toString(16)} at ${pc} is not one this interpreter knows`);
    }
    if (pc + 1 >= instructions.length) throw new Error(`jump at ${pc} leaves the program`);
  }
  throw new Error('program ran off its end');
}
