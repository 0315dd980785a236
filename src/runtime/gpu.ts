/**
 * The GPU actor as a runtime executor: ops on GPU storages are forwarded, in stream order, to the client
 * of workers/gpu-worker.ts, which batches them into one submission per turn of the event loop.
 */
import type { DType, Op } from './protocol.ts';
import type { TypedArray } from '../dtype.ts';
import type { Executor, Storage } from './runtime.ts';
import { resetGpuPressure, setGpuExecutor, setNoGpuMessage, sync } from './runtime.ts';
import { tryOpenGpu, type GpuBackend } from '../backends/gpu/client.ts';
import { Fuser, type StHandle } from '../backends/gpu/fuser.ts';
import { collect, makeRegistry } from './gc.ts';

/** Ops go through the fuser (src/backends/gpu/fuser.ts), which defers and fuses them into few kernels. */
class GpuExecutor implements Executor {
  readonly name = 'gpu';
  readonly fuser: Fuser;
  constructor(readonly gpu: GpuBackend) { this.fuser = new Fuser(gpu, makeRegistry, collect); }
  accepts(): boolean { return false; } // chosen by storage device, not by this test
  async run(ops: Op[], storages: Storage[][]): Promise<void> { for (let i = 0; i < ops.length; i++) this.fuser.exec(ops[i], storages[i]); }
  runNow(op: Op, storages: Storage[]): void { this.fuser.exec(op, storages); }
  alloc(id: number, dtype: DType, n: number): unknown { return this.fuser.alloc(id, dtype, n); }
  free(id: number, handle?: unknown): void { if (handle) this.fuser.free(handle as StHandle); }
  upload(s: Storage, data: TypedArray): void { this.fuser.upload(s.handle as StHandle, data); }
  read(s: Storage): Promise<TypedArray> { return this.fuser.read(s.handle as StHandle); }
  residentBytes(): number { return this.fuser.residentBytes; }
}

let current: GpuExecutor | null = null;
let probe: Promise<GpuExecutor | null> | null = null;
let reason: string | null = null;

/** The one explanation users get when a GPU is asked for and none can be opened. */
export const noGpuMessage = (why: string | null) =>
  `no GPU adapter: ${why ?? 'unknown reason'}. GPU tensors need a Vulkan driver (NVIDIA's, or Mesa's lavapipe: run \`npm run setup:gpu\`); check torch.gpu.isAvailable()`;

/** Starts the GPU actor once; later calls return the same one (or null with the same reason). */
export function openGpuExecutor(): Promise<GpuExecutor | null> {
  probe ??= (async () => {
    const r = await tryOpenGpu();
    if (!r.gpu) {
      reason = r.reason;
      setNoGpuMessage(noGpuMessage(r.reason));
      return null;
    }
    current = new GpuExecutor(r.gpu);
    setGpuExecutor(current);
    return current;
  })();
  return probe;
}

/** Installs a given backend as the GPU actor (tests and profiling use a recording stand-in). */
export function useGpuBackend(gpu: GpuBackend): void {
  current = new GpuExecutor(gpu);
  probe = Promise.resolve(current);
  setGpuExecutor(current);
}

export function gpuReason(): string | null { return reason; }
export async function gpuStats() {
  if (!current) throw new Error('no GPU actor running');
  await sync();
  return current.fuser.stats();
}
export function gpuInfo(): { name: string; limits: Record<string, number> } | null {
  return current ? { name: current.gpu.name, limits: current.gpu.limits } : null;
}

export async function closeGpu(): Promise<void> {
  const ex = current;
  current = null;
  probe = null;
  if (!ex) return;
  try { await sync(); } finally {
    setGpuExecutor(null);
    resetGpuPressure();
    try { ex.fuser.close(); } finally { await ex.gpu.shutdown(); }
  }
}
