/**
 * Class 2 of issue 12: programs that run programs. Privilege, namespace,
 * limit and session tools run their arguments; shells, interpreters and
 * programs with a shell escape (ed's `!`) run anything. Under `allow: ["*"]`
 * none of them runs (a deliberate, named choice of the host is needed), and
 * named with free arguments a runner still gets no arguments. Each attack is
 * run through the host with real processes and a sentinel file as witness.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProcessHost, type ProcessPolicy, type SpawnOptions } from "host-process";

let work: string;
let sentinel: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "hp-runners-"));
  sentinel = join(work, "SENTINEL");
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const base: SpawnOptions = { args: [], env: [], stdin: "null", stdout: "null", stderr: "null" };

/** Spawns through the host; returns the refusal code or the exit code, after the child (if any) ended. */
async function attempt(policy: ProcessPolicy, command: string, options: Partial<SpawnOptions>): Promise<string> {
  const host = createProcessHost(policy, { killGraceMs: 100 });
  try {
    const child = host.imports["host:process/process"].spawn(command, { ...base, ...options });
    return `exit ${child.wait().code}`;
  } catch (error) {
    return (error as { payload: { code: string } }).payload.code;
  } finally {
    await host.close();
  }
}

const touch = () => ["touch", sentinel];
const cases: [string, ProcessPolicy, string, () => string[], string?][] = [
  ["prlimit under allow *", { allow: ["*"] }, "prlimit", () => ["--nofile=64", ...touch()]],
  ["setpriv under allow *", { allow: ["*"] }, "setpriv", () => ["--reuid=0", ...touch()]],
  ["setarch under allow *", { allow: ["*"] }, "setarch", () => ["x86_64", ...touch()]],
  ["sh -c under allow *", { allow: ["*"] }, "sh", () => ["-c", `touch ${sentinel}`]],
  ["python3 -c under allow *", { allow: ["*"] }, "python3", () => ["-c", `open(${JSON.stringify(sentinel)}, "w")`]],
  ["awk system() under allow *", { allow: ["*"] }, "awk", () => [`BEGIN { system("touch ${sentinel}") }`]],
  ["ed under allow * (its ! command runs a shell command)", { allow: ["*"] }, "ed", () => ["-s", `!touch ${sentinel}`]],
  ["git under allow * (a fenced program needs a named choice)", { allow: ["*"] }, "git", () => ["--version"]],
  ["prlimit named with free arguments", { allow: ["prlimit"] }, "prlimit", () => touch()],
  ["setpriv named with free arguments", { allow: ["setpriv"] }, "setpriv", () => touch()],
  ["run-parts named with free arguments", { allow: ["run-parts"] }, "run-parts", () => [work]],
  ["unshare named with free arguments", { allow: ["unshare"] }, "unshare", () => touch()],
  ["script -c named with free arguments", { allow: ["script"] }, "script", () => ["-qc", `touch ${sentinel}`, "/dev/null"]],
];

describe("runners, interpreters and fenced programs are refused unless the host names them", () => {
  it.each(cases)("%s", async (_, policy, command, args) => {
    expect(await attempt(policy, command, { args: args() })).toBe("permission-denied");
    expect(existsSync(sentinel)).toBe(false);
  });

  it("a shell named in allow is the host's deliberate choice and runs", async () => {
    expect(await attempt({ allow: ["sh"] }, "sh", { args: ["-c", "exit 3"] })).toBe("exit 3");
  });

  it("a runner with trustArguments runs its command; a plain program under * still runs", async () => {
    expect(await attempt({ allow: [{ command: "prlimit", args: "any", trustArguments: true }] }, "prlimit", { args: ["--nofile=64", "true"] })).toBe("exit 0");
    expect(await attempt({ allow: ["*"] }, "true", {})).toBe("exit 0");
  });

  it("the refusal says how to allow it by name", async () => {
    const host = createProcessHost({ allow: ["*"] });
    try {
      expect(() => host.imports["host:process/process"].spawn("sh", base)).toThrow(
        expect.objectContaining({ payload: expect.objectContaining({ message: expect.stringContaining('allow: ["sh"]') }) }),
      );
    } finally {
      await host.close();
    }
  });
});
