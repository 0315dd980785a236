/**
 * Lazy fusion for the GPU actor (main thread). The runtime hands every GPU op here, in stream order;
 * most of them cost no GPU work at all when they are issued:
 *
 * - An elementwise op (unary, binary, where, fill, copy, random) that writes a whole storage makes that
 *   storage *lazy*: it remembers the op as an expression over its inputs (the expressions of lazy
 *   inputs are inlined; materialized inputs are read through a `Cell`). A temporary that dies while
 *   lazy is never computed, never written and never allocated.
 * - A reduction over everything, or a dot product, becomes a *reduce statement* that evaluates its input
 *   expression inline. A large random fill it draws is also stored by that pass into a stash buffer the
 *   fuser owns, and later kernels read it back while it is there instead of drawing it again.
 * - A storage is *materialized* (a store statement writes it) when something needs its bytes: a read,
 *   an op the fuser does not fuse, an in-place update of a non-constant value, an expression too large.
 * - Pending statements are cut into kernels when they are flushed: consecutive stores run in ONE
 *   elementwise kernel (4 elements per thread, so one Philox block feeds 4 lanes) as long as no
 *   statement reads, at another index, what an earlier one writes; consecutive reductions of one length
 *   share one two-pass reduction (its first pass evaluates every input expression once), and stores of
 *   at most that length join its first pass when each element they write is read back only by the
 *   thread that wrote it. The tour's step is then 2 kernels: [update of w and b, then both dots of the
 *   next step] and the reduction's second pass.
 * - Kernels are cached by a key computed from their structure (no WGSL is built once the key is known),
 *   so a training loop builds its few pipelines in its first steps and then only fills metadata.
 *
 * Values never change under a lazy expression: a storage written after a lazy expression captured it
 * moves to new memory (its old `Cell` stays with its readers and is released when the garbage collector
 * finds it unreachable). Lazy storages are held only by their runtime Storage (`handle`), so a dead
 * temporary is ordinary young garbage: nothing to free, nothing to tell the fuser. Small storages (<= 64
 * elements: scalars, losses, biases) live in slots of shared "slab" buffers, so their kernels keep the
 * same bind groups from step to step. Ops it does not fuse (matmul, reductions over some axes, writes
 * into part of a storage) go to the one-op kernels of kernels.ts, after their inputs are materialized.
 */
import type { DType, Op, ReduceFn, View } from '../../runtime/protocol.ts';
import type { GpuBackend } from './client.ts';
import {
  checkedSum, combine, conv, ewAs, ewArity, ewCompute, ewExpr, ewSrc, ewWhat, F64_ERROR, fill, identity, kindOf, Meta, modeOf, numel, randomParams, scalarWord, store,
  toGpuWords, type CType, type EwOp, type Kind,
} from './kernels.ts';

/** Elements of the largest storage kept in a slab slot; slots come in two sizes, each size in its own
 * 1 MiB slabs: 4 words (scalars: 65536 a slab, so the tour's loop, which leaves a few dead scalars per
 * step, goes ~16000 steps between the forced collections that give their slots back) and 64 words. */
const SLOT_WORDS = 64;
const SMALL_WORDS = 4;
const SLAB_WORDS = 1 << 18;
/** Expression nodes a lazy storage may hold before it is materialized. */
const MAX_NODES = 48;
/** Metadata words one fused kernel may use (the worker's dynamic-offset window is 512 words). */
const MAX_META = 448;
/** Statements per fused kernel (bounds its WGSL size and compile time). */
const MAX_STMTS = 12;
/** Pending items that trigger a flush without waiting for the event loop. */
const MAX_PENDING = 32;
const WG = 256;
/** Random fills at least this long that feed a reduction are stashed for later kernels. */
const STASH_MIN = Number(process.env.TROUPE_GPU_STASH_MIN ?? 1 << 16);
/** Lengths with stash buffers at once (two buffers each). */
const STASH_LENGTHS = 4;
/** A reduction's first pass: each thread folds RED_J quads of every chunk of CHUNK elements it visits;
 * workgroup g takes chunks g, g + G, g + 2G… where G = min(chunks, RED_MAX_WG) is also the number of
 * partial results for the second pass. (TROUPE_GPU_RED_J / TROUPE_GPU_RED_MAXWG: tuning experiments;
 * for fixed values the order of every sum depends on its length only.) */
const RED_J = Math.max(1, Math.min(64, Number(process.env.TROUPE_GPU_RED_J ?? 4) | 0));
const CHUNK = 4 * WG * RED_J;
const RED_MAX_WG = Number(process.env.TROUPE_GPU_RED_MAXWG ?? 0) > 0 ? Number(process.env.TROUPE_GPU_RED_MAXWG) : Infinity;

interface Loc { buf: number; off: number; words: number; slab: boolean }
interface SlotClass { words: number; free: Loc[]; newest: { buf: number; next: number } | null }
/** One version of a materialized storage's contents, at a fixed place. */
class Cell {
  /** A lazy expression has read it: it must not be overwritten in place, and outlives its owner. */
  captured = false;
  /** Its storage has let go of it (moved, overwritten lazily, freed). */
  dropped = false;
  constructor(readonly loc: Loc) {}
}
/** box: what the garbage collector's callback sees of a materialized storage (its current cell). */
interface St { id: number; dtype: DType; numel: number; k: Kind; def: Node | null; cell: Cell | null; box: { cell: Cell | null } | null }
/** The fuser's record of a storage, kept by the runtime's Storage (`handle`). */
export type StHandle = St;
/** What the fuser needs of the runtime's storages an op touches. */
export interface StorageRef { id: number; handle: unknown }
type MakeRegistry = <T>(cb: (held: T) => void) => { register(target: object, held: T): void };

type Arg = { n: Node; from: Kind; as: CType | 'bool' } | { v: number; as: CType | 'bool' };
/** loads: the cells the node's expression reads; na: those read at another index than the thread's own
 * (strided, broadcast, under at0); mw: metadata words it needs, at most. */
type Node = { id: number; size: number; loads: Cell[]; na: Cell[]; mw: number; rand: boolean } & GenMemo & (
  | { t: 'load'; cell: Cell; mode: 'contig' | 'scalar' | 'strided'; offset: number; shape: number[]; strides: number[] }
  /** stashes: where a reduction stored this node's values, for the items numbered from..to-1. */
  | { t: 'rand'; normal: boolean; k0: number; k1: number; stream: number; stashes: Stash[] | null }
  /** src: the elementwise op (null: a constant, a conversion 'id' or a product 'dot'); tok: a number
   * for what the WGSL of this node depends on besides its operands (op, types), for kernel cache keys. */
  | { t: 'op'; c: CType; args: Arg[]; src: EwOp | null; what: string; k: Kind; konst: boolean; tok: number }
  | { t: 'at0'; x: Node }
);

interface Stash { loc: Loc; from: number; to: number }
type Item =
  | { t: 'st'; loc: Loc; len: number; n: Node; seq: number }
  /** sides: random values this reduction draws anyway, stored for later kernels (see reduceStmt). */
  /** chk: an int64 sum, whose adds record an overflow past 32 bits (kernels.ts combine). */
  | { t: 'red'; fn: ReduceFn; c: CType; n: Node; from: Kind; len: number; loc: Loc; k: Kind; sides: { loc: Loc; n: Node }[]; seq: number; chk: boolean }
  | { t: 'cmd'; run: () => void };

