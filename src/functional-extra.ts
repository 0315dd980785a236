/**
 * More of torch.nn.functional (PyTorch 1.13's): transposed convolution, linear and bilinear interpolation,
 * reflect / replicate / circular padding, adaptive max pooling, pixel (un)shuffle, prelu, threshold,
 * bilinear, and im2col (unfold) with its adjoint (fold). Composed of the frontend's ops and the window
 * helpers of src/functional.ts (`_windows`), so they run on every device and are differentiable; those
 * PyTorch records as one node are one node here too, under its name.
 *
 * functional.ts re-exports the public functions (one line at its end) and calls padIndexed and
 * interpolateLinear from its pad and interpolate; nothing here runs at import time, so the import cycle
 * between the two files is harmless.
 */
import {
  Tensor, checkFloat, extremeValues, gather, checkTensor, composite, twice, compare, full, indexAddZeros, indexSelect, matmul, mul, add, reshape, softmax, sum, tensor, where,
} from './tensor.ts';
import { fmtShape } from './shape.ts';
import { formatSize } from './format.ts';
import { _windows, type _Pair as Pair, type _Patches as Patches } from './functional.ts';

// =============================================================== transposed convolution

export interface ConvTranspose2dOptions { stride?: Pair; padding?: Pair; outputPadding?: Pair; groups?: number; dilation?: Pair }
/**
 * 2-D transposed convolution (conv2d's adjoint, "deconvolution"): input [N, Cin, H, W] (or [Cin, H, W]),
 * weight [Cin, Cout / groups, kh, kw], bias [Cout]. Output size (H − 1)·stride − 2·padding +
 * dilation·(kh − 1) + outputPadding + 1. Each input pixel's column wᵀ·x is summed into the window of the
 * output it spreads to (fold, the adjoint of conv2d's im2col); one node (ConvolutionBackward0) whose input
 * gradient is conv2d's forward over the output gradient.
 */
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, o: ConvTranspose2dOptions = {}): Tensor {
  const W = _windows;
  checkTensor('conv_transpose2d', input); checkTensor('conv_transpose2d', weight, 'weight'); checkFloat('conv_transpose2d', input);
  if (bias != null) checkTensor('conv_transpose2d', bias, 'bias');
  const G = W.convGroups('conv_transpose2d', o.groups);
  if (weight.ndim !== 4) throw new Error(`conv_transpose2d(): weight must be 4-D [in_channels, out_channels / groups, kh, kw], got shape ${fmtShape(weight.shape)}`);
  const s = W.pair('stride', o.stride ?? 1, 1), p = W.pair('padding', o.padding ?? 0, 0), d = W.pair('dilation', o.dilation ?? 1, 1);
  const op = W.pair('output_padding', o.outputPadding ?? 0, 0);
  return W.batched('conv_transpose2d', input, (x) => transposedConvolution(x, x.shape, weight, weight.shape, bias, s, p, op, d, G));
}

