/**
 * Class 1 of issue 12: arguments are read the way the program's own parser
 * reads them. Attacker's requests (abbreviated long options, a `--` consumed as
 * a value, values glued in clusters, ssh_config keyword spellings, a value slot
 * moved by reordering) are refused; and the option tables are checked against
 * the real programs on this machine (tar, ssh, scp, sftp, git).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  OPTION_TABLES, argumentExecutionRisk, normalizePolicy, parseOptions, planSpawn, resolveLong, type ProcessPolicy, type SpawnRequest,
} from "host-process";

let work: string;
let sentinel: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "hp-options-"));
  sentinel = join(work, "SENTINEL");
  const repo = join(work, "repo");
  execFileSync("git", ["init", "-q", repo]);
  writeFileSync(join(repo, "f"), "x\n");
  execFileSync("git", ["-C", repo, "add", "f"]);
  mkdirSync(join(work, "--"));
  writeFileSync(join(work, "evil.sh"), `#!/bin/sh\ntouch ${sentinel}\nexec cat\n`);
  chmodSync(join(work, "evil.sh"), 0o755);
  writeFileSync(join(work, "file"), "x\n");
  writeFileSync(join(work, "big"), Array.from({ length: 200_000 }, (_, i) => `${(i * 7919) % 200_000}\n`).join(""));
  execFileSync("tar", ["-cf", join(work, "a.tar"), "-C", work, "file"]);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const request = (command: string, args: string[]): SpawnRequest => ({ command, args, env: [], stdin: "null", stdout: "null", stderr: "null" });
function verdict(policy: ProcessPolicy, command: string, args: string[]): string {
  try {
    planSpawn(normalizePolicy(policy), request(command, args));
    return "allowed";
  } catch (error) {
    return (error as { payload: { code: string } }).payload.code;
  }
}

/** Attacks on programs allowed with free arguments: each runs `touch SENTINEL` when given to the real program. */
const attacks: [string, string, (s: string) => string[]][] = [
  ["git ls-remote, --upload-pack abbreviated", "git", (s) => ["ls-remote", `--upload-pa=touch ${s}`, "REPO"]],
  ["git ls-remote, --upload-pack abbreviated, value as the next argument", "git", (s) => ["ls-remote", "--upl", `touch ${s}`, "REPO"]],
  ["git ls-remote, --upload-pack after a `--` that -o consumed", "git", (s) => ["ls-remote", "-o", "--", `--upload-pack=touch ${s}`, "REPO"]],
  ["git grep, -O glued after -i (-iO<value>)", "git", (s) => ["-C", "REPO", "grep", `-iOtouch ${s}`, "x"]],
  ["git clone, -u glued in a cluster", "git", (s) => ["clone", "-qu", `touch ${s}`, "REPO", "WORK/clone1"]],
  ["tar, --to-command abbreviated", "tar", (s) => ["-xf", "WORK/a.tar", "-C", "WORK", `--to-comm=touch ${s}`]],
  ["tar, --use-compress-program abbreviated", "tar", (s) => ["-cf", "WORK/b.tar", `--use-compress-prog=sh -c 'touch ${s}; cat'`, "WORK/file"]],
  ["tar, --to-command after a `--` consumed by -C", "tar", (s) => ["-xf", "WORK/a.tar", "-C", "--", `--to-command=touch ${s}`]],
  ["tar, -I with its value glued after a value-less letter", "tar", () => ["-cf", "WORK/c.tar", "-vIWORK/evil.sh", "WORK/file"]],
  ["tar, old style with I", "tar", (s) => ["cIf", `sh -c 'touch ${s}; cat'`, "WORK/d.tar", "WORK/file"]],
  ["tar, --checkpoint-action abbreviated", "tar", (s) => ["-cf", "/dev/null", "--checkpoint=1", `--checkpoint-ac=exec=touch ${s}`, "WORK/file"]],
  ["ssh, -o keyword quoted and indented", "ssh", (s) => ["-o", `  "ProxyCommand" touch ${s}`, "example.invalid"]],
  ["ssh, -o keyword with a tab and =", "ssh", (s) => ["-o", `\tPROXYCOMMAND = touch ${s}`, "example.invalid"]],
  ["ssh, -o after the destination", "ssh", (s) => ["example.invalid", `-oProxyCommand=touch ${s}`]],
  ["ssh, -o glued in a cluster", "ssh", (s) => ["-qoProxyCommand touch " + s, "example.invalid"]],
  ["ssh (no witness: it needs a connection), LocalCommand with PermitLocalCommand", "ssh", (s) => ["-o", "PermitLocalCommand=yes", "-o", `LocalCommand touch ${s}`, "example.invalid"]],
  ["sort, --compress-program abbreviated", "sort", (s) => ["--compress-prog=WORK/evil.sh", "-S", "1", "-o", "/dev/null", "WORK/big"]],
  ["find, -fprintf writes a file of the attacker's choosing", "find", () => ["WORK/file", "-fprintf", "WORK/SENTINEL", "x"]],
];

