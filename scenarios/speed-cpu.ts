/**
 * speed-cpu — the tour's CPU speed cells, three ways:
 *   100 × (randn 100×100, randn 100×100, matmul)      "matmul cell"
 *   10 × (randn 10000×10000, randn 10000×10000, add)  "add cell" (--n shrinks it)
 * for a plain single-threaded JS version (Math.random + Box–Muller, a naive matmul, a loop add), troupe
 * in-process (before torch.init: no workers), and troupe sharded over W workers (after torch.init).
 * Each timed region ends by reading the last result back, so queued work is counted. The pool is
 * started outside the timed region. `--torch yes` adds PyTorch's time for the same cells, in the same run
 * (Debian's python3-torch, as many threads as workers; scripts/torch-cells.py).
 */
import { F, fmtCount, median, runTorchScript, timeRepeats, type ScenarioContext, type ScenarioResult } from './scenario.ts';

export const name = 'speed-cpu';
export const description = "The tour's CPU speed cells: plain JS vs troupe in-process vs troupe sharded over W workers";
export const flags = {
  n: F.n(100_000_000, 'elements per tensor in the add cell (the tour: 10000×10000)'),
  workers: F.workers(),
  repeat: F.repeat(1),
  seed: F.seed(),
  torch: F.choice(['no', 'yes'], 'no', "also time the cells in PyTorch (Debian's python3-torch, /usr/bin/python3), in this run"),
};
type Flags = typeof flags;

/** Host memory: the JS arrays and troupe's tensors (two iterations' worth may be alive before GC). */
export function estimateBytes(f: { n?: unknown }): number { return 36 * Number(f.n) + 256 * 2 ** 20; }

const MATMUL_REPS = 100, MATMUL_SIDE = 100, ADD_REPS = 10;

// ───────────── the plain JS baseline: what a person writes without a library ─────────────

function randnJs(n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - Math.random(), u2 = Math.random();
    const r = Math.sqrt(-2 * Math.log(u1)), th = 2 * Math.PI * u2;
    out[i] = r * Math.cos(th);
    if (i + 1 < n) out[i + 1] = r * Math.sin(th);
  }
  return out;
}
function matmulJs(a: Float32Array, b: Float32Array, n: number): Float32Array {
  const c = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      for (let j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
    }
  }
  return c;
}
function addJs(a: Float32Array, b: Float32Array): Float32Array {
  const c = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) c[i] = a[i] + b[i];
  return c;
}

/** The two cells as one implementation runs them; each returns the last result. */
interface Impl { matmul(reps: number): Promise<unknown>; add(n: number, reps: number): Promise<unknown> }

const jsImpl: Impl = {
  async matmul(reps) {
    let c: Float32Array | null = null;
    for (let i = 0; i < reps; i++) c = matmulJs(randnJs(MATMUL_SIDE * MATMUL_SIDE), randnJs(MATMUL_SIDE * MATMUL_SIDE), MATMUL_SIDE);
    return c;
  },
  async add(n, reps) {
    let c: Float32Array | null = null;
    for (let i = 0; i < reps; i++) c = addJs(randnJs(n), randnJs(n));
    return c;
  },
};

function troupeImpl(torch: ScenarioContext['torch']): Impl {
  const shape = (n: number) => (n === 100_000_000 ? [10000, 10000] : [n]);
  return {
    async matmul(reps) {
      let c: InstanceType<typeof torch.Tensor> | null = null;
      for (let i = 0; i < reps; i++) c = torch.matmul(torch.randn([MATMUL_SIDE, MATMUL_SIDE]), torch.randn([MATMUL_SIDE, MATMUL_SIDE]));
      return c!.toTypedArray();
    },
    async add(n, reps) {
      let c: InstanceType<typeof torch.Tensor> | null = null;
      for (let i = 0; i < reps; i++) c = torch.randn(shape(n)).add(torch.randn(shape(n)));
      return c!.toTypedArray();
    },
  };
}

