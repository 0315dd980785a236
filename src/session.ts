/**
 * torch.init / torch.shutdown: start and stop the actors behind the runtime (the CPU worker pool; the
 * GPU actor when asked for).
 */
import * as rt from './runtime/runtime.ts';
import { CpuPool, defaultWorkers, parseWorkers } from './runtime/pool.ts';

export interface InitOptions {
  /** CPU worker threads (default: TROUPE_WORKERS, else the machine's core count). 0 is not allowed. */
  workers?: number;
  /** Elements from which a CPU tensor is sharded across the workers (default 262144). */
  shardThreshold?: number;
  /** Also start the GPU actor (throws a clear error when no adapter is found). */
  gpu?: boolean;
}

let pool: CpuPool | null = null;

export async function init(opts: InitOptions = {}): Promise<{ workers: number }> {
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
  return { workers };
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
  if (err) throw err;
}

/** Internals for tests and benchmarks. */
export { defaultWorkers, parseWorkers };
export const _internals = { get pool() { return pool; } };
