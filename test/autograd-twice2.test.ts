// Second derivatives (createGraph) through the composite ops marked twice() after the first round
// (test/autograd-twice.test.ts): sorting and scans, the elementwise and matrix helpers of ops-misc /
// ops-extra, transposed convolution, im2col, interpolation and padding, the node-per-loss losses, the 3-D
// layers, linalg's factorizations and the special functions. Each against finite differences of its own
// first derivative in float64 (gradgradcheck, test/helpers.ts); linalg's Hessian-vector products also
// against PyTorch 1.13 (test/fixtures/autograd2.json, scripts/torch-autograd2.py); and what stays refused.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradgradcheck, values } from './helpers.ts';

const F = torch.nn.functional;
const REF = JSON.parse(readFileSync(new URL('./fixtures/autograd2.json', import.meta.url), 'utf8')) as Record<string, any>;
const D = { dtype: 'float64' } as const;
const available = await gpuForTests('autograd-twice2', { composite: true });
const I64 = { dtype: 'int64' } as const;
const ix = (v: number[] | number[][]) => torch.tensor(v, I64);
/** A symmetric positive-definite matrix from any square X: X Xᵀ + n·I. */
const spd = (X: torch.Tensor) => X.matmul(X.t()).add(torch.eye(X.shape[0], D).mul(X.shape[0]));
/** X's symmetric part. */
const sym = (X: torch.Tensor) => X.add(X.t()).mul(0.5);

type Case = [string, (...xs: torch.Tensor[]) => torch.Tensor, number[][], { positive?: boolean; tol?: number }?];
const run = (cases: Case[]) => { for (const [name, f, shapes, o] of cases) it(name, async () => { await gradgradcheck(f, shapes, o); }); };

describe('createGraph through sorting, scans and rearrangements', () => {
  run([
    ['sort, msort, topk (k < n and k = n), kthvalue, median (all, dim)', (a) => torch.sort(a.pow(3), 1, true).values.mul(a.tanh())
      .add(torch.topk(a.mul(a), 2, 1).values.pow(2).sum(1, true))
      .add(torch.topk(a.sin(), 4, 1, false).values.pow(3))
      .add(torch.kthvalue(a.pow(3), 2, 1, true).values.mul(a))
      .add(torch.median(a.exp(), 1, true).values.pow(2)).add(torch.median(a.pow(3)).mul(a)).add(torch.msort(a.mul(a)).sum(0).pow(2)), [[3, 4]]],
    ['cumsum, cumprod, flip, roll (dims, flattened)', (a) => torch.cumsum(a.pow(2), 1).mul(torch.cumprod(a, 1))
      .add(torch.flip(a.tanh(), [0, 1]).pow(2)).add(torch.roll(a.pow(3), [1, -1], [0, 1]).mul(a)).add(torch.roll(a.sin(), 2).mul(torch.cumprod(a.flip(1), 0))), [[2, 4]]],
    ['cummax, cummin, logcumsumexp, mode', (a) => torch.cummax(a.pow(3), 1).values.mul(torch.cummin(a.sin(), 0).values)
      .add(torch.logcumsumexp(a.mul(a), 1).pow(2)).add(torch.mode(a.pow(3), 1, true).values.mul(a)), [[2, 4]]],
  ]);
});

describe('createGraph through ops-extra and ops-misc', () => {
  run([
    ['prod (all, dim), logaddexp, hypot, deg2rad, frac, nanToNum', (a, b) => torch.prod(a, 1, true).mul(torch.prod(b.tanh()))
      .add(torch.logaddexp(a, b.mul(b))).mul(torch.hypot(a, b)).add(torch.deg2rad(a.pow(3))).add(torch.frac(b.mul(0.1)).pow(2)).add(torch.nanToNum(a.log()).pow(2)), [[2, 3], [2, 3]]],
    ['logit (plain, eps), sinc, xlogy, copysign', (a, b) => torch.logit(torch.sigmoid(a)).pow(3).add(torch.logit(torch.sigmoid(b), 1e-3).pow(2))
      .add(torch.sinc(a.mul(b))).mul(torch.xlogy(a, b.abs().add(0.5))).add(torch.copysign(a.pow(3), b)), [[2, 3], [2, 3]]],
    ['cross, take, nansum, vdot, mv, rot90, diagEmbed', (a, b) => {
      const c = torch.cross(a.pow(2), b.tanh(), 1);
      const t = torch.take(a.mul(b), ix([[0, 5], [-1, 2]])).pow(2).sum();
      const m = torch.mv(a.t().matmul(b), b.index(0)).pow(2).sum();
      return c.mul(torch.nansum(a.mul(b), 1, true)).add(torch.vdot(a.index(0), b.index(1).pow(3))).add(t).add(m)
        .add(torch.rot90(a.pow(3), 1, [0, 1]).t()).add(torch.diagEmbed(b.sin(), 1).sum(-1).index(':', '0:3').pow(2));
    }, [[2, 3], [2, 3]]],
  ]);
});

