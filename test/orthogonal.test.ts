// nn.utils.parametrizations.orthogonal against PyTorch 1.13 (test/fixtures/orthogonal.json, from
// scripts/torch-orthogonal.py): the weight after registering, state-dict keys, one SGD step, errors, repr.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';

const R = JSON.parse(readFileSync(new URL('./fixtures/orthogonal.json', import.meta.url), 'utf8')) as Record<string, any>;
const { orthogonal } = torch.nn.utils.parametrizations;
const f64 = (v: unknown) => torch.tensor(v as number[], { dtype: 'float64' });
async function close(t: torch.Tensor, want: number[][], tol: number, what: string) {
  const got = (await t.tolist()) as number[][];
  want.forEach((row, i) => row.forEach((w, j) => { if (!(Math.abs(got[i][j] - w) <= tol)) expect.fail(`${what}[${i}][${j}]: ${got[i][j]} vs ${w}`); }));
}

describe('nn.utils.parametrizations.orthogonal', () => {
  it("PyTorch's weight after registering and after one SGD step, for every map, square, tall and wide", async () => {
    for (const c of R.cases) {
      const [out, inp] = c.shape;
      const lin = new torch.nn.Linear(inp, out, { dtype: 'float64' });
      lin.loadStateDict({ weight: f64(c.w0), bias: f64(c.bias) });
      orthogonal(lin, 'weight', c.map);
      expect(Object.keys(lin.stateDict()), c.name).toEqual(c.keys);
      // (non-square weights complete their base with random columns: PyTorch's base, loaded, makes the rest comparable)
      if (c.shape[0] !== c.shape[1]) lin.loadStateDict(Object.fromEntries(Object.entries(c.state as Record<string, number[][]>).map(([k, v]) => [k, f64(v)])));
      const W = (lin as unknown as { weight: torch.Tensor }).weight;
      await close(W, c.weight, 1e-12, `${c.name} weight`);
      const opt = new torch.optim.SGD(lin.parameters(), { lr: 0.1 });
      const y = lin.forward(f64(c.x));
      await y.mul(y).sum().backward();
      opt.step();
      await close((lin as unknown as { weight: torch.Tensor }).weight, c.after_step, 1e-10, `${c.name} after a step`);
      // still orthogonal after the step
      const Wn = (lin as unknown as { weight: torch.Tensor }).weight;
      const G = out <= inp ? Wn.matmul(Wn.t()) : Wn.t().matmul(Wn);
      await close(G, (await torch.eye(Math.min(out, inp)).tolist()) as number[][], 1e-12, `${c.name} orthogonality`);
    }
  });
  it("PyTorch's errors and repr", () => {
    expect(() => orthogonal(new torch.nn.Linear(3, 3), 'weight', 'qr' as 'cayley')).toThrow(R.errors[0]);
    expect(() => orthogonal(new torch.nn.BatchNorm1d(3))).toThrow(R.errors[1]);
    expect(String(orthogonal(new torch.nn.Linear(3, 3)))).toBe(R.repr);
  });
});
