/**
 * The CPU's fused Adam/AdamW step (protocol.ts AdamOp): p, m and v updated in place in one pass over a
 * small parameter, instead of the ~11 elementwise ops of optim.ts's composition (each paying an op's
 * overhead). Bit-identical to that composition: every value the composition stores in a float32 tensor is
 * rounded here at the same point (Math.fround), in the same order; float64 needs no rounding (the
 * composition's kernels compute in float64). The composition, for each element (R: rounding to the dtype;
 * scalars arrive rounded, as the composition's scalar operands are):
 *   decoupled: p = R(p·decay)                      (p.mul_(1 − lr·wd))
 *   L2:        g = R(g + R(p·wd))                  (grad.add(p, wd): add(grad, mul(p, wd)))
 *   m = R(R(m·β1) + R(g·(1 − β1)))                 (m.mul_(β1).add_(grad, 1 − β1))
 *   v = R(R(v·β2) + R(R(g·g)·(1 − β2)))            (v.mul_(β2).add_(grad.mul(grad), 1 − β2))
 *   d = R(R(R(√v) / bc2Sqrt) + eps)                (div(sqrt(v), bc2Sqrt).add(eps))
 *   p = R(p + R(R(m / d)·step))                    (p.add_(div(m, denom), −lr/bc1))
 * (float32 +, −, ·, / and √ computed in float64 and rounded once are the correctly rounded float32 results
 * the SIMD kernels give.)
 */
import type { AdamOp } from '../../runtime/protocol.ts';

type Arr = Float32Array | Float64Array | Int32Array | Uint8Array;

let disabled = !!process.env.TROUPE_NO_FUSED_ADAM; // (benchmarks: the composition)
/** Turns the fused Adam step off (true: optimizers go back to the composition) or on again (tests, benchmarks). */
export function disableAdamKernel(off: boolean): void { disabled = off; }
/** Whether the fused step is in use (not turned off). */
export function adamKernelAvailable(): boolean { return !disabled; }
/** Fused steps run on this thread so far (tests: the kernel really ran). */
export const adamCalls = { n: 0 };

/** Runs an AdamOp whole (its views contiguous, of one float dtype and shape). */
export function runAdam(op: AdamOp, R: (buf: number) => Arr): void {
  adamCalls.n++;
  let n = 1;
  for (const d of op.p.shape) n *= d;
  // (one loop per dtype: each sees one typed-array type, which V8 then compiles to plain loads and stores)
  if (op.p.dtype === 'float32') adam32(op, R(op.p.buf) as Float32Array, R(op.g.buf) as Float32Array, R(op.m.buf) as Float32Array, R(op.v.buf) as Float32Array, n);
  else adam64(op, R(op.p.buf) as Float64Array, R(op.g.buf) as Float64Array, R(op.m.buf) as Float64Array, R(op.v.buf) as Float64Array, n);
}

function adam32(op: AdamOp, P: Float32Array, G: Float32Array, M: Float32Array, V: Float32Array, n: number): void {
  const po = op.p.offset, go = op.g.offset, mo = op.m.offset, vo = op.v.offset;
  const [b1, a1, b2, a2, bc2, eps, step, wd, decayBy] = op.s;
  const decay = op.decay, f = Math.fround;
  for (let i = 0; i < n; i++) {
    let p = P[po + i], g = G[go + i];
    if (decay === 2) p = f(p * decayBy);
    else if (decay === 1) g = f(g + f(p * wd));
    const m = f(f(M[mo + i] * b1) + f(g * a1));
    const v = f(f(V[vo + i] * b2) + f(f(g * g) * a2));
    const d = f(f(f(Math.sqrt(v)) / bc2) + eps);
    M[mo + i] = m;
    V[vo + i] = v;
    P[po + i] = f(p + f(f(m / d) * step));
  }
}

function adam64(op: AdamOp, P: Float64Array, G: Float64Array, M: Float64Array, V: Float64Array, n: number): void {
  const po = op.p.offset, go = op.g.offset, mo = op.m.offset, vo = op.v.offset;
  const [b1, a1, b2, a2, bc2, eps, step, wd, decayBy] = op.s;
  const decay = op.decay;
  for (let i = 0; i < n; i++) {
    let p = P[po + i], g = G[go + i];
    if (decay === 2) p = p * decayBy;
    else if (decay === 1) g = g + p * wd;
    const m = M[mo + i] * b1 + g * a1;
    const v = V[vo + i] * b2 + g * g * a2;
    const d = Math.sqrt(v) / bc2 + eps;
    M[mo + i] = m;
    V[vo + i] = v;
    P[po + i] = p + (m / d) * step;
  }
}
