/**
 * More of torch.distributions as PyTorch 1.13 has it: Geometric, NegativeBinomial, Multinomial,
 * OneHotCategorical, OneHotCategoricalStraightThrough, Cauchy, HalfCauchy, FisherSnedecor, Kumaraswamy,
 * ContinuousBernoulli, VonMises and MixtureSameFamily, with the KLs PyTorch registers for them
 * (Geometric, OneHotCategorical, Cauchy and ContinuousBernoulli pairs; ContinuousBernoulli against
 * Exponential, Normal, Uniform and Pareto, and Beta, Uniform against ContinuousBernoulli; the infinite
 * ones of Exponential, Gamma, Gumbel, Laplace, Normal and Pareto against ContinuousBernoulli).
 *
 * Formulas are PyTorch's, op for op (so are the gradients), as in src/distributions.ts; the printed forms,
 * supports, argConstraints and validation messages are PyTorch's (the value checks made where the values
 * can be read now: see src/distributions.ts). Kumaraswamy is a TransformedDistribution, as PyTorch's;
 * HalfCauchy is a plain class over a Cauchy, as HalfNormal is here (same values and repr).
 *
 * Draws come from troupe's seeded generator, not PyTorch's values: Geometric by inversion of a uniform,
 * NegativeBinomial as a Poisson of a Gamma draw, Multinomial as counts of Categorical draws, Cauchy by
 * x.cauchy_'s tan, ContinuousBernoulli by its icdf of a uniform, FisherSnedecor as a ratio of Gamma draws
 * (reparameterized: gradients flow), VonMises by PyTorch's rejection scheme (Best and Fisher's) run as
 * VONMISES_ROUNDS rounds at once on tensors (each element keeps its first accepted candidate; no read back).
 *
 * Differences from PyTorch: MixtureSameFamily pads the mixture's probabilities by the difference of the
 * batch ranks (PyTorch's _pad_mixture_dimensions uses the batch shapes' numel, which gives wrong shapes
 * when a mixture of smaller batch rank is broadcast over a larger batch), and its sample accepts a mixture
 * of smaller batch rank (PyTorch's gather fails there). Multinomial.expand keeps a working entropy (PyTorch's
 * expanded copy has lost its _binomial).
 */
import {
  Tensor, Size, abs, acos, add, atan, compare, cos, deviceName, exp, eye, floor, full, gather, log, logSoftmax, mul, neg, rand, remainder,
  reshape, sigmoid, sign, sin, sqrt, sub, sum, tensor, valuesNow, where, zeros, zerosLike, clamp, pow,
} from './tensor.ts';
import { log1p, logsumexp, fullLike } from './ops-more.ts';
import { binaryCrossEntropyWithLogits, logsigmoid, oneHot } from './functional.ts';
import { cauchyFill, poisson } from './ops-random.ts';
import { lgamma, digamma } from './distributions-extra.ts';
import { noGrad } from './autograd/graph.ts';
import { formatSize, formatTensor } from './format.ts';
import {
  Constraint, Distribution, FoldedAtZero, Categorical, Binomial, Gamma, Beta, Exponential, Normal, Uniform, Laplace, broadcastAll, clampProbs, constraints,
  logitsToProbs, probsToLogits, registerKl, type DistributionOptions, type ProbsOrLogits,
} from './distributions.ts';
import { TransformedDistribution, PowerTransform, AffineTransform, Gumbel, Pareto, eulerConstant } from './distributions-transforms.ts';
import type { DType } from './runtime/protocol.ts';

type Param = Tensor | number;
const dev = (t: Tensor) => deviceName(t.device);
const finfo = (d: DType) => (d === 'float64' ? { eps: 2 ** -52, tiny: 2 ** -1022 } : { eps: 2 ** -23, tiny: 2 ** -126 });
const isNum = (x: unknown): x is number => typeof x === 'number';

function knownOf(names: string[], args: unknown[]): Record<string, number> {
  const r: Record<string, number> = {};
  names.forEach((n, i) => { if (typeof args[i] === 'number') r[n] = args[i] as number; });
  return r;
}
/** probs or logits as the constructors take them: a parameter alone is probs. */
function probsOrLogits(a: Param | ProbsOrLogits, o: DistributionOptions): { probs?: unknown; logits?: unknown; validateArgs?: boolean } {
  if (a instanceof Tensor || typeof a === 'number') return { probs: a, validateArgs: o.validateArgs };
  if (a === null || typeof a !== 'object') return { validateArgs: o.validateArgs };
  return { ...a, validateArgs: a.validateArgs ?? o.validateArgs };
}
function oneOf(a: { probs?: unknown; logits?: unknown }): ['probs' | 'logits', Param] {
  if ((a.probs === undefined || a.probs === null) === (a.logits === undefined || a.logits === null)) {
    throw new Error('Either `probs` or `logits` must be specified, but not both.');
  }
  return a.probs != null ? ['probs', a.probs as Param] : ['logits', a.logits as Param];
}
/** A bare instance of C with these fields (PyTorch's _get_checked_instance + expand, unchecked). */
function bare<D extends Distribution>(C: abstract new (...a: never[]) => D, d: Distribution, batchShape: readonly number[], fields: Record<string, unknown>, eventShape = [...d.eventShape]): D {
  const n = Object.create(C.prototype) as D;
  const raw = n as unknown as Record<string, unknown>;
  raw._batchShape = [...batchShape];
  raw._eventShape = eventShape;
  raw.validateArgs = d.validateArgs;
  raw._params = {};
  raw._known = {};
  Object.assign(raw, fields);
  return n;
}
const inflike = (t: Tensor) => fullLike(t, Infinity);

// =============================================================== Geometric

/** Geometric({ probs } | { logits }) (or Geometric(probs)): the number of failures before the first
 * success in Bernoulli(probs) trials, k = 0, 1, …. */
