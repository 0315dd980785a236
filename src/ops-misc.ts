/**
 * Yet more of PyTorch's tensor functions, composed of the frontend's ops: running extremes (cummax,
 * cummin) and logcumsumexp, NaN-ignoring reductions (nansum, nanmean), quantile / nanquantile, mode,
 * aminmax; arrangements (repeatInterleave, rot90, tensorSplit, hsplit/vsplit/dsplit, dstack,
 * columnStack, rowStack, triuIndices/trilIndices); selection (take, takeAlongDim, isin, bucketize,
 * searchsorted); elementwise (isposinf, isneginf, signbit, copysign, heaviside, sinc, logit, xlogy);
 * matrices (cross, kron, cartesianProd, blockDiag, cov, corrcoef, trapezoid, diagEmbed, vdot, mv, ger,
 * dist). None reads values back: what PyTorch sizes from values (a tensor of repeats) is refused.
 * Those PyTorch records as one autograd node are recorded as one node here too, under its name.
 * Tensor's methods of the same names call these.
 *
 * (This module and tensor.ts import each other: nothing here runs at load time.)
 */
import {
  Tensor, SCALAR_TYPE, ValuesIndices, abs, add, arange, cat, checkTensor, clone, compare, composite, twice, cos, deviceName, div, exp, extremeValues, full,
  gather, indexSelect, log, matmul, mul, narrow, normAxes, reshape, scatterAdd, sin, someNow, stack, sub, sum, sumToShape, tensor, where, zeros, type Operand,
  type TensorOptions,
} from './tensor.ts';
import { flip, sort } from './ops-sort.ts';
import { isnan, outer, norm } from './ops-more.ts';
import { logaddexp, meshgrid } from './ops-extra.ts';
import { noGrad } from './autograd/graph.ts';
import type { DType } from './runtime/protocol.ts';
import { getDefaultDtype, isFloat, parseDType, resultType } from './dtype.ts';
import { broadcastShapes, fmtShape, normDim } from './shape.ts';

const atLeast1d = (x: Tensor) => (x.ndim === 0 ? reshape(x, [1]) : x);
const dev = (x: Tensor) => deviceName(x.device);
/** 0, 1, …, n-1 along dim d of a rank-`rank` tensor (size 1 elsewhere), int64. */
const positions = (n: number, d: number, rank: number, x: Tensor) =>
  reshape(arange(n, { device: dev(x) }), Array.from({ length: rank }, (_, i) => (i === d ? n : 1)));
/** t moved s places later along d (t'[i] = t[i - s]); the first s places hold t's first s (to be masked off). */
function later(t: Tensor, d: number, s: number): Tensor {
  const n = t.shape[d];
  return cat([narrow(t, d, 0, s), narrow(t, d, 0, n - s)], d);
}
/** x as its floating dtype (integers and bool as float32), as PyTorch's float-only unary ops promote. */
const asFloat = (x: Tensor) => (isFloat(x.dtype) ? x : x.to({ dtype: getDefaultDtype() }));

// =============================================================== running extremes, logcumsumexp

/** The result of aminmax: PyTorch's torch.return_types.aminmax(min=…, max=…); destructures as an object or as [min, max]. */
export class MinMax {
  constructor(readonly min: Tensor, readonly max: Tensor) {}
  *[Symbol.iterator](): Iterator<Tensor> { yield this.min; yield this.max; }
  async format(): Promise<string> { return `torch.return_types.aminmax(\nmin=${await this.min.format()},\nmax=${await this.max.format()})`; }
}

/**
 * Running maxima (minima) along dim and where each was reached (CummaxBackward0 / CumminBackward0):
 * among equal values the LAST position, and a NaN, once seen, is the running value, at the latest NaN's
 * position — as PyTorch's kernels. A scan of log2(n) steps (each place compares itself with the one
 * 1, 2, 4, … places earlier), no read-back.
 */
function cumExtreme(fn: 'cummax' | 'cummin', x: Tensor, dim: number): ValuesIndices {
  checkTensor(fn, x);
  const d = normDim(dim, Math.max(1, x.ndim)), x1 = atLeast1d(x), n = x1.shape[d];
  let v = x1, idx!: Tensor;
  noGrad(() => {
    const pos = positions(n, d, x1.ndim, x1);
    idx = pos.expand([...x1.shape]).contiguous();
    for (let s = 1; s < n; s *= 2) {
      const sv = later(v, d, s), si = later(idx, d, s);
      let take = compare(fn === 'cummax' ? 'gt' : 'lt', sv, v);
      if (isFloat(x.dtype)) take = where(isnan(sv), compare('eq', v, v), take); // a NaN wins over a number, a later NaN over it
      take = where(compare('ge', pos, s), take, false);
      v = where(take, sv, v);
      idx = where(take, si, idx);
    }
    if (v === x1) v = clone(x1);
  });
  const shape = [...x.shape], at = idx;
  const values = twice(composite(fn === 'cummax' ? 'CummaxBackward0' : 'CumminBackward0', [x], () => reshape(v, shape),
    (g) => [reshape(scatterAdd(zeros([...x1.shape], { dtype: g.dtype, device: dev(g) }), d, at, reshape(g, [...x1.shape])), shape)]));
  return new ValuesIndices(fn, values, reshape(idx, shape));
}
export function cummax(x: Tensor, dim: number): ValuesIndices { return cumExtreme('cummax', x, dim); }
export function cummin(x: Tensor, dim: number): ValuesIndices { return cumExtreme('cummin', x, dim); }

/**
 * log(cumsum(exp(x))) along dim without overflow or underflow (LogcumsumexpBackward0): a scan of
 * logaddexp over log2(n) steps. The gradient is PyTorch's (positive and negative parts of the incoming
 * gradient each through a reversed logcumsumexp), so it differentiates again.
 */
export function logcumsumexp(x: Tensor, dim: number): Tensor {
  checkTensor('logcumsumexp', x);
  if (!isFloat(x.dtype)) throw new Error(`"logcumsumexp_out_cpu" not implemented for '${SCALAR_TYPE[x.dtype]}'`);
  const d = normDim(dim, Math.max(1, x.ndim)), x1 = atLeast1d(x), n = x1.shape[d], shape = [...x.shape];
  let out!: Tensor;
  return twice(composite('LogcumsumexpBackward0', [x], () => {
    const pos = positions(n, d, x1.ndim, x1);
    let v = x1;
    for (let s = 1; s < n; s *= 2) v = where(compare('ge', pos, s), logaddexp(v, later(v, d, s)), v);
    return (out = reshape(v === x1 ? clone(x1) : v, shape));
  }, (g) => {
    const rev = (t: Tensor) => flip(logcumsumexp(flip(t, d), d), d);
    const la = log(abs(g));
    // The dtype's lowest finite value stands for log 0, as PyTorch's: with −inf, a second derivative
    // meets −inf − (−inf) = NaN in this closure run again, and loses the gradient through out.
    const low = g.dtype === 'float32' ? -3.4028234663852886e38 : -Number.MAX_VALUE;
    const pos = exp(add(rev(sub(where(compare('gt', g, 0), la, low), out)), x));
    const neg = exp(add(rev(sub(where(compare('lt', g, 0), la, low), out)), x));
    return [sub(pos, neg)];
  }, x, out));
}

