/**
 * The rest of WASI for one instance: preview2-shim's implementations, with the
 * instance's own arguments and the grants of its policy (environment,
 * filesystem preopens, stdin, network), never the shim's process-wide
 * globals. Every capability is off by default.
 */
import { cli, clocks, io, random } from "@bytecodealliance/preview2-shim";
import { createFilesystem } from "@bytecodealliance/preview2-shim/filesystem";
import { callExtension, inputStreamCreate } from "@bytecodealliance/preview2-shim/io-worker";
import { createSockets } from "@bytecodealliance/preview2-shim/sockets";
import { monotonicClock, pollInterface } from "./clock-pollables.js";
import type { WasiGrants } from "./policy.js";

/** Per-instance WASI settings that are not grants of the policy. */
export interface WasiOptions {
  /** The guest's `wasi:cli` arguments (the first is conventionally the program name). Default: none. */
  args?: string[];
}

const EMPTY_STREAM_MODULE = new URL("./empty-stream-worker.js", import.meta.url);

/** A guest whose policy does not grant stdin reads end-of-file from it. */
function closedStdin() {
  let stream: ReturnType<typeof inputStreamCreate> | undefined;
  return {
    getStdin() {
      stream ??= inputStreamCreate(callExtension(EMPTY_STREAM_MODULE, "create", []) as number);
      return stream;
    },
  };
}

/** Thrown by `wasi:cli/exit` so that a guest's exit ends the guest, not the host. */
export class GuestExit extends Error {
  constructor(
    /** The code the guest passed to `wasi:cli/exit` (1 for `exit(err)`). */
    readonly exitCode: number,
  ) {
    super(`guest exited with code ${exitCode}`);
    this.name = "GuestExit";
  }
}

/**
 * The WASI imports (every interface of the `command` world but
 * `host:process/process`) for one instance: preview2-shim's implementations
 * with this instance's own grants, arguments and streams.
 */
export function createWasiImports(grants: Required<WasiGrants>, options: WasiOptions = {}): Record<string, object> {
  const args = [...(options.args ?? [])];
  const env = Object.entries(grants.env);
  const filesystem = createFilesystem({ preopens: grants.preopens });
  const sockets = createSockets({ enableNetwork: grants.network });
  return {
    "wasi:cli/environment": {
      getEnvironment: () => env,
      getArguments: () => args,
      initialCwd: () => undefined,
    },
    "wasi:cli/exit": {
      exit(status: { tag: "ok" | "err" }): never {
        throw new GuestExit(status.tag === "err" ? 1 : 0);
      },
      exitWithCode(code: number): never {
        throw new GuestExit(code);
      },
    },
    "wasi:cli/stdin": grants.stdin ? cli.stdin : closedStdin(),
    "wasi:cli/stdout": cli.stdout,
    "wasi:cli/stderr": cli.stderr,
    "wasi:cli/terminal-input": cli.terminalInput,
    "wasi:cli/terminal-output": cli.terminalOutput,
    "wasi:cli/terminal-stdin": cli.terminalStdin,
    "wasi:cli/terminal-stdout": cli.terminalStdout,
    "wasi:cli/terminal-stderr": cli.terminalStderr,
    "wasi:clocks/monotonic-clock": monotonicClock,
    "wasi:clocks/wall-clock": clocks.wallClock,
    "wasi:filesystem/types": filesystem.types,
    "wasi:filesystem/preopens": filesystem.preopens,
    "wasi:io/error": io.error,
    "wasi:io/poll": pollInterface,
    "wasi:io/streams": io.streams,
    "wasi:random/random": random.random,
    "wasi:random/insecure": random.insecure,
    "wasi:random/insecure-seed": random.insecureSeed,
    "wasi:sockets/instance-network": sockets.instanceNetwork,
    "wasi:sockets/network": sockets.network,
    "wasi:sockets/ip-name-lookup": sockets.ipNameLookup,
    "wasi:sockets/tcp": sockets.tcp,
    "wasi:sockets/tcp-create-socket": sockets.tcpCreateSocket,
    "wasi:sockets/udp": sockets.udp,
    "wasi:sockets/udp-create-socket": sockets.udpCreateSocket,
  };
}
