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

/**
 * A `LineDecoder` that also keeps the raw bytes of what it has not handed out
 * yet, so that a reader who stops early (`break`) can put them back exactly
 * as they came, whatever their encoding or line endings.
 * @internal
 */
export class LineSplitter {
  readonly #decoder = new LineDecoder();
  /** The raw bytes of the current, unfinished line. */
  #carry: Uint8Array[] = [];
  /** Where the last batch of lines came from: the unfinished line before it, and the chunk. */
  #source: { before: Uint8Array[]; chunk: Uint8Array } = { before: [], chunk: new Uint8Array(0) };

  /** The lines `chunk` completed. */
  push(chunk: Uint8Array): string[] {
    const lines = this.#decoder.push(chunk);
    const before = this.#carry;
    const last = chunk.lastIndexOf(NEWLINE);
    this.#carry = last < 0 ? [...before, chunk] : [chunk.subarray(last + 1)];
    this.#source = { before, chunk };
    return lines;
  }

  /** Ends the input: the last line if it had no newline. */
  end(): string | undefined {
    this.#source = { before: this.#carry, chunk: new Uint8Array(0) };
    this.#carry = [];
    return this.#decoder.end();
  }

  /**
   * The raw bytes not handed out when `consumed` of the last batch's `batch`
   * lines were (by default all of them: then only the unfinished line is left).
   */
  rest(consumed = 0, batch = 0): Uint8Array[] {
    if (consumed >= batch) return this.#carry;
    const { before, chunk } = this.#source;
    if (consumed === 0) return [...before, chunk];
    // The first `consumed` lines ended at the first `consumed` newlines of the chunk.
    let end = -1;
    for (let line = 0; line < consumed; line++) end = chunk.indexOf(NEWLINE, end + 1);
    return [chunk.subarray(end + 1)];
  }
}

const NEWLINE = 0x0a;
