/**
 * More of PyTorch's tensor functions, composed of the frontend's ops (src/tensor.ts): elementwise
 * (square, rsqrt, log1p, expm1, lerp, isnan…), comparisons of whole tensors (isclose, allclose, equal),
 * reductions (amax, amin, logsumexp, norm), matrices (outer, bmm, tril, triu, diag, trace) and
 * arrangements (repeat, tile, hstack, vstack). Those PyTorch records as one autograd node are recorded
 * as one node here too, under its name. Tensor's methods of the same names call these.
 *
 * (This module and tensor.ts import each other: nothing here runs at load time.)
 */
import {
  Tensor, neg, checkFloat, checkTensor, extremeValues, indexAddZeros, indexSelect, normAxes, sumToShape, tensor, abs, add, arange, cat, clone, composite, twice, compare, div, exp, full, log, matmul, mul, pow, reshape, sign,
  sqrt, sub, sum, where, zeros, type Operand, type TensorOptions,
} from './tensor.ts';
import { broadcastShapes, contiguousStrides, fmtShape, sameShape } from './shape.ts';
import { getDefaultDtype, isFloat } from './dtype.ts';

/** g (reduced over axes, keepdim or not) with the reduced dims back as 1s, to broadcast against x. */
function unreduce(g: Tensor, x: Tensor, axes: number[], keepdim: boolean): Tensor {
  return keepdim ? g : reshape(g, x.shape.map((s, i) => (axes.includes(i) ? 1 : s)));
}

// =============================================================== elementwise

export function square(x: Tensor): Tensor { checkTensor('square', x); return pow(x, 2); }

/** 1 / √x. */
export function rsqrt(x: Tensor): Tensor {
  checkTensor('rsqrt', x);
  let out!: Tensor;
  return twice(composite('RsqrtBackward0', [x], () => (out = div(1, sqrt(x))), (g) => [mul(g, mul(pow(out, 3), -0.5))], out));
}
/**
 * log(1 + x), accurate for small x: for |x| < 0.5 the series 2·atanh(s) = 2(s + s³/3 + … + s¹⁷/17) of
 * s = x / (2 + x) (|s| ≤ 1/3: the terms left out are below 1e-9 of the sum; float64 to s³⁷, below
 * 1e-17), else log(1 + x). The same
 * arithmetic on every device (a GPU's log near 1 has an absolute, not relative, error bound).
 */
export function log1p(x: Tensor): Tensor {
  checkTensor('log1p', x);
  return twice(composite('Log1PBackward0', [x], () => {
    const s = div(x, add(x, 2)), s2 = mul(s, s);
    const top = x.dtype === 'float64' ? 37 : 17; // (float64: to s³⁷, the rest below 1e-17 of the sum)
    let series: Tensor | number = 1 / top;
    for (let k = top - 2; k >= 1; k -= 2) series = add(mul(s2, series), 1 / k);
    return where(compare('lt', abs(x), 0.5), mul(mul(s, series as Tensor), 2), log(add(x, 1)));
  }, (g) => [div(g, add(x, 1))], x));
}
/**
 * e^x − 1, accurate for small x: for |x| < 0.5 its Taylor series to x⁸/8! (the rest below 1e-8 of it;
 * float64 to x¹⁸/18!, below 1e-17), else exp(x) − 1.
 */
export function expm1(x: Tensor): Tensor {
  checkTensor('expm1', x);
  let out!: Tensor;
  return twice(composite('Expm1Backward0', [x], () => {
    let series: Tensor | number = 1;
    for (let k = x.dtype === 'float64' ? 18 : 8; k >= 2; k--) series = add(mul(div(x, k), series), 1); // (float64: to x¹⁸/18!)
    return (out = where(compare('lt', abs(x), 0.5), mul(x, series as Tensor), sub(exp(x), 1)));
  }, (g) => [mul(g, add(out, 1))], out));
}
/** erfc(|z|) by Numerical Recipes' Chebyshev fit (relative error below 1.2e-7 for every z >= 0). */
function erfcAbs(az: Tensor): Tensor {
  const t = div(1, add(mul(az, 0.5), 1));
  const C = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
  let poly: Tensor | number = C[9];
  for (let i = 8; i >= 0; i--) poly = add(mul(t, poly), C[i]);
  return mul(t, exp(sub(poly as Tensor, mul(az, az))));
}
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const ERF64_SWITCH = 1.5;
/** float64 erf(z) for |z| < 1.5: its Taylor series, 30 terms (the rest below 1e-17 there). */
function erf64Series(z: Tensor): Tensor {
  const zs = where(compare('lt', abs(z), ERF64_SWITCH), z, 0);
  const z2 = mul(zs, zs);
  // z · Σ (−z²)^n / (n! (2n+1)): z outside the sum keeps erf(−0) = −0
  let term: Tensor = neg(z2), s: Tensor = add(div(term, 3), 1);
  for (let n = 2; n < 30; n++) {
    term = mul(term, div(neg(z2), n));
    s = add(s, div(term, 2 * n + 1));
  }
  return mul(mul(zs, s), TWO_OVER_SQRT_PI);
}
/** float64 erfc(|z|) for |z| ≥ 1.5: Γ(½, z²)/√π by the incomplete gamma's continued fraction (modified
 * Lentz, 40 steps: within 2e-15 at 1.5, fewer steps needed beyond). */
