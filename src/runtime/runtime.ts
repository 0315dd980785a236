/**
 * The coordinator: owns storages, decides where each op runs, and keeps one ordered command stream.
 *
 * - Small CPU tensors run in-process, synchronously, when nothing is queued ahead of them.
 * - Work for other executors (the sharded worker pool, the GPU actor) is queued; the queue drains
 *   asynchronously in order, and reads (`read`) wait for everything queued before them.
 *
 * Executors plug in through the `Executor` interface below; the frontend never sees them.
 */
import { DTYPE_BYTES, type DType, type Op, type View } from './protocol.ts';
import { ARRAY_OF, type TypedArray } from '../dtype.ts';
import { runOp, numel } from '../backends/cpu/kernels.ts';
import { convKernelAvailable } from '../backends/cpu/conv.ts';
import { adamKernelAvailable } from '../backends/cpu/adam.ts';
import { fillUniform } from '../backends/cpu/philox.ts';
import { instantiateRngWasm, rngWasmSupported, type RngWasm } from '../backends/cpu/wasm.ts';
import { PressureTrigger } from './gc.ts';
import { AsyncLocalStorage } from 'node:async_hooks';

export type Device = 'cpu' | 'gpu';

export class Storage {
  /** Set when an op that was writing this storage failed, or it was disposed: reading or using it throws. */
  invalid: string | null = null;
  /** Gives the memory back now (set by whoever allocated pooled or device memory). */
  release: (() => void) | null = null;
  /** The executor's own record of this storage (GPU storages), opaque to the runtime. */
  handle: unknown = null;
  /** The GPU executor that allocated it (GPU storages): dispose() frees it there. Not a `release`
   * closure per storage: every temporary of a GPU loop is one. */
  owner: Executor | null = null;
  /** Never disposed by the scope it was made in (see runScope): keep(), or a leaf's gradient. */
  kept = false;
  /** In-place writes so far (PyTorch's version counter, shared by every view of the storage): autograd
   * compares it with what it was when a tensor was saved for backward. */
  version = 0;
  /** In-place writes autograd recorded (they change the graph behind every view of this storage). */
  history = 0;
  constructor(
    readonly id: number,
    readonly device: Device,
    readonly dtype: DType,
    readonly numel: number,
    /** CPU storages: the memory itself (an ArrayBuffer or a SharedArrayBuffer view). */
    readonly data: TypedArray | null,
  ) {}
  get shared(): boolean { return this.data !== null && this.data.buffer instanceof SharedArrayBuffer; }
}

/** Something that runs queued ops: the sharded CPU pool, or the GPU actor. */
export interface Executor {
  readonly name: string;
  /** Whether this executor takes the op (decided from the storages it touches). */
  accepts(op: Op, storages: Storage[]): boolean;
  /** Runs a batch of consecutive accepted ops, in order; storages[i] are the storages op i touches. */
  run(ops: Op[], storages: Storage[][]): Promise<void>;
  /** Takes one op at once, when nothing is queued ahead of it (an executor that only records ops, like
   * the GPU actor's fuser, needs no trip through the queue). Throws what `run` would reject with. */
  runNow?(op: Op, storages: Storage[]): void;
  /** Sets up device memory for a new GPU storage; returns the executor's handle for it. */
  alloc?(id: number, dtype: DType, n: number): unknown;
  /** Gives back the memory of storage `id` (handle: what alloc returned for it). */
  free?(id: number, handle?: unknown): void;
  read?(s: Storage): Promise<TypedArray>;
  upload?(s: Storage, data: TypedArray): void;
  /** Device bytes held now (an executor that allocates lazily reports what it really holds). */
  residentBytes?(): number;
}

let nextId = 1;
const executors: Executor[] = [];
const gpuExec: { e: Executor | null } = { e: null };

// Plain CPU storages are ordinary garbage. Shared CPU storages (the pool's recycler) hold memory V8
// cannot see, so they are tracked and collected on demand (gc.ts). The GPU executor finds its own dead
// storages (a temporary that never got device memory needs nothing); the runtime only forces a
// collection when the device memory it reports holding grows. GPU memory is not the process's RSS:
// let garbage pile up longer between collections (each costs a few ms, a whole step of a GPU training
// loop) — 512 MiB or twice the live size.
const gpuPressure = new PressureTrigger(() => gpuExec.e?.residentBytes?.() ?? 0, 512 << 20, 2);

