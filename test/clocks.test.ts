// The guest's clock on its own thread (host/clock-pollables.ts, host/jco-edits.ts):
// a poll over clock pollables alone is served where it is called, a poll that
// mixes them with a child's pipe still waits on both, and jco's glue calls
// `monotonic-clock#now` straight from the core module. Called from Node as
// jco would call them, and through a transpiled component.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createProcessHost, createWasiImports, loadComponent, normalizePolicy } from "host-process";
import { buildFixture } from "./helpers/fixtures.js";

interface Pollable extends Disposable {
  ready(): boolean;
  block(): void;
}
const wasi = createWasiImports(normalizePolicy({}).wasi);
const clock = wasi["wasi:clocks/monotonic-clock"] as { now(): bigint; subscribeDuration(ns: bigint): Pollable; subscribeInstant(at: bigint): Pollable };
const { poll, Pollable: PollableClass } = wasi["wasi:io/poll"] as { poll(list: Pollable[]): Uint32Array; Pollable: abstract new () => unknown };
const ms = (n: number) => BigInt(n) * 1_000_000n;

describe("clock pollables", () => {
  it("are the shim's Pollable (jco checks it), ready from their instant on; block sleeps until then", () => {
    const start = clock.now();
    const later = clock.subscribeDuration(ms(30));
    expect(later).toBeInstanceOf(PollableClass);
    expect(later.ready()).toBe(false);
    later.block();
    expect(clock.now() - start).toBeGreaterThanOrEqual(ms(30));
    expect(later.ready()).toBe(true);
    const past = clock.subscribeInstant(start);
    expect(past.ready()).toBe(true);
    later[Symbol.dispose]();
    past[Symbol.dispose]();
  });

  it("a poll over clocks alone returns when the first is due, with every due one, in list order", () => {
    const start = clock.now();
    const list = [clock.subscribeDuration(ms(5000)), clock.subscribeDuration(ms(20)), clock.subscribeInstant(start)];
    // The one already due: at once (the 20 ms one too, only if 20 ms went by meanwhile).
    const first = [...poll(list)];
    expect(first).toContain(2);
    expect(first).not.toContain(0);
    // Without it: the poll sleeps until the 20 ms one is due, and only that one.
    expect([...poll([list[0]!, list[1]!])]).toEqual([1]);
    expect(clock.now() - start).toBeGreaterThanOrEqual(ms(20));
    for (const pollable of list) pollable[Symbol.dispose]();
  });

  it("a poll mixing a clock with a child's stdout waits on both: the clock first while the child is silent, then the pipe", async () => {
    const host = createProcessHost({ allow: ["sh"] });
    try {
      const child = host.imports["host:process/process"].spawn("sh", {
        args: ["-c", "read line; echo got"], env: [], stdin: "piped", stdout: "piped", stderr: "null",
      });
      const stdout = child.takeStdout()!;
      const stdin = child.takeStdin()!;
      const silent = [stdout.subscribe() as unknown as Pollable, clock.subscribeDuration(ms(50))];
      // The child waits for a line that has not been sent: only the clock can be ready.
      expect([...poll(silent)]).toEqual([1]);
      for (const pollable of silent) pollable[Symbol.dispose]();
      stdin.blockingWriteAndFlush(new TextEncoder().encode("go\n"));
      const answered = [stdout.subscribe() as unknown as Pollable, clock.subscribeDuration(ms(60_000))];
      expect([...poll(answered)]).toEqual([0]);
      for (const pollable of answered) pollable[Symbol.dispose]();
      expect(new TextDecoder().decode(stdout.blockingRead(100n))).toBe("got\n");
      (stdin as unknown as Disposable)[Symbol.dispose]();
      expect(child.wait()).toEqual({ code: 0, signal: undefined });
    } finally {
      await host.close();
    }
  });
});

describe("jco's glue", () => {
  it("calls monotonic-clock#now straight from the core module (our edit of jco's output still finds its mark)", async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), "hp-jco-"));
    try {
      await loadComponent(await buildFixture("hello"), { cacheDir });
      const [entry] = await readdir(cacheDir);
      const code = await readFile(join(cacheDir, entry!, "component.js"), "utf8");
      const index = /_trampoline(\d+)\.fnName = 'wasi:clocks\/monotonic-clock@[\d.]+#now';/.exec(code)?.[1];
      expect(index).toBeDefined();
      expect(code).toContain(`let trampoline${index} = () => BigInt.asUintN(64, BigInt(`);
      expect(code).not.toMatch(new RegExp(`importFn: _trampoline${index},`));
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});
