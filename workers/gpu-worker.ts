/**
 * The GPU actor: one worker thread that owns a WebGPU device (Dawn, npm `webgpu`) for its whole life,
 * with its buffers (by id), a buffer pool and the compute pipelines (cached by WGSL text). The
 * coordinator (src/backends/gpu/client.ts) posts batches of commands as plain messages, each encoded
 * into one command encoder and one queue.submit (`submit`), and calls the rest through comlink on the
 * same port, in order: `read` is the only call a caller waits on.
 *
 * client.ts starts it with `env: SHARE_ENV`, so the Vulkan variables chosen by env.ts reach the real
 * environment the Vulkan loader reads, from a bootstrap that registers tsx in the worker thread.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { availableParallelism } from 'node:os';
import * as Comlink from 'comlink';
import nodeAdapter from 'comlink/dist/umd/node-adapter.js';
import type { DType, Op, View } from '../src/runtime/protocol.ts';
import { applyVulkanEnv, type VulkanEnv } from '../src/backends/gpu/env.ts';
import { BATCH, F64_ERROR, GPU_INDEX_ERROR, INT64_OVERFLOW, STATUS_DECL, kindOf, planOpCached, toGpuWords, type Plan } from '../src/backends/gpu/kernels.ts';

export type Cmd =
  /** mixed: holds storages of several dtypes (the fuser's slabs), so views are not checked against its dtype. */
  | { k: 'alloc'; id: number; dtype: DType; numel: number; mixed?: boolean }
  | { k: 'free'; id: number }
  /** data: an ArrayBuffer of GPU words (4 bytes per element, see kernels.ts), or numbers / a typed
   * array of values in the buffer's dtype (converted and range-checked here); at: first word written. */
  | { k: 'upload'; id: number; data: ArrayBuffer | ArrayLike<number> | BigInt64Array; at?: number }
  | { k: 'op'; op: Op }
  /** A prepared kernel: `pipe` names its pipeline, whose WGSL and binding modes come with its first use.
   * Its metadata is words [m, m + n) of the batch's `words` (see submit). */
  | { k: 'disp'; pipe: number; wgsl?: string; rw?: boolean[]; bufs: number[]; m: number; n: number; groups: number };

export type InitResult = { name: string; limits: Record<string, number>; driver: string } | { error: string };
export interface GpuStats {
  buffers: number; bytes: number; pooledBuffers: number; pooledBytes: number; pipelines: number;
  /** Batches submitted, dispatches encoded, and milliseconds spent encoding them (worker thread). */
  submits: number; dispatches: number; encodeMs: number;
  /** Parts of encodeMs: checking and planning the batch, encoding the pass, finishing and submitting. */
  planMs: number; passMs: number; submitMs: number;
  /** Pipelines built (shader module + pipeline, synchronous) and the milliseconds that took. */
  compiled: number; compileMs: number;
  /** Of those, built by createComputePipelineAsync while batches waited (4+ cores, see asyncCompile). */
  compiledInBackground: number;
  /** With TROUPE_GPU_TIMESTAMPS=1 (and an adapter that has 'timestamp-query'): nanoseconds the GPU spent
   * in timed compute passes, how many, and the GPU clock at the first start and the last end. */
  gpuNs: number; gpuPasses: number; gpuFirstNs: number; gpuLastNs: number;
  /** The first 64 pipeline builds: milliseconds and WGSL length. */
  compileLog: { ms: number; chars: number }[];
  /** Milliseconds the worker thread was busy (not waiting for messages) since it started. */
  activeMs: number;
  /** GPU buffers created (not taken from the pool). */
  created: number;
  /** How Dawn is polled while GPU work is pending (see pollByTimer). */
  poll: 'spin' | 'timer';
  /** The GPU queue's bound (BACKLOG_MS; only where poll is 'timer'): waits for room, the most batches
   * on the GPU at once, and how far over its limit that ever was (at most 0: never over). */
  throttled: number; onGpuPeak: number; onGpuOverLimit: number;
}

// WebGPU constants (the DOM globals are not installed in Node).
const BU = { MAP_READ: 1, MAP_WRITE: 2, COPY_SRC: 4, COPY_DST: 8, STORAGE: 128, QUERY_RESOLVE: 0x200 } as const;
const MAP_READ = 1, MAP_WRITE = 2;
const ADAPTER_TIMEOUT_MS = 20_000;
/** Pooled (freed, kept for reuse) bytes above this are destroyed instead. */
const POOL_CAP_BYTES = 2048 * 1024 * 1024;

// The UMD adapter's module.exports is the function itself; TypeScript types the default import as the
// module object, so take whichever is callable.
const nodeEndpoint: typeof nodeAdapter.default =
  (nodeAdapter as unknown as { default?: typeof nodeAdapter.default }).default ?? (nodeAdapter as unknown as typeof nodeAdapter.default);

const vk: VulkanEnv = applyVulkanEnv();

/**
 * How this thread polls Dawn while GPU work is pending. dawn.node calls the global setImmediate to run
 * the instance's ProcessEvents again for as long as any of its promises (a read's map, error scopes) is
 * pending, so a read that waits for the GPU keeps this thread spinning at 100% of a core. Where cores are
 * scarce (under 4), or the adapter is itself a CPU (lavapipe: every spin is taken from the "GPU"), that
 * spin costs more than it saves: there Dawn's setImmediate becomes a 0 ms timer (about 1 ms between
 * polls). Measured here (2 cores, lavapipe, the tour loop at N = 1M, 100 epochs): spin 2.98 s and
 * 5.7 s of CPU, timer 1.68 s and 3.1 s of CPU, same w. A real GPU with cores to spare keeps the spin:
 * it answers a read as soon as the GPU is done. TROUPE_GPU_POLL=spin|timer overrides.
 */
const POLL_ENV = process.env.TROUPE_GPU_POLL === 'spin' || process.env.TROUPE_GPU_POLL === 'timer' ? process.env.TROUPE_GPU_POLL : null;
let pollByTimer = POLL_ENV ? POLL_ENV === 'timer' : availableParallelism() < 4;
const spinImmediate = globalThis.setImmediate;
/** This thread's own next-turn callbacks, never throttled. */
const nextTurn = (fn: () => void) => spinImmediate(fn);
const SPIN_MS = Number(process.env.TROUPE_GPU_SPIN_MS ?? 1.5);
/** When the last read or batch arrived: polls spin for SPIN_MS after it (a small read is answered
 * within that), then wait on timers. */
