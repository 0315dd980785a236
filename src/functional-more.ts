/**
 * More of torch.nn.functional (PyTorch 1.13's): softshrink / hardshrink, local response normalization,
 * power-average (LP) pooling, the *_with_indices pooling forms, max unpooling, channel dropout in 1-D and
 * 3-D, alpha dropout (and its channel form), instance_norm, gumbel_softmax and the multilabel_* loss
 * spellings. Composed of the frontend's ops and of the pooling functions beside this file, so they run on
 * every device and are differentiable; those PyTorch records as one node are one node here too.
 *
 * functional.ts re-exports the public functions (one line at its end); nothing here runs at import time,
 * so the import cycle between the two files is harmless.
 */
import {
  Tensor, SCALAR_TYPE, abs, deviceName, matmul, tensor, add, checkTensor, compare, composite, div, full, gather, log, mul, neg, pow, rand, relu, reshape, scatterReduce, sign, softmax, sub, twice, where, zeros,
} from './tensor.ts';
import { isFloat } from './dtype.ts';
import { noGrad } from './autograd/graph.ts';
import { formatSize } from './format.ts';
import { fmtShape } from './shape.ts';
import { avgPool1d, avgPool2d, batchNorm, maxPool1d, maxPool2d, pad, type PoolOptions, type Pool1dOptions } from './functional.ts';
import { adaptiveMaxPool2d } from './functional-extra.ts';
import { adaptiveMaxPool3d, avgPool3d, maxPool3d, type Pool3dOptions, type Triple } from './functional-3d.ts';
import { multiLabelMarginLoss, multiLabelSoftMarginLoss } from './functional-losses.ts';

type Pair = number | [number, number];
const single = (v: number | [number] | null | undefined) => (Array.isArray(v) ? v[0] : v);
const prod = (v: number[]) => v.reduce((a, b) => a * b, 1);
/** PyTorch's "not implemented" error of a float-only CPU kernel. */
function floatKernel(kernel: string, x: Tensor): void {
  if (!isFloat(x.dtype)) throw new Error(`"${kernel}_${x.device === 'gpu' ? 'gpu' : 'cpu'}" not implemented for '${SCALAR_TYPE[x.dtype]}'`);
}

// =============================================================== shrinkage

/**
 * x − λ where x > λ, x + λ where x < −λ, else 0 (NaN gives 0, as PyTorch 1.13's CPU kernel). One node
 * (SoftshrinkBackward0): the gradient passes except where −λ ≤ x ≤ λ.
 */
export function softshrink(x: Tensor, lambd = 0.5): Tensor {
  checkTensor('softshrink', x);
  if (!(lambd >= 0)) throw new Error(`lambda must be greater or equal to 0, but found to be ${lambd}.`);
  floatKernel('softshrink', x);
  return twice(composite('SoftshrinkBackward0', [x], () => where(compare('gt', x, lambd), sub(x, lambd), where(compare('lt', x, -lambd), add(x, lambd), 0)),
    (g) => [where(inBand(x, lambd), 0, g)], x));
}
/** x, but 0 where −λ ≤ x ≤ λ (NaN stays NaN). One node (HardshrinkBackward0): the gradient passes outside the band. */
export function hardshrink(x: Tensor, lambd = 0.5): Tensor {
  checkTensor('hardshrink', x);
  floatKernel('hardshrink', x);
  return twice(composite('HardshrinkBackward0', [x], () => where(inBand(x, lambd), 0, x), (g) => [where(inBand(x, lambd), 0, g)], x));
}
const inBand = (x: Tensor, l: number) => compare('ge', x, -l).logicalAnd(compare('le', x, l));

// =============================================================== local response normalization, LP pooling

/**
 * x / (k + α/n · Σ x²)^β, the sum over the `size` channels around each one (zeros past the edges), as
 * PyTorch composes it: an average pooling of x² along the channels (avg_pool2d for 3-D inputs, avg_pool3d
 * otherwise). Its gradient is that composition's (grad_fn DivBackward0, as PyTorch's).
 */
export function localResponseNorm(x: Tensor, size: number, o: { alpha?: number; beta?: number; k?: number } = {}): Tensor {
  checkTensor('local_response_norm', x);
  const alpha = o.alpha ?? 1e-4, beta = o.beta ?? 0.75, k = o.k ?? 1;
  if (x.ndim < 3) throw new Error(`Expected 3D or higher dimensionality                          input (got ${x.ndim} dimensions)`);
  if (!Number.isInteger(size) || size < 1) throw new Error(`local_response_norm(): size must be a positive integer, got ${size}`);
  if (x.numel() === 0) return x;
  let d = mul(x, x).unsqueeze(1);
  const lo = Math.floor(size / 2), hi = Math.floor((size - 1) / 2);
  if (x.ndim === 3) {
    d = avgPool2d(pad(d, [0, 0, lo, hi]), [size, 1], { stride: 1 }).squeeze(1);
  } else {
    const s = x.shape;
    d = reshape(d, [s[0], 1, s[1], s[2], -1]);
    d = reshape(avgPool3d(pad(d, [0, 0, 0, 0, lo, hi]), [size, 1, 1], { stride: 1 }).squeeze(1), s);
  }
  return div(x, pow(add(mul(d, alpha), k), beta));
}

