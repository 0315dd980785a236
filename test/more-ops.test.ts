// cat, stack, softmax, logSoftmax, clamp, floor/ceil/trunc/round and sign: PyTorch 1.13's values, grad_fns and errors (the expected
// texts below are python3-torch's output for the same programs), gradients against finite differences,
// and the same results on the GPU.
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradcheck, values } from './helpers.ts';

const text = (t: torch.Tensor) => torch.format(t);

describe('cat and stack', () => {
  it('join along a dim with PyTorch\'s printing, grad_fn and gradients (each input its slice)', async () => {
    const a = torch.tensor([[1.5, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const b = torch.tensor([[7.5, 8, 9]], { requiresGrad: true });
    const c = torch.cat([a, b]);
    expect(await text(c)).toBe('tensor([[1.5000, 2.0000, 3.0000],\n        [4.0000, 5.0000, 6.0000],\n        [7.5000, 8.0000, 9.0000]], grad_fn=<CatBackward0>)');
    await c.mul(torch.arange(9).reshape([3, 3]).float()).sum().backward();
    expect(await values(a.grad!)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await values(b.grad!)).toEqual([6, 7, 8]);
    expect(await values(torch.cat([a, a], 1))).toEqual([1.5, 2, 3, 1.5, 2, 3, 4, 5, 6, 4, 5, 6]);
    expect(await values(torch.cat([a, a], -1))).toEqual([1.5, 2, 3, 1.5, 2, 3, 4, 5, 6, 4, 5, 6]);
    const s = torch.stack([a, a], 1);
    expect(s.shape).toEqual([2, 2, 3]);
    expect(await text(s)).toContain('grad_fn=<StackBackward0>');
    expect(await values(s)).toEqual([1.5, 2, 3, 1.5, 2, 3, 4, 5, 6, 4, 5, 6]);
    expect(torch.stack([a, a], -1).shape).toEqual([2, 3, 2]);
    expect([s.numel(), s.nelement(), torch.ones([0, 3]).numel(), torch.tensor(2).numel()]).toEqual([12, 12, 0, 1]); // (methods, as PyTorch's)
    expect(await values(torch.stack([torch.tensor(1), torch.tensor(2)]))).toEqual([1, 2]);
  });

  it('promotes dtypes, skips 1-D empty tensors, joins views and transposes', async () => {
    const m = torch.cat([torch.tensor([1, 2]), torch.tensor([0.5])]);
    expect(m.dtype).toBe('float32');
    expect(await text(m)).toBe('tensor([1.0000, 2.0000, 0.5000])');
    expect(torch.cat([torch.tensor([true]), torch.tensor([3])]).dtype).toBe('int64');
    const x = torch.arange(6).reshape([2, 3]);
    expect((await values(torch.cat([x, torch.zeros([0]), x.t().contiguous().t()]))).length).toBe(12);
    expect(await values(torch.cat([x.t(), x.t()], 1))).toEqual([0, 3, 0, 3, 1, 4, 1, 4, 2, 5, 2, 5]);
    expect(await values(torch.cat([x.index(':', '1:3'), x.index(':', 0).unsqueeze(1)], 1))).toEqual([1, 2, 0, 4, 5, 3]);
  });

  it('gradients match finite differences', async () => {
    await gradcheck((p, q) => torch.cat([p, q.mul(q)], 1), [[2, 3], [2, 2]]);
    await gradcheck((p, q) => torch.stack([p, q.exp()], 2), [[2, 3], [2, 3]]);
  });

  it('refuses what PyTorch refuses, with its messages', () => {
    const a = torch.ones([2, 3]);
    expect(() => torch.cat([a, torch.ones([2, 2])])).toThrow('Sizes of tensors must match except in dimension 0. Expected size 3 but got size 2 for tensor number 1 in the list.');
    expect(() => torch.cat([])).toThrow('torch.cat(): expected a non-empty list of Tensors');
    expect(() => torch.cat([torch.tensor(1.5)])).toThrow('zero-dimensional tensor (at position 0) cannot be concatenated');
    expect(() => torch.cat([a, torch.ones([3])])).toThrow('Tensors must have same number of dimensions: got 2 and 1');
    expect(() => torch.cat([a, a], 2)).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got 2)');
    expect(() => torch.stack([a, torch.ones([1, 3])])).toThrow('stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [1, 3] at entry 1');
    expect(() => torch.cat([a, 3 as unknown as torch.Tensor])).toThrow('expected Tensor as element 1 in argument 0, but got number');
  });
});

describe('softmax and logSoftmax', () => {
  it('PyTorch\'s values, grad_fns and gradients', async () => {
    const x = torch.tensor([[1.5, 2, 3], [1, 1, 1]], { requiresGrad: true });
    const w = torch.tensor([[1.5, 2, 3], [4, 5, 6]]);
    const sm = x.softmax(1);
    expect(await text(sm)).toBe('tensor([[0.1402, 0.2312, 0.6285],\n        [0.3333, 0.3333, 0.3333]], grad_fn=<SoftmaxBackward0>)');
    await sm.mul(w).sum().backward();
    expect(await text(x.grad!)).toBe('tensor([[-0.1484, -0.1291,  0.2776],\n        [-0.3333,  0.0000,  0.3333]])');
    const ls = torch.logSoftmax(x.detach(), -1);
    expect(await text(ls)).toBe('tensor([[-1.9644, -1.4644, -0.4644],\n        [-1.0986, -1.0986, -1.0986]])');
    // Rows sum to one, also for large values (the max is subtracted first).
    const big = torch.tensor([[1000.5, 1001, 999], [-1e30, 0, 1e30]]).softmax(1);
    expect(await values(big.sum(1))).toEqual([1, 1]);
    expect(await text(big)).toBe('tensor([[0.3482, 0.5741, 0.0777],\n        [0.0000, 0.0000, 1.0000]])');
  });

  it('gradients match finite differences, along each dim', async () => {
    await gradcheck((p) => torch.softmax(p, 0), [[3, 4]]);
    await gradcheck((p) => torch.softmax(p, 1).mul(p), [[3, 4]]);
    await gradcheck((p) => torch.logSoftmax(p, 1), [[3, 4]]);
    await gradcheck((p) => torch.logSoftmax(p.mul(2), 0), [[2, 3, 2]]);
  });

  it('errors: integer input, a missing dim', () => {
    expect(() => torch.tensor([1, 2]).softmax(0)).toThrow('"softmax_lastdim_kernel_impl" not implemented for \'Long\'');
    expect(() => torch.ones([2]).softmax()).toThrow('softmax(): the dim to normalize over is required');
    expect(() => torch.ones([2]).logSoftmax(1)).toThrow('Dimension out of range');
  });
});

describe('clamp', () => {
  it('PyTorch\'s values, NaN, one-sided bounds, min > max, integer tensors and promotion', async () => {
    const y = torch.tensor([-2, -1, 0, 0.5, 1, 2, NaN], { requiresGrad: true });
    const c = y.clamp(-1, 1);
    expect(await text(c)).toBe('tensor([-1.0000, -1.0000,  0.0000,  0.5000,  1.0000,  1.0000,     nan],\n       grad_fn=<ClampBackward1>)');
    await c.mul(torch.arange(7).float()).sum().backward();
    expect(await values(y.grad!)).toEqual([0, 1, 2, 3, 4, 0, 0]); // the bounds themselves pass the gradient
    expect(await text(torch.tensor([1, 5, 9]).clamp(2, 6))).toBe('tensor([2, 5, 6])');
    expect(await text(torch.tensor([1, 5, 9]).clamp(2.5))).toBe('tensor([2.5000, 5.0000, 9.0000])');
    expect(await text(torch.tensor([1, 5, 9]).clamp(6, 2))).toBe('tensor([2, 2, 2])');
    expect(await values(torch.tensor([1.5, 5, 9]).clamp(null, 2))).toEqual([1.5, 2, 2]);
    expect(await values(torch.tensor([1.5, 5, 9]).clip({ min: 2 }))).toEqual([2, 5, 9]);
    expect(await values(torch.clamp(torch.tensor([1.5, 5, 9]), { max: 5 }))).toEqual([1.5, 5, 5]);
    expect(() => torch.ones([2]).clamp()).toThrow("torch.clamp: At least one of 'min' or 'max' must not be None");
    await gradcheck((p) => torch.clamp(p, -0.5, 0.7), [[3, 4]]);
  });
});

describe('floor, ceil, trunc, round (half to even) and sign', () => {
  it('PyTorch\'s values, signed zeros, NaN, grad_fns and zero gradients', async () => {
    const x = torch.tensor([-2.5, -1.5, -0.5, -0.4, 0.5, 1.5, 2.5, 3.7, -3.7, 0, NaN], { requiresGrad: true });
    // (python3-torch 1.13's output for the same tensor)
    expect(await text(x.floor())).toBe('tensor([-3., -2., -1., -1.,  0.,  1.,  2.,  3., -4.,  0., nan],\n       grad_fn=<FloorBackward0>)');
    expect(await text(x.ceil())).toBe('tensor([-2., -1., -0., -0.,  1.,  2.,  3.,  4., -3.,  0., nan],\n       grad_fn=<CeilBackward0>)');
    expect(await text(x.trunc())).toBe('tensor([-2., -1., -0., -0.,  0.,  1.,  2.,  3., -3.,  0., nan],\n       grad_fn=<TruncBackward0>)');
    expect(await text(torch.round(x))).toBe('tensor([-2., -2., -0., -0.,  0.,  2.,  2.,  4., -4.,  0., nan],\n       grad_fn=<RoundBackward0>)');
    expect(await text(x.sign())).toBe('tensor([-1., -1., -1., -1.,  1.,  1.,  1.,  1., -1.,  0.,  0.],\n       grad_fn=<SignBackward0>)');
    await x.round().mul(2).add(x.floor()).sum().backward();
    expect(await values(x.grad!)).toEqual(new Array(11).fill(0));
    expect(await text(torch.tensor([1, -2, 3]).floor())).toBe('tensor([ 1, -2,  3])');
    expect(await text(torch.tensor([1, -2, 0]).sign())).toBe('tensor([ 1, -1,  0])');
    expect(await text(torch.tensor([-0.5]).mul(0).sign())).toBe('tensor([0.])');
    expect(() => torch.tensor([true]).floor()).toThrow('"floor" not implemented for \'Bool\'');
    // abs's gradient at NaN and at zeros is 0 (it is the sign's), as PyTorch's.
    const z = torch.tensor([NaN, -0.0, 0, 2], { requiresGrad: true });
    await z.abs().sum().backward();
    expect(await values(z.grad!)).toEqual([0, 0, 0, 1]);
  });

  it('float32 in the arena (SIMD) gives the JS loop\'s values: every 997th float32 bit pattern', async () => {
    const bits = new Uint32Array(Math.floor(2 ** 32 / 997) + 1).map((_, i) => i * 997);
    const big = torch.fromTypedArray(new Float32Array(bits.buffer)); // (4.3M elements: in the arena)
    const plain = new Float32Array(bits.buffer);
    for (const fn of ['floor', 'ceil', 'trunc', 'round'] as const) {
      const got = await big[fn]().toTypedArray() as Float32Array;
      let bad = -1;
      for (let i = 0; i < plain.length && bad < 0; i++) {
        const v = plain[i], r = Math.round(v);
        const want = Math.fround(fn === 'floor' ? Math.floor(v) : fn === 'ceil' ? Math.ceil(v) : fn === 'trunc' ? Math.trunc(v) : r - v === 0.5 && r % 2 !== 0 ? r - 1 : r);
        if (!Object.is(got[i], want) && !(got[i] !== got[i] && want !== want)) bad = i;
      }
      expect(bad, `${fn} of ${plain[bad]}: ${got[bad]}`).toBe(-1);
    }
  });
});

describe('narrow, split, chunk, expandAs, eye, randint', () => {
  it('PyTorch\'s views, grad_fns, gradients and errors', async () => {
    const x = torch.arange(10).reshape([2, 5]).float().requiresGrad_(true);
    expect(await text(x.narrow(1, 1, 3))).toBe('tensor([[1., 2., 3.],\n        [6., 7., 8.]], grad_fn=<SliceBackward0>)');
    expect(await text(torch.narrow(x, 0, -1, 1))).toBe('tensor([[5., 6., 7., 8., 9.]], grad_fn=<SliceBackward0>)');
    const s2 = x.split(2, 1);
    expect(s2.map((p) => p.shape)).toEqual([[2, 2], [2, 2], [2, 1]]);
    expect(await text(s2[2])).toBe('tensor([[4.],\n        [9.]], grad_fn=<SplitBackward0>)');
    expect(await text(x.split([1, 4], 1)[1])).toBe('tensor([[1., 2., 3., 4.],\n        [6., 7., 8., 9.]], grad_fn=<SplitWithSizesBackward0>)');
    expect(x.chunk(3, 1).map((p) => p.shape)).toEqual([[2, 2], [2, 2], [2, 1]]);
    expect(torch.ones([3]).chunk(5).map((p) => p.shape)).toEqual([[1], [1], [1]]);
    const parts = x.chunk(2, 1);
    await parts[0].sum().add(parts[1].mul(2).sum()).backward();
    expect(await text(x.grad!)).toBe('tensor([[1., 1., 1., 2., 2.],\n        [1., 1., 1., 2., 2.]])');
    expect(await text(torch.ones([2, 1]).expandAs(torch.ones([2, 3])))).toBe('tensor([[1., 1., 1.],\n        [1., 1., 1.]])');
    expect(() => x.narrow(1, 3, 3)).toThrow('start (3) + length (3) exceeds dimension size (5).');
    expect(() => x.split([2, 2], 1)).toThrow("split_with_sizes expects split_sizes to sum exactly to 5 (input tensor's size at dimension 1), but got split_sizes=[2, 2]");
    expect(() => x.chunk(0)).toThrow('chunk expects `chunks` to be greater than 0, got: 0');
  });

  it('arange: PyTorch\'s values, lengths and errors for each dtype (integer dtypes truncate start and step)', async () => {
    // (python3-torch 1.13's output for the same calls)
    expect(await text(torch.arange(0, 1, 0.1))).toBe('tensor([0.0000, 0.1000, 0.2000, 0.3000, 0.4000, 0.5000, 0.6000, 0.7000, 0.8000,\n        0.9000])');
    expect(await text(torch.arange(5, -5, -1.5))).toBe('tensor([ 5.0000,  3.5000,  2.0000,  0.5000, -1.0000, -2.5000, -4.0000])');
    expect(await text(torch.arange(0.5, 3, 1, { dtype: 'int64' }))).toBe('tensor([0, 1, 2])');
    expect(await text(torch.arange(0, 3, 1.7, { dtype: 'int64' }))).toBe('tensor([0, 1, 2])');
    expect(await text(torch.arange(-0.5, 2.5, 1, { dtype: 'int64' }))).toBe('tensor([0, 1])');
    expect(await text(torch.arange(10, 0, -3.5, { dtype: 'int64' }))).toBe('tensor([10,  7,  4,  1])');
    expect(await text(torch.arange(0.5, 3.7, 1, { dtype: 'int32' }))).toBe('tensor([0, 1, 2, 3], dtype=torch.int32)');
    expect(await text(torch.arange(-3, 3, 1.25, { dtype: 'int32' }))).toBe('tensor([-3, -2, -1,  0,  1], dtype=torch.int32)');
    expect(await text(torch.arange(1, 2, 0.25, { dtype: 'float64' }))).toBe('tensor([1.0000, 1.2500, 1.5000, 1.7500], dtype=torch.float64)');
    expect(() => torch.arange(0, 3, 0.7, { dtype: 'int64' })).toThrow('step must be nonzero');
    expect(() => torch.arange(0, 2, 0.5, { dtype: 'bool' })).toThrow('"arange_cpu" not implemented for \'Bool\'');
    expect(() => torch.arange(0, 2 ** 40, 2 ** 30, { dtype: 'int32' })).toThrow('value cannot be converted to type int32_t without overflow');
    // Large ones (SIMD in the arena): the JS values start + i * step, each element.
    for (const [a0, b0, st, d] of [[0, 1e6, 1, 'int64'], [3, 5e5, 0.37, 'float32'], [-1e5, 1e5, 0.5, 'float64']] as const) {
      const v = await values(torch.arange(a0, b0, st, { dtype: d }));
      let bad = -1;
      for (let i = 0; i < v.length && bad < 0; i++) if (v[i] !== (d === 'float32' ? Math.fround(a0 + i * st) : a0 + i * st)) bad = i;
      expect(bad, `arange(${a0}, ${b0}, ${st}) ${d}: element ${bad}`).toBe(-1);
    }
    expect(await values(torch.arange(4, { device: 'cpu' }))).toEqual([0, 1, 2, 3]);
  });

  it('eye and randint', async () => {
    expect(await text(torch.eye(3))).toBe('tensor([[1., 0., 0.],\n        [0., 1., 0.],\n        [0., 0., 1.]])');
    expect(await text(torch.eye(2, 3))).toBe('tensor([[1., 0., 0.],\n        [0., 1., 0.]])');
    expect(await text(torch.eye(2, { dtype: 'int64' }))).toBe('tensor([[1, 0],\n        [0, 1]])');
    torch.manualSeed(1);
    const r = torch.randint(3, 7, [4000]);
    expect(r.dtype).toBe('int64');
    const v = await values(r);
    expect(new Set(v)).toEqual(new Set([3, 4, 5, 6])); // every value, none outside
    for (const k of [3, 4, 5, 6]) expect(Math.abs(v.filter((x) => x === k).length - 1000)).toBeLessThan(150);
    expect((await values(torch.randint(5, [50]))).every((x) => x >= 0 && x < 5 && Number.isInteger(x))).toBe(true);
    expect(() => torch.randint(5, 5, [2])).toThrow("random_ expects 'from' to be less than 'to', but got from=5 >= to=5");
  });
});

describe('maskedFill and maskedFill_', () => {
  it('PyTorch\'s values, dtype kept, grad_fns, gradients and errors', async () => {
    const x = torch.tensor([[1.5, 2, 3], [4, 5, 6]], { requiresGrad: true }), m = torch.tensor([[true, false, true], [false, false, true]]);
    const y = x.maskedFill(m, -1);
    expect(await text(y)).toBe('tensor([[-1.,  2., -1.],\n        [ 4.,  5., -1.]], grad_fn=<MaskedFillBackward0>)');
    await y.sum().backward();
    expect(await text(x.grad!)).toBe('tensor([[0., 1., 0.],\n        [1., 1., 0.]])');
    expect(await text(torch.tensor([1, 2, 3]).maskedFill(torch.tensor([true, false, false]), 0.5))).toBe('tensor([0, 2, 3])');
    expect(await text(torch.ones([2, 3]).maskedFill(torch.tensor([true, false, true]), 0))).toBe('tensor([[0., 1., 0.],\n        [0., 1., 0.]])');
    const w = torch.tensor([1.5, 2, 3], { requiresGrad: true }), u = w.mul(2);
    expect(u.maskedFill_(torch.tensor([false, true, false]), 7)).toBe(u);
    expect(await text(u)).toBe('tensor([3., 7., 6.], grad_fn=<MaskedFillBackward0>)');
    await u.sum().backward();
    expect(await values(w.grad!)).toEqual([2, 0, 2]);
    expect(() => x.maskedFill(torch.tensor([1, 0, 1]), 0)).toThrow('masked_fill_ only supports boolean masks, but got mask with dtype int64');
    expect(() => torch.ones([3]).maskedFill(torch.ones([2, 3]).gt(0), 1)).toThrow('does not broadcast');
    expect(() => torch.ones([3], { requiresGrad: true }).maskedFill_(torch.tensor([true, false, true]), 1)).toThrow(/leaf Variable that requires grad/);
    await gradcheck((p) => torch.maskedFill(p.mul(p), torch.tensor([[true, false, false, true]]), 0.25), [[3, 4]]);
  });
});

describe('var, std, any, all', () => {
  it('PyTorch\'s values, grad_fns, gradients and errors', async () => {
    const x = torch.tensor([[1.5, 2, 3.25], [4, -5, 6.5]], { requiresGrad: true });
    expect(await text(x.var())).toBe('tensor(15.0104, grad_fn=<VarBackward0>)');
    expect(await text(x.std(1))).toBe('tensor([0.9014, 6.0484], grad_fn=<StdBackward0>)');
    expect(await text(x.var(0, false))).toBe('tensor([ 1.5625, 12.2500,  2.6406], grad_fn=<VarBackward0>)');
    expect(await text(x.std(1, true, true))).toBe('tensor([[0.9014],\n        [6.0484]], grad_fn=<StdBackward0>)');
    expect(await text(torch.var(x, [0, 1]))).toBe('tensor(15.0104, grad_fn=<VarBackward0>)');
    await x.std(1).sum().add(x.var(0).sum()).backward();
    expect(await text(x.grad!)).toBe('tensor([[-2.9160,  6.8613, -2.6953],\n        [ 2.6791, -7.5649,  3.6358]])');
    expect(await text(torch.tensor([2.5]).var())).toBe('tensor(nan)');
    expect(() => torch.tensor([1, 2]).var()).toThrow('std and var only support floating point and complex dtypes');
    await gradcheck((p) => torch.var(p, 1), [[3, 4]]);
    await gradcheck((p) => torch.std(p, [0, 1], false), [[3, 4]]);
    await gradcheck((p) => p.std(0, true, true).mul(p), [[3, 4]]);
  });

  it('any and all: bool results, NaN counts as true, along dims and empty', async () => {
    expect(await text(torch.tensor([1, 0, 3]).any())).toBe('tensor(True)');
    expect(await text(torch.tensor([[1, 0], [2, 3]]).all(1))).toBe('tensor([False,  True])');
    expect(await text(torch.tensor([NaN, 0]).any())).toBe('tensor(True)');
    expect(await text(torch.tensor([[true, false], [true, true]]).all(0, true))).toBe('tensor([[ True, False]])');
    expect(await text(torch.zeros([0]).all())).toBe('tensor(True)');
    expect(await text(torch.zeros([0]).any())).toBe('tensor(False)');
  });
});

const available = await gpuForTests('cat/stack/softmax/clamp/rounding on gpu');
describe.runIf(available)('on the GPU: the CPU\'s results', () => {
  it('cat, stack, softmax, logSoftmax, clamp, rounding, sign and their gradients', async () => {
    torch.manualSeed(3);
    const a = torch.randn([5, 7]), b = torch.randn([2, 7]);
    const run = async (dev: 'cpu' | 'gpu') => {
      const x = a.to(dev).detach().requiresGrad_(true), y = b.to(dev).detach().requiresGrad_(true);
      const c = torch.cat([x, y.mul(2)]);
      const [c1, c2] = c.maskedFill(c.gt(1), 1).split([3, 4], 1);
      const spread = torch.cat([c2.narrow(1, 1, 3), c1], 1).mul(torch.eye(6, 7, { device: dev }).index('0:1', '0:6')).sum(1, true).add(c.var(0, true, true)).add(c.std(1, false, true)).add(c.gt(0).any(1, true).float()).add(c.gt(-1).all(0, true).float());
      const out = torch.stack([c.softmax(1), c.logSoftmax(0), c.clamp(-0.5, 0.5), c.mul(3).round(), c.mul(3).floor().add(c.ceil()).add(c.trunc()).add(c.sign()), spread], 1);
      await out.mul(torch.arange(out.numel()).reshape(out.shape).float().to(dev).sin()).sum().backward();
      return [await values(out), await values(x.grad!), await values(y.grad!)];
    };
    const [cpu, gpu] = [await run('cpu'), await run('gpu')];
    const rg = await values(torch.randint(-3, 4, [3000], { device: 'gpu' }));
    expect(new Set(rg)).toEqual(new Set([-3, -2, -1, 0, 1, 2, 3]));
    for (let k = 0; k < 3; k++) {
      expect(gpu[k].length).toBe(cpu[k].length);
      cpu[k].forEach((v, i) => expect(Math.abs(gpu[k][i] - v), `result ${k} element ${i}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(v))));
    }
  });
});
