/**
 * Argument rules: which argument lists an allowed command may be given.
 *
 * Arguments are compared the way a getopt-style program parses them, not as
 * strings: `--flag=value` is `--flag value`, a cluster `-rf` is `-r -f`, and
 * the order of flags within a run of flags does not matter (`-rf` = `-fr` =
 * `-r -f`). A variable is checked by a validator that must match the whole
 * argument and, unless it says otherwise, never matches an argument starting
 * with "-" (so a value slot cannot smuggle in an option).
 */

/** A variable argument: a regular expression that must match the whole argument. */
export interface ArgumentValidator {
  /** Matched against the whole argument (anchored for you). */
  validator: string;
  /** Whether the argument may start with "-". Default: false. */
  allowDash?: boolean;
}

/** One allowed argument list: fixed strings and validated variables, in order. */
export type ArgumentPattern = (string | ArgumentValidator)[];

/** `"any"`, or the argument lists the command may be given. */
export type ArgumentRule = "any" | ArgumentPattern[];

type Token = { fixed: string } | { variable: RegExp; allowDash: boolean; source: string };

function isFlag(token: string): boolean {
  return token.length > 1 && token.startsWith("-");
}

/** Splits `--flag=value` and short clusters, as getopt would read them; stops at `--`. */
export function canonicalArguments(args: readonly string[]): string[] {
  const out: string[] = [];
  let optionsEnded = false;
  for (const arg of args) {
    if (optionsEnded || !isFlag(arg)) {
      out.push(arg);
    } else if (arg === "--") {
      optionsEnded = true;
      out.push(arg);
    } else if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      if (eq < 0) out.push(arg);
      else out.push(arg.slice(0, eq), arg.slice(eq + 1));
    } else {
      for (const letter of arg.slice(1)) out.push(`-${letter}`);
    }
  }
  return sortFlagRuns(out);
}

/** Sorts each run of consecutive flags (before `--`), so flag order does not matter. */
function sortFlagRuns(tokens: string[]): string[] {
  const out: string[] = [];
  let run: string[] = [];
  let optionsEnded = false;
  const flush = () => {
    out.push(...run.sort());
    run = [];
  };
  for (const token of tokens) {
    if (!optionsEnded && isFlag(token) && token !== "--") {
      run.push(token);
      continue;
    }
    flush();
    if (token === "--") optionsEnded = true;
    out.push(token);
  }
  flush();
  return out;
}

function compileValidator(value: ArgumentValidator, where: string): Token {
  if (typeof value !== "object" || value === null || typeof value.validator !== "string") {
    throw new TypeError(`Expected ${where} to be a string or { validator: string }, got ${JSON.stringify(value)}`);
  }
  let variable: RegExp;
  try {
    variable = new RegExp(`^(?:${value.validator})$`, "u");
  } catch (cause) {
    throw new TypeError(`Expected ${where}.validator to be a regular expression, got ${JSON.stringify(value.validator)}`, { cause });
  }
  return { variable, allowDash: value.allowDash === true, source: value.validator };
}

/**
 * A compiled pattern: the fixed words are canonicalised like actual arguments;
 * a variable stays one token wherever it stands.
 */
export class CompiledPattern {
  readonly #tokens: Token[];
  readonly description: string;

  constructor(pattern: ArgumentPattern, where: string) {
    if (!Array.isArray(pattern)) throw new TypeError(`Expected ${where} to be an array of arguments, got ${JSON.stringify(pattern)}`);
    const tokens: Token[] = [];
    let fixedRun: string[] = [];
    const flushFixed = () => {
      tokens.push(...canonicalArguments(fixedRun).map((fixed) => ({ fixed })));
      fixedRun = [];
    };
    pattern.forEach((part, i) => {
      if (typeof part === "string") {
        if (part.includes("\0")) throw new TypeError(`Expected ${where}[${i}] to contain no NUL byte`);
        fixedRun.push(part);
      } else {
        flushFixed();
        tokens.push(compileValidator(part, `${where}[${i}]`));
      }
    });
    flushFixed();
    this.#tokens = tokens;
    this.description = pattern.map((part) => (typeof part === "string" ? part : `<${part.validator}>`)).join(" ");
  }

  matches(canonical: readonly string[]): boolean {
    if (canonical.length !== this.#tokens.length) return false;
    return this.#tokens.every((token, i) => {
      const actual = canonical[i] as string;
      if ("fixed" in token) return token.fixed === actual;
      if (!token.allowDash && actual.startsWith("-")) return false;
      return token.variable.test(actual);
    });
  }
}

export function compileArgumentRule(rule: unknown, where: string): CompiledPattern[] | "any" {
  if (rule === "any") return "any";
  if (!Array.isArray(rule)) {
    throw new TypeError(`Expected ${where} to be "any" or an array of argument patterns, got ${JSON.stringify(rule)}`);
  }
  return rule.map((pattern, i) => new CompiledPattern(pattern as ArgumentPattern, `${where}[${i}]`));
}
