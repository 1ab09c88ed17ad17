/**
 * Turns a spawn plan with a confinement into the bubblewrap command that runs
 * it: the program and its arguments unchanged after `--`, preceded by the
 * sandbox. Every argument is passed as a separate argv entry (never a shell).
 */
import { statSync } from "node:fs";
import type { Confinement, SpawnPlan } from "../policy.js";
import { SECCOMP_FD, unixSocketFilter } from "./seccomp.js";

/**
 * The sandbox every confined child gets, whatever its policy: its own user
 * (no nested user namespaces, no capabilities, no new privileges), PID, IPC,
 * UTS and cgroup namespaces, its own session (so its process group is not
 * bubblewrap's, and the host signals the program, not the wrapper), killed
 * when bubblewrap dies, the host's filesystem read-only, a fresh /dev (with a
 * private /dev/shm), its own /proc and an empty private /tmp.
 */
const SANDBOX = [
  "--unshare-user", "--disable-userns", "--cap-drop", "ALL",
  "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
  "--new-session", "--die-with-parent",
  "--ro-bind", "/", "/",
  "--dev", "/dev",
  "--proc", "/proc",
  "--tmpfs", "/tmp",
];

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * bubblewrap's options (everything before `--`) for one child; `seccomp`: the
 * filter refusing Unix sockets is read from descriptor 3 (without network).
 */
export function bwrapOptions(confinement: Confinement, cwd: string, seccomp = true): string[] {
  const options = [...SANDBOX];
  if (!confinement.network) options.push("--unshare-net");
  if (!confinement.network && seccomp) options.push("--seccomp", String(SECCOMP_FD));
  // The working directory stays visible (a host /tmp one would otherwise vanish under the private /tmp), read-only
  // unless a write directory below binds it again.
  if (cwd !== "/") options.push("--ro-bind", cwd, cwd);
  // A write directory that vanished since the policy was made stays read-only (bind-try skips it): fail safe.
  for (const dir of confinement.write) options.push("--bind-try", dir, dir);
  // After the binds, so that a hidden path inside a write directory stays hidden.
  for (const path of confinement.hide) {
    if (isDirectory(path)) options.push("--tmpfs", path, "--remount-ro", path);
    else options.push("--ro-bind", "/dev/null", path);
  }
  options.push("--chdir", cwd);
  return options;
}

/** What to execute: the file, its argv, and the bytes to write into its descriptor 3 (bubblewrap's seccomp filter). */
export interface Execution {
  file: string;
  args: string[];
  argv0: string;
  seccomp?: Uint8Array | undefined;
}

/** What to execute for a plan: bubblewrap wrapping the program when confined, else the program itself. */
export function executionOf(plan: SpawnPlan): Execution {
  const { confinement } = plan;
  if (confinement === undefined) return { file: plan.file, args: plan.args, argv0: plan.argv0 };
  // bubblewrap 0.8 has no --argv0: the program's argv[0] is its real path.
  const args = [...bwrapOptions(confinement, plan.cwd), "--", plan.file, ...plan.args];
  return { file: confinement.bwrap as string, args, argv0: "bwrap", seccomp: confinement.network ? undefined : unixSocketFilter() };
}
