/**
 * torch.special (PyTorch 1.13's names in camelCase): the special functions torch already has under their
 * special names (erf, erfc, erfinv, expit, exp2, expm1, log1p, logit, xlogy, gammaln, digamma, psi, sinc,
 * logsumexp, softmax, logSoftmax, round), and new ones: entr, ndtr, ndtri, logNdtr, xlog1py, i0, i0e,
 * i1, i1e, multigammaln (also torch.mvlgamma) and polygamma for n = 0 and 1 (also torch.polygamma);
 * gammainc and gammaincc (also torch.igamma / igammac) are primitives of their own (an iteration per
 * element: src/backends/cpu/specfun.ts, common.wgsl).
 *
 * All are composed of recorded tensor ops (so they run on every device and differentiate, with
 * PyTorch's grad_fn names and formulas). Precision: float64 within ~1e-15 relatively (erf/erfc are
 * float64-accurate there), float32 within erf's ~2e-7; the Bessel functions use a power series for
 * |x| ≤ 25 and Hankel's asymptotic series beyond. Integers compute as float32.
 */
import {
  Tensor, abs, add, checkTensor, compare, composite, div, exp, full, log, logSoftmax, mul, neg, round, sigmoid, sign, softmax, sqrt, sub,
  twice, where, exp2,
} from './tensor.ts';
import { erf, erfc, expm1, log1p, logsumexp } from './ops-more.ts';
import { digamma, lgamma, trigamma } from './distributions-extra.ts';
import { logit, sinc, xlogy, xTimesLogOf } from './ops-misc.ts';
import { erfinv } from './distributions.ts';
import { getDefaultDtype, isFloat } from './dtype.ts';
import { deviceName, binaryPrimitive, sumToShape, SCALAR_TYPE, type Operand } from './tensor.ts';
import { resultType } from './dtype.ts';
import type { DType } from './runtime/protocol.ts';

export { erf, erfc, erfinv, exp2, expm1, log1p, logit, xlogy, digamma, digamma as psi, lgamma as gammaln, sinc, logsumexp, softmax, logSoftmax, round };
/** expit(x) = 1 / (1 + e^−x), torch.sigmoid. */
export const expit = sigmoid;

const asFloat = (x: Tensor) => (isFloat(x.dtype) ? x : x.to({ dtype: getDefaultDtype() }));
const SQRT_2PI = Math.sqrt(2 * Math.PI), INV_SQRT2 = Math.SQRT1_2;

/** −x·ln x for x > 0, 0 at 0, −inf for x < 0 (SpecialEntrBackward0: −(1 + ln x)). */
export function entr(x: Tensor): Tensor {
  checkTensor('special.entr', x);
  const p = asFloat(x);
  return twice(composite('SpecialEntrBackward0', [p], () => {
    const v = neg(mul(p, log(p)));
    return where(compare('eq', p, 0), 0, where(compare('lt', p, 0), -Infinity, v));
  }, (g) => [mul(g, neg(add(log(p), 1)))], p));
}

/** The standard normal CDF, ½·erfc(−x/√2). */
export function ndtr(x: Tensor): Tensor {
  checkTensor('special.ndtr', x);
  return mul(erfc(mul(asFloat(x), -INV_SQRT2)), 0.5);
}

/** The standard normal quantile, √2·erfinv(2p − 1): ±inf at 1 and 0, NaN outside [0, 1]
 * (SpecialNdtriBackward0: √(2π)·exp(ndtri(p)²/2)). On the CPU 2p − 1 is formed in float64, so float32
 * tails below 3e-8 stay finite; the GPU (no float64) gives −inf there. */