function erfc64Abs(az: Tensor): Tensor {
  // (clamped to [1.5, 30]: erfc(30) is 2.6e-393, 0 in float64, and inf must not reach the fraction)
  const a = where(compare('ge', az, ERF64_SWITCH), where(compare('le', az, 30), az, 30), ERF64_SWITCH);
  const zz = mul(a, a);
  let b = add(zz, 0.5), d = div(1, b), h = d;
  let c: Tensor | null = null;
  for (let i = 1; i <= 40; i++) {
    const an = -i * (i - 0.5);
    b = add(b, 2);
    d = div(1, add(mul(d, an), b));
    c = c === null ? b : add(b, div(an, c)); // (c starts at 1/FPMIN: b + an/c is b the first time)
    h = mul(h, mul(d, c));
  }
  return mul(mul(exp(neg(zz)), h), div(a, Math.sqrt(Math.PI)));
}
/**
 * The error function (ErfBackward0). float32 (and integers, as float32; every device): for |z| < 0.5 its
 * Taylor series to z¹⁷, else ±(1 − erfc(|z|)) by Numerical Recipes' fit, within ~2e-7 relatively.
 * float64: the Taylor series below 1.5 and the continued fraction of erfc above, within a few 1e-16.
 */
export function erf(x: Tensor): Tensor {
  checkTensor('erf', x);
  const z = isFloat(x.dtype) ? x : x.to({ dtype: getDefaultDtype() });
  return twice(composite('ErfBackward0', [x], () => {
    if (z.dtype === 'float64') {
      const far = sub(1, erfc64Abs(abs(z)));
      return where(isnan(z), z, where(compare('lt', abs(z), ERF64_SWITCH), erf64Series(z), where(compare('ge', z, 0), far, neg(far))));
    }
    const z2 = mul(z, z);
    let series: Tensor | number = 0;
    for (let n = 8; n >= 0; n--) {
      // Σ (-1)^n z^(2n+1) / (n! (2n+1)), by Horner in z²
      let f = 1; for (let k = 2; k <= n; k++) f *= k;
      series = add(mul(z2, series), (n % 2 ? -1 : 1) / (f * (2 * n + 1)));
    }
    const far = sub(1, erfcAbs(abs(z)));
    return where(compare('lt', abs(z), 0.5), mul(mul(z, series as Tensor), TWO_OVER_SQRT_PI), where(compare('ge', z, 0), far, neg(far)));
  }, (g) => [mul(g, mul(exp(neg(mul(z, z))), TWO_OVER_SQRT_PI))], x));
}
/** 1 − erf(x), without the cancellation for large x (ErfcBackward0; float64 as erf's). */
export function erfc(x: Tensor): Tensor {
  checkTensor('erfc', x);
  const z = isFloat(x.dtype) ? x : x.to({ dtype: getDefaultDtype() });
  return twice(composite('ErfcBackward0', [x], () => {
    if (z.dtype === 'float64') {
      const e64 = erfc64Abs(abs(z));
      return where(isnan(z), z, where(compare('lt', abs(z), ERF64_SWITCH), sub(1, erf64Series(z)), where(compare('ge', z, 0), e64, sub(2, e64))));
    }
    const e = erfcAbs(abs(z));
    return where(compare('lt', abs(z), 0.5), sub(1, erf(z)), where(compare('ge', z, 0), e, sub(2, e)));
  }, (g) => [mul(g, mul(exp(neg(mul(z, z))), -TWO_OVER_SQRT_PI))], x));
}
export function isnan(x: Tensor): Tensor { checkTensor('isnan', x); return compare('ne', x, x); }
export function isinf(x: Tensor): Tensor { checkTensor('isinf', x); return compare('eq', abs(x), Infinity); }
/** Neither NaN nor ±inf (every element of an integer or bool tensor). */
export function isfinite(x: Tensor): Tensor {
  checkTensor('isfinite', x);
  return isFloat(x.dtype) ? compare('eq', sub(x, x), 0) : compare('eq', x, x);
}
/** start + weight · (end − start); weight a number or a tensor. */
export function lerp(start: Tensor, end: Tensor, weight: Operand): Tensor {
  checkTensor('lerp', start); checkTensor('lerp', end, 'end');
  const wt = weight instanceof Tensor;
  const sShape = start.shape, eShape = end.shape;
  return twice(composite(wt ? 'LerpBackward1' : 'LerpBackward0', wt ? [start, end, weight] : [start, end], () => add(start, mul(sub(end, start), weight)), (g) => {
    const gs = start.requiresGrad ? sumToShape(mul(g, wt ? sub(1, weight) : 1 - Number(weight)), sShape) : null;
    const ge = end.requiresGrad ? sumToShape(mul(g, weight), eShape) : null;
    if (!wt) return [gs, ge];
    return [gs, ge, (weight as Tensor).requiresGrad ? sumToShape(mul(g, sub(end, start)), (weight as Tensor).shape) : null];
  }, start, end, wt ? weight : null));
}