// =============================================================== NaN-ignoring reductions

export interface NanReduceOptions { dtype?: DType | string }
/**
 * The sum with NaNs counted as 0 (NansumBackward0: the gradient is 0 at the NaNs). Integers and bool
 * give int64, as sum's.
 */
export function nansum(x: Tensor, dim?: number | number[] | NanReduceOptions, keepdim = false, o: NanReduceOptions = {}): Tensor {
  checkTensor('nansum', x);
  if (dim !== null && typeof dim === 'object' && !Array.isArray(dim)) { o = dim; dim = undefined; }
  const want = o.dtype === undefined ? undefined : parseDType(o.dtype);
  const src = want && want !== x.dtype ? x.to({ dtype: want }) : x;
  if (!isFloat(src.dtype)) return sum(src, dim, keepdim);
  const axes = normAxes(src, dim), inShape = [...src.shape];
  return twice(composite('NansumBackward0', [src], () => sum(where(isnan(src), 0, src), dim === undefined ? undefined : axes, keepdim), (g) => {
    const gk = keepdim ? g : reshape(g, inShape.map((s, i) => (axes.includes(i) ? 1 : s)));
    return [where(isnan(src), 0, gk.expand(inShape))];
  }, src));
}
/** The mean of the elements that are not NaN (nansum / their count: DivBackward0); NaN if there are none. */
export function nanmean(x: Tensor, dim?: number | number[] | NanReduceOptions, keepdim = false, o: NanReduceOptions = {}): Tensor {
  checkTensor('nanmean', x);
  if (dim !== null && typeof dim === 'object' && !Array.isArray(dim)) { o = dim; dim = undefined; }
  const src = o.dtype === undefined ? x : x.to({ dtype: parseDType(o.dtype) });
  if (!isFloat(src.dtype)) throw new Error(`nanmean(): expected input to have floating point dtype but got ${SCALAR_TYPE[src.dtype]}`);
  const count = noGrad(() => sum(compare('eq', src, src), dim as number | number[] | undefined, keepdim));
  return div(nansum(src, dim as number | number[] | undefined, keepdim), count);
}

// =============================================================== quantile

export type QuantileInterpolation = 'linear' | 'lower' | 'higher' | 'midpoint' | 'nearest';
export interface QuantileOptions { dim?: number | null; keepdim?: boolean; interpolation?: QuantileInterpolation }

function quantileOf(fn: 'quantile' | 'nanquantile', x: Tensor, q: number | number[] | Tensor, o: QuantileOptions): Tensor {
  checkTensor(fn, x);
  const interpolation = o.interpolation ?? 'linear', keepdim = o.keepdim ?? false;
  if (!['linear', 'lower', 'higher', 'midpoint', 'nearest'].includes(interpolation)) {
    throw new Error(`${fn}() interpolation must be one of linear, lower, higher, midpoint or nearest, but got ${String(interpolation)}`);
  }
  if (x.dtype !== 'float32' && x.dtype !== 'float64') throw new Error(`${fn}() input tensor must be either float or double dtype`);
  let qt: Tensor;
  if (q instanceof Tensor) {
    if (q.ndim > 1) throw new Error(`${fn}() q must be a scalar or 1D tensor`);
    if (q.dtype !== x.dtype) throw new Error(`${fn}() q tensor must be same dtype as the input tensor`);
    if (q.device !== x.device) throw new Error(`${fn}() q tensor must be on the same device as the input tensor`);
    qt = q;
  } else if (Array.isArray(q)) {
    qt = tensor(q, { dtype: x.dtype, device: dev(x) });
  } else {
    if (!(q >= 0 && q <= 1)) throw new Error(`${fn}() q must be in the range [0, 1] but got ${q}`);
    qt = full([], q, { dtype: x.dtype, device: dev(x) });
  }
  if (x.numel() === 0) throw new Error(`${fn}() input tensor must be non-empty`);
  // (a tensor's q values are checked as PyTorch does where they are at hand, a final CPU tensor; else a
  // value outside [0, 1] gives NaN; PyTorch names its own op in the message even for nanquantile)
  if (someNow(qt, (v) => !(v >= 0 && v <= 1))) throw new Error('quantile() q values must be in the range [0, 1]');
  const dim = o.dim ?? null;
  // x as [..., n]: the reduced dim last (all of x flattened without dim).
  let lines: Tensor, outShape: number[];
  if (dim === null) {
    lines = reshape(x, [-1]);
    outShape = keepdim ? x.shape.map(() => 1) : [];
  } else {
    const d = normDim(dim, Math.max(1, x.ndim)), x1 = atLeast1d(x);
    lines = x1.ndim === 1 ? x1 : x1.movedim(d, -1);
    outShape = x.ndim === 0 ? [] : keepdim ? x.shape.map((s, i) => (i === d ? 1 : s)) : x.shape.filter((_, i) => i !== d);
  }
  const n = lines.shape[lines.ndim - 1];
  const sorted = sort(lines, -1).values;
  const qn = qt.numel(), qv = reshape(qt, [...lines.shape.slice(0, -1).map(() => 1), qn]);
  let below!: Tensor, above!: Tensor, weight!: Tensor;
  noGrad(() => {
    const qr = where(compare('ge', qv, 0), where(compare('le', qv, 1), qv, NaN), NaN);
    let ranks: Tensor;
    if (fn === 'nanquantile') {
      ranks = mul(qr, sub(sum(compare('eq', sorted, sorted), -1, true), 1).to({ dtype: x.dtype }));
      ranks = where(compare('lt', ranks, 0), 0, ranks);
    } else {
      ranks = where(sum(compare('ne', sorted, sorted), -1, true).to({ dtype: 'bool' }), n - 1, mul(qr, n - 1));
    }
    if (interpolation === 'lower') ranks = ranks.floor();
    else if (interpolation === 'higher') ranks = ranks.ceil();
    else if (interpolation === 'nearest') ranks = ranks.round();
    const rb = ranks.floor();
    // (a NaN rank, from q outside [0, 1], reads position 0 and gives NaN through the weight)
    below = where(isnan(rb), 0, rb).to({ dtype: 'int64' });
    above = where(isnan(ranks), 0, ranks.ceil()).to({ dtype: 'int64' });
    weight = interpolation === 'midpoint' ? where(isnan(ranks), NaN, full([], 0.5, { dtype: x.dtype, device: dev(x) })) : sub(ranks, rb);
    const shape = [...sorted.shape.slice(0, -1), qn];
    below = below.expand(shape).contiguous(); above = above.expand(shape).contiguous(); weight = weight.expand(shape);
  });
  const vb = gather(sorted, -1, below);
  let r = vb;
  if (interpolation === 'linear' || interpolation === 'midpoint') {
    const va = gather(sorted, -1, above);
    // PyTorch's lerp: below + w·(above − below) for w < 0.5, above − (above − below)·(1 − w) otherwise
    const diffv = sub(va, vb);
    r = where(compare('lt', weight, 0.5), add(vb, mul(weight, diffv)), sub(va, mul(diffv, sub(1, weight))));
    if (interpolation !== 'midpoint') r = where(isnan(weight), NaN, r);
  } else {
    r = where(isnan(weight), NaN, r);
  }
  // [..., Q] → [Q, ...out] (q a 1-D tensor) or [...out]
  const moved = r.ndim === 1 ? r : r.movedim(-1, 0);
  const qShape = qt.ndim === 1 || Array.isArray(q) ? [qn] : [];
  return reshape(moved, [...qShape, ...outShape]);
}
/**
 * The q-th quantiles (q a number, an array or a 1-D tensor in [0, 1]) of all of x or along dim, from
 * its sorted values, interpolated as PyTorch's ('linear' by default, 'lower', 'higher', 'midpoint',
 * 'nearest'); a tensor q's dim comes first in the result. A line with a NaN gives NaN (quantile) or
 * has its NaNs left out (nanquantile). The gradient flows through the sort to the chosen elements.
 * A tensor q outside [0, 1] gives NaN where PyTorch (which reads q) raises.
 */
