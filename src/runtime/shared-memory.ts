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
/**
 * Allocations of at most SMALL_BLOCK bytes take fresh arena memory rather than collect until `allowance`
 * bytes were allocated since the last collection. A forced collection costs 6-13 ms here whatever it
 * finds (it marks the whole JS heap): a loop of 1000x1000 float32 adds that collected every 64 MB spent
 * 0.5 of its 0.7 ms per op collecting. Letting more garbage wait costs fresh memory instead, once: a page
 * fault per 4 KiB on first touch, ~FRESH_MS_PER_MB. So the allowance starts at GARBAGE_MIN and doubles
 * (up to GARBAGE_MAX) once the collections made for small blocks since it last changed cost as much as
 * the memory the doubling may take: a program pays at most about twice the better of the two.
 */
const SMALL_BLOCK = 8 << 20;
export const GARBAGE_MIN = 64 << 20, GARBAGE_MAX = 256 << 20;
/** First-touch cost of fresh memory, ms per MiB (measured here: ~125 ms per 40 MB; less on most hosts,
 * which only makes the allowance grow later than it could). */
const FRESH_MS_PER_MB = 3;

/** The allowance's rule, apart from the clock (tests drive it with made-up times). */
export class GarbageAllowance {
  bytes = GARBAGE_MIN;
  /** ms of collections for small blocks since `bytes` last changed. */
  private spentMs = 0;
  /** A collection made for a small block took `ms`. */
  collected(ms: number): void {
    if (this.bytes >= GARBAGE_MAX) return;
    this.spentMs += ms;
    if (this.spentMs >= FRESH_MS_PER_MB * (this.bytes / 2 ** 20)) { this.bytes = Math.min(GARBAGE_MAX, this.bytes * 2); this.spentMs = 0; }
  }
}

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
  /** Garbage (bytes of small blocks) let pile up between collections. */
  private readonly allowance = new GarbageAllowance();

  alloc(dtype: DType, n: number): TypedArray {
    const bytes = Math.max(8, n * DTYPE_BYTES[dtype]);
    this.sinceCollect += bytes;
    // Room is recycled memory that holds the tensor (Arena.reusable): a freed block of its size, or memory
    // above the used region that was touched before (freed blocks at the top go back there). A collection
    // that freed the top blocks leaves no free block, but room: counting it as finding nothing made later
    // collections back off while the arena grew (a loop of 300x300 relu: 1.8 GB of arena, a page fault per
    // 4 KiB of it). Free bytes in blocks of other sizes are no room: counting them let 40 MB tensors take
    // fresh memory after a loop of 100x100 ones (the tour's add cell after its matmul cell, in-process:
    // 0.8 -> 6.2 s) without ever collecting.
    if (!this.arena.reusable(bytes) && (bytes > SMALL_BLOCK || this.sinceCollect > this.allowance.bytes)) {
      // (Collecting while there was room above the used region found nothing: a third of the 10M loop's
      // collections with 2 workers.) Growing the arena touches fresh pages (~125 ms per 40 MB here, against
      // ~5-10 ms for a collection), so collect first. Except for tensors of at most 8 MB until the
      // allowance was allocated since the last collection: a loop of 4 MB tensors collected every 2-3 ops (a
      // 1000x1000 broadcast add: 9.6 ms per op, 2.9 of them collecting; now 7.0), while letting
      // the 10M loop's 40 MB tensors take fresh memory made it slower (60 -> 68 ms per epoch, peak RSS
      // 500 -> 575 MB). Back off while collections find nothing (the program really is holding more
      // memory).
      if (this.backoff > 0) this.backoff--;
      else {
        this.sinceCollect = 0;
        const t0 = performance.now();
        this.tracker.beforeAlloc(bytes, true);
        if (bytes <= SMALL_BLOCK) this.allowance.collected(performance.now() - t0);
        if (!this.arena.reusable(bytes)) this.backoff = this.nextBackoff = Math.min(64, this.nextBackoff * 2);
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
    // Once only: a disposed storage's release waits in the queue behind the ops that use it (dispose),
    // and the storage may die and be found by a collection before it runs (a backward pass's temporaries
    // with ops queued for the workers). The memory then went back already, maybe to a new tensor since.
    s.release = () => { if (this.tracker.forget(key)) this.release(key); };
  }
  private release(k: { off: number; sab: SharedArrayBuffer | null }): void {
    if (!k.sab) { this.arena.release(k.off); return; }
    let l = this.plainFree.get(k.sab.byteLength);
    if (!l) this.plainFree.set(k.sab.byteLength, (l = []));
    if (l.length < 4) l.push(k.sab);
  }
  clear(): void { this.plainFree.clear(); this.tracker.clear(); }
  stats(): SharedMemoryStats {
    const a = this.arena.stats();
    return { liveBytes: a.liveBytes, freeBytes: a.freeBytes, capacityBytes: a.capacity, garbageAllowanceBytes: this.allowance.bytes };
  }
}
export interface SharedMemoryStats { liveBytes: number; freeBytes: number; capacityBytes: number; garbageAllowanceBytes: number }


let instance: SharedBuffers | null = null;
export function sharedMemory(): SharedBuffers {
  if (!instance) {
    instance = new SharedBuffers();
    // The main thread's kernels get 1 MB of the arena for their temporaries: reductions and products
    // whose outputs are small (they run here, not on workers) compute into it with SIMD.
    const scratch = instance.arena.alloc(KERNEL_SCRATCH);
    const arena = instance.arena;
    const temp = { alloc: (bytes: number) => arena.alloc(bytes)?.byteOffset ?? null, release: (at: number) => arena.release(at) };
    enableFastPath(arena.memory, scratch ? { at: scratch.byteOffset, bytes: KERNEL_SCRATCH, temp } : null);
  }
  return instance;
}

/** The arena's numbers, or null before the first large CPU tensor (nothing allocated yet). */
export function sharedMemoryStats(): SharedMemoryStats | null { return instance?.stats() ?? null; }

/** Routes CPU tensors of at least `threshold` elements (default 262144) to the arena. */
export function useSharedMemory(threshold?: number): void {
  configureSharing({
    threshold, alloc: (dtype, n) => sharedMemory().alloc(dtype, n), track: (s) => sharedMemory().track(s),
    fits: (dtype, n) => sharedMemory().fits(dtype, n), released: () => sharedMemory().released(),
  });
}
