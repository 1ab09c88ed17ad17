// What `host-process run` shows when the guest does not catch an error: the
// code and name of a ProcessError, the message, and the guest's stack (the
// positions are in the bundle `host-process build` made, guest.js).
import { describe, expect, inject, it } from "vitest";
import { runCli } from "./helpers/cli.js";

const fixtures = inject("fixtures");
const uncaught = (what: string) => runCli(["run", fixtures.uncaught, "--", what]);
const FRAME = /^ {4}at \S+@guest\.js:\d+:\d+$/;

describe("an uncaught error in the guest", () => {
  it("a ProcessError prints `PermissionDenied (4001): <message>` and where it was thrown; the run fails", async () => {
    const run = await uncaught("process-error");
    expect(run.code).toBe(1);
    const [first, ...frames] = run.stderr.trimEnd().split("\n");
    expect(first).toBe("PermissionDenied (4001): `rm` (/usr/bin/rm) is not allowed by the host's policy; the host can allow it with `allow: [\"rm\"]` (CLI: --allow-run=rm)");
    for (const frame of frames) expect(frame).toMatch(FRAME);
    // The guest's own module is the last frame: the build's wrapper and componentize-js's are cut.
    expect(frames.at(-1)).toMatch(/^ {4}at test\/fixtures\/uncaught\.ts@guest\.js:/);
    expect(frames.some((frame) => frame.includes("spawn"))).toBe(true);
  });

  it("another error prints its name, message and the guest's stack, innermost frame first", async () => {
    const run = await uncaught("range-error");
    expect(run.code).toBe(1);
    const [first, ...frames] = run.stderr.trimEnd().split("\n");
    expect(first).toBe("RangeError: depth 2 is too deep");
    expect(frames.map((frame) => frame.replace(/@.*/, ""))).toEqual([
      "    at descend", "    at descend", "    at descend", "    at test/fixtures/uncaught.ts",
    ]);
    for (const frame of frames) expect(frame).toMatch(FRAME);
  });

  it("a thrown value that is not an Error is printed as it is", async () => {
    const run = await uncaught("string");
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("Uncaught a bare string\n");
  });

  it("a guest that throws nothing prints nothing on stderr and exits 0", async () => {
    const run = await uncaught("none");
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe('nothing thrown for "none"\n');
  });
});
