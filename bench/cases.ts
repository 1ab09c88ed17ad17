/**
 * The benchmark's cases: each is a set of sides (one of them the baseline)
 * that the harness runs in alternation, round after round, each side in a
 * Node process of its own (bench/runner.ts). A new case is one entry in
 * `defineCases` (plus, for a guest, one scenario in bench/guest/main.ts).
 */
export interface RunOutput {
  /** The `RESULT` line of the guest or of the native code. */
  result: Record<string, unknown>;
  /** The `RUNNER` line: memory figures of the runner process, in bytes. */
  runner: Record<string, number>;
  /** Wall time of the whole runner process (start-up and instantiation included), for information. */
  wallMs: number;
}

export interface Side {
  id: string;
  label: string;
  /** Arguments of bench/runner.ts. */
  argv: string[];
  /** What drew it: "native" and "shell" sides are Node or the OS alone. */
  kind: "ts-guest" | "thin-guest" | "host" | "native" | "shell" | "jco-std" | "jco-std-guest";
  /** For the chart: the guest's read size. */
  readSize?: number;
}

export interface Metric {
  id: string;
  title: string;
  unit: string;
  better: "higher" | "lower";
  value(run: RunOutput): number;
  /** Sides this metric applies to (default: all). */
  sides?: string[];
}

export interface Goal {
  metric: string;
  side: string;
  /** Goal on side / baseline. */
  op: ">=" | "<=";
  ratio: number;
  /** Another side to compare with instead of the case's baseline. */
  against?: string;
}

export interface Case {
  id: string;
  title: string;
  baseline: string;
  sides: Side[];
  metrics: Metric[];
  goals: Goal[];
  note?: string;
}

export interface Sizes {
  stdoutBytes: number;
  /** Read sizes of the guests' blocking-read (the chart's x axis). */
  readSizes: number[];
  /** Read sizes that carry the ≥ 0.5× goal. */
  goalReadSizes: number[];
  spliceBytes: number;
  spliceChunk: number;
  spawns: number;
  outputs: number;
  idleChildren: number;
  /** Instances of the TS guest kept idle at once. */
  instances: number;
  /** Awaited small writes into a child's stdin. */
  smallWrites: number;
  /** Interactive round trips (a line out, its answer back). */
  roundTrips: number;
  /** Lines read with `for await`. */
  lines: number;
}

export const FULL: Sizes = {
  stdoutBytes: 256 * 1024 * 1024,
  readSizes: [4096, 16384, 65536, 262144, 1048576],
  goalReadSizes: [65536, 1048576],
  spliceBytes: 1024 * 1024 * 1024,
  spliceChunk: 1048576,
  spawns: 500,
  outputs: 200,
  idleChildren: 100,
  instances: 5,
  smallWrites: 100_000,
  roundTrips: 1000,
  lines: 1_000_000,
};

/** For CI: proves that every case still runs and yields figures; says nothing about speed. */
export const QUICK: Sizes = {
  stdoutBytes: 1024 * 1024,
  readSizes: [65536, 1048576],
  goalReadSizes: [65536, 1048576],
  spliceBytes: 1024 * 1024,
  spliceChunk: 1048576,
  spawns: 5,
  outputs: 5,
  idleChildren: 3,
  instances: 2,
  smallWrites: 100,
  roundTrips: 10,
  lines: 1000,
};

/** What the WIT at hand offers (read from wit/ by the harness). */
export interface Features {
  /** spawn-options' `stdin-from`: host-side pipelines. */
  stdinFrom: boolean;
}

export interface Guests {
  ts: string;
  thin: string;
  /** The thin guest that spawns through jco-std's `jco:node/child-process`. */
  thinJcoStd: string;
}

const MB = 1e6;
const KiB = 1024;
const MiB = 1024 * 1024;

const num = (run: RunOutput, key: string): number => {
  const value = run.result[key];
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new Error(`expected a number \`${key}\` in ${JSON.stringify(run.result)}`);
  }
  return value;
};