/** Finds buffer `id` among the storages an op touches. */
function resolverFor(sts: Storage[]): (id: number) => TypedArray {
  return (id: number) => {
    for (let i = 0; i < sts.length; i++) if (sts[i].id === id) return sts[i].data!;
    throw new Error(`internal: buffer ${id} is not among the op's CPU storages`);
  };
}

/** Elements at or above which ops on a CPU tensor are split across the worker pool (when there is one). */
export let SHARD_THRESHOLD = 1 << 18;
const DEFAULT_THRESHOLD = SHARD_THRESHOLD;
/**
 * Elements at or above which a CPU storage is placed in the shared arena (or SHARD_THRESHOLD if lower):
 * there the SIMD kernels run on it and its memory is recycled; below, a plain typed array. A 300x300
 * float32 add: 0.28 ms in plain memory (a JS loop, a fresh zeroed buffer), 0.033 ms in the arena
 * (0.015 ms when the result is freed at once); 128x128: 0.063 -> 0.008 ms. Workers only take ops on
 * tensors of at least SHARD_THRESHOLD elements: a trip to them costs more than a small op.
 */
const ARENA_MIN = 4096;
export let arenaThreshold = Math.min(ARENA_MIN, SHARD_THRESHOLD);
interface Sharing {
  threshold?: number; alloc: (dtype: DType, n: number) => TypedArray; track: (s: Storage) => void;
  /** Whether alloc would still find room in the recycled memory. */
  fits?: (dtype: DType, n: number) => boolean;
  /** Tensors may have just died (queued ops that held them ran): worth collecting at the next shortage. */
  released?: () => void;
}
let sharedAlloc: Sharing | null = null;

/** Installed by the worker pool: large CPU storages then live in (recycled) shared memory. */
export function configureSharing(opts: Sharing | null) {
  SHARD_THRESHOLD = opts?.threshold ?? DEFAULT_THRESHOLD;
  arenaThreshold = Math.min(ARENA_MIN, SHARD_THRESHOLD);
  sharedAlloc = opts;
}

// ---------------------------------------------------------------- scopes (torch.scope)
/** The storages made while a scope's function ran (its awaits included: AsyncLocalStorage follows them). */
export interface StorageScope { storages: Storage[]; parent: StorageScope | null; closed: boolean }
const scopes = new AsyncLocalStorage<StorageScope>();
let openScopes = 0;
function inScope(s: Storage): Storage {
  if (openScopes > 0) {
    // Work a scope started may go on after it ended (a promise it did not await): that belongs to the
    // nearest scope still open, if any, not to the closed one (which would hold it for good).
    let sc: StorageScope | null = scopes.getStore() ?? null;
    while (sc?.closed) sc = sc.parent;
    sc?.storages.push(s);
  }
  return s;
}
/**
 * Runs fn in a new scope. When it returns (or its promise settles), every storage made in it is
 * disposed, except those in `keepOf(result)`, those marked kept, and those already disposed; the kept
 * ones pass to the enclosing scope, if any (which disposes them in turn unless it keeps them too).
 */
export function runScope<R>(fn: () => R, keepOf: (result: Awaited<R>) => Set<Storage>): R {
  const scope: StorageScope = { storages: [], parent: scopes.getStore() ?? null, closed: false };
  openScopes++;
  let r: R;
  try {
    r = scopes.run(scope, fn);
  } catch (e) {
    openScopes--;
    closeScope(scope, new Set());
    throw e;
  }
  if (r instanceof Promise) {
    return r.then(
      (v) => { openScopes--; closeScope(scope, keepOf(v as Awaited<R>)); return v; },
      (e: unknown) => { openScopes--; closeScope(scope, new Set()); throw e; },
    ) as R;
  }
  openScopes--;
  closeScope(scope, keepOf(r as Awaited<R>));
  return r;
}
function closeScope(scope: StorageScope, keep: Set<Storage>): void {
  scope.closed = true;
  let parent = scope.parent;
  while (parent?.closed) parent = parent.parent;
  for (const s of scope.storages) {
    if (s.invalid) continue;
    if (keep.has(s) || s.kept) parent?.storages.push(s);
    else dispose(s, SCOPE_FREED);
  }
  scope.storages = [];
}
const SCOPE_FREED = 'tensor was freed at the end of the torch.scope() that made it; return it from the scope ' +
  '(or torch.keep() it) to use it afterwards';
