// An interactive session with `bc`, driven through its stdin and stdout: every
// line you type goes to bc, and bc's answers (and errors) come back. After each
// line the guest asks bc to print a marker, so it knows when bc has answered.
import { getStdin } from "wasi:cli/stdin@0.2.12";
import { spawn } from "host:process";

const MARKER = "__host_process_answered__";

/** Lines of the guest's own stdin (the policy's `wasi.stdin` must allow it). */
async function* stdinLines(): AsyncGenerator<string> {
  const stdin = getStdin();
  const decoder = new TextDecoder();
  let pending = "";
  for (;;) {
    let chunk: Uint8Array;
    try {
      chunk = stdin.blockingRead(4096n);
    } catch {
      break; // end of input
    }
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    yield* lines;
  }
  if (pending !== "") yield pending;
}

const bc = await spawn("bc", { args: ["-q"], stdin: "piped" });
const answers = bc.all[Symbol.asyncIterator]();
for await (const line of stdinLines()) {
  // A bc string prints as it is: this one prints the marker and a newline.
  await bc.stdin.write(`${line}\n"${MARKER}\n"\n`);
  for (let answer = await answers.next(); !answer.done && answer.value !== MARKER; answer = await answers.next()) {
    console.log(answer.value);
  }
}
await bc.stdin.close();
const status = await bc.wait();
if (!status.success) console.error(`bc ended with ${JSON.stringify(status)}`);
