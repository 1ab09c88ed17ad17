/**
 * Reads (blocking or not) of a child's pipes made by the calling thread
 * itself, with read(2) on the pipes the I/O worker lent it
 * (spawner/lent-pipes.ts): one system call and at most one copy, where the
 * shim makes a round trip to the worker and three copies; and what the
 * writes (lent-writes.ts) share with them. Whenever a pipe is not (or no
 * longer) lent, and on any error but an interrupted call, the stream's
 * previous method serves the call, so errors are the shim's own.
 */
import { readSync } from "node:fs";
import type { InputStream } from "@bytecodealliance/preview2-shim/interfaces/wasi-io-streams";
import { override } from "./child-streams.js";
import { callSpawner } from "./spawner/client.js";
import { borrow, giveBack } from "./spawner/lent-pipes.js";

/** A pipe the worker lent: its descriptor, and its slot in the shared flags. */
export interface LentPipe {
  fd: number;
  flags: Int32Array;
  slot: number;
}

/** The most one read returns (wasi:io lets a read return fewer bytes than asked for). */
const MAX_READ = 1024 * 1024;

/** Says that the pipe is not lent (any more) or the call failed: the shim's method serves it. */
export const NOT_LENT = Symbol("not lent");

/** Lent read ends, for a splice into a lent write end. */
const readEnds = new WeakMap<InputStream, (len: bigint) => Buffer | typeof NOT_LENT>();

/**
 * A blocking read of up to `len` bytes from `source` on its lent pipe, if it
 * is one (for a splice). The bytes are valid until the next read on this
 * thread: the caller writes them on at once.
 */
export function blockingReadLent(source: InputStream, len: bigint): Buffer | typeof NOT_LENT {
  return readEnds.get(source)?.(len) ?? NOT_LENT;
}

/** What preview2-shim throws at the end of a stream (jco reads its `tag`). */
function closedError(): { tag: "closed" } {
  return { tag: "closed" };
}

/** System calls made on lent pipes so far, for diagnostics and tests (see `lentPipeCalls`). */
let calls = 0;

/** How many system calls this thread has made on pipes lent to it (each one a worker round trip saved). */
export function lentPipeCalls(): number {
  return calls;
}

/** Runs one system call on the lent pipe (again if interrupted). */
export function onLent<T>(pipe: LentPipe, call: (fd: number) => T): T | typeof NOT_LENT {
  for (;;) {
    if (!borrow(pipe.flags, pipe.slot)) return NOT_LENT;
    try {
      calls++;
      return call(pipe.fd);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EINTR") return NOT_LENT;
    } finally {
      giveBack(pipe.flags, pipe.slot);
    }
  }
}

/**
 * Reads land in slabs, each part handed out once and never reused: the caller
 * owns what it was given, no copy is made, and one allocation (uninitialized)
 * serves many reads (an ArrayBuffer per read makes V8 collect garbage far more
 * often while a guest's memory grows).
 */
const SLAB_SIZE = 8 * MAX_READ;
let slab = Buffer.allocUnsafeSlow(0);
let slabUsed = 0;

/**
 * Where the reads whose bytes nobody keeps land (a splice writes them on, a
 * skip drops them): one buffer, reused. In the slab, a splice of 256 MiB left
 * slabs for V8 to collect, which it does only after some 64 MiB of them.
 */
let scratch = Buffer.allocUnsafeSlow(0);

/** Whether a read's bytes are handed to the caller (into the slab) or used and dropped at once (into the scratch buffer). */
type Keep = "kept" | "transient";

/** Says that a lent pipe is empty (a read) or full (a write) now: it stays non-blocking while lent. */
export const AGAIN = Symbol("again");

/**
 * The pauses (µs) of a blocking read that finds the lent pipe empty, before
 * it has the I/O worker make the pipe blocking for it (about 1.6 ms in all):
 * a child answering a line or filling the pipe again is caught without two
 * round trips; a child that stays silent is waited for without spinning.
 */
const EMPTY_PIPE_NAPS_US = [0, 20, 50, 100, 200, 400, 800];
const nap = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));

