// The benchmark's TypeScript guest: `bench.wasm <scenario> [args...]`.
//
// It uses the raw bindings (`host:process/process@0.1.0`, `wasi:io`), so what
// is measured is the host's data path, not the ergonomic module's buffering.
// Each scenario times its own loop with `wasi:clocks/monotonic-clock` (from
// just before the first spawn to just after the last wait; instantiation is
// excluded) and prints one line `RESULT <json>` that the harness parses.
import { getArguments } from "wasi:cli/environment@0.2.12";
import { now } from "wasi:clocks/monotonic-clock@0.2.12";
import * as raw from "host:process/process@0.1.0";
import { output as apiOutput, spawn as apiSpawn } from "host:process";

const [, scenario = "", ...args] = getArguments();
const int = (index: number, fallback: number): number => Number(args[index] ?? fallback);

type Stdio = raw.Stdio;
function options(stdin: Stdio, stdout: Stdio, stderr: Stdio, argv: string[] = []): raw.SpawnOptions {
  return { args: argv, env: [], stdin, stdout, stderr };
}

function isClosed(error: unknown): boolean {
  return (error as { payload?: { tag?: string } }).payload?.tag === "closed";
}

/** Reads a stream to its end with `blocking-read(chunk)`; returns [bytes, reads]. */
function drain(stream: raw.InputStream, chunk: bigint): [number, number] {
  let bytes = 0;
  let reads = 0;
  for (;;) {
    try {
      bytes += stream.blockingRead(chunk).byteLength;
      reads++;
    } catch (error) {
      if (isClosed(error)) return [bytes, reads];
      throw error;
    }
  }
}

const elapsed = (start: bigint) => Number(now() - start);

/** Everything left on a (small) stream, as text; releases the stream. */
function readText(stream: raw.InputStream): string {
  let text = "";
  const decoder = new TextDecoder();
  for (;;) {
    try {
      text += decoder.decode(stream.blockingRead(1024n));
    } catch (error) {
      if (isClosed(error)) break;
      throw error;
    }
  }
  stream[Symbol.dispose]();
  return text;
}

