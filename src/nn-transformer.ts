/**
 * torch.nn's attention and transformer layers, as PyTorch 1.13 computes them outside its fused kernels
 * (the differentiable path): MultiheadAttention, TransformerEncoderLayer, TransformerEncoder,
 * TransformerDecoderLayer, TransformerDecoder and Transformer, with PyTorch's submodule and parameter
 * names and order (so state dicts and named parameters line up with PyTorch's), printed forms and errors.
 * Re-exported by src/nn.ts; the computation is F.multiHeadAttentionForward (src/functional-attention.ts).
 */
import { Tensor, full, keep, zeros, type TensorOptions } from './tensor.ts';
import { noGrad } from './autograd/graph.ts';
import { triu } from './ops-more.ts';
import * as F from './functional.ts';
import { xavierNormal_, xavierUniform_ } from './nn-init.ts';
import { Dropout, LayerNorm, Linear, Module, ModuleDict, ModuleList, Parameter } from './nn.ts';

type Factory = { device?: string; dtype?: TensorOptions['dtype'] };

/**
 * A copy of a module with nothing shared (Python's copy.deepcopy of a module): parameters and buffers
 * with their data (and gradients) cloned, submodules copied recursively (a module met twice is copied
 * once, so sharing within the copy stays), arrays and plain objects copied, other values (functions,
 * class instances that are not modules) shared. The copy is a callable module made as Module's
 * constructor makes one, with the same prototype and training mode.
 */
export function deepcopyModule<M extends Module>(m: M): M {
  const memo = new Map<unknown, unknown>();
  const copyValue = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object' && typeof v !== 'function') return v;
    if (memo.has(v)) return memo.get(v);
    if (v instanceof Module) return copyModule(v);
    if (v instanceof Parameter) {
      const p = new Parameter(noGrad(() => v.detach().clone()), v.requiresGrad);
      if (v.grad) p.grad = keep(noGrad(() => v.grad!.clone()));
      memo.set(v, p);
      return p;
    }
    if (v instanceof Tensor) {
      const t = keep(noGrad(() => v.detach().clone()));
      memo.set(v, t);
      return t;
    }
    if (Array.isArray(v)) {
      const a: unknown[] = [];
      memo.set(v, a);
      for (const x of v) a.push(copyValue(x));
      return a;
    }
    if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const o: Record<string, unknown> = {};
      memo.set(v, o);
      for (const [k, x] of Object.entries(v)) o[k] = copyValue(x);
      return o;
    }
    return v;
  };
  const copyModule = (src: Module): Module => {
    // As Module's constructor: a function calling its own forward, with the source's prototype.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const self = ((...input: any[]) => self.forward(...input)) as unknown as Module;
    delete (self as { name?: string }).name;
    delete (self as { length?: number }).length;
    Object.setPrototypeOf(self, Object.getPrototypeOf(src));
    memo.set(src, self);
    if (src instanceof ModuleDict) {
      // (its key order is a private field: made anew through its constructor's logic)
      const d = new ModuleDict(src.items().map(([k, c]) => [k, copyModule(c)] as [string, Module]));
      memo.set(src, d);
      for (const [k, desc] of Object.entries(Object.getOwnPropertyDescriptors(src))) {
        if (src.has(k)) continue;
        Object.defineProperty(d, k, 'value' in desc ? { ...desc, value: copyValue(desc.value) } : desc);
      }
      return d;
    }
    for (const [k, desc] of Object.entries(Object.getOwnPropertyDescriptors(src))) {
      Object.defineProperty(self, k, 'value' in desc ? { ...desc, value: copyValue(desc.value) } : desc);
    }
    return self;
  };
  return copyModule(m) as M;
}

/** MultiheadAttention's output projection: a Linear under PyTorch's name for it. */
export class NonDynamicallyQuantizableLinear extends Linear {}

export interface MultiheadAttentionOptions extends Factory {
  /** Dropout on the attention weights, in training (default 0). */
  dropout?: number;
  /** Biases of the in and out projections (default true). */
  bias?: boolean;
  /** A learned key and value [1, 1, E] appended to the keys and values (default false). */
  addBiasKv?: boolean;
  /** A zero key and value appended to the keys and values (default false). */
  addZeroAttn?: boolean;
  /** The key's (value's) feature size, if not embedDim: then q/k/v_proj_weight instead of in_proj_weight. */
  kdim?: number | null;
  vdim?: number | null;
  /** Inputs and outputs [N, L, E] instead of [L, N, E] (default false). */
  batchFirst?: boolean;
}
export interface MultiheadAttentionForwardOptions {
  /** [N, S] (or [S]): true (or a float added to the scores) where a key is padding. */
  keyPaddingMask?: Tensor | null;
  /** Whether the weights are returned (default true). */
  needWeights?: boolean;
  /** [L, S] or [N·numHeads, L, S]: true where a query may not attend a key, or a float added to the scores. */
  attnMask?: Tensor | null;
  /** Weights averaged over the heads (default true), or one set per head. */
  averageAttnWeights?: boolean;
}

