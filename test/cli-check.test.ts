// `host-process check` and `build --check`: a guest type-checked against the
// package's guest types with the project's TypeScript, errors as file:line:col.
import { mkdir, mkdtemp, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { ROOT } from "./helpers/fixtures.js";

// `status` is a method here (a property in Deno): awaiting the method itself builds fine and fails at run time.
const WRONG = `import { spawn } from "host:process";
const child = await spawn("ls", { args: ["-la"] });
const { running, code } = await child.status;
console.log(running, code);
`;
const RIGHT = `import { spawn } from "host:process";
const child = await spawn("true");
console.log(typeof child.status().running);
const { code } = await child.wait();
console.log(code);
`;

let dir = "";
let wrong = "";
let right = "";
const exists = (file: string) => stat(file).then(() => true, () => false);

beforeAll(async () => {
  // Inside the repository, so that its TypeScript is the one the guest's project has.
  await mkdir(join(ROOT, ".cache"), { recursive: true });
  dir = await mkdtemp(join(ROOT, ".cache", "check-"));
  wrong = join(dir, "wrong.ts");
  right = join(dir, "right.ts");
  await writeFile(wrong, WRONG);
  await writeFile(right, RIGHT);
});

describe("host-process check", () => {
  it("reports `await child.status` (a method) in file:line:col form and exits 1", async () => {
    const run = await runCli(["check", relative(ROOT, wrong)]);
    const file = relative(ROOT, wrong);
    expect(run.stderr.split("\n")).toEqual([
      `${file}:3:9: error TS2339: Property 'running' does not exist on type '() => ProcessStatus'.`,
      `${file}:3:18: error TS2339: Property 'code' does not exist on type '() => ProcessStatus'.`,
      expect.stringMatching(new RegExp(`^host-process: ${file}: 2 type errors \\(TypeScript \\d+\\.\\d+\\.\\d+\\)$`)),
      "",
    ]);
    expect(run.code).toBe(1);
  });

  it("passes a guest that calls status() and wait() as the guest types say, and exits 0", async () => {
    const run = await runCli(["check", right]);
    expect(run.stderr).toMatch(/^checked .*right\.ts with TypeScript \d+\.\d+\.\d+: no type errors\n$/);
    expect(run.code).toBe(0);
  });

  it("says what to install when TypeScript is not installed for the guest, and exits 1", async () => {
    const outside = await mkdtemp(join(tmpdir(), "hp-check-"));
    await writeFile(join(outside, "main.ts"), RIGHT);
    const run = await runCli(["check", "main.ts"], { cwd: outside });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Type-checking needs the TypeScript compiler, and none is installed for");
    expect(run.stderr).toContain("npm install --save-dev typescript");
  });

  it("--help says what it checks against and what happens without TypeScript", async () => {
    const run = await runCli(["check", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("host-process check main.ts");
    expect(run.stdout).toContain("If it is not installed, check\n(and build --check) exit with status 1");
    const build = await runCli(["build", "--help"]);
    expect(build.stdout).toContain("without TypeScript installed, fails and builds nothing");
  });
});

describe("host-process build --check", () => {
  it("builds nothing from a guest with type errors", async () => {
    const output = join(dir, "wrong.wasm");
    const run = await runCli(["build", wrong, "-o", output, "--check"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(":3:9: error TS2339: Property 'running' does not exist on type '() => ProcessStatus'.");
    expect(run.stderr).toContain("nothing was built");
    expect(await exists(output)).toBe(false);
  });

  it("builds nothing when TypeScript is not installed", async () => {
    const outside = await mkdtemp(join(tmpdir(), "hp-check-"));
    await writeFile(join(outside, "main.ts"), RIGHT);
    const run = await runCli(["build", "main.ts", "-o", "main.wasm", "--check"], { cwd: outside });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("npm install --save-dev typescript");
    expect(await exists(join(outside, "main.wasm"))).toBe(false);
  });

  it("builds a guest without type errors, and the component runs", async () => {
    const output = join(dir, "right.wasm");
    const built = await runCli(["build", right, "-o", output, "--check"]);
    expect(built.stderr).toContain("no type errors");
    expect(built.code, built.stderr).toBe(0);
    const run = await runCli(["run", output, "--allow-run=true"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe("boolean\n0\n");
  });
});
