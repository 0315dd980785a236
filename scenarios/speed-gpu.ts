/**
 * speed-gpu — the tour's speed cells on `device: 'gpu'`, plus the adapter's name and limits:
 *   100 × (randn 100×100, randn 100×100, matmul)      "matmul cell"
 *   10 × (randn 10000×10000, randn 10000×10000, add)  "add cell" (--n shrinks it)
 * The first run of each cell includes compiling its pipelines and is reported apart; each timed region
 * ends by reading the last result back to the host, so queued GPU work is counted.
 */
import { F, fmtBytes, fmtCount, timeRepeats, seconds, type ScenarioContext, type ScenarioResult } from './scenario.ts';

export const name = 'speed-gpu';
export const description = "The tour's speed cells on the GPU (WebGPU), with the adapter's name and limits";
export const gpu = 'required';
export const flags = {
  n: F.n(100_000_000, 'elements per tensor in the add cell (the tour: 10000×10000)'),
  repeat: F.repeat(3),
  seed: F.seed(),
};
type Flags = typeof flags;

/** Host memory: the add cell's result read back, plus slack. */
export function estimateBytes(f: { n?: unknown }): number { return 12 * Number(f.n) + 256 * 2 ** 20; }
/** The largest GPU buffer: one float32 tensor of the add cell. */
export function estimateGpuBytes(f: { n?: unknown }): number { return 4 * Number(f.n); }

const MATMUL_REPS = 100, MATMUL_SIDE = 100, ADD_REPS = 10;
/** The limits worth showing a person (all of them are in the JSON). */
const SHOWN_LIMITS = ['maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupsPerDimension', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupStorageSize'];

export async function run(ctx: ScenarioContext<Flags>): Promise<ScenarioResult> {
  const { torch } = ctx;
  const { n, repeat, seed } = ctx.flags;
  const device = 'gpu' as const;
  const adapter = await torch.gpu.init();
  const info = torch.gpu.info();
  torch.manualSeed(seed);
  const shape = n === 100_000_000 ? [10000, 10000] : [n];
  const cells = [
    {
      label: `${MATMUL_REPS} × (randn ${MATMUL_SIDE}×${MATMUL_SIDE} ×2, matmul)`, elements: MATMUL_REPS * 3 * MATMUL_SIDE * MATMUL_SIDE,
      run: async () => {
        let c: InstanceType<typeof torch.Tensor> | null = null;
        for (let i = 0; i < MATMUL_REPS; i++) c = torch.matmul(torch.randn([MATMUL_SIDE, MATMUL_SIDE], { device }), torch.randn([MATMUL_SIDE, MATMUL_SIDE], { device }));
        return c!.toTypedArray();
      },
    },
    {
      label: `${ADD_REPS} × (randn ${n === 1e8 ? '10000×10000' : fmtCount(n)} ×2, add)`, elements: ADD_REPS * 3 * n,
      run: async () => {
        let c: InstanceType<typeof torch.Tensor> | null = null;
        for (let i = 0; i < ADD_REPS; i++) c = torch.randn(shape, { device }).add(torch.randn(shape, { device }));
        return c!.toTypedArray();
      },
    },
  ];
  const bar = ctx.progress('speed-gpu', cells.length * (repeat + 1));
  const rows = [];
  try {
    for (const c of cells) {
      const first = await seconds(c.run);
      bar.tick();
      const t = await timeRepeats(repeat, c.run, () => bar.tick());
      rows.push({ cell: c.label, first, seconds: t.median, melems: c.elements / t.median / 1e6, times: t.times });
    }
  } finally {
    bar.stop();
  }
  const limits = info?.limits ?? {};
  return {
    tables: [
      {
        title: `speed-gpu on ${adapter}: median of ${repeat} run${repeat > 1 ? 's' : ''} after a first (compiling) run; wall time including reading the last result back`,
        columns: [{ key: 'cell' }, { key: 'first', label: 'first run s', digits: 3 }, { key: 'seconds', label: 'median s', digits: 3 }, { key: 'melems', label: 'M elements/s', digits: 1 }],
        rows: rows.map(({ times: _t, ...r }) => r),
      },
      {
        title: 'adapter',
        columns: [{ key: 'property' }, { key: 'value' }],
        rows: [{ property: 'name', value: adapter }, ...SHOWN_LIMITS.filter((k) => k in limits).map((k) => ({
          property: k, value: /Size$/.test(k) ? `${limits[k]} (${fmtBytes(limits[k])})` : String(limits[k]),
        }))],
      },
    ],
    notes: ['elements/s counts every element written (two randn and one result per step).'],
    data: { adapter, limits, n, repeat, seed, cells: rows },
  };
}
