/**
 * `npm run bench`: builds the guests (cached by content hash), runs every
 * case's sides in alternation for several rounds, each run in a Node process
 * of its own, and reports medians with their ratio to the case's baseline:
 * a Markdown table on stdout and in `<out>/latest.md`, every figure in
 * `<out>/latest.json`, and `<out>/throughput.svg` (throughput against read size).
 *
 *   node dist/bench/run.js [--quick] [--rounds N] [--only case,case] [--out DIR] [--no-profile] [--run-timeout S]
 *   node dist/bench/run.js --render bench/results/latest.json   (re-renders latest.md and the SVG beside it)
 *
 * A run that fails or hangs (killed after --run-timeout seconds, default 300,
 * 60 with --quick) is recorded under `failures` with its error, and tried
 * again (twice more with --quick); figures
 * come from successful runs only. The JSON is rewritten after every round.
 *
 * `--quick` runs tiny sizes once: it proves that every case still works and
 * says nothing about speed (the tests use it). Speed goals are never asserted:
 * they are ratios measured side by side, reported as met or missed.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { throughputChart, type Series } from "./chart.js";
import { defineCases, FULL, QUICK, type Case, type Metric, type RunOutput, type Side } from "./cases.js";
import { buildThinGuest, buildThinJcoStdGuest, buildTsGuest } from "./guests.js";
import { RESULTS, ROOT, RUNNER, TRANSPILED } from "./paths.js";

interface Options {
  quick: boolean;
  rounds: number;
  only: string[] | undefined;
  out: string;
  profile: boolean;
  runTimeoutMs: number;
  /** Tries per run (a known shim hang, see docs/performance.md, makes blocking-splice hang now and then). */
  attempts: number;
  /** Only re-render latest.md and throughput.svg from this latest.json. */
  render: string | undefined;
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      rounds: { type: "string" },
      only: { type: "string" },
      out: { type: "string" },
      "no-profile": { type: "boolean", default: false },
      "run-timeout": { type: "string" },
      render: { type: "string" },
    },
  });
  const rounds = values.rounds === undefined ? (values.quick ? 1 : 5) : Number(values.rounds);
  if (!Number.isSafeInteger(rounds) || rounds < 1) throw new TypeError(`Expected \`--rounds\` to be a positive integer, got \`${values.rounds}\``);
  return {
    quick: values.quick ?? false,
    rounds,
    only: values.only?.split(",").map((id) => id.trim()).filter(Boolean),
    out: values.out ?? (values.render ? dirname(values.render) : RESULTS),
    profile: !values["no-profile"],
    runTimeoutMs: Number(values["run-timeout"] ?? (values.quick ? 60 : 300)) * 1000,
    attempts: values.quick ? 3 : 2,
    render: values.render,
  };
}

const log = (text: string) => process.stderr.write(`${text}\n`);

let runTimeoutMs = 300_000;

function runRunner(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string; wallMs: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [RUNNER, ...argv],
      {
        cwd: ROOT,
        env: { ...process.env, HOST_PROCESS_CACHE_DIR: TRANSPILED, ...env },
        maxBuffer: 512 * 1024 * 1024,
        // A hung run is killed (the host's watchdog then ends its children).
        timeout: runTimeoutMs,
        killSignal: "SIGKILL",
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr, wallMs: performance.now() - started });
        const hung = (error as { killed?: boolean }).killed ? ` (no answer after ${runTimeoutMs / 1000} s: killed)` : "";
        reject(new Error(`runner ${argv.join(" ")} failed${hung}: ${error.message}\n${stderr.slice(-4000)}`));
      },
    );
  });
}

function lineOf(stdout: string, kind: string): Record<string, unknown> {
  const line = stdout.split("\n").find((l) => l.startsWith(`${kind} `));
  if (line === undefined) throw new Error(`no ${kind} line in:\n${stdout}`);
  return JSON.parse(line.slice(kind.length + 1)) as Record<string, unknown>;
}

