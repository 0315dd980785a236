// square, rsqrt, log1p, expm1, isnan/isinf/isfinite, isclose/allclose/equal, outer, bmm, tril/triu, diag,
// diagonal, trace, logsumexp, amax/amin, norm, lerp, repeat/tile, unbind, hstack/vstack, stride and the
// functional views: PyTorch 1.13's values, grad_fns and errors (the expected texts are python3-torch's
// output for the same programs), gradients against finite differences, and the GPU against the CPU.
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradcheck, values } from './helpers.ts';

const text = (t: torch.Tensor) => torch.format(t);
const f32 = (d: number | number[] | number[][], device = 'cpu') => torch.tensor(d, { dtype: 'float32', device });
const available = await gpuForTests('ops-more');

describe('elementwise: square, rsqrt, log1p, expm1, lerp, isnan, isinf, isfinite', () => {
  it("PyTorch's values, grad_fns and gradients", async () => {
    const x = () => f32([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]).requiresGrad_();
    const both = async (f: (x: torch.Tensor) => torch.Tensor) => {
      const xi = x(), v = f(xi);
      await v.sum().backward();
      return [await text(v), await text(xi.grad!)];
    };
    expect(await both((a) => a.square())).toEqual(['tensor([[0.2500, 1.0000, 4.0000],\n        [2.2500, 0.0625, 0.5625]], grad_fn=<PowBackward0>)', 'tensor([[ 1.0000, -2.0000,  4.0000],\n        [ 3.0000,  0.5000, -1.5000]])']);
    expect(await both((a) => a.abs().rsqrt())).toEqual(['tensor([[1.4142, 1.0000, 0.7071],\n        [0.8165, 2.0000, 1.1547]], grad_fn=<RsqrtBackward0>)', 'tensor([[-1.4142,  0.5000, -0.1768],\n        [-0.2722, -4.0000,  0.7698]])']);
    expect((await both((a) => torch.log1p(a.abs().mul(1e-3))))[0]).toBe('tensor([[0.0005, 0.0010, 0.0020],\n        [0.0015, 0.0002, 0.0007]], grad_fn=<Log1PBackward0>)');
    expect(await both((a) => torch.expm1(a.mul(1e-3)))).toEqual(['tensor([[ 0.0005, -0.0010,  0.0020],\n        [ 0.0015,  0.0003, -0.0007]], grad_fn=<Expm1Backward0>)', 'tensor([[0.0010, 0.0010, 0.0010],\n        [0.0010, 0.0010, 0.0010]])']);
    expect(await text(torch.log1p(f32([1e-10, -0.5, 1e10])))).toBe('tensor([ 1.0000e-10, -6.9315e-01,  2.3026e+01])');
    expect(await text(torch.expm1(f32([1e-10, -50, 20])))).toBe('tensor([ 1.0000e-10, -1.0000e+00,  4.8517e+08])');
    expect(await both((a) => torch.lerp(a, torch.ones([2, 3]), 0.25))).toEqual(['tensor([[ 0.6250, -0.5000,  1.7500],\n        [ 1.3750,  0.4375, -0.3125]], grad_fn=<LerpBackward0>)', 'tensor([[0.7500, 0.7500, 0.7500],\n        [0.7500, 0.7500, 0.7500]])']);
    expect(await both((a) => a.where(a.gt(0), f32(0)))).toEqual(['tensor([[0.5000, 0.0000, 2.0000],\n        [1.5000, 0.2500, 0.0000]], grad_fn=<WhereBackward0>)', 'tensor([[1., 0., 1.],\n        [1., 1., 0.]])']);
    const n = f32([1.0, NaN, Infinity, -Infinity, 0.0]);
    expect([await text(n.isnan()), await text(n.isinf()), await text(n.isfinite())]).toEqual(['tensor([False,  True, False, False, False])', 'tensor([False, False,  True,  True, False])', 'tensor([ True, False, False, False,  True])']);
    expect(await values(torch.tensor([1, 2]).isfinite())).toEqual([1, 1]);
    // relu as PyTorch's: negatives (and -inf) give +0 (printed "0."), -0 stays -0, NaN stays NaN.
    expect(await text(f32([-1.5, 2, -0, 0, NaN, -Infinity]).relu())).toBe('tensor([0., 2., -0., 0., nan, 0.])');
    expect(await text(torch.tensor([-1.5, -Infinity], { dtype: 'float64' }).relu())).toBe('tensor([0., 0.], dtype=torch.float64)');
    expect(await text(torch.full([5000], -1, { dtype: 'float32' }).relu().index('0:2'))).toBe('tensor([0., 0.])');
  });

  it('log1p and expm1 stay within a few float32 ulps of float64 over small and large arguments', async () => {
    const xs: number[] = [];
    for (let e = -30; e <= 6; e += 0.37) for (const s of [1, -1]) xs.push(s * 2 ** e);
    const x = f32(xs);
    const l = await values(torch.log1p(x.clamp(-0.999999))), m = await values(torch.expm1(x.clamp(null, 80)));
    const xr = await values(x);
    xr.forEach((v, i) => {
      const want1 = Math.log1p(Math.max(v, Math.fround(-0.999999))), want2 = Math.expm1(Math.min(v, 80));
      expect(Math.abs(l[i] - want1), `log1p(${v})`).toBeLessThanOrEqual(4e-7 * Math.abs(want1));
      if (Number.isFinite(want2) && Math.abs(want2) < 3e38) expect(Math.abs(m[i] - want2), `expm1(${v})`).toBeLessThanOrEqual(4e-7 * Math.abs(want2));
    });
  });
});

