// A host that starts process trees, prints `PIDS [...]` once they all run, then
// ends without close(): `exit` returns (Node exits normally), `block` waits
// for a child synchronously, as the main thread does under a blocked guest, so
// that no JavaScript of the host can run when a signal ends it.
//   node dying-host.mjs <exit|block> <count> [script]
import { createProcessHost } from "host-process";

const [mode = "block", count = "2", script = "sleep 100 & echo started; sleep 100"] = process.argv.slice(2);
const host = createProcessHost({ allow: ["sh"] }, { killGraceMs: 300 });
const { spawn } = host.imports["host:process/process"];
const children = [];
for (let i = 0; i < Number(count); i++) {
  const child = spawn("sh", { args: ["-c", script], env: [], stdin: "null", stdout: "piped", stderr: "null" });
  const started = new TextDecoder().decode(child.takeStdout().blockingRead(100n));
  if (started !== "started\n") throw new Error(`unexpected output ${JSON.stringify(started)}`);
  children.push(child);
}
console.log(`PIDS ${JSON.stringify(children.map((child) => child.pid()))}`);
if (mode === "block") children[0].wait();
