/**
 * A child's pipes as the guest holds them: preview2-shim's wasi:io streams,
 * with three corrections made on each stream object (jco calls the object's
 * own methods):
 *
 * - a stdout or stderr the guest drops is closed at once (as closing a pipe's
 *   read end does on Unix), instead of lingering, full, until the child blocks;
 * - a write past what `check-write` permitted is a trap of the guest, as the
 *   WASI contract says, not an exit of the whole host process (the shim treats
 *   that trap as fatal: `process.exit(1)`), and `blocking-write-and-flush`
 *   accepts any length by waiting for room, where the shim would exit once
 *   the pipe's buffer is full;
 * - `skip` and `blocking-skip` return the number of bytes skipped.
 *
 * Besides, `write-zeroes` may be handed to another implementation
 * (`writeZeroesWith`).
 */
import type { InputStream, OutputStream } from "@bytecodealliance/preview2-shim/interfaces/wasi-io-streams";

/** Replaces methods on one stream object (jco calls the object's own methods). */
export function override<T extends object>(target: T, methods: Record<PropertyKey, (...args: never[]) => unknown>): T {
  for (const key of Reflect.ownKeys(methods)) {
    Object.defineProperty(target, key, { configurable: true, writable: true, value: methods[key as string] });
  }
  return target;
}

/** Thrown through jco into the guest: a trap, which ends the guest's call, never the host. */
export class StreamTrap extends Error {
  constructor(message: string) {
    super(`wasi:io trap: ${message}`);
    this.name = "StreamTrap";
  }
}

/**
 * jco drops a host resource by calling its `Symbol.dispose`; this runs the
 * shim's disposal, then `close`. (Only an explicit drop reaches it; a stream
 * the garbage collector finalizes goes when its instance is closed.)
 */
export function closeWhenDropped(stream: InputStream, close: () => void): InputStream {
  const dispose = (stream as unknown as Disposable)[Symbol.dispose];
  return override(stream, {
    [Symbol.dispose]() {
      dispose.call(stream);
      close();
    },
  });
}

/** `skip`/`blocking-skip` over the shim's reads (its own return bytes where a count is due). */
export function countedSkips(stream: InputStream): InputStream {
  const proto = Object.getPrototypeOf(stream) as InputStream;
  return override(stream, {
    skip: (len: bigint) => BigInt(proto.read.call(stream, len).byteLength),
    blockingSkip: (len: bigint) => BigInt(proto.blockingRead.call(stream, len).byteLength),
  });
}

/**
 * `write-zeroes` through `write`, which returns false, having written nothing,
 * where the shim's own call must answer (and report why it fails).
 */
export function writeZeroesWith(stream: OutputStream, write: (len: number) => boolean): OutputStream {
  const writeZeroes = stream.writeZeroes;
  return override(stream, {
    writeZeroes(len: bigint) {
      if (!write(Number(len))) writeZeroes.call(stream, len);
    },
  });
}

/** Enforces check-write's permit on writes, and makes the blocking writes wait for room. */
export function permittedWrites(stream: OutputStream): OutputStream {
  const proto = Object.getPrototypeOf(stream) as OutputStream;
  // The stream's own, where writeZeroesWith has replaced the shim's.
  const writeZeroes = stream.writeZeroes;
  let permit = 0;
  const spend = (bytes: number) => {
    if (bytes > permit) throw new StreamTrap(`a write of ${bytes} bytes exceeds the ${permit} that check-write permitted`);
    permit -= bytes;
  };
  /** Waits until the pipe takes more; returns how much. */
  const room = (): number => {
    for (;;) {
      permit = Number(proto.checkWrite.call(stream));
      if (permit > 0) return permit;
      const ready = proto.subscribe.call(stream);
      try {
        ready.block();
      } finally {
        (ready as unknown as Disposable)[Symbol.dispose]();
      }
    }
  };
  return override(stream, {
    checkWrite() {
      const allowed = proto.checkWrite.call(stream);
      permit = Number(allowed);
      return allowed;
    },
    write(contents: Uint8Array) {
      spend(contents.byteLength);
      return proto.write.call(stream, contents);
    },
    writeZeroes(len: bigint) {
      spend(Number(len));
      return writeZeroes.call(stream, len);
    },
    // The last piece goes with the shim's own write-and-flush, in one call: a child
    // that exits as soon as it has the bytes must not turn a separate flush into an error.
    blockingWriteAndFlush(contents: Uint8Array) {
      for (let offset = 0; ;) {
        const end = Math.min(contents.byteLength, offset + room());
        spend(end - offset);
        const piece = contents.subarray(offset, end);
        if (end === contents.byteLength) return void proto.blockingWriteAndFlush.call(stream, piece);
        proto.write.call(stream, piece);
        offset = end;
      }
    },
    blockingWriteZeroesAndFlush(len: bigint) {
      for (let left = Number(len); ;) {
        const bytes = Math.min(left, room());
        spend(bytes);
        if (bytes === left) return void proto.blockingWriteZeroesAndFlush.call(stream, BigInt(bytes));
        writeZeroes.call(stream, BigInt(bytes));
        left -= bytes;
      }
    },
  });
}
