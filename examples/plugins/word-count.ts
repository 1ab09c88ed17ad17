// Plugin "word-count": counts the words of its argument with `wc -w`, fed
// through the child's stdin. Its host allows it `wc` and nothing else.
import { getArguments } from "wasi:cli/environment@0.2.12";
import { spawn } from "host:process";

const [, text = ""] = getArguments();
const wc = await spawn("wc", { args: ["-w"], stdin: "piped" });
await wc.stdin.write(text);
await wc.stdin.close();
let count = "";
for await (const line of wc.stdout) count += line.trim();
await wc.wait();
console.log(`word-count: ${count} words`);