describe("attacks on programs allowed with free arguments are refused", () => {
  const fill = (args: string[]) => args.map((a) => a.replaceAll("WORK", work).replaceAll("REPO", join(work, "repo")));
  it.each(attacks)("%s", (_, program, args) => {
    expect(verdict({ allow: [program] }, program, fill(args(sentinel)))).toBe("permission-denied");
  });

  it.each(attacks.filter(([, program]) => program !== "ssh"))("witness: %s runs the attacker's command when given to the real program", (_, program, args) => {
    spawnSync(program, fill(args(sentinel)), { stdio: "ignore", timeout: 10_000, cwd: work });
    expect(existsSync(sentinel)).toBe(true);
    rmSync(sentinel);
  });

  it("witness: ssh runs a ProxyCommand spelled with quotes, tabs or after the destination", () => {
    for (const [name, program, args] of attacks.filter(([n, p]) => p === "ssh" && !n.includes("no witness"))) {
      spawnSync(program, ["-o", "BatchMode=yes", "-o", "ConnectTimeout=1", ...args(sentinel)], { stdio: "ignore", timeout: 10_000 });
      expect(existsSync(sentinel), name).toBe(true);
      rmSync(sentinel);
    }
  });

  it("ordinary uses still pass", () => {
    for (const [program, args] of [
      ["git", ["ls-remote", "--heads", "."]], ["git", ["log", "--oneline", "-n", "5", "--", "README.md"]], ["git", ["grep", "-e", "x", "-i"]],
      ["tar", ["-xvf", "a.tar", "-C", "out"]], ["tar", ["--list", "--file=a.tar"]], ["tar", ["-cf", "x:y.tar", "--force-local", "d"]],
      ["ssh", ["-o", "Port=2222", "-o", "  batchmode yes", "host", "ls", "-F"]], ["sort", ["-k", "2", "-r", "--parallel=2"]],
    ] as const) {
      expect(argumentExecutionRisk(program, [...args]), `${program} ${args.join(" ")}`).toBeUndefined();
    }
  });
});

describe("argument rules bind values to their options", () => {
  const git: ProcessPolicy = { allow: [{ command: "git", args: [["log", "--oneline", "-n", { validator: "[0-9]+" }]] }] };
  it.each([
    [["log", "--oneline", "-n", "5"], "allowed"],
    [["log", "-n", "5", "--oneline"], "allowed"],
    [["log", "--oneline", "-n5"], "allowed"],
    [["log", "-n", "--oneline", "5"], "permission-denied"],
    [["log", "--oneline", "-n", "--", "5"], "permission-denied"],
    [["log", "--onel", "-n", "5"], "permission-denied"],
    [["log", "-n", "5", "--oneline", "--output=/tmp/x"], "permission-denied"],
  ])("git %j under `log --oneline -n <digits>`: %s", (args, expected) => {
    expect(verdict(git, "git", args)).toBe(expected);
  });

  it("a tar rule reads -C's value as tar does: `-C --` is not `--` then -C", () => {
    const tar: ProcessPolicy = { allow: [{ command: "tar", args: [["-x", "-f", { validator: "[a-z]+\\.tar" }, "-C", { validator: "/tmp/[a-z]+" }]] }] };
    expect(verdict(tar, "tar", ["-xf", "a.tar", "-C", "/tmp/out"])).toBe("allowed");
    expect(verdict(tar, "tar", ["-x", "-C/tmp/out", "-fa.tar"])).toBe("allowed");
    expect(verdict(tar, "tar", ["-xC", "--", "-f", "a.tar", "/tmp/out"])).toBe("permission-denied");
  });
});

/** Runs a program and returns its stderr (and stdout). */
const run = (program: string, args: string[]) => {
  const result = spawnSync(program, args, { encoding: "utf8", timeout: 10_000, cwd: work, stdio: ["ignore", "pipe", "pipe"] });
  return `${result.stdout}${result.stderr}`;
};
const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".split("");

