/**
 * The closed set of primitive ops every backend implements (in-process CPU kernels, the piscina CPU
 * workers, the WebGPU actor). The frontend composes everything else (sigmoid, dot, mean, linspace…) from
 * these, and autograd writes one gradient per primitive, so the three backends stay in step.
 *
 * A message names buffers by id; a `View` is a strided window on one buffer. Elementwise ops write an
 * output view of shape `out.shape`; input views have already been broadcast to that shape by the
 * frontend (stride 0 on broadcast axes). Scalars travel inline as numbers.
 */
export type DType = 'float32' | 'float64' | 'int32' | 'int64' | 'bool';

export interface View {
  buf: number;          // buffer id (backend-owned storage)
  dtype: DType;
  shape: number[];
  strides: number[];    // in elements
  offset: number;       // in elements
}

export type UnaryFn = 'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'sign' | 'sin' | 'cos' | 'tanh' | 'relu' | 'sigmoid' | 'floor' | 'ceil' | 'trunc' | 'round'
  | 'asin' | 'acos' | 'atan' | 'sinh' | 'cosh' | 'asinh' | 'acosh' | 'atanh' | 'log2' | 'log10' | 'exp2';
export type BinaryFn =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum'
  /** atan2(a, b); fmod: a - trunc(a/b)·b (C's fmod, the sign of a); remainder: the sign of b (Python's %) */
  | 'atan2' | 'fmod' | 'remainder'
  /** Integer and bool operands only (the frontend refuses floats), in the output's width (int32, int64;
   * int64 values as 64-bit two's complement). shl: 0 for a shift outside [0, width); shr: arithmetic,
   * the sign's fill for a shift outside [0, width - 1) (PyTorch 2's definitions). */
  | 'bitand' | 'bitor' | 'bitxor' | 'shl' | 'shr'
  /** The regularized incomplete gamma functions P(a, x) and Q(a, x) = 1 − P (floats; NaN outside a, x ≥ 0) */
  | 'igamma' | 'igammac'
  /** The Hurwitz zeta function ζ(a, b); the next float after a toward b, in the output's dtype (floats) */
  | 'zeta' | 'nextafter'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
export type ReduceFn = 'sum' | 'max' | 'min' | 'argmax' | 'argmin';

/** Elementwise: out[i] = fn(x[i]) computed in out.dtype (x is cast). */
export interface UnaryOp { op: 'unary'; fn: UnaryFn; x: View; out: View }
/** Elementwise: out[i] = fn(a[i], b[i]); a or b may be an inline scalar. Comparisons write bool. */
export interface BinaryOp { op: 'binary'; fn: BinaryFn; a: View | number; b: View | number; out: View }
/** out[i] = cond[i] ? a[i] : b[i] */
export interface WhereOp { op: 'where'; cond: View; a: View | number; b: View | number; out: View }
/**
 * Reduce x over `axes`; out has x's rank with reduced axes of size 1. For each output element, the
 * reduced elements (row-major order) are cut into blocks of REDUCE_BLOCK; a block's sum is computed in
 * float64 with 4 interleaved accumulators (element j of the block goes to accumulator j % 4, each added
 * in order) combined as (a0 + a1) + (a2 + a3); block sums are added left to right starting from 0.
 * Every CPU path and every worker count gives the same bits. Matmul accumulates over k the same way.
 * argmax / argmin (one reduced axis, out int64): the position along it of the first largest (smallest)
 * element, the first NaN if there is one. CPU executors only: for GPU tensors the frontend composes them
 * from other ops (compare, where, a min reduction).
 */
export interface ReduceOp { op: 'reduce'; fn: ReduceFn; x: View; axes: number[]; out: View }
/** (…, m, k) @ (…, k, n) -> (…, m, n); batch dims already broadcast by the frontend. */
export interface MatmulOp { op: 'matmul'; a: View; b: View; out: View }
/** out[i] = value; with `step` (CPU executors only: arange), out[i] = value + i * step for the row-major
 * index i, computed in float64 (i * step, then + value) and converted as a copy converts. */
export interface FillOp { op: 'fill'; value: number; step?: number; out: View }
/** out[i] = cast(x[i]) */
export interface CopyOp { op: 'copy'; x: View; out: View }
/**
 * Counter-based random fill (Philox4x32-10, see src/backends/cpu/philox.ts for the exact stream):
 * element i of a contiguous out depends only on (seed, stream, i).
 */
export interface RandomOp { op: 'random'; dist: 'uniform' | 'normal'; seed: number; stream: number; out: View }

/**
 * Indexed reads along one dim: out[c] = x[c with c[dim] replaced by index[c]]; index (int64 or int32) is
 * viewed with out's shape (stride 0 where one index serves many elements: index_select), x with x's.
 * x and out have one dtype. An index outside [0, x.shape[dim]) is an error ("index … is out of bounds").
 */
export interface GatherOp { op: 'gather'; x: View; index: View; dim: number; out: View }
/**
 * Indexed sums along one dim, into zeros: out = 0, then out[c with c[dim] replaced by index[c]] += src[c]
 * for every c of src's shape (index viewed with src's shape). Each output element adds its sources in
 * increasing c[dim] order, on every backend (deterministic). An index outside [0, out.shape[dim]) is an
 * error.
 */
