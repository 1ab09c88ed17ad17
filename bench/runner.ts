/**
 * One measurement, in a Node process of its own (so that its RSS is its own):
 *
 *   runner.js guest <component.wasm> <allow,list> [--max N] [--thread] -- <guest args>
 *       instantiates the component with the host API (in a thread of its own
 *       with --thread), runs `wasi:cli/run`, passes the guest's own `RESULT` line through;
 *   runner.js instances <component.wasm> <n> [--thread]
 *       instantiates it n times, one after another, and keeps them idle:
 *       instantiation times, and RSS and threads per idle instance;
 *   runner.js native <scenario> [args]   the same work done by plain Node
 *   runner.js host <scenario> [args]     the host's imports called from Node, no guest
 *       (`spawn` and `read` take a last argument `confined`: the same under `confine: true`)
 *   runner.js native jco-std <n>         jco-std's `jco:node/child-process` host, called from Node
 *   runner.js jco-std-guest <component.wasm> -- <guest args>
 *       a component importing `jco:node/child-process`, served by jco-std's
 *       Node host (and this host's WASI for the rest)
 *
 * Every mode ends with `RUNNER <json>`: memory figures of this process,
 * including its RSS at each `MARK <name>` line a guest printed (sampled
 * synchronously, while the guest is blocked in that write).
 * Timings are taken by whoever does the work (the guest with
 * wasi:clocks/monotonic-clock, native code with process.hrtime), from just
 * before the first spawn to just after the last exit.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
// host-process and jco-std are imported only by the modes that use them, so
// that a native run's RSS (and so its fork() cost) is plain Node's.

const MiB = 1024 * 1024;

/** Current resident set size in bytes, from /proc (falls back to Node's figure). */
function rssNow(): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.memoryUsage().rss;
}

/** Peak resident set size of this process so far, in bytes. */
function rssPeak(): number {
  return process.resourceUsage().maxRSS * 1024;
}

function result(value: unknown): void {
  process.stdout.write(`RESULT ${JSON.stringify(value)}\n`);
}

function runner(value: Record<string, number>): void {
  process.stdout.write(`RUNNER ${JSON.stringify({ ...value, rssPeak: rssPeak(), rssEnd: rssNow() })}\n`);
}

const ns = (start: bigint) => Number(process.hrtime.bigint() - start);

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", () => resolve());
  });
}

function collect(child: ChildProcess): () => string {
  let text = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
  return () => text;
}

const exec = promisify(execFile);

