/**
 * Learn mode's recorder: from the spawns a guest made, the smallest policy
 * that allows exactly those spawns (each command with its exact argument
 * lists, the variables set, the working directories and inherited streams used).
 */
import { basename } from "node:path";
import type { SpawnPlan, SpawnRequest } from "./decide.js";
import type { ConfineOptions, Confinement } from "./confine.js";
import type { CommandRule, NormalizedPolicy, ProcessPolicy } from "./normalize.js";

/** A decided confinement written back as a policy's `confine` (`false` for an explicit "none"). */
function confineOption(confinement: Confinement | null): ConfineOptions | false {
  if (confinement === null) return false;
  const { write, hide, network, bwrap } = confinement;
  return { write: [...write], ...(hide.length > 0 ? { hide: [...hide] } : {}), network, ...(bwrap ? { bwrap } : {}) };
}

/** Learn mode: records the spawns a guest made, to write the smallest policy allowing exactly them. */
export class PolicyRecorder {
  readonly #commands = new Map<string, { command: string; file: string; args: Map<string, string[]> }>();
  readonly #env = new Set<string>();
  readonly #cwds = new Set<string>();
  readonly #inherit = { stdin: false, stdout: false, stderr: false };

  constructor(
    /** The policy in force; names the recorder finds on its search path stay names. */
    readonly policy: NormalizedPolicy,
  ) {}

  /** Records one spawn that was allowed (in learn mode, possibly only because of it). */
  record(request: SpawnRequest, plan: SpawnPlan): void {
    // A bare name stays a name (the policy's search path is what found plan.file for it); a path becomes the real path.
    const command = request.command.includes("/") ? plan.file : basename(request.command);
    const entry = this.#commands.get(plan.file) ?? { command, file: plan.file, args: new Map<string, string[]>() };
    entry.args.set(JSON.stringify(plan.args), plan.args);
    this.#commands.set(plan.file, entry);
    for (const [variable] of request.env) this.#env.add(variable);
    if (request.cwd !== undefined) this.#cwds.add(plan.cwd);
    (["stdin", "stdout", "stderr"] as const).forEach((stream, fd) => {
      if (plan.stdio[fd] === "inherit") this.#inherit[stream] = true;
    });
  }

  /** The smallest policy allowing exactly the recorded spawns. */
  toPolicy(): ProcessPolicy {
    const allow: CommandRule[] = [...this.#commands.values()]
      .map(({ command, args, file }) => {
        // A rule's own confinement is learnt with it; the policy's stays the policy's.
        const own = this.policy.allowed.get(file)?.confine;
        const rule: CommandRule = { command, args: [...args.values()].map((list) => [...list]) };
        return own === undefined ? rule : { ...rule, confine: confineOption(own) };
      })
      .sort((a, b) => a.command.localeCompare(b.command));
    const policy: ProcessPolicy = { allow };
    if (this.policy.confinement !== null) policy.confine = confineOption(this.policy.confinement);
    if (this.#env.size > 0) policy.allowEnv = [...this.#env].sort();
    if (this.#cwds.size > 0) policy.allowCwd = [...this.#cwds].sort();
    if (this.#inherit.stdin) policy.allowInherit = { stdin: true };
    if (!this.#inherit.stdout || !this.#inherit.stderr) {
      policy.allowInherit = { ...policy.allowInherit, stdout: this.#inherit.stdout, stderr: this.#inherit.stderr };
    }
    return policy;
  }
}
