/**
 * What a guest may set in its children's environment. `allowEnv: true` (or
 * "*") grants only the inert variables of inert-environment.ts; every other
 * variable needs the host to name it. The code-loading hooks below are
 * refused even in learn mode unless named; a search-path variable (PATH …)
 * with an empty or relative entry is refused even when named.
 */
import { inertValueAllowed, searchPathProblem } from "./inert-environment.js";

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
  TAR_OPTIONS: "adds tar options (--to-command, --use-compress-program …)",
  ZIPOPT: "adds zip options (-TT runs a command)",
  UNZIPOPT: "adds unzip options",
  UNZIP: "adds unzip options",
  ZIP: "adds zip options (-TT runs a command)",
  GZIP: "adds gzip options",
  BZIP2: "adds bzip2 options",
  XZ_OPT: "adds xz options",
  XZ_DEFAULTS: "adds xz options",
  ZSTD_CLEVEL: "changes zstd's behaviour",
  VIMINIT: "is a command vim runs at start",
  EXINIT: "is a command vi/ex runs at start",
  MYVIMRC: "names the script vim runs at start",
  LESS: "adds less options",
  LESSKEY: "names the key file less reads (which can run commands)",
  LESSKEYIN: "names the key file less reads (which can run commands)",
  MANOPT: "adds man options (-P names a pager)",
  MANPATH: "chooses where man reads pages and configuration from",
  SYSTEMD_PAGER: "names a program to run",
  SYSTEMD_EDITOR: "names a program to run",
  SUDO_ASKPASS: "names a program sudo runs",
  TERMINFO: "chooses the terminal description programs load",
  TERMINFO_DIRS: "chooses the terminal descriptions programs load",
  LOCPATH: "chooses the locale files glibc loads",
  NLSPATH: "chooses the message catalogues programs load",
  INPUTRC: "names the readline init file (which can bind macros)",
  WGETRC: "names a .wgetrc (use_askpass runs a program)",
  CURL_HOME: "chooses the .curlrc curl obeys",
  SSH_AUTH_SOCK: "points ssh at an agent of the setter's choosing",
};

/** Prefixes, each with its reason. */
const HOOK_PREFIXES: [string, string][] = [
  ["LD_", "is read by the dynamic loader (LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT load code)"],
  ["DYLD_", "is read by the macOS dynamic loader"],
  ["GIT_CONFIG_KEY_", "adds configuration (core.sshCommand …) git obeys"],
  ["GIT_CONFIG_VALUE_", "adds configuration (core.sshCommand …) git obeys"],
  ["BASH_FUNC_", "defines a shell function bash imports"],
  ["MALLOC_", "changes the allocator's behaviour"],
  ["GIT_", "changes what git runs, reads or writes (editors, trace files, repository and object folders …)"],
  ["npm_config_", "sets npm configuration (script-shell, node-options, prefix …)"],
  ["NPM_CONFIG_", "sets npm configuration (script-shell, node-options, prefix …)"],
  ["PYTHON", "changes how python starts (PYTHONSTARTUP, PYTHONPATH, PYTHONWARNINGS …)"],
];

/** Why a variable is a code-loading hook, or `undefined` if it is not one. */
export function hookReason(name: string): string | undefined {
  if (Object.hasOwn(HOOK_VARIABLES, name)) return HOOK_VARIABLES[name];
  return HOOK_PREFIXES.find(([prefix]) => name.startsWith(prefix))?.[1];
}

/** What the guest may set: the inert variables ("*"), and exact names (hooks included). */
export interface EnvGrant {
  readonly inert: boolean;
  readonly names: ReadonlySet<string>;
}

export function envGrant(allowEnv: boolean | readonly string[] | undefined): EnvGrant {
  if (allowEnv === true) return { inert: true, names: new Set() };
  const names = new Set(Array.isArray(allowEnv) ? allowEnv : []);
  return { inert: names.delete("*"), names };
}

export type EnvVerdict = { granted: true; rule: string } | { granted: false; reason: string; hook: boolean };

/** Whether the guest may set `name` to `value` under `grant`. */
export function judgeVariable(grant: EnvGrant, name: string, value: string): EnvVerdict {
  const byName = `the host can allow it with \`allowEnv: [${JSON.stringify(name)}]\` (CLI: --allow-env=${name})`;
  if (grant.names.has(name)) {
    const problem = searchPathProblem(name, value);
    if (problem !== undefined) return { granted: false, hook: true, reason: `${problem}; give absolute directories only` };
    return { granted: true, rule: `allowEnv: ${JSON.stringify(name)}` };
  }
  const hook = hookReason(name);
  if (hook !== undefined) {
    return { granted: false, hook: true, reason: `${name} ${hook}; only a host that names it in \`allowEnv\` lets a guest set it` };
  }
  const inert = inertValueAllowed(name, value);
  if (grant.inert && inert === true) return { granted: true, rule: "allowEnv: * (inert)" };
  if (grant.inert && inert === false) {
    return { granted: false, hook: false, reason: `the value ${JSON.stringify(value)} of ${name} is not an inert one (a locale, zone, terminal name or number; no path); ${byName}` };
  }
  if (grant.inert) {
    return { granted: false, hook: false, reason: `${name} is not one of the inert variables \`allowEnv: true\` grants (locale, time zone, terminal, colour); ${byName}` };
  }
  return { granted: false, hook: false, reason: `setting ${name} is not allowed; ${byName}` };
}
