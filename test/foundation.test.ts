import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, writeFile, chmod, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { describe, expect, inject, it } from "vitest";
import { resultOf, runCli } from "./helpers/cli.js";

const fixtures = inject("fixtures");
const scenarios = (name: string, flags: string[], ...args: string[]) =>
  runCli(["run", fixtures.scenarios, ...flags, "--", name, ...args]);

describe("the Forge example, built and run with the CLI", () => {
  it("lists the directory exactly as `ls -la` does", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hp-forge-"));
    for (const name of ["alpha.txt", "beta.txt", "gamma"]) await writeFile(join(dir, name), name);
    const run = await runCli(["run", fixtures.hello, "--allow-run=ls"], { cwd: dir });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const native = execFileSync("ls", ["-la"], { cwd: dir, env: {} }).toString();
    expect(run.stdout).toBe(native);
    for (const name of ["alpha.txt", "beta.txt", "gamma"]) expect(run.stdout).toContain(name);
  });

  it("without --allow-run=ls the guest gets PermissionDenied (4001) and exits 1", async () => {
    const run = await runCli(["run", fixtures.hello]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("PermissionDenied");
    expect(run.stderr).toContain("--allow-run=ls");
  });
});

describe("policy decisions seen by the guest", () => {
  it("a denied program is not started (it would have created a sentinel file)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hp-deny-"));
    const sentinel = join(dir, "sentinel");
    const run = await scenarios("spawn", ["--allow-run=ls"], "touch", sentinel);
    expect(resultOf(run).error).toMatchObject({ code: 4001, name: "PermissionDenied" });
    expect(resultOf(run).error.message).toContain("`touch`");
    expect(existsSync(sentinel)).toBe(false);
    // The same request, allowed, does create it: the sentinel is a real witness.
    const allowed = await scenarios("spawn", ["--allow-run=touch"], "touch", sentinel);
    expect(resultOf(allowed).status).toEqual({ code: 0, success: true, signal: null });
    expect(existsSync(sentinel)).toBe(true);
  });

  it("deny wins over allow, matched on the resolved path", async () => {
    const run = await scenarios("spawn", ["--allow-run=*", "--deny-run=touch"], "/usr/bin/touch", "/tmp/never");
    expect(resultOf(run).error).toMatchObject({ code: 4001 });
    expect(resultOf(run).error.message).toContain("deny");
  });

  it("a missing program is NotFound (4002)", async () => {
    const run = await scenarios("spawn", ["--allow-run=*"], "no-such-program-here");
    expect(resultOf(run).error).toMatchObject({ code: 4002, name: "NotFound" });
    expect(resultOf(run).error.message).toContain("no-such-program-here");
  });

  it("bad input and refused options are typed errors, never crashes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hp-errors-"));
    // Not named "script": that is a runner (util-linux script), which allow: ["*"] no longer covers (issue 12).
    const notExecutable = join(dir, "not-executable.sh");
    await writeFile(notExecutable, "#!/bin/sh\necho hi\n");
    await chmod(notExecutable, 0o644);
    const directory = join(dir, "subdir");
    await mkdir(directory);
    const run = await scenarios("errors", ["--allow-run=*"], notExecutable, directory);
    expect(run.code).toBe(0);
    const result = resultOf(run);
    expect(result.nulInArgument.error).toMatchObject({ code: 4006, name: "InvalidArgument" });
    expect(result.nulInCommand.error).toMatchObject({ code: 4006 });
    expect(result.emptyCommand.error).toMatchObject({ code: 4006 });
    expect(result.missing.error).toMatchObject({ code: 4002 });
    expect(result.missingPath.error).toMatchObject({ code: 4002 });
    expect(result.notExecutable.error).toMatchObject({ code: 4003, name: "SpawnFailed" });
    expect(result.notExecutable.error.message).toContain("EACCES");
    expect(result.directory.error).toMatchObject({ code: 4003 });
    expect(result.envDenied.error).toMatchObject({ code: 4001 });
    expect(result.envDenied.error.message).toContain("FOO");
    expect(result.cwdDenied.error).toMatchObject({ code: 4001 });
    expect(result.stdinInherit.error).toMatchObject({ code: 4001 });
    expect(result.badSignal.error).toMatchObject({ code: 4006 });
    expect(result.badSignal.error.message).toContain("SIGNOPE");
  });
});

