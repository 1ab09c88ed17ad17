/**
 * The guest module's reactor: every wait on a child (a pipe, its exit) goes
 * through here, so that while one task waits the guest's other tasks and
 * timers run.
 *
 * A waiting operation registers what it waits on and returns to the event
 * loop. Once every task is waiting (the engine has run all promise jobs and
 * reaches the reactor's turn, a timer of 0 ms), one `wasi:io/poll` waits on
 * every registered pollable together with the guest's next due timer, and
 * exactly the tasks whose pollables are ready resume. A lone waiter with no
 * timer pending takes its own blocking call instead (one import call).
 * @internal
 */
import { subscribeDuration } from "wasi:clocks/monotonic-clock@0.2.12";
import { poll, type Pollable } from "wasi:io/poll@0.2.12";
import { hasTimers, installTimerTracking, nextTurn, untilNextTimer } from "./timers.js";

installTimerTracking();

/** The longest stretch of work (ms) after which a busy reader lets timers and other tasks run. */
const SLICE_MS = 4;

/** One registered wait. */
interface Waiter {
  /** Waits for nothing: runs `block` if alone, else resolves with `undefined` at once. */
  readonly aloneOnly?: boolean;
  /** Makes the pollables waited on (at most once, only if a poll is needed). */
  readonly subscribe: () => Pollable[];
  /** Blocks until ready, when this waiter is alone; what it returns is the wait's result. */
  readonly block: (() => unknown) | undefined;
  pollables: Pollable[] | undefined;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

let waiters: Waiter[] = [];
/** Tasks that only asked to let the event loop run (see `yieldIfBusy`). */
let yielders: (() => void)[] = [];
let turnScheduled = false;
let lastTurn = performance.now();

function scheduleTurn(): void {
  if (turnScheduled) return;
  turnScheduled = true;
  nextTurn(turn);
}

function release(waiter: Waiter): void {
  for (const pollable of waiter.pollables ?? []) pollable[Symbol.dispose]();
  waiter.pollables = undefined;
}

function settle(waiter: Waiter, run: () => unknown): void {
  // First: `run` may end the stream or child the pollables hang from (a
  // blocking read that reaches the end drops its stream), and a parent
  // dropped before its pollables traps.
  release(waiter);
  try {
    waiter.resolve(run());
  } catch (error) {
    waiter.reject(error);
  }
}

/** Polls every waiter's pollables, with a deadline of `timeoutMs` (none: wait for one to be ready). */
function pollAll(timeoutMs: number | undefined): void {
  // A waiter whose stream or child is gone fails alone.
  waiters = waiters.filter((waiter) => {
    try {
      waiter.pollables ??= waiter.subscribe();
      return true;
    } catch (error) {
      settle(waiter, () => {
        throw error;
      });
      return false;
    }
  });
  const list = waiters.flatMap((waiter) => waiter.pollables as Pollable[]);
  if (list.length === 0) return;
  const clock = timeoutMs === undefined ? undefined : subscribeDuration(BigInt(Math.ceil(timeoutMs * 1e6)));
  let ready: Set<number>;
  try {
    ready = new Set(poll(clock === undefined ? list : [...list, clock]));
  } finally {
    clock?.[Symbol.dispose]();
  }
  const waiting: Waiter[] = [];
  let first = 0;
  for (const waiter of waiters) {
    const pollables = waiter.pollables as Pollable[];
    const hit = pollables.findIndex((_, i) => ready.has(first + i));
    first += pollables.length;
    if (hit < 0) waiting.push(waiter);
    else settle(waiter, () => hit);
  }
  waiters = waiting;
}

function turn(): void {
  turnScheduled = false;
  try {
    runTurn();
  } catch (error) {
    // A trap in poll (a pollable the host no longer knows): fail every wait rather than hang.
    const failed = waiters;
    waiters = [];
    for (const waiter of failed) {
      settle(waiter, () => {
        throw error;
      });
    }
  }
  lastTurn = performance.now();
}

function runTurn(): void {
  lastTurn = performance.now();
  const yielded = yielders;
  yielders = [];
  for (const resume of yielded) resume();
  if (waiters.length === 0) return;
  const untilTimer = untilNextTimer(lastTurn);
  // Alone, a wait can hold nothing up: it takes its own blocking call.
  const lone = waiters.length === 1 && yielded.length === 0 && untilTimer === undefined ? waiters[0] : undefined;
  if (lone?.block !== undefined) {
    waiters = [];
    settle(lone, lone.block);
    return;
  }
  for (const waiter of waiters) if (waiter.aloneOnly) settle(waiter, () => undefined);
  waiters = waiters.filter((waiter) => !waiter.aloneOnly);
  // A yielded task can go on at once: only look. Otherwise wait, until the next timer at most.
  pollAll(yielded.length > 0 ? 0 : untilTimer);
  if (waiters.length > 0) scheduleTurn();
}

/**
 * Waits until one of the pollables `subscribe` makes is ready, and resolves
 * with its index; or, when this is the only wait and no timer is pending,
 * calls `block` and resolves with what it returns. `subscribe` is called at
 * most once; the reactor disposes of its pollables.
 */
export function waitFor<T>(subscribe: () => Pollable[], block?: () => T): Promise<number | T> {
  return new Promise((resolve, reject) => {
    waiters.push({ subscribe, block, pollables: undefined, resolve: resolve as (value: unknown) => void, reject });
    scheduleTurn();
  });
}

/**
 * Calls `block` once every task is waiting, if no other wait and no timer is
 * pending (it then cannot hold anything up); otherwise resolves with
 * `undefined` without calling it.
 */
export function whenAlone<T>(block: () => T): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    waiters.push({ aloneOnly: true, subscribe: () => [], block, pollables: undefined, resolve: resolve as (value: unknown) => void, reject });
    scheduleTurn();
  });
}

/**
 * Lets the event loop run when a task has worked for a slice without waiting
 * (a child that prints without pause) and something else is pending: a timer,
 * or another task's wait. Costs nothing otherwise.
 */
export function yieldIfBusy(): Promise<void> | undefined {
  if (waiters.length === 0 && !hasTimers()) return undefined;
  if (performance.now() - lastTurn < SLICE_MS) return undefined;
  return new Promise((resolve) => {
    yielders.push(resolve);
    scheduleTurn();
  });
}
