/**
 * The spawner's end of an instance thread's control channel: the embedding
 * host (host/embedding/instance-thread.ts) reaches the spawner of one instance
 * thread here, in that thread's I/O worker, whose event loop runs while the
 * guest's thread is blocked in a call or spinning in a loop. It asks for the
 * live children, or to stop: end and reap every child and refuse new ones.
 */
import { BroadcastChannel } from "node:worker_threads";
import type { ControlReply, ControlRequest } from "../embedding/channels.js";
import { controlChannelName, eventsChannelName } from "../embedding/channels.js";

export interface ControlHandlers {
  /** Ends every child (SIGTERM, then SIGKILL after `graceMs`), waits until they are reaped, and refuses new spawns. */
  stop(graceMs: number): Promise<void>;
  /** Process ids of every child that has not exited. */
  liveChildren(): number[];
}

/** Listens on the control channel of instance thread `token`; replies on its events channel. */
export function listenForControl(token: string, handlers: ControlHandlers): void {
  const requests = new BroadcastChannel(controlChannelName(token));
  const replies = new BroadcastChannel(eventsChannelName(token));
  // The channel must never keep the I/O worker alive.
  requests.unref();
  replies.unref();
  const reply = (message: ControlReply) => replies.postMessage(message);
  requests.onmessage = (event) => {
    const request = (event as { data: ControlRequest }).data;
    if (request.op === "live") reply({ op: "live", id: request.id, pids: handlers.liveChildren() });
    else if (request.op === "stop") {
      handlers.stop(request.graceMs).then(
        () => reply({ op: "stopped", id: request.id }),
        () => reply({ op: "stopped", id: request.id }),
      );
    }
  };
}
