/**
 * The spawner's end of the watchdog (see watchdog.ts): starts it on first
 * use, tells it which process groups are alive, and starts a new one (told
 * every live group again) if it ever dies. Never throws.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const RESTART_AFTER_MS = 1000;
const WATCHDOG_SCRIPT = fileURLToPath(new URL("./watchdog.js", import.meta.url));

export class WatchdogLink {
  readonly #groups = new Map<number, number>();
  #process: ChildProcess | undefined;
  #unavailable = false;

  /** The watchdog's pid, once started (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.#process?.pid;
  }

  register(pgid: number, graceMs: number): void {
    this.#groups.set(pgid, graceMs);
    if (!this.#ensureStarted()) this.#send(`+${pgid} ${graceMs}`);
  }

  unregister(pgid: number): void {
    if (this.#groups.delete(pgid)) this.#send(`-${pgid}`);
  }

  #send(line: string): void {
    // A pipe write of a few bytes reaches the kernel within this call (libuv
    // tries the write at once), so a registration survives the host's sudden death.
    this.#process?.stdin?.write(`${line}\n`);
  }

  /** Starts the watchdog if it is not running; true when it was just started (and told every group). */
  #ensureStarted(): boolean {
    if (this.#process || this.#unavailable) return false;
    const watchdog = spawn(process.execPath, [WATCHDOG_SCRIPT], {
      detached: true,
      stdio: ["pipe", "ignore", "ignore"],
      windowsHide: true,
    });
    if (watchdog.pid === undefined) {
      // Cannot start it (no such executable, no resources): the host still works, without this guarantee.
      this.#unavailable = true;
      watchdog.on("error", () => {});
      return false;
    }
    this.#process = watchdog;
    watchdog.on("error", () => {});
    watchdog.stdin?.on("error", () => {});
    const startedAt = Date.now();
    watchdog.once("exit", () => {
      if (this.#process === watchdog) this.#process = undefined;
      // One that dies at once would die again: give up rather than spin.
      if (Date.now() - startedAt < RESTART_AFTER_MS) this.#unavailable = true;
      else if (this.#groups.size > 0) this.#ensureStarted();
    });
    // The watchdog must never keep the host alive.
    watchdog.unref();
    (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    for (const [pgid, graceMs] of this.#groups) this.#send(`+${pgid} ${graceMs}`);
    return true;
  }
}
