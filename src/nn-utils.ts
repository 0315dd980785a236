/** torch.nn.utils: gradient clipping. */
import { Tensor, abs, clamp, div, max, pow, sqrt, stack, sum, tensor } from './tensor.ts';
import { noGrad } from './autograd/graph.ts';

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
