/**
 * Still more of PyTorch's tensor functions, composed of the frontend's ops: prod (exact gradients
 * through zeros, from running products), the logical ops, einsum, meshgrid, diff, count_nonzero,
 * swapaxes/swapdims/movedim and the elementwise logaddexp, hypot, deg2rad, rad2deg, frac, nan_to_num.
 * Those PyTorch records as one autograd node are recorded as one node here too, under its name.
 * Tensor's methods of the same names call these.
 *
 * (This module and tensor.ts import each other: nothing here runs at load time.)
 */
import {
  Tensor, SCALAR_TYPE, abs, add, arange, cat, checkTensor, compare, composite, twice, deviceName, div, exp, full, indexSelect, matmul,
  maximum, mul, narrow, normAxes, reshape, sqrt, sub, sum, sumToShape, trunc, where,
} from './tensor.ts';
import { cumprod, flip } from './ops-sort.ts';
import { isinf, isfinite, isnan, log1p } from './ops-more.ts';
import type { DType } from './runtime/protocol.ts';
import { getDefaultDtype, isFloat, parseDType, resultType } from './dtype.ts';
import { fmtShape, normDim } from './shape.ts';

// =============================================================== prod

export interface ProdOptions { dtype?: DType | string }

/** The products of all the other elements along d (the gradient of a product): a running product from
 * each end, shifted by one, multiplied. No division, so exact where x has zeros. */
function exclusiveProducts(x: Tensor, d: number): Tensor {
  const n = x.shape[d];
  if (n <= 1) return full([...x.shape], 1, { dtype: x.dtype, device: deviceName(x.device) });
  const one = full(x.shape.map((s, i) => (i === d ? 1 : s)), 1, { dtype: x.dtype, device: deviceName(x.device) });
  const before = cumprod(cat([one, narrow(x, d, 0, n - 1)], d), d); // x[0]·…·x[i-1]
  const after = flip(cumprod(flip(cat([narrow(x, d, 1, n - 1), one], d), d), d), d); // x[i+1]·…·x[n-1]
  return mul(before, after);
}
/** The product along d (keepdim), as the last running product; 1 for an empty line. */
function productAlong(x: Tensor, d: number, outType: DType): Tensor {
  const n = x.shape[d];
  if (n === 0) return full(x.shape.map((s, i) => (i === d ? 1 : s)), 1, { dtype: outType, device: deviceName(x.device) });
  const c = cumprod(x, d, { dtype: outType });
  return narrow(c, d, n - 1, 1);
}
/**
 * The product of all elements (ProdBackward0), or along dim (ProdBackward1, keepdim as sum's).
 * Integers and bool give int64, as PyTorch's; `dtype` converts x first. The gradient at each element
 * is the product of the others, so one zero gives the product of the rest there and two or more give 0.
 */
export function prod(x: Tensor, o?: ProdOptions): Tensor;
export function prod(x: Tensor, dim: number, keepdim?: boolean, o?: ProdOptions): Tensor;
export function prod(x: Tensor, dim?: number | ProdOptions | null, keepdim = false, o: ProdOptions = {}): Tensor {
  checkTensor('prod', x);
  if (dim !== null && typeof dim === 'object') { o = dim; dim = undefined; }
  const want = o.dtype === undefined ? undefined : parseDType(o.dtype);
  const src = want && want !== x.dtype ? x.to({ dtype: want }) : x;
  const outType: DType = want ?? (isFloat(x.dtype) ? x.dtype : 'int64');
  if (dim === undefined || dim === null) {
    const flat = () => reshape(src, [-1]);
    return twice(composite('ProdBackward0', [src], () => reshape(productAlong(flat(), 0, outType), []),
      (g) => {
        // As PyTorch's: with two or more zeros every gradient is 0 (+0, where the products would give −0s).
        const zeros = sum(compare('eq', src, 0));
        return [reshape(where(compare('ge', zeros, 2), 0, mul(g, exclusiveProducts(flat(), 0))), [...src.shape])];
      }, src));
  }
  if (typeof keepdim !== 'boolean') throw new Error(`prod(): keepdim must be a boolean, got ${String(keepdim)}`);
  const d = normDim(dim, Math.max(1, x.ndim));
  const x1 = src.ndim === 0 ? reshape(src, [1]) : src;
  const outShape = src.ndim === 0 ? [] : keepdim ? x1.shape.map((s, i) => (i === d ? 1 : s)) : x1.shape.filter((_, i) => i !== d);
  return twice(composite('ProdBackward1', [src], () => reshape(productAlong(x1, d, outType), outShape),
    (g) => [reshape(mul(reshape(g, x1.shape.map((s, i) => (i === d ? 1 : s))), exclusiveProducts(x1, d)), [...src.shape])], src));
}

