/**
 * PyTorch's Tensor methods that are other functions' method forms, their in-place `_` forms, and a few
 * top-level functions that were missing: tan, fmax/fmin, the comparison functions (eq … ge and their
 * aliases greater, less, notEqual …), put / indexPut / maskedScatter, fillDiagonal_. The methods are
 * added to Tensor.prototype here (declared by the module augmentation below), so tensor.ts does not grow a
 * line per alias; src/index.ts imports this module, so every Tensor has them.
 *
 * In-place forms are the out-of-place op written back (inplaceOf: PyTorch's checks, version counters and
 * grad_fn), so each equals its function by construction and is tested against it (test/tensor-api.test.ts).
 */
import {
  Tensor, abs, acos, acosh, add, asin, asinh, atan, atan2, atanh, clamp, compare, composite, cos, cosh, div, exp2, fmod, inplaceOf,
  log10, log2, maximum, minimum, mul, neg, reshape, remainder, sign, sin, sinh, sub, sumToShape, trunc, where, checkTensor,
  scatterAdd, deviceName, arange, full, gather, tensor, valuesNow, type Operand,
} from './tensor.ts';
import { erf, erfc, expm1, log1p } from './ops-more.ts';
import { cumsum, cumprod } from './ops-sort.ts';
import { addmm, hardshrink } from './functional.ts';
import * as F from './functional.ts';
import { SCALAR_TYPE } from './tensor.ts';
import { addcdiv, addcmul, isSigned, select } from './ops-api2.ts';
import * as api2 from './ops-api2.ts';
import { isGradEnabled, noGrad } from './autograd/graph.ts';
import { deg2rad, rad2deg, frac, hypot, nanToNum, logicalAnd, logicalOr, logicalXor, logicalNot, type NanToNumOptions } from './ops-extra.ts';
import { copysign, heaviside, logit, sinc, xlogy } from './ops-misc.ts';
import { digamma, lgamma } from './distributions-extra.ts';
import { erfinv } from './distributions.ts';
import * as special from './special.ts';
import * as api from './ops-api.ts';
import * as linalg from './linalg.ts';
import { getDefaultDtype, isFloat } from './dtype.ts';
import { fmtShape, normDim } from './shape.ts';

const asFloat = (x: Tensor) => (isFloat(x.dtype) ? x : x.to({ dtype: getDefaultDtype() }));

// ---- top-level functions ------------------------------------------------------------------------------

/** tan(x) = sin(x)/cos(x) (TanBackward0: g·(1 + tan²)); float32 on the CPU through float64, so each
 * value is the float64 quotient rounded. */
export function tan(x: Tensor): Tensor {
  checkTensor('tan', x);
  const p = asFloat(x);
  let out!: Tensor;
  return composite('TanBackward0', [p], () => {
    const z = p.dtype === 'float32' && p.device === 'cpu' ? p.to({ dtype: 'float64' }) : p;
    const t = div(sin(z), cos(z));
    out = t.dtype === p.dtype ? t : t.to({ dtype: p.dtype });
    return out;
  }, (g) => [mul(g, add(mul(out, out), 1))], p);
}

/**
 * fmax / fmin: the larger (smaller) of a and b elementwise, ignoring a NaN (NaN only where both are);
 * integers as maximum/minimum. Gradients as PyTorch's FmaxBackward0/FminBackward0: to a where it was
 * chosen (a tie included) or b is NaN, else to b.
 */
export const fmax = (a: Tensor, b: Tensor): Tensor => nanIgnoring('fmax', a, b);
export const fmin = (a: Tensor, b: Tensor): Tensor => nanIgnoring('fmin', a, b);
function nanIgnoring(fn: 'fmax' | 'fmin', a: Tensor, b: Tensor): Tensor {
  checkTensor(fn, a); checkTensor(fn, b, 'other');
  const pick = fn === 'fmax' ? maximum : minimum;
  if (!isFloat(a.dtype) && !isFloat(b.dtype)) return pick(a, b);
  const isnan = (t: Tensor) => compare('ne', t, t);
  const aShape = a.shape, bShape = b.shape;
  // (a tie, −0 against 0 included, gives a: PyTorch's fmax(−0., 0.) is −0.)
  const first = (p: Tensor, q: Tensor) => where(compare(fn === 'fmax' ? 'ge' : 'le', p, q), p, q);
  return composite(fn === 'fmax' ? 'FmaxBackward0' : 'FminBackward0', [a, b], () => where(isnan(b), a, where(isnan(a), b, first(a, b))), (g) => {
    const toA = compare(fn === 'fmax' ? 'ge' : 'le', a, b).logicalOr(isnan(b));
    return [
      a.requiresGrad ? sumToShape(where(toA, g, 0), [...aShape]) : null,
      b.requiresGrad ? sumToShape(where(toA, 0, g), [...bShape]) : null,
    ];
  }, a, b);
}

/** The comparison functions (bool results), also under PyTorch's longer names. */
export const eq = (a: Tensor, b: Operand): Tensor => compare('eq', a, b);
export const ne = (a: Tensor, b: Operand): Tensor => compare('ne', a, b);
export const lt = (a: Tensor, b: Operand): Tensor => compare('lt', a, b);
export const le = (a: Tensor, b: Operand): Tensor => compare('le', a, b);
export const gt = (a: Tensor, b: Operand): Tensor => compare('gt', a, b);
export const ge = (a: Tensor, b: Operand): Tensor => compare('ge', a, b);
export { gt as greater, ge as greaterEqual, lt as less, le as lessEqual, ne as notEqual };
/** torch.hardshrink (nn.functional's). */
export { hardshrink };

