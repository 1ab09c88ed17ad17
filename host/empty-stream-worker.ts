/** Runs in preview2-shim's I/O worker: makes an input stream that is already at its end (a guest's stdin that was not granted). */
import { Readable } from "node:stream";
import type { WorkerExtensionContext } from "@bytecodealliance/preview2-shim/io-worker";

export default function createEmptyStreams(context: WorkerExtensionContext) {
  return (operation: string): number => {
    if (operation !== "create") throw new Error(`host-process: unknown operation ${operation}`);
    return context.createReadableStream(Readable.from([]));
  };
}
