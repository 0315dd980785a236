// torch.lgamma / digamma, torch.poisson / binomial, and the distributions of src/distributions.ts beyond
// the first set: Gamma, Chi2, Beta, Dirichlet, Poisson, Binomial, MultivariateNormal, StudentT,
// HalfNormal, LogNormal. PyTorch 1.13's values and gradients (test/fixtures/distributions2.json, from
// scripts/torch-distributions2.py), shapes, printed forms and errors; finite differences in float64
// (rsample included, fixed seed); sampling statistics of 1e5 draws with fixed seeds; determinism; the
// GPU against the CPU (TROUPE_GPU_TESTS=all).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradcheck, values } from './helpers.ts';
import { close, nested, run, T, toNested, weights, type DType, type Nested } from './dist-helpers.ts';
import { standardGammaGrad } from '../src/ops-random.ts';

const D = torch.distributions;
const { Gamma, Chi2, Beta, Dirichlet, Poisson, Binomial, MultivariateNormal, StudentT, HalfNormal, LogNormal } = D;
const REF = JSON.parse(readFileSync(new URL('./fixtures/distributions2.json', import.meta.url), 'utf8')) as Record<string, any>;
const available = await gpuForTests('distributions2', { composite: true });

/** mean, variance, stddev (and mode) as the script's moments(). */
async function moments(R: any, make: (...ps: torch.Tensor[]) => any, params: unknown[], dtype: DType = 'float32', tol = 2e-6) {
  for (const k of ['mean', 'variance', 'stddev', 'mode']) if (R[k] && Array.isArray(R[k]) && Array.isArray(R[k][0])) close(await run(make, (d) => d[k], params, dtype), R[k], tol, k);
}
const SX = [1e-6, 0.01, 0.3, 0.5, 0.9, 1.0, 1.0001, 1.4616, 1.5, 2.0, 2.3, 2.5, 3.7, 7.99, 8.0, 12.5, 100.0, 1e4, 1e7, -0.5, -1.3, -2.7, -3.0, 0.0, Infinity];

