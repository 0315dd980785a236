/**
 * More torch.nn layers (PyTorch 1.13's) over src/functional-more.ts: Softshrink, Hardshrink,
 * LocalResponseNorm, LPPool1d / LPPool2d, AdaptiveMaxPool1d, MaxUnpool1d / 2d / 3d, Dropout1d, Dropout3d,
 * AlphaDropout and FeatureAlphaDropout, printed as PyTorch prints them.
 * Re-exported by src/nn-namespace.ts (not by nn.ts: these classes extend nn.ts's Module).
 */
import { Tensor } from './tensor.ts';
import { pyFloat } from './format.ts';
import { Module } from './nn.ts';
import * as F from './functional.ts';

type Pair = number | [number, number];
const pyBool = (v: boolean) => (v ? 'True' : 'False');
const tuple = (v: number[]) => `(${v.join(', ')}${v.length === 1 ? ',' : ''})`;
/** A number as itself, a list as a tuple: how PyTorch prints an argument as given. */
const asGiven = (v: number | number[] | null | undefined) => (v == null ? 'None' : typeof v === 'number' ? String(v) : tuple(v));
const tupleOf = (v: number | number[], n: number) => (typeof v === 'number' ? new Array<number>(n).fill(v) : [...v]);
function checkP(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
}

// =============================================================== shrinkage

/** F.softshrink with threshold lambd (default 0.5), printed `Softshrink(0.5)`. */
export class Softshrink extends Module {
  constructor(readonly lambd = 0.5) { super(); }
  override forward(x: Tensor): Tensor { return F.softshrink(x, this.lambd); }
  override extraRepr(): string { return pyFloat(this.lambd); }
}
/** F.hardshrink with threshold lambd (default 0.5), printed `Hardshrink(0.5)`. */
export class Hardshrink extends Module {
  constructor(readonly lambd = 0.5) { super(); }
  override forward(x: Tensor): Tensor { return F.hardshrink(x, this.lambd); }
  override extraRepr(): string { return pyFloat(this.lambd); }
}

// =============================================================== normalization, pooling

/** F.localResponseNorm over `size` neighbouring channels. */
export class LocalResponseNorm extends Module {
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
  constructor(readonly size: number, o: { alpha?: number; beta?: number; k?: number } = {}) {
    super();
    this.alpha = o.alpha ?? 1e-4; this.beta = o.beta ?? 0.75; this.k = o.k ?? 1;
  }
  override forward(x: Tensor): Tensor { return F.localResponseNorm(x, this.size, { alpha: this.alpha, beta: this.beta, k: this.k }); }
  override extraRepr(): string { return `${this.size}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${pyFloat(this.k)}`; }
}
/** F.lpPool1d: power-average pooling; normType and kernelSize printed as given (2, not 2.0). */
export class LPPool1d extends Module {
  constructor(readonly normType: number, readonly kernelSize: number | [number], readonly o: F.LpPool1dOptions = {}) { super(); }
  override forward(x: Tensor): Tensor { return F.lpPool1d(x, this.normType, this.kernelSize, this.o); }
  override extraRepr(): string { return `norm_type=${this.normType}, kernel_size=${asGiven(this.kernelSize)}, stride=${asGiven(this.o.stride)}, ceil_mode=${pyBool(!!this.o.ceilMode)}`; }
}
/** F.lpPool2d: power-average pooling over 2-D windows. */
export class LPPool2d extends Module {
  constructor(readonly normType: number, readonly kernelSize: Pair, readonly o: F.LpPool2dOptions = {}) { super(); }
  override forward(x: Tensor): Tensor { return F.lpPool2d(x, this.normType, this.kernelSize, this.o); }
  override extraRepr(): string { return `norm_type=${this.normType}, kernel_size=${asGiven(this.kernelSize)}, stride=${asGiven(this.o.stride)}, ceil_mode=${pyBool(!!this.o.ceilMode)}`; }
}
/** F.adaptiveMaxPool1d; returnIndices gives [values, indices]. */
export class AdaptiveMaxPool1d extends Module {
  constructor(readonly outputSize: number | [number], readonly returnIndices = false) { super(); }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override forward(x: Tensor): any { return this.returnIndices ? F.adaptiveMaxPool1d(x, this.outputSize, true) : F.adaptiveMaxPool1d(x, this.outputSize); }
  override extraRepr(): string { return `output_size=${asGiven(this.outputSize)}`; }
}

