/**
 * Scalar special functions for the CPU kernels, in float64: the regularized incomplete gamma functions
 * P(a, x) (igamma) and Q(a, x) = 1 − P (igammac), after Cephes' igam.c as SciPy and PyTorch use it:
 * P's power series where x < a + 1 (or x ≤ 1), Q's continued fraction where x > a and x > 1.1, and
 * Q's series in x for small x. PyTorch switches to Temme's uniform asymptotic expansion where a > 20
 * and x is near a; here the series and the continued fraction run there too (they converge in about
 * √(a·ln(1/ε)) terms: at most 10000, so for a up to ~1e6 within a few ulp), and the prefactor
 * x^a·e^−x/Γ(a) is formed from log1p and Stirling's series where a ≥ 10 and x is within 40% of a, so it
 * keeps its precision where a·log x and lgamma(a) nearly cancel. (PyTorch 1.13's asymptotic expansion
 * was 7e-10 off at a = x = 26.53, against mpmath; this is within 1e-15 there.) Special values as PyTorch's: NaN for a < 0 or x < 0;
 * P(0, x > 0) = 1; P(a, 0) = 0; P(inf, x) = 0 (x finite); P(a, inf) = 1.
 */
const MACHEP = 1.11022302462515654042e-16;
const BIG = 4503599627370496.0;
const BIGINV = 2.22044604925031308085e-16;
const MAXITER = 10000;
const EULER = 0.5772156649015329;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** (−1)^k (ζ(k) − 1)/k for k = 2 … 30: lgamma(2 + t) = (1 − γ)t + Σ c_k t^k (also the frontend's lgamma's
 * series, src/distributions-extra.ts). Made on first use: ζ(k) − 1 = Σ_{n ≥ 2} n^−k, 2 … N−1 summed, the
 * rest by Euler–Maclaurin. */
