/**
 * Ready-made deny rules for programs that can be made to run other programs
 * through their arguments. They apply whenever such a program is allowed with
 * free arguments (`args: "any"`); argument rules written by the host replace them.
 *
 * Each rule names the program (the basename of the real path that would
 * execute) and returns why an argument list is refused, or nothing.
 */

export interface ArgumentDenial {
  /** The ready-made rule, e.g. "git: -c". */
  rule: string;
  /** Why it is refused, in plain words. */
  reason: string;
}

type Check = (args: readonly string[]) => ArgumentDenial | undefined;

/** `--name=value` or `--name value`: the value of a long option at `i`, if `args[i]` is that option. */
function longValue(args: readonly string[], i: number, name: string): string | undefined {
  const arg = args[i] as string;
  if (arg === name) return args[i + 1] ?? "";
  if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
  return undefined;
}

/** Whether `arg` is a short-option cluster (before `--`) that contains `letter`. */
function clusterHas(arg: string, letter: string): boolean {
  return /^-[^-]/.test(arg) && arg.slice(1).includes(letter);
}

/** Arguments before a `--` (after it nothing is an option). */
function options(args: readonly string[]): readonly string[] {
  const end = args.indexOf("--");
  return end < 0 ? args : args.slice(0, end);
}

function deny(rule: string, reason: string): ArgumentDenial {
  return { rule, reason };
}

/** Programs whose job is to run their arguments as a command. */
const RUNNERS: Record<string, string> = {
  env: "runs its arguments as a command",
  xargs: "runs its arguments as a command",
  nice: "runs its arguments as a command",
  nohup: "runs its arguments as a command",
  timeout: "runs its arguments as a command",
  stdbuf: "runs its arguments as a command",
  setsid: "runs its arguments as a command",
  taskset: "runs its arguments as a command",
  ionice: "runs its arguments as a command",
  chrt: "runs its arguments as a command",
  flock: "runs its arguments as a command",
  watch: "runs its arguments as a command",
  time: "runs its arguments as a command",
  strace: "runs its arguments as a command",
  ltrace: "runs its arguments as a command",
  sudo: "runs its arguments as a command, as another user",
  doas: "runs its arguments as a command, as another user",
  su: "runs a shell command (-c) as another user",
  runuser: "runs its arguments as a command, as another user",
  chroot: "runs its arguments as a command",
  unshare: "runs its arguments as a command",
  nsenter: "runs its arguments as a command",
  script: "runs a shell command (-c)",
  parallel: "runs its arguments as commands",
  busybox: "runs any of its applets, shells included",
};

const GIT_GLOBAL_WITH_VALUE = new Set(["-c", "-C", "--git-dir", "--work-tree", "--namespace", "--config-env", "--super-prefix", "--attr-source", "--list-cmds"]);
const GIT_GLOBAL_DENIED: Record<string, string> = {
  "-c": "sets configuration such as core.sshCommand, core.fsmonitor, core.pager, alias.*=!cmd, filter.*, diff.external or include.path, which run programs",
  "--config-env": "sets configuration from the environment (core.sshCommand, core.fsmonitor, core.pager, alias.*=!cmd …), which runs programs",
  "--exec-path": "chooses the folder git runs its helper programs from",
  "--git-dir": "points git at a repository whose configuration and hooks it will obey",
  "--work-tree": "points git at another work tree",
};
/** Subcommands that run commands, or write the configuration later runs obey. */
const GIT_SUBCOMMANDS_DENIED: Record<string, string> = {
  config: "writes configuration (core.sshCommand, core.fsmonitor, aliases …) that later git runs obey",
  "filter-branch": "runs its filters as shell commands",
  "submodule": "runs `foreach` commands and configured update commands",
  instaweb: "starts a web server and a browser",
  daemon: "serves repositories and runs hooks",
  mergetool: "runs a configured merge tool",
  difftool: "runs a chosen diff tool (-x/--extcmd)",
  "send-email": "runs --to-cmd/--cc-cmd and sendmail programs",
  "upload-pack": "is a transport helper",
  "receive-pack": "is a transport helper and runs hooks",
  "web--browse": "starts a browser",
  bisect: "runs `bisect run` commands",
};

