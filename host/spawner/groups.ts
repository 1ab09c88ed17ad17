/**
 * Process groups: every child is started as the leader of its own group (its
 * pgid is its pid), so a signal sent to the group reaches whatever the child
 * started too. Nothing here throws: it is called from the I/O worker's event
 * handlers, where an exception would poison every later I/O call.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Sends `signal` to every process of the group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  // A member we may not signal (it changed its user): reach at least the leader.
  try {
    process.kill(pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Whether any process is still in the group (zombies included: a cheap check for "maybe"). */
export function groupExists(pgid: number): boolean {
  return signalGroup(pgid, 0);
}

const PROC = "/proc";
let procReadable: boolean | undefined;

/**
 * The groups among `pgids` that still have a running (non-zombie) member.
 * On Linux this reads /proc, because an orphan that exited stays a zombie in
 * its group until init reaps it (some container inits never do); elsewhere it
 * falls back to `kill(-pgid, 0)`, which counts zombies as members.
 */
export function groupsWithLiveMembers(pgids: Iterable<number>): Set<number> {
  const wanted = new Set(pgids);
  const live = new Set<number>();
  if (wanted.size === 0) return live;
  if (procReadable !== false) {
    try {
      const entries = readdirSync(PROC);
      procReadable = true;
      for (const entry of entries) {
        const code = entry.charCodeAt(0);
        if (code < 48 || code > 57) continue;
        const stat = readStat(entry);
        if (stat && stat.state !== "Z" && stat.state !== "X" && wanted.has(stat.pgrp)) live.add(stat.pgrp);
      }
      return live;
    } catch {
      procReadable = false;
    }
  }
  for (const pgid of wanted) if (groupExists(pgid)) live.add(pgid);
  return live;
}

interface ProcStat {
  state: string;
  ppid: number;
  pgrp: number;
}

/** Fields of /proc/<pid>/stat after the command name (which may itself contain spaces and parentheses). */
export function readStat(pid: string | number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`${PROC}/${pid}/stat`, "latin1");
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0] ?? "", ppid: Number(fields[1]), pgrp: Number(fields[2]) };
}

let batch: { pgids: Set<number>; settle: ((live: Set<number>) => void)[] } | undefined;

/** Whether the group has a running member; calls made in the same turn share one scan. */
export function hasLiveMembers(pgid: number): Promise<boolean> {
  if (!batch) {
    const current = { pgids: new Set<number>(), settle: [] as ((live: Set<number>) => void)[] };
    batch = current;
    setImmediate(() => {
      batch = undefined;
      const live = groupsWithLiveMembers(current.pgids);
      for (const settle of current.settle) settle(live);
    });
  }
  batch.pgids.add(pgid);
  return new Promise((resolve) => batch!.settle.push((live) => resolve(live.has(pgid))));
}

/**
 * SIGTERM to every group of `graces` (process group id → grace in ms), SIGKILL
 * to each one still alive after its grace, checking every `pollMs`; calls
 * `done` once every group is empty. Groups are removed from `graces` as they
 * empty. For the watchdog and the launcher, which end what they hold when the
 * host is gone.
 */
export function endGroupsAfterGrace(graces: Map<number, number>, pollMs: number, done: () => void): void {
  const started = Date.now();
  for (const pgid of graces.keys()) signalGroup(pgid, "SIGTERM");
  const check = () => {
    const live = groupsWithLiveMembers(graces.keys());
    for (const [pgid, graceMs] of graces) {
      if (!live.has(pgid)) graces.delete(pgid);
      else if (Date.now() - started >= graceMs) signalGroup(pgid, "SIGKILL");
    }
    if (graces.size === 0) return done();
    setTimeout(check, pollMs);
  };
  check();
}
