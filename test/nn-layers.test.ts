// conv1d, 1-D pooling, group and instance normalization, the recurrent cells (LSTMCell GRUCell RNNCell),
// ModuleDict, Unflatten, Upsample and Dropout2d: PyTorch 1.13's printed values and gradients, printed
// modules, parameter names and errors (test/fixtures/nn-layers.json, from scripts/torch-nn-layers.py, which
// writes its inputs and weights too), grad_fns, finite differences, dropout2d's statistics and the GPU.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradcheck, values } from './helpers.ts';

const REF = JSON.parse(readFileSync(new URL('./fixtures/nn-layers.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const ref = (k: string) => REF[k] as string[];
const { nn } = torch;
const F = nn.functional;
const text = (t: torch.Tensor) => torch.format(t);
/** An input or weight the script made, as float32 (optionally requiring grad). */
const inp = (k: string, grad = false) => {
  const t = torch.tensor(REF[`in_${k}`] as number[], { dtype: 'float32' });
  return grad ? t.requiresGrad_() : t;
};
/** The script's fixed weighting of an output, so every element's gradient differs. */
const ramp = (t: torch.Tensor) => torch.arange(t.numel()).reshape(t.shape).float().div(10).sub(0.7);
/** PyTorch's text without the grad_fn, which the test checks apart. */
const plain = (s: string) => s.replace(/,\s*grad_fn=<\w+>\)$/, ')');
const texts = async (ts: torch.Tensor[]) => Promise.all(ts.map(text));
const NUM = /-?(?:\d+\.?\d*(?:e[+-]?\d+)?|inf|nan)/g;
/**
 * A gradient against PyTorch's printed one: the same text, or (where summing in another order moved the
 * 4th printed digit, or made PyTorch's sum inexact so it prints 10.0000 where ours prints 10.) the same
 * shape and every value within the printed precision.
 */
async function expectGrad(t: torch.Tensor, want: string, what: string): Promise<void> {
  const got = await text(t);
  if (got === want) return;
  const shape = want.replace(/\s+/g, '').replace(NUM, '0');
  expect(got.replace(/\s+/g, '').replace(NUM, '0'), `${what}: layout`).toBe(shape);
  const v = await values(t), w = (want.replace(/^tensor\(/, '').match(NUM) ?? []).map(Number), sci = want.includes('e');
  expect(v.length, what).toBe(w.length);
  v.forEach((a, i) => expect(Math.abs(a - w[i]), `${what}[${i}]: ${a} against ${w[i]}`).toBeLessThanOrEqual(sci ? 6e-5 * Math.abs(w[i]) + 1e-9 : 6e-5));
}
const expectGrads = async (ts: torch.Tensor[], want: string[], what: string) => { for (let i = 0; i < ts.length; i++) await expectGrad(ts[i], want[i], `${what} ${i}`); };
const available = await gpuForTests('nn-layers', { composite: true });

describe('conv1d and Conv1d', () => {
  it("PyTorch's values, gradients (stride, padding, dilation, groups) and grad_fn", async () => {
    const x = inp('conv_x', true), w = inp('conv_w', true), b = inp('conv_b', true);
    let y = F.conv1d(x, w, b, { stride: 2, padding: 1, dilation: 2, groups: 2 });
    expect(y.gradFn?.name).toBe('ConvolutionBackward0');
    await y.mul(ramp(y)).sum().backward();
    expect(plain(await text(y))).toBe(plain(ref('conv1d')[0]));
    await expectGrads([x.grad!, w.grad!, b.grad!], ref('conv1d').slice(1), 'conv1d');
    x.grad = null;
    const w2 = inp('conv_w2', true);
    y = F.conv1d(x, w2);
    await y.mul(ramp(y)).sum().backward();
    expect(plain(await text(y))).toBe(plain(ref('conv1d_plain')[0]));
    await expectGrads([x.grad!, w2.grad!], ref('conv1d_plain').slice(1), 'conv1d_plain');
    expect(await text(F.conv1d(x.detach().index(1), w2.detach(), null, { padding: [2] }))).toBe(ref('conv1d_unbatched')[0]);
  });

  it('Conv1d: parameters, their bounds, the forward, printed form', async () => {
    torch.manualSeed(3);
    const conv = new nn.Conv1d(4, 6, 3, { stride: 2, padding: 1, dilation: 2, groups: 2 });
    expect(conv.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([['weight', [6, 2, 3]], ['bias', [6]]]);
    const bound = 1 / Math.sqrt(2 * 3);
    for (const p of conv.parameters()) {
      const v = await values(p);
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(bound / 3);
    }
    const x = inp('conv_x');
    expect(await values(conv(x))).toEqual(await values(F.conv1d(x, conv.weight, conv.bias, { stride: 2, padding: 1, dilation: 2, groups: 2 })));
    expect(conv(x.index(0)).shape).toEqual([6, 3]);
    expect(String(new nn.Conv1d(2, 4, 3))).toBe((REF.repr as Record<string, string>).conv1d);
    expect(String(new nn.Conv1d(4, 6, 3, { stride: 2, padding: 1, dilation: 2, groups: 2, bias: false }))).toBe((REF.repr as Record<string, string>).conv1d_all);
    expect(new nn.Conv1d(4, 6, 3, { bias: false }).namedParameters().map(([n]) => n)).toEqual(['weight']);
  });

  it('gradients match finite differences (float64)', async () => {
    await gradcheck((x, w, b) => F.conv1d(x, w, b, { stride: 2, padding: 2, dilation: 2, groups: 2 }), [[2, 4, 7], [6, 2, 3], [6]]);
    await gradcheck((x, w) => F.conv1d(x, w, null, { padding: 1 }), [[3, 6], [2, 3, 2]]);
  });
});

describe('1-D pooling', () => {
  it("PyTorch's values, gradients and grad_fns (ceil mode, padding, dilation, count_include_pad)", async () => {
    const cases: Record<string, (t: torch.Tensor) => torch.Tensor> = {
      maxpool1d: (t) => F.maxPool1d(t, 3, { stride: 2, padding: 1, ceilMode: true }),
      maxpool1d_dil: (t) => F.maxPool1d(t, 2, { stride: 1, dilation: 3 }),
      avgpool1d: (t) => F.avgPool1d(t, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
      avgpool1d_def: (t) => F.avgPool1d(t, 2),
      avgpool1d_pad: (t) => F.avgPool1d(t, 4, { stride: 3, padding: 2, ceilMode: true }),
      adaptive1d: (t) => F.adaptiveAvgPool1d(t, 4),
    };
    for (const [k, f] of Object.entries(cases)) {
      const p = inp('pool_x', true);
      const y = f(p);
      await y.mul(ramp(y)).sum().backward();
      expect([plain(await text(y)), y.gradFn?.name], k).toEqual([plain(ref(k)[0]), ref(k)[2]]);
      await expectGrad(p.grad!, ref(k)[1], k);
    }
    expect(await text(F.maxPool1d(inp('pool_x').index(0), 4, { stride: 2 }))).toBe(ref('maxpool1d_unbatched')[0]);
  });

  it('the modules: forward and printed forms', async () => {
    const x = inp('pool_x');
    expect(await values(new nn.MaxPool1d(3, { stride: 2, padding: 1, ceilMode: true })(x))).toEqual(await values(F.maxPool1d(x, 3, { stride: 2, padding: 1, ceilMode: true })));
    expect(await values(new nn.AvgPool1d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false })(x)))
      .toEqual(await values(F.avgPool1d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false })));
    expect(await values(new nn.AdaptiveAvgPool1d(4)(x))).toEqual(await values(F.adaptiveAvgPool1d(x, 4)));
    const R = REF.repr as Record<string, string>;
    expect([new nn.MaxPool1d(3), new nn.MaxPool1d(3, { stride: 2, padding: 1, dilation: 2, ceilMode: true }), new nn.AvgPool1d(3),
      new nn.AvgPool1d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), new nn.AdaptiveAvgPool1d(4)].map(String))
      .toEqual([R.maxpool1d, R.maxpool1d_all, R.avgpool1d, R.avgpool1d_all, R.adaptive1d]);
  });

  it('gradients match finite differences (float64)', async () => {
    await gradcheck((x) => F.maxPool1d(x, 3, { stride: 2, padding: 1, ceilMode: true }), [[2, 3, 8]]);
    await gradcheck((x) => F.avgPool1d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), [[2, 3, 8]]);
    await gradcheck((x) => F.adaptiveAvgPool1d(x, 3), [[3, 7]]);
  });
});

