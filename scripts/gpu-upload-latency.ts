// The round trip of a small upload and read (torch.tensor(data, gpu), a sum, item()), the per-batch cost
// of moving a minibatch to the GPU: 3 × 50 rounds, percentiles per round; then the read alone
// (scripts/gpu-latency.ts's) for the difference.
import * as torch from '../src/index.ts';
await torch.gpu.init();
const data = Array.from({ length: 4096 }, (_, i) => i % 7);
const pct = (ts: number[]) => { ts.sort((x, y) => x - y); return `p10 ${ts[5].toFixed(3)} p50 ${ts[25].toFixed(3)} p90 ${ts[45].toFixed(3)}`; };
const a = torch.ones([1000], { device: 'gpu' });
for (let r = 0; r < 3; r++) {
  const up: number[] = [], rd: number[] = [];
  for (let i = 0; i < 50; i++) {
    let t = performance.now();
    await torch.tensor(data, { device: 'gpu' }).sum().item();
    up.push(performance.now() - t);
    t = performance.now();
    await torch.sum(a.mul(i)).item();
    rd.push(performance.now() - t);
  }
  console.log(`upload + read ms: ${pct(up)}; read alone ms: ${pct(rd)}`);
}
await torch.shutdown();
