/**
 * ops-cpu — common ops on one float32 CPU tensor, in-process (no workers): milliseconds per op, after
 * warm-up; in-process an op runs when it is called, so the call is what is timed. `--torch yes` times the same ops in
 * PyTorch (Debian's python3-torch, one thread; scripts/torch-ops.py) in the same run.
 *
 * The ops are what a model's forward and backward passes are made of beyond the tour's cells: strided and
 * broadcast operands (a transposed matrix, a bias row or column), comparisons and where, transcendental
 * functions, reductions along a dimension, matrix products.
 */
import { F, median, runTorchScript, type ScenarioContext, type ScenarioResult } from './scenario.ts';

export const name = 'ops-cpu';
export const description = 'Common ops on one CPU tensor (strided, broadcast, comparisons, transcendental, reductions, matmul), ms per op; --torch yes adds PyTorch';
export const flags = {
  n: F.n(1000, 'side of the square float32 matrices x and y (n x n)'),
  repeat: F.repeat(15),
  seed: F.seed(),
  loop: F.int(400, 0, 'ms each op also runs in a loop, results dropped (the mean per call is reported; 0: no loop)', 60_000),
  torch: F.choice(['no', 'yes'], 'no', "also time the ops in PyTorch (Debian's python3-torch, /usr/bin/python3, 1 thread), in this run"),
};
type Flags = typeof flags;

export function estimateBytes(f: { n?: unknown }): number { return 40 * Number(f.n) ** 2 + 512 * 2 ** 20; }
/** The loop measurement: at least LOOP_MIN calls, for at least --loop ms (torch-ops.py: the same). */
const LOOP_MIN = 8;

type T = InstanceType<ScenarioContext['torch']['Tensor']>;
/** name, the op in troupe (x, y: n x n; row: [n]; col: [n, 1]; v: [n]; p: n x n, in [0.5, 1.5); a: n x n
 * int64, arange(n·n)). The same list is in torch-ops.py. */
const OPS: [string, (x: T, y: T, row: T, col: T, v: T, t: ScenarioContext['torch'], p: T, a: T) => T][] = [
  ['x + y', (x, y) => x.add(y)],
  ['x * 2', (x) => x.mul(2)],
  ['x ** 2', (x) => x.pow(2)],
  ['x + y.t()', (x, y) => x.add(y.t())],
  ['x + row', (x, _y, row) => x.add(row)],
  ['x * col', (x, _y, _r, col) => x.mul(col)],
  ['x.t().contiguous()', (x) => x.t().contiguous()],
  ['x > 0', (x) => x.gt(0)],
  ['where(x > y, x, y)', (x, y, _r, _c, _v, t) => t.where(x.gt(y), x, y)],
  ['relu', (x) => x.relu()],
  ['exp', (x) => x.exp()],
  ['log (of p)', (_x, _y, _r, _c, _v, _t, p) => p.log()],
  ['tanh', (x) => x.tanh()],
  ['sin', (x) => x.sin()],
  ['sigmoid', (x) => x.sigmoid()],
  ['sum()', (x) => x.sum()],
  ['sum(0)', (x) => x.sum(0)],
  ['sum(1)', (x) => x.sum(1)],
  ['max()', (x) => x.max()],
  ['argmax(0)', (x) => x.argmax(0)],
  ['x.t() + row', (x, _y, row) => x.t().add(row)],
  ['softmax(1)', (x) => x.softmax(1)],
  ['x @ v', (x, _y, _r, _c, v, t) => t.matmul(x, v)],
  ['x @ y', (x, y, _r, _c, _v, t) => t.matmul(x, y)],
  ['a + a (int64)', (...o) => o[7].add(o[7])],
  ['a > 5 (int64)', (...o) => o[7].gt(5)],
  ['a.sum() (int64)', (...o) => o[7].sum()],
  ['x.long()', (x) => x.long()],
  ['(x > 0).sum()', (x) => x.gt(0).sum()],
  ['arange(n·n)', (x, _y, _r, _c, _v, t) => t.arange(x.numel())],
];

