/**
 * Class 6a of issue 12, as the attacker asks: "I spawn as fast as I can; when
 * my host is SIGKILLed in the middle of a spawn, the child I just started
 * keeps running." Each round starts a host that spawns `sleep 1000.<marker>`
 * in a tight loop and SIGKILLs it at a random moment: on the host's own
 * thread (createProcessHost) and in an instance thread (the CLI runs the guest
 * in a thread of its own). Once every launcher and watchdog of every round
 * has exited (each exits only after what it held is gone), no process may
 * carry the marker.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { buildFixture, CLI, ROOT } from "../helpers/fixtures.js";
import { childrenOf, isRunning, until } from "../helpers/processes.js";

const ROUNDS = 100;

/** Running (non-zombie) processes whose command line contains `marker`. */
function carrying(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, "latin1").includes(marker)) continue;
      if (isRunning(Number(entry))) found.push(Number(entry));
    } catch {
      // It exited meanwhile.
    }
  }
  return found;
}

/** Starts a host, lets it spawn for a random moment, SIGKILLs it; returns its helpers (launchers, watchdog). */
async function killMidLoop(argv: string[]): Promise<number[]> {
  const host: ChildProcess = spawn(process.execPath, argv, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise((resolve) => host.once("exit", resolve));
  let output = "";
  host.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await until(() => output.includes("READY") || host.exitCode !== null, 5);
  expect(output).toContain("READY");
  await delay(Math.random() * 150);
  const helpers = childrenOf(host.pid!)
    .filter(({ commandLine }) => commandLine.includes("launcher.js") || commandLine.includes("watchdog.js"))
    .map(({ pid }) => pid);
  host.kill("SIGKILL");
  await exited;
  return helpers;
}

describe("a host SIGKILLed in a tight spawn loop (class 6a)", () => {
  it(`leaves no child running, in ${ROUNDS} rounds on the host's thread and ${ROUNDS} in an instance thread`, async () => {
    const component = await buildFixture("fences");
    const marker = `${process.pid}${Date.now()}`;
    const helpers: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      helpers.push(...(await killMidLoop([join(ROOT, "test", "helpers", "spawn-loop-host.mjs"), marker])));
      helpers.push(...(await killMidLoop([CLI, "run", component, "--allow-run=sleep", "--", "spawnLoop", JSON.stringify({ marker })])));
    }
    await until(() => helpers.every((pid) => !isRunning(pid)));
    const survivors = carrying(`1000.${marker}`);
    for (const pid of survivors) process.kill(pid, "SIGKILL");
    expect(survivors).toEqual([]);
    // The wait above waited for something: some rounds were killed before a launcher existed, most had one.
    expect(helpers.length).toBeGreaterThan(ROUNDS);
  }, 900_000);
});
