/**
 * The CLI's policy modes around one run: `--learn-policy FILE` (grant what is
 * missing, then write the smallest policy that allows exactly what ran) and
 * `--dry-run` (enforce, and report every refusal with the rule behind it).
 */
import { writeFile } from "node:fs/promises";
import type { PolicyDecision } from "./decisions.js";
import { instantiateComponent, type InstantiateOptions } from "./instance.js";

export interface RunModes {
  /** Learn mode: where to write the learned policy. */
  learnPolicyFile?: string | undefined;
  /** Report what the policy refuses (on stderr) after the run. */
  dryRun?: boolean | undefined;
}

function describeDecision(decision: PolicyDecision): string {
  const argv = [decision.command, ...decision.args].map((part) => JSON.stringify(part)).join(" ");
  return `  ${decision.action} ${argv}\n    rule: ${decision.rules.join(", ")}\n    ${decision.message ?? ""}`;
}

function isConfinement(rule: string): boolean {
  return rule.startsWith("confined: ");
}

function describeConfined(decision: PolicyDecision): string {
  const argv = [decision.command, ...decision.args].map((part) => JSON.stringify(part)).join(" ");
  return `  ${decision.action} ${argv}\n    ${decision.rules.filter(isConfinement).join(", ")}`;
}

/** Runs a command component in a thread of its own (as `runComponent` does) under `options.policy` in the chosen modes; returns its exit code. */
export async function runWithModes(source: string, options: InstantiateOptions, modes: RunModes): Promise<number> {
  const refused: PolicyDecision[] = [];
  const learned: PolicyDecision[] = [];
  const confined: PolicyDecision[] = [];
  const instance = await instantiateComponent(source, {
    ...options,
    thread: true,
    mode: modes.learnPolicyFile === undefined ? "enforce" : "learn",
    onDecision(decision) {
      if (!decision.allowed) refused.push(decision);
      else if (decision.learned?.length) learned.push(decision);
      if (decision.allowed && decision.rules.some(isConfinement)) confined.push(decision);
      options.onDecision?.(decision);
    },
  });
  let code: number;
  try {
    code = await instance.run();
  } finally {
    await instance.close();
  }
  if (modes.learnPolicyFile !== undefined) {
    await writeFile(modes.learnPolicyFile, `${JSON.stringify(instance.learnedPolicy(), null, 2)}\n`);
    process.stderr.write(`host-process: learned a policy from ${learned.length} spawn(s) the policy lacked; wrote ${modes.learnPolicyFile}\n`);
  }
  if ((modes.dryRun || modes.learnPolicyFile !== undefined) && confined.length > 0) {
    process.stderr.write(`host-process: ${confined.length} spawn(s) ran confined:\n${confined.map(describeConfined).join("\n")}\n`);
  }
  if (modes.dryRun || modes.learnPolicyFile !== undefined) {
    process.stderr.write(
      refused.length === 0
        ? "host-process: the policy refused nothing\n"
        : `host-process: the policy refused ${refused.length} request(s):\n${refused.map(describeDecision).join("\n")}\n`,
    );
  }
  return code;
}