/** The same work as the guest's scenarios, with plain Node `child_process`. */
const native: Record<string, (args: string[]) => Promise<unknown>> = {
  async read([size = String(MiB)]) {
    const start = process.hrtime.bigint();
    const child = spawn("head", ["-c", size, "/dev/zero"], { stdio: ["ignore", "pipe", "ignore"] });
    let bytes = 0;
    let reads = 0;
    child.stdout!.on("data", (chunk: Buffer) => {
      bytes += chunk.byteLength;
      reads++;
    });
    await exited(child);
    return { bytes, reads, ns: ns(start) };
  },

  /** The raw OS pipe: `sh -c 'head -c N /dev/zero | wc -c'`, started and reaped by Node. */
  async pipe([size = String(MiB)]) {
    const start = process.hrtime.bigint();
    const child = spawn("sh", ["-c", `head -c ${Number(size)} /dev/zero | wc -c`], { stdio: ["ignore", "pipe", "ignore"] });
    const text = collect(child);
    await exited(child);
    return { bytes: Number(text().trim()), ns: ns(start) };
  },

  /** `a.stdout.pipe(b.stdin)`: head into wc -c. */
  async splice([size = String(MiB)]) {
    const start = process.hrtime.bigint();
    const source = spawn("head", ["-c", size, "/dev/zero"], { stdio: ["ignore", "pipe", "ignore"] });
    const sink = spawn("wc", ["-c"], { stdio: ["pipe", "pipe", "ignore"] });
    source.stdout!.pipe(sink.stdin!);
    const text = collect(sink);
    await Promise.all([exited(source), exited(sink)]);
    return { bytes: Number(text().trim()), ns: ns(start) };
  },

  async spawn([count = "10"]) {
    const n = Number(count);
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const child = spawn("true", [], { stdio: "ignore" });
      await new Promise<void>((resolve, reject) => {
        child.once("error", reject);
        child.once("exit", () => resolve());
      });
    }
    return { n, ns: ns(start) };
  },

  async output([count = "10"]) {
    const n = Number(count);
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const { stdout } = await exec("echo", ["hello"], { encoding: "buffer" });
      if (stdout.byteLength !== 6) throw new Error(`echo printed ${stdout.byteLength} bytes`);
    }
    return { n, ns: ns(start) };
  },

  /** writes <n>: n awaited `stdin.write("line\n")` into `cat`, its stdout discarded. */
  async writes([count = "1000"]) {
    const n = Number(count);
    const start = process.hrtime.bigint();
    const child = spawn("cat", [], { stdio: ["pipe", "ignore", "ignore"] });
    const stdin = child.stdin!;
    for (let i = 0; i < n; i++) {
      await new Promise<void>((resolve, reject) => stdin.write("line\n", (error) => (error ? reject(error) : resolve())));
    }
    stdin.end();
    await exited(child);
    return { n, ns: ns(start) };
  },

  /** roundtrip <n>: a line written to `bc`, its answer read back with readline, n times. */
  async roundtrip([count = "100"]) {
    const n = Number(count);
    const start = process.hrtime.bigint();
    const child = spawn("bc", ["-q"], { stdio: ["pipe", "pipe", "ignore"] });
    const answers = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    for (let i = 0; i < n; i++) {
      child.stdin!.write(`${i}+1\n`);
      const answer = await answers.next();
      if (answer.done || answer.value !== String(i + 1)) throw new Error(`bc answered ${JSON.stringify(answer)} to ${i}+1`);
    }
    child.stdin!.end();
    await exited(child);
    return { n, ns: ns(start) };
  },

  /** lines <n>: the n lines of `seq n` through readline's `for await`. */
  async lines([count = "1000"]) {
    const n = Number(count);
    const start = process.hrtime.bigint();
    const child = spawn("seq", [String(n)], { stdio: ["ignore", "pipe", "ignore"] });
    let lines = 0;
    let last = "";
    for await (const line of createInterface({ input: child.stdout! })) {
      lines++;
      last = line;
    }
    await exited(child);
    if (lines !== n || last !== String(n)) throw new Error(`seq ${n}: ${lines} lines, the last ${JSON.stringify(last)}`);
    return { n, ns: ns(start) };
  },

  /** idle <n>: one child started and reaped first (warm-up), then n `sleep` children held; RSS before and after. */
  async idle([count = "10"]) {
    const n = Number(count);
    const start = (): ChildProcess => spawn("sleep", ["600"], { stdio: ["ignore", "pipe", "pipe"] });
    const started = (child: ChildProcess) => new Promise((resolve, reject) => child.once("spawn", resolve).once("error", reject));
    const warmUp = start();
    await started(warmUp);
    warmUp.kill("SIGKILL");
    await exited(warmUp);
    const base = rssNow();
    const held = Array.from({ length: n }, start);
    await Promise.all(held.map(started));
    const marks = { base, held: rssNow() };
    for (const child of held) child.kill("SIGKILL");
    await Promise.all(held.map(exited));
    return { n, marks };
  },

  /** jco-std's host for `jco:node/child-process`: `spawn-sync` of `true`, as its guest library calls it for `spawnSync("true", [], { stdio: "ignore" })`. */
  async "jco-std"([count = "10"]) {
    const n = Number(count);
    const options = {
      cwd: undefined, cwdIsUrl: false, env: undefined, input: undefined, timeout: 0n, killSignal: "SIGTERM",
      maxBuffer: BigInt(MiB), shell: undefined, stdio: ["ignore", "ignore", "ignore"], windowsHide: false,
      windowsVerbatimArguments: false, uid: undefined, gid: undefined,
    };
    const { spawnSync: jcoStdSpawnSync } = await import("@bytecodealliance/jco-std/wasi/0.2.x/node/24.x.x/child-process/host/node");
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const output = jcoStdSpawnSync("true", [], options);
      if (output.status !== 0) throw new Error(`true exited with ${JSON.stringify(output)}`);
    }
    return { n, ns: ns(start) };
  },
};