export function ndtri(p: Tensor): Tensor {
  checkTensor('special.ndtri', p);
  const q = asFloat(p);
  const acc = q.device === 'gpu' || q.dtype === 'float64' ? q : q.to({ dtype: 'float64' });
  let out!: Tensor;
  return twice(composite('SpecialNdtriBackward0', [q], () => {
    let z = mul(erfinv(sub(mul(acc, 2), 1)), Math.SQRT2);
    if (acc.dtype === 'float64') {
      // Newton on ndtr itself (erfc-based, relative-accurate in the lower tail, where erfinv(2p − 1) has
      // only 1 − |2p − 1|'s absolute precision: 3e-9 relative at p = 1e-10)
      const inside = compare('gt', acc, 0).logicalAnd(compare('lt', acc, 1));
      for (let k = 0; k < 2; k++) {
        const zi = where(inside, z, 0);
        z = where(inside, sub(zi, mul(sub(ndtr(zi), acc), mul(exp(mul(mul(zi, zi), 0.5)), SQRT_2PI))), z);
      }
    }
    return (out = z.to({ dtype: q.dtype }));
  }, (g) => [mul(g, mul(exp(mul(mul(out, out), 0.5)), SQRT_2PI))], q));
}

/**
 * log(ndtr(x)), also far in the lower tail: below −5 (float32) or −37 (float64) by the asymptotic series
 * −x²/2 − log(−x) − ½log(2π) + log(1 − 1/x² + 3/x⁴ − 15/x⁶ + 105/x⁸ − 945/x¹⁰), up to 0 log(ndtr(x)), and
 * above 0 log1p(−ndtr(−x)) (no cancellation near 1) (SpecialLogNdtrBackward0: the normal density over ndtr(x)).
 */
export function logNdtr(x: Tensor): Tensor {
  checkTensor('special.log_ndtr', x);
  const z = asFloat(x);
  let out!: Tensor;
  return twice(composite('SpecialLogNdtrBackward0', [z], () => {
    const mid = log(ndtr(z));
    const high = log1p(neg(ndtr(neg(z))));
    // (the series where its 5 terms are enough for the dtype and ndtr nears underflow: below −5 in float32,
    // −37 in float64; clamped so that it sees no other values)
    const cut = z.dtype === 'float64' ? -37 : -5;
    const zs = where(compare('lt', z, cut), z, cut);
    const r = div(1, mul(zs, zs));
    let s: Tensor = mul(r, -945);
    for (const c of [105, -15, 3, -1]) s = mul(add(s, c), r);
    const tail = sub(sub(add(mul(mul(zs, zs), -0.5), log1p(s)), log(neg(zs))), 0.5 * Math.log(2 * Math.PI));
    return (out = where(compare('lt', z, cut), tail, where(compare('gt', z, 0), high, mid)));
  }, (g) => [mul(g, div(exp(sub(mul(mul(z, z), -0.5), out)), SQRT_2PI))], z));
}

/** x·log1p(y), 0 where x = 0 unless y is NaN (SpecialXlog1PyBackward0: g·log1p(y), g·x/(1 + y)). */
export function xlog1py(x: Tensor | number, y: Tensor | number): Tensor {
  return xTimesLogOf('xlog1py', 'SpecialXlog1Py', log1p, (q) => add(q, 1), x, y);
}

// ---- modified Bessel functions of the first kind, orders 0 and 1 -------------------------------------

const BESSEL_SWITCH = 25;
/**
 * e^(−|x|)·I_ν(|x|) for ν = 0, 1 (the scaled forms, which never overflow): the power series
 * Σ (x²/4)^k / (k!(k+ν)!) · (x/2)^ν for |x| ≤ 25 (60 terms, all positive), Hankel's asymptotic
 * series 1/√(2π|x|) · Σ (−1)^k a_k(ν)/|x|^k beyond (20 terms; the last is below 1e-16 of the sum there).
 */
