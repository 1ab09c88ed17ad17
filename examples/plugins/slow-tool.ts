// Plugin "slow-tool": runs a slow tool (`sleep 1` stands for one) and waits
// for it. Its host allows it `sleep` and nothing else, and runs it in a thread
// of its own, so the host goes on while this plugin waits.
import { spawn } from "host:process";

const tool = await spawn("sleep", { args: ["1"] });
const status = await tool.wait();
console.log(`slow-tool: sleep 1 ended (exit code ${status.code})`);
