/**
 * An allocator over ONE shared WebAssembly.Memory (up to 4 GiB), so that tensor storage can be handed to
 * the WebAssembly SIMD kernels of ./simd.ts (and ./wasm.ts) by byte address, zero copy, in any thread
 * that received the same Memory.
 *
 * Layout: bytes [0, 512) are a reserved header (address 0 is never handed out; word 0 is the probe
 * counter of arenaAddress; bytes [64, 512) hold the SIMD kernels' constant tables, see simd.ts); blocks
 * are 64-byte aligned and rounded up to a multiple of 64 bytes.
 *  - small blocks (<= SMALL_MAX bytes after rounding): exact-size free lists, LIFO (a training loop
 *    allocates the same sizes again and again);
 *  - large blocks: free extents kept sorted by address, best fit with splitting, coalesced on release;
 *    an extent that reaches the top of the used region gives that space back to the bump pointer.
 * When nothing fits, the memory grows (by at least 1/4 of its size, up to the maximum); alloc returns
 * null when the 4 GiB space (or the configured maximum) is exhausted, and the caller falls back to a
 * plain SharedArrayBuffer.
 *
 * Memory handed out again after a release is NOT zeroed unless asked for (`alloc(bytes, { zero: true })`);
 * never-used memory is zero.
 *
 * After memory.grow(), `memory.buffer` is a new SharedArrayBuffer object (and in every other thread each
 * access / each postMessage gives yet other objects over the same bytes); typed arrays made earlier keep
 * working. `contains(buf)` / `arenaAddress(arr, memory)` recognise any of these objects, see arenaAddress.
 */
import type { DType } from '../../runtime/protocol.ts';
import { ARRAY_OF, type TypedArray } from '../../dtype.ts';

export const WASM_PAGE = 65536;
export const MAX_PAGES = 65536;
export const ARENA_ALIGN = 64;
/** Bytes [0, ARENA_HEADER) of an arena memory are reserved. */
export const ARENA_HEADER = 2048;
/** Largest block size (bytes, after rounding) served from the exact-size free lists. */
export const SMALL_MAX = 64 * 1024;

export interface ArenaOptions {
  /** Initial size in bytes (rounded up to whole 64 KiB pages; default 16 MiB). */
  initialBytes?: number;
  /** Maximum size in 64 KiB pages (default 65536 = 4 GiB). */
  maximumPages?: number;
}

export interface ArenaStats {
  /** Bytes in live blocks (after rounding). */
  liveBytes: number;
  /** Bytes in free lists and free extents below the top. */
  freeBytes: number;
  /** End of the used region (bump pointer). */
  top: number;
  /** End of the memory ever handed out: [top, touchedEnd) was written before (no page faults to reuse). */
  touchedEnd: number;
  /** Current size of the memory. */
  capacity: number;
  liveBlocks: number;
}

const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

export class Arena {
  readonly memory: WebAssembly.Memory;
  private readonly maxBytes: number;
  private top = ARENA_HEADER;
  /** Highest address ever handed out: memory above it is still zero. */
  private highWater = ARENA_HEADER;
  /** byteOffset -> rounded size of live blocks. */
  private readonly live = new Map<number, number>();
  private readonly small = new Map<number, number[]>();
  /** Free large extents, sorted by offset, never adjacent (coalesced), all below top. */
  private freeOff: number[] = [];
  private freeLen: number[] = [];
  private smallFreeBytes = 0;
  private largeFreeBytes = 0;
  private liveBytes = 0;
  /** Every SharedArrayBuffer object this arena has seen over its memory. */
  private readonly known = new WeakSet<ArrayBufferLike>();

  constructor(opts: ArenaOptions = {}) {
    const maximum = opts.maximumPages ?? MAX_PAGES;
    if (!Number.isInteger(maximum) || maximum < 1 || maximum > MAX_PAGES)
      throw new RangeError(`maximumPages must be an integer in [1, ${MAX_PAGES}]`);
    const initial = Math.min(maximum, Math.max(1, Math.ceil((opts.initialBytes ?? 16 << 20) / WASM_PAGE)));
    this.memory = new WebAssembly.Memory({ initial, maximum, shared: true });
    this.maxBytes = maximum * WASM_PAGE;
    this.known.add(this.memory.buffer);
  }

  /** The memory's current SharedArrayBuffer (a new object after each grow). */
  get buffer(): SharedArrayBuffer {
    const b = this.memory.buffer as unknown as SharedArrayBuffer;
    this.known.add(b);
    return b;
  }

