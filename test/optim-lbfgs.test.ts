// torch.optim.LBFGS (src/optim-more.ts) against PyTorch 1.13: the parameters, returned loss and evaluation
// counts after each step(closure), and the state at the end, with and without the strong-Wolfe line search,
// history truncated and not (test/fixtures/lbfgs.json, from scripts/torch-lbfgs.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { cubicInterpolate } from '../src/optim-more.ts';
import { values } from './helpers.ts';

const { optim } = torch;
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const REF = JSON.parse(readFileSync(new URL('./fixtures/lbfgs.json', import.meta.url), 'utf8')) as Json;
type Dt = 'float32' | 'float64';

const P1 = [[0.5, -0.3, 0.8], [-0.2, 0.4, 0.1]], P2 = [0.3, -0.6, 0.9], T = [0.25, -0.5], C = [[1.0, 0.5, 2.0], [0.3, 1.5, 0.7]];
/** Σ 100·(x[i+1] − x[i]²)² + (1 − x[i])² */
const rosen = (x: torch.Tensor) => {
  const n = x.shape[0], a = x.narrow(0, 0, n - 1), b = x.narrow(0, 1, n - 1);
  return b.sub(a.pow(2)).pow(2).mul(100).add(a.neg().add(1).pow(2)).sum();
};
/** Σ(p1·p2 − t)² + Σ c·p1² + Σ sin p2 + Σ p2⁴/4 */
const two = (p1: torch.Tensor, p2: torch.Tensor) => {
  const dtype = p1.dtype as Dt;
  return p1.matmul(p2).sub(torch.tensor(T, { dtype })).pow(2).sum().add(p1.mul(p1).mul(torch.tensor(C, { dtype })).sum())
    .add(p2.sin().sum()).add(p2.pow(4).sum().div(4));
};

