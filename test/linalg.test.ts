// torch.linalg (inv, solve, det, slogdet, logdet, vectorNorm, matrixNorm, norm, cholesky, qr, eigh,
// eigvalsh, svd, svdvals, pinv, matrixRank, diagonal) and torch.inverse/det/logdet/slogdet/pinverse:
// PyTorch 1.13's values, gradients, grad_fns and errors (test/fixtures/linalg.json, from
// scripts/torch-linalg.py), compared numerically (float64: 1e-9, float32: 1e-4 of max(1, |x|); the
// SVD-based ones, computed from eigh of AᵀA: 1e-3 in float32); identities (A·A⁻¹ = I, Q R = A, QᵀQ = I,
// V diag(λ) Vᵀ = A); finite differences in float64; the GPU against the CPU (float32).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradcheck, values } from './helpers.ts';

type Nested = number | string | Nested[];
const REF = JSON.parse(readFileSync(new URL('./fixtures/linalg.json', import.meta.url), 'utf8'),
  (_k, v: unknown) => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v)) as Record<string, any>;
const available = await gpuForTests('linalg', { composite: true });
type DT = 'float32' | 'float64';

const flat = (x: Nested): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);
const dims = (x: Nested): number[] => (Array.isArray(x) ? [x.length, ...(x.length ? dims(x[0]) : [])] : []);
function close(got: number[], want: number[], tol: number, what: string) {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(want[i])) { expect(Number.isNaN(got[i]), `${what} [${i}]`).toBe(true); continue; }
    if (!Number.isFinite(want[i])) { expect(got[i], `${what} [${i}]`).toBe(want[i]); continue; }
    expect(Math.abs(got[i] - want[i]), `${what} [${i}]: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i])));
  }
}
async function sameAs(t: torch.Tensor, want: Nested, tol: number, what: string) {
  expect([...t.shape], `${what} shape`).toEqual(dims(want));
  close(await values(t), flat(want), tol, what);
}
const weights = (y: torch.Tensor) => torch.arange(y.numel(), { device: y.device }).reshape([...y.shape]).to({ dtype: y.dtype }).div(7).add(0.5);
/** Checks f's value, the gradients of sum(f(xs) · weights) and (name) f's grad_fn against the script's run. */
async function run(want: Nested[], tol: number, what: string, f: (...xs: torch.Tensor[]) => torch.Tensor, xs0: torch.Tensor[], name = true) {
  const xs = xs0.map((x) => x.detach().clone().requiresGrad_());
  const y = f(...xs);
  await y.mul(weights(y)).sum().backward();
  await sameAs(y.detach(), want[0], tol, `${what} value`);
  for (let i = 0; i < xs.length; i++) await sameAs(xs[i].grad!, want[1 + i], tol * 10, `${what} grad ${i}`);
  if (name) expect(y.gradFn?.name, `${what} grad_fn`).toBe(want[want.length - 1]);
}

/** The script's inputs. */
function inputs(dtype: DT, device = 'cpu') {
  const D = { dtype: 'float64' as const };
  const eye = (n: number) => torch.eye(n, D);
  const to = (t: torch.Tensor) => t.to({ dtype, device });
  const A = torch.tensor([[0.5, 2, -1], [3, 1, 0.25], [-1, 4, 2]], { dtype, device });
  const Ab = to(torch.sin(torch.arange(36, D).mul(0.7)).reshape([2, 2, 3, 3]).mul(2).add(eye(3).mul(3)));
  const M = torch.cos(torch.arange(16, D).pow(2).reshape([4, 4]).mul(1.3));
  const S = to(M.matmul(M.t()).add(eye(4).mul(4)));
  const Mb = torch.cos(torch.arange(32, D).pow(2).reshape([2, 4, 4]).mul(0.9));
  const Sb = to(Mb.matmul(Mb.mT).add(eye(4).mul(2)));
  const T = to(torch.sin(torch.arange(15, D).pow(2).reshape([5, 3]).mul(1.1).add(0.3)));
  const Wd = to(torch.cos(torch.arange(15, D).pow(2).reshape([3, 5]).mul(0.8).sub(0.2)));
  const Tb = to(torch.sin(torch.arange(24, D).pow(2).reshape([2, 4, 3]).mul(0.6).add(1)));
  const B = torch.tensor([[1, -2], [0.5, 3], [2, 1]], { dtype, device });
  const v = torch.tensor([1, -1, 2], { dtype, device });
  return { A, Ab, S, Sb, T, Wd, Tb, B, v };
}
const L = torch.linalg;

for (const [key, dtype, tol] of [['f32', 'float32', 1e-4], ['f64', 'float64', 1e-9]] as const) {
  const R = REF[key];
  const X = inputs(dtype);
  const { A, Ab, S, Sb, T, Wd, Tb, B, v } = X;
  const svdTol = dtype === 'float32' ? 1e-3 : 1e-8;
  describe(`${dtype}: PyTorch's values, gradients, grad_fns`, () => {
    it('inv, inverse, solve (matrix, vector, batched, left=false)', async () => {
      await run(R.inv[0], tol, 'inv', L.inv, [A]);
      await run(R.inv[1], tol, 'inverse batched', torch.inverse, [Ab]);
      const P = torch.tensor([[1e-6, 1, 2], [-1, 1, 0], [-3, 0.5, 1]], { dtype }); // pivots on |a| (the largest negative)
      await run(R.inv[2], tol, 'inv pivoting', L.inv, [P]);
      await run(R.inv[3], tol, 'det pivoting', L.det, [P]);
      await run(R.solve[0], tol, 'solve', (a, b) => L.solve(a, b), [A, B]);
      await run(R.solve[1], tol, 'solve vector', (a, b) => L.solve(a, b), [A, v]);
      await run(R.solve[2], tol, 'solve batched A', (a, b) => L.solve(a, b), [Ab, B]);
      await run(R.solve[3], tol, 'solve batch of vectors', (a, b) => L.solve(a, b), [Ab, Ab.index('...', 0)]);
      await run(R.solve[4], tol, 'solve left=false', (a, b) => L.solve(a, b, { left: false }), [A, B.t()], false);
    });
    it('det, slogdet, logdet', async () => {
      await run(R.det[0], tol, 'det', L.det, [A]);
      await run(R.det[1], tol, 'det batched', torch.det, [Ab]);
      await run(R.det[2], tol, 'det spd', L.det, [S]);
      await run(R.slogdet[0], tol, 'slogdet', (a) => L.slogdet(a).logabsdet, [A]);
      await sameAs(L.slogdet(A).sign, R.slogdet[1], 0, 'slogdet sign');
      await run(R.slogdet[2], tol, 'slogdet batched', (a) => torch.slogdet(a).logabsdet, [Ab]);
      const [sg] = torch.slogdet(Ab);
      await sameAs(sg, R.slogdet[3], 0, 'slogdet batched sign');
      await run(R.logdet[0], tol, 'logdet', torch.logdet, [S]);
      await sameAs(torch.logdet(A), R.logdet[1], tol, 'logdet of a negative det');
      await sameAs(torch.logdet(Ab), R.logdet[2], tol, 'logdet batched');
    });
    it('vectorNorm, matrixNorm, norm', async () => {
      const V = R.vector_norm;
      await run(V[0], tol, 'vector_norm', (a) => L.vectorNorm(a), [A]);
      await run(V[1], tol, 'vector_norm 1', (a) => L.vectorNorm(a, 1, 1), [A]);
      await run(V[2], tol, 'vector_norm inf', (a) => L.vectorNorm(a, Infinity, -1, true), [Ab]);
      await run(V[3], tol, 'vector_norm -inf', (a) => L.vectorNorm(a, -Infinity, [0, 1]), [Ab]);
      await run(V[4], tol, 'vector_norm 3', (a) => L.vectorNorm(a, 3, 0), [A]);
      await run(V[5], tol, 'vector_norm 0.5', (a) => L.vectorNorm(a, 0.5), [A]);
      await sameAs(L.vectorNorm(A, 0, 1), V[6], 0, 'vector_norm 0');
      const M = R.matrix_norm;
      await run(M[0], tol, 'matrix_norm fro', (a) => L.matrixNorm(a), [Ab]);
      await run(M[1], tol, 'matrix_norm 1', (a) => L.matrixNorm(a, 1), [A]);
      await run(M[2], tol, 'matrix_norm -1', (a) => L.matrixNorm(a, -1), [Ab]);
      await run(M[3], tol, 'matrix_norm inf keepdim', (a) => L.matrixNorm(a, Infinity, [-2, -1], true), [Ab]);
      await run(M[4], tol, 'matrix_norm -inf', (a) => L.matrixNorm(a, -Infinity), [A]);
      await run(M[5], svdTol, 'matrix_norm nuc', (a) => L.matrixNorm(a, 'nuc'), [T], false);
      await run(M[6], svdTol, 'matrix_norm 2', (a) => L.matrixNorm(a, 2), [A], false);
      await run(M[7], svdTol, 'matrix_norm -2', (a) => L.matrixNorm(a, -2), [Tb], false);
      await run(M[8], tol, 'matrix_norm dim', (a) => L.matrixNorm(a, 1, [0, 2]), [Ab]);
      const N = R.norm;
      await run(N[0], tol, 'norm', (a) => L.norm(a), [Ab]);
      await run(N[1], tol, 'norm 1 (matrix)', (a) => L.norm(a, 1), [A]);
      await run(N[2], tol, 'norm 1 (vector)', (a) => L.norm(a, 1), [v]);
      await run(N[3], tol, 'norm dim', (a) => L.norm(a, null, 1), [A]);
      await run(N[4], tol, 'norm fro dims', (a) => L.norm(a, 'fro', [1, 2]), [Ab]);
      await run(N[5], tol, 'norm inf', (a) => L.norm(a, Infinity), [A]);
    });
    it('cholesky (lower; upper, batched)', async () => {
      await run(R.cholesky[0], tol, 'cholesky', (a) => L.cholesky(a), [S]);
      await run(R.cholesky[1], tol, 'cholesky upper', (a) => L.cholesky(a, { upper: true }), [Sb]);
    });
    it("qr: LAPACK's signs (tall, wide, batched, square), complete and r modes; gradients", async () => {
      const Q = R.qr;
      await run(Q[0], tol, 'qr Q tall', (a) => L.qr(a).Q, [T], false);
      await run(Q[1], tol, 'qr R tall', (a) => L.qr(a).R, [T], false);
      await run(Q[2], tol, 'qr Q wide', (a) => L.qr(a).Q, [Wd], false);
      await run(Q[3], tol, 'qr R wide', (a) => L.qr(a).R, [Wd], false);
      await run(Q[4], tol, 'qr Q batched', (a) => L.qr(a).Q, [Tb], false);
      await run(Q[5], tol, 'qr R square', (a) => L.qr(a).R, [A], false);
      const c = L.qr(T, 'complete');
      await sameAs(c.Q, Q[6], tol, 'qr complete Q');
      await sameAs(c.R, Q[7], tol, 'qr complete R');
      await sameAs(L.qr(Tb, 'r').R, Q[8], tol, 'qr r');
      await run(Q[9], tol, 'qr Q spd', (a) => L.qr(a).Q, [S], false);
    });
    it('eigh (vectors up to sign per column), eigvalsh (UPLO)', async () => {
      const E = R.eigh;
      await run(E[0], tol, 'eigh values', (a) => L.eigh(a).eigenvalues, [S], false);
      await sameUpToSign(L.eigh(S).eigenvectors, E[1], tol, 'eigh vectors');
      await run(E[2], tol, 'eigh vectors squared', (a) => L.eigh(a).eigenvectors.square(), [S], false);
      await run(E[3], tol, 'eigvalsh batched', (a) => L.eigvalsh(a), [Sb]);
      await sameUpToSign(L.eigh(Sb).eigenvectors, E[4], tol, 'eigh vectors batched');
      await run(E[5], tol, 'eigvalsh upper', (a) => L.eigvalsh(a, 'U'), [A]);
    });
    it('svdvals, svd (up to sign), pinv, pinverse, matrixRank, diagonal', async () => {
      const Sv = R.svd;
      await run(Sv[0], svdTol, 'svdvals tall', (a) => L.svdvals(a), [T], false);
      await run(Sv[1], svdTol, 'svdvals wide', (a) => L.svdvals(a), [Wd], false);
      const { U, Vh } = L.svd(T, { fullMatrices: false });
      await sameUpToSign(U, Sv[2], svdTol, 'svd U');
      await sameUpToSign(Vh.mT, transpose(Sv[3]), svdTol, 'svd V');
      await run(Sv[4], svdTol, 'svdvals batched', (a) => L.svdvals(a), [Tb], false);
      const P = R.pinv;
      await run(P[0], svdTol, 'pinv', (a) => L.pinv(a), [T]);
      await run(P[1], svdTol, 'pinverse', (a) => torch.pinverse(a), [Wd]);
      await run(P[2], svdTol, 'pinv hermitian', (a) => L.pinv(a, { hermitian: true }), [S]);
      await run(P[3], svdTol, 'pinv batched', (a) => L.pinv(a), [Tb]);
      const K = R.matrix_rank;
      await sameAs(L.matrixRank(T), K[0], 0, 'rank');
      await sameAs(L.matrixRank(torch.tensor([[1, 2, 3], [2, 4, 6], [1, 0, 1]], { dtype })), K[1], 0, 'rank 2');
      await sameAs(L.matrixRank(Ab), K[2], 0, 'rank batched');
      await sameAs(L.matrixRank(torch.tensor([[1, 2], [2, 4.0001]], { dtype }), { atol: 0.01 }), K[3], 0, 'rank atol');
      const Dg = R.diagonal;
      await sameAs(L.diagonal(Ab), Dg[0], 0, 'diagonal');
      await sameAs(L.diagonal(T, { offset: 1 }), Dg[1], 0, 'diagonal 1');
      await sameAs(L.diagonal(Wd, { offset: -1 }), Dg[2], 0, 'diagonal -1');
    });
    it('identities: A·A⁻¹ = I, A·solve(A, B) = B, Q R = A with QᵀQ = I, V diag(λ) Vᵀ = S, L Lᵀ = S, U S Vh = A', async () => {
      const id = (n: number) => torch.eye(n, { dtype });
      const near = async (x: torch.Tensor, y: torch.Tensor, what: string, t = tol * 10) => close(await values(x), await values(y), t, what);
      await near(A.matmul(L.inv(A)), id(3), 'A inv(A)');
      await near(Ab.matmul(L.inv(Ab)), id(3).expand([2, 2, 3, 3]), 'Ab inv(Ab)');
      await near(Ab.matmul(L.solve(Ab, B)), B.expand([2, 2, 3, 2]), 'Ab solve');
      for (const M of [T, Wd, Tb, A]) {
        const { Q, R: Rm } = L.qr(M);
        await near(Q.matmul(Rm), M, 'Q R');
        await near(Q.mT.matmul(Q), id(Q.shape[Q.ndim - 1]).expand([...Q.shape.slice(0, -2), Q.shape[Q.ndim - 1], Q.shape[Q.ndim - 1]]), 'QᵀQ');
        await near(torch.triu(Rm.reshape([-1, ...Rm.shape.slice(-2)]).index(0)), Rm.reshape([-1, ...Rm.shape.slice(-2)]).index(0), 'R upper');
      }
      const c = L.qr(T, 'complete');
      await near(c.Q.matmul(c.R), T, 'complete Q R');
      for (const M of [S, Sb]) {
        const { eigenvalues: w, eigenvectors: V } = L.eigh(M);
        await near(V.mul(w.unsqueeze(-2)).matmul(V.mT), M, 'V diag(w) Vᵀ');
        const Lc = L.cholesky(M);
        await near(Lc.matmul(Lc.mT), M, 'L Lᵀ');
      }
      // n = 12: the default number of Jacobi sweeps converges
      const G = torch.cos(torch.arange(144, { dtype: 'float64' }).pow(2).mul(0.37)).reshape([12, 12]).to({ dtype });
      const Sg = G.add(G.t());
      const big = L.eigh(Sg);
      await near(big.eigenvectors.mul(big.eigenvalues.unsqueeze(-2)).matmul(big.eigenvectors.mT), Sg, 'V diag(w) Vᵀ n=12');
      await near(big.eigenvectors.mT.matmul(big.eigenvectors), id(12), 'VᵀV n=12');
      const bs = L.svd(G); // (square: full and reduced agree)
      await near(bs.U.mul(bs.S.unsqueeze(-2)).matmul(bs.Vh), G, 'U S Vh n=12');
      const { U, S: sv, Vh } = L.svd(Tb, { fullMatrices: false });
      await near(U.mul(sv.unsqueeze(-2)).matmul(Vh), Tb, 'U S Vh', svdTol);
      const { U: U2, S: s2, Vh: Vh2 } = L.svd(Wd, { fullMatrices: false });
      await near(U2.mul(s2.unsqueeze(-2)).matmul(Vh2), Wd, 'U S Vh wide', svdTol);
    });
  });
}

