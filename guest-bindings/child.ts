/** A running child as the guest module presents it: line streams, stdin, wait, kill, status. */
import type * as raw from "host:process/process@0.1.0";
import type { InputStream } from "wasi:io/streams@0.2.12";
import { call, ProcessError } from "./errors.js";
import { LineSplitter } from "./lines.js";
import { PipeReader, StdinWriter } from "./pipes.js";
import { waitFor, yieldIfBusy } from "./reactor.js";

/** How a child ended. */
export interface ExitStatus {
  /** The exit code, or `null` if a signal ended the child. */
  code: number | null;
  /** True when the exit code is 0. */
  success: boolean;
  /** The signal that ended the child, e.g. `"SIGKILL"`, or `null`. */
  signal: string | null;
}

/** A snapshot of a child, taken without blocking. */
export interface ProcessStatus {
  /** Whether the child is still running. */
  running: boolean;
  /** The exit code once the child has exited normally, else `null`. */
  exitCode: number | null;
  /** The signal that ended the child, or `null`. */
  signal: string | null;
}

/** One chunk read from a child's stdout or stderr. */
export interface ReadResult {
  /** The bytes read (empty at end of stream). */
  data: Uint8Array;
  /** True once the stream has ended; `data` is then empty. */
  eof: boolean;
}

/** How `spawn({ stdin: other.stdout })` takes the pipe under a LineStream. */
const pipeOf = new WeakMap<LineStream, PipeReader>();

/**
 * The stream under `lines`, to become another child's stdin; fails if it is
 * not a single piped stream or has already been read to its end.
 * @internal
 */
export function detachPipe(lines: LineStream): { stream: InputStream; unread: Uint8Array[] } {
  const stream = pipeOf.get(lines)?.detach();
  if (stream === undefined) {
    throw new ProcessError("invalid-argument", "Only a child's piped stdout or stderr, not yet read to its end (nor `all`), can become another child's stdin");
  }
  return stream;
}

/**
 * Lines of a child's output: iterate it with `for await`. Each line comes
 * without its `"\n"` or `"\r\n"`; a last line without a newline is kept.
 * Lines are handed out as they arrive: only the current, unfinished line is
 * held, never the whole output.
 *
 * ```ts
 * for await (const line of child.stdout) console.log(line);
 * ```
 */
export class LineStream implements AsyncIterable<string> {
  readonly #lines: () => AsyncIterator<string>;
  readonly #notPiped: string | undefined;

  /** @internal */
  constructor(lines: () => AsyncIterator<string>, notPiped?: string) {
    this.#lines = lines;
    this.#notPiped = notPiped;
  }

  /** Iterates the lines; fails with `InvalidArgument` (4006) if the stream was not piped. */
  [Symbol.asyncIterator](): AsyncIterator<string> {
    const notPiped = this.#notPiped;
    if (notPiped === undefined) return this.#lines();
    return { next: () => Promise.reject(new ProcessError("invalid-argument", notPiped)) };
  }
}

/**
 * Hands out lines from batches: one settled promise per line and none of an
 * async generator's machinery, which costs about 90 µs a line in
 * componentize-js 0.23's engine (this costs about 25 µs).
 */
class LineIterator implements AsyncIterator<string> {
  readonly #fill: () => Promise<string[] | undefined>;
  readonly #putBack: (consumed: number, batch: number) => void;
  #batch: string[] = [];
  #next = 0;
  #done = false;

  constructor(fill: () => Promise<string[] | undefined>, putBack: (consumed: number, batch: number) => void) {
    this.#fill = fill;
    this.#putBack = putBack;
  }