export function quantile(x: Tensor, q: number | number[] | Tensor, o: QuantileOptions | number = {}): Tensor {
  return quantileOf('quantile', x, q, typeof o === 'number' ? { dim: o } : o);
}
export function nanquantile(x: Tensor, q: number | number[] | Tensor, o: QuantileOptions | number = {}): Tensor {
  return quantileOf('nanquantile', x, q, typeof o === 'number' ? { dim: o } : o);
}

// =============================================================== mode, aminmax

/**
 * The most frequent value along dim (of equally frequent ones the smallest) and the last position where
 * it occurs (torch.mode; ModeBackward0), as PyTorch's CPU. Counts by comparing every pair of a line:
 * n² work and memory per line.
 */
export function mode(x: Tensor, dim = -1, keepdim = false): ValuesIndices {
  checkTensor('mode', x);
  const d = normDim(dim, Math.max(1, x.ndim)), x1 = atLeast1d(x), n = x1.shape[d];
  if (n === 0) throw new Error(`mode(): Expected reduction dim ${d} to have non-zero size.`);
  const lines = x1.movedim(d, -1); // [..., n]
  let value!: Tensor, at!: Tensor;
  noGrad(() => {
    const s = sort(lines, -1).values;
    const counts = sum(compare('eq', s.unsqueeze(-1), s.unsqueeze(-2)), -1); // [..., n]
    const first = counts.argmax(-1, true); // the smallest value of the highest count (first in sorted order)
    value = gather(s, -1, first);
    const pos = arange(n, { device: dev(x) });
    at = extremeValues('max', where(compare('eq', lines, value), pos, -1), [lines.ndim - 1], true);
  });
  const back = (t: Tensor) => t.movedim(-1, d); // [..., 1] → x1's shape with 1 at d
  const squeeze = (t: Tensor) => (x.ndim === 0 ? reshape(t, []) : keepdim ? t : t.squeeze(d));
  const indices = squeeze(back(at));
  const idx1 = back(at);
  const values = twice(composite('ModeBackward0', [x], () => squeeze(back(value)), (g) => {
    const g1 = x.ndim === 0 ? reshape(g, [1]) : keepdim ? g : g.unsqueeze(d);
    return [reshape(scatterAdd(zeros([...x1.shape], { dtype: g.dtype, device: dev(g) }), d, idx1, g1), [...x.shape])];
  }));
  return new ValuesIndices('mode', values, indices);
}

/**
 * The smallest and largest elements, of all of x or along dim (torch.aminmax: { min, max }). PyTorch 1.13
 * has no derivative for aminmax; here each is amin's and amax's (AminBackward0, AmaxBackward0).
 */
export function aminmax(x: Tensor, o: { dim?: number | null; keepdim?: boolean } = {}): MinMax {
  checkTensor('aminmax', x);
  const keepdim = o.keepdim ?? false;
  if (o.dim === undefined || o.dim === null) {
    if (x.numel() === 0) throw new Error('aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.');
    const shape = keepdim ? x.shape.map(() => 1) : [];
    return new MinMax(reshape(x.amin(), shape), reshape(x.amax(), shape));
  }
  const d = normDim(o.dim, Math.max(1, x.ndim));
  if (x.ndim > 0 && x.shape[d] === 0) throw new Error(`aminmax: Expected reduction dim ${d} to have non-zero size.`);
  if (x.ndim === 0) return new MinMax(x.amin(), x.amax());
  return new MinMax(x.amin(d, keepdim), x.amax(d, keepdim));
}

// =============================================================== arrangements

/**
 * Each element repeated `repeats` times (a number, or a JS array of one count per element along dim),
 * along dim, or of x flattened without dim (IndexSelectBackward0). A tensor of repeats would size the
 * result from its values: read it back (await r.tolist()) and pass the array.
 */
export function repeatInterleave(x: Tensor, repeats: number | number[] | Tensor, dim?: number | null): Tensor {
  checkTensor('repeat_interleave', x);
  if (repeats instanceof Tensor) {
    throw new Error('repeatInterleave(): a tensor of repeats sizes the result from its values, which troupe does not read back implicitly; pass a number or an array (await repeats.tolist())');
  }
  const src = dim === undefined || dim === null ? reshape(x, [-1]) : x;
  const d = dim === undefined || dim === null ? 0 : normDim(dim, Math.max(1, x.ndim));
  const s1 = atLeast1d(src), n = s1.shape[d];
  const reps = typeof repeats === 'number' ? new Array<number>(n).fill(repeats) : repeats;
  if (reps.some((r) => !Number.isInteger(r) || r < 0)) throw new Error('repeat_interleave: repeats can not be negative');
  if (reps.length !== n) throw new Error('repeats must have the same size as input along dim');
  const at: number[] = [];
  reps.forEach((r, i) => { for (let k = 0; k < r; k++) at.push(i); });
  return indexSelect(s1, d, tensor(Int32Array.from(at), { dtype: 'int64', device: dev(x) }));
}

