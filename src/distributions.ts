/**
 * torch.distributions as PyTorch 1.13 has it (the part used in RL, VAEs and probabilistic models):
 * Normal, Bernoulli, Categorical, Uniform, Exponential, Laplace, Independent, and kl.klDivergence for the
 * pairs PyTorch registers among them (Normal–Normal, Bernoulli–Bernoulli, Categorical–Categorical,
 * Uniform–Uniform, Exponential–Exponential, Laplace–Laplace, Independent–Independent).
 *
 * Each has PyTorch's batchShape, eventShape, mean, mode, stddev, variance, sample(sampleShape) (no
 * gradient), rsample(sampleShape) (reparameterized, with gradients: Normal, Uniform, Exponential,
 * Laplace, Independent of one of them), logProb, entropy, perplexity, cdf/icdf where PyTorch has them,
 * enumerateSupport for the discrete ones, expand(batchShape), and probs/logits for Bernoulli and
 * Categorical (the one not given is made when first read, by PyTorch's logits_to_probs /
 * probs_to_logits, and from then on appears in the printed form, as PyTorch's lazy_property does).
 * Formulas are PyTorch's, op for op, so the gradients are too.
 *
 * Draws come from the seeded generator (torch.rand / randn, multinomial, bernoulli, exponential_): the
 * results are a function of torch.manualSeed and the order of calls, the same on the CPU and the GPU
 * (discrete draws exactly, continuous ones to the devices' rounding). They are not PyTorch's values.
 *
 * Argument validation (validateArgs, on unless { validateArgs: false }): the shape checks are PyTorch's
 * (event shape, broadcastable values, reinterpretedBatchNdims, probs/logits given both or neither). The
 * value checks (scale > 0, probs in [0, 1], a simplex, low < high, a value within the support) need the
 * values: they are made, with PyTorch's messages, where a parameter was given as a JS number, or is a
 * CPU tensor whose values are final now (nothing queued: runtime valuesNow); on the GPU, or with CPU
 * work still in flight, they are not made (that would need a read back), and an invalid value gives
 * NaN or a meaningless result instead of the error.
 *
 * Printing: toString() is PyTorch's repr, `Normal(loc: torch.Size([2]), scale: torch.Size([2]))`; a
 * one-element parameter is printed with its value, which toString() knows only when it can read it at
 * once (else it prints a placeholder): await d.format() always prints PyTorch's form.
 *
 * Also Gamma, Chi2, Beta, Dirichlet, Poisson, Binomial, MultivariateNormal, StudentT, HalfNormal and
 * LogNormal (HalfNormal and LogNormal as plain classes, not TransformedDistributions: the same values and
 * reprs), with KLs for Gamma, Beta, Dirichlet, Poisson, Binomial and MultivariateNormal pairs (Chi2 by Gamma's).
 * Their draws come from ops-random's standardGamma, poisson and binomial. rsample's gradient with respect
 * to a gamma draw's concentration (Gamma, Chi2, StudentT's df; Beta and Dirichlet through their gamma
 * draws) is the implicit reparameterization gradient, PyTorch's _standard_gamma_grad; Beta and Dirichlet
 * take it through the normalization of their gammas, where PyTorch's _dirichlet_grad differentiates the
 * normalized draw directly: a different, also unbiased, estimator, so per-draw gradients differ. Binomial's
 * entropy and enumerateSupport need totalCount's values (readable now: a number or a final CPU tensor).
 * MultivariateNormal checks PositiveDefinite / LowerCholesky on the host where the values are readable
 * now; a loc whose last dim differs from the matrix's is an error here (PyTorch fails later).
 *
 * Transforms, TransformedDistribution, transformTo / bijectTo and the distributions built on them (Gumbel,
 * Weibull, Pareto, LogisticNormal, RelaxedBernoulli, RelaxedOneHotCategorical) are in
 * src/distributions-transforms.ts; torch.distributions (src/distributions-namespace.ts) exports both.
 *
 * Left out: the cross-family KLs. Gamma.cdf (and Chi2's) is PyTorch 2's (1.13 has none).
 * Normal.cdf and icdf are as precise as troupe's erf: about 2e-7 relative in float32, a few 1e-16 in float64.
 */
import {
  Tensor, Size, format, abs, add, all, clamp, compare, composite, twice, deviceName, exp, floor, full, gather, log, matmul, minimum, mul, neg, rand, randn, reshape, sigmoid, softmax,
  someNow, sqrt, stack as torchStack, sub, sum, valuesNow, where, zeros,
} from './tensor.ts';
import { erf, log1p, expm1, logsumexp, tril } from './ops-more.ts';
import { binaryCrossEntropyWithLogits, softplus } from './functional.ts';
import { multinomial, bernoulli, exponentialFill, poisson, binomial, standardGamma, standardGammaGrad } from './ops-random.ts';
import { lgamma, digamma } from './distributions-extra.ts';
import { xlogy } from './ops-misc.ts';
import { oneHot } from './functional.ts';
import { flip } from './ops-sort.ts';
import { cholesky, diagonal, inv, solve } from './linalg.ts';
import { noGrad } from './autograd/graph.ts';
import { getDefaultDtype } from './dtype.ts';
import { gammainc } from './special.ts';
import { broadcastShapes, numelOf } from './shape.ts';
import { formatSize, formatTensor, pyFloat } from './format.ts';
import type { DType } from './runtime/protocol.ts';

type Param = Tensor | number;
const dev = (t: Tensor) => deviceName(t.device);
const finfo = (d: DType) => (d === 'float64'
  ? { eps: 2 ** -52, tiny: 2 ** -1022, min: -1.7976931348623157e308 }
  : { eps: 2 ** -23, tiny: 2 ** -126, min: -3.4028234663852886e38 });