let spinFrom = 0;
const spinAgain = () => { spinFrom = performance.now(); };
function poll(fn: (...a: unknown[]) => void, ...args: unknown[]) {
  if (!pollByTimer || performance.now() - spinFrom < SPIN_MS) return spinImmediate(fn, ...args);
  return setTimeout(fn, 0, ...args);
}
globalThis.setImmediate = Object.assign(poll,
  { __promisify__: spinImmediate.__promisify__ },
) as unknown as typeof setImmediate;

// Keep every object returned by create() reachable for the device's whole life: if it is garbage
// collected Dawn crashes in InstanceBase::ProcessEvents (see DESIGN.md).
const instances: GPU[] = [];
(globalThis as { __troupeGpuInstances?: GPU[] }).__troupeGpuInstances = instances;

let adapter: GPUAdapter | null = null;
let device: GPUDevice | null = null;
let limits: Record<string, number> = {};
let shuttingDown = false;
/** Shared with the client (see parkForExit): flags[0] = 1 once the process is exiting or shutdown()
 * began (batches not yet submitted are then dropped, not run); flags[1] = 1 once this thread is parked. */
const exitCtl = (workerData as { exitCtl?: { flags: SharedArrayBuffer; port: MessagePort } } | null)?.exitCtl;
const exitFlags = exitCtl ? new Int32Array(exitCtl.flags) : null;
const exitAsked = () => exitFlags !== null && Atomics.load(exitFlags, 0) === 1;
const EXITING = 'gpu: the GPU actor is shutting down (or the process is exiting)';

interface Rec { buf: GPUBuffer; dtype: DType; numel: number; size: number; mixed: boolean }
const buffers = new Map<number, Rec>();
const pool = new Map<number, GPUBuffer[]>();
let pooledBytes = 0, pooledCount = 0;
const pipelines = new Map<string, Pipe>();
let metaBuf: GPUBuffer | null = null, metaCap = 0;

/** Errors found asynchronously (validation scopes, device loss) surface at the next read/stats. */
let pendingError: Error | null = null;
let pendingScopes: Promise<void>[] = [];
const noteError = (e: unknown) => { pendingError ??= e instanceof Error ? e : new Error(String(e)); };
/** Dawn promises not settled yet (maps, error scopes, background builds, device.lost): Dawn aborts the process if the
 * thread ends while one is pending (see parkForExit). */
let dawnPending = 0;
const settledOne = () => { dawnPending--; };
function track<T>(p: Promise<T>): Promise<T> {
  dawnPending++;
  p.then(settledOne, settledOne);
  return p;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}

function limitsOf(l: GPUSupportedLimits): Record<string, number> {
  const out: Record<string, number> = {};
  const keys = new Set<string>();
  for (const k in l) keys.add(k);
  for (let p = Object.getPrototypeOf(l); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) keys.add(k);
  }
  for (const k of keys) {
    const v = (l as unknown as Record<string, unknown>)[k];
    if (typeof v === 'number') out[k] = v;
  }
  return out;
}

async function findAdapter(): Promise<GPUAdapter | null> {
  const { create } = await import('webgpu');
  const gpu = create([]);
  instances.push(gpu);
  return withTimeout(gpu.requestAdapter({ powerPreference: 'high-performance' }), ADAPTER_TIMEOUT_MS, 'requestAdapter');
}

async function init(): Promise<InitResult> {
  if (device) return { name: adapterName(), limits, driver: vk.detail };
  try {
    adapter = await findAdapter();
    if (!adapter && vk.source === 'system' && vk.localIcd) {
      // A system driver is installed but gives no adapter (e.g. an NVIDIA manifest in a container
      // without the GPU): fall back to the project-local lavapipe.
      process.env.VK_DRIVER_FILES = vk.localIcd;
      vk.detail += `; it gave no adapter, fell back to ${vk.localIcd}`;
      adapter = await findAdapter();
    }
    if (!adapter) return { error: `no WebGPU adapter (${vk.detail})` };
    limits = limitsOf(adapter.limits);
    const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    if (!POLL_ENV && (info.isFallbackAdapter === true || info.architecture === 'software')) pollByTimer = true;
    const stamps = process.env.TROUPE_GPU_TIMESTAMPS === '1' && adapter.features.has('timestamp-query');
    const dev = await withTimeout(adapter.requestDevice({ requiredLimits: limits, requiredFeatures: stamps ? ['timestamp-query'] : [] }), ADAPTER_TIMEOUT_MS, 'requestDevice');
    if (stamps) {
      tsq = { set: dev.createQuerySet({ type: 'timestamp', count: TS_CAP }), resolve: dev.createBuffer({ size: TS_CAP * 8, usage: BU.QUERY_RESOLVE | BU.COPY_SRC }) };
    }
    device = dev;
    dev.addEventListener?.('uncapturederror', (ev: Event) => noteError((ev as GPUUncapturedErrorEvent).error?.message ?? 'uncaptured WebGPU error'));
    // Tracked: its promise is pending until the device is destroyed, and shutdown waits for it too.
    void track(dev.lost).then((info) => { if (!shuttingDown) noteError(new Error(`gpu device lost: ${info.message}`)); });
    limits = limitsOf(dev.limits);
    return { name: adapterName(), limits, driver: vk.detail };
  } catch (e) {
    return { error: `${e instanceof Error ? e.message : String(e)} (${vk.detail})` };
  }
}

function adapterName(): string {
  const i = adapter?.info;
  return (i && (i.description || i.device || [i.vendor, i.architecture].filter(Boolean).join(' '))) || 'unknown adapter';
}

function dev(): GPUDevice {
  // No new GPU work once the process is exiting: it would only lengthen the wait for the GPU to go idle.
  if (exitAsked()) throw new Error(EXITING);
  if (!device) throw new Error(shuttingDown ? 'gpu: the device was shut down' : 'gpu: init() was not called or failed');
  return device;
}

// ---- buffer pool ------------------------------------------------------------------------------------

/** Size class: 256 bytes minimum, then four classes per power of two (at most 25 % slack). */
function sizeClass(bytes: number): number {
  const maxBind = limits.maxStorageBufferBindingSize ?? 134217728;
  if (bytes > maxBind) {
    throw new Error(`gpu: a buffer of ${bytes} bytes exceeds this adapter's maxStorageBufferBindingSize (${maxBind})`);
  }
  if (bytes <= 256) return 256;
  const step = 2 ** Math.floor(Math.log2(bytes)) / 4;
  return Math.min(Math.ceil(bytes / step) * step, Math.ceil(maxBind / 4) * 4);
}

