// The case format of scripts/torch_fixture.py's run_case (inputs, y, further outputs, the gradients of
// sum(y · weights), grad_fn) and its check, shared by the test files whose fixtures are made that way.
import { expect } from 'vitest';
import * as torch from '../src/index.ts';
import { values } from './helpers.ts';

export type Case = { x: unknown[]; shapes: number[][]; y: unknown; yshape: number[]; extra: unknown[]; g: unknown[]; fn: string; ind?: unknown; args?: Record<string, unknown> };

/** nested lists (NaN and ±inf as strings) to flat numbers */
export const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number)]);
export const make = (v: unknown, shape: number[], dtype: 'float32' | 'float64' = 'float32') => torch.tensor(flat(v), { dtype }).reshape(shape);
/** The fixtures' weights: 0.5 + i/7 over y's elements. */
export const weights = (y: torch.Tensor) => torch.arange(y.numel()).reshape([...y.shape]).to({ dtype: y.dtype }).div(7).add(0.5);
export function close(got: number[], want: number[], what: string, tol: number): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  got.forEach((a, i) => {
    const w = want[i];
    if (Number.isNaN(w)) expect(a, `${what}[${i}]`).toBeNaN();
    else if (!Number.isFinite(w)) expect(a, `${what}[${i}]`).toBe(w);
    else expect(Math.abs(a - w), `${what}[${i}]: ${a} against ${w}`).toBeLessThanOrEqual(tol * (1 + Math.abs(w)));
  });
}
/**
 * f over the case's inputs: y (and any further outputs, such as indices, exactly), each input's gradient
 * of sum(y · weights) and the grad_fn against PyTorch's.
 */
export async function check(c: Case, f: (...xs: torch.Tensor[]) => torch.Tensor | torch.Tensor[], what: string, o: { dtype?: 'float32' | 'float64'; fn?: boolean; tol?: number } = {}): Promise<void> {
  const dtype = o.dtype ?? 'float32', tol = o.tol ?? (dtype === 'float64' ? 1e-12 : 2e-6);
  const xs = c.x.map((v, i) => make(v, c.shapes[i], dtype).requiresGrad_());
  const r = f(...xs);
  const y = Array.isArray(r) ? r[0] : r;
  expect(y.shape, `${what}: shape`).toEqual(c.yshape);
  close(await values(y), flat(c.y), `${what}: y`, tol);
  if (Array.isArray(r)) for (let i = 1; i < r.length; i++) expect(await values(r[i]), `${what}: output ${i}`).toEqual(flat(c.extra[i - 1]));
  if (o.fn ?? true) expect(y.gradFn?.name ?? 'NoneType', `${what}: grad_fn`).toBe(c.fn);
  await y.mul(weights(y)).sum().backward();
  for (let i = 0; i < xs.length; i++) {
    if (c.g[i] === null) continue;
    close(await values(xs[i].grad!), flat(c.g[i]), `${what}: grad ${i}`, tol * 4);
  }
}
