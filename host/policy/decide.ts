/**
 * Decisions: a guest's spawn request becomes the exact plan to execute, or a
 * typed refusal naming the rule. "Resolve first, check the resolved values,
 * then spawn exactly those values."
 */
import { constants as osConstants } from "node:os";
import { basename, resolve, sep } from "node:path";
import { ProcessHostError, type ErrorCode } from "../errors.js";
import { argumentExecutionRisk, runsOtherPrograms } from "./dangerous-arguments.js";
import { judgeVariable } from "./environment.js";
import { describeConfinement, type Confinement } from "./confine.js";
import { withHostGitConfig } from "./git-hardening.js";
import type { NormalizedPolicy } from "./normalize.js";
import { fileIdentity, findOnPath, realDirectoryOrUndefined, realPathOrUndefined } from "./resolve.js";

/** What happens to one of a child's standard streams: the host's own, a pipe to the guest, or `/dev/null`. */
export type StdioMode = "inherit" | "piped" | "null";

/** What a guest asks for (the WIT `spawn-options`, as jco lifts it). */
export interface SpawnRequest {
  /** The command as the guest named it. */
  command: string;
  /** Its arguments. */
  args: string[];
  /** The working directory it asked for, if any. */
  cwd?: string | undefined;
  /** Variables it sets for the child. */
  env: [string, string][];
  /** The child's stdin. */
  stdin: StdioMode;
  /** The child's stdout. */
  stdout: StdioMode;
  /** The child's stderr. */
  stderr: StdioMode;
}

/** Exactly what will be executed: every value already checked. */
export interface SpawnPlan {
  /** Real path of the executable. */
  file: string;
  /** The program's `argv[0]`: the executable's name. */
  argv0: string;
  /** Exactly the checked arguments. */
  args: string[];
  /** Real path of the working directory. */
  cwd: string;
  /** The child's whole environment. */
  env: Record<string, string>;
  /** stdin, stdout, stderr. */
  stdio: [StdioMode, StdioMode, StdioMode];
  /** The OS sandbox it runs in (host/spawner/bwrap-args.ts); absent: unconfined. */
  confinement?: Confinement | undefined;
}

/**
 * "enforce": refuse what the policy does not grant.
 * "learn": grant what is merely not granted yet (and report it); explicit
 * denials, code-loading hooks and ready-made argument rules still refuse.
 */
export type EnforcementMode = "enforce" | "learn";

/** What {@link planSpawn} decided for an allowed request. */
export interface SpawnDecision {
  /** Exactly what will be executed. */
  plan: SpawnPlan;
  /** The rules that allowed it. */
  rules: string[];
  /** In learn mode: the grants the policy lacked. */
  learned: string[];
}

class Refusal {
  constructor(
    readonly code: ErrorCode,
    readonly rule: string,
    readonly message: string,
    /** True when only a missing grant refused it (learn mode grants these). */
    readonly lackOfGrant = false,
  ) {}
}

function refuseNul(what: string, value: string, command: string): void {
  if (value.includes("\0")) {
    throw new Refusal("invalid-argument", "no NUL bytes", `${what} for \`${command}\` contains a NUL byte`);
  }
}

function isInside(dir: string, root: string): boolean {
  return dir === root || dir.startsWith(root.endsWith(sep) ? root : root + sep);
}

class Decider {
  readonly rules: string[] = [];
  readonly learned: string[] = [];

  constructor(readonly policy: NormalizedPolicy, readonly mode: EnforcementMode) {}

  /** Applies a refusal, unless learn mode grants it. */
  refuse(refusal: Refusal): void {
    if (this.mode === "learn" && refusal.lackOfGrant) {
      this.learned.push(refusal.rule);
      return;
    }
    throw refusal;
  }

  cwd(request: SpawnRequest): string {
    if (request.cwd === undefined) return this.policy.defaultCwd;
    const { command, cwd } = request;
    const real = realDirectoryOrUndefined(resolve(this.policy.defaultCwd, cwd));
    if (real === undefined) {
      throw new Refusal("not-found", "cwd exists", `The working directory ${JSON.stringify(cwd)} for \`${command}\` does not exist or is not a directory`);
    }
    const root = this.policy.allowedCwds.find((dir) => isInside(real, dir));
    if (root !== undefined) {
      this.rules.push(`allowCwd: ${JSON.stringify(root)}`);
    } else {
      this.refuse(new Refusal(
        "permission-denied",
        `allowCwd: ${JSON.stringify(real)}`,
        `The working directory ${JSON.stringify(cwd)} (${real}) for \`${command}\` is not allowed; the host can allow it with \`allowCwd: [${JSON.stringify(real)}]\` (CLI: --allow-cwd=${real})`,
        true,
      ));
    }
    return real;
  }

