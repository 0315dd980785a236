/**
 * In-process CPU kernels for the primitive ops of protocol.ts. The same functions run on the
 * coordinator (small tensors) and inside the piscina workers (one element range of a large tensor),
 * so sharded and unsharded results are bit-identical.
 */
import type { ArgsortOp, BinaryFn, DType, GatherOp, Op, ReduceFn, ScanOp, ScatterAddOp, UnaryFn, View } from '../../runtime/protocol.ts';
import { REDUCE_BLOCK, indexError, scatterIdentity, type ScatterFn } from '../../runtime/protocol.ts';
import { fillNormal, fillUniform } from './philox.ts';
import { instantiateRngWasm, rngWasmSupported, type RngWasm } from './wasm.ts';

import { arenaAddress } from './arena.ts';
import { matmulRows, wasmMatmulAvailable } from './matmul.ts';
import { runConv } from './conv.ts';
import { runAdam } from './adam.ts';
import { igamma, igammac, nextafter32, nextafter64, zeta } from './specfun.ts';
import { BIT_FNS, transposeLoop, binaryLoop, reduceLoop, unaryLoop, whereLoop, type Form, type Store } from './loops.ts';
import { instantiateSimd, isCompare, isSimdBinary, isSimdUnary, isUnary64, type Source64, type Store64, simdSupported, type CompareFn, type SimdBinaryFn, type SimdKernels } from './simd.ts';

/**
 * Zero-copy WebAssembly SIMD fast paths for float32 data that lives in the arena memory (the shared
 * WebAssembly.Memory holding large CPU tensors). Bit-identical to the JS loops below, which remain the
 * path for everything else.
 */
let fast: { memory: WebAssembly.Memory; simd: SimdKernels; rng: RngWasm; scratch: KernelScratch | null } | null = null;
/** Bytes of the arena this thread's kernels may use for their own temporaries (a small operand copied in,
 * a result before it goes to memory outside the arena), given by whoever owns the arena. */
export interface KernelScratch {
  at: number; bytes: number;
  /** More arena memory for a while (the convolution kernels' larger temporaries): an address or null, and its release. */
  temp?: { alloc(bytes: number): number | null; release(at: number): void };
}
export function enableFastPath(memory: WebAssembly.Memory | null, scratch: KernelScratch | null = null): void {
  fast = null;
  if (!memory || process.env.TROUPE_NO_WASM || !simdSupported() || !rngWasmSupported()) return;
  fast = { memory, simd: instantiateSimd(memory), rng: instantiateRngWasm({ memory }), scratch };
}
export const fastPathEnabled = () => fast !== null;

/** Byte address of element `i` of a contiguous float32 view, when its buffer is the arena. */
function addrF32(v: View, R: Resolve, i: number): number | null {
  if (v.dtype !== 'float32' || !isContig(v)) return null;
  const a = arenaAddress(R(v.buf), fast!.memory);
  return a === null ? null : a + 4 * (v.offset + i);
}

/** Bytes per element of each dtype's typed array, for addresses into the arena. */
const ELEM_BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, int64: 8, bool: 1 };
/** The dtypes the SIMD kernels store into as arithmetic results (float32; float64 and int64 as 64-bit). */
const isSimdStore = (d: DType): d is 'float32' | 'float64' | 'int64' => d === 'float32' || d === 'float64' || d === 'int64';
/** Byte address of element `i` of a contiguous view of any dtype, when its buffer is the arena. */
function addrAny(v: View, R: Resolve, i: number): number | null {
  if (!isContig(v)) return null;
  const a = arenaAddress(R(v.buf), fast!.memory);
  return a === null ? null : a + ELEM_BYTES[v.dtype] * (v.offset + i);
}
/** Byte address of element `i` of a contiguous float64 or int64 view (64-bit elements) in the arena. */
const addr64 = (v: View, R: Resolve, i: number): number | null => (v.dtype === 'float64' || v.dtype === 'int64' ? addrAny(v, R, i) : null);
/** An operand of a 64-bit kernel: null for a number, the address of element i of a contiguous float64 or
 * int64 view in the arena, undefined where it is neither. */
function arg64(v: View | number, R: Resolve, i: number): number | null | undefined {
  return typeof v === 'number' ? null : addr64(v, R, i) ?? undefined;
}

/**
 * An operand of a float32 SIMD kernel, which takes each operand as (address, k): null for a number (the
 * kernel reads k), the address of element i for a contiguous float32 view in the arena, undefined where
 * it is neither. `exact`: a number must also be a float32 value (or NaN), for kernels that compare or
 * multiply it in float32 where the JS loop would use the float64 number.
 */
function simdArg(v: View | number, R: Resolve, i: number, exact: boolean): number | null | undefined {
  if (typeof v === 'number') return !exact || Math.fround(v) === v || v !== v ? null : undefined;
  return addrF32(v, R, i) ?? undefined;
}
/** The k a SIMD kernel takes with an operand: the number itself, or 0 beside an address. */
const kOf = (v: View | number): number => (typeof v === 'number' ? v : 0);

/** The WebAssembly SIMD generator (bit-identical to philox.ts, ~10-20x faster), or null where unsupported. */
let rng: RngWasm | null | undefined;
function wasmRng(): RngWasm | null {
  if (rng === undefined) {
    try { rng = process.env.TROUPE_NO_WASM ? null : rngWasmSupported() ? instantiateRngWasm() : null; } catch { rng = null; }
  }
  return rng;
}

type Arr = Float32Array | Float64Array | Int32Array | Uint8Array;
export type Resolve = (buf: number) => Arr;

export const numel = (shape: readonly number[]) => { let n = 1; for (const s of shape) n *= s; return n; };

function isContig(v: View): boolean {
  let acc = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== acc) return false;
    acc *= v.shape[i];
  }
  return true;
}
const isScalarView = (v: View) => v.strides.every((s, i) => s === 0 || v.shape[i] === 1);

/** Offsets of a strided view for linear (row-major) indices [start, end), written to out. */
export function offsets(v: View, start: number, end: number, out?: Int32Array | Float64Array): Float64Array | Int32Array {
  const n = end - start;
  const res = out ?? new Float64Array(n);
  const rank = v.shape.length;
  if (rank === 0) { res.fill(v.offset, 0, n); return res; }
  const coord = new Array<number>(rank);
  let rem = start, off = v.offset;
  for (let d = rank - 1; d >= 0; d--) {
    const c = rem % v.shape[d]; rem = (rem - c) / v.shape[d];
    coord[d] = c; off += c * v.strides[d];
  }
  const last = rank - 1, lastSize = v.shape[last], lastStride = v.strides[last];
  for (let i = 0; i < n; i++) {
    res[i] = off;
    if (++coord[last] < lastSize) { off += lastStride; continue; }
    off -= (lastSize - 1) * lastStride; coord[last] = 0;
    for (let d = last - 1; d >= 0; d--) {
      if (++coord[d] < v.shape[d]) { off += v.strides[d]; break; }
      off -= (v.shape[d] - 1) * v.strides[d]; coord[d] = 0;
    }
  }
  return res;
}

const BINARY: Record<BinaryFn, (a: number, b: number) => number> = {
  add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b,
  pow: Math.pow, maximum: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
  minimum: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
  eq: (a, b) => +(a === b), ne: (a, b) => +(a !== b), lt: (a, b) => +(a < b), le: (a, b) => +(a <= b),
  gt: (a, b) => +(a > b), ge: (a, b) => +(a >= b),
  atan2: Math.atan2, fmod: (a, b) => a % b, remainder: (a, b) => { const m = a % b; return m !== 0 && (m < 0) !== (b < 0) ? m + b : m; },
  bitand: BIT_FNS.bitand64, bitor: BIT_FNS.bitor64, bitxor: BIT_FNS.bitxor64, shl: BIT_FNS.shl64, shr: BIT_FNS.shr64,
  igamma, igammac, zeta, nextafter: nextafter64,
};

/** Values written to an int64 (Float64Array) or bool buffer need explicit conversion; typed arrays do the rest. */
function needsFix(d: DType) { return d === 'int64' || d === 'bool'; }

/** Scratch slots: each call site its own, as several are alive at once in one kernel call. */
const S_MATMUL = 0, S_A = 1, S_B = 2, S_OUT = 3, S_G0 = 4, S_G1 = 5, S_G2 = 6;
/** Largest scratch array kept between calls (elements); larger requests get fresh arrays. */
const SCRATCH_MAX = 1 << 20;
const slots: Float64Array[] = [];
/**
 * A float64 array of at least n elements for one kernel call's intermediate values, reused from call to
 * call. Fresh memory is what a small op's time goes to until the allocator has warmed up: a new 80 KB
 * array per 100x100 matmul kept the tour's matmul cell at ~1 ms per iteration for its first ~200
 * iterations, against 0.25 ms warm; fresh temporaries as large as the op (a float64 offset and value
 * per element) made a 1000x1000 transpose-copy take 63 ms, most of it page faults (~5 us per 4 KB page
 * here). Not reentrant: kernels run to completion, one at a time per thread.
 */
function scratch(slot: number, n: number): Float64Array {
  const b = slots[slot];
  if (b !== undefined && b.length >= n) return b;
  if (n > SCRATCH_MAX) return new Float64Array(n);
  return (slots[slot] = new Float64Array(Math.min(SCRATCH_MAX, Math.max(n, 2 * (b?.length ?? 0), 8192))));
}

/** Elements [start, end) of a strided view, in row-major order, into t[0..). */
function stridedRead(v: View, data: Arr, start: number, end: number, t: Float64Array): void {
  let k = 0;
  rows(v.shape, [v], start, end, (o, st, n) => {
    for (let j = 0, p = o[0], d = st[0]; j < n; j++, p += d) t[k + j] = data[p];
    k += n;
  });
}

/** stridedRead's inverse: t[0..end-start) into elements [start, end) of a strided view, converted for
 * int64 (truncated) and bool (nonzero or NaN: 1) buffers. */
function stridedWrite(v: View, data: Arr, start: number, end: number, t: Float64Array): void {
  const fix = v.dtype === 'int64' ? 1 : v.dtype === 'bool' ? 2 : 0;
  let k = 0;
  rows(v.shape, [v], start, end, (o, st, n) => {
    const d = st[0];
    if (fix === 0) for (let j = 0, p = o[0]; j < n; j++, p += d) data[p] = t[k + j];
    else if (fix === 1) for (let j = 0, p = o[0]; j < n; j++, p += d) data[p] = Math.trunc(t[k + j]) + 0;
    else for (let j = 0, p = o[0]; j < n; j++, p += d) data[p] = t[k + j] !== 0 ? 1 : 0;
    k += n;
  });
}

/** Reads elements [start,end) of a view: the raw array with a base offset when the view is contiguous,
 * else a scratch float64 copy (slot `slot`) with base 0. */
function gather(v: View, data: Arr, start: number, end: number, slot: number): { arr: Arr; base: number } {
  if (isContig(v)) return { arr: data, base: v.offset + start };
  const t = scratch(slot, end - start);
  stridedRead(v, data, start, end, t);
  return { arr: t, base: 0 };
}

/**
 * Writes computed values into a (possibly strided) output view. `compute(dst, base)` writes elements
 * [start, end) at dst[base..]: straight into the output when it is contiguous and needs no conversion
 * (`exact`: the values are valid for its dtype already, e.g. 0/1 into a bool buffer), else into float64
 * scratch, then converted into place (int64 truncated, bool 0/1).
 */
function writeOut(v: View, data: Arr, start: number, end: number, compute: (dst: Arr, dstBase: number) => void, exact = false) {
  if (isContig(v) && (exact || !needsFix(v.dtype))) { compute(data, v.offset + start); return; }
  const tmp = scratch(S_OUT, end - start);
  compute(tmp, 0);
  stridedWrite(v, data, start, end, tmp);
}

/**
 * Visits elements [s, e) of an elementwise op over `shape` (its output's) in row-major order, a row at a
 * time: body(off, step, n) for n elements whose first is at off[j] in operand j (views[j]), each next one
 * step[j] further. Dimensions of size 1 are dropped and neighbours that every operand walks through
 * evenly are merged first, so contiguous operands make one row of e - s elements; `off` is reused.
 */
