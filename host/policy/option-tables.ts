/**
 * Option tables: how a fenced program's own parser reads its arguments.
 *
 * A table says which short letters and which long options take a value
 * (required, or optional and then only glued), and whether long options may
 * be abbreviated (GNU getopt_long and git's parse-options accept any
 * unambiguous prefix). {@link parseOptions} reads an argument list the way
 * getopt_long does with that table: a value-taking option consumes the next
 * argument whatever it is (`--` or `-x` included), a short cluster ends at
 * its first value-taking letter (the rest of the cluster is that value), and
 * `--name=value` is split. The ready-made rules and the argument-rule matcher
 * both judge this parsed reading, never the raw strings.
 */

/** Whether an option takes a value: none, always (glued or the next argument), or only glued. */
export type Arity = "none" | "required" | "optional";

/** A program's option table: which options exist and which take a value. */
export interface OptionSpec {
  /** Short letters that take a value; letters not listed take none. */
  readonly short: ReadonlyMap<string, Arity>;
  /** Long option names (without `--`) with their arity. */
  readonly long: ReadonlyMap<string, Arity>;
  /** Whether any unambiguous prefix of a long option names it. */
  readonly abbreviates: boolean;
}

/** One option as the program's own parser reads it. */
export interface ParsedOption {
  /** Always `"option"`. */
  readonly kind: "option";
  /** `-x`, or `--name` with an abbreviation resolved; as written when unknown or ambiguous. */
  readonly name: string;
  /** The option as written (without a glued value). */
  readonly written: string;
  /** Its value, if it took one. */
  readonly value?: string;
  /** False when the table does not know the option (or the prefix is ambiguous). */
  readonly known: boolean;
}
/** One item of a parsed argument list: an option, an operand, or the `--` that ended the options. */
export type ParsedItem = ParsedOption | ParsedOperand | ParsedEnd;

/** A non-option argument, with its index in the arguments. */
export interface ParsedOperand {
  /** Always `"operand"`. */
  readonly kind: "operand";
  /** The argument. */
  readonly value: string;
  /** Its index in the argument list. */
  readonly index: number;
}

/** A `--` that ended the options (not one consumed as a value). */
export interface ParsedEnd {
  /** Always `"end"`. */
  readonly kind: "end";
}

/** How a program's parser treats `--` and the first operand. */
export interface ParseMode {
  /**
   * Whether a `--` ends the options. The ready-made rules read on after it
   * (an option missing from a table could have consumed it as its value).
   */
  readonly endAtDoubleDash: boolean;
  /** Whether the first operand ends the options (POSIX getopt, ssh); GNU getopt permutes. */
  readonly stopAtFirstOperand: boolean;
}

export const GNU_MODE: ParseMode = { endAtDoubleDash: true, stopAtFirstOperand: false };

/** Builds a spec: `shortWithValue` letters are required-value, `longs` maps name → arity. */
export function optionSpec(shortWithValue: string, longs: Record<string, Arity>, abbreviates: boolean, shortOptional = ""): OptionSpec {
  const short = new Map<string, Arity>();
  for (const letter of shortWithValue) short.set(letter, "required");
  for (const letter of shortOptional) short.set(letter, "optional");
  return { short, long: new Map(Object.entries(longs)), abbreviates };
}

/** The long option `name` (without `--`) resolves to, as getopt_long would: exact, or the one option it prefixes. */
export function resolveLong(spec: OptionSpec, name: string): string | undefined {
  if (spec.long.has(name)) return name;
  if (!spec.abbreviates || name === "") return undefined;
  const candidates = [...spec.long.keys()].filter((long) => long.startsWith(name));
  return candidates.length === 1 ? candidates[0] : undefined;
}

