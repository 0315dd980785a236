// src/tensor-api.ts: the new top-level functions and Tensor views against PyTorch 1.13
// (test/fixtures/tensor-api.json, from scripts/torch-tensor-api.py), and every method alias and in-place
// `_` form against the function it stands for.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gradcheck } from './helpers.ts';

const R = JSON.parse(readFileSync(new URL('./fixtures/tensor-api.json', import.meta.url), 'utf8')) as Record<string, any>;
const f32 = (v: unknown) => torch.tensor(v as number[], { dtype: 'float32' });
const list = (t: torch.Tensor) => t.tolist();
/** a weighted sum's gradients (the fixture's weights: 0.5 + i/7) */
async function run(f: (...xs: torch.Tensor[]) => torch.Tensor, ...xs: torch.Tensor[]) {
  const ins = xs.map((x) => x.detach().clone().requiresGrad_());
  const y = f(...ins);
  const w = torch.arange(y.numel(), { dtype: y.dtype }).reshape(y.shape).div(7).add(0.5);
  await y.mul(w).sum().backward();
  const nul = (v: unknown): unknown => (Array.isArray(v) ? v.map(nul) : Number.isNaN(v) ? null : v);
  return [nul(await list(y.detach())), ...(await Promise.all(ins.map(async (x) => nul(await list(x.grad!))))), y.gradFn?.name];
}
function near(got: unknown, want: unknown, tol: number, what: string): void {
  if (Array.isArray(want)) { expect((got as unknown[]).length, what).toBe(want.length); want.forEach((w, i) => near((got as unknown[])[i], w, tol, `${what}[${i}]`)); return; }
  if (want === null || typeof want === 'string') { expect(got, what).toBe(want); return; }
  expect(Math.abs((got as number) - (want as number)), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want as number)));
}

