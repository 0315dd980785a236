/**
 * More of torch.distributions as PyTorch 1.13 has it: LowRankMultivariateNormal (with the KLs PyTorch
 * registers for it against itself and MultivariateNormal, both ways), LKJCholesky and Wishart.
 *
 * Formulas are PyTorch's, op for op (so are the gradients): LowRankMultivariateNormal works through the
 * capacitance matrix C = I + Wᵀ D⁻¹ W (its Cholesky factor made once, at construction), the Woodbury
 * identity for the Mahalanobis term and the matrix determinant lemma for the log-determinant; its
 * scaleTril is PyTorch's √D · chol(D^-½ W Wᵀ D^-½ + I). The printed forms, argConstraints, supports and
 * error messages are PyTorch's (value checks where the values can be read now: see src/distributions.ts).
 *
 * Draws come from troupe's seeded generator, not PyTorch's values: LowRankMultivariateNormal as
 * loc + W ε_W + √D ε_D; LKJCholesky by PyTorch's onion method (Beta draws of the squared radii, normal
 * draws normalized to the hypersphere, the diagonal filled in); Wishart by PyTorch's Bartlett
 * decomposition (√χ² on the diagonal, reparameterized, clamped above eps; normals below it).
 *
 * LKJCholesky's draws follow PyTorch 1.13's law, which is LKJ's only in its first two rows: row i ≥ 2 takes
 * its squared radius from Beta(i − ½, …) where the onion method has Beta(i/2, …) (E r_20² is 0.375, not ⅓,
 * at dim 3, concentration ½). Ported as it is; its logProb is the true LKJ density.
 *
 * Differences from PyTorch: Wishart draws a full matrix of normals and keeps its strictly lower triangle
 * (PyTorch draws p(p−1)/2 and scatters them: same law, other values), and does not redraw singular samples
 * (PyTorch's max_try_correction loop; with df > p − 1 they occur with probability zero, only by rounding);
 * its low-df warning is not printed. Wishart's df must be readable now for its df > p − 1 check (else it
 * is skipped, as the other value checks).
 */
import { Tensor, add, arange, cat, clamp, compare, deviceName, eye, log, matmul, mul, randn, sqrt, sub, sum, tensor, valuesNow, where, zeros } from './tensor.ts';
import { tril } from './ops-more.ts';
import { flip } from './ops-sort.ts';
import { diagEmbed } from './ops-misc.ts';
import { triangularSolve, choleskySolve } from './ops-api2.ts';
import { cholesky, diagonal, slogdet, vectorNorm } from './linalg.ts';
import { multigammaln } from './special.ts';
import { lgamma, digamma } from './distributions-extra.ts';
import { noGrad } from './autograd/graph.ts';
import { broadcastShapes } from './shape.ts';
import { formatSize, pyFloat } from './format.ts';
import {
  Constraint, Distribution, MultivariateNormal, Beta, Chi2, broadcastAll, constraints, registerKl, type DistributionOptions,
} from './distributions.ts';
import type { DType } from './runtime/protocol.ts';

type Param = Tensor | number;
const dev = (t: Tensor) => deviceName(t.device);
const finfo = (d: DType) => (d === 'float64' ? { eps: 2 ** -52, tiny: 2 ** -1022 } : { eps: 2 ** -23, tiny: 2 ** -126 });

/** A bare instance of C with these fields (PyTorch's _get_checked_instance + expand, unchecked). */
function bare<D extends Distribution>(C: abstract new (...a: never[]) => D, d: Distribution, batchShape: readonly number[], fields: Record<string, unknown>): D {
  const n = Object.create(C.prototype) as D;
  const raw = n as unknown as Record<string, unknown>;
  raw._batchShape = [...batchShape];
  raw._eventShape = [...d.eventShape];
  raw.validateArgs = d.validateArgs;
  raw._params = {};
  raw._known = {};
  Object.assign(raw, fields);
  return n;
}

// =============================================================== helpers (PyTorch's, by name)

