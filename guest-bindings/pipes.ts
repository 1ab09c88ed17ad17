/** A child's pipes as the guest module reads and writes them: `wasi:io` streams underneath. */
import type { Pollable } from "wasi:io/poll@0.2.12";
import type { InputStream, OutputStream } from "wasi:io/streams@0.2.12";
import { ProcessError, streamFailure } from "./errors.js";
import { waitReady } from "./waiting.js";

const READ_SIZE = 64 * 1024;

/**
 * Reads one child pipe; releases the stream at its end.
 * @internal
 */
export class PipeReader {
  #stream: InputStream | undefined;
  /** Whether the child's stream was piped at all. */
  readonly piped: boolean;
  readonly #what: string;
  readonly #cooperative: boolean;

  constructor(stream: InputStream | undefined, what: string, cooperative: boolean) {
    this.#stream = stream;
    this.piped = stream !== undefined;
    this.#what = what;
    this.#cooperative = cooperative;
  }

  /** Whether more may come. */
  get open(): boolean {
    return this.#stream !== undefined;
  }

  /** The next chunk, or `undefined` at end of stream. */
  async next(): Promise<Uint8Array | undefined> {
    if (!this.#cooperative) return this.#blockingRead();
    for (;;) {
      const chunk = this.tryRead();
      if (chunk === undefined || chunk.byteLength > 0) return chunk;
      const ready = this.subscribe() as Pollable;
      try {
        await waitReady([ready], true);
      } finally {
        ready[Symbol.dispose]();
      }
    }
  }

  /** What is there now without waiting: bytes (maybe none), or `undefined` at end of stream. */
  tryRead(): Uint8Array | undefined {
    const stream = this.#stream;
    if (stream === undefined) return undefined;
    try {
      return stream.read(BigInt(READ_SIZE));
    } catch (error) {
      return this.#ended(error);
    }
  }

  /** A pollable, ready when `tryRead` has something (or the end) to return; `undefined` once ended. */
  subscribe(): Pollable | undefined {
    return this.#stream?.subscribe();
  }

  close(): void {
    this.#stream?.[Symbol.dispose]();
    this.#stream = undefined;
  }

  /** Hands the stream over (to become another child's stdin); this reader is then at its end. */
  detach(): InputStream | undefined {
    const stream = this.#stream;
    this.#stream = undefined;
    return stream;
  }

  #blockingRead(): Uint8Array | undefined {
    const stream = this.#stream;
    if (stream === undefined) return undefined;
    for (;;) {
      let chunk: Uint8Array;
      try {
        chunk = stream.blockingRead(BigInt(READ_SIZE));
      } catch (error) {
        return this.#ended(error);
      }
      if (chunk.byteLength > 0) return chunk;
    }
  }

  #ended(error: unknown): undefined {
    this.close();
    const failure = streamFailure(error);
    if (failure.closed) return undefined;
    throw new ProcessError("io", `Cannot read ${this.#what}: ${failure.reason}`);
  }
}

/** A child's stdin. Get it as `child.stdin`. */
export class StdinWriter {
  #stream: OutputStream | undefined;
  readonly #what: string;
  readonly #cooperative: boolean;

  /** @internal */
  constructor(stream: OutputStream | undefined, what: string, cooperative: boolean) {
    this.#stream = stream;
    this.#what = what;
    this.#cooperative = cooperative;
  }

  /**
   * Writes all of `data` (a string as UTF-8), waiting while the pipe is full,
   * and resolves once the pipe has taken it (as Node's `stdin.write` calls
   * back). Fails with `Io` (4000) if stdin is not piped or closed, or the
   * child has closed its end before the bytes were taken.
   */
  async write(data: string | Uint8Array): Promise<void> {
    const stream = this.#stream;
    if (stream === undefined) throw new ProcessError("io", `Cannot write to ${this.#what}: it is closed or not piped`);
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    try {
      for (let offset = 0; offset < bytes.byteLength;) {
        const room = Number(stream.checkWrite());
        if (room === 0) {
          const ready = stream.subscribe();
          try {
            await waitReady([ready], this.#cooperative);
          } finally {
            ready[Symbol.dispose]();
          }
          continue;
        }
        const end = Math.min(bytes.byteLength, offset + room);
        stream.write(bytes.subarray(offset, end));
        offset = end;
      }
      // No flush: the shim flushes by writing zero bytes, which fails once a
      // child that read everything has exited; closing the stream (drop)
      // still ends it only after every byte is written.
    } catch (error) {
      throw new ProcessError("io", `Cannot write to ${this.#what}: ${streamFailure(error).reason}`);
    }
  }

  /** Closes the child's stdin, so that it reads end-of-file. Closing again does nothing. */
  async close(): Promise<void> {
    this.#stream?.[Symbol.dispose]();
    this.#stream = undefined;
  }
}
