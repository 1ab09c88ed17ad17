// Every example, run the way its README says (the README's command is checked
// to be there, word for word), on inputs whose right answer the test computes.
import { execFile, execFileSync, spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { runCli, type CliRun } from "./helpers/cli.js";
import { CLI, ROOT } from "./helpers/fixtures.js";

const fixtures = inject("fixtures");

async function readme(example: string): Promise<string> {
  return readFile(join(ROOT, "examples", example, "README.md"), "utf8");
}

/** Runs the CLI with `input` on its stdin. */
function runWithInput(args: string[], input: string, cwd = ROOT): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=Example", "-c", "user.email=example@example.invalid", ...args], { cwd }).toString();

describe("examples/git-summary", () => {
  const command = "npx host-process run git-summary.wasm --policy examples/git-summary/policy.json -- 5";
  const policy = join(ROOT, "examples", "git-summary", "policy.json");

  async function repository(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "hp-git-"));
    git(dir, "init", "-q", "-b", "main");
    for (const name of ["first", "second", "third"]) {
      await writeFile(join(dir, `${name}.txt`), `${name}\n`);
      git(dir, "add", `${name}.txt`);
      git(dir, "commit", "-q", "-m", `add ${name}`);
    }
    await writeFile(join(dir, "first.txt"), "changed\n");
    await writeFile(join(dir, "new-a.txt"), "a\n");
    await writeFile(join(dir, "new-b.txt"), "b\n");
    return dir;
  }

  it("summarises status and log under argument rules", async () => {
    expect(await readme("git-summary")).toContain(command);
    const dir = await repository();
    const run = await runCli(["run", fixtures.gitSummary, "--policy", policy, "--", "2"], { cwd: dir });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const commits = git(dir, "log", "--oneline", "-n", "2").trimEnd().split("\n").map((line) => `  ${line}`);
    expect(run.stdout).toBe(["branch: main", "working tree: 1 modified, 2 untracked", "last 2 commits:", ...commits, ""].join("\n"));
  });

  it("a count that is not a number is refused by the policy before git starts", async () => {
    const dir = await repository();
    const run = await runCli(["run", fixtures.gitSummary, "--policy", policy, "--", "--upload-pack=touch"], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("PermissionDenied (4001)");
  });

  it("without the policy, git is refused and the message names the flag", async () => {
    const run = await runCli(["run", fixtures.gitSummary], { cwd: await repository() });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("--allow-run=git");
  });
});

describe("examples/repl", () => {
  it("drives bc through its stdin and stdout, answers and errors in order", async () => {
    expect(await readme("repl")).toContain("npx host-process run repl.wasm --policy examples/repl/policy.json");
    const run = await runWithInput(
      ["run", fixtures.repl, "--policy", join(ROOT, "examples", "repl", "policy.json")],
      "2^10\nx=5\nx*3\nscale=3; 2/3\n1/0\n7*6\n",
    );
    expect(run.code).toBe(0);
    // x=5 prints nothing; the guest still moves on (it waits for its marker, not for a line).
    expect(run.stdout).toBe("1024\n15\n.666\nRuntime error (func=(main), adr=3): Divide by zero\n42\n");
  });

  it("without the policy, bc is refused and never starts", async () => {
    const run = await runWithInput(["run", fixtures.repl, "--allow-run=ls"], "1+1\n");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("`bc`");
    expect(run.stderr).toContain("PermissionDenied");
  });
});

