/**
 * Class 5 of issue 12: the cwd is checked, then used. An ally of the guest
 * swaps an allowed directory for a symlink to a folder outside `allowCwd`, as
 * fast as it can, while the guest spawns `pwd -P` in it. The child starts in
 * the directory the launcher opened and checked, or not at all: it never
 * prints the outside folder.
 */
import { spawn as nativeSpawn } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createProcessHost } from "host-process";
import { readToEnd } from "../helpers/streams.js";

describe("the cwd race", () => {
  it("400 spawns while a directory flips to a symlink outside: zero escapes, and both sides of the race seen", async () => {
    const work = realpathSync(mkdtempSync(join(tmpdir(), "hp-cwd-race-")));
    const allowed = join(work, "allowed");
    const outside = join(work, "outside");
    mkdirSync(join(allowed, "sub"), { recursive: true });
    mkdirSync(outside);
    const sub = join(allowed, "sub");
    // Two renames each way: sub is the real directory (2 ms), then a symlink to outside (1 ms), missing only in between.
    const flip = "import os, time\nos.symlink('../outside', 'link')\nwhile True:\n  time.sleep(0.002)\n  os.rename('sub', 'real'); os.rename('link', 'sub')\n  time.sleep(0.001)\n  os.rename('sub', 'link'); os.rename('real', 'sub')\n";
    const flipper = nativeSpawn("python3", ["-c", flip], { cwd: allowed, stdio: "ignore" });
    const host = createProcessHost({ allow: [{ command: "pwd", args: [["-P"]] }], allowCwd: [allowed], maxProcesses: 1 });
    const outcomes = new Map<string, number>();
    try {
      for (let i = 0; i < 400; i++) {
        let outcome: string;
        try {
          const child = host.imports["host:process/process"].spawn("pwd", { args: ["-P"], cwd: sub, env: [], stdin: "null", stdout: "piped", stderr: "null" });
          const printed = readToEnd(child.takeStdout()!).trim();
          child.wait();
          // The opened directory may have been renamed to real since: the child is still in it.
          outcome = printed === sub || printed === join(allowed, "real") ? "in sub" : printed.startsWith(outside) ? "ESCAPED" : `elsewhere: ${printed}`;
          (child as unknown as Disposable)[Symbol.dispose]();
        } catch (error) {
          outcome = (error as { payload: { code: string } }).payload.code;
        }
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    } finally {
      flipper.kill("SIGKILL");
      await host.close();
      rmSync(work, { recursive: true, force: true });
    }
    expect(outcomes.get("ESCAPED") ?? 0).toBe(0);
    expect([...outcomes.keys()].every((o) => ["in sub", "permission-denied", "not-found", "spawn-failed"].includes(o))).toBe(true);
    // The race was really run: some spawns ran in sub, some were refused at the check or at the launcher.
    expect(outcomes.get("in sub") ?? 0).toBeGreaterThan(0);
    expect((outcomes.get("permission-denied") ?? 0) + (outcomes.get("spawn-failed") ?? 0)).toBeGreaterThan(0);
  }, 300_000);
});
