import { defineConfig } from "vitest/config";
import { join } from "node:path";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Transpiled components go to the repository's own cache, not the user's.
    env: { HOST_PROCESS_CACHE_DIR: join(import.meta.dirname, ".cache", "transpiled") },
  },
});