describe('whole-tensor comparisons, reductions, matrices, arrangements', () => {
  const x = () => f32([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]).requiresGrad_();
  const both = async (f: (x: torch.Tensor) => torch.Tensor) => {
    const xi = x(), v = f(xi);
    await (v.ndim ? v.sum() : v).backward();
    return [await text(v), await text(xi.grad!)];
  };

  it('isclose, allclose, equal', async () => {
    expect(await torch.allclose(f32([1.0, 2.0]), f32([1.0, 2.0 + 1e-6]))).toBe(true);
    expect(await torch.allclose(f32([1.0, 2.0]), f32([1.0, 2.001]))).toBe(false);
    expect(await text(torch.isclose(f32([1.0, NaN]), f32([1.0001, NaN])))).toBe('tensor([False, False])');
    expect(await values(torch.isclose(f32([NaN, Infinity, -Infinity]), f32([NaN, Infinity, Infinity]), { equalNan: true }))).toEqual([1, 1, 0]);
    expect([await torch.equal(torch.tensor([1, 2]), torch.tensor([1, 2])), await torch.equal(torch.tensor([1, 2]), torch.tensor([1, 3])), await torch.equal(torch.ones([2]), torch.ones([1, 2]))]).toEqual([true, false, false]);
  });

  it('logsumexp, amax, amin, norm: PyTorch\'s values and gradients', async () => {
    expect(await both((a) => torch.logsumexp(a, 1))).toEqual(['tensor([2.2413, 1.8307], grad_fn=<LogsumexpBackward0>)', 'tensor([[0.1753, 0.0391, 0.7856],\n        [0.7184, 0.2058, 0.0757]])']);
    expect(await both((a) => a.logsumexp(0, true))).toEqual(['tensor([[1.8133, 0.5019, 2.0620]], grad_fn=<LogsumexpBackward0>)', 'tensor([[0.2689, 0.2227, 0.9399],\n        [0.7311, 0.7773, 0.0601]])']);
    expect(await both((a) => a.amax(1))).toEqual(['tensor([2.0000, 1.5000], grad_fn=<AmaxBackward0>)', 'tensor([[0., 0., 1.],\n        [1., 0., 0.]])']);
    expect(await both((a) => a.amin([0, 1]))).toEqual(['tensor(-1., grad_fn=<AminBackward0>)', 'tensor([[0., 1., 0.],\n        [0., 0., 0.]])']);
    expect(await both((a) => a.norm())).toEqual(['tensor(2.8504, grad_fn=<NormBackward1>)', 'tensor([[ 0.1754, -0.3508,  0.7016],\n        [ 0.5262,  0.0877, -0.2631]])']);
    expect(await both((a) => a.norm(1))).toEqual(['tensor(6., grad_fn=<NormBackward1>)', 'tensor([[ 1., -1.,  1.],\n        [ 1.,  1., -1.]])']);
    expect(await both((a) => a.norm(Infinity))).toEqual(['tensor(2., grad_fn=<NormBackward1>)', 'tensor([[0., -0., 1.],\n        [0., 0., -0.]])']);
    expect(await both((a) => a.norm(2, 1))).toEqual(['tensor([2.2913, 1.6956], grad_fn=<NormBackward1>)', 'tensor([[ 0.2182, -0.4364,  0.8729],\n        [ 0.8847,  0.1474, -0.4423]])']);
    expect(await both((a) => a.norm(3, 0, true))).toEqual(['tensor([[1.5183, 1.0052, 2.0346]], grad_fn=<NormBackward1>)', 'tensor([[ 0.1084, -0.9897,  0.9663],\n        [ 0.9760,  0.0619, -0.1359]])']);
    // Ties share the gradient; an infinite max leaves logsumexp finite elsewhere.
    const t = f32([3, 1, 3]).requiresGrad_();
    await t.amax().backward();
    expect(await values(t.grad!)).toEqual([0.5, 0, 0.5]);
    expect(await values(torch.logsumexp(f32([[-Infinity, -Infinity], [Infinity, 1]]), 1))).toEqual([-Infinity, Infinity]);
    const z = f32([0, 0]).requiresGrad_();
    await z.norm().backward();
    expect(await values(z.grad!)).toEqual([0, 0]);
  });

  it('outer, bmm, tril, triu, diag, diagonal, trace', async () => {
    expect(await both((a) => torch.outer(a.index(0), a.index(1)))).toEqual(['tensor([[ 0.7500,  0.1250, -0.3750],\n        [-1.5000, -0.2500,  0.7500],\n        [ 3.0000,  0.5000, -1.5000]], grad_fn=<MulBackward0>)', 'tensor([[1.0000, 1.0000, 1.0000],\n        [1.5000, 1.5000, 1.5000]])']);
    const b = torch.arange(24).reshape(2, 3, 4).float(), c = torch.arange(8).reshape(2, 4, 1).float();
    expect(await text(torch.bmm(b, c))).toBe('tensor([[[ 14.],\n         [ 38.],\n         [ 62.]],\n\n        [[302.],\n         [390.],\n         [478.]]])');
    const m = torch.arange(12).reshape(3, 4).float().requiresGrad_();
    expect(await text(m.tril())).toBe('tensor([[ 0.,  0.,  0.,  0.],\n        [ 4.,  5.,  0.,  0.],\n        [ 8.,  9., 10.,  0.]], grad_fn=<TrilBackward0>)');
    expect(await text(m.triu(1))).toBe('tensor([[ 0.,  1.,  2.,  3.],\n        [ 0.,  0.,  6.,  7.],\n        [ 0.,  0.,  0., 11.]], grad_fn=<TriuBackward0>)');
    expect(await text(m.tril(-1))).toBe('tensor([[0., 0., 0., 0.],\n        [4., 0., 0., 0.],\n        [8., 9., 0., 0.]], grad_fn=<TrilBackward0>)');
    expect(await text(torch.diag(f32([[1, 2], [3, 4]]).requiresGrad_()))).toBe('tensor([1., 4.], grad_fn=<DiagBackward0>)');
    expect(await text(torch.diag(f32([1, 2])))).toBe('tensor([[1., 0.],\n        [0., 2.]])');
    expect(await text(torch.diag(torch.arange(9).reshape(3, 3).float(), 1))).toBe('tensor([1., 5.])');
    expect(await text(torch.trace(torch.arange(9).reshape(3, 3).float()))).toBe('tensor(12.)');
    expect(await values(torch.diag(f32([1, 2]), -1))).toEqual([0, 0, 0, 1, 0, 0, 0, 2, 0]);
    // diagonal is a view: writes reach the matrix.
    const sq = torch.zeros([3, 4]);
    sq.diagonal(1).fill_(7);
    expect(await values(sq)).toEqual([0, 7, 0, 0, 0, 0, 7, 0, 0, 0, 0, 7]);
    expect(() => torch.bmm(b, b)).toThrow('Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [2, 3].');
    expect(() => torch.outer(x(), x())).toThrow('outer: Expected 1-D argument self, but got 2-D');
    expect(() => torch.tril(torch.ones([3]))).toThrow('Dimension out of range (expected to be in range of [-1, 0], but got -2)');
    expect(() => torch.diag(torch.ones([2, 2, 2]))).toThrow('matrix or a vector expected');
  });

  it('repeat, tile, unbind, hstack, vstack, stride, storageOffset, mT, fullLike and the functional views', async () => {
    const xi = x();
    expect([String(xi.repeat(2, 1).size()), String(xi.repeat(1, 2, 2).size()), String(xi.tile([2]).size())]).toEqual(['torch.Size([4, 3])', 'torch.Size([1, 4, 6])', 'torch.Size([2, 6])']);
    expect(await text(torch.tensor([1, 2]).repeat(3))).toBe('tensor([1, 2, 1, 2, 1, 2])');
    expect(await both((a) => a.repeat(2, 2))).toEqual(['tensor([[ 0.5000, -1.0000,  2.0000,  0.5000, -1.0000,  2.0000],\n        [ 1.5000,  0.2500, -0.7500,  1.5000,  0.2500, -0.7500],\n        [ 0.5000, -1.0000,  2.0000,  0.5000, -1.0000,  2.0000],\n        [ 1.5000,  0.2500, -0.7500,  1.5000,  0.2500, -0.7500]],\n       grad_fn=<RepeatBackward0>)', 'tensor([[4., 4., 4.],\n        [4., 4., 4.]])']);
    expect(await Promise.all(xi.unbind(1).map(text))).toEqual(['tensor([0.5000, 1.5000], grad_fn=<UnbindBackward0>)', 'tensor([-1.0000,  0.2500], grad_fn=<UnbindBackward0>)', 'tensor([ 2.0000, -0.7500], grad_fn=<UnbindBackward0>)']);
    expect([xi.stride(), xi.t().stride(), xi.index('1:').storageOffset(), xi.stride(1)]).toEqual([[3, 1], [1, 3], 3, 1]);
    expect([String(torch.hstack([xi, xi]).size()), String(torch.vstack([xi, xi]).size())]).toEqual(['torch.Size([2, 6])', 'torch.Size([4, 3])']);
    expect(await text(torch.hstack([torch.tensor([1, 2]), torch.tensor([3])]))).toBe('tensor([1, 2, 3])');
    expect(await text(torch.vstack([torch.tensor([1, 2]), torch.tensor([3, 4])]))).toBe('tensor([[1, 2],\n        [3, 4]])');
    expect(String(xi.mT.size())).toBe('torch.Size([3, 2])');
    expect(await text(torch.fullLike(xi, 7))).toBe('tensor([[7., 7., 7.],\n        [7., 7., 7.]])');
    expect(await text(torch.fullLike(torch.tensor([1, 2]), 7.9))).toBe('tensor([7, 7])');
    expect([String(torch.squeeze(torch.ones([1, 2, 1])).size()), String(torch.transpose(xi, 0, 1).size()), String(torch.permute(xi, [1, 0]).size()), String(torch.unsqueeze(xi, 0).size()), String(torch.flatten(xi).size())])
      .toEqual(['torch.Size([2])', 'torch.Size([3, 2])', 'torch.Size([3, 2])', 'torch.Size([1, 2, 3])', 'torch.Size([6])']);
    expect(() => xi.repeat(2)).toThrow('Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor');
  });

  it('enableGrad inside noGrad, setGradEnabled', async () => {
    const w = torch.ones([2], { requiresGrad: true });
    const y = torch.noGrad(() => torch.enableGrad(() => w.mul(2)));
    expect(y.requiresGrad).toBe(true);
    torch.setGradEnabled(false);
    try { expect(w.mul(2).requiresGrad).toBe(false); } finally { torch.setGradEnabled(true); }
    expect(w.mul(2).requiresGrad).toBe(true);
  });

  it('gradients match finite differences (float64)', async () => {
    await gradcheck((a) => a.square().add(a.rsqrt()).add(torch.log1p(a)).add(torch.expm1(a.mul(0.3))), [[3, 4]], { positive: true });
    await gradcheck((a, b, w) => torch.lerp(a, b, 0.3).add(torch.lerp(a, b, w)), [[2, 3], [2, 3], [3]]);
    await gradcheck((a) => torch.logsumexp(a, [0, 1]).add(a.logsumexp(1, true)), [[3, 4]]);
    await gradcheck((a) => a.amax(0).add(a.amin(1, true).sum()), [[3, 4]]);
    await gradcheck((a) => torch.stack([a.norm(), a.norm(1), a.norm(3), a.norm(Infinity), a.norm(2, 1).sum()]), [[3, 4]]);
    await gradcheck((a, b) => torch.outer(a, b).tril(-1).add(torch.outer(a, b).triu(1)), [[3], [4]]);
    await gradcheck((a, v) => torch.diag(a, 1).sum().add(torch.diag(v, -1)).add(torch.trace(a)).add(a.diagonal(-1).sum()), [[4, 4], [3]]);
    await gradcheck((a) => a.repeat(2, 1, 3).add(a.tile([2]).sum()), [[2, 3]]);
    await gradcheck((a) => torch.stack(a.unbind(1)).mul(torch.hstack([a, a]).sum()), [[2, 3]]);
    await gradcheck((a, b) => torch.bmm(a, b), [[2, 3, 4], [2, 4, 2]]);
  });
});

