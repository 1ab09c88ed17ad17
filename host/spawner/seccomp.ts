/**
 * The seccomp filter a confined child without network gets: `socket(AF_UNIX, …)`
 * fails with EPERM, so that it cannot connect to a Unix socket that exists as
 * a file on the read-only filesystem (/run/docker.sock, D-Bus …), which its
 * own network namespace does not cover. `socketpair` (pipes between its own
 * processes) still works. A classic BPF program, as bubblewrap's `--seccomp`
 * reads it; only the host's native system-call ABI is allowed through.
 */

/** AUDIT_ARCH_* and the number of `socket` on the architectures Node runs bubblewrap on. */
const ABIS: Partial<Record<NodeJS.Architecture, { arch: number; socket: number; x32: boolean }>> = {
  x64: { arch: 0xc000003e, socket: 41, x32: true },
  arm64: { arch: 0xc00000b7, socket: 198, x32: false },
};

const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const RET_K = 0x06;
const RET_ALLOW = 0x7fff0000;
const RET_EPERM = 0x00050000 | 1;
/** struct seccomp_data: nr at 0, arch at 4, args[0] (its low 32 bits, little-endian) at 16. */
const NR = 0;
const ARCH = 4;
const ARG0 = 16;
const AF_UNIX = 1;
const X32_SYSCALL_BIT = 0x40000000;

function instruction(code: number, jt: number, jf: number, k: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeUInt16LE(code, 0);
  bytes.writeUInt8(jt, 2);
  bytes.writeUInt8(jf, 3);
  bytes.writeUInt32LE(k >>> 0, 4);
  return bytes;
}

/** The filter for this host's architecture; `undefined` where none is written (the spawn then fails closed). */
export function unixSocketFilter(arch: NodeJS.Architecture = process.arch): Buffer | undefined {
  const abi = ABIS[arch];
  if (abi === undefined) return undefined;
  // Jumps count instructions after the next one: 7 is ALLOW, 8 is EPERM.
  return Buffer.concat([
    instruction(LD_W_ABS, 0, 0, ARCH), // 0
    instruction(JEQ_K, 0, 6, abi.arch), // 1: another ABI (i386, x32 …) → EPERM for everything
    instruction(LD_W_ABS, 0, 0, NR), // 2
    abi.x32 ? instruction(JGE_K, 4, 0, X32_SYSCALL_BIT) : instruction(JEQ_K, 4, 0, 0xffffffff), // 3: x32 numbers → EPERM
    instruction(JEQ_K, 0, 2, abi.socket), // 4: not socket() → ALLOW
    instruction(LD_W_ABS, 0, 0, ARG0), // 5
    instruction(JEQ_K, 1, 0, AF_UNIX), // 6: AF_UNIX → EPERM
    instruction(RET_K, 0, 0, RET_ALLOW), // 7
    instruction(RET_K, 0, 0, RET_EPERM), // 8
  ]);
}

/** The descriptor the child's bubblewrap reads the filter from (the first after stdin, stdout, stderr). */
export const SECCOMP_FD = 3;
