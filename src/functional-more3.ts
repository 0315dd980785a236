/**
 * F.scaledDotProductAttention (PyTorch 2's torch.nn.functional.scaled_dot_product_attention; 1.13 has
 * none): softmax(q·kᵀ·scale + mask)·v over the last two dims, batch dims broadcast. A bool attnMask marks
 * the positions that take part (false: −inf), a float one is added; isCausal masks the upper triangle
 * (query i attends to keys ≤ i, aligned top-left as PyTorch's); dropoutP drops attention weights (scaled by
 * 1/(1 − p)) with the seeded generator. scale defaults to 1/√E. Composed of recorded ops, so it runs on
 * every device and differentiates. Re-exported by src/functional.ts.
 */
import { Tensor, add, checkTensor, matmul, mul, ones, softmax, where } from './tensor.ts';
import { dropout } from './functional.ts';

export interface SdpaOptions { attnMask?: Tensor | null; dropoutP?: number; isCausal?: boolean; scale?: number | null }

export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, o: SdpaOptions = {}): Tensor {
  checkTensor('scaled_dot_product_attention', query, 'query');
  checkTensor('scaled_dot_product_attention', key, 'key');
  checkTensor('scaled_dot_product_attention', value, 'value');
  if (query.ndim < 2 || key.ndim < 2 || value.ndim < 2) throw new Error(`scaled_dot_product_attention(): query, key and value must be at least 2-D, got shapes [${query.shape.join(', ')}], [${key.shape.join(', ')}], [${value.shape.join(', ')}]`);
  const E = query.shape[query.ndim - 1], L = query.shape[query.ndim - 2], S = key.shape[key.ndim - 2];
  if (key.shape[key.ndim - 1] !== E) throw new Error(`scaled_dot_product_attention(): query's last dim (${E}) and key's (${key.shape[key.ndim - 1]}) must match`);
  if (value.shape[value.ndim - 2] !== S) throw new Error(`scaled_dot_product_attention(): key has ${S} positions but value has ${value.shape[value.ndim - 2]}`);
  const dropoutP = o.dropoutP ?? 0;
  if (!(dropoutP >= 0 && dropoutP <= 1)) throw new Error(`dropout probability has to be between 0 and 1, but got ${dropoutP}`);
  if (o.isCausal && o.attnMask != null) throw new Error('scaled_dot_product_attention(): explicit attn_mask should not be set when is_causal=True');
  const scale = o.scale ?? 1 / Math.sqrt(E);
  let scores = mul(matmul(query, key.transpose(-2, -1)), scale);
  const dev = query.device === 'gpu' ? 'gpu' : 'cpu';
  if (o.isCausal) {
    const keep = ones([L, S], { dtype: 'bool', device: dev }).tril();
    scores = where(keep, scores, -Infinity);
  } else if (o.attnMask != null) {
    const m = o.attnMask;
    scores = m.dtype === 'bool' ? where(m, scores, -Infinity) : add(scores, m);
  }
  let w = softmax(scores, -1);
  if (dropoutP > 0) w = dropout(w, dropoutP, true);
  return matmul(w, value);
}

