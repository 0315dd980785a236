// The distributions of src/distributions-more2.ts: LowRankMultivariateNormal (and its KLs against itself
// and MultivariateNormal), LKJCholesky and Wishart. PyTorch 1.13's float64 values and parameter gradients,
// shapes, printed forms and errors (test/fixtures/distributions-more2.json, from
// scripts/torch-distributions-more2.py); sampling by moments with fixed seeds; determinism under manualSeed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { values } from './helpers.ts';
import { close, nested, run, T } from './dist-helpers.ts';

const D = torch.distributions;
const { LowRankMultivariateNormal: LR, MultivariateNormal: MVN, LKJCholesky, Wishart, klDivergence } = D;
const REF = JSON.parse(readFileSync(new URL('./fixtures/distributions-more2.json', import.meta.url), 'utf8')) as Record<string, any>;
const F = 'float64' as const;
const t = (x: unknown) => T(x, F);
const TOL = 1e-12;
const errorOf = (f: () => unknown) => { try { f(); return 'no error'; } catch (e) { return (e as Error).message; } };

const LOC = [[0.5, -1.0, 2.0], [0.0, 0.3, -0.7]];
const W = [[1.0, 0.5], [-0.3, 0.8], [0.2, -1.1]];
const DG = [0.7, 1.3, 0.4];
const W2 = [[[0.4, 0.1], [0.2, -0.5], [1.0, 0.3]], [[-0.6, 0.2], [0.9, 0.7], [0.1, 0.05]]];
const D2 = [[0.5, 0.9, 1.6], [2.0, 0.3, 0.8]];
const V = [[[0.3, -0.2, 1.5], [1.0, 0.0, -1.0]], [[-2.0, 0.5, 0.1], [0.4, 0.9, 0.2]], [[0.0, 0.0, 0.0], [3.0, -1.0, 2.5]]];
const SIG = [[[2.0, 0.3, -0.4], [0.3, 1.5, 0.2], [-0.4, 0.2, 1.0]], [[1.0, 0.0, 0.5], [0.0, 2.5, -0.3], [0.5, -0.3, 0.9]]];
const MLOC = [[1.0, 0.0, -0.5], [0.2, 0.4, 0.6]];
const SL = [[1.2, 0.0, 0.0], [0.3, 0.8, 0.0], [-0.5, 0.2, 1.5]];
const WV = [[[2.0, 0.5, 0.1], [0.5, 1.0, -0.2], [0.1, -0.2, 3.0]], [[4.0, -1.0, 0.0], [-1.0, 2.0, 0.3], [0.0, 0.3, 1.0]]];
const DF = [4.5, 2.5];
const camel: Record<string, string> = { scale_tril: 'scaleTril', covariance_matrix: 'covarianceMatrix', precision_matrix: 'precisionMatrix' };