function rows(shape: readonly number[], views: readonly View[], s: number, e: number, body: (off: number[], step: number[], n: number) => void,
  plan: RowPlan | null = rowPlan(shape, views)): void {
  const k = views.length;
  if (plan === null) { // all contiguous (the common case, and small ops' whole cost: no dimension merging)
    const off = new Array<number>(k), step = new Array<number>(k);
    for (let j = 0; j < k; j++) { off[j] = views[j].offset + s; step[j] = 1; }
    body(off, step, e - s);
    return;
  }
  const { sh, st } = plan;
  const r = sh.length, coord = new Array<number>(r), off = views.map((v) => v.offset), step = st.map((x) => x[0]);
  let rem = s;
  for (let d = 0; d < r; d++) {
    const c = rem % sh[d];
    rem = (rem - c) / sh[d];
    coord[d] = c;
    for (let j = 0; j < k; j++) off[j] += c * st[j][d];
  }
  const L = sh[0];
  for (let n = e - s; n > 0;) {
    const run = Math.min(L - coord[0], n);
    body(off, step, run);
    n -= run;
    if (n === 0) break;
    for (let j = 0; j < k; j++) off[j] += (run - L) * step[j]; // back to the row's start (coord[0] + run === L)
    coord[0] = 0;
    for (let d = 1; d < r; d++) {
      if (++coord[d] < sh[d]) { for (let j = 0; j < k; j++) off[j] += st[j][d]; break; }
      for (let j = 0; j < k; j++) off[j] -= (sh[d] - 1) * st[j][d];
      coord[d] = 0;
    }
  }
}

/** The dimensions rows() walks, innermost first (sh[0]: the row length; st[j][0]: operand j's step
 * along a row), or null when every view is contiguous (one row). */
interface RowPlan { sh: number[]; st: number[][] }
function rowPlan(shape: readonly number[], views: readonly View[]): RowPlan | null {
  const k = views.length;
  let contig = true;
  for (let j = 0; j < k && contig; j++) contig = isContig(views[j]);
  if (contig) return null;
  const sh: number[] = [], st: number[][] = views.map(() => []);
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] === 1) continue;
    const last = sh.length - 1;
    if (last >= 0 && views.every((v, j) => v.strides[d] === st[j][last] * sh[last])) { sh[last] *= shape[d]; continue; }
    sh.push(shape[d]);
    for (let j = 0; j < k; j++) st[j].push(views[j].strides[d]);
  }
  if (!sh.length) { sh.push(1); for (let j = 0; j < k; j++) st[j].push(0); }
  return { sh, st };
}

/**
 * A copy into contiguous memory from a transposed view (x.t().contiguous(), a matrix read column by
 * column): the row-by-row JS loop reads one value per cache line of the source and runs at ~18 ns per
 * value once the source outgrows the cache. Whole output rows go in tiles instead: float32 in the arena
 * through the SIMD kernel's 4x4 tiles, anything else through the JS loop's 16x16 tiles; rows the range
 * [s, e) covers only in part go through the plain loop. Same values (the same conversion per element).
 * False (nothing written) where the layout is not a 2-D transpose with rows and a source stride of at
 * least 16 values.
 */
function transposedCopy(x: View, out: View, R: Resolve, s: number, e: number): boolean {
  const tr = transposedRows(x, out, s, e);
  if (tr === null) return false;
  const { w, ld, i0, i1 } = tr;
  if (s < i0 * w) runUnaryJs('copy', x, out, R, s, i0 * w);
  const X = R(x.buf), O = R(out.buf);
  // (float32, and float64 / int64 into their own dtype: bit copies in the SIMD kernels)
  const eb = out.dtype === x.dtype && isSimdStore(x.dtype) ? ELEM_BYTES[x.dtype] : 0;
  const o = fast && eb ? arenaAddress(O, fast.memory) : null;
  const a = o !== null ? arenaAddress(X, fast!.memory) : null;
  if (o !== null && a !== null) (eb === 4 ? fast!.simd.transpose32 : fast!.simd.transpose64)(o + eb * out.offset, a + eb * x.offset, i0, i1, w, ld);
  else transposeLoop(X, O, storeOf(out.dtype))(X, x.offset, ld, O, out.offset, w, i0, i1);
  if (i1 * w < e) runUnaryJs('copy', x, out, R, i1 * w, e);
  return true;
}

/** Which operand of a binary op is a view of dtype d that `out` reads transposed (transposedRows): b
 * first, then a; null if neither. */
function transposedSide(av: View | number, bv: View | number, out: View, s: number, e: number, d: DType): 'a' | 'b' | null {
  const isT = (v: View | number) => typeof v !== 'number' && v.dtype === d && !isContig(v) && transposedRows(v, out, s, e) !== null;
  return isT(bv) ? 'b' : isT(av) ? 'a' : null;
}

/**
 * Where contiguous `out` reads `x` transposed (out[i·w + j] = x[x.offset + j·ld + i], rows and source
 * stride of at least 16 values): w, ld and the output rows [i0, i1) the range [s, e) covers whole; null
 * where not, or no row is whole.
 */
function transposedRows(x: View, out: View, s: number, e: number): { w: number; ld: number; i0: number; i1: number } | null {
  if (!isContig(out)) return null;
  const plan = rowPlan(out.shape, [out, x]);
  if (plan === null || plan.sh.length !== 2 || plan.st[1][1] !== 1 || plan.sh[0] < 16 || plan.st[1][0] < 16) return null;
  const w = plan.sh[0], i0 = Math.ceil(s / w), i1 = Math.floor(e / w);
  return i1 > i0 ? { w, ld: plan.st[1][0], i0, i1 } : null;
}

/** How values reach an output buffer of dtype d (loops.ts); `exact`: they are valid for it already. */
const storeOf = (d: DType, exact = false): Store => (exact ? 'as-is' : d === 'int64' ? 'int64' : d === 'bool' ? 'bool' : 'as-is');

function runUnary(fn: UnaryFn, x: View, out: View, R: Resolve, s: number, e: number) {
  if (fast && isSimdUnary(fn) && out.dtype === 'float32') {
    const o = addrF32(out, R, s), a = addrF32(x, R, s);
    if (o !== null && a !== null) { fast.simd.unaryF32(fn, o, a, e - s); return; }
  }
  // float64 or int64 data (the JS loop's float64 expression, then its store): same bits.
  const d = out.dtype;
  // (Not sigmoid into float32: the JS loop rounds each of its steps to float32 there.)
  if (fast && isUnary64(fn) && (d === 'float64' || d === 'int64' || (d === 'float32' && fn !== 'sigmoid'))) {
    const a = addr64(x, R, s), o = a === null ? null : addrAny(out, R, s);
    if (o !== null) { fast.simd.unary64(fn, d, o, a!, e - s); return; }
  }
  runUnaryJs(fn, x, out, R, s, e);
}
function runUnaryJs(fn: UnaryFn | 'copy', x: View, out: View, R: Resolve, s: number, e: number) {
  const X = R(x.buf), O = R(out.buf);
  const loop = unaryLoop(fn, X, O, storeOf(out.dtype));
  rows(out.shape, [out, x], s, e, (o, st, n) => loop(X, o[1], st[1], O, o[0], st[0], n));
}

/** A broadcast view that repeats one element is read once, as a scalar. */
function asScalar(v: View | number, R: Resolve): View | number {
  if (typeof v === 'number' || !isScalarView(v)) return v;
  return R(v.buf)[v.offset];
}

const COMPARISON = new Set<BinaryFn>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

function runBinary(fn: BinaryFn, av0: View | number, bv0: View | number, out: View, R: Resolve, s: number, e: number) {
  const av = asScalar(av0, R), bv = asScalar(bv0, R);
  if (fast && fn === 'pow' && bv === 2 && typeof av !== 'number' && out.dtype === 'float32' && av.dtype === 'float32') {
    // x ** 2 is x * x (the JS loop's own rule): the float64 product of two float32 values is exact, so
    // its float32 rounding is the SIMD float32 product's.
    const o = addrF32(out, R, s), a = addrF32(av, R, s);
    if (o !== null && a !== null) { fast.simd.binaryF32('mul', o, a, 0, a, 0, e - s); return; }
  }
  if (fast && isSimdBinary(fn) && out.dtype === 'float32') {
    // (A number operand here is already a value of the compute dtype, float32: see the frontend.)
    const o = addrF32(out, R, s), a = simdArg(av, R, s, false), b = simdArg(bv, R, s, false);
    if (o !== null && a !== undefined && b !== undefined) {
      fast.simd.binaryF32(fn, o, a, kOf(av), b, kOf(bv), e - s);
      return;
    }
  }
  if (fast && isSimdBinary(fn) && out.dtype === 'float32' && simdRows(fn, av, bv, out, R, s, e)) return;
  if (fast && isSimdBinary(fn) && out.dtype === 'float32' && simdBool(fn, av, bv, out, R, s, e)) return;
  if (fast && isCompare(fn) && out.dtype === 'bool' && simdCompare(fn, av, bv, out, R, s, e)) return;
  if (fast && isCompare(fn) && out.dtype === 'bool' && simdCompareRows(fn, av, bv, out, R, s, e)) return;
  if (fast && isCompare(fn) && out.dtype === 'bool' && simdCompareTransposed(fn, av, bv, out, R, s, e)) return;
  if (fast && isSimdBinary(fn) && isSimdStore(out.dtype) && simdTransposed(fn, av, bv, out, R, s, e)) return;
  if (fast && simd64(fn, av, bv, out, R, s, e)) return;
  if (fast && isSimdBinary(fn) && simd64Rows(fn, av, bv, out, R, s, e)) return;
  if (fast && simdMixed(fn, av, bv, out, R, s, e)) return;
  if (fast && fn === 'pow' && bv === 2 && typeof av !== 'number' && (out.dtype === 'int64' || out.dtype === 'float64') && simd64('mul', av, av, out, R, s, e)) return; // (x ** 2 is x * x, the JS loop's own rule)
  runBinaryJs(fn, av, bv, out, R, s, e);
}
function runBinaryJs(fn: BinaryFn, av: View | number, bv: View | number, out: View, R: Resolve, s: number, e: number) {
  const O = R(out.buf), store = storeOf(out.dtype, COMPARISON.has(fn)); // (comparisons give 0 or 1)
  if (typeof av === 'number' && typeof bv === 'number') {
    fillView(out, O, fn === 'nextafter' && out.dtype === 'float32' ? nextafter32(av, bv) : BINARY[fn](av, bv), s, e);
    return;
  }
  const A = typeof av === 'number' ? null : R(av.buf), B = typeof bv === 'number' ? null : R(bv.buf);
  const form: Form = A && B ? 'vv' : A ? 'vs' : 'sv';
  const k = typeof av === 'number' ? av : typeof bv === 'number' ? bv : 0;
  const loop = binaryLoop(fn, form, A, B, O, store, k);
  const views = [out];
  const ai = A ? views.push(av as View) - 1 : 0, bi = B ? views.push(bv as View) - 1 : 0;
  rows(out.shape, views, s, e, (o, st, n) => loop(A, A ? o[ai] : 0, A ? st[ai] : 0, B, B ? o[bi] : 0, B ? st[bi] : 0, O, o[0], st[0], n, k));
}

/**
 * An op on float64 or int64 operands (both Float64Arrays; the other may be a number) contiguous in the
 * arena, through the 64-bit SIMD kernels: arithmetic into float64, int64 (truncated, as the JS loop's
 * store) or float32 (int64 / int64), comparisons into bool. The JS loop computes in float64 too, one IEEE
 * operation per element, so the same bits. False (nothing written) where it does not apply.
 */
function simd64(fn: BinaryFn, av: View | number, bv: View | number, out: View, R: Resolve, s: number, e: number): boolean {
  if (typeof av === 'number' && typeof bv === 'number') return false;
  const a = arg64(av, R, s), b = arg64(bv, R, s);
  if (a === undefined || b === undefined) return false;
  if (isCompare(fn)) {
    const o = boolAddr(out, R, s);
    if (o === null) return false;
    fast!.simd.compare64(fn, o, a, kOf(av), b, kOf(bv), e - s);
    return true;
  }
  const d = out.dtype;
  if (!isSimdBinary(fn) || !isSimdStore(d)) return false;
  const o = addrAny(out, R, s);
  if (o === null) return false;
  fast!.simd.binary64(fn, d, o, a, kOf(av), b, kOf(bv), e - s);
  return true;
}

/** What the mixed-type kernel reads a dtype's elements as (int32 has no reader there). */
const sourceOf = (d: DType): Source64 | null => (d === 'float32' ? 'f32' : d === 'float64' || d === 'int64' ? 'f64' : d === 'bool' ? 'u8' : null);
/**
 * An op whose operands are of different storage types (x + a: float32 and int64; float32 and float64;
 * bool and int64), or a float32 compared with a number that is not a float32 value (x > 0.1), all
 * contiguous in the arena: each read as the double its typed array gives the JS loop, computed in
 * float64, stored as the output's dtype (float32, float64, int64; bool for comparisons). Same bits as the
 * JS loop. False where it does not apply.
 */
