/**
 * More torch.nn layers (PyTorch 1.13's): BatchNorm3d, InstanceNorm1d / InstanceNorm3d, ConstantPad3d,
 * ReflectionPad3d, ReplicationPad3d, UpsamplingNearest2d / UpsamplingBilinear2d, CrossMapLRN2d, and the
 * lazy modules (LazyLinear, LazyConv1d/2d/3d, LazyConvTranspose1d/2d/3d, LazyBatchNorm1d/2d/3d,
 * LazyInstanceNorm1d/2d/3d) with UninitializedParameter / UninitializedBuffer, printed as PyTorch prints them.
 * Re-exported by src/nn-namespace.ts (not by nn.ts: these classes extend nn.ts's Module).
 */
import { Tensor, composite, empty, keep, matmul, ones, rand, tensor, zeros, type TensorOptions } from './tensor.ts';
import { noGrad } from './autograd/graph.ts';
import { pyFloat } from './format.ts';
import { fmtShape } from './shape.ts';
import {
  BatchNorm1d, BatchNorm2d, Conv1d, Conv2d, InstanceNorm2d, InstanceNormBase, Linear, Module, Parameter, Upsample,
  type BatchNormModuleOptions, type Conv1dModuleOptions, type Conv2dModuleOptions, type InstanceNormOptions, type LinearOptions,
} from './nn.ts';
import { Conv3d, ConvTranspose3d, type Conv3dModuleOptions, type ConvTranspose3dModuleOptions } from './nn-3d.ts';
import { ConstantPad1d, ConvTranspose1d, ConvTranspose2d, type ConvTranspose1dModuleOptions, type ConvTranspose2dModuleOptions } from './nn-extra.ts';
import * as F from './functional.ts';

type Dev = { device?: string; dtype?: TensorOptions['dtype'] };
const pyBool = (v: boolean) => (v ? 'True' : 'False');
const INSPECT = Symbol.for('nodejs.util.inspect.custom');
type Mutable = Record<string, unknown>;

// =============================================================== normalization

type BatchNormCtor = new (numFeatures: number, o: BatchNormModuleOptions, ranks: number[]) => BatchNorm1d;
/** nn.ts's BatchNorm (the base of BatchNorm1d / 2d, not exported: torch.nn has no BatchNorm). */
const BatchNormBase = Object.getPrototypeOf(BatchNorm1d) as BatchNormCtor;
/** Batch normalization of [N, C, D, H, W] inputs (F.batchNorm; running statistics as BatchNorm2d's). */
export class BatchNorm3d extends BatchNormBase {
  constructor(numFeatures: number, o: BatchNormModuleOptions = {}) { super(numFeatures, o, [5]); }
}

/**
 * Instance normalization (F.instanceNorm) of [N, C, *] or unbatched [C, *] inputs: each sample's channel
 * normalized over its positions, then · weight + bias when affine (default off). With trackRunningStats,
 * running statistics (buffers running_mean, running_var, num_batches_tracked) move towards the batch's in
 * training and normalize in eval(), as PyTorch's.
 */
abstract class InstanceNormNd extends InstanceNormBase {
  constructor(numFeatures: number, o: InstanceNormOptions, private readonly nd: number) { super(numFeatures, o); }
  override forward(x: Tensor): Tensor {
    const nd = this.nd;
    if (x.ndim !== nd + 1 && x.ndim !== nd + 2) throw new Error(`expected ${nd + 1}D or ${nd + 2}D input (got ${x.ndim}D input)`);
    const xb = x.ndim === nd + 1 ? x.unsqueeze(0) : x;
    const y = F.instanceNorm(xb, {
      runningMean: this.runningMean, runningVar: this.runningVar, weight: this.weight, bias: this.bias,
      useInputStats: this.training || this.runningMean === null, momentum: this.momentum, eps: this.eps,
    });
    return x.ndim === nd + 1 ? y.squeeze(0) : y;
  }
}
/** Instance normalization of [N, C, L] or [C, L] inputs. */
export class InstanceNorm1d extends InstanceNormNd {
  constructor(numFeatures: number, o: InstanceNormOptions = {}) { super(numFeatures, o, 1); }
}
/** Instance normalization of [N, C, D, H, W] or [C, D, H, W] inputs. */
export class InstanceNorm3d extends InstanceNormNd {
  constructor(numFeatures: number, o: InstanceNormOptions = {}) { super(numFeatures, o, 3); }
}

