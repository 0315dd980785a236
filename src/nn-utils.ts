/**
 * torch.nn.utils: gradient clipping (clipGradNorm_, clipGradValue_), parameters as one vector
 * (parametersToVector, vectorToParameters), and torch.nn.utils.rnn's padSequence.
 */
import { Tensor, abs, cat, checkTensor, clamp, div, full, keep, max, narrow, pow, reshape, sqrt, stack, sum, tensor } from './tensor.ts';
import { noGrad } from './autograd/graph.ts';
import { broadcastShapes, fmtShape, sameShape } from './shape.ts';

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
  if (grads.length === 0) return tensor(0, { dtype: 'float32' });
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

export interface PadSequenceOptions {
  /** The result as [B, maxL, *] (false: [maxL, B, *]). */
  batchFirst?: boolean;
  /** The value of the padding (0). */
  paddingValue?: number;
}

/**
 * The sequences ([L_i, *] each, * alike) padded with paddingValue to the longest and stacked
 * (torch.nn.utils.rnn.pad_sequence): [maxL, B, *], or [B, maxL, *] with batchFirst. The result has the
 * first sequence's dtype and device (the others are converted, and broadcast to its trailing shape, as
 * PyTorch's copy_ does); gradients flow back to the sequences.
 */
export function padSequence(sequences: readonly Tensor[], o: PadSequenceOptions = {}): Tensor {
  if (!Array.isArray(sequences)) throw new TypeError('pad_sequence(): sequences must be an array of tensors');
  if (sequences.length === 0) throw new Error('received an empty list of sequences');
  sequences.forEach((s, i) => checkTensor('pad_sequence', s, `sequences[${i}]`));
  const first = sequences[0];
  if (first.ndim === 0) throw new Error('Dimension specified as 0 but tensor has no dimensions');
  const trailing = first.shape.slice(1), dtype = first.dtype, device = first.device;
  const value = o.paddingValue ?? 0;
  const maxL = Math.max(...sequences.map((s) => {
    if (s.ndim === 0) throw new Error('Dimension specified as 0 but tensor has no dimensions');
    return s.shape[0];
  }));
  const padded = sequences.map((s) => {
    const L = s.shape[0], target = [L, ...trailing];
    const b = broadcastShapes(target, s.shape);
    if (!sameShape(b, target)) throw new Error(`The expanded size of the tensor must match: sequence of shape ${fmtShape(s.shape)} cannot be copied into ${fmtShape(target)}`);
    let t = s.to({ device, dtype });
    if (!sameShape(t.shape, target)) t = t.expand(target);
    if (L === maxL) return t;
    return cat([t, full([maxL - L, ...trailing], value, { dtype, device })]);
  });
  return stack(padded, o.batchFirst ? 0 : 1);
}

/** torch.nn.utils.rnn: padSequence (no PackedSequence: pack_padded_sequence and pad_packed_sequence are
 * left out, as troupe's RNNs take padded batches only). */
export const rnn = { padSequence };
