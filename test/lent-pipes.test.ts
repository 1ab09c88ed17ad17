// Pipes lent to the main thread (host/lent-io.ts, host/lent-writes.ts, host/spawner/lent-pipes.ts):
// reads, writes and splices made with system calls on the main thread until
// the I/O worker takes a pipe back, with no byte lost, doubled or reordered
// across the handover, and a child that goes away mid-call never hangs or
// crashes the host. Called from Node as jco would call them.
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { io } from "@bytecodealliance/preview2-shim";
import { createProcessHost, lentPipeCalls, type SpawnOptions } from "host-process";
import { readToEnd } from "./helpers/streams.js";

const piped = (stdin: SpawnOptions["stdin"], args: string[] = []): SpawnOptions => ({ args, env: [], stdin, stdout: "piped", stderr: "null" });
const decode = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");
const isClosed = (error: unknown) => (error as { tag?: string }).tag === "closed";
const seq = (n: number) => Array.from({ length: n }, (_, i) => `${i + 1}\n`).join("");
const dispose = (resource: unknown) => (resource as Disposable)[Symbol.dispose]();

const scratchDirs: string[] = [];
/** A folder of this test file's own, removed after it. */
async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "hp-lent-"));
  scratchDirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(scratchDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

type Stdin = NonNullable<ReturnType<ReturnType<ReturnType<typeof createProcessHost>["imports"]["host:process/process"]["spawn"]>["takeStdin"]>>;

/** Waits on the stream's pollable, as a guest's reactor does. */
function awaitRoom(stdin: Stdin): void {
  const ready = stdin.subscribe();
  io.poll.poll([ready]);
  dispose(ready);
}

/** Piece `index` of a test stream: 64 KiB of one letter, so that a lost, doubled or reordered piece shows. */
const piece = (index: number) => new Uint8Array(65536).fill(65 + (index % 26));

describe("pipes lent to the main thread", () => {
  it("blocking reads on the main thread, then poll and read through the worker, then blocking reads again: every byte once, in order", async () => {
    const host = createProcessHost({ allow: ["seq"] });
    try {
      const child = host.imports["host:process/process"].spawn("seq", piped("null", ["1", "200000"]));
      const stdout = child.takeStdout()!;
      const before = lentPipeCalls();
      let text = "";
      for (let i = 0; i < 5; i++) text += decode(stdout.blockingRead(4096n));
      // Served by the main thread's own reads.
      expect(lentPipeCalls() - before).toBe(5);
      // subscribe + poll + non-blocking read: the worker takes the pipe back.
      for (let got = 0; got < 3;) {
        const ready = stdout.subscribe();
        io.poll.poll([ready]);
        (ready as unknown as Disposable)[Symbol.dispose]();
        const chunk = stdout.read(4096n);
        if (chunk.byteLength > 0) got++;
        text += decode(chunk);
      }
      const reclaimedAt = lentPipeCalls();
      text += readToEnd(stdout);
      // No longer lent: the rest came through the worker.
      expect(lentPipeCalls()).toBe(reclaimedAt);
      expect(text.length).toBe(seq(200000).length);
      expect(text === seq(200000)).toBe(true);
      expect(child.wait()).toEqual({ code: 0, signal: undefined });
    } finally {
      await host.close();
    }
  });

  it("non-blocking reads on the main thread: empty while the child is silent, then its bytes; a blocking read that waits long keeps the pipe lent", async () => {
    const host = createProcessHost({ allow: ["sh"] });
    try {
      // Prints a line, stays silent 300 ms (well past the main thread's short wait), prints another.
      const child = host.imports["host:process/process"].spawn("sh", piped("null", ["-c", "echo one; sleep 0.3; echo two"]));
      const stdout = child.takeStdout()!;
      const before = lentPipeCalls();
      let text = "";
      while (text.length < 4) text += decode(stdout.read(4096n));
      expect(text).toBe("one\n");
      // Silent now: a non-blocking read finds nothing, and the pipe is still the main thread's.
      expect(stdout.read(4096n).byteLength).toBe(0);
      const lentAfterEmptyRead = lentPipeCalls();
      expect(lentAfterEmptyRead).toBeGreaterThan(before);
      // Blocks through the silence, on the main thread.
      text += decode(stdout.blockingRead(4096n));
      expect(text).toBe("one\ntwo\n");
      expect(lentPipeCalls()).toBeGreaterThan(lentAfterEmptyRead);
      const atEnd = lentPipeCalls();
      expect(() => stdout.blockingRead(4096n)).toThrow(expect.objectContaining({ tag: "closed" }));
      // The end, too, was read on the main thread: the worker never took the pipe back.
      expect(lentPipeCalls()).toBeGreaterThan(atEnd);
      expect(child.wait()).toEqual({ code: 0, signal: undefined });
    } finally {
      await host.close();
    }
  });

  it("splices between two lent pipes, then a non-blocking write the worker takes over: the bytes arrive in the order sent", async () => {
    const host = createProcessHost({ allow: ["seq", "cat"] });
    try {
      const { spawn } = host.imports["host:process/process"];
      const source = spawn("seq", piped("null", ["1", "20000"]));
      const sink = spawn("cat", piped("piped"));
      const from = source.takeStdout()!;
      const into = sink.takeStdin()!;
      const before = lentPipeCalls();
      let spliced = 0;
      for (let i = 0; i < 3; i++) spliced += Number(into.blockingSplice(from, 4096n));
      // A read and a write on the main thread per splice.
      expect(lentPipeCalls() - before).toBe(6);
      const mark = new TextEncoder().encode("MARK\n");
      while (into.checkWrite() < BigInt(mark.byteLength)) {
        const ready = into.subscribe();
        io.poll.poll([ready]);
        (ready as unknown as Disposable)[Symbol.dispose]();
      }
      into.write(mark);
      into.blockingFlush();
      for (;;) {
        try {
          spliced += Number(into.blockingSplice(from, 65536n));
        } catch (error) {
          if (isClosed(error)) break;
          throw error;
        }
      }
      (into as unknown as Disposable)[Symbol.dispose]();
      const expected = seq(20000);
      expect(spliced).toBe(expected.length);
      const out = readToEnd(sink.takeStdout()!);
      const at = out.indexOf("MARK\n");
      expect(at).toBeGreaterThanOrEqual(3);
      expect(out.length).toBe(expected.length + 5);
      expect(out.slice(0, at) + out.slice(at + 5) === expected).toBe(true);
      expect([source.wait(), sink.wait()]).toEqual([{ code: 0, signal: undefined }, { code: 0, signal: undefined }]);
    } finally {
      await host.close();
    }
  });

  it("small writes go into the lent stdin on the main thread: check-write, write and flush make no round trip; every byte arrives in order", async () => {
    const host = createProcessHost({ allow: ["cat"] });
    try {
      const child = host.imports["host:process/process"].spawn("cat", piped("piped"));
      const stdin = child.takeStdin()!;
      const before = lentPipeCalls();
      // Few enough that the pipe holds them all even if cat has not read any yet: none has to wait.
      const lines = 200;
      expect(stdin.checkWrite()).toBe(65536n);
      for (let i = 1; i <= lines; i++) {
        // Within one permit, as the guest module writes; a check now and then, and flushes, as other guests do.
        stdin.write(new TextEncoder().encode(`${i}\n`));
        if (i % 50 === 0) expect(stdin.checkWrite()).toBe(65536n);
        stdin.flush();
      }
      // One write(2) per line on the main thread; check-write and flush needed none.
      expect(lentPipeCalls() - before).toBe(lines);
      dispose(stdin);
      expect(readToEnd(child.takeStdout()!) === seq(lines)).toBe(true);
      expect(child.wait()).toEqual({ code: 0, signal: undefined });
    } finally {
      await host.close();
    }
  });

  it("a write the lent pipe cannot take whole: check-write says 0 until it is in; a wait hands the rest and the pipe to the worker, which lends it back once it has written it all; no byte lost, doubled or reordered", async () => {
    const host = createProcessHost({ allow: ["sh"] });
    const expected = createHash("sha256");
    try {
      // Reads nothing until told to (a file appears), so the pipe fills.
      const go = join(await scratch(), "go");
      const child = host.imports["host:process/process"].spawn("sh", piped("piped", ["-c", 'until [ -e "$0" ]; do sleep 0.01; done; exec sha256sum', go]));
      const stdin = child.takeStdin()!;
      const write = (bytes: Uint8Array) => {
        stdin.write(bytes);
        expected.update(bytes);
      };
      let pieces = 0;
      while (stdin.checkWrite() === 65536n) write(piece(pieces++));
      // What the pipe did not take is kept on the main thread: nothing more is permitted.
      expect(stdin.checkWrite()).toBe(0n);
      expect(() => stdin.write(new Uint8Array(1))).toThrow(/exceeds the 0 that check-write permitted/);
      awaitRoom(stdin);
      const handedOver = lentPipeCalls();
      // The worker waits for room and writes (the child still reads nothing): this thread makes no system call on the pipe.
      const permit = Number(stdin.checkWrite());
      expect(permit).toBeLessThan(65536);
      write(piece(pieces++).subarray(0, permit));
      expect(lentPipeCalls()).toBe(handedOver);
      writeFileSync(go, "");
      // Once the worker has written all it was given, a check-write lends the pipe to this thread again.
      let lentAgain = false;
      for (let round = 0; round < 1000 && !lentAgain; round++) {
        if (stdin.checkWrite() < 65536n) {
          awaitRoom(stdin);
          continue;
        }
        const before = lentPipeCalls();
        write(piece(pieces++));
        lentAgain = lentPipeCalls() > before;
      }
      expect(lentAgain).toBe(true);
      dispose(stdin);
      expect(readToEnd(child.takeStdout()!)).toBe(`${expected.digest("hex")}  -\n`);
      expect(child.wait()).toEqual({ code: 0, signal: undefined });
    } finally {
      await host.close();
    }
  });

  it("stdin dropped while bytes of a write wait on the main thread: the child reads every one of them before end-of-file", async () => {
    const host = createProcessHost({ allow: ["sh"] });
    try {
      const go = join(await scratch(), "go");
      const child = host.imports["host:process/process"].spawn("sh", piped("piped", ["-c", 'until [ -e "$0" ]; do sleep 0.01; done; exec wc -c', go]));
      const stdin = child.takeStdin()!;
      let written = 0;
      while (stdin.checkWrite() === 65536n) {
        stdin.write(piece(0));
        written += 65536;
      }
      expect(stdin.checkWrite()).toBe(0n);
      dispose(stdin);
      writeFileSync(go, "");
      expect(readToEnd(child.takeStdout()!).trim()).toBe(String(written));
      expect(child.wait()).toEqual({ code: 0, signal: undefined });
    } finally {
      await host.close();
    }
  });

  it("writes into a child that has exited fail as stream errors (never a hang, never the host's SIGPIPE)", async () => {
    const host = createProcessHost({ allow: ["head"] });
    try {
      const child = host.imports["host:process/process"].spawn("head", { args: ["-c", "1"], env: [], stdin: "piped", stdout: "null", stderr: "null" });
      const stdin = child.takeStdin()!;
      stdin.checkWrite();
      stdin.write(new Uint8Array([65]));
      expect(child.wait()).toEqual({ code: 0, signal: undefined });
      let failure: unknown;
      for (let attempt = 0; attempt < 50 && failure === undefined; attempt++) {
        try {
          if (stdin.checkWrite() > 0n) stdin.write(new Uint8Array(1024));
          stdin.flush();
        } catch (error) {
          failure = error;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(["closed", "last-operation-failed"]).toContain((failure as { tag?: string } | undefined)?.tag);
      dispose(stdin);
    } finally {
      await host.close();
    }
  });

  it("a child that exits while the main thread is blocked writing to it: the write fails as a stream error, nothing leaks, the host carries on", async () => {
    const fds = () => readdirSync("/proc/self/fd").length;
    const host = createProcessHost({ allow: ["head", "echo"] });
    const opened = fds();
    try {
      const { spawn } = host.imports["host:process/process"];
      for (let round = 0; round < 5; round++) {
        // head reads one byte and exits; Node closes its stdin at exit while this thread is in write(2).
        const child = spawn("head", { args: ["-c", "1"], env: [], stdin: "piped", stdout: "null", stderr: "null" });
        const stdin = child.takeStdin()!;
        let failure: unknown;
        try {
          stdin.blockingWriteAndFlush(new Uint8Array(8 * 1024 * 1024));
        } catch (error) {
          failure = error;
        }
        expect(["closed", "last-operation-failed"]).toContain((failure as { tag?: string } | undefined)?.tag);
        (stdin as unknown as Disposable)[Symbol.dispose]();
        expect(child.wait()).toEqual({ code: 0, signal: undefined });
        (child as unknown as Disposable)[Symbol.dispose]();
      }
      const echo = spawn("echo", piped("null", ["still here"]));
      expect(readToEnd(echo.takeStdout()!)).toBe("still here\n");
      echo.wait();
      (echo as unknown as Disposable)[Symbol.dispose]();
    } finally {
      await host.close();
    }
    // Every pipe of those children is closed again (the worker's deferred closes included).
    for (let i = 0; i < 50 && fds() > opened; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fds()).toBeLessThanOrEqual(opened);
  });
});
