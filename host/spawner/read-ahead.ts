/**
 * Node's read-ahead on a pipe socket: a new socket starts reading at once
 * (into its own buffer, as soon as the event loop polls). Stopping it in the
 * same turn leaves every byte in the OS pipe for whoever is to read it.
 */
import type { Readable } from "node:stream";

type Socket = Readable & { _handle?: { reading: boolean; readStop(): number } | null; _readableState: { reading: boolean } };

/** Stops the socket's read-ahead; what has not been read stays in the OS pipe. */
export function stopReadAhead(stream: Readable): void {
  const socket = stream as Socket;
  if (socket._handle) {
    socket._handle.reading = false;
    socket._handle.readStop();
  }
  socket._readableState.reading = false;
}
