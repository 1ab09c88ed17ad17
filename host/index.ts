/**
 * host-process: the host API for running components that import `host:process/process`.
 * @module host-process
 */
export { createProcessHost } from "./bindings.js";
export { spawnerStats } from "./spawner/client.js";
export { lentPipeCalls } from "./lent-io.js";
export type { SpawnerStats } from "./spawner/protocol.js";
export type {
  ChildResource, ChildStatus, ExitStatus, ProcessHost, ProcessHostOptions, ProcessImports, ProcessOutput, SpawnOptions,
} from "./bindings.js";
export { ERROR_CODES, ProcessHostError, numericCode } from "./errors.js";
export type { ErrorCode, ProcessErrorRecord } from "./errors.js";
export {
  DEFAULT_MAX_OPEN_PIPES, DEFAULT_MAX_PROCESSES, DEFAULT_SIGNALS, POLICY_OPTIONS, PROGRAMS_WITH_READY_MADE_RULES, PolicyRecorder,
  argumentExecutionRisk, canonicalArguments, CONFINE_OPTIONS, describeConfinement, hookReason, normalizePolicy, planSpawn,
  OPTION_TABLES, INERT_VARIABLES, parseOptions, resolveLong,
} from "./policy.js";
export type {
  ArgumentPattern, ArgumentRule, ArgumentValidator, Arity, CommandRule, OptionSpec, ParsedEnd, ParsedItem, ParsedOperand, ParsedOption, ParseMode, EnforcementMode, NormalizedPolicy, ProcessPolicy,
  SpawnDecision, SpawnPlan, SpawnRequest, StdioMode, WasiGrants, ConfineOptions, Confinement,
} from "./policy.js";
export { DECISION_CHANNEL } from "./decisions.js";
export type { CapabilityRequest, PolicyDecision, ProcessCapabilityChecker } from "./decisions.js";
export { loadComponent, defaultCacheDir } from "./component.js";
export type { CompiledModules, LoadedComponent, LoadOptions } from "./component.js";
export { instantiateComponent, runComponent } from "./instance.js";
export type { ComponentInstance, InstantiateOptions, RunComponentOptions, ThreadOptions } from "./instance.js";
export type { RunOptions, ThreadedInstance } from "./embedding/instance-thread.js";
export { GuestStoppedError } from "./embedding/guest-stopped.js";
export type { StopReason } from "./embedding/guest-stopped.js";
export { createWasiImports, GuestExit } from "./wasi.js";
export type { WasiOptions } from "./wasi.js";
export { buildGuest, bundleGuest } from "./build.js";
export type { BuildOptions, BuildResult } from "./build.js";
