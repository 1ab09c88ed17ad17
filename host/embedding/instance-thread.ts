/**
 * A component instance in a worker thread of its own, seen from the embedding
 * host's thread: the guest blocks its own thread, never the host's; the host
 * stops it (close, an AbortSignal, a run-time bound) by ending its children
 * through its spawner's control channel, then terminating the thread.
 */
import { randomUUID } from "node:crypto";
import { BroadcastChannel, MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { publishDecision } from "../decisions.js";
import { answerChecks } from "./remote-checker.js";
import { DEFAULT_KILL_GRACE_MS } from "../bindings.js";
import { callSpawner } from "../spawner/client.js";
import { loadComponent, type CompiledModules } from "../component.js";
import type { InstantiateOptions, ThreadOptions } from "../instance.js";
import { normalizePolicy, type NormalizedPolicy, type ProcessPolicy } from "../policy.js";
import { controlChannelName, eventsChannelName, type ControlRequest, type EventMessage } from "./channels.js";
import { GuestStoppedError, type StopReason } from "./guest-stopped.js";
import type { FromThread, ThreadData, ToThread } from "./thread-protocol.js";

const ENTRY = new URL("./thread-entry.js", import.meta.url);
/** How long the spawner may take beyond the grace period to report its children reaped (its own bound is 2 s). */
const STOP_MARGIN_MS = 3000;

/** Options of {@link ThreadedInstance.run}. */
export interface RunOptions {
  /** Aborting it stops the guest: `run()` rejects with a {@link GuestStoppedError} (reason "aborted"). */
  signal?: AbortSignal | undefined;
}

/** A component instance running in a worker thread of its own (`instantiateComponent(…, { thread: true })`). */
export interface ThreadedInstance extends AsyncDisposable {
  /** The policy the instance enforces, validated and resolved. */
  readonly policy: NormalizedPolicy;
  /** The worker thread's id. */
  readonly threadId: number;
  /**
   * Calls the component's `wasi:cli/run` in its thread and returns its exit
   * code (as `ComponentInstance.run`). Rejects with a {@link GuestStoppedError}
   * if the host stops the guest meanwhile; one run at a time.
   */
  run(options?: RunOptions): Promise<number>;
  /** Process ids of the instance's children that have not exited (asked of its spawner, also while the guest runs). */
  liveChildren(): Promise<number[]>;
  /** Learn mode's result as of the end of the last run. */
  learnedPolicy(): ProcessPolicy;
  /**
   * Stops the guest if it runs (its `run()` rejects, reason "closed"), ends and
   * reaps every child it started (SIGTERM, then SIGKILL after `killGraceMs`),
   * and ends its thread. Idempotent.
   */
  close(): Promise<void>;
}

interface PendingRun {
  id: number;
  resolve(code: number): void;
  reject(error: unknown): void;
}

function validateRunTimeout(value: number | undefined): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value <= 0)) {
    throw new TypeError(`Expected the \`runTimeoutMs\` option to be a positive integer, got \`${value}\``);
  }
}

/** The options a thread gets: only data crosses threads (a policy is JSON data; anything else in it is refused here, by name). */
function threadData(
  source: string | Uint8Array,
  options: InstantiateOptions & ThreadOptions,
  token: string,
  compiled: CompiledModules,
  checks: MessagePort | undefined,
): ThreadData {
  const { onDecision, checker, thread, runTimeoutMs, ...rest } = options;
  try {
    structuredClone(rest.policy);
  } catch (cause) {
    throw new TypeError("The policy holds something other than data (a function?), which cannot cross into a guest's thread; a policy is JSON data", { cause });
  }
  return { source, options: rest, token, compiled, checks };
}

class InstanceThread implements ThreadedInstance {
  readonly policy: NormalizedPolicy;
  readonly #worker: Worker;
  readonly #token: string;
  readonly #options: InstantiateOptions & ThreadOptions;
  readonly #control: BroadcastChannel;
  readonly #events: BroadcastChannel;
  readonly #replies = new Map<number, (message: EventMessage) => void>();
  readonly #flushed = new Set<number>();
  #nextId = 0;
  #spawner = false;
  #learned: ProcessPolicy = {};
  #running: PendingRun | undefined;
  #stopping: Promise<void> | undefined;
  #ended = false;
  #failure: unknown;

