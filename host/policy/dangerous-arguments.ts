/**
 * Ready-made deny rules for programs that can be made to run other programs
 * through their arguments. They apply whenever such a program is allowed with
 * free arguments (`args: "any"`); argument rules written by the host replace them.
 *
 * Each rule names the program (the basename of the real path that would
 * execute) and returns why an argument list is refused, or nothing.
 *
 * Each check reads the arguments with the program's option table
 * (option-tables.ts), the way its own parser would: abbreviations of long
 * options, values glued in clusters, values that consume a following `--`.
 * Where the table may be incomplete the reading errs towards refusing.
 */
import { GIT_GLOBAL, mayBeLong, optionSpec, parseOptions, SCP, SFTP, SSH, TAR, type OptionSpec, type ParsedOption, type ParseMode } from "./option-tables.js";

export interface ArgumentDenial {
  /** The ready-made rule, e.g. "git: -c". */
  rule: string;
  /** Why it is refused, in plain words. */
  reason: string;
}

type Check = (args: readonly string[]) => ArgumentDenial | undefined;

function deny(rule: string, reason: string): ArgumentDenial {
  return { rule, reason };
}

/**
 * How the ready-made rules read arguments: the program's table, and a `--`
 * does not stop them (an option the table lacks could have taken it as its
 * value), so an option after it is judged too.
 */
const SUSPICIOUS: ParseMode = { endAtDoubleDash: false, stopAtFirstOperand: false };

function optionsOf(args: readonly string[], spec: OptionSpec): ParsedOption[] {
  return parseOptions(args, spec, SUSPICIOUS).filter((item): item is ParsedOption => item.kind === "option");
}

/** The first option that is, or may be (an unknown or ambiguous prefix), one of `longs` or one of the `shorts` letters. */
function findOption(options: readonly ParsedOption[], longs: readonly string[], shorts = ""): { option: ParsedOption; as: string } | undefined {
  for (const option of options) {
    const long = longs.find((name) => mayBeLong(option, name));
    if (long !== undefined) return { option, as: `--${long}` };
    if (/^-[^-]$/.test(option.name) && shorts.includes(option.name.slice(1))) return { option, as: option.name };
  }
  return undefined;
}

const RUNS_COMMAND = "runs its arguments as a command";
const AS_OTHER_USER = "runs its arguments as a command, as another user or with other rights";
const RUNS_SCRIPT = "runs commands or scripts given in its arguments (or a shell escape)";

/**
 * Programs whose job is to run their arguments as a command: privilege,
 * namespace, limit, scheduling, tracing and debugging, session, package-runner
 * and terminal-multiplexer tools. Allowed by name with free arguments, they are
 * refused any argument unless the host says `trustArguments: true`.
 */
const RUNNERS: Record<string, string> = Object.fromEntries([
  ...["env", "xargs", "nice", "nohup", "timeout", "stdbuf", "setsid", "taskset", "ionice", "chrt", "flock", "watch", "time",
    "prlimit", "numactl", "cgexec", "setarch", "linux32", "linux64", "i386", "x86_64", "faketime", "catchsegv", "unbuffer",
    "rlwrap", "entr", "chpst", "softlimit", "envdir", "setlock", "dbus-run-session", "xvfb-run", "start-stop-daemon",
    "run-parts", "ssh-agent", "torsocks", "proxychains", "proxychains4", "tsocks", "parallel", "sem", "busybox", "toybox",
    "ld.so", "ld-linux.so.2", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "firejail", "bwrap", "fakeroot", "fakechroot",
    "proot", "unshare", "nsenter", "chroot", "systemd-run", "systemd-nspawn", "at", "batch", "script", "screen", "tmux",
    "byobu", "dtach", "abduco", "expect", "mpirun", "mpiexec", "srun", "nix-shell", "sshpass", "flatpak-spawn"].map((name) => [name, RUNS_COMMAND]),
  ...["sudo", "doas", "su", "runuser", "pkexec", "setpriv", "capsh", "sg", "newgrp", "sudoedit", "run0"].map((name) => [name, AS_OTHER_USER]),
  ...["strace", "ltrace", "gdb", "lldb", "valgrind", "perf", "rr", "uftrace"].map((name) => [name, "traces or debugs a program it runs, and can run commands"]),
  ...["npx", "npm", "pnpm", "pnpx", "yarn", "bunx", "bun", "deno", "uvx", "uv", "pipx", "nix", "cargo", "go", "dotnet", "corepack"].map((name) => [name, "runs packages, scripts or commands named in its arguments"]),
]);

