/**
 * Single-thread throughput of the float32 kernels: the JS kernels of kernels.ts (runOp / partialBlocks)
 * vs the WebAssembly SIMD kernels of simd.ts, on the same arrays living in an Arena's shared memory
 * (the zero-copy case). Median of `reps` runs, JS and SIMD interleaved within each run so that noise
 * from other jobs hits both alike.
 *
 *   npx tsx scripts/bench-simd.ts [elements=10000000] [reps=9]
 *
 * GB/s counts the bytes each op must move (e.g. add: read 2 x 4 B + write 4 B per element).
 */
import { REDUCE_BLOCK, type View } from '../src/runtime/protocol.ts';
import { partialBlocks, runOp, type Resolve } from '../src/backends/cpu/kernels.ts';
import { Arena } from '../src/backends/cpu/arena.ts';
import { instantiateSimd } from '../src/backends/cpu/simd.ts';

const n = Number(process.argv[2] ?? 10_000_000);
const reps = Number(process.argv[3] ?? 9);

const arena = new Arena({ initialBytes: 3 * 4 * n + (1 << 20) });
const simd = instantiateSimd(arena.memory);
const blk = () => arena.alloc(4 * n)!.byteOffset;
const A = blk(), B = blk(), O = blk();
const a = arena.view('float32', A, n) as Float32Array, b = arena.view('float32', B, n) as Float32Array;
const o = arena.view('float32', O, n) as Float32Array;
for (let i = 0; i < n; i++) { a[i] = Math.sin(i) * 3; b[i] = Math.cos(i) + 1.5; }
o.fill(1); // touch the pages

const bufs = [a, b, o];
const R: Resolve = (id) => bufs[id];
const v = (buf: number): View => ({ buf, dtype: 'float32', shape: [n], strides: [1], offset: 0 });
const nb = Math.ceil(n / REDUCE_BLOCK);
const partials = new Float64Array(nb);

interface Case { name: string; bytes: number; js: () => unknown; simd: () => unknown }
const cases: Case[] = [
  {
    name: 'add a+b', bytes: 12,
    js: () => runOp({ op: 'binary', fn: 'add', a: v(0), b: v(1), out: v(2) }, R, 0, n),
    simd: () => simd.binaryF32('add', O, A, 0, B, 0, n),
  },
  {
    name: 'mul a*2.5', bytes: 8,
    js: () => runOp({ op: 'binary', fn: 'mul', a: v(0), b: 2.5, out: v(2) }, R, 0, n),
    simd: () => simd.binaryF32('mul', O, A, 0, null, 2.5, n),
  },
  {
    name: 'mul a*0.1 (f64)', bytes: 8,
    js: () => runOp({ op: 'binary', fn: 'mul', a: v(0), b: 0.1, out: v(2) }, R, 0, n),
    simd: () => simd.binaryF32('mul', O, A, 0, null, 0.1, n),
  },
  {
    name: 'a += b (in place)', bytes: 12,
    js: () => runOp({ op: 'binary', fn: 'add', a: v(2), b: v(1), out: v(2) }, R, 0, n),
    simd: () => simd.binaryF32('add', O, O, 0, B, 0, n),
  },
  {
    name: 'maximum(a,b)', bytes: 12,
    js: () => runOp({ op: 'binary', fn: 'maximum', a: v(0), b: v(1), out: v(2) }, R, 0, n),
    simd: () => simd.binaryF32('maximum', O, A, 0, B, 0, n),
  },
  {
    name: 'relu(a)', bytes: 8,
    js: () => runOp({ op: 'unary', fn: 'relu', x: v(0), out: v(2) }, R, 0, n),
    simd: () => simd.unaryF32('relu', O, A, n),
  },
  {
    name: 'dot partials', bytes: 8,
    js: () => partialBlocks('sum', v(0), v(1), R, 0, n, partials, 0),
    simd: () => {
      for (let k = 0; k < nb; k++) {
        const s = k * REDUCE_BLOCK;
        partials[k] = simd.blockDotF32(A + 4 * s, B + 4 * s, Math.min(REDUCE_BLOCK, n - s));
      }
    },
  },
  {
    name: 'sum partials', bytes: 4,
    js: () => partialBlocks('sum', v(0), null, R, 0, n, partials, 0),
    simd: () => {
      for (let k = 0; k < nb; k++) {
        const s = k * REDUCE_BLOCK;
        partials[k] = simd.blockSumF32(A + 4 * s, Math.min(REDUCE_BLOCK, n - s));
      }
    },
  },
];

const median = (xs: number[]) => { const s = [...xs].sort((x, y) => x - y); return s[s.length >> 1]; };
const time = (f: () => unknown) => { const t0 = performance.now(); f(); return performance.now() - t0; };

console.log(`${n} float32 elements, median of ${reps}, one thread (node ${process.version})`);
console.log(`${'op'.padEnd(20)} ${'JS ns/el'.padStart(9)} ${'JS GB/s'.padStart(8)} ${'SIMD ns/el'.padStart(11)} ${'SIMD GB/s'.padStart(10)} ${'speedup'.padStart(8)}`);
for (const c of cases) {
  for (let w = 0; w < 2; w++) { c.js(); c.simd(); } // warm-up: JIT / wasm tier-up
  const tj: number[] = [], ts: number[] = [], ratio: number[] = [];
  for (let r = 0; r < reps; r++) {
    const j = time(c.js), s = time(c.simd);
    tj.push(j); ts.push(s); ratio.push(j / s);
  }
  const mj = median(tj), ms = median(ts);
  const ns = (ms_: number) => (ms_ * 1e6) / n;
  const gbs = (ms_: number) => (c.bytes * n) / (ms_ * 1e6);
  console.log(
    `${c.name.padEnd(20)} ${ns(mj).toFixed(3).padStart(9)} ${gbs(mj).toFixed(1).padStart(8)} ${ns(ms).toFixed(3).padStart(11)} ${gbs(ms).toFixed(1).padStart(10)} ${(median(ratio).toFixed(2) + 'x').padStart(8)}`,
  );
}