  constructor(source: string | Uint8Array, options: InstantiateOptions & ThreadOptions, compiled: CompiledModules) {
    this.policy = normalizePolicy(options.policy);
    validateRunTimeout(options.runTimeoutMs);
    this.#options = options;
    this.#token = randomUUID();
    let checks: MessageChannel | undefined;
    if (options.checker) {
      checks = new MessageChannel();
      answerChecks(checks.port1, options.checker);
    }
    const workerData = threadData(source, options, this.#token, compiled, checks?.port2);
    this.#control = new BroadcastChannel(controlChannelName(this.#token));
    this.#events = new BroadcastChannel(eventsChannelName(this.#token));
    this.#control.unref();
    this.#events.unref();
    this.#events.onmessage = (event) => this.#onEvent((event as { data: EventMessage }).data);
    // Its spawner starts children itself and uses this thread's watchdog: see spawner/shared-watchdog.ts.
    callSpawner("serveWatchdog");
    this.#worker = new Worker(ENTRY, {
      workerData,
      transferList: checks ? [checks.port2] : [],
      env: { ...process.env, HOST_PROCESS_INSTANCE_THREAD: "1" },
    });
    this.#worker.on("message", (message: FromThread) => this.#onMessage(message));
    // An uncaught exception in the thread (none is expected: a trap rejects run()) ends it; exit reports it.
    this.#worker.on("error", (error) => (this.#failure ??= error));
    this.#worker.on("exit", (code) => this.#onExit(code));
  }

  get threadId(): number {
    return this.#worker.threadId;
  }

  /** Settles once the component is instantiated in its thread. */
  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: FromThread) => {
        if (message.type === "ready") {
          this.#spawner = message.spawner;
          this.#worker.off("error", reject);
          // An idle instance does not keep the host alive (as one on the host's thread does not).
          this.#worker.unref();
          resolve();
        } else if (message.type === "failed") {
          void this.#worker.terminate();
          reject(message.error);
        } else return;
        this.#worker.off("message", onMessage);
      };
      this.#worker.on("message", onMessage);
      this.#worker.once("error", reject);
      this.#worker.once("exit", (code) => reject(new Error(`The guest's thread ended while instantiating (exit code ${code})`, { cause: this.#failure })));
    });
  }

  run(options: RunOptions = {}): Promise<number> {
    if (this.#stopping) return Promise.reject(new Error("This instance is closed; instantiate the component again to run it"));
    if (this.#running) return Promise.reject(new Error("This instance is already running; one run() at a time"));
    const { signal } = options;
    const id = ++this.#nextId;
    const done = new Promise<number>((resolve, reject) => (this.#running = { id, resolve, reject }));
    const onAbort = () => void this.#stop("aborted", signal?.reason);
    const timeoutMs = this.#options.runTimeoutMs;
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => void this.#stop("timed-out", `${timeoutMs} ms`), timeoutMs);
    if (signal?.aborted) onAbort();
    else {
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#worker.ref();
      this.#worker.postMessage({ type: "run", id } satisfies ToThread);
    }
    return done.finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      if (!this.#ended) this.#worker.unref();
    });
  }

  async liveChildren(): Promise<number[]> {
    if (!this.#spawner || this.#ended) return [];
    const reply = await this.#request({ op: "live", id: ++this.#nextId }, 10_000);
    return reply?.op === "live" ? reply.pids : [];
  }

  learnedPolicy(): ProcessPolicy {
    return this.#learned;
  }

  close(): Promise<void> {
    return this.#stop("closed");
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Ends every child through the spawner, then the thread; rejects a run in flight with the reason. */
  #stop(reason: StopReason, detail?: unknown): Promise<void> {
    this.#stopping ??= (async () => {
      const running = this.#running;
      const error = new GuestStoppedError(reason, typeof detail === "string" ? detail : undefined, detail === undefined || typeof detail === "string" ? undefined : { cause: detail });
      const graceMs = this.#options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
      if (this.#spawner && !this.#ended) await this.#request({ op: "stop", id: ++this.#nextId, graceMs }, graceMs + STOP_MARGIN_MS);
      await this.#worker.terminate();
      this.#control.close();
      this.#events.close();
      if (running && this.#running === running) {
        this.#running = undefined;
        running.reject(error);
      }
    })();
    return this.#stopping;
  }

  /** Asks the spawner; undefined if it has not answered within `timeoutMs`. */
  #request(request: ControlRequest, timeoutMs: number): Promise<EventMessage | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#replies.delete(request.id);
        resolve(undefined);
      }, timeoutMs);
      this.#replies.set(request.id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.#control.postMessage(request);
    });
  }

  #onEvent(message: EventMessage): void {
    if (message.op === "output") (message.fd === 1 ? process.stdout : process.stderr).write(message.bytes);
    else if (message.op === "flushed") {
      this.#flushed.add(message.id);
      this.#replies.get(message.id)?.(message);
    } else {
      const reply = this.#replies.get(message.id);
      this.#replies.delete(message.id);
      reply?.(message);
    }
  }

  #onMessage(message: FromThread): void {
    if (message.type === "decision") return publishDecision(message.decision, this.#options.onDecision);
    if (message.type !== "ran" && message.type !== "threw") return;
    const running = this.#running;
    if (!running || running.id !== message.id || this.#stopping) return;
    this.#learned = message.learned;
    // Settles once every byte the guest wrote before it returned has been written here.
    void this.#afterOutput(message.id).then(() => {
      if (this.#running !== running || this.#stopping) return;
      this.#running = undefined;
      if (message.type === "ran") running.resolve(message.code);
      else running.reject(message.error);
    });
  }

  #afterOutput(id: number): Promise<void> {
    if (this.#flushed.delete(id)) return Promise.resolve();
    return new Promise((resolve) => {
      this.#replies.set(id, () => {
        this.#replies.delete(id);
        this.#flushed.delete(id);
        resolve();
      });
    });
  }

  #onExit(code: number): void {
    this.#ended = true;
    const running = this.#running;
    if (!running || this.#stopping) return;
    this.#running = undefined;
    running.reject(new Error(`The guest's thread ended unexpectedly (exit code ${code})`, { cause: this.#failure }));
  }
}

/** Instantiates a component in a worker thread of its own; see {@link ThreadedInstance}. */
export async function startInstanceThread(source: string | Uint8Array, options: InstantiateOptions & ThreadOptions): Promise<ThreadedInstance> {
  // Validated before the component is loaded (a mistake is reported at once); compiled here once for every thread.
  normalizePolicy(options.policy);
  validateRunTimeout(options.runTimeoutMs);
  const compiled = await (await loadComponent(source, options)).coreModules();
  const instance = new InstanceThread(source, options, compiled);
  await instance.ready();
  return instance;
}
