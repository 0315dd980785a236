/*
 * WebAssembly SIMD elementwise kernels and block reductions for troupe: float32 (most of this file), and
 * 64-bit elements (float64 and int64 data, and conversions between dtypes) at its end.
 *
 * Bit-identical to the JS kernels of src/backends/cpu/kernels.ts (runBinary, runUnary, fill, copy,
 * partialBlocks / reduceLoop of loops.ts) for float32 inputs and outputs:
 *
 *  - +, -, *, /, sqrt of float32 operands: JS computes in float64 and rounds to float32 on the store;
 *    float64 has more than 2*24+2 bits, so that double rounding equals the single float32 operation
 *    (f32x4 SIMD). Where the scalar operand of a vector-scalar op is not a float32 value (e.g. 0.1) the
 *    kernel does what JS does: promote, operate in float64, demote (f64x2 SIMD).
 *  - maximum / minimum follow kernels.ts BINARY: NaN (canonical, as JS stores it) if either input is NaN,
 *    else a > b ? a : b (resp. a < b ? a : b; so max(+0, -0) = -0, max(-0, +0) = +0): exactly
 *    pmax(b, a) / pmin(b, a), with a NaN select.
 *  - relu is x < 0 ? 0 : x (PyTorch's: -inf -> 0, -0 -> -0, NaN -> NaN), neg flips the sign bit, abs clears it.
 *  - Block sums / dots: 4 float64 accumulators, element j of the block into accumulator j % 4, each added
 *    in order, combined as (a0 + a1) + (a2 + a3) (protocol.ts). Accumulators 0,1 live in one f64x2 and 2,3
 *    in another, so one 4-element vector step is exactly one in-order add per accumulator. Products x*y of
 *    two float32 values are exact in float64.
 *
 * Every float step is one IEEE operation; the build uses -ffp-contract=off and WebAssembly has no
 * implicit FMA, so nothing is fused or reassociated. The tails (n % 4 elements) run the very same vector
 * operations on a lane loaded with load32_zero, so they cannot differ from the body.
 *
 * Pointers are byte addresses in the imported shared memory (env.memory). Only 4-byte alignment is
 * assumed (v128 loads/stores are unaligned). `out` may be identical to an input (in-place ops) but must
 * not partially overlap one. As in rng.c: no linear-memory stack, no data segments, no globals, so any
 * number of instances in different threads can run on one memory (build-wasm.sh checks this).
 *
 * Build: scripts/build-wasm.sh (Debian clang/lld, wasm32, -O3 -msimd128).
 */
#include <stdint.h>
#include <wasm_simd128.h>

typedef v128_t V;

#define EXPORT(name) __attribute__((export_name(#name), visibility("default")))
#define INLINE static inline __attribute__((always_inline))

/* Op codes (simd.ts BINARY_CODE / UNARY_CODE). */
enum { OP_ADD = 0, OP_SUB = 1, OP_MUL = 2, OP_DIV = 3, OP_MAX = 4, OP_MIN = 5 };
enum { UN_NEG = 0, UN_ABS = 1, UN_SQRT = 2, UN_RELU = 3, UN_EXP = 4, UN_SIGMOID = 5, UN_FLOOR = 6, UN_CEIL = 7, UN_TRUNC = 8, UN_ROUND = 9 };

#define CANON_NAN32 0x7FC00000
#define CANON_NAN64 0x7FF8000000000000LL

#define LD(p) wasm_v128_load((const void *)(p))
#define ST(p, v) wasm_v128_store((void *)(p), (v))
#define LD1(p) wasm_v128_load32_zero((const void *)(p))
#define ST1(p, v) wasm_v128_store32_lane((void *)(p), (v), 0)

/* ---------------------------------------------------------------- float32 binary */

/* add and mul in operand order (b, a): for NaN inputs, b's payload, as in the JS kernel (ordered.h). */
#include "ordered.h"
ORDERED(add32, "f32x4.add")
ORDERED(mul32, "f32x4.mul")
ORDERED(add64, "f64x2.add")
ORDERED(mul64, "f64x2.mul")

INLINE V bin32(const int op, V a, V b) {
  switch (op) {
    case OP_ADD: return add32(b, a);
    case OP_SUB: return wasm_f32x4_sub(a, b);
    case OP_MUL: return mul32(b, a);
    case OP_DIV: return wasm_f32x4_div(a, b);
    case OP_MAX:
    case OP_MIN: {
      /* pmax(b, a) = b < a ? a : b = a > b ? a : b;  pmin(b, a) = a < b ? a : b */
      V r = op == OP_MAX ? wasm_f32x4_pmax(b, a) : wasm_f32x4_pmin(b, a);
      V nan = wasm_v128_or(wasm_f32x4_ne(a, a), wasm_f32x4_ne(b, b));
      return wasm_v128_bitselect(wasm_i32x4_splat(CANON_NAN32), r, nan);
    }
  }
  return a;
}

/* float64 flavour for scalars that are not float32 values (what JS does: float64 op, then round). */
INLINE V bin64(const int op, V a, V b) {
  switch (op) {
    case OP_ADD: return add64(b, a);
    case OP_SUB: return wasm_f64x2_sub(a, b);
    case OP_MUL: return mul64(b, a);
    case OP_DIV: return wasm_f64x2_div(a, b);
    case OP_MAX:
    case OP_MIN: {
      V r = op == OP_MAX ? wasm_f64x2_pmax(b, a) : wasm_f64x2_pmin(b, a);
      V nan = wasm_v128_or(wasm_f64x2_ne(a, a), wasm_f64x2_ne(b, b));
      return wasm_v128_bitselect(wasm_i64x2_splat(CANON_NAN64), r, nan);
    }
  }
  return a;
}

/* form: 0 vector-vector, 1 vector-scalar (a[i] op k), 2 scalar-vector (k op b[i]) */
INLINE void binary32(const int op, const int form, uint32_t out, uint32_t a, uint32_t b, V k, uint32_t n) {
  uint32_t i = 0;
  for (; i + 16 <= n; i += 16) {
    uint32_t o = 4 * i;
    V x0, x1, x2, x3, y0, y1, y2, y3;
    if (form != 2) { x0 = LD(a + o); x1 = LD(a + o + 16); x2 = LD(a + o + 32); x3 = LD(a + o + 48); }
    else x0 = x1 = x2 = x3 = k;
    if (form != 1) { y0 = LD(b + o); y1 = LD(b + o + 16); y2 = LD(b + o + 32); y3 = LD(b + o + 48); }
    else y0 = y1 = y2 = y3 = k;
    ST(out + o, bin32(op, x0, y0));
    ST(out + o + 16, bin32(op, x1, y1));
    ST(out + o + 32, bin32(op, x2, y2));
    ST(out + o + 48, bin32(op, x3, y3));
  }
  for (; i + 4 <= n; i += 4) {
    uint32_t o = 4 * i;
    V x = form != 2 ? LD(a + o) : k, y = form != 1 ? LD(b + o) : k;
    ST(out + o, bin32(op, x, y));
  }
  for (; i < n; i++) {
    uint32_t o = 4 * i;
    V x = form != 2 ? LD1(a + o) : k, y = form != 1 ? LD1(b + o) : k;
    ST1(out + o, bin32(op, x, y));
  }
}

/* 4 float32 of v -> float64 op with the splatted double k -> 4 float32 */
INLINE V mixed4(const int op, const int form, V v, V k) {
  V lo = wasm_f64x2_promote_low_f32x4(v);
  V hi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3));
  V rl = form == 1 ? bin64(op, lo, k) : bin64(op, k, lo);
  V rh = form == 1 ? bin64(op, hi, k) : bin64(op, k, hi);
  return wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(rl), wasm_f32x4_demote_f64x2_zero(rh), 0, 1, 4, 5);
}

INLINE void binary_mixed(const int op, const int form, uint32_t out, uint32_t x, V k, uint32_t n) {
  uint32_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint32_t o = 4 * i;
    V v0 = LD(x + o), v1 = LD(x + o + 16);
    ST(out + o, mixed4(op, form, v0, k));
    ST(out + o + 16, mixed4(op, form, v1, k));
  }
  for (; i + 4 <= n; i += 4) ST(out + 4 * i, mixed4(op, form, LD(x + 4 * i), k));
  for (; i < n; i++) ST1(out + 4 * i, mixed4(op, form, LD1(x + 4 * i), k));
}

#define DISPATCH_OP(op, CALL)                  \
  switch (op) {                                \
    case OP_ADD: CALL(OP_ADD); break;          \
    case OP_SUB: CALL(OP_SUB); break;          \
    case OP_MUL: CALL(OP_MUL); break;          \
    case OP_DIV: CALL(OP_DIV); break;          \
    case OP_MAX: CALL(OP_MAX); break;          \
    case OP_MIN: CALL(OP_MIN); break;          \
  }

/* out[i] = a[i] op b[i] */
EXPORT(ew_binary_vv)
void ew_binary_vv(uint32_t op, uint32_t out, uint32_t a, uint32_t b, uint32_t n) {
  V z = wasm_i32x4_splat(0);
#define CALL(OP) binary32(OP, 0, out, a, b, z, n)
  DISPATCH_OP(op, CALL)
#undef CALL
}

/* One operand a bool buffer (bytes, read as the numbers 0 / 1 as the JS loop reads them), the other
 * float32: out[i] = a[i] op float(b[i]) (side 1) or float(a[i]) op b[i] (side 2). A byte is an exact
 * float32 value, so the float32 operation is the JS loop's float64 one, rounded. */
INLINE V bytes4(uint32_t p) {
  return wasm_f32x4_convert_u32x4(wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero((const void *)p))));
}
/* side 1: b is the bool buffer, a float32; 2: a is the bool buffer; 3: b bool, a the float32 scalar k;
 * 4: a bool, b the scalar k. */
/* 16 bytes as four vectors of 4 floats (the numbers they hold). */
INLINE void bytes16(uint32_t p, V *f) {
  const V b = LD(p), lo = wasm_u16x8_extend_low_u8x16(b), hi = wasm_u16x8_extend_high_u8x16(b);
  f[0] = wasm_f32x4_convert_u32x4(wasm_u32x4_extend_low_u16x8(lo));
  f[1] = wasm_f32x4_convert_u32x4(wasm_u32x4_extend_high_u16x8(lo));
  f[2] = wasm_f32x4_convert_u32x4(wasm_u32x4_extend_low_u16x8(hi));
  f[3] = wasm_f32x4_convert_u32x4(wasm_u32x4_extend_high_u16x8(hi));
}
INLINE void binary_bool(const int op, const int side, uint32_t out, uint32_t a, uint32_t b, float k, uint32_t n) {
  const V kv = wasm_f32x4_splat(k);
  uint32_t i = 0;
  /* 16 at a time: one 16-byte load of the bool operand */
  for (; i + 16 <= n; i += 16) {
    V m[4];
    bytes16(side == 2 || side == 4 ? a + i : b + i, m);
    for (int q = 0; q < 4; q++) {
      const uint32_t o = 4 * (i + 4 * q);
      const V x = side == 3 ? kv : side == 2 || side == 4 ? m[q] : LD(a + o);
      const V y = side == 4 ? kv : side == 1 || side == 3 ? m[q] : LD(b + o);
      ST(out + o, bin32(op, x, y));
    }
  }
  for (; i + 4 <= n; i += 4) {
    const V x = side == 3 ? kv : side == 2 || side == 4 ? bytes4(a + i) : LD(a + 4 * i);
    const V y = side == 4 ? kv : side == 1 || side == 3 ? bytes4(b + i) : LD(b + 4 * i);
    ST(out + 4 * i, bin32(op, x, y));
  }
  for (; i < n; i++) {
    const V x = side == 3 ? kv : side == 2 || side == 4 ? wasm_f32x4_splat((float)*(const uint8_t *)(a + i)) : LD1(a + 4 * i);
    const V y = side == 4 ? kv : side == 1 || side == 3 ? wasm_f32x4_splat((float)*(const uint8_t *)(b + i)) : LD1(b + 4 * i);
    ST1(out + 4 * i, bin32(op, x, y));
  }
}
EXPORT(ew_binary_bool)
void ew_binary_bool(uint32_t op, uint32_t side, uint32_t out, uint32_t a, uint32_t b, float k, uint32_t n) {
  switch (side) {
#define CALL(OP) binary_bool(OP, 1, out, a, b, k, n)
    case 1: DISPATCH_OP(op, CALL) break;
#undef CALL
#define CALL(OP) binary_bool(OP, 2, out, a, b, k, n)
    case 2: DISPATCH_OP(op, CALL) break;
#undef CALL
#define CALL(OP) binary_bool(OP, 3, out, a, b, k, n)
    case 3: DISPATCH_OP(op, CALL) break;
#undef CALL
#define CALL(OP) binary_bool(OP, 4, out, a, b, k, n)
    default: DISPATCH_OP(op, CALL) break;
#undef CALL
  }
}

