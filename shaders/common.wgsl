// Helpers shared by every troupe kernel. Storage: every element is one 32-bit word (array<u32>);
// float32 is f32 bits, int32 and int64 are i32 bits (int64 is stored in 32 bits on the GPU), bool is
// 0u / 1u. Loads bitcast/convert a word to the kernel's compute type, stores convert back.

// Whether the lane being computed is one of its statement's elements: a fused kernel computes each value
// for all four lanes of its quad and stores only the lanes inside the statement; the checked int64
// operations (int64.wgsl) record an overflow only where this is true (a lane past the end reads
// whatever follows in the buffer, a slab shared with other storages).
var<private> lchk_on: bool = true;

fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
// A NaN made at run time (NaN and inf constants are rejected by WGSL's constant evaluation).
fn nan_from(x: f32) -> f32 { return sqrt(-1.0 - abs(x)); }

// maximum/minimum propagate NaN (as the CPU kernels and PyTorch do); WGSL's max/min leave it undefined.
fn fmax(a: f32, b: f32) -> f32 {
  if (is_nan(a)) { return a; }
  if (is_nan(b)) { return b; }
  return select(b, a, a > b);
}
fn fmin(a: f32, b: f32) -> f32 {
  if (is_nan(a)) { return a; }
  if (is_nan(b)) { return b; }
  return select(b, a, a < b);
}
// sign of 0, -0 and NaN is 0 (PyTorch's); relu keeps NaN.
fn fsign(x: f32) -> f32 { return select(select(0.0, -1.0, x < 0.0), 1.0, x > 0.0); }
// relu is x < 0 ? 0 : x, PyTorch's (and the CPU's): -inf -> 0, -0 -> -0, NaN -> NaN.
fn frelu(x: f32) -> f32 {
  if (x < 0.0 && !is_nan(x)) { return 0.0; }
  return x;
}
// pow with JS Math.pow semantics for negative bases and integer exponents (WGSL's pow is undefined
// for x < 0), exact for the common small exponents.
fn fpow(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (is_nan(a) || is_nan(b)) { return a + b; }
  if (b == 1.0) { return a; }
  if (b == 2.0) { return a * a; }
  if (b == -1.0) { return 1.0 / a; }
  // (x ** 3 is in GELU's tanh form: products round 2-3 times, exp2(b·log2 x) loses |b·log2 x|·2^-24)
  if (b == 3.0) { return (a * a) * a; }
  if (b == 4.0) { let s = a * a; return s * s; }
  if (b == -2.0) { return 1.0 / (a * a); }
  let is_int = floor(b) == b;
  let odd = is_int && abs(b) < 16777216.0 && fract(b * 0.5) != 0.0;
  let m = abs(a);
  var r: f32;
  if (m == 0.0) {
    r = select(1.0 / m, 0.0, b > 0.0); // 1 / 0 = inf, made at run time
  } else if (b == 0.5) {
    r = sqrt(m);
  } else {
    r = exp2(b * log2(m));
  }
  if (a < 0.0 || (a == 0.0 && (bitcast<u32>(a) & 0x80000000u) != 0u)) {
    if (!is_int && m != 0.0) { return nan_from(a); }
    if (odd) { return -r; }
  }
  return r;
}

