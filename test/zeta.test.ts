// special.zeta (Hurwitz), polygamma of orders 2 and up (through zeta), trigamma's gradient,
// torch.nextafter and special.erfcx: float64 against mpmath's 30 digits and PyTorch 1.13 (test/fixtures/zeta.json, from
// scripts/torch-zeta.py), gradients, errors, and the GPU's f32 against the CPU.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradcheck } from './helpers.ts';

const F = JSON.parse(readFileSync(new URL('./fixtures/zeta.json', import.meta.url), 'utf8'), (_k, v) => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v)) as Record<string, any>;
const available = await gpuForTests('zeta');
const f64 = (v: number[]) => torch.tensor(v, { dtype: 'float64' });
const f32 = (v: number[]) => torch.tensor(v, { dtype: 'float32' });
const rel = (g: number, w: number) => (w === 0 ? Math.abs(g) : Math.abs(g - w) / Math.abs(w));
const nulls = async (t: torch.Tensor) => Array.from(await t.toTypedArray(), (v) => (Number.isNaN(v) ? null : v));

describe('zeta, polygamma and nextafter', () => {
  it("zeta in float64 within 1e-14 of mpmath's for x in [1.001, 50], q in [1e-3, 2e8] and negative q; PyTorch's special values", async () => {
    const z = await torch.special.zeta(f64(F.x), f64(F.q)).toTypedArray();
    // (q < 0: the terms alternate in sign and cancel, to 7e-11 of the sum at x = 7, q = −2.5, for PyTorch too)
    F.x.forEach((x: number, i: number) => {
      expect(rel(z[i], F.mp[i]), `zeta(${x}, ${F.q[i]}) = ${z[i]}, mpmath ${F.mp[i]}`).toBeLessThan(F.q[i] < 0 ? 1e-9 : 1e-14);
      expect(rel(z[i], F.torch[i]), `zeta(${x}, ${F.q[i]}) against PyTorch`).toBeLessThan(F.q[i] < 0 ? 1e-13 : 1e-13);
    });
    // (inf at x = 1 and at q = 0, -3; NaN for x < 1 and for q < 0 with x not an integer, as PyTorch's.
    // ζ(2, inf): PyTorch 1.13 gives NaN; here the limit, 0.)
    const s = await nulls(torch.special.zeta(f32([1, 0.5, 2, 2, 2.5, NaN, 2]), f32([1, 1, 0, -3, -1.5, 1, Infinity])));
    expect(s).toEqual([...F.special.slice(0, 6), 0]);
    // numbers on either side; integers as the default float
    expect(rel((await torch.special.zeta(2, f64([1])).tolist() as number[])[0], Math.PI ** 2 / 6)).toBeLessThan(3e-16);
    expect(torch.special.zeta(torch.tensor([2]), torch.tensor([1])).dtype).toBe('float32');
  });

  it("polygamma of orders 2, 3, 4, 6 within 1e-13 of mpmath's (negative x too), gradients, and trigamma's gradient", async () => {
    const x = f64([0.25, 0.5, 1, 3, 10, -1.5, -0.3, 100]);
    for (const n of [2, 3, 4, 6]) {
      const got = await torch.polygamma(n, x).toTypedArray();
      // (negative x: zeta's alternating terms cancel)
      got.forEach((v, i) => expect(rel(v, F.polygamma[n][i]), `polygamma(${n}, x[${i}])`).toBeLessThan(i >= 5 && i <= 6 ? 1e-11 : 1e-13));
    }
    const p = f32([0.5, 2, 7]).requiresGrad_();
    const y = torch.polygamma(2, p);
    await y.mul(f32([1, 2, 3])).sum().backward();
    (await p.grad!.toTypedArray()).forEach((v, i) => expect(rel(v, F.pg_grad[0][i])).toBeLessThan(1e-6));
    expect(y.gradFn?.name).toBe(F.pg_grad[1]);
    const t = f32([0.5, 2, 7]).requiresGrad_();
    await torch.polygamma(1, t).sum().backward();
    (await t.grad!.toTypedArray()).forEach((v, i) => expect(rel(v, F.trigamma_grad[i])).toBeLessThan(1e-6));
    await gradcheck((u) => torch.polygamma(2, u.abs().add(0.5)), [[5]], { tol: 1e-6 });
    await gradcheck((u) => torch.polygamma(1, u.abs().add(0.5)), [[5]], { tol: 1e-6 });
  });

  it("zeta's gradient in q, nextafter's values in float32 and float64, and PyTorch's errors", async () => {
    const q = f32([1, 2, 0.5]).requiresGrad_();
    const y = torch.special.zeta(f32([2, 3, 4]), q);
    await y.sum().backward();
    (await q.grad!.toTypedArray()).forEach((v, i) => expect(rel(v, F.zeta_grad[0][i])).toBeLessThan(1e-6));
    expect(y.gradFn?.name).toBe(F.zeta_grad[1]);
    await gradcheck((u) => torch.special.zeta(f64([2, 3.5, 6]), u.abs().add(0.5)), [[3]], { tol: 1e-6 });
    const a = [1, 0, -1, 1, Infinity, 3.4028234663852886e38, -1.401298464324817e-45, 2], b = [2, -1, 0, 1, 0, Infinity, 1, NaN];
    expect(await nulls(torch.nextafter(f32(a), f32(b)))).toEqual(F.nextafter32);
    expect(await nulls(f64(a).nextafter(f64(b)))).toEqual(F.nextafter64);
    const xx = f32([2, 3]).requiresGrad_();
    await expect(torch.special.zeta(xx, f32([1, 2])).sum().backward()).rejects.toThrow(F.errors[0]);
    expect(() => torch.nextafter(torch.tensor([1]), torch.tensor([2]))).toThrow(F.errors[1]);
    await expect(torch.nextafter(xx, f32([1, 1])).sum().backward()).rejects.toThrow(F.errors[2]);
  });

  it("erfcx: PyTorch 1.13's float64 values within 1e-15, float32 rounded from them, the gradient", async () => {
    const v = [-30, -3, -0.5, 0, 0.3, 0.5, 2, 5, 9, 10, 30, 1e5, Infinity, -Infinity, NaN];
    // (torch.special.erfcx in float64)
    const want = [Infinity, 16205.988853999586, 1.952360489182557, 1.0, 0.7345993345676554, 0.6156903441929258, 0.2553956763105058,
      0.11070463773306861, 0.06230772403777468, 0.05614099274382259, 0.018795888861416754, 5.6418958351954685e-06, 0.0, Infinity, NaN];
    const g = await torch.special.erfcx(f64(v)).toTypedArray();
    const f = await torch.special.erfcx(f32(v)).toTypedArray();
    want.forEach((w, i) => {
      if (!Number.isFinite(w) || w === 0) { expect(g[i]).toBe(w); expect(f[i]).toBe(w); return; }
      expect(rel(g[i], w), `erfcx(${v[i]})`).toBeLessThan(1e-15);
      expect(f[i], `float32 erfcx(${v[i]})`).toBe(Math.fround(g[i]));
    });
    const t = f32([0.5, 3]).requiresGrad_();
    const y = torch.special.erfcx(t);
    await y.sum().backward();
    // (PyTorch 1.13, float64)
    (await t.grad!.toTypedArray()).forEach((u, i) => expect(rel(u, [-0.5126888229025868, -0.05437226000717277][i])).toBeLessThan(2e-6));
    expect(y.gradFn?.name).toBe('SpecialErfcxBackward0');
    // (both sides of the switch at 12; negative x kept small: e^(x²) would swamp the check's sum)
    await gradcheck((u) => torch.special.erfcx(u.abs().mul(10)), [[6]], { tol: 1e-6 });
    await gradcheck((u) => torch.special.erfcx(u.mul(1.5)), [[6]], { tol: 1e-6 });
    if (available) {
      const gg = await torch.special.erfcx(f32(v).to('gpu')).toTypedArray();
      want.forEach((w, i) => {
        if (!Number.isFinite(w) || w === 0) expect(gg[i]).toBe(w);
        else expect(rel(gg[i], w), `gpu erfcx(${v[i]})`).toBeLessThan(2e-6 * Math.max(1, v[i] * v[i] / 10));
      });
    }
  });

  it.skipIf(!available)('the GPU (f32): zeta and polygamma within 2e-5 of the CPU, nextafter exactly', async () => {
    const X: number[] = [], Q: number[] = [];
    for (const x of [1.01, 1.5, 2, 3, 4, 7, 10, 20]) for (const q of [1e-3, 0.1, 0.5, 1, 2, 3.7, 9, 10, 55, 1e3, 1e6, 2e8, -0.5, -2.5]) { if (q >= 0 || Number.isInteger(x)) { X.push(x); Q.push(q); } }
    X.push(1, 0.5, 2, 2); Q.push(1, 1, 0, -3);
    const c = await torch.special.zeta(f32(X), f32(Q)).toTypedArray(), g = await torch.special.zeta(f32(X).to('gpu'), f32(Q).to('gpu')).toTypedArray();
    c.forEach((v, i) => {
      const what = `zeta(${X[i]}, ${Q[i]}): gpu ${g[i]}, cpu ${v}`;
      if (!Number.isFinite(v)) expect(Object.is(g[i], v) || (Number.isNaN(v) && Number.isNaN(g[i])), what).toBe(true);
      // (q < 0: terms of both signs cancel, up to |q − round(q)|^−x: float32's error is relative to that;
      // below 1e-30: subnormal terms, which a GPU may flush)
      else if (Q[i] < 0) expect(Math.abs(g[i] - v), what).toBeLessThan(3e-7 * Math.abs(Q[i] - Math.round(Q[i])) ** -X[i]);
      else if (Math.abs(v) > 1e-30) expect(rel(g[i], v), what).toBeLessThan(2e-5);
    });
    const px = f32([0.25, 0.5, 1, 3, 10, -1.5, -0.3, 100]);
    for (const n of [2, 3, 5]) {
      const pc = await torch.polygamma(n, px).toTypedArray(), pg = await torch.polygamma(n, px.to('gpu')).toTypedArray();
      pc.forEach((v, i) => expect(rel(pg[i], v), `polygamma(${n}, ${px}[${i}])`).toBeLessThan(2e-5));
    }
    const a = [1, 0, -1, 1, Infinity, 3.4028234663852886e38, 2, 1e-20, -3.5], b = [2, -1, 0, 1, 0, Infinity, NaN, 0, -4];
    expect(await nulls(torch.nextafter(f32(a).to('gpu'), f32(b).to('gpu')))).toEqual(await nulls(torch.nextafter(f32(a), f32(b))));
  });
});
