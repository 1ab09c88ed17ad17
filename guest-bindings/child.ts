/** A running child as the guest module presents it: line streams, stdin, wait, kill, status. */
import type * as raw from "host:process/process@0.1.0";
import type { InputStream } from "wasi:io/streams@0.2.12";
import { call, ProcessError } from "./errors.js";
import { LineDecoder } from "./lines.js";
import { PipeReader, StdinWriter } from "./pipes.js";
import { waitReady } from "./waiting.js";

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
export function detachPipe(lines: LineStream): InputStream {
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
  #batch: string[] = [];
  #next = 0;
  #done = false;

  constructor(fill: () => Promise<string[] | undefined>) {
    this.#fill = fill;
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

  /** `break` out of `for await`: the rest stays unread (`readStdout` can still read it). */
  async return(): Promise<IteratorResult<string, undefined>> {
    this.#done = true;
    this.#batch = [];
    return { done: true, value: undefined };
  }
}

/** The lines of one pipe, a batch per chunk read. */
function readLines(reader: PipeReader): LineIterator {
  const decoder = new LineDecoder();
  let ended = false;
  return new LineIterator(async () => {
    while (!ended) {
      const chunk = await reader.next();
      if (chunk === undefined) {
        ended = true;
        const last = decoder.end();
        return last === undefined ? undefined : [last];
      }
      const lines = decoder.push(chunk);
      if (lines.length > 0) return lines;
    }
    return undefined;
  });
}

/** Lines of several pipes in the order their bytes reach the guest (`wasi:io/poll` over all of them). */
function mergeLines(readers: PipeReader[], cooperative: boolean): LineIterator {
  const decoders = readers.map(() => new LineDecoder());
  return new LineIterator(async () => {
    for (;;) {
      const open = readers.filter((reader) => reader.open);
      if (open.length === 0) return undefined;
      const lines: string[] = [];
      let progressed = false;
      for (const reader of open) {
        const decoder = decoders[readers.indexOf(reader)] as LineDecoder;
        const chunk = reader.tryRead();
        if (chunk === undefined) {
          const last = decoder.end();
          if (last !== undefined) lines.push(last);
          progressed = true;
        } else if (chunk.byteLength > 0) {
          progressed = true;
          lines.push(...decoder.push(chunk));
        }
      }
      if (lines.length > 0) return lines;
      if (progressed) continue;
      const pollables = open.flatMap((reader) => reader.subscribe() ?? []);
      try {
        await waitReady(pollables, cooperative);
      } finally {
        for (const pollable of pollables) pollable[Symbol.dispose]();
      }
    }
  });
}

function toExitStatus(status: raw.ExitStatus): ExitStatus {
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
  readonly #cooperative: boolean;
  #forgetAbort: () => void = () => {};

  /** @internal */
  constructor(child: raw.Child, setup: ChildSetup) {
    const { command, signal } = setup;
    this.#child = child;
    this.command = command;
    this.id = child.id();
    this.pid = child.pid();
    // With a signal, every wait lets the event loop run, so that the abort can happen.
    this.#cooperative = signal !== undefined;
    this.#stdoutReader = new PipeReader(child.takeStdout(), `the stdout of \`${command}\``, this.#cooperative);
    this.#stderrReader = new PipeReader(child.takeStderr(), `the stderr of \`${command}\``, this.#cooperative);
    const notPiped = (name: "stdout" | "stderr") =>
      `The ${name} of \`${command}\` is not piped; spawn it with { ${name}: "piped" }`;
    this.stdout = new LineStream(() => readLines(this.#stdoutReader), setup.stdout === "piped" ? undefined : notPiped("stdout"));
    this.stderr = new LineStream(() => readLines(this.#stderrReader), setup.stderr === "piped" ? undefined : notPiped("stderr"));
    pipeOf.set(this.stdout, this.#stdoutReader);
    pipeOf.set(this.stderr, this.#stderrReader);
    this.all = new LineStream(
      () => mergeLines([this.#stdoutReader, this.#stderrReader], this.#cooperative),
      setup.stdout === "piped" || setup.stderr === "piped" ? undefined : `Neither stdout nor stderr of \`${command}\` is piped`,
    );
    this.stdin = new StdinWriter(child.takeStdin(), `the stdin of \`${command}\``, this.#cooperative);
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
    if (this.#cooperative) {
      const exited = child.subscribe();
      try {
        while (!exited.ready()) await waitReady([exited], true);
      } finally {
        exited[Symbol.dispose]();
      }
    }
    const exit = toExitStatus(call(() => child.wait()));
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