function takeBuffer(bytes: number): { buf: GPUBuffer; size: number } {
  const size = sizeClass(bytes);
  const free = pool.get(size);
  const b = free?.pop();
  if (b) { pooledBytes -= size; pooledCount--; return { buf: b, size }; }
  timing.created++;
  return { buf: dev().createBuffer({ size, usage: BU.STORAGE | BU.COPY_SRC | BU.COPY_DST }), size };
}

/** Returns a buffer to the pool; buffers over the pool cap are destroyed after the current submit. */
function giveBuffer(buf: GPUBuffer, size: number, later: GPUBuffer[]) {
  if (pooledBytes + size > POOL_CAP_BYTES) { later.push(buf); return; }
  let l = pool.get(size);
  if (!l) pool.set(size, (l = []));
  l.push(buf);
  pooledBytes += size; pooledCount++;
}

// ---- submit -----------------------------------------------------------------------------------------

/**
 * Pipelines have an explicit layout whose metadata binding takes a dynamic offset, so a bind group
 * depends only on the pipeline and the buffers: a training loop sends the same ops over the same pooled
 * buffers every step, and its bind groups are built once and reused.
 */
/** status: the kernel binds the int64 overflow word (int64.wgsl) as bind group 1. */
interface Pipe { pipe: GPUComputePipeline; bgl: GPUBindGroupLayout; id: number; status: boolean }
const STAGE_COMPUTE = 4;
/** Bytes of metadata one dispatch may use (the dynamic-offset window of binding 0). */
const META_WINDOW = 2048;
let nextPipeId = 1;
function pipelineFor(wgsl: string, bufs: { write: boolean }[]): Pipe {
  let p = pipelines.get(wgsl);
  if (!p) {
    const t0 = performance.now();
    const d = dev();
    const module = d.createShaderModule({ code: wgsl });
    const bgl = layoutFor(d, bufs), status = wgsl.includes(STATUS_DECL);
    const pipe = d.createComputePipeline({ layout: pipelineLayout(d, bgl, status), compute: { module, entryPoint: 'main' } });
    p = { pipe, bgl, id: nextPipeId++, status };
    pipelines.set(wgsl, p);
    noteCompile(t0, wgsl);
  }
  return p;
}

/** pipelineFor, compiled in the background; the milliseconds logged are from request to ready. */
async function pipelineForAsync(wgsl: string, bufs: { write: boolean }[]): Promise<Pipe> {
  const have = pipelines.get(wgsl);
  if (have) return have;
  const t0 = performance.now();
  const d = dev();
  const module = d.createShaderModule({ code: wgsl });
  const bgl = layoutFor(d, bufs), status = wgsl.includes(STATUS_DECL);
  const pipe = await track(d.createComputePipelineAsync({ layout: pipelineLayout(d, bgl, status), compute: { module, entryPoint: 'main' } }));
  const again = pipelines.get(wgsl);
  if (again) return again;
  const p = { pipe, bgl, id: nextPipeId++, status };
  pipelines.set(wgsl, p);
  noteCompile(t0, wgsl);
  timing.compiledInBackground++;
  return p;
}
function noteCompile(t0: number, wgsl: string): void {
  const ms = performance.now() - t0;
  timing.compiled++;
  timing.compileMs += ms;
  if (compileLog.length < 64) compileLog.push({ ms, chars: wgsl.length });
}
/**
 * The int64 overflow word: kernels with checked int64 operations (int64.wgsl) set it when a result left
 * the 32 bits int64 has on the GPU; every read copies it out with the data, clears it, and throws if it
 * was set. Bound as group 1 of those kernels only.
 */
let statusBuf: GPUBuffer | null = null, statusLayout: GPUBindGroupLayout | null = null, statusGroup: GPUBindGroup | null = null;
function statusBinding(d: GPUDevice): { layout: GPUBindGroupLayout; group: GPUBindGroup } {
  if (!statusBuf || !statusLayout || !statusGroup) {
    statusBuf = d.createBuffer({ size: 4, usage: BU.STORAGE | BU.COPY_SRC | BU.COPY_DST });
    statusLayout = d.createBindGroupLayout({ entries: [{ binding: 0, visibility: STAGE_COMPUTE, buffer: { type: 'storage' } }] });
    statusGroup = d.createBindGroup({ layout: statusLayout, entries: [{ binding: 0, resource: { buffer: statusBuf } }] });
  }
  return { layout: statusLayout, group: statusGroup };
}
function pipelineLayout(d: GPUDevice, bgl: GPUBindGroupLayout, status: boolean): GPUPipelineLayout {
  return d.createPipelineLayout({ bindGroupLayouts: status ? [bgl, statusBinding(d).layout] : [bgl] });
}

function layoutFor(d: GPUDevice, bufs: { write: boolean }[]): GPUBindGroupLayout {
  return d.createBindGroupLayout({
    entries: [
      { binding: 0, visibility: STAGE_COMPUTE, buffer: { type: 'read-only-storage', hasDynamicOffset: true } },
      ...bufs.map((b, i) => ({ binding: i + 1, visibility: STAGE_COMPUTE, buffer: { type: b.write ? 'storage' as const : 'read-only-storage' as const } })),
    ],
  });
}

/** The one dynamic offset of a bind group (Dawn copies it at the call). */
const dynOffset = [0];
/** Fused kernels by the client's number: the WGSL until first encoded, then the pipeline. */
const fusedSources = new Map<number, { wgsl: string; rw: boolean[] }>();
const fused = new Map<number, Pipe>();
const bufIds = new WeakMap<GPUBuffer, number>();
let nextBufId = 1;
const bufId = (b: GPUBuffer) => { let i = bufIds.get(b); if (i === undefined) bufIds.set(b, (i = nextBufId++)); return i; };
/** Bind groups by pipeline, metadata buffer and buffers; cleared when the metadata buffer is replaced. */
const bindGroups = new Map<string, GPUBindGroup>();
const BIND_CACHE_MAX = 16384;

/** The cached bind group `key` of pipeline p over the buffers bound() gives (binding 0: the metadata window). */
function bindGroupFor(p: Pipe, key: string, bound: () => GPUBuffer[]): GPUBindGroup {
  let group = bindGroups.get(key);
  if (!group) {
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: metaBuf!, offset: 0, size: META_WINDOW } }];
    bound().forEach((buf, i) => entries.push({ binding: i + 1, resource: { buffer: buf } }));
    group = dev().createBindGroup({ layout: p.bgl, entries });
    if (bindGroups.size >= BIND_CACHE_MAX) bindGroups.clear();
    bindGroups.set(key, group);
  }
  return group;
}

