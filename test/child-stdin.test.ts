// A child's stdin as the guest writes it (host/child-streams.ts, the spawner's
// writeZeroes): check-write permits what the OS pipe holds, write-zeroes comes
// from the spawner's shared zeroes yet keeps its place among the writes, and a
// failing write-zeroes reports what the shim reports. Called from Node as jco
// would call them.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createProcessHost, type SpawnOptions } from "host-process";
import { readToEnd } from "./helpers/streams.js";

const options = (stdout: SpawnOptions["stdout"]): SpawnOptions => ({ args: [], env: [], stdin: "piped", stdout, stderr: "null" });

type Host = ReturnType<typeof createProcessHost>;
type Child = ReturnType<Host["imports"]["host:process/process"]["spawn"]>;
type Stdin = NonNullable<ReturnType<Child["takeStdin"]>>;

/** The child's whole stdout. */
function stdoutOf(child: Child): string {
  const stdout = child.takeStdout()!;
  const text = readToEnd(stdout);
  (stdout as unknown as Disposable)[Symbol.dispose]();
  return text;
}

/** Waits until check-write permits something; returns how much. */
function room(stdin: Stdin): number {
  for (;;) {
    const permit = Number(stdin.checkWrite());
    if (permit > 0) return permit;
    const ready = stdin.subscribe();
    ready.block();
    (ready as unknown as Disposable)[Symbol.dispose]();
  }
}

describe("a child's stdin", () => {
  it("check-write permits what a Linux pipe holds (64 KiB), not Node's 16 KiB", async () => {
    const host = createProcessHost({ allow: ["cat"] });
    try {
      const child = host.imports["host:process/process"].spawn("cat", options("null"));
      const stdin = child.takeStdin()!;
      expect(stdin.checkWrite()).toBe(65536n);
      (stdin as unknown as Disposable)[Symbol.dispose]();
      expect(child.wait()).toEqual({ code: 0, signal: undefined });
    } finally {
      await host.close();
    }
  });

  it("write-zeroes between writes: every byte arrives, in the order written", async () => {
    const host = createProcessHost({ allow: ["sha256sum"] });
    const expected = createHash("sha256");
    try {
      const child = host.imports["host:process/process"].spawn("sha256sum", options("piped"));
      const stdin = child.takeStdin()!;
      // 4 MiB in pieces of uneven sizes, text and zeroes alternating.
      for (let piece = 0, total = 0; total < 4 << 20; piece++) {
        const size = Math.min(room(stdin), 1 + ((piece * 7919) % 70000));
        if (piece % 2 === 0) {
          const text = Buffer.alloc(size, String.fromCharCode(65 + (piece % 26)));
          stdin.write(text);
          expected.update(text);
        } else {
          stdin.writeZeroes(BigInt(size));
          expected.update(Buffer.alloc(size));
        }
        total += size;
      }
      (stdin as unknown as Disposable)[Symbol.dispose]();
      expect(stdoutOf(child)).toBe(`${expected.digest("hex")}  -\n`);
      expect(child.wait()).toEqual({ code: 0, signal: undefined });
    } finally {
      await host.close();
    }
  });

  it("write-zeroes into the stdin of a child that has exited fails as the shim reports it, on every later call too; the host carries on", async () => {
    const host = createProcessHost({ allow: ["true", "echo"] });
    try {
      const { spawn } = host.imports["host:process/process"];
      const child = spawn("true", options("null"));
      expect(child.wait()).toEqual({ code: 0, signal: undefined });
      const stdin = child.takeStdin()!;
      const failures: string[] = [];
      for (let attempt = 0; attempt < 64 && failures.length < 3; attempt++) {
        try {
          stdin.writeZeroes(BigInt(room(stdin)));
          stdin.blockingFlush();
        } catch (error) {
          const { tag, val } = error as { tag?: string; val?: { toDebugString?: () => string } };
          failures.push(tag === "last-operation-failed" ? `${tag}: ${val?.toDebugString?.()}` : String(tag));
        }
      }
      expect(failures).toHaveLength(3);
      for (const failure of failures) expect(failure).toMatch(/^closed$|^last-operation-failed: .*EPIPE/);
      (stdin as unknown as Disposable)[Symbol.dispose]();
      const echo = spawn("echo", { ...options("piped"), args: ["still here"] });
      expect(stdoutOf(echo)).toBe("still here\n");
      expect(echo.wait()).toEqual({ code: 0, signal: undefined });
    } finally {
      await host.close();
    }
  });

  it("write-zeroes of more than check-write permitted is a trap of the caller; nothing is written", async () => {
    const host = createProcessHost({ allow: ["wc"] });
    try {
      const child = host.imports["host:process/process"].spawn("wc", { ...options("piped"), args: ["-c"] });
      const stdin = child.takeStdin()!;
      const permit = stdin.checkWrite();
      expect(() => stdin.writeZeroes(permit + 1n)).toThrow(/wasi:io trap: a write of 65537 bytes exceeds the 65536 that check-write permitted/);
      stdin.writeZeroes(10n);
      (stdin as unknown as Disposable)[Symbol.dispose]();
      expect(stdoutOf(child).trim()).toBe("10");
      expect(child.wait()).toEqual({ code: 0, signal: undefined });
    } finally {
      await host.close();
    }
  });
});
