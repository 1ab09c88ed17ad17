/**
 * The `host:process/process` imports for one component instance: the `child`
 * resource class and the `spawn`/`output` functions, over the policy and the
 * spawner. Each `createProcessHost` call has its own policy and its own children.
 */
import {
  futureDispose, futureSubscribe, inputStreamCreate, inputStreamId, outputStreamCreate,
} from "@bytecodealliance/preview2-shim/io-worker";
import type { InputStream, OutputStream } from "@bytecodealliance/preview2-shim/interfaces/wasi-io-streams";
import type { Pollable } from "@bytecodealliance/preview2-shim/interfaces/wasi-io-poll";
import { publishDecision, type PolicyDecision, type ProcessCapabilityChecker } from "./decisions.js";
import { closeWhenDropped, countedSkips, permittedWrites, writeZeroesWith } from "./child-streams.js";
import { ProcessHostError } from "./errors.js";
import { MAX_TIMER_MS } from "./policy/bounds.js";
import { lentReads } from "./lent-io.js";
import { lentWrites } from "./lent-writes.js";
import {
  checkSignal, normalizePolicy, planSpawn, PolicyRecorder,
  type EnforcementMode, type NormalizedPolicy, type ProcessPolicy, type SpawnRequest,
} from "./policy.js";
import { callSpawner, releaseExitedLater } from "./spawner/client.js";
import type { ExitInfo, Result, SpawnArgs } from "./spawner/protocol.js";

/** The WIT `spawn-options` record as jco lifts it. */
export type SpawnOptions = Omit<SpawnRequest, "command"> & {
  /** Another child's unread stdout or stderr, to become this child's stdin through an OS pipe. Consumed. */
  stdinFrom?: InputStream | undefined;
};

/** The WIT `exit-status` record: how a child ended. */
export interface ExitStatus {
  /** The exit code, absent if a signal ended the child. */
  code?: number | undefined;
  /** The signal that ended the child ("SIGKILL" …). */
  signal?: string | undefined;
}

/** The WIT `child-status` record, taken without blocking. */
export interface ChildStatus {
  /** The child's number among the instance's children. */
  id: number;
  /** Whether it is still running. */
  running: boolean;
  /** Its exit code once it has exited normally. */
  exitCode?: number | undefined;
  /** The signal that ended it. */
  signal?: string | undefined;
}

/** The WIT `process-output` record: what `output` collected. */
export interface ProcessOutput {
  /** How the child ended. */
  status: ExitStatus;
  /** All of its stdout (up to `maxOutputBytes`). */
  stdout: Uint8Array;
  /** All of its stderr (up to `maxOutputBytes`). */
  stderr: Uint8Array;
}

/** Options of {@link createProcessHost} other than the policy. */
export interface ProcessHostOptions {
  /** How long `close()` (and dropping a running child) waits after SIGTERM before SIGKILL. Default 2000 ms. */
  killGraceMs?: number;
  /** "enforce" (default), or "learn": grant what is merely not granted yet and record it (see `learnedPolicy`). */
  mode?: EnforcementMode;
  /** Called with every decision and the rule that made it (also published on the "host-process:decision" diagnostics channel). */
  onDecision?: (decision: PolicyDecision) => void;
  /** The host's own rule on top of the policy; both must agree. */
  checker?: ProcessCapabilityChecker;
}

/** The object a guest sees as a `child` resource. */
export interface ChildResource {
  /** A number unique among this instance's children. */
  id(): number;
  /** The operating system's process id. */
  pid(): number;
  /** The child's stdin as a `wasi:io` output stream, once; dropping it closes the child's stdin. */
  takeStdin(): OutputStream | undefined;
  /** The child's stdout as a `wasi:io` input stream, once. */
  takeStdout(): InputStream | undefined;
  /** The child's stderr as a `wasi:io` input stream, once. */
  takeStderr(): InputStream | undefined;
  /** A `wasi:io` pollable, ready when the child has exited. */
  subscribe(): Pollable;
  /** The child's state, without blocking. */
  status(): ChildStatus;
  /** Blocks until the child exits. */
  wait(): ExitStatus;
  /** Sends a signal by name, if the policy allows it. */
  kill(signal: string): void;
}

