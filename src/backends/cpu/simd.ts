/**
 * Loader for the WebAssembly SIMD kernels (src/backends/cpu/wasm/ew.wasm, built from ew.c by
 * scripts/build-wasm.sh): on float32, elementwise add/sub/mul/div/maximum/minimum, neg/abs/sqrt/relu/exp,
 * comparisons, where, fill, copy and the protocol's block sum / block dot; on 64-bit elements (float64 and
 * int64 data, see Store64), arithmetic, comparisons, unary ops, where, sums, max/min, and conversions
 * between float32, float64, int64 and bool. Results are bit-identical to the JS kernels of ./kernels.ts
 * (see ew.c for why; NaN *payloads* aside, see below).
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
import { ARENA_HEADER } from './arena.ts';
import { unaryLoop } from './loops.ts';

export type SimdBinaryFn = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum';
export type SimdUnaryFn = 'neg' | 'abs' | 'sqrt' | 'relu' | 'exp' | 'log' | 'tanh' | 'sin' | 'cos' | 'sigmoid' | 'floor' | 'ceil' | 'trunc' | 'round';

export const SIMD_BINARY: readonly SimdBinaryFn[] = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum'];
export const SIMD_UNARY: readonly SimdUnaryFn[] = ['neg', 'abs', 'sqrt', 'relu', 'exp', 'log', 'tanh', 'sin', 'cos', 'sigmoid', 'floor', 'ceil', 'trunc', 'round'];

const BINARY_CODE: Record<SimdBinaryFn, number> = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5 };
/** log, tanh, sin and cos are not ew_unary ops: they go through ew_unary_quick, whose op numbers these are,
 * and the JS kernel's loop (see unaryF32). */