/* k is float32-exact (or NaN): float32 SIMD. */
INLINE int f32_exact(double k) { return k != k || (double)(float)k == k; }

/* out[i] = a[i] op k */
EXPORT(ew_binary_vs)
void ew_binary_vs(uint32_t op, uint32_t out, uint32_t a, double k, uint32_t n) {
  if (f32_exact(k)) {
    V kv = wasm_f32x4_splat((float)k);
#define CALL(OP) binary32(OP, 1, out, a, 0, kv, n)
    DISPATCH_OP(op, CALL)
#undef CALL
  } else {
    V kv = wasm_f64x2_splat(k);
#define CALL(OP) binary_mixed(OP, 1, out, a, kv, n)
    DISPATCH_OP(op, CALL)
#undef CALL
  }
}

/* out[i] = k op b[i] */
EXPORT(ew_binary_sv)
void ew_binary_sv(uint32_t op, uint32_t out, double k, uint32_t b, uint32_t n) {
  if (f32_exact(k)) {
    V kv = wasm_f32x4_splat((float)k);
#define CALL(OP) binary32(OP, 2, out, 0, b, kv, n)
    DISPATCH_OP(op, CALL)
#undef CALL
  } else {
    V kv = wasm_f64x2_splat(k);
#define CALL(OP) binary_mixed(OP, 2, out, b, kv, n)
    DISPATCH_OP(op, CALL)
#undef CALL
  }
}

/*
 * A float32 op over `rows` rows of w values, out's row r at out + 4*r*orow: operand a (b alike) is the number
 * ka where a == 0, else its element (r, c) is at a + 4*(r*ar + c*ac), with ac 1 (contiguous along the
 * row) or 0 (one value per row, read as the kernels' scalar). One call for a whole broadcast op (x + row,
 * x * col), where a call per row cost ~1 us each; the same per-row kernels, so the same bits.
 */
EXPORT(ew_binary_rows)
void ew_binary_rows(uint32_t op, uint32_t out, uint32_t orow, uint32_t a, uint32_t ar, uint32_t ac, double ka, uint32_t b, uint32_t br,
                    uint32_t bc, double kb, uint32_t rows, uint32_t w) {
  const int va = a && ac, vb = b && bc;
  for (uint32_t r = 0; r < rows; r++) {
    const uint32_t o = out + 4 * r * orow, pa = a + 4 * r * ar, pb = b + 4 * r * br;
    if (va && vb) ew_binary_vv(op, o, pa, pb, w);
    else if (va) ew_binary_vs(op, o, pa, b ? (double)*(const float *)pb : kb, w);
    else if (vb) ew_binary_sv(op, o, a ? (double)*(const float *)pa : ka, pb, w);
  }
}

/* ---------------------------------------------------------------- float32 unary */

/* A signalling NaN made quiet, as JS's float32 -> float64 load does (NaN bits only). */
INLINE V quiet(V x) { return wasm_v128_or(x, wasm_v128_and(wasm_f32x4_ne(x, x), wasm_i32x4_splat(0x00400000))); }

/* ---------------------------------------------------------------- exp, as V8's Math.exp */

/*
 * exp of two doubles, bit for bit what Node 20's Math.exp gives: V8's port of fdlibm's e_exp.c
 * (src/base/ieee754.cc), done on both lanes at once. Per lane, as there:
 *   |x| <= 0.5 ln2 and >= 2^-28: k = 0, y = 1 - ((x*c)/(c - 2) - x);
 *   |x| > 0.5 ln2: k = (int)(x/ln2 +- 0.5), hi = x - k*ln2HI, lo = k*ln2LO, r = hi - lo,
 *                  y = (1 - ((lo - (r*c)/(2 - c)) - hi)) * 2^k  (the 0.5-1.5 ln2 branch of the C code
 *                  computes the same hi, lo and k = +-1);
 *   c = r - t*(P1 + t*(P2 + t*(P3 + t*(P4 + t*P5)))), t = r*r;
 *   |x| < 2^-28: 1 + x;  x == 1: E (V8's own special case);
 *   NaN: x + x; +inf: inf; -inf: 0; x > 709.78...: inf; x < -745.13...: 0;
 *   k < -1021: y * 2^(k+1000) * 2^-1000; k == 1024: y * 2 * 2^1023.
 * Every step is the same IEEE operation in the same order (no FMA: -ffp-contract=off).
 */
/*
 * exp64's constants, read from memory: bytes [EXP_TABLE, EXP_TABLE + sizeof(ExpK)) of the memory hold
 * them (written by simd.ts when it instantiates the module, inside the arena's reserved header).
 * Written as constants in the code, V8 re-creates a constant at each use (three instructions per double)
 * once it runs out of registers, and most of them are used on every element: 7.4 ms per 1M float32
 * elements, against ~11 ms for the JS loop over Math.exp and x here from memory.
 */
#define EXP_TABLE 64
typedef struct {
  V invln2, half, ln2hi, ln2lo, p1, p2, p3, p4, p5, one, two, magic, m1021, k1000, k1023, k1024, twom1000, two1023, e,
    inf, othr, uthr, absmask, redlim, tinylim, biglim, zero32;
  /* exp32's fast path (below): Taylor coefficients 1/9! .. 1/3!, the float32 range it takes, then 32-bit
   * integers: the low 29 bits of a double's mantissa, a float32 rounding midpoint there, the window. */
  V expc[7], fastlo, fasthi, low29, mid29, win29; /* expc: 1/9! .. 1/3! */
  /* log32_quick's: 1/15, 1/13, ..., 1/3 (doubles); sqrt(2) and 0.5 (float32s); then 32-bit integers: the
   * mantissa mask, 1.0f's bits, the exponent bias, the smallest normal's bits, the normal range, and
   * log's midpoint window. */
  V logc[7], sqrt2f, halff, mant, onebits, bias, minnorm, normrange, winlog; /* logc: 1/15 .. 1/3 */
  /* tanh64_quick's: 1/14! .. 1/3! (doubles), the branch point 0.55 (a double), then float32s: 2^-28 and 9.5 */
  V tanhc[12], tsplit, ttiny, tbig; /* tanhc: 1/14! .. 1/3! */
  /* sincos64_quick's: 2/pi and fdlibm's three 33-bit parts of pi/2, the sine's Taylor coefficients of
   * r^13 .. r^3, the cosine's of r^14 .. r^4, -0.0 (the sign bit), all doubles; 32-bit integers 1 and 2;
   * float32s 2^-12 and 2^18 (the quick range). */
  V invpio2, pio2_1, pio2_2, pio2_3, sinc[6], cosc[6], sign64, one32, two32, stiny, sbig; /* sinc: r^13 .. r^3, cosc: r^14 .. r^4 */
} ExpK;
/* An integer-valued double (|k| < 2^51) as an int64: the low mantissa bits of k + 1.5 * 2^52. */
INLINE V int64_of(V k, const ExpK *K) { return wasm_i64x2_sub(add64(k, K->magic), K->magic); }
/* c[0]*z^(n-1) + ... + c[n-1] by Horner's rule, from c[0]: p = c[0], then p = p*z + c[i] in order. */
INLINE V horner(V z, const V *c, const int n) {
  V p = c[0];
  for (int i = 1; i < n; i++) p = add64(mul64(p, z), c[i]);
  return p;
}
/* Both 32-bit halves of each 64-bit lane set where the high word (as an int32) compares. Comparisons
 * are on 32-bit lanes: clang scalarizes some 64-bit SIMD integer operations. */
INLINE V high_words(V x) { return wasm_i32x4_shuffle(x, x, 1, 1, 3, 3); }

INLINE V exp64(V x, const ExpK *K) {
  const V hw = high_words(x);
  const V hx = wasm_v128_and(hw, K->absmask);    /* |x|'s high word */
  const V neg = wasm_i32x4_lt(hw, K->zero32);    /* sign bit set */
  /* k = (int)(invln2*x + halF[xsb]) */
  const V half = wasm_v128_bitselect(wasm_f64x2_neg(K->half), K->half, neg);
  V kf = wasm_f64x2_trunc(add64(half, mul64(x, K->invln2)));
  const V red = wasm_i32x4_gt(hx, K->redlim);     /* |x| > 0.5 ln2 */
  kf = wasm_v128_and(kf, red);                   /* k = 0 elsewhere (+0.0) */
  /* hi = x - t*ln2HI, lo = t*ln2LO (t = k) */
  const V hi = wasm_f64x2_sub(x, mul64(kf, K->ln2hi));
  const V lo = mul64(kf, K->ln2lo);
  const V r = wasm_v128_bitselect(wasm_f64x2_sub(hi, lo), x, red);
  const V t = mul64(r, r);
  V p = mul64(t, K->p5);
  p = mul64(t, add64(K->p4, p));
  p = mul64(t, add64(K->p3, p));
  p = mul64(t, add64(K->p2, p));
  p = mul64(t, add64(K->p1, p));
  const V c = wasm_f64x2_sub(r, p);
  const V rc = mul64(r, c);
  /* k == 0: 1 - ((x*c)/(c - 2) - x) */
  const V y0 = wasm_f64x2_sub(K->one, wasm_f64x2_sub(wasm_f64x2_div(rc, wasm_f64x2_sub(c, K->two)), r));
  /* else 1 - ((lo - (x*c)/(2 - c)) - hi), scaled by 2^k */
  const V yk = wasm_f64x2_sub(K->one, wasm_f64x2_sub(wasm_f64x2_sub(lo, wasm_f64x2_div(rc, wasm_f64x2_sub(K->two, c))), hi));
  const V small = wasm_f64x2_lt(kf, K->m1021);
  const V top = wasm_f64x2_eq(kf, K->k1024);
  V ex = wasm_v128_bitselect(add64(kf, K->k1000), kf, small);
  ex = wasm_v128_bitselect(K->k1023, ex, top);
  const V twopk = wasm_i64x2_shl(int64_of(add64(ex, K->k1023), K), 52);
  V yr = mul64(yk, twopk);                                                    /* y * twopk */
  yr = wasm_v128_bitselect(mul64(yr, K->twom1000), yr, small);                 /* * twom1000 */
  yr = wasm_v128_bitselect(mul64(mul64(yk, K->two), K->two1023), yr, top);
  V res = wasm_v128_bitselect(yr, y0, red);
  res = wasm_v128_bitselect(add64(K->one, x), res, wasm_i32x4_lt(hx, K->tinylim)); /* |x| < 2^-28: 1 + x */
  res = wasm_v128_bitselect(K->e, res, wasm_f64x2_eq(x, K->one));                 /* x == 1: E */
  /* |x| >= 709.78...: overflow, underflow, inf, NaN */
  const V big = wasm_i32x4_ge(hx, K->biglim);
  if (wasm_v128_any_true(big)) {
    res = wasm_v128_bitselect(K->inf, res, wasm_v128_and(big, wasm_f64x2_gt(x, K->othr)));
    res = wasm_v128_bitselect(wasm_f64x2_sub(K->one, K->one), res, wasm_v128_and(big, wasm_f64x2_lt(x, K->uthr)));
    res = wasm_v128_bitselect(add64(x, x), res, wasm_f64x2_ne(x, x)); /* NaN (and +-inf handled above) */
  }
  return res;
}

