/** The policy's rules, one by one: argument rules, ready-made deny rules, hooks, checker, decisions, learn mode. */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { describe, expect, it } from "vitest";
import {
  DECISION_CHANNEL, argumentExecutionRisk, canonicalArguments, createProcessHost, hookReason, normalizePolicy, planSpawn,
  type PolicyDecision, type ProcessPolicy, type SpawnOptions, type SpawnRequest,
} from "host-process";

const request = (command: string, args: string[] = [], extra: Partial<SpawnRequest> = {}): SpawnRequest => ({
  command, args, env: [], stdin: "null", stdout: "piped", stderr: "piped", ...extra,
});
const codeOf = (policy: ProcessPolicy, req: SpawnRequest): string => {
  try {
    planSpawn(normalizePolicy(policy), req);
    return "allowed";
  } catch (error) {
    return (error as { payload: { code: string } }).payload.code;
  }
};
const options = (args: string[] = []): SpawnOptions => ({ args, env: [], stdin: "null", stdout: "piped", stderr: "piped" });

describe("arguments are compared as the program parses them", () => {
  it.each([
    [["-rf", "x"], ["-r", "-f", "x"]],
    [["-fr", "x"], ["-r", "-f", "x"]],
    [["-r", "-f", "x"], ["-f", "-r", "x"]],
  ])("%j is %j", (a, b) => expect(canonicalArguments(a)).toEqual(canonicalArguments(b)));

  // Issue 12: `--x=v` is `--x v` only for an option known to take a value (the program's table, or a rule that
  // writes `--x <value>`); for an option with an optional value, `--x v` gives v to no option.
  it("`--flag=value` is `--flag value` only where the flag is known to take a value", () => {
    expect(canonicalArguments(["--file=a.tar"], "tar")).toEqual(canonicalArguments(["--file", "a.tar"], "tar"));
    expect(canonicalArguments(["--depth=1"])).not.toEqual(canonicalArguments(["--depth", "1"]));
    const policy: ProcessPolicy = { allow: [{ command: "git", args: [["clone", "--depth", { validator: "[0-9]+" }, { validator: "https://[a-z./]+" }]] }] };
    expect(codeOf(policy, request("git", ["clone", "--depth=1", "https://example.org/x"]))).toBe("allowed");
  });

  it("after -- nothing is split or reordered", () => {
    expect(canonicalArguments(["-b", "-a", "--", "-rf", "--x=y"])).toEqual(["-a", "-b", "--", "-rf", "--x=y"]);
  });

  const git: ProcessPolicy = {
    allow: [{ command: "git", args: [["status", "--short"], ["log", "--oneline", "-n", { validator: "[0-9]+" }]] }],
  };
  it.each([
    [["status", "--short"], "allowed"],
    [["log", "--oneline", "-n", "20"], "allowed"],
    [["log", "--oneline", "-n", "x20"], "permission-denied"],
    [["log", "--oneline", "-n", "-20"], "permission-denied"],
    [["status"], "permission-denied"],
    [["status", "--short", "--porcelain"], "permission-denied"],
  ])("git %j under `status --short` / `log --oneline -n <digits>`: %s", (args, expected) => {
    expect(codeOf(git, request("git", args))).toBe(expected);
  });

  it("a validator may accept a leading dash only when it says so", () => {
    const policy = (allowDash: boolean): ProcessPolicy => ({ allow: [{ command: "echo", args: [[{ validator: "-?[0-9]+", allowDash }]] }] });
    expect(codeOf(policy(false), request("echo", ["-5"]))).toBe("permission-denied");
    expect(codeOf(policy(true), request("echo", ["-5"]))).toBe("allowed");
  });

  it("`rm -rf` rules match every spelling of the same flags", () => {
    const policy: ProcessPolicy = { allow: [{ command: "rm", args: [["-rf", { validator: "/tmp/sandbox/[a-z]+" }]] }] };
    for (const flags of [["-rf"], ["-fr"], ["-r", "-f"], ["-f", "-r"]]) {
      expect(codeOf(policy, request("rm", [...flags, "/tmp/sandbox/x"]))).toBe("allowed");
    }
    expect(codeOf(policy, request("rm", ["-rf", "/tmp/sandbox/../etc"]))).toBe("permission-denied");
  });

  it("an object rule must say its arguments", () => {
    expect(() => normalizePolicy({ allow: [{ command: "ls" } as never] })).toThrow(/`allow\[0\].args`.*say "any" explicitly/);
    expect(() => normalizePolicy({ allow: [{ command: "ls", args: [[{ validator: "(" }]] }] })).toThrow(/regular expression/);
  });
});