describe('createGraph through transposed convolution, im2col, interpolation, padding and the rest of functional-extra', () => {
  run([
    ['convTranspose2d (bias, stride, groups), convTranspose1d', (x, w, b, w1) => F.convTranspose2d(x, w, b, { stride: [2, 1], padding: [0, 1], groups: 2 }).pow(2).sum([2, 3])
      .add(F.convTranspose1d(x.reshape([1, 4, 4]), w1, null, { stride: 2 }).tanh().sum(2)), [[1, 4, 2, 2], [4, 1, 2, 2], [2], [4, 2, 3]]],
    ['unfold (padding, stride), fold', (x, c) => F.unfold(x.pow(2), 2, { padding: 1, stride: 2 }).pow(2).sum(2)
      .sum().mul(F.fold(c.mul(c), [3, 3], 2).mul(x).sum()), [[1, 2, 3, 3], [1, 8, 4]]],
    ['pixelShuffle, pixelUnshuffle, prelu, threshold, adaptiveMaxPool2d', (x, w) => F.pixelShuffle(x.pow(2), 2).mul(F.pixelShuffle(x, 2))
      .add(F.pixelUnshuffle(F.pixelShuffle(x.tanh(), 2), 2).sum(1, true).pow(2).sum()).add(F.prelu(x, w).pow(2).sum(1, true).sum())
      .add(F.threshold(x.pow(3), 0.1, -1).pow(2).sum()).add(F.interpolate(F.adaptiveMaxPool2d(x.pow(3), [2, 1]), { size: [4, 4], mode: 'nearest' }).sum(1, true)), [[1, 4, 2, 2], [4]]],
    ['linear, bilinear interpolation (alignCorners both ways), reflect and replicate pads', (x) => F.interpolate(x.pow(2), { size: [3, 5], mode: 'bilinear' }).pow(2).sum([2, 3])
      .add(F.interpolate(x.tanh(), { scaleFactor: 1.5, mode: 'bilinear', alignCorners: true }).pow(3).sum([2, 3]))
      .add(F.interpolate(x.reshape([1, 2, 6]).pow(3), { size: 4, mode: 'linear' }).pow(2).sum(2))
      .add(F.pad(x.pow(2), [1, 2, 1, 0], { mode: 'reflect' }).pow(2).sum([2, 3])).add(F.pad(x.sin(), [2, 1, 0, 1], { mode: 'replicate' }).pow(3).sum([2, 3])), [[1, 2, 2, 3]]],
  ]);
});

