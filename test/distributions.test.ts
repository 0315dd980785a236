// torch.distributions (src/distributions.ts): PyTorch 1.13's values and gradients of log_prob, cdf, icdf,
// entropy, mean/stddev/variance/mode and kl_divergence, batch/event/sample shapes, printed forms and
// errors (test/fixtures/distributions.json, from scripts/torch-distributions.py); finite differences in
// float64 (rsample with a fixed seed included); sampling statistics with fixed seeds; determinism; and
// the GPU against the CPU.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradcheck, values } from './helpers.ts';
import { close, nested, run, T, toNested, weights, type DType, type Nested } from './dist-helpers.ts';

const D = torch.distributions;
const { Normal, Bernoulli, Categorical, Uniform, Exponential, Laplace, Independent } = D;
const REF = JSON.parse(readFileSync(new URL('./fixtures/distributions.json', import.meta.url), 'utf8')) as Record<string, any>;
const available = await gpuForTests('distributions', { composite: true });


describe("values and gradients: PyTorch's", () => {
  it('Normal (float32 and float64): logProb, cdf, icdf, entropy, moments, perplexity', async () => {
    const NP = [[0.5, -1.0, 2.0], [1.0, 0.5, 2.0]];
    for (const dt of ['float32', 'float64'] as const) {
      const R = REF[`normal_${dt === 'float32' ? 'f32' : 'f64'}`];
      // (the script's values and quantiles are float32 ones, converted)
      const nv = T([0.3, -2.0, 5.0].map(Math.fround), dt), nq = T([0.1, 0.5, 0.975].map(Math.fround), dt);
      const tol = dt === 'float32' ? 2e-6 : 1e-7;
      const mk = (l: torch.Tensor, s: torch.Tensor) => new Normal(l, s);
      close(await run(mk, (d) => d.logProb(nv), NP, dt), R.log_prob, 1e-6);
      close(await run(mk, (d) => d.cdf(nv), NP, dt), R.cdf, 1e-6);
      close(await run(mk, (d) => d.icdf(nq), NP, dt), R.icdf, tol);
      close(await run(mk, (d) => d.entropy(), NP, dt), R.entropy);
      for (const k of ['mean', 'stddev', 'variance', 'mode'] as const) close(await run(mk, (d) => d[k], NP, dt), R[k]);
      close(await run(mk, (d) => d.perplexity(), NP, dt), R.perplexity);
    }
    close(await nested(new Normal(0, 1).icdf(T([1e-6, 0.001, 0.02, 0.3, 0.7, 0.999, 0.999999, 0, 1], 'float64'))), REF.normal_icdf_wide, 1e-7); // (erfinv: Giles' polynomial and a Newton step)
    close(await nested(new Normal(T([[0], [1]]), T([1, 2, 3])).logProb(T([0.5, 0.5, 0.5]))), REF.normal_broadcast);
  });
  it('Bernoulli: logProb, entropy, probs ↔ logits (clamped), mean, variance, mode, enumerateSupport', async () => {
    const R = REF.bernoulli, bv = T([1, 0, 1]);
    const P = (p: torch.Tensor) => new Bernoulli({ probs: p }), Lg = (l: torch.Tensor) => new Bernoulli({ logits: l });
    close(await run(P, (d) => d.logProb(bv), [[0.2, 0.7, 0.5]]), R.log_prob_p);
    close(await run(Lg, (d) => d.logProb(bv), [[-1, 0.3, 2]]), R.log_prob_l);
    close(await run(P, (d) => d.entropy(), [[0.2, 0.7, 0.5]]), R.entropy_p);
    close(await run(Lg, (d) => d.entropy(), [[-1, 0.3, 2]]), R.entropy_l);
    close(await run(P, (d) => d.logits, [[0.2, 0, 1]]), R.logits);
    close(await run(Lg, (d) => d.probs, [[-1, 0.3, 2]]), R.probs);
    close(await run(Lg, (d) => d.variance, [[-1, 0.3, 2]]), R.variance);
    close(await nested(new Bernoulli(T([0.2, 0.7, 0.5])).mean), R.mean);
    close(await nested(new Bernoulli(T([0.2, 0.7, 0.5])).mode), R.mode);
    close(await nested(new Bernoulli({ probs: T([0.2, 0.9]) }).logProb(T([[1], [0]]))), R.log_prob_bcast);
    const b = new Bernoulli({ probs: T([[0.2, 0.9]]) });
    close(await nested(b.enumerateSupport()), R.enum);
    expect([...b.enumerateSupport(false).shape]).toEqual(R.enum_shape);
  });
  it('Categorical: normalized probs/logits, logProb (broadcast), entropy (a zero probability), mode, mean', async () => {
    const R = REF.categorical, CP = [[[0.1, 0.2, 0.7], [1, 1, 2]]], CL = [[[0.5, -1, 2], [0, 0, 0]]];
    const P = (p: torch.Tensor) => new Categorical({ probs: p }), Lg = (l: torch.Tensor) => new Categorical({ logits: l });
    const cv = torch.tensor([2, 0], { dtype: 'int64' });
    close(await run(P, (d) => d.logProb(cv), CP), R.log_prob_p);
    close(await run(Lg, (d) => d.logProb(cv), CL), R.log_prob_l);
    close(await run(Lg, (d) => d.logProb(torch.tensor([[0], [1], [2]], { dtype: 'int64' })), CL), R.log_prob_bcast);
    close(await run(P, (d) => d.entropy(), CP), R.entropy_p);
    close(await run(Lg, (d) => d.entropy(), CL), R.entropy_l);
    close(await nested(new Categorical(T([0, 0.5, 0.5])).entropy()), R.entropy_zero);
    close(await nested(new Categorical({ logits: T([-Infinity, 0, 0]) }).entropy()), R.entropy_neginf);
    close(await run(Lg, (d) => d.probs, CL), R.probs);
    close(await run(P, (d) => d.probs, CP), R.probs_p);
    close(await run(P, (d) => d.logits, CP), R.logits);
    close(await run(Lg, (d) => d.logits, CL), R.logits_l);
    const c = new Categorical(T(CP[0]));
    close(await nested(c.mode), R.mode);
    close(await nested(c.mean), R.mean);
    close(await nested(c.enumerateSupport()), R.enum);
    expect(c.mode.dtype).toBe('int64');
  });
  it('Uniform, Exponential, Laplace', async () => {
    const U = REF.uniform, UP = [[0, -1], [1, 3]], uv = T([0.25, 2.5]);
    const mkU = (a: torch.Tensor, b: torch.Tensor) => new Uniform(a, b);
    close(await run(mkU, (d) => d.logProb(uv), UP), U.log_prob);
    close(await nested(new Uniform(T(UP[0]), T(UP[1]), { validateArgs: false }).logProb(T([1, -1]))), U.log_prob_out);
    close(await run(mkU, (d) => d.cdf(uv), UP), U.cdf);
    close(await run(mkU, (d) => d.icdf(T([0.1, 0.8])), UP), U.icdf);
    close(await nested(new Uniform(T(UP[0]), T(UP[1]), { validateArgs: false }).cdf(T([2, -3]))), U.cdf_out);
    for (const k of ['entropy', 'mean', 'stddev', 'variance'] as const) close(await run(mkU, (d) => (k === 'entropy' ? d.entropy() : d[k]), UP), U[k]);
    const E = REF.exponential, EP = [[0.5, 2]], ev = T([1.5, 0.2]), mkE = (r: torch.Tensor) => new Exponential(r);
    close(await run(mkE, (d) => d.logProb(ev), EP), E.log_prob);
    close(await run(mkE, (d) => d.cdf(ev), EP), E.cdf);
    close(await run(mkE, (d) => d.icdf(T([0.3, 0.9])), EP), E.icdf);
    close(await run(mkE, (d) => d.entropy(), EP), E.entropy);
    for (const k of ['mean', 'stddev', 'variance'] as const) close(await run(mkE, (d) => d[k], EP), E[k]);
    close(await nested(new Exponential(T(EP[0])).mode), E.mode);
    const La = REF.laplace, LP = [[0.5, -1, 0], [1, 0.5, 2]], lv = T([0.3, -2, 5]), mkL = (l: torch.Tensor, s: torch.Tensor) => new Laplace(l, s);
    close(await run(mkL, (d) => d.logProb(lv), LP), La.log_prob);
    close(await run(mkL, (d) => d.cdf(lv), LP), La.cdf);
    close(await run(mkL, (d) => d.icdf(T([0.1, 0.5, 0.8])), LP), La.icdf);
    close(await run(mkL, (d) => d.entropy(), LP), La.entropy);
    close(await run(mkL, (d) => d.stddev, LP), La.stddev);
    close(await run(mkL, (d) => d.variance, LP), La.variance);
  });
  it('Independent: logProb and entropy summed over the reinterpreted dims', async () => {
    const R = REF.independent, IL = [[[0.5, -1, 2], [0, 1, -0.5]], [[1, 0.5, 2], [0.3, 1.5, 1]]], iv = T([[0.3, -2, 5], [0.1, 0.2, 0.3]]);
    close(await run((l, s) => new Independent(new Normal(l, s), 1), (d) => d.logProb(iv), IL), R.log_prob);
    close(await run((l, s) => new Independent(new Normal(l, s), 2), (d) => d.logProb(iv), IL), R.log_prob2);
    close(await run((l, s) => new Independent(new Normal(l, s), 1), (d) => d.entropy(), IL), R.entropy);
  });
  it('kl.klDivergence: the registered pairs, inf where PyTorch has it, gradients', async () => {
    const K = REF.kl, kl = D.kl.klDivergence;
    close(await run((a, b, c, d) => kl(new Normal(a, b), new Normal(c, d)), (r) => r, [[0.5, -1], [1, 0.5], [0, 1], [2, 0.3]]), K.normal);
    close(await run((p, q) => kl(new Bernoulli({ probs: p }), new Bernoulli({ probs: q })), (r) => r, [[0.2, 0.7, 0, 1, 0.5, 0.3], [0.5, 0.1, 0.3, 0.6, 0, 1]]), K.bernoulli);
    close(await run((p, q) => kl(new Bernoulli({ logits: p }), new Bernoulli({ logits: q })), (r) => r, [[0.2, -3], [1.5, 0.1]]), K.bernoulli_l);
    close(await run((p, q) => kl(new Categorical({ probs: p }), new Categorical({ probs: q })), (r) => r,
      [[[0.2, 0.3, 0.5], [0, 0.5, 0.5], [0.5, 0.5, 0]], [[0.1, 0.1, 0.8], [0.3, 0.3, 0.4], [0.3, 0.7, 0]]]), K.categorical);
    close(await nested(kl(new Categorical(T([0.5, 0.5])), new Categorical(T([1, 0])))), K.categorical_inf);
    close(await run((a, b, c, d) => kl(new Uniform(a, b), new Uniform(c, d)), (r) => r, [[0, 0, -1], [1, 2, 1], [-1, 0.5, -2], [2, 3, 0.5]]), K.uniform);
    close(await run((a, b) => kl(new Exponential(a), new Exponential(b)), (r) => r, [[0.5, 2], [1, 3]]), K.exponential);
    close(await run((a, b, c, d) => kl(new Laplace(a, b), new Laplace(c, d)), (r) => r, [[0.5, -1], [1, 0.5], [0, 1], [2, 0.3]]), K.laplace);
    close(await nested(kl(new Independent(new Normal(T([[0.5, -1]]), T([[1, 0.5]])), 1), new Independent(new Normal(T([[0, 1]]), T([[2, 0.3]])), 1))), K.independent);
    expect(() => D.klDivergence(new Categorical(torch.ones([3])), new Normal(0, 1))).toThrow(REF.errors[22]);
  });
});

