/**
 * Class 8 of issue 12: `deny` is matched on file identity (device and inode)
 * as well as on the real path, so a hard link of a denied program, wherever it
 * is and whatever its name, is the denied program. A copy is another file: it
 * is not caught, and this file says so (SECURITY.md documents it).
 */
import { copyFileSync, existsSync, linkSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProcessHost, type ProcessPolicy, type SpawnOptions } from "host-process";

let work: string;
let sentinel: string;
beforeAll(() => {
  // Beside the test's own tree in /tmp: the same file system as /usr/bin here, so a hard link can be made.
  work = mkdtempSync(join(tmpdir(), "hp-deny-"));
  sentinel = join(work, "SENTINEL");
  linkSync("/usr/bin/touch", join(work, "harmless"));
  copyFileSync("/usr/bin/touch", join(work, "touch-copy"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const base: SpawnOptions = { args: [], env: [], stdin: "null", stdout: "null", stderr: "null" };
async function attempt(policy: ProcessPolicy, command: string): Promise<string> {
  const host = createProcessHost(policy);
  try {
    return `exit ${host.imports["host:process/process"].spawn(command, { ...base, args: [sentinel] }).wait().code}`;
  } catch (error) {
    return (error as { payload: { code: string } }).payload.code;
  } finally {
    await host.close();
  }
}

describe("deny by identity", () => {
  it("a hard link of a denied program, under another name and folder, is refused under allow: [\"*\"]", async () => {
    expect(await attempt({ allow: ["*"], deny: ["touch"] }, join(work, "harmless"))).toBe("permission-denied");
    expect(existsSync(sentinel)).toBe(false);
  });

  it("the same hard link allowed by its own path is still denied (deny wins)", async () => {
    expect(await attempt({ allow: [join(work, "harmless")], deny: ["/usr/bin/touch"] }, join(work, "harmless"))).toBe("permission-denied");
    expect(existsSync(sentinel)).toBe(false);
  });

  it("what does not hold: a copy is another file and runs under allow: [\"*\"] (documented in SECURITY.md)", async () => {
    expect(await attempt({ allow: ["*"], deny: ["touch"] }, join(work, "touch-copy"))).toBe("exit 0");
    expect(existsSync(sentinel)).toBe(true);
    rmSync(sentinel);
  });
});
