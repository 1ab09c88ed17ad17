/**
 * Class 6 of issue 12 (b, c): what children inherit. Children are started by
 * the launcher (the host waits for it rather than forking itself), which
 * closed every descriptor it inherited and runs with an empty environment.
 * (6a, children outliving a SIGKILLed host, is not closed: see SECURITY.md.)
 */
import { spawn } from "node:child_process";
import { openSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/fixtures.js";

const helper = (name: string) => join(ROOT, "test", "helpers", name);

/** Runs the proc-view host with an inherited descriptor (a file, no close-on-exec) and a secret in its environment. */
function viewsOfChildren(): Promise<{ via: string; fds: number[]; parentEnviron: string }[]> {
  const inherited = openSync("/etc/hostname", "r");
  return new Promise((resolve, reject) => {
    const host = spawn(process.execPath, [helper("proc-view-host.mjs")], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit", inherited, inherited, inherited],
      env: { ...process.env, HOST_SECRET: "s3cret-value" },
    });
    let out = "";
    host.stdout?.on("data", (d: Buffer) => (out += d));
    host.on("error", reject);
    host.on("close", () => resolve(out.split("\n").filter((l) => l.startsWith("VIEW ")).map((l) => JSON.parse(l.slice(5)))));
  });
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
});
