/**
 * One running component: its own process host (policy + children) and its own
 * WASI, instantiated together; `runComponent` calls its `wasi:cli/run`.
 */
import { createProcessHost, type ProcessHost, type ProcessHostOptions } from "./bindings.js";
import { loadComponent, type LoadOptions } from "./component.js";
import { prepareSpawner } from "./spawner/client.js";
import type { ProcessPolicy } from "./policy.js";
import { createWasiImports, GuestExit, type WasiOptions } from "./wasi.js";

/** Options of {@link instantiateComponent} and {@link runComponent}: the policy, the guest's arguments, the kill grace period and the cache. */
export interface InstantiateOptions extends WasiOptions, ProcessHostOptions, LoadOptions {
  /** What the guest may run, and the rest of WASI it gets (`policy.wasi`). Default: nothing. */
  policy?: ProcessPolicy;
}

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

/** Loads (cached) and instantiates a component with its policy and the rest of WASI. */
export async function instantiateComponent(
  source: string | Uint8Array,
  options: InstantiateOptions = {},
): Promise<ComponentInstance> {
  const host = createProcessHost(options.policy, options);
  // The I/O worker loads the spawner and the launcher boots while the component compiles.
  if (options.mode === "learn" || host.policy.allowAll || host.policy.allowed.size > 0) setImmediate(prepareSpawner);
  try {
    const component = await loadComponent(source, options);
    const exports = await component.instantiate({ ...createWasiImports(host.policy.wasi, options), ...host.imports });
    const close = () => host.close();
    return { exports, host, run: () => callRun(exports), close, [Symbol.asyncDispose]: close };
  } catch (error) {
    await host.close();
    throw error;
  }
}

function runExport(exports: Record<string, unknown>): RunExport {
  const candidate = Object.entries(exports).find(([name]) => name === "run" || name.startsWith("wasi:cli/run@"))?.[1];
  if (typeof (candidate as RunExport | undefined)?.run !== "function") {
    throw new TypeError(`The component does not export \`wasi:cli/run\`; exports: ${Object.keys(exports).join(", ") || "none"}`);
  }
  return candidate as RunExport;
}

async function callRun(exports: Record<string, unknown>): Promise<number> {
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
 * child the guest started is reaped before this settles.
 */
export async function runComponent(source: string | Uint8Array, options: InstantiateOptions = {}): Promise<number> {
  const instance = await instantiateComponent(source, options);
  try {
    return await instance.run();
  } finally {
    await instance.close();
  }
}

/** jco's `ComponentError`: `run` returned `err` (a host error thrown through a trap is not one). */
function isComponentError(error: unknown): boolean {
  return error instanceof Error && error.constructor.name === "ComponentError";
}