const throughput: Metric = {
  id: "throughput",
  title: "throughput",
  unit: "MB/s",
  better: "higher",
  value: (run) => num(run, "bytes") / (num(run, "ns") / 1e9) / MB,
};

const perOperation: Metric = {
  id: "latency",
  title: "time per operation",
  unit: "ms",
  better: "lower",
  value: (run) => num(run, "ns") / num(run, "n") / 1e6,
};

const peakRss: Metric = {
  id: "peak-rss",
  title: "peak RSS of the process",
  unit: "MiB",
  better: "lower",
  value: (run) => (run.runner.rssPeak ?? NaN) / MiB,
};

function readSizeLabel(size: number): string {
  return size >= MiB ? `${size / MiB} MiB` : `${size / KiB} KiB`;
}

function guest(component: string, allow: string[], args: string[], max = 10): string[] {
  return ["guest", component, allow.join(","), "--max", String(max), "--", ...args];
}

/** The same guest run in a thread of its own (`thread: true`, what runComponent and the CLI do). */
function inThread(side: Side): Side {
  const at = side.argv.indexOf("--");
  return { ...side, id: `${side.id}-thread`, label: `${side.label}, in a thread of its own`, argv: [...side.argv.slice(0, at), "--thread", ...side.argv.slice(at)] };
}

