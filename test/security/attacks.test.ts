/**
 * The attack suite: named bypass attempts, each refused with the right code,
 * and none of the programs it tries to run is started (each would have left a
 * sentinel file). Run through the host's real imports and real processes.
 */
import { spawn as nativeSpawn, execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createProcessHost, type ErrorCode, type PolicyDecision, type ProcessPolicy, type SpawnOptions,
} from "host-process";

interface World {
  /** A scratch folder the attacker controls. */
  work: string;
  /** A file that exists only if an attack ran something. */
  sentinel: string;
  /** `work/bin`: planted programs and links. */
  bin: string;
}

interface Attack {
  name: string;
  policy: (w: World) => ProcessPolicy;
  command: (w: World) => string;
  options?: (w: World) => Partial<SpawnOptions>;
  expected: ErrorCode;
}

const touch = (w: World) => ["touch", w.sentinel];
const shTouch = (w: World) => ["-c", `touch ${w.sentinel}`];

const attacks: Record<string, Attack[]> = {
  "path and name tricks": [
    { name: "absolute path to a program not allowed", policy: () => ({ allow: ["ls"] }), command: () => "/usr/bin/touch", options: (w) => ({ args: [w.sentinel] }), expected: "permission-denied" },
    { name: "dot-dot path to a program not allowed", policy: () => ({ allow: ["ls"] }), command: () => "/usr/bin/../bin/touch", options: (w) => ({ args: [w.sentinel] }), expected: "permission-denied" },
    { name: "doubled slashes", policy: () => ({ allow: ["ls"] }), command: () => "/usr/bin//touch", options: (w) => ({ args: [w.sentinel] }), expected: "permission-denied" },
    { name: "./ls planted in the cwd when ls is allowed", policy: (w) => ({ allow: ["ls"], allowCwd: [w.bin] }), command: () => "./ls", options: (w) => ({ cwd: w.bin }), expected: "permission-denied" },
    { name: "a symlink named ls pointing to sh", policy: () => ({ allow: ["ls"] }), command: (w) => join(w.bin, "ls-link"), options: (w) => ({ args: shTouch(w) }), expected: "permission-denied" },
    { name: "a copy of an allowed program elsewhere", policy: () => ({ allow: ["touch"] }), command: (w) => join(w.bin, "touch-copy"), options: (w) => ({ args: [w.sentinel] }), expected: "permission-denied" },
    { name: "deny wins over allow *", policy: () => ({ allow: ["*"], deny: ["touch"] }), command: () => "touch", options: (w) => ({ args: [w.sentinel] }), expected: "permission-denied" },
    { name: "deny wins for the absolute path", policy: () => ({ allow: ["*"], deny: ["touch"] }), command: () => "/bin/touch", options: (w) => ({ args: [w.sentinel] }), expected: "permission-denied" },
    { name: "deny wins through a symlink", policy: () => ({ allow: ["*"], deny: ["touch"] }), command: (w) => join(w.bin, "touch-link"), options: (w) => ({ args: [w.sentinel] }), expected: "permission-denied" },
    { name: "deny of sh catches dash via /bin/sh", policy: () => ({ allow: ["*"], deny: ["sh"] }), command: () => "/bin/sh", options: (w) => ({ args: shTouch(w) }), expected: "permission-denied" },
    { name: "upper-case name", policy: () => ({ allow: ["ls"] }), command: () => "TOUCH", options: (w) => ({ args: [w.sentinel] }), expected: "permission-denied" },
    { name: "trailing space in the name", policy: () => ({ allow: ["touch "] as string[] }), command: () => "touch ", options: (w) => ({ args: [w.sentinel] }), expected: "not-found" },
  ],
  "PATH and environment injection": [
    { name: "PATH pointing at planted programs", policy: () => ({ allow: ["ls"], allowEnv: true }), command: () => "ls", options: (w) => ({ env: [["PATH", w.bin]] }), expected: "permission-denied" },
    { name: "HOME pointing at a planted .gitconfig", policy: () => ({ allow: ["git"], allowEnv: true }), command: () => "git", options: (w) => ({ args: ["status"], env: [["HOME", w.work]] }), expected: "permission-denied" },
    { name: "a variable not granted", policy: () => ({ allow: ["ls"], allowEnv: ["LANG"] }), command: () => "ls", options: () => ({ env: [["FOO", "bar"]] }), expected: "permission-denied" },
    { name: "a variable name with =", policy: () => ({ allow: ["ls"], allowEnv: true }), command: () => "ls", options: () => ({ env: [["A=B", "c"]] }), expected: "invalid-argument" },
    { name: "an empty variable name", policy: () => ({ allow: ["ls"], allowEnv: true }), command: () => "ls", options: () => ({ env: [["", "c"]] }), expected: "invalid-argument" },
    { name: "GIT_SSH_COMMAND", policy: () => ({ allow: ["git"], allowEnv: true }), command: () => "git", options: (w) => ({ args: ["ls-remote", "ssh://example.invalid/x"], env: [["GIT_SSH_COMMAND", `touch ${w.sentinel}`]] }), expected: "permission-denied" },
    { name: "GIT_CONFIG_COUNT/KEY/VALUE", policy: () => ({ allow: ["git"], allowEnv: true }), command: () => "git", options: (w) => ({ args: ["x"], env: [["GIT_CONFIG_COUNT", "1"], ["GIT_CONFIG_KEY_0", "alias.x"], ["GIT_CONFIG_VALUE_0", `!touch ${w.sentinel}`]] }), expected: "permission-denied" },
    { name: "PAGER", policy: () => ({ allow: ["git"], allowEnv: true }), command: () => "git", options: (w) => ({ args: ["log"], env: [["PAGER", `touch ${w.sentinel}`]] }), expected: "permission-denied" },
    { name: "EDITOR and VISUAL", policy: () => ({ allow: ["git"], allowEnv: true }), command: () => "git", options: (w) => ({ args: ["commit"], env: [["VISUAL", `touch ${w.sentinel}`]] }), expected: "permission-denied" },
    { name: "LESSOPEN", policy: () => ({ allow: ["ls"], allowEnv: true }), command: () => "ls", options: (w) => ({ env: [["LESSOPEN", `|touch ${w.sentinel}`]] }), expected: "permission-denied" },
    { name: "PROMPT_COMMAND", policy: () => ({ allow: ["ls"], allowEnv: true }), command: () => "ls", options: (w) => ({ env: [["PROMPT_COMMAND", `touch ${w.sentinel}`]] }), expected: "permission-denied" },
  ],
  "loader and interpreter hooks": [
    { name: "LD_PRELOAD", policy: () => ({ allow: ["ls"], allowEnv: true }), command: () => "ls", options: (w) => ({ env: [["LD_PRELOAD", join(w.bin, "evil.so")]] }), expected: "permission-denied" },
    { name: "LD_PRELOAD of a tab (whitespace is not empty)", policy: () => ({ allow: ["ls"], allowEnv: true }), command: () => "ls", options: () => ({ env: [["LD_PRELOAD", "\t"]] }), expected: "permission-denied" },
    { name: "LD_LIBRARY_PATH", policy: () => ({ allow: ["ls"], allowEnv: true }), command: () => "ls", options: (w) => ({ env: [["LD_LIBRARY_PATH", w.bin]] }), expected: "permission-denied" },
    { name: "LD_AUDIT granted as LD_* by a wildcard", policy: () => ({ allow: ["ls"], allowEnv: ["*"] }), command: () => "ls", options: (w) => ({ env: [["LD_AUDIT", join(w.bin, "evil.so")]] }), expected: "permission-denied" },
    { name: "DYLD_INSERT_LIBRARIES", policy: () => ({ allow: ["ls"], allowEnv: true }), command: () => "ls", options: () => ({ env: [["DYLD_INSERT_LIBRARIES", "/x.dylib"]] }), expected: "permission-denied" },
    { name: "NODE_OPTIONS --require", policy: () => ({ allow: [process.execPath], allowEnv: true }), command: () => process.execPath, options: (w) => ({ args: ["-e", "0"], env: [["NODE_OPTIONS", `--require ${join(w.bin, "evil.cjs")}`]] }), expected: "permission-denied" },
    { name: "BASH_ENV", policy: () => ({ allow: ["bash"], allowEnv: true }), command: () => "bash", options: (w) => ({ args: ["-c", "true"], env: [["BASH_ENV", join(w.bin, "evil.sh")]] }), expected: "permission-denied" },
    { name: "ENV for sh", policy: () => ({ allow: ["sh"], allowEnv: true }), command: () => "sh", options: (w) => ({ args: ["-i", "-c", "true"], env: [["ENV", join(w.bin, "evil.sh")]] }), expected: "permission-denied" },
    { name: "BASH_FUNC_ exported function", policy: () => ({ allow: ["bash"], allowEnv: true }), command: () => "bash", options: (w) => ({ args: ["-c", "true"], env: [["BASH_FUNC_true%%", `() { touch ${w.sentinel}; }`]] }), expected: "permission-denied" },
    { name: "PYTHONSTARTUP", policy: () => ({ allow: ["python3"], allowEnv: true }), command: () => "python3", options: (w) => ({ args: ["-c", "0"], env: [["PYTHONSTARTUP", join(w.bin, "evil.py")]] }), expected: "permission-denied" },
    { name: "PERL5OPT", policy: () => ({ allow: ["perl"], allowEnv: true }), command: () => "perl", options: () => ({ args: ["-e", "1"], env: [["PERL5OPT", "-Mstrict"]] }), expected: "permission-denied" },
    { name: "RUBYOPT", policy: () => ({ allow: ["ls"], allowEnv: true }), command: () => "ls", options: () => ({ env: [["RUBYOPT", "-revil"]] }), expected: "permission-denied" },
  ],
  "argument injection": [
    ...(() => {
      const git: ProcessPolicy = {
        allow: [{ command: "git", args: [["status", "--short"], ["log", "--oneline", "-n", { validator: "[0-9]+" }]] }],
      };
      const a = (name: string, args: (w: World) => string[]): Attack => ({ name, policy: () => git, command: () => "git", options: (w) => ({ args: args(w) }), expected: "permission-denied" });
      return [
        a("an option smuggled into a value slot", (w) => ["log", "--oneline", "-n", `--output=${w.sentinel}`]),
        a("an extra argument after an allowed list", (w) => ["log", "--oneline", "-n", "5", `--output=${w.sentinel}`]),
        a("a global -c before an allowed list", (w) => ["-c", `alias.status=!touch ${w.sentinel}`, "status", "--short"]),
        a("a value with a newline", (w) => ["log", "--oneline", "-n", `5\n--output=${w.sentinel}`]),
        a("a value with a shell metacharacter", (w) => ["log", "--oneline", "-n", `5;touch ${w.sentinel}`]),
        a("an allowed flag given a value", () => ["status", "--short=x"]),
        a("a different subcommand", () => ["push"]),
      ];
    })(),
    { name: "git -c alias with !", policy: () => ({ allow: ["git"] }), command: () => "git", options: (w) => ({ args: ["-c", `alias.x=!touch ${w.sentinel}`, "x"] }), expected: "permission-denied" },
    { name: "git -c core.sshCommand", policy: () => ({ allow: ["git"] }), command: () => "git", options: (w) => ({ args: ["-c", `core.sshCommand=touch ${w.sentinel}`, "ls-remote", "ssh://example.invalid/x"] }), expected: "permission-denied" },
    { name: "git --config-env", policy: () => ({ allow: ["git"], allowEnv: ["CMD"] }), command: () => "git", options: (w) => ({ args: ["--config-env=alias.x=CMD", "x"], env: [["CMD", `!touch ${w.sentinel}`]] }), expected: "permission-denied" },
    { name: "git --upload-pack", policy: () => ({ allow: ["git"] }), command: () => "git", options: (w) => ({ args: ["ls-remote", `--upload-pack=touch ${w.sentinel}`, "."] }), expected: "permission-denied" },
    { name: "git ext:: remote", policy: () => ({ allow: ["git"] }), command: () => "git", options: (w) => ({ args: ["clone", `ext::sh -c touch% ${w.sentinel}`, join(w.work, "clone")] }), expected: "permission-denied" },
    { name: "git config writing core.fsmonitor", policy: () => ({ allow: ["git"] }), command: () => "git", options: (w) => ({ args: ["config", "--global", "core.fsmonitor", `touch ${w.sentinel}`] }), expected: "permission-denied" },
    { name: "find -exec", policy: () => ({ allow: ["find"] }), command: () => "find", options: (w) => ({ args: [w.work, "-maxdepth", "0", "-exec", ...touch(w), ";"] }), expected: "permission-denied" },
    { name: "find -execdir", policy: () => ({ allow: ["find"] }), command: () => "find", options: (w) => ({ args: [w.work, "-maxdepth", "0", "-execdir", ...touch(w), ";"] }), expected: "permission-denied" },
    { name: "find -ok", policy: () => ({ allow: ["find"] }), command: () => "find", options: (w) => ({ args: [w.work, "-ok", ...touch(w), ";"] }), expected: "permission-denied" },
    { name: "tar --to-command", policy: () => ({ allow: ["tar"] }), command: () => "tar", options: (w) => ({ args: ["-xf", join(w.work, "a.tar"), `--to-command=touch ${w.sentinel}`] }), expected: "permission-denied" },
    { name: "tar -I in a cluster", policy: () => ({ allow: ["tar"] }), command: () => "tar", options: (w) => ({ args: ["-cIf", `sh -c 'touch ${w.sentinel}'`, join(w.work, "b.tar"), w.bin] }), expected: "permission-denied" },
    { name: "tar old-style cluster with I", policy: () => ({ allow: ["tar"] }), command: () => "tar", options: (w) => ({ args: ["cIf", `sh -c 'touch ${w.sentinel}'`, join(w.work, "c.tar"), w.bin] }), expected: "permission-denied" },
    { name: "tar --checkpoint-action=exec", policy: () => ({ allow: ["tar"] }), command: () => "tar", options: (w) => ({ args: ["-cf", "/dev/null", "--checkpoint=1", `--checkpoint-action=exec=touch ${w.sentinel}`, w.bin] }), expected: "permission-denied" },
    { name: "ssh -o ProxyCommand", policy: () => ({ allow: ["ssh"] }), command: () => "ssh", options: (w) => ({ args: ["-o", `ProxyCommand=touch ${w.sentinel}`, "example.invalid"] }), expected: "permission-denied" },
    { name: "ssh -oProxyCommand attached, any case", policy: () => ({ allow: ["ssh"] }), command: () => "ssh", options: (w) => ({ args: [`-oproxycommand touch ${w.sentinel}`, "example.invalid"] }), expected: "permission-denied" },
    { name: "env runs its arguments", policy: () => ({ allow: ["env"] }), command: () => "env", options: (w) => ({ args: touch(w) }), expected: "permission-denied" },
    { name: "xargs runs its arguments", policy: () => ({ allow: ["xargs"] }), command: () => "xargs", options: (w) => ({ args: touch(w) }), expected: "permission-denied" },
    { name: "timeout runs its arguments", policy: () => ({ allow: ["timeout"] }), command: () => "timeout", options: (w) => ({ args: ["5", ...touch(w)] }), expected: "permission-denied" },
    { name: "sort --compress-program", policy: () => ({ allow: ["sort"] }), command: () => "sort", options: (w) => ({ args: [`--compress-program=${join(w.bin, "evil.sh")}`, "/dev/null"] }), expected: "permission-denied" },
  ],
  "cwd escape": [
    { name: "cwd with ..", policy: (w) => ({ allow: ["touch"], allowCwd: [join(w.work, "sub")] }), command: () => "touch", options: (w) => ({ cwd: join(w.work, "sub", ".."), args: ["sentinel"] }), expected: "permission-denied" },
    { name: "cwd through a symlink out of the allowed folder", policy: (w) => ({ allow: ["touch"], allowCwd: [join(w.work, "sub")] }), command: () => "touch", options: (w) => ({ cwd: join(w.work, "sub", "up"), args: ["sentinel"] }), expected: "permission-denied" },
    { name: "cwd with a shared name prefix", policy: (w) => ({ allow: ["touch"], allowCwd: [join(w.work, "sub")] }), command: () => "touch", options: (w) => ({ cwd: join(w.work, "subway"), args: ["sentinel"] }), expected: "permission-denied" },
    { name: "cwd relative to the default", policy: (w) => ({ allow: ["touch"], cwd: join(w.work, "sub"), allowCwd: [join(w.work, "sub")] }), command: () => "touch", options: (w) => ({ cwd: "..", args: [w.sentinel] }), expected: "permission-denied" },
    { name: "cwd that does not exist", policy: (w) => ({ allow: ["touch"], allowCwd: [w.work] }), command: () => "touch", options: (w) => ({ cwd: join(w.work, "missing"), args: [w.sentinel] }), expected: "not-found" },
  ],
  // Issue 12 (class 7): a name the policy does not allow is permission-denied whether or not it exists, so these
  // lookalike names, once not-found (which let a guest probe what is installed), are now permission-denied.
  "Unicode and NUL": [
    { name: "NUL in the command", policy: () => ({ allow: ["ls"] }), command: () => "ls\0touch", expected: "invalid-argument" },
    { name: "NUL in an argument", policy: () => ({ allow: ["touch"] }), command: () => "touch", options: (w) => ({ args: [`${w.sentinel}\0x`] }), expected: "invalid-argument" },
    { name: "NUL in a variable value", policy: () => ({ allow: ["ls"], allowEnv: true }), command: () => "ls", options: () => ({ env: [["A", "b\0LD_PRELOAD=x"]] }), expected: "invalid-argument" },
    { name: "NUL in the cwd", policy: (w) => ({ allow: ["ls"], allowCwd: [w.work] }), command: () => "ls", options: (w) => ({ cwd: `${w.work}\0/etc` }), expected: "invalid-argument" },
    { name: "homoglyph ⅼs (U+217C)", policy: () => ({ allow: ["ls"] }), command: () => "\u217Cs", expected: "permission-denied" },
    { name: "right-to-left override in the name", policy: () => ({ allow: ["ls"] }), command: () => "\u202Ehcuot", expected: "permission-denied" },
    { name: "fullwidth letters", policy: () => ({ allow: ["touch"] }), command: () => "ｔｏｕｃｈ", expected: "permission-denied" },
    { name: "a newline in the name", policy: () => ({ allow: ["touch"] }), command: () => "touch\n", expected: "permission-denied" },
  ],
};

