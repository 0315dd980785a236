// What the distributions tests share (test/distributions.test.ts, test/distributions2.test.ts): the
// fixture scripts' run (values, and gradients of sum(f · weights) for the parameters) and a nested
// comparison that reads JSON's 'nan' / 'inf' strings.
import { expect } from 'vitest';
import * as torch from '../src/index.ts';
import { values } from './helpers.ts';

export type Nested = number | string | null | Nested[];
export type DType = 'float32' | 'float64';

export const weights = (y: torch.Tensor) => torch.arange(y.numel(), { device: y.device }).reshape([...y.shape]).to({ dtype: y.dtype }).div(7).add(0.5);
export const T = (d: unknown, dtype: DType = 'float32', device = 'cpu') => torch.tensor(d as number[], { dtype, device });

/** The script's run: f(make(params))'s values and the gradients of sum(f · weights) for the params. */
export async function run(make: (...ps: torch.Tensor[]) => any, f: (d: any) => torch.Tensor, params: unknown[], dtype: DType = 'float32'): Promise<Nested[]> {
  const ps = params.map((p) => T(p, dtype).requiresGrad_());
  const y = f(make(...ps));
  await y.mul(weights(y)).sum().backward();
  const nest = async (t: torch.Tensor) => toNested(await values(t.detach()), [...t.shape]);
  return [await nest(y), ...(await Promise.all(ps.map((p) => (p.grad ? nest(p.grad) : null))))];
}
export function toNested(v: number[], shape: number[]): Nested {
  if (shape.length === 0) return v[0];
  const n = shape[0], step = v.length / Math.max(n, 1);
  return Array.from({ length: n }, (_, i) => toNested(v.slice(i * step, (i + 1) * step), shape.slice(1)));
}
/** got ≈ want elementwise (want's 'nan', 'inf', '-inf' strings as JSON holds them), relative tol (absolute below 1). */
export function close(got: Nested, want: Nested, tol = 2e-6, path = ''): void {
  if (Array.isArray(want)) {
    expect(Array.isArray(got), `${path}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`).toBe(true);
    expect((got as Nested[]).length, path).toBe(want.length);
    want.forEach((w, i) => close((got as Nested[])[i], w, tol, `${path}[${i}]`));
    return;
  }
  if (want === null) { expect(got, path).toBe(null); return; }
  const w = want === 'nan' ? NaN : want === 'inf' ? Infinity : want === '-inf' ? -Infinity : (want as number);
  const g = got as number;
  if (Number.isNaN(w)) expect(Number.isNaN(g), `${path}: ${g} vs nan`).toBe(true);
  else if (!Number.isFinite(w)) expect(g, path).toBe(w);
  else expect(Math.abs(g - w), `${path}: ${g} vs ${w}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w)));
}
export const nested = async (t: torch.Tensor) => toNested(await values(t), [...t.shape]);
