import { spawn as spawnNative, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, inject, it } from "vitest";
import type { ComponentInstance } from "host-process";
import { resultOf, runCli } from "./helpers/cli.js";
import { CLI, ROOT } from "./helpers/fixtures.js";
import { runGuest } from "./helpers/guest.js";
import { isGone, liveMembers, liveMembersOfAll, until } from "./helpers/processes.js";

const fixtures = inject("fixtures");
const TREE = { allow: ["sh"] };

/** Instances a test opened; closed after it, whatever happened. */
const opened: ComponentInstance[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((instance) => instance.close()));
});

async function guest(...args: Parameters<typeof runGuest>) {
  const run = await runGuest(...args);
  opened.push(run.instance);
  return run;
}

describe("process groups", () => {
  it("kill reaches the whole tree: `sh -c 'sleep 100 & sleep 100'` leaves nothing behind", async () => {
    const run = await guest(fixtures.lifecycle, "tree", { then: "kill" }, { policy: TREE });
    const [pid] = run.ready[0].pids;
    expect(run.result.statuses).toEqual([{ signal: "SIGTERM" }]);
    // The leader is reaped; its background sleep got the same signal.
    await until(() => liveMembers(pid).length === 0);
    expect(run.instance.host.liveChildren()).toEqual([]);
  });

  it("close() ends every tree (SIGKILL after killGraceMs for what ignores SIGTERM), reaps them, and is idempotent", async () => {
    const script = "(trap '' TERM; sleep 100) & sleep 100 & echo started; sleep 100";
    const run = await guest(fixtures.lifecycle, "tree", { then: "return", count: 3, script }, { policy: TREE, killGraceMs: 200 });
    expect(run.result).toEqual({ returned: true });
    const pids: number[] = run.ready[0].pids;
    expect(run.instance.host.liveChildren().sort()).toEqual([...pids].sort());
    // "started" is printed once the background jobs are forked; the subshell's own sleep may come a moment later.
    await until(() => liveMembersOfAll(pids).length >= 12);
    expect(liveMembersOfAll(pids)).toHaveLength(12);
    await run.instance.close();
    // Settled only once every group is empty: nothing to wait for here.
    expect(liveMembersOfAll(pids)).toEqual([]);
    for (const pid of pids) expect(isGone(pid)).toBe(true);
    await run.instance.close();
    expect(run.instance.host.liveChildren()).toEqual([]);
  });

  it("close() also ends what a child left running after it exited", async () => {
    const run = await guest(fixtures.lifecycle, "tree", { then: "wait", script: "sleep 100 & echo started" }, { policy: TREE });
    const [pid] = run.ready[0].pids;
    expect(run.result.statuses).toEqual([{ code: 0 }]);
    expect(liveMembers(pid)).toHaveLength(1);
    await run.instance.close();
    expect(liveMembers(pid)).toEqual([]);
  });

  it("the policy's timeoutMs kills the tree; wait (and output) fail with timed-out (4008)", async () => {
    const run = await guest(fixtures.lifecycle, "timeout", {}, { policy: { allow: ["sh", "sleep"], timeoutMs: 300 } });
    expect(run.result.waited.error).toMatchObject({ code: "timed-out" });
    expect(run.result.waited.error.message).toContain("timeoutMs of 300 ms");
    expect(run.result.status).toMatchObject({ running: false, signal: "SIGTERM" });
    expect(run.result.output.error).toMatchObject({ code: 4008, name: "TimedOut" });
    await until(() => liveMembers(run.result.pid).length === 0);
  });

  it("output() past maxOutputBytes fails with limit-exceeded (4007); exactly at the limit it succeeds", async () => {
    const limit = 1 << 20;
    const run = await guest(fixtures.lifecycle, "outputLimit", { limit }, { policy: { allow: ["head"], maxOutputBytes: limit } });
    expect(run.result.atLimit).toBe(limit);
    expect(run.result.over).toMatchObject({ code: 4007, name: "LimitExceeded" });
    expect(run.result.over.message).toContain(`maxOutputBytes is ${limit}`);
    expect(run.instance.host.liveChildren()).toEqual([]);
  });
});