// =============================================================== logical

/** x's elements as bool: nonzero (NaN too) is true. */
const truth = (x: Tensor) => (x.dtype === 'bool' ? x : compare('ne', x, 0));
function logicalArgs(fn: string, a: Tensor, b: Tensor): [Tensor, Tensor] {
  checkTensor(fn, a); checkTensor(fn, b, 'other');
  return [truth(a), truth(b)];
}
/** Elementwise: both nonzero (bool; any dtypes, broadcast). */
export function logicalAnd(a: Tensor, b: Tensor): Tensor { const [p, q] = logicalArgs('logical_and', a, b); return where(p, q, false); }
/** Elementwise: either nonzero. */
export function logicalOr(a: Tensor, b: Tensor): Tensor { const [p, q] = logicalArgs('logical_or', a, b); return where(p, true, q); }
/** Elementwise: exactly one nonzero. */
export function logicalXor(a: Tensor, b: Tensor): Tensor { const [p, q] = logicalArgs('logical_xor', a, b); return compare('ne', p, q); }
/** Elementwise: zero (NaN is not). */
export function logicalNot(x: Tensor): Tensor { checkTensor('logical_not', x); return compare('eq', x, 0); }

// =============================================================== rearrangements

/** x with dims d0 and d1 swapped (a view; TransposeBackward0). */
export function swapaxes(x: Tensor, d0: number, d1: number): Tensor { checkTensor('swapaxes', x); return x.transpose(d0, d1); }
export function swapdims(x: Tensor, d0: number, d1: number): Tensor { checkTensor('swapdims', x); return x.transpose(d0, d1); }
/**
 * x's dims at `source` moved to `destination`, the others keeping their order (a view; PermuteBackward0).
 */
export function movedim(x: Tensor, source: number | number[], destination: number | number[]): Tensor {
  checkTensor('movedim', x);
  const src = (Array.isArray(source) ? source : [source]).map((v) => normDim(v, x.ndim));
  const dst = (Array.isArray(destination) ? destination : [destination]).map((v) => normDim(v, x.ndim));
  if (src.length !== dst.length) {
    throw new Error(`movedim: Invalid source or destination dims: source (${fmtShape(Array.isArray(source) ? source : [source])} dims) should contain the same number of dims as destination (${fmtShape(Array.isArray(destination) ? destination : [destination])} dims)`);
  }
  const repeated = (l: number[]) => l.some((v, i) => l.indexOf(v) !== i);
  if (repeated(src)) throw new Error(`movedim: repeated dim in \`source\` (${fmtShape(Array.isArray(source) ? source : [source])})`);
  if (repeated(dst)) throw new Error(`movedim: repeated dim in \`destination\` (${fmtShape(Array.isArray(destination) ? destination : [destination])})`);
  if (x.ndim === 0) return x.permute([]);
  const order = new Array<number>(x.ndim).fill(-1);
  src.forEach((s, i) => { order[dst[i]] = s; });
  const rest = x.shape.map((_, i) => i).filter((i) => !src.includes(i));
  for (let i = 0, k = 0; i < order.length; i++) if (order[i] < 0) order[i] = rest[k++];
  return x.permute(order);
}