const scenarios: Record<string, () => unknown | Promise<unknown>> = {
  /** read <bytes> <chunk>: `head -c bytes /dev/zero`, read with blocking-read(chunk). */
  read() {
    const size = int(0, 1 << 20);
    const chunk = BigInt(int(1, 65536));
    const start = now();
    const child = raw.spawn("head", options("null", "piped", "null", ["-c", String(size), "/dev/zero"]));
    const stdout = child.takeStdout()!;
    const [bytes, reads] = drain(stdout, chunk);
    stdout[Symbol.dispose]();
    const status = child.wait();
    const ns = elapsed(start);
    child[Symbol.dispose]();
    return { bytes, reads, ns, status };
  },

  /** read-api <bytes>: the same through the guest module (`readStdout()`, 64 KiB chunks, each wait through its reactor). */
  async "read-api"() {
    const size = int(0, 1 << 20);
    const start = now();
    const child = await apiSpawn("head", { args: ["-c", String(size), "/dev/zero"], stderr: "null" });
    let bytes = 0;
    let reads = 0;
    for (let chunk = await child.readStdout(); !chunk.eof; chunk = await child.readStdout()) {
      bytes += chunk.data.byteLength;
      reads++;
    }
    const status = await child.wait();
    return { bytes, reads, ns: elapsed(start), status };
  },

  /** splice <bytes> <chunk>: `head -c bytes /dev/zero` spliced into `wc -c` with blocking-splice. */
  splice() {
    const size = int(0, 1 << 20);
    const chunk = BigInt(int(1, 1 << 20));
    const start = now();
    const source = raw.spawn("head", options("null", "piped", "null", ["-c", String(size), "/dev/zero"]));
    const sink = raw.spawn("wc", options("piped", "piped", "null", ["-c"]));
    const from = source.takeStdout()!;
    const to = sink.takeStdin()!;
    let spliced = 0;
    let calls = 0;
    for (;;) {
      try {
        const moved = to.blockingSplice(from, chunk);
        calls++;
        if (moved === 0n) {
          // Nothing was buffered: wait for the source instead of spinning.
          const ready = from.subscribe();
          ready.block();
          ready[Symbol.dispose]();
        }
        spliced += Number(moved);
      } catch (error) {
        if (isClosed(error)) break;
        throw error;
      }
    }
    from[Symbol.dispose]();
    to.blockingFlush();
    to[Symbol.dispose](); // wc sees end-of-file, prints the count and exits
    const text = readText(sink.takeStdout()!);
    const status = [source.wait(), sink.wait()];
    const ns = elapsed(start);
    source[Symbol.dispose]();
    sink[Symbol.dispose]();
    return { bytes: Number(text.trim()), spliced, calls, ns, status };
  },

  /** spawn <n>: spawn `true` (no pipes), wait, drop; n times. */
  spawn() {
    const n = int(0, 10);
    const start = now();
    for (let i = 0; i < n; i++) {
      const child = raw.spawn("true", options("null", "null", "null"));
      const status = child.wait();
      if (status.code !== 0) throw new Error(`true exited with ${JSON.stringify(status)}`);
      child[Symbol.dispose]();
    }
    return { n, ns: elapsed(start) };
  },

  /** spawn-api <n>: the same through the guest module (`await spawn(...)`, `await child.wait()`). */
  async "spawn-api"() {
    const n = int(0, 10);
    const start = now();
    for (let i = 0; i < n; i++) {
      const child = await apiSpawn("true", { stdout: "null", stderr: "null" });
      await child.wait();
    }
    return { n, ns: elapsed(start) };
  },

  /** output <n>: `output("echo", ["hello"])`, n times. */
  output() {
    const n = int(0, 10);
    const start = now();
    for (let i = 0; i < n; i++) {
      const result = raw.output("echo", options("null", "piped", "piped", ["hello"]));
      if (result.stdout.byteLength !== 6) throw new Error(`echo printed ${result.stdout.byteLength} bytes`);
    }
    return { n, ns: elapsed(start) };
  },

  /** output-api <n>: `await output("echo", { args: ["hello"] })` through the guest module, n times. */
  async "output-api"() {
    const n = int(0, 10);
    const start = now();
    for (let i = 0; i < n; i++) {
      const result = await apiOutput("echo", { args: ["hello"] });
      if (result.stdout.byteLength !== 6) throw new Error(`echo printed ${result.stdout.byteLength} bytes`);
    }
    return { n, ns: elapsed(start) };
  },

  /**
   * idle <n>: one `sleep` child started and reaped first (warm-up: every code
   * path and the spawner module loaded), `MARK base`, then n `sleep 600`
   * children with piped stdout/stderr, kept, `MARK held`. The runner samples
   * its RSS at each mark, and closes the instance (killing them) after the run.
   */
  idle() {
    const n = int(0, 10);
    const sleep = () => raw.spawn("sleep", options("null", "piped", "piped", ["600"]));
    const warmUp = sleep();
    warmUp.kill("SIGKILL");
    warmUp.wait();
    warmUp[Symbol.dispose]();
    console.log("MARK base");
    const held: raw.Child[] = [];
    const start = now();
    for (let i = 0; i < n; i++) held.push(sleep());
    const ns = elapsed(start);
    console.log("MARK held");
    (globalThis as { held?: unknown }).held = held;
    return { n, ns };
  },

  /**
   * pipeline <bytes>: `head -c bytes /dev/zero` into `wc -c`, joined by the
   * host with an OS pipe (spawn-options' `stdin-from`: the bytes never reach
   * the host). The harness runs it only when wit/ has that field.
   */
  pipeline() {
    const size = int(0, 1 << 20);
    const start = now();
    const source = raw.spawn("head", options("null", "piped", "null", ["-c", String(size), "/dev/zero"]));
    const from = source.takeStdout()!;
    // Written so that it also compiles against a WIT without the field (it is then ignored).
    const sink = raw.spawn("wc", { ...options("null", "piped", "null", ["-c"]), stdinFrom: from } as raw.SpawnOptions);
    const text = readText(sink.takeStdout()!);
    const status = [source.wait(), sink.wait()];
    const ns = elapsed(start);
    source[Symbol.dispose]();
    sink[Symbol.dispose]();
    return { bytes: Number(text.trim()), ns, status };
  },

  /** writes <n>: n awaited `stdin.write("line\n")` into `cat` (its stdout discarded), through the guest module. */
  async writes() {
    const n = int(0, 1000);
    const start = now();
    const child = await apiSpawn("cat", { stdin: "piped", stdout: "null", stderr: "null" });
    for (let i = 0; i < n; i++) await child.stdin.write("line\n");
    await child.stdin.close();
    const status = await child.wait();
    return { n, ns: elapsed(start), status };
  },

  /** roundtrip <n>: n rounds of a line written to `bc` and its answer read back as a line, through the guest module. */
  async roundtrip() {
    const n = int(0, 100);
    const start = now();
    const child = await apiSpawn("bc", { args: ["-q"], stdin: "piped", stderr: "null" });
    const answers = child.stdout[Symbol.asyncIterator]();
    for (let i = 0; i < n; i++) {
      await child.stdin.write(`${i}+1\n`);
      const answer = await answers.next();
      if (answer.done || answer.value !== String(i + 1)) throw new Error(`bc answered ${JSON.stringify(answer)} to ${i}+1`);
    }
    await child.stdin.close();
    const status = await child.wait();
    return { n, ns: elapsed(start), status };
  },

  /** lines <n>: the n lines of `seq n` through `for await (const line of child.stdout)`. */
  async lines() {
    const n = int(0, 1000);
    const start = now();
    const child = await apiSpawn("seq", { args: [String(n)], stderr: "null" });
    let count = 0;
    let last = "";
    for await (const line of child.stdout) {
      count++;
      last = line;
    }
    const status = await child.wait();
    if (count !== n || last !== String(n)) throw new Error(`seq ${n}: ${count} lines, the last ${JSON.stringify(last)}`);
    return { n, ns: elapsed(start), status };
  },

  // A new case is one more entry here and one in bench/cases.ts.
};

const body = scenarios[scenario];
if (!body) throw new Error(`unknown scenario ${JSON.stringify(scenario)}; known: ${Object.keys(scenarios).join(", ")}`);
console.log(`RESULT ${JSON.stringify(await body())}`);
