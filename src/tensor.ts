/**
 * The frontend: Tensor, creation functions and every user-facing op, composed from the primitives of
 * runtime/protocol.ts. Each differentiable op records one autograd Node whose closure is written in
 * terms of other frontend ops.
 */
import type { AdamOp, BinaryFn, ConvOp, DType, Op, ReduceFn, ScanOp, ScatterFn, UnaryFn, View } from './runtime/protocol.ts';
import { ARRAY_OF, canCast, castValue, getDefaultDtype, isFloat, parseDType, promote, resultType, type TypedArray } from './dtype.ts';
import { broadcastShapes, contiguousStrides, fmtShape, isNonOverlappingAndDense, normDim, numelOf, sameShape, storageSpan } from './shape.ts';
import { AccumulateGrad, enableGrad, isGradEnabled, noGrad, Node, runBackward } from './autograd/graph.ts';
import * as rt from './runtime/runtime.ts';
import { keepShapes } from './runtime/gc.ts';
import { formatSize, formatTensor } from './format.ts';
import * as more from './ops-more.ts';
import * as sorting from './ops-sort.ts';
import * as extra from './ops-extra.ts';
import * as sampling from './ops-random.ts';
import * as misc from './ops-misc.ts';
import * as special from './special.ts';

export type Device = rt.Device;
export interface TensorOptions { dtype?: DType | string; device?: string; requiresGrad?: boolean }
type GradNode = Node<Tensor>;
type Scalar = number | boolean;
export type Operand = Tensor | Scalar;

export function parseDevice(d: unknown): Device {
  if (d === undefined || d === null || d === 'cpu') return 'cpu';
  if (d === 'gpu' || d === 'gpu:0' || d === 'cuda' || d === 'cuda:0') return 'gpu';
  throw new Error(`unknown device ${JSON.stringify(d)}: expected 'cpu' or 'gpu' (also 'gpu:0')`);
}
/** @internal the device as PyTorch-style messages name it */
export const deviceName = (d: Device) => (d === 'gpu' ? 'gpu:0' : 'cpu');

/** The node each tensor that called retainGrad() retains its gradient from (a map, not a field: few
 * tensors retain, and every tensor would carry the field). */
const RETAINED = new WeakMap<Tensor, GradNode>();

/** torch.Size: a number[] that prints like PyTorch's. */
export class Size extends Array<number> {
  override toString(): string { return formatSize([...this]); }
  [Symbol.for('nodejs.util.inspect.custom')]() { return this.toString(); }
}

export class Tensor {
  grad: Tensor | null = null;
  gradFn: GradNode | null = null;
  private _requiresGrad = false;
  private _acc: AccumulateGrad<Tensor> | null = null;
  /** @internal made by a view op (alias) */
  _isView = false;
  /** @internal for a view: the tensor it views (not itself a view), whose graph an in-place op on the
   * view changes (CopySlices) */
  _base: Tensor | null = null;
  /** @internal the storage's autograd in-place count when this tensor's graph edge was last right */
  _hist: number;

  constructor(
    readonly storage: rt.Storage,
    readonly shape: number[],
    readonly strides: number[],
    readonly offset: number,
  ) { this._hist = storage.history; }

