/**
 * compare — sharded CPU at its best W against the GPU on the same workloads and sizes: elementwise
 * (a + b), reduction (sum), matmul (M×M) and the tour's loop. One row per workload with both times and
 * the ratio CPU / GPU (> 1: the GPU is faster), and a bar chart. Without a GPU it says so and reports
 * the CPU alone.
 *
 * The CPU's W is --workers, or else the fastest of a quick mini-sweep (W = 1, 2, 4, … up to twice the
 * core count, one elementwise run each). Inputs are made before the timed region; every timed region
 * ends by reading a result (or one element of it) back, so queued work is counted; each workload is
 * warmed up once per device first (JIT, pipeline compilation).
 */
import { largeLoop } from './large-loop.ts';
import { F, cores, fmtCount, fmtSeconds, median, plural, seconds, timeRepeats, type IntFlag, type ScenarioContext, type ScenarioResult } from './scenario.ts';
import { workerCounts } from './sweep-workers.ts';

export const name = 'compare';
export const description = 'Sharded CPU at its best W vs the GPU on elementwise, reduction, matmul and the loop: ratio per row, bar chart';
export const gpu = 'optional';
export const flags = {
  n: F.n(10_000_000, 'elements per tensor (elementwise, reduction, loop)'),
  matmul: F.int(1024, 2, 'side M of the M×M matmul', 8192),
  epochs: F.epochs(20, 'epochs of the loop'),
  workers: { type: 'int', default: 0, defaultText: 'best of a mini-sweep', min: 0, max: 256, help: 'CPU workers (0: pick by a mini-sweep)' } as IntFlag,
  repeat: F.repeat(3),
  seed: F.seed(),
};
type Flags = typeof flags;

export function estimateBytes(f: { n?: unknown; matmul?: unknown }): number {
  return 16 * 4 * Number(f.n) + 6 * 4 * Number(f.matmul) ** 2 + 256 * 2 ** 20;
}
export function estimateGpuBytes(f: { n?: unknown; matmul?: unknown }): number {
  return 4 * Math.max(Number(f.n), Number(f.matmul) ** 2);
}

type Torch = ScenarioContext['torch'];
type T = InstanceType<Torch['Tensor']>;
type Device = 'cpu' | 'gpu';

/** Waits for t without copying all of it back: reads one element (a 1-element copy on the GPU). */
async function settle(t: T): Promise<number> {
  return (await t.flatten().index(0).clone().item()) as number;
}

interface Workload { key: string; label: string; setup(device: Device): Promise<() => Promise<unknown>> }

function workloads(torch: Torch, n: number, m: number, epochs: number, seed: number): Workload[] {
  const STEPS = 10;
  return [
    {
      key: 'elementwise', label: `elementwise: ${STEPS} × (a + b), N=${fmtCount(n)}`,
      async setup(device) {
        torch.manualSeed(seed);
        const a = torch.randn([n], { device }), b = torch.randn([n], { device });
        await settle(a.add(b));
        return async () => { let c: T | null = null; for (let i = 0; i < STEPS; i++) c = a.add(b); return settle(c!); };
      },
    },
    {
      key: 'reduction', label: `reduction: ${STEPS} × sum(a), N=${fmtCount(n)}`,
      async setup(device) {
        torch.manualSeed(seed);
        const a = torch.randn([n], { device });
        await torch.sum(a).item();
        return async () => { let s = 0; for (let i = 0; i < STEPS; i++) s += (await torch.sum(a).item()) as number; return s; };
      },
    },
    {
      key: 'matmul', label: `matmul: 3 × (${m}×${m} @ ${m}×${m})`,
      async setup(device) {
        torch.manualSeed(seed);
        const a = torch.randn([m, m], { device }), b = torch.randn([m, m], { device });
        await settle(torch.matmul(a, b));
        return async () => { let c: T | null = null; for (let i = 0; i < 3; i++) c = torch.matmul(a, b); return settle(c!); };
      },
    },
    {
      key: 'loop', label: `loop: large-loop, N=${fmtCount(n)}, ${plural(epochs, 'epoch')}`,
      async setup(device) {
        await largeLoop({ n, epochs: 1, lr: 0.001, seed, device });
        return async () => (await largeLoop({ n, epochs, lr: 0.001, seed, device })).loss;
      },
    },
  ];
}

