/**
 * torch.nn.functional in 3-D (PyTorch 1.13's): conv3d, conv_transpose3d, max / average / adaptive pooling
 * of [N, C, D, H, W], and F.interpolate's bicubic mode (the 'trilinear' and 5-D 'nearest' modes are
 * functional.ts's and functional-extra.ts's separable ones, run over three dims).
 *
 * The same scheme as the 2-D layers of functional.ts, over any number of spatial dims: each window's
 * elements are gathered by index from the padded, flattened image (im2col: [N, C, K, L], K kernel offsets,
 * L windows), multiplied by the weight as one (batched) matrix product, and the gradients summed back by
 * the adjoint (a scatter-add on the CPU; on the GPU each pixel gathers the window positions that read it).
 * Composed of the frontend's ops, so they run on every device and are differentiable; each is one autograd
 * node under PyTorch's name (ConvolutionBackward0, MaxPool3DWithIndicesBackward0, …).
 *
 * Imports only the frontend (no functional.ts), so functional.ts can re-export these and call
 * interpolateBicubic without an import cycle.
 */
import {
  Tensor, add, cat, checkFloat, checkTensor, composite, twice, isCreatingGraph, extremeValues, full, gather, indexAddZeros, indexSelect, matmul, mul, reshape, sum, tensor, div,
  type Operand,
} from './tensor.ts';
import { contiguousStrides, fmtShape } from './shape.ts';
import { noGrad } from './autograd/graph.ts';

export type Triple = number | [number, number, number];

// =============================================================== windows over N spatial dims

/** A number or a triple, checked: integers, at least min (PyTorch's messages for stride and padding). */
function triple(name: string, v: Triple | number[], min: number, fn = ''): number[] {
  const t = typeof v === 'number' ? [v, v, v] : [...v];
  if (t.length !== 3 || t.some((x) => !Number.isInteger(x))) throw new Error(`${fn ? `${fn}(): ` : ''}${name} must be an integer or a tuple of three integers, got ${JSON.stringify(v)}`);
  for (const x of t) {
    if (x < min) {
      if (name === 'stride') throw new Error(fn.startsWith('conv') ? 'non-positive stride is not supported' : 'stride should not be zero');
      if (name === 'padding') throw new Error('negative padding is not supported');
      if (name === 'dilation') throw new Error(fn.startsWith('conv') ? 'dilation should be greater than zero' : `dilation should be greater than zero, but got dilation: ${JSON.stringify(v)}`);
      throw new Error(`${name} should be greater than zero, but got ${name}: ${JSON.stringify(v)}`);
    }
  }
  return t;
}
const prod = (v: number[]) => v.reduce((a, b) => a * b, 1);
/** Σ i_k·step_k over every multi-index of dims, row-major. */
function offsets(dims: number[], step: number[]): Int32Array {
  let r = new Int32Array([0]);
  dims.forEach((n, k) => {
    const next = new Int32Array(r.length * n);
    for (let a = 0; a < r.length; a++) for (let i = 0; i < n; i++) next[a * n + i] = r[a] + i * step[k];
    r = next;
  });
  return r;
}

/**
 * The windows of an image [N, C, ...size] padded by lo before and hi after each dim (hi includes ceil
 * mode's extra): `at` [K·L] holds each window element's flat position in the padded image (kernel offset
 * major, then window), idx the same on the device.
 */
