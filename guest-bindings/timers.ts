/**
 * The guest's timers, as the reactor needs to know them: `setTimeout`,
 * `setInterval` and their `clear*` are wrapped so that a wait on child
 * processes can end when the next timer is due.
 *
 * Why wrap: componentize-js runs timers only between import calls, and the
 * engine does not tell JavaScript when its next timer is due. A wait that did
 * not know would either block past the timer or wake up on a fixed slice.
 * @internal
 */

type Callback = (...args: unknown[]) => void;

/** The engine's own timer functions, captured before they are wrapped. */
const engine = {
  setTimeout: globalThis.setTimeout,
  setInterval: globalThis.setInterval,
  clearTimeout: globalThis.clearTimeout,
  clearInterval: globalThis.clearInterval,
};

/** When each live timer of the guest is next due (`performance.now()` milliseconds), by timer id. */
const deadlines = new Map<unknown, number>();

/** Milliseconds as the engine reads them: ToInt32 (so 2^31 and more wrap around), never negative. */
function delayOf(delay: unknown): number {
  const ms = Number(delay) | 0;
  return ms > 0 ? ms : 0;
}

function wrappedSetTimeout(callback: Callback, delay?: unknown, ...args: unknown[]): unknown {
  if (typeof callback !== "function") return engine.setTimeout(callback, delay as number, ...args);
  const ms = delayOf(delay);
  const id: unknown = engine.setTimeout(() => {
    deadlines.delete(id);
    callback(...args);
  }, ms);
  deadlines.set(id, performance.now() + ms);
  return id;
}

function wrappedSetInterval(callback: Callback, delay?: unknown, ...args: unknown[]): unknown {
  if (typeof callback !== "function") return engine.setInterval(callback, delay as number, ...args);
  const ms = delayOf(delay);
  const id: unknown = engine.setInterval(() => {
    // The engine re-arms an interval after its callback, from that moment.
    if (deadlines.has(id)) deadlines.set(id, performance.now() + ms);
    callback(...args);
    if (deadlines.has(id)) deadlines.set(id, performance.now() + ms);
  }, ms);
  deadlines.set(id, performance.now() + ms);
  return id;
}

function wrappedClear(this: unknown, id?: unknown): void {
  deadlines.delete(id);
  engine.clearTimeout(id as number);
}

let installed = false;

/** Wraps the global timer functions once (the first time the guest module loads). */
export function installTimerTracking(): void {
  if (installed) return;
  installed = true;
  const target = globalThis as unknown as Record<string, unknown>;
  target.setTimeout = wrappedSetTimeout;
  target.setInterval = wrappedSetInterval;
  target.clearTimeout = wrappedClear;
  target.clearInterval = wrappedClear;
}

/** Milliseconds until the guest's next timer is due (0 if one is due now), or `undefined` if it has none. */
export function untilNextTimer(now: number): number | undefined {
  let next: number | undefined;
  for (const deadline of deadlines.values()) if (next === undefined || deadline < next) next = deadline;
  return next === undefined ? undefined : Math.max(0, next - now);
}

/** Whether the guest has any live timer. */
export function hasTimers(): boolean {
  return deadlines.size > 0;
}

/** Runs `callback` on the engine's next turn of its event loop, unseen by the tracking above. */
export function nextTurn(callback: () => void): void {
  engine.setTimeout(callback, 0);
}