/** The class of {@link ChildResource}, as jco's resource imports are given. */
export type ChildResourceClass = abstract new () => ChildResource;

/** The `host:process/process` interface as jco expects its imports. */
export interface ProcessImports {
  /** The `child` resource class (guests cannot construct it; `spawn` does). */
  Child: ChildResourceClass;
  /** Starts a child under the policy, or throws a {@link ProcessHostError}. */
  spawn(command: string, options: SpawnOptions): ChildResource;
  /** Runs a child to completion under the policy and collects its output. */
  output(command: string, options: SpawnOptions): ProcessOutput;
}

/** The `host:process/process` imports of one instance, with its policy and its children. */
export interface ProcessHost {
  /** The policy this host enforces, validated and resolved. */
  readonly policy: NormalizedPolicy;
  /** Hand these to jco's `instantiate` under `host:process/process`. */
  readonly imports: {
    /** The interface's functions and the `child` resource. */
    "host:process/process": ProcessImports;
  };
  /** The smallest policy that allows exactly the spawns allowed so far (learn mode's result). */
  learnedPolicy(): ProcessPolicy;
  /** Process ids of this instance's children that have not exited. */
  liveChildren(): number[];
  /** Ends every child this instance started (SIGTERM, then SIGKILL) and reaps them. Idempotent. */
  close(): Promise<void>;
}

export const DEFAULT_KILL_GRACE_MS = 2000;
let nextOwner = 0;

/** A child whose handle was never dropped (say, its instance was discarded) is released when collected. */
const unreleased = new FinalizationRegistry<number>((handle) => {
  callSpawner("release", handle, { untaken: [] });
});

/** A child's stdin as a wasi:io stream; its write-zeroes come from the spawner's shared zeroes. */
function childStdin(id: number): OutputStream {
  return writeZeroesWith(outputStreamCreate(id), (len) => callSpawner("writeZeroes", id, len));
}

/** Asks the spawner to lend a child's stdin to this thread again (lent-writes.ts). */
function lendStdinAgain(id: number): () => boolean {
  return () => callSpawner("lendStdinAgain", id);
}

function unwrap<T>(result: Result<T>): T {
  if ("err" in result) throw new ProcessHostError(result.err.code, result.err.message);
  return result.ok;
}

function toExitStatus(exit: ExitInfo): ExitStatus {
  return { code: exit.code ?? undefined, signal: exit.signal ?? undefined };
}

/** The worker's id of a `stdin-from` stream; a value that is no input stream (dropped, forged) is a typed error, not a trap. */
function stdinFromId(stream: InputStream, command: string): number {
  try {
    return inputStreamId(stream);
  } catch (cause) {
    throw new ProcessHostError("invalid-argument", `The stdin-from value for \`${command}\` is not an open wasi:io input-stream (a dropped or forged handle); pass another child's stdout or stderr`, { cause });
  }
}