/** Scratch a kernel generator keeps on each node it visits (valid while gs is its stamp): no maps. */
interface GenMemo { gs: number; gi: number; gslot: number; w0: number; w1: number; w2: number; w3: number; wz: number; rb: number; rbz: number }
let nextNode = 1;
/** Small numbers for node tokens (kernel cache keys are strings of such numbers): by what the node
 * computes, then by a number packing its types. */
const toks = new Map<string, Map<number, number>>();
let nextTok = 1;
function tokId(what: string, sig: number): number {
  let m = toks.get(what);
  if (!m) toks.set(what, (m = new Map()));
  let i = m.get(sig);
  if (i === undefined) { i = nextTok++; m.set(sig, i); }
  return i;
}
const TYPE_CODE: Record<string, number> = { f32: 1, i32: 2, bool: 3 };
function opExpr(n: Extract<Node, { t: 'op' }>, v: string[]): string {
  if (n.src) return ewExpr(n.src, n.c, v);
  return n.what === 'dot' ? `${v[0]} * ${v[1]}` : n.what === 'dot!' ? `lchk_mul(${v[0]}, ${v[1]})` : v[0];
}
const prod = numel;
/** Shared by every node that loads nothing (never mutated: see union). */
const NO_CELLS: Cell[] = [];
/** a ∪ b, as one of them when the other adds nothing (node load lists are shared, never mutated). */
function union(a: Cell[], b: Cell[]): Cell[] {
  if (!b.length || a === b) return a;
  if (!a.length) return b;
  let out = a;
  for (let i = 0; i < b.length; i++) {
    if (out.includes(b[i])) continue;
    if (out === a) out = a.slice();
    out.push(b[i]);
  }
  return out;
}

export interface FuserStats { materialized: number; slabs: number; residentBytes: number; kernels: number; statements: number }

export class Fuser {
  private cur: StorageRef[] = [];
  /** One shared zero constant per storage kind (nodes never change). */
  private zeros: Partial<Record<Kind, Node>> = {};
  /** Dead captured cells give their memory back (held: the place). */
  private cells: { register(target: object, held: Loc): void };
  /** Dead materialized storages drop their cell (held: the cell, which does not reach the storage). */
  private owners: { register(target: object, held: { cell: Cell | null }): void };
  private materializedCount = 0;
  private items: Item[] = [];
  private scheduled = false;
  private nextPhys = 1;
  private slabs: number[] = [];
  /** Slab slots by size (4 words, 64 words): slots given back, and the newest slab with its first
   * never-used word (null before the first slab of that size). */
  private slots: SlotClass[] = [{ words: SMALL_WORDS, free: [], newest: null }, { words: SLOT_WORDS, free: [], newest: null }];
  private scratch: { id: number; words: number } | null = null;
  private maxBuffers: number;
  /** Bytes of GPU memory held for materialized storages (slabs included). */
  residentBytes = 0;
  private counts = { kernels: 0, statements: 0 };

  /**
   * makeRegistry: FinalizationRegistries whose callbacks `collect` also runs (the runtime's gc.ts);
   * collect: a full collection, used before growing the slabs (dead scalars give their slots back).
   */
  constructor(private gpu: GpuBackend, makeRegistry?: MakeRegistry, private collect?: () => void) {
    const make: MakeRegistry = makeRegistry ?? (<T>(cb: (h: T) => void) => new FinalizationRegistry<T>(cb));
    this.cells = make<Loc>((loc) => this.releaseLoc(loc));
    this.owners = make<{ cell: Cell | null }>((box) => { if (box.cell) this.dropOwned(box.cell); });
    this.maxBuffers = Math.max(4, (gpu.limits.maxStorageBuffersPerShaderStage ?? 8) - 1);
  }

  // ---- storages -------------------------------------------------------------------------------------

  alloc(id: number, dtype: DType, numel: number): St {
    if (dtype === 'float64') throw new Error(F64_ERROR);
    const k = kindOf(dtype);
    if (!(Number.isInteger(numel) && numel >= 0)) throw new Error(`gpu: bad element count ${numel}`);
    // A new storage reads as zeros (as on the CPU) until something writes it: a constant, lazily.
    return { id, dtype, numel, k, def: (this.zeros[k] ??= this.constNode(0, k)), cell: null, box: null };
  }

  /** The storage was disposed: its memory (if it has any) goes back now. */
  free(st: St): void {
    st.def = null;
    this.dropCell(st);
  }

  upload(st: St, data: ArrayLike<number>): void {
    const words = toGpuWords(st.dtype, data as ArrayLike<number>);
    if (words.length > st.numel) throw new Error(`gpu: upload of ${words.length} elements into a storage of ${st.numel}`);
    const loc = words.length === st.numel ? this.target(st) : this.materialized(st);
    const buf = words.buffer as ArrayBuffer;
    this.pushCmd(() => this.gpu.uploadWords(loc.buf, loc.off, buf));
  }

  async read(st: St): Promise<Float32Array | Int32Array | Uint8Array> {
    const loc = this.materialized(st);
    this.flush();
    return this.gpu.read(loc.buf, st.dtype, st.numel, loc.off);
  }

  async stats() {
    this.flush();
    const s = await this.gpu.stats();
    return { ...s, fuser: { materialized: this.materializedCount, slabs: this.slabs.length, residentBytes: this.residentBytes, ...this.counts } as FuserStats };
  }

  /** The record of buffer `id` among the storages of the op being taken. */
  private get(id: number): St {
    const cur = this.cur;
    for (let i = 0; i < cur.length; i++) if (cur[i].id === id) return cur[i].handle as St;
    throw new Error(`gpu: unknown buffer id ${id}`);
  }

  private allocLoc(st: St): Loc {
    if (st.numel <= SLOT_WORDS) {
      const sc = this.slots[st.numel <= SMALL_WORDS ? 0 : 1];
      const { words, free, newest } = sc;
      let loc = free.pop();
      if (!loc && newest && newest.next + words <= SLAB_WORDS) {
        // Slots never used yet are carved off the newest slab on demand (a slab holds 65536 scalars:
        // making them all up front cost ~30 ms of a cold run's first step).
        loc = { buf: newest.buf, off: newest.next, words, slab: true };
        newest.next += words;
      }
      if (!loc && newest && this.collect) {
        // A loop whose awaits are all microtasks never runs finalizers by itself: find the dead
        // scalars now (a few ms, once per ~16000 steps of the tour's loop) rather than grow.
        this.collect();
        loc = free.pop();
      }
      if (!loc) {
        const buf = this.nextPhys++;
        this.slabs.push(buf);
        this.residentBytes += SLAB_WORDS * 4;
        this.gpu.alloc(buf, 'float32', SLAB_WORDS, true); // at once: see allocLoc's note below
        sc.newest = { buf, next: words };
        loc = { buf, off: 0, words, slab: true };
      }
      return loc;
    }
    const buf = this.nextPhys++;
    const { dtype, numel } = st;
    this.residentBytes += numel * 4;
    // A new buffer (ids are never reused) depends on nothing pending, so it is created at once rather
    // than queued: an allocation never cuts the pending statements into more kernels, and a kernel's
    // structure does not depend on whether a buffer happened to be created in its step.
    this.gpu.alloc(buf, dtype, numel);
    return { buf, off: 0, words: numel, slab: false };
  }

  private releaseLoc(loc: Loc): void {
    if (loc.slab) { this.slots[loc.words === SMALL_WORDS ? 0 : 1].free.push(loc); return; }
    this.residentBytes -= loc.words * 4;
    this.pushCmd(() => this.gpu.free(loc.buf));
  }