function simdMixed(fn: BinaryFn, av: View | number, bv: View | number, out: View, R: Resolve, s: number, e: number): boolean {
  if (typeof av === 'number' && typeof bv === 'number') return false;
  const cmp = isCompare(fn);
  if (!cmp && !isSimdBinary(fn)) return false;
  const d = out.dtype;
  if (cmp ? d !== 'bool' : !isSimdStore(d)) return false;
  const as = typeof av === 'number' ? null : sourceOf(av.dtype), bs = typeof bv === 'number' ? null : sourceOf(bv.dtype);
  if ((typeof av !== 'number' && as === null) || (typeof bv !== 'number' && bs === null)) return false;
  const a = typeof av === 'number' ? 0 : addrAny(av, R, s), b = typeof bv === 'number' ? 0 : addrAny(bv, R, s);
  const o = addrAny(out, R, s);
  if (a === null || b === null || o === null) return false;
  fast!.simd.binaryMixed(fn as SimdBinaryFn | CompareFn, d as Store64, o, as, a, bs, b, typeof av === 'number' ? av : typeof bv === 'number' ? bv : 0, e - s);
  return true;
}

/**
 * A 64-bit op (simd64) with a broadcast operand (a + row, a * col) over whole rows of a 2-D plan, in one
 * kernel call: the output contiguous in the arena (float64, int64, or float32 from int64 / int64), each
 * operand a number, 64-bit arena data (contiguous along the row, or a value per row), or a row or column
 * outside the arena (a small one) copied once into the main thread's kernel scratch. False where that
 * does not apply (workers have no scratch for such operands; rows split by the range).
 */
function simd64Rows(fn: SimdBinaryFn, av: View | number, bv: View | number, out: View, R: Resolve, s: number, e: number): boolean {
  const d = out.dtype;
  if (!isSimdStore(d) || !isContig(out)) return false;
  const is64 = (v: View | number) => typeof v === 'number' || v.dtype === 'float64' || v.dtype === 'int64';
  if (!is64(av) || !is64(bv)) return false;
  const views = [out];
  const ai = typeof av === 'number' ? -1 : views.push(av) - 1, bi = typeof bv === 'number' ? -1 : views.push(bv) - 1;
  const plan = rowPlan(out.shape, views);
  if (plan === null || plan.sh.length !== 2 || plan.sh[0] < 16) return false;
  const w = plan.sh[0];
  if (s % w !== 0 || e % w !== 0) return false;
  const r0 = s / w, r1 = e / w, sc = { free: fast!.scratch ? fast!.scratch.at : 0, room: fast!.scratch ? fast!.scratch.bytes : 0 };
  const place = (v: View | number, j: number) => {
    const X = typeof v === 'number' ? null : R(v.buf);
    return rowsOperand(v, j, X, X && arenaAddress(X, fast!.memory), plan, r0, r1, 8, sc);
  };
  const pa = place(av, ai), pb = pa && place(bv, bi), o = addrAny(out, R, s);
  if (!pa || !pb || o === null || (pa[2] === 0 && pb[2] === 0)) return false;
  fast!.simd.binaryRows64(fn, d, o, w, pa[0], pa[1], pa[2], pa[3], pb[0], pb[1], pb[2], pb[3], r1 - r0, w);
  return true;
}

/**
 * A float32 binary op into contiguous arena memory whose operands are broadcast or small, a row at a
 * time through the SIMD kernel: an operand that repeats one value along the row (x * col) is a scalar
 * for that row; one that is contiguous along the row is read in place if it lives in the arena, else
 * (a small bias row) it is first copied into the output row, which the kernel then reads and overwrites
 * in place. Same bits as the JS loop: the same float32 operation per element. False (nothing written)
 * where it does not apply: rows shorter than 32 (a kernel call per row would cost more), a transposed
 * operand, a row to copy into an output that is also the other operand (an in-place op).
 */
function simdRows(fn: SimdBinaryFn, av: View | number, bv: View | number, out: View, R: Resolve, s: number, e: number): boolean {
  const O = R(out.buf), oBase = arenaAddress(O, fast!.memory);
  if (oBase === null || !isFloat32Operand(av) || !isFloat32Operand(bv)) return false;
  const views = [out];
  const ai = typeof av === 'number' ? -1 : views.push(av) - 1, bi = typeof bv === 'number' ? -1 : views.push(bv) - 1;
  const plan = rowPlan(out.shape, views);
  if (plan === null || plan.sh[0] < 32 || plan.st[0][0] !== 1) return false;
  const A = ai < 0 ? null : R((av as View).buf), B = bi < 0 ? null : R((bv as View).buf);
  const aBase = A && arenaAddress(A, fast!.memory), bBase = B && arenaAddress(B, fast!.memory);
  // Per operand: 0 scalar, 1 read in place, 2 copied into the output row first. The output's own memory
  // (an in-place op) is read in place, as the same view (the frontend lets no other overlap through),
  // and then nothing may be copied over it.
  const how = (j: number, base: number | null) => {
    if (j < 0) return 0;
    const step = plan.st[j][0];
    return step === 0 ? 0 : step !== 1 ? -1 : base !== null ? 1 : 2;
  };
  const ha = how(ai, aBase), hb = how(bi, bBase);
  if (ha < 0 || hb < 0) return false;
  if (plan.sh.length === 2 && oneCall(fn, av, bv, ai, bi, A, B, aBase, bBase, oBase, out, plan, s, e)) return true;
  if ((ha === 2 && (hb === 2 || B === O)) || (hb === 2 && A === O)) return false;
  const simd = fast!.simd;
  rows(out.shape, views, s, e, (o, _st, n) => {
    const oAddr = oBase + 4 * o[0];
    let aAddr: number | null = null, aK = 0, bAddr: number | null = null, bK = 0;
    if (ai < 0) aK = av as number; else if (ha === 0) aK = A![o[ai]]; else if (ha === 1) aAddr = aBase! + 4 * o[ai];
    else { O.set(A!.subarray(o[ai], o[ai] + n), o[0]); aAddr = oAddr; }
    if (bi < 0) bK = bv as number; else if (hb === 0) bK = B![o[bi]]; else if (hb === 1) bAddr = bBase! + 4 * o[bi];
    else { O.set(B!.subarray(o[bi], o[bi] + n), o[0]); bAddr = oAddr; }
    simd.binaryF32(fn, oAddr, aAddr, aK, bAddr, bK, n);
  }, plan);
  return true;
}
const isFloat32Operand = (v: View | number) => typeof v === 'number' || v.dtype === 'float32';

/**
 * An operand of a whole-rows kernel call (binaryRowsF32, binaryRows64) over output rows [r0, r1) of a
 * 2-D plan: [address of its element (r0, 0) or 0 for a number, row step, column step (0 or 1), k]. Arena
 * data (X's address `base`) is read in place; outside the arena, a row repeated for every output row or a
 * value per row is copied into the kernels' scratch (`sc`: its free address and room, advanced), as
 * elements of `eb` bytes (float32 or 64-bit). Null where neither applies.
 */
function rowsOperand(v: View | number, j: number, X: Arr | null, base: number | null, plan: RowPlan, r0: number, r1: number, eb: 4 | 8,
  sc: { free: number; room: number }): [number, number, number, number] | null {
  if (typeof v === 'number') return [0, 0, 0, v];
  const col = plan.st[j][0], row = plan.st[j][1], w = plan.sh[0];
  if (col !== 0 && col !== 1) return null;
  if (base !== null) return [base + eb * (v.offset + r0 * row), row, col, 0];
  const n = col === 1 ? w : r1 - r0, bytes = (eb * n + 15) & ~15;
  if ((col === 1 && row !== 0) || eb * n > sc.room) return null;
  const dst = new (eb === 4 ? Float32Array : Float64Array)(fast!.memory.buffer, sc.free, n), at = sc.free;
  if (col === 1) dst.set(X!.subarray(v.offset, v.offset + w));
  else for (let r = 0; r < n; r++) dst[r] = X![v.offset + (r0 + r) * row];
  sc.free += bytes; sc.room -= bytes;
  return [at, col === 1 ? 0 : 1, col, 0];
}

/**
 * simdRows for a 2-D plan over whole rows, in one kernel call (a call per row cost ~1 µs: x + row over
 * 1000 rows took 1.4 ms): the output's rows at any row step (a view with gaps written in place), each
 * operand a number, arena data read in place (contiguous along the row, or a value per row), or a small
 * row or column outside the arena copied once into the main thread's kernel scratch. False where that
 * does not apply (workers have no scratch; rows split by the range; an operand outside the arena that is
 * neither).
 */
function oneCall(fn: SimdBinaryFn, av: View | number, bv: View | number, ai: number, bi: number, A: Arr | null, B: Arr | null,
  aBase: number | null, bBase: number | null, oBase: number, out: View, plan: RowPlan, s: number, e: number): boolean {
  const w = plan.sh[0];
  if (s % w !== 0 || e % w !== 0) return false;
  const r0 = s / w, r1 = e / w;
  const sc = { free: fast!.scratch ? fast!.scratch.at : 0, room: fast!.scratch ? fast!.scratch.bytes : 0 };
  const place = (v: View | number, j: number, X: Arr | null, base: number | null) => rowsOperand(v, j, X, base, plan, r0, r1, 4, sc);
  const pa = place(av, ai, A, aBase);
  const pb = pa && place(bv, bi, B, bBase);
  if (!pa || !pb || (pa[2] === 0 && pb[2] === 0)) return false;
  const orow = plan.st[0][1];
  fast!.simd.binaryRowsF32(fn, oBase + 4 * (out.offset + r0 * orow), orow, pa[0], pa[1], pa[2], pa[3], pb[0], pb[1], pb[2], pb[3], r1 - r0, w);
  return true;
}

/**
 * A float32 op one of whose operands is a transposed float32 view in the arena (x + y.t(), x.t() + row),
 * into contiguous arena memory: for whole output rows, the transposed operand is first copied into the
 * output rows by the transposing kernel (4x4 tiles), then the op runs reading that operand from the
 * output in place (the other: a contiguous arena view or a number through the SIMD kernel here, anything
 * else through runBinary's paths). Rows [s, e) covers in
 * part go through the JS loop. Same bits: the same float32 operation per element. False (nothing
 * written) where it does not apply, or where an operand shares the output's memory.
 */
function simdTransposed(fn: SimdBinaryFn, av: View | number, bv: View | number, out: View, R: Resolve, s: number, e: number): boolean {
  // (of out's dtype: the transposing kernels copy bits into the output)
  const tSide = transposedSide(av, bv, out, s, e, out.dtype);
  if (tSide === null) return false;
  const t = (tSide === 'b' ? bv : av) as View, other = tSide === 'b' ? av : bv;
  const O = R(out.buf), T = R(t.buf);
  if (T === O || (typeof other !== 'number' && R(other.buf) === O)) return false;
  const tr = transposedRows(t, out, s, e)!;
  const { w, ld, i0, i1 } = tr;
  const f32 = out.dtype === 'float32', eb = ELEM_BYTES[out.dtype];
  const oBase = arenaAddress(O, fast!.memory), tBase = arenaAddress(T, fast!.memory), x = f32 ? simdArg(other, R, i0 * w, false) : undefined;
  if (oBase === null || tBase === null) return false;
  if (s < i0 * w) runBinaryJs(fn, av, bv, out, R, s, i0 * w);
  const o = oBase + 4 * (out.offset + i0 * w), n = (i1 - i0) * w;
  (f32 ? fast!.simd.transpose32 : fast!.simd.transpose64)(oBase + eb * out.offset, tBase + eb * t.offset, i0, i1, w, ld);
  if (x === undefined) {
    // The other operand is broadcast or strided (x.t() + row): the op again, with the transposed
    // operand now read from the output in place (runBinary's paths allow that; none copies over it).
    runBinary(fn, tSide === 'a' ? out : av, tSide === 'b' ? out : bv, out, R, i0 * w, i1 * w);
  } else if (tSide === 'b') fast!.simd.binaryF32(fn, o, x, kOf(other), o, 0, n);
  else fast!.simd.binaryF32(fn, o, o, 0, x, kOf(other), n);
  if (i1 * w < e) runBinaryJs(fn, av, bv, out, R, i1 * w, e);
  return true;
}