/** Keeps a storage from the scope it was made in (and every enclosing one). */
export function keep(s: Storage): void { s.kept = true; }

export function allocStorage(device: Device, dtype: DType, n: number): Storage {
  const s = inScope(allocStorageIn(device, dtype, n));
  if (temporaries !== null && s.release !== null) temporaries.push(s);
  return s;
}

/** The pooled CPU storages made while freeingTemporaries' fn runs, or null. */
let temporaries: Storage[] | null = null;
/**
 * Runs fn, which is synchronous, and then disposes the storages with pooled (shared CPU) memory made while
 * it ran that were not keep()'d: for a step whose every intermediate result is known to die with it (a
 * backward pass). Plain CPU and GPU storages are left as they are. Cheaper than a scope: no async context.
 */
export function freeingTemporaries(fn: () => void): void {
  const outer = temporaries, mine: Storage[] = [];
  temporaries = mine;
  try {
    fn();
  } finally {
    temporaries = outer;
    for (const s of mine) {
      if (s.kept) outer?.push(s);
      else dispose(s, TEMPORARY_FREED);
    }
  }
}
const TEMPORARY_FREED = 'internal: a temporary of backward() was used after backward() ended';
function allocStorageIn(device: Device, dtype: DType, n: number): Storage {
  const id = nextId++;
  if (device === 'gpu') {
    const g = gpuExec.e;
    if (!g) throw new Error(noGpuMessage);
    gpuPressure.beforeAlloc(4 * Math.max(1, n)); // one 32-bit word per element on the GPU
    const handle = g.alloc?.(id, dtype, n);
    const s = new Storage(id, 'gpu', dtype, n, null);
    s.handle = handle ?? null;
    s.owner = g;
    return s;
  }
  try {
    if (sharedAlloc && n >= arenaThreshold) {
      if (queue.length && !busy && sharedAlloc.fits && !sharedAlloc.fits(dtype, n) && runQueuedHere()) sharedAlloc.released?.();
      const s = new Storage(id, 'cpu', dtype, n, sharedAlloc.alloc(dtype, n));
      sharedAlloc.track(s);
      return s;
    }
    return new Storage(id, 'cpu', dtype, n, new ARRAY_OF[dtype](n));
  } catch (err) {
    // V8 says only "Array buffer allocation failed" (or "Invalid typed array length").
    if (!(err instanceof RangeError)) throw err;
    const bytes = n * DTYPE_BYTES[dtype];
    throw new Error(`not enough memory: you tried to allocate ${bytes} bytes (${(bytes / 2 ** 30).toFixed(2)} GiB) for a ${dtype} tensor of ${n} elements on the CPU (${err.message})`);
  }
}

/** Wraps caller-owned memory without copying (fromTypedArray). */
export function wrapStorage(dtype: DType, data: TypedArray): Storage {
  return new Storage(nextId++, 'cpu', dtype, data.length, data);
}


// ---------------------------------------------------------------- the command stream
interface Queued { op: Op; ex: Executor | null; storages: Storage[]; thunk?: () => Promise<void> | void }
const queue: Queued[] = [];
let draining: Promise<void> | null = null;
let failure: Error | null = null;
/** drain() is waiting for an executor (ops are in flight, or a thunk runs). */
let busy = false;

/** Submits an op touching storages `sts` (every storage named by its views). Runs it now, in-process,
 * when it can; else queues it. */
