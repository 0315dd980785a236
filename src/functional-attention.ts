/**
 * torch.nn.functional.multi_head_attention_forward (PyTorch 1.13's, the slow path that is differentiable):
 * the computation behind nn.MultiheadAttention (src/nn-transformer.ts), composed of the frontend's ops.
 */
import { Tensor, add, cat, checkTensor, div, softmax, zeros } from './tensor.ts';
import { bmm } from './ops-more.ts';
import { logicalOr } from './ops-extra.ts';
import { isFloat } from './dtype.ts';
import { formatSize } from './format.ts';
import { dropout, linear } from './functional.ts';

export interface MultiHeadAttentionForwardOptions {
  /** Dropout on the attention weights only in training (default true). */
  training?: boolean;
  /** [N, S] (or [S] unbatched): true (or a float added) where a key is padding. */
  keyPaddingMask?: Tensor | null;
  /** Whether the attention weights are returned (default true); null in their place otherwise. */
  needWeights?: boolean;
  /** [L, S] or [N·numHeads, L, S]: true where a query may not attend a key, or a float mask added to the scores. */
  attnMask?: Tensor | null;
  /** q/k/v_proj_weight instead of the packed inProjWeight (kdim or vdim other than the embedding's). */
  useSeparateProjWeight?: boolean;
  qProjWeight?: Tensor | null;
  kProjWeight?: Tensor | null;
  vProjWeight?: Tensor | null;
  /** [N·numHeads, S, headDim]: keys (values) used as they are, instead of the projected ones. */
  staticK?: Tensor | null;
  staticV?: Tensor | null;
  /** Weights averaged over the heads (default true), or [N, numHeads, L, S]. */
  averageAttnWeights?: boolean;
}

const assert = (cond: boolean, msg: string) => { if (!cond) throw new Error(msg); };
const sizeTuple = (s: readonly number[]) => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;

/** A column of zeros (false) appended along the last dim: F.pad(t, (0, 1)). */
function padLast(t: Tensor): Tensor {
  return cat([t, zeros([...t.shape.slice(0, -1), 1], { dtype: t.dtype, device: t.device })], t.ndim - 1);
}

/** PyTorch's _in_projection_packed: one product for self-attention, two when key is value. */
function inProjectionPacked(q: Tensor, k: Tensor, v: Tensor, w: Tensor, b: Tensor | null): Tensor[] {
  const E = q.shape[q.ndim - 1];
  if (k === v) {
    if (q === k) return linear(q, w, b).chunk(3, -1);
    const [wq, wkv] = w.split([E, 2 * E]);
    const [bq, bkv] = b ? b.split([E, 2 * E]) : [null, null];
    return [linear(q, wq, bq), ...linear(k, wkv, bkv).chunk(2, -1)];
  }
  const [wq, wk, wv] = w.chunk(3);
  const [bq, bk, bv] = b ? b.chunk(3) : [null, null, null];
  return [linear(q, wq, bq), linear(k, wk, bk), linear(v, wv, bv)];
}

/** PyTorch's _mha_shape_check: whether the inputs are batched, and its messages. */
function shapeCheck(query: Tensor, key: Tensor, value: Tensor, kpm: Tensor | null, attnMask: Tensor | null, numHeads: number): boolean {
  if (query.ndim === 3) {
    assert(key.ndim === 3 && value.ndim === 3, `For batched (3-D) \`query\`, expected \`key\` and \`value\` to be 3-D but found ${key.ndim}-D and ${value.ndim}-D tensors respectively`);
    if (kpm) assert(kpm.ndim === 2, `For batched (3-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 2-D but found ${kpm.ndim}-D tensor instead`);
    if (attnMask) assert(attnMask.ndim === 2 || attnMask.ndim === 3, `For batched (3-D) \`query\`, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${attnMask.ndim}-D tensor instead`);
    return true;
  }
  if (query.ndim === 2) {
    assert(key.ndim === 2 && value.ndim === 2, `For unbatched (2-D) \`query\`, expected \`key\` and \`value\` to be 2-D but found ${key.ndim}-D and ${value.ndim}-D tensors respectively`);
    if (kpm) assert(kpm.ndim === 1, `For unbatched (2-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 1-D but found ${kpm.ndim}-D tensor instead`);
    if (attnMask) {
      assert(attnMask.ndim === 2 || attnMask.ndim === 3, `For unbatched (2-D) \`query\`, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${attnMask.ndim}-D tensor instead`);
      if (attnMask.ndim === 3) {
        const expected = [numHeads, query.shape[0], key.shape[0]];
        assert(expected.every((v, i) => attnMask.shape[i] === v), `Expected \`attn_mask\` shape to be ${sizeTuple(expected)} but got ${formatSize([...attnMask.shape])}`);
      }
    }
    return false;
  }
  throw new Error(`query should be unbatched 2D or batched 3D tensor but received ${query.ndim}-D query tensor`);
}

