// sort, argsort, topk, kthvalue, median, cumsum, cumprod, flip, roll, randperm: PyTorch 1.13's printed
// values, grad_fns and errors (the expected texts are python3-torch's output for the same programs), the
// CPU's two sort paths (radix, comparison) against a reference order, gradients against finite
// differences, and the GPU against the CPU.
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradcheck, values } from './helpers.ts';

const text = (t: torch.Tensor | torch.ValuesIndices) => (t instanceof torch.Tensor ? torch.format(t) : t.format());
const f32 = (d: number | number[] | number[][], device = 'cpu') => torch.tensor(d, { dtype: 'float32', device });
const available = await gpuForTests('sort');

describe('sort, argsort, topk, kthvalue, median', () => {
  const x = () => f32([[3, 1, NaN, 1, -0, 0, 2], [5, -1, 2, 2, NaN, NaN, 0]]).requiresGrad_();

  it("PyTorch's values, positions and grad_fns (stable: equal values keep their order; NaN above all)", async () => {
    expect(await text(torch.sort(x(), 1))).toBe('torch.return_types.sort(\nvalues=tensor([[-0.,  0.,  1.,  1.,  2.,  3., nan],\n        [-1.,  0.,  2.,  2.,  5., nan, nan]], grad_fn=<SortBackward0>),\nindices=tensor([[4, 5, 1, 3, 6, 0, 2],\n        [1, 6, 2, 3, 0, 4, 5]]))');
    expect(await text(x().sort(1, true))).toBe('torch.return_types.sort(\nvalues=tensor([[nan,  3.,  2.,  1.,  1., -0.,  0.],\n        [nan, nan,  5.,  2.,  2.,  0., -1.]], grad_fn=<SortBackward0>),\nindices=tensor([[2, 0, 6, 1, 3, 4, 5],\n        [4, 5, 0, 2, 3, 6, 1]]))');
    expect(await text(torch.argsort(x(), 0))).toBe('tensor([[0, 1, 1, 0, 0, 0, 1],\n        [1, 0, 0, 1, 1, 1, 0]])');
    const [tv, ti] = torch.topk(x(), 3);
    expect(await text(tv)).toBe('tensor([[nan, 3., 2.],\n        [nan, nan, 5.]], grad_fn=<TopkBackward0>)');
    // (PyTorch leaves the order of equal values unspecified; it printed [5, 4, 0] for the second row)
    expect(await text(ti)).toBe('tensor([[2, 0, 6],\n        [4, 5, 0]])');
    expect(await text(torch.topk(x(), 2, -1, false).values)).toBe('tensor([[-0.,  0.],\n        [-1.,  0.]], grad_fn=<TopkBackward0>)');
    expect(await text(torch.kthvalue(x(), 3).values)).toBe('tensor([1., 2.], grad_fn=<KthvalueBackward0>)');
    expect(await text(torch.median(x(), 1))).toBe('torch.return_types.median(\nvalues=tensor([nan, nan], grad_fn=<MedianBackward1>),\nindices=tensor([2, 4]))');
    expect(await text(f32([[1, 2, 3, 4]]).median(1))).toBe('torch.return_types.median(\nvalues=tensor([2.]),\nindices=tensor([1]))');
    expect(await text(torch.median(f32([4, 1, 3, 2]).requiresGrad_()))).toBe('tensor(2., grad_fn=<MedianBackward0>)');
    expect(await text(torch.median(f32([1, NaN, 3])))).toBe('tensor(nan)');
    expect(await text(torch.sort(f32(3)))).toBe('torch.return_types.sort(\nvalues=tensor(3.),\nindices=tensor(0))');
    expect(await text(torch.sort(torch.tensor([true, false, true])))).toBe('torch.return_types.sort(\nvalues=tensor([False,  True,  True]),\nindices=tensor([1, 0, 2]))');
    expect(await text(torch.msort(f32([[2, 1], [0, 3]])))).toBe('tensor([[0., 1.],\n        [2., 3.]])');
    const [a, b] = torch.median(f32([[1, 5], [2, 4], [3, 3]]), 0, true);
    expect([await text(a), await text(b)]).toEqual(['tensor([[2., 4.]])', 'tensor([[1, 1]])']);
  });

  it("PyTorch's errors", () => {
    expect(() => torch.topk(torch.ones([3]), 4)).toThrow(/^selected index k out of range/);
    expect(() => torch.kthvalue(torch.ones([3]), 0)).toThrow('kthvalue(): selected number k out of range for dimension 0');
    expect(() => torch.sort(torch.ones([2, 3]), 2)).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got 2)');
    expect(() => torch.median(torch.ones([2, 0]), 1)).toThrow(/Expected reduction dim 1 to have non-zero size/);
  });

  it('the radix path (float32, int32, lines of 64 and more) gives the comparison path\'s order and the rule\'s', async () => {
    torch.manualSeed(5);
    // ties, NaN, -0 and 0, infinities
    const pool = [0, -0, 1, -1, 2.5, NaN, Infinity, -Infinity, 1e-30, -1e-30];
    const raw = Array.from({ length: 3 * 300 }, (_, i) => pool[(i * 7919) % pool.length] * (i % 3 === 0 ? 1 : 1));
    const rows = [raw.slice(0, 300), raw.slice(300, 600), raw.slice(600)];
    const rule = (row: number[], desc: boolean) => row.map((v, i) => i).sort((i, j) => {
      const a = row[i], b = row[j];
      const an = Number.isNaN(a), bn = Number.isNaN(b);
      if (an || bn) return an && bn ? i - j : (an ? 1 : -1) * (desc ? -1 : 1);
      if (a !== b) return (a < b ? -1 : 1) * (desc ? -1 : 1);
      return i - j;
    });
    for (const desc of [false, true]) {
      const want = rows.flatMap((r) => rule(r, desc));
      expect(await values(torch.argsort(f32(rows), 1, desc))).toEqual(want);
      expect(await values(torch.argsort(torch.tensor(rows, { dtype: 'float64' }), 1, desc))).toEqual(want);
      // short lines (comparison) and a transposed view
      expect(await values(torch.argsort(f32(rows).t(), 0, desc).t())).toEqual(want);
      expect(await values(torch.argsort(f32(rows.map((r) => r.slice(0, 20))), 1, desc))).toEqual(rows.flatMap((r) => rule(r.slice(0, 20), desc)));
      expect(await values(torch.argsort(torch.tensor(rows.map((r) => r.slice(0, 20)), { dtype: 'float64' }), 1, desc))).toEqual(rows.flatMap((r) => rule(r.slice(0, 20), desc)));
      // top-k: kept in a sorted run (k·8 <= n) or cut from the whole order
      for (const k of [5, 100]) {
        for (const dt of ['float32', 'float64'] as const) {
          expect(await values(torch.topk(torch.tensor(rows, { dtype: dt }), k, 1, desc).indices), `${dt} k=${k}`).toEqual(rows.flatMap((r) => rule(r, desc).slice(0, k)));
        }
      }
    }
    // A run that starts full of NaN (ascending: the worst) and one NaN arriving last (descending: the best).
    const nums = Array.from({ length: 70 }, (_, i) => pool[(i * 31) % pool.length]).filter((v) => !Number.isNaN(v));
    const edge = [[...new Array(10).fill(NaN), ...nums], [...nums, ...new Array(10).fill(NaN)]].map((r) => r.slice(0, 72));
    for (const desc of [false, true]) {
      expect(await values(torch.topk(f32(edge), 5, 1, desc).indices)).toEqual(edge.flatMap((r) => rule(r, desc).slice(0, 5)));
    }
    const ints = torch.randint(-4, 4, [2, 500]);
    expect(await values(torch.argsort(ints.to({ dtype: 'int32' }), 1, true))).toEqual(await values(torch.argsort(ints, 1, true)));
  });

  it('gradients against finite differences', async () => {
    await gradcheck((a) => torch.sort(a, 1).values, [[3, 5]]);
    await gradcheck((a) => torch.sort(a, 0, true).values, [[4, 3]]);
    await gradcheck((a) => torch.topk(a, 2).values, [[3, 5]]);
    await gradcheck((a) => torch.kthvalue(a, 2, 0).values, [[4, 3]]);
    await gradcheck((a) => torch.median(a, 1).values, [[3, 4]]);
    await gradcheck((a) => torch.median(a), [[3, 5]]);
  });
});