/*
 * exp of two doubles, quickly and roughly: within 2^-36 relative of e^x (~6.1e4 ulps of a double, measured
 * over every 13th float32 in the range below) for -87.3 <= x <= 88.7, where e^x is a normal float32.
 * k = nearest(x/ln2), s = x - k*ln2 (|s| <= 0.35), e^s by its Taylor series to s^9 (truncation < 2^-37),
 * times 2^k (exact). *near: per lane, in the low 32 bits, whether y is within win29 ulps (of a double) of
 * a float32 rounding midpoint: only there can y and fdlibm's exp (within 1 ulp of e^x) round to different
 * floats.
 */
INLINE V exp64_core(V x, const ExpK *K) {
  const V k = wasm_f64x2_nearest(mul64(x, K->invln2));
  const V s = wasm_f64x2_sub(x, mul64(k, K->ln2hi));
  const V r = wasm_f64x2_sub(s, mul64(k, K->ln2lo));
  const V p = add64(mul64(horner(r, K->expc, 7), r), K->half);
  const V t = add64(r, mul64(mul64(r, r), p));
  const V twok = wasm_i64x2_shl(int64_of(add64(k, K->k1023), K), 52);
  return mul64(add64(K->one, t), twok);
}
/* Per lane, in its low 32 bits: whether double y lies within `win` ulps of a float32 rounding midpoint. */
INLINE V near_midpoint(V y, V win, const ExpK *K) {
  return wasm_i32x4_lt(wasm_i32x4_abs(wasm_i32x4_sub(wasm_v128_and(y, K->low29), K->mid29)), win);
}
INLINE V exp64_fast(V x, const ExpK *K, V *near) {
  const V y = exp64_core(x, K);
  *near = near_midpoint(y, K->win29, K);
  return y;
}

/*
 * fround(Math.exp(x)) for four float32s. The fast path's y rounds to the float32 that fdlibm's exp rounds
 * to unless a rounding midpoint lies between them, i.e. within their distance (< 2^16 ulps of a double,
 * measured) of y; lanes within win29 = 2^18 of a midpoint (~1 in 1000), or outside the fast range (NaN,
 * infinities, overflow, float32 denormals), send the four values through exp64, V8's algorithm. Same bits
 * as exp64 on every float32 (checked on all 2^32).
 */
/* Out of line: the rare case stays out of the fast loop's registers. */
__attribute__((noinline)) static V exp32_exact(V x, const ExpK *K) {
  const V lo = exp64(wasm_f64x2_promote_low_f32x4(x), K);
  const V hi = exp64(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(x, x, 2, 3, 2, 3)), K);
  return wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo), wasm_f32x4_demote_f64x2_zero(hi), 0, 1, 4, 5);
}

INLINE V exp32(V x, const ExpK *K) {
  const V xl = wasm_f64x2_promote_low_f32x4(x), xh = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(x, x, 2, 3, 2, 3));
  V nl, nh;
  V lo = exp64_fast(xl, K, &nl), hi = exp64_fast(xh, K, &nh);
  /* The low words' flags, one lane per float, or'ed with "not in range" (false for NaN's ge/le too). */
  const V inrange = wasm_v128_and(wasm_f32x4_ge(x, K->fastlo), wasm_f32x4_le(x, K->fasthi));
  if (wasm_v128_any_true(wasm_v128_or(wasm_i32x4_shuffle(nl, nh, 0, 2, 4, 6), wasm_v128_not(inrange)))) return exp32_exact(x, K);
  return wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo), wasm_f32x4_demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/* out[i] = fround(Math.exp(x[i])) for i < n, float32: 4 at a time, the tail one at a time. */
static void exp32_loop(uint32_t out, uint32_t x, uint32_t n) {
  const ExpK *K = (const ExpK *)EXP_TABLE;
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) ST(out + 4 * i, exp32(LD(x + 4 * i), K));
  for (; i < n; i++) ST1(out + 4 * i, exp32(LD1(x + 4 * i), K));
}

/* out[i] = 1 / (exp(-x[i]) + 1), each step rounded to float32 as the JS loop rounds it (a float32 add or
 * divide of float32 values is the float64 one rounded): exp32 of -x (exact), + 1, then 1 / that. */
static void sigmoid32_loop(uint32_t out, uint32_t x, uint32_t n) {
  const ExpK *K = (const ExpK *)EXP_TABLE;
  const V one = wasm_f32x4_splat(1.0f);
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) ST(out + 4 * i, wasm_f32x4_div(one, add32(exp32(wasm_f32x4_neg(LD(x + 4 * i)), K), one)));
  for (; i < n; i++) ST1(out + 4 * i, wasm_f32x4_div(one, add32(exp32(wasm_f32x4_neg(LD1(x + 4 * i)), K), one)));
}

INLINE V un32(const int op, V x) {
  switch (op) {
    case UN_NEG: return wasm_f32x4_neg(quiet(x));
    case UN_ABS: return wasm_f32x4_abs(quiet(x));
    case UN_SQRT: return wasm_f32x4_sqrt(x);
    case UN_RELU: /* x < 0 ? 0 : x */
      return wasm_v128_bitselect(wasm_f32x4_splat(0.0f), x, wasm_f32x4_lt(x, wasm_f32x4_splat(0.0f)));
    /* IEEE roundToIntegral: the float32 of Math.floor / ceil / trunc of the float, and round half to even */
    case UN_FLOOR: return wasm_f32x4_floor(x);
    case UN_CEIL: return wasm_f32x4_ceil(x);
    case UN_TRUNC: return wasm_f32x4_trunc(x);
    case UN_ROUND: return wasm_f32x4_nearest(x);
  }
  return x;
}

INLINE void unary32(const int op, uint32_t out, uint32_t x, uint32_t n) {
  uint32_t i = 0;
  for (; i + 16 <= n; i += 16) {
    uint32_t o = 4 * i;
    V v0 = LD(x + o), v1 = LD(x + o + 16), v2 = LD(x + o + 32), v3 = LD(x + o + 48);
    ST(out + o, un32(op, v0));
    ST(out + o + 16, un32(op, v1));
    ST(out + o + 32, un32(op, v2));
    ST(out + o + 48, un32(op, v3));
  }
  for (; i + 4 <= n; i += 4) ST(out + 4 * i, un32(op, LD(x + 4 * i)));
  for (; i < n; i++) ST1(out + 4 * i, un32(op, LD1(x + 4 * i)));
}

EXPORT(ew_unary)
void ew_unary(uint32_t op, uint32_t out, uint32_t x, uint32_t n) {
  switch (op) {
    case UN_NEG: unary32(UN_NEG, out, x, n); break;
    case UN_ABS: unary32(UN_ABS, out, x, n); break;
    case UN_SQRT: unary32(UN_SQRT, out, x, n); break;
    case UN_RELU: unary32(UN_RELU, out, x, n); break;
    case UN_FLOOR: unary32(UN_FLOOR, out, x, n); break;
    case UN_CEIL: unary32(UN_CEIL, out, x, n); break;
    case UN_TRUNC: unary32(UN_TRUNC, out, x, n); break;
    case UN_ROUND: unary32(UN_ROUND, out, x, n); break;
    case UN_EXP: exp32_loop(out, x, n); break;
    case UN_SIGMOID: sigmoid32_loop(out, x, n); break;
  }
}

/* ---------------------------------------------------------------- log, quickly, with JS finishing */

/*
 * log of two floats given as m (float32 in [sqrt(1/2), sqrt(2)), promoted) and e (their exponents, as
 * doubles): s = (m - 1)/(m + 1), log(m) = 2s(1 + z/3 + z^2/5 + ... + z^7/15) with z = s^2 (|s| < 0.172,
 * truncation < 2^-44), log(x) = e*ln2HI + (log(m) + e*ln2LO). Within 2^8 double ulps of fdlibm's log on
 * every positive normal float32 (measured on every 7th); *near as in exp64_fast, with log's window.
 */
INLINE V log64_quick(V m, V e, const ExpK *K, V *near) {
  const V s = wasm_f64x2_div(wasm_f64x2_sub(m, K->one), add64(m, K->one));
  const V z = mul64(s, s);
  const V p = horner(z, K->logc, 7);
  const V s2 = add64(s, s);
  const V lm = add64(s2, mul64(s2, mul64(z, p)));
  const V y = add64(mul64(e, K->ln2hi), add64(lm, mul64(e, K->ln2lo)));
  *near = near_midpoint(y, K->winlog, K);
  return y;
}

/* Four float32 logs; *bad: the lanes whose value must come from Math.log (a denormal x, or y near a
 * rounding midpoint). Zeros give -inf, negatives and NaNs NaN, +inf +inf, as Math.log. */
INLINE V log32_quick(V x, const ExpK *K, V *bad) {
  V e = wasm_i32x4_sub(wasm_u32x4_shr(x, 23), K->bias);
  V m = wasm_v128_or(wasm_v128_and(x, K->mant), K->onebits);      /* [1, 2) */
  const V big = wasm_f32x4_gt(m, K->sqrt2f);
  m = wasm_v128_bitselect(wasm_f32x4_mul(m, K->halff), m, big);   /* [sqrt(1/2), sqrt(2)), exactly */
  e = wasm_i32x4_sub(e, big);                                     /* big lanes are -1 */
  V nl, nh;
  const V lo = log64_quick(wasm_f64x2_promote_low_f32x4(m), wasm_f64x2_convert_low_i32x4(e), K, &nl);
  const V hi = log64_quick(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(m, m, 2, 3, 2, 3)),
                           wasm_f64x2_convert_low_i32x4(wasm_i32x4_shuffle(e, e, 2, 3, 2, 3)), K, &nh);
  V r = wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo), wasm_f32x4_demote_f64x2_zero(hi), 0, 1, 4, 5);
  /* positive normal: bits - minnorm < normrange, unsigned (false for 0, negatives, denormals, inf, NaN) */
  const V normal = wasm_u32x4_lt(wasm_i32x4_sub(x, K->minnorm), K->normrange);
  const V near = wasm_i32x4_shuffle(nl, nh, 0, 2, 4, 6);
  if (!wasm_v128_any_true(wasm_v128_not(normal))) { *bad = near; return r; }
  const V zero = wasm_f32x4_eq(x, wasm_f32x4_splat(0.0f));
  const V nan = wasm_v128_or(wasm_f32x4_ne(x, x), wasm_f32x4_lt(x, wasm_f32x4_splat(0.0f))); /* NaN or < 0 */
  const V pinf = wasm_f32x4_eq(x, wasm_f32x4_splat(__builtin_inff()));
  r = wasm_v128_bitselect(wasm_f32x4_splat(-__builtin_inff()), r, zero);
  r = wasm_v128_bitselect(wasm_i32x4_splat(CANON_NAN32), r, nan);
  r = wasm_v128_bitselect(x, r, pinf);
  /* denormals: not normal and none of the above */
  *bad = wasm_v128_or(near, wasm_v128_andnot(wasm_v128_not(normal), wasm_v128_or(wasm_v128_or(zero, nan), pinf)));
  return r;
}

/*
 * tanh of two doubles a = |x| with 2^-28 <= a <= 9.5, quickly: within 2^14.4 double ulps of fdlibm's tanh
 * (measured on every 13th float32). a < 0.55: m = expm1(2a) by its Taylor series to the 14th power
 * (truncation < 2^-38), tanh = m / (m + 2); else E = e^(2a) (exp64_core), tanh = 1 - 2/(E + 1).
 */