describe('reductions over a middle dim of large float32 tensors (a SIMD call per run of columns)', () => {
  it('sum, max, min, argmax give the defined order\'s values', async () => {
    torch.manualSeed(12);
    const x = torch.randn([4, 50, 30]), d = (await x.toTypedArray()) as Float32Array;
    const at = (i: number, j: number, k: number) => d[(i * 50 + j) * 30 + k];
    const [s, mx, mn, am] = await Promise.all([x.sum(1), x.amax(1), x.amin(1), x.argmax(1)].map((t) => values(t)));
    for (let i = 0; i < 4; i++) for (let k = 0; k < 30; k++) {
      // (protocol.ts: four float64 accumulators, element j into accumulator j % 4, (a0 + a1) + (a2 + a3))
      const acc = [0, 0, 0, 0];
      let best = -Infinity, worst = Infinity, arg = 0;
      for (let j = 0; j < 50; j++) {
        const v = at(i, j, k);
        acc[j % 4] += v;
        if (v > best) { best = v; arg = j; }
        worst = Math.min(worst, v);
      }
      const o = i * 30 + k;
      expect([s[o], mx[o], mn[o], am[o]]).toEqual([Math.fround((acc[0] + acc[1]) + (acc[2] + acc[3])), best, worst, arg]);
    }
  });
});

