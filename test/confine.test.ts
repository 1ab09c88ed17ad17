// Confinement (policy `confine`): real bubblewrap, real children, real guests.
// What a confined program may write and reach once it runs, and that pipes,
// statuses, kill, timeouts and output caps still work inside the sandbox.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { readlinkSync } from "node:fs";
import {
  createProcessHost, DECISION_CHANNEL, instantiateComponent, normalizePolicy,
  type ComponentInstance, type PolicyDecision, type ProcessPolicy,
} from "host-process";
import { resultOf, runCli } from "./helpers/cli.js";
import { ROOT } from "./helpers/fixtures.js";
import { runInstance } from "./helpers/guest.js";
import { until } from "./helpers/processes.js";

const fixtures = inject("fixtures");

const opened: ComponentInstance[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((instance) => instance.close()));
});

/** Runs `fixture <args…>` in this process under `policy`; returns its RESULT. */
async function guest(fixture: string, args: string[], policy: ProcessPolicy): Promise<any> {
  const instance = await instantiateComponent(fixture, { policy, args: ["guest", ...args] });
  opened.push(instance);
  const run = await runInstance(instance);
  if (run.result === undefined) throw new Error(`no RESULT: ${JSON.stringify(run.outcome)}\n${run.output}`);
  return run.result;
}

/** `sh -c script` through the scenarios guest: its stdout and stderr lines and its status. */
function sh(script: string, policy: ProcessPolicy): Promise<any> {
  return guest(fixtures.scenarios, ["spawn", "sh", "-c", script], { allow: ["sh"], ...policy });
}

function freshDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Host processes whose command line contains `text`. */
function processesRunning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "latin1").replaceAll("\0", " ");
      const state = readFileSync(`/proc/${entry}/stat`, "latin1").split(") ")[1]?.[0];
      if (cmdline.includes(text) && state !== "Z") found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

describe("confine: the filesystem", () => {
  it("a confined sh writes inside a write directory, not outside it, not in $HOME, and not in the host's /tmp", async () => {
    const writable = freshDir("hp-confine-w-");
    const outside = freshDir("hp-confine-o-");
    const home = join(homedir(), `.hp-confine-${process.pid}`);
    const hostTmp = join(tmpdir(), `hp-confine-tmp-${process.pid}`);
    const script = [
      `echo in > ${writable}/inside && echo wrote-inside`,
      `echo out > ${outside}/outside || echo refused-outside`,
      `echo home > ${home} || echo refused-home`,
      // The child's /tmp is its own, empty: this lands there, not in the host's.
      `echo tmp > ${hostTmp} && echo wrote-private-tmp`,
    ].join("; ");
    const result = await sh(script, { confine: { write: [writable] } });
    expect(result.stdout).toEqual(["wrote-inside", "refused-outside", "refused-home", "wrote-private-tmp"]);
    expect(result.stderr.join("\n")).toContain("Read-only file system");
    expect(readFileSync(join(writable, "inside"), "utf8")).toBe("in\n");
    expect(existsSync(join(outside, "outside"))).toBe(false);
    expect(existsSync(home)).toBe(false);
    expect(existsSync(hostTmp)).toBe(false);
    expect(result.status).toMatchObject({ code: 0 });
  });

  it("`confine: true` writes only the allowCwd directories; unconfined, the same script writes anywhere", async () => {
    const cwdDir = freshDir("hp-confine-cwd-");
    const other = freshDir("hp-confine-other-");
    const script = `echo a > ${cwdDir}/a && echo cwd-ok; echo b > ${other}/b && echo other-ok`;
    const confined = await sh(script, { confine: true, allowCwd: [cwdDir] });
    expect(confined.stdout).toEqual(["cwd-ok"]);
    expect(existsSync(join(other, "b"))).toBe(false);
    // Without confinement the same child writes there: the refusal above is the sandbox's.
    const unconfined = await sh(script, { allowCwd: [cwdDir] });
    expect(unconfined.stdout).toEqual(["cwd-ok", "other-ok"]);
  });

  it("a symlink planted in a write directory does not lead out of it", async () => {
    const writable = freshDir("hp-confine-link-");
    const target = freshDir("hp-confine-target-");
    symlinkSync(target, join(writable, "escape"));
    const result = await sh(`echo x > ${writable}/escape/planted && echo followed || echo refused`, { confine: { write: [writable] } });
    expect(result.stdout).toEqual(["refused"]);
    expect(existsSync(join(target, "planted"))).toBe(false);
  });

  it("`hide` makes a directory read as empty and a file as empty, even inside a write directory", async () => {
    const writable = freshDir("hp-confine-hide-");
    const secrets = join(writable, "secrets");
    mkdirSync(secrets);
    writeFileSync(join(secrets, "key"), "SECRET-DIR");
    const token = join(writable, "token");
    writeFileSync(token, "SECRET-FILE");
    const result = await sh(`ls -A ${secrets}; cat ${token}; echo done; echo x > ${secrets}/new || echo refused`, {
      confine: { write: [writable], hide: [secrets, token] },
    });
    expect(result.stdout).toEqual(["done", "refused"]);
    expect(readFileSync(join(secrets, "key"), "utf8")).toBe("SECRET-DIR");
    expect(existsSync(join(secrets, "new"))).toBe(false);
  });
});