/**
 * Shells, interpreters and programs with a shell escape or a command
 * language: with free arguments each runs anything. Only a host that names
 * one in `allow` lets the guest run it; `allow: ["*"]` does not cover them.
 */
const INTERPRETERS: Record<string, string> = Object.fromEntries([
  "sh", "bash", "dash", "zsh", "ksh", "mksh", "csh", "tcsh", "fish", "ash", "rbash", "node", "nodejs",
  "python", "python2", "python3", "perl", "ruby", "php", "lua", "luajit", "tclsh", "wish", "Rscript", "R", "julia", "pwsh",
  "awk", "gawk", "mawk", "nawk", "sed", "ed", "red", "ex", "vi", "vim", "nvim", "view", "rvim", "emacs", "nano", "less", "more",
  "most", "mail", "mailx", "ftp", "make", "gmake", "cmake", "ninja", "m4", "dc", "bc", "openssl",
  "git-shell", "xdg-open", "sensible-editor", "editor", "pager",
].map((name) => [name, RUNS_SCRIPT]));

const GIT_GLOBAL_DENIED: Record<string, string> = {
  "-c": "sets configuration such as core.sshCommand, core.fsmonitor, core.pager, alias.*=!cmd, filter.*, diff.external or include.path, which run programs",
  "--config-env": "sets configuration from the environment (core.sshCommand, core.fsmonitor, core.pager, alias.*=!cmd …), which runs programs",
  "--exec-path": "chooses the folder git runs its helper programs from",
  "--git-dir": "points git at a repository whose configuration and hooks it will obey",
  "--work-tree": "points git at another work tree",
  "-p": "runs the configured pager",
  "--paginate": "runs the configured pager",
};
/** Subcommands that run commands, or write the configuration later runs obey. */
const GIT_SUBCOMMANDS_DENIED: Record<string, string> = {
  config: "writes configuration (core.sshCommand, core.fsmonitor, aliases …) that later git runs obey",
  "filter-branch": "runs its filters as shell commands",
  submodule: "runs `foreach` commands and configured update commands",
  instaweb: "starts a web server and a browser",
  daemon: "serves repositories and runs hooks",
  mergetool: "runs a configured merge tool",
  difftool: "runs a chosen diff tool (-x/--extcmd)",
  "send-email": "runs --to-cmd/--cc-cmd and sendmail programs",
  "upload-pack": "is a transport helper",
  "receive-pack": "is a transport helper and runs hooks",
  "upload-archive": "is a transport helper",
  "remote-ext": "runs its argument as a command",
  "remote-fd": "is a transport helper",
  "web--browse": "starts a browser",
  bisect: "runs `bisect run` commands",
  hook: "runs hooks",
  shell: "runs commands",
  help: "runs man, info or a web browser",
  credential: "runs the configured credential helpers",
  "fsmonitor--daemon": "runs the file-system monitor",
};
/** Long options of any subcommand that name a program git runs, or write a file whose content the guest chooses. */
const GIT_OPTIONS_DENIED: Record<string, string> = {
  "upload-pack": "names the program git runs on the other side",
  "receive-pack": "names the program git runs on the other side",
  exec: "names a program git runs (push/archive/ls-remote) or a shell command (rebase)",
  template: "installs hooks from a folder of the guest's choosing",
  config: "sets configuration in the new repository (core.fsmonitor, hooks …) that git then obeys",
  extcmd: "names a diff tool to run",
  "open-files-in-pager": "opens matches with a chosen program",
  output: "writes a file whose content the guest chooses (--format), such as .git/config or a hook",
  "output-directory": "writes files into a folder of the guest's choosing",
  remote: "runs git-upload-archive through a remote, which may be an ext:: command",
};
/** Short letters per subcommand that are one of the options above. */
const GIT_LETTERS_DENIED: Record<string, string> = {
  clone: "uc", "ls-remote": "u", fetch: "u", pull: "u", archive: "o", init: "c", rebase: "x", grep: "O", "format-patch": "o",
};
/** The subcommand options the rules know: the denied ones; git's parse-options accepts abbreviations of them. */
const GIT_SUBCOMMAND: OptionSpec = optionSpec("", Object.fromEntries(Object.keys(GIT_OPTIONS_DENIED).map((name) => [name, "required"])), true);

