/**
 * torch.linalg (`torch.linalg.inv(A)`, …) and the top-level aliases torch.inverse, det, logdet, slogdet,
 * pinverse: PyTorch 1.13's linear algebra, composed of the frontend's ops (troupe has no linear-algebra
 * kernel, so every function runs wherever its input lives, CPU workers or the GPU). Each factorization is
 * a JS loop over the matrix size n whose every step is a handful of whole-batch tensor ops (narrow,
 * where, argmax, gather, matmul, …) on [..., n, n]: batching over leading dims is free, and a call
 * costs O(n) (Gauss–Jordan, Cholesky, Householder QR) or O(n · sweeps) (Jacobi eigh/svd) op launches:
 * meant for n up to a few hundred.
 *
 * - inv, solve, det, slogdet, logdet: Gauss–Jordan elimination with partial pivoting (the LU pivots
 *   LAPACK's getrf picks: the first largest |a| in the column). Gradients are PyTorch's closed forms:
 *   inv −A⁻ᵀ g A⁻ᵀ, det g·det·A⁻ᵀ, slogdet g·A⁻ᵀ, solve gB = A⁻ᵀ g, gA = −gB Xᵀ.
 * - Singular input: PyTorch raises (inv, solve, cholesky). Values are not read back here, so the check
 *   runs only where A is on the CPU and final (runtime valuesNow: nothing queued): a float64 LU on the
 *   host finds the first zero pivot and raises PyTorch's message. Otherwise (GPU, or an A still being
 *   computed) a zero pivot yields inf/NaN in the result, without an error. det/slogdet of a singular A
 *   are exact (0, sign 0, −inf) as PyTorch's; their gradients there are NaN (PyTorch's come from an SVD).
 * - vectorNorm, matrixNorm ('fro', 'nuc', ±1, ±inf, ±2), norm.
 * - cholesky (lower, or upper), with PyTorch's backward (L⁻ᵀ Φ(Lᵀ gL) L⁻¹, symmetrized).
 * - qr: Householder reflections with LAPACK's sign convention (R's diagonal −sign(a)·‖x‖), so Q and R
 *   are PyTorch's; gradients through the composed ops.
 * - eigh / eigvalsh: cyclic Jacobi (round-robin, n/2 rotations at once), a fixed number of sweeps;
 *   eigenvalues ascending; eigenvector signs are arbitrary (LAPACK's differ): compare up to sign per
 *   column. PyTorch's backward (V (diag(gL) + skew(VᵀgV)/E) Vᵀ).
 * - svd / svdvals: one-sided (Hestenes) Jacobi, the same rounds; pinv (via svd, rcond/atol/rtol, hermitian), matrixRank, lstsq (via pinv).
 *
 * (This module imports tensor.ts, which does not import it: nothing here runs at load time.)
 */
import {
  Tensor, SCALAR_TYPE, abs, add, arange, argmax, cat, checkTensor, compare, composite, isCreatingGraph, twice, deviceName, div, eye, format, gather, log, matmul, mul, narrow,
  neg, pow, reshape, sign, sqrt, sub, sum, sumToShape, tensor, where, zeros, type Operand,
} from './tensor.ts';
import { amax, amin } from './ops-more.ts';
import { sort } from './ops-sort.ts';
import { noGrad } from './autograd/graph.ts';
import * as rt from './runtime/runtime.ts';
import { isFloat } from './dtype.ts';
import { broadcastShapes, fmtShape, normDim } from './shape.ts';
import { cross as crossImpl } from './ops-misc.ts';
import { prod } from './ops-extra.ts';
import { tril } from './ops-more.ts';

const amaxOf = (x: Tensor, axes: number[]) => amax(x, axes, true);
const aminOf = (x: Tensor, axes: number[]) => amin(x, axes, true);

const dev = (x: Tensor) => ({ device: deviceName(x.device) });
const lastTwo = (x: Tensor) => x.shape.slice(-2);

// =============================================================== checks

function checkFloatInput(name: string, A: Tensor, what = 'input'): void {
  if (!isFloat(A.dtype)) throw new Error(`${name}: Expected a floating point or complex tensor as ${what}. Got ${SCALAR_TYPE[A.dtype]}`);
}
function checkMatrix(name: string, A: Tensor, what = 'A'): void {
  checkTensor(name, A, what);
  if (A.ndim < 2) throw new Error(`${name}: The input tensor ${what} must have at least 2 dimensions.`);
  checkFloatInput(name, A);
}
function checkSquare(name: string, A: Tensor, what = 'A'): void {
  checkMatrix(name, A, what);
  const [r, c] = lastTwo(A);
  if (r !== c) throw new Error(`${name}: ${what} must be batches of square matrices, but they are ${r} by ${c} matrices`);
}

/** A's matrices as float64 arrays, when its values are on the CPU and final (nothing queued), else null. */
function hostMatrices(A: Tensor): Float64Array[] | null {
  const data = rt.valuesNow(A.storage);
  if (!data) return null;
  const [r, c] = lastTwo(A), lead = A.shape.slice(0, -2), nb = lead.reduce((p, s) => p * s, 1);
  const st = A.strides, nd = A.ndim;
  const out: Float64Array[] = [];
  for (let b = 0; b < nb; b++) {
    let off = A.offset, rem = b;
    for (let d = lead.length - 1; d >= 0; d--) { off += (rem % lead[d]) * st[d]; rem = Math.floor(rem / lead[d]); }
    const m = new Float64Array(r * c);
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) m[i * c + j] = Number(data[off + i * st[nd - 2] + j * st[nd - 1]]);
    out.push(m);
  }
  return out;
}
const batchPrefix = (A: Tensor, b: number) => (A.ndim > 2 ? `(Batch element ${b}): ` : '');

