// A host whose stdin, stdout and stderr are a terminal (the test gives it a
// pseudo-terminal). It starts `bash` with the host's stderr inherited but not
// its stdin (the default policy), the child's stdout piped back here; the
// child tries to read the keyboard three ways, announcing each on stdout,
// which this host prints as `PROMPT <way>` (the test types a line then),
// and finally writes a line to its stderr. Prints `RESULT <json>` (what the
// child read) and exits.
//   node terminal-host.mjs
import { writeSync } from "node:fs";
import { createProcessHost } from "host-process";

const script = `
for way in fd2 path tty; do
  echo "PROMPT $way"
  case $way in
    fd2) read -t 1 -r line <&2 ;;
    path) read -t 1 -r line </dev/stderr ;;
    tty) read -t 1 -r line </dev/tty ;;
  esac && echo "READ $way $line" || echo "REFUSED $way"
done
echo "written to the terminal by the child" >&2
`;
const host = createProcessHost({ allow: ["bash"] });
const { spawn } = host.imports["host:process/process"];
const child = spawn("bash", { args: ["-c", script], env: [], stdin: "null", stdout: "piped", stderr: "inherit" });
const stdout = child.takeStdout();
const results = [];
let pending = "";
for (;;) {
  let chunk;
  try {
    chunk = stdout.blockingRead(4096n);
  } catch {
    break;
  }
  pending += new TextDecoder().decode(chunk);
  let end;
  while ((end = pending.indexOf("\n")) >= 0) {
    const line = pending.slice(0, end);
    pending = pending.slice(end + 1);
    // At once (console.log may wait for this loop to end): the child is waiting for the keyboard.
    if (line.startsWith("PROMPT ")) writeSync(1, `${line}\n`);
    else results.push(line);
  }
}
child.wait();
await host.close();
console.log(`RESULT ${JSON.stringify(results)}`);
