/**
 * More torch.nn layers (PyTorch 1.13's): transposed convolutions, padding layers, adaptive max pooling,
 * pixel (un)shuffle, PReLU, Threshold, Softmax2d, Bilinear, Unfold / Fold, ParameterList and ParameterDict.
 * Re-exported by src/nn-namespace.ts (not by nn.ts: these classes extend nn.ts's Module).
 */
import { Tensor, full, rand, type TensorOptions } from './tensor.ts';
import { noGrad } from './autograd/graph.ts';
import { Module, Parameter } from './nn.ts';
import * as F from './functional.ts';

type Pair = number | [number, number];
type Dev = { device?: string; dtype?: TensorOptions['dtype'] };
const uniformParameter = (shape: number[], bound: number, o: Dev) => new Parameter(noGrad(() => rand(shape, { device: o.device, dtype: o.dtype }).mul(2 * bound).sub(bound)));
const tuple = (v: number[]) => `(${v.join(', ')}${v.length === 1 ? ',' : ''})`;
const pairOf = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);
const intOrTuple = (v: Pair) => (typeof v === 'number' ? String(v) : tuple(v));

// =============================================================== transposed convolutions

export interface ConvTranspose2dModuleOptions extends F.ConvTranspose2dOptions { bias?: boolean; device?: string; dtype?: TensorOptions['dtype'] }
/**
 * 2-D transposed convolution (F.convTranspose2d): weight [in, out / groups, kh, kw] and bias [out] start
 * uniform in ±1/√(out/groups·kh·kw), as PyTorch's (its fan-in is the weight's dim 1). forward(x,
 * outputSize?) picks the output padding that gives outputSize, as PyTorch's.
 */