/** A float32 op with a bool operand (g * mask: relu's backward), contiguous in the arena, the other a
 * contiguous float32 arena operand or a float32 scalar, through the SIMD kernel that reads the bytes as
 * the numbers they hold; false where it does not apply. */
function simdBool(fn: SimdBinaryFn, av: View | number, bv: View | number, out: View, R: Resolve, s: number, e: number): boolean {
  const isBool = (v: View | number): v is View => typeof v !== 'number' && v.dtype === 'bool';
  const boolSide = isBool(av) ? 'a' : isBool(bv) ? 'b' : null;
  if (boolSide === null) return false;
  const mask = (boolSide === 'a' ? av : bv) as View, other = boolSide === 'a' ? bv : av;
  const o = addrF32(out, R, s), x = simdArg(other, R, s, true);
  const m = boolAddr(mask, R, s);
  if (o === null || x === undefined || m === null) return false;
  fast!.simd.binaryBoolF32(fn, boolSide, o, boolSide === 'a' ? m : x, boolSide === 'a' ? x : m, kOf(other), e - s);
  return true;
}
/** The arena address of element i of a contiguous bool view (one byte each), or null. */
function boolAddr(v: View, R: Resolve, i: number): number | null {
  if (v.dtype !== 'bool' || !isContig(v)) return null;
  const a = arenaAddress(R(v.buf), fast!.memory);
  return a === null ? null : a + v.offset + i;
}

/** where() of contiguous float32 arena data (or scalars) on a contiguous bool condition in the arena,
 * through the SIMD kernel (a selection, so the same bits); false where it does not apply. */
function simdWhere(op: Extract<Op, { op: 'where' }>, R: Resolve, s: number, e: number): boolean {
  const o = addrF32(op.out, R, s), c = boolAddr(op.cond, R, s);
  const a = simdArg(op.a, R, s, false), b = simdArg(op.b, R, s, false);
  if (o === null || c === null || a === undefined || b === undefined) return false;
  fast!.simd.whereF32(o, c, a, kOf(op.a), b, kOf(op.b), e - s);
  return true;
}

/** A comparison of contiguous float32 arena data (and a float32 scalar) into a contiguous bool buffer in
 * the arena, through the SIMD kernel; false where it does not apply. */
function simdCompare(fn: CompareFn, av: View | number, bv: View | number, out: View, R: Resolve, s: number, e: number): boolean {
  if (typeof av === 'number' && typeof bv === 'number') return false;
  const o = boolAddr(out, R, s), a = simdArg(av, R, s, true), b = simdArg(bv, R, s, true);
  if (o === null || a === undefined || b === undefined) return false;
  fast!.simd.compareF32(fn, o, a, kOf(av), b, kOf(bv), e - s);
  return true;
}

/**
 * A comparison of float32 operands of which one is broadcast (x > row, x == col) into contiguous bool
 * memory in the arena: a SIMD call per output row, each operand a value per row (a column), arena data
 * read in place, or a row outside the arena copied first into the main thread's kernel scratch. The JS
 * loop's '+(x > y)' is a branch a random comparison mispredicts half the time: 1000x1000 x > row 4.2 ms.
 * Same bits: the same float32 comparison. False where it does not apply (no scratch: workers).
 */
function simdCompareRows(fn: CompareFn, av: View | number, bv: View | number, out: View, R: Resolve, s: number, e: number): boolean {
  const sc = fast!.scratch, O = R(out.buf), oBase = arenaAddress(O, fast!.memory);
  if (sc === null || oBase === null || !isContig(out) || !isFloat32Operand(av) || !isFloat32Operand(bv)) return false;
  const views = [out];
  const ai = typeof av === 'number' ? -1 : views.push(av) - 1, bi = typeof bv === 'number' ? -1 : views.push(bv) - 1;
  const plan = rowPlan(out.shape, views);
  if (plan === null || plan.sh[0] < 32 || 4 * plan.sh[0] * 2 > sc.bytes) return false;
  const A = ai < 0 ? null : R((av as View).buf), B = bi < 0 ? null : R((bv as View).buf);
  const aBase = A && arenaAddress(A, fast!.memory), bBase = B && arenaAddress(B, fast!.memory);
  for (const j of [ai, bi]) if (j >= 0 && plan.st[j][0] !== 0 && plan.st[j][0] !== 1) return false;
  const simd = fast!.simd, mem = fast!.memory;
  // Per operand, per row: a number (a column's value), an address in the arena, or a copy in scratch.
  const arg = (j: number, X: Arr | null, base: number | null, o: number, n: number, slot: number): [number | null, number] => {
    if (j < 0) return [null, 0];
    if (plan.st[j][0] === 0) return [null, X![o]];
    if (base !== null) return [base + 4 * o, 0];
    const at = sc.at + slot * 4 * plan.sh[0];
    new Float32Array(mem.buffer, at, n).set(X!.subarray(o, o + n));
    return [at, 0];
  };
  rows(out.shape, views, s, e, (o, _st, n) => {
    const [a, ka] = ai < 0 ? [null, av as number] : arg(ai, A, aBase, o[ai], n, 0);
    const [b, kb] = bi < 0 ? [null, bv as number] : arg(bi, B, bBase, o[bi], n, 1);
    if (a === null && b === null) { O.fill(BINARY[fn](ka, kb) ? 1 : 0, o[0], o[0] + n); return; }
    simd.compareF32(fn, oBase + o[0], a, ka, b, kb, n);
  }, plan);
  return true;
}

/** where() into float64 or int64 of 64-bit operands (or numbers), all contiguous in the arena, through the
 * 64-bit SIMD kernel (a selection, then the int64 store's truncation); false where it does not apply. */
function simdWhere64(op: Extract<Op, { op: 'where' }>, R: Resolve, s: number, e: number): boolean {
  const d = op.out.dtype;
  if (d !== 'float64' && d !== 'int64') return false;
  const o = addr64(op.out, R, s), c = boolAddr(op.cond, R, s), a = arg64(op.a, R, s), b = arg64(op.b, R, s);
  if (o === null || c === null || a === undefined || b === undefined) return false;
  fast!.simd.where64(d, o, c, a, kOf(op.a), b, kOf(op.b), e - s);
  return true;
}

/**
 * A comparison with a transposed operand (x > y.t(); float32, or float64 / int64) into contiguous bool
 * memory in the arena, the other operand a contiguous arena view of the same dtype or a number (float32:
 * a float32 value): bands of whole output rows, the transposed operand first copied into the main
 * thread's kernel scratch by the transposing kernel, then compared there by the SIMD comparison (the JS
 * loop's comparison of the same values: same bits). Rows [s, e) covers in
 * part go through the JS loop. False where it does not apply (workers: no scratch).
 */
function simdCompareTransposed(fn: CompareFn, av: View | number, bv: View | number, out: View, R: Resolve, s: number, e: number): boolean {
  const sc = fast!.scratch;
  if (sc === null) return false;
  // float32 (the other operand float32 or a float32 number), or 64-bit (the other of the same dtype, or any number)
  const d = typeof bv !== 'number' ? bv.dtype : typeof av !== 'number' ? av.dtype : null;
  if (d === null || !isSimdStore(d)) return false;
  const tSide = transposedSide(av, bv, out, s, e, d);
  if (tSide === null) return false;
  const t = (tSide === 'b' ? bv : av) as View, other = tSide === 'b' ? av : bv, f32 = d === 'float32', eb = ELEM_BYTES[d];
  const { w, ld, i0, i1 } = transposedRows(t, out, s, e)!;
  const x = f32 ? simdArg(other, R, i0 * w, true) : typeof other === 'number' ? null : other.dtype === d ? addr64(other, R, i0 * w) ?? undefined : undefined;
  const tBase = arenaAddress(R(t.buf), fast!.memory), o = boolAddr(out, R, i0 * w);
  const band = Math.floor(sc.bytes / (eb * w)) & ~3;
  if (tBase === null || x === undefined || o === null || band < 4) return false;
  if (s < i0 * w) runBinaryJs(fn, av, bv, out, R, s, i0 * w);
  const simd = fast!.simd, compare = f32 ? simd.compareF32 : simd.compare64;
  for (let r0 = i0; r0 < i1; r0 += band) {
    const r1 = Math.min(i1, r0 + band), n = (r1 - r0) * w;
    (f32 ? simd.transpose32 : simd.transpose64)(sc.at, tBase + eb * (t.offset + r0), 0, r1 - r0, w, ld);
    const xo = x === null ? null : x + eb * (r0 - i0) * w, oo = o + (r0 - i0) * w;
    if (tSide === 'b') compare(fn, oo, xo, kOf(other), sc.at, 0, n);
    else compare(fn, oo, sc.at, 0, xo, kOf(other), n);
  }
  if (i1 * w < e) runBinaryJs(fn, av, bv, out, R, i1 * w, e);
  return true;
}

function runWhere(op: Extract<Op, { op: 'where' }>, R: Resolve, s: number, e: number) {
  if (fast && op.out.dtype === 'float32' && op.cond.dtype === 'bool' && isContig(op.cond) && simdWhere(op, R, s, e)) return;
  if (fast && simdWhere64(op, R, s, e)) return;
  const C = R(op.cond.buf), A = typeof op.a === 'number' ? null : R(op.a.buf), B = typeof op.b === 'number' ? null : R(op.b.buf);
  const O = R(op.out.buf);
  const ka = op.a as number, kb = op.b as number;
  const loop = whereLoop(C, A, B, O, storeOf(op.out.dtype));
  const views = [op.out, op.cond];
  const ai = A ? views.push(op.a as View) - 1 : 0, bi = B ? views.push(op.b as View) - 1 : 0;
  rows(op.out.shape, views, s, e, (o, st, n) =>
    loop(C, o[1], st[1], A, A ? o[ai] : 0, A ? st[ai] : 0, B, B ? o[bi] : 0, B ? st[bi] : 0, O, o[0], st[0], n, ka, kb));
}

/** v as stored into a buffer of dtype d: truncated for int64, 0/1 for bool (the typed array converts the rest). */
const storedValue = (d: DType, v: number): number => (d === 'int64' ? Math.trunc(v) + 0 : d === 'bool' ? (v !== 0 ? 1 : 0) : v);

/** Elements [s, e) of a view all set to v (converted for int64 and bool buffers). */
function fillView(out: View, O: Arr, v: number, s: number, e: number): void {
  const d = out.dtype;
  const w = storedValue(d, v);
  if (isContig(out)) { O.fill(w, out.offset + s, out.offset + e); return; }
  rows(out.shape, [out], s, e, (o, st, n) => { for (let i = 0, p = o[0]; i < n; i++, p += st[0]) O[p] = w; });
}

/**
 * Elements [s, e) of a view set to value + i * step (i: the row-major index; arange), as the JS loop's
 * float64 arithmetic and store: through the SIMD kernel into contiguous float32, float64 or int64 arena
 * memory, else a loop.
 */
function fillSteps(out: View, R: Resolve, value: number, step: number, s: number, e: number): void {
  const d = out.dtype;
  if (fast && isSimdStore(d)) {
    const o = addrAny(out, R, s);
    if (o !== null) { fast.simd.iota(d, o, value, step, s, e - s); return; }
  }
  const O = R(out.buf);
  rows(out.shape, [out], s, e, (o, st, n) => {
    for (let j = 0, p = o[0], i = s; j < n; j++, p += st[0], i++) O[p] = storedValue(d, value + i * step);
    s += n;
  });
}

/** Splits x into (kept view over out's coordinates, reduced sub-view). */
function reduceViews(x: View, axes: number[]) {
  const keptShape: number[] = [], keptStrides: number[] = [], redShape: number[] = [], redStrides: number[] = [];
  x.shape.forEach((s, d) => {
    if (axes.includes(d)) { redShape.push(s); redStrides.push(x.strides[d]); }
    else { keptShape.push(s); keptStrides.push(x.strides[d]); }
  });
  return {
    kept: { ...x, shape: keptShape, strides: keptStrides } as View,
    red: { ...x, shape: redShape, strides: redStrides, offset: 0 } as View,
  };
}