/**
 * Multi-head attention: `const [out, weights] = mha(query, key, value, { attnMask, keyPaddingMask })`.
 * Parameters, in PyTorch's order: in_proj_weight [3E, E] (xavier uniform; or q_proj_weight [E, E],
 * k_proj_weight [E, kdim], v_proj_weight [E, vdim]), in_proj_bias [3E] (zeros), bias_k, bias_v [1, 1, E]
 * (xavier normal, with addBiasKv), out_proj (its bias zeros). Initial values come from torch.rand /
 * torch.randn (repeatable with manualSeed; not PyTorch's values).
 */
export interface MultiheadAttention {
  (query: Tensor, key: Tensor, value: Tensor, o?: MultiheadAttentionForwardOptions): [Tensor, Tensor | null];
}
export class MultiheadAttention extends Module {
  in_proj_weight: Parameter | null;
  q_proj_weight: Parameter | null;
  k_proj_weight: Parameter | null;
  v_proj_weight: Parameter | null;
  in_proj_bias: Parameter | null;
  out_proj: NonDynamicallyQuantizableLinear;
  bias_k: Parameter | null;
  bias_v: Parameter | null;
  readonly kdim: number;
  readonly vdim: number;
  readonly headDim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly addZeroAttn: boolean;
  constructor(readonly embedDim: number, readonly numHeads: number, o: MultiheadAttentionOptions = {}) {
    super();
    for (const [n, v] of [['embed_dim', embedDim], ['num_heads', numHeads]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`MultiheadAttention(): ${n} must be a positive integer, got ${v}`);
    }
    this.kdim = o.kdim ?? embedDim;
    this.vdim = o.vdim ?? embedDim;
    this.dropout = o.dropout ?? 0;
    this.batchFirst = o.batchFirst ?? false;
    this.headDim = Math.floor(embedDim / numHeads);
    if (this.headDim * numHeads !== embedDim) throw new Error('embed_dim must be divisible by num_heads');
    const f = { device: o.device, dtype: o.dtype };
    const empty = (shape: number[]) => new Parameter(zeros(shape, f));
    if (this.qkvSameEmbedDim) {
      this.in_proj_weight = xavier(empty([3 * embedDim, embedDim]));
      this.q_proj_weight = this.k_proj_weight = this.v_proj_weight = null;
    } else {
      this.in_proj_weight = null;
      this.q_proj_weight = xavier(empty([embedDim, embedDim]));
      this.k_proj_weight = xavier(empty([embedDim, this.kdim]));
      this.v_proj_weight = xavier(empty([embedDim, this.vdim]));
    }
    const bias = o.bias ?? true;
    this.in_proj_bias = bias ? empty([3 * embedDim]) : null;
    this.out_proj = new NonDynamicallyQuantizableLinear(embedDim, embedDim, { bias, ...f });
    if (bias) noGrad(() => this.out_proj.bias!.zero_());
    if (o.addBiasKv) {
      this.bias_k = empty([1, 1, embedDim]); xavierNormal_(this.bias_k);
      this.bias_v = empty([1, 1, embedDim]); xavierNormal_(this.bias_v);
    } else this.bias_k = this.bias_v = null;
    this.addZeroAttn = o.addZeroAttn ?? false;
  }
  get qkvSameEmbedDim(): boolean { return this.kdim === this.embedDim && this.vdim === this.embedDim; }