/** x rotated by 90° k times in the plane of dims (from dims[0] toward dims[1]), a copy, as PyTorch's. */
export function rot90(x: Tensor, k = 1, dims: [number, number] | number[] = [0, 1]): Tensor {
  checkTensor('rot90', x);
  if (dims.length !== 2) throw new Error(`expected total rotation dims == 2, but got dims = ${dims.length}`);
  if (x.ndim < 2) throw new Error(`expected total dims >= 2, but got total dims = ${x.ndim}`);
  const d0 = normDim(dims[0], x.ndim), d1 = normDim(dims[1], x.ndim);
  if (d0 === d1) throw new Error(`expected rotation dims to be different, but got dim0 = ${dims[0]} and dim1 = ${dims[1]}`);
  const turns = ((k % 4) + 4) % 4;
  return twice(composite('Rot90Backward0', [x], () => {
    switch (turns) {
      case 1: return flip(x, d1).transpose(d0, d1).contiguous();
      case 2: return flip(x, [d0, d1]);
      case 3: return flip(x, d0).transpose(d0, d1).contiguous();
      default: return clone(x);
    }
  }, (g) => [rot90(g, -turns, [d0, d1])]));
}

function triIndices(lower: boolean, row: number, col: number, offset: number, o: TensorOptions): Tensor {
  const fn = lower ? 'tril_indices' : 'triu_indices';
  for (const v of [row, col, offset]) if (!Number.isInteger(v)) throw new Error(`${fn}(): row, col and offset must be integers`);
  if (row < 0) throw new Error(`row must be non-negative, got${row}`);
  if (col < 0) throw new Error(`col must be non-negative, got${col}`);
  const rs: number[] = [], cs: number[] = [];
  for (let i = 0; i < row; i++) for (let j = 0; j < col; j++) if (lower ? j - i <= offset : j - i >= offset) { rs.push(i); cs.push(j); }
  const dtype = o.dtype === undefined ? 'int64' : parseDType(o.dtype);
  return reshape(tensor([...rs, ...cs], { dtype, device: o.device ?? 'cpu' }), [2, rs.length]);
}
/** The [2, N] row and column indices of the lower triangle (j − i ≤ offset) of a row × col matrix, row by row (int64). */
export function trilIndices(row: number, col: number, offset = 0, o: TensorOptions = {}): Tensor { return triIndices(true, row, col, offset, o); }
/** The [2, N] indices of the upper triangle (j − i ≥ offset). */
export function triuIndices(row: number, col: number, offset = 0, o: TensorOptions = {}): Tensor { return triIndices(false, row, col, offset, o); }

/**
 * Views of x along dim: `sections` parts (the first len % sections one longer), or cut at the given
 * indices (clamped to the size), as PyTorch's tensor_split.
 */
export function tensorSplit(x: Tensor, indicesOrSections: number | number[], dim = 0): Tensor[] {
  checkTensor('tensor_split', x);
  if (x.ndim === 0) throw new Error(`tensor_split expected at least a 1-dimensional tensor, but got a tensor with ${x.ndim} dims`);
  const d = normDim(dim, x.ndim), len = x.shape[d];
  if (typeof indicesOrSections === 'number') {
    const n = indicesOrSections;
    if (!Number.isInteger(n) || n <= 0) throw new Error(`number of sections must be larger than 0, got ${n}`);
    const base = Math.floor(len / n), extra = len % n;
    let at = 0;
    return Array.from({ length: n }, (_, i) => { const sz = base + (i < extra ? 1 : 0); const r = narrow(x, d, at, sz); at += sz; return r; });
  }
  const out: Tensor[] = [];
  let start = 0;
  for (const idx of [...indicesOrSections, len]) {
    const i = idx < 0 ? Math.max(0, len + idx) : Math.min(idx, len);
    const e = Math.max(start, i);
    out.push(narrow(x, d, start, e - start));
    start = i;
  }
  return out;
}
function splitAt(fn: 'hsplit' | 'vsplit' | 'dsplit', x: Tensor, sections: number | number[], d: number): Tensor[] {
  if (typeof sections === 'number') {
    if (sections === 0 || x.shape[d] % sections !== 0) {
      throw new Error(`torch.${fn} attempted to split along dimension ${d}, but the size of the dimension ${x.shape[d]} is not divisible by the split_size ${sections}!`);
    }
  }
  return tensorSplit(x, sections, d);
}
/** tensorSplit along dim 1 (dim 0 of a vector); a number of sections must divide the size. */
export function hsplit(x: Tensor, sections: number | number[]): Tensor[] {
  checkTensor('hsplit', x);
  if (x.ndim < 1) throw new Error(`torch.hsplit requires a tensor with at least 1 dimension, but got a tensor with ${x.ndim} dimensions!`);
  return splitAt('hsplit', x, sections, x.ndim === 1 ? 0 : 1);
}
/** tensorSplit along dim 0 (at least 2-D). */
export function vsplit(x: Tensor, sections: number | number[]): Tensor[] {
  checkTensor('vsplit', x);
  if (x.ndim < 2) throw new Error(`torch.vsplit requires a tensor with at least 2 dimension, but got a tensor with ${x.ndim} dimensions!`);
  return splitAt('vsplit', x, sections, 0);
}
/** tensorSplit along dim 2 (at least 3-D). */
export function dsplit(x: Tensor, sections: number | number[]): Tensor[] {
  checkTensor('dsplit', x);
  if (x.ndim < 3) throw new Error(`torch.dsplit requires a tensor with at least 3 dimension, but got a tensor with ${x.ndim} dimensions!`);
  return splitAt('dsplit', x, sections, 2);
}
/** Joined along dim 2, each made at least 3-D first ([n] → [1, n, 1], [m, n] → [m, n, 1]). */
export function dstack(tensors: readonly Tensor[]): Tensor {
  return cat(tensors.map((t) => (!(t instanceof Tensor) ? t : t.ndim === 0 ? reshape(t, [1, 1, 1]) : t.ndim === 1 ? reshape(t, [1, t.numel(), 1]) : t.ndim === 2 ? t.unsqueeze(2) : t)), 2);
}
/** Joined along dim 1, vectors (and 0-d tensors) as columns. */
export function columnStack(tensors: readonly Tensor[]): Tensor {
  return cat(tensors.map((t) => (t instanceof Tensor && t.ndim <= 1 ? reshape(t, [t.numel(), 1]) : t)), 1);
}
/** vstack's other name. */
export function rowStack(tensors: readonly Tensor[]): Tensor {
  return cat(tensors.map((t) => (t instanceof Tensor && t.ndim < 2 ? reshape(t, [1, -1]) : t)), 0);
}