/** Reads `args` as the program would with this table; `args` itself is never changed. */
export function parseOptions(args: readonly string[], spec: OptionSpec, mode: ParseMode = GNU_MODE): ParsedItem[] {
  const items: ParsedItem[] = [];
  let optionsEnded = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (optionsEnded || arg === "-" || !arg.startsWith("-")) {
      items.push({ kind: "operand", value: arg, index: i });
      if (mode.stopAtFirstOperand) optionsEnded = true;
      continue;
    }
    if (arg === "--") {
      if (mode.endAtDoubleDash) {
        items.push({ kind: "end" });
        optionsEnded = true;
      }
      continue;
    }
    const next = (): string | undefined => (i + 1 < args.length ? args[++i] : undefined);
    if (arg.startsWith("--")) items.push(longOption(arg, spec, next));
    else items.push(...shortCluster(arg, spec, next));
  }
  return items;
}

function longOption(arg: string, spec: OptionSpec, next: () => string | undefined): ParsedOption {
  const eq = arg.indexOf("=");
  const written = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
  const glued = eq < 0 ? undefined : arg.slice(eq + 1);
  const resolved = resolveLong(spec, written);
  if (resolved === undefined) {
    return { kind: "option", name: `--${written}`, written: `--${written}`, known: false, ...(glued === undefined ? {} : { value: glued }) };
  }
  const arity = spec.long.get(resolved) as Arity;
  const value = glued ?? (arity === "required" ? next() : undefined);
  return { kind: "option", name: `--${resolved}`, written: `--${written}`, known: true, ...(value === undefined ? {} : { value }) };
}

function shortCluster(arg: string, spec: OptionSpec, next: () => string | undefined): ParsedOption[] {
  const options: ParsedOption[] = [];
  for (let k = 1; k < arg.length; k++) {
    const letter = arg[k] as string;
    const arity = spec.short.get(letter);
    const name = `-${letter}`;
    if (arity === "required" || arity === "optional") {
      const rest = arg.slice(k + 1);
      const value = rest !== "" ? rest : arity === "required" ? next() : undefined;
      options.push({ kind: "option", name, written: name, known: true, ...(value === undefined ? {} : { value }) });
      return options;
    }
    options.push({ kind: "option", name, written: name, known: arity !== undefined });
  }
  return options;
}

/**
 * Whether a parsed option is, or may be, the long option `long` (without
 * `--`): resolved to it, or an unknown or ambiguous prefix of it (which the
 * program, knowing more options than the table, might still resolve to it).
 */
export function mayBeLong(option: ParsedOption, long: string): boolean {
  if (option.name === `--${long}`) return true;
  if (option.known || !option.written.startsWith("--")) return false;
  const written = option.written.slice(2);
  return written.length >= 1 && long.startsWith(written);
}

// ---------------------------------------------------------------------------
// The tables. Each is checked against the real program by test/security/option-tables.test.ts.