/** PyTorch's pooling_output_shape (no padding) of [C, H, W]'s last two dims; its error when one is below 1. */
function poolTooSmall(chw: number[], k: number[], s: number[], ceil: boolean): void {
  const out = k.map((kk, i) => {
    const n = chw[1 + i];
    let v = Math.floor((n - kk + (ceil ? s[i] - 1 : 0)) / s[i]) + 1;
    if (ceil && (v - 1) * s[i] >= n) v--;
    return v;
  });
  if (out.some((v) => v < 1)) throw new Error(`Given input size: (${chw.join('x')}). Calculated output size: (${[chw[0], ...out].join('x')}). Output size is too small`);
}
export interface LpPool1dOptions { stride?: number | [number] | null; ceilMode?: boolean }
/**
 * Power-average pooling of [N, C, L] (or [C, L]): (Σ_window x^p)^(1/p), as PyTorch composes it (the
 * average of x^p times the window size, negative averages clamped to 0, to the power 1/p; grad_fn
 * PowBackward0). Stride defaults to the kernel size; no padding.
 */
export function lpPool1d(x: Tensor, normType: number, kernelSize: number | [number], o: LpPool1dOptions = {}): Tensor {
  checkTensor('lp_pool1d', x);
  const k = single(kernelSize)!;
  if (x.ndim === 2 || x.ndim === 3) poolTooSmall([x.shape[x.ndim - 2], 1, x.shape[x.ndim - 1]], [1, k], [1, single(o.stride) ?? k], !!o.ceilMode);
  const out = avgPool1d(pow(x, normType), k, { stride: single(o.stride) ?? null, padding: 0, ceilMode: o.ceilMode });
  return pow(mul(mul(sign(out), relu(abs(out))), k), 1 / normType);
}
export interface LpPool2dOptions { stride?: Pair | null; ceilMode?: boolean }
/** Power-average pooling of [N, C, H, W] (or [C, H, W]): lpPool1d's composition over 2-D windows. */
export function lpPool2d(x: Tensor, normType: number, kernelSize: Pair, o: LpPool2dOptions = {}): Tensor {
  checkTensor('lp_pool2d', x);
  const [kh, kw] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
  const st = o.stride ?? kernelSize, [sh, sw] = typeof st === 'number' ? [st, st] : st;
  if (x.ndim === 3 || x.ndim === 4) poolTooSmall(x.shape.slice(-3), [kh, kw], [sh, sw], !!o.ceilMode);
  const out = avgPool2d(pow(x, normType), kernelSize, { stride: o.stride ?? null, padding: 0, ceilMode: o.ceilMode });
  return pow(mul(mul(sign(out), relu(abs(out))), kh * kw), 1 / normType);
}

// =============================================================== pooling with indices

/**
 * maxPool1d's values and where each is (its position along L, int64): PyTorch's tuple as [values,
 * indices]. The values are maxPool1d's (grad_fn SqueezeBackward1, as PyTorch's); the indices those of the
 * same windows' first largest element (NaN winning), from maxPool3d.
 */
export function maxPool1dWithIndices(x: Tensor, kernelSize: number | [number], o: Pool1dOptions = {}): [Tensor, Tensor] {
  const y = maxPool1d(x, kernelSize, o);
  const k = single(kernelSize)!;
  const [, ind] = maxPool3d(x.unsqueeze(-2).unsqueeze(-2).detach(), [1, 1, k], {
    stride: [1, 1, single(o.stride) ?? k], padding: [0, 0, single(o.padding) ?? 0], dilation: [1, 1, single(o.dilation) ?? 1], ceilMode: o.ceilMode, returnIndices: true,
  });
  return [y, ind.squeeze(-2).squeeze(-2)];
}
/** maxPool2d's values (MaxPool2DWithIndicesBackward0) and where each is (h·W + w, int64), as [values, indices]. */
export function maxPool2dWithIndices(x: Tensor, kernelSize: Pair, o: PoolOptions = {}): [Tensor, Tensor] {
  checkTensor('max_pool2d', x);
  const y = x.ndim === 3 ? noGrad(() => maxPool2d(x, kernelSize, o)) : maxPool2d(x, kernelSize, o);
  const two = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : v);
  const k = two(kernelSize), s = two(o.stride ?? kernelSize), p = two(o.padding ?? 0), d = two(o.dilation ?? 1);
  const [, ind5] = maxPool3d(x.unsqueeze(-3).detach(), [1, ...k], { stride: [1, ...s], padding: [0, ...p], dilation: [1, ...d], ceilMode: o.ceilMode, returnIndices: true });
  const ind = ind5.squeeze(-3);
  if (x.ndim !== 3) return [y, ind];
  // unbatched: one node as PyTorch's (not maxPool2d's squeeze of a batch of one), its gradient summed at the indices
  const [C, H, W] = x.shape, L = ind.numel() / C, at = reshape(ind, [C, L]);
  const y3 = twice(composite('MaxPool2DWithIndicesBackward0', [x], () => y.detach(),
    (g) => [reshape(full([C, H * W], 0, { dtype: g.dtype, device: g.device }).scatterAdd(1, at, reshape(g, [C, L])), x.shape)]));
  return [y3, ind];
}
/** maxPool3d with returnIndices: [values, indices] (d·H·W + h·W + w, int64). */
export function maxPool3dWithIndices(x: Tensor, kernelSize: Triple, o: Omit<Pool3dOptions, 'returnIndices'> = {}): [Tensor, Tensor] {
  return maxPool3d(x, kernelSize, { ...o, returnIndices: true });
}
/**
 * 1-D adaptive max pooling of [N, C, L] (or [C, L]) to outputSize: adaptiveMaxPool2d over [N, C, 1, L],
 * squeezed back (SqueezeBackward1, as PyTorch's). With returnIndices also where (int64) as [values, indices].
 */
