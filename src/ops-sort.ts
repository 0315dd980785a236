/**
 * Sorting, selection, scans and rearrangements: sort, argsort, topk, kthvalue, median, cumsum, cumprod,
 * flip, roll, randperm. Built on two primitives every backend implements (protocol.ts): argsort (a
 * stable sort order along a dim) and scan (y[i] = a[i]·y[i-1] + b[i] along a dim), with gather and
 * scatterAdd for the values and their gradients. Tensor's methods of the same names call these.
 *
 * (This module and tensor.ts import each other: nothing here runs at load time.)
 */
import {
  Tensor, ValuesIndices, argsortRaw, scanRaw, checkTensor, composite, twice, compare, deviceName, full, gather, indexSelect, arange, cat,
  narrow, hostUniform, reshape, scatterAdd, sum, tensor, where, zeros, sub,
} from './tensor.ts';
import type { DType } from './runtime/protocol.ts';
import { noGrad } from './autograd/graph.ts';
import { fmtShape, normDim } from './shape.ts';
import { isFloat, parseDType } from './dtype.ts';

/** x as at least 1-D (a 0-d tensor is one line of one element) and dim checked against it. */
function lineDim(x: Tensor, dim: number): number { return normDim(dim, Math.max(1, x.ndim)); }
const atLeast1d = (x: Tensor) => (x.ndim === 0 ? reshape(x, [1]) : x);

/**
 * The gradient of values = gather(x, d, idx) where idx holds, along d, positions of x (a whole
 * permutation when `perm`): the gradient put back at those positions. On the GPU a permutation is undone
 * by gathering with its inverse (argsort of idx): one sort and a gather, where scatterAdd would sort
 * idx and then search it for every output element.
 */
function putBack(g: Tensor, shape: readonly number[], d: number, idx: Tensor, perm: boolean): Tensor {
  if (perm && g.device === 'gpu') return gather(g, d, noGrad(() => argsortRaw(idx, d, false)));
  return scatterAdd(zeros([...shape], { dtype: g.dtype, device: deviceName(g.device) }), d, idx, g);
}

/**
 * The values of x along dim in order, with their positions (torch.sort): a stable sort, so equal
 * values keep their order; NaN sorts above every number; -0 and 0 are equal. `descending` reverses the
 * value order (equal values still keep theirs). SortBackward0.
 */
export function sort(x: Tensor, dim = -1, descending = false): ValuesIndices {
  checkTensor('sort', x);
  const d = lineDim(x, dim), x1 = atLeast1d(x);
  const idx1 = argsortRaw(x1, d, descending);
  const idx = x.ndim === 0 ? reshape(idx1, []) : idx1;
  const values = twice(composite('SortBackward0', [x], () => reshape(gather(x1, d, idx1), [...x.shape]),
    (g) => [reshape(putBack(atLeast1d(g), x1.shape, d, idx1, true), [...x.shape])]));
  return new ValuesIndices('sort', values, idx);
}
/** The positions that sort x along dim (torch.argsort; stable, as sort). */
export function argsort(x: Tensor, dim = -1, descending = false): Tensor {
  checkTensor('argsort', x);
  const d = lineDim(x, dim);
  return x.ndim === 0 ? reshape(argsortRaw(atLeast1d(x), d, descending), []) : argsortRaw(x, d, descending);
}
/** sort along dim 0, values only (torch.msort). */
export function msort(x: Tensor): Tensor { return sort(x, 0).values; }

/**
 * The k largest (smallest: largest = false) values along dim and their positions, largest first
 * (torch.topk; TopkBackward0). Always sorted. Among equal values the earlier position comes first
 * (PyTorch leaves that order unspecified).
 */