interface Windows {
  N: number; C: number; size: number[]; lo: number[]; hi: number[]; padded: number[]; out: number[];
  K: number; L: number; P: number; at: Int32Array; idx: Tensor; key: string;
}
function windows(N: number, C: number, size: number[], k: number[], s: number[], d: number[], lo: number[], hi: number[], out: number[], device: string): Windows {
  const padded = size.map((n, i) => n + lo[i] + hi[i]), ps = contiguousStrides(padded);
  const ko = offsets(k, d.map((v, i) => v * ps[i])), lo2 = offsets(out, s.map((v, i) => v * ps[i]));
  const K = ko.length, L = lo2.length, at = new Int32Array(K * L);
  for (let a = 0; a < K; a++) for (let l = 0; l < L; l++) at[a * L + l] = ko[a] + lo2[l];
  const key = [padded, k, s, d, out].map((v) => v.join(',')).join(';');
  return { N, C, size, lo, hi, padded, out, K, L, P: prod(padded), at, idx: tensor(at, { device, dtype: 'int32' }), key };
}
/** x [N, C, ...] with `value` padded before (lo) and after (hi) each spatial dim (x itself where none). */
function padWith(x: Tensor, lo: number[], hi: number[], value: number): Tensor {
  let r = x;
  lo.forEach((a, i) => {
    const b = hi[i], dim = 2 + i;
    if (!a && !b) return;
    const block = (n: number) => full(r.shape.map((v, j) => (j === dim ? n : v)), value, { dtype: x.dtype, device: x.device });
    r = cat([...(a ? [block(a)] : []), r, ...(b ? [block(b)] : [])], dim);
  });
  return r;
}
/** The windows of an image: [N, C, K, L] (xp padded as q says). */
const unfoldW = (xp: Tensor, q: Windows) => indexSelect(reshape(xp, [q.N, q.C, q.P]), 2, q.idx).reshape([q.N, q.C, q.K, q.L]);
/** unfoldW's adjoint: window gradients [N, C, K, L] summed into the unpadded image [N, C, ...size]. */
function foldW(dcols: Tensor, q: Windows): Tensor {
  const flat = reshape(dcols, [q.N, q.C, q.K * q.L]);
  let dxp: Tensor;
  if (dcols.device === 'gpu') {
    // each padded pixel gathers the (at most M) window positions that read it; position K·L is a zero
    const { inv, M } = inverseIndex(q);
    const padded = cat([flat, full([q.N, q.C, 1], 0, { dtype: dcols.dtype, device: dcols.device })], 2);
    dxp = sum(reshape(indexSelect(padded, 2, tensor(inv, { device: dcols.device, dtype: 'int32' })), [q.N, q.C, q.P, M]), 3);
  } else dxp = indexAddZeros(flat, 2, q.idx, [q.N, q.C, q.P]);
  let r = dxp.reshape([q.N, q.C, ...q.padded]);
  if (q.lo.some((v) => v) || q.hi.some((v) => v)) {
    q.size.forEach((n, i) => { r = r.narrow(2 + i, q.lo[i], n); });
    r = r.contiguous();
  }
  return r;
}
const INVERSE = new Map<string, { inv: Int32Array; M: number }>();
/** For each padded pixel the window positions (k·L + l) reading it, ascending, padded with K·L to M each. */
function inverseIndex(q: Windows): { inv: Int32Array; M: number } {
  const hit = INVERSE.get(q.key);
  if (hit) return hit;
  const count = new Int32Array(q.P);
  for (const p of q.at) count[p]++;
  let M = 1;
  for (const c of count) M = Math.max(M, c);
  const inv = new Int32Array(q.P * M).fill(q.K * q.L);
  count.fill(0);
  q.at.forEach((p, n) => { inv[p * M + count[p]++] = n; });
  if (INVERSE.size >= 32) INVERSE.clear();
  const r = { inv, M };
  INVERSE.set(q.key, r);
  return r;
}
/** A tensor made here, shaped anew (an op's result, not a view). */
const asShape = (t: Tensor, shape: number[]) => new Tensor(t.storage, shape, contiguousStrides(shape), t.offset);
/** A 4-D input is one unbatched volume: f over a batch of one. */
function batched5(x: Tensor, f: (x5: Tensor) => Tensor, bad: () => string): Tensor {
  if (x.ndim === 4) return f(x.unsqueeze(0)).squeeze(0);
  if (x.ndim !== 5) throw new Error(bad());
  return f(x);
}
const dims = (v: number[]) => v.join(' x ');
/** x as [N, C, D, H, W] (an unbatched [C, D, H, W] viewed as a batch of one, outside the graph: the
 * pooling ops record one node over x itself, as PyTorch's, which pool 4-D inputs natively). */
const as5 = (x: Tensor) => (x.ndim === 4 ? noGrad(() => x.unsqueeze(0)) : x);
/** x's leading dims (batch and channels, or channels) and the output's spatial ones. */
const outShapeOf = (x: Tensor, out: number[]) => [...x.shape.slice(0, -3), ...out];

// =============================================================== convolution

export type Conv3dPadding = Triple | 'same' | 'valid';
export interface Conv3dOptions { stride?: Triple; padding?: Conv3dPadding; dilation?: Triple; groups?: number }
/**
 * 3-D convolution (cross-correlation, as PyTorch's): input [N, C, D, H, W] (or [C, D, H, W]), weight
 * [O, C / groups, kd, kh, kw], bias [O]. padding: per dim, or 'valid' (none) or 'same' (stride 1 only; the
 * output as large as the input, an odd total d·(k − 1) padded one more after than before, as PyTorch's).
 * The windows are gathered (memory kd·kh·kw times the input's) and multiplied by the weight as one matrix
 * product per group; one node (ConvolutionBackward0).
 */
