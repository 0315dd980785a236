/**
 * Yet more of torch.nn.functional (PyTorch 1.13's): the connectionist temporal classification loss
 * (ctc_loss), fractional max pooling in 2-D and 3-D, randomized leaky ReLU (rrelu), channel_shuffle, the
 * in-place activations (relu_, elu_, …) and the deprecated upsample spellings of interpolate. Composed of
 * the frontend's ops, so they run on every device; those PyTorch records as one node are one node here too.
 *
 * functional.ts re-exports the public functions (one line at its end); nothing here runs at import time,
 * so the import cycle between the two files is harmless.
 */
import {
  Tensor, SCALAR_TYPE, add, cat, checkTensor, compare, composite, deviceName, exp, full, gather, inplaceOf, log, maximum, mul, neg,
  scatterAdd, scatterReduce, stack, sub, tensor, valuesNow, where, arange, rand, reshape, twice, zeros,
} from './tensor.ts';
import { isFloat } from './dtype.ts';
import { noGrad } from './autograd/graph.ts';
import { amax } from './ops-more.ts';
import { celu, elu, hardtanh, interpolate, leakyRelu, relu, selu, threshold, type InterpolateOptions } from './functional.ts';

// =============================================================== CTC loss

/** Lengths as JS numbers, or as an integer tensor whose values are at hand (a CPU tensor with nothing queued). */
export type CtcLengths = readonly number[] | number | Tensor;
function lengthsNow(what: string, v: CtcLengths): number[] {
  if (v instanceof Tensor) {
    if (v.ndim > 1) throw new Error(`ctc_loss(): ${what} must be a 0-D or 1-D tensor or an array of numbers, got a ${v.ndim}-D tensor`);
    const known = v.device === 'cpu' ? valuesNow(v) : null;
    if (known === null) {
      throw new Error(`ctc_loss(): the values of ${what} are not at hand (a ${deviceName(v.device)} tensor${v.device === 'cpu' ? ' with work still queued' : ''}; troupe's ctc_loss reads no values back): pass them as an array of numbers (await t.tolist())`);
    }
    return known.map(Math.trunc);
  }
  const list = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(list)) throw new TypeError(`ctc_loss(): ${what} must be an array of numbers or an integer tensor`);
  return list.map((x) => {
    if (typeof x !== 'number' || !Number.isInteger(x)) throw new TypeError(`ctc_loss(): ${what} must hold integers, got ${String(x)}`);
    return x;
  });
}

export interface CtcLossOptions { blank?: number; reduction?: 'none' | 'mean' | 'sum'; zeroInfinity?: boolean }
/**
 * The connectionist temporal classification loss (F.ctc_loss): −log of the probability, summed over all
 * alignments, that logProbs [T, N, C] (log-probabilities over C classes, `blank` among them; [T, C]
 * unbatched) emit each target: targets padded [N, S] or concatenated 1-D (their sum of targetLengths
 * elements), the lengths as arrays of numbers (or integer tensors whose values are at hand). The forward
 * (alpha) recursion over time runs on the device as PyTorch's CPU kernel computes it (log-sum-exp of the
 * three predecessors from their maximum). One node (CtcLossBackward0) whose backward is PyTorch's: the
 * beta recursion, then exp(logProbs) − exp(log γ + nll − logProbs) per class (γ: the posterior of the
 * alignments through each class at each time) for times before each input length, 0 after. As PyTorch's,
 * that is the gradient of the loss through a log_softmax, not the bare derivative in logProbs, which
 * lacks the exp(logProbs) term. Impossible alignments give an infinite loss and NaN gradients, or 0 and
 * 0 with zeroInfinity. reduction 'mean' divides each loss by its target length (at least 1), then
 * averages over the batch.
 */
