// The WebAssembly JS API that Node provides; TypeScript declares it only in the DOM lib.
declare namespace WebAssembly {
  interface Module {}
  function compile(bytes: Uint8Array): Promise<Module>;
}