describe('LowRankMultivariateNormal', () => {
  const mk = (l: torch.Tensor, w: torch.Tensor, d: torch.Tensor) => new LR(l, w, d);
  it("logProb, entropy, moments and matrices: PyTorch's values and gradients (unbroadcast and batched factors)", async () => {
    for (const [name, ps] of [['a', [LOC, W, DG]], ['b', [LOC, W2, D2]]] as const) {
      const R = REF.lowrank[name];
      close(await run(mk, (d) => d.logProb(t(V)), [...ps], F), R.log_prob, TOL, `${name}.log_prob`);
      close(await run(mk, (d) => d.entropy(), [...ps], F), R.entropy, TOL, `${name}.entropy`);
      for (const k of ['mean', 'mode', 'variance', 'stddev', 'scale_tril', 'covariance_matrix', 'precision_matrix']) {
        close(await run(mk, (d) => d[camel[k] ?? k], [...ps], F), R[k], TOL, `${name}.${k}`);
      }
      close(await nested(new LR(t(ps[0]), t(ps[1]), t(ps[2])).capacitanceTril), R.capacitance_tril, TOL, `${name}.capacitance`);
    }
  });
  it("KLs PyTorch registers: LowRank–LowRank, LowRank–MVN, MVN–LowRank (values, gradients of both sides)", async () => {
    const R = REF.lowrank, kl = (pq: [any, any]) => klDivergence(pq[0], pq[1]);
    const mvn = (l: torch.Tensor, s: torch.Tensor) => new MVN(l, { covarianceMatrix: s });
    close(await run((l1, w1, d1, l2, w2, d2) => [new LR(l1, w1, d1), new LR(l2, w2, d2)], kl, [LOC, W, DG, MLOC, W2, D2], F), R.kl_lr_lr, TOL, 'lr_lr');
    close(await run((l1, w1, d1, l2, s2) => [new LR(l1, w1, d1), mvn(l2, s2)], kl, [LOC, W, DG, MLOC, SIG], F), R.kl_lr_mvn, TOL, 'lr_mvn');
    close(await run((l1, s1, l2, w2, d2) => [mvn(l1, s1), new LR(l2, w2, d2)], kl, [MLOC, SIG, LOC, W2, D2], F), R.kl_mvn_lr, TOL, 'mvn_lr');
    const d = new LR(t(LOC), t(W), t(DG));
    close(await nested(klDivergence(d, new MVN(d.loc, { covarianceMatrix: d.covarianceMatrix }))), R.kl_same, TOL, 'same');
  });
  it('shapes, expand, repr', async () => {
    const S = REF.lowrank.shapes, d = new LR(t(LOC), t(W), t(DG)), e = d.expand([4, 2]);
    expect([...d.batchShape]).toEqual(S.batch);
    expect([...d.eventShape]).toEqual(S.event);
    expect([...d.covFactor.shape]).toEqual(S.cov_factor);
    expect([...d.covDiag.shape]).toEqual(S.cov_diag);
    expect([...e.batchShape]).toEqual(S.expand_batch);
    expect([...e.covFactor.shape]).toEqual(S.expand_cov_factor);
    close(await nested(e.logProb(t(V[0]))), S.expand_log_prob, TOL, 'expand.log_prob');
    close(await nested(e.entropy()), S.expand_entropy, TOL, 'expand.entropy');
    expect([...new LR(t([1, 2]), t([[1], [0]]), t([1, 1])).batchShape]).toEqual(S.single_batch);
    expect([...new LR(t([1, 2]), t([[[1], [0]], [[1], [0]], [[1], [0]]]), t([1, 1])).batchShape]).toEqual(S.bcast_batch);
    expect(d.toString()).toBe(REF.lowrank.repr);
    expect(e.toString()).toBe(REF.lowrank.repr_expand);
  });
  it("PyTorch's errors", () => {
    const E = REF.lowrank.errors, d = new LR(t(LOC), t(W), t(DG));
    expect(errorOf(() => new LR(t(1), t(W), t(DG)))).toBe(E.loc0);
    expect(errorOf(() => new LR(t(LOC[0]), t(DG), t(DG)))).toBe(E.factor1);
    expect(errorOf(() => new LR(t(LOC[0]), t([[1], [2]]), t(DG)))).toBe(E.factor_n);
    expect(errorOf(() => new LR(t(LOC[0]), t(W), t([1, 2])))).toBe(E.diag_n);
    expect(errorOf(() => new LR(t(LOC), t([...W2, W2[0]]), t(DG)))).toBe(E.batch);
    expect(errorOf(() => new LR(t(LOC[0]), t(W).mul(0.01), t([0.7, -1.3, 0.4])))).toBe(E.diag_neg);
    expect(errorOf(() => d.logProb(t([1, 2])))).toBe(E.value);
    expect(errorOf(() => klDivergence(d, new LR(t([0, 0]), t([[1], [0]]), t([1, 1]))))).toBe(E.kl_event);
    expect(errorOf(() => klDivergence(d, new MVN(t([0, 0]), torch.eye(2, { dtype: F }))))).toBe(E.kl_event_mvn);
  });
  it('rsample: mean and covariance of 40000 draws; gradients reach all three parameters', async () => {
    torch.manualSeed(31);
    const d = new LR(t([0.5, -1, 2]), t(W), t(DG)), N = 40000;
    const x = await values(d.sample([N]));
    const cov = await values(d.covarianceMatrix);
    const m = [0, 1, 2].map((i) => x.filter((_, k) => k % 3 === i).reduce((a, b) => a + b, 0) / N);
    [0.5, -1, 2].forEach((mu, i) => expect(Math.abs(m[i] - mu), `mean ${i}`).toBeLessThan(5 * Math.sqrt(cov[4 * i] / N)));
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < N; k++) s += (x[3 * k + i] - m[i]) * (x[3 * k + j] - m[j]);
      const c = s / N, se = Math.sqrt((cov[3 * i + i] * cov[3 * j + j] + cov[3 * i + j] ** 2) / N);
      expect(Math.abs(c - cov[3 * i + j]), `cov ${i}${j}: ${c} vs ${cov[3 * i + j]}`).toBeLessThan(5 * se);
    }
    const [l, w, dg] = [t([0.5, -1, 2]), t(W), t(DG)].map((p) => p.requiresGrad_());
    await new LR(l, w, dg).rsample([5]).pow(2).sum().backward();
    for (const p of [l, w, dg]) expect((await values(p.grad!)).some((v) => v !== 0)).toBe(true);
  });
});