  /**
   * A 64-byte aligned block of at least `bytes` bytes (0 allowed: a minimal block), or null when the
   * memory cannot grow enough. With `zero`, the block reads as zeros.
   */
  alloc(bytes: number, opts?: { zero?: boolean }): { byteOffset: number } | null {
    if (!(bytes >= 0) || !Number.isFinite(bytes)) throw new RangeError(`bad allocation size ${bytes}`);
    const size = Math.max(ARENA_ALIGN, roundUp(bytes, ARENA_ALIGN));
    let off = -1;
    if (size <= SMALL_MAX) {
      const l = this.small.get(size);
      if (l && l.length) { off = l.pop()!; this.smallFreeBytes -= size; }
    } else {
      off = this.takeExtent(size);
    }
    if (off < 0) {
      if (this.top + size > this.maxBytes) return null;
      if (!this.ensure(this.top + size)) return null;
      off = this.top;
      this.top += size;
    }
    this.live.set(off, size);
    this.liveBytes += size;
    if (opts?.zero && off < this.highWater) new Uint8Array(this.buffer, off, Math.min(size, this.highWater - off)).fill(0);
    if (off + size > this.highWater) this.highWater = off + size;
    return { byteOffset: off };
  }

  /**
   * Whether alloc(bytes) would reuse memory handed out before (no fresh pages to fault in): a freed block
   * of the size (small sizes) or a free extent that holds it (large ones), or room between the bump
   * pointer and the highest address ever handed out. (Free bytes counted as a whole say less: freed small
   * blocks never serve a large allocation.)
   */
  reusable(bytes: number): boolean {
    const size = Math.max(ARENA_ALIGN, roundUp(bytes, ARENA_ALIGN));
    if (this.highWater - this.top >= size) return true;
    if (size <= SMALL_MAX) return (this.small.get(size)?.length ?? 0) > 0;
    for (let i = 0; i < this.freeLen.length; i++) if (this.freeLen[i] >= size) return true;
    return false;
  }

  /** Whether alloc(bytes) would find room without a new memory beyond the maximum: in the free space
   * (counted as a whole: fragmentation may still refuse it) or by growing. */
  wouldFit(bytes: number): boolean {
    const size = Math.max(ARENA_ALIGN, roundUp(bytes, ARENA_ALIGN));
    return this.smallFreeBytes + this.largeFreeBytes >= size || this.top + size <= this.maxBytes;
  }

  /** Gives a block back (byteOffset as returned by alloc). */
  release(byteOffset: number): void {
    const size = this.live.get(byteOffset);
    if (size === undefined) throw new Error(`arena: ${byteOffset} is not a live block`);
    this.live.delete(byteOffset);
    this.liveBytes -= size;
    if (size <= SMALL_MAX) {
      let l = this.small.get(size);
      if (!l) this.small.set(size, (l = []));
      l.push(byteOffset);
      this.smallFreeBytes += size;
    } else {
      this.putExtent(byteOffset, size);
    }
  }

  /** Rounded size of a live block, or undefined. */
  sizeOf(byteOffset: number): number | undefined {
    return this.live.get(byteOffset);
  }

  /** True for any SharedArrayBuffer object over this arena's memory (also ones from before a grow). */
  contains(buf: ArrayBufferLike): boolean {
    if (this.known.has(buf)) return true;
    if (buf === this.buffer) return true; // registers the current buffer
    if (!isArenaBuffer(buf, this.memory)) return false;
    this.known.add(buf);
    return true;
  }

  /** A typed array (ARRAY_OF[dtype]: int64 -> Float64Array, bool -> Uint8Array) over a block. */
  view(dtype: DType, byteOffset: number, length: number): TypedArray {
    return new ARRAY_OF[dtype](this.buffer, byteOffset, length);
  }

  stats(): ArenaStats {
    return {
      liveBytes: this.liveBytes,
      freeBytes: this.smallFreeBytes + this.largeFreeBytes,
      top: this.top,
      touchedEnd: this.highWater,
      capacity: this.memory.buffer.byteLength,
      liveBlocks: this.live.size,
    };
  }

  /** Drops all free lists of small blocks (their space stays below top; large extents are kept). */
  trimSmall(): void {
    this.small.clear();
    this.smallFreeBytes = 0;
  }