/** One dispatch: workgroups laid out in 2-D past the per-dimension limit. */
function encodeDispatch(pass: GPUComputePassEncoder, p: Pipe, group: GPUBindGroup, metaOffset: number, groups: number): void {
  const maxDim = limits.maxComputeWorkgroupsPerDimension ?? 65535;
  pass.setPipeline(p.pipe);
  dynOffset[0] = metaOffset;
  pass.setBindGroup(0, group, dynOffset);
  if (p.status) pass.setBindGroup(1, statusGroup!);
  const x = Math.min(groups, maxDim), y = Math.ceil(groups / x);
  if (y > maxDim) throw new Error(`gpu: ${groups} workgroups is more than one dispatch can hold`);
  if (groups > 0) pass.dispatchWorkgroups(x, y);
  timing.dispatches++;
}

/** Every view of an op must lie inside its buffer and agree with it on float vs integer storage. */
function checkViews(op: Op, infoOf: (id: number) => { dtype: DType; numel: number; mixed?: boolean }) {
  for (const [name, v] of Object.entries(op)) {
    if (!v || typeof v !== 'object' || !('buf' in v)) continue;
    const view = v as View;
    const info = infoOf(view.buf);
    if (!info.mixed && (kindOf(view.dtype) === 'f32') !== (kindOf(info.dtype) === 'f32')) {
      throw new Error(`gpu: ${op.op}.${name} views buffer ${view.buf} as ${view.dtype}, but it holds ${info.dtype}`);
    }
    if (view.shape.some((s) => s === 0)) continue;
    let lo = view.offset, hi = view.offset;
    view.shape.forEach((s, d) => { const span = (s - 1) * view.strides[d]; if (span < 0) lo += span; else hi += span; });
    if (lo < 0 || hi >= info.numel) {
      throw new Error(`gpu: ${op.op}.${name} reaches elements [${lo}, ${hi}] of buffer ${view.buf}, which holds ${info.numel}`);
    }
  }
}

function uploadWords(rec: Rec, data: Cmd & { k: 'upload' }): Uint8Array {
  const words = data.data instanceof ArrayBuffer ? new Uint8Array(data.data) : (() => {
    const w = toGpuWords(rec.dtype, data.data);
    return new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
  })();
  if (words.byteLength + 4 * (data.at ?? 0) > rec.numel * 4 || words.byteLength % 4 !== 0) {
    throw new Error(`gpu: upload of ${words.byteLength} bytes into buffer ${data.id} of ${rec.numel} ${rec.dtype} elements`);
  }
  return words;
}

/**
 * Encodes the batch and submits it, synchronously (so batches stay in order). submitNow's promise settles
 * once Dawn has answered the batch's error scopes; what they find is reported at the next read or stats
 * (settle()). The comlink call itself answers at once (ACK_NOW), not when the scopes settle: comlink
 * hands every reply to every call still waiting, so dozens of batches awaiting their scopes made each
 * reply cost the main thread dozens of listener calls. Measured here (lavapipe, the tour loop at N = 1000,
 * issue time of 200 epochs, medians of 15 loops, 3 alternating pairs): 16.0 / 13.7 / 15.8 ms -> 13.6 /
 * 11.9 / 11.5 ms. A process that exits with scopes pending is safe: the exit handler parks this thread
 * after they settle (parkForExit). TROUPE_GPU_ACK=scopes answers after the scopes, as before.
 */
const compileLog: { ms: number; chars: number }[] = [];
const timing = { submits: 0, dispatches: 0, encodeMs: 0, created: 0, planMs: 0, passMs: 0, submitMs: 0, compiled: 0, compileMs: 0, compiledInBackground: 0,
  gpuNs: 0, gpuPasses: 0, gpuFirstNs: 0, gpuLastNs: 0, throttled: 0, onGpuPeak: 0, onGpuOverLimit: -Infinity };
/**
 * New fused kernels are compiled in the background (createComputePipelineAsync) from the moment their
 * batch arrives, so the kernels of a loop's first steps, which arrive in quick succession, compile in
 * parallel instead of one after another inside encoding. A batch that uses a kernel still compiling
 * waits for it, and every later batch, read and stats call waits behind it (`gate`): order is kept.
 */
const compiling = new Map<number, Promise<void>>();
/**
 * Experiment, off by default: TROUPE_GPU_ERROR_SCOPES=0 drops the per-batch error scopes (errors then
 * arrive as uncaptured errors, still reported at the next read). While any scope's promise is pending,
 * dawn.node polls the device from setImmediate, so a GPU-bound loop keeps the worker thread spinning
 * (on 4+ cores with a real GPU; see pollByTimer); whether that slows the main thread there is not settled
 * (device-check bench mode compares both).
 */
const BATCH_SCOPES = process.env.TROUPE_GPU_ERROR_SCOPES !== '0';
/** Only where cores are to spare (Dawn compiles on its own threads; on 2 cores that slows the main
 * thread more than it saves). TROUPE_GPU_ASYNC_COMPILE=0/1 overrides. */
const asyncCompile = process.env.TROUPE_GPU_ASYNC_COMPILE ? process.env.TROUPE_GPU_ASYNC_COMPILE !== '0' : availableParallelism() >= 4;
let gate: Promise<void> | null = null;
function submit(cmds: Cmd[], words: Uint32Array = NO_WORDS): Promise<void> | undefined {
  spinAgain();
  let waits: Promise<void>[] | null = null;
  for (const c of cmds) {
    if (c.k !== 'disp' || fused.has(c.pipe)) continue;
    let w = compiling.get(c.pipe);
    if (!w && c.wgsl !== undefined && asyncCompile && device) {
      const pipe = c.pipe;
      // A kernel that fails to compile is left to the batch's own synchronous build, inside its error
      // scopes, which reports the error as before.
      w = pipelineForAsync(c.wgsl, (c.rw ?? []).map((write) => ({ write })))
        .then((p) => { fused.set(pipe, p); }, () => {})
        .finally(() => { compiling.delete(pipe); });
      compiling.set(pipe, w);
    }
    if (w) (waits ??= []).push(w);
  }
  if (!gate && !waits && !queueFull()) { const sc = submitNow(cmds, words); return ACK_NOW ? undefined : sc; }
  let scopes: Promise<void> = Promise.resolve();
  const submitted = Promise.all(gate ? [gate, ...(waits ?? [])] : waits ?? []).then(room).then(() => { scopes = submitNow(cmds, words); });
  const g: Promise<void> = submitted.catch(noteError).finally(() => { if (gate === g) gate = null; });
  gate = g;
  return ACK_NOW ? undefined : submitted.then(() => scopes);
}
const ACK_NOW = process.env.TROUPE_GPU_ACK !== 'scopes';
const NO_WORDS = new Uint32Array(0);
/**
 * How much work the GPU is given ahead, where polling is cheap (pollByTimer: a CPU adapter or few cores).
 * A main thread that never reads can issue steps far faster than lavapipe runs them: 1000 steps of the
 * tour's loop at N = 10M were minutes of queued GPU work, which shutdown and process exit then had to
 * wait for (the device cannot be destroyed before its queue is done). There, a batch is submitted only
 * while the batches already on the GPU add up to less than BACKLOG_MS of its measured time (at least 1,
 * at most 256 batches; 2 until one was measured); later ones wait here, in order, and are dropped at
 * shutdown. Real GPUs on 4+
 * cores are not throttled: that would take a completion callback per batch, which the worker would spin
 * for (pollByTimer), on the path the H100 measurements were taken on.
 */
