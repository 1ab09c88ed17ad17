/**
 * A child's stdout or stderr as the guest holds it: when the guest drops the
 * stream, the pipe is closed at once (as closing a pipe's read end does on
 * Unix), instead of lingering, full, until the child blocks forever.
 */
import type { InputStream } from "@bytecodealliance/preview2-shim/interfaces/wasi-io-streams";

/**
 * jco drops a host resource by calling its `Symbol.dispose`; this instance's
 * own method runs the shim's disposal, then `close`. (Only an explicit drop
 * reaches it; a stream the garbage collector finalizes goes at `close()`.)
 */
export function closeWhenDropped(stream: InputStream, close: () => void): InputStream {
  const dispose = (stream as unknown as Disposable)[Symbol.dispose];
  Object.defineProperty(stream, Symbol.dispose, {
    configurable: true,
    value(this: InputStream) {
      dispose.call(this);
      close();
    },
  });
  return stream;
}
