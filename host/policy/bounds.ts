/**
 * Bounds on what a policy may hold, and how a bad value is shown in a
 * message: a policy is judged in time linear in its size, and a message never
 * grows with (or fails on) a huge or deeply nested value.
 */

/** The largest delay Node's timers take (2^31 − 1 ms, about 24.8 days); a larger one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** Entries an `allow` or `deny` list (or one rule's patterns) may hold. */
export const MAX_LIST_ENTRIES = 10_000;

const SHOWN_CHARS = 120;

/** A short, safe rendering of any value for a message (a string quoted, others in backquotes), cut at 120 characters. */
export function describe(value: unknown): string {
  let text: string;
  try {
    text = typeof value === "string" ? JSON.stringify(value) : `\`${String(JSON.stringify(value) ?? value)}\``;
  } catch {
    text = Array.isArray(value) ? "`[…]` (too deeply nested to show)" : "`{…}` (too deeply nested to show)";
  }
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}… (${text.length} characters)` : text;
}
