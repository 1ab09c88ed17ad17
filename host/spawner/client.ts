/** Synchronous, typed calls from the main thread into the spawner in preview2-shim's I/O worker. */
import { callExtension } from "@bytecodealliance/preview2-shim/io-worker";
import type { Operation, Operations, SpawnerStats } from "./protocol.js";

const SPAWNER_MODULE = new URL("./worker.js", import.meta.url);

/** Blocks the calling thread until the worker has answered (as every wasi:io call does). */
export function callSpawner<K extends Operation>(operation: K, ...args: Operations[K][0]): Operations[K][1] {
  return callExtension(SPAWNER_MODULE, operation, args) as Operations[K][1];
}

/**
 * What the spawner holds right now, across every instance of this thread: for
 * leak checks and diagnostics. `collectGarbage` first runs a full garbage
 * collection in the I/O worker (it turns on V8's --expose-gc: diagnostics only).
 */
export function spawnerStats(options: { collectGarbage?: boolean } = {}): SpawnerStats {
  return callSpawner("stats", { collectGarbage: options.collectGarbage ?? false });
}