// Inverse and hyperbolic functions with the CPU's (JS Math's) results outside their domains, where WGSL
// leaves the builtins undefined; sinh and asinh by series near 0, where the builtins' exp/log forms lose
// the relative precision.
// atan by Cephes' atanf (range reduced to |x| <= tan(pi/8), a degree-9 odd polynomial): a few ulp,
// where Vulkan allows the builtin atan and atan2 4096 ulp (lavapipe's asin was off by 2e-4).
fn fatan(x: f32) -> f32 {
  let a = abs(x);
  if (is_nan(x) || a == 0.0) { return x; }
  var y = 0.0; var t = a;
  if (a > 2.414213562373095) { y = 1.5707963267948966; t = -1.0 / a; }
  else if (a > 0.4142135623730950) { y = 0.7853981633974483; t = (a - 1.0) / (a + 1.0); }
  let z = t * t;
  y = y + ((((8.05374449538e-2 * z - 1.38776856032e-1) * z + 1.99777106478e-1) * z - 3.33329491539e-1) * z * t + t);
  return select(y, -y, x < 0.0);
}
fn fasin(x: f32) -> f32 { if (abs(x) > 1.0 || is_nan(x)) { return nan_from(x); } return fatan2(x, sqrt((1.0 - x) * (1.0 + x))); }
fn facos(x: f32) -> f32 { if (abs(x) > 1.0 || is_nan(x)) { return nan_from(x); } return fatan2(sqrt((1.0 - x) * (1.0 + x)), x); }
// acosh: near 1 (t = x - 1 < 0.1, exact) √(2t) times its series in t (the log form's x² - 1 cancels there);
// then log(x + √((x - 1)(x + 1))); past 1e18 log(x) + ln 2 (x² would overflow).
fn facosh(x: f32) -> f32 {
  if (x < 1.0 || is_nan(x)) { return nan_from(x); }
  let t = x - 1.0;
  if (t < 0.1) { return sqrt(2.0 * t) * (1.0 + t * (-1.0 / 12.0 + t * (3.0 / 160.0 + t * (-5.0 / 896.0 + t * (35.0 / 18432.0))))); }
  if (x > 1.0e18) { return flog(x) + 0.69314718055994531; }
  return flog(x + sqrt(t * (x + 1.0)));
}
fn fatanh(x: f32) -> f32 {
  let a = abs(x);
  if (a > 1.0 || is_nan(x)) { return nan_from(x); }
  if (a == 1.0) { return x / (1.0 - a); }
  if (a < 0.25) { let z = x * x; return x * (1.0 + z * (1.0 / 3.0 + z * (1.0 / 5.0 + z * (1.0 / 7.0 + z * (1.0 / 9.0 + z * (1.0 / 11.0 + z / 13.0)))))); }
  return 0.5 * flog((1.0 + x) / (1.0 - x));
}
fn fasinh(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.25) { let z = x * x; return x * (1.0 + z * (-1.0 / 6.0 + z * (3.0 / 40.0 + z * (-15.0 / 336.0 + z * (105.0 / 3456.0 + z * (-945.0 / 42240.0 + z * 10395.0 / 599040.0)))))); }
  if (a > 1.0e18) { return sign(x) * (flog(a) + 0.69314718055994531); }
  return sign(x) * flog(a + sqrt(a * a + 1.0));
}
fn fatan2(y: f32, x: f32) -> f32 {
  if (is_nan(x) || is_nan(y)) { return x + y; }
  let yneg = bitcast<i32>(y) < 0i; let xneg = bitcast<i32>(x) < 0i;
  let pi = 3.14159265358979323846;
  // (y itself where the angle is a zero of y's sign: a -0.0 literal may be folded to 0)
  if (y == 0.0) { return select(y, select(pi, -pi, yneg), xneg); }
  if (x == 0.0) { return select(0.5 * pi, -0.5 * pi, yneg); }
  let xinf = abs(x) > 3.4028234e38; let yinf = abs(y) > 3.4028234e38;
  if (xinf && yinf) { let q = select(0.25 * pi, 0.75 * pi, xneg); return select(q, -q, yneg); }
  if (xinf) { return select(y * 0.0, select(pi, -pi, yneg), xneg); }
  if (yinf) { return select(0.5 * pi, -0.5 * pi, yneg); }
  // atan of the smaller ratio (|r| <= 1), then the quadrant
  var r: f32;
  if (abs(y) <= abs(x)) { r = fatan(y / x); if (xneg) { r = select(r + pi, r - pi, yneg); } }
  else { r = select(0.5 * pi, -0.5 * pi, yneg) - fatan(x / y); }
  return r;
}
// C's fmod (the dividend's sign): x - trunc(x / y)·y, exact while the quotient fits a float's 24 bits.
fn ffmod(x: f32, y: f32) -> f32 {
  if (y == 0.0 || is_nan(x) || is_nan(y) || abs(x) > 3.0e38) { return nan_from(x); }
  if (abs(y) > 3.0e38) { return x; }
  return x - trunc(x / y) * y;
}
// Python's % (the divisor's sign).
fn fremainder(x: f32, y: f32) -> f32 {
  let m = ffmod(x, y);
  if (m != 0.0 && ((m < 0.0) != (y < 0.0))) { return m + y; }
  return m;
}
fn iremainder(x: i32, y: i32) -> i32 {
  if (y == 0i) { return 0i; }
  let m = x % y;
  if (m != 0i && ((m < 0i) != (y < 0i))) { return m + y; }
  return m;
}

