// The distributions of src/distributions-more.ts: Geometric, NegativeBinomial, Multinomial,
// OneHotCategorical(StraightThrough), Cauchy, HalfCauchy, FisherSnedecor, Kumaraswamy, ContinuousBernoulli,
// VonMises, MixtureSameFamily and their KLs. PyTorch 1.13's values and gradients, shapes, printed forms and
// errors (test/fixtures/distributions-more.json, from scripts/torch-distributions-more.py); sampling by
// moments / a Kolmogorov–Smirnov bound on 1e5 draws with fixed seeds; determinism under manualSeed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { values } from './helpers.ts';
import { close, nested, run, T, type DType, type Nested } from './dist-helpers.ts';

const D = torch.distributions;
const {
  Geometric, NegativeBinomial, Multinomial, OneHotCategorical, OneHotCategoricalStraightThrough, Cauchy, HalfCauchy, FisherSnedecor, Kumaraswamy,
  ContinuousBernoulli, VonMises, MixtureSameFamily, Categorical, Normal, Independent, Exponential, Uniform, Beta, Gamma, Laplace, Gumbel, Pareto,
} = D;
const REF = JSON.parse(readFileSync(new URL('./fixtures/distributions-more.json', import.meta.url), 'utf8')) as Record<string, any>;

/** mean, variance, stddev (and mode) as the script's moments(): values, and gradients where PyTorch has them. */
async function moments(R: any, make: (...ps: torch.Tensor[]) => any, params: unknown[], dtype: DType = 'float32', tol = 2e-6) {
  for (const k of ['mean', 'variance', 'stddev', 'mode']) {
    if (!R[k]) continue;
    // (no gradient in PyTorch, a constant or a mode: none here either)
    const y = make(...params.map((p) => T(p, dtype).requiresGrad_()))[k] as torch.Tensor;
    const got = y.requiresGrad ? await run(make, (d) => d[k], params, dtype) : [await nested(y), ...params.map(() => null)];
    close(got, R[k], tol, k);
  }
}