describe('shapes, printed forms, errors', () => {
  it("batchShape, eventShape, sample shapes and dtypes, expand, flags: PyTorch's", () => {
    const S = REF.shapes;
    const shapes = (d: torch.distributions.Distribution, ss: number[]) => [[...d.batchShape], [...d.eventShape], [...d.sample(ss).shape]];
    const n23 = new Normal(torch.zeros([2, 3]), torch.ones([2, 3])), i1 = new Independent(n23, 1), c = new Categorical({ probs: torch.ones([4, 5]) });
    expect(shapes(n23, [4])).toEqual(S.normal);
    expect(shapes(new Normal(0, 1), [2, 2])).toEqual(S.normal_scalar);
    expect(shapes(i1, [5])).toEqual(S.ind1);
    expect(shapes(new Independent(n23, 2), [])).toEqual(S.ind2);
    expect(shapes(c, [3, 2])).toEqual(S.categorical);
    expect(shapes(new Categorical(torch.ones([5])), [7])).toEqual(S.cat1d);
    expect(shapes(new Bernoulli({ probs: torch.full([3], 0.5) }), [2])).toEqual(S.bernoulli);
    expect(shapes(new Uniform(torch.zeros([2]), 1), [])).toEqual(S.uniform);
    expect(shapes(new Exponential(torch.ones([1, 2])), [3])).toEqual(S.exponential);
    expect(shapes(new Laplace(0, torch.ones([3])), [2])).toEqual(S.laplace);
    expect(shapes(new Normal(torch.zeros([3]), 1).expand([2, 3]), [])).toEqual(S.expand_normal);
    expect(shapes(c.expand([2, 4]), [])).toEqual(S.expand_cat);
    expect(shapes(i1.expand([4, 2]), [])).toEqual(S.expand_ind);
    expect([...i1.logProb(torch.zeros([2, 3])).shape]).toEqual(S.ind_lp);
    expect([...c.logProb(torch.tensor([[1], [2]], { dtype: 'int64' })).shape]).toEqual(S.cat_lp);
    expect([c.sample().dtype, new Bernoulli({ probs: torch.full([3], 0.5) }).sample().dtype, new Normal(torch.zeros([2], { dtype: 'float64' }), 1).sample().dtype].map((d) => `torch.${d}`)).toEqual(S.dtypes);
    expect([new Normal(0, 1).hasRsample, new Bernoulli(0.3).hasRsample, new Categorical(torch.ones([2])).hasEnumerateSupport, i1.hasRsample, new Uniform(0, 1).hasRsample]).toEqual(S.flags);
    expect(n23.batchShape.toString()).toBe('torch.Size([2, 3])');
  });
  it("printed forms: PyTorch's repr (lazy probs/logits appear once read), constraints", async () => {
    const R = REF.repr as string[];
    const b = new Bernoulli({ probs: T([0.3, 0.6]) });
    const r0 = b.toString(); void b.logits;
    const ds = [new Normal(torch.zeros([2]), torch.ones([2])), new Normal(0, 1), new Normal(T([0.5]), 2), r0, b, new Bernoulli(0.3),
      new Bernoulli({ logits: torch.tensor(-1.5) }), new Categorical({ logits: torch.zeros([2, 3]) }), new Uniform(0, 1), new Uniform(torch.zeros([2, 3]), 1),
      new Exponential(T([2, 3])), new Laplace(0, 2), new Independent(new Normal(torch.zeros([2, 3]), torch.ones([2, 3])), 1),
      new Normal(torch.zeros([2], { dtype: 'float64' }), 1), new Normal(torch.zeros([3]), 1).expand([2, 3]), new Categorical({ probs: T([1, 3]) })];
    expect(ds.map(String)).toEqual(R);
    expect(await Promise.all(ds.map((d) => (typeof d === 'string' ? d : d.format())))).toEqual(R);
    expect([new Normal(0, 1).support, new Exponential(1).support, new Bernoulli(0.3).support, new Categorical(torch.ones([3])).support,
      new Categorical(torch.ones([3])).argConstraints.probs, new Categorical(torch.ones([3])).argConstraints.logits, new Bernoulli(0.3).argConstraints.probs,
      new Normal(0, 1).argConstraints.scale, new Independent(new Normal(torch.zeros([2]), 1), 1).support].map(String)).toEqual(REF.constraints);
  });
  it("errors: PyTorch's messages (values checked where readable now)", () => {
    const E = REF.errors as string[];
    const cases: Array<() => unknown> = [
      () => new Normal(T([1, 1]), T([1, -1])),
      () => new Normal(0, -1),
      () => new Normal(T([0, NaN]), 1),
      () => new Normal(torch.zeros([2]), torch.zeros([3])),
      () => new Bernoulli({ probs: T([0.5, 1.5]) }),
      () => new Bernoulli({} as never),
      () => new Bernoulli({ probs: T([0.5]), logits: T([0.5]) } as never),
      () => new Bernoulli({ logits: T([NaN]) }),
      () => new Categorical({ probs: torch.tensor(1) }),
      () => new Categorical({ logits: torch.tensor(1) }),
      () => new Categorical({ probs: T([-0.1, 1.1]) }),
      () => new Uniform(1, 0),
      () => new Uniform(T([0, 2]), T([1, 2])),
      () => new Exponential(T([1, 0])),
      () => new Laplace(0, T([-2])),
      () => new Independent(new Normal(torch.zeros([2]), 1), 2),
      () => new Normal(torch.zeros([2]), 1).logProb(torch.zeros([3])),
      () => new Independent(new Normal(torch.zeros([2, 3]), 1), 1).logProb(torch.zeros([2, 4])),
      () => new Exponential(1).logProb(T([-1, 2])),
      () => new Bernoulli(0.3).logProb(T([0.5])),
      () => new Categorical(torch.ones([3])).logProb(torch.tensor([3], { dtype: 'int64' })),
      () => new Normal(0, 1).logProb(torch.tensor(NaN)),
      () => D.klDivergence(new Categorical(torch.ones([3])), new Normal(0, 1)),
      () => new Bernoulli(0.3).rsample(),
      () => new Uniform(torch.zeros([2]), 1).logProb(T([0.5, 1.5])),
    ];
    expect(cases.length).toBe(E.length);
    cases.forEach((f, i) => {
      let msg = 'no error';
      try { f(); } catch (e) { msg = (e as Error).message; }
      if (i === 3) expect(msg.startsWith(E[i]), `case ${i}: ${msg}`).toBe(true); // (troupe adds the shapes)
      else if (i === 23) expect(msg).toBe('NotImplementedError'); // (PyTorch's NotImplementedError() has no text)
      else expect(msg, `case ${i}`).toBe(E[i]);
    });
    // validateArgs: false (per distribution, or the default) skips the checks
    expect(() => new Normal(0, -1, { validateArgs: false })).not.toThrow();
    expect(() => new Exponential(1, { validateArgs: false }).logProb(T([-1]))).not.toThrow();
    D.Distribution.setDefaultValidateArgs(false);
    try { expect(() => new Bernoulli({ probs: T([2]) })).not.toThrow(); } finally { D.Distribution.setDefaultValidateArgs(true); }
    expect(() => new Bernoulli({ probs: T([2]) })).toThrow('to satisfy the constraint');
  });
});