// Shifts as PyTorch 2 defines them: a left shift outside [0, 32) gives 0, a right shift (arithmetic)
// outside [0, 31) the sign's fill. int64 is held in 32 bits here, so its right shifts are these too; its
// left shifts are int64.wgsl's lchk_shl.
fn ishl(x: i32, y: i32) -> i32 {
  if (y < 0i || y >= 32i) { return 0i; }
  return bitcast<i32>(bitcast<u32>(x) << u32(y));
}
fn ishr(x: i32, y: i32) -> i32 {
  if (y < 0i || y >= 31i) { return x >> 31u; }
  return x >> u32(y);
}

// ---- exp, log, sin, cos, tanh to a few ulp everywhere --------------------------------------------------
// Vulkan lets a driver's f32 builtins be loose: exp to 3 + 2·|x| ulp, log to an absolute 2^-21 on
// [0.5, 2] (relative error unbounded near 1), sin and cos to an absolute 2^-11 on [-π, π] and nothing
// outside it. NVIDIA's sin(251) was 1.3e-5 off (a gradient test failed on an H200). These follow Cephes'
// expf/logf/sinf/cosf/tanhf (range reduction by split constants, then a short polynomial), with
// Payne–Hanek reduction (2/π to 224 bits, integer products) for sin and cos of |x| >= 8192, so the GPU
// gives the CPU's (JS Math's, rounded to f32) values to a few ulp whatever the driver's builtins do.

// 2^k·y for integer k in [-300, 300]: WGSL's ldexp is defined for exponents within the f32 range only.
fn fscale(y: f32, k: i32) -> f32 { let h = k / 2i; return ldexp(ldexp(y, h), k - h); }

// e^x·2^s for x in [-104, 89.5] (no checks): the scaling is exact, so sinh and cosh near their overflow
// need not form e^x (an H200 gave inf for sinh(88.8) computed as (0.5·e^(x/2))·e^(x/2)).
fn fexp_scaled(x: f32, s: i32) -> f32 {
  let k = round(x * 1.44269504088896341);
  let r = (x - k * 0.693359375) + k * 2.12194440e-4;
  let z = r * r;
  let p = (((((1.9875691500e-4 * r + 1.3981999507e-3) * r + 8.3334519073e-3) * r + 4.1665795894e-2) * r
    + 1.6666665459e-1) * r + 5.0000001201e-1) * z + r + 1.0;
  return fscale(p, i32(k) + s);
}
// 2^x as 2^n·e^(f·ln 2) with n = round(x) and f = x - n (exact, |f| <= ½): exact at integers, as the CPU's
// Math.pow(2, x); the driver's exp2 may be 2-3 ulp off (Vulkan allows 3 + 2·|x|).
fn fexp2(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (x >= 128.0) { return x * 3.0e38; } // +inf, made at run time
  if (x < -150.0) { return 0.0; }
  let n = round(x);
  return fexp_scaled((x - n) * 0.693147180559945309, i32(n));
}
fn fexp(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (x > 88.72283935546875) { return x * 3.0e38; } // +inf, made at run time
  if (x < -103.97208) { return 0.0; }
  return fexp_scaled(x, 0i);
}

