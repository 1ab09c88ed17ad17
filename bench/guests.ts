/**
 * The benchmark's guests, built once and cached by the hash of everything
 * that goes into them (as test/helpers/fixtures.ts does for the test guests):
 *
 * - the TypeScript guest (bench/guest/main.ts), built by the `host-process
 *   build` CLI (esbuild + componentize-js, 10–20 s);
 * - the thin guest (bench/thin.wat), assembled and componentized in this
 *   process with jco's programmatic API: `parse` (WAT → core module),
 *   `componentEmbed` (the `command` world of wit/), `componentNew`.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readFile, readdir, rename, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { componentEmbed, componentNew, parse } from "@bytecodealliance/jco";
import { _clearPreopens, _setPreopens } from "@bytecodealliance/preview2-shim/filesystem";
import { bundleGuest } from "host-process";
import { CACHE, CLI, ROOT } from "./paths.js";

export const TS_GUEST = join(ROOT, "bench", "guest", "main.ts");
export const THIN_GUEST = join(ROOT, "bench", "thin.wat");
const WIT = join(ROOT, "wit");

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

async function witText(): Promise<string> {
  const entries = await readdir(WIT, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
  return (await Promise.all(files.map(async (f) => `${f}\n${await readFile(f, "utf8")}`))).join("\n");
}

async function packageVersion(name: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string };
  return manifest.version;
}

function hash(...parts: string[]): string {
  const digest = createHash("sha256");
  for (const part of parts) digest.update(part).update("\0");
  return digest.digest("hex").slice(0, 16);
}

/** Writes beside the final place, then renames, so that a reader never sees half a file. */
async function writeAtomically(output: string, produce: (partial: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(output), { recursive: true });
  const partial = `${output}.${process.pid}.partial.wasm`;
  await produce(partial);
  await rename(partial, output);
}

export interface BuiltGuest {
  path: string;
  /** Whether it came from the cache. */
  cached: boolean;
  buildMs: number;
}

export async function buildTsGuest(): Promise<BuiltGuest> {
  const started = Date.now();
  const key = hash(await bundleGuest(TS_GUEST), await witText(), await packageVersion("@bytecodealliance/componentize-js"));
  const output = join(CACHE, "guests", `bench-ts-${key}.wasm`);
  if (await exists(output)) return { path: output, cached: true, buildMs: 0 };
  await writeAtomically(output, async (partial) => {
    await promisify(execFile)(process.execPath, [CLI, "build", TS_GUEST, "-o", partial], { cwd: ROOT });
  });
  return { path: output, cached: false, buildMs: Date.now() - started };
}

export async function buildThinGuest(): Promise<BuiltGuest> {
  const started = Date.now();
  const wat = await readFile(THIN_GUEST, "utf8");
  const key = hash(wat, await witText(), await packageVersion("@bytecodealliance/jco"));
  const output = join(CACHE, "guests", `bench-thin-${key}.wasm`);
  if (await exists(output)) return { path: output, cached: true, buildMs: 0 };
  const core = await parse(wat);
  // jco's wasm-tools runs under preview2-shim, which grants no preopens:
  // give this tool (never a guest) the WIT folder, as host/build.ts does.
  _setPreopens({ [WIT]: WIT });
  let embedded: Uint8Array;
  try {
    embedded = await componentEmbed({ binary: core, witPath: WIT, world: "command", stringEncoding: "utf8" });
  } finally {
    _clearPreopens();
  }
  const component = await componentNew(embedded);
  await writeAtomically(output, (partial) => writeFile(partial, component));
  return { path: output, cached: false, buildMs: Date.now() - started };
}
