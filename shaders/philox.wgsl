// Philox4x32-10 exactly as Random123 (and src/backends/cpu/philox.ts): element i of a random fill
// depends only on (seed, stream, i). key = (seed mod 2^32, floor(seed / 2^32)); block j (elements
// 4j..4j+3) uses counter (j mod 2^32, floor(j / 2^32), stream, 0).

const PHILOX_M0: u32 = 0xD2511F53u;
const PHILOX_M1: u32 = 0xCD9E8D57u;
const PHILOX_W0: u32 = 0x9E3779B9u;
const PHILOX_W1: u32 = 0xBB67AE85u;

// (hi, lo) of the 64-bit product a * b, from 16-bit halves (WGSL has no 64-bit integers).
fn mulhilo(a: u32, b: u32) -> vec2<u32> {
  let a0 = a & 0xffffu; let a1 = a >> 16u;
  let b0 = b & 0xffffu; let b1 = b >> 16u;
  let ll = a0 * b0; let lh = a0 * b1; let hl = a1 * b0; let hh = a1 * b1;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  let hi = hh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
  return vec2<u32>(hi, a * b);
}

fn philox4x32_10(ctr: vec4<u32>, key0: vec2<u32>) -> vec4<u32> {
  var c = ctr;
  var k = key0;
  for (var r = 0u; r < 10u; r = r + 1u) {
    if (r > 0u) { k = k + vec2<u32>(PHILOX_W0, PHILOX_W1); }
    let p0 = mulhilo(PHILOX_M0, c.x);
    let p1 = mulhilo(PHILOX_M1, c.z);
    c = vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
  }
  return c;
}

// uniform in [0, 1): the top 24 bits times 2^-24 (exact in f32).
fn philox_uniform(x: u32) -> f32 { return f32(x >> 8u) * 5.9604644775390625e-8; }

// ---- normal: Box–Muller with the float32 ln / sincos of src/backends/cpu/philox.ts, step for step
// (one f32 operation per step, same constants as bit patterns).
//
// Shader compilers may contract a * b + c into one fma (NVIDIA's does; WGSL cannot forbid it), which
// rounds once instead of twice and moves results by an ulp or more against the CPU. rn() stops that:
// min() with a value the compiler cannot know (+inf, read from the metadata by the kernel) sits between
// every product and the add that consumes it.
var<private> rng_inf: f32;
fn rn(x: f32) -> f32 { return min(x, rng_inf); }

// LN_U(m) = ln((m + 0.5) * 2^-24) for 0 <= m < 2^24.
fn ln_u24(m: u32) -> f32 {
  let v = 2u * m + 1u;
  let c = countLeadingZeros(v);
  let kk = 31u - c + select(0u, 1u, (v << c) >= 0xB504F300u);
  let f = f32(i32(v) - i32(1u << kk)) * bitcast<f32>((127u - kk) << 23u);
  let k = f32(i32(kk) - 25);
  let z = f * f;
  var p = bitcast<f32>(0x3D8A3D0Cu);             // L8
  p = rn(p * f) + bitcast<f32>(0xBDEF06BBu);     // L7
  p = rn(p * f) + bitcast<f32>(0x3DF361B3u);     // L6
  p = rn(p * f) + bitcast<f32>(0xBDFE13C2u);     // L5
  p = rn(p * f) + bitcast<f32>(0x3E119DB1u);     // L4
  p = rn(p * f) + bitcast<f32>(0xBE2AAE24u);     // L3
  p = rn(p * f) + bitcast<f32>(0x3E4CD23Cu);     // L2
  p = rn(p * f) + bitcast<f32>(0xBE800003u);     // L1
  p = rn(p * f) + bitcast<f32>(0x3EAAAAA4u);     // L0
  let y = (rn(z * (f * p)) + rn(k * bitcast<f32>(0x35BFBE8Eu))) - rn(0.5 * z);   // LN2_LO
  return (y + f) + rn(k * bitcast<f32>(0x3F317200u));                           // LN2_HI
}

