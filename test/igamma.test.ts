// torch.special.gammainc / gammaincc (torch.igamma / igammac): float64 values against mpmath's (30
// digits) and PyTorch 1.13's on a grid of a from 1e-3 to 1e5 (test/fixtures/igamma.json, from
// scripts/torch-igamma.py), special values, gradients (PyTorch's, and finite differences), errors, and
// the GPU's f32 against the CPU.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradcheck } from './helpers.ts';

const F = JSON.parse(readFileSync(new URL('./fixtures/igamma.json', import.meta.url), 'utf8')) as Record<string, any>;
const available = await gpuForTests('igamma');
const f64 = (v: number[]) => torch.tensor(v, { dtype: 'float64' });
const f32 = (v: number[]) => torch.tensor(v, { dtype: 'float32' });
const rel = (g: number, w: number) => (w === 0 ? Math.abs(g) : Math.abs(g - w) / Math.abs(w));

describe('the regularized incomplete gamma functions', () => {
  it("float64 within 1e-10 of mpmath's over a grid of a in [1e-3, 1e5] (PyTorch 1.13's within 2e-9 of it)", async () => {
    const a = f64(F.a), x = f64(F.x);
    const P = await torch.special.gammainc(a, x).toTypedArray(), Q = await torch.special.gammaincc(a, x).toTypedArray();
    const worst = { p: 0, q: 0, tp: 0, tq: 0 };
    F.a.forEach((_: number, i: number) => {
      // (relative, where the value is a normal number: past 1e-300 the exponent's own rounding dominates)
      if (F.mp_p[i] > 1e-300) { worst.p = Math.max(worst.p, rel(P[i], F.mp_p[i])); worst.tp = Math.max(worst.tp, rel(F.torch_p[i], F.mp_p[i])); }
      if (F.mp_q[i] > 1e-300) { worst.q = Math.max(worst.q, rel(Q[i], F.mp_q[i])); worst.tq = Math.max(worst.tq, rel(F.torch_q[i], F.mp_q[i])); }
      expect(Math.abs(P[i] + Q[i] - 1), `P + Q at a = ${F.a[i]}, x = ${F.x[i]}`).toBeLessThan(1e-15 * 4);
    });
    expect(worst.p).toBeLessThan(1e-10);
    expect(worst.q).toBeLessThan(1e-10);
    // (what PyTorch 1.13 itself gives: ~1.4e-9 near a = x = 25, its asymptotic expansion's)
    expect(Math.max(worst.tp, worst.tq)).toBeGreaterThan(1e-9);
    // float32: the float64 value rounded
    const p32 = await torch.special.gammainc(a.float(), x.float()).toTypedArray();
    F.a.forEach((av: number, i: number) => {
      const want = Math.fround(F.mp_p[i]);
      if (Math.fround(av) === av && Math.fround(F.x[i]) === F.x[i] && want > 1e-30) expect(rel(p32[i], want), `float32 at ${av}, ${F.x[i]}`).toBeLessThan(2e-7);
    });
  });

  it("PyTorch's special values, dtypes, gradient in x, grad_fns and errors", async () => {
    const sa = f32([-1, 0, 0, Infinity, 2, NaN, 3, Infinity]), sx = f32([1, 0, 1, 1, Infinity, 1, -2, Infinity]);
    const nulls = async (t: torch.Tensor) => Array.from(await t.toTypedArray(), (v) => (Number.isNaN(v) ? null : v));
    expect([await nulls(torch.special.gammainc(sa, sx)), await nulls(torch.special.gammaincc(sa, sx))]).toEqual(F.special);
    expect([torch.igamma(f32([1]), f64([2])).dtype, torch.igamma(f32([2]), torch.tensor([1])).dtype].map((d) => `torch.${d}`)).toEqual(F.dtypes);
    expect(() => torch.igamma(torch.tensor([1, 2]), torch.tensor([1, 2]))).toThrow(F.errors[1]);
    expect(() => torch.special.gammainc(3 as unknown as torch.Tensor, 2)).toThrow('expected at least one Tensor argument');
    for (const [fn, want] of [[torch.special.gammainc, F.grad], [torch.special.gammaincc, F.gradc]] as const) {
      const x = f32([1, 2, 0.5, 9]).requiresGrad_();
      const y = fn(f32([0.5, 2, 3, 7.5]), x);
      await y.mul(f32([1, 2, 3, 4])).sum().backward();
      const [v, g, name] = want;
      (await y.detach().toTypedArray()).forEach((u, i) => expect(rel(u, v[i])).toBeLessThan(1e-6));
      (await x.grad!.toTypedArray()).forEach((u, i) => expect(rel(u, g[i])).toBeLessThan(2e-6));
      expect(y.gradFn?.name).toBe(name);
    }
    // a number for a, a tensor method, broadcasting
    // (P(2, x) = 1 − (1 + x)e^−x; Q(1, x) = e^−x, Q(2, x) = (1 + x)e^−x)
    const p2 = await torch.special.gammainc(2, f64([0, 1, Infinity])).toTypedArray();
    [0, 1 - 2 / Math.E, 1].forEach((w, i) => expect(rel(p2[i], w)).toBeLessThan(1e-15));
    const q = await f64([1, 2]).reshape([2, 1]).igammac(f64([1, 2])).toTypedArray();
    expect(q.length).toBe(4);
    [Math.exp(-1), Math.exp(-2), 2 / Math.E, 3 * Math.exp(-2)].forEach((w, i) => expect(rel(q[i], w)).toBeLessThan(1e-15));
    // Gamma.cdf (PyTorch 2's: P(α, βx)) and Chi2's: closed forms for α = 2 and df = 4
    const xs = [0, 0.1, 1, 5];
    const gc = await new torch.distributions.Gamma(f64([2]), f64([3])).cdf(f64(xs)).toTypedArray();
    xs.forEach((v, i) => expect(Math.abs(gc[i] - (1 - (1 + 3 * v) * Math.exp(-3 * v)))).toBeLessThan(1e-15));
    const cc = await new torch.distributions.Chi2(f64([4])).cdf(f64(xs)).toTypedArray();
    xs.forEach((v, i) => expect(Math.abs(cc[i] - (1 - (1 + v / 2) * Math.exp(-v / 2)))).toBeLessThan(1e-15));
    // no gradient in a, as PyTorch: backward says so
    const a = f64([2, 3]).requiresGrad_();
    await expect(torch.special.gammainc(a, f64([1, 1])).sum().backward()).rejects.toThrow(F.errors[0]);
    // finite differences in x (a fixed), both functions, x around a and past it
    for (const fn of [torch.special.gammainc, torch.special.gammaincc]) {
      await gradcheck((x) => fn(f64([0.7, 2, 5, 12, 30, 0.3]).reshape([2, 3]), x.abs().add(0.5).mul(3)), [[2, 3]], { seed: 3, tol: 1e-7 });
    }
  });

  it.skipIf(!available)('the GPU (f32) within 2e-5 of the CPU where the value is past 1e-3, and 3e-6 absolutely', async () => {
    const A: number[] = [], X: number[] = [];
    for (let i = 0; i < 40; i++) {
      const a = Math.fround(10 ** (-3 + (8 * i) / 39));
      for (const r of [1e-3, 0.1, 0.5, 0.9, 0.99, 1, 1.01, 1.1, 1.5, 2, 5, 20]) { A.push(a); X.push(Math.fround(a * r)); }
      for (const x of [1e-5, 0.3, 0.7, 1.05, 3, 50]) { A.push(a); X.push(x); }
    }
    A.push(-1, 0, 0, Infinity, 2, NaN); X.push(1, 0, 1, 1, Infinity, 1);
    const a = f32(A), x = f32(X);
    for (const fn of [torch.igamma, torch.igammac]) {
      const c = await fn(a, x).toTypedArray(), g = await fn(a.to('gpu'), x.to('gpu')).toTypedArray();
      c.forEach((v, i) => {
        const what = `${fn.name}(${A[i]}, ${X[i]}): gpu ${g[i]}, cpu ${v}`;
        if (Number.isNaN(v)) expect(g[i], what).toBeNaN();
        else {
          expect(Math.abs(g[i] - v), what).toBeLessThanOrEqual(3e-6);
          if (v > 1e-3) expect(rel(g[i], v), what).toBeLessThanOrEqual(2e-5);
        }
      });
    }
  });
});
