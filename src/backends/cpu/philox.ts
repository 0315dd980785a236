/**
 * Counter-based random numbers shared by every backend: Philox4x32-10 plus a
 * float32-exact uniform / Box–Muller normal transform.
 *
 * Determinism contract: element i of a random tensor depends only on
 * (seed, stream, i). Any split of [0, N) across workers gives bit-identical
 * results, and the WebAssembly SIMD kernel (src/backends/cpu/wasm/rng.c) and a
 * WGSL port must reproduce this file bit for bit.
 *
 * ============================================================================
 * STREAM
 * ============================================================================
 * Philox4x32-10 exactly as Random123 (philox4x32_R with R = 10):
 *   M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85
 *   round(c, k):  (hi0, lo0) = mulhilo32(M0, c0); (hi1, lo1) = mulhilo32(M1, c2)
 *                 c = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
 *   10 rounds; between consecutive rounds k += (W0, W1) (mod 2^32), i.e. round
 *   r (0-based) uses key (k0 + r*W0, k1 + r*W1).
 * key     = (seed mod 2^32, floor(seed / 2^32) mod 2^32), integer 0 <= seed < 2^53
 * counter = (j mod 2^32, floor(j / 2^32), stream, 0) for block j
 * block j yields words x0..x3 for elements 4j..4j+3.
 *
 * ============================================================================
 * UNIFORM
 * ============================================================================
 * element 4j+k = f32(x_k >>> 8) * 2^-24  (exact; in [0, 1)).
 * float64 tensors get the same 24-bit value (exactly representable).
 *
 * ============================================================================
 * NORMAL (Box–Muller)
 * ============================================================================
 * For the pair (x_even, x_odd) = (x0, x1) -> elements 4j, 4j+1 and
 * (x2, x3) -> elements 4j+2, 4j+3:
 *   m_e = x_even >>> 8, m_o = x_odd >>> 8           (24-bit integers)
 *   u_e = (m_e + 0.5) * 2^-24, u_o = (m_o + 0.5) * 2^-24   (real numbers in (0,1))
 *   L   = LN_U(m_e)                   ~ ln(u_e)          (float32, below)
 *   r   = sqrt(-2 * L)                (f32 multiply, IEEE-exact f32 sqrt)
 *   (C, S) = SINCOS_U(m_o)            ~ (cos 2πu_o, sin 2πu_o)   (below)
 *   first = r * C, second = r * S     (f32 multiplies)
 * float64 tensors get these float32 results widened exactly (no extra
 * precision; simple and identical on every backend).
 *
 * Every floating-point step below is ONE IEEE-754 binary32 operation with
 * round-to-nearest-even: no fused multiply-add, no reassociation, no
 * contraction. (In JS each intermediate is wrapped in Math.fround; the double
 * product/sum of two float32 values rounded once to float32 equals the float32
 * operation, because 53 >= 2*24 + 2.) All integer steps are on u32/i32.
 * All intermediates stay normal (>= 2^-75 in magnitude or exactly 0), so
 * flush-to-zero hardware gives the same answer.
 *
 * ---- LN_U(m): ln((m + 0.5) * 2^-24) for an integer 0 <= m < 2^24 ----------
 *   v   = 2*m + 1                            (u32, odd, 1 <= v < 2^25;  u = v * 2^-25)
 *   c   = clz32(v)                           (count leading zeros)
 *   t   = ((v << c) >= 0xB504F300u) ? 1 : 0  (normalized mantissa >= sqrt 2)
 *   kk  = 31 - c + t                         (0..25; v / 2^kk in [0.7071, 1.4143))
 *        [equivalent, for SIMD without clz, proven and tested exhaustively:
 *         b = bits(f32(v)) + 0x004AFB0D  (f32(v): convert, round-to-nearest-even);
 *         kk = (b >> 23) - 127]
 *   f   = f32(i32(v) - (1 << kk)) * 2^-kk    (both steps exact; |f| < 0.4143)
 *   k   = f32(kk - 25)                       (exact)
 *   z   = f * f
 *   p   = L8; p = p*f + L7; p = p*f + L6; ... ; p = p*f + L0   (Horner: mul then add)
 *   y   = ((z * (f * p)) + (k * LN2_LO)) - (0.5 * z)
 *   L   = (y + f) + (k * LN2_HI)             (k * LN2_HI is exact)
 *
 *   L0 = 0x3EAAAAA4 =  0.3333331346511841   (hex: IEEE binary32 bit patterns)
 *   L1 = 0xBE800003 = -0.25000008940696716
 *   L2 = 0x3E4CD23C =  0.20002073049545288
 *   L3 = 0xBE2AAE24 = -0.16667991876602173
 *   L4 = 0x3E119DB1 =  0.14220310747623444
 *   L5 = 0xBDFE13C2 = -0.12406112253665924
 *   L6 = 0x3DF361B3 =  0.11883869022130966
 *   L7 = 0xBDEF06BB = -0.1167120561003685
 *   L8 = 0x3D8A3D0C =  0.06749925017356873
 *   LN2_HI = 0x3F317200 = 0.693145751953125        (= 0x1.62e4p-1, 14 bits)
 *   LN2_LO = 0x35BFBE8E = 1.428606765330187e-06    (= 0x1.7f7d1cp-20)
 *   (The decimals are the shortest strings that round-trip the float32 value
 *   through a double; hex-float forms are in rng.c.)
 *
 * ---- SINCOS_U(m): (cos, sin) of 2π(m + 0.5) * 2^-24, 0 <= m < 2^24 ------------
 *   w   = (m + 0x200000) (u32)
 *   q   = (w >> 22) & 3                      (quadrant)
 *   d   = i32(w & 0x3FFFFF) - 0x200000       (-2^21 <= d < 2^21)
 *   a   = (f32(d) + 0.5) * 2^-24             (exact; u = q/4 + a (mod 1), |a| < 1/8)
 *   -- Veltkamp split of a into 12 + 12 bits (exact):
 *   g   = a * 4097;  ah = g - (g - a);  al = a - ah
 *   z   = a * a
 *   qp  = Q0 + z*(Q1 + z*(Q2 + z*Q3))        (Horner: innermost z*Q3 first)
 *   s   = (ah * P1) + ((al * P1) + (a * (P2 + z * qp)))      ~ sin(2πa)
 *   cp  = C0 + z*(C1 + z*(C2 + z*C3))
 *   c   = 1 + z * cp                                         ~ cos(2πa)
 *   q = 0: (C, S) = ( c,  s)     q = 1: (C, S) = (-s,  c)
 *   q = 2: (C, S) = (-c, -s)     q = 3: (C, S) = ( s, -c)    (negation is exact)
 *
 *   P1 = 0x40C91000 = 6.283203125               (= 0x1.922p+2, 2π to 12 bits; ah*P1 exact)
 *   P2 = 0xB795777A = -1.781781975296326e-05    (= f32(2π - P1))
 *   Q0 = 0xC2255DE7 = -41.34170150756836
 *   Q1 = 0x42A335BC =  81.60494995117188
 *   Q2 = 0xC29956D3 = -76.6695785522461
 *   Q3 = 0x42221C0D =  40.52739334106445
 *   C0 = 0xC19DE9E6 = -19.739208221435547
 *   C1 = 0x4281E0D8 =  64.93914794921875
 *   C2 = 0xC2AAD95B = -85.42452239990234
 *   C3 = 0x426A7BF7 =  58.62105941772461
 *
 * Coefficients: near-minimax (Lawson/IRLS on 3000 Chebyshev points, relative
 * error, coefficients rounded to float32 one at a time with refit).
 * Measured max error, exhaustively over all 2^24 inputs m, against the true
 * value for the exact real u = (m + 0.5) * 2^-24 (double-precision reference):
 *   LN_U: 0.80 ulp;  SINCOS_U: sin polynomial 0.75 ulp, cos polynomial 1.11 ulp,
 *   so cos θ and sin θ over θ = 2πu in (0, 2π) are both within 1.11 ulp.
 * test/philox.test.ts re-checks a strided subset. The Box–Muller outputs
 * r*C, r*S are within ~2.5 ulp of the double-precision formula (sampled).
 *
 * WGSL porting notes: the algorithm needs only f32 +, -, *, sqrt, u32/i32
 * ops, countLeadingZeros (or the f32(v) bit trick) and bitcast. WGSL does not
 * promise correctly rounded sqrt or forbid FMA contraction, so bit-identity
 * on a GPU additionally needs a correctly rounded sqrt and no fusion; there is
 * deliberately no division anywhere.
 */

