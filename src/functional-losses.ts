/**
 * More of torch.nn.functional's losses (PyTorch 1.13's): margin ranking, hinge embedding, soft margin,
 * multi-label soft margin, multi-label margin, multi-class margin, cosine embedding, triplet margin (and
 * with a distance function), Poisson and Gaussian negative log likelihood; pairwise_distance; and
 * embedding_bag. Composed of the frontend's ops, so they run on every device and are differentiable. Those
 * PyTorch computes as one node (soft margin, multi-label margin, multi margin, embedding bag) are one node
 * here, under its name and with its backward formula; the rest are PyTorch's compositions, so their
 * grad_fns are the same last ops (MeanBackward0, ClampMinBackward0, AddBackward0, …).
 *
 * functional.ts re-exports the public functions (one line at its end).
 */
import {
  Tensor, add, arange, checkFloat, checkTensor, clamp, compare, composite, twice, isCreatingGraph, div, exp, full, gather, indexAddZeros, indexSelect, log, mean, minimum, mul, neg,
  reshape, sigmoid, sqrt, sub, sum, sumToShape, tensor, where, extremeValues, type Operand,
} from './tensor.ts';
import { log1p, norm } from './ops-more.ts';
import { cumsum } from './ops-sort.ts';
import { formatSize } from './format.ts';
import { fmtShape, sameShape } from './shape.ts';
import { logsigmoid, type LossOptions, type Reduction } from './functional.ts';

/** PyTorch's _Reduction.get_enum: 'mean', 'sum' or 'none', else "<r> is not a valid value for reduction". */
function checkReduction(r: unknown): Reduction {
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw new Error(`${String(r)} is not a valid value for reduction`);
  return r;
}
function reduce(l: Tensor, r: Reduction): Tensor { return r === 'none' ? l : r === 'sum' ? sum(l) : mean(l); }
/** The gradient of a reduced loss, as the loss's elements: g itself ('none'), broadcast ('sum'), over n ('mean'). */
function lossGrad(g: Tensor, r: Reduction, n: number): Operand { return r === 'mean' ? div(g, n) : g; }
/** clamp_min(x, m) as its own node (ClampMinBackward0): the gradient passes where x ≥ m. */
function clampMin(x: Tensor, m: number): Tensor {
  return twice(composite('ClampMinBackward0', [x], () => clamp(x, m, null), (g) => [where(compare('ge', x, m), g, 0)], x));
}
const isIndex = (t: Tensor) => t.dtype === 'int64' || t.dtype === 'int32';

export interface MarginOptions extends LossOptions { margin?: number }

/** max(0, −y·(x1 − x2) + margin), y ±1. */
export function marginRankingLoss(input1: Tensor, input2: Tensor, target: Tensor, o: MarginOptions = {}): Tensor {
  checkTensor('margin_ranking_loss', input1, 'input1'); checkTensor('margin_ranking_loss', input2, 'input2'); checkTensor('margin_ranking_loss', target, 'target');
  const r = checkReduction(o.reduction ?? 'mean');
  if (input1.ndim !== input2.ndim || input1.ndim !== target.ndim) {
    throw new Error(`margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: ${formatSize(input1.shape)}, input2: ${formatSize(input2.shape)}, target: ${formatSize(target.shape)} `);
  }
  return reduce(clampMin(add(mul(neg(target), sub(input1, input2)), o.margin ?? 0), 0), r);
}

/** x where y is 1, max(0, margin − x) where y is −1 (margin 1). */
export function hingeEmbeddingLoss(input: Tensor, target: Tensor, o: MarginOptions = {}): Tensor {
  checkTensor('hinge_embedding_loss', input); checkTensor('hinge_embedding_loss', target, 'target');
  const r = checkReduction(o.reduction ?? 'mean');
  const marginClamp = clampMin(sub(o.margin ?? 1, input), 0);
  return reduce(add(where(compare('ne', target, 1), marginClamp, 0), where(compare('ne', target, -1), input, 0)), r);
}