export interface ConvTranspose1dOptions { stride?: number | [number]; padding?: number | [number]; outputPadding?: number | [number]; groups?: number; dilation?: number | [number] }
/** 1-D transposed convolution: input [N, Cin, L] (or [Cin, L]), weight [Cin, Cout / groups, k]; the 2-D one over [N, Cin, 1, L]. */
export function convTranspose1d(input: Tensor, weight: Tensor, bias?: Tensor | null, o: ConvTranspose1dOptions = {}): Tensor {
  const W = _windows;
  checkTensor('conv_transpose1d', input); checkTensor('conv_transpose1d', weight, 'weight'); checkFloat('conv_transpose1d', input);
  if (bias != null) checkTensor('conv_transpose1d', bias, 'bias');
  const G = W.convGroups('conv_transpose1d', o.groups);
  if (input.ndim !== 2 && input.ndim !== 3) throw new Error(`Expected 2D (unbatched) or 3D (batched) input to conv_transpose1d, but got input of size: ${fmtShape(input.shape)}`);
  if (weight.ndim !== 3) throw new Error(`conv_transpose1d(): weight must be 3-D [in_channels, out_channels / groups, k], got shape ${fmtShape(weight.shape)}`);
  const one = (name: string, v: number | [number] | undefined, dflt: number, min: number) => W.pair(name, [min === 1 ? 1 : 0, Array.isArray(v) ? v[0] : v ?? dflt] as [number, number], min)[1];
  const s = one('stride', o.stride, 1, 1), p = one('padding', o.padding, 0, 0), d = one('dilation', o.dilation, 1, 1), op = one('output_padding', o.outputPadding, 0, 0);
  const x = input.ndim === 2 ? input.unsqueeze(0) : input;
  const [N, C, L] = x.shape, [Ci, Cw, k] = weight.shape;
  const y = transposedConvolution(x, [N, C, 1, L], weight, [Ci, Cw, 1, k], bias, [1, s], [0, p], [0, op], [1, d], G);
  return input.ndim === 2 ? y.squeeze(0) : y;
}

/**
 * The windows of the (padded) output [OH + 2ph, OW + 2pw] that the H × W input pixels spread to: a Patches
 * whose "image" is the output and whose windows are the input's pixels (fold sums into it, unfold reads it).
 */
function outputWindows(x4: number[], Cout: number, OH: number, OW: number, k: [number, number], s: [number, number], p: [number, number], d: [number, number], device: string): Patches {
  const [N, , H, Wd] = x4, [kh, kw] = k, [sh, sw] = s, [dh, dw] = d;
  const Hp = OH + 2 * p[0], Wp = OW + 2 * p[1];
  const rows = new Int32Array(kh * kw * H * Wd);
  let n = 0;
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let h = 0; h < H; h++) for (let w = 0; w < Wd; w++) rows[n++] = (h * sh + i * dh) * Wp + w * sw + j * dw;
  return {
    N, C: Cout, H: OH, W: OW, ph: p[0], pw: p[1], eh: 0, ew: 0, Hp, Wp, K: kh * kw, OH: H, OW: Wd, L: H * Wd,
    idx: tensor(rows, { device, dtype: 'int32' }), geo: [kh, kw, sh, sw, dh, dw],
  };
}

