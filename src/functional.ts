/**
 * torch.nn.functional: the layers, activations and losses of nn (src/nn.ts) as functions. Each is composed
 * of the frontend's ops (src/tensor.ts), so it runs wherever they run (in-process, sharded over the CPU
 * workers, on the GPU) and is differentiable; those PyTorch records as one autograd node are recorded
 * here as one node too, under PyTorch's name and with its backward formula (`grad_fn=<MseLossBackward0>`).
 *
 * Options follow the tensor, in an object: `crossEntropy(logits, target, { labelSmoothing: 0.1 })`.
 */
import {
  Tensor, SCALAR_TYPE, cat, convRaw, extremeValues, tensor, checkFloat, checkTensor, deviceName, full, gather, indexAddZeros, indexSelect, scatterAddRaw, scatterAddRecorded, isCreatingGraph, twice, abs, add, arange, clamp, composite, compare, div, exp, log, logSoftmax, matmul, mean, mm, mul, neg,
  rand, relu, reshape, sigmoid, sign, softmax, someNow, sqrt, sub, sum, sumToShape, tanh, where, type Operand,
} from './tensor.ts';
import { contiguousStrides, fmtShape, sameShape } from './shape.ts';
import { isFloat } from './dtype.ts';
import { formatSize } from './format.ts';
import { isGradEnabled, noGrad } from './autograd/graph.ts';
import { convOpAvailable } from './runtime/runtime.ts';
import { REDUCE_BLOCK } from './runtime/protocol.ts';
import { erf, log1p, norm } from './ops-more.ts';
import { interpolateDims, interpolateLinear, padIndexed } from './functional-extra.ts';
import { interpolateBicubic } from './functional-3d.ts';

export type Reduction = 'mean' | 'sum' | 'none';

function checkReduction(r: unknown): Reduction {
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw new Error(`${String(r)} is not a valid value for reduction (expected 'mean', 'sum' or 'none')`);
  return r;
}
function reduce(l: Tensor, r: Reduction): Tensor { return r === 'none' ? l : r === 'sum' ? sum(l) : mean(l); }
/** The gradient of a reduced loss, as the loss's elements: g itself ('none'), broadcast ('sum'), over n ('mean'). */
function lossGrad(g: Tensor, r: Reduction, n: number): Operand { return r === 'mean' ? div(g, n) : g; }
const warned = new Set<string>();
function warnBroadcast(input: Tensor, target: Tensor): void {
  if (sameShape(input.shape, target.shape)) return;
  const msg = `Using a target size (${formatSize(target.shape)}) that is different to the input size (${formatSize(input.shape)}). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.`;
  if (!warned.has(msg)) { warned.add(msg); process.emitWarning(msg, 'UserWarning'); }
}

// =============================================================== layers

/**
 * x @ weight^T + bias: weight [out, in], bias [out]; x [..., in] gives [..., out]. A 2-D x with a bias is
 * one node (AddmmBackward0), as PyTorch's; more dims are viewed as 2-D and back (ViewBackward0).
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkTensor('linear', x); checkTensor('linear', weight, 'weight');
  if (weight.ndim !== 2) throw new Error(`linear(): weight must be 2-D [out_features, in_features], got shape ${fmtShape(weight.shape)}`);
  if (bias != null) checkTensor('linear', bias, 'bias');
  if (x.ndim > 2) {
    const inner = linear(reshape(x, [-1, x.shape[x.ndim - 1]]), weight, bias);
    return reshape(inner, [...x.shape.slice(0, -1), weight.shape[0]]);
  }
  const wt = weight.t();
  if (x.ndim === 2 && bias != null) return addmm(bias, x, wt);
  const y = matmul(x, wt);
  return bias != null ? add(y, bias) : y;
}

/** input + mat1 @ mat2 (beta and alpha scale input and the product, as PyTorch's addmm). */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, o: { beta?: number; alpha?: number } = {}): Tensor {
  checkTensor('addmm', input); checkTensor('addmm', mat1, 'mat1'); checkTensor('addmm', mat2, 'mat2');
  if (mat1.ndim !== 2 || mat2.ndim !== 2) throw new Error(`addmm(): mat1 and mat2 must be 2-D, got ${mat1.ndim}-D and ${mat2.ndim}-D`);
  const beta = o.beta ?? 1, alpha = o.alpha ?? 1;
  const inShape = input.shape;
  return twice(composite('AddmmBackward0', [input, mat1, mat2], () => {
    const p = mm(mat1, mat2);
    return add(beta === 1 ? input : mul(input, beta), alpha === 1 ? p : mul(p, alpha));
  }, (g) => {
    const ga = alpha === 1 ? g : mul(g, alpha);
    return [
      input.requiresGrad ? sumToShape(beta === 1 ? g : mul(g, beta), inShape) : null,
      mat1.requiresGrad ? mm(ga, mat2.t()) : null,
      mat2.requiresGrad ? mm(mat1.t(), ga) : null,
    ];
  }, mat1.requiresGrad ? mat2 : null, mat2.requiresGrad ? mat1 : null));
}

/**
 * Zeroes each element with probability p and scales the rest by 1 / (1 - p), in training; the identity
 * otherwise (and for p = 0). The mask comes from torch.rand, so manualSeed makes it repeatable.
 */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  checkTensor('dropout', x);
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return x;
  if (p === 1) return mul(x, 0);
  const keep = compare('ge', rand([...x.shape], { device: x.device, dtype: isFloat(x.dtype) ? x.dtype : 'float32' }), p);
  return mul(x, mul(keep, 1 / (1 - p)));
}

// =============================================================== activations

export { relu, sigmoid, tanh, softmax, logSoftmax } from './tensor.ts';

/** x where x > 0, else slope · x. */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  checkTensor('leaky_relu', x); checkFloat('leaky_relu', x);
  return twice(composite('LeakyReluBackward0', [x], () => where(compare('gt', x, 0), x, mul(x, negativeSlope)),
    (g) => [where(compare('gt', x, 0), g, mul(g, negativeSlope))], x));
}
/** x where x > 0, else alpha · (e^x − 1). */
export function elu(x: Tensor, alpha = 1): Tensor {
  checkTensor('elu', x); checkFloat('elu', x);
  let out!: Tensor;
  return twice(composite('EluBackward0', [x], () => (out = where(compare('gt', x, 0), x, mul(sub(exp(x), 1), alpha))),
    (g) => [where(compare('gt', out, 0), g, mul(g, add(out, alpha)))], out));
}
/** x · sigmoid(x) (swish). */
export function silu(x: Tensor): Tensor {
  checkTensor('silu', x); checkFloat('silu', x);
  return twice(composite('SiluBackward0', [x], () => mul(x, sigmoid(x)), (g) => {
    const s = sigmoid(x);
    return [mul(g, mul(s, add(mul(x, sub(1, s)), 1)))];
  }, x));
}
/** log(1 + e^(beta·x)) / beta, and x itself where beta·x > threshold. */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  checkTensor('softplus', x); checkFloat('softplus', x);
  return twice(composite('SoftplusBackward0', [x], () => {
    const bx = mul(x, beta);
    return where(compare('gt', bx, threshold), x, div(log1p(exp(bx)), beta));
  }, (g) => {
    const bx = mul(x, beta);
    return [where(compare('gt', bx, threshold), g, mul(g, sigmoid(bx)))];
  }, x));
}

const SQRT1_2 = Math.SQRT1_2, SQRT_2_PI = Math.sqrt(2 / Math.PI), INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
/**
 * GELU: x · Φ(x) (approximate 'none', erf as above) or PyTorch's tanh form
 * 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (approximate 'tanh').
 */
export function gelu(x: Tensor, o: { approximate?: 'none' | 'tanh' } = {}): Tensor {
  checkTensor('gelu', x); checkFloat('gelu', x);
  const approx = o.approximate ?? 'none';
  if (approx !== 'none' && approx !== 'tanh') throw new Error(`approximate argument must be either none or tanh, got ${String(approx)}`);
  if (approx === 'tanh') {
    const inner = () => mul(add(x, mul(mul(mul(x, x), x), 0.044715)), SQRT_2_PI);
    return twice(composite('GeluBackward0', [x], () => mul(mul(x, 0.5), add(tanh(inner()), 1)), (g) => {
      const th = tanh(inner());
      const dInner = mul(add(mul(mul(x, x), 3 * 0.044715), 1), SQRT_2_PI);
      const d = add(mul(add(th, 1), 0.5), mul(mul(mul(x, 0.5), sub(1, mul(th, th))), dInner));
      return [mul(g, d)];
    }, x));
  }
  return twice(composite('GeluBackward0', [x], () => mul(mul(x, 0.5), add(erf(mul(x, SQRT1_2)), 1)), (g) => {
    const cdf = mul(add(erf(mul(x, SQRT1_2)), 1), 0.5);
    const pdf = mul(exp(mul(mul(x, x), -0.5)), INV_SQRT_2PI);
    return [mul(g, add(cdf, mul(x, pdf)))];
  }, x));
}

// =============================================================== losses

export interface LossOptions { reduction?: Reduction }

/** The mean (or sum, or each) of (input − target)². */
export function mseLoss(input: Tensor, target: Tensor, o: LossOptions = {}): Tensor {
  checkTensor('mse_loss', input); checkTensor('mse_loss', target, 'target');
  const r = checkReduction(o.reduction ?? 'mean');
  warnBroadcast(input, target);
  let n = 0;
  const inShape = input.shape, tShape = target.shape;
  return twice(composite('MseLossBackward0', [input, target], () => {
    const d = sub(input, target);
    const sq = mul(d, d);
    n = sq.numel();
    return reduce(sq, r);
  }, (g) => {
    const gd = mul(sub(input, target), lossGrad(mul(g, 2), r, n));
    return [input.requiresGrad ? sumToShape(gd, inShape) : null, target.requiresGrad ? sumToShape(neg(gd), tShape) : null];
  }, input, target));
}
/** The mean (or sum, or each) of |input − target|. */
export function l1Loss(input: Tensor, target: Tensor, o: LossOptions = {}): Tensor {
  checkTensor('l1_loss', input); checkTensor('l1_loss', target, 'target');
  const r = checkReduction(o.reduction ?? 'mean');
  warnBroadcast(input, target);
  return reduce(abs(sub(input, target)), r);
}

export interface NllOptions extends LossOptions {
  /** a weight per class, [C] */
  weight?: Tensor | null;
  /** samples whose target is this class index count for nothing (default -100) */
  ignoreIndex?: number;
}
export interface CrossEntropyOptions extends NllOptions {
  /** mixes the target with the uniform distribution over the classes: (1 − ε)·target + ε/C */
  labelSmoothing?: number;
}