/** log(1 + exp(−y·x)), one node (SoftMarginLossBackward0). */
export function softMarginLoss(input: Tensor, target: Tensor, o: LossOptions = {}): Tensor {
  checkTensor('soft_margin_loss', input); checkTensor('soft_margin_loss', target, 'target'); checkFloat('soft_margin_loss', input);
  const r = checkReduction(o.reduction ?? 'mean');
  let n = 0;
  const shape = input.shape;
  return twice(composite('SoftMarginLossBackward0', [input], () => {
    const l = log1p(exp(neg(mul(input, target))));
    n = l.numel();
    return reduce(l, r);
  }, (g) => [sumToShape(mul(mul(neg(target), sigmoid(neg(mul(input, target)))), lossGrad(g, r, n)), shape)], input, target));
}

export interface MultiLabelSoftMarginOptions extends LossOptions { weight?: Tensor | null }
/** −(y·log σ(x) + (1 − y)·log σ(−x)) (times weight, per class), averaged over the classes (the last dim). */
export function multiLabelSoftMarginLoss(input: Tensor, target: Tensor, o: MultiLabelSoftMarginOptions = {}): Tensor {
  checkTensor('multilabel_soft_margin_loss', input); checkTensor('multilabel_soft_margin_loss', target, 'target');
  let loss = neg(add(mul(target, logsigmoid(input)), mul(sub(1, target), logsigmoid(neg(input)))));
  if (o.weight != null) loss = mul(loss, o.weight);
  const classDim = input.ndim - 1, C = input.shape[classDim];
  loss = div(sum(loss, classDim), C);
  const red = o.reduction ?? 'mean';
  if (red === 'none') return loss;
  if (red === 'mean') return mean(loss);
  if (red === 'sum') return sum(loss);
  throw new Error(`${String(red)} is not valid`);
}

/** input [N, C] or [C] as [N, C]; the loss's shape for 'none' is [N] (or [] for a 1-D input). */
function asRows(input: Tensor): Tensor { return input.ndim === 1 ? input.unsqueeze(0) : input.ndim === 0 ? reshape(input, [1, 1]) : input; }

/**
 * Σ over the target classes j (target's leading entries, up to the first negative one) and the other
 * classes i of max(0, 1 − (x[j] − x[i])), over C; one node (MultilabelMarginLossBackward0). target: int64,
 * the shape of input ([C] or [N, C]). A target class counted twice counts twice, as PyTorch's.
 */
export function multiLabelMarginLoss(input: Tensor, target: Tensor, o: LossOptions = {}): Tensor {
  checkTensor('multilabel_margin_loss', input); checkTensor('multilabel_margin_loss', target, 'target'); checkFloat('multilabel_margin_loss', input);
  const r = checkReduction(o.reduction ?? 'mean');
  if (input.ndim > 2) throw new Error(`Expected non-empty vector or matrix with optional 0-dim batch size, but got: ${fmtShape(input.shape)}`);
  if (!sameShape(input.shape, target.shape)) throw new Error(`inconsistent size ${fmtShape(target.shape)} for argument #2 'target'`);
  if (!isIndex(target)) throw new Error(`multilabel_margin_loss(): target must be an int64 tensor, got ${target.dtype}`);
  const x = asRows(input), t = reshape(target, x.shape).long();
  const [N, C] = x.shape, dev = { device: x.device };
  const outShape = input.ndim === 2 ? [N] : [];
  let z!: Tensor, coef!: Tensor, oneHot!: Tensor;
  return twice(composite('MultilabelMarginLossBackward0', [input], () => {
    const valid = compare('eq', cumsum(compare('lt', t, 0).to({ dtype: x.dtype }), 1), 0).to({ dtype: x.dtype }); // [N, K]
    const tc = where(compare('lt', t, 0), 0, t).long();
    oneHot = mul(compare('eq', tc.unsqueeze(2), arange(C, dev).reshape([1, 1, C])).to({ dtype: x.dtype }), valid.unsqueeze(2)); // [N, K, C]
    const isTarget = compare('gt', sum(oneHot, 1), 0).to({ dtype: x.dtype }); // [N, C]
    z = add(sub(1, gather(x, 1, tc).unsqueeze(2)), x.unsqueeze(1)); // [N, K, C]
    coef = mul(valid.unsqueeze(2), sub(1, isTarget).unsqueeze(1));
    const l = div(sum(mul(clamp(z, 0, null), coef), [1, 2]), C);
    return reduce(reshape(l, outShape), r);
  }, (g) => {
    const gn = r === 'none' ? reshape(g, [N, 1, 1]) : (lossGrad(g, r, N) as Tensor);
    const a = div(mul(mul(compare('gt', z, 0).to({ dtype: x.dtype }), coef), gn), C); // [N, K, C]
    const gx = sub(sum(a, 1), sum(mul(sum(a, 2, true), oneHot), 1));
    return [reshape(gx, input.shape)];
  }));
}

