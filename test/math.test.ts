// asin acos atan sinh cosh asinh acosh atanh log2 log10 exp2 erf erfc atan2 fmod remainder: PyTorch 1.13's
// printed values, grad_fns and gradients (test/fixtures/math-functions.json, from scripts/torch-math.py),
// edge values, gradients against finite differences, and the GPU against the CPU.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradcheck, values } from './helpers.ts';

const REF = JSON.parse(readFileSync(new URL('./fixtures/math-functions.json', import.meta.url), 'utf8')) as Record<string, string[]>;
const text = (t: torch.Tensor) => torch.format(t);
const f32 = (d: number[] | number[][], device = 'cpu') => torch.tensor(d, { dtype: 'float32', device });
const available = await gpuForTests('math');
type Unary = 'asin' | 'acos' | 'atan' | 'sinh' | 'cosh' | 'asinh' | 'atanh' | 'erf' | 'erfc' | 'acosh' | 'log2' | 'log10' | 'exp2';
const UNIT: Unary[] = ['asin', 'acos', 'atan', 'sinh', 'cosh', 'asinh', 'atanh', 'erf', 'erfc'];
const POSITIVE: Unary[] = ['acosh', 'log2', 'log10', 'exp2'];
const unary = (f: Unary, x: torch.Tensor) => (torch as unknown as Record<Unary, (x: torch.Tensor) => torch.Tensor>)[f](x);

describe('elementwise math functions', () => {
  it("PyTorch's values, grad_fns and gradients", async () => {
    for (const f of [...UNIT, ...POSITIVE]) {
      const x = (UNIT.includes(f) ? f32([[0.5, -0.25, 0.9], [-0.75, 0.1, 0.0]]) : f32([[1.5, 2, 4], [10, 1.25, 3]])).requiresGrad_();
      const y = unary(f, x);
      await y.sum().backward();
      expect([await text(y), await text(x.grad!)], f).toEqual(REF[f]);
    }
    for (const f of ['atan2', 'fmod', 'remainder'] as const) {
      const a = f32([5.5, -5.5, 5.5, -5.5, 0]).requiresGrad_(), b = f32([2, 2, -2, -2, 3]).requiresGrad_();
      const y = torch[f](a, b);
      await y.sum().backward();
      expect([await text(y), await text(a.grad!), await text(b.grad!)], f).toEqual(REF[f]);
    }
  });

  it('edges: outside the domains, integers, a number divisor', async () => {
    expect(await text(torch.asin(f32([2, -1.5])))).toBe('tensor([nan, nan])');
    expect(await text(torch.atanh(f32([1, -1])))).toBe('tensor([inf, -inf])');
    expect(await text(torch.acosh(f32([0.5])))).toBe('tensor([nan])');
    expect(await text(torch.erf(f32([1e-4, 3, -0.3])))).toBe('tensor([ 1.1284e-04,  9.9998e-01, -3.2863e-01])');
    expect(await text(torch.erfc(f32([5, -1])))).toBe('tensor([1.5375e-12, 1.8427e+00])');
    expect(await text(torch.sinh(torch.tensor([1, 2])))).toBe('tensor([1.1752, 3.6269])');
    expect(await text(torch.fmod(f32([5.5, -5.5, 5.5, -5.5, 0]).requiresGrad_(), 2.5))).toBe('tensor([ 0.5000, -0.5000,  0.5000, -0.5000,  0.0000], grad_fn=<FmodBackward0>)');
    expect(await text(torch.remainder(f32([5.5, -5.5, 5.5, -5.5, 0]).requiresGrad_(), -2.5))).toBe('tensor([-2.0000, -0.5000, -2.0000, -0.5000,  0.0000],\n       grad_fn=<RemainderBackward0>)');
    expect(await text(torch.fmod(torch.tensor([7, -7]), torch.tensor([3, 3])))).toBe('tensor([ 1, -1])');
    expect(await text(torch.remainder(torch.tensor([7, -7]), 3))).toBe('tensor([1, 2])');
    expect(() => torch.remainder(torch.tensor([7, -7]), 0)).toThrow('ZeroDivisionError');
    // an int64 result never holds -0 (JS's -7 % 7, 0 * -1 and -0 would leak into toTypedArray and tolist)
    for (const t of [torch.fmod(torch.tensor([-7, 7]), 7), torch.tensor([0, 5]).neg(), torch.tensor([0, 5]).mul(-1), torch.tensor([-3]).mul(0)]) {
      for (const v of await values(t)) expect(Object.is(v, -0), `${await text(t)}`).toBe(false);
    }
    // an integer tensor divisor of 0 gives 0 (PyTorch raises; the values are not read back to find it)
    expect(await values(torch.fmod(torch.tensor([7, -7]), torch.tensor([0, 2])))).toEqual([0, -1]);
    // erf's series and far forms meet at |x| = 0.5 and stay close to float64's everywhere
    const xs = Array.from({ length: 81 }, (_, i) => -4 + i * 0.1).concat([0.4999, 0.5, 0.5001, 1e-8, -1e-8]);
    const got = await values(torch.erf(torch.tensor(xs, { dtype: 'float64' })));
    const erf64 = (x: number) => { let s = 0, t = x; for (let n = 0; n < 80; n++) { s += t / (2 * n + 1); t *= -x * x / (n + 1); } return (2 / Math.sqrt(Math.PI)) * s; };
    xs.forEach((x, i) => expect(Math.abs(got[i] - erf64(x)), `erf(${x})`).toBeLessThanOrEqual(2e-7 * Math.abs(erf64(x)) + 1e-15));
  });

  it('gradients against finite differences', async () => {
    for (const f of ['asin', 'acos', 'atanh'] as Unary[]) await gradcheck((x) => unary(f, x.mul(0.3)), [[2, 3]]);
    for (const f of ['atan', 'sinh', 'cosh', 'asinh', 'erf', 'erfc', 'exp2'] as Unary[]) await gradcheck((x) => unary(f, x), [[2, 3]]);
    for (const f of ['acosh', 'log2', 'log10'] as Unary[]) await gradcheck((x) => unary(f, x.add(1.1)), [[2, 3]], { positive: true });
    await gradcheck((a, b) => torch.atan2(a, b), [[2, 3], [3]]);
    await gradcheck((a, b) => torch.fmod(a.mul(3), b), [[2, 3], [2, 3]], { positive: true });
    await gradcheck((a, b) => torch.remainder(a.mul(3), b.neg()), [[2, 3], [2, 3]], { positive: true });
  });
});

