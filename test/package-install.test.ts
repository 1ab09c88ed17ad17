// The package as a user gets it: `npm pack`, installed from the tarball into an
// empty project (dependencies from the npm registry or npm's cache), then a
// guest built and run there through the installed CLI and through the
// TypeScript API, type-checked with the package's own types.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./helpers/fixtures.js";

const exec = promisify(execFile);
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

/** The environment without what `npm test` adds for its own run (npm_lifecycle_*, npm_package_*, …). */
function userEnv(): NodeJS.ProcessEnv {
  const keep = new Set(["npm_config_cache", "npm_config_registry", "npm_config_userconfig"]);
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("npm_") || keep.has(name)));
}

async function sh(cwd: string, file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(file, args, { cwd, env: userEnv(), maxBuffer: 1 << 26 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === "number" ? failed.code : -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

// The README's first guest, word for word.
const GUEST = `import { spawn } from "host:process";
const proc = await spawn("ls", { args: ["-la"] });
for await (const line of proc.stdout) { console.log(line); }
await proc.wait();
`;

let tarball = "";
let project = "";
/** `npx host-process build main.ts -o main.wasm`, run once in the user's project. */
let built = { code: -1, stdout: "", stderr: "" };

beforeAll(async () => {
  const work = await mkdtemp(join(tmpdir(), "hp-package-"));
  // dist/ is already built by `npm test`; rebuilding here would race the other test files.
  const packed = await sh(ROOT, "npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work]);
  expect(packed.code, packed.stderr).toBe(0);
  tarball = join(work, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
  project = join(work, "my-guest");
  await mkdir(project);
  await writeFile(join(project, "package.json"), `${JSON.stringify({ name: "my-guest", private: true, type: "module" }, null, 2)}\n`);
  const installed = await sh(project, "npm", ["install", tarball, "--no-audit", "--no-fund", "--prefer-offline"]);
  expect(installed.code, installed.stderr).toBe(0);
  await writeFile(join(project, "main.ts"), GUEST);
  built = await sh(project, "npx", ["host-process", "build", "main.ts", "-o", "main.wasm"]);
}, 600_000);

describe("the npm tarball", () => {
  it("holds the built host, the guest module and its types, the WIT package and the schema, and nothing of the repository's own", async () => {
    const { stdout } = await exec("tar", ["tzf", tarball]);
    const files = stdout.split("\n").filter(Boolean).map((f) => f.replace(/^package\//, ""));
    for (const file of [
      "package.json", "README.md", "LICENSE", "SECURITY.md", "docs/guest-api.md", "docs/policy.md", "dist/host/index.js", "dist/host/index.d.ts", "dist/host/cli.js", "dist/host/cli/main.d.ts",
      "dist/guest-bindings/index.d.ts", "guest-bindings/index.ts", "guest-bindings/host-process.d.ts",
      "guest-bindings/generated/command.d.ts", "wit/process.wit", "wit/deps/io/package.wit", "schema/policy.schema.json",
    ]) expect(files).toContain(file);
    expect(files.filter((f) => /^(test|examples|tools|scripts|host)\/|\.map$|tsconfig/.test(f))).toEqual([]);
  });

  it("resolves every entry of its exports map from the user's project", async () => {
    const script = `for (const entry of ["host-process", "host-process/cli", "host-process/policy.schema.json", "host-process/wit/process.wit", "host-process/package.json"])
      console.log(entry, import.meta.resolve(entry).replace(/^.*node_modules\\//, ""));`;
    const run = await sh(project, process.execPath, ["--input-type=module", "-e", script]);
    expect(run.stderr).toBe("");
    expect(run.stdout.trim().split("\n")).toEqual([
      "host-process host-process/dist/host/index.js",
      "host-process/cli host-process/dist/host/cli/main.js",
      "host-process/policy.schema.json host-process/schema/policy.schema.json",
      "host-process/wit/process.wit host-process/wit/process.wit",
      "host-process/package.json host-process/package.json",
    ]);
  });

  it("builds and runs the README's guest through the installed CLI", async () => {
    expect(built.code, built.stderr).toBe(0);
    expect(built.stderr).toMatch(/built main\.wasm \(\d+\.\d MiB\)/);
    const run = await sh(project, "npx", ["host-process", "run", "main.wasm", "--allow-run=ls"]);
    expect(run.code, run.stderr).toBe(0);
    const native = await exec("ls", ["-la"], { cwd: project });
    expect(run.stdout).toBe(native.stdout);
    const refused = await sh(project, "npx", ["host-process", "run", "main.wasm"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("PermissionDenied");
    expect(refused.stderr).toContain("--allow-run=ls");
  });

  it("`host-process check` type-checks the guest against the installed guest types, and catches a wrong call", async () => {
    await writeFile(join(project, "main.ts"), GUEST);
    const good = await sh(project, "npx", ["host-process", "check", "main.ts"]);
    expect(good.stderr).toMatch(/^checked main\.ts with TypeScript \d+\.\d+\.\d+: no type errors\n$/);
    expect(good.code).toBe(0);
    await writeFile(join(project, "wrong.ts"), `import { spawn } from "host:process";\nawait spawn("ls", { args: "-la" });\n`);
    const bad = await sh(project, "npx", ["host-process", "check", "wrong.ts"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^wrong\.ts:2:21: error TS2322: Type 'string' is not assignable to type 'string\[\]'\.\n/);
  });

  it("type-checks the guest with host-process/guest-types (and catches a wrong call)", async () => {
    await writeFile(join(project, "main.ts"), GUEST);
    await writeFile(join(project, "tsconfig.json"), JSON.stringify({
      compilerOptions: {
        target: "ES2022", module: "ESNext", moduleResolution: "Bundler", lib: ["ES2022", "DOM"], strict: true, noEmit: true,
        skipLibCheck: true, types: ["host-process/guest-types"],
      },
      include: ["main.ts"],
    }, null, 2));
    const good = await sh(project, process.execPath, [TSC, "-p", "tsconfig.json"]);
    expect(good.stdout + good.stderr).toBe("");
    expect(good.code).toBe(0);
    await writeFile(join(project, "main.ts"), `import { spawn } from "host:process";\nawait spawn("ls", { args: "-la" });\n`);
    const bad = await sh(project, process.execPath, [TSC, "-p", "tsconfig.json"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toContain("main.ts(2,");
    await writeFile(join(project, "main.ts"), GUEST);
  });

  it("runs the guest from the TypeScript API: compiled with the package's types, run with node", async () => {
    expect(built.code, built.stderr).toBe(0);
    await writeFile(join(project, "host.ts"), `import { runComponent, type ProcessPolicy } from "host-process";

const policy: ProcessPolicy = { allow: ["ls"] };
process.exitCode = await runComponent("main.wasm", { policy, args: ["main.wasm"] });
`);
    await writeFile(join(project, "tsconfig.host.json"), JSON.stringify({
      compilerOptions: {
        target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, skipLibCheck: true, outDir: "build",
        typeRoots: [join(ROOT, "node_modules", "@types")], types: ["node"],
      },
      include: ["host.ts"],
    }, null, 2));
    const compiled = await sh(project, process.execPath, [TSC, "-p", "tsconfig.host.json"]);
    expect(compiled.stdout + compiled.stderr).toBe("");
    const run = await sh(project, process.execPath, [join("build", "host.js")]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe((await exec("ls", ["-la"], { cwd: project })).stdout);
  });

  it("writes the WIT package for other languages with `host-process wit --out`", async () => {
    const run = await sh(project, "npx", ["host-process", "wit", "--out", "wit"]);
    expect(run.code, run.stderr).toBe(0);
    expect(await readFile(join(project, "wit", "process.wit"), "utf8")).toBe(await readFile(join(ROOT, "wit", "process.wit"), "utf8"));
    expect(await readFile(join(project, "wit", "deps", "io", "package.wit"), "utf8")).toContain("package wasi:io");
  });
});