export interface MultiMarginOptions extends MarginOptions { p?: 1 | 2; weight?: Tensor | null }
/**
 * Σ over i ≠ y of max(0, margin − x[y] + x[i])^p (times weight[y]), over C; one node
 * (MultiMarginLossBackward0). input [N, C] (target [N] int64) or [C] (target [1] or []).
 */
export function multiMarginLoss(input: Tensor, target: Tensor, o: MultiMarginOptions = {}): Tensor {
  checkTensor('multi_margin_loss', input); checkTensor('multi_margin_loss', target, 'target'); checkFloat('multi_margin_loss', input);
  const r = checkReduction(o.reduction ?? 'mean');
  const p = o.p ?? 1, margin = o.margin ?? 1, weight = o.weight ?? null;
  if (p !== 1 && p !== 2) throw new Error('only p == 1 and p == 2 supported');
  if (weight != null && weight.ndim !== 1) throw new Error('weight must be one-dimensional');
  if (input.ndim > 2 || input.numel() === 0) throw new Error(`Expected non-empty vector or matrix with optional 0-dim batch size, but got: ${fmtShape(input.shape)}`);
  const x = asRows(input), [N, C] = x.shape;
  if (!(target.ndim <= 1 && target.numel() === N)) throw new Error(`inconsistent target size, got: ${fmtShape(target.shape)}`);
  if (!isIndex(target)) throw new Error(`multi_margin_loss(): target must be an int64 tensor, got ${target.dtype}`);
  const t = reshape(target, [N, 1]).long(), dev = { device: x.device };
  const outShape = input.ndim === 2 ? [N] : target.shape;
  let z!: Tensor, notT!: Tensor, wt: Tensor | null = null;
  return twice(composite('MultiMarginLossBackward0', [input], () => {
    notT = compare('ne', arange(C, dev).reshape([1, C]), t).to({ dtype: x.dtype });
    z = add(sub(margin, gather(x, 1, t)), x);
    let h = mul(clamp(z, 0, null), notT);
    if (p === 2) h = mul(h, h);
    if (weight != null) { wt = indexSelect(weight, 0, reshape(t, [N])).unsqueeze(1); h = mul(h, wt); }
    return reduce(reshape(div(sum(h, 1), C), outShape), r);
  }, (g) => {
    const gl = r === 'none' ? reshape(g, [N, 1]) : (lossGrad(g, r, N) as Tensor);
    let dh = mul(compare('gt', z, 0).to({ dtype: x.dtype }), notT);
    // (p = 2 reads z, made without recording: a createGraph pass makes it again, recorded)
    if (p === 2) dh = mul(dh, mul(isCreatingGraph() ? add(sub(margin, gather(x, 1, t)), x) : z, 2));
    if (wt) dh = mul(dh, wt);
    dh = div(mul(dh, gl), C);
    const atT = compare('eq', arange(C, dev).reshape([1, C]), t).to({ dtype: x.dtype });
    return [reshape(sub(dh, mul(sum(dh, 1, true), atT)), input.shape)];
  }));
}