const F = Math.fround;

export const PHILOX_M0 = 0xd2511f53;
export const PHILOX_M1 = 0xcd9e8d57;
export const PHILOX_W0 = 0x9e3779b9;
export const PHILOX_W1 = 0xbb67ae85;

const TWO_32 = 4294967296;
const TWO_M32 = 1 / 4294967296;
const TWO_M24 = 5.960464477539063e-8; // 2^-24

/** Float32 constants of LN_U / SINCOS_U (see the comment block above). */
export const RNG_F32_CONSTANTS = {
  L: [
    0.3333331346511841, -0.25000008940696716, 0.20002073049545288, -0.16667991876602173,
    0.14220310747623444, -0.12406112253665924, 0.11883869022130966, -0.1167120561003685,
    0.06749925017356873,
  ],
  LN2_HI: 0.693145751953125,
  LN2_LO: 1.428606765330187e-6,
  P1: 6.283203125,
  P2: -1.781781975296326e-5,
  Q: [-41.34170150756836, 81.60494995117188, -76.6695785522461, 40.52739334106445],
  C: [-19.739208221435547, 64.93914794921875, -85.42452239990234, 58.62105941772461],
} as const;

/** Bit patterns of the constants above, for ports (WGSL: bitcast<f32>(0x...u)). */
export const RNG_F32_CONSTANT_BITS = {
  L: [
    0x3eaaaaa4, 0xbe800003, 0x3e4cd23c, 0xbe2aae24, 0x3e119db1, 0xbdfe13c2, 0x3df361b3,
    0xbdef06bb, 0x3d8a3d0c,
  ],
  LN2_HI: 0x3f317200,
  LN2_LO: 0x35bfbe8e,
  P1: 0x40c91000,
  P2: 0xb795777a,
  Q: [0xc2255de7, 0x42a335bc, 0xc29956d3, 0x42221c0d],
  C: [0xc19de9e6, 0x4281e0d8, 0xc2aad95b, 0x426a7bf7],
} as const;

