// A host started with extra descriptors from its parent (fd 3 and up) and a
// secret in its environment. It spawns `sh -c` (named in allow) children, the
// first one at once (before the launcher is ready) and one later, and prints
// what each sees of its own descriptors and of its parent's environment:
//   VIEW {"via":"first"|"later","fds":[0,1,2],"parentEnviron":"..."}
import { createProcessHost, spawnerStats } from "host-process";

const host = createProcessHost({ allow: ["sh"] });
const { spawn } = host.imports["host:process/process"];
// No pipeline while ls lists the shell's descriptors: the shell holds a pipeline's read end (fd 3)
// until it has started the second command, and ls, started first, sometimes lists it before that.
const script = 'ls /proc/$$/fd; echo --; tr "\\0" " " < /proc/$PPID/environ';
const view = (via) => {
  const child = spawn("sh", { args: ["-c", script], env: [], stdin: "null", stdout: "piped", stderr: "null" });
  const stdout = child.takeStdout();
  let text = "";
  try {
    for (;;) text += new TextDecoder().decode(stdout.blockingRead(65536n));
  } catch {
    // end of the child's output
  }
  child.wait();
  const [fds, environ] = text.split("--\n");
  const numbers = fds.trim().split(/\s+/).map(Number).sort((a, b) => a - b);
  console.log(`VIEW ${JSON.stringify({ via, fds: numbers, parentEnviron: environ ?? "" })}`);
};
view("first");
while (spawnerStats().launcher === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
view("later");
await host.close();
