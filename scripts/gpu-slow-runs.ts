// Why some warm runs of the GPU loop are slow: one process, 10 untimed loops, then REPS timed loops of the
// tour's 10M loop (200 epochs), each reported with what the process's threads did meanwhile, from Linux's
// per-thread scheduler counters (/proc/self/task/T/schedstat: ns on a CPU, ns waiting for one):
//   - issued / total: the main thread's loop body, and until the final read returned;
//   - main: the main thread's ns on a CPU and ns runnable but waiting (another thread had its CPU);
//   - others: the busiest other threads (name/tid) and their ms on a CPU;
//   - V8's collections on this thread (v8.GCProfiler): scavenges and full collections, count and ms, the
//     young generation's size when the loop began (V8 grows and shrinks it as it goes), and the bytes the
//     loop allocated (the heap's growth between collections, summed);
//   - minor page faults of the process during the loop, and the young generation's size and resident
//     memory at its start and end: V8 may shrink the young generation after an idle pause and grow it back
//     during the loop, whose first writes to the new pages then each take a page fault;
//   - probe: the median time of a fixed piece of arithmetic run after each epoch: if it is slower in a slow
//     run, the CPU ran the main thread slower (a busy sibling hyperthread on the host, frequency), not
//     that the engine did more work.
// Main-thread times are from the loop's start to its last epoch issued (the loop body).
// SLOW_CPU_PROFILE=1 also samples each loop body (V8's CPU profiler, every 50 µs) and prints the functions
// with the most self time, so a slow loop's profile can be set beside a fast one's.
// Run node with --trace-deopt (and --trace-opt) to also see deoptimizations (and optimizations): the lines
// between '@@REP k' and '@@END k' are those that happened during timed loop k (scripts/device-check.sh slow
// counts them).
import fs from 'node:fs';
import { Session } from 'node:inspector';
import v8 from 'node:v8';
import * as torch from '../src/index.ts';
import { largeLoop } from '../scenarios/large-loop.ts';
import { quiesce } from '../scenarios/scenario.ts';

const n = Number(process.env.SLOW_N ?? 10_000_000);
const reps = Number(process.env.SLOW_REPS ?? 6);
const warm = Number(process.env.SLOW_WARM ?? 10);

interface ThreadTime { name: string; run: number; wait: number }
function threads(): Map<string, ThreadTime> {
  const out = new Map<string, ThreadTime>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const [run, wait] = fs.readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      const name = fs.readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      out.set(tid, { name, run, wait });
    } catch { /* the thread ended, or no schedstat (a kernel without it) */ }
  }
  return out;
}