// log(x) as e·ln 2 + log(m), m in [√½, √2): returns (e, log m) for finite x > 0.
fn flog_parts(x: f32) -> vec2<f32> {
  let fr = frexp(x);
  var m = fr.fract; var e = fr.exp;
  if (m < 0.70710678118654752) { e = e - 1i; m = m + m - 1.0; } else { m = m - 1.0; }
  let z = m * m;
  var y = ((((((((7.0376836292e-2 * m - 1.1514610310e-1) * m + 1.1676998740e-1) * m - 1.2420140846e-1) * m
    + 1.4249322787e-1) * m - 1.6668057665e-1) * m + 2.0000714765e-1) * m - 2.4999993993e-1) * m
    + 3.3333331174e-1) * m * z;
  y = y - 0.5 * z;
  return vec2<f32>(f32(e), m + y);
}
// NaN for x < 0 and NaN, -inf at 0, +inf at +inf (JS Math's).
fn flog_special(x: f32) -> f32 {
  if (x == 0.0) { return -1.0 / abs(x); }
  if (x > 0.0) { return x; }
  return nan_from(x);
}
fn flog(x: f32) -> f32 {
  if (!(x > 0.0) || x > 3.4028234e38) { return flog_special(x); }
  let p = flog_parts(x);
  return (p.y + p.x * -2.12194440e-4) + p.x * 0.693359375;
}
// log2 exact at powers of two, as the CPU's Math.log2.
fn flog2(x: f32) -> f32 {
  if (!(x > 0.0) || x > 3.4028234e38) { return flog_special(x); }
  let p = flog_parts(x);
  return p.x + p.y * 1.44269504088896341;
}
fn fsigmoid(x: f32) -> f32 { return 1.0 / (fexp(-x) + 1.0); }
fn ftanh(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  if (a < 0.625) {
    let z = x * x;
    return ((((-5.70498872745e-3 * z + 2.06390887954e-2) * z - 5.37397155531e-2) * z + 1.33314422036e-1) * z
      - 3.33332819422e-1) * z * x + x;
  }
  if (a > 9.1) { return sign(x); }
  let t = 1.0 - 2.0 / (fexp(2.0 * a) + 1.0);
  return select(t, -t, x < 0.0);
}
// sinh and cosh of |x| > 9 as exp(|x|)/2 (exp(-|x|) is below half an ulp), finite up to 89.4.
fn fsinh(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.5) { let z = x * x; return x * (1.0 + z * (1.0 / 6.0 + z * (1.0 / 120.0 + z * (1.0 / 5040.0 + z * (1.0 / 362880.0 + z / 39916800.0))))); }
  if (is_nan(x)) { return x; }
  var r: f32;
  if (a > 89.41598629223294) { r = a * 3.0e38; } else if (a > 9.0) { r = fexp_scaled(a, -1i); } else { let e = fexp(a); r = 0.5 * (e - 1.0 / e); }
  return select(r, -r, x < 0.0);
}
fn fcosh(x: f32) -> f32 {
  let a = abs(x);
  if (is_nan(x)) { return x; }
  if (a > 89.41598629223294) { return a * 3.0e38; }
  if (a > 9.0) { return fexp_scaled(a, -1i); }
  let e = fexp(a);
  return 0.5 * (e + 1.0 / e);
}

