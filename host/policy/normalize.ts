/**
 * The policy a host author writes (JSON-serialisable), its validation with
 * messages naming the option, and its normalized form with defaults filled in
 * and every command and directory resolved to a real path.
 */
import { constants as osConstants } from "node:os";
import { basename, delimiter, isAbsolute } from "node:path";
import { compileArgumentRule, type ArgumentRule, type CompiledPattern } from "./arguments.js";
import { normalizeConfine, type ConfineOptions, type Confinement } from "./confine.js";
import { describe, MAX_LIST_ENTRIES, MAX_TIMER_MS } from "./bounds.js";
import { envGrant, type EnvGrant } from "./environment.js";
import { fileIdentity, findOnPath, realDirectoryOrUndefined, realPathOrUndefined } from "./resolve.js";

/** An allowed command with the argument lists it may be given. */
export interface CommandRule {
  /** A command name (looked up on `path`) or an absolute path. */
  command: string;
  /** `"any"` (said explicitly), or the argument lists allowed; see docs/policy.md. */
  args: ArgumentRule;
  /**
   * With `args: "any"`, skip the ready-made deny rules for programs that run
   * other programs through their arguments (git -c, find -exec …). Dangerous.
   */
  trustArguments?: boolean;
  /** Confinement for this program only, overriding the policy's `confine` (`false`: this one runs unconfined). Default: the policy's. */
  confine?: boolean | ConfineOptions;
}

/** The rest of WASI the guest itself gets. Every capability is off by default. */
export interface WasiGrants {
  /** Guest path → host directory for `wasi:filesystem`. Default: none. */
  preopens?: Record<string, string>;
  /** The guest's own environment variables (`wasi:cli/environment`). Default: none. */
  env?: Record<string, string>;
  /** Whether the guest may read the host's stdin. Default: false (it reads end-of-file). */
  stdin?: boolean;
  /** Whether the guest may open sockets and resolve names. Default: false. */
  network?: boolean;
}

/** What a host author writes. JSON-serialisable; every field optional; nothing is granted by default. */
export interface ProcessPolicy {
  /** Commands the guest may run: names (looked up on `path`), absolute paths, "*" (programs that run no others), or rules with arguments. A bare name allows any arguments (ready-made deny rules still apply). */
  allow?: (string | CommandRule)[];
  /** Commands the guest may never run, even if `allow` matches. Deny wins. */
  deny?: string[];
  /** Variables the guest may set for its children: `true` / "*" for the inert set only (locale, time zone, terminal, colour), and exact names for anything else. Default: none. */
  allowEnv?: boolean | string[];
  /** Host environment variables every child inherits, by name. Default: none (the child's PATH is always the policy's `path`). */
  inheritEnv?: string[];
  /** The search path for command names, and the children's PATH. Default: the host's `PATH` when the policy is created. */
  path?: string;
  /** The children's working directory when the guest names none. Default: the host's cwd. */
  cwd?: string;
  /** Directories (with everything below them) the guest may choose as a child's cwd. Default: none. */
  allowCwd?: string[];
  /** Whether a child may share the host's stdin/stdout/stderr. Default: stdout and stderr yes, stdin no. */
  allowInherit?: {
    /** The host's stdin. Default: false. */
    stdin?: boolean;
    /** The host's stdout. Default: true. */
    stdout?: boolean;
    /** The host's stderr. Default: true. */
    stderr?: boolean;
  };
  /** Signals the guest may send its children. Default: SIGTERM, SIGKILL, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGSTOP, SIGCONT. */
  signals?: string[];
  /** Concurrent children per instance. Default: 10 (Forge's). */
  maxProcesses?: number;
  /**
   * Pipes of children (stdin, stdout, stderr) an instance may hold open at
   * once, its children's exited or not: a stream stays open until the guest
   * reads it to its end or drops it. A spawn that would pass it fails with
   * `limit-exceeded`. Default: 1024.
   */
  maxOpenPipes?: number;
  /** Milliseconds a child may run before it (and its process group) is killed; `wait` then fails with `timed-out`. Default: no limit. */
  timeoutMs?: number;
  /** Bytes `output()` collects per stream before it kills the child and fails with `limit-exceeded`. Default: 64 MiB. */
  maxOutputBytes?: number;
  /** Whether a child whose handle the guest drops without waiting is killed. Default: true. */
  killOnDrop?: boolean;
  /** The rest of WASI for the guest itself. */
  wasi?: WasiGrants;
  /** Run every child in an OS sandbox (bubblewrap): read-only filesystem but `write`, private /tmp, no network, own PID namespace. `true`: the defaults (write: `allowCwd`). Default: unconfined. */
  confine?: boolean | ConfineOptions;
}

