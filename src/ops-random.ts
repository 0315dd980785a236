/**
 * Random sampling as PyTorch 1.13 has it: multinomial, bernoulli, normal, poisson, binomial, randintLike,
 * standardGamma (torch._standard_gamma), and the
 * in-place fills behind Tensor's bernoulli_, exponential_, geometric_, cauchy_, logNormal_ and random_.
 *
 * Every draw comes from the seeded generator's uniform (or normal) streams, one stream per call, as
 * torch.rand's: the results are a function of torch.manualSeed and the order of the calls. They are
 * not PyTorch's values (troupe has its own Philox generator); shapes, dtypes, argument checks and
 * distributions are PyTorch's. float32 results draw float32 uniforms, which the CPU and the GPU make
 * bit for bit alike, and go through device ops only (no read back): the discrete results (bernoulli,
 * random_, multinomial) are then the same on both devices, except where a draw falls within a
 * rounding of a boundary (multinomial's running sums, geometric_'s logarithm); the continuous ones
 * agree to the devices' rounding of log, sin, cos, exp.
 *
 * Value checks (a weight < 0, NaN or inf; a probability outside [0, 1]; a negative std) need the
 * values: they are made at once where the tensor is on the CPU and its values are already final, as
 * PyTorch's; elsewhere (a GPU tensor, or CPU work still in flight) they are not made, and such a value
 * gives a meaningless draw rather than an error.
 *
 * poisson, binomial and the standard gamma draws behind the gamma-family distributions are rejection
 * samplers run in a fixed number of rounds (see "gamma, poisson, binomial" below): exact but for an
 * event of probability below 1e-13 per element, deterministic under torch.manualSeed, and the same
 * integers (poisson, binomial) on both devices except where a draw falls within a rounding of a
 * boundary (an acceptance test, or the running sum of an inversion).
 *
 * No gradients: the draws are made under noGrad (PyTorch's gradients of bernoulli and normal with
 * respect to p, mean and std are zero).
 *
 * (This module and tensor.ts import each other: nothing here runs at load time.)
 */
import {
  Tensor, SCALAR_TYPE, abs, add, cat as torchCat, checkTensor, clamp, compare, cos, deviceName, div, exp, floor, full, log, minimum, mul, narrow,
  neg, pow, rand, randn, reshape, sin, sqrt, sub, sum, tensor, valuesNow, where, zeros,
} from './tensor.ts';
import { isnan, log1p } from './ops-more.ts';
import { digamma, lgamma } from './distributions-extra.ts';
import type { TensorOptions } from './tensor.ts';
import { topk } from './ops-sort.ts';
import { noGrad } from './autograd/graph.ts';
import { broadcastShapes } from './shape.ts';
import { getDefaultDtype, isFloat, parseDType, promote } from './dtype.ts';
import type { DType } from './runtime/protocol.ts';

const dev = (t: Tensor) => deviceName(t.device);

/** Uniform draws in [0, 1) for results of dtype `dtype`: float64 draws for float64 (the CPU's only),
 * else float32 ones, which the CPU and the GPU make alike. One stream of the generator. (Either holds
 * 24 random bits: k/2^24.) */
function uniform(shape: number[], dtype: DType, device: string): Tensor {
  return rand(shape, { dtype: dtype === 'float64' ? 'float64' : 'float32', device });
}


// =============================================================== multinomial

export interface MultinomialOptions { replacement?: boolean }

/** PyTorch's checks of the weights' values, where they can be made without waiting (see the top). */
function checkWeights(probs: Tensor, replacement: boolean): void {
  const v = valuesNow(probs);
  if (!v) return;
  const C = probs.shape[probs.ndim - 1], rows = C === 0 ? 0 : v.length / C;
  if (!replacement) {
    if (v.some((x) => !(x >= 0 && x < Infinity))) throw new Error('probability tensor contains either `inf`, `nan` or element < 0');
  }
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < C; j++) {
      const x = v[r * C + j];
      if (replacement && x < 0) throw new Error('invalid multinomial distribution (encountering probability entry < 0)');
      if (replacement && !Number.isFinite(x)) throw new Error('invalid multinomial distribution (encountering probability entry = infinity or NaN)');
      s += x;
    }
    if (!(s > 0)) throw new Error('invalid multinomial distribution (sum of probabilities <= 0)');
  }
}