function checkGit(args: readonly string[]): ArgumentDenial | undefined {
  for (const arg of args) {
    if (/(^|[^a-z])ext::/i.test(arg)) return deny("git: ext::", "the ext:: transport runs an arbitrary command");
  }
  // git's own options end at the subcommand, the first operand (git.c reads them exactly, one by one).
  const globals = parseOptions(args, GIT_GLOBAL, { endAtDoubleDash: false, stopAtFirstOperand: true });
  for (const item of globals) {
    if (item.kind !== "option") break;
    if (Object.hasOwn(GIT_GLOBAL_DENIED, item.name)) return deny(`git: ${item.name}`, GIT_GLOBAL_DENIED[item.name] as string);
  }
  const first = globals.find((item) => item.kind === "operand");
  if (first === undefined || first.kind !== "operand") return undefined;
  const subcommand = first.value;
  if (Object.hasOwn(GIT_SUBCOMMANDS_DENIED, subcommand)) return deny(`git: ${subcommand}`, GIT_SUBCOMMANDS_DENIED[subcommand] as string);
  const found = findOption(optionsOf(args.slice(first.index + 1), GIT_SUBCOMMAND), Object.keys(GIT_OPTIONS_DENIED), GIT_LETTERS_DENIED[subcommand] ?? "");
  if (found === undefined) return undefined;
  const reason = found.as.startsWith("--") ? GIT_OPTIONS_DENIED[found.as.slice(2)] : `${found.as} is one of the options that run a program or write configuration`;
  return deny(`git ${subcommand}: ${found.as}`, reason as string);
}

/** find's expression words are exact (no abbreviation); any argument equal to one of these is refused. */
const FIND_DENIED: Record<string, string> = {
  "-exec": "runs a command for each file",
  "-execdir": "runs a command for each file",
  "-ok": "runs a command for each file",
  "-okdir": "runs a command for each file",
  "-fprint": "writes a file of the guest's choosing (a later program may obey it, like .git/config)",
  "-fprint0": "writes a file of the guest's choosing",
  "-fprintf": "writes a file whose content the guest chooses (.git/config, a script …)",
  "-fls": "writes a file of the guest's choosing",
};

function checkFind(args: readonly string[]): ArgumentDenial | undefined {
  const action = args.find((arg) => Object.hasOwn(FIND_DENIED, arg));
  return action ? deny(`find: ${action}`, `${action} ${FIND_DENIED[action] as string}`) : undefined;
}

/**
 * A check over a getopt_long program: the options (long, abbreviations
 * included, and short letters anywhere in a cluster) that make it run a
 * program. Only the named options are in its table, so every other letter
 * reads as taking no value and the rest of a cluster is still judged.
 */
function optionCheck(program: string, longs: Record<string, string>, shorts: Record<string, string> = {}): Check {
  const spec = optionSpec("", Object.fromEntries(Object.keys(longs).map((name) => [name, "required"])), true);
  return (args) => {
    const found = findOption(optionsOf(args, spec), Object.keys(longs), Object.keys(shorts).join(""));
    if (found === undefined) return undefined;
    const reason = found.as.startsWith("--") ? longs[found.as.slice(2)] : shorts[found.as.slice(1)];
    return deny(`${program}: ${found.as}`, reason as string);
  };
}

