// Concurrency inside one guest (the guest module's reactor): the patterns
// Deno and Node users write, each checked by the order of its events and by
// counts, never by a wall-clock bound.
import { describe, expect, inject, it } from "vitest";
import { resultOf, runCli } from "./helpers/cli.js";

const fixtures = inject("fixtures");
const ALLOW = "--allow-run=cat,sh,seq,sleep,yes,python3";
const guest = async (...args: string[]) => resultOf(await runCli(["run", fixtures.concurrency, ALLOW, "--", ...args]));

const exited = (code: number) => ({ code, success: code === 0, signal: null });
const killedBy = (signal: string) => ({ code: null, success: false, signal });
const seq = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${from + i}\n`).join("");

describe("a reader and a writer of one child under Promise.all", () => {
  it.each(["reader-first", "writer-first"])("cat fed 100,000 awaited lines while its output is read (%s)", async (order) => {
    const result = await guest("readerWriter", order, "100000");
    expect(result).toEqual({ read: { count: 100_000, first: "1", last: "100000" }, status: exited(0) });
  });

  it("one write larger than the pipe (4 MiB) while the output is read", async () => {
    const result = await guest("bigWrite", String(4 * 1024 * 1024));
    expect(result).toEqual({ received: 4 * 1024 * 1024, allA: true, events: ["written"], status: exited(0) });
  });
});

describe("several streams at once", () => {
  it("stdout and stderr in two loops, 20,000 lines on stderr before any on stdout", async () => {
    const result = await guest("twoLoops", "20000");
    const lines = { count: 20_000, first: "1", last: "20000" };
    expect(result).toEqual({ stdout: lines, stderr: lines, status: exited(0) });
  });

  it("two children read in two concurrent loops, each line letting the other child print its next: all four lines, in order", async () => {
    const result = await guest("twoChildren");
    expect(result).toEqual({ events: ["a1", "b1", "a2", "b2"], a: exited(0), b: exited(0) });
  });

  it("an interactive python3 -i, its stderr prompts drained by a background loop", async () => {
    const result = await guest("python");
    expect(result.answers).toEqual(["2", "xxx", "45"]);
    expect(result.stderr.count).toBeGreaterThan(0);
    expect(result.stderr.first).toContain(">>>");
    expect(result.status).toEqual(exited(0));
  });
});

describe("timers and other tasks run while a task waits", () => {
  it.each(["kill", "abort"])("a timer ends `sleep 30` during wait() with SIGTERM (%s)", async (how) => {
    expect(await guest("timerEndsWait", how)).toEqual({ status: killedBy("SIGTERM"), events: ["timer", "waited"] });
  });

  it.each(["kill", "abort"])("a timer ends `yes` while for await reads its endless output (%s)", async (how) => {
    expect(await guest("killDuringYes", how)).toEqual({ lines: true, status: killedBy("SIGTERM"), events: ["timer", "loop ended"] });
  });

  it.each(["kill", "abort"])("a timer ends an endless slow printer during for await (%s)", async (how) => {
    expect(await guest("killDuringSlowPrinter", how)).toEqual({ lines: true, status: killedBy("SIGTERM"), events: ["timer", "loop ended"] });
  });

  it.each(["wait", "read"])("setInterval ticks while %s() is pending on a child that takes a second", async (what) => {
    const result = await guest("intervalTicks", what);
    expect(result.outcome).toBe(what === "wait" ? 0 : "done\n".length);
    // Blocking waits let no tick through until the child ended; here the ticks
    // keep pace with the elapsed time (a quarter of the 20 ms slots, allowing for a loaded machine).
    expect(result.ticks).toBeGreaterThanOrEqual(Math.max(5, Math.floor(result.elapsed / 20 / 4)));
  });

  it("a read that waited past a timer, then alone, reaches the end of a stream that closes under it", async () => {
    expect(await guest("timerThenEnd")).toEqual({ events: ["timer", "eof"], status: exited(0) });
  });

  it("output() lets an interval tick while its child runs, and still collects both streams", async () => {
    const result = await guest("outputWithInterval");
    expect(result).toMatchObject({ status: exited(4), stdout: "hi\n", stderr: "warn\n" });
    expect(result.ticks).toBeGreaterThanOrEqual(Math.max(5, Math.floor(result.elapsed / 20 / 4)));
  });

  it("a write into a child that never reads waits; a timer kills the child and the write fails with Io", async () => {
    expect(await guest("writeBlockedKill")).toEqual({
      write: { code: 4000, name: "Io" },
      status: killedBy("SIGKILL"),
      events: ["timer", "write settled"],
    });
  });
});

describe("nothing read is lost", () => {
  it("break out of for await, then readStdout() gets every byte that was left", async () => {
    const result = await guest("breakThenRead", "100000", "10");
    expect(result.seen).toEqual(seq(1, 10).trim().split("\n"));
    expect(result.rest).toBe(seq(11, 100_000));
    expect(result.status).toEqual(exited(0));
  });

  it("break in the middle of a later chunk, then readStdout()", async () => {
    const result = await guest("breakThenRead", "100000", "54321");
    expect(result.seen.length).toBe(54_321);
    expect(result.rest).toBe(seq(54_322, 100_000));
  });

  it("break, then the rest becomes another child's stdin", async () => {
    const result = await guest("breakThenPipe", "100000", "10");
    expect(result.seen).toEqual(seq(1, 10).trim().split("\n"));
    expect(result.rest).toBe(seq(11, 100_000));
    expect(result.producer).toEqual(exited(0));
    expect(result.consumer).toEqual(exited(0));
  });

  it("break out of `all`, then stdout and stderr each give what was left", async () => {
    const result = await guest("breakThenAll");
    expect(result.seen).toHaveLength(5);
    const seenOut = result.seen.filter((line: string) => Number(line) <= 3000);
    const seenErr = result.seen.filter((line: string) => Number(line) > 5000);
    expect(result.stdout).toBe(seq(seenOut.length + 1, 3000));
    expect(result.stderr).toBe(seq(5001 + seenErr.length, 8000));
  });
});
