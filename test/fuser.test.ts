/**
 * What the fuser sends to the GPU, without a GPU: a recording stand-in backend counts kernels,
 * allocations and frees. The tour's training step must come down to a few kernels with no per-step
 * allocation, and a temporary that dies while lazy must cost nothing.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { useGpuBackend } from '../src/runtime/gpu.ts';
import type { GpuBackend } from '../src/backends/gpu/client.ts';
import type { FusedDispatch } from '../src/backends/gpu/fuser.ts';

const log = { dispatches: 0, kernels: new Set<string>(), allocs: 0, frees: 0, ops: 0, uploads: 0, wgsl: new Map<string, string>(), last: [] as string[] };
const stub: GpuBackend = {
  name: 'recording stand-in', limits: { maxStorageBuffersPerShaderStage: 8 },
  alloc() { log.allocs++; }, free() { log.frees++; }, upload() { log.uploads++; }, uploadWords() { log.uploads++; },
  exec() { log.ops++; }, flush() {},
  dispatch(d: FusedDispatch) {
    log.dispatches++;
    if (!log.kernels.has(d.key)) {
      const w = d.wgsl(); // also checks the metadata layout
      expect(w).toMatch(/@compute @workgroup_size\(256\)/);
      log.wgsl.set(d.key, w);
    }
    log.kernels.add(d.key);
    log.last.push(d.key);
    expect(d.meta.byteLength).toBeLessThanOrEqual(2048);
    expect(d.bufs.length + 1).toBeLessThanOrEqual(8);
  },
  async read(_id, _dtype, numel) { return new Float32Array(numel); },
  async stats() { return { buffers: 0, bytes: 0 }; },
  async shutdown() {},
};
useGpuBackend(stub);
const snap = () => ({ ...log, kernels: log.kernels.size, wgsl: null, last: null });

describe('fuser (recording backend)', () => {
  it("the tour's training step takes 2 kernels and no allocation once warm", async () => {
    const N = 1_000_000;
    const w = torch.rand([N], { requiresGrad: true, device: 'gpu' });
    const b = torch.ones([1], { requiresGrad: true, device: 'gpu' });
    const step = async () => {
      const x = torch.randn([N], { device: 'gpu' });
      const y = torch.dot(torch.ones([N], { device: 'gpu' }).mul(3), x).sub(2);
      const loss = torch.sum(torch.dot(w, x).add(b).sub(y).pow(2));
      await loss.backward();
      torch.noGrad(() => {
        w.sub_(w.grad!.mul(0.001));
        b.sub_(b.grad!.mul(0.001));
        w.grad!.zero_();
        b.grad!.zero_();
      });
      return loss;
    };
    for (let i = 0; i < 5; i++) await step();
    await (await step()).item(); // flushes
    const s0 = snap();
    log.last = [];
    const E = 200;
    let loss!: torch.Tensor;
    for (let i = 0; i < E; i++) loss = await step();
    await loss.item();
    const s1 = snap();
    // Both dots share one two-pass reduction that draws x once (and stores it); the update of w (with
    // w.grad never written) and b runs in the next step's first pass, which reads w back.
    expect((s1.dispatches - s0.dispatches) / E).toBeLessThanOrEqual(2.05);
    expect(s1.allocs - s0.allocs).toBeLessThanOrEqual(E / 50); // a new slab now and then, never an N-sized buffer
    expect(s1.ops - s0.ops).toBe(0);                            // nothing fell back to one-op kernels
    expect(s1.kernels - s0.kernels).toBeLessThanOrEqual(4);     // same kernels every step
    // x is drawn once per step: the reduction stores it, the update reads it back.
    const steady = log.last.slice(-30).map((k) => log.wgsl.get(k)!);
    const draws = (w: string) => (w.match(/philox4x32_10\(vec4/g) ?? []).length;
    expect(steady.filter((w) => w.includes('var<workgroup>') && draws(w) === 1).length).toBeGreaterThan(0);
    expect(steady.filter((w) => !w.includes('var<workgroup>')).every((w) => draws(w) === 0)).toBe(true);
    // Each kernel carries only the library helpers it calls (the step calls no transcendental function).
    for (const w of new Set(steady)) {
      expect(w).not.toMatch(/fn (fsin|fexp|flog|fatan2|mul_wide)\(/);
      expect(/fn philox4x32_10\(/.test(w)).toBe(draws(w) > 0);
    }
    const t = torch.tensor([1, 2, 3], { device: 'gpu' });
    log.last.length = 0;
    await t.sin().add(1).sum().item();
    const sinK = log.last.map((k) => log.wgsl.get(k)!).find((w) => w.includes('fsin('))!;
    expect(sinK).toMatch(/fn fsin\(/);
    expect(sinK).toMatch(/fn mul_wide\(/);            // (through fsin's Payne-Hanek reduction)
    expect(sinK).not.toMatch(/fn (fexp|fcos|fatan2)\(/);
  });

  it('a long loop of awaits that are all microtasks keeps its small buffers flat', async () => {
    const w = torch.rand([1000], { requiresGrad: true, device: 'gpu' });
    const b = torch.ones([1], { requiresGrad: true, device: 'gpu' });
    for (let i = 0; i < 3000; i++) {
      const x = torch.randn([1000], { device: 'gpu' });
      const loss = torch.sum(torch.dot(w, x).add(b).pow(2));
      await loss.backward();
      torch.noGrad(() => { w.sub_(w.grad!.mul(1e-6)); b.sub_(b.grad!.mul(1e-6)); w.grad!.zero_(); b.grad!.zero_(); });
    }
    // A few scalar slots per step, more than one slab (4096 slots) holds over the run: dead ones are
    // found (a forced collection) before a slab is added, so one slab serves (without: two).
    const s = await torch._internals.gpuStats() as unknown as { fuser: { slabs: number } };
    expect(s.fuser.slabs).toBe(1);
  });

  it('an op the GPU actor refuses when it is issued fails at the next sync, and marks its output invalid', async () => {
    // GPU ops go straight to the executor when nothing is queued ahead (no trip through the runtime's
    // queue); a failure there must behave as one in the queue does: reported at the next sync, output
    // unusable, later ops unaffected.
    const rt = await import('../src/runtime/runtime.ts');
    const { gpuInfo } = await import('../src/runtime/gpu.ts');
    expect(gpuInfo()?.name).toBe('recording stand-in');
    let took = 0;
    const refusing = {
      name: 'refusing stand-in', accepts: () => false, async run() {}, alloc: () => null,
      runNow(op: { op: string }) { if (op.op === 'fill') throw new Error('stand-in refuses fills'); took++; },
    };
    const a = rt.allocStorage('gpu', 'float32', 4); // allocated by the recording stand-in's executor
    rt.setGpuExecutor(refusing as never);
    try {
      const b = rt.allocStorage('gpu', 'float32', 4);
      const view = (id: number) => ({ buf: id, dtype: 'float32' as const, shape: [4], strides: [1], offset: 0 });
      rt.exec({ op: 'fill', value: 1, out: view(b.id) }, [b]);
      expect(b.invalid).toMatch(/tensor is invalid: the op that was writing it failed \(stand-in refuses fills\)/);
      rt.exec({ op: 'copy', x: view(a.id), out: view(a.id) }, [a]);
      expect(took).toBe(1);
      await expect(rt.sync()).rejects.toThrow('stand-in refuses fills');
      await rt.sync(); // reported once
      expect(() => rt.exec({ op: 'copy', x: view(b.id), out: view(a.id) }, [b, a])).toThrow(/tensor is invalid/);
    } finally {
      const { useGpuBackend } = await import('../src/runtime/gpu.ts');
      useGpuBackend(stub);
    }
  });

  it('a temporary that dies while lazy is never computed', async () => {
    const s0 = snap();
    for (let i = 0; i < 50; i++) torch.randn([4096], { device: 'gpu' }).mul(2).add(1);
    const t = torch.ones([3], { device: 'gpu' });
    await t.toTypedArray();
    const s1 = snap();
    expect(s1.dispatches - s0.dispatches).toBe(1); // only t
    expect(s1.allocs - s0.allocs).toBeLessThanOrEqual(1);
  });
});
