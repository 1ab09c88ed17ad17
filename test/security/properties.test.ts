/**
 * Property-based: over generated policies and spawn options (10,000 spawn
 * cases per run), every result is a child or a typed error; the host never
 * throws an untyped error, never leaves a child behind.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  ERROR_CODES, createProcessHost, normalizePolicy, type ChildResource, type ProcessPolicy, type SpawnOptions,
} from "host-process";

const SPAWN_CASES = 10_000;

// Generated children run here (`touch` and friends write nothing anywhere else).
const scratch = mkdtempSync(join(tmpdir(), "hp-properties-"));
mkdirSync(join(scratch, "sub"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const commands = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("true", "false", "echo", "ls", "cat", "/usr/bin/true", "/bin/echo", "/usr/bin/../bin/true", "./true", "git", "env", "sh", "touch", "pwd") },
  { weight: 2, arbitrary: fc.constantFrom("", "nope", "TRUE", "tru\0e", "\u217Cs", "true ", "/", "/tmp", "/nonexistent/x") },
  { weight: 1, arbitrary: fc.string({ maxLength: 12, unit: "binary" }) },
);

const argument = fc.oneof(
  fc.constantFrom("-rf", "--x=y", "-c", "core.pager=x", "--", "-exec", "hello", "-n", "5", "ext::x", "--upload-pack=x"),
  fc.string({ maxLength: 8 }),
  fc.string({ maxLength: 4, unit: "binary" }),
);

const variableName = fc.oneof(
  // LANG and TZ: the inert variables allowEnv: true grants (issue 12), so that generated requests still reach spawns.
  fc.constantFrom("A", "GREETING", "LD_PRELOAD", "PATH", "HOME", "NODE_OPTIONS", "", "A=B", "X\0Y", "GIT_CONFIG_KEY_0", "LANG", "TZ"),
  fc.string({ maxLength: 6 }),
);

const spawnOptions: fc.Arbitrary<SpawnOptions> = fc.record({
  args: fc.array(argument, { maxLength: 4 }),
  cwd: fc.option(fc.constantFrom("/", "/tmp", "..", ".", "sub", join(scratch, "sub"), "/nonexistent", "a\0b", "/usr/bin/true"), { nil: undefined }),
  // Often no variables: since issue 12 allowEnv: true grants only inert ones, so most generated variables are refused.
  env: fc.oneof(fc.constant<[string, string][]>([]), fc.array(fc.tuple(variableName, fc.oneof(fc.constant(""), fc.string({ maxLength: 6 }))), { maxLength: 3 })),
  stdin: fc.constantFrom("null", "piped", "inherit"),
  // Never "inherit" here: generated children must not write into the test runner's output.
  stdout: fc.constantFrom("null", "piped"),
  stderr: fc.constantFrom("null", "piped"),
});

const policies: fc.Arbitrary<ProcessPolicy> = fc.record(
  {
    allow: fc.subarray<ProcessPolicy["allow"] extends (infer T)[] | undefined ? T : never>([
      // pwd: issue 12's stricter rules refuse more, and the generators must still reach many spawns.
      "true", "false", "echo", "ls", "cat", "*", "/usr/bin/true", "env", "touch", "pwd",
      { command: "echo", args: [["hello", { validator: "[a-z]+" }], ["-n", { validator: "[0-9]+" }]] },
      { command: "ls", args: "any" },
    ]),
    deny: fc.subarray(["sh", "git", "touch", "cat", "*"]),
    allowEnv: fc.constantFrom(false, true, ["A"], ["LD_PRELOAD"], ["*", "PATH"]),
    allowCwd: fc.constantFrom([], [scratch], [join(scratch, "sub")]),
    allowInherit: fc.constantFrom({}, { stdin: true }),
    maxProcesses: fc.integer({ min: 1, max: 3 }),
  },
  { requiredKeys: [] },
);

function isTypedError(error: unknown): boolean {
  const payload = (error as { payload?: { code?: unknown; message?: unknown } }).payload;
  return (
    payload !== undefined &&
    (ERROR_CODES as readonly unknown[]).includes(payload.code) &&
    typeof payload.message === "string" &&
    payload.message.length > 0
  );
}

/** Lets a spawned child finish (reading its pipes), killing it if it has not exited soon. */
async function finish(child: ChildResource): Promise<void> {
  const release = (stream: object | undefined) => (stream as Partial<Disposable> | undefined)?.[Symbol.dispose]?.();
  release(child.takeStdin());
  for (let i = 0; i < 200 && child.status().running; i++) await new Promise((r) => setTimeout(r, 2));
  if (child.status().running) child.kill("SIGKILL");
  for (const stream of [child.takeStdout(), child.takeStderr()]) {
    if (!stream) continue;
    try {
      for (;;) stream.blockingRead(65536n);
    } catch {
      // closed: the child's end of the pipe is gone
    }
    release(stream);
  }
  child.wait();
}

describe("property: spawn never fails untyped", () => {
  it(`${SPAWN_CASES} generated (policy, command, options): a child or a typed error, and nothing left running`, async () => {
    const outcomes = { spawned: 0, refused: new Map<string, number>() };
    await fc.assert(
      fc.asyncProperty(policies, commands, spawnOptions, async (policy, command, options) => {
        const host = createProcessHost({ ...policy, cwd: scratch }, { killGraceMs: 50 });
        try {
          let child: ChildResource | undefined;
          try {
            child = host.imports["host:process/process"].spawn(command, options);
          } catch (error) {
            if (!isTypedError(error)) throw error;
            const { code } = (error as { payload: { code: string } }).payload;
            outcomes.refused.set(code, (outcomes.refused.get(code) ?? 0) + 1);
          }
          if (child) {
            outcomes.spawned++;
            expect(child.pid()).toBeGreaterThan(0);
            await finish(child);
            (child as unknown as Disposable)[Symbol.dispose]();
          }
        } finally {
          await host.close();
        }
        expect(host.liveChildren()).toEqual([]);
      }),
      { numRuns: SPAWN_CASES },
    );
    // The generators reach both sides and many kinds of refusal.
    expect(outcomes.spawned).toBeGreaterThan(100);
    expect([...outcomes.refused.keys()]).toEqual(expect.arrayContaining(["permission-denied", "not-found", "invalid-argument"]));
  });
});

describe("property: policy validation", () => {
  it("any JSON value as a policy is accepted or refused with a TypeError naming what was wrong", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom("allow", "deny", "allowEnv", "maxProcesses", "cwd", "wasi", "signals"), fc.jsonValue())), (value) => {
        try {
          normalizePolicy(value as ProcessPolicy);
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
          expect((error as Error).message).toMatch(/^(Expected|Unknown policy option)/);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