describe('group and instance normalization', () => {
  it("PyTorch's values and gradients (input, weight, bias)", async () => {
    const g = inp('gn_x', true), w = inp('gn_w', true), b = inp('gn_b', true);
    let y = F.groupNorm(g, 3, w, b);
    await y.mul(ramp(y)).sum().backward();
    expect(await text(y.detach())).toBe(plain(ref('groupnorm')[0]));
    await expectGrads([g.grad!, w.grad!, b.grad!], ref('groupnorm').slice(1), 'groupnorm');
    const g4 = inp('gn_x4').add(1.5).detach().requiresGrad_();
    y = F.groupNorm(g4, 2, null, null, 1e-3);
    await y.mul(ramp(y)).sum().backward();
    expect(await text(y.detach())).toBe(plain(ref('groupnorm4')[0]));
    await expectGrad(g4.grad!, ref('groupnorm4')[1], 'groupnorm4');

    const inorm = new nn.InstanceNorm2d(3, { affine: true });
    torch.noGrad(() => { inorm.weight!.copy_(torch.tensor([0.5, -1, 2])); inorm.bias!.copy_(torch.tensor([0.1, 0.2, -0.3])); });
    const ix = inp('in_x', true);
    y = inorm(ix);
    await y.mul(ramp(y)).sum().backward();
    expect(await text(y.detach())).toBe(plain(ref('instancenorm')[0]));
    await expectGrads([ix.grad!, inorm.weight!.grad!, inorm.bias!.grad!], ref('instancenorm').slice(1), 'instancenorm');
    expect(await text(new nn.InstanceNorm2d(3)(ix.detach().index(0)))).toBe(ref('instancenorm_plain')[0]);
  });

  it('GroupNorm: parameters, the forward, printed forms', async () => {
    const gn = new nn.GroupNorm(3, 6);
    expect(gn.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([['weight', [6]], ['bias', [6]]]);
    expect([await values(gn.weight!), await values(gn.bias!)]).toEqual([[1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0]]);
    const x = inp('gn_x');
    torch.noGrad(() => { gn.weight!.copy_(inp('gn_w')); gn.bias!.copy_(inp('gn_b')); });
    expect(await text(gn(x).detach())).toBe(plain(ref('groupnorm')[0]));
    expect(new nn.GroupNorm(2, 4, { affine: false }).parameters()).toHaveLength(0);
    expect(new nn.InstanceNorm2d(3).parameters()).toHaveLength(0);
    const R = REF.repr as Record<string, string>;
    expect([new nn.GroupNorm(2, 4), new nn.GroupNorm(2, 4, { eps: 1e-3, affine: false }), new nn.InstanceNorm2d(3), new nn.InstanceNorm2d(3, { affine: true })].map(String))
      .toEqual([R.groupnorm, R.groupnorm_all, R.instancenorm, R.instancenorm_affine]);
  });

  it('gradients match finite differences (float64)', async () => {
    await gradcheck((x, w, b) => F.groupNorm(x, 2, w, b), [[2, 4, 3], [4], [4]]);
    await gradcheck((x) => F.groupNorm(x, 3, null, null, 1e-3), [[2, 6, 2, 2]]);
  });
});

describe('recurrent cells', () => {
  const makers: Record<string, () => torch.nn.LSTMCell | torch.nn.GRUCell | torch.nn.RNNCell> = {
    lstm: () => new nn.LSTMCell(5, 4), gru: () => new nn.GRUCell(5, 4), rnn: () => new nn.RNNCell(5, 4),
    rnnrelu: () => new nn.RNNCell(5, 4, { nonlinearity: 'relu' }), gru_nobias: () => new nn.GRUCell(5, 4, { bias: false }),
  };
  const grads0 = { lstm: 'MulBackward0', gru: 'AddBackward0', rnn: 'TanhBackward0', rnnrelu: 'ReluBackward0', gru_nobias: 'AddBackward0' } as Record<string, string>;
  it("PyTorch's values, gradients (input, states, weights) and grad_fns, batched and not", async () => {
    for (const [k, make] of Object.entries(makers)) {
      const cell = make();
      torch.noGrad(() => { for (const [n, p] of cell.namedParameters()) p.copy_(inp(`${k}_${n}`)); });
      const x = inp(`${k}_x`, true), h0 = inp(`${k}_h0`, true);
      const want = ref(`cell_${k}`);
      let grads: torch.Tensor[];
      if (cell instanceof nn.LSTMCell) {
        const c0 = inp(`${k}_c0`, true);
        const [h, c] = cell(x, [h0, c0]);
        expect([h.gradFn?.name, c.gradFn?.name]).toEqual(['MulBackward0', 'AddBackward0']);
        await h.mul(ramp(h)).sum().add(c.mul(ramp(c).flip(0)).sum()).backward();
        expect([plain(await text(h)), plain(await text(c)), await text(cell(x.detach().index(1))[1].detach())], k).toEqual([plain(want[0]), plain(want[1]), plain(want[5])]);
        grads = [x.grad!, h0.grad!, c0.grad!];
        want.splice(0, 2); want.splice(3, 1);
      } else {
        const h = cell(x, h0);
        expect(h.gradFn?.name, k).toBe(grads0[k]);
        await h.mul(ramp(h)).sum().backward();
        expect([plain(await text(h)), await text(cell(x.detach().index(1), h0.detach().index(2)).detach())], k).toEqual([plain(want[0]), plain(want[3])]);
        grads = [x.grad!, h0.grad!];
        want.splice(0, 1); want.splice(2, 1);
      }
      grads.push(cell.weight_ih.grad!, cell.weight_hh.grad!);
      if (cell.bias_hh) grads.push(cell.bias_hh.grad!);
      expect(grads.length, k).toBe(want.length);
      await expectGrads(grads, want, k);
    }
  });

  it('parameters (names, shapes, bounds), the zero state, printed forms', async () => {
    const P = REF.params as Record<string, Array<[string, number[]]>>, R = REF.repr as Record<string, string>;
    const cells = [new nn.LSTMCell(3, 4), new nn.GRUCell(3, 4, { bias: false }), new nn.RNNCell(3, 4), new nn.RNNCell(3, 4, { nonlinearity: 'relu' })];
    expect(cells.map((c) => c.namedParameters().map(([n, p]) => [n, p.shape]))).toEqual([P.lstmcell, P.grucell, P.rnncell, P.rnncell_relu]);
    expect(cells.map(String)).toEqual([R.lstmcell, R.grucell, R.rnncell, R.rnncell_relu]);
    torch.manualSeed(5);
    const big = new nn.GRUCell(3, 16);
    for (const p of big.parameters()) {
      const v = await values(p);
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(0.25);
      expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.2);
    }
    const lstm = new nn.LSTMCell(3, 4), x = torch.randn([2, 3]);
    const zero = torch.zeros([2, 4]);
    const [h1, c1] = lstm(x), [h2, c2] = lstm(x, [zero, zero]);
    expect([await values(h1), await values(c1)]).toEqual([await values(h2), await values(c2)]);
    expect(() => new nn.RNNCell(3, 4, { nonlinearity: 'x' as 'relu' })).toThrow('Unknown nonlinearity: x');
  });

  it('gradients match finite differences (float64)', async () => {
    for (const make of [() => new nn.LSTMCell(3, 2), () => new nn.GRUCell(3, 2), () => new nn.RNNCell(3, 2)]) {
      torch.manualSeed(2);
      const cell = make().double();
      await gradcheck((x, h, c) => {
        if (cell instanceof nn.LSTMCell) { const [h1, c1] = cell(x, [h, c]); return torch.cat([h1, c1], 1); }
        return cell(x, h).add(c.sum().mul(0));
      }, [[2, 3], [2, 2], [2, 2]]);
      await gradcheck((w) => { // the weights too: weight_ih swapped for the checked tensor
        const x = torch.ones([2, 3], { dtype: 'float64' });
        const old = cell.weight_ih;
        (cell as unknown as { weight_ih: torch.Tensor }).weight_ih = w;
        try { const out = cell(x); return Array.isArray(out) ? out[0] : out; } finally { (cell as unknown as { weight_ih: torch.Tensor }).weight_ih = old; }
      }, [cell.weight_ih.shape]);
    }
  });
});