  get dtype(): DType { return this.storage.dtype; }
  get device(): Device { return this.storage.device; }
  get ndim(): number { return this.shape.length; }
  dim(): number { return this.shape.length; }
  /** The number of elements (PyTorch's numel(), a method). */
  numel(): number { return numelOf(this.shape); }
  nelement(): number { return numelOf(this.shape); }
  get isLeaf(): boolean { return this.gradFn === null; }
  get requiresGrad(): boolean { return this._requiresGrad; }
  set requiresGrad(v: boolean) { this.requiresGrad_(v); }
  size(): Size;
  size(dim: number): number;
  size(dim?: number): Size | number {
    if (dim !== undefined) return this.shape[normDim(dim, this.ndim)];
    return Size.from(this.shape) as Size;
  }
  requiresGrad_(v = true): this {
    if (!this.isLeaf) throw new Error('you can only change requires_grad flags of leaf variables.');
    if (v && !isFloat(this.dtype)) throw new Error(`only Tensors of floating point dtype can require gradients (got ${this.dtype})`);
    this._requiresGrad = v;
    return this;
  }
  /**
   * Calls hook with this tensor's gradient each time backward computes it (before a leaf accumulates it
   * into .grad); a tensor the hook returns replaces the gradient from then on. Hooks run in the order
   * registered. The gradient given is the hook's to keep. Returns a handle whose remove() unregisters it.
   */
  registerHook(hook: (grad: Tensor) => Tensor | null | undefined | void): { remove(): void } {
    if (typeof hook !== 'function') throw new Error(`registerHook(): expected a function, got ${typeof hook}`);
    if (!this._requiresGrad) throw new Error("cannot register a hook on a tensor that doesn't require gradient");
    const node = this._edge()!, shape = this.shape;
    const h = (g: Tensor) => {
      rt.keep(g.storage); // (a hook may keep what it is given: it outlives backward's temporaries)
      const r = hook(g);
      if (r === undefined || r === null) return r;
      if (!(r instanceof Tensor)) throw new Error(`a hook returned ${typeof r}: a hook returns a Tensor (the gradient to use instead) or nothing`);
      if (!sameShape(r.shape, shape)) throw new Error(`hook has changed the size of value: the gradient is ${fmtShape(shape)}, the hook returned ${fmtShape(r.shape)}`);
      return r;
    };
    (node.hooks ??= []).push(h);
    return { remove: () => { const i = node.hooks?.indexOf(h) ?? -1; if (i >= 0) node.hooks!.splice(i, 1); } };
  }
  /**
   * Makes backward() fill this non-leaf tensor's .grad too (summed over backward calls, as a leaf's); a
   * leaf's .grad is filled anyway. Its place among the tensor's hooks is where it was called (PyTorch
   * 1.13's order: hooks registered after it do not change .grad).
   */
  retainGrad(): this {
    if (!this._requiresGrad) throw new Error("can't retain_grad on Tensor that has requires_grad=False");
    if (this.gradFn === null || RETAINED.get(this) === this.gradFn) return this;
    RETAINED.set(this, this.gradFn);
    (this.gradFn.hooks ??= []).push((g: Tensor) => {
      this.grad = this.grad ? add(this.grad, g) : clone(g);
      rt.keep(this.grad.storage); // (outlives backward's temporaries, as a leaf's .grad)
    });
    return this;
  }
  /** Whether backward() fills this non-leaf tensor's .grad (retainGrad()). */
  get retainsGrad(): boolean { return this.gradFn !== null && RETAINED.get(this) === this.gradFn; }
  /** @internal marks a computed tensor as part of the graph */
  _setGrad(fn: GradNode | null): void { this.gradFn = fn; this._requiresGrad = fn !== null; }
  /** @internal the edge a gradient for this tensor flows into */
  _edge(): GradNode | null {
    if (this.gradFn) return this.gradFn;
    if (!this._requiresGrad) return null;
    return (this._acc ??= new AccumulateGrad<Tensor>(this));
  }
  /** @internal */
  _view(): View {
    return { buf: this.storage.id, dtype: this.dtype, shape: this.shape, strides: this.strides, offset: this.offset };
  }
  isContiguous(): boolean {
    let acc = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      if (this.shape[i] !== 1 && this.strides[i] !== acc) return false;
      acc *= this.shape[i];
    }
    return true;
  }

  // ------------------------------------------------------------- arithmetic
  add(o: Operand, alpha?: number): Tensor { return add(this, alpha === undefined ? o : mul(o, alpha)); }
  sub(o: Operand, alpha?: number): Tensor { return sub(this, alpha === undefined ? o : mul(o, alpha)); }
  mul(o: Operand): Tensor { return mul(this, o); }
  div(o: Operand, opts?: DivOptions): Tensor { return div(this, o, opts); }
  floorDivide(o: Operand): Tensor { return floorDivide(this, o); }
  pow(o: Operand): Tensor { return pow(this, o); }
  neg(): Tensor { return neg(this); }
  exp(): Tensor { return exp(this); }
  log(): Tensor { return log(this); }
  sqrt(): Tensor { return sqrt(this); }
  abs(): Tensor { return abs(this); }
  sin(): Tensor { return sin(this); }
  cos(): Tensor { return cos(this); }
  tanh(): Tensor { return tanh(this); }
  asin(): Tensor { return asin(this); }
  acos(): Tensor { return acos(this); }
  atan(): Tensor { return atan(this); }
  sinh(): Tensor { return sinh(this); }
  cosh(): Tensor { return cosh(this); }
  asinh(): Tensor { return asinh(this); }
  acosh(): Tensor { return acosh(this); }
  atanh(): Tensor { return atanh(this); }
  log2(): Tensor { return log2(this); }
  log10(): Tensor { return log10(this); }
  exp2(): Tensor { return exp2(this); }
  erf(): Tensor { return more.erf(this); }
  erfc(): Tensor { return more.erfc(this); }
  atan2(o: Operand): Tensor { return atan2(this, o); }
  fmod(o: Operand): Tensor { return fmod(this, o); }
  remainder(o: Operand): Tensor { return remainder(this, o); }
  /** P(this, other), torch.igamma (special.gammainc). */
  igamma(o: Tensor | number): Tensor { return special.gammainc(this, o); }
  /** Q(this, other), torch.igammac (special.gammaincc). */
  igammac(o: Tensor | number): Tensor { return special.gammaincc(this, o); }
  /** The next float after this toward other, torch.nextafter. */
  nextafter(o: Tensor | number): Tensor { return special.nextafter(this, o); }
  bitwiseAnd(o: Operand): Tensor { return bitwiseAnd(this, o); }
  bitwiseOr(o: Operand): Tensor { return bitwiseOr(this, o); }
  bitwiseXor(o: Operand): Tensor { return bitwiseXor(this, o); }
  bitwiseNot(): Tensor { return bitwiseNot(this); }
  bitwiseLeftShift(o: Operand): Tensor { return bitwiseLeftShift(this, o); }
  bitwiseRightShift(o: Operand): Tensor { return bitwiseRightShift(this, o); }
  bitwiseAnd_(o: Operand): this { return inplaceOf(this, 'bitwise_and_', (x) => bitwiseAnd(x, o)); }
  bitwiseOr_(o: Operand): this { return inplaceOf(this, 'bitwise_or_', (x) => bitwiseOr(x, o)); }
  bitwiseXor_(o: Operand): this { return inplaceOf(this, 'bitwise_xor_', (x) => bitwiseXor(x, o)); }
  bitwiseNot_(): this { return inplaceOf(this, 'bitwise_not_', (x) => bitwiseNot(x)); }
  bitwiseLeftShift_(o: Operand): this { return inplaceOf(this, 'bitwise_left_shift_', (x) => bitwiseLeftShift(x, o)); }
  bitwiseRightShift_(o: Operand): this { return inplaceOf(this, 'bitwise_right_shift_', (x) => bitwiseRightShift(x, o)); }
  relu(): Tensor { return relu(this); }
  sigmoid(): Tensor { return sigmoid(this); }
  softmax(dim?: number): Tensor { return softmax(this, dim); }
  /** The view of `length` elements from `start` along dim (PyTorch's narrow). */
  narrow(dim: number, start: number, length: number): Tensor { return narrow(this, dim, start, length); }
  /** Views of `size` elements along dim (the last may be shorter), or of the given sizes (PyTorch's split). */
  split(size: number | number[], dim = 0): Tensor[] { return split(this, size, dim); }
  /** `chunks` views along dim, of ceil(n / chunks) elements (the last may be shorter; fewer if n is small). */
  chunk(chunks: number, dim = 0): Tensor[] { return chunk(this, chunks, dim); }
  expandAs(other: Tensor): Tensor { checkTensor('expand_as', other); return this.expand([...other.shape]); }
  sign(): Tensor { return sign(this); }
  floor(): Tensor { return floor(this); }
  ceil(): Tensor { return ceil(this); }
  trunc(): Tensor { return trunc(this); }
  round(): Tensor { return round(this); }
  logSoftmax(dim?: number): Tensor { return logSoftmax(this, dim); }
  /** Elements limited to [min, max]: clamp(0, 1), clamp(null, 1), clamp({ min: 0 }). */
  clamp(min?: number | null | { min?: number | null; max?: number | null }, max?: number | null): Tensor { return clamp(this, min, max); }
  clip(min?: number | null | { min?: number | null; max?: number | null }, max?: number | null): Tensor { return clamp(this, min, max); }
  reciprocal(): Tensor { return reciprocal(this); }
  maximum(o: Tensor): Tensor { return maximum(this, o); }
  minimum(o: Tensor): Tensor { return minimum(this, o); }
  eq(o: Operand): Tensor { return compare('eq', this, o); }
  ne(o: Operand): Tensor { return compare('ne', this, o); }
  lt(o: Operand): Tensor { return compare('lt', this, o); }
  le(o: Operand): Tensor { return compare('le', this, o); }
  gt(o: Operand): Tensor { return compare('gt', this, o); }
  ge(o: Operand): Tensor { return compare('ge', this, o); }
  sum(dim?: number | number[], keepdim = false): Tensor { return sum(this, dim, keepdim); }
  mean(dim?: number | number[], keepdim = false): Tensor { return mean(this, dim, keepdim); }
  /** Variance over dims (all by default), unbiased (n - 1) unless told: x.var(), x.var(1), x.var(1, false, true). */
  var(dim?: number | number[], unbiased = true, keepdim = false): Tensor { return variance(this, dim, unbiased, keepdim); }
  std(dim?: number | number[], unbiased = true, keepdim = false): Tensor { return std(this, dim, unbiased, keepdim); }
  any(dim?: number | number[], keepdim = false): Tensor { return any(this, dim, keepdim); }
  all(dim?: number | number[], keepdim = false): Tensor { return all(this, dim, keepdim); }
  /** max() of all elements; max(dim, keepdim?) the largest along dim and its index, as PyTorch's
   * torch.return_types.max (`const { values, indices } = x.max(1)` or `const [v, i] = x.max(1)`);
   * max(other) is maximum(this, other). */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): ValuesIndices;
  max(other: Tensor): Tensor;
  max(dim?: number | Tensor, keepdim = false): Tensor | ValuesIndices { return maxMin('max', this, dim, keepdim); }
  /** As max: min(), min(dim, keepdim?), min(other). */
  min(): Tensor;
  min(dim: number, keepdim?: boolean): ValuesIndices;
  min(other: Tensor): Tensor;
  min(dim?: number | Tensor, keepdim = false): Tensor | ValuesIndices { return maxMin('min', this, dim, keepdim); }
  /** The index of the largest element (of the flattened tensor), or of the largest along dim. */
  argmax(dim?: number, keepdim = false): Tensor { return argMaxMin('argmax', this, dim, keepdim); }
  argmin(dim?: number, keepdim = false): Tensor { return argMaxMin('argmin', this, dim, keepdim); }
  dot(o: Tensor): Tensor { return dot(this, o); }
  matmul(o: Tensor): Tensor { return matmul(this, o); }
  mm(o: Tensor): Tensor { return mm(this, o); }
  bmm(o: Tensor): Tensor { return more.bmm(this, o); }
  square(): Tensor { return more.square(this); }
  rsqrt(): Tensor { return more.rsqrt(this); }
  log1p(): Tensor { return more.log1p(this); }
  expm1(): Tensor { return more.expm1(this); }
  isnan(): Tensor { return more.isnan(this); }
  isinf(): Tensor { return more.isinf(this); }
  isfinite(): Tensor { return more.isfinite(this); }
  /** this + weight · (end − this). */
  lerp(end: Tensor, weight: Operand): Tensor { return more.lerp(this, end, weight); }
  /** where(condition, this, other), as PyTorch's x.where(cond, y). */
  where(condition: Tensor, other: Operand): Tensor { return where(condition, this, other); }
  amax(dim?: number | number[], keepdim = false): Tensor { return more.amax(this, dim, keepdim); }
  amin(dim?: number | number[], keepdim = false): Tensor { return more.amin(this, dim, keepdim); }
  logsumexp(dim: number | number[], keepdim = false): Tensor { return more.logsumexp(this, dim, keepdim); }
  /** The p-norm (2 by default; 1, Infinity, 'fro', any p) of all elements, or over dims. */
  norm(p: number | 'fro' = 2, dim?: number | number[], keepdim = false): Tensor { return more.norm(this, p, dim, keepdim); }
  tril(diagonal = 0): Tensor { return more.tril(this, diagonal); }
  triu(diagonal = 0): Tensor { return more.triu(this, diagonal); }
  diag(diagonal = 0): Tensor { return more.diag(this, diagonal); }
  trace(): Tensor { return more.trace(this); }
  outer(o: Tensor): Tensor { return more.outer(this, o); }
  /** Copies of this tensor laid side by side: x.repeat(2, 1). */
  repeat(...sizes: Array<number | number[]>): Tensor { return more.repeat(this, flatShape(sizes)); }
  tile(...dims: Array<number | number[]>): Tensor { return more.tile(this, flatShape(dims)); }
  isclose(o: Tensor, opts: more.CloseOptions = {}): Tensor { return more.isclose(this, o, opts); }
  async allclose(o: Tensor, opts: more.CloseOptions = {}): Promise<boolean> { return more.allclose(this, o, opts); }
  async equal(o: Tensor): Promise<boolean> { return more.equal(this, o); }
  /** x[mask] (PyTorch's masked_select): the selected elements, 1-D; reads the mask back, so it is a promise. */
  async maskedSelect(mask: Tensor): Promise<Tensor> { return more.maskedSelect(this, mask); }
  /** Values in order along dim, with their positions (stable; NaN last, or first when descending). */
  sort(dim = -1, descending = false): ValuesIndices { return sorting.sort(this, dim, descending); }
  argsort(dim = -1, descending = false): Tensor { return sorting.argsort(this, dim, descending); }
  msort(): Tensor { return sorting.msort(this); }
  topk(k: number, dim = -1, largest = true, sorted = true): ValuesIndices { return sorting.topk(this, k, dim, largest, sorted); }
  kthvalue(k: number, dim = -1, keepdim = false): ValuesIndices { return sorting.kthvalue(this, k, dim, keepdim); }
  median(): Tensor;
  median(dim: number, keepdim?: boolean): ValuesIndices;
  median(dim?: number, keepdim = false): Tensor | ValuesIndices { return dim === undefined ? sorting.median(this) : sorting.median(this, dim, keepdim); }
  cumsum(dim: number, o: sorting.ScanOptions = {}): Tensor { return sorting.cumsum(this, dim, o); }
  cumprod(dim: number, o: sorting.ScanOptions = {}): Tensor { return sorting.cumprod(this, dim, o); }
  flip(...dims: Array<number | number[]>): Tensor { return sorting.flip(this, flatShape(dims)); }
  roll(shifts: number | number[], dims?: number | number[]): Tensor { return sorting.roll(this, shifts, dims); }
  /** The positions of the nonzero elements, [count, ndim] int64; reads the tensor back, so it is a promise. */
  async nonzero(): Promise<Tensor> { return more.nonzero(this); }
  /** The product of all elements, or along dim (integers and bool give int64; the gradient exact through zeros). */
  prod(o?: extra.ProdOptions): Tensor;
  prod(dim: number, keepdim?: boolean, o?: extra.ProdOptions): Tensor;
  prod(dim?: number | extra.ProdOptions, keepdim = false, o: extra.ProdOptions = {}): Tensor {
    return typeof dim === 'number' ? extra.prod(this, dim, keepdim, o) : extra.prod(this, dim);
  }
  logicalAnd(o: Tensor): Tensor { return extra.logicalAnd(this, o); }
  logicalOr(o: Tensor): Tensor { return extra.logicalOr(this, o); }
  logicalXor(o: Tensor): Tensor { return extra.logicalXor(this, o); }
  logicalNot(): Tensor { return extra.logicalNot(this); }
  /** The n-th forward difference along dim, with prepend / append joined first. */
  diff(n = 1, dim = -1, prepend?: Tensor | null, append?: Tensor | null): Tensor { return extra.diff(this, n, dim, prepend, append); }
  countNonzero(dim?: number | number[]): Tensor { return extra.countNonzero(this, dim); }
  swapaxes(d0: number, d1: number): Tensor { return extra.swapaxes(this, d0, d1); }
  swapdims(d0: number, d1: number): Tensor { return extra.swapdims(this, d0, d1); }
  movedim(source: number | number[], destination: number | number[]): Tensor { return extra.movedim(this, source, destination); }
  logaddexp(o: Tensor): Tensor { return extra.logaddexp(this, o); }
  hypot(o: Tensor): Tensor { return extra.hypot(this, o); }
  deg2rad(): Tensor { return extra.deg2rad(this); }
  rad2deg(): Tensor { return extra.rad2deg(this); }
  frac(): Tensor { return extra.frac(this); }
  nanToNum(o: extra.NanToNumOptions = {}): Tensor { return extra.nanToNum(this, o); }
  cummax(dim: number): ValuesIndices { return misc.cummax(this, dim); }
  cummin(dim: number): ValuesIndices { return misc.cummin(this, dim); }
  logcumsumexp(dim: number): Tensor { return misc.logcumsumexp(this, dim); }
  nansum(dim?: number | number[], keepdim = false, o: misc.NanReduceOptions = {}): Tensor { return misc.nansum(this, dim, keepdim, o); }
  nanmean(dim?: number | number[], keepdim = false, o: misc.NanReduceOptions = {}): Tensor { return misc.nanmean(this, dim, keepdim, o); }
  quantile(q: number | number[] | Tensor, o: misc.QuantileOptions | number = {}): Tensor { return misc.quantile(this, q, o); }
  nanquantile(q: number | number[] | Tensor, o: misc.QuantileOptions | number = {}): Tensor { return misc.nanquantile(this, q, o); }
  mode(dim = -1, keepdim = false): ValuesIndices { return misc.mode(this, dim, keepdim); }
  aminmax(o: { dim?: number | null; keepdim?: boolean } = {}): misc.MinMax { return misc.aminmax(this, o); }
  repeatInterleave(repeats: number | number[] | Tensor, dim?: number | null): Tensor { return misc.repeatInterleave(this, repeats, dim); }
  rot90(k = 1, dims: number[] = [0, 1]): Tensor { return misc.rot90(this, k, dims); }
  tensorSplit(indicesOrSections: number | number[], dim = 0): Tensor[] { return misc.tensorSplit(this, indicesOrSections, dim); }
  hsplit(sections: number | number[]): Tensor[] { return misc.hsplit(this, sections); }
  vsplit(sections: number | number[]): Tensor[] { return misc.vsplit(this, sections); }
  dsplit(sections: number | number[]): Tensor[] { return misc.dsplit(this, sections); }
  take(index: Tensor): Tensor { return misc.take(this, index); }
  takeAlongDim(indices: Tensor, dim?: number | null): Tensor { return misc.takeAlongDim(this, indices, dim); }
  isposinf(): Tensor { return misc.isposinf(this); }
  isneginf(): Tensor { return misc.isneginf(this); }
  signbit(): Tensor { return misc.signbit(this); }
  copysign(o: Operand): Tensor { return misc.copysign(this, o); }
  heaviside(values: Tensor): Tensor { return misc.heaviside(this, values); }
  sinc(): Tensor { return misc.sinc(this); }
  logit(eps?: number | null): Tensor { return misc.logit(this, eps); }
  xlogy(o: Tensor | number): Tensor { return misc.xlogy(this, o); }
  cross(o: Tensor, dim?: number | null): Tensor { return misc.cross(this, o, dim); }
  kron(o: Tensor): Tensor { return misc.kron(this, o); }
  cov(o: misc.CovOptions = {}): Tensor { return misc.cov(this, o); }
  corrcoef(): Tensor { return misc.corrcoef(this); }
  diagEmbed(offset = 0, dim1 = -2, dim2 = -1): Tensor { return misc.diagEmbed(this, offset, dim1, dim2); }
  vdot(o: Tensor): Tensor { return misc.vdot(this, o); }
  mv(v: Tensor): Tensor { return misc.mv(this, v); }
  ger(o: Tensor): Tensor { return misc.ger(this, o); }
  dist(o: Tensor, p = 2): Tensor { return misc.dist(this, o, p); }
  /** A tensor of zeros of this one's dtype and device (unless told); newOnes, newFull, newEmpty, newTensor likewise. */
  newZeros(size: number[], o: TensorOptions = {}): Tensor { return zeros(size, { dtype: o.dtype ?? this.dtype, device: o.device ?? deviceName(this.device), requiresGrad: o.requiresGrad }); }
  newOnes(size: number[], o: TensorOptions = {}): Tensor { return ones(size, { dtype: o.dtype ?? this.dtype, device: o.device ?? deviceName(this.device), requiresGrad: o.requiresGrad }); }
  newFull(size: number[], value: number | boolean, o: TensorOptions = {}): Tensor { return full(size, value, { dtype: o.dtype ?? this.dtype, device: o.device ?? deviceName(this.device), requiresGrad: o.requiresGrad }); }
  newEmpty(size: number[], o: TensorOptions = {}): Tensor { return empty(size, { dtype: o.dtype ?? this.dtype, device: o.device ?? deviceName(this.device), requiresGrad: o.requiresGrad }); }
  newTensor(data: Nested | TypedArray, o: TensorOptions = {}): Tensor { return tensor(data, { dtype: o.dtype ?? this.dtype, device: o.device ?? deviceName(this.device), requiresGrad: o.requiresGrad }); }
  viewAs(other: Tensor): Tensor { checkTensor('view_as', other, 'other'); return this.view([...other.shape]); }
  reshapeAs(other: Tensor): Tensor { checkTensor('reshape_as', other, 'other'); return this.reshape([...other.shape]); }
  typeAs(other: Tensor): Tensor { checkTensor('type_as', other, 'other'); return this.to({ dtype: other.dtype }); }
  tril_(diagonal = 0): this { return inplaceOf(this, 'tril_', (x) => x.tril(diagonal)); }
  triu_(diagonal = 0): this { return inplaceOf(this, 'triu_', (x) => x.triu(diagonal)); }
  /** Bytes per element as PyTorch counts them (int64 8, though stored here as float64; bool 1); itemsize the same, nbytes for all elements. */
  elementSize(): number { return ELEMENT_SIZE[this.dtype]; }
  get itemsize(): number { return ELEMENT_SIZE[this.dtype]; }
  get nbytes(): number { return ELEMENT_SIZE[this.dtype] * this.numel(); }

  // ------------------------------------------------------------- in place
  add_(o: Operand, alpha?: number): this { return inplaceBinary(this, 'add', alpha === undefined ? o : mul(o, alpha)); }
  sub_(o: Operand, alpha?: number): this { return inplaceBinary(this, 'sub', alpha === undefined ? o : mul(o, alpha)); }
  mul_(o: Operand): this { return inplaceBinary(this, 'mul', o); }
  div_(o: Operand): this { return inplaceBinary(this, 'div', o); }
  zero_(): this { return this.fill_(0); }
  relu_(): this { return inplaceOf(this, 'relu_', (x) => x.relu()); }
  sigmoid_(): this { return inplaceOf(this, 'sigmoid_', (x) => x.sigmoid()); }
  tanh_(): this { return inplaceOf(this, 'tanh_', (x) => x.tanh()); }
  exp_(): this { return inplaceOf(this, 'exp_', (x) => x.exp()); }
  log_(): this { return inplaceOf(this, 'log_', (x) => x.log()); }
  sqrt_(): this { return inplaceOf(this, 'sqrt_', (x) => x.sqrt()); }
  rsqrt_(): this { return inplaceOf(this, 'rsqrt_', (x) => x.rsqrt()); }
  abs_(): this { return inplaceOf(this, 'abs_', (x) => x.abs()); }
  neg_(): this { return inplaceOf(this, 'neg_', (x) => x.neg()); }
  sin_(): this { return inplaceOf(this, 'sin_', (x) => x.sin()); }
  cos_(): this { return inplaceOf(this, 'cos_', (x) => x.cos()); }
  floor_(): this { return inplaceOf(this, 'floor_', (x) => x.floor()); }
  ceil_(): this { return inplaceOf(this, 'ceil_', (x) => x.ceil()); }
  round_(): this { return inplaceOf(this, 'round_', (x) => x.round()); }
  trunc_(): this { return inplaceOf(this, 'trunc_', (x) => x.trunc()); }
  sign_(): this { return inplaceOf(this, 'sign_', (x) => x.sign()); }
  reciprocal_(): this { return inplaceOf(this, 'reciprocal_', (x) => x.reciprocal()); }
  square_(): this { return inplaceOf(this, 'square_', (x) => x.square()); }
  pow_(e: Operand): this { return inplaceOf(this, 'pow_', (x) => x.pow(e)); }
  clamp_(min?: number | null | { min?: number | null; max?: number | null }, max?: number | null): this { return inplaceOf(this, 'clamp_', (x) => x.clamp(min, max)); }
  clip_(min?: number | null | { min?: number | null; max?: number | null }, max?: number | null): this { return this.clamp_(min, max); }
  lerp_(end: Tensor, weight: Operand): this { return inplaceOf(this, 'lerp_', (x) => x.lerp(end, weight)); }
  /** this + value · t1 · t2, in place (PyTorch's order: (value · t1) · t2). */
  addcmul_(t1: Tensor, t2: Tensor, value = 1): this { return inplaceOf(this, 'addcmul_', (x) => add(x, mul(mul(t1, value), t2)), 'AddcmulBackward0'); }
  /** this + value · t1 / t2, in place (PyTorch's order: (value · t1) / t2). */
  addcdiv_(t1: Tensor, t2: Tensor, value = 1): this { return inplaceOf(this, 'addcdiv_', (x) => add(x, div(mul(t1, value), t2)), 'AddcdivBackward0'); }
  /** Values uniform in [from, to), in place (from the seeded generator, as torch.rand). */
  uniform_(from = 0, to = 1): this {
    if (!isFloat(this.dtype)) throw new Error(`uniform_ expects a floating point tensor, got ${this.dtype}`);
    if (!(from <= to)) throw new Error(`uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
    return inplaceOf(this, 'uniform_', (x) => add(mul(rand(x.shape, { dtype: x.dtype, device: deviceName(x.device) }), to - from), from));
  }
  /** Normal values of mean and std, in place (from the seeded generator, as torch.randn). */
  normal_(mean = 0, std = 1): this {
    if (!isFloat(this.dtype)) throw new Error(`normal_ expects a floating point tensor, got ${this.dtype}`);
    if (!(std >= 0)) throw new Error(`normal expects std >= 0.0, but found std ${std}`);
    return inplaceOf(this, 'normal_', (x) => add(mul(randn(x.shape, { dtype: x.dtype, device: deviceName(x.device) }), std), mean));
  }
  /** 0/1 draws, 1 with probability p (a number, or a tensor of probabilities that expands to this
   * shape), in place; any dtype but bool keeps its dtype (torch.Tensor.bernoulli_; ops-random.ts). */
  bernoulli_(p: number | Tensor = 0.5): this { return inplaceOf(this, 'bernoulli_', (x) => sampling.bernoulliFill(x, p)); }
  /** Exponential draws of rate lambd, in place: −log(1 − u)/lambd (float tensors). */
  exponential_(lambd = 1): this { return inplaceOf(this, 'exponential_', (x) => sampling.exponentialFill(x, lambd)); }
  /** Geometric draws (the trial of the first success, from 1) of success probability p, in place. */
  geometric_(p: number): this { return inplaceOf(this, 'geometric_', (x) => sampling.geometricFill(x, p)); }
  /** Cauchy draws of the median and scale sigma, in place (float tensors). */
  cauchy_(median = 0, sigma = 1): this { return inplaceOf(this, 'cauchy_', (x) => sampling.cauchyFill(x, median, sigma)); }
  /** Log-normal draws, exp of normal(mean, std) ones, in place (torch.Tensor.log_normal_; float tensors). */
  logNormal_(mean = 1, std = 2): this { return inplaceOf(this, 'logNormal_', (x) => sampling.logNormalFill(x, mean, std)); }
  /** Integers uniform in [from, to), in place: random_(to) is [0, to), random_() the dtype's whole range
   * (see ops-random.ts randomFill). */
  random_(from?: number, to?: number): this { return inplaceOf(this, 'random_', (x) => sampling.randomFill(x, from, to)); }
  /** torch.bernoulli(this) (this: probabilities), or with p: draws of probability p in this shape and dtype. */
  bernoulli(p?: number): Tensor { return sampling.bernoulli(this, p); }
  /** torch.multinomial(this, numSamples, { replacement }). */
  multinomial(numSamples: number, o: sampling.MultinomialOptions = {}): Tensor { return sampling.multinomial(this, numSamples, o); }
  fill_(v: number): this {
    checkInplaceLeaf(this, 'fill_');
    checkWritable(this);
    const grad = this.gradFn !== null && isGradEnabled();
    if (grad) checkInplace(this, 'fill_');
    exec({ op: 'fill', value: castValue(v, this.dtype), out: this._view() }, this);
    this.storage.version++;
    if (grad) recordInplace(this, new Node('FillBackward0', [this.gradFn], () => [null]));
    return this;
  }
  /** Elements where `mask` (bool, broadcast to this tensor's shape) is true set to value, in place. */
  maskedFill_(mask: Tensor, value: number | boolean): this {
    checkInplaceLeaf(this, 'masked_fill_');
    checkWritable(this);
    const v = maskedFillCheck(this, mask, value);
    const grad = this.gradFn !== null && isGradEnabled();
    if (grad) checkInplace(this, 'masked_fill_');
    maskedWhere(this, mask, v, this);
    this.storage.version++;
    if (grad) recordInplace(this, new Node('MaskedFillBackward0', [this.gradFn], (g) => [where(mask, 0, g)]));
    return this;
  }
  /** A copy with the elements where `mask` (bool, broadcast to this shape) is true set to value (x's dtype kept). */
  maskedFill(mask: Tensor, value: number | boolean): Tensor { return maskedFill(this, mask, value); }
  /** Copies src's values in (broadcast to this shape; from another dtype or device too, as PyTorch's). */
  copy_(src: Tensor): this {
    checkTensor('copy_', src, 'src');
    if (src.device !== this.device) src = src.to(this.device); // (a transfer first; its gradient goes back)
    checkInplaceLeaf(this, 'copy_');
    checkWritable(this);
    src = readable(this, src);
    const bshape = broadcastShapes(src.shape, this.shape);
    if (!sameShape(bshape, this.shape)) throw new Error(`copy_: source of shape ${fmtShape(src.shape)} cannot be broadcast to ${fmtShape(this.shape)}`);
    const grad = isGradEnabled() && (src.requiresGrad || this.requiresGrad);
    if (grad) checkInplace(this, 'copy_');
    exec({ op: 'copy', x: expandView(src, this.shape), out: this._view() }, src, this);
    this.storage.version++;
    if (grad) {
      const srcShape = src.shape;
      recordInplace(this, new Node('CopyBackwards', [null, src._edge()], (g) => [null, sumToShape(g, srcShape)]));
    }
    return this;
  }

  // ------------------------------------------------------------- shape and views
  view(...shape: Array<number | number[]>): Tensor { return view(this, flatShape(shape), 'ViewBackward0'); }
  reshape(...shape: Array<number | number[]>): Tensor { return reshape(this, flatShape(shape)); }
  /** Dims startDim..endDim merged into one (default: all, a 1-d tensor), as a view when strides allow. */
  flatten(startDim = 0, endDim = -1): Tensor {
    if (this.ndim === 0) return reshape(this, [1]);
    const a = normDim(startDim, this.ndim), b = normDim(endDim, this.ndim);
    if (a > b) throw new Error('flatten() has invalid args: start_dim cannot come after end_dim');
    if (a === b) return this;
    const merged = this.shape.slice(a, b + 1).reduce((p, q) => p * q, 1);
    return reshape(this, [...this.shape.slice(0, a), merged, ...this.shape.slice(b + 1)]);
  }
  t(): Tensor {
    if (this.ndim > 2) throw new Error(`t() expects a tensor with <= 2 dimensions, but self is ${this.ndim}D`);
    return this.ndim < 2 ? alias(this, this.shape, this.strides, this.offset, 'TBackward0', (g) => g) : permuteImpl(this, [1, 0], 'TBackward0');
  }
  get T(): Tensor { return permuteImpl(this, this.shape.map((_, i) => this.ndim - 1 - i), 'PermuteBackward0'); }
  /** The last two dims swapped (a view). */
  get mT(): Tensor {
    if (this.ndim < 2) throw new Error(`tensor.mT is only supported on matrices or batches of matrices. Got ${this.ndim}-D tensor.`);
    return this.transpose(-2, -1);
  }
  /** Diagonal `offset` of a matrix, as a view (writes reach the matrix). */
  diagonal(offset = 0): Tensor {
    if (this.ndim !== 2) throw new Error(`diagonal(): expected a matrix (2-D), got shape ${fmtShape(this.shape)} (other dims are not supported yet)`);
    if (!Number.isInteger(offset)) throw new Error(`diagonal(): offset must be an integer, got ${offset}`);
    const [r, c] = this.shape, [s0, s1] = this.strides;
    const len = Math.max(0, offset >= 0 ? Math.min(r, c - offset) : Math.min(r + offset, c));
    const at = len === 0 ? this.offset : this.offset + (offset >= 0 ? offset * s1 : -offset * s0);
    const inShape = this.shape;
    return alias(this, [len], [s0 + s1], at, 'DiagonalBackward0', (g) => {
      const z = zeros([...inShape], { dtype: g.dtype, device: deviceName(g.device) });
      z.diagonal(offset).copy_(g);
      return z;
    });
  }
  /**
   * The windows of `size` elements along dim, `step` apart, as a view (PyTorch's Tensor.unfold): dim's
   * size becomes the number of windows and a last dim of `size` is added; windows may overlap, so the
   * gradient adds up where they do (UnfoldBackward0).
   */
  unfold(dim: number, size: number, step: number): Tensor {
    const d = normDim(dim, Math.max(1, this.ndim));
    const n = this.ndim === 0 ? 1 : this.shape[d], st = this.ndim === 0 ? 1 : this.strides[d];
    if (!Number.isInteger(size) || size < 0) throw new Error(`unfold(): size must be a non-negative integer, got ${size}`);
    if (size > n) throw new Error(`maximum size for tensor at dimension ${d} is ${n} but size is ${size}`);
    if (!Number.isInteger(step) || step <= 0) throw new Error(`step is ${step} but must be > 0`);
    // (a 0-d tensor: one window of its one element, shape [size], as PyTorch's)
    if (this.ndim === 0) return alias(this, [size], [1], this.offset, 'UnfoldBackward0', (g) => reshape(sum(g), []));
    const windows = Math.floor((n - size) / step) + 1;
    const shape = this.shape.map((s, i) => (i === d ? windows : s));
    const strides = this.strides.map((s, i) => (i === d ? s * step : s));
    const inShape = this.shape;
    return alias(this, [...shape, size], [...strides, st], this.offset, 'UnfoldBackward0', (g) => {
      // window w's element k is input position w·step + k along dim: the windows' gradients added there
      const at = add(mul(arange(windows, { device: deviceName(g.device) }).reshape([windows, 1]), step), arange(size, { device: deviceName(g.device) }));
      const gm = g.movedim(-1, d + 1).reshape(inShape.map((s, i) => (i === d ? windows * size : s)));
      const idx = at.reshape(inShape.map((_, i) => (i === d ? windows * size : 1))).expand(gm.shape);
      return zeros([...inShape], { dtype: g.dtype, device: deviceName(g.device) }).scatterAdd(d, idx, gm);
    });
  }
  /** The slices along dim, as views (PyTorch's unbind). */
  unbind(dim = 0): Tensor[] {
    const d = normDim(dim, this.ndim);
    return Array.from({ length: this.shape[d] }, (_, i) => indexImpl(this, [...new Array<string>(d).fill(':'), i], 'UnbindBackward0'));
  }
  /** Elements to step over per dim (PyTorch's stride()), or along one dim. */
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number { return dim === undefined ? [...this.strides] : this.strides[normDim(dim, this.ndim)]; }
  /** Where this view starts in its storage, in elements. */
  storageOffset(): number { return this.offset; }
  transpose(d0: number, d1: number): Tensor {
    const p = this.shape.map((_, i) => i);
    const a = normDim(d0, this.ndim), b = normDim(d1, this.ndim);
    [p[a], p[b]] = [p[b], p[a]];
    return permuteImpl(this, p, 'TransposeBackward0');
  }
  permute(...dims: Array<number | number[]>): Tensor {
    const p = flatShape(dims).map((d) => normDim(d, this.ndim));
    if (p.length !== this.ndim) {
      throw new Error(`permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${this.ndim} is not equal to len(dims) = ${p.length}`);
    }
    if (new Set(p).size !== p.length) throw new Error('permute(): duplicate dims are not allowed.');
    return permuteImpl(this, p, 'PermuteBackward0');
  }
  unsqueeze(dim: number): Tensor { return unsqueeze(this, normDim(dim, this.ndim + 1)); }
  squeeze(dim?: number): Tensor {
    const dims = dim === undefined ? this.shape.map((s, i) => (s === 1 ? i : -1)).filter((i) => i >= 0) : [normDim(dim, this.ndim)].filter((d) => this.shape[d] === 1);
    const shape = this.shape.filter((_, i) => !dims.includes(i)), strides = this.strides.filter((_, i) => !dims.includes(i));
    const inShape = this.shape;
    return alias(this, shape, strides, this.offset, dim === undefined ? 'SqueezeBackward0' : 'SqueezeBackward1', (g) => reshape(g, inShape));
  }
  expand(...sizes: Array<number | number[]>): Tensor {
    const want = flatShape(sizes);
    if (want.length < this.ndim) throw new Error(`expand: the number of sizes provided (${want.length}) must be greater or equal to the number of dimensions in the tensor (${this.ndim})`);
    const shape = want.map((s, i) => {
      const j = i - (want.length - this.ndim);
      const cur = j >= 0 ? this.shape[j] : 1;
      if (s === -1) { if (j < 0) throw new Error('expand: -1 is not allowed in a leading, non-existing dimension'); return cur; }
      if (cur !== 1 && cur !== s) throw new Error(`The expanded size of the tensor (${s}) must match the existing size (${cur}) at non-singleton dimension ${i}.  Target sizes: ${fmtShape(want)}.  Tensor sizes: ${fmtShape(this.shape)}`);
      return s;
    });
    const v = expandView(this, shape);
    const inShape = this.shape;
    return alias(this, shape, v.strides, v.offset, 'ExpandBackward0', (g) => sumToShape(g, inShape));
  }
  /** Python-style indexing: numbers select, 'a:b:s' strings slice, ':' / '...' / null (new axis). */
  /** Python-style indexing: numbers, 'a:b:s' slices, null (a new dim), '...'; and one integer tensor
   * (1-D: x[idx] picks those entries along its dim, a copy; 0-d: as a number) with ':' elsewhere. */
  index(...idx: Array<number | string | null | Tensor>): Tensor {
    for (let k = 0; k < idx.length; k++) if (idx[k] instanceof Tensor) return tensorIndex(this, idx, k);
    return indexImpl(this, idx as Array<number | string | null>);
  }
  /** The entries at `index` (a 1-D integer tensor) along dim, as a new tensor (PyTorch's index_select). */
  indexSelect(dim: number, index: Tensor): Tensor { return indexSelect(this, dim, index); }
  /** out[i][j] = this[i][index[i][j]] along dim (PyTorch's gather; index has this tensor's rank). */
  gather(dim: number, index: Tensor): Tensor { return gather(this, dim, index); }
  /** A copy with src's elements added at `index` along dim (PyTorch's scatter_add). */
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor { return scatterAdd(this, dim, index, src); }
  scatterReduce(dim: number, index: Tensor, src: Tensor, reduce: ScatterReduce, o: { includeSelf?: boolean } = {}): Tensor { return scatterReduce(this, dim, index, src, reduce, o); }
  scatterReduce_(dim: number, index: Tensor, src: Tensor, reduce: ScatterReduce, o: { includeSelf?: boolean } = {}): this {
    return inplaceOf(this, 'scatter_reduce_', (x) => scatterReduce(x, dim, index, src, reduce, o));
  }
  contiguous(): Tensor { return this.isContiguous() ? this : clone(this); }
  clone(): Tensor { return clone(this); }
  detach(): Tensor { return new Tensor(this.storage, this.shape, this.strides, this.offset); }
  to(target: string | { device?: string; dtype?: DType | string }): Tensor {
    const o = typeof target === 'string' ? (isDTypeName(target) ? { dtype: target } : { device: target }) : target;
    return toImpl(this, o.device === undefined ? this.device : parseDevice(o.device), o.dtype === undefined ? this.dtype : parseDType(o.dtype));
  }
  cpu(): Tensor { return this.to('cpu'); }
  gpu(): Tensor { return this.to('gpu'); }
  float(): Tensor { return this.to({ dtype: 'float32' }); }
  double(): Tensor { return this.to({ dtype: 'float64' }); }
  long(): Tensor { return this.to({ dtype: 'int64' }); }
  int(): Tensor { return this.to({ dtype: 'int32' }); }
  /** As bool: nonzero (NaN too) is true. */
  bool(): Tensor { return this.to({ dtype: 'bool' }); }

  // ------------------------------------------------------------- reading
  async item(): Promise<number | boolean> {
    if (this.numel() !== 1) throw new Error(`a Tensor with ${this.numel()} elements cannot be converted to Scalar`);
    const d = await contiguousData(this);
    return this.dtype === 'bool' ? d[0] !== 0 : d[0];
  }
  /**
   * The values as a typed array. For a contiguous CPU tensor this shares the tensor's memory (writes show
   * up in the tensor, like .numpy()); int64 tensors are stored as Float64Array. Otherwise it is a copy.
   */
  async toTypedArray(): Promise<TypedArray> {
    const data = await rt.read(this.storage);
    if (this.device === 'cpu' && this.isContiguous()) {
      const v = data.subarray(this.offset, this.offset + this.numel());
      rt.pin(v, this.storage); // a recycled buffer must not change under the user's array
      return v;
    }
    return contiguousData(this);
  }
  async tolist(): Promise<unknown> {
    const d = Array.from(await contiguousData(this), (v) => (this.dtype === 'bool' ? v !== 0 : v));
    const build = (dim: number, off: number): unknown => {
      if (dim === this.ndim) return d[off];
      const step = numelOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, off + i * step));
    };
    return build(0, 0);
  }
  async format(): Promise<string> { return format(this); }
  /**
   * @internal A leaf's memory replaced by src's (nn.Module.to(): PyTorch's `param.data = …`): this tensor
   * now is src's values, of src's device, dtype and shape; the object, its requiresGrad and its place in
   * optimizers stay.
   */
  _replaceData(src: Tensor): void {
    if (!this.isLeaf) throw new Error('internal: only a leaf tensor\'s data can be replaced');
    const m = this as unknown as { storage: rt.Storage; shape: number[]; strides: number[]; offset: number };
    m.storage = src.storage; m.shape = [...src.shape]; m.strides = [...src.strides]; m.offset = src.offset;
    this._hist = src.storage.history; this._acc = null; this._isView = false; this._base = null;
    if (this._requiresGrad && !isFloat(this.dtype)) this._requiresGrad = false;
  }
  /** @internal what printing puts before the tensor's text (nn.Parameter: "Parameter containing:\n") */
  _formatPrefix(): string { return ''; }
  /**
   * Frees this tensor's pooled or GPU memory now instead of when the garbage collector finds it; the
   * tensor, and every view of the same storage, can no longer be used.
   */
  dispose(): void { rt.dispose(this.storage); }
  /** Gradients of this tensor (a scalar, or with `gradient` of its shape) into the leaves' .grad.
   * `{ retainGraph: true }` keeps the graph for another backward. */
  async backward(gradient?: Tensor | BackwardOptions, o: BackwardOptions = {}): Promise<void> {
    if (gradient !== undefined && !(gradient instanceof Tensor)) return backward(this, undefined, gradient);
    return backward(this, gradient, o);
  }
  toString(): string {
    return `Tensor(shape=${fmtShape(this.shape)}, dtype=${this.dtype}, device=${deviceName(this.device)}) — use await torch.format(t) for values`;
  }
}

/**
 * One Tensor (over an empty storage), alive for the whole process: see SHAPE_ANCHORS in
 * src/runtime/gc.ts. Without it, a forced collection at a moment when no other tensor is alive (a
 * training loop's first allocation, after its previous run's tensors died) let V8 drop the Tensor class's
 * hidden classes, and every optimized function that had seen tensors was thrown away with them.
 */
keepShapes(new Tensor(new rt.Storage(-1, 'cpu', 'float32', 0, null), [], [], 0));

function isDTypeName(s: string): boolean { try { parseDType(s); return true; } catch { return false; } }

// =============================================================== helpers

/** The shape of a number operand: one shared array, never mutated (not a new `[]` per op). */
const NO_DIMS: number[] = [];

function flatShape(args: Array<number | number[]>): number[] {
  const a = args.length === 1 && Array.isArray(args[0]) ? args[0] : (args as number[]);
  for (const s of a) if (!Number.isInteger(s)) throw new Error(`size must be a sequence of integers, got ${JSON.stringify(args)}`);
  return [...a];
}

function newTensor(shape: number[], dtype: DType, device: Device): Tensor {
  for (const s of shape) if (!Number.isInteger(s) || s < 0) throw new Error(`Trying to create tensor with negative or non-integer dimension: ${fmtShape(shape)}`);
  if (device === 'gpu' && dtype === 'float64' && getDefaultDtype() === 'float64') {
    throw new Error("float64 is not supported on gpu: WGSL has no f64, and torch.setDefaultDtype('float64') is in effect; give the gpu tensors dtype: 'float32', or set the default back with torch.setDefaultDtype('float32')");
  }
  return new Tensor(rt.allocStorage(device, dtype, numelOf(shape)), shape, contiguousStrides(shape), 0);
}

/** A view of t broadcast to `shape` (stride 0 on broadcast axes). */
function expandView(t: Tensor, shape: number[]): View {
  // Same shape: the tensor's own strides (views are read-only), no new array.
  if (sameShape(t.shape, shape)) return { buf: t.storage.id, dtype: t.dtype, shape, strides: t.strides, offset: t.offset };
  const lead = shape.length - t.ndim;
  const strides = shape.map((s, i) => {
    const j = i - lead;
    if (j < 0) return 0;
    return t.shape[j] === 1 && s !== 1 ? 0 : t.strides[j];
  });
  return { buf: t.storage.id, dtype: t.dtype, shape, strides, offset: t.offset };
}

/** Submits a primitive op; `ts` are the tensors (and scalars, ignored) whose storages it touches. */
function exec(op: Op, a: Operand, b?: Operand, c?: Operand, d?: Operand): void {
  // Sized at once: an empty array grown by push allocates room for 16 (every op comes through here).
  const sts = new Array<rt.Storage>((a instanceof Tensor ? 1 : 0) + (b instanceof Tensor ? 1 : 0) + (c instanceof Tensor ? 1 : 0) + (d instanceof Tensor ? 1 : 0));
  let i = 0;
  if (a instanceof Tensor) sts[i++] = a.storage;
  if (b instanceof Tensor) sts[i++] = b.storage;
  if (c instanceof Tensor) sts[i++] = c.storage;
  if (d instanceof Tensor) sts[i++] = d.storage;
  rt.exec(op, sts);
}

/** The device of an op's tensor operands; throws PyTorch's error when they differ (fixed arity: this
 * runs for every op, and a rest parameter would allocate an array each time). */
function checkDevices(opName: string, a: Operand, b?: Operand, c?: Operand): Device {
  let dev: Device | null = a instanceof Tensor ? a.device : null;
  dev = sameDevice(opName, dev, b);
  dev = sameDevice(opName, dev, c);
  return dev ?? 'cpu';
}
function sameDevice(opName: string, dev: Device | null, t: Operand | undefined): Device | null {
  if (!(t instanceof Tensor)) return dev;
  if (dev && dev !== t.device) {
    throw new Error(`Expected all tensors to be on the same device, but found at least two devices, ${deviceName(dev)} and ${deviceName(t.device)}! (when checking arguments for ${opName})`);
  }
  return t.device;
}

/** Whether an op on these inputs joins the graph (no rest parameters: this runs for every op). */
function needsGrad(xs: readonly Operand[]): boolean {
  if (!isGradEnabled()) return false;
  for (let i = 0; i < xs.length; i++) { const x = xs[i]; if (x instanceof Tensor && x.requiresGrad) return true; }
  return false;
}
/** needsGrad for one to three operands, without an array: the hot ops call it before they make their
 * backward closure and input list, which an op outside the graph then never allocates. */
function tracked(a: Operand, b?: Operand, c?: Operand): boolean {
  return isGradEnabled() && ((a instanceof Tensor && a.requiresGrad) || (b instanceof Tensor && b.requiresGrad) || (c instanceof Tensor && c.requiresGrad));
}
const edge = (x: Operand) => (x instanceof Tensor ? x._edge() : null);
/** Records out's grad_fn. s0..s2: the tensors (not scalars) the closure reads, saved with their versions
 * (see Node): pass exactly those, as PyTorch saves them (a tensor saved needlessly makes a later in-place
 * op on it an error PyTorch does not raise; one not saved, a silently wrong gradient). */
function record(out: Tensor, name: string, inputs: Operand[], back: (g: Tensor) => Array<Tensor | null>,
  s0: Operand | null = null, s1: Operand | null = null, s2: Operand | null = null): Tensor {
  if (needsGrad(inputs)) {
    for (let i = 0; i < inputs.length; i++) { const x = inputs[i]; if (x instanceof Tensor && x._hist !== x.storage.history) fresh(x); }
    const n = new Node<Tensor>(name, inputs.map(edge), back);
    if (s0 instanceof Tensor) { n.s0 = s0; n.v0 = s0.storage.version; if (s0 === out) n.savedOut |= 1; }
    if (s1 instanceof Tensor) { n.s1 = s1; n.v1 = s1.storage.version; if (s1 === out) n.savedOut |= 2; }
    if (s2 instanceof Tensor) { n.s2 = s2; n.v2 = s2.storage.version; if (s2 === out) n.savedOut |= 4; }
    out._setGrad(n);
  }
  return out;
}
/**
 * @internal For frontend modules beside this one (functional.ts): an op composed of other ops, run with
 * recording off and recorded as one node named as PyTorch names it, with its own backward (as softmax here).
 */
export function composite(name: string, inputs: Operand[], forward: () => Tensor, back: (g: Tensor) => Array<Tensor | null>,
  s0: Operand | null = null, s1: Operand | null = null, s2: Operand | null = null): Tensor {
  const out = record(noGrad(forward), name, inputs, back, s0, s1, s2);
  // Not differentiable twice until shown to be (twice): a composite's backward often reads values its
  // forward computed without recording, or calls kernels that record nothing.
  if (out.gradFn !== null) out.gradFn.once = true;
  return out;
}
/**
 * @internal Marks t's grad_fn, made by composite(), as one whose backward autograd records completely
 * (only recorded ops on g, the inputs, the output and constants), so createGraph may run through it.
 */
export function twice(t: Tensor): Tensor {
  if (t.gradFn !== null) t.gradFn.once = false;
  return t;
}
/** A createGraph pass is running (backward closures that use a value saved from an unrecorded forward
 * recompute it recorded then). */
let creating = false;
/** @internal */
export const isCreatingGraph = (): boolean => creating;
/** Operand x if `when` (its gradient is wanted), else null: what an op saves for one input's gradient. */
const savedIf = (when: boolean, x: Operand): Operand | null => (when ? x : null);
const wants = (x: Operand) => x instanceof Tensor && x.requiresGrad;

/** Sums a broadcast gradient back to an input's shape. */
export function sumToShape(g: Tensor, shape: number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  g.shape.forEach((s, i) => { if (i < lead || (shape[i - lead] === 1 && s !== 1)) axes.push(i); });
  let r = axes.length ? sum(g, axes, true) : g;
  if (lead > 0 || !sameShape(r.shape, shape)) r = reshape(r, shape);
  return r;
}

function scalarOperand(x: Scalar, dtype: DType): number {
  return castValue(typeof x === 'boolean' ? +x : x, dtype);
}

// =============================================================== elementwise primitives

function rawBinary(fn: BinaryFn, a: Operand, b: Operand, computeDtype: DType, outDtype: DType, name: string): Tensor {
  const device = checkDevices(name, a, b);
  const shape = broadcastShapes(a instanceof Tensor ? a.shape : NO_DIMS, b instanceof Tensor ? b.shape : NO_DIMS);
  const out = newTensor(shape, outDtype, device);
  // Operands of another dtype are converted by the kernel as it reads them, except scalars, which are
  // rounded to the compute dtype first (PyTorch wraps them as 0-d tensors of that dtype).
  const av = a instanceof Tensor ? expandView(a, shape) : scalarOperand(a, computeDtype);
  const bv = b instanceof Tensor ? expandView(b, shape) : scalarOperand(b, computeDtype);
  exec({ op: 'binary', fn, a: av, b: bv, out: out._view() }, a, b, out);
  return out;
}

function operandDesc(x: Operand) { return x instanceof Tensor ? { dtype: x.dtype, dim: x.ndim } : x; }
function operandDtypes(a: Operand, b: Operand): DType {
  // The common cases without resultType's descriptor objects (this runs for every binary op): two tensors
  // of one dtype, or a floating tensor and a number (a number never raises a floating tensor's dtype).
  if (a instanceof Tensor) {
    if (b instanceof Tensor ? b.dtype === a.dtype : typeof b === 'number' && isFloat(a.dtype)) return a.dtype;
  } else if (b instanceof Tensor && typeof a === 'number' && isFloat(b.dtype)) return b.dtype;
  return resultType([operandDesc(a), operandDesc(b)]);
}

function checkOperand(name: string, x: unknown): asserts x is Operand {
  if (!(x instanceof Tensor) && typeof x !== 'number' && typeof x !== 'boolean') {
    throw new Error(`${name}(): argument must be a Tensor or a number, got ${x === null ? 'null' : typeof x}`);
  }
}

export function add(a: Operand, b: Operand): Tensor {
  checkOperand('add', a); checkOperand('add', b);
  const dt = operandDtypes(a, b);
  const out = rawBinary('add', a, b, dt, dt, 'add');
  if (!tracked(a, b)) return out;
  const aShape = a instanceof Tensor ? a.shape : NO_DIMS, bShape = b instanceof Tensor ? b.shape : NO_DIMS;
  return record(out, 'AddBackward0', [a, b], (g) => [sumToShape(g, aShape), sumToShape(g, bShape)]);
}
export function sub(a: Operand, b: Operand): Tensor {
  checkOperand('sub', a); checkOperand('sub', b);
  const dt = operandDtypes(a, b);
  if (dt === 'bool') throw new Error('Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.');
  const aShape = a instanceof Tensor ? a.shape : NO_DIMS, bShape = b instanceof Tensor ? b.shape : NO_DIMS;
  const name = a instanceof Tensor ? 'SubBackward0' : 'RsubBackward1';
  const out = rawBinary('sub', a, b, dt, dt, 'sub');
  if (!tracked(a, b)) return out;
  return record(out, name, [a, b], (g) => [sumToShape(g, aShape), sumToShape(neg(g), bShape)]);
}
export function mul(a: Operand, b: Operand): Tensor {
  checkOperand('mul', a); checkOperand('mul', b);
  const dt = operandDtypes(a, b);
  const aShape = a instanceof Tensor ? a.shape : NO_DIMS, bShape = b instanceof Tensor ? b.shape : NO_DIMS;
  const out = rawBinary('mul', a, b, dt, dt, 'mul');
  if (!tracked(a, b)) return out;
  return record(out, 'MulBackward0', [a, b], (g) => [
    a instanceof Tensor && a.requiresGrad ? sumToShape(mul(g, b), aShape) : null,
    b instanceof Tensor && b.requiresGrad ? sumToShape(mul(g, a), bShape) : null,
  ], savedIf(wants(a), b), savedIf(wants(b), a));
}
export interface DivOptions { roundingMode?: 'trunc' | 'floor' | null }
export function div(a: Operand, b: Operand, o?: DivOptions): Tensor {
  checkOperand('div', a); checkOperand('div', b);
  if (o?.roundingMode != null) return divRounded(a, b, o.roundingMode, 'DivBackward2');
  if (!(a instanceof Tensor)) return mul(reciprocal(b as Tensor), a); // PyTorch computes `1 / t` as t.reciprocal() * 1
  let dt = operandDtypes(a, b);
  if (!isFloat(dt)) dt = getDefaultDtype(); // true division
  const aShape = a.shape, bShape = b instanceof Tensor ? b.shape : NO_DIMS;
  const out = rawBinary('div', a, b, dt, dt, 'div');
  if (!tracked(a, b)) return out;
  // d/db (a / b) = -a / b²: from a and b, as PyTorch saves them (not from the result, which the caller may
  // change in place without touching what backward needs).
  return record(out, 'DivBackward0', [a, b], (g) => [
    a.requiresGrad ? sumToShape(div(g, b), aShape) : null,
    b instanceof Tensor && b.requiresGrad ? sumToShape(neg(mul(g, div(div(a, b), b))), bShape) : null,
  ], b, savedIf(wants(b), a));
}
/** torch.floor_divide: div with roundingMode 'floor' (PyTorch 1.13's), whose derivative is not implemented. */
export function floorDivide(a: Operand, b: Operand): Tensor {
  checkOperand('floor_divide', a); checkOperand('floor_divide', b);
  return divRounded(a, b, 'floor', 'NotImplemented');
}
/** An integer divisor that is 0: PyTorch's ZeroDivisionError where it can be seen now (a number, or a CPU
 * tensor whose values are final); a GPU tensor or one still being computed gives 0 there (as PyTorch's
 * CUDA gives garbage, not an error). */
function checkIntDivisor(b: Operand): void {
  if (b === 0 || b === false) throw new Error('ZeroDivisionError');
  if (b instanceof Tensor && someNow(b, (v) => v === 0)) throw new Error('ZeroDivisionError');
}
/**
 * a / b rounded toward zero ('trunc') or down ('floor'). Integers stay integers (an integer 0 divisor:
 * checkIntDivisor); floats floor as PyTorch's div_floor_floating does, from fmod, so that 1 // 0.1 is 9
 * (floor(1 / 0.1) would be 10). The gradient is zero for both operands (DivBackward2); floor_divide's
 * backward is an error, as PyTorch's.
 */
function divRounded(a: Operand, b: Operand, mode: 'trunc' | 'floor', name: string): Tensor {
  if (mode !== 'trunc' && mode !== 'floor') throw new Error(`div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '${String(mode)}'`);
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) throw new TypeError('div: expected a Tensor operand');
  const ref = (a instanceof Tensor ? a : b) as Tensor;
  if (!(a instanceof Tensor)) a = tensor(a as number, { dtype: isFloat(ref.dtype) || !Number.isInteger(a) ? (isFloat(ref.dtype) ? ref.dtype : getDefaultDtype()) : ref.dtype, device: ref.device });
  const dt = operandDtypes(a, b);
  if (dt === 'bool') throw new Error(`"div_${mode}_cpu" not implemented for 'Bool'`);
  const A = a as Tensor;
  const out = noGrad(() => {
    if (!isFloat(dt)) {
      checkIntDivisor(b);
      const zero = b instanceof Tensor ? compare('eq', b, 0) : null;
      const safe = zero ? where(zero, 1, b) : b;
      const q = rawBinary('div', A, safe, dt, dt, 'div'); // (integer division truncates on every backend)
      let r = q;
      if (mode === 'floor') {
        const m = rawBinary('fmod', A, safe, dt, dt, 'div');
        const fix = compare('ne', m, 0).logicalAnd(compare('ne', compare('lt', m, 0), compare('lt', safe, 0)));
        r = sub(q, fix.to({ dtype: dt }));
      }
      return zero ? where(zero, 0, r) : r;
    }
    const quot = rawBinary('div', A, b, dt, dt, 'div');
    if (mode === 'trunc') return trunc(quot);
    const m = rawBinary('fmod', A, b, dt, dt, 'div');
    let d = div(sub(A, m), b);
    d = sub(d, compare('ne', m, 0).logicalAnd(compare('ne', compare('lt', b, 0), compare('lt', m, 0))).to({ dtype: dt }));
    const fl = floor(d);
    const up = add(fl, compare('gt', sub(d, fl), 0.5).to({ dtype: dt }));
    // (d = 0: a zero with the true quotient's sign; b = 0: the IEEE quotient, ±inf or NaN)
    const res = where(compare('ne', d, 0), up, mul(quot, 0));
    return b instanceof Tensor ? where(compare('eq', b, 0), quot, res) : b === 0 ? quot : res;
  });
  if (!tracked(a, b)) return out;
  const aShape = A.shape, bShape = b instanceof Tensor ? b.shape : NO_DIMS;
  return record(out, name, [A, b], () => {
    if (name === 'NotImplemented') throw new Error("the derivative for 'floor_divide' is not implemented.");
    return [
      A.requiresGrad ? zeros([...aShape], { dtype: A.dtype, device: A.device }) : null,
      b instanceof Tensor && b.requiresGrad ? zeros([...bShape], { dtype: b.dtype, device: b.device }) : null,
    ];
  });
}
export function reciprocal(x: Tensor): Tensor {
  const dt = isFloat(x.dtype) ? x.dtype : getDefaultDtype();
  const out = rawBinary('div', 1, x, dt, dt, 'reciprocal');
  return record(out, 'ReciprocalBackward0', [x], (g) => [neg(mul(g, mul(out, out)))], out);
}
export function pow(a: Operand, b: Operand): Tensor {
  checkOperand('pow', a); checkOperand('pow', b);
  if (a instanceof Tensor && !isFloat(a.dtype) && typeof b === 'number' && Number.isInteger(b) && b < 0) {
    throw new Error('Integers to negative integer powers are not allowed.');
  }
  const dt = operandDtypes(a, b);
  const out = rawBinary('pow', a, b, dt, dt, 'pow');
  if (!tracked(a, b)) return out;
  if (b instanceof Tensor && a instanceof Tensor) {
    // As PyTorch (pow_backward_self / pow_backward_exponent): 0, not NaN, where the exponent is 0 (for a),
    // and where a is 0 with an exponent >= 0 (for b: out * log(0) would be 0 * -inf).
    return record(out, 'PowBackward1', [a, b], (g) => [
      a.requiresGrad ? sumToShape(where(compare('eq', b, 0), 0, mul(g, mul(b, pow(a, sub(b, 1))))), a.shape) : null,
      b.requiresGrad ? sumToShape(zeroWhereBaseZero(a, b, mul(g, mul(out, log(a)))), b.shape) : null,
    ], a, b, savedIf(b.requiresGrad, out));
  }
  if (a instanceof Tensor) {
    const e = b as number;
    return record(out, 'PowBackward0', [a], (g) => [e === 0 ? mul(g, 0) : mul(g, mul(pow(a, e - 1), e))], savedIf(e !== 0, a));
  }
  const base = a as number;
  return record(out, 'PowBackward2', [a, b], (g) => [null, zeroWhereBaseZero(base, b as Tensor, mul(g, mul(out, Math.log(base))))], b, out);
}
/** t, with 0 where the base is 0 and the exponent >= 0 (there d(base^e)/de is 0, not 0 * log(0)). */
function zeroWhereBaseZero(base: Operand, e: Tensor, t: Tensor): Tensor {
  if (typeof base === 'number') return base === 0 ? where(compare('ge', e, 0), 0, t) : t;
  return where(compare('eq', base, 0), where(compare('ge', e, 0), 0, t), t);
}

function rawUnary(fn: UnaryFn, x: Tensor, outDtype: DType): Tensor {
  const out = newTensor([...x.shape], outDtype, x.device);
  exec({ op: 'unary', fn, x: x._view(), out: out._view() }, x, out);
  return out;
}
const floatOf = (d: DType): DType => (isFloat(d) ? d : getDefaultDtype());
/** @internal (also for the frontend modules beside this one) */
export function checkTensor(name: string, x: unknown, what = 'input'): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${name}(): argument '${what}' must be a Tensor, not ${x === null ? 'null' : typeof x}`);
}
/** @internal */
export function checkFloat(name: string, x: Tensor, what = 'input'): void {
  if (!isFloat(x.dtype)) throw new Error(`${name}(): ${what} must be a floating point tensor, got ${x.dtype}`);
}