const TAR_DENIED: Record<string, string> = {
  "to-command": "runs a command for each extracted file",
  "use-compress-program": "runs a chosen compression program",
  "checkpoint-action": "runs a command at checkpoints (exec=)",
  "info-script": "runs a script at the end of each volume",
  "new-volume-script": "runs a script at the end of each volume",
  "rsh-command": "names the remote shell program",
  "rmt-command": "names the remote tape program",
  "files-from": "reads names from a file, where a line starting with - is read as an option (--to-command …)",
};
const TAR_LETTERS: Record<string, string> = { I: "use-compress-program", F: "info-script", T: "files-from" };

/** GNU tar's old style: a first argument without "-" is a cluster whose value-taking letters take the next arguments in turn. */
function tarNewStyle(args: readonly string[]): string[] {
  const first = args[0];
  if (first === undefined || first.startsWith("-")) return [...args];
  const out: string[] = [];
  let next = 1;
  for (const letter of first) {
    out.push(`-${letter}`);
    if (TAR.short.get(letter) === "required" && next < args.length) out.push(args[next++] as string);
  }
  return [...out, ...args.slice(next)];
}

function checkTar(args: readonly string[]): ArgumentDenial | undefined {
  const options = optionsOf(tarNewStyle(args), TAR);
  const found = findOption(options, Object.keys(TAR_DENIED), Object.keys(TAR_LETTERS).join(""));
  if (found !== undefined) {
    const long = found.as.startsWith("--") ? found.as.slice(2) : (TAR_LETTERS[found.as.slice(1)] as string);
    return deny(`tar: ${found.as}`, TAR_DENIED[long] as string);
  }
  const forceLocal = options.some((option) => mayBeLong(option, "force-local"));
  const remote = options.find((option) => (option.name === "-f" || option.name === "--file") && option.value?.includes(":"));
  if (remote !== undefined && !forceLocal) {
    return deny("tar: -f host:file", "an archive name with a colon is a remote archive, which tar reaches by running rsh/ssh with the part before it as the host (say --force-local)");
  }
  return undefined;
}

/**
 * ssh_config keywords an `-o` may set: those that run, load or write nothing
 * (ProxyCommand, LocalCommand, KnownHostsCommand, PKCS11Provider,
 * SecurityKeyProvider, XAuthLocation, Include, ControlPath … are not here).
 */
const SSH_INERT_KEYWORDS = new Set([
  "addressfamily", "batchmode", "bindaddress", "checkhostip", "ciphers", "compression", "connectionattempts", "connecttimeout",
  "fingerprinthash", "forwardagent", "forwardx11", "gssapiauthentication", "hashknownhosts", "hostkeyalgorithms", "hostname",
  "identitiesonly", "identityfile", "ipqos", "kbdinteractiveauthentication", "kexalgorithms", "loglevel", "macs",
  "numberofpasswordprompts", "passwordauthentication", "port", "preferredauthentications", "pubkeyacceptedalgorithms",
  "pubkeyauthentication", "requesttty", "serveralivecountmax", "serveraliveinterval", "stricthostkeychecking",
  "tcpkeepalive", "updatehostkeys", "user", "verifyhostkeydns", "visualhostkey", "exitonforwardfailure", "escapechar",
]);

/** The keyword of an ssh_config line as readconf.c reads it: leading whitespace skipped, quotes removed, up to whitespace or "=". */
export function sshKeyword(line: string): string {
  const rest = line.replace(/^[ \t\r\n]+/, "");
  if (rest.startsWith("\"")) {
    const close = rest.indexOf("\"", 1);
    return (close < 0 ? rest.slice(1) : rest.slice(1, close)).toLowerCase();
  }
  return (/^[^ \t\r\n=]*/.exec(rest)?.[0] ?? "").toLowerCase();
}

const SSH_LETTERS_DENIED: Record<string, Record<string, string>> = {
  ssh: { F: "reads a configuration file that may run commands (ProxyCommand, Match exec)", I: "loads a PKCS#11 library", E: "appends to a file of the guest's choosing" },
  scp: { F: "reads a configuration file that may run commands", S: "names the program scp runs for the connection", D: "names a local sftp-server program to run" },
  sftp: { F: "reads a configuration file that may run commands", S: "names the program sftp runs for the connection", D: "names a local sftp-server program to run" },
};

