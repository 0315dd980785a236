/**
 * The GPU actor as a runtime executor: ops on GPU storages are forwarded, in stream order, to the client
 * of workers/gpu-worker.ts, which batches them into one submission per turn of the event loop.
 */
import type { DType, Op } from './protocol.ts';
import type { TypedArray } from '../dtype.ts';
import type { Executor, Storage } from './runtime.ts';
import { resetGpuTracking, setGpuExecutor, setNoGpuMessage, sync } from './runtime.ts';
import { tryOpenGpu, type GpuBackend } from '../backends/gpu/client.ts';
import { Fuser } from '../backends/gpu/fuser.ts';

/** Ops go through the fuser (src/backends/gpu/fuser.ts), which defers and fuses them into few kernels. */
class GpuExecutor implements Executor {
  readonly name = 'gpu';
  readonly fuser: Fuser;
  constructor(readonly gpu: GpuBackend) { this.fuser = new Fuser(gpu); }
  accepts(): boolean { return false; } // chosen by storage device, not by this test
  async run(ops: Op[]): Promise<void> { for (const op of ops) this.fuser.exec(op); }
  alloc(id: number, dtype: DType, n: number): void { this.fuser.alloc(id, dtype, n); }
  free(id: number): void { this.fuser.free(id); }
  upload(id: number, data: TypedArray): void { this.fuser.upload(id, data); }
  read(s: Storage): Promise<TypedArray> { return this.fuser.read(s.id); }
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
    resetGpuTracking();
    await ex.gpu.shutdown();
  }
}