describe("the option tables read as the real programs do", () => {
  it.each(["tar", "ssh", "scp", "sftp"])("%s: the short letters that take a value are exactly the table's", (program) => {
    const table = OPTION_TABLES[program]!;
    const real = LETTERS.filter((letter) => run(program, program === "ssh" ? ["-G", `-${letter}`] : [`-${letter}`]).includes("requires an argument"));
    const ours = LETTERS.filter((letter) => table.short.get(letter) === "required");
    expect(ours).toEqual(real);
  });

  it("tar: every long option's arity is the real one", () => {
    for (const [name, arity] of OPTION_TABLES.tar!.long) {
      const bare = run("tar", [`--${name}`]);
      const glued = run("tar", [`--${name}=x`, "--usage"]);
      const real = bare.includes("requires an argument") ? "required" : glued.includes("doesn't allow an argument") ? "none" : "optional";
      expect(`${name}: ${real}`).toBe(`${name}: ${arity}`);
    }
  });

  it("tar: a prefix names the option the table resolves it to, or is ambiguous for both (fuzz over every prefix of the value-taking options)", () => {
    const table = OPTION_TABLES.tar!;
    let checked = 0;
    for (const [name, arity] of table.long) {
      if (arity !== "required") continue;
      for (let length = 2; length < name.length; length++) {
        const prefix = name.slice(0, length);
        const out = run("tar", [`--${prefix}`]);
        // tar names the option it resolved when its value is missing; an exact name of a value-less option is simply taken.
        const real = /option '--([a-z0-9-]+)' requires an argument/.exec(out)?.[1] ?? (/is ambiguous|unrecognized/.test(out) ? undefined : prefix);
        expect(`--${prefix} → ${resolveLong(table, prefix)}`).toBe(`--${prefix} → ${real}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it("git: global options are exact (no prefixes), subcommand options abbreviate (ls-remote --upl is --upload-pack)", () => {
    expect(run("git", ["--git-d=x", "status"])).toContain("unknown option");
    expect(resolveLong(OPTION_TABLES.git!, "git-d")).toBeUndefined();
    expect(run("git", ["ls-remote", "--upl"])).toContain("option `upload-pack' requires a value");
    expect(argumentExecutionRisk("git", ["ls-remote", "--upl", "x", "."])).toMatchObject({ rule: "git ls-remote: --upload-pack" });
  });

  it("the ready-made rules read a `--` consumed as a value as tar and git do, and read on after a real one", () => {
    expect(argumentExecutionRisk("tar", ["-xf", "a.tar", "-C", "--", "--to-command=x"])).toMatchObject({ rule: "tar: --to-command" });
    expect(argumentExecutionRisk("tar", ["-xf", "a.tar", "--", "--to-command=x"])).toMatchObject({ rule: "tar: --to-command" });
  });

  it("ssh: a keyword is read as readconf does — any case, leading whitespace, quotes, `=` or blanks (checked with ssh -G)", () => {
    const spellings = ["ProxyCommand", "proxycommand", "PROXYCOMMAND", "pRoXyCoMmAnD"].flatMap((keyword) => [
      `${keyword}=touch X`, `${keyword} touch X`, ` ${keyword}=touch X`, `\t${keyword} = touch X`, `"${keyword}" touch X`, `  "${keyword}"=touch X`,
    ]);
    for (const spelling of spellings) {
      const applied = run("ssh", ["-G", "-o", spelling, "example.invalid"]).includes("proxycommand touch X");
      expect(`${JSON.stringify(spelling)} applied: ${applied}`).toBe(`${JSON.stringify(spelling)} applied: true`);
      expect(argumentExecutionRisk("ssh", ["-o", spelling, "example.invalid"])).toMatchObject({ rule: "ssh: -o proxycommand" });
    }
    for (const spelling of ["Port=2222", " port 2222", "\"Port\" 2222"]) {
      expect(run("ssh", ["-G", "-o", spelling, "example.invalid"])).toContain("port 2222");
      expect(argumentExecutionRisk("ssh", ["-o", spelling, "example.invalid"])).toBeUndefined();
    }
  });

  it("ssh: options are read up to the destination and right after it, not in the remote command (checked with ssh -G)", () => {
    expect(run("ssh", ["-G", "example.invalid", "-p", "2222"])).toContain("port 2222");
    expect(run("ssh", ["-G", "example.invalid", "ls", "-p", "2222"])).toContain("port 22\n");
    const read = (args: string[]) => parseOptions(args, OPTION_TABLES.ssh!, { endAtDoubleDash: true, stopAtFirstOperand: true });
    expect(read(["-l", "--", "h"])).toEqual([{ kind: "option", name: "-l", written: "-l", known: true, value: "--" }, { kind: "operand", value: "h", index: 2 }]);
    expect(argumentExecutionRisk("ssh", ["example.invalid", "-oProxyCommand=x"])).toBeDefined();
    expect(argumentExecutionRisk("ssh", ["example.invalid", "ls", "-oProxyCommand=x"])).toBeUndefined();
  });
});
