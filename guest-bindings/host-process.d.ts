/**
 * Types for guest code, as the package exports them (`host-process/guest-types`):
 * the `host:process` module that `host-process build` bundles, and the raw WIT
 * imports (`host:process/process@0.1.0`, `wasi:cli/environment@0.2.12`, …).
 *
 * In a guest's tsconfig.json: `"compilerOptions": { "types": ["host-process/guest-types"] }`.
 */
/// <reference path="./generated/command.d.ts" />
declare module "host:process" {
  export * from "host-process/guest";
}