/** Reads up to `len` bytes if there are any now (into the slab, or the scratch buffer); `closed` at the end. */
function readLentNow(pipe: LentPipe, len: bigint, keep: Keep = "kept"): Buffer | typeof NOT_LENT | typeof AGAIN {
  const size = Math.min(Number(len), MAX_READ);
  if (size <= 0) return NOT_LENT;
  if (keep === "transient" && scratch.byteLength < MAX_READ) scratch = Buffer.allocUnsafeSlow(MAX_READ);
  if (keep === "kept" && slabUsed + size > slab.byteLength) {
    slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
    slabUsed = 0;
  }
  const [target, at] = keep === "kept" ? [slab, slabUsed] : [scratch, 0];
  const bytes = onLent(pipe, (fd) => {
    try {
      return readSync(fd, target, at, size, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EAGAIN") return -1;
      throw error;
    }
  });
  if (bytes === NOT_LENT) return NOT_LENT;
  if (bytes < 0) return AGAIN;
  if (bytes === 0) throw closedError();
  if (keep === "kept") slabUsed += bytes;
  return target.subarray(at, at + bytes);
}

/**
 * Reads up to `len` bytes (at least one), into the slab or the scratch
 * buffer (`keep`); `closed` at the end.
 * Bytes that come within a short while are waited for here; after that the
 * worker makes the pipe blocking for one blocking read (two round trips, and
 * the pipe stays lent: handing it back would cost a round trip per read from
 * then on, and let the worker buffer what the guest has not asked for).
 */
function readLent(pipe: LentPipe, len: bigint, keep: Keep = "kept"): Buffer | typeof NOT_LENT {
  for (const pause of EMPTY_PIPE_NAPS_US) {
    if (pause > 0) Atomics.wait(nap, 0, 0, pause / 1000);
    const read = readLentNow(pipe, len, keep);
    if (read !== AGAIN) return read;
  }
  if (!callSpawner("lentPipeBlocking", pipe.fd, true)) return NOT_LENT;
  try {
    const read = readLentNow(pipe, len, keep);
    return read === AGAIN ? NOT_LENT : read;
  } finally {
    callSpawner("lentPipeBlocking", pipe.fd, false);
  }
}

export type Method<A extends unknown[], R> = (this: unknown, ...args: A) => R;

/**
 * Serves `read`, `skip` and their blocking forms from the lent pipe while it
 * is lent; once a lent read has met the end, every read says `closed` (the
 * worker, which never read the pipe, does not know it has ended).
 */
export function lentReads(stream: InputStream, pipe: LentPipe | undefined): InputStream {
  if (pipe === undefined) return stream;
  let ended = false;
  const previous = {
    read: stream.read as Method<[bigint], Uint8Array>,
    skip: stream.skip as Method<[bigint], bigint>,
    blockingRead: stream.blockingRead as Method<[bigint], Uint8Array>,
    blockingSkip: stream.blockingSkip as Method<[bigint], bigint>,
  };
  /** Runs a lent read (or the previous method), remembering the end. */
  const serve = <T>(lentRead: () => T | typeof NOT_LENT, fallback: () => T): T => {
    if (ended) throw closedError();
    try {
      const result = lentRead();
      return result === NOT_LENT ? fallback() : result;
    } catch (error) {
      if ((error as { tag?: string }).tag === "closed") ended = true;
      throw error;
    }
  };
  readEnds.set(stream, (len) => serve<Buffer | typeof NOT_LENT>(() => readLent(pipe, len, "transient"), () => NOT_LENT));
  return override(stream, {
    read: (len: bigint) =>
      serve<Uint8Array | typeof NOT_LENT>(() => {
        const read = readLentNow(pipe, len);
        return read === AGAIN ? new Uint8Array(0) : read;
      }, () => previous.read.call(stream, len)),
    skip: (len: bigint) =>
      serve<bigint | typeof NOT_LENT>(() => {
        const read = readLentNow(pipe, len, "transient");
        return read === AGAIN ? 0n : read === NOT_LENT ? NOT_LENT : BigInt(read.byteLength);
      }, () => previous.skip.call(stream, len)),
    blockingRead: (len: bigint) => serve(() => readLent(pipe, len), () => previous.blockingRead.call(stream, len)),
    blockingSkip: (len: bigint) =>
      serve(() => {
        const read = readLent(pipe, len, "transient");
        return read === NOT_LENT ? NOT_LENT : BigInt(read.byteLength);
      }, () => previous.blockingSkip.call(stream, len)),
  });
}
