/**
 * The tour's large problem: a 10M-parameter linear model trained for 200 epochs, written exactly as the
 * tour writes it. How fast it runs is the engine's business (sharding, batching, buffer reuse).
 */
import * as torch from '../src/index.ts';
import { createHash } from 'node:crypto';

export interface LargeLoopOptions { n: number; epochs: number; lr: number; seed: number; device: 'cpu' | 'gpu' }
export interface LargeLoopResult {
  seconds: number; secondsPerEpoch: number; b: number; loss: number; wSha256: string; peakRssMB: number;
  /** When the last epoch's ops had been issued (the main thread's share of `seconds`, which also waits
   * for the device to finish and reads the loss back). */
  issuedSeconds: number;
  /** The process's peak RSS (its high-water mark, getrusage) when the first half of the epochs ended and
   * at the end: equal when the second half grew nothing. */
  peakRssFirstHalfMB: number; peakRssSecondHalfMB: number;
}

export async function largeLoop(o: LargeLoopOptions, onEpoch?: (i: number) => void | Promise<void>): Promise<LargeLoopResult> {
  const { n: N, epochs, lr: learningRate, device } = o;
  torch.manualSeed(o.seed);
  // Peak RSS from the kernel's high-water mark, read once in the loop: process.memoryUsage.rss() reads
  // /proc/self/stat, which waits for the memory-map lock the GPU driver's threads take. Measured here
  // (lavapipe, N = 10M): 1.1-3.6 ms per call in the loop (median), against ~30 us for getrusage; the loop
  // used to call it every 32 epochs.
  const maxRss = () => process.resourceUsage().maxRSS * 1024;
  let firstHalf = 0;
  let issuedSeconds = 0;
  const t0 = performance.now();

  const w = torch.rand([N], { requiresGrad: true, device });
  const b = torch.ones([1], { requiresGrad: true, device });
  let loss!: torch.Tensor;
  for (let i = 0; i < epochs; i++) {
    const x = torch.randn([N], { device });
    const y = torch.dot(torch.ones([N], { device }).mul(3), x).sub(2);
    const yHat = torch.dot(w, x).add(b);
    loss = torch.sum(yHat.sub(y).pow(2));
    await loss.backward();
    torch.noGrad(() => {
      w.sub_(w.grad!.mul(learningRate));
      b.sub_(b.grad!.mul(learningRate));
      w.grad!.zero_();
      b.grad!.zero_();
    });
    if (i === epochs - 1) issuedSeconds = (performance.now() - t0) / 1000;
    await onEpoch?.(i);
    if (i === Math.floor(epochs / 2) - 1) firstHalf = maxRss();
  }
  const lossV = (await loss.item()) as number;
  const bV = (await b.item()) as number;
  const seconds = (performance.now() - t0) / 1000;
  const peak = maxRss();
  const mb = (b: number) => Math.round(b / 2 ** 20);
  const wBytes = await w.detach().toTypedArray();
  const wSha256 = createHash('sha256').update(new Uint8Array(wBytes.buffer, wBytes.byteOffset, wBytes.byteLength)).digest('hex');
  return {
    seconds, secondsPerEpoch: seconds / epochs, issuedSeconds, b: bV, loss: lossV, wSha256,
    peakRssMB: mb(peak), peakRssFirstHalfMB: mb(firstHalf || peak), peakRssSecondHalfMB: mb(peak),
  };
}

// ───────────── the `large-loop` scenario (npm run scenario -- large-loop); largeLoop above is unchanged ─────────────

import { F, median, plural, type ScenarioContext, type ScenarioResult } from './scenario.ts';

export const name = 'large-loop';
export const description = "The tour's 10M-parameter loop (w·x+b, sum of squares, backward, SGD) for E epochs, as bench:large runs it";
export const flags = {
  n: F.n(10_000_000, 'parameters (elements of w and x)'),
  epochs: F.epochs(200),
  workers: F.workers(),
  device: F.device('cpu'),
  repeat: F.repeat(1),
  seed: F.seed(),
};
type Flags = typeof flags;

/** Host memory: about a dozen float32 vectors of N alive at once (w, its grad, x, temporaries, pooled buffers). */
export function estimateBytes(f: { n?: unknown }): number { return 12 * 4 * Number(f.n) + 256 * 2 ** 20; }
/** The largest GPU buffer: one float32 vector of N. */
export function estimateGpuBytes(f: { n?: unknown }): number { return 4 * Number(f.n); }

export async function run(ctx: ScenarioContext<Flags>): Promise<ScenarioResult> {
  const { n, epochs, workers, device, repeat, seed } = ctx.flags;
  const dev = device as 'cpu' | 'gpu';
  const started = await ctx.torch.init({ workers, gpu: dev === 'gpu' });
  const runs: LargeLoopResult[] = [];
  const bar = ctx.progress(`large-loop (${dev}${dev === 'cpu' ? `, ${workers} workers` : ''})`, epochs * repeat);
  try {
    for (let r = 0; r < repeat; r++) runs.push(await largeLoop({ n, epochs, lr: 0.001, seed, device: dev }, () => bar.tick()));
  } finally {
    bar.stop();
  }
  const secs = median(runs.map((r) => r.seconds));
  const last = runs[runs.length - 1];
  const sameW = runs.every((r) => r.wSha256 === runs[0].wSha256);
  const where = dev === 'gpu' ? `gpu (${started.gpu})` : `cpu, ${workers} worker${workers > 1 ? 's' : ''}`;
  return {
    tables: [{
      title: `large-loop: N=${n}, ${plural(epochs, 'epoch')}, lr 0.001, seed ${seed}; median of ${repeat} run${repeat > 1 ? 's' : ''}`,
      columns: [{ key: 'device' }, { key: 'seconds', digits: 3 }, { key: 'msPerEpoch', label: 'ms/epoch', digits: 2 }, { key: 'loss', label: 'final loss' },
        { key: 'b' }, { key: 'peakRssMB', label: 'peak RSS MB' }, { key: 'wSha', label: 'sha256(w)' }],
      rows: [{ device: where, seconds: secs, msPerEpoch: (secs / epochs) * 1000, loss: last.loss, b: last.b, peakRssMB: Math.max(...runs.map((r) => r.peakRssMB)), wSha: last.wSha256.slice(0, 16) }],
    }],
    notes: repeat > 1 ? [`w identical over the ${repeat} runs: ${sameW ? 'yes' : 'NO'}`] : [],
    data: { device: dev, gpu: started.gpu, workers, n, epochs, lr: 0.001, seed, seconds: secs, runs, identicalAcrossRuns: sameW },
  };
}