/** The class dim of a loss input: [N, C, d1, …] -> 1, [C] -> 0 (an unbatched sample). */
function classDim(fn: string, input: Tensor): number {
  if (input.ndim === 0) throw new Error(`${fn}(): input must be [N, C, …] (a batch) or [C] (one sample), got a 0-d tensor`);
  return input.ndim === 1 ? 0 : 1;
}
/** A per-class tensor [C] shaped to broadcast along an input's class dim ([C, 1, …] for [N, C, d1, …]). */
const alongClasses = (w: Tensor, input: Tensor) => (input.ndim > 2 ? reshape(w, [w.numel(), ...new Array<number>(input.ndim - 2).fill(1)]) : w);
interface Picked { t: Tensor; valid: Tensor; w: Tensor | null }
/** The checked target: its classes with ignored samples' set to 0 (t, [N, 1] or [1]), which samples
 * count (valid) and their class weights (w). */
function pick(fn: string, input: Tensor, target: Tensor, o: NllOptions): Picked {
  checkTensor(fn, target, 'target');
  if (target.dtype !== 'int64') throw new Error(`expected scalar type Long but found ${SCALAR_TYPE[target.dtype]} (${fn}: the target holds class indices, int64)`);
  if (target.device !== input.device) throw new Error(`Expected all tensors to be on the same device, but found at least two devices, ${deviceName(input.device)} and ${deviceName(target.device)}! (${fn}: input and target)`);
  if (input.ndim === 2) {
    if (target.ndim !== 1) throw new Error(target.ndim === 0 ? `${fn}(): a batched input [N, C] needs a target of shape [N], got a 0-d tensor` : '0D or 1D target tensor expected, multi-target not supported');
    if (target.shape[0] !== input.shape[0]) throw new Error(`Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.shape[0]}).`);
  } else if (input.ndim > 2) {
    const want = [input.shape[0], ...input.shape.slice(2)];
    if (!sameShape(target.shape, want)) throw new Error(`Expected target size ${fmtShape(want)}, got ${fmtShape(target.shape)}`);
  } else if (target.ndim !== 0) throw new Error(`${fn}(): an unbatched input [C] needs a 0-d target, got shape ${fmtShape(target.shape)}`);
  const d = classDim(fn, input), C = input.shape[d];
  const weight = o.weight ?? null;
  if (weight !== null) {
    checkTensor(fn, weight, 'weight');
    if (weight.ndim !== 1 || weight.shape[0] !== C) throw new Error(`weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${fmtShape(weight.shape)}`);
  }
  const ignore = o.ignoreIndex ?? -100;
  const valid = compare('ne', target, ignore);
  // (An ignored sample reads class 0, then counts for nothing; a class outside [0, C) is the gather's
  // error: "index 3 is out of bounds for dimension 1 with size 3", PyTorch's "Target 3 is out of bounds".)
  const safe = where(valid, target, 0);
  const w = weight === null ? null : indexSelect(weight, 0, reshape(safe, [-1])).reshape(safe.shape);
  return { t: safe.unsqueeze(d), valid, w };
}

/**
 * Negative log likelihood of class indices: input holds log-probabilities [N, C] (or [C]); target the
 * classes [N] (or a 0-d one), int64. 'mean' divides by the total weight of the counted samples.
 */
export function nllLoss(input: Tensor, target: Tensor, o: NllOptions = {}): Tensor {
  checkTensor('nll_loss', input); checkFloat('nll_loss', input);
  classDim('nll_loss', input);
  const r = checkReduction(o.reduction ?? 'mean');
  return nllPicked(input, pick('nll_loss', input, target, o), r);
}
/** nllLoss of log-probabilities against a target already picked out (pick). */
function nllPicked(input: Tensor, pk: Picked, r: Reduction): Tensor {
  let coef!: Tensor, total: Tensor | null = null;
  const d = input.ndim === 1 ? 0 : 1;
  // (PyTorch's name for inputs with dims past the class dim: nll_loss2d's)
  // (coef and total are constants: the gradient is g's, scattered by a recorded op)
  return twice(composite(input.ndim > 2 ? 'NllLoss2DBackward0' : 'NllLossBackward0', [input], () => {
    // coef: each sample's weight, 0 for ignored ones.
    coef = where(pk.valid, pk.w ?? 1, 0);
    if (coef.dtype !== input.dtype) coef = coef.to({ dtype: input.dtype });
    const each = neg(mul(gather(input, d, pk.t).squeeze(d), coef));
    if (r === 'none') return each;
    if (r === 'sum') return sum(each);
    total = sum(coef);
    return div(sum(each), total);
  }, (g) => {
    let c: Tensor = neg(coef);
    if (r === 'mean') c = div(c, total!);
    return [scatterAddRecorded(mul(g, c).unsqueeze(d), pk.t, pk.t._view(), d, input.shape)];
  }));
}

/**
 * Cross entropy of logits [N, C] (or [C]) against class indices [N] (int64) or against probabilities of
 * input's shape (float): logSoftmax then the negative log likelihood, with PyTorch's weight, ignoreIndex
 * and labelSmoothing.
 */
export function crossEntropy(input: Tensor, target: Tensor, o: CrossEntropyOptions = {}): Tensor {
  checkTensor('cross_entropy', input); checkTensor('cross_entropy', target, 'target');
  checkFloat('cross_entropy', input);
  const d = classDim('cross_entropy', input);
  const r = checkReduction(o.reduction ?? 'mean');
  const eps = o.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new Error(`label_smoothing must be between 0.0 and 1.0. Got: ${eps}`);
  const C = input.shape[d];
  if (isFloat(target.dtype)) {
    // Class probabilities.
    if (!sameShape(target.shape, input.shape)) throw new Error(`cross_entropy(): probability targets must have the input's shape ${fmtShape(input.shape)}, got ${fmtShape(target.shape)}`);
    const lp = logSoftmax(input, d);
    let p: Tensor = target;
    if (eps > 0) p = add(mul(p, 1 - eps), eps / C);
    let terms = mul(lp, p);
    if (o.weight) terms = mul(terms, alongClasses(o.weight, input));
    const each = neg(sum(terms, d));
    if (r === 'none' || (r === 'mean' && input.ndim === 1)) return each;
    if (r === 'sum') return sum(each);
    const total = sum(each), n = input.numel() / C;
    return twice(composite('DivBackward1', [total], () => div(total, n), (g) => [div(g, n)])); // (PyTorch's name: a division by a number)
  }
  const pk = pick('cross_entropy', input, target, o); // (checks the target before any work)
  const lp = logSoftmax(input, d);
  const nll = nllPicked(lp, pk, r);
  if (eps === 0) return nll;
  let terms = lp;
  if (o.weight) terms = mul(terms, alongClasses(o.weight, input));
  const smooth = where(pk.valid, neg(sum(terms, d)), 0);
  let sm: Tensor;
  if (r === 'none') sm = smooth;
  else if (r === 'sum') sm = sum(smooth);
  else sm = div(sum(smooth), o.weight ? sum(where(pk.valid, pk.w!, 0)) : sum(pk.valid.to({ dtype: input.dtype })));
  return add(mul(nll, 1 - eps), mul(sm, eps / C));
}

export interface BceOptions extends LossOptions {
  /** a weight per element, broadcast to the input's shape */
  weight?: Tensor | null;
}
/**
 * Binary cross entropy of probabilities in [0, 1]: −w·(t·log(x) + (1 − t)·log(1 − x)), each log at least
 * −100 (PyTorch's clamp, so x = 0 or 1 gives 100, not inf). An input outside [0, 1] (or NaN) is PyTorch's
 * error where its values are at hand (a final CPU tensor), else NaN in the loss.
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, o: BceOptions = {}): Tensor {
  checkTensor('binary_cross_entropy', input); checkTensor('binary_cross_entropy', target, 'target');
  checkFloat('binary_cross_entropy', input);
  const r = checkReduction(o.reduction ?? 'mean');
  if (!sameShape(input.shape, target.shape)) {
    throw new Error(`Using a target size (${fmtShape(target.shape)}) that is different to the input size (${fmtShape(input.shape)}) is deprecated. Please ensure they have the same size.`);
  }
  if (target.requiresGrad && isGradEnabled()) throw new Error("the derivative for 'target' is not implemented");
  // (PyTorch's check, where the values are at hand: a CPU input with nothing queued; else NaN there)
  if (someNow(input, (v) => !(v >= 0 && v <= 1))) throw new Error('all elements of input should be between 0 and 1');
  const weight = o.weight ?? null;
  const n = input.numel();
  const outside = where(compare('lt', input, 0), true, compare('gt', input, 1));
  return twice(composite('BinaryCrossEntropyBackward0', [input], () => {
    const lx = clamp(log(input), -100), l1x = clamp(log(sub(1, input)), -100);
    let l = neg(add(mul(target, lx), mul(sub(1, target), l1x)));
    l = where(outside, NaN, l);
    if (weight) l = mul(l, weight);
    return reduce(l, r);
  }, (g) => {
    // (x − t) / max(x·(1 − x), 1e-12), as PyTorch's.
    let gi = div(sub(input, target), clamp(mul(input, sub(1, input)), 1e-12));
    if (weight) gi = mul(gi, weight);
    return [mul(gi, lossGrad(g, r, n))];
  }, input, target));
}

export interface BceLogitsOptions extends BceOptions {
  /** a weight for the positive class, per class (broadcast along the last dim) */
  posWeight?: Tensor | null;
}
/**
 * Binary cross entropy of logits (sigmoid folded in, stable for large |x|): PyTorch's formula
 * (1 − t)·x + m + log(e^−m + e^(−x−m)) with m = max(−x, 0), and with posWeight p:
 * (1 − t)·x + (1 + (p − 1)·t)·(log(1 + e^−|x|) + max(−x, 0)).
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, o: BceLogitsOptions = {}): Tensor {
  checkTensor('binary_cross_entropy_with_logits', input); checkTensor('binary_cross_entropy_with_logits', target, 'target');
  checkFloat('binary_cross_entropy_with_logits', input);
  const r = checkReduction(o.reduction ?? 'mean');
  if (!sameShape(input.shape, target.shape)) throw new Error(`Target size (${fmtShape(target.shape)}) must be the same as input size (${fmtShape(input.shape)})`);
  const weight = o.weight ?? null, pw = o.posWeight ?? null;
  const n = input.numel();
  const tShape = target.shape;
  return twice(composite('BinaryCrossEntropyWithLogitsBackward0', [input, target], () => {
    const m = relu(neg(input));
    let l: Tensor;
    if (pw) {
      const lw = add(mul(sub(pw, 1), target), 1);
      l = add(mul(sub(1, target), input), mul(lw, add(log1p(exp(neg(abs(input)))), m)));
    } else {
      l = add(add(mul(sub(1, target), input), m), log(add(exp(neg(m)), exp(sub(neg(input), m)))));
    }
    if (weight) l = mul(l, weight);
    return reduce(l, r);
  }, (g) => {
    const s = sigmoid(input);
    let gi: Tensor;
    if (pw) { const pt = mul(pw, target); gi = sub(mul(sub(add(pt, 1), target), s), pt); } else gi = sub(s, target);
    if (weight) gi = mul(gi, weight);
    const gl = lossGrad(g, r, n);
    let gt: Tensor | null = null;
    if (target.requiresGrad) {
      // d/dt: −x (no posWeight), or −x + (p − 1)·softplus(−x), softplus(−x) = log(1 + e^−|x|) + max(−x, 0).
      let dt: Tensor = neg(input);
      if (pw) dt = add(dt, mul(sub(pw, 1), add(log1p(exp(neg(abs(input)))), relu(neg(input)))));
      if (weight) dt = mul(dt, weight);
      gt = sumToShape(mul(dt, gl), tShape);
    }
    return [mul(gi, gl), gt];
  }, input, target));
}


// =============================================================== normalization and lookup

/**
 * Layer normalization over the last dims (normalizedShape): (x − mean) / √(var + eps), var biased, then
 * · weight + bias when given. One node (NativeLayerNormBackward0), as PyTorch's.
 */