/** Columns compared up to sign: each of got's columns flipped to agree with want's. */
async function sameUpToSign(got: torch.Tensor, want: Nested, tol: number, what: string) {
  expect([...got.shape], what).toEqual(dims(want));
  const g = await values(got), w = flat(want);
  const [r, c] = got.shape.slice(-2);
  for (let b = 0; b < g.length / (r * c); b++) {
    for (let j = 0; j < c; j++) {
      let dot = 0;
      for (let i = 0; i < r; i++) dot += g[b * r * c + i * c + j] * w[b * r * c + i * c + j];
      if (dot < 0) for (let i = 0; i < r; i++) g[b * r * c + i * c + j] *= -1;
    }
  }
  close(g, w, tol, what);
}
const transpose = (m: Nested): Nested => {
  const a = m as number[][];
  return a[0].map((_, j) => a.map((row) => row[j]));
};

describe('singular matrices, shapes, errors', () => {
  const sing = torch.tensor([[1, 2], [2, 4]], { dtype: 'float32' });
  it('det/slogdet/logdet of singular matrices are exact', async () => {
    const [d, s, l, ld, d3] = REF.singular as Nested[];
    await sameAs(L.det(sing), d, 0, 'det');
    expect(Object.is((await values(L.det(sing)))[0], -0)).toBe(true);
    await sameAs(L.slogdet(sing).sign, s, 0, 'sign');
    await sameAs(L.slogdet(sing).logabsdet, l, 0, 'logabsdet');
    expect(await torch.format(torch.logdet(sing))).toBe(ld);
    expect(d3).toBe('tensor(0., dtype=torch.float64)'); // PyTorch's; ours within rounding of 0
    expect(Math.abs((await values(L.det(torch.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]], { dtype: 'float64' }))))[0])).toBeLessThan(1e-14);
  });
  it("PyTorch's errors (values checked where A is on the CPU and final)", () => {
    const e = REF.errors as string[];
    const cases: Array<() => unknown> = [
      () => L.inv(torch.ones([2, 3])),
      () => L.inv(sing),
      () => L.inv(torch.stack([torch.eye(2), sing])),
      () => L.inv(torch.tensor([[1, 2], [3, 4]])),
      () => L.inv(torch.ones([3])),
      () => L.solve(sing, torch.ones([2])),
      () => L.solve(torch.eye(2), torch.ones([3])),
      () => L.solve(torch.eye(2), torch.ones([3, 2])),
      () => L.solve(torch.eye(2), torch.ones([2], { dtype: 'float64' })),
      () => L.det(torch.ones([2, 3])),
      () => L.cholesky(torch.tensor([[1, 2], [2, 1]], { dtype: 'float32' })),
      () => L.cholesky(torch.stack([torch.eye(2), torch.tensor([[1, 2], [2, 1]], { dtype: 'float32' })])),
      () => L.cholesky(torch.ones([2, 3])),
      () => L.eigh(torch.ones([2, 3])),
      () => L.qr(torch.ones([3])),
      () => L.qr(torch.ones([3, 2]), 'x' as 'r'),
      () => L.vectorNorm(torch.tensor([1, 2])),
      () => L.matrixNorm(torch.ones([3])),
      () => L.matrixNorm(torch.ones([3, 3]), 3),
      () => L.slogdet(torch.ones([2, 3])),
      () => L.norm(torch.ones([2, 2, 2]), 1),
    ];
    expect(cases.length).toBe(e.length);
    cases.forEach((f, i) => expect(f, e[i]).toThrow(e[i]));
  });
  it("svd's fullMatrices (PyTorch's default true): orthonormal completions, the reduced columns first; torch.svd (U, S, V)", async () => {
    const near = async (a: torch.Tensor, b: torch.Tensor, what: string) => close(await values(a), await values(b), 1e-10, what);
    const idn = (n: number) => torch.eye(n, { dtype: 'float64' });
    torch.manualSeed(5);
    for (const shape of [[5, 3], [3, 5], [2, 4, 2], [4, 4]]) {
      const A = torch.randn(shape, { dtype: 'float64' });
      const [m, n] = shape.slice(-2), k = Math.min(m, n);
      const f = L.svd(A), r = L.svd(A, { fullMatrices: false });
      expect([...f.U.shape], `U ${shape}`).toEqual([...shape.slice(0, -2), m, m]);
      expect([...f.Vh.shape], `Vh ${shape}`).toEqual([...shape.slice(0, -2), n, n]);
      expect([...r.U.shape]).toEqual([...shape.slice(0, -2), m, k]);
      await near(f.U.mT.matmul(f.U), idn(m).expand([...shape.slice(0, -2), m, m]), `UᵀU ${shape}`);
      await near(f.Vh.matmul(f.Vh.mT), idn(n).expand([...shape.slice(0, -2), n, n]), `Vh Vhᵀ ${shape}`);
      await near(f.U.narrow(-1, 0, k), r.U, `U's first ${k} columns ${shape}`);
      await near(f.Vh.narrow(-2, 0, k), r.Vh, `Vh's first ${k} rows ${shape}`);
      await near(f.U.narrow(-1, 0, k).mul(f.S.unsqueeze(-2)).matmul(f.Vh.narrow(-2, 0, k)), A, `U S Vh ${shape}`);
    }
    const A = torch.randn([5, 3], { dtype: 'float64' });
    const o = torch.svd(A), full = torch.svd(A, false), none = torch.svd(A, true, false);
    expect([[...o.U.shape], [...o.V.shape], [...full.U.shape], [...full.V.shape]]).toEqual([[5, 3], [3, 3], [5, 5], [3, 3]]);
    await near(o.V, L.svd(A, { fullMatrices: false }).Vh.mT, 'torch.svd V = Vhᵀ');
    // (computeUv false: zeros of the full shapes whatever `some` is, as PyTorch's)
    expect([[...none.U.shape], [...none.V.shape]]).toEqual([[5, 5], [3, 3]]);
    expect((await values(none.U)).every((v) => v === 0)).toBe(true);
    await near(none.S, o.S, 'S without U and V');
  });

  it("lstsq: every driver's outputs, a wide A with a vector B, rank-deficient A, batches, the gradient and errors, as PyTorch's", async () => {
    const R = REF.lstsq;
    const D = { dtype: 'float64' as const };
    const A = torch.tensor([[1, 2], [3, 4], [5, 7]], D), B = torch.tensor([[1, 0.5], [2, -1], [4, 3]], D);
    const same = async (r: { solution: torch.Tensor; residuals: torch.Tensor; rank: torch.Tensor; singular_values: torch.Tensor }, want: Nested[], what: string) => {
      await sameAs(r.solution, want[0], 1e-12, `${what} solution`);
      await sameAs(r.residuals, want[1], 1e-12, `${what} residuals`);
      await sameAs(r.rank, want[2], 0, `${what} rank`);
      if (r.rank.numel() > 0) expect(r.rank.dtype).toBe('int64');
      await sameAs(r.singular_values, want[3], 1e-12, `${what} singular values`);
    };
    for (const d of ['gelsy', 'gelsd', 'gelss', 'gels'] as const) await same(L.lstsq(A, B, { driver: d }), R.drivers[d], d);
    await sameAs(L.lstsq(torch.tensor([[1, 2, 3], [4, 5, 6]], D), torch.tensor([1, 2], D)).solution, R.wide_vector, 1e-12, 'wide, vector B');
    await same(L.lstsq(torch.tensor([[1, 2], [2, 4], [3, 6]], D), B, { driver: 'gelsd' }), R.rank_deficient, 'rank-deficient');
    await same(L.lstsq(torch.tensor(R.batch[0], D), torch.tensor(R.batch[1], D), { driver: 'gelsd' }), R.batch[2], 'batch broadcast');
    await run(R.grad, 1e-12, 'lstsq', (a, b) => L.lstsq(a, b).solution, [A, B]);
    const [e0, e1, e2, e3] = R.errors as string[];
    expect(() => L.lstsq(A, torch.ones([4, 1], D))).toThrow(e0);
    expect(() => L.lstsq(A, B, { driver: 'foo' as never })).toThrow(e1);
    expect(() => L.lstsq(A.float(), B)).toThrow(e2);
    expect(() => L.lstsq(A, torch.ones([2, 3, 1], D))).toThrow(e3);
    await gradcheck((a, b) => L.lstsq(a, b).solution, [[2, 5, 3], [1, 5, 2]]);
    await gradcheck((a, b) => L.lstsq(a, b).solution, [[2, 4], [2]]);
  });

  it("solve's vector rule and broadcasting; qr complete shapes", () => {
    const sh = REF.shapes as number[][];
    const I2 = torch.eye(2);
    expect([...L.solve(I2.expand([3, 2, 2]), torch.ones([3, 2])).shape]).toEqual(sh[0]);
    expect([...L.solve(I2.expand([2, 2, 2]), torch.ones([2, 2])).shape]).toEqual(sh[1]);
    expect([...L.solve(I2.expand([3, 2, 2]), torch.ones([2])).shape]).toEqual(sh[2]);
    expect([...L.solve(I2, torch.ones([4, 2, 1])).shape]).toEqual(sh[3]);
    expect([...L.qr(torch.randn([2, 5, 3]), 'complete').Q.shape]).toEqual(sh[4]);
    expect([...L.qr(torch.randn([2, 3, 5]), 'complete').R.shape]).toEqual(sh[5]);
  });
});