export function adaptiveMaxPool1d(x: Tensor, outputSize: number | [number], returnIndices: true): [Tensor, Tensor];
export function adaptiveMaxPool1d(x: Tensor, outputSize: number | [number], returnIndices?: false): Tensor;
export function adaptiveMaxPool1d(x: Tensor, outputSize: number | [number], returnIndices = false): Tensor | [Tensor, Tensor] {
  checkTensor('adaptive_max_pool1d', x);
  if (x.ndim !== 2 && x.ndim !== 3) throw new Error(`Expected 2 to 3 dimensions, but got ${x.ndim}-dimensional tensor for argument #1 'self' (while checking arguments for adaptive_max_pool1d)`);
  if (Array.isArray(outputSize) && outputSize.length !== 1) throw new Error(`adaptive_max_pool1d(): argument 'output_size' must be an int or a list of one int, got ${JSON.stringify(outputSize)}`);
  const [y, ind] = adaptiveMaxPool2d(x.unsqueeze(-2), [1, single(outputSize)!], true);
  return returnIndices ? [y.squeeze(-2), ind.squeeze(-2)] : y.squeeze(-2);
}
export function adaptiveMaxPool1dWithIndices(x: Tensor, outputSize: number | [number]): [Tensor, Tensor] { return adaptiveMaxPool1d(x, outputSize, true); }
export function adaptiveMaxPool2dWithIndices(x: Tensor, outputSize: number | [number | null, number | null]): [Tensor, Tensor] { return adaptiveMaxPool2d(x, outputSize, true); }
export function adaptiveMaxPool3dWithIndices(x: Tensor, outputSize: number | [number | null, number | null, number | null]): [Tensor, Tensor] { return adaptiveMaxPool3d(x, outputSize, true); }

// =============================================================== max unpooling

export interface MaxUnpoolOptions<T> { stride?: T | null; padding?: T; outputSize?: number[] | null }
/** PyTorch's _unpool_output_size: (in − 1)·stride + kernel − 2·padding per dim, or outputSize (its last n) checked against it. */
function unpoolOutputSize(x: Tensor, k: number[], s: number[], p: number[], outputSize: number[] | null | undefined): number[] {
  const n = k.length;
  const dflt = k.map((kk, d) => (x.shape[x.ndim - n + d] - 1) * s[d] + kk - 2 * p[d]);
  if (outputSize == null) return dflt;
  const given = outputSize;
  const out = given.length === n + 2 ? given.slice(2) : given;
  if (out.length !== n) throw new Error(`output_size should be a sequence containing ${n} or ${n + 2} elements, but it has a length of '${given.length}'`);
  out.forEach((v, d) => {
    const min = dflt[d] - s[d], max = dflt[d] + s[d];
    if (!(min < v && v < max)) throw new Error(`invalid output_size "[${given.join(', ')}]" (dim ${d} must be between ${min} and ${max})`);
  });
  return [...out];
}
const tupleOf = (v: number | number[], n: number) => (typeof v === 'number' ? new Array<number>(n).fill(v) : [...v]);
/**
 * The unpooling of x [(N,) C, *in] to [(N,) C, *out]: x's elements written at their indices (flat positions
 * in each channel's output plane), zeros elsewhere; an index named twice takes its largest value (a max
 * pooling's indices repeat only with equal values). One node (MaxUnpool2DBackward0 / MaxUnpool3DBackward0)
 * whose gradient gathers the output's gradient at the indices.
 */
