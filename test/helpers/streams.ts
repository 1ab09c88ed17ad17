/** Reading a child's wasi:io stream from Node, as jco would call it. */

/** Blocking reads until the stream is closed (its end); the bytes as text (ASCII in these tests). */
export function readToEnd(stream: { blockingRead(len: bigint): Uint8Array }): string {
  let text = "";
  for (;;) {
    try {
      text += Buffer.from(stream.blockingRead(65536n)).toString("latin1");
    } catch (error) {
      if ((error as { tag?: string }).tag === "closed") return text;
      throw error;
    }
  }
}
