// Loaded in preview2-shim's I/O worker (as host/spawner/worker.ts is): a source
// (`head -c <bytes> /dev/zero`, stdout) and a sink (`cat`, stdin), registered as
// wasi:io streams the way the spawner registers a child's pipes. With
// `destroyOnEnd`, the source's stdout is destroyed as soon as it emits 'end'.
import { spawn } from "node:child_process";

export default function create(context) {
  return (operation, [destroyOnEnd, bytes]) => {
    if (operation !== "pair") throw new Error(`unknown operation ${operation}`);
    const source = spawn("head", ["-c", String(bytes), "/dev/zero"], { stdio: ["ignore", "pipe", "ignore"] });
    const sink = spawn("cat", [], { stdio: ["pipe", "ignore", "ignore"] });
    source.stdout.on("readable", () => {}); // the spawner's keepBuffered
    const from = context.createReadableStream(source.stdout);
    if (destroyOnEnd) source.stdout.once("end", () => source.stdout.destroy());
    return [from, context.createWritableStream(sink.stdin)];
  };
}