/**
 * numSamples category indices drawn from the weights `probs` ([C], or [N, C]: one draw set per row;
 * non-negative, need not sum to 1), int64 [numSamples] or [N, numSamples] (torch.multinomial).
 *
 * With replacement: the inverse CDF. With c the running sums of a row's weights and u a uniform draw,
 * the sample is the number of c[0 … C-2] that are ≤ u·c[C-1] (u·c[C-1] < c[C-1], as float
 * multiplication rounds; a zero weight repeats the sum before it, so it is never drawn). Costs
 * N·numSamples·C comparisons, no read back.
 *
 * Without replacement: the Gumbel-top-k trick, the numSamples largest of log(w) − log(−log(u)), in
 * order (the order of sequential draws without replacement). A zero weight's key is −inf: drawn only
 * once every positive weight has been (as PyTorch's, which draws them then too).
 *
 * Errors as PyTorch's; the value checks (negative, NaN, inf weights, a row summing to 0) only where
 * the values are on the CPU and final now (see the top of this file): elsewhere such weights give a
 * meaningless draw.
 */
export function multinomial(probs: Tensor, numSamples: number, o: MultinomialOptions = {}): Tensor {
  checkTensor('multinomial', probs);
  if (typeof numSamples !== 'number' || !Number.isInteger(numSamples)) {
    throw new TypeError(`multinomial(): argument 'num_samples' (position 2) must be int, not ${typeof numSamples === 'number' ? 'float' : typeof numSamples}`);
  }
  const replacement = !!o.replacement;
  if (!isFloat(probs.dtype)) throw new Error(`multinomial only supports floating-point dtypes for input, got: ${SCALAR_TYPE[probs.dtype]}`);
  if (probs.ndim !== 1 && probs.ndim !== 2) throw new Error('prob_dist must be 1 or 2 dim');
  if (numSamples <= 0) throw new Error('cannot sample n_sample <= 0 samples');
  const C = probs.shape[probs.ndim - 1];
  if (!replacement && numSamples > C) throw new Error('cannot sample n_sample > prob_dist.size(-1) samples without replacement');
  const N = probs.ndim === 2 ? probs.shape[0] : 1;
  if (C === 0 && N > 0) throw new Error('invalid multinomial distribution (sum of probabilities <= 0)');
  checkWeights(probs, replacement);
  const outShape = probs.ndim === 2 ? [N, numSamples] : [numSamples];
  if (N === 0) return zeros(outShape, { dtype: 'int64', device: dev(probs) });
  return noGrad(() => {
    const w = reshape(probs.detach(), [N, C]);
    let idx: Tensor;
    if (replacement) {
      const c = w.cumsum(1);
      const total = reshape(narrow(c, 1, C - 1, 1), [N, 1, 1]);
      const v = mul(uniform([N, numSamples, 1], w.dtype, dev(w)), total);
      const head = reshape(narrow(c, 1, 0, C - 1), [N, 1, C - 1]);
      idx = sum(compare('le', head, v), 2).to({ dtype: 'int64' });
    } else {
      // u = 0 would make the key +inf: it is taken as the least positive draw instead.
      const u = clamp(uniform([N, C], w.dtype, dev(w)), 2 ** -60);
      const gumbel = neg(log(neg(log(u))));
      const keys = where(compare('gt', w, 0), add(log(w), gumbel), -Infinity);
      idx = topk(keys, numSamples, 1).indices;
    }
    return reshape(idx, outShape);
  });
}

// =============================================================== bernoulli

const P_MSG = 'Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be improved?  If so, please report an enhancement request to PyTorch.)';
function checkP(fn: string, p: number): void {
  if (!(p >= 0 && p <= 1)) throw new Error(`${fn} expects p to be in [0, 1], but got p=${p}`);
}

/** 1 where a uniform draw is below p (broadcast to `shape`), else 0, as `dtype`. */
function bernoulliDraw(shape: number[], p: Tensor | number, dtype: DType, device: string): Tensor {
  const drawType: DType = dtype === 'float64' || (p instanceof Tensor && p.dtype === 'float64') ? 'float64' : 'float32';
  return noGrad(() => compare('lt', uniform(shape, drawType, device), p instanceof Tensor ? p.detach() : p).to({ dtype }));
}

/**
 * Draws of 0 or 1, 1 with probability p: torch.bernoulli(p) (p a float tensor of probabilities: the
 * result has its shape and dtype), or bernoulli(x, p) with a number p (x's shape and dtype). A
 * probability outside [0, 1] is PyTorch's error where the values are final on the CPU (see the top),
 * else a meaningless draw. No gradient (PyTorch's is zero).
 */
export function bernoulli(input: Tensor, p?: number): Tensor {
  checkTensor('bernoulli', input);
  if (p !== undefined) {
    checkP('bernoulli_', p);
    return bernoulliDraw([...input.shape], p, input.dtype, dev(input));
  }
  if (!isFloat(input.dtype)) throw new Error(`"bernoulli_tensor_cpu_p_" not implemented for '${SCALAR_TYPE[input.dtype]}'`);
  const v = valuesNow(input);
  if (v && v.some((x) => !(x >= 0 && x <= 1))) throw new Error(P_MSG);
  return bernoulliDraw([...input.shape], input, input.dtype, dev(input));
}

