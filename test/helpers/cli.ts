/** Runs the `host-process` CLI as a user would, in a child Node process. */
import { execFile } from "node:child_process";
import { CLI, ROOT } from "./fixtures.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { cwd?: string } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: options.cwd ?? ROOT, maxBuffer: 64 * 1024 * 1024, env: process.env },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The value a scenario printed as `RESULT <json>`. */
export function resultOf(run: CliRun): any {
  const line = run.stdout.split("\n").reverse().find((l) => l.startsWith("RESULT "));
  if (line === undefined) {
    throw new Error(`no RESULT line (exit ${run.code})\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
  return JSON.parse(line.slice("RESULT ".length));
}