/** The 1-based index of the first zero pivot of an LU with partial pivoting of the n×n matrix m (0: none). */
function firstZeroPivot(m: Float64Array, n: number): number {
  const a = Float64Array.from(m);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i * n + k]) > Math.abs(a[p * n + k])) p = i;
    if (a[p * n + k] === 0) return k + 1;
    if (p !== k) for (let j = 0; j < n; j++) { const t = a[k * n + j]; a[k * n + j] = a[p * n + j]; a[p * n + j] = t; }
    for (let i = k + 1; i < n; i++) {
      const f = a[i * n + k] / a[k * n + k];
      for (let j = k; j < n; j++) a[i * n + j] -= f * a[k * n + j];
    }
  }
  return 0;
}
/** PyTorch's error for a singular A (inv: which pivot; solve: one sentence), when A's values can be seen now. */
function checkInvertible(name: 'linalg.inv' | 'linalg.solve', A: Tensor): void {
  const ms = hostMatrices(A);
  if (!ms) return;
  const n = A.shape[A.ndim - 1];
  ms.forEach((m, b) => {
    const k = firstZeroPivot(m, n);
    if (k === 0) return;
    if (name === 'linalg.solve') throw new Error('torch.linalg.solve: The solver failed because the input matrix is singular.');
    throw new Error(`linalg.inv: ${batchPrefix(A, b)}The diagonal element ${k} is zero, the inversion could not be completed because the input matrix is singular.`);
  });
}
/** PyTorch's error for a matrix that is not positive-definite (reading the lower triangle, as LAPACK's potrf). */
function checkPositiveDefinite(A: Tensor, upper: boolean): void {
  const ms = hostMatrices(A);
  if (!ms) return;
  const n = A.shape[A.ndim - 1];
  ms.forEach((m0, b) => {
    const m = upper ? Float64Array.from({ length: n * n }, (_, i) => m0[(i % n) * n + Math.floor(i / n)]) : m0;
    const L = new Float64Array(n * n);
    for (let j = 0; j < n; j++) {
      let d = m[j * n + j];
      for (let k = 0; k < j; k++) d -= L[j * n + k] * L[j * n + k];
      if (!(d > 0)) {
        throw new Error(`linalg.cholesky: ${batchPrefix(A, b)}The factorization could not be completed because the input is not positive-definite (the leading minor of order ${j + 1} is not positive-definite).`);
      }
      L[j * n + j] = Math.sqrt(d);
      for (let i = j + 1; i < n; i++) {
        let s = m[i * n + j];
        for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
        L[i * n + j] = s / L[j * n + j];
      }
    }
  });
}

// =============================================================== helpers

/** 0..n-1 as an [n, 1] int64 column on x's device. */
const rowIndex = (n: number, x: Tensor) => reshape(arange(n, dev(x)), [n, 1]);
/** The main diagonals of [..., n, n] as [..., n] (a gather: inf/NaN elsewhere do not leak in). */
function diagOf(A: Tensor): Tensor {
  const n = Math.min(...lastTwo(A));
  const idx = rowIndex(n, A).expand([...A.shape.slice(0, -2), n, 1]);
  return reshape(gather(narrow(A, -2, 0, n), -1, idx), [...A.shape.slice(0, -2), n]);
}
/** v ([..., n]) on the diagonal of [..., n, n] zeros. */
function diagMatrix(v: Tensor): Tensor {
  const n = v.shape[v.ndim - 1];
  const e = eye(n, { dtype: v.dtype, device: deviceName(v.device) });
  return mul(v.unsqueeze(-1), e);
}
const eyeLike = (n: number, A: Tensor) => eye(n, { dtype: A.dtype, device: deviceName(A.device) });
const mT = (x: Tensor) => x.transpose(-2, -1);

interface Elimination { X: Tensor | null; pivots: Tensor; sign: Tensor }
/**
 * Gaussian elimination with partial pivoting of A ([..., n, n]) on [A | B]: per column k, the first row
 * ≥ k with the largest |a| is swapped to row k (a gather), then the column is cleared below k (jordan:
 * above too, with row k scaled to pivot 1, so that B becomes A⁻¹B). The pivots (U's diagonal), the
 * permutation's sign, and A⁻¹B (jordan). safe: a zero pivot divides by 1 (its column below is already
 * zero), so that det is 0 rather than NaN. About 14 ops a column.
 */
function eliminate(A: Tensor, B: Tensor | null, jordan: boolean, safe: boolean): Elimination {
  const n = A.shape[A.ndim - 1];
  const lead = A.shape.slice(0, -2);
  let M = B ? cat([A, B], -1) : A;
  const W = M.shape[M.ndim - 1];
  const rows = rowIndex(n, A);
  let sgn: Tensor = zeros([...lead, 1, 1], { dtype: A.dtype, ...dev(A) }).add(1);
  const pivots: Tensor[] = [];
  for (let k = 0; k < n; k++) {
    let col = narrow(M, -1, k, 1);
    if (k < n - 1) {
      const cand = where(compare('ge', rows, k), abs(col), -1);
      const p = argmax(cand, -2, true); // [..., 1, 1]
      const idx = where(compare('eq', rows, k), p, where(compare('eq', rows, p), k, rows));
      M = gather(M, -2, idx.expand([...lead, n, W]));
      sgn = where(compare('eq', p, k), sgn, neg(sgn));
      col = narrow(M, -1, k, 1);
    }
    const pivRow = narrow(M, -2, k, 1);
    const pv = narrow(pivRow, -1, k, 1);
    pivots.push(pv);
    if (!jordan && k === n - 1) break;
    if (jordan) {
      const r = div(pivRow, safe ? where(compare('eq', pv, 0), 1, pv) : pv);
      // Row k - (pv - 1)·r = r; other rows i - a_ik·r.
      const f = where(compare('eq', rows, k), sub(col, 1), col);
      M = sub(M, mul(f, r));
    } else {
      const r = div(pivRow, where(compare('eq', pv, 0), 1, pv));
      const f = where(compare('gt', rows, k), col, 0);
      M = sub(M, mul(f, r));
    }
  }
  return {
    X: jordan && B ? narrow(M, -1, n, W - n) : null,
    pivots: reshape(cat(pivots, -1), [...lead, n]),
    sign: reshape(sgn, lead),
  };
}

// =============================================================== inv, solve, det, slogdet

/** A⁻¹ for square A ([..., n, n], float): Gauss–Jordan on [A | I] (LinalgInvExBackward0). */
export function inv(A: Tensor): Tensor {
  checkSquare('linalg.inv', A);
  checkInvertible('linalg.inv', A);
  let out!: Tensor;
  // (out is the node's output: its backward, −A⁻ᵀ g A⁻ᵀ, is recorded through it)
  return twice(composite('LinalgInvExBackward0', [A], () => {
    const n = A.shape[A.ndim - 1];
    if (n === 0) return (out = A.clone());
    const I = eyeLike(n, A).expand([...A.shape]);
    return (out = eliminate(A, I, true, false).X!);
  }, (g) => {
    const it = mT(out);
    return [neg(matmul(it, matmul(g, it)))];
  }, out));
}
/** torch.inverse: linalg.inv. */
export const inverse = inv;

/**
 * X with A X = B: A [..., n, n], B [..., n, k] or a batch of vectors [..., n] (B 1-D, or B's shape A's
 * without the last dim, as PyTorch 1.13 decides); batch dims broadcast (LinalgSolveExBackward0).
 */
