/** `host-process wit`: the WIT contract for guest authors in other languages. */
import { cp, mkdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { WIT_DIR } from "../paths.js";

/** Prints wit/process.wit, or copies the self-contained WIT folder (with deps/) into `out`. */
export async function witCommand(out: string | undefined): Promise<number> {
  if (out === undefined) {
    process.stdout.write(await readFile(join(WIT_DIR, "process.wit"), "utf8"));
    return 0;
  }
  const target = resolve(out);
  await mkdir(target, { recursive: true });
  await cp(WIT_DIR, target, { recursive: true });
  process.stderr.write(`wrote ${target} (process.wit and deps/: host:process@0.1.0 with the wasi packages it uses)\n`);
  return 0;
}