// =============================================================== padding, upsampling

type PadCtor = new (padding: number | number[], n: number, mode: 'constant' | 'reflect' | 'replicate', value?: number) => ConstantPad1d;
/** nn-extra.ts's PadNd (the base of the padding layers). */
const PadNd = Object.getPrototypeOf(ConstantPad1d) as PadCtor;
type Six = [number, number, number, number, number, number];
/** Pads the last three dims with `value`: padding a number or [left, right, top, bottom, front, back]. */
export class ConstantPad3d extends PadNd { constructor(padding: number | Six, value: number) { super(padding, 3, 'constant', value); } }
/** Pads the last three dims of [N, C, D, H, W] or [C, D, H, W] with their reflection (each amount below the dim's size). */
export class ReflectionPad3d extends PadNd { constructor(padding: number | Six) { super(padding, 3, 'reflect'); } }
/** Pads the last three dims of [N, C, D, H, W] or [C, D, H, W] with their edge elements repeated. */
export class ReplicationPad3d extends PadNd { constructor(padding: number | Six) { super(padding, 3, 'replicate'); } }

/** Upsample with mode 'nearest' (PyTorch's UpsamplingNearest2d): size or scaleFactor. */
export class UpsamplingNearest2d extends Upsample {
  constructor(o: { size?: number | [number, number] | null; scaleFactor?: number | [number, number] | null } = {}) { super({ ...o, mode: 'nearest' }); }
}
/** Upsample with mode 'bilinear' and alignCorners true (PyTorch's UpsamplingBilinear2d): size or scaleFactor. */
export class UpsamplingBilinear2d extends Upsample {
  constructor(o: { size?: number | [number, number] | null; scaleFactor?: number | [number, number] | null } = {}) { super({ ...o, mode: 'bilinear', alignCorners: true }); }
}

// =============================================================== CrossMapLRN2d

/**
 * PyTorch's legacy cross-channel LRN of [N, C, H, W] (torch.nn._functions.CrossMapLRN2d), kept exactly:
 * out = x · (k + α/size · Σ x²)^−β, the sum over the channels PyTorch's running window covers (it never
 * drops channel 0 once past it), and its hand-written backward (a window [c − ⌊size − (size−1)/2⌋, …] of
 * size channels), which is not the forward's exact gradient; one CrossMapLRN2dBackward node.
 */
export class CrossMapLRN2d extends Module {
  constructor(readonly size: number, readonly alpha = 1e-4, readonly beta = 0.75, readonly k = 1) { super(); }
  override forward(x: Tensor): Tensor {
    if (x.ndim !== 4) throw new Error(`CrossMapLRN2d: expected a 4D input, got ${x.ndim}D (PyTorch: AssertionError)`);
    const [N, C, H, W] = x.shape, { size, alpha, beta, k } = this;
    const prePad = Math.trunc((size - 1) / 2 + 1), inversePrePad = Math.trunc(size - (size - 1) / 2);
    const fwd = new Float64Array(C * C), bwd = new Float64Array(C * C);
    for (let c = 0; c < C; c++) {
      // the forward's window: channels 0 .. c + prePad − 1, less 1 .. c − prePad (PyTorch's loop)
      for (let j = 0; j < Math.min(C, c + prePad); j++) if (!(j >= 1 && j <= c - prePad)) fwd[c * C + j] = 1;
      for (let j = Math.max(0, c - inversePrePad); j <= Math.min(C - 1, c + size - 1 - inversePrePad); j++) bwd[c * C + j] = 1;
    }
    const mat = (m: Float64Array) => tensor(m, { dtype: x.dtype, device: x.device }).reshape([C, C]);
    const mix = (m: Tensor, t: Tensor) => matmul(m, t.reshape([N, C, H * W])).reshape([N, C, H, W]);
    let scale: Tensor | null = null, out: Tensor | null = null;
    return composite('CrossMapLRN2dBackward', [x], () => {
      scale = mix(mat(fwd), x.mul(x)).mul(alpha / size).add(k);
      out = x.mul(scale.pow(-beta));
      return out;
    }, (g) => {
      // (PyTorch's backward narrows C channels at inversePrePad of C + size − 1: size 1 is its error)
      if (inversePrePad + C > C + size - 1) throw new Error(`start (${inversePrePad}) + length (${C}) exceeds dimension size (${C + size - 1}).`);
      const ratio = g.mul(out!).div(scale!);
      return [scale!.pow(-beta).mul(g).sub(x.mul(mix(mat(bwd), ratio)).mul((2 * alpha * beta) / size))];
    });
  }
  override extraRepr(): string { return `${this.size}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${this.k}`; }
}