export function neg(x: Tensor): Tensor {
  checkTensor('neg', x);
  if (x.dtype === 'bool') throw new Error('Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.');
  return record(rawUnary('neg', x, x.dtype), 'NegBackward0', [x], (g) => [neg(g)]);
}
export function exp(x: Tensor): Tensor { return floatUnary('exp', 'ExpBackward0', x, (g, _v, out) => mul(g, out), true); }
export function log(x: Tensor): Tensor { return floatUnary('log', 'LogBackward0', x, (g, v) => div(g, v)); }
/** sign: -1, 0 or 1 (0 for 0, -0 and NaN), in x's dtype; no gradient (zeros); as PyTorch's. */
export function sign(x: Tensor): Tensor {
  checkTensor('sign', x);
  return record(rawUnary('sign', x, x.dtype), 'SignBackward0', [x], (g) => [zerosLike(g)]);
}
/** masked_fill's checks: a bool mask on x's device that broadcasts to x's shape; the value in x's dtype. */
function maskedFillCheck(x: Tensor, mask: Tensor, value: number | boolean): number {
  checkTensor('masked_fill', mask);
  if (mask.dtype !== 'bool') throw new Error(`masked_fill_ only supports boolean masks, but got mask with dtype ${mask.dtype}`);
  checkDevices('masked_fill', x, mask);
  if (!sameShape(broadcastShapes(mask.shape, x.shape), x.shape)) {
    throw new Error(`masked_fill: the mask of shape ${fmtShape(mask.shape)} does not broadcast to the tensor's shape ${fmtShape(x.shape)}`);
  }
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new Error(`masked_fill: value must be a number or a boolean, got ${typeof value}`);
  return castValue(+value, x.dtype);
}
/** out = where(mask, v, x): the one op of maskedFill (out new) and maskedFill_ (out is x). */
function maskedWhere(x: Tensor, mask: Tensor, v: number, out: Tensor): Tensor {
  exec({ op: 'where', cond: expandView(mask, x.shape), a: v, b: x._view(), out: out._view() }, mask, x, out === x ? undefined : out);
  return out;
}
export function maskedFill(x: Tensor, mask: Tensor, value: number | boolean): Tensor {
  checkTensor('masked_fill', x);
  const v = maskedFillCheck(x, mask, value);
  const out = maskedWhere(x, mask, v, newTensor([...x.shape], x.dtype, x.device));
  return record(out, 'MaskedFillBackward0', [x], (g) => [where(mask, 0, g)], mask);
}

