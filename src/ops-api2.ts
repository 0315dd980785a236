/**
 * Still more of torch's top-level functions, composed of existing ops: the window functions (hann,
 * hamming, blackman, bartlett, kaiser), combinations, cumulative_trapezoid, gradient, histogram,
 * logaddexp2; small utilities (numel, empty_like, as_tensor/asarray, scalar_tensor, result_type,
 * promote_types, can_cast, is_same_size, is_signed, range, select, addcmul/addcdiv, subtract/multiply/
 * divide); and the deprecated linear algebra of older code (triangular_solve, cholesky_solve,
 * cholesky_inverse, lu, lu_unpack, lu_solve). Gradients flow through the composed ops.
 */
import {
  Tensor, SCALAR_TYPE, add, arange, cat, checkTensor, compare, composite, twice, deviceName, div, exp2, full, indexSelect, matmul,
  maximum, mul, narrow, neg, reshape, sqrt, stack, sub, sum, sumToShape, where, tensor, zeros, zerosLike, gather, argmax, eye, abs,
  type TensorOptions, type Operand,
} from './tensor.ts';
import { cumsum } from './ops-sort.ts';
import { isinf, log1p, tril, triu } from './ops-more.ts';
import { searchsorted } from './ops-misc.ts';
import { i0 } from './special.ts';
import { fmtShape, normDim, broadcastShapes } from './shape.ts';
import { canCast as canCastDT, getDefaultDtype, isFloat, isInt, parseDType, promote, resultType as resultTypeOf } from './dtype.ts';
import type { DType } from './runtime/protocol.ts';

const dev = (t: Tensor) => deviceName(t.device) as 'cpu';

// ---- window functions -------------------------------------------------------------------------------

export interface WindowOptions { dtype?: DType | string; device?: string; requiresGrad?: boolean }
const C_TYPE: Record<DType, string> = { float32: 'float', float64: 'double', int32: 'int', int64: 'long int', bool: 'bool' };