/** L⁻¹ B for L lower-triangular (linalg.solve_triangular(L, B, upper=False)), batch dims broadcast. */
const solveTril = (L: Tensor, B: Tensor) => triangularSolve(B, L, { upper: false }).solution;
/** _batch_mv: bmat @ bvec over the batch. */
const batchMv = (M: Tensor, v: Tensor) => matmul(M, v.unsqueeze(-1)).squeeze(-1);
/** _batch_mahalanobis: ‖L⁻¹ x‖² over the last dim. */
const batchMahalanobis = (L: Tensor, x: Tensor) => sum(solveTril(L, x.unsqueeze(-1)).squeeze(-1).pow(2), -1);
/** _batch_trace_XXT: Σ X² over the last two dims. */
const batchTraceXXT = (X: Tensor) => sum(sum(X.pow(2), -1), -1);
/** 2 Σ log diag(L): log det(L Lᵀ). */
const logDetTril = (L: Tensor) => mul(sum(log(diagonal(L)), -1), 2);

/** _batch_capacitance_tril: chol(I + Wᵀ D⁻¹ W). */
function capacitanceTril(W: Tensor, D: Tensor): Tensor {
  const m = W.shape[W.ndim - 1];
  const WtDinv = W.mT.div(D.unsqueeze(-2));
  return cholesky(add(matmul(WtDinv, W), eye(m, { dtype: W.dtype, device: dev(W) })));
}
/** _batch_lowrank_logdet: log|W Wᵀ + D| = log|C| + log|D|. */
const lowrankLogdet = (D: Tensor, C: Tensor) => add(logDetTril(C), sum(log(D), -1));
/** _batch_lowrank_mahalanobis: xᵀ (W Wᵀ + D)⁻¹ x by Woodbury. */
function lowrankMahalanobis(W: Tensor, D: Tensor, x: Tensor, C: Tensor): Tensor {
  const WtDinv = W.mT.div(D.unsqueeze(-2));
  const WtDinvX = batchMv(WtDinv, x);
  return sub(sum(x.pow(2).div(D), -1), batchMahalanobis(C, WtDinvX));
}

// =============================================================== LowRankMultivariateNormal

