/**
 * sweep-workers — one workload at W = 1, 2, 4, … up to --workers (default: twice the core count), R
 * timed repeats per W after an untimed warm-up; median seconds, speedup over W = 1, parallel efficiency
 * (speedup / W), the best W, and a chart of time and efficiency against W.
 *
 * Workloads: `large-loop` (the tour's loop, fewer epochs by default) and `add` (E × (randn N, randn N,
 * add), the tour's big add cell). The pool is started outside the timed region; each timed region ends
 * by reading a result back.
 */
import { createHash } from 'node:crypto';
import { largeLoop } from './large-loop.ts';
import { F, cores, fmtCount, plural, timeRepeats, type ScenarioContext, type ScenarioResult } from './scenario.ts';

export const name = 'sweep-workers';
export const description = 'Time a workload (large-loop or add) at W = 1, 2, 4, … workers: median, speedup, efficiency, best W, chart';
export const flags = {
  workload: F.choice(['large-loop', 'add'], 'large-loop', 'what to time at each W'),
  n: F.n(10_000_000, 'elements per tensor'),
  epochs: F.epochs(10, 'epochs of large-loop, or steps of add'),
  workers: F.workers(() => 2 * cores(), 'the largest W tried (W = 1, 2, 4, … up to this)', '2 × cores'),
  repeat: F.repeat(3),
  seed: F.seed(),
};
type Flags = typeof flags;

export function estimateBytes(f: { n?: unknown }): number { return 12 * 4 * Number(f.n) + 256 * 2 ** 20; }

/** 1, 2, 4, … below max, then max itself. */
export function workerCounts(max: number): number[] {
  const ws: number[] = [];
  for (let w = 1; w < max; w *= 2) ws.push(w);
  ws.push(max);
  return ws;
}

type Torch = ScenarioContext['torch'];

/** One timed run of the workload; returns a fingerprint of its result (the same for every W). */
export function workloadFn(torch: Torch, workload: string, n: number, steps: number, seed: number): () => Promise<string> {
  if (workload === 'large-loop') {
    return async () => (await largeLoop({ n, epochs: steps, lr: 0.001, seed, device: 'cpu' })).wSha256;
  }
  return async () => {
    torch.manualSeed(seed);
    let c: InstanceType<Torch['Tensor']> | null = null;
    for (let i = 0; i < steps; i++) c = torch.randn([n]).add(torch.randn([n]));
    const d = await c!.toTypedArray();
    return createHash('sha256').update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)).digest('hex');
  };
}

export async function run(ctx: ScenarioContext<Flags>): Promise<ScenarioResult> {
  const { torch } = ctx;
  const { workload, n, epochs, workers: maxW, repeat, seed } = ctx.flags;
  const ws = workerCounts(maxW);
  const bar = ctx.progress(`sweep-workers (${workload})`, ws.length * repeat);
  const measured: Array<{ workers: number; times: number[]; median: number; sha: string }> = [];
  try {
    for (const w of ws) {
      await torch.init({ workers: w });
      await workloadFn(torch, workload, Math.min(n, 1 << 20), 1, seed)(); // warm-up: JIT and the pool's buffers
      const f = workloadFn(torch, workload, n, epochs, seed);
      let sha = '';
      const t = await timeRepeats(repeat, async () => { sha = await f(); }, () => bar.tick());
      measured.push({ workers: w, times: t.times, median: t.median, sha });
      await torch.shutdown();
    }
  } finally {
    bar.stop();
    await torch.shutdown();
  }
  const base = measured[0].median;
  const rows = measured.map((m) => ({
    workers: m.workers, seconds: m.median, min: Math.min(...m.times), speedup: base / m.median,
    efficiency: base / m.median / m.workers, sameResult: m.sha === measured[0].sha,
  }));
  const best = rows.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const x = {
    field: 'workers', type: 'quantitative', title: 'workers (W)', axis: { values: ws, format: 'd' },
    scale: { type: 'log', base: 2, domain: [ws[0] / 1.25, ws[ws.length - 1] * 1.25] },
  };
  const what = workload === 'large-loop' ? `large-loop, N=${fmtCount(n)}, ${plural(epochs, 'epoch')}` : `${epochs} × (randn ${fmtCount(n)} ×2, add)`;
  return {
    tables: [{
      title: `sweep-workers: ${what}; median of ${repeat} run${repeat > 1 ? 's' : ''} per W (${ctx.cores} cores)`,
      columns: [{ key: 'workers', label: 'W' }, { key: 'seconds', label: 'median s', digits: 3 }, { key: 'min', label: 'min s', digits: 3 },
        { key: 'speedup', digits: 2, unit: '×' }, { key: 'efficiency', digits: 2 }, { key: 'sameResult', label: 'same result as W=1' }],
      rows,
    }],
    notes: [
      `best W: ${best.workers} (${best.seconds.toFixed(3)} s, ${best.speedup.toFixed(2)}× over W=1, efficiency ${best.efficiency.toFixed(2)})`,
      ...(rows.every((r) => r.sameResult) ? [] : ['WARNING: results differ between worker counts']),
    ],
    data: { workload, n, epochs, repeat, seed, cores: ctx.cores, workerCounts: ws, bestWorkers: best.workers, runs: measured },
    chart: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: { text: `sweep-workers: ${what}`, subtitle: `line: median of ${repeat} runs per W; grey dots: each run; ${ctx.cores} cores` },
      data: { values: rows },
      hconcat: [
        {
          title: 'time', width: 260, height: 200,
          layer: [
            {
              data: { values: measured.flatMap((m) => m.times.map((t) => ({ workers: m.workers, seconds: t }))) },
              mark: { type: 'point', color: '#999', opacity: 0.7, size: 20 },
            },
            { mark: { type: 'line', point: true } },
            { mark: { type: 'text', dy: -10, dx: 14 }, encoding: { text: { field: 'seconds', format: '.2f' } } },
          ],
          encoding: {
            x,
            y: { field: 'seconds', type: 'quantitative', title: 'seconds', scale: { zero: true } },
          },
        },
        {
          title: 'parallel efficiency (speedup / W)', width: 260, height: 200,
          layer: [{ mark: { type: 'line', point: true, color: '#e45756' } }, { mark: { type: 'text', dy: -10, dx: 14 }, encoding: { text: { field: 'efficiency', format: '.2f' } } }],
          encoding: {
            x,
            y: { field: 'efficiency', type: 'quantitative', title: 'efficiency', scale: { domain: [0, Math.max(1.1, ...rows.map((r) => r.efficiency))] } },
          },
        },
      ],
    },
  };
}