const UNARY_CODE: Record<SimdUnaryFn, number> = { neg: 0, abs: 1, sqrt: 2, relu: 3, exp: 4, log: -1, tanh: -1, sin: -1, cos: -1, sigmoid: 5, floor: 6, ceil: 7, trunc: 8, round: 9 };
const QUICK_CODE: Partial<Record<SimdUnaryFn, number>> = { log: 0, tanh: 1, sin: 2, cos: 3 };

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
  ew_transpose32(out: number, x: number, i0: number, i1: number, w: number, ld: number): void;
  ew_binary_rows(op: number, out: number, orow: number, a: number, ar: number, ac: number, ka: number, b: number, br: number, bc: number, kb: number, rows: number, w: number): void;
  ew_unary_quick(op: number, out: number, x: number, n: number): number;
  ew_block_sum(x: number, n: number): number;
  ew_sum_rows(out: number, x: number, rows: number, m: number, stride: number, block: number): void;
  ew_block_dot(x: number, y: number, n: number): number;
  ew_compare(op: number, form: number, out: number, a: number, b: number, k: number, n: number): void;
  ew_where(scalars: number, out: number, c: number, a: number, b: number, ka: number, kb: number, n: number): void;
  ew_binary_bool(op: number, side: number, out: number, a: number, b: number, k: number, n: number): void;
  ew_sum_cols(out: number, x: number, m: number, w: number, stride: number, block: number): void;
  ew_block_minmax(x: number, n: number, isMin: number): number;
  ew64_binary(op: number, form: number, kind: number, out: number, a: number, b: number, k: number, n: number): void;
  ew64_compare(op: number, form: number, out: number, a: number, b: number, k: number, n: number): void;
  ew64_convert(from: number, kind: number, out: number, x: number, n: number): number;
  ew64_where(scalars: number, kind: number, out: number, c: number, a: number, b: number, ka: number, kb: number, n: number): void;
  ew64_block_sum(x: number, n: number): number;
  ew8_block_sum(x: number, n: number): number;
  ew64_unary(op: number, kind: number, out: number, x: number, n: number): void;
  ew64_block_minmax(x: number, n: number, isMin: number): number;
  ew64_sum_cols(out: number, x: number, m: number, w: number, stride: number, block: number): void;
  ew64_binary_rows(op: number, kind: number, out: number, orow: number, a: number, ar: number, ac: number, ka: number, b: number, br: number, bc: number, kb: number, rows: number, w: number): void;
  ew64_binary_mixed(op: number, kind: number, ina: number, inb: number, out: number, a: number, b: number, k: number, n: number): void;
  ew_minmax_cols(vals: number, idxs: number, x: number, m: number, w: number, stride: number, isMin: number): void;
  ew64_iota(kind: number, out: number, start: number, step: number, i0: number, n: number): void;
  ew_transpose64(out: number, x: number, i0: number, i1: number, w: number, ld: number): void;
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
  /** out[i·w + j] = x[j·ld + i] (bit copies of 32-bit values) for output rows i0 <= i < i1, j < w: a
   * transposed copy in 4x4 tiles (addresses of element 0 of each). */
  transpose32(outAddr: number, xAddr: number, i0: number, i1: number, w: number, ld: number): void;
  /**
   * out (rows x w; row r at outAddr + 4·r·outRow, contiguous along it) = a fn b where each operand is a
   * number (address 0, its k) or, at address p, has element (r, c) at p + 4·(r·rowStep + c·colStep),
   * colStep 0 (a value per row) or 1.
   */
  binaryRowsF32(fn: SimdBinaryFn, outAddr: number, outRow: number, a: number, aRow: number, aCol: number, ka: number, b: number, bRow: number, bCol: number, kb: number, rows: number, w: number): void;
  /** The protocol's float64 block sum of x[0..n) (n <= REDUCE_BLOCK for the protocol's blocks). */
  blockSumF32(xAddr: number, n: number): number;
  /** out[r] (float64s, at outAddr) = for each of `rows` lines of m floats, stride apart: 0, plus the block
   * sum of each `block` elements in order (runReduce's loop). */
  sumRowsF32(outAddr: number, xAddr: number, rows: number, m: number, stride: number, block: number): void;
  /** The protocol's float64 block sum of x[j] * y[j], j < n. */
  blockDotF32(xAddr: number, yAddr: number, n: number): number;
  /**
   * out[i] = +(a[i] fn b[i]) for i < n, into bytes (a bool buffer): an operand is an address, or with a
   * null address the scalar, which must be a float32 value (else the comparison is not the JS one).
   */
  compareF32(fn: CompareFn, outAddr: number, aAddr: number | null, aScalar: number, bAddr: number | null, bScalar: number, n: number): void;
}
export type CompareFn = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
export interface SimdKernels {
  /** out[i] = c[i] ? a[i] : b[i] for i < n: c bytes (nonzero: true), float32 a and b, or with a null
   * address the scalar (stored as float32, as the typed array would). */
  whereF32(outAddr: number, cAddr: number, aAddr: number | null, aScalar: number, bAddr: number | null, bScalar: number, n: number): void;
  /** out[i] = a[i] fn b[i] for i < n into float32, where one operand is a bool buffer (bytes, read as
   * the numbers they hold: 0 and 1): `boolSide` 'a' or 'b'; the other is float32, or with a null address
   * the scalar k, which must be a float32 value. */
  binaryBoolF32(fn: SimdBinaryFn, boolSide: 'a' | 'b', outAddr: number, aAddr: number | null, bAddr: number | null, k: number, n: number): void;
  /** out[j] = the protocol's float64 sum (blocks of `block`) of x[i·stride + j] over i < m, for j < w,
   * rounded to float32 (stride in elements). */
  sumColumnsF32(outAddr: number, xAddr: number, m: number, w: number, stride: number, block: number): void;
  /** The JS loop's max (min) of float32 x[0..n), NaN if any is NaN; a zero answer may carry the wrong
   * sign (the first zero's, in order, is the JS loop's): redo those. */
  blockMinMaxF32(xAddr: number, n: number, min: boolean): number;
}
/**
 * Kernels over 64-bit elements: float64 and int64 buffers (Float64Arrays; int64 values are integer-valued
 * doubles), at byte addresses that are multiples of 8. They compute in float64 as the JS loops do, and
 * store results as `Store64` says: 'float64' as is, 'int64' truncated toward zero (Math.trunc), 'float32'
 * rounded (a Float32Array's store), 'bool' 1 where not 0 (NaN too), as bytes.
 */