/** 1 − cos(x1, x2) where y is 1, max(0, cos(x1, x2) − margin) where y is −1; rows of [N, D] (y [N]) or one [D] (y []). */
export function cosineEmbeddingLoss(input1: Tensor, input2: Tensor, target: Tensor, o: MarginOptions = {}): Tensor {
  checkTensor('cosine_embedding_loss', input1, 'input1'); checkTensor('cosine_embedding_loss', input2, 'input2'); checkTensor('cosine_embedding_loss', target, 'target');
  const r = checkReduction(o.reduction ?? 'mean');
  const td = target.ndim;
  if (td !== 1 && td !== 0) throw new Error('0D or 1D target tensor expected, multi-target not supported');
  if (td === 1 && (input1.ndim !== 2 || input2.ndim !== 2)) throw new Error(`1D target tensor expects 2D input tensors, but found inputs with sizes ${fmtShape(input1.shape)} and ${fmtShape(input2.shape)}.`);
  if (td === 0 && (input1.ndim !== 1 || input2.ndim !== 1)) throw new Error(`0D target tensor expects 1D input tensors, but found inputs with sizes ${fmtShape(input1.shape)} and ${fmtShape(input2.shape)}.`);
  const EPS = 1e-12;
  const prodSum = sum(mul(input1, input2), td);
  const m1 = add(sum(mul(input1, input1), td), EPS), m2 = add(sum(mul(input2, input2), td), EPS);
  const cos = div(prodSum, sqrt(mul(m1, m2)));
  const pos = sub(1, cos), ng = clampMin(sub(cos, o.margin ?? 0), 0);
  return reduce(add(where(compare('eq', target, 1), pos, 0), where(compare('eq', target, -1), ng, 0)), r);
}

export interface PairwiseDistanceOptions { p?: number; eps?: number; keepdim?: boolean }
/** ‖x1 − x2 + eps‖_p over the last dim (of the larger of the two). */
export function pairwiseDistance(x1: Tensor, x2: Tensor, o: PairwiseDistanceOptions = {}): Tensor {
  checkTensor('pairwise_distance', x1, 'x1'); checkTensor('pairwise_distance', x2, 'x2');
  const inner = Math.max(x1.ndim, x2.ndim) - 1;
  return norm(add(sub(x1, x2), o.eps ?? 1e-6), o.p ?? 2, Math.max(inner, 0), o.keepdim ?? false);
}

/**
 * F.pdist: the p-norm distances between the rows of a [N, M] input, for each pair i < j in row order
 * ([N(N−1)/2]); each from the pair's difference, so that a zero distance has a zero gradient (PyTorch's
 * PdistBackward0 does the same).
 */
export function pdist(input: Tensor, p = 2): Tensor {
  checkTensor('pdist', input);
  if (input.ndim !== 2) throw new Error(`pdist only supports 2D tensors, got: ${input.ndim}D`);
  if (!(p >= 0)) throw new Error('pdist only supports non-negative p values');
  const n = input.shape[0];
  const I: number[] = [], J: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) { I.push(i); J.push(j); }
  const dev = { device: input.device === 'gpu' ? ('gpu' as const) : undefined };
  const diff = sub(input.indexSelect(0, tensor(I, { dtype: 'int64', ...dev })), input.indexSelect(0, tensor(J, { dtype: 'int64', ...dev })));
  return norm(diff, p, 1);
}

export interface TripletMarginOptions extends MarginOptions { p?: number; eps?: number; swap?: boolean }
/** max(0, margin + d(a, p) − d(a, n)), d the pairwise p-norm distance (swap: d(a, n) the smaller of it and d(p, n)). */
export function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, o: TripletMarginOptions = {}): Tensor {
  checkTensor('triplet_margin_loss', anchor, 'anchor'); checkTensor('triplet_margin_loss', positive, 'positive'); checkTensor('triplet_margin_loss', negative, 'negative');
  const r = checkReduction(o.reduction ?? 'mean');
  if (anchor.ndim !== positive.ndim || anchor.ndim !== negative.ndim) throw new Error(`All inputs should have same dimension but got ${anchor.ndim}D, ${positive.ndim}D and ${negative.ndim}D inputs.`);
  const d = { p: o.p ?? 2, eps: o.eps ?? 1e-6 };
  const dPos = pairwiseDistance(anchor, positive, d);
  let dNeg = pairwiseDistance(anchor, negative, d);
  if (o.swap) dNeg = minimum(dNeg, pairwiseDistance(positive, negative, d));
  return reduce(clampMin(sub(add(dPos, o.margin ?? 1), dNeg), 0), r);
}

