// nn.MultiheadAttention, the transformer encoder and decoder layers and stacks and nn.Transformer, against
// PyTorch 1.13's printed values, gradients, printed modules, parameter names and errors
// (test/fixtures/transformer.json, from scripts/torch-transformer.py, which sets the weights as setw here);
// finite differences in float64, dropout in training and eval, deep copies, and the GPU against the CPU.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradcheck, values } from './helpers.ts';

const REF = JSON.parse(readFileSync(new URL('./fixtures/transformer.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const ref = (k: string) => REF[k] as string[];
const { nn } = torch;
const F = nn.functional;
type T = torch.Tensor;
const available = await gpuForTests('nn-transformer', { composite: true });
/** PyTorch's text without the grad_fn (checked apart). */
const plain = (s: string) => s.replace(/,\s*grad_fn=<\w+>\)$/, ')');
const text = async (t: T | null) => (t === null ? 'None' : plain(await torch.format(t)));

/** The weights the fixture script sets: parameter i (named order) filled with ((k·(i+3)) mod 7 − 3)/10. */
function setw<M extends torch.nn.Module>(m: M): M {
  torch.noGrad(() => {
    m.namedParameters().forEach(([, p], i) => {
      const k = torch.arange(p.numel()).reshape([...p.shape]).float();
      p.copy_(k.mul(i + 3).remainder(7).sub(3).div(10).to({ dtype: p.dtype, device: p.device }));
    });
  });
  return m;
}
const names = (m: torch.nn.Module) => m.namedParameters().map(([n]) => n);
const shapes = (m: torch.nn.Module) => m.parameters().map((p) => [...p.shape]);
const ramp = (t: T) => torch.arange(t.numel()).reshape([...t.shape]).float().to(t.device);
const q0 = () => torch.arange(24).reshape(3, 2, 4).float().remainder(5).sub(2).div(4);
const kv0 = () => torch.arange(40).reshape(5, 2, 4).float().remainder(7).sub(3).div(5);
const tgt0 = () => torch.arange(32).reshape(4, 2, 4).float().remainder(3).sub(1).div(3);
const b = (rows: boolean[][] | boolean[]) => torch.tensor(rows, { dtype: 'bool' });
const AM = () => b([[false, true, false, false, true], [false, false, false, true, true], [true, false, false, false, false]]);
const KPM = () => b([[false, false, false, false, true], [true, false, false, false, false]]);
const KPM3 = () => b([[false, false, true], [true, false, false]]);
const errText = (f: () => unknown) => { try { f(); return 'no error'; } catch (e) { return (e as Error).message.split('\n')[0]; } };

async function expectTexts(key: string, got: Array<T | null | string | number[] | string[] | number[][]>): Promise<void> {
  const want = ref(key);
  for (let i = 0; i < got.length; i++) {
    const g = got[i];
    const s = g === null || g instanceof torch.Tensor ? await text(g) : g;
    const w = typeof want[i] === 'string' ? plain(want[i]) : want[i];
    expect(s, `${key}[${i}]`).toEqual(w);
  }
}

describe('MultiheadAttention', () => {
  it("prints, names and shapes its parameters as PyTorch's (in_proj, kdim/vdim, bias_k/bias_v, no bias)", async () => {
    const mha = new nn.MultiheadAttention(4, 2);
    expect(String(mha)).toBe(REF.mha_repr);
    expect(names(mha)).toEqual(REF.mha_names);
    expect(shapes(mha)).toEqual(REF.mha_shapes);
    const kd = new nn.MultiheadAttention(4, 2, { kdim: 3, vdim: 5 });
    expect([String(kd), names(kd), shapes(kd)]).toEqual(ref('kdim').slice(0, 3));
    const bk = new nn.MultiheadAttention(4, 2, { addBiasKv: true, addZeroAttn: true });
    expect([names(bk), shapes(bk)]).toEqual(ref('biaskv').slice(0, 2));
    const bf = new nn.MultiheadAttention(4, 1, { batchFirst: true, bias: false });
    expect([String(bf), names(bf)]).toEqual(ref('bf').slice(0, 2));
    // PyTorch's initialisation: in_proj xavier uniform (bound √(6 / (4 + 12)) ≈ 0.612), the biases zero.
    torch.manualSeed(3);
    const big = new nn.MultiheadAttention(64, 4);
      const w = await values(big.in_proj_weight!);
      const bound = Math.sqrt(6 / (64 + 192));
      expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(bound * 0.95);
      expect(await values(big.in_proj_bias!)).toEqual(new Array(192).fill(0));
      expect(await values(big.out_proj.bias!)).toEqual(new Array(64).fill(0));
      expect(big.out_proj).toBeInstanceOf(nn.Linear);
      expect(big.out_proj.constructor.name).toBe('NonDynamicallyQuantizableLinear');
  });

  it("PyTorch's outputs, attention weights and input gradients (self, key = value, three inputs)", async () => {
    const mha = setw(new nn.MultiheadAttention(4, 2));
    const q = q0().requiresGrad_(), kv = kv0().requiresGrad_();
    const [o, w] = mha(q, kv, kv);
    await o.sum().add(w!.mul(ramp(w!)).sum()).backward();
    await expectTexts('mha', [o, w, q.grad, kv.grad]);
    expect([o.gradFn?.name, w!.gradFn?.name]).toEqual(ref('mha').slice(4));
    const q2 = q0().requiresGrad_(), k2 = kv0().requiresGrad_(), v2 = kv0().flip(0).requiresGrad_();
    const [o2, w2] = mha(q2, k2, v2);
    await o2.mul(ramp(o2)).sum().backward();
    await expectTexts('mha_kv', [o2, w2, q2.grad, k2.grad, v2.grad]);
    const [o3, w3] = mha(q0(), q0(), q0(), { needWeights: false });
    expect(w3).toBeNull();
    const q4 = q0();
    await expectTexts('self', [mha(q4, q4, q4, { needWeights: false })[0], null]);
    expect(await values(o3)).toEqual(await values(mha(q4, q4, q4, { needWeights: false })[0]));
  });

  it("masks: bool, float, key padding (bool and float), 3-D per head, both merged; per-head weights", async () => {
    const mha = setw(new nn.MultiheadAttention(4, 2));
    const q = q0(), kv = kv0();
    const fm = torch.arange(15).reshape(3, 5).float().div(-10);
    const cases: Array<[string, torch.nn.MultiheadAttentionForwardOptions]> = [
      ['masked', { keyPaddingMask: KPM(), attnMask: AM() }],
      ['kpm_only', { keyPaddingMask: KPM() }],
      ['float_mask', { attnMask: fm, averageAttnWeights: false }],
      ['float_mask_kpm', { attnMask: fm, keyPaddingMask: KPM() }],
      ['float_kpm', { keyPaddingMask: torch.tensor([[0, -1, 0, 0.5, 0], [0, 0, -2, 0, 0]]) }],
      ['mask3d', { attnMask: torch.arange(60).reshape(4, 3, 5).remainder(3).eq(0), averageAttnWeights: false }],
    ];
    for (const [k, o] of cases) {
      const [out, w] = mha(q, kv, kv, o);
      await expectTexts(k, [out, w]);
    }
  });

  it('batchFirst, unbatched inputs, kdim/vdim, bias_k/bias_v with zero attention', async () => {
    const bf = setw(new nn.MultiheadAttention(4, 1, { batchFirst: true, bias: false }));
    const [o, w] = bf(q0().transpose(0, 1), kv0().transpose(0, 1), kv0().transpose(0, 1));
    await expectTexts('bf', [ref('bf')[0], ref('bf')[1] as unknown as string[], o, w]);
    const mha = setw(new nn.MultiheadAttention(4, 2));
    const kv1 = kv0().index(':', 0);
    const [ou, wu] = mha(q0().index(':', 0), kv1, kv1, { keyPaddingMask: b([false, true, false, false, false]) });
    await expectTexts('unbatched', [[...ou.shape], [...wu!.shape], ou, wu]);
    const kd = setw(new nn.MultiheadAttention(4, 2, { kdim: 3, vdim: 5 }));
    const kk = torch.arange(30).reshape(5, 2, 3).float().remainder(4).sub(1.5).div(3).requiresGrad_();
    const vv = torch.arange(50).reshape(5, 2, 5).float().remainder(6).sub(2).div(4).requiresGrad_();
    const [ok, wk] = kd(q0(), kk, vv);
    await ok.mul(ramp(ok)).sum().backward();
    await expectTexts('kdim', [ref('kdim')[0], ref('kdim')[1] as unknown as string[], ref('kdim')[2] as unknown as number[][], ok, wk, kk.grad, vv.grad]);
    const bk = setw(new nn.MultiheadAttention(4, 2, { addBiasKv: true, addZeroAttn: true }));
    const [ob, wb] = bk(q0(), kv0(), kv0(), { keyPaddingMask: KPM(), attnMask: AM() });
    await expectTexts('biaskv', [ref('biaskv')[0] as unknown as string[], ref('biaskv')[1] as unknown as number[][], ob, wb]);
  });

  it("PyTorch's errors", () => {
    const mha = setw(new nn.MultiheadAttention(4, 2));
    const q = q0(), kv = kv0();
    const got = [
      () => new nn.MultiheadAttention(5, 2),
      () => mha(q, kv.index(':', '0:1'), kv.index(':', '0:1')),
      () => mha(q, kv, kv, { attnMask: torch.zeros([2, 2], { dtype: 'bool' }) }),
      () => mha(q, kv, kv, { attnMask: torch.zeros([3, 3, 5], { dtype: 'bool' }) }),
      () => mha(q, kv, kv, { keyPaddingMask: torch.zeros([2, 4], { dtype: 'bool' }) }),
      () => mha(q.unsqueeze(0), kv, kv),
      () => mha(q, kv, kv, { attnMask: torch.zeros([3, 5], { dtype: 'int64' }) }),
      () => mha(q, kv, kv, { keyPaddingMask: torch.zeros([2, 5], { dtype: 'int64' }) }),
      () => mha(q, kv.index(0), kv.index(0)),
      () => mha(q, kv, kv.index('0:4')),
    ].map(errText);
    expect(got).toEqual(REF.mha_errors);
  });

  it('gradients (inputs and projection weights) match finite differences in float64', async () => {
    const am = torch.tensor([[0, -1, 0, 0.5], [0, 0, 0, 0], [-Infinity, 0, 0.2, 0]], { dtype: 'float64' });
    const kpm = b([[false, false, false, true], [false, true, false, false]]);
    await gradcheck((q, k, v, wIn, bIn, wOut) => {
      const [o, w] = F.multiHeadAttentionForward(q, k, v, 4, 2, wIn, bIn, null, null, false, 0, wOut, null, { attnMask: am, keyPaddingMask: kpm, averageAttnWeights: false });
      return o.sum(2).add(w!.sum([1, 3]).transpose(0, 1));
    }, [[3, 2, 4], [4, 2, 4], [4, 2, 4], [12, 4], [12], [4, 4]]);
    const mha = setw(new nn.MultiheadAttention(4, 2, { batchFirst: true })).double();
    await gradcheck((x) => mha(x, x, x)[0], [[2, 3, 4]]);
  });

  it('dropout on the attention weights in training only; eval() is deterministic and drops nothing', async () => {
    const d = setw(new nn.MultiheadAttention(4, 2, { dropout: 0.5 })), ref0 = setw(new nn.MultiheadAttention(4, 2));
    const q = q0(), kv = kv0();
    torch.manualSeed(1);
    const [, w1] = d(q, kv, kv, { averageAttnWeights: false });
    const [, w0] = ref0(q, kv, kv, { averageAttnWeights: false });
    const a = await values(w1!), z = await values(w0!);
    // each weight is dropped (0) or doubled
    expect(a.some((v) => v === 0)).toBe(true);
    a.forEach((v, i) => { if (v !== 0) expect(v).toBeCloseTo(2 * z[i], 6); });
    d.eval();
    const [e1, ew1] = d(q, kv, kv), [e2] = d(q, kv, kv), [r] = ref0(q, kv, kv);
    expect(await values(e1)).toEqual(await values(e2));
    expect(await values(e1)).toEqual(await values(r));
    expect(await values(ew1!)).toEqual(await values(ref0(q, kv, kv)[1]!));
  });
});

describe('transformer layers', () => {
  it("encoder layer (post-norm relu; pre-norm gelu batchFirst with key padding): PyTorch's values, gradients, repr, names", async () => {
    const enc = setw(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0 }));
    const src = q0().requiresGrad_();
    const y = enc(src);
    await y.mul(ramp(y).div(10)).sum().backward();
    await expectTexts('enc', [String(enc), names(enc), y, y.gradFn!.name, src.grad]);
    const enc2 = setw(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, activation: 'gelu', normFirst: true, batchFirst: true }));
    const src2 = q0().transpose(0, 1).contiguous().requiresGrad_();
    const y2 = enc2(src2, { srcKeyPaddingMask: KPM3() });
    await y2.mul(ramp(y2).div(10)).sum().backward();
    await expectTexts('enc2', [y2, src2.grad]);
    // an activation given as a function or a module (a module is a submodule, printed last, as PyTorch's)
    const fn = setw(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, activation: (x: T) => F.gelu(x), normFirst: true, batchFirst: true }));
    const mod = setw(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, activation: new nn.GELU(), normFirst: true, batchFirst: true }));
    expect(await values(fn(q0().transpose(0, 1), { srcKeyPaddingMask: KPM3() }))).toEqual(await values(y2));
    expect(await values(mod(q0().transpose(0, 1), { srcKeyPaddingMask: KPM3() }))).toEqual(await values(y2));
    expect(String(mod).split('\n').slice(-2)).toEqual(["  (activation): GELU(approximate='none')", ')']);
    expect(names(mod)).toEqual(names(enc));
  });

  it('a 2-layer encoder with a final norm and a causal mask; the layers are deep copies', async () => {
    const enc = setw(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0 }));
    const stack = setw(new nn.TransformerEncoder(enc, 2, { norm: new nn.LayerNorm(4) }));
    const mask = nn.Transformer.generateSquareSubsequentMask(3);
    const src = q0().requiresGrad_();
    const y = stack(src, { mask });
    await y.mul(ramp(y).div(10)).sum().backward();
    await expectTexts('stack', [String(stack), names(stack), mask, y, src.grad]);
    expect(await text(nn.Transformer.generateSquareSubsequentMask(5))).toBe(REF.mask5);
    // copies: the same initial values, their own memory
    const proto = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6 });
    const s2 = new nn.TransformerEncoder(proto, 3);
    expect(s2.layers.length).toBe(3);
    const l0 = s2.layers[0] as torch.nn.TransformerEncoderLayer, l1 = s2.layers[1] as torch.nn.TransformerEncoderLayer;
    expect(l0).not.toBe(proto);
    expect(l0.self_attn).not.toBe(l1.self_attn);
    expect(await values(l0.self_attn.in_proj_weight!)).toEqual(await values(proto.self_attn.in_proj_weight!));
    expect(await values(l1.linear2.weight)).toEqual(await values(proto.linear2.weight));
    torch.noGrad(() => l0.linear1.weight.fill_(7));
    expect((await values(l1.linear1.weight)).includes(7)).toBe(false);
    expect((await values(proto.linear1.weight)).includes(7)).toBe(false);
    expect(l0.linear1.weight).toBeInstanceOf(nn.Parameter);
    expect(l0.linear1.weight.requiresGrad).toBe(true);
    expect(l0.activation).toBe(proto.activation);
    expect(l0.training).toBe(true);
    expect(typeof l0).toBe('function');
    expect(s2.parameters()).toHaveLength(36);
    expect(new Set(s2.parameters()).size).toBe(36);
    const dict = new nn.ModuleDict({ a: new nn.Linear(2, 2) }), dc = nn.deepcopyModule(dict);
    expect(dc.keys()).toEqual(['a']);
    expect(dc.get('a')).not.toBe(dict.get('a'));
  });

  it("decoder layer (post-norm with causal mask and memory padding; pre-norm gelu): PyTorch's values, gradients, repr", async () => {
    const dec = setw(new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 6, dropout: 0 }));
    const tgt = tgt0().requiresGrad_(), mem = kv0().requiresGrad_();
    const y = dec(tgt, mem, { tgtMask: nn.Transformer.generateSquareSubsequentMask(4), memoryKeyPaddingMask: KPM() });
    await y.mul(ramp(y).div(10)).sum().backward();
    await expectTexts('dec', [String(dec), names(dec), y, tgt.grad, mem.grad]);
    const dec2 = setw(new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, activation: 'gelu', normFirst: true }));
    const y2 = dec2(tgt0(), kv0(), { memoryMask: torch.arange(20).reshape(4, 5).remainder(4).eq(1), tgtKeyPaddingMask: b([[false, false, false, true], [false, false, false, false]]) });
    await expectTexts('dec2', [y2]);
  });

  it("nn.Transformer: PyTorch's repr, names, shapes, values and gradients; batchFirst; errors", async () => {
    const tf = setw(new nn.Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 6, dropout: 0 }));
    const s = q0().requiresGrad_(), t = tgt0().requiresGrad_();
    const y = tf(s, t, { tgtMask: nn.Transformer.generateSquareSubsequentMask(4), srcKeyPaddingMask: KPM3() });
    await y.mul(ramp(y).div(10)).sum().backward();
    await expectTexts('tf', [String(tf), names(tf), shapes(tf), y, ref('tf')[4], t.grad]);
    // (the source's gradient is rounding noise with these weights, |g| < 2e-9 in PyTorch's too: compared as ~0)
    for (const g of await values(s.grad!)) expect(Math.abs(g)).toBeLessThan(1e-8);
    const tfb = setw(new nn.Transformer({ dModel: 4, nhead: 1, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 3, dropout: 0, batchFirst: true }));
    await expectTexts('tf_bf', [tfb(q0().transpose(0, 1), tgt0().transpose(0, 1))]);
    const enc = setw(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0 }));
    expect([
      () => tf(q0(), tgt0().index(':', '0:1')),
      () => tf(q0().index('...', '0:3'), tgt0()),
      () => new nn.TransformerEncoderLayer(4, 2, { activation: 'tanh' as 'relu' }),
      () => new nn.TransformerEncoderLayer(4, 3),
      () => enc(q0(), { srcKeyPaddingMask: torch.zeros([2, 3], { dtype: 'int64' }) }),
    ].map(errText)).toEqual(REF.tf_errors);
    // the defaults: d_model 512, 8 heads, 6 + 6 layers, feed-forward 2048
    const big = new nn.Transformer();
    expect(big.parameters().reduce((n, p) => n + p.numel(), 0)).toBe(44140544);
  });

  it('dropout in training changes the output; eval() gives the dropout-free result', async () => {
    const enc = setw(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0.3 }));
    const ref0 = setw(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0 }));
    const x = q0();
    torch.manualSeed(5);
    const a = await values(enc(x)), c = await values(enc(x)), r = await values(ref0(x));
    expect(a).not.toEqual(r);
    expect(a).not.toEqual(c);
    enc.eval();
    expect(await values(enc(x))).toEqual(r);
    expect(await values(enc(x))).toEqual(r);
    const tf = setw(new nn.Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 6, dropout: 0.5 }));
    tf.eval();
    expect(tf.modules().every((m) => !m.training)).toBe(true);
    expect(await values(tf(x, tgt0()))).toEqual(await values(tf(x, tgt0())));
  });
});