export function layerNorm(x: Tensor, normalizedShape: number | number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  checkTensor('layer_norm', x); checkFloat('layer_norm', x);
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const k = ns.length;
  if (k === 0 || k > x.ndim || !sameShape(x.shape.slice(x.ndim - k), ns)) {
    throw new Error(`Given normalized_shape=${fmtShape(ns)}, expected input with shape [*, ${ns.join(', ')}], but got input of size${fmtShape(x.shape)}`);
  }
  for (const [what, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t != null && (checkTensor('layer_norm', t, what), !sameShape(t.shape, ns))) throw new Error(`layer_norm(): ${what} must have the normalized shape ${fmtShape(ns)}, got ${fmtShape(t.shape)}`);
  }
  const dims = ns.map((_, i) => x.ndim - k + i);
  const w = weight ?? null, b = bias ?? null;
  let xhat!: Tensor, rstd!: Tensor;
  const stats = () => {
    const xc = sub(x, mean(x, dims, true));
    rstd = div(1, sqrt(add(mean(mul(xc, xc), dims, true), eps)));
    xhat = mul(xc, rstd);
  };
  return twice(composite('NativeLayerNormBackward0', [x, ...(w ? [w] : []), ...(b ? [b] : [])], () => {
    stats();
    let y = xhat;
    if (w) y = mul(y, w);
    if (b) y = add(y, b);
    return y;
  }, (g) => {
    if (isCreatingGraph()) stats(); // (x̂ and rstd again, recorded: a createGraph pass differentiates them)
    const lead = x.shape.slice(0, x.ndim - k).map((_, i) => i);
    const gw = w ? mul(g, w) : g;
    // dx = rstd · (g' − mean(g') − x̂ · mean(g' · x̂)) over the normalized dims, g' = g · weight.
    const gx = x.requiresGrad ? mul(rstd, sub(sub(gw, mean(gw, dims, true)), mul(xhat, mean(mul(gw, xhat), dims, true)))) : null;
    const red = (t: Tensor) => (lead.length ? sum(t, lead) : t);
    const out: Array<Tensor | null> = [gx];
    if (w) out.push(w.requiresGrad ? red(mul(g, xhat)) : null);
    if (b) out.push(b.requiresGrad ? red(g) : null);
    return out;
  }, x, w, b));
}

/**
 * Rows of weight [V, D] picked by integer indices of any shape: [..., D]. Computed as a product of the
 * indices' one-hot [N, V] with weight (memory N·V: fine for vocabularies of thousands, not millions).
 * An index outside [0, V) gives a row of NaN (PyTorch: "index out of range in self"). padding_idx: that
 * row gets no gradient.
 */
export function embedding(input: Tensor, weight: Tensor, o: { paddingIdx?: number | null } = {}): Tensor {
  checkTensor('embedding', input); checkTensor('embedding', weight, 'weight');
  if (input.dtype !== 'int64' && input.dtype !== 'int32') {
    throw new Error(`Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ${input.dtype} instead (while checking arguments for embedding)`);
  }
  if (weight.ndim !== 2) throw new Error(`embedding(): weight must be 2-D [num_embeddings, embedding_dim], got shape ${fmtShape(weight.shape)}`);
  if (input.device !== weight.device) throw new Error(`Expected all tensors to be on the same device, but found at least two devices, ${deviceName(weight.device)} and ${deviceName(input.device)}! (embedding: weight and indices)`);
  const [V, D] = weight.shape;
  const pad = o.paddingIdx ?? null;
  if (pad !== null && !(Number.isInteger(pad) && pad >= -V && pad < V)) throw new Error('Padding_idx must be within num_embeddings');
  const padRow = pad === null ? null : pad < 0 ? pad + V : pad;
  const flat = reshape(input, [-1]);
  const shape = [...input.shape, D];
  return twice(composite('EmbeddingBackward0', [weight], () => {
    const rows = indexSelect(weight, 0, flat); // (a new contiguous tensor: shaped as the result, not a view of it)
    return new Tensor(rows.storage, shape, contiguousStrides(shape), 0);
  }, (g) => {
    let gw = indexAddZeros(reshape(g, [-1, D]), 0, flat, [V, D]);
    if (padRow !== null) gw = mul(gw, compare('ne', arange(V, { device: g.device }), padRow).unsqueeze(1));
    return [gw];
  }));
}

// =============================================================== convolution and pooling (2-D)

type Pair = number | [number, number];
function pair(name: string, v: Pair, min: number): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  for (const x of p) {
    if (!Number.isInteger(x)) throw new Error(`${name} must be an integer or a pair of integers, got ${JSON.stringify(v)}`);
    if (x < min) throw new Error(min === 0 ? `negative ${name} is not supported` : `${name} should be greater than zero, but got ${name}: ${JSON.stringify(v)}`);
  }
  return p;
}
/** A tensor made here, shaped anew without being a view of it (an op's result, as its output). */
function asShape(t: Tensor, shape: number[]): Tensor { return new Tensor(t.storage, shape, contiguousStrides(shape), t.offset); }
/** x [N, C, H, W] with rows of `value` above (top) and below (bottom), columns left and right. */
function pad2d(x: Tensor, top: number, bottom: number, left: number, right: number, value: number): Tensor {
  const [N, C, H] = x.shape, opts = { dtype: x.dtype, device: x.device };
  let r = x;
  const edge = (shape: number[]) => full(shape, value, opts);
  if (top > 0 || bottom > 0) r = cat([...(top > 0 ? [edge([N, C, top, r.shape[3]])] : []), r, ...(bottom > 0 ? [edge([N, C, bottom, r.shape[3]])] : [])], 2);
  if (left > 0 || right > 0) r = cat([...(left > 0 ? [edge([N, C, H + top + bottom, left])] : []), r, ...(right > 0 ? [edge([N, C, H + top + bottom, right])] : [])], 3);
  return r;
}
/** x padded as the windows of q read it: q.ph rows above, q.ph + q.eh below (ceil mode's extra rows), … */
const padFor = (x: Tensor, q: Patches, value: number) => pad2d(x, q.ph, q.ph + q.eh, q.pw, q.pw + q.ew, value);
interface Patches {
  N: number; C: number; H: number; W: number; ph: number; pw: number; Hp: number; Wp: number; K: number; OH: number; OW: number; L: number; idx: Tensor;
  /** rows below and columns right past the padding that ceil mode's last windows reach (their elements
   * count for nothing: -inf for max, and outside every average) */
  eh: number; ew: number;
  /** kernel size, stride, dilation (for the inverse index of fold on the GPU) */
  geo: [number, number, number, number, number, number];
}
/**
 * Where each output position's window reads a padded [Hp, Wp] image, as flat positions [K·L] (kernel
 * offset major, then output position), computed on the input's device from aranges: index row
 * (oh·sh + i·dh)·Wp + ow·sw + j·dw. With `ceil`, PyTorch's ceil_mode: one more window where the stride
 * leaves a partial one that starts inside the image or its left/top padding.
 */
function patches(fn: string, x: Tensor, k: [number, number], s: [number, number], p: [number, number], d: [number, number], ceil = false): Patches {
  const [N, C, H, W] = x.shape, [kh, kw] = k, [sh, sw] = s, [ph, pw] = p, [dh, dw] = d;
  const ekh = dh * (kh - 1) + 1, ekw = dw * (kw - 1) + 1;
  if (ekh > H + 2 * ph || ekw > W + 2 * pw) throw new Error(`Calculated padded input size per channel: (${H + 2 * ph} x ${W + 2 * pw}). Kernel size: (${ekh} x ${ekw}). Kernel size can't be greater than actual input size (${fn})`);
  // (PyTorch's pooling_output_shape)
  const outSize = (n: number, pad: number, ek: number, st: number) => {
    let o = Math.floor((n + 2 * pad - ek + (ceil ? st - 1 : 0)) / st) + 1;
    if (ceil && (o - 1) * st >= n + pad) o--;
    return o;
  };
  const OH = outSize(H, ph, ekh, sh), OW = outSize(W, pw, ekw, sw);
  const eh = Math.max(0, (OH - 1) * sh + ekh - (H + 2 * ph)), ew = Math.max(0, (OW - 1) * sw + ekw - (W + 2 * pw));
  const Hp = H + 2 * ph + eh, Wp = W + 2 * pw + ew;
  const dev = { device: x.device };
  // (made on first use: the CPU's convolution and pooling kernels need no index; made again if it was
  // freed, as one made in a backward pass is when that pass ends, before a later pass needs it)
  let idx: Tensor | null = null;
  const made = () => {
    const rowsOf = add(mul(arange(kh, dev), dh).reshape([kh, 1, 1, 1]), mul(arange(OH, dev), sh).reshape([1, 1, OH, 1]));
    const colsOf = add(mul(arange(kw, dev), dw).reshape([1, kw, 1, 1]), mul(arange(OW, dev), sw).reshape([1, 1, 1, OW]));
    return reshape(add(mul(rowsOf, Wp), colsOf), [-1]);
  };
  return { N, C, H, W, ph, pw, eh, ew, Hp, Wp, K: kh * kw, OH, OW, L: OH * OW, get idx() { return (idx = idx === null || idx.storage.invalid !== null ? noGrad(made) : idx); }, geo: [kh, kw, sh, sw, dh, dw] };
}
/** The windows of a padded image: [N, C, K, L]. */
const unfold = (xp: Tensor, q: Patches) => indexSelect(reshape(xp, [q.N, q.C, q.Hp * q.Wp]), 2, q.idx).reshape([q.N, q.C, q.K, q.L]);
/**
 * unfold's adjoint: window gradients [N, C, K, L] summed back into the unpadded image [N, C, H, W]. On
 * the CPU a scatterAdd (one pass over the windows); on the GPU, whose scatterAdd would sort the K·L
 * window positions and search them for every pixel, each pixel gathers the at most M window positions
 * that read it (an inverse index made here from the geometry) and sums them: work pixels × M, no sort.
 */