export interface TripletMarginWithDistanceOptions extends MarginOptions {
  /** a distance between batches of vectors (default pairwiseDistance): a function or a module */
  distanceFunction?: ((a: Tensor, b: Tensor) => Tensor) | null;
  swap?: boolean;
}
/** max(0, margin + d(a, p) − d(a, n)) with any distance d (pairwiseDistance unless told). */
export function tripletMarginWithDistanceLoss(anchor: Tensor, positive: Tensor, negative: Tensor, o: TripletMarginWithDistanceOptions = {}): Tensor {
  checkTensor('triplet_margin_with_distance_loss', anchor, 'anchor'); checkTensor('triplet_margin_with_distance_loss', positive, 'positive'); checkTensor('triplet_margin_with_distance_loss', negative, 'negative');
  const r = checkReduction(o.reduction ?? 'mean');
  const dist = o.distanceFunction ?? ((a: Tensor, b: Tensor) => pairwiseDistance(a, b));
  const dPos = dist(anchor, positive);
  let dNeg = dist(anchor, negative);
  if (o.swap) dNeg = minimum(dNeg, dist(positive, negative));
  return reduce(clamp(add(sub(dPos, dNeg), o.margin ?? 1), 0, null), r);
}

export interface PoissonNllOptions extends LossOptions { logInput?: boolean; full?: boolean; eps?: number }
/**
 * exp(x) − y·x (logInput, the default) or x − y·log(x + eps); full adds Stirling's y·log y − y +
 * ½·log(2πy) where y > 1.
 */
export function poissonNllLoss(input: Tensor, target: Tensor, o: PoissonNllOptions = {}): Tensor {
  checkTensor('poisson_nll_loss', input); checkTensor('poisson_nll_loss', target, 'target');
  const red = o.reduction ?? 'mean';
  if (red !== 'none' && red !== 'mean' && red !== 'sum') throw new Error(`${String(red)} is not valid`);
  let loss = o.logInput ?? true ? sub(exp(input), mul(target, input)) : sub(input, mul(target, log(add(input, o.eps ?? 1e-8))));
  if (o.full) {
    const stirling = add(sub(mul(target, log(target)), target), mul(log(mul(target, 2 * Math.PI)), 0.5));
    loss = add(loss, where(compare('le', target, 1), 0, stirling));
  }
  return reduce(loss, red);
}

export interface GaussianNllOptions extends LossOptions { full?: boolean; eps?: number }
/**
 * ½·(log var + (x − y)²/var) (+ ½·log 2π with full), var clamped to at least eps (its gradient passes
 * through the clamp, as PyTorch's). var: input's shape, or it without its last dim, or with that dim 1
 * (one variance per row). PyTorch's check for negative entries of var needs the values read back: not
 * made here (they are clamped to eps).
 */
export function gaussianNllLoss(input: Tensor, target: Tensor, variance: Tensor, o: GaussianNllOptions = {}): Tensor {
  checkTensor('gaussian_nll_loss', input); checkTensor('gaussian_nll_loss', target, 'target'); checkTensor('gaussian_nll_loss', variance, 'var');
  let v = variance;
  if (!sameShape(v.shape, input.shape)) {
    const lead = input.shape.slice(0, -1);
    if (input.ndim > 0 && sameShape(lead, v.shape)) v = v.unsqueeze(-1);
    else if (input.ndim > 0 && v.ndim > 0 && sameShape(lead, v.shape.slice(0, -1)) && v.shape[v.ndim - 1] === 1) { /* one variance per row */ } else throw new Error('var is of incorrect size');
  }
  const red = o.reduction ?? 'mean';
  if (red !== 'none' && red !== 'mean' && red !== 'sum') throw new Error(`${String(red)} is not valid`);
  const eps = o.eps ?? 1e-6, vv = v;
  const vc = twice(composite('CloneBackward0', [vv], () => clamp(vv, eps, null), (g) => [g]));
  const d = sub(input, target);
  let loss = mul(add(log(vc), div(mul(d, d), vc)), 0.5);
  if (o.full) loss = add(loss, 0.5 * Math.log(2 * Math.PI));
  return reduce(loss, red);
}

// =============================================================== embedding bag

