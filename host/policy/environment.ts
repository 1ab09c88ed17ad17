/**
 * Environment variables that make a child load or run code of someone's
 * choosing. A guest may set one only if the host grants it by its exact name;
 * `allowEnv: true` (or "*") never covers them, except with an empty value,
 * which is harmless (as in Deno); any other value, whitespace included, is refused.
 */

/** Exact names, each with the reason it is dangerous. */
const HOOK_VARIABLES: Record<string, string> = {
  PATH: "chooses which programs a child's own commands run",
  NODE_OPTIONS: "makes node load modules (--require) of the setter's choosing",
  NODE_PATH: "makes node resolve modules from the setter's folders",
  BASH_ENV: "is a script bash runs at start",
  ENV: "is a script sh runs at start",
  SHELLOPTS: "changes how bash runs scripts",
  BASHOPTS: "changes how bash runs scripts",
  PS4: "is expanded (and can run commands) when bash traces",
  IFS: "changes how shells split words",
  PROMPT_COMMAND: "is a command bash runs before each prompt",
  PYTHONSTARTUP: "is a script python runs at start",
  PYTHONPATH: "makes python import modules from the setter's folders",
  PYTHONHOME: "makes python load its library from the setter's folder",
  PERL5OPT: "adds perl options (-M modules) to every perl run",
  PERL5LIB: "makes perl load modules from the setter's folders",
  PERLLIB: "makes perl load modules from the setter's folders",
  RUBYOPT: "adds ruby options (-r libraries) to every ruby run",
  RUBYLIB: "makes ruby load libraries from the setter's folders",
  JAVA_TOOL_OPTIONS: "adds JVM options (agents) to every java run",
  _JAVA_OPTIONS: "adds JVM options (agents) to every java run",
  PAGER: "names a program to run",
  MANPAGER: "names a program to run",
  EDITOR: "names a program to run",
  VISUAL: "names a program to run",
  BROWSER: "names a program to run",
  LESSOPEN: "is a command less runs on every file",
  LESSCLOSE: "is a command less runs on every file",
  GIT_SSH: "names the ssh program git runs",
  GIT_SSH_COMMAND: "is a command git runs for ssh remotes",
  GIT_PAGER: "names a program git runs",
  GIT_EDITOR: "names a program git runs",
  GIT_ASKPASS: "names a program git runs",
  SSH_ASKPASS: "names a program ssh runs",
  GIT_EXEC_PATH: "chooses the folder git runs its helpers from",
  GIT_EXTERNAL_DIFF: "names a program git runs for diffs",
  GIT_PROXY_COMMAND: "is a command git runs for connections",
  GIT_CONFIG: "names a configuration file git obeys",
  GIT_CONFIG_GLOBAL: "names a configuration file git obeys",
  GIT_CONFIG_SYSTEM: "names a configuration file git obeys",
  GIT_CONFIG_COUNT: "adds configuration (core.sshCommand …) git obeys",
  GIT_CONFIG_PARAMETERS: "adds configuration (core.sshCommand …) git obeys",
  GIT_DIR: "points git at a repository whose configuration and hooks it obeys",
  GIT_TEMPLATE_DIR: "installs hooks into new repositories",
  HOME: "chooses the configuration files (~/.gitconfig, ~/.bashrc …) programs obey",
  XDG_CONFIG_HOME: "chooses the configuration files programs obey",
  ZDOTDIR: "chooses the startup files zsh runs",
  GCONV_PATH: "makes glibc load modules from the setter's folders",
  GLIBC_TUNABLES: "changes glibc's loader behaviour",
  HOSTALIASES: "redirects name lookups",
  TMPDIR: "moves temporary files, which some programs then execute",
};

/** Prefixes, each with its reason. */
const HOOK_PREFIXES: [string, string][] = [
  ["LD_", "is read by the dynamic loader (LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT load code)"],
  ["DYLD_", "is read by the macOS dynamic loader"],
  ["GIT_CONFIG_KEY_", "adds configuration (core.sshCommand …) git obeys"],
  ["GIT_CONFIG_VALUE_", "adds configuration (core.sshCommand …) git obeys"],
  ["BASH_FUNC_", "defines a shell function bash imports"],
  ["MALLOC_", "changes the allocator's behaviour"],
];

/** Why a variable is a code-loading hook, or `undefined` if it is not one. */
export function hookReason(name: string): string | undefined {
  if (Object.hasOwn(HOOK_VARIABLES, name)) return HOOK_VARIABLES[name];
  return HOOK_PREFIXES.find(([prefix]) => name.startsWith(prefix))?.[1];
}

/** What the guest may set: "none", anything that is not a hook ("*"), and exact names (hooks included). */
export interface EnvGrant {
  readonly anyOrdinary: boolean;
  readonly names: ReadonlySet<string>;
}

export function envGrant(allowEnv: boolean | readonly string[] | undefined): EnvGrant {
  if (allowEnv === true) return { anyOrdinary: true, names: new Set() };
  const names = new Set(Array.isArray(allowEnv) ? allowEnv : []);
  return { anyOrdinary: names.delete("*"), names };
}

export type EnvVerdict = { granted: true; rule: string } | { granted: false; reason: string; hook: boolean };

/** Whether the guest may set `name` to `value` under `grant`. */
export function judgeVariable(grant: EnvGrant, name: string, value: string): EnvVerdict {
  if (grant.names.has(name)) return { granted: true, rule: `allowEnv: ${JSON.stringify(name)}` };
  const hook = hookReason(name);
  if (hook !== undefined && !(grant.anyOrdinary && value === "")) {
    return { granted: false, hook: true, reason: `${name} ${hook}; only a host that names it in \`allowEnv\` lets a guest set it` };
  }
  if (grant.anyOrdinary) return { granted: true, rule: hook === undefined ? "allowEnv: *" : "allowEnv: * (empty hook variable)" };
  return { granted: false, hook: false, reason: `setting ${name} is not allowed; the host can allow it with \`allowEnv: [${JSON.stringify(name)}]\` (CLI: --allow-env=${name})` };
}
