// A host on its own thread that spawns `sleep 1000.<marker>` as fast as it can
// (dropping the oldest of 5 handles each time) until something kills it.
//   node spawn-loop-host.mjs <marker>
import { createProcessHost } from "host-process";

const [marker] = process.argv.slice(2);
const host = createProcessHost({ allow: ["sleep"] }, { killGraceMs: 300 });
const { spawn } = host.imports["host:process/process"];
const options = { args: [`1000.${marker}`], env: [], stdin: "null", stdout: "null", stderr: "null" };
const held = [];
console.log("READY");
for (;;) {
  held.push(spawn("sleep", options));
  if (held.length > 5) held.shift()[Symbol.dispose]();
}
