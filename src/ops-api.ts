/**
 * More of torch's top-level functions, composed of existing ops: PyTorch's aliases (absolute, negative,
 * positive, arccos…, fix, trueDivide, clampMin/clampMax, sgn, moveaxis, trapz, ravel), broadcasting
 * helpers (broadcastTo, broadcastTensors, broadcastShapes), atleast1d/2d/3d, logspace, stdMean/varMean,
 * addmv/addr/baddbmm/addbmm, inner, tensordot, cdist, floatPower, matrixPower, vander, diagflat,
 * flipud/fliplr; and the data-dependent ones, which read values back and so are async as nonzero is:
 * unique, uniqueConsecutive, bincount, argwhere.
 */
import {
  Tensor, abs, acos, acosh, add, asin, asinh, atan, atan2, atanh, checkTensor, clamp, div, matmul, mul, neg, pow, reshape, sign, stack, sub, sum,
  tensor, trunc, zeros, deviceName, full, arange, std, variance, mean, where, compare, gather, cat, ValuesIndices, eye,
  scatterReduce,
} from './tensor.ts';
import { sort } from './ops-sort.ts';
import { matrixNorm, vectorNorm } from './linalg.ts';
import { diagEmbed } from './ops-misc.ts';
import { movedim } from './ops-extra.ts';
import { trapezoid } from './ops-misc.ts';
import { flip } from './ops-sort.ts';
import { diag, nonzero } from './ops-more.ts';
import { broadcastShapes as shapesBroadcast, fmtShape, normDim } from './shape.ts';
import { getDefaultDtype, isFloat } from './dtype.ts';
import { inv } from './linalg.ts';

export { abs as absolute, neg as negative, acos as arccos, asin as arcsin, atan as arctan, atan2 as arctan2, acosh as arccosh, asinh as arcsinh, atanh as arctanh };
export { trunc as fix, div as trueDivide, movedim as moveaxis, trapezoid as trapz };
/** torch.positive: x itself (a number tensor; bool is refused, as PyTorch's). */
export function positive(x: Tensor): Tensor {
  checkTensor('positive', x);
  if (x.dtype === 'bool') throw new Error('The `+` operator, on a bool tensor is not supported.');
  return x;
}
/** torch.clamp_min / clamp_max. */
export const clampMin = (x: Tensor, min: number): Tensor => clamp(x, min, null);
export const clampMax = (x: Tensor, max: number): Tensor => clamp(x, null, max);
/** torch.sgn: sign for real tensors. */
export const sgn = (x: Tensor): Tensor => sign(x);
/** torch.ravel: a flattened view where possible. */
export const ravel = (x: Tensor): Tensor => reshape(x, [-1]);

// ---- broadcasting -----------------------------------------------------------------------------------

/** torch.broadcast_to: x expanded to shape (a view). */
export function broadcastTo(x: Tensor, shape: number[]): Tensor { checkTensor('broadcast_to', x); return x.expand(shape); }
/** torch.broadcast_shapes. */
export function broadcastShapes(...shapes: number[][]): number[] { return shapes.reduce((a, b) => shapesBroadcast(a, b), [] as number[]); }
/** torch.broadcast_tensors: every tensor expanded to their common shape (views). */
export function broadcastTensors(...ts: Tensor[]): Tensor[] {
  ts.forEach((t, i) => checkTensor('broadcast_tensors', t, `tensors[${i}]`));
  const shape = broadcastShapes(...ts.map((t) => [...t.shape]));
  return ts.map((t) => t.expand(shape));
}
/** torch.atleast_1d/2d/3d: a view with leading (3-D: and trailing) dims of 1 added as PyTorch's. */
export function atleast1d(x: Tensor): Tensor { checkTensor('atleast_1d', x); return x.ndim >= 1 ? x : reshape(x, [1]); }
export function atleast2d(x: Tensor): Tensor { checkTensor('atleast_2d', x); return x.ndim >= 2 ? x : reshape(x, x.ndim === 0 ? [1, 1] : [1, x.shape[0]]); }
export function atleast3d(x: Tensor): Tensor {
  checkTensor('atleast_3d', x);
  if (x.ndim >= 3) return x;
  if (x.ndim === 0) return reshape(x, [1, 1, 1]);
  if (x.ndim === 1) return reshape(x, [1, x.shape[0], 1]);
  return reshape(x, [x.shape[0], x.shape[1], 1]);
}

// ---- creation ---------------------------------------------------------------------------------------

