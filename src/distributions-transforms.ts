/**
 * torch.distributions' transforms as PyTorch 1.13 has them (torch.distributions.transforms), the
 * TransformedDistribution built on them, the transformTo / bijectTo registries (PyTorch's transform_to /
 * biject_to), and the distributions PyTorch defines as TransformedDistributions: Gumbel, Weibull, Pareto,
 * LogisticNormal, RelaxedBernoulli (over LogitRelaxedBernoulli) and RelaxedOneHotCategorical (over
 * ExpRelaxedCategorical); KLs for Gumbel and Pareto pairs and for two TransformedDistributions with equal
 * transforms.
 *
 * A Transform is called as PyTorch's: `t(x)` computes y (it is a function object, as nn.Module is);
 * `t.forward(x)` is the same call. `t.inv` is the inverse transform (made once and kept: `t.inv.inv === t`),
 * `t.logAbsDetJacobian(x, y)` is log |dy/dx|, `domain` / `codomain` are constraints, `bijective`, `sign`
 * (a number, or a tensor for an AffineTransform of tensor scale), `eventDim`, `forwardShape` /
 * `inverseShape`. `{ cacheSize: 1 }` keeps the last (x, y) pair: calling with the same x object (or the
 * inverse with the same y object) returns the kept result, as PyTorch's cache_size=1; 0 (the default)
 * keeps nothing. PyTorch keeps its inverse through a weak reference; here the pair refer to each other
 * (JavaScript collects the cycle).
 *
 * Everything is composed of recorded tensor ops (gradients flow, every device works). What needs values
 * on the host: equals() of AffineTransform / PowerTransform with tensor parameters (PyTorch's __eq__ reads
 * them with .item()) reads them where they are at hand now (a CPU tensor, nothing queued) and otherwise
 * says so; the value checks of the distributions, as in src/distributions.ts.
 */
import {
  Tensor, Size, add, cat as torchCat, clamp, deviceName, div, exp, eye, full, log, mul, neg, pow, rand, reciprocal, reshape,
  sigmoid, sqrt, stack as torchStack, sub, sum, tanh, tensor, valuesNow, where, compare, atanh,
} from './tensor.ts';
import { amax, expm1, log1p, logsumexp, tril, fullLike } from './ops-more.ts';
import { diagEmbed } from './ops-misc.ts';
import { diagonal } from './linalg.ts';
import { logsigmoid, pad, softplus } from './functional.ts';
import { lgamma } from './distributions-extra.ts';
import { noGrad } from './autograd/graph.ts';
import { broadcastShapes, numelOf } from './shape.ts';
import { formatSize } from './format.ts';
import {
  Constraint, Distribution, Categorical, Exponential, Independent, Normal, Uniform, broadcastAll, clampProbs, constraints,
  klDivergence, logitsToProbs, probsToLogits, registerKl, sumRightmost, type DistributionOptions, type ProbsOrLogits,
} from './distributions.ts';
import type { DType } from './runtime/protocol.ts';

type Param = Tensor | number;
const dev = (t: Tensor) => deviceName(t.device);
const finfo = (d: DType) => (d === 'float64' ? { eps: 2 ** -52, tiny: 2 ** -1022 } : { eps: 2 ** -23, tiny: 2 ** -126 });
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((s, i) => s === b[i]);
const notImplemented = (what = '') => new Error(`NotImplementedError${what ? `: ${what}` : ''}`);
/** PyTorch's euler_constant (torch.distributions.utils). */
export const eulerConstant = 0.57721566490153286060;

/** Whether two parameters (numbers or tensors) hold the same values (PyTorch's `(a == b).all().item()`):
 * tensors are read now, and where they cannot be (GPU, work in flight) that is an error. */
function sameValues(a: Param, b: Param, what: string): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  const [ta, tb] = broadcastAll([a, b]);
  const va = valuesNow(ta), vb = valuesNow(tb);
  if (!va || !vb) throw new Error(`${what}: comparing tensor parameters needs their values, which are not at hand now (GPU, or CPU work in flight); compare CPU tensors`);
  return va.every((x, i) => x === vb[i]);
}

// =============================================================== Transform

export interface TransformOptions { cacheSize?: number }

/** A transform is called as a function: t(x) is t.forward(x). */
export interface Transform {
  (x: Tensor): Tensor;
}
/**
 * The base class (torch.distributions.transforms.Transform): an invertible map with a computable log
 * |det J|. Subclasses implement _call (and _inverse, logAbsDetJacobian, domain, codomain, bijective, sign
 * where they have them).
 */
export class Transform {
  /** @internal 0 or 1: whether the last (x, y) pair is kept */
  declare _cacheSize: number;
  /** @internal the inverse made by `inv` (for an inverse: the transform it inverts) */
  declare _inv: Transform | null;
  declare private _cachedX: Tensor | null;
  declare private _cachedY: Tensor | null;
  constructor(o: TransformOptions = {}) {
    const cacheSize = o.cacheSize ?? 0;
    if (cacheSize !== 0 && cacheSize !== 1) throw new Error('cache_size must be 0 or 1');
    // A function whose prototype is the subclass's (as nn.Module): `t(x)` calls forward.
    const self = ((x: Tensor) => self.forward(x)) as unknown as Transform;
    delete (self as { name?: string }).name;
    delete (self as { length?: number }).length;
    Object.setPrototypeOf(self, new.target.prototype);
    self._cacheSize = cacheSize;
    self._inv = null;
    self._cachedX = null;
    self._cachedY = null;
    return self;
  }
  /** 0 or 1 (PyTorch's _cache_size). */
  get cacheSize(): number { return this._cacheSize; }
  /** The constraint on inputs. */
  get domain(): Constraint { throw notImplemented(`${this.constructor.name} has no domain`); }
  /** The constraint on outputs (the inverse's inputs). */
  get codomain(): Constraint { throw notImplemented(`${this.constructor.name} has no codomain`); }
  /** Whether t.inv(t(x)) = x and t(t.inv(y)) = y on the domain and codomain. */
  get bijective(): boolean { return false; }
  /** +1 or −1 (or a tensor of them) for monotone univariate transforms: the sign of dy/dx. */
  get sign(): number | Tensor { throw notImplemented(); }
  /** The number of rightmost dims that form one event (the domain's, where it equals the codomain's). */
  get eventDim(): number {
    if (this.domain.eventDim === this.codomain.eventDim) return this.domain.eventDim;
    throw new Error('Please use either .domain.event_dim or .codomain.event_dim');
  }
  /** The inverse transform (made on first use and kept: t.inv.inv === t). */
  get inv(): Transform { return (this._inv ??= new _InverseTransform(this)); }
  /** This transform with cacheSize (itself if it has it). */
  withCache(cacheSize = 1): Transform {
    if (this._cacheSize === cacheSize) return this;
    const C = this.constructor as new (o: TransformOptions) => Transform;
    if (C.length === 0) return new C({ cacheSize });
    throw new Error(`NotImplementedError: ${this.constructor.name}.with_cache is not implemented`);
  }
  /** PyTorch's ==: the same object, unless a class says otherwise. */
  equals(other: Transform): boolean { return this === other; }
  /** y = t(x), through the cache when cacheSize is 1. */
  forward(x: Tensor): Tensor {
    if (this._cacheSize === 0) return this._call(x);
    if (x === this._cachedX) return this._cachedY!;
    const y = this._call(x);
    this._cachedX = x; this._cachedY = y;
    return y;
  }
  /** @internal x = t⁻¹(y), through the cache when cacheSize is 1. */
  _invCall(y: Tensor): Tensor {
    if (this._cacheSize === 0) return this._inverse(y);
    if (y === this._cachedY) return this._cachedX!;
    const x = this._inverse(y);
    this._cachedX = x; this._cachedY = y;
    return x;
  }
  /** @internal the forward map */
  _call(_x: Tensor): Tensor { throw notImplemented(); }
  /** @internal the inverse map */
  _inverse(_y: Tensor): Tensor { throw notImplemented(); }
  /** log |dy/dx| given x and y = t(x). */
  logAbsDetJacobian(_x: Tensor, _y: Tensor): Tensor { throw notImplemented(); }
  /** The shape of t(x) for x of this shape. */
  forwardShape(shape: readonly number[]): number[] { return [...shape]; }
  /** The shape of t.inv(y) for y of this shape. */
  inverseShape(shape: readonly number[]): number[] { return [...shape]; }
  /** PyTorch's repr: `ExpTransform()`. */
  toString(): string { return `${this.constructor.name}()`; }
  [Symbol.for('nodejs.util.inspect.custom')]() { return this.toString(); }
}

