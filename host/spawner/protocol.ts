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
  /** Enforced by the spawner (timeout, output cap, kill on drop). */
  limits: ChildLimits;
}

/** Ids of the worker-side objects one spawned child owns. */
export interface SpawnedChild {
  handle: number;
  pid: number;
  /** wasi:io stream ids, present for piped stdio. */
  stdin?: number;
  stdout?: number;
  stderr?: number;
  /** Future resolved at exit (for `child.subscribe`). */
  exitFuture: number;
}

export interface ChildState {
  running: boolean;
  exit: ExitInfo | null;
}

export interface CollectedOutput extends ExitInfo {
  stdout: Uint8Array;
  stderr: Uint8Array;
}

/** Operation name → [argument tuple, result]. */
export interface Operations {
  spawn: [[SpawnArgs], Result<SpawnedChild>];
  output: [[SpawnArgs], Result<CollectedOutput>];
  status: [[number], ChildState];
  wait: [[number], ExitInfo];
  kill: [[number, string], Result<null>];
  release: [[number, { graceMs: number }], null];
  closeOwner: [[number, number], null];
  liveChildren: [[number], number[]];
}

export type Operation = keyof Operations;