// =============================================================== selection

/** x as flattened, at `index` (any shape; negative counts from the end): the result has index's shape (TakeBackward0). */
export function take(x: Tensor, index: Tensor): Tensor {
  checkTensor('take', x); checkTensor('take', index, 'index');
  if (index.dtype !== 'int64') throw new Error(`take(): Expected a long tensor for index, but got ${SCALAR_TYPE[index.dtype]}`);
  const n = x.numel(), inShape = [...x.shape], iShape = [...index.shape];
  const at = noGrad(() => reshape(where(compare('lt', index, 0), add(index, n), index), [-1]));
  return twice(composite('TakeBackward0', [x], () => reshape(indexSelect(reshape(x, [-1]), 0, at), iShape),
    (g) => [reshape(scatterAdd(zeros([n], { dtype: g.dtype, device: dev(g) }), 0, at, reshape(g, [-1])), inShape)]));
}
/**
 * gather along dim with x and indices broadcast against each other in the other dims; without dim, of
 * both flattened (torch.take_along_dim; GatherBackward0).
 */
export function takeAlongDim(x: Tensor, indices: Tensor, dim?: number | null): Tensor {
  checkTensor('take_along_dim', x); checkTensor('take_along_dim', indices, 'indices');
  if (indices.dtype !== 'int64') throw new Error(`torch.take_along_dim(): dtype of indices should be Long but got ${SCALAR_TYPE[indices.dtype]}`);
  if (dim === undefined || dim === null) return reshape(x, [-1]).gather(0, reshape(indices, [-1]));
  if (x.ndim !== indices.ndim) throw new Error(`torch.take_along_dim(): input and indices should have the same number of dimensions, but got ${x.ndim} dimensions for input, and ${indices.ndim} dimensions for indices`);
  const d = normDim(dim, Math.max(1, x.ndim));
  const xs = [...x.shape], is = [...indices.shape];
  xs[d] = 1; is[d] = 1;
  const b = broadcastShapes(xs, is);
  const xb = b.map((s, i) => (i === d ? x.shape[d] : s)), ib = b.map((s, i) => (i === d ? indices.shape[d] : s));
  return x.expand(xb).gather(d, indices.expand(ib));
}

/** Whether each element of `elements` is among testElements (bool, elements' shape; invert for not among). */
export function isin(elements: Tensor | number, testElements: Tensor | number, o: { invert?: boolean; assumeUnique?: boolean } = {}): Tensor {
  if (!(elements instanceof Tensor) && !(testElements instanceof Tensor)) throw new Error('isin(): expected elements or test_elements to be a Tensor');
  const e = elements instanceof Tensor ? elements : full([], elements, { device: dev(testElements as Tensor) });
  const t = testElements instanceof Tensor ? reshape(testElements, [-1]) : full([1], testElements, { device: dev(e) });
  const hit = sum(compare('eq', e.unsqueeze(-1), t), -1);
  return compare(o.invert ? 'eq' : 'gt', hit, 0);
}

export interface SearchOptions { right?: boolean; side?: 'left' | 'right'; outInt32?: boolean }
/**
 * For each value, the number of entries of the sorted sequence below it (left) or at most it (right): its
 * insertion point (torch.searchsorted; int64, int32 with outInt32). sortedSequence is 1-D, or has values'
 * leading dims. Counted by comparing every pair: n·m work, no read-back.
 */
export function searchsorted(sortedSequence: Tensor, values: Tensor | number, o: SearchOptions = {}): Tensor {
  checkTensor('searchsorted', sortedSequence, 'sorted_sequence');
  if (o.side !== undefined && o.side !== 'left' && o.side !== 'right') throw new Error(`torch.searchsorted(): side can only be 'left' or 'right' but got ${String(o.side)}`);
  if (o.side !== undefined && o.right !== undefined && (o.side === 'right') !== o.right) {
    throw new Error("torch.searchsorted(): side and right can't be set to opposites, got side of left while right was True");
  }
  const right = o.right ?? o.side === 'right';
  const v = values instanceof Tensor ? values : full([], values, { device: dev(sortedSequence) });
  if (sortedSequence.ndim === 0) throw new Error('torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension');
  if (sortedSequence.ndim > 1) {
    if (v.ndim !== sortedSequence.ndim || v.shape.slice(0, -1).some((s, i) => s !== sortedSequence.shape[i])) {
      throw new Error(`torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match, but we got boundaries tensor ${fmtShape(sortedSequence.shape)} and input value tensor ${fmtShape(v.shape)}`);
    }
  }
  const seq = sortedSequence.ndim === 1 ? sortedSequence : sortedSequence.unsqueeze(-2); // [..., 1, m]
  const r = sum(compare(right ? 'le' : 'lt', seq, v.unsqueeze(-1)), -1);
  return o.outInt32 ? r.to({ dtype: 'int32' }) : r;
}
/** The bucket of each element among sorted 1-D boundaries (searchsorted with the arguments swapped). */
export function bucketize(input: Tensor | number, boundaries: Tensor, o: { right?: boolean; outInt32?: boolean } = {}): Tensor {
  checkTensor('bucketize', boundaries, 'boundaries');
  if (boundaries.ndim !== 1) throw new Error(`boundaries tensor must be 1 dimension, but got dim(${boundaries.ndim})`);
  return searchsorted(boundaries, input, { right: o.right ?? false, outInt32: o.outInt32 });
}

// =============================================================== elementwise

/** x = +inf (bool; false for integers). */
export function isposinf(x: Tensor): Tensor { checkTensor('isposinf', x); return compare('eq', x, Infinity); }
/** x = −inf. */
export function isneginf(x: Tensor): Tensor { checkTensor('isneginf', x); return compare('eq', x, -Infinity); }
/** Whether the sign bit is set: x < 0, and −0 (1/x = −inf). A NaN's sign bit is not seen (false). */
export function signbit(x: Tensor): Tensor {
  checkTensor('signbit', x);
  if (x.dtype === 'bool') return compare('ne', x, x);
  if (!isFloat(x.dtype)) return compare('lt', x, 0);
  return where(compare('eq', x, 0), compare('lt', div(1, x), 0), compare('lt', x, 0));
}
/**
 * |a| with b's sign (its sign bit: −0 counts as negative), as floats (CopysignBackward0 for a tensor
 * b, CopysignBackward1 for a number). The gradient for a is g·sign where a ≠ 0 and 0 at a = 0; b's is 0.
 */
