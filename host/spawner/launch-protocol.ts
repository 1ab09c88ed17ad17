/** The messages between the spawner and its launcher process (over Node's IPC channel). */
import type { StdioMode } from "../policy.js";

/** Start one child; a `stdinFrom` request carries the socket to become its stdin as the message's handle. */
export interface LaunchRequest {
  id: number;
  file: string;
  args: string[];
  argv0: string;
  cwd: string;
  env: Record<string, string>;
  stdio: StdioMode[];
  stdinFrom: boolean;
  /**
   * For `output()`: the launcher reads the child's piped stdout and stderr
   * itself and sends their bytes (up to one more than this many per stream,
   * so the spawner sees the limit passed), instead of handing the pipes over;
   * a piped stdin is closed at once.
   */
  relayOutputUpTo?: number | undefined;
  /** If the host goes: SIGTERM to the child's group, SIGKILL this many ms later. */
  graceMs: number;
  /** Bytes for the child's descriptor 3, which it reads to its end: a confined child's seccomp filter. */
  fd3?: Uint8Array | undefined;
}

export type LaunchReply =
  /** The launcher is listening. */
  | { ready: true }
  /** The OS refused to start it (an errno code such as ENOENT, or a message). */
  | { id: number; error: string }
  /** It runs; its piped stdio follows, one message (and handle) per true slot (relayed outputs are false here). */
  | { id: number; pid: number; pipes: boolean[] }
  /** One of its pipes, as this message's handle. */
  | { id: number; slot: number }
  /**
   * Sent after its pipes: a pipe not arrived by then was dropped on the way
   * (Node gives up on a handle the receiver could not take, as a host out of
   * descriptors cannot, and tells only the sender).
   */
  | { id: number; handed: true }
  /** Bytes of a relayed output stream (slot 1 or 2), or its end. */
  | { id: number; slot: number; data: Uint8Array }
  | { id: number; slot: number; end: true }
  /** It has exited (and been reaped by the launcher). */
  | { id: number; exit: { code: number | null; signal: string | null } };
