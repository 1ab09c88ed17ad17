// `grep -o -E PATTERN FILE | sort | uniq -c`, chained through the guest: each
// child's stdout is copied, chunk by chunk, into the next one's stdin. (The host
// has no OS-pipe pipeline yet; the raw `wasi:io` `splice` could move the bytes
// without copying them into JavaScript.) The guest never reads FILE itself:
// grep does, with the host user's rights, because the policy allows grep.
import { getArguments } from "wasi:cli/environment@0.2.12";
import { spawn, type ChildProcess } from "host:process";

const [, pattern = "ERROR|WARN|INFO", file = "examples/pipeline/sample.log"] = getArguments();

// One signal for the whole pipeline: aborting it ends every stage. The copies
// run at once: a stage waiting for input lets the others go on.
const pipeline = new AbortController();
const { signal } = pipeline;

/** Copies `from`'s stdout into `to`'s stdin, then closes it (the next stage reads end-of-file). */
async function pipe(from: ChildProcess, to: ChildProcess): Promise<void> {
  for (let chunk = await from.readStdout(); !chunk.eof; chunk = await from.readStdout()) await to.stdin.write(chunk.data);
  await to.stdin.close();
}

const grep = await spawn("grep", { args: ["-o", "-E", pattern, file], signal });
const sort = await spawn("sort", { stdin: "piped", signal });
const uniq = await spawn("uniq", { args: ["-c"], stdin: "piped", signal });

const counts: string[] = [];
async function collect(): Promise<void> {
  for await (const line of uniq.stdout) counts.push(line);
}

try {
  await Promise.all([pipe(grep, sort), pipe(sort, uniq), collect()]);
} catch (error) {
  pipeline.abort();
  throw error;
}
const [grepStatus, sortStatus, uniqStatus] = await Promise.all([grep.wait(), sort.wait(), uniq.wait()]);
for (const line of counts) console.log(line);
// grep exits 1 when nothing matched, 2 on a real error (such as a missing file).
if (grepStatus.code === 2 || !sortStatus.success || !uniqStatus.success) {
  for await (const line of grep.stderr) console.error(line);
  throw new Error(`the pipeline failed: grep ${grepStatus.code}, sort ${sortStatus.code}, uniq ${uniqStatus.code}`);
}