export function solve(A: Tensor, B: Tensor, o: { left?: boolean } = {}): Tensor {
  checkSquare('linalg.solve', A);
  checkTensor('linalg.solve', B, 'B');
  if (o.left === false) return mT(solve(mT(A), mT(B)));
  if (A.dtype !== B.dtype) throw new Error(`linalg.solve: Expected A and B to have the same dtype, but found A of type ${SCALAR_TYPE[A.dtype]} and B of type ${SCALAR_TYPE[B.dtype]} instead`);
  const n = A.shape[A.ndim - 1];
  const vector = B.ndim === 1 || (B.ndim === A.ndim - 1 && B.shape.every((s, i) => s === A.shape[i]));
  const B2 = vector ? B.unsqueeze(-1) : B;
  if (B2.shape[B2.ndim - 2] !== n) {
    throw new Error(`linalg.solve: Incompatible shapes of A and B for the equation AX = B (${n}x${n} and ${B2.shape[B2.ndim - 2]}x${B2.shape[B2.ndim - 1]})`);
  }
  checkInvertible('linalg.solve', A);
  const lead = broadcastShapes(A.shape.slice(0, -2), B2.shape.slice(0, -2));
  const Ab = A.expand([...lead, n, n]), Bb = B2.expand([...lead, n, B2.shape[B2.ndim - 1]]);
  let X2!: Tensor;
  const outShape = vector ? [...lead, n] : [...Bb.shape];
  const res: Tensor = composite('LinalgSolveExBackward0', [A, B], () => {
    X2 = n === 0 ? Bb.clone() : eliminate(Ab, Bb, true, false).X!;
    return reshape(X2, outShape);
  }, (g) => {
    // (X2 was made without recording, and is not the output itself where B is a vector: a createGraph
    // pass reads X through the output, recorded)
    const X = isCreatingGraph() ? reshape(res, [...X2.shape]) : X2;
    const gB = solve(mT(Ab), reshape(g, [...X.shape]));
    return [
      A.requiresGrad ? sumToShape(neg(matmul(gB, mT(X))), [...A.shape]) : null,
      B.requiresGrad ? reshape(sumToShape(gB, [...B2.shape]), [...B.shape]) : null,
    ];
  }, A, X2);
  return twice(res);
}

/** The determinants of [..., n, n]: the LU pivots' product times the permutation's sign (LinalgDetBackward0). */
export function det(A: Tensor): Tensor {
  checkSquare('linalg.det', A);
  let out!: Tensor;
  // (out is the node's output; inv(A) is recorded)
  return twice(composite('LinalgDetBackward0', [A], () => {
    const n = A.shape[A.ndim - 1];
    if (n === 0) return (out = zeros(A.shape.slice(0, -2), { dtype: A.dtype, ...dev(A) }).add(1));
    const e = eliminate(A, null, false, true);
    return (out = mul(e.sign, prod(e.pivots, -1)));
  }, (g) => [mul(mul(g, out).unsqueeze(-1).unsqueeze(-1), mT(inv(A)))], A, out));
}

/** linalg.slogdet's result: sign and log|det| (torch.return_types.linalg_slogdet); destructures as an object or [sign, logabsdet]. */
export class SignLogAbsDet {
  constructor(readonly sign: Tensor, readonly logabsdet: Tensor) {}
  *[Symbol.iterator](): Iterator<Tensor> { yield this.sign; yield this.logabsdet; }
  async format(): Promise<string> { return `torch.return_types.linalg_slogdet(\nsign=${await format(this.sign)},\nlogabsdet=${await format(this.logabsdet)})`; }
}
function slogdetImpl(name: string, A: Tensor): SignLogAbsDet {
  checkSquare(name, A);
  let s!: Tensor;
  const logabsdet = twice(composite('LinalgSlogdetBackward0', [A], () => {
    const n = A.shape[A.ndim - 1];
    if (n === 0) { s = zeros(A.shape.slice(0, -2), { dtype: A.dtype, ...dev(A) }).add(1); return mul(s, 0); }
    const e = eliminate(A, null, false, true);
    s = mul(e.sign, prod(sign(e.pivots), -1));
    return sum(log(abs(e.pivots)), -1);
  }, (g) => [mul(g.unsqueeze(-1).unsqueeze(-1), mT(inv(A)))], A));
  return new SignLogAbsDet(s, logabsdet);
}
/** sign(det A) and log|det A| (−inf, sign 0 for a singular A): LinalgSlogdetBackward0 on logabsdet. */
export function slogdet(A: Tensor): SignLogAbsDet { return slogdetImpl('linalg.slogdet', A); }
/** log(det A): NaN where det < 0, −inf where 0 (composed as PyTorch's: WhereBackward0). */
export function logdet(A: Tensor): Tensor {
  const { sign: s, logabsdet } = slogdetImpl('linalg.slogdet', A);
  return where(compare('lt', s, 0), NaN, logabsdet);
}

// =============================================================== norms

type Ord = number | 'fro' | 'nuc';
/** reduce over axes with keepdim, then drop them unless keepdim. */
function axesOf(x: Tensor, dim: number | number[] | undefined | null): number[] {
  if (dim === undefined || dim === null) return x.shape.map((_, i) => i);
  const ds = (Array.isArray(dim) ? dim : [dim]).map((d) => normDim(d, Math.max(1, x.ndim)));
  return ds;
}
const dropAxes = (r: Tensor, x: Tensor, axes: number[], keepdim: boolean) => (keepdim ? r : reshape(r, x.shape.filter((_, i) => !axes.includes(i))));

/**
 * The ord-norm of x over dim (all of x by default), as vectors (LinalgVectorNormBackward0): ord any
 * number, ±Infinity; PyTorch's gradient (0 where the norm is 0; ±inf: shared among the ties). dtype:
 * computed in that dtype.
 */