// =============================================================== comparisons of whole tensors

export interface CloseOptions { rtol?: number; atol?: number; equalNan?: boolean }
/** |a − b| ≤ atol + rtol·|b| elementwise (equal infinities count; NaN only with equalNan), as PyTorch's. */
export function isclose(a: Tensor, b: Tensor, o: CloseOptions = {}): Tensor {
  checkTensor('isclose', a); checkTensor('isclose', b, 'other');
  if (a.dtype !== b.dtype) throw new Error(`${a.dtype} did not match ${b.dtype} (isclose: both tensors must have one dtype)`);
  const rtol = o.rtol ?? 1e-5, atol = o.atol ?? 1e-8;
  let close = compare('eq', a, b);
  if (isFloat(a.dtype)) {
    const within = compare('le', abs(sub(a, b)), add(mul(abs(b), rtol), atol));
    close = where(close, true, where(isfinite(sub(a, b)), within, false));
    if (o.equalNan) close = where(close, true, where(isnan(a), isnan(b), false));
  }
  return close;
}
/** Whether every element of a is close to b's (isclose); resolves to a boolean. */
export async function allclose(a: Tensor, b: Tensor, o: CloseOptions = {}): Promise<boolean> {
  return (await isclose(a, b, o).all().item()) as boolean;
}
/** Whether a and b have one shape and equal elements; resolves to a boolean. */
export async function equal(a: Tensor, b: Tensor): Promise<boolean> {
  checkTensor('equal', a); checkTensor('equal', b, 'other');
  if (!sameShape(a.shape, b.shape)) return false;
  return (await compare('eq', a, b).all().item()) as boolean;
}

// =============================================================== reductions

function amaxmin(fn: 'amax' | 'amin', x: Tensor, dim: number | number[] | undefined, keepdim: boolean): Tensor {
  checkTensor(fn, x);
  const axes = normAxes(x, dim);
  for (const a of axes) if (x.shape[a] === 0) throw new Error(`${fn}(): Expected reduction dim ${a} to have non-zero size.`);
  let out!: Tensor;
  return twice(composite(fn === 'amax' ? 'AmaxBackward0' : 'AminBackward0', [x], () => {
    // (max/min of all, or along dims: the reduction of max(x) without indices)
    out = axes.length === x.ndim && !keepdim ? (fn === 'amax' ? x.max() : x.min()) : reduceExtreme(fn, x, axes, keepdim);
    return out;
  }, (g) => {
    // Shared equally among the elements that reach the extreme, as PyTorch's.
    const hit = compare('eq', x, unreduce(out, x, axes, keepdim)).to({ dtype: g.dtype });
    return [div(mul(unreduce(g, x, axes, keepdim), hit), sum(hit, axes, true))];
  }, x));
}
function reduceExtreme(fn: 'amax' | 'amin', x: Tensor, axes: number[], keepdim: boolean): Tensor {
  return extremeValues(fn === 'amax' ? 'max' : 'min', x, axes, keepdim);
}
/** The largest elements over dims (all by default); the gradient shared among ties. */
export function amax(x: Tensor, dim?: number | number[], keepdim = false): Tensor { return amaxmin('amax', x, dim, keepdim); }
export function amin(x: Tensor, dim?: number | number[], keepdim = false): Tensor { return amaxmin('amin', x, dim, keepdim); }

