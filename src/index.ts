/**
 * troupe: `import * as torch from 'troupe'`.
 */
export {
  Tensor, Size, tensor, fromTypedArray, ones, zeros, empty, full, rand, randn, zerosLike, onesLike, randLike, randnLike,
  linspace, arange, manualSeed, initialSeed, getRngState, setRngState, seedRandom as seed, add, sub, mul, div, floorDivide, pow, neg, exp, log, sqrt, abs, sin, cos, tanh, relu,
  asin, acos, atan, sinh, cosh, asinh, acosh, atanh, log2, log10, exp2, atan2, fmod, remainder,
  bitwiseAnd, bitwiseOr, bitwiseXor, bitwiseNot, bitwiseLeftShift, bitwiseRightShift,
  sigmoid, reciprocal, maximum, minimum, where, sum, mean, dot, matmul, mm, clone, reshape, backward, format, print,
  isTensor, sumToShape, scope, keep, indexSelect, gather, scatterAdd, scatterReduce, t, transpose, permute, squeeze, unsqueezeOf as unsqueeze, flatten, unbind, diagonal, max, min, argmax, argmin, ValuesIndices, cat, concat, stack, softmax, logSoftmax, clamp, clip, sign, floor, ceil, trunc, round, variance as var, std, any, all, narrow, split, chunk, randint, eye, maskedFill,
} from './tensor.ts';
export type { TensorOptions, Device, ScatterReduce } from './tensor.ts';
export { noGrad, isGradEnabled, enableGrad, setGradEnabled } from './autograd/graph.ts';
import { grad as autogradGrad, backward as autogradBackward } from './tensor.ts';
import { functional as autogradFunctional } from './autograd-functional.ts';
export type { GradOptions, BackwardOptions } from './tensor.ts';
/** torch.autograd: grad(outputs, inputs, { gradOutputs, retainGraph, allowUnused }), backward(t, gradient?, { retainGraph }) and functional (vjp, jvp, jacobian, hessian, hvp, vhp). */
export const autograd = { grad: autogradGrad, backward: autogradBackward, functional: autogradFunctional };
export type { FunctionalFn, FunctionalOptions, JacobianOptions, HessianOptions } from './autograd-functional.ts';
export {
  square, rsqrt, log1p, expm1, isnan, isinf, isfinite, lerp, isclose, allclose, equal, amax, amin, logsumexp, norm, outer, bmm,
  tril, triu, diag, trace, repeat, tile, hstack, vstack, fullLike, maskedSelect, nonzero, erf, erfc,
} from './ops-more.ts';
export type { CloseOptions } from './ops-more.ts';
export { sort, argsort, msort, topk, kthvalue, median, cumsum, cumprod, flip, roll, randperm } from './ops-sort.ts';
export type { ScanOptions, RandpermOptions } from './ops-sort.ts';
export {
  prod, logicalAnd, logicalOr, logicalXor, logicalNot, einsum, meshgrid, diff, countNonzero, swapaxes, swapdims, movedim,
  logaddexp, hypot, deg2rad, rad2deg, frac, nanToNum,
} from './ops-extra.ts';
export type { ProdOptions, MeshgridOptions, NanToNumOptions } from './ops-extra.ts';
export { multinomial, bernoulli, normal, poisson, binomial, randintLike } from './ops-random.ts';
export {
  absolute, negative, positive, arccos, arcsin, arctan, arctan2, arccosh, arcsinh, arctanh, fix, trueDivide, moveaxis, trapz, clampMin, clampMax, sgn, ravel,
  broadcastTo, broadcastShapes, broadcastTensors, atleast1d, atleast2d, atleast3d, logspace, vander, diagflat, flipud, fliplr, stdMean, varMean,
  addmv, addr, baddbmm, addbmm, inner, tensordot, cdist, floatPower, matrixPower, argwhere, unique, uniqueConsecutive, bincount,
  indexAdd, indexCopy, indexFill, scatter, histc, unflatten, chainMatmul, isFloatingPoint, isComplex,
  nanmedian, renorm, matrixExp, selectScatter, sliceScatter, diagonalScatter, gcd, lcm, frexp, ldexp,
} from './ops-api.ts';
export {
  hannWindow, hammingWindow, blackmanWindow, bartlettWindow, kaiserWindow, combinations, cumulativeTrapezoid, gradient, histogram, Histogram, logaddexp2,
  numel, emptyLike, asTensor, asarray, scalarTensor, resultType, promoteTypes, canCast, isSameSize, isSigned, range, select, addcmul, addcdiv, subtract, multiply, divide,
  triangularSolve, TriangularSolve, choleskySolve, choleskyInverse, lu, luUnpack, luSolve,
} from './ops-api2.ts';
export type { WindowOptions, HammingOptions, KaiserOptions, CumulativeTrapezoidOptions, GradientOptions, HistogramOptions, TriangularSolveOptions } from './ops-api2.ts';
export { cosineSimilarity } from './functional.ts';
export { pairwiseDistance } from './functional-losses.ts';
export type { UniqueOptions } from './ops-api.ts';
export { lgamma, digamma } from './distributions-extra.ts';
/** torch.special: erf, erfc, erfinv, expit, exp2, expm1, log1p, logit, xlogy, xlog1py, gammaln, digamma, psi, polygamma, multigammaln, entr, ndtr, ndtri, logNdtr, i0, i0e, i1, i1e, gammainc, gammaincc, zeta, erfcx, sinc, logsumexp, softmax, logSoftmax, round. */
export * as special from './special.ts';
export { erfinv } from './distributions.ts';
export { i0, polygamma, mvlgamma, gammainc as igamma, gammaincc as igammac, nextafter } from './special.ts';
export type { MultinomialOptions } from './ops-random.ts';
export {
  cummax, cummin, logcumsumexp, nansum, nanmean, quantile, nanquantile, mode, aminmax, MinMax, repeatInterleave, rot90, trilIndices, triuIndices,
  tensorSplit, hsplit, vsplit, dsplit, dstack, columnStack, rowStack, take, takeAlongDim, isin, searchsorted, bucketize, isposinf, isneginf, signbit,
  copysign, heaviside, sinc, logit, xlogy, cross, kron, cartesianProd, blockDiag, cov, corrcoef, trapezoid, diagEmbed, vdot, mv, ger, dist,
} from './ops-misc.ts';
export type { NanReduceOptions, QuantileOptions, QuantileInterpolation, SearchOptions, CovOptions } from './ops-misc.ts';
export type { DType } from './runtime/protocol.ts';
export type { TypedArray } from './dtype.ts';
export { getDefaultDtype, setDefaultDtype, finfo, iinfo, FInfo, IInfo } from './dtype.ts';