describe('sampling', () => {
  it('rsample: gradients match finite differences (float64, fixed seed); sample has none', async () => {
    const seeded = <R>(f: () => R) => { torch.manualSeed(7); return f(); };
    await gradcheck((l, s) => seeded(() => new Normal(l, s.abs().add(0.3)).rsample([4])), [[3], [3]]);
    await gradcheck((a, w) => seeded(() => new Uniform(a, a.add(w.abs()).add(0.3)).rsample([2, 3])), [[3], [3]]);
    await gradcheck((r) => seeded(() => new Exponential(r.abs().add(0.3)).rsample([5])), [[2]]);
    await gradcheck((l, s) => seeded(() => new Laplace(l, s.abs().add(0.3)).rsample([4])), [[3], [3]]);
    await gradcheck((l, s) => seeded(() => new Independent(new Normal(l, s.abs().add(0.3)), 1).rsample([2])), [[2, 3], [2, 3]]);
    // the other differentiable functions, float64
    const x = (t: torch.Tensor) => t;
    await gradcheck((l, s, v) => new Normal(l, s.abs().add(0.3)).logProb(v), [[3], [3], [3]]);
    await gradcheck((l, s, v) => new Normal(l, s.abs().add(0.3)).cdf(v), [[3], [3], [3]], { tol: 1e-5 });
    await gradcheck((l, s, q) => new Normal(l, s.abs().add(0.3)).icdf(torch.sigmoid(q)), [[3], [3], [3]], { tol: 1e-5 });
    await gradcheck((l, s, v) => new Laplace(l, s.abs().add(0.3)).cdf(v).add(new Laplace(l, s.abs().add(0.3)).icdf(torch.sigmoid(v))), [[3], [3], [3]]);
    await gradcheck((a, b) => D.klDivergence(new Categorical({ logits: a }), new Categorical({ logits: x(b) })), [[2, 4], [2, 4]]);
    await gradcheck((a, b) => D.klDivergence(new Bernoulli({ logits: a }), new Bernoulli({ logits: b })).add(new Bernoulli({ logits: a }).entropy()), [[5], [5]]);
    const l = T([0.5, 1], 'float32').requiresGrad_(), s = T([1, 2], 'float32').requiresGrad_();
    const d = new Normal(l, s);
    expect(d.sample([3]).requiresGrad).toBe(false);
    expect(d.rsample([3]).requiresGrad).toBe(true);
  });
  it('deterministic under manualSeed', async () => {
    const draw = () => {
      torch.manualSeed(123);
      return [new Normal(T([0, 1]), T([1, 2])).sample([3]), new Categorical(T([0.2, 0.3, 0.5])).sample([10]), new Bernoulli(T([0.3, 0.8])).sample([4]),
        new Uniform(0, 2).rsample([5]), new Exponential(T([2])).sample([4]), new Laplace(0, 1).sample([4])];
    };
    const a = await Promise.all(draw().map(values)), b = await Promise.all(draw().map(values));
    expect(b).toEqual(a);
    torch.manualSeed(124);
    expect(await values(new Normal(T([0, 1]), T([1, 2])).sample([3]))).not.toEqual(a[0]);
  });
  it('statistics of 20000 draws (bounds of about 5 standard errors)', async () => {
    torch.manualSeed(2024);
    const N = 20000;
    const meanOf = async (t: torch.Tensor, dim = 0) => values(torch.mean(t.to({ dtype: 'float64' }), dim));
    // Normal(loc, scale): mean within 5σ/√N, std within 5·σ/√(2N)
    const loc = [1.5, -2], scale = [0.5, 3];
    const xs = new Normal(T(loc), T(scale)).sample([N]);
    const m = await meanOf(xs), sd = await values(torch.std(xs.to({ dtype: 'float64' }), 0));
    loc.forEach((mu, i) => expect(Math.abs(m[i] - mu)).toBeLessThan(5 * scale[i] / Math.sqrt(N)));
    scale.forEach((s, i) => expect(Math.abs(sd[i] - s)).toBeLessThan(5 * s / Math.sqrt(2 * N)));
    // Bernoulli: frequency within 5·√(p(1−p)/N)
    const ps = [0.1, 0.5, 0.93];
    const bm = await meanOf(new Bernoulli({ logits: torch.logit(T(ps)) }).sample([N]));
    ps.forEach((p, i) => expect(Math.abs(bm[i] - p)).toBeLessThan(5 * Math.sqrt(p * (1 - p) / N)));
    // Categorical: every category's frequency within 5·√(p(1−p)/N); unnormalized probs
    const w = [1, 0, 3, 6], tot = 10;
    const cs = await values(new Categorical(T(w)).sample([N]));
    w.forEach((wi, k) => {
      const p = wi / tot, f = cs.filter((c) => c === k).length / N;
      expect(Math.abs(f - p), `category ${k}`).toBeLessThanOrEqual(5 * Math.sqrt(p * (1 - p) / N));
    });
    // Uniform: inside [low, high), mean within 5·(h−l)/√(12N)
    const us = new Uniform(T([-1]), T([3])).sample([N]);
    const uv = await values(us);
    expect(uv.every((u) => u >= -1 && u < 3)).toBe(true);
    expect(Math.abs((await meanOf(us))[0] - 1)).toBeLessThan(5 * 4 / Math.sqrt(12 * N));
    // Exponential(rate 2): mean 1/2 within 5·(1/2)/√N, all ≥ 0
    const es = new Exponential(T([2])).rsample([N]);
    expect((await values(es)).every((e) => e >= 0)).toBe(true);
    expect(Math.abs((await meanOf(es))[0] - 0.5)).toBeLessThan(5 * 0.5 / Math.sqrt(N));
    // Laplace(1, 2): mean within 5·√2·2/√N; mean |x − loc| = scale within 5·scale/√N (its sd is scale)
    const ls = await values(new Laplace(1, 2).sample([N]));
    expect(Math.abs(ls.reduce((a, b) => a + b, 0) / N - 1)).toBeLessThan(5 * Math.SQRT2 * 2 / Math.sqrt(N));
    expect(Math.abs(ls.reduce((a, b) => a + Math.abs(b - 1), 0) / N - 2)).toBeLessThan(5 * 2 / Math.sqrt(N));
    // Independent samples its base's
    expect([...new Independent(new Normal(torch.zeros([2, 3]), 1), 2).sample([4]).shape]).toEqual([4, 2, 3]);
  });
});

