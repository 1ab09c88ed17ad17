// Summarises the git repository in the current directory: branch, changed
// files by kind, and the last commits. Runs exactly two git commands, which
// policy.json allows with these arguments and no others.
import { getArguments } from "wasi:cli/environment@0.2.12";
import { output, ProcessError } from "host:process";

const [, count = "5"] = getArguments();

async function git(...args: string[]): Promise<string> {
  const result = await output("git", { args });
  if (!result.status.success) throw new Error(`git ${args.join(" ")} failed: ${result.text("stderr").trim()}`);
  return result.text();
}

/** `git status --porcelain=v1 --branch`: "## branch...upstream [ahead 1]", then "XY path" per file. */
function summariseStatus(text: string): { branch: string; counts: Map<string, number> } {
  const [header = "", ...files] = text.split("\n").filter((line) => line !== "");
  const counts = new Map<string, number>();
  const kinds: Record<string, string> = { M: "modified", A: "added", D: "deleted", R: "renamed", C: "copied", U: "conflicted", "?": "untracked" };
  for (const line of files) {
    const code = line.slice(0, 2).trim()[0] ?? "?";
    const kind = kinds[code] ?? "changed";
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return { branch: header.replace(/^## /, ""), counts };
}

try {
  const { branch, counts } = summariseStatus(await git("status", "--porcelain=v1", "--branch"));
  console.log(`branch: ${branch}`);
  console.log(counts.size === 0 ? "working tree: clean" : `working tree: ${[...counts].map(([kind, n]) => `${n} ${kind}`).join(", ")}`);
  const log = (await git("log", "--oneline", "-n", count)).trimEnd();
  console.log(`last ${count} commits:`);
  for (const line of log.split("\n")) if (line !== "") console.log(`  ${line}`);
} catch (error) {
  if (!(error instanceof ProcessError)) throw error;
  console.error(`${error.name} (${error.code}): ${error.message}`);
  throw error;
}
