/**
 * Building a TypeScript/JavaScript guest into a `command` component: esbuild
 * bundles it (with `host:process` resolved to our guest module) behind a
 * `wasi:cli/run` export whose body is the author's whole module, so nothing
 * of the guest runs when componentize-js snapshots the engine at build time.
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { _clearPreopens, _setPreopens } from "@bytecodealliance/preview2-shim/filesystem";
import type { Plugin } from "esbuild";
import { GUEST_MODULE, WIT_DIR } from "./paths.js";

/** Options of {@link buildGuest}. */
export interface BuildOptions {
  /** Where to write the component. */
  output: string;
}

/** What {@link buildGuest} wrote. */
export interface BuildResult {
  /** Absolute path of the component. */
  output: string;
  /** Its size in bytes. */
  bytes: number;
}

/**
 * The wrapper entry: the author's module is only evaluated inside `run`. An
 * error the module does not catch is printed on the guest's stderr (the host
 * only learns that `run` failed): a `ProcessError` as `PermissionDenied (4001):
 * <message>`, any error with the stack the engine gives, minus this wrapper's
 * own frames. `ProcessError` is recognised by its numeric code rather than
 * imported, so a guest that never imports `host:process` does not bundle it.
 */
function runWrapper(entry: string): string {
  return `const WRAPPER_FRAME = /^(?:async\\*)?(?:__init|run|export_run[\\w$]*)@/;
function describeUncaught(error) {
  if (!(error instanceof Error)) return "Uncaught " + String(error);
  const code = typeof error.code === "number" && error.code >= 4000 && error.code < 5000 ? \` (\${error.code})\` : "";
  const frames = typeof error.stack === "string" ? error.stack.split("\\n").filter(Boolean) : [];
  while (frames.length > 0 && WRAPPER_FRAME.test(frames[frames.length - 1])) frames.pop();
  return [\`\${error.name}\${code}: \${error.message}\`, ...frames.map((frame) => "    at " + frame)].join("\\n");
}
export const run = {
  async run() {
    try {
      await import(${JSON.stringify(entry)});
    } catch (error) {
      console.error(describeUncaught(error));
      throw error;
    }
  },
};
`;
}

const guestImports: Plugin = {
  name: "host-process-guest-imports",
  setup(builder) {
    builder.onResolve({ filter: /^host:process$/ }, () => ({ path: GUEST_MODULE }));
    // WIT interfaces are imports of the component, resolved by componentize-js.
    builder.onResolve({ filter: /^(wasi|host):[a-z-]+\/[a-z-]+@/ }, (args) => ({ path: args.path, external: true }));
  },
};

/** Bundles the guest into one ES module whose only export is `run`. */
export async function bundleGuest(entry: string): Promise<string> {
  const absolute = resolve(entry);
  const info = await stat(absolute).catch(() => undefined);
  if (!info?.isFile()) throw new Error(`Cannot build ${JSON.stringify(entry)}: no such file`);
  // Loaded on first use: esbuild and componentize-js would otherwise more than double
  // every host's memory, and every child's fork() copies the host's page tables.
  const { build } = await import("esbuild");
  const result = await build({
    stdin: { contents: runWrapper(absolute), resolveDir: process.cwd(), sourcefile: "host-process-run.js", loader: "js" },
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    target: "es2022",
    plugins: [guestImports],
    logLevel: "silent",
  });
  const [bundle] = result.outputFiles;
  if (!bundle) throw new Error(`Cannot build ${JSON.stringify(entry)}: esbuild produced no output`);
  return bundle.text;
}

/** Bundles and componentizes a guest; takes 10–15 s (componentize-js). */
export async function buildGuest(entry: string, options: BuildOptions): Promise<BuildResult> {
  const source = await bundleGuest(entry);
  const workDir = await mkdtemp(join(tmpdir(), "host-process-build-"));
  try {
    const sourcePath = join(workDir, "guest.js");
    await writeFile(sourcePath, source);
    // componentize-js reads the WIT through preview2-shim, which grants no
    // preopens by default; give this tool (never a guest) just the WIT folder.
    _setPreopens({ [WIT_DIR]: WIT_DIR });
    let component: Uint8Array;
    try {
      const { componentize } = await import("@bytecodealliance/componentize-js");
      ({ component } = await componentize({
        sourcePath,
        witPath: WIT_DIR,
        worldName: "command",
        disableFeatures: ["http", "fetch-event"],
      }));
    } finally {
      _clearPreopens();
    }
    const output = resolve(options.output);
    await mkdir(dirname(output), { recursive: true });
    await writeFile(output, component);
    return { output, bytes: component.byteLength };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