export interface ScatterAddOp { op: 'scatterAdd'; src: View; index: View; dim: number; out: View; fn?: ScatterFn }
/**
 * A scatterAdd's other folds (scatter_reduce): out starts at the fold's identity instead of 0 (1; the
 * lowest value: -inf, or the integer dtype's least; the highest), and each output element folds in its
 * sources in the same order: products (each rounded to out's dtype), and maxima or minima, NaN winning.
 */
export type ScatterFn = 'prod' | 'amax' | 'amin';
/** The identity of a scatter's fold in dtype d (0 for sums). */
export function scatterIdentity(fn: ScatterFn | undefined, d: DType): number {
  if (fn === undefined) return 0;
  if (fn === 'prod') return 1;
  const lo = fn === 'amax';
  switch (d) {
    case 'bool': return lo ? 0 : 1;
    case 'int32': return lo ? -2147483648 : 2147483647;
    case 'int64': return lo ? -9223372036854775808 : 9223372036854775807;
    default: return lo ? -Infinity : Infinity;
  }
}

/**
 * The order of each line of x along dim: out (int64, x's shape) holds, at position k of a line, the
 * position in x's line of its k-th element in the order "value, then position" (a stable sort). NaN
 * sorts above every number (ascending: last; descending: first); -0 and 0 are equal. Every backend gives
 * the same indices (the order is total, so there is one answer). out may be shorter than x along dim:
 * then it holds the first out.shape[dim] positions of each line's order (top-k).
 */
export interface ArgsortOp { op: 'argsort'; x: View; dim: number; descending: boolean; out: View }
/**
 * A first-order linear recurrence along dim (cumsum, cumprod and their gradients): along each line,
 * y[i] = a[i] * y[i-1] + b[i], y[-1] = value; `reverse` runs from the line's end (y[n] = value, y[i] =
 * a[i] * y[i+1] + b[i]). A missing a is 1, a missing b is 0. a and b are viewed with out's shape. The CPU
 * computes each line in order in float64 (PyTorch's CPU accumulates cumsum/cumprod in double); the GPU in
 * f32, in chunks whose maps are composed (not bit-equal to the CPU).
 */
export interface ScanOp { op: 'scan'; a?: View; b?: View; value: number; dim: number; reverse: boolean; out: View }

/**
 * A 2-D convolution of float32 data, CPU executors only (the GPU gets the composition: windows gathered,
 * matmul, scatter-add), run whole. geo: [N, C, H, W, O, G, kh, kw, sh, sw, ph, pw, dh, dw, OH, OW]; every
 * view contiguous float32: x [N, C, H, W], w [O, C/G, kh, kw], bias [O], g [N, O, OH, OW].
 *  - forward: out [N, O, OH, OW] = the windows of x (zero padding) times w, + bias;
 *  - input: out [N, C, H, W] = the input gradient for the output gradient g;
 *  - weight: out [O, C/G, kh, kw] = the weight gradient for x and g.
 * Max pooling's too (O = C, G = 1; OH, OW as ceil mode makes them; outside the image counts as -inf):
 *  - maxPool: out [N, C, OH, OW] = each window's largest element of x (NaN if it holds one);
 *  - maxPoolGrad: out [N, C, H, W] = g [N, C, OH, OW] sent to each window's first largest element of x.
 * Bit-identical to that composition on the CPU (each product's element a float64 sum over k in order,
 * rounded to float32; the fold's float32 adds in the scatter-add's order; the weight gradient's per-image
 * products summed over images in the reduction's order; the pooling's max and argmax loops):
 * src/backends/cpu/wasm/conv.c.
 */
export interface ConvOp { op: 'conv'; mode: 'forward' | 'input' | 'weight' | 'maxPool' | 'maxPoolGrad'; geo: number[]; x?: View; w?: View; bias?: View; g?: View; out: View }

/**
 * One Adam/AdamW step for one parameter, CPU executors only, run whole on the calling thread: p, m (exp_avg)
 * and v (exp_avg_sq) updated in place from the gradient g. Every view contiguous, of one float dtype and
 * shape; out is p. s: [β1, 1 − β1, β2, 1 − β2, √(1 − β2^t), eps, −lr/(1 − β1^t), weightDecay, 1 − lr·weightDecay],
 * each rounded to the dtype as the composition's scalar operands are; decay: 0 none, 1 L2 (g + wd·p),
 * 2 decoupled (p·(1 − lr·wd) first). Bit-identical to optim.ts's composition (mul_, add_ with alpha,
 * sqrt, div, add eps, div, add_), each op's rounding in order: src/backends/cpu/adam.ts.
 */
export interface AdamOp { op: 'adam'; p: View; g: View; m: View; v: View; s: number[]; decay: 0 | 1 | 2; out: View }

export type Op = UnaryOp | BinaryOp | WhereOp | ReduceOp | MatmulOp | FillOp | CopyOp | RandomOp | GatherOp | ScatterAddOp | ArgsortOp | ScanOp | ConvOp | AdamOp;

/** The error of an index outside its dim (gather, scatterAdd), as PyTorch words it. */
export const indexError = (index: number, dim: number, size: number) => `index ${index} is out of bounds for dimension ${dim} with size ${size}`;

export const REDUCE_BLOCK = 1 << 16;

export const DTYPE_BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, int64: 8, bool: 1 };