// =============================================================== lazy modules

/**
 * A lazy module's parameter before its first forward (PyTorch's UninitializedParameter): printed
 * `<UninitializedParameter>`, listed by parameters(). It holds no elements (shape [0]: PyTorch's raises
 * on .shape instead); materialize(shape) gives it memory and makes it a plain Parameter, the same object
 * (an optimizer made before trains it).
 */
export class UninitializedParameter extends Parameter {
  constructor(requiresGrad = true, o: Dev = {}) { super(empty([0], o), requiresGrad); }
  materialize(shape: number[]): void { materialize(this, shape, Parameter.prototype); }
  override toString(): string { return '<UninitializedParameter>'; }
  [INSPECT](): string { return this.toString(); }
}
/** A lazy module's buffer before its first forward (PyTorch's UninitializedBuffer), as UninitializedParameter. */
export class UninitializedBuffer extends Tensor {
  constructor(o: Dev = {}) {
    const t = empty([0], o);
    super(t.storage, [0], [1], 0);
    keep(this);
  }
  materialize(shape: number[]): void { materialize(this, shape, Tensor.prototype); }
  override toString(): string { return '<UninitializedBuffer>'; }
  [INSPECT](): string { return this.toString(); }
}
function materialize(t: Tensor, shape: number[], proto: object): void {
  t._replaceData(keep(empty(shape, { device: t.device, dtype: t.dtype })));
  Object.setPrototypeOf(t, proto);
}
const isUninit = (v: unknown) => v instanceof UninitializedParameter || v instanceof UninitializedBuffer;
/** Whether a lazy module still has parameters or buffers to materialize (PyTorch's has_uninitialized_params). */
export function hasUninitializedParams(m: Module): boolean {
  return Object.values(m).some(isUninit);
}
/** Uniform in ±bound, in place. */
const uniformIn = (t: Tensor, bound: number) => noGrad(() => t.copy_(rand([...t.shape], { device: t.device, dtype: t.dtype }).mul(2 * bound).sub(bound)));
/** The first forward of a lazy module (PyTorch's _infer_parameters): infer, materialize and initialize
 * (init), become cls (PyTorch's cls_to_become), then run (cls's forward). */
function lazyCall(m: Module, init: () => void, cls: { prototype: object }, run: () => Tensor): Tensor {
  if (hasUninitializedParams(m)) init();
  if (hasUninitializedParams(m)) throw new Error(`module ${m.constructor.name} has not been fully initialized`);
  Object.setPrototypeOf(m, cls.prototype);
  return run();
}

/** Linear with in_features inferred from the first input's last dim; printed `LazyLinear(in_features=0, …)`
 * until then, a Linear after. */
export class LazyLinear extends Linear {
  constructor(outFeatures: number, o: LinearOptions = {}) {
    super(0, outFeatures, o);
    this.weight = new UninitializedParameter(true, o);
    if (this.bias) this.bias = new UninitializedParameter(true, o);
  }
  override forward(x: Tensor): Tensor {
    return lazyCall(this, () => {
      const inF = x.shape[x.ndim - 1];
      (this as unknown as Mutable).inFeatures = inF;
      (this.weight as UninitializedParameter).materialize([this.outFeatures, inF]);
      if (this.bias) (this.bias as UninitializedParameter).materialize([this.outFeatures]);
      const bound = inF > 0 ? 1 / Math.sqrt(inF) : 0;
      uniformIn(this.weight, bound);
      if (this.bias) uniformIn(this.bias, bound);
    }, Linear, () => this.forward(x));
  }
}

type AnyConv = { inChannels: number; outChannels: number; groups: number; kernelSize: number | number[]; weight: Parameter; bias: Parameter | null; constructor: { name: string } };
/** PyTorch's _LazyConvXdMixin: in_channels from the input (dim 1 batched, dim 0 unbatched), then the
 * weight [out, in / groups, *k] (transposed: [in, out / groups, *k]) and bias, uniform in ±1/√fan_in. */