async function runSide(side: Side): Promise<RunOutput> {
  const { stdout, wallMs } = await runRunner(side.argv);
  return { result: lineOf(stdout, "RESULT"), runner: lineOf(stdout, "RUNNER") as Record<string, number>, wallMs };
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Row {
  side: string;
  label: string;
  kind: Side["kind"];
  readSize?: number;
  samples: number[];
  median: number;
  min: number;
  max: number;
  /** median(side) / median(baseline) */
  ratio: number;
  goal?: { op: ">=" | "<="; ratio: number; against: string; ratioAgainst: number; met: boolean };
}

interface Section {
  case: string;
  title: string;
  metric: string;
  metricTitle: string;
  unit: string;
  better: "higher" | "lower";
  baseline: string;
  rows: Row[];
  note?: string;
}

function summarize(testCase: Case, metric: Metric, runs: Map<string, RunOutput[]>): Section {
  const sides = testCase.sides.filter((side) => !metric.sides || metric.sides.includes(side.id));
  const values = new Map(sides.map((side) => [side.id, (runs.get(side.id) ?? []).map((run) => metric.value(run))]));
  // (A side whose every run failed has no samples: its median is NaN, and says so in the table.)
  const medians = new Map([...values].map(([id, samples]) => [id, median(samples)]));
  const base = medians.get(testCase.baseline)!;
  const rows = sides.map((side): Row => {
    const samples = values.get(side.id)!;
    const row: Row = {
      side: side.id, label: side.label, kind: side.kind, readSize: side.readSize, samples,
      median: medians.get(side.id)!, min: Math.min(...samples), max: Math.max(...samples), ratio: medians.get(side.id)! / base,
    };
    const goal = testCase.goals.find((g) => g.metric === metric.id && g.side === side.id);
    if (goal) {
      const against = goal.against ?? testCase.baseline;
      const ratioAgainst = row.median / medians.get(against)!;
      row.goal = { op: goal.op, ratio: goal.ratio, against, ratioAgainst, met: goal.op === ">=" ? ratioAgainst >= goal.ratio : ratioAgainst <= goal.ratio };
    }
    return row;
  });
  return {
    case: testCase.id, title: testCase.title, metric: metric.id, metricTitle: metric.title, unit: metric.unit,
    better: metric.better, baseline: testCase.baseline, rows, note: testCase.note,
  };
}

function figure(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  return abs >= 100 ? value.toFixed(0) : abs >= 10 ? value.toFixed(1) : abs >= 1 ? value.toFixed(2) : value.toFixed(3);
}

function markdown(sections: Section[]): string {
  const out: string[] = [];
  for (const section of sections) {
    out.push(`**${section.title}** — ${section.metricTitle}, ${section.unit} (${section.better} is better; ratio = side ÷ baseline)`, "");
    out.push("| side | median | min – max | ratio | goal |", "|---|---:|---:|---:|---|");
    for (const row of section.rows) {
      const cell = row.label.replace(/\|/g, "\\|");
      const label = row.side === section.baseline ? `${cell} **(baseline)**` : cell;
      const goal = row.goal
        ? `${row.goal.op} ${row.goal.ratio}×${row.goal.against === section.baseline ? "" : ` ${row.goal.against}`}: ${row.goal.met ? "met" : "**missed**"}${row.goal.against === section.baseline ? "" : ` (${figure(row.goal.ratioAgainst)}×)`}`
        : "";
      out.push(`| ${label} | ${figure(row.median)} | ${figure(row.min)} – ${figure(row.max)} | ${figure(row.ratio)}× | ${goal} |`);
    }
    if (section.note) out.push("", `_${section.note}._`);
    out.push("");
  }
  return out.join("\n");
}

/** Worker round trips per operation, counted from preview2-shim's PREVIEW2_SHIM_DEBUG=1 trace. */
async function profile(argv: string[], perKey: string): Promise<Record<string, unknown>> {
  const { stdout, stderr } = await runRunner(argv, { PREVIEW2_SHIM_DEBUG: "1" });
  const result = lineOf(stdout, "RESULT");
  const calls: Record<string, number> = {};
  let total = 0;
  for (const match of stderr.matchAll(/^\d+ ([A-Z][A-Z0-9_]+) (?:[A-Z][A-Z0-9_]+|undefined) /gm)) {
    calls[match[1]!] = (calls[match[1]!] ?? 0) + 1;
    total++;
  }
  for (const match of stderr.matchAll(/operation: '(\w+)'/g)) {
    const key = `WORKER_EXTENSION_CALL:${match[1]}`;
    calls[key] = (calls[key] ?? 0) + 1;
  }
  const per = Number(result[perKey]);
  const lentCalls = Number(lineOf(stdout, "RUNNER").lentPipeCalls ?? 0);
  return {
    argv: argv.slice(argv.indexOf("--") + 1),
    per: perKey,
    operations: per,
    totalCalls: total,
    callsPerOperation: total / per,
    lentCalls,
    calls,
    result,
  };
}

function chart(sections: Section[], title: string): string | undefined {
  const section = sections.find((s) => s.case === "stdout" && s.metric === "throughput");
  if (!section) return undefined;
  const series = (kind: Side["kind"], label: string, color: string): Series => ({
    label, color, points: section.rows.filter((row) => row.kind === kind && row.readSize).map((row) => [row.readSize!, row.median]),
  });
  const reference = (side: string, label: string, color: string) => {
    const row = section.rows.find((r) => r.side === side);
    return row ? [{ label, color, value: row.median }] : [];
  };
  return throughputChart(
    title,
    [series("ts-guest", "TS guest (blocking-read)", "#1f77b4"), series("thin-guest", "thin WAT guest (blocking-read)", "#d62728")],
    [
      ...reference("os-pipe", "raw OS pipe (head | wc -c)", "#7f7f7f"),
      ...reference("native-read", "native Node child.stdout", "#2ca02c"),
      ...reference("native-read", "goal: 0.5× native Node", "#ff7f0e").map((ref) => ({ ...ref, value: ref.value / 2 })),
    ],
  );
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  runTimeoutMs = opts.runTimeoutMs;
  if (opts.render) {
    const report = JSON.parse(await readFile(opts.render, "utf8")) as Report;
    return render(report, opts.out);
  }
  if (!existsSync(RUNNER)) throw new Error(`${RUNNER} is missing: run \`npm run bench\` (it compiles host/ and bench/ first)`);
  const sizes = opts.quick ? QUICK : FULL;
  const startedAt = new Date();

  log("building guests (cached by content hash) …");
  const [ts, thin, thinJcoStd] = [await buildTsGuest(), await buildThinGuest(), await buildThinJcoStdGuest()];
  for (const [name, built] of [["TS guest", ts], ["thin guest", thin], ["jco-std thin guest", thinJcoStd]] as const) {
    log(`  ${name.padEnd(18)} ${built.path} ${built.cached ? "(cached)" : `(built in ${(built.buildMs / 1000).toFixed(1)} s)`}`);
  }

  const features = { stdinFrom: /\bstdin-from\s*:/.test(await readFile(join(ROOT, "wit", "process.wit"), "utf8")) };
  const cases = defineCases(sizes, { ts: ts.path, thin: thin.path, thinJcoStd: thinJcoStd.path }, features).filter((c) => !opts.only || opts.only.includes(c.id));
  if (cases.length === 0) throw new Error(`--only ${opts.only?.join(",")} names no case`);

  // Untimed warm-up: transpiles each component once (cached on disk) and warms the page cache.
  for (const path of [ts.path, thin.path]) await runRunner(["guest", path, "true", "--", "spawn", "1"]);
  await runRunner(["jco-std-guest", thinJcoStd.path, "--", "spawn", "1"]);

  const runs = new Map<string, Map<string, RunOutput[]>>(cases.map((c) => [c.id, new Map()]));
  const failures: { round: number; case: string; side: string; error: string }[] = [];
  const loads: number[][] = [];
  await mkdir(opts.out, { recursive: true });
  const rawRuns = () => Object.fromEntries([...runs].map(([id, bySide]) => [id, Object.fromEntries(bySide)]));
  for (let round = 0; round < opts.rounds; round++) {
    loads.push(loadavg());
    for (const testCase of cases) {
      // Alternate: every side once per round, starting one further each round.
      const order = testCase.sides.map((_, i) => testCase.sides[(i + round) % testCase.sides.length]!);
      for (const side of order) {
        for (let attempt = 1; attempt <= opts.attempts; attempt++) {
          try {
            const run = await runSide(side);
            const list = runs.get(testCase.id)!.get(side.id) ?? [];
            list.push(run);
            runs.get(testCase.id)!.set(side.id, list);
            log(`round ${round + 1}/${opts.rounds} ${testCase.id} ${side.id}: ${JSON.stringify(run.result).slice(0, 120)}`);
            break;
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            failures.push({ round: round + 1, case: testCase.id, side: side.id, error: message });
            log(`round ${round + 1}/${opts.rounds} ${testCase.id} ${side.id}: FAILED (attempt ${attempt}): ${message.split("\n")[0]}`);
          }
        }
      }
    }
    // Partial results survive an interrupted run.
    await writeFile(join(opts.out, "partial.json"), `${JSON.stringify({ rounds: round + 1, failures, runs: rawRuns() }, null, 2)}\n`);
  }

  const sections = cases.flatMap((testCase) => testCase.metrics.map((metric) => summarize(testCase, metric, runs.get(testCase.id)!)));

  const profiles: Record<string, unknown> = {};
  if (opts.profile) {
    log("profiling worker round trips (PREVIEW2_SHIM_DEBUG=1) …");
    const bytes = String(opts.quick ? 1 << 20 : 16 << 20);
    const n = String(opts.quick ? 3 : 20);
    const guestArgs = (path: string, allow: string, args: string[]) => ["guest", path, allow, "--max", "10", "--", ...args];
    profiles["ts-guest read 64 KiB"] = await profile(guestArgs(ts.path, "head", ["read", bytes, "65536"]), "reads");
    profiles["ts-guest read 1 MiB"] = await profile(guestArgs(ts.path, "head", ["read", bytes, "1048576"]), "reads");
    profiles["thin-guest read 64 KiB"] = await profile(guestArgs(thin.path, "head", ["read", bytes, "65536"]), "reads");
    profiles["ts-guest splice 1 MiB"] = await profile(guestArgs(ts.path, "head,wc", ["splice", bytes, "1048576"]), "calls");
    profiles["ts-guest spawn"] = await profile(guestArgs(ts.path, "true", ["spawn", n]), "n");
    profiles["thin-guest spawn"] = await profile(guestArgs(thin.path, "true", ["spawn", n]), "n");
    profiles["ts-guest output"] = await profile(guestArgs(ts.path, "echo", ["output", n]), "n");
  }

  const environment = {
    date: startedAt.toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    loadAverageAtRoundStart: loads,
    command: `npm run bench --${opts.quick ? " --quick" : ""}${opts.rounds !== (opts.quick ? 1 : 5) ? ` --rounds ${opts.rounds}` : ""}`,
    quick: opts.quick,
    rounds: opts.rounds,
    features,
    sizes,
  };
  await writeFile(join(opts.out, "latest.json"), `${JSON.stringify({ environment, sections, profiles, failures, runs: rawRuns() }, null, 2)}\n`);
  await rm(join(opts.out, "partial.json"), { force: true });
  await render({ environment, sections, profiles, failures }, opts.out);
}

interface Report {
  environment: { date: string; node: string; cpus: number; cpuModel?: string; rounds: number; loadAverageAtRoundStart: number[][]; sizes: { stdoutBytes: number } };
  sections: Section[];
  profiles: Record<string, unknown>;
  failures: { round: number; case: string; side: string; error: string }[];
}

/** Writes latest.md and throughput.svg (into `out`) from a report, and prints the tables. */
async function render(report: Report, out: string): Promise<void> {
  const { environment, sections, profiles, failures } = report;
  const table = markdown(sections);
  const failureText = failures.length === 0 ? "" : `\nFailed runs (each tried again; not in the figures):\n\n${failures
    .map((f) => `- round ${f.round}, ${f.case} / ${f.side}: ${f.error.split("\n")[0]!.replace(/^runner .*? failed/, "failed").replace(/: Command failed:.*$/, "")}`)
    .join("\n")}\n`;
  const loads = environment.loadAverageAtRoundStart.map((l) => l[0]!.toFixed(1)).join(", ");
  const header = `Run ${environment.date.slice(0, 10)}, Node ${environment.node}, ${environment.cpus} cores (${environment.cpuModel}), ` +
    `${environment.rounds} round(s), medians; load average at round starts: ${loads}.\n`;
  const entries = Object.entries(profiles) as [string, { operations: number; totalCalls: number; callsPerOperation: number; per: string; lentCalls?: number }][];
  const profileText = entries.length === 0 ? "" : `\nWorker round trips (PREVIEW2_SHIM_DEBUG=1 trace), and system calls the main thread made itself on pipes lent to it (no round trip):\n\n| run | operations | round trips | per operation | lent-pipe calls | per operation |\n|---|---:|---:|---:|---:|---:|\n${entries
    .map(([name, p]) => `| ${name} | ${p.operations} ${p.per} | ${p.totalCalls} | ${p.callsPerOperation.toFixed(2)} | ${p.lentCalls ?? 0} | ${((p.lentCalls ?? 0) / p.operations).toFixed(2)} |`)
    .join("\n")}\n`;
  await writeFile(join(out, "latest.md"), `${header}\n${table}${failureText}${profileText}`);
  const svg = chart(sections, `Stdout throughput vs read size (${environment.sizes.stdoutBytes / 1048576} MiB from head, Node ${environment.node})`);
  if (svg) await writeFile(join(out, "throughput.svg"), svg);
  process.stdout.write(`${header}\n${table}${failureText}${profileText}`);
  log(`\nwrote ${join(out, "latest.json")}, latest.md${svg ? ", throughput.svg" : ""}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
