/** Synchronous, typed calls from the main thread into the spawner in preview2-shim's I/O worker. */
import { callExtension } from "@bytecodealliance/preview2-shim/io-worker";
import type { Operation, Operations } from "./protocol.js";

const SPAWNER_MODULE = new URL("./worker.js", import.meta.url);

/** Blocks the calling thread until the worker has answered (as every wasi:io call does). */
export function callSpawner<K extends Operation>(operation: K, ...args: Operations[K][0]): Operations[K][1] {
  return callExtension(SPAWNER_MODULE, operation, args) as Operations[K][1];
}
