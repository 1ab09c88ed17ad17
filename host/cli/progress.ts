/**
 * A progress line on a terminal for the slow componentize step; nothing at all
 * when stderr is not a terminal (logs and pipes get only the final summary).
 *
 * componentize-js keeps the main thread busy for its 10–15 s, so timers there
 * would not fire: the spinner runs in a worker thread and writes to fd 2
 * itself (a worker's `process.stderr` would wait for the main thread).
 */
import { Worker } from "node:worker_threads";

const SPINNER = String.raw`
const { writeSync } = require("node:fs");
const { workerData } = require("node:worker_threads");
const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const started = Date.now();
let frame = 0;
const draw = () => {
  const seconds = Math.floor((Date.now() - started) / 1000);
  writeSync(2, "\r\x1b[K" + frames[frame++ % frames.length] + " " + workerData.label + " " + seconds + "s");
};
draw();
setInterval(draw, 100);
`;

/** Shows `label` with a spinner and elapsed seconds until the returned function is called. */
export function showProgress(label: string, stream: NodeJS.WriteStream = process.stderr): () => Promise<void> {
  if (!stream.isTTY) return async () => {};
  const worker = new Worker(SPINNER, { eval: true, workerData: { label } });
  worker.unref();
  return async () => {
    await worker.terminate();
    stream.write("\r\x1b[K");
  };
}