// (lo, hi) words of the 64-bit product a·b.
fn mul_wide(a: u32, b: u32) -> vec2<u32> {
  let a0 = a & 0xffffu; let a1 = a >> 16u; let b0 = b & 0xffffu; let b1 = b >> 16u;
  let p00 = a0 * b0; let p01 = a0 * b1; let p10 = a1 * b0; let p11 = a1 * b1;
  let mid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  return vec2<u32>((p00 & 0xffffu) | (mid << 16u), p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u));
}
// |x| (finite) = n·π/2 + r, |r| <= π/4: returns (r, n mod 4 as f32).
fn ftrig_reduce(a: f32) -> vec2<f32> {
  if (a < 8192.0) {
    // Cody–Waite: q has at most 13 bits, so q times the first two parts of π/2 (8 and 11 bits) is exact.
    let q = round(a * 0.636619772367581343);
    let r = ((a - q * 1.5703125) - q * 4.837512969970703125e-4) - q * 7.54978995489188216e-8;
    return vec2<f32>(r, f32(u32(q) & 3u));
  }
  // Payne–Hanek: a = ia·2^s with a 24-bit integer ia; a·2/π mod 4 is ia times the 96 bits of 2/π that
  // start c = s - 2 bits after the point (the bits before only add multiples of 4), low 96 bits kept.
  var t = array<u32, 8>(0u, 0xa2f9836eu, 0x4e441529u, 0xfc2757d1u, 0xf534ddc0u, 0xdb629599u, 0x3c439041u, 0xfe5163abu);
  let bits = bitcast<u32>(a);
  let ia = (bits & 0x7fffffu) | 0x800000u;
  let c = i32(bits >> 23u) - 152i;
  let j = (c >> 5u) + 1i; // t's index of the word holding bit c + 1 (t[0] is the zeros before the point)
  let sh = u32(c & 31i);
  var w: array<u32, 3>;
  for (var i = 0i; i < 3i; i = i + 1i) {
    w[i] = (t[j + i] << sh) | select(t[j + i + 1i] >> (32u - sh), 0u, sh == 0u);
  }
  let p2 = mul_wide(ia, w[2]); let p1 = mul_wide(ia, w[1]);
  let r2 = p2.x;
  let r1 = p1.x + p2.y;
  let r0 = ia * w[0] + p1.y + select(0u, 1u, r1 < p1.x);
  // r0's top 2 bits are the quadrant, the 94 bits after them the fraction (64 kept, as hi.lo)
  var n = r0 >> 30u;
  var hi = (r0 << 2u) | (r1 >> 30u);
  var lo = (r1 << 2u) | (r2 >> 30u);
  var neg = false;
  if (hi >= 0x80000000u) { // fraction >= 1/2: the next quadrant, minus (1 - fraction)
    n = n + 1u; neg = true;
    lo = ~lo + 1u; hi = ~hi + select(0u, 1u, lo == 0u);
  }
  let f = f32(hi) * 2.3283064365386963e-10 + f32(lo) * 5.421010862427522e-20;
  let r = f * 1.57079632679489662;
  return vec2<f32>(select(r, -r, neg), f32(n & 3u));
}
fn fsin_poly(r: f32) -> f32 { let z = r * r; return ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * r + r; }
fn fcos_poly(r: f32) -> f32 { let z = r * r; return ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0; }
fn fsin(x: f32) -> f32 {
  if (is_nan(x) || abs(x) > 3.4028234e38) { return nan_from(x); }
  if (abs(x) < 1.0e-4) { return x; } // (sin x = x to within 2e-9 relative; keeps -0 and subnormals)
  let rq = ftrig_reduce(abs(x));
  let q = u32(rq.y);
  var s = select(fsin_poly(rq.x), fcos_poly(rq.x), (q & 1u) == 1u);
  if (q >= 2u) { s = -s; }
  return select(s, -s, x < 0.0);
}
fn fcos(x: f32) -> f32 {
  if (is_nan(x) || abs(x) > 3.4028234e38) { return nan_from(x); }
  let rq = ftrig_reduce(abs(x));
  let q = u32(rq.y);
  var c = select(fcos_poly(rq.x), fsin_poly(rq.x), (q & 1u) == 1u);
  if (q == 1u || q == 2u) { c = -c; }
  return c;
}

