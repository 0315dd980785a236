// Where the GPU loop's wall time goes on the main thread: the loop body (ops issued, no waiting for the
// GPU) vs the total (until the final read returns), forced collections, and per-epoch gaps.
// Run with --cpu-prof to get a profile of the main thread (scripts/device-check.sh profile does).
import { performance } from 'node:perf_hooks';
import * as torch from '../src/index.ts';
import { largeLoop } from '../scenarios/large-loop.ts';
import { gcStats } from '../src/runtime/gc.ts';
await torch.gpu.init();
for (const n of [1000, 10_000_000]) {
  for (let rep = 0; rep < 3; rep++) {
    const gaps: number[] = [];
    let last = 0, tLoop = 0;
    const g0 = { ...gcStats };
    let elu = performance.eventLoopUtilization();
    const t0 = performance.now();
    last = t0;
    const r = await largeLoop({ n, epochs: 200, lr: 1e-9, seed: 0, device: 'gpu' }, (i) => {
      const now = performance.now(); gaps.push(now - last); last = now; if (i === 199) { tLoop = now - t0; elu = performance.eventLoopUtilization(elu); }
    });
    gaps.sort((a, b) => a - b);
    const q = (p: number) => gaps[Math.floor(p * (gaps.length - 1))].toFixed(3);
    console.log(`n=${n} rep ${rep}: total ${(r.seconds * 1000).toFixed(1)} ms, loop body ${tLoop.toFixed(1)} ms; epoch gap ms p50 ${q(0.5)} p90 ${q(0.9)} max ${q(1)}; forced GCs ${gcStats.count - g0.count} (${(gcStats.ms - g0.ms).toFixed(1)} ms); main thread busy ${(elu.utilization * 100).toFixed(0)}% of the loop body`);
  }
}
await torch.shutdown();