/** The inverse of a transform (PyTorch's private _InverseTransform; made by `t.inv`). */
class _InverseTransform extends Transform {
  constructor(transform: Transform) {
    super({ cacheSize: transform._cacheSize });
    this._inv = transform;
  }
  private get base(): Transform { return this._inv!; }
  override get domain() { return this.base.codomain; }
  override get codomain() { return this.base.domain; }
  override get bijective() { return this.base.bijective; }
  override get sign() { return this.base.sign; }
  override get inv(): Transform { return this.base; }
  override withCache(cacheSize = 1): Transform { return this.base.withCache(cacheSize).inv; }
  override equals(other: Transform): boolean { return other instanceof _InverseTransform && this.base.equals(other.base); }
  override forward(x: Tensor): Tensor { return this.base._invCall(x); }
  override logAbsDetJacobian(x: Tensor, y: Tensor): Tensor { return neg(this.base.logAbsDetJacobian(y, x)); }
  override forwardShape(shape: readonly number[]) { return this.base.inverseShape(shape); }
  override inverseShape(shape: readonly number[]) { return this.base.forwardShape(shape); }
  override toString(): string { return `_InverseTransform(${this.base})`; }
}

/** ComposeTransform(parts): the parts applied in order (the parts do the caching). */
export class ComposeTransform extends Transform {
  readonly parts: Transform[];
  constructor(parts: Transform[], o: TransformOptions = {}) {
    if (!Array.isArray(parts) || !parts.every((p) => p instanceof Transform)) throw new TypeError('ComposeTransform: parts must be a list of Transforms');
    const cs = o.cacheSize ?? 0;
    const ps = cs ? parts.map((p) => p.withCache(cs)) : [...parts];
    super(o);
    this.parts = ps;
  }
  override equals(other: Transform): boolean {
    return other instanceof ComposeTransform && other.parts.length === this.parts.length && this.parts.every((p, i) => p.equals(other.parts[i]));
  }
  override get domain(): Constraint {
    if (!this.parts.length) return constraints.real;
    let domain = this.parts[0].domain;
    // the event dim: the largest among the parts
    let eventDim = this.parts[this.parts.length - 1].codomain.eventDim;
    for (const part of [...this.parts].reverse()) {
      eventDim += part.domain.eventDim - part.codomain.eventDim;
      eventDim = Math.max(eventDim, part.domain.eventDim);
    }
    if (eventDim > domain.eventDim) domain = constraints.independent(domain, eventDim - domain.eventDim);
    return domain;
  }
  override get codomain(): Constraint {
    if (!this.parts.length) return constraints.real;
    let codomain = this.parts[this.parts.length - 1].codomain;
    let eventDim = this.parts[0].domain.eventDim;
    for (const part of this.parts) {
      eventDim += part.codomain.eventDim - part.domain.eventDim;
      eventDim = Math.max(eventDim, part.codomain.eventDim);
    }
    if (eventDim > codomain.eventDim) codomain = constraints.independent(codomain, eventDim - codomain.eventDim);
    return codomain;
  }
  override get bijective() { return this.parts.every((p) => p.bijective); }
  override get sign(): number | Tensor {
    let s: number | Tensor = 1;
    for (const p of this.parts) s = mulSign(s, p.sign);
    return s;
  }
  override get inv(): Transform {
    if (!this._inv) {
      const inv = new ComposeTransform(this.parts.map((p) => p.inv).reverse());
      this._inv = inv;
      inv._inv = this;
    }
    return this._inv;
  }
  override withCache(cacheSize = 1): Transform {
    if (this._cacheSize === cacheSize) return this;
    return new ComposeTransform(this.parts, { cacheSize });
  }
  override forward(x: Tensor): Tensor {
    for (const part of this.parts) x = part.forward(x);
    return x;
  }
  override logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    if (!this.parts.length) return fullLike(x, 0);
    // the intermediates (free where the parts but the last cache)
    const xs = [x];
    for (const part of this.parts.slice(0, -1)) xs.push(part.forward(xs[xs.length - 1]));
    xs.push(y);
    let total: Tensor | null = null, eventDim = this.domain.eventDim;
    this.parts.forEach((part, i) => {
      const term = sumRightmost(part.logAbsDetJacobian(xs[i], xs[i + 1]), eventDim - part.domain.eventDim);
      total = total === null ? term : add(total, term);
      eventDim += part.codomain.eventDim - part.domain.eventDim;
    });
    return total!;
  }
  override forwardShape(shape: readonly number[]) {
    let s = [...shape];
    for (const p of this.parts) s = p.forwardShape(s);
    return s;
  }
  override inverseShape(shape: readonly number[]) {
    let s = [...shape];
    for (const p of [...this.parts].reverse()) s = p.inverseShape(s);
    return s;
  }
  override toString(): string { return `ComposeTransform(\n    ${this.parts.map(String).join(',\n    ')}\n)`; }
}
/** sign · sign as PyTorch multiplies them (numbers stay numbers). */
function mulSign(a: number | Tensor, b: number | Tensor): number | Tensor {
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  return typeof a === 'number' ? mul(b as Tensor, a) : mul(a, b);
}

/** The identity: ComposeTransform([]) (PyTorch's identity_transform). */
export const identityTransform = new ComposeTransform([]);

/** IndependentTransform(base, n): base's map, its log |det J| summed over n more rightmost dims. */
export class IndependentTransform extends Transform {
  readonly baseTransform: Transform;
  readonly reinterpretedBatchNdims: number;
  constructor(baseTransform: Transform, reinterpretedBatchNdims: number, o: TransformOptions = {}) {
    if (!(baseTransform instanceof Transform)) throw new TypeError('IndependentTransform: the base must be a Transform');
    if (!Number.isInteger(reinterpretedBatchNdims) || reinterpretedBatchNdims < 0) throw new TypeError(`IndependentTransform: reinterpretedBatchNdims must be a non-negative integer, got ${reinterpretedBatchNdims}`);
    super(o);
    this.baseTransform = baseTransform.withCache(this._cacheSize);
    this.reinterpretedBatchNdims = reinterpretedBatchNdims;
  }
  override withCache(cacheSize = 1): Transform {
    if (this._cacheSize === cacheSize) return this;
    return new IndependentTransform(this.baseTransform, this.reinterpretedBatchNdims, { cacheSize });
  }
  override get domain() { return constraints.independent(this.baseTransform.domain, this.reinterpretedBatchNdims); }
  override get codomain() { return constraints.independent(this.baseTransform.codomain, this.reinterpretedBatchNdims); }
  override get bijective() { return this.baseTransform.bijective; }
  override get sign() { return this.baseTransform.sign; }
  override _call(x: Tensor): Tensor {
    if (x.ndim < this.domain.eventDim) throw new Error('Too few dimensions on input');
    return this.baseTransform.forward(x);
  }
  override _inverse(y: Tensor): Tensor {
    if (y.ndim < this.codomain.eventDim) throw new Error('Too few dimensions on input');
    return this.baseTransform.inv.forward(y);
  }
  override logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    return sumRightmost(this.baseTransform.logAbsDetJacobian(x, y), this.reinterpretedBatchNdims);
  }
  override forwardShape(shape: readonly number[]) { return this.baseTransform.forwardShape(shape); }
  override inverseShape(shape: readonly number[]) { return this.baseTransform.inverseShape(shape); }
  override toString(): string { return `IndependentTransform(${this.baseTransform}, ${this.reinterpretedBatchNdims})`; }
}