type HostOutputStream = { checkWrite(): bigint; write(bytes: Uint8Array): void; subscribe(): { block(): void } };
type HostInputStream = { blockingRead(len: bigint): Uint8Array };
type HostChild = { takeStdin(): (HostOutputStream & { blockingFlush(): void }) | undefined; takeStdout(): HostInputStream | undefined };

function dispose(resource: unknown): void {
  (resource as Disposable)[Symbol.dispose]();
}

/**
 * This host's imports under `policy`, its I/O worker and launcher started
 * (one child of the first allowed program run and reaped, no arguments, no
 * stdio) before any clock starts: about 0.2 s, once per host, that a guest's
 * instantiation starts in the background before the guest runs.
 */
async function warmHost(policy: { allow: string[]; confine?: boolean; maxOutputBytes?: number }) {
  const { createProcessHost } = await import("host-process");
  const processHost = createProcessHost(policy);
  const imports = processHost.imports["host:process/process"];
  const warmUp = imports.spawn(policy.allow[0]!, { args: [], env: [], stdin: "null", stdout: "null", stderr: "null" });
  warmUp.wait();
  dispose(warmUp);
  return { close: () => processHost.close(), ...imports };
}

/**
 * Spawns `program` (stderr discarded) through this host's imports, called
 * from Node with no guest, runs `body` on the child, and waits for it to exit
 * with 0; the time from the spawn to the exit, in ns.
 */
async function timedHostChild(
  program: string,
  args: string[],
  stdio: { stdin: "piped" | "null"; stdout: "piped" | "null" },
  body: (child: HostChild) => void,
): Promise<number> {
  const processHost = await warmHost({ allow: [program] });
  const start = process.hrtime.bigint();
  const child = processHost.spawn(program, { args, env: [], ...stdio, stderr: "null" });
  body(child as unknown as HostChild);
  const status = child.wait();
  const elapsed = ns(start);
  dispose(child);
  await processHost.close();
  if (status.code !== 0) throw new Error(`${program} exited with ${JSON.stringify(status)}`);
  return elapsed;
}

/** Writes `bytes` within check-write's permit (asking again only when it does not cover them, waiting while it is 0); what is left of it. */
function writeWithin(stream: HostOutputStream, bytes: Uint8Array, permit: bigint): bigint {
  const length = BigInt(bytes.byteLength);
  while (permit < length) {
    permit = stream.checkWrite();
    if (permit >= length) break;
    const ready = stream.subscribe();
    ready.block();
    dispose(ready);
  }
  stream.write(bytes);
  return permit - length;
}

/** A blocking read of up to 64 KiB; undefined at the end of the stream. */
function readOrEnd(stream: HostInputStream): Uint8Array | undefined {
  try {
    return stream.blockingRead(65536n);
  } catch (error) {
    if ((error as { tag?: string }).tag === "closed") return undefined;
    throw error;
  }
}

/** Reads up to a newline (the answer of one question: nothing follows it) and returns the line without it. */
function readLine(stream: HostInputStream): string {
  let text = "";
  while (!text.endsWith("\n")) {
    const chunk = readOrEnd(stream);
    if (chunk === undefined) throw new Error(`the stream ended after ${JSON.stringify(text)}`);
    text += Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("latin1");
  }
  return text.slice(0, -1);
}