  executable(command: string, cwd: string): string {
    if (command === "") throw new Refusal("invalid-argument", "command not empty", "The command is empty");
    const located = command.includes("/") ? resolve(cwd, command) : findOnPath(command, this.policy.searchPath);
    const real = located === undefined ? undefined : realPathOrUndefined(located);
    if (real !== undefined) return real;
    // A command the policy could not allow is refused whether or not it exists: a guest cannot probe what is installed.
    if (!this.policy.allowAll && !this.policy.allowedNames.has(command)) this.refuse(this.notAllowed(command, command, basename(command)));
    if (located === undefined) throw new Refusal("not-found", "command exists", `\`${command}\` was not found on the host's search path`);
    throw new Refusal("not-found", "command exists", `\`${command}\` does not exist (${located})`);
  }

  notAllowed(command: string, shown: string, name: string): Refusal {
    return new Refusal(
      "permission-denied",
      `allow: ${JSON.stringify(name)}`,
      `${shown} is not allowed by the host's policy; the host can allow it with \`allow: [${JSON.stringify(name)}]\` (CLI: --allow-run=${name})`,
      true,
    );
  }

  command(command: string, real: string, args: readonly string[]): void {
    const { policy } = this;
    const shown = command === real ? `\`${command}\`` : `\`${command}\` (${real})`;
    const name = basename(command);
    // By path, then by file identity: a hard link of a denied program is the denied program.
    const identity = policy.deniedFiles.size > 0 ? fileIdentity(real) : undefined;
    const denyEntry = policy.denied.get(real) ?? (identity === undefined ? undefined : policy.deniedFiles.get(identity)) ?? (policy.denyAll ? "*" : undefined);
    if (denyEntry !== undefined) {
      throw new Refusal("permission-denied", `deny: ${JSON.stringify(denyEntry)}`, `${shown} is denied by the policy's deny rule ${JSON.stringify(denyEntry)}`);
    }
    const allowed = policy.allowed.get(real);
    if (allowed === undefined && !policy.allowAll) this.refuse(this.notAllowed(command, shown, name));
    const runs = allowed === undefined ? runsOtherPrograms(basename(real)) : undefined;
    if (runs !== undefined) {
      // Closed stance: a program that runs programs is a deliberate, named choice, never part of allow: "*".
      this.refuse(new Refusal(
        "permission-denied",
        `allow: ${JSON.stringify(name)}`,
        `${shown} ${runs}, so \`allow: ["*"]\` does not cover it; the host can allow it by name with \`allow: [${JSON.stringify(name)}]\` or, better, an argument rule`,
        true,
      ));
    }
    const rule = allowed?.args ?? "any";
    if (rule === "any") {
      this.rules.push(allowed ? `allow: ${JSON.stringify(allowed.entries[0])}` : "allow: \"*\"");
      if (allowed?.trustArguments) return;
      const risk = argumentExecutionRisk(basename(real), args);
      if (risk !== undefined) {
        throw new Refusal(
          "permission-denied",
          `ready-made: ${risk.rule}`,
          `${shown} ${JSON.stringify(args.join(" "))} is refused: ${risk.rule} ${risk.reason}; allow the exact arguments with an argument rule instead`,
        );
      }
      return;
    }
    const pattern = rule.find((candidate) => candidate.matches(args));
    if (pattern !== undefined) {
      this.rules.push(`allow: ${JSON.stringify(allowed?.entries[0])} args: ${pattern.description}`);
      return;
    }
    this.refuse(new Refusal(
      "permission-denied",
      `args of ${JSON.stringify(name)}`,
      `${shown} may not be given the arguments ${JSON.stringify(args)}; the policy allows only: ${rule.map((p) => JSON.stringify(p.description)).join(", ")}`,
      true,
    ));
  }

