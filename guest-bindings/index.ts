/**
 * `host:process` for guest authors: Forge's process API over the raw
 * `host:process/process` bindings and `wasi:io` streams.
 *
 * ```ts
 * import { spawn } from "host:process";
 * const proc = await spawn("ls", { args: ["-la"] });
 * for await (const line of proc.stdout) console.log(line);
 * await proc.wait();
 * ```
 */
/// <reference path="./generated/interfaces/host-process-process.d.ts" />
import * as raw from "host:process/process@0.1.0";
import type { InputStream, OutputStream } from "wasi:io/streams@0.2.12";

export type Stdio = raw.Stdio;

export interface SpawnOptions {
  /** Arguments, passed to the program as given (never through a shell). */
  args?: string[];
  /** Working directory; the host's policy decides which are allowed. */
  cwd?: string;
  /** Variables to set for the child, if the host's policy allows it. */
  env?: Record<string, string>;
  /** Default "null". */
  stdin?: Stdio;
  /** Default "piped". */
  stdout?: Stdio;
  /** Default "piped". */
  stderr?: Stdio;
}

export interface ExitStatus {
  /** The exit code, or `null` if a signal ended the child. */
  code: number | null;
  /** True when the exit code is 0. */
  success: boolean;
  /** The signal that ended the child, e.g. "SIGKILL", or `null`. */
  signal: string | null;
}

export interface ProcessStatus {
  running: boolean;
  exitCode: number | null;
  signal: string | null;
}

export interface ReadResult {
  /** The bytes read (empty at end of stream). */
  data: Uint8Array;
  /** True once the stream has ended; `data` is then empty. */
  eof: boolean;
}

export interface ProcessOutput {
  status: ExitStatus;
  stdout: Uint8Array;
  stderr: Uint8Array;
}

/** Numeric codes, as in Forge's `ext_process`. */
export const ErrorCode = {
  Io: 4000,
  PermissionDenied: 4001,
  NotFound: 4002,
  SpawnFailed: 4003,
  ProcessNotFound: 4004,
  AlreadyExited: 4005,
  InvalidArgument: 4006,
  LimitExceeded: 4007,
  TimedOut: 4008,
} as const;

export type ErrorName = keyof typeof ErrorCode;

const WIT_CODES: readonly raw.ErrorCode[] = [
  "io", "permission-denied", "not-found", "spawn-failed", "process-not-found",
  "already-exited", "invalid-argument", "limit-exceeded", "timed-out",
];

/** Every failure of this module: `code` is the numeric code (4000…), `name` its name. */
export class ProcessError extends Error {
  readonly code: number;
  override readonly name: ErrorName;

  constructor(code: raw.ErrorCode, message: string) {
    super(message);
    const index = WIT_CODES.indexOf(code);
    this.code = 4000 + (index < 0 ? 0 : index);
    this.name = (Object.keys(ErrorCode) as ErrorName[])[index < 0 ? 0 : index] as ErrorName;
  }
}

/** The `err` value of a raw call: componentize-js throws it with a `payload`. */
function payloadOf(error: unknown): unknown {
  return typeof error === "object" && error !== null && "payload" in error ? (error as { payload: unknown }).payload : error;
}

function toProcessError(error: unknown): ProcessError {
  const payload = payloadOf(error) as Partial<raw.Error> | undefined;
  if (payload && typeof payload.message === "string" && typeof payload.code === "string") {
    return new ProcessError(payload.code, payload.message);
  }
  return new ProcessError("io", String(error instanceof Error ? error.message : error));
}

function call<T>(operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    throw toProcessError(error);
  }
}

function toExitStatus(status: raw.ExitStatus): ExitStatus {
  const code = status.code ?? null;
  return { code, success: code === 0, signal: status.signal ?? null };
}