describe("ready-made deny rules for free arguments", () => {
  it.each([
    ["git", ["-c", "core.sshCommand=x", "fetch"]],
    ["git", ["--config-env=core.pager=X", "log"]],
    ["git", ["clone", "ext::sh -c x"]],
    ["git", ["fetch", "--upload-pack=x", "origin"]],
    ["git", ["clone", "-u", "x", "repo"]],
    ["git", ["clone", "--template=/tmp/hooks", "repo"]],
    ["git", ["rebase", "-x", "make"]],
    ["find", [".", "-exec", "rm", "{}", ";"]],
    ["find", [".", "-okdir", "x", ";"]],
    ["rg", ["--pre", "x", "pattern"]],
    ["rg", ["--pre=x", "pattern"]],
    ["tar", ["--use-compress-program=x", "-cf", "a"]],
    ["tar", ["-I", "x", "-cf", "a"]],
    ["ssh", ["-o", "ProxyCommand=x", "host"]],
    ["ssh", ["-oLocalCommand=x", "host"]],
    ["ssh", ["-F", "/tmp/config", "host"]],
    ["scp", ["-S", "x", "a", "b"]],
    ["xargs", ["rm"]],
    ["env", ["sh"]],
    ["sort", ["--compress-program", "x"]],
    ["split", ["--filter=x"]],
    ["rsync", ["-e", "x", "a", "b"]],
  ])("%s %j is refused", (program, args) => {
    expect(argumentExecutionRisk(program, args)).toMatchObject({ rule: expect.any(String), reason: expect.any(String) });
  });

  it.each([
    ["git", ["status", "--short"]],
    ["git", ["log", "-c"]],
    ["git", ["-C", "/repo", "log", "--oneline"]],
    ["find", [".", "-name", "*.ts", "-print"]],
    ["tar", ["-czf", "a.tgz", "dir"]],
    ["ssh", ["-o", "ConnectTimeout=5", "host"]],
    ["env", []],
  ])("%s %j is not", (program, args) => {
    expect(argumentExecutionRisk(program, args)).toBeUndefined();
  });

  it("an argument rule written by the host replaces them, and trustArguments skips them", () => {
    const args = ["-c", "color.ui=never", "status"];
    expect(codeOf({ allow: ["git"] }, request("git", args))).toBe("permission-denied");
    expect(codeOf({ allow: [{ command: "git", args: [args] }] }, request("git", args))).toBe("allowed");
    expect(codeOf({ allow: [{ command: "git", args: "any", trustArguments: true }] }, request("git", args))).toBe("allowed");
  });
});

