/**
 * Loading a component: transpile it with jco (async instantiation) once per
 * content hash, keep the result on disk and in memory, and compile its core
 * modules once per process.
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { editJcoOutput } from "./jco-edits.js";

/** jco's `instantiate` in async instantiation mode. */
type Instantiate = (
  getCoreModule: (path: string) => Promise<WebAssembly.Module>,
  imports: Record<string, object>,
) => Promise<Record<string, unknown>>;

/** A component transpiled by jco, ready to instantiate any number of times. */
export interface LoadedComponent {
  /** SHA-256 of the component's bytes. */
  readonly hash: string;
  /** Instantiates it with these imports (WASI and `host:process/process`); returns its exports. */
  instantiate(imports: Record<string, object>): Promise<Record<string, unknown>>;
  /** Its core modules, compiled, by file name: a worker thread given them need not compile them again. */
  coreModules(): Promise<CompiledModules>;
}

/** Compiled core modules of a transpiled component, by file name (they cross threads without a copy of their code). */
export type CompiledModules = Record<string, WebAssembly.Module>;

/** Options of {@link loadComponent}. */
export interface LoadOptions {
  /** Where transpiled components are kept. Default: `$HOST_PROCESS_CACHE_DIR`, else `$XDG_CACHE_HOME/host-process`, else `~/.cache/host-process`. */
  cacheDir?: string;
}

/** Names the transpiler's options and our edits of its output (jco-edits.ts): a change makes new cache entries. */
const TRANSPILER_ID = "jco-async-4";

const loaded = new Map<string, Promise<LoadedComponent>>();

/** Where transpiled components are kept unless `cacheDir` says otherwise (see {@link LoadOptions.cacheDir}). */
export function defaultCacheDir(): string {
  return (
    process.env.HOST_PROCESS_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "host-process")
  );
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

async function transpileInto(dir: string, bytes: Uint8Array): Promise<void> {
  // Loaded only on a cache miss (see build.ts on why memory matters).
  const { transpile } = await import("@bytecodealliance/jco");
  const { files } = await transpile(bytes, {
    name: "component",
    instantiation: "async",
    noTypescript: true,
    quiet: true,
  });
  // Write beside the final place, then rename, so a reader never sees half a cache entry.
  const staging = `${dir}.${process.pid}.${Date.now()}.tmp`;
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(staging, name)), { recursive: true });
    await writeFile(join(staging, name), name === "component.js" ? editJcoOutput(Buffer.from(content).toString("utf8")) : content);
  }
  await rename(staging, dir).catch(async (error: NodeJS.ErrnoException) => {
    await rm(staging, { recursive: true, force: true });
    // Another process finished the same entry first: theirs is as good as ours.
    if (!(await exists(join(dir, "component.js")))) throw error;
  });
}

async function load(bytes: Uint8Array, hash: string, cacheDir: string, compiled: CompiledModules): Promise<LoadedComponent> {
  const dir = join(cacheDir, `${hash}-${TRANSPILER_ID}`);
  if (!(await exists(join(dir, "component.js")))) {
    await mkdir(cacheDir, { recursive: true });
    await transpileInto(dir, bytes);
  }
  const { instantiate } = (await import(pathToFileURL(join(dir, "component.js")).href)) as { instantiate: Instantiate };
  const modules = new Map<string, Promise<WebAssembly.Module>>();
  const getCoreModule = (name: string) => {
    let module = modules.get(name);
    if (!module) {
      module = compiled[name] ? Promise.resolve(compiled[name]) : readFile(join(dir, name)).then((code) => WebAssembly.compile(code));
      modules.set(name, module);
    }
    return module;
  };
  const coreModules = async () => {
    const names = (await readdir(dir)).filter((name) => name.endsWith(".wasm"));
    return Object.fromEntries(await Promise.all(names.map(async (name) => [name, await getCoreModule(name)] as const)));
  };
  return { hash, instantiate: (imports) => instantiate(getCoreModule, imports), coreModules };
}

/**
 * Loads a component from a file path or its bytes; repeated loads of the same
 * bytes are free. `compiled` (from another thread's `coreModules()`) spares
 * compiling those modules here.
 */
export async function loadComponent(
  source: string | Uint8Array,
  options: LoadOptions = {},
  compiled: CompiledModules = {},
): Promise<LoadedComponent> {
  const bytes = typeof source === "string" ? await readFile(source) : source;
  const hash = createHash("sha256").update(bytes).digest("hex");
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const key = `${cacheDir}\0${hash}`;
  let component = loaded.get(key);
  if (!component) {
    component = load(bytes, hash, cacheDir, compiled);
    loaded.set(key, component);
    component.catch(() => loaded.delete(key));
  }
  return component;
}
