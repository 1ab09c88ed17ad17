/** Resolving command names and paths to the real file that would execute (stat/realpath only). */
import { accessSync, constants as fsConstants, realpathSync, statSync } from "node:fs";
import { resolve } from "node:path";

function isExecutableFile(file: string): boolean {
  try {
    // stat first: most directories of a search path lack the name, and a missing file then costs no exception.
    if (statSync(file, { throwIfNoEntry: false })?.isFile() !== true) return false;
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds a command name on the search path, as execvp would; `undefined` if absent. */
export function findOnPath(name: string, searchPath: readonly string[]): string | undefined {
  for (const dir of searchPath) {
    const candidate = resolve(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

export function realPathOrUndefined(file: string): string | undefined {
  try {
    return realpathSync.native(file);
  } catch {
    return undefined;
  }
}

/** The real directory `dir` names, or `undefined` if it is not an existing directory. */
export function realDirectoryOrUndefined(dir: string): string | undefined {
  const real = realPathOrUndefined(dir);
  try {
    return real !== undefined && statSync(real).isDirectory() ? real : undefined;
  } catch {
    return undefined;
  }
}

/** A file's identity, `device:inode` (the same for every hard link of it), or `undefined` if it cannot be read. */
export function fileIdentity(file: string): string | undefined {
  const stat = statSync(file, { throwIfNoEntry: false, bigint: true });
  return stat === undefined ? undefined : `${stat.dev}:${stat.ino}`;
}
