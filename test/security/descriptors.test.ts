/**
 * Class 6e of issue 12, as the attacker asks: "I start children that exit at
 * once and keep their handles (or only their streams) without reading them:
 * each holds a descriptor of the host's, until the host runs out and hangs."
 * The guest (fences.wasm hoard) spawns until refused, then drops everything
 * and runs one more child, and the CLI host must exit with its result: under
 * the default policy the per-instance cap refuses it, and with the cap raised
 * past what the host can hold (its descriptor limit lowered with prlimit) the
 * host's own EMFILE must end as the same typed error, never a hang.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_OPEN_PIPES, normalizePolicy } from "host-process";
import { buildFixture, CLI, ROOT } from "../helpers/fixtures.js";
import { resultOf } from "../helpers/cli.js";

interface Hoard {
  started: number;
  refused: { code: string; message: string };
  after: unknown;
}

async function hoard(keep: "child" | "streams", prefix: string[], policy: object): Promise<Hoard> {
  const component = await buildFixture("fences");
  const policyFile = join(tmpdir(), `fences-policy-${process.pid}-${keep}.json`);
  writeFileSync(policyFile, JSON.stringify(policy));
  const [file, ...args] = [...prefix, process.execPath, CLI, "run", component, "--policy", policyFile, "--", "hoard", JSON.stringify({ keep })];
  const { stdout, stderr } = await promisify(execFile)(file!, args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  return resultOf({ code: 0, stdout, stderr }) as Hoard;
}

describe("a guest hoarding its children's pipes (class 6e)", () => {
  for (const keep of ["child", "streams"] as const) {
    it(`keeping each ${keep === "child" ? "child handle" : "child's streams"}: refused at the default maxOpenPipes with limit-exceeded naming it; after dropping them it runs children again`, async () => {
      const result = await hoard(keep, [], { allow: ["true"] });
      expect(DEFAULT_MAX_OPEN_PIPES).toBe(1024);
      // Three pipes a child: 341 children hold 1023.
      expect(result.started).toBe(Math.floor(DEFAULT_MAX_OPEN_PIPES / 3));
      expect(result.refused.code).toBe("limit-exceeded");
      expect(result.refused.message).toContain("the instance holds 1023 open pipes of its children and this spawn needs 3 more; the policy's maxOpenPipes is 1024");
      expect(result.refused.message).toContain("raise maxOpenPipes");
      expect(result.after).toEqual({ code: 0 });
    });
  }

  it("with maxOpenPipes above what the host can hold (ulimit -n 300), the host's own EMFILE is limit-exceeded too, not a hang", async () => {
    const result = await hoard("child", ["prlimit", "--nofile=300:300"], { allow: ["true"], maxOpenPipes: 100_000 });
    expect(result.started).toBeGreaterThan(50);
    expect(result.started).toBeLessThan(100);
    expect(result.refused.code).toBe("limit-exceeded");
    expect(result.refused.message).toContain("the host is out of file descriptors (EMFILE)");
    expect(result.refused.message).toContain("ulimit -n");
    expect(result.after).toEqual({ code: 0 });
  });

  it("maxOpenPipes is a positive integer", () => {
    expect(normalizePolicy({ maxOpenPipes: 4 }).maxOpenPipes).toBe(4);
    expect(normalizePolicy({}).maxOpenPipes).toBe(DEFAULT_MAX_OPEN_PIPES);
    for (const bad of [0, -1, 1.5, "8"]) {
      expect(() => normalizePolicy({ maxOpenPipes: bad as number })).toThrow("Expected the `maxOpenPipes` policy option to be a positive integer");
    }
  });
});