export class Geometric extends Distribution {
  constructor(args: Param | ProbsOrLogits, o: DistributionOptions = {}) {
    const a = probsOrLogits(args, o);
    const [name, given] = oneOf(a);
    const [p] = broadcastAll([given]);
    super(isNum(given) ? [] : [...p.shape], [], { validateArgs: a.validateArgs }, false);
    this._params = { [name]: p };
    this._known = knownOf([name], [given]);
    if (this.validateArgs) {
      this.validateParams();
      if (name === 'probs') {
        const vals = isNum(given) ? [given] : valuesNow(p);
        const bad = vals?.filter((x) => !(x > 0));
        if (bad?.length) {
          const shown = formatTensor({ data: bad, shape: [bad.length], dtype: p.dtype, device: dev(p), requiresGrad: false });
          throw new Error(`Expected parameter probs (Tensor of shape ${pyTuple(p.shape)}) of distribution ${this.toString()} to be positive but found invalid values:\n${shown}`);
        }
      }
    }
  }
  override get argConstraints(): Record<string, Constraint | null> { return { probs: constraints.unitInterval, logits: constraints.real }; }
  override get support() { return constraints.nonnegativeInteger; }
  get probs(): Tensor { return (this._params.probs ??= logitsToProbs(this._params.logits, true)); }
  get logits(): Tensor { return (this._params.logits ??= probsToLogits(this._params.probs, true)); }
  override get mean() { return sub(this.probs.reciprocal(), 1); }
  override get mode() { return zerosLike(this.probs); }
  override get variance() { return sub(this.probs.reciprocal(), 1).div(this.probs); }
  override expand(batchShape: readonly number[]): Geometric {
    const ps: Record<string, Tensor> = {};
    for (const k of ['probs', 'logits']) if (this._params[k]) ps[k] = this._params[k].expand([...batchShape]);
    return bare(Geometric, this, batchShape, { _params: ps });
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    return noGrad(() => {
      const p = this.probs.detach();
      const u = clamp(rand(shape, { dtype: p.dtype, device: dev(p) }), finfo(p.dtype).tiny);
      return floor(log(u).div(log1p(neg(p))));
    });
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const [v, p] = broadcastAll([value, this.probs]);
    const q = where(compare('eq', p, 1).logicalAnd(compare('eq', v, 0)), 0, p);
    return add(mul(v, log1p(neg(q))), log(this.probs));
  }
  override entropy(): Tensor { return binaryCrossEntropyWithLogits(this.logits, this.probs, { reduction: 'none' }).div(this.probs); }
}
const pyTuple = (s: readonly number[]) => (s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`);

// =============================================================== NegativeBinomial

/** GreaterThanEq(lower_bound=0) as PyTorch prints NegativeBinomial's (an int bound). */
const nonnegativeIntBound = new Constraint('GreaterThanEq(lower_bound=0)', (x) => x >= 0).typed('_GreaterThanEq', { lowerBound: 0 });

/** NegativeBinomial(totalCount, probs | { probs } | { logits }): the number of successes before
 * totalCount failures, successes of probability probs. */
export class NegativeBinomial extends Distribution {
  totalCount: Tensor;
  constructor(totalCount: Param, args: Param | ProbsOrLogits, o: DistributionOptions = {}) {
    const a = probsOrLogits(args, o);
    const [name, given] = oneOf(a);
    const [n, p] = broadcastAll([totalCount, given]);
    super([...p.shape], [], { validateArgs: a.validateArgs }, false);
    this.totalCount = n.dtype === p.dtype ? n : n.to({ dtype: p.dtype });
    this._params = { total_count: this.totalCount, [name]: p };
    this._known = knownOf(['total_count', name], [totalCount, given]);
    if (this.validateArgs) this.validateParams();
  }
  override get argConstraints(): Record<string, Constraint | null> {
    return { total_count: nonnegativeIntBound, probs: constraints.halfOpenInterval(0, 1), logits: constraints.real };
  }
  override get support() { return constraints.nonnegativeInteger; }
  protected get param(): Tensor { return this._params.probs ?? this._params.logits; }
  get paramShape(): Size { return Size.from(this.param.shape) as Size; }
  get probs(): Tensor { return (this._params.probs ??= logitsToProbs(this._params.logits, true)); }
  get logits(): Tensor { return (this._params.logits ??= probsToLogits(this._params.probs, true)); }
  override get mean() { return mul(this.totalCount, exp(this.logits)); }
  override get mode() { return clamp(floor(mul(sub(this.totalCount, 1), exp(this.logits))), 0); }
  override get variance() { return this.mean.div(sigmoid(neg(this.logits))); }
  override expand(batchShape: readonly number[]): NegativeBinomial {
    const b = [...batchShape], ps: Record<string, Tensor> = { total_count: this.totalCount.expand(b) };
    for (const k of ['probs', 'logits']) if (this._params[k]) ps[k] = this._params[k].expand(b);
    return bare(NegativeBinomial, this, batchShape, { _params: ps, totalCount: ps.total_count });
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    return noGrad(() => {
      const rate = new Gamma(this.totalCount.detach(), exp(neg(this.logits.detach())), { validateArgs: false }).sample(sampleShape);
      return poisson(rate);
    });
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const n = this.totalCount, l = this.logits;
    const unnorm = add(mul(n, logsigmoid(neg(l))), mul(value, logsigmoid(l)));
    const norm = add(sub(lgamma(add(value, 1)), lgamma(add(n, value))), lgamma(n));
    return sub(unnorm, where(compare('eq', add(n, value), 0), 0, norm));
  }
}

// =============================================================== Multinomial, OneHotCategorical

/** Multinomial(total_count)'s support: non-negative vectors summing to at most total_count (PyTorch's check). */
const multinomialSupport = (n: number) => new Constraint('Multinomial()', null, 1, true, (r) => r.every((x) => x >= 0) && r.reduce((s, x) => s + x, 0) <= n)
  .typed('_Multinomial', { upperBound: n });
const oneHotSupport = new Constraint('OneHot()', null, 1, true, (r: number[]) => r.every((x) => x === 0 || x === 1) && r.reduce((s: number, x: number) => s + x, 0) === 1).typed('_OneHot');

/** Multinomial(totalCount = 1, probs | { probs } | { logits }): counts of totalCount Categorical draws. */
export class Multinomial extends Distribution {
  readonly totalCount: number;
  protected _categorical!: Categorical;
  constructor(totalCount: number, args: Tensor | ProbsOrLogits, o: DistributionOptions = {}) {
    if (!Number.isInteger(totalCount)) throw new Error('NotImplementedError: inhomogeneous total_count is not supported');
    const cat = new Categorical(args);
    super(cat.batchShape, cat.paramShape.slice(-1), o);
    this.totalCount = totalCount;
    this._categorical = cat;
  }
  override get argConstraints(): Record<string, Constraint | null> { return { probs: constraints.simplex, logits: constraints.realVector }; }
  override get support() { return multinomialSupport(this.totalCount); }
  get probs(): Tensor { return this._categorical.probs; }
  get logits(): Tensor { return this._categorical.logits; }
  get paramShape(): Size { return this._categorical.paramShape; }
  override get mean() { return mul(this.probs, this.totalCount); }
  override get variance() { return mul(mul(this.probs, this.totalCount), sub(1, this.probs)); }
  override expand(batchShape: readonly number[]): Multinomial {
    return bare(Multinomial, this, batchShape, { totalCount: this.totalCount, _categorical: this._categorical.expand(batchShape) });
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    return noGrad(() => {
      const K = this._eventShape[0];
      const s = this._categorical.sample([this.totalCount, ...sampleShape]);
      if (this.totalCount === 0) return zeros(this.extendedShape(sampleShape), { dtype: this.probs.dtype, device: dev(this.probs) });
      return sum(oneHot(s, K).to({ dtype: this.probs.dtype }), 0);
    });
  }
  override entropy(): Tensor {
    const n = this.totalCount, p = this.probs;
    const term1 = sub(mul(this._categorical.entropy(), n), lgamma(full([], n + 1, { dtype: p.dtype, device: dev(p) })));
    if (n === 0) return term1;
    const support = reshape(tensor(Array.from({ length: n }, (_, i) => i + 1), { dtype: p.dtype, device: dev(p) }), [n, ...p.shape.map(() => 1)]);
    const bin = new Binomial({ totalCount: n, probs: p }, { validateArgs: false });
    const term2 = sum(sum(mul(exp(bin.logProb(support)), lgamma(add(support, 1))), 0), -1);
    return add(term1, term2);
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const [l0, v] = broadcastAll([this.logits, value]);
    const l = where(compare('eq', v, 0).logicalAnd(compare('eq', l0, -Infinity)), 0, l0);
    return add(sub(lgamma(add(sum(v, -1), 1)), sum(lgamma(add(v, 1)), -1)), sum(mul(l, v), -1));
  }
}

/** OneHotCategorical(probs | { probs } | { logits }): Categorical draws as one-hot vectors. */
export class OneHotCategorical extends Distribution {
  protected _categorical!: Categorical;
  constructor(args: Tensor | ProbsOrLogits, o: DistributionOptions = {}) {
    const cat = new Categorical(args);
    super(cat.batchShape, cat.paramShape.slice(-1), o);
    this._categorical = cat;
  }
  override get argConstraints(): Record<string, Constraint | null> { return { probs: constraints.simplex, logits: constraints.realVector }; }
  override get support() { return oneHotSupport; }
  override get hasEnumerateSupport() { return true; }
  get probs(): Tensor { return this._categorical.probs; }
  get logits(): Tensor { return this._categorical.logits; }
  get paramShape(): Size { return this._categorical.paramShape; }
  override get mean() { return this.probs; }
  override get mode() {
    const p = this.probs;
    return oneHot(p.argmax(-1), p.shape[p.ndim - 1]).to({ dtype: p.dtype });
  }
  override get variance() { return mul(this.probs, sub(1, this.probs)); }
  override expand(batchShape: readonly number[]): this {
    const C = this.constructor as abstract new (...a: never[]) => this;
    return bare(C, this, batchShape, { _categorical: this._categorical.expand(batchShape) });
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    return noGrad(() => oneHot(this._categorical.sample(sampleShape), this._eventShape[0]).to({ dtype: this.probs.dtype }));
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    return this._categorical.logProb(value.argmax(-1));
  }
  override entropy(): Tensor { return this._categorical.entropy(); }
  override enumerateSupport(expand = true): Tensor {
    const n = this._eventShape[0], p = this.paramShape.length ? this._categorical.probs : this.probs;
    let values = reshape(eye(n, { dtype: p.dtype, device: dev(p) }), [n, ...this._batchShape.map(() => 1), n]);
    if (expand) values = values.expand([n, ...this._batchShape, n]);
    return values;
  }
}

/** OneHotCategoricalStraightThrough: OneHotCategorical whose rsample passes gradients straight through
 * (sample + probs − probs.detach()). */
export class OneHotCategoricalStraightThrough extends OneHotCategorical {
  override get hasRsample() { return true; }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const s = this.sample(sampleShape), p = this.probs;
    return add(s, sub(p, p.detach()));
  }
}

// =============================================================== Cauchy, HalfCauchy

/** Cauchy(loc, scale): density 1 / (π·scale·(1 + ((x − loc)/scale)²)). */
export class Cauchy extends Distribution {
  loc: Tensor;
  scale: Tensor;
  constructor(loc: Param, scale: Param, o: DistributionOptions = {}) {
    const [l, s] = broadcastAll([loc, scale]);
    super(isNum(loc) && isNum(scale) ? [] : [...l.shape], [], o, false);
    this.loc = l; this.scale = s;
    this._params = { loc: l, scale: s };
    this._known = knownOf(['loc', 'scale'], [loc, scale]);
    if (this.validateArgs) this.validateParams();
  }
  override get argConstraints(): Record<string, Constraint | null> { return { loc: constraints.real, scale: constraints.positive }; }
  override get support() { return constraints.real; }
  override get hasRsample() { return true; }
  override get mean() { return full(this.extendedShape(), NaN, { dtype: this.loc.dtype, device: dev(this.loc) }); }
  override get mode() { return this.loc; }
  override get variance() { return full(this.extendedShape(), Infinity, { dtype: this.loc.dtype, device: dev(this.loc) }); }
  override expand(batchShape: readonly number[]): Cauchy {
    const b = [...batchShape], loc = this.loc.expand(b), scale = this.scale.expand(b);
    return bare(Cauchy, this, batchShape, { loc, scale, _params: { loc, scale } });
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const eps = cauchyFill(zeros(this.extendedShape(sampleShape), { dtype: this.loc.dtype, device: dev(this.loc) }), 0, 1);
    return add(this.loc, mul(eps, this.scale));
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    return sub(sub(-Math.log(Math.PI), log(this.scale)), log(add(sub(value, this.loc).div(this.scale).pow(2), 1)));
  }
  override cdf(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    return add(atan(sub(value, this.loc).div(this.scale)).div(Math.PI), 0.5);
  }
  override icdf(value: Tensor): Tensor {
    const a = mul(sub(value, 0.5), Math.PI);
    return add(mul(sin(a).div(cos(a)), this.scale), this.loc);
  }
  override entropy(): Tensor { return add(log(this.scale), Math.log(4 * Math.PI)); }
}

/** HalfCauchy(scale): |X| for X ~ Cauchy(0, scale). (PyTorch's is a TransformedDistribution; its repr
 * prints no parameter, as here.) */
export class HalfCauchy extends FoldedAtZero<Cauchy> {
  constructor(scale: Param, o: DistributionOptions = {}) {
    super(scale, o, (s) => new Cauchy(isNum(scale) ? 0 : zerosLike(s), s, { validateArgs: false }));
  }
  override get mean() { return full(this.extendedShape(), Infinity, { dtype: this.scale.dtype, device: dev(this.scale) }); }
  override get mode() { return zerosLike(this.scale); }
  override get variance() { return this.baseDist.variance; }
  override expand(batchShape: readonly number[]): HalfCauchy {
    return bare(HalfCauchy, this, batchShape, { baseDist: this.baseDist.expand(batchShape) });
  }
  override toString(): string { return 'HalfCauchy()'; }
}

// =============================================================== FisherSnedecor

/** FisherSnedecor(df1, df2): (X1/df1) / (X2/df2) for X1 ~ χ²(df1), X2 ~ χ²(df2) (drawn as Gamma(df/2, df)). */
export class FisherSnedecor extends Distribution {
  df1: Tensor;
  df2: Tensor;
  protected _gamma1: Gamma;
  protected _gamma2: Gamma;
  constructor(df1: Param, df2: Param, o: DistributionOptions = {}) {
    const [a, b] = broadcastAll([df1, df2]);
    // (PyTorch makes the Gammas with the default validation: their errors come first)
    const g1 = new Gamma(mul(a, 0.5), a), g2 = new Gamma(mul(b, 0.5), b);
    super(isNum(df1) && isNum(df2) ? [] : [...a.shape], [], o, false);
    this.df1 = a; this.df2 = b; this._gamma1 = g1; this._gamma2 = g2;
    this._params = { df1: a, df2: b };
    this._known = knownOf(['df1', 'df2'], [df1, df2]);
    if (this.validateArgs) this.validateParams();
  }
  override get argConstraints(): Record<string, Constraint | null> { return { df1: constraints.positive, df2: constraints.positive }; }
  override get support() { return constraints.positive; }
  override get hasRsample() { return true; }
  override get mean() {
    const d2 = where(compare('le', this.df2, 2), NaN, this.df2);
    return d2.div(sub(d2, 2));
  }
  override get mode() {
    const m = mul(sub(this.df1, 2).div(this.df1), this.df2.div(add(this.df2, 2)));
    return where(compare('le', this.df1, 2), NaN, m);
  }
  override get variance() {
    const d2 = where(compare('le', this.df2, 4), NaN, this.df2);
    return mul(mul(d2.pow(2), 2), sub(add(this.df1, d2), 2)).div(mul(mul(this.df1, sub(d2, 2).pow(2)), sub(d2, 4)));
  }
  override expand(batchShape: readonly number[]): FisherSnedecor {
    const b = [...batchShape], df1 = this.df1.expand(b), df2 = this.df2.expand(b);
    return bare(FisherSnedecor, this, batchShape, { df1, df2, _params: { df1, df2 }, _gamma1: this._gamma1.expand(b), _gamma2: this._gamma2.expand(b) });
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const X1 = reshape(this._gamma1.rsample(sampleShape), shape);
    const tiny = finfo(X1.dtype).tiny;
    const X2 = clamp(reshape(this._gamma2.rsample(sampleShape), shape), tiny);
    return clamp(X1.div(X2), tiny);
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const ct1 = mul(this.df1, 0.5), ct2 = mul(this.df2, 0.5), ct3 = this.df1.div(this.df2);
    const t1 = sub(sub(lgamma(add(ct1, ct2)), lgamma(ct1)), lgamma(ct2));
    const t2 = add(mul(ct1, log(ct3)), mul(sub(ct1, 1), log(value)));
    const t3 = mul(add(ct1, ct2), log1p(mul(ct3, value)));
    return sub(add(t1, t2), t3);
  }
}

// =============================================================== Kumaraswamy

/** b·B(1 + n/a, b): the n-th moment of Kumaraswamy(a, b) (PyTorch's _moments). */
function kumaraswamyMoment(a: Tensor, b: Tensor, n: number): Tensor {
  const arg1 = add(a.reciprocal().mul(n), 1);
  return mul(b, exp(sub(add(lgamma(arg1), lgamma(b)), lgamma(add(arg1, b)))));
}

/** Kumaraswamy(concentration1, concentration0): (1 − (1 − U)^(1/c0))^(1/c1), U uniform (PyTorch's
 * TransformedDistribution of Uniform(0, 1) by x^(1/c0), 1 − x, x^(1/c1)). */
export class Kumaraswamy extends TransformedDistribution {
  concentration1!: Tensor;
  concentration0!: Tensor;
  constructor(concentration1: Param, concentration0: Param, o: DistributionOptions = {}) {
    const [c1, c0] = broadcastAll([concentration1, concentration0]);
    const base = new Uniform(fullLike(c0, 0), fullLike(c0, 1), o);
    super(base, [new PowerTransform(c0.reciprocal()), new AffineTransform(1, -1), new PowerTransform(c1.reciprocal())], o);
    this.concentration1 = c1; this.concentration0 = c0;
    this._params = { concentration1: c1, concentration0: c0 };
    this._known = knownOf(['concentration1', 'concentration0'], [concentration1, concentration0]);
    if (this.validateArgs) this.validateParams();
  }
  override get argConstraints(): Record<string, Constraint | null> { return { concentration1: constraints.positive, concentration0: constraints.positive }; }
  override get support(): Constraint { return constraints.unitInterval; }
  override expand(batchShape: readonly number[]): Kumaraswamy {
    const n = Object.create(Kumaraswamy.prototype) as Kumaraswamy, b = [...batchShape];
    n.concentration1 = this.concentration1.expand(b); n.concentration0 = this.concentration0.expand(b);
    this.expandInto(n, batchShape);
    n._params = { concentration1: n.concentration1, concentration0: n.concentration0 };
    return n;
  }
  override get mean() { return kumaraswamyMoment(this.concentration1, this.concentration0, 1); }
  override get mode() {
    const c1 = this.concentration1, c0 = this.concentration0;
    const logMode = sub(mul(c0.reciprocal(), log1p(neg(c0))), log1p(neg(mul(c0, c1))));
    return exp(where(compare('lt', c0, 1).logicalOr(compare('lt', c1, 1)), NaN, logMode));
  }
  override get variance() { return sub(kumaraswamyMoment(this.concentration1, this.concentration0, 2), this.mean.pow(2)); }
  override entropy(): Tensor {
    const t1 = sub(1, this.concentration1.reciprocal()), t0 = sub(1, this.concentration0.reciprocal());
    const H0 = add(digamma(add(this.concentration0, 1)), eulerConstant);
    return sub(sub(add(t0, mul(t1, H0)), log(this.concentration1)), log(this.concentration0));
  }
}

// =============================================================== ContinuousBernoulli

export type ContinuousBernoulliArgs = ProbsOrLogits & { lims?: [number, number] };

/** ContinuousBernoulli({ probs } | { logits }, lims = [0.499, 0.501]) (or ContinuousBernoulli(probs)): the
 * density ∝ probs^x (1 − probs)^(1 − x) on [0, 1]; Taylor expansions where probs is within lims of ½. */
export class ContinuousBernoulli extends Distribution {
  protected _lims: [number, number];
  constructor(args: Param | ContinuousBernoulliArgs, o: DistributionOptions = {}) {
    const a = probsOrLogits(args, o) as { probs?: unknown; logits?: unknown; validateArgs?: boolean; lims?: [number, number] };
    const [name, given] = oneOf(a);
    let [p] = broadcastAll([given]);
    if (name === 'probs') {
      // (PyTorch checks the probs given only where validate_args was passed, true or false, then clamps them)
      if (a.validateArgs !== undefined) {
        const vals = isNum(given) ? [given] : valuesNow(p);
        if (vals && !vals.every((x) => x >= 0 && x <= 1)) throw new Error('The parameter probs has invalid values');
      }
      p = clampProbs(p);
    }
    super(isNum(given) ? [] : [...p.shape], [], { validateArgs: a.validateArgs }, false);
    this._lims = a.lims ?? [0.499, 0.501];
    this._params = { [name]: p };
    if (name === 'logits') this._known = knownOf(['logits'], [given]);
    if (this.validateArgs) this.validateParams();
  }
  override get argConstraints(): Record<string, Constraint | null> { return { probs: constraints.unitInterval, logits: constraints.real }; }
  override get support() { return constraints.unitInterval; }
  override get hasRsample() { return true; }
  protected get param(): Tensor { return this._params.probs ?? this._params.logits; }
  get paramShape(): Size { return Size.from(this.param.shape) as Size; }
  get probs(): Tensor { return (this._params.probs ??= clampProbs(logitsToProbs(this._params.logits, true))); }
  get logits(): Tensor { return (this._params.logits ??= probsToLogits(this._params.probs, true)); }
  override expand(batchShape: readonly number[]): ContinuousBernoulli {
    const ps: Record<string, Tensor> = {};
    for (const k of ['probs', 'logits']) if (this._params[k]) ps[k] = this._params[k].expand([...batchShape]);
    return bare(ContinuousBernoulli, this, batchShape, { _params: ps, _lims: this._lims });
  }
  protected outsideUnstableRegion(): Tensor {
    return compare('le', this.probs, this._lims[0]).logicalOr(compare('gt', this.probs, this._lims[1]));
  }
  protected cutProbs(): Tensor { return where(this.outsideUnstableRegion(), this.probs, this._lims[0]); }
  /** the log normalizing constant as a function of probs (PyTorch's _cont_bern_log_norm) */
  contBernLogNorm(): Tensor {
    const cut = this.cutProbs();
    const below = where(compare('le', cut, 0.5), cut, 0), above = where(compare('ge', cut, 0.5), cut, 1);
    const logNorm = sub(log(abs(sub(log1p(neg(cut)), log(cut)))), where(compare('le', cut, 0.5), log1p(mul(below, -2)), log(sub(mul(above, 2), 1))));
    const x = sub(this.probs, 0.5).pow(2);
    const taylor = add(mul(add(mul(x, 104 / 45), 4 / 3), x), Math.LN2);
    return where(this.outsideUnstableRegion(), logNorm, taylor);
  }
  override get mean() {
    const cut = this.cutProbs();
    const mus = add(cut.div(sub(mul(cut, 2), 1)), sub(log1p(neg(cut)), log(cut)).reciprocal());
    const x = sub(this.probs, 0.5);
    const taylor = add(mul(add(mul(x.pow(2), 16 / 45), 1 / 3), x), 0.5);
    return where(this.outsideUnstableRegion(), mus, taylor);
  }
  override get variance() {
    const cut = this.cutProbs();
    const vars = add(mul(cut, sub(cut, 1)).div(sub(1, mul(cut, 2)).pow(2)), sub(log1p(neg(cut)), log(cut)).pow(2).reciprocal());
    const x = sub(this.probs, 0.5).pow(2);
    const taylor = sub(1 / 12, mul(sub(1 / 15, mul(x, 128 / 945)), x));
    return where(this.outsideUnstableRegion(), vars, taylor);
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    const u = rand(this.extendedShape(sampleShape), { dtype: this.probs.dtype, device: dev(this.probs) });
    return noGrad(() => this.icdf(u));
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    return this.icdf(rand(this.extendedShape(sampleShape), { dtype: this.probs.dtype, device: dev(this.probs) }));
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const [l, v] = broadcastAll([this.logits, value]);
    return add(neg(binaryCrossEntropyWithLogits(l, v, { reduction: 'none' })), this.contBernLogNorm());
  }
  override cdf(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const cut = this.cutProbs();
    const cdfs = add(mul(pow(cut, value), pow(sub(1, cut), sub(1, value))), sub(cut, 1)).div(sub(mul(cut, 2), 1));
    const unbounded = where(this.outsideUnstableRegion(), cdfs, value);
    return where(compare('le', value, 0), zerosLike(value), where(compare('ge', value, 1), fullLike(value, 1), unbounded));
  }
  override icdf(value: Tensor): Tensor {
    const cut = this.cutProbs();
    const inv = sub(log1p(add(neg(cut), mul(value, sub(mul(cut, 2), 1)))), log1p(neg(cut))).div(sub(log(cut), log1p(neg(cut))));
    return where(this.outsideUnstableRegion(), inv, value);
  }
  override entropy(): Tensor {
    const lp0 = log1p(neg(this.probs)), lp1 = log(this.probs);
    return sub(sub(mul(this.mean, sub(lp0, lp1)), this.contBernLogNorm()), lp0);
  }
}

// =============================================================== VonMises

/** Rounds of the von Mises rejection sampler run at once: each accepts with probability above 0.65
 * (Best and Fisher's envelope), so all 40 reject with probability below 1e-18. */
const VONMISES_ROUNDS = 40;
const I0_SMALL = [1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.360768e-1, 0.45813e-2];
const I0_LARGE = [0.39894228, 0.1328592e-1, 0.225319e-2, -0.157565e-2, 0.916281e-2, -0.2057706e-1, 0.2635537e-1, -0.1647633e-1, 0.392377e-2];
const I1_SMALL = [0.5, 0.87890594, 0.51498869, 0.15084934, 0.2658733e-1, 0.301532e-2, 0.32411e-3];
const I1_LARGE = [0.39894228, -0.3988024e-1, -0.362018e-2, 0.163801e-2, -0.1031555e-1, 0.2282967e-1, -0.2895312e-1, 0.1787654e-1, -0.420059e-2];
function evalPoly(y: Tensor, coef: number[]): Tensor {
  let r: Tensor | number = coef[coef.length - 1];
  for (let i = coef.length - 2; i >= 0; i--) r = add(mul(y, r), coef[i]);
  return r as Tensor;
}
/** log I_order(x), order 0 or 1 (PyTorch's _log_modified_bessel_fn: Abramowitz and Stegun's polynomials). */
export function logModifiedBesselFn(x: Tensor, order: 0 | 1 = 0): Tensor {
  const y = x.div(3.75).pow(2);
  let small = evalPoly(y, order === 0 ? I0_SMALL : I1_SMALL);
  if (order === 1) small = mul(abs(x), small);
  const yl = x.reciprocal().mul(3.75);
  const large = add(sub(x, mul(log(x), 0.5)), log(evalPoly(yl, order === 0 ? I0_LARGE : I1_LARGE)));
  return where(compare('lt', x, 3.75), log(small), large);
}

/** VonMises(loc, concentration): the circular normal on [−π, π), density exp(κ cos(x − loc)) / (2π I0(κ)). */
export class VonMises extends Distribution {
  loc: Tensor;
  concentration: Tensor;
  protected _proposalR: Tensor;
  constructor(loc: Param, concentration: Param, o: DistributionOptions = {}) {
    const [l, c] = broadcastAll([loc, concentration]);
    super([...l.shape], [], o, false);
    this.loc = l; this.concentration = c;
    const tau = add(sqrt(add(mul(c.pow(2), 4), 1)), 1);
    const rho = sub(tau, sqrt(mul(tau, 2))).div(mul(c, 2));
    this._proposalR = add(rho.pow(2), 1).div(mul(rho, 2));
    this._params = { loc: l, concentration: c };
    this._known = knownOf(['loc', 'concentration'], [loc, concentration]);
    if (this.validateArgs) this.validateParams();
  }
  override get argConstraints(): Record<string, Constraint | null> { return { loc: constraints.real, concentration: constraints.positive }; }
  override get support() { return constraints.real; }
  override get mean() { return this.loc; }
  override get mode() { return this.loc; }
  override get variance() {
    return sub(1, exp(sub(logModifiedBesselFn(this.concentration, 1), logModifiedBesselFn(this.concentration, 0))));
  }
  override expand(batchShape: readonly number[]): VonMises {
    const b = [...batchShape];
    return new VonMises(this.loc.expand(b), this.concentration.expand(b), { validateArgs: this.validateArgs });
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const lp = mul(this.concentration, cos(sub(value, this.loc)));
    return sub(sub(lp, Math.log(2 * Math.PI)), logModifiedBesselFn(this.concentration, 0));
  }
  /** PyTorch's rejection scheme (Best and Fisher), its rounds drawn at once: u1, u2, u3 uniform,
   * z = cos(π u1), f = (1 + r z)/(r + z), c = κ(r − f), accepted where c(2 − c) > u2 or log(c/u2) + 1 ≥ c,
   * giving ±acos(f) by u3; the first accepted round is kept. */
  override sample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    return noGrad(() => {
      const o = { dtype: this.loc.dtype, device: dev(this.loc) }, R = VONMISES_ROUNDS;
      const k = this.concentration.detach().expand(shape).unsqueeze(-1), r = this._proposalR.detach().expand(shape).unsqueeze(-1);
      const u1 = rand([...shape, R], o), u2 = rand([...shape, R], o), u3 = rand([...shape, R], o);
      const z = cos(mul(u1, Math.PI));
      const f = add(mul(r, z), 1).div(add(r, z));
      const c = mul(k, sub(r, f));
      const accept = compare('gt', sub(mul(c, sub(2, c)), u2), 0).logicalOr(compare('ge', sub(add(log(c.div(u2)), 1), c), 0));
      const cand = mul(sign(sub(u3, 0.5)), acos(f));
      const x = firstAccepted(accept, cand);
      return sub(remainder(add(add(x, Math.PI), this.loc.detach()), 2 * Math.PI), Math.PI);
    });
  }
}
/** Each row's (last dim's) first candidate where accept holds, else its last. */
function firstAccepted(accept: Tensor, cand: Tensor): Tensor {
  const R = accept.shape[accept.ndim - 1];
  const a = accept.to({ dtype: cand.dtype });
  const first = accept.logicalAnd(compare('eq', a.cumsum(-1), 1));
  const none = compare('eq', sum(a, -1), 0);
  return where(none, cand.narrow(-1, R - 1, 1).squeeze(-1), sum(where(first, cand, 0), -1));
}

// =============================================================== MixtureSameFamily

/** MixtureSameFamily(mixtureDistribution: Categorical, componentDistribution): a draw of the component
 * the Categorical picks, the components along the component distribution's last batch dim. */
export class MixtureSameFamily extends Distribution {
  protected _mixture: Categorical;
  protected _component: Distribution;
  protected _numComponent: number;
  protected _eventNdims: number;
  constructor(mixtureDistribution: Categorical, componentDistribution: Distribution, o: DistributionOptions = {}) {
    if (!(mixtureDistribution instanceof Categorical)) throw new Error(' The Mixture distribution needs to be an  instance of torch.distribtutions.Categorical');
    if (!(componentDistribution instanceof Distribution)) throw new Error('The Component distribution need to be an instance of torch.distributions.Distribution');
    const mdbs = [...mixtureDistribution.batchShape], cdbs = componentDistribution.batchShape.slice(0, -1);
    for (let i = 1; i <= Math.min(mdbs.length, cdbs.length); i++) {
      const s1 = mdbs[mdbs.length - i], s2 = cdbs[cdbs.length - i];
      if (s1 !== 1 && s2 !== 1 && s1 !== s2) {
        throw new Error(`\`mixture_distribution.batch_shape\` (${formatSize(mdbs)}) is not compatible with \`component_distribution.batch_shape\`(${formatSize(cdbs)})`);
      }
    }
    const l = mixtureDistribution.logits;
    const km = l.shape[l.ndim - 1], kc = componentDistribution.batchShape[componentDistribution.batchShape.length - 1];
    if (km !== kc) throw new Error(`\`mixture_distribution component\` (${km}) does not equal \`component_distribution.batch_shape[-1]\` (${kc})`);
    super(cdbs, componentDistribution.eventShape, o);
    this._mixture = mixtureDistribution;
    this._component = componentDistribution;
    this._numComponent = km;
    this._eventNdims = componentDistribution.eventShape.length;
  }
  override get argConstraints(): Record<string, Constraint | null> { return {}; }
  override get support(): Constraint { return this._component.support; }
  get mixtureDistribution(): Categorical { return this._mixture; }
  get componentDistribution(): Distribution { return this._component; }
  override expand(batchShape: readonly number[]): MixtureSameFamily {
    const comp = this._component.expand([...batchShape, this._numComponent]);
    return bare(MixtureSameFamily, this, batchShape, {
      _component: comp, _mixture: this._mixture.expand(batchShape), _numComponent: this._numComponent, _eventNdims: this._eventNdims,
    }, [...comp.eventShape]);
  }
  private pad(x: Tensor): Tensor { return x.unsqueeze(-1 - this._eventNdims); }
  /** The mixture's [..., k] probabilities shaped to multiply the components' [B, k, E] (batch ranks' difference
   * padded; see the top on PyTorch's numel). */
  private padMixture(x: Tensor): Tensor {
    const padNdims = this._mixture.batchShape.length === 0 ? 0 : this._batchShape.length - this._mixture.batchShape.length;
    const xs = x.shape;
    return reshape(x, [...xs.slice(0, -1), ...Array(padNdims).fill(1), xs[xs.length - 1], ...Array(this._eventNdims).fill(1)]);
  }
  override get mean() {
    const probs = this.padMixture(this._mixture.probs);
    return sum(mul(probs, this._component.mean), -1 - this._eventNdims);
  }
  override get variance() {
    const probs = this.padMixture(this._mixture.probs), d = -1 - this._eventNdims;
    const meanCondVar = sum(mul(probs, this._component.variance), d);
    const varCondMean = sum(mul(probs, sub(this._component.mean, this.pad(this.mean)).pow(2)), d);
    return add(meanCondVar, varCondMean);
  }
  override cdf(x: Tensor): Tensor {
    const cdfX = this._component.cdf(this.pad(x));
    return sum(mul(cdfX, this._mixture.probs), -1);
  }
  override logProb(x: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(x);
    const lp = this._component.logProb(this.pad(x));
    return logsumexp(add(lp, logSoftmax(this._mixture.logits, -1)), -1);
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    return noGrad(() => {
      const ss = [...sampleShape], es = this._eventShape;
      const gatherDim = ss.length + this._batchShape.length;
      const mix = this._mixture.sample(ss);
      const comp = this._component.sample(ss);
      // the index [S, B, 1, E...] (a mixture of smaller batch rank broadcast over B)
      let idx = reshape(mix, [...mix.shape, ...Array(es.length + 1).fill(1)]);
      const lead = [...ss, ...this._batchShape];
      idx = reshape(idx, [...ss, ...Array(lead.length - mix.ndim).fill(1), ...mix.shape.slice(ss.length), 1, ...es.map(() => 1)]).expand([...lead, 1, ...es]);
      return gather(comp, gatherDim, idx).squeeze(gatherDim);
    });
  }
  override toString(): string { return `MixtureSameFamily(\n  ${this._mixture},\n  ${this._component})`; }
  override async format(): Promise<string> { return `MixtureSameFamily(\n  ${await this._mixture.format()},\n  ${await this._component.format()})`; }
}

