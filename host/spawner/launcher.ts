/**
 * The launcher: a small Node process that starts children on the spawner's
 * behalf, so that each `fork()` copies this small process and not the host,
 * whose size (a componentize-js guest holds 110–160 MiB) makes every spawn
 * slower. It sends back each child's pid, its pipes (as handles over the IPC
 * channel, after which they are the spawner's alone) and its exit status.
 * Nothing else: policy, process groups, limits and the watchdog stay with the
 * spawner, which signals a child's group itself.
 *
 * Run as `node launcher.js` by launcher-link.ts, in its own session; it exits
 * when the spawner's end of the channel closes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import type { Socket } from "node:net";
import type { StdioMode } from "../policy.js";
import type { LaunchReply, LaunchRequest } from "./launch-protocol.js";
import { endGroupsAfterGrace } from "./groups.js";
import { closeInheritedDescriptors } from "./inherited-descriptors.js";
import { pinCwd } from "./pinned-cwd.js";
import { stopReadAhead } from "./read-ahead.js";
import { relayToTerminal, terminalSlots } from "./terminal.js";

// Descriptors the host inherited from its own parent must not reach children: keep only 0-2 and the channel (3).
closeInheritedDescriptors([3]);
// A pipe the host could not take is reported to the host (the `handed` reply), not as a warning on its stderr.
process.removeAllListeners("warning");

/** Every child started and not yet exited, with its grace: if the host goes (even by SIGKILL), they go with it. */
const running = new Map<number, number>();

const NODE_STDIO: Record<StdioMode, "pipe" | "ignore" | "inherit"> = { piped: "pipe", null: "ignore", inherit: "inherit" };

function send(reply: LaunchReply, handle?: Socket): void {
  // The host may be gone between the check and the write (EPIPE): its channel's
  // 'disconnect' ends what this started; the error must not end this process first.
  if (process.connected) process.send?.(reply, handle, {}, () => {});
}

/** Set when the host's channel closes: a request still buffered behind it must not start anything. */
let hostGone = false;

function launch(request: LaunchRequest, stdinSource: Socket | undefined): void {
  const { id } = request;
  if (hostGone || !process.connected) {
    stdinSource?.destroy();
    return;
  }
  const stdio: (string | Socket)[] = request.stdio.map((mode) => NODE_STDIO[mode]);
  // The host's terminal only to a child whose stdin is the host's: the others get a pipe to it.
  const toTerminal = terminalSlots(request.stdio);
  for (const slot of toTerminal) stdio[slot] = "pipe";
  if (request.stdinFrom) {
    if (!stdinSource) return send({ id, error: "the stdin-from pipe did not arrive" });
    stdio[0] = stdinSource;
  }
  if (request.fd3) stdio.push("pipe");
  const pinned = pinCwd(request.cwd);
  if ("error" in pinned) {
    stdinSource?.destroy();
    return send({ id, error: pinned.error });
  }
  let child: ChildProcess;
  try {
    child = spawn(request.file, request.args, {
      argv0: request.argv0,
      cwd: pinned.cwd,
      env: request.env,
      stdio: stdio as never,
      shell: false,
      windowsHide: true,
      detached: true,
    });
  } catch (error) {
    pinned.release();
    stdinSource?.destroy();
    return send({ id, error: (error as NodeJS.ErrnoException).code ?? (error as Error).message });
  }
  // The child has changed into it (or failed to start): the launcher's descriptor is not needed.
  pinned.release();
  // The child has its own copy of a joined pipe.
  stdinSource?.destroy();
  if (request.fd3) (child.stdio[3] as Socket | null)?.on("error", () => {}).end(Buffer.from(request.fd3));
  child.on("error", () => {});
  if (child.pid === undefined) {
    child.once("error", (error: NodeJS.ErrnoException) => send({ id, error: error.code ?? error.message }));
    return;
  }
  const pipes = [child.stdin, child.stdout, child.stderr] as (Socket | null)[];
  const flushes = toTerminal.map((slot) => {
    const flush = relayToTerminal(pipes[slot]!, slot);
    pipes[slot] = null;
    return flush;
  });
  if (request.relayOutputUpTo !== undefined) {
    pipes[0]?.end();
    pipes[0] = null;
    for (const slot of [1, 2]) {
      const pipe = pipes[slot];
      if (pipe) relay(id, slot, pipe, request.relayOutputUpTo);
      pipes[slot] = null;
    }
  }
  // The pipes stay unread here: their bytes are the spawner's.
  for (const pipe of pipes.slice(1)) if (pipe) stopReadAhead(pipe);
  // Node would close the stdin and drain the outputs of an exited child: they are on their way to the spawner.
  child.stdin = null;
  child.stdout = null;
  child.stderr = null;
  for (let slot = 0; slot < child.stdio.length; slot++) (child.stdio as unknown[])[slot] = null;
  const pid = child.pid;
  // Recorded before anything else can happen: a host that dies from now on takes this child with it.
  running.set(pid, request.graceMs);
  send({ id, pid, pipes: pipes.map((pipe) => pipe !== null) });
  pipes.forEach((pipe, slot) => pipe && send({ id, slot }, pipe));
  // Queued by Node behind the pipes until each was taken or given up on.
  if (pipes.some(Boolean)) send({ id, handed: true });
  child.once("exit", (code, signal) => {
    running.delete(pid);
    // What it wrote to the terminal comes before its exit, as it would without the pipe.
    const report = () => send({ id, exit: { code, signal } });
    if (flushes.length === 0) report();
    else void Promise.all(flushes.map((flush) => flush())).then(report);
  });
}

/** Sends a child's output as it comes, up to `limit` + 1 bytes; then stops reading (the spawner ends the child). */
function relay(id: number, slot: number, pipe: Socket, limit: number): void {
  let sent = 0;
  pipe.on("data", (chunk: Buffer) => {
    const room = limit + 1 - sent;
    const data = chunk.byteLength > room ? chunk.subarray(0, room) : chunk;
    sent += data.byteLength;
    send({ id, slot, data });
    if (sent > limit) pipe.destroy();
  });
  pipe.on("error", () => {});
  pipe.on("close", () => send({ id, slot, end: true }));
}

process.on("message", (request: LaunchRequest, handle?: Socket) => launch(request, handle));
// The channel closes when the host exits, however (SIGKILL included): the children it may not have registered
// with its watchdog yet are ended here (each leads its own process group).
process.on("disconnect", () => {
  hostGone = true;
  endGroupsAfterGrace(running, 50, () => process.exit(0));
});
send({ ready: true });