/** The diagonal of dims d0 < d1 (equal sizes) as the last dim, those two removed (torch.diagonal(x, 0, d0, d1)). */
function diagonalOf(x: Tensor, d0: number, d1: number): Tensor {
  const n = x.shape[d0];
  const others = x.shape.map((_, i) => i).filter((i) => i !== d0 && i !== d1);
  const moved = reshape(x.permute([...others, d0, d1]), [...others.map((i) => x.shape[i]), n * n]);
  return indexSelect(moved, moved.ndim - 1, arange(0, Math.max(1, n * n), n + 1, { device: deviceName(x.device) }).narrow(0, 0, n));
}

// =============================================================== einsum

const ELLIPSIS = 52;
const labelIndex = (c: string) => (c >= 'A' && c <= 'Z' ? c.charCodeAt(0) - 65 : 26 + c.charCodeAt(0) - 97);
const labelChar = (s: number) => String.fromCharCode(s < 26 ? 65 + s : 97 + s - 26);
const isLetter = (c: string) => /^[A-Za-z]$/.test(c);

/**
 * Einstein summation (torch.einsum): 'ij,jk->ik', 'bij,bjk->bik', 'ii->i', 'ii', 'i,j->ij',
 * '...ij,...jk->...ik'. Without '->' the output is the ellipsis' dims, then the labels that appear once, in
 * alphabetical order (capitals first). Repeated labels in one operand take its diagonal; labels missing
 * from the output are summed. Operands are combined left to right, each pair's contraction as one
 * batched matmul; gradients come from the ops it is made of. PyTorch's checks and messages.
 */
