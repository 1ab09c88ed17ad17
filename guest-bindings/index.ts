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
import { ChildProcess, detachPipe, LineStream } from "./child.js";
import { call } from "./errors.js";

export { ChildProcess, LineStream } from "./child.js";
export type { ExitStatus, ProcessStatus, ReadResult } from "./child.js";
export { ErrorCode, ProcessError } from "./errors.js";
export type { ErrorName, WitErrorCode } from "./errors.js";
export { StdinWriter } from "./pipes.js";
import type { ExitStatus } from "./child.js";

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
   * While a child has a signal, its reads and `wait()` let the guest's event
   * loop run (every 10 ms at most), so a timer or another task can abort it.
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

function rawOptions(options: SpawnOptions): raw.SpawnOptions {
  return {
    args: options.args ?? [],
    cwd: options.cwd,
    env: Object.entries(options.env ?? {}),
    stdin: options.stdin instanceof LineStream ? "null" : options.stdin ?? "null",
    stdinFrom: options.stdin instanceof LineStream ? detachPipe(options.stdin) : undefined,
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
  const resolved = rawOptions(options);
  const child = call(() => raw.spawn(command, resolved));
  return new ChildProcess(child, {
    command, stdout: resolved.stdout, stderr: resolved.stderr, signal, killSignal: options.killSignal ?? "SIGTERM",
  });
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
  const result = call(() => raw.output(command, rawOptions(options)));
  const { stdout, stderr } = result;
  return {
    status: { code: result.status.code ?? null, success: result.status.code === 0, signal: result.status.signal ?? null },
    stdout,
    stderr,
    text: (stream = "stdout") => new TextDecoder().decode(stream === "stdout" ? stdout : stderr),
  };
}
