// The CPU convolution kernel (src/backends/cpu/conv.ts, wasm/conv.c; protocol.ts ConvOp) against the
// composition it replaces on float32 CPU tensors (windows gathered, a matmul per image, scatter-add, sum):
// the same bits for the output and the input, weight and bias gradients, over strides, padding, dilation,
// groups, batch 1, unbatched and 1-D inputs, non-contiguous inputs, and with or without CPU workers. And
// max pooling's (the window's largest element, the gradient to its first largest): the same bits over
// kernel sizes, strides (overlapping windows or not), padding, dilation, ceil mode, ties, -inf and NaN.
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { convCalls, convKernelAvailable, disableConvKernel } from '../src/backends/cpu/conv.ts';

const F = torch.nn.functional;
const bits = async (t: torch.Tensor | null | undefined) => (t ? Array.from(new Uint32Array(new Float32Array(await t.toTypedArray() as Float32Array).buffer)) : null);

interface Case { name: string; x: number[]; w: number[]; bias: boolean; o?: torch.nn.functional.Conv2dOptions; conv1d?: boolean; view?: (x: torch.Tensor) => torch.Tensor }
/** y, and the gradients of sum(y · r) for a fixed r, as bit patterns. */
async function run(c: Case, seed: number) {
  torch.manualSeed(seed);
  const base = torch.randn(c.view ? [c.x[0] + 1, ...c.x.slice(1)] : c.x).requiresGrad_();
  const w = torch.randn(c.w).mul(0.3).requiresGrad_();
  const b = c.bias ? torch.randn([c.w[0]]).requiresGrad_() : null;
  const x = c.view ? c.view(base) : base;
  const o = c.o ?? {};
  const y = c.conv1d
    ? F.conv1d(x, w, b, { stride: (o.stride as number) ?? 1, padding: (o.padding as number) ?? 0, dilation: (o.dilation as number) ?? 1, groups: o.groups })
    : F.conv2d(x, w, b, o);
  const r = torch.randn(y.shape);
  await y.mul(r).sum().backward();
  return { shape: y.shape, y: await bits(y), gx: await bits(base.grad), gw: await bits(w.grad), gb: await bits(b?.grad) };
}

const CASES: Case[] = [
  { name: 'plain', x: [2, 3, 7, 9], w: [4, 3, 3, 3], bias: true },
  { name: 'padding, a 3x2 kernel', x: [2, 3, 7, 9], w: [5, 3, 3, 2], bias: true, o: { padding: [1, 2] } },
  { name: 'stride, dilation, groups', x: [3, 4, 11, 10], w: [6, 2, 3, 3], bias: false, o: { stride: [2, 3], padding: 1, dilation: [2, 1], groups: 2 } },
  { name: 'groups of 2 filters', x: [2, 6, 6, 5], w: [6, 2, 2, 3], bias: true, o: { groups: 3, padding: [0, 1], stride: [1, 2] } },
  { name: 'depthwise', x: [2, 4, 5, 5], w: [4, 1, 3, 3], bias: true, o: { groups: 4, padding: 1 } },
  { name: 'batch 1, the mlp scenario\'s first layer', x: [1, 1, 16, 16], w: [8, 1, 3, 3], bias: true, o: { padding: 1 } },
  { name: 'more images than accumulators', x: [9, 8, 8, 8], w: [16, 8, 3, 3], bias: true, o: { padding: 1 } },
  { name: 'a kernel as large as the padded input, stride past the kernel', x: [2, 2, 4, 5], w: [3, 2, 4, 3], bias: true, o: { stride: [1, 4], padding: [0, 1] } },
  { name: 'unbatched', x: [3, 6, 7], w: [2, 3, 2, 2], bias: true, o: { padding: 1 } },
  { name: 'non-contiguous (transposed, narrowed) input', x: [2, 3, 8, 6], w: [4, 3, 3, 3], bias: true, o: { padding: 1, stride: 2 }, view: (x) => x.narrow(0, 1, 2).transpose(2, 3) },
  { name: 'temporaries past the kernels\' scratch (a block of the arena)', x: [2, 16, 64, 64], w: [32, 16, 3, 3], bias: true, o: { padding: 1 } },
  { name: 'conv1d', x: [2, 3, 10], w: [5, 3, 4], bias: true, o: { stride: 2, padding: 1, dilation: 2 }, conv1d: true },
  { name: 'conv1d, groups', x: [3, 4, 9], w: [6, 2, 3], bias: false, o: { padding: 2, groups: 2 }, conv1d: true },
];

