// A host that embeds two plugin components, each under its own policy, and
// watches every decision on the `host-process:decision` diagnostics channel.
//
//   node examples/plugins/host.mjs word-count.wasm system-info.wasm
//
// The channel tells which process host decided (`decision.instance`, a
// number); an AsyncLocalStorage set around each plugin's run tells the
// subscriber which plugin that is, because decisions are published
// synchronously inside the plugin's own call into the host.
// @ts-check
import { AsyncLocalStorage } from "node:async_hooks";
import { subscribe } from "node:diagnostics_channel";
import { DECISION_CHANNEL, instantiateComponent } from "host-process";

const [wordCount, systemInfo] = process.argv.slice(2);
if (!wordCount || !systemInfo) {
  console.error("usage: node examples/plugins/host.mjs word-count.wasm system-info.wasm");
  process.exit(2);
}

/** @type {AsyncLocalStorage<string>} */
const plugin = new AsyncLocalStorage();

subscribe(DECISION_CHANNEL, (message) => {
  const decision = /** @type {import("host-process").PolicyDecision} */ (message);
  const argv = [decision.command, ...decision.args].join(" ");
  const verdict = decision.allowed ? `allowed by ${decision.rules.join(", ")}` : `refused (${decision.code}): ${decision.message}`;
  console.error(`[decision] ${plugin.getStore() ?? "?"}: ${decision.action} ${argv}: ${verdict}`);
});

/** Instantiates one plugin under its policy, runs it, and always closes it. */
async function runPlugin(/** @type {string} */ name, /** @type {string} */ file, /** @type {import("host-process").ProcessPolicy} */ policy, /** @type {string[]} */ args) {
  const instance = await instantiateComponent(file, { policy, args: [name, ...args] });
  try {
    return await plugin.run(name, () => instance.run());
  } finally {
    await instance.close();
  }
}

// One plugin at a time: their output stays in order. Each has its own policy
// and its own children; what one is allowed, the other is not.
const codes = [
  await runPlugin("word-count", wordCount, { allow: ["wc"] }, ["plugins run under the policy their host gives them"]),
  await runPlugin("system-info", systemInfo, { allow: ["uname"] }, []),
];
process.exitCode = codes.every((code) => code === 0) ? 0 : 1;