describe('indexSelect, gather, scatterAdd, indexing by a tensor', () => {
  it("PyTorch's values, grad_fns, gradients and errors", async () => {
    const x = torch.arange(12).reshape(3, 4).float().requiresGrad_();
    const a = x.indexSelect(0, torch.tensor([2, 0, 2]));
    expect(await text(a)).toBe('tensor([[ 8.,  9., 10., 11.],\n        [ 0.,  1.,  2.,  3.],\n        [ 8.,  9., 10., 11.]], grad_fn=<IndexSelectBackward0>)');
    await a.mul(torch.arange(12).reshape(3, 4).float()).sum().backward();
    expect(await text(x.grad!)).toBe('tensor([[ 4.,  5.,  6.,  7.],\n        [ 0.,  0.,  0.,  0.],\n        [ 8., 10., 12., 14.]])');
    expect(await text(x.index(':', torch.tensor([3, 1])))).toBe('tensor([[ 3.,  1.],\n        [ 7.,  5.],\n        [11.,  9.]], grad_fn=<IndexBackward0>)');
    expect(await text(x.index(torch.tensor([1, 1])))).toBe('tensor([[4., 5., 6., 7.],\n        [4., 5., 6., 7.]], grad_fn=<IndexBackward0>)');
    expect(await values(x.index('...', torch.tensor(2)))).toEqual([2, 6, 10]);
    x.grad = null;
    const g = torch.gather(x, 1, torch.tensor([[0, 0], [1, 0], [3, 3]]));
    expect(await text(g)).toBe('tensor([[ 0.,  0.],\n        [ 5.,  4.],\n        [11., 11.]], grad_fn=<GatherBackward0>)');
    await g.mul(f32([[1, 2], [3, 4], [5, 6]])).sum().backward();
    expect(await text(x.grad!)).toBe('tensor([[ 3.,  0.,  0.,  0.],\n        [ 4.,  3.,  0.,  0.],\n        [ 0.,  0.,  0., 11.]])');
    const idx = torch.tensor([[0, 1, 0], [4, 4, 4]]);
    expect(await text(torch.zeros([3, 5]).scatterAdd(1, idx, torch.ones([2, 3])))).toBe('tensor([[2., 1., 0., 0., 0.],\n        [0., 0., 0., 0., 3.],\n        [0., 0., 0., 0., 0.]])');
    const src = torch.arange(6).reshape(2, 3).float().requiresGrad_(), base = torch.ones([3, 5], { requiresGrad: true });
    const s2 = base.scatterAdd(1, idx, src);
    expect(await text(s2)).toBe('tensor([[ 3.,  2.,  1.,  1.,  1.],\n        [ 1.,  1.,  1.,  1., 13.],\n        [ 1.,  1.,  1.,  1.,  1.]], grad_fn=<ScatterAddBackward0>)');
    await s2.mul(torch.arange(15).reshape(3, 5).float()).sum().backward();
    expect(await text(base.grad!)).toBe('tensor([[ 0.,  1.,  2.,  3.,  4.],\n        [ 5.,  6.,  7.,  8.,  9.],\n        [10., 11., 12., 13., 14.]])');
    expect(await text(src.grad!)).toBe('tensor([[0., 1., 0.],\n        [9., 9., 9.]])');
    // Errors: an index out of range is PyTorch's error at once on the CPU (the GPU's is at the next read).
    expect(() => x.indexSelect(0, torch.tensor([3]))).toThrow('index 3 is out of bounds for dimension 0 with size 3');
    expect(() => torch.gather(x, 1, torch.tensor([[5]]))).toThrow('index 5 is out of bounds for dimension 1 with size 4');
    expect(() => x.indexSelect(0, torch.tensor([[1]]))).toThrow('index_select(): Index is supposed to be a vector');
    expect(() => torch.gather(x, 1, torch.tensor([1]))).toThrow('Index tensor must have the same number of dimensions as input tensor');
    expect(() => x.indexSelect(0, f32([1]))).toThrow('index_select(): Expected dtype int32 or int64 for index');
    expect(() => x.index(x.gt(3))).toThrow('indexing by a bool mask is not supported');
    expect(() => x.index(torch.tensor([0]), 1)).toThrow('unsupported index');
  });

  it('maskedSelect and nonzero (promises: their sizes depend on the values), as PyTorch\'s', async () => {
    const x = f32([[0.5, -1.0, 2.0], [1.5, 0.0, -0.75]]).requiresGrad_();
    const y = await x.maskedSelect(x.gt(0));
    expect(await text(y)).toBe('tensor([0.5000, 2.0000, 1.5000], grad_fn=<MaskedSelectBackward0>)');
    await y.mul(f32([1, 2, 3])).sum().backward();
    expect(await text(x.grad!)).toBe('tensor([[1., 0., 2.],\n        [3., 0., 0.]])');
    expect(await text(await torch.maskedSelect(x, torch.tensor([true, false, true])))).toBe('tensor([ 0.5000,  2.0000,  1.5000, -0.7500], grad_fn=<MaskedSelectBackward0>)');
    expect(await text(await x.detach().nonzero())).toBe('tensor([[0, 0],\n        [0, 1],\n        [0, 2],\n        [1, 0],\n        [1, 2]])');
    expect(await text(await torch.nonzero(torch.tensor([0, 3, 0, 1])))).toBe('tensor([[1],\n        [3]])');
    expect(await text(await torch.nonzero(torch.tensor(5)))).toBe('tensor([], size=(1, 0), dtype=torch.int64)');
    await expect(x.maskedSelect(torch.tensor([1, 0, 1]))).rejects.toThrow('masked_select: expected BoolTensor or ByteTensor for mask');
    expect(() => x.index(x.gt(0))).toThrow('await x.maskedSelect(mask)');
  });

  it('gradients match finite differences (float64); large index_select in the arena, repeated indices summed in order', async () => {
    await gradcheck((a) => a.indexSelect(1, torch.tensor([2, 0, 2, 3])).add(torch.gather(a, 0, torch.tensor([[1, 0, 2, 2], [0, 0, 0, 1]])).sum()), [[3, 4]]);
    await gradcheck((a, b) => a.scatterAdd(0, torch.tensor([[1, 0, 2], [1, 1, 1]]), b), [[3, 4], [2, 3]]);
    torch.manualSeed(2);
    const big = torch.randn([3000, 300]), rows = torch.randint(0, 3000, [5000]);
    const picked = big.indexSelect(0, rows);
    const r = await values(rows), b = (await big.toTypedArray()) as Float32Array, p = (await picked.toTypedArray()) as Float32Array;
    for (const k of [0, 1, 777, 4999]) expect(Array.from(p.subarray(k * 300, k * 300 + 300))).toEqual(Array.from(b.subarray(r[k] * 300, r[k] * 300 + 300)));
  });
});