INLINE V tanh64_quick(V a, const ExpK *K) {
  const V y = add64(a, a);
  const V p = add64(mul64(horner(y, K->tanhc, 12), y), K->half);
  const V m = add64(y, mul64(mul64(y, y), p));
  const V small = wasm_f64x2_div(m, add64(m, K->two));
  const V E = exp64_core(y, K);
  const V large = wasm_f64x2_sub(K->one, wasm_f64x2_div(K->two, add64(E, K->one)));
  return wasm_v128_bitselect(small, large, wasm_f64x2_lt(a, K->tsplit));
}

/* Four float32 tanhs; *bad: lanes near a rounding midpoint. |x| < 2^-28 (denormals, zeros) gives x,
 * |x| > 9.5 (infinities) +-1, NaN NaN, as Math.tanh's float32 rounding does. */
INLINE V tanh32_quick(V x, const ExpK *K, V *bad) {
  const V a = wasm_f32x4_abs(x);
  const V sign = wasm_v128_xor(x, a);
  const V lo = tanh64_quick(wasm_f64x2_promote_low_f32x4(a), K), hi = tanh64_quick(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(a, a, 2, 3, 2, 3)), K);
  V r = wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo), wasm_f32x4_demote_f64x2_zero(hi), 0, 1, 4, 5);
  const V tiny = wasm_f32x4_lt(a, K->ttiny), big = wasm_f32x4_gt(a, K->tbig);
  r = wasm_v128_bitselect(a, r, tiny);
  r = wasm_v128_bitselect(wasm_f32x4_splat(1.0f), r, big);
  r = wasm_v128_bitselect(wasm_i32x4_splat(CANON_NAN32), r, wasm_f32x4_ne(x, x));
  const V quick = wasm_v128_not(wasm_v128_or(wasm_v128_or(tiny, big), wasm_f32x4_ne(x, x)));
  *bad = wasm_v128_and(quick, wasm_i32x4_shuffle(near_midpoint(lo, K->win29, K), near_midpoint(hi, K->win29, K), 0, 2, 4, 6));
  return wasm_v128_or(r, sign); /* tanh is odd: the sign of x (NaN's sign too, as x's) */
}

/*
 * sin (cosine = 0) or cos of two doubles with 2^-12 <= |x| < 2^18, quickly: k = nearest(x*2/pi),
 * r = x - k*pi/2 in three exact-product steps (|r| <= pi/4), sin r and cos r by their Taylor series to r^13
 * and r^14, the quadrant (k, plus one for cos) picking +-sin r or +-cos r. Within 2^7.5 double ulps of
 * fdlibm's sin and cos (measured on every 7th float32 of the range).
 */
INLINE V sincos64_quick(V x, const ExpK *K, const int cosine) {
  const V k = wasm_f64x2_nearest(mul64(x, K->invpio2));
  V r = wasm_f64x2_sub(x, mul64(k, K->pio2_1));
  r = wasm_f64x2_sub(r, mul64(k, K->pio2_2));
  r = wasm_f64x2_sub(r, mul64(k, K->pio2_3));
  const V z = mul64(r, r);
  const V sn = add64(r, mul64(mul64(r, z), horner(z, K->sinc, 6)));
  const V pc = horner(z, K->cosc, 6);
  const V cs = add64(wasm_f64x2_sub(K->one, mul64(K->half, z)), mul64(mul64(z, z), pc));
  V q = wasm_i32x4_trunc_sat_f64x2_zero(k);
  if (cosine) q = wasm_i32x4_add(q, K->one32);
  const V swap = wasm_i64x2_extend_low_i32x4(wasm_i32x4_eq(wasm_v128_and(q, K->one32), K->one32));
  const V neg = wasm_i64x2_extend_low_i32x4(wasm_i32x4_eq(wasm_v128_and(q, K->two32), K->two32));
  return wasm_v128_xor(wasm_v128_bitselect(cs, sn, swap), wasm_v128_and(neg, K->sign64));
}

/* Four float32 sines or cosines; *bad: lanes near a rounding midpoint, or |x| >= 2^18 (left to JS Math).
 * |x| < 2^-12 gives x (sin) or 1 (cos), which fdlibm's value rounds to; infinities and NaN give NaN. */
INLINE V sincos32_quick(V x, const ExpK *K, const int cosine, V *bad) {
  const V a = wasm_f32x4_abs(x);
  const V lo = sincos64_quick(wasm_f64x2_promote_low_f32x4(x), K, cosine);
  const V hi = sincos64_quick(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(x, x, 2, 3, 2, 3)), K, cosine);
  V r = wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo), wasm_f32x4_demote_f64x2_zero(hi), 0, 1, 4, 5);
  const V tiny = wasm_f32x4_lt(a, K->stiny), big = wasm_f32x4_ge(a, K->sbig);   /* big: NaN false */
  const V nonfinite = wasm_v128_not(wasm_f32x4_lt(a, wasm_f32x4_splat(__builtin_inff())));  /* inf, NaN */
  r = wasm_v128_bitselect(cosine ? wasm_f32x4_splat(1.0f) : x, r, tiny);
  r = wasm_v128_bitselect(wasm_i32x4_splat(CANON_NAN32), r, nonfinite);
  const V near = wasm_i32x4_shuffle(near_midpoint(lo, K->winlog, K), near_midpoint(hi, K->winlog, K), 0, 2, 4, 6);
  *bad = wasm_v128_andnot(wasm_v128_or(near, big), wasm_v128_or(tiny, nonfinite));
  return r;
}

enum { Q_LOG = 0, Q_TANH = 1, Q_SIN = 2, Q_COS = 3 };
/*
 * out[i] = fround(Math.fn(x[i])) (fn: log, tanh, sin or cos) for i from 0 on, until the first element the quick
 * path cannot vouch for: returns its index (n when none; the last n % 4 elements are left to the caller
 * too). Everything before it is written, nothing after (x may be out: an element after it may still be
 * needed).
 */
INLINE uint32_t quick_loop(const int op, uint32_t out, uint32_t x, uint32_t n) {
  const ExpK *K = (const ExpK *)EXP_TABLE;
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    V bad;
    const V v = LD(x + 4 * i);
    const V r = op == Q_LOG ? log32_quick(v, K, &bad) : op == Q_TANH ? tanh32_quick(v, K, &bad) : sincos32_quick(v, K, op == Q_COS, &bad);
    if (wasm_v128_any_true(bad)) {
      const uint32_t first = __builtin_ctz(wasm_i32x4_bitmask(bad));
      if (first > 0) wasm_v128_store32_lane((void *)(out + 4 * i), r, 0);
      if (first > 1) wasm_v128_store32_lane((void *)(out + 4 * i + 4), r, 1);
      if (first > 2) wasm_v128_store32_lane((void *)(out + 4 * i + 8), r, 2);
      return i + first;
    }
    ST(out + 4 * i, r);
  }
  return i;
}
EXPORT(ew_unary_quick)
uint32_t ew_unary_quick(uint32_t op, uint32_t out, uint32_t x, uint32_t n) {
  switch (op) {
    case Q_LOG: return quick_loop(Q_LOG, out, x, n);
    case Q_TANH: return quick_loop(Q_TANH, out, x, n);
    case Q_SIN: return quick_loop(Q_SIN, out, x, n);
    default: return quick_loop(Q_COS, out, x, n);
  }
}

/* ---------------------------------------------------------------- fill / copy */

/* out[i] = (float)v (round to nearest even, as a Float32Array store) */
EXPORT(ew_fill)
void ew_fill(uint32_t out, double v, uint32_t n) {
  V k = wasm_f32x4_splat((float)v);
  uint32_t i = 0;
  for (; i + 16 <= n; i += 16) {
    uint32_t o = 4 * i;
    ST(out + o, k); ST(out + o + 16, k); ST(out + o + 32, k); ST(out + o + 48, k);
  }
  for (; i + 4 <= n; i += 4) ST(out + 4 * i, k);
  for (; i < n; i++) ST1(out + 4 * i, k);
}

/* out[i] = x[i], n float32 (identical or disjoint ranges), bit for bit. (The JS copy loop gives the same
 * bits once V8 has optimised it; its first, interpreted runs turn signalling NaNs quiet.) */
EXPORT(ew_copy)
void ew_copy(uint32_t out, uint32_t x, uint32_t n) {
  if (out == x) return;
  uint32_t i = 0;
  for (; i + 16 <= n; i += 16) {
    uint32_t o = 4 * i;
    V v0 = LD(x + o), v1 = LD(x + o + 16), v2 = LD(x + o + 32), v3 = LD(x + o + 48);
    ST(out + o, v0); ST(out + o + 16, v1); ST(out + o + 32, v2); ST(out + o + 48, v3);
  }
  for (; i + 4 <= n; i += 4) ST(out + 4 * i, LD(x + 4 * i));
  for (; i < n; i++) ST1(out + 4 * i, LD1(x + 4 * i));
}

/*
 * A transposed copy of 32-bit values: out[i*w + j] = x[j*ld + i] for rows i0 <= i < i1 of the output and
 * 0 <= j < w (out: rows of w values; x: the source, whose columns are the output's rows). 4x4 tiles: four
 * loads of four values down x's columns, transposed in registers, four stores along out's rows; the last
 * w % 4 columns and i1 - i0 % 4 rows one value at a time. Moves bits (as copyF32).
 */
EXPORT(ew_transpose32)
void ew_transpose32(uint32_t out, uint32_t x, uint32_t i0, uint32_t i1, uint32_t w, uint32_t ld) {
  uint32_t i = i0;
  for (; i + 4 <= i1; i += 4) {
    uint32_t j = 0;
    for (; j + 4 <= w; j += 4) {
      const uint32_t src = x + 4 * (j * ld + i);
      const V r0 = LD(src), r1 = LD(src + 4 * ld), r2 = LD(src + 8 * ld), r3 = LD(src + 12 * ld);
      /* r_k = x[j+k][i..i+3]; out row i+m gets (r0[m], r1[m], r2[m], r3[m]) */
      const V t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
      const V t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
      const uint32_t dst = out + 4 * (i * w + j);
      ST(dst, wasm_i64x2_shuffle(t0, t2, 0, 2));
      ST(dst + 4 * w, wasm_i64x2_shuffle(t0, t2, 1, 3));
      ST(dst + 8 * w, wasm_i64x2_shuffle(t1, t3, 0, 2));
      ST(dst + 12 * w, wasm_i64x2_shuffle(t1, t3, 1, 3));
    }
    for (; j < w; j++)
      for (uint32_t m = 0; m < 4; m++) *(uint32_t *)(out + 4 * ((i + m) * w + j)) = *(const uint32_t *)(x + 4 * (j * ld + i + m));
  }
  for (; i < i1; i++)
    for (uint32_t j = 0; j < w; j++) *(uint32_t *)(out + 4 * (i * w + j)) = *(const uint32_t *)(x + 4 * (j * ld + i));
}

/* ---------------------------------------------------------------- block reductions */

#define PROMOTE_LO(v) wasm_f64x2_promote_low_f32x4(v)
#define PROMOTE_HI(v) wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle((v), (v), 2, 3, 2, 3))

