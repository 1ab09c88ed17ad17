// A host that instantiates a component under a policy and does nothing else
// (it neither runs the guest nor calls the spawner): prints `READY`, then
// closes the instance and exits when its stdin ends.
//   node instantiate-host.mjs <component> <policy as JSON>
import { instantiateComponent } from "host-process";

const [component, policy] = process.argv.slice(2);
const instance = await instantiateComponent(component, { policy: JSON.parse(policy) });
console.log("READY");
process.stdin.resume();
process.stdin.on("end", () => instance.close().then(() => process.exit(0)));