export function ctcLoss(logProbs: Tensor, targets: Tensor, inputLengths: CtcLengths, targetLengths: CtcLengths, o: CtcLossOptions = {}): Tensor {
  checkTensor('ctc_loss', logProbs, 'log_probs'); checkTensor('ctc_loss', targets, 'targets');
  const blank = o.blank ?? 0, reduction = o.reduction ?? 'mean', zeroInfinity = o.zeroInfinity ?? false;
  if (reduction !== 'none' && reduction !== 'mean' && reduction !== 'sum') throw new Error(`${String(reduction)} is not a valid value for reduction`);
  const batched = logProbs.ndim === 3;
  const lp = batched ? logProbs : logProbs.unsqueeze(1);
  const at = `(while checking arguments for ctc_loss_${lp.device === 'gpu' ? 'gpu' : 'cpu'})`;
  if (!isFloat(lp.dtype)) throw new Error(`"ctc_loss_${lp.device === 'gpu' ? 'gpu' : 'cpu'}" not implemented for '${SCALAR_TYPE[lp.dtype]}'`);
  if (lp.ndim !== 3) throw new Error(`Expected 3-dimensional tensor, but got ${lp.ndim}-dimensional tensor for argument #1 'log_probs' ${at}`);
  if (targets.ndim < 1 || targets.ndim > 2) throw new Error(`Expected 1 to 2 dimensions, but got ${targets.ndim}-dimensional tensor for argument #2 'targets' ${at}`);
  const [T, N, C] = lp.shape;
  if (!(blank >= 0 && blank < C)) throw new Error('blank must be in label range');
  const inLen = lengthsNow('input_lengths', inputLengths), tgLen = lengthsNow('target_lengths', targetLengths);
  if (inLen.length !== N) throw new Error('input_lengths must be of size batch_size');
  if (tgLen.length !== N) throw new Error('target_lengths must be of size batch_size');
  if (inLen.some((v) => v < 0) || tgLen.some((v) => v < 0)) throw new Error(`ctc_loss(): lengths must not be negative, got input_lengths [${inLen.join(', ')}] and target_lengths [${tgLen.join(', ')}]`);
  const S = Math.max(0, ...tgLen), L = 2 * S + 1;
  const dev = deviceName(lp.device), i64 = { dtype: 'int64' as const, device: dev };
  // the targets as [N, S] int64, blank past each target's length
  let labels: Tensor | null = null;
  if (S > 0) {
    const kMask = tensor(tgLen.flatMap((n) => Array.from({ length: S }, (_, k) => k < n)), { dtype: 'bool', device: dev }).reshape([N, S]);
    let raw: Tensor;
    if (targets.ndim === 1) {
      const total = tgLen.reduce((a, b) => a + b, 0);
      if (targets.shape[0] !== total) throw new Error(`Expected tensor to have size ${total} at dimension 0, but got size ${targets.shape[0]} for argument #2 'targets' ${at}`);
      let off = 0;
      const idx = tgLen.flatMap((n) => { const r = Array.from({ length: S }, (_, k) => off + Math.min(k, Math.max(n - 1, 0))); off += n; return r; });
      raw = gather(targets.detach(), 0, tensor(idx, i64)).reshape([N, S]);
    } else {
      if (targets.shape[0] !== N) throw new Error(`Expected tensor to have size ${N} at dimension 0, but got size ${targets.shape[0]} for argument #2 'targets' ${at}`);
      if (targets.shape[1] < S) throw new Error(`Expected tensor to have size at least ${S} at dimension 1, but got size ${targets.shape[1]} for argument #2 'targets' ${at}`);
      raw = targets.detach().narrow(1, 0, S);
    }
    labels = where(kMask, raw.to({ dtype: 'int64' }), blank);
  } else if (targets.ndim === 2 && targets.shape[0] !== N) {
    throw new Error(`Expected tensor to have size ${N} at dimension 0, but got size ${targets.shape[0]} for argument #2 'targets' ${at}`);
  } else if (targets.ndim === 1 && targets.shape[0] !== 0) {
    throw new Error(`Expected tensor to have size 0 at dimension 0, but got size ${targets.shape[0]} for argument #2 'targets' ${at}`);
  }
  inLen.forEach((v) => { if (v > T) throw new Error(`Expected input_lengths to have value at most ${T}, but got value ${v} ${at}`); });

  // the extended labels [N, L]: blank, l1, blank, l2, …, blank; where a state may skip the one before it
  const blanks = (n: number) => full([N, n], blank, i64);
  const ext = labels === null ? blanks(1) : cat([stack([blanks(S), labels], 2).reshape([N, 2 * S]), blanks(1)], 1);
  const skip = L > 2 ? compare('ne', ext, blank).logicalAnd(compare('ne', ext, cat([full([N, 2], -1, i64), ext.narrow(1, 0, L - 2)], 1))) : null;
  const mask = (f: (b: number, s: number) => boolean) => tensor(Array.from({ length: N * L }, (_, i) => f(Math.floor(i / L), i % L)), { dtype: 'bool', device: dev }).reshape([N, L]);
  const perBatch = (f: (b: number) => boolean) => tensor(Array.from({ length: N }, (_, b) => f(b)), { dtype: 'bool', device: dev }).reshape([N, 1]);
  const dt = { dtype: lp.dtype, device: dev };
  const NEG = -Infinity;
  /** a [N, L] shifted k states right (k > 0: from state s − k) or left (k < 0), −inf coming in */
  const shift = (a: Tensor, k: number) => {
    const n = Math.abs(k);
    if (n >= L) return full([N, L], NEG, dt);
    return k > 0 ? cat([full([N, n], NEG, dt), a.narrow(1, 0, L - n)], 1) : cat([a.narrow(1, n, L - n), full([N, n], NEG, dt)], 1);
  };
  /** PyTorch's log-sum-exp of a few terms: from their maximum (0 where that is −inf) */
  const lse = (...xs: Tensor[]) => {
    let m = xs.reduce((a, b) => maximum(a, b));
    m = where(compare('eq', m, NEG), 0, m);
    return add(log(xs.map((x) => exp(sub(x, m))).reduce((a, b) => add(a, b))), m);
  };
  const extT = ext.unsqueeze(0).expand([T, N, L]);
  let lpExt!: Tensor, alphas!: Tensor, nll!: Tensor;
  const endMask = mask((b, s) => s === 2 * tgLen[b] || (tgLen[b] > 0 && s === 2 * tgLen[b] - 1));

  const res = composite('CtcLossBackward0', [lp], () => {
    if (T === 0) { // (no time steps at all: only empty targets are possible)
      nll = where(perBatch((b) => tgLen[b] === 0).squeeze(1), 0, Infinity).to({ dtype: lp.dtype });
      return nll;
    }
    lpExt = gather(lp, 2, extT); // [T, N, L]
    let alpha = where(mask((b, s) => s === 0 || (s === 1 && tgLen[b] > 0)), lpExt.narrow(0, 0, 1).squeeze(0), NEG);
    const all = [alpha];
    for (let t = 1; t < T; t++) {
      const next = add(lse(alpha, shift(alpha, 1), skip ? where(skip, shift(alpha, 2), NEG) : full([N, L], NEG, dt)), lpExt.narrow(0, t, 1).squeeze(0));
      alpha = where(perBatch((b) => t < inLen[b]), next, alpha);
      all.push(alpha);
    }
    alphas = stack(all, 0);
    // alpha stays at each input's last step: −log of the paths ending in the last label or the blank after it
    const ends = tensor(tgLen.flatMap((n) => [2 * n, Math.max(2 * n - 1, 0)]), i64).reshape([N, 2]);
    const last = gather(alpha, 1, ends);
    const l2 = where(perBatch((b) => tgLen[b] > 0), last.narrow(1, 1, 1), NEG);
    nll = neg(lse(last.narrow(1, 0, 1), l2)).squeeze(1);
    // (an input of length 0 emits only the empty target)
    if (inLen.some((v) => v === 0)) nll = where(perBatch((b) => inLen[b] === 0).squeeze(1), where(perBatch((b) => tgLen[b] === 0).squeeze(1), 0, Infinity), nll);
    return nll;
  }, (g) => {
    if (T === 0) return [full([...lp.shape], 0, dt)];
    // beta recursion backwards in time, each batch starting at its last input step
    let beta = full([N, L], NEG, dt);
    const skipL = skip ? shift(where(skip, 1, 0).to({ dtype: lp.dtype }), -2) : null;
    const betas: Tensor[] = new Array<Tensor>(T);
    for (let t = T - 1; t >= 0; t--) {
      const lpt = lpExt.narrow(0, t, 1).squeeze(0);
      const rec = add(lse(beta, shift(beta, -1), skipL ? where(compare('eq', skipL, 1), shift(beta, -2), NEG) : full([N, L], NEG, dt)), lpt);
      beta = where(perBatch((b) => t === inLen[b] - 1), where(endMask, lpt, NEG), where(perBatch((b) => t < inLen[b] - 1), rec, NEG));
      betas[t] = beta;
    }
    const ab = add(alphas, stack(betas, 0)); // [T, N, L]
    // log γ [T, N, C]: the log-sum-exp of alpha·beta over the states of each class
    let mx = scatterReduce(full([T, N, C], NEG, dt), 2, extT, ab, 'amax');
    mx = where(compare('eq', mx, NEG), 0, mx);
    const sumExp = scatterAdd(full([T, N, C], 0, dt), 2, extT, exp(sub(ab, gather(mx, 2, extT))));
    const lgamma = add(log(sumExp), mx);
    const nll3 = nll.reshape([1, N, 1]);
    let grad = mul(sub(exp(lp), exp(sub(add(lgamma, nll3), lp))), g.reshape([1, N, 1]));
    const tMask = tensor(Array.from({ length: T * N }, (_, i) => Math.floor(i / N) < inLen[i % N]), { dtype: 'bool', device: dev }).reshape([T, N, 1]);
    grad = where(tMask, grad, 0);
    if (zeroInfinity) grad = where(compare('eq', nll3, Infinity), 0, grad);
    return [grad];
  }, lp);
  let out = zeroInfinity ? where(compare('eq', res, Infinity), 0, res) : res;
  if (reduction === 'mean') out = out.div(tensor(tgLen.map((n) => Math.max(n, 1)), dt)).mean();
  else if (reduction === 'sum') out = out.sum();
  return batched || reduction !== 'none' ? out : out.squeeze(0);
}