describe('cumsum, cumprod', () => {
  it("PyTorch's values, dtypes and grad_fns", async () => {
    expect(await text(torch.cumsum(f32([[3, 1, NaN, 1], [5, -1, 2, 2]]).requiresGrad_(), 1))).toBe('tensor([[3., 4., nan, nan],\n        [5., 4., 6., 8.]], grad_fn=<CumsumBackward0>)');
    expect(await text(torch.cumsum(torch.tensor([1, 2, 3], { dtype: 'int32' }), 0))).toBe('tensor([1, 3, 6])');
    expect(torch.cumsum(torch.tensor([1, 2, 3], { dtype: 'int32' }), 0).dtype).toBe('int64');
    expect(await text(torch.cumsum(torch.tensor([true, false, true]), 0))).toBe('tensor([1, 1, 2])');
    expect(await text(torch.cumsum(f32(2), 0))).toBe('tensor(2.)');
    expect(await text(f32([1, 2]).cumsum(0, { dtype: 'float64' }))).toBe('tensor([1., 3.], dtype=torch.float64)');
    expect(await text(torch.cumprod(f32([[1, 2, 0, 3], [2, 2, 2, 2]]).requiresGrad_(), 1))).toBe('tensor([[ 1.,  2.,  0.,  0.],\n        [ 2.,  4.,  8., 16.]], grad_fn=<CumprodBackward0>)');
    // float32 sums accumulate in float64 on the CPU, as PyTorch's CPU does: 2^24 + 1 + 1 is exact there
    expect(await values(torch.cumsum(f32([16777216, 1, 1]), 0))).toEqual([16777216, 16777216, 16777218]);
  });

  it('gradients: finite differences, and cumprod through zeros as PyTorch', async () => {
    await gradcheck((a) => torch.cumsum(a, 1), [[3, 5]]);
    await gradcheck((a) => torch.cumsum(a, 0), [[4, 2]]);
    await gradcheck((a) => torch.cumprod(a, 1), [[3, 5]]);
    await gradcheck((a) => torch.cumprod(a.t(), 0), [[3, 4]]);
    const a = f32([[1, 2, 0, 3], [2, -1, 2, 0.5]]).requiresGrad_();
    await a.cumprod(1).sum().backward();
    expect(await text(a.grad!)).toBe('tensor([[ 3.,  1.,  8.,  0.],\n        [-3.,  8., -3., -4.]])');
    const z = torch.tensor([0, 0, 2, 3], { dtype: 'float64' }).requiresGrad_();
    await z.cumprod(0).sum().backward();
    expect(await values(z.grad!)).toEqual([1, 0, 0, 0]);
    await gradcheck((v) => v.cumprod(0).mul(v.cumsum(0)), [[4]]);
  });
});