const L0 = 0.3333331346511841;
const L1 = -0.25000008940696716;
const L2 = 0.20002073049545288;
const L3 = -0.16667991876602173;
const L4 = 0.14220310747623444;
const L5 = -0.12406112253665924;
const L6 = 0.11883869022130966;
const L7 = -0.1167120561003685;
const L8 = 0.06749925017356873;
const LN2_HI = 0.693145751953125;
const LN2_LO = 1.428606765330187e-6;
const P1 = 6.283203125;
const P2 = -1.781781975296326e-5;
const Q0 = -41.34170150756836;
const Q1 = 81.60494995117188;
const Q2 = -76.6695785522461;
const Q3 = 40.52739334106445;
const C0 = -19.739208221435547;
const C1 = 64.93914794921875;
const C2 = -85.42452239990234;
const C3 = 58.62105941772461;

/** 2^-kk for kk = 0..31 (exact doubles). */
const INV_POW2 = new Float64Array(32);
for (let i = 0; i < 32; i++) INV_POW2[i] = 2 ** -i;
/** 2^kk for kk = 0..31. */
const INT_POW2 = new Float64Array(32);
for (let i = 0; i < 32; i++) INT_POW2[i] = 2 ** i;

// ---------------------------------------------------------------------------
// Philox4x32-10
// ---------------------------------------------------------------------------

/*
 * mulhi in plain JS: lo = Math.imul(a, M) is exact; the double product
 * p = (a >>> 0) * M is within 2^10 of the true 64-bit product P, so
 * (p - (lo >>> 0)) * 2^-32 is within 2^-20 of hi = floor(P / 2^32), and
 * adding 0.5 then truncating with `| 0` (ToInt32) yields hi exactly.
 */

/**
 * Philox4x32-R (default R = 10) of one counter/key, as Random123's philox4x32_R.
 * Inputs and outputs are unsigned 32-bit integers.
 */
export function philox4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  rounds = 10,
): [number, number, number, number] {
  const out = new Int32Array(4);
  philox4x32Into(out, c0 | 0, c1 | 0, c2 | 0, c3 | 0, k0 | 0, k1 | 0, rounds);
  return [out[0] >>> 0, out[1] >>> 0, out[2] >>> 0, out[3] >>> 0];
}