// =============================================================== fractional max pooling

const prod = (v: number[]) => v.reduce((a, b) => a * b, 1);
const tupleOf = (v: number | readonly number[], n: number) => (typeof v === 'number' ? new Array<number>(n).fill(v) : [...v]);
export interface FractionalMaxPoolOptions<T> {
  outputSize?: T | null; outputRatio?: number | readonly number[] | null; returnIndices?: boolean;
  /** PyTorch's _random_samples: [N, C, nd] uniforms in [0, 1) (one per batch, channel and spatial dim); drawn with torch.rand if absent */
  randomSamples?: Tensor | null;
}
/**
 * PyTorch's fractional max pooling of [N, C, *in] (or [C, *in]) over nd spatial dims: for each channel,
 * the pooling windows (kernelSize) start at PyTorch's pseudo-random sequence ⌊(i + u)·α⌋ − ⌊u·α⌋
 * (α = (in − k)/(out − 1), computed in the input's dtype; the last window at in − k), u the channel's
 * sample for that dim (2-D: samples [W, H]; 3-D: [T, H, W]). Each output is its window's largest (the
 * first of ties, the last NaN winning, as PyTorch's loop), its index h·W + w (or t·H·W + h·W + w). One node
 * (FractionalMaxPool2DBackward0 / 3D) that adds the gradient back at the indices.
 */