function problem(name: string, dtype: Dt, unused: boolean) {
  let ps: torch.Tensor[], f: () => torch.Tensor;
  if (name === 'rosen2' || name === 'rosen6') {
    const x0 = name === 'rosen2' ? [-1.5, 2.0] : [-1.2, 1.0, -0.5, 0.8, 1.3, -0.9];
    ps = [torch.tensor(x0, { dtype }).requiresGrad_()];
    f = () => rosen(ps[0]);
  } else {
    ps = [torch.tensor(P1, { dtype }).requiresGrad_(), torch.tensor(P2, { dtype }).requiresGrad_()];
    f = () => two(ps[0], ps[1]);
  }
  if (unused) ps.push(torch.tensor([0.5, -0.5], { dtype }).requiresGrad_());
  return { ps, f };
}
const close = (got: number[], want: number[], tol: number, what: string) => {
  expect(got.length, what).toBe(want.length);
  got.forEach((v, i) => expect(Math.abs(v - want[i]), `${what}, element ${i}: ${v} against ${want[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i]))));
};
const flat = async (ps: torch.Tensor[]) => (await Promise.all(ps.map(values))).flat();

describe('LBFGS: PyTorch 1.13\'s iterates', () => {
  for (const c of REF.cases as Json[]) {
    it(`${c.problem} ${JSON.stringify(c.opts)} ${c.dtype}${c.unused ? ', an unused parameter' : ''}`, async () => {
      const { ps, f } = problem(c.problem, c.dtype, c.unused);
      const opt = new optim.LBFGS(ps, c.opts);
      let calls = 0;
      const closure = async () => { calls++; opt.zeroGrad(); const l = f(); await l.backward(); return l; };
      // the tolerance: 1e-10 in float64, or 100 times PyTorch's own drift when its start moves by one ulp and its
      // sums are taken in another order (the fixture's `drift`: Rosenbrock's curvature and the line search's
      // interpolations amplify rounding, up to 4e-8 by the third step of one case here)
      const tolAt = (row: Json) => Math.max(c.dtype === 'float64' ? 1e-10 : 1e-4, 100 * row.drift);
      for (const [i, row] of (c.steps as Json[]).entries()) {
        const tol = tolAt(row);
        const loss = await opt.step(closure);
        expect(loss).toBeInstanceOf(torch.Tensor);
        const st = opt.state.get(ps[0])!;
        // float32: PyTorch's and troupe's dot products round differently, which may change a branch's count
        if (c.dtype === 'float64') {
          expect(st.func_evals, `step ${i + 1}: func_evals`).toBe(row.func_evals);
          expect(st.n_iter, `step ${i + 1}: n_iter`).toBe(row.n_iter);
          expect(calls, `step ${i + 1}: closure calls`).toBe(row.func_evals);
        }
        close([Number(await loss.item())], [row.loss], tol, `step ${i + 1}: loss`);
        close(await flat(ps), row.params, tol, `step ${i + 1}: parameters`);
      }
      // the state, under PyTorch's names
      const sd = opt.stateDict().state[0] as Json;
      expect(Object.keys(sd).sort()).toEqual(Object.keys(c.state).sort());
      if (c.dtype !== 'float64') return;
      const stol = Math.max(1e-8, 1e5 * c.steps.at(-1).drift); // gradients: the drift times the curvature
      for (const [k, want] of Object.entries(c.state as Record<string, Json>)) {
        const got = sd[k];
        if (k === 'old_dirs' || k === 'old_stps') {
          expect(got.length, k).toBe(want.length);
          for (let j = 0; j < want.length; j++) close(await values(got[j]), want[j], stol, `${k}[${j}]`);
        } else if (k === 'al') {
          expect(got.length, k).toBe(want.length);
          got.forEach((v: number | null, j: number) => {
            if (want[j] === null) expect(v, `al[${j}]`).toBeNull();
            else close([v as number], [want[j]], stol, `al[${j}]`);
          });
        } else if (got instanceof torch.Tensor) close(await values(got), want, stol, k);
        else if (Array.isArray(want)) close(got, want, stol, k);
        else close([got], [want], stol, k);
      }
    });
  }

  it('stateDict / loadStateDict: a copy goes on as the original (its lists copied, not shared)', async () => {
    const c = (REF.cases as Json[]).find((x) => x.problem === 'rosen6' && x.opts.historySize === 3 && x.opts.lineSearchFn);
    const a = problem('rosen6', 'float64', false);
    const optA = new optim.LBFGS(a.ps, c.opts);
    const clo = (opt: torch.optim.LBFGS, f: () => torch.Tensor) => async () => { opt.zeroGrad(); const l = f(); await l.backward(); return l; };
    await optA.step(clo(optA, a.f));
    await optA.step(clo(optA, a.f));
    const b = problem('rosen6', 'float64', false);
    torch.noGrad(() => b.ps[0].copy_(a.ps[0]));
    const optB = new optim.LBFGS(b.ps, c.opts);
    optB.loadStateDict(optA.stateDict());
    const dirsA = (optA.stateDict().state[0] as Json).old_dirs, dirsB = (optB.stateDict().state[0] as Json).old_dirs;
    expect(dirsB).not.toBe(dirsA);
    expect(dirsB[0]).not.toBe(dirsA[0]);
    for (let i = 2; i < c.steps.length; i++) {
      await optB.step(clo(optB, b.f));
      expect(optB.state.get(b.ps[0])!.func_evals).toBe(c.steps[i].func_evals);
      close(await values(b.ps[0]), c.steps[i].params, Math.max(1e-10, 100 * c.steps[i].drift), `step ${i + 1} after loading`);
    }
    // the original's history untouched by the copy's steps
    expect((optA.stateDict().state[0] as Json).old_dirs).toBe(dirsA);
    expect(dirsA.length).toBe(3);
  });

  it('a gradient already below toleranceGrad: one evaluation, the parameters unchanged', async () => {
    const x = torch.tensor([1, 1], { dtype: 'float64' }).requiresGrad_();
    const opt = new optim.LBFGS([x]);
    const loss = await opt.step(async () => { opt.zeroGrad(); const l = rosen(x); await l.backward(); return l; });
    expect(await loss.item()).toBe(0);
    expect(await values(x)).toEqual([1, 1]);
    expect(opt.state.get(x)).toEqual({ func_evals: 1, n_iter: 0 });
  });

  it('_cubic_interpolate: the cubic\'s minimizer, clamped to the bounds; the midpoint without a real one', () => {
    // f = (x − 1)³ − 3(x − 1) + … through x = 0, 3 has its minimum at 2
    const f = (x: number) => x ** 3 - 3 * x ** 2, g = (x: number) => 3 * x ** 2 - 6 * x;
    expect(cubicInterpolate(0.5, f(0.5), g(0.5), 3, f(3), g(3))).toBeCloseTo(2, 12);
    expect(cubicInterpolate(3, f(3), g(3), 0.5, f(0.5), g(0.5))).toBeCloseTo(2, 12);
    expect(cubicInterpolate(0.5, f(0.5), g(0.5), 3, f(3), g(3), [2.5, 4])).toBe(2.5);
    // d1² − g1·g2 < 0: no real minimizer, the bounds' midpoint
    expect(cubicInterpolate(0, 0, 2, 1, 1, 2)).toBe(0.5);
  });

  it('options, the printed form, PyTorch\'s errors', async () => {
    const p = torch.zeros([2]).requiresGrad_(), q = torch.zeros([2]).requiresGrad_();
    for (const [m, want] of Object.entries(REF.maxEval as Record<string, number>)) {
      expect(new optim.LBFGS([p], { maxIter: Number(m) }).paramGroups[0].maxEval).toBe(want);
    }
    const camel = (s: string) => s.replace(/^( {4}\w+):/gm, (k: string) => k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase())).replace(/e-0(\d)/g, 'e-$1');
    expect(String(new optim.LBFGS([p], { lineSearchFn: 'strong_wolfe' }))).toBe(camel(REF.repr));
    expect(() => new optim.LBFGS([{ params: [p] }, { params: [q] }])).toThrow(REF.errors.groups);
    const bad = new optim.LBFGS([p], { lineSearchFn: 'backtracking' as 'strong_wolfe' });
    await expect(bad.step(async () => { bad.zeroGrad(); const l = p.sub(1).pow(2).sum(); await l.backward(); return l; })).rejects.toThrow(REF.errors.lineSearch);
    await expect((bad.step as () => Promise<torch.Tensor>)()).rejects.toThrow('closure');
  });
});