/** ReshapeTransform(inShape, outShape): the rightmost inShape dims reshaped to outShape (log |det J| = 0). */
export class ReshapeTransform extends Transform {
  readonly inShape: Size;
  readonly outShape: Size;
  constructor(inShape: readonly number[], outShape: readonly number[], o: TransformOptions = {}) {
    if (numelOf([...inShape]) !== numelOf([...outShape])) throw new Error('in_shape, out_shape have different numbers of elements');
    super(o);
    this.inShape = Size.from(inShape) as Size;
    this.outShape = Size.from(outShape) as Size;
  }
  override get domain() { return constraints.independent(constraints.real, this.inShape.length); }
  override get codomain() { return constraints.independent(constraints.real, this.outShape.length); }
  override get bijective() { return true; }
  override withCache(cacheSize = 1): Transform {
    if (this._cacheSize === cacheSize) return this;
    return new ReshapeTransform(this.inShape, this.outShape, { cacheSize });
  }
  override _call(x: Tensor): Tensor { return reshape(x, [...x.shape.slice(0, x.ndim - this.inShape.length), ...this.outShape]); }
  override _inverse(y: Tensor): Tensor { return reshape(y, [...y.shape.slice(0, y.ndim - this.outShape.length), ...this.inShape]); }
  override logAbsDetJacobian(x: Tensor, _y: Tensor): Tensor { return x.newZeros(x.shape.slice(0, x.ndim - this.inShape.length)); }
  override forwardShape(shape: readonly number[]) { return reshapeShape(shape, this.inShape, this.outShape); }
  override inverseShape(shape: readonly number[]) { return reshapeShape(shape, this.outShape, this.inShape); }
}
function reshapeShape(shape: readonly number[], from: readonly number[], to: readonly number[]): number[] {
  if (shape.length < from.length) throw new Error('Too few dimensions on input');
  const cut = shape.length - from.length;
  if (!sameShape(shape.slice(cut), from)) throw new Error(`Shape mismatch: expected ${formatSize(shape.slice(cut))} but got ${formatSize([...from])}`);
  return [...shape.slice(0, cut), ...to];
}

// --------------------------------------------------------------- elementwise transforms

/** ExpTransform: y = exp(x). */
export class ExpTransform extends Transform {
  override get domain() { return constraints.real; }
  override get codomain() { return constraints.positive; }
  override get bijective() { return true; }
  override get sign() { return 1; }
  override equals(other: Transform) { return other instanceof ExpTransform; }
  override _call(x: Tensor) { return exp(x); }
  override _inverse(y: Tensor) { return log(y); }
  override logAbsDetJacobian(x: Tensor, _y: Tensor) { return x; }
}

/** PowerTransform(exponent): y = x^exponent on positive x (exponent a number or a tensor). */
export class PowerTransform extends Transform {
  readonly exponent: Tensor;
  constructor(exponent: Param, o: TransformOptions = {}) {
    super(o);
    [this.exponent] = broadcastAll([exponent]);
  }
  override get domain() { return constraints.positive; }
  override get codomain() { return constraints.positive; }
  override get bijective() { return true; }
  override get sign() { return 1; }
  override withCache(cacheSize = 1): Transform {
    if (this._cacheSize === cacheSize) return this;
    return new PowerTransform(this.exponent, { cacheSize });
  }
  override equals(other: Transform) { return other instanceof PowerTransform && sameValues(this.exponent, other.exponent, 'PowerTransform.equals'); }
  override _call(x: Tensor) { return pow(x, this.exponent); }
  override _inverse(y: Tensor) { return pow(y, reciprocal(this.exponent)); }
  override logAbsDetJacobian(x: Tensor, y: Tensor) { return log(abs_(div(mul(this.exponent, y), x))); }
  override forwardShape(shape: readonly number[]) { return broadcastShapes(shape, this.exponent.shape); }
  override inverseShape(shape: readonly number[]) { return broadcastShapes(shape, this.exponent.shape); }
}
const abs_ = (x: Tensor) => x.abs();

/** sigmoid clamped into [tiny, 1 − eps] of the dtype (PyTorch's _clipped_sigmoid). */
function clippedSigmoid(x: Tensor): Tensor {
  const { tiny, eps } = finfo(x.dtype);
  return clamp(sigmoid(x), tiny, 1 - eps);
}

/** SigmoidTransform: y = 1 / (1 + exp(−x)), x = logit(y) (y clamped into [tiny, 1 − eps]). */
export class SigmoidTransform extends Transform {
  override get domain() { return constraints.real; }
  override get codomain() { return constraints.unitInterval; }
  override get bijective() { return true; }
  override get sign() { return 1; }
  override equals(other: Transform) { return other instanceof SigmoidTransform; }
  override _call(x: Tensor) { return clippedSigmoid(x); }
  override _inverse(y: Tensor) {
    const { tiny, eps } = finfo(y.dtype);
    const c = clamp(y, tiny, 1 - eps);
    return sub(log(c), log1p(neg(c)));
  }
  override logAbsDetJacobian(x: Tensor, _y: Tensor) { return sub(neg(softplus(neg(x))), softplus(x)); }
}

/** SoftplusTransform: y = log(1 + exp(x)) (linear above 20). */
export class SoftplusTransform extends Transform {
  override get domain() { return constraints.real; }
  override get codomain() { return constraints.positive; }
  override get bijective() { return true; }
  override get sign() { return 1; }
  override equals(other: Transform) { return other instanceof SoftplusTransform; }
  override _call(x: Tensor) { return softplus(x); }
  override _inverse(y: Tensor) { return add(log(neg(expm1(neg(y)))), y); }
  override logAbsDetJacobian(x: Tensor, _y: Tensor) { return neg(softplus(neg(x))); }
}

/** TanhTransform: y = tanh(x), x = atanh(y) (not clamped, as PyTorch's: use cacheSize 1 near ±1). */
export class TanhTransform extends Transform {
  override get domain() { return constraints.real; }
  override get codomain() { return constraints.interval(-1, 1); }
  override get bijective() { return true; }
  override get sign() { return 1; }
  override equals(other: Transform) { return other instanceof TanhTransform; }
  override _call(x: Tensor) { return tanh(x); }
  override _inverse(y: Tensor) { return atanh(y); }
  // 2·(log 2 − x − softplus(−2x)): the stable form PyTorch takes from TensorFlow Probability
  override logAbsDetJacobian(x: Tensor, _y: Tensor) { return mul(sub(sub(Math.LN2, x), softplus(mul(x, -2))), 2); }
}

/** AbsTransform: y = |x| (not bijective: the inverse is the identity). */
export class AbsTransform extends Transform {
  override get domain() { return constraints.real; }
  override get codomain() { return constraints.positive; }
  override equals(other: Transform) { return other instanceof AbsTransform; }
  override _call(x: Tensor) { return x.abs(); }
  override _inverse(y: Tensor) { return y; }
}

/** AffineTransform(loc, scale, eventDim = 0): y = loc + scale·x (numbers or tensors); eventDim dims
 * form one event (its log |det J| sums over them). */
export class AffineTransform extends Transform {
  readonly loc: Param;
  readonly scale: Param;
  private readonly _eventDim: number;
  constructor(loc: Param, scale: Param, eventDim = 0, o: TransformOptions = {}) {
    if (!(loc instanceof Tensor || typeof loc === 'number') || !(scale instanceof Tensor || typeof scale === 'number')) {
      throw new TypeError('AffineTransform: loc and scale must be numbers or Tensors');
    }
    if (!Number.isInteger(eventDim) || eventDim < 0) throw new TypeError(`AffineTransform: eventDim must be a non-negative integer, got ${eventDim}`);
    super(o);
    this.loc = loc; this.scale = scale; this._eventDim = eventDim;
  }
  override get eventDim() { return this._eventDim; }
  override get domain() { return this._eventDim === 0 ? constraints.real : constraints.independent(constraints.real, this._eventDim); }
  override get codomain() { return this.domain; }
  override get bijective() { return true; }
  override withCache(cacheSize = 1): Transform {
    if (this._cacheSize === cacheSize) return this;
    return new AffineTransform(this.loc, this.scale, this._eventDim, { cacheSize });
  }
  override equals(other: Transform): boolean {
    return other instanceof AffineTransform && sameValues(this.loc, other.loc, 'AffineTransform.equals') && sameValues(this.scale, other.scale, 'AffineTransform.equals');
  }
  override get sign(): number | Tensor {
    if (typeof this.scale === 'number') return this.scale > 0 ? 1 : this.scale < 0 ? -1 : 0;
    return this.scale.sign();
  }
  override _call(x: Tensor) { return add(this.loc, mul(this.scale, x)); }
  override _inverse(y: Tensor) { return div(sub(y, this.loc), this.scale); }
  override logAbsDetJacobian(x: Tensor, _y: Tensor): Tensor {
    let shape = [...x.shape];
    let result = typeof this.scale === 'number'
      ? full(shape, Math.log(Math.abs(this.scale)), { dtype: x.dtype, device: dev(x) })
      : log(this.scale.abs());
    if (this._eventDim) {
      result = sum(reshape(result, [...result.shape.slice(0, result.ndim - this._eventDim), -1]), -1);
      shape = shape.slice(0, shape.length - this._eventDim);
    }
    return result.expand(shape);
  }
  override forwardShape(shape: readonly number[]) { return this.broadcast(shape); }
  override inverseShape(shape: readonly number[]) { return this.broadcast(shape); }
  private broadcast(shape: readonly number[]): number[] {
    let s = [...shape];
    for (const p of [this.loc, this.scale]) if (p instanceof Tensor) s = broadcastShapes(s, p.shape);
    return s;
  }
}

