/**
 * Where large CPU tensors live: one shared WebAssembly.Memory (the arena) that the coordinator's and the
 * workers' SIMD kernels reach without copying, with plain SharedArrayBuffers as the fallback once its
 * 4 GiB are used. Installed for the whole process on first use, with or without a worker pool.
 */
import type { DType } from './protocol.ts';
import { DTYPE_BYTES } from './protocol.ts';
import { ARRAY_OF, type TypedArray } from '../dtype.ts';
import type { Storage } from './runtime.ts';
import { configureSharing } from './runtime.ts';
import { Arena } from '../backends/cpu/arena.ts';
import { enableFastPath } from '../backends/cpu/kernels.ts';
import { WeakTracker } from './gc.ts';

/**
 * Shared memory for large tensors, recycled. Tensors live in one shared WebAssembly.Memory (the arena)
 * so the workers' SIMD kernels reach them without copying; plain SharedArrayBuffers are the fallback once
 * its 4 GiB are used. Fresh memory costs a page fault per 4 KiB on first touch (over 100 ms for 40 MB
 * here), so the memory of dead tensors is reused: a block is free when its Storage has been collected;
 * before the arena grows, a collection (a few ms: the JS heap is small, tensor data lives outside it)
 * finds the temporaries of earlier steps.
 */
/** Allocations of at most SMALL_BLOCK bytes take fresh arena memory rather than collect until GARBAGE_MIN
 * bytes were allocated since the last collection. */
const SMALL_BLOCK = 8 << 20, GARBAGE_MIN = 64 << 20;
/** Arena bytes set aside for the main thread's kernels (kernels.ts KernelScratch). */
const KERNEL_SCRATCH = 1 << 20;

export class SharedBuffers {
  readonly arena = new Arena({ initialBytes: 64 << 20 });
  private plainFree = new Map<number, SharedArrayBuffer[]>();
  private backoff = 0;
  private nextBackoff = 1;
  private readonly tracker = new WeakTracker<{ off: number; sab: SharedArrayBuffer | null }>((k) => this.release(k));

  /** Bytes allocated since the last collection. */
  private sinceCollect = 0;

  alloc(dtype: DType, n: number): TypedArray {
    const bytes = Math.max(8, n * DTYPE_BYTES[dtype]);
    this.sinceCollect += bytes;
    if (this.arena.stats().freeBytes < bytes && (bytes > SMALL_BLOCK || this.sinceCollect > GARBAGE_MIN)) {
      // No freed block fits. Growing the arena touches fresh pages (~125 ms per 40 MB here, against
      // ~5-10 ms for a collection), so collect first. Except for tensors of at most 8 MB until 64 MB
      // were allocated since the last collection: a loop of 4 MB tensors collected every 2-3 ops (a
      // 1000x1000 broadcast add: 9.6 ms per op, 2.9 of them collecting; now 7.0), while letting
      // the 10M loop's 40 MB tensors take fresh memory made it slower (60 -> 68 ms per epoch, peak RSS
      // 500 -> 575 MB). Back off while collections find nothing (the program really is holding more
      // memory).
      if (this.backoff > 0) this.backoff--;
      else {
        this.sinceCollect = 0;
        this.tracker.beforeAlloc(bytes, true);
        if (this.arena.stats().freeBytes < bytes) this.backoff = this.nextBackoff = Math.min(64, this.nextBackoff * 2);
        else this.nextBackoff = 1;
      }
    }
    const blk = this.arena.alloc(bytes);
    if (blk) return new ARRAY_OF[dtype](this.arena.buffer, blk.byteOffset, n);
    const l = this.plainFree.get(bytes);
    const sab = l?.pop() ?? new SharedArrayBuffer(Math.ceil(bytes / 8) * 8);
    return new ARRAY_OF[dtype](sab, 0, n);
  }
  /** Whether a tensor of n elements would still find room in the arena (else: a fresh SharedArrayBuffer). */
  fits(dtype: DType, n: number): boolean { return this.arena.wouldFit(Math.max(8, n * DTYPE_BYTES[dtype])); }
  /** References to tensors were just let go of (queued ops ran): the next shortage collects again. */
  released(): void { this.backoff = 0; this.nextBackoff = 1; }
  track(s: Storage): void {
    const d = s.data!;
    const key = { off: d.byteOffset, sab: this.arena.contains(d.buffer) ? null : (d.buffer as SharedArrayBuffer) };
    this.tracker.track(s, key, d.byteLength);
    s.release = () => { this.tracker.forget(key); this.release(key); };
  }
  private release(k: { off: number; sab: SharedArrayBuffer | null }): void {
    if (!k.sab) { this.arena.release(k.off); return; }
    let l = this.plainFree.get(k.sab.byteLength);
    if (!l) this.plainFree.set(k.sab.byteLength, (l = []));
    if (l.length < 4) l.push(k.sab);
  }
  clear(): void { this.plainFree.clear(); this.tracker.clear(); }
}


let instance: SharedBuffers | null = null;
export function sharedMemory(): SharedBuffers {
  if (!instance) {
    instance = new SharedBuffers();
    // The main thread's kernels get 1 MB of the arena for their temporaries: reductions and products
    // whose outputs are small (they run here, not on workers) compute into it with SIMD.
    const scratch = instance.arena.alloc(KERNEL_SCRATCH);
    enableFastPath(instance.arena.memory, scratch ? { at: scratch.byteOffset, bytes: KERNEL_SCRATCH } : null);
  }
  return instance;
}

/** Routes CPU tensors of at least `threshold` elements (default 262144) to the arena. */
export function useSharedMemory(threshold?: number): void {
  configureSharing({
    threshold, alloc: (dtype, n) => sharedMemory().alloc(dtype, n), track: (s) => sharedMemory().track(s),
    fits: (dtype, n) => sharedMemory().fits(dtype, n), released: () => sharedMemory().released(),
  });
}
