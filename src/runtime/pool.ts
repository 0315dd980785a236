/**
 * The sharded CPU executor: a piscina pool of worker threads that run ops on contiguous element ranges of
 * tensors living in SharedArrayBuffers.
 *
 * A batch of consecutive ops is cut into groups that share an element count N and can run shard by shard
 * without seeing each other's shards (each op reads, of what earlier ops of its group wrote, only its own
 * elements). Each group is one small message per shard (ops encoded with msgpackr, buffers passed as
 * SharedArrayBuffers), so an epoch of the 10M loop costs a handful of round trips, not one per op.
 *
 * Full reductions and dot products leave one float64 partial per REDUCE_BLOCK; the coordinator adds them
 * left to right. Shards are whole blocks, so results are bit-identical for any worker count.
 */
import { Piscina } from 'piscina';
import { Packr } from 'msgpackr';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { DType, Op, ReduceFn, View } from './protocol.ts';
import { REDUCE_BLOCK } from './protocol.ts';
import type { Executor, Storage } from './runtime.ts';
import { resolverFor, SHARD_THRESHOLD } from './runtime.ts';
import { sharedMemory, useSharedMemory } from './shared-memory.ts';
import { asPartial, combinePartials, numel, runOp } from '../backends/cpu/kernels.ts';
import type { Step } from '../backends/cpu/steps.ts';

/** Small CPU inputs of a sharded op are copied into its message; larger plain buffers keep the op in-process. */
const INLINE_MAX = 4096;
export const MAX_WORKERS = 256;

const packr = new Packr({ moreTypes: true, structuredClone: false });

interface Group {
  n: number;
  steps: Step[];
  ops: Op[];
  tiled: boolean;
  storages: Map<number, Storage>;
  written: Map<number, boolean>;       // buffer -> written through an identity view
  readOther: Set<number>;              // buffers read through a non-identity view
  combines: Array<{ fn: ReduceFn; p: number; out: View; outStorage: Storage }>;
  pending: Set<number>;                // small outputs that exist only after the group's combine
  slots: number;
}

const isElementwise = (op: Op) => op.op !== 'matmul' && op.op !== 'reduce';
const inputsOf = (op: Op): View[] => {
  const r: View[] = [];
  for (const k of ['x', 'a', 'b', 'cond'] as const) {
    const v = (op as unknown as Record<string, View | number | undefined>)[k];
    if (v !== undefined && typeof v !== 'number') r.push(v);
  }
  return r;
};
function isIdentity(v: View, n: number): boolean {
  if (v.offset !== 0 || numel(v.shape) !== n) return false;
  let acc = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== acc) return false;
    acc *= v.shape[i];
  }
  return true;
}

export class CpuPool implements Executor {
  readonly name = 'cpu-pool';
  private readonly piscina: Piscina;
  private readonly who: Int32Array;
  tasks = 0;

  constructor(readonly workers: number, threshold?: number) {
    this.piscina = new Piscina({
      filename: fileURLToPath(new URL('../../workers/cpu-worker.ts', import.meta.url)),
      minThreads: workers,
      maxThreads: workers,
      idleTimeout: Infinity,
      execArgv: ['--import', 'tsx'],
      concurrentTasksPerWorker: 1,
      workerData: { memory: sharedMemory().arena.memory },
    });
    this.who = new Int32Array(new SharedArrayBuffer(4 * 1024));
    useSharedMemory(threshold);
  }

  /** Resolves once every worker thread is up (so the first op does not pay the start-up). */
  async ready(): Promise<void> {
    await Promise.all(Array.from({ length: this.workers }, () => this.piscina.run({ ping: true })));
  }

  get threads() { return this.piscina.threads; }

  accepts(op: Op, sts: Storage[]): boolean {
    // Indexed reads and sums run on this thread (their index is an operand the groups do not track), as do
    // sorts, scans, convolutions and fused Adam steps (each whole).
    if (op.op === 'gather' || op.op === 'scatterAdd' || op.op === 'argsort' || op.op === 'scan' || op.op === 'conv' || op.op === 'adam') return false;
    let out: Storage | undefined;
    for (const s of sts) if (s.id === op.out.buf) out = s;
    if (!out) return false;
    // (Shared storages under the sharding threshold live in the arena for its SIMD kernels; their ops stay here.)
    if (out.shared) return numel(op.out.shape) >= SHARD_THRESHOLD && sts.every((s) => s === out || s.shared || s.numel <= INLINE_MAX);
    const p = asPartial(op);
    if (!p || p.n < REDUCE_BLOCK) return false;
    return sts.every((s) => s === out || s.shared || s.numel <= INLINE_MAX);
  }