/** torch.logspace: base ** linspace(start, end, steps) (float32 unless dtype says otherwise). */
export function logspace(start: number, end: number, steps: number, base = 10, o: { dtype?: 'float32' | 'float64'; device?: string } = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`number of steps must be non-negative`);
  const dtype = o.dtype ?? getDefaultDtype();
  const ex = steps === 1 ? [start] : Array.from({ length: steps }, (_, i) => (i < steps / 2 ? start + ((end - start) / (steps - 1)) * i : end - ((end - start) / (steps - 1)) * (steps - 1 - i)));
  return tensor(ex.map((e) => base ** e), { dtype, device: o.device as 'cpu' | undefined });
}
/** torch.vander(x, N, increasing): columns x^(N−1) … x^0 (or increasing powers). */
export function vander(x: Tensor, N?: number | null, increasing = false): Tensor {
  checkTensor('vander', x);
  if (x.ndim !== 1) throw new Error('x must be a one-dimensional tensor.');
  const n = N ?? x.shape[0];
  if (!Number.isInteger(n) || n < 0) throw new Error('N must be non-negative.');
  const cols = Array.from({ length: n }, (_, j) => pow(x, increasing ? j : n - 1 - j));
  return n === 0 ? zeros([x.shape[0], 0], { dtype: x.dtype, device: deviceName(x.device) }) : stack(cols, 1);
}
/** torch.diagflat: the flattened input on the offset diagonal of a square matrix. */
export function diagflat(x: Tensor, offset = 0): Tensor { checkTensor('diagflat', x); return diag(reshape(x, [-1]), offset); }
export const flipud = (x: Tensor): Tensor => { if (x.ndim < 1) throw new Error('Input must be >= 1-d.'); return flip(x, 0); };
export const fliplr = (x: Tensor): Tensor => { if (x.ndim < 2) throw new Error('Input must be >= 2-d.'); return flip(x, 1); };

// ---- reductions and products -----------------------------------------------------------------------------