let taylor2: number[] | null = null;
export function taylorCoeffs(): number[] {
  if (taylor2) return taylor2;
  const c: number[] = [];
  for (let k = 2; k <= 30; k++) {
    const N = 64;
    let s = 0;
    for (let n = N - 1; n >= 2; n--) s += n ** -k;
    s += N ** (1 - k) / (k - 1) + 0.5 * N ** -k + (k * N ** (-k - 1)) / 12 - (k * (k + 1) * (k + 2) * N ** (-k - 3)) / 720;
    c.push(((k % 2 === 0 ? 1 : -1) * s) / k);
  }
  return (taylor2 = c);
}
/** lgamma(2 + t) for |t| ≤ 0.5, by its Taylor series about 2. */
function lgamma2p(t: number): number {
  const c = taylorCoeffs();
  let r = c[c.length - 1];
  for (let i = c.length - 2; i >= 0; i--) r = r * t + c[i];
  return t * (r * t + (1 - EULER));
}
/** Stirling's correction: lgamma(z) − ((z − ½)log z − z + ½ log 2π), for z ≥ 8 (< 1e-15 off there). */
function stirlingTail(z: number): number {
  const r = 1 / z, r2 = r * r;
  return r * (1 / 12 + r2 * (-1 / 360 + r2 * (1 / 1260 + r2 * (-1 / 1680 + r2 * (1 / 1188 + r2 * (-691 / 360360 + r2 * (1 / 156)))))));
}
/** ln Γ(z) for z > 0 (inf at 0): shifts into [1.5, 2.5) and the Taylor series there, or Stirling's for z ≥ 8. */
export function lgamma(z: number): number {
  if (z === 0) return Infinity;
  if (z === Infinity) return Infinity;
  if (z >= 8) return (z - 0.5) * Math.log(z) - z + HALF_LOG_2PI + stirlingTail(z);
  let shift = 1;
  while (z < 1.5) { shift *= z; z += 1; }
  while (z >= 2.5) { z -= 1; shift /= z; }
  return lgamma2p(z - 2) - Math.log(shift);
}
/** ln Γ(1 + a) for |a| ≤ ½ without losing a's relative precision: lgamma(2 + a) − log1p(a). */
function lgamma1p(a: number): number {
  return Math.abs(a) <= 0.5 ? lgamma2p(a) - Math.log1p(a) : lgamma(1 + a);
}
/** log(1 + d) − d, exact-ish for small d (its series), log1p(d) − d otherwise. */
function log1pmx(d: number): number {
  if (Math.abs(d) >= 0.5) return Math.log1p(d) - d;
  let t = d, s = 0;
  for (let k = 2; k < 100; k++) {
    t *= -d;
    const term = t / k;
    s += term;
    if (Math.abs(term) <= MACHEP * Math.abs(s)) break;
  }
  return s;
}
/** x^a·e^−x / Γ(a). */
function igamFac(a: number, x: number): number {
  if (a < 10 || Math.abs(x - a) > 0.4 * a) return Math.exp(a * Math.log(x) - x - lgamma(a));
  // near x = a, where a·log x and lgamma(a) nearly cancel:
  // a·log x − x − lgamma(a) = a·log1pmx((x − a)/a) + ½ log(a / 2π) − Stirling's tail
  return Math.exp(a * log1pmx((x - a) / a) + 0.5 * Math.log(a) - HALF_LOG_2PI - stirlingTail(a));
}
/** P(a, x) by its power series (x < a + 1, or x small). */
function igamSeries(a: number, x: number): number {
  const ax = igamFac(a, x);
  if (ax === 0) return 0;
  let r = a, c = 1, ans = 1;
  for (let i = 0; i < MAXITER; i++) {
    r += 1;
    c *= x / r;
    ans += c;
    if (c <= MACHEP * ans) break;
  }
  return (ans * ax) / a;
}
/** Q(a, x) by the series in x (small x): 1 − x^a/Γ(a + 1) · (1 + a·Σ (−x)^n / (n!(a + n))). */
function igamcSeries(a: number, x: number): number {
  let fac = 1, sum = 0;
  for (let n = 1; n < MAXITER; n++) {
    fac *= -x / n;
    const term = fac / (a + n);
    sum += term;
    if (Math.abs(term) <= MACHEP * Math.abs(sum)) break;
  }
  const logx = Math.log(x);
  return -Math.expm1(a * logx - lgamma1p(a)) - Math.exp(a * logx - lgamma(a)) * sum;
}
/** Q(a, x) by its continued fraction (x > a, x > 1.1). */
function igamcFraction(a: number, x: number): number {
  const ax = igamFac(a, x);
  if (ax === 0) return 0;
  let y = 1 - a, z = x + y + 1, c = 0;
  let pkm2 = 1, qkm2 = x, pkm1 = x + 1, qkm1 = z * x;
  let ans = pkm1 / qkm1;
  for (let i = 0; i < MAXITER; i++) {
    c += 1; y += 1; z += 2;
    const yc = y * c;
    const pk = pkm1 * z - pkm2 * yc, qk = qkm1 * z - qkm2 * yc;
    let t = 1;
    if (qk !== 0) { const r = pk / qk; t = Math.abs((ans - r) / r); ans = r; }
    if (t <= MACHEP) break;
    pkm2 = pkm1; pkm1 = pk; qkm2 = qkm1; qkm1 = qk;
    if (Math.abs(pk) > BIG) { pkm2 *= BIGINV; pkm1 *= BIGINV; qkm2 *= BIGINV; qkm1 *= BIGINV; }
  }
  return ans * ax;
}

/** The regularized lower incomplete gamma function P(a, x) (torch.special.gammainc). */
export function igamma(a: number, x: number): number {
  if (!(x >= 0) || !(a >= 0)) return NaN;
  if (a === 0) return x > 0 ? 1 : NaN;
  if (x === 0) return 0;
  if (a === Infinity) return x === Infinity ? NaN : 0;
  if (x === Infinity) return 1;
  if (x > 1 && x > a) return 1 - igammac(a, x);
  return igamSeries(a, x);
}
/** The regularized upper incomplete gamma function Q(a, x) = 1 − P(a, x) (torch.special.gammaincc). */
export function igammac(a: number, x: number): number {
  if (!(x >= 0) || !(a >= 0)) return NaN;
  if (a === 0) return x > 0 ? 0 : NaN;
  if (x === 0) return 1;
  if (a === Infinity) return x === Infinity ? NaN : 1;
  if (x === Infinity) return 0;
  if (x > 1.1) return x < a ? 1 - igamSeries(a, x) : igamcFraction(a, x);
  if (x <= 0.5) return -0.4 / Math.log(x) < a ? 1 - igamSeries(a, x) : igamcSeries(a, x);
  return x * 1.1 < a ? 1 - igamSeries(a, x) : igamcSeries(a, x);
}