describe('LKJCholesky', () => {
  const lp = (dv: [any, torch.Tensor]) => dv[0].logProb(dv[1]);
  const mkl = (dim: number) => (c: torch.Tensor, v: torch.Tensor) => [new LKJCholesky(dim, c), v];
  function corrChol(rows: number[][]): number[][] {
    return rows.map((r, i) => { const below = r.slice(0, i); return r.map((x, j) => (j < i ? x : j === i ? Math.sqrt(1 - below.reduce((a, b) => a + b * b, 0)) : 0)); });
  }
  const LV3 = corrChol([[0, 0, 0], [0.3, 0, 0], [-0.5, 0.4, 0]]);
  const LV4 = corrChol([[0, 0, 0, 0], [-0.2, 0, 0, 0], [0.1, 0.6, 0, 0], [0.3, -0.3, 0.5, 0]]);
  it("logProb: PyTorch's values and gradients (concentration and value), dims 2, 3, 4; shapes, expand, repr, errors", async () => {
    const R = REF.lkj;
    close(await run(mkl(3), lp, [[0.5, 1.0, 2.5], LV3], F), R.log_prob3, TOL, 'dim 3');
    close(await run(mkl(4), lp, [[0.3, 4.0], [LV4, LV4]], F), R.log_prob4, TOL, 'dim 4');
    close(await run(mkl(2), lp, [[1.5], corrChol([[0, 0], [0.8, 0]])], F), R.log_prob2, TOL, 'dim 2');
    close(await nested(new LKJCholesky(3, 2.0).logProb(t(LV3))), R.log_prob_scalar, TOL, 'scalar');
    expect(new LKJCholesky(3, 2.0).toString()).toBe(R.repr);
    expect(new LKJCholesky(3, t([0.5, 1.0])).toString()).toBe(R.repr_t);
    expect([...new LKJCholesky(3, t([0.5, 1.0])).batchShape]).toEqual(R.batch);
    expect([...new LKJCholesky(3, t([0.5, 1.0])).eventShape]).toEqual(R.event);
    close(await nested(new LKJCholesky(3, t([0.5, 2.0])).expand([3, 2]).logProb(t(LV3))), R.expand_log_prob, TOL, 'expand');
    expect(errorOf(() => new LKJCholesky(1, 1.0))).toBe(R.errors.dim);
    expect(errorOf(() => new LKJCholesky(3, t([1.0, -0.5])))).toBe(R.errors.conc);
    expect(errorOf(() => new LKJCholesky(3, 1.0).logProb(t([[1, 0, 0], [0.5, 0.5, 0], [0, 0, 1]])))).toBe(R.errors.value);
  });
  it("onion-method draws: Cholesky factors of correlation matrices, entries with the moments of PyTorch 1.13's sampler", async () => {
    torch.manualSeed(41);
    for (const [dim, eta] of [[3, 0.5], [3, 2.0], [4, 1.0], [2, 5.0]]) {
      const N = 20000, Ls = new LKJCholesky(dim, t(eta)).sample([N]);
      expect([...Ls.shape]).toEqual([N, dim, dim]);
      const Lv = await values(Ls), Cv = await values(Ls.matmul(Ls.mT));
      // lower-triangular, positive diagonal, unit rows (so L Lᵀ has a unit diagonal)
      let bad = 0;
      for (let k = 0; k < N; k++) for (let i = 0; i < dim; i++) {
        let r = 0;
        for (let j = 0; j < dim; j++) { const v = Lv[k * dim * dim + i * dim + j]; r += v * v; if ((j > i && v !== 0) || (j === i && !(v > 0))) bad++; }
        if (!(Math.abs(r - 1) < 1e-12)) bad++;
      }
      expect(bad, `dim ${dim} eta ${eta}: entries off the support`).toBe(0);
      // PyTorch 1.13's law, which this ports: row i ≥ 1 is √y_i · u, y_i ~ Beta(a_i, b_i) with a_i = o_i + ½,
      // b_i = eta + (dim − 2)/2 − o_i/2, o = [0, 0, 1, …, dim − 2], and u uniform on the sphere S^(i−1):
      // E L_ij = 0, E L_ij² = E y_i / i, E L_ij⁴ = E y_i² · 3/(i(i + 2)), E L_ij⁸ = E y_i⁴ · 105/(i(i+2)(i+4)(i+6)).
      // (For row 1 that is the LKJ marginal of r_10; rows ≥ 2 are not LKJ's: PyTorch 1.13's a_i is o_i + ½, not i/2.)
      for (let i = 1; i < dim; i++) {
        const o = i - 1, a = o + 0.5, b = eta + (dim - 2) / 2 - o / 2;
        const ey = (k: number) => { let p = 1; for (let q = 0; q < k; q++) p *= (a + q) / (a + b + q); return p; };
        const m2 = ey(1) / i, m4 = (ey(2) * 3) / (i * (i + 2)), m8 = (ey(4) * 105) / (i * (i + 2) * (i + 4) * (i + 6));
        for (let j = 0; j < i; j++) {
          const r = Array.from({ length: N }, (_, k) => Lv[k * dim * dim + i * dim + j]);
          const s1 = r.reduce((x, y) => x + y, 0) / N, s2 = r.reduce((x, y) => x + y * y, 0) / N, s4 = r.reduce((x, y) => x + y ** 4, 0) / N;
          const tag = `dim ${dim} eta ${eta} L${i}${j}`;
          expect(Math.abs(s1), `${tag} mean`).toBeLessThan(5 * Math.sqrt(m2 / N));
          expect(Math.abs(s2 - m2), `${tag} E L²: ${s2} vs ${m2}`).toBeLessThan(5 * Math.sqrt((m4 - m2 * m2) / N));
          expect(Math.abs(s4 - m4), `${tag} E L⁴: ${s4} vs ${m4}`).toBeLessThan(5 * Math.sqrt((m8 - m4 * m4) / N));
        }
      }
      // and row 1's correlation is LKJ's marginal: (r_10 + 1)/2 ~ Beta(eta − 1 + dim/2, same)
      const am = eta - 1 + dim / 2, r10 = Array.from({ length: N }, (_, k) => Cv[k * dim * dim + dim]);
      const v10 = r10.reduce((x, y) => x + y * y, 0) / N, want = 1 / (2 * am + 1);
      expect(Math.abs(v10 - want), `dim ${dim} eta ${eta} E r10²`).toBeLessThan(5 * Math.sqrt((3 / ((2 * am + 1) * (2 * am + 3)) - want * want) / N));
    }
  });
});