function unpool(nd: 2 | 3, x: Tensor, indices: Tensor, out: number[]): Tensor {
  const fn = `max_unpooling${nd}d`;
  checkTensor(`max_unpool${nd}d`, x); checkTensor(`max_unpool${nd}d`, indices, 'indices');
  if (indices.dtype !== 'int64') throw new Error(`elements in indices should be type int64 but got: ${SCALAR_TYPE[indices.dtype]}`);
  if (x.ndim !== nd + 1 && x.ndim !== nd + 2) throw new Error(`Input to ${fn} should be a ${nd + 1}d or ${nd + 2}d Tensor, but got a tensor with ${x.ndim} dimensions.`);
  if (x.ndim !== indices.ndim || x.shape.some((v, i) => v !== indices.shape[i])) {
    throw new Error(`Expected shape of indices to be same as that of the input tensor (${fmtShape(x.shape)}) but got indices tensor with shape: ${fmtShape(indices.shape)}`);
  }
  if (out.length !== nd || out.some((v) => !Number.isInteger(v) || v <= 0)) throw new Error(`${fn}(): output_size must be ${nd} positive integers, got [${out.join(', ')}]`);
  const lead = x.shape.slice(0, x.ndim - nd), M = lead.reduce((a, b) => a * b, 1), L = prod(x.shape.slice(x.ndim - nd)), S = prod(out);
  const idx = reshape(indices, [M, L]);
  return twice(composite(`MaxUnpool${nd}DBackward0`, [x], () => {
    const z = zeros([M, S], { dtype: x.dtype, device: x.device });
    return reshape(scatterReduce(z, 1, idx, reshape(x, [M, L]), 'amax', { includeSelf: false }), [...lead, ...out]);
  }, (g) => [reshape(gather(reshape(g, [M, S]), 1, idx), x.shape)]));
}
/** The partial inverse of maxPool1d: [N, C, L] (or [C, L]) with maxPool1dWithIndices' indices (grad_fn SqueezeBackward1, as PyTorch's). */
export function maxUnpool1d(x: Tensor, indices: Tensor, kernelSize: number | [number], o: MaxUnpoolOptions<number | [number]> = {}): Tensor {
  checkTensor('max_unpool1d', x); checkTensor('max_unpool1d', indices, 'indices');
  const k = [single(kernelSize)!], s = o.stride != null ? [single(o.stride)!] : k, p = [single(o.padding) ?? 0];
  const out = unpoolOutputSize(x, k, s, p, o.outputSize);
  return unpool(2, x.unsqueeze(-1), indices.unsqueeze(-1), [...out, 1]).squeeze(-1);
}
/** The partial inverse of maxPool2d: [N, C, H, W] (or [C, H, W]) with maxPool2dWithIndices' indices (h·W + w of the output). */
export function maxUnpool2d(x: Tensor, indices: Tensor, kernelSize: Pair, o: MaxUnpoolOptions<Pair> = {}): Tensor {
  checkTensor('max_unpool2d', x);
  const k = tupleOf(kernelSize, 2), s = o.stride != null ? tupleOf(o.stride, 2) : k, p = tupleOf(o.padding ?? 0, 2);
  return unpool(2, x, indices, unpoolOutputSize(x, k, s, p, o.outputSize));
}
/** The partial inverse of maxPool3d: [N, C, D, H, W] (or [C, D, H, W]) with maxPool3dWithIndices' indices. */
export function maxUnpool3d(x: Tensor, indices: Tensor, kernelSize: Triple, o: MaxUnpoolOptions<Triple> = {}): Tensor {
  checkTensor('max_unpool3d', x);
  const k = tupleOf(kernelSize, 3), s = o.stride != null ? tupleOf(o.stride, 3) : k, p = tupleOf(o.padding ?? 0, 3);
  return unpool(3, x, indices, unpoolOutputSize(x, k, s, p, o.outputSize));
}

// =============================================================== dropout

function checkP(p: number): void {
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
}
const warned = new Set<string>();
/**
 * PyTorch's _dropout_impl: the identity for p = 0, out of training or for an empty x; x · 0 for p = 1;
 * else x times a Bernoulli(1 − p) mask (per element, or per channel [N, C, 1, …] for feature dropout)
 * scaled by 1/(1 − p), or, for alpha dropout, x · a·mask + b, which keeps SELU's mean 0 and variance 1:
 * dropped elements become −α′·a + b with α′ = 1.7581 (SELU's negative saturation).
 */