let world: World;
beforeAll(() => {
  const work = mkdtempSync(join(tmpdir(), "hp-attack-"));
  const bin = join(work, "bin");
  mkdirSync(bin);
  mkdirSync(join(work, "sub"));
  mkdirSync(join(work, "subway"));
  symlinkSync("/", join(work, "sub", "up"));
  const sentinel = join(work, "SENTINEL");
  const evil = `#!/bin/sh\ntouch ${sentinel}\n`;
  for (const name of ["ls", "evil.sh"]) {
    writeFileSync(join(bin, name), evil);
    chmodSync(join(bin, name), 0o755);
  }
  writeFileSync(join(bin, "evil.py"), `open(${JSON.stringify(sentinel)}, "w")\n`);
  writeFileSync(join(bin, "evil.cjs"), `require("fs").writeFileSync(${JSON.stringify(sentinel)}, "")\n`);
  symlinkSync("/bin/sh", join(bin, "ls-link"));
  symlinkSync("/usr/bin/touch", join(bin, "touch-link"));
  copyFileSync("/usr/bin/touch", join(bin, "touch-copy"));
  chmodSync(join(bin, "touch-copy"), 0o755);
  writeFileSync(join(work, ".gitconfig"), `[core]\n\tfsmonitor = touch ${sentinel}\n`);
  world = { work, bin, sentinel };
});
afterAll(() => rmSync(world.work, { recursive: true, force: true }));

