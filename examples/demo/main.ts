// The demo guest: one spawn the host allows, one it denies.
import { output, spawn, ProcessError } from "host:process";

const echo = await spawn("echo", { args: ["hello from a child process, started by a WebAssembly guest"] });
for await (const line of echo.stdout) console.log(`echo says: ${line}`);
console.log(`echo exited with`, JSON.stringify(await echo.wait()));

const listing = await output("ls", { args: ["-1", "/"] });
console.log(`ls / found ${new TextDecoder().decode(listing.stdout).trim().split("\n").length} entries`);

try {
  await spawn("rm", { args: ["-rf", "/tmp/not-really"] });
  console.log("rm ran: the policy allowed it");
} catch (error) {
  if (!(error instanceof ProcessError)) throw error;
  console.log(`rm was refused: ${error.name} (${error.code}): ${error.message}`);
}
