// The installed dependency tree is the one package.json and its lock declare,
// and the one override it needs holds: jco 1.35 depends on
// @bytecodealliance/preview2-shim ^0.26 itself, but its dependency jco-std
// 0.5.0 (the newest) declares an optional peer ^0.25. package.json's
// `overrides` gives jco-std the root's preview2-shim; these tests show that
// this is sound (jco-std never loads preview2-shim) and that what we use of
// jco-std works beside 0.26.
import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers/fixtures.js";

const exec = promisify(execFile);
/** The package.json of a package where npm installed it (jco and jco-std export no ./package.json to resolve). */
async function installed(name: string): Promise<Record<string, any>> {
  return JSON.parse(await readFile(join(ROOT, "node_modules", name, "package.json"), "utf8"));
}

describe("dependencies", () => {
  it("every installed package satisfies the range that asks for it (npm ls --all reports no invalid or missing one)", async () => {
    // npm ls exits 1 (ELSPROBLEMS) on an invalid peer: that is what it did before the override.
    const { stdout } = await exec("npm", ["ls", "--all", "--json"], { cwd: ROOT, maxBuffer: 1 << 26 });
    const tree = JSON.parse(stdout) as { problems?: string[] };
    expect(tree.problems ?? []).toEqual([]);
  });

  it("jco-std gets the root's preview2-shim through the override, and its own peer range is the one it declares", async () => {
    const root = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8"));
    expect(root.overrides).toEqual({
      "@bytecodealliance/jco-std": { "@bytecodealliance/preview2-shim": "$@bytecodealliance/preview2-shim" },
    });
    // One copy of each, at the top of node_modules, as the lock says.
    const lock = JSON.parse(await readFile(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, unknown> };
    for (const name of ["@bytecodealliance/jco", "@bytecodealliance/jco-std", "@bytecodealliance/preview2-shim"]) {
      expect(Object.keys(lock.packages).filter((path) => path.endsWith(`node_modules/${name}`))).toEqual([`node_modules/${name}`]);
    }
    const jco = await installed("@bytecodealliance/jco");
    const jcoStd = await installed("@bytecodealliance/jco-std");
    const shim = await installed("@bytecodealliance/preview2-shim");
    // If jco-std ever widens its range, or jco changes its own, the override should be revisited.
    expect(jcoStd.peerDependencies["@bytecodealliance/preview2-shim"]).toBe("^0.25.0");
    expect(jco.dependencies["@bytecodealliance/preview2-shim"]).toBe("^0.26.0");
    expect(shim.version).toMatch(/^0\.26\./);
  });

  it("jco-std loads nothing of preview2-shim: its peer range constrains no code we run", async () => {
    const dist = join(ROOT, "node_modules", "@bytecodealliance", "jco-std", "dist");
    const files = (await readdir(dist, { recursive: true })).filter((f) => /\.(m?js|cjs)$/.test(f));
    expect(files.length).toBeGreaterThan(50);
    const loading: string[] = [];
    for (const file of files) {
      if ((await readFile(join(dist, file), "utf8")).includes("preview2-shim")) loading.push(file);
    }
    expect(loading).toEqual([]);
  });

  it("jco-std's child-process host (which npm run bench measures) runs a child beside preview2-shim 0.26", async () => {
    await import("@bytecodealliance/preview2-shim");
    const { spawnSync } = await import("@bytecodealliance/jco-std/wasi/0.2.x/node/24.x.x/child-process/host/node");
    const result = spawnSync("echo", ["pinned"], {
      cwd: undefined, cwdIsUrl: false, env: undefined, input: undefined, timeout: 0n, killSignal: "SIGTERM",
      maxBuffer: 1n << 20n, shell: undefined, stdio: ["ignore", "pipe", "pipe"], windowsHide: false,
      windowsVerbatimArguments: false, uid: undefined, gid: undefined,
    });
    expect(result.status).toBe(0);
    expect(new TextDecoder().decode(result.stdout as Uint8Array)).toBe("pinned\n");
  });
});
