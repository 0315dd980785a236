// More activations (hardtanh relu6 hardsigmoid hardswish mish selu celu logsigmoid softsign tanhshrink
// softmin glu), losses (huber, smooth L1, KL divergence), normalize, cosine similarity and adaptive
// average pooling: PyTorch 1.13's printed values and gradients (test/fixtures/activations-losses.json,
// from scripts/torch-activations.py), grad_fns, printed modules, errors, finite differences and the GPU.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradcheck, values } from './helpers.ts';

const REF = JSON.parse(readFileSync(new URL('./fixtures/activations-losses.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const ref = (k: string) => REF[k] as string[];
const { nn } = torch;
const F = nn.functional;
const text = (t: torch.Tensor) => torch.format(t);
const f32 = (d: number[] | number[][], device = 'cpu') => torch.tensor(d, { dtype: 'float32', device });
const available = await gpuForTests('nn-more', { composite: true });
/** PyTorch's text without the grad_fn, which the test checks apart. */
const plain = (s: string) => s.replace(/,\s*grad_fn=<\w+>\)$/, ')');

describe('more activations', () => {
  const xs = [-4, -3, -2.5, -1, -0.5, 0, 0.5, 1, 2.5, 3, 4, 7];
  const acts: Array<[string, (x: torch.Tensor) => torch.Tensor, string]> = [
    ['hardtanh', (x) => F.hardtanh(x), 'HardtanhBackward0'], ['hardtanh2', (x) => F.hardtanh(x, -2, 3), 'HardtanhBackward0'],
    ['relu6', F.relu6, 'HardtanhBackward0'], ['hardsigmoid', F.hardsigmoid, 'HardsigmoidBackward0'], ['hardswish', F.hardswish, 'HardswishBackward0'],
    ['mish', F.mish, 'MishBackward0'], ['selu', F.selu, 'EluBackward0'], ['celu', (x) => F.celu(x, 2), 'CeluBackward0'],
    ['logsigmoid', F.logsigmoid, 'LogSigmoidBackward0'], ['softsign', F.softsign, 'DivBackward0'], ['tanhshrink', F.tanhshrink, 'SubBackward0'],
  ];
  it("PyTorch's values, gradients (at the kinks too) and grad_fns", async () => {
    const w = torch.arange(12).div(10).add(0.5);
    for (const [k, f, name] of acts) {
      const x = f32(xs).requiresGrad_();
      const y = f(x);
      await y.mul(w).sum().backward();
      expect(y.gradFn?.name, k).toBe(name);
      expect([plain(await text(y)), await text(x.grad!)], k).toEqual([plain(ref(k)[0]), ref(k)[1]]);
    }
    const grid = (k: string, f: (m: torch.Tensor) => torch.Tensor, name: string) => async () => {
      const m = f32(xs).reshape(3, 4).requiresGrad_();
      const y = f(m);
      await y.mul(torch.arange(y.numel()).reshape(y.shape).float().div(7)).sum().backward();
      expect(y.gradFn?.name, k).toBe(name);
      expect([plain(await text(y)), await text(m.grad!)], k).toEqual([plain(ref(k)[0]), ref(k)[1]]);
    };
    await grid('softmin', (m) => F.softmin(m, 1), 'SoftmaxBackward0')();
    await grid('glu', (m) => F.glu(m, 1), 'GluBackward0')();
    await grid('glu0', (m) => F.glu(m.reshape(4, 3), 0), 'GluBackward0')();
    expect(() => F.glu(torch.ones([3, 3]), 1)).toThrow('Halving dimension must be even, but dimension 1 is size 3');
    expect([new nn.Hardtanh(), new nn.ReLU6(), new nn.Hardsigmoid(), new nn.Hardswish(), new nn.Mish(), new nn.SELU(), new nn.CELU(2), new nn.LogSigmoid(), new nn.Softsign(), new nn.Tanhshrink(), new nn.Softmin(1), new nn.GLU()].map(String).join(' '))
      .toBe('Hardtanh(min_val=-1.0, max_val=1.0) ReLU6() Hardsigmoid() Hardswish() Mish() SELU() CELU(alpha=2.0) LogSigmoid() Softsign() Tanhshrink() Softmin(dim=1) GLU(dim=-1)');
    expect(await values(new nn.Sequential(new nn.Linear(2, 2), new nn.Hardswish(), new nn.GLU())(torch.ones([3, 2])))).toHaveLength(3);
  });

  it('gradients match finite differences (float64, away from the kinks)', async () => {
    const off = (f: (x: torch.Tensor) => torch.Tensor) => (x: torch.Tensor) => f(x.mul(3).add(0.1234));
    for (const [k, f] of acts) await gradcheck(off(f), [[2, 5]]).catch((e: Error) => { throw new Error(`${k}: ${e.message}`); });
    await gradcheck((x) => F.glu(x, 0).add(F.softmin(x, 1).sum()), [[4, 3]]);
  });
});

describe('huber, smooth L1 and KL divergence losses', () => {
  const a = () => f32([[0.2, -1.5, 3.0], [0.9, 0.1, -0.3]]).requiresGrad_();
  const b = f32([[0.0, 0.5, 1.0], [1.2, -2.0, -0.3]]);
  it("PyTorch's values, gradients, grad_fns, printed modules and errors", async () => {
    const cases: Array<[string, (x: torch.Tensor) => torch.Tensor, string]> = [
      ['huber', (x) => F.huberLoss(x, b), 'HuberLossBackward0'], ['huber2', (x) => F.huberLoss(x, b, { delta: 0.5, reduction: 'sum' }), 'HuberLossBackward0'],
      ['smoothl1', (x) => F.smoothL1Loss(x, b), 'SmoothL1LossBackward0'], ['smoothl1b', (x) => F.smoothL1Loss(x, b, { beta: 0.5, reduction: 'none' }), 'SmoothL1LossBackward0'],
      ['smoothl1b0', (x) => F.smoothL1Loss(x, b, { beta: 0 }), 'SmoothL1LossBackward0'],
    ];
    for (const [k, f, name] of cases) {
      const x = a();
      const l = f(x);
      await l.sum().backward();
      expect(l.gradFn?.name, k).toBe(name);
      expect([plain(await text(l)), await text(x.grad!)], k).toEqual([plain(ref(k)[0]), ref(k)[1]]);
    }
    const t = f32([[0.1, 0.6, 0.3], [0, 0.5, 0.5]]);
    const names = { mean: 'MeanBackward0', batchmean: 'DivBackward0', sum: 'SumBackward0', none: 'SubBackward0' };
    for (const red of ['mean', 'batchmean', 'sum', 'none'] as const) {
      const lp = f32(REF.lp as number[][]).requiresGrad_();
      const l = F.klDiv(lp, t, { reduction: red });
      await l.sum().backward();
      expect(l.gradFn?.name, red).toBe(names[red]);
      expect([plain(await text(l)), await text(lp.grad!)], red).toEqual([plain(ref(`kl_${red}`)[0]), ref(`kl_${red}`)[1]]);
    }
    const lp = f32(REF.lp as number[][]).requiresGrad_();
    const l = F.klDiv(lp, t.add(1e-3).log(), { reduction: 'batchmean', logTarget: true });
    await l.backward();
    expect([plain(await text(l)), await text(lp.grad!)]).toEqual([plain(ref('kl_logt')[0]), ref('kl_logt')[1]]);
    expect(`${new nn.HuberLoss()} ${new nn.SmoothL1Loss({ beta: 0.5 })} ${new nn.KLDivLoss({ reduction: 'batchmean' })}`).toBe('HuberLoss() SmoothL1Loss() KLDivLoss()');
    expect(await values(new nn.HuberLoss({ delta: 0.5, reduction: 'sum' })(a(), b))).toEqual(await values(F.huberLoss(a(), b, { delta: 0.5, reduction: 'sum' })));
    expect(() => F.huberLoss(a(), b, { delta: 0 })).toThrow('huber_loss does not support non-positive values for delta.');
    expect(() => F.smoothL1Loss(a(), b, { beta: -1 })).toThrow('smooth_l1_loss does not support negative values for beta.');
  });

  it('gradients match finite differences (float64)', async () => {
    const t = torch.tensor([[0.3, -0.2, 1.7], [0.05, 2, -1]], { dtype: 'float64' });
    await gradcheck((x) => F.huberLoss(x, t, { delta: 0.7 }), [[2, 3]]);
    await gradcheck((x, y) => F.smoothL1Loss(x, y, { beta: 0.4, reduction: 'sum' }), [[2, 3], [2, 3]]);
    await gradcheck((x) => F.klDiv(x.logSoftmax(1), t.abs().div(t.abs().sum(1, true)), { reduction: 'batchmean' }), [[2, 3]]);
  });
});

describe('oneHot', () => {
  it("PyTorch's values and errors; a value out of range is an error, not a zero row", async () => {
    expect(await text(F.oneHot(torch.tensor([[0, 2], [1, 1]]), 3))).toBe('tensor([[[1, 0, 0],\n         [0, 0, 1]],\n\n        [[0, 1, 0],\n         [0, 1, 0]]])');
    expect(await text(F.oneHot(torch.tensor(2), 4))).toBe('tensor([0, 0, 1, 0])');
    expect(() => F.oneHot(torch.tensor([3]), 3)).toThrow('index 3 is out of bounds for dimension 1 with size 3');
    expect(() => F.oneHot(torch.tensor([-1]), 3)).toThrow('out of bounds');
    expect(() => F.oneHot(f32([1]), 3)).toThrow('one_hot is only applicable to index tensor.');
    expect(() => F.oneHot(torch.tensor([1]), -1)).toThrow('pass numClasses');
  });
});

describe('normalize, cosine similarity, adaptive average pooling', () => {
  it("PyTorch's values, gradients (a zero row included) and printed modules", async () => {
    const v = f32([[3, 4, 0], [0, 0, 0], [1, -2, 2]]).requiresGrad_();
    const n = F.normalize(v);
    await n.mul(torch.arange(9).reshape(3, 3).float()).sum().backward();
    expect(n.gradFn?.name).toBe('DivBackward0');
    expect([plain(await text(n)), await text(v.grad!)]).toEqual([plain(ref('normalize')[0]), ref('normalize')[1]]);
    expect(await text(F.normalize(v.detach(), { p: 1, dim: 0 }))).toBe(ref('normalize_p1')[0]);
    v.grad = null;
    const u = f32([[1, 0, 1], [2, 2, 2], [0, 0, 0]]);
    const c = F.cosineSimilarity(v, u);
    await c.sum().backward();
    expect(c.gradFn?.name).toBe('SumBackward1');
    expect([plain(await text(c)), await text(v.grad!)]).toEqual([plain(ref('cos')[0]), ref('cos')[1]]);
    expect([await text(F.cosineSimilarity(v.detach(), u, { dim: 0 })), await text(F.cosineSimilarity(v.detach().index(0), u, { dim: -1 }))]).toEqual(ref('cos_dims'));
    const z = torch.arange(140).reshape(2, 2, 5, 7).float().remainder(13).sub(6).div(4).requiresGrad_();
    const p = F.adaptiveAvgPool2d(z, [3, 4]);
    expect([p.shape, p.gradFn?.name]).toEqual([[2, 2, 3, 4], 'AdaptiveAvgPool2DBackward0']);
    await p.mul(torch.arange(p.numel()).reshape(p.shape).float().div(10)).sum().backward();
    expect([plain(await text(p.index(1, 0))), await text(z.grad!.index(1, 0))]).toEqual([plain(ref('aap')[0]), ref('aap')[1]]);
    expect(await text(F.adaptiveAvgPool2d(z.detach(), 1).index(0, ':', 0, 0))).toBe(ref('aap1')[0]);
    expect([F.adaptiveAvgPool2d(z, [null, 2]).shape, F.adaptiveAvgPool2d(z.index(0), [2, 2]).shape]).toEqual([[2, 2, 5, 2], [2, 2, 2]]);
    expect(`${new nn.CosineSimilarity()} ${new nn.AdaptiveAvgPool2d([2, 3])} ${new nn.AdaptiveAvgPool2d(2)} ${new nn.AdaptiveAvgPool2d([null, 3])}`)
      .toBe('CosineSimilarity() AdaptiveAvgPool2d(output_size=(2, 3)) AdaptiveAvgPool2d(output_size=2) AdaptiveAvgPool2d(output_size=(None, 3))');
    await gradcheck((x) => F.adaptiveAvgPool2d(x, [2, 3]), [[1, 2, 5, 4]]);
    await gradcheck((x, y) => F.cosineSimilarity(x, y).add(F.normalize(x, { dim: 0 }).sum()), [[3, 4], [3, 4]]);
  });
});

describe.runIf(available)('on the GPU', () => {
  it("the CPU's values and gradients", async () => {
    torch.manualSeed(9);
    const src = torch.randn([4, 6]).mul(3), tgt = torch.randn([4, 6]);
    const run = async (dev: string) => {
      const x = src.to(dev).detach().requiresGrad_(), t = tgt.to(dev);
      const parts = [
        F.hardswish(x).sum(), F.mish(x).sum(), F.selu(x).sum(), F.logsigmoid(x).sum(), F.glu(x, 1).sum(), F.relu6(x).sum(), F.hardsigmoid(x).sum(),
        F.huberLoss(x, t), F.smoothL1Loss(x, t, { beta: 0.5 }), F.klDiv(x.logSoftmax(1), t.softmax(1), { reduction: 'batchmean' }),
        F.normalize(x).sum(), F.cosineSimilarity(x, t).sum(), F.oneHot(torch.tensor([0, 5, 2, 3], { device: dev }), 6).float().mul(x).sum(), F.adaptiveAvgPool2d(x.reshape([1, 1, 4, 6]), [3, 4]).mul(t.index('0:3', '0:4')).sum(),
      ];
      const total = torch.stack(parts);
      await total.mul(torch.arange(parts.length, { device: dev }).float().add(1)).sum().backward();
      return [await values(total), await values(x.grad!)];
    };
    const [cpu, gpu] = [await run('cpu'), await run('gpu')];
    for (let k = 0; k < 2; k++) cpu[k].forEach((c, i) => expect(Math.abs(gpu[k][i] - c), `${k}:${i}`).toBeLessThan(2e-5 * Math.max(1, Math.abs(c))));
  });
});
