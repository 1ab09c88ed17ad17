/**
 * The spawner: runs inside preview2-shim's I/O worker (loaded there through
 * `callExtension`), owns every child process and its pipes, registers the
 * pipes as ordinary `wasi:io` streams and the exit as a `wasi:io` future, and
 * enforces each child's lifecycle: its own process group, the policy's
 * timeout, output cap and kill-on-drop, and `close()` of its instance.
 *
 * Nothing here may throw from an event handler: the shim's worker turns an
 * uncaught exception into a failure of every later I/O call.
 */
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import type { EventEmitter } from "node:events";
import type { Readable, Writable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { WorkerExtensionContext } from "@bytecodealliance/preview2-shim/io-worker";
import type { ChildLimits, StdioMode } from "../policy.js";
import { groupExists, hasLiveMembers, signalGroup } from "./groups.js";
import type {
  ChildState, CollectedOutput, ExitInfo, Operation, Operations, ReleaseOptions, Result, SpawnArgs, SpawnedChild,
  SpawnerStats,
} from "./protocol.js";
import { isLent, lendAgain, lendPipe, RECLAIMED, setLentPipeBlocking } from "./lent-pipes.js";
import { stopReadAhead } from "./read-ahead.js";
import { LaunchedChild, LauncherLink } from "./launcher-link.js";
import { pinCwd } from "./pinned-cwd.js";
import { WatchdogLink } from "./watchdog-link.js";
import { executionOf } from "./bwrap-args.js";
import { confinementProblem, programExit, signalConfined } from "./confined.js";
import { SECCOMP_FD } from "./seccomp.js";
import { listenForControl } from "./control.js";
import { RemoteWatchdog, serveWatchdog } from "./shared-watchdog.js";
import { relayToTerminal, terminalSlots } from "./terminal.js";

/**
 * Set in an instance thread (host/embedding): its spawner hands its process
 * groups to the watchdog of the host's thread (one watchdog for N threads).
 * It has a launcher of its own: pipes handed over a launcher's channel reach
 * only the thread that holds the channel; a child started by the thread
 * itself would inherit the host's descriptors, and would run unregistered
 * (its registration reaches the watchdog a thread hop later) until then: a
 * host SIGKILLed in that window left it running.
 */
const IN_INSTANCE_THREAD = process.env.HOST_PROCESS_INSTANCE_THREAD === "1";

/** How often a group whose leader has exited is checked for remaining members. */
const GROUP_POLL_MS = 20;
/** How long after SIGKILL a group may take to die before the spawner stops waiting for it. */
const KILL_WAIT_MS = 2000;
/** What a Linux pipe holds by default: one check-write permits as much, rather than Node's 16 KiB. */
const PIPE_CAPACITY = 64 * 1024;
/** The bytes of every write-zeroes into a child's stdin: never written to, so shared by all. */
const ZEROES = Buffer.alloc(PIPE_CAPACITY);

interface Owner {
  id: number;
  closed: boolean;
  children: Map<number, ChildRecord>;
  /** Process groups that may still have members (pgid → grace period), until seen empty. */
  groups: Map<number, number>;
  /** Pipes of its children the host holds open (descriptors of the host's), until each closes. */
  openPipes: number;
}

interface ChildRecord {
  handle: number;
  owner: Owner;
  command: string;
  pid: number;
  process: ChildProcess | LaunchedChild;
  graceMs: number;
  limits: ChildLimits;
  exit: ExitInfo | null;
  exited: Promise<ExitInfo>;
  timedOut: boolean;
  /** The guest dropped its handle: the record goes as soon as the child has exited. */
  released: boolean;
  timer: NodeJS.Timeout | undefined;
}

type Pipe = { kind: "output"; stream: Readable } | { kind: "input"; stream: Writable };

const NODE_STDIO: Record<StdioMode, "pipe" | "ignore" | "inherit"> = {
  piped: "pipe",
  null: "ignore",
  inherit: "inherit",
};

/**
 * Lets a child's stdin buffer what its OS pipe holds: a guest writing into it
 * then needs a quarter of the check-write/write/subscribe round trips (and of
 * the garbage they leave in the host) that Node's 16 KiB default costs. Node
 * has no option for this on a child's stdio; the stream's state is where the
 * high-water mark lives (Node 20 and 24).
 */
function matchPipeCapacity(stdin: Writable): void {
  (stdin as unknown as { _writableState: { highWaterMark: number } })._writableState.highWaterMark = PIPE_CAPACITY;
}

function ignore(): void {
  // Errors on pipes reach the guest as stream errors (the shim checks `errored`); kill
  // failures surface through kill's return value. Nothing may be thrown here.
}

/**
 * Stops Node's read-ahead on a child's fresh stdout/stderr: nothing is read
 * until the guest reads (the shim's read() starts it again), so the pipe can
 * still be handed whole to another child; until then the bytes wait in the OS
 * pipe. Node also resumes (and so discards) the unread stdio of an exited
 * child: that resume is shadowed, since this pipe is the guest's to read.
 */
function holdUnread(pipe: Readable): void {
  stopReadAhead(pipe);
  Object.defineProperty(pipe, "resume", { value: () => pipe, configurable: true, writable: true });
}

/** Undoes `holdUnread`'s shadowing, for a pipe the spawner itself consumes. */
function unhold(pipe: Readable): void {
  delete (pipe as { resume?: unknown }).resume;
}

function keepBuffered(): void {
  // A 'readable' listener reads ahead into the host's buffer and keeps the pipe paused.
}

/** Once the child has exited, what it wrote is read into the host at once, so a late reader finds it waiting. */
function readWhatIsLeft(pipe: Readable | null): void {
  if (pipe && !pipe.destroyed && pipe.listenerCount("readable") === 0) pipe.on("readable", keepBuffered);
}

/** Reads a pipe to its end, discarding the bytes, so that the child never blocks on it. */
function drain(pipe: Readable): void {
  unhold(pipe);
  pipe.removeAllListeners("readable");
  pipe.on("data", ignore);
  pipe.resume();
}

function closed(stream: Readable): Promise<void> {
  return new Promise((resolve) => (stream.closed ? resolve() : stream.once("close", () => resolve())));
}

/** A full GC of this worker's heap, for exact leak checks (the vm trick: no process flag needed). */
function collectWorkerGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

/** Out of descriptors (the host's or the system's) is a limit, with how to raise it; any other refusal is `spawn-failed`. */
function spawnError(command: string, file: string, error: NodeJS.ErrnoException): { code: "limit-exceeded" | "spawn-failed"; message: string } {
  const code = error.code ?? error.message;
  if (code === "EMFILE" || code === "ENFILE") {
    return {
      code: "limit-exceeded",
      message: `Cannot start \`${command}\` (${file}): the host is out of file descriptors (${code}); drop or read to their end the streams of exited children, lower the policy's maxOpenPipes, or raise the host's descriptor limit (ulimit -n)`,
    };
  }
  return { code: "spawn-failed", message: `Cannot start \`${command}\` (${file}): ${code}` };
}

function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  return Promise.race([promise.then(() => true), timeout]).finally(() => clearTimeout(timer));
}

