/**
 * bench:large — the tour's 10M-parameter loop.
 *
 *   npm run bench:large -- [--workers W] [--epochs E] [--n N] [--lr LR] [--seed S] [--device cpu|gpu] [--warmup K] [--json]
 *
 * --warmup K first runs the loop untimed for at least K epochs, as whole loops of E epochs each (the
 * timed loop, ceil(K / E) times): the GPU then has its kernels compiled (the first run of a process pays
 * for building its pipelines, ~0.12 s on an H100), and the JIT has seen the loop start as well as its
 * steady state (one long warm-up loop leaves code that deoptimizes when the next loop starts), as a CUDA
 * loop is timed after its context and kernels are loaded. Between the warm-up and the timed loop it waits
 * 20 ms (quiesce() in scenario.ts) for V8 to finish the collection the warm-up's last read started
 * (BENCH_SETTLE_MS=0: no pause, for an A/B).
 */
import { parseArgs } from 'node:util';
import * as torch from '../src/index.ts';
import { largeLoop } from './large-loop.ts';
import { progressBar } from './progress.ts';
import { keepNonFinite, quiesce, runTorchScript } from './scenario.ts';

const USAGE = 'usage: npm run bench:large -- [--workers W] [--epochs E] [--n N] [--lr LR] [--seed S] [--device cpu|gpu] [--warmup K] [--json] [--compare-torch]';
function fail(msg: string): never { console.error(`bench:large: ${msg}\n${USAGE}`); process.exit(2); }

let v;
try {
  v = parseArgs({
    options: {
      workers: { type: 'string' }, epochs: { type: 'string', default: '200' }, n: { type: 'string', default: '10000000' },
      lr: { type: 'string', default: '0.001' }, seed: { type: 'string', default: '0' }, device: { type: 'string', default: 'cpu' },
      json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false }, warmup: { type: 'string', default: '0' },
      'compare-torch': { type: 'boolean', default: false },
    },
  }).values;
} catch (e) { fail((e as Error).message); }
if (v.help) { console.log(USAGE); process.exit(0); }
const int = (name: string, s: string | undefined, min: number) => {
  const x = Number(s);
  if (!Number.isInteger(x) || x < min) fail(`--${name} must be an integer >= ${min}, got '${s}'`);
  return x;
};
const epochs = int('epochs', v.epochs, 1), n = int('n', v.n, 1), seed = int('seed', v.seed, 0), warmup = int('warmup', v.warmup, 0);
const warmupLoops = Math.ceil(warmup / epochs);
const lr = Number(v.lr);
if (!Number.isFinite(lr)) fail(`--lr must be a number, got '${v.lr}'`);
if (v.device !== 'cpu' && v.device !== 'gpu') fail(`--device must be cpu or gpu, got '${v.device}'`);
const device = v.device as 'cpu' | 'gpu';
let workers: number;
try { workers = v.workers === undefined ? torch.defaultWorkers() : torch.parseWorkers(v.workers, '--workers'); } catch (e) { fail((e as Error).message); }

try {
  await torch.init({ workers, gpu: device === 'gpu' });
} catch (e) { fail((e as Error).message); }
/** Where the loop runs, as a person reads it: the GPU's adapter, or the CPU pool's size. */
const where = device === 'gpu' ? `gpu (${torch.gpu.info()?.name ?? 'adapter'})` : `cpu, ${workers} worker${workers === 1 ? '' : 's'}`;
const bar = progressBar(!v.json, `10M loop (${where})`, epochs);
let r;
let warmupSeconds = 0;
try {
  if (warmupLoops > 0) {
    const wb = progressBar(!v.json, `warm-up (${warmupLoops} untimed loops of ${epochs} epochs)`, warmupLoops * epochs);
    try {
      for (let k = 0; k < warmupLoops; k++) warmupSeconds += (await largeLoop({ n, epochs, lr, seed, device }, () => wb.tick())).seconds;
    } finally { wb.stop(); }
    await quiesce(Number(process.env.BENCH_SETTLE_MS ?? 20));
  }
  r = await largeLoop({ n, epochs, lr, seed, device }, () => bar.tick());
} finally {
  bar.stop();
  await torch.shutdown();
}
const out: Record<string, unknown> = { device, workers, n, epochs, lr, warmupEpochs: warmupLoops * epochs, warmupSeconds, ...r };
if (v['compare-torch']) {
  // The same loop in PyTorch (Debian's python3-torch), same N, epochs and thread count, in this run.
  const t = runTorchScript<{ seconds: number }>('torch-loop.py', [n, epochs, lr, workers]);
  out.torch = t;
  if (!('error' in t)) out.speedupVsTorch = t.seconds / r.seconds;
}
if (v.json) console.log(JSON.stringify(out, keepNonFinite));
else {
  console.log(`device ${where}, N=${n}, ${epochs} epochs, lr=${lr}${warmupLoops ? ` (after ${warmupLoops} untimed warm-up loops, ${warmupLoops * epochs} epochs, ${warmupSeconds.toFixed(3)} s)` : ''}`);
  console.log(`  ${r.seconds.toFixed(3)} s total, ${r.secondsPerEpoch.toFixed(4)} s/epoch`);
  console.log(`  final loss ${r.loss}, b ${r.b}`);
  console.log(`  sha256(w) ${r.wSha256}, peak RSS ${r.peakRssMB} MB`);
  const t = out.torch as { seconds?: number; torch?: string; error?: string } | undefined;
  if (t?.seconds) console.log(`  PyTorch ${t.torch} (${workers} threads): ${t.seconds.toFixed(3)} s — troupe is ${(out.speedupVsTorch as number).toFixed(2)}x ${(out.speedupVsTorch as number) >= 1 ? 'faster' : 'slower'}`);
  else if (t) console.log(`  PyTorch comparison unavailable: ${t.error}`);
}
