/**
 * Class 6 of issue 12 (b, c): what children inherit. Children are started by
 * the launcher (the host waits for it rather than forking itself), which
 * closed every descriptor it inherited and runs with an empty environment;
 * an instance thread (the CLI runs its guest in one) has a launcher of its own.
 * (6a is kill-race.test.ts, 6d terminal.test.ts, 6e descriptors.test.ts.)
 */
import { spawn } from "node:child_process";
import { openSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildFixture, CLI, ROOT } from "../helpers/fixtures.js";

const helper = (name: string) => join(ROOT, "test", "helpers", name);

/** Runs `argv` with an inherited descriptor (a file, no close-on-exec) on 3, 4, 5 and a secret in its environment; returns its stdout. */
function runWithLeaks(argv: string[]): Promise<string> {
  const inherited = openSync("/etc/hostname", "r");
  return new Promise((resolve, reject) => {
    const host = spawn(process.execPath, argv, {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit", inherited, inherited, inherited],
      env: { ...process.env, HOST_SECRET: "s3cret-value" },
    });
    let out = "";
    host.stdout?.on("data", (d: Buffer) => (out += d));
    host.on("error", reject);
    host.on("close", () => resolve(out));
  });
}

/** Runs the proc-view host with leaks; what each of its children saw. */
async function viewsOfChildren(): Promise<{ via: string; fds: number[]; parentEnviron: string }[]> {
  const out = await runWithLeaks([helper("proc-view-host.mjs")]);
  return out.split("\n").filter((l) => l.startsWith("VIEW ")).map((l) => JSON.parse(l.slice(5)));
}

describe("what a child inherits", () => {
  it("only descriptors 0-2 (the host's inherited 3, 4, 5 do not reach it), and its parent's environment holds nothing of the host's", async () => {
    const views = await viewsOfChildren();
    expect(views.map((v) => v.via)).toEqual(["first", "later"]);
    for (const view of views) {
      expect(view.fds).toEqual([0, 1, 2]);
      expect(view.parentEnviron).not.toContain("s3cret-value");
      expect(view.parentEnviron).not.toContain("PATH=");
    }
  });

  it("the same for a guest in an instance thread (the CLI): only 0-2, and nothing of the host's environment in its parent's", async () => {
    const component = await buildFixture("fences");
    const out = await runWithLeaks([CLI, "run", component, "--allow-run=sh", "--", "view"]);
    const line = out.split("\n").find((l) => l.startsWith("RESULT "));
    expect(line, out).toBeDefined();
    const view = JSON.parse(line!.slice("RESULT ".length)) as { fds: number[]; parentEnviron: string };
    expect(view.fds).toEqual([0, 1, 2]);
    expect(view.parentEnviron).not.toContain("s3cret-value");
    expect(view.parentEnviron).not.toContain("PATH=");
  });
});