export type Store64 = 'float64' | 'int64' | 'float32' | 'bool';
/** What a conversion reads: 64-bit elements, float32, or bytes (bool: the numbers 0 and 1). */
export type Source64 = 'f64' | 'f32' | 'u8';
export interface SimdKernels {
  /** out[i] = a[i] fn b[i] over 64-bit a and b (a null address: the scalar), stored as `store`. */
  binary64(fn: SimdBinaryFn, store: 'float64' | 'int64' | 'float32', outAddr: number, aAddr: number | null, aScalar: number, bAddr: number | null, bScalar: number, n: number): void;
  /** out[i] = +(a[i] fn b[i]) into bytes over 64-bit a and b (a null address: the scalar, any double). */
  compare64(fn: CompareFn, outAddr: number, aAddr: number | null, aScalar: number, bAddr: number | null, bScalar: number, n: number): void;
  /** out[i] = x[i] converted (the copy op between dtypes); false (nothing done) for a pair it lacks. */
  convert(from: Source64, to: Store64, outAddr: number, xAddr: number, n: number): boolean;
  /** out[i] = c[i] ? a[i] : b[i] over 64-bit a and b (a null address: the scalar), stored as `store`. */
  where64(store: 'float64' | 'int64', outAddr: number, cAddr: number, aAddr: number | null, aScalar: number, bAddr: number | null, bScalar: number, n: number): void;
  /** The protocol's float64 block sum of n 64-bit elements (n <= REDUCE_BLOCK). */
  blockSum64(xAddr: number, n: number): number;
  /** The protocol's float64 block sum of n bytes, read as numbers (bool data). */
  blockSum8(xAddr: number, n: number): number;
  /** out[i] = fn(x[i]) over 64-bit x, stored as `store` (exp and sigmoid: Math.exp's bits). */
  unary64(fn: Unary64Fn, store: 'float64' | 'int64' | 'float32', outAddr: number, xAddr: number, n: number): void;
  /** blockMinMaxF32 over n 64-bit values (a zero answer: redo it in order). */
  blockMinMax64(xAddr: number, n: number, min: boolean): number;
  /** For each of w consecutive float32 columns of m >= 1 rows, `stride` floats apart: the JS reduce loops'
   * max (min) into float32 at valsAddr and argmax (argmin) into doubles at idxAddr (either 0: not wanted). */
  minMaxColumnsF32(valsAddr: number, idxAddr: number, xAddr: number, m: number, w: number, stride: number, min: boolean): void;
  /** out[i] = start + (i0 + i) * step for i < n, in float64, stored as `store` (arange's values). */
  iota(store: 'float64' | 'int64' | 'float32', outAddr: number, start: number, step: number, i0: number, n: number): void;
  /** transpose32 for 64-bit values (float64, int64), in 2x2 tiles. */
  transpose64(outAddr: number, xAddr: number, i0: number, i1: number, w: number, ld: number): void;
  /** sumColumnsF32 over 64-bit x, the float64 totals into out (8 bytes each). */
  sumColumns64(outAddr: number, xAddr: number, m: number, w: number, stride: number, block: number): void;
  /** binaryRowsF32 over 64-bit operands (8-byte elements), stored as `store` (out rows of 8- or 4-byte elements). */
  binaryRows64(fn: SimdBinaryFn, store: 'float64' | 'int64' | 'float32', outAddr: number, outRow: number, a: number, aRow: number, aCol: number, ka: number, b: number, bRow: number, bCol: number, kb: number, rows: number, w: number): void;
  /**
   * out[i] = a[i] fn b[i] where each operand is of its own storage type (Source64: 64-bit, float32 or
   * bytes) or, with a null source, the scalar k (one operand at most), read as doubles as the JS loop
   * reads them; arithmetic stored as `store` ('bool' is for comparisons only), comparisons into bytes.
   */
  binaryMixed(fn: SimdBinaryFn | CompareFn, store: Store64, outAddr: number, aSrc: Source64 | null, aAddr: number, bSrc: Source64 | null, bAddr: number, k: number, n: number): void;
}
export type Unary64Fn = 'neg' | 'abs' | 'sqrt' | 'relu' | 'exp' | 'sigmoid' | 'sign';
const UNARY64_CODE: Record<Unary64Fn, number> = { neg: 0, abs: 1, sqrt: 2, relu: 3, exp: 4, sigmoid: 5, sign: 6 };
export const isUnary64 = (fn: string): fn is Unary64Fn => Object.hasOwn(UNARY64_CODE, fn);
const KIND64: Record<Store64, number> = { float64: 0, int64: 1, float32: 2, bool: 3 };
const SOURCE64: Record<Source64, number> = { f64: 0, f32: 1, u8: 2 };
const BYTES_OF_SOURCE: Record<Source64, number> = { f64: 8, f32: 4, u8: 1 };
const BYTES_OF_STORE: Record<Store64, number> = { float64: 8, int64: 8, float32: 4, bool: 1 };

