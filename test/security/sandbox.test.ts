/** The rest of WASI is closed by default, granted only through `policy.wasi`, and handles cannot be forged. */
import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { instantiateComponent } from "host-process";
import { resultOf, runCli, type CliRun } from "../helpers/cli.js";
import { CLI, ROOT } from "../helpers/fixtures.js";

const fixtures = inject("fixtures");

async function policyFile(policy: object): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), "hp-policy-")), "policy.json");
  await writeFile(file, JSON.stringify(policy));
  return file;
}

/** Runs the security guest with `input` on the host's stdin. */
function runWithStdin(args: string[], input: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, "run", fixtures.security, ...args], { cwd: ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe("the rest of WASI", () => {
  it("a guest denied `cat` cannot read the file through wasi:filesystem either", async () => {
    const run = await runCli(["run", fixtures.security, "--", "filesystem", "/etc/passwd"]);
    expect(resultOf(run)).toEqual({ preopens: [], reads: [{ threw: "no preopened directory contains it" }] });
  });

  it("a preopen granted in policy.wasi is readable, and only it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hp-preopen-"));
    await writeFile(join(dir, "note.txt"), "granted");
    const policy = await policyFile({ wasi: { preopens: { "/data": dir } } });
    const run = await runCli(["run", fixtures.security, "--policy", policy, "--", "filesystem", "/data/note.txt", "/etc/passwd"]);
    expect(resultOf(run)).toEqual({
      preopens: ["/data"],
      reads: [{ returned: "granted" }, { threw: "no preopened directory contains it" }],
    });
  });

  it("the guest sees no host environment and only its own arguments", async () => {
    const result = resultOf(await runCli(["run", fixtures.security, "--", "environment"]));
    expect(result).toEqual({ env: [], args: [basename(fixtures.security), "environment"] });
    const policy = await policyFile({ wasi: { env: { MODE: "test" } } });
    const granted = resultOf(await runCli(["run", fixtures.security, "--policy", policy, "--", "environment"]));
    expect(granted.env).toEqual([["MODE", "test"]]);
  });

  it("stdin is end-of-file unless the policy grants it", async () => {
    const denied = await runWithStdin(["--", "stdin"], "secret from the host's stdin");
    expect(resultOf(denied)).toEqual({ text: "" });
    const policy = await policyFile({ wasi: { stdin: true } });
    const granted = await runWithStdin(["--policy", policy, "--", "stdin"], "secret from the host's stdin");
    expect(resultOf(granted)).toEqual({ text: "secret from the host's stdin" });
  });
});

describe("handle forgery", () => {
  it.each([
    // Methods without a result: the instance traps, as the component model does for an unknown handle.
    ["construct", "trap"],
    ["fakeStatus", "trap"],
    // Methods with a result: err process-not-found (4004), and the guest goes on.
    ["fakeWait", "process-not-found"],
    ["borrowedKill", "process-not-found"],
    // Refused inside the guest's own bindings before reaching the host.
    ["numberAsHandle", "guest"],
  ])("a guest cannot use a child handle it was not given (%s: %s)", async (kind, expected) => {
    const run = await runCli(["run", fixtures.security, "--", "forge", kind]);
    if (expected === "trap") {
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("Not a child of this instance");
    } else {
      expect(run.code).toBe(0);
      const { threw } = resultOf(run);
      expect(threw).toEqual(expected === "guest" ? expect.stringContaining("TypeError") : expect.stringContaining(`"code":"${expected}"`));
    }
  });

  it("one instance cannot reach another's children", async () => {
    const owner = await instantiateComponent(fixtures.scenarios, { policy: { allow: ["sleep"] }, args: ["scenarios", "linger"] });
    const other = await instantiateComponent(fixtures.security, { args: ["security", "forge", "fakeWait"] });
    try {
      expect(await owner.run()).toBe(0);
      const [pid] = owner.host.liveChildren();
      expect(await other.run()).toBe(0);
      expect(other.host.liveChildren()).toEqual([]);
      expect(owner.host.liveChildren()).toEqual([pid]);
      await other.close();
      expect(owner.host.liveChildren()).toEqual([pid]);
    } finally {
      await owner.close();
      await other.close();
    }
  });
});