export function conv3d(input: Tensor, weight: Tensor, bias?: Tensor | null, o: Conv3dOptions = {}): Tensor {
  checkTensor('conv3d', input); checkTensor('conv3d', weight, 'weight'); checkFloat('conv3d', input);
  if (bias != null) checkTensor('conv3d', bias, 'bias');
  const G = groups('conv3d', o.groups);
  if (input.ndim !== 4 && input.ndim !== 5) throw new Error(`Expected 4D (unbatched) or 5D (batched) input to conv3d, but got input of size: ${fmtShape(input.shape)}`);
  if (weight.ndim !== 5) throw new Error(`conv3d(): weight must be 5-D [out_channels, in_channels / groups, kd, kh, kw], got shape ${fmtShape(weight.shape)}`);
  const s = triple('stride', o.stride ?? 1, 1, 'conv3d'), d = triple('dilation', o.dilation ?? 1, 1, 'conv3d'), k = weight.shape.slice(2);
  let lo: number[], hi: number[];
  const pad = o.padding ?? 0;
  if (typeof pad === 'string') {
    if (pad !== 'same' && pad !== 'valid') throw new Error(`Invalid padding string: '${String(pad)}'`);
    if (pad === 'same' && s.some((v) => v !== 1)) throw new Error("padding='same' is not supported for strided convolutions");
    const total = pad === 'valid' ? [0, 0, 0] : k.map((n, i) => d[i] * (n - 1));
    lo = total.map((t) => Math.floor(t / 2)); hi = total.map((t, i) => t - lo[i]);
  } else lo = hi = triple('padding', pad, 0, 'conv3d');
  return batched5(input, (x) => convolution3d(input, x, weight, bias, s, lo, hi, d, G), () => '');
}
function groups(fn: string, g: number | undefined): number {
  const G = g ?? 1;
  if (!Number.isInteger(G)) throw new Error(`${fn}(): groups must be an integer, got ${G}`);
  if (G <= 0) throw new Error('non-positive groups is not supported');
  return G;
}
/** conv3d of x [N, C, D, H, W] (input: as the caller gave it, for messages) padded lo/hi: one node. */
function convolution3d(input: Tensor, x: Tensor, weight: Tensor, bias: Tensor | null | undefined, s: number[], lo: number[], hi: number[], d: number[], G: number): Tensor {
  const [O, Cw, ...k] = weight.shape, [N, C, ...size] = x.shape;
  if (O % G !== 0) throw new Error(`Given groups=${G}, expected weight to be divisible by ${G} at dimension 0, but got weight of size [${fmtShape(weight.shape)}] instead`);
  if (C !== Cw * G) throw new Error(`Given groups=${G}, weight of size ${fmtShape(weight.shape)}, expected input${fmtShape(x.shape)} to have ${Cw * G} channels, but got ${C} channels instead`);
  if (bias != null && (bias.ndim !== 1 || bias.shape[0] !== O)) throw new Error(`Given weight of size ${fmtShape(weight.shape)}, expected bias to be 1-dimensional with ${O} elements, but got bias of size ${fmtShape(bias.shape)} instead`);
  const padded = size.map((n, i) => n + lo[i] + hi[i]), ek = k.map((n, i) => d[i] * (n - 1) + 1);
  if (ek.some((e, i) => e > padded[i])) throw new Error(`Calculated padded input size per channel: (${dims(padded)}). Kernel size: (${dims(ek)}). Kernel size can't be greater than actual input size`);
  const out = padded.map((n, i) => Math.floor((n - ek[i]) / s[i]) + 1);
  const q = windows(N, C, size, k, s, d, lo, hi, out, x.device);
  const CK = Cw * q.K, grouped = (n: number) => (G === 1 ? [n] : [G, n / G]);
  const wv = reshape(weight, [...grouped(O), CK]); // [(G,) O/G, CK]
  let cols!: Tensor;
  const inputs: Operand[] = bias != null ? [input, weight, bias] : [input, weight];
  const windowsOfX = () => { cols = reshape(unfoldW(padWith(x, lo, hi, 0), q), [N, ...(G === 1 ? [] : [G]), CK, q.L]); };
  return twice(composite('ConvolutionBackward0', inputs, () => {
    windowsOfX();
    let y = reshape(matmul(wv, cols), [N, O, q.L]);
    if (bias != null) y = add(y, bias.reshape([1, O, 1]));
    return asShape(y, [N, O, ...out]);
  }, (g) => {
    // (the weight's gradient reads x's windows, made without recording: a createGraph pass makes them
    // again, recorded; x is the caller's input or its recorded unsqueeze)
    if (isCreatingGraph() && weight.requiresGrad) windowsOfX();
    const g2 = reshape(g, [N, ...grouped(O), q.L]);
    const gx = input.requiresGrad ? reshape(foldW(matmul(wv.transpose(-1, -2), g2).reshape([N, C, q.K, q.L]), q), input.shape) : null;
    const gw = weight.requiresGrad ? reshape(sum(matmul(g2, cols.transpose(-1, -2)), 0), weight.shape) : null;
    return bias != null ? [gx, gw, bias.requiresGrad ? sum(reshape(g, [N, O, q.L]), [0, 2]) : null] : [gx, gw];
  }, input, weight));
}

