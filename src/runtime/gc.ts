/**
 * Finding dead tensors on demand. Large CPU tensors and GPU tensors hold memory the JS heap does not see,
 * so V8 has no reason to collect their (small) Tensor objects: the executors register their storages in
 * a FinalizationRegistry and, before taking more memory, force a collection and run the registry's
 * cleanup synchronously (`cleanupSome`), recycling what died.
 *
 * Why not WeakRefs: V8 keeps every WeakRef target created or read in the current job alive until the job
 * ends, and a training loop whose awaits all resolve as microtasks never ends its job.
 * `cleanupSome` exists behind a V8 flag; a registry made in a context created after setting the flag has it.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * V8's allocation-site pretenuring, off. When a scavenge happens to find many young objects of one
 * allocation site alive (a training step's lazy expression nodes, its pending statements), V8 starts
 * allocating that site's objects directly in the old generation; each such object that dies young then
 * keeps the young objects it points to alive through every scavenge until the next full collection
 * ("nepotism"). Here (2 cores, stand-in GPU backend) a loop in that state promoted ~2 MB per scavenge at
 * 10 ms each and ran its main thread 2-3x slower, in about half of all processes; with the flag off, 12 of
 * 12 ran fast. On an H100 the two settings ran alike (8 runs), and a slow mode of unknown cause remains
 * there (README, "Benchmarks"). TROUPE_V8_PRETENURING=1 leaves V8's default.
 */
if (process.env.TROUPE_V8_PRETENURING !== '1') v8.setFlagsFromString('--no-allocation-site-pretenuring');

/**
 * Objects kept alive for the whole process so that V8 keeps their hidden classes ("maps"). A class's
 * maps past its initial one are held only by the objects that use them and, weakly, by the transition
 * tree; a full collection that finds no live object of a map drops it, and with it every optimized
 * function that embedded it ("marking dependent code for deoptimization, reason: weak objects" in
 * --trace-deopt). The forced collections below run when a loop allocates, often between steps, when
 * transient objects (a step's tensors, graph nodes, the fuser's kernel builders) are all dead: each one
 * threw away ~23 hot functions, and the loop that followed ran slower while V8 optimized them again
 * (stand-in GPU backend, a forced collection before each of 12 loops: 281 code drops, loop median 43 ms;
 * with the anchors 1 drop, 13-14 ms; no collection at all: ~12 ms). No timed loop on an H100 showed such
 * drops. Each module registers one small instance of each class it makes in hot loops.
 */
const SHAPE_ANCHORS: unknown[] = [];
/** TROUPE_SHAPE_ANCHORS=0 keeps nothing (to measure what the anchors are worth). */
const shapeAnchorsOn = process.env.TROUPE_SHAPE_ANCHORS !== '0';
export function keepShapes(...objects: unknown[]): void { if (shapeAnchorsOn) SHAPE_ANCHORS.push(...objects); }

let ctx: vm.Context | null = null;
let gcFn: (() => void) | null = null;
function context(): vm.Context {
  if (!ctx) {
    v8.setFlagsFromString('--expose-gc');
    v8.setFlagsFromString('--harmony-weak-refs-with-cleanup-some');
    ctx = vm.createContext({});
    gcFn = vm.runInContext('gc', ctx) as () => void;
  }
  return ctx;
}

/** Collections forced so far (count, total milliseconds): for benchmarks and tuning. */
export const gcStats = { count: 0, ms: 0 };

const registries: Registry<unknown>[] = [];

/** A full, synchronous collection; then every registry made by makeRegistry() runs its callbacks. */
export function collect(): void {
  context();
  const t = performance.now();
  gcFn!();
  gcStats.count++;
  gcStats.ms += performance.now() - t;
  for (const r of registries) r.cleanupSome?.();
}

/** A FinalizationRegistry whose callbacks also run synchronously after collect(). */
export function makeRegistry<T>(cb: (held: T) => void): Registry<T> {
  const make = vm.runInContext('(cb) => new FinalizationRegistry(cb)', context()) as (cb: (h: T) => void) => Registry<T>;
  const r = make(cb);
  registries.push(r as Registry<unknown>);
  return r;
}

export interface Registry<T> {
  register(target: object, held: T, token?: object): void;
  unregister(token: object): boolean;
  cleanupSome?(): void;
}

/** Storages whose memory is recycled when they die, with the bytes each holds. */
export class WeakTracker<K> {
  private readonly registry: Registry<{ key: K; bytes: number }>;
  private readonly tokens = new Map<K, { key: K; bytes: number }>();
  liveBytes = 0;
  private mark = 0;
  private countMark = 1024;

  constructor(
    private readonly onDead: (key: K) => void,
    private readonly minSlack = 64 << 20,
    /** Growth allowed between collections, as a fraction of live bytes. */
    private readonly growth = 0.5,
  ) {
    this.registry = makeRegistry<{ key: K; bytes: number }>((h) => this.dead(h));
  }

  get count(): number { return this.tokens.size; }

  track(owner: object, key: K, bytes: number): void {
    const held = { key, bytes };
    this.tokens.set(key, held);
    this.registry.register(owner, held, held);
    this.liveBytes += bytes;
  }
  private dead(h: { key: K; bytes: number }): void {
    if (this.tokens.get(h.key) !== h) return;
    this.tokens.delete(h.key);
    this.liveBytes -= h.bytes;
    this.onDead(h.key);
  }
  /** Forces a collection when taking `bytes` more would pass the marks (or always, with force). */
  beforeAlloc(bytes: number, force = false): void {
    if (this.tokens.size < 3) return;
    // Many small tensors cost per-object memory and bookkeeping even when their bytes are few.
    if (!force && this.liveBytes + bytes <= this.mark && this.tokens.size < this.countMark) return;
    collect();
    // A full collection costs several ms: let live memory grow (by `growth`, at least minSlack) first.
    this.mark = this.liveBytes + Math.max(this.minSlack, this.liveBytes * this.growth) + bytes;
    this.countMark = this.tokens.size + Math.max(1024, this.tokens.size);
  }
  /** Stops tracking `key` (freed explicitly); false when it was not tracked (any more): its owner was
   * found dead first, and onDead has had it. */
  forget(key: K): boolean {
    const h = this.tokens.get(key);
    if (!h) return false;
    this.tokens.delete(key);
    this.registry.unregister(h);
    this.liveBytes -= h.bytes;
    return true;
  }
  clear(): void {
    for (const h of this.tokens.values()) this.registry.unregister(h);
    this.tokens.clear();
    this.liveBytes = 0; this.mark = 0; this.countMark = 1024;
  }
}

/**
 * For executors that find their own dead storages (the GPU fuser registers what holds device memory in
 * a makeRegistry() registry): forces a collection when the bytes they hold pass a mark, so dead
 * storages are found before memory runs out; then lets them grow by `growth` (at least minSlack).
 */
export class PressureTrigger {
  /** The first collection waits for minSlack bytes too (a full collection at the first allocation cost
   * every process ~5 ms of its first step for nothing). */
  private mark: number;
  constructor(private readonly held: () => number, private readonly minSlack: number, private readonly growth: number) { this.mark = minSlack; }
  beforeAlloc(bytes: number): void {
    if (this.held() + bytes <= this.mark) return;
    collect();
    const live = this.held();
    this.mark = live + Math.max(this.minSlack, live * this.growth) + bytes;
  }
  reset(): void { this.mark = this.minSlack; }
}
