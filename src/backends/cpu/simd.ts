/**
 * Loader for the WebAssembly SIMD float32 kernels (src/backends/cpu/wasm/ew.wasm, built from ew.c by
 * scripts/build-wasm.sh): elementwise add/sub/mul/div/maximum/minimum, neg/abs/sqrt/relu, fill, copy and
 * the protocol's block sum / block dot. Results are bit-identical to the JS kernels of ./kernels.ts on
 * float32 data (see ew.c for why; NaN *payloads* aside, see below).
 *
 * Zero copy: the kernels work on byte addresses in one shared WebAssembly.Memory, normally the memory of
 * an ./arena.ts Arena that holds the tensors. Every worker instantiates the module on the same Memory
 * (`instantiateSimd(memory, simdModule())`; both are structured-cloneable); the kernels keep no state in
 * linear memory, so instances in different threads only need disjoint output ranges.
 *
 * Addresses are byte offsets (multiples of 4) of float32 elements; an output may be identical to an
 * input (in-place) but must not partially overlap it. Out-of-range addresses trap (RangeError-like
 * WebAssembly.RuntimeError), nothing is written outside the memory.
 *
 * NaN bits: maximum/minimum write the canonical NaN, as JS does. For the other ops which input NaN's
 * payload propagates is up to the CPU and the engine; ew.c follows what V8 does for the JS kernels on
 * x64 (add/mul operand order, neg/abs quiet signalling NaNs like JS's float32 -> float64 load), and the
 * tests find no difference there. copyF32 copies bits, like the optimised JS copy loop (the interpreted
 * one quiets signalling NaNs). Elsewhere (ARM) only "is NaN" is guaranteed; every non-NaN result,
 * signed zeros, infinities and denormals included, is bit-identical.
 */
import { wasmFile } from './wasm-module.ts';

export type SimdBinaryFn = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum';
export type SimdUnaryFn = 'neg' | 'abs' | 'sqrt' | 'relu';

export const SIMD_BINARY: readonly SimdBinaryFn[] = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum'];
export const SIMD_UNARY: readonly SimdUnaryFn[] = ['neg', 'abs', 'sqrt', 'relu'];

const BINARY_CODE: Record<SimdBinaryFn, number> = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5 };
const UNARY_CODE: Record<SimdUnaryFn, number> = { neg: 0, abs: 1, sqrt: 2, relu: 3 };

/** True when fn has a SIMD float32 kernel (type guard for callers holding a protocol BinaryFn). */
export const isSimdBinary = (fn: string): fn is SimdBinaryFn => Object.hasOwn(BINARY_CODE, fn);
export const isSimdUnary = (fn: string): fn is SimdUnaryFn => Object.hasOwn(UNARY_CODE, fn);

interface EwExports {
  ew_binary_vv(op: number, out: number, a: number, b: number, n: number): void;
  ew_binary_vs(op: number, out: number, a: number, k: number, n: number): void;
  ew_binary_sv(op: number, out: number, k: number, b: number, n: number): void;
  ew_unary(op: number, out: number, x: number, n: number): void;
  ew_fill(out: number, v: number, n: number): void;
  ew_copy(out: number, x: number, n: number): void;
  ew_block_sum(x: number, n: number): number;
  ew_block_dot(x: number, y: number, n: number): number;
}

export interface SimdKernels {
  readonly memory: WebAssembly.Memory;
  readonly exports: EwExports;
  /**
   * out[i] = a[i] fn b[i] for i < n, float32. An operand is either an address (aAddr / bAddr) or, when
   * its address is null, the scalar aScalar / bScalar (any double: a float32 value runs in float32 SIMD,
   * another one (0.1) in float64 then rounded, like the JS kernel). Both scalar: fills fn(a, b).
   */
  binaryF32(fn: SimdBinaryFn, outAddr: number, aAddr: number | null, aScalar: number, bAddr: number | null, bScalar: number, n: number): void;
  /** out[i] = fn(x[i]) for i < n, float32. */
  unaryF32(fn: SimdUnaryFn, outAddr: number, xAddr: number, n: number): void;
  /** out[i] = Math.fround(value) for i < n. */
  fillF32(outAddr: number, value: number, n: number): void;
  /** out[i] = x[i] (bit copy) for i < n. */
  copyF32(outAddr: number, xAddr: number, n: number): void;
  /** The protocol's float64 block sum of x[0..n) (n <= REDUCE_BLOCK for the protocol's blocks). */
  blockSumF32(xAddr: number, n: number): number;
  /** The protocol's float64 block sum of x[j] * y[j], j < n. */
  blockDotF32(xAddr: number, yAddr: number, n: number): number;
}