function rawOptions(options: SpawnOptions, defaults: Pick<raw.SpawnOptions, "stdin" | "stdout" | "stderr">): raw.SpawnOptions {
  return {
    args: options.args ?? [],
    cwd: options.cwd,
    env: Object.entries(options.env ?? {}),
    stdin: options.stdin ?? defaults.stdin,
    stdout: options.stdout ?? defaults.stdout,
    stderr: options.stderr ?? defaults.stderr,
  };
}

const READ_SIZE = 64 * 1024;

/** Reads one child pipe with `blocking-read`; releases the stream at its end. */
class PipeReader {
  #stream: InputStream | undefined;
  readonly #what: string;

  constructor(stream: InputStream | undefined, what: string) {
    this.#stream = stream;
    this.#what = what;
  }

  /** The next chunk, or `undefined` at end of stream. */
  read(): Uint8Array | undefined {
    const stream = this.#stream;
    if (stream === undefined) return undefined;
    for (;;) {
      let chunk: Uint8Array;
      try {
        chunk = stream.blockingRead(BigInt(READ_SIZE));
      } catch (error) {
        this.close();
        const payload = payloadOf(error) as { tag?: string; val?: { toDebugString?: () => string } };
        if (payload?.tag === "closed") return undefined;
        throw new ProcessError("io", `Cannot read ${this.#what}: ${payload?.val?.toDebugString?.() ?? String(error)}`);
      }
      if (chunk.byteLength > 0) return chunk;
    }
  }

  close(): void {
    this.#stream?.[Symbol.dispose]();
    this.#stream = undefined;
  }
}

/** A child's stdout or stderr: an async iterable of lines (without "\n" or "\r\n"). */
export class LineStream implements AsyncIterable<string> {
  readonly #reader: PipeReader;
  readonly #piped: boolean;
  readonly #what: string;

  /** @internal */
  constructor(reader: PipeReader, piped: boolean, what: string) {
    this.#reader = reader;
    this.#piped = piped;
    this.#what = what;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    if (!this.#piped) throw new ProcessError("invalid-argument", `${this.#what} is not piped; spawn with { ${this.#what.split(" ").pop()}: "piped" }`);
    const decoder = new TextDecoder();
    let pending = "";
    for (let chunk = this.#reader.read(); chunk !== undefined; chunk = this.#reader.read()) {
      pending += decoder.decode(chunk, { stream: true });
      let newline: number;
      while ((newline = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        yield line.endsWith("\r") ? line.slice(0, -1) : line;
      }
    }
    pending += decoder.decode();
    if (pending !== "") yield pending;
  }
}

/** A child's stdin. */
export class StdinWriter {
  #stream: OutputStream | undefined;
  readonly #what: string;

  /** @internal */
  constructor(stream: OutputStream | undefined, what: string) {
    this.#stream = stream;
    this.#what = what;
  }

  /** Writes all of `data` (strings as UTF-8), waiting while the pipe is full. */
  async write(data: string | Uint8Array): Promise<void> {
    const stream = this.#stream;
    if (stream === undefined) throw new ProcessError("io", `Cannot write to ${this.#what}: it is closed or not piped`);
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    try {
      for (let offset = 0; offset < bytes.byteLength;) {
        const room = Number(stream.checkWrite());
        if (room === 0) {
          const ready = stream.subscribe();
          ready.block();
          ready[Symbol.dispose]();
          continue;
        }
        const end = Math.min(bytes.byteLength, offset + room);
        stream.write(bytes.subarray(offset, end));
        offset = end;
      }
      stream.blockingFlush();
    } catch (error) {
      const payload = payloadOf(error) as { tag?: string; val?: { toDebugString?: () => string } };
      const reason = payload?.tag === "closed" ? "the pipe is closed" : payload?.val?.toDebugString?.() ?? String(error);
      throw new ProcessError("io", `Cannot write to ${this.#what}: ${reason}`);
    }
  }

