/**
 * torch.nn's 3-D layers (PyTorch 1.13's): Conv3d (padding 'same'/'valid' and the padding modes),
 * ConvTranspose3d, MaxPool3d, AvgPool3d, AdaptiveAvgPool3d, AdaptiveMaxPool3d, over src/functional-3d.ts.
 * Re-exported by src/nn-namespace.ts (not by nn.ts: these classes extend nn.ts's Module).
 */
import { Tensor, rand, type TensorOptions } from './tensor.ts';
import { noGrad } from './autograd/graph.ts';
import { Module, Parameter } from './nn.ts';
import { outputPaddingFor } from './nn-extra.ts';
import * as F from './functional.ts';

type Triple = F.Triple;
type Dev = { device?: string; dtype?: TensorOptions['dtype'] };
const uniformParameter = (shape: number[], bound: number, o: Dev) => new Parameter(noGrad(() => rand(shape, { device: o.device, dtype: o.dtype }).mul(2 * bound).sub(bound)));
const tripleOf = (v: Triple): [number, number, number] => (typeof v === 'number' ? [v, v, v] : [v[0], v[1], v[2]]);
const tuple = (v: number[]) => `(${v.join(', ')})`;
/** A number as itself, a triple as a tuple: how PyTorch prints the pooling layers' arguments, as given. */
const intOrTuple = (v: Triple) => (typeof v === 'number' ? String(v) : tuple(v));
const pyBool = (v: boolean) => (v ? 'True' : 'False');

