import { spawn } from "host:process";
const proc = await spawn("ls", { args: ["-la"] });
for await (const line of proc.stdout) { console.log(line); }
await proc.wait();
