/** The error with which `run()` rejects when the host stopped the guest. */

/** Why the host stopped a guest: `close()`, its `AbortSignal`, or its `runTimeoutMs`. */
export type StopReason = "closed" | "aborted" | "timed-out";

const WHY: Record<StopReason, string> = {
  closed: "its instance was closed while it ran",
  aborted: "its run was aborted by the host's AbortSignal",
  "timed-out": "it ran longer than the instance's runTimeoutMs",
};

/** `run()` of a guest the host stopped: the guest's thread is ended and every child it started is reaped. */
export class GuestStoppedError extends Error {
  /** Why it was stopped. */
  readonly reason: StopReason;

  constructor(reason: StopReason, detail?: string, options?: { cause?: unknown }) {
    super(`The guest was stopped: ${WHY[reason]}${detail ? ` (${detail})` : ""}`, options);
    this.name = "GuestStoppedError";
    this.reason = reason;
  }
}
