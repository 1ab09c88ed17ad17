#!/usr/bin/env node
/** The `host-process` command: `build` a guest, `run` a component under a policy. */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { buildGuest } from "./build.js";
import { runWithModes } from "./run-modes.js";
import type { ProcessPolicy } from "./policy.js";

const USAGE = `host-process — run WebAssembly components that may start only the programs you allow

Usage:
  host-process build <main.ts> -o <main.wasm>
  host-process run <main.wasm> [--allow-run=a,b] [--deny-run=c] [--allow-env[=A,B]] [--policy FILE]
                   [--learn-policy FILE] [--dry-run] [-- guest args]

Examples:
  host-process build main.ts -o main.wasm
  host-process run main.wasm --allow-run=ls
`;

class UsageError extends Error {}

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
  try {
    return JSON.parse(text) as ProcessPolicy;
  } catch (cause) {
    throw new UsageError(`The policy file ${JSON.stringify(file)} is not valid JSON: ${(cause as Error).message}`);
  }
}

async function build(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { output: { type: "string", short: "o" }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
  });
  if (values.help) return void process.stdout.write(USAGE), 0;
  const [entry, ...extra] = positionals;
  if (entry === undefined || extra.length > 0 || values.output === undefined) {
    throw new UsageError("Expected `host-process build <main.ts> -o <main.wasm>`");
  }
  const result = await buildGuest(entry, { output: values.output });
  process.stderr.write(`built ${result.output} (${(result.bytes / 1048576).toFixed(1)} MiB)\n`);
  return 0;
}

async function run(argv: string[]): Promise<number> {
  const separator = argv.indexOf("--");
  // `--allow-env` alone grants every name; parseArgs only accepts it spelled `--allow-env=`.
  const own = (separator < 0 ? argv : argv.slice(0, separator)).map((arg) => (arg === "--allow-env" ? "--allow-env=" : arg));
  const guestArgs = separator < 0 ? [] : argv.slice(separator + 1);
  const { values, positionals } = parseArgs({
    args: own,
    options: {
      "allow-run": { type: "string", multiple: true },
      "deny-run": { type: "string", multiple: true },
      "allow-env": { type: "string", multiple: true },
      policy: { type: "string" },
      "learn-policy": { type: "string" },
      "dry-run": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
  });
  if (values.help) return void process.stdout.write(USAGE), 0;
  const [component, ...extra] = positionals;
  if (component === undefined || extra.length > 0) {
    throw new UsageError("Expected `host-process run <main.wasm> [flags] [-- guest args]`");
  }
  const policy: ProcessPolicy = values.policy === undefined ? {} : await readPolicyFile(values.policy);
  const allow = list(values["allow-run"]);
  const deny = list(values["deny-run"]);
  if (allow.length > 0) policy.allow = [...(policy.allow ?? []), ...allow];
  if (deny.length > 0) policy.deny = [...(policy.deny ?? []), ...deny];
  if (values["allow-env"] !== undefined) {
    const names = list(values["allow-env"]);
    policy.allowEnv = names.length === 0 ? true : names;
  }
  return runWithModes(
    component,
    { policy, args: [basename(component), ...guestArgs] },
    { learnPolicyFile: values["learn-policy"], dryRun: values["dry-run"] },
  );
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "build":
      return build(rest);
    case "run":
      return run(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`Unknown command ${JSON.stringify(command)}; expected \`build\` or \`run\``);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    process.stderr.write(`host-process: ${error instanceof Error ? error.message : String(error)}\n`);
    if (usage) process.stderr.write(`Run \`host-process --help\` for usage.\n`);
    process.exitCode = usage ? 2 : 1;
  },
);
