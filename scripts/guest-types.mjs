#!/usr/bin/env node
// Generates guest-bindings/generated/ from wit/ with `jco guest-types`
// (programmatic API: jco's CLI runs under preview2-shim without preopens).
// With --check, writes nothing and exits 1 if the generated files are stale.
import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { _clearPreopens, _setPreopens } from "@bytecodealliance/preview2-shim/filesystem";
import { types as typesComponent } from "@bytecodealliance/jco";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const witDir = join(root, "wit");
const outDir = join(root, "guest-bindings", "generated");

async function listFiles(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath ?? e.path, e.name))).sort();
}

_setPreopens({ [witDir]: witDir });
let generated;
try {
  generated = await typesComponent(witDir, { worldName: "host:process/command", guest: true, outDir: "" });
} finally {
  _clearPreopens();
}
const files = Object.fromEntries(Object.entries(generated).map(([name, bytes]) => [name, Buffer.from(bytes).toString("utf8")]));

if (process.argv.includes("--check")) {
  const present = await listFiles(outDir);
  const stale = Object.keys(files).sort().join("\n") !== present.join("\n") ||
    (await Promise.all(Object.entries(files).map(async ([name, text]) => (await readFile(join(outDir, name), "utf8")) !== text))).some(Boolean);
  if (stale) {
    console.error("guest-bindings/generated is stale; run `npm run guest-types`");
    process.exit(1);
  }
} else {
  await rm(outDir, { recursive: true, force: true });
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(outDir, name)), { recursive: true });
    await writeFile(join(outDir, name), text);
  }
  console.log(`guest-bindings/generated: ${Object.keys(files).length} files from wit/`);
}
