// Transposed convolutions, linear / bilinear interpolation, reflect / replicate / circular padding and the
// padding layers, adaptive max pooling, pixel (un)shuffle, PReLU, Threshold, Softmax2d, Bilinear, unfold /
// fold, ParameterList / ParameterDict: PyTorch 1.13's printed values and gradients, grad_fns, printed
// modules, parameter names and errors (test/fixtures/nn-extra.json, from scripts/torch-nn-extra.py, which
// writes its inputs and weights too), finite differences (float64) and the GPU against the CPU.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradcheck, values } from './helpers.ts';

const REF = JSON.parse(readFileSync(new URL('./fixtures/nn-extra.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const ref = (k: string) => REF[k] as string[];
const R = REF.repr as Record<string, string>;
const { nn } = torch;
const F = nn.functional;
const text = (t: torch.Tensor) => torch.format(t);
/** An input or weight the script made, as float32 (optionally requiring grad). */
const inp = (k: string, grad = false) => {
  const t = torch.tensor(REF[`in_${k}`] as number[], { dtype: 'float32' });
  return grad ? t.requiresGrad_() : t;
};
const ramp = (t: torch.Tensor) => torch.arange(t.numel()).reshape(t.shape).float().div(10).sub(0.7);
const NUM = /-?(?:\d+\.?\d*(?:e[+-]?\d+)?|inf|nan)/g;
/**
 * A tensor against PyTorch's printed one (its grad_fn left out): the same text, or (where summing in another
 * order moved the 4th printed digit) the same layout and every value within the printed precision.
 */
async function expectText(t: torch.Tensor, want: string, what: string): Promise<void> {
  const plain = (s: string) => s.replace(/,\s*grad_fn=<[\w:]+>\)$/, ')');
  want = plain(want);
  const got = plain(await text(t));
  if (got === want) return;
  const shape = want.replace(/\s+/g, '').replace(NUM, '0');
  expect(got.replace(/\s+/g, '').replace(NUM, '0'), `${what}: layout`).toBe(shape);
  const v = await values(t), w = (want.replace(/^tensor\(/, '').match(NUM) ?? []).map(Number), sci = /\de[+-]/.test(want);
  expect(v.length, what).toBe(w.length);
  v.forEach((a, i) => expect(Math.abs(a - w[i]), `${what}[${i}]: ${a} against ${w[i]}`).toBeLessThanOrEqual(sci ? 6e-5 * Math.abs(w[i]) + 1e-6 : 6e-5));
}
/** f over the inputs, backward of (y · ramp(y)).sum(): y, every input's gradient and the grad_fn against the script's. */
async function expectRun(key: string, f: (...ts: torch.Tensor[]) => torch.Tensor, ts: torch.Tensor[], gradFn = true): Promise<void> {
  for (const t of ts) t.grad = null;
  const y = f(...ts);
  await y.mul(ramp(y)).sum().backward();
  const want = ref(key);
  await expectText(y, want[0], `${key} y`);
  for (let i = 0; i < ts.length; i++) await expectText(ts[i].grad!, want[1 + i], `${key} grad ${i}`);
  if (gradFn) expect(y.gradFn?.name, key).toBe(want[ts.length + 1]);
}
const available = await gpuForTests('nn-extra', { composite: true });

describe('transposed convolution', () => {
  it("convTranspose2d: PyTorch's values, gradients (stride, padding, output padding, groups, dilation) and grad_fn", async () => {
    const x = inp('ct_x', true), w = inp('ct_w', true), b = inp('ct_b', true);
    await expectRun('ct2d', (x, w, b) => F.convTranspose2d(x, w, b, { stride: [2, 1], padding: [1, 0], outputPadding: [1, 0], groups: 2, dilation: [1, 2] }), [x, w, b]);
    const x2 = inp('ct_x2', true), w2 = inp('ct_w2', true);
    await expectRun('ct2d_plain', (x, w) => F.convTranspose2d(x, w), [x2, w2]);
    await expectRun('ct2d_stride', (x, w) => F.convTranspose2d(x, w, null, { stride: 3, padding: 1, outputPadding: 2 }), [x2, w2]);
    await expectText(F.convTranspose2d(x2.detach().index(0), w2.detach(), null, { stride: 2 }), ref('ct2d_unbatched')[0], 'unbatched');
  });
  it('convTranspose1d and the modules: forward, outputSize, parameters and their bounds, printed forms', async () => {
    const x = inp('ct1_x', true), w = inp('ct1_w', true), b = inp('ct1_b', true);
    await expectRun('ct1d', (x, w, b) => F.convTranspose1d(x, w, b, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }), [x, w, b]);
    await expectText(F.convTranspose1d(x.detach().index(1), w.detach(), null, { dilation: 2 }), ref('ct1d_unbatched')[0], 'ct1d unbatched');
    const m = new nn.ConvTranspose2d(2, 3, 2, { stride: 2 });
    torch.noGrad(() => { m.weight.copy_(inp('ct_w2')); m.bias!.zero_(); });
    await expectText(m(inp('ct_x2'), [7, 9]), ref('ct2d_output_size')[0], 'outputSize');
    expect(m(inp('ct_x2'), [1, 2, 6, 8]).shape).toEqual(ref('ct2d_output_size')[1]);
    expect(() => m(inp('ct_x2'), [9, 9])).toThrow(/valid sizes range from/);
    torch.manualSeed(5);
    const big = new nn.ConvTranspose2d(4, 6, 3, { groups: 2 });
    const bound = 1 / Math.sqrt(3 * 9);
    for (const p of big.parameters()) {
      const v = await values(p);
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(bound / 3);
    }
    const P = REF.params as Record<string, unknown>;
    const mods: Record<string, torch.nn.Module> = {
      ct2d: new nn.ConvTranspose2d(2, 4, 3, { stride: 2 }),
      ct2d_all: new nn.ConvTranspose2d(2, 4, [3, 2], { stride: [2, 1], padding: 1, outputPadding: 1, groups: 2, dilation: 2, bias: false }),
      ct1d: new nn.ConvTranspose1d(2, 4, 3),
      ct1d_all: new nn.ConvTranspose1d(2, 4, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2, dilation: 3, bias: false }),
    };
    for (const [k, mod] of Object.entries(mods)) {
      expect(String(mod), k).toBe(R[k]);
      expect(mod.namedParameters().map(([n, p]) => [n, p.shape]), k).toEqual(P[k]);
    }
    const y = mods.ct1d(inp('ct1_x').narrow(1, 0, 2));
    expect(y.shape).toEqual([2, 4, 7]);
  });
  it('gradients match finite differences (float64)', async () => {
    await gradcheck((x, w, b) => F.convTranspose2d(x, w, b, { stride: [2, 1], padding: [1, 0], outputPadding: [1, 0], groups: 2, dilation: [1, 2] }), [[2, 4, 3, 3], [4, 3, 3, 2], [6]]);
    await gradcheck((x, w) => F.convTranspose2d(x, w, null, { stride: 3, padding: 1, outputPadding: 2 }), [[2, 3, 4], [2, 2, 2, 2]]);
    await gradcheck((x, w, b) => F.convTranspose1d(x, w, b, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }), [[2, 4, 5], [4, 3, 3], [6]]);
  });
});