/** What x.bernoulli_(p) writes: p a number in [0, 1] or a tensor of probabilities that expands to x's shape. */
export function bernoulliFill(x: Tensor, p: number | Tensor): Tensor {
  if (typeof p === 'number') checkP('bernoulli_', p);
  else {
    checkTensor('bernoulli_', p, 'p');
    if (p.device !== x.device) throw new Error(`Expected all tensors to be on the same device, but found at least two devices, ${dev(x)} and ${dev(p)}!`);
    p = p.expand([...x.shape]);
    const v = valuesNow(p);
    if (v && v.some((q) => !(q >= 0 && q <= 1))) throw new Error(P_MSG);
  }
  return bernoulliDraw([...x.shape], p, x.dtype, dev(x));
}

// =============================================================== normal

function checkStd(std: number): void {
  if (!(std >= 0)) throw new Error(`normal expects std >= 0.0, but found std ${std}`);
}
function floatOperand(t: Tensor): void {
  if (!isFloat(t.dtype)) throw new Error(`"normal_kernel_cpu" not implemented for '${SCALAR_TYPE[t.dtype]}'`);
}

/**
 * torch.normal: draws of mean + std·z, z standard normal (the generator's randn stream).
 * normal(meanTensor, std), normal(mean, stdTensor), normal(meanTensor, stdTensor) (shapes broadcast;
 * the dtype of the tensors, promoted), or normal(mean, std, size, options) with two numbers. A negative
 * std is PyTorch's error (a std tensor's values: where final on the CPU, see the top). No gradient
 * flows to mean or std (PyTorch's gradients for them are zero).
 */
export function normal(mean: Tensor | number, std: Tensor | number = 1, size?: number[], o: TensorOptions = {}): Tensor {
  if (typeof mean === 'number' && typeof std === 'number') {
    if (!Array.isArray(size)) throw new TypeError('normal() received an invalid combination of arguments - got (float, float), but expected one of: (Tensor mean, Tensor std), (Tensor mean, float std), (float mean, Tensor std), (float mean, float std, tuple of ints size)');
    checkStd(std);
    const dtype = o.dtype === undefined ? getDefaultDtype() : parseDType(o.dtype);
    if (!isFloat(dtype)) throw new Error(`"normal_kernel_cpu" not implemented for '${SCALAR_TYPE[dtype]}'`);
    const r = noGrad(() => add(mul(randn([...size], { dtype, device: o.device }), std), mean));
    return o.requiresGrad ? r.requiresGrad_(true) : r;
  }
  if (size !== undefined) throw new TypeError('normal(): a size is only taken with a number mean and a number std');
  if (mean instanceof Tensor) floatOperand(mean); else if (typeof mean !== 'number') checkTensor('normal', mean, 'mean');
  if (std instanceof Tensor) floatOperand(std); else if (typeof std !== 'number') checkTensor('normal', std, 'std');
  if (typeof std === 'number') checkStd(std);
  else {
    const v = valuesNow(std);
    if (v && v.some((s) => !(s >= 0))) throw new Error('normal expects all elements of std >= 0.0');
  }
  const ts = [mean, std].filter((t): t is Tensor => t instanceof Tensor);
  if (ts.length === 2 && ts[0].device !== ts[1].device) throw new Error(`Expected all tensors to be on the same device, but found at least two devices, ${dev(ts[0])} and ${dev(ts[1])}!`);
  const shape = ts.length === 2 ? broadcastShapes(ts[0].shape, ts[1].shape) : [...ts[0].shape];
  const dtype = ts.length === 2 ? promote(ts[0].dtype, ts[1].dtype) : ts[0].dtype;
  return noGrad(() => {
    const z = randn(shape, { dtype, device: dev(ts[0]) });
    const m = mean instanceof Tensor ? mean.detach() : mean, s = std instanceof Tensor ? std.detach() : std;
    return add(mul(z, s), m).to({ dtype });
  });
}

// =============================================================== in-place fills (Tensor's methods)

function floatOnly(fn: string, x: Tensor): void {
  if (!isFloat(x.dtype)) throw new Error(`"${fn}_cpu" not implemented for '${SCALAR_TYPE[x.dtype]}'`);
}

/** What x.exponential_(lambd) writes: −log(1 − u)/λ (PyTorch's CPU formula). */
export function exponentialFill(x: Tensor, lambd: number): Tensor {
  if (!(lambd >= 0)) throw new Error(`exponential_ expects lambda >= 0.0, but found lambda=${lambd}`);
  floatOnly('exponential', x);
  return noGrad(() => {
    const u = uniform([...x.shape], x.dtype, dev(x));
    return mul(log(neg(u).add(1)), -1 / lambd).to({ dtype: x.dtype });
  });
}

