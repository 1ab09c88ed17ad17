/**
 * `host-process run` flags, in Deno's style, turned into a `ProcessPolicy`:
 * `--allow-run=a,b` (alone: any), `--deny-run[=c]` (alone: every program),
 * `--allow-env[=A,B]`, `--inherit-env=A,B`, `--allow-cwd=DIR`, `--policy FILE`,
 * and confinement: `--confine`, `--allow-write=DIR[,DIR]`, `--allow-net`.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { ConfineOptions, ProcessPolicy } from "../policy.js";
import { UsageError } from "./usage-error.js";

/** What `run`'s command line asks for. */
export interface RunRequest {
  component: string;
  policy: ProcessPolicy;
  /** Where the policy came from, for messages: the file, the flags, or both. */
  policySource: string;
  guestArgs: string[];
  learnPolicyFile: string | undefined;
  dryRun: boolean;
  help: boolean;
}

/** Flags that may stand alone, meaning "all"; parseArgs only takes them with a value. */
const VALUE_OPTIONAL = ["--allow-run", "--deny-run", "--allow-env", "--allow-write"];

const OPTIONS = {
  "allow-run": { type: "string", multiple: true },
  "deny-run": { type: "string", multiple: true },
  "allow-env": { type: "string", multiple: true },
  "inherit-env": { type: "string", multiple: true },
  "allow-cwd": { type: "string", multiple: true },
  confine: { type: "boolean" },
  "allow-write": { type: "string", multiple: true },
  "allow-net": { type: "boolean" },
  policy: { type: "string" },
  "learn-policy": { type: "string" },
  "dry-run": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** The flag the user probably meant, for "unknown option" messages. */
export function closestFlag(wrong: string): string | undefined {
  const name = wrong.replace(/^-+/, "").split("=")[0] ?? "";
  let best: { flag: string; distance: number } | undefined;
  for (const flag of Object.keys(OPTIONS)) {
    const distance = editDistance(name, flag);
    if (distance <= 3 && (best === undefined || distance < best.distance)) best = { flag, distance };
  }
  return best && `--${best.flag}`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Comma-separated values of a repeatable flag; `[]` when it stood alone. */
function list(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((value) => value.split(",")).map((v) => v.trim()).filter((v) => v !== "");
}

async function readPolicyFile(file: string): Promise<ProcessPolicy> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new UsageError(`Cannot read the policy file ${JSON.stringify(file)}: ${(cause as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new UsageError(`The policy file ${JSON.stringify(file)} is not valid JSON: ${(cause as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`The policy file ${JSON.stringify(file)} must hold a JSON object such as {"allow": ["ls"]}`);
  }
  return parsed as ProcessPolicy;
}

/**
 * `--confine` (the defaults), `--allow-write=DIR[,DIR]` (these directories
 * are the write set; implies --confine) and `--allow-net`, merged into the
 * policy file's `confine`. `undefined`: no confinement flag was given.
 */
function confineFromFlags(
  fromFile: ProcessPolicy["confine"], confine: boolean, write: string[] | undefined, network: boolean,
): ProcessPolicy["confine"] {
  if (!confine && write === undefined && !network) return undefined;
  const confined = confine || write !== undefined || (fromFile !== undefined && fromFile !== false);
  if (!confined) throw new UsageError("--allow-net lets confined children use the network; add --confine (or --allow-write=DIR) to confine them");
  const options: ConfineOptions = typeof fromFile === "object" ? { ...fromFile } : {};
  if (write !== undefined) {
    const dirs = list(write);
    if (dirs.length === 0) throw new UsageError("--allow-write needs the directories children may write: --allow-write=DIR[,DIR]");
    // The policy wants absolute directories; on the command line, relative ones mean "from here".
    options.write = [...(options.write ?? []), ...dirs.map((dir) => resolve(dir))];
  }
  if (network) options.network = true;
  return options;
}

/** Parses `run`'s arguments (everything after `run`). */
export async function parseRunArguments(argv: string[]): Promise<RunRequest> {
  const separator = argv.indexOf("--");
  const own = (separator < 0 ? argv : argv.slice(0, separator)).map((arg) => (VALUE_OPTIONAL.includes(arg) ? `${arg}=` : arg));
  const guestArgs = separator < 0 ? [] : argv.slice(separator + 1);
  let parsed;
  try {
    parsed = parseArgs({ args: own, options: OPTIONS, allowPositionals: true });
  } catch (error) {
    const unknown = /Unknown option '([^']+)'/.exec((error as Error).message)?.[1];
    const suggestion = unknown === undefined ? undefined : closestFlag(unknown);
    if (unknown === undefined) throw new UsageError((error as Error).message);
    throw new UsageError(`Unknown flag ${unknown}${suggestion ? `; did you mean ${suggestion}?` : ""}`);
  }
  const { values, positionals } = parsed;
  const [component, ...extra] = positionals;
  if (values.help) {
    return { component: "", policy: {}, policySource: "", guestArgs, learnPolicyFile: undefined, dryRun: false, help: true };
  }
  if (component === undefined) throw new UsageError("Name the component to run: `host-process run <main.wasm> [flags] [-- guest arguments]`");
  if (extra.length > 0) {
    throw new UsageError(
      `Unexpected argument ${JSON.stringify(extra[0])}: flags take their value after "=" (--allow-run=ls,git), and the guest's own arguments go after \`--\` (host-process run ${component} -- ${extra.join(" ")})`,
    );
  }

  const policy: ProcessPolicy = values.policy === undefined ? {} : await readPolicyFile(values.policy);
  const flagsUsed = ["allow-run", "deny-run", "allow-env", "inherit-env", "allow-cwd", "confine", "allow-write", "allow-net"].some((f) => values[f as keyof typeof values] !== undefined);
  if (values["allow-run"] !== undefined) {
    const names = list(values["allow-run"]);
    policy.allow = [...(policy.allow ?? []), ...(names.length === 0 ? ["*"] : names)];
  }
  if (values["deny-run"] !== undefined) {
    const names = list(values["deny-run"]);
    policy.deny = [...(policy.deny ?? []), ...(names.length === 0 ? ["*"] : names)];
  }
  if (values["allow-env"] !== undefined) {
    const names = list(values["allow-env"]);
    const before = policy.allowEnv;
    policy.allowEnv = names.length === 0 || before === true ? true : [...(Array.isArray(before) ? before : []), ...names];
  }
  if (values["inherit-env"] !== undefined) policy.inheritEnv = [...(policy.inheritEnv ?? []), ...list(values["inherit-env"])];
  if (values["allow-cwd"] !== undefined) {
    // The policy wants absolute directories; on the command line, relative ones mean "from here".
    policy.allowCwd = [...(policy.allowCwd ?? []), ...list(values["allow-cwd"]).map((dir) => resolve(dir))];
  }
  const confine = confineFromFlags(policy.confine, values.confine ?? false, values["allow-write"], values["allow-net"] ?? false);
  if (confine !== undefined) policy.confine = confine;
  const policySource = [values.policy && `the policy file ${JSON.stringify(values.policy)}`, flagsUsed && "the flags"]
    .filter(Boolean).join(" and ") || "the (empty) policy";
  return {
    component, policy, policySource, guestArgs,
    learnPolicyFile: values["learn-policy"], dryRun: values["dry-run"] ?? false, help: false,
  };
}
