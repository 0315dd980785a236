/**
 * The nn.functional operations PyTorch also has at torch's top level, with torch's own positional
 * signatures (torch.conv2d(input, weight, bias, stride, padding, dilation, groups), torch.dropout(input,
 * p, train), torch.embedding(weight, indices), torch.batch_norm(input, weight, bias, running_mean,
 * running_var, training, momentum, eps, cudnn_enabled), …), mapped onto the nn.functional functions, so
 * code written against torch.* runs as written. Also torch's in-place top-level forms (torch.relu_(x),
 * torch.abs_(x), …) and small ones: concatenate, detach, fill, zero_, conj, real, adjoint, isConj, isNeg,
 * resolveConj, resolveNeg, getDevice, constantPadNd.
 */
import { Tensor, cat, checkTensor } from './tensor.ts';
import * as F from './functional.ts';

type N = number;
type Pair = N | [N, N];
type Triple = N | [N, N, N];

export const conv1d = (input: Tensor, weight: Tensor, bias: Tensor | null = null, stride: N | [N] = 1, padding: N | [N] = 0, dilation: N | [N] = 1, groups = 1): Tensor =>
  F.conv1d(input, weight, bias, { stride, padding, dilation, groups });
export const conv2d = (input: Tensor, weight: Tensor, bias: Tensor | null = null, stride: Pair = 1, padding: Pair = 0, dilation: Pair = 1, groups = 1): Tensor =>
  F.conv2d(input, weight, bias, { stride, padding, dilation, groups });
export const conv3d = (input: Tensor, weight: Tensor, bias: Tensor | null = null, stride: Triple = 1, padding: Triple = 0, dilation: Triple = 1, groups = 1): Tensor =>
  F.conv3d(input, weight, bias, { stride, padding, dilation, groups });
export const convTranspose1d = (input: Tensor, weight: Tensor, bias: Tensor | null = null, stride: N | [N] = 1, padding: N | [N] = 0, outputPadding: N | [N] = 0, groups = 1, dilation: N | [N] = 1): Tensor =>
  F.convTranspose1d(input, weight, bias, { stride, padding, outputPadding, groups, dilation });
export const convTranspose2d = (input: Tensor, weight: Tensor, bias: Tensor | null = null, stride: Pair = 1, padding: Pair = 0, outputPadding: Pair = 0, groups = 1, dilation: Pair = 1): Tensor =>
  F.convTranspose2d(input, weight, bias, { stride, padding, outputPadding, groups, dilation });
export const convTranspose3d = (input: Tensor, weight: Tensor, bias: Tensor | null = null, stride: Triple = 1, padding: Triple = 0, outputPadding: Triple = 0, groups = 1, dilation: Triple = 1): Tensor =>
  F.convTranspose3d(input, weight, bias, { stride, padding, outputPadding, groups, dilation });

/** torch's pools: stride [] (or omitted) means the kernel size, as PyTorch's. */
const strideOf = <T>(s: T | [] | undefined | null): T | null => (s === undefined || s === null || (Array.isArray(s) && s.length === 0) ? null : (s as T));
export const maxPool1d = (input: Tensor, kernelSize: N | [N], stride?: N | [N] | [], padding: N | [N] = 0, dilation: N | [N] = 1, ceilMode = false): Tensor =>
  F.maxPool1d(input, kernelSize, { stride: strideOf(stride), padding, dilation, ceilMode });
export const maxPool2d = (input: Tensor, kernelSize: Pair, stride?: Pair | [], padding: Pair = 0, dilation: Pair = 1, ceilMode = false): Tensor =>
  F.maxPool2d(input, kernelSize, { stride: strideOf(stride), padding, dilation, ceilMode });
export const maxPool3d = (input: Tensor, kernelSize: Triple, stride?: Triple | [], padding: Triple = 0, dilation: Triple = 1, ceilMode = false): Tensor =>
  F.maxPool3d(input, kernelSize, { stride: strideOf(stride), padding, dilation, ceilMode });
export const maxPool1dWithIndices = (input: Tensor, kernelSize: N | [N], stride?: N | [N] | [], padding: N | [N] = 0, dilation: N | [N] = 1, ceilMode = false): [Tensor, Tensor] =>
  F.maxPool1dWithIndices(input, kernelSize, { stride: strideOf(stride), padding, dilation, ceilMode });
export const avgPool1d = (input: Tensor, kernelSize: N | [N], stride?: N | [N] | [], padding: N | [N] = 0, ceilMode = false, countIncludePad = true): Tensor =>
  F.avgPool1d(input, kernelSize, { stride: strideOf(stride), padding, ceilMode, countIncludePad });
export const adaptiveAvgPool1d = (input: Tensor, outputSize: N | [N]): Tensor => F.adaptiveAvgPool1d(input, outputSize);
/** torch.adaptive_max_pool1d gives (values, indices), as PyTorch's. */
export const adaptiveMaxPool1d = (input: Tensor, outputSize: N | [N]): [Tensor, Tensor] => F.adaptiveMaxPool1dWithIndices(input, outputSize);

export const dropout = (input: Tensor, p: N, train: boolean): Tensor => F.dropout(input, p, train);
export const alphaDropout = (input: Tensor, p: N, train: boolean): Tensor => F.alphaDropout(input, p, train);
export const featureAlphaDropout = (input: Tensor, p: N, train: boolean): Tensor => F.featureAlphaDropout(input, p, train);
export const featureDropout = (input: Tensor, p: N, train: boolean): Tensor => F.dropout2d(input, p, train);