// --------------------------------------------------------------- transforms onto the simplex and matrices

const atLeast1 = (shape: readonly number[]) => { if (shape.length < 1) throw new Error('Too few dimensions on input'); };
/** [n, n − 1, …, 1] as x's dtype and device (PyTorch's `n + 1 − x.new_ones(n).cumsum(-1)` shifted). */
const countdown = (n: number, like: Tensor) => tensor(Array.from({ length: n }, (_, i) => n - i), { dtype: like.dtype, device: dev(like) });

/** SoftmaxTransform: y = exp(x) normalized over the last dim (not bijective; the inverse is log). */
export class SoftmaxTransform extends Transform {
  override get domain() { return constraints.realVector; }
  override get codomain() { return constraints.simplex; }
  override equals(other: Transform) { return other instanceof SoftmaxTransform; }
  override _call(x: Tensor) {
    const probs = exp(sub(x, amax(x, -1, true)));
    return div(probs, sum(probs, -1, true));
  }
  override _inverse(y: Tensor) { return log(y); }
  override forwardShape(shape: readonly number[]) { atLeast1(shape); return [...shape]; }
  override inverseShape(shape: readonly number[]) { atLeast1(shape); return [...shape]; }
}

/** StickBreakingTransform: reals of length K onto the simplex of K + 1 by stick breaking (bijective). */
export class StickBreakingTransform extends Transform {
  override get domain() { return constraints.realVector; }
  override get codomain() { return constraints.simplex; }
  override get bijective() { return true; }
  override equals(other: Transform) { return other instanceof StickBreakingTransform; }
  override _call(x: Tensor) {
    const offset = countdown(x.shape[x.ndim - 1], x);
    const z = clippedSigmoid(sub(x, log(offset)));
    const zCumprod = sub(1, z).cumprod(-1);
    return mul(pad(z, [0, 1], { value: 1 }), pad(zCumprod, [1, 0], { value: 1 }));
  }
  override _inverse(y: Tensor) {
    const k = y.shape[y.ndim - 1];
    const yCrop = y.narrow(-1, 0, k - 1);
    const offset = countdown(k - 1, y);
    // (clamped: sf can come out ≤ 0 when y[-1] ≈ 0 or the sum of the rest ≈ 1)
    const sf = clamp(sub(1, yCrop.cumsum(-1)), finfo(y.dtype).tiny);
    return add(sub(log(yCrop), log(sf)), log(offset));
  }
  override logAbsDetJacobian(x: Tensor, y: Tensor) {
    const xs = sub(x, log(countdown(x.shape[x.ndim - 1], x)));
    // 1 − sigmoid(x) = exp(−x)·sigmoid(x)
    return sum(add(add(neg(xs), logsigmoid(xs)), log(y.narrow(-1, 0, y.shape[y.ndim - 1] - 1))), -1);
  }
  override forwardShape(shape: readonly number[]) { atLeast1(shape); return [...shape.slice(0, -1), shape[shape.length - 1] + 1]; }
  override inverseShape(shape: readonly number[]) { atLeast1(shape); return [...shape.slice(0, -1), shape[shape.length - 1] - 1]; }
}

/** LowerCholeskyTransform: square matrices onto lower-triangular ones with a positive diagonal (the
 * strict lower triangle kept, the diagonal exponentiated). */
export class LowerCholeskyTransform extends Transform {
  override get domain() { return constraints.independent(constraints.real, 2); }
  override get codomain() { return constraints.lowerCholesky; }
  override equals(other: Transform) { return other instanceof LowerCholeskyTransform; }
  override _call(x: Tensor) { return add(tril(x, -1), diagEmbed(exp(diagonal(x)))); }
  override _inverse(y: Tensor) { return add(tril(y, -1), diagEmbed(log(diagonal(y)))); }
}

/** The positions (row-major) of a D×D matrix with col < row + diag + 1 (PyTorch's tril_mask). */
function trilPositions(n: number, diag: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (j < i + diag + 1) out.push(i * n + j);
  return out;
}
/** PyTorch's tril_matrix_to_vec: the lower triangle (below diag) of [..., n, n] as [..., m], rows in order. */
export function trilMatrixToVec(mat: Tensor, diag = 0): Tensor {
  const n = mat.shape[mat.ndim - 1];
  if (diag < -n || diag >= n) throw new Error(`diag (${diag}) provided is outside [${-n}, ${n - 1}].`);
  const pos = trilPositions(n, diag), flat = reshape(mat, [...mat.shape.slice(0, -2), n * n]);
  if (!pos.length) return flat.narrow(-1, 0, 0);
  return flat.indexSelect(-1, tensor(pos, { dtype: 'int64', device: dev(mat) }));
}
/** PyTorch's vec_to_tril_matrix: [..., m] into the lower triangle (below diag) of [..., n, n], zeros elsewhere. */
export function vecToTrilMatrix(vec: Tensor, diag = 0): Tensor {
  const m = vec.shape[vec.ndim - 1];
  const nf = (-(1 + 2 * diag) + Math.sqrt((1 + 2 * diag) ** 2 + 8 * m + 4 * Math.abs(diag) * (diag + 1))) / 2;
  if (Math.round(nf) - nf > finfo(vec.dtype).eps) {
    throw new Error(`The size of last dimension is ${m} which cannot be expressed as the lower triangular part of a square D x D matrix.`);
  }
  const n = Math.round(nf), pos = trilPositions(n, diag);
  // (PyTorch's size check above is one-sided: a length just above a triangular number fails here, in its words)
  if (pos.length !== m) throw new Error(`shape mismatch: value tensor of shape [${m}] cannot be broadcast to indexing result of shape [${pos.length}]`);
  // gather from [0, vec…]: index 0 (the zero) off the triangle, k + 1 for its k-th position
  const idx = new Array<number>(n * n).fill(0);
  pos.forEach((p, k) => { idx[p] = k + 1; });
  const padded = pad(vec, [1, 0], { value: 0 });
  return reshape(padded.indexSelect(-1, tensor(idx, { dtype: 'int64', device: dev(vec) })), [...vec.shape.slice(0, -1), n, n]);
}

/** CorrCholeskyTransform: reals of length D(D−1)/2 onto Cholesky factors of D×D correlation matrices
 * (tanh into (−1, 1), then a signed stick breaking of each row). */
export class CorrCholeskyTransform extends Transform {
  override get domain() { return constraints.realVector; }
  override get codomain() { return constraints.corrCholesky; }
  override get bijective() { return true; }
  override _call(x: Tensor) {
    const eps = finfo(x.dtype).eps;
    let r = vecToTrilMatrix(clamp(tanh(x), -1 + eps, 1 - eps), -1);
    const z = pow(r, 2);
    const z1mCumprodSqrt = sqrt(sub(1, z)).cumprod(-1);
    const n = r.shape[r.ndim - 1];
    // the diagonal is 1
    r = add(r, eye(n, { dtype: r.dtype, device: dev(r) }));
    return mul(r, pad(z1mCumprodSqrt.narrow(-1, 0, n - 1), [1, 0], { value: 1 }));
  }
  override _inverse(y: Tensor) {
    const n = y.shape[y.ndim - 1];
    const yCumsum = sub(1, mul(y, y).cumsum(-1));
    const shifted = pad(yCumsum.narrow(-1, 0, n - 1), [1, 0], { value: 1 });
    const t = div(trilMatrixToVec(y, -1), sqrt(trilMatrixToVec(shifted, -1)));
    return div(log(div(add(t, 1), sub(1, t))), 2);
  }
  override logAbsDetJacobian(x: Tensor, y: Tensor) {
    const y1mCumsum = sub(1, mul(y, y).cumsum(-1));
    // diag −2: no shift of the cumulative products needed (works for 2 × 2 too)
    const stick = mul(sum(log(trilMatrixToVec(y1mCumsum, -2)), -1), 0.5);
    const tanhLogdet = mul(sum(sub(add(x, softplus(mul(x, -2))), Math.LN2), -1), -2);
    return add(stick, tanhLogdet);
  }
  override forwardShape(shape: readonly number[]) {
    atLeast1(shape);
    const N = shape[shape.length - 1], D = Math.round(Math.sqrt(0.25 + 2 * N) + 0.5);
    if ((D * (D - 1)) / 2 !== N) throw new Error('Input is not a flattend lower-diagonal number');
    return [...shape.slice(0, -1), D, D];
  }
  override inverseShape(shape: readonly number[]) {
    if (shape.length < 2) throw new Error('Too few dimensions on input');
    if (shape[shape.length - 2] !== shape[shape.length - 1]) throw new Error('Input is not square');
    const D = shape[shape.length - 1];
    return [...shape.slice(0, -2), (D * (D - 1)) / 2];
  }
}