export async function run(ctx: ScenarioContext<Flags>): Promise<ScenarioResult> {
  const { torch } = ctx;
  const { n, matmul: m, epochs, repeat, seed } = ctx.flags;
  const notes: string[] = [];

  // 1. The CPU's W: given, or the fastest of a mini-sweep on the elementwise workload.
  let W = ctx.flags.workers;
  const sweep: Array<{ workers: number; seconds: number }> = [];
  if (W === 0) {
    const ws = workerCounts(2 * cores());
    const bar = ctx.progress('compare: mini-sweep of W', ws.length);
    try {
      for (const w of ws) {
        await torch.init({ workers: w });
        const f = await workloads(torch, n, m, epochs, seed)[0].setup('cpu');
        sweep.push({ workers: w, seconds: median([await seconds(f), await seconds(f)]) });
        await torch.shutdown();
        bar.tick();
      }
    } finally { bar.stop(); await torch.shutdown(); }
    W = sweep.reduce((a, b) => (b.seconds < a.seconds ? b : a)).workers;
    notes.push(`CPU workers: W=${W}, the fastest of a mini-sweep on the elementwise workload (${sweep.map((s) => `W=${s.workers}: ${s.seconds.toFixed(3)} s`).join(', ')})`);
  } else {
    notes.push(`CPU workers: W=${W} (--workers)`);
  }

  // 2. Both devices, same workloads and sizes.
  const hasGpu = ctx.gpu?.available === true;
  if (!hasGpu) notes.push(`no GPU (${(ctx.gpu?.reason ?? 'no adapter').replace(/\s*GPU tensors need.*$/, '')}): reporting the CPU alone`);
  const started = await torch.init({ workers: W, gpu: hasGpu });
  const devices: Device[] = hasGpu ? ['cpu', 'gpu'] : ['cpu'];
  const wl = workloads(torch, n, m, epochs, seed);
  const bar = ctx.progress('compare', wl.length * devices.length * repeat);
  const times: Record<string, Partial<Record<Device, number[]>>> = {};
  try {
    for (const w of wl) {
      times[w.key] = {};
      for (const d of devices) {
        const f = await w.setup(d);
        await f(); // one untimed run of exactly what is timed: JIT, pipelines, buffers
        times[w.key][d] = (await timeRepeats(repeat, f, () => bar.tick())).times;
      }
    }
  } finally { bar.stop(); }

  const rows = wl.map((w) => {
    const cpu = median(times[w.key].cpu!), gpu = hasGpu ? median(times[w.key].gpu!) : null;
    return { workload: w.label, cpu, gpu, ratio: gpu === null ? null : cpu / gpu };
  });
  const gpuName = started.gpu;
  if (hasGpu && /llvmpipe|lavapipe|swiftshader/i.test(gpuName ?? '')) {
    notes.push(`the GPU here is ${gpuName}, a CPU implementation of Vulkan: its times say nothing about a real GPU`);
  }
  const chartRows = rows.flatMap((r) => [
    { workload: r.workload.split(':')[0], device: `CPU, ${W} worker${W > 1 ? 's' : ''}`, seconds: r.cpu, label: fmtSeconds(r.cpu) },
    ...(r.gpu === null ? [] : [{ workload: r.workload.split(':')[0], device: `GPU (${(gpuName ?? '').split(/[:(]/)[0].trim()})`, seconds: r.gpu, label: fmtSeconds(r.gpu) }]),
  ]);
  return {
    tables: [{
      title: `compare: median of ${repeat} run${repeat > 1 ? 's' : ''}; ratio = CPU s / GPU s (> 1: the GPU is faster)`,
      columns: [{ key: 'workload' }, { key: 'cpu', label: `CPU W=${W} s`, digits: 4 }, { key: 'gpu', label: 'GPU s', digits: 4 }, { key: 'ratio', label: 'ratio', digits: 2, unit: '×' }],
      rows,
    }],
    notes,
    data: { n, matmul: m, epochs, repeat, seed, workers: W, miniSweep: sweep, gpu: gpuName, times },
    chart: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: { text: 'compare: CPU vs GPU, median seconds per workload (lower is better)', subtitle: `N=${fmtCount(n)}, matmul ${m}×${m}, loop ${plural(epochs, 'epoch')}; each panel has its own scale` },
      data: { values: chartRows },
      facet: { column: { field: 'workload', type: 'nominal', title: null, sort: wl.map((w) => w.key) } },
      spec: {
        width: 110, height: 200,
        layer: [
          { mark: 'bar' },
          { mark: { type: 'text', dy: -6 }, encoding: { text: { field: 'label', type: 'nominal' } } },
        ],
        encoding: {
          x: { field: 'device', type: 'nominal', title: null, axis: { labels: false, ticks: false } },
          y: { field: 'seconds', type: 'quantitative', title: 'seconds' },
          color: { field: 'device', type: 'nominal', title: null, legend: { orient: 'bottom' } },
        },
      },
      resolve: { scale: { y: 'independent' } },
    },
  };
}