describe('createGraph through the losses', () => {
  run([
    ['softMarginLoss, multiLabelMarginLoss, multiMarginLoss (p = 1, p = 2 with weight), marginRankingLoss (clamp_min)', (a, b) => {
      const y = torch.tensor([[1, -1, 1, 1], [-1, -1, 1, -1]], D);
      return F.softMarginLoss(a.mul(b), y).mul(F.multiLabelMarginLoss(a.pow(3), ix([[2, 0, -1, 1], [3, -1, 0, 0]]), { reduction: 'sum' }))
        .add(F.multiMarginLoss(a.mul(b), ix([1, 3]), { p: 2, margin: 2, weight: torch.tensor([0.5, 1, 2, 1.5], D), reduction: 'none' }).pow(2).sum())
        .add(F.multiMarginLoss(a.pow(3), ix([0, 2])).pow(2))
        .add(F.marginRankingLoss(a.pow(2), b, y, { margin: 0.5 }).pow(2));
    }, [[2, 4], [2, 4]]],
    ['huberLoss, smoothL1Loss, binaryCrossEntropy (weight), glu, adaptiveAvgPool2d, gaussianNllLoss', (a, b) => F.huberLoss(a.pow(3), b, { delta: 0.8 }).mul(F.smoothL1Loss(a, b.pow(2), { beta: 0.5 }))
      .add(F.binaryCrossEntropy(torch.sigmoid(a.mul(b)), torch.tensor([[0.2, 0.9, 0.5, 0], [1, 0.3, 0.6, 0.1]], D), { weight: torch.tensor([1, 2, 0.5, 1.5], D) }).pow(2))
      .add(F.glu(a.mul(b), 1).pow(2).sum()).add(F.adaptiveAvgPool2d(a.reshape([1, 2, 4]).pow(3), [1, 3]).pow(2).sum())
      .add(F.gaussianNllLoss(a, b, a.mul(a).add(0.5))), [[2, 4], [2, 4]]],
    ['composed losses and layers: klDiv, cosineEmbedding, tripletMargin, poissonNll, multiLabelSoftMargin, 1-D pools, circular pad, trilinear', (a, b) => {
      const y = torch.tensor([1, -1], D);
      const x3 = a.reshape([1, 2, 4]);
      return F.klDiv(F.logSoftmax(a, 1), torch.softmax(b, 1), { reduction: 'batchmean' }).mul(F.cosineEmbeddingLoss(a, b.pow(2), y))
        .add(F.tripletMarginLoss(a, b, a.mul(b))).add(F.poissonNllLoss(a, b.abs())).add(F.multiLabelSoftMarginLoss(a.mul(b), torch.tensor([[1, 0, 1, 0], [0, 0, 1, 1]], D)))
        .add(F.maxPool1d(x3.pow(3), 2).pow(2).sum()).add(F.avgPool1d(x3.mul(x3), 3, { stride: 1, padding: 1 }).pow(2).sum()).add(F.adaptiveAvgPool1d(x3.pow(3), 3).pow(2).sum())
        .add(F.pad(x3.pow(2), [1, 2], { mode: 'circular' }).pow(2).sum()).add(F.interpolate(a.reshape([1, 1, 2, 2, 2]).pow(2), { size: [3, 2, 3], mode: 'trilinear' }).pow(2).sum());
    }, [[2, 4], [2, 4]]],
    ['embeddingBag: sum with perSampleWeights, mean with paddingIdx, max', (w, s) => {
      const inp = ix([0, 2, 1, 3, 2, 0]);
      const sumBag = F.embeddingBag(inp, w.pow(2), [0, 2, 5], { mode: 'sum', perSampleWeights: s.pow(2) });
      const meanBag = F.embeddingBag(ix([[1, 0, 3], [2, 2, 0]]), w.tanh(), null, { mode: 'mean', paddingIdx: 0 });
      const maxBag = F.embeddingBag(inp, w.pow(3), [0, 3], { mode: 'max' });
      return sumBag.pow(2).sum(0).add(meanBag.pow(3).sum(0)).add(maxBag.pow(2).sum(0));
    }, [[4, 3], [6]]],
  ]);
});

describe('createGraph through the 3-D layers', () => {
  run([
    ['conv3d (bias, padding, unbatched), convTranspose3d', (x, w, b, wt) => F.conv3d(x, w, b, { padding: [1, 0, 0] }).pow(2).sum([2, 3, 4])
      .add(F.conv3d(x.index(0), w, null, { stride: 2 }).tanh().sum([1, 2, 3]).unsqueeze(0))
      .add(F.convTranspose3d(x.pow(2), wt, null, { stride: [1, 2, 1] }).pow(2).sum([2, 3, 4])), [[1, 2, 2, 2, 3], [2, 2, 2, 1, 2], [2], [2, 2, 1, 2, 1]]],
    ['maxPool3d, avgPool3d (padding, countIncludePad false), adaptiveAvgPool3d, adaptiveMaxPool3d, bicubic', (x) => F.maxPool3d(x.pow(3), 2, { stride: 1 }).pow(2).sum([2, 3, 4])
      .add(F.avgPool3d(x.mul(x), [2, 2, 3], { padding: [1, 0, 1], countIncludePad: false }).pow(2).sum([2, 3, 4]))
      .add(F.adaptiveAvgPool3d(x.pow(3), [1, 2, 2]).pow(2).sum([2, 3, 4])).add(F.adaptiveMaxPool3d(x.sin(), [2, 1, 2]).pow(3).sum([2, 3, 4]))
      .add(F.interpolate(x.index(':', ':', 0).pow(2), { size: [3, 4], mode: 'bicubic' }).pow(2).sum([2, 3])), [[1, 2, 2, 3, 3]]],
  ]);
});