export async function run(ctx: ScenarioContext<Flags>): Promise<ScenarioResult> {
  const { torch } = ctx;
  const { n, repeat, seed, loop: loopMs } = ctx.flags;
  await torch.shutdown(); // in-process: no workers
  torch.manualSeed(seed);
  const x = torch.randn([n, n]), y = torch.randn([n, n]), row = torch.randn([n]), col = torch.randn([n, 1]), v = torch.randn([n]);
  const p = torch.rand([n, n]).add(0.5), a = torch.arange(n * n).reshape([n, n]);
  // Results of n x n take fresh memory until the arena has grown to what a loop of such ops recycles:
  // pay that here, not in the first op's row. Results of at most 8 MB: the garbage let wait between
  // forced collections grows (torch.memoryStats()) in a program that keeps collecting, up to its max.
  const warm = performance.now();
  for (let i = 0; i < Math.ceil((96 << 20) / (4 * n * n)); i++) await x.add(y).toTypedArray();
  const m = torch.memoryStats();
  if (n * n >= m.sharedMinElements && 4 * n * n <= 8 << 20) {
    while (torch.memoryStats().garbageAllowanceBytes < m.garbageAllowanceMaxBytes && performance.now() - warm < 10_000) x.add(y);
    // Then the arena grows to hold that much garbage: twice the allowance's worth of results.
    for (let i = 0; i < Math.ceil(2 * m.garbageAllowanceMaxBytes / (4 * n * n)); i++) x.add(y);
    await x.add(y).toTypedArray();
  }
  const bar = ctx.progress('ops-cpu', OPS.length);
  const ms: Record<string, number> = {}, loop: Record<string, number> = {};
  try {
    for (const [label, f] of OPS) {
      // Warm-up: the JIT, and the memory the op's results take (recycled from then on).
      for (let i = 0; i < 5; i++) await f(x, y, row, col, v, torch, p, a).toTypedArray();
      const times: number[] = [];
      for (let r = 0; r < repeat; r++) {
        // In-process (no pool) an op runs when it is called; the read after it is not timed (PyTorch's
        // side times the op alone too).
        const t0 = performance.now();
        const out = f(x, y, row, col, v, torch, p, a);
        times.push(performance.now() - t0);
        await out.toTypedArray();
      }
      ms[label] = median(times);
      // In a loop: the op back to back, each result dropped at once, for LOOP_MS (at least LOOP_MIN calls),
      // then one read. The mean per call counts what a single call's median leaves out: the collections
      // that find the dropped results (their memory is outside the JS heap, only a forced collection
      // sees them die) and the results' memory not being in cache.
      if (loopMs > 0) {
        const t0 = performance.now();
        let calls = 0, last!: T;
        while (calls < LOOP_MIN || performance.now() - t0 < loopMs) { last = f(x, y, row, col, v, torch, p, a); calls++; }
        await last.toTypedArray();
        loop[label] = (performance.now() - t0) / calls;
      }
      bar.tick();
    }
  } finally {
    bar.stop();
  }
  const notes: string[] = [];
  let py: Record<string, number> | null = null, pyLoop: Record<string, number> | null = null, pyName = '';
  if (ctx.flags.torch === 'yes') {
    const r = runTorchScript<{ torch: string; ms: Record<string, number>; loop: Record<string, number> }>('torch-ops.py', [n, repeat, seed, loopMs, LOOP_MIN]);
    if ('error' in r) notes.push(`PyTorch: not run (${r.error})`);
    else { py = r.ms; pyLoop = r.loop; pyName = `PyTorch ${r.torch}`; }
  }
  const rows = OPS.map(([label]) => ({
    op: label, troupe: ms[label], ...(loopMs > 0 ? { troupeLoop: loop[label] } : {}),
    ...(py ? { torch: py[label] } : {}),
    ...(py && pyLoop && loopMs > 0 ? { torchLoop: pyLoop[label], ratio: pyLoop[label] / loop[label] } : py ? { ratio: py[label] / ms[label] } : {}),
  }));
  const looped = loopMs > 0;
  return {
    tables: [{
      title: `ops-cpu: x, y ${n}x${n} float32, in-process; ms per op: one call (median of ${repeat})${looped ? ` and in a loop (mean over ${loopMs} ms)` : ''}`,
      columns: [{ key: 'op' }, { key: 'troupe', label: 'troupe ms', digits: 3 }, ...(looped ? [{ key: 'troupeLoop', label: 'troupe loop ms', digits: 3 }] : []),
        ...(py ? [{ key: 'torch', label: `${pyName} ms`, digits: 3 }, ...(looped ? [{ key: 'torchLoop', label: 'loop ms', digits: 3 }] : []),
          { key: 'ratio', label: `PyTorch / troupe${looped ? ' (loops)' : ''}`, digits: 2, unit: '×' }] : [])],
      rows,
    }],
    notes: [...notes, 'x @ v: a matrix by a vector; row: [n], col: [n, 1]; a: arange(n·n) as n x n, int64; log of p: p in [0.5, 1.5); exp, log, tanh, sin and sigmoid give JS Math\'s float64 values, rounded to float32.',
      ...(looped ? ['loop: the op called back to back, results dropped, mean per call; it includes the collections that find dead results (forced: their memory is outside the JS heap) and results written to memory out of cache. Free results at once with torch.scope(fn) or t.dispose() to reuse their memory while it is in cache.'] : [])],
    data: { n, repeat, seed, loopMs, ms, loop: looped ? loop : null, torch: py, torchLoop: looped ? pyLoop : null },
  };
}
