/**
 * Main-thread side of the GPU actor (workers/gpu-worker.ts). Commands (alloc, upload, exec, free) are
 * queued here and sent in ONE message per batch, so the worker encodes the whole batch into one
 * command encoder and one queue.submit. A batch is flushed at a read, when it grows long, or on the
 * next turn of the event loop (setImmediate). Readback is the only point where a caller waits.
 *
 * Errors a caller can make (float64, int64 values over 32 bits, unknown ids) throw synchronously at
 * the call; errors found in the worker surface at the next read/stats.
 */
import { existsSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, SHARE_ENV, Worker, type MessagePort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeAdapter from 'comlink/dist/umd/node-adapter.js';
import type { DType, Op, View } from '../../runtime/protocol.ts';
import { BATCH, F64_ERROR, kindOf, toGpuWords } from './kernels.ts';
import type { Cmd, GpuStats, GpuWorkerApi, InitResult } from '../../../workers/gpu-worker.ts';
import type { FusedDispatch } from './fuser.ts';

type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array | Uint32Array | Int16Array | Int8Array | Uint16Array;

export interface GpuBackend {
  name: string;
  limits: Record<string, number>;
  /** `mixed`: a buffer holding several storages of any dtype (the fuser's slabs and scratch). */
  alloc(id: number, dtype: DType, numel: number, mixed?: boolean): void;
  upload(id: number, data: ArrayLike<number> | TypedArray): void;
  /** Copies GPU words (see kernels.ts) into buffer `id` from word `at` on. */
  uploadWords(id: number, at: number, words: ArrayBuffer): void;
  exec(op: Op): void;
  /** One prepared kernel (src/backends/gpu/fuser.ts): its WGSL travels once, then by number. */
  dispatch(d: FusedDispatch): void;
  free(id: number): void;
  /** Sends what is queued now. */
  flush(): void;
  /** float32 → Float32Array; int32 and int64 → Int32Array (int64 is 32-bit on the gpu); bool → Uint8Array.
   * `at`: first word to read. */
  read(id: number, dtype: DType, numel: number, at?: number): Promise<Float32Array | Int32Array | Uint8Array>;
  stats(): Promise<{ buffers: number; bytes: number } & Partial<GpuStats>>;
  shutdown(): Promise<void>;
}

export type OpenGpuResult = { gpu: GpuBackend; reason: null } | { gpu: null; reason: string };

const nodeEndpoint: typeof nodeAdapter.default =
  (nodeAdapter as unknown as { default?: typeof nodeAdapter.default }).default ?? (nodeAdapter as unknown as typeof nodeAdapter.default);

const WORKER_URL = new URL('../../../workers/gpu-worker.ts', import.meta.url);
const SUBMIT_BY_CALL = process.env.TROUPE_GPU_SUBMIT === 'call';
/** Flush when this many commands or upload bytes are queued. */
const MAX_QUEUED_CMDS = 512;
const MAX_QUEUED_BYTES = 32 * 1024 * 1024;

let lastReason: string | null = null;
/** Why the last openGpu() returned null (null when it succeeded). */
export function gpuUnavailableReason(): string | null { return lastReason; }

/**
 * Code that starts the worker: registers tsx's loader in the worker thread, then imports the .ts
 * worker. On Node 20, `execArgv: ['--import', 'tsx']` does NOT make a worker thread load .ts files
 * (tsx registers its hooks from --import only on the main thread before Node 22.22), so the worker
 * registers them itself through tsx's ESM API.
 */
function bootstrap(): string {
  let api = 'tsx/esm/api';
  try {
    const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
    const mjs = cjs.replace(/\.cjs$/, '.mjs');
    api = pathToFileURL(existsSync(mjs) ? mjs : cjs).href;
  } catch { /* bare specifier */ }
  return `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
}

function timeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}

function checkViews(op: Op) {
  for (const v of Object.values(op)) {
    if (v && typeof v === 'object' && 'dtype' in v && (v as View).dtype === 'float64') throw new Error(F64_ERROR);
  }
}

/** @internal exported for tests (a stand-in worker); use openGpu(). */
export class GpuClient implements GpuBackend {
  private queue: Cmd[] = [];
  private transfers: ArrayBuffer[] = [];
  /** The queued kernels' metadata, one array per batch (transferred with it): one buffer a batch instead
   * of a typed array per kernel for the message to copy. */
  private words = new Uint32Array(1024);
  private wordsAt = 0;
  private queuedBytes = 0;
  private scheduled = false;
  private error: Error | null = null;
  private closed = false;
  private dtypes = new Map<number, DType>();
  /** Why the worker is gone (set when it exits unasked or fails); calls made after that fail with it. */
  private death: Error | null = null;
  /** The reject functions of the calls in flight: the worker's death fails them all at once. */
  private pending = new Set<(e: Error) => void>();
  private exited = false;

  constructor(
    private worker: Worker,
    private remote: Comlink.Remote<GpuWorkerApi>,
    public name: string,
    public limits: Record<string, number>,
    /** How to park the worker before the process ends (see workers/gpu-worker.ts); none for stand-ins. */
    private exitCtl: ExitCtl | null = null,
  ) {
    if (exitCtl) process.on('exit', this.onProcessExit);
    const die = (e: Error) => {
      this.death ??= e;
      for (const reject of this.pending) reject(this.death);
      this.pending.clear();
    };
    worker.once('exit', (code) => {
      this.exited = true;
      if (exitCtl) process.off('exit', this.onProcessExit);
      if (!this.closed) die(new Error(`gpu worker exited (code ${code})`));
    });
    worker.once('error', (e) => die(e));
    worker.unref();
  }

  /** The process is ending with the worker alive: park it so Node's termination finds it outside Dawn. */
  private onProcessExit = () => {
    if (!this.exited && this.exitCtl) parkAtExit(this.exitCtl);
  };

  private inflight = 0;
  /**
   * A remote call that fails instead of hanging when the worker dies. The worker thread keeps the
   * process alive only while a call is in flight: a program that never calls shutdown() still exits
   * when its own work is done (the device goes with the process).
   */
  private call<T>(p: Promise<T>): Promise<T> {
    if (this.death) { p.catch(() => {}); return Promise.reject(this.death); }
    if (this.inflight++ === 0) this.worker.ref();
    // Not Promise.race([p, died]): every race leaves a reaction on the never-settling `died` promise,
    // and that reaction kept the race's result alive for the whole process (every read's ArrayBuffer).
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      p.then((v) => { this.settled(reject); resolve(v); }, (e: unknown) => { this.settled(reject); reject(e); });
    });
  }
  private settled(reject: (e: Error) => void): void {
    this.pending.delete(reject);
    if (--this.inflight === 0 && !this.closed) this.worker.unref();
  }

  private check() {
    if (this.closed) throw new Error('gpu: backend was shut down');
  }

  private push(c: Cmd, transfer?: ArrayBuffer, bytes = 0) {
    this.check();
    this.queue.push(c);
    if (transfer) this.transfers.push(transfer);
    this.queuedBytes += bytes;
    if (this.queue.length >= MAX_QUEUED_CMDS || this.queuedBytes >= MAX_QUEUED_BYTES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => { this.scheduled = false; this.flush(); });
    }
  }

  /**
   * Sends the queued commands as one batch (one queue.submit in the worker). A plain message on the
   * worker's port, not a comlink call: nothing waits for an answer (the worker keeps a batch's errors for
   * the next read or stats, which travel on the same port, after it), and a comlink call costs the main
   * thread an id, a promise and a reply per batch. Measured alone here (idle worker): 31 µs a call against
   * 5 µs a message. TROUPE_GPU_SUBMIT=call sends batches as comlink calls, as before (for A/B runs).
   */
  flush(): void {
    if (!this.queue.length || this.exited || this.death) return;
    const cmds = this.queue, transfers = this.transfers;
    // The metadata goes with the batch when it has any; the next batch's array is as large as this one's.
    let words: Uint32Array | undefined;
    if (this.wordsAt > 0) {
      words = this.words;
      transfers.push(words.buffer as ArrayBuffer);
      this.words = new Uint32Array(Math.max(256, 2 ** Math.ceil(Math.log2(this.wordsAt))));
    }
    this.queue = []; this.transfers = []; this.queuedBytes = 0; this.wordsAt = 0;
    if (!SUBMIT_BY_CALL) {
      // A message that cannot be sent (a DataCloneError) is this batch's error, reported at the next read
      // like any other: flush also runs from setImmediate, where a throw would end the process.
      try { this.worker.postMessage({ [BATCH]: cmds, words }, transfers); } catch (e) { this.error ??= e instanceof Error ? e : new Error(String(e)); }
      return;
    }
    this.call(this.remote.submit(Comlink.transfer(cmds, transfers), words)).catch((e: unknown) => {
      this.error ??= e instanceof Error ? e : new Error(String(e));
    });
  }

  private takeError() {
    const e = this.error;
    if (e) { this.error = null; throw e; }
  }

  alloc(id: number, dtype: DType, numel: number, mixed = false): void {
    if (dtype === 'float64') throw new Error(F64_ERROR);
    kindOf(dtype);
    if (!(Number.isInteger(numel) && numel >= 0)) throw new Error(`gpu: bad element count ${numel}`);
    if (this.dtypes.has(id)) throw new Error(`gpu: buffer id ${id} is already allocated`);
    this.dtypes.set(id, dtype);
    this.push(mixed ? { k: 'alloc', id, dtype, numel, mixed } : { k: 'alloc', id, dtype, numel });
  }

  uploadWords(id: number, at: number, words: ArrayBuffer): void {
    if (!this.dtypes.has(id)) throw new Error(`gpu: upload to unknown buffer id ${id}`);
    this.push({ k: 'upload', id, data: words, at }, words, words.byteLength);
  }

  private pipes = new Map<string, number>();
  private nextPipe = 1;
  /** Copies a kernel's metadata into the batch's words; returns where it starts. */
  private metaWords(meta: Uint32Array): number {
    const n = meta.length;
    if (this.wordsAt + n > this.words.length) {
      const w = new Uint32Array(2 ** Math.ceil(Math.log2(this.wordsAt + n)));
      w.set(this.words.subarray(0, this.wordsAt));
      this.words = w;
    }
    const at = this.wordsAt, w = this.words;
    for (let i = 0; i < n; i++) w[at + i] = meta[i];
    this.wordsAt += n;
    return at;
  }

  dispatch(d: FusedDispatch): void {
    let pipe = this.pipes.get(d.key);
    if (pipe === undefined) {
      // Forgetting keys only costs resending their WGSL (the worker keeps pipelines by WGSL text).
      if (this.pipes.size >= 4096) this.pipes.clear();
      pipe = this.nextPipe++;
      this.pipes.set(d.key, pipe);
      const wgsl = d.wgsl();
      this.push({ k: 'disp', pipe, wgsl, rw: d.rw, bufs: d.bufs, m: this.metaWords(d.meta), n: d.meta.length, groups: d.groups });
    } else this.push({ k: 'disp', pipe, bufs: d.bufs, m: this.metaWords(d.meta), n: d.meta.length, groups: d.groups });
  }

  upload(id: number, data: ArrayLike<number> | TypedArray): void {
    const dtype = this.dtypes.get(id);
    if (!dtype) throw new Error(`gpu: upload to unknown buffer id ${id}`);
    const words = toGpuWords(dtype, data as ArrayLike<number>); // a fresh copy, safe to transfer
    this.uploadWords(id, 0, words.buffer as ArrayBuffer);
  }

  exec(op: Op): void {
    checkViews(op);
    this.push({ k: 'op', op });
  }

  free(id: number): void {
    if (!this.dtypes.delete(id)) throw new Error(`gpu: free of unknown buffer id ${id}`);
    this.push({ k: 'free', id });
  }

  async read(id: number, dtype: DType, numel: number, at = 0): Promise<Float32Array | Int32Array | Uint8Array> {
    this.check();
    if (dtype === 'float64') throw new Error(F64_ERROR);
    this.flush();
    this.takeError();
    let buf: ArrayBuffer;
    try {
      buf = await this.call(this.remote.read(id, dtype, numel, at));
    } finally {
      this.takeError(); // a failed submit before this read is the error to report
    }
    const k = kindOf(dtype);
    return k === 'f32' ? new Float32Array(buf) : k === 'i32' ? new Int32Array(buf) : new Uint8Array(buf);
  }

  async stats(): Promise<{ buffers: number; bytes: number } & Partial<GpuStats>> {
    this.check();
    this.flush();
    this.takeError();
    try {
      return await this.call(this.remote.stats());
    } finally {
      this.takeError();
    }
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    const exited = new Promise<void>((resolve) => {
      if (this.exited) resolve();
      else this.worker.once('exit', () => resolve());
    });
    this.worker.ref();
    // Batches the worker has not submitted yet are dropped (nothing can read their results now); the GPU
    // still finishes what it was given (on lavapipe, seconds for a long queue: said after 5 s).
    if (this.exitCtl) Atomics.store(this.exitCtl.flags, 0, 1);
    const slow = setTimeout(() => writeSync(2, 'troupe: shutting down: waiting for the GPU to finish the work it was given\n'), 5_000);
    try {
      if (!this.exited) await timeout(this.remote.shutdown(), SHUTDOWN_MS, 'gpu worker shutdown');
    } catch { /* terminated below */ } finally { clearTimeout(slow); }
    this.remote[Comlink.releaseProxy]();
    try {
      await timeout(exited, 5_000, 'gpu worker exit');
    } catch {
      await terminateParked(this.worker, this.exitCtl);
    } finally {
      if (this.exitCtl) process.off('exit', this.onProcessExit);
    }
  }
}

/** The worker's exit parking (workers/gpu-worker.ts): flags[0] asks, flags[1] answers. */
export interface ExitCtl { flags: Int32Array; port: MessagePort }
/**
 * How long a process exit waits for the worker to park: it finishes the task it is in and the GPU the
 * work already submitted (a real GPU: milliseconds; lavapipe: up to seconds per queued batch). After that
 * the process exits anyway, and Dawn may abort it. A wait over a second is announced on stderr; Ctrl-C
 * still ends it.
 */
const PARK_AT_EXIT_MS = 60_000;
/** How long shutdown() waits for the worker to destroy the device (the GPU finishing its queue). */
const SHUTDOWN_MS = 60_000;
const PARK_QUIET_MS = 1_000;

function parkAtExit(ctl: ExitCtl): void {
  if (parkSync(ctl, PARK_QUIET_MS)) return;
  const t0 = Date.now();
  writeSync(2, 'troupe: waiting for the GPU to finish the work it was given before the process exits (Ctrl-C ends the wait)\n');
  const ok = parkSync(ctl, PARK_AT_EXIT_MS - PARK_QUIET_MS);
  writeSync(2, ok ? `troupe: the GPU finished after ${((Date.now() - t0 + PARK_QUIET_MS) / 1000).toFixed(1)} s; exiting\n`
    : `troupe: the GPU worker did not finish within ${PARK_AT_EXIT_MS / 1000} s; exiting anyway\n`);
}

function makeExitCtl(): { ctl: ExitCtl; forWorker: { flags: SharedArrayBuffer; port: MessagePort } } {
  const sab = new SharedArrayBuffer(8);
  const { port1, port2 } = new MessageChannel();
  port1.unref();
  return { ctl: { flags: new Int32Array(sab), port: port1 }, forWorker: { flags: sab, port: port2 } };
}

/** Asks the worker to park (once); false when it already has. */
function askToPark(ctl: ExitCtl): boolean {
  if (Atomics.load(ctl.flags, 1) === 1) return false;
  Atomics.store(ctl.flags, 0, 1);
  ctl.port.postMessage(0);
  return true;
}

/** Asks the worker to park and blocks this thread until it has (or `ms` pass). Returns whether it did. */
function parkSync(ctl: ExitCtl, ms: number): boolean {
  if (!askToPark(ctl)) return true;
  return Atomics.wait(ctl.flags, 1, 0, ms) !== 'timed-out' || Atomics.load(ctl.flags, 1) === 1;
}

/** worker.terminate(), after parking the worker (without blocking this thread) so that it is not
 * inside a Dawn call when terminated (see workers/gpu-worker.ts). */
async function terminateParked(worker: Worker, ctl: ExitCtl | null, ms = 2_000): Promise<void> {
  if (ctl && askToPark(ctl)) {
    const t0 = Date.now();
    while (Atomics.load(ctl.flags, 1) !== 1 && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 5));
  }
  await worker.terminate();
}

/**
 * Starts the GPU worker and opens the device. Never hangs: adapter/device requests time out. Returns
 * the backend, or null and the reason (no driver, no adapter, timeout…).
 */
export async function tryOpenGpu(opts: { timeoutMs?: number } = {}): Promise<OpenGpuResult> {
  const ms = opts.timeoutMs ?? 60_000;
  let worker: Worker;
  const { ctl, forWorker } = makeExitCtl();
  try {
    // TROUPE_GPU_WORKER_PROF=DIR writes a CPU profile of the GPU worker thread into DIR (for tuning).
    worker = new Worker(bootstrap(), { eval: true, execArgv: process.env.TROUPE_GPU_WORKER_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.TROUPE_GPU_WORKER_PROF}`] : [], env: SHARE_ENV,
      workerData: { exitCtl: forWorker }, transferList: [forWorker.port] });
  } catch (e) {
    return { gpu: null, reason: `cannot start the gpu worker: ${e instanceof Error ? e.message : String(e)}` };
  }
  const failed = new Promise<never>((_, reject) => {
    worker.once('error', (e) => reject(e));
    worker.once('exit', (code) => reject(new Error(`gpu worker exited during start-up (code ${code})`)));
  });
  failed.catch(() => {});
  const remote = Comlink.wrap<GpuWorkerApi>(nodeEndpoint(worker as unknown as Parameters<typeof nodeEndpoint>[0]));
  let res: InitResult;
  try {
    res = await timeout(Promise.race([remote.init(), failed]), ms, 'gpu worker init');
  } catch (e) {
    res = { error: e instanceof Error ? e.message : String(e) };
  }
  if ('error' in res) {
    remote[Comlink.releaseProxy]();
    await terminateParked(worker, ctl);
    return { gpu: null, reason: res.error };
  }
  return { gpu: new GpuClient(worker, remote, res.name, res.limits, ctl), reason: null };
}

/** The GPU backend, or null when no adapter can be opened (see gpuUnavailableReason()). */
export async function openGpu(opts: { timeoutMs?: number } = {}): Promise<GpuBackend | null> {
  const r = await tryOpenGpu(opts);
  lastReason = r.reason;
  return r.gpu;
}
