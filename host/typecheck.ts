/**
 * Type-checking a guest against this package's guest types
 * (`host-process/guest-types`) with the TypeScript compiler of the guest's
 * project, reporting each error as `file:line:col: error TSnnnn: message`.
 * TypeScript is not a dependency of host-process: the check uses the one the
 * user installed, found the way `import "typescript"` would find it.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { PACKAGE_ROOT } from "./paths.js";

/** The declarations guest authors get as `host-process/guest-types`. */
const GUEST_TYPES = join(PACKAGE_ROOT, "guest-bindings", "host-process.d.ts");

/** The options `host-process build` compiles a guest with (esbuild: ES2022, bundled ES modules); strict as Deno's check is. */
const COMPILER_OPTIONS = {
  target: "ES2022",
  module: "ESNext",
  moduleResolution: "Bundler",
  moduleDetection: "force",
  lib: ["ES2022", "ESNext.Disposable", "DOM"],
  // A guest runs in a component, not in Node: no @types/node from the user's project.
  types: [],
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  // JavaScript guests are checked only where they ask for it (`// @ts-check`), as TypeScript does.
  allowJs: true,
  checkJs: false,
  allowImportingTsExtensions: true,
};

/** What {@link checkGuest} found. */
export interface CheckResult {
  /** The compiler's version, e.g. `"7.0.2"`. */
  typescript: string;
  /** One entry per diagnostic, `file:line:col: error TSnnnn: message` (continuation lines included). */
  errors: string[];
}

/** TypeScript is not installed where the guest is, nor where host-process runs. */
export class TypeScriptNotFound extends Error {
  constructor(searched: string[]) {
    super(
      `Type-checking needs the TypeScript compiler, and none is installed for ${searched.join(" or ")}: ` +
        "install it in the guest's project with `npm install --save-dev typescript`",
    );
    this.name = "TypeScriptNotFound";
  }
}

/** Finds `typescript`'s package.json from each directory in turn, as Node's resolution would. */
async function findTypeScript(from: string[]): Promise<{ tsc: string; version: string }> {
  for (const dir of from) {
    let manifest: string;
    try {
      manifest = createRequire(join(dir, "noop.js")).resolve("typescript/package.json");
    } catch {
      continue;
    }
    const { version, bin } = JSON.parse(await readFile(manifest, "utf8")) as { version: string; bin?: { tsc?: string } };
    if (bin?.tsc) return { tsc: join(dirname(manifest), bin.tsc), version };
  }
  throw new TypeScriptNotFound(from);
}

/** `main.ts(3,7): error TS2339: …` (tsc's `--pretty false`) as `main.ts:3:7: error TS2339: …`. */
export function toColonForm(output: string): string[] {
  const errors: string[] = [];
  for (const line of output.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const located = /^(.+)\((\d+),(\d+)\): (error|warning) (TS\d+: .*)$/.exec(line);
    if (located) errors.push(`${located[1]}:${located[2]}:${located[3]}: ${located[4]} ${located[5]}`);
    else if (/^\s/.test(line) && errors.length > 0) errors[errors.length - 1] += `\n${line}`;
    else errors.push(line);
  }
  return errors;
}

/**
 * Type-checks the guest `entry` (and what it imports) against the package's
 * guest types, with the TypeScript compiler installed for the guest's
 * directory or, failing that, the current one. Nothing is written beside the
 * guest. Throws {@link TypeScriptNotFound} when there is no compiler.
 */
export async function checkGuest(entry: string): Promise<CheckResult> {
  const absolute = resolve(entry);
  const info = await stat(absolute).catch(() => undefined);
  if (!info?.isFile()) throw new Error(`Cannot check ${JSON.stringify(entry)}: no such file`);
  const searched = [...new Set([dirname(absolute), process.cwd()])];
  const { tsc, version } = await findTypeScript(searched);
  const workDir = await mkdtemp(join(tmpdir(), "host-process-check-"));
  try {
    const config = join(workDir, "tsconfig.json");
    await writeFile(config, JSON.stringify({ compilerOptions: COMPILER_OPTIONS, files: [absolute, GUEST_TYPES] }));
    const output = await new Promise<string>((done, fail) => {
      execFile(process.execPath, [tsc, "-p", config, "--pretty", "false"], { maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
        // tsc exits 1 or 2 when it reports errors; anything else (no output at all) is a failure to run it.
        if (error && stdout === "" && stderr === "") fail(new Error(`TypeScript ${version} (${tsc}) failed: ${error.message}`, { cause: error }));
        else done(stdout + stderr);
      });
    });
    return { typescript: version, errors: toColonForm(output) };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