function checkGit(args: readonly string[]): ArgumentDenial | undefined {
  for (const arg of args) {
    if (/(^|[^a-z])ext::/i.test(arg)) return deny("git: ext::", "the ext:: transport runs an arbitrary command");
  }
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith("-") || arg === "--") break;
    const name = arg.includes("=") ? arg.slice(0, arg.indexOf("=")) : arg;
    if (Object.hasOwn(GIT_GLOBAL_DENIED, name)) return deny(`git: ${name}`, GIT_GLOBAL_DENIED[name] as string);
    if (name === "-p" || name === "--paginate") return deny("git: --paginate", "runs the configured pager");
    if (GIT_GLOBAL_WITH_VALUE.has(arg)) i++;
  }
  const subcommand = args[i];
  if (subcommand === undefined) return undefined;
  if (Object.hasOwn(GIT_SUBCOMMANDS_DENIED, subcommand)) {
    return deny(`git: ${subcommand}`, GIT_SUBCOMMANDS_DENIED[subcommand] as string);
  }
  const rest = options(args.slice(i + 1));
  for (let j = 0; j < rest.length; j++) {
    const arg = rest[j] as string;
    for (const option of ["--upload-pack", "--receive-pack", "--exec", "--template", "--config", "--extcmd", "--open-files-in-pager"]) {
      if (longValue(rest, j, option) !== undefined) return deny(`git ${subcommand}: ${option}`, `${option} names a program or hooks that git runs`);
    }
    if (["clone", "fetch", "pull", "ls-remote", "archive"].includes(subcommand) && (arg === "-u" || (arg.startsWith("-u") && !arg.startsWith("--")))) {
      return deny(`git ${subcommand}: -u`, "-u names the upload-pack program git runs");
    }
    if (["clone", "init"].includes(subcommand) && (arg === "-c" || /^-c./.test(arg))) {
      return deny(`git ${subcommand}: -c`, "sets configuration in the new repository (core.fsmonitor, hooks …) that git then obeys");
    }
    if (subcommand === "rebase" && (arg === "-x" || clusterHas(arg, "x"))) return deny("git rebase: -x", "--exec runs a shell command after each commit");
    if (subcommand === "grep" && (arg === "-O" || /^-O/.test(arg))) return deny("git grep: -O", "opens matches with a chosen program");
  }
  return undefined;
}

function checkFind(args: readonly string[]): ArgumentDenial | undefined {
  const action = args.find((arg) => ["-exec", "-execdir", "-ok", "-okdir"].includes(arg));
  return action ? deny(`find: ${action}`, `${action} runs a command for each file`) : undefined;
}

function checkFd(args: readonly string[]): ArgumentDenial | undefined {
  for (const arg of options(args)) {
    if (/^--exec(-batch)?(=|$)/.test(arg) || clusterHas(arg, "x") || clusterHas(arg, "X")) {
      return deny("fd: --exec", "-x/--exec and -X/--exec-batch run a command for the results");
    }
  }
  return undefined;
}

function checkRg(args: readonly string[]): ArgumentDenial | undefined {
  const opts = options(args);
  return opts.some((_, i) => longValue(opts, i, "--pre") !== undefined)
    ? deny("rg: --pre", "--pre runs a preprocessor command on every file")
    : undefined;
}

function checkTar(args: readonly string[]): ArgumentDenial | undefined {
  const opts = options(args);
  for (let i = 0; i < opts.length; i++) {
    const arg = opts[i] as string;
    for (const option of ["--to-command", "--use-compress-program", "--checkpoint-action", "--info-script", "--new-volume-script", "--rsh-command", "--rmt-command"]) {
      if (longValue(opts, i, option) !== undefined) return deny(`tar: ${option}`, `${option} runs a command`);
    }
    // Old-style `tar xIf …`: the first argument is a cluster even without "-".
    const cluster = i === 0 && !arg.startsWith("-") ? `-${arg}` : arg;
    if (clusterHas(cluster, "I")) return deny("tar: -I", "-I (--use-compress-program) runs a command");
    if (clusterHas(cluster, "F")) return deny("tar: -F", "-F (--info-script) runs a command");
  }
  return undefined;
}