export class ConvTranspose2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly outputPadding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;
  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, o: ConvTranspose2dModuleOptions = {}) {
    super();
    for (const [n, v] of [['in_channels', inChannels], ['out_channels', outChannels]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`ConvTranspose2d(): ${n} must be a positive integer, got ${v}`);
    }
    const G = o.groups ?? 1;
    if (!Number.isInteger(G) || G <= 0) throw new Error('groups must be a positive integer');
    if (inChannels % G !== 0) throw new Error('in_channels must be divisible by groups');
    if (outChannels % G !== 0) throw new Error('out_channels must be divisible by groups');
    this.groups = G;
    this.kernelSize = pairOf(kernelSize); this.stride = pairOf(o.stride ?? 1); this.padding = pairOf(o.padding ?? 0);
    this.outputPadding = pairOf(o.outputPadding ?? 0); this.dilation = pairOf(o.dilation ?? 1);
    const [kh, kw] = this.kernelSize, bound = 1 / Math.sqrt((outChannels / G) * kh * kw);
    this.weight = uniformParameter([inChannels, outChannels / G, kh, kw], bound, o);
    this.bias = o.bias === false ? null : uniformParameter([outChannels], bound, o);
  }
  override forward(x: Tensor, outputSize?: number[] | null): Tensor {
    const op = outputSize == null ? this.outputPadding : outputPaddingFor(x, outputSize, 2, this.stride, this.padding, this.kernelSize, this.dilation);
    return F.convTranspose2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, outputPadding: op as [number, number], groups: this.groups, dilation: this.dilation });
  }
  override extraRepr(): string { return convRepr(this, this.kernelSize, this.stride, this.padding, this.dilation, this.outputPadding); }
}
export interface ConvTranspose1dModuleOptions extends F.ConvTranspose1dOptions { bias?: boolean; device?: string; dtype?: TensorOptions['dtype'] }
/** 1-D transposed convolution (F.convTranspose1d): weight [in, out / groups, k], bias [out], uniform in ±1/√(out/groups·k). */
export class ConvTranspose1d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number;
  readonly outputPadding: number;
  readonly dilation: number;
  readonly groups: number;
  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: number | [number], o: ConvTranspose1dModuleOptions = {}) {
    super();
    for (const [n, v] of [['in_channels', inChannels], ['out_channels', outChannels]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`ConvTranspose1d(): ${n} must be a positive integer, got ${v}`);
    }
    const G = o.groups ?? 1, one = (v: number | [number]) => (Array.isArray(v) ? v[0] : v);
    if (!Number.isInteger(G) || G <= 0) throw new Error('groups must be a positive integer');
    if (inChannels % G !== 0) throw new Error('in_channels must be divisible by groups');
    if (outChannels % G !== 0) throw new Error('out_channels must be divisible by groups');
    this.groups = G;
    this.kernelSize = one(kernelSize); this.stride = one(o.stride ?? 1); this.padding = one(o.padding ?? 0);
    this.outputPadding = one(o.outputPadding ?? 0); this.dilation = one(o.dilation ?? 1);
    const bound = 1 / Math.sqrt((outChannels / G) * this.kernelSize);
    this.weight = uniformParameter([inChannels, outChannels / G, this.kernelSize], bound, o);
    this.bias = o.bias === false ? null : uniformParameter([outChannels], bound, o);
  }
  override forward(x: Tensor, outputSize?: number[] | null): Tensor {
    const op = outputSize == null ? this.outputPadding : outputPaddingFor(x, outputSize, 1, [this.stride], [this.padding], [this.kernelSize], [this.dilation])[0];
    return F.convTranspose1d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, outputPadding: op, groups: this.groups, dilation: this.dilation });
  }
  override extraRepr(): string { return convRepr(this, [this.kernelSize], [this.stride], [this.padding], [this.dilation], [this.outputPadding]); }
}
function convRepr(m: { inChannels: number; outChannels: number; groups: number; bias: Parameter | null }, k: number[], s: number[], p: number[], d: number[], op: number[]): string {
  let r = `${m.inChannels}, ${m.outChannels}, kernel_size=${tuple(k)}, stride=${tuple(s)}`;
  if (p.some((v) => v !== 0)) r += `, padding=${tuple(p)}`;
  if (d.some((v) => v !== 1)) r += `, dilation=${tuple(d)}`;
  if (op.some((v) => v !== 0)) r += `, output_padding=${tuple(op)}`;
  if (m.groups !== 1) r += `, groups=${m.groups}`;
  if (m.bias === null) r += ', bias=False';
  return r;
}
/** PyTorch's _output_padding: the output padding that makes the output outputSize (its last k dims). (Also src/nn-3d.ts's.) */
export function outputPaddingFor(x: Tensor, outputSize: number[], k: number, s: number[], p: number[], ks: number[], d: number[]): number[] {
  const size = outputSize.length === k + 2 ? outputSize.slice(2) : outputSize;
  if (size.length !== k) throw new Error(`ConvTranspose${k}D: for ${x.ndim}D input, output_size must have ${k} or ${k + 2} elements (got ${outputSize.length})`);
  return size.map((want, i) => {
    const n = x.shape[x.ndim - k + i];
    const min = (n - 1) * s[i] - 2 * p[i] + d[i] * (ks[i] - 1) + 1, max = min + s[i] - 1;
    if (want < min || want > max) throw new Error(`requested an output size of ${tuple(size)}, but valid sizes range from ${tuple(size.map((_, j) => (x.shape[x.ndim - k + j] - 1) * s[j] - 2 * p[j] + d[j] * (ks[j] - 1) + 1))} to ${tuple(size.map((_, j) => (x.shape[x.ndim - k + j] - 1) * s[j] - 2 * p[j] + d[j] * (ks[j] - 1) + s[j]))} (for an input of ${tuple(x.shape.slice(-k))})`);
    return want - min;
  });
}

// =============================================================== padding layers