/** What x.geometric_(p) writes: the trial of the first success, ceil(log(1 − u)/log(1 − p)), at least 1
 * (float or integer tensors, as PyTorch's). */
export function geometricFill(x: Tensor, p: number): Tensor {
  if (!(p > 0 && p < 1)) throw new Error(`geometric_ expects p to be in (0, 1), but got p=${p}`);
  if (x.dtype === 'bool') throw new Error(`"geometric_cpu" not implemented for 'Bool'`);
  return noGrad(() => {
    const u = uniform([...x.shape], x.dtype, dev(x));
    // (a product by the host's 1/log1p(-p): float multiplication rounds alike on both devices, division need not)
    const k = log(neg(u).add(1)).mul(1 / Math.log1p(-p)).ceil();
    return clamp(k, 1).to({ dtype: x.dtype });
  });
}

/** What x.cauchy_(median, sigma) writes: median + sigma·tan(π(u − ½)) (tan as sin/cos). */
export function cauchyFill(x: Tensor, median: number, sigma: number): Tensor {
  floatOnly('cauchy', x);
  return noGrad(() => {
    const a = uniform([...x.shape], x.dtype, dev(x)).sub(0.5).mul(Math.PI);
    return add(mul(sin(a).div(cos(a)), sigma), median).to({ dtype: x.dtype });
  });
}

/** What x.logNormal_(mean, std) writes: exp(mean + std·z), z standard normal. */
export function logNormalFill(x: Tensor, mean: number, std: number): Tensor {
  if (!(std > 0)) throw new Error(`log_normal_ expects std > 0.0, but found std=${std}`);
  floatOnly('log_normal', x);
  return noGrad(() => exp(add(mul(randn([...x.shape], { dtype: x.dtype, device: dev(x) }), std), mean)).to({ dtype: x.dtype }));
}

/** The range random_() without bounds draws from: [0, top] (PyTorch's: a float's integers exactly
 * representable, an integer type's maximum; int64 as troupe holds it exactly, to 2^53 on the CPU and
 * 2^31 − 1 on the GPU, where int64 is stored as int32). */
function fullRange(x: Tensor): number {
  switch (x.dtype) {
    case 'float32': return 2 ** 24;
    case 'float64': return 2 ** 53;
    case 'int32': return 2 ** 31 - 1;
    case 'int64': return x.device === 'gpu' ? 2 ** 31 - 1 : 2 ** 53;
    case 'bool': return 1;
  }
}
const BOUNDS: Partial<Record<DType, [number, number, string]>> = {
  bool: [0, 1, 'bool'], int32: [-(2 ** 31), 2 ** 31 - 1, 'int'],
};

/**
 * What x.random_(from, to) writes: integers uniform in [from, to) (random_(to): [0, to); random_():
 * [0, top], see fullRange), min(floor(u·range), range − 1) + from from float32 uniforms, the same
 * integers on both devices. The uniforms have 24 bits (k/2^24; the generator's float64 draws too), so
 * a range up to 2^24 is drawn evenly, and a wider one (random_() of an int32 or int64 tensor, say) only
 * hits about 2^24 of its values, spaced about range/2^24 apart, as torch.randint's.
 */
export function randomFill(x: Tensor, from?: number, to?: number): Tensor {
  if (from !== undefined && to === undefined) { to = from; from = 0; }
  let lo: number, range: number;
  if (from === undefined || to === undefined) { lo = 0; range = fullRange(x) + 1; }
  else {
    if (!Number.isInteger(from) || !Number.isInteger(to)) throw new TypeError(`random_(): from and to must be integers, got ${from} and ${to}`);
    if (!(from < to)) throw new Error(`random_ expects 'from' to be less than 'to', but got from=${from} >= to=${to}`);
    const b = BOUNDS[x.dtype];
    if (b && (from < b[0] || from > b[1])) throw new Error(`from is out of bounds for ${b[2]}`);
    if (b && (to - 1 < b[0] || to - 1 > b[1])) throw new Error(`to - 1 is out of bounds for ${b[2]}`);
    lo = from; range = to - from;
  }
  return noGrad(() => {
    const u = rand([...x.shape], { dtype: 'float32', device: dev(x) });
    const top = full([], range - 1, { dtype: u.dtype, device: dev(x) });
    const k = minimum(floor(u.mul(range)), top);
    // (added as the result's dtype: lo + k in float32 would round past 2^24)
    const t = x.dtype === 'bool' ? k : k.to({ dtype: x.dtype });
    return (lo === 0 ? t : t.add(lo)).to({ dtype: x.dtype });
  });
}