describe('ModuleDict, Unflatten, Upsample, Dropout2d', () => {
  it('ModuleDict: registration order, parameter names, access, printed form, errors', async () => {
    const P = REF.params as Record<string, Array<[string, number[]]>>, R = REF.repr as Record<string, string>;
    const d = new nn.ModuleDict({ conv: new nn.Conv1d(1, 2, 3), act: new nn.ReLU(), cell: new nn.GRUCell(2, 3) });
    expect(d.namedParameters().map(([n, p]) => [n, p.shape])).toEqual(P.moduledict);
    expect([String(d), String(new nn.ModuleDict())]).toEqual([R.moduledict, R.moduledict_empty]);
    expect([d.length, d.keys(), [...d], d.has('act'), d.get('act') instanceof nn.ReLU]).toEqual([3, ['conv', 'act', 'cell'], ['conv', 'act', 'cell'], true, true]);
    const nested = new nn.Sequential(new nn.ModuleDict([['b', new nn.Linear(2, 2)], ['a', new nn.GroupNorm(1, 2)]]), new nn.Dropout2d(0.1));
    expect([String(nested), nested.namedParameters().map(([n, p]) => [n, p.shape])]).toEqual([R.nested, P.nested]);
    expect(Object.keys(nested.stateDict())).toEqual(P.nested.map(([n]) => n));
    // integer-like keys keep their insertion order (a plain object's would not)
    const ints = new nn.ModuleDict([['z', new nn.ReLU()], ['2', new nn.Tanh()], ['1', new nn.Linear(1, 1)]]);
    expect([ints.keys(), ints.namedParameters().map(([n]) => n)]).toEqual([['z', '2', '1'], ['1.weight', '1.bias']]);
    ints.set('2', new nn.Linear(2, 1));
    ints.pop('z');
    expect([ints.keys(), ints.namedParameters().map(([n]) => n)]).toEqual([['2', '1'], ['2.weight', '2.bias', '1.weight', '1.bias']]);
    const E = REF.errors as Record<string, string>;
    expect(() => new nn.ModuleDict({ 'a.b': new nn.ReLU() })).toThrow(E.moduledict_dot);
    expect(() => new nn.ModuleDict({ keys: new nn.ReLU() })).toThrow(E.moduledict_attr);
    expect(() => new nn.ModuleDict({ '': new nn.ReLU() })).toThrow(E.moduledict_empty);
    expect(() => new nn.ModuleDict({ a: 3 as unknown as torch.nn.Module })).toThrow('number is not a Module subclass');
    expect(() => d.get('nope')).toThrow("KeyError: 'nope'");
  });

  it("Unflatten and Upsample: PyTorch's shapes, values, gradients, printed forms", async () => {
    expect([new nn.Unflatten(1, [2, -1])(torch.zeros([2, 6, 3])).shape, new nn.Unflatten(-1, [3, 1, 2])(torch.zeros([2, 6])).shape]).toEqual(REF.unflatten);
    expect(new nn.Unflatten(1, [2, 3])(torch.zeros([2, 6]).requiresGrad_()).gradFn?.name).toBe('ViewBackward0');
    const u = torch.arange(6).float().reshape(1, 2, 3).requiresGrad_();
    const y = new nn.Upsample({ scaleFactor: 2 })(u);
    expect(y.gradFn?.name).toBe('UpsampleNearest1DBackward1');
    await y.mul(ramp(y)).sum().backward();
    expect(plain(await text(y))).toBe(plain(ref('upsample1d')[0]));
    await expectGrad(u.grad!, ref('upsample1d')[1], 'upsample1d');
    const u2 = torch.arange(6).float().reshape(1, 1, 2, 3);
    expect(await texts([new nn.Upsample({ size: [3, 5] })(u2), new nn.Upsample({ scaleFactor: [1.5, 2] })(u2)])).toEqual(ref('upsample2d'));
    const R = REF.repr as Record<string, string>;
    expect([new nn.Unflatten(1, [2, 3]), new nn.Upsample({ scaleFactor: 2 }), new nn.Upsample({ size: 5 }), new nn.Upsample({ size: [3, 4] }), new nn.Upsample({ scaleFactor: [1.5, 2] })].map(String))
      .toEqual([R.unflatten, R.upsample, R.upsample_size, R.upsample_size2, R.upsample_sf2]);
  });

  it('Dropout2d: whole channels zeroed at rate p, the rest scaled by 1/(1 − p); the identity in eval', async () => {
    torch.manualSeed(11);
    const N = 40, C = 50, p = 0.3;
    const x = torch.rand([N, C, 3, 4]).add(0.5);
    const drop = new nn.Dropout2d(p);
    const y = drop(x);
    const r = await values(y.div(x)), per = 12;
    let zeroed = 0;
    for (let ch = 0; ch < N * C; ch++) {
      const vals = r.slice(ch * per, (ch + 1) * per);
      const first = vals[0];
      expect(vals.every((v) => Math.abs(v - first) < 1e-5), `channel ${ch} is one value`).toBe(true);
      if (first === 0) zeroed++;
      else expect(first).toBeCloseTo(1 / (1 - p), 5);
    }
    const rate = zeroed / (N * C); // 2000 channels: sd ≈ 0.01
    expect(Math.abs(rate - p)).toBeLessThan(0.04);
    expect(drop(x.detach().requiresGrad_()).gradFn?.name).toBe('MulBackward0');
    drop.eval();
    expect(drop(x)).toBe(x);
    expect(F.dropout2d(x, 0.5, false)).toBe(x);
    expect(await values(F.dropout2d(x, 1))).toEqual(new Array<number>(x.numel()).fill(0));
    // a 3-D input is [N, C, L], as PyTorch 1.13 reads it: one value per (n, c)
    const y3 = await values(F.dropout2d(torch.ones([20, 10, 6]), 0.5));
    for (let ch = 0; ch < 200; ch++) expect(new Set(y3.slice(ch * 6, ch * 6 + 6)).size).toBe(1);
    expect(String(new nn.Dropout2d(0.3))).toBe((REF.repr as Record<string, string>).dropout2d_p);
    expect(String(new nn.Dropout2d())).toBe((REF.repr as Record<string, string>).dropout2d);
  });
});