export function vectorNorm(x: Tensor, ord: number = 2, dim?: number | number[] | null, keepdim = false, o: { dtype?: 'float32' | 'float64' } = {}): Tensor {
  checkTensor('linalg.vector_norm', x);
  checkFloatInput('linalg.vector_norm', x);
  if (typeof ord !== 'number' || Number.isNaN(ord)) throw new Error(`linalg.vector_norm: ord must be a number, got ${String(ord)}`);
  const src = o.dtype && o.dtype !== x.dtype ? x.to({ dtype: o.dtype }) : x;
  const axes = x.ndim === 0 ? [] : axesOf(x, dim);
  let out!: Tensor;
  const red = (t: Tensor, f: 'sum' | 'amax' | 'amin') => (axes.length === 0 ? t : f === 'sum' ? sum(t, axes, true) : f === 'amax' ? amaxOf(t, axes) : aminOf(t, axes));
  const res: Tensor = composite('LinalgVectorNormBackward0', [src], () => {
    const ax = abs(src);
    let r: Tensor;
    if (ord === Infinity) r = red(ax, 'amax');
    else if (ord === -Infinity) r = red(ax, 'amin');
    else if (ord === 0) r = red(compare('ne', src, 0).to({ dtype: src.dtype }), 'sum');
    else if (ord === 1) r = red(ax, 'sum');
    else if (ord === 2) r = sqrt(red(mul(src, src), 'sum'));
    else r = pow(red(pow(ax, ord), 'sum'), 1 / ord);
    out = r;
    return dropAxes(r, src, axes, keepdim);
  }, (g) => {
    const gk = keepdim ? g : reshape(g, [...out.shape]);
    // (out was computed without recording; a createGraph pass uses the result itself, recorded)
    const nk = isCreatingGraph() ? reshape(res, [...out.shape]) : out;
    if (ord === 0) return [mul(src, 0)];
    if (ord === 1) return [mul(gk, sign(src))];
    if (Math.abs(ord) === Infinity) {
      const hit = compare('eq', abs(src), nk).to({ dtype: src.dtype });
      return [div(mul(mul(gk, sign(src)), hit), axes.length ? sum(hit, axes, true) : hit)];
    }
    const num = ord === 2 ? src : mul(src, pow(abs(src), ord - 2));
    const d = ord === 2 ? nk : pow(nk, ord - 1);
    return [where(compare('eq', nk, 0), 0, mul(gk, div(num, d)))];
  }, src, out);
  return twice(res);
}

/**
 * Matrix norms over dims (-2, -1) by default: 'fro', 'nuc' (sum of singular values), ±1 (max/min column
 * sum of |a|), ±Infinity (rows), ±2 (largest/smallest singular value).
 */
export function matrixNorm(A: Tensor, ord: Ord = 'fro', dim: [number, number] = [-2, -1], keepdim = false, o: { dtype?: 'float32' | 'float64' } = {}): Tensor {
  checkTensor('linalg.matrix_norm', A);
  if (A.ndim < 2) throw new Error('linalg.matrix_norm: The input tensor A must have at least 2 dimensions.');
  checkFloatInput('linalg.matrix_norm', A);
  if (!Array.isArray(dim) || dim.length !== 2) throw new Error('linalg.matrix_norm: dim must be a 2-tuple. Got ' + String(dim));
  const [d0, d1] = dim.map((d) => normDim(d, A.ndim));
  if (d0 === d1) throw new Error(`linalg.matrix_norm: dims must be different. Got (${dim[0]}, ${dim[1]})`);
  const x = o.dtype && o.dtype !== A.dtype ? A.to({ dtype: o.dtype }) : A;
  if (ord === 'fro') return vectorNorm(x, 2, [d0, d1], keepdim);
  if (ord === 'nuc' || ord === 2 || ord === -2) {
    // Move the dims last, take the singular values.
    const perm = x.shape.map((_, i) => i).filter((i) => i !== d0 && i !== d1).concat([d0, d1]);
    const s = svdvals(x.permute(perm));
    let r = ord === 'nuc' ? sum(s, -1) : ord === 2 ? amaxOf(s, [s.ndim - 1]).squeeze(-1) : aminOf(s, [s.ndim - 1]).squeeze(-1);
    if (keepdim) for (const d of [d0, d1].sort((a, b) => a - b)) r = r.unsqueeze(d);
    return r;
  }
  if (ord === 1 || ord === -1 || ord === Infinity || ord === -Infinity) {
    const [sumDim, redDim] = Math.abs(ord) === 1 ? [d0, d1] : [d1, d0];
    // As PyTorch: sum over one dim, then amax/amin over the other, each with keepdim (so AmaxBackward0 last).
    const s = sum(abs(x), sumDim, keepdim);
    const rd = !keepdim && redDim > sumDim ? redDim - 1 : redDim;
    return ord > 0 ? amax(s, rd, keepdim) : amin(s, rd, keepdim);
  }
  throw new Error(`linalg.matrix_norm: Order ${String(ord)} not supported.`);
}

/**
 * linalg.norm: dim a number (or ord given with a 1-D input) — vectorNorm; dim two dims (or ord given with
 * a 2-D input) — matrixNorm; neither ord nor dim — the 2-norm of all of x flattened.
 */
export function norm(x: Tensor, ord?: Ord | null, dim?: number | number[] | null, keepdim = false, o: { dtype?: 'float32' | 'float64' } = {}): Tensor {
  checkTensor('linalg.norm', x);
  const ds = dim === undefined || dim === null ? null : Array.isArray(dim) ? dim : [dim];
  if (ds && ds.length === 2) return matrixNorm(x, ord ?? 'fro', [ds[0], ds[1]], keepdim, o);
  if (ds) {
    if (typeof ord === 'string') throw new Error(`linalg.vector_norm: ord must be a number, got ${ord}`);
    return vectorNorm(x, ord ?? 2, ds, keepdim, o);
  }
  if (ord === undefined || ord === null) return vectorNorm(x, 2, null, keepdim, o);
  if (x.ndim === 2) return matrixNorm(x, ord, [-2, -1], keepdim, o);
  if (x.ndim === 1 && typeof ord === 'number') return vectorNorm(x, ord, null, keepdim, o);
  throw new Error(`linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got ${x.ndim}D.`);
}

// =============================================================== cholesky

/**
 * L lower-triangular with A = L Lᵀ (upper: U = Lᵀ with A = Uᵀ U, read from A's upper triangle), column
 * by column (one matmul each); PyTorch's backward (LinalgCholeskyExBackward0).
 */
export function cholesky(A: Tensor, o: { upper?: boolean } = {}): Tensor {
  checkSquare('linalg.cholesky', A);
  const upper = o.upper === true;
  checkPositiveDefinite(A, upper);
  let L!: Tensor;
  const out: Tensor = composite('LinalgCholeskyExBackward0', [A], () => {
    const S = upper ? mT(A) : A;
    const n = S.shape[S.ndim - 1], rows = rowIndex(n, S);
    const cols: Tensor[] = [];
    let Lp: Tensor | null = null;
    for (let j = 0; j < n; j++) {
      let v = narrow(S, -1, j, 1);
      if (Lp) v = sub(v, matmul(Lp, mT(narrow(Lp, -2, j, 1))));
      const d = sqrt(narrow(v, -2, j, 1));
      cols.push(where(compare('ge', rows, j), div(v, d), 0));
      Lp = cat(cols, -1);
    }
    L = Lp ?? S.clone();
    return upper ? mT(L).contiguous() : L;
  }, (g) => {
    // (L was made without recording; it is the output itself only when lower: a createGraph pass reads
    // it through the output, recorded)
    const Lr = isCreatingGraph() ? (upper ? mT(out) : out) : L;
    const gL = upper ? mT(g) : g;
    const X = tril(matmul(mT(Lr), gL));
    const phi = mul(add(X, mT(tril(X, -1))), 0.5);
    const Li = inv(Lr);
    return [matmul(mT(Li), matmul(phi, Li))];
  });
  return twice(out);
}

