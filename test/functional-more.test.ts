// softshrink / hardshrink, localResponseNorm, lpPool1d/2d, the *WithIndices poolings, maxUnpool1d/2d/3d,
// instanceNorm, the multilabel* spellings, the dropouts (1-D and 3-D channel, alpha and feature alpha),
// gumbelSoftmax and their nn layers: PyTorch 1.13's values, gradients of a weighted sum, grad_fns, module
// reprs and errors (test/fixtures/functional-more.json, from scripts/torch-functional-more.py, which
// writes its inputs too), finite differences (float64), the random ones by their properties.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradcheck, values } from './helpers.ts';
import { check, close, make, type Case } from './fixture-cases.ts';

const REF = JSON.parse(readFileSync(new URL('./fixtures/functional-more.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const { nn } = torch;
const F = nn.functional;
const cases = (k: string) => REF[k] as Case[];
const errs = (k: string) => REF[k] as string[];
const available = await gpuForTests('functional-more', { composite: true });


describe('softshrink, hardshrink', () => {
  it("PyTorch's values (NaN: 0 and NaN), gradients (0 inside [−λ, λ]), grad_fns and errors", async () => {
    const [s0, s1, s2, h0, h1, h2, s64] = cases('shrink');
    await check(s0, (t) => F.softshrink(t), 'softshrink');
    await check(s1, (t) => F.softshrink(t, 0.25), 'softshrink 0.25');
    await check(s2, (t) => F.softshrink(t, 0), 'softshrink 0');
    await check(h0, (t) => F.hardshrink(t), 'hardshrink');
    await check(h1, (t) => F.hardshrink(t, 1), 'hardshrink 1');
    await check(h2, (t) => F.hardshrink(t, -1), 'hardshrink -1');
    await check(s64, (t) => F.softshrink(t, 0.3), 'softshrink float64', { dtype: 'float64' });
    const [n0, n1] = cases('shrink_nan');
    await check(n0, (t) => F.softshrink(t), 'softshrink NaN');
    await check(n1, (t) => F.hardshrink(t), 'hardshrink NaN');
    const [e0, e1, e2] = errs('shrink_err');
    expect(() => F.softshrink(torch.tensor([1, 2]), -1)).toThrow(e0);
    expect(() => F.softshrink(torch.tensor([1, 2]))).toThrow(e1);
    expect(() => F.hardshrink(torch.tensor([1, 2]))).toThrow(e2);
  });
  it('modules apply their lambda; gradients twice', async () => {
    const x = torch.tensor([-1, -0.3, 0.2, 0.8]);
    close(await values(new nn.Softshrink(0.25).forward(x)), [-0.75, -0.05, 0, 0.55], 'Softshrink(0.25)', 1e-7);
    close(await values(new nn.Hardshrink(0.25).forward(x)), [-1, -0.3, 0, 0.8], 'Hardshrink(0.25)', 1e-7);
    await gradcheck((t) => F.softshrink(t.mul(3), 0.7).mul(t), [[3, 4]]);
    await gradcheck((t) => F.hardshrink(t.mul(3), 0.7).mul(t), [[3, 4]]);
  });
});

describe('localResponseNorm, lpPool1d, lpPool2d', () => {
  it("PyTorch's values, gradients, grad_fns (its compositions') and errors", async () => {
    const [l0, l1, l2, l3] = cases('lrn');
    await check(l0, (t) => F.localResponseNorm(t, 3), 'lrn 3-D');
    await check(l1, (t) => F.localResponseNorm(t, 2, { alpha: 0.1, beta: 0.5, k: 2 }), 'lrn 4-D');
    await check(l2, (t) => F.localResponseNorm(t, 4, { alpha: 1e-2, beta: 1, k: 0.5 }), 'lrn 5-D');
    await check(l3, (t) => F.localResponseNorm(t, 1), 'lrn size 1');
    expect(() => F.localResponseNorm(torch.zeros([2, 3]), 2)).toThrow(errs('lrn_err')[0]);
    const lp = cases('lp');
    await check(lp[0], (t) => F.lpPool1d(t, 2, 3), 'lp1d');
    await check(lp[1], (t) => F.lpPool1d(t, 3, 2, { stride: 1 }), 'lp1d p=3');
    await check(lp[2], (t) => F.lpPool1d(t, 1.5, 3, { stride: 2, ceilMode: true }), 'lp1d ceil');
    await check(lp[3], (t) => F.lpPool2d(t, 2, 2), 'lp2d');
    await check(lp[4], (t) => F.lpPool2d(t, 1, [2, 3], { stride: [1, 2] }), 'lp2d p=1');
    await check(lp[5], (t) => F.lpPool2d(t, 4, 3, { stride: 2, ceilMode: true }), 'lp2d ceil');
    await check(lp[6], (t) => F.lpPool1d(t, 2, 2), 'lp1d unbatched');
    expect(() => F.lpPool2d(torch.ones([2, 2, 5, 6]), 2, 7)).toThrow(errs('lp_err')[0]);
  });
  it('gradients match finite differences (float64)', async () => {
    await gradcheck((t) => F.localResponseNorm(t, 3, { alpha: 0.5, beta: 0.75, k: 1 }), [[2, 4, 3]]);
    await gradcheck((t) => F.localResponseNorm(t, 2, { alpha: 0.3 }), [[1, 3, 2, 2]]);
    await gradcheck((t) => F.lpPool2d(t, 2, 2), [[1, 2, 4, 4]], { positive: true });
    await gradcheck((t) => F.lpPool1d(t, 3, 2, { stride: 1 }), [[2, 5]], { positive: true });
  });
});

describe('maxPool*WithIndices, adaptiveMaxPool*', () => {
  it("PyTorch's values, indices (first largest, NaN winning), gradients, grad_fns and errors", async () => {
    const c = cases('wi');
    await check(c[0], (t) => F.maxPool1dWithIndices(t, 2), 'max1d');
    await check(c[1], (t) => F.maxPool1dWithIndices(t, 3, { stride: 2, padding: 1, ceilMode: true }), 'max1d ceil');
    await check(c[2], (t) => F.maxPool1dWithIndices(t, 2, { stride: 1, dilation: 2 }), 'max1d unbatched');
    await check(c[3], (t) => F.maxPool2dWithIndices(t, 2), 'max2d');
    await check(c[4], (t) => F.maxPool2dWithIndices(t, [3, 2], { stride: [2, 1], padding: 1, ceilMode: true }), 'max2d ceil');
    await check(c[5], (t) => F.maxPool2dWithIndices(t, 2, { stride: 1, dilation: [2, 1] }), 'max2d unbatched');
    await check(c[6], (t) => F.maxPool3dWithIndices(t, 2, { stride: 1 }), 'max3d');
    await check(c[7], (t) => F.maxPool3dWithIndices(t, [2, 3, 2], { stride: 2, padding: 1 }), 'max3d unbatched');
    await check(c[8], (t) => F.adaptiveMaxPool1dWithIndices(t, 4), 'adaptive1d');
    await check(c[9], (t) => F.adaptiveMaxPool1d(t, 3), 'adaptive1d unbatched');
    await check(c[10], (t) => F.adaptiveMaxPool2dWithIndices(t, [3, 4]), 'adaptive2d');
    await check(c[11], (t) => F.adaptiveMaxPool3dWithIndices(t, [3, 2, 2]), 'adaptive3d');
    const [e0, e1] = errs('wi_err');
    expect(() => F.adaptiveMaxPool1d(torch.ones([2]), 2)).toThrow(e0);
    expect(() => F.maxPool2dWithIndices(torch.ones([2, 2, 5, 6]), 2, { padding: 2 })).toThrow(e1);
  });
  it('nn.AdaptiveMaxPool1d with and without indices', async () => {
    const x = torch.tensor([[[1, 5, 2, 8, 3, 0]]], { dtype: 'float32' });
    expect(await values(new nn.AdaptiveMaxPool1d(2).forward(x) as torch.Tensor)).toEqual([5, 8]);
    const [v, i] = new nn.AdaptiveMaxPool1d(3, true).forward(x) as torch.Tensor[];
    expect(await values(v)).toEqual([5, 8, 3]);
    expect(i.dtype).toBe('int64');
    expect(await values(i)).toEqual([1, 3, 4]);
  });
});

describe('maxUnpool1d, maxUnpool2d, maxUnpool3d', () => {
  const u = () => cases('unpool');
  const ind = (c: Case) => make(c.ind, c.shapes[0]).long();
  it("PyTorch's values (the pooled values back at their places, once where windows overlap), gradients (gathered), grad_fns", async () => {
    const c = u();
    await check(c[0], (t) => F.maxUnpool1d(t, ind(c[0]), 2), 'unpool1d');
    await check(c[1], (t) => F.maxUnpool1d(t, ind(c[1]), 3, { stride: 1 }), 'unpool1d overlapping');
    await check(c[2], (t) => F.maxUnpool1d(t, ind(c[2]), 2, { outputSize: [9] }), 'unpool1d outputSize');
    await check(c[3], (t) => F.maxUnpool2d(t, ind(c[3]), 2), 'unpool2d');
    await check(c[4], (t) => F.maxUnpool2d(t, ind(c[4]), 3, { stride: 2, padding: 1, outputSize: [1, 2, 5, 6] }), 'unpool2d padding');
    await check(c[5], (t) => F.maxUnpool2d(t, ind(c[5]), [2, 2], { outputSize: [5, 5] }), 'unpool2d unbatched');
    await check(c[6], (t) => F.maxUnpool3d(t, ind(c[6]), 2), 'unpool3d');
    await check(c[7], (t) => F.maxUnpool3d(t, ind(c[7]), [1, 2, 2], { stride: [1, 1, 2] }), 'unpool3d unbatched');
  });
  it("PyTorch's errors", () => {
    const [v, i] = F.maxPool2dWithIndices(torch.randn([1, 2, 4, 4]), 2);
    const e = errs('unpool_err');
    expect(() => F.maxUnpool2d(v, i, 2, { outputSize: [9, 9] })).toThrow(e[0]);
    expect(() => F.maxUnpool2d(v, i, 2, { outputSize: [1, 4, 4] })).toThrow(e[1]);
    expect(() => F.maxUnpool2d(v, i.narrow(1, 0, 1), 2)).toThrow(e[2]);
    expect(() => F.maxUnpool2d(v, i.float(), 2)).toThrow(e[3]);
    expect(() => F.maxUnpool2d(v.reshape([2, 2, 2]).narrow(0, 0, 1).reshape([2, 2]), i.reshape([2, 2, 2]).narrow(0, 0, 1).reshape([2, 2]), 2)).toThrow(e[4]);
    expect(() => F.maxUnpool3d(v.reshape([2, 2, 2]), i.reshape([2, 2, 2]), 2)).toThrow(e[5]);
    expect(() => F.maxUnpool1d(v.reshape([8]).narrow(0, 0, 2), i.reshape([8]).narrow(0, 0, 2), 2)).toThrow(e[6]);
  });
  it('modules round-trip a max pooling; gradients twice match finite differences', async () => {
    const x = torch.tensor([[[[1, 2, 7, 0], [4, 3, 5, 6], [9, 1, 0, 2], [3, 8, 4, 4]]]], { dtype: 'float32' });
    const [v, i] = F.maxPool2dWithIndices(x, 2);
    const y = new nn.MaxUnpool2d(2).forward(v, i);
    expect(await values(y)).toEqual([0, 0, 7, 0, 4, 0, 0, 0, 9, 0, 0, 0, 0, 0, 4, 0]);
    const [v1, i1] = F.maxPool1dWithIndices(x.reshape([1, 2, 8]), 2);
    expect(await values(new nn.MaxUnpool1d(2).forward(v1, i1))).toEqual([0, 2, 7, 0, 4, 0, 0, 6, 9, 0, 0, 2, 0, 8, 4, 0]);
    const [v3, i3] = F.maxPool3dWithIndices(x.reshape([1, 1, 2, 2, 4]), [2, 1, 2]);
    expect(await values(new nn.MaxUnpool3d([2, 1, 2]).forward(v3, i3))).toEqual([0, 0, 7, 0, 0, 0, 0, 6, 9, 0, 0, 0, 0, 8, 0, 0]);
    const idx = torch.tensor([[[0, 3, 5], [1, 2, 6]]]);
    await gradcheck((t) => F.maxUnpool1d(t, idx, 2, { outputSize: [7] }).mul(F.maxUnpool1d(t, idx, 2, { outputSize: [7] })), [[1, 2, 3]]);
  });
});

describe('instanceNorm, multilabel* spellings', () => {
  it("PyTorch's values, gradients, grad_fns, running statistics and errors", async () => {
    const [c0, c1, c2, c3] = cases('inorm');
    await check(c0, (t) => F.instanceNorm(t), 'instance_norm', { tol: 1e-5 });
    await check(c1, (t, w, b) => F.instanceNorm(t, { weight: w, bias: b, eps: 1e-3 }), 'instance_norm affine', { tol: 1e-5 });
    await check(c2, (t) => F.instanceNorm(t, { runningMean: torch.tensor([0.5, -1, 2]), runningVar: torch.tensor([1, 2, 0.5]), useInputStats: false }), 'instance_norm running', { tol: 1e-5 });
    await check(c3, (t, w) => F.instanceNorm(t, { weight: w }), 'instance_norm float64', { dtype: 'float64', tol: 1e-10 });
    const rm = torch.tensor([0.5, -1, 2]), rv = torch.tensor([1, 2, 0.5]);
    F.instanceNorm(make(cases('inorm')[1].x[0], cases('inorm')[1].shapes[0]), { runningMean: rm, runningVar: rv, momentum: 0.3 });
    const [wm, wv] = REF.inorm_running as number[][];
    close(await values(rm), wm, 'running_mean', 1e-6);
    close(await values(rv), wv, 'running_var', 1e-6);
    const e = errs('inorm_err'), inx = torch.ones([2, 3, 5]);
    expect(() => F.instanceNorm(torch.ones([2, 3, 1]))).toThrow(e[0]);
    expect(() => F.instanceNorm(inx, { weight: torch.ones([2]) })).toThrow(e[1]);
    expect(() => F.instanceNorm(inx, { runningMean: torch.zeros([2]), runningVar: torch.ones([2]) })).toThrow(e[2]);
    expect(() => F.instanceNorm(inx, { useInputStats: false })).toThrow(e[3]);
  });
  it('gradients match finite differences (float64)', async () => {
    await gradcheck((t, w, b) => F.instanceNorm(t, { weight: w, bias: b }), [[2, 3, 4], [3], [3]]);
  });
  it('multilabelMarginLoss and multilabelSoftMarginLoss are the multiLabel* losses', async () => {
    const [m0, m1] = cases('multilabel');
    await check(m0, (t) => F.multilabelMarginLoss(t, torch.tensor([[3, 0, -1, 1], [1, 2, 3, -1]])), 'multilabel_margin_loss');
    await check(m1, (t) => F.multilabelSoftMarginLoss(t, torch.tensor([[1, 0, 1, 0], [0, 1, 1, 1]]), { reduction: 'none' }), 'multilabel_soft_margin_loss', { fn: false });
    expect(F.multilabelMarginLoss).toBe(F.multiLabelMarginLoss);
  });
});

describe('dropout1d, dropout3d, alphaDropout, featureAlphaDropout', () => {
  /** per (n, c): whether all its elements were kept (scaled) or all dropped */
  async function channelMasks(y: number[], x: number[], per: number, scale: number): Promise<boolean[]> {
    const masks: boolean[] = [];
    for (let i = 0; i < y.length; i += per) {
      const kept = y.slice(i, i + per).every((v, j) => Math.abs(v - x[i + j] * scale) < 1e-5);
      const dropped = y.slice(i, i + per).every((v) => v === 0);
      expect(kept || dropped, `channel ${i / per}`).toBe(true);
      masks.push(kept);
    }
    return masks;
  }
  it('channel dropout: whole channels kept (scaled by 1/(1 − p)) or zeroed; the identity out of training; unbatched inputs; errors', async () => {
    torch.manualSeed(3);
    const x = torch.rand([8, 16, 5]).add(0.5);
    const y = F.dropout1d(x, 0.25);
    expect(y.shape).toEqual([8, 16, 5]);
    const m = await channelMasks(await values(y), await values(x), 5, 1 / 0.75);
    const keptShare = m.filter(Boolean).length / m.length;
    expect(keptShare).toBeGreaterThan(0.6); expect(keptShare).toBeLessThan(0.9);
    expect(F.dropout1d(x, 0.25, false)).toBe(x);
    const u = F.dropout1d(torch.ones([6, 4]), 0.5);
    expect(u.shape).toEqual([6, 4]);
    await channelMasks(await values(u), new Array(24).fill(1), 4, 2);
    const x3 = torch.rand([2, 6, 2, 3, 2]).add(0.5);
    await channelMasks(await values(F.dropout3d(x3, 0.5)), await values(x3), 12, 2);
    const u3 = F.dropout3d(torch.ones([5, 2, 2, 2]), 0.4);
    expect(u3.shape).toEqual([5, 2, 2, 2]);
    await channelMasks(await values(u3), new Array(40).fill(1), 8, 1 / 0.6);
    expect(await values(F.dropout3d(x3, 1))).toEqual(new Array(144).fill(0));
    const [e0, e1, e2, e3] = errs('dropout_err');
    expect(() => F.dropout1d(torch.ones([2, 3, 4, 5]))).toThrow(e0);
    expect(() => F.alphaDropout(torch.ones([2]), 1.5)).toThrow(e1);
    expect(() => F.featureAlphaDropout(torch.ones([2]), 0.5, true)).toThrow(e2);
    expect(() => F.dropout3d(torch.ones([2, 3, 4, 5]), -0.1)).toThrow(e3);
  });
  it('alpha dropout keeps a standard input\'s mean 0 and variance 1; dropped elements share one value; off by default', async () => {
    torch.manualSeed(5);
    const x = torch.randn([200000]);
    expect(F.alphaDropout(x, 0.3)).toBe(x); // training false by default, as PyTorch's
    const y = await values(F.alphaDropout(x, 0.3, true));
    const mean = y.reduce((a, b) => a + b, 0) / y.length, v = y.reduce((a, b) => a + (b - mean) ** 2, 0) / y.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(v - 1)).toBeLessThan(0.02);
    const A = 1.7580993408473766, p = 0.3, a = 1 / Math.sqrt((A * A * p + 1) * (1 - p)), dropped = -A * a + A * a * p;
    const xs = await values(x);
    const nDropped = y.filter((b, i) => Math.abs(b - dropped) < 1e-5 && Math.abs(xs[i] * a + A * a * p - b) > 1e-4).length;
    expect(nDropped / y.length).toBeGreaterThan(0.29); expect(nDropped / y.length).toBeLessThan(0.31);
    y.forEach((b, i) => { if (Math.abs(b - dropped) >= 1e-5) expect(Math.abs(b - (xs[i] * a + A * a * p))).toBeLessThan(1e-5); });
    // feature alpha dropout: whole channels to the dropped value
    const f = await values(F.featureAlphaDropout(torch.randn([4, 50, 6]), 0.5, true));
    let droppedChannels = 0;
    for (let c = 0; c < 200; c++) if (f.slice(c * 6, c * 6 + 6).every((b) => Math.abs(b - (-A * 1 / Math.sqrt((A * A * 0.5 + 1) * 0.5) + A / Math.sqrt((A * A * 0.5 + 1) * 0.5) * 0.5)) < 1e-5)) droppedChannels++;
    expect(droppedChannels).toBeGreaterThan(70); expect(droppedChannels).toBeLessThan(130);
    expect(await values(F.alphaDropout(torch.tensor([1, -2], { dtype: 'float32' }), 1, true))).toEqual([0, -0]);
  });
  it('the modules follow train() and eval(), and print as PyTorch', async () => {
    const x = torch.ones([2, 8, 3]);
    for (const m of [new nn.Dropout1d(0.5), new nn.AlphaDropout(0.5), new nn.FeatureAlphaDropout(0.5)]) {
      expect(await values(m.forward(x))).not.toEqual(await values(x));
      m.eval();
      expect(m.forward(x)).toBe(x);
    }
    const d3 = new nn.Dropout3d(0.5);
    d3.eval();
    expect(d3.forward(torch.ones([1, 2, 2, 2, 2]))).toBeDefined();
    expect(() => new nn.AlphaDropout(2)).toThrow('dropout probability has to be between 0 and 1, but got 2');
  });
});

describe('gumbelSoftmax', () => {
  it('rows sum to 1; hard gives one-hot rows at the soft sample\'s largest, with its gradient; manualSeed repeats it; low tau follows the logits', async () => {
    const logits = torch.tensor([[1, 2, 0.5, -1], [0, 0, 3, 0], [2, 2, 2, 2]]).requiresGrad_();
    torch.manualSeed(11);
    const soft = F.gumbelSoftmax(logits, { tau: 0.5 });
    torch.manualSeed(11);
    const hard = F.gumbelSoftmax(logits, { tau: 0.5, hard: true });
    const s = await values(soft), h = await values(hard);
    for (let r = 0; r < 3; r++) {
      const row = s.slice(4 * r, 4 * r + 4), hrow = h.slice(4 * r, 4 * r + 4);
      expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-6);
      const arg = row.indexOf(Math.max(...row));
      expect(hrow).toEqual([0, 1, 2, 3].map((k) => (k === arg ? 1 : 0)));
    }
    expect(soft.gradFn?.name).toBe('SoftmaxBackward0');
    expect(hard.gradFn?.name).toBe('AddBackward0');
    // straight through: the hard sample's gradient is the soft one's
    const w = torch.tensor([[1, 2, 3, 4], [0, -1, 0, 1], [2, 0, 0, 1]]);
    await hard.mul(w).sum().backward();
    const gh = await values(logits.grad!);
    logits.grad = null;
    await soft.mul(w).sum().backward();
    close(gh, await values(logits.grad!), 'straight-through gradient', 1e-6);
    expect(gh.some((v) => v !== 0)).toBe(true);
    torch.manualSeed(11);
    expect(await values(F.gumbelSoftmax(logits, { tau: 0.5 }))).toEqual(s);
    torch.manualSeed(1);
    const sharp = await values(F.gumbelSoftmax(torch.tensor([[0, 30, 0], [-30, 0, -30]]), { tau: 0.1, hard: true, dim: 1 }));
    expect(sharp).toEqual([0, 1, 0, 0, 1, 0]);
    const col = await values(F.gumbelSoftmax(torch.randn([3, 5]), { dim: 0 }).sum(0));
    col.forEach((v) => expect(Math.abs(v - 1)).toBeLessThan(1e-6));
    expect(() => F.gumbelSoftmax(torch.randn([2, 3]), { dim: 2 })).toThrow(errs('gumbel_err')[0]);
  });
});

describe('affineGrid', () => {
  it("PyTorch's grids (2-D and 3-D, with and without alignCorners, a unit dim), gradients, grad_fns and errors", async () => {
    const [a0, a1, a2, a3, a4] = cases('affine');
    await check(a0, (t) => F.affineGrid(t, [2, 1, 3, 4]), 'affine_grid 2-D');
    await check(a1, (t) => F.affineGrid(t, [1, 3, 5, 2], { alignCorners: true }), 'affine_grid 2-D aligned');
    await check(a2, (t) => F.affineGrid(t, [2, 1, 2, 3, 4]), 'affine_grid 3-D');
    await check(a3, (t) => F.affineGrid(t, [1, 1, 3, 2, 2], { alignCorners: true }), 'affine_grid 3-D aligned', { dtype: 'float64' });
    await check(a4, (t) => F.affineGrid(t, [1, 1, 1, 3]), 'affine_grid unit dim');
    const e = errs('affine_err');
    expect(() => F.affineGrid(torch.ones([1, 3, 3]), [1, 1, 4, 4])).toThrow(e[0]);
    expect(() => F.affineGrid(torch.ones([1, 2, 3]), [1, 1, 4])).toThrow(e[1]);
    expect(() => F.affineGrid(torch.ones([1, 2, 3]), [1, 1, 4, 4, 4])).toThrow(e[2]);
    expect(() => F.affineGrid(torch.ones([1, 2, 3]), [1, 1, 0, 4])).toThrow(e[3]);
    expect(() => F.affineGrid(torch.ones([1, 2, 3], { dtype: 'int32' }), [1, 1, 2, 4])).toThrow(e[4]);
  });
  it('gradients match finite differences (float64), twice', async () => {
    await gradcheck((t) => F.affineGrid(t, [2, 1, 3, 2]).mul(F.affineGrid(t, [2, 1, 3, 2])), [[2, 2, 3]]);
  });
});

describe('module reprs', () => {
  it("print as PyTorch's", () => {
    const R = REF.repr as Record<string, string>;
    const mods: Record<string, unknown> = {
      softshrink: new nn.Softshrink(), softshrink1: new nn.Softshrink(1), hardshrink: new nn.Hardshrink(), hardshrink25: new nn.Hardshrink(0.25),
      lrn: new nn.LocalResponseNorm(2), lrn2: new nn.LocalResponseNorm(3, { alpha: 1e-5, beta: 0.5, k: 2 }),
      lp1: new nn.LPPool1d(2, 3), lp1b: new nn.LPPool1d(1.5, 3, { stride: 2, ceilMode: true }), lp2: new nn.LPPool2d(2, 3, { stride: 2 }), lp2b: new nn.LPPool2d(3, [2, 3]),
      amp1: new nn.AdaptiveMaxPool1d(3), amp1i: new nn.AdaptiveMaxPool1d(3, true),
      unpool1: new nn.MaxUnpool1d(2), unpool2: new nn.MaxUnpool2d(2, { stride: 1, padding: 1 }), unpool3: new nn.MaxUnpool3d([1, 2, 2]),
      dropout1d: new nn.Dropout1d(), dropout3d: new nn.Dropout3d(0.2), alpha: new nn.AlphaDropout(0.1), falpha: new nn.FeatureAlphaDropout(),
    };
    expect(Object.keys(mods).sort()).toEqual(Object.keys(R).sort());
    for (const [k, m] of Object.entries(mods)) expect(String(m), k).toBe(R[k]);
  });
  it('LocalResponseNorm and LPPool layers compute their functional forms', async () => {
    const x = torch.rand([1, 4, 6]).add(0.1);
    expect(await values(new nn.LocalResponseNorm(3, { alpha: 0.2 }).forward(x))).toEqual(await values(F.localResponseNorm(x, 3, { alpha: 0.2 })));
    expect(await values(new nn.LPPool1d(2, 3, { stride: 1 }).forward(x))).toEqual(await values(F.lpPool1d(x, 2, 3, { stride: 1 })));
    expect(await values(new nn.LPPool2d(2, 2).forward(x))).toEqual(await values(F.lpPool2d(x, 2, 2)));
  });
});

describe('GPU', () => {
  it.skipIf(!available)('matches the CPU (shrink, LRN, LP pooling, pooling with indices, unpooling, instance norm)', async () => {
    torch.manualSeed(2);
    const x = torch.randn([2, 3, 4, 6]);
    const g = x.to('gpu');
    const pairs: Array<[torch.Tensor, torch.Tensor]> = [
      [F.softshrink(x), F.softshrink(g)], [F.hardshrink(x, 0.3), F.hardshrink(g, 0.3)],
      [F.localResponseNorm(x, 3), F.localResponseNorm(g, 3)], [F.lpPool2d(x.abs(), 2, 2), F.lpPool2d(g.abs(), 2, 2)],
      [F.instanceNorm(x), F.instanceNorm(g)],
    ];
    const [v, i] = F.maxPool2dWithIndices(x, 2), [vg, ig] = F.maxPool2dWithIndices(g, 2);
    pairs.push([v, vg], [i, ig], [F.maxUnpool2d(v, i, 2), F.maxUnpool2d(vg, ig, 2)]);
    for (const [a, b] of pairs) close(await values(b), await values(a), 'gpu', 1e-5);
  });
});