function fold(dcols: Tensor, q: Patches): Tensor {
  const flat = reshape(dcols, [q.N, q.C, q.K * q.L]);
  let dxp: Tensor;
  if (dcols.device === 'gpu') {
    const { inv, M } = inverseIndex(q);
    // (position K·L of the padded gradients is a zero: where a pixel has fewer than M readers)
    const padded = cat([flat, full([q.N, q.C, 1], 0, { dtype: dcols.dtype, device: dcols.device })], 2);
    const picked = indexSelect(padded, 2, tensor(inv, { device: dcols.device, dtype: 'int32' }));
    dxp = sum(reshape(picked, [q.N, q.C, q.Hp * q.Wp, M]), 3).reshape([q.N, q.C, q.Hp, q.Wp]);
  } else dxp = indexAddZeros(flat, 2, q.idx, [q.N, q.C, q.Hp * q.Wp]).reshape([q.N, q.C, q.Hp, q.Wp]);
  return q.ph || q.pw || q.eh || q.ew ? dxp.narrow(2, q.ph, q.H).narrow(3, q.pw, q.W).contiguous() : dxp;
}
/** For each padded pixel, the window positions (k·L + l) that read it, ascending, padded with K·L to M
 * each: [Hp·Wp·M]. Made in JS from the geometry (kept per geometry). */
function inverseIndex(q: Patches): { inv: Int32Array; M: number } {
  const [kh, kw, sh, sw, dh, dw] = q.geo, P = q.Hp * q.Wp, KL = q.K * q.L;
  const key = [q.Hp, q.Wp, q.OH, q.OW, ...q.geo].join(',');
  const hit = INVERSE.get(key);
  if (hit) return hit;
  const lists: number[][] = Array.from({ length: P }, () => []);
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let oh = 0; oh < q.OH; oh++) for (let ow = 0; ow < q.OW; ow++) {
    lists[(oh * sh + i * dh) * q.Wp + ow * sw + j * dw].push((i * kw + j) * q.L + oh * q.OW + ow);
  }
  let M = 1;
  for (const l of lists) M = Math.max(M, l.length);
  const inv = new Int32Array(P * M).fill(KL);
  lists.forEach((l, p) => { l.sort((a, b) => a - b).forEach((v, m) => { inv[p * M + m] = v; }); });
  if (INVERSE.size >= 32) INVERSE.clear();
  const r = { inv, M };
  INVERSE.set(key, r);
  return r;
}
const INVERSE = new Map<string, { inv: Int32Array; M: number }>();
/** @internal The window helpers above, for src/functional-extra.ts (transposed convolution, unfold/fold). */
export const _windows = { pair, patches, unfold, fold, padFor, batched, asShape, convGroups };
export type { Patches as _Patches, Pair as _Pair };
/** A 3-D input is one unbatched image: run f on it as a batch of one. */
function batched(fn: string, x: Tensor, f: (x4: Tensor) => Tensor): Tensor {
  if (x.ndim === 3) return f(x.unsqueeze(0)).squeeze(0);
  if (x.ndim !== 4) throw new Error(`${fn}(): Expected 3D (unbatched) or 4D (batched) input, but got input of size: ${fmtShape(x.shape)}`);
  return f(x);
}

export interface Conv2dOptions { stride?: Pair; padding?: Pair; dilation?: Pair; groups?: number }
/**
 * 2-D convolution (cross-correlation, as PyTorch's): input [N, C, H, W] (or [C, H, W]), weight
 * [O, C, kh, kw], bias [O]. The windows are gathered (im2col: memory kh·kw times the input's) and
 * multiplied by the weight as one matrix product; one node (ConvolutionBackward0) whose input gradient
 * sums the windows' gradients back (scatterAdd).
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, o: Conv2dOptions = {}): Tensor {
  checkTensor('conv2d', input); checkTensor('conv2d', weight, 'weight'); checkFloat('conv2d', input);
  if (bias != null) checkTensor('conv2d', bias, 'bias');
  const G = convGroups('conv2d', o.groups);
  if (weight.ndim !== 4) throw new Error(`conv2d(): weight must be 4-D [out_channels, in_channels / groups, kh, kw], got shape ${fmtShape(weight.shape)}`);
  const s = pair('stride', o.stride ?? 1, 1), p = pair('padding', o.padding ?? 0, 0), d = pair('dilation', o.dilation ?? 1, 1);
  return batched('conv2d', input, (x) => convolution('conv2d', x, x.shape, weight, weight.shape, bias, s, p, d, G));
}
export interface Conv1dOptions { stride?: number | [number]; padding?: number | [number]; dilation?: number | [number]; groups?: number }
/**
 * 1-D convolution: input [N, C, L] (or [C, L]), weight [O, C / groups, k], bias [O]. Computed as conv2d's
 * product over [N, C, 1, L] and [O, C / groups, 1, k], recorded as one node (ConvolutionBackward0, as
 * PyTorch's) over the 3-D input and weight.
 */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, o: Conv1dOptions = {}): Tensor {
  checkTensor('conv1d', input); checkTensor('conv1d', weight, 'weight'); checkFloat('conv1d', input);
  if (bias != null) checkTensor('conv1d', bias, 'bias');
  const G = convGroups('conv1d', o.groups);
  if (input.ndim !== 2 && input.ndim !== 3) throw new Error(`Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: ${fmtShape(input.shape)}`);
  if (weight.ndim !== 3) throw new Error(`Expected ${weight.ndim}-dimensional input for ${weight.ndim}-dimensional weight ${fmtShape(weight.shape)}, but got 3-dimensional input of size ${fmtShape(input.shape.length === 3 ? input.shape : [1, ...input.shape])} instead`);
  const one = (name: string, v: number | [number] | undefined, dflt: number, min: number) => pair(name, [1, Array.isArray(v) ? v[0] : v ?? dflt] as [number, number], min)[1];
  const s = one('stride', o.stride, 1, 1), p = one('padding', o.padding, 0, 0), d = one('dilation', o.dilation, 1, 1);
  const unbatched = input.ndim === 2;
  const x = unbatched ? input.unsqueeze(0) : input;
  const [N, C, L] = x.shape, [O, Cw, k] = weight.shape;
  const ek = d * (k - 1) + 1;
  if (C === Cw * G && O % G === 0 && ek > L + 2 * p) throw new Error(`Calculated padded input size per channel: (${L + 2 * p}). Kernel size: (${ek}). Kernel size can't be greater than actual input size`);
  const y = convolution('conv1d', x, [N, C, 1, L], weight, [O, Cw, 1, k], bias, [1, s], [0, p], [1, d], G);
  return unbatched ? y.squeeze(0) : y;
}
function convGroups(fn: string, groups: number | undefined): number {
  const G = groups ?? 1;
  if (!Number.isInteger(G)) throw new Error(`${fn}(): groups must be an integer, got ${G}`);
  if (G <= 0) throw new Error('non-positive groups is not supported');
  return G;
}
/**
 * The convolution of x (viewed as x4 [N, C, H, W]) with weight (viewed as w4 [O, C/G, kh, kw]): one node
 * (ConvolutionBackward0) over x, weight (and bias) as given, its output shaped [N, O, OH, OW] or, for a
 * 3-D x (conv1d, OH 1), [N, O, OW]. Error messages name the tensors' own shapes.
 */