export function topk(x: Tensor, k: number, dim = -1, largest = true, sorted = true): ValuesIndices {
  checkTensor('topk', x);
  void sorted; // (the result is always sorted, which PyTorch's sorted=false allows)
  const d = lineDim(x, dim), n = x.ndim === 0 ? 1 : x.shape[d];
  if (!Number.isInteger(k) || k < 0 || k > n) throw new Error(`selected index k out of range (topk: k = ${k}, but dim ${d} of ${fmtShape(x.shape)} has ${n} elements)`);
  const x1 = atLeast1d(x);
  const idx1 = argsortRaw(x1, d, largest, k);
  const idx = x.ndim === 0 ? reshape(idx1, []) : idx1;
  const values = twice(composite('TopkBackward0', [x], () => reshape(gather(x1, d, idx1), [...idx.shape]),
    (g) => [reshape(putBack(reshape(g, [...idx1.shape]), x1.shape, d, idx1, k === n), [...x.shape])]));
  return new ValuesIndices('topk', values, idx);
}

/** The value at sorted position `pos` (an int64 tensor with x's shape but 1 along d) and its position in x. */
function pick(name: 'kthvalue' | 'median', node: string, x: Tensor, d: number, keepdim: boolean, sortedIdx: Tensor, pos: Tensor): ValuesIndices {
  const x1 = atLeast1d(x);
  const at = gather(sortedIdx, d, pos);
  const squeeze = (t: Tensor) => (x.ndim === 0 ? reshape(t, []) : keepdim ? t : t.squeeze(d));
  const indices = squeeze(at);
  const values = twice(composite(node, [x], () => squeeze(gather(x1, d, at)), (g) => {
    const g1 = x.ndim === 0 ? reshape(g, [1]) : keepdim ? g : g.unsqueeze(d);
    return [reshape(putBack(g1, x1.shape, d, at, false), [...x.shape])];
  }));
  return new ValuesIndices(name, values, indices);
}
/**
 * The k-th smallest value along dim (k from 1) and its position (torch.kthvalue; KthvalueBackward0).
 * Among equal values the earliest position (PyTorch leaves it unspecified).
 */
export function kthvalue(x: Tensor, k: number, dim = -1, keepdim = false): ValuesIndices {
  checkTensor('kthvalue', x);
  const d = lineDim(x, dim), n = x.ndim === 0 ? 1 : x.shape[d];
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`kthvalue(): selected number k out of range for dimension ${d} (k = ${k}, size ${n})`);
  const x1 = atLeast1d(x);
  const shape1 = x1.shape.map((s, i) => (i === d ? 1 : s));
  const pos = full(shape1, k - 1, { dtype: 'int64', device: deviceName(x.device) });
  return pick('kthvalue', 'KthvalueBackward0', x, d, keepdim, argsortRaw(x1, d, false), pos);
}

/**
 * The median: of all elements (a 0-d tensor; MedianBackward0), or along dim with its position
 * (MedianBackward1). Of an even count, the lower of the two middle values; NaN if the line has a NaN
 * (its position: the first NaN's), as PyTorch's.
 */