const BACKLOG_MS = Number(process.env.TROUPE_GPU_BACKLOG_MS ?? 250);
let onGpu = 0;
/** One batch's GPU time (moving average, ms; 0 until measured) and when the last one finished. */
let batchMs = 0, lastDoneAt = 0;
let roomWaiters: (() => void)[] = [];
function allowedOnGpu(): number { return batchMs > 0 ? Math.max(1, Math.min(256, Math.floor(BACKLOG_MS / batchMs))) : 2; }
function queueFull(): boolean { return pollByTimer && BACKLOG_MS > 0 && onGpu >= allowedOnGpu() && !shuttingDown && !exitAsked(); }
function wakeRoomWaiters(): void {
  const w = roomWaiters;
  roomWaiters = [];
  for (const r of w) r();
}
function room(): Promise<void> | void {
  if (!queueFull()) return;
  timing.throttled++;
  return new Promise<void>((resolve) => roomWaiters.push(resolve)).then(room);
}
function noteSubmitted(d: GPUDevice): void {
  onGpu++;
  timing.onGpuPeak = Math.max(timing.onGpuPeak, onGpu);
  timing.onGpuOverLimit = Math.max(timing.onGpuOverLimit, onGpu - allowedOnGpu());
  const sentAt = performance.now();
  const done = () => {
    const now = performance.now();
    const ms = now - Math.max(sentAt, lastDoneAt); // the time this batch had the GPU to itself
    lastDoneAt = now;
    batchMs = batchMs > 0 ? 0.8 * batchMs + 0.2 * ms : ms;
    onGpu--;
    wakeRoomWaiters();
  };
  track(d.queue.onSubmittedWorkDone()).then(done, done);
}

