/**
 * The capability policy: pure decisions over host-resolved values.
 *
 * "Resolve first, check the resolved values, then spawn exactly those values":
 * `planSpawn` turns a guest's request into a `SpawnPlan` (real executable path,
 * real cwd, final environment) or a typed `ProcessHostError`; the spawner runs
 * the plan and nothing else. The only I/O here is stat/realpath/access.
 */
import { accessSync, constants as fsConstants, realpathSync, statSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { basename, delimiter, isAbsolute, resolve, sep } from "node:path";
import { ProcessHostError } from "./errors.js";

export type StdioMode = "inherit" | "piped" | "null";

/** What a host author writes. JSON-serialisable; every field optional. */
export interface ProcessPolicy {
  /** Commands the guest may run: names (looked up on `path`), absolute paths, or "*". Default: none. */
  allow?: string[];
  /** Commands the guest may never run, even if `allow` matches. Deny wins. */
  deny?: string[];
  /** Whether the guest may set environment variables for its children: `true`, or the names it may set. Default: false. */
  allowEnv?: boolean | string[];
  /** Host environment variables every child inherits, by name. Default: none. */
  inheritEnv?: string[];
  /** The search path for command names. Default: the host's `PATH` when the policy is created. */
  path?: string;
  /** The children's working directory when the guest names none. Default: the host's cwd. */
  cwd?: string;
  /** Directories (with everything below them) the guest may choose as a child's cwd. Default: none. */
  allowCwd?: string[];
  /** Whether a child may share the host's stdin/stdout/stderr. Default: stdout and stderr yes, stdin no. */
  allowInherit?: { stdin?: boolean; stdout?: boolean; stderr?: boolean };
  /** Concurrent children per instance. Default: 10 (Forge's). */
  maxProcesses?: number;
  /** Milliseconds a child may run before it (and its process group) is killed; `wait` then fails with `timed-out`. Default: no limit. */
  timeoutMs?: number;
  /** Bytes `output()` collects per stream before it kills the child and fails with `limit-exceeded`. Default: 64 MiB. */
  maxOutputBytes?: number;
  /** Whether a child whose handle the guest drops without waiting is killed. Default: true. */
  killOnDrop?: boolean;
}

/** A validated policy with every default filled in and every path resolved. */
export interface NormalizedPolicy {
  readonly allowAll: boolean;
  readonly denyAll: boolean;
  /** Real path of each executable named in `allow`, with the entry that named it. */
  readonly allowed: ReadonlyMap<string, string>;
  readonly denied: ReadonlyMap<string, string>;
  readonly envAccess: "none" | "any" | ReadonlySet<string>;
  readonly inheritedEnv: Readonly<Record<string, string>>;
  readonly searchPath: readonly string[];
  readonly defaultCwd: string;
  readonly allowedCwds: readonly string[];
  readonly allowInherit: { readonly stdin: boolean; readonly stdout: boolean; readonly stderr: boolean };
  readonly maxProcesses: number;
  readonly limits: ChildLimits;
}

/** Per-child limits the spawner enforces. */
export interface ChildLimits {
  /** 0 means no limit. */
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
  readonly killOnDrop: boolean;
}

/** What a guest asks for (the WIT `spawn-options`, as jco lifts it). */
export interface SpawnRequest {
  command: string;
  args: string[];
  cwd?: string | undefined;
  env: [string, string][];
  stdin: StdioMode;
  stdout: StdioMode;
  stderr: StdioMode;
}

/** Exactly what will be executed: every value already checked. */
export interface SpawnPlan {
  /** Real path of the executable. */
  file: string;
  argv0: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  stdio: [StdioMode, StdioMode, StdioMode];
}

export const DEFAULT_MAX_PROCESSES = 10;
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

const POLICY_KEYS = new Set([
  "allow", "deny", "allowEnv", "inheritEnv", "path", "cwd", "allowCwd", "allowInherit", "maxProcesses",
  "timeoutMs", "maxOutputBytes", "killOnDrop",
]);

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : `\`${String(JSON.stringify(value) ?? value)}\``;
}

function invalidPolicy(option: string, expected: string, got: unknown): TypeError {
  return new TypeError(`Expected the \`${option}\` policy option to be ${expected}, got ${describe(got)}`);
}

function stringList(option: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v === "" || v.includes("\0"))) {
    throw invalidPolicy(option, "an array of non-empty strings", value);
  }
  return value as string[];
}

