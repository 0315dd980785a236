/**
 * torch.init / torch.shutdown: start and stop the actors behind the runtime (the CPU worker pool; the
 * GPU actor when asked for).
 */
import * as rt from './runtime/runtime.ts';
import { CpuPool, defaultWorkers, parseWorkers } from './runtime/pool.ts';
import { GARBAGE_MAX, GARBAGE_MIN, sharedMemoryStats, useSharedMemory } from './runtime/shared-memory.ts';
import { gcStats } from './runtime/gc.ts';
import { closeGpu, gpuInfo, gpuReason, gpuStats, noGpuMessage, openGpuExecutor } from './runtime/gpu.ts';

export interface InitOptions {
  /** CPU worker threads (default: TROUPE_WORKERS, else the machine's core count). 0 is not allowed. */
  workers?: number;
  /** Elements from which a CPU tensor is sharded across the workers (default 262144). */
  shardThreshold?: number;
  /** Also start the GPU actor (throws a clear error when no adapter is found). */
  gpu?: boolean;
}

let pool: CpuPool | null = null;

// Large CPU tensors live in the shared arena from the start (SIMD kernels in-process too); init() adds
// the workers that split them.
useSharedMemory();

export async function init(opts: InitOptions = {}): Promise<{ workers: number; gpu: string | null }> {
  const workers = opts.workers === undefined ? defaultWorkers() : parseWorkers(opts.workers);
  if (opts.shardThreshold !== undefined && (!Number.isInteger(opts.shardThreshold) || opts.shardThreshold < 1)) {
    throw new Error(`shardThreshold must be a positive integer, got ${opts.shardThreshold}`);
  }
  if (pool) await shutdown();
  const p = new CpuPool(workers, opts.shardThreshold);
  try {
    await p.ready();
  } catch (e) {
    await p.destroy().catch(() => {});
    throw new Error(`could not start ${workers} CPU workers: ${(e as Error).message}`);
  }
  pool = p;
  rt.addExecutor(p);
  let gpuName: string | null = null;
  if (opts.gpu) {
    const g = await openGpuExecutor();
    if (!g) throw new Error(noGpuMessage(gpuReason()));
    gpuName = g.gpu.name;
  }
  return { workers, gpu: gpuName };
}

/** Waits for queued work, then stops the workers; the process can exit by itself afterwards. */
export async function shutdown(): Promise<void> {
  const p = pool;
  pool = null;
  let err: unknown = null;
  try { await rt.sync(); } catch (e) { err = e; }
  if (p) {
    rt.removeExecutor(p);
    await p.destroy();
  }
  await closeGpu();
  if (err) throw err;
}

/** torch.gpu: the WebGPU device behind 'gpu' tensors (the tour's torch.cuda). Probing starts the actor. */
export const gpu = {
  /** Whether a WebGPU adapter can be opened (starts the GPU actor on first call). */
  async isAvailable(): Promise<boolean> { return (await openGpuExecutor()) !== null; },
  async deviceCount(): Promise<number> { return (await openGpuExecutor()) ? 1 : 0; },
  /** The adapter's description, e.g. 'NVIDIA H200' or 'llvmpipe (LLVM 19.1.7, 256 bits)'. */
  async getDeviceName(index = 0): Promise<string> {
    const g = await openGpuExecutor();
    if (!g || index !== 0) throw new Error(g ? `gpu device index ${index} out of range (1 device)` : noGpuMessage(gpuReason()));
    return g.gpu.name;
  },
  /** Starts the actor (or throws a clear error); same as init({ gpu: true }) without the CPU pool. */
  async init(): Promise<string> {
    const g = await openGpuExecutor();
    if (!g) throw new Error(noGpuMessage(gpuReason()));
    return g.gpu.name;
  },
  info: gpuInfo,
  close: closeGpu,
};

export interface MemoryStats {
  /** Shared CPU memory (the arena of tensors of at least 262144 elements, which workers and the SIMD
   * kernels reach): bytes in live tensors, bytes free for reuse, and its size (all 0 before the first). */
  sharedLiveBytes: number; sharedFreeBytes: number; sharedCapacityBytes: number;
  /** CPU tensors of at least this many elements live there (4096, or init's shardThreshold if lower);
   * ops on those of at least shardMinElements (init's shardThreshold, default 262144) are split across
   * the workers. */
  sharedMinElements: number; shardMinElements: number;
  /** Bytes of dead small (at most 8 MB) results the arena lets pile up before it forces a collection to
   * find them: 64 MB at first, doubled (up to the max, 256 MB) each time collections have cost what the
   * memory would. */
  garbageAllowanceBytes: number; garbageAllowanceMaxBytes: number;
  /** Garbage collections forced to find dead tensors (their memory is outside the JS heap, so V8 does
   * not collect for it), and the milliseconds they took. */
  forcedCollections: number; forcedCollectionMs: number;
}
/** Where CPU tensor memory stands, and what finding dead tensors has cost (torch.cuda.memory_stats's
 * counterpart for the shared CPU memory; torch._internals.gpuStats() has the GPU's). */
export function memoryStats(): MemoryStats {
  const s = sharedMemoryStats();
  return {
    sharedLiveBytes: s?.liveBytes ?? 0, sharedFreeBytes: s?.freeBytes ?? 0, sharedCapacityBytes: s?.capacityBytes ?? 0,
    sharedMinElements: rt.arenaThreshold, shardMinElements: rt.SHARD_THRESHOLD,
    garbageAllowanceBytes: s?.garbageAllowanceBytes ?? GARBAGE_MIN, garbageAllowanceMaxBytes: GARBAGE_MAX,
    forcedCollections: gcStats.count, forcedCollectionMs: gcStats.ms,
  };
}

/** Internals for tests and benchmarks. */
export { defaultWorkers, parseWorkers };
export const _internals = { get pool() { return pool; }, gpuStats };
