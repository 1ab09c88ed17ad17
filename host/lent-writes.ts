/**
 * A child's stdin written by the calling thread itself, with write(2) on the
 * pipe the I/O worker lent it (spawner/lent-pipes.ts): `check-write`, `write`
 * and `flush` cost no round trip to the worker (the shim makes one each), and
 * the blocking writes and splices one system call.
 *
 * The pipe stays non-blocking. `check-write` permits a full buffer while
 * nothing waits here; a `write` puts into the pipe what it takes now and
 * keeps the rest (at most that one permit), and `check-write` says 0 until it
 * is in. A guest that then waits (`subscribe`) hands the rest, and the pipe,
 * to the worker, which waits for room as before; so do a drop, and any call
 * once the worker has taken the pipe back. From then on the shim's methods
 * serve every call, so its errors are its own, until a `check-write` finds
 * that the worker has written all it was given: the pipe is lent again.
 */
import { writeSync } from "node:fs";
import type { InputStream, OutputStream } from "@bytecodealliance/preview2-shim/interfaces/wasi-io-streams";
import { override, StreamTrap } from "./child-streams.js";
import { AGAIN, blockingReadLent, type LentPipe, type Method, NOT_LENT, onLent } from "./lent-io.js";
import { callSpawner } from "./spawner/client.js";
import { isLent } from "./spawner/lent-pipes.js";

/** What `check-write` permits on a lent pipe: as much as the shim buffers for a child's stdin. */
const PERMIT = 64 * 1024;

/** Zeroes for `write-zeroes`, never written to. */
const ZEROES = new Uint8Array(PERMIT);

function joined(first: Uint8Array, second: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(first.byteLength + second.byteLength);
  bytes.set(first);
  bytes.set(second, first.byteLength);
  return bytes;
}

/** Writes what the non-blocking pipe takes now: how many bytes, `AGAIN` if none, `NOT_LENT` if not lent or failed. */
function writeNow(pipe: LentPipe, bytes: Uint8Array): number | typeof AGAIN | typeof NOT_LENT {
  if (bytes.byteLength === 0) return 0;
  return onLent(pipe, (fd) => {
    try {
      return writeSync(fd, bytes);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EAGAIN") return AGAIN;
      throw error;
    }
  });
}

/** The shim's methods of the stream (those `lentWrites` replaces). */
interface ShimWrites {
  checkWrite: Method<[], bigint>;
  write: Method<[Uint8Array], void>;
  flush: Method<[], void>;
  blockingFlush: Method<[], void>;
  blockingWriteAndFlush: Method<[Uint8Array], void>;
  blockingSplice: Method<[InputStream, bigint], bigint>;
  writeZeroes: Method<[bigint], void>;
  blockingWriteZeroesAndFlush: Method<[bigint], void>;
  subscribe: Method<[], unknown>;
  dispose: Method<[], void>;
}

/** One lent stdin: the bytes written but not yet in the pipe, the permit, and whether the worker has it now. */
class LentStdin {
  readonly #pipe: LentPipe;
  readonly #shim: ShimWrites;
  readonly #stream: OutputStream;
  readonly #lendAgain: () => boolean;
  /** Bytes the writes were permitted that the pipe did not take yet (at most one permit). */
  #pending: Uint8Array | undefined;
  #permit = 0;
  #handedOver = false;
  /** Whether the pipe is blocking now: from a blocking write that found it full until the next non-blocking call. */
  #blocking = false;

  constructor(stream: OutputStream, pipe: LentPipe, shim: ShimWrites, lendAgain: () => boolean) {
    this.#stream = stream;
    this.#pipe = pipe;
    this.#shim = shim;
    this.#lendAgain = lendAgain;
  }

