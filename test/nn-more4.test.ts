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