// --------------------------------------------------------------- functors

const normDim = (d: number, n: number, what: string) => {
  if (!(d >= -n && d < n)) throw new Error(`${what}: dim ${d} is out of range for a tensor of ${n} dims`);
  return d < 0 ? d + n : d;
};

/** CatTransform(tseq, dim = 0, lengths = ones): tseq[i] applied to the i-th slice of lengths[i] along dim. */
export class CatTransform extends Transform {
  readonly transforms: Transform[];
  readonly lengths: number[];
  readonly dim: number;
  constructor(tseq: Transform[], dim = 0, lengths?: number[] | null, o: TransformOptions = {}) {
    if (!Array.isArray(tseq) || !tseq.every((t) => t instanceof Transform)) throw new TypeError('CatTransform: tseq must be a list of Transforms');
    const cs = o.cacheSize ?? 0;
    const ts = cs ? tseq.map((t) => t.withCache(cs)) : [...tseq];
    const ls = lengths ? [...lengths] : ts.map(() => 1);
    if (ls.length !== ts.length) throw new Error(`CatTransform: ${ts.length} transforms but ${ls.length} lengths`);
    super(o);
    this.transforms = ts; this.lengths = ls; this.dim = dim;
  }
  override get eventDim() { return Math.max(...this.transforms.map((t) => t.eventDim)); }
  get length(): number { return this.lengths.reduce((a, b) => a + b, 0); }
  override withCache(cacheSize = 1): Transform {
    if (this._cacheSize === cacheSize) return this;
    return new CatTransform(this.transforms, this.dim, this.lengths, { cacheSize });
  }
  private slices(z: Tensor): Tensor[] {
    const d = normDim(this.dim, z.ndim, 'CatTransform');
    if (z.shape[d] !== this.length) throw new Error(`CatTransform: size ${z.shape[d]} along dim ${this.dim}, expected ${this.length}`);
    let start = 0;
    return this.lengths.map((l) => { const s = z.narrow(d, start, l); start += l; return s; });
  }
  override _call(x: Tensor) { return torchCat(this.slices(x).map((s, i) => this.transforms[i].forward(s)), this.dim); }
  override _inverse(y: Tensor) { return torchCat(this.slices(y).map((s, i) => this.transforms[i].inv.forward(s)), this.dim); }
  override logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    const xs = this.slices(x), ys = this.slices(y), ed = this.eventDim;
    const parts = this.transforms.map((t, i) => {
      const l = t.logAbsDetJacobian(xs[i], ys[i]);
      return t.eventDim < ed ? sumRightmost(l, ed - t.eventDim) : l;
    });
    // concatenated along dim where it is a batch dim of the result, else summed
    let dim = this.dim;
    if (dim >= 0) dim -= x.ndim;
    dim += ed;
    return dim < 0 ? torchCat(parts, dim) : parts.reduce((a, b) => add(a, b));
  }
  override get bijective() { return this.transforms.every((t) => t.bijective); }
  override get domain() { return constraints.cat(this.transforms.map((t) => t.domain), this.dim, this.lengths); }
  override get codomain() { return constraints.cat(this.transforms.map((t) => t.codomain), this.dim, this.lengths); }
}

/** StackTransform(tseq, dim = 0): tseq[i] applied to the i-th index along dim. */
export class StackTransform extends Transform {
  readonly transforms: Transform[];
  readonly dim: number;
  constructor(tseq: Transform[], dim = 0, o: TransformOptions = {}) {
    if (!Array.isArray(tseq) || !tseq.every((t) => t instanceof Transform)) throw new TypeError('StackTransform: tseq must be a list of Transforms');
    const cs = o.cacheSize ?? 0;
    const ts = cs ? tseq.map((t) => t.withCache(cs)) : [...tseq];
    super(o);
    this.transforms = ts; this.dim = dim;
  }
  override withCache(cacheSize = 1): Transform {
    if (this._cacheSize === cacheSize) return this;
    return new StackTransform(this.transforms, this.dim, { cacheSize });
  }
  private slices(z: Tensor): Tensor[] {
    const d = normDim(this.dim, z.ndim, 'StackTransform');
    if (z.shape[d] !== this.transforms.length) throw new Error(`StackTransform: size ${z.shape[d]} along dim ${this.dim}, expected ${this.transforms.length}`);
    return Array.from({ length: z.shape[d] }, (_, i) => z.narrow(d, i, 1).squeeze(d));
  }
  override _call(x: Tensor) { return torchStack(this.slices(x).map((s, i) => this.transforms[i].forward(s)), this.dim); }
  override _inverse(y: Tensor) { return torchStack(this.slices(y).map((s, i) => this.transforms[i].inv.forward(s)), this.dim); }
  override logAbsDetJacobian(x: Tensor, y: Tensor): Tensor {
    const xs = this.slices(x), ys = this.slices(y);
    return torchStack(this.transforms.map((t, i) => t.logAbsDetJacobian(xs[i], ys[i])), this.dim);
  }
  override get bijective() { return this.transforms.every((t) => t.bijective); }
  override get domain() { return constraints.stack(this.transforms.map((t) => t.domain), this.dim); }
  override get codomain() { return constraints.stack(this.transforms.map((t) => t.codomain), this.dim); }
}

/** CumulativeDistributionTransform(distribution): y = distribution.cdf(x) (log |det J| = logProb(x)). */
export class CumulativeDistributionTransform extends Transform {
  readonly distribution: Distribution;
  constructor(distribution: Distribution, o: TransformOptions = {}) {
    super(o);
    this.distribution = distribution;
  }
  override get domain() { return this.distribution.support; }
  override get codomain() { return constraints.unitInterval; }
  override get bijective() { return true; }
  override get sign() { return 1; }
  override withCache(cacheSize = 1): Transform {
    if (this._cacheSize === cacheSize) return this;
    return new CumulativeDistributionTransform(this.distribution, { cacheSize });
  }
  override _call(x: Tensor) { return this.distribution.cdf(x); }
  override _inverse(y: Tensor) { return this.distribution.icdf(y); }
  override logAbsDetJacobian(x: Tensor, _y: Tensor) { return this.distribution.logProb(x); }
}

// =============================================================== transformTo, bijectTo

type Factory = (c: Constraint) => Transform;
/** A registry of transforms from the reals onto constraints (PyTorch's ConstraintRegistry): called with a
 * constraint, it returns the transform registered for the constraint's class (its typeName). */
export interface ConstraintRegistry {
  (constraint: Constraint): Transform;
}
export class ConstraintRegistry {
  declare private _registry: Map<string, Factory>;
  constructor() {
    const self = ((c: Constraint) => self.lookup(c)) as unknown as ConstraintRegistry;
    delete (self as { name?: string }).name;
    delete (self as { length?: number }).length;
    Object.setPrototypeOf(self, new.target.prototype);
    self._registry = new Map();
    return self;
  }
  /** Registers factory for the class of `constraint` (a Constraint, or its typeName such as '_Interval');
   * without a factory, returns a function that registers the one it is given (PyTorch's decorator form). */
  register(constraint: Constraint | string, factory: Factory): Factory;
  register(constraint: Constraint | string): (factory: Factory) => Factory;
  register(constraint: Constraint | string, factory?: Factory): Factory | ((factory: Factory) => Factory) {
    if (factory === undefined) return (f: Factory) => this.register(constraint, f);
    if (!(constraint instanceof Constraint) && typeof constraint !== 'string') {
      throw new TypeError(`Expected constraint to be either a Constraint subclass or instance, but got ${constraint}`);
    }
    this._registry.set(typeof constraint === 'string' ? constraint : constraint.typeName, factory);
    return factory;
  }
  /** The transform for this constraint (PyTorch's registry(constraint)). */
  lookup(constraint: Constraint): Transform {
    const f = this._registry.get(constraint.typeName);
    if (!f) throw new Error(`Cannot transform ${constraint.typeName} constraints`);
    return f(constraint);
  }
}