  private setCell(st: St, loc: Loc): Loc {
    const c = new Cell(loc);
    st.cell = c;
    this.materializedCount++;
    if (st.box) st.box.cell = c;
    else this.owners.register(st, (st.box = { cell: c })); // once per storage, however often it moves
    return loc;
  }
  /** The storage lets go of its memory; lazy readers, if any, keep the cell until they die. */
  private dropCell(st: St): void {
    const c = st.cell;
    st.cell = null;
    if (st.box) st.box.cell = null;
    if (c) this.dropOwned(c);
  }
  private dropOwned(c: Cell): void {
    if (c.dropped) return;
    c.dropped = true;
    this.materializedCount--;
    if (c.captured) this.cells.register(c, c.loc);
    else this.releaseLoc(c.loc);
  }

  /** Memory for a statement that overwrites all of `st` (its old contents are not needed). */
  private target(st: St): Loc {
    if (st.def) st.def = null;
    else if (st.cell && !st.cell.captured) return st.cell.loc;
    else this.dropCell(st);
    return this.setCell(st, this.allocLoc(st));
  }

  /** Makes `st` hold its value in memory (a store statement when it is lazy) and returns where. */
  private materialized(st: St): Loc {
    if (st.cell) return st.cell.loc;
    const n = st.def!;
    st.def = null;
    const loc = this.setCell(st, this.allocLoc(st));
    this.push({ t: 'st', loc, len: st.numel, n, seq: this.seq++ });
    return loc;
  }

  /** Memory `st` can be written in place at, keeping its current contents (moved when lazy readers need the old ones). */
  private writable(st: St): Loc {
    const loc = this.materialized(st);
    const c = st.cell!;
    if (!c.captured) return loc;
    const n = this.loadNode(c, [st.numel], [1], 0);
    this.dropCell(st);
    const to = this.setCell(st, this.allocLoc(st));
    this.push({ t: 'st', loc: to, len: st.numel, n, seq: this.seq++ });
    return to;
  }

  // ---- nodes ----------------------------------------------------------------------------------------

  private constNode(v: number, k: Kind): Node {
    const c: CType = k === 'f32' ? 'f32' : 'i32';
    return { gs: 0, gi: 0, gslot: -1, w0: -1, w1: -1, w2: -1, w3: -1, wz: -1, rb: -1, rbz: -1, id: nextNode++, size: 1, loads: NO_CELLS, na: NO_CELLS, mw: 1, rand: false, t: 'op', c, args: [{ v, as: c }], src: null, what: 'k', k, konst: true, tok: tokId('k', TYPE_CODE[c] * 4 + TYPE_CODE[k]) };
  }
  private loadNode(cell: Cell, shape: number[], strides: number[], offset: number): Node {
    const mode = modeOf(shape, strides);
    const aligned = mode === 'contig' && offset === 0;
    const loads = [cell];
    return { gs: 0, gi: 0, gslot: -1, w0: -1, w1: -1, w2: -1, w3: -1, wz: -1, rb: -1, rbz: -1, id: nextNode++, size: 1, loads, na: aligned ? NO_CELLS : loads, mw: 1 + (mode === 'strided' ? 2 * shape.length : 0), rand: false, t: 'load', cell, mode, offset, shape, strides };
  }

  /** An operand of an elementwise op over `shape`: an inline scalar, an inlined lazy value, or a load. */
  private arg(src: View | number, as: CType | 'bool', shape: number[]): Arg {
    if (typeof src === 'number') return { v: src, as };
    const st = this.get(src.buf);
    const from = kindOf(src.dtype);
    if (st.def) {
      const n = prod(shape);
      const identity = src.offset === 0 && n === st.numel && modeOf(shape, src.strides) === 'contig';
      if (identity) {
        if (this.collecting && st.def.t === 'rand') this.randInlined.push(st.def);
        return { n: st.def, from, as };
      }
      if (st.numel === 1 && src.offset === 0) {
        const x = st.def;
        return { n: { gs: 0, gi: 0, gslot: -1, w0: -1, w1: -1, w2: -1, w3: -1, wz: -1, rb: -1, rbz: -1, id: nextNode++, size: x.size + 1, loads: x.loads, na: x.loads, mw: x.mw, rand: x.rand, t: 'at0', x }, from, as };
      }
      this.materialized(st);
    }
    return { n: this.loadNode(st.cell!, shape, src.strides, src.offset), from, as };
  }