function besselScaled(x: Tensor, nu: 0 | 1): Tensor {
  const a = abs(x);
  const small = where(compare('le', a, BESSEL_SWITCH), a, BESSEL_SWITCH);
  const q = mul(mul(small, small), 0.25);
  let term: Tensor = nu === 0 ? full([], 1, { dtype: x.dtype, device: deviceName(x.device) }).expand([...x.shape]) : mul(small, 0.5);
  let series = term;
  for (let k = 1; k <= 60; k++) {
    term = mul(term, div(q, k * (k + nu)));
    series = add(series, term);
  }
  const nearPart = mul(series, exp(neg(small)));
  const big = where(compare('gt', a, BESSEL_SWITCH), a, BESSEL_SWITCH);
  const mu = 4 * nu * nu;
  let coef = 1, hankel: Tensor | number = 1, inv: Tensor = div(1, big), pw: Tensor = inv;
  for (let k = 1; k <= 20; k++) {
    coef *= -(mu - (2 * k - 1) ** 2) / (k * 8);
    hankel = add(hankel, mul(pw, coef));
    pw = mul(pw, inv);
  }
  const farPart = div(hankel as Tensor, sqrt(mul(big, 2 * Math.PI)));
  return where(compare('le', a, BESSEL_SWITCH), nearPart, farPart);
}
/** I₀(x) (I0Backward0: I₁(x)). */
export function i0(x: Tensor): Tensor {
  checkTensor('i0', x);
  const z = asFloat(x);
  return twice(composite('I0Backward0', [z], () => mul(besselScaled(z, 0), exp(abs(z))), (g) => [mul(g, i1(z))], z));
}
/** e^(−|x|)·I₀(x) (SpecialI0EBackward0: i1e(x) − sgn(x)·i0e(x)). */
export function i0e(x: Tensor): Tensor {
  checkTensor('special.i0e', x);
  const z = asFloat(x);
  let out!: Tensor;
  return twice(composite('SpecialI0EBackward0', [z], () => (out = besselScaled(z, 0)), (g) => [mul(g, sub(i1e(z), mul(sign(z), out)))], z));
}
/** I₁(x), odd (SpecialI1Backward0: I₀(x) − I₁(x)/x, ½ at 0). */
export function i1(x: Tensor): Tensor {
  checkTensor('special.i1', x);
  const z = asFloat(x);
  let out!: Tensor;
  return twice(composite('SpecialI1Backward0', [z], () => (out = mul(mul(besselScaled(z, 1), exp(abs(z))), sign(z))), (g) => {
    const d = sub(i0(z), div(out, where(compare('eq', z, 0), 1, z)));
    return [mul(g, where(compare('eq', z, 0), 0.5, d))];
  }, z));
}
/** e^(−|x|)·I₁(x) (SpecialI1EBackward0: i0e(x) − i1e(x)·(sgn(x) + 1/x), ½ at 0). */
export function i1e(x: Tensor): Tensor {
  checkTensor('special.i1e', x);
  const z = asFloat(x);
  let out!: Tensor;
  return twice(composite('SpecialI1EBackward0', [z], () => (out = mul(besselScaled(z, 1), sign(z))), (g) => {
    const d = sub(i0e(z), mul(out, add(sign(z), div(1, where(compare('eq', z, 0), 1, z)))));
    return [mul(g, where(compare('eq', z, 0), 0.5, d))];
  }, z));
}

// ---- gamma family ------------------------------------------------------------------------------------

/**
 * The multivariate log-gamma of dimension p: p(p−1)/4·log π + Σ_{j<p} lgamma(a − j/2) (MvlgammaBackward0).
 * Elements at most (p − 1)/2 are outside its domain; PyTorch 1.13 does not check them, nor does this.
 */
export function multigammaln(a: Tensor, p: number): Tensor {
  checkTensor('mvlgamma', a);
  if (!Number.isInteger(p) || p < 1) throw new Error('p has to be greater than or equal to 1');
  const x = asFloat(a);
  return twice(composite('MvlgammaBackward0', [x], () => {
    let s: Tensor = lgamma(x);
    for (let j = 1; j < p; j++) s = add(s, lgamma(sub(x, j / 2)));
    return add(s, (p * (p - 1) / 4) * Math.log(Math.PI));
  }, (g) => {
    let d: Tensor = digamma(x);
    for (let j = 1; j < p; j++) d = add(d, digamma(sub(x, j / 2)));
    return [mul(g, d)];
  }, x));
}
export { multigammaln as mvlgamma };

