/**
 * Loader for the WebAssembly SIMD random-number kernel (src/backends/cpu/wasm/rng.wasm,
 * built from rng.c by scripts/build-wasm.sh). Output is bit-identical to
 * fillUniform / fillNormal in ./philox.ts.
 *
 * The module imports a shared WebAssembly.Memory (env.memory, maximum up to
 * 65536 pages). Two ways to use it:
 *
 *  - Zero copy: allocate tensor storage inside a shared memory, pass it as
 *    `memory`, and call fillUniformAt / fillNormalAt with byte addresses, or
 *    fillUniform / fillNormal with typed arrays whose .buffer is memory.buffer
 *    (detected automatically). Many workers can instantiate the module on the
 *    same memory: the kernel keeps no state in linear memory (no stack, no
 *    data), so only the output ranges must not overlap.
 *
 *  - Copy out: for any other typed array the kernel writes into a scratch
 *    region of the memory and the result is copied with TypedArray.set. With
 *    the default private memory the scratch is allocated automatically; with a
 *    caller-supplied memory pass `scratch` (each worker needs its own region).
 *
 * The compiled module can be sent to workers (postMessage(rngWasmModule())) and
 * instantiated there with instantiateRngWasm({ module, memory }).
 */
import { wasmFile } from './wasm-module.ts';
import { checkFillArgs, type RandomOut } from './philox.ts';

type Kernel = (
  out: number,
  k0: number,
  k1: number,
  stream: number,
  jlo: number,
  jhi: number,
  skip: number,
  count: number,
) => void;

interface RngExports {
  rng_uniform_f32: Kernel;
  rng_uniform_f64: Kernel;
  rng_normal_f32: Kernel;
  rng_normal_f64: Kernel;
  /** Test hook: ln_u of n raw words at `inp` (n % 4 == 0) into `out`. */
  rng_ln_u(out: number, inp: number, n: number): void;
  /** Test hook: cos of n raw words at out, then sin at out + 4n. */
  rng_sincos_u(out: number, inp: number, n: number): void;
}

export type RngDtype = 'float32' | 'float64';

export interface RngWasmOptions {
  /** Precompiled module (e.g. received from the main thread). */
  module?: WebAssembly.Module;
  /** A shared memory to run on; default: a private one with a scratch area. */
  memory?: WebAssembly.Memory;
  /** Scratch region of `memory` for the copy-out path (bytes; 16-aligned offset recommended). */
  scratch?: { byteOffset: number; byteLength: number };
}

export interface RngWasm {
  readonly memory: WebAssembly.Memory;
  readonly exports: RngExports;
  /** Same contract as philox.ts fillUniform. */
  fillUniform(out: RandomOut, seed: number, stream: number, start: number, end: number, outOffset?: number): void;
  /** Same contract as philox.ts fillNormal. */
  fillNormal(out: RandomOut, seed: number, stream: number, start: number, end: number, outOffset?: number): void;
  /** Writes elements [start, end) as `dtype` at byte address `byteOffset` of `memory`. */
  fillUniformAt(byteOffset: number, dtype: RngDtype, seed: number, stream: number, start: number, end: number): void;
  fillNormalAt(byteOffset: number, dtype: RngDtype, seed: number, stream: number, start: number, end: number): void;
}

const WASM_URL = new URL('./wasm/rng.wasm', import.meta.url);
const TWO_32 = 4294967296;
const PAGE = 65536;
const DEFAULT_SCRATCH_BYTES = 4 * PAGE;
const MAX_PAGES = 65536;
/** Elements per kernel call. */
const CALL_CHUNK = 1 << 16;

const file = wasmFile(WASM_URL);

/** True when this runtime can compile the SIMD + shared-memory module. */
export function rngWasmSupported(): boolean { return file.supported(); }

/** The compiled module (cached; structured-cloneable to workers). */
export function rngWasmModule(): WebAssembly.Module { return file.module(); }

/** A shared memory suitable for the kernel. */
export function createRngMemory(initialPages: number, maximumPages = MAX_PAGES): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages, shared: true });
}

