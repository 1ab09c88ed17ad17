/**
 * Class 7 of issue 12: validation. Nested unknown keys, timer values Node
 * would turn into 1 ms, huge or deeply nested policies, misused stdin-from
 * values, and a missing command that is not allowed (which must not tell the
 * guest what is installed): each ends in a clear TypeError for the host or a
 * typed error for the guest.
 */
import { describe, expect, it } from "vitest";
import { createProcessHost, normalizePolicy, type ProcessPolicy, type SpawnOptions } from "host-process";

const base: SpawnOptions = { args: [], env: [], stdin: "null", stdout: "piped", stderr: "piped" };

describe("the host's policy is validated", () => {
  it("an unknown key inside allowInherit, wasi or a command rule is refused like a top-level one, naming the key", () => {
    expect(() => normalizePolicy({ allowInherit: { stdin: false, stdn: true } } as ProcessPolicy)).toThrow(/Unknown policy option `allowInherit.stdn`/);
    expect(() => normalizePolicy({ wasi: { netwrk: true } } as ProcessPolicy)).toThrow(/Unknown policy option `wasi.netwrk`/);
    expect(() => normalizePolicy({ allow: [{ command: "ls", args: "any", trustArgs: true }] } as unknown as ProcessPolicy)).toThrow(/Unknown policy option `allow\[0\].trustArgs`/);
    expect(() => normalizePolicy({ allow: [{ command: "ls", args: [[{ validator: "x", allowdash: true }]] }] } as unknown as ProcessPolicy)).toThrow(/Unknown policy option `allow\[0\].args\[0\]\[0\].allowdash`/);
  });

  it("timeoutMs above 2^31 − 1 is refused (Node would fire it after 1 ms), and so is killGraceMs", () => {
    expect(() => normalizePolicy({ timeoutMs: 2 ** 31 })).toThrow(/`timeoutMs`.*at most 2147483647 milliseconds/);
    expect(normalizePolicy({ timeoutMs: 2 ** 31 - 1 }).limits.timeoutMs).toBe(2 ** 31 - 1);
    expect(() => createProcessHost({}, { killGraceMs: 2 ** 31 })).toThrow(/`killGraceMs`.*up to 2147483647/);
  });

  it("a policy with a huge allow list is refused with a message naming the bound", () => {
    const huge = Array.from({ length: 200_000 }, (_, i) => `/nonexistent/p${i}`);
    expect(() => normalizePolicy({ allow: huge })).toThrow(/`allow` policy option to be a list of at most 10000 entries, got "200000 entries"/);
    expect(() => normalizePolicy({ deny: huge })).toThrow(/`deny` policy option to be a list of at most 10000 entries/);
  });

  it("10,000 rules naming one program are merged (in place, linear) into one with every pattern", () => {
    const rules = Array.from({ length: 10_000 }, (_, i) => ({ command: "true", args: [[`a${i}`]] }));
    const policy = normalizePolicy({ allow: rules });
    const [allowed] = [...policy.allowed.values()];
    expect(allowed?.entries).toHaveLength(10_000);
    expect(allowed?.args).toHaveLength(10_000);
  });

  it("a deeply nested value is refused with a TypeError, never a stack overflow, and the message stays short", () => {
    let nested: unknown = "x";
    for (let i = 0; i < 100_000; i++) nested = [nested];
    for (const policy of [{ allow: [nested] }, { allow: [{ command: "ls", args: [nested] }] }, { allowEnv: nested }, { deny: nested }]) {
      let thrown: unknown;
      try {
        normalizePolicy(policy as ProcessPolicy);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(TypeError);
      expect((thrown as Error).message.length).toBeLessThan(400);
    }
  });
});

describe("the guest's misuse is a typed error", () => {
  it("a stdin-from value that is no input stream (dropped or forged) is invalid-argument, not a TypeError trap", async () => {
    const host = createProcessHost({ allow: ["cat"] });
    try {
      for (const forged of [{}, 5, Object.create(null)]) {
        expect(() => host.imports["host:process/process"].spawn("cat", { ...base, stdinFrom: forged as never })).toThrow(
          expect.objectContaining({ payload: { code: "invalid-argument", message: expect.stringContaining("stdin-from value for `cat` is not an open wasi:io input-stream") } }),
        );
      }
      expect(host.liveChildren()).toEqual([]);
    } finally {
      await host.close();
    }
  });

  it("a command that is not allowed is permission-denied whether or not it exists (no probing what is installed)", async () => {
    const host = createProcessHost({ allow: ["ls", "no-such-tool-xyz"] });
    const { spawn } = host.imports["host:process/process"];
    const code = (command: string) => {
      try {
        spawn(command, base);
        return "spawned";
      } catch (error) {
        return (error as { payload: { code: string } }).payload.code;
      }
    };
    try {
      expect(code("gcc-not-installed-xyz")).toBe("permission-denied");
      expect(code("/opt/missing/bin/tool")).toBe("permission-denied");
      expect(code("touch")).toBe("permission-denied");
      // Allowed by name but not installed: the host's own grant, so the guest may learn it is missing.
      expect(code("no-such-tool-xyz")).toBe("not-found");
    } finally {
      await host.close();
    }
    const any = createProcessHost({ allow: ["*"] });
    try {
      expect(() => any.imports["host:process/process"].spawn("gcc-not-installed-xyz", base)).toThrow(
        expect.objectContaining({ payload: expect.objectContaining({ code: "not-found" }) }),
      );
    } finally {
      await any.close();
    }
  });
});
