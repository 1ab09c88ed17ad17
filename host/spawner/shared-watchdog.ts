/**
 * One watchdog for the whole host process: the spawner of each instance thread
 * (host/embedding) sends the process groups it starts and forgets to the
 * spawner in the I/O worker of the host's own thread, which keeps the one
 * watchdog. (A watchdog per instance thread would cost a process per instance,
 * and one whose thread ended would be left a zombie: only the thread that
 * started a process can reap it.)
 */
import { BroadcastChannel } from "node:worker_threads";
import type { WatchdogLink } from "./watchdog-link.js";

const CHANNEL = "host-process:watchdog";

type Registration = { pgid: number; graceMs: number } | { pgid: number; forget: true };

/** What an instance thread's spawner uses in place of a WatchdogLink of its own. */
export class RemoteWatchdog {
  readonly #channel = new BroadcastChannel(CHANNEL);

  constructor() {
    this.#channel.unref();
  }

  register(pgid: number, graceMs: number): void {
    this.#channel.postMessage({ pgid, graceMs } satisfies Registration);
  }

  unregister(pgid: number): void {
    this.#channel.postMessage({ pgid, forget: true } satisfies Registration);
  }
}

let serving = false;

/** Serves every instance thread's registrations with the host thread's own watchdog (once per process). */
export function serveWatchdog(watchdog: WatchdogLink): void {
  if (serving) return;
  serving = true;
  const channel = new BroadcastChannel(CHANNEL);
  channel.unref();
  channel.onmessage = (event) => {
    const registration = (event as { data: Registration }).data;
    if ("forget" in registration) watchdog.unregister(registration.pgid);
    else watchdog.register(registration.pgid, registration.graceMs);
  };
}
