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
import { createWriteStream } from "node:fs";
import type { Readable } from "node:stream";
import { isatty } from "node:tty";
import type { StdioMode } from "../policy.js";

/** The output slots (1, 2) whose inherited stream would hand the child a terminal it may not read. */
export function terminalSlots(stdio: readonly StdioMode[]): number[] {
  if (stdio[0] === "inherit") return [];
  return [1, 2].filter((slot) => stdio[slot] === "inherit" && isatty(slot));
}

/**
 * Copies a child's output pipe to this process's descriptor `fd` (the
 * terminal) until the pipe ends; the descriptor stays open. A terminal slower
 * than the child holds the pipe, and so the child, as the terminal itself
 * would.
 */
export function relayToTerminal(pipe: Readable, fd: number): void {
  const terminal = createWriteStream("", { fd, autoClose: false });
  terminal.on("error", () => pipe.destroy());
  pipe.on("error", () => {});
  pipe.pipe(terminal);
}