export interface ConvTranspose3dOptions { stride?: Triple; padding?: Triple; outputPadding?: Triple; groups?: number; dilation?: Triple }
/**
 * 3-D transposed convolution (conv3d's adjoint): input [N, Cin, D, H, W] (or unbatched), weight
 * [Cin, Cout / groups, kd, kh, kw], bias [Cout]; output size (n − 1)·stride − 2·padding + dilation·(k − 1)
 * + outputPadding + 1 per dim. Each input voxel's column wᵀ·x is summed into the output window it spreads
 * to (the windows' adjoint); one node (ConvolutionBackward0) whose input gradient is conv3d of the output
 * gradient.
 */
export function convTranspose3d(input: Tensor, weight: Tensor, bias?: Tensor | null, o: ConvTranspose3dOptions = {}): Tensor {
  checkTensor('conv_transpose3d', input); checkTensor('conv_transpose3d', weight, 'weight'); checkFloat('conv_transpose3d', input);
  if (bias != null) checkTensor('conv_transpose3d', bias, 'bias');
  const G = groups('conv_transpose3d', o.groups);
  if (input.ndim !== 4 && input.ndim !== 5) throw new Error(`Expected 4D (unbatched) or 5D (batched) input to conv_transpose3d, but got input of size: ${fmtShape(input.shape)}`);
  if (weight.ndim !== 5) throw new Error(`conv_transpose3d(): weight must be 5-D [in_channels, out_channels / groups, kd, kh, kw], got shape ${fmtShape(weight.shape)}`);
  const s = triple('stride', o.stride ?? 1, 1, 'conv_transpose3d'), p = triple('padding', o.padding ?? 0, 0, 'conv_transpose3d');
  const d = triple('dilation', o.dilation ?? 1, 1, 'conv_transpose3d'), op = triple('output_padding', o.outputPadding ?? 0, 0, 'conv_transpose3d');
  return batched5(input, (x) => transposed3d(input, x, weight, bias, s, p, op, d, G), () => '');
}
function transposed3d(input: Tensor, x: Tensor, weight: Tensor, bias: Tensor | null | undefined, s: number[], p: number[], op: number[], d: number[], G: number): Tensor {
  const [Ci, Cg, ...k] = weight.shape, [N, C, ...size] = x.shape, Cout = Cg * G;
  if (Ci % G !== 0) throw new Error(`Given groups=${G}, expected weight to be divisible by ${G} at dimension 0, but got weight of size [${fmtShape(weight.shape)}] instead`);
  if (C !== Ci) throw new Error(`Given transposed=1, weight of size ${fmtShape(weight.shape)}, expected input${fmtShape(x.shape)} to have ${Ci} channels, but got ${C} channels instead`);
  if (bias != null && (bias.ndim !== 1 || bias.shape[0] !== Cout)) throw new Error(`Given transposed=1, weight of size ${fmtShape(weight.shape)}, expected bias to be 1-dimensional with ${Cout} elements, but got bias of size ${fmtShape(bias.shape)} instead`);
  if (!op.every((v, i) => v < s[i] || v < d[i])) {
    throw new Error(`output padding must be smaller than either stride or dilation, but got output_padding_depth: ${op[0]} output_padding_height: ${op[1]} output_padding_width: ${op[2]} stride_depth: ${s[0]} stride_height: ${s[1]} stride_width: ${s[2]} dilation_depth: ${d[0]} dilation_height: ${d[1]} dilation_width: ${d[2]}`);
  }
  const outSize = size.map((n, i) => (n - 1) * s[i] - 2 * p[i] + d[i] * (k[i] - 1) + op[i] + 1);
  if (outSize.some((v) => v <= 0)) throw new Error(`Given input size per channel: (${dims(size)}). Calculated output size per channel: (${dims(outSize)}). Output size is too small`);
  // the windows of the padded output that the input's voxels spread to (the output is the "image")
  const q = windows(N, Cout, outSize, k, s, d, p, p, size, x.device);
  const grouped = (n: number) => (G === 1 ? [n] : [G, n / G]);
  const wv = reshape(weight, [...grouped(Ci), Cg * q.K]); // [(G,) Ci/G, Cg·K]
  const xv = reshape(x, [N, ...grouped(Ci), q.L]); // [N, (G,) Ci/G, L]
  const inputs: Operand[] = bias != null ? [input, weight, bias] : [input, weight];
  return twice(composite('ConvolutionBackward0', inputs, () => {
    let y = foldW(reshape(matmul(wv.transpose(-1, -2), xv), [N, Cout, q.K, q.L]), q); // [N, Cout, ...outSize]
    if (bias != null) y = add(y, bias.reshape([1, Cout, 1, 1, 1]));
    return asShape(y.contiguous(), [N, Cout, ...outSize]);
  }, (g) => {
    const g5 = reshape(g, [N, Cout, ...outSize]);
    const gcols = reshape(unfoldW(padWith(g5, p, p, 0), q), [N, ...(G === 1 ? [] : [G]), Cg * q.K, q.L]);
    const gx = input.requiresGrad ? reshape(matmul(wv, gcols), input.shape) : null;
    const gw = weight.requiresGrad ? reshape(sum(matmul(xv, gcols.transpose(-1, -2)), 0), weight.shape) : null;
    return bias != null ? [gx, gw, bias.requiresGrad ? sum(g5, [0, 2, 3, 4]) : null] : [gx, gw];
  }, input, weight));
}

