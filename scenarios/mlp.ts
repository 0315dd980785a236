/**
 * mlp — a classifier trained with torch.nn and torch.optim, written as a PyTorch user writes it:
 * Sequential(Linear, ReLU, Linear, ReLU, Linear), cross entropy, Adam (or SGD with momentum), minibatches.
 * `--model cnn`: Sequential(Conv2d, ReLU, MaxPool2d, Conv2d, ReLU, MaxPool2d, Flatten, Linear) on 16×16
 * images instead.
 * The data and the initial weights are formulas (sines and cosines, in float64, then float32), so that
 * `--torch yes` trains the very same network on the very same data in PyTorch (scripts/torch-mlp.py) in
 * the same run: the losses should agree to float32 rounding, and the times compare the two engines.
 */
import { F, median, plural, runTorchScript, type ScenarioContext, type ScenarioResult } from './scenario.ts';

export const name = 'mlp';
export const description = 'A classifier (nn.Sequential: 3 linear layers, or --model cnn: 2 conv+pool blocks) trained on minibatches, ms per step; --torch yes trains the same net in PyTorch';
export const flags = {
  n: F.n(8192, 'training samples (32 features, or 16x16 images with --model cnn; 10 classes)'),
  model: F.choice(['mlp', 'cnn'], 'mlp', 'mlp: 32-H-H-10 linear layers; cnn: conv 1->8, pool, conv 8->H/8, pool, linear'),
  hidden: F.int(128, 8, 'hidden units per layer (cnn: 8 times the second conv\'s channels)', 65536),
  batch: F.int(128, 1, 'minibatch size'),
  epochs: F.epochs(4),
  optim: F.choice(['adam', 'sgd'], 'adam', 'Adam (lr 1e-3) or SGD (lr 0.05, momentum 0.9)'),
  device: F.device('cpu'),
  workers: F.workers(),
  torch: F.choice(['no', 'yes'], 'no', "also train it in PyTorch (Debian's python3-torch, /usr/bin/python3, threads = --workers), in this run"),
};
type Flags = typeof flags;

export const D = 32, C = 10, S = 16;
export function estimateBytes(f: { n?: unknown; hidden?: unknown; batch?: unknown }): number {
  const n = Number(f.n), h = Number(f.hidden), b = Number(f.batch);
  return 4 * (n * (D + 2) + 3 * (D * h + h * h + h * C) + 12 * b * Math.max(h, C)) + 256 * 2 ** 20;
}

/** The data: x[i][j] = sin(0.61 i + 1.37 j) · cos(0.23 i − 0.71 j) for j < d (d = 32, or 16·16 pixels for
 * the cnn); the class of x is the argmax of x·T, T[j][c] = sin(1.1 j + 2.3 c + 0.4). (scripts/torch-mlp.py
 * computes the same.) */
export function dataset(n: number, D = 32): { x: Float32Array; y: number[] } {
  const x = new Float32Array(n * D), y: number[] = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < D; j++) row.push(Math.sin(0.61 * i + 1.37 * j) * Math.cos(0.23 * i - 0.71 * j));
    row.forEach((v, j) => { x[i * D + j] = v; });
    let best = 0, bestV = -Infinity;
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let j = 0; j < D; j++) s += row[j] * Math.sin(1.1 * j + 2.3 * c + 0.4);
      if (s > bestV) { bestV = s; best = c; }
    }
    y.push(best);
  }
  return { x, y };
}
/** Layer k's weight [out, in] and bias [out]: ±1/√in times sin(0.37 o + 0.91 i + 0.1 k) and cos(0.5 o + 0.1 k). */
export function layerInit(k: number, out: number, inp: number): { w: Float32Array; b: Float32Array } {
  const bound = 1 / Math.sqrt(inp), w = new Float32Array(out * inp), b = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inp; i++) w[o * inp + i] = bound * Math.sin(0.37 * o + 0.91 * i + 0.1 * k);
    b[o] = bound * Math.cos(0.5 * o + 0.1 * k);
  }
  return { w, b };
}

interface TorchResult { torch: string; threads: number; msPerStep: number[]; epochLoss: number[]; loss: number; accuracy: number; seconds: number }
interface TrainResult { msPerStep: number[]; epochLoss: number[]; loss: number; accuracy: number; seconds: number }