function convolution(fn: string, x: Tensor, x4: number[], weight: Tensor, w4: number[], bias: Tensor | null | undefined, s: [number, number], p: [number, number], d: [number, number], G: number): Tensor {
  const [O, Cw, kh, kw] = w4;
  if (O % G !== 0) throw new Error(`Given groups=${G}, expected weight to be divisible by ${G} at dimension 0, but got weight of size [${fmtShape(weight.shape)}] instead`);
  if (x4[1] !== Cw * G) throw new Error(`Given groups=${G}, weight of size ${fmtShape(weight.shape)}, expected input${fmtShape(x.shape)} to have ${Cw * G} channels, but got ${x4[1]} channels instead`);
  if (bias != null && (bias.ndim !== 1 || bias.shape[0] !== O)) {
    throw new Error(fn === 'conv2d' ? `conv2d(): bias must have shape [${O}], got ${fmtShape(bias.shape)}`
      : `Given weight of size ${fmtShape(weight.shape)}, expected bias to be 1-dimensional with ${O} elements, but got bias of size ${fmtShape(bias.shape)} instead`);
  }
  const xv = x.ndim === 4 ? x : noGrad(() => reshape(x, x4));
  const q = patches(fn, xv, [kh, kw], s, p, d);
  const outShape = x.ndim === 4 ? [q.N, O, q.OH, q.OW] : [q.N, O, q.OW];
  // Groups: input channels and filters in G blocks, each filter block reading its channel block only:
  // a batch of G products per image (one product when G is 1).
  const CK = Cw * q.K, grouped = (n: number) => (G === 1 ? [n] : [G, n / G]);
  const wv = reshape(weight, [...grouped(O), CK]); // [(G,) O/G, CK]
  let cols!: Tensor;
  const inputs: Operand[] = bias != null ? [x, weight, bias] : [x, weight];
  const windows = () => {
    const src = x.ndim !== 4 && isGradEnabled() ? reshape(x, x4) : xv; // (recorded in a createGraph pass)
    cols = reshape(unfold(padFor(src, q, 0), q), [q.N, ...(G === 1 ? [] : [G]), CK, q.L]);
  };
  // Float32 on the CPU: the convolution kernel (protocol.ts ConvOp, the same bits as the composition
  // below without the windows as a tensor), for forward and for a backward pass that records nothing (a
  // createGraph pass takes the composition, whose every op is recorded).
  const geo = kernelGeometry(x, weight, bias, q, O, Cw, kh, kw, s, p, d, G);
  return twice(composite('ConvolutionBackward0', inputs, () => {
    if (geo) return asShape(convRaw('forward', geo, [q.N, O, q.OH, q.OW], { x: x.contiguous(), w: weight.contiguous(), bias: bias?.contiguous() }), outShape);
    windows();
    let y = reshape(matmul(wv, cols), [q.N, O, q.L]);
    if (bias != null) y = add(y, bias.reshape([1, O, 1]));
    return asShape(y, outShape);
  }, (g) => {
    if (geo && !isCreatingGraph()) {
      const gc = g.contiguous();
      const gx = x.requiresGrad ? asShape(convRaw('input', geo, x4, { w: weight.contiguous(), g: gc }), x.shape) : null;
      const gw = weight.requiresGrad ? asShape(convRaw('weight', geo, w4, { x: x.contiguous(), g: gc }), weight.shape) : null;
      return bias != null ? [gx, gw, bias.requiresGrad ? sum(reshape(g, [q.N, O, q.L]), [0, 2]) : null] : [gx, gw];
    }
    if ((geo || isCreatingGraph()) && weight.requiresGrad) windows(); // (x's windows again, recorded; or not made by the kernel's forward)
    const g2 = reshape(g, [q.N, ...grouped(O), q.L]);
    let gx = x.requiresGrad ? fold(matmul(wv.transpose(-1, -2), g2).reshape([q.N, Cw * G, q.K, q.L]), q) : null;
    if (gx && x.ndim !== 4) gx = reshape(gx, x.shape);
    const gw = weight.requiresGrad ? reshape(sum(matmul(g2, cols.transpose(-1, -2)), 0), weight.shape) : null;
    return bias != null ? [gx, gw, bias.requiresGrad ? sum(reshape(g, [q.N, O, q.L]), [0, 2]) : null] : [gx, gw];
  }, x, weight));
}

/** Whether x is a float32 CPU tensor and this thread has the convolution kernel (protocol.ts ConvOp). */
const kernelFor = (x: Tensor) => x.device === 'cpu' && x.dtype === 'float32' && convOpAvailable();
/** The ConvOp geometry when the CPU kernel runs this convolution (float32 CPU tensors, every product's
 * reduction one protocol block, memory within the kernel's 32-bit addresses), else null. */
function kernelGeometry(x: Tensor, weight: Tensor, bias: Tensor | null | undefined, q: Patches, O: number, Cw: number, kh: number, kw: number,
  s: [number, number], p: [number, number], d: [number, number], G: number): number[] | null {
  // (mixed devices or dtypes: the composition, which gives PyTorch's errors)
  if (!kernelFor(x) || weight.dtype !== 'float32' || weight.device !== 'cpu' || (bias != null && (bias.dtype !== 'float32' || bias.device !== 'cpu'))) return null;
  const { N, C, H, W, OH, OW, L } = q, CK = Cw * kh * kw;
  if (N * C * H * W === 0 || O === 0 || CK === 0 || L === 0) return null;
  if (N > REDUCE_BLOCK || CK > REDUCE_BLOCK || O / G > REDUCE_BLOCK || L > REDUCE_BLOCK) return null;
  // (operands, result and scratch; the input gradient's scratch holds one image's window gradients)
  const bytes = 4 * (N * C * H * W + O * CK + 2 * N * O * L + CK * L) + 32 * (O * CK + CK * O / G + 5 * L + CK);
  if (bytes > 2 ** 31) return null;
  return [N, C, H, W, O, G, kh, kw, s[0], s[1], p[0], p[1], d[0], d[1], OH, OW];
}

export interface PoolOptions { stride?: Pair | null; padding?: Pair; dilation?: Pair; ceilMode?: boolean }
function poolGeometry(fn: string, x: Tensor, kernel: Pair, o: PoolOptions & { dilation?: Pair }) {
  checkTensor(fn, x); checkFloat(fn, x);
  const k = pair('kernel_size', kernel, 1), s = pair('stride', o.stride ?? kernel, 1), p = pair('padding', o.padding ?? 0, 0), d = pair('dilation', o.dilation ?? 1, 1);
  if (p[0] > k[0] / 2 || p[1] > k[1] / 2) throw new Error(`pad should be at most half of kernel size, but got pad=${p[0] > k[0] / 2 ? p[0] : p[1]} and kernel_size=${p[0] > k[0] / 2 ? k[0] : k[1]}`);
  return { k, s, p, d, ceil: !!o.ceilMode };
}
/**
 * 2-D max pooling: the largest element of each window (padding counts as −inf; NaN wins, as PyTorch's).
 * The gradient goes to the window's first largest element (MaxPool2DWithIndicesBackward0).
 */
export function maxPool2d(x: Tensor, kernelSize: Pair, o: PoolOptions = {}): Tensor {
  const { k, s, p, d, ceil } = poolGeometry('max_pool2d', x, kernelSize, o);
  return batched('max_pool2d', x, (x4) => {
    const q = patches('max_pool2d', x4, k, s, p, d, ceil);
    let cols: Tensor | null = null;
    // Float32 on the CPU: the pooling kernel (ConvOp maxPool / maxPoolGrad: the same bits, no windows as a
    // tensor), but for a createGraph pass, whose gradient goes through the recorded scatter-add and fold.
    const { N, C, H, W, OH, OW } = q;
    const geo = kernelFor(x4) && N * C * H * W > 0 && OH * OW > 0 && 4 * (2 * N * C * (H * W + OH * OW)) < 2 ** 31
      ? [N, C, H, W, C, 1, k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], OH, OW] : null;
    return twice(composite('MaxPool2DWithIndicesBackward0', [x4], () => {
      if (geo) return convRaw('maxPool', geo, [N, C, OH, OW], { x: x4.contiguous() });
      cols = unfold(padFor(x4, q, -Infinity), q);
      return asShape(extremeValues('max', cols, [2], true), [q.N, q.C, q.OH, q.OW]);
    }, (g) => {
      if (geo && !isCreatingGraph()) return [convRaw('maxPoolGrad', geo, [N, C, H, W], { x: x4.contiguous(), g: g.contiguous() })];
      // (made here after the kernel's forward; again if a scope around an earlier pass freed it)
      if (cols === null || cols.storage.invalid !== null) cols = noGrad(() => unfold(padFor(x4, q, -Infinity), q));
      const arg = cols.argmax(2, true); // [N, C, 1, L]: the first largest of each window
      return [fold(scatterAddRecorded(reshape(g, [q.N, q.C, 1, q.L]), arg, arg._view(), 2, [q.N, q.C, q.K, q.L]), q)];
    }, x4));
  });
}
export interface AvgPoolOptions extends PoolOptions { countIncludePad?: boolean; divisorOverride?: number | null }
/** 2-D average pooling: each window's mean (padding counts as zeros, and towards the count unless
 * countIncludePad is false). One node (AvgPool2DBackward0). */
export function avgPool2d(x: Tensor, kernelSize: Pair, o: AvgPoolOptions = {}): Tensor {
  const { k, s, p, ceil } = poolGeometry('avg_pool2d', x, kernelSize, { ...o, dilation: 1 });
  return batched('avg_pool2d', x, (x4) => {
    const q = patches('avg_pool2d', x4, k, s, p, [1, 1], ceil);
    let denom!: Operand;
    return twice(composite('AvgPool2DBackward0', [x4], () => {
      const cols = unfold(padFor(x4, q, 0), q);
      const include = o.countIncludePad ?? true;
      if (o.divisorOverride != null) denom = o.divisorOverride;
      else if (include && !q.eh && !q.ew) denom = q.K;
      else {
        // the window's elements inside the image (or, counting the padding, inside the padded image:
        // ceil mode's extra rows and columns never count): [1, 1, 1, L]
        const one = { ...q, N: 1, C: 1 }, opts = { dtype: x4.dtype, device: x4.device };
        const ones = include ? full([1, 1, q.H + 2 * q.ph, q.W + 2 * q.pw], 1, opts) : padFor(full([1, 1, q.H, q.W], 1, opts), { ...q, eh: 0, ew: 0 }, 0);
        denom = sum(unfold(pad2d(ones, 0, q.eh, 0, q.ew, 0), one), 2, true);
      }
      return asShape(div(sum(cols, 2, true), denom).contiguous(), [q.N, q.C, q.OH, q.OW]);
    }, (g) => [fold(div(reshape(g, [q.N, q.C, 1, q.L]), denom).expand([q.N, q.C, q.K, q.L]), q)], x4));
  });
}

export interface Pool1dOptions { stride?: number | [number] | null; padding?: number | [number]; dilation?: number | [number]; ceilMode?: boolean }
export interface AvgPool1dOptions extends Omit<Pool1dOptions, 'dilation'> { countIncludePad?: boolean }
const single = (v: number | [number] | null | undefined) => (Array.isArray(v) ? v[0] : v);
/** A 1-D pooling as its 2-D form over [N, C, 1, L] (or [C, 1, L]), squeezed back (SqueezeBackward1, as PyTorch's). */
function pool1d(x: Tensor, f: (x4: Tensor) => Tensor, bad: () => string): Tensor {
  if (x.ndim !== 2 && x.ndim !== 3) throw new Error(bad());
  return f(x.unsqueeze(-2)).squeeze(-2);
}
const dims23 = (fn: string, x: Tensor) => `Expected 2 to 3 dimensions, but got ${x.ndim}-dimensional tensor for argument #1 'self' (while checking arguments for ${fn})`;
/** 1-D max pooling of [N, C, L] (or [C, L]): maxPool2d over [N, C, 1, L]; stride defaults to the kernel size. */
export function maxPool1d(x: Tensor, kernelSize: number | [number], o: Pool1dOptions = {}): Tensor {
  checkTensor('max_pool1d', x);
  const k = single(kernelSize)!;
  return pool1d(x, (x4) => maxPool2d(x4, [1, k], { stride: [1, single(o.stride) ?? k], padding: [0, single(o.padding) ?? 0], dilation: [1, single(o.dilation) ?? 1], ceilMode: o.ceilMode }),
    () => `max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:${fmtShape(x.shape)}`);
}
/** 1-D average pooling of [N, C, L] (or [C, L]): avgPool2d over [N, C, 1, L]. */
export function avgPool1d(x: Tensor, kernelSize: number | [number], o: AvgPool1dOptions = {}): Tensor {
  checkTensor('avg_pool1d', x);
  const k = single(kernelSize)!;
  return pool1d(x, (x4) => avgPool2d(x4, [1, k], { stride: [1, single(o.stride) ?? k], padding: [0, single(o.padding) ?? 0], ceilMode: o.ceilMode, countIncludePad: o.countIncludePad }),
    () => dims23('avg_pool1d', x));
}
/** 1-D adaptive average pooling of [N, C, L] (or [C, L]) to outputSize: adaptiveAvgPool2d over [N, C, 1, L]. */
export function adaptiveAvgPool1d(x: Tensor, outputSize: number | [number]): Tensor {
  checkTensor('adaptive_avg_pool1d', x);
  const n = single(outputSize)!;
  return pool1d(x, (x4) => adaptiveAvgPool2d(x4, [1, n]), () => dims23('adaptive_avg_pool1d', x));
}