export function einsum(equation: string, ...operandsArg: Array<Tensor | Tensor[]>): Tensor {
  const operands = operandsArg.length === 1 && Array.isArray(operandsArg[0]) ? operandsArg[0] : (operandsArg as Tensor[]);
  if (typeof equation !== 'string' || operands.length === 0) throw new Error('einsum(): must specify the equation string and at least one operand, or at least one operand and its subscripts list');
  operands.forEach((t, i) => checkTensor('einsum', t, `operands[${i}]`));
  const numOps = operands.length;
  const arrow = equation.indexOf('->');
  const lhs = arrow < 0 ? equation : equation.slice(0, arrow);
  const opLabels: number[][] = operands.map(() => []);
  let foundEll = false, cur = 0;
  for (let i = 0; i < lhs.length; i++) {
    const c = lhs[i];
    if (c === ' ') continue;
    if (c === '.') {
      if (foundEll) throw new Error(`einsum(): found '.' for operand ${cur} for which an ellipsis was already found`);
      if (!(i + 2 < lhs.length && lhs[++i] === '.' && lhs[++i] === '.')) throw new Error(`einsum(): found '.' for operand ${cur} that is not part of any ellipsis`);
      opLabels[cur].push(ELLIPSIS);
      foundEll = true;
    } else if (c === ',') {
      cur++;
      if (cur >= numOps) throw new Error('einsum(): fewer operands were provided than specified in the equation');
      foundEll = false;
    } else {
      if (!isLetter(c)) throw new Error(`einsum(): invalid subscript given at index ${i} in the equation string, subscripts must be in [a-zA-Z]`);
      opLabels[cur].push(labelIndex(c));
    }
  }
  if (cur !== numOps - 1) throw new Error('einsum(): more operands were provided than specified in the equation');

  const labelCount = new Array<number>(52).fill(0);
  let ellNumDim = 0;
  operands.forEach((t, i) => {
    let nlabels = opLabels[i].length, hasEll = false;
    for (const l of opLabels[i]) {
      if (l === ELLIPSIS) { nlabels--; hasEll = true; ellNumDim = Math.max(ellNumDim, t.ndim - nlabels); } else labelCount[l]++;
    }
    if (hasEll ? nlabels > t.ndim : nlabels !== t.ndim) {
      throw new Error(`einsum(): the number of subscripts in the equation (${nlabels}) ${hasEll ? 'is more than' : 'does not match'} the number of dimensions (${t.ndim}) for operand ${i}${hasEll ? '' : ' and no ellipsis was given'}`);
    }
  });

  // Every label's place in the aligned shape: the output's dims, then the ones summed out.
  const permIndex = new Array<number>(52).fill(-1);
  let perm = 0, ellIndex = 0;
  foundEll = false;
  if (arrow < 0) {
    perm = ellNumDim;
    foundEll = true;
    for (let l = 0; l < 52; l++) if (labelCount[l] === 1) permIndex[l] = perm++;
  } else {
    const rhs = equation.slice(arrow + 2);
    for (let i = 0; i < rhs.length; i++) {
      const c = rhs[i];
      if (c === ' ') continue;
      if (c === '.') {
        if (foundEll) throw new Error("einsum(): found '.' for output but an ellipsis (...) was already found");
        if (!(i + 2 < rhs.length && rhs[++i] === '.' && rhs[++i] === '.')) throw new Error("einsum(): found '.' for output that is not part of any ellipsis (...)");
        ellIndex = perm;
        perm += ellNumDim;
        foundEll = true;
      } else {
        if (!isLetter(c)) throw new Error(`einsum(): invalid subscript given at index ${lhs.length + 2 + i} in the equation string, subscripts must be in [a-zA-Z]`);
        const l = labelIndex(c);
        if (!(labelCount[l] > 0 && permIndex[l] === -1)) {
          throw new Error(`einsum(): output subscript ${c}${permIndex[l] > -1 ? ' appears more than once in the output' : ' does not appear in the equation for any input operand'}`);
        }
        permIndex[l] = perm++;
      }
    }
  }
  const outSize = perm;
  if (!foundEll) { ellIndex = perm; perm += ellNumDim; }
  for (let l = 0; l < 52; l++) if (labelCount[l] > 0 && permIndex[l] === -1) permIndex[l] = perm++;

  // Each operand: diagonals of repeated labels, size-1 dims for missing labels, permuted to the aligned order.
  const labelSize = new Array<number>(52).fill(1), ellSizes = new Array<number>(ellNumDim).fill(1);
  const dev = operands[0].device, dtype = operands[0].dtype;
  const ops = operands.map((t, i) => {
    if (t.device !== dev) throw new Error(`Expected all tensors to be on the same device, but found at least two devices, ${deviceName(dev)} and ${deviceName(t.device)}! (when checking arguments for einsum)`);
    if (t.dtype !== dtype) throw new Error(`expected scalar type ${SCALAR_TYPE[dtype]} but found ${SCALAR_TYPE[t.dtype]}`);
    let op = t;
    const permutation = new Array<number>(perm).fill(-1);
    let dim = 0;
    for (const s of opLabels[i]) {
      if (s === ELLIPSIS) {
        const ndim = t.ndim - (opLabels[i].length - 1);
        for (let j = ellNumDim - ndim; j < ellNumDim; j++) {
          const sz = op.shape[dim];
          if (sz !== 1) {
            if (!(ellSizes[j] === 1 || ellSizes[j] === sz)) {
              throw new Error(`einsum(): dimension ${dim} covered by ellipsis in operand ${i}has size ${sz} which does not broadcast with previously seen ellipsis with size ${ellSizes[j]} for the respective dimension`);
            }
            ellSizes[j] = sz;
          }
          permutation[ellIndex + j] = dim++;
        }
      } else if (permutation[permIndex[s]] === -1) {
        const sz = op.shape[dim];
        if (sz !== 1) {
          if (!(labelSize[s] === 1 || labelSize[s] === sz)) {
            throw new Error(`einsum(): subscript ${labelChar(s)} has size ${sz} for operand ${i} which does not broadcast with previously seen size ${labelSize[s]}`);
          }
          labelSize[s] = sz;
        }
        permutation[permIndex[s]] = dim++;
      } else {
        const prev = permutation[permIndex[s]];
        if (op.shape[dim] !== op.shape[prev]) {
          throw new Error(`einsum(): subscript ${labelChar(s)} is repeated for operand ${i} but the sizes don't match, ${op.shape[dim]} != ${op.shape[prev]}`);
        }
        op = movedim(diagonalOf(op, prev, dim), -1, prev);
      }
    }
    for (let k = 0; k < permutation.length; k++) {
      if (permutation[k] === -1) { op = op.unsqueeze(dim); permutation[k] = dim++; }
    }
    return op.permute(permutation);
  });

  const contracted = Array.from({ length: perm - outSize }, (_, k) => outSize + k);
  let result = ops[0];
  if (numOps === 1) {
    if (contracted.length) result = sum(result, contracted);
    return result;
  }
  for (let i = 1; i < numOps; i++) {
    // Summed dims no later operand has: contracted in this pair (or summed first by the one that has them).
    const later = ops.slice(i + 1);
    const sumDims = contracted.filter((k) => later.every((t) => t.shape[k] === 1));
    result = contractPair(result, ops[i], sumDims);
  }
  return reshape(result, result.shape.slice(0, outSize));
}