// =============================================================== qr

/** linalg.qr's result (torch.return_types.linalg_qr); destructures as an object or [Q, R]. */
export class QR {
  constructor(readonly Q: Tensor, readonly R: Tensor) {}
  *[Symbol.iterator](): Iterator<Tensor> { yield this.Q; yield this.R; }
  async format(): Promise<string> { return `torch.return_types.linalg_qr(\nQ=${await format(this.Q)},\nR=${await format(this.R)})`; }
}
/**
 * A = Q R by Householder reflections, LAPACK's geqrf/orgqr signs (R's diagonal −sign(a_kk)·‖x‖, the last
 * of a square matrix left as is), so Q and R are PyTorch's. mode 'reduced' (Q [.., m, k], R [.., k, n],
 * k = min(m, n)), 'complete' (Q [.., m, m], R [.., m, n]) or 'r' (R only; Q empty). Gradients through
 * the composed ops (about 12 a column).
 */
export function qr(A: Tensor, mode: 'reduced' | 'complete' | 'r' = 'reduced'): QR {
  checkMatrix('linalg.qr', A);
  if (mode !== 'reduced' && mode !== 'complete' && mode !== 'r') throw new Error(`qr received unrecognized mode '${String(mode)}' but expected one of 'reduced' (default), 'r', or 'complete'`);
  const [m, n] = lastTwo(A), k = Math.min(m, n), lead = A.shape.slice(0, -2);
  const rows = rowIndex(m, A);
  let R = A, Q: Tensor = eyeLike(m, A).expand([...lead, m, m]);
  for (let j = 0; j < k; j++) {
    if (j === m - 1) break; // a 1-element column: H = I (LAPACK's tau = 0)
    const x = where(compare('ge', rows, j), narrow(R, -1, j, 1), 0); // [.., m, 1]
    const alpha = narrow(x, -2, j, 1); // [.., 1, 1]
    const below = where(compare('gt', rows, j), x, 0);
    const sb = sum(mul(below, below), -2, true);
    const nrm = sqrt(add(mul(alpha, alpha), sb));
    const beta = neg(mul(where(compare('ge', alpha, 0), 1, -1), nrm));
    const skip = compare('eq', sb, 0); // nothing below: H = I
    const v = where(compare('eq', rows, j), sub(x, where(skip, alpha, beta)), x); // x − beta·e_j
    const vv = sum(mul(v, v), -2, true);
    const tau = where(skip, 0, div(2, where(skip, 1, vv)));
    R = sub(R, mul(mul(v, tau), matmul(mT(v), R)));
    if (mode !== 'r') Q = sub(Q, mul(matmul(Q, v), mul(mT(v), tau)));
  }
  // Exact zeros below the diagonal, as LAPACK's R.
  const Rm = mode === 'complete' ? R : narrow(R, -2, 0, k);
  const Rt = where(compare('ge', sub(arange(n, dev(A)).unsqueeze(0), rowIndex(Rm.shape[Rm.ndim - 2], A)), 0), Rm, 0);
  if (mode === 'r') return new QR(zeros([0], { dtype: A.dtype, ...dev(A) }), Rt);
  return new QR(mode === 'complete' ? Q : narrow(Q, -1, 0, k), Rt);
}

// =============================================================== eigh, svd

/** linalg.eigh's result (torch.return_types.linalg_eigh); destructures as an object or [eigenvalues, eigenvectors]. */
export class Eigh {
  constructor(readonly eigenvalues: Tensor, readonly eigenvectors: Tensor) {}
  *[Symbol.iterator](): Iterator<Tensor> { yield this.eigenvalues; yield this.eigenvectors; }
  async format(): Promise<string> { return `torch.return_types.linalg_eigh(\neigenvalues=${await format(this.eigenvalues)},\neigenvectors=${await format(this.eigenvectors)})`; }
}

/** Round-robin pairings of 0..n-1 (n even): n−1 rounds of n/2 disjoint pairs (p < q). */
function roundRobin(n: number): Array<Array<[number, number]>> {
  const ids = Array.from({ length: n }, (_, i) => i);
  const rounds: Array<Array<[number, number]>> = [];
  for (let r = 0; r < n - 1; r++) {
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i < n / 2; i++) {
      const a = ids[i], b = ids[n - 1 - i];
      pairs.push(a < b ? [a, b] : [b, a]);
    }
    rounds.push(pairs);
    ids.splice(1, 0, ids.pop()!);
  }
  return rounds;
}

/**
 * Jacobi sweeps. Two-sided (eigh): S symmetric ([..., n, n], its lower triangle read), rotated to
 * diagonal, A ← Jᵀ A J; eigenvalues (unsorted) and V. One-sided (svd, Hestenes): S [..., m, n], m ≥ n,
 * its columns rotated to be orthogonal, X ← X J, the rotations from the Gram matrix XᵀX; singular values
 * (column norms, unsorted), V and X = U diag(S) — accurate singular values, unlike eigh of AᵀA. Each
 * round rotates n/2 disjoint pairs at once (round-robin order): about 20 ops and 2–3 matmuls a round,
 * n − 1 rounds a sweep, a fixed number of sweeps (no read-back to test convergence).
 */