describe('the CPU convolution kernel', () => {
  afterAll(async () => { disableConvKernel(false); await torch.shutdown(); });

  it('is available here (WebAssembly SIMD)', () => { expect(convKernelAvailable()).toBe(true); });

  for (const [i, c] of CASES.entries()) {
    it(`gives the composition's bits: ${c.name}`, async () => {
      disableConvKernel(true);
      const before = convCalls.n;
      const ref = await run(c, 10 + i);
      expect(convCalls.n).toBe(before);
      disableConvKernel(false);
      const temps = convCalls.temp;
      const got = await run(c, 10 + i);
      expect(convCalls.n).toBe(before + 3); // forward, input and weight gradients
      if (c.name.startsWith('temporaries')) expect(convCalls.temp).toBeGreaterThan(temps);
      expect(got).toEqual(ref);
    });
  }

  const POOLS: Array<[string, number[], number | [number, number], torch.nn.functional.PoolOptions]> = [
    ['2x2', [3, 4, 16, 16], 2, {}],
    ['2x2, odd sizes', [2, 3, 7, 9], 2, {}],
    ['3x3 stride 2 padding 1 (overlapping)', [2, 3, 9, 11], 3, { stride: 2, padding: 1 }],
    ['stride 1 (overlapping), rows of 4 and a tail', [1, 2, 6, 14], [2, 3], { stride: 1 }],
    ['dilation', [2, 2, 9, 10], [2, 3], { dilation: [2, 2], padding: [1, 1] }],
    ['ceil mode', [2, 2, 7, 7], 3, { stride: 2, padding: 1, ceilMode: true }],
    ['stride 3 past the kernel, ceil mode', [1, 3, 8, 13], 2, { stride: 3, ceilMode: true }],
  ];
  for (const [name, shape, k, o] of POOLS) {
    it(`max pooling gives the composition's bits: ${name} (ties, -inf, NaN)`, async () => {
      const once = async (off: boolean) => {
        disableConvKernel(off);
        torch.manualSeed(7);
        // (values rounded to quarters: many ties; a few -inf and NaN)
        const v = torch.randn(shape).mul(2).round().div(4);
        const special = torch.rand(shape);
        const x = torch.where(special.lt(0.03), -Infinity, torch.where(special.gt(0.985), NaN, v)).requiresGrad_();
        const y = F.maxPool2d(x, k, o);
        await y.mul(torch.randn(y.shape)).sum().backward();
        return { y: await bits(y), gx: await bits(x.grad) };
      };
      const before = convCalls.n;
      const ref = await once(true);
      expect(convCalls.n).toBe(before);
      const got = await once(false);
      expect(convCalls.n).toBe(before + 2);
      // (NaN: the same positions; its bits are not promised)
      const canon = (b: number[] | null) => b!.map((u) => ((u & 0x7f800000) === 0x7f800000 && (u & 0x7fffff) !== 0 ? -1 : u));
      expect(canon(got.y)).toEqual(canon(ref.y));
      expect(canon(got.gx)).toEqual(canon(ref.gx));
    });
  }

  it('gives the same bits with 0 or 2 CPU workers (tensors large enough to shard around it)', async () => {
    const c: Case = { name: 'large', x: [16, 4, 64, 64], w: [8, 4, 3, 3], bias: true, o: { padding: 1 } };
    const ref = await run(c, 3);
    await torch.init({ workers: 2 });
    try {
      expect(await run(c, 3)).toEqual(ref);
    } finally {
      await torch.shutdown();
    }
  });

  it('leaves mixed dtypes and devices to the composition (its errors)', async () => {
    const x = torch.randn([1, 2, 5, 5]), before = convCalls.n;
    expect(() => F.conv2d(x, torch.randn([3, 2, 3, 3], { dtype: 'float64' }))).toThrow('expected scalar type float64 but found float32');
    expect(convCalls.n).toBe(before);
    if (!(await torch.gpu.isAvailable())) return; // (the GPU actor, if any, stops with the shutdown below)
    expect(() => F.conv2d(x, torch.randn([3, 2, 3, 3]).to('gpu'))).toThrow('Expected all tensors to be on the same device');
    expect(() => F.conv2d(x, torch.randn([3, 2, 3, 3]), torch.randn([3]).to('gpu'))).toThrow('Expected all tensors to be on the same device');
  });

  it('leaves float64, and createGraph passes, to the composition (second derivatives as before)', async () => {
    const before = convCalls.n;
    const x = torch.randn([2, 2, 5, 5], { dtype: 'float64' }).requiresGrad_(), w = torch.randn([3, 2, 3, 3], { dtype: 'float64' }).requiresGrad_();
    await F.conv2d(x, w, null, { padding: 1 }).pow(2).sum().backward();
    expect(convCalls.n).toBe(before);
    // A double backward through a float32 convolution: kernel on and off agree.
    const second = async (off: boolean) => {
      disableConvKernel(off);
      torch.manualSeed(5);
      const a = torch.randn([2, 3, 6, 6]).requiresGrad_(), k = torch.randn([4, 3, 3, 3]).requiresGrad_();
      const [ga] = await torch.autograd.grad(F.conv2d(a, k, null, { padding: 1 }).pow(2).sum(), [a], { createGraph: true });
      await ga!.pow(2).sum().backward();
      return [await bits(ga), await bits(a.grad), await bits(k.grad)];
    };
    const ref = await second(true);
    expect(await second(false)).toEqual(ref);
    disableConvKernel(false);
  });

  it('two createGraph passes over one graph (retainGraph): the window index the first made, freed by its scope, is made again', async () => {
    torch.manualSeed(6);
    const a = torch.randn([2, 3, 6, 6]).requiresGrad_(), k = torch.randn([4, 3, 3, 3]).requiresGrad_();
    const y = F.maxPool2d(F.conv2d(a, k, null, { padding: 1 }), 2).pow(2).sum();
    const first = await torch.scope(async () => bits((await torch.autograd.grad(y, [a, k], { createGraph: true, retainGraph: true }))[0]));
    const [g2] = await torch.autograd.grad(y, [a, k], { createGraph: true });
    expect(await bits(g2)).toEqual(first);
  });
});