function transposedConvolution(x: Tensor, x4: number[], weight: Tensor, w4: number[], bias: Tensor | null | undefined, s: [number, number], p: [number, number], op: [number, number], d: [number, number], G: number): Tensor {
  const W = _windows;
  const [Ci, Cg, kh, kw] = w4, [N, C, H, Wd] = x4, Cout = Cg * G;
  if (Ci % G !== 0) throw new Error(`Given groups=${G}, expected weight to be divisible by ${G} at dimension 0, but got weight of size [${fmtShape(weight.shape)}] instead`);
  if (C !== Ci) throw new Error(`Given transposed=1, weight of size ${fmtShape(weight.shape)}, expected input${fmtShape(x.shape)} to have ${Ci} channels, but got ${C} channels instead`);
  if (bias != null && (bias.ndim !== 1 || bias.shape[0] !== Cout)) throw new Error(`Given transposed=1, weight of size ${fmtShape(weight.shape)}, expected bias to be 1-dimensional with ${Cout} elements, but got bias of size ${fmtShape(bias.shape)} instead`);
  if (!((op[0] < s[0] || op[0] < d[0]) && (op[1] < s[1] || op[1] < d[1]))) {
    throw new Error(`output padding must be smaller than either stride or dilation, but got output_padding_height: ${op[0]} output_padding_width: ${op[1]} stride_height: ${s[0]} stride_width: ${s[1]} dilation_height: ${d[0]} dilation_width: ${d[1]}`);
  }
  const OH = (H - 1) * s[0] - 2 * p[0] + d[0] * (kh - 1) + op[0] + 1, OW = (Wd - 1) * s[1] - 2 * p[1] + d[1] * (kw - 1) + op[1] + 1;
  if (OH <= 0 || OW <= 0) throw new Error(`Given input size per channel: (${H} x ${Wd}). Calculated output size per channel: (${OH} x ${OW}). Output size is too small`);
  const q = outputWindows(x4, Cout, OH, OW, [kh, kw], s, p, d, x.device);
  const CK = Cg * q.K, L = q.L, grouped = (n: number) => (G === 1 ? [n] : [G, n / G]);
  const wv = reshape(weight, [...grouped(Ci), CK]); // [(G,) Ci/G, Cg·K]
  const xv = reshape(x, [N, ...grouped(Ci), L]); // [N, (G,) Ci/G, L]
  const outShape = x.ndim === 4 ? [N, Cout, OH, OW] : [N, Cout, OW];
  const inputs = bias != null ? [x, weight, bias] : [x, weight];
  return twice(composite('ConvolutionBackward0', inputs, () => {
    const cols = matmul(wv.transpose(-1, -2), xv); // [N, (G,) Cg·K, L]
    let y = W.fold(reshape(cols, [N, Cout, q.K, L]), q); // [N, Cout, OH, OW]
    if (bias != null) y = add(y, bias.reshape([1, Cout, 1, 1]));
    return W.asShape(y.contiguous(), outShape);
  }, (g) => {
    const g4 = reshape(g, [N, Cout, OH, OW]);
    const gcols = reshape(W.unfold(W.padFor(g4, q, 0), q), [N, ...(G === 1 ? [] : [G]), Cg * q.K, L]); // [N, (G,) Cg·K, L]
    const gx = x.requiresGrad ? reshape(matmul(wv, gcols), x.shape) : null;
    const gw = weight.requiresGrad ? reshape(sum(matmul(xv, gcols.transpose(-1, -2)), 0), weight.shape) : null;
    return bias != null ? [gx, gw, bias.requiresGrad ? sum(g4, [0, 2, 3]) : null] : [gx, gw];
  }, x, weight));
}

// =============================================================== im2col (unfold) and col2im (fold)

export interface FoldOptions { dilation?: Pair; padding?: Pair; stride?: Pair }
/** A stand-in with only the shape and device that patches() reads. */
const shaped = (shape: number[], device: string) => ({ shape, device }) as unknown as Tensor;
/**
 * Sliding local blocks (im2col): input [N, C, H, W] (or [C, H, W]) to [N, C·kh·kw, L], each column one
 * window (channel major, then kernel row and column), L windows in row-major order. One node
 * (Im2ColBackward0) whose gradient is fold.
 */
export function unfold(input: Tensor, kernelSize: Pair, o: FoldOptions = {}): Tensor {
  const W = _windows;
  checkTensor('unfold', input);
  if (input.ndim !== 3 && input.ndim !== 4) throw new Error(`Input Error: Only 3D or 4D input Tensors are supported (got ${input.ndim}D)`);
  const k = W.pair('kernel_size', kernelSize, 1), d = W.pair('dilation', o.dilation ?? 1, 1), p = W.pair('padding', o.padding ?? 0, 0), s = W.pair('stride', o.stride ?? 1, 1);
  return W.batched('unfold', input, (x4) => {
    const q = W.patches('unfold', x4, k, s, p, d);
    return twice(composite('Im2ColBackward0', [x4], () => W.asShape(W.unfold(W.padFor(x4, q, 0), q).contiguous(), [q.N, q.C * q.K, q.L]),
      (g) => [W.fold(reshape(g, [q.N, q.C, q.K, q.L]), q)]));
  });
}
/**
 * Sums sliding local blocks into an image (col2im, unfold's adjoint): input [N, C·kh·kw, L] (or
 * [C·kh·kw, L]) to [N, C, outputSize]. One node (Col2ImBackward0) whose gradient is unfold.
 */
