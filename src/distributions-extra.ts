/**
 * The special functions the gamma-family distributions and samplers need (torch.lgamma, torch.digamma),
 * composed of the frontend's elementwise ops (log, sin, where, …), so they run on the CPU and the GPU
 * alike and batch freely. Each is one autograd node: LgammaBackward0 (g·digamma(x)) and
 * DigammaBackward0 (g·polygamma(1, x), the trigamma function built here the same way).
 *
 * Method, for x > 0: argument shifts (Γ(x + 1) = x·Γ(x)) into [1.5, 2.5] and the Taylor series of
 * lgamma about 2 (coefficients (−1)^k (ζ(k) − 1)/k, 29 terms: < 1e-18 there), or, for x ≥ 8, Stirling's
 * series (5 terms); digamma and trigamma shift up to x ≥ 8 and use their asymptotic series. Negative x
 * by the reflection formulas (sin(πx), tan(πx) in the input's dtype: far from 0 the float32 πx loses
 * the fraction, as any float32 evaluation there). Precision: float32 within a few 1e-7 of PyTorch's
 * (relative, or absolute near the roots 1, 2 of lgamma and 1.4616… of digamma); float64 about 1e-13.
 * Poles as PyTorch's: lgamma(0 or a negative integer) = inf, digamma(0) = −inf, digamma(negative
 * integer) = nan, lgamma(±inf) = inf, digamma(inf) = inf.
 *
 * (Imported by ops-random.ts, which tensor.ts imports: nothing here runs at load time.)
 */
import {
  Tensor, SCALAR_TYPE, add, checkTensor, compare, composite, twice, div, floor, log, mul, neg, sin, cos, sub, where, abs,
} from './tensor.ts';
import { isFloat } from './dtype.ts';
// (a pure scalar series shared with the CPU kernels' lgamma: its coefficients, computed once)
import { taylorCoeffs } from './backends/cpu/specfun.ts';
import { polygamma } from './special.ts';

const EULER = 0.5772156649015329;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

function floatInput(fn: string, x: Tensor): void {
  checkTensor(fn, x);
  if (!isFloat(x.dtype)) throw new Error(`${fn}: expected a floating-point tensor, got ${SCALAR_TYPE[x.dtype]} (shape [${x.shape.join(', ')}], device ${x.device})`);
}
/** p(t) = Σ coeffs[i]·t^i by Horner, coeffs lowest first. */
function horner(t: Tensor, coeffs: number[]): Tensor {
  let r: Tensor | number = coeffs[coeffs.length - 1];
  for (let i = coeffs.length - 2; i >= 0; i--) r = add(mul(t, r), coeffs[i]);
  return r as Tensor;
}

/** lgamma for z > 0 (0 → inf); no gradient. */
function lgammaPos(z: Tensor): Tensor {
  // z < 0.5 → z + 1; then < 1.5 → + 1: lgamma(z) = lgamma(z + k) − log(z(z+1)…)
  const s1 = compare('lt', z, 0.5), z1 = where(s1, add(z, 1), z);
  const s2 = compare('lt', z1, 1.5), z2 = where(s2, add(z1, 1), z1);
  // z2 in [1.5, 8): down to [1.5, 2.5) (at most 6 steps): lgamma(y) = lgamma(y − 1) + log(y − 1)
  let y = z2, up: Tensor | null = null;
  for (let j = 0; j < 6; j++) {
    const m = compare('ge', y, 2.5).logicalAnd(compare('lt', y, 8));
    const y1 = sub(y, 1);
    up = up ? where(m, mul(up, y1), up) : where(m, y1, 1);
    y = where(m, y1, y);
  }
  const t = sub(y, 2);
  const series = mul(t, horner(t, [1 - EULER, ...taylorCoeffs()]));
  const mid = add(series, log(up!));
  // Stirling for z2 ≥ 8
  const big = compare('ge', z2, 8);
  const zb = where(big, z2, 8), r = zb.reciprocal(), r2 = mul(r, r);
  const stirling = add(sub(mul(sub(zb, 0.5), log(zb)), zb), add(mul(r, horner(r2, [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188])), HALF_LOG_2PI));
  // (z = 0: log(0) below gives the pole)
  const res = sub(where(big, stirling, mid), log(mul(where(s1, z, 1), where(s2, z1, 1))));
  return where(compare('eq', z, Infinity), Infinity, res);
}

