/** The error type of the guest module, and the numeric codes it shares with Forge's `ext_process`. */

/**
 * Numeric error codes, as in Forge's `ext_process` (4000–4005) and appended
 * since (4006–4008). `ProcessError.code` is one of these.
 */
export const ErrorCode = {
  /** 4000: reading or writing a child's pipe failed, or the host is closed. */
  Io: 4000,
  /** 4001: the host's policy does not allow the command, its arguments, a variable, the cwd or an inherited stream. */
  PermissionDenied: 4001,
  /** 4002: the command or the working directory does not exist. */
  NotFound: 4002,
  /** 4003: the operating system refused to start the program. */
  SpawnFailed: 4003,
  /** 4004: the child handle is not this instance's. */
  ProcessNotFound: 4004,
  /** 4005: the child has already exited. */
  AlreadyExited: 4005,
  /** 4006: a malformed argument (NUL byte, empty command, unknown signal, bad variable name). */
  InvalidArgument: 4006,
  /** 4007: a limit of the policy was reached (concurrent children, output size). */
  LimitExceeded: 4007,
  /** 4008: the child ran longer than the policy's `timeoutMs`. */
  TimedOut: 4008,
} as const;

/** The name of an error code: `ProcessError.name`, e.g. `"PermissionDenied"`. */
export type ErrorName = keyof typeof ErrorCode;

/** The WIT `error-code` enum cases of `host:process/process`, in order. */
export type WitErrorCode =
  | "io" | "permission-denied" | "not-found" | "spawn-failed" | "process-not-found"
  | "already-exited" | "invalid-argument" | "limit-exceeded" | "timed-out";

const WIT_CODES: readonly WitErrorCode[] = [
  "io", "permission-denied", "not-found", "spawn-failed", "process-not-found",
  "already-exited", "invalid-argument", "limit-exceeded", "timed-out",
];

/**
 * Every failure of this module. `code` is the numeric code (4000…), `name` its
 * name (`"PermissionDenied"` …), and `message` names the command and the rule
 * that decided, and how the host can change it.
 *
 * ```ts
 * try {
 *   await spawn("rm", { args: ["-rf", "build"] });
 * } catch (error) {
 *   if (error instanceof ProcessError && error.code === ErrorCode.PermissionDenied) console.error(error.message);
 *   else throw error;
 * }
 * ```
 */
export class ProcessError extends Error {
  /** The numeric code, 4000 + the WIT case's index (see {@link ErrorCode}). */
  readonly code: number;
  /** The code's name, e.g. `"PermissionDenied"`. */
  override readonly name: ErrorName;

  /** Makes an error from a WIT `error-code` case and a message. */
  constructor(code: WitErrorCode, message: string) {
    super(message);
    const index = Math.max(0, WIT_CODES.indexOf(code));
    this.code = 4000 + index;
    this.name = (Object.keys(ErrorCode) as ErrorName[])[index] as ErrorName;
  }
}

/** The `err` value of a raw call: componentize-js throws it with a `payload`. @internal */
export function payloadOf(error: unknown): unknown {
  return typeof error === "object" && error !== null && "payload" in error ? (error as { payload: unknown }).payload : error;
}

/** Turns whatever a raw `host:process` call threw into a `ProcessError`. @internal */
export function toProcessError(error: unknown): ProcessError {
  const payload = payloadOf(error) as { code?: unknown; message?: unknown } | undefined;
  if (payload && typeof payload.message === "string" && typeof payload.code === "string") {
    return new ProcessError(payload.code as WitErrorCode, payload.message);
  }
  return new ProcessError("io", String(error instanceof Error ? error.message : error));
}

/** Calls a raw `host:process` function, turning its `err` into a `ProcessError`. @internal */
export function call<T>(operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    throw toProcessError(error);
  }
}

/** Describes a `wasi:io` stream error (`closed`, or `last-operation-failed` with its debug string). @internal */
export function streamFailure(error: unknown): { closed: boolean; reason: string } {
  const payload = payloadOf(error) as { tag?: string; val?: { toDebugString?: () => string } } | undefined;
  if (payload?.tag === "closed") return { closed: true, reason: "the pipe is closed" };
  return { closed: false, reason: payload?.val?.toDebugString?.() ?? String(error) };
}
