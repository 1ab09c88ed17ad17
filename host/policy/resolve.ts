/** Resolving command names and paths to the real file that would execute (stat/realpath only). */
import { accessSync, constants as fsConstants, realpathSync, statSync } from "node:fs";
import { resolve } from "node:path";

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, fsConstants.X_OK);
    return statSync(file).isFile();
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
    return realpathSync(file);
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