describe('linear and bilinear interpolation', () => {
  it("PyTorch's values, gradients and grad_fns (sizes, scale factors, align_corners)", async () => {
    const u = inp('up_x', true), l = inp('lin_x', true);
    const cases: Record<string, [torch.Tensor, (t: torch.Tensor) => torch.Tensor]> = {
      bilinear_sf2: [u, (t) => F.interpolate(t, { scaleFactor: 2, mode: 'bilinear' })],
      bilinear_size: [u, (t) => F.interpolate(t, { size: [5, 3], mode: 'bilinear' })],
      bilinear_ac: [u, (t) => F.interpolate(t, { size: [5, 7], mode: 'bilinear', alignCorners: true })],
      bilinear_sf: [u, (t) => F.interpolate(t, { scaleFactor: [1.5, 2.5], mode: 'bilinear' })],
      bilinear_down: [u, (t) => F.interpolate(t, { scaleFactor: 0.5, mode: 'bilinear', alignCorners: true })],
      linear_size: [l, (t) => F.interpolate(t, { size: 8, mode: 'linear' })],
      linear_ac: [l, (t) => F.interpolate(t, { size: 8, mode: 'linear', alignCorners: true })],
      linear_sf: [l, (t) => F.interpolate(t, { scaleFactor: 0.7, mode: 'linear' })],
      linear_one: [l, (t) => F.interpolate(t, { size: 1, mode: 'linear', alignCorners: true })],
    };
    for (const [k, [t, f]] of Object.entries(cases)) await expectRun(k, f, [t]);
    await expectText(new nn.Upsample({ scaleFactor: 2, mode: 'bilinear', alignCorners: true })(u.detach()), ref('upsample_bilinear')[0], 'Upsample bilinear');
    await expectText(new nn.Upsample({ size: 7, mode: 'linear' })(l.detach()), ref('upsample_bilinear')[1], 'Upsample linear');
    expect(String(new nn.Upsample({ scaleFactor: 2, mode: 'bilinear', alignCorners: true }))).toBe(R.upsample_bilinear);
    expect(String(new nn.Upsample({ size: 4, mode: 'linear' }))).toBe(R.upsample_linear);
  });
  it('gradients match finite differences (float64)', async () => {
    await gradcheck((x) => F.interpolate(x, { size: [5, 7], mode: 'bilinear' }), [[1, 2, 3, 4]]);
    await gradcheck((x) => F.interpolate(x, { scaleFactor: 0.6, mode: 'bilinear', alignCorners: true }), [[2, 1, 4, 5]]);
    await gradcheck((x) => F.interpolate(x, { size: 9, mode: 'linear' }), [[2, 3, 5]]);
  });
});