  async next(): Promise<IteratorResult<string, undefined>> {
    while (this.#next >= this.#batch.length) {
      const batch = this.#done ? undefined : await this.#fill();
      if (batch === undefined) {
        this.#done = true;
        return { done: true, value: undefined };
      }
      this.#batch = batch;
      this.#next = 0;
    }
    return { done: false, value: this.#batch[this.#next++] as string };
  }

  /** `break` out of `for await`: every byte not handed out as a line stays readable (`readStdout`, another child's stdin). */
  async return(): Promise<IteratorResult<string, undefined>> {
    if (!this.#done) this.#putBack(this.#next, this.#batch.length);
    this.#done = true;
    this.#batch = [];
    return { done: true, value: undefined };
  }
}

/** The lines of one pipe, a batch per chunk read. */
function readLines(reader: PipeReader): LineIterator {
  const splitter = new LineSplitter();
  let ended = false;
  const fill = async (): Promise<string[] | undefined> => {
    while (!ended) {
      const chunk = await reader.next();
      if (chunk === undefined) {
        ended = true;
        const last = splitter.end();
        return last === undefined ? undefined : [last];
      }
      const lines = splitter.push(chunk);
      if (lines.length > 0) return lines;
    }
    return undefined;
  };
  return new LineIterator(fill, (consumed, batch) => reader.unread(splitter.rest(consumed, batch)));
}

/** Lines of several pipes in the order their bytes reach the guest (one wait over all of them). */
function mergeLines(readers: PipeReader[]): LineIterator {
  const splitters = readers.map(() => new LineSplitter());
  const ended = readers.map(() => false);
  /** Batches read and not yet handed out, one at most per reader (a reader is read again once its batch went out). */
  const queue: { reader: number; lines: string[] }[] = [];
  /** The reader whose lines the current batch holds. */
  let source = -1;
  const queued = (index: number) => queue.some((batch) => batch.reader === index);
  /** One pass over every open reader whose last batch went out; whether anything was there (bytes or an end). */
  const gather = (): boolean => {
    let progressed = false;
    for (const [index, reader] of readers.entries()) {
      if (ended[index] || queued(index)) continue;
      const splitter = splitters[index] as LineSplitter;
      const chunk = reader.tryRead();
      const lines = chunk === undefined ? endOf(index) : chunk.byteLength > 0 ? splitter.push(chunk) : undefined;
      if (lines === undefined) continue;
      progressed = true;
      if (lines.length > 0) queue.push({ reader: index, lines });
    }
    return progressed;
  };
  const endOf = (index: number): string[] => {
    ended[index] = true;
    const last = (splitters[index] as LineSplitter).end();
    return last === undefined ? [] : [last];
  };
  const fill = async (): Promise<string[] | undefined> => {
    for (;;) {
      const next = queue.shift();
      if (next !== undefined) {
        source = next.reader;
        await yieldIfBusy();
        return next.lines;
      }
      if (ended.every(Boolean)) return undefined;
      if (gather()) continue;
      const streams = readers.filter((_, index) => !ended[index]).map((reader) => reader.pollableStream);
      if (streams.includes(undefined) || streams.length === 0) continue;
      await waitFor(() => (streams as InputStream[]).map((stream) => stream.subscribe()));
    }
  };
  return new LineIterator(fill, (consumed, batch) => {
    readers.forEach((reader, index) => {
      const splitter = splitters[index] as LineSplitter;
      // The batch being handed out, one read but not handed out yet, or only the unfinished line.
      const waiting = queue.find((pending) => pending.reader === index);
      if (index === source && waiting === undefined) reader.unread(splitter.rest(consumed, batch));
      else if (waiting !== undefined) reader.unread(splitter.rest(0, waiting.lines.length));
      else reader.unread(splitter.rest());
    });
  });
}

/** @internal */
export function toExitStatus(status: raw.ExitStatus): ExitStatus {
  const code = status.code ?? null;
  return { code, success: code === 0, signal: status.signal ?? null };
}

function readResult(chunk: Uint8Array | undefined): ReadResult {
  return chunk === undefined ? { data: new Uint8Array(0), eof: true } : { data: chunk, eof: false };
}

/** How `spawn` set up a child. @internal */
export interface ChildSetup {
  command: string;
  stdout: raw.Stdio;
  stderr: raw.Stdio;
  signal?: AbortSignal | undefined;
  killSignal: string;
}

/** A running (or finished) child process, as `spawn` returns it. */
export class ChildProcess {
  /** A number unique among this component's children. */
  readonly id: number;
  /** The operating system's process id. */
  readonly pid: number;
  /** The command as the guest named it. */
  readonly command: string;
  /** Lines of the child's stdout (when piped). */
  readonly stdout: LineStream;
  /** Lines of the child's stderr (when piped). */
  readonly stderr: LineStream;
  /**
   * Lines of stdout and stderr together, in the order they reach the guest
   * (whichever pipe has data first is read first; a line is never cut by the
   * other stream's output). Read either `all` or `stdout`/`stderr`, not both.
   */
  readonly all: LineStream;
  /** The child's stdin (when piped). */
  readonly stdin: StdinWriter;
  #child: raw.Child | undefined;
  #exit: Promise<ExitStatus> | undefined;
  #exited: ExitStatus | undefined;
  readonly #stdoutReader: PipeReader;
  readonly #stderrReader: PipeReader;
  #forgetAbort: () => void = () => {};

  /** @internal */
  constructor(child: raw.Child, setup: ChildSetup) {
    const { command, signal } = setup;
    this.#child = child;
    this.command = command;
    this.id = child.id();
    this.pid = child.pid();
    this.#stdoutReader = new PipeReader(child.takeStdout(), `the stdout of \`${command}\``);
    this.#stderrReader = new PipeReader(child.takeStderr(), `the stderr of \`${command}\``);
    const notPiped = (name: "stdout" | "stderr") =>
      `The ${name} of \`${command}\` is not piped; spawn it with { ${name}: "piped" }`;
    this.stdout = new LineStream(() => readLines(this.#stdoutReader), setup.stdout === "piped" ? undefined : notPiped("stdout"));
    this.stderr = new LineStream(() => readLines(this.#stderrReader), setup.stderr === "piped" ? undefined : notPiped("stderr"));
    pipeOf.set(this.stdout, this.#stdoutReader);
    pipeOf.set(this.stderr, this.#stderrReader);
    this.all = new LineStream(
      () => mergeLines([this.#stdoutReader, this.#stderrReader]),
      setup.stdout === "piped" || setup.stderr === "piped" ? undefined : `Neither stdout nor stderr of \`${command}\` is piped`,
    );
    this.stdin = new StdinWriter(child.takeStdin(), `the stdin of \`${command}\``);
    if (signal !== undefined) this.#killOnAbort(signal, setup.killSignal);
  }

  /** The next chunk of stdout (up to 64 KiB) as it arrives. */
  async readStdout(): Promise<ReadResult> {
    return readResult(await this.#stdoutReader.next());
  }

  /** The next chunk of stderr (up to 64 KiB) as it arrives. */
  async readStderr(): Promise<ReadResult> {
    return readResult(await this.#stderrReader.next());
  }

  /** Same as `stdin.write(data)`. */
  writeStdin(data: string | Uint8Array): Promise<void> {
    return this.stdin.write(data);
  }

  /** Waits for the child to exit and tells how it ended; may be called again. */
  wait(): Promise<ExitStatus> {
    this.#exit ??= this.#waitForExit();
    return this.#exit;
  }

  /** The child's state now, without blocking. */
  status(): ProcessStatus {
    const child = this.#child;
    const exited = this.#exited;
    if (exited !== undefined || child === undefined) {
      return { running: false, exitCode: exited?.code ?? null, signal: exited?.signal ?? null };
    }
    const status = call(() => child.status());
    return { running: status.running, exitCode: status.exitCode ?? null, signal: status.signal ?? null };
  }

  /** Sends a signal (default `"SIGTERM"`). Fails with `AlreadyExited` (4005) once the child has exited and been waited for. */
  async kill(signal: string = "SIGTERM"): Promise<void> {
    const child = this.#child;
    if (child === undefined) {
      throw new ProcessError("already-exited", `Cannot send ${signal} to \`${this.command}\` (pid ${this.pid}): it has already exited`);
    }
    call(() => child.kill(signal));
  }

  async #waitForExit(): Promise<ExitStatus> {
    const child = this.#child as raw.Child;
    // Other tasks and timers run until the child exits (a lone wait blocks in `wait` itself).
    const waited = await waitFor(() => [child.subscribe()], () => ({ status: call(() => child.wait()) }));
    const exit = toExitStatus(typeof waited === "object" ? waited.status : call(() => child.wait()));
    this.#forgetAbort();
    // The exit is known: release the host's record (the pipes stay readable).
    child[Symbol.dispose]();
    this.#child = undefined;
    this.#exited = exit;
    return exit;
  }

  #killOnAbort(signal: AbortSignal, killSignal: string): void {
    const onAbort = () => {
      const child = this.#child;
      if (child === undefined) return;
      try {
        child.kill(killSignal);
      } catch {
        // Already exited: nothing to end. Any other refusal: end it anyway.
        try {
          child.kill("SIGKILL");
        } catch {
          // It has exited.
        }
      }
    };
    signal.addEventListener("abort", onAbort);
    this.#forgetAbort = () => signal.removeEventListener("abort", onAbort);
  }
}