describe("dropping handles", () => {
  it("killOnDrop (the default): a dropped running child is killed, tree and all", async () => {
    const run = await guest(fixtures.lifecycle, "tree", { then: "drop", count: 2 }, { policy: TREE });
    const pids: number[] = run.ready[0].pids;
    await until(() => liveMembersOfAll(pids).length === 0 && run.instance.host.liveChildren().length === 0);
    for (const pid of pids) expect(isGone(pid)).toBe(true);
  });

  it("killOnDrop: false keeps it running; its untaken pipes are drained, so it finishes, and it is reaped", async () => {
    const marker = join(await mkdtemp(join(tmpdir(), "hp-drop-")), "done");
    // 4 MB to a stdout nobody takes: without draining, the child blocks on its full pipe forever.
    const run = await guest(fixtures.lifecycle, "dropWriter", { bytes: 4_000_000, marker }, {
      policy: { allow: ["sh"], killOnDrop: false },
    });
    await until(() => existsSync(marker) && run.instance.host.liveChildren().length === 0);
    expect(isGone(run.result.pid)).toBe(true);
  });

  it("with killOnDrop (the default) the same child is killed before it finishes", async () => {
    const marker = join(await mkdtemp(join(tmpdir(), "hp-drop-")), "done");
    const run = await guest(fixtures.lifecycle, "dropWriter", { bytes: 1_000_000_000, marker }, { policy: { allow: ["sh"] } });
    await until(() => liveMembers(run.result.pid).length === 0);
    expect(existsSync(marker)).toBe(false);
  });

  it("a stdout the guest drops is closed: a child still writing fails instead of blocking forever", async () => {
    const run = await guest(fixtures.lifecycle, "dropTakenStdout", {}, { policy: { allow: ["yes"] } });
    expect(run.result.chunk).toBeGreaterThan(0);
    // Node's pipes are socket pairs: closing one with unread data makes the writer's next
    // write fail with ECONNRESET (`yes` exits 1) rather than raise SIGPIPE.
    expect([{ code: 1 }, { signal: "SIGPIPE" }]).toContainEqual(run.result.status);
  });
});

describe("faults are typed errors, never crashes", () => {
  it("SIGKILL mid-stream, stdout closed early, stdin of an exited child, reading after the end, wait twice, kill after exit", async () => {
    const run = await runCli(["run", fixtures.lifecycle, "--allow-run=sh,yes,true", "--", "faults"]);
    expect(run.code).toBe(0);
    const result = resultOf(run);
    // Every byte written before the SIGKILL arrives, then the end, then the signal.
    expect(result.killedAfterWriting).toEqual({
      bytes: 1_000_000, status: { signal: "SIGKILL" }, after: { id: 1, running: false, signal: "SIGKILL" },
    });
    expect(result.killedMidStream).toMatchObject({
      readAgain: { error: { stream: "closed" } },
      status: { signal: "SIGKILL" },
      waitAgain: { signal: "SIGKILL" },
      killAgain: { error: { code: "already-exited" } },
    });
    expect(result.closesStdoutEarly).toEqual({
      stdout: "first\n", whileRunning: { id: 3, running: true }, stderr: "after go\n", status: { code: 0 },
    });
    expect(result.writeAfterExit.error).toBeDefined();
    expect(result.writeAfterExit.again).toMatchObject({ error: expect.objectContaining({ stream: expect.any(String) }) });
  });

  it("the same through the guest module: ProcessError codes", async () => {
    const run = await runCli(["run", fixtures.lifecycle, "--allow-run=true,echo", "--", "moduleFaults"]);
    expect(resultOf(run)).toEqual({
      write: { code: 4000, name: "Io", message: expect.stringContaining("stdin of `true`") },
      first: "hi\n",
      end: true,
      afterEnd: true,
      waited: [{ code: 0, success: true, signal: null }, { code: 0, success: true, signal: null }],
      kill: { code: 4005, name: "AlreadyExited", message: expect.stringContaining("already exited") },
    });
  });

  it("blocking writes of any length wait for room (the shim would exit the host past 16 KiB); skips return counts", async () => {
    const run = await guest(fixtures.lifecycle, "bigWrites", {}, { policy: { allow: ["wc", "head"] } });
    expect(run.result).toEqual({ counted: String(2 << 20), skipped: 100_000, sink: { code: 0 }, source: { code: 0 } });
  });

  it("a write past check-write's permit traps the guest, not the host (the shim would exit the process)", async () => {
    const run = await guest(fixtures.lifecycle, "overWrite", {}, { policy: { allow: ["cat"] } });
    expect(run.outcome).toMatchObject({ thrown: expect.objectContaining({ message: expect.stringContaining("exceeds the") }) });
    expect(run.result).toBeUndefined();
    await run.instance.close();
    expect(liveMembersOfAll(run.ready[0].pids)).toEqual([]);
  });

  it("a guest that traps while its children run: the instance still closes, and nothing is left running", async () => {
    const run = await guest(fixtures.lifecycle, "tree", { then: "trap", count: 2 }, { policy: TREE });
    expect(run.outcome).toMatchObject({ thrown: expect.anything() });
    const pids: number[] = run.ready[0].pids;
    expect(run.instance.host.liveChildren().sort()).toEqual([...pids].sort());
    await run.instance.close();
    expect(liveMembersOfAll(pids)).toEqual([]);
  });
});

