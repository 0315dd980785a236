// Where a cold run's time goes (a fresh process, the tour's loop at N, 200 epochs): opening the device, the
// main thread's loop body, pipeline builds on the GPU worker (each one, with its WGSL length), and the wait
// for the GPU at the end. Run on a GPU machine: scripts/device-check.sh runs it twice (the second time the
// driver's shader cache, if it keeps one, is warm).
import * as torch from '../src/index.ts';
import { largeLoop } from '../scenarios/large-loop.ts';
import type { GpuStats } from '../workers/gpu-worker.ts';
const stats = async () => (await torch._internals.gpuStats()) as GpuStats;
const n = Number(process.env.GPU_COLD_N ?? 10_000_000);
const ti = performance.now();
await torch.gpu.init();
const initMs = performance.now() - ti;
const s0 = await stats();
const t0 = performance.now();
const marks: number[] = [];
const r = await largeLoop({ n, epochs: 200, lr: 0.001, seed: 0, device: 'gpu' }, () => { marks.push(performance.now()); });
const s1 = await stats();
const body = marks[marks.length - 1] - t0;
const first = marks.slice(0, 5).map((m, i) => (m - (i ? marks[i - 1] : t0)).toFixed(1)).join(' ');
console.log(`n=${n} cold: device open ${initMs.toFixed(0)} ms; run ${(r.seconds * 1000).toFixed(1)} ms, main-thread loop body ${body.toFixed(1)} ms (first epochs ${first} ms); ` +
  `${s1.compiled - s0.compiled} pipelines built in ${(s1.compileMs - s0.compileMs).toFixed(1)} ms on the GPU worker: ` +
  s1.compileLog.slice(s0.compileLog.length).map((c) => `${c.ms.toFixed(1)} ms/${c.chars} chars`).join(', '));
await torch.shutdown();
