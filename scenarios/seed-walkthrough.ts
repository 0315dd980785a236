/**
 * The PyTorch tour, cell by cell, printed as PyTorch prints it. Random values differ from the tour's
 * (troupe's generator is Philox, not PyTorch's Mersenne Twister); everything else matches.
 */
import * as torch from '../src/index.ts';

export const name = 'seed-walkthrough';
export const description = 'The PyTorch tour, section by section, printed as PyTorch would print it';
/** The runner's flags this scenario uses: none (it is the tour, at the tour's sizes). */
export const flags = {};

const out: string[] = [];
/** Python's repr of a float (what `print(w.item())` shows): 1.0, 2.2244343757629395, 1e-05. */
function pyFloat(v: number | boolean): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e16 || a < 1e-4)) {
    const [m, e] = v.toExponential().split('e');
    const ex = Number(e);
    return `${m}e${ex < 0 ? '-' : '+'}${String(Math.abs(ex)).padStart(2, '0')}`;
  }
  const s = String(v);
  return Number.isInteger(v) ? `${s}.0` : s;
}
async function p(...xs: unknown[]) {
  const parts = await Promise.all(xs.map((x) => (torch.isTensor(x) ? torch.format(x) : String(x))));
  const line = parts.join(' ');
  out.push(line);
  console.log(line);
}
const section = (s: string) => { console.log(`\n### ${s}\n`); };

export async function run(): Promise<string[]> {
  torch.manualSeed(0);
  section('Initialise tensors');
  let x = torch.ones(3, 2);
  await p(x);
  x = torch.zeros(3, 2);
  await p(x);
  x = torch.rand(3, 2);
  await p(x);
  x = torch.empty(3, 2);
  await p(x);
  let y = torch.zerosLike(x);
  await p(y);
  x = torch.linspace(0, 1, { steps: 5 });
  await p(x);
  x = torch.tensor([[1, 2], [3, 4], [5, 6]]);
  await p(x);

  section('Slicing tensors');
  await p(x.size());
  await p(x.index(':', 1));
  await p(x.index(0, ':'));
  y = x.index(1, 1);
  await p(y);
  await p(await y.item());

  section('Reshaping tensors');
  await p(x);
  y = x.view(2, 3);
  await p(y);
  y = x.view(6, -1);
  await p(y);

  section('Simple Tensor Operations');
  x = torch.ones([3, 2]);
  y = torch.ones([3, 2]);
  let z = x.add(y);
  await p(z);
  z = x.sub(y);
  await p(z);
  z = x.mul(y);
  await p(z);
  z = y.add(x);
  await p(z);
  await p(y);
  z = y.add_(x);
  await p(z);
  await p(y);

  section('Typed arrays (NumPy in the tour)');
  const xArr = await x.toTypedArray();
  await p(`${x.constructor.name} ${xArr.constructor.name}`);
  await p(`[${Array.from(xArr).join(', ')}]`);
  const a = new Float64Array([-0.22648217, 2.33063636, -2.35281499, 1.52592661, 0.05184195]);
  await p(`[${Array.from(a).join(', ')}]`);
  const aPt = torch.fromTypedArray(a);
  await p(`${a.constructor.name} ${aPt.constructor.name}`);
  await p(aPt);
  for (let i = 0; i < a.length; i++) a[i] += 1; // np.add(a, 1, out=a)
  await p(`[${Array.from(a).join(', ')}]`);
  await p(aPt);

  section('Speed (see `npm run scenario -- speed-cpu`)');
  let t0 = performance.now();
  for (let i = 0; i < 100; i++) {
    const a1 = torch.randn([100, 100]);
    const b1 = torch.randn([100, 100]);
    torch.matmul(a1, b1);
  }
  await p(`100 x (randn 100x100, randn 100x100, matmul): ${(performance.now() - t0).toFixed(1)} ms`);

  section('Autodiff');
  x = torch.ones([3, 2], { requiresGrad: true });
  await p(x);
  y = x.add(5);
  await p(y);
  z = y.mul(y).add(1);
  await p(z);
  let t = torch.sum(z);
  await p(t);
  await t.backward();
  await p(x.grad);

  x = torch.ones([3, 2], { requiresGrad: true });
  y = x.add(5);
  let r = torch.div(1, torch.exp(y.neg()).add(1));
  await p(r);
  const s = torch.sum(r);
  await s.backward();
  await p(x.grad);

  x = torch.ones([3, 2], { requiresGrad: true });
  y = x.add(5);
  r = torch.div(1, torch.exp(y.neg()).add(1));
  const ga = torch.ones([3, 2]);
  await r.backward(ga);
  await p(x.grad);

  section('Autodiff example that looks like what we usually do in Deep Learning');
  x = torch.randn([20, 1], { requiresGrad: true });
  y = x.mul(3).sub(2);
  let w = torch.tensor([1.0], { requiresGrad: true, dtype: 'float32' });
  let b = torch.tensor([1.0], { requiresGrad: true, dtype: 'float32' });
  let yHat = w.mul(x).add(b);
  let loss = torch.sum(yHat.sub(y).pow(2));
  await p(loss);
  await loss.backward();
  await p(w.grad, b.grad);

  section('Do it in a loop');
  const learningRate = 0.01;
  w = torch.tensor([1.0], { requiresGrad: true, dtype: 'float32' });
  b = torch.tensor([1.0], { requiresGrad: true, dtype: 'float32' });
  await p(pyFloat(await w.item()), pyFloat(await b.item()));
  for (let i = 0; i < 10; i++) {
    x = torch.randn([20, 1]);
    y = x.mul(3).sub(2);
    yHat = w.mul(x).add(b);
    loss = torch.sum(yHat.sub(y).pow(2));
    await loss.backward();
    torch.noGrad(() => {
      w.sub_(w.grad!.mul(learningRate));
      b.sub_(b.grad!.mul(learningRate));
      w.grad!.zero_();
      b.grad!.zero_();
    });
    await p(pyFloat(await w.item()), pyFloat(await b.item()));
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
}
