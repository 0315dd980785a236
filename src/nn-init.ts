/**
 * torch.nn.init: fills a tensor (a parameter, usually) in place, without recording gradients, and returns
 * it: `nn.init.xavierUniform_(layer.weight)`. Random fills come from torch.rand / torch.randn (troupe's
 * generator: repeatable with manualSeed, other values than PyTorch's).
 */
import { Tensor, checkTensor as checkTensorIn, rand, randn } from './tensor.ts';
import { noGrad } from './autograd/graph.ts';
import { fmtShape } from './shape.ts';

function checkTensor(fn: string, t: unknown): asserts t is Tensor { checkTensorIn(`nn.init.${fn}`, t, 'tensor'); }
const opts = (t: Tensor) => ({ device: t.device, dtype: t.dtype });

export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  checkTensor('uniform_', t);
  return noGrad(() => t.copy_(rand([...t.shape], opts(t)).mul(b - a).add(a)));
}
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  checkTensor('normal_', t);
  return noGrad(() => t.copy_(randn([...t.shape], opts(t)).mul(std).add(mean)));
}
export function constant_(t: Tensor, value: number): Tensor { checkTensor('constant_', t); return noGrad(() => t.fill_(value)); }
export function zeros_(t: Tensor): Tensor { return constant_(t, 0); }
export function ones_(t: Tensor): Tensor { return constant_(t, 1); }

export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';
/** PyTorch's recommended gain for a nonlinearity (leaky_relu: its negative slope, default 0.01). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d': case 'sigmoid': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leaky_relu': { const s = param ?? 0.01; return Math.sqrt(2 / (1 + s * s)); }
    case 'selu': return 3 / 4;
    default: throw new Error(`Unsupported nonlinearity ${String(nonlinearity)}`);
  }
}
/** [fanIn, fanOut]: size(1) and size(0), each times the product of the dims after the first two. */
function fans(fn: string, t: Tensor): [number, number] {
  checkTensor(fn, t);
  if (t.ndim < 2) throw new Error(`Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (nn.init.${fn} of a tensor of shape ${fmtShape(t.shape)})`);
  const field = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1] * field, t.shape[0] * field];
}
/** Glorot: uniform in ±gain·√(6 / (fanIn + fanOut)). */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const [i, o] = fans('xavierUniform_', t);
  const a = gain * Math.sqrt(6 / (i + o));
  return uniform_(t, -a, a);
}
/** Glorot: normal with std gain·√(2 / (fanIn + fanOut)). */
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  const [i, o] = fans('xavierNormal_', t);
  return normal_(t, 0, gain * Math.sqrt(2 / (i + o)));
}
export interface KaimingOptions { a?: number; mode?: 'fan_in' | 'fan_out'; nonlinearity?: Nonlinearity }
function kaimingStd(fn: string, t: Tensor, o: KaimingOptions): number {
  const [i, out] = fans(fn, t);
  const mode = o.mode ?? 'fan_in';
  if (mode !== 'fan_in' && mode !== 'fan_out') throw new Error(`Mode ${String(mode)} not supported, please use one of fan_in, fan_out`);
  return calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0) / Math.sqrt(mode === 'fan_in' ? i : out);
}
/** He: uniform in ±√3 · gain / √fan (fan_in by default; gain of leaky_relu with slope a, default 0). */
export function kaimingUniform_(t: Tensor, o: KaimingOptions = {}): Tensor {
  const b = Math.sqrt(3) * kaimingStd('kaimingUniform_', t, o);
  return uniform_(t, -b, b);
}
/** He: normal with std gain / √fan. */
export function kaimingNormal_(t: Tensor, o: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd('kaimingNormal_', t, o));
}
