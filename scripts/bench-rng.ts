/**
 * Single-thread throughput of the random fills: plain JS (philox.ts) vs the
 * WebAssembly SIMD kernel (wasm.ts), in millions of elements per second.
 *
 *   npx tsx scripts/bench-rng.ts [elements=4194304] [reps=7]
 *
 * "wasm direct" writes straight into a Float32Array that lives in the
 * kernel's shared memory (the worker / SharedArrayBuffer case); "wasm copy"
 * fills an ordinary Float32Array through the scratch region.
 */
import { fillNormal, fillUniform, type RandomOut } from '../src/backends/cpu/philox.ts';
import { createRngMemory, instantiateRngWasm } from '../src/backends/cpu/wasm.ts';

const n = Number(process.argv[2] ?? 1 << 22);
const reps = Number(process.argv[3] ?? 7);

type Fill = (out: RandomOut, seed: number, stream: number, start: number, end: number, outOffset?: number) => void;

function bench(fill: Fill, out: RandomOut): number {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fill(out, 1234 + r, 0, 0, out.length);
    best = Math.min(best, performance.now() - t0);
  }
  return out.length / best / 1e3;
}

const copy = instantiateRngWasm();
const pages = Math.ceil((n * 8) / 65536) + 1;
const direct = instantiateRngWasm({ memory: createRngMemory(pages) });
const resident32 = new Float32Array(direct.memory.buffer, 0, n);
const resident64 = new Float64Array(direct.memory.buffer, 0, n);
const plain32 = new Float32Array(n);
const plain64 = new Float64Array(n);

const rows: [string, number][] = [
  ['js    normal  f32', bench(fillNormal, plain32)],
  ['wasm  normal  f32 direct', bench(direct.fillNormal, resident32)],
  ['wasm  normal  f32 copy', bench(copy.fillNormal, plain32)],
  ['wasm  normal  f64 direct', bench(direct.fillNormal, resident64)],
  ['js    uniform f32', bench(fillUniform, plain32)],
  ['wasm  uniform f32 direct', bench(direct.fillUniform, resident32)],
  ['wasm  uniform f32 copy', bench(copy.fillUniform, plain32)],
  ['wasm  uniform f64 direct', bench(direct.fillUniform, resident64)],
];
console.log(`${n} elements, best of ${reps}, one thread (node ${process.version})`);
for (const [name, mps] of rows) console.log(`${name.padEnd(26)} ${mps.toFixed(1).padStart(7)} M/s`);
