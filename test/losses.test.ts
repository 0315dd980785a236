// More losses (margin ranking, hinge embedding, soft margin, multi-label soft margin, multi-label margin,
// multi margin, cosine embedding, triplet margin (with distance), Poisson and Gaussian NLL) and the
// embedding bag: PyTorch 1.13's printed values and gradients for each reduction, grad_fns, printed modules
// and errors (test/fixtures/losses.json, from scripts/torch-losses.py, which writes its inputs too), finite
// differences (float64) and the GPU against the CPU.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradcheck, values } from './helpers.ts';

const REF = JSON.parse(readFileSync(new URL('./fixtures/losses.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const ref = (k: string) => REF[k] as string[];
const R = REF.repr as Record<string, string>;
const { nn } = torch;
const F = nn.functional;
type T = torch.Tensor;
const inp = (k: string, grad = false) => {
  const t = torch.tensor(REF[`in_${k}`] as number[], { dtype: 'float32' });
  return grad ? t.requiresGrad_() : t;
};
const long = (k: string) => torch.tensor(REF[`in_${k}`] as number[], { dtype: 'int64' });
const ramp = (t: T) => torch.arange(t.numel()).reshape(t.shape).float().div(10).sub(0.7);
const NUM = /-?(?:\d+\.?\d*(?:e[+-]?\d+)?|inf|nan)/g;
/** A tensor against PyTorch's printed one: the same text, or the same layout with every value within the printed precision. */
async function expectText(t: T, want: string, what: string): Promise<void> {
  const plain = (s: string) => s.replace(/,\s*grad_fn=<[\w:]+>\)$/, ')');
  want = plain(want);
  const got = plain(await torch.format(t));
  if (got === want) return;
  expect(got.replace(/\s+/g, '').replace(NUM, '0'), `${what}: layout (${got} against ${want})`).toBe(want.replace(/\s+/g, '').replace(NUM, '0'));
  const v = await values(t), w = (want.replace(/^tensor\(/, '').match(NUM) ?? []).map(Number), sci = /\de[+-]/.test(want);
  expect(v.length, what).toBe(w.length);
  v.forEach((a, i) => {
    if (Number.isNaN(w[i])) expect(a, `${what}[${i}]`).toBeNaN();
    else expect(Math.abs(a - w[i]), `${what}[${i}]: ${a} against ${w[i]}`).toBeLessThanOrEqual(sci ? 6e-5 * Math.abs(w[i]) + 1e-6 : 6e-5 + 5e-7 * Math.abs(w[i])); // (float32 sums in another order: ~1 ulp of a large value)
  });
}
/** f over the inputs, backward of (y · ramp(y)).sum(): y, every input's gradient and the grad_fn against the script's. */
async function expectRun(key: string, f: (...ts: T[]) => T, ts: T[]): Promise<void> {
  for (const t of ts) t.grad = null;
  const y = f(...ts);
  await y.mul(ramp(y)).sum().backward();
  const want = ref(key);
  expect(want, key).toBeTruthy();
  await expectText(y, want[0], `${key} y`);
  for (let i = 0; i < ts.length; i++) await expectText(ts[i].grad!, want[1 + i], `${key} grad ${i}`);
  expect(y.gradFn?.name, key).toBe(want[ts.length + 1]);
}
const RED = ['mean', 'sum', 'none'] as const;
const available = await gpuForTests('losses', { composite: true });

describe("losses: PyTorch's values, gradients and grad_fns for each reduction", () => {
  it('marginRankingLoss', async () => {
    const x1 = inp('mr_x1', true), x2 = inp('mr_x2', true), y = inp('mr_y');
    for (const r of RED) await expectRun(`mr_${r}`, (a, b) => F.marginRankingLoss(a, b, y, { margin: 0.3, reduction: r }), [x1, x2]);
    await expectRun('mr_default', (a, b) => F.marginRankingLoss(a, b, y), [x1, x2]);
  });
  it('hingeEmbeddingLoss (a target of 0 takes both terms, as PyTorch)', async () => {
    const x = inp('he_x', true), y = inp('he_y');
    for (const r of RED) await expectRun(`he_${r}`, (a) => F.hingeEmbeddingLoss(a, y, { margin: 1.5, reduction: r }), [x]);
    await expectRun('he_default', (a) => F.hingeEmbeddingLoss(a, y), [x]);
  });
  it('softMarginLoss', async () => {
    const x = inp('sm_x', true), y = inp('sm_y');
    for (const r of RED) await expectRun(`sm_${r}`, (a) => F.softMarginLoss(a, y, { reduction: r }), [x]);
  });
  it('multiLabelSoftMarginLoss (weight; 1-D input)', async () => {
    const x = inp('mlsm_x', true), t = inp('mlsm_t', true), w = inp('mlsm_w');
    for (const r of RED) {
      await expectRun(`mlsm_${r}`, (a, b) => F.multiLabelSoftMarginLoss(a, b, { reduction: r }), [x, t]);
      await expectRun(`mlsm_w_${r}`, (a, b) => F.multiLabelSoftMarginLoss(a, b, { weight: w, reduction: r }), [x, t]);
    }
    await expectRun('mlsm_1d', (a) => F.multiLabelSoftMarginLoss(a, inp('mlsm_t').index(0), { reduction: 'none' }), [inp('mlsm_x').index(1).clone().requiresGrad_()]);
  });
  it('multiLabelMarginLoss (targets up to the first -1, repeats counted twice; 1-D input)', async () => {
    const x = inp('mlm_x', true), t = long('mlm_t');
    for (const r of RED) await expectRun(`mlm_${r}`, (a) => F.multiLabelMarginLoss(a, t, { reduction: r }), [x]);
    const x1 = inp('mlm_x').index(0).clone().requiresGrad_();
    await expectRun('mlm_1d', (a) => F.multiLabelMarginLoss(a, t.index(3), { reduction: 'none' }), [x1]);
    await expectRun('mlm_1d_mean', (a) => F.multiLabelMarginLoss(a, t.index(0)), [x1]);
  });
  it('multiMarginLoss (p, margin, weight; 1-D input with a [1] or [] target)', async () => {
    const x = inp('mm_x', true), t = long('mm_t'), w = inp('mm_w');
    for (const r of RED) {
      await expectRun(`mm_${r}`, (a) => F.multiMarginLoss(a, t, { reduction: r }), [x]);
      await expectRun(`mm_p2_${r}`, (a) => F.multiMarginLoss(a, t, { p: 2, margin: 0.7, weight: w, reduction: r }), [x]);
    }
    await expectRun('mm_w', (a) => F.multiMarginLoss(a, t, { weight: w }), [x]);
    const x1 = inp('mm_x').index(2).clone().requiresGrad_();
    await expectRun('mm_1d', (a) => F.multiMarginLoss(a, t.narrow(0, 2, 1), { reduction: 'none' }), [x1]);
    await expectRun('mm_1d_0d', (a) => F.multiMarginLoss(a, t.index(2), { margin: 2 }), [x1]);
  });
  it('cosineEmbeddingLoss (rows, and one pair with a 0-D target)', async () => {
    const x1 = inp('ce_x1', true), x2 = inp('ce_x2', true), y = inp('ce_y');
    for (const r of RED) await expectRun(`ce_${r}`, (a, b) => F.cosineEmbeddingLoss(a, b, y, { margin: -0.2, reduction: r }), [x1, x2]);
    await expectRun('ce_default', (a, b) => F.cosineEmbeddingLoss(a, b, y), [x1, x2]);
    await expectRun('ce_1d', (a, b) => F.cosineEmbeddingLoss(a, b, torch.tensor(-1), { reduction: 'none' }),
      [inp('ce_x1').index(0).clone().requiresGrad_(), inp('ce_x2').index(0).clone().requiresGrad_()]);
  });
  it('tripletMarginLoss (margin, p, eps, swap) and tripletMarginWithDistanceLoss', async () => {
    const a = inp('tm_a', true), p = inp('tm_p', true), n = inp('tm_n', true);
    for (const r of RED) await expectRun(`tm_${r}`, (a, p, n) => F.tripletMarginLoss(a, p, n, { reduction: r }), [a, p, n]);
    await expectRun('tm_p1_swap', (a, p, n) => F.tripletMarginLoss(a, p, n, { margin: 0.5, p: 1, swap: true, reduction: 'none' }), [a, p, n]);
    await expectRun('tm_p3_eps', (a, p, n) => F.tripletMarginLoss(a, p, n, { margin: 2, p: 3, eps: 0.1, reduction: 'sum' }), [a, p, n]);
    await expectRun('tm_swap', (a, p, n) => F.tripletMarginLoss(a, p, n, { swap: true }), [a, p, n]);
    const row = (k: string) => inp(k).index(0).clone().requiresGrad_();
    await expectRun('tm_1d', (a, p, n) => F.tripletMarginLoss(a, p, n, { reduction: 'none' }), [row('tm_a'), row('tm_p'), row('tm_n')]);
    for (const r of RED) await expectRun(`tmd_${r}`, (a, p, n) => F.tripletMarginWithDistanceLoss(a, p, n, { reduction: r }), [a, p, n]);
    const cosd = (u: T, v: T) => torch.sub(1, F.cosineSimilarity(u, v));
    await expectRun('tmd_cos_swap', (a, p, n) => F.tripletMarginWithDistanceLoss(a, p, n, { distanceFunction: cosd, margin: 0.4, swap: true, reduction: 'none' }), [a, p, n]);
    const m = new nn.TripletMarginWithDistanceLoss({ reduction: 'none' });
    await expectText(m(a, p, n), ref('tmd_none')[0], 'module');
  });
  it('poissonNllLoss (logInput, full, eps; NaN target gradients where the target is 0 with full, as PyTorch)', async () => {
    const x = inp('pn_x', true), t = inp('pn_t', true), rate = inp('pn_pos', true);
    for (const r of RED) {
      await expectRun(`pn_${r}`, (a, b) => F.poissonNllLoss(a, b, { reduction: r }), [x, t]);
      await expectRun(`pn_full_${r}`, (a, b) => F.poissonNllLoss(a, b, { full: true, reduction: r }), [x, t]);
      await expectRun(`pn_rate_${r}`, (a, b) => F.poissonNllLoss(a, b, { logInput: false, reduction: r }), [rate, t]);
    }
    await expectRun('pn_rate_full_eps', (a, b) => F.poissonNllLoss(a, b, { logInput: false, full: true, eps: 0.5, reduction: 'none' }), [rate, t]);
  });
  it('gaussianNllLoss (full, eps, a clamped variance, one variance per row)', async () => {
    const x = inp('gn_x', true), t = inp('gn_t', true), v = inp('gn_v', true), v1 = inp('gn_v1', true);
    for (const r of RED) {
      await expectRun(`gn_${r}`, (a, b, c) => F.gaussianNllLoss(a, b, c, { reduction: r }), [x, t, v]);
      await expectRun(`gn_full_${r}`, (a, b, c) => F.gaussianNllLoss(a, b, c, { full: true, eps: 1e-3, reduction: r }), [x, t, v]);
    }
    await expectRun('gn_homo', (a, b, c) => F.gaussianNllLoss(a, b, c, { reduction: 'none' }), [x, t, v1]);
    await expectRun('gn_homo1', (a, b, c) => F.gaussianNllLoss(a, b, c.unsqueeze(1), { reduction: 'sum' }), [x, t, v1]);
    const row = (k: string) => inp(k).index(0).clone().requiresGrad_();
    await expectRun('gn_scalar_var', (a, b, c) => F.gaussianNllLoss(a, b, c, { reduction: 'none' }), [row('gn_x'), row('gn_t'), inp('gn_v1').narrow(0, 0, 1).clone().requiresGrad_()]);
  });
});

describe('embeddingBag', () => {
  it("sum, mean and max over rows and over offsets (empty bags, paddingIdx, includeLastOffset, perSampleWeights): PyTorch's values and gradients", async () => {
    const w = inp('eb_w', true), i2 = long('eb_i'), i1 = long('eb_i1');
    for (const mode of ['sum', 'mean', 'max'] as const) {
      await expectRun(`eb_${mode}`, (w) => F.embeddingBag(i2, w, null, { mode }), [w]);
      await expectRun(`eb_pad_${mode}`, (w) => F.embeddingBag(i2, w, null, { mode, paddingIdx: 7 }), [w]);
      await expectRun(`eb_off_${mode}`, (w) => F.embeddingBag(i1, w, [0, 2, 2, 5], { mode }), [w]);
      await expectRun(`eb_last_${mode}`, (w) => F.embeddingBag(i1, w, [0, 3, 3, 9], { mode, includeLastOffset: true, paddingIdx: 2 }), [w]);
    }
    await expectRun('eb_psw', (w, p) => F.embeddingBag(i2, w, null, { mode: 'sum', perSampleWeights: p }), [w, inp('eb_psw', true)]);
    await expectRun('eb_psw_off', (w, p) => F.embeddingBag(i1, w, [0, 4, 4], { mode: 'sum', perSampleWeights: p, paddingIdx: 4 }), [w, inp('eb_psw1', true)]);
    await expectText(F.embeddingBag(i2, inp('eb_w')), ref('eb_default')[0], 'default mode');
  });
  it('nn.EmbeddingBag: its weight, forward and a tensor of offsets refused', async () => {
    const m = new nn.EmbeddingBag(10, 3, { mode: 'max', paddingIdx: 7 });
    torch.noGrad(() => m.weight.copy_(inp('eb_w')));
    await expectText(m(long('eb_i')), ref('eb_pad_max')[0], 'module');
    expect(m.namedParameters().map(([k, p]) => [k, p.shape])).toEqual([['weight', [10, 3]]]);
    const fresh = new nn.EmbeddingBag(6, 2, { paddingIdx: 1 });
    expect(await values(fresh.weight.index(1))).toEqual([0, 0]);
    expect(() => F.embeddingBag(long('eb_i1'), inp('eb_w'), torch.tensor([0, 2]) as unknown as number[])).toThrow(/array of numbers/);
  });
});

describe('modules', () => {
  it("print as PyTorch's; class weights are buffers", () => {
    const mods: Record<string, torch.nn.Module> = {
      mr: new nn.MarginRankingLoss(), mr_opts: new nn.MarginRankingLoss({ margin: 0.5, reduction: 'sum' }), he: new nn.HingeEmbeddingLoss({ margin: 2 }),
      sm: new nn.SoftMarginLoss(), mlsm: new nn.MultiLabelSoftMarginLoss({ weight: torch.ones([3]) }), mlm: new nn.MultiLabelMarginLoss(),
      mm: new nn.MultiMarginLoss({ p: 2, margin: 0.5 }), ce: new nn.CosineEmbeddingLoss(), tm: new nn.TripletMarginLoss({ margin: 2, p: 1, swap: true }),
      tmd: new nn.TripletMarginWithDistanceLoss({ margin: 0.5 }), pn: new nn.PoissonNLLLoss({ logInput: false }), gn: new nn.GaussianNLLLoss({ full: true }),
      eb: new nn.EmbeddingBag(10, 3), eb_sum: new nn.EmbeddingBag(10, 3, { mode: 'sum' }), eb_max_pad: new nn.EmbeddingBag(10, 3, { mode: 'max', paddingIdx: -2 }),
      nested: new nn.Sequential(new nn.EmbeddingBag(5, 2, { mode: 'sum' }), new nn.SoftMarginLoss()),
    };
    for (const [k, m] of Object.entries(mods)) expect(String(m), k).toBe(R[k]);
    expect(new nn.MultiLabelSoftMarginLoss({ weight: torch.ones([3]) }).namedBuffers().map(([k]) => k)).toEqual(REF.mlsm_buffers);
    expect(new nn.MultiMarginLoss({ weight: torch.ones([3]) }).namedBuffers().map(([k]) => k)).toEqual(REF.mm_buffers);
    expect(String(new nn.TripletMarginWithDistanceLoss({ distanceFunction: (a, b) => F.pairwiseDistance(a, b) }))).toBe('TripletMarginWithDistanceLoss()');
    expect(() => new nn.TripletMarginWithDistanceLoss({ margin: 0 })).toThrow('TripletMarginWithDistanceLoss: expected margin to be greater than 0, got 0 instead');
  });
});

describe("PyTorch's errors", () => {
  const E = REF.errors as Record<string, string | null>;
  const o = torch.ones([4, 5]), z2 = torch.zeros([2, 2], { dtype: 'int64' }), z4 = torch.zeros([4], { dtype: 'int64' });
  const cases: Record<string, () => unknown> = {
    reduction: () => F.marginRankingLoss(o.index(0), o.index(0), o.index(0), { reduction: 'avg' as 'mean' }),
    mr_dims: () => F.marginRankingLoss(o, o.index(0), o.index(0)),
    mm_p: () => F.multiMarginLoss(o, z4, { p: 3 as 1 }),
    mm_weight: () => F.multiMarginLoss(o, z4, { weight: torch.ones([5, 1]) }),
    mm_target: () => F.multiMarginLoss(o, torch.zeros([3], { dtype: 'int64' })),
    mm_3d: () => F.multiMarginLoss(torch.ones([2, 2, 2]), torch.zeros([2], { dtype: 'int64' })),
    mlm_target: () => F.multiLabelMarginLoss(o, torch.zeros([4, 4], { dtype: 'int64' })),
    ce_target: () => F.cosineEmbeddingLoss(o, o, torch.ones([4, 1])),
    ce_3d: () => F.cosineEmbeddingLoss(torch.ones([2, 2, 2]), torch.ones([2, 2, 2]), torch.ones([2, 2])),
    tm_dims: () => F.tripletMarginLoss(o, o.index(0), o),
    tmd_margin: () => F.tripletMarginWithDistanceLoss(o, o, o, { margin: 0 }),
    gn_size: () => F.gaussianNllLoss(o, o, torch.ones([4, 2])),
    gn_reduction: () => F.gaussianNllLoss(o, o, o, { reduction: 'x' as 'mean' }),
    pn_reduction: () => F.poissonNllLoss(o, o, { reduction: 'x' as 'mean' }),
    eb_psw_mode: () => F.embeddingBag(z2, o, null, { mode: 'mean', perSampleWeights: torch.ones([2, 2]) }),
    eb_psw_shape: () => F.embeddingBag(z2, o, null, { mode: 'sum', perSampleWeights: torch.ones([4]) }),
    eb_1d_no_offsets: () => F.embeddingBag(z4, o),
    eb_3d: () => F.embeddingBag(torch.zeros([2, 2, 2], { dtype: 'int64' }), o),
    eb_offset_big: () => F.embeddingBag(z4, o, [0, 5]),
    eb_mode: () => F.embeddingBag(z2, o, null, { mode: 'min' as 'sum' }),
    eb_pad: () => new nn.EmbeddingBag(4, 2, { paddingIdx: 4 }),
  };
  for (const [k, f] of Object.entries(cases)) {
    it(k, () => {
      let msg: string | null = null;
      try { f(); } catch (e) { msg = (e as Error).message; }
      expect(msg).toBe(E[k]);
    });
  }
  it('errors worded as PyTorch with the parts that differ (offsets given as an array, dtypes named as troupe names them)', () => {
    expect(() => F.embeddingBag(z4, o, [1, 2])).toThrow(/^offsets\[0\] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. However, got 1$/);
    expect(() => F.embeddingBag(z2, o, [0, 1])).toThrow(/^if input is 2D, then offsets has to be None/);
    expect(() => F.embeddingBag(torch.zeros([2, 2]), o)).toThrow("Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got float32 instead (while checking arguments for embedding_bag)");
    expect(() => F.cosineEmbeddingLoss(o, torch.ones([4, 4]), torch.ones([4]))).toThrow();
  });
});

describe('finite differences (float64)', () => {
  const opts = { dtype: 'float64' as const };
  it('the margin losses', async () => {
    const pm = torch.tensor([1, -1, -1, 1, 1, -1], opts);
    await gradcheck((a, b) => F.marginRankingLoss(a, b, pm, { margin: 0.1, reduction: 'none' }), [[6], [6]]);
    await gradcheck((a) => F.hingeEmbeddingLoss(a, pm.reshape([2, 3]), { margin: 0.5, reduction: 'sum' }), [[2, 3]]);
    await gradcheck((a) => F.softMarginLoss(a, pm.reshape([3, 2]), { reduction: 'none' }), [[3, 2]]);
    await gradcheck((a, b) => F.multiLabelSoftMarginLoss(a, b.sigmoid(), { reduction: 'none' }), [[3, 4], [3, 4]]);
    const t = torch.tensor([[3, 0, -1, 1], [1, 1, 2, -1], [2, 3, 1, 0]], { dtype: 'int64' });
    await gradcheck((a) => F.multiLabelMarginLoss(a, t, { reduction: 'none' }), [[3, 4]]);
    const y = torch.tensor([1, 0, 3], { dtype: 'int64' });
    await gradcheck((a) => F.multiMarginLoss(a, y, { reduction: 'none' }), [[3, 4]]);
    // (as PyTorch's, the weight gets no gradient: MultiMarginLossBackward0 differentiates the input only)
    await gradcheck((a) => F.multiMarginLoss(a, y, { p: 2, margin: 0.6, weight: torch.tensor([0.5, 2, 1, 1.5], opts), reduction: 'sum' }), [[3, 4]]);
    await gradcheck((a, b) => F.cosineEmbeddingLoss(a, b, torch.tensor([1, -1, -1], opts), { margin: -0.5, reduction: 'none' }), [[3, 4], [3, 4]]);
  });
  it('triplet, Poisson, Gaussian and the embedding bag', async () => {
    await gradcheck((a, p, n) => F.tripletMarginLoss(a, p, n, { margin: 3, p: 3, swap: true, reduction: 'none' }), [[3, 4], [3, 4], [3, 4]]);
    await gradcheck((a, p, n) => F.tripletMarginWithDistanceLoss(a, p, n, { margin: 3, reduction: 'none' }), [[3, 4], [3, 4], [3, 4]]);
    const cnt = torch.tensor([[0, 2, 3], [5, 1, 4]], opts);
    await gradcheck((a) => F.poissonNllLoss(a, cnt, { full: true, reduction: 'none' }), [[2, 3]]);
    await gradcheck((a, t) => F.poissonNllLoss(a, t, { logInput: false, reduction: 'sum' }), [[2, 3], [2, 3]], { positive: true });
    await gradcheck((a, t, v) => F.gaussianNllLoss(a, t, v, { full: true, reduction: 'none' }), [[2, 3], [2, 3], [2, 3]], { positive: true });
    await gradcheck((a, t, v) => F.gaussianNllLoss(a, t, v), [[2, 3], [2, 3], [2]], { positive: true });
    const i1 = torch.tensor([1, 2, 4, 5, 4, 3, 2], { dtype: 'int64' });
    for (const mode of ['sum', 'mean', 'max'] as const) await gradcheck((w) => F.embeddingBag(i1, w, [0, 3, 3, 5], { mode, paddingIdx: 2 }), [[6, 3]]);
    await gradcheck((w, p) => F.embeddingBag(i1, w, [0, 3, 3, 5], { mode: 'sum', perSampleWeights: p }), [[6, 3], [7]]);
  });
});

describe.runIf(available)('on the GPU', () => {
  it("the CPU's values and gradients", async () => {
    torch.manualSeed(11);
    const srcs = [torch.randn([4, 5]), torch.randn([4, 5]), torch.randn([4, 5]), torch.rand([4, 5]).add(0.2), torch.randn([10, 3]), torch.randn([9])];
    const pm = torch.tensor([[1, -1, 1, -1, 1], [-1, -1, 1, 1, 1], [1, 1, -1, -1, 1], [-1, 1, 1, -1, -1]]);
    const lab = torch.tensor([[3, 0, -1, 1, 1], [1, 2, 3, 4, 0], [-1, 2, 2, 2, 2], [4, 4, 1, -1, 0]], { dtype: 'int64' });
    const cls = torch.tensor([1, 0, 4, 2], { dtype: 'int64' }), cnt = torch.tensor([[0, 1, 2, 5, 3], [0, 1, 4, 2, 0], [7, 1, 1, 2, 3], [0, 0, 9, 1, 2]]);
    const bags = torch.tensor([1, 2, 4, 5, 4, 3, 2, 9, 7], { dtype: 'int64' }), bags2 = torch.tensor([[1, 2, 4], [4, 3, 2], [0, 7, 7]], { dtype: 'int64' });
    const run = async (dev: string) => {
      const [a, b, c, v, w, s] = srcs.map((t) => t.to(dev).detach().requiresGrad_());
      const P = pm.to(dev), L = lab.to(dev), Y = cls.to(dev), N = cnt.to(dev), B = bags.to(dev), B2 = bags2.to(dev);
      const parts = [
        F.marginRankingLoss(a, b, P, { margin: 0.3 }), F.hingeEmbeddingLoss(a, P, { reduction: 'sum' }), F.softMarginLoss(a, P),
        F.multiLabelSoftMarginLoss(a, v.div(2), { weight: v.index(0) }), F.multiLabelMarginLoss(a, L, { reduction: 'sum' }),
        F.multiMarginLoss(a, Y, { p: 2, weight: v.index(1) }), F.cosineEmbeddingLoss(a, b, P.index(':', 0), { margin: -0.3 }),
        F.tripletMarginLoss(a, b, c, { p: 1, swap: true }), F.tripletMarginWithDistanceLoss(a, b, c, { margin: 2 }),
        F.poissonNllLoss(a, N, { full: true }), F.poissonNllLoss(v, b.abs(), { logInput: false }), F.gaussianNllLoss(a, b, v, { full: true }),
        F.embeddingBag(B, w, [0, 2, 2, 5], { mode: 'sum', perSampleWeights: s }).pow(2).sum(), F.embeddingBag(B, w, [0, 3, 3, 9], { mode: 'mean', includeLastOffset: true, paddingIdx: 2 }).pow(2).sum(),
        F.embeddingBag(B2, w, null, { mode: 'max', paddingIdx: 7 }).pow(2).sum(),
      ];
      const total = torch.stack(parts);
      await total.mul(torch.arange(parts.length, { device: dev }).float().add(1)).sum().backward();
      return [await values(total), ...(await Promise.all([a, b, c, v, w, s].map((t) => values(t.grad!))))];
    };
    const cpu = await run('cpu'), gpu = await run('gpu');
    for (let k = 0; k < cpu.length; k++) cpu[k].forEach((x, i) => expect(Math.abs(gpu[k][i] - x), `${k}:${i}`).toBeLessThan(2e-4 * Math.max(1, Math.abs(x))));
  });
});