const COMPARE_CODE: Record<CompareFn, number> = { eq: 0, ne: 1, lt: 2, le: 3, gt: 4, ge: 5 };
export const isCompare = (fn: string): fn is CompareFn => Object.hasOwn(COMPARE_CODE, fn);

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

/**
 * ew.c's exp constants (struct ExpK, in its order), each splatted over a 16-byte lane pair: doubles, then
 * 32-bit integers. The module reads them from bytes [EXP_TABLE, EXP_TABLE + 16·n) of its memory, inside
 * the arena's reserved header (arena.ts ARENA_HEADER): constants in the code cost V8 three instructions
 * per use once registers run out.
 */
const EXP_TABLE = 64;
const EXP_F64 = [
  1.44269504088896338700e+00, 0.5, 6.93147180369123816490e-01, 1.90821492927058770002e-10, // invln2, half, ln2HI, ln2LO
  1.66666666666666019037e-01, -2.77777777770155933842e-03, 6.61375632143793436117e-05, -1.65339022054652515390e-06,
  4.13813679705723846039e-08, 1, 2, 6755399441055744, -1021, 1000, 1023, 1024, // P1-P5, 1, 2, 1.5·2^52, k bounds
  9.33263618503218878990e-302, 8.988465674311579539e307, 2.718281828459045, Infinity, // 2^-1000, 2^1023, E, inf
  7.09782712893383973096e+02, -7.45133219101941108420e+02, // o_threshold, u_threshold
];
const EXP_I32 = [0x7FFFFFFF, 0x3FD62E42, 0x3E300000, 0x40862E42, 0]; // |x| mask, high-word bounds, 0
/** exp32's fast path: Taylor coefficients 1/9! .. 1/3! (doubles), its range as float32s (fastlo, fasthi:
 * splatted over four lanes), the low 29 bits' mask, the rounding midpoint there, the window. */
const EXP_FAST_F64 = [1 / 362880, 1 / 40320, 1 / 5040, 1 / 720, 1 / 120, 1 / 24, 1 / 6];
const EXP_FAST_F32 = [-87.3, 88.7];
const EXP_FAST_I32 = [0x1FFFFFFF, 0x10000000, 1 << 18];
/** log's quick path: 1/15 .. 1/3 (doubles); sqrt(2), 0.5 (float32s); the mantissa mask, 1.0f's bits, the
 * exponent bias, the smallest normal's bits, the normal range, the midpoint window (measured distance
 * to fdlibm's log < 2^8 double ulps). */
const LOG_F64 = [1 / 15, 1 / 13, 1 / 11, 1 / 9, 1 / 7, 1 / 5, 1 / 3];
const LOG_F32 = [Math.SQRT2, 0.5];
const LOG_I32 = [0x007FFFFF, 0x3F800000, 127, 0x00800000, 0x7F000000, 1 << 12];
/** tanh's quick path: 1/14! .. 1/3! and its branch point (doubles); 2^-28 and 9.5 (float32s). */
const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
const TANH_F64 = [...[14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3].map((k) => 1 / factorial(k)), 0.55];
const TANH_F32 = [2 ** -28, 9.5];
/** sin's and cos's quick path: 2/pi, fdlibm's pio2_1, pio2_2, pio2_3, the Taylor coefficients of r^13 .. r^3
 * and r^14 .. r^4, -0 (the sign bit), all doubles; 1 and 2 (32-bit integers); 2^-12 and 2^18 (float32s). */