export default function createSpawner(context: WorkerExtensionContext) {
  const children = new Map<number, ChildRecord>();
  const owners = new Map<number, Owner>();
  /** Every child pipe still open, by wasi:io stream id. */
  const pipes = new Map<number, Pipe & { owner: Owner }>();
  const ownWatchdog = new WatchdogLink();
  const watchdog = IN_INSTANCE_THREAD ? new RemoteWatchdog() : ownWatchdog;
  // Started at the first call (but serveWatchdog's), ready for the spawns after the first few: a fork() of it is cheaper than one of the host.
  const launcher = new LauncherLink();
  let nextHandle = 0;
  /** Groups led by a bubblewrap wrapper: signals go to the program's session inside (confined.ts). */
  const wrappers = new Set<number>();

  function signalTree(pgid: number, signal: NodeJS.Signals): boolean {
    return wrappers.has(pgid) ? signalConfined(pgid, signal) : signalGroup(pgid, signal);
  }
  /** The embedding host stopped this instance thread: no child may start any more. */
  let stopped = false;

  function record(handle: number): ChildRecord {
    const found = children.get(handle);
    if (!found) throw new Error(`host-process: no child with handle ${handle}`);
    return found;
  }

  function ownerOf(id: number): Owner {
    let owner = owners.get(id);
    if (!owner) {
      owner = { id, closed: false, children: new Map(), groups: new Map(), openPipes: 0 };
      owners.set(id, owner);
    }
    return owner;
  }

  function forgetGroup(owner: Owner, pgid: number): void {
    owner.groups.delete(pgid);
    wrappers.delete(pgid);
    watchdog.unregister(pgid);
    forgetOwnerIfDone(owner);
  }

  function forgetRecord(child: ChildRecord): void {
    children.delete(child.handle);
    child.owner.children.delete(child.handle);
    forgetOwnerIfDone(child.owner);
  }

  function forgetOwnerIfDone(owner: Owner): void {
    if (owner.closed && owner.children.size === 0 && owner.groups.size === 0) owners.delete(owner.id);
  }

  /**
   * SIGTERM (and SIGCONT, for a stopped member) to the group now, SIGKILL to
   * whatever of it is left after the grace period; settles once the leader is
   * reaped and no member is running (or, for an unkillable process, gives up).
   */
  async function endGroup(owner: Owner, pgid: number, graceMs: number, leader?: ChildRecord): Promise<void> {
    signalTree(pgid, "SIGTERM");
    signalTree(pgid, "SIGCONT");
    const deadline = Date.now() + graceMs;
    if (leader && leader.exit === null && !(await settlesWithin(leader.exited, graceMs))) {
      signalTree(pgid, "SIGKILL");
      await settlesWithin(leader.exited, KILL_WAIT_MS);
    }
    while (await hasLiveMembers(pgid)) {
      if (Date.now() >= deadline + KILL_WAIT_MS) return;
      if (Date.now() >= deadline) signalTree(pgid, "SIGKILL");
      await delay(GROUP_POLL_MS);
    }
    forgetGroup(owner, pgid);
  }

  function onExit(child: ChildRecord, exit: ExitInfo): void {
    child.exit = exit;
    clearTimeout(child.timer);
    // Members the child left behind keep its group alive; close() will end them.
    if (!groupExists(child.pid)) forgetGroup(child.owner, child.pid);
    if (child.released) forgetRecord(child);
  }

  function timeOut(child: ChildRecord): void {
    if (child.exit !== null) return;
    child.timedOut = true;
    void endGroup(child.owner, child.pid, child.graceMs, child);
  }

  /**
   * Takes another child's stdout/stderr (this owner's, still open) to become a
   * new child's stdin. `unread` when none of it has reached the host's buffer:
   * then the OS pipe itself is handed over and the bytes never pass through
   * the host; otherwise the host relays what it holds and the rest.
   */
  function takePipe(owner: Owner, id: number, command: string): Result<{ stream: Readable; unread: boolean }> {
    const pipe = pipes.get(id);
    if (pipe === undefined || pipe.kind !== "output" || pipe.owner !== owner || pipe.stream.destroyed) {
      return { err: { code: "invalid-argument", message: `The stdin-from stream for \`${command}\` is not the open stdout or stderr of another child of this instance` } };
    }
    pipes.delete(id);
    const socket = pipe.stream;
    // Stop any read-ahead, then see whether anything was read into the host.
    stopReadAhead(socket);
    return { ok: { stream: socket, unread: socket.readableLength === 0 && !socket.readableEnded } };
  }

  function trackPipe(owner: Owner, id: number, pipe: Pipe): number {
    pipes.set(id, { owner, ...pipe });
    owner.openPipes++;
    pipe.stream.once("close", () => {
      pipes.delete(id);
      owner.openPipes--;
    });
    return id;
  }

  /**
   * Refuses a spawn whose pipes would take the instance past `maxOpenPipes`:
   * a guest that keeps exited children's streams unread holds a descriptor of
   * the host's for each, and would otherwise run the host out of them.
   */
  function pipeLimitError(owner: Owner, args: SpawnArgs): Result<never> | undefined {
    const needed = args.plan.stdio.filter((mode) => mode === "piped").length;
    if (owner.openPipes + needed <= args.maxOpenPipes) return undefined;
    return {
      err: {
        code: "limit-exceeded",
        message: `Cannot start \`${args.command}\`: the instance holds ${owner.openPipes} open pipes of its children and this spawn needs ${needed} more; the policy's maxOpenPipes is ${args.maxOpenPipes}. Read the streams of exited children to their end or drop them, or raise maxOpenPipes`,
      },
    };
  }

  /**
   * Spawns the plan in a new process group; settles once the OS has started the program or refused to.
   * `relayOutputUpTo` (output()): see LauncherLink.launch.
   */
  async function start(args: SpawnArgs, stdio: StdioOptions, relayOutputUpTo?: number): Promise<Result<ChildRecord>> {
    const { command, plan, maxProcesses, limits, graceMs } = args;
    if (stopped) return { err: { code: "io", message: `Cannot start \`${command}\`: the guest is being stopped` } };
    const owner = ownerOf(args.owner);
    const running = [...owner.children.values()].filter((child) => child.exit === null).length;
    if (running >= maxProcesses) {
      return {
        err: {
          code: "limit-exceeded",
          message: `Cannot start \`${command}\`: ${running} children are running, the policy's maxProcesses is ${maxProcesses}`,
        },
      };
    }
    const refused = (error: NodeJS.ErrnoException): Result<never> => ({ err: spawnError(command, plan.file, error) });
    const { confinement } = plan;
    const unavailable = confinement && confinementProblem(confinement);
    if (unavailable) return { err: { code: "spawn-failed", message: `Cannot start \`${command}\` confined: ${unavailable}` } };
    const execution = executionOf(plan);
    let source: Readable | undefined;
    let relay: Readable | undefined;
    if (args.stdinFrom !== undefined) {
      const taken = takePipe(owner, args.stdinFrom, command);
      if ("err" in taken) return taken;
      if (taken.ok.unread) source = taken.ok.stream;
      else relay = taken.ok.stream;
      stdio = [source ?? "pipe", ...(stdio as unknown[]).slice(1)] as StdioOptions;
    }
    let child: ChildProcess | LaunchedChild | undefined;
    /** For a child this spawner started itself: what it wrote to the terminal is copied before its exit is known. */
    const terminalFlushes: (() => Promise<void>)[] = [];
    // Children start through the launcher (no inherited descriptors, die with the host); the host starts them
    // itself only if the launcher cannot run.
    await launcher.whenSettled();
    if (launcher.ready) {
      // The launcher starts it the same way, in a new process group; a joined pipe travels with the request.
      const modes = [...plan.stdio];
      if (relay) modes[0] = "piped";
      const relaying = args.stdinFrom === undefined ? relayOutputUpTo : undefined;
      const launched = await launcher.launch({ ...plan, ...execution, stdio: modes as SpawnArgs["plan"]["stdio"] }, source, relaying, execution.seccomp, graceMs);
      if (launched instanceof LaunchedChild) child = launched;
      else if (launched.code !== "ELAUNCHER" || source) {
        (source ?? relay)?.destroy();
        return refused(launched);
      }
    }
    if (child === undefined) {
      // The host's terminal only to a child whose stdin is the host's (terminal.ts): the others get a pipe to it.
      const toTerminal = terminalSlots(plan.stdio);
      if (toTerminal.length > 0) stdio = (stdio as unknown[]).map((mode, slot) => (toTerminal.includes(slot) ? "pipe" : mode)) as StdioOptions;
      const pinned = pinCwd(plan.cwd);
      if ("error" in pinned) {
        (source ?? relay)?.destroy();
        return refused(Object.assign(new Error(pinned.error), { code: pinned.error }));
      }
      try {
        child = spawn(execution.file, execution.args, {
          argv0: execution.argv0,
          cwd: pinned.cwd,
          env: plan.env,
          // bubblewrap reads its seccomp filter from descriptor 3.
          stdio: execution.seccomp ? [...(stdio as unknown[]), "pipe"] as StdioOptions : stdio,
          shell: false,
          windowsHide: true,
          // setsid(): the child leads a new process group (and session), which
          // kill, a timeout and close() signal as a whole.
          detached: true,
        });
      } catch (error) {
        // Some refusals (E2BIG, EINVAL …) are thrown at once rather than emitted.
        pinned.release();
        (source ?? relay)?.destroy();
        return refused(error as NodeJS.ErrnoException);
      } finally {
        if (child !== undefined) pinned.release();
      }
      if (execution.seccomp) (child.stdio[SECCOMP_FD] as Writable | null)?.on("error", ignore).end(execution.seccomp);
      for (const slot of toTerminal) {
        const pipe = child.stdio[slot] as Readable | null;
        if (pipe) terminalFlushes.push(relayToTerminal(pipe, slot));
      }
      if (toTerminal.includes(1)) child.stdout = null;
      if (toTerminal.includes(2)) child.stderr = null;
      if (child.pid === undefined) {
        source?.destroy();
        relay?.destroy();
        const spawned = child;
        return refused(await new Promise<NodeJS.ErrnoException>((resolve) => spawned.once("error", resolve)));
      }
    }
    // The new child holds its own copy of a joined pipe; ours must close, or
    // the writer would never see its reader go (no SIGPIPE, no EOF upstream).
    source?.destroy();
    const started: ChildProcess | LaunchedChild = child;
    if (relay && started.stdin) {
      // Part of it was already read into the host: relay that and the rest.
      const sink = started.stdin;
      unhold(relay);
      relay.removeListener("readable", keepBuffered);
      sink.on("error", () => relay.destroy());
      relay.pipe(sink);
    }
    // A ChildProcess without a pid was refused above.
    const pid = started.pid as number;
    owner.groups.set(pid, graceMs);
    if (confinement) wrappers.add(pid);
    watchdog.register(pid, graceMs);
    (started as EventEmitter).on("error", ignore);
    for (const pipe of [started.stdin, started.stdout, started.stderr]) pipe?.on("error", ignore);
    const entry: ChildRecord = {
      handle: ++nextHandle,
      owner,
      command,
      pid,
      process: started,
      graceMs,
      limits,
      exit: null,
      exited: new Promise((resolve) => {
        (started as EventEmitter).once("exit", (code: number | null, signal: string | null) => {
          const exit = confinement ? programExit({ code, signal }) : { code, signal };
          const settle = () => {
            onExit(entry, exit);
            resolve(exit);
          };
          if (terminalFlushes.length === 0) settle();
          else void Promise.all(terminalFlushes.map((flush) => flush())).then(settle);
        });
      }),
      timedOut: false,
      released: false,
      timer: undefined,
    };
    if (limits.timeoutMs > 0) entry.timer = setTimeout(() => timeOut(entry), limits.timeoutMs);
    children.set(entry.handle, entry);
    owner.children.set(entry.handle, entry);
    return { ok: entry };
  }

  function timedOutError(child: ChildRecord, exit: ExitInfo): Result<never> {
    return {
      err: {
        code: "timed-out",
        message: `\`${child.command}\` (pid ${child.pid}) ran longer than the policy's timeoutMs of ${child.limits.timeoutMs} ms and was killed (${exit.signal ?? `exit code ${exit.code}`})`,
      },
    };
  }

  async function spawnChild(args: SpawnArgs): Promise<Result<SpawnedChild>> {
    // output()'s pipes are the host's to read to their end; these are the guest's to hold.
    const overPipes = pipeLimitError(ownerOf(args.owner), args);
    if (overPipes) return overPipes;
    const started = await start(args, args.plan.stdio.map((mode) => NODE_STDIO[mode]));
    if ("err" in started) return started;
    const child = started.ok;
    const { stdin, stdout, stderr } = child.process;
    if (stdin) matchPipeCapacity(stdin);
    // Still in the microtask after spawn: nothing can have been read yet.
    for (const stream of [stdout, stderr]) if (stream) holdUnread(stream);
    const flags = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT)).fill(RECLAIMED);
    const fds = [stdin, stdout, stderr].map((stream, slot) => (stream ? lendPipe(stream, flags, slot) : undefined));
    // A pipe still lent keeps its bytes in the OS pipe for the main thread's reads.
    void child.exited.then(() => [stdout, stderr].forEach((stream, index) => isLent(flags, index + 1) || readWhatIsLeft(stream)));
    // For about a turn after 'end' a Node stream is neither readable nor closed, and
    // preview2-shim's blocking-splice waits then for a 'readable' that never comes:
    // closing at 'end' (nothing is left to read) ends that window (bench/repro/splice-hang.mjs).
    for (const stream of [stdout, stderr]) stream?.once("end", () => stream.destroy());
    return {
      ok: {
        handle: child.handle,
        pid: child.pid,
        stdin: stdin ? trackPipe(child.owner, context.createWritableStream(stdin), { kind: "input", stream: stdin }) : undefined,
        stdout: stdout ? trackPipe(child.owner, context.createReadableStream(stdout), { kind: "output", stream: stdout }) : undefined,
        stderr: stderr ? trackPipe(child.owner, context.createReadableStream(stderr), { kind: "output", stream: stderr }) : undefined,
        lent: { fds, flags },
      },
    };
  }

  async function collectOutput(args: SpawnArgs): Promise<Result<CollectedOutput>> {
    const limit = args.limits.maxOutputBytes;
    const started = await start(args, args.plan.stdio.map((mode) => NODE_STDIO[mode]), limit);
    if ("err" in started) return started;
    const child = started.ok;
    const { stdin, stdout, stderr } = child.process;
    stdin?.end();
    let exceeded: string | undefined;
    const collect = (stream: Readable | null, name: string) => {
      const chunks: Buffer[] = [];
      let total = 0;
      stream?.on("data", (chunk: Buffer) => {
        total += chunk.byteLength;
        if (total <= limit) return void chunks.push(chunk);
        if (exceeded !== undefined) return;
        exceeded = name;
        // Stop reading at once (the rest is not wanted) and end the child's group.
        stdout?.destroy();
        stderr?.destroy();
        void endGroup(child.owner, child.pid, child.graceMs, child);
      });
      return () => new Uint8Array(Buffer.concat(chunks));
    };
    const collected = [collect(stdout, "stdout"), collect(stderr, "stderr")] as const;
    const streams = [stdout, stderr].filter((stream): stream is Readable => stream !== null);
    const [exit] = await Promise.all([child.exited, ...streams.map(closed)]);
    child.released = true;
    forgetRecord(child);
    if (child.timedOut) return timedOutError(child, exit);
    if (exceeded !== undefined) {
      return {
        err: {
          code: "limit-exceeded",
          message: `\`${args.command}\` wrote more than ${limit} bytes to ${exceeded} and was killed; the policy's maxOutputBytes is ${limit}`,
        },
      };
    }
    return { ok: { ...exit, stdout: collected[0](), stderr: collected[1]() } };
  }

  function status(handle: number): ChildState {
    const child = record(handle);
    return { running: child.exit === null, exit: child.exit };
  }

  async function wait(handle: number): Promise<Result<ExitInfo>> {
    const child = record(handle);
    const exit = await child.exited;
    return child.timedOut ? timedOutError(child, exit) : { ok: exit };
  }

  function kill(handle: number, signal: string): Result<null> {
    const child = record(handle);
    if (child.exit === null && signalTree(child.pid, signal as NodeJS.Signals)) return { ok: null };
    return {
      err: { code: "already-exited", message: `Cannot send ${signal} to \`${child.command}\` (pid ${child.pid}): it has already exited` },
    };
  }

  function release(handle: number, { untaken }: ReleaseOptions): null {
    for (const id of untaken) {
      const pipe = pipes.get(id);
      if (pipe?.kind === "output") drain(pipe.stream);
    }
    const child = children.get(handle);
    if (!child) return null;
    child.released = true;
    if (child.exit !== null) forgetRecord(child);
    else if (child.limits.killOnDrop && !child.owner.closed) void endGroup(child.owner, child.pid, child.graceMs, child);
    return null;
  }

  function exitFuture(handle: number): number {
    return context.createFuture(record(handle).exited.then(() => undefined));
  }

  function deferred(releases: [number, ReleaseOptions][], operation: Operation, args: unknown[]): unknown {
    for (const [handle, options] of releases) release(handle, options);
    return run(operation, args);
  }

  /**
   * write-zeroes into a child's stdin from one shared buffer of zeroes (the
   * shim allocates a new one per call). False, having written nothing, where
   * the shim must answer instead: the stream is not a child's open stdin, or
   * check-write did not permit `len` bytes; it then reports why.
   */
  function writeZeroes(id: number, len: number): boolean {
    const pipe = pipes.get(id);
    if (pipe?.kind !== "input") return false;
    const { stream } = pipe;
    if (stream.errored || stream.closed || stream.writableEnded) return false;
    if (len > stream.writableHighWaterMark - stream.writableLength) return false;
    for (let left = len; left > 0; left -= ZEROES.byteLength) stream.write(ZEROES.subarray(0, Math.min(left, ZEROES.byteLength)));
    return true;
  }

  /** Lends a child's stdin to the guest's thread again once it has written all it was given (lent-writes.ts); false otherwise. */
  function lendStdinAgain(id: number): boolean {
    const pipe = pipes.get(id);
    if (pipe?.kind !== "input") return false;
    const { stream } = pipe;
    if (stream.errored || stream.destroyed || stream.writableEnded || stream.writableLength > 0) return false;
    return lendAgain(stream);
  }

  function dropPipe(id: number): null {
    pipes.get(id)?.stream.destroy();
    return null;
  }

  async function closeOwner(id: number, graceMs: number): Promise<null> {
    const owner = owners.get(id);
    if (!owner) return null;
    owner.closed = true;
    const leaders = new Map([...owner.children.values()].map((child) => [child.pid, child] as const));
    await Promise.all([...owner.groups.keys()].map((pgid) => endGroup(owner, pgid, graceMs, leaders.get(pgid))));
    for (const pipe of pipes.values()) if (pipe.owner === owner) pipe.stream.destroy();
    for (const child of owner.children.values()) {
      clearTimeout(child.timer);
      if (child.released && child.exit !== null) forgetRecord(child);
    }
    forgetOwnerIfDone(owner);
    return null;
  }

  /** Answers the embedding host's thread (see control.ts) for the instance thread `token`. */
  function control(token: string): null {
    listenForControl(token, {
      async stop(graceMs) {
        stopped = true;
        await Promise.all([...owners.keys()].map((id) => closeOwner(id, graceMs)));
        await launcher.shutdown();
      },
      liveChildren: () => [...owners.keys()].flatMap(liveChildren),
    });
    return null;
  }

  function liveChildren(id: number): number[] {
    const owner = owners.get(id);
    return owner ? [...owner.children.values()].filter((child) => child.exit === null).map((child) => child.pid) : [];
  }

  function stats({ collectGarbage }: { collectGarbage: boolean }): SpawnerStats {
    if (collectGarbage) collectWorkerGarbage();
    let groups = 0;
    for (const owner of owners.values()) groups += owner.groups.size;
    return {
      children: children.size, owners: owners.size, pipes: pipes.size, groups, heapUsed: process.memoryUsage().heapUsed,
      launcher: launcher.ready ? launcher.pid : undefined,
    };
  }

  const operations: { [K in Operation]: (...args: Operations[K][0]) => Operations[K][1] | Promise<Operations[K][1]> } = {
    spawn: spawnChild,
    output: collectOutput,
    status,
    exitFuture,
    wait,
    kill,
    release,
    deferred,
    writeZeroes,
    lendStdinAgain,
    dropPipe,
    closeOwner,
    liveChildren,
    control,
    serveWatchdog: () => (serveWatchdog(ownWatchdog), null),
    ping: () => null,
    lentPipeBlocking: setLentPipeBlocking,
    stats,
  };

  function run(operation: string, args: unknown[]): unknown {
    const perform = operations[operation as Operation] as ((...a: unknown[]) => unknown) | undefined;
    if (!perform) throw new Error(`host-process: unknown spawner operation ${operation}`);
    if (operation !== "serveWatchdog") launcher.start();
    return perform(...args);
  }

  return run;
}