const baseOptions: SpawnOptions = { args: [], env: [], stdin: "null", stdout: "null", stderr: "null" };

describe("the sentinel is a real witness", () => {
  it("the planted program does create it when run directly", () => {
    execFileSync(join(world.bin, "ls"));
    expect(existsSync(world.sentinel)).toBe(true);
    rmSync(world.sentinel);
  });
});

const total = Object.values(attacks).reduce((n, list) => n + list.length, 0);
it(`the suite holds at least 40 attempts (${total})`, () => expect(total).toBeGreaterThanOrEqual(40));

for (const [family, list] of Object.entries(attacks)) {
  describe(family, () => {
    it.each(list.map((attack) => [attack.name, attack] as const))("%s", async (_, attack) => {
      const decisions: PolicyDecision[] = [];
      const host = createProcessHost(attack.policy(world), { onDecision: (d) => decisions.push(d), killGraceMs: 100 });
      const { spawn } = host.imports["host:process/process"];
      try {
        let outcome: unknown;
        try {
          const child = spawn(attack.command(world), { ...baseOptions, ...attack.options?.(world) });
          outcome = { spawned: child.wait() };
        } catch (error) {
          outcome = { refused: (error as { payload?: unknown }).payload };
        }
        expect(outcome).toEqual({ refused: { code: attack.expected, message: expect.any(String) } });
        expect(decisions).toEqual([expect.objectContaining({ allowed: false, code: attack.expected })]);
        expect(host.liveChildren()).toEqual([]);
        expect(existsSync(world.sentinel)).toBe(false);
      } finally {
        await host.close();
        rmSync(world.sentinel, { force: true });
      }
    });
  });
}