/** ssh reads options up to the destination, then again right after it up to the first operand; the rest is the remote command. */
function sshOptions(args: readonly string[]): ParsedOption[] {
  const mode: ParseMode = { endAtDoubleDash: true, stopAtFirstOperand: true };
  const head = parseOptions(args, SSH, mode);
  const destination = head.find((item) => item.kind === "operand");
  const options = head.filter((item): item is ParsedOption => item.kind === "option");
  if (destination === undefined || destination.kind !== "operand" || head.some((item) => item.kind === "end")) return options;
  // After the first operand (or `--`) of this second pass everything is an operand: the remote command.
  const tail = parseOptions(args.slice(destination.index + 1), SSH, mode);
  return [...options, ...tail.filter((item): item is ParsedOption => item.kind === "option")];
}

function checkSsh(program: "ssh" | "scp" | "sftp"): Check {
  const letters = SSH_LETTERS_DENIED[program] as Record<string, string>;
  return (args) => {
    const options = program === "ssh" ? sshOptions(args) : optionsOf(args, program === "scp" ? SCP : SFTP);
    for (const option of options) {
      const letter = option.name.slice(1);
      if (option.name.length === 2 && Object.hasOwn(letters, letter)) return deny(`${program}: ${option.name}`, letters[letter] as string);
      if (option.name === "-o") {
        const keyword = sshKeyword(option.value ?? "");
        if (!SSH_INERT_KEYWORDS.has(keyword)) {
          return deny(`${program}: -o ${keyword}`, `-o ${keyword} is not one of the ssh options known to run, load and write nothing (ProxyCommand, LocalCommand … run commands)`);
        }
      }
    }
    return undefined;
  };
}

const CHECKS: Record<string, Check> = {
  git: checkGit,
  find: checkFind,
  fd: optionCheck("fd", { exec: "runs a command for each result", "exec-batch": "runs a command for the results" }, { x: "-x (--exec) runs a command for each result", X: "-X (--exec-batch) runs a command for the results" }),
  rg: optionCheck("rg", { pre: "runs a preprocessor command on every file" }),
  tar: checkTar,
  ssh: checkSsh("ssh"),
  scp: checkSsh("scp"),
  sftp: checkSsh("sftp"),
  sort: optionCheck("sort", { "compress-program": "runs a chosen program" }),
  split: optionCheck("split", { filter: "runs a shell command for each piece" }),
  rsync: optionCheck("rsync", { rsh: "names the remote shell program", "rsync-path": "names the remote program" }, { e: "-e names the remote shell program" }),
  zip: optionCheck("zip", { "unzip-command": "runs a chosen program", test: "-T/-TT runs an unzip command" }, { T: "-T/-TT runs an unzip command" }),
  wget: optionCheck("wget", { "use-askpass": "runs a chosen program", execute: "runs a .wgetrc command (use_askpass=…)", config: "reads a .wgetrc that may name programs" }, { e: "-e runs a .wgetrc command (use_askpass=…)" }),
  man: optionCheck("man", { pager: "runs a chosen program", html: "runs a browser", "config-file": "reads a configuration naming programs" }, { P: "-P names the pager program", H: "-H runs a browser", C: "-C reads a configuration naming programs" }),
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

/**
 * Why `program` (basename of its real path) can run other programs, if it
 * can: a runner, a shell or interpreter, or a program with ready-made rules.
 * Such a program runs with free arguments only when the host names it in
 * `allow`; `allow: ["*"]` does not cover it.
 */
export function runsOtherPrograms(program: string): string | undefined {
  if (Object.hasOwn(RUNNERS, program)) return RUNNERS[program];
  if (Object.hasOwn(INTERPRETERS, program)) return INTERPRETERS[program];
  if (Object.hasOwn(CHECKS, program)) return "can run other programs through its arguments";
  if (/^(python|perl|ruby|php|lua|node)[0-9.]+$/.test(program)) return RUNS_SCRIPT;
  return undefined;
}