/** Flat positions (negative ones from the end) of a tensor of n elements, checked where the values are at hand. */
function flatIndex(name: string, index: Tensor, n: number): Tensor {
  if (index.dtype !== 'int64' && index.dtype !== 'int32') throw new Error(`${name}(): expected an int64 index tensor, got ${index.dtype}`);
  return where(compare('lt', index, 0), add(index, n), index).reshape([-1]);
}
/**
 * torch.put / Tensor.put_: x's elements at the flat (row-major) positions `index` replaced by source's
 * (or, with accumulate, added to); negative positions count from the end. Where a position repeats
 * without accumulate PyTorch leaves the winner unspecified; here the writes add up there.
 */
export function put(x: Tensor, index: Tensor, source: Tensor, accumulate = false): Tensor {
  checkTensor('put', x); checkTensor('put', index, 'index'); checkTensor('put', source, 'source');
  if (index.numel() !== source.numel()) throw new Error(`put_(): Expected source and index to have the same number of elements, but got source.numel() = ${source.numel()}, index.numel() = ${index.numel()}`);
  if (source.dtype !== x.dtype) throw new Error(`put_(): self and source expected to have the same dtype, but got self.dtype = ${x.dtype} and source.dtype = ${source.dtype}`);
  const n = x.numel();
  const flat = reshape(x.contiguous(), [-1]);
  const at = flatIndex('put', index, n), src = reshape(source, [-1]);
  const out = accumulate ? scatterAdd(flat, 0, at, src) : api.scatter(flat, 0, at, src);
  return reshape(out, [...x.shape]);
}
/**
 * Tensor.index_put (out of place) / index_put_: x[indices] = values (or += with accumulate), with
 * `indices` one integer tensor per leading dim (broadcast together; null for a whole dim is not
 * supported), or a single bool mask of x's shape with a number or one-element values.
 */
export function indexPut(x: Tensor, indices: Tensor[], values: Tensor | number, accumulate = false): Tensor {
  checkTensor('index_put', x);
  if (indices.length === 1 && indices[0].dtype === 'bool') {
    const m = indices[0];
    const v = typeof values === 'number' ? values : values.numel() === 1 ? values.reshape([]) : null;
    if (v === null) throw new Error(`index_put_(): a bool mask takes a number or one-element values here (the masked count is not known without reading the mask), got values of shape ${fmtShape((values as Tensor).shape)}`);
    const mm = m.ndim < x.ndim ? m.reshape([...m.shape, ...new Array<number>(x.ndim - m.ndim).fill(1)]) : m;
    return accumulate ? where(mm, add(x, v), x) : where(mm, v, x);
  }
  if (indices.length === 0 || indices.length > x.ndim) throw new Error(`index_put_(): too many indices for tensor of dimension ${x.ndim} (got ${indices.length})`);
  indices.forEach((t, i) => { if (!(t instanceof Tensor) || (t.dtype !== 'int64' && t.dtype !== 'int32')) throw new Error(`index_put_(): indices[${i}] must be an integer tensor`); });
  // The selected sub-blocks: flat offset Σ idx_i·stride_i over the indexed dims, then the rest of each row.
  const k = indices.length, rest = x.shape.slice(k), inner = rest.reduce((p, s) => p * s, 1);
  let lin: Tensor | null = null;
  let stride = inner;
  for (let i = k - 1; i >= 0; i--) {
    const size = x.shape[i];
    const idx = where(compare('lt', indices[i], 0), add(indices[i], size), indices[i]);
    lin = lin === null ? mul(idx, stride) : add(lin, mul(idx, stride));
    stride *= size;
  }
  const base = reshape(lin!, [...lin!.shape, 1]);
  const pos = add(base, arange(inner, { device: deviceName(x.device) }));
  const shapeOut = [...lin!.shape, ...rest];
  const vals = typeof values === 'number' ? full(shapeOut, values, { dtype: x.dtype, device: deviceName(x.device) }) : values.expand(shapeOut);
  return put(x, pos, vals.contiguous().to({ dtype: x.dtype }), accumulate);
}
/**
 * Tensor.masked_scatter: where mask (broadcast to x) is true, source's elements in order (row-major),
 * elsewhere x. The k-th true position takes source's k-th element (a running count, no read-back).
 */
export function maskedScatter(x: Tensor, mask: Tensor, source: Tensor): Tensor {
  checkTensor('masked_scatter', x);
  if (mask.dtype !== 'bool') throw new Error(`masked_scatter_ only supports boolean masks, but got mask with dtype ${mask.dtype}`);
  if (source.dtype !== x.dtype) throw new Error(`masked_scatter: expected self and source to have same dtypes but got ${x.dtype} and ${source.dtype}`);
  const m = mask.expand([...x.shape]).contiguous();
  const k = sub(cumsum(reshape(m, [-1]), 0), 1);
  const src = reshape(source, [-1]);
  const got = gather(src, 0, clamp(k, 0, Math.max(0, src.numel() - 1)));
  return where(m, reshape(got, [...x.shape]), x);
}
/** The positions of x's main diagonal (all indices equal; for a tall 2-D x with wrap, restarting every
 * cols + 1 rows, as PyTorch's fill_diagonal_). */
function diagonalMask(x: Tensor, wrap: boolean): Tensor {
  if (x.ndim < 2) throw new Error('dimensions must larger than 1');
  if (x.ndim > 2 && !x.shape.every((s) => s === x.shape[0])) throw new Error('all dimensions of input must be of equal length');
  const dev = deviceName(x.device);
  if (x.ndim === 2) {
    const [r, c] = x.shape;
    const p = arange(r * c, { device: dev }).reshape([r, c]);
    const on = compare('eq', remainder(p, c + 1), 0);
    return wrap ? on : on.logicalAnd(compare('lt', p, Math.min(r, c) * (c + 1)));
  }
  let m: Tensor | null = null;
  const d0 = arange(x.shape[0], { device: dev });
  for (let i = 1; i < x.ndim; i++) {
    const shapeA = x.shape.map((s, j) => (j === 0 ? s : 1)), shapeB = x.shape.map((s, j) => (j === i ? s : 1));
    const e = compare('eq', d0.reshape(shapeA), d0.reshape(shapeB));
    m = m === null ? e : m.logicalAnd(e);
  }
  return m!.expand([...x.shape]);
}

