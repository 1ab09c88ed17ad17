// The CLI as a user meets it: help with examples, Deno-style flags, errors that
// say what to do, the guest's exit status, `wit`, and build progress on a terminal.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, readdir, realpath, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { resultOf, runCli } from "./helpers/cli.js";
import { CLI, ROOT } from "./helpers/fixtures.js";

const fixtures = inject("fixtures");
const guestApi = (flags: string[], ...args: string[]) => runCli(["run", fixtures.guestApi, ...flags, "--", ...args]);

describe("host-process --help", () => {
  it.each([
    [["--help"], "host-process build main.ts -o main.wasm && host-process run main.wasm --allow-run=ls"],
    [["build", "--help"], "host-process build main.ts -o main.wasm"],
    [["run", "--help"], "host-process run main.wasm --allow-run=ls"],
    [["wit", "--help"], "host-process wit --out wit"],
    [["help", "run"], "host-process run main.wasm --allow-run=ls"],
  ])("%j prints usage with an example and exits 0", async (args, example) => {
    const run = await runCli(args);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Usage:");
    expect(run.stdout).toMatch(/Examples?:/);
    expect(run.stdout).toContain(example);
  });

  it("without a command prints usage on stderr and exits 2", async () => {
    const run = await runCli([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Usage:");
  });
});

describe("errors say what to do", () => {
  it("an unknown command names the commands", async () => {
    const run = await runCli(["frobnicate"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("the commands are build, check, run and wit");
  });

  it("a misspelt flag gets a suggestion", async () => {
    const run = await runCli(["run", fixtures.hello, "--alow-run=ls"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Unknown flag --alow-run; did you mean --allow-run?");
    expect(run.stderr).toContain("host-process run --help");
  });

  it("guest arguments without `--` are pointed to `--`", async () => {
    const run = await runCli(["run", fixtures.hello, "ls"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`host-process run ${fixtures.hello} -- ls`);
  });

  it("a missing component, a non-component and a core module each say how to build one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hp-cli-"));
    const missing = await runCli(["run", join(dir, "main.wasm")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("does not exist; build a guest first: `host-process build main.ts -o");
    await writeFile(join(dir, "main.ts"), "console.log(1);\n");
    const source = await runCli(["run", join(dir, "main.ts")]);
    expect(source.stderr).toContain(`is not a WebAssembly component; \`host-process build ${join(dir, "main.ts")} -o main.wasm\` makes one`);
    await writeFile(join(dir, "core.wasm"), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    const core = await runCli(["run", join(dir, "core.wasm")]);
    expect(core.code).toBe(2);
    expect(core.stderr).toContain("is a core WebAssembly module, not a component");
  });

  it("an invalid policy names its source and the option", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hp-cli-"));
    const policy = join(dir, "policy.json");
    await writeFile(policy, JSON.stringify({ allow: ["ls"], maxProcesses: 0 }));
    const fromFile = await runCli(["run", fixtures.hello, "--policy", policy]);
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain(`Invalid policy from the policy file ${JSON.stringify(policy)}`);
    expect(fromFile.stderr).toContain("`maxProcesses`");
    await writeFile(policy, "{ allow: [ls] }");
    const notJson = await runCli(["run", fixtures.hello, "--policy", policy]);
    expect(notJson.stderr).toContain("is not valid JSON");
    const badDir = await runCli(["run", fixtures.hello, `--allow-cwd=${join(dir, "nowhere")}`]);
    expect(badDir.stderr).toContain("Invalid policy from the flags: Expected the `allowCwd` policy option to be an existing directory");
  });

  it("a refused program names the flag that allows it", async () => {
    const run = await runCli(["run", fixtures.hello]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("--allow-run=ls");
  });
});

describe("run flags", () => {
  it("--allow-run alone allows any program; --deny-run alone then denies every one", async () => {
    const any = resultOf(await guestApi(["--allow-run"], "runIn", "-", "echo", "hi"));
    expect(any.stdout).toEqual(["hi"]);
    const none = resultOf(await guestApi(["--allow-run", "--deny-run"], "runIn", "-", "echo", "hi"));
    expect(none.error).toMatchObject({ code: 4001 });
  });

  it("--allow-cwd takes a directory relative to where host-process runs", async () => {
    const dir = await realpath(await mkdtemp(join(tmpdir(), "hp-cwd-")));
    const refused = resultOf(await runCli(["run", fixtures.guestApi, "--allow-run=pwd", "--", "runIn", dir, "pwd"], { cwd: tmpdir() }));
    expect(refused.error).toMatchObject({ code: 4001 });
    const relative = dir.slice((await realpath(tmpdir())).length + 1);
    const allowed = resultOf(await runCli(
      ["run", fixtures.guestApi, "--allow-run=pwd", `--allow-cwd=${relative}`, "--", "runIn", dir, "pwd"],
      { cwd: await realpath(tmpdir()) },
    ));
    expect(allowed.stdout).toEqual([dir]);
  });

  it("--inherit-env passes named host variables to children; flags add to --policy", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hp-env-"));
    const policy = join(dir, "policy.json");
    await writeFile(policy, JSON.stringify({ allow: ["env"] }));
    const run = resultOf(await guestApi(["--policy", policy, "--inherit-env=HOME"], "runIn", "-", "env"));
    expect(run.stdout).toContain(`HOME=${process.env.HOME}`);
    const without = resultOf(await guestApi(["--policy", policy], "runIn", "-", "env"));
    expect(without.stdout.some((line: string) => line.startsWith("HOME="))).toBe(false);
  });

  it("passes the guest's exit status through", async () => {
    for (const code of [0, 3, 42]) {
      const run = await guestApi([], "exitWith", String(code));
      expect(run.code).toBe(code);
    }
  });
});

describe("host-process wit", () => {
  it("prints the host:process package", async () => {
    const run = await runCli(["wit"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(await readFile(join(ROOT, "wit", "process.wit"), "utf8"));
  });

  it("--out writes a self-contained WIT folder (process.wit and deps/)", async () => {
    const out = join(await mkdtemp(join(tmpdir(), "hp-wit-")), "wit");
    const run = await runCli(["wit", "--out", out]);
    expect(run.code).toBe(0);
    const list = async (dir: string) =>
      (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length)).sort();
    const expected = await list(join(ROOT, "wit"));
    expect(await list(out)).toEqual(expected);
    expect(expected).toContain("/deps/io/package.wit");
    for (const file of expected) expect(await readFile(join(out, file), "utf8")).toBe(await readFile(join(ROOT, "wit", file), "utf8"));
  });
});

describe("build progress", () => {
  it("shows a spinner with elapsed seconds on a terminal, and only the summary line otherwise", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hp-progress-"));
    await writeFile(join(dir, "main.ts"), 'console.log("hi");\n');
    // `script` gives the CLI a pseudo-terminal, as a user's shell would.
    const { stdout: onTerminal } = await promisify(execFile)(
      "script", ["-qec", `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} build main.ts -o tty.wasm`, "/dev/null"], { cwd: dir },
    );
    const frames = onTerminal.split("\r").filter((frame) => frame.includes("building main.ts"));
    expect(frames.length).toBeGreaterThan(1);
    expect(frames[0]).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] building main\.ts .* \d+s/);
    expect(onTerminal).toMatch(/built tty\.wasm \(\d+\.\d MiB\) in \d+\.\d s/);
    const piped = await runCli(["build", "main.ts"], { cwd: dir });
    expect(piped.code).toBe(0);
    expect(piped.stderr).toMatch(/^built main\.wasm \(\d+\.\d MiB\) in \d+\.\d s\n$/);
    expect(piped.stdout).toBe("");
  });
});