/** The view of [start, start + len) along dim d (narrow, split; a joined input's slice of the gradient). */
function sliceAlong(x: Tensor, d: number, start: number, len: number, name?: string): Tensor {
  const idx: string[] = new Array(d + 1).fill(':');
  idx[d] = `${start}:${start + len}`;
  return indexImpl(x, idx, name);
}
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  checkTensor('narrow', x);
  if (x.ndim === 0) throw new Error('narrow() cannot be applied to a 0-dim tensor.');
  const d = normDim(dim, x.ndim), size = x.shape[d];
  if (!Number.isInteger(start) || !Number.isInteger(length)) throw new Error(`narrow(): start and length must be integers, got ${start} and ${length}`);
  const s = start < 0 ? start + size : start;
  if (s < 0 || s > size) throw new Error(`start out of range (expected to be in range of [${-size}, ${size}], but got ${start})`);
  if (length < 0 || s + length > size) throw new Error(`start (${s}) + length (${length}) exceeds dimension size (${size}).`);
  return sliceAlong(x, d, s, length);
}
export function split(x: Tensor, size: number | number[], dim = 0): Tensor[] {
  checkTensor('split', x);
  if (x.ndim === 0) throw new Error('split expects at least a 1-dimensional tensor');
  const d = normDim(dim, x.ndim), n = x.shape[d];
  let sizes: number[];
  if (Array.isArray(size)) {
    sizes = size;
    if (sizes.some((v) => !Number.isInteger(v) || v < 0) || sizes.reduce((p, v) => p + v, 0) !== n) {
      throw new Error(`split_with_sizes expects split_sizes to sum exactly to ${n} (input tensor's size at dimension ${d}), but got split_sizes=[${sizes.join(', ')}]`);
    }
  } else {
    if (!Number.isInteger(size) || size < 0 || (size === 0 && n !== 0)) throw new Error(`split(): split_size must be a positive integer, got ${size}`);
    sizes = [];
    for (let at = 0; at < n; at += size) sizes.push(Math.min(size, n - at));
    if (n === 0) sizes.push(0);
  }
  const name = Array.isArray(size) ? 'SplitWithSizesBackward0' : 'SplitBackward0';
  const out: Tensor[] = [];
  let at = 0;
  for (const len of sizes) { out.push(sliceAlong(x, d, at, len, name)); at += len; }
  return out;
}
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  checkTensor('chunk', x);
  if (!Number.isInteger(chunks) || chunks <= 0) throw new Error(`chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  if (x.ndim === 0) throw new Error('chunk expects at least a 1-dimensional tensor');
  const n = x.shape[normDim(dim, x.ndim)];
  return split(x, Math.max(1, Math.ceil(n / chunks)), dim);
}

/** floor, ceil, trunc and round (half to even, as PyTorch's) in x's dtype (integers come back as they
 * are); their gradient is zero. */
function rounding(fn: 'floor' | 'ceil' | 'trunc' | 'round', x: Tensor): Tensor {
  checkTensor(fn, x);
  if (x.dtype === 'bool') throw new Error(`"${fn}" not implemented for 'Bool'`);
  const name = `${fn[0].toUpperCase()}${fn.slice(1)}Backward0`;
  return record(rawUnary(fn, x, x.dtype), name, [x], (g) => [zerosLike(g)]);
}
export const floor = (x: Tensor): Tensor => rounding('floor', x);
export const ceil = (x: Tensor): Tensor => rounding('ceil', x);
export const trunc = (x: Tensor): Tensor => rounding('trunc', x);
export const round = (x: Tensor): Tensor => rounding('round', x);

export function sqrt(x: Tensor): Tensor { return floatUnary('sqrt', 'SqrtBackward0', x, (g, _v, out) => div(g, mul(out, 2)), true); }
export function abs(x: Tensor): Tensor {
  checkTensor('abs', x);
  return record(rawUnary('abs', x, x.dtype), 'AbsBackward0', [x], (g) => [mul(g, rawUnary('sign', x, x.dtype))], x);
}
export function sin(x: Tensor): Tensor { return floatUnary('sin', 'SinBackward0', x, (g, v) => mul(g, cos(v))); }
export function cos(x: Tensor): Tensor { return floatUnary('cos', 'CosBackward0', x, (g, v) => neg(mul(g, sin(v)))); }
export function tanh(x: Tensor): Tensor { return floatUnary('tanh', 'TanhBackward0', x, (g, _v, out) => mul(g, rsubScalar(1, mul(out, out))), true); }
/** A float function of one tensor (integers computed as float32) recorded with its gradient, which saves
 * x, or the output with saveOut. */
function floatUnary(fn: UnaryFn, name: string, x: Tensor, grad: (g: Tensor, x: Tensor, out: Tensor) => Tensor, saveOut = false): Tensor {
  checkTensor(fn, x);
  const out = rawUnary(fn, x, floatOf(x.dtype));
  return record(out, name, [x], (g) => [grad(g, x, out)], saveOut ? out : x);
}
const oneMinusSquare = (x: Tensor) => rsubScalar(1, mul(x, x));
export const asin = (x: Tensor): Tensor => floatUnary('asin', 'AsinBackward0', x, (g, v) => div(g, sqrt(oneMinusSquare(v))));
export const acos = (x: Tensor): Tensor => floatUnary('acos', 'AcosBackward0', x, (g, v) => neg(div(g, sqrt(oneMinusSquare(v)))));
export const atan = (x: Tensor): Tensor => floatUnary('atan', 'AtanBackward0', x, (g, v) => div(g, add(mul(v, v), 1)));
export const sinh = (x: Tensor): Tensor => floatUnary('sinh', 'SinhBackward0', x, (g, v) => mul(g, cosh(v)));
export const cosh = (x: Tensor): Tensor => floatUnary('cosh', 'CoshBackward0', x, (g, v) => mul(g, sinh(v)));
export const asinh = (x: Tensor): Tensor => floatUnary('asinh', 'AsinhBackward0', x, (g, v) => div(g, sqrt(add(mul(v, v), 1))));
export const acosh = (x: Tensor): Tensor => floatUnary('acosh', 'AcoshBackward0', x, (g, v) => div(g, sqrt(sub(mul(v, v), 1))));
export const atanh = (x: Tensor): Tensor => floatUnary('atanh', 'AtanhBackward0', x, (g, v) => div(g, oneMinusSquare(v)));
export const log2 = (x: Tensor): Tensor => floatUnary('log2', 'Log2Backward0', x, (g, v) => div(g, mul(v, Math.LN2)));
export const log10 = (x: Tensor): Tensor => floatUnary('log10', 'Log10Backward0', x, (g, v) => div(g, mul(v, Math.LN10)));
export const exp2 = (x: Tensor): Tensor => floatUnary('exp2', 'Exp2Backward0', x, (g, _v, out) => mul(g, mul(out, Math.LN2)), true);

/** atan2(a, b): the angle of the point (b, a), in (-π, π] (Atan2Backward0); integers as float32. */
export function atan2(a: Tensor, b: Operand): Tensor {
  checkTensor('atan2', a); checkOperand('atan2', b);
  let dt = operandDtypes(a, b);
  if (!isFloat(dt)) dt = getDefaultDtype();
  const aShape = a.shape, bShape = b instanceof Tensor ? b.shape : NO_DIMS;
  const out = rawBinary('atan2', a, b, dt, dt, 'atan2');
  if (!tracked(a, b)) return out;
  return record(out, 'Atan2Backward0', [a, b], (g) => {
    const den = add(mul(a, a), mul(b, b));
    return [
      a.requiresGrad ? sumToShape(mul(g, div(b, den)), aShape) : null,
      b instanceof Tensor && b.requiresGrad ? sumToShape(mul(g, div(neg(a), den)), bShape) : null,
    ];
  }, a, b);
}
/**
 * fmod (the result has a's sign, C's fmod) and remainder (b's sign, Python's %): a − q·b with q = a/b
 * truncated or floored. Integers stay integers; an integer 0 divisor is PyTorch's ZeroDivisionError
 * where it can be seen now, else the result there is 0 (checkIntDivisor). Gradients: g for a, −g·q for b (FmodBackward0/1, RemainderBackward0/1).
 */
function modulo(fn: 'fmod' | 'remainder', a: Tensor, b: Operand): Tensor {
  checkTensor(fn, a); checkOperand(fn, b);
  const dt = operandDtypes(a, b);
  if (!isFloat(dt)) checkIntDivisor(b);
  const aShape = a.shape, bShape = b instanceof Tensor ? b.shape : NO_DIMS;
  const intByTensor = !isFloat(dt) && b instanceof Tensor;
  const out = intByTensor
    ? noGrad(() => where(compare('eq', b, 0), 0, rawBinary(fn, a, where(compare('eq', b, 0), 1, b), dt, dt, fn)))
    : rawBinary(fn, a, b, dt, dt, fn);
  if (!tracked(a, b)) return out;
  const name = `${fn === 'fmod' ? 'Fmod' : 'Remainder'}Backward${b instanceof Tensor ? 1 : 0}`;
  return record(out, name, [a, b], (g) => [
    a.requiresGrad ? sumToShape(g, aShape) : null,
    b instanceof Tensor && b.requiresGrad ? sumToShape(neg(mul(g, (fn === 'fmod' ? trunc : floor)(div(a, b)))), bShape) : null,
  ], savedIf(wants(b), a), b);
}
export const fmod = (a: Tensor, b: Operand): Tensor => modulo('fmod', a, b);
export const remainder = (a: Tensor, b: Operand): Tensor => modulo('remainder', a, b);

/**
 * @internal One elementwise binary primitive (protocol.ts BinaryFn) of two operands broadcast together,
 * computed and stored in `dtype`; no gradient (callers compose one).
 */
export function binaryPrimitive(fn: BinaryFn, a: Operand, b: Operand, dtype: DType, name: string): Tensor {
  checkOperand(name, a); checkOperand(name, b);
  return rawBinary(fn, a, b, dtype, dtype, name);
}

// ---- bitwise operations on integers and bools ---------------------------------------------------------

type BitFn = 'bitand' | 'bitor' | 'bitxor' | 'shl' | 'shr';
/** The op's name in PyTorch, and its kernels' (in PyTorch's "not implemented" error). */
const BIT_NAMES: Record<BitFn, [string, string]> = {
  bitand: ['bitwise_and', 'bitwise_and'], bitor: ['bitwise_or', 'bitwise_or'], bitxor: ['bitwise_xor', 'bitwise_xor'],
  shl: ['bitwise_left_shift', 'lshift'], shr: ['bitwise_right_shift', 'rshift'],
};
/**
 * a & b, a | b, a ^ b, a << b, a >> b on integer or bool tensors (a number may stand for either, not
 * both), in the operands' promoted dtype. int64 values act as 64-bit two's complement. Shifts follow
 * PyTorch 2: a left shift by a count outside [0, width) gives 0, a right shift (arithmetic) by one outside
 * [0, width - 1) the sign's fill; a left shift into int64 that leaves 64 bits wraps. Shifts refuse bools,
 * as PyTorch's kernels do. No gradient: integer tensors have none.
 */
function bitwise(fn: BitFn, a: Operand, b: Operand): Tensor {
  const [name, kernel] = BIT_NAMES[fn];
  checkOperand(name, a); checkOperand(name, b);
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) throw new Error(`${name}(): expected at least one Tensor argument, got two numbers`);
  const dev = checkDevices(name, a, b);
  const dt = operandDtypes(a, b);
  if (isFloat(dt) || (dt === 'bool' && (fn === 'shl' || fn === 'shr'))) {
    throw new Error(`"${kernel}_${dev === 'gpu' ? 'gpu' : 'cpu'}" not implemented for '${SCALAR_TYPE[dt]}'`);
  }
  return rawBinary(fn, a, b, dt, dt, name);
}
export const bitwiseAnd = (a: Operand, b: Operand): Tensor => bitwise('bitand', a, b);
export const bitwiseOr = (a: Operand, b: Operand): Tensor => bitwise('bitor', a, b);
export const bitwiseXor = (a: Operand, b: Operand): Tensor => bitwise('bitxor', a, b);
export const bitwiseLeftShift = (a: Operand, b: Operand): Tensor => bitwise('shl', a, b);
export const bitwiseRightShift = (a: Operand, b: Operand): Tensor => bitwise('shr', a, b);
/** ~x: for integers x ^ -1 (every bit flipped), for bools logical not. */
export function bitwiseNot(x: Tensor): Tensor {
  checkTensor('bitwise_not', x);
  if (isFloat(x.dtype)) throw new Error(`"bitwise_not_${x.device === 'gpu' ? 'gpu' : 'cpu'}" not implemented for '${SCALAR_TYPE[x.dtype]}'`);
  return x.dtype === 'bool' ? compare('eq', x, false) : rawBinary('bitxor', x, -1, x.dtype, x.dtype, 'bitwise_not');
}

export function relu(x: Tensor): Tensor {
  checkTensor('relu', x);
  const out = rawUnary('relu', x, x.dtype);
  return record(out, 'ReluBackward0', [x], (g) => [mul(g, compare('gt', out, 0))], out);
}
export function sigmoid(x: Tensor): Tensor {
  checkTensor('sigmoid', x);
  // One op (1 / (exp(-x) + 1), each step rounded as the three ops it replaces would round it).
  const out = rawUnary('sigmoid', x, floatOf(x.dtype));
  return record(out, 'SigmoidBackward0', [x], (g) => [mul(g, mul(out, rsubScalar(1, out)))], out);
}
function rsubScalar(s: number, t: Tensor): Tensor { return sub(s, t); }
export function maximum(a: Tensor, b: Tensor): Tensor { return minmax('maximum', a, b); }
export function minimum(a: Tensor, b: Tensor): Tensor { return minmax('minimum', a, b); }
function minmax(fn: 'maximum' | 'minimum', a: Tensor, b: Tensor): Tensor {
  checkTensor(fn, a); checkTensor(fn, b);
  const dt = operandDtypes(a, b);
  const out = rawBinary(fn, a, b, dt, dt, fn);
  const name = fn === 'maximum' ? 'MaximumBackward0' : 'MinimumBackward0';
  // As PyTorch: ties share the gradient (half each); elsewhere it goes to the operand picked (both get it
  // where a NaN makes every comparison false).
  return record(out, name, [a, b], (g) => {
    const half = where(compare('eq', a, b), mul(g, 0.5), g);
    const aLoses = compare(fn === 'maximum' ? 'lt' : 'gt', a, b), bLoses = compare(fn === 'maximum' ? 'gt' : 'lt', a, b);
    return [sumToShape(where(aLoses, 0, half), a.shape), sumToShape(where(bLoses, 0, half), b.shape)];
  }, a, b);
}
export function compare(fn: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', a: Operand, b: Operand): Tensor {
  return rawBinary(fn, a, b, operandDtypes(a, b), 'bool', fn);
}
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  checkTensor('where', cond);
  if (cond.dtype !== 'bool') throw new Error(`where expected condition to be a boolean tensor, but got a tensor with dtype ${SCALAR_TYPE[cond.dtype]}`);
  const device = checkDevices('where', cond, a, b);
  const dt = operandDtypes(a, b);
  const shape = broadcastShapes(broadcastShapes(cond.shape, a instanceof Tensor ? a.shape : NO_DIMS), b instanceof Tensor ? b.shape : NO_DIMS);
  const out = newTensor(shape, dt, device);
  const v = (x: Operand) => (x instanceof Tensor ? expandView(x, shape) : scalarOperand(x, dt));
  exec({ op: 'where', cond: expandView(cond, shape), a: v(a), b: v(b), out: out._view() }, cond, a, b, out);
  return record(out, 'WhereBackward0', [a, b], (g) => [
    a instanceof Tensor ? sumToShape(where(cond, g, 0), a.shape) : null,
    b instanceof Tensor ? sumToShape(where(cond, 0, g), b.shape) : null,
  ], cond);
}

// =============================================================== in place

/**
 * Before an in-place op autograd will record on t (its memory is about to change): t's own graph edge must
 * be current (a view taken before its base changed is regenerated); on a view, the op is recorded into the
 * base's graph (CopySlices, below), which needs a base that is not a leaf requiring grad (PyTorch refuses
 * that too) and whose elements are laid out contiguously (troupe maps the view into it by its strides).
 */
function checkInplace(t: Tensor, name: string): void {
  fresh(t);
  const b = t._base;
  if (b === null) return;
  if (b.isLeaf && b.requiresGrad) {
    throw new Error(`a view of a leaf Variable that requires grad is being used in an in-place operation (${name} on a view of shape ${fmtShape(t.shape)}); wrap the update in torch.noGrad(() => ...)`);
  }
  if (!b.isContiguous()) {
    throw new Error(`${name} on a view of a non-contiguous tensor (shape ${fmtShape(b.shape)}) with autograd recording is not supported: change a view of b.contiguous() instead`);
  }
}
/** t's elements, as a view of g: a contiguous tensor of the shape of t's base. */
function viewIn(g: Tensor, t: Tensor): Tensor {
  const b = t._base!;
  return new Tensor(g.storage, t.shape, t.strides, g.offset + t.offset - b.offset);
}
/** The grad_fn of view t of its base's current graph: the gradient scattered into zeros of the base's shape. */
function asStridedNode(t: Tensor): Node<Tensor> {
  const b = t._base!;
  const n = new Node<Tensor>('AsStridedBackward0', [b._edge()], (g) => {
    const z = zeros([...b.shape], { dtype: g.dtype, device: deviceName(g.device) });
    viewIn(z, t).copy_(g);
    return [z];
  });
  n.once = true; // (viewIn's window has no graph)
  return n;
}
/**
 * An in-place op n just recorded on t. On a plain tensor, n is t's grad_fn; on a view, as PyTorch's
 * CopySlices: the base's new grad_fn passes the base's gradient through, except over the view's elements,
 * where n's backward (given that region of it) decides what reaches the base's old graph and n's other
 * inputs; the view's grad_fn becomes a view of the base's new graph. Either way, tensors sharing the
 * memory whose graph edges predate this are stale until regenerated (fresh()).
 */
function recordInplace(t: Tensor, n: Node<Tensor>): void {
  const b = t._base;
  if (b === null) {
    t._setGrad(n);
    t._hist = ++t.storage.history;
    return;
  }
  const f = n.backward;
  const cs = new Node<Tensor>('CopySlices', [b._edge(), ...n.next.slice(1)], (gb) => {
    const gc = clone(gb), region = viewIn(gc, t);
    const grads = f(clone(region)); // (on a copy: the region is overwritten below, and f may return g itself)
    if (grads[0]) region.copy_(grads[0]); else region.fill_(0);
    return [gc, ...grads.slice(1)];
  });
  cs.once = true; // (the region is a window without a graph)
  cs.s0 = n.s0; cs.v0 = n.v0; cs.s1 = n.s1; cs.v1 = n.v1; cs.s2 = n.s2; cs.v2 = n.v2;
  b._setGrad(cs);
  b._hist = t._hist = ++t.storage.history;
  t._setGrad(asStridedNode(t));
}
/**
 * x's graph edge is current: no in-place op autograd recorded on memory it shares has changed it since. A
 * view taken before its base changed is regenerated as a view of the base's current graph (as PyTorch
 * does); otherwise (its base changed through another alias, or x is not a view) the gradient through x
 * would miss the change: refused.
 */
function fresh(x: Tensor): void {
  if (x._hist === x.storage.history) return;
  const b = x._base;
  if (b !== null && b._hist === b.storage.history && b.isContiguous()) {
    if (b.requiresGrad) x._setGrad(asStridedNode(x));
    x._hist = b._hist;
    return;
  }
  throw new Error(`a tensor of shape ${fmtShape(x.shape)} is used in autograd after memory it shares with another tensor was changed in place ` +
    'with autograd recording, in a way troupe cannot carry into its graph (an alias that is not a view of it, or a base that is not contiguous): ' +
    'change a clone() instead');
}

function checkInplaceLeaf(t: Tensor, name: string) {
  if (isGradEnabled() && t.isLeaf && t.requiresGrad) {
    throw new Error(`a leaf Variable that requires grad is being used in an in-place operation (${name} on a tensor of shape ${fmtShape(t.shape)}); wrap the update in torch.noGrad(() => ...)`);
  }
}

const INTERNAL_OVERLAP = 'unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.';
const PARTIAL_OVERLAP = 'unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location. Please clone() the tensor before performing the operation.';

/** An in-place op may not write a view whose elements repeat (an expand()ed tensor), as in PyTorch. */
function checkWritable(t: Tensor): void {
  if (isNonOverlappingAndDense(t.shape, t.strides)) return;
  for (let i = 0; i < t.ndim; i++) if (t.strides[i] === 0 && t.shape[i] > 1) throw new Error(INTERNAL_OVERLAP);
}

/**
 * What an in-place op writing `t` reads of operand `o`. Where both are views of one storage, PyTorch's
 * rules: the same elements in the same layout are fine (x.add_(x)); dense views that share some elements
 * throw (x[1:].add_(x[:-1])). Where PyTorch cannot tell (a view with gaps, e.g. x[::2]) and the two could
 * share elements, `o` is read from a copy made first: a chunked or sharded kernel would otherwise read
 * elements it has already written, in an order that depends on the chunks and the workers.
 */
function readable<T extends Operand>(t: Tensor, o: T): T {
  if (!(o instanceof Tensor) || o.storage !== t.storage || t.numel() === 0 || o.numel() === 0) return o;
  if (t.offset === o.offset && sameShape(t.shape, o.shape) && sameShape(t.strides, o.strides)) return o;
  const [tb, te] = storageSpan(t.shape, t.strides, t.offset), [ob, oe] = storageSpan(o.shape, o.strides, o.offset);
  const meet = tb < oe && ob < te;
  if (isNonOverlappingAndDense(t.shape, t.strides) && isNonOverlappingAndDense(o.shape, o.strides)) {
    if (meet) throw new Error(PARTIAL_OVERLAP);
    return o;
  }
  return meet ? (clone(o) as T) : o;
}

/**
 * An in-place op as its out-of-place one written back: r = f(t) (of a copy of t when autograd records,
 * so that what f saves for its backward is not overwritten), then copied into t; t's grad_fn becomes r's
 * (named as PyTorch names the in-place op's: ReluBackward0 for relu_).
 */
/** @internal t overwritten with f(t) (an in-place op as its out-of-place form, PyTorch's checks and graph). */
export function inplaceOf<T extends Tensor>(t: T, opName: string, f: (x: Tensor) => Tensor, gradName?: string): T {
  checkInplaceLeaf(t, opName);
  checkWritable(t);
  const rec = isGradEnabled();
  if (rec && t.requiresGrad) checkInplace(t, opName);
  // (t not requiring grad but an operand doing so, as in lerp_(end requiring grad): f reads t itself; if its
  // backward saved t, that backward reports the overwrite, as for any in-place change of a saved tensor)
  const r = rec && t.requiresGrad ? f(clone(t)) : rec ? f(t) : noGrad(() => f(t));
  const grad = rec && r.requiresGrad;
  if (grad && !t.requiresGrad) checkInplace(t, opName);
  if (!sameShape(r.shape, t.shape)) throw new Error(`output with shape ${fmtShape(t.shape)} doesn't match the broadcast shape ${fmtShape(r.shape)}`);
  if (!canCast(r.dtype, t.dtype)) throw new Error(`result type ${SCALAR_TYPE[r.dtype]} can't be cast to the desired output type ${SCALAR_TYPE[t.dtype]}`);
  exec({ op: 'copy', x: r._view(), out: t._view() }, r, t);
  t.storage.version++;
  if (grad) recordInplace(t, new Node<Tensor>(gradName ?? r.gradFn?.name ?? opName, [null, r._edge()], (g) => [null, g]));
  return t;
}

