/**
 * The watchdog: a small separate process that ends the host's child process
 * groups once the host is gone, however it went (normal exit, a signal, even
 * SIGKILL, or a main thread blocked in a synchronous call that no signal
 * handler could interrupt).
 *
 * The host holds the only write end of this process's stdin and writes one
 * line per change: `+<pgid> <graceMs>` when it starts a group, `-<pgid>` when
 * the group is gone. End of input means the host has exited: every group still
 * registered gets SIGTERM, then SIGKILL after its grace period.
 *
 * Run as `node watchdog.js`; it is started detached (its own session), so a
 * Ctrl-C meant for the host does not reach it.
 */
import { endGroupsAfterGrace } from "./groups.js";

const POLL_MS = 50;

const groups = new Map<number, number>();
let pending = "";

function apply(line: string): void {
  const match = /^([+-])(\d+)(?: (\d+))?$/.exec(line.trim());
  if (!match) return;
  const pgid = Number(match[2]);
  if (match[1] === "+") groups.set(pgid, Number(match[3] ?? 0));
  else groups.delete(pgid);
}

/** SIGTERM to every registered group, SIGKILL to each one still alive after its grace; then exit. */
function endEverything(): void {
  endGroupsAfterGrace(groups, POLL_MS, () => process.exit(0));
}

process.stdin.on("end", endEverything);
process.stdin.on("error", endEverything);