function runReduce(op: Extract<Op, { op: 'reduce' }>, R: Resolve, s: number, e: number) {
  const { kept, red } = reduceViews(op.x, op.axes);
  const data = R(op.x.buf);
  const m = numel(red.shape);
  const base = offsets(kept, s, e);
  // One output's reduced elements as one strided line where they form one (contiguous, or a single
  // dimension longer than 1); else read into scratch first.
  let stride: number | null = isContig(red) ? 1 : null;
  if (stride === null) {
    const long = red.shape.map((_, i) => i).filter((i) => red.shape[i] !== 1);
    if (long.length === 1) stride = red.strides[long[0]];
  }
  // Sums along a dimension that is not the innermost (x.sum(0)) of float32 arena data, into float32: the
  // outputs are consecutive elements of x, `stride` apart from one reduced element to the next; the
  // SIMD kernel sums four of them at a time reading rows in order, each in the order of the loops below,
  // into the kernels' scratch when the output (small) is outside the arena.
  // (Outputs in runs of consecutive columns, as x.sum(2) of [N, C, K, L] gives N·C runs of L: a call per run.)
  const runs = stride !== null && stride !== 1 && fast && isContig(op.out) ? unitRuns(base, e - s) : null;
  if (runs && op.fn === 'sum' && op.x.dtype === 'float32' && op.out.dtype === 'float32') {
    const xa = arenaAddress(data, fast!.memory), oa = addrF32(op.out, R, s), sc = fast!.scratch;
    if (xa !== null && (oa !== null || (sc !== null && 4 * (e - s) <= sc.bytes))) {
      for (let r = 0; r < runs.length; r += 2) fast!.simd.sumColumnsF32((oa ?? sc!.at) + 4 * runs[r], xa + 4 * base[runs[r]], m, runs[r + 1], stride!, REDUCE_BLOCK);
      if (oa === null) R(op.out.buf).set(new Float32Array(fast!.memory.buffer, sc!.at, e - s), op.out.offset + s);
      return;
    }
  }
  // The same for 64-bit data (float64, int64) into float64 / int64.
  if (fast && op.fn === 'sum' && stride !== null && stride !== 1 && (op.x.dtype === 'float64' || op.x.dtype === 'int64') &&
    op.out.dtype === op.x.dtype && isContig(op.out) && evenlySpaced(base, e - s, 1)) {
    const xa = arenaAddress(data, fast.memory), oa = addr64(op.out, R, s), sc = fast.scratch;
    if (xa !== null && (oa !== null || (sc !== null && 8 * (e - s) <= sc.bytes))) {
      fast.simd.sumColumns64(oa ?? sc!.at, xa + 8 * base[0], m, e - s, stride, REDUCE_BLOCK);
      if (oa === null) R(op.out.buf).set(new Float64Array(fast.memory.buffer, sc!.at, e - s), op.out.offset + s);
      return;
    }
  }
  // Max, min, argmax, argmin along a dimension that is not the innermost (x.max(0), x.argmax(0)) of float32
  // arena data: the outputs are consecutive columns, `stride` apart from row to row; the SIMD kernel walks
  // four columns at a time through the rows in order, each with the JS loop's rule (see ew.c).
  if (runs && op.fn !== 'sum' && op.x.dtype === 'float32' && m > 0) {
    const xa = arenaAddress(data, fast!.memory), arg = op.fn === 'argmax' || op.fn === 'argmin', eb = arg ? 8 : 4;
    const oa = arg ? addr64(op.out, R, s) : addrF32(op.out, R, s), sc = fast!.scratch;
    if (xa !== null && (oa !== null || (sc !== null && eb * (e - s) <= sc.bytes)) && op.out.dtype === (arg ? 'int64' : 'float32')) {
      const at = oa ?? sc!.at;
      for (let r = 0; r < runs.length; r += 2) {
        const o = at + eb * runs[r];
        fast!.simd.minMaxColumnsF32(arg ? 0 : o, arg ? o : 0, xa + 4 * base[runs[r]], m, runs[r + 1], stride!, op.fn === 'min' || op.fn === 'argmin');
      }
      if (oa === null) R(op.out.buf).set(arg ? new Float64Array(fast!.memory.buffer, at, e - s) : new Float32Array(fast!.memory.buffer, at, e - s), op.out.offset + s);
      return;
    }
  }
  // Max, min, argmax, argmin of contiguous float32 lines in the arena: the SIMD max (min) of each line,
  // then where it first occurs (a NaN: the first NaN; a zero: the first zero of either sign, the JS
  // loop's answer too, as its comparisons are strict).
  if (fast && op.fn !== 'sum' && stride === 1 && op.x.dtype === 'float32' && m > 0) {
    const xa = arenaAddress(data, fast.memory);
    if (xa !== null) {
      const X = data as Float32Array, arg = op.fn === 'argmax' || op.fn === 'argmin', isMin = op.fn === 'min' || op.fn === 'argmin';
      writeOut(op.out, R(op.out.buf), s, e, (dst, db) => {
        for (let o = 0; o < e - s; o++) {
          const b = base[o], v = fast!.simd.blockMinMaxF32(xa + 4 * b, m, isMin);
          // The value itself, unless where it is matters: an index, or a zero (the first zero's sign).
          if (!arg && v !== 0 && v === v) { dst[db + o] = v; continue; }
          let at = 0;
          if (v !== v) { while (X[b + at] === X[b + at]) at++; } else at = X.indexOf(v, b) - b; // (v is in the line)
          dst[db + o] = arg ? at : X[b + at];
        }
      });
      return;
    }
  }
  // Sums of contiguous lines in the arena: the SIMD block sum (the same blocks and accumulators) of float32,
  // 64-bit (float64, int64) or bool data.
  const blockSum = fast && op.fn === 'sum' && stride === 1 ? blockSumOf(op.x.dtype) : null;
  const lineAt = blockSum ? arenaAddress(data, fast!.memory) : null;
  const at = op.x.dtype === 'float32' ? lineAt : null, eb = ELEM_BYTES[op.x.dtype];
  // Lines equally spaced (x.sum(1)): all of them in one call, their float64 totals into the kernels' scratch.
  const n = e - s, step = n > 1 ? base[1] - base[0] : 0, sc = fast && fast.scratch;
  if (at !== null && sc && 8 * n <= sc.bytes && step >= 0 && evenlySpaced(base, n, step)) {
    fast!.simd.sumRowsF32(sc.at, at + 4 * base[0], n, m, step, REDUCE_BLOCK);
    const totals = new Float64Array(fast!.memory.buffer, sc.at, n);
    writeOut(op.out, R(op.out.buf), s, e, (dst, db) => { for (let o = 0; o < n; o++) dst[db + o] = totals[o]; });
    return;
  }
  writeOut(op.out, R(op.out.buf), s, e, (dst, db) => {
    if (lineAt !== null) {
      for (let o = 0; o < e - s; o++) {
        let total = 0;
        for (let b0 = 0; b0 < m; b0 += REDUCE_BLOCK) total += blockSum!(lineAt + eb * (base[o] + b0), Math.min(REDUCE_BLOCK, m - b0));
        dst[db + o] = total;
      }
      return;
    }
    if (stride !== null) {
      const f = reduceLoop(op.fn, data, REDUCE_BLOCK);
      for (let o = 0; o < e - s; o++) dst[db + o] = f(data, base[o], stride, m);
      return;
    }
    // A float32 sum whose reduced elements form contiguous runs (x.sum([0, 2, 3]) of [N, C, H, W]: runs of
    // H·W): each output's runs copied into the kernels' scratch natively, then the SIMD block sum of a
    // contiguous line (the same block and accumulators as the JS loop over the strided read below).
    // (the run: the innermost dims that lie back to back in memory)
    let r = red.shape.length, L = 1;
    while (r > 0 && red.strides[r - 1] === L) L *= red.shape[--r];
    const sc = fast && fast.scratch;
    if (sc && op.fn === 'sum' && op.x.dtype === 'float32' && L >= 16 && L < m && m <= REDUCE_BLOCK && 4 * m <= sc.bytes) {
      const starts = offsets({ ...red, shape: red.shape.slice(0, r), strides: red.strides.slice(0, r), offset: 0 }, 0, m / L);
      const X = data as Float32Array, line = new Float32Array(fast!.memory.buffer, sc.at, m);
      for (let o = 0; o < e - s; o++) {
        const b = base[o];
        for (let j = 0; j < starts.length; j++) line.set(X.subarray(b + starts[j], b + starts[j] + L), j * L);
        let total = 0;
        total += fast!.simd.blockSumF32(sc.at, m);
        dst[db + o] = total;
      }
      return;
    }
    const t = scratch(S_A, m), f = reduceLoop(op.fn, t, REDUCE_BLOCK);
    for (let o = 0; o < e - s; o++) {
      stridedRead({ ...red, offset: base[o] }, data, 0, m, t);
      dst[db + o] = f(t, 0, 1, m);
    }
  });
}

/** The SIMD block sum of contiguous data of dtype d (address, n), or null where there is none (int32). */
/** Runs of consecutive values in base[0..n): [start, length, start, length, …]; null when they are short
 * (under 4 on average: a call per run would cost more than the JS loop). */
function unitRuns(base: ArrayLike<number>, n: number): number[] | null {
  const runs: number[] = [];
  for (let o = 0; o < n;) {
    let k = 1;
    while (o + k < n && base[o + k] === base[o] + k) k++;
    runs.push(o, k);
    o += k;
  }
  return runs.length * 2 <= n ? runs : null;
}

function blockSumOf(d: DType): ((at: number, n: number) => number) | null {
  const k = fast!.simd;
  return d === 'float32' ? k.blockSumF32 : d === 'float64' || d === 'int64' ? k.blockSum64 : d === 'bool' ? k.blockSum8 : null;
}

function evenlySpaced(base: ArrayLike<number>, n: number, step: number): boolean {
  for (let o = 1; o < n; o++) if (base[o] !== base[0] + o * step) return false;
  return true;
}

export function combinePartials(fn: ReduceFn, partials: Float64Array, n = partials.length): number {
  if (fn === 'sum') { let t = 0; for (let i = 0; i < n; i++) t += partials[i]; return t; }
  return reduceLoop(fn, partials, REDUCE_BLOCK)(partials, 0, 1, n);
}

/**
 * Batched matmul over output elements [s, e). Each output element accumulates in float64 over k in blocks
 * of REDUCE_BLOCK (block sums added left to right), the same order a sharded dot product uses.
 */
