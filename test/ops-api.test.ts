// src/ops-api.ts against PyTorch 1.13 (test/fixtures/ops-api.json, from scripts/torch-ops-api.py): the
// aliases, broadcasting helpers, products, distances, powers and the data-dependent unique/bincount/argwhere.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradcheck, values } from './helpers.ts';

const R = JSON.parse(readFileSync(new URL('./fixtures/ops-api.json', import.meta.url), 'utf8')) as Record<string, any>;
const available = await gpuForTests('ops-api');
const f32 = (v: unknown) => torch.tensor(v as number[], { dtype: 'float32' });
const list = async (t: torch.Tensor) => t.tolist();
function near(got: unknown, want: unknown, tol: number, what: string): void {
  if (Array.isArray(want)) { expect((got as unknown[]).length, what).toBe(want.length); want.forEach((w, i) => near((got as unknown[])[i], w, tol, `${what}[${i}]`)); return; }
  expect(Math.abs((got as number) - (want as number)), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want as number)));
}

describe('more top-level functions (src/ops-api.ts)', () => {
  it("unique, uniqueConsecutive, bincount, argwhere: PyTorch's values, inverses and counts", async () => {
    const [u, inv, c] = (await torch.unique(torch.tensor([3, 1, 2, 3, 1, 5, 2, 2]), { returnInverse: true, returnCounts: true })) as torch.Tensor[];
    expect([await list(u), await list(inv), await list(c)]).toEqual(R.unique);
    expect(u.dtype).toBe('int64');
    const [ud, invd, cd] = (await torch.unique(torch.tensor([[1, 2], [3, 4], [1, 2], [0, 9]]), { dim: 0, returnInverse: true, returnCounts: true })) as torch.Tensor[];
    expect([await list(ud), await list(invd), await list(cd)]).toEqual(R.unique_dim0);
    const [uc, cc] = (await torch.uniqueConsecutive(torch.tensor([1, 1, 2, 2, 3, 1, 1, 2]), { returnCounts: true })) as torch.Tensor[];
    expect([await list(uc), await list(cc)]).toEqual(R.uc);
    expect((await values(await torch.unique(f32([NaN, 1, NaN]) ) as torch.Tensor)).map(String)).toEqual(['1', 'NaN', 'NaN']);
    expect(await list(await torch.bincount(torch.tensor([0, 1, 1, 3, 2, 1, 7])))).toEqual(R.bincount);
    expect(await list(await torch.bincount(torch.tensor([0, 1, 1, 3]), f32([0.5, 1, 2, 0.25]), 6))).toEqual(R.bincount_w);
    await expect(torch.bincount(torch.tensor([1, -1]))).rejects.toThrow('bincount only supports 1-d non-negative integral inputs.');
    expect(await list(await torch.argwhere(torch.tensor([[0, 1], [2, 0]])))).toEqual(R.argwhere);
  });

  it("products, distances, powers and creation: PyTorch's values", async () => {
    const a = torch.arange(24, { dtype: 'float32' }).reshape([2, 3, 4]), b = torch.arange(24, { dtype: 'float32' }).reshape([4, 3, 2]);
    expect(await list(torch.tensordot(a, b, [[1, 2], [1, 0]]))).toEqual(R.tensordot);
    expect(await list(torch.tensordot(torch.arange(6, { dtype: 'float32' }).reshape([2, 3]), torch.arange(12, { dtype: 'float32' }).reshape([3, 4]), 1))).toEqual(R.tensordot1);
    const x1 = f32([[0, 1], [2, 3], [4, -1]]), x2 = f32([[1, 1], [0, -2]]);
    for (const [k, p] of [[0, 2], [1, 1], [2, 3], [3, Infinity], [4, 0]] as const) near(await list(torch.cdist(x1, x2, p)), R.cdist[k], 1e-6, `cdist p=${p}`);
    const A = f32([[1, 2], [3, 4]]);
    near(await list(torch.matrixPower(A, 3)), R.mpow[0], 1e-6, 'A^3');
    near(await list(torch.matrixPower(A, -2)), R.mpow[1], 1e-5, 'A^-2');
    expect(await list(torch.matrixPower(A, 0))).toEqual(R.mpow[2]);
    expect(await list(torch.inner(torch.arange(6, { dtype: 'float32' }).reshape([2, 3]), torch.arange(9, { dtype: 'float32' }).reshape([3, 3])))).toEqual(R.inner);
    expect(await list(torch.vander(torch.tensor([1, 2, 3]), 4))).toEqual(R.vander);
    expect(await list(torch.vander(f32([1, 2, 3]), null, true))).toEqual(R.vander_inc);
    expect(await list(torch.diagflat(torch.tensor([[1, 2], [3, 4]]), 1))).toEqual(R.diagflat);
    near((await Promise.all(torch.stdMean(f32([[1, 2, 4], [3, 5, 9]]), 1).map(list))), R.std_mean, 1e-6, 'std_mean');
    near((await Promise.all(torch.varMean(f32([[1, 2, 4], [3, 5, 9]])).map(list))), R.var_mean, 1e-6, 'var_mean');
    const V = f32([1, 0, -1]);
    expect(await list(torch.addmv(f32([1, 2]), f32([[1, 2, 3], [4, 5, 6]]), V, { beta: 0.5, alpha: 2 }))).toEqual(R.addmv);
    expect(await list(torch.addr(torch.ones([2, 3]), f32([1, 2]), V, { alpha: 3 }))).toEqual(R.addr);
    const B1 = torch.arange(12, { dtype: 'float32' }).reshape([2, 2, 3]), B2 = torch.arange(12, { dtype: 'float32' }).reshape([2, 3, 2]);
    expect(await list(torch.baddbmm(torch.ones([2, 2, 2]), B1, B2, { beta: 2 }))).toEqual(R.baddbmm);
    expect(await list(torch.addbmm(torch.ones([2, 2]), B1, B2))).toEqual(R.addbmm);
    // (β = 0 ignores the input, NaN included)
    expect(await list(torch.addmv(f32([NaN, 1]), f32([[1, 0], [0, 1]]), f32([2, 3]), { beta: 0 }))).toEqual([2, 3]);
    const fp = torch.floatPower(torch.tensor([2, 3]), 0.5);
    expect(await list(fp)).toEqual(R.float_power[0]);
    expect(`torch.${torch.floatPower(torch.tensor([2, 3]), 2).dtype}`).toBe(R.float_power[1]);
    near(await list(torch.logspace(-2, 2, 5)), R.logspace, 1e-7, 'logspace');
    expect(await list(torch.logspace(0, 3, 4, 2))).toEqual(R.logspace2);
    expect([torch.atleast1d(torch.tensor(1)), torch.atleast2d(f32([1, 2])), torch.atleast3d(f32([1, 2])), torch.atleast3d(torch.ones([2, 3]))].map((t) => [...t.shape])).toEqual(R.atleast);
  });

  it('aliases, broadcasting helpers and errors', async () => {
    const x = f32([-1.5, 0.25, 2]);
    for (const [a, b] of [[torch.absolute(x), torch.abs(x)], [torch.negative(x), torch.neg(x)], [torch.fix(x), torch.trunc(x)], [torch.sgn(x), torch.sign(x)],
      [torch.clampMin(x, 0), torch.clamp(x, 0)], [torch.clampMax(x, 0), torch.clamp(x, null, 0)], [torch.arctan2(x, x), torch.atan2(x, x)], [torch.trueDivide(x, 2), torch.div(x, 2)]] as const) {
      expect(await values(a)).toEqual(await values(b));
    }
    expect(torch.positive(x)).toBe(x);
    expect([...torch.ravel(torch.ones([2, 3])).shape]).toEqual([6]);
    expect([...torch.broadcastTo(f32([1, 2]), [3, 2]).shape]).toEqual([3, 2]);
    expect(torch.broadcastShapes([2, 1], [1, 3], [3])).toEqual([2, 3]);
    expect(torch.broadcastTensors(f32([1, 2]), torch.ones([3, 1])).map((t) => [...t.shape])).toEqual([[3, 2], [3, 2]]);
    expect(() => torch.tensordot(torch.ones([2, 3]), torch.ones([4, 2]), 1)).toThrow('contracted dimensions need to match, but first has size 3 in dim 1 and second has size 4 in dim 0');
    expect(() => torch.cdist(torch.ones([2, 3]), torch.ones([2, 4]))).toThrow('X1 and X2 must have the same number of columns. X1: 3 X2: 4');
    expect(() => torch.matrixPower(torch.ones([2, 3]), 2)).toThrow('expected a tensor of square matrices');
    expect(() => torch.inner(torch.ones([2, 3]), torch.ones([2]))).toThrow('inner() the last dimension must match on both input tensors');
  });

  it("indexAdd, indexCopy, indexFill, scatter (and reduce 'add'), histc, unflatten: PyTorch 1.13's values (printed by it)", async () => {
    expect(await list(torch.indexAdd(torch.zeros([3, 4]), 0, torch.tensor([0, 2, 0]), torch.arange(12, { dtype: 'float32' }).reshape([3, 4]), { alpha: 2 })))
      .toEqual([[16, 20, 24, 28], [0, 0, 0, 0], [8, 10, 12, 14]]);
    expect(await list(torch.indexCopy(torch.ones([3, 2]), 0, torch.tensor([2, 0]), f32([[5, 6], [7, 8]])))).toEqual([[7, 8], [1, 1], [5, 6]]);
    expect(await list(torch.indexFill(torch.ones([2, 3]), 1, torch.tensor([0, 2]), -1))).toEqual([[-1, 1, -1], [-1, 1, -1]]);
    expect(await list(torch.scatter(torch.zeros([3, 3]), 1, torch.tensor([[0, 2], [1, 0], [2, 1]]), torch.arange(1, 7, { dtype: 'float32' }).reshape([3, 2]))))
      .toEqual([[1, 0, 2], [4, 3, 0], [0, 6, 5]]);
    expect(await list(torch.scatter(torch.zeros([2, 3]), 0, torch.tensor([[1, 0, 1]]), 9))).toEqual([[0, 9, 0], [9, 0, 9]]);
    expect(await list(torch.scatter(torch.ones([2, 3]), 0, torch.tensor([[1, 0, 1], [0, 0, 0]]), torch.full([2, 3], 2, { dtype: 'float32' }), { reduce: 'add' }))).toEqual([[3, 5, 3], [3, 1, 3]]);
    // reduce 'multiply' (PyTorch 1.13: [[10, 6], [3, 28]], [[4, 4], [3, 8]]; integers stay integers)
    const sx = torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' }), si = torch.tensor([[0, 0], [0, 1]]);
    expect(await list(torch.scatter(sx, 0, si, torch.tensor([[2, 3], [5, 7]], { dtype: 'float32' }), { reduce: 'multiply' }))).toEqual([[10, 6], [3, 28]]);
    expect(await list(torch.scatter(sx, 0, si, 2, { reduce: 'multiply' }))).toEqual([[4, 4], [3, 8]]);
    expect(await list(torch.scatter(torch.tensor([[1, 2], [3, 4]]), 0, si, torch.tensor([[2, 3], [5, 7]]), { reduce: 'multiply' }))).toEqual([[10, 6], [3, 28]]);
    const h = f32([1, 2, 1, 4, 2.5, 0.5]);
    expect(await list(torch.histc(h, 4, 0, 4))).toEqual([1, 2, 2, 1]);
    expect(await list(torch.histc(h, 5))).toEqual([3, 0, 2, 0, 1]);
    expect(await list(torch.histc(f32([3, 3, 3]), 4))).toEqual([0, 0, 3, 0]);
    expect([...torch.unflatten(torch.ones([2, 12]), 1, [3, -1]).shape]).toEqual([2, 3, 4]);
    expect(await list(torch.chainMatmul(f32([[1, 2]]), f32([[3], [4]]), f32([[2]])))).toEqual([[22]]);
    expect([torch.isFloatingPoint(f32([1])), torch.isFloatingPoint(torch.tensor([1])), torch.isComplex(f32([1]))]).toEqual([true, false, false]);
  });

  it("nanmedian, renorm, matrixExp and the *Scatter functions: PyTorch 1.13's printed values", async () => {
    const x = f32([[1, NaN, 3, 2], [NaN, NaN, 5, 4]]);
    expect(await torch.nanmedian(x).format()).toBe('tensor(3.)');
    expect(await torch.nanmedian(x, 1).format()).toBe('torch.return_types.nanmedian(\nvalues=tensor([2., 4.]),\nindices=tensor([3, 3]))');
    expect(await torch.nanmedian(f32([NaN])).format()).toBe('tensor(nan)');
    expect(await torch.renorm(f32([[1, 2, 3], [4, 5, 6], [0.1, 0.1, 0.1]]), 2, 0, 5).format())
      .toBe('tensor([[1.0000, 2.0000, 3.0000],\n        [2.2792, 2.8490, 3.4188],\n        [0.1000, 0.1000, 0.1000]])');
    expect(await torch.matrixExp(f32([[1, 2], [0, 3]])).format()).toBe('tensor([[ 2.7183, 17.3673],\n        [ 0.0000, 20.0855]])');
    // float64: the rotation exp([[0, t], [−t, 0]]) = [[cos t, sin t], [−sin t, cos t]], also for a large t (many squarings)
    for (const t of [1, 40]) near(await list(torch.matrixExp(torch.tensor([[0, t], [-t, 0]], { dtype: 'float64' }))), [[Math.cos(t), Math.sin(t)], [-Math.sin(t), Math.cos(t)]], 1e-12, `exp rot ${t}`);
    expect(await torch.selectScatter(torch.zeros([2, 3]), torch.ones([3]), 0, 1).format()).toBe('tensor([[0., 0., 0.],\n        [1., 1., 1.]])');
    expect(await torch.sliceScatter(torch.zeros([4, 2]), torch.ones([2, 2]), 0, 1, 4, 2).format()).toBe('tensor([[0., 0.],\n        [1., 1.],\n        [0., 0.],\n        [1., 1.]])');
    expect(await torch.diagonalScatter(torch.zeros([3, 3]), torch.ones([2]), 1).format()).toBe('tensor([[0., 1., 0.],\n        [0., 0., 1.],\n        [0., 0., 0.]])');
  });

  it("gcd, lcm, frexp, ldexp: PyTorch 1.13's values (printed by it)", async () => {
    const a = torch.tensor([12, -18, 0, 0, 7, 1071, 2 ** 40]), b = torch.tensor([18, 12, 5, 0, -21, 462, 6]);
    expect(await list(torch.gcd(a, b))).toEqual([6, 6, 5, 0, 7, 21, 2]);
    expect(await list(torch.lcm(a, b))).toEqual([36, 36, 0, 0, 21, 23562, 3298534883328]);
    expect(() => torch.gcd(f32([1.5]), f32([2]))).toThrow(`"gcd_cpu" not implemented for 'Float'`);
    const [m, e] = torch.frexp(f32([8, 0.75, -3, 0, 1e-40, Infinity, NaN, 1, 0.5, -0]));
    const mv = await values(m);
    expect(mv.map((v) => (Number.isNaN(v) ? 'nan' : Object.is(v, -0) ? '-0' : v))).toEqual([0.5, 0.75, -0.75, 0, 0.5444488525390625, Infinity, 'nan', 0.5, 0.5, '-0']);
    expect(await list(e)).toEqual([4, 0, 2, 0, -132, 0, 0, 1, 0, 0]);
    expect(e.dtype).toBe('int32');
    const l = torch.ldexp(f32([1, 0.75, -3]), torch.tensor([3, -2, 1]));
    expect([await list(l), l.dtype, torch.ldexp(torch.tensor([1, 2]), torch.tensor([1, 2])).dtype]).toEqual([[8, 0.1875, -6], 'float32', 'float32']);
    // (the powers in two halves: 2^130 alone overflows float32, x · 2^130 does not for a small x)
    expect(await list(torch.ldexp(f32([2 ** -20]), torch.tensor([130])))).toEqual([2 ** 110]);
  });

  it("nn.functional.pdist: PyTorch 1.13's distances and gradient (a zero distance has a zero gradient)", async () => {
    const x = f32([[0, 1], [2, 3], [4, -1], [2, 3]]).requiresGrad_();
    const d = torch.nn.functional.pdist(x);
    near(await list(d), [2.8284270763397217, 4.4721360206604, 2.8284270763397217, 4.4721360206604, 0, 4.4721360206604], 1e-7, 'pdist');
    await d.sum().backward();
    near(await list(x.grad!), [[-2.308640718460083, -0.9669999480247498], [0.25989317893981934, 1.6015338897705078], [1.7888543605804443, -2.236067771911621], [0.25989317893981934, 1.6015338897705078]], 1e-6, 'pdist grad');
    expect(await list(torch.nn.functional.pdist(x.detach(), 1))).toEqual([4, 6, 4, 6, 0, 6]);
    expect(await list(torch.nn.functional.pdist(x.detach(), Infinity))).toEqual([2, 4, 2, 4, 0, 4]);
    expect(() => torch.nn.functional.pdist(torch.ones([3]))).toThrow('pdist only supports 2D tensors, got: 1D');
  });

  it('gradients match finite differences (float64)', async () => {
    await gradcheck((a, b) => torch.tensordot(a, b, [[1], [0]]), [[2, 3], [3, 2]]);
    await gradcheck((a, b) => torch.cdist(a, b), [[3, 2], [2, 2]]);
    await gradcheck((a, b) => torch.cdist(a, b, 3), [[3, 2], [2, 2]]);
    await gradcheck((a) => torch.matrixPower(a, 3), [[2, 2]]);
    await gradcheck((i, m, v) => torch.addmv(i, m, v, { beta: 0.5, alpha: 2 }), [[2], [2, 3], [3]]);
    await gradcheck((x, src) => torch.indexAdd(x, 0, torch.tensor([2, 0, 2]), src, { alpha: 1.5 }), [[3, 2], [3, 2]]);
    await gradcheck((x, src) => torch.indexCopy(x, 1, torch.tensor([1, 0]), src), [[2, 3], [2, 2]]);
    await gradcheck((x, src) => torch.scatter(x, 1, torch.tensor([[0, 2], [1, 0]]), src), [[2, 3], [2, 2]]);
    await gradcheck((a) => torch.matrixExp(a), [[3, 3]]);
    await gradcheck((a) => torch.nanmedian(a, 1).values, [[3, 4]]);
    await gradcheck((a) => torch.renorm(a, 2, 0, 1), [[3, 2]]);
    // (PyTorch 1.13's renorm gradient, the norm's own derivative included)
    const r = torch.tensor([[1, 2], [4, 5]], { dtype: 'float64' }).requiresGrad_();
    await torch.renorm(r, 2, 0, 1).sum().backward();
    near(await list(r.grad!), [[0.17888544219998245, -0.08944269109999389], [0.019045582562263016, -0.015236461659566663]], 1e-12, 'renorm grad');
  });
});

describe.runIf(available)("on the GPU: the CPU's results", () => {
  it('tensordot, cdist, matrixPower, baddbmm and unique', async () => {
    const a = torch.arange(12, { dtype: 'float32' }).reshape([3, 4]).div(5), b = torch.arange(8, { dtype: 'float32' }).reshape([4, 2]).sub(3);
    const pairs: Array<[torch.Tensor, torch.Tensor]> = [
      [torch.tensordot(a, b, 1), torch.tensordot(a.to('gpu'), b.to('gpu'), 1)],
      [torch.cdist(a, a.flip(0)), torch.cdist(a.to('gpu'), a.flip(0).to('gpu'))],
      [torch.matrixPower(a.narrow(1, 0, 3), 3), torch.matrixPower(a.narrow(1, 0, 3).to('gpu'), 3)],
    ];
    for (const [c, g] of pairs) near(await values(g.cpu()), await values(c), 1e-5, 'gpu');
    const [ug, cg] = (await torch.unique(torch.tensor([3, 1, 3], { device: 'gpu' }), { returnCounts: true })) as torch.Tensor[];
    expect(ug.device).toBe('gpu');
    expect([await values(ug.cpu()), await values(cg.cpu())]).toEqual([[1, 3], [1, 2]]);
  });
});
