/**
 * The capability policy: pure decisions over host-resolved values (the only
 * I/O is stat/realpath). See host/policy/ for its parts.
 */
export * from "./policy/normalize.js";
export * from "./policy/decide.js";
export { canonicalArguments, type ArgumentPattern, type ArgumentRule, type ArgumentValidator } from "./policy/arguments.js";
export { TABLES as OPTION_TABLES, parseOptions, resolveLong, type Arity, type OptionSpec, type ParsedEnd, type ParsedItem, type ParsedOperand, type ParsedOption, type ParseMode } from "./policy/option-tables.js";
export { argumentExecutionRisk, PROGRAMS_WITH_READY_MADE_RULES, type ArgumentDenial } from "./policy/dangerous-arguments.js";
export { hookReason } from "./policy/environment.js";
export { INERT_VARIABLES } from "./policy/inert-environment.js";
export { findOnPath } from "./policy/resolve.js";
export { CONFINE_OPTIONS, describeConfinement, type ConfineOptions, type Confinement } from "./policy/confine.js";
export { PolicyRecorder } from "./policy/learn.js";