// =============================================================== KL divergence

registerKl(Geometric, Geometric, (p, q) => sub(sub(neg(p.entropy()), log1p(neg(q.probs)).div(p.probs)), q.logits));
registerKl(OneHotCategorical, OneHotCategorical, (p, q) => {
  const P = (p as unknown as { _categorical: Categorical })._categorical, Q = (q as unknown as { _categorical: Categorical })._categorical;
  let t = mul(P.probs, sub(P.logits, Q.logits));
  t = where(compare('eq', Q.probs, 0).expand([...t.shape]), Infinity, t);
  t = where(compare('eq', P.probs, 0).expand([...t.shape]), 0, t);
  return sum(t, -1);
});
registerKl(Cauchy, Cauchy, (p, q) => {
  const t1 = log(add(add(p.scale, q.scale).pow(2), sub(p.loc, q.loc).pow(2)));
  const t2 = log(mul(mul(p.scale, q.scale), 4));
  return sub(t1, t2);
});
registerKl(ContinuousBernoulli, ContinuousBernoulli, (p, q) => {
  const t1 = mul(p.mean, sub(p.logits, q.logits));
  const t2 = add(p.contBernLogNorm(), log1p(neg(p.probs)));
  const t3 = sub(neg(q.contBernLogNorm()), log1p(neg(q.probs)));
  return add(add(t1, t2), t3);
});
registerKl(ContinuousBernoulli, Exponential, (p, q) => add(sub(neg(p.entropy()), log(q.rate)), mul(q.rate, p.mean)));
registerKl(ContinuousBernoulli, Normal, (p, q) => {
  const t1 = neg(p.entropy());
  const t2 = add(mul(add(q.loc.div(q.scale).pow(2), Math.log(2 * Math.PI)), 0.5), log(q.scale));
  const t3 = sub(add(p.variance, p.mean.pow(2)), mul(mul(q.loc, 2), p.mean)).div(mul(q.scale.pow(2), 2));
  return add(add(t1, t2), t3);
});
registerKl(ContinuousBernoulli, Uniform, (p, q) => {
  const result = add(neg(p.entropy()), log(sub(q.high, q.low)));
  const out = compare('ge', q.low, 0).logicalOr(compare('le', q.high, 1));
  return where(out.expand([...result.shape]), Infinity, result);
});
registerKl(ContinuousBernoulli, Pareto, (p) => inflike(p.probs));
registerKl(Beta, ContinuousBernoulli, (p, q) => sub(sub(sub(neg(p.entropy()), mul(p.mean, q.logits)), log1p(neg(q.probs))), q.contBernLogNorm()));
registerKl(Uniform, ContinuousBernoulli, (p, q) => {
  const result = sub(sub(sub(neg(p.entropy()), mul(p.mean, q.logits)), log1p(neg(q.probs))), q.contBernLogNorm());
  const out = compare('ge', p.high, 1).logicalOr(compare('le', p.low, 0));
  return where(out.expand([...result.shape]), Infinity, result);
});
registerKl(Exponential, ContinuousBernoulli, (p) => inflike(p.rate));
registerKl(Gamma, ContinuousBernoulli, (p) => inflike(p.concentration));
registerKl(Gumbel, ContinuousBernoulli, (p) => inflike(p.loc));
registerKl(Laplace, ContinuousBernoulli, (p) => inflike(p.loc));
registerKl(Normal, ContinuousBernoulli, (p) => inflike(p.loc));
registerKl(Pareto, ContinuousBernoulli, (p) => inflike(p.scale));
