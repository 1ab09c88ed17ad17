import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository (this file runs as dist/bench/paths.js). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = join(ROOT, "dist", "host", "cli.js");
export const RUNNER = join(ROOT, "dist", "bench", "runner.js");
/** Built guests and transpiled components (the repository's own cache, as the tests use). */
export const CACHE = join(ROOT, ".cache");
export const TRANSPILED = join(CACHE, "transpiled");
export const RESULTS = join(ROOT, "bench", "results");
