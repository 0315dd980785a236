/**
 * A CPU worker thread of the piscina pool: runs a group's steps on one element range of tensors that live
 * in SharedArrayBuffers. Messages carry only the encoded steps, buffer handles, the range and scalars.
 */
import { Unpackr } from 'msgpackr';
import { threadId, workerData } from 'node:worker_threads';
import type { DType } from '../src/runtime/protocol.ts';
import { ARRAY_OF, type TypedArray } from '../src/dtype.ts';
import { runSteps, type Step } from '../src/backends/cpu/steps.ts';
import { enableFastPath, fastPathEnabled } from '../src/backends/cpu/kernels.ts';

// SIMD kernels run in place on the arena memory shared with the coordinator.
enableFastPath((workerData as { memory?: WebAssembly.Memory } | undefined)?.memory ?? null);

const unpackr = new Unpackr({ moreTypes: true, structuredClone: false });

interface Task {
  ping?: boolean;
  steps: Uint8Array;
  bufs: Array<[number, DType, ArrayBufferLike, number, number]>;
  partials: SharedArrayBuffer | null;
  s: number;
  e: number;
  tiled: boolean;
  who: SharedArrayBuffer;
  slot: number;
}

export default function run(t: Task): { thread: number; ms: number; fast: boolean } {
  const t0 = performance.now();
  if (t.ping) return { thread: threadId, ms: 0, fast: fastPathEnabled() };
  Atomics.store(new Int32Array(t.who), t.slot, threadId);
  const steps = unpackr.unpack(t.steps) as Step[];
  const arrays = new Map<number, TypedArray>();
  for (const [id, dtype, buf, off, len] of t.bufs) arrays.set(id, new ARRAY_OF[dtype](buf, off, len));
  const R = (id: number) => {
    const a = arrays.get(id);
    if (!a) throw new Error(`buffer ${id} was not sent to the worker`);
    return a;
  };
  runSteps(steps, R, t.s, t.e, t.partials ? new Float64Array(t.partials) : null, t.tiled);
  return { thread: threadId, ms: performance.now() - t0, fast: fastPathEnabled() };
}