/** (2k)!/B_2k for k = 1 … 12, Euler–Maclaurin's coefficients in zeta (Cephes' A[]), from the Bernoulli
 * numbers B_2 … B_24. */
const ZETA_A: number[] = (() => {
  const B: Array<[number, number]> = [[1, 6], [-1, 30], [1, 42], [-1, 30], [5, 66], [-691, 2730], [7, 6], [-3617, 510], [43867, 798], [-174611, 330], [854513, 138], [-236364091, 2730]];
  let f = 1;
  return B.map(([p, q], i) => {
    f *= (2 * i + 1) * (2 * i + 2);
    return (f * q) / p;
  });
})();
/**
 * The Hurwitz zeta function ζ(x, q) = Σ_{k ≥ 0} (k + q)^−x (torch.special.zeta), after Cephes' zeta.c as
 * PyTorch has it: terms summed until k + q > 9 (at least 9 of them), then Euler–Maclaurin's tail with up
 * to 12 Bernoulli terms; for q > 1e8 the first two terms of the asymptotic series. inf at x = 1 and at
 * q a non-positive integer; NaN for x < 1, and for q < 0 with x not an integer.
 */
export function zeta(x: number, q: number): number {
  if (x !== x || q !== q) return NaN;
  if (x === 1) return Infinity;
  if (x < 1) return NaN;
  if (q <= 0) {
    if (q === Math.floor(q)) return Infinity;
    if (x !== Math.floor(x)) return NaN;
  }
  if (q > 1e8) return (1 / (x - 1) + 1 / (2 * q)) * Math.pow(q, 1 - x);
  let s = Math.pow(q, -x), a = q, b = 0, i = 0;
  while (i < 9 || a <= 9) {
    i += 1; a += 1;
    b = Math.pow(a, -x);
    s += b;
    if (Math.abs(b / s) < MACHEP) return s;
  }
  const w = a;
  s += (b * w) / (x - 1);
  s -= 0.5 * b;
  let c = 1, k = 0;
  for (let j = 0; j < 12; j++) {
    c *= x + k; b /= w;
    const t = (c * b) / ZETA_A[j];
    s += t;
    if (Math.abs(t / s) < MACHEP) return s;
    k += 1; c *= x + k; b /= w; k += 1;
  }
  return s;
}

const F64 = new Float64Array(1), U32 = new Uint32Array(F64.buffer), F32 = new Float32Array(1), I32 = new Int32Array(F32.buffer);
/** The float64 after x in y's direction (C's nextafter): y itself when equal, NaN with a NaN. */
export function nextafter64(x: number, y: number): number {
  if (x !== x || y !== y) return NaN;
  if (x === y) return y;
  if (x === 0) return y > 0 ? 5e-324 : -5e-324;
  F64[0] = x;
  // (little-endian words: U32[0] low, U32[1] high; away from zero is +1 on the magnitude's bits)
  const up = (y > x) === (x > 0);
  if (up) { if (U32[0] === 0xffffffff) { U32[0] = 0; U32[1] += 1; } else U32[0] += 1; } else if (U32[0] === 0) { U32[0] = 0xffffffff; U32[1] -= 1; } else U32[0] -= 1;
  return F64[0];
}
/** The float32 after x in y's direction (x a float32 value). */
export function nextafter32(x: number, y: number): number {
  if (x !== x || y !== y) return NaN;
  if (x === y) return Math.fround(y);
  if (x === 0) return y > 0 ? 1.401298464324817e-45 : -1.401298464324817e-45;
  F32[0] = x;
  I32[0] += (y > x) === (x > 0) ? 1 : -1;
  return F32[0];
}