/* with_y: sum of x[j] * y[j] (float64 products), else sum of x[j]. */
INLINE double block32(const int with_y, uint32_t x, uint32_t y, uint32_t n) {
  V acc01 = wasm_f64x2_splat(0.0), acc23 = wasm_f64x2_splat(0.0);
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    V v = LD(x + 4 * i);
    V lo = PROMOTE_LO(v), hi = PROMOTE_HI(v);
    if (with_y) {
      V w = LD(y + 4 * i);
      lo = wasm_f64x2_mul(lo, PROMOTE_LO(w));
      hi = wasm_f64x2_mul(hi, PROMOTE_HI(w));
    }
    acc01 = wasm_f64x2_add(acc01, lo);
    acc23 = wasm_f64x2_add(acc23, hi);
  }
  /* scalar tail: exact IEEE float64 adds, in the same order as the JS loop */
  double a0 = wasm_f64x2_extract_lane(acc01, 0), a1 = wasm_f64x2_extract_lane(acc01, 1);
  double a2 = wasm_f64x2_extract_lane(acc23, 0), a3 = wasm_f64x2_extract_lane(acc23, 1);
  const float *xs = (const float *)(uintptr_t)x;
  const float *ys = (const float *)(uintptr_t)y;
#define TERM(j) (with_y ? (double)xs[j] * (double)ys[j] : (double)xs[j])
  if (i < n) { a0 += TERM(i); i++; }
  if (i < n) { a1 += TERM(i); i++; }
  if (i < n) { a2 += TERM(i); i++; }
#undef TERM
  return (a0 + a1) + (a2 + a3);
}

/* The protocol's float64 block sum of n float32 at x (callers pass n <= REDUCE_BLOCK). */
EXPORT(ew_block_sum)
double ew_block_sum(uint32_t x, uint32_t n) { return block32(0, x, 0, n); }

/* out[r] (doubles) = the sum of m floats from x + 4*r*stride, as runReduce's loop over blocks: total = 0,
 * then total += the block sum of each `block` elements in order. One call for all rows of x.sum(1). */
EXPORT(ew_sum_rows)
void ew_sum_rows(uint32_t out, uint32_t x, uint32_t rows, uint32_t m, uint32_t stride, uint32_t block) {
  for (uint32_t r = 0; r < rows; r++) {
    double total = 0;
    for (uint32_t b0 = 0; b0 < m; b0 += block) total += block32(0, x + 4 * (r * stride + b0), 0, m - b0 < block ? m - b0 : block);
    *(double *)(out + 8 * r) = total;
  }
}

/* ---------------------------------------------------------------- float32 comparisons into bool bytes */

/* kernels.ts's JS loop: dst = +(x OP y), compared as doubles; on float32 operands (and a float32 scalar)
 * that is the float32 comparison, NaN included (only != holds for NaN). */
enum { CMP_EQ = 0, CMP_NE = 1, CMP_LT = 2, CMP_LE = 3, CMP_GT = 4, CMP_GE = 5 };
INLINE V cmp32(const int op, V a, V b) {
  switch (op) {
    case CMP_EQ: return wasm_f32x4_eq(a, b);
    case CMP_NE: return wasm_f32x4_ne(a, b);
    case CMP_LT: return wasm_f32x4_lt(a, b);
    case CMP_LE: return wasm_f32x4_le(a, b);
    case CMP_GT: return wasm_f32x4_gt(a, b);
    default: return wasm_f32x4_ge(a, b);
  }
}
INLINE int cmp1(const int op, float a, float b) {
  switch (op) {
    case CMP_EQ: return a == b;
    case CMP_NE: return a != b;
    case CMP_LT: return a < b;
    case CMP_LE: return a <= b;
    case CMP_GT: return a > b;
    default: return a >= b;
  }
}
/* form: 0 vector-vector, 1 vector-scalar (a[i] op k), 2 scalar-vector (k op b[i]); out: n bytes of 0/1 */
INLINE void compare32(const int op, const int form, uint32_t out, uint32_t a, uint32_t b, float k, uint32_t n) {
  const V kv = wasm_f32x4_splat(k), one = wasm_i8x16_splat(1);
  uint32_t i = 0;
  for (; i + 16 <= n; i += 16) {
    V m[4];
    for (int j = 0; j < 4; j++) {
      const uint32_t o = 4 * (i + 4 * j);
      m[j] = cmp32(op, form == 2 ? kv : LD(a + o), form == 1 ? kv : LD(b + o));
    }
    const V bytes = wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(m[0], m[1]), wasm_i16x8_narrow_i32x4(m[2], m[3]));
    ST(out + i, wasm_v128_and(bytes, one)); /* (all-ones lanes narrow to -1) */
  }
  for (; i < n; i++) {
    const float x = form == 2 ? k : *(const float *)(a + 4 * i), y = form == 1 ? k : *(const float *)(b + 4 * i);
    *(uint8_t *)(out + i) = (uint8_t)cmp1(op, x, y);
  }
}
#define COMPARE_FORMS(OP)                                  \
  switch (form) {                                          \
    case 0: compare32(OP, 0, out, a, b, k, n); break;      \
    case 1: compare32(OP, 1, out, a, b, k, n); break;      \
    default: compare32(OP, 2, out, a, b, k, n); break;     \
  }
EXPORT(ew_compare)
void ew_compare(uint32_t op, uint32_t form, uint32_t out, uint32_t a, uint32_t b, float k, uint32_t n) {
  switch (op) {
    case CMP_EQ: COMPARE_FORMS(CMP_EQ) break;
    case CMP_NE: COMPARE_FORMS(CMP_NE) break;
    case CMP_LT: COMPARE_FORMS(CMP_LT) break;
    case CMP_LE: COMPARE_FORMS(CMP_LE) break;
    case CMP_GT: COMPARE_FORMS(CMP_GT) break;
    default: COMPARE_FORMS(CMP_GE) break;
  }
}
#undef COMPARE_FORMS

/* ---------------------------------------------------------------- where, float32 */

/* out[i] = c[i] ? a[i] : b[i] with c bytes (nonzero: true), a and b float32 arrays or, with the flag
 * set, the float32 scalar ka / kb. A selection: every value is copied, not computed. */
INLINE void where32(const int as, const int bs, uint32_t out, uint32_t c, uint32_t a, uint32_t b, float ka, float kb, uint32_t n) {
  const V kav = wasm_f32x4_splat(ka), kbv = wasm_f32x4_splat(kb), zero = wasm_i32x4_splat(0);
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const V w = wasm_i32x4_extend_low_i16x8(wasm_i16x8_extend_low_i8x16(wasm_v128_load32_zero((const void *)(c + i))));
    const V m = wasm_i32x4_ne(w, zero);
    ST(out + 4 * i, wasm_v128_bitselect(as ? kav : LD(a + 4 * i), bs ? kbv : LD(b + 4 * i), m));
  }
  for (; i < n; i++) {
    const V m = wasm_i32x4_ne(wasm_i32x4_splat(*(const uint8_t *)(c + i)), zero);
    ST1(out + 4 * i, wasm_v128_bitselect(as ? kav : LD1(a + 4 * i), bs ? kbv : LD1(b + 4 * i), m));
  }
}
EXPORT(ew_where)
void ew_where(uint32_t scalars, uint32_t out, uint32_t c, uint32_t a, uint32_t b, float ka, float kb, uint32_t n) {
  switch (scalars) { /* bit 0: a is the scalar ka, bit 1: b is kb */
    case 0: where32(0, 0, out, c, a, b, ka, kb, n); break;
    case 1: where32(1, 0, out, c, a, b, ka, kb, n); break;
    case 2: where32(0, 1, out, c, a, b, ka, kb, n); break;
    default: where32(1, 1, out, c, a, b, ka, kb, n); break;
  }
}

/* ---------------------------------------------------------------- column sums, float32 */

/*
 * out[j] = sum over i < m of x[i·stride + j] for j < w (float32 in and out, stride in elements): the sum
 * along a dimension that is not the innermost (x.sum(0)), four columns at a time, reading each row in
 * order. Each column gets the protocol's operations in its order, as the JS reduce loop does one column
 * at a time: blocks of `block` rows, element i of a block into float64 accumulator (i - block start) % 4,
 * a block as (a0 + a1) + (a2 + a3), block totals added to 0 left to right; then rounded to float32.
 */
EXPORT(ew_sum_cols)
void ew_sum_cols(uint32_t out, uint32_t x, uint32_t m, uint32_t w, uint32_t stride, uint32_t block) {
  const uint32_t rs = 4 * stride;
  uint32_t j = 0;
  for (; j + 4 <= w; j += 4) {
    V tlo = wasm_f64x2_splat(0), thi = tlo;
    for (uint32_t b0 = 0; b0 < m; b0 += block) {
      const uint32_t b1 = m - b0 < block ? m : b0 + block;
      V a0l = wasm_f64x2_splat(0), a0h = a0l, a1l = a0l, a1h = a0l, a2l = a0l, a2h = a0l, a3l = a0l, a3h = a0l;
      uint32_t i = b0, p = x + 4 * j + b0 * rs;
#define ROW(L, H, P)                                                                               \
      {                                                                                            \
        const V v = LD(P);                                                                         \
        L = add64(wasm_f64x2_promote_low_f32x4(v), L);                                             \
        H = add64(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3)), H);          \
      }
      for (; i + 3 < b1; i += 4, p += 4 * rs) {
        ROW(a0l, a0h, p) ROW(a1l, a1h, p + rs) ROW(a2l, a2h, p + 2 * rs) ROW(a3l, a3h, p + 3 * rs)
      }
      if (i < b1) { ROW(a0l, a0h, p) i++; p += rs; }
      if (i < b1) { ROW(a1l, a1h, p) i++; p += rs; }
      if (i < b1) { ROW(a2l, a2h, p) }
#undef ROW
      tlo = add64(add64(add64(a1l, a0l), add64(a3l, a2l)), tlo);
      thi = add64(add64(add64(a1h, a0h), add64(a3h, a2h)), thi);
    }
    ST(out + 4 * j, wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(tlo), wasm_f32x4_demote_f64x2_zero(thi), 0, 1, 4, 5));
  }
  for (; j < w; j++) {
    double t = 0;
    for (uint32_t b0 = 0; b0 < m; b0 += block) {
      const uint32_t b1 = m - b0 < block ? m : b0 + block;
      double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      uint32_t i = b0, p = x + 4 * j + b0 * rs;
      for (; i + 3 < b1; i += 4, p += 4 * rs) {
        a0 += *(const float *)p; a1 += *(const float *)(p + rs); a2 += *(const float *)(p + 2 * rs); a3 += *(const float *)(p + 3 * rs);
      }
      if (i < b1) { a0 += *(const float *)p; i++; p += rs; }
      if (i < b1) { a1 += *(const float *)p; i++; p += rs; }
      if (i < b1) { a2 += *(const float *)p; }
      t += (a0 + a1) + (a2 + a3);
    }
    *(float *)(out + 4 * j) = (float)t;
  }
}

/* ---------------------------------------------------------------- max / min of a block, float32 */

/* The JS loop's max (min) of x[0..n): NaN if any element is NaN, else the largest (smallest) value,
 * kept on ties, so a zero answer has the sign of the first zero met: per lane that is pmax / pmin's rule,
 * across lanes it is not, so a zero answer is returned as is and the caller redoes that block in order.
 * Every other answer is the one value it can be. */
EXPORT(ew_block_minmax)
double ew_block_minmax(uint32_t x, uint32_t n, uint32_t is_min) {
  V acc = wasm_f32x4_splat(is_min ? __builtin_inff() : -__builtin_inff()), nan = wasm_i32x4_splat(0);
  uint32_t i = 0;
  if (is_min) {
    for (; i + 4 <= n; i += 4) { const V v = LD(x + 4 * i); nan = wasm_v128_or(nan, wasm_f32x4_ne(v, v)); acc = wasm_f32x4_pmin(acc, v); }
  } else {
    for (; i + 4 <= n; i += 4) { const V v = LD(x + 4 * i); nan = wasm_v128_or(nan, wasm_f32x4_ne(v, v)); acc = wasm_f32x4_pmax(acc, v); }
  }
  if (wasm_v128_any_true(nan)) return __builtin_nan("");
  float r = wasm_f32x4_extract_lane(acc, 0);
  const float l1 = wasm_f32x4_extract_lane(acc, 1), l2 = wasm_f32x4_extract_lane(acc, 2), l3 = wasm_f32x4_extract_lane(acc, 3);
  if (is_min ? l1 < r : l1 > r) r = l1;
  if (is_min ? l2 < r : l2 > r) r = l2;
  if (is_min ? l3 < r : l3 > r) r = l3;
  for (; i < n; i++) {
    const float v = *(const float *)(x + 4 * i);
    if (v != v) return __builtin_nan("");
    if (is_min ? v < r : v > r) r = v;
  }
  return r;
}