/** LowRankMultivariateNormal(loc, covFactor, covDiag): the Gaussian of covariance W Wᵀ + diag(D). */
export class LowRankMultivariateNormal extends Distribution {
  readonly loc!: Tensor;
  readonly covFactor!: Tensor;
  readonly covDiag!: Tensor;
  /** the parameters as given, before broadcasting (PyTorch's _unbroadcasted_cov_factor / _cov_diag) */
  readonly unbroadcastedCovFactor!: Tensor;
  readonly unbroadcastedCovDiag!: Tensor;
  /** chol(I + Wᵀ D⁻¹ W) (PyTorch's _capacitance_tril) */
  readonly capacitanceTril!: Tensor;
  private _cache: Record<string, Tensor> = {};
  constructor(loc: Tensor, covFactor: Tensor, covDiag: Tensor, o: DistributionOptions = {}) {
    for (const [k, t] of [['loc', loc], ['covFactor', covFactor], ['covDiag', covDiag]] as const) {
      if (!(t instanceof Tensor)) throw new TypeError(`LowRankMultivariateNormal: ${k} must be a Tensor, got ${typeof t}`);
    }
    if (loc.ndim < 1) throw new Error('loc must be at least one-dimensional.');
    const n = loc.shape[loc.ndim - 1];
    if (covFactor.ndim < 2) throw new Error('cov_factor must be at least two-dimensional, with optional leading batch dimensions');
    if (covFactor.shape[covFactor.ndim - 2] !== n) throw new Error(`cov_factor must be a batch of matrices with shape ${n} x m`);
    if (covDiag.ndim < 1 || covDiag.shape[covDiag.ndim - 1] !== n) throw new Error(`cov_diag must be a batch of vectors with shape ${formatSize([n])}`);
    let full: number[];
    try {
      full = broadcastShapes(broadcastShapes([...loc.shape, 1], covFactor.shape), [...covDiag.shape, 1]);
    } catch {
      throw new Error(`Incompatible batch shapes: loc ${formatSize(loc.shape)}, cov_factor ${formatSize(covFactor.shape)}, cov_diag ${formatSize(covDiag.shape)}`);
    }
    const m = full[full.length - 1], batch = full.slice(0, -2);
    const C = capacitanceTril(covFactor, covDiag);
    super(batch, [n], o, false);
    const self = this as unknown as Record<string, unknown>;
    self.loc = loc.expand([...batch, n]);
    self.covFactor = covFactor.expand([...batch, n, m]);
    self.covDiag = covDiag.expand([...batch, n]);
    self.unbroadcastedCovFactor = covFactor;
    self.unbroadcastedCovDiag = covDiag;
    self.capacitanceTril = C;
    this._params = { loc: this.loc, cov_factor: this.covFactor, cov_diag: this.covDiag };
    if (this.validateArgs) this.validateParams();
  }
  override get argConstraints(): Record<string, Constraint | null> {
    return { loc: constraints.realVector, cov_factor: constraints.independent(constraints.real, 2), cov_diag: constraints.independent(constraints.positive, 1) };
  }
  override get support() { return constraints.realVector; }
  override get hasRsample() { return true; }
  private get fullShape(): number[] { return [...this._batchShape, ...this._eventShape, ...this._eventShape]; }
  override get mean() { return this.loc; }
  override get mode() { return this.loc; }
  override get variance(): Tensor {
    return (this._cache.variance ??= add(sum(this.unbroadcastedCovFactor.pow(2), -1), this.unbroadcastedCovDiag).expand([...this._batchShape, ...this._eventShape]));
  }
  get scaleTril(): Tensor {
    if (this._cache.scaleTril) return this._cache.scaleTril;
    const n = this._eventShape[0], W = this.unbroadcastedCovFactor;
    const dsq = sqrt(this.unbroadcastedCovDiag).unsqueeze(-1);
    const X = W.div(dsq);
    const K = add(matmul(X, X.mT), eye(n, { dtype: W.dtype, device: dev(W) }));
    return (this._cache.scaleTril = mul(dsq, cholesky(K)).expand(this.fullShape));
  }
  get covarianceMatrix(): Tensor {
    const W = this.unbroadcastedCovFactor;
    return (this._cache.covarianceMatrix ??= add(matmul(W, W.mT), diagEmbed(this.unbroadcastedCovDiag)).expand(this.fullShape));
  }
  get precisionMatrix(): Tensor {
    if (this._cache.precisionMatrix) return this._cache.precisionMatrix;
    const W = this.unbroadcastedCovFactor, D = this.unbroadcastedCovDiag;
    const A = solveTril(this.capacitanceTril, W.mT.div(D.unsqueeze(-2)));
    return (this._cache.precisionMatrix = sub(diagEmbed(D.reciprocal()), matmul(A.mT, A)).expand(this.fullShape));
  }
  override expand(batchShape: readonly number[]): LowRankMultivariateNormal {
    const b = [...batchShape], n = this._eventShape[0], m = this.covFactor.shape[this.covFactor.ndim - 1];
    const loc = this.loc.expand([...b, n]), covDiag = this.covDiag.expand([...b, n]), covFactor = this.covFactor.expand([...b, n, m]);
    return bare(LowRankMultivariateNormal, this, b, {
      loc, covDiag, covFactor, _params: { loc, cov_factor: covFactor, cov_diag: covDiag }, _cache: {},
      unbroadcastedCovFactor: this.unbroadcastedCovFactor, unbroadcastedCovDiag: this.unbroadcastedCovDiag, capacitanceTril: this.capacitanceTril,
    });
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape), m = this.covFactor.shape[this.covFactor.ndim - 1];
    const o = { dtype: this.loc.dtype, device: dev(this.loc) };
    const epsW = randn([...shape.slice(0, -1), m], o), epsD = randn(shape, o);
    return add(add(this.loc, batchMv(this.unbroadcastedCovFactor, epsW)), mul(sqrt(this.unbroadcastedCovDiag), epsD));
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const diff = sub(value, this.loc);
    const M = lowrankMahalanobis(this.unbroadcastedCovFactor, this.unbroadcastedCovDiag, diff, this.capacitanceTril);
    const logDet = lowrankLogdet(this.unbroadcastedCovDiag, this.capacitanceTril);
    return mul(add(add(logDet, this._eventShape[0] * Math.log(2 * Math.PI)), M), -0.5);
  }
  override entropy(): Tensor {
    const logDet = lowrankLogdet(this.unbroadcastedCovDiag, this.capacitanceTril);
    const H = mul(add(logDet, this._eventShape[0] * (1 + Math.log(2 * Math.PI))), 0.5);
    return this._batchShape.length === 0 ? H : H.expand([...this._batchShape]);
  }
}

