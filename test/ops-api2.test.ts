// src/ops-api2.ts against PyTorch 1.13 (test/fixtures/ops-api2.json, from scripts/torch-ops-api2.py): window
// functions, combinations, cumulative_trapezoid, gradient, histogram, logaddexp2, the small utilities and
// the deprecated linear algebra (triangular_solve, cholesky_solve/inverse, lu, lu_unpack, lu_solve).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradcheck } from './helpers.ts';

const R = JSON.parse(readFileSync(new URL('./fixtures/ops-api2.json', import.meta.url), 'utf8')) as Record<string, any>;
const available = await gpuForTests('ops-api2', { composite: true });
const D = { dtype: 'float64' } as const;
const f64 = (v: unknown) => torch.tensor(v as number[], D);
const f32 = (v: unknown) => torch.tensor(v as number[], { dtype: 'float32' });
const list = async (t: torch.Tensor) => t.tolist();
const num = (v: unknown): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number));
function near(got: unknown, want: unknown, tol: number, what: string): void {
  if (Array.isArray(want)) {
    expect(Array.isArray(got), `${what}: ${JSON.stringify(got)} is not a list`).toBe(true);
    expect((got as unknown[]).length, what).toBe(want.length);
    want.forEach((w, i) => near((got as unknown[])[i], w, tol, `${what}[${i}]`));
    return;
  }
  const g = num(got), w = num(want);
  if (Number.isNaN(w) || !Number.isFinite(w)) { expect(Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w)), `${what}: ${g} vs ${w}`).toBe(true); return; }
  expect(Math.abs(g - w), `${what}: ${g} vs ${w}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w)));
}
/** PyTorch's weights(): 0.5, 0.5 + 1/7, … over y's elements. */
const weights = (y: torch.Tensor) => torch.arange(y.numel(), { dtype: y.dtype }).reshape([...y.shape]).div(7).add(0.5);
async function gradsOf(y: torch.Tensor | torch.Tensor[], xs: torch.Tensor[]): Promise<Array<unknown>> {
  const ys = Array.isArray(y) ? y : [y];
  const total = ys.map((t) => torch.sum(t.mul(weights(t)))).reduce((a, b) => a.add(b));
  const gs = await torch.autograd.grad(total, xs, { allowUnused: true });
  return Promise.all(gs.map((g) => (g ? list(g) : null)));
}

describe('window functions', () => {
  const fns = { hann: torch.hannWindow, hamming: torch.hammingWindow, blackman: torch.blackmanWindow, bartlett: torch.bartlettWindow, kaiser: torch.kaiserWindow } as const;
  it("hann, hamming, blackman, bartlett, kaiser: PyTorch's values, periodic and symmetric, float64 and float32, lengths 0, 1, 2, 5, 8", async () => {
    for (const [name, f] of Object.entries(fns)) {
      for (const n of [0, 1, 2, 5, 8]) {
        for (const periodic of [true, false]) {
          const w64 = (f as (n: number, p: boolean, o: object) => torch.Tensor)(n, periodic, D);
          expect(w64.dtype).toBe('float64');
          near(await list(w64), R.win[`${name}/${n}/${+periodic}/64`], 1e-14, `${name}(${n}, ${periodic}) f64`);
          const w32 = (f as (n: number, p: boolean) => torch.Tensor)(n, periodic);
          expect(w32.dtype).toBe('float32');
          near(await list(w32), R.win[`${name}/${n}/${+periodic}/32`], 3e-7, `${name}(${n}, ${periodic}) f32`);
        }
      }
    }
    near(await list(torch.hammingWindow(7, false, 0.6, 0.3, D)), R.win.hamming_ab, 1e-14, 'hamming alpha beta');
    near(await list(torch.hammingWindow(7, { alpha: 0.5, beta: 0.2, dtype: 'float64' })), R.win.hamming_ab_p, 1e-14, 'hamming options');
    near(await list(torch.kaiserWindow(9, false, 5, D)), R.win.kaiser_beta, 1e-14, 'kaiser beta');
    near(await list(torch.kaiserWindow(6, { beta: 0.5, dtype: 'float64' })), R.win.kaiser_beta_p, 1e-14, 'kaiser beta options');
    // (the default periodic=true, given through options only)
    expect(await list(torch.hannWindow(4, D))).toEqual(await list(torch.hannWindow(4, true, D)));
  });
  it("errors as PyTorch's", () => {
    expect(() => torch.hannWindow(-1)).toThrow(R.win_err[0]);
    expect(() => torch.kaiserWindow(-2)).toThrow(R.win_err[1]);
    expect(() => torch.hannWindow(4, { dtype: 'int64' })).toThrow(R.win_err[2]);
  });
});

describe('combinations, cumulativeTrapezoid, gradient, histogram, logaddexp2', () => {
  it("combinations: PyTorch's rows, order and gradients, with and without replacement", async () => {
    for (const r of [1, 2, 3]) {
      for (const wr of [false, true]) {
        const x = f64([1, 2, 3, 4]).requiresGrad_();
        const y = torch.combinations(x, r, { withReplacement: wr });
        const [want, grad, shape] = R.comb[`${r}/${+wr}`];
        expect([...y.shape]).toEqual(shape);
        expect(await list(y)).toEqual(want);
        near((await gradsOf(y, [x]))[0], grad, 1e-14, `combinations r=${r} grad`);
        expect(y.gradFn?.name).toBe('StackBackward0');
      }
    }
    expect([[...torch.combinations(f32([1, 2]), 3).shape], [...torch.combinations(f32([1, 2]), 0).shape]]).toEqual(R.comb.empty);
    const ints = torch.combinations(torch.tensor([5, 6, 7]));
    expect([await list(ints), `torch.${ints.dtype}`]).toEqual(R.comb.int);
    expect(() => torch.combinations(torch.ones([2, 2]))).toThrow(R.comb.err[0]);
    expect(() => torch.combinations(torch.ones([3]), -1)).toThrow(R.comb.err[1]);
  });

  it("cumulativeTrapezoid: PyTorch's values and gradients (dx, dim, x 1-D and 2-D)", async () => {
    const y0 = [[1, 3, 2, 5], [0, -1, 4, 2]], x0 = [0, 0.5, 2, 2.5];
    const cases: Record<string, (y: torch.Tensor, x: torch.Tensor) => torch.Tensor> = {
      plain: (y) => torch.cumulativeTrapezoid(y),
      dx: (y) => torch.cumulativeTrapezoid(y, { dx: 0.5 }),
      dim0: (y) => torch.cumulativeTrapezoid(y, { dim: 0 }),
      x: (y, x) => torch.cumulativeTrapezoid(y, x),
      x2d: (y, x) => torch.cumulativeTrapezoid(y, { x: x.expand([2, 4]).mul(f64([[1], [2]])) }),
    };
    for (const [k, f] of Object.entries(cases)) {
      const y = f64(y0).requiresGrad_(), x = f64(x0).requiresGrad_();
      const r = f(y, x);
      near(await list(r), R.ctrap[k][0], 1e-14, `${k} values`);
      const [gy, gx] = await gradsOf(r, [y, x]);
      near(gy, R.ctrap[k][1][0], 1e-14, `${k} dy`);
      if (R.ctrap[k][1][1] === null) expect(gx).toBe(null); else near(gx, R.ctrap[k][1][1], 1e-14, `${k} dx`);
      expect(r.gradFn?.name).toBe('CumsumBackward0');
    }
    const ints = torch.cumulativeTrapezoid(torch.tensor([1, 2, 4]));
    expect([await list(ints), `torch.${ints.dtype}`]).toEqual(R.ctrap.int);
    expect([...torch.cumulativeTrapezoid(torch.ones([3, 1])).shape]).toEqual(R.ctrap.one);
    expect(() => torch.cumulativeTrapezoid(torch.ones([3]), torch.ones([4]))).toThrow(R.ctrap.err[0]);
  });

  it("gradient: PyTorch's values and backward for spacing (none, number, list, coordinates), dim and edge order 1 and 2", async () => {
    const Y0 = [[1, 2, 4, 8, 10], [3, 1, 0, 5, 9], [2, 2, 7, -1, 0]];
    const cx = f64([0, 1, 1.5, 3.5, 4]), cy = f64([-1, 0.5, 2]);
    const cases: Record<string, torch.GradientOptions> = {
      default: {}, dim1: { dim: 1 }, dim0e2: { dim: 0, edgeOrder: 2 }, e2: { edgeOrder: 2 }, sp2: { spacing: 2 }, splist: { spacing: [0.5, 2] },
      coords: { spacing: [cy, cx] }, coords_e2: { spacing: [cy, cx], edgeOrder: 2 }, coords1: { spacing: [cx], dim: 1 }, dims: { dim: [1, 0], spacing: [2, 3] },
    };
    for (const [k, o] of Object.entries(cases)) {
      const Y = f64(Y0).requiresGrad_();
      const rs = torch.gradient(Y, o);
      near(await Promise.all(rs.map(list)), R.grad[k][0], 1e-14, `gradient ${k}`);
      near((await gradsOf(rs, [Y]))[0], R.grad[k][1], 1e-14, `gradient ${k} backward`);
      expect(rs[0].gradFn?.name).toBe('CatBackward0');
    }
    near(await Promise.all(torch.gradient(f64([1, 4, 9, 16, 25]), { spacing: [f64([0, 1, 3, 4, 7])], edgeOrder: 2 }).map(list)), R.grad['1d'], 1e-14, 'gradient 1-D coordinates');
    const ints = torch.gradient(torch.tensor([1, 4, 9, 16]));
    expect([await Promise.all(ints.map(list)), `torch.${ints[0].dtype}`]).toEqual(R.grad.int);
    const Y = f64(Y0);
    expect(() => torch.gradient(Y, { edgeOrder: 3 })).toThrow(R.grad.err[0]);
    expect(() => torch.gradient(torch.ones([2, 5]), { edgeOrder: 2 })).toThrow(R.grad.err[1]);
    expect(() => torch.gradient(Y, { spacing: [1, 2, 3] })).toThrow(R.grad.err[2]);
    expect(() => torch.gradient(torch.ones([1]))).toThrow(R.grad.err[3]);
  });

  it("gradient with coordinates: finite differences (the spacing's own gradient too)", async () => {
    await gradcheck((y, c) => torch.gradient(y, { spacing: [c.cumsum(0).add(torch.arange(5, D).mul(3))], dim: 1, edgeOrder: 2 })[0], [[2, 5], [5]]);
  });

  it("histogram: PyTorch's counts, weights, densities and edges", async () => {
    const X = f64([0.5, 1.0, 1.5, 2.0, 2.0, 3.25, 4.0, -1.0, 0.1, 2.9]);
    const W = f64([1, 2, 0.5, 1, 3, 1, 1, 2, 4, 0.25]);
    const cases: Record<string, () => torch.Histogram> = {
      5: () => torch.histogram(X, 5),
      '3r': () => torch.histogram(X, 3, { range: [0, 3] }),
      w: () => torch.histogram(X, 4, { weight: W }),
      d: () => torch.histogram(X, 4, { density: true }),
      wd: () => torch.histogram(X, 6, { weight: W, density: true, range: [-1, 5] }),
      edges: () => torch.histogram(X, f64([-1, 0, 0.5, 2, 2.5, 4])),
      edges_wd: () => torch.histogram(X, f64([0, 1, 3, 3.25]), { weight: W, density: true }),
      same: () => torch.histogram(f32([1, 1, 1]), 3),
      f32: () => torch.histogram(f32([0.1, 0.2, 0.7, 0.3, 1.0, 0.9]), 10),
      '2d': () => torch.histogram(f32([[1, 2], [2, 3]]), 2),
    };
    for (const [k, f] of Object.entries(cases)) {
      const { hist, binEdges } = f();
      near([await list(hist), await list(binEdges)], R.hist[k], k === 'f32' || k === 'same' || k === '2d' ? 1e-7 : 1e-14, `histogram ${k}`);
      expect(hist.dtype).toBe(k === 'f32' || k === 'same' || k === '2d' ? 'float32' : 'float64');
    }
    const [h, e] = torch.histogram(X, 5);
    expect([await list(h), await list(e)]).toEqual(R.hist['5']);
    expect(() => torch.histogram(X, 0)).toThrow(R.hist.err[0]);
    expect(() => torch.histogram(X, 3, { range: [2, 1] })).toThrow(R.hist.err[1]);
    expect(() => torch.histogram(torch.tensor([1, 2]), 3)).toThrow(R.hist.err[2]);
    expect(() => torch.histogram(X, 3, { weight: torch.ones([3], D) })).toThrow(R.hist.err[3]);
  });

  it("logaddexp2: PyTorch's values (infinities included) and gradients", async () => {
    const a = f64([-1, 0, 3, 100, -Infinity, 2]).requiresGrad_(), b = f64([2, 0, -4, 99, -Infinity, Infinity]).requiresGrad_();
    const y = torch.logaddexp2(a, b);
    near(await list(y), R.lae2[0], 1e-15, 'logaddexp2');
    const [ga, gb] = await gradsOf(y, [a, b]);
    near(ga, R.lae2[1], 1e-15, 'd/da');
    near(gb, R.lae2[2], 1e-15, 'd/db');
    expect(y.gradFn?.name).toBe(R.lae2[3]);
    near(await list(torch.logaddexp2(f32([1, 2.5]), f32([0.25, -3]))), R.lae2_f32, 2e-7, 'logaddexp2 f32');
    await gradcheck((p, q) => torch.logaddexp2(p, q), [[3, 1], [4]]);
    expect(() => torch.logaddexp2(torch.tensor([1]), torch.tensor([2]))).toThrow(`"logaddexp2_cpu" not implemented for 'Long'`);
  });
});

describe('small utilities', () => {
  it("dtype helpers: resultType, promoteTypes, canCast, isSigned", () => {
    const i32 = torch.ones([2], { dtype: 'int32' });
    expect([torch.resultType(i32, 1.5), torch.resultType(i32, torch.tensor(1, { dtype: 'float32' })), torch.resultType(i32, torch.ones([2], { dtype: 'int64' })),
      torch.resultType(torch.tensor(true), 2), torch.resultType(torch.ones([2]), torch.ones([2], D))].map((d) => `torch.${d}`)).toEqual(R.result_type);
    expect(([['int32', 'float32'], ['bool', 'int32'], ['int64', 'float32'], ['float32', 'float64'], ['bool', 'bool']] as const).map(([a, b]) => `torch.${torch.promoteTypes(a, b)}`)).toEqual(R.promote);
    expect(([['float64', 'float32'], ['float32', 'int32'], ['int64', 'int32'], ['int32', 'bool'], ['bool', 'int64']] as const).map(([a, b]) => torch.canCast(a, b))).toEqual(R.can_cast);
    expect([torch.isSigned(torch.ones([1])), torch.isSigned(torch.ones([1], { dtype: 'bool' })), torch.isSigned(torch.ones([1], { dtype: 'int32' }))]).toEqual(R.is_signed);
  });

  it('numel, emptyLike, isSameSize, asTensor / asarray (sharing), scalarTensor', async () => {
    const x = torch.ones([2, 3], D);
    expect(torch.numel(x)).toBe(6);
    const e = torch.emptyLike(x);
    expect([[...e.shape], e.dtype]).toEqual([[2, 3], 'float64']);
    expect(torch.emptyLike(x, { dtype: 'int32' }).dtype).toBe('int32');
    expect([torch.isSameSize(x, torch.zeros([2, 3])), torch.isSameSize(x, torch.zeros([3, 2])), torch.isSameSize(x, torch.zeros([6]))]).toEqual([true, false, false]);
    expect(torch.asTensor(x)).toBe(x);
    expect(torch.asTensor(x, { dtype: 'float64', device: 'cpu' })).toBe(x);
    const y = torch.asTensor(x, { dtype: 'float32' });
    expect([y === x, y.dtype]).toEqual([false, 'float32']);
    const z = torch.asTensor([1, 2, 3]);
    expect([z.dtype, await list(z)]).toEqual(['int64', [1, 2, 3]]);
    expect(torch.asarray(x)).toBe(x);
    const c = torch.asarray(x, { copy: true });
    expect(c === x).toBe(false);
    expect(await list(c)).toEqual(await list(x));
    const s = torch.scalarTensor(3);
    expect([`torch.${s.dtype}`, await s.item(), [...torch.scalarTensor(2.5).shape], `torch.${torch.scalarTensor(1, { dtype: 'int64' }).dtype}`]).toEqual(R.scalar_tensor);
  });

  it("range: PyTorch's inclusive ends, float default dtype and errors", async () => {
    const [r14, dt, quarter, down, tenth32, tenth64, ints, e1, e2] = R.range;
    expect(await list(torch.range(1, 4))).toEqual(r14);
    expect(`torch.${torch.range(1, 4).dtype}`).toBe(dt);
    expect(await list(torch.range(0, 1, 0.25))).toEqual(quarter);
    expect(await list(torch.range(5, 1, -1.5))).toEqual(down);
    expect(await list(torch.range(0, 0.3, 0.1))).toEqual(tenth32);
    expect(await list(torch.range(0, 0.3, 0.1, D))).toEqual(tenth64);
    const ri = torch.range(1, 4, { dtype: 'int64' });
    expect([await list(ri), ri.dtype]).toEqual([ints, 'int64']);
    expect(() => torch.range(1, 4, -1)).toThrow(e1);
    expect(() => torch.range(1, 4, 0)).toThrow(e2);
  });

  it("select, addcmul, addcdiv, subtract / multiply / divide: PyTorch's values, gradients and errors", async () => {
    const s = torch.arange(24, { dtype: 'float32' }).reshape([2, 3, 4]).requiresGrad_();
    const r = torch.select(s, 1, -1);
    expect([await list(r), r.gradFn?.name]).toEqual(R.select.slice(0, 2));
    expect(() => torch.select(s, 2, 4)).toThrow(R.select[2]);
    expect(() => torch.select(s, 3, 0)).toThrow(R.select[3]);
    for (const [k, f] of [['addcmul', torch.addcmul], ['addcdiv', torch.addcdiv]] as const) {
      const i0 = f64([1, 2, 3]).requiresGrad_(), t1 = f64([[0.5], [-2]]).requiresGrad_(), t2 = f64([4, -1, 0.25]).requiresGrad_();
      const y = f(i0, t1, t2, { value: -1.5 });
      near(await list(y), R[k][0], 1e-15, k);
      near(await gradsOf(y, [i0, t1, t2]), R[k][1], 1e-14, `${k} gradients`);
      expect(y.gradFn?.name).toBe(R[k][2]);
      await gradcheck((a, b, c) => f(a, b, c.abs().add(0.5), { value: 0.75 }), [[2, 3], [2, 1], [3]]);
    }
    const m = torch.addcmul(torch.ones([2], { dtype: 'int64' }), torch.ones([2], { dtype: 'int64' }), torch.ones([2]));
    expect([`torch.${m.dtype}`, await list(torch.addcmul(torch.tensor([1, 2]), torch.tensor([3, 4]), torch.tensor([5, 6]), { value: 2 }))]).toEqual(R.addcmul_dt);
    expect(() => torch.addcdiv(torch.ones([2]), torch.tensor([1, 2]), torch.tensor([3, 4]))).toThrow(R.addcdiv_err);
    expect([
      await list(torch.subtract(f32([5, 6]), f32([1, 2]), { alpha: 2 })), await list(torch.multiply(f32([5, 6]), 3)),
      await list(torch.divide(f32([5, -7]), 2, { roundingMode: 'floor' })), await list(torch.divide(torch.tensor([5, -7]), 2)),
    ]).toEqual(R.subtract);
  });
});

describe('deprecated linear algebra', () => {
  const A0 = [[2, 1, -1], [0.5, 3, 2], [1, -2, 4]], B0 = [[1, 2], [-1, 0.5], [3, 1]];
  it("triangularSolve: PyTorch's solutions, cloned coefficients and gradients for every upper/transpose/unitriangular", async () => {
    for (const upper of [true, false]) {
      for (const transpose of [false, true]) {
        for (const unitriangular of [false, true]) {
          const key = `${+upper}${+transpose}${+unitriangular}`;
          const A = f64(A0).requiresGrad_(), B = f64(B0).requiresGrad_();
          const { solution, clonedCoefficient } = torch.triangularSolve(B, A, { upper, transpose, unitriangular });
          const [X, gA, gB] = R.tsolve[key].filter((_: unknown, i: number) => i !== 1);
          near(await list(solution), X, 1e-14, `${key} solution`);
          expect(await list(clonedCoefficient)).toEqual(R.tsolve[key][1]);
          const [ga, gb] = await gradsOf(solution, [A, B]);
          near(ga, gA, 1e-13, `${key} dA`);
          near(gb, gB, 1e-13, `${key} dB`);
        }
      }
    }
    const [X] = torch.triangularSolve(torch.stack([f64(B0), f64(B0).mul(2)]), f64(A0));
    near(await list(X), R.tsolve.batch, 1e-14, 'batched');
    expect(() => torch.triangularSolve(torch.ones([3], D), f64(A0))).toThrow(R.tsolve.err[0]);
    expect(() => torch.triangularSolve(torch.ones([2, 1], D), f64(A0))).toThrow(R.tsolve.err[1]);
  });

  it("choleskySolve and choleskyInverse: PyTorch's values, gradients (L as a full matrix) and grad_fn names", async () => {
    const L0 = f64([[2, 0, 0], [0.5, 1.5, 0], [-1, 0.25, 3]]);
    for (const upper of [false, true]) {
      const [X, gL, gB, Ci, gC] = R.chol[String(+upper)];
      const L = (upper ? L0.t() : L0).contiguous().detach().requiresGrad_(), B = f64(B0).requiresGrad_();
      const x = torch.choleskySolve(B, L, { upper });
      near(await list(x), X, 1e-14, `cholesky_solve upper=${upper}`);
      near(await gradsOf(x, [L, B]), [gL, gB], 1e-13, `cholesky_solve upper=${upper} gradients`);
      const L2 = (upper ? L0.t() : L0).contiguous().detach().requiresGrad_();
      const c = torch.choleskyInverse(L2, { upper });
      near(await list(c), Ci, 1e-14, `cholesky_inverse upper=${upper}`);
      near((await gradsOf(c, [L2]))[0], gC, 1e-13, `cholesky_inverse upper=${upper} gradient`);
    }
    expect([torch.choleskySolve(f64(B0), L0.clone().requiresGrad_()).gradFn?.name, torch.choleskyInverse(L0.clone().requiresGrad_()).gradFn?.name]).toEqual(R.chol.gradfn);
  });

  it("lu, luUnpack, luSolve: PyTorch's factors, pivots (int32, 1-based), infos, permutations, solutions and gradients", async () => {
    const [LUw, pivw, pivdt, gMw, Pw, Lw, Uw, Xw, gbw, LUbw, pivbw, Pbw, infow, infodt] = R.lu;
    const M0 = [[1, 2, 3, 0.5], [4, -5, 6, 1], [7, 8, -9, 2], [0.5, 1, 2, 10]];
    const M = f64(M0).requiresGrad_();
    const [LU, piv] = torch.lu(M);
    near(await list(LU), LUw, 1e-14, 'LU');
    expect([await list(piv), `torch.${piv.dtype}`]).toEqual([pivw, pivdt]);
    near((await gradsOf(LU, [M]))[0], gMw, 1e-12, 'LU gradient');
    const [P, L, U] = torch.luUnpack(LU.detach(), piv);
    near([await list(P), await list(L), await list(U)], [Pw, Lw, Uw], 1e-14, 'lu_unpack');
    const b = f64([[1, 0], [2, 1], [-1, 3], [0.5, 0.5]]).requiresGrad_();
    const X = torch.luSolve(b, LU.detach(), piv);
    near(await list(X), Xw, 1e-13, 'lu_solve');
    near((await gradsOf(X, [b]))[0], gbw, 1e-13, 'lu_solve gradient');
    const Mb = torch.stack([f64(M0), torch.flip(f64(M0), [0])]);
    const [LUb, pivb, info] = torch.lu(Mb, { getInfos: true });
    near(await list(LUb), LUbw, 1e-14, 'batched LU');
    expect(await list(pivb)).toEqual(pivbw);
    expect([await list(info), `torch.${info.dtype}`]).toEqual([infow, infodt]);
    near(await list(torch.luUnpack(LUb, pivb)[0]), Pbw, 0, 'batched P');
    const [LUr, pr] = torch.lu(f64([[1, 2, 3], [4, 5, 6]]));
    const [Pr, Lr, Ur] = torch.luUnpack(LUr, pr);
    near([await list(LUr), await list(pr), await list(Pr), await list(Lr), await list(Ur)], R.lu_rect, 1e-15, 'rectangular LU');
    const [LUs, , infos] = torch.lu(f64([[1, 2], [2, 4]]), { getInfos: true });
    expect([await list(LUs), await infos.item()]).toEqual(R.lu_sing);
    // A = P L U; the gradient by finite differences (a well-conditioned matrix: the pivots do not change)
    near(await list(torch.matmul(P, torch.matmul(L, U))), M0, 1e-14, 'P L U = A');
    await gradcheck((a) => torch.lu(a.add(torch.eye(4, D).mul(torch.tensor([5, -6, 7, 8], D))))[0], [[4, 4]]);
    await gradcheck((bb, a) => torch.luSolve(bb, ...(torch.lu(a.add(torch.eye(3, D).mul(4))) as [torch.Tensor, torch.Tensor])), [[3, 2], [3, 3]]);
  });
});

describe('GPU', () => {
  it.skipIf(!available)('windows, histogram, gradient and logaddexp2 on the GPU equal the CPU', async () => {
    const g = { device: 'gpu' };
    for (const [a, b] of [
      [torch.hannWindow(9, g), torch.hannWindow(9)], [torch.blackmanWindow(8, false, g), torch.blackmanWindow(8, false)],
      [torch.bartlettWindow(7, g), torch.bartlettWindow(7)], [torch.kaiserWindow(6, g), torch.kaiserWindow(6)],
    ] as const) near(await list(a), await list(b), 2e-6, 'window');
    const x = f32([0.5, 1, 1.5, 2, 2, 3.25, 4, -1, 0.1, 2.9]);
    const hg = torch.histogram(x.to('gpu'), 5), hc = torch.histogram(x, 5);
    near([await list(hg.hist), await list(hg.binEdges)], [await list(hc.hist), await list(hc.binEdges)], 1e-6, 'histogram');
    const Y = f32([[1, 2, 4, 8], [3, 1, 0, 5], [2, 2, 7, -1]]);
    near(await Promise.all(torch.gradient(Y.to('gpu'), { edgeOrder: 2 }).map(list)), await Promise.all(torch.gradient(Y, { edgeOrder: 2 }).map(list)), 1e-6, 'gradient');
    near(await list(torch.logaddexp2(x.to('gpu'), x.to('gpu').mul(-1))), await list(torch.logaddexp2(x, x.mul(-1))), 1e-6, 'logaddexp2');
  });
});
