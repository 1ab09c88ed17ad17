import type { TestProject } from "vitest/node";
import { buildFixture, FIXTURES, type FixtureName } from "./helpers/fixtures.js";

declare module "vitest" {
  export interface ProvidedContext {
    fixtures: Record<FixtureName, string>;
  }
}

/** Builds every guest fixture once per run (cached across runs by content hash). */
export default async function setup(project: TestProject): Promise<void> {
  const names = Object.keys(FIXTURES) as FixtureName[];
  const fixtures = {} as Record<FixtureName, string>;
  // Two at a time: componentize is CPU-heavy and the machine has 2 cores.
  for (let i = 0; i < names.length; i += 2) {
    const batch = names.slice(i, i + 2);
    const built = await Promise.all(batch.map((name) => buildFixture(name)));
    batch.forEach((name, j) => (fixtures[name] = built[j]!));
  }
  project.provide("fixtures", fixtures);
}