// SINCOS_U(m) = (cos, sin) of 2π (m + 0.5) * 2^-24 for 0 <= m < 2^24.
fn sincos_u24(m: u32) -> vec2<f32> {
  let w = m + 0x200000u;
  let q = (w >> 22u) & 3u;
  let a = (f32(i32(w & 0x3FFFFFu) - 0x200000) + 0.5) * 5.9604644775390625e-8;
  // Veltkamp split a = ah + al (12 + 12 bits), done on the bits so that no shader compiler's
  // algebraic simplification of g - (g - a), g = a * 4097, can undo it. Rounding the low 12 mantissa
  // bits to nearest-even gives exactly Veltkamp's ah for every one of the 2^24 inputs (checked
  // exhaustively against the CPU's g - (g - a)).
  let ab = bitcast<u32>(a);
  let low = ab & 0xFFFu;
  var hb = ab & 0xFFFFF000u;
  if (low > 0x800u || (low == 0x800u && (hb & 0x1000u) != 0u)) { hb = hb + 0x1000u; }
  let ah = bitcast<f32>(hb);
  let al = a - ah;
  let z = a * a;
  let qp = bitcast<f32>(0xC2255DE7u) + rn(z * (bitcast<f32>(0x42A335BCu) + rn(z * (bitcast<f32>(0xC29956D3u) + rn(z * bitcast<f32>(0x42221C0Du))))));
  let P1 = bitcast<f32>(0x40C91000u);                  // 6.283203125 = 2π to 12 bits
  let s = rn(ah * P1) + (rn(al * P1) + rn(a * (bitcast<f32>(0xB795777Au) + rn(z * qp))));
  let c = 1.0 + rn(z * (bitcast<f32>(0xC19DE9E6u) + rn(z * (bitcast<f32>(0x4281E0D8u) + rn(z * (bitcast<f32>(0xC2AAD95Bu) + rn(z * bitcast<f32>(0x426A7BF7u))))))));
  let odd = (q & 1u) == 1u;
  let A = select(c, s, odd);
  let B = select(s, c, odd);
  return vec2<f32>(select(A, -A, q == 1u || q == 2u), select(B, -B, q >= 2u));
}

// Is y (positive, normal) above (dir = 1) / below (dir = 0) the square of the midpoint between t and
// its upper / lower neighbour? Exact, in integers: the midpoint is K * 2^E with K odd, and y = My * 2^Ey,
// so compare K^2 (64 bits through mulhilo) with My * 2^(Ey - 2E).
fn beyond_mid(y: f32, t: f32, up: bool) -> bool {
  let tb = bitcast<u32>(t);
  let mt = (tb & 0x7FFFFFu) | 0x800000u;
  let et = i32((tb >> 23u) & 0xFFu) - 150;
  var k: u32; var e: i32;
  if (up) { k = 2u * mt + 1u; e = et - 1; }
  else if ((tb & 0x7FFFFFu) == 0u) { k = 4u * mt - 1u; e = et - 2; }   // t = 2^n: the ulp below is half
  else { k = 2u * mt - 1u; e = et - 1; }
  let kk = mulhilo(k, k);                       // (hi, lo) of K^2
  let yb = bitcast<u32>(y);
  let my = (yb & 0x7FFFFFu) | 0x800000u;
  let d = i32((yb >> 23u) & 0xFFu) - 150 - 2 * e;
  if (d < 0 || d > 40) { return up == (d > 40); } // never for t within a few ulp of sqrt(y)
  let du = u32(d);
  var yh = 0u; var yl = my;
  if (du >= 32u) { yh = my << (du - 32u); yl = 0u; } else if (du > 0u) { yh = my >> (32u - du); yl = my << du; }
  if (up) { return yh > kk.x || (yh == kk.x && yl > kk.y); }
  return yh < kk.x || (yh == kk.x && yl < kk.y);
}

// Correctly rounded sqrt of a positive normal y (the CPU's Math.sqrt then fround is; a GPU's sqrt may
// be an ulp or two off, as NVIDIA's is): fix the builtin's answer by exact midpoint tests.
fn sqrt_rn(y: f32) -> f32 { return fix_sqrt(y, sqrt(y)); }
fn fix_sqrt(y: f32, t0: f32) -> f32 {
  var t = t0;
  for (var i = 0; i < 4; i = i + 1) {
    if (beyond_mid(y, t, true)) { t = bitcast<f32>(bitcast<u32>(t) + 1u); }
    else if (beyond_mid(y, t, false)) { t = bitcast<f32>(bitcast<u32>(t) - 1u); }
    else { break; }
  }
  return t;
}

// Elements 4j, 4j+1 from (x0, x1) and 4j+2, 4j+3 from (x2, x3). rng_inf must hold +inf.
fn philox_normal4(x: vec4<u32>) -> vec4<f32> {
  let r0 = sqrt_rn(-2.0 * ln_u24(x.x >> 8u));
  let cs0 = sincos_u24(x.y >> 8u);
  let r2 = sqrt_rn(-2.0 * ln_u24(x.z >> 8u));
  let cs2 = sincos_u24(x.w >> 8u);
  return vec4<f32>(r0 * cs0.x, r0 * cs0.y, r2 * cs2.x, r2 * cs2.y);
}