  private opNode(c: CType, args: Arg[], src: EwOp | null, k: Kind, what: string): Node {
    let size = 1, rand = false, mw = 0, nodes = 0;
    let loads = NO_CELLS, na = NO_CELLS;
    let sig = TYPE_CODE[c] * 4 + TYPE_CODE[k];
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if ('n' in a) {
        size += a.n.size; rand ||= a.n.rand; mw += a.n.mw; nodes++;
        loads = union(loads, a.n.loads); na = union(na, a.n.na);
        sig = sig * 32 + TYPE_CODE[a.from] * 4 + TYPE_CODE[a.as];
      } else { sig = sig * 32 + 16 + TYPE_CODE[a.as]; mw++; }
    }
    return { gs: 0, gi: 0, gslot: -1, w0: -1, w1: -1, w2: -1, w3: -1, wz: -1, rb: -1, rbz: -1, id: nextNode++, size, loads, na, mw, rand, t: 'op', c, args, src, what, k, konst: nodes === 0, tok: tokId(what, sig) };
  }

  // ---- ops --------------------------------------------------------------------------------------------

  /** Takes one op; `sts` are the storages it touches (their handles are this fuser's records). */
  exec(op: Op, sts: StorageRef[]): void {
    this.cur = sts;
    switch (op.op) {
      case 'unary': case 'binary': case 'where': case 'fill': case 'copy': case 'random':
        if (this.whole(op.out)) return this.elementwise(op);
        break;
      case 'reduce':
        if (op.fn === 'argmax' || op.fn === 'argmin') throw new Error(`internal: gpu: ${op.fn} reaches the GPU composed by the frontend, not as a reduction`);
        if (prod(op.out.shape) === 1 && this.whole(op.out) && prod(op.x.shape) > 0) return this.reduce(op.fn, op.x, op.out);
        break;
      case 'matmul': {
        const r = op.out.shape.length;
        if (prod(op.out.shape) === 1 && this.whole(op.out) && r >= 2 && op.a.shape[r - 1] > 0) return this.dot(op);
        break;
      }
    }
    this.passThrough(op);
  }

  /** Whether a view is all of its storage, in order. */
  private whole(v: View): boolean {
    const st = this.get(v.buf);
    return v.offset === 0 && prod(v.shape) === st.numel && modeOf(v.shape, v.strides) === 'contig';
  }

  private elementwise(op: EwOp | Extract<Op, { op: 'random' }>): void {
    const st = this.get(op.out.buf);
    const k = kindOf(op.out.dtype);
    if (prod(op.out.shape) === 0) return;
    let node: Node;
    let inPlace = false;
    if (op.op === 'random') {
      const { k0, k1, stream } = randomParams(op);
      node = { gs: 0, gi: 0, gslot: -1, w0: -1, w1: -1, w2: -1, w3: -1, wz: -1, rb: -1, rbz: -1, id: nextNode++, size: 8, loads: NO_CELLS, na: NO_CELLS, mw: 3, rand: true, t: 'rand', normal: op.dist === 'normal', k0, k1, stream, stashes: null };
    } else {
      const c = ewCompute(op);
      const n = ewArity(op);
      const args: Arg[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const src = ewSrc(op, i);
        if (typeof src !== 'number' && src.buf === st.id) inPlace = true;
        args[i] = this.arg(src, ewAs(op, i, c), op.out.shape);
      }
      node = this.opNode(c, args, op, k, ewWhat(op, c));
    }
    this.define(st, node, inPlace);
  }

  /** `st` (all of it) now holds `node`'s value. */
  private define(st: St, node: Node, inPlace: boolean): void {
    if (st.cell && inPlace) {
      // An update of a materialized storage: a statement, now (into new memory if lazy readers hold the old).
      const loc = st.cell.captured ? this.target(st) : st.cell.loc;
      this.push({ t: 'st', loc, len: st.numel, n: node, seq: this.seq++ });
      return;
    }
    const wasConst = st.def !== null && st.def.t === 'op' && st.def.konst;
    if (st.def) st.def = null; else this.dropCell(st);
    st.def = node;
    // Updated in place (unless it was a constant), or grown large: compute it now rather than carry it.
    if ((inPlace && !wasConst) || node.size > MAX_NODES) { this.materialized(st); return; }
    for (const c of node.loads) c.captured = true;
  }

  /** Random fills inlined whole (by identity) since reset: reduceStmt may stash them. */
  private randInlined: Node[] = [];
  private collecting = false;
  /** Stash buffers by length: two, used in turn; each remembers the node it holds. */
  private stashBufs = new Map<number, { loc: Loc; holder: Stash | null }[]>();
  private seq = 0;
  private stashTurn = 0;

  private reduce(fn: ReduceFn, x: View, out: View): void {
    const kx = kindOf(x.dtype), ko = kindOf(out.dtype);
    const c: CType = kx === 'f32' || ko === 'f32' ? 'f32' : 'i32';
    const len = prod(x.shape);
    this.randInlined.length = 0;
    this.collecting = true;
    const a = this.arg(x, c, x.shape) as { n: Node; from: Kind };
    this.collecting = false;
    this.reduceStmt(fn, c, a.n, a.from, len, out);
  }

  private dot(op: Extract<Op, { op: 'matmul' }>): void {
    const { a, b, out } = op;
    const r = out.shape.length;
    const K = a.shape[r - 1];
    const c: CType = [a, b, out].some((v) => kindOf(v.dtype) === 'f32') ? 'f32' : 'i32';
    const av: View = { buf: a.buf, dtype: a.dtype, shape: [K], strides: [a.strides[r - 1]], offset: a.offset };
    const bv: View = { buf: b.buf, dtype: b.dtype, shape: [K], strides: [b.strides[r - 2]], offset: b.offset };
    const kc: Kind = c;
    this.randInlined.length = 0;
    this.collecting = true;
    // ('dot!': int64 products, checked as int64 sums are; see kernels.ts ewChecked)
    const n = this.opNode(c, [this.arg(av, c, [K]), this.arg(bv, c, [K])], null, kc, checkedSum('sum', c, out.dtype) ? 'dot!' : 'dot');
    this.collecting = false;
    this.reduceStmt('sum', c, n, kc, K, out);
  }

  private reduceStmt(fn: ReduceFn, c: CType, n: Node, from: Kind, len: number, out: View): void {
    const st = this.get(out.buf);
    const k = kindOf(out.dtype);
    if (len === 1) {
      // A reduction of one element is a conversion: keep it lazy.
      this.define(st, this.opNode(c, [{ n, from, as: c }], null, k, 'id'), false);
      return;
    }
    // A large random fill that feeds a reduction is usually needed again (autograd keeps the input of
    // a dot for its gradient): drawing it again in a later kernel costs more than storing it from the
    // reduction's own pass and reading it back (a 10M-element normal fill: ~100 us of Philox and
    // Box-Muller on an H100, vs ~27 us to write and read 40 MB). The values go to one of two stash
    // buffers the fuser owns (used in turn, never freed), so nothing waits for the garbage collector;
    // later statements read the stash while it still holds them, and draw them again otherwise.
    const seq = this.seq++;
    const sides: { loc: Loc; n: Node }[] = [];
    for (const r of this.randInlined) {
      if (r.t !== 'rand' || len < STASH_MIN || sides.some((x) => x.n === r)) continue;
      if (r.stashes && r.stashes.some((x) => x.to === Infinity)) continue; // stashed already
      const slot = this.stashSlots(len, seq)[this.stashTurn++ & 1];
      if (slot.holder) slot.holder.to = seq; // what it held is drawn again by items from now on
      const sh: Stash = { loc: slot.loc, from: seq + 1, to: Infinity };
      slot.holder = sh;
      (r.stashes ??= []).push(sh);
      sides.push({ loc: slot.loc, n: r });
    }
    this.randInlined.length = 0;
    const loc = this.target(st);
    this.push({ t: 'red', fn, c, n, from, len, loc, k, sides, seq, chk: checkedSum(fn, c, out.dtype) });
  }

  /** The two stash buffers for `len` (made when missing); `seq`: the item that asks, which may not
   * read a stash given back here. */
  private stashSlots(len: number, seq: number): { loc: Loc; holder: Stash | null }[] {
    let l = this.stashBufs.get(len);
    if (l) { this.stashBufs.delete(len); this.stashBufs.set(len, l); } // most recently used last
    if (!l) {
      if (this.stashBufs.size >= STASH_LENGTHS) {
        // Give back the stash of the length used longest ago; what it held is drawn again from now on.
        const [oldLen, old] = this.stashBufs.entries().next().value!;
        this.stashBufs.delete(oldLen);
        for (const sl of old) {
          if (sl.holder) sl.holder.to = Math.min(sl.holder.to, seq);
          const buf = sl.loc.buf;
          this.residentBytes -= oldLen * 4;
          this.pushCmd(() => this.gpu.free(buf));
        }
      }
      l = [];
      for (let i = 0; i < 2; i++) {
        const buf = this.nextPhys++;
        this.residentBytes += len * 4;
        this.gpu.alloc(buf, 'float32', len, true); // at once, as in allocLoc
        l.push({ loc: { buf, off: 0, words: len, slab: false }, holder: null });
      }
      this.stashBufs.set(len, l);
    }
    return l;
  }

  private passThrough(op: Op): void {
    const o = op as unknown as Record<string, unknown>;
    const tr: Record<string, unknown> = { ...o };
    for (const f of ['x', 'a', 'b', 'cond', 'index', 'src'] as const) {
      const v = o[f] as View | number | undefined;
      if (v === undefined || typeof v === 'number') continue;
      const loc = this.materialized(this.get(v.buf));
      tr[f] = { ...v, buf: loc.buf, offset: v.offset + loc.off };
    }
    const out = op.out;
    const st = this.get(out.buf);
    const loc = this.whole(out) ? this.target(st) : this.writable(st);
    tr.out = { ...out, buf: loc.buf, offset: out.offset + loc.off };
    const top = tr as unknown as Op;
    this.pushCmd(() => this.gpu.exec(top));
  }

  // ---- flushing -----------------------------------------------------------------------------------------

  private closed = false;
  private failure: Error | null = null;
  /** A command for the client, in order with the pending statements. The function comes as an argument,
   * not in an object literal: tsx (esbuild's keepNames) wraps a closure written as `{ run: () => … }` in a
   * call that names it (Object.defineProperty: ~0.45 µs against ~0.02 µs), and one is made at every free. */
  private pushCmd(run: () => void): void { this.push({ t: 'cmd', run }); }
  private push(it: Item): void {
    if (this.closed) return; // a storage collected after shutdown: nothing left to free
    this.items.push(it);
    if (this.items.length >= MAX_PENDING) this.flush(true);
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        try { this.flush(); } catch (e) { this.failure ??= e instanceof Error ? e : new Error(String(e)); }
      });
    }
  }

  /** Sends what is pending, then ignores everything (the GPU actor is shutting down). */
  close(): void {
    try { this.flush(); } finally { this.closed = true; this.items = []; }
  }

  /**
   * Compiles the pending items into kernels and hands them to the GPU client, in order. `partial`
   * keeps the last kernel's statements pending (more may join it), so where a long stream is cut does
   * not change its kernels: a training loop reuses the same few pipelines every step.
   */
  flush(partial = false): void {
    if (this.failure) { const f = this.failure; this.failure = null; throw f; }
    if (this.closed) return;
    if (!this.items.length) { this.gpu.flush(); return; }
    const items = this.items;
    this.items = [];
    let group: Group | null = null;
    let start = 0;
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (it.t === 'cmd') { this.emit(group); group = null; it.run(); continue; }
      if (group && group.take(it)) continue;
      this.emit(group);
      group = new Group(it, this.maxBuffers);
      start = i;
    }
    if (partial && group) this.items = items.slice(start);
    else this.emit(group);
    this.gpu.flush();
  }

  private emit(g: Group | null): void {
    if (!g) return;
    this.counts.kernels++;
    this.counts.statements += g.items.length;
    if (g.kind === 'st') {
      const d = compileStores(g.items as Extract<Item, { t: 'st' }>[]);
      this.gpu.dispatch(d);
      return;
    }
    const reds = g.items.filter((x) => x.t === 'red');
    const nch = Math.min(Math.ceil(g.L / CHUNK), RED_MAX_WG);
    let scratch = -1;
    if (nch > 1) {
      const words = nch * reds.length;
      if (!this.scratch || this.scratch.words < words) {
        if (this.scratch) { this.gpu.free(this.scratch.id); this.residentBytes -= this.scratch.words * 4; }
        const w = Math.max(words, 1 << 14);
        this.scratch = { id: this.nextPhys++, words: w };
        this.residentBytes += w * 4;
        this.gpu.alloc(this.scratch.id, 'float32', w, true);
      }
      scratch = this.scratch.id;
    }
    for (const d of compileReduce(g.items as Exclude<Item, { t: 'cmd' }>[], nch, scratch)) this.gpu.dispatch(d);
  }
}