/** log(sum(exp(x))) over dims, computed from the max (stable); infinite maxima handled as PyTorch's. */
export function logsumexp(x: Tensor, dim: number | number[], keepdim = false): Tensor {
  checkTensor('logsumexp', x); checkFloat('logsumexp', x);
  const axes = normAxes(x, dim);
  let out!: Tensor;
  return twice(composite('LogsumexpBackward0', [x], () => {
    let m = reduceExtreme('amax', x, axes, true);
    m = where(compare('eq', abs(m), Infinity), 0, m);
    const r = add(log(sum(exp(sub(x, m)), axes, true)), m);
    return (out = keepdim ? r : reshape(r, x.shape.filter((_, i) => !axes.includes(i))));
  }, (g) => [mul(unreduce(g, x, axes, keepdim), exp(sub(x, unreduce(out, x, axes, keepdim))))], x, out));
}

/**
 * Vector norms over dims (all by default, as one vector): p = 2 ('fro'), 1, Infinity, -Infinity or any
 * other number ((Σ|x|^p)^(1/p)). One node (NormBackward1), with PyTorch's gradients (0 where the norm is 0).
 */
export function norm(x: Tensor, p: number | 'fro' = 2, dim?: number | number[], keepdim = false): Tensor {
  checkTensor('norm', x); checkFloat('norm', x);
  const q = p === 'fro' ? 2 : p;
  if (typeof q !== 'number' || Number.isNaN(q)) throw new Error(`norm(): p must be a number, Infinity or 'fro', got ${String(p)}`);
  const axes = normAxes(x, dim);
  let out!: Tensor;
  const keep = (r: Tensor) => (keepdim ? r : reshape(r, x.shape.filter((_, i) => !axes.includes(i))));
  return twice(composite('NormBackward1', [x], () => {
    const ax = abs(x);
    if (q === Infinity) return (out = keep(reduceExtreme('amax', ax, axes, true)));
    if (q === -Infinity) return (out = keep(reduceExtreme('amin', ax, axes, true)));
    if (q === 0) return (out = keep(sum(compare('ne', x, 0).to({ dtype: x.dtype }), axes, true)));
    if (q === 1) return (out = keep(sum(ax, axes, true)));
    if (q === 2) return (out = keep(sqrt(sum(mul(x, x), axes, true))));
    return (out = keep(pow(sum(pow(ax, q), axes, true), 1 / q)));
  }, (g) => {
    const gk = unreduce(g, x, axes, keepdim), nk = unreduce(out, x, axes, keepdim);
    if (q === 0) return [mul(x, 0)];
    if (q === 1) return [mul(gk, sign(x))];
    if (Math.abs(q) === Infinity) {
      const hit = compare('eq', abs(x), nk).to({ dtype: x.dtype });
      return [div(mul(mul(gk, sign(x)), hit), sum(hit, axes, true))];
    }
    // g · x·|x|^(p−2) / ‖x‖^(p−1), 0 where the norm is 0.
    const num = q === 2 ? x : mul(x, pow(abs(x), q - 2));
    const d = q === 2 ? nk : pow(nk, q - 1);
    return [where(compare('eq', nk, 0), 0, mul(gk, div(num, d)))];
  }, x, out));
}

// =============================================================== matrices