/** The host's own imports called from Node with no component: the host's cost without a guest's. */
const host: Record<string, (args: string[]) => Promise<unknown>> = {
  async spawn([count = "10", confined]) {
    const n = Number(count);
    const { spawn: hostSpawn, close } = await warmHost({ allow: ["true"], ...(confined === "confined" ? { confine: true } : {}) });
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const child = hostSpawn("true", { args: [], env: [], stdin: "null", stdout: "null", stderr: "null" });
      const status = child.wait();
      if (status.code !== 0) throw new Error(`true exited with ${JSON.stringify(status)}`);
      dispose(child);
    }
    const elapsed = ns(start);
    await close();
    return { n, ns: elapsed };
  },

  /** output() of `head -c <bytes> /dev/zero`: the whole stdout collected by the host. */
  async read([size = "1048576", confined]) {
    const bytes = Number(size);
    const processHost = await warmHost({ allow: ["head"], maxOutputBytes: bytes, ...(confined === "confined" ? { confine: true } : {}) });
    const { output } = processHost;
    const start = process.hrtime.bigint();
    const result = output("head", { args: ["-c", size, "/dev/zero"], env: [], stdin: "null", stdout: "piped", stderr: "null" });
    const elapsed = ns(start);
    if (result.stdout.byteLength !== bytes) throw new Error(`head printed ${result.stdout.byteLength} bytes`);
    await processHost.close();
    return { bytes, ns: elapsed };
  },

  /** writes <n>: n writes of "line\n" into `cat`, as a thin guest makes them: within check-write's permit, waiting on subscribe when it is 0. */
  async writes([count = "1000"]) {
    const n = Number(count);
    const line = new TextEncoder().encode("line\n");
    const elapsed = await timedHostChild("cat", [], { stdin: "piped", stdout: "null" }, (child) => {
      const stdin = child.takeStdin()!;
      let permit = 0n;
      for (let i = 0; i < n; i++) permit = writeWithin(stdin, line, permit);
      stdin.blockingFlush();
      dispose(stdin);
    });
    return { n, ns: elapsed };
  },

  /** roundtrip <n>: a line written to `bc`, its answer read back with blocking reads, n times. */
  async roundtrip([count = "100"]) {
    const n = Number(count);
    const encoder = new TextEncoder();
    const elapsed = await timedHostChild("bc", ["-q"], { stdin: "piped", stdout: "piped" }, (child) => {
      const stdin = child.takeStdin()!;
      const stdout = child.takeStdout()!;
      let permit = 0n;
      for (let i = 0; i < n; i++) {
        permit = writeWithin(stdin, encoder.encode(`${i}+1\n`), permit);
        const answer = readLine(stdout);
        if (answer !== String(i + 1)) throw new Error(`bc answered ${JSON.stringify(answer)} to ${i}+1`);
      }
      dispose(stdin);
      dispose(stdout);
    });
    return { n, ns: elapsed };
  },

  /** lines <n>: the n lines of `seq n`, read in blocking reads of up to 64 KiB and counted. */
  async lines([count = "1000"]) {
    const n = Number(count);
    let lines = 0;
    const elapsed = await timedHostChild("seq", [String(n)], { stdin: "null", stdout: "piped" }, (child) => {
      const stdout = child.takeStdout()!;
      for (let chunk = readOrEnd(stdout); chunk !== undefined; chunk = readOrEnd(stdout)) {
        for (const byte of chunk) if (byte === 0x0a) lines++;
      }
      dispose(stdout);
    });
    if (lines !== n) throw new Error(`seq ${n}: ${lines} lines`);
    return { n, ns: elapsed };
  },

  async output([count = "10"]) {
    const n = Number(count);
    const processHost = await warmHost({ allow: ["echo"] });
    const { output } = processHost;
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const result = output("echo", { args: ["hello"], env: [], stdin: "null", stdout: "piped", stderr: "piped" });
      if (result.stdout.byteLength !== 6) throw new Error(`echo printed ${result.stdout.byteLength} bytes`);
    }
    const elapsed = ns(start);
    await processHost.close();
    return { n, ns: elapsed };
  },
};

async function runGuest(argv: string[]): Promise<void> {
  const separator = argv.indexOf("--");
  const own = separator < 0 ? argv : argv.slice(0, separator);
  const guestArgs = separator < 0 ? [] : argv.slice(separator + 1);
  const thread = own.includes("--thread");
  const [component, allow = "", maybeMax, max] = own.filter((arg) => arg !== "--thread");
  if (component === undefined) throw new Error("runner guest: expected a component path");
  const maxProcesses = maybeMax === "--max" ? Number(max) : 10;
  const rssStart = rssNow();
  const marks = watchMarks();
  const { instantiateComponent, lentPipeCalls } = await import("host-process");
  const started = process.hrtime.bigint();
  const settings = { policy: { allow: allow.split(",").filter(Boolean), maxProcesses }, args: ["bench", ...guestArgs] };
  const instance = thread ? await instantiateComponent(component, { ...settings, thread }) : await instantiateComponent(component, settings);
  const instantiateNs = ns(started);
  const rssInstantiated = rssNow();
  // The guest prints its RESULT line to this process's stdout.
  const code = await instance.run();
  const rssAfterRun = rssNow();
  await instance.close();
  if (code !== 0) throw new Error(`guest exited with code ${code}`);
  runner({ rssStart, rssInstantiated, rssAfterRun, instantiateNs, lentPipeCalls: lentPipeCalls(), ...Object.fromEntries(Object.entries(marks).map(([k, v]) => [`mark:${k}`, v])) });
}