describe("confine: processes and network", () => {
  it("a confined child sees only its own sandbox's processes in /proc, and cannot signal the host's", async () => {
    const result = await sh(`ls /proc | grep -E '^[0-9]+$' | tr '\\n' ' '; echo; kill -0 ${process.pid} && echo signalled || echo no-such-process`, {
      confine: true,
    });
    const pids = (result.stdout[0] as string).trim().split(" ").map(Number);
    // The sandbox's init, sh and its pipeline: small pids of its own namespace, none of the host's.
    expect(pids).not.toContain(process.pid);
    expect(Math.max(...pids)).toBeLessThan(20);
    expect(result.stdout[1]).toBe("no-such-process");
  });

  describe("the network", () => {
    let server: Server;
    let port = 0;
    let connections = 0;
    beforeAll(async () => {
      server = createServer((socket) => {
        connections++;
        socket.end("hello\n");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      port = (server.address() as { port: number }).port;
      return () => new Promise<void>((resolve) => server.close(() => resolve()));
    });

    const connect = () => [
      "-e",
      `require("net").connect(${port}, "127.0.0.1").on("data", (d) => { console.log("connected " + d.toString().trim()); process.exit(0); }).on("error", (e) => { console.log(e.code); process.exit(1); })`,
    ];

    it("a confined child cannot connect to a listener on the host's 127.0.0.1; with --allow-net it can", async () => {
      // Through the CLI: the guest blocks its host's main thread, where this test's listener answers.
      const node = process.execPath;
      const before = connections;
      const refused = resultOf(await runCli(["run", fixtures.scenarios, `--allow-run=${node}`, "--confine", "--", "spawn", node, ...connect()]));
      expect(refused.stdout).toEqual(["ECONNREFUSED"]);
      expect(refused.status).toMatchObject({ code: 1 });
      expect(connections).toBe(before);
      const allowed = resultOf(await runCli(["run", fixtures.scenarios, `--allow-run=${node}`, "--confine", "--allow-net", "--", "spawn", node, ...connect()]));
      expect(allowed.stdout).toEqual(["connected hello"]);
      expect(connections).toBe(before + 1);
    });

    it("without network a Unix socket file on the read-only filesystem is refused too (seccomp); with network, `hide` keeps one out", async () => {
      // Outside /tmp (the child's /tmp is its own): a directory of the host's filesystem.
      const dir = mkdtempSync(join(ROOT, ".cache", "hp-sock-"));
      const socket = join(dir, "s");
      const listener = createServer((c) => c.end("hello\n"));
      await new Promise<void>((resolve) => listener.listen(socket, resolve));
      try {
        const node = process.execPath;
        const probe = ["-e", `require("net").connect(${JSON.stringify(socket)}).on("data", (d) => { console.log("connected " + d.toString().trim()); process.exit(0); }).on("error", (e) => { console.log(e.code); process.exit(1); })`];
        const policy = join(dir, "policy.json");
        writeFileSync(policy, JSON.stringify({ allow: [node], confine: { network: true, hide: [dir] } }));
        // Connecting needs no write, and the socket is not in the network namespace: the seccomp filter refuses it.
        const refused = resultOf(await runCli(["run", fixtures.scenarios, `--allow-run=${node}`, "--confine", "--", "spawn", node, ...probe]));
        expect(refused.stdout).toEqual(["EPERM"]);
        const open = resultOf(await runCli(["run", fixtures.scenarios, `--allow-run=${node}`, "--confine", "--allow-net", "--", "spawn", node, ...probe]));
        expect(open.stdout).toEqual(["connected hello"]);
        const hidden = resultOf(await runCli(["run", fixtures.scenarios, "--policy", policy, "--", "spawn", node, ...probe]));
        expect(hidden.stdout).toEqual(["ENOENT"]);
      } finally {
        await new Promise<void>((resolve) => listener.close(() => resolve()));
      }
    });
  });
});

describe("confine: per rule, and failing closed", () => {
  it("a rule's own `confine` overrides the policy's, both ways", async () => {
    const writable = freshDir("hp-confine-rule-w-");
    const other = freshDir("hp-confine-rule-o-");
    const script = `echo x > ${other}/by-sh && echo wrote || echo refused`;
    // The policy confines; this rule runs sh unconfined.
    const free = await guest(fixtures.scenarios, ["spawn", "sh", "-c", script], {
      confine: { write: [writable] }, allow: [{ command: "sh", args: "any", confine: false }],
    });
    expect(free.stdout).toEqual(["wrote"]);
    // The policy does not confine; this rule confines sh.
    const boxed = await guest(fixtures.scenarios, ["spawn", "sh", "-c", script.replace("by-sh", "by-sh-2")], {
      allow: [{ command: "sh", args: "any", confine: { write: [writable] } }],
    });
    expect(boxed.stdout).toEqual(["refused"]);
    expect(existsSync(join(other, "by-sh-2"))).toBe(false);
  });

  it("bubblewrap missing from the policy's path: every spawn fails closed (spawn-failed) saying what to install; nothing runs", async () => {
    const bin = freshDir("hp-confine-nobwrap-");
    symlinkSync("/bin/sh", join(bin, "sh"));
    const marker = join(freshDir("hp-confine-marker-"), "ran");
    const result = await guest(fixtures.scenarios, ["spawn", "sh", "-c", `touch ${marker}`], { allow: ["sh"], path: bin, confine: true });
    expect(result.error).toMatchObject({ code: 4003, name: "SpawnFailed" });
    expect(result.error.message).toContain("bubblewrap (`bwrap`) was not found on the policy's path");
    expect(result.error.message).toContain("apt-get install bubblewrap");
    expect(existsSync(marker)).toBe(false);
  });

  it("a bubblewrap that cannot make a sandbox (no user namespaces): spawn-failed saying what to enable; nothing runs", async () => {
    const dir = freshDir("hp-confine-badbwrap-");
    const fake = join(dir, "bwrap");
    // What bubblewrap prints where user namespaces are off; it never runs the program.
    writeFileSync(fake, "#!/bin/sh\necho 'bwrap: No permissions to creating new namespace' >&2\nexit 1\n");
    chmodSync(fake, 0o755);
    const marker = join(dir, "ran");
    const result = await guest(fixtures.scenarios, ["spawn", "sh", "-c", `touch ${marker}`], { allow: ["sh"], confine: { bwrap: fake } });
    expect(result.error).toMatchObject({ code: 4003 });
    expect(result.error.message).toContain("No permissions to creating new namespace");
    expect(result.error.message).toContain("enable unprivileged user namespaces");
    expect(existsSync(marker)).toBe(false);
  });

  it("docs/confinement.md's example is a valid policy (its directories replaced by real ones)", async () => {
    const page = readFileSync(join(ROOT, "docs", "confinement.md"), "utf8");
    const example = /```json\n([\s\S]*?)```/.exec(page)![1]!;
    const repo = freshDir("hp-confine-readme-");
    const ssh = freshDir("hp-confine-ssh-");
    const policy = JSON.parse(example.replaceAll("/work/repo", repo).replaceAll("/root/.ssh", ssh)) as ProcessPolicy;
    expect(normalizePolicy(policy).confinement).toMatchObject({ write: [repo], hide: [ssh], network: false });
  });

  it("the policy refuses bad `confine` values, naming the option", () => {
    expect(() => normalizePolicy({ confine: { write: ["relative"] } })).toThrow("Expected the `confine.write` policy option to be an array of absolute paths");
    expect(() => normalizePolicy({ confine: { write: ["/no/such/dir"] } })).toThrow("`confine.write` policy option to be existing paths");
    expect(() => normalizePolicy({ confine: { network: "yes" } as never })).toThrow("`confine.network` policy option to be a boolean");
    expect(() => normalizePolicy({ confine: { writable: [] } as never })).toThrow("{ write?, hide?, network?, bwrap? }");
    expect(() => normalizePolicy({ allow: [{ command: "sh", args: "any", confine: 3 as never }] })).toThrow("`allow[0].confine`");
    const dir = freshDir("hp-confine-norm-");
    expect(normalizePolicy({ confine: true, allowCwd: [dir] }).confinement).toMatchObject({ write: [dir], hide: [], network: false, bwrap: "/usr/bin/bwrap" });
    expect(normalizePolicy({}).confinement).toBeNull();
  });
});

describe("confine: everything else still works", () => {
  const CONFINED = { confine: true } as const;

  it("wait() reports the program's own status: its exit code, or the signal that ended it (not the wrapper's 128+n)", async () => {
    expect((await sh("exit 3", CONFINED)).status).toMatchObject({ code: 3, signal: null });
    for (const signal of ["SIGTERM", "SIGKILL"]) {
      const result = await guest(fixtures.scenarios, ["kill", signal], { allow: ["sleep"], ...CONFINED });
      expect(result.waited).toMatchObject({ code: null, signal });
      expect(result.after).toMatchObject({ running: false, signal });
    }
    // A program that ends itself by a signal: the same.
    expect((await sh("kill -USR1 $$", CONFINED)).status).toMatchObject({ code: null, signal: "SIGUSR1" });
  });

  it("kill signals the program, not the wrapper: a program that traps SIGTERM cleans up and exits with its own code", async () => {
    const script = "trap 'echo cleaned; exit 7' TERM; echo started; sleep 100 & wait";
    const run = await guest(fixtures.lifecycle, ["tree", JSON.stringify({ then: "kill", script })], { allow: ["sh"], ...CONFINED });
    expect(run.statuses).toEqual([{ code: 7 }]);
  });

  it("kill of a confined tree leaves nothing running, even a member that left the process group (setsid)", async () => {
    const script = "setsid sleep 9871 & sleep 9872 & echo started; sleep 9873";
    const run = await guest(fixtures.lifecycle, ["tree", JSON.stringify({ then: "kill", script })], { allow: ["sh"], ...CONFINED });
    expect(run.statuses).toEqual([{ signal: "SIGTERM" }]);
    await until(() => ["sleep 9871", "sleep 9872", "sleep 9873"].every((text) => processesRunning(text).length === 0));
  });

  it("the policy's timeoutMs ends a confined tree: wait and output() fail with timed-out, nothing is left running", async () => {
    const run = await guest(fixtures.lifecycle, ["timeout", "{}"], { allow: ["sh", "sleep"], timeoutMs: 300, ...CONFINED });
    expect(run.waited.error).toMatchObject({ code: "timed-out" });
    expect(run.status).toMatchObject({ running: false, signal: "SIGTERM" });
    expect(run.output.error).toMatchObject({ code: 4008, name: "TimedOut" });
    await until(() => opened[0]!.host.liveChildren().length === 0);
    // The wrapper's pid is the one the guest saw; it and its sandbox are gone.
    await until(() => !existsSync(`/proc/${run.pid}`));
  });

  it("output caps, pipes between confined children (stdin-from) and output() work as unconfined", async () => {
    const limit = 1 << 20;
    const capped = await guest(fixtures.lifecycle, ["outputLimit", JSON.stringify({ limit })], { allow: ["head"], maxOutputBytes: limit, ...CONFINED });
    expect(capped.atLimit).toBe(limit);
    expect(capped.over).toMatchObject({ code: 4007 });
    const piped = await guest(fixtures.scenarios, ["pipeline", "1048576"], { allow: ["head", "wc", "echo", "cat", "sh"], ...CONFINED });
    expect(piped.counted).toBe(1048576);
    expect(piped.relayed).toBe("said before the join\n");
    expect(piped.first + piped.remainder).toBe("one\ntwo\n");
    const output = await guest(fixtures.scenarios, ["output", "sh", "-c", "echo out; echo err >&2; exit 7"], { allow: ["sh"], ...CONFINED });
    expect(output).toMatchObject({ status: { code: 7 }, stdout: "out\n", stderr: "err\n" });
  });

  it("what a confined program plants for git to run later: the hook is off (the host's git configuration), an alias still runs, confined", async () => {
    const repo = freshDir("hp-confine-git-");
    const outside = freshDir("hp-confine-git-out-");
    execFileSync("git", ["init", "-q", repo]);
    execFileSync("git", ["-C", repo, "config", "user.email", "t@example.invalid"]);
    execFileSync("git", ["-C", repo, "config", "user.name", "t"]);
    const policy: ProcessPolicy = { allow: ["sh", "git"], cwd: repo, confine: { write: [repo] } };
    // The guest plants a hook and an alias with what it may run (inside the write set, so this works) …
    const payload = (mark: string) =>
      `#!/bin/sh\necho ran > ${repo}/${mark}\necho pwned > ${outside}/pwned\necho pwned > ${homedir()}/.hp-pwned-${process.pid}\n`;
    const planted = await sh(
      `printf '${payload("hook-ran")}' > .git/hooks/post-commit && chmod +x .git/hooks/post-commit && ` +
        `printf '${payload("alias-ran")}' > .git/payload.sh && printf '[alias]\\n\\tpwn = !sh .git/payload.sh\\n' >> .git/config && echo planted`,
      policy,
    );
    expect(planted.stdout).toEqual(["planted"]);
    // … a later git command would run the hook: the host's git configuration switches hooks off …
    const commit = await guest(fixtures.scenarios, ["spawn", "git", "commit", "-q", "--allow-empty", "-m", "x"], policy);
    expect(commit.status).toMatchObject({ code: 0 });
    expect(existsSync(join(repo, "hook-ran"))).toBe(false);
    // … and the alias, which no fixed configuration key can switch off, runs inside the sandbox.
    const alias = await guest(fixtures.scenarios, ["spawn", "git", "pwn"], policy);
    expect(readFileSync(join(repo, "alias-ran"), "utf8")).toBe("ran\n");
    expect(alias.status).not.toMatchObject({ code: 0 });
    expect(existsSync(join(outside, "pwned"))).toBe(false);
    expect(existsSync(join(homedir(), `.hp-pwned-${process.pid}`))).toBe(false);
  });
});

describe("confine: what the host sees", () => {
  it("decisions on the diagnostics channel carry the confinement; pid() is the child's bubblewrap process", async () => {
    const decisions: PolicyDecision[] = [];
    const listener = (message: unknown) => decisions.push(message as PolicyDecision);
    subscribe(DECISION_CHANNEL, listener);
    const host = createProcessHost({ allow: ["sleep"], confine: true });
    try {
      const { spawn } = host.imports["host:process/process"];
      const child = spawn("sleep", { args: ["5"], env: [], stdin: "null", stdout: "null", stderr: "null" });
      expect(readlinkSync(`/proc/${child.pid()}/exe`)).toBe("/usr/bin/bwrap");
      child.kill("SIGTERM");
      expect(child.wait()).toMatchObject({ signal: "SIGTERM" });
    } finally {
      unsubscribe(DECISION_CHANNEL, listener);
      await host.close();
    }
    expect(decisions).toHaveLength(2);
    expect(decisions[0]).toMatchObject({ action: "spawn", allowed: true });
    expect(decisions[0]!.rules).toContain("confined: write [] + private /tmp, network off");
  });

  it("learn mode keeps the policy's confinement and a rule's own in the learnt policy", async () => {
    const dir = freshDir("hp-confine-learn-");
    const host = createProcessHost(
      { confine: { write: [dir] }, allow: [{ command: "echo", args: "any", confine: false }] },
      { mode: "learn" },
    );
    try {
      const { output } = host.imports["host:process/process"];
      for (const command of ["echo", "true"]) output(command, { args: [], env: [], stdin: "null", stdout: "piped", stderr: "null" });
      const learnt = host.learnedPolicy();
      expect(learnt.confine).toEqual({ write: [dir], network: false, bwrap: "/usr/bin/bwrap" });
      expect(learnt.allow).toEqual([{ command: "echo", args: [[]], confine: false }, { command: "true", args: [[]] }]);
    } finally {
      await host.close();
    }
  });
});

describe("confine: the CLI", () => {
  it("--allow-write implies --confine; --dry-run shows the confinement each spawn got", async () => {
    const writable = freshDir("hp-confine-cli-");
    const run = await runCli(["run", fixtures.scenarios, "--allow-run=sh", `--allow-write=${writable}`, "--dry-run", "--", "spawn", "sh", "-c", "touch /etc/hp-x || echo refused"]);
    expect(resultOf(run).stdout).toEqual(["refused"]);
    expect(run.stderr).toContain("1 spawn(s) ran confined:");
    expect(run.stderr).toContain(`confined: write [${writable}] + private /tmp, network off`);
  });

  it("--allow-net without confinement is a usage error", async () => {
    const run = await runCli(["run", fixtures.scenarios, "--allow-run=sh", "--allow-net", "--", "spawn", "true"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--allow-net lets confined children use the network; add --confine");
  });
});
