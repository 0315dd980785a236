// Where the time of the GPU loop goes: worker-side encoding vs waiting (run on a GPU machine).
// GPU time per epoch comes from timestamp queries (TROUPE_GPU_TIMESTAMPS=1, set here): each batch's passes
// are timed on the GPU clock, which adds a small readback per batch.
import * as torch from '../src/index.ts';
process.env.TROUPE_GPU_TIMESTAMPS ??= '1';
import { largeLoop } from '../scenarios/large-loop.ts';
await torch.gpu.init();
for (const n of (process.env.GPU_OVERHEAD_N ?? "1000,10000000").split(",").map(Number)) {
  const c0 = await torch._internals.gpuStats() as unknown as Record<string, number>;
  const tc = performance.now();
  await largeLoop({ n, epochs: 20, lr: 1e-9, seed: 0, device: 'gpu' });
  const firstMs = performance.now() - tc;
  const s0 = await torch._internals.gpuStats() as unknown as Record<string, number>;
  const t = performance.now();
  await largeLoop({ n, epochs: 200, lr: 1e-9, seed: 0, device: 'gpu' });
  const s1 = await torch._internals.gpuStats() as unknown as Record<string, number>;
  console.log(`n=${n} first 20 epochs ${firstMs.toFixed(0)} ms incl. ${s0.compiled - c0.compiled} pipelines built in ${(s0.compileMs - c0.compileMs).toFixed(1)} ms; later builds ${s1.compiled - s0.compiled}`);
  const gpuMs = (s1.gpuNs - s0.gpuNs) / 1e6, spanMs = (s1.gpuLastNs - s0.gpuLastNs) / 1e6;
  if (s1.gpuPasses > s0.gpuPasses) console.log(`n=${n} GPU: ${(gpuMs / 200).toFixed(3)} ms/epoch in ${((s1.gpuPasses - s0.gpuPasses) / 200).toFixed(2)} passes/epoch; busy ${gpuMs.toFixed(1)} ms of the ${spanMs.toFixed(1)} ms between the two runs' last passes`);
  else console.log(`n=${n} GPU: no timestamps (the adapter has no 'timestamp-query')`);
  console.log(`n=${n} ${(performance.now() - t).toFixed(0)} ms; per epoch: ${((s1.dispatches - s0.dispatches) / 200).toFixed(1)} dispatches, ${((s1.submits - s0.submits) / 200).toFixed(2)} submits, encode ${((s1.encodeMs - s0.encodeMs) / 200).toFixed(3)} ms (plan ${((s1.planMs - s0.planMs) / 200).toFixed(3)}, pass ${((s1.passMs - s0.passMs) / 200).toFixed(3)}, submit ${((s1.submitMs - s0.submitMs) / 200).toFixed(3)}; worker busy ${((s1.activeMs - s0.activeMs) / 200).toFixed(3)} ms), buffers created ${((s1.created - s0.created) / 200).toFixed(2)}; pool ${s1.pooledBuffers} bufs ${(s1.pooledBytes / 2 ** 20).toFixed(0)} MiB, live ${s1.buffers} bufs ${(s1.bytes / 2 ** 20).toFixed(0)} MiB`);
}
await torch.shutdown();