function lazyConvInit(m: AnyConv, x: Tensor, nd: number, transposed: boolean): void {
  if (x.ndim !== nd + 1 && x.ndim !== nd + 2) {
    throw new Error(`Expected ${nd + 1}D (unbatched) or ${nd + 2}D (batched) input to ${m.constructor.name}, but got input of size: torch.Size(${fmtShape(x.shape)})`);
  }
  const inC = x.ndim === nd + 2 ? x.shape[1] : x.shape[0];
  if (inC % m.groups !== 0) throw new Error('in_channels must be divisible by groups');
  (m as unknown as Mutable).inChannels = inC;
  const k = typeof m.kernelSize === 'number' ? [m.kernelSize] : [...m.kernelSize];
  const shape = transposed ? [inC, m.outChannels / m.groups, ...k] : [m.outChannels, inC / m.groups, ...k];
  (m.weight as UninitializedParameter).materialize(shape);
  if (m.bias) (m.bias as UninitializedParameter).materialize([m.outChannels]);
  const fanIn = shape[1] * k.reduce((a, b) => a * b, 1), bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  uniformIn(m.weight, bound);
  if (m.bias) uniformIn(m.bias, bound);
}
/** The lazy conv's constructor part: in_channels 0 (built with groups, then set to 0), parameters uninitialized. */
function lazyConvSetup(m: AnyConv, o: Dev): void {
  (m as unknown as Mutable).inChannels = 0;
  m.weight = new UninitializedParameter(true, o);
  if (m.bias) m.bias = new UninitializedParameter(true, o);
}
/** Conv1d with in_channels inferred from the first input. */
export class LazyConv1d extends Conv1d {
  constructor(outChannels: number, kernelSize: number | [number], o: Conv1dModuleOptions = {}) { super(o.groups ?? 1, outChannels, kernelSize, o); lazyConvSetup(this, o); }
  override forward(x: Tensor): Tensor { return lazyCall(this, () => lazyConvInit(this, x, 1, false), Conv1d, () => this.forward(x)); }
}
/** Conv2d with in_channels inferred from the first input. */
export class LazyConv2d extends Conv2d {
  constructor(outChannels: number, kernelSize: number | [number, number], o: Conv2dModuleOptions = {}) { super(o.groups ?? 1, outChannels, kernelSize, o); lazyConvSetup(this, o); }
  override forward(x: Tensor): Tensor { return lazyCall(this, () => lazyConvInit(this, x, 2, false), Conv2d, () => this.forward(x)); }
}
/** Conv3d with in_channels inferred from the first input. */
export class LazyConv3d extends Conv3d {
  constructor(outChannels: number, kernelSize: F.Triple, o: Conv3dModuleOptions = {}) { super(o.groups ?? 1, outChannels, kernelSize, o); lazyConvSetup(this, o); }
  override forward(x: Tensor): Tensor { return lazyCall(this, () => lazyConvInit(this, x, 3, false), Conv3d, () => this.forward(x)); }
}
/** ConvTranspose1d with in_channels inferred from the first input. */
export class LazyConvTranspose1d extends ConvTranspose1d {
  constructor(outChannels: number, kernelSize: number | [number], o: ConvTranspose1dModuleOptions = {}) { super(o.groups ?? 1, outChannels, kernelSize, o); lazyConvSetup(this, o); }
  override forward(x: Tensor, outputSize?: number[] | null): Tensor {
    return lazyCall(this, () => lazyConvInit(this, x, 1, true), ConvTranspose1d, () => this.forward(x, outputSize));
  }
}
/** ConvTranspose2d with in_channels inferred from the first input. */
export class LazyConvTranspose2d extends ConvTranspose2d {
  constructor(outChannels: number, kernelSize: number | [number, number], o: ConvTranspose2dModuleOptions = {}) { super(o.groups ?? 1, outChannels, kernelSize, o); lazyConvSetup(this, o); }
  override forward(x: Tensor, outputSize?: number[] | null): Tensor {
    return lazyCall(this, () => lazyConvInit(this, x, 2, true), ConvTranspose2d, () => this.forward(x, outputSize));
  }
}
/** ConvTranspose3d with in_channels inferred from the first input. */
export class LazyConvTranspose3d extends ConvTranspose3d {
  constructor(outChannels: number, kernelSize: F.Triple, o: ConvTranspose3dModuleOptions = {}) { super(o.groups ?? 1, outChannels, kernelSize, o); lazyConvSetup(this, o); }
  override forward(x: Tensor, outputSize?: number[] | null): Tensor {
    return lazyCall(this, () => lazyConvInit(this, x, 3, true), ConvTranspose3d, () => this.forward(x, outputSize));
  }
}

