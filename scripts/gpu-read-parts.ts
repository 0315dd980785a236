// Where a small GPU read's round trip goes (scripts/gpu-latency.ts: ~1.2 ms on an H200, where CUDA's
// .item() takes tens of µs). Dawn alone, on this thread, without troupe's worker, 50 times each:
//   - submit: an empty submission, then onSubmittedWorkDone;
//   - map fresh: a new MAP_READ buffer, a 4-byte copy, submit, mapAsync, read, unmap, destroy (what the
//     worker's read does);
//   - map reused: the same with one staging buffer kept;
//   - scopes: push/pop an error scope around a submission;
// each with dawn.node's own event polling, then with a setImmediate spinner running beside it (the worker
// spins on 4+ cores). Then troupe: a worker round trip with nothing to wait for (gpuStats) and item().
import { performance } from 'node:perf_hooks';
import { create, globals } from 'webgpu';
import * as torch from '../src/index.ts';
import { gpuStats } from '../src/runtime/gpu.ts';

Object.assign(globalThis, globals);
const gpu = create([]);
const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
if (!adapter) { console.log('no adapter'); process.exit(1); }
const d = await adapter.requestDevice();
const BU = GPUBufferUsage;
const src = d.createBuffer({ size: 256, usage: BU.STORAGE | BU.COPY_SRC | BU.COPY_DST });
const kept = d.createBuffer({ size: 4, usage: BU.MAP_READ | BU.COPY_DST });

const pct = (ts: number[]) => { ts.sort((a, b) => a - b); return `p10 ${ts[5].toFixed(3)} p50 ${ts[25].toFixed(3)} p90 ${ts[45].toFixed(3)} ms`; };
async function time(label: string, f: () => Promise<unknown>) {
  for (let i = 0; i < 5; i++) await f();
  const ts: number[] = [];
  for (let i = 0; i < 50; i++) { const t = performance.now(); await f(); ts.push(performance.now() - t); }
  console.log(`${label.padEnd(34)} ${pct(ts)}`);
}
const parts = async (tag: string) => {
  await time(`${tag} submit + workDone`, async () => { d.queue.submit([]); await d.queue.onSubmittedWorkDone(); });
  await time(`${tag} map fresh`, async () => {
    const rb = d.createBuffer({ size: 4, usage: BU.MAP_READ | BU.COPY_DST });
    const e = d.createCommandEncoder(); e.copyBufferToBuffer(src, 0, rb, 0, 4); d.queue.submit([e.finish()]);
    await rb.mapAsync(GPUMapMode.READ); new Uint32Array(rb.getMappedRange().slice(0)); rb.unmap(); rb.destroy();
  });
  await time(`${tag} map reused`, async () => {
    const e = d.createCommandEncoder(); e.copyBufferToBuffer(src, 0, kept, 0, 4); d.queue.submit([e.finish()]);
    await kept.mapAsync(GPUMapMode.READ); new Uint32Array(kept.getMappedRange().slice(0)); kept.unmap();
  });
  await time(`${tag} error scope around a submit`, async () => { d.pushErrorScope('validation'); d.queue.submit([]); await d.popErrorScope(); });
};
await parts('dawn:');
let spinning = true;
const spin = () => { if (spinning) setImmediate(spin); };
spin();
await parts('dawn + spinner:');
spinning = false;
d.destroy();

await torch.gpu.init();
const a = torch.ones([1000], { device: 'gpu' });
await torch.sum(a).item();
await time('troupe: worker round trip (stats)', () => gpuStats());
await time('troupe: sum(a·i).item()', () => torch.sum(a.mul(2)).item());
await torch.shutdown();
