/**
 * More torch.nn (PyTorch 1.13's): AdaptiveLogSoftmaxWithLoss, the efficient softmax approximation of Grave
 * et al. (a head over the shortlist and one entry per cluster, each cluster's classes by its own
 * two-layer projection), printed and named as PyTorch's (head.weight, tail.0.0.weight, …).
 * Re-exported by src/nn-namespace.ts (not by nn.ts: these classes extend nn.ts's Module).
 */
import { Tensor, cat, logSoftmax, tensor, zeros, type TensorOptions } from './tensor.ts';
import { Linear, Module, ModuleList, Sequential } from './nn.ts';

/** What AdaptiveLogSoftmaxWithLoss's forward gives (PyTorch's _ASMoutput namedtuple). */
export interface ASMOutput { output: Tensor; loss: Tensor }

export interface AdaptiveLogSoftmaxWithLossOptions { divValue?: number; headBias?: boolean; device?: string; dtype?: TensorOptions['dtype'] }

const CUTOFFS_ERROR = 'cutoffs should be a sequence of unique, positive integers sorted in an increasing order, where each value is between 1 and n_classes-1';
/** Python's str(torch.Size(shape)). */
const pySize = (shape: readonly number[]) => `torch.Size([${shape.join(', ')}])`;

/**
 * Adaptive softmax: classes below cutoffs[0] (the shortlist) scored by the head, a Linear(inFeatures,
 * shortlist + clusters) (bias with headBias); cluster i's classes [cutoffs[i], cutoffs[i+1]) by
 * tail[i] = Sequential(Linear(inFeatures, ⌊inFeatures / divValue^(i+1)⌋), Linear(that, size)), both without
 * bias, its log-probabilities added to the head's for the cluster's entry.
 *
 * forward(input [N, inFeatures], target [N]) (or [inFeatures] and a 0-d target) resolves to { output, loss }:
 * each row's log-probability of its target and their negated mean. It is async: which rows go to which
 * cluster is read from the target (PyTorch's nonzero). logProb(input) gives every class's log-probability
 * [N, nClasses]; predict(input) (async) the most probable class, as logProb(input).argmax(1).
 */
export interface AdaptiveLogSoftmaxWithLoss { (input: Tensor, target: Tensor): Promise<ASMOutput> }
export class AdaptiveLogSoftmaxWithLoss extends Module {
  readonly inFeatures: number;
  readonly nClasses: number;
  /** The cutoffs, nClasses appended (PyTorch's self.cutoffs). */
  readonly cutoffs: number[];
  readonly divValue: number;
  readonly headBias: boolean;
  readonly shortlistSize: number;
  readonly nClusters: number;
  readonly headSize: number;
  head: Linear;
  tail: ModuleList;
  constructor(inFeatures: number, nClasses: number, cutoffs: Iterable<number>, o: AdaptiveLogSoftmaxWithLossOptions = {}) {
    super();
    const cs = [...cutoffs];
    const sorted = [...cs].sort((a, b) => a - b);
    if (cs.length === 0 || cs.some((c, i) => c !== sorted[i]) || Math.min(...cs) <= 0 || Math.max(...cs) > nClasses - 1
      || new Set(cs).size !== cs.length || cs.some((c) => !Number.isInteger(c))) throw new Error(CUTOFFS_ERROR);
    this.inFeatures = inFeatures;
    this.nClasses = nClasses;
    this.cutoffs = [...cs, nClasses];
    this.divValue = o.divValue ?? 4.0;
    this.headBias = o.headBias ?? false;
    this.shortlistSize = this.cutoffs[0];
    this.nClusters = this.cutoffs.length - 1;
    this.headSize = this.shortlistSize + this.nClusters;
    const dev = { device: o.device, dtype: o.dtype };
    this.head = new Linear(inFeatures, this.headSize, { bias: this.headBias, ...dev });
    this.tail = new ModuleList();
    for (let i = 0; i < this.nClusters; i++) {
      const hsz = Math.floor(inFeatures / this.divValue ** (i + 1));
      const osz = this.cutoffs[i + 1] - this.cutoffs[i];
      this.tail.append(new Sequential(new Linear(inFeatures, hsz, { bias: false, ...dev }), new Linear(hsz, osz, { bias: false, ...dev })));
    }
  }
  private tailAt(i: number): Module { return (this.tail as unknown as Record<number, Module>)[i]; }

