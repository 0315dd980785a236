// prod, logicalAnd/Or/Xor/Not and bool(), einsum, meshgrid, diff, countNonzero, movedim/swapaxes/swapdims,
// logaddexp, hypot, deg2rad, rad2deg, frac, nanToNum: PyTorch 1.13's printed values, gradients, grad_fns
// and errors (test/fixtures/ops-extra.json, from scripts/torch-ops-extra.py), finite differences in
// float64, and the GPU against the CPU.
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradcheck, values } from './helpers.ts';

const REF = JSON.parse(readFileSync(new URL('./fixtures/ops-extra.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const ref = <T = string[]>(k: string) => REF[k] as T;
const text = (t: torch.Tensor) => torch.format(t);
const f32 = (d: number[] | number[][], device = 'cpu') => torch.tensor(d, { dtype: 'float32', device });
const available = await gpuForTests('ops-extra', { composite: true });

/** Weights 0.5, 0.5 + 1/7, … in y's shape (the fixture script's), so each output element's gradient differs. */
const weights = (y: torch.Tensor) => torch.arange(y.numel(), { device: y.device }).reshape([...y.shape]).to({ dtype: y.dtype }).div(7).add(0.5);
/** f's printed result and the printed gradients of sum(f(xs) · weights) for each input (the script's run). */
async function run(f: (...xs: torch.Tensor[]) => torch.Tensor, ...inputs: torch.Tensor[]): Promise<string[]> {
  const xs = inputs.map((x) => x.detach().clone().requiresGrad_());
  const y = f(...xs);
  await y.mul(weights(y)).sum().backward();
  return [await text(y.detach()), ...(await Promise.all(xs.map((x) => text(x.grad!))))];
}
const m = f32([[1.5, -2, 0.5, 1.25], [3, -1, 2, -0.5]]);
const z1 = f32([[1.5, 0, 2, -1], [3, -1, 2, 0.5]]);
const z2 = f32([[1.5, 0, 2, -1], [3, -1, 0, 0.5]]);
const zr = f32([[1.5, 0, 2, -1], [0, 0, 3, 2], [2, 3, -0.5, 1]]);

describe('prod', () => {
  it("PyTorch's values, gradients (exact through zeros) and dtypes", async () => {
    expect(await run((t) => torch.prod(t), m)).toEqual(ref('prod_all'));
    expect(await run((t) => torch.prod(t), z1)).toEqual(ref('prod_z1'));
    expect(await run((t) => torch.prod(t), z2)).toEqual(ref('prod_z2'));
    expect(await run((t) => torch.prod(t, 1), zr)).toEqual(ref('prod_d1'));
    expect(await run((t) => torch.prod(t, 0, true), zr)).toEqual(ref('prod_d0k'));
    expect(await run((t) => t.prod(-1), zr.double())).toEqual(ref('prod_dm1'));
    expect([...(await run((t) => torch.prod(t), torch.tensor(2.5))), ...(await run((t) => torch.prod(t, 0), torch.tensor(-1.5)))]).toEqual(ref('prod_0d'));
    const got = [
      torch.prod(torch.tensor([[2, 3], [-4, 5]], { dtype: 'int32' })), torch.prod(torch.tensor([[2, 3], [-4, 5]]), 1),
      torch.prod(torch.tensor([true, true])), torch.prod(torch.tensor([[true, false], [true, true]]), 0),
      torch.prod(f32([1.5, 2]), 0, false, { dtype: 'float64' }), torch.prod(torch.tensor([2, 3]), { dtype: 'float32' }),
      torch.prod(torch.zeros([0])), torch.prod(torch.zeros([2, 0]), 1), torch.prod(f32([NaN, 0])),
    ];
    expect(await Promise.all(got.map(text))).toEqual(ref('prod_vals'));
    expect(torch.prod(m.clone().requiresGrad_()).gradFn?.name).toBe('ProdBackward0');
    expect(torch.prod(m.clone().requiresGrad_(), 1).gradFn?.name).toBe('ProdBackward1');
    expect(() => torch.prod(m, 2)).toThrow(ref('prod_err')[0]);
  });

  it('gradients match finite differences (float64), and differentiate again', async () => {
    await gradcheck((x) => torch.prod(x), [[2, 3]]);
    await gradcheck((x) => torch.prod(x, 1), [[3, 4]]);
    await gradcheck((x) => torch.prod(x, 0, true).mul(x), [[3, 2]]);
    // second derivative of x0·x1·x2 wrt x0 then summed: d/dx (x1·x2) = [0, x2, x1]
    const x = torch.tensor([2, 3, 5], { dtype: 'float64' }).requiresGrad_();
    const p = torch.prod(x);
    await p.backward();
    expect(await values(x.grad!)).toEqual([15, 10, 6]);
  });
});

describe('logical ops and bool()', () => {
  it("PyTorch's bool results for any dtypes (NaN is true), broadcasting, errors", async () => {
    const a = f32([0, 1.5, NaN, -0, -2, Infinity]);
    const b = torch.tensor([1, 0, 0, 3, -1, 0]);
    const c = torch.tensor([[true], [false]]);
    const got = [
      torch.logicalAnd(a, b), torch.logicalOr(a, b), torch.logicalXor(a, b), torch.logicalNot(a), b.logicalNot(),
      c.logicalAnd(a), b.logicalOr(c), torch.logicalXor(c, torch.tensor([true, false])), a.bool(), b.bool(), torch.logicalNot(torch.tensor(0)),
    ];
    expect(await Promise.all(got.map(text))).toEqual(ref('logical'));
    for (const t of got) expect(t.dtype).toBe('bool');
    expect(() => torch.logicalAnd(a, torch.ones([4]))).toThrow(ref('logical_err')[0]);
    expect(torch.logicalAnd(a.clone().requiresGrad_(), a).requiresGrad).toBe(false);
  });
});

describe('einsum', () => {
  const ramp = (shape: number[], k: number) => torch.arange(shape.reduce((p, s) => p * s, 1), { dtype: 'float32' }).remainder(7).sub(3).div(4).reshape(shape).add(k / 10);
  it("PyTorch's values and gradients for every form (implicit, explicit, diagonals, traces, ellipsis, 1–3 operands)", async () => {
    const cases = ref<Array<[string, number[][], string[]]>>('einsum');
    expect(cases.length).toBeGreaterThan(25);
    for (const [k, [eq, shapes, want]] of cases.entries()) {
      expect(await run((...t) => torch.einsum(eq, ...t), ...shapes.map((s) => ramp(s, k))), eq).toEqual(want);
    }
    const ints = [torch.einsum('ij,jk', torch.tensor([[1, 2], [3, 4]]), torch.tensor([[5, 6], [7, -8]])), torch.einsum('ii', torch.arange(9).reshape(3, 3))];
    expect(await Promise.all(ints.map(text))).toEqual(ref('einsum_int'));
    const sq = torch.ones([3, 3]).requiresGrad_();
    expect(['ii', 'ii->i', 'ij->ji'].map((eq) => torch.einsum(eq, sq).gradFn?.name)).toEqual(ref('einsum_grad_fn'));
    // operands as one array, as PyTorch's einsum(eq, [a, b])
    expect(await values(torch.einsum('i,i', [f32([1, 2]), f32([3, 4])]))).toEqual([11]);
  });

  it("PyTorch's errors", () => {
    for (const [eq, shapes, msg] of ref<Array<[string, number[][], string]>>('einsum_err')) {
      expect(() => torch.einsum(eq, ...shapes.map((s) => torch.ones(s))), eq).toThrow(msg);
    }
    expect(() => torch.einsum('ij,jk', torch.ones([2, 3]), torch.ones([3, 4], { dtype: 'float64' }))).toThrow(ref<string>('einsum_err_dtype'));
    expect(() => torch.einsum('ij')).toThrow('einsum(): must specify the equation string and at least one operand');
  });

  it('gradients match finite differences (float64)', async () => {
    for (const [eq, shapes] of [['ij,jk->ik', [[2, 3], [3, 4]]], ['bij,bjk', [[2, 2, 3], [2, 3, 2]]], ['ii->i', [[3, 3]]], ['ii', [[3, 3]]],
      ['bn,anm,bm->ba', [[2, 3], [4, 3, 2], [2, 2]]], ['...ij,...jk->...ik', [[2, 1, 2, 3], [3, 3, 2]]], ['iij->ji', [[2, 2, 3]]], ['ij,ij,j->i', [[2, 3], [2, 3], [3]]]] as Array<[string, number[][]]>) {
      await gradcheck((...xs) => torch.einsum(eq, ...xs), shapes).catch((e: Error) => { throw new Error(`${eq}: ${e.message}`); });
    }
  });
});

describe('meshgrid', () => {
  it("PyTorch's grids ('ij' and 'xy'), shapes, gradients, grad_fns, errors; warns once without indexing", async () => {
    const p = torch.tensor([1, 2, 3]), q = torch.tensor([4, 5]), r = f32([6, 7]);
    const grids = [...torch.meshgrid(p, q, { indexing: 'ij' }), ...torch.meshgrid([p, q], { indexing: 'xy' })];
    expect(await Promise.all(grids.map(text))).toEqual(ref('meshgrid'));
    const shapes = [...torch.meshgrid(p, q, torch.tensor([7, 8, 9, 10]), { indexing: 'xy' }), ...torch.meshgrid(torch.tensor(1), q, { indexing: 'ij' })];
    expect(shapes.map((t) => `[${t.shape.join(', ')}]`)).toEqual(ref('meshgrid3'));
    const gx = torch.arange(3, { dtype: 'float32' }).requiresGrad_(), gy = r.clone().requiresGrad_();
    const [u, v] = torch.meshgrid(gx, gy, { indexing: 'xy' });
    await u.mul(weights(u)).add(v.mul(weights(v).mul(3))).sum().backward();
    expect([await text(gx.grad!), await text(gy.grad!), u.gradFn?.name, torch.meshgrid(gx, gy, { indexing: 'ij' })[0].gradFn?.name]).toEqual(ref('meshgrid_grad'));
    const [e1, e2, e3] = ref('meshgrid_err');
    expect(() => torch.meshgrid(p, r, { indexing: 'ij' })).toThrow(e1);
    expect(() => torch.meshgrid(p, { indexing: 'ab' as 'ij' })).toThrow(e2);
    expect(() => torch.meshgrid([], { indexing: 'ij' })).toThrow(e3);
    expect(() => torch.meshgrid(torch.ones([2, 2]), { indexing: 'ij' })).toThrow('torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got');
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const d = torch.meshgrid(p, q);
      torch.meshgrid(p, q);
      expect(await Promise.all(d.map(text))).toEqual(ref('meshgrid').slice(0, 2));
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toBe('torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.');
    } finally { warn.mockRestore(); }
  });
});

describe('diff, countNonzero, movedim, swapaxes, swapdims', () => {
  const d = f32([[1, 4, 9, 16, 25], [2, -1, 3, 0, 7]]);
  it("PyTorch's values, gradients and errors", async () => {
    const got = [
      await run((t) => torch.diff(t), d), await run((t) => torch.diff(t, 2), d), await run((t) => torch.diff(t, 1, 0), d),
      await run((t, pre, app) => torch.diff(t, 1, -1, pre, app), d, f32([[0.5], [1.5]]), f32([[-1, 2], [3, 4]])), await run((t) => t.diff(3, 1), d),
    ];
    expect(got).toEqual(ref('diff'));
    const vals = [torch.diff(torch.tensor([1, 3, 7, 15])), torch.diff(torch.tensor([1, 3, 7, 15]), 2), torch.diff(torch.tensor([true, false, false, true])),
      torch.diff(d, 5), torch.diff(d, 7), torch.diff(d, 0), torch.diff(torch.tensor([1, 2], { dtype: 'int32' }))];
    expect(await Promise.all(vals.map(text))).toEqual(ref('diff_vals'));
    const [e1, e2, e3] = ref('diff_err');
    expect(() => torch.diff(torch.tensor(1))).toThrow(e1);
    expect(() => torch.diff(d, 1, -1, torch.ones([2]))).toThrow(e2);
    expect(() => torch.diff(d, 1, 2)).toThrow(e3);
    expect(torch.diff(d.clone().requiresGrad_()).gradFn?.name).toBe('SubBackward0');

    const cn = f32([[0, NaN, 2], [1, 0, -0]]);
    const counts = [torch.countNonzero(cn), torch.countNonzero(cn, 0), torch.countNonzero(cn, [0, 1]), cn.countNonzero(-1),
      torch.countNonzero(torch.tensor([true, false, true])), torch.countNonzero(torch.tensor(3))];
    expect(await Promise.all(counts.map(text))).toEqual(ref('count_nonzero'));

    const x = torch.arange(24).reshape(2, 3, 4);
    const moved = [torch.movedim(x, 0, 2), torch.movedim(x, [0, 1], [2, 0]), x.movedim(-1, 0), torch.swapaxes(x, 0, 2), x.swapdims(1, -1)];
    expect(await Promise.all(moved.map(text))).toEqual(ref('movedim'));
    const [m1, m2, m3, m4] = ref('movedim_err');
    expect(() => torch.movedim(x, [0, 1], [0])).toThrow(m1);
    expect(() => torch.movedim(x, [0, 0], [0, 1])).toThrow(m2);
    expect(() => torch.movedim(x, [0, 1], [1, 1])).toThrow(m3);
    expect(() => torch.movedim(x, 3, 0)).toThrow(m4);
  });

  it('diff gradients match finite differences (float64)', async () => {
    await gradcheck((x) => torch.diff(x, 2, 0), [[5, 3]]);
    await gradcheck((x, p) => torch.diff(x, 1, 1, p), [[2, 4], [2, 2]]);
  });
});

describe('logaddexp, hypot, deg2rad, rad2deg, frac, nanToNum', () => {
  const ea = f32([-2.5, 0.5, 3, -0.75, 1e-3, 7.25, 100, 1000]);
  const eb = f32([1, 0.5, -1, 2, -4, 0.25, 100, 0]);
  const sa = f32([Infinity, -Infinity, Infinity, -Infinity, NaN, 1, 0, 1e30]);
  const sb = f32([Infinity, -Infinity, 1, 2, 1, NaN, 0, 1e30]);
  it("PyTorch's values, gradients (at infinities and NaN too), dtypes, grad_fns and errors", async () => {
    expect([await run(torch.logaddexp, ea, eb), await run(torch.logaddexp, sa, sb), await text(torch.logaddexp(ea, eb.double())),
      await text(torch.logaddexp(torch.tensor([1, 2]), f32([0.5, -1])))]).toEqual(ref('logaddexp'));
    expect([await run(torch.hypot, ea, eb), await run(torch.hypot, sa, sb), await text(torch.hypot(f32([3]), torch.tensor([4], { dtype: 'float64' }))),
      await text(torch.hypot(f32([1e-30, 3e38]), f32([1e-30, 3e38])))]).toEqual(ref('hypot'));
    expect([await run(torch.deg2rad, ea), await run((t) => t.rad2deg(), ea), await text(torch.deg2rad(torch.tensor([180, -90]))),
      await text(torch.rad2deg(torch.tensor([true, false]))), await text(torch.deg2rad(torch.tensor([180], { dtype: 'float64' })))]).toEqual(ref('deg'));
    expect(await run((t) => t.frac(), f32([-2.5, 0.5, 3, -0.75, 7.25, Infinity, NaN, -1e-3]))).toEqual(ref('frac'));
    const nn = f32([NaN, Infinity, -Infinity, 1.5, -2, 0]);
    expect([await run((t) => torch.nanToNum(t), nn), await run((t) => t.nanToNum({ nan: 1, posinf: 2, neginf: -3 }), nn), await text(torch.nanToNum(nn.double())),
      await text(torch.nanToNum(torch.tensor([1, 2]))), await text(torch.nanToNum(nn, { posinf: 5 }))]).toEqual(ref('nan_to_num'));
    const [h, f, l] = ref('elem_err');
    expect(() => torch.hypot(torch.tensor([1, 2]), torch.tensor([1, 2]))).toThrow(h);
    expect(() => torch.frac(torch.tensor([1, 2]))).toThrow(f);
    expect(() => torch.logaddexp(torch.tensor([1, 2]), torch.tensor([1, 2]))).toThrow(l);
    const x1 = torch.ones([3]).requiresGrad_();
    const outs = [torch.prod(x1), torch.prod(x1, 0), torch.logaddexp(x1, x1), torch.hypot(x1, x1), torch.deg2rad(x1), torch.rad2deg(x1),
      torch.frac(x1), torch.nanToNum(x1), torch.diff(x1), torch.movedim(x1.reshape(1, 3), 0, 1), torch.swapaxes(x1.reshape(1, 3), 0, 1)];
    expect(outs.map((t) => t.gradFn?.name)).toEqual(ref('grad_fns'));
  });

  it('gradients match finite differences (float64)', async () => {
    await gradcheck(torch.logaddexp, [[2, 3], [2, 3]]);
    await gradcheck(torch.logaddexp, [[2, 3], [3]]);
    await gradcheck(torch.hypot, [[2, 3], [1, 3]]);
    await gradcheck((x) => torch.deg2rad(x).add(torch.rad2deg(x)), [[4]]);
    await gradcheck((x) => torch.nanToNum(x), [[4]]);
  });
});

describe.runIf(available)('on the GPU: the CPU\'s results', () => {
  const close = async (g: torch.Tensor, c: torch.Tensor, what: string) => {
    expect(g.device, what).toBe('gpu');
    expect(g.dtype, what).toBe(c.dtype);
    expect(g.shape, what).toEqual(c.shape);
    const gv = await values(g.to('cpu')), cv = await values(c);
    gv.forEach((v, i) => {
      if (Number.isNaN(cv[i]) || !Number.isFinite(cv[i])) expect(v, `${what} [${i}]`).toBe(cv[i]);
      else expect(Math.abs(v - cv[i]), `${what} [${i}]: ${v} vs ${cv[i]}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(cv[i])));
    });
  };
  /** f on the CPU and on the GPU: values and input gradients (float32 inputs). */
  const both = async (what: string, f: (...xs: torch.Tensor[]) => torch.Tensor, ...inputs: torch.Tensor[]) => {
    const res = [];
    for (const dev of ['cpu', 'gpu']) {
      const xs = inputs.map((x) => x.to(dev).detach().requiresGrad_());
      const y = f(...xs);
      await y.mul(weights(y)).sum().backward();
      res.push([y.detach(), ...xs.map((x) => x.grad!)]);
    }
    for (let k = 0; k < res[0].length; k++) await close(res[1][k], res[0][k], `${what} #${k}`);
  };
  it('values and gradients', async () => {
    await both('prod', (t) => torch.prod(t), z1);
    await both('prod z2', (t) => torch.prod(t), z2);
    await both('prod dim', (t) => torch.prod(t, 1), zr);
    await both('prod dim0', (t) => torch.prod(t, 0, true), zr);
    const ramp = (shape: number[]) => torch.arange(shape.reduce((p, s) => p * s, 1), { dtype: 'float32' }).remainder(7).sub(3).div(4).reshape(shape);
    for (const [eq, shapes] of [['ij,jk', [[2, 3], [3, 4]]], ['bij,bjk->bik', [[2, 2, 3], [2, 3, 2]]], ['ii->i', [[3, 3]]], ['ii', [[3, 3]]],
      ['bn,anm,bm->ba', [[2, 3], [4, 3, 2], [2, 2]]], ['...ij,...jk->...ik', [[2, 1, 2, 3], [3, 3, 2]]], ['i,j->ij', [[3], [2]]]] as Array<[string, number[][]]>) {
      await both(eq, (...t) => torch.einsum(eq, ...t), ...shapes.map(ramp));
    }
    const d = f32([[1, 4, 9, 16, 25], [2, -1, 3, 0, 7]]);
    await both('diff', (t) => torch.diff(t, 2), d);
    const ea = f32([-2.5, 0.5, 3, -0.75, 1e-3, 7.25, 100, 1000]), eb = f32([1, 0.5, -1, 2, -4, 0.25, 100, 0]);
    await both('logaddexp', torch.logaddexp, ea, eb);
    await both('hypot', torch.hypot, ea, eb);
    await both('deg2rad', torch.deg2rad, ea);
    await both('frac', torch.frac, ea);
    await both('nanToNum', (t) => torch.nanToNum(t), f32([NaN, Infinity, -Infinity, 1.5]));
    await both('meshgrid', (a, b) => { const [u, v] = torch.meshgrid(a, b, { indexing: 'xy' }); return u.add(v.mul(2)); }, f32([1, 2, 3]), f32([4, 5]));
    const a = f32([0, 1.5, NaN, -0, -2, Infinity]), b = torch.tensor([1, 0, 0, 3, -1, 0]);
    for (const [name, f] of [['and', torch.logicalAnd], ['or', torch.logicalOr], ['xor', torch.logicalXor]] as const) await close(f(a.to('gpu'), b.to('gpu')), f(a, b), name);
    await close(torch.logicalNot(a.to('gpu')), torch.logicalNot(a), 'not');
    await close(torch.countNonzero(a.to('gpu')), torch.countNonzero(a), 'countNonzero');
    await close(torch.prod(torch.tensor([[2, 3], [-4, 5]]).to('gpu'), 1), torch.prod(torch.tensor([[2, 3], [-4, 5]]), 1), 'prod int');
  });
});