function dropoutImpl(x: Tensor, p: number, training: boolean, feature: boolean, alpha: boolean): Tensor {
  if (p === 0 || !training || x.numel() === 0) return x;
  if (p === 1) return mul(x, 0);
  if (feature && x.ndim < 2) throw new Error('Feature dropout requires at least 2 dimensions in the input');
  const shape = feature ? x.shape.map((v, i) => (i < 2 ? v : 1)) : [...x.shape];
  const keep = compare('ge', rand(shape, { device: x.device, dtype: isFloat(x.dtype) ? x.dtype : 'float32' }), p);
  if (!alpha) return mul(x, mul(keep, 1 / (1 - p)));
  const A = 1.7580993408473766, a = 1 / Math.sqrt((A * A * p + 1) * (1 - p));
  const noise = where(keep, 1, 0);
  const b = add(mul(sub(noise, 1), A * a), A * a * p);
  return add(mul(x, mul(noise, a)), b);
}
/** Channel dropout of [N, C, L] (or [C, L]): each channel zeroed with probability p, the rest scaled by 1/(1 − p), in training. */
export function dropout1d(x: Tensor, p = 0.5, training = true): Tensor {
  checkTensor('dropout1d', x); checkP(p);
  if (x.ndim !== 2 && x.ndim !== 3) {
    throw new Error(`dropout1d: Expected 2D or 3D input, but received a ${x.ndim}D input. Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).`);
  }
  if (x.ndim === 3) return dropoutImpl(x, p, training, true, false);
  return dropoutImpl(x.unsqueeze(0), p, training, true, false).squeeze(0);
}
/** Channel dropout of [N, C, D, H, W] (or [C, D, H, W]; other ranks with PyTorch's warning). */
export function dropout3d(x: Tensor, p = 0.5, training = true): Tensor {
  checkTensor('dropout3d', x); checkP(p);
  if (x.ndim !== 4 && x.ndim !== 5 && !warned.has(`dropout3d${x.ndim}`)) {
    warned.add(`dropout3d${x.ndim}`);
    process.emitWarning(`dropout3d: Received a ${x.ndim}-D input to dropout3d, which is deprecated and will result in an error in a future release. To retain the behavior and silence this warning, please use dropout instead. Note that dropout3d exists to provide channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).`, 'UserWarning');
  }
  if (x.ndim === 5) return dropoutImpl(x, p, training, true, false);
  return dropoutImpl(x.unsqueeze(0), p, training, true, false).squeeze(0);
}
/**
 * Alpha dropout (for SELU networks): each element dropped with probability p to SELU's negative
 * saturation, then all scaled and shifted so the mean and variance stay (0 and 1 for a standard input).
 * Training off by default, as PyTorch's F.alpha_dropout. The mask comes from torch.rand.
 */
export function alphaDropout(x: Tensor, p = 0.5, training = false): Tensor {
  checkTensor('alpha_dropout', x); checkP(p);
  return dropoutImpl(x, p, training, false, true);
}
/** Alpha dropout of whole channels (x[n, c]); training off by default, as PyTorch's. */
export function featureAlphaDropout(x: Tensor, p = 0.5, training = false): Tensor {
  checkTensor('feature_alpha_dropout', x); checkP(p);
  return dropoutImpl(x, p, training, true, true);
}

// =============================================================== instance normalization

export interface InstanceNormFunctionalOptions {
  runningMean?: Tensor | null; runningVar?: Tensor | null; weight?: Tensor | null; bias?: Tensor | null; useInputStats?: boolean; momentum?: number; eps?: number;
}
/**
 * Instance normalization of [N, C, *]: each sample's channel normalized over its positions, then ·
 * weight + bias per channel; as PyTorch's torch.instance_norm, batch normalization of the input viewed as
 * [1, N·C, *] with the statistics and parameters repeated N times (grad_fn ViewBackward0). With
 * useInputStats (default) the instances' own statistics, and runningMean/runningVar (if given) move
 * towards their means over the batch by momentum, in place; without it, the running statistics normalize.
 */
export function instanceNorm(input: Tensor, o: InstanceNormFunctionalOptions = {}): Tensor {
  checkTensor('instance_norm', input);
  const use = o.useInputStats ?? true, rm = o.runningMean ?? null, rv = o.runningVar ?? null;
  if (input.ndim < 2) throw new Error(`instance_norm(): expected an input of at least 2 dims [N, C, …], got ${fmtShape(input.shape)}`);
  if (use && prod(input.shape.slice(2)) === 1) throw new Error(`Expected more than 1 spatial element when training, got input size ${formatSize(input.shape)}`);
  if (!use && (rm == null || rv == null)) throw new Error('Expected running_mean and running_var to be defined when use_input_stats is false');
  const [N, C] = input.shape;
  const rep = (t: Tensor | null | undefined) => (t == null ? null : t.repeat(N));
  const rmR = rep(rm), rvR = rep(rv);
  const out = batchNorm(reshape(input, [1, N * C, ...input.shape.slice(2)]), rmR, rvR, {
    weight: rep(o.weight), bias: rep(o.bias), training: use, momentum: o.momentum ?? 0.1, eps: o.eps ?? 1e-5,
  });
  if (rm && rmR) rm.copy_(reshape(rmR, [N, C]).mean(0));
  if (rv && rvR) rv.copy_(reshape(rvR, [N, C]).mean(0));
  return reshape(out, input.shape);
}

// =============================================================== gumbel-softmax

export interface GumbelSoftmaxOptions { tau?: number; hard?: boolean; dim?: number; eps?: number }
/**
 * A sample of the Gumbel-softmax (Concrete) distribution: softmax((logits + g) / τ) along dim with g
 * standard Gumbel noise (−log of an Exponential(1) draw, from torch's generator: manualSeed repeats it).
 * hard: the one-hot of each row's largest, differentiated as the soft sample (straight through:
 * y_hard − y_soft.detach() + y_soft).
 */