export function copysign(a: Tensor, b: Operand): Tensor {
  checkTensor('copysign', a);
  const bt = b instanceof Tensor;
  let dt = resultType([{ dtype: a.dtype, dim: a.ndim }, bt ? { dtype: b.dtype, dim: b.ndim } : (b as number)]);
  if (!isFloat(dt)) dt = getDefaultDtype();
  const p = a.dtype === dt ? a : a.to({ dtype: dt });
  let out!: Tensor;
  const neg = bt ? signbit(b) : (Object.is(b, -0) || Number(b) < 0);
  return twice(composite(bt ? 'CopysignBackward0' : 'CopysignBackward1', bt ? [p, b] : [p], () => {
    const m = abs(p);
    return (out = typeof neg === 'boolean' ? (neg ? mul(m, -1) : m) : where(neg, mul(m, -1), m));
  }, (g) => {
    const ga = p.requiresGrad ? sumToShape(mul(g, where(compare('eq', p, 0), 0, div(out, p))), [...p.shape]) : null;
    return bt ? [ga, (b as Tensor).requiresGrad ? zeros([...(b as Tensor).shape], { dtype: (b as Tensor).dtype, device: dev(b as Tensor) }) : null] : [ga];
  }, p, out));
}
/** 0 for x < 0, values where x = 0, 1 for x > 0 (both of one dtype, as PyTorch requires; no gradient). */
export function heaviside(x: Tensor, values: Tensor): Tensor {
  checkTensor('heaviside', x); checkTensor('heaviside', values, 'values');
  if (x.dtype !== values.dtype) throw new Error('heaviside is not yet implemented for tensors with different dtypes.');
  const dt = x.dtype;
  return noGrad(() => where(compare('eq', x, 0), values, where(compare('gt', x, 0), full([], 1, { dtype: dt, device: dev(x) }), full([], 0, { dtype: dt, device: dev(x) }))));
}
/** sin(πx) / (πx), 1 at 0 (integers as float32; SincBackward0). */
export function sinc(x: Tensor): Tensor {
  checkTensor('sinc', x);
  const p = asFloat(x);
  return twice(composite('SincBackward0', [p], () => {
    const px = mul(p, Math.PI);
    return where(compare('eq', p, 0), 1, div(sin(px), px));
  }, (g) => {
    const px = mul(p, Math.PI);
    const dv = div(sub(mul(px, cos(px)), sin(px)), mul(px, p));
    return [mul(g, where(compare('eq', p, 0), 0, dv))];
  }, p));
}
/**
 * log(x / (1 − x)), x first clamped to [eps, 1 − eps] when eps is given (LogitBackward0: g / (x(1 − x)),
 * NaN outside [0, 1] without eps, 0 outside [eps, 1 − eps] with it).
 */
export function logit(x: Tensor, eps?: number | null): Tensor {
  checkTensor('logit', x);
  const p = asFloat(x);
  const e = eps ?? null;
  return twice(composite('LogitBackward0', [p], () => {
    const z = e === null ? p : where(compare('lt', p, e), e, where(compare('gt', p, 1 - e), 1 - e, p));
    return log(div(z, sub(1, z)));
  }, (g) => {
    const d = div(g, mul(p, sub(1, p)));
    if (e === null) return [where(where(compare('lt', p, 0), true, compare('gt', p, 1)), NaN, d)];
    return [where(where(compare('lt', p, e), true, compare('gt', p, 1 - e)), 0, d)];
  }, p));
}
/**
 * x·log(y), 0 where x = 0 unless y is NaN (XlogyBackward0: g·log(y), g·x / y).
 * Integers promote to float32.
 */
export function xlogy(x: Tensor | number, y: Tensor | number): Tensor {
  return xTimesLogOf('xlogy', 'Xlogy', log, (q) => q, x, y);
}
/**
 * x·f(y), 0 where x = 0 unless y is NaN, with f = log (xlogy) or log1p (special.xlog1py): the gradients
 * g·f(y) for x (at x = 0 too, as PyTorch's) and g·x / den(y) for y; integers promote to float32; grad_fn
 * `${grad}Backward0` for two tensors, 2 for a number y, 1 for a number x (PyTorch's numbering).
 */
export function xTimesLogOf(name: string, grad: string, f: (t: Tensor) => Tensor, den: (y: Tensor) => Tensor, x: Tensor | number, y: Tensor | number): Tensor {
  if (!(x instanceof Tensor) && !(y instanceof Tensor)) throw new Error(`${name}(): expected a Tensor`);
  const d0 = x instanceof Tensor ? { dtype: x.dtype, dim: x.ndim } : x;
  const d1 = y instanceof Tensor ? { dtype: y.dtype, dim: y.ndim } : y;
  let dt = resultType([d0, d1]);
  if (!isFloat(dt)) dt = getDefaultDtype();
  const ref = (x instanceof Tensor ? x : y) as Tensor;
  const p = x instanceof Tensor ? (x.dtype === dt ? x : x.to({ dtype: dt })) : full([], x, { dtype: dt, device: dev(ref) });
  const q = y instanceof Tensor ? (y.dtype === dt ? y : y.to({ dtype: dt })) : full([], y, { dtype: dt, device: dev(ref) });
  const raw = (a: Tensor, b: Tensor) => where(isnan(b), NaN, where(compare('eq', a, 0), 0, mul(a, f(b))));
  const both = x instanceof Tensor && y instanceof Tensor;
  const inputs = both ? [p, q] : x instanceof Tensor ? [p] : [q];
  return twice(composite(`${grad}Backward${both ? 0 : x instanceof Tensor ? 2 : 1}`, inputs, () => raw(p, q), (g) => {
    const gx = p.requiresGrad ? sumToShape(mul(g, f(q)), [...p.shape]) : null;
    const gy = q.requiresGrad ? sumToShape(div(mul(g, p), den(q)), [...q.shape]) : null;
    return both ? [gx, gy] : x instanceof Tensor ? [gx] : [gy];
  }, p, q));
}

// =============================================================== matrices and vectors

/**
 * The cross product of 3-vectors along dim (the first dim of size 3 when dim is left out, as PyTorch
 * 1.13's torch.cross; LinalgCrossBackward0), broadcasting the other dims.
 */