describe("values and gradients: PyTorch's", () => {
  it('Geometric (probs, logits), NegativeBinomial', async () => {
    const G = REF.geometric, mk = (p: torch.Tensor) => new Geometric(p), gv = T([0, 3, 1, 0]);
    close(await run(mk, (d) => d.logProb(gv), [[0.2, 0.5, 0.9, 1.0]]), G.log_prob);
    close(await run(mk, (d) => d.entropy(), [[0.2, 0.5, 0.9]]), G.entropy);
    await moments(G, mk, [[0.2, 0.5, 0.9]]);
    close(await run((l) => new Geometric({ logits: l }), (d) => d.logProb(T([0, 3, 1])), [[-1, 0, 2]]), G.log_prob_logits);
    close(await run((l) => new Geometric({ logits: l }), (d) => d.entropy(), [[-1, 0, 2]]), G.entropy_logits);
    const N = REF.negbin, nv = T([0, 2, 1, 0]), NBP = [[3.0, 0.5, 10.0, 2.0], [0.3, 0.7, 0.1, 0.5]];
    const mn = (n: torch.Tensor, p: torch.Tensor) => new NegativeBinomial(n, p);
    close(await run(mn, (d) => d.logProb(nv), NBP), N.log_prob, 3e-6);
    close(await run((n, l) => new NegativeBinomial(n, { logits: l }), (d) => d.logProb(nv), [[3.0, 0.5, 10.0, 2.0], [-1.0, 0.5, -2.0, 0.0]]), N.log_prob_logits, 3e-6);
    close(await nested(new NegativeBinomial(T([0, 0]), T([0.3, 0.3])).logProb(T([0, 1]))), N.log_prob_zero);
    await moments(N, mn, NBP, 'float32', 3e-6);
  });
  it('Multinomial (probs, logits, -inf logits), OneHotCategorical, straight-through gradient', async () => {
    const M = REF.multinomial, MP = [[[0.2, 0.3, 0.5], [1.0, 1.0, 2.0]]], mv = T([[1, 2, 3], [0, 4, 2]]);
    const mk = (p: torch.Tensor) => new Multinomial(6, p);
    close(await run(mk, (d) => d.logProb(mv), MP), M.log_prob, 3e-6);
    close(await run((l) => new Multinomial(6, { logits: l }), (d) => d.logProb(mv), [[[-1, 0, 1], [0.5, 0.5, 0]]]), M.log_prob_logits, 3e-6);
    close(await run(mk, (d) => d.entropy(), MP), M.entropy, 3e-6);
    await moments(M, mk, MP);
    close(await nested(new Multinomial(3, { logits: T([-Infinity, 0, 0]) }).logProb(T([0, 1, 2]))), M.log_prob_inf);
    const O = REF.onehot, mo = (p: torch.Tensor) => new OneHotCategorical(p);
    close(await run(mo, (d) => d.logProb(T([[0, 0, 1], [1, 0, 0]])), MP), O.log_prob);
    close(await run(mo, (d) => d.entropy(), MP), O.entropy);
    await moments(O, mo, MP);
    close(await nested(new OneHotCategorical(T([[0.2, 0.8], [0.5, 0.5]])).enumerateSupport()), O.enum);
    close(await nested(new OneHotCategorical(T([[0.2, 0.8], [0.5, 0.5]])).enumerateSupport(false)), O.enum_noexpand);
    // the straight-through gradient: Σ over draws of the weights (whichever the draws are)
    torch.manualSeed(5);
    close((await run((p) => new OneHotCategoricalStraightThrough(p), (d) => d.rsample([4]), MP))[1], O.st_grad);
  });
  it('Cauchy, HalfCauchy (cdf, icdf)', async () => {
    const C = REF.cauchy, CP = [[0.5, -1.0, 0.0], [1.0, 0.5, 2.0]], cv = T([0.3, 2.0, -5.0]), mk = (l: torch.Tensor, s: torch.Tensor) => new Cauchy(l, s);
    close(await run(mk, (d) => d.logProb(cv), CP), C.log_prob);
    close(await run(mk, (d) => d.entropy(), CP), C.entropy);
    close(await run(mk, (d) => d.cdf(cv), CP), C.cdf);
    close(await run(mk, (d) => d.icdf(T([0.1, 0.5, 0.9])), CP), C.icdf, 5e-6);
    await moments(C, mk, CP);
    const H = REF.halfcauchy, mh = (s: torch.Tensor) => new HalfCauchy(s), hv = T([0.3, 2.0, 0.0]);
    close(await run(mh, (d) => d.logProb(hv), [[1, 0.5, 2]]), H.log_prob);
    close(await run(mh, (d) => d.entropy(), [[1, 0.5, 2]]), H.entropy);
    close(await run(mh, (d) => d.cdf(hv), [[1, 0.5, 2]]), H.cdf);
    close(await run(mh, (d) => d.icdf(T([0.1, 0.5, 0.9])), [[1, 0.5, 2]]), H.icdf, 5e-6);
    await moments(H, mh, [[1, 0.5, 2]]);
    close(await nested(new HalfCauchy(1, { validateArgs: false }).logProb(T([-1]))), H.log_prob_neg);
  });
  it('FisherSnedecor, Kumaraswamy (a TransformedDistribution: cdf, icdf through the transforms)', async () => {
    const F = REF.fisher, FP = [[1.0, 3.0, 10.0, 5.0], [2.0, 5.0, 8.0, 3.0]], mf = (a: torch.Tensor, b: torch.Tensor) => new FisherSnedecor(a, b);
    close(await run(mf, (d) => d.logProb(T([0.3, 2.0, 1.0, 0.7])), FP), F.log_prob, 3e-6);
    await moments(F, mf, FP, 'float32', 3e-6);
    const K = REF.kumaraswamy, KP = [[0.5, 2.0, 3.0, 1.5], [0.7, 2.0, 1.5, 5.0]], kv = T([0.2, 0.5, 0.9, 0.3]), mk = (a: torch.Tensor, b: torch.Tensor) => new Kumaraswamy(a, b);
    close(await run(mk, (d) => d.logProb(kv), KP), K.log_prob, 3e-6);
    close(await run(mk, (d) => d.entropy(), KP), K.entropy, 3e-6);
    close(await run(mk, (d) => d.cdf(kv), KP), K.cdf, 3e-6);
    close(await run(mk, (d) => d.icdf(kv), KP), K.icdf, 3e-6);
    await moments(K, mk, KP, 'float32', 5e-6);
  });
  it('ContinuousBernoulli (the Taylor region near ½, probs and logits)', async () => {
    const C = REF.cbern, CBP = [[0.1, 0.4995, 0.5, 0.7, 0.99]], cv = T([0.3, 0.5, 0.9, 0.0, 1.0]), mk = (p: torch.Tensor) => new ContinuousBernoulli(p);
    close(await run(mk, (d) => d.logProb(cv), CBP), C.log_prob, 5e-6);
    close(await run(mk, (d) => d.entropy(), CBP), C.entropy, 5e-6);
    close(await run(mk, (d) => d.cdf(cv), CBP), C.cdf, 5e-6);
    close(await run(mk, (d) => d.icdf(T([0.1, 0.5, 0.9, 0.3, 0.7])), CBP), C.icdf, 5e-6);
    await moments(C, mk, CBP, 'float32', 5e-6);
    close(await run((l) => new ContinuousBernoulli({ logits: l }), (d) => d.logProb(cv), [[-2, 0, 0.001, 1, 4]]), C.log_prob_logits, 5e-6);
    close(await run((l) => new ContinuousBernoulli({ logits: l }), (d) => d.mean, [[-2, 0, 0.001, 1, 4]]), C.mean_logits, 5e-6);
  });
  it('VonMises (log I0, I1 by PyTorch\'s polynomials), MixtureSameFamily (scalar and vector events)', async () => {
    const V = REF.vonmises, VP = [[0.5, -1.0, 0.0, 3.0], [1.0, 0.1, 5.0, 20.0]], mk = (l: torch.Tensor, c: torch.Tensor) => new VonMises(l, c);
    close(await run(mk, (d) => d.logProb(T([0.3, 2.0, -3.0, 3.1])), VP), V.log_prob, 3e-6);
    close(await run(mk, (d) => d.variance, VP), V.variance, 3e-6);
    close(await nested(new VonMises(T([0.5, -1]), T([1, 2])).mean), V.mean);
    const X = REF.mixture, mix = [[[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]], [[-1.0, 0.0, 2.0], [1.0, 1.5, -0.5]], [[1.0, 0.5, 2.0], [0.3, 1.0, 0.7]]];
    const mm = (p: torch.Tensor, l: torch.Tensor, s: torch.Tensor) => new MixtureSameFamily(new Categorical(p), new Normal(l, s));
    const xv = T([[0.3, -1.0], [2.0, 0.0], [0.0, 5.0]]);
    close(await run(mm, (d) => d.logProb(xv), mix), X.log_prob, 3e-6);
    close(await run(mm, (d) => d.cdf(xv), mix), X.cdf, 3e-6);
    close(await run(mm, (d) => d.mean, mix), X.mean, 3e-6);
    close(await run(mm, (d) => d.variance, mix), X.variance, 3e-6);
    const X2 = REF.mixture_ev, mix2 = [[0.3, 0.7], [[[0.0, 1.0], [2.0, -1.0]], [[0.5, 0.5], [1.0, 1.0]]], [[[1.0, 0.5], [2.0, 1.0]], [[1.0, 1.0], [0.5, 0.3]]]];
    const m2 = (p: torch.Tensor, l: torch.Tensor, s: torch.Tensor) => new MixtureSameFamily(new Categorical(p), new Independent(new Normal(l, s), 1));
    close(await run(m2, (d) => d.logProb(T([[0.3, 0.2], [1.0, -0.5]])), mix2), X2.log_prob, 3e-6);
    close(await run(m2, (d) => d.mean, mix2), X2.mean, 3e-6);
    close(await run(m2, (d) => d.variance, mix2), X2.variance, 3e-6);
    const d2 = m2(...mix2.map((x) => T(x)) as [torch.Tensor, torch.Tensor, torch.Tensor]);
    expect([[...d2.batchShape], [...d2.eventShape]]).toEqual(X2.shapes);
  });
  it('klDivergence: Geometric, OneHotCategorical, Cauchy, ContinuousBernoulli pairs and the infinite ones', async () => {
    const K = REF.kl;
    close(await run((a, b) => D.klDivergence(new Geometric(a), new Geometric(b)), (r) => r, [[0.2, 0.5, 0.9], [0.5, 0.1, 0.3]]), K.geometric, 3e-6);
    close(await run((a, b) => D.klDivergence(new OneHotCategorical(a), new OneHotCategorical(b)), (r) => r, [[[0.2, 0.3, 0.5]], [[0.5, 0.25, 0.25]]]), K.onehot);
    close(await run((a, b, c, d) => D.klDivergence(new Cauchy(a, b), new Cauchy(c, d)), (r) => r, [[0, 1], [1, 0.5], [0.5, -1], [2, 0.3]]), K.cauchy);
    const CB = (p: torch.Tensor) => new ContinuousBernoulli(p);
    close(await run((a, b) => D.klDivergence(CB(a), CB(b)), (r) => r, [[0.1, 0.5, 0.8], [0.3, 0.7, 0.4999]]), K.cb_cb, 5e-6);
    close(await run((a, b) => D.klDivergence(CB(a), new Exponential(b)), (r) => r, [[0.1, 0.5, 0.8], [0.5, 1.0, 2.0]]), K.cb_exp, 5e-6);
    close(await run((a, b, c) => D.klDivergence(CB(a), new Normal(b, c)), (r) => r, [[0.1, 0.5, 0.8], [0, 1, -1], [1, 0.5, 2]]), K.cb_normal, 5e-6);
    close(await nested(D.klDivergence(CB(T([0.1, 0.5, 0.8])), new Uniform(T([-0.5, 0, 0.2]), T([1.5, 1, 1])))), K.cb_uniform, 5e-6);
    close(await run((a, b, c) => D.klDivergence(new Beta(a, b), CB(c)), (r) => r, [[0.5, 2, 3], [0.7, 2, 1.5], [0.1, 0.5, 0.8]]), K.beta_cb, 5e-6);
    close(await nested(D.klDivergence(new Uniform(T([0.1, 0, 0.2]), T([0.9, 1, 0.5])), CB(T([0.1, 0.5, 0.8])))), K.uniform_cb, 5e-6);
    const q = CB(T([0.3, 0.6]));
    const ps = [new Exponential(T([1, 2])), new Gamma(T([1, 2]), 1), new Normal(T([0, 1]), 1), new Laplace(T([0, 1]), 1), new Gumbel(T([0, 1]), 1), new Pareto(T([1, 2]), 1)];
    const infs = [...await Promise.all(ps.map((p) => nested(D.klDivergence(p, q)))), await nested(D.klDivergence(q, new Pareto(T([1, 2]), 1)))];
    close(infs, K.inf);
    // a subclass pair resolves to its parents' KL
    const st = new OneHotCategoricalStraightThrough(T([0.2, 0.8])), oh = new OneHotCategorical(T([0.5, 0.5]));
    expect(await values(D.klDivergence(st, oh))).toEqual(await values(D.klDivergence(new OneHotCategorical(T([0.2, 0.8])), oh)));
    expect(() => D.klDivergence(new Cauchy(0, 1), new Normal(0, 1))).toThrow('No KL(p || q) is implemented for p type Cauchy and q type Normal');
  });
});