describe("PyTorch's errors", () => {
  const E = REF.errors as Record<string, string>;
  const cases: Record<string, () => unknown> = {
    groupnorm_ctor: () => new nn.GroupNorm(3, 4),
    groupnorm_groups: () => F.groupNorm(torch.ones([2, 4, 3]), 3),
    groupnorm_weight: () => F.groupNorm(torch.ones([2, 4, 3]), 2, torch.ones([3])),
    groupnorm_1d: () => F.groupNorm(torch.ones([4]), 2),
    lstmcell_input: () => new nn.LSTMCell(3, 4)(torch.ones([2, 5])),
    grucell_batch: () => new nn.GRUCell(3, 4)(torch.ones([2, 3]), torch.ones([3, 4])),
    grucell_hidden: () => new nn.GRUCell(3, 4)(torch.ones([2, 3]), torch.ones([2, 5])),
    rnncell_3d: () => new nn.RNNCell(3, 4)(torch.ones([2, 3, 3])),
    lstmcell_unbatched_hidden: () => new nn.LSTMCell(3, 4)(torch.ones([3]), [torch.ones([2, 4]), torch.ones([2, 4])]),
    lstmcell_c: () => new nn.LSTMCell(3, 4)(torch.ones([2, 3]), [torch.ones([2, 4]), torch.ones([2, 3])]),
    conv1d_channels: () => F.conv1d(torch.ones([1, 2, 5]), torch.ones([4, 3, 3])),
    conv1d_4d: () => F.conv1d(torch.ones([1, 1, 2, 5]), torch.ones([4, 1, 3])),
    conv1d_groups: () => F.conv1d(torch.ones([1, 4, 5]), torch.ones([3, 2, 3]), null, { groups: 2 }),
    conv1d_bias: () => F.conv1d(torch.ones([1, 4, 5]), torch.ones([4, 4, 3]), torch.ones([3])),
    conv1d_kernel: () => F.conv1d(torch.ones([1, 1, 2]), torch.ones([1, 1, 3])),
    conv1d_ctor: () => new nn.Conv1d(3, 4, 2, { groups: 2 }),
    maxpool1d_4d: () => F.maxPool1d(torch.ones([2, 1, 2, 5]), 2),
    avgpool1d_4d: () => F.avgPool1d(torch.ones([2, 1, 2, 5]), 2),
    adaptive1d_4d: () => F.adaptiveAvgPool1d(torch.ones([2, 1, 2, 5]), 2),
    avgpool1d_pad: () => F.avgPool1d(torch.ones([1, 1, 5]), 3, { padding: 2 }),
    dropout2d_1d: () => F.dropout2d(torch.ones([3]), 0.5),
    dropout2d_p: () => new nn.Dropout2d(1.5),
    unflatten: () => new nn.Unflatten(1, [2, 4])(torch.ones([2, 6])),
    instancenorm_2d: () => new nn.InstanceNorm2d(3)(torch.ones([2, 3])),
    upsample_2d: () => new nn.Upsample({ size: 3 })(torch.ones([2, 3])),
  };
  for (const [k, f] of Object.entries(cases)) {
    it(k, () => {
      let msg: string | null = null;
      try { f(); } catch (e) { msg = (e as Error).message; }
      expect(msg).toBe(E[k]);
    });
  }
});