/**
 * Integers uniform in [low, high) with x's shape, dtype and device unless told (torch.randint_like):
 * randintLike(x, high) or randintLike(x, low, high). Drawn as x.random_(low, high).
 */
export function randintLike(x: Tensor, low: number, high?: number | TensorOptions, o: TensorOptions = {}): Tensor {
  checkTensor('randintLike', x);
  if (typeof high === 'object' && high !== null) { o = high; high = undefined; }
  if (high === undefined) { high = low; low = 0; }
  const dtype = o.dtype === undefined ? x.dtype : parseDType(o.dtype);
  const device = o.device ?? dev(x);
  if (o.requiresGrad && !isFloat(dtype)) throw new Error('randintLike(): only floating point tensors can require gradients');
  const t = zeros([...x.shape], { dtype, device });
  const r = randomFill(t, low, high);
  return o.requiresGrad ? r.requiresGrad_(true) : r;
}

// =============================================================== gamma, poisson, binomial

/*
 * The rejection samplers below (Marsaglia–Tsang for gamma, Hörmann's PTRS for poisson and BTRS for
 * binomial) loop until a candidate is accepted: a number of steps that depends on the draw, which the
 * ops here (a fixed pass per element, no read back) cannot express. They run a fixed number of rounds
 * at once instead (all candidates drawn as one [..., R] tensor of each stream) and keep each element's
 * first accepted candidate. Each round accepts with probability ≥ 0.95 (gamma) or ≥ 0.85 (PTRS,
 * BTRS), so an element rejects all rounds with probability below 1e-13: then its last candidate is
 * kept (the only departure from the exact law, far below the 2^-24 resolution of the uniforms).
 */
const GAMMA_ROUNDS = 10, TRS_ROUNDS = 16;
/** Inversion's table length: Poisson(10) (and any binomial of mean < 10) exceeds 39 with probability < 2e-13. */
const INVERSION_TERMS = 40;

/** Each row's (last dim's) first candidate where accept holds, else its last candidate. */
function firstAccepted(accept: Tensor, cand: Tensor): Tensor {
  const R = accept.shape[accept.ndim - 1];
  const a = accept.to({ dtype: cand.dtype });
  const first = accept.logicalAnd(compare('eq', a.cumsum(-1), 1));
  const none = compare('eq', sum(a, -1), 0);
  const last = narrow(cand, -1, R - 1, 1).squeeze(-1);
  return where(none, last, sum(where(first, cand, 0), -1));
}

/**
 * Standard gamma draws (rate 1) of the concentrations `alpha` (torch._standard_gamma): Marsaglia and
 * Tsang's method, d = α − 1/3, c = 1/√(9d), x normal, v = (1 + cx)³, accepted where
 * log u < x²/2 + d − dv + d·log v; for α < 1 a draw of Gamma(α + 1) times u^(1/α). Results below the
 * dtype's smallest normal (α near 0) are raised to it, as PyTorch's. No gradient (see Gamma.rsample).
 */
export function standardGamma(alpha: Tensor): Tensor {
  checkTensor('standardGamma', alpha);
  if (!isFloat(alpha.dtype)) throw new Error(`"gamma_cpu" not implemented for '${SCALAR_TYPE[alpha.dtype]}'`);
  const shape = [...alpha.shape], dt = alpha.dtype, device = dev(alpha);
  return noGrad(() => {
    const a = alpha.detach().unsqueeze(-1);
    const boost = compare('lt', a, 1);
    const d = sub(where(boost, add(a, 1), a), 1 / 3);
    const c = sqrt(mul(d, 9)).reciprocal();
    const x = randn([...shape, GAMMA_ROUNDS], { dtype: dt, device });
    const u = uniform([...shape, GAMMA_ROUNDS], dt, device).to({ dtype: dt });
    const v = add(mul(c, x), 1).pow(3);
    const ok = compare('gt', v, 0).logicalAnd(compare('lt', log(u), add(add(mul(mul(x, x), 0.5), d), mul(d, sub(log(v), v)))));
    let g = firstAccepted(ok, mul(d, v)).to({ dtype: dt });
    const ub = uniform(shape, dt, device).to({ dtype: dt });
    g = where(boost.squeeze(-1), mul(g, exp(log(ub).div(a.squeeze(-1)))), g);
    const tiny = dt === 'float64' ? 2 ** -1022 : 2 ** -126;
    return where(compare('lt', g, tiny), tiny, g);
  });
}