describe.runIf(available)('transformer on the GPU', () => {
  it('MultiheadAttention, encoder, decoder and Transformer: the CPU values and gradients', async () => {
    const close = async (g: T, c: T, what: string) => {
      expect(g.device, what).toBe('gpu');
      const gv = await values(g), cv = await values(c);
      expect(gv.length, what).toBe(cv.length);
      gv.forEach((v, i) => { if (!(Math.abs(v - cv[i]) <= 1e-5 + 1e-4 * Math.abs(cv[i]))) throw new Error(`${what}[${i}]: gpu ${v}, cpu ${cv[i]}`); });
    };
    const run = async (dev: string) => {
      const mha = setw(new nn.MultiheadAttention(4, 2)).to(dev);
      const q = q0().to(dev).requiresGrad_(), kv = kv0().to(dev).requiresGrad_();
      const [o, w] = mha(q, kv, kv, { attnMask: AM().to(dev), keyPaddingMask: KPM().to(dev), averageAttnWeights: false });
      await o.sum().add(w!.mul(ramp(w!)).sum()).backward();
      const tf = setw(new nn.Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 6, dropout: 0 })).to(dev);
      const s = q0().to(dev).requiresGrad_(), t = tgt0().to(dev).requiresGrad_();
      const y = tf(s, t, { tgtMask: nn.Transformer.generateSquareSubsequentMask(4, { device: dev }), srcKeyPaddingMask: KPM3().to(dev) });
      await y.mul(ramp(y).div(10)).sum().backward();
      return [o, w!, q.grad!, kv.grad!, mha.in_proj_weight!.grad!, y, s.grad!, t.grad!, (tf.encoder as torch.nn.TransformerEncoder).layers[1].parameters()[0].grad!];
    };
    const cpu = await run('cpu'), gpu = await run('gpu');
    const labels = ['out', 'weights', 'dq', 'dkv', 'd in_proj', 'transformer', 'dsrc', 'dtgt', 'd enc.1 in_proj'];
    for (let i = 0; i < cpu.length; i++) await close(gpu[i], cpu[i], labels[i]);
    expect(await text(cpu[5])).toBe(plain(ref('tf')[3]));
  });
});
