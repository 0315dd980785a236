// The mlp scenario's CNN (conv 1->8, pool, conv 8->16, pool, linear; Adam, batch 64) trained on the CPU,
// ms per step after one warm-up epoch; OFF=1 turns the CPU convolution kernel and the fused Adam step off
// (the composition they replace), for A/B runs in one session:
//   for i in 1 2 3; do OFF=1 npx tsx scripts/cnn-step.ts; npx tsx scripts/cnn-step.ts; done
// W: CPU workers (default 2). Measured here (2 cores, alternating): off 23.1 / 17.0 / 17.1, on 6.1 / 5.0 / 7.8 ms.
import * as torch from '../src/index.ts';
import { dataset, layerInit, S, C } from '../scenarios/mlp.ts';
const { nn, optim } = torch;
const W = Number(process.env.W ?? 2);
if (process.env.OFF) { (await import('../src/backends/cpu/conv.ts')).disableConvKernel(true); (await import('../src/backends/cpu/adam.ts')).disableAdamKernel(true); }
await torch.init({ workers: W });
const n = 4096, batch = 64;
const data = dataset(n, S * S);
const X = torch.fromTypedArray(data.x).reshape([n, 1, S, S]), Y = torch.tensor(data.y);
const net = new nn.Sequential(new nn.Conv2d(1, 8, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(8, 16, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(16 * 16, C));
const opt = new optim.Adam(net.parameters(), { lr: 1e-3 });
const step = async (s: number) => torch.scope(async () => {
  opt.zeroGrad();
  const loss = nn.functional.crossEntropy(net(X.narrow(0, s, batch)), Y.narrow(0, s, batch));
  await loss.backward();
  opt.step();
  return loss;
});
for (let s = 0; s < n; s += batch) await step(s);
const t0 = performance.now();
let last;
for (let e = 0; e < 2; e++) for (let s = 0; s < n; s += batch) last = await step(s);
await last!.item();
console.log(`ms/step ${((performance.now() - t0) / (2 * n / batch)).toFixed(2)}`);
await torch.shutdown();