const SIN_F64 = [6.36619772367581382433e-01, 1.57079632673412561417e+00, 6.07710050630396597660e-11, 2.02226624871116645580e-21,
  ...[6, 5, 4, 3, 2, 1].map((k) => (k % 2 ? -1 : 1) / factorial(2 * k + 1)), ...[7, 6, 5, 4, 3, 2].map((k) => (k % 2 ? -1 : 1) / factorial(2 * k)), -0];
const SIN_I32 = [1, 2];
const SIN_F32 = [2 ** -12, 2 ** 18];
/** Bytes of memory the kernels read at EXP_TABLE. */
export const SIMD_TABLE_END = EXP_TABLE + 16 * (EXP_F64.length + EXP_I32.length + EXP_FAST_F64.length + EXP_FAST_F32.length + EXP_FAST_I32.length +
  LOG_F64.length + LOG_F32.length + LOG_I32.length + TANH_F64.length + TANH_F32.length + SIN_F64.length + SIN_I32.length + SIN_F32.length);
if (SIMD_TABLE_END > ARENA_HEADER) throw new Error(`internal: the SIMD tables (${SIMD_TABLE_END} bytes) do not fit the arena header (${ARENA_HEADER})`);

/** Writes the constant table (the same bytes every time: threads may do it concurrently). */
function writeTables(memory: WebAssembly.Memory): void {
  const f = new Float64Array(memory.buffer, EXP_TABLE, 2 * EXP_F64.length);
  EXP_F64.forEach((v, i) => { f[2 * i] = v; f[2 * i + 1] = v; });
  let at = EXP_TABLE + 16 * EXP_F64.length;
  const ints = (vs: number[]) => { new Int32Array(memory.buffer, at, 4 * vs.length).forEach((_, i, w) => { w[i] = vs[i >> 2]; }); at += 16 * vs.length; };
  const doubles = (vs: number[]) => { new Float64Array(memory.buffer, at, 2 * vs.length).forEach((_, i, w) => { w[i] = vs[i >> 1]; }); at += 16 * vs.length; };
  const floats = (vs: number[]) => { new Float32Array(memory.buffer, at, 4 * vs.length).forEach((_, i, w) => { w[i] = vs[i >> 2]; }); at += 16 * vs.length; };
  ints(EXP_I32);
  doubles(EXP_FAST_F64); floats(EXP_FAST_F32); ints(EXP_FAST_I32);
  doubles(LOG_F64); floats(LOG_F32); ints(LOG_I32);
  doubles(TANH_F64); floats(TANH_F32);
  doubles(SIN_F64); ints(SIN_I32); floats(SIN_F32);
}

/** Synchronous instantiation on `memory` (a shared memory, e.g. Arena.memory; bytes [64, SIMD_TABLE_END)
 * hold the kernels' constant tables, which this writes). */