export function cross(a: Tensor, b: Tensor, dim?: number | null): Tensor {
  checkTensor('cross', a); checkTensor('cross', b, 'other');
  if (a.ndim !== b.ndim) throw new Error(`linalg.cross: inputs must have the same number of dimensions.`);
  const shape = broadcastShapes(a.shape, b.shape);
  let d: number;
  if (dim === undefined || dim === null) {
    d = shape.findIndex((s) => s === 3);
    if (d < 0) throw new Error('no dimension of size 3 in input');
  } else {
    d = normDim(dim, shape.length);
  }
  if (a.shape[d] !== 3 || b.shape[d] !== 3) throw new Error(`linalg.cross: inputs dimension ${d} must have length 3. Got ${a.shape[d]} and ${b.shape[d]}`);
  return twice(composite('LinalgCrossBackward0', [a, b], () => crossRaw(a.expand(shape), b.expand(shape), d), (g) => [
    a.requiresGrad ? sumToShape(cross(b.expand(shape), g, d), [...a.shape]) : null,
    b.requiresGrad ? sumToShape(cross(g, a.expand(shape), d), [...b.shape]) : null,
  ], a, b));
}
function crossRaw(pa: Tensor, pb: Tensor, d: number): Tensor {
  const c = (t: Tensor, i: number) => narrow(t, d, i, 1);
  const at = (i: number, j: number) => sub(mul(c(pa, i), c(pb, j)), mul(c(pa, j), c(pb, i)));
  return cat([at(1, 2), at(2, 0), at(0, 1)], d);
}

/** The Kronecker product: out[i·p + k, j·q + l] = a[i, j]·b[k, l], for any ranks (the smaller padded with leading 1s). */
export function kron(a: Tensor, b: Tensor): Tensor {
  checkTensor('kron', a); checkTensor('kron', b, 'other');
  const r = Math.max(a.ndim, b.ndim);
  const as = [...new Array<number>(r - a.ndim).fill(1), ...a.shape], bs = [...new Array<number>(r - b.ndim).fill(1), ...b.shape];
  const av = reshape(a, as.flatMap((s) => [s, 1])), bv = reshape(b, bs.flatMap((s) => [1, s]));
  return reshape(mul(av, bv), as.map((s, i) => s * bs[i]));
}

/** Every combination of the 1-D tensors' elements, as rows ([N1·N2·…, k]; a single tensor comes back as is). */
export function cartesianProd(...args: Array<Tensor | Tensor[]>): Tensor {
  const ts = (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) as Tensor[];
  ts.forEach((t, i) => { checkTensor('cartesian_prod', t, `tensors[${i}]`); if (t.ndim !== 1) throw new Error(`Expect a 1D vector, but got shape ${fmtShape(t.shape)}`); });
  if (ts.length === 1) return ts[0];
  return stack(meshgrid(ts, { indexing: 'ij' }).map((g) => reshape(g, [-1])), 1);
}

/** The tensors (0-, 1- or 2-D) as blocks down the diagonal of one matrix, zeros elsewhere (their dtypes promoted). */
export function blockDiag(...tensors: Tensor[]): Tensor {
  tensors.forEach((t, i) => {
    checkTensor('block_diag', t, `tensors[${i}]`);
    if (t.ndim > 2) throw new Error(`torch.block_diag: Input tensors must have 2 or fewer dimensions. Input ${i} has ${t.ndim} dimensions`);
  });
  const ms = tensors.map((t) => (t.ndim === 2 ? t : reshape(t, [1, -1])));
  if (ms.length === 0) return zeros([1, 0]);
  const cols = ms.reduce((s, m) => s + m.shape[1], 0);
  const dtype = ms.reduce<DType>((dt, m) => resultType([{ dtype: dt, dim: 1 }, { dtype: m.dtype, dim: 1 }]), ms[0].dtype);
  let at = 0;
  const rows = ms.map((m) => {
    const parts: Tensor[] = [];
    const mm = m.dtype === dtype ? m : m.to({ dtype });
    if (at > 0) parts.push(zeros([m.shape[0], at], { dtype, device: dev(m) }));
    parts.push(mm);
    if (cols - at - m.shape[1] > 0) parts.push(zeros([m.shape[0], cols - at - m.shape[1]], { dtype, device: dev(m) }));
    at += m.shape[1];
    return parts.length === 1 ? parts[0] : cat(parts, 1);
  });
  return rows.length === 1 ? clone(rows[0]) : cat(rows, 0);
}

export interface CovOptions { correction?: number; fweights?: Tensor | null; aweights?: Tensor | null }
/**
 * The covariance matrix of the variables in x's rows (observations in columns; a vector is one
 * variable): Σ w (x − mean)(x − mean)ᵀ / (Σw − correction) with optional integer frequency and
 * float observation weights, as PyTorch's (correction 1 by default; the aweights form of the normaliser).
 */
export function cov(x: Tensor, o: CovOptions = {}): Tensor {
  checkTensor('cov', x);
  if (x.ndim > 2) throw new Error(`cov(): expected input to have two or fewer dimensions but got an input with ${x.ndim} dimensions`);
  const correction = o.correction ?? 1;
  const m = x.ndim < 2 ? reshape(x, [1, -1]) : x;
  const xf = isFloat(m.dtype) ? m : m.to({ dtype: getDefaultDtype() });
  const n = m.shape[1];
  let w: Tensor | null = null;
  if (o.fweights) {
    const f = o.fweights;
    if (f.ndim > 1) throw new Error(`cov(): expected fweights to have one or fewer dimensions but got fweights with ${f.ndim} dimensions`);
    if (isFloat(f.dtype)) throw new Error(`cov(): expected fweights to have integral dtype but got fweights with ${SCALAR_TYPE[f.dtype]} dtype`);
    if (f.numel() !== n) throw new Error(`cov(): expected fweights to have the same numel as there are observations in the input but got ${f.numel()} != ${n}`);
    w = f;
  }
  if (o.aweights) {
    const a = o.aweights;
    if (a.ndim > 1) throw new Error(`cov(): expected aweights to have one or fewer dimensions but got aweights with ${a.ndim} dimensions`);
    if (!isFloat(a.dtype)) throw new Error(`cov(): expected aweights to have floating point dtype but got aweights with ${SCALAR_TYPE[a.dtype]} dtype`);
    if (a.numel() !== n) throw new Error(`cov(): expected aweights to have the same numel as there are observations in the input but got ${a.numel()} != ${n}`);
    w = w ? mul(w, a) : a;
  }
  const wf = w ? (w.dtype === xf.dtype ? w : w.to({ dtype: xf.dtype })) : null;
  const wsum = wf ? sum(wf) : full([], n, { dtype: xf.dtype, device: dev(x) });
  const avg = wf ? div(sum(mul(xf, wf), 1, true), wsum) : div(sum(xf, 1, true), n);
  let normf: Tensor;
  if (correction === 0) normf = wsum;
  else if (!wf || !o.aweights) normf = sub(wsum, correction);
  else normf = sub(wsum, div(mul(sum(mul(wf, o.aweights.to({ dtype: xf.dtype }))), correction), wsum));
  normf = where(compare('le', normf, 0), 0, normf);
  const xc = sub(xf, avg);
  const xw = wf ? mul(xc, wf) : xc;
  return div(matmul(xw, xc.t()), normf).squeeze(); // (PyTorch's squeeze: one variable gives a 0-d tensor)
}
/** Pearson's correlation coefficients of the variables in x's rows (cov normalised by the standard deviations, clipped to [-1, 1]). */
export function corrcoef(x: Tensor): Tensor {
  checkTensor('corrcoef', x);
  if (x.ndim > 2) throw new Error(`corrcoef(): expected input to have two or fewer dimensions but got an input with ${x.ndim} dimensions`);
  const c = cov(x);
  if (c.ndim === 0) return div(c, c);
  const d = c.diagonal();
  const sd = d.sqrt();
  const r = div(div(c, sd.unsqueeze(1)), sd.unsqueeze(0));
  return r.clamp(-1, 1);
}