  env(request: SpawnRequest): Record<string, string> {
    const env: Record<string, string> = { ...this.policy.childEnv };
    for (const [name, value] of request.env) {
      refuseNul(`The environment variable ${JSON.stringify(name)}`, name + value, request.command);
      if (name === "" || name.includes("=")) {
        throw new Refusal("invalid-argument", "variable name", `The environment variable name ${JSON.stringify(name)} for \`${request.command}\` is empty or contains "="`);
      }
      const verdict = judgeVariable(this.policy.envGrant, name, value);
      if (verdict.granted) {
        this.rules.push(verdict.rule);
      } else {
        this.refuse(new Refusal("permission-denied", `allowEnv: ${JSON.stringify(name)}`, `For \`${request.command}\`: ${verdict.reason}`, !verdict.hook));
      }
      env[name] = value;
    }
    return env;
  }

  stdio(request: SpawnRequest): [StdioMode, StdioMode, StdioMode] {
    const stdio: [StdioMode, StdioMode, StdioMode] = [request.stdin, request.stdout, request.stderr];
    (["stdin", "stdout", "stderr"] as const).forEach((name, fd) => {
      if (stdio[fd] === "inherit" && !this.policy.allowInherit[name]) {
        this.refuse(new Refusal(
          "permission-denied",
          `allowInherit.${name}`,
          `\`${request.command}\` may not inherit the host's ${name}; the host can allow it with \`allowInherit: { ${name}: true }\``,
          true,
        ));
      }
    });
    return stdio;
  }
}

/** Turns a guest request into the exact plan to spawn, or throws a typed `ProcessHostError` naming the rule. */
export function planSpawn(policy: NormalizedPolicy, request: SpawnRequest, mode: EnforcementMode = "enforce"): SpawnDecision {
  const decider = new Decider(policy, mode);
  try {
    const { command } = request;
    refuseNul("The command", command, JSON.stringify(command));
    request.args.forEach((arg, i) => refuseNul(`Argument ${i + 1}`, arg, command));
    if (request.cwd !== undefined) refuseNul("The working directory", request.cwd, command);
    const cwd = decider.cwd(request);
    const file = decider.executable(command, cwd);
    decider.command(command, file, request.args);
    const confinement = confinementOf(policy, file, command, decider.rules);
    const plan: SpawnPlan = {
      file,
      argv0: basename(file),
      args: [...request.args],
      cwd,
      env: withHostGitConfig(basename(file), decider.env(request)),
      stdio: decider.stdio(request),
      ...(confinement ? { confinement } : {}),
    };
    return { plan, rules: decider.rules, learned: decider.learned };
  } catch (error) {
    if (error instanceof Refusal) throw new ProcessHostError(error.code, error.message, { rule: error.rule });
    throw error;
  }
}

/**
 * The sandbox a program runs in: its rule's `confine`, else the policy's.
 * Confinement asked for and not to be had refuses the spawn (fail closed).
 */
function confinementOf(policy: NormalizedPolicy, file: string, command: string, rules: string[]): Confinement | undefined {
  const own = policy.allowed.get(file)?.confine;
  const confinement = own === undefined ? policy.confinement : own;
  if (confinement === null) return undefined;
  if (confinement.unavailable !== undefined) {
    throw new Refusal("spawn-failed", "confine", `Cannot start \`${command}\` confined: ${confinement.unavailable}`);
  }
  rules.push(describeConfinement(confinement));
  return confinement;
}

/** Whether the guest may send `signal`; throws a typed error otherwise. */
export function checkSignal(policy: NormalizedPolicy, signal: string, command: string): NodeJS.Signals {
  if (!Object.hasOwn(osConstants.signals, signal)) {
    throw new ProcessHostError("invalid-argument", `Unknown signal ${JSON.stringify(signal)}; expected a name such as "SIGTERM" or "SIGKILL"`, { rule: "signal name" });
  }
  if (!policy.signals.has(signal)) {
    throw new ProcessHostError(
      "permission-denied",
      `Sending ${signal} to \`${command}\` is not allowed; the host can allow it with \`signals: [${JSON.stringify(signal)}, …]\``,
      { rule: `signals: ${JSON.stringify(signal)}` },
    );
  }
  return signal as NodeJS.Signals;
}