/**
 * d x / d α of a standard gamma draw x at its concentration α, holding its CDF fixed (the implicit
 * reparameterization gradient; PyTorch's _standard_gamma_grad, same approximations): a Taylor series of
 * the CDF for x < 0.8, Rice's saddle-point expansion for α > 8, else a bivariate rational approximation in
 * log(x/α) and log α. Computed in float64 on the CPU (float32 on the GPU); values only (no graph).
 */
export function standardGammaGrad(alpha: Tensor, x: Tensor): Tensor {
  checkTensor('_standard_gamma_grad', alpha, 'self'); checkTensor('_standard_gamma_grad', x, 'output');
  const dt = alpha.dtype;
  const acc = alpha.device === 'gpu' ? dt : 'float64';
  return noGrad(() => {
    const a = alpha.detach().to({ dtype: acc }), X = x.detach().to({ dtype: acc });
    // x < 0.8: the CDF's series, x^α Σ (−x)^i / (i! (α + i)), and its derivative in α
    let numer: Tensor | number = 1, denom: Tensor = a;
    let s1: Tensor = div(1, a), s2: Tensor = div(1, mul(a, a));
    for (let i = 1; i <= 5; i++) {
      numer = mul(numer, div(neg(X), i));
      denom = add(denom, 1);
      s1 = add(s1, div(numer, denom));
      s2 = add(s2, div(numer, mul(denom, denom)));
    }
    const powXA = pow(X, a);
    const pdf = mul(pow(X, sub(a, 1)), exp(neg(X)));
    const cdf = mul(powXA, s1);
    const cdfA = sub(mul(sub(log(X), digamma(a)), cdf), mul(powXA, s2));
    const small0 = div(neg(cdfA), pdf);
    const small = where(isnan(small0), 0, small0);
    // α > 8: near the mean, a polynomial; else the saddle-point terms
    const a2 = mul(a, a);
    const near = div(mul(add(mul(mul(a, 24), add(mul(a, 12), 1)), 1),
      add(add(add(mul(a2, 1440), mul(mul(X, 6), sub(53, mul(X, 120)))), neg(div(mul(mul(X, X), 65), a))), mul(a, add(mul(X, 3600), 107)))),
    mul(mul(a2, a2), 1244160));
    const sq = sqrt(mul(a, 8));
    const term2 = div(sq, sub(a, X));
    const term3 = pow(sub(sub(X, a), mul(a, log(div(X, a)))), -1.5);
    const term23 = where(compare('lt', X, a), sub(term2, term3), add(term2, term3));
    const term1 = sub(mul(log(div(X, a)), term23), div(mul(sqrt(div(2, a)), add(a, X)), mul(sub(a, X), sub(a, X))));
    const stirling = add(mul(div(1, mul(a, 12)), add(div(1, mul(a, 24)), 1)), 1);
    const far = neg(div(mul(stirling, mul(X, term1)), sq));
    const nearMean = compare('le', mul(a, 0.9), X).logicalAnd(compare('le', X, mul(a, 1.1)));
    const large = where(nearMean, near, far);
    // otherwise: exp(p(u, v) / q(u, v)), u = log(x/α), v = log α
    const u = log(div(X, a)), v = log(a);
    const C = [
      [0.16009398, -0.094634809, 0.025146376, -0.0030648343, 1, 0.32668115, 0.10406089, 0.0014179084],
      [0.53487893, 0.1298071, 0.065735949, -0.0015649758, 0.16639465, 0.020070113, -0.0035938915, -0.00058392623],
      [0.040121004, -0.0065914022, -0.0026286047, -0.0013441777, 0.017050642, -0.0021309326, 0.00085092367, -1.5247877e-07],
    ];
    const cv = C[0].map((c0, i) => add(mul(u, add(mul(u, C[2][i]), C[1][i])), c0));
    const p = add(mul(v, add(mul(v, add(mul(v, cv[3]), cv[2])), cv[1])), cv[0]);
    const q = add(mul(v, add(mul(v, add(mul(v, cv[7]), cv[6])), cv[5])), cv[4]);
    const rational = exp(div(p, q));
    const out = where(compare('lt', X, 0.8), small, where(compare('gt', a, 8), large, rational));
    return out.to({ dtype: dt });
  });
}

/** log k! for k = 0 … INVERSION_TERMS − 1 (host values). */
const LOG_FACT = Array.from({ length: INVERSION_TERMS }, (_, k) => { let s = 0; for (let j = 2; j <= k; j++) s += Math.log(j); return s; });

/** The number of entries of the cumulative sum of pmf (last dim) that are ≤ u[..., 0]: inversion. */
function invert(logpmf: Tensor, u: Tensor): Tensor {
  return sum(compare('le', exp(logpmf).cumsum(-1), u), -1).to({ dtype: logpmf.dtype });
}