function jacobi(S0: Tensor, oneSided: boolean, sweeps?: number): { w: Tensor; V: Tensor; X: Tensor } {
  const n = S0.shape[S0.ndim - 1], lead = S0.shape.slice(0, -2);
  // Symmetric from the lower triangle, as LAPACK's syevd (uplo 'L').
  let A = oneSided ? S0 : add(tril(S0), mT(tril(S0, -1)));
  let V: Tensor = eyeLike(n, S0).expand([...lead, n, n]);
  const result = () => ({ w: oneSided ? sqrt(sum(mul(A, A), -2)) : diagOf(A), V: V.contiguous(), X: A });
  if (n <= 1) return result();
  const N = n % 2 === 0 ? n : n + 1; // odd n: a dummy index sits out one pair a round
  const nn = n * n;
  const idx = (ix: number[]) => reshape(tensorOf(ix, S0), [...lead.map(() => 1), ix.length]).expand([...lead, ix.length]);
  const rounds = roundRobin(N).map((pairs0) => {
    const pairs = pairs0.filter(([, q]) => q < n);
    const P = pairs.map(([p]) => p), Qs = pairs.map(([, q]) => q);
    return {
      pp: idx(P.map((p) => p * n + p)), qq: idx(Qs.map((q) => q * n + q)), pq: idx(P.map((p, i) => p * n + Qs[i])),
      pos: idx([...P.map((p) => p * n + p), ...Qs.map((q) => q * n + q), ...P.map((p, i) => p * n + Qs[i]), ...P.map((p, i) => Qs[i] * n + p)]),
    };
  });
  const sw = sweeps ?? (S0.dtype === 'float64' ? 10 : 8) + Math.ceil(Math.log2(n));
  const I = eyeLike(n, S0);
  const zeroFlat = zeros([...lead, nn], { dtype: S0.dtype, ...dev(S0) });
  for (let s = 0; s < sw; s++) {
    for (const r of rounds) {
      const Gf = reshape(oneSided ? matmul(mT(A), A) : A, [...lead, nn]);
      const app = gather(Gf, -1, r.pp), aqq = gather(Gf, -1, r.qq), apq = gather(Gf, -1, r.pq);
      const zero = compare('eq', apq, 0);
      const tau = div(sub(aqq, app), mul(where(zero, 1, apq), 2));
      const sg = where(compare('ge', tau, 0), 1, -1);
      const t = where(zero, 0, div(sg, add(abs(tau), sqrt(add(mul(tau, tau), 1)))));
      const c = div(1, sqrt(add(mul(t, t), 1))), sn = mul(t, c);
      // J = I + Σ (c − 1)(e_p e_pᵀ + e_q e_qᵀ) + s (e_p e_qᵀ − e_q e_pᵀ), scattered into flat [.., n·n].
      const cm1 = sub(c, 1);
      const J = add(reshape(zeroFlat.scatterAdd(-1, r.pos, cat([cm1, cm1, sn, neg(sn)], -1)), [...lead, n, n]), I);
      A = oneSided ? matmul(A, J) : matmul(mT(J), matmul(A, J));
      V = matmul(V, J);
    }
  }
  return result();
}
/** int64 indices on like's device. */
const tensorOf = (ix: number[], like: Tensor) => tensor(ix, { dtype: 'int64', ...dev(like) });

function eighRaw(A: Tensor, UPLO: 'L' | 'U'): { w: Tensor; V: Tensor } {
  const S = UPLO === 'U' ? mT(A) : A;
  const { w, V } = jacobi(S, false);
  const sorted = sort(w, -1);
  const n = w.shape[w.ndim - 1];
  const Vs = gather(V, -1, sorted.indices.unsqueeze(-2).expand([...V.shape.slice(0, -2), n, n]));
  return { w: sorted.values, V: Vs };
}

/**
 * Eigenvalues (ascending) and orthonormal eigenvectors (columns) of symmetric A ([..., n, n], its lower
 * triangle read; UPLO 'U': the upper): cyclic Jacobi. Eigenvector signs are arbitrary (LAPACK's may
 * differ per column). PyTorch's backward, on both outputs (one node).
 */
export function eigh(A: Tensor, UPLO: 'L' | 'U' = 'L'): Eigh {
  checkSquare('linalg.eigh', A);
  if (UPLO !== 'L' && UPLO !== 'U') throw new Error(`Expected UPLO argument to be 'L' or 'U', but got ${String(UPLO)}`);
  const n = A.shape[A.ndim - 1];
  let w0!: Tensor, V0!: Tensor;
  // Both outputs as one tensor [.., n+1, n] (row 0: the eigenvalues), so that one node takes both gradients.
  const packed: Tensor = composite('LinalgEighBackward0', [A], () => {
    ({ w: w0, V: V0 } = eighRaw(A, UPLO));
    return cat([w0.unsqueeze(-2), V0], -2);
  }, (g) => {
    // (w and V were made without recording: a createGraph pass reads them from the output, recorded)
    const creating = isCreatingGraph();
    const w = creating ? narrow(packed, -2, 0, 1).squeeze(-2) : w0, V = creating ? narrow(packed, -2, 1, n) : V0;
    const gL = narrow(g, -2, 0, 1).squeeze(-2), gV = narrow(g, -2, 1, n);
    let VhgV = matmul(mT(V), gV);
    VhgV = mul(sub(VhgV, mT(VhgV)), 0.5);
    const E = sub(w.unsqueeze(-2), w.unsqueeze(-1)); // E_ij = λ_j − λ_i
    const offDiag = compare('ne', rowIndex(n, A), arange(n, dev(A)).unsqueeze(0));
    const core = add(where(offDiag, div(VhgV, where(offDiag, E, 1)), 0), diagMatrix(gL));
    return [matmul(V, matmul(core, mT(V)))];
  }, A);
  twice(packed);
  return new Eigh(narrow(packed, -2, 0, 1).squeeze(-2), narrow(packed, -2, 1, n));
}
/** The eigenvalues of symmetric A, ascending (LinalgEighBackward0). */
export function eigvalsh(A: Tensor, UPLO: 'L' | 'U' = 'L'): Tensor {
  checkSquare('linalg.eigvalsh', A);
  let V!: Tensor;
  return twice(composite('LinalgEighBackward0', [A], () => {
    const r = eighRaw(A, UPLO);
    V = r.V;
    return r.w;
  }, (g) => {
    // (V is not an output: a createGraph pass takes it from eigh, recorded; V diag(g) Vᵀ does not
    // depend on the eigenvectors' signs)
    const Vr = isCreatingGraph() ? eigh(A, UPLO).eigenvectors : V;
    return [matmul(mul(Vr, g.unsqueeze(-2)), mT(Vr))];
  }, A));
}

/** linalg.svd's result (torch.return_types.linalg_svd); destructures as an object or [U, S, Vh]. */
export class SVD {
  constructor(readonly U: Tensor, readonly S: Tensor, readonly Vh: Tensor) {}
  *[Symbol.iterator](): Iterator<Tensor> { yield this.U; yield this.S; yield this.Vh; }
  async format(): Promise<string> { return `torch.return_types.linalg_svd(\nU=${await format(this.U)},\nS=${await format(this.S)},\nVh=${await format(this.Vh)})`; }
}
/**
 * A = U diag(S) Vh with S descending: one-sided Jacobi on A (m ≥ n; else on Aᵀ), U from a Householder QR
 * of U·diag(S) (so orthonormal where S is 0), R's diagonal signs moved to U. Signs of the singular vector
 * pairs are arbitrary (LAPACK's may differ). fullMatrices (default true, as PyTorch's): U is [.., m, m]
 * and Vh [.., n, n], the columns past min(m, n) an orthonormal completion (the complete QR's) that carries
 * no gradient, as PyTorch's backward reads only the first min(m, n). Gradients through the composed ops
 * (every sweep: costly, meant for small n); svdvals has PyTorch's closed form.
 */
