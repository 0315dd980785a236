/**
 * More torch.nn layers (PyTorch 1.13's) over src/functional-more2.ts: CTCLoss, FractionalMaxPool2d /
 * FractionalMaxPool3d, RReLU and ChannelShuffle, printed as PyTorch prints them.
 * Re-exported by src/nn-namespace.ts (not by nn.ts: these classes extend nn.ts's Module).
 */
import { Tensor } from './tensor.ts';
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
