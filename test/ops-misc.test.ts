// cummax/cummin, logcumsumexp, nansum/nanmean, quantile/nanquantile, mode, aminmax, repeatInterleave,
// rot90, tril/triuIndices, tensorSplit, h/v/dsplit, dstack/columnStack/rowStack, take, takeAlongDim,
// isin, searchsorted/bucketize, isposinf/isneginf, signbit, copysign, heaviside, sinc, logit, xlogy,
// cross, kron, cartesianProd, blockDiag, cov/corrcoef, trapezoid, diagEmbed, vdot, mv, ger, dist and the
// Tensor methods newZeros/…/typeAs/tril_/elementSize: PyTorch 1.13's printed values, gradients, grad_fns
// and errors (test/fixtures/ops-misc.json, from scripts/torch-ops-misc.py), finite differences in
// float64, and the GPU against the CPU.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradcheck, values } from './helpers.ts';

const REF = JSON.parse(readFileSync(new URL('./fixtures/ops-misc.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const ref = <T = string[]>(k: string) => REF[k] as T;
const text = (t: torch.Tensor) => torch.format(t);
const texts = (ts: torch.Tensor[]) => Promise.all(ts.map(text));
const f32 = (d: unknown, device = 'cpu') => torch.tensor(d as number[], { dtype: 'float32', device });
const available = await gpuForTests('ops-misc', { composite: true });
const nan = NaN, inf = Infinity;

const weights = (y: torch.Tensor) => torch.arange(y.numel(), { device: y.device }).reshape([...y.shape]).to({ dtype: y.dtype }).div(7).add(0.5);
/** f's printed result, the printed gradients of sum(f(xs) · weights) for each input, and f's grad_fn (the script's run). */
async function run(f: (...xs: torch.Tensor[]) => torch.Tensor, ...inputs: torch.Tensor[]): Promise<string[]> {
  const xs = inputs.map((x) => x.detach().clone().requiresGrad_());
  const y = f(...xs);
  await y.mul(weights(y)).sum().backward();
  return [await text(y.detach()), ...(await Promise.all(xs.map((x) => text(x.grad!)))), y.gradFn?.name ?? 'NoneType'];
}
/** run, without the grad_fn (where PyTorch's is that of whatever op its composition ends with). */
const runV = async (f: (...xs: torch.Tensor[]) => torch.Tensor, ...inputs: torch.Tensor[]) => (await run(f, ...inputs)).slice(0, -1);
const noFn = (r: string[]) => r.slice(0, -1);

const c = f32([[1, 3, 3, 2, 3, nan, 1, nan, 0], [5, -1, 4, -1, 6, 6, -2, 7, 7]]);
const g = f32([[1, 3, 3, 2, 3, 0], [5, -1, 4, -1, 6, 6]]);

describe('cummax, cummin, logcumsumexp', () => {
  it("PyTorch's values and indices (ties: the last; NaN: the latest), gradients, grad_fns, errors", async () => {
    const got = [torch.cummax(c, 1).values, torch.cummax(c, 1).indices, torch.cummin(c, 1).values, c.cummin(1).indices, torch.cummax(c, 0).indices,
      torch.cummax(torch.tensor([1, 3, 3, 2, 5]), 0).values, torch.cummin(torch.tensor([4, 3, 3, 5, 1], { dtype: 'int32' }), 0).indices,
      torch.cummax(torch.tensor(2.5), 0).indices, torch.cummax(torch.zeros([0]), 0).values];
    expect(await texts(got)).toEqual(ref('cummax'));
    const [g0, g1, g2] = ref<string[][]>('cummax_grad');
    expect(await run((t) => torch.cummax(t, 1).values, g)).toEqual(g0);
    expect(await run((t) => t.cummin(-1).values, g)).toEqual(g1);
    expect(await run((t) => torch.cummax(t, 0).values, g)).toEqual(g2);
    const [l0, l1, l2] = ref<[string[], string[], string]>('logcumsumexp');
    expect(await run((t) => torch.logcumsumexp(t, 1), f32([[1, 2, -inf, 3, -1000, 1000], [-2, 0.5, 0.5, 80, -80, 1]]))).toEqual(l0);
    expect(await run((t) => t.logcumsumexp(0), torch.tensor([[1, 2], [0, -3], [4, -1]], { dtype: 'float64' }))).toEqual(l1);
    expect(await text(torch.logcumsumexp(f32([-inf, -inf, 0, inf, nan, 1]), 0))).toEqual(l2);
    const [e0, e1] = ref('cum_err');
    expect(() => torch.logcumsumexp(torch.tensor([1, 2]), 0)).toThrow(e0);
    expect(() => torch.cummax(c, 2)).toThrow(e1);
  });
  it('gradients match finite differences (float64), logcumsumexp twice', async () => {
    await gradcheck((x) => torch.cummax(x, 1).values, [[3, 7]]);
    await gradcheck((x) => torch.cummin(x, 0).values, [[5, 2]]);
    await gradcheck((x) => torch.logcumsumexp(x, 1), [[2, 9]]);
    await gradcheck((x) => torch.logcumsumexp(x, 0).mul(x), [[4, 3]]);
  });
});

describe('nansum, nanmean', () => {
  const n = f32([[1, nan, 2.5], [nan, nan, -1], [0.5, 2, 3]]);
  it("PyTorch's values, gradients (0 at the NaNs), dtypes, errors", async () => {
    const got = [await run((t) => torch.nansum(t), n), await run((t) => torch.nansum(t, 1), n), await run((t) => t.nansum(0, true), n),
      await run((t) => torch.nanmean(t), n), await run((t) => t.nanmean(1), n), await run((t) => torch.nanmean(t, [0, 1], true), n)];
    expect(got).toEqual(ref('nansum'));
    const vals = [torch.nansum(torch.tensor([1, 2, 3])), torch.nansum(torch.tensor([[true, false], [true, true]]), 0), torch.nansum(n.double()),
      torch.nanmean(f32([nan, nan])), torch.nansum(f32([nan])), torch.nansum(n, { dtype: 'float64' })];
    expect(await texts(vals)).toEqual(ref('nansum_vals'));
    expect(() => torch.nanmean(torch.tensor([1, 2]))).toThrow(ref('nansum_err')[0]);
  });
});

describe('quantile, nanquantile', () => {
  const qx = f32([[0.5, 3, -1, 2, 7], [4, 4, 1, -2, 0]]);
  const qn = f32([[0.5, nan, -1, 2, 7], [nan, nan, nan, nan, nan]]);
  it("PyTorch's values and gradients for every interpolation, q a number or a tensor, dim, keepdim, NaN lines; errors", async () => {
    const want = ref<string[][]>('quantile');
    const got: string[][] = [];
    for (const interpolation of ['linear', 'lower', 'higher', 'midpoint', 'nearest'] as const) {
      got.push(await runV((t) => torch.quantile(t, 0.3, { interpolation }), qx));
      got.push(await runV((t) => torch.quantile(t, f32([0.25, 0.5, 0.9]), { dim: 1, interpolation }), qx));
      got.push(await runV((t) => t.quantile(0.625, { dim: 0, keepdim: true, interpolation }), qx));
      got.push(await runV((t) => torch.nanquantile(t, f32([0.1, 0.75]), { dim: 1, interpolation }), qn));
    }
    expect(got).toEqual(want.map(noFn));
    const vals = [torch.quantile(qn, 0.5, 1), torch.nanquantile(qn, 0.5, 1), torch.quantile(qx, 0.4, { keepdim: true }), torch.quantile(qx, f32([0.5]), { keepdim: true }),
      torch.quantile(qx.double(), 0.35), torch.quantile(torch.tensor(3, { dtype: 'float32' }), 0.7), torch.quantile(qx, torch.tensor(0.5), 1), torch.nanquantile(qn, 0.5)];
    expect(await texts(vals)).toEqual(ref('quantile_vals'));
    const e = ref('quantile_err');
    expect(() => torch.quantile(qx, 1.5)).toThrow(e[0]);
    expect(() => torch.quantile(torch.tensor([1, 2]), 0.5)).toThrow(e[1]);
    expect(() => torch.quantile(qx, torch.tensor([0.5], { dtype: 'float64' }))).toThrow(e[2]);
    expect(() => torch.quantile(qx, torch.ones([2, 2]))).toThrow(e[3]);
    expect(() => torch.quantile(qx, 0.5, { interpolation: 'cubic' as 'linear' })).toThrow(e[4]);
    expect(() => torch.quantile(torch.zeros([0]), 0.5)).toThrow(e[5]);
    // a tensor q outside [0, 1]: PyTorch's error where q's values are at hand (CPU), NaN on the GPU
    expect(() => torch.quantile(qx, f32([0.5, 1.5]), 1)).toThrow('quantile() q values must be in the range [0, 1]');
    expect(() => torch.nanquantile(qx, f32([NaN]), 1)).toThrow('quantile() q values must be in the range [0, 1]');
  });
  it('gradients match finite differences (float64)', async () => {
    await gradcheck((x) => torch.quantile(x, torch.tensor([0.3, 0.8], { dtype: 'float64' }), 1), [[3, 6]]);
    await gradcheck((x) => torch.nanquantile(x, 0.4, { dim: 0, interpolation: 'midpoint' }), [[5, 2]]);
  });
});

describe('mode, aminmax', () => {
  const mo = f32([[1, 2, 2, 3, 3], [5, 4, 4, 5, 1], [2, 2, 2, 1, 1], [0, -1, 3, 7, 0.5]]);
  const qx = f32([[0.5, 3, -1, 2, 7], [4, 4, 1, -2, 0]]);
  it("PyTorch's values (ties: the smallest value, its last position), gradients, grad_fns", async () => {
    const want = ref<Array<string | string[]>>('mode');
    const m1 = mo.mode(1);
    const got = [m1.values, m1.indices, mo.mode(0).values, mo.mode(0).indices, torch.mode(f32([3, 1, 3, 1])).indices, torch.mode(mo, 1, true).indices,
      torch.mode(torch.tensor([3, 1, 3, 2])).values, torch.mode(torch.tensor(4, { dtype: 'float32' })).indices];
    expect(await texts(got)).toEqual(want.slice(0, 8));
    expect(await run((t) => torch.mode(t, 1).values, mo)).toEqual(want[8]);
    expect(await run((t) => torch.mode(t, 0, true).values, mo)).toEqual(want[9]);
    expect(String(m1).startsWith('torch.return_types.mode(')).toBe(true);
  });
  it("aminmax: PyTorch's values, keepdim, printing, errors", async () => {
    const want = ref('aminmax');
    const a = torch.aminmax(qx, { dim: 1 }), a2 = qx.aminmax(), a3 = torch.aminmax(qx, { dim: 0, keepdim: true });
    const [mn, mx] = a;
    expect([...(await texts([mn, mx, a2.min, a2.max, a3.min, a3.max, torch.aminmax(torch.tensor([[3, 1], [2, 9]])).max])), await a.format()]).toEqual(want);
    const [e0, e1] = ref('aminmax_err');
    expect(() => torch.aminmax(torch.zeros([0]))).toThrow(e0);
    expect(() => torch.aminmax(torch.zeros([2, 0]), { dim: 1 })).toThrow(e1);
  });
});

describe('arrangements', () => {
  const r = f32([[1, 2], [3, 4], [5, 6]]);
  const x3 = torch.arange(24, { dtype: 'float32' }).reshape([2, 3, 4]);
  const t10 = torch.arange(10, { dtype: 'float32' });
  it("repeatInterleave, rot90, tril/triuIndices: PyTorch's values, gradients, grad_fns, errors", async () => {
    const ri = ref<Array<string | string[]>>('repeat_interleave');
    expect(await run((t) => torch.repeatInterleave(t, 2), r)).toEqual(ri[0]);
    expect(await run((t) => t.repeatInterleave(3, 1), r)).toEqual(ri[1]);
    expect(await run((t) => torch.repeatInterleave(t, [1, 0, 2], 0), r)).toEqual(ri[2]);
    expect(await texts([torch.repeatInterleave(torch.tensor([1, 2]), 2), torch.repeatInterleave(torch.tensor(5), 3)])).toEqual(ri.slice(3));
    const [re0, re1] = ref('repeat_interleave_err');
    expect(() => torch.repeatInterleave(r, -1)).toThrow(re0);
    expect(() => torch.repeatInterleave(r, [1, 2], 0)).toThrow(re1);
    expect(() => torch.repeatInterleave(r, torch.tensor([1, 0, 2]), 0)).toThrow('a tensor of repeats sizes the result from its values');
    const ro = ref<Array<string | string[]>>('rot90');
    const rots = [torch.rot90(r), torch.rot90(r, 2), torch.rot90(r, 3), r.rot90(-1), torch.rot90(r, 4), torch.rot90(x3, 1, [1, 2]), torch.rot90(x3, 1, [2, 0])];
    expect(await texts(rots)).toEqual(ro.slice(0, 7));
    expect(await run((t) => torch.rot90(t, 1), r)).toEqual(ro[7]);
    const roe = ref('rot90_err');
    expect(() => torch.rot90(r, 1, [0])).toThrow(roe[0]);
    expect(() => torch.rot90(torch.ones([3]), 1)).toThrow(roe[1]);
    expect(() => torch.rot90(r, 1, [1, 1])).toThrow(roe[2]);
    expect(() => torch.rot90(r, 1, [0, -2])).toThrow(roe[3]);
    const ti = [torch.trilIndices(3, 3), torch.triuIndices(3, 4, 1), torch.trilIndices(4, 3, -1), torch.triuIndices(2, 5, -1), torch.trilIndices(0, 3),
      torch.triuIndices(3, 3, 5), torch.trilIndices(3, 2, 0, { dtype: 'int32' })];
    expect(await texts(ti)).toEqual(ref('tri_indices'));
  });
  it("tensorSplit, hsplit/vsplit/dsplit, dstack/columnStack/rowStack: PyTorch's parts and errors", async () => {
    const parts = [torch.tensorSplit(t10, 3), torch.tensorSplit(t10, [1, 4, 6]), t10.tensorSplit([7, 3, 12]), torch.tensorSplit(x3, 2, 2), torch.tensorSplit(t10, [-3, -1]),
      torch.tensorSplit(torch.arange(2, { dtype: 'float32' }), 4), torch.hsplit(x3, 3), x3.vsplit([1]), torch.dsplit(x3, [1, 3]), torch.hsplit(t10, [3])];
    expect(await Promise.all(parts.map(texts))).toEqual(ref('tensor_split'));
    const e = ref('tensor_split_err');
    expect(() => torch.tensorSplit(t10, 0)).toThrow(e[0]);
    expect(() => torch.hsplit(x3, 2)).toThrow(e[1]);
    expect(() => torch.vsplit(t10, 2)).toThrow(e[2]);
    expect(() => torch.dsplit(r, 2)).toThrow(e[3]);
    expect(() => torch.tensorSplit(torch.tensor(1), 2)).toThrow(e[4]);
    expect(() => torch.hsplit(torch.tensor(1), 1)).toThrow(e[5]);
    const va = f32([1, 2, 3]), vb = f32([4, 5, 6]), ma = torch.tensor([[1, 2], [3, 4]]), mb = f32([[5], [6]]);
    const st = [torch.dstack([va, vb]), torch.dstack([ma, ma]), torch.columnStack([va, vb]), torch.columnStack([ma, mb]), torch.rowStack([va, vb]),
      torch.dstack([torch.tensor(1, { dtype: 'float32' }), torch.tensor(2, { dtype: 'float32' })]), torch.columnStack([torch.tensor(1, { dtype: 'float32' }), torch.tensor(2, { dtype: 'float32' })])];
    expect(await texts(st)).toEqual(ref('stacks'));
  });
});

describe('selection', () => {
  const src = f32([[4, 3, 5], [6, 7, 8]]);
  const i64 = (d: unknown) => torch.tensor(d as number[], { dtype: 'int64' });
  it("take, takeAlongDim: PyTorch's values, gradients, grad_fns, errors", async () => {
    const got = [await run((t) => torch.take(t, i64([0, 2, 5, -1, 2])), src), await run((t) => t.take(i64([[0, 1], [5, 5]])), src),
      await run((t) => torch.takeAlongDim(t, i64([[0, 2], [1, 1]]), 1), src), await run((t) => torch.takeAlongDim(t, i64([[1, 0, 1]]), 0), src),
      await run((t) => t.takeAlongDim(i64([5, 0])), src), await run((t) => torch.takeAlongDim(t, i64([[0], [2]]), 1), src)];
    expect(got).toEqual(ref('take'));
    const e = ref('take_err');
    expect(() => torch.take(src, f32([0]))).toThrow(e[0]);
    expect(() => torch.takeAlongDim(src, i64([0]), 1)).toThrow(e[1]);
    expect(() => torch.takeAlongDim(src, torch.tensor([[0]], { dtype: 'int32' }), 1)).toThrow(e[2]);
  });
  it("isin, searchsorted, bucketize: PyTorch's values, dtypes, errors", async () => {
    const el = torch.tensor([[1, 2], [3, 4]]);
    const got = [torch.isin(el, torch.tensor([2, 3])), torch.isin(el, torch.tensor([2, 3]), { invert: true }), torch.isin(el, 4), torch.isin(3, el),
      torch.isin(f32([1, nan, 2.5]), f32([nan, 2.5]))];
    expect(await texts(got)).toEqual(ref('isin'));
    const bnd = f32([1, 3, 5, 7, 9]), vv = f32([[3, 6, 9], [3, 6, 10]]), ss = f32([[1, 3, 5, 7, 9], [2, 4, 6, 8, 10]]);
    const want = ref('search');
    const s = [torch.bucketize(vv, bnd), torch.bucketize(vv, bnd, { right: true }), torch.searchsorted(bnd, vv), torch.searchsorted(ss, vv, { right: true }),
      torch.searchsorted(ss, vv, { side: 'left' }), torch.bucketize(torch.tensor([1, 5, 11]), torch.tensor([2, 5, 10]), { outInt32: true }), torch.searchsorted(bnd, 4),
      torch.bucketize(torch.tensor(6, { dtype: 'float32' }), bnd), torch.searchsorted(bnd, f32([-inf, inf, 5]))];
    expect(await texts(s)).toEqual(want.slice(0, 9));
    expect(want[9]).toBe('torch.int64');
    expect(s[0].dtype).toBe('int64');
    expect(s[5].dtype).toBe('int32');
    const e = ref('search_err');
    expect(() => torch.bucketize(vv, ss)).toThrow(e[0]);
    expect(() => torch.searchsorted(ss, torch.ones([3, 2]))).toThrow(e[1]);
    expect(() => torch.searchsorted(bnd, vv, { side: 'middle' as 'left' })).toThrow(e[2]);
    expect(() => torch.searchsorted(bnd, vv, { side: 'left', right: true })).toThrow(e[3]);
  });
});

describe('elementwise', () => {
  const e = f32([-inf, -2.5, -0, 0, 0.3, 1, inf, nan]);
  it("isposinf, isneginf, signbit, copysign, heaviside, sinc, logit, xlogy: PyTorch's values, dtypes, gradients, grad_fns, errors", async () => {
    const z = f32([0, 0.25, 0.5, 1, 1.5]);
    const got = [torch.isposinf(e), e.isneginf(), torch.signbit(e), torch.isposinf(torch.tensor([1, 2])), torch.signbit(torch.tensor([-1, 0, 2])),
      torch.copysign(e, -1), torch.copysign(torch.tensor([1, -2, 3]), f32([-0, 0, -1])), torch.copysign(torch.tensor([1, 2]), 1),
      torch.heaviside(f32([-1.5, 0, 2]), f32([0.5])), torch.heaviside(torch.tensor([-1, 0, 2]), torch.tensor([7, 8, 9])),
      torch.sinc(e), torch.sinc(torch.tensor([0, 1, 2])), torch.logit(z), z.logit(0.1), torch.logit(torch.tensor([0, 1])),
      torch.xlogy(f32([0, 0, 2, 3, 0]), f32([0, nan, 3, 0, -1])), torch.xlogy(torch.tensor([1, 2]), torch.tensor([3, 4])), torch.xlogy(2, f32([3, 4])), torch.xlogy(f32([3, 4]), 2)];
    expect(await texts(got)).toEqual(ref('elementwise_vals'));
    const ea = f32([-2.5, 0.5, 3, -0.75, 0, 7.25]), eb = f32([1, -0.5, -1, 2, -4, 0.25]), ep = f32([0.05, 0.2, 0.5, 0.75, 0.97, 0.6]);
    const grads = [await run(torch.copysign, ea, eb), await run((t) => t.copysign(-2), ea), await run(torch.sinc, ea), await run((t) => torch.logit(t), ep),
      await run((t) => torch.logit(t, 0.1), ep), await run((a, b) => torch.xlogy(a, b), ea, ep), await run((t) => torch.xlogy(t, 3), ea), await run((t) => torch.xlogy(2, t), ep)];
    expect(grads).toEqual(ref('elementwise_grad'));
    expect(() => torch.heaviside(f32([1]), torch.tensor([1]))).toThrow(ref('elementwise_err')[0]);
  });
  it('gradients match finite differences (float64)', async () => {
    await gradcheck((x) => torch.sinc(x), [[7]]);
    await gradcheck((x) => torch.logit(torch.sigmoid(x)).mul(x), [[6]]);
    await gradcheck((x, y) => torch.xlogy(x, y), [[5], [5]], { positive: true });
    await gradcheck((x, y) => torch.copysign(x, y), [[6], [6]]);
  });
});

describe('matrices and vectors', () => {
  const ca = f32([[1, 2, 3], [-1, 0.5, 2]]), cb = f32([[4, 5, 6], [2, -3, 1]]);
  const va = f32([1, 2, 3]), vb = f32([4, 5, 6]);
  it("cross, kron, cartesianProd, blockDiag: PyTorch's values, gradients, grad_fns, errors", async () => {
    const cr = [await run((a, b) => torch.cross(a, b, 1), ca, cb), await run((a, b) => torch.cross(a, b), ca.t(), cb.t()), await run((a, b) => a.cross(b, -1), ca, cb.narrow(0, 0, 1))];
    expect(cr).toEqual(ref('cross'));
    const [ce0, ce1] = ref('cross_err');
    expect(() => torch.cross(ca, cb, 0)).toThrow(ce0);
    expect(() => torch.cross(torch.ones([2, 2]), torch.ones([2, 2]))).toThrow(ce1);
    const kr = ref<Array<string | string[]>>('kron');
    expect(await runV(torch.kron, f32([[1, 2], [3, 4]]), f32([[0, 5], [6, 7]]))).toEqual(noFn(kr[0] as string[]));
    expect(await runV((a, b) => a.kron(b), f32([1, 2]), f32([[1, -1], [2, 0.5]]))).toEqual(noFn(kr[1] as string[]));
    expect(await text(torch.kron(torch.tensor([1, 2]), torch.tensor([3, 4, 5])))).toEqual(kr[2]);
    const cp = ref<Array<string | string[]>>('cartesian_prod');
    expect(await texts([torch.cartesianProd(torch.tensor([1, 2, 3]), torch.tensor([4, 5])), torch.cartesianProd(f32([1, 2])),
      torch.cartesianProd([torch.tensor([1, 2]), torch.tensor([3]), torch.tensor([4, 5])])])).toEqual(cp.slice(0, 3));
    expect(await runV((a, b) => torch.cartesianProd(a, b), va, vb.narrow(0, 0, 2))).toEqual(noFn(cp[3] as string[]));
    const bd = ref<Array<string | string[]>>('block_diag');
    expect(await text(torch.blockDiag(torch.tensor([[1, 2], [3, 4]]), torch.tensor([5, 6, 7]), torch.tensor(8), f32([[9], [10]])))).toEqual(bd[0]);
    expect(await runV((a, b) => torch.blockDiag(a, b), f32([[1, 2]]), f32([[3], [4]]))).toEqual(noFn(bd[1] as string[]));
  });
  it("cov, corrcoef, trapezoid, diagEmbed: PyTorch's values, gradients, errors", async () => {
    const cv = f32([[0, 1, 2, 4], [2, 1, 0, -1], [1, 3, 2, 2]]);
    const fw = torch.tensor([1, 2, 1, 3]), aw = f32([0.5, 1, 2, 0.25]);
    const want = ref<Array<string | string[]>>('cov');
    const got = [await runV((t) => torch.cov(t), cv), await runV((t) => t.cov({ correction: 0 }), cv), await runV((t) => torch.cov(t, { fweights: fw }), cv),
      await runV((t) => torch.cov(t, { aweights: aw }), cv), await runV((t) => torch.cov(t, { fweights: fw, aweights: aw, correction: 2 }), cv),
      await runV((t) => torch.cov(t), cv.index(0)), await runV((t) => torch.corrcoef(t), cv)];
    expect(got).toEqual(want.slice(0, 7).map((r) => noFn(r as string[])));
    expect(await texts([torch.cov(torch.tensor([[1, 2, 4]])), torch.corrcoef(cv.index(0))])).toEqual(want.slice(7));
    const e = ref('cov_err');
    expect(() => torch.cov(torch.ones([2, 2, 2]))).toThrow(e[0]);
    expect(() => torch.cov(cv, { fweights: aw })).toThrow(e[1]);
    expect(() => torch.cov(cv, { aweights: fw })).toThrow(e[2]);
    expect(() => torch.cov(cv, { fweights: torch.tensor([1, 2]) })).toThrow(e[3]);
    const ty = f32([[1, 4, 9, 16], [2, -1, 3, 0.5]]);
    const tr = [await runV((t) => torch.trapezoid(t), ty), await runV((t) => torch.trapezoid(t, null, { dx: 0.5 }), ty), await runV((t) => torch.trapezoid(t, null, { dim: 0 }), ty),
      await runV((t, x) => torch.trapezoid(t, x), ty, f32([0, 1, 3, 3.5])), await runV((t, x) => torch.trapezoid(t, x, 1), ty, f32([[0, 1, 3, 3.5], [1, 2, 2.5, 5]]))];
    expect(tr).toEqual(ref<string[][]>('trapezoid').map(noFn));
    const de = f32([[1, 2], [3, 4]]);
    const dw = ref<Array<string | string[]>>('diag_embed');
    expect([await run((t) => torch.diagEmbed(t), de), await run((t) => t.diagEmbed(1), de), await run((t) => torch.diagEmbed(t, -1, 0, 2), de)]).toEqual(dw.slice(0, 3));
    expect(await text(torch.diagEmbed(torch.tensor([1, 2, 3]), 0, 1, 0))).toEqual(dw[3]);
  });
  it("vdot, mv, ger, dist: PyTorch's values, gradients, grad_fns, errors", async () => {
    const mm = f32([[1, 2, 3], [4, -5, 6]]);
    const want = ref<Array<string | string[]>>('vec');
    expect([await run(torch.vdot, va, vb), await run((a, v) => a.mv(v), mm, va), await run(torch.ger, va, vb.narrow(0, 0, 2))]).toEqual(want.slice(0, 3));
    expect([await runV((a, b) => torch.dist(a, b), ca, cb), await runV((a, b) => a.dist(b, 1), ca, cb), await runV((a, b) => torch.dist(a, b, 3.5), ca, cb)])
      .toEqual(want.slice(3, 6).map((r) => noFn(r as string[])));
    expect(await texts([torch.dist(ca, cb, inf), torch.dist(ca, cb, 0)])).toEqual(want.slice(6));
    const e = ref('vec_err');
    expect(() => torch.vdot(ca, cb)).toThrow(e[0]);
    expect(() => torch.mv(mm, vb.narrow(0, 0, 2))).toThrow(e[1]);
    expect(() => torch.mv(va, va)).toThrow(e[2]);
  });
  it('gradients match finite differences (float64)', async () => {
    await gradcheck((a, b) => torch.cross(a, b, 1), [[4, 3], [1, 3]]);
    await gradcheck((a, b) => torch.kron(a, b), [[2, 3], [3, 2]]);
    await gradcheck((x) => torch.cov(x, { aweights: torch.tensor([0.5, 1, 2, 0.25, 1], { dtype: 'float64' }) }), [[3, 5]]);
    await gradcheck((x) => torch.corrcoef(x), [[3, 5]]);
    await gradcheck((x) => torch.diagEmbed(x, -1, 0, 2), [[2, 3]]);
    await gradcheck((a, v) => torch.mv(a, v), [[3, 4], [4]]);
    await gradcheck((y, x) => torch.trapezoid(y, x), [[2, 5], [5]]);
  });
});

describe('Tensor methods', () => {
  it("newZeros/newOnes/newFull/newTensor, viewAs/reshapeAs/typeAs/expandAs, elementSize/itemsize/nbytes, tril_/triu_: PyTorch's", async () => {
    const base = torch.tensor([[1, 2], [3, 4]], { dtype: 'int32' });
    const want = ref<Array<string | number[]>>('methods');
    const got = [base.newZeros([2, 3]), base.newOnes([2]), base.newFull([2], 7), base.newTensor([1.5, 2]), base.newZeros([2], { dtype: 'float64' }),
      torch.arange(4, { dtype: 'float32' }).viewAs(base), torch.arange(4, { dtype: 'float32' }).reshapeAs(base), f32([1.7, -2.2]).typeAs(base), torch.tensor([1, 2]).expandAs(base)];
    expect(await texts(got)).toEqual(want.slice(0, 9));
    expect([base.elementSize(), torch.ones([3]).elementSize(), torch.ones([3], { dtype: 'int64' }).elementSize(), torch.ones([2], { dtype: 'bool' }).elementSize(),
      torch.ones([3]).double().elementSize()]).toEqual(want[9]);
    // (nbytes and itemsize: PyTorch 2.1's)
    expect([torch.ones([2, 3]).nbytes, torch.ones([5], { dtype: 'int64' }).nbytes, torch.ones([2], { dtype: 'bool' }).itemsize]).toEqual([24, 40, 1]);
    const tr = torch.arange(1, 10, { dtype: 'float32' }).reshape([3, 3]);
    const t1 = tr.clone(), t2 = tr.clone();
    t1.tril_(); t2.triu_(1);
    const lf = tr.clone().requiresGrad_();
    const y = lf.mul(2);
    y.tril_(-1);
    await y.mul(weights(y)).sum().backward();
    expect([await text(t1), await text(t2), await text(lf.grad!), y.gradFn?.name]).toEqual(ref('tri_'));
  });
});

describe.runIf(available)("on the GPU: the CPU's results", () => {
  async function same(f: (dev: string) => torch.Tensor | torch.Tensor[], what: string) {
    const a = [f('cpu')].flat(), b = [f('gpu')].flat();
    expect(b.length, what).toBe(a.length);
    for (let i = 0; i < a.length; i++) {
      expect(b[i].device, what).toBe('gpu');
      expect(b[i].dtype, what).toBe(a[i].dtype);
      const x = await values(a[i]), y = await values(b[i].cpu());
      expect(y.length, what).toBe(x.length);
      for (let k = 0; k < x.length; k++) {
        if (Number.isNaN(x[k])) expect(Number.isNaN(y[k]), `${what} [${k}]`).toBe(true);
        else expect(Math.abs(y[k] - x[k]), `${what} [${k}]: ${y[k]} vs ${x[k]}`).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(x[k])));
      }
    }
  }
  it('values and gradients', async () => {
    const C = (d: string) => f32([[1, 3, 3, 2, 3, nan, 1, nan, 0], [5, -1, 4, -1, 6, 6, -2, 7, 7]], d);
    const Q = (d: string) => f32([[0.5, 3, -1, 2, 7], [4, 4, 1, -2, 0]], d);
    await same((d) => [...torch.cummax(C(d), 1), ...torch.cummin(C(d), 1)], 'cummax/cummin');
    await same((d) => torch.logcumsumexp(f32([[1, 2, -inf, 3, -1000, 1000]], d), 1), 'logcumsumexp');
    await same((d) => [torch.nansum(C(d), 1), torch.nanmean(C(d), 0)], 'nansum/nanmean');
    await same((d) => [torch.quantile(Q(d), f32([0.25, 0.5, 0.9], d), 1), torch.nanquantile(C(d), 0.3, { dim: 1, interpolation: 'nearest' })], 'quantile');
    await same((d) => [...torch.mode(f32([[1, 2, 2, 3, 3], [5, 4, 4, 5, 1]], d), 1)], 'mode');
    await same((d) => [...torch.aminmax(Q(d), { dim: 0 })], 'aminmax');
    await same((d) => [torch.repeatInterleave(Q(d), 2, 1), torch.rot90(Q(d), 3), torch.triuIndices(3, 4, 1, { device: d }), ...torch.tensorSplit(Q(d), 3, 1), torch.dstack([Q(d), Q(d)])], 'arrangements');
    await same((d) => [torch.take(Q(d), torch.tensor([0, -1, 3], { dtype: 'int64', device: d })), torch.takeAlongDim(Q(d), Q(d).argsort(1), 1),
      torch.isin(Q(d), f32([4, 7], d)), torch.searchsorted(f32([1, 3, 5], d), Q(d), { right: true }), torch.bucketize(Q(d), f32([0, 2], d))], 'selection');
    await same((d) => [torch.signbit(C(d)), torch.copysign(Q(d), -1), torch.sinc(Q(d)), torch.logit(Q(d).sigmoid()), torch.xlogy(Q(d), Q(d).abs()), torch.heaviside(Q(d), f32([0.5], d))], 'elementwise');
    await same((d) => [torch.cross(f32([[1, 2, 3]], d), f32([[4, 5, 6]], d)), torch.kron(Q(d), f32([[1, 2]], d)), torch.cov(Q(d)), torch.corrcoef(Q(d)), torch.trapezoid(Q(d)),
      torch.diagEmbed(Q(d), 1), torch.mv(Q(d), f32([1, 2, 3, 4, 5], d)), torch.dist(Q(d), Q(d).flip(1))], 'matrices');
  });
  it('gradients', async () => {
    const grads: number[][] = [];
    for (const d of ['cpu', 'gpu']) {
      const x = f32([[0.5, 3, -1, 2, 7], [4, 4, 1, -2, 0]], d).requiresGrad_();
      const l = torch.cummax(x, 1).values.sum().add(torch.logcumsumexp(x, 1).mul(weights(x)).sum()).add(torch.quantile(x, 0.3, 1).sum()).add(torch.mode(x, 1).values.sum())
        .add(torch.take(x, torch.tensor([0, 4, 4], { dtype: 'int64', device: d })).sum()).add(torch.diagEmbed(x, 1).mul(2).sum()).add(torch.sinc(x).sum());
      await l.backward();
      grads.push(await values(x.grad!.cpu()));
    }
    for (let k = 0; k < grads[0].length; k++) expect(Math.abs(grads[1][k] - grads[0][k])).toBeLessThan(1e-4);
  });
});
