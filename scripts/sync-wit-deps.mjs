#!/usr/bin/env node
// Copies the WASI WIT packages that wit/process.wit depends on from the
// installed @bytecodealliance/jco, so that they are never edited by hand and
// always match the WASI version the installed jco and preview2-shim speak.
// With --check, changes nothing and exits 1 if wit/deps is stale.
import { readFile, writeFile, mkdir, rm, readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const WASI_VERSION = "0.2.12";
const PACKAGES = ["cli", "clocks", "filesystem", "io", "random", "sockets"];

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// jco's exports map hides package.json; its main entry lives in dist/.
const jcoRoot = join(dirname(fileURLToPath(import.meta.resolve("@bytecodealliance/jco"))), "..");
const source = (pkg) => join(jcoRoot, "lib", "wit", "builtin", WASI_VERSION, `wasi-${pkg}`, "package.wit");
const target = (pkg) => join(root, "wit", "deps", pkg, "package.wit");

async function stalePackages() {
  const stale = [];
  for (const pkg of PACKAGES) {
    const want = await readFile(source(pkg), "utf8");
    const have = await readFile(target(pkg), "utf8").catch(() => null);
    if (have !== want) stale.push(pkg);
  }
  const present = await readdir(join(root, "wit", "deps")).catch(() => []);
  return [...stale, ...present.filter((p) => !PACKAGES.includes(p))];
}

if (process.argv.includes("--check")) {
  const stale = await stalePackages();
  if (stale.length > 0) {
    console.error(`wit/deps is stale (${stale.join(", ")}); run \`npm run wit:sync\``);
    process.exit(1);
  }
} else {
  await rm(join(root, "wit", "deps"), { recursive: true, force: true });
  for (const pkg of PACKAGES) {
    await mkdir(dirname(target(pkg)), { recursive: true });
    await writeFile(target(pkg), await readFile(source(pkg)));
  }
  console.log(`wit/deps: wasi ${PACKAGES.join(", ")} @ ${WASI_VERSION} from @bytecodealliance/jco`);
}