describe("symlink and TOCTOU races", () => {
  it("a symlink allowed at policy creation and retargeted later is judged by its new target", async () => {
    const link = join(world.bin, "tool");
    symlinkSync("/usr/bin/true", link);
    const host = createProcessHost({ allow: [link] });
    try {
      rmSync(link);
      symlinkSync(join(world.bin, "evil.sh"), link);
      expect(() => host.imports["host:process/process"].spawn(link, baseOptions)).toThrow(
        expect.objectContaining({ payload: expect.objectContaining({ code: "permission-denied" }) }),
      );
      expect(existsSync(world.sentinel)).toBe(false);
    } finally {
      await host.close();
      rmSync(link, { force: true });
    }
  });

  it("a link flipped between an allowed and a planted program while spawning never runs the planted one", async () => {
    const link = join(world.bin, "flip");
    symlinkSync("/usr/bin/true", link);
    // Another process flips the link as fast as it can while the guest spawns through it.
    const flipper = nativeSpawn("sh", ["-c", `while :; do ln -sfn ${join(world.bin, "evil.sh")} ${link}; ln -sfn /usr/bin/true ${link}; done`], { stdio: "ignore" });
    const host = createProcessHost({ allow: ["true"], maxProcesses: 1 });
    const outcomes = new Map<string, number>();
    try {
      for (let i = 0; i < 300; i++) {
        let outcome: string;
        try {
          const child = host.imports["host:process/process"].spawn(link, baseOptions);
          outcome = `exit ${child.wait().code}`;
          (child as unknown as Disposable)[Symbol.dispose]();
        } catch (error) {
          outcome = (error as { payload: { code: string } }).payload.code;
        }
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    } finally {
      flipper.kill("SIGKILL");
      await host.close();
      rmSync(link, { force: true });
    }
    expect(existsSync(world.sentinel)).toBe(false);
    // Both sides of the race were seen, and nothing else happened.
    expect([...outcomes.keys()].every((o) => ["exit 0", "permission-denied", "not-found"].includes(o))).toBe(true);
    expect(outcomes.get("exit 0")).toBeGreaterThan(0);
    expect(outcomes.get("permission-denied")).toBeGreaterThan(0);
  });
});

describe("resource exhaustion", () => {
  it("maxProcesses holds: the next spawn is refused while the limit is reached", async () => {
    const host = createProcessHost({ allow: ["sleep"], maxProcesses: 3 });
    const { spawn } = host.imports["host:process/process"];
    try {
      const children = [1, 2, 3].map(() => spawn("sleep", { ...baseOptions, args: ["100"] }));
      for (let i = 0; i < 20; i++) {
        expect(() => spawn("sleep", { ...baseOptions, args: ["100"] })).toThrow(
          expect.objectContaining({ payload: expect.objectContaining({ code: "limit-exceeded" }) }),
        );
      }
      expect(host.liveChildren()).toHaveLength(3);
      expect(children).toHaveLength(3);
    } finally {
      await host.close();
    }
  });

  it("an argument list beyond the OS limit is a typed spawn failure", async () => {
    const host = createProcessHost({ allow: ["true"] });
    try {
      const huge = Array.from({ length: 400 }, () => "x".repeat(10_000));
      expect(() => host.imports["host:process/process"].spawn("true", { ...baseOptions, args: huge })).toThrow(
        expect.objectContaining({ payload: expect.objectContaining({ code: "spawn-failed", message: expect.stringContaining("E2BIG") }) }),
      );
    } finally {
      await host.close();
    }
  });
});