  private ensure(end: number): boolean {
    const cur = this.memory.buffer.byteLength;
    if (end <= cur) return true;
    const maxPages = this.maxBytes / WASM_PAGE, curPages = cur / WASM_PAGE;
    const need = Math.ceil((end - cur) / WASM_PAGE);
    const want = Math.min(maxPages - curPages, Math.max(need, curPages >> 2));
    try {
      this.memory.grow(want);
    } catch {
      try { this.memory.grow(need); } catch { return false; }
    }
    this.known.add(this.memory.buffer);
    return true;
  }

  /** Best fit among the free large extents (lowest address on ties); -1 if none. */
  private takeExtent(size: number): number {
    let best = -1;
    for (let i = 0; i < this.freeLen.length; i++) {
      const l = this.freeLen[i];
      if (l >= size && (best < 0 || l < this.freeLen[best])) { best = i; if (l === size) break; }
    }
    if (best < 0) return -1;
    const off = this.freeOff[best], len = this.freeLen[best];
    if (len === size) { this.freeOff.splice(best, 1); this.freeLen.splice(best, 1); }
    else { this.freeOff[best] = off + size; this.freeLen[best] = len - size; }
    this.largeFreeBytes -= size;
    return off;
  }

  private putExtent(off: number, size: number): void {
    const fo = this.freeOff, fl = this.freeLen;
    let lo = 0, hi = fo.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (fo[m] < off) lo = m + 1; else hi = m; }
    let start = off, len = size, i = lo;
    if (i > 0 && fo[i - 1] + fl[i - 1] === off) { i--; start = fo[i]; len += fl[i]; fo.splice(i, 1); fl.splice(i, 1); }
    if (i < fo.length && fo[i] === start + len) { len += fl[i]; fo.splice(i, 1); fl.splice(i, 1); }
    this.largeFreeBytes += size; // merged neighbours were counted already
    if (start + len === this.top) {
      this.top = start;
      this.largeFreeBytes -= len;
      return;
    }
    fo.splice(i, 0, start);
    fl.splice(i, 0, len);
  }
}

/**
 * The probe behind contains / arenaAddress. An arena memory's word 0 is a counter that every probe
 * increments atomically through the memory itself; a buffer over the same memory must then show a value
 * between our increment and a re-read through the memory (other threads only increment it), and after a
 * second increment a different such value. No false negatives; a foreign buffer passes only if its word 0
 * changed in step twice (practically impossible).
 */
function isArenaBuffer(buf: ArrayBufferLike, memory: WebAssembly.Memory): boolean {
  if (!(buf instanceof SharedArrayBuffer)) return false;
  const mem = memory.buffer as unknown as SharedArrayBuffer; // refreshed if another thread grew it
  if (buf === mem) return true;
  const len = buf.byteLength;
  if (len < WASM_PAGE || len % WASM_PAGE !== 0 || len > mem.byteLength) return false;
  const m = new Int32Array(mem, 0, 1), b = new Int32Array(buf, 0, 1);
  let prev = 0;
  for (let round = 0; round < 2; round++) {
    const t = (Atomics.add(m, 0, 1) + 1) | 0;
    const v = Atomics.load(b, 0);
    const w = Atomics.load(m, 0);
    if ((v - t) >>> 0 > (w - t) >>> 0) return false;
    if (round === 1 && v === prev) return false;
    prev = v;
  }
  return true;
}

/** Per-memory cache of buffer objects already recognised in this thread. */
const seen = new WeakMap<WebAssembly.Memory, { yes: WeakSet<ArrayBufferLike>; no: WeakSet<ArrayBufferLike> }>();

/**
 * The byte address of `arr` in `memory` if arr's buffer is (any SharedArrayBuffer object over) that
 * memory, else null. Works in any thread: main-thread arrays, arrays rebuilt in a worker from a posted
 * SharedArrayBuffer, buffers from before or after a grow. `memory` must be an Arena's memory (its first
 * 64 bytes are reserved for the probe). Answers are cached per buffer object, so repeated calls are cheap.
 */
export function arenaAddress(arr: ArrayBufferView, memory: WebAssembly.Memory): number | null {
  const buf = arr.buffer;
  let c = seen.get(memory);
  if (!c) seen.set(memory, (c = { yes: new WeakSet(), no: new WeakSet() }));
  if (c.yes.has(buf)) return arr.byteOffset;
  if (c.no.has(buf)) return null;
  if (isArenaBuffer(buf, memory)) { c.yes.add(buf); return arr.byteOffset; }
  // A buffer longer than our current view of the memory could still be the memory grown by another
  // thread: isArenaBuffer re-read memory.buffer, so len > mem length means it is not ours. Cache it.
  c.no.add(buf);
  return null;
}
