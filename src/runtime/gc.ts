/**
 * Finding dead tensors on demand. Large CPU tensors and GPU tensors hold memory the JS heap does not see,
 * so V8 has no reason to collect their (small) Tensor objects: the executors track their storages with
 * WeakRefs and, before taking more memory, force a collection and recycle what died.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let gcFn: (() => void) | null = null;
/** Collections forced so far (count, total milliseconds): for benchmarks and tuning. */
export const gcStats = { count: 0, ms: 0 };

/** A full, synchronous collection (`gc({ type })` with options does not collect WeakRef targets on Node 20). */
export function collect(): void {
  if (!gcFn) {
    v8.setFlagsFromString('--expose-gc');
    gcFn = vm.runInNewContext('gc') as () => void;
  }
  const t = performance.now();
  gcFn();
  gcStats.count++;
  gcStats.ms += performance.now() - t;
}

/**
 * Storages tracked by WeakRef, with the bytes each holds. `reclaim()` must run after `collect()` in the
 * same job: WeakRef.deref() keeps its target alive until the current job ends, so a scan before the
 * collection would pin every dead-but-uncollected tensor it looked at.
 */
export class WeakTracker<K> {
  private live: Array<{ ref: WeakRef<object>; key: K; bytes: number }> = [];
  liveBytes = 0;
  private mark = 0;
  private countMark = 1024;
  constructor(
    private readonly onDead: (key: K) => void,
    private readonly minSlack = 64 << 20,
    /** Growth allowed between collections, as a fraction of live bytes. */
    private readonly growth = 0.5,
  ) {}

  track(owner: object, key: K, bytes: number): void {
    this.live.push({ ref: new WeakRef(owner), key, bytes });
    this.liveBytes += bytes;
  }
  /** Forces a collection when taking `bytes` more would pass the mark; recycles what died. */
  beforeAlloc(bytes: number, force = false): void {
    if (this.live.length < 3) return;
    // Many small tensors cost per-object memory and bookkeeping even when their bytes are few.
    if (!force && this.liveBytes + bytes <= this.mark && this.live.length < this.countMark) return;
    collect();
    this.reclaim();
    // A full collection costs several ms: let live memory grow (by `growth`, at least minSlack) first.
    this.mark = this.liveBytes + Math.max(this.minSlack, this.liveBytes * this.growth) + bytes;
    this.countMark = this.live.length + Math.max(1024, this.live.length);
  }
  private reclaim(): void {
    const keep: typeof this.live = [];
    for (const e of this.live) {
      if (e.ref.deref()) { keep.push(e); continue; }
      this.liveBytes -= e.bytes;
      this.onDead(e.key);
    }
    this.live = keep;
  }
  /** Stops tracking `key` (freed explicitly). */
  forget(key: K): void {
    const i = this.live.findIndex((e) => e.key === key);
    if (i >= 0) { this.liveBytes -= this.live[i].bytes; this.live.splice(i, 1); }
  }
  clear(): void { this.live = []; this.liveBytes = 0; this.mark = 0; this.countMark = 1024; }
}