export async function run(ctx: ScenarioContext<Flags>): Promise<ScenarioResult> {
  const { torch } = ctx;
  const { n, workers, repeat, seed } = ctx.flags;
  const withTorch = ctx.flags.torch === 'yes';
  torch.manualSeed(seed);
  await torch.shutdown(); // in-process means: no pool
  const bar = ctx.progress('speed-cpu', (withTorch ? 4 : 3) * 2 * repeat);
  const cells = [
    { key: 'matmul', label: `${MATMUL_REPS} × (randn ${MATMUL_SIDE}×${MATMUL_SIDE} ×2, matmul)`, run: (i: Impl) => i.matmul(MATMUL_REPS) },
    { key: 'add', label: `${ADD_REPS} × (randn ${n === 1e8 ? '10000×10000' : fmtCount(n)} ×2, add)`, run: (i: Impl) => i.add(n, ADD_REPS) },
  ];
  const times: Record<string, Record<string, { median: number; times: number[] }>> = { matmul: {}, add: {} };
  const measure = async (impl: string, i: Impl) => {
    await i.matmul(MATMUL_REPS); // warm-up (JIT, kernels, the allocator's first pages), untimed
    await i.add(1000, 1);
    for (const c of cells) times[c.key][impl] = await timeRepeats(repeat, () => c.run(i), () => bar.tick());
  };
  const impls = [
    { key: 'js', label: 'plain JS, 1 thread' },
    { key: 'inproc', label: 'troupe in-process' },
    { key: 'sharded', label: `troupe sharded, ${workers} worker${workers > 1 ? 's' : ''}` },
  ];
  const notes: string[] = [];
  try {
    await measure('js', jsImpl);
    await measure('inproc', troupeImpl(torch));
    await torch.init({ workers });
    await measure('sharded', troupeImpl(torch));
    await torch.shutdown(); // (the pool's memory goes back before PyTorch runs)
    if (withTorch) {
      const py = runTorchScript<{ torch: string; times: Record<string, number[]> }>('torch-cells.py', [n, repeat, workers, seed]);
      if ('error' in py) notes.push(`PyTorch: not run (${py.error})`);
      else {
        impls.push({ key: 'torch', label: `PyTorch ${py.torch}, ${workers} thread${workers > 1 ? 's' : ''}` });
        for (const c of cells) times[c.key].torch = { median: median(py.times[c.key]), times: py.times[c.key] };
      }
      for (let i = 0; i < 2 * repeat; i++) bar.tick();
    }
  } finally {
    bar.stop();
    await torch.shutdown();
  }

  const rows = cells.flatMap((c) => impls.map((im) => {
    const t = times[c.key][im.key].median;
    return { cell: c.label, impl: im.label, seconds: t, speedup: times[c.key].js.median / t };
  }));
  return {
    tables: [{
      title: `speed-cpu: median of ${repeat} run${repeat > 1 ? 's' : ''}, wall time including reading the last result back`,
      columns: [{ key: 'cell' }, { key: 'impl', label: 'implementation' }, { key: 'seconds', digits: 3 }, { key: 'speedup', label: 'vs plain JS', digits: 2, unit: '×' }],
      rows,
    }],
    notes: [
      ...notes,
      `matmul 100×100 has 10000 elements, under the 262144-element sharding threshold: the sharded row runs it in-process too.`,
      `pool start-up (torch.init) is outside the timed region; each implementation is warmed up first (one matmul cell, one small add cell).`,
    ],
    data: { n, workers, repeat, seed, times },
    chart: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: 'speed-cpu: speedup over plain JS',
      data: { values: rows.map((r) => ({ ...r, cell: r.cell.startsWith(`${MATMUL_REPS}`) ? 'matmul cell' : 'add cell' })) },
      mark: 'bar',
      encoding: {
        x: { field: 'impl', type: 'nominal', title: null, sort: null, axis: { labelAngle: 0, labelLimit: 220 } },
        y: { field: 'speedup', type: 'quantitative', title: 'speedup over plain JS (×)' },
        xOffset: { field: 'cell' }, color: { field: 'cell', type: 'nominal', title: null },
      },
      width: 520, height: 220,
    },
  };
}
