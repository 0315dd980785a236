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
    // an integer tensor divisor of 0 on the CPU: PyTorch's ZeroDivisionError (its values are at hand), here
    // and in div's rounding modes; a zero outside the view divides nothing
    expect(() => torch.fmod(torch.tensor([7, -7]), torch.tensor([0, 2]))).toThrow('ZeroDivisionError');
    expect(() => torch.remainder(torch.tensor([7, -7]), torch.tensor([2, 0]))).toThrow('ZeroDivisionError');
    expect(() => torch.div(torch.tensor([7]), torch.tensor([0]), { roundingMode: 'floor' })).toThrow('ZeroDivisionError');
    expect(() => torch.floorDivide(torch.tensor([7]), 0)).toThrow('ZeroDivisionError');
    expect(await values(torch.fmod(torch.tensor([7, -7]), torch.tensor([0, 2, 3]).narrow(0, 1, 2)))).toEqual([1, -1]);
    // erf's series and far forms meet at |x| = 0.5 and stay close to float64's everywhere
    const xs = Array.from({ length: 81 }, (_, i) => -4 + i * 0.1).concat([0.4999, 0.5, 0.5001, 1e-8, -1e-8]);
    const got = await values(torch.erf(torch.tensor(xs, { dtype: 'float64' })));
    const erf64 = (x: number) => { let s = 0, t = x; for (let n = 0; n < 80; n++) { s += t / (2 * n + 1); t *= -x * x / (n + 1); } return (2 / Math.sqrt(Math.PI)) * s; };
    xs.forEach((x, i) => expect(Math.abs(got[i] - erf64(x)), `erf(${x})`).toBeLessThanOrEqual(2e-7 * Math.abs(erf64(x)) + 1e-15));
  });

  it("float64 erf, erfc, log1p and expm1 to a few 1e-16 (C's libm values)", async () => {
    const xs = [-6, -2.2, -1.49, -0.7, -1e-5, 0, 0.3, 1.2, 1.5, 1.51, 2.9, 4.4, 9, 26];
    const ERF = [-1.0, -0.9981371537020182, -0.9648978648432042, -0.6778011938374184, -1.1283791670579e-05, 0.0, 0.3286267594591274, 0.9103139782296353, 0.9661051464753108, 0.9672767481287117, 0.9999589021219005, 0.999999999510829, 1.0, 1.0];
    const ERFC = [2.0, 1.998137153702018, 1.9648978648432043, 1.6778011938374184, 1.0000112837916706, 1.0, 0.6713732405408726, 0.08968602177036465, 0.033894853524689274, 0.03272325187128836, 4.109787809945886e-05, 4.891710270605872e-10, 4.13703174651381e-37, 5.663192408856143e-296];
    const x = torch.tensor(xs, { dtype: 'float64' });
    const near = (got: number[], want: number[], what: string) => got.forEach((g, i) => expect(Math.abs(g - want[i]), `${what}(${xs[i] ?? i})`).toBeLessThanOrEqual(2e-15 * Math.abs(want[i])));
    near(await values(torch.erf(x)), ERF, 'erf');
    near(await values(torch.erfc(x)), ERFC, 'erfc');
    expect(await values(torch.erf(torch.tensor([Infinity, -Infinity, -0], { dtype: 'float64' })))).toEqual([1, -1, -0]);
    const small = [-0.49, -0.3, -1e-3, 1e-8, 0.01, 0.2, 0.49, 0.8, 3];
    const t = torch.tensor(small, { dtype: 'float64' });
    near(await values(torch.log1p(t)), small.map(Math.log1p), 'log1p');
    near(await values(torch.expm1(t)), small.map(Math.expm1), 'expm1');
  });

  it("div's rounding modes and floorDivide: PyTorch 1.13's values, dtypes, grad_fns, zero gradients and errors", async () => {
    const a = f32([1, -7.5, 5]).requiresGrad_(), b = f32([0.1, 2, -3]).requiresGrad_();
    expect(await text(torch.div(a, b, { roundingMode: 'trunc' }))).toBe('tensor([10., -3., -1.], grad_fn=<DivBackward2>)');
    // (floor from fmod, as PyTorch's: 1 // 0.1 is 9, though floor(1 / 0.1) is 10)
    expect(await text(torch.div(a, b, { roundingMode: 'floor' }))).toBe('tensor([ 9., -4., -2.], grad_fn=<DivBackward2>)');
    expect(await text(a.div(2.5, { roundingMode: 'floor' }))).toBe('tensor([ 0., -3.,  2.], grad_fn=<DivBackward2>)');
    expect(await text(torch.floorDivide(a, b))).toBe('tensor([ 9., -4., -2.], grad_fn=<NotImplemented>)');
    const i = torch.tensor([7, -7, 7, -7]), j = torch.tensor([2, 2, -2, -2]);
    expect(await text(torch.div(i, j, { roundingMode: 'floor' }))).toBe('tensor([ 3, -4, -4,  3])');
    expect(await text(i.div(j, { roundingMode: 'trunc' }))).toBe('tensor([ 3, -3, -3,  3])');
    expect(await text(i.floorDivide(2))).toBe('tensor([ 3, -4,  3, -4])');
    expect(await text(torch.div(torch.tensor([7, -7]), 2.5, { roundingMode: 'floor' }))).toBe('tensor([ 2., -3.])');
    expect(await text(torch.div(f32([1, -1, 0]), 0, { roundingMode: 'floor' }))).toBe('tensor([inf, -inf, nan])');
    expect(await text(torch.div(f32([-0.5]), 2, { roundingMode: 'floor' }))).toBe('tensor([-1.])');
    expect(await text(torch.div(f32([-0.5]), 2, { roundingMode: 'trunc' }))).toBe('tensor([-0.])');
    await torch.div(a, b, { roundingMode: 'floor' }).sum().backward();
    expect([await values(a.grad!), await values(b.grad!)]).toEqual([[0, 0, 0], [0, 0, 0]]);
    await expect(torch.floorDivide(a, b).sum().backward()).rejects.toThrow("the derivative for 'floor_divide' is not implemented.");
    expect(() => torch.div(a, b, { roundingMode: 'x' as never })).toThrow("div expected rounding_mode to be one of None, 'trunc', or 'floor' but found 'x'");
    expect(() => torch.div(torch.tensor([true]), torch.tensor([true]), { roundingMode: 'floor' })).toThrow(`"div_floor_cpu" not implemented for 'Bool'`);
    // against the definitions on many values (floats: PyTorch's div_floor_floating; ints: exact)
    torch.manualSeed(4);
    const x = torch.rand([400]).mul(200).sub(100), y = torch.rand([400]).mul(20).sub(10);
    const [xv, yv, fl, tr] = await Promise.all([values(x), values(y), values(torch.div(x, y, { roundingMode: 'floor' })), values(torch.div(x, y, { roundingMode: 'trunc' }))]);
    xv.forEach((xx, k) => {
      const m = xx % yv[k], dd = (xx - m) / yv[k] - (m !== 0 && (yv[k] < 0) !== (m < 0) ? 1 : 0);
      const want = Math.fround(Math.floor(dd) + (dd - Math.floor(dd) > 0.5 ? 1 : 0));
      expect(fl[k], `floor ${xx} / ${yv[k]}`).toBe(want);
      expect(tr[k], `trunc ${xx} / ${yv[k]}`).toBe(Math.trunc(Math.fround(xx / yv[k])));
    });
    const p = torch.randint(-1000, 1000, [300]), q = torch.randint(1, 30, [300]).mul(torch.randint(0, 2, [300]).mul(2).sub(1));
    const [pv, qv, pf, pt] = await Promise.all([values(p), values(q), values(torch.floorDivide(p, q)), values(torch.div(p, q, { roundingMode: 'trunc' }))]);
    pv.forEach((pp, k) => { expect(pf[k]).toBe(Math.floor(pp / qv[k]) + 0); expect(pt[k]).toBe(Math.trunc(pp / qv[k]) + 0); });
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
    const ia = torch.randint(-50, 50, [64]), ib = torch.randint(1, 7, [64]).mul(torch.randint(0, 2, [64]).mul(2).sub(1));
    for (const f of ['fmod', 'remainder'] as const) expect(await values(torch[f](ia.to('gpu'), ib.to('gpu')).to('cpu')), f).toEqual(await values(torch[f](ia, ib)));
    for (const m of ['trunc', 'floor'] as const) {
      expect(await values(torch.div(ia.to('gpu'), ib.to('gpu'), { roundingMode: m }).to('cpu')), m).toEqual(await values(torch.div(ia, ib, { roundingMode: m })));
      const [want, got] = [await values(torch.div(a, b, { roundingMode: m })), await values(torch.div(a.to('gpu'), b.to('gpu'), { roundingMode: m }).to('cpu'))];
      // (a quotient within float32 error of an integer may round either way)
      expect(got.filter((v, k) => v !== want[k]).length, `${m} float`).toBeLessThanOrEqual(1);
    }
    // a GPU integer divisor of 0: its values are not at hand, so 0 there, not an error (PyTorch's CUDA gives garbage)
    expect(await values(torch.fmod(torch.tensor([7, -7], { device: 'gpu' }), torch.tensor([0, 2], { device: 'gpu' })).to('cpu'))).toEqual([0, -1]);
    expect(await values(torch.floorDivide(torch.tensor([7, -7], { device: 'gpu' }), torch.tensor([0, 2], { device: 'gpu' })).to('cpu'))).toEqual([0, -4]);
    const edge = f32([2, -1.5, 1, -1, 0.5, 0, -0]);
    for (const f of ['asin', 'acos', 'atanh', 'acosh'] as Unary[]) expect(await values(unary(f, edge.to('gpu')).to('cpu')), f).toEqual((await values(unary(f, edge))).map((v) => Math.fround(v)));
  });
});
