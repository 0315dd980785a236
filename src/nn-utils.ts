/**
 * torch.nn.utils: gradient clipping (clipGradNorm_, clipGradValue_), parameters as one vector
 * (parametersToVector, vectorToParameters), and torch.nn.utils.rnn (padSequence and the packed sequences, src/nn-packed.ts).
 */
import { Tensor, abs, cat, checkTensor, clamp, div, keep, max, narrow, pow, reshape, sqrt, stack, sum, tensor } from './tensor.ts';
import { noGrad } from './autograd/graph.ts';
import { fmtShape } from './shape.ts';
import { getDefaultDtype } from './dtype.ts';

/**
 * Scales the gradients of `parameters` in place so that their total norm (the norm of all of them as one
 * vector; normType 2 by default, or any p, or Infinity) is at most maxNorm; returns the total norm before
 * clipping, as a 0-d tensor. As PyTorch's, it never reads the norm back: the scale is
 * min(1, maxNorm / (norm + 1e-6)), applied on the gradients' device.
 */
export function clipGradNorm_(parameters: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2): Tensor {
  const ps = parameters instanceof Tensor ? [parameters] : [...parameters];
  const grads = ps.filter((p) => p.grad !== null).map((p) => p.grad!);
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) throw new Error(`clip_grad_norm_(): maxNorm must be a non-negative number, got ${String(maxNorm)}`);
  if (!(normType > 0)) throw new Error(`clip_grad_norm_(): normType must be positive (or Infinity), got ${normType}`);
  if (grads.length === 0) return tensor(0, { dtype: getDefaultDtype() });
  const device = grads[0].device;
  for (const g of grads) if (g.device !== device) throw new Error(`clip_grad_norm_(): all gradients must be on one device, found ${device} and ${g.device}`);
  return noGrad(() => {
    let total: Tensor;
    if (normType === Infinity) total = max(stack(grads.map((g) => max(abs(g)))));
    else if (normType === 2) total = sqrt(sum(stack(grads.map((g) => sum(g.mul(g))))));
    else total = pow(sum(stack(grads.map((g) => sum(pow(abs(g), normType))))), 1 / normType);
    const scale = clamp(div(maxNorm, total.add(1e-6)), null, 1);
    for (const g of grads) g.mul_(scale);
    return total;
  });
}

/**
 * Clamps the gradients of `parameters` in place to [−clipValue, clipValue] (torch.nn.utils.clip_grad_value_);
 * parameters without a gradient are skipped. Nothing is read back.
 */
export function clipGradValue_(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  if (typeof clipValue !== 'number' || Number.isNaN(clipValue)) throw new TypeError(`clip_grad_value_(): clipValue must be a number, got ${String(clipValue)}`);
  const ps = parameters instanceof Tensor ? [parameters] : [...parameters];
  noGrad(() => { for (const p of ps) if (p.grad !== null) p.grad.clamp_(-clipValue, clipValue); });
}

/** PyTorch's _check_param_device: every parameter on the first one's device. */
function checkParamDevice(p: Tensor, device: string | null): string {
  checkTensor('parameters', p);
  if (device !== null && p.device !== device) throw new TypeError('Found two parameters on different devices, this is currently not supported.');
  return p.device;
}

/**
 * The parameters flattened and concatenated into one 1-D tensor (torch.nn.utils.parameters_to_vector),
 * on their device; gradients flow back to them. All on one device (PyTorch's TypeError otherwise).
 */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  let device: string | null = null;
  const flat: Tensor[] = [];
  for (const p of parameters) { device = checkParamDevice(p, device); flat.push(reshape(p, [-1])); }
  return cat(flat);
}

/**
 * Sets the parameters' data from consecutive slices of the 1-D tensor `vec`
 * (torch.nn.utils.vector_to_parameters): as PyTorch's `param.data = vec[a:b].view_as(param).data`, each
 * parameter (the same object: an optimizer still trains it) then holds a view of vec's memory, with vec's
 * device and dtype; its gradient is left as it was. A vec too short is an error (PyTorch's view error);
 * values past the parameters' total are left unused, as PyTorch's.
 */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  if (!(vec instanceof Tensor)) throw new TypeError(`expected torch.Tensor, but got: ${vec === null ? 'null' : typeof vec}`);
  if (vec.ndim !== 1) throw new Error(`vector_to_parameters(): vec must be 1-D, got shape ${fmtShape(vec.shape)}`);
  const ps = [...parameters];
  let device: string | null = null;
  for (const p of ps) device = checkParamDevice(p, device);
  let at = 0;
  const slices = ps.map((p) => {
    const n = p.numel();
    if (at + n > vec.shape[0]) throw new Error(`shape '${fmtShape(p.shape)}' is invalid for input of size ${Math.max(0, vec.shape[0] - at)}`);
    const s = noGrad(() => reshape(narrow(vec.detach(), 0, at, n), [...p.shape]));
    at += n;
    return s;
  });
  if (ps.length > 0) keep(vec); // (the parameters now live in vec's memory: it outlives a torch.scope())
  ps.forEach((p, k) => p._replaceData(slices[k]));
}

export { padSequence, type PadSequenceOptions } from './nn-packed.ts';
/** torch.nn.utils.rnn: padSequence, PackedSequence, packPaddedSequence, padPackedSequence, packSequence,
 * unpackSequence, unpadSequence (src/nn-packed.ts; nn.RNN, nn.LSTM and nn.GRU take packed input). */
export * as rnn from './nn-packed.ts';
/** weightNorm, spectralNorm, parametrize, fuseConvBnEval / fuseConvBnWeights, skipInit, clipGradNorm (src/nn-utils2.ts). */
export * from './nn-utils2.ts';
import { orthogonal } from './nn-utils3.ts';
/** torch.nn.utils.parametrizations: orthogonal (src/nn-utils3.ts). */
export const parametrizations = { orthogonal };
/** stateless.functionalCall (src/nn-stateless.ts). */
export * as stateless from './nn-stateless.ts';