export function defineCases(sizes: Sizes, guests: Guests, features: Features): Case[] {
  const bytes = String(sizes.stdoutBytes);
  const readSides = (kind: "ts-guest" | "thin-guest"): Side[] =>
    sizes.readSizes.map((size) => ({
      id: `${kind}-read-${size}`,
      label: `${kind === "ts-guest" ? "TS guest" : "thin (WAT) guest"}, blocking-read(${readSizeLabel(size)})`,
      kind,
      readSize: size,
      argv: guest(kind === "ts-guest" ? guests.ts : guests.thin, ["head"], ["read", bytes, String(size)]),
    }));
  const guestReads = [...readSides("ts-guest"), ...readSides("thin-guest")];
  const goalSides = guestReads.filter((side) => sizes.goalReadSizes.includes(side.readSize ?? -1));

  return [
    {
      id: "stdout",
      title: `1. Stdout throughput: head -c ${sizes.stdoutBytes} /dev/zero`,
      baseline: "native-read",
      sides: [
        { id: "native-read", label: "native Node, child.stdout 'data'", kind: "native", argv: ["native", "read", bytes] },
        { id: "os-pipe", label: "raw OS pipe, sh -c 'head | wc -c' (reference)", kind: "shell", argv: ["native", "pipe", bytes] },
        ...guestReads,
        { id: "ts-guest-read-api", label: "TS guest, `readStdout()` (guest module, 64 KiB)", kind: "ts-guest", argv: guest(guests.ts, ["head"], ["read-api", bytes]) },
        ...guestReads.filter((side) => side.readSize === 65536).map(inThread),
      ],
      metrics: [throughput, { ...peakRss, sides: ["native-read", ...goalSides.map((side) => side.id)] }],
      goals: [
        ...goalSides.map((side) => ({ metric: "throughput", side: side.id, op: ">=" as const, ratio: 0.5 })),
        ...goalSides.filter((side) => side.kind === "ts-guest").map((side) => ({ metric: "peak-rss", side: side.id, op: "<=" as const, ratio: 2 })),
      ],
    },
    {
      id: "splice",
      title: `2. Pipelines: head -c ${sizes.spliceBytes} /dev/zero into wc -c`,
      baseline: "native-pipe",
      sides: [
        { id: "native-pipe", label: "native Node, a.stdout.pipe(b.stdin)", kind: "native", argv: ["native", "splice", String(sizes.spliceBytes)] },
        { id: "shell-pipe", label: "shell pipe, sh -c 'head | wc -c' (reference)", kind: "shell", argv: ["native", "pipe", String(sizes.spliceBytes)] },
        {
          id: "ts-guest-splice",
          label: `TS guest, blocking-splice(${readSizeLabel(sizes.spliceChunk)})`,
          kind: "ts-guest",
          argv: guest(guests.ts, ["head", "wc"], ["splice", String(sizes.spliceBytes), String(sizes.spliceChunk)]),
        },
        // Host-side pipelines: spawn with another child's stdout as stdin (`stdin-from`), joined by an OS pipe.
        ...(features.stdinFrom
          ? [{
            id: "ts-guest-pipeline",
            label: "TS guest, spawn(wc, { stdin-from: head's stdout })",
            kind: "ts-guest" as const,
            argv: guest(guests.ts, ["head", "wc"], ["pipeline", String(sizes.spliceBytes)]),
          }]
          : []),
      ],
      metrics: [throughput],
      goals: [
        { metric: "throughput", side: "ts-guest-splice", op: ">=", ratio: 0.5 },
        ...(features.stdinFrom ? [{ metric: "throughput", side: "ts-guest-pipeline", op: ">=" as const, ratio: 0.8, against: "shell-pipe" }] : []),
      ],
      note: features.stdinFrom
        ? undefined
        : "host-side pipelines (spawn-options' stdin-from) are not in wit/ yet: their side joins this case when they are",
    },
    {
      id: "spawn",
      title: `3. Spawn latency: spawn \`true\`, wait for exit, ${sizes.spawns} times`,
      baseline: "native-spawn",
      sides: [
        { id: "native-spawn", label: "native Node, spawn + 'exit'", kind: "native", argv: ["native", "spawn", String(sizes.spawns)] },
        { id: "ts-guest-spawn", label: "TS guest, raw spawn + wait + drop", kind: "ts-guest", argv: guest(guests.ts, ["true"], ["spawn", String(sizes.spawns)]) },
        {
          id: "ts-guest-spawn-api",
          label: "TS guest, `await spawn()` + `await wait()` (guest module)",
          kind: "ts-guest",
          argv: guest(guests.ts, ["true"], ["spawn-api", String(sizes.spawns)]),
        },
        { id: "thin-guest-spawn", label: "thin (WAT) guest, spawn + wait + drop", kind: "thin-guest", argv: guest(guests.thin, ["true"], ["spawn", String(sizes.spawns)]) },
        inThread({ id: "ts-guest-spawn", label: "TS guest, raw spawn + wait + drop", kind: "ts-guest", argv: guest(guests.ts, ["true"], ["spawn", String(sizes.spawns)]) }),
        inThread({ id: "thin-guest-spawn", label: "thin (WAT) guest, spawn + wait + drop", kind: "thin-guest", argv: guest(guests.thin, ["true"], ["spawn", String(sizes.spawns)]) }),
        { id: "host-spawn", label: "host imports called from Node, no guest", kind: "host", argv: ["host", "spawn", String(sizes.spawns)] },
        {
          id: "jco-std-spawn",
          label: "jco-std jco:node/child-process spawnSync host, called from Node",
          kind: "jco-std",
          argv: ["native", "jco-std", String(sizes.spawns)],
        },
        {
          id: "jco-std-thin-guest-spawn",
          label: "thin (WAT) guest, spawn-sync through jco-std's host",
          kind: "jco-std-guest",
          argv: ["jco-std-guest", guests.thinJcoStd, "--", "spawn", String(sizes.spawns)],
        },
      ],
      metrics: [perOperation],
      goals: ["ts-guest-spawn", "ts-guest-spawn-api", "thin-guest-spawn"].map((side) => ({ metric: "latency", side, op: "<=", ratio: 1.3 })),
    },
    {
      id: "output",
      title: `4. output() of \`echo hello\`, ${sizes.outputs} times`,
      baseline: "native-output",
      sides: [
        { id: "native-output", label: "native Node, execFile", kind: "native", argv: ["native", "output", String(sizes.outputs)] },
        { id: "ts-guest-output", label: "TS guest, raw output()", kind: "ts-guest", argv: guest(guests.ts, ["echo"], ["output", String(sizes.outputs)]) },
        {
          id: "ts-guest-output-api",
          label: "TS guest, `await output()` (guest module)",
          kind: "ts-guest",
          argv: guest(guests.ts, ["echo"], ["output-api", String(sizes.outputs)]),
        },
        inThread({ id: "ts-guest-output", label: "TS guest, raw output()", kind: "ts-guest", argv: guest(guests.ts, ["echo"], ["output", String(sizes.outputs)]) }),
        { id: "host-output", label: "host imports called from Node, no guest", kind: "host", argv: ["host", "output", String(sizes.outputs)] },
      ],
      metrics: [perOperation],
      goals: [
        { metric: "latency", side: "ts-guest-output", op: "<=", ratio: 1.5 },
        { metric: "latency", side: "ts-guest-output-api", op: "<=", ratio: 1.3 },
      ],
    },
    {
      id: "idle",
      title: `5. Memory: RSS per idle child (${sizes.idleChildren} \`sleep\` children, stdout and stderr piped)`,
      baseline: "native-idle",
      sides: [
        { id: "native-idle", label: "native Node, children held", kind: "native", argv: ["native", "idle", String(sizes.idleChildren)] },
        {
          id: "ts-guest-idle",
          label: "TS guest, children held",
          kind: "ts-guest",
          argv: guest(guests.ts, ["sleep"], ["idle", String(sizes.idleChildren)], sizes.idleChildren + 1),
        },
      ],
      metrics: [
        {
          id: "rss-per-child",
          title: "RSS growth per idle child",
          unit: "KiB",
          better: "lower",
          // RSS at `MARK held` minus RSS at `MARK base` (after a warm-up child), per child.
          value: (run) => {
            const marks = (run.result.marks as Record<string, number> | undefined) ?? {
              base: run.runner["mark:base"] ?? NaN,
              held: run.runner["mark:held"] ?? NaN,
            };
            return ((marks.held ?? NaN) - (marks.base ?? NaN)) / num(run, "n") / KiB;
          },
        },
      ],
      goals: [],
    },
    {
      id: "confine-spawn",
      title: `6. Confinement (bubblewrap): spawn \`true\`, wait for exit, ${sizes.spawns} times, confined vs unconfined`,
      baseline: "host-spawn-unconfined",
      sides: [
        { id: "host-spawn-unconfined", label: "host imports called from Node, unconfined", kind: "host", argv: ["host", "spawn", String(sizes.spawns)] },
        { id: "host-spawn-confined", label: "the same, `confine: true`", kind: "host", argv: ["host", "spawn", String(sizes.spawns), "confined"] },
      ],
      metrics: [perOperation],
      goals: [],
      note: "the cost of the sandbox per child: bubblewrap's exec, its namespaces and mounts, and its init",
    },
    {
      id: "confine-read",
      title: `7. Confinement (bubblewrap): output() of \`head -c ${sizes.stdoutBytes}\`, confined vs unconfined`,
      baseline: "host-read-unconfined",
      sides: [
        { id: "host-read-unconfined", label: "host imports called from Node, unconfined", kind: "host", argv: ["host", "read", String(sizes.stdoutBytes)] },
        { id: "host-read-confined", label: "the same, `confine: true`", kind: "host", argv: ["host", "read", String(sizes.stdoutBytes), "confined"] },
      ],
      metrics: [throughput],
      goals: [],
    },
    {
      id: "instances",
      title: `8. Instances: the TS guest instantiated ${sizes.instances} times, kept idle`,
      baseline: "main-thread-instances",
      sides: [
        { id: "main-thread-instances", label: "on the host's thread", kind: "ts-guest", argv: ["instances", guests.ts, String(sizes.instances)] },
        { id: "thread-instances", label: "each in a thread of its own", kind: "ts-guest", argv: ["instances", guests.ts, String(sizes.instances), "--thread"] },
      ],
      metrics: [
        { id: "first", title: "first instantiation in a process (loads the host, compiles the component)", unit: "ms", better: "lower", value: (run) => num(run, "firstNs") / 1e6 },
        { id: "further", title: "each further instantiation", unit: "ms", better: "lower", value: (run) => num(run, "furtherNs") / (num(run, "n") - 1) / 1e6 },
        { id: "rss-per-instance", title: "RSS growth per idle instance", unit: "MiB", better: "lower", value: (run) => num(run, "rssPerInstance") / MiB },
      ],
      goals: [],
      note: "threads per idle instance are in latest.json (`threadsPerInstance`): none on the host's thread, an instance thread and its I/O worker in one",
    },
    {
      id: "small-writes",
      title: `9. Small writes: ${sizes.smallWrites} awaited \`stdin.write("line\\n")\` into \`cat\``,
      baseline: "native-writes",
      sides: [
        { id: "native-writes", label: "native Node, `await` of each `stdin.write` callback", kind: "native", argv: ["native", "writes", String(sizes.smallWrites)] },
        { id: "ts-guest-writes", label: "TS guest, `await child.stdin.write()` (guest module)", kind: "ts-guest", argv: guest(guests.ts, ["cat"], ["writes", String(sizes.smallWrites)]) },
        { id: "host-writes", label: "host imports called from Node, no guest: `write` within check-write's permit", kind: "host", argv: ["host", "writes", String(sizes.smallWrites)] },
      ],
      metrics: [{ ...perOperation, title: "time per write", unit: "µs", value: (run) => num(run, "ns") / num(run, "n") / 1e3 }],
      goals: [{ metric: "latency", side: "ts-guest-writes", op: "<=", ratio: 10 }],
    },
    {
      id: "round-trips",
      title: `10. Interactive round trips: a line written to \`bc\`, its answer read back, ${sizes.roundTrips} times`,
      baseline: "native-round-trips",
      sides: [
        { id: "native-round-trips", label: "native Node, `stdin.write` and readline's async iterator", kind: "native", argv: ["native", "roundtrip", String(sizes.roundTrips)] },
        {
          id: "ts-guest-round-trips",
          label: "TS guest, `stdin.write` and `child.stdout`'s async iterator (guest module)",
          kind: "ts-guest",
          argv: guest(guests.ts, ["bc"], ["roundtrip", String(sizes.roundTrips)]),
        },
        { id: "host-round-trips", label: "host imports called from Node, no guest: `write`, then `blocking-read` to the newline", kind: "host", argv: ["host", "roundtrip", String(sizes.roundTrips)] },
      ],
      metrics: [{ ...perOperation, title: "time per round trip", unit: "µs", value: (run) => num(run, "ns") / num(run, "n") / 1e3 }],
      goals: [{ metric: "latency", side: "ts-guest-round-trips", op: "<=", ratio: 3 }],
    },
    {
      id: "lines",
      title: `11. Lines: the ${sizes.lines} lines of \`seq ${sizes.lines}\` through \`for await\``,
      baseline: "native-lines",
      sides: [
        { id: "native-lines", label: "native Node, readline's `for await`", kind: "native", argv: ["native", "lines", String(sizes.lines)] },
        { id: "ts-guest-lines", label: "TS guest, `for await (const line of child.stdout)` (guest module)", kind: "ts-guest", argv: guest(guests.ts, ["seq"], ["lines", String(sizes.lines)]) },
        { id: "host-lines", label: "host imports called from Node, no guest: `blocking-read`s of 64 KiB, newlines counted", kind: "host", argv: ["host", "lines", String(sizes.lines)] },
      ],
      metrics: [{ ...perOperation, title: "time per line", unit: "µs", value: (run) => num(run, "ns") / num(run, "n") / 1e3 }],
      goals: [{ metric: "latency", side: "ts-guest-lines", op: "<=", ratio: 10 }],
    },
  ];
}