/** Creates the `host:process/process` imports for one instance, under `policy`. */
export function createProcessHost(policy: ProcessPolicy = {}, options: ProcessHostOptions = {}): ProcessHost {
  const normalized = normalizePolicy(policy);
  const graceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  if (!Number.isSafeInteger(graceMs) || graceMs < 0 || graceMs > MAX_TIMER_MS) {
    throw new TypeError(`Expected the \`killGraceMs\` option to be a non-negative integer of milliseconds up to ${MAX_TIMER_MS}, got \`${graceMs}\``);
  }
  const owner = ++nextOwner;
  let nextChildId = 0;
  let closed = false;

  const mode = options.mode ?? "enforce";
  if (mode !== "enforce" && mode !== "learn") {
    throw new TypeError(`Expected the \`mode\` option to be "enforce" or "learn", got ${JSON.stringify(mode)}`);
  }
  const { checker, onDecision } = options;
  const recorder = new PolicyRecorder(normalized);
  const report = (decision: Omit<PolicyDecision, "instance">) => publishDecision({ instance: owner, ...decision }, onDecision);

  /** Decides a spawn (policy, then the host's checker), reports the decision, and returns what to run. */
  function decide(action: "spawn" | "output", command: string, options: SpawnOptions): SpawnArgs {
    if (closed) throw new ProcessHostError("io", `Cannot start \`${command}\`: this process host is closed`);
    const { stdinFrom, ...requested } = options;
    const request: SpawnRequest = { command, ...requested };
    const { args } = request;
    let resolved: string | undefined;
    try {
      if (request.env.length > 0 && checker && !checker.checkEnvAccess()) {
        throw new ProcessHostError("permission-denied", `Setting environment variables for \`${command}\` is refused by the host`, { rule: "checker: checkEnvAccess" });
      }
      const { plan, rules, learned } = planSpawn(normalized, request, mode);
      resolved = plan.file;
      const verdict = checker?.checkSpawn({ command, file: plan.file, args, cwd: plan.cwd, env: request.env.map(([name]) => name) });
      if (verdict !== undefined && verdict !== true) {
        const reason = typeof verdict === "string" ? `: ${verdict}` : "";
        throw new ProcessHostError("permission-denied", `\`${command}\` is refused by the host's capability checker${reason}`, { rule: "checker: checkSpawn" });
      }
      recorder.record(request, plan);
      report({ action, command, args, resolved, allowed: true, rules: checker ? [...rules, "checker: checkSpawn"] : rules, learned });
      return {
        owner, command, plan, maxProcesses: normalized.maxProcesses, maxOpenPipes: normalized.maxOpenPipes, limits: normalized.limits, graceMs,
        stdinFrom: stdinFrom === undefined ? undefined : stdinFromId(stdinFrom, command),
      };
    } catch (error) {
      if (error instanceof ProcessHostError) {
        report({ action, command, args, resolved, allowed: false, rules: [error.rule ?? error.code], code: error.code, message: error.message });
      }
      throw error;
    }
  }

  /** Decides and runs a spawn; a `stdinFrom` stream is the guest's no more, whatever happens. */
  function consumingStdinFrom<T>(options: SpawnOptions, run: () => T): T {
    try {
      return run();
    } finally {
      (options.stdinFrom as Partial<Disposable> | undefined)?.[Symbol.dispose]?.();
    }
  }

  function decideSignal(signal: string, command: string): NodeJS.Signals {
    try {
      const checked = checkSignal(normalized, signal, command);
      report({ action: "signal", command, args: [signal], allowed: true, rules: [`signals: ${JSON.stringify(signal)}`] });
      return checked;
    } catch (error) {
      if (error instanceof ProcessHostError) {
        report({ action: "signal", command, args: [signal], allowed: false, rules: [error.rule ?? error.code], code: error.code, message: error.message });
      }
      throw error;
    }
  }

  class Child implements ChildResource {
    #handle = 0;
    #command = "";
    #id = 0;
    #pid = 0;
    #stdin: OutputStream | undefined;
    #stdout: InputStream | undefined;
    #stderr: InputStream | undefined;
    /** The exit future's id in the worker, made at the first `subscribe` (0: none yet). */
    #exitFuture = 0;
    /** The child is known to have exited: its release may wait for the next call into the spawner. */
    #exited = false;
    #stdoutId: number | undefined;
    #stderrId: number | undefined;
    #released = false;

    /**
     * jco hands a method an unknown (forged or dropped) handle as a blank object
     * of this class: refuse it, as the component model does (a trap, or err
     * process-not-found where the method returns a result).
     */
    static #verify(value: unknown): void {
      if (typeof value !== "object" || value === null || !(#handle in value)) {
        throw new ProcessHostError("process-not-found", "Not a child of this instance: the handle is unknown or was dropped");
      }
    }

    static spawn(command: string, options: SpawnOptions): Child {
      const spawned = consumingStdinFrom(options, () => unwrap(callSpawner("spawn", decide("spawn", command, options))));
      const child = new Child();
      child.#command = command;
      child.#handle = spawned.handle;
      child.#id = ++nextChildId;
      child.#pid = spawned.pid;
      const lent = (slot: number) => {
        const fd = spawned.lent.fds[slot];
        return fd === undefined ? undefined : { fd, flags: spawned.lent.flags, slot };
      };
      child.#stdin = spawned.stdin === undefined ? undefined : lentWrites(permittedWrites(childStdin(spawned.stdin)), lent(0), lendStdinAgain(spawned.stdin));
      child.#stdout = spawned.stdout === undefined ? undefined : lentReads(countedSkips(inputStreamCreate(spawned.stdout)), lent(1));
      child.#stderr = spawned.stderr === undefined ? undefined : lentReads(countedSkips(inputStreamCreate(spawned.stderr)), lent(2));
      child.#stdoutId = spawned.stdout;
      child.#stderrId = spawned.stderr;
      unreleased.register(child, spawned.handle, child);
      return child;
    }

    id(): number {
      Child.#verify(this);
      return this.#id;
    }

    pid(): number {
      Child.#verify(this);
      return this.#pid;
    }

    takeStdin(): OutputStream | undefined {
      Child.#verify(this);
      const stream = this.#stdin;
      this.#stdin = undefined;
      return stream;
    }

    takeStdout(): InputStream | undefined {
      Child.#verify(this);
      const stream = this.#stdout;
      this.#stdout = undefined;
      const id = this.#stdoutId;
      return stream && closeWhenDropped(stream, () => callSpawner("dropPipe", id as number));
    }

    takeStderr(): InputStream | undefined {
      Child.#verify(this);
      const stream = this.#stderr;
      this.#stderr = undefined;
      const id = this.#stderrId;
      return stream && closeWhenDropped(stream, () => callSpawner("dropPipe", id as number));
    }

    subscribe(): Pollable {
      Child.#verify(this);
      if (this.#exitFuture === 0) this.#exitFuture = callSpawner("exitFuture", this.#handle);
      return futureSubscribe(this.#exitFuture, this);
    }

    status(): ChildStatus {
      Child.#verify(this);
      const { running, exit } = callSpawner("status", this.#handle);
      this.#exited = !running;
      return { id: this.#id, running, exitCode: exit?.code ?? undefined, signal: exit?.signal ?? undefined };
    }

    wait(): ExitStatus {
      Child.#verify(this);
      const exit = callSpawner("wait", this.#handle);
      // Waited for, with or without an error (timed-out): the child has exited.
      this.#exited = true;
      return toExitStatus(unwrap(exit));
    }

    kill(signal: string): void {
      Child.#verify(this);
      unwrap(callSpawner("kill", this.#handle, decideSignal(signal, this.#command)));
    }

    /** Called by jco when the guest drops its handle. */
    [Symbol.dispose](): void {
      if (!(#handle in this) || this.#released) return;
      this.#released = true;
      unreleased.unregister(this);
      // Streams the guest never took are the host's to release; the spawner drains them.
      const untaken = [this.#stdout && this.#stdoutId, this.#stderr && this.#stderrId].filter((id) => typeof id === "number");
      for (const stream of [this.#stdin, this.#stdout, this.#stderr]) (stream as Partial<Disposable> | undefined)?.[Symbol.dispose]?.();
      if (this.#exitFuture !== 0) {
        try {
          futureDispose(this.#exitFuture);
        } catch {
          // A pollable from subscribe() is still alive; the future goes when the worker's table does.
        }
      }
      if (this.#exited) releaseExitedLater(this.#handle, { untaken });
      else callSpawner("release", this.#handle, { untaken });
    }
  }

  const imports: ProcessImports = {
    Child,
    spawn: (command, options) => Child.spawn(command, options),
    output(command, options) {
      const collected = consumingStdinFrom(options, () => unwrap(callSpawner("output", decide("output", command, options))));
      return { status: toExitStatus(collected), stdout: collected.stdout, stderr: collected.stderr };
    },
  };

  return {
    policy: normalized,
    imports: { "host:process/process": imports },
    learnedPolicy: () => recorder.toPolicy(),
    liveChildren: () => callSpawner("liveChildren", owner),
    async close() {
      closed = true;
      callSpawner("closeOwner", owner, graceMs);
    },
  };
}