// ---- the regularized incomplete gamma functions P(a, x), Q(a, x) in f32, after the CPU's specfun.ts ------
// (Cephes' igam.c: P's power series, Q's continued fraction and Q's series in x; the prefactor
// x^a·e^-x/Γ(a) from log1p and Stirling's series near x = a.) A few 1e-6 relative where P or Q is not
// tiny; float32 exponents of size E lose E·2^-24 (as any float32 evaluation).
fn fstirling_tail(z: f32) -> f32 {
  let r = 1.0 / z; let r2 = r * r;
  return r * (0.0833333333 + r2 * (-0.00277777778 + r2 * (0.000793650794 + r2 * -0.000595238095)));
}
// lgamma(z) for z > 0: shifted up to z >= 8, then Stirling's series.
fn flgamma_pos(z0: f32) -> f32 {
  var z = z0; var shift = 1.0;
  for (var i = 0; i < 8 && z < 8.0; i = i + 1) { shift = shift * z; z = z + 1.0; }
  return ((z - 0.5) * flog(z) - z + 0.918938533204672742 + fstirling_tail(z)) - flog(shift);
}
// lgamma(1 + a), by its series −γa + Σ (−1)^k ζ(k)/k·a^k for |a| < 0.2 (lgamma's shifted form cancels
// there: an absolute 1e-6 against a value of −0.58·a).
fn flgamma1p(a: f32) -> f32 {
  if (abs(a) >= 0.2) { return flgamma_pos(1.0 + a); }
  return a * (-0.577215665 + a * (0.822467033 + a * (-0.400685634 + a * (0.270580808 + a * (-0.207385551
    + a * (0.169557177 + a * (-0.144049897 + a * (0.125509669 + a * -0.111334266))))))));
}
fn flog1pmx(d: f32) -> f32 {
  if (abs(d) >= 0.5) { return flog(1.0 + d) - d; }
  var t = d; var s = 0.0;
  for (var k = 2; k < 60; k = k + 1) {
    t = t * -d;
    let term = t / f32(k);
    s = s + term;
    if (abs(term) <= 5.96e-8 * abs(s)) { break; }
  }
  return s;
}
fn figam_fac(a: f32, x: f32) -> f32 {
  if (a < 10.0 || abs(x - a) > 0.4 * a) { return fexp(a * flog(x) - x - flgamma_pos(a)); }
  return fexp(a * flog1pmx((x - a) / a) + 0.5 * flog(a) - 0.918938533204672742 - fstirling_tail(a));
}
fn figam_series(a: f32, x: f32) -> f32 {
  let ax = figam_fac(a, x);
  if (ax == 0.0) { return 0.0; }
  var r = a; var c = 1.0; var ans = 1.0;
  for (var i = 0; i < 4000; i = i + 1) {
    r = r + 1.0; c = c * x / r; ans = ans + c;
    if (c <= 5.96e-8 * ans) { break; }
  }
  return ans * ax / a;
}
fn figamc_series(a: f32, x: f32) -> f32 {
  var fac = 1.0; var sum = 0.0;
  for (var n = 1; n < 4000; n = n + 1) {
    fac = fac * -x / f32(n);
    let term = fac / (a + f32(n));
    sum = sum + term;
    if (abs(term) <= 5.96e-8 * abs(sum)) { break; }
  }
  let logx = flog(x);
  // 1 - x^a/Γ(a + 1) - x^a/Γ(a)·sum, with x^a/Γ(a + 1) = e^u formed as e^u - 1 near u = 0
  let u = a * logx - flgamma1p(a);
  var em1: f32;
  if (abs(u) < 0.25) { em1 = u * (1.0 + u * (0.5 + u * (0.166666667 + u * (0.0416666667 + u * (0.00833333333 + u * 0.00138888889))))); } else { em1 = fexp(u) - 1.0; }
  return -em1 - fexp(a * logx - (flgamma1p(a) - flog(a))) * sum;
}
fn figamc_fraction(a: f32, x: f32) -> f32 {
  let ax = figam_fac(a, x);
  if (ax == 0.0) { return 0.0; }
  var y = 1.0 - a; var z = x + y + 1.0; var c = 0.0;
  var pkm2 = 1.0; var qkm2 = x; var pkm1 = x + 1.0; var qkm1 = z * x;
  var ans = pkm1 / qkm1;
  for (var i = 0; i < 4000; i = i + 1) {
    c = c + 1.0; y = y + 1.0; z = z + 2.0;
    let yc = y * c;
    let pk = pkm1 * z - pkm2 * yc; let qk = qkm1 * z - qkm2 * yc;
    var t = 1.0;
    if (qk != 0.0) { let r = pk / qk; t = abs((ans - r) / r); ans = r; }
    if (t <= 5.96e-8) { break; }
    pkm2 = pkm1; pkm1 = pk; qkm2 = qkm1; qkm1 = qk;
    if (abs(pk) > 4294967296.0) { pkm2 = pkm2 * 2.3283064e-10; pkm1 = pkm1 * 2.3283064e-10; qkm2 = qkm2 * 2.3283064e-10; qkm1 = qkm1 * 2.3283064e-10; }
  }
  return ans * ax;
}
// Special values as PyTorch's (and the CPU's): NaN for a < 0 or x < 0 (or NaN); P(0, x > 0) = 1;
// P(a, 0) = 0; P(inf, finite x) = 0; P(a, inf) = 1.
fn figammac(a: f32, x: f32) -> f32 {
  if (!(x >= 0.0) || !(a >= 0.0)) { return nan_from(a + x); }
  if (a == 0.0) { if (x > 0.0) { return 0.0; } return nan_from(a); }
  if (x == 0.0) { return 1.0; }
  if (a > 3.4028234e38) { if (x > 3.4028234e38) { return nan_from(a); } return 1.0; }
  if (x > 3.4028234e38) { return 0.0; }
  if (x > 1.1) { if (x < a) { return 1.0 - figam_series(a, x); } return figamc_fraction(a, x); }
  if (x <= 0.5) { if (-0.4 / flog(x) < a) { return 1.0 - figam_series(a, x); } return figamc_series(a, x); }
  if (x * 1.1 < a) { return 1.0 - figam_series(a, x); }
  return figamc_series(a, x);
}
fn figamma(a: f32, x: f32) -> f32 {
  if (!(x >= 0.0) || !(a >= 0.0)) { return nan_from(a + x); }
  if (a == 0.0) { if (x > 0.0) { return 1.0; } return nan_from(a); }
  if (x == 0.0) { return 0.0; }
  if (a > 3.4028234e38) { if (x > 3.4028234e38) { return nan_from(a); } return 0.0; }
  if (x > 3.4028234e38) { return 1.0; }
  if (x > 1.0 && x > a) { return 1.0 - figammac(a, x); }
  return figam_series(a, x);
}