/** The outer product of two vectors: a[i]·b[j]. */
export function outer(a: Tensor, b: Tensor): Tensor {
  checkTensor('outer', a); checkTensor('outer', b, 'vec2');
  if (a.ndim !== 1) throw new Error(`outer: Expected 1-D argument self, but got ${a.ndim}-D`);
  if (b.ndim !== 1) throw new Error(`outer: Expected 1-D argument vec2, but got ${b.ndim}-D`);
  return mul(a.unsqueeze(1), b);
}
/** Batched matrix products: [B, n, m] @ [B, m, p] -> [B, n, p] (no broadcasting, as PyTorch's bmm)). */
export function bmm(a: Tensor, b: Tensor): Tensor {
  checkTensor('bmm', a); checkTensor('bmm', b, 'mat2');
  if (a.ndim !== 3) throw new Error(`batch1 must be a 3D tensor (bmm of shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)})`);
  if (b.ndim !== 3) throw new Error(`batch2 must be a 3D tensor (bmm of shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)})`);
  if (b.shape[0] !== a.shape[0] || b.shape[1] !== a.shape[2]) {
    throw new Error(`Expected size for first two dimensions of batch2 tensor to be: [${a.shape[0]}, ${a.shape[2]}] but got: [${b.shape[0]}, ${b.shape[1]}].`);
  }
  return matmul(a, b);
}
/** The [rows, cols] mask of j − i ≤ k (lower) or j − i ≥ k (upper), on x's device. */
function triMask(x: Tensor, k: number, lower: boolean): Tensor {
  const [r, c] = x.shape.slice(-2);
  const dev = { device: x.device };
  const diff = sub(arange(c, dev).unsqueeze(0), arange(r, dev).unsqueeze(1)); // j − i
  return compare(lower ? 'le' : 'ge', diff, k);
}
function tri(fn: 'tril' | 'triu', x: Tensor, diagonal: number): Tensor {
  checkTensor(fn, x);
  if (x.ndim < 2) throw new Error(`Dimension out of range (expected to be in range of [${-Math.max(1, x.ndim)}, ${Math.max(1, x.ndim) - 1}], but got -2) (${fn} needs a matrix, or a batch of them)`);
  if (!Number.isInteger(diagonal)) throw new Error(`${fn}(): diagonal must be an integer, got ${diagonal}`);
  const lower = fn === 'tril';
  // (a bool x keeps its dtype: its zeros are false, as PyTorch's)
  return twice(composite(lower ? 'TrilBackward0' : 'TriuBackward0', [x], () => where(triMask(x, diagonal, lower), x, x.dtype === 'bool' ? false : 0), (g) => [where(triMask(g, diagonal, lower), g, 0)]));
}
/** The lower triangle (j − i ≤ diagonal) of the last two dims; the rest zero. */
export function tril(x: Tensor, diagonal = 0): Tensor { return tri('tril', x, diagonal); }
/** The upper triangle (j − i ≥ diagonal) of the last two dims; the rest zero. */
export function triu(x: Tensor, diagonal = 0): Tensor { return tri('triu', x, diagonal); }

/** A [rows, cols] matrix with v (its first elements) on diagonal k and zeros elsewhere. */
function diagEmbed(v: Tensor, k: number, rows: number, cols: number): Tensor {
  // Element (i, i + k) is v[i] for k ≥ 0 (indexed by row), v[j] for k < 0 (indexed by column): v padded
  // to that length with zeros and broadcast along the other dim; the mask keeps the diagonal.
  const len = k >= 0 ? rows : cols;
  let line = v.numel() >= len ? v.narrow(0, 0, len) : cat([v, zeros([len - v.numel()], { dtype: v.dtype, device: v.device })]);
  line = k >= 0 ? line.unsqueeze(1) : line.unsqueeze(0);
  const dev = { device: v.device };
  const onDiag = compare('eq', sub(arange(cols, dev).unsqueeze(0), arange(rows, dev).unsqueeze(1)), k);
  return where(onDiag, line, 0);
}
const diagonal = (x: Tensor, offset = 0) => x.diagonal(offset);
/**
 * diag: of a vector, the square matrix with it on diagonal k; of a matrix, diagonal k as a new vector
 * (DiagBackward0 both ways).
 */
export function diag(x: Tensor, k = 0): Tensor {
  checkTensor('diag', x);
  if (!Number.isInteger(k)) throw new Error(`diag(): diagonal must be an integer, got ${k}`);
  if (x.ndim === 1) {
    const n = x.numel() + Math.abs(k);
    return twice(composite('DiagBackward0', [x], () => diagEmbed(x, k, n, n), (g) => [clone(diagonal(g, k))]));
  }
  if (x.ndim !== 2) throw new Error('matrix or a vector expected');
  const [r, c] = x.shape;
  return twice(composite('DiagBackward0', [x], () => clone(diagonal(x, k)), (g) => [diagEmbed(g, k, r, c)]));
}
/** The sum of a matrix's main diagonal. */
export function trace(x: Tensor): Tensor {
  checkTensor('trace', x);
  if (x.ndim !== 2) throw new Error(`trace: expected a matrix, but got tensor with dim ${x.ndim}`);
  const [r, c] = x.shape;
  const n = Math.min(r, c);
  return twice(composite('TraceBackward0', [x], () => sum(diagonal(x)), (g) => [diagEmbed(g.reshape([1]).expand([n]), 0, r, c)]));
}

// =============================================================== arrangements

