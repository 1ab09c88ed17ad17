/** What the operating system says about processes, descriptors and memory (Linux /proc). */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";

interface Stat {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
}

function stat(pid: string | number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "latin1");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { pid: Number(pid), state: fields[0]!, ppid: Number(fields[1]), pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

/** The parent's pid of a process, if it exists. */
export function parentPid(pid: number): number | undefined {
  return stat(pid)?.ppid;
}

/** The processes whose parent is `ppid`, with their command lines. */
export function childrenOf(ppid: number): { pid: number; commandLine: string }[] {
  return allProcesses()
    .filter((process) => process.ppid === ppid)
    .map(({ pid }) => ({ pid, commandLine: commandLine(pid) }));
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "latin1").replaceAll("\0", " ").trim();
  } catch {
    return ""; // It has exited meanwhile.
  }
}

function allProcesses(): Stat[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => stat(name))
    .filter((s): s is Stat => s !== undefined);
}

/** Running (not zombie) processes of the process group `pgid`. */
export function liveMembers(pgid: number): number[] {
  return allProcesses().filter((p) => p.pgrp === pgid && p.state !== "Z" && p.state !== "X").map((p) => p.pid);
}

/** Running processes of any of these groups. */
export function liveMembersOfAll(pgids: number[]): number[] {
  const wanted = new Set(pgids);
  return allProcesses().filter((p) => wanted.has(p.pgrp) && p.state !== "Z" && p.state !== "X").map((p) => p.pid);
}

/** Children of `ppid` that have exited and were never reaped. */
export function zombieChildren(ppid: number = process.pid): number[] {
  return allProcesses().filter((p) => p.ppid === ppid && p.state === "Z").map((p) => p.pid);
}

/** Whether the process exists and is not a zombie. */
export function isRunning(pid: number): boolean {
  const s = stat(pid);
  return s !== undefined && s.state !== "Z" && s.state !== "X";
}

/** Whether the process is gone entirely (reaped, not a zombie). */
export function isGone(pid: number): boolean {
  return stat(pid) === undefined;
}

/** Open file descriptors of this process. */
export function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

function statusField(name: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(readFileSync("/proc/self/status", "utf8"));
  return Number(match![1]) * 1024;
}

export function rssBytes(): number {
  return statusField("VmRSS");
}

/**
 * The most this process's resident memory grew above its level at the start
 * of `body`: the kernel's peak (VmHWM) is reset first, so the peak is exact,
 * not sampled.
 */
export async function peakRssGrowth<T>(body: () => Promise<T>): Promise<{ result: T; growth: number }> {
  writeFileSync("/proc/self/clear_refs", "5");
  const start = rssBytes();
  const result = await body();
  return { result, growth: statusField("VmHWM") - start };
}

/** Polls `condition` until it holds; the test's own timeout is the only bound. */
export async function until(condition: () => boolean, everyMs = 20): Promise<void> {
  while (!condition()) await delay(everyMs);
}