// =============================================================== max unpooling

abstract class MaxUnpoolNd extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  constructor(n: number, kernelSize: number | number[], o: { stride?: number | number[] | null; padding?: number | number[] }) {
    super();
    this.kernelSize = tupleOf(kernelSize, n); this.stride = tupleOf(o.stride ?? kernelSize, n); this.padding = tupleOf(o.padding ?? 0, n);
  }
  override extraRepr(): string { return `kernel_size=${tuple(this.kernelSize)}, stride=${tuple(this.stride)}, padding=${tuple(this.padding)}`; }
}
/** F.maxUnpool1d as a layer: forward(x, indices, outputSize?). */
export class MaxUnpool1d extends MaxUnpoolNd {
  constructor(kernelSize: number | [number], o: { stride?: number | [number] | null; padding?: number | [number] } = {}) { super(1, kernelSize, o); }
  override forward(x: Tensor, indices: Tensor, outputSize?: number[] | null): Tensor {
    return F.maxUnpool1d(x, indices, this.kernelSize[0], { stride: this.stride[0], padding: this.padding[0], outputSize });
  }
}
/** F.maxUnpool2d as a layer: forward(x, indices, outputSize?). */
export class MaxUnpool2d extends MaxUnpoolNd {
  constructor(kernelSize: Pair, o: { stride?: Pair | null; padding?: Pair } = {}) { super(2, kernelSize, o); }
  override forward(x: Tensor, indices: Tensor, outputSize?: number[] | null): Tensor {
    return F.maxUnpool2d(x, indices, this.kernelSize as [number, number], { stride: this.stride as [number, number], padding: this.padding as [number, number], outputSize });
  }
}
/** F.maxUnpool3d as a layer: forward(x, indices, outputSize?). */
export class MaxUnpool3d extends MaxUnpoolNd {
  constructor(kernelSize: F.Triple, o: { stride?: F.Triple | null; padding?: F.Triple } = {}) { super(3, kernelSize, o); }
  override forward(x: Tensor, indices: Tensor, outputSize?: number[] | null): Tensor {
    return F.maxUnpool3d(x, indices, this.kernelSize as [number, number, number], { stride: this.stride as [number, number, number], padding: this.padding as [number, number, number], outputSize });
  }
}

// =============================================================== dropout

abstract class DropoutNd extends Module {
  constructor(readonly p = 0.5) { super(); checkP(p); }
  override extraRepr(): string { return `p=${pyFloat(this.p)}, inplace=False`; }
}
/** Channel dropout of [N, C, L] or [C, L] in training (F.dropout1d); the identity in eval(). */
export class Dropout1d extends DropoutNd { override forward(x: Tensor): Tensor { return F.dropout1d(x, this.p, this.training); } }
/** Channel dropout of [N, C, D, H, W] or [C, D, H, W] in training (F.dropout3d); the identity in eval(). */
export class Dropout3d extends DropoutNd { override forward(x: Tensor): Tensor { return F.dropout3d(x, this.p, this.training); } }
/** Alpha dropout (F.alphaDropout) in training, for SELU networks; the identity in eval(). */
export class AlphaDropout extends DropoutNd { override forward(x: Tensor): Tensor { return F.alphaDropout(x, this.p, this.training); } }
/** Alpha dropout of whole channels (F.featureAlphaDropout) in training; the identity in eval(). */
export class FeatureAlphaDropout extends DropoutNd { override forward(x: Tensor): Tensor { return F.featureAlphaDropout(x, this.p, this.training); } }
