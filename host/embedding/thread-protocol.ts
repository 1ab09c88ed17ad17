/** Messages between the embedding host's thread and an instance thread (thread-entry.ts). */
import type { MessagePort } from "node:worker_threads";
import type { CompiledModules } from "../component.js";
import type { PolicyDecision } from "../decisions.js";
import type { InstantiateOptions } from "../instance.js";
import type { ProcessPolicy } from "../policy.js";

/** What an instance thread starts with. */
export interface ThreadData {
  source: string | Uint8Array;
  /** The options that cross threads (no functions: see instance-thread.ts). */
  options: Omit<InstantiateOptions, "onDecision" | "checker">;
  /** The component's core modules, compiled once in the host's thread for every instance thread. */
  compiled: CompiledModules;
  /** Names the channels of this thread's I/O worker (channels.ts). */
  token: string;
  /** Where the host's `checker` answers, if it has one (remote-checker.ts). */
  checks: MessagePort | undefined;
}

export type ToThread = { type: "run"; id: number };

export type FromThread =
  | { type: "ready"; spawner: boolean }
  | { type: "failed"; error: unknown }
  | { type: "decision"; decision: PolicyDecision }
  | { type: "ran"; id: number; code: number; learned: ProcessPolicy }
  | { type: "threw"; id: number; error: unknown; learned: ProcessPolicy };
