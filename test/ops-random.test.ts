import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, values } from './helpers.ts';

/** Category counts of int64 draws. */
function counts(v: number[], C: number): number[] {
  const c = new Array<number>(C).fill(0);
  for (const k of v) c[k]++;
  return c;
}
/** Pearson's chi-square of counts against weights. */
function chiSquare(c: number[], w: number[]): number {
  const n = c.reduce((a, b) => a + b, 0), tw = w.reduce((a, b) => a + b, 0);
  let x = 0;
  c.forEach((k, i) => { if (w[i] > 0) { const e = (n * w[i]) / tw; x += ((k - e) ** 2) / e; } });
  return x;
}
const meanOf = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const medianOf = (v: number[]) => { const s = [...v].sort((a, b) => a - b); return s[(s.length - 1) >> 1]; };

describe('multinomial', () => {
  it('shapes, dtype, and PyTorch\'s argument errors', async () => {
    const p = torch.tensor([0.2, 0.3, 0.5]);
    expect(torch.multinomial(p, 2).shape).toEqual([2]);
    expect(torch.multinomial(p, 7, { replacement: true }).shape).toEqual([7]);
    const r = torch.multinomial(torch.ones([4, 3]), 3);
    expect(r.shape).toEqual([4, 3]);
    expect(r.dtype).toBe('int64');
    expect(torch.multinomial(torch.ones([0, 3]), 2).shape).toEqual([0, 2]);
    expect(p.multinomial(2, { replacement: true }).shape).toEqual([2]);
    expect(torch.multinomial(p.to({ dtype: 'float64' }), 2).dtype).toBe('int64');
    expect(() => torch.multinomial(p, 4)).toThrow('cannot sample n_sample > prob_dist.size(-1) samples without replacement');
    expect(() => torch.multinomial(p, 0)).toThrow('cannot sample n_sample <= 0 samples');
    expect(() => torch.multinomial(p, -1, { replacement: true })).toThrow('cannot sample n_sample <= 0 samples');
    expect(() => torch.multinomial(p.reshape([1, 1, 3]), 1)).toThrow('prob_dist must be 1 or 2 dim');
    expect(() => torch.multinomial(torch.tensor(0.5), 1)).toThrow('prob_dist must be 1 or 2 dim');
    expect(() => torch.multinomial(torch.tensor([1, 2, 3]), 1)).toThrow('multinomial only supports floating-point dtypes for input, got: Long');
    expect(() => torch.multinomial(p, 2.5)).toThrow("multinomial(): argument 'num_samples' (position 2) must be int, not float");
    expect(() => torch.multinomial(torch.zeros([2, 0]), 1)).toThrow('cannot sample n_sample > prob_dist.size(-1) samples without replacement');
    expect(() => torch.multinomial(torch.zeros([2, 0]), 1, { replacement: true })).toThrow('invalid multinomial distribution (sum of probabilities <= 0)');
  });

  it('checks the weights\' values at once on the CPU, as PyTorch\'s (by path)', () => {
    const bad = (w: number[], rep: boolean) => () => torch.multinomial(torch.tensor(w, { dtype: 'float32' }), 2, { replacement: rep });
    expect(bad([-1, 2], false)).toThrow('probability tensor contains either `inf`, `nan` or element < 0');
    expect(bad([NaN, 1], false)).toThrow('probability tensor contains either `inf`, `nan` or element < 0');
    expect(bad([Infinity, 1], false)).toThrow('probability tensor contains either `inf`, `nan` or element < 0');
    expect(bad([0, 0], false)).toThrow('invalid multinomial distribution (sum of probabilities <= 0)');
    expect(bad([-1, 2], true)).toThrow('invalid multinomial distribution (encountering probability entry < 0)');
    expect(bad([NaN, 1], true)).toThrow('invalid multinomial distribution (encountering probability entry = infinity or NaN)');
    expect(bad([Infinity, 1], true)).toThrow('invalid multinomial distribution (encountering probability entry = infinity or NaN)');
    expect(bad([0, 0], true)).toThrow('invalid multinomial distribution (sum of probabilities <= 0)');
    expect(() => torch.multinomial(torch.tensor([[1, 2], [0, 0]]).float(), 1, { replacement: true })).toThrow('sum of probabilities <= 0');
    // a strided view is read through its strides: column 1 of [[1, -1], [2, 3]] is [-1, 3]
    expect(() => torch.multinomial(torch.tensor([[1, -1], [2, 3]]).float().t().index(1), 1)).toThrow('element < 0');
    expect(torch.multinomial(torch.tensor([[1, -1], [2, 3]]).float().t().index(0), 1).shape).toEqual([1]);
  });

  it('is deterministic under manualSeed, one stream a call', async () => {
    const p = torch.tensor([[1, 2, 3, 4], [4, 0, 1, 1]]).float();
    torch.manualSeed(11);
    const a = [await values(torch.multinomial(p, 4)), await values(torch.multinomial(p, 9, { replacement: true }))];
    torch.manualSeed(11);
    const b = [await values(torch.multinomial(p, 4)), await values(torch.multinomial(p, 9, { replacement: true }))];
    expect(b).toEqual(a);
    const c = await values(torch.multinomial(p, 9, { replacement: true }));
    expect(c).not.toEqual(a[1]);
  });

  it('with replacement: frequencies follow the weights (chi-square), zero weights never drawn', async () => {
    torch.manualSeed(5);
    const w = [0.5, 0, 2, 1, 0, 4, 0.25, 0];   // unnormalised, zeros inside and at the end
    const n = 20000, v = await values(torch.multinomial(torch.tensor(w), n, { replacement: true }));
    const c = counts(v, w.length);
    expect([c[1], c[4], c[7]]).toEqual([0, 0, 0]);
    // 5 positive categories: 4 degrees of freedom; P(chi2_4 > 23.5) = 1e-4
    expect(chiSquare(c, w)).toBeLessThan(23.5);
    // rows are independent and each has its own weights
    const rows = await values(torch.multinomial(torch.tensor([[1, 0, 0], [0, 0, 1], [1, 1, 0]]).float(), 1000, { replacement: true }));
    expect(new Set(rows.slice(0, 1000))).toEqual(new Set([0]));
    expect(new Set(rows.slice(1000, 2000))).toEqual(new Set([2]));
    const r3 = counts(rows.slice(2000), 3);
    expect(r3[2]).toBe(0);
    expect(Math.abs(r3[0] - 500)).toBeLessThan(4 * Math.sqrt(250)); // 4 sigma of a binomial(1000, 1/2)
    // float64 weights (the CPU's float64 draws)
    const d = counts(await values(torch.multinomial(torch.tensor(w, { dtype: 'float64' }), n, { replacement: true })), w.length);
    expect([d[1], d[4], d[7]]).toEqual([0, 0, 0]);
    expect(chiSquare(d, w)).toBeLessThan(23.5);
  });

  it('without replacement: no repeats, zero weights last, first draws follow the weights', async () => {
    torch.manualSeed(6);
    const w = [1, 0, 3, 6];
    const N = 5000;
    const rows = await values(torch.multinomial(torch.tensor([...Array(N)].map(() => w), { dtype: 'float32' }), 3));
    const first: number[] = [], second: number[] = [];
    for (let r = 0; r < N; r++) {
      const s = rows.slice(3 * r, 3 * r + 3);
      expect(new Set(s).size).toBe(3);
      expect(s).not.toContain(1);             // three positive weights: the zero one is never among the three
      first.push(s[0]); second.push(s[1]);
    }
    // the first draw: chi-square on 2 degrees of freedom, P(chi2_2 > 18.4) = 1e-4
    expect(chiSquare(counts(first, 4), w)).toBeLessThan(18.4);
    // the second draw given the first was 3 (weight 6): the rest in proportion 1 : 3
    const after3 = second.filter((_, r) => first[r] === 3);
    expect(chiSquare(counts(after3, 4), [1, 0, 3, 0])).toBeLessThan(15.1); // 1 dof, P = 1e-4
    // all of them: the zero weight comes last, as PyTorch's
    const all = await values(torch.multinomial(torch.tensor([0, 1, 1]).float(), 3));
    expect(all[2]).toBe(0);
    expect(new Set(all)).toEqual(new Set([0, 1, 2]));
    // a permutation of C positive weights
    const perm = await values(torch.multinomial(torch.ones([50]), 50));
    expect([...perm].sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
  });
});

describe('bernoulli and normal', () => {
  it('bernoulli: shapes, dtypes, errors, mean', async () => {
    const p = torch.full([4, 5000], 0.3);
    torch.manualSeed(7);
    const b = torch.bernoulli(p);
    expect(b.shape).toEqual([4, 5000]);
    expect(b.dtype).toBe('float32');
    const v = await values(b);
    expect(new Set(v)).toEqual(new Set([0, 1]));
    // 20000 draws: sd of the mean sqrt(0.21/20000) = 0.0032; 5 sd
    expect(Math.abs(meanOf(v) - 0.3)).toBeLessThan(0.017);
    expect(torch.bernoulli(p.double()).dtype).toBe('float64');
    // per-element probabilities
    const pe = await values(torch.bernoulli(torch.tensor([0, 1, 0, 1, 1]).float()));
    expect(pe).toEqual([0, 1, 0, 1, 1]);
    expect(() => torch.bernoulli(torch.tensor([1, 0]))).toThrow(`"bernoulli_tensor_cpu_p_" not implemented for 'Long'`);
    expect(() => torch.bernoulli(torch.tensor([1.5, 0]))).toThrow('Expected p_in >= 0 && p_in <= 1 to be true, but got false.');
    expect(() => torch.bernoulli(torch.tensor([-0.5, 0]))).toThrow('Expected p_in >= 0 && p_in <= 1 to be true');
    expect(() => torch.bernoulli(torch.zeros([3]), 1.5)).toThrow('bernoulli_ expects p to be in [0, 1], but got p=1.5');
    const s = torch.bernoulli(torch.zeros([3], { dtype: 'int64' }), 1);
    expect([s.dtype, await values(s)]).toEqual(['int64', [1, 1, 1]]);
    expect((await values(p.bernoulli(0)))).toEqual(new Array(20000).fill(0));
    const bb = torch.bernoulli(torch.zeros([3], { dtype: 'bool' }), 1);
    expect([bb.dtype, await values(bb)]).toEqual(['bool', [1, 1, 1]]);
  });

  it('bernoulli_: number or broadcast tensor p, keeps the dtype, errors', async () => {
    torch.manualSeed(8);
    const x = torch.zeros([20000]).bernoulli_(0.8);
    expect(Math.abs(meanOf(await values(x)) - 0.8)).toBeLessThan(0.015); // 5 sd (0.0028)
    const l = torch.zeros([3, 2], { dtype: 'int64' }).bernoulli_(torch.tensor([1, 0]).float());
    expect([l.dtype, await values(l)]).toEqual(['int64', [1, 0, 1, 0, 1, 0]]);
    expect(torch.zeros([3], { dtype: 'bool' }).bernoulli_(1).dtype).toBe('bool');
    expect(() => torch.zeros([3]).bernoulli_(1.5)).toThrow('bernoulli_ expects p to be in [0, 1], but got p=1.5');
    expect(() => torch.zeros([3]).bernoulli_(-0.5)).toThrow('bernoulli_ expects p to be in [0, 1], but got p=-0.5');
    expect(() => torch.zeros([3]).bernoulli_(torch.tensor([0.5, 0.5]))).toThrow('The expanded size of the tensor (3) must match the existing size (2) at non-singleton dimension 0');
    expect(() => torch.zeros([3]).bernoulli_(torch.tensor([2, 0.5, 0.5]))).toThrow('Expected p_in >= 0 && p_in <= 1');
    expect(() => torch.zeros([3], { requiresGrad: true }).bernoulli_(0.5)).toThrow(/a leaf Variable that requires grad is being used in an in-place operation/);
  });

  it('normal: the four forms, broadcast shapes, dtypes, errors, mean and std', async () => {
    torch.manualSeed(9);
    const a = torch.normal(0, 1, [2, 3]);
    expect([a.shape, a.dtype]).toEqual([[2, 3], 'float32']);
    expect(torch.normal(0, 1, [2], { dtype: 'float64' }).dtype).toBe('float64');
    expect(torch.normal(torch.zeros([2, 3]), 1).shape).toEqual([2, 3]);
    expect(torch.normal(0, torch.ones([2, 3])).shape).toEqual([2, 3]);
    expect(torch.normal(torch.zeros([3]), torch.ones([2, 3])).shape).toEqual([2, 3]);
    expect(torch.normal(torch.zeros([3]).double(), torch.ones([3])).dtype).toBe('float64');
    expect(torch.normal(torch.zeros([0]), 1).shape).toEqual([0]);
    expect(() => torch.normal(torch.zeros([2]), torch.ones([3]))).toThrow('The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0');
    expect(() => torch.normal(0, -1, [2, 3])).toThrow('normal expects std >= 0.0, but found std -1');
    expect(() => torch.normal(torch.zeros([3]), -1)).toThrow('normal expects std >= 0.0, but found std -1');
    expect(() => torch.normal(0, torch.ones([3]).neg())).toThrow('normal expects all elements of std >= 0.0');
    expect(() => torch.normal(torch.zeros([3], { dtype: 'int64' }), 1)).toThrow(`"normal_kernel_cpu" not implemented for 'Long'`);
    expect(() => torch.normal(0, 1, [2], { dtype: 'int64' })).toThrow(`"normal_kernel_cpu" not implemented for 'Long'`);
    expect(() => (torch.normal as (m: number, s: number) => torch.Tensor)(0, 1)).toThrow(/normal\(\) received an invalid combination of arguments/);
    // mean 3, std 2 over 40000 draws: the mean's sd is 0.01, the std's about 0.007
    const v = await values(torch.normal(3, 2, [40000]));
    const m = meanOf(v), sd = Math.sqrt(meanOf(v.map((x) => (x - m) ** 2)));
    expect(Math.abs(m - 3)).toBeLessThan(0.05);
    expect(Math.abs(sd - 2)).toBeLessThan(0.04);
    // per-element mean and std: column 0 ~ N(-5, 0.1), column 1 ~ N(5, 1)
    const t = await values(torch.normal(torch.tensor([-5, 5]).float().expand([10000, 2]), torch.tensor([0.1, 1])));
    const c0 = t.filter((_, i) => i % 2 === 0), c1 = t.filter((_, i) => i % 2 === 1);
    expect(Math.abs(meanOf(c0) + 5)).toBeLessThan(0.005);
    expect(Math.abs(meanOf(c1) - 5)).toBeLessThan(0.05);
    expect(Math.abs(Math.sqrt(meanOf(c1.map((x) => (x - 5) ** 2))) - 1)).toBeLessThan(0.04);
  });
});

describe('in-place fills and randintLike', () => {
  it('exponential_, geometric_, cauchy_, logNormal_: argument errors as PyTorch\'s', () => {
    const f = () => torch.zeros([4]), l = () => torch.zeros([4], { dtype: 'int64' });
    expect(() => f().exponential_(-1)).toThrow('exponential_ expects lambda >= 0.0, but found lambda=-1');
    expect(() => l().exponential_()).toThrow(`"exponential_cpu" not implemented for 'Long'`);
    for (const p of [0, 1, 1.5]) expect(() => f().geometric_(p)).toThrow(`geometric_ expects p to be in (0, 1), but got p=${p}`);
    expect(() => torch.zeros([2], { dtype: 'bool' }).geometric_(0.5)).toThrow(`"geometric_cpu" not implemented for 'Bool'`);
    expect(() => l().cauchy_()).toThrow(`"cauchy_cpu" not implemented for 'Long'`);
    expect(() => f().logNormal_(1, 0)).toThrow('log_normal_ expects std > 0.0, but found std=0');
    expect(() => l().logNormal_()).toThrow(`"log_normal_cpu" not implemented for 'Long'`);
    expect(() => f().exponential_()).not.toThrow();
    expect(torch.zeros([2], { dtype: 'int64' }).geometric_(0.5).dtype).toBe('int64');
  });

  it('distributions: medians and means within generous bounds', async () => {
    torch.manualSeed(12);
    const n = 40001;
    // Exponential(2): median ln2/2 = 0.3466, mean 0.5. The sample median's sd is 1/(2 f(m) sqrt n) = 0.0025
    const e = await values(torch.empty([n]).exponential_(2));
    expect(Math.min(...e)).toBeGreaterThanOrEqual(0);
    expect(Math.abs(medianOf(e) - Math.LN2 / 2)).toBeLessThan(0.015);
    expect(Math.abs(meanOf(e) - 0.5)).toBeLessThan(0.0125); // sd 0.0025
    // Geometric(0.3) on {1, 2, …}: mean 1/0.3, sd sqrt(0.7)/0.3 = 2.79 → the mean's sd 0.014; P(X = 1) = 0.3
    const g = await values(torch.zeros([n], { dtype: 'int64' }).geometric_(0.3));
    expect(Math.min(...g)).toBe(1);
    expect(g.every(Number.isInteger)).toBe(true);
    expect(Math.abs(meanOf(g) - 1 / 0.3)).toBeLessThan(0.07);
    expect(Math.abs(g.filter((k) => k === 1).length / n - 0.3)).toBeLessThan(0.012); // 5 sd (0.0023)
    // Cauchy(1, 2): median 1, median |x - 1| = 2 (the quartiles are 1 ± 2); the median's sd π·2/(2 sqrt n) = 0.016
    const c = await values(torch.zeros([n]).cauchy_(1, 2));
    expect(Math.abs(medianOf(c) - 1)).toBeLessThan(0.08);
    expect(Math.abs(medianOf(c.map((x) => Math.abs(x - 1))) - 2)).toBeLessThan(0.1);
    // LogNormal(1, 0.5): median e = 2.718, mean e^(1.125) = 3.080; the median's sd ≈ 1.2533·0.5·e/sqrt n = 0.0085
    const ln = await values(torch.zeros([n]).logNormal_(1, 0.5));
    expect(Math.abs(medianOf(ln) - Math.E)).toBeLessThan(0.045);
    expect(Math.abs(meanOf(ln) - Math.exp(1.125))).toBeLessThan(0.04); // sd of the mean 0.0081
    // defaults: logNormal_(1, 2) and cauchy_(0, 1)
    expect(Math.abs(medianOf(await values(torch.zeros([n]).logNormal_())) - Math.E)).toBeLessThan(0.25);
    expect(Math.abs(medianOf(await values(torch.zeros([n]).cauchy_())))).toBeLessThan(0.04);
  });

  it('random_: ranges per dtype, errors, uniform counts', async () => {
    torch.manualSeed(13);
    const x = await values(torch.zeros([30000], { dtype: 'int64' }).random_(-3, 3));
    const c = counts(x.map((v) => v + 3), 6);
    expect(c.every((k) => k > 0)).toBe(true);
    expect(chiSquare(c, [1, 1, 1, 1, 1, 1])).toBeLessThan(25.7); // 5 dof, P = 1e-4
    expect(new Set(await values(torch.zeros([200]).random_(5)))).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(torch.zeros([2]).random_(5).dtype).toBe('float32');
    const b = torch.zeros([200], { dtype: 'bool' }).random_();
    expect([b.dtype, new Set(await values(b))]).toEqual(['bool', new Set([0, 1])]);
    const full = await values(torch.zeros([2000], { dtype: 'int32' }).random_());
    expect(full.every((v) => Number.isInteger(v) && v >= 0 && v <= 2 ** 31 - 1)).toBe(true);
    expect(Math.max(...full)).toBeGreaterThan(2 ** 30);
    const f32 = await values(torch.zeros([2000]).random_());
    expect(f32.every((v) => Number.isInteger(v) && v >= 0 && v <= 2 ** 24)).toBe(true);
    expect(() => torch.zeros([3]).random_(3, 3)).toThrow("random_ expects 'from' to be less than 'to', but got from=3 >= to=3");
    expect(() => torch.zeros([3]).random_(0)).toThrow("random_ expects 'from' to be less than 'to', but got from=0 >= to=0");
    expect(() => torch.zeros([3], { dtype: 'bool' }).random_(0, 10)).toThrow('to - 1 is out of bounds for bool');
    expect(() => torch.zeros([3], { dtype: 'bool' }).random_(-3, 1)).toThrow('from is out of bounds for bool');
    expect(() => torch.zeros([3], { dtype: 'int32' }).random_(0, 2 ** 31 + 1)).toThrow('to - 1 is out of bounds for int');
    expect(() => torch.zeros([3]).random_(1.5, 3)).toThrow(/random_\(\): from and to must be integers/);
  });

  it('randintLike, randLike, randnLike', async () => {
    const x = torch.zeros([2, 3]);
    torch.manualSeed(14);
    const r = torch.randintLike(x, 5);
    expect([r.shape, r.dtype]).toEqual([[2, 3], 'float32']);
    expect((await values(r)).every((v) => Number.isInteger(v) && v >= 0 && v < 5)).toBe(true);
    const r2 = torch.randintLike(torch.zeros([1000], { dtype: 'int32' }), 2, 5);
    expect(r2.dtype).toBe('int32');
    expect(new Set(await values(r2))).toEqual(new Set([2, 3, 4]));
    expect(torch.randintLike(x, 0, 3, { dtype: 'int64' }).dtype).toBe('int64');
    expect(() => torch.randintLike(x, 5, 5)).toThrow("random_ expects 'from' to be less than 'to', but got from=5 >= to=5");
    expect(torch.randLike(x).shape).toEqual([2, 3]);
    expect(torch.randnLike(x, { dtype: 'float64' }).dtype).toBe('float64');
  });

  it('every fill is deterministic under manualSeed', async () => {
    const run = async () => {
      torch.manualSeed(21);
      const out: number[][] = [];
      out.push(await values(torch.zeros([50]).exponential_(3)));
      out.push(await values(torch.zeros([50]).geometric_(0.2)));
      out.push(await values(torch.zeros([50]).cauchy_()));
      out.push(await values(torch.zeros([50]).logNormal_()));
      out.push(await values(torch.zeros([50], { dtype: 'int64' }).random_(100)));
      out.push(await values(torch.zeros([50]).bernoulli_(0.5)));
      out.push(await values(torch.normal(torch.zeros([50]), 2)));
      out.push(await values(torch.randintLike(torch.zeros([50]), 9)));
      return out;
    };
    const a = await run(), b = await run();
    expect(b).toEqual(a);
    for (let i = 0; i < a.length; i++) for (let j = i + 1; j < a.length; j++) expect(a[j]).not.toEqual(a[i]);
  });
});

const available = await gpuForTests('random sampling on gpu');
describe.runIf(available)('on the GPU: the CPU\'s draws', () => {
  const both = async (f: (dev: 'cpu' | 'gpu') => torch.Tensor) => {
    torch.manualSeed(31);
    const c = f('cpu');
    torch.manualSeed(31);
    const g = f('gpu');
    expect(g.device).toBe('gpu');
    expect([g.shape, g.dtype]).toEqual([c.shape, c.dtype]);
    return [await values(c), await values(g)];
  };

  it('discrete draws are identical: multinomial (both ways), bernoulli, bernoulli_, random_, randintLike, geometric_', async () => {
    const w = torch.tensor([[0.5, 0, 2, 1, 0, 4, 0.25, 0], [1, 1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0, 0, 3]]);
    const cases: Array<(d: 'cpu' | 'gpu') => torch.Tensor> = [
      (d) => torch.multinomial(w.to(d), 3000, { replacement: true }),
      (d) => torch.multinomial(w.to(d).narrow(0, 0, 2), 5),
      (d) => torch.multinomial(torch.rand([300], { device: d }), 300),
      (d) => torch.bernoulli(torch.rand([2000], { device: d })),
      (d) => torch.zeros([40, 50], { device: d }).bernoulli_(torch.rand([50], { device: d })),
      (d) => torch.zeros([2000], { device: d, dtype: 'int64' }).random_(-7, 1000),
      (d) => torch.zeros([2000], { device: d }).random_(),
      (d) => torch.randintLike(torch.zeros([2000], { device: d, dtype: 'int32' }), 3, 11),
      (d) => torch.zeros([2000], { device: d }).geometric_(0.4),
    ];
    for (const [k, f] of cases.entries()) {
      const [c, g] = await both(f);
      expect(g, `case ${k}`).toEqual(c);
    }
    // the zero weights are never drawn on the GPU either
    const [, g] = await both((d) => torch.multinomial(w.to(d), 3000, { replacement: true }));
    const row0 = counts(g.slice(0, 3000), 8);
    expect([row0[1], row0[4], row0[7]]).toEqual([0, 0, 0]);
    expect(new Set(g.slice(6000))).toEqual(new Set([7]));
  });

  it('continuous draws agree to float rounding: normal, exponential_, cauchy_, logNormal_', async () => {
    const cases: Array<[(d: 'cpu' | 'gpu') => torch.Tensor, number]> = [
      [(d) => torch.normal(torch.arange(6, { device: d }).float(), torch.ones([4, 6], { device: d })), 1e-5],
      [(d) => torch.normal(1, 2, [1000], { device: d }), 1e-5],
      [(d) => torch.zeros([1000], { device: d }).exponential_(2), 1e-5],
      [(d) => torch.zeros([1000], { device: d }).cauchy_(1, 2), 1e-4],
      [(d) => torch.zeros([1000], { device: d }).logNormal_(1, 0.5), 1e-5],
    ];
    for (const [k, [f, tol]] of cases.entries()) {
      const [c, g] = await both(f);
      c.forEach((v, i) => expect(Math.abs(g[i] - v), `case ${k} element ${i}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(v))));
    }
  });
});