/** An allowed real path, with the rules that allow it. */
export interface AllowedCommand {
  /** The policy entries that named it, for messages. */
  readonly entries: readonly string[];
  /** "any", or the argument patterns (from every rule naming this path). */
  readonly args: "any" | readonly CompiledPattern[];
  readonly trustArguments: boolean;
  /** The rule's own confinement (`null`: explicitly none); `undefined`: the policy's. */
  readonly confine?: Confinement | null | undefined;
}

/** Per-child limits the spawner enforces. */
export interface ChildLimits {
  /** 0 means no limit. */
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
  readonly killOnDrop: boolean;
}

/** A validated policy with every default filled in and every path resolved. */
export interface NormalizedPolicy {
  /** `allow` contains `"*"`. */
  readonly allowAll: boolean;
  /** `deny` contains `"*"`. */
  readonly denyAll: boolean;
  /** Real path of each allowed program → the rules that allow it. */
  readonly allowed: ReadonlyMap<string, AllowedCommand>;
  /** Every command `allow` names as written, installed or not (a missing one may be reported as missing). */
  readonly allowedNames: ReadonlySet<string>;
  /** Real path → the deny entry that named it. */
  readonly denied: ReadonlyMap<string, string>;
  /** File identity (`device:inode`) → the deny entry that named it: a hard link elsewhere is the same file. */
  readonly deniedFiles: ReadonlyMap<string, string>;
  /** Which variables the guest may set for its children. */
  readonly envGrant: EnvGrant;
  /** What every child's environment starts from: the inherited variables and `PATH`. */
  readonly childEnv: Readonly<Record<string, string>>;
  /** The absolute directories command names are looked up in. */
  readonly searchPath: readonly string[];
  /** Real path of the children's working directory when the guest names none. */
  readonly defaultCwd: string;
  /** Real paths of the directories (and below) the guest may choose as cwd. */
  readonly allowedCwds: readonly string[];
  /** Which host streams a child may share. */
  readonly allowInherit: {
    /** The host's stdin. */
    readonly stdin: boolean;
    /** The host's stdout. */
    readonly stdout: boolean;
    /** The host's stderr. */
    readonly stderr: boolean;
  };
  /** The signals the guest may send. */
  readonly signals: ReadonlySet<string>;
  /** Concurrent children per instance. */
  readonly maxProcesses: number;
  /** Open pipes of children per instance. */
  readonly maxOpenPipes: number;
  /** Per-child limits the spawner enforces. */
  readonly limits: ChildLimits;
  /** The rest of WASI the guest itself gets. */
  readonly wasi: Required<WasiGrants>;
  /** The confinement of every child whose rule says nothing else; `null`: unconfined. */
  readonly confinement: Confinement | null;
}

/** Concurrent children per instance unless `maxProcesses` says otherwise (Forge's 10). */
export const DEFAULT_MAX_PROCESSES = 10;
/** Open pipes of children per instance unless `maxOpenPipes` says otherwise: each is a descriptor of the host's. */
export const DEFAULT_MAX_OPEN_PIPES = 1024;
/** Bytes `output()` collects per stream unless `maxOutputBytes` says otherwise. */
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
/** The signals a guest may send unless `signals` says otherwise. */
export const DEFAULT_SIGNALS = ["SIGTERM", "SIGKILL", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGSTOP", "SIGCONT"];

const POLICY_KEYS = [
  "allow", "deny", "allowEnv", "inheritEnv", "path", "cwd", "allowCwd", "allowInherit", "signals",
  "maxProcesses", "maxOpenPipes", "timeoutMs", "maxOutputBytes", "killOnDrop", "wasi", "confine",
] as const satisfies readonly (keyof ProcessPolicy)[];

/** Every option `ProcessPolicy` knows (the JSON Schema must list the same). */
export const POLICY_OPTIONS: readonly string[] = POLICY_KEYS;


export function invalidPolicy(option: string, expected: string, got: unknown): TypeError {
  return new TypeError(`Expected the \`${option}\` policy option to be ${expected}, got ${describe(got)}`);
}

function stringList(option: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v === "" || v.includes("\0"))) {
    throw invalidPolicy(option, "an array of non-empty strings", value);
  }
  if (value.length > MAX_LIST_ENTRIES) throw invalidPolicy(option, `a list of at most ${MAX_LIST_ENTRIES} entries`, `${value.length} entries`);
  return value as string[];
}

