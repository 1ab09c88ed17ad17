// Issue 11: what a blocking import costs the host's event loop, and per call,
// under the two candidate mechanisms, on the Node that runs this:
//   node bench/repro/jspi-vs-thread.mjs     (JSPI rows need Node 24+)
// A core module's `run` calls an import `wait` N times; the host counts its own
// 10 ms timer meanwhile. "sync" is today's import (Atomics.wait on a worker, as
// preview2-shim's calls are); "jspi" is the same wait as a promise behind
// WebAssembly.Suspending; "thread" runs the sync module in a worker thread.
import { parse } from "@bytecodealliance/jco";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

const WAT = `(module (import "h" "wait" (func $wait (param i32))) (func (export "run") (param $n i32) (param $ms i32)
  (loop $l (call $wait (local.get $ms)) (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br_if $l (local.get $n)))))`;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const syncWait = (ms) => Atomics.wait(sleeper, 0, 0, ms);

if (!isMainThread) {
  const instance = await WebAssembly.instantiate(workerData.module, { h: { wait: syncWait } });
  const started = performance.now();
  instance.exports.run(workerData.n, workerData.ms);
  parentPort.postMessage(performance.now() - started);
} else {
  const module = await WebAssembly.compile(await parse(WAT));
  const measure = async (label, n, ms, body) => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const started = performance.now();
    const inner = await body(n, ms);
    const total = performance.now() - started;
    // A thread's own figure leaves out its start-up (given apart).
    const elapsed = typeof inner === "number" ? inner : total;
    clearInterval(timer);
    const startup = typeof inner === "number" ? `, thread start-up ${(total - inner).toFixed(0)} ms` : "";
    console.log(`${label.padEnd(8)} ${String(n).padStart(6)} waits of ${ms} ms: ${elapsed.toFixed(0).padStart(6)} ms, ${((elapsed / n) * 1000).toFixed(1).padStart(7)} µs per call, host timer fired ${ticks} times${startup}`);
  };
  const sync = async (n, ms) => (await WebAssembly.instantiate(module, { h: { wait: syncWait } })).exports.run(n, ms);
  const thread = (n, ms) => new Promise((resolve) => new Worker(new URL(import.meta.url), { workerData: { module, n, ms } }).once("message", resolve));
  const jspi = async (n, ms) => {
    const wait = new WebAssembly.Suspending((ms) => (ms === 0 ? Promise.resolve() : new Promise((r) => setTimeout(r, ms))));
    const instance = await WebAssembly.instantiate(module, { h: { wait } });
    await WebAssembly.promising(instance.exports.run)(n, ms);
  };
  const hasJspi = typeof WebAssembly.Suspending === "function";
  console.log(`Node ${process.version}: JSPI ${hasJspi ? "available" : "absent"}`);
  for (const [label, body] of [["sync", sync], ["thread", thread], ...(hasJspi ? [["jspi", jspi]] : [])]) {
    await measure(label, 10, 300, body);
    await measure(label, 20000, 0, body);
  }
}