/* The protocol's float64 block sum of x[j] * y[j]. */
EXPORT(ew_block_dot)
double ew_block_dot(uint32_t x, uint32_t y, uint32_t n) { return block32(1, x, y, n); }

/* ================================================================ 64-bit elements: float64 and int64 */

/*
 * float64 and int64 tensors both live in Float64Arrays (int64 as integer-valued doubles), and the JS
 * loops compute on them in float64, as these kernels do: one IEEE operation per step, bin64 / cmp64 in
 * the JS loop's operand order. What a result is stored as, `kind`:
 *   K_F64  as is (a float64 output);
 *   K_I64  truncated toward zero, then + 0 (an int64 output, the JS loop's Math.trunc(v) + 0 store:
 *          f64x2.trunc is the same IEEE roundToIntegralTowardZero, NaN included, and adding +0 turns
 *          -0 into 0, as an integer has no negative zero);
 *   K_F32  rounded to float32 (a float32 output, the Float32Array store: round to nearest even, which is
 *          f32x4.demote_f64x2_zero);
 *   K_BOOL a byte, 1 where the value is not 0 (NaN included), else 0 (the bool store).
 */
enum { K_F64 = 0, K_I64 = 1, K_F32 = 2, K_BOOL = 3 };
#define LD64(p) wasm_v128_load64_zero((const void *)(p))
#define ST64(p, v) wasm_v128_store64_lane((void *)(p), (v), 0)

INLINE V fix64(const int kind, V r) { return kind == K_I64 ? wasm_f64x2_add(wasm_f64x2_trunc(r), wasm_f64x2_splat(0.0)) : r; }
/* r0's two doubles then r1's, rounded to float32, in one vector. */
INLINE V demote2(V r0, V r1) {
  return wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(r0), wasm_f32x4_demote_f64x2_zero(r1), 0, 1, 4, 5);
}
/* Four 64-bit lane masks (m0's two, then m1's) as bytes 0/1 in lanes 0..3. */
INLINE V mask_bytes4(V m0, V m1) {
  const V w = wasm_i32x4_shuffle(m0, m1, 0, 2, 4, 6);
  const V h = wasm_i16x8_narrow_i32x4(w, w);
  return wasm_v128_and(wasm_i8x16_narrow_i16x8(h, h), wasm_i8x16_splat(1));
}

/* out[i] = kind(a[i] op b[i]) over 64-bit a and b (form as binary32: 1 b is k, 2 a is k); out is 64-bit,
 * or float32 for K_F32. */
INLINE void binary64(const int op, const int form, const int kind, uint32_t out, uint32_t a, uint32_t b, V k, uint32_t n) {
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const uint32_t p = 8 * i;
    const V x0 = form != 2 ? LD(a + p) : k, x1 = form != 2 ? LD(a + p + 16) : k;
    const V y0 = form != 1 ? LD(b + p) : k, y1 = form != 1 ? LD(b + p + 16) : k;
    const V r0 = fix64(kind, bin64(op, x0, y0)), r1 = fix64(kind, bin64(op, x1, y1));
    if (kind == K_F32) ST(out + 4 * i, demote2(r0, r1));
    else { ST(out + p, r0); ST(out + p + 16, r1); }
  }
  for (; i < n; i++) {
    const V x = form != 2 ? LD64(a + 8 * i) : k, y = form != 1 ? LD64(b + 8 * i) : k;
    const V r = fix64(kind, bin64(op, x, y));
    if (kind == K_F32) ST1(out + 4 * i, wasm_f32x4_demote_f64x2_zero(r));
    else ST64(out + 8 * i, r);
  }
}
#define BIN64_CASE(F, K)                                                     \
  case (F) * 4 + (K):                                                        \
    switch (op) {                                                            \
      case OP_ADD: binary64(OP_ADD, F, K, out, a, b, kv, n); break;          \
      case OP_SUB: binary64(OP_SUB, F, K, out, a, b, kv, n); break;          \
      case OP_MUL: binary64(OP_MUL, F, K, out, a, b, kv, n); break;          \
      case OP_DIV: binary64(OP_DIV, F, K, out, a, b, kv, n); break;          \
      case OP_MAX: binary64(OP_MAX, F, K, out, a, b, kv, n); break;          \
      case OP_MIN: binary64(OP_MIN, F, K, out, a, b, kv, n); break;          \
    }                                                                        \
    break;
/* out[i] = a[i] op b[i] over float64 / int64 buffers, stored as `kind` (K_F64, K_I64 or K_F32). */
EXPORT(ew64_binary)
void ew64_binary(uint32_t op, uint32_t form, uint32_t kind, uint32_t out, uint32_t a, uint32_t b, double k, uint32_t n) {
  const V kv = wasm_f64x2_splat(k);
  switch (form * 4 + kind) {
    BIN64_CASE(0, K_F64) BIN64_CASE(0, K_I64) BIN64_CASE(0, K_F32)
    BIN64_CASE(1, K_F64) BIN64_CASE(1, K_I64) BIN64_CASE(1, K_F32)
    BIN64_CASE(2, K_F64) BIN64_CASE(2, K_I64) BIN64_CASE(2, K_F32)
  }
}
#undef BIN64_CASE

INLINE V cmp64(const int op, V a, V b) {
  switch (op) {
    case CMP_EQ: return wasm_f64x2_eq(a, b);
    case CMP_NE: return wasm_f64x2_ne(a, b);
    case CMP_LT: return wasm_f64x2_lt(a, b);
    case CMP_LE: return wasm_f64x2_le(a, b);
    case CMP_GT: return wasm_f64x2_gt(a, b);
    default: return wasm_f64x2_ge(a, b);
  }
}
INLINE int cmp1d(const int op, double a, double b) {
  switch (op) {
    case CMP_EQ: return a == b;
    case CMP_NE: return a != b;
    case CMP_LT: return a < b;
    case CMP_LE: return a <= b;
    case CMP_GT: return a > b;
    default: return a >= b;
  }
}
/* out[i] = a[i] op b[i] (0/1 bytes) over float64 / int64 buffers, form as binary64. */
INLINE void compare64(const int op, const int form, uint32_t out, uint32_t a, uint32_t b, double k, uint32_t n) {
  const V kv = wasm_f64x2_splat(k);
  uint32_t i = 0;
  for (; i + 8 <= n; i += 8) {
    V m[4];
    for (int j = 0; j < 4; j++) {
      const uint32_t p = 8 * i + 16 * j;
      m[j] = cmp64(op, form == 2 ? kv : LD(a + p), form == 1 ? kv : LD(b + p));
    }
    const V w0 = wasm_i32x4_shuffle(m[0], m[1], 0, 2, 4, 6), w1 = wasm_i32x4_shuffle(m[2], m[3], 0, 2, 4, 6);
    const V h = wasm_i16x8_narrow_i32x4(w0, w1);
    ST64(out + i, wasm_v128_and(wasm_i8x16_narrow_i16x8(h, h), wasm_i8x16_splat(1)));
  }
  for (; i < n; i++) {
    const double x = form == 2 ? k : *(const double *)(a + 8 * i), y = form == 1 ? k : *(const double *)(b + 8 * i);
    *(uint8_t *)(out + i) = (uint8_t)cmp1d(op, x, y);
  }
}
#define COMPARE64_FORMS(OP)                                  \
  switch (form) {                                            \
    case 0: compare64(OP, 0, out, a, b, k, n); break;        \
    case 1: compare64(OP, 1, out, a, b, k, n); break;        \
    default: compare64(OP, 2, out, a, b, k, n); break;       \
  }
EXPORT(ew64_compare)
void ew64_compare(uint32_t op, uint32_t form, uint32_t out, uint32_t a, uint32_t b, double k, uint32_t n) {
  switch (op) {
    case CMP_EQ: COMPARE64_FORMS(CMP_EQ) break;
    case CMP_NE: COMPARE64_FORMS(CMP_NE) break;
    case CMP_LT: COMPARE64_FORMS(CMP_LT) break;
    case CMP_LE: COMPARE64_FORMS(CMP_LE) break;
    case CMP_GT: COMPARE64_FORMS(CMP_GT) break;
    default: COMPARE64_FORMS(CMP_GE) break;
  }
}
#undef COMPARE64_FORMS

/*
 * out[i] = kind(x[i]): a dtype conversion (the copy op), x read as a double the way the JS loop reads it
 * from its typed array: `in` 0 a 64-bit buffer (float64, int64), 1 float32 (promoted: exact, and a
 * signalling NaN quieted as JS's load does), 2 bytes (bool: the numbers 0 and 1).
 */
INLINE V load2(const int in, uint32_t x, uint32_t i) {
  if (in == 0) return LD(x + 8 * i);
  if (in == 1) return wasm_f64x2_promote_low_f32x4(LD64(x + 4 * i));
  const V b = wasm_v128_load16_lane((const void *)(x + i), wasm_i32x4_splat(0), 0);
  return wasm_f64x2_convert_low_u32x4(wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(b)));
}
INLINE double load1(const int in, uint32_t x, uint32_t i) {
  return in == 0 ? *(const double *)(x + 8 * i) : in == 1 ? (double)*(const float *)(x + 4 * i) : (double)*(const uint8_t *)(x + i);
}
INLINE void convert64(const int in, const int kind, uint32_t out, uint32_t x, uint32_t n) {
  const V zero = wasm_f64x2_splat(0.0);
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const V r0 = fix64(kind, load2(in, x, i)), r1 = fix64(kind, load2(in, x, i + 2));
    if (kind == K_F32) ST(out + 4 * i, demote2(r0, r1));
    else if (kind == K_BOOL) wasm_v128_store32_lane((void *)(out + i), mask_bytes4(wasm_f64x2_ne(r0, zero), wasm_f64x2_ne(r1, zero)), 0);
    else { ST(out + 8 * i, r0); ST(out + 8 * i + 16, r1); }
  }
  for (; i < n; i++) {
    const double v = load1(in, x, i);
    if (kind == K_F32) *(float *)(out + 4 * i) = (float)v;
    else if (kind == K_BOOL) *(uint8_t *)(out + i) = v != 0;
    else *(double *)(out + 8 * i) = kind == K_I64 ? __builtin_trunc(v) + 0.0 : v;
  }
}
/* 1 when done, 0 for a pair it does not have (nothing written). */
EXPORT(ew64_convert)
uint32_t ew64_convert(uint32_t in, uint32_t kind, uint32_t out, uint32_t x, uint32_t n) {
  switch (in * 4 + kind) {
    case 0 * 4 + K_F64: convert64(0, K_F64, out, x, n); return 1;
    case 0 * 4 + K_I64: convert64(0, K_I64, out, x, n); return 1;
    case 0 * 4 + K_F32: convert64(0, K_F32, out, x, n); return 1;
    case 0 * 4 + K_BOOL: convert64(0, K_BOOL, out, x, n); return 1;
    case 1 * 4 + K_F64: convert64(1, K_F64, out, x, n); return 1;
    case 1 * 4 + K_I64: convert64(1, K_I64, out, x, n); return 1;
    case 1 * 4 + K_BOOL: convert64(1, K_BOOL, out, x, n); return 1;
    case 2 * 4 + K_F64: convert64(2, K_F64, out, x, n); return 1;
    case 2 * 4 + K_I64: convert64(2, K_I64, out, x, n); return 1;
    case 2 * 4 + K_F32: convert64(2, K_F32, out, x, n); return 1;
  }
  return 0;
}