/**
 * polygamma(n, x): digamma for n = 0, trigamma for n = 1 (composed), and for n ≥ 2
 * (−1)^(n+1)·n!·ζ(n + 1, x) through the zeta primitive, as PyTorch computes it (PolygammaBackward0:
 * g·polygamma(n + 1, x)).
 */
export function polygamma(n: number, x: Tensor): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new Error('polygamma(n, x) does not support negative n.');
  if (n === 0) return digamma(x);
  if (n === 1) return trigamma(x);
  checkTensor('polygamma', x);
  const p = asFloat(x);
  let fact = 1;
  for (let k = 2; k <= n; k++) fact *= k;
  return composite('PolygammaBackward0', [p], () => mul(binaryPrimitive('zeta', n + 1, p, p.dtype, 'polygamma'), (n % 2 === 1 ? 1 : -1) * fact),
    (g) => [mul(g, polygamma(n + 1, p))], p);
}

/**
 * The Hurwitz zeta function ζ(x, q) = Σ_{k ≥ 0} (k + q)^−x (a number may stand for either), after
 * Cephes' zeta.c as PyTorch has it: float64 on the CPU, f32 on the GPU. inf at x = 1 and where q is a
 * non-positive integer; NaN for x < 1, and for q < 0 with x not an integer. The gradient in q is
 * −x·ζ(x + 1, q) (SpecialZetaBackward0); in x there is none, as in PyTorch (backward says so).
 */
export function zeta(x: Tensor | number, q: Tensor | number): Tensor {
  const [dt] = floatOperands('special.zeta', 'zeta', x, q);
  return composite('SpecialZetaBackward0', [x, q], () => binaryPrimitive('zeta', x, q, dt, 'special.zeta'), (g) => {
    if (x instanceof Tensor && x.requiresGrad) throw new Error("the derivative for 'zeta' is not implemented.");
    if (!(q instanceof Tensor) || !q.requiresGrad) return [null, null];
    return [null, sumToShape(mul(g, neg(mul(x, zeta(typeof x === 'number' ? x + 1 : add(x, 1), q)))), [...q.shape])];
  }, x, q);
}

/**
 * torch.nextafter: the next float after a toward b in the result's dtype (b itself where they are equal,
 * NaN with a NaN; float32 steps by float32 ulps). Floats only, as PyTorch's. No gradient: PyTorch's
 * grad_fn says so on backward (NextafterBackward0), and so does this one.
 */
export function nextafter(a: Tensor | number, b: Tensor | number): Tensor {
  const [dt] = floatOperands('nextafter', 'nextafter', a, b, true);
  return composite('NextafterBackward0', [a, b], () => binaryPrimitive('nextafter', a, b, dt, 'nextafter'), () => {
    throw new Error("the derivative for 'nextafter' is not implemented.");
  });
}

/** The float dtype of a binary special function's operands (at least one a tensor); integers refused
 * (`strict`: PyTorch's "not implemented for 'Long'") or made the default float. */
function floatOperands(name: string, kernel: string, a: Operand, b: Operand, strict = false): [DType] {
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) throw new Error(`${name}(): expected at least one Tensor argument, got two numbers`);
  if (a instanceof Tensor) checkTensor(name, a);
  if (b instanceof Tensor) checkTensor(name, b, 'other');
  const desc = (t: Operand) => (t instanceof Tensor ? { dtype: t.dtype, dim: t.ndim } : t);
  const dt = resultType([desc(a), desc(b)]);
  const dev = (a instanceof Tensor ? a : (b as Tensor)).device;
  if (!isFloat(dt)) {
    if (strict) throw new Error(`"${kernel}_${dev === 'gpu' ? 'gpu' : 'cpu'}" not implemented for '${SCALAR_TYPE[dt]}'`);
    return [getDefaultDtype()];
  }
  return [dt];
}