describe("child processes through wasi:io", () => {
  it("stdin → cat → stdout round trip, closed with stdin.close()", async () => {
    const run = await scenarios("cat", ["--allow-run=cat"]);
    const result = resultOf(run);
    expect(result.received).toBe(result.sent);
    expect(result.status).toEqual({ code: 0, success: true, signal: null });
    expect(result.afterClose.error).toMatchObject({ code: 4000 });
  });

  it.each(["SIGTERM", "SIGKILL"])("kill(%s) of sleep 100 shows the signal in wait() and status()", async (signal) => {
    const run = await scenarios("kill", ["--allow-run=sleep"], signal);
    const result = resultOf(run);
    expect(result.before).toEqual({ running: true, exitCode: null, signal: null });
    expect(result.waited).toEqual({ code: null, success: false, signal });
    expect(result.after).toEqual({ running: false, exitCode: null, signal });
    expect(result.killAgain.error).toMatchObject({ code: 4005, name: "AlreadyExited" });
  });

  it("status() while running and after exit; kill after exit is AlreadyExited", async () => {
    const result = resultOf(await scenarios("status", ["--allow-run=sleep,true"]));
    expect(result.running).toEqual({ running: true, exitCode: null, signal: null });
    expect(result.waited).toEqual({ code: 0, success: true, signal: null });
    expect(result.after).toEqual({ running: false, exitCode: 0, signal: null });
    expect(result.exited).toEqual({ code: 0 });
    expect(result.rawAfter).toEqual({ id: result.rawId, running: false, exitCode: 0 });
    expect(result.rawKill.error).toMatchObject({ code: "already-exited" });
    expect(result.rawKill.error.message).toContain("`true`");
    expect(result.rawId).not.toBe(result.id);
  });

  it("output() collects stdout, stderr and the exit code", async () => {
    const result = resultOf(await scenarios("output", ["--allow-run=sh"], "sh", "-c", "echo out; echo err >&2; exit 7"));
    expect(result).toEqual({ status: { code: 7, success: false, signal: null }, stdout: "out\n", stderr: "err\n" });
  });

  it("polls child stdout, stderr and exit together with wasi:io/poll", async () => {
    const result = resultOf(await scenarios("poll", ["--allow-run=sh"]));
    expect(result.received).toEqual({ stdout: "out1\nout2\n", stderr: "err1\nerr2\n" });
    expect(result.status).toEqual({ code: 3 });
    expect(result.events).toContain("exit");
    // A clock pollable in the same poll list fired while the child was still running.
    expect(result.events).toContain("clock");
    expect(result.events.indexOf("clock")).toBeLessThan(result.events.indexOf("exit"));
    expect(result.events).toContain("stdout-closed");
    expect(result.events).toContain("stderr-closed");
    // Output arrived while the child was running, interleaved as it was written.
    expect(result.events.indexOf("stdout")).toBeLessThan(result.events.indexOf("stderr"));
    expect(result.events.indexOf("stderr")).toBeLessThan(result.events.indexOf("exit"));
  });

  it("blocking-splice moves one child's stdout into another's stdin; dropping the stream closes it", async () => {
    const result = resultOf(await scenarios("splice", ["--allow-run=seq,wc"]));
    const seqBytes = Array.from({ length: 100000 }, (_, i) => `${i + 1}\n`).join("").length;
    expect(result.spliced).toBe(seqBytes);
    expect(result.counted).toBe(seqBytes + result.header);
    expect(result.source).toEqual({ code: 0 });
    expect(result.sink).toEqual({ code: 0 });
  });

  it("stdin-from joins two children with an OS pipe; an early exit or a half-read pipe loses nothing; other streams are refused", async () => {
    const result = resultOf(await scenarios("pipeline", ["--allow-run=head,wc,echo,cat,sh"], String(8 * 1024 * 1024)));
    expect(result.counted).toBe(8 * 1024 * 1024);
    expect(result.statuses).toEqual([{ code: 0 }, { code: 0 }]);
    expect(result.relayed).toBe("said before the join\n");
    expect(result.first).toBe("on");
    expect(result.remainder).toBe("e\ntwo\n");
    expect(result.refused).toMatchObject({ code: "invalid-argument", message: expect.stringContaining("stdin-from") });
  });

  it("the guest module joins children with spawn(cmd, { stdin: producer.stdout })", async () => {
    const result = resultOf(await scenarios("pipelineApi", ["--allow-run=seq,wc,echo,cat"]));
    expect(result.counted).toEqual(["5000"]);
    expect(result.statuses).toEqual([
      { code: 0, success: true, signal: null },
      { code: 0, success: true, signal: null },
    ]);
    expect(result.refused.error).toMatchObject({ code: 4006, name: "InvalidArgument" });
  });

  it("a child that prints and exits before the guest reads loses nothing, 1000 times", async () => {
    const result = resultOf(await scenarios("race", ["--allow-run=seq"], "1000"));
    expect(result.count).toBe(1000);
    expect(result.failures).toEqual([]);
  });

  it("maxProcesses fails fast with LimitExceeded and frees a slot once a child is reaped", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hp-limit-"));
    const policy = join(dir, "policy.json");
    await writeFile(policy, JSON.stringify({ allow: ["sleep"], maxProcesses: 3 }));
    const result = resultOf(await scenarios("limit", ["--policy", policy], "3"));
    expect(result.overLimit.error).toMatchObject({ code: 4007, name: "LimitExceeded" });
    expect(result.overLimit.error.message).toContain("maxProcesses");
    expect(result.afterReap).toEqual({ spawned: true });
  });

  it("the child's environment holds only what the guest was allowed to set", async () => {
    // Nothing of the host's environment but PATH, which is the policy's search path.
    const policyPath = `PATH=${(process.env.PATH ?? "").split(":").filter((dir) => dir.startsWith("/")).join(":")}`;
    const result = resultOf(await scenarios("env", ["--allow-run=env", "--allow-env=GREETING"], "GREETING=hi"));
    expect(result.env).toEqual(["GREETING=hi", policyPath]);
    const none = resultOf(await scenarios("env", ["--allow-run=env"]));
    expect(none.env).toEqual([policyPath]);
  });
});

describe("build", () => {
  it("runs the guest's top-level code (and top-level await) at run time, not at build time", async () => {
    const before = Date.now();
    const run = await runCli(["run", fixtures.toplevel]);
    const stamps = [...run.stdout.matchAll(/TOPLEVEL (?:evaluated|after await) at (\d+)/g)].map((m) => Number(m[1]));
    expect(stamps).toHaveLength(2);
    for (const stamp of stamps) expect(stamp).toBeGreaterThanOrEqual(before);
    expect(stamps[1]! - stamps[0]!).toBeGreaterThanOrEqual(15);
    // A top-level throw becomes a failed run with the message on stderr.
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("thrown at the top level");
  });
});
