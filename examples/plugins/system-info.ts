// Plugin "system-info": names the kernel with `uname -s`, then tries `wc`,
// which only the other plugin's policy allows.
import { output, spawn, ProcessError } from "host:process";

const uname = await output("uname", { args: ["-s"] });
console.log(`system-info: kernel ${uname.text().trim()}`);
try {
  await spawn("wc", { args: ["-l"] });
  console.log("system-info: wc ran");
} catch (error) {
  if (!(error instanceof ProcessError)) throw error;
  console.log(`system-info: wc was refused: ${error.name} (${error.code})`);
}