  /** Closes the child's stdin (it then reads end-of-file). Idempotent. */
  async close(): Promise<void> {
    this.#stream?.[Symbol.dispose]();
    this.#stream = undefined;
  }
}

/** A running (or finished) child process. */
export class ChildProcess {
  /** Unique among this component's children. */
  readonly id: number;
  /** The operating system's process id. */
  readonly pid: number;
  readonly command: string;
  /** Lines of the child's stdout (when piped). */
  readonly stdout: LineStream;
  /** Lines of the child's stderr (when piped). */
  readonly stderr: LineStream;
  /** The child's stdin (when piped). */
  readonly stdin: StdinWriter;
  #child: raw.Child | undefined;
  #exit: ExitStatus | undefined;
  readonly #stdoutReader: PipeReader;
  readonly #stderrReader: PipeReader;

  /** @internal */
  constructor(child: raw.Child, command: string, options: raw.SpawnOptions) {
    this.#child = child;
    this.command = command;
    this.id = child.id();
    this.pid = child.pid();
    this.#stdoutReader = new PipeReader(child.takeStdout(), `the stdout of \`${command}\``);
    this.#stderrReader = new PipeReader(child.takeStderr(), `the stderr of \`${command}\``);
    this.stdout = new LineStream(this.#stdoutReader, options.stdout === "piped", `the stdout of \`${command}\``);
    this.stderr = new LineStream(this.#stderrReader, options.stderr === "piped", `the stderr of \`${command}\``);
    this.stdin = new StdinWriter(child.takeStdin(), `the stdin of \`${command}\``);
  }

  /** The next chunk of stdout (up to 64 KiB). */
  async readStdout(): Promise<ReadResult> {
    return readResult(this.#stdoutReader.read());
  }

  /** The next chunk of stderr (up to 64 KiB). */
  async readStderr(): Promise<ReadResult> {
    return readResult(this.#stderrReader.read());
  }

  /** Same as `stdin.write(data)`. */
  writeStdin(data: string | Uint8Array): Promise<void> {
    return this.stdin.write(data);
  }

  /** Waits for the child to exit; may be called again. */
  async wait(): Promise<ExitStatus> {
    if (this.#exit === undefined) {
      const child = this.#child as raw.Child;
      this.#exit = toExitStatus(call(() => child.wait()));
      // The exit is known: release the host's record (the pipes stay readable).
      child[Symbol.dispose]();
      this.#child = undefined;
    }
    return this.#exit;
  }

  /** Does not block. */
  status(): ProcessStatus {
    if (this.#exit !== undefined) return { running: false, exitCode: this.#exit.code, signal: this.#exit.signal };
    const child = this.#child as raw.Child;
    const status = call(() => child.status());
    return { running: status.running, exitCode: status.exitCode ?? null, signal: status.signal ?? null };
  }

  /** Sends a signal (default "SIGTERM"). Fails with AlreadyExited (4005) once the child has exited. */
  async kill(signal: string = "SIGTERM"): Promise<void> {
    const child = this.#child;
    if (child === undefined) {
      throw new ProcessError("already-exited", `Cannot send ${signal} to \`${this.command}\` (pid ${this.pid}): it has already exited`);
    }
    call(() => child.kill(signal));
  }
}

function readResult(chunk: Uint8Array | undefined): ReadResult {
  return chunk === undefined ? { data: new Uint8Array(0), eof: true } : { data: chunk, eof: false };
}

/** Starts `command` (never through a shell). Stdout and stderr are piped, stdin is null, unless `options` say otherwise. */
export async function spawn(command: string, options: SpawnOptions = {}): Promise<ChildProcess> {
  const resolved = rawOptions(options, { stdin: "null", stdout: "piped", stderr: "piped" });
  const child = call(() => raw.spawn(command, resolved));
  return new ChildProcess(child, command, resolved);
}

/** Runs `command` to completion and returns its exit status and its whole stdout and stderr. */
export async function output(command: string, options: Omit<SpawnOptions, "stdout" | "stderr"> = {}): Promise<ProcessOutput> {
  const result = call(() => raw.output(command, rawOptions(options, { stdin: "null", stdout: "piped", stderr: "piped" })));
  return { status: toExitStatus(result.status), stdout: result.stdout, stderr: result.stderr };
}
