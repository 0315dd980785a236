import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as torch from '../src/index.ts';

const N = 3 * 65536 + 4321; // several reduction blocks, a ragged tail

/** Every primitive on large tensors; returns the raw bytes of each result. */
async function workload(): Promise<Record<string, string>> {
  torch.manualSeed(7);
  const a = torch.randn([N]), b = torch.rand([N]).add(0.5), one = torch.tensor([2.5]);
  const m = torch.randn([600, 500]), row = torch.randn([500]), mt = torch.randn([500, 600]);
  const out: Record<string, torch.Tensor> = {
    randn: a, rand: b,
    exp: torch.exp(a), log: torch.log(b), neg: a.neg(), sqrt: torch.sqrt(b), sin: torch.sin(a), tanh: torch.tanh(a), relu: torch.relu(a), abs: torch.abs(a),
    add: a.add(b), sub: a.sub(b), mul: a.mul(b), div: a.div(b), pow: b.pow(a), powScalar: a.pow(2), maximum: torch.maximum(a, b),
    gt: a.gt(b), where: torch.where(a.gt(0), a, b), bcastScalarTensor: a.mul(one), bcastRow: m.add(row), scalar: a.mul(3).sub(2),
    sum: torch.sum(a), mean: torch.mean(b), max: a.max(), min: a.min(), sumDim0: m.sum(0), sumDim1: m.sum(1), dot: torch.dot(a, b),
    matmul: torch.matmul(torch.randn([512, 64]), torch.randn([64, 1024])), transposeCopy: m.t().contiguous(),
    transposeAdd: m.add(mt.t()), transposeSub: mt.t().sub(m), transposeScalar: torch.sub(2, mt.t()), transposeLong: m.t().long(),
    float64: a.to({ dtype: 'float64' }).mul(1.5), int: torch.ones([N], { dtype: 'int32' }).mul(3).sum(),
    maxDim1: m.max(1).values, argmaxDim1: m.argmax(1), minDim0: m.min(0).indices, argmaxAll: a.argmax(), argminT: mt.t().argmin(0),
  };
  // Gradients through sharded tensors, accumulated into sharded .grad.
  const w = torch.rand([N], { requiresGrad: true }), bias = torch.ones([1], { requiresGrad: true });
  for (let i = 0; i < 2; i++) {
    const loss = torch.sum(torch.dot(w, a).add(bias).sub(torch.dot(b, a)).pow(2)).add(torch.sum(torch.exp(w.mul(0.1)).mul(b)));
    await loss.backward();
  }
  out.wGrad = w.grad!;
  out.bGrad = bias.grad!;
  const res: Record<string, string> = {};
  for (const [k, t] of Object.entries(out)) {
    const d = await t.contiguous().toTypedArray();
    res[k] = createHash('sha256').update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)).digest('hex');
  }
  return res;
}