describe('createGraph through linalg', () => {
  run([
    ['inv, det, slogdet, logdet', (A) => torch.linalg.inv(A.pow(2).add(torch.eye(3, D))).pow(2).sum(1).mul(torch.linalg.det(A))
      .add(torch.linalg.slogdet(A).logabsdet.pow(2)).add(torch.logdet(spd(A))), [[3, 3]]],
    ['solve (matrix B, vector B, left false)', (A, B) => torch.linalg.solve(A.add(torch.eye(3, D).mul(3)), B.pow(2)).pow(2).sum(1)
      .add(torch.linalg.solve(A.add(torch.eye(3, D).mul(3)), B.index(':', 0).tanh()).pow(3))
      .add(torch.linalg.solve(A.add(torch.eye(3, D).mul(3)), B.t(), { left: false }).pow(2).sum(0)), [[3, 3], [3, 2]]],
    ['cholesky (lower, upper) of a symmetric positive-definite matrix', (X) => torch.linalg.cholesky(spd(X)).pow(2).sum(1)
      .add(torch.linalg.cholesky(spd(X.tanh()), { upper: true }).pow(3).sum(0)), [[3, 3]]],
    ['eigh (values, and vectors through sign-free products), eigvalsh', (X) => {
      const { eigenvalues: w, eigenvectors: V } = torch.linalg.eigh(sym(X));
      return w.pow(2).add(V.pow(2).matmul(w)).add(torch.linalg.eigvalsh(sym(X.pow(2))).pow(3));
    }, [[3, 3]]],
    ['svdvals, svd (values and sign-free products of the vectors), matrixNorm nuc', (X) => {
      const { U, S, Vh } = torch.linalg.svd(X, { fullMatrices: false });
      return torch.linalg.svdvals(X.pow(2)).pow(2).add(S.pow(3)).add(U.pow(4).sum(0).mul(Vh.pow(4).sum(1)))
        .add(torch.linalg.matrixNorm(X.tanh(), 'nuc').pow(2));
    }, [[3, 2]]],
    ['pinv (wide, tall), qr', (X) => torch.linalg.pinv(X).pow(2).sum(0).add(torch.linalg.pinv(X.t().tanh()).pow(2).sum(1))
      .add(torch.linalg.qr(X.pow(2)).R.pow(2).sum()).add(torch.linalg.qr(X.t().mul(X.t())).Q.pow(3).sum()), [[3, 2]]],
  ]);

  it("Hessian-vector products equal PyTorch's (inv, solve, det, slogdet, cholesky, eigh, svdvals, pinv)", async () => {
    const R = REF.linalg_hvp;
    const A0 = torch.tensor([[1.2, -0.3, 0.5], [0.4, 0.9, -0.2], [-0.1, 0.6, 1.5]], D);
    const B0 = torch.tensor([[0.3, -1.0], [0.8, 0.2], [-0.5, 0.7]], D);
    const v = torch.tensor([[0.2, -0.5, 1.0], [0.7, 0.1, -0.3], [-0.4, 0.9, 0.6]], D);
    const fs: Record<string, (A: torch.Tensor) => torch.Tensor> = {
      inv: (A) => torch.linalg.inv(A).pow(2).sum(),
      solve: (A) => torch.linalg.solve(A, B0).pow(3).sum(),
      det: (A) => torch.linalg.det(A).pow(2),
      slogdet: (A) => torch.linalg.slogdet(A).logabsdet.pow(2),
      cholesky: (A) => torch.linalg.cholesky(A.matmul(A.t())).pow(3).sum(),
      eigh: (A) => { const { eigenvalues: w, eigenvectors: V } = torch.linalg.eigh(A.add(A.t())); return w.pow(3).sum().add(V.pow(4).sum()); },
      svdvals: (A) => torch.linalg.svdvals(A).pow(3).sum(),
      pinv: (A) => torch.linalg.pinv(A.index(':', '0:2')).pow(2).sum(),
    };
    for (const [name, f] of Object.entries(fs)) {
      const A = A0.clone().requiresGrad_();
      const [g] = await torch.autograd.grad(f(A), A, { createGraph: true });
      const [hv] = await torch.autograd.grad(g!.mul(v).sum(), A);
      const got = await values(hv!), want = (R[name] as number[][]).flat();
      got.forEach((x, i) => expect(Math.abs(x - want[i]), `${name}[${i}]: ${x} vs ${want[i]}`).toBeLessThanOrEqual(1e-8 * Math.max(1, Math.abs(want[i]))));
    }
  });
});

