/**
 * How a host watches and adds to policy decisions: every decision is
 * published (callback and `node:diagnostics_channel`) with the rule that made
 * it, and an optional capability checker can refuse what the policy allows.
 * Nothing here reaches the guest beyond the refusal's message.
 */
import { channel } from "node:diagnostics_channel";
import type { ErrorCode } from "./errors.js";

/** The `node:diagnostics_channel` name every decision is published on. */
export const DECISION_CHANNEL = "host-process:decision";

/** One decision of a process host: a spawn, an `output` or a signal, allowed or refused, with the rules behind it. */
export interface PolicyDecision {
  /** Which process host (one per instance) decided. */
  readonly instance: number;
  /** What the guest asked to do. */
  readonly action: "spawn" | "output" | "signal";
  /** As the guest asked. */
  readonly command: string;
  /** The arguments, as the guest gave them. */
  readonly args: readonly string[];
  /** The real path that would execute, when it was resolved. */
  readonly resolved?: string | undefined;
  /** Whether it was allowed. */
  readonly allowed: boolean;
  /** The rules that allowed it, or the one that refused it. */
  readonly rules: readonly string[];
  /** Learn mode: grants the policy lacked (allowed only because of learn mode). */
  readonly learned?: readonly string[] | undefined;
  /** When refused: the error the guest got. */
  readonly code?: ErrorCode | undefined;
  /** When refused: the message the guest got. */
  readonly message?: string | undefined;
}

/** What a capability checker is asked about: the request after the policy resolved and allowed it. */
export interface CapabilityRequest {
  /** As the guest asked. */
  readonly command: string;
  /** Real path of the program. */
  readonly file: string;
  /** Exactly the arguments that would be passed. */
  readonly args: readonly string[];
  /** The real working directory. */
  readonly cwd: string;
  /** Names of the variables the guest sets. */
  readonly env: readonly string[];
}

/**
 * A host's own rule on top of the declarative policy (as Forge's seed had):
 * both must agree for a spawn to happen.
 */
export interface ProcessCapabilityChecker {
  /** `true` to allow; `false` or a reason to refuse. */
  checkSpawn(request: CapabilityRequest): boolean | string;
  /** Whether the guest may set environment variables for its children at all. */
  checkEnvAccess(): boolean;
}

const decisions = channel(DECISION_CHANNEL);

/** Hands a decision to the host's callback and to channel subscribers; their failures never reach the guest. */
export function publishDecision(decision: PolicyDecision, onDecision?: (decision: PolicyDecision) => void): void {
  try {
    onDecision?.(decision);
  } catch (error) {
    process.emitWarning(`host-process: the onDecision callback threw: ${String(error)}`);
  }
  if (decisions.hasSubscribers) decisions.publish(decision);
}