describe('tensor-api: new functions', () => {
  it("tan, fmax and fmin: PyTorch's values, gradients and grad_fns (NaN ignored, ties to the first)", async () => {
    const t = f32([-1.2, -0.3, 0, 0.7, 1.5, 3]);
    near(await run(torch.tan, t), R.tan[0], 2e-7, 'tan f32');
    near(await run(torch.tan, t.double()), R.tan[1], 1e-15, 'tan f64');
    near(await list(torch.tan(torch.tensor([1, 2]))), R.tan[2], 2e-7, 'tan of integers');
    const a = f32([1, NaN, 3, NaN, -0, 2]), b = f32([NaN, 2, 1, NaN, 0, 2]);
    expect(await run(torch.fmax, a, b)).toEqual(R.fmax[0]);
    expect(await run(torch.fmin, a, b)).toEqual(R.fmax[1]);
    expect(await list(torch.fmax(torch.tensor([1, 5]), torch.tensor([3, 2])))).toEqual(R.fmax[2]);
    expect(await list(f32([-1, 0.2, 0.7]).hardshrink(0.5))).toEqual(await list(torch.nn.functional.hardshrink(f32([-1, 0.2, 0.7]), 0.5)));
    expect(await list(torch.hardshrink(f32([-1, 0.2, 0.7])))).toEqual([-1, 0, Math.fround(0.7)]);
    await gradcheck((u) => torch.tan(u.mul(0.5)), [[6]]);
  });

  it("put, indexPut, maskedScatter, fillDiagonal_: PyTorch's values and gradients", async () => {
    const x = torch.arange(12, { dtype: 'float32' }).reshape([3, 4]);
    expect(await list(x.put(torch.tensor([0, 5, -1]), f32([9, 8, 7])))).toEqual(R.put[0]);
    expect(await list(x.put(torch.tensor([1, 1, 2]), f32([1, 2, 3]), true))).toEqual(R.put[1]);
    const pg = await run((u, s) => u.put(torch.tensor([0, 5, -1]), s), x, f32([9, 8, 7]));
    near(pg.slice(0, 3), R.put[2].slice(0, 3), 1e-7, 'put gradients');
    const ip = R.index_put;
    expect(await list(x.indexPut([torch.tensor([0, 2]), torch.tensor([1, -1])], f32([50, 60])))).toEqual(ip[0]);
    expect(await list(x.indexPut([torch.tensor([0, 0]), torch.tensor([1, 1])], f32([5, 6]), true))).toEqual(ip[1]);
    expect(await list(x.indexPut([torch.tensor([1, 0])], f32([[1, 2, 3, 4], [5, 6, 7, 8]])))).toEqual(ip[2]);
    expect(await list(x.indexPut([torch.tensor([2])], -1))).toEqual(ip[3]);
    expect(await list(x.indexPut([x.gt(6)], 0))).toEqual(ip[4]);
    near((await run((u, v) => u.indexPut([torch.tensor([0, 2]), torch.tensor([1, 3])], v), x, f32([50, 60]))).slice(0, 3), ip[5].slice(0, 3), 1e-7, 'index_put gradients');
    const m = torch.tensor([[true, false, true, false], [false, false, true, true], [true, true, false, false]]);
    const src = torch.arange(100, 112, { dtype: 'float32' }).reshape([3, 4]);
    expect(await list(x.maskedScatter(m, src))).toEqual(R.masked_scatter[0]);
    expect(await list(x.maskedScatter(torch.tensor([true, false, false, true]), src))).toEqual(R.masked_scatter[1]);
    near((await run((u, s) => u.maskedScatter(m, s), x, src)).slice(0, 3), R.masked_scatter[2].slice(0, 3), 1e-7, 'masked_scatter gradients');
    const fd = (shape: number[], v: number, wrap = false) => list(torch.zeros(shape).fillDiagonal_(v, wrap));
    expect([await fd([3, 3], 5), await fd([7, 3], 1), await fd([7, 3], 1, true), await fd([2, 5], 2), await fd([3, 3, 3], 4)]).toEqual(R.fill_diagonal);
    expect(() => torch.zeros(3).fillDiagonal_(1)).toThrow(R.fill_diagonal_err[0]);
    expect(() => torch.zeros([2, 3, 3]).fillDiagonal_(1)).toThrow(R.fill_diagonal_err[1]);
    // in place: the same tensor, its version bumped
    const z = torch.zeros([2, 2]);
    expect(z.put_(torch.tensor([3]), f32([7]))).toBe(z);
    expect(await list(z)).toEqual([[0, 0], [0, 7]]);
  });

  it("unfold, select, sumToSize, type, H: PyTorch's values, views and errors", async () => {
    const x = torch.arange(12, { dtype: 'float32' }).reshape([3, 4]);
    const [v, shape, g, zeroD, e1, e2] = R.unfold;
    expect(await list(x.unfold(1, 2, 2))).toEqual(v);
    expect(x.unfold(1, 3, 1).shape).toEqual(shape);
    near(await run((u) => u.unfold(1, 3, 1), x), g, 1e-6, 'unfold gradient');
    expect(await list(torch.tensor(3, { dtype: 'float32' }).unfold(0, 1, 1))).toEqual(zeroD);
    expect(() => x.unfold(1, 6, 1)).toThrow(e1);
    expect(() => x.unfold(1, 2, 0)).toThrow(e2);
    // a view: writes through it reach x
    const y = x.clone();
    y.unfold(1, 2, 2).index(0, 0).fill_(-1);
    expect(await list(y.index(0))).toEqual([-1, -1, 2, 3]);
    const u = torch.arange(24, { dtype: 'float32' }).reshape([2, 3, 4]);
    expect([await list(u.select(1, -1)), await list(u.select(0, 1))]).toEqual(R.select.slice(0, 2));
    expect(() => u.select(2, 4)).toThrow(/index 4 out of range/);
    expect([await list(u.sumToSize(3, 1)), await list(u.sumToSize([1, 3, 4])), await list(u.sumToSize(4))]).toEqual(R.sum_to_size.slice(0, 3));
    expect(() => u.sumToSize(2, 2)).toThrow(R.sum_to_size[3]);
    expect([x.type(), torch.tensor([1, 2]).type(), torch.tensor([true]).type(), x.double().type()]).toEqual(R.type.slice(0, 4));
    expect([(x.type('torch.LongTensor') as torch.Tensor).dtype, (x.type('int32') as torch.Tensor).dtype].map((d) => `torch.${d}`)).toEqual(R.type.slice(4));
    expect([await list(x.H), await list(x.mH), await list(x.adjoint())]).toEqual(R.H.slice(0, 3));
    expect(() => u.H).toThrow(R.H[3]);
    expect([x.isSigned(), torch.tensor([true]).isSigned(), x.getDevice(), x.ndimension(), await list(torch.greater(x, 5)), await list(torch.notEqual(x, 5))]).toEqual(R.misc);
    // x.data: the same memory, no graph
    const p = f32([1, 2]).requiresGrad_();
    expect(p.data.requiresGrad).toBe(false);
    p.data.mul_(3);
    expect(await list(p)).toEqual([3, 6]);
    expect(p.real).toBe(p);
    expect(() => p.imag).toThrow('imag is not implemented for tensors with non-complex dtypes.');
  });
});

