// Reproduces the blocking-splice hang seen in `npm run bench` (case 2):
//
//   timeout 60 node bench/repro/splice-hang.mjs         # hangs, usually within a few iterations
//   timeout 60 node bench/repro/splice-hang.mjs fix     # all iterations complete
//
// The loop is the benchmark guest's: blocking-splice 1 MiB at a time from a
// child's stdout into another child's stdin until `closed`. For a while after a
// child's stdout emits 'end' (about one event-loop turn), the Node stream is
// neither `readable` nor `closed`; preview2-shim's OUTPUT_STREAM_BLOCKING_SPLICE
// then waits for a 'readable' event that never comes, and the caller blocks for
// good. Destroying the stdout on 'end' (the `fix` argument) closes that window.
import { callExtension, inputStreamCreate, outputStreamCreate } from "@bytecodealliance/preview2-shim/io-worker";
import { writeSync } from "node:fs";

const WORKER = new URL("./splice-hang-worker.mjs", import.meta.url);
const destroyOnEnd = process.argv[2] === "fix";
const iterations = Number(process.argv[3] ?? 150);
for (let i = 0; i < iterations; i++) {
  const [fromId, toId] = callExtension(WORKER, "pair", [destroyOnEnd, 1048576]);
  const from = inputStreamCreate(fromId);
  const to = outputStreamCreate(toId);
  for (;;) {
    try {
      if (to.blockingSplice(from, 1048576n) === 0n) {
        const ready = from.subscribe();
        ready.block();
        ready[Symbol.dispose]();
      }
    } catch (error) {
      if (error.tag === "closed" || error.payload?.tag === "closed") break;
      throw error;
    }
  }
  from[Symbol.dispose]();
  to[Symbol.dispose]();
  writeSync(1, `${i + 1}/${iterations}\n`);
}
process.exit(0);