describe('gradients match finite differences (float64)', () => {
  const eye = (n: number) => torch.eye(n, { dtype: 'float64' });
  const wellConditioned = (x: torch.Tensor) => x.add(eye(x.shape[x.ndim - 1]).mul(3));
  const spd = (x: torch.Tensor) => x.matmul(x.mT).add(eye(x.shape[x.ndim - 1]));
  const sym = (x: torch.Tensor) => x.add(x.mT);
  it('inv, solve, det, slogdet, logdet', async () => {
    await gradcheck((x) => L.inv(wellConditioned(x)), [[2, 3, 3]]);
    await gradcheck((a, b) => L.solve(wellConditioned(a), b), [[3, 3], [3, 2]]);
    await gradcheck((a, b) => L.solve(wellConditioned(a), b), [[2, 3, 3], [3]]);
    await gradcheck((x) => L.det(wellConditioned(x)), [[2, 3, 3]]);
    await gradcheck((x) => L.slogdet(wellConditioned(x)).logabsdet, [[4, 4]]);
    await gradcheck((x) => torch.logdet(spd(x)), [[3, 3]]);
  });
  it('norms, cholesky, qr, eigh, eigvalsh, svdvals, pinv', async () => {
    await gradcheck((x) => L.vectorNorm(x, 3, 1), [[3, 4]]);
    await gradcheck((x) => L.matrixNorm(x, 'nuc'), [[4, 3]], { tol: 1e-4 });
    await gradcheck((x) => L.cholesky(spd(x)), [[2, 3, 3]]);
    await gradcheck((x) => L.cholesky(spd(x), { upper: true }), [[3, 3]]);
    await gradcheck((x) => L.qr(x).Q, [[4, 3]]);
    await gradcheck((x) => L.qr(x).R, [[3, 4]]);
    await gradcheck((x) => L.eigvalsh(sym(x)), [[4, 4]]);
    await gradcheck((x) => L.eigh(sym(x)).eigenvectors.square(), [[3, 3]]);
    await gradcheck((x) => L.svdvals(x), [[4, 3]], { tol: 1e-4 });
    // svd's U and Vh, through the composed Jacobi (sign-fixed, so differentiable); with fullMatrices the
    // completion columns carry no gradient (PyTorch's backward reads the first min(m, n) only)
    const wU = torch.linspace(-1, 1, 12, { dtype: 'float64' }).reshape([4, 3]), wV = torch.linspace(1, 2, 9, { dtype: 'float64' }).reshape([3, 3]);
    await gradcheck((x) => { const r = L.svd(x, { fullMatrices: false }); return r.U.mul(wU).sum().add(r.Vh.mul(wV).sum()).add(r.S.sum()); }, [[4, 3]], { tol: 1e-4 });
    await gradcheck((x) => { const r = L.svd(x); return r.U.narrow(1, 0, 3).mul(wU).sum().add(r.S.sum()); }, [[4, 3]], { tol: 1e-4 });
    const x = torch.randn([4, 3], { dtype: 'float64' }).requiresGrad_(true);
    const [gFull] = await torch.autograd.grad(L.svd(x).U.sum(), x);
    const [gFirst] = await torch.autograd.grad(L.svd(x).U.narrow(1, 0, 3).sum(), x);
    close(await values(gFull!), await values(gFirst!), 1e-12, 'full U: the completion has no gradient');
    await gradcheck((x) => L.pinv(x), [[4, 3]], { tol: 1e-4 });
  });
});