describe('tensor-api: the rest', () => {
  it("finfo and iinfo as PyTorch 1.13 prints and gives them", () => {
    expect(String(torch.finfo('float32'))).toBe('finfo(resolution=1e-06, min=-3.40282e+38, max=3.40282e+38, eps=1.19209e-07, smallest_normal=1.17549e-38, tiny=1.17549e-38, dtype=float32)');
    expect(String(torch.finfo(torch.float64))).toBe('finfo(resolution=1e-15, min=-1.79769e+308, max=1.79769e+308, eps=2.22045e-16, smallest_normal=2.22507e-308, tiny=2.22507e-308, dtype=float64)');
    expect(String(torch.iinfo('int32'))).toBe('iinfo(min=-2.14748e+09, max=2.14748e+09, dtype=int32)');
    expect(String(torch.iinfo('int64'))).toBe('iinfo(min=-9.22337e+18, max=9.22337e+18, dtype=int64)');
    expect([torch.finfo().eps, torch.finfo('float32').tiny, torch.finfo('float64').max, torch.iinfo('int32').max]).toEqual([2 ** -23, 2 ** -126, Number.MAX_VALUE, 2147483647]);
    expect(() => torch.finfo('int32')).toThrow("torch.finfo() requires a floating point input type. Use torch.iinfo to handle 'torch.finfo'");
    expect(() => torch.iinfo('bool')).toThrow('torch.bool is not supported by torch.iinfo');
    torch.setDefaultDtype('float64');
    try { expect(torch.finfo().dtype).toBe('float64'); } finally { torch.setDefaultDtype('float32'); }
  });

  it("in-place views, detach_, x.data = …, and the method forms of ops-api2's functions (PyTorch 1.13's values)", async () => {
    const x = torch.zeros([2, 1, 3]);
    expect(x.squeeze_()).toBe(x);
    expect(x.shape).toEqual([2, 3]);
    x.unsqueeze_(0);
    expect(x.shape).toEqual([1, 2, 3]);
    const y = torch.arange(6, { dtype: 'float32' }).reshape([2, 3]);
    y.t_();
    expect([y.shape, y.strides, await list(y)]).toEqual([[3, 2], [1, 3], [[0, 3], [1, 4], [2, 5]]]);
    y.transpose_(0, 1);
    expect(y.shape).toEqual([2, 3]);
    const w = f32([1, 2]).requiresGrad_();
    const z = w.mul(2);
    expect(() => z.t_()).toThrow(/in-place view op on a tensor that requires grad/);
    z.detach_();
    expect([z.requiresGrad, z.gradFn]).toEqual([false, null]);
    expect(() => w.narrow(0, 0, 1).detach_()).toThrow("Can't detach views in-place. Use detach() instead.");
    const p = new torch.nn.Parameter(torch.ones([2]));
    p.data = torch.zeros([3]);
    expect([p.shape, p.requiresGrad, await list(p)]).toEqual([[3], true, [0, 0, 0]]);
    expect(await list(f32([1, 2]).isreal())).toEqual([true, true]);
    expect([await f32([0]).isNonzero(), await f32([2]).isNonzero()]).toEqual([false, true]);
    await expect(f32([1, 2]).isNonzero()).rejects.toThrow('Boolean value of Tensor with more than one value is ambiguous');
    expect((await Promise.all(torch.zeros(4).splitWithSizes([1, 3]).map(list)))).toEqual([[0], [0, 0, 0]]);
    const nc = y.narrowCopy(1, 1, 2);
    expect([nc.isContiguous(), await list(nc)]).toEqual([true, [[1, 2], [4, 5]]]);
    expect(y.isSameSize(torch.zeros([2, 3]))).toBe(true);
    // method forms of ops-api2's functions are those functions
    const a = f32([0.5, 1, 2]), b = f32([1, -1, 3]);
    expect(await list(a.logaddexp2(b))).toEqual(await list(torch.logaddexp2(a, b)));
    const A = torch.tensor([[2, 0], [1, 3]], { dtype: 'float64' }), B = torch.tensor([[1], [2]], { dtype: 'float64' });
    expect(await list(B.triangularSolve(A, { upper: false }).solution)).toEqual(await list(torch.triangularSolve(B, A, { upper: false }).solution));
    const [LU, piv] = A.lu();
    expect(await list(B.luSolve(LU, piv))).toEqual(await list(torch.luSolve(B, LU, piv)));
    const h = f32([1, 2, 2, 3]).histogram(3);
    expect(await list(h.hist)).toEqual(await list(torch.histogram(f32([1, 2, 2, 3]), 3).hist));
    expect(await list((await torch.tensor([1, 1, 2, 1]).uniqueConsecutive()) as torch.Tensor)).toEqual([1, 2, 1]);
  });
});