describe.runIf(available)('on the GPU: the CPU\'s results', () => {
  it('NaN compares unequal to everything there too (x != x was false on lavapipe)', async () => {
    const run = async (dev: string) => {
      const a = f32([NaN, 1, Infinity, -Infinity], dev), b = f32([NaN, NaN, 1, Infinity], dev);
      const out: number[][] = [];
      for (const fn of ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const) out.push(await values(a[fn](a)), await values(a[fn](b)), await values(a[fn](1)), await values(a[fn](NaN)));
      out.push(await values(a.isnan()), await values(a.isinf()), await values(a.isfinite()), await values(a.relu()), await values(a.neg().relu()));
      return out;
    };
    expect(await run('gpu')).toEqual(await run('cpu'));
  });

  it('the new ops and their gradients', async () => {
    torch.manualSeed(6);
    const src = torch.randn([4, 5]), v = torch.randn([4]);
    const run = async (dev: string) => {
      const a = src.to(dev).detach().requiresGrad_(), u = v.to(dev);
      const parts = [
        a.square().sum(), a.abs().add(0.5).rsqrt().sum(), torch.log1p(a.abs()).sum(), torch.expm1(a.mul(0.3)).sum(), torch.lerp(a, a.mul(2), 0.3).sum(),
        torch.logsumexp(a, 1).sum(), a.amax(0).sum(), a.amin().mul(1), a.norm(), a.norm(1, 1).sum(), a.norm(Infinity), torch.outer(u, a.index(0)).sum(),
        a.tril(1).sum(), a.triu(-1).mul(2).sum(), torch.diag(a, 1).sum(), torch.trace(a), a.repeat(2, 3).mul(torch.arange(120, { device: dev }).reshape(8, 15).float()).sum(),
        torch.vstack(a.unbind(1)).sum(),
        a.indexSelect(0, torch.tensor([3, 0, 3], { device: dev })).mul(2).sum(), torch.gather(a, 1, torch.tensor([[4, 0], [1, 1], [0, 0], [2, 3]], { device: dev })).sum(),
        a.scatterAdd(1, torch.tensor([[1, 1, 0], [4, 4, 4]], { device: dev }), a.index('0:2', '0:3').mul(3)).sum(), a.index(':', torch.tensor([1, 1], { device: dev })).sum(),
        (await a.maskedSelect(src.gt(0.3).to(dev))).mul(1.5).sum(),
      ];
      const total = torch.stack(parts);
      await total.mul(torch.arange(parts.length, { device: dev }).float().add(1)).sum().backward();
      return [await values(total), await values(a.grad!)];
    };
    const [cpu, gpu] = [await run('cpu'), await run('gpu')];
    for (let k = 0; k < 2; k++) cpu[k].forEach((c, i) => expect(Math.abs(gpu[k][i] - c), `${k}:${i}`).toBeLessThan(2e-5 * Math.max(1, Math.abs(c))));
    // Repeated indices: the GPU adds them in the CPU's order (bit for bit).
    const w = torch.randn([1000]), ix = torch.randint(0, 7, [1000]);
    const sc = async (dev: string) => values(torch.zeros([7], { device: dev }).scatterAdd(0, ix.to(dev), w.to(dev)));
    expect(await sc('gpu')).toEqual(await sc('cpu'));
    // An index out of range: the next read on the GPU says so, and later work goes on.
    const bad = torch.ones([4], { device: 'gpu' }).indexSelect(0, torch.tensor([0, 4], { device: 'gpu' }));
    await expect(bad.toTypedArray()).rejects.toThrow('index out of bounds on gpu');
    expect(await values(torch.ones([4], { device: 'gpu' }).indexSelect(0, torch.tensor([0, 3], { device: 'gpu' })))).toEqual([1, 1]);
  });

  it('long index lines (embedding gradients, scatter_add along a long dim) are sorted first: the CPU\'s sums bit for bit, and its errors', async () => {
    torch.manualSeed(11);
    // An embedding's gradient: 3000 lookups of 50 rows (one index line, the same for every column).
    const wt = torch.randn([50, 16]), ids = torch.randint(0, 50, [30, 100]), up = torch.randn([30, 100, 16]);
    const emb = async (dev: string) => {
      const w = wt.to(dev).detach().requiresGrad_();
      await torch.nn.functional.embedding(ids.to(dev), w).mul(up.to(dev)).sum().backward();
      return values(w.grad!);
    };
    expect(await emb('gpu')).toEqual(await emb('cpu'));
    // A different index on every line, ints and int64 sums, an index of int32, a view with an offset.
    const ix = torch.randint(0, 9, [400, 6]), srcf = torch.randn([400, 6]), srci = torch.randint(-50, 50, [400, 6], { dtype: torch.int32 });
    const sc = async (dev: string) => [
      await values(torch.zeros([9, 6], { device: dev }).scatterAdd(0, ix.to(dev), srcf.to(dev))),
      await values(torch.zeros([9, 6], { device: dev, dtype: torch.int32 }).scatterAdd(0, ix.to(dev).int(), srci.to(dev))),
      await values(torch.zeros([9, 6], { device: dev, dtype: torch.int64 }).scatterAdd(0, ix.to(dev), srci.to(dev).long())),
      await values(torch.zeros([9, 3], { device: dev }).scatterAdd(0, ix.to(dev).index(':', '2:5'), srcf.to(dev).index(':', '1:4'))),
      await values(torch.zeros([6, 9], { device: dev }).scatterAdd(1, ix.to(dev).t(), srcf.to(dev).t())),
    ];
    expect(await sc('gpu')).toEqual(await sc('cpu'));
    // Out of range at either end: the next read says so.
    for (const v of [-1, 9]) {
      const bad = ix.clone(); bad.index(321, 4).fill_(v);
      const r = torch.zeros([9, 6], { device: 'gpu' }).scatterAdd(0, bad.to('gpu'), srcf.to('gpu'));
      await expect(r.toTypedArray()).rejects.toThrow('index out of bounds on gpu');
    }
    expect(await values(torch.zeros([9, 6], { device: 'gpu' }).scatterAdd(0, ix.to('gpu'), srcf.to('gpu')).sum())).toHaveLength(1);
  });
});