describe("environment", () => {
  it.each(["LD_PRELOAD", "LD_LIBRARY_PATH", "DYLD_INSERT_LIBRARIES", "NODE_OPTIONS", "BASH_ENV", "ENV", "PYTHONSTARTUP", "PERL5OPT", "RUBYOPT", "PAGER", "EDITOR", "VISUAL", "GIT_SSH_COMMAND", "GIT_CONFIG_COUNT", "GIT_CONFIG_KEY_0", "GIT_CONFIG_VALUE_0", "LESSOPEN", "PROMPT_COMMAND", "PATH"])(
    "%s is a hook, refused under allowEnv: true and granted only by name",
    (name) => {
      expect(hookReason(name)).toEqual(expect.any(String));
      expect(codeOf({ allow: ["ls"], allowEnv: true }, request("ls", [], { env: [[name, "x"]] }))).toBe("permission-denied");
      // Issue 12: a search-path variable named by the host still takes absolute directories only.
      const value = ["LD_PRELOAD", "LD_LIBRARY_PATH", "PATH"].includes(name) ? "/opt/x" : "x";
      expect(codeOf({ allow: ["ls"], allowEnv: [name] }, request("ls", [], { env: [[name, value]] }))).toBe("allowed");
    },
  );

  // Issue 12 (class 3): allowEnv: true grants only the inert variables, so an empty hook value is no longer granted
  // by it; named by the host, LD_PRELOAD="" (no library) is still allowed, and "\t" is not empty.
  it('LD_PRELOAD="" is allowed only when named (harmless), "\\t" is not; allowEnv: true grants neither', () => {
    expect(codeOf({ allow: ["ls"], allowEnv: ["LD_PRELOAD"] }, request("ls", [], { env: [["LD_PRELOAD", ""]] }))).toBe("allowed");
    expect(codeOf({ allow: ["ls"], allowEnv: ["LD_PRELOAD"] }, request("ls", [], { env: [["LD_PRELOAD", "\t"]] }))).toBe("permission-denied");
    expect(codeOf({ allow: ["ls"], allowEnv: true }, request("ls", [], { env: [["LD_PRELOAD", ""]] }))).toBe("permission-denied");
    expect(codeOf({ allow: ["ls"], allowEnv: true }, request("ls", [], { env: [["LD_PRELOAD", "\t"]] }))).toBe("permission-denied");
  });

  it("the child's PATH is the policy's; the guest's resolution never uses its own PATH", () => {
    const { plan } = planSpawn(normalizePolicy({ allow: ["ls"], path: "/usr/bin:relative:/bin" }), request("ls"));
    expect(plan.env).toEqual({ PATH: "/usr/bin:/bin" });
    expect(plan.file).toBe("/usr/bin/ls");
  });

  it("inheritEnv passes exactly the named host variables", () => {
    const policy = normalizePolicy({ allow: ["ls"], inheritEnv: ["HOME", "NOT_SET_ANYWHERE"] }, { HOME: "/home/u", SECRET: "x", PATH: "/usr/bin" });
    expect(planSpawn(policy, request("ls")).plan.env).toEqual({ HOME: "/home/u", PATH: "/usr/bin" });
  });
});

describe("signals", () => {
  it("only the policy's signals may be sent; unknown names are invalid", async () => {
    const host = createProcessHost({ allow: ["sleep"], signals: ["SIGTERM"] });
    const child = host.imports["host:process/process"].spawn("sleep", { ...options(["100"]), stdout: "null", stderr: "null" });
    try {
      expect(() => child.kill("SIGKILL")).toThrow(expect.objectContaining({ payload: expect.objectContaining({ code: "permission-denied" }) }));
      expect(() => child.kill("SIGBOGUS")).toThrow(expect.objectContaining({ payload: expect.objectContaining({ code: "invalid-argument" }) }));
      child.kill("SIGTERM");
      expect(child.wait()).toEqual({ code: undefined, signal: "SIGTERM" });
    } finally {
      await host.close();
    }
  });
});