describe('flip, roll, randperm', () => {
  it("PyTorch's values, grad_fns and errors", async () => {
    const m = () => torch.arange(6, { dtype: 'float32' }).reshape(2, 3).requiresGrad_();
    expect(await text(torch.flip(m(), [0, 1]))).toBe('tensor([[5., 4., 3.],\n        [2., 1., 0.]], grad_fn=<FlipBackward0>)');
    expect(await text(m().flip(1))).toBe('tensor([[2., 1., 0.],\n        [5., 4., 3.]], grad_fn=<FlipBackward0>)');
    expect(await text(torch.roll(m(), 1))).toBe('tensor([[5., 0., 1.],\n        [2., 3., 4.]], grad_fn=<RollBackward0>)');
    expect(await text(torch.roll(torch.arange(6).reshape(2, 3), [1, -1], [0, 1]))).toBe('tensor([[4, 5, 3],\n        [1, 2, 0]])');
    expect(await text(torch.roll(torch.arange(5), 7))).toBe('tensor([3, 4, 0, 1, 2])');
    expect(() => torch.roll(torch.ones([3]), [1, 2], [0])).toThrow('shifts and dimensions must align. shifts: 2, dims:1');
    expect(() => torch.flip(torch.ones([3]), [0, 0])).toThrow(/^dim 0 appears multiple times in the list of dims/);
    await gradcheck((a) => torch.flip(a, [0, 1]), [[3, 4]]);
    await gradcheck((a) => torch.roll(a, [1, -2], [0, 1]), [[3, 4]]);
    await gradcheck((a) => torch.roll(a, 5), [[3, 4]]);
  });

  it('randperm: a permutation from the seeded generator', async () => {
    torch.manualSeed(7);
    const p = await values(torch.randperm(1000));
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
    torch.manualSeed(7);
    expect(await values(torch.randperm(1000))).toEqual(p);
    expect(torch.randperm(3, { dtype: 'int32' }).dtype).toBe('int32');
    expect(torch.randperm(0).shape).toEqual([0]);
    expect(() => torch.randperm(-1)).toThrow('randperm(): n must be a non-negative integer, got -1');
  });
});