function realDirectory(option: string, dir: unknown): string {
  if (typeof dir !== "string" || !isAbsolute(dir)) throw invalidPolicy(option, "an absolute directory path", dir);
  const real = realDirectoryOrUndefined(dir);
  if (real === undefined) throw invalidPolicy(option, "an existing directory", dir);
  return real;
}

function nonNegativeInteger(option: string, value: unknown, fallback: number, expected = "a non-negative integer"): number {
  const number = value ?? fallback;
  if (typeof number !== "number" || !Number.isSafeInteger(number) || number < 0) throw invalidPolicy(option, expected, value);
  return number;
}

/** A millisecond delay for a timer: refused above 2^31 − 1, which Node would turn into 1 ms. */
function timerMs(option: string, value: unknown): number {
  const ms = nonNegativeInteger(option, value, 0, `a non-negative integer of milliseconds up to ${MAX_TIMER_MS} (0 for no limit)`);
  if (ms > MAX_TIMER_MS) throw invalidPolicy(option, `at most ${MAX_TIMER_MS} milliseconds (about 24.8 days; 0 for no limit)`, value);
  return ms;
}

function booleanOption(option: string, value: unknown, fallback: boolean): boolean {
  const result = value ?? fallback;
  if (typeof result !== "boolean") throw invalidPolicy(option, "a boolean", value);
  return result;
}

/** The real path a policy entry names; `undefined` if nothing is installed there. */
function resolveEntry(option: string, entry: string, searchPath: readonly string[]): string | undefined {
  if (!isAbsolute(entry) && entry.includes("/")) {
    throw invalidPolicy(option, "command names, absolute paths or \"*\"", entry);
  }
  const located = isAbsolute(entry) ? entry : findOnPath(entry, searchPath);
  return located === undefined ? undefined : realPathOrUndefined(located);
}

function commandRule(entry: unknown, where: string): CommandRule {
  if (typeof entry === "string") {
    if (entry === "" || entry.includes("\0")) throw invalidPolicy(where, "a command name, an absolute path or \"*\"", entry);
    return { command: entry, args: "any" };
  }
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    throw invalidPolicy(where, "a command name or { command, args }", entry);
  }
  const rule = entry as Partial<CommandRule>;
  for (const key of Object.keys(rule)) {
    if (!["command", "args", "trustArguments", "confine"].includes(key)) throw new TypeError(`Unknown policy option \`${where}.${key}\`; known keys of a command rule: command, args, trustArguments, confine`);
  }
  if (Array.isArray(rule.args) && rule.args.length > MAX_LIST_ENTRIES) {
    throw invalidPolicy(`${where}.args`, `at most ${MAX_LIST_ENTRIES} argument patterns`, `${rule.args.length} patterns`);
  }
  if (typeof rule.command !== "string" || rule.command === "" || rule.command === "*") {
    throw invalidPolicy(`${where}.command`, "a command name or an absolute path", rule.command);
  }
  if (rule.args === undefined) {
    throw invalidPolicy(`${where}.args`, "\"any\" or a list of argument patterns (say \"any\" explicitly)", rule.args);
  }
  return {
    command: rule.command, args: rule.args, trustArguments: booleanOption(`${where}.trustArguments`, rule.trustArguments, false),
    ...(rule.confine === undefined ? {} : { confine: rule.confine }),
  };
}

