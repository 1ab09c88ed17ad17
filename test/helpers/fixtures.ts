/**
 * Guest components for the tests, built once with the `host-process build`
 * CLI and cached by the hash of everything that goes into them.
 */
import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import { mkdir, readFile, readdir, rename, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { bundleGuest } from "host-process";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = join(ROOT, "dist", "host", "cli.js");
export const CACHE = join(ROOT, ".cache");

export const FIXTURES = {
  scenarios: join(ROOT, "test", "fixtures", "scenarios.ts"),
  toplevel: join(ROOT, "test", "fixtures", "toplevel.ts"),
  lifecycle: join(ROOT, "test", "fixtures", "lifecycle.ts"),
  security: join(ROOT, "test", "fixtures", "security.ts"),
  guestApi: join(ROOT, "test", "fixtures", "guest-api.ts"),
  concurrency: join(ROOT, "test", "fixtures", "concurrency.ts"),
  uncaught: join(ROOT, "test", "fixtures", "uncaught.ts"),
  embedding: join(ROOT, "test", "fixtures", "embedding.ts"),
  fences: join(ROOT, "test", "fixtures", "fences.ts"),
  hello: join(ROOT, "examples", "hello", "main.ts"),
  demo: join(ROOT, "examples", "demo", "main.ts"),
  gitSummary: join(ROOT, "examples", "git-summary", "main.ts"),
  repl: join(ROOT, "examples", "repl", "main.ts"),
  pipeline: join(ROOT, "examples", "pipeline", "main.ts"),
  pluginWordCount: join(ROOT, "examples", "plugins", "word-count.ts"),
  pluginSystemInfo: join(ROOT, "examples", "plugins", "system-info.ts"),
  pluginSlowTool: join(ROOT, "examples", "plugins", "slow-tool.ts"),
} as const;

export type FixtureName = keyof typeof FIXTURES;

async function witText(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
  return (await Promise.all(files.map(async (f) => `${f}\n${await readFile(f, "utf8")}`))).join("\n");
}

/** Builds (or finds in the cache) the component for one fixture; returns its path. */
export function buildFixture(name: FixtureName): Promise<string> {
  return buildGuest(FIXTURES[name], name);
}

/** Builds (or finds in the cache, named `<name>-<hash>.wasm`) the component of any guest source file. */
export async function buildGuest(source: string, name: string): Promise<string> {
  const componentizeVersion = JSON.parse(
    await readFile(join(ROOT, "node_modules", "@bytecodealliance", "componentize-js", "package.json"), "utf8"),
  ).version as string;
  const hash = createHash("sha256")
    .update(await bundleGuest(source))
    .update(await witText(join(ROOT, "wit")))
    .update(componentizeVersion)
    .digest("hex")
    .slice(0, 16);
  const output = join(CACHE, "fixtures", `${name}-${hash}.wasm`);
  if (await stat(output).then(() => true, () => false)) return output;
  await mkdir(dirname(output), { recursive: true });
  const partial = `${output}.${process.pid}.partial.wasm`;
  await promisify(execFile)(process.execPath, [CLI, "build", source, "-o", partial], { cwd: ROOT });
  await rename(partial, output);
  return output;
}