/** Python's tuple of a shape: (), (2,), (2, 3). */
const tuple = (s: readonly number[]) => (s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`);

/** A 0-d tensor's value as Python prints its item() (what PyTorch's '{}'.format of a 0-d tensor gives). */
function pyScalar(v: number, dtype: DType): string {
  if (dtype === 'bool') return v ? 'True' : 'False';
  if (dtype === 'int32' || dtype === 'int64') return String(v);
  if (dtype === 'float32') v = Math.fround(v);
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return pyFloat(v);
}

/** t as PyTorch's f-strings print it (str(t); a 0-d tensor as its Python number), from values read
 * now (or `vals`), or null. */
function formatNow(t: Tensor, vals: number[] | null = valuesNow(t)): string | null {
  if (!vals) return null;
  if (t.ndim === 0) return pyScalar(vals[0], t.dtype);
  return formatTensor({
    data: vals, shape: t.shape, dtype: t.dtype, device: dev(t),
    requiresGrad: t.requiresGrad && t.isLeaf, gradFn: t.gradFn?.name,
  });
}

// =============================================================== constraints

/**
 * A constraint on a parameter or a value (torch.distributions.constraints): its repr, and a check of
 * values read now (see the top: null where they cannot be read without waiting). `typeName` is PyTorch's
 * class of the constraint ('_Real', '_GreaterThan', '_IndependentConstraint', …), which transformTo and
 * bijectTo look up (src/distributions-transforms.ts); bounds and the base of an IndependentConstraint are
 * kept as PyTorch keeps them (lowerBound, upperBound, baseConstraint, reinterpretedBatchNdims).
 */
export class Constraint {
  /** PyTorch's class of this constraint: what the transform registries dispatch on */
  typeName = '_Constraint';
  /** GreaterThan, GreaterThanEq, Interval, HalfOpenInterval, IntegerInterval: the lower bound (a number or a tensor) */
  lowerBound?: Param;
  /** LessThan, Interval, HalfOpenInterval, IntegerInterval: the upper bound */
  upperBound?: Param;
  /** IndependentConstraint: the constraint of each element, and the dims reinterpreted as one event */
  baseConstraint?: Constraint;
  reinterpretedBatchNdims?: number;
  /** Cat / Stack constraints: the parts, the dim and (Cat) the lengths along it */
  cseq?: Constraint[];
  dim?: number;
  lengths?: number[];
  constructor(
    private readonly repr: string,
    /** whether every element is valid (elementwise constraints) */
    private readonly test: ((x: number) => boolean) | null,
    /** the number of rightmost dims forming one event (simplex, realVector: 1) */
    readonly eventDim = 0,
    readonly isDiscrete = false,
    /** for event constraints: whether one row of the last dim is valid */
    private readonly rowTest: ((row: number[]) => boolean) | null = null,
  ) {}
  /** Whether all of v's values satisfy the constraint; null when they cannot be read now. */
  checkNow(v: Tensor, vals: number[] | null = valuesNow(v)): boolean | null {
    if (!vals) return null;
    if (this.test && !vals.every(this.test)) return false;
    if (this.rowTest) {
      const n = v.ndim === 0 ? 1 : v.shape[v.ndim - 1];
      for (let i = 0; i + n <= vals.length && n > 0; i += n) if (!this.rowTest(vals.slice(i, i + n))) return false;
    }
    return true;
  }
  /** This constraint with another check of values (a dependent or derived constraint), of the same class. */
  withCheck(f: (v: Tensor, vals: number[] | null) => boolean | null): Constraint {
    const c = new Constraint(this.repr, null, this.eventDim, this.isDiscrete);
    c.typed(this.typeName, { lowerBound: this.lowerBound, upperBound: this.upperBound, baseConstraint: this.baseConstraint, reinterpretedBatchNdims: this.reinterpretedBatchNdims });
    c.checkNow = (v: Tensor, vals: number[] | null = valuesNow(v)) => f(v, vals);
    return c;
  }
  /** Sets PyTorch's class name and fields (for the registries); returns this. */
  typed(typeName: string, fields: Partial<Pick<Constraint, 'lowerBound' | 'upperBound' | 'baseConstraint' | 'reinterpretedBatchNdims' | 'cseq' | 'dim' | 'lengths'>> = {}): this {
    this.typeName = typeName;
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) (this as Record<string, unknown>)[k] = v;
    return this;
  }
  toString(): string { return this.repr; }
  [Symbol.for('nodejs.util.inspect.custom')]() { return this.repr; }
}

/** A bound as PyTorch's constraint reprs print it: a Python float, or the tensor as '{}'.format prints it. */
const boundText = (b: Param) => (typeof b === 'number' ? pyFloat(b) : formatNow(b) ?? 'tensor(…)');
/** An elementwise constraint against number or tensor bounds (tensor bounds broadcast with the value,
 * checked where all the values can be read now). */
function bounded(typeName: string, name: string, args: Array<[string, Param]>, test: (x: number, b: number[]) => boolean): Constraint {
  const repr = `${name}(${args.map(([k, b]) => `${k}=${boundText(b)}`).join(', ')})`;
  const bs = args.map(([, b]) => b);
  const fields = { lowerBound: args.find(([k]) => k === 'lower_bound')?.[1], upperBound: args.find(([k]) => k === 'upper_bound')?.[1] };
  if (bs.every((b): b is number => typeof b === 'number')) return new Constraint(repr, (x) => test(x, bs)).typed(typeName, fields);
  return new Constraint(repr, null).withCheck((v, vals) => {
    if (!vals) return null;
    let shape = [...v.shape];
    for (const b of bs) if (b instanceof Tensor) shape = broadcastShapes(shape, b.shape);
    const x = valuesNow(v.expand(shape)), bv = bs.map((b) => (b instanceof Tensor ? valuesNow(b.expand(shape)) : null));
    if (!x || bs.some((b, k) => b instanceof Tensor && !bv[k])) return null;
    return x.every((a, i) => test(a, bs.map((b, k) => (typeof b === 'number' ? b : bv[k]![i]))));
  }).typed(typeName, fields);
}

/** Whether each n×n matrix of vals (row-major, [..., n, n]) has a Cholesky factor (host float64). */
function hostPositiveDefinite(vals: number[], n: number): boolean {
  for (let off = 0; off + n * n <= vals.length && n > 0; off += n * n) {
    const L = new Float64Array(n * n);
    for (let j = 0; j < n; j++) {
      let d = vals[off + j * n + j];
      for (let k = 0; k < j; k++) d -= L[j * n + k] ** 2;
      if (!(d > 0)) return false;
      L[j * n + j] = Math.sqrt(d);
      for (let i = j + 1; i < n; i++) {
        let s = vals[off + i * n + j];
        for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
        L[i * n + j] = s / L[j * n + j];
      }
    }
    // symmetric too (PyTorch's positive_definite checks symmetry first)
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) if (vals[off + i * n + j] !== vals[off + j * n + i]) return false;
  }
  return true;
}
const lastDim = (t: Tensor) => (t.ndim === 0 ? 1 : t.shape[t.ndim - 1]);
/** Whether each matrix of vals is lower triangular (and, with positiveDiagonal, has a positive diagonal;
 * with unitRows, rows of Euclidean norm 1 within PyTorch's tolerance eps·n·10). */
function hostLowerTriangular(v: Tensor, vals: number[], o: { positiveDiagonal?: boolean; unitRows?: boolean } = {}): boolean {
  const n = lastDim(v), tol = (v.dtype === 'float64' ? 2 ** -52 : 2 ** -23) * n * 10;
  for (let off = 0; off + n * n <= vals.length && n > 0; off += n * n) {
    for (let i = 0; i < n; i++) {
      if (o.positiveDiagonal && !(vals[off + i * n + i] > 0)) return false;
      for (let j = i + 1; j < n; j++) if (vals[off + i * n + j] !== 0) return false;
      if (o.unitRows) {
        let s = 0;
        for (let j = 0; j < n; j++) s += vals[off + i * n + j] ** 2;
        if (!(Math.abs(Math.sqrt(s) - 1) <= tol)) return false;
      }
    }
  }
  return true;
}

const real = new Constraint('Real()', (x) => x === x).typed('_Real');
const greaterThan = (lowerBound: Param) => bounded('_GreaterThan', 'GreaterThan', [['lower_bound', lowerBound]], (x, [lo]) => lo < x);
const greaterThanEq = (lowerBound: Param) => bounded('_GreaterThanEq', 'GreaterThanEq', [['lower_bound', lowerBound]], (x, [lo]) => lo <= x);
const interval = (lowerBound: Param, upperBound: Param) => bounded('_Interval', 'Interval', [['lower_bound', lowerBound], ['upper_bound', upperBound]], (x, [lo, hi]) => lo <= x && x <= hi);
/** IndependentConstraint(base, n): base's check, its event dims extended by n. */
function independent(base: Constraint, reinterpretedBatchNdims: number): Constraint {
  if (!(base instanceof Constraint)) throw new TypeError('IndependentConstraint: the base must be a Constraint');
  if (!Number.isInteger(reinterpretedBatchNdims) || reinterpretedBatchNdims < 0) throw new TypeError(`IndependentConstraint: reinterpreted_batch_ndims must be a non-negative integer, got ${reinterpretedBatchNdims}`);
  return new Constraint(`IndependentConstraint(${base}, ${reinterpretedBatchNdims})`, null, base.eventDim + reinterpretedBatchNdims, base.isDiscrete)
    .withCheck((v, vals) => base.checkNow(v, vals))
    .typed('_IndependentConstraint', { baseConstraint: base, reinterpretedBatchNdims });
}

export const constraints = {
  real,
  positive: greaterThan(0),
  nonnegative: greaterThanEq(0),
  unitInterval: interval(0, 1),
  boolean: new Constraint('Boolean()', (x) => x === 0 || x === 1, 0, true).typed('_Boolean'),
  simplex: new Constraint('Simplex()', null, 1, false, (r) => r.every((x) => x >= 0) && Math.abs(r.reduce((a, b) => a + b, 0) - 1) < 1e-6).typed('_Simplex'),
  realVector: independent(real, 1),
  nonnegativeInteger: new Constraint('IntegerGreaterThan(lower_bound=0)', (x) => Number.isInteger(x) && x >= 0, 0, true).typed('_IntegerGreaterThan', { lowerBound: 0 }),
  positiveInteger: new Constraint('IntegerGreaterThan(lower_bound=1)', (x) => Number.isInteger(x) && x >= 1, 0, true).typed('_IntegerGreaterThan', { lowerBound: 1 }),
  integerInterval: (lo: number, hi: number) => new Constraint(`IntegerInterval(lower_bound=${lo}, upper_bound=${hi})`, (x) => Number.isInteger(x) && x >= lo && x <= hi, 0, true)
    .typed('_IntegerInterval', { lowerBound: lo, upperBound: hi }),
  /** Interval(lower_bound, upper_bound), closed; numbers or tensors */
  interval,
  /** HalfOpenInterval(lower_bound, upper_bound): lower ≤ x < upper */
  halfOpenInterval: (lowerBound: Param, upperBound: Param) => bounded('_HalfOpenInterval', 'HalfOpenInterval', [['lower_bound', lowerBound], ['upper_bound', upperBound]], (x, [lo, hi]) => lo <= x && x < hi),
  /** GreaterThan(lower_bound): x > lower */
  greaterThan,
  /** GreaterThanEq(lower_bound): x ≥ lower */
  greaterThanEq,
  /** LessThan(upper_bound): x < upper */
  lessThan: (upperBound: Param) => bounded('_LessThan', 'LessThan', [['upper_bound', upperBound]], (x, [hi]) => x < hi),
  independent,
  lowerTriangular: new Constraint('LowerTriangular()', null, 2).withCheck((v, vals) => (vals ? hostLowerTriangular(v, vals) : null)).typed('_LowerTriangular'),
  lowerCholesky: new Constraint('LowerCholesky()', null, 2).withCheck((v, vals) => (vals ? hostLowerTriangular(v, vals, { positiveDiagonal: true }) : null)).typed('_LowerCholesky'),
  corrCholesky: new Constraint('CorrCholesky()', null, 2).withCheck((v, vals) => (vals ? hostLowerTriangular(v, vals, { positiveDiagonal: true, unitRows: true }) : null)).typed('_CorrCholesky'),
  positiveDefinite: new Constraint('PositiveDefinite()', null, 2).withCheck((v, vals) => (vals ? hostPositiveDefinite(vals, lastDim(v)) : null)).typed('_PositiveDefinite'),
  /** Cat(cseq, dim, lengths): cseq[i] on the i-th slice of lengths[i] (default 1) along dim (torch.cat's layout) */
  cat: (cseq: Constraint[], dim = 0, lengths?: number[]) => {
    const ls = lengths ?? cseq.map(() => 1);
    if (ls.length !== cseq.length) throw new Error(`Cat: ${cseq.length} constraints but ${ls.length} lengths`);
    return partsConstraint('Cat()', cseq, Math.max(...cseq.map((c) => c.eventDim)), (v) => {
      let start = 0;
      return cseq.map((c, i) => { const part = v.narrow(dim, start, ls[i]); start += ls[i]; return [c, part] as [Constraint, Tensor]; });
    }).typed('_Cat', { cseq, dim, lengths: ls });
  },
  /** Stack(cseq, dim): cseq[i] on the i-th index along dim (torch.stack's layout) */
  stack: (cseq: Constraint[], dim = 0) => {
    let ed = Math.max(...cseq.map((c) => c.eventDim));
    if (dim + ed < 0) ed += 1;
    return partsConstraint('Stack()', cseq, ed, (v) => cseq.map((c, i) => [c, v.narrow(dim, i, 1).squeeze(dim < 0 ? v.ndim + dim : dim)] as [Constraint, Tensor])).typed('_Stack', { cseq, dim });
  },
};
/** A constraint made of parts, each checked on its slice of the value (Cat, Stack). */
function partsConstraint(repr: string, cseq: Constraint[], eventDim: number, slices: (v: Tensor) => Array<[Constraint, Tensor]>): Constraint {
  return new Constraint(repr, null, eventDim, cseq.some((c) => c.isDiscrete)).withCheck((v, vals) => {
    if (!vals) return null;
    let res: boolean | null = true;
    for (const [c, part] of slices(v)) {
      const r = c.checkNow(part);
      if (r === false) return false;
      if (r === null) res = null;
    }
    return res;
  });
}

// =============================================================== helpers

/**
 * PyTorch's broadcast_all: numbers become 0-d tensors of the first tensor's dtype and device (float32
 * on the CPU when there is none), then all are broadcast to one shape (a tensor already of that shape
 * is kept as it is).
 */
export function broadcastAll(values: unknown[]): Tensor[] {
  if (!values.every((v) => v instanceof Tensor || typeof v === 'number')) {
    throw new Error('Input arguments must all be instances of numbers.Number, torch.Tensor or objects implementing __torch_function__.');
  }
  const first = values.find((v): v is Tensor => v instanceof Tensor);
  const o = first ? { dtype: first.dtype, device: dev(first) } : { dtype: getDefaultDtype() as DType, device: 'cpu' };
  const ts = (values as Param[]).map((v) => (v instanceof Tensor ? v : full([], v, o)));
  let shape: number[] = [];
  for (const t of ts) shape = broadcastShapes(shape, t.shape);
  return ts.map((t) => (t.shape.length === shape.length && t.shape.every((s, i) => s === shape[i]) ? t : t.expand(shape)));
}

/** PyTorch's _sum_rightmost: the sum over the last `dim` dims. */
export function sumRightmost(v: Tensor, dim: number): Tensor {
  if (dim === 0) return v;
  return sum(reshape(v, [...v.shape.slice(0, v.ndim - dim), -1]), -1);
}

/** logits_to_probs: sigmoid (binary) or softmax over the last dim. */
export function logitsToProbs(logits: Tensor, isBinary = false): Tensor {
  return isBinary ? sigmoid(logits) : softmax(logits, -1);
}
/** clamp_probs: into [eps, 1 − eps] of the dtype. */
export function clampProbs(probs: Tensor): Tensor {
  const { eps } = finfo(probs.dtype);
  return clamp(probs, eps, 1 - eps);
}
/** probs_to_logits: log(p) − log1p(−p) (binary) or log(p), p clamped to [eps, 1 − eps]. */
export function probsToLogits(probs: Tensor, isBinary = false): Tensor {
  const p = clampProbs(probs);
  return isBinary ? sub(log(p), log1p(neg(p))) : log(p);
}

const SQRT_PI_2 = Math.sqrt(Math.PI) / 2;
/**
 * The inverse error function (ErfinvBackward0, d/dx = √π/2·exp(erfinv(x)²)): Giles' single-precision
 * polynomial, then Newton steps against troupe's erf (one; two in float64), so that erf(erfinv(x)) = x to
 * erf's precision.
 */
export function erfinv(x: Tensor): Tensor {
  let out!: Tensor;
  // (out is the node's output: the backward is recorded through it)
  return twice(composite('ErfinvBackward0', [x], () => {
    const w0 = neg(log(mul(sub(1, x), add(x, 1))));
    const small = compare('lt', w0, 5);
    const a = sub(w0, 2.5), b = sub(sqrt(w0), 3);
    const A = [2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941];
    const B = [-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682];
    let pa: Tensor | number = A[0], pb: Tensor | number = B[0];
    for (let i = 1; i < 9; i++) { pa = add(mul(pa as Tensor | number, a) as Tensor, A[i]); pb = add(mul(pb as Tensor | number, b) as Tensor, B[i]); }
    let y = mul(where(small, pa as Tensor, pb as Tensor), x);
    const fin = compare('lt', abs(x), 1);
    // (float64: a second step, erf being float64-accurate there: Newton doubles the correct digits)
    for (let k = 0; k < (x.dtype === 'float64' ? 2 : 1); k++) {
      const step = mul(sub(erf(y), x), mul(exp(mul(y, y)), SQRT_PI_2));
      y = where(fin, sub(y, where(fin, step, 0)), y);
    }
    // ±1 → ±inf (|x| > 1 is NaN by the log above)
    return (out = where(compare('eq', abs(x), 1), mul(x, Infinity), y));
  }, (g) => [mul(g, mul(exp(mul(out, out)), SQRT_PI_2))], x));
}

// =============================================================== Distribution

export interface DistributionOptions { validateArgs?: boolean }
let defaultValidateArgs = true;

/** The base class (torch.distributions.Distribution). */
export abstract class Distribution {
  /** Distribution.set_default_validate_args: whether new distributions validate their arguments. */
  static setDefaultValidateArgs(value: boolean): void {
    if (typeof value !== 'boolean') throw new Error('Expected a boolean');
    defaultValidateArgs = value;
  }
  protected _batchShape: number[];
  protected _eventShape: number[];
  /** whether arguments and values are checked (see the top for which checks need the values) */
  validateArgs: boolean;
  /** the parameters present, by name (PyTorch's __dict__ entries: a lazy one once read) */
  protected _params: Record<string, Tensor> = {};
  /** parameters given as JS numbers: their values, for the checks */
  protected _known: Record<string, number> = {};

  constructor(batchShape: readonly number[] = [], eventShape: readonly number[] = [], o: DistributionOptions = {}, validate = true) {
    this._batchShape = [...batchShape];
    this._eventShape = [...eventShape];
    this.validateArgs = o.validateArgs ?? defaultValidateArgs;
    if (this.validateArgs && validate) this.validateParams();
  }
  /** The constraints of the parameters, in PyTorch's order (null: dependent, not checked). */
  get argConstraints(): Record<string, Constraint | null> { return {}; }
  get support(): Constraint { throw new Error('NotImplementedError'); }
  get batchShape(): Size { return Size.from(this._batchShape) as Size; }
  get eventShape(): Size { return Size.from(this._eventShape) as Size; }
  get hasRsample(): boolean { return false; }
  get hasEnumerateSupport(): boolean { return false; }
  get mean(): Tensor { throw new Error('NotImplementedError'); }
  get mode(): Tensor { throw new Error(`${this.constructor.name} does not implement mode`); }
  get variance(): Tensor { throw new Error('NotImplementedError'); }
  get stddev(): Tensor { return sqrt(this.variance); }

  /** Draws of shape sampleShape + batchShape + eventShape, without gradient. */
  sample(sampleShape: readonly number[] = []): Tensor { return noGrad(() => this.rsample(sampleShape)); }
  /** Reparameterized draws (gradients flow to the parameters), where the distribution has them. */
  rsample(_sampleShape: readonly number[] = []): Tensor { throw new Error('NotImplementedError'); }
  /** sample([n]) (PyTorch's deprecated sample_n). */
  sampleN(n: number): Tensor { return this.sample([n]); }
  logProb(_value: Tensor): Tensor { throw new Error('NotImplementedError'); }
  cdf(_value: Tensor): Tensor { throw new Error('NotImplementedError'); }
  icdf(_value: Tensor): Tensor { throw new Error('NotImplementedError'); }
  entropy(): Tensor { throw new Error('NotImplementedError'); }
  enumerateSupport(_expand = true): Tensor { throw new Error('NotImplementedError'); }
  /** exp(entropy()). */
  perplexity(): Tensor { return exp(this.entropy()); }
  /** A new distribution of the same family with its parameters expanded to batchShape (as Tensor.expand). */
  abstract expand(batchShape: readonly number[]): Distribution;

  /** sampleShape + batchShape + eventShape. */
  extendedShape(sampleShape: readonly number[] = []): number[] {
    if (!Array.isArray(sampleShape)) throw new TypeError(`sample_shape must be a list of ints, got ${typeof sampleShape}`);
    return [...sampleShape, ...this._batchShape, ...this._eventShape];
  }

  /** PyTorch's checks of the parameters' values, where they can be made now (see the top). */
  protected validateParams(): void {
    for (const [name, c] of Object.entries(this.argConstraints)) {
      const value = this._params[name];
      if (!c || !value) continue;
      const vals = name in this._known ? new Array<number>(value.numel()).fill(this._known[name]) : valuesNow(value);
      if (c.checkNow(value, vals) === false) {
        throw new Error(`Expected parameter ${name} (Tensor of shape ${tuple(value.shape)}) of distribution ${this.toString()} `
          + `to satisfy the constraint ${c}, but found invalid values:\n${formatNow(value, vals)}`);
      }
    }
  }

  /** PyTorch's _validate_sample: the value's shape against batchShape + eventShape, then its values
   * against the support where they can be read now. */
  protected validateSample(value: Tensor): void {
    if (!(value instanceof Tensor)) throw new Error('The value argument to log_prob must be a Tensor');
    const es = this._eventShape, vs = value.shape;
    const start = vs.length - es.length;
    if (start < 0 || es.some((s, i) => vs[start + i] !== s)) {
      throw new Error(`The right-most size of value must match event_shape: ${formatSize(vs)} vs ${formatSize(es)}.`);
    }
    const expected = [...this._batchShape, ...es];
    for (let i = 1; i <= Math.min(vs.length, expected.length); i++) {
      const a = vs[vs.length - i], b = expected[expected.length - i];
      if (a !== 1 && b !== 1 && a !== b) throw new Error(`Value is not broadcastable with batch_shape+event_shape: ${formatSize(vs)} vs ${formatSize(expected)}.`);
    }
    const vals = valuesNow(value);
    const support = this.support;
    if (vals && support.checkNow(value, vals) === false) {
      throw new Error(`Expected value argument (Tensor of shape ${tuple(vs)}) to be within the support (${support}) `
        + `of the distribution ${this.toString()}, but found invalid values:\n${formatNow(value, vals)}`);
    }
  }

  private paramText(name: string, t: Tensor, text: string | null): string {
    if (t.numel() !== 1) return `${name}: ${formatSize(t.shape)}`;
    return `${name}: ${text ?? `tensor(…) (await .format() for the value)`}`;
  }
  private presentParams(): Array<[string, Tensor]> {
    return Object.keys(this.argConstraints).filter((k) => this._params[k]).map((k) => [k, this._params[k]]);
  }
  /** PyTorch's repr: `Normal(loc: torch.Size([2]), scale: torch.Size([2]))`; a one-element parameter
   * with its value where it can be read now (else a placeholder: see format()). */
  toString(): string {
    const args = this.presentParams().map(([k, t]) => this.paramText(k, t, formatNow(t, k in this._known ? [this._known[k]] : valuesNow(t))));
    return `${this.constructor.name}(${args.join(', ')})`;
  }
  [Symbol.for('nodejs.util.inspect.custom')]() { return this.toString(); }
  /** PyTorch's repr, one-element parameters' values read back. */
  async format(): Promise<string> {
    const args: string[] = [];
    for (const [k, t] of this.presentParams()) {
      const text = t.numel() !== 1 ? null : t.ndim === 0 ? pyScalar(Number(await t.item()), t.dtype) : await format(t);
      args.push(this.paramText(k, t, text));
    }
    return `${this.constructor.name}(${args.join(', ')})`;
  }
}

/** The batch shape of distributions made by broadcast_all: [] when every argument was a number. */
function batchOf(args: unknown[], broadcast: Tensor): number[] {
  return args.every((a) => typeof a === 'number') ? [] : [...broadcast.shape];
}
function knownOf(names: string[], args: unknown[]): Record<string, number> {
  const r: Record<string, number> = {};
  names.forEach((n, i) => { if (typeof args[i] === 'number') r[n] = args[i] as number; });
  return r;
}

/** The part Normal and Laplace share: real loc and positive scale broadcast together, real support,
 * reparameterized samples, mean and mode at loc. */
abstract class LocScale extends Distribution {
  readonly loc: Tensor;
  readonly scale: Tensor;
  constructor(loc: Param, scale: Param, o: DistributionOptions = {}) {
    const [l, s] = broadcastAll([loc, scale]);
    super(batchOf([loc, scale], l), [], o, false);
    this.loc = l; this.scale = s;
    this._params = { loc: l, scale: s };
    this._known = knownOf(['loc', 'scale'], [loc, scale]);
    if (this.validateArgs) this.validateParams();
  }
  override get argConstraints() { return { loc: constraints.real, scale: constraints.positive }; }
  override get support() { return constraints.real; }
  override get hasRsample() { return true; }
  override get mean() { return this.loc; }
  override get mode() { return this.loc; }
  override expand(batchShape: readonly number[]): this {
    const C = this.constructor as abstract new (...a: never[]) => this;
    return expanded(this, C, batchShape, { loc: this.loc.expand([...batchShape]), scale: this.scale.expand([...batchShape]) });
  }
}

// =============================================================== Normal

/** Normal(loc, scale): the Gaussian of mean loc and standard deviation scale. */
export class Normal extends LocScale {
  override get stddev() { return this.scale; }
  override get variance() { return this.stddev.pow(2); }
  override sample(sampleShape: readonly number[] = []): Tensor { return noGrad(() => this.rsample(sampleShape)); }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const eps = randn(this.extendedShape(sampleShape), { dtype: this.loc.dtype, device: dev(this.loc) });
    return add(this.loc, mul(eps, this.scale));
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const v = this.scale.pow(2);
    return sub(sub(neg(sub(value, this.loc).pow(2)).div(mul(v, 2)), log(this.scale)), Math.log(Math.sqrt(2 * Math.PI)));
  }
  override cdf(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    return mul(add(erf(mul(sub(value, this.loc), this.scale.reciprocal()).div(Math.SQRT2)), 1), 0.5);
  }
  override icdf(value: Tensor): Tensor {
    return add(this.loc, mul(mul(this.scale, erfinv(sub(mul(value, 2), 1))), Math.SQRT2));
  }
  override entropy(): Tensor { return add(log(this.scale), 0.5 + 0.5 * Math.log(2 * Math.PI)); }
}

/** A copy of d of class C with these parameters and batch shape, unchecked (PyTorch's expand). */
function expanded<D extends Distribution>(d: D, C: abstract new (...a: never[]) => D, batchShape: readonly number[], params: Record<string, Tensor>, extra: Record<string, unknown> = {}): D {
  const n = Object.create(C.prototype) as D;
  const raw = n as unknown as Record<string, unknown>;
  raw._batchShape = [...batchShape];
  raw._eventShape = [...(d as unknown as { _eventShape: number[] })._eventShape];
  raw.validateArgs = d.validateArgs;
  raw._params = { ...params };
  raw._known = {};
  Object.assign(raw, params, extra);
  return n;
}

// =============================================================== Bernoulli

export type ProbsOrLogits = { probs: Param; logits?: undefined; validateArgs?: boolean } | { logits: Param; probs?: undefined; validateArgs?: boolean };

function probsOrLogits(a: Param | ProbsOrLogits, o: DistributionOptions): { probs?: unknown; logits?: unknown; validateArgs?: boolean } {
  if (a instanceof Tensor || typeof a === 'number') return { probs: a, validateArgs: o.validateArgs };
  if (a === null || typeof a !== 'object') return {};
  return { ...a, validateArgs: a.validateArgs ?? o.validateArgs };
}

/** Bernoulli({ probs } | { logits }) (or Bernoulli(probs)): 1 with probability probs, else 0. */
export class Bernoulli extends Distribution {
  constructor(args: Param | ProbsOrLogits, o: DistributionOptions = {}) {
    const a = probsOrLogits(args, o);
    if ((a.probs === undefined || a.probs === null) === (a.logits === undefined || a.logits === null)) {
      throw new Error('Either `probs` or `logits` must be specified, but not both.');
    }
    const name = a.probs != null ? 'probs' : 'logits', given = a.probs ?? a.logits;
    const [p] = broadcastAll([given]);
    super(typeof given === 'number' ? [] : [...p.shape], [], { validateArgs: a.validateArgs }, false);
    this._params = { [name]: p };
    this._known = knownOf([name], [given]);
    if (this.validateArgs) this.validateParams();
  }
  override get argConstraints() { return { probs: constraints.unitInterval, logits: constraints.real }; }
  override get support() { return constraints.boolean; }
  override get hasEnumerateSupport() { return true; }
  /** the parameter given (or, after expand, the first kept) */
  protected get param(): Tensor { return this._params.probs ?? this._params.logits; }
  get paramShape(): Size { return Size.from(this.param.shape) as Size; }
  get probs(): Tensor { return (this._params.probs ??= logitsToProbs(this._params.logits, true)); }
  get logits(): Tensor { return (this._params.logits ??= probsToLogits(this._params.probs, true)); }
  override get mean() { return this.probs; }
  override get mode() {
    const p = this.probs;
    return where(compare('eq', p, 0.5), NaN, compare('ge', p, 0.5).to({ dtype: p.dtype }));
  }
  override get variance() { return mul(this.probs, sub(1, this.probs)); }
  override expand(batchShape: readonly number[]): Bernoulli {
    const ps: Record<string, Tensor> = {};
    for (const k of ['probs', 'logits']) if (this._params[k]) ps[k] = this._params[k].expand([...batchShape]);
    return expanded(this, Bernoulli, batchShape, {}, { _params: ps });
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    return noGrad(() => bernoulli(this.probs.detach().expand(shape)));
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const [l, v] = broadcastAll([this.logits, value]);
    return neg(binaryCrossEntropyWithLogits(l, v, { reduction: 'none' }));
  }
  override entropy(): Tensor { return binaryCrossEntropyWithLogits(this.logits, this.probs, { reduction: 'none' }); }
  override enumerateSupport(expand = true): Tensor {
    const p = this.param;
    let values = reshape(aRange(2, p), [-1, ...this._batchShape.map(() => 1)]);
    if (expand) values = values.expand([-1, ...this._batchShape]);
    return values;
  }
}
/** [0, 1, …, n − 1] of p's dtype and device. */
function aRange(n: number, p: Tensor): Tensor {
  return reshape(full([n], 1, { dtype: p.dtype, device: dev(p) }).cumsum(0).sub(1), [n]);
}

// =============================================================== Categorical

/** Categorical({ probs } | { logits }) (or Categorical(probs)): category indices 0 … K − 1, K the last
 * dim of the parameter; probs normalized to sum to 1, logits to logsumexp 0, over the last dim. */
export class Categorical extends Distribution {
  protected _numEvents: number;
  constructor(args: Tensor | ProbsOrLogits, o: DistributionOptions = {}) {
    const a = probsOrLogits(args, o);
    if ((a.probs === undefined || a.probs === null) === (a.logits === undefined || a.logits === null)) {
      throw new Error('Either `probs` or `logits` must be specified, but not both.');
    }
    const name = a.probs != null ? 'probs' : 'logits', given = a.probs ?? a.logits;
    if (!(given instanceof Tensor)) throw new TypeError(`Categorical: \`${name}\` must be a Tensor, got ${typeof given}`);
    if (given.ndim < 1) throw new Error(`\`${name}\` parameter must be at least one-dimensional.`);
    const p = name === 'probs' ? given.div(sum(given, -1, true)) : sub(given, logsumexp(given, -1, true));
    super(p.ndim > 1 ? p.shape.slice(0, -1) : [], [], { validateArgs: a.validateArgs }, false);
    this._numEvents = p.shape[p.ndim - 1];
    this._params = { [name]: p };
    if (this.validateArgs) this.validateGiven(name, given);
  }
  /** The simplex / real-vector check of the normalized parameter, computed from the given values. */
  private validateGiven(name: string, given: Tensor): void {
    const g = valuesNow(given);
    if (!g) return;
    const K = this._numEvents, vals = new Array<number>(g.length);
    for (let i = 0; i < g.length; i += K) {
      const row = g.slice(i, i + K);
      if (name === 'probs') { const s = row.reduce((x, y) => x + y, 0); row.forEach((x, j) => { vals[i + j] = x / s; }); } else {
        const m = Math.max(...row), lse = (Math.abs(m) === Infinity ? 0 : m) + Math.log(row.reduce((x, y) => x + Math.exp(y - (Math.abs(m) === Infinity ? 0 : m)), 0));
        row.forEach((x, j) => { vals[i + j] = x - lse; });
      }
    }
    const c = this.argConstraints[name as 'probs' | 'logits'], value = this._params[name];
    if (c.checkNow(value, vals) === false) {
      throw new Error(`Expected parameter ${name} (Tensor of shape ${tuple(value.shape)}) of distribution ${this.toString()} `
        + `to satisfy the constraint ${c}, but found invalid values:\n${formatNow(value, vals)}`);
    }
  }
  override get argConstraints() { return { probs: constraints.simplex, logits: constraints.realVector }; }
  override get support() { return constraints.integerInterval(0, this._numEvents - 1); }
  override get hasEnumerateSupport() { return true; }
  protected get param(): Tensor { return this._params.probs ?? this._params.logits; }
  get paramShape(): Size { return Size.from(this.param.shape) as Size; }
  get probs(): Tensor { return (this._params.probs ??= logitsToProbs(this._params.logits)); }
  get logits(): Tensor { return (this._params.logits ??= probsToLogits(this._params.probs)); }
  override get mean() { return full(this.extendedShape(), NaN, { dtype: this.probs.dtype, device: dev(this.probs) }); }
  override get mode() { return this.probs.argmax(-1); }
  override get variance() { return full(this.extendedShape(), NaN, { dtype: this.probs.dtype, device: dev(this.probs) }); }
  override expand(batchShape: readonly number[]): Categorical {
    const ps: Record<string, Tensor> = {};
    for (const k of ['probs', 'logits']) if (this._params[k]) ps[k] = this._params[k].expand([...batchShape, this._numEvents]);
    return expanded(this, Categorical, batchShape, {}, { _params: ps, _numEvents: this._numEvents });
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    const n = numelOf(sampleShape);
    return noGrad(() => {
      const p2 = reshape(this.probs.detach(), [-1, this._numEvents]);
      const s = multinomial(p2, n, { replacement: true }).t();
      return reshape(s, this.extendedShape(sampleShape));
    });
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const v = value.to({ dtype: 'int64' }).unsqueeze(-1);
    const shape = broadcastShapes(v.shape, this.logits.shape);
    const idx = v.expand(shape).narrow(shape.length - 1, 0, 1);
    return gather(this.logits.expand(shape), shape.length - 1, idx).squeeze(-1);
  }
  override entropy(): Tensor {
    const l = clamp(this.logits, finfo(this.logits.dtype).min);
    return neg(sum(mul(l, this.probs), -1));
  }
  override enumerateSupport(expand = true): Tensor {
    const p = this.param;
    let values = reshape(aRange(this._numEvents, p).to({ dtype: 'int64' }), [-1, ...this._batchShape.map(() => 1)]);
    if (expand) values = values.expand([-1, ...this._batchShape]);
    return values;
  }
}