function checkChannels(cls: string, inChannels: number, outChannels: number, groups: number | undefined): number {
  for (const [n, v] of [['in_channels', inChannels], ['out_channels', outChannels]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${cls}(): ${n} must be a positive integer, got ${v}`);
  }
  const G = groups ?? 1;
  if (!Number.isInteger(G) || G <= 0) throw new Error('groups must be a positive integer');
  if (inChannels % G !== 0) throw new Error('in_channels must be divisible by groups');
  if (outChannels % G !== 0) throw new Error('out_channels must be divisible by groups');
  return G;
}
function convRepr(m: { inChannels: number; outChannels: number; groups: number; bias: Parameter | null }, k: number[], s: number[], p: number[] | string, d: number[], op: number[], mode = 'zeros'): string {
  let r = `${m.inChannels}, ${m.outChannels}, kernel_size=${tuple(k)}, stride=${tuple(s)}`;
  if (typeof p === 'string') r += `, padding=${p}`;
  else if (p.some((v) => v !== 0)) r += `, padding=${tuple(p)}`;
  if (d.some((v) => v !== 1)) r += `, dilation=${tuple(d)}`;
  if (op.some((v) => v !== 0)) r += `, output_padding=${tuple(op)}`;
  if (m.groups !== 1) r += `, groups=${m.groups}`;
  if (m.bias === null) r += ', bias=False';
  if (mode !== 'zeros') r += `, padding_mode=${mode}`;
  return r;
}

export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';
export interface Conv3dModuleOptions extends Dev { stride?: Triple; padding?: F.Conv3dPadding; dilation?: Triple; groups?: number; bias?: boolean; paddingMode?: PaddingMode }
/**
 * 3-D convolution (F.conv3d): weight [out, in / groups, kd, kh, kw] and bias [out] start uniform in
 * ±1/√(in/groups·kd·kh·kw), as PyTorch's (from torch.rand: not PyTorch's values). paddingMode 'reflect',
 * 'replicate' or 'circular' pads with F.pad first (then the convolution pads nothing), as PyTorch's.
 */
export class Conv3d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: [number, number, number];
  readonly stride: [number, number, number];
  readonly padding: [number, number, number] | 'same' | 'valid';
  readonly dilation: [number, number, number];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Triple, o: Conv3dModuleOptions = {}) {
    super();
    const G = checkChannels('Conv3d', inChannels, outChannels, o.groups);
    this.groups = G;
    this.kernelSize = tripleOf(kernelSize); this.stride = tripleOf(o.stride ?? 1); this.dilation = tripleOf(o.dilation ?? 1);
    const p = o.padding ?? 0;
    if (typeof p === 'string') {
      if (p !== 'same' && p !== 'valid') throw new Error(`Invalid padding string '${String(p)}', should be one of {'valid', 'same'}`);
      if (p === 'same' && this.stride.some((v) => v !== 1)) throw new Error("padding='same' is not supported for strided convolutions");
      this.padding = p;
    } else this.padding = tripleOf(p);
    const mode = o.paddingMode ?? 'zeros';
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(mode)) throw new Error(`padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got padding_mode='${mode}'`);
    this.paddingMode = mode;
    const [kd, kh, kw] = this.kernelSize, bound = 1 / Math.sqrt((inChannels / G) * kd * kh * kw);
    this.weight = uniformParameter([outChannels, inChannels / G, kd, kh, kw], bound, o);
    this.bias = o.bias === false ? null : uniformParameter([outChannels], bound, o);
  }
  override forward(x: Tensor): Tensor {
    const o = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode === 'zeros') return F.conv3d(x, this.weight, this.bias, { ...o, padding: this.padding });
    // PyTorch's _reversed_padding_repeated_twice: [left, right] per dim, the last dim first
    const amounts: number[] = [];
    for (let i = 2; i >= 0; i--) {
      if (this.padding === 'valid') amounts.push(0, 0);
      else if (this.padding === 'same') {
        const total = this.dilation[i] * (this.kernelSize[i] - 1), left = Math.floor(total / 2);
        amounts.push(left, total - left);
      } else amounts.push(this.padding[i], this.padding[i]);
    }
    return F.conv3d(F.pad(x, amounts, { mode: this.paddingMode }), this.weight, this.bias, { ...o, padding: 0 });
  }
  override extraRepr(): string { return convRepr(this, this.kernelSize, this.stride, this.padding, this.dilation, [0], this.paddingMode); }
}

export interface ConvTranspose3dModuleOptions extends F.ConvTranspose3dOptions, Dev { bias?: boolean }
/**
 * 3-D transposed convolution (F.convTranspose3d): weight [in, out / groups, kd, kh, kw] and bias [out]
 * uniform in ±1/√(out/groups·kd·kh·kw), as PyTorch's (its fan-in is the weight's dim 1). forward(x,
 * outputSize?) picks the output padding that gives outputSize, as PyTorch's.
 */
export class ConvTranspose3d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: [number, number, number];
  readonly stride: [number, number, number];
  readonly padding: [number, number, number];
  readonly outputPadding: [number, number, number];
  readonly dilation: [number, number, number];
  readonly groups: number;
  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Triple, o: ConvTranspose3dModuleOptions = {}) {
    super();
    const G = checkChannels('ConvTranspose3d', inChannels, outChannels, o.groups);
    this.groups = G;
    this.kernelSize = tripleOf(kernelSize); this.stride = tripleOf(o.stride ?? 1); this.padding = tripleOf(o.padding ?? 0);
    this.outputPadding = tripleOf(o.outputPadding ?? 0); this.dilation = tripleOf(o.dilation ?? 1);
    const [kd, kh, kw] = this.kernelSize, bound = 1 / Math.sqrt((outChannels / G) * kd * kh * kw);
    this.weight = uniformParameter([inChannels, outChannels / G, kd, kh, kw], bound, o);
    this.bias = o.bias === false ? null : uniformParameter([outChannels], bound, o);
  }
  override forward(x: Tensor, outputSize?: number[] | null): Tensor {
    const op = outputSize == null ? this.outputPadding : outputPaddingFor(x, outputSize, 3, this.stride, this.padding, this.kernelSize, this.dilation);
    return F.convTranspose3d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, outputPadding: op as [number, number, number], groups: this.groups, dilation: this.dilation });
  }
  override extraRepr(): string { return convRepr(this, this.kernelSize, this.stride, this.padding, this.dilation, this.outputPadding); }
}

/** 3-D max pooling (F.maxPool3d); stride defaults to the kernel size; with returnIndices it gives [values, indices]. */
export class MaxPool3d extends Module {
  constructor(readonly kernelSize: Triple, readonly o: F.Pool3dOptions = {}) { super(); }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override forward(x: Tensor): any { return F.maxPool3d(x, this.kernelSize, this.o); }
  override extraRepr(): string {
    return `kernel_size=${intOrTuple(this.kernelSize)}, stride=${intOrTuple(this.o.stride ?? this.kernelSize)}, padding=${intOrTuple(this.o.padding ?? 0)}, dilation=${intOrTuple(this.o.dilation ?? 1)}, ceil_mode=${pyBool(!!this.o.ceilMode)}`;
  }
}
/** 3-D average pooling (F.avgPool3d); stride defaults to the kernel size. */
export class AvgPool3d extends Module {
  constructor(readonly kernelSize: Triple, readonly o: F.AvgPool3dOptions = {}) { super(); }
  override forward(x: Tensor): Tensor { return F.avgPool3d(x, this.kernelSize, this.o); }
  override extraRepr(): string { return `kernel_size=${intOrTuple(this.kernelSize)}, stride=${intOrTuple(this.o.stride ?? this.kernelSize)}, padding=${intOrTuple(this.o.padding ?? 0)}`; }
}
type Size3 = number | [number | null, number | null, number | null];
const sizeRepr = (o: Size3) => `output_size=${typeof o === 'number' ? o : `(${o.map((v) => (v === null ? 'None' : v)).join(', ')})`}`;
/** F.adaptiveAvgPool3d: outputSize a number or [od, oh, ow] (null keeps that input size). */
export class AdaptiveAvgPool3d extends Module {
  constructor(readonly outputSize: Size3) { super(); }
  override forward(x: Tensor): Tensor { return F.adaptiveAvgPool3d(x, this.outputSize); }
  override extraRepr(): string { return sizeRepr(this.outputSize); }
}
/** F.adaptiveMaxPool3d; with returnIndices it gives [values, indices]. */
export class AdaptiveMaxPool3d extends Module {
  constructor(readonly outputSize: Size3, readonly returnIndices = false) { super(); }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override forward(x: Tensor): any { return this.returnIndices ? F.adaptiveMaxPool3d(x, this.outputSize, true) : F.adaptiveMaxPool3d(x, this.outputSize); }
  override extraRepr(): string { return sizeRepr(this.outputSize); }
}