  override forward(query: Tensor, key: Tensor, value: Tensor, o: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    const kpm = o.keyPaddingMask ?? null;
    if (kpm && kpm.dtype !== 'bool' && kpm.dtype !== 'float32' && kpm.dtype !== 'float64') throw new Error('only bool and floating types of key_padding_mask are supported');
    const isBatched = query.ndim === 3;
    if (this.batchFirst && isBatched) {
      // (keeping which of them are the same tensor, which picks the projection: as PyTorch's)
      if (key === value) {
        if (query === key) query = key = value = query.transpose(1, 0);
        else { query = query.transpose(1, 0); key = value = key.transpose(1, 0); }
      } else [query, key, value] = [query, key, value].map((t) => t.transpose(1, 0));
    }
    const [out, weights] = F.multiHeadAttentionForward(query, key, value, this.embedDim, this.numHeads,
      this.in_proj_weight, this.in_proj_bias, this.bias_k, this.bias_v, this.addZeroAttn,
      this.dropout, this.out_proj.weight, this.out_proj.bias, {
        training: this.training, keyPaddingMask: kpm, needWeights: o.needWeights ?? true, attnMask: o.attnMask ?? null,
        averageAttnWeights: o.averageAttnWeights ?? true,
        ...(this.qkvSameEmbedDim ? {} : { useSeparateProjWeight: true, qProjWeight: this.q_proj_weight, kProjWeight: this.k_proj_weight, vProjWeight: this.v_proj_weight }),
      });
    return [this.batchFirst && isBatched ? out.transpose(1, 0) : out, weights];
  }
}
function xavier(p: Parameter): Parameter { xavierUniform_(p); return p; }

export type Activation = 'relu' | 'gelu' | ((x: Tensor) => Tensor) | Module;
function activationFn(a: Activation): ((x: Tensor) => Tensor) | Module {
  if (typeof a === 'string') {
    if (a === 'relu') return F.relu;
    if (a === 'gelu') return F.gelu as (x: Tensor) => Tensor;
    throw new Error(`activation should be relu/gelu, not ${String(a)}`);
  }
  if (typeof a !== 'function') throw new Error(`activation should be relu/gelu or a function, not ${a === null ? 'null' : typeof a}`);
  return a;
}
function checkKeyPaddingMask(m: Tensor | null | undefined): void {
  if (m && m.dtype !== 'bool' && m.dtype !== 'float32' && m.dtype !== 'float64') throw new Error('only bool and floating types of key_padding_mask are supported');
}

export interface TransformerLayerOptions extends Factory {
  /** The feed-forward block's hidden size (default 2048). */
  dimFeedforward?: number;
  /** Dropout after the attention, inside and after the feed-forward block (default 0.1). */
  dropout?: number;
  /** Of the feed-forward block: 'relu' (default), 'gelu', a function or a module. */
  activation?: Activation;
  layerNormEps?: number;
  /** Inputs and outputs [N, S, E] instead of [S, N, E] (default false). */
  batchFirst?: boolean;
  /** Layer norms before the attention and the feed-forward block (default false: after, as the paper's). */
  normFirst?: boolean;
}

/**
 * One encoder layer: self-attention and a feed-forward block, each with a residual connection and a layer
 * norm (after the sum, or before the block with normFirst). Submodules in PyTorch's order: self_attn,
 * linear1, dropout, linear2, norm1, norm2, dropout1, dropout2 (and activation, when it is a module).
 */
export interface TransformerEncoderLayer {
  (src: Tensor, o?: { srcMask?: Tensor | null; srcKeyPaddingMask?: Tensor | null }): Tensor;
}
export class TransformerEncoderLayer extends Module {
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  readonly normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  activation: ((x: Tensor) => Tensor) | Module;
  constructor(dModel: number, nhead: number, o: TransformerLayerOptions = {}) {
    super();
    const f = { device: o.device, dtype: o.dtype }, p = o.dropout ?? 0.1, ff = o.dimFeedforward ?? 2048, eps = o.layerNormEps ?? 1e-5;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: o.batchFirst, ...f });
    this.linear1 = new Linear(dModel, ff, f);
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel, f);
    this.normFirst = o.normFirst ?? false;
    this.norm1 = new LayerNorm(dModel, { eps, ...f });
    this.norm2 = new LayerNorm(dModel, { eps, ...f });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.activation = activationFn(o.activation ?? 'relu');
  }
  override forward(src: Tensor, o: { srcMask?: Tensor | null; srcKeyPaddingMask?: Tensor | null } = {}): Tensor {
    checkKeyPaddingMask(o.srcKeyPaddingMask);
    const mask = o.srcMask ?? null, kpm = o.srcKeyPaddingMask ?? null;
    let x = src;
    if (this.normFirst) {
      x = x.add(this.saBlock(this.norm1(x), mask, kpm));
      x = x.add(this.ffBlock(this.norm2(x)));
    } else {
      x = this.norm1(x.add(this.saBlock(x, mask, kpm)));
      x = this.norm2(x.add(this.ffBlock(x)));
    }
    return x;
  }
  private saBlock(x: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null): Tensor {
    return this.dropout1(this.self_attn(x, x, x, { attnMask, keyPaddingMask, needWeights: false })[0]);
  }
  private ffBlock(x: Tensor): Tensor {
    return this.dropout2(this.linear2(this.dropout(this.activation(this.linear1(x)))));
  }
}