// =============================================================== Uniform

/** Uniform(low, high): uniform draws in [low, high). */
export class Uniform extends Distribution {
  readonly low: Tensor;
  readonly high: Tensor;
  constructor(low: Param, high: Param, o: DistributionOptions = {}) {
    const [l, h] = broadcastAll([low, high]);
    super(batchOf([low, high], l), [], o, false);
    this.low = l; this.high = h;
    this._params = { low: l, high: h };
    if (this.validateArgs) {
      const lo = typeof low === 'number' ? new Array<number>(l.numel()).fill(low) : valuesNow(l);
      const hi = typeof high === 'number' ? new Array<number>(h.numel()).fill(high) : valuesNow(h);
      if (lo && hi && !lo.every((x, i) => x < hi[i])) throw new Error('Uniform is not defined when low>= high');
    }
  }
  override get argConstraints() { return { low: null, high: null }; }
  override get support(): Constraint { return constraints.interval(this.low, this.high); }
  override get hasRsample() { return true; }
  override get mean() { return add(this.high, this.low).div(2); }
  override get mode() { return mul(this.high, NaN); }
  override get stddev() { return sub(this.high, this.low).div(12 ** 0.5); }
  override get variance() { return sub(this.high, this.low).pow(2).div(12); }
  override expand(batchShape: readonly number[]): Uniform {
    return expanded(this, Uniform, batchShape, { low: this.low.expand([...batchShape]), high: this.high.expand([...batchShape]) });
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const u = rand(this.extendedShape(sampleShape), { dtype: this.low.dtype, device: dev(this.low) });
    return add(this.low, mul(u, sub(this.high, this.low)));
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const lb = compare('le', this.low, value).to({ dtype: this.low.dtype });
    const ub = compare('gt', this.high, value).to({ dtype: this.low.dtype });
    return sub(log(mul(lb, ub)), log(sub(this.high, this.low)));
  }
  override cdf(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    return clamp(sub(value, this.low).div(sub(this.high, this.low)), 0, 1);
  }
  override icdf(value: Tensor): Tensor { return add(mul(value, sub(this.high, this.low)), this.low); }
  override entropy(): Tensor { return log(sub(this.high, this.low)); }
}

