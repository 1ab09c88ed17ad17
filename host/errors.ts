/**
 * The `error-code` enum of `host:process/process`, in WIT order, so that the
 * numeric code is 4000 + index (the first six are Forge's `ext_process` codes).
 */
export const ERROR_CODES = [
  "io",
  "permission-denied",
  "not-found",
  "spawn-failed",
  "process-not-found",
  "already-exited",
  "invalid-argument",
  "limit-exceeded",
  "timed-out",
] as const;

/** A case of the WIT `error-code` enum (`"permission-denied"` …). */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The WIT `error` record, as jco lifts and lowers it. */
export interface ProcessErrorRecord {
  /** The WIT case. */
  code: ErrorCode;
  /** Names the command and the rule that decided, and how to change it. */
  message: string;
}

/** The numeric code of a WIT case: 4000 + its index (`"permission-denied"` → 4001). */
export function numericCode(code: ErrorCode): number {
  return 4000 + ERROR_CODES.indexOf(code);
}

/**
 * Thrown by a `host:process` import to return `err(record)` to the guest:
 * jco turns a thrown value with an own `payload` into the `err` case.
 */
export class ProcessHostError extends Error {
  /** The `err` value the guest receives. */
  readonly payload: ProcessErrorRecord;
  /** The policy rule that decided, for the host's eyes (never sent to the guest). */
  readonly rule: string | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; rule?: string }) {
    super(message, options);
    this.name = "ProcessHostError";
    this.payload = { code, message };
    this.rule = options?.rule;
  }

  /** The WIT case of `payload`. */
  get code(): ErrorCode {
    return this.payload.code;
  }
}

export function isErrorRecord(value: unknown): value is ProcessErrorRecord {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as ProcessErrorRecord).message === "string" &&
    ERROR_CODES.includes((value as ProcessErrorRecord).code)
  );
}
