/** Where this package's own files are, whether running from `dist/` or from source. */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "wit", "process.wit"))) return dir;
    if (dirname(dir) === dir) throw new Error(`host-process: cannot find the package root above ${start}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
export const WIT_DIR = join(PACKAGE_ROOT, "wit");
export const GUEST_MODULE = join(PACKAGE_ROOT, "guest-bindings", "index.ts");
