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
  torch: F.choice(['no', 'yes'], 'no', "also time the ops in PyTorch (Debian's python3-torch, /usr/bin/python3, 1 thread), in this run"),
};
type Flags = typeof flags;

export function estimateBytes(f: { n?: unknown }): number { return 40 * Number(f.n) ** 2 + 256 * 2 ** 20; }

type T = InstanceType<ScenarioContext['torch']['Tensor']>;
/** name, the op in troupe (x, y: n x n; row: [n]; col: [n, 1]; v: [n]; p: n x n, in [0.5, 1.5)). The same
 * list is in torch-ops.py. */
const OPS: [string, (x: T, y: T, row: T, col: T, v: T, t: ScenarioContext['torch'], p: T) => T][] = [
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
  ['x @ v', (x, _y, _r, _c, v, t) => t.matmul(x, v)],
  ['x @ y', (x, y, _r, _c, _v, t) => t.matmul(x, y)],
];

export async function run(ctx: ScenarioContext<Flags>): Promise<ScenarioResult> {
  const { torch } = ctx;
  const { n, repeat, seed } = ctx.flags;
  await torch.shutdown(); // in-process: no workers
  torch.manualSeed(seed);
  const x = torch.randn([n, n]), y = torch.randn([n, n]), row = torch.randn([n]), col = torch.randn([n, 1]), v = torch.randn([n]);
  const p = torch.rand([n, n]).add(0.5);
  // Results of n x n take fresh memory until the arena has grown to what a loop of such ops recycles
  // (their first ~64 MB): pay that here, not in the first op's row.
  for (let i = 0; i < Math.ceil((96 << 20) / (4 * n * n)); i++) await x.add(y).toTypedArray();
  const bar = ctx.progress('ops-cpu', OPS.length);
  const ms: Record<string, number> = {};
  try {
    for (const [label, f] of OPS) {
      // Warm-up: the JIT, and the memory the op's results take (recycled from then on).
      for (let i = 0; i < 5; i++) await f(x, y, row, col, v, torch, p).toTypedArray();
      const times: number[] = [];
      for (let r = 0; r < repeat; r++) {
        // In-process (no pool) an op runs when it is called; the read after it is not timed (PyTorch's
        // side times the op alone too).
        const t0 = performance.now();
        const out = f(x, y, row, col, v, torch, p);
        times.push(performance.now() - t0);
        await out.toTypedArray();
      }
      ms[label] = median(times);
      bar.tick();
    }
  } finally {
    bar.stop();
  }
  const notes: string[] = [];
  let py: Record<string, number> | null = null, pyName = '';
  if (ctx.flags.torch === 'yes') {
    const r = runTorchScript<{ torch: string; ms: Record<string, number> }>('torch-ops.py', [n, repeat, seed]);
    if ('error' in r) notes.push(`PyTorch: not run (${r.error})`);
    else { py = r.ms; pyName = `PyTorch ${r.torch}`; }
  }
  const rows = OPS.map(([label]) => ({
    op: label, troupe: ms[label], ...(py ? { torch: py[label], ratio: py[label] / ms[label] } : {}),
  }));
  return {
    tables: [{
      title: `ops-cpu: x, y ${n}x${n} float32, in-process; median of ${repeat} runs, ms per op`,
      columns: [{ key: 'op' }, { key: 'troupe', label: 'troupe ms', digits: 3 },
        ...(py ? [{ key: 'torch', label: `${pyName} ms`, digits: 3 }, { key: 'ratio', label: 'PyTorch / troupe', digits: 2, unit: '×' }] : [])],
      rows,
    }],
    notes: [...notes, 'x @ v: a matrix by a vector; row: [n], col: [n, 1]; log of p: p in [0.5, 1.5); exp, log, tanh, sin and sigmoid give JS Math\'s float64 values, rounded to float32.'],
    data: { n, repeat, seed, ms, torch: py },
  };
}