const INPLACE_NAMES = { add: 'add_', sub: 'sub_', mul: 'mul_', div: 'div_' } as const;
function inplaceBinary<T extends Tensor>(t: T, fn: 'add' | 'sub' | 'mul' | 'div', o: Operand): T {
  const opName = INPLACE_NAMES[fn]; // not `${fn}_`: a new string per op
  checkOperand(opName, o);
  checkDevices(opName, t, o);
  checkInplaceLeaf(t, opName);
  checkWritable(t);
  o = readable(t, o);
  const shape = broadcastShapes(t.shape, o instanceof Tensor ? o.shape : NO_DIMS);
  if (!sameShape(shape, t.shape)) throw new Error(`output with shape ${fmtShape(t.shape)} doesn't match the broadcast shape ${fmtShape(shape)}`);
  let dt = operandDtypes(t, o);
  if (fn === 'div' && !isFloat(dt)) dt = getDefaultDtype();
  if (!canCast(dt, t.dtype)) throw new Error(`result type ${SCALAR_TYPE[dt]} can't be cast to the desired output type ${SCALAR_TYPE[t.dtype]}`);
  const grad = isGradEnabled() && (t.requiresGrad || (o instanceof Tensor && o.requiresGrad));
  if (grad) checkInplace(t, opName);
  const oGrad = o instanceof Tensor && o.requiresGrad && isGradEnabled();
  const old = oGrad && (fn === 'mul' || fn === 'div') ? clone(t.detach()) : null; // (o's gradient reads t's old value)
  const prevEdge = t._edge();
  const ov = o instanceof Tensor ? expandView(o, shape) : scalarOperand(o, dt);
  exec({ op: 'binary', fn, a: t._view(), b: ov, out: t._view() }, t, o);
  t.storage.version++;
  if (grad) {
    const oShape = o instanceof Tensor ? o.shape : NO_DIMS;
    const name = { add: 'AddBackward0', sub: 'SubBackward0', mul: 'MulBackward0', div: 'DivBackward0' }[fn];
    const n = new Node<Tensor>(name, [prevEdge, edge(o)], (g) => {
      switch (fn) {
        case 'add': return [g, sumToShape(g, oShape)];
        case 'sub': return [g, sumToShape(neg(g), oShape)];
        case 'mul': return [mul(g, o), oGrad ? sumToShape(mul(g, old!), oShape) : null];
        case 'div': return [div(g, o), oGrad ? sumToShape(neg(mul(g, div(div(old!, o), o))), oShape) : null];
      }
    });
    // Saved: the operand (mul_, div_: t's gradient reads it); o's gradient reads a copy of t's old value
    // (detached: not differentiable again).
    if ((fn === 'mul' || fn === 'div') && o instanceof Tensor) { n.s0 = o; n.v0 = o.storage.version; n.once = oGrad; }
    recordInplace(t, n);
  }
  return t;
}

// =============================================================== reductions, products

/** PyTorch's names of the dtypes in some of its messages (c10::ScalarType). */
const ELEMENT_SIZE: Record<DType, number> = { float32: 4, float64: 8, int32: 4, int64: 8, bool: 1 };
export const SCALAR_TYPE: Record<DType, string> = { float32: 'Float', float64: 'Double', int32: 'Int', int64: 'Long', bool: 'Bool' };

/** @internal the dims a reduction runs over (all by default), each once, normalized */
export function normAxes(x: Tensor, dim: number | number[] | undefined): number[] {
  if (dim === undefined) return x.shape.map((_, i) => i);
  const ds = (Array.isArray(dim) ? dim : [dim]).map((d) => normDim(d, x.ndim));
  for (let i = 0; i < ds.length; i++) if (ds.indexOf(ds[i]) !== i) throw new Error(`dim ${ds[i]} appears multiple times in the list of dims`);
  return x.ndim === 0 ? [] : ds;
}

/** @internal The largest (smallest) elements over axes, values only (no indices, no graph): one op. */
export function extremeValues(fn: 'max' | 'min', x: Tensor, axes: number[], keepdim: boolean): Tensor {
  return rawReduce(fn, x, axes, keepdim, x.dtype);
}

function rawReduce(fn: ReduceFn, x: Tensor, axes: number[], keepdim: boolean, outDtype: DType): Tensor {
  const kshape = x.shape.map((s, i) => (axes.includes(i) ? 1 : s));
  const out = newTensor(kshape, outDtype, x.device);
  exec({ op: 'reduce', fn, x: x._view(), axes, out: out._view() }, x, out);
  if (keepdim) return out;
  const shape = x.shape.filter((_, i) => !axes.includes(i));
  return new Tensor(out.storage, shape, contiguousStrides(shape), 0);
}

export function sum(x: Tensor, dim?: number | number[], keepdim = false): Tensor {
  checkTensor('sum', x);
  const axes = normAxes(x, dim);
  const outDtype = isFloat(x.dtype) ? x.dtype : 'int64';
  const out = rawReduce('sum', x, axes, keepdim, outDtype);
  if (!tracked(x)) return out;
  const inShape = x.shape;
  return record(out, dim === undefined ? 'SumBackward0' : 'SumBackward1', [x], (g) => {
    const gk = keepdim ? g : reshape(g, inShape.map((s, i) => (axes.includes(i) ? 1 : s)));
    return [expandTo(gk, inShape)];
  });
}
export function mean(x: Tensor, dim?: number | number[], keepdim = false): Tensor {
  checkTensor('mean', x);
  if (!isFloat(x.dtype)) throw new Error(`mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${SCALAR_TYPE[x.dtype]}`);
  const axes = normAxes(x, dim);
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  let out!: Tensor;
  noGrad(() => { out = div(rawReduce('sum', x, axes, keepdim, x.dtype), count); });
  const inShape = x.shape;
  return record(out, dim === undefined ? 'MeanBackward0' : 'MeanBackward1', [x], (g) => {
    const gk = keepdim ? g : reshape(g, inShape.map((s, i) => (axes.includes(i) ? 1 : s)));
    return [div(expandTo(gk, inShape), count)];
  });
}
/**
 * var and std over dims (all by default): sum((x - mean)^2) / (n - 1), or / n with unbiased false (its
 * square root for std), as PyTorch's; n - 1 = 0 gives nan. Float tensors only.
 */
function varStd(fn: 'var' | 'std', x: Tensor, dim: number | number[] | undefined, unbiased: boolean, keepdim: boolean): Tensor {
  checkTensor(fn, x);
  if (!isFloat(x.dtype)) throw new Error(`${fn}(): std and var only support floating point and complex dtypes, got ${SCALAR_TYPE[x.dtype]}`);
  if (typeof unbiased !== 'boolean' || typeof keepdim !== 'boolean') throw new Error(`${fn}(): unbiased and keepdim must be booleans`);
  const axes = normAxes(x, dim);
  const n = axes.reduce((p, a) => p * x.shape[a], 1), dof = Math.max(0, n - (unbiased ? 1 : 0));
  let out!: Tensor, centered!: Tensor;
  noGrad(() => {
    centered = sub(x, div(rawReduce('sum', x, axes, true, x.dtype), n));
    const v = div(rawReduce('sum', mul(centered, centered), axes, keepdim, x.dtype), dof);
    out = fn === 'std' ? sqrt(v) : v;
  });
  const inShape = x.shape;
  return record(out, fn === 'var' ? 'VarBackward0' : 'StdBackward0', [x], (g) => {
    const gk = expandTo(keepdim ? g : reshape(g, inShape.map((s, i) => (axes.includes(i) ? 1 : s))), inShape);
    // (centered was computed without recording: a createGraph pass recomputes it recorded)
    const c = creating ? sub(x, mean(x, axes, true)) : centered;
    if (fn === 'var') return [mul(gk, div(mul(c, 2), dof))];
    const sk = keepdim ? out : reshape(out, inShape.map((s, i) => (axes.includes(i) ? 1 : s)));
    return [div(mul(gk, c), mul(sk, dof))];
  }, x, out);
}
export function variance(x: Tensor, dim?: number | number[], unbiased = true, keepdim = false): Tensor { return varStd('var', x, dim, unbiased, keepdim); }
export function std(x: Tensor, dim?: number | number[], unbiased = true, keepdim = false): Tensor { return varStd('std', x, dim, unbiased, keepdim); }

/** any / all over dims (all by default): whether some / every element is nonzero (NaN counts as
 * nonzero), as a bool tensor. */
function anyAll(fn: 'any' | 'all', x: Tensor, dim: number | number[] | undefined, keepdim: boolean): Tensor {
  checkTensor(fn, x);
  const axes = normAxes(x, dim);
  return noGrad(() => {
    const hits = rawReduce('sum', compare(fn === 'any' ? 'ne' : 'eq', x, 0), axes, keepdim, 'int64');
    return compare(fn === 'any' ? 'gt' : 'eq', hits, 0);
  });
}
export function any(x: Tensor, dim?: number | number[], keepdim = false): Tensor { return anyAll('any', x, dim, keepdim); }
export function all(x: Tensor, dim?: number | number[], keepdim = false): Tensor { return anyAll('all', x, dim, keepdim); }

/** What max(dim) and min(dim) return (PyTorch's torch.return_types.max / .min): the values and, as
 * int64, their indices along dim; destructures as an object or as [values, indices]. */
export class ValuesIndices {
  constructor(readonly name: 'max' | 'min' | 'sort' | 'topk' | 'kthvalue' | 'median' | 'nanmedian' | 'cummax' | 'cummin' | 'mode', readonly values: Tensor, readonly indices: Tensor) {}
  *[Symbol.iterator](): Iterator<Tensor> { yield this.values; yield this.indices; }
  toString(): string {
    const t = (x: Tensor) => `Tensor(shape=${fmtShape(x.shape)}, dtype=${x.dtype}, device=${deviceName(x.device)})`;
    return `torch.return_types.${this.name}(values=${t(this.values)}, indices=${t(this.indices)}) — use await r.format() or torch.print(r) for values`;
  }
  [Symbol.for('nodejs.util.inspect.custom')]() { return this.toString(); }
  /** As PyTorch prints it: torch.return_types.max(\nvalues=tensor(…),\nindices=tensor(…)). */
  async format(): Promise<string> {
    return `torch.return_types.${this.name}(\nvalues=${await format(this.values)},\nindices=${await format(this.indices)})`;
  }
}

/** torch.max(x), torch.max(x, dim, keepdim?), torch.max(x, other): as Tensor.max. */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, other: Tensor): Tensor;
export function max(x: Tensor, dim?: number | Tensor, keepdim = false): Tensor | ValuesIndices { return maxMin('max', x, dim, keepdim); }
/** torch.min(x), torch.min(x, dim, keepdim?), torch.min(x, other): as Tensor.min. */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, other: Tensor): Tensor;
export function min(x: Tensor, dim?: number | Tensor, keepdim = false): Tensor | ValuesIndices { return maxMin('min', x, dim, keepdim); }
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor { return argMaxMin('argmax', x, dim, keepdim); }
export function argmin(x: Tensor, dim?: number, keepdim = false): Tensor { return argMaxMin('argmin', x, dim, keepdim); }

function maxMin(fn: 'max' | 'min', x: Tensor, dim: number | Tensor | undefined, keepdim: boolean): Tensor | ValuesIndices {
  checkTensor(fn, x);
  if (dim instanceof Tensor) return minmax(fn === 'max' ? 'maximum' : 'minimum', x, dim);
  if (dim === undefined) return reduceAll(fn, x);
  if (typeof keepdim !== 'boolean') throw new Error(`${fn}(): keepdim must be a boolean, got ${String(keepdim)}`);
  const d = reductionDim(fn, x, dim);
  let vk!: Tensor, ik!: Tensor;
  noGrad(() => {
    vk = rawReduce(fn, x, x.ndim === 0 ? [] : [d], true, x.dtype);
    ik = indexOfExtreme(fn, x, vk, d);
  });
  const outShape = keepdim || x.ndim === 0 ? vk.shape : x.shape.filter((_, i) => i !== d);
  const values = new Tensor(vk.storage, outShape, contiguousStrides(outShape), 0);
  const indices = new Tensor(ik.storage, outShape, contiguousStrides(outShape), 0);
  if (tracked(x)) {
    // The gradient goes to the element each value came from (its index), as PyTorch's
    // value_selecting_reduction_backward: not shared among ties.
    const inShape = x.shape;
    record(values, fn === 'max' ? 'MaxBackward0' : 'MinBackward0', [x], (g) => {
      const gk = keepdim || inShape.length === 0 ? g : reshape(g, vk.shape);
      return [where(compare('eq', alongDim(inShape, d, x.device), ik), expandTo(gk, inShape), 0)];
    }, indices);
  }
  return new ValuesIndices(fn, values, indices);
}

function argMaxMin(fn: 'argmax' | 'argmin', x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  checkTensor(fn, x);
  if (dim === undefined && x.numel() === 0) throw new Error(`${fn}(): Expected reduction dim to be specified for input.numel() == 0.`);
  // Without a dim: the index into the flattened tensor.
  const src = dim === undefined ? reshape(x.detach(), [-1]) : x.detach(), d = dim === undefined ? 0 : reductionDim(fn, x, dim);
  const ik = noGrad(() => indexOfExtreme(fn === 'argmax' ? 'max' : 'min', src, null, d));
  if (keepdim) return dim === undefined ? ik.reshape(x.shape.map(() => 1)) : ik;
  return ik.reshape(dim === undefined || x.ndim === 0 ? [] : x.shape.filter((_, i) => i !== d));
}

/** dim as an axis of x for a reduction over it, which must not be empty. */
function reductionDim(fn: string, x: Tensor, dim: number): number {
  const d = normDim(dim, Math.max(1, x.ndim));
  if (x.ndim > 0 && x.shape[d] === 0) throw new Error(`${fn}(): Expected reduction dim ${d} to have non-zero size.`);
  return d;
}

/** The index along d of the first largest (max) or smallest (min) element of each line of x, a NaN
 * first (int64, keepdim shape). On CPU one argmax/argmin reduction; elsewhere (the GPU has no such
 * reduction) composed from v, x's max or min over d with keepdim (computed here when not given):
 * firstIndexOf. */
function indexOfExtreme(fn: 'max' | 'min', x: Tensor, v: Tensor | null, d: number): Tensor {
  if (x.ndim === 0) return zeros([], { dtype: 'int64', device: deviceName(x.device) });
  if (x.device === 'cpu') return rawReduce(fn === 'max' ? 'argmax' : 'argmin', x, [d], true, 'int64');
  return firstIndexOf(x, v ?? rawReduce(fn, x, [d], true, x.dtype), d);
}