function allowedCommands(
  entries: unknown,
  searchPath: readonly string[],
  allowedCwds: readonly string[],
): { allowAll: boolean; allowed: Map<string, AllowedCommand>; names: Set<string> } {
  if (entries !== undefined && !Array.isArray(entries)) {
    throw invalidPolicy("allow", "an array of command names, absolute paths, \"*\" or { command, args } rules", entries);
  }
  if (entries !== undefined && entries.length > MAX_LIST_ENTRIES) {
    throw invalidPolicy("allow", `a list of at most ${MAX_LIST_ENTRIES} entries`, `${entries.length} entries`);
  }
  const allowed = new Map<string, { entries: string[]; args: "any" | CompiledPattern[]; trustArguments: boolean; confine: Confinement | null | undefined }>();
  let allowAll = false;
  const names = new Set<string>();
  (entries ?? []).forEach((entry: unknown, i: number) => {
    if (entry === "*") {
      allowAll = true;
      return;
    }
    const where = `allow[${i}]`;
    const rule = commandRule(entry, where);
    names.add(rule.command);
    const real = resolveEntry(where, rule.command, searchPath);
    // Patterns are read with the option table of the program that would execute.
    const compiled = compileArgumentRule(rule.args, `${where}.args`, real === undefined ? undefined : basename(real));
    const confine = normalizeConfine(`${where}.confine`, rule.confine, { allowedCwds, searchPath, invalid: invalidPolicy });
    if (real === undefined) return; // names nothing installed: matches nothing
    const previous = allowed.get(real);
    if (previous === undefined) {
      allowed.set(real, { entries: [rule.command], args: compiled === "any" ? "any" : [...compiled], trustArguments: rule.trustArguments === true, confine });
      return;
    }
    if (JSON.stringify(previous.confine) !== JSON.stringify(confine)) {
      throw invalidPolicy(`${where}.confine`, `the same confinement as the other rules for ${real}`, rule.confine);
    }
    // Appended in place: many rules naming one program cost linear time.
    previous.entries.push(rule.command);
    if (compiled === "any") previous.args = "any";
    else if (previous.args !== "any") previous.args.push(...compiled);
    previous.trustArguments &&= rule.trustArguments === true;
  });
  return { allowAll, allowed, names };
}

function wasiGrants(value: unknown): Required<WasiGrants> {
  if (value === undefined) return { preopens: {}, env: {}, stdin: false, network: false };
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalidPolicy("wasi", "an object", value);
  const grants = value as WasiGrants;
  for (const key of Object.keys(grants)) {
    if (!["preopens", "env", "stdin", "network"].includes(key)) throw new TypeError(`Unknown policy option \`wasi.${key}\`; known keys of \`wasi\`: preopens, env, stdin, network`);
  }
  const record = (option: string, map: unknown, check: (key: string, v: string) => string): Record<string, string> => {
    if (map === undefined) return {};
    if (typeof map !== "object" || map === null || Array.isArray(map)) throw invalidPolicy(option, "an object of strings", map);
    return Object.fromEntries(Object.entries(map).map(([key, v]) => {
      if (typeof v !== "string") throw invalidPolicy(`${option}.${key}`, "a string", v);
      return [key, check(key, v)];
    }));
  };
  return {
    preopens: record("wasi.preopens", grants.preopens, (guestPath, dir) => realDirectory(`wasi.preopens.${guestPath}`, dir)),
    env: record("wasi.env", grants.env, (_, v) => v),
    stdin: booleanOption("wasi.stdin", grants.stdin, false),
    network: booleanOption("wasi.network", grants.network, false),
  };
}