export function median(x: Tensor): Tensor;
export function median(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function median(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  checkTensor('median', x);
  if (dim === undefined) {
    if (x.numel() === 0) return full([], NaN, { dtype: x.dtype, device: deviceName(x.device) });
    let at!: Tensor;
    return twice(composite('MedianBackward0', [x], () => {
      const r = medianAlong(reshape(x, [-1]), 0, true, '');
      at = r.indices;
      return reshape(r.values, []);
    }, (g) => [reshape(putBack(reshape(g, [1]), [x.numel()], 0, at, false), [...x.shape])]));
  }
  return medianAlong(x, lineDim(x, dim), keepdim, 'MedianBackward1');
}
function medianAlong(x: Tensor, d: number, keepdim: boolean, node: string): ValuesIndices {
  const x1 = atLeast1d(x), n = x1.shape[d];
  if (n === 0) throw new Error(`median(): Expected reduction dim ${d} to have non-zero size (input ${fmtShape(x.shape)})`);
  const sortedIdx = argsortRaw(x1, d, false);
  const middle = full(x1.shape.map((s, i) => (i === d ? 1 : s)), (n - 1) >> 1, { dtype: 'int64', device: deviceName(x.device) });
  let pos = middle;
  if (isFloat(x.dtype)) {
    // NaNs sort last: a line with c of them has its first NaN at sorted position n - c.
    const nans = sum(compare('ne', x1, x1), [d], true);
    pos = where(compare('gt', nans, 0), sub(n, nans), middle);
  }
  return pick('median', node, x, d, keepdim, sortedIdx, pos);
}

// =============================================================== scans

/** t moved one place along d: dir -1 gives t'[i] = t[i+1] (`fill` at the end), +1 gives t'[i] = t[i-1]
 * (`fill` at the start). */
function shifted(t: Tensor, d: number, dir: -1 | 1, fill: number): Tensor {
  const n = t.shape[d];
  if (n === 0) return t;
  const pad = full(t.shape.map((s, i) => (i === d ? 1 : s)), fill, { dtype: t.dtype, device: deviceName(t.device) });
  return dir < 0 ? cat([narrow(t, d, 1, n - 1), pad], d) : cat([pad, narrow(t, d, 0, n - 1)], d);
}
/**
 * y[i] = a[i]·y[i-1] + b[i] along d from `value` (reverse: from the end), a missing a being 1 and a
 * missing b 0, recorded as one node. Its gradient is the same recurrence run the other way: with
 * λ[i] = g[i] + a[i+1]·λ[i+1], b's gradient is λ and a's is λ·y[i-1] (y[-1] = value) — no division, so
 * zeros in a (cumprod) need no special case. Differentiable again (the gradient is a scan).
 */
function linearScan(node: string, a: Tensor | null, b: Tensor | null, value: number, d: number, reverse: boolean, dtype: DType): Tensor {
  let y: Tensor | null = null;
  const inputs = a && b ? [a, b] : [(a ?? b)!];
  // (y is the node's own output: recorded, as the shifted a and g are)
  return twice(composite(node, inputs, () => {
    const r = scanRaw(a, b, value, d, reverse, dtype);
    if (a) y = r; // (a's gradient needs the output; cumsum's keeps nothing)
    return r;
  }, (g) => {
    const lam = linearScan(node, a ? shifted(a, d, reverse ? 1 : -1, 1) : null, g, 0, d, !reverse, g.dtype);
    const ga = a && a.requiresGrad ? lam.mul(shifted(y!, d, reverse ? -1 : 1, value)) : null;
    const gb = b && b.requiresGrad ? lam : null;
    return a && b ? [ga, gb] : a ? [ga] : [gb];
  }));
}
function scanOf(name: 'cumsum' | 'cumprod', x: Tensor, dim: number, dtype: DType | string | undefined): Tensor {
  checkTensor(name, x);
  const d = lineDim(x, dim);
  const want = dtype === undefined ? undefined : parseDType(dtype);
  const src = want && want !== x.dtype ? x.to({ dtype: want }) : x;
  // Integers and bool accumulate as int64, as PyTorch's.
  const outType: DType = want ?? (isFloat(x.dtype) ? x.dtype : 'int64');
  const x1 = atLeast1d(src);
  const y = name === 'cumsum' ? linearScan('CumsumBackward0', null, x1, 0, d, false, outType) : linearScan('CumprodBackward0', x1, null, 1, d, false, outType);
  return x.ndim === 0 ? reshape(y, []) : y;
}
export interface ScanOptions { dtype?: DType | string }
/** Running sums along dim (torch.cumsum; CumsumBackward0). Integer and bool inputs give int64. The CPU
 * adds in float64, as PyTorch's CPU does. */
export function cumsum(x: Tensor, dim: number, o: ScanOptions = {}): Tensor { return scanOf('cumsum', x, dim, o.dtype); }
/** Running products along dim (torch.cumprod; CumprodBackward0, exact with zeros). */
export function cumprod(x: Tensor, dim: number, o: ScanOptions = {}): Tensor { return scanOf('cumprod', x, dim, o.dtype); }

// =============================================================== rearrangements

function dimList(fn: string, x: Tensor, dims: number | number[]): number[] {
  const list = (Array.isArray(dims) ? dims : [dims]).map((v) => normDim(v, Math.max(1, x.ndim)));
  for (let i = 0; i < list.length; i++) if (list.indexOf(list[i]) !== i) throw new Error(`dim ${list[i]} appears multiple times in the list of dims (${fn})`);
  return list;
}
/** x with the order of its elements reversed along each of dims (torch.flip; a copy; FlipBackward0). */
export function flip(x: Tensor, dims: number | number[]): Tensor {
  checkTensor('flip', x);
  const ds = dimList('flip', x, dims);
  return twice(composite('FlipBackward0', [x], () => reorder(x, ds, (n) => arange(n - 1, -1, -1, { device: deviceName(x.device) })), (g) => [flip(g, ds)]));
}
/** x with each of dims' positions taken from index(n) (an int64 tensor of n positions). */
function reorder(x: Tensor, dims: number[], index: (n: number) => Tensor): Tensor {
  if (x.ndim === 0) return x.clone();
  let r = x;
  for (const d of dims) r = indexSelect(r, d, index(x.shape[d]));
  return r === x ? x.clone() : r;
}
/**
 * x's elements moved `shifts` places along dims, wrapping around (torch.roll; RollBackward0). Without
 * dims, x is rolled as if flattened, then given its shape back.
 */
export function roll(x: Tensor, shifts: number | number[], dims?: number | number[]): Tensor {
  checkTensor('roll', x);
  const sh = Array.isArray(shifts) ? shifts : [shifts];
  if (sh.some((v) => !Number.isInteger(v))) throw new Error(`roll(): shifts must be integers, got [${sh.join(', ')}]`);
  if (dims === undefined || (Array.isArray(dims) && dims.length === 0)) {
    if (sh.length !== 1) throw new Error(`shifts and dimensions must align. shifts: ${sh.length}, dims:0`);
    return twice(composite('RollBackward0', [x], () => reshape(rollAlong(reshape(x, [-1]), [0], sh), [...x.shape]), (g) => [roll(g, -sh[0])]));
  }
  const ds = (Array.isArray(dims) ? dims : [dims]).map((v) => normDim(v, Math.max(1, x.ndim)));
  if (ds.length !== sh.length) throw new Error(`shifts and dimensions must align. shifts: ${sh.length}, dims:${ds.length}`);
  return twice(composite('RollBackward0', [x], () => rollAlong(x, ds, sh), (g) => [roll(g, sh.map((v) => -v), ds)]));
}
function rollAlong(x: Tensor, ds: number[], sh: number[]): Tensor {
  if (x.ndim === 0) return x.clone();
  let r = x;
  ds.forEach((d, k) => {
    const n = x.shape[d];
    if (n === 0) return;
    const s = ((sh[k] % n) + n) % n;
    // out[i] = x[(i - s) mod n]
    const at = new Int32Array(n);
    for (let i = 0; i < n; i++) at[i] = (i - s + n) % n;
    r = indexSelect(r, d, tensor(at, { device: deviceName(x.device) }));
  });
  return r === x ? x.clone() : r;
}

export interface RandpermOptions { dtype?: DType | string; device?: string }
/**
 * A random permutation of 0 … n-1 as a number array, from the same generator as rand (manualSeed): a
 * Fisher–Yates shuffle driven by one stream of uniform draws, made on this thread.
 */
export function permutation(n: number): Int32Array {
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1) throw new Error(`randperm(): n must be a non-negative integer below 2^31, got ${n}`);
  const u = hostUniform(n), p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(u[i] * (i + 1)), t = p[i];
    p[i] = p[j]; p[j] = t;
  }
  return p;
}
/** A random permutation of 0 … n-1 (torch.randperm; int64 unless told), the same on every device. */
export function randperm(n: number, o: RandpermOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new Error(`randperm(): n must be a non-negative integer, got ${n}`);
  const dtype = o.dtype === undefined ? 'int64' : parseDType(o.dtype);
  if (dtype === 'bool') throw new Error('randperm(): bool is not a valid dtype for a permutation');
  return tensor(permutation(n), { dtype, device: o.device ?? 'cpu' });
}
