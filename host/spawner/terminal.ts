/**
 * The host's terminal stays out of a child's hands unless its stdin is the
 * host's: a terminal's descriptor reads as well as writes (the one the host
 * got on 1 and 2 is open read-write), so a child handed it as stdout or
 * stderr could read the keyboard through it, and reopen it by
 * `/proc/self/fd/2` or `/dev/stderr`. Such a child gets a pipe instead, whose
 * bytes the spawner (or launcher) copies to the terminal as they come. The
 * child then sees a pipe, not a terminal (`isatty` is false: no colours, no
 * columns).
 */
import { createWriteStream, readSync } from "node:fs";
import type { Readable } from "node:stream";
import { isatty } from "node:tty";
import type { StdioMode } from "../policy.js";

/** At most what a socket pair's buffers hold (about 2 × 208 KiB by default), with room. */
const FLUSH_LIMIT = 4 * 1024 * 1024;

/** The output slots (1, 2) whose inherited stream would hand the child a terminal it may not read. */
export function terminalSlots(stdio: readonly StdioMode[]): number[] {
  // Given the keyboard as its stdin, it may as well have the terminal.
  if (stdio[0] === "inherit" && isatty(0)) return [];
  return [1, 2].filter((slot) => stdio[slot] === "inherit" && isatty(slot));
}

/**
 * Copies a child's output pipe to this process's descriptor `fd` (the
 * terminal) until the pipe ends; the descriptor stays open. A terminal slower
 * than the child holds the pipe, and so the child, as the terminal itself
 * would. Returns `flush`, for the child's exit: it copies what the pipe holds
 * now (all the child wrote, as it has exited) and settles once that is on the
 * terminal, so that its exit is reported after its output, as without the
 * pipe. A process the child left behind may write later.
 */
export function relayToTerminal(pipe: Readable, fd: number): () => Promise<void> {
  const terminal = createWriteStream("", { fd, autoClose: false });
  terminal.on("error", () => pipe.destroy());
  pipe.on("error", () => {});
  const copy = (chunk: Buffer) => {
    if (terminal.write(chunk)) return;
    pipe.pause();
    terminal.once("drain", () => pipe.resume());
  };
  pipe.on("data", copy);
  return () => {
    // What the host holds first (read ahead, or held back by a slow terminal), then what is still in the OS pipe.
    pipe.removeListener("data", copy);
    for (let chunk = pipe.read() as Buffer | null; chunk !== null; chunk = pipe.read() as Buffer | null) terminal.write(chunk);
    // Bounded: a process the child left behind may keep the pipe full for ever.
    let copied = 0;
    for (let chunk = readNow(pipe); chunk !== undefined; chunk = copied < FLUSH_LIMIT ? readNow(pipe) : undefined) {
      terminal.write(chunk);
      copied += chunk.byteLength;
    }
    pipe.on("data", copy);
    pipe.resume();
    return new Promise((resolve) => (terminal.destroyed ? resolve() : terminal.write(Buffer.alloc(0), () => resolve())));
  };
}

/** What the OS pipe under `pipe` holds right now, without waiting (it is non-blocking); undefined when empty. */
function readNow(pipe: Readable): Buffer | undefined {
  const fd = (pipe as Readable & { _handle?: { fd?: number } | null })._handle?.fd;
  if (fd === undefined || fd < 0) return undefined;
  const chunk = Buffer.allocUnsafe(65536);
  try {
    const read = readSync(fd, chunk);
    return read > 0 ? chunk.subarray(0, read) : undefined;
  } catch {
    return undefined; // EAGAIN: empty.
  }
}
