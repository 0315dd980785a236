import { describe, expect, it } from 'vitest';
import {
  RNG_F32_CONSTANT_BITS,
  RNG_F32_CONSTANTS,
  fillNormal,
  fillUniform,
  lnUniform24,
  philox4x32,
  sincos2piUniform24,
  type RandomOut,
} from '../src/backends/cpu/philox.ts';
import { createRngMemory, instantiateRngWasm, rngWasmSupported } from '../src/backends/cpu/wasm.ts';

type Fill = (out: RandomOut, seed: number, stream: number, start: number, end: number, outOffset?: number) => void;

const hex = (x: number) => (x >>> 0).toString(16).padStart(8, '0');

/** Error of `approx` in units in the last place (float32) of `exact`. */
function ulpErr(approx: number, exact: number): number {
  const e = Math.floor(Math.log2(Math.abs(exact)));
  let ulp = 2 ** (e - 23);
  if (Math.abs(exact) < 2 ** e) ulp /= 2;
  else if (Math.abs(exact) >= 2 ** (e + 1)) ulp *= 2;
  return Math.abs(approx - exact) / ulp;
}

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): number {
  // index of first difference (Object.is distinguishes -0 and NaN payload-free), or -1
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe('philox4x32-10', () => {
  // Random123 tests/kat_vectors (philox4x32 lines): ctr[4] key[2] -> out[4]
  const KAT: [number, number[], number[], number[]][] = [
    [10, [0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
    [
      10,
      [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
      [0xffffffff, 0xffffffff],
      [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
    ],
    [
      10,
      [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
      [0xa4093822, 0x299f31d0],
      [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
    ],
    // the 7-round lines of the same file (checks the key schedule per round)
    [7, [0, 0, 0, 0], [0, 0], [0x5f6fb709, 0x0d893f64, 0x4f121f81, 0x4f730a48]],
    [
      7,
      [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
      [0xa4093822, 0x299f31d0],
      [0x4dfccaba, 0x190a87f0, 0xc47362ba, 0xb6b5242a],
    ],
  ];
  for (const [rounds, ctr, key, want] of KAT) {
    it(`KAT ${rounds} rounds ctr=${ctr.map(hex).join(' ')}`, () => {
      const got = philox4x32(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1], rounds);
      expect(got.map(hex)).toEqual(want.map(hex));
    });
  }

  it('uniform stream = (x >>> 8) * 2^-24 of block floor(i/4) with key/counter from seed/stream', () => {
    const seed = 0x1234_5678_9abc; // > 2^32: key word 1 non-zero
    const stream = 0xdeadbeef;
    const j = 2 ** 32 + 5; // block index > 2^32: counter word 1 non-zero
    const out = new Float64Array(8);
    fillUniform(out, seed, stream, 4 * j - 2, 4 * j + 6);
    const k0 = seed % 2 ** 32;
    const k1 = Math.floor(seed / 2 ** 32);
    const prev = philox4x32((j - 1) % 2 ** 32, 1, stream, 0, k0, k1);
    const cur = philox4x32(j % 2 ** 32, 1, stream, 0, k0, k1);
    const next = philox4x32((j + 1) % 2 ** 32, 1, stream, 0, k0, k1);
    const words = [prev[2], prev[3], ...cur, next[0], next[1]];
    expect(Array.from(out)).toEqual(words.map((x) => (x >>> 8) * 2 ** -24));
  });

  it('counter carries from word 0 into word 1', () => {
    const out = new Float32Array(12);
    const j = 2 ** 32 - 1;
    fillUniform(out, 7, 0, 4 * j - 4, 4 * j + 8);
    const expectBlock = (c0: number, c1: number) =>
      philox4x32(c0, c1, 0, 0, 7, 0).map((x) => Math.fround((x >>> 8) * 2 ** -24));
    expect(Array.from(out)).toEqual([
      ...expectBlock(2 ** 32 - 2, 0),
      ...expectBlock(2 ** 32 - 1, 0),
      ...expectBlock(0, 1),
    ]);
  });
});

describe('fills', () => {
  const fills: [string, Fill][] = [
    ['uniform', fillUniform],
    ['normal', fillNormal],
  ];

  for (const [name, fill] of fills) {
    it(`${name}: any split of [0, N) gives identical output (f32 and f64)`, () => {
      const N = 1003;
      for (const T of [Float32Array, Float64Array]) {
        const whole = new T(N);
        fill(whole, 99, 3, 0, N);
        let rng = 12345;
        const rand = (k: number) => {
          rng = (Math.imul(rng, 1103515245) + 12345) >>> 0;
          return rng % k;
        };
        for (let trial = 0; trial < 20; trial++) {
          const parts = new T(N);
          let s = 0;
          while (s < N) {
            const e = Math.min(N, s + 1 + rand(trial < 10 ? 9 : 200));
            fill(parts, 99, 3, s, e, s);
            s = e;
          }
          expect(sameBits(parts, whole)).toBe(-1);
        }
        // outOffset + sub-range
        const sub = new T(20);
        fill(sub, 99, 3, 501, 518, 3);
        expect(sameBits(sub.subarray(3, 20), whole.subarray(501, 518))).toBe(-1);
      }
    });

    it(`${name}: float64 output is the float32 value widened`, () => {
      const a = new Float32Array(257);
      const b = new Float64Array(257);
      fill(a, 5, 1, 33, 290);
      fill(b, 5, 1, 33, 290);
      expect(sameBits(Array.from(a), b)).toBe(-1);
    });

    it(`${name}: streams and seeds differ`, () => {
      const a = new Float32Array(64);
      const b = new Float32Array(64);
      const c = new Float32Array(64);
      fill(a, 1, 0, 0, 64);
      fill(b, 1, 1, 0, 64);
      fill(c, 2, 0, 0, 64);
      expect(sameBits(a, b)).not.toBe(-1);
      expect(sameBits(a, c)).not.toBe(-1);
    });
  }

  it('uniform values lie in [0, 1) and look uniform', () => {
    const N = 1 << 18;
    const u = new Float32Array(N);
    fillUniform(u, 2024, 0, 0, N);
    let s = 0;
    let min = 1;
    let max = 0;
    for (const x of u) {
      s += x;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(s / N - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / N));
  });

  it('normal: mean/variance on 1e6 samples', () => {
    const N = 1_000_000;
    const x = new Float32Array(N);
    fillNormal(x, 7, 0, 0, N);
    let s = 0;
    let s2 = 0;
    let s4 = 0;
    let finite = true;
    for (const v of x) {
      if (!Number.isFinite(v)) finite = false;
      s += v;
      s2 += v * v;
      s4 += v * v * v * v;
    }
    expect(finite).toBe(true);
    const mean = s / N;
    const variance = s2 / N - mean * mean;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(N));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / N));
    expect(Math.abs(s4 / N - 3)).toBeLessThan(0.05); // kurtosis of N(0,1)
  });

  it('rejects bad arguments', () => {
    const out = new Float32Array(8);
    expect(() => fillUniform(out, -1, 0, 0, 4)).toThrow(RangeError);
    expect(() => fillUniform(out, 2 ** 53, 0, 0, 4)).toThrow(RangeError);
    expect(() => fillUniform(out, 0.5, 0, 0, 4)).toThrow(RangeError);
    expect(() => fillUniform(out, 1, 2 ** 32, 0, 4)).toThrow(RangeError);
    expect(() => fillUniform(out, 1, 0, 4, 3)).toThrow(RangeError);
    expect(() => fillNormal(out, 1, 0, 0, 9)).toThrow(RangeError);
    expect(() => fillNormal(out, 1, 0, 0, 8, 1)).toThrow(RangeError);
  });
});

describe('float32 ln / sincos', () => {
  it('constants are float32 values with the documented bit patterns', () => {
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    const check = (v: number, bits: number) => {
      f[0] = v;
      expect(f[0]).toBe(v);
      expect(hex(u[0])).toBe(hex(bits));
    };
    const K = RNG_F32_CONSTANTS;
    const B = RNG_F32_CONSTANT_BITS;
    K.L.forEach((v, i) => check(v, B.L[i]));
    K.Q.forEach((v, i) => check(v, B.Q[i]));
    K.C.forEach((v, i) => check(v, B.C[i]));
    for (const k of ['LN2_HI', 'LN2_LO', 'P1', 'P2'] as const) check(K[k], B[k]);
  });

  // Exhaustive over all 2^24 inputs (measured offline): ln 0.80 ulp, cos 1.11, sin 1.11.
  // Here a strided subset plus edge cases, so the test stays fast.
  const ms: number[] = [];
  for (let m = 0; m < 1 << 24; m += 97) ms.push(m);
  for (const m of [0, 1, 2, 3, (1 << 22) - 1, 1 << 22, (1 << 23) - 1, 1 << 23, (1 << 24) - 2, (1 << 24) - 1])
    ms.push(m);
  // around the sqrt(2) reduction threshold and the quadrant boundaries
  for (const c of [11863283, 5931641, 2965820, 0x200000, 0x600000, 0xa00000, 0xe00000])
    for (let d = -3; d <= 3; d++) if (c + d >= 0 && c + d < 1 << 24) ms.push(c + d);

  it('LN_U(m) is within 0.81 ulp of ln((m + 0.5) * 2^-24)', () => {
    let worst = 0;
    let notF32 = 0;
    for (const m of ms) {
      const got = lnUniform24(m);
      if (Math.fround(got) !== got) notF32++;
      worst = Math.max(worst, ulpErr(got, Math.log((m + 0.5) * 2 ** -24)));
    }
    expect(notF32).toBe(0);
    expect(worst).toBeLessThan(0.81);
  });

  it('SINCOS_U(m) is within 1.12 ulp of cos/sin(2π (m + 0.5) * 2^-24)', () => {
    let worst = 0;
    let notF32 = 0;
    for (const m of ms) {
      const [c, s] = sincos2piUniform24(m);
      if (Math.fround(c) !== c || Math.fround(s) !== s) notF32++;
      // reference reduced in turns so it is accurate near the zeros
      const u = (m + 0.5) * 2 ** -24;
      const q = Math.round(4 * u);
      const a = 2 * Math.PI * (u - q / 4);
      const ca = Math.cos(a);
      const sa = Math.sin(a);
      const rc = q & 1 ? (q & 2 ? sa : -sa) : q & 2 ? -ca : ca;
      const rs = q & 1 ? (q & 2 ? -ca : ca) : q & 2 ? -sa : sa;
      worst = Math.max(worst, ulpErr(c, rc), ulpErr(s, rs));
    }
    expect(notF32).toBe(0);
    expect(worst).toBeLessThan(1.12);
  });
});

describe.runIf(rngWasmSupported())('WebAssembly SIMD kernel', () => {
  const wasm = instantiateRngWasm();

  // [start, end) ranges: odd edges, a range across the 2^32 block carry, one
  // longer than a kernel call chunk (65536) and a large seed.
  const CARRY = 4 * (2 ** 32 - 3) + 1;
  const cases: [number, number, number, number][] = [
    [1, 0, 0, 1],
    [1, 0, 3, 4],
    [1, 0, 1, 18],
    [42, 7, 5, 1234],
    [2 ** 53 - 1, 0xffffffff, 13, 77],
    [0x1_0000_0001, 3, CARRY, CARRY + 57],
    [3, 1, 6, 70_011],
  ];

  for (const [name, jsFill, wFill] of [
    ['uniform', fillUniform, wasm.fillUniform],
    ['normal', fillNormal, wasm.fillNormal],
  ] as const) {
    it(`${name}: bit-identical to JS (f32/f64, copy-out path)`, () => {
      for (const [seed, stream, start, end] of cases) {
        for (const T of [Float32Array, Float64Array]) {
          const a = new T(end - start + 3);
          const b = new T(end - start + 3);
          jsFill(a, seed, stream, start, end, 2);
          wFill(b, seed, stream, start, end, 2);
          expect([seed, stream, start, end, T.name, sameBits(a, b)]).toEqual([seed, stream, start, end, T.name, -1]);
        }
      }
    });
  }

  it('writes in place into a shared memory (direct path) and leaves neighbours alone', () => {
    const memory = createRngMemory(2);
    const w = instantiateRngWasm({ memory, module: undefined });
    const sab = memory.buffer;
    expect(sab).toBeInstanceOf(SharedArrayBuffer);
    const view = new Float32Array(sab, 16, 200);
    view.fill(-7);
    w.fillNormal(view, 11, 2, 9, 202, 3); // 193 elements at view[3..196)
    const ref = new Float32Array(200).fill(-7);
    fillNormal(ref, 11, 2, 9, 202, 3);
    expect(sameBits(view, ref)).toBe(-1);

    const v64 = new Float64Array(sab, 8192, 50);
    w.fillUniformAt(8192 + 8, 'float64', 11, 2, 1, 46);
    const r64 = new Float64Array(50);
    fillUniform(r64, 11, 2, 1, 46, 1);
    expect(sameBits(v64, r64)).toBe(-1);
    expect(() => w.fillNormalAt(sab.byteLength - 8, 'float32', 1, 0, 0, 3)).toThrow(RangeError);
  });

  it('ln/sincos kernels match the JS definitions bit for bit (strided over all m)', () => {
    const memory = createRngMemory(4);
    const w = instantiateRngWasm({ memory });
    const n = 4096;
    const words = new Uint32Array(memory.buffer, 0, n);
    const res = new Float32Array(memory.buffer, 4 * n, 2 * n);
    let mismatches = 0;
    for (let base = 0; base < 1 << 24; base += 61 * n) {
      for (let i = 0; i < n; i++) words[i] = (((base + 61 * i) % (1 << 24)) << 8) | (i & 0xff);
      w.exports.rng_ln_u(4 * n, 0, n);
      for (let i = 0; i < n; i++) if (!Object.is(res[i], lnUniform24(words[i] >>> 8))) mismatches++;
      w.exports.rng_sincos_u(4 * n, 0, n);
      for (let i = 0; i < n; i++) {
        const [c, s] = sincos2piUniform24(words[i] >>> 8);
        if (!Object.is(res[i], c) || !Object.is(res[n + i], s)) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });
});

describe('host-side draws (randperm, shuffles)', () => {
  it('uniformDraws gives the JS generator\'s values (the WebAssembly one past 4096 draws)', async () => {
    const { uniformDraws } = await import('../src/runtime/runtime.ts');
    const { fillUniform } = await import('../src/backends/cpu/philox.ts');
    for (const [seed, stream, n] of [[7, 3, 10], [12345, 9, 5000], [2 ** 40 + 17, 123456, 70001]]) {
      const want = new Float64Array(n);
      fillUniform(want, seed, stream, 0, n);
      expect(Array.from(uniformDraws(seed, stream, n)), `${seed} ${stream} ${n}`).toEqual(Array.from(want));
    }
  });
});
