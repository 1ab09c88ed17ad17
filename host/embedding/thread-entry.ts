/**
 * The entry of an instance thread: instantiates one component here, with its
 * stdout and stderr sent straight to the host's thread, lets the host's
 * thread reach its spawner (control channel), and runs the guest on request.
 */
import { parentPort, workerData } from "node:worker_threads";
import { callExtension, inputStreamCreate, outputStreamCreate } from "@bytecodealliance/preview2-shim/io-worker";
import { normalizePolicy } from "../policy.js";
import { callRun, createInstanceHere, mayStartChildren } from "../instance.js";
import { callSpawner } from "../spawner/client.js";
import { askingChecker } from "./remote-checker.js";
import type { FromThread, ThreadData, ToThread } from "./thread-protocol.js";

const STDIO_MODULE = new URL("./stdio-worker.js", import.meta.url);
const port = parentPort!;
const { source, options, token, checks, compiled } = workerData as ThreadData;
const send = (message: FromThread) => port.postMessage(message);

/** The guest's stdout or stderr, each made once, on first use (as the shim does). */
function guestOutput(fd: 1 | 2) {
  let stream: ReturnType<typeof outputStreamCreate> | undefined;
  return () => (stream ??= outputStreamCreate(callExtension(STDIO_MODULE, "create", [token, fd]) as number));
}

/** The process's stdin, for a guest whose policy grants it, made on first use. */
function guestInput() {
  let stream: ReturnType<typeof inputStreamCreate> | undefined;
  return () => (stream ??= inputStreamCreate(callExtension(STDIO_MODULE, "stdin", [token, 0]) as number));
}

/** Everything the guest wrote has been sent once the host's thread sees this mark (same channel, in order). */
function markFlushed(id: number): void {
  callExtension(STDIO_MODULE, "flush", [token, id]);
}

async function start(): Promise<void> {
  let instance;
  try {
    instance = await createInstanceHere(
      source,
      {
        ...options,
        // Every decision goes to the host's thread, for its onDecision and its diagnostics channel.
        onDecision: (decision) => send({ type: "decision", decision }),
        ...(checks ? { checker: askingChecker(checks) } : {}),
      },
      {
        "wasi:cli/stdout": { getStdout: guestOutput(1) },
        "wasi:cli/stderr": { getStderr: guestOutput(2) },
        ...(normalizePolicy(options.policy).wasi.stdin ? { "wasi:cli/stdin": { getStdin: guestInput() } } : {}),
      },
      compiled,
    );
  } catch (error) {
    send({ type: "failed", error });
    return;
  }
  const { exports, host } = instance;
  // Loads the spawner now, listening for the host's thread, while this thread is idle.
  const spawner = mayStartChildren(host.policy, options.mode);
  if (spawner) callSpawner("control", token);
  port.on("message", async (message: ToThread) => {
    if (message.type !== "run") return;
    try {
      const code = await callRun(exports);
      markFlushed(message.id);
      send({ type: "ran", id: message.id, code, learned: host.learnedPolicy() });
    } catch (error) {
      markFlushed(message.id);
      send({ type: "threw", id: message.id, error, learned: host.learnedPolicy() });
    }
  });
  send({ type: "ready", spawner });
}

void start();