export function exec(op: Op, sts: Storage[]): void {
  let gpu = false;
  for (let i = 0; i < sts.length; i++) {
    const st = sts[i];
    if (st.invalid) throw new Error(st.invalid);
    if (st.device === 'gpu') gpu = true;
  }
  let ex: Executor | null = null;
  if (gpu) {
    ex = gpuExec.e;
    if (ex?.runNow && !draining) {
      // Nothing queued ahead: hand it over now. A failure is kept for the next sync, as drain() does.
      try { ex.runNow(op, sts); } catch (err) { keepFailure(err, op, sts); }
      return;
    }
  } else for (const e of executors) if (e.accepts(op, sts)) { ex = e; break; }
  if (!ex && !draining) { runOp(op, resolverFor(sts)); return; }
  queue.push({ op, ex, storages: sts });
  if (!draining) draining = drain();
}

/** An op run at once failed: its output is invalid, and the next sync reports the failure. (Not inline
 * in exec: a closure there would cost every call a context allocation.) */
function keepFailure(err: unknown, op: Op, sts: Storage[]): void {
  failure ??= err instanceof Error ? err : new Error(String(err));
  markFailed(outOf(op, sts), failure.message);
}

function outOf(op: Op, sts: Storage[]): Storage | undefined {
  return sts.find((s) => s.id === op.out.buf);
}
const outStorage = (q: Queued) => outOf(q.op, q.storages);
/** The storage an op was writing when it failed now holds partial data. */
function markFailed(out: Storage | undefined, why: string): void {
  if (out) out.invalid = `tensor is invalid: the op that was writing it failed (${why})`;
}

const LOOKAHEAD = 256;
/**
 * Takes the ops for executor `ex` from the head of the queue: the first one, and later ones that can run
 * before the ops they skip over (they neither read nor write what a skipped op writes, nor write what it
 * reads). An epoch's sharded ops then travel as one batch although small in-process ops sit between them.
 */
function takeBatch(ex: Executor): Queued[] {
  const take: number[] = [0];
  const skippedWrites = new Set<number>(), skippedTouches = new Set<number>();
  for (let k = 1; k < queue.length && k < LOOKAHEAD; k++) {
    const q = queue[k];
    if (q.thunk) break;
    let ok = q.ex === ex && !skippedTouches.has(q.op.out.buf);
    if (ok) for (const st of q.storages) if (skippedWrites.has(st.id)) { ok = false; break; }
    if (ok) { take.push(k); continue; }
    skippedWrites.add(q.op.out.buf);
    if (q.op.op === 'adam') { skippedWrites.add(q.op.m.buf); skippedWrites.add(q.op.v.buf); } // (it writes m and v too)
    for (const st of q.storages) skippedTouches.add(st.id);
  }
  const batch = take.map((k) => queue[k]);
  for (let i = take.length - 1; i >= 0; i--) queue.splice(take[i], 1);
  return batch;
}

/**
 * Runs the queued CPU ops now, on this thread, in order, when none has been handed to an executor yet;
 * false when the queue holds other work. Called when the recycled shared memory is full: a loop that
 * issues large ops faster than the workers run them (the tour's add cell issues 30 ops of 400 MB before
 * the first one runs) would otherwise hold every queued op's tensors at once, and each tensor past the
 * 4 GiB arena gets fresh memory and pays its page faults. Once run, the ops let go of their inputs, and
 * the collection before the next allocation finds the dead ones. Same kernels, same order, same bits.
 */
function runQueuedHere(): boolean {
  const g = gpuExec.e;
  for (const q of queue) if (q.thunk || (q.ex !== null && q.ex === g)) return false;
  const ops = queue.splice(0);
  let k = 0;
  try {
    for (; k < ops.length; k++) runOp(ops[k].op, resolverFor(ops[k].storages));
  } catch (err) {
    failure ??= err instanceof Error ? err : new Error(String(err));
    markFailed(outStorage(ops[k]), failure.message);
    dropAfterFailure(ops.slice(k + 1), failure);
  }
  ranHere.times++; ranHere.ops += ops.length;
  return true;
}
/** Ops queued after a failed one may depend on it: they are dropped, their outputs marked invalid. */
function dropAfterFailure(ops: Queued[], cause: Error): void {
  for (const q of ops) {
    const out = outStorage(q);
    if (out) out.invalid = `tensor is invalid: an earlier op failed (${cause.message})`;
  }
}
/** How often runQueuedHere ran, and how many ops it took (tests, tuning). */
export const ranHere = { times: 0, ops: 0 };

