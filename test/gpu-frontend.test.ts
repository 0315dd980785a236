/**
 * GPU tensors through the public API: every op and gradient on 'gpu' against the same code on 'cpu',
 * printing, device errors, the tour's loop, flat GPU memory, clean exit. Skips with one line when no
 * WebGPU adapter exists, except under CI=true, where that is a failure.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as torch from '../src/index.ts';
import { gpuForTests } from './helpers.ts';

const available = await gpuForTests('gpu-frontend');

async function close(got: torch.Tensor, want: torch.Tensor, rel: number, what: string) {
  expect(got.device).toBe('gpu');
  expect(got.shape, what).toEqual(want.shape);
  const g = await got.to('cpu').contiguous().toTypedArray(), w = await want.contiguous().toTypedArray();
  for (let i = 0; i < w.length; i++) {
    const err = Math.abs(g[i] - w[i]);
    if (!(err <= rel * Math.abs(w[i]) + 1e-6) && !(Number.isNaN(g[i]) && Number.isNaN(w[i]))) {
      throw new Error(`${what}[${i}]: gpu ${g[i]} cpu ${w[i]}`);
    }
  }
}

describe.runIf(available)('gpu tensors', () => {
  it('every op matches the CPU', async () => {
    torch.manualSeed(11);
    const A = torch.randn([37, 29]), B = torch.rand([37, 29]).add(0.5), r = torch.randn([29]), s = torch.tensor([1.5]);
    const cases: Array<[string, (a: torch.Tensor, b: torch.Tensor, r: torch.Tensor, s: torch.Tensor) => torch.Tensor, number]> = [
      ['add', (a, b) => a.add(b), 1e-6], ['sub', (a, b) => a.sub(b), 1e-6], ['mul', (a, b) => a.mul(b), 1e-6],
      ['div', (a, b) => a.div(b), 1e-6], ['pow', (a, b) => b.pow(a), 1e-5], ['powScalar', (a) => a.pow(2), 1e-6],
      ['neg exp log', (a, b) => torch.log(b).add(torch.exp(a.neg())), 1e-5], ['sqrt', (a, b) => torch.sqrt(b), 1e-6],
      ['sin cos tanh', (a) => torch.sin(a).add(torch.cos(a)).add(torch.tanh(a)), 1e-5], ['relu abs', (a) => torch.relu(a).add(torch.abs(a)), 1e-6],
      ['sigmoid', (a) => torch.sigmoid(a), 1e-5], ['broadcast row', (a, b, r) => a.add(r), 1e-6], ['broadcast [1]', (a, b, r, s) => a.mul(s), 1e-6],
      ['scalar', (a) => a.mul(3).sub(2), 1e-6], ['maximum', (a, b) => torch.maximum(a, b), 0], ['where', (a, b) => torch.where(a.gt(0), a, b), 0],
      ['sum', (a) => torch.sum(a), 1e-5], ['sum dim', (a) => a.sum(0).add(a.sum(1, true).sum()), 1e-5], ['mean', (a) => a.mean(1), 1e-5],
      ['max', (a) => a.max(), 0], ['max dim', (a) => a.max(1, true).values.add(a.min(0, true).values), 0],
      ['max indices', (a) => a.max(0).indices.add(a.argmin(1, true)).add(a.argmax()), 0], ['dot', (a, b) => torch.dot(a.flatten(), b.flatten()), 1e-5],
      ['matmul', (a, b) => torch.matmul(a, b.t()), 1e-5], ['mv', (a, b, r) => torch.matmul(a, r), 1e-5],
      ['transpose copy', (a) => a.t().contiguous(), 0], ['index', (a) => a.index('1::3', 2), 0], ['view', (a) => a.view(-1).index('5:40'), 0],
    ];
    const g = [A, B, r, s].map((t) => t.to('gpu'));
    for (const [name, f, tol] of cases) await close(f(g[0], g[1], g[2], g[3]), f(A, B, r, s), tol, name);
  });

  it('in-place ops and typed reads', async () => {
    const y = torch.ones(3, 2, { device: 'gpu' });
    expect(y.add_(torch.ones(3, 2, { device: 'gpu' }))).toBe(y);
    expect(Array.from(await y.toTypedArray())).toEqual([2, 2, 2, 2, 2, 2]);
    y.index(':', 0).zero_();
    expect(await y.tolist()).toEqual([[0, 2], [0, 2], [0, 2]]);
    expect(await torch.sum(y).item()).toBe(6);
  });

  it('gradients on gpu match the CPU', async () => {
    const run = async (device: 'cpu' | 'gpu') => {
      torch.manualSeed(3);
      const x0 = torch.randn([20, 1]);
      const w = torch.tensor([1], { requiresGrad: true, device }), b = torch.tensor([1], { requiresGrad: true, device });
      const x = x0.to(device);
      const y = x.mul(3).sub(2);
      const loss = torch.sum(w.mul(x).add(b).sub(y).pow(2)).add(torch.sum(torch.sigmoid(w.mul(x))));
      await loss.backward();
      return [w.grad!, b.grad!];
    };
    const [gw, gb] = await run('gpu'), [cw, cb] = await run('cpu');
    await close(gw, cw, 1e-5, 'w.grad');
    await close(gb, cb, 1e-5, 'b.grad');
    const maxGrad = async (device: 'cpu' | 'gpu') => {
      torch.manualSeed(4);
      const a = torch.randn([6, 5]).to(device).requiresGrad_(true);
      await a.max(1).values.sum().add(a.min(0).values.mul(2).sum()).backward();
      return a.grad!;
    };
    await close(await maxGrad('gpu'), await maxGrad('cpu'), 0, 'max(dim) grad');
    const x = torch.ones([3, 2], { requiresGrad: true, device: 'gpu' });
    await torch.div(1, torch.exp(x.add(5).neg()).add(1)).backward(torch.ones([3, 2], { device: 'gpu' }));
    expect(await torch.format(x.grad!)).toBe("tensor([[0.0025, 0.0025],\n        [0.0025, 0.0025],\n        [0.0025, 0.0025]], device='gpu:0')");
  });

  it('random fills equal the CPU stream', async () => {
    torch.manualSeed(9);
    const gu = torch.rand([1001], { device: 'gpu' }), gn = torch.randn([1001], { device: 'gpu' });
    torch.manualSeed(9);
    const cu = torch.rand([1001]), cn = torch.randn([1001]);
    expect(Array.from(await gu.toTypedArray())).toEqual(Array.from(await cu.toTypedArray()));
    await close(gn, cn, 3e-7, 'randn');
  });

  it('prints the device, and mixing devices fails clearly', async () => {
    const a = torch.ones(3, 2, { device: 'gpu' });
    expect(await torch.format(a.add(a))).toBe("tensor([[2., 2.],\n        [2., 2.],\n        [2., 2.]], device='gpu:0')");
    expect(() => a.add(torch.ones(3, 2))).toThrow(/Expected all tensors to be on the same device, but found at least two devices, gpu:0 and cpu/);
    expect(() => torch.ones(2, { device: 'gpu', dtype: 'float64' })).toThrow(/float64 is not supported on gpu/);
    expect(await torch.gpu.getDeviceName(0)).toMatch(/\S/);
    expect(await torch.gpu.deviceCount()).toBe(1);
  });

  it('GPU memory stays flat over many steps', async () => {
    const stats = () => torch._internals.gpuStats();
    const N = 1 << 20; // 4 MiB per tensor, ~24 MiB allocated per step
    const step = async () => {
      const x = torch.randn([N], { device: 'gpu' });
      const w = torch.ones([N], { device: 'gpu', requiresGrad: true });
      await torch.sum(w.mul(x).pow(2)).backward();
    };
    for (let i = 0; i < 60; i++) await step();
    const early = await stats();
    for (let i = 0; i < 200; i++) await step();
    const late = await stats();
    // 200 more steps allocate ~4.8 GiB of tensors; recycled, the footprint stays within the collection
    // slack (garbage may pile up to 512 MiB or twice the live size between forced collections).
    const footprint = (s: { bytes: number; pooledBytes?: number }) => s.bytes + (s.pooledBytes ?? 0);
    expect(footprint(late)).toBeLessThanOrEqual(footprint(early) + (640 << 20));
    expect(footprint(late)).toBeLessThan(1200 << 20);
    // dispose() frees at once.
    const t = torch.ones([1 << 20], { device: 'gpu' });
    await t.toTypedArray();
    t.dispose();
    expect(() => t.add(1)).toThrow(/disposed/);
  }, 240_000);

  it('torch.scope gives GPU buffers back when it ends, not when the garbage collector finds them', async () => {
    const stats = async () => (await torch._internals.gpuStats()) as { buffers: number; bytes: number };
    const N = 1 << 20;
    const w = torch.ones([N], { device: 'gpu' });
    await w.toTypedArray();
    // Once first: the fuser's own buffers (a slab for small tensors, a reduction's scratch) are made on
    // first use and stay.
    await torch.scope(async () => { const a = torch.rand([N], { device: 'gpu' }).add(w); await a.mul(2).sum().item(); });
    // Earlier tests' tensors may be collected at any moment, and their buffers freed, so live bytes only
    // bound from one side: frees of others can lower a later reading, never raise it.
    const s0 = await stats();
    const held: torch.Tensor[] = [];
    let inside = s0;
    const total = await torch.scope(async () => {
      const a = torch.rand([N], { device: 'gpu' }).add(w);
      const b = a.mul(2);
      held.push(a, b);
      await a.toTypedArray();
      await b.toTypedArray(); // both read, so both materialized: two buffers of N
      inside = await stats();
      return b.sum();
    });
    const t = (await total.item()) as number; // b = 2 (1 + rand): about 3 on average
    expect(t / N).toBeGreaterThan(2.9);
    expect(t / N).toBeLessThan(3.1);
    const after = await stats();
    // The scope's end gave back both buffers (the sum's scalar may take a slab slot) ...
    expect(inside.bytes - after.bytes).toBeGreaterThanOrEqual(2 * 4 * N - 4096);
    // ... and nothing of the scope stays.
    expect(after.bytes).toBeLessThanOrEqual(s0.bytes + 4096);
    expect(() => held[0].add(1)).toThrow(/torch.scope/); // the tensors themselves are still referenced
  });

  it('runs the tour loop (a few epochs of N = 10M) and the loss matches the CPU', async () => {
    const { largeLoop } = await import('../scenarios/large-loop.ts');
    const g = await largeLoop({ n: 10_000_000, epochs: 2, lr: 1e-9, seed: 1, device: 'gpu' });
    const c = await largeLoop({ n: 10_000_000, epochs: 2, lr: 1e-9, seed: 1, device: 'cpu' });
    expect(Math.abs(g.loss - c.loss) / Math.abs(c.loss)).toBeLessThan(1e-4);
    expect(Math.abs(g.b - c.b)).toBeLessThan(1e-3);
  }, 240_000);

  it('a loop that never reads does not queue more GPU work than the bound allows (CPU adapter)', async () => {
    const first = await torch._internals.gpuStats() as unknown as { poll: string };
    if (first.poll !== 'timer') return; // real GPUs on 4+ cores are not throttled
    const N = 1_000_000;
    const w = torch.rand([N], { requiresGrad: true, device: 'gpu' });
    const step = async () => {
      const x = torch.randn([N], { device: 'gpu' });
      const loss = torch.sum(torch.dot(w, x).pow(2));
      await loss.backward();
      torch.noGrad(() => { w.sub_(w.grad!.mul(1e-9)); w.grad!.zero_(); });
    };
    // The bound follows the batch time it measures (a moving average): first let it learn this loop's,
    // whatever ran before (small batches make it large).
    for (let i = 0; i < 40; i++) await step();
    await w.sum().item();
    const s0 = await torch._internals.gpuStats() as unknown as { throttled: number };
    for (let i = 0; i < 120; i++) await step();
    const s = await torch._internals.gpuStats() as unknown as { throttled: number; onGpuPeak: number; onGpuOverLimit: number };
    // lavapipe runs a step of N = 1M in milliseconds; the main thread issues one in ~0.1 ms: without the
    // bound, the whole loop would sit on the GPU's queue.
    expect(s.throttled - s0.throttled).toBeGreaterThan(0);
    expect(s.onGpuOverLimit).toBeLessThanOrEqual(0);
    expect(s.onGpuPeak).toBeLessThanOrEqual(256);
    expect(Number.isFinite(await w.sum().item())).toBe(true);
  }, 120_000);

  it('process.exit() or an uncaught error while the GPU works ends the process with its own code, not an abort', () => {
    // Node terminates the GPU worker at exit. Inside a Dawn call (a kernel build, a read's map) that
    // used to abort the process (FATAL ERROR ... napi_throw, or "Promise not resolved or rejected:
    // mapAsync()", exit code 134) instead of exiting with the program's code.
    const script = (how: string) => `
      import * as torch from './src/index.ts';
      await torch.gpu.init();
      const x = torch.randn([1 << 20], { device: 'gpu' });
      const p = x.mul(2).add(1).exp().toTypedArray();
      setTimeout(() => { ${how} }, 20);
      await p;
      await new Promise((r) => setTimeout(r, 60_000));
    `;
    for (const [how, code] of [['process.exit(7)', 7], ["throw new Error('boom (expected)')", 1]] as const) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(how)], { cwd: process.cwd(), timeout: 120_000, encoding: 'utf8' });
      expect(r.signal, `${how}: killed by ${r.signal}\n${r.stderr}`).toBe(null);
      expect(r.stderr).not.toMatch(/FATAL|not resolved or rejected/);
      expect(r.status, `${how}\n${r.stderr}`).toBe(code);
    }
  }, 240_000);

  it('a program using the GPU exits by itself', () => {
    const script = `
      import * as torch from './src/index.ts';
      await torch.gpu.init();
      const a = torch.ones(3, 2, { device: 'gpu' });
      console.log(await torch.format(a.add(1)));
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), timeout: 120_000, encoding: 'utf8' });
    expect(r.signal).toBe(null);
    expect(r.stdout).toMatch(/device='gpu:0'/);
    expect(r.status).toBe(0);
  }, 150_000);

  it('int64 past 32 bits on the gpu is an error at the next read, never a wrong value; int32 wraps as PyTorch\'s', async () => {
    const g = { device: 'gpu' } as const;
    const overflow = /int64 overflow on gpu: an int64 result computed on the gpu since the last read went past 32 bits/;
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['a sum', () => torch.full([3], 2 ** 30, g).sum().item()],
      ['a sum along a dim (fused into a larger kernel)', () => torch.full([4, 3], 2 ** 30, g).mul(1).sum(1).tolist()],
      ['a long sum (partials of several chunks)', () => torch.full([20000], 2 ** 17, g).sum().item()],
      ['a product', () => torch.full([2], 70000, g).mul(70000).tolist()],
      ['a product by -1 of -2^31', () => torch.full([2], -(2 ** 31), g).mul(-1).tolist()],
      ['an add', () => torch.full([2], 2 ** 31 - 1, g).add(1).tolist()],
      ['a subtraction', () => torch.full([2], -(2 ** 31), g).sub(1).tolist()],
      ['neg of -2^31', () => torch.full([2], -(2 ** 31), g).neg().tolist()],
      ['abs of -2^31', () => torch.full([2], -(2 ** 31), g).abs().tolist()],
      ['a float converted to int64', () => torch.full([2], 3e9 + 0.5, g).long().tolist()],
      ['a matrix product', () => torch.matmul(torch.full([2, 3], 60000, g), torch.full([3, 2], 60000, g)).tolist()],
      ['a dot product', () => torch.dot(torch.full([3], 60000, g), torch.full([3], 60000, g)).item()],
    ];
    for (const [what, f] of cases) await expect(f(), what).rejects.toThrow(overflow);
    // Reported once: the next reads are right again, and values in range were never refused.
    expect(await torch.full([3], 5, g).sum().item()).toBe(15);
    expect(await torch.full([2], 7000, g).mul(-7000).add(2 ** 30).tolist()).toEqual([1024741824, 1024741824]);
    expect(await torch.full([2], 2e9 + 0.5, g).long().tolist()).toEqual([2e9, 2e9]);
    expect(await torch.arange(60000, g).sum().item()).toBe(1799970000);
    expect(await torch.matmul(torch.arange(6, g).reshape([2, 3]), torch.arange(6, g).reshape([3, 2])).tolist()).toEqual([[10, 13], [28, 40]]);
    expect(await torch.dot(torch.arange(100, g), torch.arange(100, g)).item()).toBe(328350);
    expect(await torch.ones([1000], g).gt(0).sum().item()).toBe(1000);
    // A fused kernel computes four lanes per thread: a lane past a statement's end reads what follows in
    // the buffer (here a freed float32 tensor's 1e30 in the same slot) and must not report an overflow.
    const junk = torch.full([4], 1e30, { ...g, dtype: 'float32' });
    await junk.toTypedArray();
    junk.dispose();
    expect(await torch.arange(3, g).mul(1000).tolist()).toEqual([0, 1000, 2000]);
    // int32 wraps on the GPU as on the CPU (and in PyTorch).
    expect(await torch.full([2], 2 ** 31 - 1, { ...g, dtype: 'int32' }).add(1).tolist()).toEqual([-(2 ** 31), -(2 ** 31)]);
    expect(await torch.full([2], 2 ** 31 - 1, { dtype: 'int32' }).add(1).tolist()).toEqual([-(2 ** 31), -(2 ** 31)]);
  });
});