/** torch.angle of a real tensor: π where x < 0, 0 elsewhere, NaN for NaN (AngleBackward0: zero gradient). */
export function angle(x: Tensor): Tensor {
  checkTensor('angle', x);
  const p = asFloat(x);
  return composite('AngleBackward0', [p], () => where(compare('ne', p, p), p, where(compare('lt', p, 0), Math.PI, 0)), (g) => [mul(g, 0)], p);
}
/** torch.rsub(a, b, alpha = 1): b − alpha·a. */
export const rsub = (a: Tensor, b: Operand, alpha = 1): Tensor => sub(b instanceof Tensor ? b : full([], Number(b), { dtype: a.dtype, device: deviceName(a.device) }), alpha === 1 ? a : mul(a, alpha));
/** torch.nuclear_norm / frobenius_norm (older spellings of linalg.matrixNorm / the 2-norm over dims). */
export const nuclearNorm = (A: Tensor, keepdim = false): Tensor => linalg.matrixNorm(A, 'nuc', [-2, -1], keepdim);
export const frobeniusNorm = (A: Tensor, dim: number[] = [-2, -1], keepdim = false): Tensor => linalg.vectorNorm(A, 2, dim, keepdim);
/** torch.cholesky(A, upper) and torch.qr(A, some), the older spellings. */
export const cholesky = (A: Tensor, upper = false): Tensor => linalg.cholesky(A, { upper });
export const qr = (A: Tensor, some = true): linalg.QR => linalg.qr(A, some ? 'reduced' : 'complete');
/** torch.inference_mode: as noGrad (troupe has no separate inference tensors). */
export const inferenceMode = <T>(fn: () => T): T => noGrad(fn);
let deterministic = false;
/** torch.use_deterministic_algorithms: troupe's kernels are deterministic always (the same bits on any
 * worker count and run); the flag is kept for are_deterministic_algorithms_enabled. */
export function useDeterministicAlgorithms(mode: boolean, _o: { warnOnly?: boolean } = {}): void { deterministic = !!mode; }
export const areDeterministicAlgorithmsEnabled = (): boolean => deterministic;
/**
 * Tensor.index_reduce(dim, index, source, reduce, { includeSelf }): source's slices along dim folded into
 * x's at the positions `index` (1-D) names, by 'prod', 'mean', 'amax' or 'amin' (scatterReduce over the
 * index broadcast to source's shape).
 */
export function indexReduce(x: Tensor, dim: number, index: Tensor, source: Tensor, reduce: 'prod' | 'mean' | 'amax' | 'amin', o: { includeSelf?: boolean } = {}): Tensor {
  checkTensor('index_reduce', x);
  if (!['prod', 'mean', 'amax', 'amin'].includes(reduce)) throw new Error(`index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got ${String(reduce)}.`);
  const d = normDim(dim, Math.max(1, x.ndim));
  if (index.ndim > 1) throw new Error('index_reduce_(): Index is supposed to be a vector');
  if (index.numel() !== (source.ndim === 0 ? 1 : source.shape[d])) throw new Error(`index_reduce_(): Number of indices (${index.numel()}) should be equal to source.size(dim) (${source.ndim === 0 ? 1 : source.shape[d]})`);
  const at = index.reshape(source.shape.map((s, i) => (i === d ? s : 1))).expand([...source.shape]);
  return x.scatterReduce(d, at, source, reduce, o);
}
/** The values of x (on the CPU, nothing queued) or an error saying how to get them. */
function valuesOf(name: string, x: Tensor): number[] {
  const v = valuesNow(x);
  if (v === null) throw new Error(`${name}: the tensor's values are not at hand (it is on the GPU or still being computed); call it on a CPU tensor after await x.tolist(), or compute with tensor ops`);
  return v;
}

// ---- methods ------------------------------------------------------------------------------------------

