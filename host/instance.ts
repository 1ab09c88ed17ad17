/**
 * One running component: its own process host (policy + children) and its own
 * WASI, instantiated together; `runComponent` calls its `wasi:cli/run`.
 */
import { createProcessHost, type ProcessHost, type ProcessHostOptions } from "./bindings.js";
import { loadComponent, type CompiledModules, type LoadOptions } from "./component.js";
import { prepareSpawner } from "./spawner/client.js";
import type { EnforcementMode, NormalizedPolicy, ProcessPolicy } from "./policy.js";
import { createWasiImports, GuestExit, type WasiOptions } from "./wasi.js";
import { startInstanceThread, type ThreadedInstance } from "./embedding/instance-thread.js";

/** Options of {@link instantiateComponent} and {@link runComponent}: the policy, the guest's arguments, the kill grace period and the cache. */
export interface InstantiateOptions extends WasiOptions, ProcessHostOptions, LoadOptions {
  /** What the guest may run, and the rest of WASI it gets (`policy.wasi`). Default: nothing. */
  policy?: ProcessPolicy;
}

/**
 * Options of an instance in a worker thread of its own (a {@link ThreadedInstance}):
 * the host's event loop runs while the guest blocks, the guest can be stopped,
 * and instances run in parallel.
 */
export interface ThreadOptions {
  /** Run the guest in a worker thread of its own. Default: false for `instantiateComponent`, true for `runComponent` and the CLI. */
  thread: true;
  /** Stops each `run()` after this many milliseconds (a {@link GuestStoppedError}, reason "timed-out"). Default: no bound. */
  runTimeoutMs?: number | undefined;
}

/** Options of {@link runComponent}: those of either kind of instance, and an `AbortSignal` (threaded only). */
export type RunComponentOptions = InstantiateOptions & {
  /** Default true: see {@link ThreadOptions}. */
  thread?: boolean | undefined;
  /** Stops the run after this many milliseconds (threaded only; see {@link ThreadOptions}). Default: no bound. */
  runTimeoutMs?: number | undefined;
  /** Aborting it stops the guest (a {@link GuestStoppedError}, reason "aborted"). */
  signal?: AbortSignal | undefined;
};

/** One instantiated component with its own process host: its policy and its children. */
export interface ComponentInstance extends AsyncDisposable {
  /** The component's exports, as jco gives them. */
  readonly exports: Record<string, unknown>;
  /** The instance's process host: its policy and its children. */
  readonly host: ProcessHost;
  /**
   * Calls the component's `wasi:cli/run` and returns its exit code: 0 on
   * success, 1 when `run` returns an error, or the code the guest passed to
   * `wasi:cli/exit`. A trap is thrown.
   */
  run(): Promise<number>;
  /** Ends and reaps every child the instance started. */
  close(): Promise<void>;
}

interface RunExport {
  run(): void | Promise<void>;
}

/** The pieces of an instance in this thread; `stdio` replaces the guest's stdout and stderr (and its stdin, where granted). */
export async function createInstanceHere(
  source: string | Uint8Array,
  options: InstantiateOptions,
  stdio?: Partial<Record<"wasi:cli/stdin" | "wasi:cli/stdout" | "wasi:cli/stderr", object>>,
  compiled?: CompiledModules,
): Promise<{ exports: Record<string, unknown>; host: ProcessHost }> {
  const host = createProcessHost(options.policy, options);
  // The I/O worker loads the spawner and the launcher boots while the component compiles.
  if (mayStartChildren(host.policy, options.mode)) setImmediate(prepareSpawner);
  try {
    const component = await loadComponent(source, options, compiled);
    const exports = await component.instantiate({ ...createWasiImports(host.policy.wasi, options), ...stdio, ...host.imports });
    return { exports, host };
  } catch (error) {
    await host.close();
    throw error;
  }
}

/** Whether the instance's policy lets it start any child at all. */
export function mayStartChildren(policy: NormalizedPolicy, mode: EnforcementMode | undefined): boolean {
  return mode === "learn" || policy.allowAll || policy.allowed.size > 0;
}

/** Loads (cached) and instantiates a component with its policy and the rest of WASI. */
export async function instantiateComponent(
  source: string | Uint8Array,
  options: InstantiateOptions & ThreadOptions,
): Promise<ThreadedInstance>;
export async function instantiateComponent(
  source: string | Uint8Array,
  options?: InstantiateOptions & { thread?: false | undefined },
): Promise<ComponentInstance>;
export async function instantiateComponent(
  source: string | Uint8Array,
  options: InstantiateOptions & Partial<Omit<ThreadOptions, "thread">> & { thread?: boolean | undefined } = {},
): Promise<ComponentInstance | ThreadedInstance> {
  if (options.thread === true) return startInstanceThread(source, { ...options, thread: true });
  if (options.runTimeoutMs !== undefined) {
    throw new TypeError("The `runTimeoutMs` option needs `thread: true`: a guest on the host's own thread cannot be stopped while it runs");
  }
  const { exports, host } = await createInstanceHere(source, options);
  const close = () => host.close();
  return { exports, host, run: () => callRun(exports), close, [Symbol.asyncDispose]: close };
}

function runExport(exports: Record<string, unknown>): RunExport {
  const candidate = Object.entries(exports).find(([name]) => name === "run" || name.startsWith("wasi:cli/run@"))?.[1];
  if (typeof (candidate as RunExport | undefined)?.run !== "function") {
    throw new TypeError(`The component does not export \`wasi:cli/run\`; exports: ${Object.keys(exports).join(", ") || "none"}`);
  }
  return candidate as RunExport;
}

/** Calls the component's `wasi:cli/run`: see `ComponentInstance.run`. */
export async function callRun(exports: Record<string, unknown>): Promise<number> {
  const command = runExport(exports);
  try {
    await command.run();
    return 0;
  } catch (error) {
    if (error instanceof GuestExit) return error.exitCode;
    if (isComponentError(error)) return 1;
    throw error;
  }
}

/**
 * Runs a command component under a policy (see `ComponentInstance.run`); every
 * child the guest started is reaped before this settles. The guest runs in a
 * thread of its own unless `thread: false`: the host's event loop runs on
 * meanwhile, and `signal` or `runTimeoutMs` can stop it (a {@link GuestStoppedError}).
 */
export async function runComponent(
  source: string | Uint8Array,
  options: RunComponentOptions = {},
): Promise<number> {
  const { signal, ...rest } = options;
  if (options.thread === false) {
    if (signal !== undefined) throw new TypeError("The `signal` option needs a guest in its own thread: leave `thread` unset or true");
    const instance = await instantiateComponent(source, { ...rest, thread: false });
    try {
      return await instance.run();
    } finally {
      await instance.close();
    }
  }
  signal?.throwIfAborted();
  const instance = await instantiateComponent(source, { ...rest, thread: true });
  try {
    return await instance.run({ signal });
  } finally {
    await instance.close();
  }
}

/** jco's `ComponentError`: `run` returned `err` (a host error thrown through a trap is not one). */
function isComponentError(error: unknown): boolean {
  return error instanceof Error && error.constructor.name === "ComponentError";
}