/**
 * Multi-head attention as PyTorch 1.13 computes it outside its fused kernels (F.multi_head_attention_forward,
 * the arguments in its order): query [L, N, E] (or [L, E]), key and value [S, N, E]; q, k, v projected
 * (chunks of inProjWeight, or q/k/v_proj_weight), split into heads [N·H, L, E/H], q scaled by 1/√(E/H)
 * before q·kᵀ, the mask added (a bool one becomes −inf where true; a key padding mask is spread over the
 * heads and merged into it), softmax over the keys, dropout (training only), · v, heads merged, outProj.
 * Returns [output [L, N, E], weights [N, L, S] averaged over the heads (or [N, H, L, S]), or null].
 */
export function multiHeadAttentionForward(
  query: Tensor, key: Tensor, value: Tensor, embedDimToCheck: number, numHeads: number,
  inProjWeight: Tensor | null, inProjBias: Tensor | null, biasK: Tensor | null, biasV: Tensor | null, addZeroAttn: boolean,
  dropoutP: number, outProjWeight: Tensor, outProjBias: Tensor | null, o: MultiHeadAttentionForwardOptions = {},
): [Tensor, Tensor | null] {
  checkTensor('multi_head_attention_forward', query, 'query');
  checkTensor('multi_head_attention_forward', key, 'key');
  checkTensor('multi_head_attention_forward', value, 'value');
  const training = o.training ?? true, needWeights = o.needWeights ?? true, average = o.averageAttnWeights ?? true;
  let kpm = o.keyPaddingMask ?? null, attnMask = o.attnMask ?? null;
  const isBatched = shapeCheck(query, key, value, kpm, attnMask, numHeads);
  if (!isBatched) {
    query = query.unsqueeze(1); key = key.unsqueeze(1); value = value.unsqueeze(1);
    if (kpm) kpm = kpm.unsqueeze(0);
  }
  const [tgtLen, bsz, embedDim] = query.shape;
  let srcLen = key.shape[0];
  if (kpm && kpm.dtype !== 'bool' && !isFloat(kpm.dtype)) throw new Error('only bool and floating types of key_padding_mask are supported');
  assert(embedDim === embedDimToCheck, `was expecting embedding dimension of ${embedDimToCheck}, but got ${embedDim}`);
  const headDim = Math.floor(embedDim / numHeads);
  assert(headDim * numHeads === embedDim, `embed_dim ${embedDim} not divisible by num_heads ${numHeads}`);
  if (o.useSeparateProjWeight) {
    assert(key.shape[0] === value.shape[0] && key.shape[1] === value.shape[1], `key's sequence and batch dims ${formatSize(key.shape.slice(0, 2))} do not match value's ${formatSize(value.shape.slice(0, 2))}`);
  } else {
    assert(key.ndim === value.ndim && key.shape.every((v, i) => value.shape[i] === v), `key shape ${formatSize([...key.shape])} does not match value shape ${formatSize([...value.shape])}`);
  }

  let q: Tensor, k: Tensor, v: Tensor;
  if (!o.useSeparateProjWeight) {
    assert(inProjWeight != null, 'use_separate_proj_weight is False but in_proj_weight is None');
    [q, k, v] = inProjectionPacked(query, key, value, inProjWeight!, inProjBias);
  } else {
    assert(o.qProjWeight != null, 'use_separate_proj_weight is True but q_proj_weight is None');
    assert(o.kProjWeight != null, 'use_separate_proj_weight is True but k_proj_weight is None');
    assert(o.vProjWeight != null, 'use_separate_proj_weight is True but v_proj_weight is None');
    const [bq, bk, bv] = inProjBias ? inProjBias.chunk(3) : [null, null, null];
    q = linear(query, o.qProjWeight!, bq); k = linear(key, o.kProjWeight!, bk); v = linear(value, o.vProjWeight!, bv);
  }

  if (attnMask) {
    assert(isFloat(attnMask.dtype) || attnMask.dtype === 'bool', `Only float, byte, and bool types are supported for attn_mask, not torch.${attnMask.dtype}`);
    if (attnMask.ndim === 2) {
      if (attnMask.shape[0] !== tgtLen || attnMask.shape[1] !== srcLen) throw new Error(`The shape of the 2D attn_mask is ${formatSize([...attnMask.shape])}, but should be ${sizeTuple([tgtLen, srcLen])}.`);
      attnMask = attnMask.unsqueeze(0);
    } else if (attnMask.ndim === 3) {
      const want = [bsz * numHeads, tgtLen, srcLen];
      if (!want.every((n, i) => attnMask!.shape[i] === n)) throw new Error(`The shape of the 3D attn_mask is ${formatSize([...attnMask.shape])}, but should be ${sizeTuple(want)}.`);
    } else throw new Error(`attn_mask's dimension ${attnMask.ndim} is not supported`);
  }

  if (biasK && biasV) {
    assert(!o.staticK, 'bias cannot be added to static key.');
    assert(!o.staticV, 'bias cannot be added to static value.');
    k = cat([k, biasK.repeat(1, bsz, 1)]);
    v = cat([v, biasV.repeat(1, bsz, 1)]);
    if (attnMask) attnMask = padLast(attnMask);
    if (kpm) kpm = padLast(kpm);
  } else {
    assert(!biasK && !biasV, 'bias_k and bias_v must both be given, or neither');
  }

  q = q.contiguous().view(tgtLen, bsz * numHeads, headDim).transpose(0, 1);
  const heads = (t: Tensor, s: Tensor | null | undefined, what: string) => {
    if (!s) return t.contiguous().view(t.shape[0], bsz * numHeads, headDim).transpose(0, 1);
    assert(s.shape[0] === bsz * numHeads, `expecting ${what}.size(0) of ${bsz * numHeads}, but got ${s.shape[0]}`);
    assert(s.shape[2] === headDim, `expecting ${what}.size(2) of ${headDim}, but got ${s.shape[2]}`);
    return s;
  };
  k = heads(k, o.staticK, 'static_k');
  v = heads(v, o.staticV, 'static_v');

  if (addZeroAttn) {
    const z = [bsz * numHeads, 1, headDim];
    k = cat([k, zeros(z, { dtype: k.dtype, device: k.device })], 1);
    v = cat([v, zeros(z, { dtype: v.dtype, device: v.device })], 1);
    if (attnMask) attnMask = padLast(attnMask);
    if (kpm) kpm = padLast(kpm);
  }
  srcLen = k.shape[1];

  if (kpm) {
    assert(kpm.ndim === 2 && kpm.shape[0] === bsz && kpm.shape[1] === srcLen, `expecting key_padding_mask shape of ${sizeTuple([bsz, srcLen])}, but got ${formatSize([...kpm.shape])}`);
    kpm = kpm.view(bsz, 1, 1, srcLen).expand(-1, numHeads, -1, -1).reshape(bsz * numHeads, 1, srcLen);
    if (!attnMask) attnMask = kpm;
    else if (attnMask.dtype === 'bool') attnMask = logicalOr(attnMask, kpm);
    else attnMask = attnMask.expand(Math.max(attnMask.shape[0], kpm.shape[0]), -1, -1).maskedFill(kpm, -Infinity);
  }
  if (attnMask && attnMask.dtype === 'bool') {
    attnMask = zeros([...attnMask.shape], { dtype: q.dtype, device: q.device }).maskedFill(attnMask, -Infinity);
  }
  if (!training) dropoutP = 0;

  // q scaled before the product, as PyTorch's (then baddbmm with the mask, or bmm).
  const E = q.shape[2];
  const scores = bmm(div(q, Math.sqrt(E)), k.transpose(-2, -1));
  let weights = softmax(attnMask ? add(attnMask, scores) : scores, -1);
  if (dropoutP > 0) weights = dropout(weights, dropoutP);
  let out = bmm(weights, v);
  out = out.transpose(0, 1).contiguous().view(tgtLen * bsz, embedDim);
  out = linear(out, outProjWeight, outProjBias);
  out = out.view(tgtLen, bsz, out.shape[1]);

  if (!needWeights) return [isBatched ? out : out.squeeze(1), null];
  weights = weights.view(bsz, numHeads, tgtLen, srcLen);
  if (average) weights = div(weights.sum(1), numHeads);
  return isBatched ? [out, weights] : [out.squeeze(1), weights.squeeze(0)];
}
