/**
 * Waiting on `wasi:io` pollables from guest code.
 *
 * A blocking wait (`poll`) stops the guest's whole event loop: no timer fires
 * and no other task runs until a pollable is ready. That is the fast path, and
 * right while nothing else could happen. A child with an `AbortSignal` needs
 * the event loop to keep turning (the abort usually comes from a timer or
 * another task), so its waits are cooperative: block at most one slice, then
 * let the event loop run, and try again.
 * @internal
 */
import { subscribeDuration } from "wasi:clocks/monotonic-clock@0.2.12";
import { poll, type Pollable } from "wasi:io/poll@0.2.12";

/** The longest a cooperative wait blocks the event loop: 10 ms. */
const SLICE_NS = 10_000_000n;

/** Lets the guest's event loop run its due timers and other tasks. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Waits until at least one of `pollables` is ready and returns their indices;
 * when `cooperative`, may return none after one slice (after the event loop ran).
 * @internal
 */
export async function waitReady(pollables: Pollable[], cooperative: boolean): Promise<number[]> {
  if (!cooperative) return [...poll(pollables)];
  const slice = subscribeDuration(SLICE_NS);
  let ready: number[];
  try {
    ready = [...poll([...pollables, slice])].filter((index) => index < pollables.length);
  } finally {
    slice[Symbol.dispose]();
  }
  await yieldToEventLoop();
  return ready;
}
