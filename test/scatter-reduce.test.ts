// scatterReduce (sum, prod, mean, amax, amin; includeSelf) against PyTorch 1.13
// (test/fixtures/scatter-reduce.json, from scripts/torch-scatter-reduce.py): values, gradients, grad_fns
// and errors; gradients against finite differences; the GPU against the CPU.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradcheck } from './helpers.ts';

const F = JSON.parse(readFileSync(new URL('./fixtures/scatter-reduce.json', import.meta.url), 'utf8')) as Record<string, any>;
const available = await gpuForTests('scatter-reduce');
const REDUCE = ['sum', 'prod', 'mean', 'amax', 'amin'] as const;
const f32 = (v: number[] | number[][]) => torch.tensor(v, { dtype: 'float32' });
/** values flattened, NaN as null (as the fixture's JSON) */
const flat = async (t: torch.Tensor) => Array.from(await t.toTypedArray(), (v) => (Number.isNaN(v) ? null : Number(v)));
/** float32 values to the fixture's precision */
function close(got: Array<number | null>, want: Array<number | null>, what: string) {
  expect(got.length, what).toBe(want.length);
  got.forEach((g, i) => {
    if (want[i] === null || g === null) expect(g, `${what}[${i}]`).toBe(want[i]);
    else expect(Math.abs(g - want[i]!), `${what}[${i}]: ${g} vs ${want[i]}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want[i]!)));
  });
}

const x = f32([1, 2, 3, 4]), src = f32([5, -1, NaN, 2, 7, 0.5]), idx = torch.tensor([0, 1, 1, 3, 0, 3]);
const x2 = torch.arange(12, { dtype: 'float32' }).reshape([3, 4]).sub(5);
const s2 = f32([[2, -3, 0.5, 9, 4], [1, 1, -2, 6, 0], [7, -8, 3, 3, 2.5], [9, 9, 9, 9, 9]]);
const i2 = torch.tensor([[0, 1, 0, 2], [2, 2, 1, 0], [1, 0, 1, 1]]), i2b = torch.tensor([[3, 0, 3], [1, 1, 2], [0, 3, 3]]);

/**
 * Where a maximum or minimum without self ties with the x it forgets, PyTorch 1.13 still counts that x
 * among the ties, so the sources' shares add up to less than the gradient (position 1 here: sources 2, 2
 * and a forgotten 2 give each source g/3); here the tied sources split g.
 */
const OURS: Record<string, number[]> = {
  amax_False: [1, 1, 1, 0, 0, 4], amin_False: [0, 1, 1, 4, 1, 0], amin_False_zeros: [1, 0, 1, 3, 1, 4],
};

describe('scatterReduce', () => {
  it("PyTorch's values: every reduction with and without self, NaN, integers (floor means), 2-D along either dim, src larger than index", async () => {
    const xi = torch.tensor([1, 2, 3, 4]), si = torch.tensor([5, -1, -6, 2, 7, 3]);
    for (const r of REDUCE) {
      for (const s of [true, false]) {
        const k = `${r}_${s ? 'True' : 'False'}`, o = { includeSelf: s };
        close(await flat(x.scatterReduce(0, idx, src, r, o)), F.f1[k], `f1 ${k}`);
        const yi = xi.scatterReduce(0, idx, si, r, o);
        expect(yi.dtype).toBe('int64');
        expect(await flat(yi), `i1 ${k}`).toEqual(F.i1[k]);
        close(await flat(torch.scatterReduce(x2, 0, i2, s2, r, o)), F.f2[k][0], `f2 dim 0 ${k}`);
        close(await flat(x2.scatterReduce(1, i2b, s2, r, o)), F.f2[k][1], `f2 dim 1 ${k}`);
      }
    }
  });

  it("PyTorch's gradients and grad_fn (ties, zeros in products), and the finite differences'", async () => {
    const w = f32([1, 2, 3, 4]);
    for (const r of REDUCE) {
      for (const s of [true, false]) {
        const k = `${r}_${s ? 'True' : 'False'}`;
        const xx = f32([1, 2, 3, 4]).requiresGrad_(), ss = f32([5, 2, 2, 2, 0, 3]).requiresGrad_();
        const y = xx.scatterReduce(0, idx, ss, r, { includeSelf: s });
        await y.mul(w).sum().backward();
        const [wy, wx, ws, name] = F.grads[k];
        close(await flat(y.detach()), wy, `${k} value`);
        close(await flat(xx.grad!), wx, `${k} x grad`);
        close(await flat(ss.grad!), OURS[k] ?? ws, `${k} src grad`);
        expect(y.gradFn?.name).toBe(name);
        const xz = f32([1, 0, 3, 4]).requiresGrad_(), sz = f32([0, 2, 0, 2, 5, 0]).requiresGrad_();
        const yz = xz.scatterReduce(0, torch.tensor([1, 1, 1, 2, 0, 3]), sz, r, { includeSelf: s });
        await yz.mul(w).sum().backward();
        const [zy, zx, zs] = F.grads[`${k}_zeros`];
        close(await flat(yz.detach()), zy, `${k} zeros value`);
        close(await flat(xz.grad!), zx, `${k} zeros x grad`);
        close(await flat(sz.grad!), OURS[`${k}_zeros`] ?? zs, `${k} zeros src grad`);
      }
    }
    for (const r of REDUCE) {
      const xx = x2.clone().requiresGrad_(), ss = s2.narrow(0, 0, 3).narrow(1, 0, 4).clone().requiresGrad_();
      await xx.scatterReduce(0, i2, ss, r).mul(torch.arange(12, { dtype: 'float32' }).reshape([3, 4])).sum().backward();
      close(await flat(xx.grad!), F.grads2[r][0], `2-D ${r} x grad`);
      close(await flat(ss.grad!), F.grads2[r][1], `2-D ${r} src grad`);
    }
    // src larger than the index: its other elements get 0 (PyTorch 1.13's backward refuses this case)
    const big = s2.clone().requiresGrad_();
    await x2.scatterReduce(0, i2, big, 'sum').sum().backward();
    expect(await big.grad!.tolist()).toEqual([[1, 1, 1, 1, 0], [1, 1, 1, 1, 0], [1, 1, 1, 1, 0], [0, 0, 0, 0, 0]]);
    const ix = torch.tensor([[0, 2, 1], [1, 1, 0], [2, 0, 0], [0, 2, 2]]);
    for (const r of REDUCE) {
      for (const s of [true, false]) {
        await gradcheck((a, b) => a.scatterReduce(0, ix, b, r, { includeSelf: s }), [[3, 3], [4, 3]], { seed: 7 });
      }
    }
  });

  it("errors as PyTorch's, and the in-place form", async () => {
    expect(() => x.scatterReduce(0, idx, src, 'max' as 'amax')).toThrow(F.errors[0].replace(/\.$/, ''));
    expect(() => x.scatterReduce(0, idx, torch.tensor([5, -1, -6, 2, 7, 3]), 'sum')).toThrow(F.errors[1]);
    await expect((async () => x.scatterReduce(0, torch.tensor([0, 4]), f32([1, 2]), 'sum').tolist())()).rejects.toThrow(F.errors[2]);
    const z = f32([1, 2, 3]);
    z.scatterReduce_(0, torch.tensor([0, 0, 2]), f32([4, 5, 6]), 'amax', { includeSelf: false });
    expect(await flat(z)).toEqual(F.inplace);
  });

  it.skipIf(!available)('the GPU gives the CPU values (float32 with NaN, int32, int64, short and long index lines)', async () => {
    torch.manualSeed(2);
    const long = torch.randint(0, 5, [3, 300]), vals = torch.randn([3, 300]), ivals = torch.randint(-50, 50, [3, 300]);
    const cases: Array<[string, torch.Tensor, torch.Tensor, torch.Tensor, number]> = [
      ['float32 NaN', x, idx, src, 0], ['2-D', x2, i2, s2, 0], ['2-D dim 1', x2, i2b, s2, 1],
      ['long lines float32', torch.zeros([3, 5]), long, vals, 1], ['long lines int64', torch.ones([3, 5], { dtype: 'int64' }), long, ivals, 1],
      ['int32', torch.tensor([1, 2, 3, 4], { dtype: 'int32' }), idx, torch.tensor([5, -1, -6, 2, 7, 3], { dtype: 'int32' }), 0],
    ];
    for (const [what, a, i, b, d] of cases) {
      for (const r of REDUCE) {
        if (r === 'prod' && what.startsWith('long lines int64')) continue; // (300 factors leave 32 bits: the int64 overflow error)
        for (const s of [true, false]) {
          const want = await flat(a.scatterReduce(d, i, b, r, { includeSelf: s }));
          const got = await flat(a.to('gpu').scatterReduce(d, i.to('gpu'), b.to('gpu'), r, { includeSelf: s }));
          if (r === 'sum' || r === 'mean') close(got, want, `${what} ${r} ${s}`); // (GPU sums in f32)
          else expect(got, `${what} ${r} ${s}`).toEqual(want);
        }
      }
    }
    await expect(torch.full([2], 3, { dtype: 'int64', device: 'gpu' }).scatterReduce(0, torch.zeros([40], { dtype: 'int64', device: 'gpu' }), torch.full([40], 3, { dtype: 'int64', device: 'gpu' }), 'prod').tolist())
      .rejects.toThrow(/int64 overflow on gpu/);
  });
});