describe.runIf(available)('on the GPU', () => {
  it("the CPU's values and gradients", async () => {
    torch.manualSeed(9);
    const src = torch.randn([2, 4, 9]), wsrc = torch.randn([6, 2, 3]), bsrc = torch.randn([6]);
    const cellX = torch.randn([3, 4]), cellH = torch.randn([3, 6]);
    const cells = [new nn.LSTMCell(4, 6), new nn.GRUCell(4, 6), new nn.RNNCell(4, 6)];
    const run = async (dev: string) => {
      const x = src.to(dev).detach().requiresGrad_(), w = wsrc.to(dev).detach().requiresGrad_(), b = bsrc.to(dev).detach().requiresGrad_();
      const cx = cellX.to(dev).detach().requiresGrad_(), ch = cellH.to(dev);
      for (const c of cells) c.to(dev);
      const conv = F.conv1d(x, w, b, { stride: 2, padding: 1, dilation: 2, groups: 2 });
      const [lh, lc] = (cells[0] as torch.nn.LSTMCell)(cx, [ch, ch]);
      const parts = [
        conv.mul(conv).sum(), F.maxPool1d(x, 3, { stride: 2, padding: 1, ceilMode: true }).sum(),
        F.avgPool1d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }).mul(2).sum(), F.adaptiveAvgPool1d(x, 4).mul(3).sum(),
        F.groupNorm(x, 2, w.index(':', 0, 0).narrow(0, 0, 4), b.narrow(0, 0, 4)).pow(3).sum(),
        new nn.Upsample({ scaleFactor: 2 })(x).pow(2).sum(),
        lh.mul(lc).sum(), (cells[1] as torch.nn.GRUCell)(cx, ch).pow(2).sum(), (cells[2] as torch.nn.RNNCell)(cx, ch).pow(2).sum(),
      ];
      const total = torch.stack(parts);
      await total.mul(torch.arange(parts.length, { device: dev }).float().add(1)).sum().backward();
      const out = [await values(total), await values(x.grad!), await values(w.grad!), await values(b.grad!), await values(cx.grad!), ...await Promise.all(cells.map((c) => values(c.weight_hh.grad!)))];
      for (const c of cells) c.zeroGrad();
      return out;
    };
    const cpu = await run('cpu'), gpu = await run('gpu');
    for (const c of cells) c.to('cpu');
    for (let k = 0; k < cpu.length; k++) cpu[k].forEach((c, i) => expect(Math.abs(gpu[k][i] - c), `${k}:${i}`).toBeLessThan(2e-4 * Math.max(1, Math.abs(c))));
    // dropout2d on the GPU: one value per channel
    const y = await values(F.dropout2d(torch.ones([8, 16, 2, 2], { device: 'gpu' }), 0.5));
    for (let ch = 0; ch < 128; ch++) expect(new Set(y.slice(ch * 4, ch * 4 + 4)).size).toBe(1);
  });
});
