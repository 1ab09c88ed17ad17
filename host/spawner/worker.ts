/**
 * The spawner: runs inside preview2-shim's I/O worker (loaded there through
 * `callExtension`), owns every child process and its pipes, and registers the
 * pipes as ordinary `wasi:io` streams and the exit as a `wasi:io` future.
 *
 * Nothing here may throw from an event handler: the shim's worker turns an
 * uncaught exception into a failure of every later I/O call.
 */
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import type { Readable } from "node:stream";
import type { WorkerExtensionContext } from "@bytecodealliance/preview2-shim/io-worker";
import type { StdioMode } from "../policy.js";
import type {
  ChildState, CollectedOutput, ExitInfo, Operation, Operations, Result, SpawnArgs, SpawnedChild,
} from "./protocol.js";

interface ChildRecord {
  owner: number;
  command: string;
  process: ChildProcess;
  exit: ExitInfo | null;
  exited: Promise<ExitInfo>;
}

const NODE_STDIO: Record<StdioMode, "pipe" | "ignore" | "inherit"> = {
  piped: "pipe",
  null: "ignore",
  inherit: "inherit",
};

function keepBuffered(): void {
  // A 'readable' listener keeps the pipe paused and owned: Node resumes (and so
  // discards) the unread stdio of an exited child unless someone listens.
}

export default function createSpawner(context: WorkerExtensionContext) {
  const children = new Map<number, ChildRecord>();
  let nextHandle = 0;

  function record(handle: number): ChildRecord {
    const found = children.get(handle);
    if (!found) throw new Error(`host-process: no child with handle ${handle}`);
    return found;
  }

  function ownedBy(owner: number): [number, ChildRecord][] {
    return [...children].filter(([, child]) => child.owner === owner);
  }

  /** Spawns the plan; settles once the OS has started the program or refused to. */
  async function start(args: SpawnArgs, stdio: StdioOptions): Promise<Result<[number, ChildRecord]>> {
    const { owner, command, plan, maxProcesses } = args;
    const running = ownedBy(owner).filter(([, child]) => child.exit === null).length;
    if (running >= maxProcesses) {
      return {
        err: {
          code: "limit-exceeded",
          message: `Cannot start \`${command}\`: ${running} children are running, the policy's maxProcesses is ${maxProcesses}`,
        },
      };
    }
    const refused = (error: NodeJS.ErrnoException): Result<never> => ({
      err: { code: "spawn-failed", message: `Cannot start \`${command}\` (${plan.file}): ${error.code ?? error.message}` },
    });
    let child: ChildProcess;
    try {
      child = spawn(plan.file, plan.args, {
        argv0: plan.argv0,
        cwd: plan.cwd,
        env: plan.env,
        stdio,
        shell: false,
        windowsHide: true,
      });
    } catch (error) {
      // Some refusals (E2BIG, EINVAL …) are thrown at once rather than emitted.
      return refused(error as NodeJS.ErrnoException);
    }
    if (child.pid === undefined) {
      return refused(await new Promise<NodeJS.ErrnoException>((resolve) => child.once("error", resolve)));
    }
    child.on("error", () => {
      // kill() failures surface through kill's return value; nothing to do here.
    });
    child.stdin?.on("error", () => {
      // EPIPE after the child exits reaches the guest as a stream error.
    });
    const entry: ChildRecord = {
      owner,
      command,
      process: child,
      exit: null,
      exited: new Promise((resolve) => {
        child.once("exit", (code, signal) => {
          entry.exit = { code, signal };
          resolve(entry.exit);
        });
      }),
    };
    const handle = ++nextHandle;
    children.set(handle, entry);
    return { ok: [handle, entry] };
  }

  /** SIGTERM now, SIGKILL after the grace period; settles when the child has exited. */
  function terminate(child: ChildRecord, graceMs: number): Promise<ExitInfo> {
    if (child.exit === null) {
      child.process.kill("SIGTERM");
      const escalate = setTimeout(() => {
        if (child.exit === null) child.process.kill("SIGKILL");
      }, graceMs);
      void child.exited.then(() => clearTimeout(escalate));
    }
    return child.exited;
  }

  async function spawnChild(args: SpawnArgs): Promise<Result<SpawnedChild>> {
    const started = await start(args, args.plan.stdio.map((mode) => NODE_STDIO[mode]));
    if ("err" in started) return started;
    const [handle, { process: child, exited }] = started.ok;
    // Still in the microtask after spawn: no exit event can have run yet.
    for (const stream of [child.stdout, child.stderr]) stream?.on("readable", keepBuffered);
    return {
      ok: {
        handle,
        pid: child.pid as number,
        stdin: child.stdin ? context.createWritableStream(child.stdin) : undefined,
        stdout: child.stdout ? context.createReadableStream(child.stdout) : undefined,
        stderr: child.stderr ? context.createReadableStream(child.stderr) : undefined,
        exitFuture: context.createFuture(exited.then(() => undefined)),
      },
    };
  }

  async function collectOutput(args: SpawnArgs): Promise<Result<CollectedOutput>> {
    const started = await start(args, args.plan.stdio.map((mode) => NODE_STDIO[mode]));
    if ("err" in started) return started;
    const [handle, { process: child }] = started.ok;
    child.stdin?.end();
    const collect = (stream: Readable | null) => {
      const chunks: Buffer[] = [];
      stream?.on("data", (chunk: Buffer) => chunks.push(chunk));
      return () => new Uint8Array(Buffer.concat(chunks));
    };
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
      child.once("close", (c, s) => resolve([c, s])),
    );
    children.delete(handle);
    return { ok: { code, signal, stdout: stdout(), stderr: stderr() } };
  }

  function status(handle: number): ChildState {
    const child = record(handle);
    return { running: child.exit === null, exit: child.exit };
  }

  function kill(handle: number, signal: string): Result<null> {
    const child = record(handle);
    if (child.exit === null && child.process.kill(signal as NodeJS.Signals)) return { ok: null };
    return {
      err: { code: "already-exited", message: `Cannot send ${signal} to \`${child.command}\` (pid ${child.process.pid}): it has already exited` },
    };
  }

  function release(handle: number, { graceMs }: { graceMs: number }): null {
    const child = children.get(handle);
    if (child) void terminate(child, graceMs).then(() => children.delete(handle));
    return null;
  }

  /** Ends every child of an instance; the records stay until their handles are released. */
  async function closeOwner(owner: number, graceMs: number): Promise<null> {
    await Promise.all(ownedBy(owner).map(([, child]) => terminate(child, graceMs)));
    return null;
  }

  function liveChildren(owner: number): number[] {
    return ownedBy(owner)
      .filter(([, child]) => child.exit === null)
      .map(([, child]) => child.process.pid as number);
  }

  const operations: { [K in Operation]: (...args: Operations[K][0]) => Operations[K][1] | Promise<Operations[K][1]> } = {
    spawn: spawnChild,
    output: collectOutput,
    status,
    wait: (handle) => record(handle).exited,
    kill,
    release,
    closeOwner,
    liveChildren,
  };

  return (operation: string, args: unknown[]): unknown => {
    const run = operations[operation as Operation] as ((...a: unknown[]) => unknown) | undefined;
    if (!run) throw new Error(`host-process: unknown spawner operation ${operation}`);
    return run(...args);
  };
}