/**
 * a·b (both of the aligned rank, broadcasting) summed over sumDims, those left as size 1: one batched
 * matmul of [batch, a's own, summed] by [batch, summed, b's own].
 */
function contractPair(a: Tensor, b: Tensor, sumDims: number[]): Tensor {
  const batch: number[] = [], left: number[] = [], right: number[] = [], red: number[] = [];
  for (let k = 0; k < a.ndim; k++) {
    const sa = a.shape[k], sb = b.shape[k];
    if (sumDims.includes(k)) {
      if (sa !== 1 && sb !== 1) red.push(k);
      else if (sa !== 1) a = sum(a, [k], true);
      else if (sb !== 1) b = sum(b, [k], true);
    } else if (sa !== 1 && sb !== 1) batch.push(k);
    else if (sa !== 1) left.push(k);
    else if (sb !== 1) right.push(k);
  }
  const size = (t: Tensor, ks: number[]) => ks.reduce((p, k) => p * t.shape[k], 1);
  const restOf = (used: number[]) => a.shape.map((_, k) => k).filter((k) => !used.includes(k));
  const am = reshape(a.permute([...batch, ...left, ...red, ...restOf([...batch, ...left, ...red])]), [size(a, batch), size(a, left), size(a, red)]);
  const bm = reshape(b.permute([...batch, ...red, ...right, ...restOf([...batch, ...red, ...right])]), [size(b, batch), size(b, red), size(b, right)]);
  const r = matmul(am, bm);
  const order = [...batch, ...left, ...right], rest = restOf(order);
  const laid = reshape(r, [...batch.map((k) => a.shape[k]), ...left.map((k) => a.shape[k]), ...right.map((k) => b.shape[k]), ...rest.map(() => 1)]);
  // laid's dim j holds aligned dim [...order, ...rest][j]: permute by the inverse.
  const all = [...order, ...rest], inv = new Array<number>(all.length);
  all.forEach((k, j) => { inv[k] = j; });
  return laid.permute(inv);
}

// =============================================================== meshgrid

export interface MeshgridOptions { indexing?: 'ij' | 'xy' }
let meshgridWarned = false;
/**
 * Coordinate grids of 1-D (or 0-d) tensors: output i varies along dim i ('ij'), or with the first two
 * dims swapped ('xy', as numpy's). Views (expanded). Without `indexing` PyTorch 1.13 warns once and
 * uses 'ij'; so does this (process.emitWarning). Pass the tensors as arguments or as one array, options last.
 */