const padAmounts = (v: number | number[], n: number) => (typeof v === 'number' ? new Array<number>(2 * n).fill(v) : [...v]);
function checkPadding(cls: string, p: number[], n: number) {
  if (p.length !== 2 * n || p.some((v) => !Number.isInteger(v))) throw new Error(`${cls}(): padding must be an integer or ${2 * n} integers, got ${JSON.stringify(p)}`);
}
abstract class PadNd extends Module {
  readonly padding: number[];
  constructor(padding: number | number[], n: number, readonly mode: 'constant' | 'reflect' | 'replicate', readonly value = 0) {
    super();
    this.padding = padAmounts(padding, n);
    checkPadding(this.constructor.name, this.padding, n);
  }
  override forward(x: Tensor): Tensor { return this.mode === 'constant' ? F.pad(x, this.padding, { value: this.value }) : F.pad(x, this.padding, { mode: this.mode }); }
  override extraRepr(): string { return this.mode === 'constant' && this.constructor.name !== 'ZeroPad2d' ? `padding=${tuple(this.padding)}, value=${this.value}` : tuple(this.padding); }
}
/** Pads the last dim with `value`: padding a number or [left, right]. */
export class ConstantPad1d extends PadNd { constructor(padding: number | [number, number], value: number) { super(padding, 1, 'constant', value); } }
/** Pads the last two dims with `value`: padding a number or [left, right, top, bottom]. */
export class ConstantPad2d extends PadNd { constructor(padding: number | [number, number, number, number], value: number) { super(padding, 2, 'constant', value); } }
/** Pads the last two dims with zeros: padding a number or [left, right, top, bottom]. */
export class ZeroPad2d extends PadNd { constructor(padding: number | [number, number, number, number]) { super(padding, 2, 'constant', 0); } }
/** Pads the last dim of [N, C, L] or [C, L] with its reflection (each amount below the dim's size). */
export class ReflectionPad1d extends PadNd { constructor(padding: number | [number, number]) { super(padding, 1, 'reflect'); } }
/** Pads the last two dims of [N, C, H, W] or [C, H, W] with their reflection. */
export class ReflectionPad2d extends PadNd { constructor(padding: number | [number, number, number, number]) { super(padding, 2, 'reflect'); } }
/** Pads the last dim of [N, C, L] or [C, L] with its edge element repeated. */
export class ReplicationPad1d extends PadNd { constructor(padding: number | [number, number]) { super(padding, 1, 'replicate'); } }
/** Pads the last two dims of [N, C, H, W] or [C, H, W] with their edge elements repeated. */
export class ReplicationPad2d extends PadNd { constructor(padding: number | [number, number, number, number]) { super(padding, 2, 'replicate'); } }

// =============================================================== pooling, shuffles, activations

