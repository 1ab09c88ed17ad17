/**
 * Argument rules: which argument lists an allowed command may be given.
 *
 * Arguments are compared as the program's own parser reads them, never as
 * strings. Both the rule's pattern and the guest's arguments are parsed with
 * one option table (option-tables.ts): the program's built-in table if it has
 * one, plus what the pattern itself shows (an option written alone and
 * followed by a value or a variable takes that value). Then each option is
 * one unit with its value, so `-n 5` = `-n5` and, for a value-taking long
 * option, `--depth 1` = `--depth=1`; a cluster of value-less letters is its
 * letters (`-rf` = `-r -f`); and the units of one run of options may come in
 * any order — a value never moves to another option (`log -n --oneline 5`
 * gives `-n` the value `--oneline`, so it is not `log --oneline -n 5`). A
 * variable is checked by a validator that must match the whole argument and,
 * unless it says otherwise, never matches an argument starting with "-".
 */
import { describe } from "./bounds.js";
import { GNU_MODE, parseOptions, TABLES, type Arity, type OptionSpec, type ParsedItem } from "./option-tables.js";

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

/** One option with its value, or one operand, or the `--` that ended the options. */
type Unit = readonly string[];

const NO_TABLE: OptionSpec = { short: new Map(), long: new Map(), abbreviates: false };

function unitOf(item: ParsedItem, spec: OptionSpec): Unit {
  if (item.kind === "operand") return [item.value];
  if (item.kind === "end") return ["--"];
  if (item.value === undefined) return [item.name];
  // A value glued to an option the table does not know stays glued: `--x=v` is not `--x v` unless --x takes a value.
  const known = item.name.startsWith("--") ? spec.long.has(item.name.slice(2)) : spec.short.has(item.name.slice(1));
  return known ? [item.name, item.value] : [`${item.name}=${item.value}`];
}

/** Parses `args` with `spec` and sorts each run of options (stable, by name), values bound to their options. */
function canonicalUnits(args: readonly string[], spec: OptionSpec): Unit[] {
  const out: Unit[] = [];
  let run: Unit[] = [];
  const flush = () => {
    out.push(...run.sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : (a[0] as string) > (b[0] as string) ? 1 : 0)));
    run = [];
  };
  for (const item of parseOptions(args, spec, GNU_MODE)) {
    if (item.kind === "option") {
      run.push(unitOf(item, spec));
    } else {
      flush();
      out.push(unitOf(item, spec));
    }
  }
  flush();
  return out;
}

/**
 * The canonical reading of `args` for `program` (flattened), as argument rules
 * compare it; with no program, only what any getopt program shares: clusters of
 * value-less letters split, `--` ends the options, runs of options sorted.
 */
export function canonicalArguments(args: readonly string[], program?: string): string[] {
  const spec = (program !== undefined && Object.hasOwn(TABLES, program) ? TABLES[program] : undefined) ?? NO_TABLE;
  return canonicalUnits(args, spec).flat();
}

type Variable = { variable: RegExp; allowDash: boolean };

function compileValidator(value: ArgumentValidator, where: string): Variable {
  if (typeof value !== "object" || value === null || typeof value.validator !== "string") {
    throw new TypeError(`Expected ${where} to be a string or { validator: string }, got ${describe(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (key !== "validator" && key !== "allowDash") throw new TypeError(`Unknown policy option \`${where}.${key}\`; known keys of a variable: validator, allowDash`);
  }
  if (value.allowDash !== undefined && typeof value.allowDash !== "boolean") {
    throw new TypeError(`Expected ${where}.allowDash to be a boolean, got ${JSON.stringify(value.allowDash)}`);
  }
  try {
    return { variable: new RegExp(`^(?:${value.validator})$`, "u"), allowDash: value.allowDash === true };
  } catch (cause) {
    throw new TypeError(`Expected ${where}.validator to be a regular expression, got ${JSON.stringify(value.validator)}`, { cause });
  }
}

/** A stand-in for a variable while the pattern is parsed: never a real argument (NUL is refused) and never an option. */
const placeholder = (i: number) => `\0${i}`;

/** The table for one pattern: the program's own, plus each option the pattern writes alone followed by a value. */
function patternSpec(pattern: ArgumentPattern, base: OptionSpec): OptionSpec {
  const short = new Map(base.short);
  const long = new Map<string, Arity>(base.long);
  pattern.forEach((part, i) => {
    const next = pattern[i + 1];
    if (typeof part !== "string" || next === undefined || (typeof next === "string" && next.startsWith("-"))) return;
    if (/^--[^=]+$/.test(part) && !long.has(part.slice(2))) long.set(part.slice(2), "required");
    else if (/^-[^-]$/.test(part) && !short.has(part.slice(1))) short.set(part.slice(1), "required");
  });
  return { short, long, abbreviates: false };
}

/** A compiled pattern: the pattern parsed with its table, its variables kept as slots. */
export class CompiledPattern {
  readonly #units: Unit[];
  readonly #variables: Variable[];
  readonly #spec: OptionSpec;
  readonly description: string;

  constructor(pattern: ArgumentPattern, where: string, program?: string) {
    if (!Array.isArray(pattern)) throw new TypeError(`Expected ${where} to be an array of arguments, got ${describe(pattern)}`);
    const variables: Variable[] = [];
    const args = pattern.map((part, i) => {
      if (typeof part === "string") {
        if (part.includes("\0")) throw new TypeError(`Expected ${where}[${i}] to contain no NUL byte`);
        return part;
      }
      variables.push(compileValidator(part, `${where}[${i}]`));
      return placeholder(variables.length - 1);
    });
    const base = (program !== undefined && Object.hasOwn(TABLES, program) ? TABLES[program] : undefined) ?? NO_TABLE;
    this.#spec = patternSpec(pattern, base);
    this.#units = canonicalUnits(args, this.#spec);
    this.#variables = variables;
    this.description = pattern.map((part) => (typeof part === "string" ? part : `<${part.validator}>`)).join(" ");
  }

  /** Whether the guest's `args` read, with this pattern's table, as this pattern. */
  matches(args: readonly string[]): boolean {
    const actual = canonicalUnits(args, this.#spec);
    if (actual.length !== this.#units.length) return false;
    return this.#units.every((unit, i) => {
      const other = actual[i] as Unit;
      return unit.length === other.length && unit.every((token, k) => this.#tokenMatches(token, other[k] as string));
    });
  }

  #tokenMatches(token: string, actual: string): boolean {
    if (!token.startsWith("\0")) return token === actual;
    const slot = this.#variables[Number(token.slice(1))] as Variable;
    if (!slot.allowDash && actual.startsWith("-")) return false;
    return slot.variable.test(actual);
  }
}

export function compileArgumentRule(rule: unknown, where: string, program?: string): CompiledPattern[] | "any" {
  if (rule === "any") return "any";
  if (!Array.isArray(rule)) {
    throw new TypeError(`Expected ${where} to be "any" or an array of argument patterns, got ${describe(rule)}`);
  }
  return rule.map((pattern, i) => new CompiledPattern(pattern as ArgumentPattern, `${where}[${i}]`, program));
}
