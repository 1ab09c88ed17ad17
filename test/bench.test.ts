/**
 * `npm run bench -- --quick` still works: every case runs against real
 * processes and real components and yields well-formed figures. This says
 * nothing about speed: no timing is asserted (speed goals are ratios that
 * only `npm run bench` reports).
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./helpers/fixtures.js";

const run = promisify(execFile);

interface Row {
  side: string;
  samples: number[];
  median: number;
  ratio: number;
  goal?: { met: boolean; ratioAgainst: number };
}
interface Section {
  case: string;
  metric: string;
  baseline: string;
  rows: Row[];
}
interface Report {
  environment: { node: string; quick: boolean; rounds: number };
  sections: Section[];
  profiles: Record<string, { totalCalls: number; callsPerOperation: number; operations: number }>;
  runs: Record<string, Record<string, { result: Record<string, unknown>; runner: Record<string, number> }[]>>;
}

describe("npm run bench -- --quick", () => {
  let out: string;
  let report: Report;
  let table: string;
  let svg: string;

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), "host-process-bench-"));
    // Compiles bench/ only (host/ is compiled by pretest), then runs the harness with tiny sizes.
    await run(join(ROOT, "node_modules", ".bin", "tsc"), ["-p", "bench"], { cwd: ROOT });
    const { stdout } = await run(process.execPath, [join(ROOT, "dist", "bench", "run.js"), "--quick", "--out", out], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    table = stdout;
    report = JSON.parse(await readFile(join(out, "latest.json"), "utf8")) as Report;
    svg = await readFile(join(out, "throughput.svg"), "utf8");
  }, 900_000);

  afterAll(async () => {
    if (out) await rm(out, { recursive: true, force: true });
  });

  it("reports every case, each side with one finite figure per round (positive but for RSS growth)", () => {
    expect(report.environment).toMatchObject({ node: process.version, quick: true, rounds: 1 });
    const cases = new Set(report.sections.map((section) => section.case));
    expect([...cases].sort()).toEqual([
      "confine-read", "confine-spawn", "idle", "instances", "lines", "output", "round-trips", "small-writes", "spawn", "splice", "stdout",
    ]);
    for (const section of report.sections) {
      expect(section.rows.map((row) => row.side)).toContain(section.baseline);
      for (const row of section.rows) {
        expect(row.samples, `${section.case}/${section.metric}/${row.side}`).toHaveLength(1);
        // A growth of RSS is a difference of two samples: at quick sizes, a collection between them can make it negative.
        const growth = section.metric === "rss-per-child" || section.metric === "rss-per-instance";
        const wellFormed = (value: number) => Number.isFinite(value) && (growth || value > 0);
        expect(wellFormed(row.median), `${section.case}/${section.metric}/${row.side}: ${row.median}`).toBe(true);
        expect(wellFormed(row.ratio), `${section.case}/${section.metric}/${row.side}: ratio ${row.ratio}`).toBe(true);
        if (row.goal) expect(typeof row.goal.met).toBe("boolean");
      }
    }
  });

  it("has every side of the throughput and spawn cases, guests in TypeScript and in WAT (ours and jco-std's) included", () => {
    const sides = (id: string) => report.sections.find((s) => s.case === id)!.rows.map((row) => row.side);
    expect(sides("stdout")).toEqual(expect.arrayContaining([
      "native-read", "os-pipe", "ts-guest-read-65536", "ts-guest-read-1048576", "thin-guest-read-65536", "thin-guest-read-1048576",
    ]));
    expect(sides("splice")).toEqual(expect.arrayContaining(["native-pipe", "shell-pipe", "ts-guest-splice"]));
    expect(sides("spawn")).toEqual(expect.arrayContaining(["native-spawn", "ts-guest-spawn", "thin-guest-spawn", "host-spawn", "jco-std-spawn", "jco-std-thin-guest-spawn"]));
    // Issue 11: the same guests in a thread of their own, and instances on either side.
    expect(sides("spawn")).toEqual(expect.arrayContaining(["ts-guest-spawn-thread", "thin-guest-spawn-thread"]));
    expect(sides("output")).toContain("ts-guest-output-thread");
    expect(sides("stdout")).toContain("ts-guest-read-65536-thread");
    expect(sides("instances")).toEqual(["main-thread-instances", "thread-instances"]);
  });

  it("has the cases users feel (issue 14): small writes, round trips and lines, each guest-module side and the host's own against native Node", () => {
    const sides = (id: string) => report.sections.find((s) => s.case === id)!.rows.map((row) => row.side);
    expect(sides("small-writes")).toEqual(["native-writes", "ts-guest-writes", "host-writes"]);
    expect(sides("round-trips")).toEqual(["native-round-trips", "ts-guest-round-trips", "host-round-trips"]);
    expect(sides("lines")).toEqual(["native-lines", "ts-guest-lines", "host-lines"]);
  });

  it("moved every byte: each read and splice run counted the whole stream", () => {
    const bytes = 1024 * 1024;
    for (const [id, bySide] of Object.entries(report.runs)) {
      if (id !== "stdout" && id !== "splice") continue;
      for (const [side, runs] of Object.entries(bySide)) {
        for (const r of runs) expect(r.result.bytes, `${id}/${side}`).toBe(bytes);
      }
    }
  });

  it("counts worker round trips per operation", () => {
    expect(Object.keys(report.profiles).length).toBeGreaterThan(0);
    for (const [name, profile] of Object.entries(report.profiles)) {
      expect(profile.operations, name).toBeGreaterThan(0);
      expect(profile.totalCalls, name).toBeGreaterThan(0);
      expect(Number.isFinite(profile.callsPerOperation), name).toBe(true);
    }
  });

  it("prints the Markdown table and writes the SVG chart", () => {
    expect(table).toContain("| side | median | min – max | ratio | goal |");
    expect(table).toContain("(baseline)");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("<polyline");
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
  });
});