describe('Wishart', () => {
  const mkw = (key: string) => (df: torch.Tensor, m: torch.Tensor) => new Wishart(df, { [camel[key]]: m });
  it("logProb, entropy, moments and matrices from scaleTril, covarianceMatrix, precisionMatrix: PyTorch's values and gradients", async () => {
    const M: Record<string, unknown> = { scale_tril: SL, covariance_matrix: SIG[0], precision_matrix: SIG[1] };
    for (const key of Object.keys(M)) {
      const R = REF.wishart[key], ps = [DF, M[key]];
      close(await run(mkw(key), (d) => d.logProb(t(WV)), ps, F), R.log_prob, TOL, `${key}.log_prob`);
      // (2e-10: the gradient for df goes through troupe's trigamma, good to about 1e-10 in float64)
      close(await run(mkw(key), (d) => d.entropy(), ps, F), R.entropy, 2e-10, `${key}.entropy`);
      for (const k of ['mean', 'variance', 'covariance_matrix', 'precision_matrix', 'scale_tril']) close(await run(mkw(key), (d) => d[camel[k] ?? k], ps, F), R[k], TOL, `${key}.${k}`);
      close(await nested(new Wishart(t(DF), { [camel[key]]: t(M[key]) }).mode), R.mode, TOL, `${key}.mode`);
      close(await nested(new Wishart(t([5.5, 7.0]), { [camel[key]]: t(M[key]) }).mode), R.mode_high, TOL, `${key}.mode_high`);
    }
  });
  it('a number df; shapes, expand, repr, errors', async () => {
    const R = REF.wishart, w = new Wishart(3.5, { scaleTril: t(SL) });
    close(await nested(w.logProb(t(WV))), R.number_df.log_prob, TOL, 'number.log_prob');
    close(await nested(w.entropy()), R.number_df.entropy, TOL, 'number.entropy');
    expect([...w.batchShape]).toEqual(R.number_df.batch);
    const dw = new Wishart(t(DF), { scaleTril: t(SL) }), ew = dw.expand([2, 2]);
    expect([...dw.batchShape]).toEqual(R.shapes.batch);
    expect([...dw.eventShape]).toEqual(R.shapes.event);
    expect([...ew.batchShape]).toEqual(R.shapes.expand_batch);
    close(await nested(ew.logProb(t(WV[0]))), R.shapes.expand_log_prob, TOL, 'expand.log_prob');
    close(await nested(ew.entropy()), R.shapes.expand_entropy, TOL, 'expand.entropy');
    expect(dw.toString()).toBe(R.repr);
    expect(new Wishart(3.5, { covarianceMatrix: t(SIG[0]) }).toString()).toBe(R.repr_number);
    const E = R.errors;
    expect(errorOf(() => new Wishart(3.0))).toBe(E.none);
    expect(errorOf(() => new Wishart(3.0, { scaleTril: t(SL), covarianceMatrix: t(SIG[0]) }))).toBe(E.two);
    expect(errorOf(() => new Wishart(3.0, { scaleTril: t([1, 2]) }))).toBe(E.dim);
    expect(errorOf(() => new Wishart(1.5, { scaleTril: t(SL) }))).toBe(E.df);
    expect(errorOf(() => dw.logProb(t([[1, 2, 0], [2, 1, 0], [0, 0, 1]])))).toBe(E.value);
    expect(errorOf(() => new Wishart(3.0, { scaleTril: t([[1, 0], [0.5, -1]]) }))).toBe(E.scale);
  });
  it('Bartlett draws: mean df·Σ and the variance formula over 20000 draws; d E[X]/d df = Σ through the reparameterized χ²', async () => {
    torch.manualSeed(51);
    const N = 20000, d = new Wishart(t(3.5), { scaleTril: t(SL) });
    const X = await values(d.sample([N])), mean = await values(d.mean), vr = await values(d.variance);
    const cov = await values(d.covarianceMatrix);
    for (let e = 0; e < 9; e++) {
      let s = 0, s2 = 0;
      for (let k = 0; k < N; k++) { const v = X[9 * k + e]; s += v; s2 += v * v; }
      const m = s / N, v = s2 / N - m * m;
      expect(Math.abs(m - mean[e]), `mean ${e}: ${m} vs ${mean[e]}`).toBeLessThan(5 * Math.sqrt(vr[e] / N));
      // the sample variance within 8% (its relative standard error here is below 1.6%)
      expect(Math.abs(v / vr[e] - 1), `variance ${e}: ${v} vs ${vr[e]}`).toBeLessThan(0.08);
    }
    // symmetric, positive definite draws
    for (let k = 0; k < 50; k++) expect(X[9 * k + 1]).toBe(X[9 * k + 3]);
    const df = t(3.5).requiresGrad_();
    const n = 20000;
    await new Wishart(df, { scaleTril: t(SL) }).rsample([n]).sum(0).div(n).select(0, 0).select(0, 0).backward();
    // E[X00] = df Σ00: its derivative Σ00, the average of per-draw derivatives (standard error about 2%)
    expect(Math.abs((await values(df.grad!))[0] / cov[0] - 1)).toBeLessThan(0.1);
  });
});

describe('determinism', () => {
  it('the same draws under manualSeed', async () => {
    const draw = () => {
      torch.manualSeed(77);
      return [new LR(t(LOC), t(W), t(DG)).sample([3]), new LKJCholesky(3, 1.5).sample([2]), new Wishart(4, { scaleTril: t(SL) }).sample([2])];
    };
    const a = await Promise.all(draw().map(values)), b = await Promise.all(draw().map(values));
    expect(a).toEqual(b);
  });
});
