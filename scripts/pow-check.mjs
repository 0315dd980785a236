// Checks, over float32 inputs, that the CPU kernels' cheaper roads for pow by a scalar round to Math.pow's
// float32 (src/backends/cpu/loops.ts POW_EXPR). usage: node scripts/pow-check.mjs Y [STEP]   (STEP 1: all 2^32, ~6 min)
const y = Number(process.argv[2]), step = Number(process.argv[3] ?? 13);
const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
const cand = {
  '0.5': (x) => (x === -Infinity ? Infinity : Math.sqrt(x) + 0),
  '-1': (x) => 1 / x,
  '3': (x) => x * x * x,
  '-2': (x) => 1 / (x * x),
  '-0.5': (x) => 1 / Math.sqrt(x),
  '4': (x) => { const s = x * x; return s * s; },
}[String(y)];
let bad = 0, badRaw = 0, first = null;
for (let b = 0; b < 2 ** 32; b += step) {
  u32[0] = b; const x = f32[0];
  const p = Math.pow(x, y), c = cand(x);
  if (!Object.is(p, c)) { badRaw++; }
  if (!Object.is(Math.fround(p), Math.fround(c))) { bad++; if (!first) first = [x, p, c]; }
}
console.log(`y=${y} step=${step}: float32-rounded mismatches ${bad}, raw float64 mismatches ${badRaw}`, first ?? '');
