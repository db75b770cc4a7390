// The system call numbers the seccomp filter (seccomp-filter.ts) names, for
// each ABI a contained command can reach the kernel through. Every number is
// read off the kernel's own tables, not from a libc header:
//   x86_64   arch/x86/entry/syscalls/syscall_64.tbl  (abi "common" or "64")
//   i386     arch/x86/entry/syscalls/syscall_32.tbl  (what a 32-bit process on
//            an x86-64 host calls through int 0x80 / sysenter)
//   aarch64  include/uapi/asm-generic/unistd.h, since 6.11 scripts/syscall.tbl
//            (arm64's 64-bit table is generated from it)
// Numbers from 424 up are the same on every architecture by agreement (the
// comment above 424 in syscall_64.tbl); open_tree_attr (467) came with the
// commit "fs: add open_tree_attr()", which added it to all three tables, and
// fchmodat2 (Linux 6.6) is 452 in each of them too.
// null: that ABI has no such call (x86-64 never had umount; arm64, a newer
// port, has none of the obsolete or x86-only calls).

/** An ABI the filter knows the numbers of. */
export type SyscallAbi = 'x86_64' | 'i386' | 'aarch64';

/** The column of each ABI in {@link SYSCALL_NUMBERS}. */
export const ABI_COLUMN: Readonly<Record<SyscallAbi, 0 | 1 | 2>> = { x86_64: 0, i386: 1, aarch64: 2 };

type Numbers = readonly [x86_64: number | null, i386: number | null, aarch64: number | null];

/**
 * `[x86_64, i386, aarch64]` numbers of every system call the filter names;
 * `null` where the ABI has no such call.
 *
 * @example
 * SYSCALL_NUMBERS.ptrace; // [101, 26, 117]
 * SYSCALL_NUMBERS.ptrace[ABI_COLUMN.i386]; // 26
 */
export const SYSCALL_NUMBERS = {
  // reading or steering other processes
  ptrace: [101, 26, 117],
  process_vm_readv: [310, 347, 270],
  process_vm_writev: [311, 348, 271],
  pidfd_getfd: [438, 438, 438],
  process_madvise: [440, 440, 440],
  migrate_pages: [256, 294, 238],
  move_pages: [279, 317, 239],
  // the kernel keyring
  add_key: [248, 286, 217],
  request_key: [249, 287, 218],
  keyctl: [250, 288, 219],
  // kernel attack surface
  io_uring_setup: [425, 425, 425],
  io_uring_enter: [426, 426, 426],
  io_uring_register: [427, 427, 427],
  userfaultfd: [323, 374, 282],
  perf_event_open: [298, 336, 241],
  bpf: [321, 357, 280],
  // the running kernel itself
  kexec_load: [246, 283, 104],
  kexec_file_load: [320, null, 294],
  init_module: [175, 128, 105],
  finit_module: [313, 350, 273],
  delete_module: [176, 129, 106],
  reboot: [169, 88, 142],
  // mounts
  mount: [165, 21, 40],
  umount: [null, 22, null],
  umount2: [166, 52, 39],
  pivot_root: [155, 217, 41],
  chroot: [161, 61, 51],
  open_tree: [428, 428, 428],
  move_mount: [429, 429, 429],
  fsopen: [430, 430, 430],
  fsconfig: [431, 431, 431],
  fsmount: [432, 432, 432],
  fspick: [433, 433, 433],
  mount_setattr: [442, 442, 442],
  open_tree_attr: [467, 467, 467],
  // namespaces
  unshare: [272, 310, 97],
  setns: [308, 346, 268],
  clone: [56, 120, 220],
  clone3: [435, 435, 435],
  // file handles
  name_to_handle_at: [303, 341, 264],
  open_by_handle_at: [304, 342, 265],
  // the whole host's state
  syslog: [103, 103, 116],
  acct: [163, 51, 89],
  quotactl: [179, 131, 60],
  quotactl_fd: [443, 443, 443],
  swapon: [167, 87, 224],
  swapoff: [168, 115, 225],
  // obsolete, or x86 hardware and segment access
  lookup_dcookie: [212, 253, 18],
  uselib: [134, 86, null],
  _sysctl: [156, 149, null],
  modify_ldt: [154, 123, null],
  iopl: [172, 110, null],
  ioperm: [173, 101, null],
  // filtered by argument
  ioctl: [16, 54, 29],
  personality: [135, 136, 92],
  // setting a file's mode: arm64 has only the *at forms (and fchmod)
  chmod: [90, 15, null],
  fchmod: [91, 94, 52],
  fchmodat: [268, 306, 53],
  fchmodat2: [452, 452, 452],
  creat: [85, 8, null],
  open: [2, 5, null],
  openat: [257, 295, 56],
  openat2: [437, 437, 437],
  mkdir: [83, 39, null],
  mkdirat: [258, 296, 34],
  mknod: [133, 14, null],
  mknodat: [259, 297, 33],
} as const satisfies Record<string, Numbers>;

/** A system call the filter names. */
export type SyscallName = keyof typeof SYSCALL_NUMBERS;

/**
 * The number of `name` on `abi`, or null where that ABI has no such call.
 *
 * @example
 * syscallNumber('unshare', 'aarch64'); // 97
 * syscallNumber('umount', 'x86_64'); // null
 */
export function syscallNumber(name: SyscallName, abi: SyscallAbi): number | null {
  return SYSCALL_NUMBERS[name][ABI_COLUMN[abi]];
}