// =============================================================== batch normalization

export interface BatchNormOptions { weight?: Tensor | null; bias?: Tensor | null; training?: boolean; momentum?: number; eps?: number }
/**
 * Batch normalization over every dim but the channels (dim 1): with `training`, the batch's mean and
 * biased variance normalize it, and runningMean/runningVar (if given) move towards the batch's mean and
 * unbiased variance by `momentum`, in place; otherwise the running statistics normalize it. Then
 * · weight + bias per channel. One node (NativeBatchNormBackward0), PyTorch's backward formulas.
 */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, o: BatchNormOptions = {}): Tensor {
  checkTensor('batch_norm', input); checkFloat('batch_norm', input);
  if (input.ndim < 2) throw new Error(`batch_norm(): expected an input of at least 2 dims [N, C, …], got ${fmtShape(input.shape)}`);
  const C = input.shape[1], training = o.training ?? false, momentum = o.momentum ?? 0.1, eps = o.eps ?? 1e-5;
  const w = o.weight ?? null, b = o.bias ?? null;
  for (const [what, t] of [['running_mean', runningMean], ['running_var', runningVar], ['weight', w], ['bias', b]] as const) {
    if (t != null && t.numel() !== C) throw new Error(`${what} should contain ${C} elements not ${t.numel()}`);
  }
  if (!training && (runningMean == null || runningVar == null)) throw new Error('batch_norm(): running_mean and running_var are needed when not training');
  const axes = input.shape.map((_, i) => i).filter((i) => i !== 1);
  const n = axes.reduce((p, a) => p * input.shape[a], 1);
  if (training && n <= 1) throw new Error(`Expected more than 1 value per channel when training, got input size ${formatSize(input.shape)}`);
  const chan = input.shape.map((s, i) => (i === 1 ? s : 1)); // [1, C, 1, …]
  let xhat!: Tensor, rstd!: Tensor;
  const inputs: Operand[] = [input, ...(w ? [w] : []), ...(b ? [b] : [])];
  const stats = (update: boolean) => {
    let mu: Tensor, v: Tensor;
    if (training) {
      mu = mean(input, axes, true);
      const xc = sub(input, mu);
      v = mean(mul(xc, xc), axes, true);
      if (update && runningMean && runningVar) {
        runningMean.mul_(1 - momentum).add_(reshape(mu, [C]).to({ dtype: runningMean.dtype }), momentum);
        runningVar.mul_(1 - momentum).add_(reshape(mul(v, n / (n - 1)), [C]).to({ dtype: runningVar.dtype }), momentum);
      }
    } else {
      mu = reshape(runningMean!, chan);
      v = reshape(runningVar!, chan);
    }
    rstd = div(1, sqrt(add(v, eps)));
    xhat = mul(sub(input, mu), rstd);
  };
  return twice(composite('NativeBatchNormBackward0', inputs, () => {
    stats(true);
    let y = xhat;
    if (w) y = mul(y, reshape(w, chan));
    if (b) y = add(y, reshape(b, chan));
    return y;
  }, (g) => {
    if (isCreatingGraph()) stats(false); // (x̂ and rstd again, recorded; the running statistics left alone)
    const gw = w ? mul(g, reshape(w, chan)) : g;
    let gx: Tensor | null = null;
    if (input.requiresGrad) {
      // training: rstd · (g' − mean(g') − x̂ · mean(g'·x̂)) over the batch dims; with fixed statistics, g'·rstd.
      gx = training ? mul(rstd, sub(sub(gw, mean(gw, axes, true)), mul(xhat, mean(mul(gw, xhat), axes, true)))) : mul(gw, rstd);
    }
    const out: Array<Tensor | null> = [gx];
    if (w) out.push(w.requiresGrad ? reshape(sum(mul(g, xhat), axes), w.shape) : null);
    if (b) out.push(b.requiresGrad ? reshape(sum(g, axes), b.shape) : null);
    return out;
  }, input, w, b));
}

/**
 * Group normalization of x [N, C, *]: the channels in numGroups groups, each sample's group normalized
 * over its channels and positions, (x − mean) / √(var + eps) with the biased variance, then · weight +
 * bias per channel [C]. Composed of reshape, mean, sub, mul, … (its gradients are theirs; its grad_fn is
 * not PyTorch's NativeGroupNormBackward0).
 */
export function groupNorm(x: Tensor, numGroups: number, weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  checkTensor('group_norm', x); checkFloat('group_norm', x);
  if (x.ndim < 2) throw new Error(`Dimension out of range (expected to be in range of [${-Math.max(x.ndim, 1)}, ${Math.max(x.ndim, 1) - 1}], but got 1)`);
  const [N, C] = x.shape;
  if (!Number.isInteger(numGroups) || numGroups <= 0 || C % numGroups !== 0) {
    throw new Error(`Expected number of channels in input to be divisible by num_groups, but got input of shape ${fmtShape(x.shape)} and num_groups=${numGroups}`);
  }
  for (const [what, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t != null && (checkTensor('group_norm', t, what), t.ndim !== 1 || t.shape[0] !== C)) {
      throw new Error(`Expected ${what} to be a vector of size equal to the number of channels in input, but got ${what} of shape ${fmtShape(t.shape)} and input of shape ${fmtShape(x.shape)}`);
    }
  }
  const g = reshape(x, [N, numGroups, -1]);
  const xc = sub(g, mean(g, 2, true));
  let y = reshape(div(xc, sqrt(add(mean(mul(xc, xc), 2, true), eps))), x.shape);
  const chan = x.shape.map((s, i) => (i === 1 ? s : 1));
  if (weight != null) y = mul(y, reshape(weight, chan));
  if (bias != null) y = add(y, reshape(bias, chan));
  return y;
}

/**
 * Channel dropout (PyTorch's feature dropout): each channel (x[n, c], all its positions) zeroed with
 * probability p, the rest scaled by 1 / (1 − p), in training; the identity otherwise. As PyTorch 1.13's, a
 * 3-D input is read as [N, C, L] (with its warning). The mask comes from torch.rand.
 */
export function dropout2d(x: Tensor, p = 0.5, training = true): Tensor {
  checkTensor('dropout2d', x);
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (x.ndim !== 3 && x.ndim !== 4 && !warned.has(`dropout2d${x.ndim}`)) {
    warned.add(`dropout2d${x.ndim}`);
    process.emitWarning(`dropout2d: Received a ${x.ndim}-D input to dropout2d, which is deprecated and will result in an error in a future release. To retain the behavior and silence this warning, please use dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).`, 'UserWarning');
  }
  if (x.ndim === 3 && !warned.has('dropout2d3')) {
    warned.add('dropout2d3');
    process.emitWarning('dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will change in a future release to interpret the input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.', 'UserWarning');
  }
  if (x.ndim < 2) throw new Error('Feature dropout requires at least 2 dimensions in the input');
  if (!training || p === 0) return x;
  if (p === 1) return mul(x, 0);
  const maskShape = x.shape.map((s, i) => (i < 2 ? s : 1));
  const keep = compare('ge', rand(maskShape, { device: x.device, dtype: isFloat(x.dtype) ? x.dtype : 'float32' }), p);
  return mul(x, mul(keep, 1 / (1 - p)));
}

// =============================================================== padding and resizing

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';
/**
 * Pads (or, with negative amounts, crops) the last dims with `value`: pad = [left, right] for the last
 * dim, then [top, bottom] for the one before, and so on (PyTorch's order). One node
 * (ConstantPadNdBackward0): the gradient is the output's gradient padded back by the negated amounts.
 * Modes 'reflect', 'replicate' and 'circular' (PyTorch's, from src/functional-extra.ts) gather each padded
 * dim's elements by index instead.
 */
export function pad(x: Tensor, amounts: number[], o: { mode?: PadMode; value?: number } = {}): Tensor {
  checkTensor('pad', x);
  const mode = o.mode ?? 'constant';
  if (!['constant', 'reflect', 'replicate', 'circular'].includes(mode)) throw new Error(`Unrecognised padding mode ${mode}`);
  if (!Array.isArray(amounts) || amounts.some((v) => !Number.isInteger(v))) throw new Error(`pad(): expected a list of integers, got ${JSON.stringify(amounts)}`);
  if (amounts.length % 2 !== 0) throw new Error('Padding length must be divisible by 2');
  if (amounts.length / 2 > x.ndim) throw new Error(`Padding length too large (pad of length ${amounts.length} for a ${x.ndim}-D tensor)`);
  if (mode !== 'constant') return padIndexed(x, amounts, mode, o.value);
  const value = o.value ?? 0;
  return twice(composite('ConstantPadNdBackward0', [x], () => padRaw(x, amounts, value), (g) => [padRaw(g, amounts.map((v) => -v), 0)]));
}
function padRaw(x: Tensor, amounts: number[], value: number): Tensor {
  let r = x;
  for (let k = 0; k < amounts.length / 2; k++) {
    const d = x.ndim - 1 - k, lo = amounts[2 * k], hi = amounts[2 * k + 1];
    const size = r.shape[d];
    if (size + Math.min(lo, 0) + Math.min(hi, 0) < 0) throw new Error(`The input size ${size}, plus negative padding ${lo} and ${hi} resulted in a negative output size`);
    if (lo < 0 || hi < 0) r = r.narrow(d, Math.max(-lo, 0), size + Math.min(lo, 0) + Math.min(hi, 0));
    const parts: Tensor[] = [];
    const block = (n: number) => full(r.shape.map((s, i) => (i === d ? n : s)), value, { dtype: x.dtype, device: x.device });
    if (lo > 0) parts.push(block(lo));
    parts.push(r);
    if (hi > 0) parts.push(block(hi));
    if (parts.length > 1) r = cat(parts, d);
  }
  return r.storage === x.storage ? r.clone() : r; // (a crop only: a new tensor, as PyTorch's)
}