describe.runIf(available)("on the GPU: the CPU's results (float32, within 1e-4)", () => {
  it('inv, solve, det, slogdet, norms, cholesky, qr, eigh, svdvals, pinv, lstsq', async () => {
    const fs: Array<[string, (x: ReturnType<typeof inputs>) => torch.Tensor | torch.Tensor[]]> = [
      ['inv', (x) => L.inv(x.Ab)], ['solve', (x) => L.solve(x.Ab, x.B)], ['det', (x) => L.det(x.Ab)],
      ['slogdet', (x) => [...L.slogdet(x.A)]], ['vectorNorm', (x) => L.vectorNorm(x.Ab, 3, [-1])], ['matrixNorm', (x) => L.matrixNorm(x.Ab, Infinity)],
      ['cholesky', (x) => L.cholesky(x.Sb)], ['qr', (x) => [...L.qr(x.Tb)]], ['eigh', (x) => [...L.eigh(x.Sb)]], ['svdvals', (x) => L.svdvals(x.T)],
      ['pinv', (x) => L.pinv(x.Wd)], ['lstsq', (x) => L.lstsq(x.T, x.T.narrow(1, 0, 2)).solution], ['svd full', (x) => L.svd(x.Wd).S],
    ];
    const cpu = inputs('float32'), gpu = inputs('float32', 'gpu');
    for (const [what, f] of fs) {
      const a = [f(cpu)].flat(), b = [f(gpu)].flat();
      for (let i = 0; i < a.length; i++) {
        expect(b[i].device, what).toBe('gpu');
        close(await values(b[i].cpu()), await values(a[i]), 1e-4, `${what} [${i}]`);
      }
    }
    // lstsq's residuals need the rank's values: on the GPU, drivers that return them say so
    expect(() => L.lstsq(gpu.T, gpu.T, { driver: 'gelsd' })).toThrow("returns residuals only where A has full rank, which needs A's values now");
    // A singular A on the GPU (its values not seen): inf/NaN, no error.
    const r = await values(L.inv(torch.tensor([[1, 2], [2, 4]], { dtype: 'float32', device: 'gpu' })).cpu());
    expect(r.some((z) => !Number.isFinite(z))).toBe(true);
    // gradients too
    const x = cpu.Ab.clone().requiresGrad_(), y = gpu.Ab.clone().requiresGrad_();
    await L.inv(x).sum().backward(); await L.inv(y).sum().backward();
    close(await values(y.grad!.cpu()), await values(x.grad!), 1e-4, 'inv grad');
  });
});