describe("values and gradients: PyTorch's", () => {
  it('lgamma, digamma (float32, float64), poles', async () => {
    for (const dt of ['float32', 'float64'] as const) {
      const R = REF[`special_${dt === 'float32' ? 'f32' : 'f64'}`];
      const xs = [...SX.slice(0, -6), ...SX.slice(-6, -2)].map(dt === 'float32' ? Math.fround : (x: number) => x);
      // (float64: PyTorch's own trigamma, digamma's gradient, is good to about 5e-10)
      // values, then gradients (digamma's: trigamma; float32 reflection below 0 costs a few 1e-6)
      const [lv, lg] = await run(torch.lgamma, (y) => y, [xs], dt), [dv, dg] = await run(torch.digamma, (y) => y, [xs], dt);
      close(lv, R.lgamma[0], dt === 'float32' ? 5e-7 : 1e-12);
      close(lg, R.lgamma[1], dt === 'float32' ? 3e-6 : 1e-12);
      close(dv, R.digamma[0], dt === 'float32' ? 3e-6 : 1e-12);
      close(dg, R.digamma[1], dt === 'float32' ? 3e-6 : 1e-9);
      close(await nested(torch.lgamma(T(SX, dt))), R.lgamma_poles, dt === 'float32' ? 5e-7 : 1e-12);
      close(await nested(torch.digamma(T(SX, dt))), R.digamma_poles, dt === 'float32' ? 3e-6 : 1e-12);
    }
    expect(() => torch.lgamma(torch.tensor([1, 2]))).toThrow('lgamma: expected a floating-point tensor, got Long');
  });
  it('Gamma (float32, float64), Chi2', async () => {
    const GP = [[0.5, 2.0, 7.5], [1.0, 0.5, 3.0]];
    for (const dt of ['float32', 'float64'] as const) {
      const R = REF[`gamma_${dt === 'float32' ? 'f32' : 'f64'}`], tol = dt === 'float32' ? 2e-6 : 1e-9; // (float64: PyTorch's trigamma, in entropy's gradient, is good to ~5e-10)
      const gv = T([0.3, 2.0, 1.5].map(Math.fround), dt), mk = (c: torch.Tensor, r: torch.Tensor) => new Gamma(c, r);
      close(await run(mk, (d) => d.logProb(gv), GP, dt), R.log_prob, tol);
      close(await run(mk, (d) => d.entropy(), GP, dt), R.entropy, tol);
      await moments(R, mk, GP, dt, tol);
    }
    const R = REF.chi2, gv = T([0.3, 2.0, 1.5]), mk = (d: torch.Tensor) => new Chi2(d);
    close(await run(mk, (d) => d.logProb(gv), [[1, 3, 10]]), R.log_prob);
    close(await run(mk, (d) => d.entropy(), [[1, 3, 10]]), R.entropy);
    await moments(R, mk, [[1, 3, 10]]);
  });
  it('Beta, Dirichlet', async () => {
    const BP = [[0.5, 2.0, 3.0], [0.7, 2.0, 1.5]], mk = (a: torch.Tensor, b: torch.Tensor) => new Beta(a, b);
    close(await run(mk, (d) => d.logProb(T([0.2, 0.5, 0.9])), BP), REF.beta.log_prob);
    close(await run(mk, (d) => d.entropy(), BP), REF.beta.entropy);
    await moments(REF.beta, mk, [[1.5, 2.0, 3.0], [2.7, 2.0, 1.5]]);
    const DP = [[[0.5, 2.0, 3.0], [1.5, 1.5, 4.0]]], mkd = (c: torch.Tensor) => new Dirichlet(c);
    close(await run(mkd, (d) => d.logProb(T([[0.2, 0.3, 0.5], [0.1, 0.6, 0.3]])), DP), REF.dirichlet.log_prob);
    close(await run(mkd, (d) => d.entropy(), DP), REF.dirichlet.entropy);
    await moments({ ...REF.dirichlet, mode: undefined }, mkd, DP);
    close(await nested(new Dirichlet(T([[0.5, 2.0, 3.0], [0.5, 0.2, 0.7], [1.0, 1.0, 1.0]])).mode), REF.dirichlet.mode);
  });
  it('Poisson, Binomial (probs and logits; entropy, enumerateSupport)', async () => {
    const mk = (r: torch.Tensor) => new Poisson(r);
    close(await run(mk, (d) => d.logProb(T([0, 2, 15, 0])), [[0.5, 3.0, 12.0, 2.0]]), REF.poisson.log_prob);
    close(await nested(new Poisson(T([0, 0])).logProb(T([0, 1]))), REF.poisson.log_prob_zero_rate);
    await moments(REF.poisson, mk, [[0.5, 3.0, 12.0, 2.0]]);
    const NV = T([0, 3, 10, 2]), B = REF.binomial;
    close(await run((p) => new Binomial({ totalCount: T([5, 4, 10, 2]), probs: p }), (d) => d.logProb(NV), [[0.3, 0.5, 0.9, 1e-3]]), B.log_prob_p, 3e-6);
    close(await run((l) => new Binomial({ totalCount: T([5, 4, 10, 2]), logits: l }), (d) => d.logProb(NV), [[-1.0, 0.0, 3.0, -20.0]]), B.log_prob_l, 3e-6);
    close(await run((p) => new Binomial({ totalCount: 6, probs: p }), (d) => d.entropy(), [[0.3, 0.5, 0.9]]), B.entropy, 3e-6);
    await moments(B, (p) => new Binomial({ totalCount: T([5, 4, 10]), probs: p }), [[0.3, 0.5, 0.9]]);
    close(await nested(new Binomial({ totalCount: 3, probs: T([0.2, 0.4]) }).enumerateSupport()), B.enum);
  });
  it('MultivariateNormal (covariance, scaleTril, precision; float32 and float64)', async () => {
    const A = [[1.0, 0.0, 0.0], [0.5, 1.2, 0.0], [-0.3, 0.4, 0.8]];
    const COV = A.map((r) => A.map((s) => r.reduce((acc, x, k) => acc + x * s[k], 0))).map((r, i) => r.map((x, j) => Math.fround(x + (i === j ? 1 : 0))));
    const LOC = [0.5, -1.0, 2.0];
    for (const dt of ['float32', 'float64'] as const) {
      const R = REF[`mvn_${dt === 'float32' ? 'f32' : 'f64'}`], tol = dt === 'float32' ? 1e-5 : 1e-7;
      const mv = T([[0.3, -2.0, 1.0], [1.0, 0.0, 2.5]], dt);
      const cov = (l: torch.Tensor, c: torch.Tensor) => new MultivariateNormal(l, { covarianceMatrix: c });
      const A32 = A.map((r) => r.map(Math.fround));
      close(await run(cov, (d) => d.logProb(mv), [LOC, COV], dt), R.log_prob_cov, tol);
      close(await run((l, c) => new MultivariateNormal(l, { scaleTril: c }), (d) => d.logProb(mv), [LOC, A32], dt), R.log_prob_tril, tol);
      close(await run((l, c) => new MultivariateNormal(l, { precisionMatrix: c }), (d) => d.logProb(mv), [LOC, COV], dt), R.log_prob_prec, tol);
      close(await run(cov, (d) => d.entropy(), [LOC, COV], dt), R.entropy, tol);
      close(await run(cov, (d) => d.variance, [LOC, COV], dt), R.variance, tol);
      close(await run(cov, (d) => d.scaleTril, [LOC, COV], dt), R.scale_tril, tol);
      close(await run(cov, (d) => d.precisionMatrix, [LOC, COV], dt), R.precision, tol);
      close(await run((l, c) => new MultivariateNormal(l, { precisionMatrix: c }), (d) => d.covarianceMatrix, [LOC, COV], dt), R.cov_from_prec, tol);
    }
    const batch = new MultivariateNormal(T([[0, 0], [1, -1]]), T([[1, 0.3], [0.3, 2]])).logProb(T([[[0.5, 0.5]], [[1, 2]], [[0, 0]]]));
    close(await nested(batch), REF.mvn_batch, 1e-5);
  });
  it('StudentT, HalfNormal, LogNormal', async () => {
    const SP = [[1.5, 3.0, 30.0], [0.5, -1.0, 0.0], [1.0, 2.0, 0.5]], mk = (a: torch.Tensor, b: torch.Tensor, c: torch.Tensor) => new StudentT(a, b, c);
    close(await run(mk, (d) => d.logProb(T([0.3, -2.0, 5.0])), SP), REF.studentt.log_prob, 3e-6);
    close(await run(mk, (d) => d.entropy(), SP), REF.studentt.entropy, 3e-6);
    await moments(REF.studentt, mk, [[0.5, 1.5, 3.0], [0.5, -1.0, 0.0], [1.0, 2.0, 0.5]]);
    const H = REF.halfnormal, mh = (s: torch.Tensor) => new HalfNormal(s), hv = T([0.3, 2.0, 0.0]);
    close(await run(mh, (d) => d.logProb(hv), [[1, 0.5, 2]]), H.log_prob);
    close(await run(mh, (d) => d.entropy(), [[1, 0.5, 2]]), H.entropy);
    close(await run(mh, (d) => d.cdf(hv), [[1, 0.5, 2]]), H.cdf);
    close(await run(mh, (d) => d.icdf(T([0.1, 0.5, 0.9])), [[1, 0.5, 2]]), H.icdf, 5e-6);
    await moments({ ...H, mode: undefined }, mh, [[1, 0.5, 2]]);
    close(await nested(new HalfNormal(T([1, 0.5])).mode), H.mode);
    const LN = REF.lognormal, ml = (l: torch.Tensor, s: torch.Tensor) => new LogNormal(l, s), lv = T([0.3, 2.0, 5.0]), LNP = [[0.5, -1.0, 0.0], [1.0, 0.5, 2.0]];
    close(await run(ml, (d) => d.logProb(lv), LNP), LN.log_prob);
    close(await run(ml, (d) => d.entropy(), LNP), LN.entropy);
    close(await run(ml, (d) => d.cdf(lv), LNP), LN.cdf);
    await moments(LN, ml, LNP, 'float32', 3e-6);
  });
  it('klDivergence: Gamma, Beta, Dirichlet, Poisson, Chi2, MultivariateNormal, Binomial', async () => {
    const K = REF.kl;
    close(await run((a, b, c, d) => D.klDivergence(new Gamma(a, b), new Gamma(c, d)), (r) => r, [[0.5, 2.0], [1.0, 3.0], [1.5, 0.7], [2.0, 0.5]]), K.gamma, 3e-6);
    close(await run((a, b, c, d) => D.klDivergence(new Beta(a, b), new Beta(c, d)), (r) => r, [[0.5, 2.0], [1.0, 3.0], [1.5, 0.7], [2.0, 0.5]]), K.beta, 3e-6);
    close(await run((a, b) => D.klDivergence(new Dirichlet(a), new Dirichlet(b)), (r) => r, [[[0.5, 2.0, 1.0], [1.0, 1.0, 1.0]], [[1.5, 0.7, 2.0], [3.0, 0.5, 0.2]]]), K.dirichlet, 3e-6);
    close(await run((a, b) => D.klDivergence(new Poisson(a), new Poisson(b)), (r) => r, [[0.5, 2.0, 10.0], [1.0, 3.0, 7.0]]), K.poisson, 3e-6);
    close(await run((a, b) => D.klDivergence(new Chi2(a), new Chi2(b)), (r) => r, [[1.0, 4.0], [2.0, 3.0]]), K.chi2, 3e-6);
    const A = [[1.0, 0.0, 0.0], [0.5, 1.2, 0.0], [-0.3, 0.4, 0.8]];
    const COV = A.map((r) => A.map((s) => r.reduce((acc, x, k) => acc + x * s[k], 0))).map((r, i) => r.map((x, j) => Math.fround(x + (i === j ? 1 : 0))));
    close(await run((l1, c1, l2, c2) => D.klDivergence(new MultivariateNormal(l1, c1), new MultivariateNormal(l2, { scaleTril: c2 })), (r) => r,
      [[0.5, -1.0, 2.0], COV, [0.0, 1.0, -1.0], [[2.0, 0.0, 0.0], [0.3, 0.7, 0.0], [0.1, -0.2, 1.5]]]), K.mvn, 1e-5);
    // Binomial pairs (PyTorch 1.13's values, printed by the same script run by hand): inf where p's count is
    // larger, its NotImplementedError where smaller, -inf for probs 1 as PyTorch's formula gives
    const bp = new Binomial({ totalCount: T([5, 5, 7]), probs: T([0.3, 0.6, 0.2]) }), bq = new Binomial({ totalCount: T([5, 3, 7]), probs: T([0.4, 0.5, 0.9]) });
    close(await values(D.klDivergence(bp, bq)), [0.1080, Infinity, 9.5392], 1e-4);
    expect(() => D.klDivergence(bq, bp)).toThrow('KL between Binomials where q.total_count > p.total_count is not implemented');
    const l = T([0.3, -2.0]).requiresGrad_();
    const k = D.klDivergence(new Binomial({ totalCount: 5, logits: l }), new Binomial({ totalCount: 5, logits: T([1.0, 0.5]) }));
    close(await values(k), [0.2840, 2.7457], 1e-4);
    await k.sum().backward();
    close(await values(l.grad!), [-0.8556, -1.3124], 1e-4);
    close(await values(D.klDivergence(new Binomial({ totalCount: 3, probs: T([0, 1]) }), new Binomial({ totalCount: 3, probs: T([0.5, 0.5]) }))), [2.0794, -Infinity], 1e-4);
  });
});