/** Waits until every batch received so far has been submitted. */
async function submittedAll(): Promise<void> { while (gate) await gate; }
function submitNow(cmds: Cmd[], words: Uint32Array): Promise<void> {
  const t0 = performance.now();
  try { return submitInner(cmds, words); } finally { timing.submits++; timing.encodeMs += performance.now() - t0; }
}
function submitInner(cmds: Cmd[], words: Uint32Array): Promise<void> {
  const tStart = performance.now();
  const d = dev();
  let scopes: Promise<void> = Promise.resolve();
  // Phase 1 (nothing touched yet): plan every op, check every buffer it names (id, dtype, bounds),
  // validate allocs and uploads, lay out metadata and staging. A command that fails here is skipped
  // (the rest of the batch still runs) and its error is reported at the next read/stats.
  const align = limits.minStorageBufferOffsetAlignment ?? 256;
  const plans: (Plan | null)[] = [];
  const skip: boolean[] = [];
  let metaBytes = 0, stagingBytes = 0;
  type Info = { dtype: DType; numel: number; mixed?: boolean };
  const sim = new Map<number, Info | null>(); // buffer table as the batch goes
  const infoOf = (id: number): Info => {
    const s = sim.get(id);
    if (s === null) throw new Error(`gpu: buffer ${id} is used after free`);
    if (s !== undefined) return s;
    const r = buffers.get(id);
    if (!r) throw new Error(`gpu: unknown buffer id ${id}`);
    return r;
  };
  for (const c of cmds) {
    let plan: Plan | null = null;
    try {
      if (c.k === 'disp') {
        if (c.wgsl !== undefined) fusedSources.set(c.pipe, { wgsl: c.wgsl, rw: c.rw ?? [] });
        else if (!fusedSources.has(c.pipe) && !fused.has(c.pipe)) throw new Error(`gpu: unknown kernel ${c.pipe}`);
        for (const id of c.bufs) infoOf(id);
        if (!(c.m >= 0 && c.n >= 1 && c.m + c.n <= words.length)) throw new Error(`gpu: kernel metadata [${c.m}, ${c.m + c.n}) outside the batch's ${words.length} words`);
        if (4 * c.n > META_WINDOW) throw new Error(`gpu: ${4 * c.n} bytes of metadata exceed the ${META_WINDOW}-byte window`);
        metaBytes += Math.ceil((4 * c.n) / align) * align;
      } else if (c.k === 'op') {
        plan = planOpCached(c.op);
        checkViews(c.op, infoOf);
        for (const disp of plan.dispatches) metaBytes += Math.ceil(disp.meta.byteLength / align) * align;
      } else if (c.k === 'alloc') {
        if (c.dtype === 'float64') throw new Error(F64_ERROR);
        kindOf(c.dtype);
        const live = sim.has(c.id) ? sim.get(c.id) !== null : buffers.has(c.id);
        if (live) throw new Error(`gpu: buffer id ${c.id} is already allocated`);
        sizeClass(Math.max(4, c.numel * 4));
        sim.set(c.id, { dtype: c.dtype, numel: c.numel, mixed: !!c.mixed });
      } else if (c.k === 'free') {
        infoOf(c.id);
        sim.set(c.id, null);
      } else if (c.k === 'upload') {
        const info = infoOf(c.id);
        const n = c.data instanceof ArrayBuffer ? c.data.byteLength : (c.data as ArrayLike<number>).length * 4;
        if (n + 4 * (c.at ?? 0) > info.numel * 4 || n % 4 !== 0) {
          throw new Error(`gpu: upload of ${n} bytes into buffer ${c.id} of ${info.numel} ${info.dtype} elements`);
        }
        stagingBytes += n;
      }
      skip.push(false);
    } catch (e) {
      noteError(e);
      plan = null;
      skip.push(true);
    }
    plans.push(plan);
  }

  // Phase 2: encode everything into one command encoder.
  const tPlanned = performance.now();
  timing.planMs += tPlanned - tStart;
  if (BATCH_SCOPES) { d.pushErrorScope('validation'); d.pushErrorScope('out-of-memory'); }
  const later: GPUBuffer[] = [];
  const metaAll = new Uint8Array(metaBytes);
  let metaAt = 0;
  const staging = stagingBytes > 0 ? takeWriteStaging(d, stagingBytes) : null;
  let submitted = false;
  const stagingView = staging ? new Uint8Array(staging.getMappedRange()) : null;
  let stagingAt = 0;
  const enc = d.createCommandEncoder();
  let pass: GPUComputePassEncoder | null = null;
  const endPass = () => { if (pass) { pass.end(); pass = null; } };
  // With TROUPE_GPU_TIMESTAMPS=1: each compute pass writes GPU timestamps at its start and end.
  let nq = 0;
  const beginPass = (): GPUComputePassEncoder => {
    if (!tsq || nq + 2 > TS_CAP) return enc.beginComputePass();
    nq += 2;
    return enc.beginComputePass({ timestampWrites: { querySet: tsq.set, beginningOfPassWriteIndex: nq - 2, endOfPassWriteIndex: nq - 1 } });
  };
  let stampsBuf: GPUBuffer | null = null;
  const metaAll32 = new Uint32Array(metaAll.buffer);
  const place = (meta: Uint32Array) => {
    const at = metaAt;
    metaAll.set(new Uint8Array(meta.buffer, meta.byteOffset, meta.byteLength), at);
    metaAt += Math.ceil(meta.byteLength / align) * align;
    return at;
  };
  // A prepared kernel's metadata, from the batch's words (no view made).
  const placeWords = (m: number, n: number) => {
    const at = metaAt, w = at >> 2;
    for (let i = 0; i < n; i++) metaAll32[w + i] = words[m + i];
    metaAt += Math.ceil((4 * n) / align) * align;
    return at;
  };
  const metaOffsets: number[][] = plans.map((p, ci) => {
    const c = cmds[ci];
    if (c.k === 'disp') return skip[ci] ? [] : [placeWords(c.m, c.n)];
    return p ? p.dispatches.map((disp) => place(disp.meta)) : [];
  });
  if (metaBytes > 0) {
    // One metadata buffer, reused by every submit (queue.writeBuffer is ordered after the work
    // already submitted) and grown when a batch needs more.
    if (metaBytes + META_WINDOW > metaCap) {
      if (metaBuf) later.push(metaBuf);
      bindGroups.clear();
      metaCap = Math.max(64 * 1024, 2 ** Math.ceil(Math.log2(metaBytes + META_WINDOW)));
      metaBuf = d.createBuffer({ size: metaCap, usage: BU.STORAGE | BU.COPY_DST });
    }
    d.queue.writeBuffer(metaBuf!, 0, metaAll.buffer, 0, metaBytes);
  }
  try {
    const tPass = performance.now();
    cmds.forEach((c, ci) => {
      if (skip[ci]) return;
      switch (c.k) {
        case 'alloc': {
          const { buf, size } = takeBuffer(Math.max(4, c.numel * 4));
          buffers.set(c.id, { buf, dtype: c.dtype, numel: c.numel, size, mixed: !!c.mixed });
          return;
        }
        case 'free': {
          const r = buffers.get(c.id)!;
          buffers.delete(c.id);
          giveBuffer(r.buf, r.size, later);
          return;
        }
        case 'upload': {
          const r = buffers.get(c.id)!;
          const words = uploadWords(r, c);
          if (words.byteLength === 0) return;
          stagingView!.set(words, stagingAt);
          endPass();
          enc.copyBufferToBuffer(staging!, stagingAt, r.buf, 4 * (c.at ?? 0), words.byteLength);
          stagingAt += words.byteLength;
          return;
        }
        case 'disp': {
          let p = fused.get(c.pipe);
          if (!p) {
            const src = fusedSources.get(c.pipe)!;
            fusedSources.delete(c.pipe);
            p = pipelineFor(src.wgsl, src.rw.map((write) => ({ write })));
            fused.set(c.pipe, p);
          } else if (c.wgsl !== undefined) fusedSources.delete(c.pipe); // compiled in the background
          // Buffer ids of prepared kernels are never reused, so they name the buffers in the key.
          const ids = c.bufs;
          const group = bindGroupFor(p, `f${p.id}:${ids.join(',')}`, () => ids.map((id) => buffers.get(id)!.buf));
          pass ??= beginPass();
          encodeDispatch(pass, p, group, metaOffsets[ci][0], c.groups);
          return;
        }
        case 'op': {
          const plan = plans[ci]!, offsets = metaOffsets[ci];
          const temps = plan.temps.map((bytes) => takeBuffer(bytes));
          plan.dispatches.forEach((disp, k) => {
            const pipe = pipelineFor(disp.wgsl, disp.bufs);
            if (disp.meta.byteLength > META_WINDOW) throw new Error(`gpu: ${disp.meta.byteLength} bytes of metadata exceed the ${META_WINDOW}-byte window`);
            const bound: GPUBuffer[] = disp.bufs.map((b) => {
              if (typeof b.ref !== 'number') return temps[b.ref.temp].buf;
              const r = buffers.get(b.ref);
              if (!r) throw new Error(`gpu: op ${c.op.op} uses unknown buffer id ${b.ref}`);
              return r.buf;
            });
            let key = `${pipe.id}`;
            for (const b of bound) key += `:${bufId(b)}`;
            const group = bindGroupFor(pipe, key, () => bound);
            pass ??= beginPass();
            encodeDispatch(pass, pipe, group, offsets[k], disp.groups);
          });
          for (const t of temps) giveBuffer(t.buf, t.size, later);
          return;
        }
      }
    });
    endPass();
    if (tsq && nq > 0) {
      stampsBuf = d.createBuffer({ size: nq * 8, usage: BU.MAP_READ | BU.COPY_DST });
      enc.resolveQuerySet(tsq.set, 0, nq, tsq.resolve, 0);
      enc.copyBufferToBuffer(tsq.resolve, 0, stampsBuf, 0, nq * 8);
    }
    const tEncoded = performance.now();
    timing.passMs += tEncoded - tPass;
    if (staging) staging.unmap();
    d.queue.submit([enc.finish()]);
    submitted = true;
    timing.submitMs += performance.now() - tEncoded;
    if (pollByTimer) noteSubmitted(d);
    if (stampsBuf) pendingScopes.push(readStamps(stampsBuf));
  } catch (e) {
    // Encoding failed half-way: nothing of this batch was submitted; the buffer table may already
    // reflect some allocs/frees, so report it at the next read.
    try { endPass(); } catch { /* already invalid */ }
    stampsBuf?.destroy();
    if (staging && staging.mapState === 'mapped') staging.unmap();
    noteError(e);
  } finally {
    if (staging) { if (submitted) recycleWriteStaging(staging); else staging.destroy(); }
    for (const b of later) b.destroy();
    if (BATCH_SCOPES) {
      const oom = track(d.popErrorScope()), val = track(d.popErrorScope());
      scopes = Promise.all([oom, val]).then(([a, b]) => {
        const err = a ?? b;
        if (err) noteError(new Error(`gpu: ${err.message}`));
      }, noteError);
      pendingScopes.push(scopes);
    }
  }
  return scopes;
}