export function svd(A: Tensor, o: { fullMatrices?: boolean } = {}): SVD {
  checkMatrix('linalg.svd', A);
  const full = o.fullMatrices ?? true;
  const [m, n] = lastTwo(A);
  if (m < n) {
    const r = svd(mT(A), { fullMatrices: full });
    return new SVD(mT(r.Vh), r.S, mT(r.U));
  }
  const { w, V, X } = jacobi(A, true);
  const order = sort(w, -1, true).indices;
  const S = gather(w, -1, order);
  const cols = (M: Tensor) => gather(M, -1, order.unsqueeze(-2).expand([...M.shape]));
  const { Q, R } = qr(cols(X));
  const U = mul(Q, where(compare('lt', diagOf(R), 0), -1, 1).unsqueeze(-2));
  const Vh = mT(cols(V));
  if (!full || m === n) return new SVD(U, S, Vh);
  // The complement: the last m - n columns of the complete QR of [U | I] (its first n columns span U's).
  const rest = noGrad(() => narrow(qr(cat([U.detach(), eyeLike(m, A).expand([...A.shape.slice(0, -2), m, m])], -1), 'complete').Q, -1, n, m - n));
  return new SVD(cat([U, rest], -1), S, Vh);
}
/** torch.svd's result (torch.return_types.svd): U, S and V (not Vh). */
export class SVDV {
  constructor(readonly U: Tensor, readonly S: Tensor, readonly V: Tensor) {}
  *[Symbol.iterator](): Iterator<Tensor> { yield this.U; yield this.S; yield this.V; }
  async format(): Promise<string> { return `torch.return_types.svd(\nU=${await format(this.U)},\nS=${await format(this.S)},\nV=${await format(this.V)})`; }
}
/**
 * torch.svd (PyTorch's older form): A = U diag(S) Vᵀ, reduced unless `some` is false (then U [.., m, m],
 * V [.., n, n]); computeUv false gives U [.., m, m] and V [.., n, n] as zeros whatever `some` is, as PyTorch's.
 */
export function svdOld(A: Tensor, some = true, computeUv = true): SVDV {
  checkMatrix('svd', A);
  const r = svd(A, { fullMatrices: !some });
  if (computeUv) return new SVDV(r.U, r.S, mT(r.Vh));
  const [m, n] = lastTwo(A);
  const z = (a: number, b: number) => zeros([...A.shape.slice(0, -2), a, b], { dtype: A.dtype, device: deviceName(A.device) });
  return new SVDV(z(m, m), r.S, z(n, n));
}
/** The singular values, descending (one-sided Jacobi); PyTorch's backward, U diag(g) Vh (LinalgSvdBackward0). */
export function svdvals(A: Tensor): Tensor {
  checkMatrix('linalg.svdvals', A);
  let r!: SVD;
  return twice(composite('LinalgSvdBackward0', [A], () => (r = svd(A, { fullMatrices: false })).S, (g) => {
    // (U and Vh are not outputs: a createGraph pass makes the SVD again, recorded — its composed ops
    // carry the graph; U diag(g) Vh does not depend on the singular vectors' signs)
    const u = isCreatingGraph() ? svd(A, { fullMatrices: false }) : r;
    return [matmul(mul(u.U, g.unsqueeze(-2)), u.Vh)];
  }, A));
}

/**
 * The pseudoinverse through the SVD (hermitian: through eigh): singular values ≤ max(atol, rtol·σ₁)
 * dropped (rcond: rtol; default rtol max(m, n)·eps when atol is not given). PyTorch's backward
 * (pinv_backward; LinalgPinvBackward0), valid where the rank is constant nearby.
 */
export function pinv(A: Tensor, o: { atol?: number; rtol?: number; rcond?: number; hermitian?: boolean } = {}): Tensor {
  checkMatrix('linalg.pinv', A);
  const [m, n] = lastTwo(A);
  const eps = A.dtype === 'float64' ? 2.220446049250313e-16 : 1.1920928955078125e-7;
  const rtol = o.rtol ?? o.rcond ?? (o.atol !== undefined && o.atol > 0 ? 0 : Math.max(m, n) * eps);
  const atol = o.atol ?? 0;
  let P!: Tensor;
  // (P is the node's output: the backward reads only g, A and P, recorded)
  return twice(composite('LinalgPinvBackward0', [A], () => {
    if (o.hermitian) {
      const { eigenvalues: w, eigenvectors: V } = eigh(A);
      const aw = abs(w);
      const cut = maxArr(mul(amaxOf(aw, [aw.ndim - 1]), rtol), atol);
      const wi = where(compare('gt', aw, cut), div(1, where(compare('gt', aw, cut), w, 1)), 0);
      return (P = matmul(mul(V, wi.unsqueeze(-2)), mT(V)));
    }
    const { U, S, Vh } = svd(A, { fullMatrices: false });
    const cut = maxArr(mul(amaxOf(S, [S.ndim - 1]), rtol), atol);
    const keepS = compare('gt', S, cut);
    const Si = where(keepS, div(1, where(keepS, S, 1)), 0);
    return (P = matmul(mul(mT(Vh), Si.unsqueeze(-2)), mT(U)));
  }, (g) => [pinvBackward(A, P, g)], A, P));
}
/** PyTorch's pinv_backward: the gradient for A of P = pinv(A) given P's gradient g (recorded ops). */
function pinvBackward(A: Tensor, P: Tensor, g: Tensor): Tensor {
  const [m, n] = lastTwo(A);
  const Ph = mT(P), gh = mT(g);
  if (m <= n) {
    const K = matmul(gh, P), KPh = matmul(K, Ph);
    return add(sub(sub(KPh, mT(matmul(P, K))), matmul(matmul(A, P), KPh)), matmul(matmul(Ph, P), sub(gh, matmul(K, A))));
  }
  const K = matmul(P, gh), PhK = matmul(Ph, K);
  return add(sub(sub(PhK, mT(matmul(K, P))), matmul(matmul(PhK, P), A)), matmul(matmul(sub(gh, matmul(A, K)), P), Ph));
}
const maxArr = (t: Tensor, a: number) => where(compare('gt', t, a), t, a);
/** torch.pinverse(A, rcond = 1e-15). */
export function pinverse(A: Tensor, rcond = 1e-15): Tensor { return pinv(A, { rtol: rcond }); }