  async run(ops: Op[], sts?: Storage[][]): Promise<void> {
    let g: Group | null = null;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      const storages = sts![i];
      if (g && !this.join(g, op, storages)) { await this.flush(g); g = null; }
      if (!g) { g = this.newGroup(op); if (!this.join(g, op, storages)) throw new Error('internal: op does not fit an empty group'); }
    }
    if (g) await this.flush(g);
  }

  private newGroup(op: Op): Group {
    const p = asPartial(op);
    return {
      n: p ? p.n : numel(op.out.shape), steps: [], ops: [], tiled: true, storages: new Map(), written: new Map(),
      readOther: new Set(), combines: [], pending: new Set(), slots: 0,
    };
  }

  /** Adds op to group g if it can run shard by shard with what g already holds. */
  private join(g: Group, op: Op, storages: Storage[]): boolean {
    const p = asPartial(op);
    const n = p ? p.n : numel(op.out.shape);
    if (n !== g.n) return false;
    const reads = p ? (p.b ? [p.x, p.b] : [p.x]) : inputsOf(op);
    const local = p !== null || isElementwise(op);
    for (const r of reads) {
      if (g.pending.has(r.buf)) return false;
      const w = g.written.get(r.buf);
      if (w === undefined) continue;
      if (!local || !w || !isIdentity(r, n)) return false;
    }
    if (!p) {
      if (g.readOther.has(op.out.buf) || g.pending.has(op.out.buf)) return false;
      const w = g.written.get(op.out.buf);
      if (w === false) return false;
    }
    // Commit.
    for (const s of storages) g.storages.set(s.id, s);
    for (const r of reads) if (!isIdentity(r, n)) g.readOther.add(r.buf);
    if (p) {
      const blocks = Math.ceil(n / REDUCE_BLOCK);
      g.steps.push({ k: 'partial', fn: p.fn, x: p.x, b: p.b, p: g.slots });
      const outStorage = storages.find((s) => s.id === op.out.buf)!;
      g.combines.push({ fn: p.fn, p: g.slots, out: op.out, outStorage });
      g.pending.add(op.out.buf);
      g.slots += blocks;
    } else {
      g.steps.push({ k: 'map', op });
      g.written.set(op.out.buf, isIdentity(op.out, n) && (g.written.get(op.out.buf) ?? true));
      if (!local) g.tiled = false;
    }
    g.ops.push(op);
    return true;
  }

  private async flush(g: Group): Promise<void> {
    const bufs: Array<[number, DType, ArrayBufferLike, number, number]> = [];
    for (const s of g.storages.values()) {
      if (g.pending.has(s.id)) continue;
      const d = s.data!;
      if (s.shared) bufs.push([s.id, s.dtype, d.buffer, d.byteOffset, d.length]);
      else { const c = d.slice(); bufs.push([s.id, s.dtype, c.buffer, 0, c.length]); }
    }
    const blocks = Math.ceil(g.n / REDUCE_BLOCK);
    const shards = Math.max(1, Math.min(this.workers, blocks));
    const partials = g.slots ? new SharedArrayBuffer(8 * g.slots) : null;
    const steps = packr.pack(g.steps);
    const who = this.who;
    const runs: Promise<unknown>[] = [];
    for (let w = 0; w < shards; w++) {
      const s = Math.floor((w * blocks) / shards) * REDUCE_BLOCK;
      const e = Math.min(g.n, Math.floor(((w + 1) * blocks) / shards) * REDUCE_BLOCK);
      const slot = w % who.length;
      who[slot] = 0;
      this.tasks++;
      runs.push(this.piscina.run({ steps, bufs, partials, s, e, tiled: g.tiled && g.steps.length > 1, who: who.buffer, slot }).catch((err: unknown) => {
        const names = [...new Set(g.ops.map((o) => (o.op === 'unary' || o.op === 'binary' || o.op === 'reduce' ? `${o.op}:${o.fn}` : o.op)))].join(', ');
        const thread = Atomics.load(who, slot);
        throw new Error(`${names} on elements [${s}, ${e}) failed in CPU worker ${thread ? `thread ${thread}` : `for shard ${w}`}: ${err instanceof Error ? err.message : String(err)}`);
      }));
    }
    const results = await Promise.allSettled(runs);
    const bad = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (bad) throw bad.reason;
    if (partials) {
      const P = new Float64Array(partials);
      for (const c of g.combines) {
        const v = combinePartials(c.fn, P.subarray(c.p, c.p + blocks));
        runOp({ op: 'fill', value: v, out: c.out }, resolverFor([c.outStorage]));
      }
    }
  }

  async destroy(): Promise<void> {
    useSharedMemory(); // large tensors stay in the arena, now computed in-process
    await this.piscina.destroy();
  }
}

export function defaultWorkers(): number {
  const env = process.env.TROUPE_WORKERS;
  if (env !== undefined && env !== '') return parseWorkers(env, 'TROUPE_WORKERS');
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

export function parseWorkers(v: unknown, what = 'workers'): number {
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_WORKERS) {
    throw new Error(`${what} must be an integer between 1 and ${MAX_WORKERS} (this machine has ${os.cpus().length} cores), got ${JSON.stringify(v)}`);
  }
  return n;
}