function fractionalMaxPool(nd: 2 | 3, x: Tensor, kernelSize: number | readonly number[], o: FractionalMaxPoolOptions<number | readonly number[]>): Tensor | [Tensor, Tensor] {
  const fn = `fractional_max_pool${nd}d`;
  checkTensor(fn, x);
  if (x.ndim < nd + 1) throw new Error(`Dimension out of range (expected to be in range of [-${Math.max(x.ndim, 1)}, ${Math.max(x.ndim, 1) - 1}], but got -${nd + 1})`);
  if (x.ndim > nd + 2) throw new Error(`${fn}(): Expected ${nd + 1}D or ${nd + 2}D tensor, but got: ${x.ndim}D`);
  const k = tupleOf(kernelSize, nd), inSp = x.shape.slice(x.ndim - nd);
  if (k.length !== nd || k.some((v) => !Number.isInteger(v) || v < 1)) throw new Error(`${fn}: kernel_size must either be a single Int or tuple of ${nd === 2 ? 'two' : 'three'} Ints`);
  let out: number[];
  if (o.outputSize != null) out = tupleOf(o.outputSize, nd);
  else if (o.outputRatio != null) { const r = tupleOf(o.outputRatio, nd); out = inSp.map((n, d) => Math.trunc(n * r[d])); }
  else throw new Error(`${fn} requires specifying either an output_size or an output_ratio`);
  if (out.length !== nd) throw new Error(`${fn}: output_size must either be a single Int or tuple of ${nd === 2 ? 'two' : 'three'} Ints`);
  const batched = x.ndim === nd + 2, xb = batched ? x : x.unsqueeze(0);
  const [N, C] = xb.shape, dev = deviceName(x.device);
  let u = o.randomSamples ?? null;
  if (u === null) {
    if (!isFloat(x.dtype)) throw new Error(`"check_uniform_bounds" not implemented for '${SCALAR_TYPE[x.dtype]}'`);
    u = rand([N, C, nd], { dtype: x.dtype, device: dev });
  } else {
    checkTensor(fn, u, '_random_samples');
    if (u.dtype !== x.dtype) throw new Error(`expected scalar type ${SCALAR_TYPE[x.dtype]} but found ${SCALAR_TYPE[u.dtype]}`);
    if (u.ndim !== 3 || u.shape[0] !== N || u.shape[1] !== C || u.shape[2] !== nd) throw new Error(`${fn}(): expected _random_samples of shape [${N}, ${C}, ${nd}], got [${u.shape.join(', ')}]`);
  }
  if (!isFloat(x.dtype)) throw new Error(`"${fn}_out_frame" not implemented for '${SCALAR_TYPE[x.dtype]}'`);
  const names = nd === 2 ? ['height', 'width'] : ['time', 'height', 'width'], prefix = nd === 2 ? `${fn}()` : `${fn}_out()`;
  out.forEach((v, d) => {
    if (v + k[d] - 1 > inSp[d]) throw new Error(`${prefix}: pool ${names[d]} ${k[d]} too large relative to input ${names[d]} ${inSp[d]}`);
  });
  if (out.some((v) => v < 1)) throw new Error(`${fn}(): output_size must be positive, got [${out.join(', ')}]`);
  const S = prod(inSp), P = prod(out), K = prod(k), i64 = { dtype: 'int64' as const, device: dev };
  const strides = inSp.map((_, d) => prod(inSp.slice(d + 1)));
  const ind = noGrad(() => {
    // the window starts per spatial dim [N, C, out_d], then every window's flat input positions [N, C, P, K]
    let lin: Tensor | null = null;
    for (let d = 0; d < nd; d++) {
      const n = out[d], ud = u!.narrow(2, nd === 2 ? 1 - d : d, 1).detach();
      let starts = full([N, C, 1], inSp[d] - k[d], i64);
      if (n > 1) {
        const a = (inSp[d] - k[d]) / (n - 1), alpha = x.dtype === 'float32' ? Math.fround(a) : a;
        const i = arange(0, n - 1, 1, { dtype: x.dtype, device: dev }).reshape([1, 1, n - 1]);
        const seq = sub(mul(add(i, ud), alpha).floor(), mul(ud, alpha).floor()).to({ dtype: 'int64' });
        starts = cat([seq, starts], 2);
      }
      const oShape = [N, C, ...out.map((v, e) => (e === d ? v : 1)), ...k.map(() => 1)];
      const kShape = [1, 1, ...out.map(() => 1), ...k.map((v, e) => (e === d ? v : 1))];
      const term = mul(add(reshape(starts, oShape), reshape(arange(0, k[d], 1, i64), kShape)), strides[d]);
      lin = lin === null ? term : add(lin, term);
    }
    const at = reshape(lin!.expand([N, C, ...out, ...k]).contiguous(), [N, C, P * K]);
    const v = reshape(gather(reshape(xb.detach(), [N, C, S]), 2, at), [N, C, P, K]);
    // PyTorch's scan: the first largest, unless a NaN (the last NaN)
    const nan = compare('ne', v, v), kk = arange(0, K, 1, { dtype: 'float32', device: dev });
    const top = amax(where(nan, -Infinity, v), -1, true);
    const key = where(nan, add(kk, 2 * K), where(compare('eq', v, top), sub(2 * K - 1, kk), 0));
    return reshape(gather(reshape(at, [N, C, P, K]), 3, key.argmax(-1, true)), [N, C, P]);
  });
  const outShape = [...x.shape.slice(0, x.ndim - nd), ...out];
  const y = twice(composite(`FractionalMaxPool${nd}DBackward0`, [x], () => reshape(gather(reshape(x, [N, C, S]), 2, ind), outShape),
    (g) => [reshape(scatterAdd(zeros([N, C, S], { dtype: g.dtype, device: deviceName(g.device) }), 2, ind, reshape(g, [N, C, P])), x.shape)]));
  return o.returnIndices ? [y, reshape(ind, outShape)] : y;
}
type Pair = number | readonly [number, number];
type Triple = number | readonly [number, number, number];
/** 2-D fractional max pooling of [N, C, H, W] (or [C, H, W]); see fractionalMaxPool. With returnIndices: [values, indices]. */
export function fractionalMaxPool2d(x: Tensor, kernelSize: Pair, o: FractionalMaxPoolOptions<Pair> & { returnIndices: true }): [Tensor, Tensor];
export function fractionalMaxPool2d(x: Tensor, kernelSize: Pair, o?: FractionalMaxPoolOptions<Pair>): Tensor;
export function fractionalMaxPool2d(x: Tensor, kernelSize: Pair, o: FractionalMaxPoolOptions<Pair> = {}): Tensor | [Tensor, Tensor] { return fractionalMaxPool(2, x, kernelSize, o); }
/** 3-D fractional max pooling of [N, C, T, H, W] (or [C, T, H, W]). With returnIndices: [values, indices]. */
export function fractionalMaxPool3d(x: Tensor, kernelSize: Triple, o: FractionalMaxPoolOptions<Triple> & { returnIndices: true }): [Tensor, Tensor];
export function fractionalMaxPool3d(x: Tensor, kernelSize: Triple, o?: FractionalMaxPoolOptions<Triple>): Tensor;
export function fractionalMaxPool3d(x: Tensor, kernelSize: Triple, o: FractionalMaxPoolOptions<Triple> = {}): Tensor | [Tensor, Tensor] { return fractionalMaxPool(3, x, kernelSize, o); }
/** PyTorch's fractional_max_pool2d_with_indices: [values, indices]. */
export function fractionalMaxPool2dWithIndices(x: Tensor, kernelSize: Pair, o: FractionalMaxPoolOptions<Pair>): [Tensor, Tensor] { return fractionalMaxPool2d(x, kernelSize, { ...o, returnIndices: true }); }
/** PyTorch's fractional_max_pool3d_with_indices: [values, indices]. */
export function fractionalMaxPool3dWithIndices(x: Tensor, kernelSize: Triple, o: FractionalMaxPoolOptions<Triple>): [Tensor, Tensor] { return fractionalMaxPool3d(x, kernelSize, { ...o, returnIndices: true }); }