const SSH_COMMAND_OPTIONS = new Set(["proxycommand", "localcommand", "permitlocalcommand", "knownhostscommand", "remotecommand"]);

function checkSsh(program: string): Check {
  return (args) => {
    const opts = options(args);
    for (let i = 0; i < opts.length; i++) {
      const arg = opts[i] as string;
      if (!/^-[^-]/.test(arg)) continue;
      const letters = arg.slice(1);
      for (let k = 0; k < letters.length; k++) {
        const letter = letters[k] as string;
        if (letter === "F") return deny(`${program}: -F`, "-F reads a configuration file that may run commands (ProxyCommand, Match exec)");
        if ((letter === "S" || letter === "D") && program !== "ssh") return deny(`${program}: -${letter}`, `-${letter} names the program ${program} runs`);
        if (letter === "o") {
          const value = letters.slice(k + 1) || (opts[i + 1] ?? "");
          const key = value.split(/[=\s]/, 1)[0]?.toLowerCase() ?? "";
          if (SSH_COMMAND_OPTIONS.has(key)) return deny(`${program}: -o ${key}`, `-o ${key} runs a local command`);
          break;
        }
      }
    }
    return undefined;
  };
}

function longOptionCheck(program: string, entries: Record<string, string>, shorts: Record<string, string> = {}): Check {
  return (args) => {
    const opts = options(args);
    for (let i = 0; i < opts.length; i++) {
      for (const [option, reason] of Object.entries(entries)) {
        if (longValue(opts, i, option) !== undefined) return deny(`${program}: ${option}`, reason);
      }
      for (const [letter, reason] of Object.entries(shorts)) {
        if (clusterHas(opts[i] as string, letter)) return deny(`${program}: -${letter}`, reason);
      }
    }
    return undefined;
  };
}

const CHECKS: Record<string, Check> = {
  git: checkGit,
  find: checkFind,
  fd: checkFd,
  fdfind: checkFd,
  rg: checkRg,
  tar: checkTar,
  ssh: checkSsh("ssh"),
  scp: checkSsh("scp"),
  sftp: checkSsh("sftp"),
  sort: longOptionCheck("sort", { "--compress-program": "--compress-program runs a chosen program" }),
  split: longOptionCheck("split", { "--filter": "--filter runs a shell command for each piece" }),
  rsync: longOptionCheck("rsync", { "--rsh": "--rsh names the remote shell program", "--rsync-path": "--rsync-path names the remote program" }, { e: "-e names the remote shell program" }),
  zip: longOptionCheck("zip", { "--unzip-command": "--unzip-command runs a chosen program" }, { T: "-T/-TT runs an unzip command" }),
  wget: longOptionCheck("wget", { "--use-askpass": "--use-askpass runs a chosen program" }),
  man: longOptionCheck("man", { "--pager": "--pager runs a chosen program", "--html": "--html runs a browser" }, { P: "-P names the pager program", H: "-H runs a browser" }),
};

/** Why `program` (basename of its real path) may not be run with these free arguments, if it may not. */
export function argumentExecutionRisk(program: string, args: readonly string[]): ArgumentDenial | undefined {
  if (Object.hasOwn(RUNNERS, program)) {
    return args.length === 0 ? undefined : deny(`${program}: any arguments`, RUNNERS[program] as string);
  }
  return Object.hasOwn(CHECKS, program) ? (CHECKS[program] as Check)(args) : undefined;
}

/** The programs with ready-made rules (for documentation and tests). */
export const PROGRAMS_WITH_READY_MADE_RULES: readonly string[] = [...Object.keys(RUNNERS), ...Object.keys(CHECKS)];
