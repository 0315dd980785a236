/**
 * More torch.nn layers (PyTorch 1.13's) over src/functional-more2.ts: CTCLoss, FractionalMaxPool2d /
 * FractionalMaxPool3d, RReLU and ChannelShuffle, printed as PyTorch prints them.
 * Re-exported by src/nn-namespace.ts (not by nn.ts: these classes extend nn.ts's Module).
 */
import { Tensor } from './tensor.ts';
import { pyFloat } from './format.ts';
import { Module } from './nn.ts';
import * as F from './functional.ts';

// =============================================================== CTC loss

/** F.ctcLoss as a layer: forward(logProbs, targets, inputLengths, targetLengths); printed `CTCLoss()`, as PyTorch. */
export class CTCLoss extends Module {
  readonly blank: number;
  readonly reduction: 'none' | 'mean' | 'sum';
  readonly zeroInfinity: boolean;
  constructor(o: F.CtcLossOptions = {}) {
    super();
    this.blank = o.blank ?? 0; this.reduction = o.reduction ?? 'mean'; this.zeroInfinity = o.zeroInfinity ?? false;
  }
  override forward(logProbs: Tensor, targets: Tensor, inputLengths: F.CtcLengths, targetLengths: F.CtcLengths): Tensor {
    return F.ctcLoss(logProbs, targets, inputLengths, targetLengths, { blank: this.blank, reduction: this.reduction, zeroInfinity: this.zeroInfinity });
  }
}

// =============================================================== fractional max pooling

abstract class FractionalMaxPoolNd extends Module {
  readonly outputSize: number[] | null;
  readonly outputRatio: number[] | null;
  readonly returnIndices: boolean;
  /** PyTorch's _random_samples: fixed samples for every forward, or null to draw new ones each time */
  randomSamples: Tensor | null;
  constructor(name: string, readonly nd: number, readonly kernelSize: number | readonly number[], o: F.FractionalMaxPoolOptions<number | readonly number[]>) {
    super();
    const tupleOf = (v: number | readonly number[]) => (typeof v === 'number' ? new Array<number>(nd).fill(v) : [...v]);
    this.outputSize = o.outputSize != null ? tupleOf(o.outputSize) : null;
    this.outputRatio = o.outputRatio != null ? tupleOf(o.outputRatio) : null;
    this.returnIndices = !!o.returnIndices;
    this.randomSamples = o.randomSamples ?? null;
    if (this.outputSize === null && this.outputRatio === null) throw new Error(`${name} requires specifying either an output size, or a pooling ratio`);
    if (this.outputSize !== null && this.outputRatio !== null) throw new Error('only one of output_size and output_ratio may be specified');
    if (this.outputRatio !== null && this.outputRatio.some((r) => !(r > 0 && r < 1))) {
      const given = o.outputRatio!;
      const py = (r: number) => (Number.isInteger(r) ? `${r}.0` : String(r));
      throw new Error(`output_ratio must be between 0 and 1 (got ${typeof given === 'number' ? py(given) : `(${given.map(py).join(', ')})`})`);
    }
  }
  protected options() { return { outputSize: this.outputSize, outputRatio: this.outputRatio, randomSamples: this.randomSamples }; }
}
/** F.fractionalMaxPool2d as a layer (outputSize or outputRatio); printed `FractionalMaxPool2d()`, as PyTorch. */
export class FractionalMaxPool2d extends FractionalMaxPoolNd {
  constructor(kernelSize: number | readonly [number, number], o: F.FractionalMaxPoolOptions<number | readonly [number, number]> = {}) { super('FractionalMaxPool2d', 2, kernelSize, o); }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override forward(x: Tensor): any {
    const o = this.options() as F.FractionalMaxPoolOptions<readonly [number, number]>;
    return this.returnIndices ? F.fractionalMaxPool2dWithIndices(x, this.kernelSize as readonly [number, number], o) : F.fractionalMaxPool2d(x, this.kernelSize as readonly [number, number], o);
  }
}
/** F.fractionalMaxPool3d as a layer (outputSize or outputRatio); printed `FractionalMaxPool3d()`. */
export class FractionalMaxPool3d extends FractionalMaxPoolNd {
  constructor(kernelSize: number | readonly [number, number, number], o: F.FractionalMaxPoolOptions<number | readonly [number, number, number]> = {}) { super('FractionalMaxPool3d', 3, kernelSize, o); }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override forward(x: Tensor): any {
    const o = this.options() as F.FractionalMaxPoolOptions<readonly [number, number, number]>;
    return this.returnIndices ? F.fractionalMaxPool3dWithIndices(x, this.kernelSize as readonly [number, number, number], o) : F.fractionalMaxPool3d(x, this.kernelSize as readonly [number, number, number], o);
  }
}

// =============================================================== RReLU, ChannelShuffle

/** F.rrelu: random slopes in [lower, upper] in training, their mean in eval(); printed `RReLU(lower=0.125, upper=0.3333333333333333)`. */
export class RReLU extends Module {
  constructor(readonly lower = 1 / 8, readonly upper = 1 / 3, readonly inplace = false) { super(); }
  override forward(x: Tensor): Tensor {
    const o = { lower: this.lower, upper: this.upper, training: this.training };
    return this.inplace ? F.rrelu_(x, o) : F.rrelu(x, o);
  }
  override extraRepr(): string { return `lower=${pyFloat(this.lower)}, upper=${pyFloat(this.upper)}${this.inplace ? ', inplace=True' : ''}`; }
}
/** F.channelShuffle with `groups`; printed `ChannelShuffle(groups=2)`. */
export class ChannelShuffle extends Module {
  constructor(readonly groups: number) { super(); }
  override forward(x: Tensor): Tensor { return F.channelShuffle(x, this.groups); }
  override extraRepr(): string { return `groups=${this.groups}`; }
}