type Num = number;
type Scalar = number | boolean;
declare module './tensor.ts' {
  interface Tensor {
    tan(): Tensor; tan_(): this;
    acos_(): this; acosh_(): this; asin_(): this; asinh_(): this; atan_(): this; atanh_(): this; cosh_(): this; sinh_(): this;
    atan2_(o: Operand): this; exp2_(): this; expm1_(): this; log10_(): this; log1p_(): this; log2_(): this; erf_(): this; erfc_(): this;
    erfinv(): Tensor; erfinv_(): this; digamma(): Tensor; digamma_(): this; lgamma(): Tensor; lgamma_(): this; i0(): Tensor; i0_(): this;
    polygamma(n: Num): Tensor; polygamma_(n: Num): this; mvlgamma(p: Num): Tensor; mvlgamma_(p: Num): this;
    sinc_(): this; logit_(eps?: Num | null): this; xlogy_(o: Tensor | Num): this; deg2rad_(): this; rad2deg_(): this; frac_(): this;
    fmod_(o: Operand): this; remainder_(o: Operand): this; hypot_(o: Tensor): this; heaviside_(v: Tensor): this; copysign_(o: Operand): this;
    nanToNum_(o?: NanToNumOptions): this; cumsum_(dim: Num): this; cumprod_(dim: Num): this;
    floorDivide_(o: Operand): this; trueDivide(o: Operand): Tensor; trueDivide_(o: Operand): this; divide(o: Operand, opts?: { roundingMode?: 'trunc' | 'floor' | null }): Tensor;
    divide_(o: Operand, opts?: { roundingMode?: 'trunc' | 'floor' | null }): this; multiply(o: Operand): Tensor; multiply_(o: Operand): this;
    subtract(o: Operand, alpha?: Num): Tensor; subtract_(o: Operand, alpha?: Num): this; negative(): Tensor; negative_(): this; positive(): Tensor;
    absolute(): Tensor; absolute_(): this; fix(): Tensor; fix_(): this; sgn(): Tensor; sgn_(): this;
    arccos(): Tensor; arccos_(): this; arcsin(): Tensor; arcsin_(): this; arctan(): Tensor; arctan_(): this; arccosh(): Tensor; arccosh_(): this;
    arcsinh(): Tensor; arcsinh_(): this; arctanh(): Tensor; arctanh_(): this; arctan2(o: Operand): Tensor; arctan2_(o: Operand): this;
    clampMin(min: Num): Tensor; clampMin_(min: Num): this; clampMax(max: Num): Tensor; clampMax_(max: Num): this;
    fmax(o: Tensor): Tensor; fmin(o: Tensor): Tensor; igamma_(o: Tensor | Num): this; igammac_(o: Tensor | Num): this; nextafter_(o: Tensor | Num): this;
    gcd(o: Tensor): Tensor; gcd_(o: Tensor): this; lcm(o: Tensor): Tensor; lcm_(o: Tensor): this; ldexp(o: Tensor): Tensor; ldexp_(o: Tensor): this; frexp(): [Tensor, Tensor];
    logicalAnd_(o: Tensor): this; logicalOr_(o: Tensor): this; logicalXor_(o: Tensor): this; logicalNot_(): this;
    eq_(o: Operand): this; ne_(o: Operand): this; lt_(o: Operand): this; le_(o: Operand): this; gt_(o: Operand): this; ge_(o: Operand): this;
    greater(o: Operand): Tensor; greater_(o: Operand): this; greaterEqual(o: Operand): Tensor; greaterEqual_(o: Operand): this;
    less(o: Operand): Tensor; less_(o: Operand): this; lessEqual(o: Operand): Tensor; lessEqual_(o: Operand): this; notEqual(o: Operand): Tensor; notEqual_(o: Operand): this;
    addcmul(t1: Tensor, t2: Tensor, value?: Num): Tensor; addcdiv(t1: Tensor, t2: Tensor, value?: Num): Tensor;
    addmm(m1: Tensor, m2: Tensor, o?: { beta?: Num; alpha?: Num }): Tensor; addmm_(m1: Tensor, m2: Tensor, o?: { beta?: Num; alpha?: Num }): this;
    addmv(m: Tensor, v: Tensor, o?: { beta?: Num; alpha?: Num }): Tensor; addmv_(m: Tensor, v: Tensor, o?: { beta?: Num; alpha?: Num }): this;
    addr(a: Tensor, b: Tensor, o?: { beta?: Num; alpha?: Num }): Tensor; addr_(a: Tensor, b: Tensor, o?: { beta?: Num; alpha?: Num }): this;
    baddbmm(a: Tensor, b: Tensor, o?: { beta?: Num; alpha?: Num }): Tensor; baddbmm_(a: Tensor, b: Tensor, o?: { beta?: Num; alpha?: Num }): this;
    addbmm(a: Tensor, b: Tensor, o?: { beta?: Num; alpha?: Num }): Tensor; addbmm_(a: Tensor, b: Tensor, o?: { beta?: Num; alpha?: Num }): this;
    inner(o: Tensor): Tensor; floatPower(e: Operand): Tensor; matrixPower(n: Num): Tensor; matrixExp(): Tensor; diagflat(offset?: Num): Tensor;
    fliplr(): Tensor; flipud(): Tensor; moveaxis(src: Num | Num[], dst: Num | Num[]): Tensor; ravel(): Tensor; broadcastTo(shape: Num[]): Tensor;
    unflatten(dim: Num, sizes: Num[]): Tensor; renorm(p: Num, dim: Num, maxnorm: Num): Tensor; renorm_(p: Num, dim: Num, maxnorm: Num): this;
    histc(bins?: Num, min?: Num, max?: Num): Tensor; nanmedian(): Tensor; isFloatingPoint(): boolean; isComplex(): boolean; isSigned(): boolean;
    indexAdd(dim: Num, index: Tensor, source: Tensor, o?: { alpha?: Num }): Tensor; indexAdd_(dim: Num, index: Tensor, source: Tensor, o?: { alpha?: Num }): this;
    indexCopy(dim: Num, index: Tensor, source: Tensor): Tensor; indexCopy_(dim: Num, index: Tensor, source: Tensor): this;
    indexFill(dim: Num, index: Tensor, value: Num): Tensor; indexFill_(dim: Num, index: Tensor, value: Num): this;
    scatter(dim: Num, index: Tensor, src: Tensor | Num, o?: { reduce?: 'add' | 'multiply' }): Tensor; scatter_(dim: Num, index: Tensor, src: Tensor | Num, o?: { reduce?: 'add' | 'multiply' }): this;
    scatterAdd_(dim: Num, index: Tensor, src: Tensor): this;
    selectScatter(src: Tensor, dim: Num, index: Num): Tensor; sliceScatter(src: Tensor, dim?: Num, start?: Num | null, end?: Num | null, step?: Num): Tensor;
    diagonalScatter(src: Tensor, offset?: Num): Tensor;
    put(index: Tensor, source: Tensor, accumulate?: boolean): Tensor; put_(index: Tensor, source: Tensor, accumulate?: boolean): this;
    indexPut(indices: Tensor[], values: Tensor | Num, accumulate?: boolean): Tensor; indexPut_(indices: Tensor[], values: Tensor | Num, accumulate?: boolean): this;
    maskedScatter(mask: Tensor, source: Tensor): Tensor; maskedScatter_(mask: Tensor, source: Tensor): this;
    fillDiagonal_(value: Scalar, wrap?: boolean): this; select(dim: Num, index: Num): Tensor; sumToSize(...size: Num[] | [Num[]]): Tensor;
    det(): Tensor; logdet(): Tensor; slogdet(): linalg.SignLogAbsDet; inverse(): Tensor; pinverse(rcond?: Num): Tensor;
    cholesky(upper?: boolean): Tensor; qr(some?: boolean): linalg.QR; svd(some?: boolean, computeUv?: boolean): linalg.SVDV;
    argwhere(): Promise<Tensor>; unique(o?: api.UniqueOptions): Promise<Tensor | Tensor[]>; bincount(weights?: Tensor | null, minlength?: Num): Promise<Tensor>;
    ndimension(): number; getDevice(): number; conj(): Tensor; resolveConj(): Tensor; resolveNeg(): Tensor; isConj(): boolean; isNeg(): boolean;
    readonly real: Tensor; readonly imag: Tensor; readonly H: Tensor; readonly mH: Tensor; adjoint(): Tensor; data: Tensor;
    readonly isCpu: boolean; readonly isCuda: boolean;
    type(dtype?: string): string | Tensor;
    logaddexp2(o: Tensor): Tensor; histogram(bins?: Num | Tensor, o?: api2.HistogramOptions): api2.Histogram; triangularSolve(A: Tensor, o?: api2.TriangularSolveOptions): api2.TriangularSolve;
    choleskySolve(L: Tensor, upper?: boolean): Tensor; choleskyInverse(upper?: boolean): Tensor; lu(o?: { pivot?: boolean; getInfos?: boolean }): Tensor[];
    luSolve(LU: Tensor, pivots: Tensor): Tensor; uniqueConsecutive(o?: Omit<api.UniqueOptions, 'sorted'>): Promise<Tensor | Tensor[]>;
    splitWithSizes(sizes: Num[], dim?: Num): Tensor[]; narrowCopy(dim: Num, start: Num, length: Num): Tensor; isSameSize(o: Tensor): boolean; isreal(): Tensor;
    isNonzero(): Promise<boolean>; detach_(): this; squeeze_(dim?: Num): this; unsqueeze_(dim: Num): this; t_(): this; transpose_(d0: Num, d1: Num): this;
    swapaxes_(d0: Num, d1: Num): this; swapdims_(d0: Num, d1: Num): this;
    angle(): Tensor; rsub(o: Operand, alpha?: Num): Tensor; floatPower_(e: Operand): this; prelu(w: Tensor): Tensor;
    indexReduce(dim: Num, index: Tensor, source: Tensor, reduce: 'prod' | 'mean' | 'amax' | 'amin', o?: { includeSelf?: boolean }): Tensor;
    indexReduce_(dim: Num, index: Tensor, source: Tensor, reduce: 'prod' | 'mean' | 'amax' | 'amin', o?: { includeSelf?: boolean }): this;
    apply_(fn: (v: number) => number | boolean): this; map_(other: Tensor, fn: (a: number, b: number) => number | boolean): this;
    hardshrink(lambd?: Num): Tensor;
  }
}