describe('shapes, printed forms, errors', () => {
  const mix = [[[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]], [[-1.0, 0.0, 2.0], [1.0, 1.5, -0.5]], [[1.0, 0.5, 2.0], [0.3, 1.0, 0.7]]].map((x) => T(x));
  const mm = () => new MixtureSameFamily(new Categorical(mix[0]), new Normal(mix[1], mix[2]));
  it('batch, event and sample shapes; expand; hasRsample / hasEnumerateSupport', () => {
    const S = REF.shapes, sz = (s: readonly number[]) => [...s];
    expect([sz(new Geometric(T([0.3, 0.5])).sample([4]).shape), sz(new Geometric(0.3).batchShape)]).toEqual(S.geometric);
    expect([sz(new NegativeBinomial(T([2, 3]), T([[0.3], [0.5]])).batchShape), sz(new NegativeBinomial(2, T([0.3, 0.2])).sample([5]).shape)]).toEqual(S.negbin);
    const mp = T([[0.2, 0.8], [0.5, 0.5], [0.1, 0.9]]);
    expect([sz(new Multinomial(4, mp).batchShape), sz(new Multinomial(4, mp).eventShape), sz(new Multinomial(4, T([0.2, 0.3, 0.5])).sample([7]).shape)]).toEqual(S.multinomial);
    expect([sz(new OneHotCategorical(T([[0.2, 0.8]])).batchShape), sz(new OneHotCategorical(T([[0.2, 0.8]])).eventShape), sz(new OneHotCategorical(T([0.2, 0.3, 0.5])).sample([4, 2]).shape)]).toEqual(S.onehot);
    const m2 = new MixtureSameFamily(new Categorical(T([[0.3, 0.7], [0.6, 0.4]])), new Independent(new Normal(T([[[0, 1], [2, -1]], [[0.5, 0.5], [1, 1]]]), 1), 1));
    expect([sz(mm().batchShape), sz(mm().sample([5]).shape), sz(m2.sample([5]).shape), sz(mm().expand([3, 2]).batchShape), sz(mm().expand([3, 2]).logProb(T(0.5)).shape)]).toEqual(S.mixture);
    expect([sz(new VonMises(T([0, 1]), 2).sample([3]).shape), sz(new VonMises(0, 2).batchShape)]).toEqual(S.vonmises);
    expect([sz(new Kumaraswamy(T([1, 2]), 2).expand([3, 2]).sample([4]).shape)]).toEqual(S.kumaraswamy);
    const ds = [new Geometric(0.3), new NegativeBinomial(2, 0.3), new Multinomial(2, T([0.5, 0.5])), new OneHotCategorical(T([0.5, 0.5])), new OneHotCategoricalStraightThrough(T([0.5, 0.5])),
      new Cauchy(0, 1), new HalfCauchy(1), new FisherSnedecor(1, 2), new Kumaraswamy(1, 2), new ContinuousBernoulli(0.3), new VonMises(0, 1), mm()];
    expect(ds.map((d) => [d.constructor.name, d.hasRsample, d.hasEnumerateSupport])).toEqual(REF.has);
    // expand keeps values: the expanded logProb is the original's broadcast
    for (const d of [new Geometric(T([0.3])), new NegativeBinomial(T([2]), T([0.4])), new Cauchy(T([0.5]), 2), new HalfCauchy(T([1])), new FisherSnedecor(T([3]), 4),
      new ContinuousBernoulli(T([0.2])), new VonMises(T([0.5]), 2)]) {
      const e = d.expand([3]);
      expect([...e.batchShape]).toEqual([3]);
      const v = T([1]);
      expect(e.logProb(v.expand([3])).shape).toEqual([3]);
    }
    expect([...new Multinomial(3, T([0.2, 0.8])).expand([4]).sample([2]).shape]).toEqual([2, 4, 2]);
    expect([...new OneHotCategoricalStraightThrough(T([0.2, 0.8])).expand([4]).rsample().shape]).toEqual([4, 2]);
    expect(new OneHotCategoricalStraightThrough(T([0.2, 0.8])).expand([4])).toBeInstanceOf(OneHotCategoricalStraightThrough);
  });
  it("printed forms: PyTorch's repr, supports, argConstraints", () => {
    const R = REF.repr as string[];
    const got = [new Geometric(T([0.3, 0.5])), new Geometric(0.3), new Geometric({ logits: T([0.3, 0.5]) }), new NegativeBinomial(T([2, 3]), T([0.3, 0.5])),
      new NegativeBinomial(3, { logits: 0.5 }), new Multinomial(3, T([0.2, 0.8])), new OneHotCategorical(T([0.2, 0.8])), new OneHotCategoricalStraightThrough(T([0.2, 0.8])),
      new Cauchy(T([0, 1]), 1), new Cauchy(0, 2), new HalfCauchy(T([1, 2])), new FisherSnedecor(T([1, 2]), 3), new Kumaraswamy(T([1, 2]), 3),
      new ContinuousBernoulli(T([0.2, 0.3])), new ContinuousBernoulli({ logits: 0.5 }), new VonMises(T([0, 1]), 2), new VonMises(0, 2), mm(), new Geometric(T([0.3])).expand([2])].map(String);
    expect(got).toEqual(R);
    const C = REF.constraints as string[];
    const sup = [new Geometric(0.3), new NegativeBinomial(2, 0.3), new Multinomial(3, T([0.2, 0.8])), new OneHotCategorical(T([0.2, 0.8])), new Cauchy(0, 1), new HalfCauchy(1),
      new FisherSnedecor(1, 2), new Kumaraswamy(1, 2), new ContinuousBernoulli(0.3), new VonMises(0, 1), mm()].map((d) => String(d.support));
    expect(sup).toEqual(C.slice(0, 11));
    const ac = (d: any) => `{${Object.entries(d.argConstraints).map(([k, c]) => `'${k}': ${c}`).join(', ')}}`;
    expect([new NegativeBinomial(2, 0.3), new FisherSnedecor(1, 2), new Kumaraswamy(1, 2), new VonMises(0, 1), new Geometric(0.3)].map(ac)).toEqual(C.slice(11));
  });
  it("errors: PyTorch's messages (values checked where readable now)", () => {
    const E = REF.errors as string[];
    const cases: Array<() => unknown> = [
      () => new Geometric(T([0.0, 0.5])),
      () => new Geometric(T([1.5])),
      () => new Geometric({} as any),
      () => new NegativeBinomial(T([-1]), T([0.5])),
      () => new NegativeBinomial(T([1]), T([1.0])),
      () => new Multinomial(2.5, T([0.5, 0.5])),
      () => new Multinomial(2, T([0.5, -0.5])),
      () => new Cauchy(0, -1),
      () => new HalfCauchy(T([-1])),
      () => new FisherSnedecor(T([1]), T([0])),
      () => new Kumaraswamy(T([1]), T([-1])),
      () => new ContinuousBernoulli(T([1.5])),
      () => new VonMises(0, T([-1])),
      () => new MixtureSameFamily(new Normal(0, 1) as any, new Normal(T([0, 1]), 1)),
      () => new MixtureSameFamily(new Categorical(T([0.5, 0.5])), new Normal(T([0, 1, 2]), 1)),
      () => new MixtureSameFamily(new Categorical(T([[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]])), new Normal(T([[0, 1], [0, 1]]), 1)),
      () => new Geometric(T([0.5])).logProb(T([1.5])),
      () => new Multinomial(3, T([0.5, 0.5])).logProb(T([2, 2])),
      () => new OneHotCategorical(T([0.5, 0.5])).logProb(T([1, 1])),
      () => new HalfCauchy(1).logProb(T([-1])),
      () => new Kumaraswamy(1, 2).logProb(T([1.5])),
    ];
    cases.forEach((f, i) => {
      if (E[i] === 'no error') { expect(f).not.toThrow(); return; }
      let msg = 'no error';
      try { f(); } catch (e) { msg = (e as Error).message; }
      expect(msg.replace(/^NotImplementedError: /, ''), `case ${i}`).toBe(E[i]);
    });
    // PyTorch's check of ContinuousBernoulli's probs where validateArgs was passed (either way)
    expect(() => new ContinuousBernoulli(T([1.5]), { validateArgs: false })).toThrow('The parameter probs has invalid values');
    expect(() => new Multinomial(3, T([[0.5, 0.5], [0.2, 0.8]])).expand([3])).toThrow();
    expect(() => new VonMises(0, 1).rsample()).toThrow('NotImplementedError');
    expect(() => new Geometric(0.5).cdf(T([1]))).toThrow('NotImplementedError');
  });
});

