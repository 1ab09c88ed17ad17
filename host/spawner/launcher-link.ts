/**
 * The spawner's end of the launcher (launcher.ts): starts it in the
 * background, starts children through it once it has said it is ready, and
 * turns its replies into objects shaped like Node's ChildProcess (pid, stdio
 * streams, 'exit'). Until it is ready, or if it cannot run, the spawner
 * starts children itself. If it dies, the children it started are killed
 * (their exits could no longer be learnt) and a new one is started.
 * Never throws.
 */
import { fork, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { PassThrough, type Readable, type Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { SpawnPlan } from "../policy.js";
import { signalGroup } from "./groups.js";
import type { LaunchReply, LaunchRequest } from "./launch-protocol.js";
import { stopReadAhead } from "./read-ahead.js";

const LAUNCHER_SCRIPT = fileURLToPath(new URL("./launcher.js", import.meta.url));
/** A launcher that dies sooner than this after its start would die again: give up on it. */
const RESTART_AFTER_MS = 1000;

/** A child the launcher started, as the spawner uses a ChildProcess: `pid`, its pipes, and 'exit' (code, signal). */
export class LaunchedChild extends EventEmitter {
  stdin: Writable | null = null;
  stdout: Readable | null = null;
  stderr: Readable | null = null;

  constructor(readonly pid: number) {
    super();
  }
}

interface Launch {
  settle(result: LaunchedChild | NodeJS.ErrnoException): void;
  child?: LaunchedChild;
  /** Pipes announced and not yet arrived. */
  awaiting: number;
  /** Slots whose pipes come as handles. */
  handed: boolean[];
  /** Slots whose bytes the launcher relays (output()). */
  relayed: boolean[];
}

function launchError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(code), { code });
}

export class LauncherLink {
  #process: ChildProcess | undefined;
  #ready = false;
  #unavailable = false;
  #nextId = 0;
  readonly #launches = new Map<number, Launch>();
  readonly #running = new Map<number, LaunchedChild>();
  /** Relayed output streams not yet ended (they may end after the child's exit), by launch id and slot. */
  readonly #relays = new Map<number, (PassThrough | undefined)[]>();

  /** The launcher's pid, while it runs. */
  get pid(): number | undefined {
    return this.#process?.pid;
  }