const P = Tensor.prototype as unknown as Record<string, unknown>;
/** Methods x.name(...a) = f(x, ...a). */
function methods(fns: Record<string, (x: Tensor, ...a: never[]) => unknown>): void {
  for (const [name, f] of Object.entries(fns)) {
    if (name in P) throw new Error(`tensor-api: Tensor.${name} exists already`);
    P[name] = function (this: Tensor, ...a: never[]) { return f(this, ...a); };
  }
}
/** In-place methods x.name_(...a): x overwritten with f(x, ...a). */
function inplace(fns: Record<string, (x: Tensor, ...a: never[]) => Tensor>): void {
  for (const [name, f] of Object.entries(fns)) {
    const op = `${name}_`;
    if (op in P) throw new Error(`tensor-api: Tensor.${op} exists already`);
    const pyName = op.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    P[op] = function (this: Tensor, ...a: never[]) { return inplaceOf(this, pyName, (x) => f(x, ...a)); };
  }
}
const ba = (o?: { beta?: number; alpha?: number }) => o ?? {};

methods({
  tan, fmax: (x, o: Tensor) => fmax(x, o), fmin: (x, o: Tensor) => fmin(x, o), hardshrink: (x, l = 0.5) => hardshrink(x, l),
  erfinv: (x) => erfinv(x), digamma: (x) => digamma(x), lgamma: (x) => lgamma(x), i0: (x) => special.i0(x),
  polygamma: (x, n: number) => special.polygamma(n, x), mvlgamma: (x, p: number) => special.multigammaln(x, p),
  trueDivide: (x, o: Operand) => div(x, o), divide: (x, o: Operand, opts?: { roundingMode?: 'trunc' | 'floor' | null }) => div(x, o, opts),
  multiply: (x, o: Operand) => mul(x, o), subtract: (x, o: Operand, alpha?: number) => sub(x, alpha === undefined ? o : mul(o, alpha)),
  negative: (x) => neg(x), positive: (x) => api.positive(x), absolute: (x) => abs(x), fix: (x) => trunc(x), sgn: (x) => sign(x),
  arccos: (x) => acos(x), arcsin: (x) => asin(x), arctan: (x) => atan(x), arccosh: (x) => acosh(x), arcsinh: (x) => asinh(x), arctanh: (x) => atanh(x),
  arctan2: (x, o: Operand) => atan2(x, o), clampMin: (x, m: number) => clamp(x, m, null), clampMax: (x, m: number) => clamp(x, null, m),
  gcd: (x, o: Tensor) => api.gcd(x, o), lcm: (x, o: Tensor) => api.lcm(x, o), ldexp: (x, o: Tensor) => api.ldexp(x, o), frexp: (x) => api.frexp(x),
  greater: (x, o: Operand) => gt(x, o), greaterEqual: (x, o: Operand) => ge(x, o), less: (x, o: Operand) => lt(x, o),
  lessEqual: (x, o: Operand) => le(x, o), notEqual: (x, o: Operand) => ne(x, o),
  addcmul: (x, t1: Tensor, t2: Tensor, value = 1) => addcmul(x, t1, t2, { value }), addcdiv: (x, t1: Tensor, t2: Tensor, value = 1) => addcdiv(x, t1, t2, { value }),
  addmm: (x, m1: Tensor, m2: Tensor, o?: { beta?: number; alpha?: number }) => addmm(x, m1, m2, ba(o)),
  addmv: (x, m: Tensor, v: Tensor, o?: { beta?: number; alpha?: number }) => api.addmv(x, m, v, ba(o)),
  addr: (x, a: Tensor, b: Tensor, o?: { beta?: number; alpha?: number }) => api.addr(x, a, b, ba(o)),
  baddbmm: (x, a: Tensor, b: Tensor, o?: { beta?: number; alpha?: number }) => api.baddbmm(x, a, b, ba(o)),
  addbmm: (x, a: Tensor, b: Tensor, o?: { beta?: number; alpha?: number }) => api.addbmm(x, a, b, ba(o)),
  inner: (x, o: Tensor) => api.inner(x, o), floatPower: (x, e: Operand) => api.floatPower(x, e as Tensor), matrixPower: (x, n: number) => api.matrixPower(x, n),
  matrixExp: (x) => api.matrixExp(x), diagflat: (x, offset = 0) => api.diagflat(x, offset), fliplr: (x) => api.fliplr(x), flipud: (x) => api.flipud(x),
  moveaxis: (x, s: number | number[], d: number | number[]) => api.moveaxis(x, s, d), ravel: (x) => api.ravel(x), broadcastTo: (x, shape: number[]) => api.broadcastTo(x, shape),
  unflatten: (x, dim: number, sizes: number[]) => api.unflatten(x, dim, sizes), renorm: (x, p: number, dim: number, maxnorm: number) => api.renorm(x, p, dim, maxnorm),
  histc: (x, bins = 100, min = 0, max = 0) => api.histc(x, bins, min, max), nanmedian: (x) => api.nanmedian(x),
  isFloatingPoint: (x) => isFloat(x.dtype), isComplex: () => false, isSigned: (x) => isSigned(x),
  indexAdd: (x, dim: number, index: Tensor, source: Tensor, o?: { alpha?: number }) => api.indexAdd(x, dim, index, source, o),
  indexCopy: (x, dim: number, index: Tensor, source: Tensor) => api.indexCopy(x, dim, index, source),
  indexFill: (x, dim: number, index: Tensor, value: number) => api.indexFill(x, dim, index, value),
  scatter: (x, dim: number, index: Tensor, src: Tensor | number, o?: { reduce?: 'add' | 'multiply' }) => api.scatter(x, dim, index, src, o),
  selectScatter: (x, src: Tensor, dim: number, index: number) => api.selectScatter(x, src, dim, index),
  sliceScatter: (x, src: Tensor, dim?: number, start?: number | null, end?: number | null, step?: number) => api.sliceScatter(x, src, dim, start, end, step),
  diagonalScatter: (x, src: Tensor, offset?: number) => api.diagonalScatter(x, src, offset),
  put: (x, index: Tensor, source: Tensor, accumulate?: boolean) => put(x, index, source, accumulate),
  indexPut: (x, indices: Tensor[], values: Tensor | number, accumulate?: boolean) => indexPut(x, indices, values, accumulate),
  maskedScatter: (x, mask: Tensor, source: Tensor) => maskedScatter(x, mask, source),
  select: (x, dim: number, index: number) => select(x, dim, index),
  sumToSize: (x, ...size: Array<number | number[]>) => sumToSize(x, size),
  det: (x) => linalg.det(x), logdet: (x) => linalg.logdet(x), slogdet: (x) => linalg.slogdet(x), inverse: (x) => linalg.inv(x),
  pinverse: (x, rcond = 1e-15) => linalg.pinv(x, { rcond }), cholesky: (x, upper = false) => linalg.cholesky(x, { upper }),
  qr: (x, some = true) => linalg.qr(x, some ? 'reduced' : 'complete'), svd: (x, some = true, computeUv = true) => linalg.svdOld(x, some, computeUv),
  argwhere: (x) => api.argwhere(x), unique: (x, o?: api.UniqueOptions) => api.unique(x, o), bincount: (x, w?: Tensor | null, minlength = 0) => api.bincount(x, w, minlength),
  ndimension: (x) => x.ndim, getDevice: (x) => (x.device === 'gpu' ? 0 : -1), conj: (x) => x, resolveConj: (x) => x, resolveNeg: (x) => x,
  isConj: () => false, isNeg: () => false, adjoint: (x) => x.mT,
  type: (x, dtype?: string) => (dtype === undefined ? typeName(x) : x.to({ dtype: typeDtype(dtype) })),
});
inplace({
  tan, acos, acosh, asin, asinh, atan, atanh, cosh, sinh, atan2, exp2, expm1, log10, log1p, log2, erf, erfc, erfinv, digamma, lgamma,
  i0: (x) => special.i0(x), polygamma: (x, n: number) => special.polygamma(n, x), mvlgamma: (x, p: number) => special.multigammaln(x, p),
  sinc, logit: (x, eps?: number | null) => logit(x, eps), xlogy: (x, o: Tensor | number) => xlogy(x, o), deg2rad, rad2deg, frac, fmod, remainder,
  hypot, heaviside, copysign: (x, o: Operand) => copysign(x, o), nanToNum: (x, o?: NanToNumOptions) => nanToNum(x, o),
  cumsum: (x, dim: number) => cumsum(x, dim), cumprod: (x, dim: number) => cumprod(x, dim),
  floorDivide: (x, o: Operand) => div(x, o, { roundingMode: 'floor' }), trueDivide: (x, o: Operand) => div(x, o),
  divide: (x, o: Operand, opts?: { roundingMode?: 'trunc' | 'floor' | null }) => div(x, o, opts), multiply: (x, o: Operand) => mul(x, o),
  subtract: (x, o: Operand, alpha?: number) => sub(x, alpha === undefined ? o : mul(o, alpha)), negative: neg, absolute: abs, fix: trunc, sgn: sign,
  arccos: acos, arcsin: asin, arctan: atan, arccosh: acosh, arcsinh: asinh, arctanh: atanh, arctan2: atan2,
  clampMin: (x, m: number) => clamp(x, m, null), clampMax: (x, m: number) => clamp(x, null, m),
  igamma: (x, o: Tensor | number) => special.gammainc(x, o), igammac: (x, o: Tensor | number) => special.gammaincc(x, o), nextafter: (x, o: Tensor | number) => special.nextafter(x, o),
  gcd: (x, o: Tensor) => api.gcd(x, o), lcm: (x, o: Tensor) => api.lcm(x, o), ldexp: (x, o: Tensor) => api.ldexp(x, o),
  logicalAnd: (x, o: Tensor) => logicalAnd(x, o), logicalOr: (x, o: Tensor) => logicalOr(x, o), logicalXor: (x, o: Tensor) => logicalXor(x, o), logicalNot: (x) => logicalNot(x),
  eq, ne, lt, le, gt, ge, greater: gt, greaterEqual: ge, less: lt, lessEqual: le, notEqual: ne,
  addmm: (x, m1: Tensor, m2: Tensor, o?: { beta?: number; alpha?: number }) => addmm(x, m1, m2, ba(o)),
  addmv: (x, m: Tensor, v: Tensor, o?: { beta?: number; alpha?: number }) => api.addmv(x, m, v, ba(o)),
  addr: (x, a: Tensor, b: Tensor, o?: { beta?: number; alpha?: number }) => api.addr(x, a, b, ba(o)),
  baddbmm: (x, a: Tensor, b: Tensor, o?: { beta?: number; alpha?: number }) => api.baddbmm(x, a, b, ba(o)),
  addbmm: (x, a: Tensor, b: Tensor, o?: { beta?: number; alpha?: number }) => api.addbmm(x, a, b, ba(o)),
  renorm: (x, p: number, dim: number, maxnorm: number) => api.renorm(x, p, dim, maxnorm),
  indexAdd: (x, dim: number, index: Tensor, source: Tensor, o?: { alpha?: number }) => api.indexAdd(x, dim, index, source, o),
  indexCopy: (x, dim: number, index: Tensor, source: Tensor) => api.indexCopy(x, dim, index, source),
  indexFill: (x, dim: number, index: Tensor, value: number) => api.indexFill(x, dim, index, value),
  scatter: (x, dim: number, index: Tensor, src: Tensor | number, o?: { reduce?: 'add' | 'multiply' }) => api.scatter(x, dim, index, src, o),
  scatterAdd: (x, dim: number, index: Tensor, src: Tensor) => scatterAdd(x, dim, index, src),
  put: (x, index: Tensor, source: Tensor, accumulate?: boolean) => put(x, index, source, accumulate),
  indexPut: (x, indices: Tensor[], values: Tensor | number, accumulate?: boolean) => indexPut(x, indices, values, accumulate),
  maskedScatter: (x, mask: Tensor, source: Tensor) => maskedScatter(x, mask, source),
  fillDiagonal: (x, value: Scalar, wrap = false) => where(diagonalMask(x, wrap), value, x),
});
methods({
  logaddexp2: (x, o: Tensor) => api2.logaddexp2(x, o), histogram: (x, bins: number | Tensor = 100, o?: api2.HistogramOptions) => api2.histogram(x, bins, o),
  triangularSolve: (x, A: Tensor, o?: api2.TriangularSolveOptions) => api2.triangularSolve(x, A, o), choleskySolve: (x, L: Tensor, upper = false) => api2.choleskySolve(x, L, { upper }),
  choleskyInverse: (x, upper = false) => api2.choleskyInverse(x, { upper }), lu: (x, o?: { pivot?: boolean; getInfos?: boolean }) => api2.lu(x, o),
  luSolve: (x, LU: Tensor, pivots: Tensor) => api2.luSolve(x, LU, pivots), uniqueConsecutive: (x, o?: Omit<api.UniqueOptions, 'sorted'>) => api.uniqueConsecutive(x, o),
  splitWithSizes: (x, sizes: number[], dim = 0) => x.split(sizes, dim), narrowCopy: (x, dim: number, start: number, length: number) => x.narrow(dim, start, length).clone(),
  isSameSize: (x, o: Tensor) => api2.isSameSize(x, o), isreal: (x) => full([...x.shape], true, { device: deviceName(x.device) }),
  isNonzero: async (x) => {
    if (x.numel() !== 1) throw new Error(x.numel() === 0 ? 'Boolean value of Tensor with no values is ambiguous' : 'Boolean value of Tensor with more than one value is ambiguous');
    const v = await x.item();
    return typeof v === 'boolean' ? v : v !== 0;
  },
});
methods({
  angle: (x) => angle(x), rsub: (x, o: Operand, alpha = 1) => rsub(x, o, alpha), prelu: (x, w: Tensor) => F.prelu(x, w),
  indexReduce: (x, dim: number, index: Tensor, source: Tensor, reduce: 'prod' | 'mean' | 'amax' | 'amin', o?: { includeSelf?: boolean }) => indexReduce(x, dim, index, source, reduce, o),
  floatPower_: (x, e: Operand) => {
    if (x.dtype !== 'float64') throw new Error(`the base given to float_power_ has dtype ${SCALAR_TYPE[x.dtype]} but the operation's result requires dtype Double`);
    return inplaceOf(x, 'float_power_', (t) => api.floatPower(t, e as Tensor));
  },
  indexReduce_: (x, dim: number, index: Tensor, source: Tensor, reduce: 'prod' | 'mean' | 'amax' | 'amin', o?: { includeSelf?: boolean }) =>
    inplaceOf(x, 'index_reduce_', (t) => indexReduce(t, dim, index, source, reduce, o)),
  // (PyTorch's apply_/map_ call a Python function per element of a CPU tensor; here a JS one, on values at hand)
  apply_: (x, fn: (v: number) => number | boolean) => {
    const v = valuesOf('apply_', x).map((e) => Number(fn(e)));
    noGrad(() => x.copy_(tensor(v, { dtype: x.dtype }).reshape([...x.shape])));
    return x;
  },
  map_: (x, other: Tensor, fn: (a: number, b: number) => number | boolean) => {
    const b = valuesOf('map_', other.expand([...x.shape]).contiguous()), a = valuesOf('map_', x);
    noGrad(() => x.copy_(tensor(a.map((e, i) => Number(fn(e, b[i]))), { dtype: x.dtype }).reshape([...x.shape])));
    return x;
  },
});
/** The in-place view ops change x's own shape and strides: not while autograd records x (use the
 * out-of-place view, x = x.t()). */