export type InterpolateMode = 'nearest' | 'linear' | 'bilinear' | 'bicubic' | 'trilinear';
export interface InterpolateOptions {
  size?: number | number[]; scaleFactor?: number | number[]; mode?: InterpolateMode;
  /** interpolating modes: the corner pixels' centres align (source index i·(in−1)/(out−1)); default false */
  alignCorners?: boolean | null;
}
/**
 * Resizes the spatial dims of [N, C, L], [N, C, H, W] or [N, C, D, H, W] by nearest neighbour (PyTorch's
 * 'nearest': the source index is ⌊i · scale⌋ in float32, scale 1/scaleFactor or in/out), to `size` or by
 * `scaleFactor`. One node (UpsampleNearest1D/2D/3DBackward1), whose gradient sums each output back into
 * its source. Modes 'linear' (3-D input), 'bilinear' (4-D) and 'trilinear' (5-D) are
 * src/functional-extra.ts's interpolateLinear, 'bicubic' (4-D) src/functional-3d.ts's interpolateBicubic.
 */
export function interpolate(x: Tensor, o: InterpolateOptions): Tensor {
  checkTensor('interpolate', x);
  const mode = o.mode ?? 'nearest';
  if (!['nearest', 'linear', 'bilinear', 'bicubic', 'trilinear'].includes(mode)) throw new Error(`interpolate(): mode '${o.mode}' is not supported yet (only 'nearest', 'linear', 'bilinear', 'bicubic', 'trilinear')`);
  if (mode === 'nearest' && o.alignCorners != null) throw new Error('align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear');
  const sd = x.ndim - 2;
  if (x.ndim < 3 || x.ndim > 5) interpolateDims(x, mode);
  if ((o.size == null) === (o.scaleFactor == null)) throw new Error('only one of size or scale_factor should be defined');
  const per = <T>(v: T | T[]) => (Array.isArray(v) ? v : new Array<T>(sd).fill(v));
  const sizes = o.size != null ? per(o.size) : null, factors = o.scaleFactor != null ? per(o.scaleFactor) : null;
  if ((sizes ?? factors)!.length !== sd) {
    const [what, name, sym] = sizes ? ['output', 'output size of', 'o'] : ['scale_factor', 'scale_factor of shape', 's'];
    throw new Error(`Input and ${what} must have the same number of spatial dimensions, but got input with spatial dimensions of [${x.shape.slice(2).join(', ')}] and ${name} (${(sizes ?? factors)!.join(', ')}). Please provide input tensor in (N, C, d1, d2, ...,dK) format and ${what === 'output' ? 'output size' : 'scale_factor'} in (${sym}1, ${sym}2, ...,${sym}K) format.`);
  }
  if (mode !== 'nearest') interpolateDims(x, mode);
  const idx: Tensor[] = [], inShape = x.shape, outs: number[] = [], scales: Array<number | null> = [];
  for (let k = 0; k < sd; k++) {
    const n = inShape[2 + k], out = sizes ? sizes[k] : Math.floor(n * factors![k]);
    if (!Number.isInteger(out) || out <= 0) throw new Error(`interpolate(): the output size along dim ${2 + k} must be a positive integer, got ${out}`);
    if (mode !== 'nearest') { outs.push(out); scales.push(sizes ? null : factors![k]); continue; }
    // (PyTorch's nearest_idx: the same index where out is in or 2·in, else ⌊i·scale⌋ in float32)
    const scale = Math.fround(sizes ? n / out : 1 / factors![k]);
    const at = new Int32Array(out);
    for (let i = 0; i < out; i++) at[i] = out === n ? i : out === 2 * n ? i >> 1 : Math.min(Math.floor(Math.fround(i * scale)), n - 1);
    idx.push(tensor(at, { device: x.device }));
  }
  if (mode === 'bicubic') return interpolateBicubic(x, outs, scales, o.alignCorners ?? false);
  if (mode !== 'nearest') return interpolateLinear(x, outs, scales, o.alignCorners ?? false);
  return twice(composite(`UpsampleNearest${sd}DBackward1`, [x], () => idx.reduce((r, ix, k) => indexSelect(r, 2 + k, ix), x), (g) => {
    let r = g;
    for (let k = sd - 1; k >= 0; k--) r = indexAddZeros(r, 2 + k, idx[k], r.shape.map((s, i) => (i === 2 + k ? inShape[2 + k] : s)));
    return [r];
  }));
}

// =============================================================== more activations (PyTorch's formulas,
// gradients at the kinks and grad_fn names)

/** x clamped to [minVal, maxVal]; the gradient passes strictly inside (HardtanhBackward0). */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  checkTensor('hardtanh', x); checkFloat('hardtanh', x);
  if (!(minVal <= maxVal)) throw new Error(`hardtanh(): min_val cannot be greater than max_val (got ${minVal} and ${maxVal})`);
  return twice(composite('HardtanhBackward0', [x], () => clamp(x, minVal, maxVal),
    (g) => [where(compare('gt', x, minVal), where(compare('lt', x, maxVal), g, 0), 0)], x));
}
/** min(max(x, 0), 6): hardtanh(x, 0, 6), as PyTorch computes it. */
export function relu6(x: Tensor): Tensor { return hardtanh(x, 0, 6); }
/** relu6(x + 3) / 6; the gradient 1/6 strictly inside (−3, 3). */
export function hardsigmoid(x: Tensor): Tensor {
  checkTensor('hardsigmoid', x); checkFloat('hardsigmoid', x);
  return twice(composite('HardsigmoidBackward0', [x], () => div(clamp(add(x, 3), 0, 6), 6),
    (g) => [where(compare('gt', x, -3), where(compare('lt', x, 3), div(g, 6), 0), 0)], x));
}
/** x · relu6(x + 3) / 6; the gradient PyTorch's: 0 below −3, x/3 + 1/2 on [−3, 3], 1 above. */
export function hardswish(x: Tensor): Tensor {
  checkTensor('hardswish', x); checkFloat('hardswish', x);
  return twice(composite('HardswishBackward0', [x], () => div(mul(x, clamp(add(x, 3), 0, 6)), 6),
    (g) => [where(compare('lt', x, -3), 0, where(compare('le', x, 3), mul(g, add(div(x, 3), 0.5)), g))], x));
}
/** x · tanh(softplus(x)). */
export function mish(x: Tensor): Tensor {
  checkTensor('mish', x); checkFloat('mish', x);
  return twice(composite('MishBackward0', [x], () => mul(x, tanh(softplus(x))), (g) => {
    const t = tanh(softplus(x));
    return [mul(g, add(t, mul(mul(x, sigmoid(x)), sub(1, mul(t, t)))))];
  }, x));
}
const SELU_ALPHA = 1.6732632423543772848170429916717, SELU_SCALE = 1.0507009873554804934193349852946;
/** scale · (x where x > 0, else α·(e^x − 1)), PyTorch's α and scale (EluBackward0). */
export function selu(x: Tensor): Tensor {
  checkTensor('selu', x); checkFloat('selu', x);
  return twice(composite('EluBackward0', [x], () => mul(where(compare('gt', x, 0), x, mul(sub(exp(x), 1), SELU_ALPHA)), SELU_SCALE),
    (g) => [mul(g, where(compare('gt', x, 0), SELU_SCALE, mul(exp(x), SELU_ALPHA * SELU_SCALE)))], x));
}
/** x where x > 0, else α·(e^(x/α) − 1). */
export function celu(x: Tensor, alpha = 1): Tensor {
  checkTensor('celu', x); checkFloat('celu', x);
  if (alpha === 0) throw new Error('ZeroDivisionError: alpha cannot be 0 for CELU');
  return twice(composite('CeluBackward0', [x], () => where(compare('gt', x, 0), x, mul(sub(exp(div(x, alpha)), 1), alpha)),
    (g) => [where(compare('gt', x, 0), g, mul(g, exp(div(x, alpha))))], x));
}
/** log(sigmoid(x)) = −softplus(−x), without overflow for large |x|. */
export function logsigmoid(x: Tensor): Tensor {
  checkTensor('log_sigmoid', x); checkFloat('log_sigmoid', x);
  return twice(composite('LogSigmoidBackward0', [x], () => neg(softplus(neg(x))), (g) => [mul(g, sigmoid(neg(x)))], x));
}
/** x / (1 + |x|) (composed, as PyTorch's: DivBackward0). */
export function softsign(x: Tensor): Tensor { checkTensor('softsign', x); return div(x, add(abs(x), 1)); }
/** x − tanh(x) (composed, as PyTorch's: SubBackward0). */
export function tanhshrink(x: Tensor): Tensor { checkTensor('tanhshrink', x); return sub(x, tanh(x)); }
/** softmax(−x) along dim. */
export function softmin(x: Tensor, dim: number): Tensor { checkTensor('softmin', x); return softmax(neg(x), dim); }
/** The gated linear unit: a · sigmoid(b), a and b the two halves of x along dim. */
export function glu(x: Tensor, dim = -1): Tensor {
  checkTensor('glu', x); checkFloat('glu', x);
  if (x.ndim === 0) throw new Error('glu does not support scalars because halving size must be even');
  const d = dim < 0 ? dim + x.ndim : dim;
  const n = x.shape[d];
  if (n % 2 !== 0) throw new Error(`Halving dimension must be even, but dimension ${d} is size ${n}`);
  const half = () => [x.narrow(d, 0, n / 2), x.narrow(d, n / 2, n / 2)];
  return twice(composite('GluBackward0', [x], () => { const [a, b] = half(); return mul(a, sigmoid(b)); }, (g) => {
    const [a, b] = half(), s = sigmoid(b);
    return [cat([mul(g, s), mul(mul(mul(g, a), s), sub(1, s))], d)];
  }, x));
}

// =============================================================== more losses