export const batchNorm = (input: Tensor, weight: Tensor | null, bias: Tensor | null, runningMean: Tensor | null, runningVar: Tensor | null, training: boolean, momentum: N, eps: N, _cudnnEnabled = true): Tensor =>
  F.batchNorm(input, runningMean, runningVar, { weight, bias, training, momentum, eps });
export const layerNorm = (input: Tensor, normalizedShape: N | N[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5, _cudnnEnable = true): Tensor =>
  F.layerNorm(input, normalizedShape, weight, bias, eps);
export const groupNorm = (input: Tensor, numGroups: N, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5, _cudnnEnabled = true): Tensor =>
  F.groupNorm(input, numGroups, weight, bias, eps);
export const instanceNorm = (input: Tensor, weight: Tensor | null, bias: Tensor | null, runningMean: Tensor | null, runningVar: Tensor | null, useInputStats: boolean, momentum: N, eps: N, _cudnnEnabled = true): Tensor =>
  F.instanceNorm(input, { weight, bias, runningMean, runningVar, useInputStats, momentum, eps });
/** torch.embedding(weight, indices, padding_idx = -1): the table first, as PyTorch's (F.embedding takes the indices first). */
export const embedding = (weight: Tensor, indices: Tensor, paddingIdx = -1): Tensor => F.embedding(indices, weight, { paddingIdx: paddingIdx < 0 ? null : paddingIdx });

export const pixelShuffle = (input: Tensor, upscaleFactor: N): Tensor => F.pixelShuffle(input, upscaleFactor);
export const pixelUnshuffle = (input: Tensor, downscaleFactor: N): Tensor => F.pixelUnshuffle(input, downscaleFactor);
export const prelu = (input: Tensor, weight: Tensor): Tensor => F.prelu(input, weight);
export const selu = (input: Tensor): Tensor => F.selu(input);
export const celu = (input: Tensor, alpha = 1): Tensor => F.celu(input, alpha);
export const threshold = (input: Tensor, thresholdValue: N, value: N): Tensor => F.threshold(input, thresholdValue, value);
export const bilinear = (input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor => F.bilinear(input1, input2, weight, bias);
export const pdist = (input: Tensor, p = 2): Tensor => F.pdist(input, p);
/** torch.constant_pad_nd(input, pad, value = 0): F.pad's constant mode. */
export const constantPadNd = (input: Tensor, pad: N[], value = 0): Tensor => F.pad(input, pad, { mode: 'constant', value });

/** torch.concatenate: torch.cat. */
export const concatenate = (tensors: Tensor[], dim = 0): Tensor => cat(tensors, dim);
export const detach = (x: Tensor): Tensor => { checkTensor('detach', x); return x.detach(); };
/** torch.fill(x, value): a new tensor of x's shape, dtype and device filled with value. */
export const fill = (x: Tensor, value: number | boolean): Tensor => { checkTensor('fill', x); return x.clone().detach().fill_(Number(value)); };
export const zero_ = <T extends Tensor>(x: T): T => x.zero_();
export const conj = (x: Tensor): Tensor => x.conj();
export const resolveConj = (x: Tensor): Tensor => x.resolveConj();
export const resolveNeg = (x: Tensor): Tensor => x.resolveNeg();
export const isConj = (x: Tensor): boolean => x.isConj();
export const isNeg = (x: Tensor): boolean => x.isNeg();
export const real = (x: Tensor): Tensor => x.real;
export const imag = (x: Tensor): Tensor => x.imag;
export const adjoint = (x: Tensor): Tensor => x.adjoint();
export const getDevice = (x: Tensor): number => x.getDevice();

/** torch's in-place top-level forms, torch.name_(x, …) = x.name_(…). */
const inplaceNames = ['abs', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'ceil', 'clamp', 'clampMax', 'clampMin', 'clip', 'cos', 'cosh', 'deg2rad', 'erf', 'erfc',
  'exp', 'exp2', 'expm1', 'fix', 'floor', 'frac', 'gcd', 'i0', 'lcm', 'ldexp', 'log', 'log10', 'log1p', 'log2', 'logit', 'nanToNum', 'neg', 'negative', 'rad2deg', 'reciprocal',
  'relu', 'round', 'rsqrt', 'sigmoid', 'sin', 'sinc', 'sinh', 'sqrt', 'square', 'tan', 'tanh', 'trunc', 'xlogy', 'arccos', 'arccosh', 'arcsin', 'arcsinh', 'arctan', 'arctanh'] as const;
type InplaceName = `${(typeof inplaceNames)[number]}_`;
export const inplace = Object.fromEntries(inplaceNames.map((n) => [`${n}_`, (x: Tensor, ...a: unknown[]) => {
  checkTensor(`${n}_`, x);
  return (x as unknown as Record<string, (...b: unknown[]) => Tensor>)[`${n}_`](...a);
}])) as Record<InplaceName, (x: Tensor, ...a: unknown[]) => Tensor>;
export const channelShuffle = (input: Tensor, groups: N): Tensor => F.channelShuffle(input, groups);
/** torch.rrelu(input, lower = 1/8, upper = 1/3, training = false), and its in-place form. */
export const rrelu = (input: Tensor, lower = 1 / 8, upper = 1 / 3, training = false): Tensor => F.rrelu(input, { lower, upper, training });
export const rrelu_ = <T extends Tensor>(input: T, lower = 1 / 8, upper = 1 / 3, training = false): T => F.rrelu_(input, { lower, upper, training });
export const selu_ = <T extends Tensor>(input: T): T => F.selu_(input);
export const celu_ = <T extends Tensor>(input: T, alpha = 1): T => F.celu_(input, alpha);
export const threshold_ = <T extends Tensor>(input: T, thresholdValue: N, value: N): T => F.threshold_(input, thresholdValue, value);