describe('padding', () => {
  it("F.pad's reflect, replicate and circular modes: PyTorch's values, gradients and grad_fns", async () => {
    const p = inp('pad_x', true);
    const cases: Record<string, (t: torch.Tensor) => torch.Tensor> = {
      pad_reflect2d: (t) => F.pad(t, [2, 1, 3, 0], { mode: 'reflect' }),
      pad_replicate2d: (t) => F.pad(t, [1, 3, 2, 2], { mode: 'replicate' }),
      pad_circular2d: (t) => F.pad(t, [2, 1, 1, 3], { mode: 'circular' }),
      pad_reflect1d: (t) => F.pad(t.index(0), [3, 1], { mode: 'reflect' }),
      pad_replicate1d: (t) => F.pad(t.index(1), [4, 2], { mode: 'replicate' }),
      pad_circular1d: (t) => F.pad(t.index(0), [2, 3], { mode: 'circular' }),
      pad_reflect_unbatched: (t) => F.pad(t.index(0), [1, 2, 2, 1], { mode: 'reflect' }),
      pad_replicate3d: (t) => F.pad(t, [1, 0, 0, 2, 1, 1], { mode: 'replicate' }),
    };
    // (circular is PyTorch's copies into slices, CopySlices: its grad_fn is not compared)
    for (const [k, f] of Object.entries(cases)) await expectRun(k, f, [p], !k.includes('circular'));
  });
  it('the padding layers: values, grad_fns, printed forms', async () => {
    const base = inp('pad_x').index(0).narrow(0, 0, 2).narrow(1, 0, 3).narrow(2, 0, 4).contiguous();
    const mods: Record<string, torch.nn.Module> = {
      zeropad2d: new nn.ZeroPad2d([1, 0, 2, 1]), constpad1d: new nn.ConstantPad1d(2, 3.5), constpad2d: new nn.ConstantPad2d([1, 2, 0, 1], -1.5),
      reflpad1d: new nn.ReflectionPad1d(2), reflpad2d: new nn.ReflectionPad2d([1, 2, 2, 0]), replpad1d: new nn.ReplicationPad1d([3, 1]), replpad2d: new nn.ReplicationPad2d(2),
    };
    for (const [k, m] of Object.entries(mods)) {
      const t = k.includes('1d') ? base : base.unsqueeze(0);
      await expectText(m(t), ref(`mod_${k}`)[0], k);
      expect(m(t.detach().requiresGrad_()).gradFn?.name, k).toBe(ref(`mod_${k}`)[1]);
    }
    const reprs: Record<string, torch.nn.Module> = {
      zeropad2d: new nn.ZeroPad2d(1), zeropad2d_4: new nn.ZeroPad2d([1, 2, 3, 4]), constpad1d: new nn.ConstantPad1d(2, 3.5), constpad2d: new nn.ConstantPad2d([1, 0, 2, 0], -1.5),
      reflpad1d: new nn.ReflectionPad1d(2), reflpad2d: new nn.ReflectionPad2d([1, 0, 2, 1]), replpad1d: new nn.ReplicationPad1d([1, 2]), replpad2d: new nn.ReplicationPad2d(1),
    };
    for (const [k, m] of Object.entries(reprs)) expect(String(m), k).toBe(R[k]);
  });
  it('gradients match finite differences (float64)', async () => {
    await gradcheck((x) => F.pad(x, [2, 1, 3, 0], { mode: 'reflect' }), [[1, 2, 4, 5]]);
    await gradcheck((x) => F.pad(x, [1, 3, 2, 2], { mode: 'replicate' }), [[2, 1, 3, 3]]);
    await gradcheck((x) => F.pad(x, [2, 1, 1, 3], { mode: 'circular' }), [[1, 2, 4, 3]]);
    await gradcheck((x) => F.pad(x, [3, 1], { mode: 'reflect' }), [[2, 5]]);
  });
});