/** log(k!) for a tensor of non-negative integers k: lgamma(k + 1). */
const logFactorial = (k: Tensor) => lgamma(add(k, 1));

/**
 * Draws of Poisson(rates), elementwise, of rates' shape and dtype (torch.poisson). Rates below 10:
 * inversion of the CDF (40 terms); from 10 on: Hörmann's PTRS (transformed rejection with squeeze,
 * as numpy's and PyTorch's), see the note above on the fixed rounds. The acceptance test's log-density
 * −λ + k·log λ − log k! is computed as (k − λ) − k·log1p((k − λ)/λ) − (log k! − k·log k + k), which
 * keeps float32 precise for large rates. A negative or NaN rate is PyTorch's error where the values are
 * final on the CPU (see the top of this file); elsewhere it gives a meaningless draw. No gradient.
 */
export function poisson(rates: Tensor): Tensor {
  checkTensor('poisson', rates);
  if (!isFloat(rates.dtype)) throw new Error(`"poisson_cpu" not implemented for '${SCALAR_TYPE[rates.dtype]}'`);
  const vals = valuesNow(rates);
  if (vals && vals.some((r) => !(r >= 0))) throw new Error('invalid Poisson rate, expected rate to be non-negative');
  const shape = [...rates.shape], dt = rates.dtype, device = dev(rates);
  return noGrad(() => {
    const lam = rates.detach().unsqueeze(-1);
    // inversion: pmf(k) = exp(k·log λ − λ − log k!)
    const k = reshape(full([INVERSION_TERMS], 1, { dtype: dt, device }).cumsum(0).sub(1), [INVERSION_TERMS]);
    const lf = tensor(LOG_FACT, { dtype: dt, device });
    const lamS = where(compare('lt', lam, 10), lam, 0);
    const klog = where(compare('eq', k, 0), 0, mul(k, log(lamS)));
    const small = invert(sub(sub(klog, lamS), lf), uniform([...shape, 1], dt, device).to({ dtype: dt }));
    // PTRS for λ ≥ 10
    const lamB = where(compare('ge', lam, 10), lam, 10);
    const b = add(mul(sqrt(lamB), 2.53), 0.931);
    const a = add(mul(b, 0.02483), -0.059);
    const invAlpha = add(sub(b, 3.4).reciprocal().mul(1.1328), 1.1239);
    const vr = sub(0.9277, sub(b, 2).reciprocal().mul(3.6224));
    const U = uniform([...shape, TRS_ROUNDS], dt, device).to({ dtype: dt }).sub(0.5);
    const V = uniform([...shape, TRS_ROUNDS], dt, device).to({ dtype: dt });
    const us = sub(0.5, abs(U));
    const kk = floor(add(mul(add(mul(a, 2).div(us), b), U), add(lamB, 0.43)));
    const quick = compare('ge', us, 0.07).logicalAnd(compare('le', V, vr));
    const reject = compare('lt', kk, 0).logicalOr(compare('lt', us, 0.013).logicalAnd(compare('gt', V, us)));
    const lhs = sub(add(log(V), log(invAlpha)), log(add(a.div(mul(us, us)), b)));
    const kp = where(compare('gt', kk, 0), kk, 1);
    const dlt = sub(kp, lamB);
    // log k! − (k·log k − k), by lgamma (k ≥ 1)
    const stir = sub(logFactorial(kp), sub(mul(kp, log(kp)), kp));
    const logpmf = where(compare('eq', kk, 0), neg(lamB), sub(sub(dlt, mul(kp, log1p(dlt.div(lamB)))), stir));
    const ok = quick.logicalOr(reject.logicalNot().logicalAnd(compare('le', lhs, logpmf)));
    const large = firstAccepted(ok, where(compare('lt', kk, 0), 0, kk));
    return where(compare('lt', lam.squeeze(-1), 10), small, large).to({ dtype: dt });
  });
}

/** stirling_approx_tail(k) = log k! − (log √(2π) + (k + ½)·log(k + 1) − (k + 1)) for integer k ≥ 0. */
const STIRLING_TAIL = [0.08106146679532726, 0.04134069595540929, 0.02767792568499834, 0.02079067210376509, 0.01664469118982119,
  0.01387612882307075, 0.01189670994589177, 0.01041126526197209, 0.009255462182712733, 0.008330563433362871];
function stirlingTail(k: Tensor): Tensor {
  const kp1sq = add(k, 1).pow(2);
  let r = sub(1 / 12, sub(1 / 360, kp1sq.reciprocal().div(1260)).div(kp1sq)).div(add(k, 1));
  for (let i = 0; i < STIRLING_TAIL.length; i++) r = where(compare('eq', k, i), STIRLING_TAIL[i], r);
  return r;
}