describe('sharded CPU runtime', () => {
  afterAll(async () => { await torch.shutdown(); });

  it('rejects absurd worker counts with a clear error', async () => {
    await expect(torch.init({ workers: 0 })).rejects.toThrow(/workers must be an integer between 1 and 256.*got 0/);
    await expect(torch.init({ workers: -2 })).rejects.toThrow(/between 1 and 256/);
    await expect(torch.init({ workers: 100000 })).rejects.toThrow(/between 1 and 256/);
    await expect(torch.init({ workers: 1.5 })).rejects.toThrow(/integer/);
  });

  it('gives bit-identical results in-process and sharded over 1, 2 and 3 workers', async () => {
    const ref = await workload();
    for (const workers of [1, 2, 3]) {
      await torch.init({ workers });
      const tasksBefore = torch._internals.pool!.tasks;
      const got = await workload();
      expect(torch._internals.pool!.tasks).toBeGreaterThan(tasksBefore); // the pool really ran it
      for (const k of Object.keys(ref)) expect([k, got[k]]).toEqual([k, ref[k]]);
      await torch.shutdown();
    }
  });

  it('when shared memory runs out, the ops queued so far run on this thread, with the same bits', async () => {
    const ref = await workload();
    await torch.init({ workers: 2 });
    const { configureSharing, ranHere } = await import('../src/runtime/runtime.ts');
    const { sharedMemory, useSharedMemory } = await import('../src/runtime/shared-memory.ts');
    const sm = sharedMemory();
    // As if the arena were full: every large allocation made while ops are queued runs them here first.
    configureSharing({ alloc: (d, n) => sm.alloc(d, n), track: (st) => sm.track(st), fits: () => false, released: () => sm.released() });
    const before = ranHere.times;
    try {
      const got = await workload();
      expect(ranHere.times).toBeGreaterThan(before);
      for (const k of Object.keys(ref)) expect([k, got[k]]).toEqual([k, ref[k]]);
    } finally {
      useSharedMemory();
      await torch.shutdown();
    }
  });

  it('checks sizes, dtypes and devices before any worker is touched', async () => {
    await torch.init({ workers: 2 });
    const pool = torch._internals.pool!;
    const a = torch.ones([N]), c = torch.ones([N + 1]);
    const before = pool.tasks;
    expect(() => a.add(c)).toThrow(new RegExp(`size of tensor a \\(${N}\\) must match the size of tensor b \\(${N + 1}\\)`));
    expect(() => torch.dot(a, torch.ones([N], { dtype: 'float64' }))).toThrow(/same dtype/);
    expect(() => torch.ones([N], { dtype: 'int32' }).add_(a)).toThrow(/can't be cast/);
    expect(pool.tasks).toBe(before);
    await torch.shutdown();
  });

  it('a worker killed mid-op fails that op clearly, invalidates its output, and the pool recovers', async () => {
    await torch.init({ workers: 2 });
    const pool = torch._internals.pool!;
    const big = 6_000_000;
    const x = torch.randn([big]);
    await x.toTypedArray(); // settle
    const y = torch.exp(torch.sin(x)).mul(torch.tanh(x)).pow(3); // long-running group
    setTimeout(() => { void pool.threads[0]?.terminate(); }, 20);
    await expect(y.toTypedArray()).rejects.toThrow(/failed in CPU worker/);
    expect(() => y.add(1)).toThrow(/invalid/);
    await expect(y.toTypedArray()).rejects.toThrow(/invalid/);
    expect(() => torch.sum(y)).toThrow(/invalid/);
    // Later work runs on a replacement worker.
    const z = torch.ones([big]).mul(2);
    expect(await torch.sum(z).item()).toBe(2 * big);
    await torch.shutdown();
  }, 60_000);

  it('is deterministic over 200 epochs of the tour loop for 1, 2, 3 and 8 workers', async () => {
    const { largeLoop } = await import('../scenarios/large-loop.ts');
    const hashes: string[] = [];
    let loss = NaN;
    for (const workers of [1, 2, 3, 8]) {
      await torch.init({ workers });
      const r = await largeLoop({ n: 2 * 65536 + 999, epochs: 200, lr: 2e-7, seed: 3, device: 'cpu' });
      hashes.push(r.wSha256);
      loss = r.loss;
      await torch.shutdown();
    }
    expect(Number.isFinite(loss)).toBe(true);
    expect(new Set(hashes).size).toBe(1);
  }, 300_000);

  it('a disposed tensor found dead before its queued release runs gives its memory back once', async () => {
    const { SharedBuffers } = await import('../src/runtime/shared-memory.ts');
    const { Storage } = await import('../src/runtime/runtime.ts');
    const { collect } = await import('../src/runtime/gc.ts');
    const sb = new SharedBuffers();
    // dispose() with ops queued: the release waits in the queue, holding the release closure only.
    const rel = (() => {
      const st = new Storage(-7, 'cpu', 'float32', 1 << 20, sb.alloc('float32', 1 << 20));
      sb.track(st);
      return st.release!;
    })();
    collect(); // the storage is dead: its block goes back here
    const again = sb.alloc('float32', 1 << 20); // and a new tensor takes it
    const live = sb.stats().liveBytes;
    rel(); // the queued release runs late: it must not free the new tensor's block (it did, or threw "not a live block")
    expect(sb.stats().liveBytes).toBe(live);
    expect(again.length).toBe(1 << 20);
  });

  it('an nn training loop gives the same losses in-process and on 2 workers (backward frees temporaries while ops are queued)', async () => {
    const run = async () => {
      torch.manualSeed(11);
      const net = new torch.nn.Sequential(new torch.nn.Linear(32, 512), new torch.nn.ReLU(), new torch.nn.Linear(512, 512), new torch.nn.ReLU(), new torch.nn.Linear(512, 10));
      const opt = new torch.optim.Adam(net.parameters(), { lr: 1e-3 });
      const X = torch.randn([1024, 32]), Y = torch.randint(0, 10, [1024]);
      const losses: number[] = [];
      for (let i = 0; i < 16; i++) {
        opt.zeroGrad();
        const l = torch.nn.functional.crossEntropy(net(X.narrow(0, (i % 8) * 128, 128)), Y.narrow(0, (i % 8) * 128, 128));
        await l.backward();
        opt.step();
        losses.push((await l.item()) as number);
      }
      return losses;
    };
    const ref = await run();
    await torch.init({ workers: 2 });
    const tasksBefore = torch._internals.pool!.tasks;
    const got = await run();
    expect(torch._internals.pool!.tasks).toBeGreaterThan(tasksBefore);
    await torch.shutdown();
    expect(got).toEqual(ref);
  }, 120_000);

  it('the process exits by itself after shutdown, and after an error', () => {
    const script = `
      import * as torch from './src/index.ts';
      await torch.init({ workers: 2 });
      const x = torch.randn([1000000]);
      console.log('sum', await torch.sum(x).item());
      await torch.shutdown();
      await torch.init({ workers: 2 });
      torch.ones([1000000]).add(torch.ones([5]));  // throws: shapes
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), timeout: 60_000, encoding: 'utf8' });
    expect(r.signal).toBe(null); // not killed by the timeout
    expect(r.stdout).toMatch(/sum/);
    expect(r.stderr).toMatch(/must match the size of tensor b \(5\)/);
    expect(r.status).not.toBe(0);
  }, 90_000);
});