// ---- grouping -------------------------------------------------------------------------------------------

/** Slab slots are at most 2^18 words into their buffer; other storages start at 0. */
const locKey = (l: Loc) => l.buf * SLAB_WORDS + l.off;

const scratchBufs: number[] = [];

/**
 * The items of one kernel. 'st': stores only, one thread per quad. 'red': reductions of one length L
 * (a workgroup per 4096 elements), and stores of at most L elements in the same loop: an update of w
 * and the next step's dots over w run as one kernel, each thread reading back what it just wrote.
 */
class Group {
  kind: 'st' | 'red';
  items: Item[] = [];
  /** The reductions' length (kind 'red'); the longest store. */
  L = 0;
  private maxLen = 0;
  // Small lists, not Sets: a kernel has at most MAX_STMTS statements and maxBuffers bindings, and a
  // linear scan of a few numbers is cheaper than hashing (and this runs for every statement of every step).
  private writes: number[] = [];
  /** Bindings kept for the stash buffers. */
  private stashes = 0;
  /** Reduction results (written by one thread at the end): never read in the same kernel. */
  private outs: number[] = [];
  private unaligned: number[] = [];
  private bufs: number[] = [];
  private meta = 4;
  /** first: null only for the shape anchor at the end of this file. */
  constructor(first: Item | null, private maxBuffers: number) {
    this.kind = first?.t === 'red' ? 'red' : 'st';
    if (first && !this.take(first, true)) throw new Error('internal: a statement does not fit an empty kernel');
  }
  take(it: Item, force = false): boolean {
    if (it.t === 'cmd') return false;
    const red = this.kind === 'red' || it.t === 'red';
    if (it.t === 'red' && this.kind === 'red' && this.items.length && it.len !== this.L) return false;
    if (it.t === 'red' && this.maxLen > it.len) return false;
    if (it.t === 'st' && this.kind === 'red' && it.len > this.L) return false;
    if (this.items.length >= MAX_STMTS && !force) return false;
    const { loads, na } = it.n;
    const sides = it.t === 'red' ? it.sides : [];
    const m = it.n.mw + 4 + sides.length;
    const w = locKey(it.loc);
    if (!force) {
      if (this.meta + m > MAX_META) return false;
      // Bindings: the group's, the item's new ones, the scratch of a reduction and the two stash
      // buffers random values may be read from.
      const seen = scratchBufs;
      seen.length = 0;
      addNew(seen, this.bufs, it.loc.buf);
      for (let i = 0; i < sides.length; i++) addNew(seen, this.bufs, sides[i].loc.buf);
      for (let i = 0; i < loads.length; i++) addNew(seen, this.bufs, loads[i].loc.buf);
      const extra = seen.length + (red ? 1 : 0) + (it.n.rand && !this.stashes ? 2 : 0) + this.stashes;
      if (this.bufs.length + extra > this.maxBuffers) return false;
      // Reading what this kernel writes: only at the writing thread's own index, never a reduction's result.
      for (let i = 0; i < loads.length; i++) {
        const key = locKey(loads[i].loc);
        if (this.outs.includes(key) || (this.writes.includes(key) && na.includes(loads[i]))) return false;
      }
      if (this.unaligned.includes(w) || this.outs.includes(w)) return false;
      for (let i = 0; i < sides.length; i++) {
        const key = locKey(sides[i].loc);
        if (this.unaligned.includes(key) || this.outs.includes(key)) return false;
      }
      if (it.t === 'red') for (let i = 0; i < loads.length; i++) if (locKey(loads[i].loc) === w) return false;
    }
    if (it.t === 'red') { this.kind = 'red'; this.L = it.len; }
    this.maxLen = Math.max(this.maxLen, it.len);
    this.items.push(it);
    this.meta += m;
    if (it.n.rand) this.stashes = 2;
    addOnce(this.bufs, it.loc.buf);
    for (let i = 0; i < sides.length; i++) { addOnce(this.bufs, sides[i].loc.buf); addOnce(this.writes, locKey(sides[i].loc)); }
    for (let i = 0; i < loads.length; i++) addOnce(this.bufs, loads[i].loc.buf);
    addOnce(it.t === 'red' ? this.outs : this.writes, w);
    for (let i = 0; i < na.length; i++) addOnce(this.unaligned, locKey(na[i].loc));
    return true;
  }
}
function addOnce(list: number[], x: number): void { if (!list.includes(x)) list.push(x); }
/** Adds x to `to` when neither `have` nor `to` holds it. */
function addNew(to: number[], have: number[], x: number): void { if (!have.includes(x) && !to.includes(x)) to.push(x); }

// ---- code generation -------------------------------------------------------------------------------------