/* out[i] = c[i] ? a[i] : b[i] with c bytes (nonzero: true), a and b 64-bit arrays or, with the flag set,
 * the doubles ka / kb; stored as `kind` (K_F64 or K_I64). */
INLINE void where64(const int as, const int bs, const int kind, uint32_t out, uint32_t c, uint32_t a, uint32_t b, double ka, double kb, uint32_t n) {
  const V kav = wasm_f64x2_splat(ka), kbv = wasm_f64x2_splat(kb), zero = wasm_i32x4_splat(0);
  uint32_t i = 0;
  for (; i + 2 <= n; i += 2) {
    const V w = wasm_i64x2_extend_low_i32x4(wasm_i32x4_extend_low_i16x8(wasm_i16x8_extend_low_i8x16(
      wasm_v128_load16_lane((const void *)(c + i), zero, 0))));
    const V m = wasm_i64x2_ne(w, zero);
    ST(out + 8 * i, fix64(kind, wasm_v128_bitselect(as ? kav : LD(a + 8 * i), bs ? kbv : LD(b + 8 * i), m)));
  }
  for (; i < n; i++) {
    const V m = wasm_i64x2_ne(wasm_i64x2_splat(*(const uint8_t *)(c + i)), zero);
    ST64(out + 8 * i, fix64(kind, wasm_v128_bitselect(as ? kav : LD64(a + 8 * i), bs ? kbv : LD64(b + 8 * i), m)));
  }
}
#define WHERE64_KINDS(AS, BS)                                                  \
  if (kind == K_I64) where64(AS, BS, K_I64, out, c, a, b, ka, kb, n);          \
  else where64(AS, BS, K_F64, out, c, a, b, ka, kb, n);
EXPORT(ew64_where)
void ew64_where(uint32_t scalars, uint32_t kind, uint32_t out, uint32_t c, uint32_t a, uint32_t b, double ka, double kb, uint32_t n) {
  switch (scalars) { /* bit 0: a is the scalar ka, bit 1: b is kb */
    case 0: WHERE64_KINDS(0, 0) break;
    case 1: WHERE64_KINDS(1, 0) break;
    case 2: WHERE64_KINDS(0, 1) break;
    default: WHERE64_KINDS(1, 1) break;
  }
}
#undef WHERE64_KINDS

/* The protocol's float64 block sum (4 accumulators, see block32) of n values at x: `in` 0 doubles, 2 bytes. */
INLINE double block_any(const int in, uint32_t x, uint32_t n) {
  V acc01 = wasm_f64x2_splat(0.0), acc23 = acc01;
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    acc01 = add64(load2(in, x, i), acc01);
    acc23 = add64(load2(in, x, i + 2), acc23);
  }
  double a0 = wasm_f64x2_extract_lane(acc01, 0), a1 = wasm_f64x2_extract_lane(acc01, 1);
  double a2 = wasm_f64x2_extract_lane(acc23, 0), a3 = wasm_f64x2_extract_lane(acc23, 1);
  if (i < n) { a0 += load1(in, x, i); i++; }
  if (i < n) { a1 += load1(in, x, i); i++; }
  if (i < n) { a2 += load1(in, x, i); }
  return (a0 + a1) + (a2 + a3);
}
EXPORT(ew64_block_sum)
double ew64_block_sum(uint32_t x, uint32_t n) { return block_any(0, x, n); }
EXPORT(ew8_block_sum)
double ew8_block_sum(uint32_t x, uint32_t n) { return block_any(2, x, n); }

/*
 * out[i] = kind(fn(x[i])) over 64-bit x, as the JS loop's expressions on doubles: neg -x (the sign bit),
 * abs (cleared), sqrt (IEEE, Math.sqrt's), relu x < 0 ? 0 : x, sign x > 0 ? 1 : x < 0 ? -1 : 0,
 * exp exp64 (V8's Math.exp, bit for bit), sigmoid 1 / (exp(-x) + 1). Codes: simd.ts UNARY64_CODE.
 */
enum { U64_NEG = 0, U64_ABS = 1, U64_SQRT = 2, U64_RELU = 3, U64_EXP = 4, U64_SIGMOID = 5, U64_SIGN = 6 };
INLINE V un64(const int op, V x, const ExpK *K) {
  const V zero = wasm_f64x2_splat(0.0), one = wasm_f64x2_splat(1.0);
  switch (op) {
    case U64_NEG: return wasm_f64x2_neg(x);
    case U64_ABS: return wasm_f64x2_abs(x);
    case U64_SQRT: return wasm_f64x2_sqrt(x);
    case U64_RELU: return wasm_v128_bitselect(zero, x, wasm_f64x2_lt(x, zero));
    case U64_EXP: return exp64(x, K);
    case U64_SIGMOID: return wasm_f64x2_div(one, add64(one, exp64(wasm_f64x2_neg(x), K)));
    default: /* U64_SIGN */
      return wasm_v128_bitselect(one, wasm_v128_bitselect(wasm_f64x2_neg(one), zero, wasm_f64x2_lt(x, zero)), wasm_f64x2_gt(x, zero));
  }
}
INLINE void unary64(const int op, const int kind, uint32_t out, uint32_t x, uint32_t n) {
  const ExpK *K = (const ExpK *)EXP_TABLE;
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const V r0 = fix64(kind, un64(op, LD(x + 8 * i), K)), r1 = fix64(kind, un64(op, LD(x + 8 * i + 16), K));
    if (kind == K_F32) ST(out + 4 * i, demote2(r0, r1));
    else { ST(out + 8 * i, r0); ST(out + 8 * i + 16, r1); }
  }
  for (; i < n; i++) {
    const V r = fix64(kind, un64(op, LD64(x + 8 * i), K));
    if (kind == K_F32) ST1(out + 4 * i, wasm_f32x4_demote_f64x2_zero(r));
    else ST64(out + 8 * i, r);
  }
}
#define UNARY64_KINDS(OP)                                          \
  switch (kind) {                                                  \
    case K_F64: unary64(OP, K_F64, out, x, n); break;              \
    case K_I64: unary64(OP, K_I64, out, x, n); break;              \
    default: unary64(OP, K_F32, out, x, n); break;                 \
  }
EXPORT(ew64_unary)
void ew64_unary(uint32_t op, uint32_t kind, uint32_t out, uint32_t x, uint32_t n) {
  switch (op) {
    case U64_NEG: UNARY64_KINDS(U64_NEG) break;
    case U64_ABS: UNARY64_KINDS(U64_ABS) break;
    case U64_SQRT: UNARY64_KINDS(U64_SQRT) break;
    case U64_RELU: UNARY64_KINDS(U64_RELU) break;
    case U64_EXP: UNARY64_KINDS(U64_EXP) break;
    case U64_SIGMOID: UNARY64_KINDS(U64_SIGMOID) break;
    default: UNARY64_KINDS(U64_SIGN) break;
  }
}
#undef UNARY64_KINDS

/* The JS loop's max (min) of n 64-bit values: NaN if any is NaN, else the largest (smallest), kept on
 * ties; as ew_block_minmax, a zero answer may have the wrong sign (the caller redoes those). */
EXPORT(ew64_block_minmax)
double ew64_block_minmax(uint32_t x, uint32_t n, uint32_t is_min) {
  V acc = wasm_f64x2_splat(is_min ? __builtin_inf() : -__builtin_inf()), nan = wasm_i32x4_splat(0);
  uint32_t i = 0;
  if (is_min) {
    for (; i + 2 <= n; i += 2) { const V v = LD(x + 8 * i); nan = wasm_v128_or(nan, wasm_f64x2_ne(v, v)); acc = wasm_f64x2_pmin(acc, v); }
  } else {
    for (; i + 2 <= n; i += 2) { const V v = LD(x + 8 * i); nan = wasm_v128_or(nan, wasm_f64x2_ne(v, v)); acc = wasm_f64x2_pmax(acc, v); }
  }
  if (wasm_v128_any_true(nan)) return __builtin_nan("");
  double r = wasm_f64x2_extract_lane(acc, 0);
  const double l1 = wasm_f64x2_extract_lane(acc, 1);
  if (is_min ? l1 < r : l1 > r) r = l1;
  for (; i < n; i++) {
    const double v = *(const double *)(x + 8 * i);
    if (v != v) return __builtin_nan("");
    if (is_min ? v < r : v > r) r = v;
  }
  return r;
}

/* ew_sum_cols over 64-bit data (float64, int64): the column sums of x.sum(0), two columns per vector,
 * each column in the protocol's order (as ew_sum_cols); the float64 totals into out. */
EXPORT(ew64_sum_cols)
void ew64_sum_cols(uint32_t out, uint32_t x, uint32_t m, uint32_t w, uint32_t stride, uint32_t block) {
  const uint32_t rs = 8 * stride;
  uint32_t j = 0;
  for (; j + 2 <= w; j += 2) {
    V t = wasm_f64x2_splat(0);
    for (uint32_t b0 = 0; b0 < m; b0 += block) {
      const uint32_t b1 = m - b0 < block ? m : b0 + block;
      V a0 = wasm_f64x2_splat(0), a1 = a0, a2 = a0, a3 = a0;
      uint32_t i = b0, p = x + 8 * j + b0 * rs;
      for (; i + 3 < b1; i += 4, p += 4 * rs) {
        a0 = add64(LD(p), a0); a1 = add64(LD(p + rs), a1); a2 = add64(LD(p + 2 * rs), a2); a3 = add64(LD(p + 3 * rs), a3);
      }
      if (i < b1) { a0 = add64(LD(p), a0); i++; p += rs; }
      if (i < b1) { a1 = add64(LD(p), a1); i++; p += rs; }
      if (i < b1) { a2 = add64(LD(p), a2); }
      t = add64(add64(add64(a1, a0), add64(a3, a2)), t);
    }
    ST(out + 8 * j, t);
  }
  for (; j < w; j++) {
    double t = 0;
    for (uint32_t b0 = 0; b0 < m; b0 += block) {
      const uint32_t b1 = m - b0 < block ? m : b0 + block;
      double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      uint32_t i = b0, p = x + 8 * j + b0 * rs;
      for (; i + 3 < b1; i += 4, p += 4 * rs) {
        a0 += *(const double *)p; a1 += *(const double *)(p + rs); a2 += *(const double *)(p + 2 * rs); a3 += *(const double *)(p + 3 * rs);
      }
      if (i < b1) { a0 += *(const double *)p; i++; p += rs; }
      if (i < b1) { a1 += *(const double *)p; i++; p += rs; }
      if (i < b1) { a2 += *(const double *)p; }
      t += (a0 + a1) + (a2 + a3);
    }
    *(double *)(out + 8 * j) = t;
  }
}

/*
 * ew_binary_rows over 64-bit operands, stored as `kind` (out: 8 bytes an element, 4 for K_F32): `rows`
 * rows of w, out's row r at out + ob*r*orow; operand a is the number ka where a == 0, else its element
 * (r, c) at a + 8*(r*ar + c*ac), ac 1 (along the row) or 0 (a value per row, the row's scalar).
 */
EXPORT(ew64_binary_rows)
void ew64_binary_rows(uint32_t op, uint32_t kind, uint32_t out, uint32_t orow, uint32_t a, uint32_t ar, uint32_t ac, double ka,
                      uint32_t b, uint32_t br, uint32_t bc, double kb, uint32_t rows, uint32_t w) {
  const int va = a && ac, vb = b && bc;
  const uint32_t ob = kind == K_F32 ? 4 : 8;
  for (uint32_t r = 0; r < rows; r++) {
    const uint32_t o = out + ob * r * orow, pa = a + 8 * r * ar, pb = b + 8 * r * br;
    if (va && vb) ew64_binary(op, 0, kind, o, pa, pb, 0, w);
    else if (va) ew64_binary(op, 1, kind, o, pa, 0, b ? *(const double *)pb : kb, w);
    else if (vb) ew64_binary(op, 2, kind, o, 0, pb, a ? *(const double *)pa : ka, w);
  }
}