function lgammaRaw(x: Tensor): Tensor {
  const negx = compare('lt', x, 0);
  const pos = lgammaPos(where(negx, sub(1, x), x));
  // reflection: lgamma(x) = log(π / |sin(πx)|) − lgamma(1 − x)
  const refl = sub(neg(log(abs(sin(mul(x, Math.PI))).div(Math.PI))), pos);
  const pole = compare('eq', x, floor(x)).logicalOr(compare('eq', x, -Infinity));
  return where(negx, where(pole, Infinity, refl), pos);
}

/** digamma (or, with trigamma, polygamma(1)) for z > 0, shifted up to z ≥ 8. */
function polygammaPos(z: Tensor, order: 0 | 1): Tensor {
  let y = z, acc: Tensor | null = null;
  for (let j = 0; j < 8; j++) {
    const m = compare('lt', y, 8);
    const ry = y.reciprocal(), term = order === 0 ? ry : mul(ry, ry);
    acc = acc ? where(m, add(acc, term), acc) : where(m, term, 0);
    y = where(m, add(y, 1), y);
  }
  const r = y.reciprocal(), r2 = mul(r, r);
  if (order === 0) {
    const asym = sub(sub(log(y), mul(r, 0.5)), mul(r2, horner(r2, [1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132])));
    return sub(asym, acc!);
  }
  const asym = add(add(r, mul(r2, 0.5)), mul(mul(r2, r), horner(r2, [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66])));
  return add(asym, acc!);
}

function digammaRaw(x: Tensor): Tensor {
  const negx = compare('lt', x, 0);
  const pos = polygammaPos(where(negx, sub(1, x), x), 0);
  // reflection: digamma(x) = digamma(1 − x) − π / tan(πx)
  const a = mul(x, Math.PI);
  const refl = sub(pos, mul(div(cos(a), sin(a)), Math.PI));
  const negInt = negx.logicalAnd(compare('eq', x, floor(x)));
  const out = where(negInt, NaN, where(negx, refl, pos));
  return where(compare('eq', x, 0), -Infinity, where(compare('eq', x, Infinity), Infinity, out));
}

function trigammaRaw(x: Tensor): Tensor {
  const negx = compare('lt', x, 0);
  const pos = polygammaPos(where(negx, sub(1, x), x), 1);
  // reflection: trigamma(x) = π² / sin²(πx) − trigamma(1 − x)
  const refl = sub(div(Math.PI ** 2, sin(mul(x, Math.PI)).pow(2)), pos);
  return where(compare('eq', x, 0), Infinity, where(negx, refl, pos));
}

/** torch.lgamma: log|Γ(x)| elementwise (LgammaBackward0: g·digamma(x)). See the top for the method and precision. */
export function lgamma(x: Tensor): Tensor {
  floatInput('lgamma', x);
  return twice(composite('LgammaBackward0', [x], () => lgammaRaw(x), (g) => [mul(g, digamma(x))], x));
}

/** torch.digamma: Γ'(x)/Γ(x) elementwise (DigammaBackward0: g·polygamma(1, x)). See the top. */
export function digamma(x: Tensor): Tensor {
  floatInput('digamma', x);
  // (twice: the backward is trigamma(x), recorded; trigamma's own backward is an error, so a second
  // derivative of digamma stops there, with its message)
  return twice(composite('DigammaBackward0', [x], () => digammaRaw(x), (g) => [mul(g, trigamma(x))], x));
}

/** polygamma(1, x), the trigamma function (its own gradient, polygamma(2), is not made: an error). */
export function trigamma(x: Tensor): Tensor {
  floatInput('polygamma', x);
  return composite('PolygammaBackward0', [x], () => trigammaRaw(x), (g) => [mul(g, polygamma(2, x))], x);
}
