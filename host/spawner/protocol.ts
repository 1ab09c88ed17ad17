/** The messages between the main-thread spawner client and the I/O-worker spawner. */
import type { ErrorCode } from "../errors.js";
import type { ChildLimits, SpawnPlan } from "../policy.js";

export type Result<T> = { ok: T } | { err: { code: ErrorCode; message: string } };

export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

export interface SpawnArgs {
  owner: number;
  command: string;
  plan: SpawnPlan;
  maxProcesses: number;
  /** Open pipes of children the instance may hold. */
  maxOpenPipes: number;
  /** Enforced by the spawner (timeout, output cap, kill on drop). */
  limits: ChildLimits;
  /** How long a SIGTERM (timeout, drop, close) is given before SIGKILL. */
  graceMs: number;
  /** A not-yet-read stdout/stderr pipe (wasi:io stream id) of another child of the same owner, joined to this child's stdin. */
  stdinFrom?: number | undefined;
}

/** Ids of the worker-side objects one spawned child owns. */
export interface SpawnedChild {
  handle: number;
  pid: number;
  /** wasi:io stream ids, present for piped stdio. */
  stdin?: number;
  stdout?: number;
  stderr?: number;
  /** Pipes lent to the main thread (lent-pipes.ts): descriptors by slot (stdin, stdout, stderr), and whose each is now. */
  lent: { fds: (number | undefined)[]; flags: Int32Array };
}

export interface ChildState {
  running: boolean;
  exit: ExitInfo | null;
}

export interface CollectedOutput extends ExitInfo {
  stdout: Uint8Array;
  stderr: Uint8Array;
}

export interface ReleaseOptions {
  /** Output pipes (stream ids) the guest never took: drained, so that the child never blocks on them. */
  untaken: number[];
}

/** Operation name → [argument tuple, result]. */
export interface Operations {
  spawn: [[SpawnArgs], Result<SpawnedChild>];
  output: [[SpawnArgs], Result<CollectedOutput>];
  status: [[number], ChildState];
  /** A new wasi:io future resolved at the child's exit (for `child.subscribe`). */
  exitFuture: [[number], number];
  /** Fails with `timed-out` when the policy's timeoutMs ended the child. */
  wait: [[number], Result<ExitInfo>];
  /** Signals the child's whole process group. */
  kill: [[number, string], Result<null>];
  /** The guest dropped its handle: kill the child or not (`killOnDrop`), reap it either way. */
  release: [[number, ReleaseOptions], null];
  /** Releases of exited children put off until this call, then the call itself. */
  deferred: [[[number, ReleaseOptions][], Operation, unknown[]], unknown];
  /** write-zeroes into a child's stdin (stream id, bytes); false where the shim's own call must answer. */
  writeZeroes: [[number, number], boolean];
  /** Lends a child's stdin (by stream id) to the calling thread again once the worker has written all it was given; false otherwise. */
  lendStdinAgain: [[number], boolean];
  /** The guest dropped a stdout/stderr stream it had taken: close the pipe. */
  dropPipe: [[number], null];
  /** SIGTERM to every process group of the owner, SIGKILL after the grace period; reaps them; closes their pipes. */
  closeOwner: [[number, number], null];
  liveChildren: [[number], number[]];
  /** Listens on the control channel of an instance thread (host/embedding): stop, live children. */
  control: [[string], null];
  /** Keeps the process groups of every instance thread's spawner in this spawner's watchdog (shared-watchdog.ts). */
  serveWatchdog: [[], null];
  /** Makes a pipe lent to the calling thread blocking (true) or not, while that thread waits on it; false if not lent. */
  lentPipeBlocking: [[number, boolean], boolean];
  /** Does nothing: a call that loads the spawner (which starts its launcher), or that carries deferred releases. */
  ping: [[], null];
  /** What the spawner holds right now (for leak checks). */
  stats: [[{ collectGarbage: boolean }], SpawnerStats];
}

/** What the spawner holds right now, for leak checks (see `spawnerStats()`). */
export interface SpawnerStats {
  /** Child records (running, or exited with a handle the guest still holds). */
  children: number;
  /** Instances with children, groups or pipes. */
  owners: number;
  /** Child pipes not yet closed. */
  pipes: number;
  /** Process groups that may still have members. */
  groups: number;
  /** The I/O worker's JavaScript heap. */
  heapUsed: number;
  /** The launcher's pid, once it is ready to start children (launcher.ts); until then the spawner starts them itself. */
  launcher?: number | undefined;
}

export type Operation = keyof Operations;
