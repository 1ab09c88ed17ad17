/**
 * Class 3 of issue 12: environment variables that change what a program
 * executes or writes. `allowEnv: true` grants only a documented set of inert
 * variables; everything else needs the host to name it; a search-path variable
 * with an empty or relative entry (which means the cwd) is refused even when named.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INERT_VARIABLES, normalizePolicy, planSpawn, type ProcessPolicy, type SpawnRequest } from "host-process";

let work: string;
let sentinel: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "hp-env-"));
  sentinel = join(work, "SENTINEL");
  writeFileSync(join(work, "file"), "x\n");
  execFileSync("tar", ["-cf", join(work, "a.tar"), "-C", work, "file"]);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const request = (command: string, args: string[], env: [string, string][]): SpawnRequest => ({ command, args, env, stdin: "null", stdout: "null", stderr: "null" });
function verdict(policy: ProcessPolicy, command: string, args: string[], env: [string, string][]): string {
  try {
    planSpawn(normalizePolicy(policy), request(command, args, env));
    return "allowed";
  } catch (error) {
    return (error as { payload: { code: string } }).payload.code;
  }
}

describe("under allowEnv: true, variables that make a program run or write something are refused", () => {
  const tarRule: ProcessPolicy = { allow: [{ command: "tar", args: [["-xf", { validator: ".*\\.tar" }, "-C", { validator: "/.*" }]] }], allowEnv: true };
  const attacks: [string, ProcessPolicy, string, string[], [string, string][]][] = [
    ["TAR_OPTIONS adds --to-command", tarRule, "tar", ["-xf", "A", "-C", "W"], [["TAR_OPTIONS", "--to-command='touch S'"]]],
    ["GIT_TRACE writes a file of the guest's choosing", { allow: [{ command: "git", args: [["--version"]] }], allowEnv: true }, "git", ["--version"], [["GIT_TRACE", "S"]]],
    ["GIT_SEQUENCE_EDITOR", { allow: ["git"], allowEnv: true }, "git", ["rebase", "-i", "HEAD~1"], [["GIT_SEQUENCE_EDITOR", "touch S"]]],
    ["GIT_DIR pointing elsewhere", { allow: ["git"], allowEnv: true }, "git", ["status"], [["GIT_WORK_TREE", "/"]]],
    ["ZIPOPT", { allow: ["zip"], allowEnv: true }, "zip", ["x.zip", "file"], [["ZIPOPT", "-TT touch S -T"]]],
    ["VIMINIT", { allow: ["true"], allowEnv: true }, "true", [], [["VIMINIT", "!touch S"]]],
    ["EXINIT", { allow: ["true"], allowEnv: true }, "true", [], [["EXINIT", "!touch S"]]],
    ["LESS options", { allow: ["true"], allowEnv: true }, "true", [], [["LESS", "+!touch S"]]],
    ["MANOPT", { allow: ["true"], allowEnv: true }, "true", [], [["MANOPT", "-Ptouch S"]]],
    ["npm_config_script_shell", { allow: ["true"], allowEnv: true }, "true", [], [["npm_config_script_shell", "S"]]],
    ["GZIP", { allow: ["true"], allowEnv: true }, "true", [], [["GZIP", "-S x"]]],
    ["XZ_OPT", { allow: ["true"], allowEnv: true }, "true", [], [["XZ_OPT", "-9e"]]],
    ["an ordinary name not granted by name", { allow: ["true"], allowEnv: true }, "true", [], [["FOO", "bar"]]],
    ["an empty hook value no longer passes under true", { allow: ["true"], allowEnv: true }, "true", [], [["LD_PRELOAD", ""]]],
    ["a locale that is a path", { allow: ["true"], allowEnv: true }, "true", [], [["LC_ALL", "/tmp/evil"]]],
    ["a terminal name that is a path", { allow: ["true"], allowEnv: true }, "true", [], [["TERM", "../../tmp/evil"]]],
    ["a time zone that is an absolute path", { allow: ["true"], allowEnv: true }, "true", [], [["TZ", ":/etc/passwd"]]],
    ["PATH=\"\" named (an empty PATH entry is the cwd)", { allow: ["true"], allowEnv: ["PATH"] }, "true", [], [["PATH", ""]]],
    ["PATH with an empty entry, named", { allow: ["true"], allowEnv: ["PATH"] }, "true", [], [["PATH", "/usr/bin::/bin"]]],
    ["PATH with a relative entry, named", { allow: ["true"], allowEnv: ["PATH"] }, "true", [], [["PATH", "bin:/usr/bin"]]],
    ["LD_LIBRARY_PATH=\"\" named (the loader reads it as the cwd)", { allow: ["true"], allowEnv: ["LD_LIBRARY_PATH"] }, "true", [], [["LD_LIBRARY_PATH", ""]]],
    ["PYTHONPATH with a trailing colon, named", { allow: ["true"], allowEnv: ["PYTHONPATH"] }, "true", [], [["PYTHONPATH", "/opt/lib:"]]],
  ];
  it.each(attacks)("%s", (_, policy, command, args, env) => {
    const fill = (s: string) => s.replace("S", sentinel).replace(/^A$/, join(work, "a.tar")).replace(/^W$/, work);
    expect(verdict(policy, command, args.map(fill), env.map(([n, v]) => [n, fill(v)]))).toBe("permission-denied");
  });

  it("witness: TAR_OPTIONS and GIT_TRACE do what the attacker wants when the real program gets them", () => {
    spawnSync("tar", ["-xf", join(work, "a.tar"), "-C", work], { env: { ...process.env, TAR_OPTIONS: `--to-command='touch ${sentinel}'` } });
    expect(existsSync(sentinel)).toBe(true);
    rmSync(sentinel);
    spawnSync("git", ["--version"], { env: { ...process.env, GIT_TRACE: sentinel } });
    expect(existsSync(sentinel)).toBe(true);
    rmSync(sentinel);
  });
});

describe("what allowEnv: true does grant", () => {
  it("is the documented inert set: locale, time zone, terminal, colour", () => {
    expect([...INERT_VARIABLES].sort()).toEqual([
      "CLICOLOR", "CLICOLOR_FORCE", "COLORTERM", "COLUMNS", "FORCE_COLOR", "LANG", "LANGUAGE", "LC_ADDRESS", "LC_ALL", "LC_COLLATE",
      "LC_CTYPE", "LC_IDENTIFICATION", "LC_MEASUREMENT", "LC_MESSAGES", "LC_MONETARY", "LC_NAME", "LC_NUMERIC", "LC_PAPER",
      "LC_TELEPHONE", "LC_TIME", "LINES", "NO_COLOR", "TERM", "TZ",
    ]);
  });

  it("ordinary values of them reach the child exactly; named variables and absolute search paths still pass", () => {
    const env: [string, string][] = [["LANG", "C.UTF-8"], ["LANGUAGE", "fr:en"], ["TZ", "Europe/Paris"], ["TERM", "xterm-256color"], ["COLUMNS", "120"], ["NO_COLOR", "1"]];
    const { plan } = planSpawn(normalizePolicy({ allow: ["printenv"], allowEnv: true }), request("printenv", [], env));
    expect(Object.entries(plan.env).filter(([name]) => name !== "PATH")).toEqual(env);
    const out = execFileSync(plan.file, plan.args, { env: plan.env, encoding: "utf8" });
    for (const [name, value] of env) expect(out).toContain(`${name}=${value}\n`);
    expect(verdict({ allow: ["true"], allowEnv: ["GREETING", "PATH"] }, "true", [], [["GREETING", "hi"], ["PATH", "/usr/bin:/bin"]])).toBe("allowed");
  });
});