export const float32 = 'float32' as const;
export const float = 'float32' as const;
export const float64 = 'float64' as const;
export const double = 'float64' as const;
export const int32 = 'int32' as const;
export const int64 = 'int64' as const;
export const long = 'int64' as const;
export const bool = 'bool' as const;
export { init, shutdown, defaultWorkers, parseWorkers, gpu, memoryStats, _internals } from './session.ts';
/** torch.set_printoptions (precision, threshold, edgeitems, linewidth, profile, sciMode) and the current options. */
export { setPrintoptions, getPrintoptions } from './format.ts';
export type { PrintOptions } from './format.ts';
export type { InitOptions, MemoryStats } from './session.ts';
export { addmm } from './functional.ts';
import './tensor-api.ts';
/** torch's own spellings of nn.functional's operations (positional signatures as PyTorch's) and small helpers (src/torch-aliases.ts). */
export {
  conv1d, conv2d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d, maxPool1d, maxPool2d, maxPool3d, maxPool1dWithIndices, avgPool1d,
  adaptiveAvgPool1d, adaptiveMaxPool1d, dropout, alphaDropout, featureAlphaDropout, featureDropout, batchNorm, layerNorm, groupNorm, instanceNorm,
  embedding, pixelShuffle, pixelUnshuffle, prelu, selu, celu, threshold, bilinear, pdist, constantPadNd, concatenate, detach, fill, zero_, conj,
  resolveConj, resolveNeg, isConj, isNeg, real, imag, adjoint, getDevice, channelShuffle, rrelu, rrelu_, selu_, celu_, threshold_,
} from './torch-aliases.ts';
import { inplace as torchInplace } from './torch-aliases.ts';
/** torch.abs_(x) … : x.abs_() … */
export const {
abs_, acos_, acosh_, asin_, asinh_, atan_, atanh_, ceil_, clamp_, clampMax_, clampMin_, clip_, cos_, cosh_, deg2rad_, erf_, erfc_, exp_, exp2_, expm1_, fix_, floor_, frac_, gcd_, i0_, lcm_, ldexp_, log_, log10_, log1p_, log2_, logit_, nanToNum_, neg_, negative_, rad2deg_, reciprocal_, relu_, round_, rsqrt_, sigmoid_, sin_, sinc_, sinh_, sqrt_, square_, tan_, tanh_, trunc_, xlogy_, arccos_, arccosh_, arcsin_, arcsinh_, arctan_, arctanh_,
} = torchInplace;
export {
  angle, rsub, nuclearNorm, frobeniusNorm, cholesky, qr, inferenceMode, useDeterministicAlgorithms, areDeterministicAlgorithmsEnabled, indexReduce,
} from './tensor-api.ts';
export { tan, fmax, fmin, hardshrink, eq, ne, lt, le, gt, ge, greater, greaterEqual, less, lessEqual, notEqual, put, indexPut, maskedScatter } from './tensor-api.ts';
/** torch.nn: Module, Parameter, layers, activations, losses; torch.nn.functional. */
export * as nn from './nn-namespace.ts';
/** torch.optim: SGD, Adam, AdamW. */
export * as optim from './optim-more.ts';
/** torch.utils.data: TensorDataset, Subset, ConcatDataset, IterableDataset, randomSplit, samplers, DataLoader. */
export * as utils from './utils.ts';
/** torch.distributions: Normal, Bernoulli, Categorical, Uniform, Exponential, Laplace, Independent, Gamma, …, kl.klDivergence;
 * transforms (ExpTransform, AffineTransform, …), TransformedDistribution, transformTo / bijectTo, Gumbel, Weibull, Pareto, LogisticNormal, … */
export * as distributions from './distributions-namespace.ts';
/** torch.save / torch.load: named tensors to and from a safetensors file, or PyTorch's own .pt files. */
export { save, load } from './io.ts';
/** torch.linalg: inv, solve, det, slogdet, vectorNorm, matrixNorm, norm, cholesky, qr, eigh, eigvalsh, svd, svdvals, pinv, matrixRank, lstsq, cross, matmul, diagonal. */
export * as linalg from './linalg.ts';
export { inverse, det, logdet, slogdet, pinverse, svdOld as svd } from './linalg.ts';
