import { afterAll } from 'vitest';
import * as torch from '../src/index.ts';

/**
 * Opens the GPU for a test file: whether an adapter exists. Without one the file's GPU tests skip with one
 * line, except under CI=true, where that is a failure. Shuts the GPU down after the file.
 *
 * composite: the file's GPU checks are of ops composed in the frontend from primitives whose own GPU
 * tests run everywhere (losses, linalg, layers, …). Each compiles dozens of kernels, ~20-50 s apiece on
 * lavapipe with a cold shader cache (a clean CI machine's), so they run only with TROUPE_GPU_TESTS=all
 * (scripts/device-check.sh sets it on the NVIDIA machine), and skip with one line otherwise.
 */
export async function gpuForTests(what: string, o: { composite?: boolean } = {}): Promise<boolean> {
  if (o.composite && process.env.TROUPE_GPU_TESTS !== 'all') {
    console.log(`${what}: GPU checks of composite ops skipped (TROUPE_GPU_TESTS=all runs them)`);
    return false;
  }
  const CI = process.env.CI === 'true' || process.env.CI === '1';
  const available = await torch.gpu.isAvailable();
  if (!available) {
    if (CI) throw new Error(`CI: no WebGPU adapter for the ${what} tests`);
    console.log(`${what}: skipped, no WebGPU adapter (run \`npm run setup:gpu\`)`);
  }
  afterAll(async () => { await torch.shutdown(); });
  return available;
}

/** Gradients by backward() against central finite differences, in float64. */
export async function gradcheck(f: (...xs: torch.Tensor[]) => torch.Tensor, shapes: number[][], opts: { eps?: number; tol?: number; positive?: boolean; seed?: number } = {}) {
  const eps = opts.eps ?? 1e-6, tol = opts.tol ?? 1e-5;
  torch.manualSeed(opts.seed ?? 1);
  const xs = shapes.map((s) => {
    let t = torch.randn(s, { dtype: 'float64' });
    if (opts.positive) t = torch.abs(t).add(0.5);
    return t.detach().requiresGrad_(true);
  });
  // A fixed random projection turns any output into a scalar.
  const out0 = f(...xs);
  const proj = torch.randn(out0.shape, { dtype: 'float64' });
  const scalar = (...ys: torch.Tensor[]) => torch.sum(f(...ys).mul(proj));
  const l = scalar(...xs);
  await l.backward();
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k];
    const data = (await x.toTypedArray()) as Float64Array;
    const analytic = x.grad ? Array.from((await x.grad.toTypedArray()) as Float64Array) : new Array(data.length).fill(0);
    for (let i = 0; i < data.length; i++) {
      const orig = data[i];
      data[i] = orig + eps;
      const up = (await torch.noGrad(() => scalar(...xs)).item()) as number;
      data[i] = orig - eps;
      const down = (await torch.noGrad(() => scalar(...xs)).item()) as number;
      data[i] = orig;
      const numeric = (up - down) / (2 * eps);
      const err = Math.abs(numeric - analytic[i]) / Math.max(1, Math.abs(numeric));
      if (!(err < tol)) throw new Error(`gradient mismatch for input ${k} element ${i}: analytic ${analytic[i]}, numeric ${numeric}`);
    }
  }
}

export async function values(t: torch.Tensor): Promise<number[]> {
  return Array.from(await t.contiguous().toTypedArray());
}

/**
 * Second derivatives by createGraph against finite differences of first derivatives: with L = sum(f(xs)·proj)
 * and G(xs) = Σᵢ ⟨∂L/∂xᵢ, vᵢ⟩ (first derivatives only), ∂G/∂xs from a createGraph grad then a grad of G
 * must equal G's central differences. float64.
 */
export async function gradgradcheck(f: (...xs: torch.Tensor[]) => torch.Tensor, shapes: number[][], o: { positive?: boolean; tol?: number; seed?: number } = {}) {
  const eps = 1e-6, tol = o.tol ?? 1e-5, D = { dtype: 'float64' } as const;
  torch.manualSeed(o.seed ?? 3);
  const xs = shapes.map((s) => {
    let t = torch.randn(s, D);
    if (o.positive) t = t.abs().add(0.5);
    return t.detach().requiresGrad_();
  });
  const proj = torch.randn(f(...xs).shape, D);
  const vs = shapes.map((s) => torch.randn(s, D));
  const G = async (create: boolean) => {
    const gs = await torch.autograd.grad(torch.sum(f(...xs).mul(proj)), xs, { createGraph: create, allowUnused: true });
    return gs.reduce<torch.Tensor>((acc, g, i) => (g ? acc.add(g.mul(vs[i]).sum()) : acc), torch.zeros([], D));
  };
  const g2 = await torch.autograd.grad(await G(true), xs, { allowUnused: true });
  for (let k = 0; k < xs.length; k++) {
    const data = (await xs[k].toTypedArray()) as Float64Array;
    const analytic = g2[k] ? await values(g2[k]!) : new Array(data.length).fill(0);
    for (let i = 0; i < data.length; i++) {
      const orig = data[i];
      data[i] = orig + eps;
      const up = (await (await G(false)).item()) as number;
      data[i] = orig - eps;
      const down = (await (await G(false)).item()) as number;
      data[i] = orig;
      const numeric = (up - down) / (2 * eps);
      const err = Math.abs(numeric - analytic[i]) / Math.max(1, Math.abs(numeric));
      if (!(err < tol)) throw new Error(`second derivative mismatch for input ${k} element ${i}: analytic ${analytic[i]}, numeric ${numeric}`);
    }
  }
}
