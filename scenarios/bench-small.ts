/**
 * bench:small — the tour's 20-sample learning loop (randn, w·x+b, sum of squares, backward, noGrad SGD,
 * zero_ the grads), timed per step; plus 10M-element elementwise and reduction throughput.
 *
 *   npm run bench:small -- --steps 10000 [--json] [--throughput]
 */
import * as torch from '../src/index.ts';
import { parseArgs } from 'node:util';

function usage(msg: string): never {
  console.error(`${msg}\nusage: npm run bench:small -- [--steps N] [--json] [--throughput] [--n N]`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({ options: { steps: { type: 'string', default: '10000' }, json: { type: 'boolean', default: false }, throughput: { type: 'boolean', default: false }, n: { type: 'string', default: '10000000' } } }).values;
} catch (e) { usage((e as Error).message); }
const steps = Number(args.steps);
if (!Number.isInteger(steps) || steps <= 0) usage(`--steps must be a positive integer, got '${args.steps}'`);
const n = Number(args.n);
if (!Number.isInteger(n) || n <= 0) usage(`--n must be a positive integer, got '${args.n}'`);

async function loop(count: number, w: torch.Tensor, b: torch.Tensor) {
  const lr = 0.01;
  for (let i = 0; i < count; i++) {
    const x = torch.randn([20, 1]);
    const y = x.mul(3).sub(2);
    const yHat = w.mul(x).add(b);
    const loss = torch.sum(yHat.sub(y).pow(2));
    await loss.backward();
    torch.noGrad(() => {
      w.sub_(w.grad!.mul(lr));
      b.sub_(b.grad!.mul(lr));
      w.grad!.zero_();
      b.grad!.zero_();
    });
  }
}

torch.manualSeed(0);
const w = torch.tensor([1.0], { requiresGrad: true, dtype: 'float32' });
const b = torch.tensor([1.0], { requiresGrad: true, dtype: 'float32' });
await loop(Math.min(200, steps), w, b); // warm-up (JIT)
const t0 = process.hrtime.bigint();
await loop(steps, w, b);
const us = Number(process.hrtime.bigint() - t0) / 1e3 / steps;
const wv = (await w.item()) as number, bv = (await b.item()) as number;

const result: Record<string, number> = { steps, usPerStep: +us.toFixed(3), w: wv, b: bv };

if (args.throughput) {
  const a = torch.randn([n]), c = torch.randn([n]);
  const time = async (f: () => unknown, reps = 5) => {
    const ts: number[] = [];
    for (let r = 0; r < reps; r++) { const t = performance.now(); const o = f(); if (torch.isTensor(o)) await o.toTypedArray(); ts.push(performance.now() - t); }
    return ts.sort((x, y) => x - y)[Math.floor(reps / 2)];
  };
  const addMs = await time(() => a.add(c));
  const sumMs = await time(() => torch.sum(a));
  const randnMs = await time(() => torch.randn([n]));
  Object.assign(result, {
    n, addMs: +addMs.toFixed(2), addGBps: +((3 * 4 * n) / addMs / 1e6).toFixed(2),
    sumMs: +sumMs.toFixed(2), sumGBps: +((4 * n) / sumMs / 1e6).toFixed(2),
    randnMs: +randnMs.toFixed(2), randnMps: +(n / randnMs / 1e3).toFixed(1),
  });
}

if (args.json) console.log(JSON.stringify(result));
else {
  console.log(`20-sample learning loop: ${steps} steps, ${us.toFixed(2)} µs/step (PyTorch 1.13 here: ~150-170 µs/step)`);
  console.log(`final w=${wv.toFixed(4)} b=${bv.toFixed(4)} (target w=3, b=-2)`);
  if (args.throughput) {
    console.log(`${n} elements (median of 5): add ${result.addMs} ms (${result.addGBps} GB/s), sum ${result.sumMs} ms (${result.sumGBps} GB/s), randn ${result.randnMs} ms (${result.randnMps} M/s)`);
  }
}