export function gumbelSoftmax(logits: Tensor, o: GumbelSoftmaxOptions = {}): Tensor {
  checkTensor('gumbel_softmax', logits);
  const tau = o.tau ?? 1, dim = o.dim ?? -1;
  if (o.eps !== undefined && o.eps !== 1e-10 && !warned.has('gumbel_eps')) {
    warned.add('gumbel_eps');
    process.emitWarning('`eps` parameter is deprecated and has no effect.', 'UserWarning');
  }
  const e = zeros([...logits.shape], { dtype: isFloat(logits.dtype) ? logits.dtype : 'float32', device: logits.device }).exponential_();
  const ySoft = softmax(div(add(logits, neg(log(e))), tau), dim);
  if (!o.hard) return ySoft;
  const index = ySoft.argmax(dim, true);
  const yHard = full([...logits.shape], 0, { dtype: ySoft.dtype, device: ySoft.device }).scatterAdd(dim, index, full([...index.shape], 1, { dtype: ySoft.dtype, device: ySoft.device }));
  return add(sub(yHard, ySoft.detach()), ySoft);
}

// =============================================================== PyTorch's spellings of the multilabel losses

/** F.multilabel_margin_loss (troupe's multiLabelMarginLoss). */
export const multilabelMarginLoss = multiLabelMarginLoss;
/** F.multilabel_soft_margin_loss (troupe's multiLabelSoftMarginLoss). */
export const multilabelSoftMarginLoss = multiLabelSoftMarginLoss;

// =============================================================== affine grids

/** PyTorch's linspace_from_neg_one: n points over [−1, 1] (their pixels' centres without alignCorners), [0] for one. */
function gridLine(n: number, alignCorners: boolean): number[] {
  if (n <= 1) return [0];
  return Array.from({ length: n }, (_, i) => {
    const v = -1 + (2 * i) / (n - 1);
    return alignCorners ? v : (v * (n - 1)) / n;
  });
}
/**
 * The sampling grid of an affine transform (F.affine_grid): theta [N, 2, 3] and size [N, C, H, W] give
 * [N, H, W, 2] (x, y) points, theta [N, 3, 4] and size [N, C, D, H, W] give [N, D, H, W, 3] (x, y, z):
 * each output pixel's normalized coordinates (x along W first; with alignCorners the corner pixels' centres
 * at ±1, else their outer edges) times thetaᵀ. One node (AffineGridGeneratorBackward0), linear in theta.
 */
export function affineGrid(theta: Tensor, size: number[], o: { alignCorners?: boolean } = {}): Tensor {
  checkTensor('affine_grid', theta, 'theta');
  const alignCorners = o.alignCorners ?? false;
  if (!isFloat(theta.dtype)) throw new Error(`Expected theta to have floating point type, but got torch.${theta.dtype}`);
  const sz = `[${size.join(', ')}]`;
  if (size.length === 4) {
    if (theta.ndim !== 3 || theta.shape[1] !== 2 || theta.shape[2] !== 3) throw new Error(`Expected a batch of 2D affine matrices of shape Nx2x3 for size ${sz}. Got ${formatSize(theta.shape)}.`);
  } else if (size.length === 5) {
    if (theta.ndim !== 3 || theta.shape[1] !== 3 || theta.shape[2] !== 4) throw new Error(`Expected a batch of 3D affine matrices of shape Nx3x4 for size ${sz}. Got ${formatSize(theta.shape)}.`);
  } else {
    throw new Error(`affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, respectively. Got size ${sz}.`);
  }
  const spatial = size.slice(2), nd = spatial.length;
  if (alignCorners && Math.min(...spatial) === 1) {
    if (!warned.has('affine_grid_unit')) {
      warned.add('affine_grid_unit');
      process.emitWarning('Since version 1.3.0, affine_grid behavior has changed for unit-size grids when align_corners=True. This is not an intended use case of affine_grid. See the documentation of affine_grid for details.', 'UserWarning');
    }
  } else if (Math.min(...size) <= 0) throw new Error(`Expected non-zero, positive output size. Got ${sz}`);
  const N = size[0];
  if (theta.shape[0] !== N) throw new Error(`Expected size for first two dimensions of batch2 tensor to be: [${N}, ${nd + 1}] but got: [${theta.shape[0]}, ${nd + 1}].`);
  // base [P, nd + 1]: (x, y[, z], 1) per output point, x (along the last dim) fastest
  const lines = spatial.map((n) => gridLine(n, alignCorners)).reverse(); // x, y, z
  const P = prod(spatial), base = new Float64Array(P * (nd + 1));
  for (let p = 0; p < P; p++) {
    let rest = p;
    for (let k = 0; k < nd; k++) {
      const n = spatial[nd - 1 - k];
      base[p * (nd + 1) + k] = lines[k][rest % n];
      rest = Math.floor(rest / n);
    }
    base[p * (nd + 1) + nd] = 1;
  }
  const b = tensor(base, { dtype: theta.dtype, device: deviceName(theta.device) }).reshape([P, nd + 1]);
  return twice(composite('AffineGridGeneratorBackward0', [theta], () => reshape(matmul(b, theta.transpose(1, 2)), [N, ...spatial, nd]),
    (g) => [matmul(reshape(g, [N, P, nd]).transpose(1, 2), b)]));
}