async function drain(): Promise<void> {
  await Promise.resolve();
  try {
    while (queue.length) {
      const first = queue[0];
      if (first.thunk) { queue.shift(); busy = true; try { await first.thunk(); } finally { busy = false; } continue; }
      if (!first.ex) { queue.shift(); runOp(first.op, resolverFor(first.storages)); continue; }
      const batch = takeBatch(first.ex);
      busy = true;
      try {
        await first.ex.run(batch.map((q) => q.op), batch.map((q) => q.storages));
      } catch (err) {
        // Every storage the failed batch was writing now holds partial data.
        const msg = err instanceof Error ? err.message : String(err);
        for (const q of batch) markFailed(outStorage(q), msg);
        throw err;
      } finally {
        busy = false;
      }
    }
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
    dropAfterFailure(queue.splice(0), failure);
  } finally {
    draining = null;
  }
}

/** Waits until everything submitted so far has run; rethrows the first failure since the last sync. */
export async function sync(): Promise<void> {
  while (draining) await draining;
  if (failure) { const f = failure; failure = null; throw f; }
}

/**
 * Experiment, off by default (TROUPE_BREATHE_MS=N turns it on). A training loop whose awaits all resolve
 * as microtasks (GPU work is queued, nothing waits) never lets the event loop turn, so V8's own
 * main-thread tasks wait with it. The one that matters most finishes an incremental collection; until it
 * runs, marking stays on and every step pays for it (write barriers, marking work on allocation). A loop
 * started right after a large read (whose buffer starts such a collection) ran ~1.6x slower for its whole
 * length here (stand-in GPU backend, 20 loops: median 24 -> 15 ms with a 5 ms pause before each).
 * Finalization callbacks (dead GPU storages) wait too. With this on, backward() yields one turn
 * (setImmediate) when none has been seen for N ms. On this 2-core box (3 processes x 20 loops each, no
 * pause between loops): off median 14.2 ms, p90 27.5, 6 loops over 30 ms; N = 4: 14.6 / 21.7 / 3;
 * N = 20: 16.1 / 44.0 / 12. Not settled without a GPU.
 */
const BREATHE_MS = Number(process.env.TROUPE_BREATHE_MS ?? -1);
let turned = true;
let starvedFrom = 0;
const noteTurn = () => { turned = true; };
export async function breathe(): Promise<void> {
  if (!(BREATHE_MS >= 0)) return;
  if (turned) {
    turned = false;
    starvedFrom = performance.now();
    setImmediate(noteTurn);
    return;
  }
  if (performance.now() - starvedFrom < BREATHE_MS) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
}

export async function read(s: Storage): Promise<TypedArray> {
  await sync();
  if (s.invalid) throw new Error(s.invalid);
  if (s.device === 'gpu') return gpuExec.e!.read!(s);
  return s.data!;
}

/**
 * Copies the elements of `src` (a view of srcStorage) into the contiguous storage dst on another device,
 * in stream order.
 */
export function transfer(src: View, srcStorage: Storage, dst: Storage): void {
  const out: View = { buf: dst.id, dtype: dst.dtype, shape: src.shape, strides: contiguousStridesOf(src.shape), offset: 0 };
  const thunk = async () => {
    if (srcStorage.invalid) throw new Error(srcStorage.invalid);
    if (srcStorage.device === 'cpu') {
      const host = new Storage(nextId++, 'cpu', dst.dtype, dst.numel, new (arrayOf(dst.dtype))(dst.numel));
      runOp({ op: 'copy', x: src, out: { ...out, buf: host.id } }, resolverFor([srcStorage, host]));
      gpuExec.e!.upload!(dst, host.data!);
    } else {
      const whole = new Storage(nextId++, 'cpu', srcStorage.dtype, srcStorage.numel, await gpuExec.e!.read!(srcStorage));
      runOp({ op: 'copy', x: { ...src, buf: whole.id }, out }, resolverFor([whole, dst]));
    }
  };
  queue.push({ op: { op: 'fill', value: 0, out }, ex: null, storages: [srcStorage, dst], thunk });
  if (!draining) draining = drain();
}