describe('adaptive max pooling, pixel shuffle, PReLU, Threshold, Softmax2d, Bilinear, unfold and fold', () => {
  it("PyTorch's values, gradients and grad_fns", async () => {
    const a = inp('amp_x');
    // (the script made a tie: a[0, 0, 1, 1] = a[0, 0, 1, 2])
    const av = await values(a); av[8] = av[9];
    const at = torch.tensor(av).reshape(a.shape).requiresGrad_();
    await expectRun('amp', (t) => F.adaptiveMaxPool2d(t, [3, 4]), [at]);
    expect(await text(F.adaptiveMaxPool2d(at.detach(), [3, 4], true)[1])).toBe(ref('amp_indices')[0]);
    await expectRun('amp_none', (t) => F.adaptiveMaxPool2d(t, [2, null]), [at]);
    await expectText(F.adaptiveMaxPool2d(at.detach().index(1), 3), ref('amp_unbatched')[0], 'amp unbatched');
    expect(await text(F.adaptiveMaxPool2d(at.detach().index(1), 3, true)[1])).toBe(ref('amp_unbatched')[1]);
    await expectRun('pixel_shuffle', (t) => F.pixelShuffle(t, 2), [inp('ps_x', true)]);
    await expectRun('pixel_unshuffle', (t) => F.pixelUnshuffle(t, 2), [inp('pu_x', true)]);
    const pv = await values(inp('prelu_x')); pv[0] = 0; pv[1] = 0;
    const pr = torch.tensor(pv).reshape([2, 3, 4]).requiresGrad_();
    await expectRun('prelu', (t, w) => F.prelu(t, w), [pr, torch.tensor([0.25, -0.5, 1.5]).requiresGrad_()]);
    await expectRun('prelu1', (t, w) => F.prelu(t, w), [pr, torch.tensor([0.1]).requiresGrad_()]);
    await expectRun('threshold', (t) => F.threshold(t, 0.1, 20), [pr]);
    await expectRun('softmax2d', (t) => new nn.Softmax2d()(t), [inp('pu_x', true)]);
    await expectRun('bilinear', (x1, x2, w, b) => F.bilinear(x1, x2, w, b), [inp('bil_x1', true), inp('bil_x2', true), inp('bil_w', true), inp('bil_b', true)]);
    await expectRun('unfold', (t) => F.unfold(t, [2, 3], { dilation: [1, 2], padding: 1, stride: [2, 1] }), [inp('unfold_x', true)]);
    const fo = inp('fold_x', true);
    await expectRun('fold', (t) => F.fold(t, [4, 5], 2), [fo]);
    await expectRun('fold_opts', (t) => F.fold(t, [4, 6], 2, { dilation: [2, 1], padding: [1, 0], stride: [1, 2] }), [fo]);
  });
  it('the modules: forward, parameters, init, printed forms', async () => {
    const P = REF.params as Record<string, unknown>;
    const mods: Record<string, torch.nn.Module> = {
      amp: new nn.AdaptiveMaxPool2d(3), amp_none: new nn.AdaptiveMaxPool2d([2, null], true), pixel_shuffle: new nn.PixelShuffle(2), pixel_unshuffle: new nn.PixelUnshuffle(3),
      prelu: new nn.PReLU(), prelu3: new nn.PReLU(3, 0.1), threshold: new nn.Threshold(0.1, 20), softmax2d: new nn.Softmax2d(),
      bilinear: new nn.Bilinear(2, 3, 4), bilinear_nobias: new nn.Bilinear(2, 3, 4, { bias: false }),
      unfold: new nn.Unfold(2), unfold_all: new nn.Unfold([2, 3], { dilation: 2, padding: 1, stride: [1, 2] }), fold: new nn.Fold([4, 5], 2),
      nested: new nn.Sequential(new nn.ConvTranspose2d(1, 2, 2), new nn.PReLU(2), new nn.ReflectionPad2d(1)),
    };
    for (const [k, m] of Object.entries(mods)) {
      expect(String(m), k).toBe(R[k]);
      expect(m.namedParameters().map(([n, p]) => [n, p.shape]), k).toEqual(P[k]);
    }
    const init = REF.prelu_init as number[][];
    expect(await values((mods.prelu as torch.nn.PReLU).weight)).toEqual(init[0].map(Math.fround));
    expect(await values((mods.prelu3 as torch.nn.PReLU).weight)).toEqual(init[1].map(Math.fround));
    const [v, i] = (mods.amp_none as torch.nn.AdaptiveMaxPool2d)(inp('amp_x')) as unknown as [torch.Tensor, torch.Tensor];
    expect([v.shape, i.shape, i.dtype]).toEqual([[2, 3, 2, 7], [2, 3, 2, 7], 'int64']);
    torch.manualSeed(4);
    const bil = new nn.Bilinear(4, 3, 2);
    for (const p of bil.parameters()) expect(Math.max(...(await values(p)).map(Math.abs))).toBeLessThanOrEqual(0.5);
    const x1 = torch.randn([5, 4]), x2 = torch.randn([5, 3]);
    expect(await values(bil(x1, x2))).toEqual(await values(F.bilinear(x1, x2, bil.weight, bil.bias)));
    const u = torch.randn([2, 3, 4, 5]);
    const cols = new nn.Unfold([2, 3], { padding: 1 })(u);
    expect(cols.shape).toEqual([2, 18, 25]);
    // fold(unfold(x)) multiplies each pixel by the number of windows reading it
    const ones = new nn.Fold([4, 5], [2, 3])(new nn.Unfold([2, 3])(torch.ones([1, 1, 4, 5])));
    expect(await values(ones)).toEqual([1, 2, 2, 1].flatMap((r) => [1, 2, 3, 2, 1].map((c) => r * c)));
  });
  it('ParameterList and ParameterDict', async () => {
    const P = REF.params as Record<string, unknown>;
    const list = new nn.ParameterList([new nn.Parameter(torch.ones([2, 3])), torch.ones([3])]);
    const dict = new nn.ParameterDict({ b: new nn.Parameter(torch.ones([2, 3])), a: torch.zeros([3], { dtype: 'float64' }) });
    expect([String(list), String(new nn.ParameterList()), String(dict), String(new nn.ParameterDict())]).toEqual([R.plist, R.plist_empty, R.pdict, R.pdict_empty]);
    expect(list.namedParameters().map(([n, p]) => [n, p.shape])).toEqual(P.plist);
    expect(dict.namedParameters().map(([n, p]) => [n, p.shape])).toEqual(P.pdict);
    expect(list[1]).toBeInstanceOf(nn.Parameter);
    expect(list[1].requiresGrad).toBe(true);
    expect([...list].length).toBe(2);
    list.append(torch.zeros([4])).extend([torch.zeros([1])]);
    expect([list.length, Object.keys(list.stateDict())]).toEqual([4, ['0', '1', '2', '3']]);
    expect([...dict]).toEqual(['a', 'b']);
    dict.set('c', torch.ones([1]));
    expect(dict.keys()).toEqual(['a', 'b', 'c']);
    expect(dict.pop('a').dtype).toBe('float64');
    expect(dict.has('a')).toBe(false);
    expect(() => dict.get('z')).toThrow("KeyError: 'z'");
    // inside a model: trained through, named by key
    const outer = new nn.Sequential(new nn.Linear(2, 2));
    (outer as unknown as Record<string, unknown>).extra = new nn.ParameterDict([['scale', torch.ones([2])]]);
    expect(outer.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', 'extra.scale']);
  });
  it('gradients match finite differences (float64)', async () => {
    await gradcheck((x) => F.adaptiveMaxPool2d(x, [3, 4]), [[2, 2, 5, 7]]);
    await gradcheck((x) => F.pixelShuffle(x, 2), [[1, 8, 2, 3]]);
    await gradcheck((x) => F.pixelUnshuffle(x, 2), [[1, 2, 4, 6]]);
    await gradcheck((x, w) => F.prelu(x, w), [[2, 3, 4], [3]]);
    await gradcheck((x) => F.threshold(x, 0.1, 3), [[3, 4]]);
    await gradcheck((x) => F.softmax2d(x), [[2, 3, 2, 2]]);
    await gradcheck((x1, x2, w, b) => F.bilinear(x1, x2, w, b), [[4, 3], [4, 5], [2, 3, 5], [2]]);
    await gradcheck((x) => F.unfold(x, [2, 3], { dilation: [1, 2], padding: 1, stride: [2, 1] }), [[1, 2, 4, 5]]);
    await gradcheck((x) => F.fold(x, [4, 6], 2, { dilation: [2, 1], padding: [1, 0], stride: [1, 2] }), [[1, 8, 12]]);
  });
});

describe("PyTorch's errors", () => {
  const E = REF.errors as Record<string, string>;
  const x4 = torch.ones([1, 2, 3, 4]);
  const cases: Record<string, () => unknown> = {
    ct_channels: () => F.convTranspose2d(x4, torch.ones([3, 2, 2, 2])),
    ct_bias: () => F.convTranspose2d(x4, torch.ones([2, 2, 2, 2]), torch.ones([3])),
    ct_output_padding: () => F.convTranspose2d(x4, torch.ones([2, 2, 2, 2]), null, { stride: 2, outputPadding: 2 }),
    ct_small: () => F.convTranspose2d(x4, torch.ones([2, 3, 2, 2]), null, { padding: 3 }),
    ct_ctor: () => new nn.ConvTranspose2d(3, 4, 2, { groups: 2 }),
    ct_ctor_out: () => new nn.ConvTranspose2d(4, 3, 2, { groups: 2 }),
    interp_bilinear_3d: () => F.interpolate(x4.index(0), { size: 3, mode: 'bilinear' }),
    interp_linear_4d: () => F.interpolate(x4, { size: 3, mode: 'linear' }),
    interp_nearest_ac: () => F.interpolate(x4, { size: 3, mode: 'nearest', alignCorners: true }),
    interp_linear_2d: () => F.interpolate(x4.index(0, 0), { size: 3, mode: 'linear' }),
    pad_mode: () => F.pad(x4, [1, 1], { mode: 'foo' as 'reflect' }),
    pad_value: () => F.pad(x4, [1, 1], { mode: 'reflect', value: 2 }),
    pad_dims: () => F.pad(x4, [1, 1], { mode: 'reflect' }),
    pad_dims1: () => F.pad(x4.index(0, 0, 0), [1, 1], { mode: 'replicate' }),
    pad_reflect_w: () => F.pad(x4, [4, 1, 0, 0], { mode: 'reflect' }),
    pad_reflect_h: () => F.pad(x4, [1, 1, 0, 3], { mode: 'reflect' }),
    pad_reflect_1d: () => F.pad(x4.index(0), [1, 4], { mode: 'reflect' }),
    pad_circular_wrap: () => F.pad(x4.index(0), [5, 1], { mode: 'circular' }),
    pad_circular_size: () => F.pad(x4.index(0), [1, 1, 4, 0], { mode: 'circular' }),
    amp_size: () => F.adaptiveMaxPool2d(x4, [2, 2, 2] as unknown as [number, number]),
    amp_2d: () => F.adaptiveMaxPool2d(x4.index(0, 0), 2),
    pixel_shuffle_c: () => F.pixelShuffle(torch.ones([1, 5, 2, 2]), 2),
    pixel_unshuffle_h: () => F.pixelUnshuffle(torch.ones([1, 1, 3, 2]), 2),
    pixel_unshuffle_w: () => F.pixelUnshuffle(torch.ones([1, 1, 2, 3]), 2),
    pixel_shuffle_2d: () => F.pixelShuffle(torch.ones([5, 2]), 2),
    prelu_channels: () => new nn.PReLU(3)(x4),
    softmax2d_2d: () => new nn.Softmax2d()(x4.index(0, 0)),
    bilinear_batch: () => new nn.Bilinear(2, 3, 4)(torch.ones([5, 2]), torch.ones([4, 3])),
    bilinear_in1: () => new nn.Bilinear(2, 3, 4)(torch.ones([5, 3]), torch.ones([5, 3])),
    bilinear_in2: () => new nn.Bilinear(2, 3, 4)(torch.ones([5, 2]), torch.ones([5, 2])),
    fold_blocks: () => F.fold(torch.ones([1, 4, 10]), [4, 5], 2),
    fold_kernel: () => F.fold(torch.ones([1, 5, 12]), [4, 5], 2),
    pdict_dot: () => new nn.ParameterDict({ 'a.b': new nn.Parameter(torch.ones([1])) }),
    reflpad2d_big: () => new nn.ReflectionPad2d(3)(x4),
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
    const src = torch.randn([2, 4, 5, 6]), wsrc = torch.randn([4, 3, 3, 2]), bsrc = torch.randn([6]), w1src = torch.randn([4, 3, 3]);
    const run = async (dev: string) => {
      const x = src.to(dev).detach().requiresGrad_(), w = wsrc.to(dev).detach().requiresGrad_(), b = bsrc.to(dev).detach().requiresGrad_();
      const w1 = w1src.to(dev).detach().requiresGrad_();
      const parts = [
        F.convTranspose2d(x, w, b, { stride: [2, 1], padding: [1, 0], outputPadding: [1, 0], groups: 2, dilation: [1, 2] }).pow(2).sum(),
        F.convTranspose1d(x.index(':', ':', 0), w1, b, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }).pow(2).sum(),
        F.interpolate(x, { size: [7, 9], mode: 'bilinear' }).pow(2).sum(),
        F.interpolate(x, { scaleFactor: 0.6, mode: 'bilinear', alignCorners: true }).pow(2).sum(),
        F.interpolate(x.index(':', ':', 1), { size: 11, mode: 'linear' }).pow(2).sum(),
        F.pad(x, [2, 1, 3, 0], { mode: 'reflect' }).pow(2).sum(), F.pad(x, [1, 3, 2, 2], { mode: 'replicate' }).pow(2).sum(),
        F.pad(x, [2, 1, 1, 3], { mode: 'circular' }).pow(2).sum(),
        F.adaptiveMaxPool2d(x, [3, 4]).pow(2).sum(), F.pixelShuffle(x.narrow(1, 0, 4), 2).pow(2).sum(), F.pixelUnshuffle(x.narrow(2, 0, 4), 2).pow(3).sum(),
        F.prelu(x, b.narrow(0, 0, 4)).pow(2).sum(), F.threshold(x, 0.1, 2).pow(2).sum(), F.softmax2d(x).pow(2).sum(),
        F.bilinear(x.index(':', ':', 0, 0).reshape([2, 4]), x.index(':', 0, 0).reshape([2, 6]), w.reshape([3, 4, 6]), b.narrow(0, 0, 3)).pow(2).sum(),
        F.unfold(x, [2, 3], { dilation: [1, 2], padding: 1, stride: [2, 1] }).pow(2).sum(),
        F.fold(x.reshape([2, 10, 12]).narrow(1, 0, 8), [4, 6], 2, { dilation: [2, 1], padding: [1, 0], stride: [1, 2] }).pow(2).sum(),
      ];
      const total = torch.stack(parts);
      await total.mul(torch.arange(parts.length, { device: dev }).float().add(1)).sum().backward();
      return [await values(total), await values(x.grad!), await values(w.grad!), await values(b.grad!), await values(w1.grad!)];
    };
    const cpu = await run('cpu'), gpu = await run('gpu');
    for (let k = 0; k < cpu.length; k++) cpu[k].forEach((c, i) => expect(Math.abs(gpu[k][i] - c), `${k}:${i}`).toBeLessThan(2e-4 * Math.max(1, Math.abs(c))));
    const [, idx] = F.adaptiveMaxPool2d(src.to('gpu'), [3, 4], true);
    expect(await values(idx)).toEqual(await values(F.adaptiveMaxPool2d(src, [3, 4], true)[1]));
  });
});