/**
 * The trapezoid rule along dim: Σ (y[i] + y[i+1]) / 2 · Δ, with Δ the spacing dx (a number, 1 by
 * default) or the differences of the sample points x (a tensor, broadcast along dim).
 */
export function trapezoid(y: Tensor, x?: Tensor | number | null, o: { dim?: number; dx?: number } | number = {}): Tensor {
  checkTensor('trapezoid', y);
  const oo = typeof o === 'number' ? { dim: o } : o;
  const d = normDim(oo.dim ?? -1, Math.max(1, y.ndim));
  const n = y.shape[d];
  if (n === 0) return sum(y, d);
  const lo = narrow(y, d, 0, n - 1), hi = narrow(y, d, 1, n - 1);
  if (x instanceof Tensor) {
    let xd: Tensor;
    if (x.ndim === 1) {
      if (x.numel() !== n) throw new Error(`trapezoid: There must be one \`x\` value for each sample point`);
      const dx1 = sub(narrow(x, 0, 1, n - 1), narrow(x, 0, 0, n - 1));
      xd = reshape(dx1, y.shape.map((s, i) => (i === d ? n - 1 : 1)));
    } else {
      const xdim = normDim(d - y.ndim, x.ndim);
      xd = sub(narrow(x, xdim, 1, x.shape[xdim] - 1), narrow(x, xdim, 0, x.shape[xdim] - 1));
    }
    return div(sum(mul(xd, add(lo, hi)), d), 2);
  }
  const dx = typeof x === 'number' ? x : oo.dx ?? 1;
  return mul(div(sum(add(lo, hi), d), 2), dx);
}

/**
 * Matrices with x's last dim on their diagonal `offset` (in dims dim1, dim2 of the result, which has one
 * dim more); zeros elsewhere (torch.diag_embed).
 */
export function diagEmbed(x: Tensor, offset = 0, dim1 = -2, dim2 = -1): Tensor {
  checkTensor('diag_embed', x);
  const r = x.ndim + 1, d1 = normDim(dim1, r), d2 = normDim(dim2, r);
  if (d1 === d2) throw new Error(`diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  if (x.ndim === 0) throw new Error('diag_embed(): expected at least a 1-D input');
  const len = x.shape[x.ndim - 1], n = len + Math.abs(offset);
  // [..., n, n]: row i, column i + offset holds x[..., i] (offset ≥ 0) or x[..., j] (offset < 0).
  const on = noGrad(() => compare('eq', sub(positions(n, 1, 2, x), positions(n, 0, 2, x)), offset));
  const b = x.ndim - 1;
  const order = new Array<number>(r), inv = new Array<number>(r);
  let k = 0;
  for (let i = 0; i < r; i++) if (i !== d1 && i !== d2) order[i] = k++;
  order[d1] = b; order[d2] = b + 1;
  order.forEach((o, i) => { inv[o] = i; });
  return twice(composite('DiagEmbedBackward0', [x], () => {
    const line = offset !== 0 ? cat([x, zeros([...x.shape.slice(0, -1), Math.abs(offset)], { dtype: x.dtype, device: dev(x) })], -1) : x;
    const m = where(on, offset >= 0 ? line.unsqueeze(-1) : line.unsqueeze(-2), 0);
    return m.permute(order).contiguous(); // m's dims: [...batch, rows, cols] → rows at d1, cols at d2
  }, (g) => {
    const gm = g.permute(inv); // [...batch, rows, cols]
    return [narrow(sum(where(on, gm, 0), offset >= 0 ? -1 : -2), -1, 0, len)];
  }));
}

/** Σ a·b of two 1-D tensors of one size (the conjugate of a is a itself for real tensors). */
export function vdot(a: Tensor, b: Tensor): Tensor {
  checkTensor('vdot', a); checkTensor('vdot', b, 'other');
  if (a.ndim !== 1 || b.ndim !== 1) throw new Error(`1D tensors expected, but got ${a.ndim}D and ${b.ndim}D tensors`);
  if (a.numel() !== b.numel()) throw new Error(`inconsistent tensor size, expected tensor [${a.numel()}] and src [${b.numel()}] to have the same number of elements, but got ${a.numel()} and ${b.numel()} elements respectively`);
  return twice(composite('VdotBackward0', [a, b], () => a.dot(b), (g) => [a.requiresGrad ? mul(g, b) : null, b.requiresGrad ? mul(g, a) : null], a, b));
}
/** The matrix-vector product of a [n, m] matrix and an [m] vector. */
export function mv(a: Tensor, v: Tensor): Tensor {
  checkTensor('mv', a); checkTensor('mv', v, 'vec');
  if (a.ndim !== 2 || v.ndim !== 1) throw new Error(`vector + matrix @ vector expected, got 1, ${a.ndim}, ${v.ndim}`);
  if (a.shape[1] !== v.shape[0]) throw new Error(`size mismatch, got ${a.shape[0]}, ${a.shape[0]}x${a.shape[1]},${v.shape[0]}`);
  return twice(composite('MvBackward0', [a, v], () => matmul(a, v), (g) => [a.requiresGrad ? outer(g, v) : null, v.requiresGrad ? matmul(a.t(), g) : null], a, v));
}
/** outer's older name. */
export function ger(a: Tensor, b: Tensor): Tensor { return outer(a, b); }
/** The p-norm of a − b (broadcast). */
export function dist(a: Tensor, b: Tensor, p = 2): Tensor {
  checkTensor('dist', a); checkTensor('dist', b, 'other');
  return norm(sub(a, b), p);
}
