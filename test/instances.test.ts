import { describe, expect, inject, it } from "vitest";
import { createProcessHost, instantiateComponent, normalizePolicy, type SpawnOptions } from "host-process";

const fixtures = inject("fixtures");

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const sleepOptions: SpawnOptions = { args: ["100"], env: [], stdin: "null", stdout: "null", stderr: "null" };

describe("instances", () => {
  it("two instances with different policies do not share permissions or children", async () => {
    const allowed = await instantiateComponent(fixtures.scenarios, { policy: { allow: ["sleep"] }, args: ["scenarios", "linger"] });
    const denied = await instantiateComponent(fixtures.scenarios, { policy: { allow: ["ls"] }, args: ["scenarios", "linger"] });
    try {
      expect(await allowed.run()).toBe(0);
      expect(await denied.run()).toBe(1);
      const [pid] = allowed.host.liveChildren();
      expect(allowed.host.liveChildren()).toHaveLength(1);
      expect(denied.host.liveChildren()).toEqual([]);
      expect(isRunning(pid!)).toBe(true);
      // Closing one instance leaves the other's child alone.
      await denied.close();
      expect(isRunning(pid!)).toBe(true);
      await allowed.close();
      expect(isRunning(pid!)).toBe(false);
      expect(allowed.host.liveChildren()).toEqual([]);
    } finally {
      await allowed.close();
      await denied.close();
    }
  });

  it("host.close() ends and reaps every child, even one that ignores SIGTERM, and is idempotent", async () => {
    const host = createProcessHost({ allow: ["sleep", process.execPath] }, { killGraceMs: 200 });
    const { spawn } = host.imports["host:process/process"];
    const children = [spawn("sleep", sleepOptions), spawn("sleep", sleepOptions)];
    const stubborn = spawn(process.execPath, {
      ...sleepOptions,
      stdout: "piped",
      args: ["-e", "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('ready')"],
    });
    // Only once it says so has it installed its SIGTERM handler.
    expect(new TextDecoder().decode(stubborn.takeStdout()!.blockingRead(100n))).toBe("ready\n");
    const pids = [...children, stubborn].map((child) => child.pid());
    expect(host.liveChildren().sort()).toEqual([...pids].sort());
    await host.close();
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
    expect(stubborn.status()).toMatchObject({ running: false, signal: "SIGKILL" });
    await host.close();
    expect(host.liveChildren()).toEqual([]);
    expect(() => spawn("sleep", sleepOptions)).toThrow(/closed/);
  });

  it("dropping a running child kills and reaps it", async () => {
    const host = createProcessHost({ allow: ["sleep"] }, { killGraceMs: 200 });
    try {
      const child = host.imports["host:process/process"].spawn("sleep", sleepOptions);
      const pid = child.pid();
      (child as unknown as Disposable)[Symbol.dispose]();
      for (let i = 0; i < 100 && host.liveChildren().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(host.liveChildren()).toEqual([]);
      expect(isRunning(pid)).toBe(false);
    } finally {
      await host.close();
    }
  });

  it("host errors are jco `err` values: thrown with a typed payload", () => {
    const host = createProcessHost({ allow: ["sleep"] });
    const { spawn } = host.imports["host:process/process"];
    expect(() => spawn("rm", sleepOptions)).toThrow(expect.objectContaining({ payload: expect.objectContaining({ code: "permission-denied" }) }));
    return host.close();
  });
});

describe("policy validation", () => {
  it.each([
    [{ maxProcesses: 0 }, /`maxProcesses`.*positive integer.*got `0`/],
    [{ allow: "ls" }, /`allow`.*an array of command names.*got "ls"/],
    [{ allow: ["bin/ls"] }, /`allow\[0\]`.*command names, absolute paths.*got "bin\/ls"/],
    [{ allowEnv: "yes" }, /`allowEnv`.*boolean or an array/],
    [{ cwd: "relative" }, /`cwd`.*absolute directory/],
    [{ allowCwd: ["/definitely/not/here"] }, /`allowCwd`.*existing directory/],
    [{ alow: ["ls"] }, /Unknown policy option `alow`/],
  ])("%j is refused with a message naming the option", (policy, message) => {
    expect(() => normalizePolicy(policy as never)).toThrow(message);
  });
});