// =============================================================== Exponential

/** Exponential(rate): density rate·exp(−rate·x) on x ≥ 0. */
export class Exponential extends Distribution {
  readonly rate: Tensor;
  constructor(rate: Param, o: DistributionOptions = {}) {
    const [r] = broadcastAll([rate]);
    super(typeof rate === 'number' ? [] : [...r.shape], [], o, false);
    this.rate = r;
    this._params = { rate: r };
    this._known = knownOf(['rate'], [rate]);
    if (this.validateArgs) this.validateParams();
  }
  override get argConstraints() { return { rate: constraints.positive }; }
  override get support() { return constraints.nonnegative; }
  override get hasRsample() { return true; }
  override get mean() { return this.rate.reciprocal(); }
  override get mode() { return zeros([...this.rate.shape], { dtype: this.rate.dtype, device: dev(this.rate) }); }
  override get stddev() { return this.rate.reciprocal(); }
  override get variance() { return this.rate.pow(-2); }
  override expand(batchShape: readonly number[]): Exponential {
    return expanded(this, Exponential, batchShape, { rate: this.rate.expand([...batchShape]) });
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const e = exponentialFill(zeros(this.extendedShape(sampleShape), { dtype: this.rate.dtype, device: dev(this.rate) }), 1);
    return e.div(this.rate);
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    return sub(log(this.rate), mul(this.rate, value));
  }
  override cdf(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    return sub(1, exp(mul(neg(this.rate), value)));
  }
  override icdf(value: Tensor): Tensor { return neg(log(sub(1, value))).div(this.rate); }
  override entropy(): Tensor { return sub(1, log(this.rate)); }
}