/**
 * The regularized incomplete gamma functions P(a, x) = γ(a, x)/Γ(a) (gammainc, torch.igamma) and
 * Q(a, x) = 1 − P (gammaincc, torch.igammac), elementwise with broadcasting (a number may stand for
 * either). On the CPU in float64 (within ~1e-11 of mpmath's, PyTorch 1.13's within 2e-9), rounded to
 * the result's dtype; on the GPU in f32 (a few 1e-6 where the value is not tiny). NaN for a < 0 or
 * x < 0, as PyTorch's. The gradient in x is ±x^(a−1)·e^−x/Γ(a) (IgammaBackward0, IgammacBackward0);
 * in a there is none, as in PyTorch (backward says so).
 */
export const gammainc = (a: Tensor | number, x: Tensor | number): Tensor => incompleteGamma('igamma', a, x);
export const gammaincc = (a: Tensor | number, x: Tensor | number): Tensor => incompleteGamma('igammac', a, x);
function incompleteGamma(fn: 'igamma' | 'igammac', a: Operand, x: Operand): Tensor {
  const name = fn === 'igamma' ? 'special.gammainc' : 'special.gammaincc';
  const [dt] = floatOperands(name, fn, a, x, true);
  const xShape = x instanceof Tensor ? x.shape : [];
  return composite(fn === 'igamma' ? 'IgammaBackward0' : 'IgammacBackward0', [a, x], () => binaryPrimitive(fn, a, x, dt, name), (g) => {
    if (a instanceof Tensor && a.requiresGrad) throw new Error(`the derivative for '${fn}: input' is not implemented.`);
    if (!(x instanceof Tensor) || !x.requiresGrad) return [null, null];
    const X = asFloat(x), A = a instanceof Tensor ? asFloat(a) : full([], a, { dtype: dt, device: deviceName(X.device) });
    // d/dx P(a, x) = x^(a−1)·e^−x / Γ(a), as e^((a − 1)·log x − x − lgamma(a))
    const d = exp(sub(sub(mul(sub(A, 1), log(X)), X), lgamma(A)));
    return [null, sumToShape(mul(g, fn === 'igamma' ? d : neg(d)), [...xShape])];
  }, a, x);
}

const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);
/**
 * The scaled complementary error function erfcx(x) = e^(x²)·erfc(x) (SpecialErfcxBackward0:
 * g·(2x·erfcx(x) − 2/√π)). Below the switch point (12 in float64, 9 in float32) as that product, whose
 * e^(x²) carries x²'s rounding (float64: ~x²·1e-16 relative); from there on its asymptotic series
 * 1/(x√π)·Σ (−1)^k (2k − 1)!!/(2x²)^k, which is exact to the dtype there (16 and 6 terms). The CPU
 * computes float32 in float64 and rounds; the GPU (f32) is ~x²·6e-8 relative below 9. inf for x below
 * −26.6 (−9.4 in float32), where e^(x²) overflows, as PyTorch's.
 */
export function erfcx(x: Tensor): Tensor {
  checkTensor('special.erfcx', x);
  const p = asFloat(x);
  const z = p.dtype === 'float32' && p.device === 'cpu' ? p.to({ dtype: 'float64' }) : p;
  let out!: Tensor;
  return twice(composite('SpecialErfcxBackward0', [p], () => {
    const wide = z.dtype === 'float64';
    const T = wide ? 12 : 9, K = wide ? 16 : 6;
    const big = compare('ge', z, T);
    const zb = where(big, z, T), r = div(1, mul(mul(zb, zb), 2));
    // Σ (−1)^k (2k − 1)!! r^k by Horner
    const coeffs: number[] = [1];
    for (let k = 1; k <= K; k++) coeffs.push(-coeffs[k - 1] * (2 * k - 1));
    let series: Tensor | number = coeffs[K];
    for (let k = K - 1; k >= 0; k--) series = add(mul(r, series), coeffs[k]);
    const asym = div(mul(series as Tensor, INV_SQRT_PI), zb);
    const zs = where(big, 0, z);
    const direct = mul(exp(mul(zs, zs)), erfc(zs));
    const v = where(big, asym, direct);
    out = v.dtype === p.dtype ? v : v.to({ dtype: p.dtype });
    return out;
  }, (g) => [mul(g, sub(mul(mul(p, 2), out), 2 * INV_SQRT_PI))], p));
}