/** 0, 1, …, shape[d] - 1 along axis d (int64), of x's rank with size 1 elsewhere: broadcasts against x. */
function alongDim(shape: number[], d: number, device: Device): Tensor {
  if (shape.length === 0) return zeros([], { dtype: 'int64', device: deviceName(device) });
  return arange(0, shape[d], 1, { dtype: 'int64', device: deviceName(device) }).reshape(shape.map((s, i) => (i === d ? s : 1)));
}
/** For each line of x along d, the first index whose element equals v's (v: x reduced over d, keepdim),
 * NaN matching NaN (max and min return a NaN when the line has one): int64, v's shape. */
function firstIndexOf(x: Tensor, v: Tensor, d: number): Tensor {
  let hit = compare('eq', x, v);
  if (isFloat(x.dtype)) hit = where(compare('ne', v, v), compare('ne', x, x), hit);
  const n = x.shape[d];
  return rawReduce('min', where(hit, alongDim(x.shape, d, x.device), n), [d], true, 'int64');
}

function reduceAll(fn: 'max' | 'min', x: Tensor): Tensor {
  if (x.numel() === 0) throw new Error(`${fn}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
  const out = rawReduce(fn, x, normAxes(x, undefined), false, x.dtype);
  return record(out, fn === 'max' ? 'MaxBackward1' : 'MinBackward1', [x], (g) => [mul(compare('eq', x, out), div(g, sum(compare('eq', x, out))))], x, out);
}
function expandTo(g: Tensor, shape: number[]): Tensor {
  if (g.requiresGrad && isGradEnabled()) return g.expand(shape); // (a createGraph pass: recorded)
  const v = expandView(g, shape);
  return new Tensor(g.storage, shape, v.strides, v.offset);
}

export function dot(a: Tensor, b: Tensor): Tensor {
  checkTensor('dot', a); checkTensor('dot', b);
  checkDevices('dot', a, b);
  if (a.ndim !== 1 || b.ndim !== 1) throw new Error(`1D tensors expected, but got ${a.ndim}D and ${b.ndim}D tensors`);
  if (a.shape[0] !== b.shape[0]) throw new Error(`inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`);
  if (a.dtype !== b.dtype) throw new Error(`dot : expected both vectors to have same dtype, but found ${a.dtype} and ${b.dtype}`);
  // A 1xk by kx1 matmul: one fused pass, no k-element temporary (a sharded executor splits it over k).
  // The op is the matmul of a.unsqueeze(0) by b.unsqueeze(1), written out: dot runs twice per step of a
  // training loop, and the two views, their graph records and the matmul's shape arithmetic were garbage.
  const k = a.shape[0], sa = a.strides[0], sb = b.strides[0];
  const out = newTensor([], a.dtype, a.device);
  exec({
    op: 'matmul',
    a: { buf: a.storage.id, dtype: a.dtype, shape: [1, k], strides: [k * sa, sa], offset: a.offset },
    b: { buf: b.storage.id, dtype: b.dtype, shape: [k, 1], strides: [sb, 1], offset: b.offset },
    out: { buf: out.storage.id, dtype: a.dtype, shape: [1, 1], strides: [1, 1], offset: 0 },
  }, a, b, out);
  if (!tracked(a, b)) return out;
  return record(out, 'DotBackward0', [a, b], (g) => [
    a.requiresGrad ? mul(b, g) : null,
    b.requiresGrad ? mul(a, g) : null,
  ], savedIf(a.requiresGrad, b), savedIf(b.requiresGrad, a));
}

function rawMatmul(a: Tensor, b: Tensor): Tensor {
  // a: (..., m, k), b: (..., k, n), batch dims broadcast
  const m = a.shape[a.ndim - 2], k = a.shape[a.ndim - 1], n = b.shape[b.ndim - 1];
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = newTensor([...batch, m, n], promote(a.dtype, b.dtype), a.device);
  exec({ op: 'matmul', a: expandView(a, [...batch, m, k]), b: expandView(b, [...batch, k, n]), out: out._view() }, a, b, out);
  return out;
}

export function mm(a: Tensor, b: Tensor): Tensor {
  checkTensor('mm', a); checkTensor('mm', b);
  checkDevices('mm', a, b);
  if (a.ndim !== 2 || b.ndim !== 2) throw new Error(`mm: expected 2D tensors, got ${a.ndim}D and ${b.ndim}D`);
  return matmul(a, b);
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor('matmul', a); checkTensor('matmul', b);
  checkDevices('matmul', a, b);
  if (a.ndim === 0 || b.ndim === 0) throw new Error(`both arguments to matmul need to be at least 1D, but they are ${a.ndim}D and ${b.ndim}D`);
  if (a.dtype !== b.dtype) throw new Error(`expected scalar type ${a.dtype} but found ${b.dtype} (matmul of ${a.dtype} and ${b.dtype} tensors)`);
  if (a.ndim === 1 && b.ndim === 1) return dot(a, b);
  const ka = a.shape[a.ndim - 1], kb = b.ndim === 1 ? b.shape[0] : b.shape[b.ndim - 2];
  if (ka !== kb) {
    throw new Error(`mat1 and mat2 shapes cannot be multiplied (${a.ndim === 1 ? `1x${ka}` : `${numelOf(a.shape.slice(0, -1))}x${ka}`} and ${b.ndim === 1 ? `${kb}x1` : `${kb}x${b.shape[b.ndim - 1]}`})`);
  }
  const a2 = a.ndim === 1 ? a.unsqueeze(0) : a, b2 = b.ndim === 1 ? b.unsqueeze(1) : b;
  let out!: Tensor;
  noGrad(() => { out = rawMatmul(a2.detach(), b2.detach()); });
  let shape = out.shape;
  if (a.ndim === 1) shape = [...shape.slice(0, -2), shape[shape.length - 1]];
  if (b.ndim === 1) shape = shape.slice(0, -1);
  const res = shape.length === out.ndim ? out : new Tensor(out.storage, shape, contiguousStrides(shape), 0);
  const name = a.ndim === 2 && b.ndim === 2 ? 'MmBackward0' : a.ndim === 2 && b.ndim === 1 ? 'MvBackward0' : a.ndim <= 2 && b.ndim <= 2 ? 'SqueezeBackward1' : 'BmmBackward0';
  return record(res, name, [a, b], (g) => {
    const g2 = reshape(g, out.shape);
    return [
      a.requiresGrad ? sumToShape(matmul(g2, b2.transpose(-1, -2)), a2.shape).reshape(a.shape) : null,
      b.requiresGrad ? sumToShape(matmul(a2.transpose(-1, -2), g2), b2.shape).reshape(b.shape) : null,
    ];
  }, savedIf(a.requiresGrad, b), savedIf(b.requiresGrad, a));
}

// =============================================================== views

function alias(x: Tensor, shape: number[], strides: number[], offset: number, name: string, back: (g: Tensor) => Tensor): Tensor {
  const out = new Tensor(x.storage, shape, strides, offset);
  out._isView = true;
  out._base = x._base ?? x;
  return tracked(x) ? record(out, name, [x], (g) => [back(g)]) : out;
}

function inferShape(x: Tensor, shape: number[]): number[] {
  const n = x.numel();
  const neg = shape.filter((s) => s === -1).length;
  if (neg > 1) throw new Error('only one dimension can be inferred');
  const known = shape.reduce((p, s) => (s === -1 ? p : p * s), 1);
  const res = shape.map((s) => {
    if (s === -1) {
      if (known === 0 || n % known !== 0) throw new Error(`shape '${fmtShape(shape)}' is invalid for input of size ${n}`);
      return n / known;
    }
    if (s < -1) throw new Error(`invalid shape dimension ${s}`);
    return s;
  });
  if (numelOf(res) !== n) throw new Error(`shape '${fmtShape(shape)}' is invalid for input of size ${n}`);
  return res;
}

/** Strides for viewing x as `shape` without copying, or null when the memory layout does not allow it. */
function viewStrides(x: Tensor, shape: number[]): number[] | null {
  if (x.isContiguous()) return contiguousStrides(shape);
  // General case (PyTorch's computeStride): match chunks of old dims that are contiguous among themselves.
  const oldShape = x.shape, oldStrides = x.strides;
  const newStrides = new Array<number>(shape.length).fill(0);
  let viewD = shape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1];
  let tensorNumel = 1, viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d];
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBase;
        viewNumel *= shape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) { chunkBase = oldStrides[d - 1]; tensorNumel = 1; viewNumel = 1; }
    }
  }
  if (viewD !== -1) return null;
  return newStrides;
}

function view(x: Tensor, shapeArg: number[], name: string): Tensor {
  const shape = inferShape(x, shapeArg);
  const st = viewStrides(x, shape);
  if (!st) throw new Error(`view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces); tensor of shape ${fmtShape(x.shape)} with strides ${fmtShape(x.strides)} cannot be viewed as ${fmtShape(shape)}. Use .reshape(...) instead.`);
  const inShape = x.shape;
  return alias(x, shape, st, x.offset, name, (g) => reshape(g, inShape));
}
export function reshape(x: Tensor, shapeArg: number[]): Tensor {
  const shape = inferShape(x, shapeArg);
  if (viewStrides(x, shape)) return view(x, shape, 'ViewBackward0');
  const c = clone(x);
  const inShape = x.shape;
  return alias(c, shape, contiguousStrides(shape), 0, 'UnsafeViewBackward0', (g) => reshape(g, inShape));
}
function permuteImpl(x: Tensor, p: number[], name: string): Tensor {
  const inv = new Array<number>(p.length);
  p.forEach((d, i) => { inv[d] = i; });
  return alias(x, p.map((d) => x.shape[d]), p.map((d) => x.strides[d]), x.offset, name, (g) => permuteImpl(g, inv, 'PermuteBackward0'));
}
function unsqueeze(x: Tensor, d: number): Tensor {
  const shape = [...x.shape], strides = [...x.strides];
  const st = d < x.ndim ? x.shape[d] * x.strides[d] : 1;
  shape.splice(d, 0, 1); strides.splice(d, 0, st);
  return alias(x, shape, strides, x.offset, 'UnsqueezeBackward0', (g) => g.squeeze(d));
}

function parseSlice(spec: string, size: number, dim: number): [number, number, number] {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3) throw new Error(`invalid slice '${spec}' for dimension ${dim}: expected 'start:stop' or 'start:stop:step'`);
  const num = (s: string | undefined, dflt: number) => {
    if (s === undefined || s.trim() === '') return dflt;
    const v = Number(s);
    if (!Number.isInteger(v)) throw new Error(`invalid slice '${spec}' for dimension ${dim}: '${s}' is not an integer`);
    return v;
  };
  const step = num(parts[2], 1);
  if (step <= 0) throw new Error(`slice step must be positive (got ${step} in '${spec}')`);
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const start = clamp(num(parts[0], 0)), stop = Math.max(clamp(num(parts[1], size)), start);
  return [start, stop, step];
}

/** x.index(...) with an integer tensor at position k: index_select along its dim, when every other entry
 * is ':' (a 0-d tensor then drops the dim, as a number would). */
function tensorIndex(x: Tensor, idx0: Array<number | string | null | Tensor>, k0: number): Tensor {
  const t = idx0[k0] as Tensor;
  if (t.dtype === 'bool') throw new Error("indexing by a bool mask is not supported: its result's size depends on the mask's values, so it is a promise: await x.maskedSelect(mask) (or keep the shape: torch.where(mask, x, 0), x.maskedFill(mask, 0))");
  // ('...' stands for ':' on every dim the other entries leave)
  const e = idx0.indexOf('...');
  const idx = e < 0 ? idx0 : [...idx0.slice(0, e), ...new Array<string>(Math.max(0, x.ndim - (idx0.length - 1))).fill(':'), ...idx0.slice(e + 1)];
  const k = idx.indexOf(t);
  if (t.ndim > 1 || idx.some((r, i) => i !== k && r !== ':')) {
    throw new Error(`unsupported index: tensor indexing takes one 1-D (or 0-d) integer tensor with ':' (or '...') for the other dims, as x.index(idx) or x.index(':', idx); got ${idx0.map((i) => (i instanceof Tensor ? `a tensor of shape ${fmtShape(i.shape)}` : JSON.stringify(i))).join(', ')}`);
  }
  if (k >= x.ndim) throw new Error(`too many indices for tensor of dimension ${x.ndim}`);
  checkIndexTensor('index', x, t);
  const r = gatherAlong(x, k, t, 'IndexBackward0');
  return t.ndim === 0 ? r.squeeze(k) : r;
}

function checkIndexTensor(fn: string, x: Tensor, index: unknown): asserts index is Tensor {
  checkTensor(fn, index, 'index');
  if (index.dtype !== 'int64' && index.dtype !== 'int32') throw new Error(`${fn}(): Expected dtype int32 or int64 for index, got ${index.dtype}`);
  checkDevices(fn, x, index);
}
/** out: x with dim d's entries picked by a 1-D (or 0-d) index; one gather op, recorded as `name`. */
function gatherAlong(x: Tensor, d: number, index: Tensor, name: string): Tensor {
  const shape = [...x.shape];
  shape[d] = index.numel();
  const iv: View = { buf: index.storage.id, dtype: index.dtype, shape, strides: shape.map((_, i) => (i === d && index.ndim === 1 ? index.strides[0] : 0)), offset: index.offset };
  return rawGather(x, d, index, iv, name);
}
/** One gather op into a new tensor of iv's shape (iv: the index viewed with the output's shape),
 * recorded as `name`; its gradient sums back into x's shape through the same index view. */
function rawGather(x: Tensor, d: number, index: Tensor, iv: View, name: string): Tensor {
  const out = newTensor([...iv.shape], x.dtype, x.device);
  exec({ op: 'gather', x: x._view(), index: iv, dim: d, out: out._view() }, x, index, out);
  const inShape = x.shape;
  return record(out, name, [x], (g) => [scatterAddRecorded(g, index, { ...iv, shape: g.shape }, d, inShape)], index);
}
/**
 * @internal scatterAddRaw, recorded when src is tracked (a createGraph pass through a gather or a lookup):
 * its gradient is the gather through the same index view.
 */
export function scatterAddRecorded(src: Tensor, index: Tensor, iv: View, dim: number, outShape: readonly number[]): Tensor {
  const out = scatterAddRaw(src, index, iv, dim, outShape);
  if (!tracked(src)) return out;
  return record(out, 'ScatterAddBackward0', [src], (g) => [rawGather(g, dim, index, iv, 'GatherBackward0')], index);
}
/**
 * @internal zeros of outShape, then src's slices along dim d added at the rows a 1-D (or 0-d) index names
 * (index_add into zeros: the gradient of index_select and embedding).
 */
export function indexAddZeros(src: Tensor, d: number, index: Tensor, outShape: readonly number[]): Tensor {
  const iv: View = { buf: index.storage.id, dtype: index.dtype, shape: src.shape, strides: src.shape.map((_, i) => (i === d && index.ndim === 1 ? index.strides[0] : 0)), offset: index.offset };
  // (backward closures call it: recorded in a createGraph pass, where src is tracked)
  return scatterAddRecorded(src, index, iv, d, outShape);
}
/**
 * @internal zeros of outShape, then src's elements added at their index along dim (iv: the index viewed
 * with src's shape; `index` the tensor it views). One scatterAdd op.
 */
export function scatterAddRaw(src: Tensor, index: Tensor, iv: View, dim: number, outShape: readonly number[]): Tensor {
  const out = newTensor([...outShape], src.dtype, src.device);
  const sv = src._view();
  exec({ op: 'scatterAdd', src: { ...sv, shape: iv.shape, strides: sv.strides }, index: iv, dim, out: out._view() }, src, index, out);
  return out;
}
/** @internal Each line's stable sort order along dim (protocol.ts ArgsortOp): int64, x's shape (with k,
 * only the first k along dim); no gradient. */
export function argsortRaw(x: Tensor, dim: number, descending: boolean, k = x.shape[dim]): Tensor {
  const out = newTensor(x.shape.map((s, i) => (i === dim ? k : s)), 'int64', x.device);
  exec({ op: 'argsort', x: x._view(), dim, descending, out: out._view() }, x, out);
  return out;
}
/** @internal y[i] = a[i]·y[i-1] + b[i] along dim from `value` (protocol.ts ScanOp; a and b of one shape,
 * either may be null), into a new tensor of that shape and `dtype`; no gradient. */
export function scanRaw(a: Tensor | null, b: Tensor | null, value: number, dim: number, reverse: boolean, dtype: DType): Tensor {
  const ref = (a ?? b)!;
  const out = newTensor([...ref.shape], dtype, ref.device);
  const op: ScanOp = { op: 'scan', value, dim, reverse, out: out._view() };
  if (a) op.a = a._view();
  if (b) op.b = b._view();
  exec(op, out, a ?? undefined, b ?? undefined);
  return out;
}
/**
 * @internal A CPU convolution or max pooling op (protocol.ts ConvOp) of contiguous float32 tensors into a
 * new float32 tensor of outShape; no gradient.
 */
export function convRaw(mode: ConvOp['mode'], geo: number[], outShape: number[], t: { x?: Tensor; w?: Tensor; bias?: Tensor | null; g?: Tensor }): Tensor {
  const out = newTensor(outShape, 'float32', 'cpu');
  const op: ConvOp = { op: 'conv', mode, geo, out: out._view() };
  if (t.x) op.x = t.x._view();
  if (t.w) op.w = t.w._view();
  if (t.bias) op.bias = t.bias._view();
  if (t.g) op.g = t.g._view();
  exec(op, out, t.x, t.w, t.bias ?? t.g); // (a forward op has no g)
  return out;
}
/**
 * @internal One fused Adam step on the CPU (protocol.ts AdamOp): p, m and v (contiguous, distinct storages,
 * one float dtype and shape) updated in place from grad; no gradient (the optimizer runs under noGrad).
 * s: the op's scalars, unrounded (rounded here to the dtype, as the composition's scalar operands are).
 */
export function adamRaw(p: Tensor, grad: Tensor, m: Tensor, v: Tensor, s: number[], decay: AdamOp['decay']): void {
  const op: AdamOp = { op: 'adam', p: p._view(), g: grad._view(), m: m._view(), v: v._view(), s: s.map((x) => castValue(x, p.dtype)), decay, out: p._view() };
  exec(op, p, grad, m, v);
  p.storage.version++; m.storage.version++; v.storage.version++;
}
/** x's entries at `index` (1-D or 0-d, int64/int32) along dim: index_select (IndexSelectBackward0). */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor('index_select', x);
  checkIndexTensor('index_select', x, index);
  if (index.ndim > 1) throw new Error('index_select(): Index is supposed to be a vector');
  if (x.ndim === 0) return gatherAlong(x.reshape([1]), normDim(dim, 1), index, 'IndexSelectBackward0').reshape(index.ndim === 0 ? [] : [index.numel()]);
  return gatherAlong(x, normDim(dim, x.ndim), index, 'IndexSelectBackward0');
}
/** torch.gather: out[c] = x[c with c[dim] := index[c]]; index has x's rank and is no larger than x in the
 * other dims; the result has index's shape (GatherBackward0). */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor('gather', x);
  checkIndexTensor('gather', x, index);
  const d = normDim(dim, Math.max(1, x.ndim));
  if (index.ndim !== x.ndim) throw new Error(`Index tensor must have the same number of dimensions as input tensor (gather of ${fmtShape(x.shape)} by ${fmtShape(index.shape)})`);
  for (let i = 0; i < x.ndim; i++) {
    if (i !== d && index.shape[i] > x.shape[i]) throw new Error(`Size does not match at dimension ${i} expected index ${fmtShape(index.shape)} to be smaller than self ${fmtShape(x.shape)} apart from dimension ${d}`);
  }
  return rawGather(x, d, index, index._view(), 'GatherBackward0');
}
/** The checks of scatter_add and scatter_reduce: src and index against x; the dim, normalized. */
function checkScatter(name: string, x: Tensor, dim: number, index: Tensor, src: Tensor): number {
  checkTensor(name, x); checkTensor(name, src, 'src');
  checkIndexTensor(name, x, index);
  checkDevices(name, x, src);
  if (src.dtype !== x.dtype) throw new Error(`scatter(): Expected self.dtype to be equal to src.dtype (${x.dtype} and ${src.dtype})`);
  const d = normDim(dim, Math.max(1, x.ndim));
  if (index.ndim !== x.ndim || src.ndim !== x.ndim) throw new Error(`Index tensor must have the same number of dimensions as self tensor (${name} of ${fmtShape(src.shape)} into ${fmtShape(x.shape)} by ${fmtShape(index.shape)})`);
  for (let i = 0; i < x.ndim; i++) {
    if (index.shape[i] > src.shape[i] || (i !== d && index.shape[i] > x.shape[i])) {
      throw new Error(`Expected index ${fmtShape(index.shape)} to be smaller than self ${fmtShape(x.shape)} apart from dimension ${d} and to be smaller size than src ${fmtShape(src.shape)}`);
    }
  }
  return d;
}
/** A gradient for the part of src an index covers (index's shape), padded with zeros to src's shape:
 * src's other elements took no part. */
function padToSrc(gs: Tensor, srcShape: readonly number[]): Tensor {
  if (sameShape(gs.shape, srcShape)) return gs;
  const z = zeros([...srcShape], { dtype: gs.dtype, device: deviceName(gs.device) });
  let win = z;
  gs.shape.forEach((s, i) => { win = win.narrow(i, 0, s); });
  win.copy_(gs);
  return z;
}
/** x + src's elements added at `index` along dim (PyTorch's scatter_add, out of place; ScatterAddBackward0). */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = checkScatter('scatter_add', x, dim, index, src);
  const iv = index._view();
  let out!: Tensor;
  noGrad(() => { out = add(x, scatterAddRaw(src, index, iv, d, x.shape)); });
  const srcShape = src.shape;
  return record(out, 'ScatterAddBackward0', [x, src], (g) => [g, src.requiresGrad ? padToSrc(gather(g, d, index), srcShape) : null], index);
}

export type ScatterReduce = 'sum' | 'prod' | 'mean' | 'amax' | 'amin';
/**
 * PyTorch's scatter_reduce, out of place: x with src's elements folded in at `index` along dim by
 * `reduce`; with includeSelf false (default true) a position that some index names forgets x's value
 * there. Integer means floor, as PyTorch's. Sums and products in src's order on every backend. Gradients
 * (ScatterReduceBackward0) as PyTorch's: a mean's shares, a maximum's or minimum's split evenly between
 * its ties, a product's the product of the others (exact through one zero, 0 through two).
 */
export function scatterReduce(x: Tensor, dim: number, index: Tensor, src: Tensor, reduce: ScatterReduce, o: { includeSelf?: boolean } = {}): Tensor {
  if (!(['sum', 'prod', 'mean', 'amax', 'amin'] as unknown[]).includes(reduce)) throw new Error(`reduce argument must be either sum, prod, mean, amax or amin, got ${JSON.stringify(reduce)}.`);
  const d = checkScatter('scatter_reduce', x, dim, index, src);
  const self = o.includeSelf ?? true;
  const iv = index._view(), shape = x.shape, dev = deviceName(x.device);
  const fold = (s: Tensor, fn?: ScatterFn) => scatterFoldRaw(s, index, iv, d, shape, fn);
  const cdt: DType = isFloat(x.dtype) ? x.dtype : 'int64';
  // how many sources each position takes, and whether it takes any
  const countOf = () => fold(ones([...src.shape], { dtype: cdt, device: dev }));
  let out!: Tensor, count: Tensor | null = null, hit: Tensor | null = null;
  noGrad(() => {
    if (!self || reduce === 'mean') { count = countOf(); hit = compare('gt', count, 0); }
    let r: Tensor;
    if (reduce === 'mean') {
      const n = self ? add(count!, 1) : clamp(count!, 1);
      const total = self ? add(x, fold(src)) : fold(src);
      r = isFloat(x.dtype) ? div(total, n) : div(total, n, { roundingMode: 'floor' }).to({ dtype: x.dtype });
    } else {
      const fn = reduce === 'sum' ? undefined : reduce as ScatterFn;
      const f = fold(src, fn);
      r = !self ? f : reduce === 'sum' ? add(x, f) : reduce === 'prod' ? mul(x, f) : reduce === 'amax' ? maximum(x, f) : minimum(x, f);
    }
    out = self ? r : where(hit!, r, x);
  });
  if (!tracked(x, src)) return out;
  const srcShape = src.shape;
  return record(out, 'ScatterReduceBackward0', [x, src], (g) => {
    const at = (t: Tensor) => gather(t, d, index);
    // the part of src the index covers
    let sw = src.detach();
    index.shape.forEach((s, i) => { if (s !== sw.shape[i]) sw = sw.narrow(i, 0, s); });
    const xd = x.detach(), r = out.detach();
    // per position: the weight of x's own value in the result (0 where it was forgotten), and each source's
    let wx: Tensor, ws: Tensor;
    switch (reduce) {
      case 'sum': wx = ones([], { dtype: g.dtype, device: dev }); ws = ones([], { dtype: g.dtype, device: dev }); break;
      case 'mean': {
        const n = self ? add(count!, 1) : clamp(count!, 1);
        wx = div(1, n); ws = at(div(1, n));
        break;
      }
      case 'amax': case 'amin': {
        const sTie = compare('eq', sw, at(r)), xTie = compare('eq', xd, r);
        const ties = add(fold(sTie.to({ dtype: x.dtype })), self ? xTie.to({ dtype: x.dtype }) : 0);
        wx = div(xTie.to({ dtype: x.dtype }), ties); ws = mul(at(div(1, ties)), sTie.to({ dtype: x.dtype }));
        break;
      }
      default: { // prod: the product of the others: r / v, or where v is 0 the product of the nonzero others if no other is 0
        const sz = compare('eq', sw, 0), xz = compare('eq', xd, 0);
        const zeros_ = add(fold(sz.to({ dtype: x.dtype })), self ? xz.to({ dtype: x.dtype }) : 0);
        const nonzero = mul(fold(where(sz, 1, sw), 'prod'), self ? where(xz, 1, xd) : 1);
        const lone = where(compare('eq', zeros_, 1), nonzero, 0);
        wx = where(xz, lone, div(r, where(xz, 1, xd)));
        ws = where(sz, at(lone), div(at(r), where(sz, 1, sw)));
      }
    }
    const gx = x.requiresGrad ? (self ? mul(g, wx) : where(hit!, 0, g)) : null;
    const gs = src.requiresGrad ? padToSrc(mul(at(g), ws), srcShape) : null;
    return [gx, gs];
  }, index);
}
/** @internal scatterAddRaw with a fold (protocol.ts ScatterFn; undefined: sums): the identity where no
 * index names a position. */
export function scatterFoldRaw(src: Tensor, index: Tensor, iv: View, dim: number, outShape: readonly number[], fn?: ScatterFn): Tensor {
  if (fn === undefined) return scatterAddRaw(src, index, iv, dim, outShape);
  const out = newTensor([...outShape], src.dtype, src.device);
  const sv = src._view();
  exec({ op: 'scatterAdd', src: { ...sv, shape: iv.shape, strides: sv.strides }, index: iv, dim, out: out._view(), fn }, src, index, out);
  return out;
}

function indexImpl(x: Tensor, idx: Array<number | string | null>, name?: string): Tensor {
  const ell = idx.filter((i) => i === '...').length;
  if (ell > 1) throw new Error('an index can only have a single ellipsis (\'...\')');
  const used = idx.filter((i) => i !== null && i !== '...').length;
  if (used > x.ndim) throw new Error(`too many indices for tensor of dimension ${x.ndim}`);
  const full: Array<number | string | null> = [];
  for (const i of idx) {
    if (i === '...') for (let k = 0; k < x.ndim - used; k++) full.push(':');
    else full.push(i);
  }
  const shape: number[] = [], strides: number[] = [];
  let offset = x.offset, d = 0;
  let lastName = 'AliasBackward0';
  for (const i of full) {
    if (i === null) { shape.push(1); strides.push(0); lastName = 'UnsqueezeBackward0'; continue; }
    if (typeof i === 'number') {
      const size = x.shape[d];
      if (!Number.isInteger(i)) throw new Error(`index ${i} is not an integer; use integers, 'a:b:s' slice strings, '...' or null`);
      if (i < -size || i >= size) throw new Error(`index ${i} is out of bounds for dimension ${d} with size ${size}`);
      offset += (i < 0 ? i + size : i) * x.strides[d];
      d++; lastName = 'SelectBackward0';
      continue;
    }
    if (typeof i !== 'string') {
      const u = i as unknown;
      throw new Error(`unsupported index ${typeof u} ${String(u)}; use numbers, 'a:b:s' slice strings, '...', null or an integer tensor`);
    }
    const [start, stop, step] = parseSlice(i, x.shape[d], d);
    shape.push(Math.ceil((stop - start) / step));
    strides.push(x.strides[d] * step);
    offset += start * x.strides[d];
    if (!(start === 0 && stop === x.shape[d] && step === 1)) lastName = 'SliceBackward0';
    d++;
  }
  for (; d < x.ndim; d++) { shape.push(x.shape[d]); strides.push(x.strides[d]); }
  const inShape = x.shape, opName = name ?? lastName;
  // The backward: g scattered into zeros shaped like x through the same index window, recorded as one op
  // whose own backward is this index again (PyTorch's SelectBackwardBackward0 and the like), so a
  // createGraph gradient through an index is differentiable any number of times.
  const scatter = (g: Tensor): Tensor => twice(composite(opName.replace(/0$/, 'Backward0'), [g], () => {
    const z = zeros(inShape, { dtype: g.dtype, device: deviceName(g.device) });
    indexImpl(z, idx).copy_(g);
    return z;
  }, (gg) => [indexImpl(gg, idx)]));
  return alias(x, shape, strides, offset, opName, scatter);
}

// =============================================================== joining, softmax, clamp

function checkTensorList(fn: string, tensors: readonly Tensor[]): void {
  if (!Array.isArray(tensors)) throw new Error(`${fn}(): argument 'tensors' must be an array of Tensors, not ${typeof tensors}`);
  if (tensors.length === 0) throw new Error(`torch.${fn}(): expected a non-empty list of Tensors`);
  tensors.forEach((t, i) => { if (!(t instanceof Tensor)) throw new Error(`${fn}(): expected Tensor as element ${i} in argument 0, but got ${t === null ? 'null' : typeof t}`); });
  for (let i = 1; i < tensors.length; i++) checkDevices(fn, tensors[0], tensors[i]);
}
/**
 * Copies each part into its window of a new tensor along dim d (its dtype: all parts' dtypes promoted);
 * `unsqueeze`: each part gains dim d of size 1 first (stack). Records `name` with each part's gradient
 * its slice of the output's.
 */
function joined(name: string, parts: readonly Tensor[], shape: number[], d: number, unsqueeze: boolean): Tensor {
  const dtype = parts.reduce((t, p) => promote(t, p.dtype), parts[0].dtype);
  const out = newTensor(shape, dtype, parts[0].device);
  let at = 0;
  const starts: number[] = [];
  for (const p of parts) {
    starts.push(at);
    if (unsqueeze || !(p.ndim === 1 && p.numel() === 0 && shape.length !== 1)) {
      const pShape = unsqueeze ? [...p.shape.slice(0, d), 1, ...p.shape.slice(d)] : p.shape;
      const pStrides = unsqueeze ? [...p.strides.slice(0, d), 0, ...p.strides.slice(d)] : p.strides;
      if (numelOf(pShape) > 0) {
        exec({ op: 'copy', x: { buf: p.storage.id, dtype: p.dtype, shape: pShape, strides: pStrides, offset: p.offset },
          out: { buf: out.storage.id, dtype, shape: pShape, strides: out.strides, offset: at * out.strides[d] } }, p, out);
      }
      at += pShape[d];
    }
  }
  return record(out, name, [...parts], (g) => parts.map((p, i) => {
    if (!p.requiresGrad) return null;
    if (unsqueeze) return reshape(sliceAlong(g, d, i, 1), p.shape);
    return p.ndim === 1 && p.numel() === 0 && shape.length !== 1 ? zeros([0], { dtype: g.dtype, device: deviceName(g.device) }) : sliceAlong(g, d, starts[i], p.shape[d]);
  }));
}

/** torch.cat: the tensors joined along dim (all on one device; their dtypes promoted). Sizes must match
 * except along dim; 1-D empty tensors are skipped, as PyTorch does. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  checkTensorList('cat', tensors);
  const ref = tensors.find((t) => !(t.ndim === 1 && t.numel() === 0)) ?? tensors[0];
  tensors.forEach((t, i) => { if (t.ndim === 0) throw new Error(`zero-dimensional tensor (at position ${i}) cannot be concatenated`); });
  const d = normDim(dim, ref.ndim);
  const shape = [...ref.shape];
  shape[d] = 0;
  tensors.forEach((t, i) => {
    if (t.ndim === 1 && t.numel() === 0 && ref.ndim !== 1) return;
    if (t.ndim !== ref.ndim) throw new Error(`Tensors must have same number of dimensions: got ${ref.ndim} and ${t.ndim}`);
    for (let j = 0; j < ref.ndim; j++) {
      if (j !== d && t.shape[j] !== ref.shape[j]) throw new Error(`Sizes of tensors must match except in dimension ${d}. Expected size ${ref.shape[j]} but got size ${t.shape[j]} for tensor number ${i} in the list.`);
    }
    shape[d] += t.shape[d];
  });
  return joined('CatBackward0', tensors, shape, d, false);
}
export const concat = cat;

/** torch.stack: the tensors (all of one shape) joined along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  checkTensorList('stack', tensors);
  const s0 = tensors[0].shape;
  tensors.forEach((t, i) => {
    if (!sameShape(t.shape, s0)) throw new Error(`stack expects each tensor to be equal size, but got ${fmtShape(s0)} at entry 0 and ${fmtShape(t.shape)} at entry ${i}`);
  });
  const d = normDim(dim, s0.length + 1);
  return joined('StackBackward0', tensors, [...s0.slice(0, d), tensors.length, ...s0.slice(d)], d, true);
}

function softmaxCheck(fn: string, x: Tensor, dim: number | undefined): number {
  checkTensor(fn, x);
  if (dim === undefined) throw new Error(`${fn}(): the dim to normalize over is required (PyTorch's implicit choice is deprecated)`);
  if (!isFloat(x.dtype)) throw new Error(`"${fn}_lastdim_kernel_impl" not implemented for '${SCALAR_TYPE[x.dtype]}'`);
  return normDim(dim, x.ndim);
}
/** softmax along dim: exp(x - max) / sum(exp(x - max)) (the max subtracted for range, as PyTorch does). */
export function softmax(x: Tensor, dim?: number): Tensor {
  const d = softmaxCheck('softmax', x, dim);
  let out!: Tensor;
  noGrad(() => {
    const e = exp(sub(x, rawReduce('max', x, [d], true, x.dtype))); // (the values only: no indices)
    out = div(e, sum(e, d, true));
  });
  return record(out, 'SoftmaxBackward0', [x], (g) => [mul(out, sub(g, sum(mul(g, out), d, true)))], out);
}
/** log of softmax along dim: x - max - log(sum(exp(x - max))). */
export function logSoftmax(x: Tensor, dim?: number): Tensor {
  const d = softmaxCheck('log_softmax', x, dim);
  let out!: Tensor;
  noGrad(() => {
    const shifted = sub(x, rawReduce('max', x, [d], true, x.dtype));
    out = sub(shifted, log(sum(exp(shifted), d, true)));
  });
  return record(out, 'LogSoftmaxBackward0', [x], (g) => [sub(g, mul(exp(out), sum(g, d, true)))], out);
}

/**
 * clamp: each element limited to [min, max] (either may be left out: null or undefined); NaN stays NaN,
 * and min > max gives max everywhere, as PyTorch's. The gradient passes where min <= x <= max.
 */
export function clamp(x: Tensor, min?: number | null | { min?: number | null; max?: number | null }, max?: number | null): Tensor {
  checkTensor('clamp', x);
  if (min !== null && typeof min === 'object') ({ min, max } = min);
  const lo = min ?? null, hi = max ?? null;
  if (lo === null && hi === null) throw new Error("torch.clamp: At least one of 'min' or 'max' must not be None");
  for (const v of [lo, hi]) if (v !== null && typeof v !== 'number') throw new Error(`clamp(): min and max must be numbers, got ${typeof v}`);
  const dtype = resultType([{ dtype: x.dtype, dim: x.ndim }, ...(lo === null ? [] : [lo]), ...(hi === null ? [] : [hi])]);
  let out!: Tensor;
  noGrad(() => {
    let r = x.dtype === dtype ? x : x.to({ dtype });
    if (lo !== null) r = where(compare('lt', r, lo), lo, r);
    if (hi !== null) r = where(compare('gt', r, hi), hi, r);
    out = r === x ? clone(x) : r;
  });
  return record(out, 'ClampBackward1', [x], (g) => {
    let keep: Tensor | null = null;
    if (lo !== null) keep = compare('ge', x, lo);
    if (hi !== null) { const k = compare('le', x, hi); keep = keep ? where(keep, k, keep) : k; }
    return [where(keep!, g, 0)];
  }, x);
}
export const clip = clamp;

export function clone(x: Tensor): Tensor {
  const out = newTensor([...x.shape], x.dtype, x.device);
  exec({ op: 'copy', x: x._view(), out: out._view() }, x, out);
  return record(out, 'CloneBackward0', [x], (g) => [g]);
}

function toImpl(x: Tensor, device: Device, dtype: DType): Tensor {
  if (device === x.device && dtype === x.dtype) return x;
  let out: Tensor;
  if (device === x.device) {
    out = newTensor([...x.shape], dtype, device);
    exec({ op: 'copy', x: x._view(), out: out._view() }, x, out);
  } else {
    out = transfer(x, device, dtype);
  }
  const src = x.dtype, srcDev = x.device;
  return record(out, 'ToCopyBackward0', [x], (g) => [toImpl(g, srcDev, src)]);
}

/** Moves data between devices: CPU values are uploaded, GPU values are read back (asynchronously, in stream order). */
function transfer(x: Tensor, device: Device, dtype: DType): Tensor {
  const out = newTensor([...x.shape], dtype, device);
  rt.transfer(x._view(), x.storage, out.storage);
  return out;
}

async function contiguousData(t: Tensor): Promise<TypedArray> {
  if (t.device === 'gpu') {
    const c = t.isContiguous() && t.offset === 0 && t.numel() === t.storage.numel ? t : noGrad(() => clone(t));
    const d = await rt.read(c.storage);
    return t.dtype === 'int64' ? Float64Array.from(d) : d;
  }
  const data = await rt.read(t.storage);
  if (t.isContiguous()) return data.subarray(t.offset, t.offset + t.numel());
  const c = noGrad(() => clone(t));
  return (await rt.read(c.storage)).subarray(0, t.numel());
}

// =============================================================== autograd entry

/**
 * torch.scope(fn): runs fn (sync or async) and, when it ends, frees the memory of every tensor made in it
 * that it does not return (a tensor, or tensors in arrays, plain objects or Maps, as deep as they go) —
 * at once, not when the garbage collector gets to them: pooled CPU memory and GPU buffers. A tensor
 * freed this way throws if used again (say torch.keep(t) inside the scope to keep one). Leaves'
 * gradients made by backward() inside a scope are kept. The graph's saved tensors are freed with the
 * rest: call backward() inside the scope that built the graph. Scopes nest; what an inner scope returns
 * belongs to the outer one.
 */
export function scope<R>(fn: () => R): R {
  return rt.runScope(fn, (result) => {
    const keep = new Set<rt.Storage>();
    storagesIn(result, keep, new Set());
    return keep;
  });
}
function storagesIn(x: unknown, out: Set<rt.Storage>, seen: Set<object>): void {
  if (x instanceof Tensor) { out.add(x.storage); if (x.grad) out.add(x.grad.storage); return; }
  if (x === null || typeof x !== 'object' || seen.has(x)) return;
  seen.add(x);
  if (Array.isArray(x)) for (const v of x) storagesIn(v, out, seen);
  else if (x instanceof Map) for (const v of x.values()) storagesIn(v, out, seen);
  else if (Object.getPrototypeOf(x) === Object.prototype) for (const v of Object.values(x)) storagesIn(v, out, seen);
}
/** Keeps t (its storage, so every view of it) from the torch.scope() it was made in, and from every
 * enclosing one. Returns t. */
export function keep<T extends Tensor>(t: T): T {
  checkTensor('keep', t);
  rt.keep(t.storage);
  return t;
}

/** The tensor arithmetic backward() gives the autograd engine: made once (a new object per call would also
 * cost, under tsx, one naming call per closure: esbuild's keepNames). */
const BACKWARD_OPS = {
  add: (a: Tensor, b: Tensor) => add(a, b),
  checkSaved: (n: Node<Tensor>) => {
    checkVersion(n, n.s0, n.v0, 1); checkVersion(n, n.s1, n.v1, 2); checkVersion(n, n.s2, n.v2, 4);
  },
  accumulate: (leaf: unknown, gi: Tensor) => {
    const v = leaf as Tensor;
    if (!sameShape(gi.shape, v.shape)) gi = sumToShape(gi, v.shape);
    if (gi.dtype !== v.dtype) gi = gi.to({ dtype: v.dtype });
    // (a createGraph pass, as PyTorch's: out of place, so .grad keeps its graph)
    if (v.grad) { if (creating) { v.grad = add(v.grad, gi); rt.keep(v.grad.storage); } else v.grad.add_(gi); }
    else { v.grad = clone(gi); rt.keep(v.grad.storage); } // a leaf's gradient outlives any torch.scope()
  },
};
/** PyTorch's error for a saved tensor changed in place before backward (its version moved on). */
function checkVersion(n: Node<Tensor>, t: Tensor | null, v: number, bit: number): void {
  if (t === null || t.storage.version === v) return;
  const type = `torch.${t.device === 'gpu' ? 'gpu.' : ''}${SCALAR_TYPE[t.dtype]}Tensor`;
  // (As PyTorch names it: a saved output by the node that made it, a saved input by its grad_fn now.)
  const maker = n.savedOut & bit ? n.name : t.gradFn?.name;
  const from = maker ? `, which is output 0 of ${maker},` : '';
  throw new Error(`one of the variables needed for gradient computation has been modified by an inplace operation: [${type} ${fmtShape(t.shape)}]${from} is at version ${t.storage.version}; expected version ${v} instead. ` +
    `Hint: ${n.name} saved it for backward, and an in-place op (add_, mul_, zero_, copy_…) changed it afterwards; use the out-of-place op (x = x.add(1)), or change a clone()`);
}
export interface BackwardOptions { retainGraph?: boolean; createGraph?: boolean }
/** The gradient a backward starts from at output i: given (checked), or ones for a scalar. */
function startGrad(t: Tensor, gradient: Tensor | null | undefined, i: number): Tensor {
  if (gradient === undefined || gradient === null) {
    if (t.numel() !== 1) throw new Error(`grad can be implicitly created only for scalar outputs (got a tensor of shape ${fmtShape(t.shape)}); pass a gradient: t.backward(torch.onesLike(t))`);
    return onesLike(t);
  }
  checkTensor('backward', gradient);
  if (!sameShape(gradient.shape, t.shape)) throw new Error(`Mismatch in shape: grad_output[${i}] has a shape of ${fmtShape(gradient.shape)} and output[${i}] has a shape of ${fmtShape(t.shape)}.`);
  checkDevices('backward', t, gradient);
  return gradient;
}
/** Runs a createGraph pass: recording on, and nothing freed at its end (the new graph holds its values). */
function createPass(f: () => void): void {
  const prev = creating;
  creating = true;
  try { enableGrad(f); } finally { creating = prev; }
}
export async function backward(t: Tensor, gradient?: Tensor, o: BackwardOptions = {}): Promise<void> {
  if (!t.requiresGrad) throw new Error('element 0 of tensors does not require grad and does not have a grad_fn');
  const g = startGrad(t, gradient, 0);
  fresh(t);
  const root = t._edge()!;
  if (o.createGraph) {
    // (retainGraph defaults to createGraph, as PyTorch's)
    createPass(() => runBackward<Tensor>(root, g, BACKWARD_OPS, { retain: o.retainGraph ?? true, create: true }));
    await rt.sync();
    return;
  }
  const pass = o.retainGraph ? { retain: true } : undefined;
  // The tensors backward makes on the way (inner nodes' gradients, their sums, reductions to a leaf's
  // shape) die when it ends, as PyTorch's reference counts free them: their shared CPU memory comes back
  // then, not at a later forced collection (the 10M loop: the gradient of w·x, 40 MB a step; peak RSS
  // 500 -> 460 MB with 2 workers). Leaves' new .grad are keep()'d (BACKWARD_OPS.accumulate).
  rt.freeingTemporaries(() => noGrad(() => runBackward<Tensor>(root, g, BACKWARD_OPS, pass)));
  await rt.sync();
  await rt.breathe();
}

export interface GradOptions { gradOutputs?: Tensor | Array<Tensor | null> | null; retainGraph?: boolean; createGraph?: boolean; allowUnused?: boolean }
/**
 * torch.autograd.grad: the gradients of outputs (a tensor or several; scalars, or with gradOutputs)
 * with respect to inputs, returned in inputs' order; no .grad is changed. allowUnused: null for an input
 * the outputs do not depend on (else PyTorch's error). retainGraph keeps the graph.
 */
export async function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], o: GradOptions = {}): Promise<Array<Tensor | null>> {
  const outs = Array.isArray(outputs) ? outputs : [outputs], ins = Array.isArray(inputs) ? inputs : [inputs];
  if (outs.length === 0 || ins.length === 0) throw new Error('grad requires non-empty inputs and outputs');
  const gos = o.gradOutputs === undefined || o.gradOutputs === null ? outs.map(() => null) : Array.isArray(o.gradOutputs) ? o.gradOutputs : [o.gradOutputs];
  if (gos.length !== outs.length) throw new Error(`grad requires one grad_output per output: got ${gos.length} for ${outs.length} outputs`);
  outs.forEach((t, i) => {
    checkTensor('grad', t, `outputs[${i}]`);
    if (!t.requiresGrad) throw new Error(`element ${i} of tensors does not require grad and does not have a grad_fn`);
  });
  const targets = ins.map((t, i) => {
    checkTensor('grad', t, `inputs[${i}]`);
    if (!t.requiresGrad) throw new Error('One of the differentiated Tensors does not require grad');
    fresh(t);
    return t._edge()!;
  });
  const starts = outs.map((t, i) => startGrad(t, gos[i], i));
  // Several outputs: one root whose gradient is each output's start gradient.
  outs.forEach((t) => fresh(t));
  const root = outs.length === 1 ? outs[0]._edge()! : new Node<Tensor>('GradRoot', outs.map((t) => t._edge()), () => starts);
  const grads: Array<Tensor | undefined> = new Array(ins.length).fill(undefined);
  let res: Array<Tensor | null> = [];
  const create = o.createGraph === true;
  const pass = () => {
    // (the root's own gradient: the output's start gradient; a GradRoot's backward hands each output its own)
    runBackward<Tensor>(root, starts[0], BACKWARD_OPS, { retain: o.retainGraph ?? create, targets, grads, create });
    res = grads.map((g, i) => {
      if (g === undefined) return null;
      const t = ins[i];
      const r = sameShape(g.shape, t.shape) ? g : sumToShape(g, t.shape);
      rt.keep(r.storage); // (the caller's: it outlives backward's temporaries)
      return r;
    });
  };
  if (create) createPass(pass);
  else rt.freeingTemporaries(() => noGrad(pass));
  if (!o.allowUnused && res.some((r) => r === null)) {
    throw new Error('One of the differentiated Tensors appears to not have been used in the graph. Set allowUnused: true if this is the desired behavior.');
  }
  await rt.sync();
  return res;
}