describe("decisions are observable, with the rule that made them", () => {
  it("through the callback and the diagnostics channel; the guest sees only the message", async () => {
    const seen: PolicyDecision[] = [];
    const published: PolicyDecision[] = [];
    const listener = (message: unknown) => published.push(message as PolicyDecision);
    subscribe(DECISION_CHANNEL, listener);
    const host = createProcessHost({ allow: ["true"], deny: ["false"] }, { onDecision: (d) => seen.push(d) });
    try {
      const { spawn } = host.imports["host:process/process"];
      spawn("true", options()).wait();
      expect(() => spawn("false", options())).toThrow(expect.objectContaining({ payload: { code: "permission-denied", message: expect.not.stringContaining("deny: ") } }));
    } finally {
      unsubscribe(DECISION_CHANNEL, listener);
      await host.close();
    }
    expect(seen).toEqual([
      expect.objectContaining({ action: "spawn", command: "true", resolved: "/usr/bin/true", allowed: true, rules: ['allow: "true"'] }),
      expect.objectContaining({ action: "spawn", command: "false", allowed: false, rules: ['deny: "false"'], code: "permission-denied" }),
    ]);
    expect(published).toEqual(seen);
  });
});

describe("a capability checker must agree with the policy", () => {
  it("can refuse what the policy allows, and refuse environment access", async () => {
    const asked: string[] = [];
    const host = createProcessHost(
      { allow: ["true", "echo"], allowEnv: true },
      {
        checker: {
          checkSpawn: (req) => (asked.push(req.file), req.command === "echo" ? "echo is reserved" : true),
          checkEnvAccess: () => false,
        },
      },
    );
    const { spawn } = host.imports["host:process/process"];
    try {
      expect(spawn("true", options()).wait()).toEqual({ code: 0, signal: undefined });
      expect(() => spawn("echo", options())).toThrow(expect.objectContaining({ payload: expect.objectContaining({ code: "permission-denied", message: expect.stringContaining("echo is reserved") }) }));
      expect(() => spawn("true", { ...options(), env: [["LANG", "C"]] })).toThrow(expect.objectContaining({ payload: expect.objectContaining({ code: "permission-denied" }) }));
      // It cannot allow what the policy refuses: it is not even asked.
      expect(() => spawn("ls", options())).toThrow(expect.objectContaining({ payload: expect.objectContaining({ code: "permission-denied" }) }));
      expect(asked).toEqual(["/usr/bin/true", "/usr/bin/echo"]);
    } finally {
      await host.close();
    }
  });
});

describe("learn mode", () => {
  it("grants what is merely missing, keeps refusing hooks and ready-made rules, and writes the smallest policy", async () => {
    const decisions: PolicyDecision[] = [];
    const host = createProcessHost({}, { mode: "learn", onDecision: (d) => decisions.push(d) });
    const { spawn } = host.imports["host:process/process"];
    try {
      spawn("echo", options(["hello"])).wait();
      spawn("echo", options(["again"])).wait();
      spawn("true", { ...options(), env: [["GREETING", "hi"]] }).wait();
      expect(() => spawn("true", { ...options(), env: [["LD_PRELOAD", "/x.so"]] })).toThrow(expect.objectContaining({ payload: expect.objectContaining({ code: "permission-denied" }) }));
      expect(() => spawn("env", options(["sh"]))).toThrow(expect.objectContaining({ payload: expect.objectContaining({ code: "permission-denied" }) }));
    } finally {
      await host.close();
    }
    const learned = host.learnedPolicy();
    expect(learned).toEqual({
      allow: [{ command: "echo", args: [["hello"], ["again"]] }, { command: "true", args: [[]] }],
      allowEnv: ["GREETING"],
      allowInherit: { stdout: false, stderr: false },
    });
    expect(decisions[0]).toMatchObject({ allowed: true, learned: ['allow: "echo"'] });
    // The learned policy allows exactly those spawns, in enforce mode.
    expect(codeOf(learned, request("echo", ["hello"]))).toBe("allowed");
    expect(codeOf(learned, request("echo", ["other"]))).toBe("permission-denied");
    expect(codeOf(learned, request("true", [], { env: [["GREETING", "x"]] }))).toBe("allowed");
    expect(codeOf(learned, request("ls"))).toBe("permission-denied");
  });
});