function sameEvent(p: Distribution, q: Distribution, what: string): void {
  // (the spaces are those of PyTorch's message, a line continuation inside its string)
  if (p.eventShape[0] !== q.eventShape[0]) throw new Error(`KL-divergence between two ${what} with${' '.repeat(26)}different event shapes cannot be computed`);
}
registerKl(LowRankMultivariateNormal, LowRankMultivariateNormal, (p, q) => {
  sameEvent(p, q, 'Low Rank Multivariate Normals');
  const qW = q.unbroadcastedCovFactor, qD = q.unbroadcastedCovDiag, pW = p.unbroadcastedCovFactor, pD = p.unbroadcastedCovDiag;
  const term1 = sub(lowrankLogdet(qD, q.capacitanceTril), lowrankLogdet(pD, p.capacitanceTril));
  const term3 = lowrankMahalanobis(qW, qD, sub(q.loc, p.loc), q.capacitanceTril);
  const A = solveTril(q.capacitanceTril, qW.mT.div(qD.unsqueeze(-2)));
  const term21 = sum(pD.div(qD), -1);
  const term22 = batchTraceXXT(mul(pW, qD.rsqrt().unsqueeze(-1)));
  const term23 = batchTraceXXT(mul(A, sqrt(pD).unsqueeze(-2)));
  const term24 = batchTraceXXT(matmul(A, pW));
  const term2 = sub(sub(add(term21, term22), term23), term24);
  return mul(sub(add(add(term1, term2), term3), p.eventShape[0]), 0.5);
});
registerKl(MultivariateNormal, LowRankMultivariateNormal, (p, q) => {
  sameEvent(p, q, '(Low Rank) Multivariate Normals');
  const qW = q.unbroadcastedCovFactor, qD = q.unbroadcastedCovDiag, pL = p.unbroadcastedScaleTril;
  const term1 = sub(lowrankLogdet(qD, q.capacitanceTril), logDetTril(pL));
  const term3 = lowrankMahalanobis(qW, qD, sub(q.loc, p.loc), q.capacitanceTril);
  const A = solveTril(q.capacitanceTril, qW.mT.div(qD.unsqueeze(-2)));
  const term21 = batchTraceXXT(mul(pL, qD.rsqrt().unsqueeze(-1)));
  const term22 = batchTraceXXT(matmul(A, pL));
  return mul(sub(add(add(term1, sub(term21, term22)), term3), p.eventShape[0]), 0.5);
});
registerKl(LowRankMultivariateNormal, MultivariateNormal, (p, q) => {
  sameEvent(p, q, '(Low Rank) Multivariate Normals');
  const qL = q.unbroadcastedScaleTril, pW = p.unbroadcastedCovFactor, pD = p.unbroadcastedCovDiag;
  const term1 = sub(logDetTril(qL), lowrankLogdet(pD, p.capacitanceTril));
  const term3 = batchMahalanobis(qL, sub(q.loc, p.loc));
  const batch = broadcastShapes(qL.shape.slice(0, -2), pW.shape.slice(0, -2)), n = p.eventShape[0];
  const qLb = qL.expand([...batch, n, n]);
  const term21 = batchTraceXXT(solveTril(qLb, pW.expand([...batch, n, pW.shape[pW.ndim - 1]])));
  const term22 = batchTraceXXT(solveTril(qLb, diagEmbed(sqrt(pD)).expand([...batch, n, n])));
  return mul(sub(add(add(term1, add(term21, term22)), term3), n), 0.5);
});