/** biject_to(constraint): a bijective transform from the reals onto the constraint. */
export const bijectTo = new ConstraintRegistry();
/** transform_to(constraint): a transform from the reals onto the constraint (not necessarily bijective). */
export const transformTo = new ConstraintRegistry();

for (const r of [bijectTo, transformTo]) {
  r.register('_Real', () => identityTransform);
  r.register('_IndependentConstraint', (c) => new IndependentTransform(r(c.baseConstraint!), c.reinterpretedBatchNdims!));
  // (PyTorch registers positive and nonnegative for ExpTransform first, then greater_than and
  // greater_than_eq, the same classes, over them: exp then a shift, also for positive)
  for (const k of ['_GreaterThan', '_GreaterThanEq']) r.register(k, (c) => new ComposeTransform([new ExpTransform(), new AffineTransform(c.lowerBound!, 1)]));
  r.register('_LessThan', (c) => new ComposeTransform([new ExpTransform(), new AffineTransform(c.upperBound!, -1)]));
  for (const k of ['_Interval', '_HalfOpenInterval']) {
    r.register(k, (c) => {
      const lo = c.lowerBound!, hi = c.upperBound!;
      if (lo === 0 && hi === 1) return new SigmoidTransform();
      return new ComposeTransform([new SigmoidTransform(), new AffineTransform(lo, typeof lo === 'number' && typeof hi === 'number' ? hi - lo : sub(hi, lo))]);
    });
  }
  r.register('_CorrCholesky', () => new CorrCholeskyTransform());
  r.register('_Cat', (c) => new CatTransform(c.cseq!.map((x) => r(x)), c.dim, c.lengths));
  r.register('_Stack', (c) => new StackTransform(c.cseq!.map((x) => r(x)), c.dim));
}
bijectTo.register('_Simplex', () => new StickBreakingTransform());
transformTo.register('_Simplex', () => new SoftmaxTransform());
transformTo.register('_LowerCholesky', () => new LowerCholeskyTransform());

// =============================================================== TransformedDistribution

interface Setup { base: Distribution; transforms: Transform[]; batchShape: number[]; eventShape: number[] }
/** PyTorch's TransformedDistribution.__init__ up to the shapes: the base expanded to what the transforms
 * broadcast it to, wrapped in an Independent where the transforms' domain has more event dims. */
function setup(baseDistribution: Distribution, transforms: Transform | Transform[]): Setup {
  let ts: Transform[];
  if (transforms instanceof Transform) ts = [transforms];
  else if (Array.isArray(transforms)) {
    if (!transforms.every((t) => t instanceof Transform)) throw new Error('transforms must be a Transform or a list of Transforms');
    ts = [...transforms];
  } else throw new Error(`transforms must be a Transform or list, but was ${transforms}`);
  if (!(baseDistribution instanceof Distribution)) throw new TypeError('TransformedDistribution: the base distribution must be a Distribution');
  let base = baseDistribution;
  const baseShape = [...base.batchShape, ...base.eventShape], baseEventDim = base.eventShape.length;
  const transform = new ComposeTransform(ts);
  const domainEventDim = transform.domain.eventDim;
  if (baseShape.length < domainEventDim) {
    throw new Error(`base_distribution needs to have shape with size at least ${domainEventDim}, but got ${formatSize(baseShape)}.`);
  }
  const shape = transform.forwardShape(baseShape);
  const expandedBaseShape = transform.inverseShape(shape);
  if (!sameShape(baseShape, expandedBaseShape)) base = base.expand(expandedBaseShape.slice(0, expandedBaseShape.length - baseEventDim));
  const reinterpreted = domainEventDim - baseEventDim;
  if (reinterpreted > 0) base = new Independent(base, reinterpreted);
  const eventDim = transform.codomain.eventDim + Math.max(baseEventDim - domainEventDim, 0);
  const cut = shape.length - eventDim;
  return { base, transforms: ts, batchShape: shape.slice(0, cut), eventShape: shape.slice(cut) };
}

/**
 * TransformedDistribution(baseDistribution, transforms): Y = f(X) for X ~ base and f the transforms
 * applied in order; log p(y) = log p(x) − Σ log |det J| with the event dims summed as PyTorch's
 * _sum_rightmost. cdf / icdf go through the base's, flipped where the transforms' signs multiply to −1.
 */
export class TransformedDistribution extends Distribution {
  baseDist!: Distribution;
  transforms!: Transform[];
  constructor(baseDistribution: Distribution, transforms: Transform | Transform[], o: DistributionOptions = {}) {
    const s = setup(baseDistribution, transforms);
    super(s.batchShape, s.eventShape, o, false);
    this.baseDist = s.base;
    this.transforms = s.transforms;
  }
  override get support(): Constraint {
    if (!this.transforms.length) return this.baseDist.support;
    let support = this.transforms[this.transforms.length - 1].codomain;
    if (this._eventShape.length > support.eventDim) support = constraints.independent(support, this._eventShape.length - support.eventDim);
    return support;
  }
  override get hasRsample() { return this.baseDist.hasRsample; }
  override expand(batchShape: readonly number[]): TransformedDistribution {
    return this.expandInto(Object.create(Object.getPrototypeOf(this)) as TransformedDistribution, batchShape);
  }
  /** PyTorch's TransformedDistribution.expand into `n` (a bare instance of the subclass). */
  protected expandInto<D extends TransformedDistribution>(n: D, batchShape: readonly number[], transforms = this.transforms): D {
    let shape = [...batchShape, ...this._eventShape];
    for (const t of [...transforms].reverse()) shape = t.inverseShape(shape);
    const baseBatch = shape.slice(0, shape.length - this.baseDist.eventShape.length);
    const raw = n as unknown as Record<string, unknown>;
    raw._batchShape = [...batchShape];
    raw._eventShape = [...this._eventShape];
    raw.validateArgs = this.validateArgs;
    raw._params ??= {};
    raw._known ??= {};
    raw.baseDist = this.baseDist.expand(baseBatch);
    raw.transforms = transforms;
    return n;
  }
  override sample(sampleShape: readonly number[] = []): Tensor {
    return noGrad(() => {
      let x = this.baseDist.sample(sampleShape);
      for (const t of this.transforms) x = t.forward(x);
      return x;
    });
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    let x = this.baseDist.rsample(sampleShape);
    for (const t of this.transforms) x = t.forward(x);
    return x;
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    let eventDim = this._eventShape.length;
    let lp: Tensor | number = 0;
    let y = value;
    for (const t of [...this.transforms].reverse()) {
      const x = t.inv.forward(y);
      eventDim += t.domain.eventDim - t.codomain.eventDim;
      lp = sub(lp, sumRightmost(t.logAbsDetJacobian(x, y), eventDim - t.domain.eventDim));
      y = x;
    }
    return add(lp, sumRightmost(this.baseDist.logProb(y), eventDim - this.baseDist.eventShape.length));
  }
  /** value → 1 − value where the transforms decrease (PyTorch's _monotonize_cdf). */
  private monotonizeCdf(value: Tensor): Tensor {
    let sign: number | Tensor = 1;
    for (const t of this.transforms) sign = mulSign(sign, t.sign);
    if (typeof sign === 'number' && sign === 1) return value;
    return add(mul(sub(value, 0.5), sign), 0.5);
  }
  override cdf(value: Tensor): Tensor {
    for (const t of [...this.transforms].reverse()) value = t.inv.forward(value);
    if (this.validateArgs) (this.baseDist as unknown as { validateSample(v: Tensor): void }).validateSample(value);
    return this.monotonizeCdf(this.baseDist.cdf(value));
  }
  override icdf(value: Tensor): Tensor {
    value = this.baseDist.icdf(this.monotonizeCdf(value));
    for (const t of this.transforms) value = t.forward(value);
    return value;
  }
}