  override async forward(input: Tensor, target: Tensor): Promise<ASMOutput> {
    const targDim = target.ndim;
    if (targDim === 1) {
      if (input.shape[0] !== target.shape[0]) throw new Error('Input and target should have the same size in the batch dimension.');
      if (input.ndim !== 2) throw new Error(`('1D target tensor expects 2D input tensors, but found inputs with size', ${pySize(input.shape)})`);
    } else if (targDim === 0) {
      if (input.ndim !== 1) throw new Error(`('0D target tensor expects 1D input tensors, but found inputs with size', ${pySize(input.shape)})`);
    } else throw new Error('0D or 1D target tensor expected, multi-target not supported');
    const batched = targDim > 0;
    const x = batched ? input : input.unsqueeze(0);
    const tgt = batched ? target : target.unsqueeze(0);
    const tv = Array.from(await tgt.toTypedArray(), Number);
    const batch = tv.length;
    const index = (rows: number[]) => tensor(rows, { dtype: 'int64' }).to({ device: x.device });

    let output = zeros([batch], { dtype: x.dtype }).to({ device: x.device });
    const gatherInds = new Array<number>(batch).fill(0);
    const cutoffValues = [0, ...this.cutoffs];
    let usedRows = 0;
    for (let i = 0; i < cutoffValues.length - 1; i++) {
      const low = cutoffValues[i], high = cutoffValues[i + 1];
      const rows = tv.flatMap((t, r) => (t >= low && t < high ? [r] : []));
      if (rows.length === 0) continue;
      if (i === 0) for (const r of rows) gatherInds[r] = tv[r];
      else {
        const idx = index(rows);
        const clusterOutput = this.tailAt(i - 1)(x.indexSelect(0, idx));
        for (const r of rows) gatherInds[r] = this.shortlistSize + i - 1;
        const relative = index(rows.map((r) => tv[r] - low));
        const local = logSoftmax(clusterOutput, 1).gather(1, relative.unsqueeze(1));
        output = output.indexCopy(0, idx, local.squeeze(1));
      }
      usedRows += rows.length;
    }
    if (usedRows !== batch) {
      throw new Error(`Target values should be in [0, ${this.nClasses - 1}], but values in range [${Math.min(...tv)}, ${Math.max(...tv)}] were found. `);
    }
    const headLogprob = logSoftmax(this.head(x), 1);
    output = output.add(headLogprob.gather(1, index(gatherInds).unsqueeze(1)).squeeze(1));
    const loss = output.neg().mean();
    return { output: batched ? output : output.squeeze(0), loss };
  }

  /** The log-probabilities of all the classes, from the input and the head's output. */
  private fullLogProb(input: Tensor, headOutput: Tensor): Tensor {
    const headLogprob = logSoftmax(headOutput, 1);
    const parts = [headLogprob.narrow(1, 0, this.shortlistSize)];
    for (let i = 0; i < this.nClusters; i++) {
      const clusterLogprob = logSoftmax(this.tailAt(i)(input), 1);
      parts.push(clusterLogprob.add(headLogprob.narrow(1, this.shortlistSize + i, 1)));
    }
    return cat(parts, 1);
  }
  /** Every class's log-probability, [N, nClasses]. */
  logProb(input: Tensor): Tensor { return this.fullLogProb(input, this.head(input)); }
  /** The most probable class of each row (logProb(input).argmax(1)), the tails run only where the head's
   * best is a cluster. */
  async predict(input: Tensor): Promise<Tensor> {
    const headOutput = this.head(input);
    const output = headOutput.argmax(1);
    const best = Array.from(await output.toTypedArray(), Number);
    const rows = best.flatMap((b, r) => (b >= this.shortlistSize ? [r] : []));
    if (rows.length === 0) return output;
    if (rows.length === best.length) return this.fullLogProb(input, headOutput).argmax(1);
    const idx = tensor(rows, { dtype: 'int64' }).to({ device: input.device });
    return output.indexCopy(0, idx, this.fullLogProb(input.indexSelect(0, idx), headOutput.indexSelect(0, idx)).argmax(1));
  }
}