/** Out-param Philox4x32-R: writes x0..x3 (as int32 bit patterns) into out[0..3]. */
export function philox4x32Into(
  out: Int32Array | Uint32Array,
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  rounds = 10,
): void {
  for (let r = 0; r < rounds; r++) {
    if (r > 0) {
      k0 = (k0 + PHILOX_W0) | 0;
      k1 = (k1 + PHILOX_W1) | 0;
    }
    const lo0 = Math.imul(c0, PHILOX_M0);
    const hi0 = ((c0 >>> 0) * PHILOX_M0 - (lo0 >>> 0)) * TWO_M32 + 0.5;
    const lo1 = Math.imul(c2, PHILOX_M1);
    const hi1 = ((c2 >>> 0) * PHILOX_M1 - (lo1 >>> 0)) * TWO_M32 + 0.5;
    c0 = (hi1 | 0) ^ c1 ^ k0;
    c1 = lo1;
    c2 = (hi0 | 0) ^ c3 ^ k1;
    c3 = lo0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

// ---------------------------------------------------------------------------
// float32 ln / sincos of the 24-bit uniforms (see the comment block on top)
// ---------------------------------------------------------------------------

/** LN_U(m): float32 ln((m + 0.5) * 2^-24) for an integer 0 <= m < 2^24. */
export function lnUniform24(m: number): number {
  return lnU(m);
}

/** SINCOS_U(m): float32 [cos, sin] of 2π(m + 0.5) * 2^-24 for an integer 0 <= m < 2^24. */
export function sincos2piUniform24(m: number): [number, number] {
  sincosU(m);
  return [scC, scS];
}

// ---------------------------------------------------------------------------
// Fills
// ---------------------------------------------------------------------------

export type RandomOut = Float32Array | Float64Array;

/** Validates the common fill arguments (shared with the WebAssembly path). */
export function checkFillArgs(out: { length: number }, seed: number, stream: number, start: number, end: number, outOffset: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be an integer in [0, 2^53), got ${seed}`);
  if (!Number.isInteger(stream) || stream < 0 || stream > 0xffffffff)
    throw new RangeError(`stream must be an integer in [0, 2^32), got ${stream}`);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start)
    throw new RangeError(`bad element range [${start}, ${end})`);
  if (!Number.isInteger(outOffset) || outOffset < 0 || outOffset + (end - start) > out.length)
    throw new RangeError(`output too small: need ${outOffset + (end - start)} elements, have ${out.length}`);
}

/**
 * Writes elements [start, end) of the uniform stream (seed, stream) into
 * out[outOffset + (i - start)].
 */
export function fillUniform(out: RandomOut, seed: number, stream: number, start: number, end: number, outOffset = 0): void {
  fillStream(out, seed, stream, start, end, outOffset, false);
}

/**
 * Writes elements [start, end) of the standard-normal stream (seed, stream)
 * into out[outOffset + (i - start)]. Float64 outputs receive the float32
 * values widened.
 */
export function fillNormal(out: RandomOut, seed: number, stream: number, start: number, end: number, outOffset = 0): void {
  fillStream(out, seed, stream, start, end, outOffset, true);
}

/** The Philox4x32-10 block loop shared by both fills: uniform words, or Box–Muller normals. */
function fillStream(out: RandomOut, seed: number, stream: number, start: number, end: number, outOffset: number, normal: boolean): void {
  checkFillArgs(out, seed, stream, start, end, outOffset);
  if (end === start) return;
  const K0 = seed | 0;
  const K1 = Math.floor(seed / TWO_32) | 0;
  const c2i = stream | 0;
  let j = Math.floor(start / 4);
  let jlo = j | 0; // j mod 2^32 (ToInt32 is modular)
  let jhi = Math.floor(j / TWO_32) | 0;
  const jEnd = Math.floor((end - 1) / 4);
  let o = outOffset - (start - 4 * j); // out index of element 4j (may be < outOffset)
  const oLo = outOffset;
  const oHi = outOffset + (end - start);
  for (; j <= jEnd; j++, o += 4) {
    // ---- Philox4x32-10, inlined ----
    let c0 = jlo, c1 = jhi, c2 = c2i, c3 = 0, k0 = K0, k1 = K1;
    for (let r = 0; r < 10; r++) {
      const lo0 = Math.imul(c0, PHILOX_M0);
      const hi0 = ((c0 >>> 0) * PHILOX_M0 - (lo0 >>> 0)) * TWO_M32 + 0.5;
      const lo1 = Math.imul(c2, PHILOX_M1);
      const hi1 = ((c2 >>> 0) * PHILOX_M1 - (lo1 >>> 0)) * TWO_M32 + 0.5;
      c0 = (hi1 | 0) ^ c1 ^ k0;
      c1 = lo1;
      c2 = (hi0 | 0) ^ c3 ^ k1;
      c3 = lo0;
      k0 = (k0 + PHILOX_W0) | 0;
      k1 = (k1 + PHILOX_W1) | 0;
    }
    let v0: number, v1: number, v2: number, v3: number;
    if (normal) {
      // ---- Box–Muller on (c0, c1) and (c2, c3) ----
      const r0 = F(Math.sqrt(-2 * lnU(c0 >>> 8)));
      sincosU(c1 >>> 8);
      v0 = F(r0 * scC);
      v1 = F(r0 * scS);
      const r2 = F(Math.sqrt(-2 * lnU(c2 >>> 8)));
      sincosU(c3 >>> 8);
      v2 = F(r2 * scC);
      v3 = F(r2 * scS);
    } else {
      v0 = (c0 >>> 8) * TWO_M24;
      v1 = (c1 >>> 8) * TWO_M24;
      v2 = (c2 >>> 8) * TWO_M24;
      v3 = (c3 >>> 8) * TWO_M24;
    }
    if (o >= oLo && o + 4 <= oHi) {
      out[o] = v0;
      out[o + 1] = v1;
      out[o + 2] = v2;
      out[o + 3] = v3;
    } else {
      if (o >= oLo && o < oHi) out[o] = v0;
      if (o + 1 >= oLo && o + 1 < oHi) out[o + 1] = v1;
      if (o + 2 >= oLo && o + 2 < oHi) out[o + 2] = v2;
      if (o + 3 >= oLo && o + 3 < oHi) out[o + 3] = v3;
    }
    jlo = (jlo + 1) | 0;
    if (jlo === 0) jhi = (jhi + 1) | 0;
  }
}

// LN_U / SINCOS_U as used by the hot loop (sincos returns through module-level
// slots to avoid allocating). Math.fround is left out only where the double
// result is exactly representable in float32 anyway (marked "exact").
let scC = 0;
let scS = 0;

function lnU(m: number): number {
  const v = 2 * m + 1;
  const c = Math.clz32(v);
  const kk = 31 - c + ((v << c) >>> 0 >= 0xb504f300 ? 1 : 0);
  const f = (v - INT_POW2[kk]) * INV_POW2[kk]; // exact
  const k = kk - 25;
  const z = F(f * f);
  let p = F(F(L8 * f) + L7);
  p = F(F(p * f) + L6);
  p = F(F(p * f) + L5);
  p = F(F(p * f) + L4);
  p = F(F(p * f) + L3);
  p = F(F(p * f) + L2);
  p = F(F(p * f) + L1);
  p = F(F(p * f) + L0);
  const y = F(F(F(z * F(f * p)) + F(k * LN2_LO)) - 0.5 * z); // 0.5 * z exact
  return F(F(y + f) + k * LN2_HI); // k * LN2_HI exact
}

function sincosU(m: number): void {
  const w = m + 0x200000;
  const q = (w >>> 22) & 3;
  const a = ((w & 0x3fffff) - 0x200000 + 0.5) * TWO_M24; // exact
  const g = F(a * 4097);
  const ah = F(g - F(g - a));
  const al = a - ah; // exact (Veltkamp)
  const z = F(a * a);
  const qp = F(Q0 + F(z * F(Q1 + F(z * F(Q2 + F(z * Q3))))));
  const s = F(ah * P1 + F(F(al * P1) + F(a * F(P2 + F(z * qp))))); // ah * P1 exact
  const c = F(1 + F(z * F(C0 + F(z * F(C1 + F(z * F(C2 + F(z * C3))))))));
  // q = 0: (c, s); 1: (-s, c); 2: (-c, -s); 3: (s, -c)
  const odd = q & 1;
  const A = odd ? s : c;
  const B = odd ? c : s;
  scC = q === 1 || q === 2 ? -A : A;
  scS = q >= 2 ? -B : B;
}