/** mean and unbiased variance of values. */
function stats(v: number[]): [number, number] {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return [m, v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1)];
}
/** |sample mean − μ| < 5 standard errors, |sample variance − σ²| < 5 of its standard errors (μ4 given, else a normal's). */
function expectMoments(v: number[], mu: number, var_: number, mu4?: number, what = '') {
  const [m, s2] = stats(v), N = v.length;
  expect(Math.abs(m - mu), `${what} mean ${m} vs ${mu}`).toBeLessThan(5 * Math.sqrt(var_ / N));
  const varOfVar = ((mu4 ?? 3 * var_ * var_) - var_ * var_) / N;
  expect(Math.abs(s2 - var_), `${what} variance ${s2} vs ${var_}`).toBeLessThan(5 * Math.sqrt(varOfVar));
}
/** The Kolmogorov–Smirnov distance of the draws from a CDF below 1.95/√N (p ≈ 0.001 under the law;
 * a wrong law of these sizes exceeds it by far). */
function expectKs(v: number[], cdf: (x: number) => number, what = '') {
  const s = [...v].sort((a, b) => a - b), N = s.length;
  let d = 0;
  s.forEach((x, i) => { const F = cdf(x); d = Math.max(d, Math.abs(F - i / N), Math.abs((i + 1) / N - F)); });
  expect(d, `${what} KS distance`).toBeLessThan(1.95 / Math.sqrt(N));
}

