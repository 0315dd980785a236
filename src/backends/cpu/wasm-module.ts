/** Loading a committed .wasm file once: its bytes, whether this runtime accepts it, the compiled module. */
import { readFileSync } from 'node:fs';

export interface WasmFile {
  /** True when this runtime can compile it (SIMD, shared memory). */
  supported(): boolean;
  /** The compiled module (cached; structured-cloneable to workers). */
  module(): WebAssembly.Module;
}

export function wasmFile(url: URL): WasmFile {
  let bytes: Uint8Array<ArrayBuffer> | undefined;
  let mod: WebAssembly.Module | undefined;
  const read = () => (bytes ??= new Uint8Array(readFileSync(url)));
  return {
    supported() {
      try { return WebAssembly.validate(read()); } catch { return false; }
    },
    module() { return (mod ??= new WebAssembly.Module(read())); },
  };
}
