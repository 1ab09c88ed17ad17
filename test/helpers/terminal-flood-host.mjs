// A host on a terminal whose child leaves behind a process that floods its
// inherited stdout (copied to the terminal through a pipe) for ever: the
// child's wait() must return and the next spawn must still start; then
// close() ends the flood. Prints `RESULT <json>` to stderr (stdout is flooded).
//   node terminal-flood-host.mjs
import { writeSync } from "node:fs";
import { createProcessHost } from "host-process";

const host = createProcessHost({ allow: ["sh", "true"] }, { killGraceMs: 300 });
const { spawn } = host.imports["host:process/process"];
const quiet = { env: [], stdin: "null", stdout: "null", stderr: "null" };
const flooding = spawn("sh", { ...quiet, args: ["-c", "yes flood & sleep 0.2"], stdout: "inherit" });
const waited = flooding.wait();
const next = spawn("true", { ...quiet, args: [] }).wait();
await host.close();
writeSync(2, `RESULT ${JSON.stringify({ waited, next })}\n`);