async function train(ctx: ScenarioContext<Flags>, dev: 'cpu' | 'gpu'): Promise<TrainResult> {
  const { torch } = ctx;
  const { nn, optim } = torch;
  const { n, hidden, batch, epochs, model } = ctx.flags;
  const cnn = model === 'cnn';
  const data = dataset(n, cnn ? S * S : D);
  const X = torch.fromTypedArray(data.x).reshape(cnn ? [n, 1, S, S] : [n, D]).to(dev), Y = torch.tensor(data.y).to(dev);
  const c2 = hidden / 8;
  const net = cnn
    ? new nn.Sequential(new nn.Conv2d(1, 8, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(8, c2, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(c2 * (S / 4) ** 2, C))
    : new nn.Sequential(new nn.Linear(D, hidden), new nn.ReLU(), new nn.Linear(hidden, hidden), new nn.ReLU(), new nn.Linear(hidden, C));
  // Each weighted layer k: its weight as [out, in] (a conv's in: channels · kh · kw) from layerInit.
  const sd: Record<string, InstanceType<typeof torch.Tensor>> = {};
  net.namedParameters().filter(([name]) => name.endsWith('.weight')).forEach(([name, p], k) => {
    const o = p.shape[0], i = p.numel() / o, { w, b } = layerInit(k, o, i), prefix = name.slice(0, -'weight'.length);
    sd[`${prefix}weight`] = torch.fromTypedArray(w).reshape(p.shape);
    sd[`${prefix}bias`] = torch.fromTypedArray(b);
  });
  net.loadStateDict(sd);
  net.to(dev);
  const opt = ctx.flags.optim === 'adam' ? new optim.Adam(net.parameters(), { lr: 1e-3 }) : new optim.SGD(net.parameters(), { lr: 0.05, momentum: 0.9 });
  const steps = Math.ceil(n / batch);
  const bar = ctx.progress(`mlp (${dev})`, epochs * steps);
  const msPerStep: number[] = [], epochLoss: number[] = [];
  const t0 = performance.now();
  try {
    for (let e = 0; e < epochs; e++) {
      const te = performance.now();
      let last!: InstanceType<typeof torch.Tensor>;
      for (let s = 0; s < n; s += batch) {
        const len = Math.min(batch, n - s);
        last = await torch.scope(async () => {
          opt.zeroGrad();
          const loss = nn.functional.crossEntropy(net(X.narrow(0, s, len)), Y.narrow(0, s, len));
          await loss.backward();
          opt.step();
          return loss;
        });
        bar.tick();
      }
      epochLoss.push((await last.item()) as number); // (the epoch's last minibatch; the read waits for the device)
      msPerStep.push((performance.now() - te) / steps);
    }
  } finally {
    bar.stop();
  }
  const seconds = (performance.now() - t0) / 1000;
  const { loss, accuracy } = await torch.scope(async () => torch.noGrad(async () => {
    const logits = net(X);
    const l = (await nn.functional.crossEntropy(logits, Y).item()) as number;
    const acc = (await logits.argmax(1).eq(Y).float().mean().item()) as number;
    return { loss: l, accuracy: acc };
  }));
  return { msPerStep, epochLoss, loss, accuracy, seconds };
}

export async function run(ctx: ScenarioContext<Flags>): Promise<ScenarioResult> {
  const { torch } = ctx;
  const { n, hidden, batch, epochs, workers, device, model } = ctx.flags;
  if (model === 'cnn' && hidden % 8 !== 0) throw new Error(`--hidden must be a multiple of 8 with --model cnn (the second conv has hidden/8 channels), got ${hidden}`);
  const dev = device as 'cpu' | 'gpu';
  const started = await torch.init({ workers, gpu: dev === 'gpu' });
  const r = await train(ctx, dev);
  await torch.shutdown();
  const notes: string[] = [];
  // ms/step: the median over the epochs after the first (the first also compiles: JIT, GPU pipelines).
  const steady = (ms: number[]) => median(ms.length > 1 ? ms.slice(1) : ms);
  const where = dev === 'gpu' ? `troupe, gpu (${started.gpu})` : `troupe, cpu (${plural(workers, 'worker')})`;
  const rows: Array<Record<string, number | string | null>> = [{
    engine: where, msPerStep: steady(r.msPerStep), firstEpoch: r.msPerStep[0], seconds: r.seconds, loss: r.loss, accuracy: r.accuracy, epochLoss: r.epochLoss.map((v) => v.toFixed(4)).join(' '),
  }];
  let py: TorchResult | null = null;
  if (ctx.flags.torch === 'yes') {
    const res = runTorchScript<TorchResult>('torch-mlp.py', [n, hidden, batch, epochs, ctx.flags.optim, workers, model]);
    if ('error' in res) notes.push(`PyTorch: not run (${res.error})`);
    else {
      const p: TorchResult = res;
      py = p;
      rows.push({ engine: `PyTorch ${p.torch}, cpu (${plural(p.threads, 'thread')})`, msPerStep: steady(p.msPerStep), firstEpoch: p.msPerStep[0], seconds: p.seconds, loss: p.loss, accuracy: p.accuracy, epochLoss: p.epochLoss.map((v) => v.toFixed(4)).join(' ') });
      notes.push(`PyTorch / troupe, ms per step: ${(steady(p.msPerStep) / steady(r.msPerStep)).toFixed(2)}× (above 1: troupe is faster)`);
      const dl = Math.max(...r.epochLoss.map((v, i) => Math.abs(v - p.epochLoss[i])));
      notes.push(`same network, data and steps: the epoch losses differ by at most ${dl.toExponential(2)}`);
    }
  }
  notes.push(`${plural(Math.ceil(n / batch), 'step')} per epoch; ms/step: median over epochs 2..${epochs} (epoch 1 also compiles); loss and accuracy: the trained net on all ${n} samples`);
  return {
    tables: [{
      title: `${model === 'cnn' ? `cnn: ${S}x${S} images, conv 1->8, pool, conv 8->${hidden / 8}, pool, linear ->${C}` : `mlp: ${D}-${hidden}-${hidden}-${C} ReLU net`}, ${ctx.flags.optim}, ${n} samples, batch ${batch}, ${plural(epochs, 'epoch')}`,
      columns: [{ key: 'engine' }, { key: 'msPerStep', label: 'ms/step', digits: 3 }, { key: 'firstEpoch', label: 'epoch 1 ms/step', digits: 3 }, { key: 'seconds', digits: 2 },
        { key: 'loss', label: 'final loss', digits: 4 }, { key: 'accuracy', digits: 3 }, { key: 'epochLoss', label: 'loss at each epoch\'s end' }],
      rows,
    }],
    notes,
    data: { n, model, hidden, batch, epochs, optim: ctx.flags.optim, device: dev, workers, troupe: r, torch: py },
  };
}
