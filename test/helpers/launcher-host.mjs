// A host that waits until its launcher is ready, starts `sleep` children
// through it, prints `PIDS [...]` and `LAUNCHER <pid>`, then blocks in a
// synchronous wait (as under a blocked guest) until something ends it.
//   node launcher-host.mjs <count>
import { createProcessHost, spawnerStats } from "host-process";

const [count = "2"] = process.argv.slice(2);
const host = createProcessHost({ allow: ["sleep"] }, { killGraceMs: 300 });
const { spawn } = host.imports["host:process/process"];
const options = { args: ["100"], env: [], stdin: "null", stdout: "null", stderr: "null" };
// The first spawn starts the spawner (and its launcher).
spawn("sleep", { ...options, args: ["0"] }).wait();
while (spawnerStats().launcher === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
const children = Array.from({ length: Number(count) }, () => spawn("sleep", options));
console.log(`LAUNCHER ${spawnerStats().launcher}`);
console.log(`PIDS ${JSON.stringify(children.map((child) => child.pid()))}`);
children[0].wait();