function runMatmul(op: Extract<Op, { op: 'matmul' }>, R: Resolve, s: number, e: number) {
  const { a, b, out } = op;
  const r = out.shape.length;
  const m = out.shape[r - 2], n = out.shape[r - 1], k = a.shape[r - 1];
  const A = R(a.buf), B = R(b.buf);
  const as0 = a.strides[r - 2], as1 = a.strides[r - 1], bs0 = b.strides[r - 2], bs1 = b.strides[r - 1];
  const batchShape = out.shape.slice(0, -2);
  const aB = { ...a, shape: batchShape, strides: a.strides.slice(0, -2) };
  const bB = { ...b, shape: batchShape, strides: b.strides.slice(0, -2) };
  const firstRow = Math.floor(s / n), lastRow = Math.ceil(e / n);
  const b0 = Math.floor(firstRow / m);
  // Batch offsets as int32 where every index fits: element indices computed from a float64 value run
  // the inner loops ~2.5x slower (a 1000x1000 matrix-vector product: 2.0 -> 0.8 ms).
  const nb = Math.floor((lastRow - 1) / m) + 1 - b0, small = A.length < 2 ** 31 && B.length < 2 ** 31;
  const aOffs = offsets(aB, b0, b0 + nb, small ? new Int32Array(nb) : undefined);
  const bOffs = offsets(bB, b0, b0 + nb, small ? new Int32Array(nb) : undefined);
  const tmp = scratch(S_MATMUL, e - s);
  /** The totals in tmp into the output. */
  // (TypedArray.set converts each float64 as an element assignment would, natively: a JS loop shared by every
  // output type was ~9 ns an element, most of a skinny product's time)
  const store = () => writeOut(out, R(out.buf), s, e, (dst, db) => { dst.set(tmp.subarray(0, e - s), db); });
  if (n > 1 && k > 0 && wasmMatmulAvailable()) {
    // The WebAssembly kernel (matmul.ts): the same float64 operations per element, ~5x faster.
    for (let gr = firstRow; gr < lastRow;) {
      const batch = Math.floor(gr / m), r0 = gr % m, r1 = Math.min(m, r0 + lastRow - gr);
      matmulRows(A, aOffs[batch - b0], as0, as1, B, bOffs[batch - b0], bs0, bs1, r0, r1, n, k, REDUCE_BLOCK, tmp, e - s, s - gr * n);
      gr += r1 - r0;
    }
    store();
    return;
  }
  // A float32 matrix (rows contiguous, in the arena) by a float32 vector: the vector copied into the
  // kernels' scratch, then the SIMD block dot per row (blockDot's accumulators and order).
  if (n === 1 && fast && fast.scratch && 4 * k <= fast.scratch.bytes && as1 === 1 && a.dtype === 'float32' && b.dtype === 'float32') {
    const aAt = arenaAddress(A, fast.memory);
    if (aAt !== null) {
      const sc = fast.scratch.at, v = new Float32Array(fast.memory.buffer, sc, k);
      for (let batch = b0, done = false; !done; batch++) {
        const bBase = bOffs[batch - b0];
        if (bs0 === 1) v.set((B as Float32Array).subarray(bBase, bBase + k)); else for (let p = 0; p < k; p++) v[p] = B[bBase + p * bs0];
        // rows of this batch in [firstRow, lastRow)
        const r0 = Math.max(firstRow, batch * m), r1 = Math.min(lastRow, (batch + 1) * m);
        for (let gr = r0; gr < r1; gr++) {
          const aRow = aOffs[batch - b0] + (gr % m) * as0;
          let total = fast.simd.blockDotF32(aAt + 4 * aRow, sc, Math.min(k, REDUCE_BLOCK));
          for (let p0 = REDUCE_BLOCK; p0 < k; p0 += REDUCE_BLOCK) total += fast.simd.blockDotF32(aAt + 4 * (aRow + p0), sc + 4 * p0, Math.min(REDUCE_BLOCK, k - p0));
          tmp[gr - s] = total; // (n === 1: element index = row)
        }
        done = r1 >= lastRow;
      }
      store();
      return;
    }
  }
  // Up to 4 rows at once (each B element loaded once for all of them; each output element's sum is
  // still the same sequence of float64 operations, so results do not depend on the grouping).
  const rows = [0, 1, 2, 3].map(() => new Float64Array(n)), blks = [0, 1, 2, 3].map(() => new Float64Array(n));
  for (let gr = firstRow; gr < lastRow;) {
    const batch = Math.floor(gr / m), i = gr % m;
    const h = n === 1 ? 1 : Math.min(4, lastRow - gr, m - i); // rows of one batch
    const aRow = aOffs[batch - b0] + i * as0, bBase = bOffs[batch - b0];
    for (let t = 0; t < h; t++) rows[t].fill(0);
    for (let p0 = 0; p0 < k; p0 += REDUCE_BLOCK) {
      const p1 = Math.min(k, p0 + REDUCE_BLOCK);
      const acc = p0 === 0 ? rows : blks;
      if (p0 > 0) for (let t = 0; t < h; t++) blks[t].fill(0);
      if (n === 1) {
        acc[0][0] = blockDot(A, aRow, as1, B, bBase, bs0, p0, p1);
      } else if (h === 4) {
        rowBlock4(acc[0], acc[1], acc[2], acc[3], A, aRow, as0, as1, B, bBase, bs0, bs1, p0, p1, n);
      } else {
        for (let t = 0; t < h; t++) rowBlock(acc[t], A, aRow + t * as0, as1, B, bBase, bs0, bs1, p0, p1, n);
      }
      if (p0 > 0) for (let t = 0; t < h; t++) { const row = rows[t], blk = blks[t]; for (let j = 0; j < n; j++) row[j] += blk[j]; }
    }
    for (let t = 0; t < h; t++, gr++) {
      const row = rows[t];
      const j0 = gr === firstRow ? s - gr * n : 0, j1 = Math.min(n, e - gr * n);
      for (let j = j0; j < j1; j++) tmp[gr * n + j - s] = row[j];
    }
  }
  store();
}

/** The protocol's block sum of A[aRow + p·as1] · B[bBase + p·bs0] over p in [p0, p1): four interleaved
 * accumulators, element p into (p - p0) % 4, combined as (a0 + a1) + (a2 + a3) (a matrix-vector product's row). A 1000x1000 matrix by a vector,
 * in-process: 5.1 -> 1.2 ms (with int32 batch offsets, see runMatmul). */
function blockDot(A: Arr, aRow: number, as1: number, B: Arr, bBase: number, bs0: number, p0: number, p1: number): number {
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0, p = p0;
  let ia = aRow + p0 * as1, ib = bBase + p0 * bs0;
  const sa = 4 * as1, sb = 4 * bs0;
  for (; p + 3 < p1; p += 4, ia += sa, ib += sb) {
    a0 += A[ia] * B[ib]; a1 += A[ia + as1] * B[ib + bs0];
    a2 += A[ia + 2 * as1] * B[ib + 2 * bs0]; a3 += A[ia + 3 * as1] * B[ib + 3 * bs0];
  }
  if (p < p1) { a0 += A[ia] * B[ib]; p++; ia += as1; ib += bs0; }
  if (p < p1) { a1 += A[ia] * B[ib]; p++; ia += as1; ib += bs0; }
  if (p < p1) { a2 += A[ia] * B[ib]; }
  return (a0 + a1) + (a2 + a3);
}

/** acc[j] += A[aRow + p·as1] · B[bBase + p·bs0 + j·bs1] for p in [p0, p1) in order, j in [0, n), in float64. */
function rowBlock(acc: Float64Array, A: Arr, aRow: number, as1: number, B: Arr, bBase: number, bs0: number, bs1: number, p0: number, p1: number, n: number): void {
  for (let p = p0; p < p1; p++) {
    const av = A[aRow + p * as1];
    const bRow = bBase + p * bs0;
    if (bs1 === 1) for (let j = 0; j < n; j++) acc[j] += av * B[bRow + j];
    else for (let j = 0; j < n; j++) acc[j] += av * B[bRow + j * bs1];
  }
}
/** rowBlock for rows aRow, aRow + as0, + 2·as0, + 3·as0 at once: each B element is read once for four
 * products. Measured alone (100×100 and 200×200, float32 in, float64 sums): 1.8× rowBlock's speed. */
function rowBlock4(c0: Float64Array, c1: Float64Array, c2: Float64Array, c3: Float64Array, A: Arr, aRow: number, as0: number, as1: number,
  B: Arr, bBase: number, bs0: number, bs1: number, p0: number, p1: number, n: number): void {
  for (let p = p0; p < p1; p++) {
    const ap = aRow + p * as1;
    const a0 = A[ap], a1 = A[ap + as0], a2 = A[ap + 2 * as0], a3 = A[ap + 3 * as0];
    const bRow = bBase + p * bs0;
    if (bs1 === 1) {
      for (let j = 0; j < n; j++) { const bv = B[bRow + j]; c0[j] += a0 * bv; c1[j] += a1 * bv; c2[j] += a2 * bv; c3[j] += a3 * bv; }
    } else {
      for (let j = 0; j < n; j++) { const bv = B[bRow + j * bs1]; c0[j] += a0 * bv; c1[j] += a1 * bv; c2[j] += a2 * bv; c3[j] += a3 * bv; }
    }
  }
}

/**
 * The partials of a full reduction (fn over x) or, with `b`, of a dot product sum(x*b), for elements
 * [s, e): one per REDUCE_BLOCK, into partials[p + block]. s must be a multiple of REDUCE_BLOCK.
 */
export function partialBlocks(fn: ReduceFn, x: View, b: View | null, R: Resolve, s: number, e: number, partials: Float64Array, p: number) {
  if (fast) {
    const xa = addrF32(x, R, s), ya = b ? addrF32(b, R, s) : null;
    if (xa !== null && (!b || ya !== null)) {
      for (let b0 = s; b0 < e; b0 += REDUCE_BLOCK) {
        const n = Math.min(e, b0 + REDUCE_BLOCK) - b0, off = 4 * (b0 - s);
        let v: number;
        if (b) v = fast.simd.blockDotF32(xa + off, ya! + off, n);
        else if (fn === 'sum') v = fast.simd.blockSumF32(xa + off, n);
        else {
          v = fast.simd.blockMinMaxF32(xa + off, n, fn === 'min');
          if (v === 0) { const X = R(x.buf); v = reduceLoop(fn, X, REDUCE_BLOCK)(X, x.offset + b0, 1, n); } // (which zero: the first met)
        }
        partials[p + b0 / REDUCE_BLOCK] = v;
      }
      return;
    }
    const sum = !b && fn === 'sum' && x.dtype !== 'float32' ? blockSumOf(x.dtype) : null, at = sum && addrAny(x, R, s);
    if (sum && at !== null) {
      const eb = ELEM_BYTES[x.dtype];
      for (let b0 = s; b0 < e; b0 += REDUCE_BLOCK) partials[p + b0 / REDUCE_BLOCK] = sum(at + eb * (b0 - s), Math.min(e, b0 + REDUCE_BLOCK) - b0);
      return;
    }
    const at64 = !b && (fn === 'max' || fn === 'min') ? addr64(x, R, s) : null;
    if (at64 !== null) {
      for (let b0 = s; b0 < e; b0 += REDUCE_BLOCK) {
        const n = Math.min(e, b0 + REDUCE_BLOCK) - b0;
        let v = fast.simd.blockMinMax64(at64 + 8 * (b0 - s), n, fn === 'min');
        if (v === 0) { const X = R(x.buf); v = reduceLoop(fn, X, REDUCE_BLOCK)(X, x.offset + b0, 1, n); } // (which zero: the first met)
        partials[p + b0 / REDUCE_BLOCK] = v;
      }
      return;
    }
  }
  for (let b0 = s; b0 < e; b0 += REDUCE_BLOCK) {
    const b1 = Math.min(e, b0 + REDUCE_BLOCK), n = b1 - b0;
    const X = gather(x, R(x.buf), b0, b1, S_A);
    const xa = X.arr, xb = X.base;
    let v: number;
    if (b) {
      const Y = gather(b, R(b.buf), b0, b1, S_B);
      const ya = Y.arr, yb = Y.base;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, i = 0;
      for (; i + 3 < n; i += 4) {
        a0 += xa[xb + i] * ya[yb + i]; a1 += xa[xb + i + 1] * ya[yb + i + 1];
        a2 += xa[xb + i + 2] * ya[yb + i + 2]; a3 += xa[xb + i + 3] * ya[yb + i + 3];
      }
      if (i < n) { a0 += xa[xb + i] * ya[yb + i]; i++; }
      if (i < n) { a1 += xa[xb + i] * ya[yb + i]; i++; }
      if (i < n) { a2 += xa[xb + i] * ya[yb + i]; i++; }
      v = (a0 + a1) + (a2 + a3);
    } else if (fn === 'sum') {
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, i = 0;
      for (; i + 3 < n; i += 4) { a0 += xa[xb + i]; a1 += xa[xb + i + 1]; a2 += xa[xb + i + 2]; a3 += xa[xb + i + 3]; }
      if (i < n) a0 += xa[xb + i++];
      if (i < n) a1 += xa[xb + i++];
      if (i < n) a2 += xa[xb + i++];
      v = (a0 + a1) + (a2 + a3);
    } else {
      v = reduceLoop(fn, xa, REDUCE_BLOCK)(xa, xb, 1, n);
    }
    partials[p + (b0 - s) / REDUCE_BLOCK + s / REDUCE_BLOCK] = v;
  }
}

/** x viewed over `shape` with dim d's stride 0 (the index supplies that coordinate). */
const withoutDim = (x: View, shape: number[], d: number): View => ({ ...x, shape, strides: x.strides.map((st, i) => (i === d ? 0 : st)) });
const GATHER_CHUNK = 1 << 14;

/**
 * An index that serves whole slices (index_select: its view has stride 0 on every dim but `dim`), its
 * values read once and checked against `size`; null for a full index (torch.gather's).
 */
function sliceIndex(index: View, dim: number, I: Arr, size: number): Int32Array | null {
  for (let d = 0; d < index.shape.length; d++) if (d !== dim && index.strides[d] !== 0 && index.shape[d] !== 1) return null;
  const k = index.shape[dim], st = index.strides[dim], at = new Int32Array(k);
  for (let j = 0; j < k; j++) {
    const v = I[index.offset + j * st];
    if (!(v >= 0 && v < size)) throw new Error(indexError(v, dim, size));
    at[j] = v;
  }
  return at;
}
/** [outer, n along dim, inner] of a contiguous view (inner: the elements after dim). */
const around = (shape: number[], dim: number): [number, number] => [numel(shape.slice(0, dim)), numel(shape.slice(dim + 1))];
/** Two shapes equal but along dim (the slice paths lay both out alike). */
const sameBut = (a: number[], b: number[], dim: number) => a.length === b.length && a.every((v, i) => i === dim || v === b[i]);