// =============================================================== creation

let seed = 67280421310721;
let stream = 0;
/** torch.manual_seed: every later random tensor is a function of (seed, its stream number, index). */
export function manualSeed(s: number): void {
  if (!Number.isInteger(s) || s < 0 || s >= 2 ** 53) throw new Error(`manualSeed expects an integer in [0, 2^53), got ${s}`);
  seed = s; stream = 0;
}
export function initialSeed(): number { return seed; }
/**
 * torch.get_rng_state: the generator's whole state, [seed, next stream] as an int64 tensor (PyTorch's is
 * its own byte layout; pass this one back to setRngState to replay the same draws).
 */
export function getRngState(): Tensor { return tensor([seed, stream], { dtype: 'int64' }); }
/** torch.set_rng_state: the generator back at a state getRngState gave (a CPU tensor whose values are at hand). */
export function setRngState(state: Tensor): void {
  if (!(state instanceof Tensor) || state.numel() !== 2 || state.dtype !== 'int64') throw new Error('set_rng_state(): expected the int64 tensor of 2 elements that torch.getRngState() gives');
  const v = valuesNow(state);
  if (v === null) throw new Error('set_rng_state(): the state tensor\'s values are not at hand (on the GPU or still being computed): pass the CPU tensor getRngState() gave');
  if (!Number.isInteger(v[0]) || v[0] < 0 || !Number.isInteger(v[1]) || v[1] < 0) throw new Error(`set_rng_state(): not a generator state: [${v.join(', ')}]`);
  seed = v[0]; stream = v[1];
}
/** torch.seed: a fresh nondeterministic seed (below 2^53) set and returned. */
export function seedRandom(): number {
  const s = Math.floor(Math.random() * 2 ** 26) * 2 ** 26 + Math.floor(Math.random() * 2 ** 26);
  manualSeed(s);
  return s;
}
/** @internal n uniform draws in [0, 1) from the generator's next stream, made on this thread: the values
 * rand([n], { dtype: 'float64' }) would hold (for host-side choices such as permutations). */