  /** Whether this thread still writes the pipe itself (else the shim serves every call, after `handOver`). */
  get lent(): boolean {
    if (this.#handedOver) return false;
    if (isLent(this.#pipe.flags, this.#pipe.slot)) return true;
    this.handOver();
    return false;
  }

  checkWrite(): bigint {
    this.#drainOrHandOver();
    if (this.#handedOver) return this.#checkWriteHandedOver();
    this.#permit = this.#pending === undefined ? PERMIT : 0;
    return BigInt(this.#permit);
  }

  /** The shim's check-write; when it permits a whole buffer, the worker has written everything: the pipe can be lent again. */
  #checkWriteHandedOver(): bigint {
    const permit = this.#shim.checkWrite.call(this.#stream);
    if (permit !== BigInt(PERMIT) || !this.#lendAgain()) return permit;
    this.#handedOver = false;
    this.#permit = PERMIT;
    return permit;
  }

  write(contents: Uint8Array): void {
    // Handed over, the permit was the shim's check-write's; else ours (if the worker has taken the pipe back since, the shim gets the bytes below).
    if (this.#handedOver) return this.#shim.write.call(this.#stream, contents);
    if (contents.byteLength > this.#permit) {
      throw new StreamTrap(`a write of ${contents.byteLength} bytes exceeds the ${this.#permit} that check-write permitted`);
    }
    this.#permit -= contents.byteLength;
    if (contents.byteLength === 0) return;
    this.#drainOrHandOver();
    // Permitted, so taken: behind what is pending, wherever that is now. (Copied: the caller's buffer is not ours to keep.)
    if (this.#handedOver) return this.#toShim(contents);
    if (this.#pending !== undefined) return void (this.#pending = joined(this.#pending, contents));
    const written = writeNow(this.#pipe, contents);
    if (written === NOT_LENT) {
      // Reclaimed, or the write failed (the child closed its end): the shim takes the bytes and reports why.
      this.handOver();
      return this.#toShim(contents);
    }
    const taken = written === AGAIN ? 0 : written;
    if (taken < contents.byteLength) this.#pending = contents.slice(taken);
  }

  flush(): void {
    this.#drainOrHandOver();
    // Nothing of ours left: what was written is in the pipe, and there is nothing to flush.
    if (this.#handedOver) this.#shim.flush.call(this.#stream);
  }

  blockingFlush(): void {
    if (this.lent && this.#pending !== undefined) this.handOver();
    if (this.#handedOver) this.#shim.blockingFlush.call(this.#stream);
  }

  blockingWriteAndFlush(contents: Uint8Array): void {
    if (this.lent && this.#pending !== undefined) this.handOver();
    if (this.#handedOver) return this.#shim.blockingWriteAndFlush.call(this.#stream, contents);
    const written = this.#writeAll(contents);
    // The rest goes through the shim, which reports why the pipe failed.
    if (written < contents.byteLength) {
      this.handOver();
      this.#shim.blockingWriteAndFlush.call(this.#stream, contents.subarray(written));
    }
  }

  blockingSplice(source: InputStream, len: bigint): bigint {
    if (this.lent && this.#pending !== undefined) this.handOver();
    if (this.#handedOver) return this.#shim.blockingSplice.call(this.#stream, source, len);
    const read = blockingReadLent(source, len);
    if (read === NOT_LENT) {
      this.handOver();
      return this.#shim.blockingSplice.call(this.#stream, source, len);
    }
    this.blockingWriteAndFlush(read);
    return BigInt(read.byteLength);
  }

  writeZeroes(len: bigint): void {
    if (this.#handedOver) return this.#shim.writeZeroes.call(this.#stream, len);
    const bytes = Number(len);
    // Over the permit, `write` traps as it should; ZEROES is as long as any permit.
    this.write(bytes <= ZEROES.byteLength ? ZEROES.subarray(0, bytes) : new Uint8Array(bytes));
  }

  blockingWriteZeroesAndFlush(len: bigint): void {
    let left = Number(len);
    do {
      if (!this.lent) return this.#shim.blockingWriteZeroesAndFlush.call(this.#stream, BigInt(left));
      const bytes = Math.min(left, ZEROES.byteLength);
      this.blockingWriteAndFlush(ZEROES.subarray(0, bytes));
      left -= bytes;
    } while (left > 0);
  }

  subscribe(): unknown {
    // Waiting for room is the worker's: it gets what is left to write, and the pipe.
    if (!this.#handedOver && this.#pending !== undefined) this.#handOverQuietly();
    return this.#shim.subscribe.call(this.#stream);
  }

  dispose(): void {
    // The child reads every byte before end-of-file: what is left goes to the worker, which ends the pipe after it.
    if (!this.#handedOver && this.#pending !== undefined) this.#handOverQuietly();
    this.#shim.dispose.call(this.#stream);
  }

  /**
   * Writes all of `bytes`; how many were written before the pipe stopped being
   * lent or failed. A pipe found full is made blocking by the worker (a round
   * trip) and left so for the blocking writes that follow (a splice loop): the
   * kernel then wakes this thread when there is room, where waiting here would
   * sleep in steps no finer than the timer slack (about 50 µs).
   */
  #writeAll(bytes: Uint8Array): number {
    let offset = 0;
    while (offset < bytes.byteLength) {
      const written = writeNow(this.#pipe, bytes.subarray(offset));
      if (written === NOT_LENT) break;
      if (written === AGAIN) {
        if (!this.#setBlocking(true)) break;
        continue;
      }
      offset += written;
    }
    return offset;
  }

  /**
   * Writes what is pending as far as the pipe takes it now (non-blocking
   * again, if a blocking write left it blocking); hands over if the worker
   * has taken the pipe back.
   */
  #drainOrHandOver(): void {
    if (this.#handedOver) return;
    if (this.lent && this.#setBlocking(false)) this.#drain();
    else this.handOver();
  }

  #setBlocking(blocking: boolean): boolean {
    if (this.#blocking === blocking) return true;
    if (!callSpawner("lentPipeBlocking", this.#pipe.fd, blocking)) return false;
    this.#blocking = blocking;
    return true;
  }

  #drain(): void {
    const pending = this.#pending;
    if (pending === undefined) return;
    const written = writeNow(this.#pipe, pending);
    if (written === NOT_LENT) return this.handOver();
    const taken = written === AGAIN ? 0 : written;
    this.#pending = taken === pending.byteLength ? undefined : pending.subarray(taken);
  }

  /**
   * From now on the shim serves every call: it gets the bytes not yet
   * written first (its buffer, empty while the pipe was lent, holds a whole
   * permit). Throws what the shim says if it cannot take them (the child is gone).
   */
  handOver(): void {
    if (this.#handedOver) return;
    this.#handedOver = true;
    // The worker makes the pipe non-blocking when it takes it, before anything else.
    this.#blocking = false;
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending !== undefined) this.#toShim(pending);
  }

  /** Bytes already permitted, to the shim (its buffer holds a whole permit, so it waits for room only after a failure). */
  #toShim(bytes: Uint8Array): void {
    if (Number(this.#shim.checkWrite.call(this.#stream)) >= bytes.byteLength) this.#shim.write.call(this.#stream, bytes);
    else this.#shim.blockingWriteAndFlush.call(this.#stream, bytes);
  }

  /** `handOver` where an error cannot be reported (the shim's stream reports it at the next call). */
  #handOverQuietly(): void {
    try {
      this.handOver();
    } catch {
      // The stream has failed; its next check-write or flush says why.
    }
  }
}

/** Serves the writes of a child's stdin on its lent pipe while it is lent (see above). */
export function lentWrites(stream: OutputStream, pipe: LentPipe | undefined, lendAgain: () => boolean): OutputStream {
  if (pipe === undefined) return stream;
  const own = stream as unknown as ShimWrites & Disposable;
  const shim: ShimWrites = {
    checkWrite: own.checkWrite,
    write: own.write,
    flush: own.flush,
    blockingFlush: own.blockingFlush,
    blockingWriteAndFlush: own.blockingWriteAndFlush,
    blockingSplice: own.blockingSplice,
    writeZeroes: own.writeZeroes,
    blockingWriteZeroesAndFlush: own.blockingWriteZeroesAndFlush,
    subscribe: own.subscribe,
    dispose: own[Symbol.dispose],
  };
  const lent = new LentStdin(stream, pipe, shim, lendAgain);
  return override(stream, {
    checkWrite: () => lent.checkWrite(),
    write: (contents: Uint8Array) => lent.write(contents),
    flush: () => lent.flush(),
    blockingFlush: () => lent.blockingFlush(),
    blockingWriteAndFlush: (contents: Uint8Array) => lent.blockingWriteAndFlush(contents),
    blockingSplice: (source: InputStream, len: bigint) => lent.blockingSplice(source, len),
    writeZeroes: (len: bigint) => lent.writeZeroes(len),
    blockingWriteZeroesAndFlush: (len: bigint) => lent.blockingWriteZeroesAndFlush(len),
    subscribe: () => lent.subscribe(),
    [Symbol.dispose]: () => lent.dispose(),
  });
}
