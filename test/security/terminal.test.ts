/**
 * Class 6d of issue 12, as the attacker asks: "my host runs on a terminal and
 * lets my child inherit its stderr (the default), not its stdin; through that
 * stderr my child reads what the user types." The host runs on a real
 * pseudo-terminal (python3's pty module plays the keyboard: it types a line
 * each time the child announces a read); the child, `bash` with the host's
 * stderr and no stdin, reads its descriptor 2, reopens it as /dev/stderr, and
 * opens /dev/tty.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/fixtures.js";

const helper = (name: string) => join(ROOT, "test", "helpers", name);

describe("the host's terminal (class 6d)", () => {
  it("a child with the host's stderr but not its stdin reads no keystroke, and what it writes still reaches the terminal", async () => {
    const { stdout } = await promisify(execFile)("python3", [helper("pty-run.py"), process.execPath, helper("terminal-host.mjs")], { cwd: ROOT });
    const shown = JSON.parse(stdout) as string;
    // The keyboard was played: each way was announced and a line typed for it.
    expect(shown.match(/PROMPT \w+/g)).toEqual(["PROMPT fd2", "PROMPT path", "PROMPT tty"]);
    expect(shown).toContain("typed-fd2");
    const result = JSON.parse(/RESULT (.*)\r?\n/.exec(shown)![1]!) as string[];
    expect(result).toEqual(["REFUSED fd2", "REFUSED path", "REFUSED tty"]);
    expect(shown).toContain("written to the terminal by the child\r\n");
  });

  it("what such a child wrote reaches the terminal before its wait() returns, as it would without the pipe", async () => {
    const { stdout } = await promisify(execFile)("python3", [helper("pty-run.py"), process.execPath, helper("terminal-order-host.mjs")], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    const lines = (JSON.parse(stdout) as string).split("\r\n");
    const afters = lines.flatMap((line, index) => (line.startsWith("AFTER ") ? [index] : []));
    expect(afters).toHaveLength(20);
    // Each AFTER follows a whole seq: 1 … 3000.
    for (const index of afters) expect(lines.slice(index - 3000, index)).toEqual(Array.from({ length: 3000 }, (_, n) => String(n + 1)));
  });

  it("a process the child leaves flooding the terminal delays neither the child's wait() nor the next spawn", async () => {
    const { stdout } = await promisify(execFile)("python3", [helper("pty-run.py"), process.execPath, helper("terminal-flood-host.mjs")], { cwd: ROOT, maxBuffer: 256 * 1024 * 1024 });
    const shown = JSON.parse(stdout) as string;
    expect(shown).toContain("flood\r\n");
    const result = JSON.parse(/RESULT (\{[^\r\n]*\})/.exec(shown)![1]!) as unknown;
    expect(result).toEqual({ waited: { code: 0, signal: undefined }, next: { code: 0, signal: undefined } });
  });
});