export function instantiateSimd(memory: WebAssembly.Memory, module: WebAssembly.Module = simdModule()): SimdKernels {
  writeTables(memory);
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  /** A view of the whole memory for the elements JS computes (renewed when the memory has grown). */
  let heap = new Float32Array(memory.buffer);
  const ex = instance.exports as unknown as EwExports;
  const { ew_binary_vv, ew_binary_vs, ew_binary_sv, ew_unary, ew_fill, ew_copy, ew_transpose32, ew_unary_quick, ew_binary_rows, ew_block_sum, ew_sum_rows, ew_block_dot, ew_compare, ew_where, ew_binary_bool, ew_sum_cols, ew_block_minmax,
    ew64_binary, ew64_compare, ew64_convert, ew64_where, ew64_block_sum, ew8_block_sum, ew64_unary, ew64_block_minmax, ew64_sum_cols, ew64_binary_rows, ew64_binary_mixed, ew_minmax_cols, ew64_iota, ew_transpose64 } = ex;

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
      const q = QUICK_CODE[fn];
      if (q !== undefined) {
        // The kernel stops at each element it cannot vouch for (log: about 1 in 2^16 positive floats, and
        // denormals; tanh: about 1 in 1000; sin, cos: about 1 in 2^16, and |x| >= 2^18): JS Math gives
        // that one (the JS kernel's own loop, loops.ts, so the same expression), and it goes on.
        let f32 = heap;
        if (f32.buffer !== memory.buffer) f32 = heap = new Float32Array(memory.buffer);
        const o = outAddr >> 2, x = xAddr >> 2, js = unaryLoop(fn, f32, f32, 'as-is');
        let run = 1;
        for (let i = 0; i < n;) {
          const len = Math.min(CALL_CHUNK, n - i), k = ew_unary_quick(q, outAddr + 4 * i, xAddr + 4 * i, len);
          i += k;
          if (k === len) continue;
          // Stops right at the start, one after another: a run of such elements (sin of values >= 2^18,
          // say), which would cost a call each; JS takes the next 64, 128, ... up to 4096 of them.
          run = k === 0 ? Math.min(4096, Math.max(64, 2 * run)) : 1;
          const m = Math.min(run, n - i);
          js(f32, x + i, 1, f32, o + i, 1, m);
          i += m;
        }
        return;
      }
      for (let s = 0; s < n; s += CALL_CHUNK) ew_unary(op, outAddr + 4 * s, xAddr + 4 * s, Math.min(CALL_CHUNK, n - s));
    },
    fillF32,
    copyF32(outAddr, xAddr, n) {
      for (let s = 0; s < n; s += CALL_CHUNK) ew_copy(outAddr + 4 * s, xAddr + 4 * s, Math.min(CALL_CHUNK, n - s));
    },
    binaryRowsF32(fn, outAddr, outRow, a, aRow, aCol, ka, b, bRow, bCol, kb, rows, w) {
      const op = BINARY_CODE[fn];
      if (op === undefined) throw new Error(`no SIMD kernel for binary ${fn}`);
      const band = Math.max(1, Math.floor(CALL_CHUNK / Math.max(1, w)));
      for (let r = 0; r < rows; r += band) {
        ew_binary_rows(op, outAddr + 4 * r * outRow, outRow, a && a + 4 * r * aRow, aRow, aCol, ka, b && b + 4 * r * bRow, bRow, bCol, kb, Math.min(band, rows - r), w);
      }
    },
    transpose32(outAddr, xAddr, i0, i1, w, ld) {
      // A call per band of rows of about CALL_CHUNK values, as elsewhere.
      const band = Math.max(4, Math.floor(CALL_CHUNK / Math.max(1, w)) & ~3);
      for (let i = i0; i < i1; i += band) ew_transpose32(outAddr, xAddr, i, Math.min(i1, i + band), w, ld);
    },
    blockSumF32: (xAddr, n) => ew_block_sum(xAddr, n),
    sumRowsF32: (outAddr, xAddr, rows, m, stride, block) => ew_sum_rows(outAddr, xAddr, rows, m, stride, block),
    blockDotF32: (xAddr, yAddr, n) => ew_block_dot(xAddr, yAddr, n),
    blockMinMaxF32: (xAddr, n, min) => ew_block_minmax(xAddr, n, min ? 1 : 0),
    sumColumnsF32(outAddr, xAddr, m, w, stride, block) {
      // (about CALL_CHUNK elements per call, so that V8 can swap in optimized code between calls)
      const cols = Math.max(4, Math.floor(CALL_CHUNK / Math.max(1, m)) & ~3);
      for (let j = 0; j < w; j += cols) ew_sum_cols(outAddr + 4 * j, xAddr + 4 * j, m, Math.min(cols, w - j), stride, block);
    },
    binaryBoolF32(fn, boolSide, outAddr, aAddr, bAddr, k, n) {
      const op = BINARY_CODE[fn];
      const scalar = boolSide === 'a' ? bAddr === null : aAddr === null;
      if (scalar && Math.fround(k) !== k && k === k) throw new Error(`binaryBoolF32: scalar ${k} is not a float32 value`);
      const side = boolSide === 'b' ? (scalar ? 3 : 1) : scalar ? 4 : 2;
      const sa = boolSide === 'a' ? 1 : 4, sb = boolSide === 'b' ? 1 : 4; // bytes per element
      for (let s = 0; s < n; s += CALL_CHUNK) {
        ew_binary_bool(op, side, outAddr + 4 * s, aAddr === null ? 0 : aAddr + sa * s, bAddr === null ? 0 : bAddr + sb * s, k, Math.min(CALL_CHUNK, n - s));
      }
    },
    whereF32(outAddr, cAddr, aAddr, aScalar, bAddr, bScalar, n) {
      const scalars = (aAddr === null ? 1 : 0) | (bAddr === null ? 2 : 0);
      for (let s = 0; s < n; s += CALL_CHUNK) {
        ew_where(scalars, outAddr + 4 * s, cAddr + s, aAddr === null ? 0 : aAddr + 4 * s, bAddr === null ? 0 : bAddr + 4 * s, aScalar, bScalar, Math.min(CALL_CHUNK, n - s));
      }
    },
    binary64(fn, store, outAddr, aAddr, aScalar, bAddr, bScalar, n) {
      const op = BINARY_CODE[fn], kind = KIND64[store], ob = BYTES_OF_STORE[store];
      if (aAddr === null && bAddr === null) throw new Error('binary64: both operands scalar');
      const form = aAddr === null ? 2 : bAddr === null ? 1 : 0, k = aAddr === null ? aScalar : bAddr === null ? bScalar : 0;
      for (let s = 0; s < n; s += CALL_CHUNK) {
        ew64_binary(op, form, kind, outAddr + ob * s, aAddr === null ? 0 : aAddr + 8 * s, bAddr === null ? 0 : bAddr + 8 * s, k, Math.min(CALL_CHUNK, n - s));
      }
    },
    compare64(fn, outAddr, aAddr, aScalar, bAddr, bScalar, n) {
      const op = COMPARE_CODE[fn];
      if (aAddr === null && bAddr === null) throw new Error('compare64: both operands scalar');
      const form = aAddr === null ? 2 : bAddr === null ? 1 : 0, k = aAddr === null ? aScalar : bAddr === null ? bScalar : 0;
      for (let s = 0; s < n; s += CALL_CHUNK) {
        ew64_compare(op, form, outAddr + s, aAddr === null ? 0 : aAddr + 8 * s, bAddr === null ? 0 : bAddr + 8 * s, k, Math.min(CALL_CHUNK, n - s));
      }
    },
    convert(from, to, outAddr, xAddr, n) {
      // (ew64_convert says 0 for a pair it does not have, having written nothing: at the first call.)
      const xb = BYTES_OF_SOURCE[from], ob = BYTES_OF_STORE[to];
      for (let s = 0; s < n; s += CALL_CHUNK) {
        if (!ew64_convert(SOURCE64[from], KIND64[to], outAddr + ob * s, xAddr + xb * s, Math.min(CALL_CHUNK, n - s))) return false;
      }
      return true;
    },
    where64(store, outAddr, cAddr, aAddr, aScalar, bAddr, bScalar, n) {
      const scalars = (aAddr === null ? 1 : 0) | (bAddr === null ? 2 : 0);
      for (let s = 0; s < n; s += CALL_CHUNK) {
        ew64_where(scalars, KIND64[store], outAddr + 8 * s, cAddr + s, aAddr === null ? 0 : aAddr + 8 * s, bAddr === null ? 0 : bAddr + 8 * s, aScalar, bScalar, Math.min(CALL_CHUNK, n - s));
      }
    },
    blockSum64: (xAddr, n) => ew64_block_sum(xAddr, n),
    unary64(fn, store, outAddr, xAddr, n) {
      const op = UNARY64_CODE[fn], kind = KIND64[store], ob = BYTES_OF_STORE[store];
      for (let s = 0; s < n; s += CALL_CHUNK) ew64_unary(op, kind, outAddr + ob * s, xAddr + 8 * s, Math.min(CALL_CHUNK, n - s));
    },
    blockMinMax64: (xAddr, n, min) => ew64_block_minmax(xAddr, n, min ? 1 : 0),
    transpose64(outAddr, xAddr, i0, i1, w, ld) {
      const band = Math.max(2, Math.floor(CALL_CHUNK / Math.max(1, w)) & ~1);
      for (let i = i0; i < i1; i += band) ew_transpose64(outAddr, xAddr, i, Math.min(i1, i + band), w, ld);
    },
    iota(store, outAddr, start, step, i0, n) {
      const ob = BYTES_OF_STORE[store];
      for (let s = 0; s < n; s += CALL_CHUNK) ew64_iota(KIND64[store], outAddr + ob * s, start, step, i0 + s, Math.min(CALL_CHUNK, n - s));
    },
    minMaxColumnsF32(valsAddr, idxAddr, xAddr, m, w, stride, min) {
      const cols = Math.max(4, Math.floor(CALL_CHUNK / Math.max(1, m)) & ~3);
      for (let j = 0; j < w; j += cols) {
        ew_minmax_cols(valsAddr && valsAddr + 4 * j, idxAddr && idxAddr + 8 * j, xAddr + 4 * j, m, Math.min(cols, w - j), stride, min ? 1 : 0);
      }
    },
    binaryMixed(fn, store, outAddr, aSrc, aAddr, bSrc, bAddr, k, n) {
      const cmp = isCompare(fn);
      if (cmp !== (store === 'bool')) throw new Error(`binaryMixed: ${fn} cannot store into ${store}`);
      if (aSrc === null && bSrc === null) throw new Error('binaryMixed: both operands scalar');
      const op = cmp ? 8 + COMPARE_CODE[fn] : BINARY_CODE[fn as SimdBinaryFn], kind = KIND64[store], ob = BYTES_OF_STORE[store];
      const ina = aSrc === null ? 3 : SOURCE64[aSrc], inb = bSrc === null ? 3 : SOURCE64[bSrc];
      const ab = aSrc === null ? 0 : BYTES_OF_SOURCE[aSrc], bb = bSrc === null ? 0 : BYTES_OF_SOURCE[bSrc];
      for (let s = 0; s < n; s += CALL_CHUNK) ew64_binary_mixed(op, kind, ina, inb, outAddr + ob * s, aAddr + ab * s, bAddr + bb * s, k, Math.min(CALL_CHUNK, n - s));
    },
    sumColumns64(outAddr, xAddr, m, w, stride, block) {
      const cols = Math.max(2, Math.floor(CALL_CHUNK / Math.max(1, m)) & ~1);
      for (let j = 0; j < w; j += cols) ew64_sum_cols(outAddr + 8 * j, xAddr + 8 * j, m, Math.min(cols, w - j), stride, block);
    },
    binaryRows64(fn, store, outAddr, outRow, a, aRow, aCol, ka, b, bRow, bCol, kb, rows, w) {
      const op = BINARY_CODE[fn], ob = BYTES_OF_STORE[store];
      const band = Math.max(1, Math.floor(CALL_CHUNK / Math.max(1, w)));
      for (let r = 0; r < rows; r += band) {
        ew64_binary_rows(op, KIND64[store], outAddr + ob * r * outRow, outRow, a && a + 8 * r * aRow, aRow, aCol, ka, b && b + 8 * r * bRow, bRow, bCol, kb, Math.min(band, rows - r), w);
      }
    },
    blockSum8: (xAddr, n) => ew8_block_sum(xAddr, n),
    compareF32(fn, outAddr, aAddr, aScalar, bAddr, bScalar, n) {
      const op = COMPARE_CODE[fn];
      if (aAddr === null && bAddr === null) throw new Error('compareF32: both operands scalar');
      const k = aAddr === null ? aScalar : bAddr === null ? bScalar : 0;
      if (Math.fround(k) !== k && k === k) throw new Error(`compareF32: scalar ${k} is not a float32 value`);
      const form = aAddr === null ? 2 : bAddr === null ? 1 : 0;
      for (let s = 0; s < n; s += CALL_CHUNK) {
        ew_compare(op, form, outAddr + s, aAddr === null ? 0 : aAddr + 4 * s, bAddr === null ? 0 : bAddr + 4 * s, k, Math.min(CALL_CHUNK, n - s));
      }
    },
  };
}