/** GPU timestamps (TROUPE_GPU_TIMESTAMPS=1 and an adapter with 'timestamp-query'): passes per batch at most TS_CAP / 2. */
const TS_CAP = 512;
let tsq: { set: GPUQuerySet; resolve: GPUBuffer } | null = null;
/** Adds a batch's pass times to timing.gpuNs; gpuFirstNs..gpuLastNs spans every timed pass so far. */
async function readStamps(b: GPUBuffer): Promise<void> {
  try {
    await track(b.mapAsync(MAP_READ));
    const t = new BigUint64Array(b.getMappedRange().slice(0));
    b.unmap();
    for (let i = 0; i + 1 < t.length; i += 2) {
      const t0 = Number(t[i]), t1 = Number(t[i + 1]);
      if (!(t1 >= t0 && t0 > 0)) continue; // not written (a pass that failed validation) or out of order
      timing.gpuNs += t1 - t0;
      timing.gpuPasses++;
      if (timing.gpuFirstNs === 0 || t0 < timing.gpuFirstNs) timing.gpuFirstNs = t0;
      if (t1 > timing.gpuLastNs) timing.gpuLastNs = t1;
    }
  } catch (e) { noteError(e); } finally { b.destroy(); }
}

async function settle(): Promise<void> {
  const s = pendingScopes;
  pendingScopes = [];
  await Promise.all(s);
  if (pendingError) {
    const e = pendingError;
    pendingError = null;
    throw e;
  }
}

/**
 * MAP_READ staging buffers kept for later reads, by size (powers of two from 256 bytes to 16 MiB, at most
 * 4 of a size and 64 MiB in all). Creating one took 0.6-0.8 ms on an H200 (Dawn over NVIDIA's Vulkan
 * driver: host-visible memory), two thirds of a small read's round trip (scripts/gpu-read-parts.ts: map
 * with a fresh buffer 0.83 ms, with a kept one 0.05 ms).
 */
const readStaging = new Map<number, GPUBuffer[]>();
/** TROUPE_GPU_STAGING_POOL=0: a fresh staging buffer for every read and upload batch, as before (A/B). */
const STAGING_POOL = process.env.TROUPE_GPU_STAGING_POOL !== '0';
let readStagingBytes = 0;
const STAGING_MAX_ONE = 16 * 2 ** 20, STAGING_MAX_ALL = 64 * 2 ** 20, STAGING_PER_SIZE = 4;
function takeReadStaging(d: GPUDevice, bytes: number): GPUBuffer {
  const size = Math.max(256, 2 ** Math.ceil(Math.log2(bytes)));
  if (size > STAGING_MAX_ONE || !STAGING_POOL) return d.createBuffer({ size: bytes, usage: BU.MAP_READ | BU.COPY_DST });
  const b = readStaging.get(size)?.pop();
  if (b) { readStagingBytes -= size; return b; }
  return d.createBuffer({ size, usage: BU.MAP_READ | BU.COPY_DST });
}
/** Back to the pool after unmap (or destroyed: too large, the pool full, or shutting down). */
function giveReadStaging(b: GPUBuffer): void {
  const size = b.size;
  let l = readStaging.get(size);
  if (!STAGING_POOL || shuttingDown || size > STAGING_MAX_ONE || (size & (size - 1)) !== 0 || readStagingBytes + size > STAGING_MAX_ALL || (l?.length ?? 0) >= STAGING_PER_SIZE) {
    b.destroy();
    return;
  }
  if (!l) readStaging.set(size, (l = []));
  l.push(b);
  readStagingBytes += size;
}
function dropStaging(): void {
  for (const l of readStaging.values()) for (const b of l) b.destroy();
  readStaging.clear();
  readStagingBytes = 0;
  for (const l of writeStaging.values()) for (const b of l) b.destroy();
  writeStaging.clear();
  writeStagingBytes = 0;
}

/**
 * The uploads' MAP_WRITE staging buffers, kept the same way: after its batch is submitted a buffer is
 * mapped again (mapAsync resolves once the GPU has copied out of it) and waits here, mapped, for a later
 * batch's uploads. A batch whose uploads fit no kept buffer creates one mapped at creation.
 */
const writeStaging = new Map<number, GPUBuffer[]>();
let writeStagingBytes = 0;
function takeWriteStaging(d: GPUDevice, bytes: number): GPUBuffer {
  const size = Math.max(256, 2 ** Math.ceil(Math.log2(bytes)));
  if (!STAGING_POOL) return d.createBuffer({ size: Math.ceil(bytes / 4) * 4, usage: BU.MAP_WRITE | BU.COPY_SRC, mappedAtCreation: true });
  if (size <= STAGING_MAX_ONE) {
    const b = writeStaging.get(size)?.pop();
    if (b) { writeStagingBytes -= size; return b; }
  }
  return d.createBuffer({ size: size <= STAGING_MAX_ONE ? size : Math.ceil(bytes / 4) * 4, usage: BU.MAP_WRITE | BU.COPY_SRC, mappedAtCreation: true });
}
function recycleWriteStaging(b: GPUBuffer): void {
  const size = b.size;
  if (!STAGING_POOL || shuttingDown || size > STAGING_MAX_ONE || (size & (size - 1)) !== 0) { b.destroy(); return; }
  track(b.mapAsync(MAP_WRITE)).then(() => {
    let l = writeStaging.get(size);
    if (shuttingDown || writeStagingBytes + size > STAGING_MAX_ALL || (l?.length ?? 0) >= STAGING_PER_SIZE) { b.destroy(); return; }
    if (!l) writeStaging.set(size, (l = []));
    l.push(b);
    writeStagingBytes += size;
  }, () => b.destroy());
}