// The Hurwitz zeta function ζ(x, q) in f32, after Cephes' zeta.c (the CPU's specfun.ts): terms until
// k + q > 9, then Euler–Maclaurin's tail with (2k)!/B_2k; inf at x = 1 and q a non-positive integer,
// NaN for x < 1 and for q < 0 with x not an integer.
fn fzeta_pow(a: f32, x: f32) -> f32 {
  // a^-x for a > 0; a < 0 only with an integer x (the sign from its parity)
  let m = fexp(-x * flog(abs(a)));
  if (a < 0.0 && fract(x * 0.5) != 0.0) { return -m; }
  return m;
}
fn fzeta(x: f32, q: f32) -> f32 {
  if (is_nan(x) || is_nan(q)) { return x + q; }
  if (x == 1.0) { return 1.0 / (q - q + 0.0 * x); } // +inf, made at run time
  if (x < 1.0) { return nan_from(x); }
  if (q <= 0.0) {
    if (q == floor(q)) { return 1.0 / (0.0 * x); }
    if (x != floor(x)) { return nan_from(x); }
  }
  if (q > 1.0e8) { return (1.0 / (x - 1.0) + 1.0 / (2.0 * q)) * fexp((1.0 - x) * flog(q)); }
  var s = fzeta_pow(q, x); var a = q; var b = 0.0; var i = 0;
  loop {
    if (!(i < 9 || a <= 9.0)) { break; }
    i = i + 1; a = a + 1.0;
    b = fzeta_pow(a, x);
    s = s + b;
    if (abs(b / s) < 5.96e-8) { return s; }
  }
  let w = a;
  s = s + b * w / (x - 1.0);
  s = s - 0.5 * b;
  var c = 1.0; var k = 0.0;
  var A = array<f32, 8>(12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803e9, 7.47242496e10, -2.9501307279e12);
  for (var j = 0; j < 8; j = j + 1) {
    c = c * (x + k); b = b / w;
    let t = c * b / A[j];
    s = s + t;
    if (abs(t / s) < 5.96e-8) { break; }
    k = k + 1.0; c = c * (x + k); b = b / w; k = k + 1.0;
  }
  return s;
}
// The f32 after x toward y (C's nextafterf): y when equal, NaN with a NaN, ±the least subnormal from 0.
fn fnextafter(x: f32, y: f32) -> f32 {
  if (is_nan(x) || is_nan(y)) { return x + y; }
  if (x == y) { return y; }
  if (x == 0.0) { return select(bitcast<f32>(0x80000001u), bitcast<f32>(1u), y > 0.0); }
  let up = (y > x) == (x > 0.0);
  return bitcast<f32>(select(bitcast<u32>(x) - 1u, bitcast<u32>(x) + 1u, up));
}