/** Synchronous instantiation (the module is ~16 KB). */
export function instantiateRngWasm(opts: RngWasmOptions = {}): RngWasm {
  const module = opts.module ?? rngWasmModule();
  let memory = opts.memory;
  let scratch = opts.scratch;
  if (!memory) {
    memory = createRngMemory(DEFAULT_SCRATCH_BYTES / PAGE);
    scratch ??= { byteOffset: 0, byteLength: DEFAULT_SCRATCH_BYTES };
  }
  if (scratch) {
    if (scratch.byteOffset < 0 || scratch.byteOffset + scratch.byteLength > memory.buffer.byteLength)
      throw new RangeError('scratch region is outside the memory');
    if (scratch.byteLength < 64) throw new RangeError('scratch region too small (need >= 64 bytes)');
    if (scratch.byteOffset % 8 !== 0) throw new RangeError('scratch.byteOffset must be a multiple of 8');
  }
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const ex = instance.exports as unknown as RngExports;
  const mem = memory;

  function run(
    kernel: Kernel,
    byteOffset: number,
    bpe: number,
    seed: number,
    stream: number,
    start: number,
    end: number,
  ): void {
    const k0 = seed >>> 0;
    const k1 = Math.floor(seed / TWO_32) >>> 0;
    // Chunked so that V8's tier-up (Liftoff -> TurboFan, which happens between
    // calls, never inside one) kicks in during a large fill.
    for (let s = start; s < end; s += CALL_CHUNK) {
      const e = Math.min(end, s + CALL_CHUNK);
      const j = Math.floor(s / 4);
      const jhi = Math.floor(j / TWO_32) >>> 0;
      kernel(byteOffset + (s - start) * bpe, k0, k1, stream >>> 0, j >>> 0, jhi, s - 4 * j, e - s);
    }
  }

  function at(normal: boolean) {
    return (byteOffset: number, dtype: RngDtype, seed: number, stream: number, start: number, end: number) => {
      const bpe = dtype === 'float64' ? 8 : 4;
      const bytes = mem.buffer.byteLength;
      checkFillArgs({ length: Math.floor(bytes / bpe) }, seed, stream, start, end, 0);
      if (!Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset + (end - start) * bpe > bytes)
        throw new RangeError(`output [${byteOffset}, +${(end - start) * bpe}) is outside the wasm memory`);
      run(kernelFor(normal, bpe === 8), byteOffset, bpe, seed, stream, start, end);
    };
  }

  function kernelFor(normal: boolean, f64: boolean): Kernel {
    return normal ? (f64 ? ex.rng_normal_f64 : ex.rng_normal_f32) : f64 ? ex.rng_uniform_f64 : ex.rng_uniform_f32;
  }

  function typed(normal: boolean) {
    return (out: RandomOut, seed: number, stream: number, start: number, end: number, outOffset = 0) => {
      checkFillArgs(out, seed, stream, start, end, outOffset);
      if (end === start) return;
      const f64 = out instanceof Float64Array;
      const bpe = f64 ? 8 : 4;
      const kernel = kernelFor(normal, f64);
      if (out.buffer === mem.buffer) {
        run(kernel, out.byteOffset + outOffset * bpe, bpe, seed, stream, start, end);
        return;
      }
      if (!scratch)
        throw new Error('rng wasm: output is not in the wasm memory and no scratch region was given');
      const cap = Math.floor(scratch.byteLength / bpe);
      const view = f64
        ? new Float64Array(mem.buffer, scratch.byteOffset, cap)
        : new Float32Array(mem.buffer, scratch.byteOffset, cap);
      for (let s = start; s < end; s += cap) {
        const e = Math.min(end, s + cap);
        run(kernel, scratch.byteOffset, bpe, seed, stream, s, e);
        out.set(view.subarray(0, e - s), outOffset + (s - start));
      }
    };
  }

  return {
    memory: mem,
    exports: ex,
    fillUniform: typed(false),
    fillNormal: typed(true),
    fillUniformAt: at(false),
    fillNormalAt: at(true),
  };
}

/** Async flavour of instantiateRngWasm (same result). */
export async function loadRngWasm(opts: RngWasmOptions = {}): Promise<RngWasm> {
  return instantiateRngWasm(opts);
}
