// The 3-D layers: conv3d / Conv3d ('same', 'valid', the padding modes), conv_transpose3d / ConvTranspose3d,
// max / average / adaptive pooling in 3-D, and F.interpolate's 'bicubic', 'trilinear' and 5-D 'nearest':
// PyTorch 1.13's values and gradients (to ~1e-5 relative, float32), grad_fns, printed modules, parameter
// names and errors (test/fixtures/nn-3d.json, from scripts/torch-nn-3d.py, which writes its inputs too),
// finite differences (float64) and the GPU against the CPU.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradcheck, values } from './helpers.ts';

type Flat = [number[], number[]];
const REF = JSON.parse(readFileSync(new URL('./fixtures/nn-3d.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const R = REF.repr as Record<string, string>;
const { nn } = torch;
const F = nn.functional;
/** An input or weight the script made, as float32 (optionally requiring grad). */
const inp = (k: string, grad = false) => {
  const [shape, v] = REF[`in_${k}`] as Flat;
  const t = torch.tensor(v, { dtype: 'float32' }).reshape(shape);
  return grad ? t.requiresGrad_() : t;
};
/** The script's weights(y): 0.5, 0.643, … (a weighted sum's gradient differs at every element). */
const weights = (t: torch.Tensor) => torch.arange(t.numel()).reshape(t.shape).to({ dtype: t.dtype }).div(7).add(0.5);
const RTOL = 1e-5;
let worst = 0;
/** t against PyTorch's [shape, values]: each within RTOL of its value or of the tensor's largest. */
async function expectClose(t: torch.Tensor, [shape, want]: Flat, what: string): Promise<void> {
  expect(t.shape, `${what}: shape`).toEqual(shape);
  const got = await values(t), scale = Math.max(1e-30, ...want.map(Math.abs));
  got.forEach((a, i) => {
    const err = Math.abs(a - want[i]) / Math.max(Math.abs(want[i]), scale);
    worst = Math.max(worst, err);
    expect(err, `${what}[${i}]: ${a} against ${want[i]}`).toBeLessThanOrEqual(RTOL);
  });
}
/** f over the inputs, backward of (y · weights(y)).sum(): y, every input's gradient and the grad_fn against the script's. */
async function expectRun(key: string, f: (...ts: torch.Tensor[]) => torch.Tensor, ts: torch.Tensor[]): Promise<void> {
  for (const t of ts) t.grad = null;
  const y = f(...ts);
  await y.mul(weights(y)).sum().backward();
  const want = REF[key] as [Flat, ...unknown[]];
  await expectClose(y, want[0], `${key} y`);
  for (let i = 0; i < ts.length; i++) await expectClose(ts[i].grad!, want[1 + i] as Flat, `${key} grad ${i}`);
  expect(y.gradFn?.name, key).toBe(want[ts.length + 1]);
}
const available = await gpuForTests('nn-3d', { composite: true });

describe('conv3d', () => {
  it("PyTorch's values, gradients and grad_fns (stride, padding, 'same', 'valid', dilation, groups, bias, unbatched)", async () => {
    const x = inp('c_x', true), w = inp('c_w', true), b = inp('c_b', true);
    await expectRun('conv3d', (x, w, b) => F.conv3d(x, w, b, { stride: [2, 1, 2], padding: [1, 0, 1], dilation: [1, 2, 1], groups: 2 }), [x, w, b]);
    const x2 = inp('c_x2', true), w2 = inp('c_w2', true), b2 = inp('c_b2', true);
    await expectRun('conv3d_plain', (x, w) => F.conv3d(x, w), [x2, w2]);
    await expectRun('conv3d_same', (x, w, b) => F.conv3d(x, w, b, { padding: 'same', dilation: [1, 2, 1] }), [x2, w2, b2]);
    await expectRun('conv3d_valid', (x, w) => F.conv3d(x, w, null, { padding: 'valid', stride: 2 }), [x2, w2]);
    await expectRun('conv3d_unbatched', (x, w, b) => F.conv3d(x.index(0), w, b, { stride: [1, 2, 1], padding: 1 }), [x2, w2, b2]);
  });
  it("nn.Conv3d's padding modes (reflect, replicate, circular; 'same' with replicate), parameters, init, printed forms", async () => {
    const x2 = inp('c_x2', true);
    const load = (m: torch.nn.Conv3d) => { torch.noGrad(() => { m.weight.copy_(inp('c_w2')); m.bias!.copy_(inp('c_b2')); }); return m; };
    for (const mode of ['reflect', 'replicate', 'circular'] as const) {
      const m = load(new nn.Conv3d(2, 3, [2, 2, 3], { padding: [1, 0, 2], paddingMode: mode }));
      await expectRun(`conv3d_mod_${mode}`, (x) => m(x), [x2]);
    }
    const same = load(new nn.Conv3d(2, 3, [2, 2, 3], { padding: 'same', paddingMode: 'replicate', dilation: [2, 1, 1] }));
    await expectRun('conv3d_mod_same_replicate', (x) => same(x), [x2]);
    const P = REF.params as Record<string, unknown>;
    const mods: Record<string, torch.nn.Module> = {
      conv3d: new nn.Conv3d(2, 4, 3),
      conv3d_all: new nn.Conv3d(2, 4, [3, 2, 1], { padding: 'same', dilation: [1, 2, 1], groups: 2, bias: false, paddingMode: 'reflect' }),
      conv3d_pad: new nn.Conv3d(2, 4, 3, { stride: 2, padding: 1 }),
      conv3d_valid: new nn.Conv3d(2, 4, 3, { padding: 'valid' }),
      conv3d_pad3: new nn.Conv3d(2, 4, 3, { padding: [1, 0, 2], paddingMode: 'circular' }),
      nested: new nn.Sequential(new nn.Conv3d(1, 2, 2), new nn.MaxPool3d(2), new nn.AdaptiveAvgPool3d(1)),
    };
    for (const [k, m] of Object.entries(mods)) {
      expect(String(m), k).toBe(R[k]);
      expect(m.namedParameters().map(([n, p]) => [n, p.shape]), k).toEqual(P[k]);
    }
    torch.manualSeed(3);
    const c = new nn.Conv3d(4, 6, [3, 2, 2], { groups: 2 }), bound = 1 / Math.sqrt(2 * 12);
    for (const p of c.parameters()) {
      const v = (await values(p)).map(Math.abs);
      expect(Math.max(...v)).toBeLessThanOrEqual(bound);
      expect(Math.max(...v)).toBeGreaterThan(bound / 2);
    }
    expect(mods.nested(torch.ones([2, 1, 5, 5, 5])).shape).toEqual([2, 2, 1, 1, 1]);
  });
  it('gradients match finite differences (float64)', async () => {
    await gradcheck((x, w, b) => F.conv3d(x, w, b, { stride: [2, 1, 2], padding: [1, 0, 1], dilation: [1, 2, 1], groups: 2 }), [[1, 4, 3, 4, 3], [4, 2, 2, 2, 2], [4]]);
    await gradcheck((x, w) => F.conv3d(x, w, null, { padding: 'same', dilation: [2, 1, 1] }), [[2, 3, 3, 2], [2, 2, 2, 2, 1]]);
    const refl = new nn.Conv3d(1, 2, 2, { padding: 1, paddingMode: 'reflect', dtype: 'float64' });
    await gradcheck((x) => refl(x), [[1, 1, 3, 2, 3]]);
  });
});

describe('conv_transpose3d', () => {
  it("PyTorch's values, gradients and grad_fns; the module's outputSize, parameters and printed forms", async () => {
    const x = inp('ct_x', true), w = inp('ct_w', true), b = inp('ct_b', true), w2 = inp('ct_w2', true);
    await expectRun('ct3d', (x, w, b) => F.convTranspose3d(x, w, b, { stride: [2, 1, 2], padding: [1, 0, 1], outputPadding: [1, 0, 1], groups: 2, dilation: [1, 2, 1] }), [x, w, b]);
    await expectRun('ct3d_plain', (x, w) => F.convTranspose3d(x, w), [x, w2]);
    await expectClose(F.convTranspose3d(x.detach().index(1), w2.detach(), null, { stride: 2 }), (REF.ct3d_unbatched as Flat[])[0], 'unbatched');
    const m = new nn.ConvTranspose3d(4, 2, 2, { stride: 2 });
    torch.noGrad(() => { m.weight.copy_(inp('ct_w2')); m.bias!.zero_(); });
    await expectClose(m(inp('ct_x'), [7, 7, 5]), (REF.ct3d_output_size as Flat[])[0], 'outputSize');
    expect(() => m(inp('ct_x'), [9, 9, 9])).toThrow(/valid sizes range from/);
    const P = REF.params as Record<string, unknown>;
    const mods: Record<string, torch.nn.Module> = {
      ct3d: new nn.ConvTranspose3d(2, 4, 3),
      ct3d_all: new nn.ConvTranspose3d(2, 4, [3, 2, 1], { stride: 2, padding: 1, outputPadding: 1, groups: 2, dilation: 2, bias: false }),
    };
    for (const [k, mod] of Object.entries(mods)) {
      expect(String(mod), k).toBe(R[k]);
      expect(mod.namedParameters().map(([n, p]) => [n, p.shape]), k).toEqual(P[k]);
    }
  });
  it('gradients match finite differences (float64)', async () => {
    await gradcheck((x, w, b) => F.convTranspose3d(x, w, b, { stride: [2, 1, 2], padding: [1, 0, 1], outputPadding: [1, 0, 1], groups: 2, dilation: [1, 2, 1] }), [[1, 4, 2, 2, 2], [4, 1, 2, 2, 2], [2]]);
  });
});

describe('3-D pooling', () => {
  it("max pooling: PyTorch's values, gradients (ties, ceil mode, padding, dilation), indices, grad_fns", async () => {
    const p = inp('p_x', true);
    const o = { stride: [2, 2, 1], padding: [1, 1, 0], dilation: [1, 1, 2], ceilMode: true } as const;
    await expectRun('maxpool3d', (t) => F.maxPool3d(t, [2, 3, 2], { ...o, stride: [2, 2, 1], padding: [1, 1, 0], dilation: [1, 1, 2] }), [p]);
    const [, ind] = F.maxPool3d(p.detach(), [2, 3, 2], { stride: [2, 2, 1], padding: [1, 1, 0], dilation: [1, 1, 2], ceilMode: true, returnIndices: true });
    expect(ind.dtype).toBe('int64');
    await expectClose(ind, (REF.maxpool3d_indices as Flat[])[0], 'indices');
    await expectRun('maxpool3d_k2', (t) => F.maxPool3d(t, 2), [p]);
    await expectRun('maxpool3d_unbatched', (t) => F.maxPool3d(t.index(1), 3, { stride: 2, padding: 1 }), [p]);
    await expectClose(F.maxPool3d(p.detach().index(1), 3, { stride: 2, padding: 1, returnIndices: true })[1], (REF.maxpool3d_unbatched_indices as Flat[])[0], 'unbatched indices');
    const [v2, i2] = new nn.MaxPool3d([2, 3, 2], { stride: [2, 2, 1], padding: [1, 1, 0], dilation: [1, 1, 2], ceilMode: true, returnIndices: true })(p.detach()) as unknown as [torch.Tensor, torch.Tensor];
    await expectClose(v2, (REF.maxpool3d as Flat[])[0], 'module');
    await expectClose(i2, (REF.maxpool3d_indices as Flat[])[0], 'module indices');
  });
  it("average pooling: PyTorch's values and gradients (ceil mode, countIncludePad, divisorOverride, unbatched)", async () => {
    const p = inp('p_x', true);
    await expectRun('avgpool3d', (t) => F.avgPool3d(t, [3, 2, 2], { stride: 2, padding: 1, ceilMode: true }), [p]);
    await expectRun('avgpool3d_nopad', (t) => F.avgPool3d(t, [3, 2, 2], { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), [p]);
    await expectRun('avgpool3d_div', (t) => F.avgPool3d(t, [2, 3, 3], { stride: [1, 2, 3], padding: [0, 1, 1], divisorOverride: 5 }), [p]);
    await expectRun('avgpool3d_unbatched', (t) => new nn.AvgPool3d(2)(t.index(0)), [p]);
  });
  it("adaptive pooling: PyTorch's values, gradients and indices", async () => {
    const p = inp('p_x', true);
    await expectRun('aap3d', (t) => F.adaptiveAvgPool3d(t, [2, null, 3]), [p]);
    await expectRun('aap3d_3', (t) => new nn.AdaptiveAvgPool3d(3)(t), [p]);
    await expectRun('aap3d_unbatched', (t) => F.adaptiveAvgPool3d(t.index(1), [4, 4, 5]), [p]);
    await expectRun('amp3d', (t) => F.adaptiveMaxPool3d(t, [2, 4, 3]), [p]);
    await expectClose(F.adaptiveMaxPool3d(p.detach(), [2, 4, 3], true)[1], (REF.amp3d_indices as Flat[])[0], 'amp indices');
    await expectRun('amp3d_unbatched', (t) => F.adaptiveMaxPool3d(t.index(0), [3, null, 2]), [p]);
    const [v, i] = new nn.AdaptiveMaxPool3d([2, 4, 3], true)(p.detach()) as unknown as [torch.Tensor, torch.Tensor];
    await expectClose(v, (REF.amp3d as Flat[])[0], 'module');
    expect(i.dtype).toBe('int64');
  });
  it('printed forms', () => {
    const mods: Record<string, torch.nn.Module> = {
      maxpool3d: new nn.MaxPool3d(2), maxpool3d_all: new nn.MaxPool3d([2, 1, 2], { stride: 1, padding: 1, dilation: 2, ceilMode: true, returnIndices: true }),
      avgpool3d: new nn.AvgPool3d(2), avgpool3d_all: new nn.AvgPool3d([2, 1, 2], { stride: 1, padding: 1, ceilMode: true, countIncludePad: false, divisorOverride: 3 }),
      aap3d: new nn.AdaptiveAvgPool3d(2), aap3d_none: new nn.AdaptiveAvgPool3d([2, null, 3]), amp3d: new nn.AdaptiveMaxPool3d([2, null, 3], true),
    };
    for (const [k, m] of Object.entries(mods)) expect(String(m), k).toBe(R[k]);
  });
  it('gradients match finite differences (float64)', async () => {
    await gradcheck((x) => F.maxPool3d(x, [2, 3, 2], { stride: [2, 2, 1], padding: [1, 1, 0], dilation: [1, 1, 2], ceilMode: true }), [[1, 2, 3, 4, 5]]);
    await gradcheck((x) => F.avgPool3d(x, [3, 2, 2], { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), [[1, 2, 4, 3, 5]]);
    await gradcheck((x) => F.avgPool3d(x, 2, { stride: 1, divisorOverride: 3 }), [[2, 3, 3, 2]]);
    await gradcheck((x) => F.adaptiveAvgPool3d(x, [2, 3, 2]), [[1, 2, 3, 5, 4]]);
    await gradcheck((x) => F.adaptiveMaxPool3d(x, [2, 3, 2]), [[1, 2, 3, 5, 4]]);
  });
});

describe('bicubic, trilinear and 5-D nearest interpolation', () => {
  it("PyTorch's values, gradients and grad_fns (sizes, scale factors, alignCorners, clamped borders)", async () => {
    const u = inp('up_x', true), v = inp('tri_x', true);
    const cases: Record<string, [torch.Tensor, (t: torch.Tensor) => torch.Tensor]> = {
      bicubic_size: [u, (t) => F.interpolate(t, { size: [7, 9], mode: 'bicubic' })],
      bicubic_down: [u, (t) => F.interpolate(t, { size: [3, 2], mode: 'bicubic' })],
      bicubic_ac: [u, (t) => F.interpolate(t, { size: [6, 8], mode: 'bicubic', alignCorners: true })],
      bicubic_sf: [u, (t) => F.interpolate(t, { scaleFactor: 1.7, mode: 'bicubic' })],
      bicubic_sf2: [u, (t) => F.interpolate(t, { scaleFactor: [0.6, 2], mode: 'bicubic' })],
      bicubic_ac_one: [u, (t) => F.interpolate(t, { size: [1, 3], mode: 'bicubic', alignCorners: true })],
      bilinear_keep: [u, (t) => F.interpolate(t, { scaleFactor: [2, 1.1], mode: 'bilinear' })],
      bicubic_keep: [u, (t) => F.interpolate(t, { scaleFactor: [2, 1.1], mode: 'bicubic' })],
      trilinear_size: [v, (t) => F.interpolate(t, { size: [5, 6, 4], mode: 'trilinear' })],
      trilinear_ac: [v, (t) => F.interpolate(t, { size: [4, 7, 2], mode: 'trilinear', alignCorners: true })],
      trilinear_sf: [v, (t) => F.interpolate(t, { scaleFactor: 1.5, mode: 'trilinear' })],
      trilinear_sf3: [v, (t) => F.interpolate(t, { scaleFactor: [0.7, 2, 1.3], mode: 'trilinear' })],
      nearest3d_size: [v, (t) => F.interpolate(t, { size: [5, 7, 2], mode: 'nearest' })],
      nearest3d_sf: [v, (t) => F.interpolate(t, { scaleFactor: 2, mode: 'nearest' })],
    };
    for (const [k, [t, f]] of Object.entries(cases)) await expectRun(k, f, [t]);
    const ups = REF.upsample as Flat[];
    await expectClose(new nn.Upsample({ scaleFactor: 2, mode: 'bicubic', alignCorners: true })(u.detach()), ups[0], 'Upsample bicubic');
    await expectClose(new nn.Upsample({ size: [4, 5, 6], mode: 'trilinear' })(v.detach()), ups[1], 'Upsample trilinear');
    await expectClose(new nn.Upsample({ scaleFactor: [1, 2, 3] })(v.detach()), ups[2], 'Upsample nearest 5-D');
    expect(String(new nn.Upsample({ scaleFactor: 2, mode: 'bicubic' }))).toBe(R.upsample_bicubic);
    expect(String(new nn.Upsample({ size: [2, 3, 4], mode: 'trilinear', alignCorners: true }))).toBe(R.upsample_trilinear);
  });
  it('gradients match finite differences (float64)', async () => {
    await gradcheck((x) => F.interpolate(x, { size: [5, 7], mode: 'bicubic' }), [[1, 2, 3, 4]]);
    await gradcheck((x) => F.interpolate(x, { scaleFactor: 0.6, mode: 'bicubic', alignCorners: true }), [[2, 1, 5, 5]]);
    await gradcheck((x) => F.interpolate(x, { size: [3, 5, 4], mode: 'trilinear' }), [[1, 2, 2, 3, 3]]);
    await gradcheck((x) => F.interpolate(x, { size: [3, 5, 4], mode: 'nearest' }), [[1, 2, 2, 3, 3]]);
  });
});

describe("PyTorch's errors", () => {
  const E = REF.errors as Record<string, string>;
  const x5 = torch.ones([1, 2, 3, 4, 5]);
  const cases: Record<string, () => unknown> = {
    conv3d_rank: () => F.conv3d(x5.index(0, 0), torch.ones([2, 2, 1, 1, 1])),
    conv3d_channels: () => F.conv3d(x5, torch.ones([2, 3, 1, 1, 1])),
    conv3d_bias: () => F.conv3d(x5, torch.ones([2, 2, 1, 1, 1]), torch.ones([3])),
    conv3d_big: () => F.conv3d(x5, torch.ones([2, 2, 4, 1, 1])),
    conv3d_same_stride: () => F.conv3d(x5, torch.ones([2, 2, 1, 1, 1]), null, { stride: 2, padding: 'same' }),
    conv3d_pad_string: () => F.conv3d(x5, torch.ones([2, 2, 1, 1, 1]), null, { padding: 'foo' as 'same' }),
    conv3d_groups: () => F.conv3d(x5, torch.ones([3, 2, 1, 1, 1]), null, { groups: 2 }),
    conv3d_stride0: () => F.conv3d(x5, torch.ones([2, 2, 1, 1, 1]), null, { stride: 0 }),
    conv3d_negpad: () => F.conv3d(x5, torch.ones([2, 2, 1, 1, 1]), null, { padding: -1 }),
    conv3d_ctor_groups: () => new nn.Conv3d(3, 4, 2, { groups: 2 }),
    conv3d_ctor_out: () => new nn.Conv3d(4, 3, 2, { groups: 2 }),
    conv3d_ctor_mode: () => new nn.Conv3d(2, 4, 2, { paddingMode: 'foo' as 'zeros' }),
    conv3d_ctor_same: () => new nn.Conv3d(2, 4, 2, { padding: 'same', stride: 2 }),
    ct3d_rank: () => F.convTranspose3d(x5.index(0, 0), torch.ones([3, 2, 1, 1, 1])),
    ct3d_channels: () => F.convTranspose3d(x5, torch.ones([3, 2, 1, 1, 1])),
    ct3d_output_padding: () => F.convTranspose3d(x5, torch.ones([2, 2, 2, 2, 2]), null, { stride: 2, outputPadding: 2 }),
    maxpool3d_rank: () => F.maxPool3d(x5.index(0, 0), 2),
    maxpool3d_pad: () => F.maxPool3d(x5, 2, { padding: 2 }),
    maxpool3d_small: () => F.maxPool3d(x5, 4),
    avgpool3d_rank: () => F.avgPool3d(x5.index(0, 0), 2),
    avgpool3d_pad: () => F.avgPool3d(x5, 2, { padding: 2 }),
    avgpool3d_small: () => F.avgPool3d(x5, 4),
    avgpool3d_pad_first: () => F.avgPool3d(x5, 4, { padding: 3 }),
    aap3d_rank: () => F.adaptiveAvgPool3d(x5.index(0, 0), 2),
    aap3d_size: () => F.adaptiveAvgPool3d(x5, [2, 2] as unknown as [number, number, number]),
    amp3d_rank: () => F.adaptiveMaxPool3d(x5.index(0, 0), 2),
    interp_bicubic_5d: () => F.interpolate(x5, { size: 3, mode: 'bicubic' }),
    interp_bicubic_3d: () => F.interpolate(x5.index(0, 0), { size: 3, mode: 'bicubic' }),
    interp_trilinear_4d: () => F.interpolate(x5.index(0), { size: 3, mode: 'trilinear' }),
    interp_bilinear_5d: () => F.interpolate(x5, { size: 3, mode: 'bilinear' }),
    interp_size_len: () => F.interpolate(x5, { size: [3, 3], mode: 'trilinear' }),
    interp_sf_len: () => F.interpolate(x5, { scaleFactor: [3, 3], mode: 'nearest' }),
    interp_nearest_ac: () => F.interpolate(x5, { size: 3, mode: 'nearest', alignCorners: true }),
  };
  // (a Python set's order varies between runs: the padding modes are compared as a set)
  const norm = (s: string | null) => s?.replace(/\{([^}]*)\}/, (_, xs: string) => `{${xs.split(', ').sort().join(', ')}}`) ?? null;
  for (const [k, f] of Object.entries(cases)) {
    it(k, () => {
      let msg: string | null = null;
      try { f(); } catch (e) { msg = (e as Error).message; }
      expect(norm(msg)).toBe(norm(E[k]));
    });
  }
});

describe.runIf(available)('on the GPU', () => {
  it("the CPU's values, gradients and indices", async () => {
    torch.manualSeed(11);
    const src = torch.randn([2, 4, 5, 6, 5]), wsrc = torch.randn([6, 2, 3, 2, 3]), bsrc = torch.randn([6]), tsrc = torch.randn([4, 3, 2, 2, 2]);
    const run = async (dev: string) => {
      const x = src.to(dev).detach().requiresGrad_(), w = wsrc.to(dev).detach().requiresGrad_(), b = bsrc.to(dev).detach().requiresGrad_();
      const tw = tsrc.to(dev).detach().requiresGrad_();
      const parts = [
        F.conv3d(x, w, b, { stride: [2, 1, 2], padding: [1, 0, 1], dilation: [1, 2, 1], groups: 2 }).pow(2).sum(),
        F.conv3d(x, w, null, { padding: 'same', groups: 2 }).pow(2).sum(),
        F.convTranspose3d(x.narrow(2, 0, 3), tw, b, { stride: [2, 1, 2], padding: [1, 0, 1], outputPadding: [1, 0, 1], groups: 2 }).pow(2).sum(),
        F.maxPool3d(x, [2, 3, 2], { stride: [2, 2, 1], padding: [1, 1, 0], dilation: [1, 1, 2], ceilMode: true }).pow(2).sum(),
        F.avgPool3d(x, [3, 2, 2], { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }).pow(2).sum(),
        F.adaptiveAvgPool3d(x, [2, 4, 3]).pow(2).sum(), F.adaptiveMaxPool3d(x, [3, 2, 4]).pow(2).sum(),
        F.interpolate(x.index(':', ':', 0), { size: [7, 9], mode: 'bicubic' }).pow(2).sum(),
        F.interpolate(x.index(':', ':', 1), { scaleFactor: 0.6, mode: 'bicubic', alignCorners: true }).pow(2).sum(),
        F.interpolate(x, { size: [4, 7, 6], mode: 'trilinear' }).pow(2).sum(),
        F.interpolate(x, { scaleFactor: [1, 2, 1.5], mode: 'nearest' }).pow(2).sum(),
      ];
      const total = torch.stack(parts);
      await total.mul(torch.arange(parts.length, { device: dev }).float().add(1)).sum().backward();
      return [await values(total), await values(x.grad!), await values(w.grad!), await values(b.grad!), await values(tw.grad!)];
    };
    const cpu = await run('cpu'), gpu = await run('gpu');
    for (let k = 0; k < cpu.length; k++) cpu[k].forEach((c, i) => expect(Math.abs(gpu[k][i] - c), `${k}:${i}`).toBeLessThan(2e-4 * Math.max(1, Math.abs(c))));
    const o = { stride: 2, padding: 1, ceilMode: true, returnIndices: true } as const;
    expect(await values(F.maxPool3d(src.to('gpu'), 3, o)[1])).toEqual(await values(F.maxPool3d(src, 3, o)[1]));
    expect(await values(F.adaptiveMaxPool3d(src.to('gpu'), [2, 4, 3], true)[1])).toEqual(await values(F.adaptiveMaxPool3d(src, [2, 4, 3], true)[1]));
  });
});

describe('worst relative error against PyTorch', () => {
  it('is reported', () => { console.log(`nn-3d: worst relative error against PyTorch 1.13: ${worst.toExponential(2)}`); });
});
