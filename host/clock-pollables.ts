/**
 * `wasi:clocks/monotonic-clock`'s pollables kept on the guest's own thread:
 * a clock pollable is a deadline, and a `poll` over clocks alone sleeps here
 * until the first is due, where preview2-shim makes three round trips to its
 * I/O worker (subscribe, poll, drop). The guest's engine pays them on every
 * turn of its event loop that has a timer pending (a 0 ms `setTimeout` cost
 * about 0.4 ms); the guest module's reactor pays one such turn before each wait.
 *
 * A `poll` that mixes clocks with other pollables (a pipe, a child's exit)
 * goes to the worker as before, each clock replaced by the shim's own for the
 * same instant.
 */
import { clocks, io } from "@bytecodealliance/preview2-shim";
import type { Pollable } from "@bytecodealliance/preview2-shim/interfaces/wasi-io-poll";

type ShimPollable = Pollable & Disposable;
const ShimPollableClass = io.poll.Pollable as unknown as { prototype: ShimPollable };
const shimPoll = io.poll.poll as (list: Pollable[]) => Uint32Array;
const shimClock = clocks.monotonicClock;

/** The deadline (monotonic-clock nanoseconds) of each clock pollable made here. */
const deadlines = new WeakMap<object, bigint>();

/**
 * jco keys the pollables it holds by their `cabiRep` (the shim's are its
 * worker's ids, counted up from 1): these count in a range of their own, so
 * that the two never meet.
 */
const FIRST_REP = 1 << 29;
const LAST_REP = (1 << 30) - 1;
let nextRep = FIRST_REP;
const REP = Symbol.for("cabiRep");

const sleeper = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));

const now = (): bigint => process.hrtime.bigint();

/** Sleeps on this thread until `deadline` has passed. */
function sleepUntil(deadline: bigint): void {
  for (let left = deadline - now(); left > 0n; left = deadline - now()) {
    Atomics.wait(sleeper, 0, 0, Number(left) / 1e6);
  }
}

/** A pollable that is ready from `deadline` on, an instance of the shim's class (jco checks `instanceof`). */
function clockPollable(deadline: bigint): ShimPollable {
  const pollable = Object.create(ShimPollableClass.prototype) as ShimPollable;
  deadlines.set(pollable, deadline);
  const rep = nextRep;
  nextRep = nextRep === LAST_REP ? FIRST_REP : nextRep + 1;
  Object.defineProperties(pollable, {
    [REP]: { value: rep },
    ready: { value: () => now() >= deadline },
    block: { value: () => sleepUntil(deadline) },
    [Symbol.dispose]: { value: () => undefined },
  });
  return pollable;
}

/** Polls clocks alone here; any other list at the worker, with each clock of ours swapped for the shim's. */
function poll(list: Pollable[]): Uint32Array {
  const ours = list.map((pollable) => deadlines.get(pollable));
  if (list.length === 0 || ours.includes(undefined)) return pollMixed(list, ours);
  const due = ours as bigint[];
  sleepUntil(due.reduce((first, deadline) => (deadline < first ? deadline : first)));
  const at = now();
  return Uint32Array.from(due.flatMap((deadline, index) => (deadline <= at ? [index] : [])));
}

function pollMixed(list: Pollable[], ours: (bigint | undefined)[]): Uint32Array {
  const standIns: ShimPollable[] = [];
  const shimList = list.map((pollable, index) => {
    const deadline = ours[index];
    if (deadline === undefined) return pollable;
    const standIn = shimClock.subscribeInstant(deadline) as ShimPollable;
    standIns.push(standIn);
    return standIn;
  });
  try {
    return shimPoll(shimList);
  } finally {
    for (const standIn of standIns) standIn[Symbol.dispose]();
  }
}

/** `wasi:clocks/monotonic-clock` with pollables kept on this thread. */
export const monotonicClock = {
  ...shimClock,
  subscribeInstant: (instant: bigint) => clockPollable(BigInt(instant)),
  subscribeDuration: (duration: bigint) => clockPollable(now() + BigInt(duration)),
};

/** `wasi:io/poll` that serves lists of such clocks alone on this thread. */
export const pollInterface = { Pollable: io.poll.Pollable, poll };
