/// <reference path="./wasi-io-poll.d.ts" />
/// <reference path="./wasi-io-streams.d.ts" />
declare module 'host:process/process@0.1.0' {
  export function spawn(command: string, options: SpawnOptions): Child;
  /**
   * Runs the command to completion and collects its piped output.
   */
  export function output(command: string, options: SpawnOptions): ProcessOutput;
  export type InputStream = import('wasi:io/streams@0.2.12').InputStream;
  export type OutputStream = import('wasi:io/streams@0.2.12').OutputStream;
  export type Pollable = import('wasi:io/poll@0.2.12').Pollable;
  /**
   * The first six cases are Forge's `ext_process` codes in order, so that
   * the numeric code is 4000 + the case index. New cases are only appended.
   * # Variants
   * 
   * ## `"io"`
   * 
   * 4000: an I/O failure talking to the child.
   * ## `"permission-denied"`
   * 
   * 4001: the host's policy does not allow this.
   * ## `"not-found"`
   * 
   * 4002: the command (or the working directory) does not exist.
   * ## `"spawn-failed"`
   * 
   * 4003: the operating system refused to start the program.
   * ## `"process-not-found"`
   * 
   * 4004: no such child.
   * ## `"already-exited"`
   * 
   * 4005: the child has already exited.
   * ## `"invalid-argument"`
   * 
   * 4006: an argument is malformed (NUL byte, unknown signal, ...).
   * ## `"limit-exceeded"`
   * 
   * 4007: a limit of the policy was reached (e.g. concurrent children).
   * ## `"timed-out"`
   * 
   * 4008: the child ran longer than the policy allows.
   */
  export type ErrorCode = 'io' | 'permission-denied' | 'not-found' | 'spawn-failed' | 'process-not-found' | 'already-exited' | 'invalid-argument' | 'limit-exceeded' | 'timed-out';
  export interface Error {
    code: ErrorCode,
    /**
     * Names the command and the rule that decided; says how to fix it.
     */
    message: string,
  }
  /**
   * # Variants
   * 
   * ## `"inherit"`
   * 
   * Share the host's own stream (if the policy allows it).
   * ## `"piped"`
   * 
   * A pipe, handed to the guest as a `wasi:io` stream.
   * ## `"null"`
   * 
   * `/dev/null`.
   */
  export type Stdio = 'inherit' | 'piped' | 'null';
  export interface SpawnOptions {
    args: Array<string>,
    /**
     * Working directory; `none` means the policy's default.
     */
    cwd?: string,
    /**
     * Variables the guest sets for the child (only if the policy allows).
     */
    env: Array<[string, string]>,
    stdin: Stdio,
    stdout: Stdio,
    stderr: Stdio,
    /**
     * The child's stdin is this stream instead: the not-yet-read stdout or
     * stderr of another child of this instance. The host joins the two
     * processes with an OS pipe, so the bytes never pass through the host.
     * The stream is consumed (even if the spawn fails); `stdin` is ignored.
     */
    stdinFrom?: InputStream,
  }
  export interface ExitStatus {
    /**
     * The exit code, or `none` if a signal ended the child.
     */
    code?: number,
    /**
     * The name of the signal that ended the child (e.g. "SIGKILL").
     */
    signal?: string,
  }
  export interface ChildStatus {
    id: number,
    running: boolean,
    exitCode?: number,
    signal?: string,
  }
  export interface ProcessOutput {
    status: ExitStatus,
    stdout: Uint8Array,
    stderr: Uint8Array,
  }
  
  export class Child implements Disposable {
    /**
     * This type does not have a public constructor.
     */
    private constructor();
    /**
    * A number unique among this instance's children.
    */
    id(): number;
    /**
    * The operating system's process id.
    */
    pid(): number;
    /**
    * The child's stdin, once; `none` if not piped or already taken.
    * Dropping the stream closes the child's stdin.
    */
    takeStdin(): OutputStream | undefined;
    /**
    * The child's stdout, once; `none` if not piped or already taken.
    */
    takeStdout(): InputStream | undefined;
    /**
    * The child's stderr, once; `none` if not piped or already taken.
    */
    takeStderr(): InputStream | undefined;
    /**
    * Ready when the child has exited.
    */
    subscribe(): Pollable;
    /**
    * Does not block.
    */
    status(): ChildStatus;
    /**
    * Blocks until the child exits; may be called again after it has.
    */
    wait(): ExitStatus;
    /**
    * Sends a signal by name ("SIGTERM", "SIGKILL", ...).
    */
    kill(signal: string): void;
    [Symbol.dispose](): void;
  }
}
