/**
 * Starting a child in exactly the directory the policy checked. The policy
 * resolved the cwd to a real path inside an allowed directory; here that path
 * is opened once, and the kernel's own path of the opened directory
 * (/proc/self/fd/<n>) must still be that real path — a directory on the way
 * swapped for a symlink after the check opens somewhere else and is refused.
 * The child is then started with `/proc/self/fd/<n>` as its cwd: its chdir
 * (between fork and exec, while the descriptor is still open in it) follows
 * that link to the opened directory itself, so a later swap cannot move it.
 * Linux; elsewhere the path is used as it is.
 */
import { closeSync, constants, openSync, readlinkSync } from "node:fs";

export type PinnedCwd = { cwd: string; release(): void } | { error: string };

/** Opens the checked real path `dir`; the cwd to give spawn, and how to close it once the child has started. */
export function pinCwd(dir: string): PinnedCwd {
  if (process.platform !== "linux") return { cwd: dir, release: () => {} };
  let fd: number;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (error) {
    return { error: (error as NodeJS.ErrnoException).code ?? "ENOENT" };
  }
  let opened: string | undefined;
  try {
    opened = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    opened = undefined;
  }
  if (opened !== dir) {
    closeSync(fd);
    return { error: "ECWDCHANGED: the working directory's path was changed after the policy checked it" };
  }
  return { cwd: `/proc/self/fd/${fd}`, release: () => closeSync(fd) };
}