/** The tensor repeated along each dim (sizes: at least its dims; leading ones add dims). A copy. */
export function repeat(x: Tensor, sizes: number[]): Tensor {
  checkTensor('repeat', x);
  if (sizes.length < x.ndim) throw new Error('Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor');
  for (const s of sizes) if (!Number.isInteger(s) || s < 0) throw new Error(`Trying to create tensor with negative dimension ${s}: ${fmtShape(sizes)}`);
  const src = [...new Array<number>(sizes.length - x.ndim).fill(1), ...x.shape];
  // [r0, s0, r1, s1, …]: x viewed with a 1 before each dim, expanded, then laid out as [r0·s0, r1·s1, …].
  const inter = sizes.flatMap((r, i) => [r, src[i]]);
  const outShape = sizes.map((r, i) => r * src[i]);
  const inShape = x.shape;
  return twice(composite('RepeatBackward0', [x], () => {
    const v = reshape(x, sizes.flatMap((_, i) => [1, src[i]]));
    return reshape(v.expand(inter).contiguous(), outShape);
  }, (g) => [reshape(sum(reshape(g, inter), sizes.map((_, i) => 2 * i)), inShape)]));
}
/** repeat, with fewer sizes than dims allowed (leading 1s are assumed), as PyTorch's tile. */
export function tile(x: Tensor, dims: number[]): Tensor {
  checkTensor('tile', x);
  return repeat(x, [...new Array<number>(Math.max(0, x.ndim - dims.length)).fill(1), ...dims]);
}
/** Joined along dim 1 (dim 0 for vectors). */
export function hstack(tensors: readonly Tensor[]): Tensor {
  const ts = tensors.map((t) => (t instanceof Tensor && t.ndim === 0 ? t.reshape([1]) : t));
  return cat(ts, ts.every((t) => t instanceof Tensor && t.ndim === 1) ? 0 : 1);
}
/** Joined along dim 0, vectors as rows. */
export function vstack(tensors: readonly Tensor[]): Tensor {
  return cat(tensors.map((t) => (t instanceof Tensor && t.ndim < 2 ? t.reshape([1, -1]) : t)), 0);
}

/** A tensor of x's shape (and dtype and device, unless told) filled with value. */
export function fullLike(x: Tensor, value: number | boolean, o: TensorOptions = {}): Tensor {
  checkTensor('full_like', x);
  return full([...x.shape], value, { dtype: o.dtype ?? x.dtype, device: o.device ?? x.device, requiresGrad: o.requiresGrad });
}

// =============================================================== data-dependent shapes (async)

/**
 * The elements of x where mask (bool, broadcast with x) is true, as a 1-D tensor: PyTorch's masked_select
 * (x[mask]). Its size depends on the mask's values, so it reads the mask back and resolves to the tensor
 * (MaskedSelectBackward0: the gradient goes back to the selected places).
 */
export async function maskedSelect(x: Tensor, mask: Tensor): Promise<Tensor> {
  checkTensor('masked_select', x); checkTensor('masked_select', mask, 'mask');
  if (mask.dtype !== 'bool') throw new Error('masked_select: expected BoolTensor or ByteTensor for mask');
  const shape = broadcastShapes(x.shape, mask.shape);
  const bits = (await mask.expand(shape).contiguous().toTypedArray()) as Uint8Array;
  let k = 0;
  for (let i = 0; i < bits.length; i++) if (bits[i]) k++;
  const at = new Int32Array(k);
  for (let i = 0, j = 0; i < bits.length; i++) if (bits[i]) at[j++] = i;
  const idx = tensor(at, { device: x.device }), xShape = x.shape, n = bits.length;
  return twice(composite('MaskedSelectBackward0', [x], () => indexSelect(reshape(x.expand(shape).contiguous(), [-1]), 0, idx),
    (g) => [sumToShape(reshape(indexAddZeros(g, 0, idx, [n]), shape), xShape)]));
}
/** The positions of x's nonzero elements, [count, x.ndim] int64 (PyTorch's nonzero); reads x back. */
export async function nonzero(x: Tensor): Promise<Tensor> {
  checkTensor('nonzero', x);
  const d = await x.contiguous().toTypedArray(), strides = contiguousStrides(x.shape), rows: number[][] = [];
  for (let i = 0; i < d.length; i++) if (d[i] !== 0) rows.push(strides.map((s, k) => Math.floor(i / s) % x.shape[k]));
  const out = rows.length ? tensor(rows, { device: x.device, dtype: 'int64' }) : zeros([0, x.ndim], { dtype: 'int64', device: x.device });
  return x.ndim === 0 ? out.reshape([rows.length, 0]) : out;
}
