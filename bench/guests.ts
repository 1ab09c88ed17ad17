/**
 * The benchmark's guests, built once and cached by the hash of everything
 * that goes into them (as test/helpers/fixtures.ts does for the test guests):
 *
 * - the TypeScript guest (bench/guest/main.ts), built by the `host-process
 *   build` CLI (esbuild + componentize-js, 10–20 s);
 * - the thin guest (bench/thin.wat), assembled and componentized in this
 *   process with jco's programmatic API: `parse` (WAT → core module),
 *   `componentEmbed` (the `command` world of wit/), `componentNew`;
 * - the peer's thin guest (bench/thin-jco-std.wat), the same way, against a
 *   world that imports jco-std's `jco:node/child-process@0.1.0` (its WIT is
 *   taken from the installed jco-std package at build time).
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { componentEmbed, componentNew, parse } from "@bytecodealliance/jco";
import { _clearPreopens, _setPreopens } from "@bytecodealliance/preview2-shim/filesystem";
import { bundleGuest } from "host-process";
import { CACHE, CLI, ROOT } from "./paths.js";

export const TS_GUEST = join(ROOT, "bench", "guest", "main.ts");
export const THIN_GUEST = join(ROOT, "bench", "thin.wat");
export const THIN_JCO_STD_GUEST = join(ROOT, "bench", "thin-jco-std.wat");
const JCO_STD_WIT = join(ROOT, "node_modules", "@bytecodealliance", "jco-std", "wit", "node-0.1.0");
/** The world of the peer's thin guest; its deps are wit/deps and jco-std's child-process.wit and types.wit. */
const JCO_STD_WORLD = `package bench:jco-std;

world spawner {
  import jco:node/child-process@0.1.0;
  import wasi:cli/environment@0.2.12;
  import wasi:cli/stdout@0.2.12;
  import wasi:io/streams@0.2.12;
  import wasi:clocks/monotonic-clock@0.2.12;
  export wasi:cli/run@0.2.12;
}
`;
const WIT = join(ROOT, "wit");

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

async function witText(dir = WIT): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
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

/** WAT → core module → component (`world` of the WIT folder `witDir`). */
async function componentizeWat(wat: string, witDir: string, world: string): Promise<Uint8Array> {
  const core = await parse(wat);
  // jco's wasm-tools runs under preview2-shim, which grants no preopens:
  // give this tool (never a guest) the WIT folders, as host/build.ts does.
  // wasm-tools reads its preopens once, when its first call instantiates it,
  // so every call offers the same ones: the repository's wit/ and the
  // temporary folder the jco-std world is assembled in.
  if (!witDir.startsWith(tmpdir()) && witDir !== WIT) throw new Error(`componentizeWat: ${witDir} is not under a preopened folder`);
  _setPreopens({ [WIT]: WIT, [tmpdir()]: tmpdir() });
  let embedded: Uint8Array;
  try {
    embedded = await componentEmbed({ binary: core, witPath: witDir, world, stringEncoding: "utf8" });
  } finally {
    _clearPreopens();
  }
  return componentNew(embedded);
}

/**
 * The thin guest's source for the WIT at hand: lines marked `;;@stdin-from`
 * (spawn-options' `stdin-from` field, for pipelines) go when wit/ lacks it.
 */
async function thinGuestSource(): Promise<string> {
  const wat = await readFile(THIN_GUEST, "utf8");
  const hasStdinFrom = /\bstdin-from\s*:/.test(await readFile(join(WIT, "process.wit"), "utf8"));
  return hasStdinFrom ? wat : wat.split("\n").filter((line) => !line.includes(";;@stdin-from")).join("\n");
}

export async function buildThinGuest(): Promise<BuiltGuest> {
  const started = Date.now();
  const wat = await thinGuestSource();
  const key = hash(wat, await witText(), await packageVersion("@bytecodealliance/jco"));
  const output = join(CACHE, "guests", `bench-thin-${key}.wasm`);
  if (await exists(output)) return { path: output, cached: true, buildMs: 0 };
  const component = await componentizeWat(wat, WIT, "command");
  await writeAtomically(output, (partial) => writeFile(partial, component));
  return { path: output, cached: false, buildMs: Date.now() - started };
}

export async function buildThinJcoStdGuest(): Promise<BuiltGuest> {
  const started = Date.now();
  const wat = await readFile(THIN_JCO_STD_GUEST, "utf8");
  const jcoStdWit = (await readFile(join(JCO_STD_WIT, "child-process.wit"), "utf8")) + (await readFile(join(JCO_STD_WIT, "types.wit"), "utf8"));
  const key = hash(wat, JCO_STD_WORLD, jcoStdWit, await witText(), await packageVersion("@bytecodealliance/jco"));
  const output = join(CACHE, "guests", `bench-thin-jco-std-${key}.wasm`);
  if (await exists(output)) return { path: output, cached: true, buildMs: 0 };
  const dir = await mkdtemp(join(tmpdir(), "host-process-bench-wit-"));
  try {
    await writeFile(join(dir, "world.wit"), JCO_STD_WORLD);
    await cp(join(WIT, "deps"), join(dir, "deps"), { recursive: true });
    await mkdir(join(dir, "deps", "jco-node"), { recursive: true });
    for (const file of ["child-process.wit", "types.wit"]) await cp(join(JCO_STD_WIT, file), join(dir, "deps", "jco-node", file));
    const component = await componentizeWat(wat, dir, "spawner");
    await writeAtomically(output, (partial) => writeFile(partial, component));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { path: output, cached: false, buildMs: Date.now() - started };
}
