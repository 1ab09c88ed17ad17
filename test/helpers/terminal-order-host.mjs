// A host on a terminal that runs `seq 1 3000` with its stdout inherited (and
// so, stdin not being inherited, copied to the terminal through a pipe) and
// prints `AFTER <i>` once wait() returns, 20 times.
//   node terminal-order-host.mjs
import { writeSync } from "node:fs";
import { createProcessHost } from "host-process";
const host = createProcessHost({ allow: ["seq"] });
const { spawn } = host.imports["host:process/process"];
for (let i = 0; i < 20; i++) { spawn("seq", { args: ["1", "3000"], env: [], stdin: "null", stdout: "inherit", stderr: "null" }).wait(); writeSync(1, `AFTER ${i}\n`); }
await host.close();