/** @internal t's elements in row-major order when t is on the CPU and its values are final now (nothing
 * queued: a check that needs no read-back), else null. */
export function valuesNow(t: Tensor): number[] | null {
  const data = rt.valuesNow(t.storage);
  if (!data) return null;
  const n = t.numel(), out = new Array<number>(n), nd = t.ndim, idx = new Array<number>(nd).fill(0);
  let at = t.offset;
  for (let k = 0; k < n; k++) {
    out[k] = Number(data[at]);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++; at += t.strides[d];
      if (idx[d] < t.shape[d]) break;
      at -= idx[d] * t.strides[d]; idx[d] = 0;
    }
  }
  return out;
}
/**
 * Whether some element of t satisfies `hit`, when t's values are at hand (a CPU tensor with nothing queued
 * that writes it): null otherwise. Walks t's view without copying it; stops at the first hit.
 */
export function someNow(t: Tensor, hit: (v: number) => boolean): boolean | null {
  const data = rt.valuesNow(t.storage);
  if (!data) return null;
  const n = t.numel(), nd = t.ndim, idx = new Array<number>(nd).fill(0);
  let at = t.offset;
  for (let k = 0; k < n; k++) {
    if (hit(Number(data[at]))) return true;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++; at += t.strides[d];
      if (idx[d] < t.shape[d]) break;
      at -= idx[d] * t.strides[d]; idx[d] = 0;
    }
  }
  return false;
}
export function hostUniform(n: number): Float64Array {
  return rt.uniformDraws(seed, stream++, n);
}

type SizeArgs = Array<number | number[] | TensorOptions>;
function parseSizeArgs(args: SizeArgs): { shape: number[]; opts: TensorOptions } {
  let opts: TensorOptions = {};
  const last = args[args.length - 1];
  if (last !== undefined && typeof last === 'object' && !Array.isArray(last)) { opts = last; args = args.slice(0, -1); }
  const shape = flatShape(args as Array<number | number[]>);
  return { shape, opts };
}
function optsOf(o: TensorOptions, dflt: DType = getDefaultDtype()) {
  return { dtype: o.dtype === undefined ? dflt : parseDType(o.dtype), device: parseDevice(o.device), requiresGrad: !!o.requiresGrad };
}
function finish(t: Tensor, requiresGrad: boolean): Tensor { if (requiresGrad) t.requiresGrad_(true); return t; }

/** torch.full: the dtype, unless given, follows the value as torch.tensor's does (an integer: int64, a
 * boolean: bool, else float32), as PyTorch's full follows a Python int, bool or float. */
export function full(shape: number[], value: number | boolean, o: TensorOptions = {}): Tensor {
  const dflt: DType = typeof value === 'boolean' ? 'bool' : Number.isInteger(value) ? 'int64' : getDefaultDtype();
  return filled(shape, Number(value), o, dflt);
}
function filled(shape: number[], value: number, o: TensorOptions, dflt: DType): Tensor {
  const { dtype, device, requiresGrad } = optsOf(o, dflt);
  const t = newTensor([...shape], dtype, device);
  if (value !== 0 || device !== 'cpu' || t.storage.shared) exec({ op: 'fill', value: castValue(value, dtype), out: t._view() }, t);
  return finish(t, requiresGrad);
}
export function ones(...args: SizeArgs): Tensor { const { shape, opts } = parseSizeArgs(args); return filled(shape, 1, opts, getDefaultDtype()); }
export function zeros(...args: SizeArgs): Tensor { const { shape, opts } = parseSizeArgs(args); return filled(shape, 0, opts, getDefaultDtype()); }
/** Uninitialised in PyTorch; here zero-filled memory (a fresh buffer). */
export function empty(...args: SizeArgs): Tensor { const { shape, opts } = parseSizeArgs(args); const o = optsOf(opts); return finish(newTensor(shape, o.dtype, o.device), o.requiresGrad); }
function random(dist: 'uniform' | 'normal', args: SizeArgs): Tensor {
  const { shape, opts } = parseSizeArgs(args);
  const { dtype, device, requiresGrad } = optsOf(opts);
  if (!isFloat(dtype)) throw new Error(`${dist === 'normal' ? 'randn' : 'rand'}: expected a floating point dtype, got ${dtype}`);
  const t = newTensor(shape, dtype, device);
  exec({ op: 'random', dist, seed, stream: stream++, out: t._view() }, t);
  return finish(t, requiresGrad);
}
export function rand(...args: SizeArgs): Tensor { return random('uniform', args); }
/** Integers uniform in [low, high) (int64 unless told): randint(10, [3]), randint(-5, 5, [2, 2], { device }).
 * From the same generator as rand (float64 draws on the CPU, float32 on the GPU). */
export function randint(low: number, high: number | number[], size?: number[] | TensorOptions, o: TensorOptions = {}): Tensor {
  if (Array.isArray(high)) { o = (size as TensorOptions | undefined) ?? {}; size = high; high = low; low = 0; }
  if (!Array.isArray(size)) throw new Error('randint(): size must be an array of integers, e.g. randint(0, 10, [3])');
  if (!Number.isInteger(low) || !Number.isInteger(high)) throw new Error(`randint(): low and high must be integers, got ${low} and ${high}`);
  if (!(high > low)) throw new Error(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  const { dtype, device, requiresGrad } = optsOf(o, 'int64');
  if (requiresGrad) throw new Error('randint(): only floating point tensors can require gradients');
  const range = high - low;
  return noGrad(() => {
    const u = rand(size as number[], { dtype: device === 'gpu' ? 'float32' : 'float64', device: deviceName(device) });
    return minimum(floor(u.mul(range)), full([], range - 1, { dtype: u.dtype, device: deviceName(device) })).add(low).to({ dtype });
  });
}
/** The n x m identity matrix (m = n unless given). */
export function eye(n: number, m?: number | TensorOptions, o: TensorOptions = {}): Tensor {
  if (typeof m === 'object' && m !== null) { o = m; m = undefined; }
  const cols = m ?? n;
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(cols) || cols < 0) throw new Error(`eye(): n and m must be non-negative integers, got ${n} and ${cols}`);
  const { dtype, device, requiresGrad } = optsOf(o);
  const t = zeros([n, cols], { dtype, device: deviceName(device) });
  const k = Math.min(n, cols);
  if (k > 0) noGrad(() => { new Tensor(t.storage, [k], [cols + 1], 0).fill_(1); });
  return finish(t, requiresGrad);
}
export function randn(...args: SizeArgs): Tensor { return random('normal', args); }
const likeOpts = (x: Tensor, o: TensorOptions): TensorOptions => ({ dtype: o.dtype ?? x.dtype, device: o.device ?? deviceName(x.device), requiresGrad: o.requiresGrad });
export function zerosLike(x: Tensor, o: TensorOptions = {}): Tensor { return filled([...x.shape], 0, likeOpts(x, o), 'float32'); }
export function onesLike(x: Tensor, o: TensorOptions = {}): Tensor { return filled([...x.shape], 1, likeOpts(x, o), 'float32'); }
export function randLike(x: Tensor, o: TensorOptions = {}): Tensor { return rand([...x.shape], likeOpts(x, o)); }
export function randnLike(x: Tensor, o: TensorOptions = {}): Tensor { return randn([...x.shape], likeOpts(x, o)); }

/** torch.linspace: values computed as PyTorch does (from the start for the first half, from the end for the second). */
export function linspace(start: number, end: number, steps: number | { steps: number }, o: TensorOptions = {}): Tensor {
  const n = typeof steps === 'number' ? steps : steps.steps;
  if (!Number.isInteger(n) || n < 0) throw new Error(`number of steps must be non-negative, got ${n}`);
  const { dtype, device, requiresGrad } = optsOf(o);
  const step = n > 1 ? (end - start) / (n - 1) : 0;
  const half = Math.floor(n / 2);
  const t = newTensor([n], dtype, device), out = rt.writable(t.storage);
  for (let i = 0; i < n; i++) out[i] = castValue(i < half ? start + step * i : end - step * (n - 1 - i), dtype);
  if (n === 1) out[0] = castValue(start, dtype); // PyTorch: one step is the start
  rt.uploadWritten(t.storage, out);
  return finish(t, requiresGrad);
}
export function arange(a: number, b?: number | TensorOptions, step: number | TensorOptions = 1, o: TensorOptions = {}): Tensor {
  // The options may follow any of the numbers: arange(5, { device }), arange(1, 5, { dtype }).
  if (typeof b === 'object' && b !== null) { o = b; b = undefined; step = 1; } else if (typeof step === 'object' && step !== null) { o = step; step = 1; }
  for (const v of [a, b, step]) if (v !== undefined && typeof v !== 'number') throw new Error(`arange(): start, end and step must be numbers, got ${typeof v}`);
  const [start, stop] = b === undefined ? [0, a] : [a, b];
  if (step === 0) throw new Error('step must be nonzero');
  const allInt = [start, stop, step].every(Number.isInteger);
  const { dtype, device, requiresGrad } = optsOf(o, allInt ? 'int64' : getDefaultDtype());
  if (dtype === 'bool') throw new Error('"arange_cpu" not implemented for \'Bool\'');
  // An integer dtype takes start and step as integers (truncated), as PyTorch does; int64 also its end,
  // for the length (PyTorch's arange_out: int32 counts with the numbers given).
  const int = dtype === 'int32' || dtype === 'int64';
  const s0 = int ? Math.trunc(start) : start, st = int ? Math.trunc(step) : step;
  if (st === 0) throw new Error('step must be nonzero');
  const n = Math.max(0, Math.ceil(dtype === 'int64' ? (Math.trunc(stop) - s0) / st : (stop - start) / step));
  const t = newTensor([n], dtype, device);
  // The values run from s0 to the last one: an integer dtype refuses them if these two do not fit.
  if (n > 0) { castValue(s0, dtype); castValue(s0 + (n - 1) * st, dtype); }
  if (device === 'cpu') {
    // An op (SIMD, shardable): s0 + i * st, stored as a copy stores, which for values in range is
    // castValue's conversion. arange(1e6): 5-10 ms with two temporary arrays, 1 ms in a loop, 0.2 here.
    exec({ op: 'fill', value: s0, step: st, out: t._view() }, t);
  } else {
    // (A host array the GPU uploads.)
    const out = rt.writable(t.storage);
    for (let i = 0; i < n; i++) out[i] = castValue(s0 + i * st, dtype);
    rt.uploadWritten(t.storage, out);
  }
  return finish(t, requiresGrad);
}

function fromValues(vals: ArrayLike<number>, shape: number[], dtype: DType, device: Device): Tensor {
  const t = newTensor(shape, dtype, device), out = rt.writable(t.storage);
  for (let i = 0; i < vals.length; i++) out[i] = castValue(vals[i], dtype);
  rt.uploadWritten(t.storage, out);
  return t;
}

type Nested = number | boolean | Nested[];
/** torch.tensor: nested arrays of numbers/booleans; integers give int64, floats float32, booleans bool. */
export function tensor(data: Nested | TypedArray, o: TensorOptions = {}): Tensor {
  if (ArrayBuffer.isView(data)) return fromTypedArray(data as TypedArray).to({ dtype: o.dtype ?? dtypeOfArray(data as TypedArray), device: o.device ?? 'cpu' }).detach().requiresGrad_(!!o.requiresGrad);
  const shape: number[] = [];
  let probe: Nested = data;
  while (Array.isArray(probe)) { shape.push(probe.length); probe = probe[0]; }
  const flat: number[] = [];
  let allInt = true, allBool = true;
  const walk = (x: Nested, d: number) => {
    if (d === shape.length) {
      if (Array.isArray(x)) throw new Error(`tensor(): ragged nested sequence at depth ${d}: expected a number, got an array`);
      if (typeof x === 'boolean') { flat.push(+x); allInt = false; return; }
      if (typeof x !== 'number') throw new Error(`tensor(): could not infer dtype of ${typeof x}`);
      allBool = false;
      if (!Number.isInteger(x)) allInt = false;
      flat.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[d]) throw new Error(`tensor(): expected sequence of length ${shape[d]} at dim ${d} (got ${Array.isArray(x) ? x.length : typeof x})`);
    for (const y of x) walk(y, d + 1);
  };
  walk(data, 0);
  // JS cannot tell 1.0 from 1: integer data that must require grad is taken as float32 (as `[1.]` would be).
  const inferred: DType = flat.length && allBool ? 'bool' : allInt && flat.length && !o.requiresGrad ? 'int64' : getDefaultDtype();
  const { dtype, device, requiresGrad } = optsOf(o, inferred);
  return finish(fromValues(flat, shape, dtype, device), requiresGrad);
}

function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint8Array) return 'bool';
  throw new Error(`fromTypedArray: unsupported array type ${(a as object).constructor.name}; use Float32Array, Float64Array, Int32Array or Uint8Array (bool)`);
}

/** torch.from_numpy: shares memory with the typed array (writes to either show in both). */
export function fromTypedArray(a: TypedArray, shape?: number[]): Tensor {
  const dtype = dtypeOfArray(a);
  const sh = shape ?? [a.length];
  if (numelOf(sh) !== a.length) throw new Error(`fromTypedArray: shape ${fmtShape(sh)} does not match the array length ${a.length}`);
  if (dtype === 'bool') {
    // (A byte of 2 would print True and sum as 2: a bool tensor holds 0 and 1 only.)
    for (let i = 0; i < a.length; i++) {
      if (a[i] > 1) throw new Error(`fromTypedArray: a Uint8Array becomes a bool tensor, whose bytes are 0 or 1; got ${a[i]} at index ${i} (troupe has no uint8 dtype: use an Int32Array for small integers)`);
    }
  }
  return new Tensor(rt.wrapStorage(dtype, a), [...sh], contiguousStrides(sh), 0);
}

// =============================================================== printing

export async function format(t: Tensor): Promise<string> {
  checkTensor('format', t);
  const data = await contiguousData(t);
  return t._formatPrefix() + formatTensor({
    data, shape: t.shape, dtype: t.dtype, device: deviceName(t.device),
    requiresGrad: t.requiresGrad && t.isLeaf, gradFn: t.gradFn?.name,
  });
}
export async function print(...xs: unknown[]): Promise<void> {
  // (anything with an async format(), as PyTorch's print of return types, PackedSequence and distributions)
  const formats = (x: unknown): x is { format(): Promise<string> } => typeof x === 'object' && x !== null && typeof (x as { format?: unknown }).format === 'function';
  const parts = await Promise.all(xs.map((x) => (x instanceof Tensor ? format(x) : formats(x) ? x.format() : String(x))));
  console.log(parts.join(' '));
}

export function isTensor(x: unknown): x is Tensor { return x instanceof Tensor; }

// The view methods as functions too, as PyTorch has them (torch.transpose(x, 0, 1), …).
export const t = (x: Tensor): Tensor => (checkTensor('t', x), x.t());
export const transpose = (x: Tensor, d0: number, d1: number): Tensor => (checkTensor('transpose', x), x.transpose(d0, d1));
export const permute = (x: Tensor, dims: number[]): Tensor => (checkTensor('permute', x), x.permute(dims));
export const squeeze = (x: Tensor, dim?: number): Tensor => (checkTensor('squeeze', x), x.squeeze(dim));
export const unsqueezeOf = (x: Tensor, dim: number): Tensor => (checkTensor('unsqueeze', x), x.unsqueeze(dim));
export const flatten = (x: Tensor, startDim = 0, endDim = -1): Tensor => (checkTensor('flatten', x), x.flatten(startDim, endDim));
export const unbind = (x: Tensor, dim = 0): Tensor[] => (checkTensor('unbind', x), x.unbind(dim));
export const diagonal = (x: Tensor, offset = 0): Tensor => (checkTensor('diagonal', x), x.diagonal(offset));
export type { Op };
