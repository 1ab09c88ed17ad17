// A host that embeds two plugin components, each under its own policy, and
// watches every decision on the `host-process:decision` diagnostics channel.
//
//   node examples/plugins/host.mjs word-count.wasm system-info.wasm slow-tool.wasm
//
// The channel tells which process host decided (`decision.instance`, a
// number); an AsyncLocalStorage set around each plugin's run tells the
// subscriber which plugin that is, because decisions are published
// synchronously inside the plugin's own call into the host (a plugin in a
// thread of its own sends them to the host's thread, where they are published
// in the context its thread was made in).
//
// The third plugin runs in a worker thread (`thread: true`): while it waits
// for its child, the host's own timer keeps ticking. Each tick asks the
// instance which of its children still run; a tick that finds the plugin's
// child running happened before the plugin's wait() could return.
// @ts-check
import { AsyncLocalStorage } from "node:async_hooks";
import { subscribe } from "node:diagnostics_channel";
import { DECISION_CHANNEL, instantiateComponent } from "host-process";

const [wordCount, systemInfo, slowTool] = process.argv.slice(2);
if (!wordCount || !systemInfo || !slowTool) {
  console.error("usage: node examples/plugins/host.mjs word-count.wasm system-info.wasm slow-tool.wasm");
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

/**
 * Runs one plugin in a thread of its own while a host timer ticks every 200 ms;
 * prints each tick that finds the plugin's children still running. The thread
 * is made inside `plugin.run`, so the decisions it sends back carry the name.
 */
function runThreadedPlugin(/** @type {string} */ name, /** @type {string} */ file, /** @type {import("host-process").ProcessPolicy} */ policy) {
  return plugin.run(name, () => runInThread(name, file, policy));
}

async function runInThread(/** @type {string} */ name, /** @type {string} */ file, /** @type {import("host-process").ProcessPolicy} */ policy) {
  const instance = await instantiateComponent(file, { policy, args: [name], thread: true });
  let ticks = 0;
  let running = true;
  const timer = setInterval(async () => {
    const children = await instance.liveChildren();
    if (running && children.length > 0) {
      ticks++;
      console.error(`[host] tick: ${name} is waiting, its child still runs`);
    }
  }, 200);
  try {
    return await instance.run();
  } finally {
    running = false;
    clearInterval(timer);
    await instance.close();
    console.error(`[host] ${name} returned; the host's timer ticked ${ticks} times while it waited`);
  }
}

// One plugin at a time: their output stays in order. Each has its own policy
// and its own children; what one is allowed, the other is not.
const codes = [
  await runPlugin("word-count", wordCount, { allow: ["wc"] }, ["plugins run under the policy their host gives them"]),
  await runPlugin("system-info", systemInfo, { allow: ["uname"] }, []),
  await runThreadedPlugin("slow-tool", slowTool, { allow: ["sleep"] }),
];
process.exitCode = codes.every((code) => code === 0) ? 0 : 1;
