/**
 * Line splitting for child output that arrives in chunks of any size:
 * `"\n"` or `"\r\n"` ends a line, a last line without a newline is kept, and
 * only the unfinished line is ever held (never the whole output).
 * @internal
 */
export class LineDecoder {
  readonly #decoder = new TextDecoder();
  /** The start of the current, unfinished line, as the chunks that brought it (joined once, when it ends). */
  #pending: string[] = [];

  /** Decodes `chunk` (UTF-8, a character may be split across chunks) and returns the lines it completed. */
  push(chunk: Uint8Array): string[] {
    return this.#split(this.#decoder.decode(chunk, { stream: true }));
  }

  /** Ends the input: returns the last line if it had no newline. */
  end(): string | undefined {
    const rest = this.#decoder.decode();
    if (rest !== "") this.#pending.push(rest);
    if (this.#pending.length === 0) return undefined;
    // Without its "\n", a trailing "\r" ends no line: it is the text's own.
    const last = this.#pending.join("");
    this.#pending = [];
    return last;
  }

  #split(text: string): string[] {
    const first = text.indexOf("\n");
    if (first < 0) {
      if (text !== "") this.#pending.push(text);
      return [];
    }
    const parts = text.split("\n");
    parts[0] = this.#pending.join("") + parts[0];
    const rest = parts.pop() as string;
    this.#pending = rest === "" ? [] : [rest];
    return parts.map(stripCarriageReturn);
  }
}

function stripCarriageReturn(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}
