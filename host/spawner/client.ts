/** Synchronous, typed calls from the main thread into the spawner in preview2-shim's I/O worker. */
import { callExtension } from "@bytecodealliance/preview2-shim/io-worker";
import type { Operation, Operations, ReleaseOptions, SpawnerStats } from "./protocol.js";

const SPAWNER_MODULE = new URL("./worker.js", import.meta.url);

/** Releases of exited children not yet sent: each would cost a round trip of its own, and nothing waits on them. */
let deferredReleases: [number, ReleaseOptions][] = [];

/** Blocks the calling thread until the worker has answered (as every wasi:io call does). */
export function callSpawner<K extends Operation>(operation: K, ...args: Operations[K][0]): Operations[K][1] {
  if (deferredReleases.length === 0) return callExtension(SPAWNER_MODULE, operation, args) as Operations[K][1];
  const releases = deferredReleases;
  deferredReleases = [];
  return callExtension(SPAWNER_MODULE, "deferred", [releases, operation, args]) as Operations[K][1];
}

/**
 * Releases an exited child with the next call into the spawner, or once this
 * thread's event loop turns, whichever comes first. (A running child is
 * released at once: dropping it may kill it.)
 */
export function releaseExitedLater(handle: number, options: ReleaseOptions): void {
  deferredReleases.push([handle, options]);
  if (deferredReleases.length === 1) setImmediate(flushReleases).unref();
}

function flushReleases(): void {
  if (deferredReleases.length > 0) callSpawner("ping");
}

/**
 * Loads the spawner into the I/O worker, which starts its launcher, so that
 * the first spawns need not wait for either (nor fork the host itself while
 * the launcher comes up).
 */
export function prepareSpawner(): void {
  callSpawner("ping");
}

/**
 * What the spawner holds right now, across every instance of this thread: for
 * leak checks and diagnostics. `collectGarbage` first runs a full garbage
 * collection in the I/O worker (it turns on V8's --expose-gc: diagnostics only).
 */
export function spawnerStats(options: { collectGarbage?: boolean } = {}): SpawnerStats {
  return callSpawner("stats", { collectGarbage: options.collectGarbage ?? false });
}
