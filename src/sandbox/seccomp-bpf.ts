// Classic BPF as the kernel takes a seccomp filter: the instructions the
// filter of seccomp-filter.ts is made of, and their encoding. Only what that
// filter uses: loads of a 32-bit word, three jumps against a constant, and
// returning a constant.

// opcodes (include/uapi/linux/bpf_common.h): class | size | mode
const LD_W_ABS = 0x00 | 0x00 | 0x20;
const JMP_JA = 0x05 | 0x00;
const JMP_JEQ_K = 0x05 | 0x10;
const JMP_JSET_K = 0x05 | 0x40;
const RET_K = 0x06;
// BPF_MAXINSNS; conditional jumps carry 8-bit offsets
const MAX_INSTRUCTIONS = 4096;
const MAX_CONDITIONAL_JUMP = 255;

/** One classic-BPF instruction: `struct sock_filter`. */
export interface BpfInstruction {
  code: number;
  /** A conditional jump: instructions to skip when its test holds. */
  jt: number;
  /** A conditional jump: instructions to skip when its test fails. */
  jf: number;
  /** The constant: an offset to load from, a value to test, JA's jump, a return value. */
  k: number;
}

/**
 * `A = the 32-bit word at offset` of the data the filter reads.
 *
 * @example
 * loadWord(0); // the call's number, in struct seccomp_data
 */
export const loadWord = (offset: number): BpfInstruction => ({ code: LD_W_ABS, jt: 0, jf: 0, k: offset });

/**
 * `if A == k` skip `jt` instructions, else `jf`.
 *
 * @example
 * [jumpIfEqual(101, 0, 1), returnValue(0x00050001), returnValue(0x7fff0000)]; // refuse call 101, allow the rest
 */
export const jumpIfEqual = (k: number, jt: number, jf: number): BpfInstruction => ({ code: JMP_JEQ_K, jt, jf, k });

/**
 * `if A & k` (any bit of k is set) skip `jt` instructions, else `jf`.
 *
 * @example
 * jumpIfAnyBit(0o6000, 0, 1); // go on where the mode has a set-ID bit
 */
export const jumpIfAnyBit = (k: number, jt: number, jf: number): BpfInstruction => ({ code: JMP_JSET_K, jt, jf, k });

/**
 * Skip `k` instructions: the one jump whose offset has 32 bits.
 *
 * @example
 * jumpAlways(200);
 */
export const jumpAlways = (k: number): BpfInstruction => ({ code: JMP_JA, jt: 0, jf: 0, k });

/**
 * End the program with `value` (for seccomp, an action and its data).
 *
 * @example
 * returnValue(0x7fff0000); // SECCOMP_RET_ALLOW
 */
export const returnValue = (value: number): BpfInstruction => ({ code: RET_K, jt: 0, jf: 0, k: value });

/**
 * `program` as `struct sock_filter[]` (u16 code, u8 jt, u8 jf, u32 k) in host,
 * that is little, endianness; throws past 4096 instructions or 8-bit jumps.
 *
 * @example
 * encodeSockFilter([{ code: 0x06, jt: 0, jf: 0, k: 0x7fff0000 }]); // "allow everything"
 */
export function encodeSockFilter(program: readonly BpfInstruction[]): Buffer {
  if (program.length > MAX_INSTRUCTIONS)
    throw new Error(`seccomp program of ${program.length} instructions, past ${MAX_INSTRUCTIONS}`);
  const buffer = Buffer.alloc(program.length * 8);
  program.forEach(({ code, jt, jf, k }, i) => {
    if (jt > MAX_CONDITIONAL_JUMP || jf > MAX_CONDITIONAL_JUMP)
      throw new Error(`seccomp jump at ${i} overflows 8 bits`);
    buffer.writeUInt16LE(code, i * 8);
    buffer.writeUInt8(jt, i * 8 + 2);
    buffer.writeUInt8(jf, i * 8 + 3);
    buffer.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return buffer;
}