function realDirectory(option: string, dir: string): string {
  if (!isAbsolute(dir)) throw invalidPolicy(option, "an absolute directory path", dir);
  try {
    const real = realpathSync(dir);
    if (statSync(real).isDirectory()) return real;
  } catch {
    // reported below
  }
  throw invalidPolicy(option, "an existing directory", dir);
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, fsConstants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Finds a command name on the search path, as execvp would; `undefined` if absent. */
export function findOnPath(name: string, searchPath: readonly string[]): string | undefined {
  for (const dir of searchPath) {
    const candidate = resolve(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function realPathOrUndefined(file: string): string | undefined {
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
}

/** Resolves policy entries to the real paths they name; entries naming nothing installed match nothing. */
function resolveEntries(option: string, entries: string[], searchPath: readonly string[]): Map<string, string> {
  const resolved = new Map<string, string>();
  for (const entry of entries) {
    if (entry === "*") continue;
    if (!isAbsolute(entry) && entry.includes("/")) {
      throw invalidPolicy(option, "command names, absolute paths or \"*\"", entry);
    }
    const located = isAbsolute(entry) ? entry : findOnPath(entry, searchPath);
    const real = located === undefined ? undefined : realPathOrUndefined(located);
    if (real !== undefined && !resolved.has(real)) resolved.set(real, entry);
  }
  return resolved;
}

/** Validates a host author's policy and fills in its defaults. Throws `TypeError` naming the bad option. */
export function normalizePolicy(policy: ProcessPolicy = {}, hostEnv: NodeJS.ProcessEnv = process.env): NormalizedPolicy {
  if (typeof policy !== "object" || policy === null || Array.isArray(policy)) {
    throw new TypeError(`Expected the policy to be an object, got ${describe(policy)}`);
  }
  for (const key of Object.keys(policy)) {
    if (!POLICY_KEYS.has(key)) {
      throw new TypeError(`Unknown policy option \`${key}\`; known options: ${[...POLICY_KEYS].join(", ")}`);
    }
  }
  const allow = stringList("allow", policy.allow);
  const deny = stringList("deny", policy.deny);

  const pathValue = policy.path ?? hostEnv.PATH ?? "";
  if (typeof pathValue !== "string") throw invalidPolicy("path", "a string", pathValue);
  // Relative PATH entries would make resolution depend on the cwd; execvp's "" means ".", refused too.
  const searchPath = pathValue.split(delimiter).filter((dir) => isAbsolute(dir));

  let envAccess: NormalizedPolicy["envAccess"] = "none";
  if (policy.allowEnv === true) envAccess = "any";
  else if (Array.isArray(policy.allowEnv)) envAccess = new Set(stringList("allowEnv", policy.allowEnv));
  else if (policy.allowEnv !== undefined && policy.allowEnv !== false) {
    throw invalidPolicy("allowEnv", "a boolean or an array of variable names", policy.allowEnv);
  }

  const inheritedEnv: Record<string, string> = {};
  for (const name of stringList("inheritEnv", policy.inheritEnv)) {
    const value = hostEnv[name];
    if (value !== undefined) inheritedEnv[name] = value;
  }

  const defaultCwd = realDirectory("cwd", policy.cwd ?? process.cwd());
  const allowedCwds = stringList("allowCwd", policy.allowCwd).map((dir) => realDirectory("allowCwd", dir));

  const inherit = policy.allowInherit ?? {};
  if (typeof inherit !== "object" || inherit === null) {
    throw invalidPolicy("allowInherit", "an object such as { stdout: true }", inherit);
  }
  const allowInherit = { stdin: inherit.stdin ?? false, stdout: inherit.stdout ?? true, stderr: inherit.stderr ?? true };
  for (const [name, value] of Object.entries(allowInherit)) {
    if (typeof value !== "boolean") throw invalidPolicy(`allowInherit.${name}`, "a boolean", value);
  }

  const maxProcesses = policy.maxProcesses ?? DEFAULT_MAX_PROCESSES;
  if (!Number.isSafeInteger(maxProcesses) || maxProcesses < 1) {
    throw invalidPolicy("maxProcesses", "a positive integer", maxProcesses);
  }

  const timeoutMs = policy.timeoutMs ?? 0;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0) {
    throw invalidPolicy("timeoutMs", "a non-negative integer (0 for no limit)", timeoutMs);
  }
  const maxOutputBytes = policy.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  if (!Number.isSafeInteger(maxOutputBytes) || maxOutputBytes < 0) {
    throw invalidPolicy("maxOutputBytes", "a non-negative integer", maxOutputBytes);
  }
  const killOnDrop = policy.killOnDrop ?? true;
  if (typeof killOnDrop !== "boolean") throw invalidPolicy("killOnDrop", "a boolean", killOnDrop);

  return {
    limits: { timeoutMs, maxOutputBytes, killOnDrop },
    allowAll: allow.includes("*"),
    denyAll: deny.includes("*"),
    allowed: resolveEntries("allow", allow, searchPath),
    denied: resolveEntries("deny", deny, searchPath),
    envAccess,
    inheritedEnv,
    searchPath,
    defaultCwd,
    allowedCwds,
    allowInherit,
    maxProcesses,
  };
}

function refuseNul(what: string, value: string, command: string): void {
  if (value.includes("\0")) {
    throw new ProcessHostError("invalid-argument", `${what} for \`${command}\` contains a NUL byte`);
  }
}

function isInside(dir: string, root: string): boolean {
  return dir === root || dir.startsWith(root.endsWith(sep) ? root : root + sep);
}

function resolveCwd(policy: NormalizedPolicy, request: SpawnRequest): string {
  if (request.cwd === undefined) return policy.defaultCwd;
  const { command, cwd } = request;
  const wanted = resolve(policy.defaultCwd, cwd);
  let real: string;
  try {
    real = realpathSync(wanted);
    if (!statSync(real).isDirectory()) throw new Error("not a directory");
  } catch (cause) {
    throw new ProcessHostError("not-found", `The working directory ${JSON.stringify(cwd)} for \`${command}\` does not exist or is not a directory`, { cause });
  }
  if (!policy.allowedCwds.some((root) => isInside(real, root))) {
    throw new ProcessHostError(
      "permission-denied",
      `The working directory ${JSON.stringify(cwd)} (${real}) for \`${command}\` is not allowed; the host can allow it with \`allowCwd: [${JSON.stringify(real)}]\``,
    );
  }
  return real;
}

function resolveExecutable(policy: NormalizedPolicy, command: string, cwd: string): string {
  if (command === "") throw new ProcessHostError("invalid-argument", "The command is empty");
  let located: string | undefined;
  if (command.includes("/")) {
    located = resolve(cwd, command);
  } else {
    located = findOnPath(command, policy.searchPath);
    if (located === undefined) {
      throw new ProcessHostError("not-found", `\`${command}\` was not found on the host's search path`);
    }
  }
  const real = realPathOrUndefined(located);
  if (real === undefined) throw new ProcessHostError("not-found", `\`${command}\` does not exist (${located})`);
  return real;
}

function checkCommand(policy: NormalizedPolicy, command: string, real: string): void {
  const shown = command === real ? `\`${command}\`` : `\`${command}\` (${real})`;
  const denyEntry = policy.denied.get(real) ?? (policy.denyAll ? "*" : undefined);
  if (denyEntry !== undefined) {
    throw new ProcessHostError("permission-denied", `${shown} is denied by the policy's deny rule ${JSON.stringify(denyEntry)}`);
  }
  if (!policy.allowAll && !policy.allowed.has(real)) {
    const name = basename(command);
    throw new ProcessHostError(
      "permission-denied",
      `${shown} is not allowed by the host's policy; the host can allow it with \`allow: [${JSON.stringify(name)}]\` (CLI: --allow-run=${name})`,
    );
  }
}

function buildEnv(policy: NormalizedPolicy, request: SpawnRequest): Record<string, string> {
  const env: Record<string, string> = { ...policy.inheritedEnv };
  for (const [name, value] of request.env) {
    refuseNul(`The environment variable ${JSON.stringify(name)}`, name + value, request.command);
    if (name === "" || name.includes("=")) {
      throw new ProcessHostError("invalid-argument", `The environment variable name ${JSON.stringify(name)} for \`${request.command}\` is empty or contains "="`);
    }
    const granted = policy.envAccess === "any" || (policy.envAccess !== "none" && policy.envAccess.has(name));
    if (!granted) {
      throw new ProcessHostError(
        "permission-denied",
        `Setting the environment variable ${name} for \`${request.command}\` is not allowed; the host can allow it with \`allowEnv: [${JSON.stringify(name)}]\``,
      );
    }
    env[name] = value;
  }
  return env;
}

function checkStdio(policy: NormalizedPolicy, request: SpawnRequest): [StdioMode, StdioMode, StdioMode] {
  const stdio: [StdioMode, StdioMode, StdioMode] = [request.stdin, request.stdout, request.stderr];
  (["stdin", "stdout", "stderr"] as const).forEach((name, fd) => {
    if (stdio[fd] === "inherit" && !policy.allowInherit[name]) {
      throw new ProcessHostError(
        "permission-denied",
        `\`${request.command}\` may not inherit the host's ${name}; the host can allow it with \`allowInherit: { ${name}: true }\``,
      );
    }
  });
  return stdio;
}

/** Turns a guest request into the exact plan to spawn, or throws a typed `ProcessHostError`. */
export function planSpawn(policy: NormalizedPolicy, request: SpawnRequest): SpawnPlan {
  const { command } = request;
  refuseNul("The command", command, JSON.stringify(command));
  request.args.forEach((arg, i) => refuseNul(`Argument ${i + 1}`, arg, command));
  if (request.cwd !== undefined) refuseNul("The working directory", request.cwd, command);

  const cwd = resolveCwd(policy, request);
  const file = resolveExecutable(policy, command, cwd);
  checkCommand(policy, command, file);
  return {
    file,
    argv0: basename(file),
    args: [...request.args],
    cwd,
    env: buildEnv(policy, request),
    stdio: checkStdio(policy, request),
  };
}

/** Signal names a guest may send (those the host's OS knows). */
export function checkSignal(signal: string): NodeJS.Signals {
  if (!Object.hasOwn(osConstants.signals, signal)) {
    throw new ProcessHostError("invalid-argument", `Unknown signal ${JSON.stringify(signal)}; expected a name such as "SIGTERM" or "SIGKILL"`);
  }
  return signal as NodeJS.Signals;
}
