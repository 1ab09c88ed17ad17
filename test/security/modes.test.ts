/** The CLI's learn mode and dry run, as a host author uses them. */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { resultOf, runCli } from "../helpers/cli.js";

const fixtures = inject("fixtures");

describe("host-process run --learn-policy / --dry-run", () => {
  it("learns the smallest policy, which then allows exactly what ran", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "hp-learn-")), "learned.json");
    const learning = await runCli(["run", fixtures.scenarios, "--learn-policy", file, "--", "spawn", "echo", "learned"]);
    expect(resultOf(learning).stdout).toEqual(["learned"]);
    expect(learning.stderr).toContain(`wrote ${file}`);
    const learned = JSON.parse(await readFile(file, "utf8"));
    expect(learned).toEqual({ allow: [{ command: "echo", args: [["learned"]] }], allowInherit: { stdout: false, stderr: false } });

    const same = await runCli(["run", fixtures.scenarios, "--policy", file, "--", "spawn", "echo", "learned"]);
    expect(resultOf(same).stdout).toEqual(["learned"]);
    const other = await runCli(["run", fixtures.scenarios, "--policy", file, "--dry-run", "--", "spawn", "echo", "other"]);
    expect(resultOf(other).error).toMatchObject({ code: 4001 });
    expect(other.stderr).toContain("the policy refused 1 request(s)");
    expect(other.stderr).toContain('rule: args of "echo"');
  });

  it("learn mode still refuses code-loading hooks and ready-made argument rules", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "hp-learn-")), "learned.json");
    const run = await runCli(["run", fixtures.scenarios, "--learn-policy", file, "--", "spawn", "env", "touch", join(tmpdir(), "never")]);
    expect(resultOf(run).error).toMatchObject({ code: 4001 });
    expect(run.stderr).toContain("ready-made: env: any arguments");
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ allow: [], allowInherit: { stdout: false, stderr: false } });
  });

  it("a dry run refuses nothing extra and reports nothing when all is allowed", async () => {
    const run = await runCli(["run", fixtures.scenarios, "--allow-run=echo", "--dry-run", "--", "spawn", "echo", "ok"]);
    expect(resultOf(run).stdout).toEqual(["ok"]);
    expect(run.stderr).toContain("the policy refused nothing");
  });
});