export function fold(input: Tensor, outputSize: Pair, kernelSize: Pair, o: FoldOptions = {}): Tensor {
  const W = _windows;
  checkTensor('fold', input);
  if (input.ndim !== 2 && input.ndim !== 3) throw new Error(`Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got ${input.ndim}D)`);
  const os = W.pair('output_size', outputSize, 1), k = W.pair('kernel_size', kernelSize, 1), d = W.pair('dilation', o.dilation ?? 1, 1), p = W.pair('padding', o.padding ?? 0, 0), s = W.pair('stride', o.stride ?? 1, 1);
  const x = input.ndim === 2 ? input.unsqueeze(0) : input;
  const [N, CK, L] = x.shape, K = k[0] * k[1];
  if (CK % K !== 0) throw new Error(`Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=${CK} and kernel_size=(${k[0]}, ${k[1]}).`);
  const blocks = (i: number) => Math.floor((os[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) / s[i]) + 1;
  const bh = blocks(0), bw = blocks(1);
  if (bh < 1 || bw < 1 || bh * bw !== L) {
    throw new Error(`Given output_size=(${os[0]}, ${os[1]}), kernel_size=(${k[0]}, ${k[1]}), dilation=(${d[0]}, ${d[1]}), padding=(${p[0]}, ${p[1]}), stride=(${s[0]}, ${s[1]}), expected size of input's dimension 2 to match the calculated number of sliding blocks ${bh} * ${bw} = ${bh * bw}, but got input.size(2)=${L}.`);
  }
  const C = CK / K;
  const q = W.patches('fold', shaped([N, C, os[0], os[1]], x.device), k, s, p, d);
  const y = twice(composite('Col2ImBackward0', [x], () => W.fold(reshape(x, [N, C, K, L]), q),
    // (reshape, not asShape: a window of the storage would leave the gradient without a graph in a
    // createGraph pass)
    (g) => [reshape(W.unfold(W.padFor(g, q, 0), q), [N, CK, L])]));
  return input.ndim === 2 ? y.squeeze(0) : y;
}

// =============================================================== linear and bilinear interpolation

/** PyTorch's check of the input's rank for an interpolating mode (after its size checks). */
export function interpolateDims(x: Tensor, mode: string): void {
  const want = mode === 'linear' ? 3 : mode === 'trilinear' ? 5 : 4;
  if (x.ndim >= 3 && x.ndim <= 5 && x.ndim !== want && mode !== 'bicubic') throw new Error(`Got ${x.ndim}D input, but ${mode} mode needs ${want}D input`);
  if (x.ndim < 3 || x.ndim > 5 || x.ndim !== want) throw new Error(`Input Error: Only 3D, 4D and 5D input Tensors supported (got ${x.ndim}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${mode})`);
}
/**
 * Linear interpolation along the spatial dims of x (sizes outs; scales: the scale factor given, or null
 * where a size was), as PyTorch's upsample_linear1d / bilinear2d / trilinear3d: output i reads source
 * i·(in − 1)/(out − 1) with alignCorners, else (i + ½)·scale − ½ clamped at 0 (scale 1/scaleFactor when
 * one was given, else in/out); its two neighbours weighted by distance. The last dim first, as PyTorch
 * sums. One node (UpsampleLinear1D/Bilinear2DBackward1) whose gradient scatters back by the same weights.
 */
export function interpolateLinear(x: Tensor, outs: number[], scales: Array<number | null>, alignCorners: boolean): Tensor {
  const sd = outs.length, f32 = x.dtype === 'float32' ? Math.fround : (v: number) => v;
  const dims = outs.map((out, k) => {
    const n = x.shape[2 + k], i0 = new Int32Array(out), i1 = new Int32Array(out), l0 = new Float64Array(out), l1 = new Float64Array(out);
    const scale = alignCorners ? (out > 1 ? f32((n - 1) / (out - 1)) : 0) : f32(scales[k] != null && scales[k]! > 0 ? 1 / scales[k]! : n / out);
    for (let i = 0; i < out; i++) {
      // (a dim whose size stays is copied, as PyTorch 1.13's CPU kernels do, whatever the scale factor)
      const src = n === out ? i : alignCorners ? f32(scale * i) : Math.max(f32(f32(scale * f32(i + 0.5)) - 0.5), 0);
      const a = Math.min(Math.floor(src), n - 1);
      i0[i] = a; i1[i] = a + (a < n - 1 ? 1 : 0);
      l1[i] = f32(src - a); l0[i] = f32(1 - l1[i]);
    }
    const shape = x.shape.map((_, j) => (j === 2 + k ? out : 1)), opts = { dtype: x.dtype, device: x.device };
    return { n, i0: tensor(i0, { device: x.device, dtype: 'int32' }), i1: tensor(i1, { device: x.device, dtype: 'int32' }), l0: tensor(l0, opts).reshape(shape), l1: tensor(l1, opts).reshape(shape) };
  });
  return twice(composite(sd === 1 ? 'UpsampleLinear1DBackward1' : sd === 2 ? 'UpsampleBilinear2DBackward1' : 'UpsampleTrilinear3DBackward1', [x], () => {
    let r = x;
    for (let k = sd - 1; k >= 0; k--) {
      const t = dims[k];
      r = add(mul(indexSelect(r, 2 + k, t.i0), t.l0), mul(indexSelect(r, 2 + k, t.i1), t.l1));
    }
    return r;
  }, (g) => {
    let r = g;
    for (let k = 0; k < sd; k++) {
      const t = dims[k], shape = r.shape.map((v, i) => (i === 2 + k ? t.n : v));
      r = add(indexAddZeros(mul(r, t.l0), 2 + k, t.i0, shape), indexAddZeros(mul(r, t.l1), 2 + k, t.i1, shape));
    }
    return [r];
  }));
}

// =============================================================== reflect, replicate and circular padding

/**
 * F.pad's modes 'reflect', 'replicate' and 'circular' (PyTorch's checks): the last 1, 2 or 3 dims of a
 * 2-/3-D, 3-/4-D or 4-/5-D input, each padded dim gathered by index (reflect: mirrored about the edge
 * element; replicate: the edge element repeated; circular: wrapped around). Reflect and replicate are one
 * node (ReflectionPad1DBackward0, …) whose gradient sums back by the same indices.
 */
export function padIndexed(x: Tensor, amounts: number[], mode: 'reflect' | 'replicate' | 'circular', value?: number): Tensor {
  if (value != null) throw new Error(`Padding mode "${mode}" doesn't take in value argument`);
  const nd = amounts.length / 2;
  if (!((nd === 1 && (x.ndim === 2 || x.ndim === 3)) || (nd === 2 && (x.ndim === 3 || x.ndim === 4)) || (nd === 3 && (x.ndim === 4 || x.ndim === 5)))) {
    throw new Error('Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now');
  }
  if (mode === 'circular' && nd !== x.ndim - 2) throw new Error(`Invalid padding size, expected ${2 * (x.ndim - 2)} but got ${amounts.length}`);
  const idx: Array<{ d: number; n: number; at: Tensor }> = [];
  for (let k = 0; k < nd; k++) {
    const d = x.ndim - 1 - k, n = x.shape[d], lo = amounts[2 * k], hi = amounts[2 * k + 1];
    if (mode === 'reflect' && (lo >= n || hi >= n)) {
      throw new Error(`Argument #${4 + 2 * k}: Padding size should be less than the corresponding input dimension, but got: padding (${lo}, ${hi}) at dimension ${d} of input ${nd === 2 ? x.ndim : fmtShape(x.shape)}`);
    }
    if (mode === 'circular' && (lo > n || hi > n)) throw new Error('Padding value causes wrapping around more than once.');
    const out = n + lo + hi;
    if (out <= 0) throw new Error(`input (${formatSize(x.shape)}) padded by (${lo}, ${hi}) along dim ${d} leaves no elements`);
    const at = new Int32Array(out);
    for (let i = 0; i < out; i++) {
      const j = i - lo;
      at[i] = mode === 'replicate' ? Math.min(Math.max(j, 0), n - 1) : mode === 'circular' ? ((j % n) + n) % n : j < 0 ? -j : j >= n ? 2 * (n - 1) - j : j;
    }
    idx.push({ d, n, at: tensor(at, { device: x.device, dtype: 'int32' }) });
  }
  const forward = () => idx.reduce((r, { d, at }) => indexSelect(r, d, at), x);
  if (mode === 'circular') return forward();
  const name = `${mode === 'reflect' ? 'Reflection' : 'Replication'}Pad${nd}DBackward0`;
  return twice(composite(name, [x], forward, (g) => {
    let r = g;
    for (let k = nd - 1; k >= 0; k--) {
      const { d, n, at } = idx[k];
      r = indexAddZeros(r, d, at, r.shape.map((v, i) => (i === d ? n : v)));
    }
    return [r];
  }));
}

// =============================================================== adaptive max pooling

/**
 * 2-D adaptive max pooling: output cell (i, j) is the largest of rows [⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉) and the same
 * columns (PyTorch's windows; NaN wins). With returnIndices, also where (h·W + w, int64). One node
 * (AdaptiveMaxPool2DBackward0): the gradient goes to the window's first largest element.
 */
export function adaptiveMaxPool2d(x: Tensor, outputSize: number | [number | null, number | null], returnIndices: true): [Tensor, Tensor];
export function adaptiveMaxPool2d(x: Tensor, outputSize: number | [number | null, number | null], returnIndices?: false): Tensor;
export function adaptiveMaxPool2d(x: Tensor, outputSize: number | [number | null, number | null], returnIndices = false): Tensor | [Tensor, Tensor] {
  checkTensor('adaptive_max_pool2d', x); checkFloat('adaptive_max_pool2d', x);
  if (Array.isArray(outputSize) && outputSize.length !== 2) throw new Error('adaptive_max_pool2d(): internal error: output_size.size() must be 2');
  if (x.ndim !== 3 && x.ndim !== 4) throw new Error(`adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: ${fmtShape(x.shape)}`);
  const x4 = x.ndim === 3 ? x.unsqueeze(0) : x;
  const [N, C, H, W] = x4.shape;
  const [oh, ow] = typeof outputSize === 'number' ? [outputSize, outputSize] : [outputSize[0] ?? H, outputSize[1] ?? W];
  for (const v of [oh, ow]) if (!Number.isInteger(v) || v < 0) throw new Error(`adaptive_max_pool2d(): output_size must be non-negative integers, got ${JSON.stringify(outputSize)}`);
  if (H === 0 || W === 0) throw new Error(`adaptive_max_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ${formatSize(x4.shape)}`);
  const windows = (out: number, n: number) => Array.from({ length: out }, (_, i) => [Math.floor((i * n) / out), Math.ceil(((i + 1) * n) / out)]);
  const wh = windows(oh, H), ww = windows(ow, W);
  const KH = Math.max(1, ...wh.map(([s, e]) => e - s)), KW = Math.max(1, ...ww.map(([s, e]) => e - s)), K = KH * KW, L = oh * ow;
  // window positions [K·L] (kernel offset major), the last row / column repeated where a window is smaller
  const at = new Int32Array(K * L);
  for (let a = 0; a < KH; a++) for (let b = 0; b < KW; b++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
    const r = Math.min(wh[i][0] + a, wh[i][1] - 1), c = Math.min(ww[j][0] + b, ww[j][1] - 1);
    at[((a * KW + b) * oh + i) * ow + j] = r * W + c;
  }
  const idx = tensor(at, { device: x.device, dtype: 'int32' });
  let pos!: Tensor; // [N, C, L]: where each output's largest element is (h·W + w)
  const y = twice(composite('AdaptiveMaxPool2DBackward0', [x4], () => {
    const cols = indexSelect(reshape(x4, [N, C, H * W]), 2, idx).reshape([N, C, K, L]);
    pos = reshape(gather(idx.long().reshape([1, 1, K, L]).expand([N, C, K, L]), 2, cols.argmax(2, true)), [N, C, L]);
    return reshape(extremeValues('max', cols, [2], false), [N, C, oh, ow]);
  }, (g) => [reshape(full([N, C, H * W], 0, { dtype: g.dtype, device: g.device }).scatterAdd(2, pos, reshape(g, [N, C, L])), x4.shape)], x4));
  const out = x.ndim === 3 ? y.squeeze(0) : y;
  if (!returnIndices) return out;
  const ind = reshape(pos, [N, C, oh, ow]);
  return [out, x.ndim === 3 ? ind.squeeze(0) : ind];
}

// =============================================================== pixel shuffle

function shuffle(fn: 'pixel_shuffle' | 'pixel_unshuffle', x: Tensor, r: number): Tensor {
  checkTensor(fn, x);
  if (!Number.isInteger(r) || r <= 0) throw new Error(`${fn} expects a positive ${fn === 'pixel_shuffle' ? 'upscale' : 'downscale'}_factor, but got ${r}`);
  if (x.ndim < 3) throw new Error(`${fn} expects input to have at least 3 dimensions, but got input with ${x.ndim} dimension(s)`);
  const lead = x.shape.slice(0, -3), [C, H, W] = x.shape.slice(-3), b = lead.length;
  if (fn === 'pixel_shuffle') {
    if (C % (r * r) !== 0) throw new Error(`pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=${C} is not divisible by ${r * r}`);
    const Co = C / (r * r);
    // [..., Co, r, r, H, W] -> [..., Co, H, r, W, r]
    return reshape(reshape(x, [...lead, Co, r, r, H, W]).permute([...lead.map((_, i) => i), b, b + 3, b + 1, b + 4, b + 2]), [...lead, Co, H * r, W * r]);
  }
  if (H % r !== 0) throw new Error(`pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)=${H} is not divisible by ${r}`);
  if (W % r !== 0) throw new Error(`pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)=${W} is not divisible by ${r}`);
  // [..., C, H/r, r, W/r, r] -> [..., C, r, r, H/r, W/r]
  return reshape(reshape(x, [...lead, C, H / r, r, W / r, r]).permute([...lead.map((_, i) => i), b, b + 2, b + 4, b + 1, b + 3]), [...lead, C * r * r, H / r, W / r]);
}
/** [..., C·r², H, W] to [..., C, H·r, W·r] (PixelShuffleBackward0, whose gradient is pixelUnshuffle). */
export function pixelShuffle(x: Tensor, upscaleFactor: number): Tensor {
  const y = shuffle('pixel_shuffle', x, upscaleFactor);
  return twice(composite('PixelShuffleBackward0', [x], () => y.contiguous(), (g) => [shuffle('pixel_unshuffle', g, upscaleFactor)]));
}
/** [..., C, H·r, W·r] to [..., C·r², H, W] (PixelUnshuffleBackward0, whose gradient is pixelShuffle). */
export function pixelUnshuffle(x: Tensor, downscaleFactor: number): Tensor {
  const y = shuffle('pixel_unshuffle', x, downscaleFactor);
  return twice(composite('PixelUnshuffleBackward0', [x], () => y.contiguous(), (g) => [shuffle('pixel_shuffle', g, downscaleFactor)]));
}

// =============================================================== activations, bilinear

/**
 * PReLU: x where x > 0, else weight·x, weight one value or one per channel (dim 1). One node
 * (PreluBackward0): at 0 the gradient is weight's slope, as PyTorch's.
 */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  checkTensor('prelu', x); checkTensor('prelu', weight, 'weight'); checkFloat('prelu', x);
  const C = x.ndim >= 2 ? x.shape[1] : 1, n = weight.numel();
  if (n !== 1 && n !== C) throw new Error(`Mismatch of parameter numbers and input channel size. Found parameter numbers = ${n} and channel size = ${C}.`);
  if (weight.ndim > 1) throw new Error(`prelu: Expected \`weight\` to be a scalar or 1D tensor, but got: ndim = ${weight.ndim}`);
  const w = n === 1 ? reshape(weight, []) : reshape(weight, [C, ...new Array<number>(x.ndim - 2).fill(1)]);
  return twice(composite('PreluBackward0', [x, weight], () => where(compare('gt', x, 0), x, mul(w, x)), (g) => {
    const pos = compare('gt', x, 0);
    const gx = x.requiresGrad ? where(pos, g, mul(w, g)) : null;
    const gw = weight.requiresGrad ? reshape(n === 1 ? sum(where(pos, 0, mul(x, g))) : sum(where(pos, 0, mul(x, g)), [0, ...x.shape.map((_, i) => i).slice(2)]), weight.shape) : null;
    return [gx, gw];
  }, x, weight));
}
/** x where x > threshold, else value (ThresholdBackward0: the gradient passes where x > threshold). */
export function threshold(x: Tensor, thresholdValue: number, value: number): Tensor {
  checkTensor('threshold', x);
  return twice(composite('ThresholdBackward0', [x], () => where(compare('gt', x, thresholdValue), x, value), (g) => [where(compare('gt', x, thresholdValue), g, 0)], x));
}
/** softmax over the channels of [N, C, H, W] or [C, H, W] (dim −3), as nn.Softmax2d. */
export function softmax2d(x: Tensor): Tensor {
  checkTensor('softmax2d', x);
  if (x.ndim !== 3 && x.ndim !== 4) throw new Error('Softmax2d requires a 3D or 4D tensor as input');
  return softmax(x, -3);
}
/**
 * y[..., o] = Σᵢⱼ x1[..., i] · weight[o, i, j] · x2[..., j] + bias[o]: x1 [..., in1], x2 [..., in2], weight
 * [out, in1, in2]. As a product of x1 with the weight ([in1, out·in2]), then a row-wise product with x2.
 */
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkTensor('bilinear', input1); checkTensor('bilinear', input2); checkTensor('bilinear', weight, 'weight');
  if (input1.ndim !== input2.ndim) throw new Error(`bilinear(): input dimensions do not match: got ${input1.ndim} and ${input2.ndim}`);
  for (let i = 0; i < input1.ndim - 1; i++) {
    if (input1.shape[i] !== input2.shape[i]) throw new Error(`bilinear(): input batch dimensions do not match at dim ${i}: got ${input1.shape[i]} and ${input2.shape[i]}`);
  }
  if (weight.ndim !== 3) throw new Error(`bilinear(): weight must be 3-dimensional, got ${weight.ndim}`);
  const [O, I1, I2] = weight.shape;
  if (input1.shape[input1.ndim - 1] !== I1) throw new Error(`bilinear(): input1 size does not match weight size: got ${input1.shape[input1.ndim - 1]} but expected ${I1}`);
  if (input2.shape[input2.ndim - 1] !== I2) throw new Error(`bilinear(): input2 size does not match weight size: got ${input2.shape[input2.ndim - 1]} but expected ${I2}`);
  if (bias != null && (bias.ndim !== 1 || bias.shape[0] !== O)) throw new Error(`bilinear(): bias size does not match weight size: got ${bias.shape[bias.ndim - 1]} but expected ${O}`);
  const lead = input1.shape.slice(0, -1);
  const t = reshape(matmul(input1, reshape(weight.permute([1, 0, 2]), [I1, O * I2])), [...lead, O, I2]);
  const y = sum(mul(t, input2.unsqueeze(-2)), -1);
  return bias != null ? add(y, bias) : y;
}