const WASM_URL = new URL('./wasm/ew.wasm', import.meta.url);
/**
 * Elements per kernel call. V8 runs a new wasm function in its baseline tier (Liftoff) and swaps in the
 * optimised code between calls, never inside one; chunking lets a single large op profit from tier-up.
 */
const CALL_CHUNK = 1 << 16;

const file = wasmFile(WASM_URL);

/** True when this runtime can compile the SIMD + shared-memory module. */
export function simdSupported(): boolean { return file.supported(); }

/** The compiled module (cached; structured-cloneable to workers). */
export function simdModule(): WebAssembly.Module { return file.module(); }

/** JS value of fn(a, b) exactly as kernels.ts BINARY computes it (before the float32 store). */
function binaryScalar(fn: SimdBinaryFn, a: number, b: number): number {
  switch (fn) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'div': return a / b;
    case 'maximum': return a !== a || b !== b ? NaN : a > b ? a : b;
    case 'minimum': return a !== a || b !== b ? NaN : a < b ? a : b;
  }
}

/** Synchronous instantiation on `memory` (a shared memory, e.g. Arena.memory). */
export function instantiateSimd(memory: WebAssembly.Memory, module: WebAssembly.Module = simdModule()): SimdKernels {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const ex = instance.exports as unknown as EwExports;
  const { ew_binary_vv, ew_binary_vs, ew_binary_sv, ew_unary, ew_fill, ew_copy, ew_block_sum, ew_block_dot } = ex;

  const fillF32 = (outAddr: number, value: number, n: number) => {
    for (let s = 0; s < n; s += CALL_CHUNK) ew_fill(outAddr + 4 * s, value, Math.min(CALL_CHUNK, n - s));
  };

  return {
    memory,
    exports: ex,
    binaryF32(fn, outAddr, aAddr, aScalar, bAddr, bScalar, n) {
      const op = BINARY_CODE[fn];
      if (op === undefined) throw new Error(`no SIMD kernel for binary ${fn}`);
      if (aAddr !== null && bAddr !== null) {
        for (let s = 0; s < n; s += CALL_CHUNK) {
          const o = 4 * s;
          ew_binary_vv(op, outAddr + o, aAddr + o, bAddr + o, Math.min(CALL_CHUNK, n - s));
        }
      } else if (aAddr !== null) {
        for (let s = 0; s < n; s += CALL_CHUNK)
          ew_binary_vs(op, outAddr + 4 * s, aAddr + 4 * s, bScalar, Math.min(CALL_CHUNK, n - s));
      } else if (bAddr !== null) {
        for (let s = 0; s < n; s += CALL_CHUNK)
          ew_binary_sv(op, outAddr + 4 * s, aScalar, bAddr + 4 * s, Math.min(CALL_CHUNK, n - s));
      } else {
        fillF32(outAddr, binaryScalar(fn, aScalar, bScalar), n);
      }
    },
    unaryF32(fn, outAddr, xAddr, n) {
      const op = UNARY_CODE[fn];
      if (op === undefined) throw new Error(`no SIMD kernel for unary ${fn}`);
      for (let s = 0; s < n; s += CALL_CHUNK) ew_unary(op, outAddr + 4 * s, xAddr + 4 * s, Math.min(CALL_CHUNK, n - s));
    },
    fillF32,
    copyF32(outAddr, xAddr, n) {
      for (let s = 0; s < n; s += CALL_CHUNK) ew_copy(outAddr + 4 * s, xAddr + 4 * s, Math.min(CALL_CHUNK, n - s));
    },
    blockSumF32: (xAddr, n) => ew_block_sum(xAddr, n),
    blockDotF32: (xAddr, yAddr, n) => ew_block_dot(xAddr, yAddr, n),
  };
}