function contiguousStridesOf(shape: number[]): number[] {
  const st = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { st[i] = acc; acc *= shape[i]; }
  return st;
}
const arrayOf = (d: DType) => ARRAY_OF[d];

/** Copies host data into a storage (used by tensor() and to('gpu')). */
export function upload(s: Storage, data: TypedArray): void {
  if (s.device === 'gpu') gpuExec.e!.upload!(s, data);
  else s.data!.set(data);
}

/**
 * Memory to write a new storage's values into: on the CPU the storage's own (no copy), else a host array
 * that `uploadWritten` then sends. Only for a storage no op has used yet (nothing queued reads it).
 */
export function writable(s: Storage): TypedArray {
  return s.device === 'cpu' ? s.data! : new ARRAY_OF[s.dtype](s.numel);
}
export function uploadWritten(s: Storage, host: TypedArray): void { if (host !== s.data) upload(s, host); }

/** Keeps a storage alive as long as `view` (a typed array over its memory handed to the user) is. */
const pins = new WeakMap<object, Storage>();
export function pin(view: object, s: Storage): void { if (s.shared) pins.set(view, s); }

/**
 * Frees a storage's pooled or device memory once the ops queued before now have run; using it afterwards
 * throws. Plain CPU memory is left to the garbage collector.
 */
export function dispose(s: Storage, why = 'tensor was disposed (t.dispose()); it can no longer be used'): void {
  if (s.invalid) return;
  s.invalid = why;
  const g = s.owner;
  const rel = s.release ?? (g ? () => g.free?.(s.id, s.handle) : null);
  s.release = null; s.owner = null;
  if (!rel) return;
  if (!draining) { rel(); return; }
  queue.push({ op: { op: 'fill', value: 0, out: { buf: s.id, dtype: s.dtype, shape: [0], strides: [1], offset: 0 } }, ex: null, storages: [], thunk: rel });
}

/** Starts the GPU memory-pressure mark afresh (the GPU actor is gone). */
export function resetGpuPressure(): void { gpuPressure.reset(); }

export function addExecutor(e: Executor): void { executors.push(e); }
export function removeExecutor(e: Executor): void { const i = executors.indexOf(e); if (i >= 0) executors.splice(i, 1); }
export function setGpuExecutor(e: Executor | null): void { gpuExec.e = e; }
export function hasGpu(): boolean { return gpuExec.e !== null; }
export let noGpuMessage = 'no GPU: call `await torch.init({ gpu: true })` first (and check torch.gpu.isAvailable())';
export function setNoGpuMessage(m: string) { noGpuMessage = m; }
export { numel, resolverFor };
/** Whether the CPU's convolution op (protocol.ts ConvOp) can run here (its WebAssembly kernel loaded and not turned off). */
export const convOpAvailable = (): boolean => convKernelAvailable();
/** Whether the CPU's fused Adam step (protocol.ts AdamOp) is in use here (not turned off). */
export const adamOpAvailable = (): boolean => adamKernelAvailable();

/**
 * A CPU storage's memory when its values are final now: nothing is queued (so no op still writes it) and
 * it is valid; else null (a GPU storage, or work in flight). For checks that need no wait: a caller that
 * gets null skips the check rather than reading back.
 */
export function valuesNow(s: Storage): TypedArray | null {
  return s.device === 'cpu' && !draining && queue.length === 0 && !s.invalid && s.data ? s.data : null;
}

/** The uniform stream (seed, stream)'s first n values as float64s, made on this thread (what a random op
 * would write into a float64 tensor): for host-side choices such as permutations. */
export function uniformDraws(seed: number, stream: number, n: number): Float64Array {
  const out = new Float64Array(n);
  if (n === 0) return out;
  // (the WebAssembly Philox, the same values as the JS one by contract: 1M draws 61 -> ~5 ms)
  if (n >= 4096 && hostRng !== null && (hostRng ??= rngWasmSupported() && !process.env.TROUPE_NO_WASM ? instantiateRngWasm() : null)) hostRng.fillUniform(out, seed, stream, 0, n);
  else fillUniform(out, seed, stream, 0, n);
  return out;
}
/** The WebAssembly generator for host-side draws, made on first use (null: none here). */
let hostRng: RngWasm | null | undefined;
