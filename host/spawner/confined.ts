/**
 * What running a child inside bubblewrap changes for the spawner: whether
 * bubblewrap can make a sandbox here at all (probed once per binary), how a
 * signal reaches the program rather than its wrapper, and how the wrapper's
 * exit status becomes the program's own.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { BWRAP_INSTALL_HINT } from "../policy/confine.js";
import type { Confinement } from "../policy.js";
import { bwrapOptions } from "./bwrap-args.js";
import { unixSocketFilter } from "./seccomp.js";
import { readStat, signalGroup } from "./groups.js";
import type { ExitInfo } from "./protocol.js";

const probed = new Map<string, string | undefined>();

/**
 * Why bubblewrap at `bwrap` cannot make the sandbox here (no user namespaces,
 * a kernel or container that refuses them …), with what to enable; `undefined`
 * when it can. Runs it once per binary, inside the same sandbox a child gets.
 */
export function sandboxUnavailable(bwrap: string): string | undefined {
  if (probed.has(bwrap)) return probed.get(bwrap);
  // The namespaces and mounts a child gets (its seccomp filter needs a descriptor spawnSync cannot give).
  const options = bwrapOptions({ bwrap, unavailable: undefined, write: [], hide: [], network: false }, "/", false);
  const probe = spawnSync(bwrap, [...options, "--", bwrap, "--version"], { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "pipe"] });
  let reason: string | undefined;
  if (probe.error) {
    reason = `bubblewrap (${bwrap}) could not be run: ${(probe.error as NodeJS.ErrnoException).code ?? probe.error.message}; ${BWRAP_INSTALL_HINT}`;
  } else if (probe.status !== 0) {
    const said = (probe.stderr || "").trim().split("\n").slice(-1)[0] || `exit status ${probe.status ?? probe.signal}`;
    reason = `bubblewrap (${bwrap}) cannot create a sandbox on this host (${said}); enable unprivileged user namespaces ` +
      "(sysctl kernel.unprivileged_userns_clone=1, and on Ubuntu kernel.apparmor_restrict_unprivileged_userns=0; in a container, " +
      "allow the unshare/clone of namespaces, e.g. Docker's --security-opt seccomp=unconfined), or install bubblewrap setuid";
  }
  probed.set(bwrap, reason);
  return reason;
}

/** Why a child cannot be started under `confinement` here, or `undefined` when it can. */
export function confinementProblem(confinement: Confinement): string | undefined {
  if (!confinement.network && unixSocketFilter() === undefined) {
    return `host-process has no seccomp filter for ${process.arch}, which \`network: false\` needs (it refuses Unix sockets); use \`network: true\` or run on x64 or arm64`;
  }
  return sandboxUnavailable(confinement.bwrap as string);
}

/**
 * Sends `signal` to the program's session inside the sandbox: bubblewrap's
 * `--new-session` puts the sandbox's init and the program in a process group
 * of their own, led by the sandbox's init (its host pid is the only child of
 * the wrapper). The init of a PID namespace ignores what it has no handler
 * for, except SIGKILL, which ends it and with it every process of the
 * namespace. Before that group exists (the sandbox is still being set up),
 * the wrapper itself is signalled: the program has not started, and the
 * wrapper's death kills what it was setting up. False when nothing was there.
 */
export function signalConfined(wrapper: number, signal: NodeJS.Signals | 0): boolean {
  const init = sandboxInit(wrapper);
  if (init !== undefined && readStat(init)?.pgrp === init) return signalGroup(init, signal);
  try {
    process.kill(wrapper, signal);
    return true;
  } catch {
    return false;
  }
}

function sandboxInit(wrapper: number): number | undefined {
  try {
    const first = Number(readFileSync(`/proc/${wrapper}/task/${wrapper}/children`, "latin1").trim().split(" ")[0]);
    return Number.isSafeInteger(first) && first > 0 ? first : undefined;
  } catch {
    return undefined;
  }
}

const SIGNAL_NAMES = new Map(Object.entries(osConstants.signals).map(([name, number]) => [number, name]));

/**
 * The program's own exit from the wrapper's: bubblewrap exits with the
 * program's code, or 128 + n when signal n ended it (as a shell reports it).
 * So 129–192 naming a signal is read as that signal; a program that itself
 * exits with such a code is reported as killed by the signal (the one
 * ambiguity, documented). A wrapper killed directly keeps its own signal.
 */
export function programExit(wrapper: ExitInfo): ExitInfo {
  const { code, signal } = wrapper;
  if (signal !== null || code === null || code <= 128) return wrapper;
  const name = SIGNAL_NAMES.get(code - 128);
  return name === undefined ? wrapper : { code: null, signal: name };
}
