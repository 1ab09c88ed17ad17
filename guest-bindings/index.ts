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
 *
 * `host-process build` resolves `import … from "host:process"` to this module.
 * @module host:process
 */
/// <reference path="./generated/interfaces/host-process-process.d.ts" />
import * as raw from "host:process/process@0.1.0";
import type { InputStream } from "wasi:io/streams@0.2.12";
import { ChildProcess, detachPipe, LineStream, toExitStatus } from "./child.js";
import { call } from "./errors.js";
import { PipeReader, StdinWriter } from "./pipes.js";

export { ChildProcess, LineStream } from "./child.js";
export type { ExitStatus, ProcessStatus, ReadResult } from "./child.js";
export { ErrorCode, ProcessError } from "./errors.js";
export type { ErrorName, WitErrorCode } from "./errors.js";
export { StdinWriter } from "./pipes.js";
import type { ExitStatus, ReadResult } from "./child.js";
import { whenAlone } from "./reactor.js";

/** What happens to one of a child's standard streams: a pipe to the guest, the host's own stream, or `/dev/null`. */
export type Stdio = "inherit" | "piped" | "null";

/** Options of {@link spawn}. The host's policy decides which of them are allowed. */
export interface SpawnOptions {
  /** Arguments, passed to the program as given (never through a shell). */
  args?: string[];
  /** Working directory; the host's policy decides which are allowed. */
  cwd?: string;
  /** Variables to set for the child, if the host's policy allows it. */
  env?: Record<string, string>;
  /**
   * Default `"null"`. `"piped"` gives `child.stdin`. Another child's `stdout`
   * or `stderr` (not yet read) joins the two with an OS pipe, as a shell's `|`
   * does: `spawn("wc", { args: ["-l"], stdin: producer.stdout })`. The bytes
   * then never pass through the guest or the host.
   */
  stdin?: Stdio | LineStream;
  /** Default `"piped"`: read it with `child.stdout`. */
  stdout?: Stdio;
  /** Default `"piped"`: read it with `child.stderr`. */
  stderr?: Stdio;
  /**
   * Ends the child when aborted: it is sent `killSignal`. Aborted before
   * `spawn`, nothing is started and `spawn` rejects with `signal.reason`.
   *
   * Use `AbortController` with `setTimeout`: `AbortSignal.timeout()` crashes
   * the event loop of componentize-js 0.23's engine when it fires.
   */
  signal?: AbortSignal;
  /** The signal sent when `signal` aborts. Default `"SIGTERM"`. */
  killSignal?: string;
}

/** Options of {@link output}: those of `spawn` except the piped output streams and the abort signal. */
export type OutputOptions = Omit<SpawnOptions, "stdout" | "stderr" | "signal" | "killSignal">;

/** What {@link output} collected. */
export interface ProcessOutput {
  /** How the child ended. */
  status: ExitStatus;
  /** Everything the child wrote to stdout. */
  stdout: Uint8Array;
  /** Everything the child wrote to stderr. */
  stderr: Uint8Array;
  /** `stdout` (or `stderr`) decoded as UTF-8. */
  text(stream?: "stdout" | "stderr"): string;
}

function rawOptions(options: SpawnOptions, stdinFrom: InputStream | undefined): raw.SpawnOptions {
  return {
    args: options.args ?? [],
    cwd: options.cwd,
    env: Object.entries(options.env ?? {}),
    // A stream with bytes already read into the guest is fed through a pipe by the guest.
    stdin: options.stdin instanceof LineStream ? (stdinFrom === undefined ? "piped" : "null") : options.stdin ?? "null",
    stdinFrom,
    stdout: options.stdout ?? "piped",
    stderr: options.stderr ?? "piped",
  };
}

/**
 * Starts `command` (never through a shell) under the host's policy. Stdout
 * and stderr are piped and stdin is `/dev/null` unless `options` say otherwise.
 * Fails with a {@link ProcessError}: `PermissionDenied` (4001) if the policy
 * refuses, `NotFound` (4002), `SpawnFailed` (4003), `InvalidArgument` (4006),
 * `LimitExceeded` (4007).
 */
export async function spawn(command: string, options: SpawnOptions = {}): Promise<ChildProcess> {
  const { signal } = options;
  // Not `signal.throwIfAborted()`: componentize-js 0.23's engine does not throw there.
  if (signal?.aborted) throw signal.reason;
  return start(command, options, options.stdin instanceof LineStream ? detachPipe(options.stdin) : undefined);
}

type Source = { stream: InputStream; unread: Uint8Array[] };

function start(command: string, options: SpawnOptions, source: Source | undefined): ChildProcess {
  // Bytes a line iterator read but did not hand out (`break`) must reach the child first.
  const feed = source !== undefined && source.unread.length > 0 ? source : undefined;
  const resolved = rawOptions(options, feed === undefined ? source?.stream : undefined);
  let child: raw.Child;
  try {
    child = call(() => raw.spawn(command, resolved));
  } catch (error) {
    feed?.stream[Symbol.dispose]();
    throw error;
  }
  const process = new ChildProcess(child, {
    command, stdout: resolved.stdout, stderr: resolved.stderr, signal: options.signal, killSignal: options.killSignal ?? "SIGTERM",
  });
  if (feed !== undefined) void feedStdin(process.stdin, feed, `\`${command}\``);
  return process;
}

/** Copies what was put back and then the rest of `source` into `stdin`, and closes it; a child that stops reading ends the copy. */
async function feedStdin(stdin: StdinWriter, source: { stream: InputStream; unread: Uint8Array[] }, what: string): Promise<void> {
  const reader = new PipeReader(source.stream, `the stream piped into ${what}`);
  reader.unread(source.unread);
  try {
    for (let chunk = await reader.next(); chunk !== undefined; chunk = await reader.next()) await stdin.write(chunk);
  } catch {
    // The child closed its stdin (or exited): like a shell pipe, the rest is not wanted.
  } finally {
    reader.close();
    await stdin.close();
  }
}

/**
 * Runs `command` to completion and returns how it ended and all of its stdout
 * and stderr (the host caps each at its policy's `maxOutputBytes`).
 *
 * ```ts
 * const result = await output("git", { args: ["rev-parse", "HEAD"] });
 * if (result.status.success) console.log(result.text().trim());
 * ```
 */
export async function output(command: string, options: OutputOptions = {}): Promise<ProcessOutput> {
  const source = options.stdin instanceof LineStream ? detachPipe(options.stdin) : undefined;
  if (source === undefined || source.unread.length === 0) {
    // Alone, with no timer pending: the host runs it to completion in one call.
    const direct = await whenAlone(() => call(() => raw.output(command, rawOptions(options, source?.stream))));
    if (direct !== undefined) {
      return processOutput(toExitStatus(direct.status), direct.stdout, direct.stderr);
    }
  }
  // Other tasks or timers are pending: they run while the child does.
  const child = start(command, { ...options, stdout: "piped", stderr: "piped" }, source);
  const [stdout, stderr, status] = await Promise.all([readToEnd(() => child.readStdout()), readToEnd(() => child.readStderr()), child.wait()]);
  return processOutput(status, stdout, stderr);
}

function processOutput(status: ExitStatus, stdout: Uint8Array, stderr: Uint8Array): ProcessOutput {
  return { status, stdout, stderr, text: (stream = "stdout") => new TextDecoder().decode(stream === "stdout" ? stdout : stderr) };
}

async function readToEnd(read: () => Promise<ReadResult>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let chunk = await read(); !chunk.eof; chunk = await read()) {
    chunks.push(chunk.data);
    total += chunk.data.byteLength;
  }
  const all = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}