// =============================================================== LKJCholesky

/** LKJCholesky(dim, concentration = 1): lower Cholesky factors L of correlation matrices, with density of
 * L Lᵀ proportional to det(L Lᵀ)^(concentration − 1). */
export class LKJCholesky extends Distribution {
  readonly dim: number;
  readonly concentration: Tensor;
  protected _beta: Beta;
  constructor(dim: number, concentration: Param = 1, o: DistributionOptions = {}) {
    if (!(dim >= 2)) throw new Error(`Expected dim to be an integer greater than or equal to 2. Found dim=${dim}.`);
    const [c] = broadcastAll([concentration]);
    super([...c.shape], [dim, dim], o, false);
    this.dim = dim;
    this.concentration = c;
    this._params = { concentration: c };
    if (typeof concentration === 'number') this._known = { concentration };
    this._beta = LKJCholesky.beta(dim, c);
    if (this.validateArgs) this.validateParams();
  }
  private static beta(dim: number, c: Tensor): Beta {
    const marginal = add(c, 0.5 * (dim - 2));
    const o = { dtype: c.dtype, device: dev(c) };
    const offset = cat([zeros([1], o), arange(dim - 1, o)]);
    // (validated by the default, whatever the LKJCholesky's validateArgs: PyTorch builds it so, and a
    // concentration that is not positive fails there first, in the Beta's Dirichlet)
    return new Beta(add(offset, 0.5), sub(marginal.unsqueeze(-1), mul(offset, 0.5)));
  }
  override get argConstraints(): Record<string, Constraint | null> { return { concentration: constraints.positive }; }
  override get support() { return constraints.corrCholesky; }
  override expand(batchShape: readonly number[]): LKJCholesky {
    const c = this.concentration.expand([...batchShape]);
    return bare(LKJCholesky, this, batchShape, { dim: this.dim, concentration: c, _params: { concentration: c }, _beta: this._beta.expand([...batchShape, this.dim]) });
  }
  /** PyTorch's onion-method draw. */
  override sample(sampleShape: readonly number[] = []): Tensor {
    return noGrad(() => {
      const y = this._beta.sample(sampleShape).unsqueeze(-1);
      const shape = this.extendedShape(sampleShape), o = { dtype: y.dtype, device: dev(y) };
      const u = tril(randn(shape, o), -1);
      // row 0 is all zeros (0/0 in PyTorch, then filled with 0)
      const notFirst = compare('gt', arange(this.dim, o).unsqueeze(-1), 0);
      const uh = where(notFirst, u.div(vectorNorm(u, 2, -1, true)), 0);
      const w = mul(sqrt(y), uh);
      const diag = sqrt(clamp(sub(1, sum(w.pow(2), -1)), finfo(w.dtype).tiny));
      return add(w, diagEmbed(diag));
    });
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const d = this.dim, c = this.concentration;
    const diag = diagonal(value).narrow(-1, 1, d - 1);
    const order = add(mul(sub(c, 1).unsqueeze(-1), 2), sub(d, arange(2, d + 1, { dtype: c.dtype, device: dev(c) })));
    const unnormalized = sum(mul(order, log(diag)), -1);
    const dm1 = d - 1;
    const alpha = add(c, 0.5 * dm1);
    const denominator = mul(lgamma(alpha), dm1);
    const numerator = multigammaln(sub(alpha, 0.5), dm1);
    const normalize = sub(add(numerator, 0.5 * dm1 * Math.log(Math.PI)), denominator);
    return sub(unnormalized, normalize);
  }
}

