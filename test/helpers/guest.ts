/** Runs a scenario of a guest fixture in this process and collects its `READY`/`RESULT` lines. */
import { instantiateComponent, type ComponentInstance, type InstantiateOptions } from "host-process";

export interface GuestRun {
  instance: ComponentInstance;
  /** What `run` returned (the exit code) or threw. */
  outcome: { code: number } | { thrown: unknown };
  ready: any[];
  result: any;
  output: string;
}

/** Instantiates `component` with `guest <scenario> <json>` as its arguments. */
export function instantiateGuest(
  component: string,
  scenario: string,
  config: unknown = {},
  options: InstantiateOptions = {},
): Promise<ComponentInstance> {
  return instantiateComponent(component, { ...options, args: ["guest", scenario, JSON.stringify(config)] });
}

/**
 * Runs an instance's `wasi:cli/run`; the instance is left open for the test to
 * inspect and close. The guest's stdout is `process.stdout` (preview2-shim
 * writes it there), so it is captured for the duration of the run.
 */
export async function runInstance(instance: ComponentInstance): Promise<GuestRun> {
  const write = process.stdout.write;
  let output = "";
  process.stdout.write = ((chunk: string | Uint8Array) => {
    output += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stdout.write;
  let outcome: GuestRun["outcome"];
  try {
    outcome = { code: await instance.run() };
  } catch (thrown) {
    outcome = { thrown };
  } finally {
    process.stdout.write = write;
  }
  const lines = output.split("\n");
  const values = (kind: string) => lines.filter((l) => l.startsWith(`${kind} `)).map((l) => JSON.parse(l.slice(kind.length + 1)));
  return { instance, outcome, ready: values("READY"), result: values("RESULT")[0], output };
}

/** `instantiateGuest`, then `runInstance`. */
export async function runGuest(...args: Parameters<typeof instantiateGuest>): Promise<GuestRun> {
  return runInstance(await instantiateGuest(...args));
}
