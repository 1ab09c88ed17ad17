// The launcher (host/spawner/launcher.ts): once it is ready, children are
// started by it, so that fork() copies it and not the host. Their pipes and
// exits come back through it; if it dies, its children are ended and
// reported; it never outlives the host.
import { spawn as spawnNative } from "node:child_process";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { createProcessHost, spawnerStats, type SpawnOptions } from "host-process";
import { buildFixture, ROOT } from "./helpers/fixtures.js";
import { childrenOf, isGone, liveMembersOfAll, parentPid, until } from "./helpers/processes.js";
import { readToEnd } from "./helpers/streams.js";

const quiet = (args: string[]): SpawnOptions => ({ args, env: [], stdin: "null", stdout: "null", stderr: "null" });
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Starts the spawner with one spawn, then waits for its launcher; returns the launcher's pid. */
async function readyLauncher(spawn: (command: string, options: SpawnOptions) => { wait(): unknown }): Promise<number> {
  spawn("true", quiet([])).wait();
  await until(() => spawnerStats().launcher !== undefined);
  return spawnerStats().launcher!;
}

describe("the launcher", () => {
  it("starts the children once it is ready: their parent is the launcher, and their pipes and exit come through", async () => {
    const host = createProcessHost({ allow: ["true", "sleep", "cat"] });
    try {
      const { spawn } = host.imports["host:process/process"];
      const launcher = await readyLauncher(spawn);
      expect(launcher).not.toBe(process.pid);
      const sleeper = spawn("sleep", quiet(["5"]));
      expect(parentPid(sleeper.pid())).toBe(launcher);
      sleeper.kill("SIGTERM");
      expect(sleeper.wait()).toEqual({ code: undefined, signal: "SIGTERM" });

      const cat = spawn("cat", { args: [], env: [], stdin: "piped", stdout: "piped", stderr: "null" });
      expect(parentPid(cat.pid())).toBe(launcher);
      const stdin = cat.takeStdin()!;
      stdin.blockingWriteAndFlush(new TextEncoder().encode("through the launcher\n"));
      (stdin as unknown as Disposable)[Symbol.dispose]();
      expect(readToEnd(cat.takeStdout()!)).toBe("through the launcher\n");
      expect(cat.wait()).toEqual({ code: 0, signal: undefined });
    } finally {
      await host.close();
    }
  });

  it("output() through it: the launcher relays stdout and stderr, and the limits and stdin-from hold", async () => {
    const host = createProcessHost({ allow: ["true", "sh", "head", "sleep", "echo", "cat"], maxOutputBytes: 1000, timeoutMs: 300 });
    try {
      const { spawn, output } = host.imports["host:process/process"];
      await readyLauncher(spawn);
      const both: SpawnOptions = { args: [], env: [], stdin: "null", stdout: "piped", stderr: "piped" };
      const done = output("sh", { ...both, args: ["-c", "echo out; echo err >&2; exit 3"] });
      expect({ status: done.status, stdout: decode(done.stdout), stderr: decode(done.stderr) })
        .toEqual({ status: { code: 3, signal: undefined }, stdout: "out\n", stderr: "err\n" });
      expect(() => output("head", { ...both, args: ["-c", "100000000", "/dev/zero"] }))
        .toThrow(expect.objectContaining({ payload: expect.objectContaining({ code: "limit-exceeded" }) }));
      expect(() => output("sleep", { ...both, args: ["5"] }))
        .toThrow(expect.objectContaining({ payload: expect.objectContaining({ code: "timed-out" }) }));
      const producer = spawn("echo", { ...both, args: ["joined"], stderr: "null" });
      const joined = output("cat", { ...both, stdinFrom: producer.takeStdout()! });
      expect(decode(joined.stdout)).toBe("joined\n");
      expect(producer.wait()).toEqual({ code: 0, signal: undefined });
    } finally {
      await host.close();
    }
  });

  it("if it dies, the children it started are killed and reported as SIGKILL, a new one starts, and spawning goes on", async () => {
    const host = createProcessHost({ allow: ["true", "sleep", "echo"] });
    try {
      const { spawn } = host.imports["host:process/process"];
      const launcher = await readyLauncher(spawn);
      // One that dies within a second of its start is not started again: let this one live longer.
      await delay(1100);
      const sleeper = spawn("sleep", quiet(["30"]));
      const pid = sleeper.pid();
      expect(parentPid(pid)).toBe(launcher);
      process.kill(launcher, "SIGKILL");
      expect(sleeper.wait()).toEqual({ code: undefined, signal: "SIGKILL" });
      await until(() => liveMembersOfAll([pid]).length === 0);
      const echo = spawn("echo", { ...quiet(["still spawning"]), stdout: "piped" });
      expect(readToEnd(echo.takeStdout()!)).toBe("still spawning\n");
      expect(echo.wait()).toEqual({ code: 0, signal: undefined });
      await until(() => (spawnerStats().launcher ?? launcher) !== launcher);
      expect(isGone(launcher)).toBe(true);
    } finally {
      await host.close();
    }
  });

  it("starts while a component whose policy allows a program is instantiated, before any spawn; a policy that allows none starts nothing", async () => {
    const component = await buildFixture("hello");
    /** Instantiates in a host process of its own; returns the launchers that host has while it idles. */
    const launchersAfterInstantiating = async (policy: object): Promise<number[]> => {
      const host = spawnNative(process.execPath, [join(ROOT, "test", "helpers", "instantiate-host.mjs"), component, JSON.stringify(policy)], {
        cwd: ROOT, stdio: ["pipe", "pipe", "inherit"],
      });
      const exited = new Promise((resolve) => host.once("exit", (code, signal) => resolve(signal ?? code)));
      let output = "";
      host.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      await until(() => output.includes("READY") || host.exitCode !== null);
      expect(output).toContain("READY");
      const launchers = () => childrenOf(host.pid!).filter((child) => child.commandLine.includes("launcher.js")).map((child) => child.pid);
      // A launcher boots in tens of milliseconds; for the policy that allows nothing, this is how long it has to appear.
      for (let tries = 0; tries < 50 && launchers().length === 0; tries++) await delay(20);
      const found = launchers();
      host.stdin!.end();
      expect(await exited).toBe(0);
      return found;
    };
    expect(await launchersAfterInstantiating({ allow: ["true"] })).toHaveLength(1);
    expect(await launchersAfterInstantiating({})).toEqual([]);
  });

  it("never outlives the host: a host SIGKILLed while blocked leaves neither the launcher nor a child running", async () => {
    const host = spawnNative(process.execPath, [join(ROOT, "test", "helpers", "launcher-host.mjs"), "2"], {
      cwd: ROOT, stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise((resolve) => host.once("exit", (code, signal) => resolve(signal ?? code)));
    let output = "";
    host.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await until(() => /^PIDS /m.test(output) || host.exitCode !== null);
    const launcher = Number(/^LAUNCHER (\d+)$/m.exec(output)?.[1]);
    const pids = JSON.parse(/^PIDS (.*)$/m.exec(output)![1]!) as number[];
    expect(pids.map(parentPid)).toEqual([launcher, launcher]);
    host.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    await until(() => isGone(launcher) && liveMembersOfAll(pids).length === 0);
    expect(isGone(launcher)).toBe(true);
  });
});