/** Starts a host process, waits for its `PIDS` (or guest `READY`) line; returns the process and the pids. */
async function startHost(args: string[]): Promise<{ host: ChildProcess; pids: number[]; exited: Promise<unknown> }> {
  const host = spawnNative(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise((resolve) => host.once("exit", (code, signal) => resolve(signal ?? code)));
  let buffered = "";
  const pids = await new Promise<number[]>((resolve, reject) => {
    host.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split("\n").find((l) => l.startsWith("PIDS ") || l.startsWith("READY "));
      if (line?.startsWith("PIDS ")) resolve(JSON.parse(line.slice(5)));
      if (line?.startsWith("READY ")) resolve(JSON.parse(line.slice(6)).pids);
    });
    void exited.then((how) => reject(new Error(`host ended (${String(how)}) before starting its children:\n${buffered}`)));
  });
  return { host, pids, exited };
}

describe("nothing survives the host", () => {
  const dyingHost = join(ROOT, "test", "helpers", "dying-host.mjs");

  it("a host that exits normally, without close(), leaves no child running", async () => {
    const { pids, exited } = await startHost([dyingHost, "exit", "2"]);
    expect(await exited).toBe(0);
    await until(() => liveMembersOfAll(pids).length === 0);
  });

  it.each(["SIGINT", "SIGTERM", "SIGKILL"] as const)(
    "%s to a host whose main thread is blocked in a synchronous wait ends every tree",
    async (signal) => {
      // The second member ignores SIGTERM: only the SIGKILL after the grace period ends it.
      const script = "(trap '' TERM; sleep 100) & echo started; sleep 100";
      const { host, pids, exited } = await startHost([dyingHost, "block", "2", script]);
      // The trees are still forking when their pids are printed: let all six members start.
      await until(() => liveMembersOfAll(pids).length === 6);
      expect(liveMembersOfAll(pids)).toHaveLength(6);
      host.kill(signal);
      expect(await exited).toBe(signal);
      await until(() => liveMembersOfAll(pids).length === 0);
    },
  );

  it("Ctrl-C (SIGINT) to `host-process run` while the guest is blocked in wait ends every tree", async () => {
    const { host, pids, exited } = await startHost([CLI, "run", fixtures.lifecycle, "--allow-run=sh", "--", "tree", '{"then":"wait","count":2}']);
    await until(() => liveMembersOfAll(pids).length === 6);
    expect(liveMembersOfAll(pids)).toHaveLength(6);
    host.kill("SIGINT");
    expect(await exited).toBe("SIGINT");
    await until(() => liveMembersOfAll(pids).length === 0);
  });
});