describe('createGraph through the special functions', () => {
  run([
    ['Normal.icdf (erfinv)', (a) => new torch.distributions.Normal(0.3, 1.5).icdf(torch.sigmoid(a)).pow(3), [[5]], { tol: 1e-4 }],
    ['lgamma (a second derivative: trigamma)', (a) => torch.lgamma(a).pow(2).add(torch.lgamma(a.mul(0.1).sub(1.45)).mul(a)), [[5]], { positive: true }],
  ]);
  it("digamma's second derivative is polygamma(2, x) (through the zeta primitive)", async () => {
    const x = torch.tensor([0.7, 2.5], D).requiresGrad_();
    const [g] = await torch.autograd.grad(torch.digamma(x).sum(), x, { createGraph: true });
    expect(g!.requiresGrad).toBe(true);
    const [h] = await torch.autograd.grad(g!.sum(), x);
    // polygamma(2, x) = −2ζ(3, x): at 0.7 and 2.5 (mpmath)
    const want = [-6.434992874190924, -0.2362040516417274];
    (await h!.toTypedArray()).forEach((v, i) => expect(Math.abs(v - want[i]) / Math.abs(want[i])).toBeLessThan(1e-12));
  });
});

describe.skipIf(!available)('createGraph through the new composites on the GPU', () => {
  it('Hessian-vector products through sort, topk, cumprod, logcumsumexp, conv_transpose2d, fold and inv equal the CPU', async () => {
    // (the GPU's own paths: a permutation undone by gathering with its inverse, fold by an inverse index)
    const run = async (device: string) => {
      const o = { device };
      const x = torch.tensor([[0.3, -1.2, 0.8, 0.1], [1.1, 0.4, -0.6, -0.2]], o).requiresGrad_();
      const w = torch.tensor([0.5, -0.3, 0.8, 0.2, -0.7, 0.4, 0.1, 0.9], o).reshape([2, 1, 2, 2]).requiresGrad_();
      const f = () => torch.sort(x.pow(3), 1).values.mul(x.tanh()).sum().add(torch.topk(x.mul(x), 4, 1).values.pow(2).sum())
        .add(torch.cumprod(x, 1).pow(2).sum()).add(torch.logcumsumexp(x, 1).pow(2).sum())
        .add(F.convTranspose2d(x.reshape([1, 2, 2, 2]), w, null, { stride: 2 }).pow(2).sum())
        .add(F.fold(x.reshape([1, 2, 4]).pow(2), [3, 3], [1, 2], { stride: [2, 1] }).pow(2).sum())
        .add(torch.linalg.inv(x.reshape([2, 2, 2]).add(torch.eye(2, o).mul(2))).pow(2).sum());
      const [gx, gw] = await torch.autograd.grad(f(), [x, w], { createGraph: true });
      const [hx, hw] = await torch.autograd.grad(gx!.mul(torch.tensor([[1, -2, 0.5, 3], [0.2, 1, -1, 0.4]], o)).sum().add(gw!.sum()), [x, w]);
      return [await values(hx!), await values(hw!)];
    };
    const [cpu, gpu] = [await run('cpu'), await run('gpu')];
    cpu.forEach((c, i) => c.forEach((v, j) => expect(Math.abs(gpu[i][j] - v), `part ${i}[${j}]: ${gpu[i][j]} vs ${v}`).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(v)))));
  });
});