/*
 * A binary op whose operands are of different storage types (x + a: float32 and int64; float32 and
 * float64; bytes and 64-bit), each read as the double the JS loop reads from its typed array (load2):
 * `ina`, `inb` 0 64-bit, 1 float32, 2 bytes, 3 the scalar k. Computed in float64, stored as `kind`
 * (K_F64, K_I64, K_F32), as binary64; comparisons (op >= 8: CMP_* + 8) into bytes as compare64.
 */
INLINE V load_any(const int in, uint32_t x, uint32_t i, V k) { return in == 3 ? k : load2(in, x, i); }
INLINE double load_any1(const int in, uint32_t x, uint32_t i, double k) { return in == 3 ? k : load1(in, x, i); }
INLINE void binary_mixed64(const int op, const int kind, uint32_t ina, uint32_t inb, uint32_t out, uint32_t a, uint32_t b, double k, uint32_t n) {
  const V kv = wasm_f64x2_splat(k);
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const V x0 = load_any(ina, a, i, kv), x1 = load_any(ina, a, i + 2, kv);
    const V y0 = load_any(inb, b, i, kv), y1 = load_any(inb, b, i + 2, kv);
    if (op >= 8) {
      wasm_v128_store32_lane((void *)(out + i), mask_bytes4(cmp64(op - 8, x0, y0), cmp64(op - 8, x1, y1)), 0);
      continue;
    }
    const V r0 = fix64(kind, bin64(op, x0, y0)), r1 = fix64(kind, bin64(op, x1, y1));
    if (kind == K_F32) ST(out + 4 * i, demote2(r0, r1));
    else { ST(out + 8 * i, r0); ST(out + 8 * i + 16, r1); }
  }
  for (; i < n; i++) {
    const V x = wasm_f64x2_splat(load_any1(ina, a, i, k)), y = wasm_f64x2_splat(load_any1(inb, b, i, k));
    if (op >= 8) { *(uint8_t *)(out + i) = (uint8_t)(wasm_i64x2_extract_lane(cmp64(op - 8, x, y), 0) & 1); continue; }
    const V r = fix64(kind, bin64(op, x, y));
    if (kind == K_F32) ST1(out + 4 * i, wasm_f32x4_demote_f64x2_zero(r));
    else ST64(out + 8 * i, r);
  }
}
#define MIXED_KINDS(OP)                                                           \
  switch (kind) {                                                                 \
    case K_F64: binary_mixed64(OP, K_F64, ina, inb, out, a, b, k, n); break;      \
    case K_I64: binary_mixed64(OP, K_I64, ina, inb, out, a, b, k, n); break;      \
    default: binary_mixed64(OP, K_F32, ina, inb, out, a, b, k, n); break;         \
  }
EXPORT(ew64_binary_mixed)
void ew64_binary_mixed(uint32_t op, uint32_t kind, uint32_t ina, uint32_t inb, uint32_t out, uint32_t a, uint32_t b, double k, uint32_t n) {
  switch (op) {
    case OP_ADD: MIXED_KINDS(OP_ADD) break;
    case OP_SUB: MIXED_KINDS(OP_SUB) break;
    case OP_MUL: MIXED_KINDS(OP_MUL) break;
    case OP_DIV: MIXED_KINDS(OP_DIV) break;
    case OP_MAX: MIXED_KINDS(OP_MAX) break;
    case OP_MIN: MIXED_KINDS(OP_MIN) break;
    case 8 + CMP_EQ: binary_mixed64(8 + CMP_EQ, K_F64, ina, inb, out, a, b, k, n); break;
    case 8 + CMP_NE: binary_mixed64(8 + CMP_NE, K_F64, ina, inb, out, a, b, k, n); break;
    case 8 + CMP_LT: binary_mixed64(8 + CMP_LT, K_F64, ina, inb, out, a, b, k, n); break;
    case 8 + CMP_LE: binary_mixed64(8 + CMP_LE, K_F64, ina, inb, out, a, b, k, n); break;
    case 8 + CMP_GT: binary_mixed64(8 + CMP_GT, K_F64, ina, inb, out, a, b, k, n); break;
    case 8 + CMP_GE: binary_mixed64(8 + CMP_GE, K_F64, ina, inb, out, a, b, k, n); break;
  }
}
#undef MIXED_KINDS

/* ---------------------------------------------------------------- max / min along columns, float32 */

/*
 * Per column j < w of x (m >= 1 rows, `stride` floats apart; x.max(0), x.argmax(0)): the JS loops'
 * answers, sixteen columns at a time reading the rows in order. The value (into vals, float32, unless 0):
 * reduceLoop's max (min): the canonical NaN if the column has a NaN, else its largest (smallest) element,
 * the first met on ties (so the first zero's sign). The index (into idxs, as doubles: int64 data, unless
 * 0): reduceLoop's argmax (argmin): of the first NaN, else of the first largest (smallest), starting from
 * row 0. Per lane: a row replaces the best when strictly greater (less) or a first NaN, never after one.
 */
/* Columns [j, j + 4*nv) (nv <= 4 vectors: a cache line of each row at nv = 4), by the rule above. */
INLINE void minmax_block(const int is_min, const int nv, uint32_t vals, uint32_t idxs, uint32_t x, uint32_t m, uint32_t rs, uint32_t j) {
  V best[4], nan[4], idx[4];
  V row = wasm_i32x4_splat(0);
  const V one = wasm_i32x4_splat(1);
  for (int q = 0; q < nv; q++) { best[q] = LD(x + 4 * j + 16 * q); nan[q] = wasm_f32x4_ne(best[q], best[q]); idx[q] = row; }
  uint32_t p = x + 4 * j + rs;
  for (uint32_t i = 1; i < m; i++, p += rs) {
    row = wasm_i32x4_add(row, one);
    for (int q = 0; q < nv; q++) {
      const V v = LD(p + 16 * q);
      const V isn = wasm_f32x4_ne(v, v);
      const V better = is_min ? wasm_f32x4_lt(v, best[q]) : wasm_f32x4_gt(v, best[q]);
      const V upd = wasm_v128_andnot(wasm_v128_or(better, isn), nan[q]);
      best[q] = wasm_v128_bitselect(v, best[q], upd);
      idx[q] = wasm_v128_bitselect(row, idx[q], upd);
      nan[q] = wasm_v128_or(nan[q], isn);
    }
  }
  for (int q = 0; q < nv; q++) {
    const uint32_t c = j + 4 * q;
    if (vals) ST(vals + 4 * c, wasm_v128_bitselect(wasm_i32x4_splat(CANON_NAN32), best[q], nan[q]));
    if (idxs) {
      ST(idxs + 8 * c, wasm_f64x2_convert_low_i32x4(idx[q]));
      ST(idxs + 8 * c + 16, wasm_f64x2_convert_low_i32x4(wasm_i32x4_shuffle(idx[q], idx[q], 2, 3, 2, 3)));
    }
  }
}
INLINE void minmax_cols(const int is_min, uint32_t vals, uint32_t idxs, uint32_t x, uint32_t m, uint32_t w, uint32_t stride) {
  const uint32_t rs = 4 * stride;
  uint32_t j = 0;
  for (; j + 16 <= w; j += 16) minmax_block(is_min, 4, vals, idxs, x, m, rs, j);
  for (; j + 4 <= w; j += 4) minmax_block(is_min, 1, vals, idxs, x, m, rs, j);
  for (; j < w; j++) {
    uint32_t p = x + 4 * j;
    float best = *(const float *)p;
    uint32_t at = 0;
    int nan = best != best;
    for (uint32_t i = 1; i < m && !nan; i++) {
      p += rs;
      const float v = *(const float *)p;
      if (v != v) { nan = 1; at = i; best = v; }
      else if (is_min ? v < best : v > best) { best = v; at = i; }
    }
    if (vals) *(uint32_t *)(vals + 4 * j) = nan ? CANON_NAN32 : *(const uint32_t *)&best;
    if (idxs) *(double *)(idxs + 8 * j) = (double)at;
  }
}
EXPORT(ew_minmax_cols)
void ew_minmax_cols(uint32_t vals, uint32_t idxs, uint32_t x, uint32_t m, uint32_t w, uint32_t stride, uint32_t is_min) {
  if (is_min) minmax_cols(1, vals, idxs, x, m, w, stride);
  else minmax_cols(0, vals, idxs, x, m, w, stride);
}

/*
 * out[i] = kind(start + (i0 + i) * step) for i < n (kind K_F64, K_I64 or K_F32): arange's values as the
 * JS loop computes them, i * step and then + start, each one IEEE operation (the indices are exact
 * doubles, stepped by adding 2).
 */
INLINE void iota64(const int kind, uint32_t out, double start, double step, double i0, uint32_t n) {
  const V st = wasm_f64x2_splat(step), s0 = wasm_f64x2_splat(start), two = wasm_f64x2_splat(2.0), four = wasm_f64x2_splat(4.0);
  V ia = wasm_f64x2_make(i0, i0 + 1), ib = add64(two, ia);
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const V r0 = fix64(kind, add64(mul64(st, ia), s0)), r1 = fix64(kind, add64(mul64(st, ib), s0));
    if (kind == K_F32) ST(out + 4 * i, demote2(r0, r1));
    else { ST(out + 8 * i, r0); ST(out + 8 * i + 16, r1); }
    ia = add64(four, ia); ib = add64(four, ib);
  }
  for (; i < n; i++) {
    const V r = fix64(kind, add64(mul64(st, wasm_f64x2_splat(i0 + i)), s0));
    if (kind == K_F32) ST1(out + 4 * i, wasm_f32x4_demote_f64x2_zero(r));
    else ST64(out + 8 * i, r);
  }
}
EXPORT(ew64_iota)
void ew64_iota(uint32_t kind, uint32_t out, double start, double step, double i0, uint32_t n) {
  switch (kind) {
    case K_F64: iota64(K_F64, out, start, step, i0, n); break;
    case K_I64: iota64(K_I64, out, start, step, i0, n); break;
    default: iota64(K_F32, out, start, step, i0, n); break;
  }
}

/* ew_transpose32 for 64-bit values (float64, int64; bit copies): out[i·w + j] = x[j·ld + i] for output
 * rows i0 <= i < i1, j < w, in 2x2 tiles. */
EXPORT(ew_transpose64)
void ew_transpose64(uint32_t out, uint32_t x, uint32_t i0, uint32_t i1, uint32_t w, uint32_t ld) {
  uint32_t i = i0;
  for (; i + 2 <= i1; i += 2) {
    uint32_t j = 0;
    for (; j + 2 <= w; j += 2) {
      const uint32_t src = x + 8 * (j * ld + i);
      const V r0 = LD(src), r1 = LD(src + 8 * ld); /* x[j][i..i+1], x[j+1][i..i+1] */
      const uint32_t dst = out + 8 * (i * w + j);
      ST(dst, wasm_i64x2_shuffle(r0, r1, 0, 2));
      ST(dst + 8 * w, wasm_i64x2_shuffle(r0, r1, 1, 3));
    }
    for (; j < w; j++)
      for (uint32_t m = 0; m < 2; m++) *(uint64_t *)(out + 8 * ((i + m) * w + j)) = *(const uint64_t *)(x + 8 * (j * ld + i + m));
  }
  for (; i < i1; i++)
    for (uint32_t j = 0; j < w; j++) *(uint64_t *)(out + 8 * (i * w + j)) = *(const uint64_t *)(x + 8 * (j * ld + i));
}