export function meshgrid(...args: Array<Tensor | Tensor[] | MeshgridOptions>): Tensor[] {
  let o: MeshgridOptions | undefined;
  if (args.length && !(args[args.length - 1] instanceof Tensor) && !Array.isArray(args[args.length - 1])) o = args.pop() as MeshgridOptions;
  const tensors = (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) as Tensor[];
  if (o?.indexing === undefined) {
    if (!meshgridWarned) {
      meshgridWarned = true;
      process.emitWarning('torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.', 'UserWarning');
    }
  }
  const indexing = o?.indexing ?? 'ij';
  if (indexing !== 'ij' && indexing !== 'xy') throw new Error(`torch.meshgrid: indexing must be one of "xy" or "ij", but received: ${String(indexing)}`);
  if (tensors.length === 0) throw new Error('meshgrid expects a non-empty TensorList');
  tensors.forEach((t, i) => checkTensor('meshgrid', t, `tensors[${i}]`));
  for (const t of tensors) {
    if (t.ndim > 1) throw new Error(`torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got a ${t.ndim}-D tensor of shape ${fmtShape(t.shape)}`);
    if (t.dtype !== tensors[0].dtype) throw new Error('meshgrid expects all tensors to have the same dtype');
    if (t.device !== tensors[0].device) throw new Error('meshgrid expects all tensors to have the same device');
  }
  // 'xy': the grids of the first two swapped, then swapped back (tensor 0 varies along dim 1, tensor 1 along dim 0).
  const swap = indexing === 'xy' && tensors.length >= 2;
  const ts = swap ? [tensors[1], tensors[0], ...tensors.slice(2)] : tensors;
  const shape = ts.map((t) => t.numel());
  const grids = ts.map((t, i) => reshape(t, shape.map((s, j) => (i === j ? s : 1))).expand(shape));
  return swap ? [grids[1], grids[0], ...grids.slice(2)] : grids;
}

// =============================================================== diff, count_nonzero

/**
 * The n-th forward difference along dim (out[i] = x[i+1] − x[i], n times; bool: x[i+1] xor x[i]),
 * with prepend / append joined along dim first (same rank as x).
 */
export function diff(x: Tensor, n = 1, dim = -1, prepend?: Tensor | null, append?: Tensor | null): Tensor {
  checkTensor('diff', x);
  if (x.ndim === 0) throw new Error('diff expects input to be at least one-dimensional');
  if (!Number.isInteger(n)) throw new Error(`diff(): n must be an integer, got ${n}`);
  const d = normDim(dim, x.ndim);
  const parts: Tensor[] = [];
  for (const [t, what] of [[prepend, 'prepend'], [x, 'input'], [append, 'append']] as const) {
    if (t === undefined || t === null) continue;
    checkTensor('diff', t, what);
    if (t.ndim !== x.ndim) throw new Error('diff expects prepend or append to be the same dimension as input');
    parts.push(t);
  }
  let r = parts.length > 1 ? cat(parts, d) : x;
  if (n <= 0) return r === x ? x.clone() : r;
  for (let k = 0; k < n; k++) {
    const len = r.shape[d];
    if (len <= 1) return narrow(r, d, 0, 0).clone();
    const hi = narrow(r, d, 1, len - 1), lo = narrow(r, d, 0, len - 1);
    r = r.dtype === 'bool' ? compare('ne', hi, lo) : sub(hi, lo);
  }
  return r;
}

/** The number of nonzero elements (NaN counts) in all of x or over dims, int64. */
export function countNonzero(x: Tensor, dim?: number | number[]): Tensor {
  checkTensor('count_nonzero', x);
  const axes = normAxes(x, dim);
  return sum(compare('ne', x, 0), dim === undefined ? undefined : axes);
}

// =============================================================== elementwise

/** Both operands as their promoted floating dtype (PyTorch's kernels here exist for floats only). */
function floatPair(fn: string, a: Tensor, b: Tensor): [Tensor, Tensor] {
  checkTensor(fn, a); checkTensor(fn, b, 'other');
  const dt = resultType([{ dtype: a.dtype, dim: a.ndim }, { dtype: b.dtype, dim: b.ndim }]);
  if (!isFloat(dt)) throw new Error(`"${fn}_cpu" not implemented for '${SCALAR_TYPE[dt]}'`);
  return [a.dtype === dt ? a : a.to({ dtype: dt }), b.dtype === dt ? b : b.to({ dtype: dt })];
}

/** log(e^a + e^b) without overflow (LogaddexpBackward0): max + log1p(e^−|a−b|); equal infinities give
 * themselves. The gradients as PyTorch's: g / (1 + e^(b−a)) and g / (1 + e^(a−b)). */