/** out[c] = x[c with c[dim] := index[c]] for out elements [s, e), a chunk of offsets at a time. */
function runGather(op: GatherOp, R: Resolve, s: number, e: number): void {
  const { x, index, dim, out } = op;
  const X = R(x.buf), I = R(index.buf), O = R(out.buf);
  if (s === 0 && e === numel(out.shape) && isContig(x) && isContig(out) && sameBut(x.shape, out.shape, dim)) {
    // index_select of contiguous tensors: whole slices, with the index read once.
    const at = sliceIndex(index, dim, I, x.shape[dim]);
    if (at) {
      const [outer, inner] = around(out.shape, dim), k = at.length, size = x.shape[dim];
      for (let o = 0; o < outer; o++) {
        const xb = x.offset + o * size * inner, ob = out.offset + o * k * inner;
        if (inner === 1) for (let j = 0; j < k; j++) O[ob + j] = X[xb + at[j]];
        else if (inner >= 16 && O.constructor === X.constructor) for (let j = 0; j < k; j++) O.set(X.subarray(xb + at[j] * inner, xb + (at[j] + 1) * inner), ob + j * inner);
        else for (let j = 0; j < k; j++) for (let t = 0, xo = xb + at[j] * inner, oo = ob + j * inner; t < inner; t++) O[oo + t] = X[xo + t];
      }
      return;
    }
    if (isContig(index) && sameBut(index.shape, out.shape, -1)) {
      // torch.gather with a contiguous index of out's shape: an index per element.
      const [outer, inner] = around(out.shape, dim), k = out.shape[dim], size = x.shape[dim];
      for (let o = 0; o < outer; o++) {
        const xb = x.offset + o * size * inner, ob = out.offset + o * k * inner, ib = index.offset + o * k * inner;
        for (let j = 0; j < k; j++) for (let t = 0; t < inner; t++) {
          const v = I[ib + j * inner + t];
          if (!(v >= 0 && v < size)) throw new Error(indexError(v, dim, size));
          O[ob + j * inner + t] = X[xb + v * inner + t];
        }
      }
      return;
    }
  }
  const size = x.shape[dim], sd = x.strides[dim], xv = withoutDim(x, out.shape, dim);
  for (let c0 = s; c0 < e; c0 += GATHER_CHUNK) {
    const c1 = Math.min(e, c0 + GATHER_CHUNK), n = c1 - c0;
    const ox = offsets(xv, c0, c1, scratch(S_G0, n)), oi = offsets(index, c0, c1, scratch(S_G1, n)), oo = offsets(out, c0, c1, scratch(S_G2, n));
    for (let k = 0; k < n; k++) {
      const j = I[oi[k]];
      if (!(j >= 0 && j < size)) throw new Error(indexError(j, dim, size));
      O[oo[k]] = X[ox[k] + j * sd];
    }
  }
}
/** The general scatter loop: src's elements in row-major order folded into out (already at the fold's
 * identity) at their index: sums (fn undefined), products, maxima or minima (NaN winning). */
function scatterFold(op: ScatterAddOp, fn: ScatterFn | undefined, S: Arr, I: Arr, O: Arr): void {
  const { src, index, dim, out } = op;
  const size = out.shape[dim], sd = out.strides[dim], ov = withoutDim(out, src.shape, dim);
  const total = numel(src.shape);
  const fix = out.dtype === 'int64' ? 1 : out.dtype === 'bool' ? 2 : 0;
  for (let c0 = 0; c0 < total; c0 += GATHER_CHUNK) {
    const c1 = Math.min(total, c0 + GATHER_CHUNK), n = c1 - c0;
    const os = offsets(src, c0, c1, scratch(S_G0, n)), oi = offsets(index, c0, c1, scratch(S_G1, n)), oo = offsets(ov, c0, c1, scratch(S_G2, n));
    for (let k = 0; k < n; k++) {
      const j = I[oi[k]];
      if (!(j >= 0 && j < size)) throw new Error(indexError(j, dim, size));
      const at = oo[k] + j * sd, a = O[at], b = S[os[k]];
      const v = fn === undefined ? a + b : fn === 'prod' ? a * b : a !== a || b !== b ? NaN : fn === 'amax' ? (a > b ? a : b) : a < b ? a : b;
      O[at] = fix === 0 ? v : fix === 1 ? Math.trunc(v) + 0 : v !== 0 ? 1 : 0;
    }
  }
}
/** out = 0 (or the fold's identity), then out[c with c[dim] := index[c]] += src[c] (or folded) over src in
 * row-major order (the whole op). */
function runScatterAdd(op: ScatterAddOp, R: Resolve, s: number, e: number): void {
  const { src, index, dim, out, fn } = op;
  whole('scatterAdd', out, s, e);
  const S = R(src.buf), I = R(index.buf), O = R(out.buf);
  fillView(out, O, scatterIdentity(fn, out.dtype), 0, e);
  if (fn !== undefined) { scatterFold(op, fn, S, I, O); return; }
  if (isContig(src) && isContig(out) && sameBut(src.shape, out.shape, dim) && out.dtype !== 'int64' && out.dtype !== 'bool') {
    // index_add of whole slices (the gradient of index_select): the same adds in the same order.
    const at = sliceIndex(index, dim, I, out.shape[dim]);
    if (at) {
      const [outer, inner] = around(src.shape, dim), k = at.length, size = out.shape[dim];
      for (let o = 0; o < outer; o++) {
        const sb = src.offset + o * k * inner, ob = out.offset + o * size * inner;
        if (inner === 1) for (let j = 0; j < k; j++) O[ob + at[j]] += S[sb + j];
        else for (let j = 0; j < k; j++) for (let t = 0, so = sb + j * inner, oo = ob + at[j] * inner; t < inner; t++) O[oo + t] += S[so + t];
      }
      return;
    }
    if (isContig(index) && sameBut(index.shape, src.shape, -1)) {
      // scatter_add with a contiguous index of src's shape (the gradient of torch.gather): src's elements in
      // row-major order, as the general loop below.
      const [outer, inner] = around(src.shape, dim), k = src.shape[dim], size = out.shape[dim];
      for (let o = 0; o < outer; o++) {
        const sb = src.offset + o * k * inner, ob = out.offset + o * size * inner, ib = index.offset + o * k * inner;
        for (let j = 0; j < k; j++) for (let t = 0; t < inner; t++) {
          const v = I[ib + j * inner + t];
          if (!(v >= 0 && v < size)) throw new Error(indexError(v, dim, size));
          O[ob + v * inner + t] += S[sb + j * inner + t];
        }
      }
      return;
    }
  }
  scatterFold(op, undefined, S, I, O);
}

/** The offset of each line's first element along dim (lines in row-major order of the other dims). */
function lineStarts(v: View, dim: number): Float64Array | Int32Array {
  const shape = v.shape.slice();
  shape[dim] = 1;
  return offsets({ ...v, shape }, 0, numel(shape));
}
/** Whole-op kernels (argsort, scan, scatterAdd) run once over the whole output. */
function whole(name: string, out: View, s: number, e: number): void {
  if (s !== 0 || e !== numel(out.shape)) throw new Error(`internal: ${name} runs whole`);
}

// Argsort scratch, grown as needed and kept (one op at a time per thread).
let sortHi = new Uint32Array(0), sortHi2 = new Uint32Array(0), sortLo = new Uint32Array(0), sortLo2 = new Uint32Array(0);
let sortIdx = new Int32Array(0), sortIdx2 = new Int32Array(0);
const radixCount = new Uint32Array(2048);
const f32Box = new Float32Array(1), f32BoxBits = new Uint32Array(f32Box.buffer);
const f64Box = new Float64Array(1), f64BoxBits = new Uint32Array(f64Box.buffer);
/** Lines at least this long are sorted by radix; shorter ones by comparison. */
const RADIX_MIN = 64;

/**
 * out[k] along each line = the position of x's k-th element in (value, position) order: NaN above every
 * number, -0 equal to 0; descending reverses the value order only (equal values keep their order, NaN
 * first). With op.k, only the first k (out's size along dim).
 *   - Lines of RADIX_MIN or more: an LSD radix sort of keys ordered as the values (32 bits for float32,
 *     int32 and bool; 64 for float64 and int64, whose values are doubles), stable, so equal keys keep
 *     their positions. A top-k with k·8 <= n keeps the best k in a sorted run instead.
 *   - Shorter lines: a comparison sort with the position as the last key.
 * Every path gives the one order the rule defines.
 */
function runArgsort(op: ArgsortOp, R: Resolve, s: number, e: number): void {
  const { x, dim, descending, out } = op;
  whole('argsort', out, s, e);
  const n = x.shape[dim], total = numel(x.shape), k = out.shape[dim];
  if (total === 0 || k === 0) return;
  const X = R(x.buf), O = R(out.buf);
  const lx = lineStarts(x, dim), lo = lineStarts(out, dim), sx = x.strides[dim], so = out.strides[dim];
  if (sortIdx.length < n) {
    sortHi = new Uint32Array(n); sortHi2 = new Uint32Array(n); sortLo = new Uint32Array(n); sortLo2 = new Uint32Array(n);
    sortIdx = new Int32Array(n); sortIdx2 = new Int32Array(n);
  }
  const wide = x.dtype === 'float64' || x.dtype === 'int64';
  const mode = n < RADIX_MIN ? 'compare' : k * 8 <= n ? 'select' : 'radix';
  const vals = new Float64Array(mode === 'compare' ? n : 0);
  // (value, position) order as a comparison of positions i, j of `vals`
  const before = descending
    ? (i: number, j: number) => { const a = vals[i], b = vals[j]; return a > b ? -1 : a < b ? 1 : a !== a ? (b !== b ? i - j : -1) : b !== b ? 1 : i - j; }
    : (i: number, j: number) => { const a = vals[i], b = vals[j]; return a < b ? -1 : a > b ? 1 : a !== a ? (b !== b ? i - j : 1) : b !== b ? -1 : i - j; };
  const idx = mode === 'compare' ? new Int32Array(n) : sortIdx;
  for (let l = 0; l < lx.length; l++) {
    const bx = lx[l];
    let order: Int32Array;
    if (mode === 'radix') {
      for (let i = 0; i < n; i++) { sortKey(X[bx + i * sx], x.dtype, descending, i); sortIdx[i] = i; }
      order = radixSort(n, wide);
    } else if (mode === 'select') {
      order = descending ? selectBestDesc(X, bx, sx, n, k) : selectBestAsc(X, bx, sx, n, k);
    } else {
      for (let i = 0; i < n; i++) { vals[i] = X[bx + i * sx]; idx[i] = i; }
      order = idx.sort(before);
    }
    const bo = lo[l];
    for (let q = 0; q < k; q++) O[bo + q * so] = order[q];
  }
}
/** Sets sortHi/sortLo[i] to a key whose unsigned order is the (value) order: the sign bit flipped for
 * positive numbers, all bits for negative ones; NaN the largest key, -0 as 0; all bits flipped when
 * descending. 32-bit dtypes use sortLo only. */
function sortKey(v: number, d: DType, descending: boolean, i: number): void {
  let hi = 0, lo: number;
  if (d === 'float32') {
    if (v !== v) lo = 0xffffffff;
    else { f32Box[0] = v === 0 ? 0 : v; const u = f32BoxBits[0]; lo = (u & 0x80000000) !== 0 ? ~u >>> 0 : (u | 0x80000000) >>> 0; }
  } else if (d === 'int32') lo = (v ^ 0x80000000) >>> 0;
  else if (d === 'bool') lo = v;
  else if (v !== v) { hi = 0xffffffff; lo = 0xffffffff; }
  else {
    f64Box[0] = v === 0 ? 0 : v;
    const l = f64BoxBits[0], h = f64BoxBits[1];
    if ((h & 0x80000000) !== 0) { hi = ~h >>> 0; lo = ~l >>> 0; } else { hi = (h | 0x80000000) >>> 0; lo = l; }
  }
  sortHi[i] = descending ? ~hi >>> 0 : hi;
  sortLo[i] = descending ? ~lo >>> 0 : lo;
}
/** Stable LSD radix sort of the keys [0, n) carrying sortIdx, 11 bits a pass (3 passes over sortLo, then
 * 3 over sortHi when `wide`); returns the index array holding the result (buffers swap each pass). */
