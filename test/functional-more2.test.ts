// ctcLoss, fractionalMaxPool2d/3d, rrelu, channelShuffle, the in-place activations and the upsample
// spellings, and their nn layers: PyTorch 1.13's values, gradients of a weighted sum, grad_fns, module
// reprs and errors (test/fixtures/functional-more2.json, from scripts/torch-functional-more2.py, which
// writes its inputs too), finite differences (float64), the random ones by their properties.
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import * as torch from '../src/index.ts';
import type { FractionalMaxPoolOptions } from '../src/functional.ts';
import { gpuForTests, gradcheck, values } from './helpers.ts';
import { check, close, flat, make, type Case } from './fixture-cases.ts';

const REF = JSON.parse(readFileSync(new URL('./fixtures/functional-more2.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const { nn } = torch;
const F = nn.functional;
const cases = (k: string) => REF[k] as Case[];
const errs = (k: string) => REF[k] as string[];
const available = await gpuForTests('functional-more2', { composite: true });


// =============================================================== CTC loss

type CtcArgs = { targets: number[] | number[][]; il: number[]; tl: number[]; softmax: boolean; reduction?: 'none' | 'mean' | 'sum'; blank?: number; zero_infinity?: boolean };
function ctcOf(c: Case, o: { tensors?: boolean } = {}) {
  const a = c.args as CtcArgs;
  const targets = torch.tensor(a.targets.flat() as number[], { dtype: 'int64' }).reshape(Array.isArray(a.targets[0]) ? [a.targets.length, (a.targets[0] as number[]).length] : [a.targets.length]);
  const il = o.tensors ? torch.tensor(a.il, { dtype: 'int64' }) : a.il, tl = o.tensors ? torch.tensor(a.tl, { dtype: 'int32' }) : a.tl;
  return (x: torch.Tensor) => F.ctcLoss(a.softmax ? F.logSoftmax(x, -1) : x, targets, il, tl, { reduction: a.reduction, blank: a.blank, zeroInfinity: a.zero_infinity });
}

describe('ctcLoss', () => {
  it("PyTorch's losses, gradients (its formula: exp(lp) − posterior), grad_fns: padded and concatenated targets, reductions, repeats, blank, empty targets, unbatched", async () => {
    const c = cases('ctc');
    for (let i = 0; i < c.length; i++) {
      const dtype = i >= 15 ? 'float32' : 'float64';
      await check(c[i], ctcOf(c[i]), `ctc case ${i}`, { dtype, tol: dtype === 'float64' ? 1e-10 : 1e-5 });
    }
  });
  it('impossible alignments: inf losses and NaN gradients, or 0 and 0 with zeroInfinity (cases 7 to 10)', async () => {
    const c = cases('ctc');
    expect(flat(c[7].y)).toEqual([Infinity, Infinity]);
    expect(flat(c[8].y)[0]).toBe(0);
    expect(flat(c[7].g[0]).slice(0, 4 * 2 * 4).filter((_, i) => i % 8 < 4).every(Number.isNaN)).toBe(true);
    await check(c[8], ctcOf(c[8]), 'zeroInfinity', { dtype: 'float64', tol: 1e-10 });
  });
  it('lengths as int tensors (values at hand on the CPU) give the same', async () => {
    const c = cases('ctc');
    await check(c[1], ctcOf(c[1], { tensors: true }), 'ctc tensor lengths', { dtype: 'float64', tol: 1e-10 });
    await check(c[3], ctcOf(c[3], { tensors: true }), 'ctc tensor lengths, concatenated', { dtype: 'float64', tol: 1e-10 });
  });
  it('gradients through log_softmax match finite differences (float64)', async () => {
    const tg = torch.tensor([[1, 2, 2], [3, 1, 0]], { dtype: 'int64' });
    await gradcheck((x) => F.ctcLoss(F.logSoftmax(x, -1), tg, [5, 4], [3, 2], { reduction: 'sum' }), [[5, 2, 4]]);
    await gradcheck((x) => F.ctcLoss(F.logSoftmax(x, -1), tg, [5, 3], [3, 1], { reduction: 'none', blank: 3 }), [[5, 2, 4]]);
  });
  it("PyTorch's errors (and troupe's for negative lengths)", () => {
    const e = errs('ctc_err');
    const x = torch.randn([3, 2, 4]).logSoftmax(-1), tg = torch.tensor([[1, 1, 2], [2, 0, 0]], { dtype: 'int64' });
    expect(() => F.ctcLoss(x, tg, [4, 2], [3, 1])).toThrow(e[0]);
    expect(() => F.ctcLoss(x, tg, [3, 2], [4, 1])).toThrow(e[1]);
    expect(() => F.ctcLoss(x, tg, [3], [3, 1])).toThrow(e[2]);
    expect(() => F.ctcLoss(x, tg, [3, 2], [3])).toThrow(e[3]);
    expect(() => F.ctcLoss(x, tg, [3, 2], [3, 1], { blank: 4 })).toThrow(e[4]);
    expect(() => F.ctcLoss(x, torch.tensor([1, 1, 2, 2], { dtype: 'int64' }), [3, 2], [3, 2])).toThrow(e[5]);
    // @ts-expect-error: an invalid reduction
    expect(() => F.ctcLoss(x, tg, [3, 2], [3, 1], { reduction: 'foo' })).toThrow(e[6]);
    expect(() => F.ctcLoss(torch.ones([3, 2, 4], { dtype: 'int32' }), tg, [3, 2], [3, 1])).toThrow(e[7]);
    expect(() => F.ctcLoss(x, tg.narrow(0, 0, 1), [3, 2], [3, 1])).toThrow(e[8]);
    expect(() => F.ctcLoss(torch.ones([4]), tg, [3, 2], [3, 1])).toThrow(e[9]);
    expect(() => F.ctcLoss(x, tg.unsqueeze(0), [3, 2], [3, 1])).toThrow(e[10]);
    expect(() => F.ctcLoss(x, tg, [3, 2], [-1, 1])).toThrow('must not be negative');
  });
  it('nn.CTCLoss applies its options and prints as PyTorch', async () => {
    const [r0, r1] = errs('ctc_repr');
    expect(String(new nn.CTCLoss())).toBe(r0);
    const m = new nn.CTCLoss({ blank: 2, reduction: 'sum', zeroInfinity: true });
    expect(String(m)).toBe(r1);
    const c = cases('ctc')[13], a = c.args as CtcArgs;
    const x = make(c.x[0], c.shapes[0], 'float64');
    const want = await values(F.ctcLoss(x, torch.tensor(a.targets as number[][], { dtype: 'int64' }), a.il, a.tl, { blank: 2, reduction: 'sum' }));
    close(await values(m.forward(x, torch.tensor(a.targets as number[][], { dtype: 'int64' }), a.il, a.tl)), want, 'CTCLoss', 1e-12);
  });
});

// =============================================================== fractional max pooling

type FmpCase = Case & { samples: unknown; sshape: number[] };
describe('fractionalMaxPool2d, fractionalMaxPool3d', () => {
  const withSamples = (c: FmpCase, dtype: 'float32' | 'float64', f: (x: torch.Tensor, u: torch.Tensor) => torch.Tensor | torch.Tensor[]) => (x: torch.Tensor) => f(x, make(c.samples, c.sshape, dtype));
  it("PyTorch's values, indices (first of ties, NaN winning), gradients and grad_fns with fixed random samples", async () => {
    const c = cases('fmp2') as FmpCase[], d = cases('fmp3') as FmpCase[];
    const run2 = async (i: number, k: number | [number, number], o: FractionalMaxPoolOptions<number | [number, number]>, dtype: 'float32' | 'float64' = 'float32') =>
      check(c[i], withSamples(c[i], dtype, (x, u) => F.fractionalMaxPool2d(x, k, { ...o, randomSamples: u, returnIndices: true })), `fmp2 case ${i}`, { dtype });
    await run2(0, 2, { outputSize: [4, 5] });
    await run2(1, [3, 2], { outputRatio: [0.5, 0.6] });
    await run2(2, 3, { outputSize: 3 });
    await run2(3, 2, { outputSize: [5, 4] });
    await run2(4, 2, { outputSize: [1, 6] });
    await run2(5, 2, { outputSize: [6, 7] }, 'float64');
    await run2(6, 2, { outputSize: [10, 13] });
    const run3 = async (i: number, k: number | [number, number, number], o: FractionalMaxPoolOptions<number | [number, number, number]>, dtype: 'float32' | 'float64' = 'float32') =>
      check(d[i], withSamples(d[i], dtype, (x, u) => F.fractionalMaxPool3dWithIndices(x, k, { ...o, randomSamples: u })), `fmp3 case ${i}`, { dtype });
    await run3(0, 2, { outputSize: [3, 4, 5] });
    await run3(1, [1, 2, 3], { outputRatio: 0.5 });
    await run3(2, 2, { outputSize: [4, 3, 3] }, 'float64');
  });
  it('without samples: windows from torch.rand (manualSeed repeats them), each output a window maximum; finite differences', async () => {
    const x = torch.randn([2, 3, 10, 9]);
    torch.manualSeed(5);
    const [y1, i1] = F.fractionalMaxPool2d(x, 3, { outputRatio: 0.5, returnIndices: true });
    torch.manualSeed(5);
    const [y2, i2] = F.fractionalMaxPool2d(x, 3, { outputRatio: 0.5, returnIndices: true });
    expect(y1.shape).toEqual([2, 3, 5, 4]);
    expect(await values(i1)).toEqual(await values(i2));
    expect(await values(y1)).toEqual(await values(y2));
    // every value is the input at its index
    const xs = await values(x.reshape([6, 90])), idx = await values(i1.reshape([6, 20])), ys = await values(y1.reshape([6, 20]));
    ys.forEach((v, j) => expect(v).toBe(xs[Math.floor(j / 20) * 90 + idx[j]]));
    const u = torch.rand([1, 2, 3], { dtype: 'float64' });
    await gradcheck((t) => F.fractionalMaxPool3d(t, 2, { outputSize: [2, 3, 2], randomSamples: u }), [[1, 2, 4, 5, 4]]);
    const u2 = torch.rand([1, 2, 2], { dtype: 'float64' });
    await gradcheck((t) => { const [y] = F.fractionalMaxPool2dWithIndices(t, 2, { outputSize: 3, randomSamples: u2 }); return y.mul(y); }, [[1, 2, 5, 6]]);
  });
  it("PyTorch's errors; the modules' options, errors and reprs", async () => {
    const e = errs('fmp_err'), fx = torch.randn([1, 1, 9, 9]);
    expect(() => F.fractionalMaxPool2d(fx, 2)).toThrow(e[0]);
    expect(() => F.fractionalMaxPool2d(fx, 4, { outputSize: 7 })).toThrow(e[1]);
    expect(() => F.fractionalMaxPool2d(fx, 2, { outputSize: 4, randomSamples: torch.rand([1, 1, 2], { dtype: 'float64' }) })).toThrow(e[2]);
    expect(() => F.fractionalMaxPool2d(fx, 2, { outputRatio: 1.5 })).toThrow(e[3]);
    expect(() => F.fractionalMaxPool2d(fx.to({ dtype: 'int32' }), 2, { outputSize: 3 })).toThrow(e[4]);
    expect(() => F.fractionalMaxPool3d(torch.randn([1, 1, 9, 9, 9]), 5, { outputSize: 7 })).toThrow(e[5]);
    expect(() => F.fractionalMaxPool3d(fx, 2, { outputSize: 4 })).toThrow(e[6]);
    expect(() => F.fractionalMaxPool3d(torch.randn([1, 1, 9, 9, 9]), 2, { outputSize: [3, 9, 3] })).toThrow(e[7]);
    expect(() => new nn.FractionalMaxPool2d(2)).toThrow(e[8]);
    expect(() => new nn.FractionalMaxPool2d(2, { outputRatio: 1.5 })).toThrow(e[9]);
    expect(() => new nn.FractionalMaxPool3d(2, { outputSize: 2, outputRatio: 0.5 })).toThrow(e[10]);
    expect(() => new nn.FractionalMaxPool3d(2, { outputRatio: [0.5, 0, 0.5] })).toThrow(e[11]);
    const [r2, r3] = errs('fmp_repr');
    expect(String(new nn.FractionalMaxPool2d(2, { outputSize: 3 }))).toBe(r2);
    expect(String(new nn.FractionalMaxPool3d(2, { outputRatio: [0.5, 0.6, 0.7] }))).toBe(r3);
    const c = (cases('fmp2') as FmpCase[])[0];
    const m = new nn.FractionalMaxPool2d(2, { outputSize: [4, 5], returnIndices: true, randomSamples: make(c.samples, c.sshape) });
    const [y, ind] = m.forward(make(c.x[0], c.shapes[0])) as torch.Tensor[];
    close(await values(y), flat(c.y), 'module', 1e-7);
    expect(await values(ind)).toEqual(flat(c.extra[0]));
  });
});

// =============================================================== rrelu, channelShuffle

describe('rrelu, channelShuffle', () => {
  it("eval: PyTorch's values, gradients (slope (lower+upper)/2, also at 0), grad_fns, errors and reprs", async () => {
    const c = cases('rrelu');
    await check(c[0], (t) => F.rrelu(t), 'rrelu');
    await check(c[1], (t) => F.rrelu(t, { lower: 0.1, upper: 0.3 }), 'rrelu 0.1 0.3');
    await check(c[2], (t) => F.rrelu(t, { lower: 0.2, upper: 0.2 }), 'rrelu 0.2 0.2');
    await check(c[3], (t) => F.rrelu(t, { lower: 0.01, upper: 0.9 }), 'rrelu float64', { dtype: 'float64' });
    await check(c[4], (t) => F.rrelu_(t.clone(), { lower: 0.1, upper: 0.5 }), 'rrelu_');
    const [e0, e1, e2, e3] = errs('rrelu_err'), x = torch.tensor([[-2, -0.5, 0, 0.3, 1.5]]);
    expect(() => F.rrelu(x, { lower: 0.5, upper: 0.1 })).toThrow(e0);
    expect(() => F.rrelu(x.to({ dtype: 'int32' }))).toThrow(e1);
    expect(() => F.rrelu(x.to({ dtype: 'int32' }), { training: true })).toThrow(e2);
    expect(() => F.rrelu_(x.clone().requiresGrad_())).toThrow(e3.replace(/\.$/, '')); // (troupe's text goes on)
    const [r0, r1] = errs('rrelu_repr');
    expect(String(new nn.RReLU())).toBe(r0);
    expect(String(new nn.RReLU(0.1, 0.3, true))).toBe(r1);
  });
  it('training: positives pass, each negative times its own slope in [lower, upper], the gradient that slope; seeded; the module in train and eval', async () => {
    const x = torch.randn([4000]).requiresGrad_();
    torch.manualSeed(3);
    const y = F.rrelu(x, { lower: 0.1, upper: 0.3, training: true });
    torch.manualSeed(3);
    expect(await values(F.rrelu(x, { lower: 0.1, upper: 0.3, training: true }))).toEqual(await values(y));
    await y.sum().backward();
    const xs = await values(x), ys = await values(y), gs = await values(x.grad!);
    const slopes: number[] = [];
    xs.forEach((v, i) => {
      if (v > 0) { expect(ys[i]).toBe(v); expect(gs[i]).toBe(1); return; }
      const a = ys[i] / v;
      expect(a).toBeGreaterThanOrEqual(0.1 - 1e-6); expect(a).toBeLessThanOrEqual(0.3 + 1e-6);
      expect(Math.abs(gs[i] - a)).toBeLessThan(1e-5);
      slopes.push(a);
    });
    const mean = slopes.reduce((p, q) => p + q, 0) / slopes.length;
    expect(Math.abs(mean - 0.2)).toBeLessThan(0.01); // uniform: mean 0.2, sd 0.058/√2000
    expect(new Set(slopes.map((v) => v.toFixed(5))).size).toBeGreaterThan(slopes.length / 2);
    const m = new nn.RReLU(0.1, 0.3), neg = torch.tensor([-1, -2, -3], { dtype: 'float32' });
    const trained = await values(m.forward(neg));
    expect(trained.some((v, i) => Math.abs(v / -(i + 1) - 0.2) > 1e-6)).toBe(true);
    m.eval();
    close(await values(m.forward(neg)), [-0.2, -0.4, -0.6], 'RReLU eval', 1e-6);
    const inplace = new nn.RReLU(0.1, 0.3, true), t = torch.tensor([-1, 2], { dtype: 'float32' });
    expect(inplace.forward(t)).toBe(t);
  });
  it("channelShuffle: PyTorch's values and errors, the module and its repr, finite differences", async () => {
    const [s2, s3, s6, s1] = REF.shuffle as unknown[];
    const cs = torch.arange(2 * 6 * 2 * 2).reshape([2, 6, 2, 2]).to({ dtype: 'float32' });
    expect(await values(F.channelShuffle(cs, 2))).toEqual(flat(s2));
    expect(await values(F.channelShuffle(cs, 3))).toEqual(flat(s3));
    expect(await values(F.channelShuffle(cs.select(2, 0), 6))).toEqual(flat(s6));
    expect(await values(F.channelShuffle(cs, 1))).toEqual(flat(s1));
    const [e0, e1, e2, r] = errs('shuffle_err');
    expect(() => F.channelShuffle(cs, 4)).toThrow(e0);
    expect(() => F.channelShuffle(cs, 0)).toThrow(e1);
    expect(() => F.channelShuffle(torch.zeros([2]), 1)).toThrow(e2);
    expect(String(new nn.ChannelShuffle(2))).toBe(r);
    expect(await values(new nn.ChannelShuffle(3).forward(cs))).toEqual(flat(s3));
    await gradcheck((t) => F.channelShuffle(t, 2).mul(t), [[2, 4, 3]]);
  });
});

// =============================================================== in-place activations, upsample

describe('in-place activations, upsample', () => {
  it("relu_, elu_, leakyRelu_, hardtanh_, selu_, celu_, threshold_: PyTorch's values, gradients, grad_fns (its *Backward1 names) and errors", async () => {
    const c = cases('inplace');
    const fs: Array<(t: torch.Tensor) => torch.Tensor> = [
      (t) => F.relu_(t.clone()), (t) => F.elu_(t.clone()), (t) => F.elu_(t.clone(), 0.5), (t) => F.leakyRelu_(t.clone()), (t) => F.leakyRelu_(t.clone(), 0.2),
      (t) => F.hardtanh_(t.clone()), (t) => F.hardtanh_(t.clone(), -0.5, 2), (t) => F.selu_(t.clone()), (t) => F.celu_(t.clone()), (t) => F.celu_(t.clone(), 1.5),
      (t) => F.threshold_(t.clone(), 0.3, -2), (t) => F.elu_(t.clone(), 0.7),
    ];
    for (let i = 0; i < fs.length; i++) await check(c[i], fs[i], `in-place case ${i}`, { dtype: i === 11 ? 'float64' : 'float32' });
    // written into the tensor itself
    const t = torch.tensor([-1, 0.5, 3], { dtype: 'float32' });
    expect(F.hardtanh_(t)).toBe(t);
    close(await values(t), [-1, 0.5, 1], 'hardtanh_ in place', 0);
    const [e0] = errs('inplace_err');
    expect(() => F.relu_(torch.tensor([1, -1], { dtype: 'float32' }).requiresGrad_())).toThrow(e0.replace(/\.$/, ''));
    // (integer input: troupe's elu has its own text, not PyTorch's '"elu_cpu" not implemented for ...')
    expect(() => F.elu_(torch.tensor([1, 2], { dtype: 'int64' }))).toThrow('floating point');
  });
  it("upsample, upsampleNearest, upsampleBilinear (alignCorners): interpolate's values and gradients as PyTorch's; its deprecation warning once each", async () => {
    const spy = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const c = cases('upsample');
      await check(c[0], (t) => F.upsample(t, { scaleFactor: 2 }), 'upsample');
      await check(c[1], (t) => F.upsample(t, { size: [5, 7], mode: 'bilinear', alignCorners: false }), 'upsample bilinear');
      await check(c[2], (t) => F.upsampleNearest(t, { size: [4, 6] }), 'upsampleNearest');
      await check(c[3], (t) => F.upsampleBilinear(t, { scaleFactor: 2 }), 'upsampleBilinear');
      await check(c[4], (t) => F.upsampleBilinear(t, { size: [5, 3] }), 'upsampleBilinear size');
      const texts = spy.mock.calls.map((a) => String(a[0]));
      expect(texts).toEqual(['upsample', 'upsample_nearest', 'upsample_bilinear'].map((n) => `nn.functional.${n} is deprecated. Use nn.functional.interpolate instead.`));
    } finally {
      spy.mockRestore();
    }
  });
});

describe('GPU', () => {
  it.skipIf(!available)('ctcLoss on the GPU = on the CPU (float32)', async () => {
    const c = cases('ctc')[16];
    const x = make(c.x[0], c.shapes[0]);
    const tg = torch.tensor((c.args as CtcArgs).targets as number[][], { dtype: 'int64' });
    const cpu = x.clone().requiresGrad_(), gpu = x.to({ device: 'gpu' }).requiresGrad_();
    const lc = F.ctcLoss(cpu, tg, [6, 5, 4], [3, 2, 3]), lg = F.ctcLoss(gpu, tg.to({ device: 'gpu' }), [6, 5, 4], [3, 2, 3]);
    close(await values(lg), await values(lc), 'gpu loss', 1e-5);
    await lc.backward(); await lg.backward();
    close(await values(gpu.grad!), await values(cpu.grad!), 'gpu grad', 1e-5);
  });
});