/**
 * One decoder layer: self-attention, attention over the encoder's output (memory) and a feed-forward block,
 * each with a residual connection and a layer norm. Submodules in PyTorch's order: self_attn,
 * multihead_attn, linear1, dropout, linear2, norm1, norm2, norm3, dropout1, dropout2, dropout3.
 */
export interface DecoderMasks {
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
}
export interface TransformerDecoderLayer {
  (tgt: Tensor, memory: Tensor, o?: DecoderMasks): Tensor;
}
export class TransformerDecoderLayer extends Module {
  self_attn: MultiheadAttention;
  multihead_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  readonly normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  activation: ((x: Tensor) => Tensor) | Module;
  constructor(dModel: number, nhead: number, o: TransformerLayerOptions = {}) {
    super();
    const f = { device: o.device, dtype: o.dtype }, p = o.dropout ?? 0.1, ff = o.dimFeedforward ?? 2048, eps = o.layerNormEps ?? 1e-5;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: o.batchFirst, ...f });
    this.multihead_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: o.batchFirst, ...f });
    this.linear1 = new Linear(dModel, ff, f);
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel, f);
    this.normFirst = o.normFirst ?? false;
    this.norm1 = new LayerNorm(dModel, { eps, ...f });
    this.norm2 = new LayerNorm(dModel, { eps, ...f });
    this.norm3 = new LayerNorm(dModel, { eps, ...f });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.dropout3 = new Dropout(p);
    this.activation = activationFn(o.activation ?? 'relu');
  }
  override forward(tgt: Tensor, memory: Tensor, o: DecoderMasks = {}): Tensor {
    const tm = o.tgtMask ?? null, tk = o.tgtKeyPaddingMask ?? null, mm = o.memoryMask ?? null, mk = o.memoryKeyPaddingMask ?? null;
    let x = tgt;
    if (this.normFirst) {
      x = x.add(this.saBlock(this.norm1(x), tm, tk));
      x = x.add(this.mhaBlock(this.norm2(x), memory, mm, mk));
      x = x.add(this.ffBlock(this.norm3(x)));
    } else {
      x = this.norm1(x.add(this.saBlock(x, tm, tk)));
      x = this.norm2(x.add(this.mhaBlock(x, memory, mm, mk)));
      x = this.norm3(x.add(this.ffBlock(x)));
    }
    return x;
  }
  private saBlock(x: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null): Tensor {
    return this.dropout1(this.self_attn(x, x, x, { attnMask, keyPaddingMask, needWeights: false })[0]);
  }
  private mhaBlock(x: Tensor, mem: Tensor, attnMask: Tensor | null, keyPaddingMask: Tensor | null): Tensor {
    return this.dropout2(this.multihead_attn(x, mem, mem, { attnMask, keyPaddingMask, needWeights: false })[0]);
  }
  private ffBlock(x: Tensor): Tensor {
    return this.dropout3(this.linear2(this.dropout(this.activation(this.linear1(x)))));
  }
}