export interface HuberOptions extends LossOptions { delta?: number }
/** 0.5·d² where |d| < delta, else delta·(|d| − 0.5·delta), d = input − target. */
export function huberLoss(input: Tensor, target: Tensor, o: HuberOptions = {}): Tensor {
  checkTensor('huber_loss', input); checkTensor('huber_loss', target, 'target');
  const r = checkReduction(o.reduction ?? 'mean'), delta = o.delta ?? 1;
  if (!(delta > 0)) throw new Error('huber_loss does not support non-positive values for delta.');
  warnBroadcast(input, target);
  return robustLoss('HuberLossBackward0', input, target, r, (d, ad) => where(compare('lt', ad, delta), mul(mul(d, d), 0.5), mul(sub(ad, 0.5 * delta), delta)),
    (d) => clamp(d, -delta, delta));
}
export interface SmoothL1Options extends LossOptions { beta?: number }
/** 0.5·d²/beta where |d| < beta, else |d| − 0.5·beta (beta 0: the L1 loss). */
export function smoothL1Loss(input: Tensor, target: Tensor, o: SmoothL1Options = {}): Tensor {
  checkTensor('smooth_l1_loss', input); checkTensor('smooth_l1_loss', target, 'target');
  const r = checkReduction(o.reduction ?? 'mean'), beta = o.beta ?? 1;
  if (!(beta >= 0)) throw new Error('smooth_l1_loss does not support negative values for beta.');
  warnBroadcast(input, target);
  return robustLoss('SmoothL1LossBackward0', input, target, r,
    (d, ad) => (beta === 0 ? ad : where(compare('lt', ad, beta), div(mul(mul(d, d), 0.5), beta), sub(ad, 0.5 * beta))),
    // (PyTorch's: −1 at or below −beta, 1 at or above beta, so with beta 0 a zero difference gives −1)
    (d) => (beta === 0 ? where(compare('le', d, 0), -1, 1) : clamp(div(d, beta), -1, 1)));
}
/** A loss of d = input − target elementwise (f(d, |d|)), reduced; its gradient dl/dd = dloss(d). */
function robustLoss(name: string, input: Tensor, target: Tensor, r: Reduction, f: (d: Tensor, ad: Tensor) => Tensor, dloss: (d: Tensor) => Tensor): Tensor {
  let n = 0;
  const inShape = input.shape, tShape = target.shape;
  return twice(composite(name, [input, target], () => {
    const d = sub(input, target);
    const l = f(d, abs(d));
    n = l.numel();
    return reduce(l, r);
  }, (g) => {
    const gd = mul(dloss(sub(input, target)), lossGrad(g, r, n));
    return [input.requiresGrad ? sumToShape(gd, inShape) : null, target.requiresGrad ? sumToShape(neg(gd), tShape) : null];
  }, input, target));
}
export interface KlDivOptions { reduction?: Reduction | 'batchmean'; logTarget?: boolean }
/**
 * The KL divergence of target from the distribution whose log-probabilities are input: target ·
 * (log target − input) elementwise (0 where target is 0), or e^target · (target − input) with logTarget.
 * 'batchmean' divides the sum by the batch size (input.size(0)); 'mean' by every element, as PyTorch's
 * (which warns about it).
 */
export function klDiv(input: Tensor, target: Tensor, o: KlDivOptions = {}): Tensor {
  checkTensor('kl_div', input); checkTensor('kl_div', target, 'target');
  const red = o.reduction ?? 'mean';
  if (red !== 'batchmean') checkReduction(red);
  if (red === 'mean' && !warned.has('kl_div')) {
    warned.add('kl_div');
    process.emitWarning("reduction: 'mean' divides the total loss by both the batch size and the support size.'batchmean' divides only by the batch size, and aligns with the KL div math definition.'mean' will be changed to behave the same as 'batchmean' in the next major release.", 'UserWarning');
  }
  // (xlogy(t, t): 0 where t is 0, NaN where it is negative, as PyTorch's)
  const l = o.logTarget
    ? mul(exp(target), sub(target, input))
    : sub(where(compare('eq', target, 0), 0, mul(target, log(target))), mul(target, input));
  if (red === 'batchmean') return input.ndim === 0 ? sum(l) : div(sum(l), input.shape[0]);
  return reduce(l, red);
}

// =============================================================== distances, normalization, pooling

/** x / max(‖x‖_p, eps) along dim. */
export function normalize(x: Tensor, o: { p?: number; dim?: number; eps?: number } = {}): Tensor {
  checkTensor('normalize', x);
  const n = norm(x, o.p ?? 2, o.dim ?? 1, true);
  return div(x, clamp(n, o.eps ?? 1e-12, null).expand(x.shape));
}
/** Σ (x1 / max(‖x1‖, eps)) · (x2 / max(‖x2‖, eps)) along dim (x1 and x2 broadcast). */
export function cosineSimilarity(x1: Tensor, x2: Tensor, o: { dim?: number; eps?: number } = {}): Tensor {
  checkTensor('cosine_similarity', x1); checkTensor('cosine_similarity', x2, 'x2');
  const dim = o.dim ?? 1, eps = o.eps ?? 1e-8;
  const unit = (t: Tensor) => div(t, clamp(norm(t, 2, dim, true), eps, null));
  return sum(mul(unit(x1), unit(x2)), dim);
}
/**
 * 2-D adaptive average pooling: output cell (i, j) averages rows [⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉) and the same
 * for columns (PyTorch's windows), computed as A_h · x · A_wᵀ with averaging matrices (one pair of
 * matrix products, on any device). outputSize: a number, or [oh, ow] where null keeps the input's size.
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | [number | null, number | null]): Tensor {
  checkTensor('adaptive_avg_pool2d', x); checkFloat('adaptive_avg_pool2d', x);
  return batched('adaptive_avg_pool2d', x, (x4) => {
    const [, , H, W] = x4.shape;
    const [oh, ow] = typeof outputSize === 'number' ? [outputSize, outputSize] : [outputSize[0] ?? H, outputSize[1] ?? W];
    for (const v of [oh, ow]) if (!Number.isInteger(v) || v < 0) throw new Error(`adaptive_avg_pool2d(): output_size must be non-negative integers, got ${JSON.stringify(outputSize)}`);
    if (H === 0 || W === 0) throw new Error(`adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ${formatSize(x4.shape)}`);
    const avg = (out: number, n: number) => {
      const m = new Float64Array(out * n);
      for (let i = 0; i < out; i++) {
        const s = Math.floor((i * n) / out), e = Math.ceil(((i + 1) * n) / out);
        for (let k = s; k < e; k++) m[i * n + k] = 1 / (e - s);
      }
      return tensor(m, { dtype: x4.dtype, device: deviceName(x4.device) }).reshape([out, n]);
    };
    const ah = avg(oh, H), aw = avg(ow, W);
    return twice(composite('AdaptiveAvgPool2DBackward0', [x4], () => matmul(matmul(ah, x4), aw.t()), (g) => [matmul(matmul(ah.t(), g), aw)], x4));
  });
}

/**
 * [..., numClasses] int64 with a 1 at each value's class (F.one_hot). numClasses is required: inferring it
 * (PyTorch's -1) needs the values read back. A value outside [0, numClasses) is the scatter's index
 * error (at once on the CPU, at the next read on the GPU), never a silent zero row.
 */
export function oneHot(t: Tensor, numClasses: number): Tensor {
  checkTensor('one_hot', t);
  if (t.dtype !== 'int64' && t.dtype !== 'int32') throw new Error('one_hot is only applicable to index tensor.');
  if (numClasses === -1 || numClasses === undefined) throw new Error('one_hot(): pass numClasses: troupe does not infer it (that needs the values read back)');
  if (!Number.isInteger(numClasses) || numClasses < 0) throw new Error(`one_hot(): numClasses must be a non-negative integer, got ${numClasses}`);
  const opts = { dtype: 'int64' as const, device: deviceName(t.device) };
  const idx = t.long().unsqueeze(-1);
  return full([...t.shape, numClasses], 0, opts).scatterAdd(-1, idx, full(idx.shape, 1, opts));
}

export { multiHeadAttentionForward, type MultiHeadAttentionForwardOptions } from './functional-attention.ts';
export { convTranspose2d, convTranspose1d, unfold, fold, adaptiveMaxPool2d, pixelShuffle, pixelUnshuffle, prelu, threshold, softmax2d, bilinear, type ConvTranspose2dOptions, type ConvTranspose1dOptions, type FoldOptions } from './functional-extra.ts';
export { marginRankingLoss, hingeEmbeddingLoss, softMarginLoss, multiLabelSoftMarginLoss, multiLabelMarginLoss, multiMarginLoss, cosineEmbeddingLoss, pairwiseDistance, pdist, tripletMarginLoss, tripletMarginWithDistanceLoss, poissonNllLoss, gaussianNllLoss, embeddingBag, type MarginOptions, type MultiLabelSoftMarginOptions, type MultiMarginOptions, type PairwiseDistanceOptions, type TripletMarginOptions, type TripletMarginWithDistanceOptions, type PoissonNllOptions, type GaussianNllOptions, type EmbeddingBagMode, type EmbeddingBagOptions } from './functional-losses.ts';
export { conv3d, convTranspose3d, maxPool3d, avgPool3d, adaptiveAvgPool3d, adaptiveMaxPool3d, type Conv3dOptions, type Conv3dPadding, type ConvTranspose3dOptions, type Pool3dOptions, type AvgPool3dOptions, type Triple } from './functional-3d.ts';
export { softshrink, hardshrink, localResponseNorm, lpPool1d, lpPool2d, maxPool1dWithIndices, maxPool2dWithIndices, maxPool3dWithIndices, adaptiveMaxPool1d, adaptiveMaxPool1dWithIndices, adaptiveMaxPool2dWithIndices, adaptiveMaxPool3dWithIndices, maxUnpool1d, maxUnpool2d, maxUnpool3d, dropout1d, dropout3d, alphaDropout, featureAlphaDropout, instanceNorm, gumbelSoftmax, multilabelMarginLoss, multilabelSoftMarginLoss, affineGrid, gridSample, type LpPool1dOptions, type LpPool2dOptions, type MaxUnpoolOptions, type InstanceNormFunctionalOptions, type GumbelSoftmaxOptions } from './functional-more.ts';
export { ctcLoss, fractionalMaxPool2d, fractionalMaxPool3d, fractionalMaxPool2dWithIndices, fractionalMaxPool3dWithIndices, rrelu, rrelu_, channelShuffle, relu_, elu_, leakyRelu_, hardtanh_, selu_, celu_, threshold_, upsample, upsampleNearest, upsampleBilinear, type RreluOptions, type CtcLossOptions, type CtcLengths, type FractionalMaxPoolOptions } from './functional-more2.ts';
export { scaledDotProductAttention, type SdpaOptions } from './functional-more3.ts';