export type EmbeddingBagMode = 'sum' | 'mean' | 'max';
export interface EmbeddingBagOptions {
  mode?: EmbeddingBagMode;
  /** a weight per index (input's shape), mode 'sum' only */
  perSampleWeights?: Tensor | null;
  /** offsets has one more entry, the end of the last bag (input's length) */
  includeLastOffset?: boolean;
  /** entries of this index count for nothing (not in sums, means or maxima) */
  paddingIdx?: number | null;
}
/**
 * The sums, means or maxima of bags of embeddings (weight [V, D]): the rows of a 2-D input [B, L] (offsets
 * null), or the runs of a 1-D input that `offsets` (a JS array of start positions: values the shapes
 * depend on, so not a tensor, whose values would need reading back) begins. An empty bag gives zeros.
 * One node (EmbeddingBagBackward0) over weight (and perSampleWeights); the bags are gathered into a padded
 * [B, L] grid of indices with a mask, then summed, averaged or maximised over L.
 */
export function embeddingBag(input: Tensor, weight: Tensor, offsets?: number[] | null, o: EmbeddingBagOptions = {}): Tensor {
  checkTensor('embedding_bag', input); checkTensor('embedding_bag', weight, 'weight');
  if (!isIndex(input)) {
    throw new Error(`Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ${input.dtype} instead (while checking arguments for embedding_bag)`);
  }
  if (offsets instanceof Tensor) throw new Error('embedding_bag(): pass offsets as an array of numbers: a tensor of offsets would need its values read back (troupe decides shapes without reading values)');
  const mode = o.mode ?? 'mean';
  if (mode !== 'sum' && mode !== 'mean' && mode !== 'max') throw new Error('mode has to be one of sum, mean or max');
  if (weight.ndim !== 2) throw new Error(`embedding_bag(): weight must be 2-D [num_embeddings, embedding_dim], got shape ${fmtShape(weight.shape)}`);
  const [V, D] = weight.shape;
  const psw = o.perSampleWeights ?? null;
  if (psw != null) {
    if (mode !== 'sum') throw new Error(`embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='${mode}'). Please open a feature request on GitHub.`);
    if (!sameShape(psw.shape, input.shape)) throw new Error(`embedding_bag: If per_sample_weights (${formatSize(psw.shape)}) is not None, then it must have the same shape as the input (${formatSize(input.shape)})`);
  }
  const pad = o.paddingIdx ?? null;
  if (pad !== null && !(Number.isInteger(pad) && pad >= -V && pad < V)) throw new Error('padding_idx must be within num_embeddings');
  const padRow = pad === null ? null : pad < 0 ? pad + V : pad;
  const dev = { device: weight.device };
  let idx: Tensor, valid: Tensor | null = null, posT: Tensor | null = null, sw: Tensor | null = psw, B: number, L: number;
  if (input.ndim === 2) {
    if (offsets != null) throw new Error('if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length sequences. However, found offsets of type <class \'list\'>');
    [B, L] = input.shape;
    idx = input;
  } else if (input.ndim === 1) {
    if (offsets == null) throw new Error('offsets has to be a 1D Tensor but got None');
    if (!Array.isArray(offsets) || offsets.some((v) => !Number.isInteger(v))) throw new Error('embedding_bag(): offsets must be an array of integers');
    const n = input.shape[0];
    if (offsets.length > 0 && offsets[0] !== 0) throw new Error(`offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. However, got ${offsets[0]}`);
    if (offsets.length > 0 && offsets[offsets.length - 1] > n) throw new Error(`offsets[-1] can not be greater than input's length ${n} but got offsets[-1] of ${offsets[offsets.length - 1]}`);
    for (let i = 1; i < offsets.length; i++) if (offsets[i] < offsets[i - 1]) throw new Error(`embedding_bag(): offsets must be non-decreasing, got ${JSON.stringify(offsets)}`);
    const starts = o.includeLastOffset ? offsets.slice(0, -1) : offsets;
    const ends = starts.map((s, b) => (b + 1 < offsets.length ? offsets[b + 1] : n));
    if (o.includeLastOffset && offsets.length > 0) ends[ends.length - 1] = offsets[offsets.length - 1];
    B = starts.length;
    L = Math.max(1, ...ends.map((e, b) => e - starts[b]));
    if (n === 0) return full([B, D], 0, { dtype: weight.dtype, device: weight.device });
    const pos = new Int32Array(B * L), ok = new Float64Array(B * L);
    for (let b = 0; b < B; b++) for (let k = 0; k < L; k++) if (starts[b] + k < ends[b]) { pos[b * L + k] = starts[b] + k; ok[b * L + k] = 1; }
    posT = tensor(pos, { dtype: 'int32', device: input.device });
    idx = reshape(indexSelect(input, 0, posT), [B, L]);
    valid = reshape(tensor(ok, { dtype: weight.dtype, device: input.device }), [B, L]);
    if (psw) sw = reshape(indexSelect(psw, 0, posT), [B, L]);
    if (psw) sw = mul(sw!, valid);
  } else throw new Error(`input has to be 1D or 2D Tensor, but got Tensor of dimension ${input.ndim}`);
  if (input.device !== weight.device) throw new Error(`Expected all tensors to be on the same device, but found at least two devices! (embedding_bag: weight and indices)`);
  const flat = reshape(idx, [-1]);
  // the entries that count: inside their bag and not the padding index, as weight's dtype [B, L]
  let mask: Tensor | null = valid;
  if (padRow !== null) {
    const notPad = compare('ne', idx, padRow).to({ dtype: weight.dtype });
    mask = mask ? mul(mask, notPad) : notPad;
  }
  let emb!: Tensor, coef!: Tensor, count: Tensor | null = null;
  /** mode sum / mean: each entry's factor [B, L, 1] (the mask, the per-sample weight, 1 / the bag's count) */
  const sumCoef = (): Tensor => {
    let c: Tensor | null = mask;
    if (sw) c = c ? mul(c, sw) : sw;
    if (mode === 'mean') {
      const n = mask ? clamp(sum(mask, 1, true), 1, null) : full([B, 1], L, { dtype: weight.dtype, device: weight.device });
      c = c ? div(c, n) : div(full([B, L], 1, { dtype: weight.dtype, device: weight.device }), n);
    }
    return c ? c.unsqueeze(2) : full([B, L, 1], 1, { dtype: weight.dtype, device: weight.device });
  };
  const inputs: Operand[] = psw ? [weight, psw] : [weight];
  return twice(composite('EmbeddingBagBackward0', inputs, () => {
    emb = reshape(indexSelect(weight, 0, flat), [B, L, D]);
    if (mode === 'max') {
      const m = mask ? compare('gt', mask, 0).unsqueeze(2) : null;
      const picked = m ? where(m, emb, -Infinity) : emb;
      const best = extremeValues('max', picked, [1], true); // [B, 1, D]
      // the first position of each bag's largest, per feature (the gradient's destination)
      const L1 = arange(L, dev).reshape([1, L, 1]);
      const first = extremeValues('min', where(compare('eq', picked, best), L1, L), [1], true);
      coef = compare('eq', L1, first).to({ dtype: weight.dtype }); // [B, L, D]
      if (m) {
        count = compare('gt', sum(mask!, 1, true), 0).to({ dtype: weight.dtype }).unsqueeze(2); // [B, 1, 1]: the bag is not empty
        coef = mul(coef, count);
        return reshape(where(compare('gt', count, 0), best, 0), [B, D]);
      }
      return reshape(best, [B, D]);
    }
    coef = sumCoef();
    return sum(mul(emb, coef), 1);
  }, (g) => {
    // (coef reads perSampleWeights and emb the weight, both made without recording: a createGraph pass
    // makes them again, recorded; max's coef is a mask)
    if (isCreatingGraph()) {
      emb = reshape(indexSelect(weight, 0, flat), [B, L, D]);
      if (mode !== 'max') coef = sumCoef();
    }
    const gl = mul(g.unsqueeze(1), coef); // [B, L, D]
    const gw = indexAddZeros(reshape(gl.expand([B, L, D]), [-1, D]), 0, flat, [V, D]);
    if (!psw) return [gw];
    if (!psw.requiresGrad) return [gw, null];
    let gs = sum(mul(emb, g.unsqueeze(1)), 2); // [B, L]
    if (mask) gs = mul(gs, mask);
    if (posT) gs = indexAddZeros(reshape(gs, [-1]), 0, posT, psw.shape);
    return [gw, gs];
  }));
}