/** torch.std_mean / var_mean: [std or var, mean] over dim (unbiased by default). */
export function stdMean(x: Tensor, dim?: number | number[] | null, unbiased = true, keepdim = false): [Tensor, Tensor] {
  const d = dim ?? undefined;
  return [std(x, d, unbiased, keepdim), d === undefined ? mean(x) : mean(x, d, keepdim)];
}
export function varMean(x: Tensor, dim?: number | number[] | null, unbiased = true, keepdim = false): [Tensor, Tensor] {
  const d = dim ?? undefined;
  return [variance(x, d, unbiased, keepdim), d === undefined ? mean(x) : mean(x, d, keepdim)];
}
interface BetaAlpha { beta?: number; alpha?: number }
const scaled = (input: Tensor, prod: Tensor, o: BetaAlpha) => {
  const beta = o.beta ?? 1, alpha = o.alpha ?? 1;
  const p = alpha === 1 ? prod : mul(prod, alpha);
  // (β = 0: input is ignored, NaN and inf in it included, as PyTorch's)
  return beta === 0 ? add(p, zeros([...input.shape], { dtype: input.dtype, device: deviceName(input.device) })) : add(beta === 1 ? input : mul(input, beta), p);
};
/** torch.addmv: β·input + α·(mat @ vec). */
export function addmv(input: Tensor, mat: Tensor, vec: Tensor, o: BetaAlpha = {}): Tensor {
  if (mat.ndim !== 2 || vec.ndim !== 1) throw new Error(`vector + matrix @ vector expected, got ${input.ndim}, ${mat.ndim}, ${vec.ndim}`);
  return scaled(input, matmul(mat, vec), o);
}
/** torch.addr: β·input + α·(v1 ⊗ v2). */
export function addr(input: Tensor, v1: Tensor, v2: Tensor, o: BetaAlpha = {}): Tensor {
  if (v1.ndim !== 1 || v2.ndim !== 1) throw new Error(`addr: Expected 1-D argument vec1, but got ${v1.ndim}-D`);
  return scaled(input, mul(v1.unsqueeze(1), v2.unsqueeze(0)), o);
}
/** torch.baddbmm: β·input + α·(batch1 @ batch2), batched. */
export function baddbmm(input: Tensor, b1: Tensor, b2: Tensor, o: BetaAlpha = {}): Tensor {
  if (b1.ndim !== 3 || b2.ndim !== 3) throw new Error('batch1 must be a 3D tensor');
  return scaled(input, matmul(b1, b2), o);
}
/** torch.addbmm: β·input + α·Σ_b (batch1[b] @ batch2[b]). */
export function addbmm(input: Tensor, b1: Tensor, b2: Tensor, o: BetaAlpha = {}): Tensor {
  if (b1.ndim !== 3 || b2.ndim !== 3) throw new Error('batch1 must be a 3D tensor');
  return scaled(input, sum(matmul(b1, b2), 0), o);
}
/** torch.inner: the sum over the last dims of a and b (a scalar times a tensor when one is 0-d). */
export function inner(a: Tensor, b: Tensor): Tensor {
  checkTensor('inner', a); checkTensor('inner', b, 'other');
  if (a.ndim === 0 || b.ndim === 0) return mul(a, b);
  const ka = a.shape[a.ndim - 1], kb = b.shape[b.ndim - 1];
  if (ka !== kb) throw new Error(`inner() the last dimension must match on both input tensors but got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  const A = reshape(a, [-1, ka]), B = reshape(b, [-1, kb]);
  return reshape(matmul(A, B.t()), [...a.shape.slice(0, -1), ...b.shape.slice(0, -1)]);
}
/**
 * torch.tensordot(a, b, dims): contracts a's last `dims` dims with b's first (a number), or the listed
 * dims ([dimsA, dimsB]), as one matrix product of the permuted, reshaped operands.
 */
export function tensordot(a: Tensor, b: Tensor, dims: number | [number[], number[]] = 2): Tensor {
  checkTensor('tensordot', a); checkTensor('tensordot', b, 'other');
  let da: number[], db: number[];
  if (typeof dims === 'number') {
    if (!Number.isInteger(dims) || dims < 0) throw new Error(`tensordot expects dims >= 0, but got dims=${dims}`);
    if (dims > a.ndim || dims > b.ndim) throw new Error(`tensordot expects dims < ndim_a or ndim_b, but got dims=${dims}`);
    da = Array.from({ length: dims }, (_, i) => a.ndim - dims + i);
    db = Array.from({ length: dims }, (_, i) => i);
  } else {
    [da, db] = dims;
    if (da.length !== db.length) throw new Error('both dimension lists should have same length');
    da = da.map((d) => normDim(d, a.ndim)); db = db.map((d) => normDim(d, b.ndim));
  }
  da.forEach((d, i) => {
    if (a.shape[d] !== b.shape[db[i]]) throw new Error(`contracted dimensions need to match, but first has size ${a.shape[d]} in dim ${d} and second has size ${b.shape[db[i]]} in dim ${db[i]}`);
  });
  const freeA = [...Array(a.ndim).keys()].filter((d) => !da.includes(d)), freeB = [...Array(b.ndim).keys()].filter((d) => !db.includes(d));
  const k = da.reduce((p, d) => p * a.shape[d], 1);
  const A = reshape(a.permute([...freeA, ...da]), [-1, k]), B = reshape(b.permute([...db, ...freeB]), [k, -1]);
  return reshape(matmul(A, B), [...freeA.map((d) => a.shape[d]), ...freeB.map((d) => b.shape[d])]);
}
/**
 * torch.cdist(x1, x2, p): the p-norm distances between the rows of x1 [.., P, M] and x2 [.., R, M]
 * ([.., P, R]), through the broadcast differences (p = 0 counts the differing coordinates, ∞ the largest).
 */
export function cdist(x1: Tensor, x2: Tensor, p = 2): Tensor {
  checkTensor('cdist', x1); checkTensor('cdist', x2, 'x2');
  if (x1.ndim < 2 || x2.ndim < 2) throw new Error(`cdist only supports at least 2D tensors, X1 got: ${x1.ndim}D`);
  if (!isFloat(x1.dtype)) throw new Error(`cdist only supports floating-point dtypes, X1 got: ${x1.dtype}`);
  if (x1.shape[x1.ndim - 1] !== x2.shape[x2.ndim - 1]) throw new Error(`X1 and X2 must have the same number of columns. X1: ${x1.shape[x1.ndim - 1]} X2: ${x2.shape[x2.ndim - 1]}`);
  if (!(p >= 0)) throw new Error('cdist only supports non-negative p values');
  const d = abs(sub(x1.unsqueeze(-2), x2.unsqueeze(-3)));
  if (p === 0) return sum(compare('ne', d, 0).to({ dtype: x1.dtype }), -1);
  if (p === Infinity) return d.amax(-1);
  if (p === 1) return sum(d, -1);
  if (p === 2) return sum(mul(d, d), -1).sqrt();
  return pow(sum(pow(d, p), -1), 1 / p);
}
/** torch.float_power: a ** b in float64 (where the device has it; the GPU computes float32). */
export function floatPower(a: Tensor | number, b: Tensor | number): Tensor {
  const ref = (a instanceof Tensor ? a : b) as Tensor;
  if (!(ref instanceof Tensor)) throw new Error('float_power: expected a Tensor');
  const dt = ref.device === 'gpu' ? 'float32' : 'float64';
  const up = (v: Tensor | number) => (v instanceof Tensor ? v.to({ dtype: dt }) : v);
  return a instanceof Tensor ? pow(up(a) as Tensor, up(b)) : pow(full([], a, { dtype: dt, device: deviceName(ref.device) }), up(b));
}
/** torch.linalg.matrix_power / torch.matrix_power: A^n by repeated squaring (n < 0: the inverse's). */
export function matrixPower(A: Tensor, n: number): Tensor {
  checkTensor('matrix_power', A);
  if (A.ndim < 2 || A.shape[A.ndim - 1] !== A.shape[A.ndim - 2]) throw new Error(`matrix_power(): expected a tensor of square matrices, but got a tensor of shape ${fmtShape(A.shape)}`);
  if (!Number.isInteger(n)) throw new Error('matrix_power(): n must be an integer');
  const m = A.shape[A.ndim - 1];
  if (n === 0) return eyeOf(m, A).expand([...A.shape]).clone();
  let base = n < 0 ? inv(A) : A, k = Math.abs(n), out: Tensor | null = null;
  while (k > 0) {
    if (k & 1) out = out === null ? base : matmul(out, base);
    k >>= 1;
    if (k > 0) base = matmul(base, base);
  }
  return out!;
}
const eyeOf = (m: number, A: Tensor) => eye(m, { dtype: A.dtype, device: deviceName(A.device) as 'cpu' });

// ---- data-dependent shapes (values read back: async) ----------------------------------------------------

/** torch.argwhere: the indices of the nonzero elements, [count, ndim] (int64). */
export async function argwhere(x: Tensor): Promise<Tensor> { return nonzero(x); }

export interface UniqueOptions { sorted?: boolean; returnInverse?: boolean; returnCounts?: boolean; dim?: number | null }
/**
 * torch.unique: the distinct values (sorted ascending; troupe always sorts, as PyTorch's CPU does), or the
 * distinct slices along dim, with the inverse indices and counts when asked: [values], [values, inverse],
 * [values, counts] or [values, inverse, counts], as PyTorch's tuple. NaNs are each distinct, as PyTorch's.
 */
export async function unique(x: Tensor, o: UniqueOptions = {}): Promise<Tensor | Tensor[]> {
  return uniqueImpl('unique', x, o, false);
}
/** torch.unique_consecutive: collapses runs of equal values (or slices along dim). */
export async function uniqueConsecutive(x: Tensor, o: Omit<UniqueOptions, 'sorted'> = {}): Promise<Tensor | Tensor[]> {
  return uniqueImpl('unique_consecutive', x, o, true);
}
async function uniqueImpl(name: string, x: Tensor, o: UniqueOptions, consecutive: boolean): Promise<Tensor | Tensor[]> {
  checkTensor(name, x);
  const device = deviceName(x.device);
  const dim = o.dim ?? null;
  // rows: the flattened elements (dim null) or the slices along dim, each as an array of values
  const moved = dim === null ? reshape(x, [-1, 1]) : reshape(movedim(x, normDim(dim, x.ndim), 0), [x.ndim === 0 ? 1 : x.shape[normDim(dim, x.ndim)], -1]);
  if (dim !== null && x.numel() === 0 && x.shape[normDim(dim, x.ndim)] !== 0) throw new Error(`Number of zero sized dimensions is more than one, so unique cannot be applied`);
  const flat = Array.from(await moved.contiguous().toTypedArray() as ArrayLike<number | bigint>, Number);
  const n = moved.shape[0], w = moved.shape[1];
  const row = (i: number) => flat.slice(i * w, i * w + w);
  const cmp = (a: number[], b: number[]) => {
    for (let k = 0; k < a.length; k++) {
      if (a[k] < b[k]) return -1;
      if (a[k] > b[k]) return 1;
      if (a[k] !== b[k]) return Number.isNaN(a[k]) ? (Number.isNaN(b[k]) ? 0 : 1) : -1; // NaN last
    }
    return 0;
  };
  const same = (a: number[], b: number[]) => a.every((v, k) => v === b[k]); // (NaN ≠ NaN: each distinct)
  const order = Array.from({ length: n }, (_, i) => i);
  if (!consecutive) order.sort((i, j) => cmp(row(i), row(j)) || i - j);
  const groups: number[][] = [];
  for (const i of order) {
    const g = groups[groups.length - 1];
    if (g && same(row(g[0]), row(i))) g.push(i); else groups.push([i]);
  }
  const inverse = new Array<number>(n);
  groups.forEach((g, k) => { for (const i of g) inverse[i] = k; });
  const vals = groups.flatMap((g) => row(g[0]));
  let values: Tensor;
  if (dim === null) values = tensor(vals, { dtype: x.dtype, device: device as 'cpu' });
  else {
    const d = normDim(dim, x.ndim);
    const restShape = [...x.shape.slice(0, d), ...x.shape.slice(d + 1)];
    values = movedim(reshape(tensor(vals, { dtype: x.dtype, device: device as 'cpu' }), [groups.length, ...restShape]), 0, d);
  }
  const out: Tensor[] = [values];
  if (o.returnInverse) out.push(reshape(tensor(inverse, { dtype: 'int64', device: device as 'cpu' }), dim === null ? [...x.shape] : [n]));
  if (o.returnCounts) out.push(tensor(groups.map((g) => g.length), { dtype: 'int64', device: device as 'cpu' }));
  return out.length === 1 ? values : out;
}

/** torch.bincount: the count (or summed weight) of each value 0…max(x) of a 1-D non-negative int tensor,
 * at least minlength long. */
export async function bincount(x: Tensor, weights?: Tensor | null, minlength = 0): Promise<Tensor> {
  checkTensor('bincount', x);
  if (x.ndim !== 1) throw new Error('bincount only supports 1-d non-negative integral inputs.');
  if (isFloat(x.dtype) || x.dtype === 'bool') throw new Error(`"bincount_cpu" not implemented for '${x.dtype === 'bool' ? 'Bool' : x.dtype === 'float64' ? 'Double' : 'Float'}'`);
  if (minlength < 0) throw new Error('minlength should be >= 0');
  if (weights && (weights.ndim !== 1 || weights.shape[0] !== x.shape[0])) throw new Error('weights should be 1-d and have the same length as input');
  const v = Array.from(await x.toTypedArray() as ArrayLike<number | bigint>, Number);
  if (v.some((a) => a < 0)) throw new Error('bincount only supports 1-d non-negative integral inputs.');
  const len = Math.max(minlength, v.length ? Math.max(...v) + 1 : 0);
  const wv = weights ? Array.from(await weights.toTypedArray() as ArrayLike<number | bigint>, Number) : null;
  const out = new Array<number>(len).fill(0);
  v.forEach((a, i) => { out[a] += wv ? wv[i] : 1; });
  const dtype = weights ? (weights.dtype === 'float32' ? 'float32' : 'float64') : 'int64';
  return tensor(out, { dtype, device: deviceName(x.device) as 'cpu' });
}

// ---- indexed writes, out of place (composed from scatterAdd: gradients flow) ----------------------------

/** index laid along dim of a tensor shaped like `like` (a view: stride 0 elsewhere), as index_add reads it. */
function alongDim(name: string, index: Tensor, dim: number, like: Tensor): Tensor {
  if (index.ndim > 1) throw new Error(`${name}(): Index is supposed to be a vector`);
  const shape = like.shape.map((_, i) => (i === dim ? index.numel() : 1));
  return reshape(index, shape).expand([...like.shape]).contiguous();
}
/** torch.index_add: x with alpha·source added at index along dim (repeated indices add up). */
export function indexAdd(x: Tensor, dim: number, index: Tensor, source: Tensor, o: { alpha?: number } = {}): Tensor {
  checkTensor('index_add', x); checkTensor('index_add', source, 'source');
  const d = normDim(dim, Math.max(1, x.ndim));
  if (source.ndim !== x.ndim || source.shape[d] !== index.numel()) throw new Error(`index_add_(): Number of indices (${index.numel()}) should be equal to source.size(dim) (${source.shape[d]})`);
  const src = o.alpha === undefined || o.alpha === 1 ? source : mul(source, o.alpha);
  return add(x, zerosLikeOf(x).scatterAdd(d, alongDim('index_add_', index, d, source), src));
}
/** torch.index_copy: x with source's slices written at index along dim (indices must be distinct). */
export function indexCopy(x: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  checkTensor('index_copy', x); checkTensor('index_copy', source, 'source');
  const d = normDim(dim, Math.max(1, x.ndim));
  if (source.ndim !== x.ndim || source.shape[d] !== index.numel()) throw new Error(`index_copy_(): Number of indices (${index.numel()}) should be equal to source.size(dim) (${source.shape[d]})`);
  return add(x, zerosLikeOf(x).scatterAdd(d, alongDim('index_copy_', index, d, source), sub(source, x.indexSelect(d, index))));
}
/** torch.index_fill: x with value at index along dim. */
export function indexFill(x: Tensor, dim: number, index: Tensor, value: number): Tensor {
  checkTensor('index_fill', x);
  const d = normDim(dim, Math.max(1, x.ndim));
  const marks = zeros([...x.shape], { dtype: 'float32', device: deviceName(x.device) });
  const ones = full(x.shape.map((s, i) => (i === d ? index.numel() : s)), 1, { dtype: 'float32', device: deviceName(x.device) });
  return where(compare('gt', marks.scatterAdd(d, alongDim('index_fill_', index, d, ones), ones), 0), value, x);
}
/**
 * torch.scatter: x with src's elements (or a number) written at index along dim, src read over index's
 * shape; reduce 'add' adds instead, 'multiply' multiplies. Where index repeats a position PyTorch leaves which write wins
 * unspecified; here the writes add up there, so give distinct positions (or use reduce 'add').
 */
export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | number, o: { reduce?: 'add' | 'multiply' } = {}): Tensor {
  checkTensor('scatter', x);
  const d = normDim(dim, Math.max(1, x.ndim));
  if (index.ndim !== x.ndim) throw new Error('Index tensor must have the same number of dimensions as self tensor');
  const dev = deviceName(x.device);
  const part = src instanceof Tensor ? narrowTo(src, index.shape) : full([...index.shape], src, { dtype: x.dtype, device: dev });
  // (PyTorch 1.13 has no gradient for a scatter with reduce; this one has scatter_reduce's)
  if (o.reduce === 'multiply') return scatterReduce(x, d, index, part, 'prod');
  const written = zerosLikeOf(x).scatterAdd(d, index, part);
  if (o.reduce === 'add') return add(x, written);
  const ones = full([...index.shape], 1, { dtype: 'float32', device: dev });
  const hit = compare('gt', zeros([...x.shape], { dtype: 'float32', device: dev }).scatterAdd(d, index, ones), 0);
  return where(hit, written, x);
}
const zerosLikeOf = (x: Tensor) => zeros([...x.shape], { dtype: x.dtype, device: deviceName(x.device) });
function narrowTo(t: Tensor, shape: readonly number[]): Tensor {
  let r = t;
  shape.forEach((s, i) => {
    if (s > t.shape[i]) throw new Error(`Expected index ${fmtShape(shape)} to be smaller than src ${fmtShape(t.shape)} apart from dimension`);
    if (s < t.shape[i]) r = r.narrow(i, 0, s);
  });
  return r;
}

/**
 * torch.histc: a histogram of x's values in `bins` equal bins over [min, max] (both 0: x's own min and
 * max), values outside left out, max in the last bin; x's float dtype. Computed on the device (no read).
 */
export function histc(x: Tensor, bins = 100, min = 0, max = 0): Tensor {
  checkTensor('histc', x);
  if (!isFloat(x.dtype)) throw new Error(`"histogram_cpu" not implemented for '${x.dtype === 'int64' ? 'Long' : x.dtype === 'int32' ? 'Int' : 'Bool'}'`);
  if (!Number.isInteger(bins) || bins <= 0) throw new Error('bins must be > 0');
  if (min > max) throw new Error('max must be larger than min');
  const flat = reshape(x, [-1]);
  let lo: Tensor | number = min, hi: Tensor | number = max;
  if (min === 0 && max === 0 && flat.numel() > 0) { lo = flat.amin(0); hi = flat.amax(0); }
  // (equal bounds widen by 1 each way, as PyTorch's)
  const same = compare('eq', sub(hi, lo), 0);
  const l = where(same, sub(lo, 1), lo), h = where(same, add(hi, 1), hi);
  const pos = mul(div(sub(flat, l), sub(h, l)), bins);
  const inside = compare('ge', flat, l).logicalAnd(compare('le', flat, h));
  const bin = where(compare('ge', pos, bins), bins - 1, pos).floor();
  const idx = where(inside, bin, 0).to({ dtype: 'int64' });
  const w = inside.to({ dtype: x.dtype });
  return zeros([bins], { dtype: x.dtype, device: deviceName(x.device) }).scatterAdd(0, idx, w);
}

/** torch.unflatten: dim split into sizes (one may be −1). */
export function unflatten(x: Tensor, dim: number, sizes: number[]): Tensor {
  checkTensor('unflatten', x);
  const d = normDim(dim, x.ndim);
  return reshape(x, [...x.shape.slice(0, d), ...sizes, ...x.shape.slice(d + 1)]);
}
/** torch.linalg.multi_dot / torch.chain_matmul: the product of the matrices, left to right. */
export function chainMatmul(...ms: Tensor[]): Tensor {
  if (ms.length === 0) throw new Error('chain_matmul(): Expected one or more matrices');
  return ms.reduce((a, b) => matmul(a, b));
}
export const isFloatingPoint = (x: Tensor): boolean => { checkTensor('is_floating_point', x); return isFloat(x.dtype); };
export const isComplex = (x: Tensor): boolean => { checkTensor('is_complex', x); return false; };

// ---- NaN-aware median, renorm, matrix exponential, *_scatter ---------------------------------------------

/**
 * torch.nanmedian: the lower median of the values that are not NaN (NaN where a line has none), with
 * its index along dim as PyTorch's (from a sort: NaNs sort last).
 */
export function nanmedian(x: Tensor): Tensor;
export function nanmedian(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function nanmedian(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  checkTensor('nanmedian', x);
  const whole = dim === undefined;
  const src = whole ? reshape(x, [-1]) : x.ndim === 0 ? reshape(x, [1]) : x;
  const d = whole ? 0 : normDim(dim, Math.max(1, x.ndim));
  const s = sort(src, d);
  const k = sum(compare('eq', src, src).to({ dtype: 'int64' }), d, true);
  const pos = where(compare('gt', k, 0), div(sub(k, 1), 2, { roundingMode: 'floor' }), 0);
  let v = gather(s.values, d, pos), i = gather(s.indices, d, pos);
  v = where(compare('eq', k, 0), NaN, v);
  if (whole) return reshape(v, []);
  if (!keepdim || x.ndim === 0) { v = v.squeeze(x.ndim === 0 ? 0 : d); i = i.squeeze(x.ndim === 0 ? 0 : d); }
  if (x.ndim === 0) { v = reshape(v, []); i = reshape(i, []); }
  return new ValuesIndices('nanmedian', v, i);
}
/** torch.renorm: each slice along dim whose p-norm exceeds maxnorm scaled down to it (by maxnorm / (norm + 1e-7), as PyTorch's). */
export function renorm(x: Tensor, p: number, dim: number, maxnorm: number): Tensor {
  checkTensor('renorm', x);
  if (!(p > 0)) throw new Error(`renorm: non-positive-norm not supported`);
  if (!(maxnorm >= 0)) throw new Error(`renorm: expected maxnorm to be >= 0 but got ${maxnorm}`);
  const d = normDim(dim, x.ndim);
  const others = [...Array(x.ndim).keys()].filter((a) => a !== d);
  const norm = others.length ? vectorNorm(x, p, others, true) : abs(x);
  const factor = where(compare('gt', norm, maxnorm), div(maxnorm, add(norm, 1e-7)), 1);
  return mul(x, factor); // (the factor's own derivative included, as PyTorch's renorm_backward)
}
/**
 * torch.linalg.matrix_exp: scaling and squaring. Each matrix is scaled by 2^−s, s from its 1-norm (so the
 * scaled norm is at most ½; s ≤ 30), exp of the scaled matrix by its Taylor series to degree 18 (the rest
 * below 1e-20 of it), then squared s times (a fixed 30 rounds, each applied only where s is larger).
 * Gradients through the composed ops.
 */
export function matrixExp(A: Tensor): Tensor {
  checkTensor('matrix_exp', A);
  if (A.ndim < 2 || A.shape[A.ndim - 1] !== A.shape[A.ndim - 2]) throw new Error(`linalg.matrix_exp: A must be batches of square matrices, but they are ${A.shape[A.ndim - 2]} by ${A.shape[A.ndim - 1]} matrices`);
  if (!isFloat(A.dtype)) throw new Error(`linalg.matrix_exp: Expected a floating point tensor as input. Got ${A.dtype}`);
  const n = A.shape[A.ndim - 1];
  const norm = matrixNorm(A.detach(), 1, [-2, -1], true);
  const s = clamp(add(log2Of(norm), 2).floor(), 0, 30); // (‖A‖·2^−s ≤ ½)
  const X = div(A, pow(2, s));
  const I = eyeOf(n, A).expand([...A.shape]);
  let term: Tensor = I, out: Tensor = I;
  for (let k = 1; k <= 18; k++) {
    term = div(matmul(term, X), k);
    out = add(out, term);
  }
  for (let j = 0; j < 30; j++) out = where(compare('gt', s, j), matmul(out, out), out);
  return out;
}
const log2Of = (t: Tensor) => div(where(compare('gt', t, 0), t, 1).log(), Math.LN2);
/** torch.select_scatter: x with src written into x.select(dim, index) (out of place). */
export function selectScatter(x: Tensor, src: Tensor, dim: number, index: number): Tensor {
  checkTensor('select_scatter', x); checkTensor('select_scatter', src, 'src');
  const d = normDim(dim, x.ndim);
  const i = index < 0 ? index + x.shape[d] : index;
  if (!(i >= 0 && i < x.shape[d])) throw new Error(`select(): index ${index} out of range for tensor of size ${fmtShape(x.shape)} at dimension ${d}`);
  return indexCopy(x, d, tensor([i], { device: deviceName(x.device) as 'cpu' }), src.unsqueeze(d));
}
/** torch.slice_scatter: x with src written into x[start:end:step] along dim (out of place). */
export function sliceScatter(x: Tensor, src: Tensor, dim = 0, start: number | null = null, end: number | null = null, step = 1): Tensor {
  checkTensor('slice_scatter', x); checkTensor('slice_scatter', src, 'src');
  const d = normDim(dim, x.ndim), size = x.shape[d];
  const clampIdx = (v: number) => Math.min(size, Math.max(0, v < 0 ? v + size : v));
  const a = start === null ? 0 : clampIdx(start), b = end === null ? size : clampIdx(end);
  const idx = arange(a, Math.max(a, b), step, { device: deviceName(x.device) as 'cpu' });
  return indexCopy(x, d, idx, src);
}
/** torch.diagonal_scatter for the last two dims (dim1, dim2 = 0, 1 of a matrix or −2, −1 of a batch). */
export function diagonalScatter(x: Tensor, src: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  checkTensor('diagonal_scatter', x); checkTensor('diagonal_scatter', src, 'src');
  const d1 = normDim(dim1, x.ndim), d2 = normDim(dim2, x.ndim);
  if (d1 !== x.ndim - 2 || d2 !== x.ndim - 1) throw new Error('diagonal_scatter: only the last two dims (as dim1, dim2) are supported in troupe');
  const [r, c] = x.shape.slice(-2);
  const dev = deviceName(x.device) as 'cpu';
  const mask = compare('eq', sub(arange(c, { device: dev }).unsqueeze(0), arange(r, { device: dev }).unsqueeze(1)), offset);
  const len = Math.max(0, offset >= 0 ? Math.min(r, c - offset) : Math.min(r + offset, c));
  if (src.shape[src.ndim - 1] !== len) throw new Error(`diagonal_scatter: src's last dim ${src.shape[src.ndim - 1]} is not the diagonal's length ${len}`);
  const embedded = diagEmbed(src, offset).narrow(-2, 0, r).narrow(-1, 0, c);
  return where(mask, padTo(embedded, r, c), x);
}
function padTo(t: Tensor, r: number, c: number): Tensor {
  const [tr, tc] = t.shape.slice(-2);
  let out = t;
  if (tr < r) out = cat([out, zeros([...out.shape.slice(0, -2), r - tr, tc], { dtype: t.dtype, device: deviceName(t.device) })], -2);
  if (tc < c) out = cat([out, zeros([...out.shape.slice(0, -1), c - tc], { dtype: t.dtype, device: deviceName(t.device) })], -1);
  return out;
}

// ---- integer and exponent helpers ------------------------------------------------------------------------

/**
 * torch.gcd: the greatest common divisor of integer tensors, non-negative (gcd(0, 0) = 0), by Euclid's
 * algorithm as 80 masked rounds of remainders (enough for any pair below 2^53: Fibonacci's bound).
 */
export function gcd(a: Tensor, b: Tensor): Tensor {
  checkTensor('gcd', a); checkTensor('gcd', b, 'other');
  for (const t of [a, b]) if (isFloat(t.dtype) || t.dtype === 'bool') throw new Error(`"gcd_cpu" not implemented for '${t.dtype === 'bool' ? 'Bool' : t.dtype === 'float64' ? 'Double' : 'Float'}'`);
  let x = abs(a), y = abs(b);
  for (let k = 0; k < 80; k++) {
    const nz = compare('ne', y, 0);
    const r = where(nz, remainderOf(x, where(nz, y, 1)), 0);
    x = where(nz, y, x);
    y = r;
  }
  return x;
}
const remainderOf = (x: Tensor, y: Tensor) => sub(x, mul(div(x, y, { roundingMode: 'trunc' }), y));
/** torch.lcm: |a·b| / gcd(a, b), 0 where either is 0. */
export function lcm(a: Tensor, b: Tensor): Tensor {
  const g = gcd(a, b);
  const zero = compare('eq', g, 0);
  return where(zero, 0, abs(mul(div(a, where(zero, 1, g), { roundingMode: 'trunc' }), b)));
}
/**
 * torch.frexp: x = mantissa · 2^exponent with |mantissa| in [0.5, 1) (0, ±inf and NaN: themselves with
 * exponent 0); [mantissa, exponent (int32)].
 */
export function frexp(x: Tensor): [Tensor, Tensor] {
  checkTensor('frexp', x);
  if (!isFloat(x.dtype)) throw new Error('torch.frexp() only supports floating-point dtypes');
  const ax = abs(x);
  const special = compare('eq', ax, 0).logicalOr(compare('ne', x, x)).logicalOr(compare('eq', ax, Infinity));
  const safe = where(special, 1, ax);
  let e = add(div(safe.log(), Math.LN2).floor(), 1);
  let m = scale2(where(special, 1, x), neg(e));
  // (log2 may land one off near powers of two: one correction each way)
  const hi = compare('ge', abs(m), 1), lo = compare('lt', abs(m), 0.5);
  m = where(hi, div(m, 2), where(lo, mul(m, 2), m));
  e = add(e, sub(hi.to({ dtype: e.dtype }), lo.to({ dtype: e.dtype })));
  return [where(special, x, m), where(special, 0, e).to({ dtype: 'int32' })];
}
/** torch.ldexp: x · 2^e (integers as float32). */
export function ldexp(x: Tensor, e: Tensor): Tensor {
  checkTensor('ldexp', x); checkTensor('ldexp', e, 'other');
  return scale2(isFloat(x.dtype) ? x : x.to({ dtype: getDefaultDtype() }), e);
}
/** x · 2^e in two halves, so that neither power overflows or underflows where the product does not. */
function scale2(x: Tensor, e: Tensor): Tensor {
  const ef = e.to({ dtype: x.dtype });
  const h = div(ef, 2).floor();
  return mul(mul(x, pow(2, h)), pow(2, sub(ef, h)));
}
