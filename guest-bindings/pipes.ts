/** A child's pipes as the guest module reads and writes them: `wasi:io` streams underneath, waits through the reactor. */
import type { InputStream, OutputStream } from "wasi:io/streams@0.2.12";
import { ProcessError, streamFailure } from "./errors.js";
import { waitFor, yieldIfBusy } from "./reactor.js";

const READ_SIZE = 64 * 1024;

/** What a lone wait's blocking read found: bytes, or the end (`undefined`). */
interface BlockedRead {
  chunk: Uint8Array | undefined;
}

/**
 * Reads one child pipe; releases the stream at its end. Bytes a line
 * iterator took but did not hand out are put back (`unread`) and come first.
 * @internal
 */
export class PipeReader {
  #stream: InputStream | undefined;
  #unread: Uint8Array[] = [];
  /** Whether the child's stream was piped at all. */
  readonly piped: boolean;
  readonly #what: string;

  constructor(stream: InputStream | undefined, what: string) {
    this.#stream = stream;
    this.piped = stream !== undefined;
    this.#what = what;
  }

  /** Whether more may come. */
  get open(): boolean {
    return this.#unread.length > 0 || this.#stream !== undefined;
  }

  /** The next chunk, or `undefined` at end of stream; while none is there, other tasks and timers run. */
  async next(): Promise<Uint8Array | undefined> {
    for (;;) {
      const chunk = this.tryRead();
      if (chunk === undefined) return undefined;
      if (chunk.byteLength > 0) {
        await yieldIfBusy();
        return chunk;
      }
      const stream = this.#stream as InputStream;
      const waited = await waitFor(() => [stream.subscribe()], (): BlockedRead => ({ chunk: this.#blockingRead() }));
      if (typeof waited === "object") return waited.chunk;
    }
  }

  /** What is there now without waiting: bytes (maybe none), or `undefined` at end of stream. */
  tryRead(): Uint8Array | undefined {
    const unread = this.#unread.shift();
    if (unread !== undefined) return unread;
    const stream = this.#stream;
    if (stream === undefined) return undefined;
    try {
      return stream.read(BigInt(READ_SIZE));
    } catch (error) {
      return this.#ended(error);
    }
  }

  /** Puts bytes back in front of what is still to be read, in their order. */
  unread(bytes: Uint8Array[]): void {
    this.#unread.unshift(...bytes.filter((chunk) => chunk.byteLength > 0));
  }

  /** The stream, to wait on it together with others; `undefined` once ended or when bytes were put back. */
  get pollableStream(): InputStream | undefined {
    return this.#unread.length > 0 ? undefined : this.#stream;
  }

  close(): void {
    this.#stream?.[Symbol.dispose]();
    this.#stream = undefined;
    this.#unread = [];
  }

  /**
   * Hands the stream over (to become another child's stdin) with the bytes put
   * back before it; this reader is then at its end.
   */
  detach(): { stream: InputStream; unread: Uint8Array[] } | undefined {
    const stream = this.#stream;
    const unread = this.#unread;
    this.#stream = undefined;
    this.#unread = [];
    return stream === undefined ? undefined : { stream, unread };
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
  /** The writes (and the close) that had to wait, run one after another in call order (as Node queues them). */
  #queue: Promise<void> = Promise.resolve();
  /** How many of them are still queued: while any is, a new write waits its turn. */
  #queued = 0;
  #closing = false;
  /** What the last `check-write` permitted and the writes since have not used: writes within it need no new check. */
  #permit = 0;

  /** @internal */
  constructor(stream: OutputStream | undefined, what: string) {
    this.#stream = stream;
    this.#what = what;
  }

  /**
   * Writes all of `data` (a string as UTF-8), waiting while the pipe is full
   * (other tasks and timers run meanwhile), and resolves once the pipe has
   * taken it (as Node's `stdin.write` calls back). Writes made without
   * waiting for each other go in the order they were made. Fails with `Io`
   * (4000) if stdin is not piped or closed, or the child has closed its end
   * before the bytes were taken.
   */
  write(data: string | Uint8Array): Promise<void> {
    const stream = this.#stream;
    if (stream === undefined || this.#closing) {
      return Promise.reject(new ProcessError("io", `Cannot write to ${this.#what}: it is closed or not piped`));
    }
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    if (this.#queued > 0) return this.#enqueue(() => this.#writeAll(stream, bytes, 0));
    // Nothing queued: write what the pipe takes now, without a promise job per step.
    let offset: number;
    try {
      offset = this.#writeSome(stream, bytes, 0);
    } catch (error) {
      return Promise.reject(this.#failure(error));
    }
    if (offset < bytes.byteLength) return this.#enqueue(() => this.#writeAll(stream, bytes, offset));
    return yieldIfBusy() ?? DONE;
  }

  /** Closes the child's stdin once the writes before it are done, so that it reads end-of-file. Closing again does nothing. */
  close(): Promise<void> {
    this.#closing = true;
    const close = () => {
      this.#stream?.[Symbol.dispose]();
      this.#stream = undefined;
    };
    if (this.#queued === 0) {
      close();
      return DONE;
    }
    return this.#enqueue(async () => close());
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    this.#queued++;
    const run = this.#queue.then(task).finally(() => this.#queued--);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Writes from `offset` as far as the pipe has room; returns where it stopped.
   * No flush: the shim flushes by writing zero bytes, which fails once a child
   * that read everything has exited; closing the stream (drop) still ends it
   * only after every byte is written.
   */
  #writeSome(stream: OutputStream, bytes: Uint8Array, offset: number): number {
    while (offset < bytes.byteLength) {
      // A check per write would double the import calls of small writes; what is left of the permit is enough.
      if (this.#permit < bytes.byteLength - offset) this.#permit = Number(stream.checkWrite());
      if (this.#permit === 0) return offset;
      const end = Math.min(bytes.byteLength, offset + this.#permit);
      stream.write(bytes.subarray(offset, end));
      this.#permit -= end - offset;
      offset = end;
    }
    return offset;
  }

  async #writeAll(stream: OutputStream, bytes: Uint8Array, offset: number): Promise<void> {
    try {
      for (offset = this.#writeSome(stream, bytes, offset); offset < bytes.byteLength; offset = this.#writeSome(stream, bytes, offset)) {
        await waitFor(() => [stream.subscribe()]);
      }
    } catch (error) {
      throw this.#failure(error);
    }
    await yieldIfBusy();
  }

  #failure(error: unknown): ProcessError {
    if (error instanceof ProcessError) return error;
    return new ProcessError("io", `Cannot write to ${this.#what}: ${streamFailure(error).reason}`);
  }
}

const DONE: Promise<void> = Promise.resolve();
const encoder = new TextEncoder();