/** Threads of this process, from /proc. */
function threadsNow(): number {
  const match = /^Threads:\s+(\d+)$/m.exec(readFileSync("/proc/self/status", "utf8"));
  return match ? Number(match[1]) : NaN;
}

/** Instantiates a component n times (policy: `sleep` allowed) and keeps every instance idle. */
async function runInstances(argv: string[]): Promise<void> {
  const thread = argv.includes("--thread");
  const [component, count = "4"] = argv.filter((arg) => arg !== "--thread");
  if (component === undefined) throw new Error("runner instances: expected a component path");
  const n = Number(count);
  const { instantiateComponent } = await import("host-process");
  const settings = { policy: { allow: ["sleep"] }, args: ["bench"] };
  const instantiate = () => (thread ? instantiateComponent(component, { ...settings, thread }) : instantiateComponent(component, settings));
  // The first instance loads the module and compiles the component; the further ones show the cost of one more.
  let started = process.hrtime.bigint();
  const instances = [await instantiate()];
  const firstNs = ns(started);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const rssOne = rssNow();
  const threadsOne = threadsNow();
  started = process.hrtime.bigint();
  for (let i = 1; i < n; i++) instances.push(await instantiate());
  const furtherNs = ns(started);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const rssAll = rssNow();
  const threadsAll = threadsNow();
  result({ n, firstNs, furtherNs, rssPerInstance: (rssAll - rssOne) / (n - 1), threadsPerInstance: (threadsAll - threadsOne) / (n - 1) });
  for (const instance of instances) await instance.close();
  runner({});
}

/**
 * The guest's stdout is this process's stdout, written synchronously on the
 * main thread (preview2-shim calls process.stdout.write): a `MARK <name>` line
 * is seen, and the RSS sampled, while the guest waits for that write.
 */
function watchMarks(): Record<string, number> {
  const marks: Record<string, number> = {};
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    for (const match of text.matchAll(/^MARK (\S+)$/gm)) marks[match[1]!] = rssNow();
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  return marks;
}

/** A component served by jco-std's `jco:node/child-process` Node host: the peer, run as a component. */
async function runJcoStdGuest(argv: string[]): Promise<void> {
  const separator = argv.indexOf("--");
  const [component] = argv.slice(0, separator < 0 ? argv.length : separator);
  const guestArgs = separator < 0 ? [] : argv.slice(separator + 1);
  if (component === undefined) throw new Error("runner jco-std-guest: expected a component path");
  const rssStart = rssNow();
  const { createWasiImports, loadComponent, normalizePolicy } = await import("host-process");
  const childProcess = await import("@bytecodealliance/jco-std/wasi/0.2.x/node/24.x.x/child-process/host/node");
  const started = process.hrtime.bigint();
  const loaded = await loadComponent(component);
  const exports = await loaded.instantiate({
    ...createWasiImports(normalizePolicy({}).wasi, { args: ["bench", ...guestArgs] }),
    "jco:node/child-process": childProcess,
  });
  const instantiateNs = ns(started);
  const rssInstantiated = rssNow();
  const run = Object.entries(exports).find(([name]) => name === "run" || name.startsWith("wasi:cli/run@"))?.[1] as
    | { run(): void | Promise<void> }
    | undefined;
  if (!run) throw new Error("the component exports no wasi:cli/run");
  await run.run();
  runner({ rssStart, rssInstantiated, rssAfterRun: rssNow(), instantiateNs });
}

async function main(argv: string[]): Promise<void> {
  const [mode, ...rest] = argv;
  if (mode === "guest") return runGuest(rest);
  if (mode === "instances") return runInstances(rest);
  if (mode === "jco-std-guest") return runJcoStdGuest(rest);
  const table = mode === "native" ? native : mode === "host" ? host : undefined;
  const [scenario = "", ...args] = rest;
  const body = table?.[scenario];
  if (!body) throw new Error(`runner: unknown ${mode} scenario ${JSON.stringify(scenario)}`);
  const rssStart = rssNow();
  result(await body(args));
  runner({ rssStart });
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`runner: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