  /** Resolves once the launcher is ready, or is known unable to run (then `ready` stays false). */
  whenSettled(): Promise<void> {
    if (this.#ready || this.#unavailable || !this.#process) return Promise.resolve();
    return new Promise((resolve) => this.#settledWaiters.push(resolve));
  }

  readonly #settledWaiters: (() => void)[] = [];

  #settle(): void {
    for (const resolve of this.#settledWaiters.splice(0)) resolve();
  }

  /** Whether children can be started through the launcher now. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Starts the launcher if it is not running (it is ready a few tens of milliseconds later). */
  start(): void {
    if (this.#process || this.#unavailable) return;
    let launcher: ChildProcess;
    try {
      launcher = fork(LAUNCHER_SCRIPT, [], {
        // Its own session: a Ctrl-C meant for the host does not end it (it ends with the host's channel).
        detached: true,
        execArgv: [],
        // An empty environment: the host's variables are not readable in /proc/<launcher>/environ.
        env: {},
        // Children with inherited stdio get the host's own streams.
        stdio: ["inherit", "inherit", "inherit", "ipc"],
        // Relayed output travels as bytes, not as JSON.
        serialization: "advanced",
      });
    } catch {
      this.#unavailable = true;
      this.#settle();
      return;
    }
    this.#process = launcher;
    const startedAt = Date.now();
    launcher.on("error", () => {});
    launcher.on("message", (reply: LaunchReply, handle?: Socket) => this.#receive(reply, handle));
    launcher.once("exit", () => this.#lost(launcher, startedAt));
    // The launcher must never keep the host alive.
    launcher.unref();
    (launcher.channel as { unref?: () => void } | undefined)?.unref?.();
  }

  /**
   * Starts `plan` through the launcher; a `stdinSource` pipe goes along to
   * become the child's stdin. With `relayOutputUpTo` (for output()), the
   * launcher reads stdout and stderr itself and their bytes arrive in the
   * child's `stdout`/`stderr` streams here; its stdin is closed.
   */
  launch(plan: SpawnPlan, stdinSource?: Readable, relayOutputUpTo?: number, fd3?: Uint8Array, graceMs = 0): Promise<LaunchedChild | NodeJS.ErrnoException> {
    const launcher = this.#process;
    if (!launcher || !this.#ready) return Promise.resolve(launchError("ELAUNCHER"));
    const id = ++this.#nextId;
    const request: LaunchRequest = {
      id, file: plan.file, args: plan.args, argv0: plan.argv0, cwd: plan.cwd, env: plan.env, stdio: plan.stdio,
      stdinFrom: stdinSource !== undefined, relayOutputUpTo, fd3, graceMs,
    };
    const piped = plan.stdio.map((mode) => mode === "piped");
    const relaying = relayOutputUpTo !== undefined;
    return new Promise((settle) => {
      this.#launches.set(id, {
        settle,
        awaiting: 0,
        handed: piped.map((isPiped) => isPiped && !relaying),
        relayed: piped.map((isPiped, slot) => isPiped && relaying && slot > 0),
      });
      try {
        launcher.send(request, stdinSource as Socket | undefined, (error: Error | null) => {
          if (error) this.#fail(id, launchError("ELAUNCHER"));
        });
      } catch {
        this.#fail(id, launchError("ELAUNCHER"));
      }
    });
  }

  #fail(id: number, error: NodeJS.ErrnoException): void {
    const launch = this.#launches.get(id);
    if (!launch) return;
    this.#launches.delete(id);
    if (launch.child) {
      // Started, but not all of it arrived: it cannot be handed over whole.
      signalGroup(launch.child.pid, "SIGKILL");
      for (const pipe of [launch.child.stdin, launch.child.stdout, launch.child.stderr]) pipe?.destroy();
      this.#running.delete(id);
      for (const stream of this.#relays.get(id) ?? []) stream?.end();
      this.#relays.delete(id);
    }
    launch.settle(error);
  }

  #receive(reply: LaunchReply, handle: Socket | undefined): void {
    if ("ready" in reply) {
      this.#ready = true;
      this.#settle();
      return;
    }
    if ("exit" in reply) {
      const child = this.#running.get(reply.id);
      this.#running.delete(reply.id);
      // A quick child's exit can come in the same read as its pid: 'exit' waits until the spawner, resumed
      // by the launch's promise, listens for it.
      if (child) setImmediate(() => child.emit("exit", reply.exit.code, reply.exit.signal));
      return;
    }
    if ("data" in reply || "end" in reply) {
      const relays = this.#relays.get(reply.id);
      const stream = relays?.[reply.slot];
      if ("end" in reply && relays) {
        relays[reply.slot] = undefined;
        if (relays.every((relay) => relay === undefined)) this.#relays.delete(reply.id);
      }
      if (!stream || stream.destroyed) return;
      if ("data" in reply) stream.write(reply.data);
      else stream.end();
      return;
    }
    const launch = this.#launches.get(reply.id);
    if (!launch) {
      handle?.destroy();
      return;
    }
    if ("handed" in reply) {
      // Still awaited: a pipe was lost on the way, most likely for want of a descriptor here.
      if (launch.awaiting > 0) this.#fail(reply.id, launchError("EMFILE"));
      return;
    }
    if ("error" in reply) {
      this.#launches.delete(reply.id);
      launch.settle(launchError(reply.error));
      return;
    }
    if ("pid" in reply) {
      launch.child = new LaunchedChild(reply.pid);
      this.#running.set(reply.id, launch.child);
      launch.awaiting = reply.pipes.filter(Boolean).length;
      if (reply.pipes.some((handed, slot) => handed !== launch.handed[slot])) return this.#fail(reply.id, launchError("ELAUNCHER"));
      if (launch.relayed.some(Boolean)) {
        const relays = launch.relayed.map((relayed) => (relayed ? new PassThrough() : undefined));
        this.#relays.set(reply.id, relays);
        launch.child.stdout = relays[1] ?? null;
        launch.child.stderr = relays[2] ?? null;
      }
    } else if ("slot" in reply && launch.child) {
      if (!handle) return this.#fail(reply.id, launchError("ELAUNCHER"));
      // Every byte is the guest's: the spawner decides when to read.
      stopReadAhead(handle);
      if (reply.slot === 0) launch.child.stdin = handle;
      else if (reply.slot === 1) launch.child.stdout = handle;
      else launch.child.stderr = handle;
      launch.awaiting--;
    }
    if (launch.child && launch.awaiting === 0) {
      this.#launches.delete(reply.id);
      launch.settle(launch.child);
    }
  }

  /**
   * Ends the launcher for good and waits until it has exited and been reaped
   * (an instance thread's own launcher, before the thread ends: a process
   * whose starting thread is gone would stay a zombie of the host).
   */
  shutdown(): Promise<void> {
    this.#unavailable = true;
    const launcher = this.#process;
    if (!launcher || launcher.exitCode !== null || launcher.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      launcher.once("exit", () => resolve());
      // Its channel closing ends it (and any child it still holds).
      launcher.disconnect();
    });
  }

  /** The launcher is gone: its children's exits can no longer be learnt, so they are ended now. */
  #lost(launcher: ChildProcess, startedAt: number): void {
    if (this.#process !== launcher) return;
    this.#process = undefined;
    this.#ready = false;
    for (const id of [...this.#launches.keys()]) this.#fail(id, launchError("ELAUNCHER"));
    for (const child of this.#running.values()) {
      signalGroup(child.pid, "SIGKILL");
      setImmediate(() => child.emit("exit", null, "SIGKILL"));
    }
    this.#running.clear();
    for (const relays of this.#relays.values()) for (const stream of relays) stream?.end();
    this.#relays.clear();
    if (Date.now() - startedAt < RESTART_AFTER_MS) this.#unavailable = true;
    else this.start();
    if (this.#unavailable || !this.#process) this.#settle();
  }
}
