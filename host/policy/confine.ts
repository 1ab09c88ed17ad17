/**
 * The `confine` policy option: what an allowed program may write, read and
 * reach once it runs, enforced by the OS (bubblewrap on Linux). Validation
 * and defaults only; the sandbox's arguments are built by the spawner
 * (host/spawner/bwrap-args.ts) from the `Confinement` decided here.
 */
import { existsSync } from "node:fs";
import { isAbsolute } from "node:path";
import { findOnPath, realDirectoryOrUndefined, realPathOrUndefined } from "./resolve.js";

/** What a confined child may do beyond reading the host's filesystem. Every field is optional. */
export interface ConfineOptions {
  /** Directories (with everything below them) the child may write. Default: the policy's `allowCwd` directories. */
  write?: string[];
  /** Paths the child must not even read (credentials …): directories appear empty, files empty. Default: none. */
  hide?: string[];
  /** Whether the child may use the network (the host's network namespace). Default: false (loopback only, its own). */
  network?: boolean;
  /** The bubblewrap program: a name looked up on the policy's `path`, or an absolute path. Default: "bwrap". */
  bwrap?: string;
}

/** A decided confinement: every path real and absolute. */
export interface Confinement {
  /** Real path of bubblewrap; `undefined` when confinement cannot be had here (see `unavailable`). */
  readonly bwrap: string | undefined;
  /** Why confinement cannot be had, with what to install or enable; every spawn then fails. */
  readonly unavailable: string | undefined;
  /** Real directories the child may write (besides its private /tmp). */
  readonly write: readonly string[];
  /** Real paths hidden from the child. */
  readonly hide: readonly string[];
  /** Whether the child shares the host's network (and may open Unix sockets). */
  readonly network: boolean;
}

type Invalid = (option: string, expected: string, got: unknown) => TypeError;

const CONFINE_KEYS = ["write", "hide", "network", "bwrap"] as const satisfies readonly (keyof ConfineOptions)[];

/** Every field `confine` knows (the JSON Schema must list the same). */
export const CONFINE_OPTIONS: readonly string[] = CONFINE_KEYS;

/** What to install, said once for every way confinement can be missing. */
export const BWRAP_INSTALL_HINT = "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap; Alpine: apk add bubblewrap)";

function paths(option: string, value: unknown, invalid: Invalid, real: (path: string) => string | undefined): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid(option, "an array of absolute paths", value);
  return value.map((entry: unknown) => {
    if (typeof entry !== "string" || !isAbsolute(entry) || entry.includes("\0")) throw invalid(option, "an array of absolute paths", value);
    const resolved = real(entry);
    if (resolved === undefined) throw invalid(option, "existing paths", entry);
    return resolved;
  });
}

function locateBwrap(value: unknown, searchPath: readonly string[], invalid: Invalid, option: string): Pick<Confinement, "bwrap" | "unavailable"> {
  const name = value ?? "bwrap";
  if (typeof name !== "string" || name === "" || (!isAbsolute(name) && name.includes("/"))) {
    throw invalid(option, "a command name or an absolute path", value);
  }
  if (process.platform !== "linux") {
    return { bwrap: undefined, unavailable: `confinement needs Linux and bubblewrap; this host runs on ${process.platform}, where host-process cannot confine a child (remove \`confine\` from the policy to run unconfined)` };
  }
  const located = isAbsolute(name) ? (existsSync(name) ? name : undefined) : findOnPath(name, searchPath);
  const real = located === undefined ? undefined : realPathOrUndefined(located);
  if (real === undefined) {
    const where = isAbsolute(name) ? `at ${name}` : `on the policy's path (${searchPath.join(":") || "empty"})`;
    return { bwrap: undefined, unavailable: `the policy asks for confinement, but bubblewrap (\`${name}\`) was not found ${where}; ${BWRAP_INSTALL_HINT}, or set \`confine.bwrap\` to its absolute path` };
  }
  return { bwrap: real, unavailable: undefined };
}

/**
 * Validates one `confine` value (`option` names it in messages: "confine" or
 * "allow[2].confine"). `undefined`: the option is absent; `null`: `false`
 * (explicitly unconfined).
 */
export function normalizeConfine(
  option: string,
  value: unknown,
  context: { allowedCwds: readonly string[]; searchPath: readonly string[]; invalid: Invalid },
): Confinement | null | undefined {
  const { invalid } = context;
  if (value === undefined) return undefined;
  if (value === false) return null;
  const options: ConfineOptions = value === true ? {} : (value as ConfineOptions);
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw invalid(option, "true, false or { write?, hide?, network?, bwrap? }", value);
  }
  for (const key of Object.keys(options)) {
    if (!(CONFINE_KEYS as readonly string[]).includes(key)) throw invalid(option, "{ write?, hide?, network?, bwrap? }", value);
  }
  const write = options.write === undefined
    ? [...context.allowedCwds]
    : paths(`${option}.write`, options.write, invalid, realDirectoryOrUndefined);
  const network = options.network ?? false;
  if (typeof network !== "boolean") throw invalid(`${option}.network`, "a boolean", options.network);
  return {
    ...locateBwrap(options.bwrap, context.searchPath, invalid, `${option}.bwrap`),
    write,
    hide: paths(`${option}.hide`, options.hide, invalid, realPathOrUndefined),
    network,
  };
}

/** One line for decisions, dry runs and messages: "write [/a, /b], network off, hide [/root/.ssh]". */
export function describeConfinement(confinement: Confinement): string {
  const list = (dirs: readonly string[]) => `[${dirs.join(", ")}]`;
  const hide = confinement.hide.length > 0 ? `, hide ${list(confinement.hide)}` : "";
  return `confined: write ${list(confinement.write)} + private /tmp, network ${confinement.network ? "on" : "off"}${hide}`;
}