// =============================================================== pooling

export interface Pool3dOptions { stride?: Triple | null; padding?: Triple; dilation?: Triple; ceilMode?: boolean; returnIndices?: boolean }
export interface AvgPool3dOptions { stride?: Triple | null; padding?: Triple; ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number | null }
const RANK_POOL = 'non-empty 4D or 5D (batch mode) tensor expected for input';
/** PyTorch's pooling_output_shape per dim (with its checks), then "Output size is too small". */
function poolShape(x: Tensor, k: number[], s: number[], p: number[], d: number[], ceil: boolean): number[] {
  const size = x.shape.slice(-3);
  const out = size.map((n, i) => {
    if (p[i] > k[i] / 2) throw new Error(`pad should be at most half of kernel size, but got pad=${p[i]} and kernel_size=${k[i]}`);
    let o = Math.floor((n + 2 * p[i] - d[i] * (k[i] - 1) - 1 + (ceil ? s[i] - 1 : 0)) / s[i]) + 1;
    if (ceil && (o - 1) * s[i] >= n + p[i]) o--;
    return o;
  });
  if (out.some((v) => v < 1)) {
    const C = x.shape[x.ndim - 4];
    throw new Error(`Given input size: (${[C, ...size].join('x')}). Calculated output size: (${[C, ...out].join('x')}). Output size is too small`);
  }
  return out;
}
/** The windows of a pooling, with ceil mode's extra padding after each dim (elements that count for nothing). */
function poolWindows(x5: Tensor, k: number[], s: number[], p: number[], d: number[], out: number[]): Windows {
  const [N, C, ...size] = x5.shape;
  const hi = size.map((n, i) => p[i] + Math.max(0, (out[i] - 1) * s[i] + d[i] * (k[i] - 1) + 1 - (n + 2 * p[i])));
  return windows(N, C, size, k, s, d, p, hi, out, x5.device);
}
/**
 * The largest element of each window of x [N, C, S] read at `at` [K·L] (flat positions in image xs, which
 * may be x padded: orig maps them to x's positions): values [N, C, ...out] and, per output, where in x its
 * largest element is (int64; the first of equal ones, NaN winning). One node whose gradient goes there.
 */
function windowMax(name: string, x: Tensor, xs: Tensor, q: Windows, orig: Int32Array): [Tensor, () => Tensor] {
  const { N, C } = q, S = prod(q.size), outShape = outShapeOf(x, q.out);
  let pos!: Tensor; // [N, C, L]
  const y = twice(composite(name, [x], () => {
    const cols = unfoldW(xs, q);
    const o = tensor(orig, { device: x.device, dtype: 'int32' }).long().reshape([1, 1, q.K, q.L]).expand([N, C, q.K, q.L]);
    pos = reshape(gather(o, 2, cols.argmax(2, true)), [N, C, q.L]);
    return asShape(extremeValues('max', cols, [2], true), outShape);
  }, (g) => [reshape(full([N, C, S], 0, { dtype: g.dtype, device: g.device }).scatterAdd(2, pos, reshape(g, [N, C, q.L])), x.shape)], x));
  return [y, () => reshape(pos, outShape)];
}
/** Where a padded image's positions are in the unpadded one (padding: its nearest pixel, never the max
 * unless its window holds nothing larger than −inf). */
