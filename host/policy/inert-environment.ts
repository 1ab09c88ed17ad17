/**
 * The variables `allowEnv: true` (or "*") grants: a documented set that
 * changes how a program presents its output, never what it executes, loads
 * or writes — locale, time zone, terminal type and size, colour. Each has a
 * value rule, so that a value cannot name a file (a locale or terminfo path)
 * either. Every other variable needs the host to name it.
 */

const LOCALE = /^[A-Za-z0-9_.@-]{0,64}$/u;
const LOCALE_LIST = /^[A-Za-z0-9_.@:-]{0,256}$/u;
const SMALL_WORD = /^[A-Za-z0-9_+.-]{0,32}$/u;
const NUMBER = /^[0-9]{0,6}$/u;
/** POSIX TZ rules or a zoneinfo name (`Europe/Paris`, `UTC`, `EST5EDT,M3.2.0,M11.1.0`): no absolute path, no `..`. */
const TIME_ZONE = /^(?!:?\/)(?!.*\.\.)[A-Za-z0-9_+,./:<>-]{0,64}$/u;

const INERT: Readonly<Record<string, RegExp>> = {
  LANG: LOCALE,
  LANGUAGE: LOCALE_LIST,
  LC_ALL: LOCALE,
  LC_CTYPE: LOCALE,
  LC_NUMERIC: LOCALE,
  LC_TIME: LOCALE,
  LC_COLLATE: LOCALE,
  LC_MONETARY: LOCALE,
  LC_MESSAGES: LOCALE,
  LC_PAPER: LOCALE,
  LC_NAME: LOCALE,
  LC_ADDRESS: LOCALE,
  LC_TELEPHONE: LOCALE,
  LC_MEASUREMENT: LOCALE,
  LC_IDENTIFICATION: LOCALE,
  TZ: TIME_ZONE,
  TERM: SMALL_WORD,
  COLORTERM: SMALL_WORD,
  COLUMNS: NUMBER,
  LINES: NUMBER,
  NO_COLOR: SMALL_WORD,
  FORCE_COLOR: SMALL_WORD,
  CLICOLOR: SMALL_WORD,
  CLICOLOR_FORCE: SMALL_WORD,
};

/** The names `allowEnv: true` grants (for documentation and tests). */
export const INERT_VARIABLES: readonly string[] = Object.keys(INERT);

/** Whether `name` is an inert variable; `undefined` if it is not one, else whether `value` fits its rule. */
export function inertValueAllowed(name: string, value: string): boolean | undefined {
  return Object.hasOwn(INERT, name) ? (INERT[name] as RegExp).test(value) : undefined;
}

/** Variables holding a list of directories, where an empty or relative entry means the working directory. */
const SEARCH_PATHS = new Set([
  "PATH", "LD_LIBRARY_PATH", "LD_PRELOAD", "LD_AUDIT", "GCONV_PATH", "NODE_PATH", "PYTHONPATH", "PERL5LIB", "PERLLIB",
  "RUBYLIB", "CLASSPATH", "MANPATH", "INFOPATH", "CDPATH", "GIT_EXEC_PATH", "TERMINFO_DIRS", "XDG_DATA_DIRS",
  "XDG_CONFIG_DIRS", "LOCPATH", "NLSPATH", "GEM_PATH", "GOPATH", "LUA_PATH", "LUA_CPATH", "PKG_CONFIG_PATH",
]);

/**
 * Why a value of a search-path variable is refused even when the host names
 * the variable: an empty value or entry, or a relative one, means the child's
 * working directory (execvp, the dynamic loader and most interpreters read it so).
 */
export function searchPathProblem(name: string, value: string): string | undefined {
  if (!SEARCH_PATHS.has(name)) return undefined;
  const separator = name === "LD_PRELOAD" ? /[: ]/u : /:/u;
  if (name === "LD_PRELOAD" && value === "") return undefined; // no library to load
  const entries = value.split(separator);
  if (entries.some((entry) => entry === "")) return `${name} has an empty entry, which means the working directory`;
  if (entries.some((entry) => !entry.startsWith("/") && !(name.startsWith("LUA_") && entry.startsWith(";")))) {
    return `${name} has a relative entry, which is resolved against the working directory`;
  }
  return undefined;
}
