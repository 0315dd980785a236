// The round trip of one small GPU read (an op, a reduction, item()): what a loop that reads a scalar
// every step pays at least. 3 × 50 reads; percentiles per batch.
import * as torch from '../src/index.ts';
await torch.gpu.init();
const a = torch.ones([1000], { device: 'gpu' });
for (let r = 0; r < 3; r++) {
  const ts: number[] = [];
  for (let i = 0; i < 50; i++) { const t = performance.now(); await torch.sum(a.mul(i)).item(); ts.push(performance.now() - t); }
  ts.sort((x, y) => x - y);
  console.log(`read round trip ms: p10 ${ts[5].toFixed(3)} p50 ${ts[25].toFixed(3)} p90 ${ts[45].toFixed(3)}`);
}
await torch.shutdown();