function radixSort(n: number, wide: boolean): Int32Array {
  let L = sortLo, L2 = sortLo2, H = sortHi, H2 = sortHi2, I = sortIdx, I2 = sortIdx2;
  for (let pass = 0; pass < (wide ? 6 : 3); pass++) {
    const shift = (pass % 3) * 11, onHi = pass >= 3;
    const K = onHi ? H : L, C = radixCount;
    C.fill(0);
    for (let i = 0; i < n; i++) C[(K[i] >>> shift) & 2047]++;
    let sum = 0;
    for (let d = 0; d < 2048; d++) { const c = C[d]; C[d] = sum; sum += c; }
    for (let i = 0; i < n; i++) {
      const at = C[(K[i] >>> shift) & 2047]++;
      I2[at] = I[i];
      if (wide) { H2[at] = H[i]; L2[at] = L[i]; } else L2[at] = L[i];
    }
    const tl = L; L = L2; L2 = tl;
    const th = H; H = H2; H2 = th;
    const ti = I; I = I2; I2 = ti;
  }
  return I;
}
/**
 * The first k positions of a line (X[bx + i·sx], i < n) in (value, position) order: a sorted run of the
 * best k so far (positions in sortIdx, values in selectVals). A position comes after every one in the
 * run, so it enters only if its value comes strictly before the run's last (for random data almost every
 * position is rejected by that one comparison of values: no keys are made). Ascending: NaN after every
 * number; descending: before. -0 equals 0 (a comparison of numbers says so). Two copies, one per
 * direction: one function choosing the comparison per element took 7.0-7.2 ms for topk(1000x1000, 5)
 * against 4.2-5.0.
 */
function selectBestAsc(X: Arr, bx: number, sx: number, n: number, k: number): Int32Array {
  const run = sortIdx, rv = selectValues(k);
  let len = 0;
  for (let i = 0; i < n; i++) {
    const v = X[bx + i * sx];
    if (len === k) { const t = rv[k - 1]; if (!(v < t || (t !== t && v === v))) continue; }
    let at = len === k ? k - 1 : len++;
    for (; at > 0; at--) {
      const t = rv[at - 1];
      if (!(v < t || (t !== t && v === v))) break;
      rv[at] = t; run[at] = run[at - 1];
    }
    rv[at] = v; run[at] = i;
  }
  return run;
}
function selectBestDesc(X: Arr, bx: number, sx: number, n: number, k: number): Int32Array {
  const run = sortIdx, rv = selectValues(k);
  let len = 0;
  for (let i = 0; i < n; i++) {
    const v = X[bx + i * sx];
    if (len === k) { const t = rv[k - 1]; if (!(v > t || (v !== v && t === t))) continue; }
    let at = len === k ? k - 1 : len++;
    for (; at > 0; at--) {
      const t = rv[at - 1];
      if (!(v > t || (v !== v && t === t))) break;
      rv[at] = t; run[at] = run[at - 1];
    }
    rv[at] = v; run[at] = i;
  }
  return run;
}
let selectVals = new Float64Array(64);
const selectValues = (k: number) => (selectVals.length >= k ? selectVals : (selectVals = new Float64Array(k)));

/** Lines scanned side by side when they are not contiguous along dim (a block's y values in scratch). */
const SCAN_BLOCK = 256;
/**
 * y[i] = a[i] * y[i-1] + b[i] along each line from y[-1] = value (reverse: from the end), in float64.
 * Lines that run along memory are scanned one by one; lines across it (a dim other than the last) in
 * blocks of consecutive lines, step i of every line in the block before step i + 1, so the accesses of
 * one step are neighbours in memory.
 */
function runScan(op: ScanOp, R: Resolve, s: number, e: number): void {
  const { a, b, value, dim, reverse, out } = op;
  whole('scan', out, s, e);
  const n = out.shape[dim];
  if (numel(out.shape) === 0) return;
  const O = R(out.buf), A = a ? R(a.buf) : null, B = b ? R(b.buf) : null;
  const lo = lineStarts(out, dim), la = a ? lineStarts(a, dim) : null, lb = b ? lineStarts(b, dim) : null;
  const so = out.strides[dim], sa = a ? a.strides[dim] : 0, sb = b ? b.strides[dim] : 0;
  const trunc = out.dtype === 'int64';
  const lines = lo.length;
  if (Math.abs(so) === 1 || lines === 1) {
    for (let l = 0; l < lines; l++) {
      const bo = lo[l], ba = la ? la[l] : 0, bb = lb ? lb[l] : 0;
      let y = value;
      for (let q = 0; q < n; q++) {
        const i = reverse ? n - 1 - q : q;
        if (A) y *= A[ba + i * sa];
        if (B) y += B[bb + i * sb];
        O[bo + i * so] = trunc ? Math.trunc(y) + 0 : y;
      }
    }
    return;
  }
  if (isContig(out) && (!a || isContig(a)) && (!b || isContig(b))) {
    // [outer, n, inner] row-major: the lines of one outer index are the inner neighbours
    const inner = Math.abs(so), outer = lines / inner, y = scratch(S_A, inner);
    const oo = out.offset, ao = a ? a.offset : 0, bo = b ? b.offset : 0;
    for (let o = 0; o < outer; o++) {
      y.fill(value, 0, inner);
      for (let q = 0; q < n; q++) {
        const at = (o * n + (reverse ? n - 1 - q : q)) * inner;
        if (A && B) for (let j = 0; j < inner; j++) { const v = y[j] * A[ao + at + j] + B[bo + at + j]; y[j] = v; O[oo + at + j] = trunc ? Math.trunc(v) + 0 : v; }
        else if (B) for (let j = 0; j < inner; j++) { const v = y[j] + B[bo + at + j]; y[j] = v; O[oo + at + j] = trunc ? Math.trunc(v) + 0 : v; }
        else for (let j = 0; j < inner; j++) { const v = y[j] * A![ao + at + j]; y[j] = v; O[oo + at + j] = trunc ? Math.trunc(v) + 0 : v; }
      }
    }
    return;
  }
  const block = SCAN_BLOCK, y = scratch(S_A, block);
  for (let l0 = 0; l0 < lines; l0 += block) {
    const l1 = Math.min(lines, l0 + block);
    y.fill(value, 0, l1 - l0);
    for (let q = 0; q < n; q++) {
      const i = reverse ? n - 1 - q : q;
      for (let l = l0; l < l1; l++) {
        let v = y[l - l0];
        if (A) v *= A[la![l] + i * sa];
        if (B) v += B[lb![l] + i * sb];
        y[l - l0] = v;
        O[lo[l] + i * so] = trunc ? Math.trunc(v) + 0 : v;
      }
    }
  }
}

export function runOp(op: Op, R: Resolve, s = 0, e = numel(op.out.shape)): void {
  const p = s === 0 && e === 1 ? asPartial(op) : null;
  if (p) {
    // A full reduction or dot product: the same block partials, in the same order, as the sharded path.
    const blocks = Math.ceil(p.n / REDUCE_BLOCK);
    const partials = new Float64Array(blocks);
    partialBlocks(p.fn, p.x, p.b, R, 0, p.n, partials, 0);
    const v = combinePartials(p.fn, partials);
    writeOut(op.out, R(op.out.buf), 0, 1, (dst, db) => { dst[db] = v; });
    return;
  }
  switch (op.op) {
    case 'unary': return runUnary(op.fn, op.x, op.out, R, s, e);
    case 'binary': return runBinary(op.fn, op.a, op.b, op.out, R, s, e);
    case 'where': return runWhere(op, R, s, e);
    case 'reduce': return runReduce(op, R, s, e);
    case 'matmul': return runMatmul(op, R, s, e);
    case 'gather': return runGather(op, R, s, e);
    case 'scatterAdd': return runScatterAdd(op, R, s, e);
    case 'argsort': return runArgsort(op, R, s, e);
    case 'scan': return runScan(op, R, s, e);
    case 'conv': whole('conv', op.out, s, e); return runConv(op, R, fast);
    case 'adam': whole('adam', op.out, s, e); return runAdam(op, R);
    case 'fill': {
      const v = op.value;
      if (op.step !== undefined) return fillSteps(op.out, R, v, op.step, s, e);
      if (fast && op.out.dtype === 'float32') {
        const o = addrF32(op.out, R, s);
        if (o !== null) { fast.simd.fillF32(o, v, e - s); return; }
      }
      return fillView(op.out, R(op.out.buf), v, s, e);
    }
    case 'copy': {
      if (fast && op.out.dtype === 'float32') {
        const o = addrF32(op.out, R, s), a = addrF32(op.x, R, s);
        if (o !== null && a !== null) { fast.simd.copyF32(o, a, e - s); return; }
      }
      if (fast && op.x.dtype !== op.out.dtype && simdConvert(op.x, op.out, R, s, e)) return;
      // (A copy into the same dtype is a bit copy: an int64 or bool value needs no conversion into its own dtype.)
      if (isContig(op.x) && isContig(op.out) && (!needsFix(op.out.dtype) || op.x.dtype === op.out.dtype)) {
        const X = R(op.x.buf);
        R(op.out.buf).set(X.subarray(op.x.offset + s, op.x.offset + e), op.out.offset + s); // (converted in C++, one call)
        return;
      }
      if (op.x.dtype === op.out.dtype && rowCopy(op.x, op.out, R, s, e)) return;
      if (transposedCopy(op.x, op.out, R, s, e)) return;
      return runUnaryJs('copy', op.x, op.out, R, s, e);
    }
    case 'random': {
      const out = op.out;
      if (!isContig(out) || (out.dtype !== 'float32' && out.dtype !== 'float64')) {
        throw new Error(`random fill needs a contiguous float32/float64 output, got ${out.dtype}`);
      }
      const data = R(out.buf) as Float32Array | Float64Array;
      if (fast) {
        const a = arenaAddress(data, fast.memory);
        if (a !== null) {
          const at = a + (out.offset + s) * (out.dtype === 'float32' ? 4 : 8);
          if (op.dist === 'normal') fast.rng.fillNormalAt(at, out.dtype, op.seed, op.stream, s, e);
          else fast.rng.fillUniformAt(at, out.dtype, op.seed, op.stream, s, e);
          return;
        }
      }
      const w = wasmRng();
      if (w) (op.dist === 'normal' ? w.fillNormal : w.fillUniform).call(w, data, op.seed, op.stream, s, e, out.offset + s);
      else (op.dist === 'normal' ? fillNormal : fillUniform)(data, op.seed, op.stream, s, e, out.offset + s);
      return;
    }
  }
}

/** A copy into the same dtype whose source and output are contiguous along rows of at least 16 (x[::2],
 * a column block x[:, 100:900]): a native copy per row (TypedArray.set, bits as the contiguous copy
 * above), where the JS loop took ~1 ns an element. False where it does not apply. */
function rowCopy(x: View, out: View, R: Resolve, s: number, e: number): boolean {
  const plan = rowPlan(out.shape, [out, x]);
  if (plan === null || plan.st[0][0] !== 1 || plan.st[1][0] !== 1 || plan.sh[0] < 16) return false;
  const X = R(x.buf), O = R(out.buf);
  rows(out.shape, [out, x], s, e, (o, _st, n) => O.set(X.subarray(o[1], o[1] + n), o[0]), plan);
  return true;
}

/** A dtype conversion between contiguous arena views through the SIMD kernel (float32, float64, int64
 * and bool, either way; the JS loop's float64 value and store per element); false where it does not apply. */
function simdConvert(x: View, out: View, R: Resolve, s: number, e: number): boolean {
  const from = x.dtype === 'float32' ? 'f32' : x.dtype === 'float64' || x.dtype === 'int64' ? 'f64' : x.dtype === 'bool' ? 'u8' : null;
  const to = out.dtype;
  if (from === null || to === 'int32') return false;
  const o = addrAny(out, R, s), a = o === null ? null : addrAny(x, R, s);
  return a !== null && fast!.simd.convert(from, to, o!, a, e - s);
}

/** The partial-step form of a full reduction or a 1xk·kx1 matmul (views over its n reduced elements), or null. */
export function asPartial(op: Op): { fn: ReduceFn; x: View; b: View | null; n: number } | null {
  // (argmax/argmin: block partials would lose the positions; a single output runs whole, on one thread.)
  if (op.op === 'reduce' && numel(op.out.shape) === 1 && op.fn !== 'argmax' && op.fn !== 'argmin') return { fn: op.fn, x: op.x, b: null, n: numel(op.x.shape) };
  if (op.op === 'matmul' && op.out.shape.length === 2 && op.out.shape[0] === 1 && op.out.shape[1] === 1) {
    const k = op.a.shape[1];
    return {
      fn: 'sum', n: k,
      x: { ...op.a, shape: [k], strides: [op.a.strides[1]] },
      b: { ...op.b, shape: [k], strides: [op.b.strides[0]] },
    };
  }
  return null;
}