/** Parameters given as JS numbers, by name (for the checks and reprs, as src/distributions.ts keeps them). */
function knownOf(names: string[], args: unknown[]): Record<string, number> {
  const r: Record<string, number> = {};
  names.forEach((n, i) => { if (typeof args[i] === 'number') r[n] = args[i] as number; });
  return r;
}

// =============================================================== Gumbel, Weibull, Pareto, LogisticNormal

/** Gumbel(loc, scale): loc − scale·log(−log U) for U uniform on [tiny, 1 − eps]. */
export class Gumbel extends TransformedDistribution {
  loc!: Tensor;
  scale!: Tensor;
  constructor(loc: Param, scale: Param, o: DistributionOptions = {}) {
    const [l, s] = broadcastAll([loc, scale]);
    const { tiny, eps } = finfo(l.dtype);
    const base = typeof loc === 'number' && typeof scale === 'number'
      ? new Uniform(tiny, 1 - eps)
      : new Uniform(fullLike(l, tiny), fullLike(l, 1 - eps));
    const transforms = [new ExpTransform().inv, new AffineTransform(0, neg(fullLike(s, 1))), new ExpTransform().inv, new AffineTransform(loc, neg(s))];
    super(base, transforms, o);
    this.loc = l; this.scale = s;
    this._params = { loc: l, scale: s };
    this._known = knownOf(['loc', 'scale'], [loc, scale]);
    if (this.validateArgs) this.validateParams();
  }
  override get argConstraints(): Record<string, Constraint | null> { return { loc: constraints.real, scale: constraints.positive }; }
  override get support(): Constraint { return constraints.real; }
  override expand(batchShape: readonly number[]): Gumbel {
    const n = Object.create(Gumbel.prototype) as Gumbel, b = [...batchShape];
    n.loc = this.loc.expand(b); n.scale = this.scale.expand(b);
    this.expandInto(n, batchShape);
    n._params = { loc: n.loc, scale: n.scale };
    return n;
  }
  // (its own formula: the transforms' one loses precision)
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const y = div(sub(this.loc, value), this.scale);
    return sub(sub(y, exp(y)), log(this.scale));
  }
  override get mean() { return add(this.loc, mul(this.scale, eulerConstant)); }
  override get mode() { return this.loc; }
  override get stddev() { return mul(this.scale, Math.PI / Math.sqrt(6)); }
  override get variance() { return this.stddev.pow(2); }
  override entropy(): Tensor { return add(log(this.scale), 1 + eulerConstant); }
}

/** Weibull(scale, concentration): scale·E^(1/concentration) for E ~ Exponential(1). */
export class Weibull extends TransformedDistribution {
  scale!: Tensor;
  concentration!: Tensor;
  concentrationReciprocal!: Tensor;
  constructor(scale: Param, concentration: Param, o: DistributionOptions = {}) {
    const [s, c] = broadcastAll([scale, concentration]);
    const cr = reciprocal(c);
    const base = new Exponential(fullLike(s, 1), o);
    super(base, [new PowerTransform(cr), new AffineTransform(0, s)], o);
    this.scale = s; this.concentration = c; this.concentrationReciprocal = cr;
    this._params = { scale: s, concentration: c };
    this._known = knownOf(['scale', 'concentration'], [scale, concentration]);
    if (this.validateArgs) this.validateParams();
  }
  override get argConstraints(): Record<string, Constraint | null> { return { scale: constraints.positive, concentration: constraints.positive }; }
  override get support(): Constraint { return constraints.positive; }
  override expand(batchShape: readonly number[]): Weibull {
    const n = Object.create(Weibull.prototype) as Weibull, b = [...batchShape];
    n.scale = this.scale.expand(b); n.concentration = this.concentration.expand(b);
    n.concentrationReciprocal = reciprocal(n.concentration);
    this.expandInto(n, batchShape, [new PowerTransform(n.concentrationReciprocal), new AffineTransform(0, n.scale)]);
    n._params = { scale: n.scale, concentration: n.concentration };
    return n;
  }
  override get mean() { return mul(this.scale, exp(lgamma(add(this.concentrationReciprocal, 1)))); }
  override get mode() {
    const c = this.concentration;
    return mul(this.scale, pow(div(sub(c, 1), c), reciprocal(c)));
  }
  override get variance() {
    const cr = this.concentrationReciprocal;
    return mul(this.scale.pow(2), sub(exp(lgamma(add(mul(cr, 2), 1))), exp(mul(lgamma(add(cr, 1)), 2))));
  }
  override entropy(): Tensor {
    const cr = this.concentrationReciprocal;
    return add(add(mul(sub(1, cr), eulerConstant), log(mul(this.scale, cr))), 1);
  }
}

/** Pareto(scale, alpha): scale·exp(E) for E ~ Exponential(alpha) (Pareto type I, x ≥ scale). */
export class Pareto extends TransformedDistribution {
  scale!: Tensor;
  alpha!: Tensor;
  constructor(scale: Param, alpha: Param, o: DistributionOptions = {}) {
    const [s, a] = broadcastAll([scale, alpha]);
    const base = new Exponential(a, o);
    super(base, [new ExpTransform(), new AffineTransform(0, s)], o);
    this.scale = s; this.alpha = a;
    this._params = { scale: s, alpha: a };
    this._known = knownOf(['scale', 'alpha'], [scale, alpha]);
    if (this.validateArgs) this.validateParams();
  }
  override get argConstraints(): Record<string, Constraint | null> { return { alpha: constraints.positive, scale: constraints.positive }; }
  override get support(): Constraint { return constraints.greaterThanEq(this.scale); }
  override expand(batchShape: readonly number[]): Pareto {
    const n = Object.create(Pareto.prototype) as Pareto, b = [...batchShape];
    n.scale = this.scale.expand(b); n.alpha = this.alpha.expand(b);
    this.expandInto(n, batchShape);
    n._params = { scale: n.scale, alpha: n.alpha };
    return n;
  }
  // mean inf for alpha ≤ 1, variance inf for alpha ≤ 2 (as PyTorch's clamps give)
  override get mean() {
    const a = clamp(this.alpha, 1);
    return div(mul(a, this.scale), sub(a, 1));
  }
  override get mode() { return this.scale; }
  override get variance() {
    const a = clamp(this.alpha, 2);
    return div(mul(this.scale.pow(2), a), mul(sub(a, 1).pow(2), sub(a, 2)));
  }
  override entropy(): Tensor { return add(log(div(this.scale, this.alpha)), add(reciprocal(this.alpha), 1)); }
}

/** LogisticNormal(loc, scale): StickBreakingTransform of Normal(loc, scale) draws (on the simplex of one
 * more coordinate). */
export class LogisticNormal extends TransformedDistribution {
  constructor(loc: Param, scale: Param, o: DistributionOptions = {}) {
    let base: Distribution = new Normal(loc, scale, o);
    if (!base.batchShape.length) base = base.expand([1]);
    super(base, new StickBreakingTransform(), o);
  }
  override get argConstraints(): Record<string, Constraint | null> { return { loc: constraints.real, scale: constraints.positive }; }
  override get support(): Constraint { return constraints.simplex; }
  override get hasRsample() { return true; }
  private get normal(): Normal { return (this.baseDist as Independent).baseDist as Normal; }
  get loc(): Tensor { return this.normal.loc; }
  get scale(): Tensor { return this.normal.scale; }
  override expand(batchShape: readonly number[]): LogisticNormal {
    return this.expandInto(Object.create(LogisticNormal.prototype) as LogisticNormal, batchShape);
  }
}

// =============================================================== RelaxedBernoulli, RelaxedOneHotCategorical

/** { probs } | { logits } (or probs alone), as Bernoulli takes them. */
function probsOrLogits(a: Param | ProbsOrLogits): { name: 'probs' | 'logits'; given: Param } {
  const o = a instanceof Tensor || typeof a === 'number' ? { probs: a } : (a ?? {}) as { probs?: Param | null; logits?: Param | null };
  if ((o.probs === undefined || o.probs === null) === (o.logits === undefined || o.logits === null)) {
    throw new Error('Either `probs` or `logits` must be specified, but not both.');
  }
  return o.probs != null ? { name: 'probs', given: o.probs } : { name: 'logits', given: o.logits! };
}
/** The temperature as a tensor of `like`'s dtype and device (PyTorch's is a tensor). */
const asTensor = (t: Param, like: Tensor) => (t instanceof Tensor ? t : full([], t, { dtype: like.dtype, device: dev(like) }));