// =============================================================== Laplace

/** Laplace(loc, scale): density exp(−|x − loc|/scale) / (2·scale). */
export class Laplace extends LocScale {
  override get variance() { return mul(this.scale.pow(2), 2); }
  override get stddev() { return mul(this.scale, 2 ** 0.5); }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const { eps } = finfo(this.loc.dtype);
    // uniform_(eps − 1, 1): (eps − 1) + u·(2 − eps)
    const u = rand(this.extendedShape(sampleShape), { dtype: this.loc.dtype, device: dev(this.loc) }).mul(2 - eps).add(eps - 1);
    return sub(this.loc, mul(mul(this.scale, u.sign()), log1p(neg(abs(u)))));
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    return sub(neg(log(mul(this.scale, 2))), abs(sub(value, this.loc)).div(this.scale));
  }
  override cdf(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const d = sub(value, this.loc);
    return sub(0.5, mul(mul(d.sign(), 0.5), expm1(neg(abs(d)).div(this.scale))));
  }
  override icdf(value: Tensor): Tensor {
    const term = sub(value, 0.5);
    return sub(this.loc, mul(mul(this.scale, term.sign()), log1p(mul(abs(term), -2))));
  }
  override entropy(): Tensor { return add(log(mul(this.scale, 2)), 1); }
}

// =============================================================== Independent

/** Independent(base, reinterpretedBatchNdims): the base's rightmost reinterpretedBatchNdims batch dims
 * made event dims (logProb and entropy summed over them). */
export class Independent extends Distribution {
  readonly baseDist: Distribution;
  readonly reinterpretedBatchNdims: number;
  constructor(baseDistribution: Distribution, reinterpretedBatchNdims: number, o: DistributionOptions = {}) {
    if (!(baseDistribution instanceof Distribution)) throw new TypeError('Independent: the base distribution must be a Distribution');
    if (!Number.isInteger(reinterpretedBatchNdims) || reinterpretedBatchNdims < 0) throw new TypeError(`Independent: reinterpretedBatchNdims must be a non-negative integer, got ${reinterpretedBatchNdims}`);
    const bs = baseDistribution.batchShape, es = baseDistribution.eventShape;
    if (reinterpretedBatchNdims > bs.length) {
      throw new Error(`Expected reinterpreted_batch_ndims <= len(base_distribution.batch_shape), actual ${reinterpretedBatchNdims} vs ${bs.length}`);
    }
    const shape = [...bs, ...es], eventDim = reinterpretedBatchNdims + es.length;
    super(shape.slice(0, shape.length - eventDim), shape.slice(shape.length - eventDim), o);
    this.baseDist = baseDistribution;
    this.reinterpretedBatchNdims = reinterpretedBatchNdims;
  }
  override get hasRsample() { return this.baseDist.hasRsample; }
  override get hasEnumerateSupport() { return this.reinterpretedBatchNdims > 0 ? false : this.baseDist.hasEnumerateSupport; }
  override get support(): Constraint {
    const b = this.baseDist.support;
    if (!this.reinterpretedBatchNdims) return b;
    return constraints.independent(b, this.reinterpretedBatchNdims);
  }
  override get mean() { return this.baseDist.mean; }
  override get mode() { return this.baseDist.mode; }
  override get variance() { return this.baseDist.variance; }
  override get stddev() { return this.baseDist.stddev; }
  override expand(batchShape: readonly number[]): Independent {
    const base = this.baseDist.expand([...batchShape, ...this._eventShape.slice(0, this.reinterpretedBatchNdims)]);
    return expanded(this, Independent, batchShape, {}, { baseDist: base, reinterpretedBatchNdims: this.reinterpretedBatchNdims });
  }
  override sample(sampleShape: readonly number[] = []): Tensor { return this.baseDist.sample(sampleShape); }
  override rsample(sampleShape: readonly number[] = []): Tensor { return this.baseDist.rsample(sampleShape); }
  override logProb(value: Tensor): Tensor { return sumRightmost(this.baseDist.logProb(value), this.reinterpretedBatchNdims); }
  override cdf(_value: Tensor): Tensor { throw new Error('NotImplementedError'); }
  override entropy(): Tensor { return sumRightmost(this.baseDist.entropy(), this.reinterpretedBatchNdims); }
  override enumerateSupport(expand = true): Tensor {
    if (this.reinterpretedBatchNdims > 0) throw new Error('Enumeration over cartesian product is not implemented');
    return this.baseDist.enumerateSupport(expand);
  }
  override toString(): string { return `Independent(${this.baseDist}, ${this.reinterpretedBatchNdims})`; }
  override async format(): Promise<string> { return `Independent(${await this.baseDist.format()}, ${this.reinterpretedBatchNdims})`; }
}

// =============================================================== gamma family: Gamma, Chi2, Beta, Dirichlet

/** Standard gamma draws of concentration c (already of the wanted shape), as one node whose gradient with
 * respect to c is the implicit reparameterization gradient (standardGammaGrad: PyTorch's
 * _standard_gamma_grad). Not differentiable twice: a createGraph pass through it is refused. */
function gammaDraw(c: Tensor, name = 'StandardGammaBackward0'): Tensor {
  const out: Tensor = composite(name, [c], () => standardGamma(c), (g) => [mul(g, standardGammaGrad(c, out))], c);
  return out;
}

/** Gamma(concentration, rate): density rate^c x^(c−1) e^(−rate·x) / Γ(c) on x ≥ 0. */
export class Gamma extends Distribution {
  readonly concentration: Tensor;
  readonly rate: Tensor;
  constructor(concentration: Param, rate: Param, o: DistributionOptions = {}) {
    const [c, r] = broadcastAll([concentration, rate]);
    super(batchOf([concentration, rate], c), [], o, false);
    this.concentration = c; this.rate = r;
    this._params = { concentration: c, rate: r };
    this._known = knownOf(['concentration', 'rate'], [concentration, rate]);
    if (this.validateArgs) this.validateParams();
  }
  override get argConstraints(): Record<string, Constraint | null> { return { concentration: constraints.positive, rate: constraints.positive }; }
  override get support() { return constraints.nonnegative; }
  override get hasRsample() { return true; }
  override get mean() { return this.concentration.div(this.rate); }
  override get mode() { return clamp(sub(this.concentration, 1).div(this.rate), 0); }
  override get variance() { return this.concentration.div(this.rate.pow(2)); }
  override expand(batchShape: readonly number[]): this {
    const C = this.constructor as abstract new (...a: never[]) => this;
    const params = { concentration: this.concentration.expand([...batchShape]), rate: this.rate.expand([...batchShape]) };
    return expanded(this, C, batchShape, this instanceof Chi2 ? {} : params, this instanceof Chi2 ? { ...params, _params: {} } : {});
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const g = gammaDraw(this.concentration.expand(shape)).div(this.rate.expand(shape));
    return clamp(g, finfo(g.dtype).tiny);
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const c = this.concentration, r = this.rate;
    return sub(sub(add(xlogy(c, r), xlogy(sub(c, 1), value)), mul(r, value)), lgamma(c));
  }
  override entropy(): Tensor {
    const c = this.concentration;
    return add(add(sub(c, log(this.rate)), lgamma(c)), mul(sub(1, c), digamma(c)));
  }
  /** P(concentration, rate·value), special.gammainc (PyTorch 2's; 1.13 has none). */
  override cdf(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    return gammainc(this.concentration, mul(this.rate, value));
  }
}

/** Chi2(df): Gamma(df/2, 1/2). (PyTorch's repr prints no parameter: df is not kept, as there.) */
export class Chi2 extends Gamma {
  constructor(df: Param, o: DistributionOptions = {}) {
    const [d] = broadcastAll([df]);
    super(mul(d, 0.5), typeof df === 'number' ? 0.5 : full([...d.shape], 0.5, { dtype: d.dtype, device: dev(d) }), { validateArgs: false });
    if (typeof df === 'number') this._batchShape = [];
    this.validateArgs = o.validateArgs ?? defaultValidateArgs;
    this._params = { df: d };
    this._known = knownOf(['df'], [df]);
    if (this.validateArgs) this.validateParams();
    this._params = {};
  }
  override get argConstraints(): Record<string, Constraint | null> { return { df: constraints.positive }; }
  override toString(): string { return 'Chi2()'; }
  override async format(): Promise<string> { return this.toString(); }
  get df(): Tensor { return mul(this.concentration, 2); }
}

