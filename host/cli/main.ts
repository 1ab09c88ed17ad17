/**
 * The `host-process` command line: `build`, `check`, `run`, `wit`, and help for each.
 * `main` returns the exit status instead of exiting, so it can be called from
 * code (`import { main } from "host-process/cli"`).
 * @module host-process/cli
 */
import { open } from "node:fs/promises";
import { basename, dirname, extname, join, relative } from "node:path";
import { parseArgs } from "node:util";
import { buildGuest } from "../build.js";
import { normalizePolicy } from "../policy.js";
import { runWithModes } from "../run-modes.js";
import { checkGuest } from "../typecheck.js";
import { showProgress } from "./progress.js";
import { parseRunArguments } from "./run-flags.js";
import { UsageError } from "./usage-error.js";
import { BUILD_USAGE, CHECK_USAGE, MAIN_USAGE, RUN_USAGE, WIT_USAGE } from "./usage.js";
import { witCommand } from "./wit-command.js";

const USAGES: Record<string, string> = { build: BUILD_USAGE, check: CHECK_USAGE, run: RUN_USAGE, wit: WIT_USAGE };

/** parseArgs' own errors ("Unknown option '--x'") are usage mistakes of `command`. */
function asUsage<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message, command);
  }
}

const HELP = { help: { type: "boolean", short: "h" } } as const;

/** Type-checks `entry`, printing each error on stderr; returns whether it had none. */
async function typeCheck(entry: string): Promise<boolean> {
  const { typescript, errors } = await checkGuest(entry);
  for (const error of errors) process.stderr.write(`${error}\n`);
  process.stderr.write(
    errors.length === 0
      ? `checked ${entry} with TypeScript ${typescript}: no type errors\n`
      : `host-process: ${entry}: ${errors.length} type error${errors.length === 1 ? "" : "s"} (TypeScript ${typescript})\n`,
  );
  return errors.length === 0;
}

async function check(argv: string[]): Promise<number> {
  const { values, positionals } = asUsage("check", () => parseArgs({ args: argv, options: HELP, allowPositionals: true }));
  if (values.help) return void process.stdout.write(CHECK_USAGE), 0;
  const [entry, ...extra] = positionals;
  if (entry === undefined) throw new UsageError("Name the guest to check: `host-process check main.ts`", "check");
  if (extra.length > 0) throw new UsageError(`Unexpected argument ${JSON.stringify(extra[0])}; check takes one entry file`, "check");
  return (await typeCheck(entry)) ? 0 : 1;
}

async function build(argv: string[]): Promise<number> {
  const { values, positionals } = asUsage("build", () =>
    parseArgs({ args: argv, options: { ...HELP, output: { type: "string", short: "o" }, check: { type: "boolean" } }, allowPositionals: true }));
  if (values.help) return void process.stdout.write(BUILD_USAGE), 0;
  const [entry, ...extra] = positionals;
  if (entry === undefined) throw new UsageError("Name the guest to build: `host-process build main.ts -o main.wasm`", "build");
  if (extra.length > 0) throw new UsageError(`Unexpected argument ${JSON.stringify(extra[0])}; build takes one entry file`, "build");
  if (values.check && !(await typeCheck(entry))) {
    process.stderr.write("host-process: nothing was built; fix the errors above, or build without --check\n");
    return 1;
  }
  const output = values.output ?? join(dirname(entry), `${basename(entry, extname(entry))}.wasm`);
  const started = Date.now();
  const done = showProgress(`building ${entry} (esbuild, then componentize-js: 10–15 s)`);
  let result;
  try {
    result = await buildGuest(entry, { output });
  } finally {
    await done();
  }
  const fromHere = relative(process.cwd(), result.output);
  const shown = fromHere === "" || fromHere.startsWith("..") ? result.output : fromHere;
  process.stderr.write(`built ${shown} (${(result.bytes / 1048576).toFixed(1)} MiB) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return 0;
}

/** A component starts with `\0asm` and the component-model layer (byte 6 = 1); a core module has layer 0. */
async function checkComponentFile(file: string): Promise<void> {
  let header: Buffer;
  try {
    const handle = await open(file, "r");
    try {
      header = Buffer.alloc(8);
      await handle.read(header, 0, 8, 0);
    } finally {
      await handle.close();
    }
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === "ENOENT";
    throw new UsageError(
      missing
        ? `${JSON.stringify(file)} does not exist; build a guest first: \`host-process build main.ts -o ${file}\``
        : `Cannot read ${JSON.stringify(file)}: ${(cause as Error).message}`,
      "run",
    );
  }
  const buildHint = `\`host-process build ${/\.[cm]?[jt]s$/.test(file) ? file : "main.ts"} -o main.wasm\` makes one`;
  if (header.subarray(0, 4).toString("latin1") !== "\0asm") {
    throw new UsageError(`${JSON.stringify(file)} is not a WebAssembly component; ${buildHint}`, "run");
  }
  if (header[6] !== 1) {
    throw new UsageError(`${JSON.stringify(file)} is a core WebAssembly module, not a component; ${buildHint}`, "run");
  }
}

async function run(argv: string[]): Promise<number> {
  const request = await parseRunArguments(argv).catch((error: unknown) => {
    throw error instanceof UsageError && error.command === undefined ? new UsageError(error.message, "run") : error;
  });
  if (request.help) return void process.stdout.write(RUN_USAGE), 0;
  await checkComponentFile(request.component);
  try {
    normalizePolicy(request.policy);
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(`Invalid policy from ${request.policySource}: ${error.message}`, "run");
    throw error;
  }
  return runWithModes(
    request.component,
    { policy: request.policy, args: [basename(request.component), ...request.guestArgs] },
    { learnPolicyFile: request.learnPolicyFile, dryRun: request.dryRun },
  );
}

async function wit(argv: string[]): Promise<number> {
  const { values, positionals } = asUsage("wit", () =>
    parseArgs({ args: argv, options: { ...HELP, out: { type: "string" } }, allowPositionals: true }));
  if (values.help) return void process.stdout.write(WIT_USAGE), 0;
  if (positionals.length > 0) throw new UsageError(`Unexpected argument ${JSON.stringify(positionals[0])}; write to a folder with --out DIR`, "wit");
  return witCommand(values.out);
}

async function dispatch(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "build":
      return build(rest);
    case "check":
      return check(rest);
    case "run":
      return run(rest);
    case "wit":
      return wit(rest);
    case "help":
      process.stdout.write(USAGES[rest[0] ?? ""] ?? MAIN_USAGE);
      return 0;
    case "--help":
    case "-h":
      process.stdout.write(MAIN_USAGE);
      return 0;
    case undefined:
      process.stderr.write(MAIN_USAGE);
      return 2;
    default:
      throw new UsageError(`Unknown command ${JSON.stringify(command)}; the commands are build, check, run and wit`);
  }
}

/**
 * Runs the CLI with `argv` (the arguments after `host-process`) and returns
 * the exit status: the guest's own for `run`, 2 for a usage mistake, 1 for
 * any other failure (reported on stderr).
 */
export async function main(argv: string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (error) {
    process.stderr.write(`host-process: ${error instanceof Error ? error.message : String(error)}\n`);
    if (error instanceof UsageError) {
      process.stderr.write(`Run \`host-process ${error.command ? `${error.command} ` : ""}--help\` for usage.\n`);
      return 2;
    }
    return 1;
  }
}
