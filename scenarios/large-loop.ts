/**
 * The tour's large problem: a 10M-parameter linear model trained for 200 epochs, written exactly as the
 * tour writes it. How fast it runs is the engine's business (sharding, batching, buffer reuse).
 */
import * as torch from '../src/index.ts';
import { createHash } from 'node:crypto';

export interface LargeLoopOptions { n: number; epochs: number; lr: number; seed: number; device: 'cpu' | 'gpu' }
export interface LargeLoopResult { seconds: number; secondsPerEpoch: number; b: number; loss: number; wSha256: string; peakRssMB: number }

export async function largeLoop(o: LargeLoopOptions, onEpoch?: (i: number) => void): Promise<LargeLoopResult> {
  const { n: N, epochs, lr: learningRate, device } = o;
  torch.manualSeed(o.seed);
  let peak = process.memoryUsage().rss;
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
    onEpoch?.(i);
    if ((i & 7) === 7) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const lossV = (await loss.item()) as number;
  const bV = (await b.item()) as number;
  const seconds = (performance.now() - t0) / 1000;
  peak = Math.max(peak, process.memoryUsage().rss);
  const wBytes = await w.detach().toTypedArray();
  const wSha256 = createHash('sha256').update(new Uint8Array(wBytes.buffer, wBytes.byteOffset, wBytes.byteLength)).digest('hex');
  return { seconds, secondsPerEpoch: seconds / epochs, b: bV, loss: lossV, wSha256, peakRssMB: Math.round(peak / 2 ** 20) };
}