function unpaddedPositions(q: Windows): Int32Array {
  const ps = contiguousStrides(q.padded), xs = contiguousStrides(q.size);
  return q.at.map((v) => {
    let r = 0, rest = v;
    for (let i = 0; i < q.size.length; i++) {
      const c = Math.floor(rest / ps[i]);
      rest -= c * ps[i];
      r += Math.min(Math.max(c - q.lo[i], 0), q.size[i] - 1) * xs[i];
    }
    return r;
  });
}

/**
 * 3-D max pooling of [N, C, D, H, W] (or [C, D, H, W]): the largest element of each window (padding counts
 * as −inf; NaN wins); stride defaults to the kernel size; ceilMode keeps a last partial window that starts
 * inside the input or its front padding. With returnIndices also where each maximum is (d·H·W + h·W + w,
 * int64). One node (MaxPool3DWithIndicesBackward0): the gradient goes to each window's first largest element.
 */
export function maxPool3d(x: Tensor, kernelSize: Triple, o: Pool3dOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool3d(x: Tensor, kernelSize: Triple, o?: Pool3dOptions): Tensor;
export function maxPool3d(x: Tensor, kernelSize: Triple, o: Pool3dOptions = {}): Tensor | [Tensor, Tensor] {
  checkTensor('max_pool3d', x); checkFloat('max_pool3d', x);
  const k = triple('kernel_size', kernelSize, 1, 'max_pool3d');
  if (x.ndim !== 4 && x.ndim !== 5) throw new Error(RANK_POOL);
  const s = triple('stride', o.stride ?? kernelSize, 1, 'max_pool3d'), p = triple('padding', o.padding ?? 0, 0, 'max_pool3d'), d = triple('dilation', o.dilation ?? 1, 1, 'max_pool3d');
  const out = poolShape(x, k, s, p, d, !!o.ceilMode), x5 = as5(x);
  const q = poolWindows(x5, k, s, p, d, out);
  const [y, indices] = windowMax('MaxPool3DWithIndicesBackward0', x, noGrad(() => padWith(x5, q.lo, q.hi, -Infinity)), q, unpaddedPositions(q));
  return o.returnIndices ? [y, indices()] : y;
}

/**
 * 3-D average pooling of [N, C, D, H, W] (or [C, D, H, W]): each window's sum over divisorOverride, or
 * over its element count: with countIncludePad (the default) the window clipped to the padded input (ceil
 * mode's extra never counts), else to the input itself, as PyTorch's. One node (AvgPool3DBackward0).
 */
export function avgPool3d(x: Tensor, kernelSize: Triple, o: AvgPool3dOptions = {}): Tensor {
  checkTensor('avg_pool3d', x); checkFloat('avg_pool3d', x);
  const k = triple('kernel_size', kernelSize, 1, 'avg_pool3d');
  if (x.ndim !== 4 && x.ndim !== 5) throw new Error(RANK_POOL);
  const s = triple('stride', o.stride ?? kernelSize, 1, 'avg_pool3d'), p = triple('padding', o.padding ?? 0, 0, 'avg_pool3d'), one = [1, 1, 1];
  const size = x.shape.slice(-3);
  // (PyTorch's order: the padding's check, then the input's size, then the output's)
  p.forEach((v, i) => { if (v > k[i] / 2) throw new Error(`pad should be at most half of kernel size, but got pad=${v} and kernel_size=${k[i]}`); });
  if (size.some((n, i) => n < k[i])) throw new Error(`input image (T: ${size[0]} H: ${size[1]} W: ${size[2]}) smaller than kernel size (kT: ${k[0]} kH: ${k[1]} kW: ${k[2]})`);
  if (o.divisorOverride != null && (!Number.isInteger(o.divisorOverride) || o.divisorOverride === 0)) throw new Error('divisor must be not zero');
  const out = poolShape(x, k, s, p, one, !!o.ceilMode);
  const include = o.countIncludePad ?? true;
  const x5 = as5(x), [N, C] = x5.shape;
  const q = poolWindows(x5, k, s, p, one, out);
  {
    let denom: Operand;
    if (o.divisorOverride != null) denom = o.divisorOverride;
    else {
      // each window's count: the product over dims of its span clipped to [−p, n + p) or [0, n)
      const spans = out.map((m, i) => Array.from({ length: m }, (_, j) => {
        const a = j * s[i] - p[i], b = Math.min(a + k[i], size[i] + p[i]);
        return include ? b - a : Math.min(b, size[i]) - Math.max(a, 0);
      }));
      const c = new Float64Array(q.L);
      let l = 0;
      for (const a of spans[0]) for (const b of spans[1]) for (const e of spans[2]) c[l++] = a * b * e;
      denom = tensor(c, { dtype: x5.dtype, device: x5.device }).reshape([1, 1, 1, q.L]);
    }
    return twice(composite('AvgPool3DBackward0', [x], () => asShape(div(sum(unfoldW(padWith(x5, q.lo, q.hi, 0), q), 2, true), denom).contiguous(), outShapeOf(x, out)),
      (g) => [reshape(foldW(div(reshape(g, [N, C, 1, q.L]), denom).expand([N, C, q.K, q.L]), q), x.shape)], x));
  }
}

type Size3 = number | [number | null, number | null, number | null];
/** PyTorch's adaptive windows along one dim: output i reads [⌊i·n/out⌋, ⌈(i+1)·n/out⌉). */
const adaptiveWindows = (out: number, n: number) => Array.from({ length: out }, (_, i) => [Math.floor((i * n) / out), Math.ceil(((i + 1) * n) / out)]);
function adaptiveSizes(fn: string, x5: Tensor, outputSize: Size3): number[] {
  const size = x5.shape.slice(2);
  if (Array.isArray(outputSize) && outputSize.length !== 3) throw new Error(`${fn}: output_size must be 3`);
  const out = typeof outputSize === 'number' ? [outputSize, outputSize, outputSize] : outputSize.map((v, i) => v ?? size[i]);
  for (const v of out) if (!Number.isInteger(v) || v < 0) throw new Error(`${fn}(): output_size must be non-negative integers, got ${JSON.stringify(outputSize)}`);
  if (size.some((n) => n === 0)) throw new Error(`${fn}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ${fmtShape(x5.shape)}`);
  return out;
}
/**
 * 3-D adaptive average pooling to outputSize (a number, or [od, oh, ow] where null keeps that input size):
 * each output averages PyTorch's adaptive window, as three matrix products with averaging matrices (along
 * W, H, then D). One node (AdaptiveAvgPool3DBackward0).
 */
export function adaptiveAvgPool3d(x: Tensor, outputSize: Size3): Tensor {
  checkTensor('adaptive_avg_pool3d', x); checkFloat('adaptive_avg_pool3d', x);
  const bad = () => `adaptive_avg_pool3d(): Expected 4D or 5D tensor, but got ${fmtShape(x.shape)}`;
  if (x.ndim !== 4 && x.ndim !== 5) throw new Error(bad());
  const x5 = as5(x);
  {
    const [N, C, D, H, W] = x5.shape, [od, oh, ow] = adaptiveSizes('adaptive_avg_pool3d', x5, outputSize);
    const avg = (out: number, n: number) => {
      const m = new Float64Array(out * n);
      adaptiveWindows(out, n).forEach(([s, e], i) => { for (let k = s; k < e; k++) m[i * n + k] = 1 / (e - s); });
      return tensor(m, { dtype: x5.dtype, device: x5.device }).reshape([out, n]);
    };
    const ad = avg(od, D), ah = avg(oh, H), aw = avg(ow, W);
    return twice(composite('AdaptiveAvgPool3DBackward0', [x], () => {
      const y = matmul(ah, matmul(x5, aw.t())); // [N, C, D, oh, ow]
      return asShape(matmul(ad, reshape(y, [N, C, D, oh * ow])), outShapeOf(x, [od, oh, ow]));
    }, (g) => {
      const g1 = reshape(matmul(ad.t(), reshape(g, [N, C, od, oh * ow])), [N, C, D, oh, ow]);
      return [reshape(matmul(matmul(ah.t(), g1), aw), x.shape)];
    }));
  }
}
/**
 * 3-D adaptive max pooling: each output the largest element of PyTorch's adaptive window (NaN wins); with
 * returnIndices also where (d·H·W + h·W + w, int64). One node (AdaptiveMaxPool3DBackward0).
 */
export function adaptiveMaxPool3d(x: Tensor, outputSize: Size3, returnIndices: true): [Tensor, Tensor];
export function adaptiveMaxPool3d(x: Tensor, outputSize: Size3, returnIndices?: false): Tensor;
export function adaptiveMaxPool3d(x: Tensor, outputSize: Size3, returnIndices = false): Tensor | [Tensor, Tensor] {
  checkTensor('adaptive_max_pool3d', x); checkFloat('adaptive_max_pool3d', x);
  const bad = () => `adaptive_max_pool3d(): Expected 4D or 5D tensor, but got: ${fmtShape(x.shape)}`;
  if (x.ndim !== 4 && x.ndim !== 5) throw new Error(bad());
  const x5 = as5(x);
  {
    const [N, C, ...size] = x5.shape, out = adaptiveSizes('adaptive_max_pool3d', x5, outputSize);
    const wins = out.map((m, i) => adaptiveWindows(m, size[i]));
    const k = wins.map((w) => Math.max(1, ...w.map(([s, e]) => e - s)));
    // window positions (kernel offset major), a window's last element repeated where it is shorter
    const ss = contiguousStrides(size), K = prod(k), L = prod(out), at = new Int32Array(K * L);
    const ks = offsets(k, [1, 1, 1].map((_, i) => (i === 0 ? k[1] * k[2] : i === 1 ? k[2] : 1)));
    let n = 0;
    for (const kk of ks) {
      const a = [Math.floor(kk / (k[1] * k[2])), Math.floor(kk / k[2]) % k[1], kk % k[2]];
      for (let i = 0; i < out[0]; i++) for (let j = 0; j < out[1]; j++) for (let l = 0; l < out[2]; l++) {
        const c = [i, j, l].map((o, dim) => Math.min(wins[dim][o][0] + a[dim], wins[dim][o][1] - 1));
        at[n++] = c[0] * ss[0] + c[1] * ss[1] + c[2];
      }
    }
    const q: Windows = { N, C, size, lo: [0, 0, 0], hi: [0, 0, 0], padded: size, out, K, L, P: prod(size), at, idx: tensor(at, { device: x5.device, dtype: 'int32' }), key: '' };
    const [y, indices] = windowMax('AdaptiveMaxPool3DBackward0', x, x5, q, at);
    return returnIndices ? [y, indices()] : y;
  }
}

// =============================================================== bicubic interpolation

/** PyTorch's cubic convolution weights (A = −0.75) of the four neighbours of a point t ∈ [0, 1) past the second. */
export const CUBIC_A = -0.75;
function cubicWeights(t: number): [number, number, number, number] {
  const A = CUBIC_A;
  const near = (v: number) => ((A + 2) * v - (A + 3)) * v * v + 1; // |v| ≤ 1
  const far = (v: number) => ((A * v - 5 * A) * v + 8 * A) * v - 4 * A; // 1 < |v| < 2
  return [far(t + 1), near(t), near(1 - t), far(2 - t)];
}
/**
 * Bicubic interpolation of [N, C, H, W] to outs (scales: the scale factor given, or null), as PyTorch's
 * upsample_bicubic2d: output i reads source (i + ½)·scale − ½ (not clamped), or i·(in − 1)/(out − 1) with
 * alignCorners; its four neighbours ⌊src⌋ − 1 … ⌊src⌋ + 2, each clamped into the image, weighted by the
 * cubic convolution kernel with A = −0.75. Separable (the last dim first); one node
 * (UpsampleBicubic2DBackward1) whose gradient scatters back by the same weights.
 */
export function interpolateBicubic(x: Tensor, outs: number[], scales: Array<number | null>, alignCorners: boolean): Tensor {
  const f32 = x.dtype === 'float32' ? Math.fround : (v: number) => v;
  const taps = outs.map((out, k) => {
    const n = x.shape[2 + k];
    const scale = alignCorners ? (out > 1 ? f32((n - 1) / (out - 1)) : 0) : f32(scales[k] != null && scales[k]! > 0 ? 1 / scales[k]! : n / out);
    const idx = Array.from({ length: 4 }, () => new Int32Array(out)), w = Array.from({ length: 4 }, () => new Float64Array(out));
    for (let i = 0; i < out; i++) {
      const src = alignCorners ? f32(scale * i) : f32(scale * (i + 0.5) - 0.5);
      const i0 = Math.floor(src), cw = cubicWeights(f32(src - i0));
      for (let j = 0; j < 4; j++) { idx[j][i] = Math.min(Math.max(i0 - 1 + j, 0), n - 1); w[j][i] = f32(cw[j]); }
    }
    const shape = x.shape.map((_, j) => (j === 2 + k ? out : 1));
    return { n, idx: idx.map((a) => tensor(a, { device: x.device, dtype: 'int32' })), w: w.map((a) => tensor(a, { dtype: x.dtype, device: x.device }).reshape(shape)) };
  });
  return twice(composite('UpsampleBicubic2DBackward1', [x], () => {
    let r = x;
    for (let k = outs.length - 1; k >= 0; k--) {
      const t = taps[k];
      r = t.idx.map((ix, j) => mul(indexSelect(r, 2 + k, ix), t.w[j])).reduce((a, b) => add(a, b));
    }
    return r;
  }, (g) => {
    let r = g;
    for (let k = 0; k < outs.length; k++) {
      const t = taps[k], shape = r.shape.map((v, i) => (i === 2 + k ? t.n : v));
      r = t.idx.map((ix, j) => indexAddZeros(mul(r, t.w[j]), 2 + k, ix, shape)).reduce((a, b) => add(a, b));
    }
    return [r];
  }));
}
