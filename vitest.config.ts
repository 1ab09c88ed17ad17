import { defineConfig } from "vitest/config";
import { join } from "node:path";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Node 22's young generation on every line: Node 24 and 26 size it by allocation rate (up to
    // 64 MiB measured), which moved the soak's RSS by +-20 MiB between passes with the heap in use flat.
    execArgv: ["--max-semi-space-size=16"],
    // Transpiled components go to the repository's own cache, not the user's.
    env: { HOST_PROCESS_CACHE_DIR: join(import.meta.dirname, ".cache", "transpiled") },
  },
});
