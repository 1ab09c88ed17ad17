// The policy's JSON Schema (exported as host-process/policy.schema.json) must
// name exactly the options the normalizer knows: a new option without a schema
// entry, or a schema entry for an option that is gone, fails here.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { CONFINE_OPTIONS, POLICY_OPTIONS } from "host-process";

const schemaPath = createRequire(import.meta.url).resolve("host-process/policy.schema.json");

interface Schema {
  $ref: string;
  definitions: Record<string, { properties?: Record<string, { description?: string }>; additionalProperties?: boolean }>;
}

describe("schema/policy.schema.json", () => {
  it("lists exactly the options the normalizer knows", async () => {
    const schema = JSON.parse(await readFile(schemaPath, "utf8")) as Schema;
    expect(schema.$ref).toBe("#/definitions/ProcessPolicy");
    const policy = schema.definitions.ProcessPolicy!;
    expect(Object.keys(policy.properties ?? {}).sort()).toEqual([...POLICY_OPTIONS].sort());
    // The normalizer refuses unknown options; so does the schema.
    expect(policy.additionalProperties).toBe(false);
  });

  it("lists exactly the fields `confine` knows, globally and per rule, each described", async () => {
    const schema = JSON.parse(await readFile(schemaPath, "utf8")) as Schema;
    const confine = schema.definitions.ConfineOptions!;
    expect(Object.keys(confine.properties ?? {}).sort()).toEqual([...CONFINE_OPTIONS].sort());
    expect(confine.additionalProperties).toBe(false);
    for (const [name, property] of Object.entries(confine.properties ?? {})) expect(property.description, name).toMatch(/Default: /);
    expect(Object.keys(schema.definitions.CommandRule!.properties ?? {})).toContain("confine");
  });

  it("describes every option (from the TSDoc of ProcessPolicy)", async () => {
    const schema = JSON.parse(await readFile(schemaPath, "utf8")) as Schema;
    for (const [name, property] of Object.entries(schema.definitions.ProcessPolicy!.properties ?? {})) {
      expect(property.description, name).toMatch(/\S/);
    }
  });
});
