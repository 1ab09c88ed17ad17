/**
 * Runs in the I/O worker of an instance thread: the guest's stdout and stderr
 * as wasi:io output streams whose bytes go straight to the embedding host's
 * thread over the events channel, and (when granted) its stdin read from the
 * process's own descriptor 0. (The shim's own stdio in a worker goes through
 * Node's forwarding between a worker and its parent: through the instance
 * thread, whose event loop does not turn while the guest blocks, and with no
 * stdin at all.)
 */
import { createReadStream } from "node:fs";
import { Writable } from "node:stream";
import { BroadcastChannel } from "node:worker_threads";
import type { WorkerExtensionContext } from "@bytecodealliance/preview2-shim/io-worker";
import { eventsChannelName, type OutputMessage } from "./channels.js";

export default function createOutputStreams(context: WorkerExtensionContext) {
  const channels = new Map<string, BroadcastChannel>();
  const channelOf = (token: string) => {
    let channel = channels.get(token);
    if (!channel) {
      channel = new BroadcastChannel(eventsChannelName(token));
      channel.unref();
      channels.set(token, channel);
    }
    return channel;
  };
  const post = (token: string, message: OutputMessage) => channelOf(token).postMessage(message);

  return (operation: string, [token, value]: [string, number]): number | null => {
    if (operation === "stdin") return context.createReadableStream(createReadStream("", { fd: 0, autoClose: false }));
    if (operation === "create") {
      const fd = value as 1 | 2;
      const stream = new Writable({
        write(chunk: Buffer, _encoding, done) {
          post(token, { op: "output", fd, bytes: new Uint8Array(chunk) });
          done();
        },
      });
      return context.createWritableStream(stream);
    }
    // Sent after every chunk before it on the same channel: the host's thread has them all once it sees this.
    if (operation === "flush") return post(token, { op: "flushed", id: value }), null;
    throw new Error(`host-process: unknown operation ${operation}`);
  };
}