export function logaddexp(a: Tensor, b: Tensor): Tensor {
  const [p, q] = floatPair('logaddexp', a, b);
  return twice(composite('LogaddexpBackward0', [p, q], () => {
    const same = where(isinf(p), compare('eq', p, q), false);
    return where(same, p, add(maximum(p, q), log1p(exp(abs(sub(p, q)).neg()))));
  }, (g) => [
    p.requiresGrad ? sumToShape(div(g, add(exp(sub(q, p)), 1)), [...p.shape]) : null,
    q.requiresGrad ? sumToShape(div(g, add(exp(sub(p, q)), 1)), [...q.shape]) : null,
  ], p, q));
}

/** √(a² + b²), scaled by the larger magnitude so that it neither overflows nor underflows; inf if
 * either is infinite (HypotBackward0: g·a/out, g·b/out). */
export function hypot(a: Tensor, b: Tensor): Tensor {
  const [p, q] = floatPair('hypot', a, b);
  let out!: Tensor;
  return twice(composite('HypotBackward0', [p, q], () => {
    const ap = abs(p), aq = abs(q), m = maximum(ap, aq);
    const small = where(compare('eq', m, 0), 0, div(where(compare('lt', ap, aq), ap, aq), m));
    const r = mul(m, sqrt(add(mul(small, small), 1)));
    return (out = where(where(isinf(p), true, isinf(q)), Infinity, where(compare('eq', m, 0), 0, r)));
  }, (g) => [
    p.requiresGrad ? sumToShape(mul(g, div(p, out)), [...p.shape]) : null,
    q.requiresGrad ? sumToShape(mul(g, div(q, out)), [...q.shape]) : null,
  ], p, q, out));
}

function scaled(fn: string, node: string, x: Tensor, k: number): Tensor {
  checkTensor(fn, x);
  const xf = isFloat(x.dtype) ? x : x.to({ dtype: getDefaultDtype() });
  return twice(composite(node, [xf], () => mul(xf, k), (g) => [mul(g, k)]));
}
/** Degrees to radians (integers give float32; Deg2RadBackward0). */
export function deg2rad(x: Tensor): Tensor { return scaled('deg2rad', 'Deg2RadBackward0', x, Math.PI / 180); }
/** Radians to degrees (Rad2DegBackward0). */
export function rad2deg(x: Tensor): Tensor { return scaled('rad2deg', 'Rad2DegBackward0', x, 180 / Math.PI); }

/** x − trunc(x), the fractional part with x's sign (floats only; FracBackward0). */
export function frac(x: Tensor): Tensor {
  checkTensor('frac', x);
  if (!isFloat(x.dtype)) throw new Error(`"frac_cpu" not implemented for '${SCALAR_TYPE[x.dtype]}'`);
  return twice(composite('FracBackward0', [x], () => sub(x, trunc(x)), (g) => [g]));
}

export interface NanToNumOptions { nan?: number; posinf?: number; neginf?: number }
const LARGEST: Partial<Record<DType, number>> = { float32: 3.4028234663852886e38, float64: Number.MAX_VALUE };
/**
 * NaN, +inf and −inf replaced by `nan` (0), `posinf` and `neginf` (by default the dtype's largest and
 * smallest finite values). Integer and bool tensors come back as a copy. NanToNumBackward0: the gradient
 * passes where x is finite.
 */
export function nanToNum(x: Tensor, o: NanToNumOptions = {}): Tensor {
  checkTensor('nan_to_num', x);
  if (!isFloat(x.dtype)) return x.clone();
  const big = LARGEST[x.dtype]!;
  const pos = o.posinf ?? big, negv = o.neginf ?? -big, nanv = o.nan ?? 0;
  return twice(composite('NanToNumBackward0', [x], () =>
    where(isnan(x), nanv, where(compare('eq', x, Infinity), pos, where(compare('eq', x, -Infinity), negv, x))),
  (g) => [mul(g, isfinite(x))], x));
}