const TAR_LONG_WITH_VALUE = [
  "add-file", "after-date", "blocking-factor", "checkpoint-action", "directory", "exclude-from", "exclude-ignore-recursive",
  "exclude-ignore", "exclude-tag-all", "exclude-tag-under", "exclude-tag", "exclude", "file", "files-from", "format",
  "group-map", "group", "hole-detection", "index-file", "info-script", "label", "level", "listed-incremental", "mode",
  "mtime", "new-volume-script", "newer-mtime", "newer", "no-quote-chars", "owner-map", "owner", "pax-option",
  "quote-chars", "quoting-style", "record-size", "rmt-command", "rsh-command", "sort", "sparse-version",
  "starting-file", "strip-components", "suffix", "tape-length", "to-command", "transform", "use-compress-program",
  "volno-file", "warning", "xattrs-exclude", "xattrs-include", "xform",
];
const TAR_LONG_OPTIONAL = ["atime-preserve", "backup", "checkpoint", "occurrence", "one-top-level", "totals"];
const TAR_LONG_FLAGS = [
  "absolute-names", "acls", "anchored", "append", "auto-compress", "block-number", "bzip2", "catenate", "check-device",
  "check-links", "clamp-mtime", "compare", "compress", "concatenate", "confirmation", "create", "delay-directory-restore",
  "delete", "dereference", "diff", "exclude-backups", "exclude-caches", "exclude-caches-all", "exclude-caches-under",
  "exclude-vcs", "exclude-vcs-ignores", "extract", "force-local", "full-time", "get", "gunzip", "gzip", "hard-dereference",
  "help", "ignore-case", "ignore-command-error", "ignore-failed-read", "ignore-zeros", "incremental", "interactive",
  "keep-directory-symlink", "keep-newer-files", "keep-old-files", "list", "lzip", "lzma", "lzop", "multi-volume",
  "no-acls", "no-anchored", "no-auto-compress", "no-check-device", "no-delay-directory-restore", "no-ignore-case",
  "no-ignore-command-error", "no-null", "no-overwrite-dir", "no-recursion", "no-same-owner", "no-same-permissions",
  "no-seek", "no-selinux", "no-unquote", "no-verbatim-files-from", "no-wildcards", "no-wildcards-match-slash", "no-xattrs",
  "null", "numeric-owner", "old-archive", "one-file-system", "overwrite", "overwrite-dir", "portability", "posix",
  "preserve-order", "preserve-permissions", "read-full-records", "recursion", "recursive-unlink", "remove-files",
  "restrict", "same-order", "same-owner", "same-permissions", "seek", "selinux", "show-defaults", "show-omitted-dirs",
  "show-snapshot-field-ranges", "show-stored-names", "show-transformed-names", "skip-old-files", "sparse", "test-label",
  "to-stdout", "touch", "uncompress", "ungzip", "unlink-first", "unquote", "update", "usage", "utc", "verbatim-files-from",
  "verbose", "verify", "version", "wildcards", "wildcards-match-slash", "xattrs", "xz", "zstd",
];

function arities(required: readonly string[], optional: readonly string[], flags: readonly string[]): Record<string, Arity> {
  const out: Record<string, Arity> = {};
  for (const name of flags) out[name] = "none";
  for (const name of optional) out[name] = "optional";
  for (const name of required) out[name] = "required";
  return out;
}

/** GNU tar 1.34 (`tar --usage`): argp, so long options abbreviate. */
export const TAR: OptionSpec = optionSpec("bfgCFHIKLNTVX", arities(TAR_LONG_WITH_VALUE, TAR_LONG_OPTIONAL, TAR_LONG_FLAGS), true);

/** OpenSSH 9 `ssh`: POSIX getopt (no long options, stops at the first operand). */
export const SSH: OptionSpec = optionSpec("BbcDEeFIiJLlmOopQRSWw", {}, false);
/** OpenSSH `scp`. */
export const SCP: OptionSpec = optionSpec("cDFiJlMoPSX", {}, false);
/** OpenSSH `sftp`. */
export const SFTP: OptionSpec = optionSpec("BbcDFiJloPRSsX", {}, false);

/** git's own options before the subcommand (git.c, exact names only; `--name=value` or `--name value`). */
export const GIT_GLOBAL: OptionSpec = optionSpec("Cc", arities(
  ["git-dir", "work-tree", "namespace", "config-env", "super-prefix", "attr-source", "list-cmds", "shallow-file"],
  ["exec-path"],
  ["html-path", "man-path", "info-path", "paginate", "no-pager", "no-replace-objects", "bare", "literal-pathspecs",
    "glob-pathspecs", "noglob-pathspecs", "icase-pathspecs", "no-optional-locks", "no-lazy-fetch", "help", "version"],
), false);

/** The built-in tables by program name (basename of the real path), for argument rules. */
export const TABLES: Readonly<Record<string, OptionSpec>> = { tar: TAR, ssh: SSH, scp: SCP, sftp: SFTP, git: GIT_GLOBAL };