/** F.adaptiveMaxPool2d: outputSize a number or [oh, ow] (null keeps that input size); returnIndices gives [values, indices]. */
export class AdaptiveMaxPool2d extends Module {
  constructor(readonly outputSize: number | [number | null, number | null], readonly returnIndices = false) { super(); }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override forward(x: Tensor): any { return this.returnIndices ? F.adaptiveMaxPool2d(x, this.outputSize, true) : F.adaptiveMaxPool2d(x, this.outputSize); }
  override extraRepr(): string {
    const o = this.outputSize;
    return `output_size=${typeof o === 'number' ? o : `(${o.map((v) => (v === null ? 'None' : v)).join(', ')})`}`;
  }
}
/** F.pixelShuffle: [..., C·r², H, W] to [..., C, H·r, W·r]. */
export class PixelShuffle extends Module {
  constructor(readonly upscaleFactor: number) { super(); }
  override forward(x: Tensor): Tensor { return F.pixelShuffle(x, this.upscaleFactor); }
  override extraRepr(): string { return `upscale_factor=${this.upscaleFactor}`; }
}
/** F.pixelUnshuffle: [..., C, H·r, W·r] to [..., C·r², H, W]. */
export class PixelUnshuffle extends Module {
  constructor(readonly downscaleFactor: number) { super(); }
  override forward(x: Tensor): Tensor { return F.pixelUnshuffle(x, this.downscaleFactor); }
  override extraRepr(): string { return `downscale_factor=${this.downscaleFactor}`; }
}
/** F.prelu with a learnt slope: weight [numParameters] (1, or one per channel) filled with init. */
export class PReLU extends Module {
  weight: Parameter;
  constructor(readonly numParameters = 1, init = 0.25, o: Dev = {}) {
    super();
    if (!Number.isInteger(numParameters) || numParameters <= 0) throw new Error(`PReLU(): num_parameters must be a positive integer, got ${numParameters}`);
    this.weight = new Parameter(full([numParameters], init, { device: o.device, dtype: o.dtype }));
  }
  override forward(x: Tensor): Tensor { return F.prelu(x, this.weight); }
  override extraRepr(): string { return `num_parameters=${this.numParameters}`; }
}
/** F.threshold: x where x > threshold, else value. (Printed as JavaScript prints the numbers: 20, not 20.0.) */
export class Threshold extends Module {
  constructor(readonly threshold: number, readonly value: number) { super(); }
  override forward(x: Tensor): Tensor { return F.threshold(x, this.threshold, this.value); }
  override extraRepr(): string { return `threshold=${this.threshold}, value=${this.value}`; }
}
/** Softmax over the channels of [N, C, H, W] or [C, H, W]. */
export class Softmax2d extends Module {
  override forward(x: Tensor): Tensor { return F.softmax2d(x); }
}
/** F.bilinear: weight [out, in1, in2] and bias [out] uniform in ±1/√in1, as PyTorch's. */
export class Bilinear extends Module {
  weight: Parameter;
  bias: Parameter | null;
  constructor(readonly in1Features: number, readonly in2Features: number, readonly outFeatures: number, o: Dev & { bias?: boolean } = {}) {
    super();
    const bound = 1 / Math.sqrt(in1Features);
    this.weight = uniformParameter([outFeatures, in1Features, in2Features], bound, o);
    this.bias = o.bias === false ? null : uniformParameter([outFeatures], bound, o);
  }
  override forward(x1: Tensor, x2: Tensor): Tensor { return F.bilinear(x1, x2, this.weight, this.bias); }
  override extraRepr(): string { return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${this.bias ? 'True' : 'False'}`; }
}
/** F.unfold (im2col) as a module. */
export class Unfold extends Module {
  constructor(readonly kernelSize: Pair, readonly o: F.FoldOptions = {}) { super(); }
  override forward(x: Tensor): Tensor { return F.unfold(x, this.kernelSize, this.o); }
  override extraRepr(): string { return `kernel_size=${intOrTuple(this.kernelSize)}, dilation=${intOrTuple(this.o.dilation ?? 1)}, padding=${intOrTuple(this.o.padding ?? 0)}, stride=${intOrTuple(this.o.stride ?? 1)}`; }
}
/** F.fold (col2im) as a module. */
export class Fold extends Module {
  constructor(readonly outputSize: Pair, readonly kernelSize: Pair, readonly o: F.FoldOptions = {}) { super(); }
  override forward(x: Tensor): Tensor { return F.fold(x, this.outputSize, this.kernelSize, this.o); }
  override extraRepr(): string {
    return `output_size=${intOrTuple(this.outputSize)}, kernel_size=${intOrTuple(this.kernelSize)}, dilation=${intOrTuple(this.o.dilation ?? 1)}, padding=${intOrTuple(this.o.padding ?? 0)}, stride=${intOrTuple(this.o.stride ?? 1)}`;
  }
}

// =============================================================== parameter containers

const asParameter = (what: string, t: Tensor) => {
  if (!(t instanceof Tensor)) throw new Error(`${what}: expected a Tensor or Parameter, got ${t === null ? 'null' : typeof t}`);
  return t instanceof Parameter ? t : new Parameter(t);
};
const TYPE_NAMES: Record<string, string> = { float32: 'FloatTensor', float64: 'DoubleTensor', float16: 'HalfTensor', int32: 'IntTensor', int64: 'LongTensor', bool: 'BoolTensor', uint8: 'ByteTensor', int8: 'CharTensor', int16: 'ShortTensor' };
/**
 * Parameters in a list, registered as '0', '1', … (a plain tensor becomes a Parameter, as PyTorch 1.13's);
 * `list[i]`, `length`, iterable. It has no forward of its own.
 */
export class ParameterList extends Module {
  [index: number]: Parameter;
  constructor(values: Iterable<Tensor> = []) {
    super();
    for (const v of values) this.append(v);
  }
  get length(): number { return this.namedParameters(false).length; }
  [Symbol.iterator](): Iterator<Parameter> { return this.parameters(false)[Symbol.iterator](); }
  append(value: Tensor): this {
    (this as unknown as Record<string, Parameter>)[String(this.length)] = asParameter('ParameterList.append()', value);
    return this;
  }
  extend(values: Iterable<Tensor>): this { for (const v of values) this.append(v); return this; }
  override toString(): string {
    const lines = this.namedParameters(false).map(([k, p]) => `    (${k}): Parameter containing: [torch.${p.dtype} of size ${p.shape.join('x')}${p.device === 'cpu' ? '' : ` (${p.device})`}]`);
    return lines.length ? `ParameterList(\n${lines.join('\n')}\n)` : 'ParameterList()';
  }
}
/**
 * Parameters by name, in the order they were set (from a plain object: sorted by key, as PyTorch 1.13's
 * from a dict; a plain tensor becomes a Parameter); named parameters
 * are the keys. get / set / has / pop / keys / values / items / update; iterating gives the keys. (Keys
 * that are array indices, such as '1', come first in namedParameters, as JavaScript orders such properties.)
 */
export class ParameterDict extends Module {
  #keys: string[] = [];
  constructor(values: Record<string, Tensor> | Iterable<[string, Tensor]> = {}) {
    super();
    this.update(values);
  }
  get length(): number { return this.#keys.length; }
  [Symbol.iterator](): Iterator<string> { return [...this.#keys][Symbol.iterator](); }
  keys(): string[] { return [...this.#keys]; }
  values(): Parameter[] { return this.#keys.map((k) => this.get(k)); }
  items(): Array<[string, Parameter]> { return this.#keys.map((k) => [k, this.get(k)]); }
  has(key: string): boolean { return this.#keys.includes(key); }
  get(key: string): Parameter {
    if (!this.has(key)) throw new Error(`KeyError: '${key}'`);
    return (this as unknown as Record<string, Parameter>)[key];
  }
  /** Sets (or replaces, keeping its place) the parameter under key; PyTorch's checks of the name. */
  set(key: string, value: Tensor): this {
    if (typeof key !== 'string') throw new Error(`parameter name should be a string. Got ${typeof key}`);
    if (key.includes('.')) throw new Error('parameter name can\'t contain "."');
    if (key === '') throw new Error('parameter name can\'t be empty string ""');
    const p = asParameter('ParameterDict.set()', value);
    if (!this.has(key)) {
      if (key in this) throw new Error(`attribute '${key}' already exists`);
      this.#keys.push(key);
    }
    (this as unknown as Record<string, Parameter>)[key] = p;
    return this;
  }
  pop(key: string): Parameter {
    const p = this.get(key);
    this.#keys.splice(this.#keys.indexOf(key), 1);
    delete (this as unknown as Record<string, Parameter>)[key];
    return p;
  }
  clear(): void { for (const k of this.keys()) this.pop(k); }
  update(values: Record<string, Tensor> | Iterable<[string, Tensor]>): this {
    // (a plain object's entries sorted by key, as PyTorch 1.13 sorts a dict's; pairs keep their order)
    const entries = Symbol.iterator in Object(values) ? [...(values as Iterable<[string, Tensor]>)] : Object.entries(values as Record<string, Tensor>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [k, v] of entries) this.set(k, v);
    return this;
  }
  override toString(): string {
    const lines = this.items().map(([k, p]) => `    (${k}): Parameter containing: [torch.${TYPE_NAMES[p.dtype] ?? p.dtype} of size ${p.shape.join('x')}${p.device === 'cpu' ? '' : ` (${p.device})`}]`);
    return lines.length ? `ParameterDict(\n${lines.join('\n')}\n)` : 'ParameterDict()';
  }
}