// =============================================================== rrelu, channel_shuffle

export interface RreluOptions { lower?: number; upper?: number; training?: boolean }
/**
 * Randomized leaky ReLU (F.rrelu): x where x > 0, else a·x. In training a is drawn per element,
 * uniform in [lower, upper] (from torch's generator, torch.rand: manualSeed repeats it, though not
 * PyTorch's stream), for the elements ≤ 0; otherwise (the default, training false) a = (lower + upper)/2,
 * leaky_relu's. One node (RreluWithNoiseBackward0): the gradient is g·a where x ≤ 0, g elsewhere.
 */
export function rrelu(x: Tensor, o: RreluOptions = {}): Tensor {
  checkTensor('rrelu', x);
  const lower = o.lower ?? 1 / 8, upper = o.upper ?? 1 / 3, training = o.training ?? false;
  if (!(lower <= upper)) throw new Error('Lower bound should be less than or equal to the upper bound');
  if (!isFloat(x.dtype)) throw new Error(`"${training ? 'rrelu_with_noise_out' : 'leaky_relu'}_${x.device === 'gpu' ? 'gpu' : 'cpu'}" not implemented for '${SCALAR_TYPE[x.dtype]}'`);
  if (!training) {
    const slope = (lower + upper) / 2;
    return twice(composite('RreluWithNoiseBackward0', [x], () => where(compare('gt', x, 0), x, mul(x, slope)), (g) => [where(compare('gt', x, 0), g, mul(g, slope))], x));
  }
  const noise = where(compare('le', x.detach(), 0), add(mul(rand([...x.shape], { dtype: x.dtype, device: deviceName(x.device) }), upper - lower), lower), 1);
  return twice(composite('RreluWithNoiseBackward0', [x], () => mul(x, noise), (g) => [mul(g, noise)], x));
}
/** rrelu written back into x (RreluWithNoiseBackward1, as PyTorch's). */
export function rrelu_<T extends Tensor>(x: T, o: RreluOptions = {}): T {
  checkTensor('rrelu_', x);
  return inplaceOf(x, 'rrelu_', (t) => rrelu(t, o), 'RreluWithNoiseBackward1');
}
/**
 * The channels of [N, C, *] regrouped (F.channel_shuffle): viewed as [N, groups, C/groups, *], the two
 * channel dims swapped, flattened back, so channel g·(C/groups) + k goes to k·groups + g. Composed of
 * reshape and transpose, so it is differentiable (PyTorch 1.13's channel_shuffle has no gradient).
 */
