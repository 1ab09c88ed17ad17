import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, numericCode } from "host-process";
import { ROOT } from "./helpers/fixtures.js";

const run = promisify(execFile);

describe("the WIT contract", () => {
  it("wit/deps is exactly what the installed jco ships (never hand-edited)", async () => {
    await expect(run(process.execPath, [join(ROOT, "scripts", "sync-wit-deps.mjs"), "--check"])).resolves.toBeDefined();
  });

  it("guest-bindings/generated matches `jco guest-types` of wit/", async () => {
    await expect(run(process.execPath, [join(ROOT, "scripts", "guest-types.mjs"), "--check"])).resolves.toBeDefined();
  });

  it("error codes are the seed's six first, in order, then the appended ones", async () => {
    const wit = await readFile(join(ROOT, "wit", "process.wit"), "utf8");
    const body = /enum error-code \{([^}]*)\}/.exec(wit)![1]!;
    const cases = body.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("///")).map((l) => l.replace(/,$/, ""));
    expect(cases).toEqual([...ERROR_CODES]);
    expect(ERROR_CODES.slice(0, 6)).toEqual(["io", "permission-denied", "not-found", "spawn-failed", "process-not-found", "already-exited"]);
    expect(ERROR_CODES.map(numericCode)).toEqual(ERROR_CODES.map((_, i) => 4000 + i));
  });

  it("the guest module's numeric codes agree with the host's", async () => {
    const guest = await readFile(join(ROOT, "guest-bindings", "errors.ts"), "utf8");
    const table = /export const ErrorCode = \{([^}]*)\}/.exec(guest)![1]!;
    const codes = [...table.matchAll(/(\w+): (\d+)/g)].map((m) => Number(m[2]));
    expect(codes).toEqual(ERROR_CODES.map(numericCode));
  });
});