/** LogitRelaxedBernoulli(temperature, { probs } | { logits }): the logit of a RelaxedBernoulli draw. */
export class LogitRelaxedBernoulli extends Distribution {
  readonly temperature: Param;
  constructor(temperature: Param, args: Param | ProbsOrLogits, o: DistributionOptions = {}) {
    const { name, given } = probsOrLogits(args);
    const [p] = broadcastAll([given]);
    super(typeof given === 'number' ? [] : [...p.shape], [], { validateArgs: o.validateArgs ?? (args as { validateArgs?: boolean }).validateArgs }, false);
    this.temperature = temperature;
    this._params = { [name]: p };
    this._known = knownOf([name], [given]);
    if (this.validateArgs) this.validateParams();
  }
  override get argConstraints(): Record<string, Constraint | null> { return { probs: constraints.unitInterval, logits: constraints.real }; }
  override get support(): Constraint { return constraints.real; }
  protected get param(): Tensor { return this._params.probs ?? this._params.logits; }
  get paramShape(): Size { return Size.from(this.param.shape) as Size; }
  get probs(): Tensor { return (this._params.probs ??= logitsToProbs(this._params.logits, true)); }
  get logits(): Tensor { return (this._params.logits ??= probsToLogits(this._params.probs, true)); }
  override expand(batchShape: readonly number[]): LogitRelaxedBernoulli {
    const n = Object.create(LogitRelaxedBernoulli.prototype) as LogitRelaxedBernoulli;
    const raw = n as unknown as Record<string, unknown>;
    const ps: Record<string, Tensor> = {};
    for (const k of ['probs', 'logits']) if (this._params[k]) ps[k] = this._params[k].expand([...batchShape]);
    Object.assign(raw, { temperature: this.temperature, _params: ps, _known: {}, _batchShape: [...batchShape], _eventShape: [], validateArgs: this.validateArgs });
    return n;
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape);
    const probs = clampProbs(this.probs.expand(shape));
    const u = clampProbs(rand(shape, { dtype: probs.dtype, device: dev(probs) }));
    return div(add(sub(log(u), log1p(neg(u))), sub(log(probs), log1p(neg(probs)))), this.temperature);
  }
  override logProb(value: Tensor): Tensor {
    if (this.validateArgs) this.validateSample(value);
    const [logits, v] = broadcastAll([this.logits, value]);
    const t = asTensor(this.temperature, logits);
    const diff = sub(logits, mul(v, t));
    return sub(add(log(t), diff), mul(log1p(exp(diff)), 2));
  }
}

/** RelaxedBernoulli(temperature, { probs } | { logits }): sigmoid of a LogitRelaxedBernoulli draw, in (0, 1). */
export class RelaxedBernoulli extends TransformedDistribution {
  constructor(temperature: Param, args: Param | ProbsOrLogits, o: DistributionOptions = {}) {
    super(new LogitRelaxedBernoulli(temperature, args), new SigmoidTransform(), o);
  }
  override get argConstraints(): Record<string, Constraint | null> { return { probs: constraints.unitInterval, logits: constraints.real }; }
  override get support(): Constraint { return constraints.unitInterval; }
  override get hasRsample() { return true; }
  get temperature(): Param { return (this.baseDist as LogitRelaxedBernoulli).temperature; }
  get logits(): Tensor { return (this.baseDist as LogitRelaxedBernoulli).logits; }
  get probs(): Tensor { return (this.baseDist as LogitRelaxedBernoulli).probs; }
  override expand(batchShape: readonly number[]): RelaxedBernoulli {
    return this.expandInto(Object.create(RelaxedBernoulli.prototype) as RelaxedBernoulli, batchShape);
  }
}

/** ExpRelaxedCategorical(temperature, { probs } | { logits }): the log of a RelaxedOneHotCategorical draw. */
export class ExpRelaxedCategorical extends Distribution {
  readonly temperature!: Param;
  protected _categorical!: Categorical;
  constructor(temperature: Param, args: Tensor | ProbsOrLogits, o: DistributionOptions = {}) {
    const cat = new Categorical(args);
    super(cat.batchShape, cat.paramShape.slice(-1), o, false);
    this._categorical = cat;
    this.temperature = temperature;
  }
  override get argConstraints(): Record<string, Constraint | null> { return { probs: constraints.simplex, logits: constraints.realVector }; }
  override get support(): Constraint { return constraints.realVector; }
  override get hasRsample() { return true; }
  get paramShape(): Size { return this._categorical.paramShape; }
  get logits(): Tensor { return this._categorical.logits; }
  get probs(): Tensor { return this._categorical.probs; }
  override expand(batchShape: readonly number[]): ExpRelaxedCategorical {
    const n = Object.create(ExpRelaxedCategorical.prototype) as ExpRelaxedCategorical;
    Object.assign(n as unknown as Record<string, unknown>, {
      temperature: this.temperature, _categorical: this._categorical.expand(batchShape), _params: {}, _known: {},
      _batchShape: [...batchShape], _eventShape: [...this._eventShape], validateArgs: this.validateArgs,
    });
    return n;
  }
  override rsample(sampleShape: readonly number[] = []): Tensor {
    const shape = this.extendedShape(sampleShape), logits = this.logits;
    const u = clampProbs(rand(shape, { dtype: logits.dtype, device: dev(logits) }));
    const gumbels = neg(log(neg(log(u))));
    const scores = div(add(logits, gumbels), this.temperature);
    return sub(scores, logsumexp(scores, -1, true));
  }
  override logProb(value: Tensor): Tensor {
    const K = this._eventShape[0];
    if (this.validateArgs) this.validateSample(value);
    const [logits, v] = broadcastAll([this.logits, value]);
    const t = asTensor(this.temperature, logits);
    const logScale = sub(lgamma(fullLike(t, K)), mul(log(t), -(K - 1)));
    let score = sub(logits, mul(v, t));
    score = sum(sub(score, logsumexp(score, -1, true)), -1);
    return add(score, logScale);
  }
}

/** RelaxedOneHotCategorical(temperature, { probs } | { logits }): exp of an ExpRelaxedCategorical draw,
 * on the simplex (the Gumbel-softmax / Concrete distribution). */
export class RelaxedOneHotCategorical extends TransformedDistribution {
  constructor(temperature: Param, args: Tensor | ProbsOrLogits, o: DistributionOptions = {}) {
    super(new ExpRelaxedCategorical(temperature, args, o), new ExpTransform(), o);
  }
  override get argConstraints(): Record<string, Constraint | null> { return { probs: constraints.simplex, logits: constraints.realVector }; }
  override get support(): Constraint { return constraints.simplex; }
  override get hasRsample() { return true; }
  get temperature(): Param { return (this.baseDist as ExpRelaxedCategorical).temperature; }
  get logits(): Tensor { return (this.baseDist as ExpRelaxedCategorical).logits; }
  get probs(): Tensor { return (this.baseDist as ExpRelaxedCategorical).probs; }
  override expand(batchShape: readonly number[]): RelaxedOneHotCategorical {
    return this.expandInto(Object.create(RelaxedOneHotCategorical.prototype) as RelaxedOneHotCategorical, batchShape);
  }
}

// =============================================================== KL

registerKl(Gumbel, Gumbel, (p, q) => {
  const ct1 = div(p.scale, q.scale), ct2 = div(q.loc, q.scale), ct3 = div(p.loc, q.scale);
  const t1 = add(sub(neg(log(ct1)), ct2), ct3);
  const t2 = mul(ct1, eulerConstant);
  const t3 = exp(sub(add(ct2, lgamma(add(ct1, 1))), ct3));
  return sub(add(add(t1, t2), t3), 1 + eulerConstant);
});
registerKl(Pareto, Pareto, (p, q) => {
  const scaleRatio = div(p.scale, q.scale), alphaRatio = div(q.alpha, p.alpha);
  const result = sub(add(add(mul(q.alpha, log(scaleRatio)), neg(log(alphaRatio))), alphaRatio), 1);
  // inf where p's support starts below q's
  return where(compare('lt', p.scale, q.scale).expand([...result.shape]), Infinity, result);
});
registerKl(TransformedDistribution, TransformedDistribution, (p, q) => {
  const same = p.transforms.length === q.transforms.length && p.transforms.every((t, i) => t.equals(q.transforms[i]));
  if (!same || !sameShape(p.eventShape, q.eventShape)) throw notImplemented();
  return klDivergence(p.baseDist, q.baseDist);
});
