/**
 * More torch.nn losses (PyTorch 1.13's), the modules of src/functional-losses.ts: MarginRankingLoss,
 * HingeEmbeddingLoss, SoftMarginLoss, MultiLabelSoftMarginLoss, MultiLabelMarginLoss, MultiMarginLoss,
 * CosineEmbeddingLoss, TripletMarginLoss, TripletMarginWithDistanceLoss, PoissonNLLLoss, GaussianNLLLoss;
 * PairwiseDistance; EmbeddingBag. Re-exported by src/nn-namespace.ts (not by nn.ts: these classes extend
 * nn.ts's Module). Printed as PyTorch prints them (the losses with no options shown).
 */
import { Tensor, keep, randn, type TensorOptions } from './tensor.ts';
import { noGrad } from './autograd/graph.ts';
import { Module, Parameter } from './nn.ts';
import * as F from './functional.ts';

export class MarginRankingLoss extends Module {
  constructor(readonly options: F.MarginOptions = {}) { super(); }
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor { return F.marginRankingLoss(input1, input2, target, this.options); }
}
export class HingeEmbeddingLoss extends Module {
  constructor(readonly options: F.MarginOptions = {}) { super(); }
  override forward(input: Tensor, target: Tensor): Tensor { return F.hingeEmbeddingLoss(input, target, this.options); }
}
export class SoftMarginLoss extends Module {
  constructor(readonly options: F.LossOptions = {}) { super(); }
  override forward(input: Tensor, target: Tensor): Tensor { return F.softMarginLoss(input, target, this.options); }
}
/** Its class weights are a buffer (`weight`), as PyTorch registers them. */
export class MultiLabelSoftMarginLoss extends Module {
  weight: Tensor | null;
  constructor(readonly options: F.MultiLabelSoftMarginOptions = {}) { super(); this.weight = options.weight ? keep(options.weight) : null; }
  override forward(input: Tensor, target: Tensor): Tensor { return F.multiLabelSoftMarginLoss(input, target, { ...this.options, weight: this.weight }); }
}
export class MultiLabelMarginLoss extends Module {
  constructor(readonly options: F.LossOptions = {}) { super(); }
  override forward(input: Tensor, target: Tensor): Tensor { return F.multiLabelMarginLoss(input, target, this.options); }
}
/** Its class weights are a buffer (`weight`). */
export class MultiMarginLoss extends Module {
  weight: Tensor | null;
  constructor(readonly options: F.MultiMarginOptions = {}) {
    super();
    if (options.p !== undefined && options.p !== 1 && options.p !== 2) throw new Error('only p == 1 and p == 2 supported');
    if (options.weight != null && options.weight.ndim !== 1) throw new Error('weight must be one-dimensional');
    this.weight = options.weight ? keep(options.weight) : null;
  }
  override forward(input: Tensor, target: Tensor): Tensor { return F.multiMarginLoss(input, target, { ...this.options, weight: this.weight }); }
}
export class CosineEmbeddingLoss extends Module {
  constructor(readonly options: F.MarginOptions = {}) { super(); }
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor { return F.cosineEmbeddingLoss(input1, input2, target, this.options); }
}
export class TripletMarginLoss extends Module {
  constructor(readonly options: F.TripletMarginOptions = {}) { super(); }
  override forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor { return F.tripletMarginLoss(anchor, positive, negative, this.options); }
}
/** ‖x1 − x2 + eps‖_p over the last dim (F.pairwiseDistance). */
export class PairwiseDistance extends Module {
  constructor(readonly options: F.PairwiseDistanceOptions = {}) { super(); }
  override forward(x1: Tensor, x2: Tensor): Tensor { return F.pairwiseDistance(x1, x2, this.options); }
}
export interface TripletMarginWithDistanceModuleOptions extends F.MarginOptions {
  /** a function or a module (default: a PairwiseDistance, shown as the module's child as PyTorch's) */
  distanceFunction?: ((a: Tensor, b: Tensor) => Tensor) | null;
  swap?: boolean;
}
export class TripletMarginWithDistanceLoss extends Module {
  distanceFunction: ((a: Tensor, b: Tensor) => Tensor);
  constructor(readonly options: TripletMarginWithDistanceModuleOptions = {}) {
    super();
    const margin = options.margin ?? 1;
    if (!(margin > 0)) throw new Error(`TripletMarginWithDistanceLoss: expected margin to be greater than 0, got ${margin} instead`);
    this.distanceFunction = options.distanceFunction ?? new PairwiseDistance();
  }
  override forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return F.tripletMarginWithDistanceLoss(anchor, positive, negative, { ...this.options, distanceFunction: this.distanceFunction });
  }
  /** (the distance module under PyTorch's name, distance_function) */
  override namedChildren(): Array<[string, Module]> { return super.namedChildren().map(([k, m]) => [k === 'distanceFunction' ? 'distance_function' : k, m]); }
}
export class PoissonNLLLoss extends Module {
  constructor(readonly options: F.PoissonNllOptions = {}) { super(); }
  override forward(logInput: Tensor, target: Tensor): Tensor { return F.poissonNllLoss(logInput, target, this.options); }
}
export class GaussianNLLLoss extends Module {
  constructor(readonly options: F.GaussianNllOptions = {}) { super(); }
  override forward(input: Tensor, target: Tensor, variance: Tensor): Tensor { return F.gaussianNllLoss(input, target, variance, this.options); }
}