async function read(id: number, dtype: DType, numel: number, at = 0): Promise<ArrayBuffer> {
  spinAgain();
  await submittedAll();
  const d = dev();
  const r = buffers.get(id);
  if (!r) { await settle(); throw new Error(`gpu: read of unknown buffer id ${id}`); }
  if (at + numel > r.numel) throw new Error(`gpu: read of ${numel} elements at ${at} from buffer ${id} of ${r.numel}`);
  if (dtype !== r.dtype) kindOf(dtype);
  const bytes = numel * 4;
  let out: ArrayBuffer;
  if (bytes === 0) { await settle(); out = new ArrayBuffer(0); }
  else {
    // Copy and map right away; the batches' error scopes are awaited meanwhile (one wait, not two).
    // (with the int64 overflow word after the data, cleared in the same submission)
    const st = statusBuf;
    const total = bytes + (st ? 4 : 0);
    const rb = takeReadStaging(d, total);
    const enc = d.createCommandEncoder();
    enc.copyBufferToBuffer(r.buf, 4 * at, rb, 0, bytes);
    if (st) { enc.copyBufferToBuffer(st, 0, rb, bytes, 4); enc.clearBuffer(st, 0, 4); }
    d.queue.submit([enc.finish()]);
    let status = 0;
    let unmapped = false;
    try {
      const [mapping, err] = await Promise.allSettled([track(rb.mapAsync(MAP_READ, 0, total)), settle()]);
      // (the batches' error first, as it explains a failed mapping too)
      if (err.status === 'rejected') throw err.reason;
      if (mapping.status === 'rejected') throw mapping.reason;
      const mapped = rb.getMappedRange(0, total);
      out = mapped.slice(0, bytes);
      status = st !== null ? new Uint32Array(mapped, bytes, 1)[0] : 0;
      rb.unmap();
      unmapped = true;
    } finally {
      // (a buffer whose read failed is not reused: it may still be mapped or be mapped later)
      if (unmapped) giveReadStaging(rb); else rb.destroy();
    }
    if (status & 2) throw new Error(GPU_INDEX_ERROR);
    if (status & 1) throw new Error(INT64_OVERFLOW);
  }
  if (kindOf(dtype) === 'bool') {
    const words = new Uint32Array(out);
    const u8 = new Uint8Array(words.length);
    for (let i = 0; i < words.length; i++) u8[i] = words[i] ? 1 : 0;
    out = u8.buffer;
  }
  return Comlink.transfer(out, [out]);
}

async function stats(): Promise<GpuStats> {
  await submittedAll();
  await settle();
  let bytes = 0;
  for (const r of buffers.values()) bytes += r.size;
  return { buffers: buffers.size, bytes, pooledBuffers: pooledCount, pooledBytes, pipelines: pipelines.size, ...timing, compileLog: compileLog.slice(), activeMs: performance.eventLoopUtilization().active, poll: pollByTimer ? 'timer' : 'spin' };
}

/**
 * Destroys the device (Dawn first waits for the GPU to finish what was submitted; pending maps and error
 * scopes then settle) and keeps its object reachable for good: if the GPUDevice were collected while one
 * of its promises is pending, Dawn would abort the process ("Promise not resolved or rejected:
 * popErrorScope()"; seen at shutdown after a long queue of steps, depending on when V8 collected).
 */
const retired: GPUDevice[] = [];
function retire(): void {
  const d = device;
  device = null;
  if (!d) return;
  retired.push(d);
  d.destroy();
  wakeRoomWaiters(); // to be dropped: see dev()
}

/** Resolves once Dawn has no promise pending (or after `ms`): a thread that ends with one pending
 * aborts the process ("Promise not resolved or rejected: popErrorScope()"). */
async function dawnSettled(ms: number): Promise<void> {
  const t0 = performance.now();
  while (dawnPending > 0 && performance.now() - t0 < ms) await new Promise((r) => setTimeout(r, 1));
}

async function shutdown(): Promise<void> {
  shuttingDown = true;
  for (const r of buffers.values()) r.buf.destroy();
  for (const l of pool.values()) for (const b of l) b.destroy();
  dropStaging();
  metaBuf?.destroy();
  statusBuf?.destroy(); statusBuf = null; statusLayout = null; statusGroup = null;
  tsq?.set.destroy(); tsq?.resolve.destroy(); tsq = null;
  metaBuf = null; metaCap = 0;
  buffers.clear(); pool.clear(); pipelines.clear(); fused.clear(); fusedSources.clear();
  pooledBytes = 0; pooledCount = 0;
  retire();
  await dawnSettled(PARK_SETTLE_MS);
  // Close the port after comlink has posted this call's reply: the thread then has nothing left to
  // do and exits by itself.
  nextTurn(() => parentPort?.close());
}

/**
 * Parking for process exit. When the process exits (process.exit(), an uncaught error, the end of a
 * script that never called shutdown()), Node terminates this thread wherever it is. Inside a Dawn call
 * (a pipeline build, an encode, a read's map) that is fatal: Dawn's binding cannot throw into a thread
 * being terminated and aborts the whole process ("FATAL ERROR: Error::ThrowAsJavaScriptException",
 * exit code 134) instead of exiting with the program's code. So the client's 'exit' handler sets
 * flags[0], posts to `port` and waits on flags[1]: this thread takes the message only between tasks,
 * never inside a Dawn call, settles Dawn's promises, says so (flags[1] = 1) and blocks in Atomics.wait
 * (while flags[0] is 1, which the client never clears), which termination interrupts cleanly.
 */
if (exitCtl && exitFlags) {
  const flags = exitFlags;
  exitCtl.port.on('message', () => void parkForExit(flags));
  exitCtl.port.unref();
}
/** Settle what Dawn has pending (destroying the device aborts reads and answers error scopes), then
 * block until terminated. Bounded: after PARK_SETTLE_MS it parks anyway. */
const PARK_SETTLE_MS = 3_000;
let parking = false;
async function parkForExit(flags: Int32Array): Promise<void> {
  if (parking) return;
  parking = true;
  shuttingDown = true;
  try { retire(); } catch { /* already gone */ }
  await dawnSettled(PARK_SETTLE_MS);
  Atomics.store(flags, 1, 1);
  Atomics.notify(flags, 1);
  Atomics.wait(flags, 0, 1); // until terminated
}

export const api = { init, submit, read, stats, shutdown };
export type GpuWorkerApi = typeof api;

if (parentPort) {
  Comlink.expose(api, nodeEndpoint(parentPort as unknown as Parameters<typeof nodeEndpoint>[0]));
  // Batches arrive as plain messages (client.ts flush()), in order with comlink's calls on this port;
  // comlink ignores them. Nothing answers: a batch's errors are kept for the next read or stats.
  parentPort.on('message', (m: unknown) => {
    const b = m as { [BATCH]?: Cmd[]; words?: Uint32Array } | null;
    const cmds = b?.[BATCH];
    if (!cmds) return;
    try { void submit(cmds, b.words)?.catch(noteError); } catch (e) { noteError(e); }
  });
}
