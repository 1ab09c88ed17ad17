/**
 * Closes the descriptors a process inherited from its parent without
 * close-on-exec (3 and up, but the ones it keeps), so that its children get
 * only their standard streams and their own pipes. Node opens every
 * descriptor of its own close-on-exec, so only inherited ones are closed:
 * /proc/self/fdinfo says which lack O_CLOEXEC. Linux only; elsewhere a no-op.
 */
import { closeSync, readdirSync, readFileSync } from "node:fs";

const O_CLOEXEC = 0o2000000;

/** The inherited descriptors (3 and up, not in `keep`) that a child would get; each is closed. Returns their numbers. */
export function closeInheritedDescriptors(keep: readonly number[]): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc/self/fdinfo");
  } catch {
    return [];
  }
  const closed: number[] = [];
  for (const entry of entries) {
    const fd = Number(entry);
    if (!Number.isInteger(fd) || fd < 3 || keep.includes(fd)) continue;
    let flags: number;
    try {
      flags = Number.parseInt(/^flags:\s*([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"))?.[1] ?? "", 8);
    } catch {
      continue; // gone meanwhile (the descriptor of the directory listing itself)
    }
    if (Number.isNaN(flags) || (flags & O_CLOEXEC) !== 0) continue;
    try {
      closeSync(fd);
      closed.push(fd);
    } catch {
      // already closed
    }
  }
  return closed;
}