/** The checks and the length-0/1 cases every window shares; null when the window is to be computed. */
function windowStart(name: string, n: number, o: WindowOptions): { dtype: DType; device: string; done: Tensor | null } {
  const dtype = o.dtype === undefined ? getDefaultDtype() : parseDType(o.dtype);
  const device = o.device ?? 'cpu';
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} requires non-negative window_length, got window_length=${n}`);
  if (!isFloat(dtype)) {
    throw new Error(`${name} expects floating point dtypes, got: TensorOptions(dtype=${C_TYPE[dtype]}, device=${device === 'cpu' ? 'cpu' : device}, layout=Strided (default), requires_grad=false (default), pinned_memory=false, memory_format=(nullopt))`);
  }
  const done = n === 0 ? zeros([0], { dtype, device }) : n === 1 ? full([1], 1, { dtype, device }) : null;
  return { dtype, device, done };
}
const finishWindow = (w: Tensor, n: number, periodic: boolean, o: WindowOptions) => {
  const r = periodic ? narrow(w, 0, 0, n).contiguous() : w;
  return o.requiresGrad ? r.detach().requiresGrad_(true) : r;
};
type PeriodicOr<O> = boolean | O | undefined;
const split = <O extends object>(p: PeriodicOr<O>, o: O | undefined): [boolean, O] =>
  typeof p === 'object' && p !== null ? [(p as { periodic?: boolean }).periodic ?? true, p] : [p ?? true, (o ?? {}) as O];

/** A generalized Hann window: alpha − beta·cos(2πk/(N−1)), computed in the dtype's precision as PyTorch's. */
function hammingImpl(name: string, n: number, periodic: boolean, alpha: number, beta: number, o: WindowOptions): Tensor {
  const s = windowStart(name, n, o);
  if (s.done) return finishWindow(s.done, 1, false, o);
  const N = periodic ? n + 1 : n;
  const w = arange(N, { dtype: s.dtype, device: s.device }).mul((Math.PI * 2) / (N - 1)).cos().mul(-beta).add(alpha);
  return finishWindow(w, n, periodic, o);
}
export interface HammingOptions extends WindowOptions { periodic?: boolean; alpha?: number; beta?: number }
/** torch.hann_window(N, periodic = true): ½ − ½·cos(2πk/(N−1)) (N + 1 points, the last dropped, when periodic). */
export function hannWindow(n: number, periodic?: PeriodicOr<WindowOptions & { periodic?: boolean }>, o?: WindowOptions): Tensor {
  const [p, oo] = split(periodic, o);
  return hammingImpl('hann_window', n, p, 0.5, 0.5, oo);
}
/** torch.hamming_window(N, periodic = true, alpha = 0.54, beta = 0.46). */
export function hammingWindow(n: number, periodic?: PeriodicOr<HammingOptions>, alpha?: number | HammingOptions, beta?: number | HammingOptions, o?: HammingOptions): Tensor {
  const opts: HammingOptions = [periodic, alpha, beta, o].find((v) => typeof v === 'object' && v !== null) as HammingOptions ?? {};
  const p = typeof periodic === 'boolean' ? periodic : opts.periodic ?? true;
  const a = typeof alpha === 'number' ? alpha : opts.alpha ?? 0.54;
  const b = typeof beta === 'number' ? beta : opts.beta ?? 0.46;
  return hammingImpl('hamming_window', n, p, a, b, opts);
}
/** torch.blackman_window: 0.42 − 0.5·cos(2πk/(N−1)) + 0.08·cos(4πk/(N−1)). */
export function blackmanWindow(n: number, periodic?: PeriodicOr<WindowOptions & { periodic?: boolean }>, o?: WindowOptions): Tensor {
  const [p, oo] = split(periodic, o);
  const s = windowStart('blackman_window', n, oo);
  if (s.done) return finishWindow(s.done, 1, false, oo);
  const N = p ? n + 1 : n;
  const w = arange(N, { dtype: s.dtype, device: s.device }).mul(Math.PI / (N - 1));
  return finishWindow(add(sub(w.mul(4).cos().mul(0.08), w.mul(2).cos().mul(0.5)), 0.42), n, p, oo);
}
/** torch.bartlett_window: the triangle 2k/(N−1) rising to 1 at the middle, then 2 − 2k/(N−1). */
export function bartlettWindow(n: number, periodic?: PeriodicOr<WindowOptions & { periodic?: boolean }>, o?: WindowOptions): Tensor {
  const [p, oo] = split(periodic, o);
  const s = windowStart('bartlett_window', n, oo);
  if (s.done) return finishWindow(s.done, 1, false, oo);
  const N = p ? n + 1 : n;
  const k = arange(N, { dtype: s.dtype, device: s.device });
  const w = k.mul(2 / (N - 1));
  const half = ((N - 1) >> 1) + 1;
  return finishWindow(where(compare('ge', k, half), neg(w).add(2), w), n, p, oo);
}
export interface KaiserOptions extends WindowOptions { periodic?: boolean; beta?: number }
/** torch.kaiser_window(N, periodic = true, beta = 12): I₀(β·√(1 − ((k − α)/α)²)) / I₀(β), α = (N − 1)/2. */
export function kaiserWindow(n: number, periodic?: PeriodicOr<KaiserOptions>, beta?: number | KaiserOptions, o?: KaiserOptions): Tensor {
  const opts: KaiserOptions = [periodic, beta, o].find((v) => typeof v === 'object' && v !== null) as KaiserOptions ?? {};
  const p = typeof periodic === 'boolean' ? periodic : opts.periodic ?? true;
  const b = typeof beta === 'number' ? beta : opts.beta ?? 12;
  const s = windowStart('kaiser_window', n, opts);
  if (s.done) return finishWindow(s.done, 1, false, opts);
  const N = p ? n + 1 : n;
  const alpha = (N - 1) / 2;
  const r = arange(N, { dtype: s.dtype, device: s.device }).sub(alpha).div(alpha);
  const arg = sqrt(neg(mul(r, r)).add(1)).mul(b);
  const w = div(i0(arg), i0(full([], b, { dtype: s.dtype, device: s.device })));
  return finishWindow(w, n, p, opts);
}

// ---- combinations, cumulative_trapezoid, gradient, histogram, logaddexp2 ----------------------------------

/** torch.combinations(x, r = 2): the r-element combinations of a 1-D tensor's elements, rows in
 * lexicographic order of their indices (with replacement: repeated indices too); StackBackward0. */
export function combinations(x: Tensor, r: number | { r?: number; withReplacement?: boolean } = 2, o: { withReplacement?: boolean } = {}): Tensor {
  checkTensor('combinations', x);
  if (typeof r === 'object') { o = r; r = r.r ?? 2; }
  if (x.ndim !== 1) throw new Error(`Expect a 1D vector, but got shape ${fmtShape(x.shape)}`);
  if (!Number.isInteger(r) || r < 0) throw new Error(`Expect a non-negative number, but got ${r}`);
  if (r === 0) return zeros([0], { dtype: x.dtype, device: dev(x) });
  const n = x.shape[0], rep = !!o.withReplacement;
  const cols: number[][] = Array.from({ length: r }, () => []);
  const cur: number[] = [];
  const walk = (from: number) => {
    if (cur.length === r) { cur.forEach((v, j) => cols[j].push(v)); return; }
    for (let i = from; i < n; i++) { cur.push(i); walk(rep ? i : i + 1); cur.pop(); }
  };
  walk(0);
  if (cols[0].length === 0) return zeros([0, r], { dtype: x.dtype, device: dev(x) });
  return stack(cols.map((c) => indexSelect(x, 0, tensor(c, { dtype: 'int64', device: dev(x) }))), 1);
}

export interface CumulativeTrapezoidOptions { x?: Tensor | null; dx?: number | null; dim?: number }
/** torch.cumulative_trapezoid(y, x?, { dx, dim = −1 }): the running trapezoid-rule integral along dim
 * (one fewer element there); x the sample points (1-D, or y's shape), else spacing dx (1). */
export function cumulativeTrapezoid(y: Tensor, x?: Tensor | CumulativeTrapezoidOptions | null, o: CumulativeTrapezoidOptions = {}): Tensor {
  checkTensor('cumulative_trapezoid', y);
  if (x !== null && x !== undefined && !(x instanceof Tensor)) { o = x; x = x.x ?? null; }
  const d = normDim(o.dim ?? -1, y.ndim);
  const n = y.shape[d];
  const left = narrow(y, d, 0, Math.max(0, n - 1)), right = narrow(y, d, Math.min(1, n), Math.max(0, n - 1));
  if (x instanceof Tensor) {
    if (y.dtype === 'bool' || x.dtype === 'bool') throw new Error('cumulative_trapezoid: received a bool input for `x` or `y`, but bool is not supported');
    let xv: Tensor;
    if (x.ndim === 1) {
      if (x.shape[0] !== n) throw new Error('cumulative_trapezoid: There must be one `x` value for each sample point');
      xv = reshape(x, y.shape.map((s, i) => (i === d ? n : 1)));
    } else xv = x.ndim < y.ndim ? reshape(x, [...Array(y.ndim - x.ndim).fill(1), ...x.shape]) : x;
    const m = xv.shape[d];
    const dx = sub(narrow(xv, d, Math.min(1, m), Math.max(0, m - 1)), narrow(xv, d, 0, Math.max(0, m - 1)));
    return cumsum(div(mul(dx, add(left, right)), 2), d);
  }
  if (y.dtype === 'bool') throw new Error('cumulative_trapezoid: received a bool input for `y`, but bool is not supported');
  return cumsum(mul(add(left, right), (o.dx ?? 1) / 2), d);
}

export interface GradientOptions { spacing?: number | number[] | Tensor[]; dim?: number | number[] | null; edgeOrder?: number }
/**
 * torch.gradient(y, { spacing, dim, edgeOrder }): one tensor per dim (all dims unless told), the
 * derivative estimated by second-order central differences inside and one-sided differences of order
 * edgeOrder (1 or 2) at the ends; spacing a number (for every dim), one number per dim, or one 1-D
 * coordinate tensor per dim (non-uniform samples). The formulas and their order are PyTorch's.
 */
export function gradient(y: Tensor, o: GradientOptions = {}): Tensor[] {
  checkTensor('gradient', y);
  const edge = o.edgeOrder ?? 1;
  const dims = o.dim === undefined || o.dim === null ? null : typeof o.dim === 'number' ? [o.dim] : o.dim;
  const sp = o.spacing;
  const spList: Array<number | Tensor> | null = sp === undefined ? null : typeof sp === 'number' ? [sp] : sp;
  if (spList && !dims && spList.length !== 1 && spList.length !== y.ndim) {
    throw new Error(`torch.gradient expected spacing to be unspecified, a scalar or a list of length ${y.ndim} but got a list of length ${spList.length}`);
  }
  if (spList && dims && spList.length !== dims.length && !(typeof sp === 'number')) {
    throw new Error(`torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim arguments to have the same length, but got a spacing argument of length ${spList.length} and a dim argument of length ${dims.length}.`);
  }
  if (edge !== 1 && edge !== 2) throw new Error('torch.gradient only supports edge_order=1 and edge_order=2.');
  const ds = (dims ?? [...Array(y.ndim).keys()]).map((d) => normDim(d, y.ndim));
  if (new Set(ds).size !== ds.length) throw new Error(`dim ${ds.find((d, i) => ds.indexOf(d) !== i)} appears multiple times in the list of dims`);
  for (const d of ds) if (y.shape[d] < edge + 1) throw new Error('torch.gradient expected each dimension size to be at least edge_order+1');
  const sl = (d: number, a: number, b?: number) => { // y[a:b] along d, Python-style negative bounds
    const n = y.shape[d];
    const s = a < 0 ? a + n : a, e = b === undefined ? n : b < 0 ? b + n : b;
    return narrow(y, d, s, e - s);
  };
  return ds.map((d, i) => {
    const h = spList === null ? 1 : spList.length === 1 ? spList[0] : spList[i];
    let center: Tensor, pre: Tensor, app: Tensor;
    if (h instanceof Tensor) {
      if (h.ndim !== 1) throw new Error(`torch.gradient expected each element of spacing to have one dimension, but got an element with ${h.ndim} dimensions!`);
      const shape = y.shape.map((_, k) => (k === d ? -1 : 1));
      const m = h.shape[0];
      const dx = sub(narrow(h, 0, 1, m - 1), narrow(h, 0, 0, m - 1));
      const dx1 = narrow(dx, 0, 0, m - 2), dx2 = narrow(dx, 0, 1, m - 2);
      const a = reshape(div(neg(dx2), mul(dx1, add(dx1, dx2))), shape);
      const b = reshape(div(sub(dx2, dx1), mul(dx1, dx2)), shape);
      const c = reshape(div(dx1, mul(dx2, add(dx1, dx2))), shape);
      center = add(add(mul(a, sl(d, 0, -2)), mul(b, sl(d, 1, -1))), mul(c, sl(d, 2)));
      const at = (k: number) => reshape(narrow(dx, 0, k < 0 ? k + m - 1 : k, 1), []);
      if (edge === 1) {
        pre = div(sub(sl(d, 1, 2), sl(d, 0, 1)), at(0));
        app = div(sub(sl(d, -1), sl(d, -2, -1)), at(-1));
      } else {
        const d0 = at(0), d1 = at(1), l1 = at(-1), l2 = at(-2);
        const a0 = div(neg(add(mul(d0, 2), d1)), mul(d0, add(d0, d1)));
        const b0 = div(add(d0, d1), mul(d0, d1));
        const c0 = div(neg(d0), mul(d1, add(d0, d1)));
        pre = add(add(mul(a0, sl(d, 0, 1)), mul(b0, sl(d, 1, 2))), mul(c0, sl(d, 2, 3)));
        const a1 = div(l1, mul(l2, add(l1, l2)));
        const b1 = div(neg(add(l1, l2)), mul(l1, l2));
        const c1 = div(add(mul(l1, 2), l2), mul(l1, add(l1, l2)));
        app = add(add(mul(a1, sl(d, -3, -2)), mul(b1, sl(d, -2, -1))), mul(c1, sl(d, -1)));
      }
    } else {
      center = div(div(sub(sl(d, 2), sl(d, 0, -2)), h), 2);
      if (edge === 1) {
        pre = div(sub(sl(d, 1, 2), sl(d, 0, 1)), h);
        app = div(sub(sl(d, -1), sl(d, -2, -1)), h);
      } else {
        pre = div(sub(add(mul(sl(d, 0, 1), -1.5), mul(sl(d, 1, 2), 2)), mul(sl(d, 2, 3), 0.5)), h);
        app = div(add(add(mul(sl(d, -3, -2), 0.5), mul(sl(d, -2, -1), -2)), mul(sl(d, -1), 1.5)), h);
      }
    }
    return cat([pre, center, app], d);
  });
}

/** torch.histogram's result (torch.return_types.histogram): { hist, binEdges }, or [hist, binEdges]. */
export class Histogram {
  constructor(readonly hist: Tensor, readonly binEdges: Tensor) {}
  *[Symbol.iterator](): Iterator<Tensor> { yield this.hist; yield this.binEdges; }
}
export interface HistogramOptions { range?: [number, number] | null; weight?: Tensor | null; density?: boolean }
/**
 * torch.histogram(x, bins | binEdges, { range, weight, density }): counts (or summed weights) of x's
 * elements in bins equal bins over range (x's min and max unless given; equal bounds widen by ½ each way)
 * or between the given increasing edges; each bin holds [left, right), the last [left, right]; values
 * outside are left out. density divides by the total and the bin widths. Computed on the device.
 */
export function histogram(x: Tensor, bins: number | Tensor = 100, o: HistogramOptions = {}): Histogram {
  checkTensor('histogram', x);
  if (!isFloat(x.dtype)) throw new Error(`"histogramdd" not implemented for '${SCALAR_TYPE[x.dtype]}'`);
  const flat = reshape(x, [-1]);
  let edges: Tensor;
  if (bins instanceof Tensor) {
    if (bins.ndim !== 1) throw new Error(`torch.histogramdd(): bins tensor should have one dimension, but got ${bins.ndim} dimensions in the bins tensor for dimension 0`);
    if (bins.shape[0] === 0) throw new Error('torch.histogramdd(): bins tensor should have at least 1 element, but got 0 elements for dimension 0');
    if (bins.dtype !== x.dtype) throw new Error(`torch.histogramdd: input tensor and bins tensors should have the same dtype, but got input ${x.dtype} and bins for dimension 0 ${bins.dtype}`);
    edges = bins;
  } else {
    if (!Number.isInteger(bins) || bins <= 0) throw new Error(`torch.histogram(): bins must be > 0, but got ${bins} for dimension 0`);
    let lo: Tensor, hi: Tensor;
    const z = (v: number) => full([], v, { dtype: x.dtype, device: dev(x) });
    if (o.range) {
      const [a, b] = o.range;
      if (a > b) throw new Error(`torch.histogramdd: min should not exceed max, but got min ${a} max ${b} for dimension 0`);
      lo = z(a); hi = z(b);
    } else if (flat.numel() > 0) {
      lo = flat.detach().amin(0); hi = flat.detach().amax(0);
    } else { lo = z(0); hi = z(0); }
    const same = compare('eq', lo, hi);
    lo = where(same, sub(lo, 0.5), lo); hi = where(same, add(hi, 0.5), hi);
    // linspace(lo, hi, bins + 1) as PyTorch computes it: from lo for the first half, from hi for the rest
    const step = div(sub(hi, lo), bins);
    const k = arange(bins + 1, { dtype: x.dtype, device: dev(x) });
    edges = where(compare('lt', k, Math.floor((bins + 1) / 2)), add(lo, mul(step, k)), sub(hi, mul(step, sub(bins, k))));
  }
  const nb = edges.shape[0] - 1;
  let w: Tensor | null = null;
  if (o.weight) {
    if (o.weight.numel() !== flat.numel()) throw new Error(`torch.histogramdd: if weight tensor is provided it should have the same shape as the input tensor excluding its innermost dimension, but got input with shape ${fmtShape([flat.numel(), 1])} and weight with shape ${fmtShape([o.weight.numel()])}`);
    if (o.weight.dtype !== x.dtype) throw new Error(`torch.histogramdd: if weight tensor is provided, it should have the same dtype as the input tensor, but got input ${x.dtype} and weight ${o.weight.dtype}`);
    w = reshape(o.weight, [-1]).detach();
  }
  const e = edges.detach(), v = flat.detach();
  if (nb === 0) return new Histogram(zeros([0], { dtype: x.dtype, device: dev(x) }), edges);
  const first = narrow(e, 0, 0, 1), last = narrow(e, 0, nb, 1);
  const inside = compare('ge', v, first).logicalAnd(compare('le', v, last));
  let pos = sub(searchsorted(e, v, { right: true }), 1);
  pos = where(compare('ge', pos, nb), nb - 1, where(compare('lt', pos, 0), 0, pos));
  const idx = where(inside, pos, 0);
  const amount = where(inside, w ?? 1, 0).to({ dtype: x.dtype });
  let hist = zeros([nb], { dtype: x.dtype, device: dev(x) }).scatterAdd(0, idx, amount);
  if (o.density) hist = div(div(hist, sum(hist)), sub(narrow(e, 0, 1, nb), narrow(e, 0, 0, nb)));
  return new Histogram(hist, bins instanceof Tensor ? edges : edges.detach());
}

/** torch.logaddexp2: log₂(2^a + 2^b) as max + log1p(2^−|a−b|)/ln 2, equal infinities themselves
 * (Logaddexp2Backward0: g / (1 + 2^(b−a)) and g / (1 + 2^(a−b))). */
export function logaddexp2(a: Tensor, b: Tensor): Tensor {
  checkTensor('logaddexp2', a); checkTensor('logaddexp2', b, 'other');
  const dt = resultTypeOf([{ dtype: a.dtype, dim: a.ndim }, { dtype: b.dtype, dim: b.ndim }]);
  if (!isFloat(dt)) throw new Error(`"logaddexp2_cpu" not implemented for '${SCALAR_TYPE[dt]}'`);
  const p = a.dtype === dt ? a : a.to({ dtype: dt }), q = b.dtype === dt ? b : b.to({ dtype: dt });
  return twice(composite('Logaddexp2Backward0', [p, q], () => {
    const same = where(isinf(p), compare('eq', p, q), false);
    return where(same, p, add(maximum(p, q), mul(log1p(exp2(neg(abs(sub(p, q))))), 1 / Math.LN2)));
  }, (g) => [
    p.requiresGrad ? sumToShape(div(g, add(exp2(sub(q, p)), 1)), [...p.shape]) : null,
    q.requiresGrad ? sumToShape(div(g, add(exp2(sub(p, q)), 1)), [...q.shape]) : null,
  ], p, q));
}

// ---- small utilities ------------------------------------------------------------------------------

/** torch.numel: the number of elements. */
export function numel(x: Tensor): number { checkTensor('numel', x); return x.numel(); }
/** torch.empty_like: a new tensor of x's shape (zero-filled here; PyTorch leaves it uninitialised). */
export function emptyLike(x: Tensor, o: TensorOptions = {}): Tensor { checkTensor('empty_like', x); return zerosLike(x, o); }
type Data = Parameters<typeof tensor>[0];
/** torch.as_tensor: data as a tensor; a Tensor of the wanted dtype and device is returned itself
 * (otherwise converted), anything else goes through torch.tensor. */
export function asTensor(data: Tensor | Data, o: { dtype?: DType | string; device?: string } = {}): Tensor {
  if (data instanceof Tensor) {
    const dtype = o.dtype === undefined ? data.dtype : parseDType(o.dtype);
    const device = o.device === undefined ? data.device : (o.device.startsWith('gpu') ? 'gpu' : 'cpu');
    return dtype === data.dtype && device === data.device ? data : data.to({ dtype, device: o.device ?? deviceName(data.device) });
  }
  return tensor(data, o);
}
/** torch.asarray: as_tensor, with copy (always a new tensor) and requiresGrad. */
export function asarray(obj: Tensor | Data, o: { dtype?: DType | string; device?: string; copy?: boolean; requiresGrad?: boolean } = {}): Tensor {
  let t = asTensor(obj, o);
  if (o.copy && t === obj) t = t.clone();
  if (o.requiresGrad) t = (t === obj ? t.detach() : t).requiresGrad_(true);
  return t;
}
/** torch.scalar_tensor: a 0-d tensor of the value, the default float dtype unless told. */
export function scalarTensor(s: number | boolean, o: TensorOptions = {}): Tensor {
  return full([], Number(s), { ...o, dtype: o.dtype ?? getDefaultDtype() });
}
/** torch.result_type: the dtype an arithmetic op on a and b gives (tensors or numbers). */
export function resultType(a: Tensor | number | boolean, b: Tensor | number | boolean): DType {
  const op = (v: Tensor | number | boolean) => (v instanceof Tensor ? { dtype: v.dtype, dim: v.ndim } : v);
  return resultTypeOf([op(a), op(b)]);
}
/** torch.promote_types: the smallest dtype both promote to. */
export function promoteTypes(a: DType | string, b: DType | string): DType { return promote(parseDType(a), parseDType(b)); }
/** torch.can_cast: whether PyTorch's casting rules allow from → to (not float → integer, not to bool). */
export function canCast(from: DType | string, to: DType | string): boolean { return canCastDT(parseDType(from), parseDType(to)); }
/** torch.is_same_size. */
export function isSameSize(a: Tensor, b: Tensor): boolean {
  checkTensor('is_same_size', a); checkTensor('is_same_size', b, 'other');
  return a.ndim === b.ndim && a.shape.every((s, i) => s === b.shape[i]);
}
/** torch.is_signed: every dtype troupe has but bool. */
export function isSigned(x: Tensor): boolean { checkTensor('is_signed', x); return x.dtype !== 'bool'; }
/**
 * torch.range (deprecated): start, start + step, … up to and including end, floor((end − start)/step) + 1
 * values computed in double precision (the default float dtype unless told).
 */
export function range(start: number, end: number, step: number | TensorOptions = 1, o: TensorOptions = {}): Tensor {
  if (typeof step === 'object') { o = step; step = 1; }
  const dtype = o.dtype === undefined ? getDefaultDtype() : parseDType(o.dtype);
  const int = isInt(dtype);
  const [s0, e0, st] = int ? [Math.trunc(start), Math.trunc(end), Math.trunc(step)] : [start, end, step];
  if (st === 0) throw new Error('step must be nonzero');
  if (!((st > 0 && e0 >= s0) || (st < 0 && e0 <= s0))) throw new Error('upper bound and lower bound inconsistent with step sign');
  const n = int ? Math.trunc((e0 - s0) / st) + 1 : Math.trunc((e0 - s0) / st + 1);
  return tensor(Array.from({ length: n }, (_, i) => s0 + i * st), { ...o, dtype });
}
/** torch.select(x, dim, index): the slice at index along dim, without that dim (a view; SelectBackward0). */
export function select(x: Tensor, dim: number, index: number): Tensor {
  checkTensor('select', x);
  if (x.ndim === 0) throw new Error('select() cannot be applied to a 0-dim tensor.');
  const d = normDim(dim, x.ndim), size = x.shape[d];
  if (!(index >= -size && index < size)) throw new Error(`select(): index ${index} out of range for tensor of size ${fmtShape(x.shape)} at dimension ${d}`);
  return x.index(...Array<string>(d).fill(':'), index < 0 ? index + size : index);
}
const commonDtype = (ts: Tensor[]) => resultTypeOf(ts.map((t) => ({ dtype: t.dtype, dim: t.ndim })));
const asDtype = (t: Tensor, d: DType) => (t.dtype === d ? t : t.to({ dtype: d }));
/** torch.addcmul(input, t1, t2, { value = 1 }): input + value·t1·t2, broadcast (AddcmulBackward0). */
export function addcmul(input: Tensor, t1: Tensor, t2: Tensor, o: { value?: number } = {}): Tensor {
  checkTensor('addcmul', input); checkTensor('addcmul', t1, 'tensor1'); checkTensor('addcmul', t2, 'tensor2');
  const v = o.value ?? 1, dt = commonDtype([input, t1, t2]);
  const [x, a, b] = [input, t1, t2].map((t) => asDtype(t, dt));
  return twice(composite('AddcmulBackward0', [x, a, b], () => add(x, mul(mul(a, v), b)), (g) => [
    x.requiresGrad ? sumToShape(g, [...x.shape]) : null,
    a.requiresGrad ? sumToShape(mul(mul(g, b), v), [...a.shape]) : null,
    b.requiresGrad ? sumToShape(mul(mul(g, a), v), [...b.shape]) : null,
  ], a, b));
}
/** torch.addcdiv(input, t1, t2, { value = 1 }): input + value·t1/t2, broadcast (AddcdivBackward0);
 * two integer tensors are refused, as PyTorch's. */
export function addcdiv(input: Tensor, t1: Tensor, t2: Tensor, o: { value?: number } = {}): Tensor {
  checkTensor('addcdiv', input); checkTensor('addcdiv', t1, 'tensor1'); checkTensor('addcdiv', t2, 'tensor2');
  if (!isFloat(t1.dtype) && !isFloat(t2.dtype)) {
    throw new Error('Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes.');
  }
  const v = o.value ?? 1, dt = commonDtype([input, t1, t2]);
  const [x, a, b] = [input, t1, t2].map((t) => asDtype(t, dt));
  return twice(composite('AddcdivBackward0', [x, a, b], () => add(x, div(mul(a, v), b)), (g) => [
    x.requiresGrad ? sumToShape(g, [...x.shape]) : null,
    a.requiresGrad ? sumToShape(div(mul(g, v), b), [...a.shape]) : null,
    b.requiresGrad ? sumToShape(neg(div(mul(mul(g, v), a), mul(b, b))), [...b.shape]) : null,
  ], a, b));
}
/** torch.subtract: a − alpha·b. */
export function subtract(a: Operand, b: Operand, o: { alpha?: number } = {}): Tensor {
  return sub(a, o.alpha === undefined || o.alpha === 1 ? b : mul(b, o.alpha));
}
/** torch.multiply: a·b. */
export const multiply = (a: Operand, b: Operand): Tensor => mul(a, b);
/** torch.divide: a / b, { roundingMode: 'trunc' | 'floor' } as div's. */
export const divide = (a: Operand, b: Operand, o?: { roundingMode?: 'trunc' | 'floor' | null }): Tensor => div(a, b, o);

// ---- deprecated linear algebra: triangular_solve, cholesky_solve / inverse, lu, lu_unpack, lu_solve ----------

const mT = (x: Tensor) => x.transpose(-2, -1);
/**
 * X with A X = B for triangular A (only its upper or lower triangle read; unit: its diagonal taken as 1),
 * row by row by substitution with recorded ops, so that gradients reach only the triangle read, as
 * PyTorch's. A [..., n, n], B [..., n, k], batch dims broadcast.
 */
function substitute(A: Tensor, B: Tensor, upper: boolean, unit: boolean): Tensor {
  const n = A.shape[A.ndim - 1], k = B.shape[B.ndim - 1];
  const lead = broadcastShapes(A.shape.slice(0, -2), B.shape.slice(0, -2));
  const Ab = A.expand([...lead, n, n]), Bb = B.expand([...lead, n, k]);
  if (n === 0) return Bb.clone();
  const rows: Tensor[] = new Array(n);
  const order = upper ? [...Array(n).keys()].reverse() : [...Array(n).keys()];
  order.forEach((i, step) => {
    const row = narrow(Ab, -2, i, 1);
    let r = narrow(Bb, -2, i, 1);
    if (step > 0) {
      const [from, len] = upper ? [i + 1, n - 1 - i] : [0, i];
      const solved = cat(rows.slice(from, from + len), -2);
      r = sub(r, matmul(narrow(row, -1, from, len), solved));
    }
    rows[i] = unit ? r : div(r, narrow(row, -1, i, 1));
  });
  return cat(rows, -2);
}
/** torch.triangular_solve's result: { solution, clonedCoefficient }, or [solution, clonedCoefficient]. */
export class TriangularSolve {
  constructor(readonly solution: Tensor, readonly clonedCoefficient: Tensor) {}
  *[Symbol.iterator](): Iterator<Tensor> { yield this.solution; yield this.clonedCoefficient; }
}
function checkBatchedMatrices(name: string, b: Tensor, A: Tensor): void {
  checkTensor(name, b); checkTensor(name, A, 'A');
  if (b.ndim < 2) throw new Error(`torch.${name}: Expected b to have at least 2 dimensions, but it has ${b.ndim} dimensions instead`);
  if (A.ndim < 2) throw new Error(`torch.${name}: Expected A to have at least 2 dimensions, but it has ${A.ndim} dimensions instead`);
  const n = A.shape[A.ndim - 1];
  if (A.shape[A.ndim - 2] !== n) throw new Error(`A must be batches of square matrices, but they are ${A.shape[A.ndim - 2]} by ${n} matrices`);
  if (b.shape[b.ndim - 2] !== n) {
    throw new Error(`Incompatible matrix sizes for ${name}: each A matrix is ${n} by ${n} but each b matrix is ${b.shape[b.ndim - 2]} by ${b.shape[b.ndim - 1]}`);
  }
  if (b.dtype !== A.dtype) throw new Error(`Expected b and A to have the same dtype, but found b of type ${SCALAR_TYPE[b.dtype]} and A of type ${SCALAR_TYPE[A.dtype]} instead.`);
  if (!isFloat(A.dtype)) throw new Error(`"${name}_cpu" not implemented for '${SCALAR_TYPE[A.dtype]}'`);
}
export interface TriangularSolveOptions { upper?: boolean; transpose?: boolean; unitriangular?: boolean }
/**
 * torch.triangular_solve(b, A, { upper = true, transpose = false, unitriangular = false }) (deprecated
 * in favour of linalg.solve_triangular): X with op(A) X = b, op(A) = A or Aᵀ, reading only A's upper or
 * lower triangle; [solution, a clone of A broadcast to the batch], as PyTorch 1.13's.
 */
export function triangularSolve(b: Tensor, A: Tensor, o: TriangularSolveOptions = {}): TriangularSolve {
  checkBatchedMatrices('triangular_solve', b, A);
  const upper = o.upper ?? true;
  const X = o.transpose ? substitute(mT(A), b, !upper, !!o.unitriangular) : substitute(A, b, upper, !!o.unitriangular);
  const lead = broadcastShapes(A.shape.slice(0, -2), b.shape.slice(0, -2));
  return new TriangularSolve(X, A.expand([...lead, ...A.shape.slice(-2)]).clone());
}
/** A⁻¹ b for A = L Lᵀ (upper: Uᵀ U), by two triangular solves. */
const cholSolve = (b: Tensor, L: Tensor, upper: boolean) =>
  upper ? substitute(L, substitute(mT(L), b, false, false), true, false) : substitute(mT(L), substitute(L, b, false, false), true, false);
/**
 * torch.cholesky_solve(b, L, { upper = false }): X with A X = b where A = L Lᵀ (upper: A = Uᵀ U); PyTorch's
 * backward (CholeskySolveBackward0), which treats L as a full matrix in A = L Lᵀ.
 */
export function choleskySolve(b: Tensor, L: Tensor, o: { upper?: boolean } = {}): Tensor {
  checkBatchedMatrices('cholesky_solve', b, L);
  const upper = !!o.upper;
  let X!: Tensor;
  return composite('CholeskySolveBackward0', [b, L], () => (X = cholSolve(b, L, upper)), (g) => {
    const gb = cholSolve(g, L, upper);
    let common = matmul(gb, mT(X));
    common = add(common, mT(common));
    return [
      b.requiresGrad ? sumToShape(gb, [...b.shape]) : null,
      L.requiresGrad ? sumToShape(neg(upper ? matmul(L, common) : matmul(common, L)), [...L.shape]) : null,
    ];
  });
}
/** torch.cholesky_inverse(L, { upper = false }): (L Lᵀ)⁻¹ (upper: (Uᵀ U)⁻¹); CholeskyInverseBackward0. */
export function choleskyInverse(L: Tensor, o: { upper?: boolean } = {}): Tensor {
  checkTensor('cholesky_inverse', L);
  if (L.ndim < 2 || L.shape[L.ndim - 1] !== L.shape[L.ndim - 2]) throw new Error(`A must be batches of square matrices, but they are ${L.shape[L.ndim - 2]} by ${L.shape[L.ndim - 1]} matrices`);
  const upper = !!o.upper, n = L.shape[L.ndim - 1];
  let inv!: Tensor;
  const I = () => eye(n, { dtype: L.dtype, device: dev(L) }).expand([...L.shape]);
  return composite('CholeskyInverseBackward0', [L], () => (inv = cholSolve(I(), L, upper)), (g) => {
    const common = matmul(inv, matmul(add(g, mT(g)), inv));
    return [neg(upper ? matmul(L, common) : matmul(common, L))];
  });
}

/**
 * LU with partial pivoting of A ([..., m, n]) as LAPACK's getrf: per column k < min(m, n) the first row
 * ≥ k of largest |a| is swapped to row k, the multipliers below the pivot stored in place of the column
 * (a zero pivot leaves them 0 and is reported in infos, as k + 1 of the first). Recorded ops throughout,
 * so the gradient is that of the factorization.
 */
function luFactor(A: Tensor): { LU: Tensor; pivots: Tensor; infos: Tensor } {
  const [m, n] = A.shape.slice(-2), lead = A.shape.slice(0, -2), k = Math.min(m, n);
  const rows = reshape(arange(m, { device: dev(A) }), [m, 1]), cols = reshape(arange(n, { device: dev(A) }), [1, n]);
  let M = A;
  const piv: Tensor[] = [];
  let infos: Tensor = zeros(lead, { dtype: 'int64', device: dev(A) });
  for (let j = 0; j < k; j++) {
    let col = narrow(M, -1, j, 1);
    const p = argmax(where(compare('ge', rows, j), abs(col.detach()), -1), -2, true); // [..., 1, 1]
    piv.push(reshape(p, lead));
    const idx = where(compare('eq', rows, j), p, where(compare('eq', rows, p), j, rows));
    M = gather(M, -2, idx.expand([...lead, m, n]));
    col = narrow(M, -1, j, 1);
    const pivRow = narrow(M, -2, j, 1), pv = narrow(pivRow, -1, j, 1);
    const zero = compare('eq', pv.detach(), 0);
    infos = where(compare('eq', infos, 0).logicalAnd(reshape(zero, lead)), j + 1, infos);
    const l = where(compare('gt', rows, j), div(col, where(zero, 1, pv)), 0);
    M = sub(M, mul(l, where(compare('gt', cols, j), pivRow, 0)));
    M = where(compare('gt', rows, j).logicalAnd(compare('eq', cols, j)), l, M);
  }
  const pivots = k === 0 ? zeros([...lead, 0], { dtype: 'int32', device: dev(A) }) : stack(piv, -1).add(1).to({ dtype: 'int32' });
  return { LU: k === 0 ? A.clone() : M, pivots, infos: infos.to({ dtype: 'int32' }) };
}
/**
 * torch.lu(A, { pivot = true, getInfos = false }) (deprecated for linalg.lu_factor): [LU, pivots] or, with
 * getInfos, [LU, pivots, infos]: L (unit diagonal, below) and U packed in one matrix, pivots the 1-based
 * rows swapped in at each step (int32), infos 0 or the first zero pivot's 1-based index (int32).
 * Gradients through the factorization.
 */
export function lu(A: Tensor, o: { pivot?: boolean; getInfos?: boolean } = {}): Tensor[] {
  checkTensor('lu', A);
  if (A.ndim < 2) throw new Error(`torch.linalg.lu_factor: The input tensor A must have at least 2 dimensions.`);
  if (!isFloat(A.dtype)) throw new Error(`"lu_factor_cpu" not implemented for '${SCALAR_TYPE[A.dtype]}'`);
  if (o.pivot === false) throw new Error('linalg.lu_factor: LU without pivoting is not implemented on the CPU');
  const { LU, pivots, infos } = luFactor(A);
  return o.getInfos ? [LU, pivots, infos] : [LU, pivots];
}
/** The permutation the pivots make, as perm (row i of L U is row perm[i] of A), [..., m] int64. */
function permOf(pivots: Tensor, m: number): Tensor {
  const lead = pivots.shape.slice(0, -1), k = pivots.shape[pivots.ndim - 1];
  const idx = arange(m, { device: dev(pivots) });
  let perm = idx.expand([...lead, m]).contiguous();
  for (let i = 0; i < k; i++) {
    const p = narrow(pivots, -1, i, 1).to({ dtype: 'int64' }).sub(1); // [..., 1]
    const atI = narrow(perm, -1, i, 1), atP = gather(perm, -1, p);
    perm = where(compare('eq', idx, i), atP, where(compare('eq', idx, p), atI, perm));
  }
  return perm;
}
/**
 * torch.lu_unpack(LU, pivots, unpackData = true, unpackPivots = true): [P, L, U] with A = P L U; P from
 * the pivots' row swaps, L unit lower [.., m, k], U upper [.., k, n]. Skipped parts are empty tensors.
 */
export function luUnpack(LU: Tensor, pivots: Tensor, unpackData = true, unpackPivots = true): [Tensor, Tensor, Tensor] {
  checkTensor('lu_unpack', LU); checkTensor('lu_unpack', pivots, 'pivots');
  if (pivots.dtype !== 'int32') throw new Error(`torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 dtype. Note: this function is intended to be used with the output produced by torch.linalg.lu_factor`);
  const [m, n] = LU.shape.slice(-2), k = Math.min(m, n);
  const empty = () => zeros([0], { dtype: LU.dtype, device: dev(LU) });
  let L = empty(), U = empty(), P = empty();
  if (unpackData) {
    L = add(tril(narrow(LU, -1, 0, k), -1), eye(m, k, { dtype: LU.dtype, device: dev(LU) }));
    U = triu(narrow(LU, -2, 0, k));
  }
  if (unpackPivots) {
    const perm = permOf(pivots, m);
    P = compare('eq', reshape(arange(m, { device: dev(LU) }), [m, 1]), perm.unsqueeze(-2)).to({ dtype: LU.dtype });
  }
  return [P, L, U];
}
/** torch.lu_solve(b, LU, pivots): X with A X = b from torch.lu's factorization (Pᵀ b, then L and U). */
export function luSolve(b: Tensor, LU: Tensor, pivots: Tensor): Tensor {
  checkBatchedMatrices('lu_solve', b, LU);
  const n = LU.shape[LU.ndim - 1];
  const lead = broadcastShapes(LU.shape.slice(0, -2), b.shape.slice(0, -2));
  const perm = permOf(pivots, n).expand([...lead, n]);
  const bb = b.expand([...lead, n, b.shape[b.ndim - 1]]);
  const pb = gather(bb, -2, perm.unsqueeze(-1).expand([...bb.shape]));
  return substitute(LU, substitute(LU, pb, false, true), true, false);
}
