#!/usr/bin/env node
// Generates schema/policy.schema.json from the `ProcessPolicy` type (and its
// TSDoc) in host/policy/normalize.ts. With --check, writes nothing and exits 1
// if the committed schema differs from what the type gives now.
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createGenerator } from "ts-json-schema-generator";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = join(root, "schema", "policy.schema.json");

const generated = createGenerator({
  path: join(root, "host", "policy", "normalize.ts"),
  tsconfig: join(root, "tsconfig.json"),
  type: "ProcessPolicy",
  expose: "export",
  topRef: true,
  jsDoc: "extended",
  additionalProperties: false,
  skipTypeCheck: true,
}).createSchema("ProcessPolicy");

const schema = {
  $schema: generated.$schema,
  $comment: "Generated from ProcessPolicy in host/policy/normalize.ts by `npm run schema`; do not edit by hand.",
  title: "host-process policy",
  ...generated,
};
const text = `${JSON.stringify(schema, null, 2)}\n`;

if (process.argv.includes("--check")) {
  const committed = await readFile(target, "utf8").catch(() => "");
  if (committed !== text) {
    console.error("schema/policy.schema.json is stale: ProcessPolicy changed. Run `npm run schema` and commit the result.");
    process.exit(1);
  }
  console.log("schema/policy.schema.json matches ProcessPolicy");
} else {
  await writeFile(target, text);
  console.log(`wrote ${target}`);
}