describe("examples/pipeline", () => {
  const native = (pattern: string, file: string) =>
    new Promise<string>((resolve, reject) =>
      execFile("sh", ["-c", 'grep -o -E "$0" "$1" | sort | uniq -c', pattern, file], { cwd: ROOT, maxBuffer: 1 << 26 }, (error, stdout) =>
        error ? reject(error) : resolve(stdout)));

  it("grep | sort | uniq -c of sample.log gives what the shell gives", async () => {
    const text = await readme("pipeline");
    expect(text).toContain("npx host-process run pipeline.wasm --allow-run=grep,sort,uniq -- 'ERROR|WARN|INFO' examples/pipeline/sample.log");
    const run = await runCli(["run", fixtures.pipeline, "--allow-run=grep,sort,uniq", "--", "ERROR|WARN|INFO", "examples/pipeline/sample.log"]);
    expect(run.code).toBe(0);
    const expected = await native("ERROR|WARN|INFO", "examples/pipeline/sample.log");
    expect(run.stdout).toBe(expected);
    // The README shows the real counts.
    for (const line of expected.trimEnd().split("\n")) expect(text).toContain(line);
  });

  it("50,000 lines through three children, all copies at once, match the shell's pipeline", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "hp-pipeline-")), "words.txt");
    const words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"];
    const lines = Array.from({ length: 50_000 }, (_, i) => `${words[i % 8]} ${words[(i * 7) % 8]}-${i % 1000} ${words[(i * 3) % 5]}`);
    await writeFile(file, `${lines.join("\n")}\n`);
    const run = await runCli(["run", fixtures.pipeline, "--allow-run=grep,sort,uniq", "--", "[a-z]+-[0-9]+", file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(await native("[a-z]+-[0-9]+", file));
    expect(run.stdout.split("\n").length).toBeGreaterThan(1000);
  });

  it("reports a failed stage (grep on a missing file) and exits non-zero", async () => {
    const run = await runCli(["run", fixtures.pipeline, "--allow-run=grep,sort,uniq", "--", "x", "/no/such/file"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("/no/such/file");
    expect(run.stderr).toContain("the pipeline failed: grep 2");
  });
});

describe("examples/plugins", () => {
  const hostProgram = join(ROOT, "examples", "plugins", "host.mjs");

  /** Runs the example's host program, as its README does, on the two plugin components. */
  function runHost(): Promise<CliRun> {
    return new Promise((resolve) => {
      execFile(process.execPath, [hostProgram, fixtures.pluginWordCount, fixtures.pluginSystemInfo, fixtures.pluginSlowTool], { cwd: ROOT }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }));
    });
  }

  it("three plugins under their own policies; every decision, with its plugin, on the diagnostics channel; the host ticks while the threaded one waits", async () => {
    const text = await readme("plugins");
    for (const command of [
      "npx host-process build examples/plugins/word-count.ts -o word-count.wasm",
      "npx host-process build examples/plugins/system-info.ts -o system-info.wasm",
      "npx host-process build examples/plugins/slow-tool.ts -o slow-tool.wasm",
      "node examples/plugins/host.mjs word-count.wasm system-info.wasm slow-tool.wasm",
    ]) expect(text).toContain(command);
    const run = await runHost();
    expect(run.code, run.stderr).toBe(0);
    const words = "plugins run under the policy their host gives them".split(" ").length;
    const kernel = execFileSync("uname", ["-s"]).toString().trim();
    expect(run.stdout).toBe(`word-count: ${words} words\nsystem-info: kernel ${kernel}\nsystem-info: wc was refused: PermissionDenied (4001)\nslow-tool: sleep 1 ended (exit code 0)\n`);
    const wc = execFileSync("sh", ["-c", "command -v wc"]).toString().trim();
    const log = run.stderr.split("\n");
    expect(log.slice(0, 4)).toEqual([
      '[decision] word-count: spawn wc -w: allowed by allow: "wc"',
      '[decision] system-info: output uname -s: allowed by allow: "uname"',
      `[decision] system-info: spawn wc -l: refused (permission-denied): \`wc\` (${wc}) is not allowed by the host's policy; the host can allow it with \`allow: ["wc"]\` (CLI: --allow-run=wc)`,
      '[decision] slow-tool: spawn sleep 1: allowed by allow: "sleep"',
    ]);
    // The threaded plugin: the host's timer ticked while the plugin's child ran, so before its wait() returned.
    const tick = "[host] tick: slow-tool is waiting, its child still runs";
    const rest = log.slice(4);
    const ticks = rest.filter((line) => line === tick).length;
    expect(ticks).toBeGreaterThan(0);
    expect(rest).toEqual([...Array<string>(ticks).fill(tick), `[host] slow-tool returned; the host's timer ticked ${ticks} times while it waited`, ""]);
    // The README shows what the program prints (the number of ticks varies).
    for (const line of [...run.stdout.split("\n"), ...log]) expect(text).toContain(line.replace(/ticked \d+ times/, "ticked 4 times"));
  });
});

describe("examples/hello and examples/demo", () => {
  it("demo: echo and ls run, rm is refused with 4001 (what `npm start` shows)", async () => {
    const run = await runCli(["run", fixtures.demo, "--allow-run=ls,echo"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("echo says: hello from a child process, started by a WebAssembly guest");
    expect(run.stdout).toMatch(/ls \/ found \d+ entries/);
    expect(run.stdout).toContain("rm was refused: PermissionDenied (4001)");
  });
});