describe('sampling', () => {
  const N = 100000;
  it('Geometric, NegativeBinomial: moments and pmf', async () => {
    torch.manualSeed(21);
    for (const p of [0.05, 0.3, 0.9]) {
      const v = await values(new Geometric(T([p])).sample([N]));
      expect(v.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
      const q = 1 - p, va = q / p ** 2;
      // (the fourth central moment of the geometric: q(1 + 7q + q²)/p⁴ ... 9q²/p⁴ added)
      expectMoments(v, q / p, va, (q * (p * p + 9 * q)) / p ** 4, `geometric(${p})`);
      for (let k = 0; k < 3; k++) {
        const pk = q ** k * p, f = v.filter((x) => x === k).length / N;
        expect(Math.abs(f - pk), `P(X=${k})`).toBeLessThan(5 * Math.sqrt(pk * (1 - pk) / N));
      }
    }
    for (const [n, p] of [[3, 0.3], [0.5, 0.7], [20, 0.5]]) {
      const v = await values(new NegativeBinomial(T([n]), T([p])).sample([N]));
      expect(v.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
      const mu = (n * p) / (1 - p), va = mu / (1 - p);
      // NB's excess kurtosis: 6/n + (1−p)²/(n p)
      expectMoments(v, mu, va, va * va * (3 + 6 / n + (1 - p) ** 2 / (n * p)), `negbin(${n}, ${p})`);
    }
  });
  it('Multinomial counts, OneHotCategorical: per-category frequencies; rows sum to totalCount', async () => {
    torch.manualSeed(22);
    const P = [0.1, 0.3, 0.6], n = 7;
    const v = await values(new Multinomial(n, T(P)).sample([N]));
    const rows = Array.from({ length: N }, (_, i) => v.slice(3 * i, 3 * i + 3));
    expect(rows.every((r) => r.every((x) => Number.isInteger(x) && x >= 0) && r[0] + r[1] + r[2] === n)).toBe(true);
    P.forEach((p, j) => expectMoments(rows.map((r) => r[j]), n * p, n * p * (1 - p), undefined, `multinomial[${j}]`));
    const o = await values(new OneHotCategorical(T(P)).sample([N]));
    const orows = Array.from({ length: N }, (_, i) => o.slice(3 * i, 3 * i + 3));
    expect(orows.every((r) => r[0] + r[1] + r[2] === 1)).toBe(true);
    P.forEach((p, j) => { const f = orows.filter((r) => r[j] === 1).length / N; expect(Math.abs(f - p)).toBeLessThan(5 * Math.sqrt(p * (1 - p) / N)); });
  });
  it('Cauchy, HalfCauchy, FisherSnedecor, Kumaraswamy, ContinuousBernoulli, VonMises: KS against the CDF', async () => {
    torch.manualSeed(23);
    expectKs(await values(new Cauchy(T([1]), 2).sample([N])), (x) => Math.atan((x - 1) / 2) / Math.PI + 0.5, 'cauchy');
    expectKs(await values(new HalfCauchy(T([0.5])).sample([N])), (x) => (2 * Math.atan(x / 0.5)) / Math.PI, 'halfcauchy');
    // F(3, 8): its CDF is the regularized incomplete beta I(3x/(3x + 8); 1.5, 4); checked by its mean and a KS against a numeric CDF
    const fv = await values(new FisherSnedecor(T([3]), 8).sample([N]));
    expect(fv.every((x) => x > 0)).toBe(true);
    const fpdf = (x: number) => Math.exp(1.5 * Math.log(3 / 8) + 0.5 * Math.log(x) - 5.5 * Math.log1p((3 * x) / 8) - (lgammaN(1.5) + lgammaN(4) - lgammaN(5.5)));
    expectKs(fv, numericCdf(fpdf, 0, 60), 'fisher(3, 8)');
    expectKs(await values(new Kumaraswamy(T([2]), 3).sample([N])), (x) => 1 - (1 - x ** 2) ** 3, 'kumaraswamy(2, 3)');
    for (const p of [0.2, 0.5, 0.9]) {
      const cdf = p === 0.5 ? (x: number) => x : (x: number) => (p ** x * (1 - p) ** (1 - x) + p - 1) / (2 * p - 1);
      expectKs(await values(new ContinuousBernoulli(T([p])).sample([N])), cdf, `cbern(${p})`);
    }
    for (const k of [0.5, 4, 50]) {
      const v = await values(new VonMises(T([2.5]), k).sample([N]));
      expect(v.every((x) => x >= -Math.PI && x < Math.PI)).toBe(true);
      const i0 = besselI0(k), pdf = (x: number) => Math.exp(k * Math.cos(x - 2.5)) / (2 * Math.PI * i0);
      expectKs(v, numericCdf(pdf, -Math.PI, Math.PI), `vonmises(${k})`);
    }
  });
  it('MixtureSameFamily: a two-component mixture against its CDF; FisherSnedecor and ContinuousBernoulli rsample carry gradients', async () => {
    torch.manualSeed(24);
    const m = new MixtureSameFamily(new Categorical(T([0.3, 0.7])), new Normal(T([-2, 1]), T([0.5, 1])));
    const phi = (x: number) => 0.5 * (1 + erfN(x / Math.SQRT2));
    expectKs(await values(m.sample([N])), (x) => 0.3 * phi((x + 2) / 0.5) + 0.7 * phi(x - 1), 'mixture');
    // FisherSnedecor and ContinuousBernoulli are reparameterized: gradients reach the parameters
    const a = T([3]).requiresGrad_(), p = T([0.3]).requiresGrad_();
    await new FisherSnedecor(a, 5).rsample([10]).sum().backward();
    await new ContinuousBernoulli(p).rsample([10]).sum().backward();
    expect((await values(a.grad!))[0]).not.toBe(0);
    expect(Number.isFinite((await values(p.grad!))[0])).toBe(true);
  });
  it('deterministic under manualSeed', async () => {
    const draw = () => {
      torch.manualSeed(77);
      return [new Geometric(T([0.3])).sample([3]), new NegativeBinomial(T([2]), 0.4).sample([3]), new Multinomial(5, T([0.2, 0.8])).sample([2]), new Cauchy(0, 1).sample([3]),
        new VonMises(T([0.5]), 3).sample([4]), new FisherSnedecor(2, 3).sample([3]), new Kumaraswamy(1, 2).sample([3]), new ContinuousBernoulli(0.3).sample([3])];
    };
    const a = await Promise.all(draw().map(values)), b = await Promise.all(draw().map(values));
    expect(a).toEqual(b);
  });
});

/** The CDF of a density on [lo, hi] by Simpson's rule on a fine grid, interpolated. */
function numericCdf(pdf: (x: number) => number, lo: number, hi: number, n = 200000): (x: number) => number {
  const h = (hi - lo) / n, F = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const a = lo + i * h;
    F[i + 1] = F[i] + (h / 6) * (pdf(a + 1e-12) + 4 * pdf(a + h / 2) + pdf(a + h));
  }
  return (x: number) => {
    if (x <= lo) return 0;
    if (x >= hi) return F[n];
    const t = (x - lo) / h, i = Math.floor(t);
    return F[i] + (F[i + 1] - F[i]) * (t - i);
  };
}
function lgammaN(x: number): number {
  // Lanczos (g = 7), enough for the constants here
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgammaN(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}
function besselI0(x: number): number {
  let s = 1, term = 1;
  for (let k = 1; k < 200; k++) { term *= (x / (2 * k)) ** 2; s += term; if (term < 1e-17 * s) break; }
  return s;
}
function erfN(x: number): number {
  // Abramowitz–Stegun 7.1.26 refined by series: enough (1e-7) for a KS bound of 6e-3
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}