/** Validates a host author's policy and fills in its defaults. Throws `TypeError` naming the bad option. */
export function normalizePolicy(policy: ProcessPolicy = {}, hostEnv: NodeJS.ProcessEnv = process.env): NormalizedPolicy {
  if (typeof policy !== "object" || policy === null || Array.isArray(policy)) {
    throw new TypeError(`Expected the policy to be an object, got ${describe(policy)}`);
  }
  for (const key of Object.keys(policy)) {
    if (!(POLICY_KEYS as readonly string[]).includes(key)) {
      throw new TypeError(`Unknown policy option \`${key}\`; known options: ${POLICY_KEYS.join(", ")}`);
    }
  }
  const pathValue = policy.path ?? hostEnv.PATH ?? "";
  if (typeof pathValue !== "string" || pathValue.includes("\0")) throw invalidPolicy("path", "a string", pathValue);
  // Relative PATH entries would make resolution depend on the cwd (execvp reads "" as "."): dropped.
  const searchPath = pathValue.split(delimiter).filter((dir) => isAbsolute(dir));

  const allowedCwds = stringList("allowCwd", policy.allowCwd).map((dir) => realDirectory("allowCwd", dir));
  const { allowAll, allowed, names: allowedNames } = allowedCommands(policy.allow, searchPath, allowedCwds);
  const deny = stringList("deny", policy.deny);
  const denied = new Map<string, string>();
  const deniedFiles = new Map<string, string>();
  for (const entry of deny) {
    if (entry === "*") continue;
    const real = resolveEntry("deny", entry, searchPath);
    if (real === undefined || denied.has(real)) continue;
    denied.set(real, entry);
    const identity = fileIdentity(real);
    if (identity !== undefined && !deniedFiles.has(identity)) deniedFiles.set(identity, entry);
  }

  if (policy.allowEnv !== undefined && typeof policy.allowEnv !== "boolean" && !Array.isArray(policy.allowEnv)) {
    throw invalidPolicy("allowEnv", "a boolean or an array of variable names", policy.allowEnv);
  }
  const grant = envGrant(Array.isArray(policy.allowEnv) ? stringList("allowEnv", policy.allowEnv) : policy.allowEnv);

  const childEnv: Record<string, string> = {};
  for (const name of stringList("inheritEnv", policy.inheritEnv)) {
    const value = hostEnv[name];
    if (value !== undefined) childEnv[name] = value;
  }
  childEnv.PATH = searchPath.join(delimiter);

  const inherit = policy.allowInherit ?? {};
  if (typeof inherit !== "object" || inherit === null || Array.isArray(inherit)) {
    throw invalidPolicy("allowInherit", "an object such as { stdout: true }", inherit);
  }
  for (const key of Object.keys(inherit)) {
    if (!["stdin", "stdout", "stderr"].includes(key)) throw new TypeError(`Unknown policy option \`allowInherit.${key}\`; known keys of \`allowInherit\`: stdin, stdout, stderr`);
  }
  const allowInherit = {
    stdin: booleanOption("allowInherit.stdin", inherit.stdin, false),
    stdout: booleanOption("allowInherit.stdout", inherit.stdout, true),
    stderr: booleanOption("allowInherit.stderr", inherit.stderr, true),
  };

  const signals = stringList("signals", policy.signals ?? DEFAULT_SIGNALS);
  for (const signal of signals) {
    if (!Object.hasOwn(osConstants.signals, signal)) throw invalidPolicy("signals", "signal names such as \"SIGTERM\"", signal);
  }

  const maxProcesses = nonNegativeInteger("maxProcesses", policy.maxProcesses, DEFAULT_MAX_PROCESSES, "a positive integer");
  if (maxProcesses < 1) throw invalidPolicy("maxProcesses", "a positive integer", policy.maxProcesses);
  const maxOpenPipes = nonNegativeInteger("maxOpenPipes", policy.maxOpenPipes, DEFAULT_MAX_OPEN_PIPES, "a positive integer");
  if (maxOpenPipes < 1) throw invalidPolicy("maxOpenPipes", "a positive integer", policy.maxOpenPipes);

  return {
    allowAll,
    denyAll: deny.includes("*"),
    allowed,
    allowedNames,
    denied,
    deniedFiles,
    envGrant: grant,
    childEnv,
    searchPath,
    defaultCwd: realDirectory("cwd", policy.cwd ?? process.cwd()),
    allowedCwds,
    allowInherit,
    signals: new Set(signals),
    maxProcesses,
    maxOpenPipes,
    limits: {
      timeoutMs: timerMs("timeoutMs", policy.timeoutMs),
      maxOutputBytes: nonNegativeInteger("maxOutputBytes", policy.maxOutputBytes, DEFAULT_MAX_OUTPUT_BYTES),
      killOnDrop: booleanOption("killOnDrop", policy.killOnDrop, true),
    },
    wasi: wasiGrants(policy.wasi),
    confinement: normalizeConfine("confine", policy.confine, { allowedCwds, searchPath, invalid: invalidPolicy }) ?? null,
  };
}