/** linalg.lstsq's result (torch.return_types.linalg_lstsq); destructures as an object or in that order. */
export class Lstsq {
  constructor(readonly solution: Tensor, readonly residuals: Tensor, readonly rank: Tensor, readonly singular_values: Tensor) {}
  *[Symbol.iterator](): Iterator<Tensor> { yield this.solution; yield this.residuals; yield this.rank; yield this.singular_values; }
  async format(): Promise<string> {
    return `torch.return_types.linalg_lstsq(\nsolution=${await format(this.solution)},\nresiduals=${await format(this.residuals)},\nrank=${await format(this.rank)},\nsingular_values=${await format(this.singular_values)})`;
  }
}
const LSTSQ_DRIVERS = ['gels', 'gelsy', 'gelsd', 'gelss'] as const;
/**
 * The least-squares (minimum-norm where A is rank-deficient) solution of A X = B: [.., m, n] A, B
 * [.., m, k] (or [.., m]: one vector per matrix, when B has one dim fewer), batch dims broadcast. Every
 * driver solves through the SVD (singular values ≤ rcond·σ₁ dropped; rcond defaults to eps·max(m, n)),
 * and returns what PyTorch's CPU driver returns: rank (int64) for gelsy/gelsd/gelss, singular_values for
 * gelsd/gelss, residuals (squared column norms of A X - B) for gels/gelsd/gelss when m > n and every A has
 * full rank; the others are empty. Gradients through pinv's backward (LinalgLstsqBackward0 in PyTorch).
 */
export function lstsq(A: Tensor, B: Tensor, o: { rcond?: number | null; driver?: (typeof LSTSQ_DRIVERS)[number] | null } = {}): Lstsq {
  const name = 'torch.linalg.lstsq';
  checkTensor(name, A, 'input'); checkTensor(name, B, 'other');
  if (A.dtype !== B.dtype) throw new Error(`${name}: Expected input and other to have the same dtype, but got input's dtype ${SCALAR_TYPE[A.dtype]} and other's dtype ${SCALAR_TYPE[B.dtype]}`);
  checkMatrix(name, A, 'input');
  if (A.device !== B.device) throw new Error(`${name}: Expected all tensors to be on the same device, but found at least two devices, ${deviceName(A.device)} and ${deviceName(B.device)}!`);
  if (B.ndim < 1 || A.ndim < B.ndim || A.ndim - B.ndim > 1) throw new Error(`${name}: input.dim() must be greater or equal to other.dim() and (input.dim() - other.dim()) <= 1`);
  const driver = o.driver ?? 'gelsy';
  if (!(LSTSQ_DRIVERS as readonly string[]).includes(driver)) throw new Error(`${name}: parameter \`driver\` should be one of (gels, gelsy, gelsd, gelss)`);
  const vector = A.ndim - B.ndim === 1;
  const [m, n] = lastTwo(A);
  const mB = vector ? B.shape[B.ndim - 1] : B.shape[B.ndim - 2];
  if (mB !== m) throw new Error(`${name}: input.size(-2) should match other.size(${vector ? -1 : -2})`);
  const eps = A.dtype === 'float64' ? 2.220446049250313e-16 : 1.1920928955078125e-7;
  const rcond = o.rcond ?? eps * Math.max(m, n);
  const Bm = vector ? B.unsqueeze(-1) : B;
  // X = pinv(A)·B as one node (PyTorch's grad_fn); its backward is pinv's for A, pinv(A)ᵀ·g for B.
  const pinvOf = () => pinv(A, { rtol: rcond, atol: 0 });
  let P!: Tensor;
  const X = twice(composite('LinalgLstsqBackward0', [A, Bm], () => matmul((P = noGrad(pinvOf)), Bm), (g) => {
    const Pr = isCreatingGraph() ? pinvOf() : P; // (recorded in a createGraph pass)
    return [sumToShape(pinvBackward(A, Pr, matmul(g, mT(Bm))), A.shape), sumToShape(matmul(mT(Pr), g), Bm.shape)];
  }, A, Bm));
  const solution = vector ? X.squeeze(-1) : X;
  const empty = (dtype: typeof A.dtype) => zeros([0], { dtype, device: deviceName(A.device) });
  const S = driver === 'gels' && m <= n ? null : noGrad(() => svdvals(A));
  const rank = S ? noGrad(() => sum(compare('gt', S, mul(amaxOf(S, [S.ndim - 1]), rcond)).to({ dtype: 'int64' }), -1)) : null;
  let residuals = empty(A.dtype);
  if (driver !== 'gelsy' && m > n) {
    // (PyTorch returns them only where every A has full rank: that needs the ranks' values now)
    const ranks = rank ? rt.valuesNow(rank.storage) : null;
    if (rank && !ranks) throw new Error(`${name}: driver '${driver}' returns residuals only where A has full rank, which needs A's values now, and they are not final (a GPU tensor or work still queued): use driver 'gelsy' (the default), or compute the residuals from the solution`);
    if (!ranks || Array.from(ranks, Number).every((r) => r === n)) {
      const d = sub(matmul(A, X), Bm);
      residuals = sum(mul(d, d), -2);
      if (vector) residuals = residuals.squeeze(-1);
    }
  }
  return new Lstsq(solution, residuals, driver === 'gels' ? empty('int64') : rank!, driver === 'gelsd' || driver === 'gelss' ? S! : empty(A.dtype));
}

/** The number of singular values above max(atol, rtol·σ₁) (int64). */
export function matrixRank(A: Tensor, o: { atol?: number; rtol?: number; tol?: number; hermitian?: boolean } = {}): Tensor {
  checkMatrix('linalg.matrix_rank', A);
  const [m, n] = lastTwo(A);
  const eps = A.dtype === 'float64' ? 2.220446049250313e-16 : 1.1920928955078125e-7;
  const atol = o.tol ?? o.atol ?? 0;
  const rtol = o.rtol ?? (o.tol !== undefined || (o.atol !== undefined && o.atol > 0) ? 0 : Math.max(m, n) * eps);
  const S = noGrad(() => (o.hermitian ? abs(eigvalsh(A)) : svdvals(A)));
  const cut = maxArr(mul(amaxOf(S, [S.ndim - 1]), rtol), atol);
  return sum(compare('gt', S, cut).to({ dtype: 'int64' }), -1);
}

// =============================================================== aliases

/** linalg.cross: torch.cross with dim -1 by default. */
export function cross(a: Tensor, b: Tensor, o: { dim?: number } = {}): Tensor { return crossImpl(a, b, o.dim ?? -1); }
export { matmul };
/** linalg.diagonal: the diagonal of the last two dims (offset), a copy, [..., k]. */
export function diagonal(A: Tensor, o: { offset?: number } = {}): Tensor {
  checkTensor('linalg.diagonal', A);
  const off = o.offset ?? 0;
  const [r, c] = lastTwo(A);
  const len = Math.max(0, off >= 0 ? Math.min(r, c - off) : Math.min(r + off, c));
  const rowsT = add(rowIndex(len, A), off >= 0 ? 0 : -off), colsOff = off >= 0 ? off : 0;
  const sel = gather(A.indexSelect(-2, reshape(rowsT, [len])), -1, add(rowIndex(len, A), colsOff).expand([...A.shape.slice(0, -2), len, 1]));
  return reshape(sel, [...A.shape.slice(0, -2), len]);
}