function restride(x: Tensor, name: string, view: Tensor): Tensor {
  if (x.requiresGrad && isGradEnabled()) throw new Error(`${name}: an in-place view op on a tensor that requires grad is not supported here; use the out-of-place view (x = x.${name.replace(/_$/, '')}(…))`);
  const m = x as unknown as { shape: number[]; strides: number[] };
  m.shape = [...view.shape]; m.strides = [...view.strides];
  return x;
}
methods({
  squeeze_: (x, dim?: number) => restride(x, 'squeeze_', dim === undefined ? x.squeeze() : x.squeeze(dim)),
  unsqueeze_: (x, dim: number) => restride(x, 'unsqueeze_', x.unsqueeze(dim)), t_: (x) => restride(x, 't_', x.t()),
  transpose_: (x, d0: number, d1: number) => restride(x, 'transpose_', x.transpose(d0, d1)),
  swapaxes_: (x, d0: number, d1: number) => restride(x, 'swapaxes_', x.transpose(d0, d1)), swapdims_: (x, d0: number, d1: number) => restride(x, 'swapdims_', x.transpose(d0, d1)),
  detach_: (x) => {
    if (x._isView && x._base?.requiresGrad) throw new Error("Can't detach views in-place. Use detach() instead.");
    const m = x as unknown as { gradFn: unknown; _requiresGrad: boolean };
    m.gradFn = null; m._requiresGrad = false;
    return x;
  },
});
/** x.sum_to_size(*size): x summed down to a shape it broadcasts from. */
function sumToSize(x: Tensor, size: Array<number | number[]>): Tensor {
  const shape = size.length === 1 && Array.isArray(size[0]) ? size[0] : (size as number[]);
  const ok = shape.length <= x.ndim && shape.every((s, i) => { const xs = x.shape[x.ndim - shape.length + i]; return s === xs || s === 1; });
  if (!ok) throw new Error(`size {[${shape.join(', ')}]} is not expandable to size {[${x.shape.join(', ')}]}.`);
  return sumToShape(x, shape);
}
const TYPE_NAMES: Record<string, string> = { float32: 'FloatTensor', float64: 'DoubleTensor', int32: 'IntTensor', int64: 'LongTensor', bool: 'BoolTensor' };
function typeName(x: Tensor): string { return `torch.${x.device === 'gpu' ? 'gpu.' : ''}${TYPE_NAMES[x.dtype]}`; }
function typeDtype(t: string): string {
  const m = /^torch\.(?:gpu\.)?(\w+Tensor)$/.exec(t);
  if (m) { const e = Object.entries(TYPE_NAMES).find(([, v]) => v === m[1]); if (e) return e[0]; }
  return t;
}
Object.defineProperties(Tensor.prototype, {
  real: { get(this: Tensor) { return this; }, configurable: true },
  imag: { get() { throw new Error('imag is not implemented for tensors with non-complex dtypes.'); }, configurable: true },
  H: {
    get(this: Tensor) {
      if (this.ndim > 2) throw new Error(`tensor.H is only supported on matrices (2-D tensors). Got ${this.ndim}-D tensor. For batches of matrices, consider using tensor.mH`);
      return this.ndim === 2 ? this.t() : this;
    }, configurable: true,
  },
  mH: { get(this: Tensor) { return this.mT; }, configurable: true },
  // PyTorch's x.data: the same memory without the graph; assigning it (a leaf's) replaces the tensor's
  // data with another's, shape and dtype included, as PyTorch's `p.data = …`
  data: {
    get(this: Tensor) { return this.detach(); },
    set(this: Tensor, v: Tensor) {
      if (!(v instanceof Tensor)) throw new TypeError(`Variable data has to be a tensor, but got ${typeof v}`);
      if (!this.isLeaf) throw new Error('x.data = …: only a leaf tensor\'s data can be assigned here (detach it first)');
      this._replaceData(v.detach());
    },
    configurable: true,
  },
  isCpu: { get(this: Tensor) { return this.device === 'cpu'; }, configurable: true },
  isCuda: { get() { return false; }, configurable: true },
});
