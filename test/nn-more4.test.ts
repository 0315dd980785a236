// BatchNorm3d, InstanceNorm1d/3d (and InstanceNorm2d's running statistics), the 3-D padding layers,
// UpsamplingNearest2d / UpsamplingBilinear2d, CrossMapLRN2d, the lazy modules, module hooks and nn.utils'
// weightNorm, spectralNorm, parametrize, fuseConvBnEval / fuseConvBnWeights, skipInit: PyTorch 1.13's
// values, gradients, printed modules, parameter and state-dict names and errors (test/fixtures/nn-more4.json,
// from scripts/torch-nn-more4.py, which writes its inputs too).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { values } from './helpers.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const REF = JSON.parse(readFileSync(new URL('./fixtures/nn-more4.json', import.meta.url), 'utf8')) as Record<string, any>;
const { nn } = torch;
const R = REF.repr as Record<string, string>;
const E = REF.errors as Record<string, string>;
const inp = (k: string) => torch.tensor(REF[`in_${k}`] as number[], { dtype: 'float32' });
const weights = (t: torch.Tensor) => torch.arange(t.numel()).reshape(t.shape).float().div(7).add(0.5);
type Nested = number | string | Nested[];
const flat = (v: Nested): number[] => (Array.isArray(v) ? v.flatMap(flat) : [typeof v === 'string' ? Number(v.replace('inf', 'Infinity')) : v]);
/** t's values against PyTorch's nested list (same shape, within tol relative to the magnitude). */
async function close(t: torch.Tensor, want: Nested, what: string, tol = 2e-5): Promise<void> {
  const w = flat(want), v = await values(t);
  expect(v.length, `${what}: size`).toBe(w.length);
  v.forEach((a, i) => {
    if (Number.isNaN(w[i])) expect(a, `${what}[${i}]`).toBeNaN();
    else expect(Math.abs(a - w[i]), `${what}[${i}]: ${a} against ${w[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w[i])));
  });
}
/** f over the inputs, backward of (y · weights(y)).sum(): y and every input's gradient against the script's run(key). */
async function expectRun(key: string, f: (...ts: torch.Tensor[]) => torch.Tensor, ts: torch.Tensor[]): Promise<void> {
  const xs = ts.map((t) => t.detach().clone().requiresGrad_());
  const y = f(...xs);
  await y.mul(weights(y)).sum().backward();
  const want = REF[key] as Nested[];
  expect(want, key).toBeDefined();
  await close(y, want[0], `${key} y`);
  for (let i = 0; i < xs.length; i++) await close(xs[i].grad!, want[1 + i], `${key} grad ${i}`);
}
/** m's state dict (or, with buffersOnly, its buffers: the script replaced the parameters by plain tensors) against the script's. */
async function closeState(m: torch.nn.Module, want: Record<string, Nested>, what: string, only?: ((k: string) => boolean) | 'buffersOnly'): Promise<void> {
  const sd = only === 'buffersOnly' ? Object.fromEntries(m.namedBuffers()) : m.stateDict();
  expect(Object.keys(sd), what).toEqual(Object.keys(want));
  if (only === 'buffersOnly') only = undefined;
  for (const [k, v] of Object.entries(want)) if (!only || only(k)) await close(sd[k], v, `${what} ${k}`);
}

describe('normalization', () => {
  it("BatchNorm3d: PyTorch's values, gradients, running statistics, eval", async () => {
    const x = inp('bn3_x').requiresGrad_(), w = new nn.Parameter(inp('bn3_w')), b = new nn.Parameter(inp('bn3_b'));
    const m = new nn.BatchNorm3d(3, { momentum: 0.2 });
    m.weight = w; m.bias = b;
    const y = m(x);
    await y.mul(weights(y)).sum().backward();
    const want = REF.bn3 as Nested[];
    await close(y, want[0], 'bn3 y'); await close(x.grad!, want[1], 'bn3 dx'); await close(w.grad!, want[2], 'bn3 dw'); await close(b.grad!, want[3], 'bn3 db');
    await closeState(m, REF.bn3_state, 'bn3 state', 'buffersOnly');
    m.eval();
    await close(m(inp('bn3_x')), REF.bn3_eval, 'bn3 eval');
    expect(() => new nn.BatchNorm3d(3)(torch.randn([2, 3, 4]))).toThrow(E.bn3_dim);
    expect(String(new nn.BatchNorm3d(3))).toBe(R.bn3);
    expect(String(new nn.BatchNorm3d(4, { eps: 1e-3, momentum: 0.2, affine: false, trackRunningStats: false }))).toBe(R.bn3_opts);
    expect(new nn.BatchNorm3d(3) instanceof nn.BatchNorm2d).toBe(false);
  });
  it('InstanceNorm1d with affine and running statistics: values, gradients, state, eval (batched and not)', async () => {
    const x = inp('in1_x').requiresGrad_(), w = new nn.Parameter(inp('bn3_w')), b = new nn.Parameter(inp('bn3_b'));
    const m = new nn.InstanceNorm1d(3, { affine: true, trackRunningStats: true, momentum: 0.3 });
    m.weight = w; m.bias = b;
    const y = m(x);
    await y.mul(weights(y)).sum().backward();
    const want = REF.in1 as Nested[];
    await close(y, want[0], 'in1 y'); await close(x.grad!, want[1], 'in1 dx'); await close(w.grad!, want[2], 'in1 dw'); await close(b.grad!, want[3], 'in1 db');
    await closeState(m, REF.in1_state, 'in1 state', 'buffersOnly');
    m.eval();
    await close(m(inp('in1_x')), REF.in1_eval, 'in1 eval');
    await close(m(inp('in1_x').index(1)), REF.in1_eval_unbatched, 'in1 eval unbatched');
  });
  it('InstanceNorm1d / 3d without running statistics, InstanceNorm2d with them; reprs, errors', async () => {
    await expectRun('in1_plain_unbatched', (x) => new nn.InstanceNorm1d(3)(x), [inp('in1_x').index(0)]);
    await expectRun('in3', (x) => new nn.InstanceNorm3d(3, { eps: 1e-3 })(x), [inp('bn3_x')]);
    const m = new nn.InstanceNorm2d(3, { trackRunningStats: true });
    m(inp('in2_x'));
    await closeState(m, REF.in2_track_state, 'in2 state');
    m.eval();
    await close(m(inp('in2_x')), REF.in2_track_eval, 'in2 eval');
    expect(String(new nn.InstanceNorm1d(3))).toBe(R.in1);
    expect(String(new nn.InstanceNorm1d(5, { affine: true, trackRunningStats: true }))).toBe(R.in1_opts);
    expect(String(new nn.InstanceNorm3d(3, { affine: true }))).toBe(R.in3);
    expect(String(new nn.InstanceNorm2d(3, { trackRunningStats: true }))).toBe(R.in2_track);
    expect(() => new nn.InstanceNorm1d(3)(torch.randn([2, 3, 4, 5]))).toThrow(E.in1_dim);
    expect(() => new nn.InstanceNorm3d(3)(torch.randn([2, 3, 4]))).toThrow(E.in3_dim);
  });
});

describe('padding, upsampling, CrossMapLRN2d', () => {
  it("the 3-D padding layers: PyTorch's values and gradients, reprs, errors", async () => {
    await expectRun('cpad3', (x) => new nn.ConstantPad3d([1, 0, 2, 1, 0, 1], 3.5)(x), [inp('pad_x')]);
    await expectRun('rfpad3', (x) => new nn.ReflectionPad3d([2, 1, 1, 2, 1, 0])(x), [inp('pad_x')]);
    await expectRun('rppad3', (x) => new nn.ReplicationPad3d(2)(x.index(0)), [inp('pad_x')]);
    expect(String(new nn.ConstantPad3d(1, 3.5))).toBe(R.cpad3);
    expect(String(new nn.ConstantPad3d([1, 0, 2, 1, 0, 1], -1))).toBe(R.cpad3_t);
    expect(String(new nn.ReflectionPad3d(1))).toBe(R.rfpad3);
    expect(String(new nn.ReplicationPad3d([1, 2, 0, 1, 1, 0]))).toBe(R.rppad3);
    expect(() => new nn.ReflectionPad3d(3)(torch.randn([1, 2, 3, 3, 3]))).toThrow(E.rfpad3_big);
  });
  it("UpsamplingNearest2d / UpsamplingBilinear2d (align_corners): PyTorch's values, gradients, reprs", async () => {
    await expectRun('upn', (x) => new nn.UpsamplingNearest2d({ scaleFactor: 2 })(x), [inp('up_x')]);
    await expectRun('upn_size', (x) => new nn.UpsamplingNearest2d({ size: [5, 7] })(x), [inp('up_x')]);
    await expectRun('upb', (x) => new nn.UpsamplingBilinear2d({ scaleFactor: 2 })(x), [inp('up_x')]);
    await expectRun('upb_size', (x) => new nn.UpsamplingBilinear2d({ size: [4, 6] })(x), [inp('up_x')]);
    expect(String(new nn.UpsamplingNearest2d({ scaleFactor: 2 }))).toBe(R.upn);
    expect(String(new nn.UpsamplingNearest2d({ size: [5, 7] }))).toBe(R.upn_size);
    expect(String(new nn.UpsamplingBilinear2d({ scaleFactor: 2 }))).toBe(R.upb);
    expect(String(new nn.UpsamplingBilinear2d({ size: [3, 4] }))).toBe(R.upb_size);
  });
  it("CrossMapLRN2d: PyTorch's values and (hand-written) gradients for several sizes", async () => {
    for (const size of [3, 4, 5, 2]) await expectRun(`lrn${size}`, (x) => new nn.CrossMapLRN2d(size, 0.3, 0.6, 1.5)(x), [inp('lrn_x')]);
    await expectRun('lrn_big', (x) => new nn.CrossMapLRN2d(9, 0.5)(x), [inp('lrn_x')]);
    await close(new nn.CrossMapLRN2d(1, 0.3)(inp('lrn_x')), REF.lrn1, 'lrn1');
    const x = inp('lrn_x').requiresGrad_();
    await expect(new nn.CrossMapLRN2d(1)(x).sum().backward()).rejects.toThrow(REF.lrn1_backward);
    expect(String(new nn.CrossMapLRN2d(3))).toBe(R.lrn);
    expect(String(new nn.CrossMapLRN2d(5, 0.3, 0.6, 1.5))).toBe(R.lrn_opts);
    expect(() => new nn.CrossMapLRN2d(3)(torch.randn([2, 3, 4]))).toThrow(/4D/);
  });
});

describe('lazy modules', () => {
  const X: Record<number, torch.Tensor> = { 1: inp('lazy_x1'), 2: inp('lazy_x2'), 3: inp('lazy_x3') };
  const cases: Record<string, [() => torch.nn.Module, torch.Tensor]> = {
    linear: [() => new nn.LazyLinear(3), X[1]],
    linear_nobias: [() => new nn.LazyLinear(2, { bias: false }), X[2]],
    conv1d: [() => new nn.LazyConv1d(4, 3, { stride: 2, groups: 2 }), X[1]],
    conv1d_unbatched: [() => new nn.LazyConv1d(3, 2), X[1].index(0)],
    conv2d: [() => new nn.LazyConv2d(3, [2, 3], { padding: 1, bias: false }), X[2]],
    conv3d: [() => new nn.LazyConv3d(2, 2), X[3]],
    convt1d: [() => new nn.LazyConvTranspose1d(3, 3, { stride: 2 }), X[1]],
    convt2d: [() => new nn.LazyConvTranspose2d(4, 2, { groups: 2, outputPadding: 1, stride: 2 }), X[2]],
    convt3d: [() => new nn.LazyConvTranspose3d(2, [1, 2, 2]), X[3]],
    bn1d: [() => new nn.LazyBatchNorm1d(), X[1]],
    bn2d: [() => new nn.LazyBatchNorm2d({ affine: false, momentum: 0.5 }), X[2]],
    bn3d: [() => new nn.LazyBatchNorm3d({ trackRunningStats: false }), X[3]],
    in1d: [() => new nn.LazyInstanceNorm1d(), X[1]],
    in2d: [() => new nn.LazyInstanceNorm2d({ affine: false, trackRunningStats: false }), X[2]],
    in3d: [() => new nn.LazyInstanceNorm3d({ trackRunningStats: false }), X[3]],
  };
  for (const [key, [make, x]] of Object.entries(cases)) {
    it(`${key}: printed form and uninitialized parameters before, the class, shapes, state and values after`, async () => {
      const want = REF.lazy[key];
      const m = make();
      expect(String(m)).toBe(want.before);
      expect(m.namedParameters().map(([n, p]) => [n, p.constructor.name])).toEqual(want.params_before);
      expect(m.namedBuffers().map(([n, b]) => [n, b.constructor.name])).toEqual(want.buffers_before);
      expect(Object.keys(m.stateDict())).toEqual(want.keys_before);
      const params = m.parameters();
      const y = m(x);
      expect(m.constructor.name).toBe(want.cls);
      expect(String(m)).toBe(want.after);
      expect(m.namedParameters().map(([n, p]) => [n, p.shape])).toEqual(want.params);
      // the same Parameter objects, now plain parameters (an optimizer made before trains them)
      expect(m.parameters()).toEqual(params);
      for (const p of m.parameters()) expect(p.constructor).toBe(nn.Parameter);
      // the running statistics follow PyTorch's (they start from zeros / ones)
      await closeState(m, want.state, `${key} state`, (k) => k.startsWith('running') || k === 'num_batches_tracked');
      if (!/^(bn|in)/.test(key)) {
        // the values with PyTorch's random parameters
        m.loadStateDict(Object.fromEntries(Object.entries(want.state as Record<string, Nested>).map(([k, v]) => [k, torch.tensor(v as number[])])));
        await close(m(x), want.y, `${key} y`);
      } else await close(y, want.y, `${key} y`);
    });
  }
  it('errors and the uninitialized parameter printed', () => {
    expect(String(new nn.LazyLinear(3).weight)).toBe(REF.lazy_uninit_repr);
    expect(() => new nn.LazyConv2d(4, 3)(torch.randn([2, 3]))).toThrow(E.lazy_conv_dim);
    expect(() => new nn.LazyConv2d(4, 3, { groups: 2 })(torch.randn([1, 3, 5, 5]))).toThrow(E.lazy_conv_groups);
  });
  it('a lazy linear trained by an optimizer made before its first forward', async () => {
    torch.manualSeed(3);
    const m = new nn.LazyLinear(2);
    const opt = new torch.optim.SGD(m.parameters(), { lr: 0.1 });
    const x = torch.randn([4, 3]);
    await m(x).sum().backward();
    const before = await values(m.weight);
    opt.step();
    const after = await values(m.weight);
    const g = await values(m.weight.grad!);
    after.forEach((v, i) => expect(v).toBeCloseTo(before[i] - 0.1 * g[i], 6));
  });
});

describe('module hooks', () => {
  it('forward pre-hooks replace the inputs, forward hooks the output, in registration order; remove() unregisters', async () => {
    const m = new nn.Linear(2, 2);
    const calls: string[] = [];
    const h1 = m.registerForwardPreHook((_m, [x]) => { calls.push('pre1'); return (x as torch.Tensor).mul(0); });
    const h2 = m.registerForwardPreHook((mod, input) => { calls.push(`pre2 ${mod === m} ${input.length}`); });
    const h3 = m.registerForwardHook((_m, _in, out) => { calls.push('post'); return (out as torch.Tensor).add(1); });
    const y = m(torch.ones([1, 2]));
    expect(calls).toEqual(['pre1', 'pre2 true 1', 'post']);
    const b = await values(m.bias!);
    expect(await values(y)).toEqual(b.map((v) => Math.fround(v + 1)));
    h1.remove(); h2.remove(); h3.remove();
    expect(await values(m(torch.zeros([1, 2])))).toEqual(b);
    expect(calls).toHaveLength(3);
    expect(m.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
  });
});

describe('nn.utils', () => {
  const U = REF.utils;
  const linear = (w = 'wn_w', b = 'wn_b') => {
    const m = new nn.Linear(3, 4);
    torch.noGrad(() => { m.weight.copy_(inp(w)); m.bias!.copy_(inp(b)); });
    return m;
  };
  const weightOf = (m: torch.nn.Module) => (m as unknown as Record<string, torch.Tensor>).weight;
  const prop = (m: torch.nn.Module, k: string) => (m as unknown as Record<string, torch.Tensor>)[k];
  for (const [key, dim] of [['wn', 0], ['wn_dim1', 1], ['wn_none', null]] as const) {
    it(`weightNorm (dim ${dim}): names, g and v, values and gradients, removal`, async () => {
      const want = U[key];
      const m = nn.utils.weightNorm(linear(), 'weight', dim);
      expect(m.namedParameters().map(([n]) => n)).toEqual(want.names);
      expect(Object.keys(m.stateDict())).toEqual(want.keys);
      expect(String(m)).toBe(want.repr);
      await close(prop(m, 'weight_g'), want.g, 'g'); await close(prop(m, 'weight_v'), want.v, 'v');
      const x = inp('wn_x').requiresGrad_();
      const y = m(x);
      await y.mul(weights(y)).sum().backward();
      await close(y, want.y, 'y'); await close(weightOf(m), want.weight, 'weight');
      await close(x.grad!, want.dx, 'dx'); await close(prop(m, 'weight_g').grad!, want.dg, 'dg');
      await close(prop(m, 'weight_v').grad!, want.dv, 'dv'); await close(m.bias!.grad!, want.db, 'db');
      nn.utils.removeWeightNorm(m);
      expect(m.namedParameters().map(([n]) => n)).toEqual(want.removed_names);
      await close(weightOf(m), want.removed_weight, 'removed weight');
    });
  }
  it('weightNorm: a conv over dim 2, errors', async () => {
    const c = new nn.Conv2d(2, 3, 2);
    torch.noGrad(() => c.weight.copy_(inp('wn_cw')));
    nn.utils.weightNorm(c, 'weight', 2);
    await close(prop(c, 'weight_g'), U.wn_conv.g, 'conv g');
    const m = nn.utils.weightNorm(new nn.Linear(3, 4));
    expect(() => nn.utils.weightNorm(m)).toThrow(U.wn_errors.twice);
    expect(() => nn.utils.removeWeightNorm(new nn.Linear(3, 4))).toThrow(U.wn_errors.remove);
  });
  it("spectralNorm: PyTorch's power iteration from its u and v, values, gradients, eval, removal", async () => {
    const want = U.sn;
    const m = nn.utils.spectralNorm(linear(), 'weight', { nPowerIterations: 2 });
    expect(m.namedParameters().map(([n]) => n)).toEqual(want.names);
    expect(Object.keys(m.stateDict())).toEqual(want.keys);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(want.buffers);
    await close(weightOf(m), want.weight0, 'weight before');
    torch.noGrad(() => { prop(m, 'weight_u').copy_(torch.tensor(want.u0)); prop(m, 'weight_v').copy_(torch.tensor(want.v0)); });
    const x = inp('wn_x').requiresGrad_();
    const y = m(x), y2 = m(x);
    await y2.mul(weights(y2)).sum().backward();
    await close(y, want.y, 'y'); await close(y2, want.y2, 'y2');
    await close(prop(m, 'weight_u'), want.u, 'u'); await close(prop(m, 'weight_v'), want.v, 'v');
    await close(weightOf(m), want.weight, 'weight');
    await close(x.grad!, want.dx, 'dx'); await close(prop(m, 'weight_orig').grad!, want.dw, 'dw'); await close(m.bias!.grad!, want.db, 'db');
    m.eval();
    await close(m(inp('wn_x')), want.eval, 'eval');
    await close(prop(m, 'weight_u'), want.u_eval, 'u unchanged in eval');
    nn.utils.removeSpectralNorm(m);
    expect(m.namedParameters().map(([n]) => n)).toEqual(want.removed_names);
    expect(Object.keys(m.stateDict())).toEqual(want.removed_keys);
    await close(weightOf(m), want.removed_weight, 'removed weight');
  });
  it('spectralNorm of a transposed convolution (dim 1), errors', async () => {
    const ct = new nn.ConvTranspose2d(2, 3, 2);
    torch.noGrad(() => { ct.weight.copy_(inp('sn_ctw')); ct.bias!.zero_(); });
    nn.utils.spectralNorm(ct);
    expect(prop(ct, 'weight_u').shape).toEqual([3]);
    expect(prop(ct, 'weight_v').shape).toEqual([8]);
    torch.noGrad(() => { prop(ct, 'weight_u').copy_(torch.tensor(U.sn_ct.u0)); prop(ct, 'weight_v').copy_(torch.tensor(U.sn_ct.v0)); });
    await close(ct(inp('sn_ctx')), U.sn_ct.y, 'ct y');
    await close(prop(ct, 'weight_u'), U.sn_ct.u, 'ct u'); await close(prop(ct, 'weight_v'), U.sn_ct.v, 'ct v');
    const m = nn.utils.spectralNorm(new nn.Linear(3, 4));
    expect(() => nn.utils.spectralNorm(m)).toThrow(U.sn_errors.twice);
    expect(() => nn.utils.removeSpectralNorm(new nn.Linear(3, 4))).toThrow(U.sn_errors.remove);
    expect(() => nn.utils.spectralNorm(new nn.Linear(3, 4), 'weight', { nPowerIterations: 0 })).toThrow(U.sn_errors.iters);
  });
  class Symmetric extends nn.Module {
    override forward(X: torch.Tensor): torch.Tensor { return X.triu().add(X.triu(1).transpose(0, 1)); }
    rightInverse(A: torch.Tensor): torch.Tensor { return A.triu(); }
  }
  class Double extends nn.Module { override forward(X: torch.Tensor): torch.Tensor { return X.mul(2); } }
  class Shrink extends nn.Module { override forward(X: torch.Tensor): torch.Tensor { return X.narrow(0, 0, X.shape[0] - 1); } }
  it('parametrize: registerParametrization, the printed module, names, values, gradients, assignment, removal, cached', async () => {
    const want = U.pz, P = nn.utils.parametrize;
    const m = new nn.Linear(3, 3);
    torch.noGrad(() => { m.weight.copy_(inp('pz_w')); m.bias!.copy_(inp('wn_b').narrow(0, 0, 3)); });
    const original = m.weight;
    P.registerParametrization(m, 'weight', new Symmetric());
    expect(String(m)).toBe(want.repr);
    expect(m.namedParameters().map(([n]) => n)).toEqual(want.names);
    expect(m.parameters()[1]).toBe(original);
    expect(Object.keys(m.stateDict())).toEqual(want.keys);
    await close(original, want.original, 'original (right inverse)');
    await close(m.weight, want.weight, 'weight');
    expect([P.isParametrized(m), P.isParametrized(m, 'weight'), P.isParametrized(m, 'bias')]).toEqual(want.is);
    const x = inp('wn_x').requiresGrad_();
    const y = m(x);
    await y.mul(weights(y)).sum().backward();
    await close(y, want.y, 'y'); await close(x.grad!, want.dx, 'dx'); await close(original.grad!, want.dorig, 'd original');
    torch.noGrad(() => { m.weight = inp('wn_w').narrow(0, 0, 3) as torch.nn.Parameter; });
    await close(original, want.assigned_original, 'assigned original'); await close(m.weight, want.assigned_weight, 'assigned weight');
    P.registerParametrization(m, 'weight', new Double());
    expect(String(m)).toBe(want.repr2);
    await close(m.weight, want.weight2, 'weight2');
    expect(() => { m.weight = inp('wn_w').narrow(0, 0, 3) as torch.nn.Parameter; }).toThrow(want.assign_error);
    // cached: one computation per tensor inside, a fresh one each read outside
    expect(m.weight).not.toBe(m.weight);
    P.cached(() => expect(m.weight).toBe(m.weight));
    P.removeParametrizations(m, 'weight');
    expect(String(m)).toBe(want.removed.repr);
    expect(m.constructor.name).toBe(want.removed.cls);
    expect(m.namedParameters().map(([n]) => n)).toEqual(want.removed.names);
    expect(m.weight).toBe(original);
    await close(m.weight, want.removed.weight, 'removed weight');
    const m2 = new nn.Linear(3, 3);
    torch.noGrad(() => m2.weight.copy_(inp('pz_w')));
    P.registerParametrization(m2, 'weight', new Symmetric());
    P.removeParametrizations(m2, 'weight', false);
    await close(m2.weight, want.removed_orig, 'removed, original kept');
    expect(() => P.removeParametrizations(new nn.Linear(3, 3), 'weight')).toThrow(want.errors.remove);
    expect(() => P.registerParametrization(new nn.Linear(3, 3), 'weight', new Shrink())).toThrow(want.errors.shape);
    expect(() => P.registerParametrization(new nn.Linear(3, 3), 'nothing', new Double())).toThrow(want.errors.missing);
  });
  it("fuseConvBnEval / fuseConvBnWeights: PyTorch's fused weights and outputs; skipInit; clipGradNorm", async () => {
    const conv = new nn.Conv2d(2, 3, 2);
    torch.noGrad(() => { conv.weight.copy_(inp('wn_cw')); conv.bias!.copy_(inp('wn_b').narrow(0, 0, 3)); });
    const bn = new nn.BatchNorm2d(3);
    torch.noGrad(() => {
      bn.runningMean!.copy_(inp('fz_rm')); bn.runningVar!.copy_(inp('fz_rv').abs().add(0.5));
      bn.weight!.copy_(inp('wn_b').narrow(0, 1, 3)); bn.bias!.copy_(inp('wn_w').index(0));
    });
    expect(() => nn.utils.fuseConvBnEval(conv, bn)).toThrow(U.fz.train_error);
    conv.eval(); bn.eval();
    const f = nn.utils.fuseConvBnEval(conv, bn);
    expect(f).not.toBe(conv);
    expect(String(f)).toBe(U.fz.repr);
    await close(f.weight, U.fz.w, 'fused w'); await close(f.bias!, U.fz.b, 'fused b');
    await close(f(inp('fz_x')), U.fz.y, 'fused y');
    await close(bn(conv(inp('fz_x'))), U.fz.ref, 'unfused y');
    await close(conv.weight, REF.in_wn_cw, 'conv unchanged');
    const [w2, b2] = nn.utils.fuseConvBnWeights(inp('sn_ctw'), null, bn.runningMean!, bn.runningVar!, 1e-3, null, bn.bias, true);
    await close(w2, U.fz_t.w, 'transposed w'); await close(b2, U.fz_t.b, 'transposed b');
    expect(w2).toBeInstanceOf(nn.Parameter);
    expect(String(nn.utils.skipInit(nn.Linear, 3, 4))).toBe(U.skip);
    const p = new nn.Parameter(torch.tensor([3, 4], { dtype: "float32" }));
    p.grad = torch.tensor([3, 4], { dtype: "float32" });
    const total = nn.utils.clipGradNorm([p], 1);
    expect(await total.item()).toBeCloseTo(5, 5);
    expect((await values(p.grad)).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([0.6, 0.8]);
  });
});
