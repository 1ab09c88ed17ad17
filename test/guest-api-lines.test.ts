// The guest module's line splitter, run directly on Node: every way of cutting
// the same bytes into chunks must give the same lines.
import { describe, expect, it } from "vitest";
import { LineDecoder } from "../guest-bindings/lines.js";

function linesOf(chunks: Uint8Array[]): string[] {
  const decoder = new LineDecoder();
  const lines = chunks.flatMap((chunk) => decoder.push(chunk));
  const last = decoder.end();
  return last === undefined ? lines : [...lines, last];
}

/** Every split of `bytes` into up to three chunks. */
function* splits(bytes: Uint8Array): Generator<Uint8Array[]> {
  for (let i = 0; i <= bytes.length; i++) {
    for (let j = i; j <= bytes.length; j++) yield [bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)];
  }
}

describe("LineDecoder", () => {
  const cases: [string, string[]][] = [
    ["a\r\nb\n\nc\rd\r\nlast", ["a", "b", "", "c\rd", "last"]],
    ["é€𝄞\r\n日本\n", ["é€𝄞", "日本"]],
    ["no newline at all", ["no newline at all"]],
    ["ends with cr\r", ["ends with cr\r"]],
    ["\n\n", ["", ""]],
    ["", []],
  ];
  it.each(cases)("splits %j the same way however it is chunked", (text, expected) => {
    const bytes = new TextEncoder().encode(text);
    for (const chunks of splits(bytes)) expect(linesOf(chunks)).toEqual(expected);
  });

  it("holds only the unfinished line: completed lines are returned at once", () => {
    const decoder = new LineDecoder();
    expect(decoder.push(new TextEncoder().encode("one\ntw"))).toEqual(["one"]);
    expect(decoder.push(new TextEncoder().encode("o\nthree"))).toEqual(["two"]);
    expect(decoder.end()).toBe("three");
    expect(decoder.end()).toBeUndefined();
  });
});