describe.runIf(available)('on the GPU: the CPU\'s results', () => {
  it('values and gradients within float32 error', async () => {
    torch.manualSeed(6);
    const u = torch.rand([4, 50]).mul(1.98).sub(0.99), p = torch.rand([4, 50]).mul(20).add(1);
    for (const f of [...UNIT, ...POSITIVE]) {
      const base = UNIT.includes(f) ? u : f === 'exp2' ? p.div(2) : p;
      const a = base.detach().requiresGrad_(), ag = base.to('gpu').requiresGrad_();
      const va = unary(f, a), vg = unary(f, ag);
      const [want, got] = [await values(va), await values(vg.to('cpu'))];
      got.forEach((v, i) => expect(Math.abs(v - want[i]), `${f}(${i})`).toBeLessThanOrEqual(2e-6 * Math.abs(want[i]) + 1e-7));
      await va.sum().backward(); await vg.sum().backward();
      const [gw, gg] = [await values(a.grad!), await values(ag.grad!.to('cpu'))];
      gg.forEach((v, i) => expect(Math.abs(v - gw[i]), `${f}' (${i})`).toBeLessThanOrEqual(1e-5 * Math.abs(gw[i]) + 1e-6));
    }
    const a = torch.rand([3, 40]).mul(20).sub(10), b = torch.rand([3, 40]).mul(6).sub(3);
    for (const f of ['atan2', 'fmod', 'remainder'] as const) {
      const [want, got] = [await values(torch[f](a, b)), await values(torch[f](a.to('gpu'), b.to('gpu')).to('cpu'))];
      got.forEach((v, i) => expect(Math.abs(v - want[i]), `${f}(${i})`).toBeLessThanOrEqual(4e-6 * Math.abs(want[i]) + 2e-6));
    }
    const ia = torch.randint(-50, 50, [64]), ib = torch.randint(-6, 7, [64]);
    for (const f of ['fmod', 'remainder'] as const) expect(await values(torch[f](ia.to('gpu'), ib.to('gpu')).to('cpu')), f).toEqual(await values(torch[f](ia, ib)));
    const edge = f32([2, -1.5, 1, -1, 0.5, 0, -0]);
    for (const f of ['asin', 'acos', 'atanh', 'acosh'] as Unary[]) expect(await values(unary(f, edge.to('gpu')).to('cpu')), f).toEqual((await values(unary(f, edge))).map((v) => Math.fround(v)));
  });
});