describe('tensor-api: generator state, index_reduce, apply_ and the older spellings', () => {
  it("PyTorch 1.13's values (angle, rsub, nuclear/frobenius norms, index_reduce, apply_, map_) and a replayable generator state", async () => {
    const x = f32([1, 2]);
    expect(x.apply_((v) => v * 10)).toBe(x);
    expect(await list(x)).toEqual([10, 20]);
    const m = f32([1, 2, 3]);
    m.map_(f32([10, 20, 30]), (p, q) => p + q);
    expect(await list(m)).toEqual([11, 22, 33]);
    expect(await list(torch.angle(f32([-1, 0, 2, NaN, -0])))).toEqual([Math.fround(Math.PI), 0, 0, NaN, 0]);
    expect(await list(torch.rsub(f32([1, 2]), f32([5, 5]), 2))).toEqual([3, 1]);
    const A = f32([1, 2, 3, 4]).reshape([2, 2]);
    near(await torch.nuclearNorm(A).item(), 5.8310, 1e-4, 'nuclear_norm');
    near(await torch.frobeniusNorm(A).item(), 5.4772, 1e-4, 'frobenius_norm');
    const y = torch.ones(5);
    y.indexReduce_(0, torch.tensor([0, 4, 2, 0]), f32([2, 3, 4, 5]), 'prod');
    expect(await list(y)).toEqual([10, 1, 4, 1, 3]);
    expect(await list(torch.ones(5).indexReduce(0, torch.tensor([0, 4, 2, 0]), f32([2, 3, 4, 5]), 'mean', { includeSelf: false }))).toEqual([3.5, 1, 4, 1, 3]);
    expect(() => torch.ones(5).indexReduce(0, torch.tensor([0]), f32([1, 2]), 'prod')).toThrow('index_reduce_(): Number of indices (1) should be equal to source.size(dim) (2)');
    expect(() => torch.ones([2]).floatPower_(2)).toThrow("the base given to float_power_ has dtype Float but the operation's result requires dtype Double");
    torch.manualSeed(3);
    torch.rand([2]);
    const st = torch.getRngState();
    const a = await list(torch.rand([3]));
    torch.setRngState(st);
    expect(await list(torch.rand([3]))).toEqual(a);
    const s = torch.seed();
    expect(torch.initialSeed()).toBe(s);
    expect(torch.inferenceMode(() => torch.ones([2], { requiresGrad: true }).mul(2)).requiresGrad).toBe(false);
    torch.useDeterministicAlgorithms(true);
    expect(torch.areDeterministicAlgorithmsEnabled()).toBe(true);
    torch.useDeterministicAlgorithms(false);
  });
});