// =============================================================== Wishart

export type WishartArgs = { covarianceMatrix?: Tensor; precisionMatrix?: Tensor; scaleTril?: Tensor; validateArgs?: boolean };

/** PyTorch's _precision_to_scale_tril (as MultivariateNormal's). */
function precisionToScaleTril(P: Tensor): Tensor {
  const p = P.shape[P.ndim - 1];
  const Lf = cholesky(flip(P, [-2, -1]));
  const LInv = flip(Lf, [-2, -1]).mT;
  return solveTril(LInv, eye(p, { dtype: P.dtype, device: dev(P) }));
}
/** _mvdigamma: Σ_i ψ(x − i/2), i < p. */
const mvdigamma = (x: Tensor, p: number) => sum(digamma(sub(x.unsqueeze(-1), arange(p, { dtype: x.dtype, device: dev(x) }).div(2))), -1);

/** Wishart(df, { covarianceMatrix } | { precisionMatrix } | { scaleTril }): positive-definite p × p
 * matrices, df > p − 1 degrees of freedom. */
export class Wishart extends Distribution {
  readonly df: Tensor;
  /** the lower Cholesky factor as given or computed, before broadcasting (PyTorch's _unbroadcasted_scale_tril) */
  readonly unbroadcastedScaleTril: Tensor;
  protected _distChi2: Chi2;
  constructor(df: Param, m: WishartArgs = {}, o: DistributionOptions = {}) {
    const given = (['covarianceMatrix', 'precisionMatrix', 'scaleTril'] as const).filter((k) => m[k] !== undefined && m[k] !== null);
    if (given.length !== 1) throw new Error('Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.');
    const key = given[0], M = m[key]!;
    if (!(M instanceof Tensor)) throw new TypeError(`Wishart: ${key} must be a Tensor, got ${typeof M}`);
    if (M.ndim < 2) throw new Error('scale_tril must be at least two-dimensional, with optional leading batch dimensions');
    const p = M.shape[M.ndim - 1];
    let batch: number[], dfT: Tensor;
    if (typeof df === 'number') {
      batch = M.shape.slice(0, -2);
      dfT = tensor(df, { dtype: M.dtype, device: dev(M) });
    } else {
      if (!(df instanceof Tensor)) throw new TypeError(`Wishart: df must be a number or a Tensor, got ${typeof df}`);
      batch = broadcastShapes(M.shape.slice(0, -2), df.shape);
      dfT = df.expand(batch);
    }
    const dfVals = typeof df === 'number' ? [df] : valuesNow(dfT);
    if (dfVals?.some((v) => v <= p - 1)) {
      const shown = typeof df === 'number' ? pyFloat(df) : `tensor(${JSON.stringify(valuesNow(df))})`;
      throw new Error(`Value of df=${shown} expected to be greater than ndim - 1 = ${p - 1}.`);
    }
    super(batch, [p, p], { validateArgs: m.validateArgs ?? o.validateArgs }, false);
    this.df = dfT;
    const pyName = { covarianceMatrix: 'covariance_matrix', precisionMatrix: 'precision_matrix', scaleTril: 'scale_tril' }[key];
    this._params = { [pyName]: M.expand([...batch, p, p]), df: dfT };
    if (typeof df === 'number') this._known = { df };
    if (this.validateArgs) this.validateParams();
    this.unbroadcastedScaleTril = key === 'scaleTril' ? M : key === 'covarianceMatrix' ? cholesky(M) : precisionToScaleTril(M);
    this._distChi2 = Wishart.chi2(dfT, batch, p);
  }
  private static chi2(df: Tensor, batch: number[], p: number): Chi2 {
    return new Chi2(sub(df.unsqueeze(-1), arange(p, { dtype: df.dtype, device: dev(df) }).expand([...batch, p])), { validateArgs: false });
  }
  override get argConstraints(): Record<string, Constraint | null> {
    const p = this._eventShape[1];
    return { covariance_matrix: constraints.positiveDefinite, precision_matrix: constraints.positiveDefinite, scale_tril: constraints.lowerCholesky, df: constraints.greaterThan(p - 1) };
  }
  override get support() { return constraints.positiveDefinite; }
  override get hasRsample() { return true; }
  private get fullShape(): number[] { return [...this._batchShape, ...this._eventShape]; }
  get scaleTril(): Tensor { return (this._params.scale_tril ??= this.unbroadcastedScaleTril.expand(this.fullShape)); }
  get covarianceMatrix(): Tensor {
    const L = this.unbroadcastedScaleTril;
    return (this._params.covariance_matrix ??= matmul(L, L.mT).expand(this.fullShape));
  }
  get precisionMatrix(): Tensor {
    const L = this.unbroadcastedScaleTril, p = this._eventShape[1];
    return (this._params.precision_matrix ??= choleskySolve(eye(p, { dtype: L.dtype, device: dev(L) }), L).expand(this.fullShape));
  }
  private dfView(): Tensor { return this.df.reshape([...this._batchShape, 1, 1]); }
  override get mean() { return mul(this.dfView(), this.covarianceMatrix); }
  override get mode() {
    const factor = sub(this.df, this._eventShape[1] + 1);
    return mul(where(compare('le', factor, 0), NaN, factor).reshape([...this._batchShape, 1, 1]), this.covarianceMatrix);
  }
  override get variance() {
    const V = this.covarianceMatrix, d = diagonal(V);
    return mul(this.dfView(), add(V.pow(2), mul(d.unsqueeze(-1), d.unsqueeze(-2))));
  }
  override expand(batchShape: readonly number[]): Wishart {
    const b = [...batchShape], p = this._eventShape[1], cov = [...b, p, p];
    const ps: Record<string, Tensor> = {};
    for (const k of ['covariance_matrix', 'precision_matrix', 'scale_tril']) if (this._params[k]) ps[k] = this._params[k].expand(cov);
    const df = this.df.expand(b);
    ps.df = df;
    return bare(Wishart, this, b, { df, _params: ps, unbroadcastedScaleTril: this.unbroadcastedScaleTril.expand(cov), _distChi2: Wishart.chi2(df, b, p) });
  }
  /** PyTorch's _bartlett_sampling: L A Aᵀ Lᵀ, A lower-triangular with √χ²(df − i) on its diagonal. */
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const p = this._eventShape[1], L = this.unbroadcastedScaleTril;
    const chi = sqrt(this._distChi2.rsample(sampleShape));
    const noiseDiag = diagEmbed(clamp(chi, finfo(chi.dtype).eps));
    const below = tril(randn([...sampleShape, ...this._batchShape, p, p], { dtype: L.dtype, device: dev(L) }), -1);
    const chol = matmul(L, add(noiseDiag, below));
    return matmul(chol, chol.mT);
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const nu = this.df, p = this._eventShape[1], L = this.unbroadcastedScaleTril;
    const t1 = mul(nu, add(sum(log(diagonal(L)), -1), (p * Math.LN2) / 2));
    const t2 = multigammaln(nu.div(2), p);
    const t3 = mul(sub(nu, p + 1).div(2), slogdet(value).logabsdet);
    const t4 = sum(diagonal(choleskySolve(value, L)), -1).div(2);
    return sub(sub(sub(t3, t1), t2), t4);
  }
  override entropy(): Tensor {
    const nu = this.df, p = this._eventShape[1], L = this.unbroadcastedScaleTril;
    const t1 = mul(add(sum(log(diagonal(L)), -1), (p * Math.LN2) / 2), p + 1);
    const t2 = multigammaln(nu.div(2), p);
    const t3 = mul(sub(nu, p + 1).div(2), mvdigamma(nu.div(2), p));
    return add(sub(add(t1, t2), t3), mul(nu, p / 2));
  }
}