class Binder {
  list: { buf: number; write: boolean }[] = [];
  index(buf: number, write: boolean): number {
    const l = this.list;
    let i = 0;
    while (i < l.length && l[i].buf !== buf) i++;
    if (i === l.length) l.push({ buf, write }); else if (write) l[i].write = true;
    return i;
  }
  of(buf: number, write = false): string { return `b${this.index(buf, write) + 1}`; }
  wgsl(): string {
    return this.list.map((b, i) => `@group(0) @binding(${i + 1}) var<storage, ${b.write ? 'read_write' : 'read'}> b${i + 1}: array<u32>;`).join('\n');
  }
}

/** A kernel ready for the client: `key` names its WGSL (built by `wgsl()` only the first time a key is seen). */
export interface FusedDispatch { key: string; wgsl: () => string; rw: boolean[]; bufs: number[]; meta: Uint32Array; groups: number }

/**
 * Emits WGSL `let`s for expression nodes; every node is computed once per lane (or once for lane 'z':
 * element 0). Run twice per kernel at most: always with emit = false, which only lays out the metadata
 * and builds the cache key (numbers: what the WGSL depends on) from lane 0 (lanes 1-3 have the same
 * structure and metadata), and with emit = true, all lanes, when that key is new.
 * word() returns the number of the node's `let` (named v<number>).
 */
const LANE_Z = 4;
/** Scratch arrays for op operands, one per recursion depth (word() recurses through op nodes); shared
 * by all generators, which never run interleaved. */
const WS_POOL: number[][] = [];
/** The stash that holds a random node's values for item number `cur`, if any. */
function stashFor(stashes: Stash[] | null, cur: number): Stash | undefined {
  if (stashes) for (let i = 0; i < stashes.length; i++) if (stashes[i].from <= cur && cur < stashes[i].to) return stashes[i];
  return undefined;
}
const KEY = new Uint16Array(1 << 16);
/** Kernel keys made so far, by a hash of their tokens (see Gen.keyString). */
const KEY_STRINGS = new Map<number, { kind: string; toks: Uint16Array; key: string }[]>();
let genStamp = 1;
class Gen {
  lines: string[] = [];
  /** The cache key so far: KEY[0..klen). */
  klen = 0;
  private stamp = genStamp++;
  private count = 0;
  hasRand = false;
  /** The number of the item being generated (which stashes it may read). */
  cur = 0;
  private seq = 0;
  private stashTurn = 0;
  constructor(private md: Meta, private b: Binder, private quad: string, private indent: string, readonly emit: boolean) {}
  line(l: string): void { if (this.emit) this.lines.push(l); }
  private wsDepth = 0;
  /** Appends tokens (0..0xffff) to the key; a, b, c, d: -1 = absent. */
  key(a: number, b = -1, c = -1, d = -1): void {
    if (this.klen + 4 > KEY.length) throw new Error('gpu: fused kernel too large for its cache key');
    if (!(a <= 0xffff && b <= 0xffff && c <= 0xffff && d <= 0xffff)) throw new Error('internal: kernel key token out of range');
    KEY[this.klen++] = a;
    if (b >= 0) KEY[this.klen++] = b;
    if (c >= 0) KEY[this.klen++] = c;
    if (d >= 0) KEY[this.klen++] = d;
  }
  /**
   * The kernel's cache key: `kind`, then its bindings' modes (read or read_write), then the tokens.
   * A key seen before comes back as the same string, found by a hash of the tokens (no string is built
   * and hashed per kernel: the tour's step makes two kernels per epoch, each a few hundred tokens).
   */
  keyString(kind: string, b: Binder): string {
    const l = b.list;
    for (let i = 0; i < l.length; i++) this.key(l[i].write ? 2 : 1);
    let h = 0x811c9dc5;
    for (let i = 0; i < kind.length; i++) h = Math.imul(h ^ kind.charCodeAt(i), 0x01000193);
    for (let i = 0; i < this.klen; i++) h = Math.imul(h ^ KEY[i], 0x01000193);
    const seen = KEY_STRINGS.get(h);
    if (seen) {
      for (let j = 0; j < seen.length; j++) {
        const e = seen[j];
        if (e.kind !== kind || e.toks.length !== this.klen) continue;
        let same = true;
        for (let i = 0; same && i < this.klen; i++) same = e.toks[i] === KEY[i];
        if (same) return e.key;
      }
    }
    let key = `${kind}|`;
    for (let i = 0; i < this.klen; i += 4096) key += String.fromCharCode.apply(null, KEY.subarray(i, Math.min(this.klen, i + 4096)) as unknown as number[]);
    if (KEY_STRINGS.size >= 4096) KEY_STRINGS.clear();
    const e = { kind, toks: KEY.slice(0, this.klen), key };
    if (seen) seen.push(e); else KEY_STRINGS.set(h, [e]);
    return key;
  }
  /** The u32 word of node n at lane 0..3 of the thread's quad, or LANE_Z (element 0). */
  word(n: Node, lane: number): number {
    if (n.gs !== this.stamp) {
      n.gs = this.stamp; n.gi = this.count++; n.gslot = -1;
      n.w0 = n.w1 = n.w2 = n.w3 = n.wz = n.rb = n.rbz = -1;
    }
    const hit = lane === 0 ? n.w0 : lane === 1 ? n.w1 : lane === 2 ? n.w2 : lane === 3 ? n.w3 : n.wz;
    if (hit >= 0) return hit;
    this.key(13, n.gi);
    let slot: number | undefined = n.gslot >= 0 ? n.gslot : undefined;
    const first = slot === undefined;
    let e = '';
    switch (n.t) {
      case 'load': {
        const bi = this.b.index(n.cell.loc.buf, false);
        const bind = this.emit ? `b${bi + 1}` : '';
        if (slot === undefined) {
          slot = this.md.push1(n.cell.loc.off + n.offset);
          if (n.mode === 'strided') { this.md.pushAll(n.shape); this.md.pushAll(n.strides); }
          n.gslot = slot;
        }
        const base = slot;
        if (n.mode === 'contig' && lane !== LANE_Z) { this.key(1, bi, lane); if (this.emit) e = `${bind}[md[${base}u] + i${lane}]`; }
        else if (n.mode !== 'strided' || lane === LANE_Z) { this.key(2, bi); if (this.emit) e = `${bind}[md[${base}u]]`; }
        else {
          const R = n.shape.length;
          const sh = base + 1, str = base + 1 + R;
          this.key(3, bi, R, lane);
          const pre = this.emit ? `x${this.seq}` : '';
          this.seq++;
          if (this.emit) {
            this.line(`${this.indent}var ${pre} = i${lane}; var ${pre}x = md[${base}u];`);
            for (let d = R - 1; d > 0; d--) this.line(`${this.indent}${pre}x = ${pre}x + (${pre} % md[${sh + d}u]) * md[${str + d}u]; ${pre} = ${pre} / md[${sh + d}u];`);
            this.line(`${this.indent}${pre}x = ${pre}x + ${pre} * md[${str}u];`);
            e = `${bind}[${pre}x]`;
          }
        }
        break;
      }
      case 'rand': {
        const z = lane === LANE_Z;
        const sh = z ? undefined : stashFor(n.stashes, this.cur);
        if (sh) {
          // Stored by an earlier reduction: read it (lane = element i of the thread's quad).
          const bi = this.b.index(sh.loc.buf, false);
          this.key(15, bi, lane);
          if (this.emit) e = `b${bi + 1}[i${lane}]`;
          break;
        }
        this.hasRand = true;
        let blk = z ? n.rbz : n.rb;
        if (blk < 0) {
          blk = this.seq++;
          const at = this.md.push3(n.k0, n.k1, n.stream);
          this.key(4, n.normal ? 1 : 0, z ? 1 : 0);
          if (this.emit) {
            const x = `philox4x32_10(vec4<u32>(${z ? '0u' : this.quad}, 0u, md[${at + 2}u], 0u), vec2<u32>(md[${at}u], md[${at + 1}u]))`;
            this.line(`${this.indent}let rb${blk}x = ${x};`);
            this.line(n.normal ? `${this.indent}let rb${blk} = philox_normal4(rb${blk}x);`
              : `${this.indent}let rb${blk} = vec4<f32>(philox_uniform(rb${blk}x.x), philox_uniform(rb${blk}x.y), philox_uniform(rb${blk}x.z), philox_uniform(rb${blk}x.w));`);
          }
          if (z) n.rbz = blk; else n.rb = blk;
        }
        this.key(5, blk, lane);
        if (this.emit) e = `bitcast<u32>(rb${blk}[${z ? 0 : lane}])`;
        break;
      }
      case 'at0': {
        const w = this.word(n.x, LANE_Z);
        this.key(6, w);
        if (this.emit) e = `v${w}`;
        break;
      }
      case 'op': {
        const args = n.args;
        const depth = this.wsDepth++;
        // Filled by index, never truncated: `length = 0` would drop the array's storage, and every push
        // after it would allocate again.
        const ws = (WS_POOL[depth] ??= []);
        let nw = 0;
        if (first) {
          // The node's inline scalars, once for all lanes.
          slot = this.md.length;
          for (const a of args) if (!('n' in a)) this.md.push1(scalarWord(a.v, a.as));
          n.gslot = slot;
        }
        let sc = slot!;
        for (let i = 0; i < args.length; i++) {
          const a = args[i];
          ws[nw++] = 'n' in a ? this.word(a.n, lane) : -1 - sc++;
        }
        this.wsDepth = depth;
        this.key(7, n.tok);
        for (let i = 0; i < nw; i++) this.key(ws[i] >= 0 ? ws[i] : 0xffff);
        if (this.emit) {
          const vals = ws.slice(0, nw).map((w, i) => {
            const a = args[i];
            if ('n' in a) return conv(`v${w}`, a.from, a.as);
            const m = `md[${-1 - w}u]`;
            return a.as === 'f32' ? `bitcast<f32>(${m})` : a.as === 'i32' ? `bitcast<i32>(${m})` : `(${m} != 0u)`;
          });
          e = store(`(${opExpr(n, vals)})`, n.c, n.k);
        }
        break;
      }
    }
    const id = this.seq++;
    this.key(8, id);
    if (this.emit) this.lines.push(`${this.indent}let v${id} = ${e};`);
    if (lane === 0) n.w0 = id; else if (lane === 1) n.w1 = id; else if (lane === 2) n.w2 = id; else if (lane === 3) n.w3 = id; else n.wz = id;
    return id;
  }
}