describe.runIf(available)("on the GPU: the CPU's results", () => {
  it('samples, values and gradients', async () => {
    const out: number[][][] = [];
    for (const d of ['cpu', 'gpu']) {
      const l = T([0.5, -1, 2], 'float32', d).requiresGrad_(), s = T([1, 0.5, 2], 'float32', d).requiresGrad_();
      const p = T([[0.1, 0.2, 0.7], [0.3, 0.3, 0.4]], 'float32', d).requiresGrad_();
      const v = T([0.3, -2, 5], 'float32', d);
      torch.manualSeed(99);
      const n = new Normal(l, s), c = new Categorical({ probs: p });
      const rs = n.rsample([4]);
      const samples = [rs.detach(), new Bernoulli(T([0.2, 0.5, 0.9], 'float32', d)).sample([50]), c.sample([50]),
        new Uniform(T([0], 'float32', d), 2).rsample([5]), new Exponential(T([2], 'float32', d)).rsample([5]), new Laplace(T([0], 'float32', d), 1).rsample([5])];
      const q = new Categorical({ logits: T([[0, 1, 2], [1, 1, 1]], 'float32', d) });
      const vals = [n.logProb(v), n.cdf(v), n.icdf(T([0.1, 0.5, 0.975], 'float32', d)), n.entropy(), c.entropy(), c.logProb(torch.tensor([2, 0], { dtype: 'int64', device: d })),
        D.klDivergence(c, q), new Laplace(l, s).cdf(v), new Independent(n, 1).logProb(v)];
      const loss = vals.reduce((a, b) => a.add(b.sum()), rs.sum());
      await loss.backward();
      vals.forEach((t) => expect(t.device).toBe(d === 'gpu' ? 'gpu' : 'cpu'));
      out.push(await Promise.all([...samples, ...vals, l.grad!, s.grad!, p.grad!].map((t) => values(t.cpu()))));
    }
    const [a, b] = out;
    for (let i = 0; i < a.length; i++) {
      expect(b[i].length, `${i}`).toBe(a[i].length);
      a[i].forEach((x, k) => expect(Math.abs(b[i][k] - x), `${i}[${k}]: ${b[i][k]} vs ${x}`).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(x))));
    }
  });
  it('value checks need readable values: skipped for GPU tensors, made for CPU ones', () => {
    expect(() => new Normal(T([0], 'float32', 'gpu'), T([-1], 'float32', 'gpu'))).not.toThrow();
    expect(() => new Normal(T([0]), T([-1]))).toThrow('GreaterThan(lower_bound=0.0)');
    expect(() => new Normal(T([0], 'float32', 'gpu'), -1)).toThrow('GreaterThan(lower_bound=0.0)');
  });
});