// =============================================================== grid_sample

/**
 * F.grid_sample: input [N, C, H, W] (or [N, C, D, H, W]) sampled at grid [N, Ho, Wo, 2] (or
 * [N, Do, Ho, Wo, 3]), whose last dim holds (x, y[, z]) in [−1, 1] (−1 and 1 the edge pixels' centres
 * with alignCorners, their outer edges without). Modes 'bilinear' (trilinear for 5-D) and 'nearest'
 * (round half to even, as PyTorch's nearbyint) and 'bicubic'; paddingMode 'zeros' (outside points read 0), 'border'
 * (coordinates clamped into the image) or 'reflection' (reflected at the edges, then clamped), PyTorch's
 * formulas step by step. Composed of elementwise ops and one gather per corner, so the gradients reach
 * the input (added back where points read it) and the grid (through the interpolation weights; the
 * clamping passes none outside, as PyTorch's), on every device. 'bicubic' (4-D only, as PyTorch's): 4 × 4
 * taps, each padded by the padding mode, weighted by the cubic convolution kernel with A = −0.75.
 */
export function gridSample(input: Tensor, grid: Tensor, o: { mode?: 'bilinear' | 'nearest' | 'bicubic'; paddingMode?: 'zeros' | 'border' | 'reflection'; alignCorners?: boolean | null } = {}): Tensor {
  checkTensor('grid_sample', input); checkTensor('grid_sample', grid, 'grid');
  const mode = o.mode ?? 'bilinear', paddingMode = o.paddingMode ?? 'zeros';
  if (o.alignCorners == null && !warned.has('grid_sample_align')) {
    warned.add('grid_sample_align');
    process.emitWarning('Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. Please specify align_corners=True if the old behavior is desired. See the documentation of grid_sample for details.', 'UserWarning');
  }
  const alignCorners = o.alignCorners ?? false;
  if (mode !== 'bilinear' && mode !== 'nearest' && mode !== 'bicubic') throw new Error(`nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: '${String(mode)}'`);
  if (paddingMode !== 'zeros' && paddingMode !== 'border' && paddingMode !== 'reflection') throw new Error(`nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', but got: '${String(paddingMode)}'`);
  if (input.dtype !== grid.dtype) throw new Error(`expected scalar type ${SCALAR_TYPE[input.dtype]} but found ${SCALAR_TYPE[grid.dtype]}`);
  if (input.device !== grid.device) throw new Error(`grid_sampler(): expected input and grid to be on same device, but input is on ${deviceName(input.device)} and grid is on ${deviceName(grid.device)}`);
  floatKernel('grid_sampler_2d', input);
  const sizesOf = `input with sizes [${input.shape.join(', ')}] and grid with sizes [${grid.shape.join(', ')}]`;
  if (grid.ndim > 0 && input.ndim > 0 && grid.shape[0] !== input.shape[0]) throw new Error(`grid_sampler(): expected grid and input to have same batch size, but got ${sizesOf}`);
  const nd = input.ndim - 2;
  if (grid.shape[grid.ndim - 1] !== nd) throw new Error(`grid_sampler(): expected grid to have size ${nd} in last dimension, but got grid with sizes [${grid.shape.join(', ')}]`);
  if ((nd !== 2 && nd !== 3) || grid.ndim !== input.ndim) throw new Error(`grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, but got ${sizesOf}`);
  if (mode === 'bicubic' && nd !== 2) throw new Error('grid_sampler(): bicubic interpolation only supports 4D input');
  const [N, C] = input.shape, inSp = input.shape.slice(2), outSp = grid.shape.slice(1, -1), P = prod(outSp), S = prod(inSp);
  const dev = deviceName(input.device);
  // spatial sizes and element strides in x, y[, z] order (x is the last dim)
  const sizes = [...inSp].reverse(), strides = sizes.map((_, k) => prod(sizes.slice(0, k)));
  const g = reshape(grid, [N, P, nd]);
  // the padding mode's clip or reflection of an unnormalized coordinate
  const padded = (v: Tensor, n: number) => {
    if (paddingMode === 'border') return clip(v, n);
    if (paddingMode === 'reflection') return clip(alignCorners ? reflect(v, 0, 2 * (n - 1)) : reflect(v, -1, 2 * n - 1), n);
    return v;
  };
  const raw = sizes.map((n, k) => {
    const c = g.narrow(2, k, 1).squeeze(2);
    return alignCorners ? mul(add(c, 1), (n - 1) / 2) : div(sub(mul(add(c, 1), n), 1), 2);
  });
  // (bicubic pads each tap instead, as PyTorch's get_value_bounded)
  const coords = mode === 'bicubic' ? raw : raw.map((v, k) => padded(v, sizes[k]));
  const flat = reshape(input, [N, C, S]);
  const sampleAt = (idx: Tensor[]) => {
    // the value at integer coordinates idx (x, y[, z]), 0 outside the image
    let inside: Tensor | null = null, lin: Tensor | null = null;
    idx.forEach((t, k) => {
      const ok = compare('ge', t, 0).logicalAnd(compare('le', t, sizes[k] - 1));
      inside = inside === null ? ok : inside.logicalAnd(ok);
      const term = mul(t, strides[k]);
      lin = lin === null ? term : add(lin, term);
    });
    const at = where(inside!, lin!, 0).to({ dtype: 'int64' });
    const v = gather(flat, 2, reshape(at, [N, 1, P]).expand([N, C, P]));
    return where(reshape(inside!, [N, 1, P]), v, 0);
  };
  let out: Tensor;
  if (mode === 'bicubic') {
    // 4 × 4 taps around floor(x, y), each padded, weighted by PyTorch's cubic convolution (A = −0.75)
    const lo = coords.map((c) => c.floor()), t = coords.map((c, k) => sub(c, lo[k]));
    const w = t.map((tk) => cubicWeights(tk));
    let acc: Tensor | null = null;
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        const tap = [padded(add(lo[0], j - 1), sizes[0]), padded(add(lo[1], i - 1), sizes[1])];
        const term = mul(sampleAt(tap), reshape(mul(w[0][j], w[1][i]), [N, 1, P]));
        acc = acc === null ? term : add(acc, term);
      }
    }
    out = acc!;
  } else if (mode === 'nearest') {
    out = sampleAt(coords.map((c) => c.round()));
    if (grid.requiresGrad) {
      // PyTorch gives the grid a zero gradient here, not none: subtract a term that is 0 with gradient 0
      // (0·(c − c.detach()) where c is finite; x − 0 keeps x's sign, −0 included).
      const zero = mul(where(compare('eq', sub(coords[0], coords[0]), 0), sub(coords[0], coords[0].detach()), 0), 0);
      out = sub(out, reshape(zero, [N, 1, P]));
    }
  } else {
    const lo = coords.map((c) => c.floor()), frac = coords.map((c, k) => sub(c, lo[k]));
    let acc: Tensor | null = null;
    for (let corner = 0; corner < 2 ** nd; corner++) {
      let w: Tensor | null = null;
      const idx = lo.map((l, k) => {
        const up = (corner >> k) & 1;
        const wk = up ? frac[k] : sub(1, frac[k]);
        w = w === null ? wk : mul(w, wk);
        return up ? add(l, 1) : l;
      });
      const term = mul(sampleAt(idx), reshape(w!, [N, 1, P]));
      acc = acc === null ? term : add(acc, term);
    }
    out = acc!;
  }
  return reshape(out, [N, C, ...outSp]);
}
/** PyTorch's cubic convolution weights (A = −0.75) of the taps at −1, 0, 1, 2 for a fraction t. */
function cubicWeights(t: Tensor): Tensor[] {
  const A = -0.75;
  const far = (x: Tensor) => sub(mul(add(mul(sub(mul(x, A), 5 * A), x), 8 * A), x), 4 * A); // ((A·x − 5A)·x + 8A)·x − 4A, for 1 < x < 2
  const near = (x: Tensor) => add(mul(mul(sub(mul(x, A + 2), A + 3), x), x), 1);          // ((A + 2)·x − (A + 3))·x² + 1, for x ≤ 1
  return [far(add(t, 1)), near(t), near(sub(1, t)), far(sub(2, t))];
}
/** Coordinates clamped into [0, n − 1], with no gradient at or past the borders (PyTorch's
 * clip_coordinates_set_grad counts the borders as outside). */
function clip(v: Tensor, n: number): Tensor { return where(compare('le', v, 0), 0, where(compare('ge', v, n - 1), n - 1, v)); }
/** PyTorch's reflect_coordinates: v reflected into [twiceLow/2, twiceHigh/2]. */
function reflect(v: Tensor, twiceLow: number, twiceHigh: number): Tensor {
  if (twiceLow === twiceHigh) return mul(v, 0);
  const min = twiceLow / 2, span = (twiceHigh - twiceLow) / 2;
  // (|v − min| with the gradient's sign +1 at 0, as PyTorch's reflect_coordinates_set_grad)
  const d = sub(v, min), a = where(compare('lt', d, 0), neg(d), d);
  const flips = div(a, span).floor();
  const extra = sub(a, mul(flips, span));
  const even = compare('eq', sub(flips, mul(div(flips, 2).floor(), 2)), 0);
  return where(even, add(extra, min), add(sub(span, extra), min));
}