const positiveVector = constraints.independent(constraints.positive, 1);

/** Dirichlet(concentration): distributions on the simplex of concentration's last dim. */
export class Dirichlet extends Distribution {
  readonly concentration: Tensor;
  constructor(concentration: Tensor, o: DistributionOptions = {}) {
    if (!(concentration instanceof Tensor)) throw new TypeError(`Dirichlet: concentration must be a Tensor, got ${typeof concentration}`);
    if (concentration.ndim < 1) throw new Error('`concentration` parameter must be at least one-dimensional.');
    super(concentration.shape.slice(0, -1), concentration.shape.slice(-1), o, false);
    this.concentration = concentration;
    this._params = { concentration };
    if (this.validateArgs) this.validateParams();
  }
  override get argConstraints(): Record<string, Constraint | null> { return { concentration: positiveVector }; }
  override get support() { return constraints.simplex; }
  override get hasRsample() { return true; }
  override get mean() { return this.concentration.div(sum(this.concentration, -1, true)); }
  override get mode() {
    const c = this.concentration;
    const cm1 = clamp(sub(c, 1), 0);
    const mode = cm1.div(sum(cm1, -1, true));
    // all concentrations < 1: a one-hot at the largest
    const allBelow = all(compare('lt', c, 1), -1, true);
    const hot = oneHot(mode.argmax(-1), c.shape[c.ndim - 1]).to({ dtype: c.dtype });
    return where(allBelow.expand([...c.shape]), hot, mode);
  }
  override get variance() {
    const c = this.concentration, c0 = sum(c, -1, true);
    return mul(c, sub(c0, c)).div(mul(c0.pow(2), add(c0, 1)));
  }
  override expand(batchShape: readonly number[]): Dirichlet {
    return expanded(this, Dirichlet, batchShape, { concentration: this.concentration.expand([...batchShape, ...this._eventShape]) });
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const g = gammaDraw(this.concentration.expand(this.extendedShape(sampleShape)), 'DirichletBackward');
    return clamp(g.div(sum(g, -1, true)), finfo(g.dtype).tiny);
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const c = this.concentration;
    return sub(add(sum(xlogy(sub(c, 1), value), -1), lgamma(sum(c, -1))), sum(lgamma(c), -1));
  }
  override entropy(): Tensor {
    const c = this.concentration, k = c.shape[c.ndim - 1], a0 = sum(c, -1);
    return sub(sub(sub(sum(lgamma(c), -1), lgamma(a0)), mul(sub(k, a0), digamma(a0))), sum(mul(sub(c, 1), digamma(c)), -1));
  }
}

/** Beta(concentration1, concentration0): Dirichlet([c1, c0]) on the first coordinate. (PyTorch's repr
 * prints no parameter: it keeps only the Dirichlet.) */
export class Beta extends Distribution {
  protected _dirichlet: Dirichlet;
  constructor(concentration1: Param, concentration0: Param, o: DistributionOptions = {}) {
    const both = typeof concentration1 === 'number' && typeof concentration0 === 'number';
    const [c1, c0] = broadcastAll([concentration1, concentration0]);
    const c = torchStack([c1, c0], -1);
    const dir = new Dirichlet(c, o);
    super(both ? [] : dir.batchShape, [], o, false);
    this._dirichlet = dir;
  }
  override get argConstraints(): Record<string, Constraint | null> { return { concentration1: constraints.positive, concentration0: constraints.positive }; }
  override get support() { return constraints.unitInterval; }
  override get hasRsample() { return true; }
  get concentration1(): Tensor { return this._dirichlet.concentration.narrow(-1, 0, 1).squeeze(-1); }
  get concentration0(): Tensor { return this._dirichlet.concentration.narrow(-1, 1, 1).squeeze(-1); }
  override get mean() { return this.concentration1.div(add(this.concentration1, this.concentration0)); }
  override get mode() { return this._dirichlet.mode.narrow(-1, 0, 1).squeeze(-1); }
  override get variance() {
    const total = add(this.concentration1, this.concentration0);
    return mul(this.concentration1, this.concentration0).div(mul(total.pow(2), add(total, 1)));
  }
  override expand(batchShape: readonly number[]): Beta {
    return expanded(this, Beta, batchShape, {}, { _dirichlet: this._dirichlet.expand(batchShape) });
  }
  override rsample(sampleShape: readonly number[] = []): Tensor { return this._dirichlet.rsample(sampleShape).narrow(-1, 0, 1).squeeze(-1); }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    return this._dirichlet.logProb(torchStack([value, sub(1, value)], -1));
  }
  override entropy(): Tensor { return this._dirichlet.entropy(); }
}

// =============================================================== Poisson, Binomial

const { nonnegativeInteger } = constraints;

/** Poisson(rate): counts k ≥ 0 of probability rate^k e^(−rate) / k!. */
export class Poisson extends Distribution {
  readonly rate: Tensor;
  constructor(rate: Param, o: DistributionOptions = {}) {
    const [r] = broadcastAll([rate]);
    super(typeof rate === 'number' ? [] : [...r.shape], [], o, false);
    this.rate = r;
    this._params = { rate: r };
    this._known = knownOf(['rate'], [rate]);
    if (this.validateArgs) this.validateParams();
  }
  override get argConstraints(): Record<string, Constraint | null> { return { rate: constraints.nonnegative }; }
  override get support() { return nonnegativeInteger; }
  override get mean() { return this.rate; }
  override get mode() { return floor(this.rate); }
  override get variance() { return this.rate; }
  override expand(batchShape: readonly number[]): Poisson {
    return expanded(this, Poisson, batchShape, { rate: this.rate.expand([...batchShape]) });
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    return noGrad(() => poisson(this.rate.detach().expand(this.extendedShape(sampleShape))));
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const [rate, v] = broadcastAll([this.rate, value]);
    return sub(sub(xlogy(v, rate), rate), lgamma(add(v, 1)));
  }
}

/** IntegerInterval(0, total_count) with a tensor bound (Binomial's support). */
class CountInterval extends Constraint {
  constructor(private readonly high: Tensor) {
    super(`IntegerInterval(lower_bound=0, upper_bound=${formatNow(high) ?? 'tensor(…)'})`, null, 0, true);
    this.typed('_IntegerInterval', { lowerBound: 0, upperBound: high });
  }
  override checkNow(v: Tensor, vals: number[] | null = valuesNow(v)): boolean | null {
    if (!vals) return null;
    const shape = broadcastShapes(v.shape, this.high.shape);
    const x = valuesNow(v.expand(shape)), hi = valuesNow(this.high.expand(shape));
    if (!x || !hi) return null;
    return x.every((a, i) => Number.isInteger(a) && a >= 0 && a <= hi[i]);
  }
}

export type BinomialArgs = { totalCount?: Param; probs?: Param; logits?: Param; validateArgs?: boolean };

/** Binomial({ totalCount = 1, probs } | { totalCount = 1, logits }): successes in totalCount trials. */
export class Binomial extends Distribution {
  readonly totalCount: Tensor;
  constructor(args: BinomialArgs, o: DistributionOptions = {}) {
    const a = { ...args, validateArgs: args.validateArgs ?? o.validateArgs };
    if ((a.probs === undefined || a.probs === null) === (a.logits === undefined || a.logits === null)) {
      throw new Error('Either `probs` or `logits` must be specified, but not both.');
    }
    const name = a.probs != null ? 'probs' : 'logits', given = (a.probs ?? a.logits)!;
    const tc = a.totalCount ?? 1;
    const [n, p] = broadcastAll([tc, given]);
    super(typeof given === 'number' ? [] : [...p.shape], [], { validateArgs: a.validateArgs }, false);
    this.totalCount = n.dtype === p.dtype ? n : n.to({ dtype: p.dtype });
    this._params = { total_count: this.totalCount, [name]: p };
    this._known = knownOf(['total_count', name], [typeof tc === 'number' && typeof given === 'number' ? tc : undefined, given]);
    if (this.validateArgs) this.validateParams();
  }
  override get argConstraints(): Record<string, Constraint | null> { return { total_count: nonnegativeInteger, probs: constraints.unitInterval, logits: constraints.real }; }
  override get support(): Constraint { return new CountInterval(this.totalCount); }
  protected get param(): Tensor { return this._params.probs ?? this._params.logits; }
  get paramShape(): Size { return Size.from(this.param.shape) as Size; }
  get probs(): Tensor { return (this._params.probs ??= logitsToProbs(this._params.logits, true)); }
  get logits(): Tensor { return (this._params.logits ??= probsToLogits(this._params.probs, true)); }
  override get mean() { return mul(this.totalCount, this.probs); }
  override get mode() { return minimum(floor(mul(add(this.totalCount, 1), this.probs)), this.totalCount); }
  override get variance() { return mul(mul(this.totalCount, this.probs), sub(1, this.probs)); }
  override expand(batchShape: readonly number[]): Binomial {
    const ps: Record<string, Tensor> = { total_count: this.totalCount.expand([...batchShape]) };
    for (const k of ['probs', 'logits']) if (this._params[k]) ps[k] = this._params[k].expand([...batchShape]);
    return expanded(this, Binomial, batchShape, {}, { _params: ps, totalCount: ps.total_count });
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    return noGrad(() => binomial(this.totalCount.detach().expand(shape), this.probs.detach().expand(shape)));
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const n = this.totalCount, l = this.logits;
    const clampByZero = mul(sub(add(clamp(l, 0), l), clamp(l, undefined, 0)), 0.5);
    const norm = sub(add(mul(n, clampByZero), mul(n, log1p(exp(neg(abs(l)))))), lgamma(add(n, 1)));
    return sub(sub(sub(mul(value, l), lgamma(add(value, 1))), lgamma(add(sub(n, value), 1))), norm);
  }
  /** The values 0 … totalCount (one totalCount for the whole batch, read now: a CPU tensor whose values are final, or a number). */
  override enumerateSupport(expand = true): Tensor {
    const vals = valuesNow(this.totalCount);
    if (!vals) throw new Error('Binomial.enumerateSupport: totalCount must be readable now (a CPU tensor with nothing queued) to size the support; it is not here (GPU, or CPU work in flight)');
    const top = Math.max(0, ...vals);
    if (vals.some((v) => v !== top)) throw new Error('Inhomogeneous total count not supported by `enumerate_support`.');
    let values = reshape(aRange(top + 1, this.param), [-1, ...this._batchShape.map(() => 1)]);
    if (expand) values = values.expand([-1, ...this._batchShape]);
    return values;
  }
  override get hasEnumerateSupport() { return true; }
  override entropy(): Tensor {
    const vals = valuesNow(this.totalCount);
    if (vals && vals.some((v) => v !== vals[0])) throw new Error('Inhomogeneous total count not supported by `entropy`.');
    const values = this.enumerateSupport(false);
    const lp = this.logProb(values);
    return neg(sum(mul(exp(lp), lp), 0));
  }
}

// =============================================================== HalfNormal, LogNormal, StudentT

