/**
 * Class 4 of issue 12: chains through files an allowed program writes. A
 * guest that could once write a hook or `core.fsmonitor` into a repository
 * (git or find with free arguments, or any allowed writer) gets a later,
 * argument-pinned git command to run it. Every git child now runs with the
 * host's per-invocation configuration: hooks and the fixed-name
 * command-running entries are off. What stays possible is in SECURITY.md.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProcessHost, normalizePolicy, planSpawn, type ProcessPolicy, type SpawnOptions } from "host-process";

let repo: string;
let sentinel: string;
beforeAll(() => {
  const work = mkdtempSync(join(tmpdir(), "hp-git-chain-"));
  repo = join(work, "repo");
  sentinel = join(work, "SENTINEL");
  execFileSync("git", ["init", "-q", repo]);
  execFileSync("git", ["-C", repo, "config", "user.email", "guest@example.invalid"]);
  execFileSync("git", ["-C", repo, "config", "user.name", "guest"]);
  // What the guest planted earlier through some allowed writer.
  for (const hook of ["pre-commit", "post-commit", "post-checkout", "reference-transaction"]) {
    writeFileSync(join(repo, ".git", "hooks", hook), `#!/bin/sh\ntouch ${sentinel}\n`);
    chmodSync(join(repo, ".git", "hooks", hook), 0o755);
  }
  execFileSync("git", ["-C", repo, "config", "core.fsmonitor", `touch ${sentinel}; false`]);
});
afterAll(() => rmSync(join(repo, ".."), { recursive: true, force: true }));

const base: SpawnOptions = { args: [], env: [], stdin: "null", stdout: "null", stderr: "null" };
const pinned: ProcessPolicy = {
  allow: [{ command: "git", args: [["-C", { validator: "/.*" }, "status"], ["-C", { validator: "/.*" }, "commit", "--allow-empty", "-m", { validator: "[a-z]+" }]] }],
};

async function run(args: string[]): Promise<number | undefined> {
  const host = createProcessHost(pinned);
  try {
    return host.imports["host:process/process"].spawn("git", { ...base, args }).wait().code;
  } finally {
    await host.close();
  }
}

describe("git children run with the host's configuration, hooks and command-running entries off", () => {
  it("witness: the planted hook and core.fsmonitor run when git is started without it", () => {
    execFileSync("git", ["-C", repo, "status"], { stdio: "ignore" });
    expect(existsSync(sentinel)).toBe(true);
    rmSync(sentinel);
  });

  it("an argument-pinned `git status` does not run core.fsmonitor from the repository", async () => {
    expect(await run(["-C", repo, "status"])).toBe(0);
    expect(existsSync(sentinel)).toBe(false);
  });

  it("an argument-pinned `git commit` does not run the repository's hooks, and still commits", async () => {
    const before = execFileSync("git", ["-C", repo, "rev-list", "--all", "--count"], { encoding: "utf8", env: { ...process.env, GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "core.fsmonitor", GIT_CONFIG_VALUE_0: "false" } });
    expect(await run(["-C", repo, "commit", "--allow-empty", "-m", "hello"])).toBe(0);
    expect(existsSync(sentinel)).toBe(false);
    const after = execFileSync("git", ["-C", repo, "rev-list", "--all", "--count"], { encoding: "utf8", env: { ...process.env, GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "core.fsmonitor", GIT_CONFIG_VALUE_0: "false" } });
    expect(Number(after)).toBe(Number(before) + 1);
  });

  it("the host's entries come after any the host let the guest give, so they win", () => {
    const policy = normalizePolicy({ allow: ["git"], allowEnv: ["GIT_CONFIG_COUNT", "GIT_CONFIG_KEY_0", "GIT_CONFIG_VALUE_0"] });
    const { plan } = planSpawn(policy, {
      command: "git", args: ["status"], env: [["GIT_CONFIG_COUNT", "1"], ["GIT_CONFIG_KEY_0", "core.hooksPath"], ["GIT_CONFIG_VALUE_0", "/tmp"]],
      stdin: "null", stdout: "null", stderr: "null",
    });
    expect(plan.env.GIT_CONFIG_KEY_0).toBe("core.hooksPath");
    expect(plan.env.GIT_CONFIG_VALUE_1).toBe("/dev/null");
    expect(plan.env.GIT_CONFIG_KEY_1).toBe("core.hooksPath");
    expect(Number(plan.env.GIT_CONFIG_COUNT)).toBeGreaterThan(2);
    // Other programs get no git configuration.
    expect(planSpawn(normalizePolicy({ allow: ["true"] }), { command: "true", args: [], env: [], stdin: "null", stdout: "null", stderr: "null" }).plan.env).not.toHaveProperty("GIT_CONFIG_COUNT");
  });
});