describe('tensor-api: every alias and in-place form equals its function', () => {
  const pos = () => torch.rand([2, 3], { dtype: 'float64' }).add(0.5);     // (0.5, 1.5)
  const unit = () => torch.rand([2, 3], { dtype: 'float64' }).mul(1.8).sub(0.9); // (-0.9, 0.9)
  const ints = () => torch.randint(1, 20, [2, 3]);
  const bools = () => torch.rand([2, 3]).gt(0.5);
  const other = () => torch.rand([2, 3], { dtype: 'float64' }).add(0.5);
  // [method, input, args, the function it must equal]
  const cases: Array<[string, () => torch.Tensor, () => unknown[], (x: torch.Tensor, ...a: any[]) => torch.Tensor]> = [
    ['tan', unit, () => [], torch.tan], ['acos', unit, () => [], torch.acos], ['acosh', () => pos().add(1), () => [], torch.acosh],
    ['asin', unit, () => [], torch.asin], ['asinh', unit, () => [], torch.asinh], ['atan', unit, () => [], torch.atan], ['atanh', unit, () => [], torch.atanh],
    ['cosh', unit, () => [], torch.cosh], ['sinh', unit, () => [], torch.sinh], ['exp2', unit, () => [], torch.exp2], ['expm1', unit, () => [], torch.expm1],
    ['log10', pos, () => [], torch.log10], ['log1p', pos, () => [], torch.log1p], ['log2', pos, () => [], torch.log2], ['erf', unit, () => [], torch.erf],
    ['erfc', unit, () => [], torch.erfc], ['erfinv', unit, () => [], torch.erfinv], ['digamma', pos, () => [], torch.digamma], ['lgamma', pos, () => [], torch.lgamma],
    ['i0', unit, () => [], torch.i0], ['polygamma', pos, () => [2], (x, n) => torch.polygamma(n, x)], ['mvlgamma', () => pos().add(2), () => [2], (x, p) => torch.mvlgamma(x, p)],
    ['sinc', unit, () => [], torch.sinc], ['logit', () => pos().sub(0.49), () => [], torch.logit], ['xlogy', pos, () => [other()], torch.xlogy],
    ['deg2rad', unit, () => [], torch.deg2rad], ['rad2deg', unit, () => [], torch.rad2deg], ['frac', unit, () => [], torch.frac],
    ['fmod', unit, () => [0.3], torch.fmod], ['remainder', unit, () => [0.3], torch.remainder], ['hypot', unit, () => [other()], torch.hypot],
    ['heaviside', unit, () => [other()], torch.heaviside], ['copysign', unit, () => [other().sub(1)], torch.copysign], ['nanToNum', unit, () => [], torch.nanToNum],
    ['cumsum', unit, () => [1], torch.cumsum], ['cumprod', unit, () => [1], torch.cumprod], ['floorDivide', unit, () => [0.3], torch.floorDivide],
    ['trueDivide', unit, () => [other()], torch.div], ['divide', unit, () => [other()], torch.div], ['multiply', unit, () => [other()], torch.mul],
    ['subtract', unit, () => [other()], torch.sub], ['negative', unit, () => [], torch.neg], ['absolute', unit, () => [], torch.abs], ['fix', unit, () => [], torch.trunc],
    ['sgn', unit, () => [], torch.sign], ['arccos', unit, () => [], torch.acos], ['arcsin', unit, () => [], torch.asin], ['arctan', unit, () => [], torch.atan],
    ['arccosh', () => pos().add(1), () => [], torch.acosh], ['arcsinh', unit, () => [], torch.asinh], ['arctanh', unit, () => [], torch.atanh],
    ['arctan2', unit, () => [other()], torch.atan2], ['atan2', unit, () => [other()], torch.atan2], ['clampMin', unit, () => [0], (x, m) => torch.clamp(x, m, null)],
    ['clampMax', unit, () => [0], (x, m) => torch.clamp(x, null, m)], ['igamma', pos, () => [other()], torch.igamma], ['igammac', pos, () => [other()], torch.igammac],
    ['nextafter', unit, () => [other()], torch.nextafter], ['gcd', ints, () => [ints()], torch.gcd], ['lcm', ints, () => [ints()], torch.lcm],
    ['ldexp', unit, () => [ints()], (x, e) => torch.ldexp(x, e).to({ dtype: x.dtype })], ['logicalAnd', unit, () => [bools()], (x, o) => torch.logicalAnd(x, o).to({ dtype: x.dtype })],
    ['logicalOr', unit, () => [bools()], (x, o) => torch.logicalOr(x, o).to({ dtype: x.dtype })], ['logicalXor', unit, () => [bools()], (x, o) => torch.logicalXor(x, o).to({ dtype: x.dtype })],
    ['logicalNot', unit, () => [], (x) => torch.logicalNot(x).to({ dtype: x.dtype })],
    ['eq', ints, () => [ints()], (x, o) => torch.eq(x, o).long()], ['ne', ints, () => [ints()], (x, o) => torch.ne(x, o).long()], ['lt', unit, () => [0], (x, o) => torch.lt(x, o).double()],
    ['le', unit, () => [0], (x, o) => torch.le(x, o).double()], ['gt', unit, () => [0], (x, o) => torch.gt(x, o).double()], ['ge', unit, () => [0], (x, o) => torch.ge(x, o).double()],
    ['greater', unit, () => [0], (x, o) => torch.gt(x, o).double()], ['lessEqual', unit, () => [0], (x, o) => torch.le(x, o).double()],
    ['addmm', () => torch.rand([2, 2], { dtype: 'float64' }), () => [torch.rand([2, 3], { dtype: 'float64' }), torch.rand([3, 2], { dtype: 'float64' }), { beta: 0.5, alpha: 2 }], torch.addmm],
    ['addmv', () => torch.rand([2], { dtype: 'float64' }), () => [torch.rand([2, 3], { dtype: 'float64' }), torch.rand([3], { dtype: 'float64' })], torch.addmv],
    ['addr', () => torch.rand([2, 3], { dtype: 'float64' }), () => [torch.rand([2], { dtype: 'float64' }), torch.rand([3], { dtype: 'float64' })], torch.addr],
    ['baddbmm', () => torch.rand([2, 2, 2], { dtype: 'float64' }), () => [torch.rand([2, 2, 3], { dtype: 'float64' }), torch.rand([2, 3, 2], { dtype: 'float64' })], torch.baddbmm],
    ['addbmm', () => torch.rand([2, 2], { dtype: 'float64' }), () => [torch.rand([2, 2, 3], { dtype: 'float64' }), torch.rand([2, 3, 2], { dtype: 'float64' })], torch.addbmm],
    ['renorm', unit, () => [2, 0, 0.5], torch.renorm], ['indexAdd', unit, () => [1, torch.tensor([0, 2]), torch.rand([2, 2], { dtype: 'float64' })], torch.indexAdd],
    ['indexCopy', unit, () => [1, torch.tensor([0, 2]), torch.rand([2, 2], { dtype: 'float64' })], torch.indexCopy],
    ['indexFill', unit, () => [1, torch.tensor([0, 2]), 7], torch.indexFill], ['scatter', unit, () => [1, torch.tensor([[2], [0]]), 5], torch.scatter],
    ['scatterAdd', unit, () => [1, torch.tensor([[2, 2], [0, 1]]), torch.rand([2, 2], { dtype: 'float64' })], torch.scatterAdd],
    ['put', unit, () => [torch.tensor([0, -1]), torch.rand([2], { dtype: 'float64' })], torch.put],
    ['indexPut', unit, () => [[torch.tensor([1]), torch.tensor([2])], torch.rand([1], { dtype: 'float64' })], torch.indexPut],
    ['maskedScatter', unit, () => [bools(), torch.rand([6], { dtype: 'float64' })], torch.maskedScatter],
  ];
  it('x.name_(…) is x overwritten with torch.name(x, …), and x.name(…) is the function where it is a new method', async () => {
    torch.manualSeed(11);
    for (const [name, mk, args, f] of cases) {
      const x = mk(), a = args();
      const want = await list(f(x, ...(a as never[])));
      const y = x.clone();
      const r = (y as unknown as Record<string, (...b: unknown[]) => torch.Tensor>)[`${name}_`](...a);
      expect(r, `${name}_ returns its tensor`).toBe(y);
      expect(y.dtype, `${name}_ keeps the dtype`).toBe(x.dtype);
      near(await list(y), want, 1e-15, `${name}_`);
      const m = (x as unknown as Record<string, (...b: unknown[]) => torch.Tensor>)[name];
      if (!['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'greater', 'lessEqual', 'logicalAnd', 'logicalOr', 'logicalXor', 'logicalNot', 'ldexp'].includes(name)) {
        near(await list(m.call(x, ...a)), want, 1e-15, `x.${name}`);
      }
    }
  });
  it('an in-place form on a tensor in a graph records the op as PyTorch does (its gradient flows)', async () => {
    const w = torch.tensor([0.3, 0.6], { dtype: 'float64' }).requiresGrad_();
    const h = w.mul(2);
    h.tan_();
    expect(h.gradFn?.name).toBe('TanBackward0');
    await h.sum().backward();
    const t = Math.tan(0.6), t2 = Math.tan(1.2);
    near(await list(w.grad!), [2 * (1 + t * t), 2 * (1 + t2 * t2)], 1e-14, 'd tan(2w)');
    expect(() => torch.ones([2]).requiresGrad_().tan_()).toThrow(/leaf Variable that requires grad/);
  });
});
