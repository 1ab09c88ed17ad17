import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { resultOf, runCli } from "./helpers/cli.js";

const fixtures = inject("fixtures");
const guestApi = async (name: string, flags: string[], ...args: string[]) =>
  resultOf(await runCli(["run", fixtures.guestApi, ...flags, "--", name, ...args]));

describe("output()", () => {
  it("keeps stdout and stderr as bytes and decodes them with text()", async () => {
    const result = await guestApi("text", ["--allow-run=sh"]);
    expect(result).toEqual({
      status: { code: 3, success: false, signal: null },
      text: "héllo\nwörld",
      stderrText: "warn\n",
      stdoutBytes: Buffer.byteLength("héllo\nwörld"),
    });
  });
});

describe("child.all", () => {
  it("gives stdout and stderr lines in arrival order, never cutting a half-written line", async () => {
    const result = await guestApi("all", ["--allow-run=sh"]);
    expect(result.lines).toEqual(["o1", "e1", "e2", "partial", "e3"]);
    expect(result.status).toEqual({ code: 0, success: true, signal: null });
  });

  it("reads only stdout when stderr is not piped", async () => {
    const result = await guestApi("allStdoutOnly", ["--allow-run=sh"]);
    expect(result.lines).toEqual(["out"]);
  });
});

describe("line iteration", () => {
  it("removes \\n and \\r\\n, keeps empty lines, a lone \\r and a last line without newline", async () => {
    const result = await guestApi("lineEndings", ["--allow-run=printf"]);
    expect(result.lines).toEqual(["a", "b", "", "c\rd", "last"]);
  });

  it("streams: a line is handed over while the child still runs (the child waits for the guest's answer)", async () => {
    const result = await guestApi("streaming", ["--allow-run=sh"]);
    expect(result.seen).toEqual(["first", "second after answer"]);
    expect(result.status.success).toBe(true);
  });

  it("counts 200,000 lines of seq without losing or merging any", async () => {
    const result = await guestApi("many", ["--allow-run=seq"], "200000");
    expect(result).toEqual({ lines: 200_000, last: "200000", status: { code: 0, success: true, signal: null } });
  });

  it("refuses to iterate a stream that is not piped (InvalidArgument)", async () => {
    const result = await guestApi("notPiped", ["--allow-run=true"]);
    expect(result.iterated.error).toMatchObject({ code: 4006, name: "InvalidArgument" });
    expect(result.iterated.error.message).toContain('stdout: "piped"');
  });
});

describe("spawn({ signal })", () => {
  it("kills the child when a timer aborts while the guest reads its stdout", async () => {
    const result = await guestApi("abortWhileReading", ["--allow-run=sleep"]);
    expect(result).toEqual({ lines: [], aborted: true, status: { code: null, success: false, signal: "SIGTERM" } });
  });

  it("kills with killSignal while the guest waits", async () => {
    const result = await guestApi("abortWhileWaiting", ["--allow-run=sleep"]);
    expect(result.status).toEqual({ code: null, success: false, signal: "SIGKILL" });
    expect(result.after).toEqual({ running: false, exitCode: null, signal: "SIGKILL" });
  });

  it("starts nothing when already aborted and rejects with the signal's reason", async () => {
    const sentinel = join(await mkdtemp(join(tmpdir(), "hp-abort-")), "sentinel");
    const result = await guestApi("abortBeforeSpawn", ["--allow-run=touch"], sentinel);
    expect(result.spawned.rejected).toMatchObject({ name: "AbortError" });
    expect(existsSync(sentinel)).toBe(false);
  });

  it("changes nothing when aborted after the child exited", async () => {
    const result = await guestApi("abortAfterExit", ["--allow-run=echo"]);
    expect(result).toEqual({
      lines: ["done"],
      status: { code: 0, success: true, signal: null },
      after: { running: false, exitCode: 0, signal: null },
    });
  });
});