/**
 * |X| for X of a distribution symmetric about 0 with a positive scale (HalfNormal, HalfCauchy, as
 * PyTorch's AbsTransform over its base): the density doubled on [0, ∞), the cdf 2F − 1, the entropy less
 * ln 2. Subclasses give the base and the moments.
 */
export abstract class FoldedAtZero<B extends Distribution & { readonly scale: Tensor; cdf(v: Tensor): Tensor; icdf(p: Tensor): Tensor }> extends Distribution {
  readonly baseDist: B;
  constructor(scale: Param, o: DistributionOptions, base: (s: Tensor) => B) {
    const [s] = broadcastAll([scale]);
    super(typeof scale === 'number' ? [] : [...s.shape], [], o, false);
    this._params = { scale: s };
    this._known = knownOf(['scale'], [scale]);
    if (this.validateArgs) this.validateParams();
    this._params = {};
    this.baseDist = base(s);
  }
  override get argConstraints(): Record<string, Constraint | null> { return { scale: constraints.positive }; }
  override get support() { return constraints.nonnegative; }
  override get hasRsample() { return true; }
  override async format(): Promise<string> { return this.toString(); }
  get scale(): Tensor { return this.baseDist.scale; }
  override rsample(sampleShape: readonly number[] = []): Tensor { return abs(this.baseDist.rsample(sampleShape)); }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const lp = add(this.baseDist.logProb(value), Math.LN2);
    return where(compare('ge', value, 0).expand([...lp.shape]), lp, -Infinity);
  }
  override cdf(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    return sub(mul(this.baseDist.cdf(value), 2), 1);
  }
  override icdf(prob: Tensor): Tensor { return this.baseDist.icdf(add(prob, 1).div(2)); }
  override entropy(): Tensor { return sub(this.baseDist.entropy(), Math.LN2); }
}

/** HalfNormal(scale): |X| for X ~ Normal(0, scale). (PyTorch's is a TransformedDistribution; its repr
 * prints no parameter, as here.) */
export class HalfNormal extends FoldedAtZero<Normal> {
  constructor(scale: Param, o: DistributionOptions = {}) {
    super(scale, o, (s) => new Normal(zeros([], { dtype: s.dtype, device: dev(s) }).expand([...s.shape]), s, { validateArgs: false }));
  }
  override toString(): string { return 'HalfNormal()'; }
  override get mean() { return mul(this.scale, Math.sqrt(2 / Math.PI)); }
  override get mode() { return zeros([...this.scale.shape], { dtype: this.scale.dtype, device: dev(this.scale) }); }
  override get variance() { return mul(this.scale.pow(2), 1 - 2 / Math.PI); }
  override expand(batchShape: readonly number[]): HalfNormal {
    return expanded(this, HalfNormal, batchShape, {}, { baseDist: this.baseDist.expand(batchShape) });
  }
}

/** LogNormal(loc, scale): exp(X) for X ~ Normal(loc, scale). (PyTorch's is a TransformedDistribution;
 * its repr prints no parameter, as here.) */
export class LogNormal extends Distribution {
  readonly baseDist: Normal;
  constructor(loc: Param, scale: Param, o: DistributionOptions = {}) {
    const base = new Normal(loc, scale, o);
    super(base.batchShape, [], { validateArgs: base.validateArgs }, false);
    this.baseDist = base;
  }
  override get argConstraints(): Record<string, Constraint | null> { return { loc: constraints.real, scale: constraints.positive }; }
  override get support() { return constraints.positive; }
  override get hasRsample() { return true; }
  get loc(): Tensor { return this.baseDist.loc; }
  override toString(): string { return 'LogNormal()'; }
  override async format(): Promise<string> { return this.toString(); }
  get scale(): Tensor { return this.baseDist.scale; }
  override get mean() { return exp(add(this.loc, this.scale.pow(2).div(2))); }
  override get mode() { return exp(sub(this.loc, this.scale.pow(2))); }
  override get variance() {
    const s2 = this.scale.pow(2);
    return mul(expm1(s2), exp(add(mul(this.loc, 2), s2)));
  }
  override expand(batchShape: readonly number[]): LogNormal {
    return expanded(this, LogNormal, batchShape, {}, { baseDist: this.baseDist.expand(batchShape) });
  }
  override rsample(sampleShape: readonly number[] = []): Tensor { return exp(this.baseDist.rsample(sampleShape)); }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const x = log(value);
    return add(neg(x), this.baseDist.logProb(x));
  }
  override cdf(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    return this.baseDist.cdf(log(value));
  }
  override icdf(prob: Tensor): Tensor { return exp(this.baseDist.icdf(prob)); }
  override entropy(): Tensor { return add(this.baseDist.entropy(), this.loc); }
}

/** StudentT(df, loc = 0, scale = 1): Student's t of df degrees of freedom, shifted and scaled. */
export class StudentT extends Distribution {
  readonly df: Tensor;
  readonly loc: Tensor;
  readonly scale: Tensor;
  protected _chi2: Chi2;
  constructor(df: Param, loc: Param = 0, scale: Param = 1, o: DistributionOptions = {}) {
    const [d, l, s] = broadcastAll([df, loc, scale]);
    const chi2 = new Chi2(d, o);
    super(batchOf([df, loc, scale], d), [], o, false);
    this.df = d; this.loc = l; this.scale = s; this._chi2 = chi2;
    this._params = { df: d, loc: l, scale: s };
    this._known = knownOf(['df', 'loc', 'scale'], [df, loc, scale]);
    if (this.validateArgs) this.validateParams();
  }
  override get argConstraints(): Record<string, Constraint | null> { return { df: constraints.positive, loc: constraints.real, scale: constraints.positive }; }
  override get support() { return constraints.real; }
  override get hasRsample() { return true; }
  override get mean() { return where(compare('le', this.df, 1), NaN, this.loc); }
  override get mode() { return this.loc; }
  override get variance() {
    const df = this.df;
    const big = mul(this.scale.pow(2), df).div(sub(df, 2));
    return where(compare('gt', df, 2), big, where(compare('gt', df, 1), Infinity, NaN));
  }
  override expand(batchShape: readonly number[]): StudentT {
    const b = [...batchShape];
    const p = { df: this.df.expand(b), loc: this.loc.expand(b), scale: this.scale.expand(b) };
    return expanded(this, StudentT, batchShape, p, { _chi2: this._chi2.expand(b) });
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const X = randn(shape, { dtype: this.df.dtype, device: dev(this.df) });
    const Z = this._chi2.rsample(sampleShape);
    const Y = mul(X, sqrt(Z.div(this.df)).reciprocal());
    return add(this.loc, mul(this.scale, Y));
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const df = this.df;
    const y = sub(value, this.loc).div(this.scale);
    const Z = sub(add(add(add(log(this.scale), mul(log(df), 0.5)), 0.5 * Math.log(Math.PI)), lgamma(mul(df, 0.5))), lgamma(mul(add(df, 1), 0.5)));
    return sub(mul(mul(add(df, 1), -0.5), log1p(y.pow(2).div(df))), Z);
  }
  override entropy(): Tensor {
    const df = this.df;
    const lbeta = sub(add(lgamma(mul(df, 0.5)), 0.5 * Math.log(Math.PI)), lgamma(mul(add(df, 1), 0.5)));
    return add(add(add(log(this.scale), mul(mul(add(df, 1), 0.5), sub(digamma(mul(add(df, 1), 0.5)), digamma(mul(df, 0.5))))), mul(log(df), 0.5)), lbeta);
  }
}

// =============================================================== MultivariateNormal

const { positiveDefinite, lowerCholesky } = constraints;

export type MultivariateNormalArgs = { covarianceMatrix?: Tensor; precisionMatrix?: Tensor; scaleTril?: Tensor; validateArgs?: boolean };

/** ‖L⁻¹ x‖² over the last dim, L [..., n, n] lower-triangular, x [..., n] (batch dims broadcast). */
function batchMahalanobis(L: Tensor, x: Tensor): Tensor {
  const n = x.shape[x.ndim - 1];
  const lead = broadcastShapes(L.shape.slice(0, -2), x.shape.slice(0, -1));
  // (tril: a triangular solve reads L's lower triangle only, as PyTorch's solve_triangular)
  const y = solve(tril(L).expand([...lead, n, n]), x.expand([...lead, n]).unsqueeze(-1)).squeeze(-1);
  return sum(y.pow(2), -1);
}
/** Σ log L_ii over the last dim: half the log-determinant of L Lᵀ. */
const halfLogDet = (L: Tensor) => sum(log(diagonal(L)), -1);

