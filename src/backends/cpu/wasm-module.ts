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

/**
 * An instance of `file` on a new shared memory of 1 page growing to `maxPages` (the modules import a
 * shared memory: build-wasm.sh), or null where this runtime cannot compile or instantiate it.
 */
export function instantiateShared<E>(file: WasmFile, maxPages: number): { mem: WebAssembly.Memory; ex: E } | null {
  try {
    if (!file.supported()) return null;
    const mem = new WebAssembly.Memory({ initial: 1, maximum: maxPages, shared: true });
    return { mem, ex: new WebAssembly.Instance(file.module(), { env: { memory: mem } }).exports as unknown as E };
  } catch {
    return null;
  }
}