await torch.gpu.init();
const opts = { n, epochs: 200, lr: 0.001, seed: 0, device: 'gpu' as const };
for (let i = 0; i < warm; i++) await largeLoop(opts);
const main = String(process.pid);
interface CpuProfile { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[]; timeDeltas: number[] }
const session = process.env.SLOW_CPU_PROFILE === '1' ? new Session() : null;
session?.connect();
/** The inspector answers a session on the same thread synchronously. */
function post(method: string, params?: object, cb?: (res: unknown) => void): void {
  session!.post(method, params ?? {}, (err, res) => { if (err) throw err; cb?.(res); });
}
/** Self time by function, most first: 'name file:line ms'. */
function topSelf(p: CpuProfile, k: number): string {
  const byId = new Map(p.nodes.map((x) => [x.id, x.callFrame]));
  const ms = new Map<string, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const f = byId.get(p.samples[i])!;
    const key = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    ms.set(key, (ms.get(key) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  }
  return [...ms].sort((a, b) => b[1] - a[1]).slice(0, k).map(([key, v]) => `${v.toFixed(1)} ${key}`).join(' | ');
}
let probeSink = 0;
/** About 10 µs of integer arithmetic, the same every call. */
function probe(): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < 4000; i++) h = Math.imul(h ^ i, 0x01000193);
  return h;
}
/** SLOW_SETTLE_MS: the pause before each timed loop (quiesce() in scenarios/scenario.ts); 0: none. */
const settle = Number(process.env.SLOW_SETTLE_MS ?? 20);
for (let rep = 0; rep < reps; rep++) {
  if (settle > 0) await quiesce(settle);
  console.log(`@@REP ${rep}`);
  const ns = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space')!;
  const t0 = threads();
  let t1!: Map<string, ThreadTime>;
  const used0 = v8.getHeapStatistics().used_heap_size;
  const pf0 = process.resourceUsage().minorPageFault;
  const prof = new v8.GCProfiler();
  prof.start();
  const probes: number[] = [];
  if (session) { post('Profiler.enable'); post('Profiler.setSamplingInterval', { interval: 50 }); post('Profiler.start'); }
  let cpu: CpuProfile | null = null;
  const r = await largeLoop(opts, (i) => {
    const a = performance.now();
    probeSink += probe();
    probes.push((performance.now() - a) * 1000);
    if (i === opts.epochs - 1) {
      t1 = threads();
      if (session) post('Profiler.stop', undefined, (res) => { cpu = (res as { profile: CpuProfile }).profile; });
    }
  });
  const gc = prof.stop();
  const pf = process.resourceUsage().minorPageFault - pf0;
  const nsEnd = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space')!;
  const used1 = v8.getHeapStatistics().used_heap_size;
  probes.sort((a, b) => a - b);
  let sc = 0, scMs = 0, full = 0, fullMs = 0;
  // Bytes the loop allocated on V8's heap: the heap's growth between collections, summed (a slow loop
  // that allocates more, e.g. in less optimized code, shows here).
  let allocated = 0, after = used0;
  for (const s of gc.statistics) {
    if (s.gcType === 'Scavenge' || s.gcType === 'MinorMarkCompact') { sc++; scMs += s.cost / 1000; } else { full++; fullMs += s.cost / 1000; }
    allocated += s.beforeGC.heapStatistics.usedHeapSize - after;
    after = s.afterGC.heapStatistics.usedHeapSize;
  }
  allocated += used1 - after;
  const d = (tid: string) => {
    const a = t0.get(tid), b = t1.get(tid)!;
    return { name: b.name, run: (b.run - (a?.run ?? 0)) / 1e6, wait: (b.wait - (a?.wait ?? 0)) / 1e6 };
  };
  const m = t1.has(main) ? d(main) : { run: NaN, wait: NaN };
  // The busiest other threads (many share the name 'node': V8's platform workers, the GPU worker, Dawn's).
  const others = [...t1.keys()].filter((tid) => tid !== main).map((tid) => ({ tid, ...d(tid) })).sort((a, b) => b.run - a.run);
  const top = others.slice(0, 4).map((x) => `${x.name}/${x.tid} ${x.run.toFixed(1)}`).join(', ');
  console.log(`@@END ${rep}: issued ${(r.issuedSeconds * 1e3).toFixed(1)} ms, total ${(r.seconds * 1e3).toFixed(1)} ms; ` +
    `main on-CPU ${m.run.toFixed(1)} ms, waiting ${m.wait.toFixed(1)} ms; probe ${probes[probes.length >> 1].toFixed(1)} µs; others on-CPU ms: ${top}; ` +
    `V8 GC: ${sc} scavenges ${scMs.toFixed(1)} ms, ${full} full ${fullMs.toFixed(1)} ms; new space at the start ${(ns.space_size / 2 ** 20).toFixed(0)} MiB (${(ns.physical_space_size / 2 ** 20).toFixed(0)} MiB resident), ` +
    `at the end ${(nsEnd.space_size / 2 ** 20).toFixed(0)} MiB (${(nsEnd.physical_space_size / 2 ** 20).toFixed(0)} MiB resident); minor page faults ${pf}; ` +
    `allocated ${(allocated / 2 ** 20).toFixed(1)} MiB`);
  if (cpu) console.log(`@@PROFILE ${rep}: ${topSelf(cpu, 14)}`);
}
if (probeSink === 0.5) console.log(probeSink);
await torch.shutdown();
