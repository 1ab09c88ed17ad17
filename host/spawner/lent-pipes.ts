/**
 * Pipes lent to the main thread: the main thread reads or writes a child's
 * pipe's file descriptor itself, one system call and no round trip to this
 * worker, for as long as this worker leaves the pipe alone. The first time
 * this worker would touch the pipe (a read, a write, a shutdown, a close: the
 * guest's `subscribe`, non-blocking `write`, `splice`, a drop, a child's exit
 * …) it takes the pipe back: non-blocking, and its flag in shared memory says
 * so before a byte moves.
 *
 * The flag is a small lock. The main thread turns LENT into BUSY for each
 * system call and back afterwards; a reclaim that finds the pipe BUSY (only
 * this worker's own events can, such as Node closing a child's stdin at its
 * exit) marks it and waits until the main thread's call has returned. So a
 * byte is never read by both, and the main thread never uses a descriptor
 * after this worker has closed it.
 */
export const LENT = 0;
export const RECLAIMED = 1;
/** The main thread is in a system call on the pipe. */
export const BUSY = 2;
/** The main thread is in a system call and this worker wants the pipe back. */
export const BUSY_RECLAIMING = 3;

/** How often a reclaim that found the pipe busy looks again. */
const RECLAIM_POLL_MS = 1;

/** The libuv stream handle under a Node socket, as far as lending needs it. */
interface StreamHandle {
  fd: number;
  setBlocking(blocking: boolean): number;
  [method: string]: unknown;
}

/** Handle methods a pipe cannot be lent without (reading, writing a buffer, ending, closing). */
const REQUIRED_ACTIONS = ["readStart", "writeBuffer", "writev", "shutdown", "close"] as const;

/** Handle methods after which the pipe is this worker's again. */
const WORKER_ACTIONS = [
  "readStart", "writeBuffer", "writev", "writeUtf8String", "writeLatin1String", "writeAsciiString", "writeUcs2String",
  "shutdown", "close",
] as const;

/** Pipes lent right now, by descriptor (an entry goes before the worker touches the pipe again). */
const lentEnds = new Map<number, StreamHandle>();

/**
 * Makes a lent pipe blocking, or non-blocking again, for one blocking read or
 * write of the main thread that found it empty or full; false if it is not
 * lent (any more).
 */
export function setLentPipeBlocking(fd: number, blocking: boolean): boolean {
  const handle = lentEnds.get(fd);
  return handle !== undefined && handle.setBlocking(blocking) === 0;
}

/** How to lend each pipe again once this worker has taken it back, by its Node stream (see `lendAgain`). */
const lenders = new WeakMap<object, () => boolean>();

/**
 * Lends a pipe this worker took back to the main thread again; false if it
 * was never lent, is closed, or is this worker's still. The caller makes sure
 * that this worker has nothing of its own left to write or read on it.
 */
export function lendAgain(stream: object): boolean {
  return lenders.get(stream)?.() ?? false;
}

/**
 * Lends the pipe under `stream` to the main thread, its state in slot `slot`
 * of `flags`; returns its descriptor, or undefined when it cannot be lent.
 * It stays non-blocking: the main thread's non-blocking reads and writes need
 * it so, and its blocking ones wait on their own (lent-io.ts).
 */
export function lendPipe(stream: object, flags: Int32Array, slot: number): number | undefined {
  const handle = (stream as { _handle?: StreamHandle | null })._handle;
  if (!handle || typeof handle.setBlocking !== "function" || typeof handle.fd !== "number" || handle.fd < 0) return undefined;
  // Lending is safe only if every way this worker reads, writes or closes the pipe can be seen: a Node whose
  // handles lack one of these (these are Node 20–24's) keeps its pipes in the worker.
  if (!REQUIRED_ACTIONS.every((name) => typeof handle[name] === "function")) return undefined;
  const fd = handle.fd;
  let closed = false;
  const lend = (): boolean => {
    if (closed || Atomics.load(flags, slot) !== RECLAIMED) return false;
    lentEnds.set(fd, handle);
    Atomics.store(flags, slot, LENT);
    return true;
  };
  Atomics.store(flags, slot, RECLAIMED);
  lend();
  lenders.set(stream, lend);

  /**
   * Takes the pipe back, then runs `action` (at once, unless the main thread is in a system call on it).
   * A close leaves the blocking mode alone: it belongs to the open file, which a child may share (stdin-from).
   */
  const reclaim = (action: () => unknown, closing: boolean): unknown => {
    const toWorker = () => {
      if (lentEnds.get(fd) === handle) lentEnds.delete(fd);
      if (!closing) handle.setBlocking(false);
    };
    for (;;) {
      const state = Atomics.compareExchange(flags, slot, LENT, RECLAIMED);
      if (state === LENT) {
        toWorker();
        return action();
      }
      if (state === RECLAIMED) return action();
      if (state === BUSY && Atomics.compareExchange(flags, slot, BUSY, BUSY_RECLAIMING) !== BUSY) continue;
      const whenReturned = () => {
        if (Atomics.load(flags, slot) !== RECLAIMED) return void setTimeout(whenReturned, RECLAIM_POLL_MS);
        toWorker();
        action();
      };
      whenReturned();
      return 0;
    }
  };
  for (const name of WORKER_ACTIONS) {
    const method = handle[name];
    if (typeof method !== "function") continue;
    handle[name] = function (this: unknown, ...args: unknown[]) {
      if (name === "close") closed = true;
      return reclaim(() => (method as (...a: unknown[]) => unknown).apply(this, args), name === "close");
    };
  }
  return fd;
}

/** Whether the pipe is still lent to the main thread (perhaps in a system call on it right now). */
export function isLent(flags: Int32Array, slot: number): boolean {
  return Atomics.load(flags, slot) !== RECLAIMED;
}

/** The main thread's side: takes the lent pipe for one system call; false when it is not lent (any more). */
export function borrow(flags: Int32Array, slot: number): boolean {
  return Atomics.compareExchange(flags, slot, LENT, BUSY) === LENT;
}

/** The main thread's side: the system call has returned; the pipe is lent again, unless the worker asked for it. */
export function giveBack(flags: Int32Array, slot: number): void {
  if (Atomics.compareExchange(flags, slot, BUSY, LENT) !== BUSY) Atomics.store(flags, slot, RECLAIMED);
}