/** MultivariateNormal(loc, { covarianceMatrix } | { precisionMatrix } | { scaleTril }). */
export class MultivariateNormal extends Distribution {
  readonly loc: Tensor;
  /** the lower Cholesky factor as given or computed, before broadcasting (PyTorch's _unbroadcasted_scale_tril) */
  readonly unbroadcastedScaleTril: Tensor;
  constructor(loc: Tensor, m: Tensor | MultivariateNormalArgs = {}, o: DistributionOptions = {}) {
    const a: MultivariateNormalArgs = m instanceof Tensor ? { covarianceMatrix: m, validateArgs: o.validateArgs } : { ...m, validateArgs: m.validateArgs ?? o.validateArgs };
    if (!(loc instanceof Tensor)) throw new TypeError(`MultivariateNormal: loc must be a Tensor, got ${typeof loc}`);
    if (loc.ndim < 1) throw new Error('loc must be at least one-dimensional.');
    const given = (['covarianceMatrix', 'precisionMatrix', 'scaleTril'] as const).filter((k) => a[k] !== undefined && a[k] !== null);
    if (given.length !== 1) throw new Error('Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.');
    const key = given[0], M = a[key]!;
    const pyName = { covarianceMatrix: 'covariance_matrix', precisionMatrix: 'precision_matrix', scaleTril: 'scale_tril' }[key];
    if (!(M instanceof Tensor)) throw new TypeError(`MultivariateNormal: ${key} must be a Tensor, got ${typeof M}`);
    if (M.ndim < 2) throw new Error(`${pyName}${key === 'scaleTril' ? ' matrix' : ''} must be at least two-dimensional, with optional leading batch dimensions`);
    const n = loc.shape[loc.ndim - 1];
    if (M.shape[M.ndim - 1] !== n || M.shape[M.ndim - 2] !== n) {
      throw new Error(`MultivariateNormal: loc's event size ${n} (loc of shape ${formatSize(loc.shape)}) does not match the ${pyName} of shape ${formatSize(M.shape)}`);
    }
    if (M.dtype !== loc.dtype || M.device !== loc.device) {
      throw new Error(`MultivariateNormal: loc (${loc.dtype} on ${dev(loc)}) and ${pyName} (${M.dtype} on ${dev(M)}) must have one dtype and device`);
    }
    const batch = broadcastShapes(M.shape.slice(0, -2), loc.shape.slice(0, -1));
    super(batch, [n], { validateArgs: a.validateArgs }, false);
    this.loc = loc.expand([...batch, n]);
    this._params = { loc: this.loc, [pyName]: M.expand([...batch, n, n]) };
    if (this.validateArgs) this.validateParams();
    this.unbroadcastedScaleTril = key === 'scaleTril' ? M : key === 'covarianceMatrix' ? cholesky(M) : precisionToScaleTril(M);
  }
  override get argConstraints(): Record<string, Constraint | null> {
    return { loc: constraints.realVector, covariance_matrix: positiveDefinite, precision_matrix: positiveDefinite, scale_tril: lowerCholesky };
  }
  override get support() { return constraints.realVector; }
  override get hasRsample() { return true; }
  private get full(): number[] { return [...this._batchShape, ...this._eventShape, ...this._eventShape]; }
  get scaleTril(): Tensor { return (this._params.scale_tril ??= this.unbroadcastedScaleTril.expand(this.full)); }
  get covarianceMatrix(): Tensor {
    const L = this.unbroadcastedScaleTril;
    return (this._params.covariance_matrix ??= matmul(L, L.mT).expand(this.full));
  }
  get precisionMatrix(): Tensor {
    const Li = inv(this.unbroadcastedScaleTril);
    return (this._params.precision_matrix ??= matmul(Li.mT, Li).expand(this.full));
  }
  override get mean() { return this.loc; }
  override get mode() { return this.loc; }
  override get variance() { return sum(this.unbroadcastedScaleTril.pow(2), -1).expand([...this._batchShape, ...this._eventShape]); }
  override expand(batchShape: readonly number[]): MultivariateNormal {
    const n = this._eventShape[0], b = [...batchShape];
    const ps: Record<string, Tensor> = { loc: this.loc.expand([...b, n]) };
    for (const k of ['covariance_matrix', 'precision_matrix', 'scale_tril']) if (this._params[k]) ps[k] = this._params[k].expand([...b, n, n]);
    return expanded(this, MultivariateNormal, batchShape, {}, { _params: ps, loc: ps.loc, unbroadcastedScaleTril: this.unbroadcastedScaleTril });
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const eps = randn(this.extendedShape(sampleShape), { dtype: this.loc.dtype, device: dev(this.loc) });
    return add(this.loc, matmul(this.unbroadcastedScaleTril, eps.unsqueeze(-1)).squeeze(-1));
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const diff = sub(value, this.loc);
    const M = batchMahalanobis(this.unbroadcastedScaleTril, diff);
    const n = this._eventShape[0];
    return sub(mul(add(M, n * Math.log(2 * Math.PI)), -0.5), halfLogDet(this.unbroadcastedScaleTril));
  }
  override entropy(): Tensor {
    const n = this._eventShape[0];
    const H = add(halfLogDet(this.unbroadcastedScaleTril), 0.5 * n * (1 + Math.log(2 * Math.PI)));
    return this._batchShape.length === 0 ? H : H.expand([...this._batchShape]);
  }
}

/** PyTorch's _precision_to_scale_tril: L with L Lᵀ = P⁻¹, from the Cholesky factor of P reversed. */
function precisionToScaleTril(P: Tensor): Tensor {
  const Lf = cholesky(flip(P, [-2, -1]));
  const Linv = flip(Lf, [-2, -1]).mT;
  return inv(Linv);
}

// =============================================================== KL divergence

type KlFn = (p: Distribution, q: Distribution) => Tensor;
type DistClass = abstract new (...args: never[]) => Distribution;
const KL = new Map<DistClass, Map<DistClass, KlFn>>();

/** Registers fn as KL(p ‖ q) for p of class P and q of class Q (PyTorch's register_kl). */
export function registerKl<P extends Distribution, Q extends Distribution>(
  P: abstract new (...args: never[]) => P, Q: abstract new (...args: never[]) => Q, fn: (p: P, q: Q) => Tensor): void {
  if (!KL.has(P)) KL.set(P, new Map());
  KL.get(P)!.set(Q, fn as KlFn);
}

/** The class chain of an object, the most derived first. */
function classes(x: object): DistClass[] {
  const out: DistClass[] = [];
  for (let p = Object.getPrototypeOf(x); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) out.push(p.constructor as DistClass);
  return out;
}

/**
 * KL(p ‖ q), elementwise over the batch shape (PyTorch's kl_divergence): the function registered for the
 * most derived pair of classes.
 */
export function klDivergence(p: Distribution, q: Distribution): Tensor {
  for (const P of classes(p)) {
    const row = KL.get(P);
    if (!row) continue;
    for (const Q of classes(q)) { const f = row.get(Q); if (f) return f(p, q); }
  }
  throw new Error(`No KL(p || q) is implemented for p type ${p.constructor.name} and q type ${q.constructor.name}`);
}

registerKl(Normal, Normal, (p, q) => {
  const varRatio = p.scale.div(q.scale).pow(2);
  const t1 = sub(p.loc, q.loc).div(q.scale).pow(2);
  return mul(sub(sub(add(varRatio, t1), 1), log(varRatio)), 0.5);
});
registerKl(Bernoulli, Bernoulli, (p, q) => {
  let t1 = mul(p.probs, sub(softplus(neg(q.logits)), softplus(neg(p.logits))));
  t1 = where(compare('eq', q.probs, 0).expand([...t1.shape]), Infinity, t1);
  t1 = where(compare('eq', p.probs, 0).expand([...t1.shape]), 0, t1);
  let t2 = mul(sub(1, p.probs), sub(softplus(q.logits), softplus(p.logits)));
  t2 = where(compare('eq', q.probs, 1).expand([...t2.shape]), Infinity, t2);
  t2 = where(compare('eq', p.probs, 1).expand([...t2.shape]), 0, t2);
  return add(t1, t2);
});
registerKl(Categorical, Categorical, (p, q) => {
  let t = mul(p.probs, sub(p.logits, q.logits));
  t = where(compare('eq', q.probs, 0).expand([...t.shape]), Infinity, t);
  t = where(compare('eq', p.probs, 0).expand([...t.shape]), 0, t);
  return sum(t, -1);
});
registerKl(Uniform, Uniform, (p, q) => {
  const r = log(sub(q.high, q.low).div(sub(p.high, p.low)));
  const out = compare('gt', q.low, p.low).logicalOr(compare('lt', q.high, p.high));
  return where(out.expand([...r.shape]), Infinity, r);
});
registerKl(Exponential, Exponential, (p, q) => {
  const rateRatio = q.rate.div(p.rate);
  return sub(add(neg(log(rateRatio)), rateRatio), 1);
});
registerKl(Laplace, Laplace, (p, q) => {
  const scaleRatio = p.scale.div(q.scale);
  const locAbsDiff = abs(sub(p.loc, q.loc));
  const t1 = neg(log(scaleRatio)), t2 = locAbsDiff.div(q.scale), t3 = mul(scaleRatio, exp(neg(locAbsDiff).div(p.scale)));
  return sub(add(add(t1, t2), t3), 1);
});
registerKl(Independent, Independent, (p, q) => {
  if (p.reinterpretedBatchNdims !== q.reinterpretedBatchNdims) throw new Error('NotImplementedError');
  return sumRightmost(klDivergence(p.baseDist, q.baseDist), p.reinterpretedBatchNdims);
});

registerKl(Gamma, Gamma, (p, q) => {
  const t1 = mul(q.concentration, log(p.rate.div(q.rate)));
  const t2 = sub(lgamma(q.concentration), lgamma(p.concentration));
  const t3 = mul(sub(p.concentration, q.concentration), digamma(p.concentration));
  const t4 = mul(sub(q.rate, p.rate), p.concentration.div(p.rate));
  return add(add(add(t1, t2), t3), t4);
});
registerKl(Dirichlet, Dirichlet, (p, q) => {
  const sp = sum(p.concentration, -1), sq = sum(q.concentration, -1);
  const t1 = sub(lgamma(sp), lgamma(sq));
  const t2 = sum(sub(lgamma(p.concentration), lgamma(q.concentration)), -1);
  const t3 = sub(p.concentration, q.concentration);
  const t4 = sub(digamma(p.concentration), digamma(sp).unsqueeze(-1));
  return add(sub(t1, t2), sum(mul(t3, t4), -1));
});
registerKl(Beta, Beta, (p, q) => {
  const sp = add(p.concentration1, p.concentration0), sq = add(q.concentration1, q.concentration0);
  const t1 = add(add(lgamma(q.concentration1), lgamma(q.concentration0)), lgamma(sp));
  const t2 = add(add(lgamma(p.concentration1), lgamma(p.concentration0)), lgamma(sq));
  const t3 = mul(sub(p.concentration1, q.concentration1), digamma(p.concentration1));
  const t4 = mul(sub(p.concentration0, q.concentration0), digamma(p.concentration0));
  const t5 = mul(sub(sq, sp), digamma(sp));
  return add(add(add(sub(t1, t2), t3), t4), t5);
});
// PyTorch's formula: n·(p·(logit p − logit q) + log(1 − p) − log(1 − q)), inf where p's totalCount is larger;
// a smaller one is PyTorch's NotImplementedError where the counts are at hand, else NaN there.
registerKl(Binomial, Binomial, (p, q) => {
  const smaller = compare('lt', p.totalCount, q.totalCount);
  if (someNow(smaller, (v) => v !== 0)) throw new Error('NotImplementedError: KL between Binomials where q.total_count > p.total_count is not implemented');
  const kl = mul(p.totalCount, add(mul(p.probs, sub(p.logits, q.logits)), sub(log1p(neg(p.probs)), log1p(neg(q.probs)))));
  return where(smaller, NaN, where(compare('gt', p.totalCount, q.totalCount), Infinity, kl));
});
registerKl(Poisson, Poisson, (p, q) => sub(mul(p.rate, sub(log(p.rate), log(q.rate))), sub(p.rate, q.rate)));
registerKl(MultivariateNormal, MultivariateNormal, (p, q) => {
  if (p.eventShape[0] !== q.eventShape[0]) {
    throw new Error(`KL-divergence between two Multivariate Normals with different event shapes cannot be computed (${formatSize(p.eventShape)} vs ${formatSize(q.eventShape)})`);
  }
  const Lp = p.unbroadcastedScaleTril, Lq = q.unbroadcastedScaleTril, n = p.eventShape[0];
  const half1 = sub(halfLogDet(Lq), halfLogDet(Lp));
  const batch = broadcastShapes(Lq.shape.slice(0, -2), Lp.shape.slice(0, -2));
  // tr(Σq⁻¹ Σp) = ‖Lq⁻¹ Lp‖²_F
  const X = solve(tril(Lq).expand([...batch, n, n]), Lp.expand([...batch, n, n]));
  const term2 = sum(reshape(X.pow(2), [...batch, n * n]), -1);
  const term3 = batchMahalanobis(Lq, sub(q.loc, p.loc));
  return add(half1, mul(sub(add(term2, term3), n), 0.5));
});

/** torch.distributions.kl: klDivergence and registerKl. */
export const kl = { klDivergence, registerKl };