/**
 * Draws of Binomial(count, prob), elementwise over the broadcast shape (torch.binomial; count holds
 * non-negative integers as floats). With q = min(p, 1 − p): where count·q < 10, inversion of the CDF
 * (40 terms; pmf(k + 1) = pmf(k)·(n − k)/(k + 1)·q/(1 − q)); else Hörmann's BTRS, as PyTorch's, run in
 * fixed rounds (see above); for p > ½ the draw is n − (a draw for q). No value checks (PyTorch makes
 * none) and no gradient.
 */
export function binomial(count: Tensor, prob: Tensor): Tensor {
  checkTensor('binomial', count);
  checkTensor('binomial', prob, 'prob');
  if (!isFloat(count.dtype) || !isFloat(prob.dtype)) throw new Error(`"binomial_cpu" not implemented for '${SCALAR_TYPE[isFloat(count.dtype) ? prob.dtype : count.dtype]}'`);
  if (count.device !== prob.device) throw new Error(`Expected all tensors to be on the same device, but found at least two devices, ${dev(count)} and ${dev(prob)}!`);
  const shape = broadcastShapes(count.shape, prob.shape), dt = promote(count.dtype, prob.dtype), device = dev(count);
  return noGrad(() => {
    const n = count.detach().to({ dtype: dt }).expand(shape).unsqueeze(-1);
    const p = prob.detach().to({ dtype: dt }).expand(shape).unsqueeze(-1);
    const flip = compare('gt', p, 0.5);
    const q = where(flip, sub(1, p), p);
    const useInv = compare('lt', mul(n, q), 10);
    // inversion
    const k = reshape(full([INVERSION_TERMS - 1], 1, { dtype: dt, device }).cumsum(0).sub(1), [INVERSION_TERMS - 1]);
    const qi = where(useInv, q, 0);
    const ratio = add(log(clamp(sub(n, k), 0).div(add(k, 1))), sub(log(qi), log1p(neg(qi))));
    const lp0 = where(compare('eq', qi, 0), 0, mul(n, log1p(neg(qi))));
    const logpmf = add(torchCat([zeros([...shape, 1], { dtype: dt, device }), ratio.cumsum(-1)], -1), lp0);
    const small = invert(where(isNaNT(logpmf), -Infinity, logpmf), uniform([...shape, 1], dt, device).to({ dtype: dt }));
    // BTRS
    const nb = where(useInv, 100, n), pb = where(useInv, 0.25, q);
    const stddev = sqrt(mul(mul(nb, pb), sub(1, pb)));
    const b = add(mul(stddev, 2.53), 1.15);
    const a = add(add(mul(b, 0.0248), -0.0873), mul(pb, 0.01));
    const c = add(mul(nb, pb), 0.5);
    const vr = sub(0.92, b.reciprocal().mul(4.2));
    const r = pb.div(sub(1, pb));
    const alpha = mul(add(b.reciprocal().mul(5.1), 2.83), stddev);
    const m = floor(mul(add(nb, 1), pb));
    const U = uniform([...shape, TRS_ROUNDS], dt, device).to({ dtype: dt }).sub(0.5);
    const V = uniform([...shape, TRS_ROUNDS], dt, device).to({ dtype: dt });
    const us = sub(0.5, abs(U));
    const kk = floor(add(mul(add(mul(a, 2).div(us), b), U), c));
    const inRange = compare('ge', kk, 0).logicalAnd(compare('le', kk, nb));
    const quick = compare('ge', us, 0.07).logicalAnd(compare('le', V, vr));
    const kc = clamp(where(inRange, kk, 0), 0);
    const lv = log(mul(V, alpha).div(add(a.div(mul(us, us)), b)));
    const ub = add(add(add(
      mul(add(m, 0.5), log(add(m, 1).div(mul(r, add(sub(nb, m), 1))))),
      mul(add(nb, 1), log(add(sub(nb, m), 1).div(add(sub(nb, kc), 1))))),
      mul(add(kc, 0.5), log(mul(r, add(sub(nb, kc), 1)).div(add(kc, 1))))),
    sub(add(stirlingTail(m), stirlingTail(sub(nb, m))), add(stirlingTail(kc), stirlingTail(sub(nb, kc)))));
    const ok = inRange.logicalAnd(quick.logicalOr(compare('le', lv, ub)));
    const large = firstAccepted(ok, kc);
    const draw = where(useInv.squeeze(-1), small, large);
    return where(flip.squeeze(-1), sub(n.squeeze(-1), draw), draw).to({ dtype: dt });
  });
}

const isNaNT = (x: Tensor) => compare('ne', x, x);