function clones(layer: Module, n: number, what: string): ModuleList {
  if (!(layer instanceof Module)) throw new Error(`${what}(): the layer must be a Module, got ${layer === null ? 'null' : typeof layer}`);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${what}(): num_layers must be a non-negative integer, got ${n}`);
  return new ModuleList(Array.from({ length: n }, () => deepcopyModule(layer)));
}

/**
 * numLayers copies of an encoder layer (deep copies: the same initial weights, trained apart) applied in
 * turn, then norm if given: `layers` (a ModuleList), `norm`.
 */
export interface TransformerEncoder {
  (src: Tensor, o?: { mask?: Tensor | null; srcKeyPaddingMask?: Tensor | null }): Tensor;
}
export class TransformerEncoder extends Module {
  layers: ModuleList;
  readonly numLayers: number;
  norm: Module | null;
  constructor(encoderLayer: Module, numLayers: number, o: { norm?: Module | null } = {}) {
    super();
    this.layers = clones(encoderLayer, numLayers, 'TransformerEncoder');
    this.numLayers = numLayers;
    this.norm = o.norm ?? null;
  }
  override forward(src: Tensor, o: { mask?: Tensor | null; srcKeyPaddingMask?: Tensor | null } = {}): Tensor {
    checkKeyPaddingMask(o.srcKeyPaddingMask);
    let out = src;
    for (const layer of this.layers) out = layer(out, { srcMask: o.mask ?? null, srcKeyPaddingMask: o.srcKeyPaddingMask ?? null });
    return this.norm ? this.norm(out) : out;
  }
}

/** numLayers copies of a decoder layer applied in turn, each attending the memory, then norm if given. */
export interface TransformerDecoder {
  (tgt: Tensor, memory: Tensor, o?: DecoderMasks): Tensor;
}
export class TransformerDecoder extends Module {
  layers: ModuleList;
  readonly numLayers: number;
  norm: Module | null;
  constructor(decoderLayer: Module, numLayers: number, o: { norm?: Module | null } = {}) {
    super();
    this.layers = clones(decoderLayer, numLayers, 'TransformerDecoder');
    this.numLayers = numLayers;
    this.norm = o.norm ?? null;
  }
  override forward(tgt: Tensor, memory: Tensor, o: DecoderMasks = {}): Tensor {
    let out = tgt;
    for (const layer of this.layers) out = layer(out, memory, o);
    return this.norm ? this.norm(out) : out;
  }
}

export interface TransformerOptions extends TransformerLayerOptions {
  dModel?: number;
  nhead?: number;
  numEncoderLayers?: number;
  numDecoderLayers?: number;
  customEncoder?: Module | null;
  customDecoder?: Module | null;
}
export interface TransformerMasks extends DecoderMasks {
  srcMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
}
/**
 * The encoder-decoder transformer ("Attention Is All You Need"): an encoder of numEncoderLayers layers and
 * a decoder of numDecoderLayers, each ending in a LayerNorm; every parameter of more than one dim is
 * xavier-uniform initialised, as PyTorch's. `model(src, tgt, { tgtMask: nn.Transformer.generateSquareSubsequentMask(T) })`.
 */
export interface Transformer {
  (src: Tensor, tgt: Tensor, o?: TransformerMasks): Tensor;
}
export class Transformer extends Module {
  encoder: Module;
  decoder: Module;
  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;
  constructor(o: TransformerOptions = {}) {
    super();
    const dModel = o.dModel ?? 512, nhead = o.nhead ?? 8, f = { device: o.device, dtype: o.dtype }, eps = o.layerNormEps ?? 1e-5;
    const layerOpts: TransformerLayerOptions = {
      dimFeedforward: o.dimFeedforward, dropout: o.dropout, activation: o.activation, layerNormEps: o.layerNormEps,
      batchFirst: o.batchFirst, normFirst: o.normFirst, ...f,
    };
    this.encoder = o.customEncoder ?? new TransformerEncoder(new TransformerEncoderLayer(dModel, nhead, layerOpts), o.numEncoderLayers ?? 6, { norm: new LayerNorm(dModel, { eps, ...f }) });
    this.decoder = o.customDecoder ?? new TransformerDecoder(new TransformerDecoderLayer(dModel, nhead, layerOpts), o.numDecoderLayers ?? 6, { norm: new LayerNorm(dModel, { eps, ...f }) });
    for (const p of this.parameters()) if (p.ndim > 1) xavierUniform_(p);
    this.dModel = dModel; this.nhead = nhead; this.batchFirst = o.batchFirst ?? false;
  }
  override forward(src: Tensor, tgt: Tensor, o: TransformerMasks = {}): Tensor {
    const isBatched = src.ndim === 3;
    if (isBatched && (this.batchFirst ? src.shape[0] !== tgt.shape[0] : src.shape[1] !== tgt.shape[1])) throw new Error('the batch number of src and tgt must be equal');
    if (src.shape[src.ndim - 1] !== this.dModel || tgt.shape[tgt.ndim - 1] !== this.dModel) throw new Error('the feature number of src and tgt must be equal to d_model');
    const memory = this.encoder(src, { mask: o.srcMask ?? null, srcKeyPaddingMask: o.srcKeyPaddingMask ?? null });
    return this.decoder(tgt, memory, { tgtMask: o.tgtMask, memoryMask: o.memoryMask, tgtKeyPaddingMask: o.tgtKeyPaddingMask, memoryKeyPaddingMask: o.memoryKeyPaddingMask });
  }
  /** A float [n, n] mask for causal attention: −inf above the diagonal (a position may not attend later ones), 0 elsewhere. */
  static generateSquareSubsequentMask(n: number, o: { device?: string } = {}): Tensor {
    if (!Number.isInteger(n) || n < 0) throw new Error(`generateSquareSubsequentMask(): n must be a non-negative integer, got ${n}`);
    return triu(full([n, n], -Infinity, { device: o.device }), 1);
  }
}