export interface EmbeddingBagModuleOptions { mode?: F.EmbeddingBagMode; paddingIdx?: number | null; includeLastOffset?: boolean; device?: string; dtype?: TensorOptions['dtype'] }
/**
 * Bags of embeddings summed, averaged or maximised (F.embeddingBag): weight [num, dim] starts standard
 * normal (from torch.randn), the padding row zero. forward(input, offsets?, perSampleWeights?): offsets a
 * JS array of numbers.
 */
export class EmbeddingBag extends Module {
  weight: Parameter;
  readonly mode: F.EmbeddingBagMode;
  readonly paddingIdx: number | null;
  readonly includeLastOffset: boolean;
  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, o: EmbeddingBagModuleOptions = {}) {
    super();
    for (const [n, v] of [['num_embeddings', numEmbeddings], ['embedding_dim', embeddingDim]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new Error(`EmbeddingBag(): ${n} must be a non-negative integer, got ${v}`);
    }
    const mode = o.mode ?? 'mean';
    if (mode !== 'sum' && mode !== 'mean' && mode !== 'max') throw new Error('mode has to be one of sum, mean or max');
    this.mode = mode;
    const pad = o.paddingIdx ?? null;
    if (pad !== null && !(Number.isInteger(pad) && pad >= -numEmbeddings && pad < numEmbeddings)) throw new Error('padding_idx must be within num_embeddings');
    this.paddingIdx = pad === null ? null : pad < 0 ? pad + numEmbeddings : pad;
    this.includeLastOffset = o.includeLastOffset ?? false;
    const w = randn([numEmbeddings, embeddingDim], { device: o.device, dtype: o.dtype });
    if (this.paddingIdx !== null) noGrad(() => w.index(this.paddingIdx!).fill_(0));
    this.weight = new Parameter(w);
  }
  override forward(input: Tensor, offsets?: number[] | null, perSampleWeights?: Tensor | null): Tensor {
    return F.embeddingBag(input, this.weight, offsets, { mode: this.mode, perSampleWeights, includeLastOffset: this.includeLastOffset, paddingIdx: this.paddingIdx });
  }
  override extraRepr(): string { return `${this.numEmbeddings}, ${this.embeddingDim}, mode=${this.mode}${this.paddingIdx === null ? '' : `, padding_idx=${this.paddingIdx}`}`; }
}