/** The WGSL pass must lay out the metadata exactly as the key pass did (its words are the ones sent). */
function sameLayout(sent: Uint32Array, b: Meta): void {
  let same = sent.length === Math.max(1, b.length);
  for (let i = 0; same && i < b.length; i++) same = sent[i] === b.get(i);
  if (!same) throw new Error('internal: fused kernel metadata differs between the key pass and the WGSL pass');
}
/** The key pass's metadata (copied out by done() before anything else uses it). */
const KEY_META = new Meta();

const LIBS_PLAIN = ['common.wgsl'], LIBS_RAND = ['common.wgsl', 'philox.wgsl'];
const bindKey = (b: Binder) => b.list.map((x) => (x.write ? 'w' : 'r')).join('');

function storesBody(items: Extract<Item, { t: 'st' }>[], emit: boolean) {
  const md = emit ? new Meta() : KEY_META.reset();
  const b = new Binder();
  md.push(0, 0x7f800000); // [0] quads, [1] +inf for philox.wgsl's rn()
  const g = new Gen(md, b, 'q', '  ', emit);
  let maxLen = 0;
  for (const s of items) {
    maxLen = Math.max(maxLen, s.len);
    storeLines(g, md, b, s, '  ');
  }
  md.set(0, Math.ceil(maxLen / 4));
  return { md, b, g };
}

/** A body's lines without its `lchk_on = …` lanes markers when it has no checked int64 operation (a
 * float kernel, such as the 10M loop's, stays as it was). */
function checkedLines(lines: string[]): string[] {
  return lines.some((l) => l.includes('lchk_') && !l.includes('lchk_on =')) ? lines : lines.filter((l) => !l.includes('lchk_on ='));
}

/** `out[i] = value(i)` for the lanes of the thread's quad below the statement's length. */
function storeLines(g: Gen, md: Meta, b: Binder, s: Extract<Item, { t: 'st' }>, indent: string): void {
  g.cur = s.seq;
  const oi = b.index(s.loc.buf, true);
  const at = md.push(s.len, s.loc.off);
  g.key(9, oi, s.len === 1 ? 1 : 0);
  // Lanes 1-3 repeat lane 0's structure: the key (emit = false) needs lane 0 only.
  for (let e = 0; e < (g.emit ? 4 : 1); e++) {
    if (s.len === 1 && e > 0) break;
    g.line(`${indent}lchk_on = i${e} < md[${at}u];`); // (checked int64 ops flag in-range lanes only: common.wgsl)
    const w = g.word(s.n, e);
    g.key(10, w);
    if (g.emit) g.line(`${indent}if (i${e} < md[${at}u]) { b${oi + 1}[md[${at + 1}u] + i${e}] = v${w}; }`);
  }
}

/** The WGSL of a stores kernel, built only when its key is new (a factory: no closure per kernel). */
function storesWgsl(items: Extract<Item, { t: 'st' }>[], meta: Uint32Array): () => string {
  return () => {
    const { b, g, md: md2 } = storesBody(items, true);
    sameLayout(meta, md2);
    return fill('fused.wgsl', {
      BINDINGS: b.wgsl(), RNG: g.hasRand ? '  rng_inf = bitcast<f32>(md[1]);' : '', BODY: checkedLines(g.lines).join('\n'),
    }, g.hasRand ? LIBS_RAND : LIBS_PLAIN);
  };
}

function compileStores(items: Extract<Item, { t: 'st' }>[]): FusedDispatch {
  const { md, b, g } = storesBody(items, false);
  const quads = md.get(0);
  const meta = md.done();
  return {
    key: g.keyString('E', b),
    wgsl: storesWgsl(items, meta),
    rw: b.list.map((x) => x.write), bufs: b.list.map((x) => x.buf), meta, groups: Math.ceil(quads / WG),
  };
}

const sharedDecl = (types: Set<CType>) => [...types].map((c) => `var<workgroup> sh_${c}: array<${c}, 256>;`).join('\n');