export function channelShuffle(x: Tensor, groups: number): Tensor {
  checkTensor('channel_shuffle', x);
  if (x.ndim <= 2) throw new Error(`channel_shuffle expects input with > 2 dims, but got input with sizes [${x.shape.join(', ')}]`);
  if (!(groups > 0)) throw new Error(`Number of groups to divide channels in must be positive. Value of groups:${groups}`);
  const [N, C] = x.shape;
  if (C % groups !== 0) throw new Error(`Number of channels must be divisible by groups. Got ${C} channels and ${groups} groups.`);
  return reshape(reshape(x, [N, groups, C / groups, ...x.shape.slice(2)]).transpose(1, 2).contiguous(), x.shape);
}

// =============================================================== in-place activations

/** relu written back into x (ReluBackward0). */
export function relu_<T extends Tensor>(x: T): T { checkTensor('relu_', x); return inplaceOf(x, 'relu_', (t) => relu(t), 'ReluBackward0'); }
/** elu written back into x (EluBackward1, as PyTorch's). */
export function elu_<T extends Tensor>(x: T, alpha = 1): T { checkTensor('elu_', x); return inplaceOf(x, 'elu_', (t) => elu(t, alpha), 'EluBackward1'); }
/** leakyRelu written back into x (LeakyReluBackward1). */
export function leakyRelu_<T extends Tensor>(x: T, negativeSlope = 0.01): T { checkTensor('leaky_relu_', x); return inplaceOf(x, 'leaky_relu_', (t) => leakyRelu(t, negativeSlope), 'LeakyReluBackward1'); }
/** hardtanh written back into x (HardtanhBackward0). */
export function hardtanh_<T extends Tensor>(x: T, minVal = -1, maxVal = 1): T { checkTensor('hardtanh_', x); return inplaceOf(x, 'hardtanh_', (t) => hardtanh(t, minVal, maxVal), 'HardtanhBackward0'); }
/** selu written back into x (EluBackward1, as PyTorch's). */
export function selu_<T extends Tensor>(x: T): T { checkTensor('selu_', x); return inplaceOf(x, 'selu_', (t) => selu(t), 'EluBackward1'); }
/** celu written back into x (CeluBackward1). */
export function celu_<T extends Tensor>(x: T, alpha = 1): T { checkTensor('celu_', x); return inplaceOf(x, 'celu_', (t) => celu(t, alpha), 'CeluBackward1'); }
/** threshold written back into x (ThresholdBackward1). */
export function threshold_<T extends Tensor>(x: T, thresholdValue: number, value: number): T {
  checkTensor('threshold_', x);
  return inplaceOf(x, 'threshold_', (t) => threshold(t, thresholdValue, value), 'ThresholdBackward1');
}

// =============================================================== deprecated upsample spellings

const warned = new Set<string>();
function deprecated(name: string): void {
  if (warned.has(name)) return;
  warned.add(name);
  process.emitWarning(`nn.functional.${name} is deprecated. Use nn.functional.interpolate instead.`, 'UserWarning');
}
/** F.upsample (deprecated; PyTorch's warning once): interpolate. */
export function upsample(x: Tensor, o: InterpolateOptions): Tensor { deprecated('upsample'); return interpolate(x, o); }
/** F.upsample_nearest (deprecated): interpolate with mode 'nearest'. */
export function upsampleNearest(x: Tensor, o: { size?: number | number[]; scaleFactor?: number | number[] }): Tensor {
  deprecated('upsample_nearest');
  return interpolate(x, { size: o.size, scaleFactor: o.scaleFactor, mode: 'nearest' });
}
/** F.upsample_bilinear (deprecated): interpolate with mode 'bilinear' and alignCorners true. */
export function upsampleBilinear(x: Tensor, o: { size?: number | number[]; scaleFactor?: number | number[] }): Tensor {
  deprecated('upsample_bilinear');
  return interpolate(x, { size: o.size, scaleFactor: o.scaleFactor, mode: 'bilinear', alignCorners: true });
}