describe('shapes, printed forms, errors', () => {
  it("batchShape, eventShape, sample shapes and dtypes, expand, flags: PyTorch's", () => {
    const S = REF.shapes;
    const shapes = (d: torch.distributions.Distribution, ss: number[]) => [[...d.batchShape], [...d.eventShape], [...d.sample(ss).shape]];
    const g = new Gamma(torch.ones([2, 3]), 1), m = new MultivariateNormal(torch.zeros([4, 3]), torch.eye(3));
    const bin = () => new Binomial({ totalCount: 5, probs: torch.full([2], 0.3) });
    expect(shapes(g, [4])).toEqual(S.gamma);
    expect(shapes(new Gamma(1, 2), [2, 2])).toEqual(S.gamma_scalar);
    expect(shapes(new Chi2(torch.ones([3])), [2])).toEqual(S.chi2);
    expect(shapes(new Beta(torch.ones([2]), 1), [5])).toEqual(S.beta);
    expect(shapes(new Beta(1, 2), [])).toEqual(S.beta_scalar);
    expect(shapes(new Dirichlet(torch.ones([2, 4])), [3])).toEqual(S.dirichlet);
    expect(shapes(new Poisson(torch.ones([2])), [3])).toEqual(S.poisson);
    expect(shapes(new Binomial({ totalCount: 5, probs: torch.full([2, 1], 0.3) }), [3])).toEqual(S.binomial);
    expect(shapes(m, [2])).toEqual(S.mvn);
    expect(shapes(new MultivariateNormal(torch.zeros([3]), torch.eye(3).expand([2, 3, 3])), [])).toEqual(S.mvn_batch_cov);
    expect(shapes(new StudentT(torch.ones([2]), 0, 1), [3])).toEqual(S.studentt);
    expect(shapes(new HalfNormal(torch.ones([2])), [3])).toEqual(S.halfnormal);
    expect(shapes(new LogNormal(0, torch.ones([2])), [3])).toEqual(S.lognormal);
    expect(shapes(g.expand([5, 2, 3]), [])).toEqual(S.expand_gamma);
    expect(shapes(new Dirichlet(torch.ones([4])).expand([2]), [])).toEqual(S.expand_dirichlet);
    expect(shapes(m.expand([2, 4]), [])).toEqual(S.expand_mvn);
    expect(shapes(new Beta(torch.ones([2]), 1).expand([3, 2]), [])).toEqual(S.expand_beta);
    expect(shapes(bin().expand([3, 2]), [])).toEqual(S.expand_binomial);
    expect(shapes(new Chi2(torch.ones([2])).expand([3, 2]), [])).toEqual(S.expand_chi2);
    expect(shapes(new StudentT(torch.ones([2])).expand([3, 2]), [])).toEqual(S.expand_studentt);
    expect(shapes(new HalfNormal(torch.ones([2])).expand([3, 2]), [])).toEqual(S.expand_halfnormal);
    expect(shapes(new LogNormal(0, torch.ones([2])).expand([3, 2]), [])).toEqual(S.expand_lognormal);
    expect(shapes(new Poisson(torch.ones([2])).expand([3, 2]), [])).toEqual(S.expand_poisson);
    expect([...m.logProb(torch.zeros([5, 1, 3])).shape]).toEqual(S.mvn_lp);
    expect([...m.entropy().shape]).toEqual(S.mvn_entropy);
    expect([new Poisson(torch.ones([2])).sample().dtype, new Binomial({ totalCount: 3, probs: torch.ones([2], { dtype: 'float64' }).div(2) }).sample().dtype,
      new Gamma(torch.ones([2], { dtype: 'float64' }), 1).rsample().dtype].map((d) => `torch.${d}`)).toEqual(S.dtypes);
    expect([new Gamma(1, 1).hasRsample, new Poisson(1).hasRsample, new Beta(1, 1).hasRsample, new Dirichlet(torch.ones([2])).hasRsample, bin().hasRsample,
      m.hasRsample, new StudentT(2).hasRsample, new HalfNormal(1).hasRsample, new LogNormal(0, 1).hasRsample, new Chi2(1).hasRsample, bin().hasEnumerateSupport]).toEqual(S.flags);
    // expanded distributions compute as the originals broadcast
    const ge = new Gamma(T([0.5, 2]), T([1, 3])).expand([3, 2]);
    expect([...ge.logProb(T([0.3, 0.7])).shape]).toEqual([3, 2]);
  });
  it("printed forms: PyTorch's repr (lazy scaleTril appears once read), constraints", async () => {
    const R = REF.repr as string[];
    const mc = new MultivariateNormal(torch.zeros([2]), torch.eye(2));
    const r0 = mc.toString(); void mc.scaleTril;
    const ds = [new Gamma(torch.ones([3]), torch.ones([3])), new Gamma(2, 3), new Beta(torch.ones([2]), torch.ones([2])), new Dirichlet(torch.ones([2])),
      new Poisson(torch.ones([2])), new Poisson(2), new Binomial({ totalCount: T([3, 4]), probs: T([0.1, 0.2]) }), new Binomial({ totalCount: 5, logits: T([0.1, 0.2]) }),
      r0, mc, new MultivariateNormal(torch.zeros([2]), { scaleTril: torch.eye(2) }), new MultivariateNormal(torch.zeros([2]), { precisionMatrix: torch.eye(2) }),
      new Chi2(torch.ones([2])), new StudentT(torch.ones([2])), new StudentT(3), new HalfNormal(torch.ones([2])), new LogNormal(torch.zeros([2]), 1),
      new Gamma(torch.ones([3]), 1).expand([2, 3])];
    expect(ds.map(String)).toEqual(R);
    expect(await Promise.all(ds.map((d) => (typeof d === 'string' ? d : d.format())))).toEqual(R);
    expect([new Gamma(1, 1).support, new Beta(1, 1).support, new Dirichlet(torch.ones([2])).support, new Poisson(1).support, new Binomial({ totalCount: 3, probs: torch.tensor(0.5) }).support,
      new Binomial({ totalCount: T([3]), probs: T([0.5]) }).support, mc.support, new HalfNormal(1).support, new LogNormal(0, 1).support, new StudentT(2).support,
      new Dirichlet(torch.ones([2])).argConstraints.concentration, mc.argConstraints.covariance_matrix, mc.argConstraints.scale_tril,
      new Binomial({ totalCount: 3, probs: torch.tensor(0.5) }).argConstraints.total_count].map(String)).toEqual(REF.constraints);
  });
  it("errors: PyTorch's messages (values checked where readable now)", () => {
    const E = REF.errors as string[];
    const cases: Array<() => unknown> = [
      () => new Gamma(T([1, -1]), 1),
      () => new Gamma(1, 0),
      () => new Beta(T([1]), T([0])),
      () => new Dirichlet(torch.tensor(1)),
      () => new Dirichlet(T([1, -1])),
      () => new Poisson(T([-1])),
      () => new Binomial({ totalCount: T([2.5]), probs: T([0.5]) }),
      () => new Binomial({ totalCount: T([3]), probs: T([1.5]) }),
      () => new Binomial({ totalCount: 3 }),
      () => new MultivariateNormal(torch.zeros([2])),
      () => new MultivariateNormal(torch.tensor(0), torch.eye(2)),
      () => new MultivariateNormal(torch.zeros([2]), { covarianceMatrix: torch.eye(2), scaleTril: torch.eye(2) }),
      () => new MultivariateNormal(torch.zeros([2]), T([[1, 2], [2, 1]])),
      () => new MultivariateNormal(torch.zeros([2]), torch.ones([2])),
      () => new MultivariateNormal(torch.zeros([2]), { scaleTril: T([[1, 1], [0, 1]]) }),
      () => new MultivariateNormal(torch.zeros([2]), { precisionMatrix: torch.ones([2]) }),
      () => new MultivariateNormal(torch.zeros([2]), { scaleTril: torch.ones([2]) }),
      () => new Poisson(T([1])).logProb(T([0.5])),
      () => new Gamma(1, 1).logProb(T([-1])),
      () => new Beta(1, 1).logProb(T([1.5])),
      () => new Dirichlet(T([1, 1])).logProb(T([0.3, 0.3])),
      () => new Binomial({ totalCount: T([3]), probs: T([0.5]) }).logProb(T([4])),
      () => new Binomial({ totalCount: T([3, 4]), probs: T([0.5, 0.5]) }).entropy(),
      () => new StudentT(T([-1])),
      () => new HalfNormal(T([-1])),
      () => new HalfNormal(1).logProb(T([-1])),
      () => new LogNormal(0, 1).logProb(T([0])),
      () => new Chi2(T([0])),
      () => new MultivariateNormal(torch.zeros([2]), torch.eye(2)).logProb(torch.zeros([3])),
      () => new Dirichlet(torch.ones([3])).logProb(torch.ones([2]).div(2)),
    ];
    expect(cases.length).toBe(E.length);
    cases.forEach((f, i) => {
      let msg = 'no error';
      try { f(); } catch (e) { msg = (e as Error).message; }
      expect(msg, `case ${i}`).toBe(E[i]);
    });
    // troupe's own checks (PyTorch fails later, or not at all)
    expect(() => new MultivariateNormal(torch.zeros([3]), torch.eye(2))).toThrow("loc's event size 3 (loc of shape torch.Size([3])) does not match the covariance_matrix of shape torch.Size([2, 2])");
    expect(() => new Poisson(1).rsample()).toThrow('NotImplementedError');
    expect(() => new Gamma(1, 0, { validateArgs: false })).not.toThrow();
    expect(() => torch.poisson(T([1, -1]))).toThrow('invalid Poisson rate, expected rate to be non-negative');
    expect(() => torch.poisson(torch.tensor([1]))).toThrow(`"poisson_cpu" not implemented for 'Long'`);
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
  expect(Math.abs(m - mu), `${what} mean ${m} vs ${mu}`).toBeLessThan(5 * Math.sqrt(var_ / N) + 1e-12);
  const varOfVar = ((mu4 ?? 3 * var_ * var_) - var_ * var_) / N;
  expect(Math.abs(s2 - var_), `${what} variance ${s2} vs ${var_}`).toBeLessThan(5 * Math.sqrt(varOfVar) + 1e-12);
}

describe('sampling', () => {
  const N = 100000;
  it('torch.poisson: moments of 1e5 draws, small (inversion) and large (PTRS) rates; integers; 0 at rate 0', async () => {
    torch.manualSeed(11);
    for (const lam of [0.05, 1.5, 9.9, 10, 37, 1000, 1e6]) {
      const v = await values(torch.poisson(torch.full([N], lam, { dtype: 'float32' })));
      expect(v.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
      // Poisson's fourth central moment: λ(1 + 3λ)
      expectMoments(v, lam, lam, lam * (1 + 3 * lam), `poisson(${lam})`);
    }
    // a mixed batch, float64; the pmf at 0..3 for rate 2 within 5 standard errors
    const v = await values(torch.poisson(T([2, 0, 50], 'float64').expand([N, 3]).contiguous()));
    const col = (j: number) => v.filter((_, i) => i % 3 === j);
    expect(col(1).every((x) => x === 0)).toBe(true);
    expectMoments(col(2), 50, 50, 50 * 151, 'poisson(50) f64');
    const c0 = col(0);
    for (let k = 0; k < 4; k++) {
      const p = Math.exp(-2) * 2 ** k / [1, 1, 2, 6][k], f = c0.filter((x) => x === k).length / N;
      expect(Math.abs(f - p), `P(X=${k})`).toBeLessThan(5 * Math.sqrt(p * (1 - p) / N));
    }
  });
  it('gamma draws (Marsaglia–Tsang, boosted below 1): Gamma, Chi2, Beta, Dirichlet moments', async () => {
    torch.manualSeed(12);
    for (const [c, r] of [[0.1, 1], [0.5, 2], [1, 1], [2.5, 0.5], [30, 3]]) {
      const v = await values(new Gamma(T([c]), T([r])).sample([N]));
      expect(v.every((x) => x > 0)).toBe(true);
      // gamma's fourth central moment: 3c(c + 2)/r⁴
      expectMoments(v, c / r, c / r ** 2, (3 * c * (c + 2)) / r ** 4, `gamma(${c}, ${r})`);
    }
    expectMoments(await values(new Chi2(T([3])).sample([N])), 3, 6, 3 * 1.5 * 3.5 * 16, 'chi2(3)');
    const b = await values(new Beta(T([2]), T([5])).sample([N]));
    expect(b.every((x) => x > 0 && x < 1)).toBe(true);
    expectMoments(b, 2 / 7, 10 / (49 * 8), undefined, 'beta(2, 5)');
    const dv = await values(new Dirichlet(T([0.5, 1, 3])).sample([N]));
    const rows = Array.from({ length: N }, (_, i) => dv.slice(3 * i, 3 * i + 3));
    expect(rows.every((r) => Math.abs(r[0] + r[1] + r[2] - 1) < 1e-5)).toBe(true);
    [0.5, 1, 3].forEach((a, j) => expectMoments(rows.map((r) => r[j]), a / 4.5, (a * (4.5 - a)) / (4.5 ** 2 * 5.5), undefined, `dirichlet[${j}]`));
  });
  it('Binomial (inversion and BTRS, p above ½ by symmetry), MVN, StudentT, HalfNormal, LogNormal moments', async () => {
    torch.manualSeed(13);
    for (const [n, p] of [[5, 0.3], [20, 0.9], [100, 0.3], [1000, 0.5], [0, 0.4], [7, 1]]) {
      const v = await values(new Binomial({ totalCount: T([n]), probs: T([p]) }).sample([N]));
      expect(v.every((x) => Number.isInteger(x) && x >= 0 && x <= n)).toBe(true);
      const va = n * p * (1 - p);
      expectMoments(v, n * p, va, va * (1 + 3 * va - 6 * p * (1 - p)) || 0, `binomial(${n}, ${p})`);
    }
    // MVN: per-coordinate mean and variance, and the covariance of the first two
    const mvn = new MultivariateNormal(T([1, -2]), T([[2, 0.8], [0.8, 1]]));
    const mv = await values(mvn.sample([N]));
    const x0 = mv.filter((_, i) => i % 2 === 0), x1 = mv.filter((_, i) => i % 2 === 1);
    expectMoments(x0, 1, 2, undefined, 'mvn[0]');
    expectMoments(x1, -2, 1, undefined, 'mvn[1]');
    const cov = x0.reduce((a, x, i) => a + (x - 1) * (x1[i] + 2), 0) / N;
    expect(Math.abs(cov - 0.8)).toBeLessThan(5 * Math.sqrt((2 * 1 + 0.8 ** 2) / N));
    // StudentT(df 5, 1, 2): mean 1, variance 4·5/3 (fourth moment 6/(df−4)+3 times var²)
    expectMoments(await values(new StudentT(T([5]), 1, 2).sample([N])), 1, 20 / 3, (20 / 3) ** 2 * 9, 'studentT(5)');
    const hn = await values(new HalfNormal(T([2])).sample([N]));
    expect(hn.every((x) => x >= 0)).toBe(true);
    expectMoments(hn, 2 * Math.sqrt(2 / Math.PI), 4 * (1 - 2 / Math.PI), undefined, 'halfnormal(2)');
    const ln = await values(new LogNormal(T([0.2]), T([0.5])).sample([N]));
    const lm = Math.exp(0.2 + 0.125), lvar = Math.expm1(0.25) * Math.exp(0.4 + 0.25);
    expectMoments(ln.map(Math.log), 0.2, 0.25, undefined, 'log of lognormal');
    expect(Math.abs(stats(ln)[0] - lm)).toBeLessThan(5 * Math.sqrt(lvar / N));
  });
  it('deterministic under manualSeed', async () => {
    const draw = () => {
      torch.manualSeed(321);
      return [torch.poisson(T([0.5, 4, 30, 1e4])), new Gamma(T([0.3, 2]), 1).sample([3]), new Beta(2, 3).sample([4]), new Dirichlet(T([1, 2, 3])).sample([2]),
        new Binomial({ totalCount: T([4, 200]), probs: T([0.3, 0.6]) }).sample([3]), new MultivariateNormal(T([0, 1]), torch.eye(2)).sample([2]),
        new StudentT(3).sample([3]), new HalfNormal(1).sample([3]), new LogNormal(0, 1).sample([3])];
    };
    const a = await Promise.all(draw().map(values)), b = await Promise.all(draw().map(values));
    expect(b).toEqual(a);
    torch.manualSeed(322);
    expect(await values(torch.poisson(T([0.5, 4, 30, 1e4])))).not.toEqual(a[0]);
  });
  it("the gamma draws' concentration gradient is PyTorch 1.13's _standard_gamma_grad over its three branches", async () => {
    const F = JSON.parse(readFileSync(new URL('./fixtures/gamma-grad.json', import.meta.url), 'utf8'));
    close(await values(standardGammaGrad(T(F.alpha, 'float64'), T(F.x, 'float64'))), F.grad, 1e-11, 'float64');
    close(await values(standardGammaGrad(T(F.alpha, 'float32'), T(F.x, 'float32'))), F.grad_f32, 1e-6, 'float32');
  });
  it('rsample: gradients match finite differences (float64, fixed seed) for MVN, LogNormal, HalfNormal, Gamma/StudentT rate/loc/scale; concentration: _standard_gamma_grad', async () => {
    const seeded = <R>(f: () => R) => { torch.manualSeed(7); return f(); };
    const pos = (t: torch.Tensor) => t.abs().add(0.3);
    await gradcheck((l, a) => seeded(() => new MultivariateNormal(l, { scaleTril: torch.tril(a, -1).add(torch.diagEmbed(pos(torch.linalg.diagonal(a)))) }).rsample([3])), [[3], [3, 3]]);
    await gradcheck((l, a) => seeded(() => new MultivariateNormal(l, torch.matmul(a, a.mT).add(torch.eye(3, { dtype: 'float64' }))).rsample([2])), [[3], [3, 3]]);
    await gradcheck((l, a) => seeded(() => new MultivariateNormal(l, { precisionMatrix: torch.matmul(a, a.mT).add(torch.eye(2, { dtype: 'float64' })) }).rsample([2])), [[2], [2, 2]]);
    await gradcheck((l, s) => seeded(() => new LogNormal(l, pos(s)).rsample([4])), [[3], [3]]);
    await gradcheck((s) => seeded(() => new HalfNormal(pos(s)).rsample([4])), [[3]]);
    await gradcheck((r) => seeded(() => new Gamma(T([0.7, 2.5], 'float64'), pos(r)).rsample([4])), [[2]]);
    await gradcheck((l, s) => seeded(() => new StudentT(T([3, 8], 'float64'), l, pos(s)).rsample([4])), [[2], [2]]);
    // the other differentiable functions, float64: logProb, entropy, KL of the new families (lgamma/digamma inside)
    await gradcheck((c, r, v) => new Gamma(pos(c), pos(r)).logProb(pos(v)).add(new Gamma(pos(c), pos(r)).entropy()), [[3], [3], [3]]);
    await gradcheck((a, b) => D.klDivergence(new Dirichlet(pos(a)), new Dirichlet(pos(b))).add(new Dirichlet(pos(a)).entropy()), [[2, 3], [2, 3]]);
    await gradcheck((a, b, v) => new Beta(pos(a), pos(b)).logProb(torch.sigmoid(v)), [[3], [3], [3]]);
    await gradcheck((l, a, m) => new MultivariateNormal(l, torch.matmul(a, a.mT).add(torch.eye(3, { dtype: 'float64' }))).logProb(m), [[3], [3, 3], [2, 3]]);
    await gradcheck((l1, a, l2, b) => D.klDivergence(new MultivariateNormal(l1, torch.matmul(a, a.mT).add(torch.eye(2, { dtype: 'float64' }))),
      new MultivariateNormal(l2, { precisionMatrix: torch.matmul(b, b.mT).add(torch.eye(2, { dtype: 'float64' })) })), [[2], [2, 2], [2], [2, 2]]);
    await gradcheck((d, l, s, v) => new StudentT(pos(d), l, pos(s)).logProb(v).add(new StudentT(pos(d), l, pos(s)).entropy()), [[3], [3], [3], [3]]);
    await gradcheck((x) => torch.lgamma(pos(x)).add(torch.digamma(pos(x))).add(torch.lgamma(x.sub(5.5))), [[5]]);
    // gamma draws' gradient with respect to the concentration: PyTorch's _standard_gamma_grad per draw
    torch.manualSeed(5);
    const c = T([0.4, 3, 20], 'float64').requiresGrad_(), rate = T([2, 0.5, 1], 'float64');
    const s = new Gamma(c, rate).rsample([4]);
    await s.mul(T([[1], [2], [3], [4]], 'float64')).sum().backward();
    const per = standardGammaGrad(c.detach().expand([4, 3]), s.detach().mul(rate)).div(rate).mul(T([[1], [2], [3], [4]], 'float64')).sum(0);
    close(await values(c.grad!), await values(per), 1e-12, 'Gamma: dx/dc per draw');
    // and in expectation (Monte Carlo, 20000 draws): d E[x]/dα of Gamma (1/rate), Dirichlet's and Beta's first
    // coordinate (through their gammas' normalization), within 3%
    const N = 20000;
    const mc = async (param: torch.Tensor, draw: () => torch.Tensor, want: number[], what: string) => {
      await draw().sum().backward();
      const got = (await values(param.grad!)).map((v) => v / N);
      got.forEach((g, i) => expect(Math.abs(g - want[i]), `${what} [${i}]: ${g} vs ${want[i]}`).toBeLessThan(0.03 * Math.abs(want[i])));
    };
    const cg = T([0.4, 3, 20], 'float64').requiresGrad_();
    await mc(cg, () => new Gamma(cg, rate).rsample([N]), [0.5, 2, 1], 'Gamma');
    const a = T([0.5, 2, 5], 'float64').requiresGrad_();
    await mc(a, () => new Dirichlet(a).rsample([N]).narrow(-1, 0, 1), [7 / 56.25, -0.5 / 56.25, -0.5 / 56.25], 'Dirichlet');
    const p = T([0.7, 3], 'float64').requiresGrad_();
    await mc(p, () => new Beta(p.narrow(0, 0, 1), p.narrow(0, 1, 1)).rsample([N]), [3 / 3.7 ** 2, -0.7 / 3.7 ** 2], 'Beta');
    // not differentiable twice: refused in a createGraph pass
    const cc = T([1.5, 2], 'float64').requiresGrad_();
    await expect(torch.autograd.grad(new Chi2(cc).rsample([3]).sum(), cc, { createGraph: true })).rejects.toThrow('createGraph');
    expect(new Gamma(T([1.5]).requiresGrad_(), 1).sample([2]).requiresGrad).toBe(false);
  });
});

describe.runIf(available)("on the GPU: the CPU's results", () => {
  it('samples (integers exactly, gamma draws to rounding), values and gradients', async () => {
    const out: number[][][] = [];
    for (const d of ['cpu', 'gpu']) {
      const c = T([0.5, 2, 7.5], 'float32', d).requiresGrad_(), r = T([1, 0.5, 3], 'float32', d).requiresGrad_();
      const cov = T([[2, 0.8, 0.1], [0.8, 1, 0.2], [0.1, 0.2, 1.5]], 'float32', d).requiresGrad_();
      torch.manualSeed(99);
      const samples = [torch.poisson(T([0.5, 4, 30, 1e4], 'float32', d).expand([20, 4]).contiguous()), new Gamma(T([0.3, 2, 40], 'float32', d), 1).sample([20]),
        new Binomial({ totalCount: T([4, 200], 'float32', d), probs: T([0.3, 0.6], 'float32', d) }).sample([20]), new Dirichlet(T([1, 2, 3], 'float32', d)).sample([5]),
        new MultivariateNormal(T([0, 1, 2], 'float32', d), cov).sample([4])];
      const g = new Gamma(c, r), v = T([0.3, 2.0, 1.5], 'float32', d);
      const mvn = new MultivariateNormal(T([0.5, -1, 2], 'float32', d), cov);
      const vals = [g.logProb(v), g.entropy(), torch.lgamma(c), torch.digamma(c), new Beta(c, r).logProb(T([0.2, 0.5, 0.9], 'float32', d)),
        new Poisson(c).logProb(T([0, 2, 15], 'float32', d)), new Binomial({ totalCount: T([5, 4, 10], 'float32', d), probs: torch.sigmoid(r) }).logProb(T([0, 3, 10], 'float32', d)),
        mvn.logProb(T([[0.3, -2, 1], [1, 0, 2.5]], 'float32', d)), mvn.entropy(), D.klDivergence(g, new Gamma(r, c)),
        D.klDivergence(mvn, new MultivariateNormal(T([0, 0, 0], 'float32', d), torch.eye(3, { device: d }))), new StudentT(c, r, c).logProb(v),
        standardGammaGrad(T([0.5, 2, 7.5, 12, 3], 'float32', d), T([0.3, 2.0, 1.5, 11, 30], 'float32', d))];
      const loss = vals.reduce((a, b) => a.add(b.sum()), torch.zeros([], { device: d }));
      await loss.backward();
      out.push(await Promise.all([...samples, ...vals, c.grad!, r.grad!, cov.grad!].map((t) => values(t.cpu()))));
    }
    const [a, b] = out;
    for (let i = 0; i < a.length; i++) {
      expect(b[i].length, `${i}`).toBe(a[i].length);
      a[i].forEach((x, k) => expect(Math.abs(b[i][k] - x), `${i}[${k}]: ${b[i][k]} vs ${x}`).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(x))));
    }
  }, 900_000); // (a cold lavapipe shader cache compiles a few hundred kernels here: minutes)
});