type Stmt = Exclude<Item, { t: 'cmd' }>;
function reduceBody(items: Stmt[], nch: number, scratch: number, emit: boolean) {
  const md = emit ? new Meta() : KEY_META.reset();
  const b = new Binder();
  const L = (items.find((x) => x.t === 'red') as Extract<Item, { t: 'red' }>).len;
  md.push(nch, 0x7f800000, L);
  const g = new Gen(md, b, 'q', '    ', emit);
  const accs: string[] = [], folds: string[] = [], trees: string[] = [];
  const sb = scratch >= 0 ? b.of(scratch, true) : '';
  let k = 0;
  for (const r of items) {
    if (r.t === 'st') {
      // A store in the reduction's loop: element i is written by the thread that reads it afterwards.
      storeLines(g, md, b, r, '    ');
      continue;
    }
    g.cur = r.seq;
    const kk = k++;
    g.key(11, tokId(r.chk ? `${r.fn}!` : r.fn, (TYPE_CODE[r.c] * 4 + TYPE_CODE[r.from]) * 4 + TYPE_CODE[r.k]));
    if (emit) accs.push(`  var acc${kk}: ${r.c} = ${identity(r.fn, r.c)};`);
    for (let e = 0; e < (emit ? 4 : 1); e++) {
      g.line(`    lchk_on = i${e} < md[2u];`);
      const w = g.word(r.n, e);
      g.key(10, w);
      // Folded in the loop body, in order with the stores (a later store may read what this reads).
      g.line(`    if (i${e} < md[2u]) { acc${kk} = ${combine(r.fn, r.c, `acc${kk}`, conv(`v${w}`, r.from, r.c), r.chk)}; }`);
    }
    // Side stores, in the loop body before later reductions of the group read them (same thread, same index).
    for (const sd of r.sides) {
      const si = b.index(sd.loc.buf, true);
      const at = md.push1(sd.loc.off);
      g.key(14, si);
      for (let e = 0; e < (emit ? 4 : 1); e++) {
        g.line(`    lchk_on = i${e} < md[2u];`);
        const w = g.word(sd.n, e);
        g.key(10, w);
        if (emit) g.line(`    if (i${e} < md[2u]) { b${si + 1}[md[${at}u] + i${e}] = v${w}; }`);
      }
    }
    let st = '';
    if (nch === 1) {
      const oi = b.index(r.loc.buf, true);
      const ob = `b${oi + 1}`;
      const at = md.push(r.loc.off);
      g.key(12, oi);
      if (emit) st = `${ob}[md[${at}u]] = ${store('res', r.c, r.k)};`;
    } else {
      const at = md.push(kk * nch);
      if (emit) st = `${sb}[md[${at}u] + g] = bitcast<u32>(res);`;
    }
    if (emit) trees.push(tree(r.fn, r.c, `acc${kk}`, st, r.chk));
  }
  return { md, b, g, accs, folds, trees };
}

function compileReduce(items: Stmt[], nch: number, scratch: number): FusedDispatch[] {
  const reds = items.filter((x) => x.t === 'red') as Extract<Item, { t: 'red' }>[];
  // Pass 1: workgroup g folds elements [g*4096, (g+1)*4096) of every input (thread t: quads
  // g*1024 + j*256 + t, j = 0..3, lanes in order), then a fixed tree per output.
  const types = new Set(reds.map((r) => r.c));
  const { md, b, g } = reduceBody(items, nch, scratch, false);
  const meta = md.done();
  const out: FusedDispatch[] = [{
    key: g.keyString(nch === 1 ? 'R1' : 'R2', b),
    wgsl: reduceWgsl(items, nch, scratch, meta, types),
    rw: b.list.map((x) => x.write), bufs: b.list.map((x) => x.buf), meta, groups: nch,
  }];
  if (nch === 1) return out;
  // Pass 2: workgroup k folds the nch partials of output k (thread t: t, t+256, … in order) and a tree.
  const md2 = KEY_META.reset(); // pass 1's words are copied out already
  const b2 = new Binder();
  md2.push(nch);
  const sb2 = b2.of(scratch);
  let key2 = 'P|';
  const outs: { ob: string; at: number }[] = [];
  reds.forEach((r, k) => {
    const ob = b2.of(r.loc.buf, true);
    const at = md2.push(k * nch, r.loc.off);
    key2 += `${r.fn}${r.chk ? '!' : ''}${r.c}${r.k}${ob};`;
    outs.push({ ob, at });
  });
  out.push({
    key: key2 + bindKey(b2),
    wgsl: reduce2Wgsl(reds, outs, sb2, b2, types),
    rw: b2.list.map((x) => x.write), bufs: b2.list.map((x) => x.buf), meta: md2.done(), groups: reds.length,
  });
  return out;
}

/** The WGSL of a reduction's first pass (with its stores), built only when its key is new. */
function reduceWgsl(items: Stmt[], nch: number, scratch: number, meta: Uint32Array, types: Set<CType>): () => string {
  return () => {
    const { b, g, accs, folds, trees, md: md2 } = reduceBody(items, nch, scratch, true);
    sameLayout(meta, md2);
    return fill('fused_reduce.wgsl', {
      CHUNK: String(CHUNK), QPW: String(CHUNK / 4), J: String(RED_J),
      BINDINGS: b.wgsl(), SHARED: sharedDecl(types), RNG: g.hasRand ? '  rng_inf = bitcast<f32>(md[1]);' : '',
      ACCS: accs.join('\n'), BODY: checkedLines([...g.lines, ...folds]).join('\n'), TREES: trees.join('\n'),
    }, g.hasRand ? LIBS_RAND : LIBS_PLAIN);
  };
}

/** The WGSL of a reduction's second pass: workgroup k folds output k's partials. */
function reduce2Wgsl(reds: Extract<Item, { t: 'red' }>[], outs: { ob: string; at: number }[], sb: string, b: Binder, types: Set<CType>): () => string {
  return () => fill('fused_reduce2.wgsl', {
    BINDINGS: b.wgsl(), SHARED: sharedDecl(types),
    BRANCHES: reds.map((r, k) => [
      `  if (g == ${k}u) {`,
      `    var acc: ${r.c} = ${identity(r.fn, r.c)};`,
      `    for (var j = lid; j < nch; j = j + ${WG}u) { acc = ${combine(r.fn, r.c, 'acc', `bitcast<${r.c}>(${sb}[md[${outs[k].at}u] + j])`, r.chk)}; }`,
      tree(r.fn, r.c, 'acc', `${outs[k].ob}[md[${outs[k].at + 1}u]] = ${store('res', r.c, r.k)};`, r.chk),
      '  }',
    ].join('\n')).join('\n'),
  });
}

/** A fixed binary tree over the workgroup's 256 accumulators; thread 0 runs `st` with `res`. */
function tree(fn: ReduceFn, c: CType, acc: string, st: string, chk: boolean): string {
  return [
    `  sh_${c}[lid] = ${acc};`,
    '  workgroupBarrier();',
    `  for (var s = 128u; s > 0u; s = s >> 1u) {`,
    `    if (lid < s) { let a0 = sh_${c}[lid]; let a1 = sh_${c}[lid + s]; sh_${c}[lid] = ${combine(fn, c, 'a0', 'a1', chk)}; }`,
    '    workgroupBarrier();',
    '  }',
    `  if (lid == 0u) { let res = sh_${c}[0]; ${st} }`,
    '  workgroupBarrier();',
  ].join('\n');
}

/**
 * One instance of each class a flush makes and drops, alive for the whole process, so that V8 keeps their
 * hidden classes through full collections (see keepShapes in src/runtime/gc.ts: a collection that finds
 * no live Gen, Binder or Group drops their maps and throws away every optimized function that used them).
 */
const SHAPE_ANCHORS = process.env.TROUPE_SHAPE_ANCHORS === '0' ? [] : (() => {
  const b = new Binder();
  b.index(0, false);
  return [b, new Gen(new Meta(), b, 'q', '  ', false), new Group(null, 8), new Cell({ buf: -1, off: 0, words: 0, slab: false })];
})();
/** Exported so the array itself stays reachable (a module-level const nothing reads after evaluation
 * need not outlive the module's body). */
export const _shapeAnchors = SHAPE_ANCHORS;