type AnyNorm = { numFeatures: number; weight: Parameter | null; bias: Parameter | null; runningMean: Tensor | null; runningVar: Tensor | null; numBatchesTracked: Tensor | null };
/** PyTorch's _LazyNormBase: the constructor part (num_features 0, parameters and running statistics uninitialized). */
function lazyNormSetup(m: AnyNorm, o: Dev): void {
  (m as unknown as Mutable).numFeatures = 0;
  if (m.weight) m.weight = new UninitializedParameter(true, o);
  if (m.bias) m.bias = new UninitializedParameter(true, o);
  if (m.runningMean) m.runningMean = new UninitializedBuffer(o);
  if (m.runningVar) m.runningVar = new UninitializedBuffer(o);
}
/** PyTorch's _LazyNormBase.initialize_parameters: num_features = input.shape[1] (even unbatched, as PyTorch's),
 * then weight ones, bias zeros, running mean zeros, running variance ones, num_batches_tracked 0. */
function lazyNormInit(m: AnyNorm, x: Tensor): void {
  if (x.ndim < 2) throw new Error('tuple index out of range');
  const n = x.shape[1];
  (m as unknown as Mutable).numFeatures = n;
  noGrad(() => {
    for (const [t, v] of [[m.weight, 1], [m.bias, 0], [m.runningMean, 0], [m.runningVar, 1]] as const) {
      if (t) { (t as UninitializedParameter).materialize([n]); t.fill_(v); }
    }
    m.numBatchesTracked?.fill_(0);
  });
}
const lazyNormOptions = (o: BatchNormModuleOptions) => ({ ...o, affine: o.affine ?? true, trackRunningStats: o.trackRunningStats ?? true });
/** BatchNorm1d with num_features inferred from the first input (dim 1). */
export class LazyBatchNorm1d extends BatchNorm1d {
  constructor(o: BatchNormModuleOptions = {}) { super(1, o); lazyNormSetup(this, o); }
  override forward(x: Tensor): Tensor { return lazyCall(this, () => lazyNormInit(this, x), BatchNorm1d, () => this.forward(x)); }
}
/** BatchNorm2d with num_features inferred from the first input (dim 1). */
export class LazyBatchNorm2d extends BatchNorm2d {
  constructor(o: BatchNormModuleOptions = {}) { super(1, o); lazyNormSetup(this, o); }
  override forward(x: Tensor): Tensor { return lazyCall(this, () => lazyNormInit(this, x), BatchNorm2d, () => this.forward(x)); }
}
/** BatchNorm3d with num_features inferred from the first input (dim 1). */
export class LazyBatchNorm3d extends BatchNorm3d {
  constructor(o: BatchNormModuleOptions = {}) { super(1, o); lazyNormSetup(this, o); }
  override forward(x: Tensor): Tensor { return lazyCall(this, () => lazyNormInit(this, x), BatchNorm3d, () => this.forward(x)); }
}
/** InstanceNorm1d with num_features inferred from the first input's dim 1; affine and trackRunningStats
 * default to true, as PyTorch 1.13's lazy instance norms (not the eager ones' false). */
export class LazyInstanceNorm1d extends InstanceNorm1d {
  constructor(o: InstanceNormOptions = {}) { super(0, lazyNormOptions(o)); lazyNormSetup(this, o); }
  override forward(x: Tensor): Tensor { return lazyCall(this, () => lazyNormInit(this, x), InstanceNorm1d, () => this.forward(x)); }
}
/** InstanceNorm2d with num_features inferred from the first input's dim 1 (affine, trackRunningStats default true). */
export class LazyInstanceNorm2d extends InstanceNorm2d {
  constructor(o: InstanceNormOptions = {}) { super(0, lazyNormOptions(o)); lazyNormSetup(this, o); }
  override forward(x: Tensor): Tensor { return lazyCall(this, () => lazyNormInit(this, x), InstanceNorm2d, () => this.forward(x)); }
}
/** InstanceNorm3d with num_features inferred from the first input's dim 1 (affine, trackRunningStats default true). */
export class LazyInstanceNorm3d extends InstanceNorm3d {
  constructor(o: InstanceNormOptions = {}) { super(0, lazyNormOptions(o)); lazyNormSetup(this, o); }
  override forward(x: Tensor): Tensor { return lazyCall(this, () => lazyNormInit(this, x), InstanceNorm3d, () => this.forward(x)); }
}