describe.runIf(available)('on the GPU: the CPU\'s results', () => {
  it('argsort (bitonic, padded lines) equals the CPU\'s order; scans within float32 error', async () => {
    torch.manualSeed(1);
    for (const [r, n] of [[3, 7], [5, 64], [2, 1000], [1, 3000], [4, 1]]) {
      const x = torch.randint(0, 20, [r, n]).to({ dtype: 'float32' }), xg = x.to('gpu');
      for (const desc of [false, true]) {
        expect(await values(torch.argsort(xg, 1, desc).to('cpu'))).toEqual(await values(torch.argsort(x, 1, desc)));
        expect(await values(torch.argsort(xg, 0, desc).to('cpu'))).toEqual(await values(torch.argsort(x, 0, desc)));
      }
      const xi = torch.randint(-5, 5, [r, n]);
      expect(await values(torch.argsort(xi.to('gpu'), 1).to('cpu'))).toEqual(await values(torch.argsort(xi, 1)));
      expect(await values(torch.cumsum(xi.to('gpu'), 1).to('cpu'))).toEqual(await values(torch.cumsum(xi, 1)));
      const u = torch.rand([r, n]);
      for (const d of [0, 1]) {
        const got = await values(torch.cumsum(u.to('gpu'), d).to('cpu')), want = await values(torch.cumsum(u, d));
        got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(2e-6 * Math.max(1, want[i])));
        const pg = await values(torch.cumprod(u.add(0.5).to('gpu'), d).to('cpu')), pw = await values(torch.cumprod(u.add(0.5), d));
        // (relative, while the products stay well inside float32's range)
        pg.forEach((v, i) => { if (pw[i] > 1e-30 && pw[i] < 1e30) expect(Math.abs(v - pw[i])).toBeLessThanOrEqual(1e-4 * pw[i]); });
      }
    }
    const w = f32([[NaN, 1, -0, 0], [2, NaN, NaN, -1], [3, 3, 3, 3]]).t();
    for (const desc of [false, true]) expect(await values(torch.argsort(w.to('gpu'), 0, desc).to('cpu'))).toEqual(await values(torch.argsort(w, 0, desc)));
  });

  it('values, gradients and rearrangements', async () => {
    torch.manualSeed(2);
    const s = torch.rand([3, 50]).requiresGrad_(), sg = s.detach().to('gpu').requiresGrad_();
    const wt = torch.rand([3, 50]);
    await torch.sort(s, 1).values.mul(wt).sum().backward();
    await torch.sort(sg, 1).values.mul(wt.to('gpu')).sum().backward();
    expect(await values(sg.grad!.to('cpu'))).toEqual(await values(s.grad!));
    for (const f of [
      (t: torch.Tensor) => torch.topk(t, 5).values, (t: torch.Tensor) => torch.median(t, 1).values, (t: torch.Tensor) => torch.kthvalue(t, 2, 0).values,
      (t: torch.Tensor) => torch.flip(t, [0, 1]), (t: torch.Tensor) => torch.roll(t, [2, -7], [0, 1]), (t: torch.Tensor) => torch.cumprod(t.add(0.5), 1),
    ]) {
      const a = s.detach().requiresGrad_(), ag = s.detach().to('gpu').requiresGrad_();
      const va = f(a), vg = f(ag);
      const [want, got] = [await values(va), await values(vg.to('cpu'))];
      got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[i]))));
      await va.sum().backward(); await vg.sum().backward();
      const [gw, gg] = [await values(a.grad!), await values(ag.grad!.to('cpu'))];
      gg.forEach((v, i) => expect(Math.abs(v - gw[i])).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(gw[i]))));
    }
    torch.manualSeed(3);
    const p1 = torch.randperm(100, { device: 'gpu' });
    torch.manualSeed(3);
    expect(p1.device).toBe('gpu');
    expect(await values(p1.to('cpu'))).toEqual(await values(torch.randperm(100)));
  });
});
