/*
 * WebAssembly SIMD kernel for troupe's counter-based random numbers.
 *
 * Bit-identical to src/backends/cpu/philox.ts (which documents the algorithm:
 * Philox4x32-10 stream, 24-bit uniforms, float32 Box–Muller with LN_U and
 * SINCOS_U). Every float step here is one binary32 IEEE operation; the build
 * uses -ffp-contract=off and WebAssembly has no implicit FMA, so the compiler
 * cannot fuse or reassociate anything.
 *
 * Vectorisation: one v128 lane per Philox block, so one iteration computes
 * blocks j..j+3 (16 elements) and then transposes 4x4 into element order.
 *
 * Memory: the module imports a shared linear memory (env.memory) and writes
 * straight to the byte address it is given. No linear-memory stack, no data
 * segments, and no code touches a global (lld still defines an unused
 * __stack_pointer; scripts/build-wasm.sh checks all this), so any
 * number of instances in different threads can share one memory as long as
 * their output ranges don't overlap.
 *
 * Build: scripts/build-wasm.sh (Debian clang/lld, wasm32, -O3 -msimd128).
 */
#include <stdint.h>
#include <wasm_simd128.h>

typedef v128_t V;

#define M0 0xD2511F53u
#define M1 0xCD9E8D57u
#define W0 0x9E3779B9u
#define W1 0xBB67AE85u

/* ---- float32 constants (see philox.ts; hex floats are exact) ---- */
#define L0 0x1.555548p-2f
#define L1 (-0x1.000006p-2f)
#define L2 0x1.99a478p-3f
#define L3 (-0x1.555c48p-3f)
#define L4 0x1.233b62p-3f
#define L5 (-0x1.fc2784p-4f)
#define L6 0x1.e6c366p-4f
#define L7 (-0x1.de0d76p-4f)
#define L8 0x1.147a18p-4f
#define LN2_HI 0x1.62e4p-1f
#define LN2_LO 0x1.7f7d1cp-20f
#define P1 0x1.922p+2f
#define P2 (-0x1.2aeef4p-16f)
#define Q0 (-0x1.4abbcep+5f)
#define Q1 0x1.466b78p+6f
#define Q2 (-0x1.32ada6p+6f)
#define Q3 0x1.44381ap+5f
#define C0 (-0x1.3bd3ccp+4f)
#define C1 0x1.03c1b0p+6f
#define C2 (-0x1.55b2b6p+6f)
#define C3 0x1.d4f7eep+5f

#define FADD wasm_f32x4_add
#define FSUB wasm_f32x4_sub
#define FMUL wasm_f32x4_mul
#define FS wasm_f32x4_splat
#define IS wasm_i32x4_splat

/* i64x2.extmul_{low,high}_i32x4_u as inline asm. Through the intrinsics, clang 14
 * folds/hoists the extend of the constant multiplier out of the loop and then
 * emits extend + i64x2.mul, which V8 emulates with ~8 x64 instructions: the
 * kernel ran at half speed. */
static inline V extmul_lo(V a, V b) {
  V r;
  __asm__("local.get %1\n\tlocal.get %2\n\ti64x2.extmul_low_i32x4_u\n\tlocal.set %0" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
static inline V extmul_hi(V a, V b) {
  V r;
  __asm__("local.get %1\n\tlocal.get %2\n\ti64x2.extmul_high_i32x4_u\n\tlocal.set %0" : "=r"(r) : "r"(a), "r"(b));
  return r;
}

/* (hi, lo) of the unsigned 32x32 -> 64 products of a with the constant m. */
#define MULHILO(a, m, hi, lo)                                   \
  do {                                                          \
    V pl_ = extmul_lo((a), (m));                                \
    V ph_ = extmul_hi((a), (m));                                \
    (hi) = wasm_i32x4_shuffle(pl_, ph_, 1, 3, 5, 7);            \
    (lo) = wasm_i32x4_mul((a), (m));                            \
  } while (0)

/* Philox4x32-10 on four counters at once (lane l = one block). */
static inline void philox10(V *x0, V *x1, V *x2, V *x3, uint32_t k0, uint32_t k1) {
  const V m0 = IS((int32_t)M0), m1 = IS((int32_t)M1);
  V c0 = *x0, c1 = *x1, c2 = *x2, c3 = *x3;
#pragma clang loop unroll(full)
  for (int r = 0; r < 10; r++) {
    V hi0, lo0, hi1, lo1;
    MULHILO(c0, m0, hi0, lo0);
    MULHILO(c2, m1, hi1, lo1);
    c0 = wasm_v128_xor(wasm_v128_xor(hi1, c1), IS((int32_t)k0));
    c1 = lo1;
    c2 = wasm_v128_xor(wasm_v128_xor(hi0, c3), IS((int32_t)k1));
    c3 = lo0;
    k0 += W0;
    k1 += W1;
  }
  *x0 = c0; *x1 = c1; *x2 = c2; *x3 = c3;
}

/* 24-bit uniform: f32(x >>> 8) * 2^-24 */
static inline V uniform24(V x) {
  return FMUL(wasm_f32x4_convert_i32x4(wasm_u32x4_shr(x, 8)), FS(0x1p-24f));
}

/* LN_U(m), m = x >>> 8 taken from the raw word x. */
static inline V ln_u(V x) {
  V m = wasm_u32x4_shr(x, 8);
  V v = wasm_v128_or(wasm_i32x4_shl(m, 1), IS(1));               /* 2m+1 */
  V b = wasm_i32x4_add(wasm_f32x4_convert_i32x4(v), IS(0x004AFB0D)); /* bits(f32(v)) + ... */
  V ebits = wasm_v128_and(b, IS((int32_t)0xFF800000u));           /* (kk+127) << 23 */
  V pow_i = wasm_i32x4_trunc_sat_f32x4(ebits);                    /* 2^kk, exact */
  V inv = wasm_i32x4_sub(IS(254 << 23), ebits);                   /* bits of 2^-kk */
  V f = FMUL(wasm_f32x4_convert_i32x4(wasm_i32x4_sub(v, pow_i)), inv);
  V k = wasm_f32x4_convert_i32x4(wasm_i32x4_sub(wasm_u32x4_shr(b, 23), IS(127 + 25)));
  V z = FMUL(f, f);
  V p = FADD(FMUL(FS(L8), f), FS(L7));
  p = FADD(FMUL(p, f), FS(L6));
  p = FADD(FMUL(p, f), FS(L5));
  p = FADD(FMUL(p, f), FS(L4));
  p = FADD(FMUL(p, f), FS(L3));
  p = FADD(FMUL(p, f), FS(L2));
  p = FADD(FMUL(p, f), FS(L1));
  p = FADD(FMUL(p, f), FS(L0));
  V y = FSUB(FADD(FMUL(z, FMUL(f, p)), FMUL(k, FS(LN2_LO))), FMUL(FS(0.5f), z));
  return FADD(FADD(y, f), FMUL(k, FS(LN2_HI)));
}

/* SINCOS_U(m), m = x >>> 8: *co = cos 2πu, *si = sin 2πu. */
static inline void sincos_u(V x, V *co, V *si) {
  V w = wasm_i32x4_add(wasm_u32x4_shr(x, 8), IS(0x200000));
  V d = wasm_i32x4_sub(wasm_v128_and(w, IS(0x3FFFFF)), IS(0x200000));
  V a = FMUL(FADD(wasm_f32x4_convert_i32x4(d), FS(0.5f)), FS(0x1p-24f));
  V g = FMUL(a, FS(4097.0f));
  V ah = FSUB(g, FSUB(g, a));
  V al = FSUB(a, ah);
  V z = FMUL(a, a);
  V qp = FADD(FS(Q0), FMUL(z, FADD(FS(Q1), FMUL(z, FADD(FS(Q2), FMUL(z, FS(Q3)))))));
  V s = FADD(FMUL(ah, FS(P1)), FADD(FMUL(al, FS(P1)), FMUL(a, FADD(FS(P2), FMUL(z, qp)))));
  V c = FADD(FS(1.0f), FMUL(z, FADD(FS(C0), FMUL(z, FADD(FS(C1), FMUL(z, FADD(FS(C2), FMUL(z, FS(C3)))))))));
  /* quadrant q = (w >> 22) & 3: q odd swaps (c, s); cos negated for q in {1,2}, sin for q in {2,3} */
  V odd = wasm_i32x4_shr(wasm_i32x4_shl(w, 9), 31);
  V A = wasm_v128_bitselect(s, c, odd);
  V B = wasm_v128_bitselect(c, s, odd);
  V sgnC = wasm_v128_and(wasm_i32x4_shl(wasm_i32x4_add(w, IS(1 << 22)), 8), IS((int32_t)0x80000000u));
  V sgnS = wasm_v128_and(wasm_i32x4_shl(w, 8), IS((int32_t)0x80000000u));
  *co = wasm_v128_xor(A, sgnC);
  *si = wasm_v128_xor(B, sgnS);
}

/* 4x4 transpose: in lane l of e_k is element k of block l; out row l = block l. */
#define TRANSPOSE4(e0, e1, e2, e3, r0, r1, r2, r3)          \
  do {                                                      \
    V t0_ = wasm_i32x4_shuffle(e0, e1, 0, 4, 1, 5);         \
    V t1_ = wasm_i32x4_shuffle(e2, e3, 0, 4, 1, 5);         \
    V t2_ = wasm_i32x4_shuffle(e0, e1, 2, 6, 3, 7);         \
    V t3_ = wasm_i32x4_shuffle(e2, e3, 2, 6, 3, 7);         \
    r0 = wasm_i32x4_shuffle(t0_, t1_, 0, 1, 4, 5);          \
    r1 = wasm_i32x4_shuffle(t0_, t1_, 2, 3, 6, 7);          \
    r2 = wasm_i32x4_shuffle(t2_, t3_, 0, 1, 4, 5);          \
    r3 = wasm_i32x4_shuffle(t2_, t3_, 2, 3, 6, 7);          \
  } while (0)

/* Store element E (= 4*row + L) of the current group if first <= E < last. Lane
 * indices are compile-time constants so nothing goes through a memory stack. */
#define PUT(row, L, E)                                                  \
  do {                                                                  \
    if ((E) >= first && (E) < last) {                                   \
      float v_ = wasm_f32x4_extract_lane(row, L);                       \
      if (f64) o64[done + ((E) - first)] = (double)v_;                  \
      else o32[done + ((E) - first)] = v_;                              \
    }                                                                   \
  } while (0)

/*
 * Writes `count` elements of the stream starting at element 4*j + skip, where
 * j = jhi * 2^32 + jlo, to out (float32 or float64 array at byte address out).
 * normal: 0 uniform, 1 normal; f64: 0 float32, 1 float64 output. Both are
 * compile-time constants in the exported wrappers below.
 */
static inline __attribute__((always_inline)) void fill(const int normal, const int f64, uint32_t out,
                                                        uint32_t k0, uint32_t k1, uint32_t stream, uint32_t jlo,
                                                        uint32_t jhi, uint32_t skip, uint32_t count) {
  const V iota = wasm_i32x4_make(0, 1, 2, 3);
  const V sv = IS((int32_t)stream);
  float *o32 = (float *)(uintptr_t)out;
  double *o64 = (double *)(uintptr_t)out;
  uint32_t done = 0;       /* elements written so far */
  uint32_t first = skip;   /* first wanted element index inside the current 16-group */
  while (done < count) {
    V c0 = wasm_i32x4_add(IS((int32_t)jlo), iota);
    V c1 = wasm_i32x4_sub(IS((int32_t)jhi), wasm_u32x4_lt(c0, IS((int32_t)jlo)));
    V c2 = sv, c3 = wasm_i32x4_splat(0);
    philox10(&c0, &c1, &c2, &c3, k0, k1);
    V e0, e1, e2, e3;
    if (normal) {
      V r0 = wasm_f32x4_sqrt(FMUL(FS(-2.0f), ln_u(c0)));
      V r2 = wasm_f32x4_sqrt(FMUL(FS(-2.0f), ln_u(c2)));
      V cs1, sn1, cs3, sn3;
      sincos_u(c1, &cs1, &sn1);
      sincos_u(c3, &cs3, &sn3);
      e0 = FMUL(r0, cs1);
      e1 = FMUL(r0, sn1);
      e2 = FMUL(r2, cs3);
      e3 = FMUL(r2, sn3);
    } else {
      e0 = uniform24(c0);
      e1 = uniform24(c1);
      e2 = uniform24(c2);
      e3 = uniform24(c3);
    }
    V r0, r1, r2, r3;
    TRANSPOSE4(e0, e1, e2, e3, r0, r1, r2, r3);
    uint32_t left = count - done;
    if (first == 0 && left >= 16) {
      if (f64) {
        double *p = o64 + done;
        wasm_v128_store(p + 0, wasm_f64x2_promote_low_f32x4(r0));
        wasm_v128_store(p + 2, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(r0, r0, 2, 3, 2, 3)));
        wasm_v128_store(p + 4, wasm_f64x2_promote_low_f32x4(r1));
        wasm_v128_store(p + 6, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(r1, r1, 2, 3, 2, 3)));
        wasm_v128_store(p + 8, wasm_f64x2_promote_low_f32x4(r2));
        wasm_v128_store(p + 10, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(r2, r2, 2, 3, 2, 3)));
        wasm_v128_store(p + 12, wasm_f64x2_promote_low_f32x4(r3));
        wasm_v128_store(p + 14, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(r3, r3, 2, 3, 2, 3)));
      } else {
        float *p = o32 + done;
        wasm_v128_store(p + 0, r0);
        wasm_v128_store(p + 4, r1);
        wasm_v128_store(p + 8, r2);
        wasm_v128_store(p + 12, r3);
      }
      done += 16;
    } else {
      /* partial group (first and/or last): scalar stores of elements first..last-1 */
      uint32_t last = first + left < 16 ? first + left : 16;
      PUT(r0, 0, 0); PUT(r0, 1, 1); PUT(r0, 2, 2); PUT(r0, 3, 3);
      PUT(r1, 0, 4); PUT(r1, 1, 5); PUT(r1, 2, 6); PUT(r1, 3, 7);
      PUT(r2, 0, 8); PUT(r2, 1, 9); PUT(r2, 2, 10); PUT(r2, 3, 11);
      PUT(r3, 0, 12); PUT(r3, 1, 13); PUT(r3, 2, 14); PUT(r3, 3, 15);
      done += last - first;
      first = 0;
    }
    jlo += 4;
    if (jlo < 4) jhi += 1; /* carry out of the low counter word */
  }
}

#define EXPORT(name) __attribute__((export_name(#name), visibility("default")))

EXPORT(rng_uniform_f32)
void rng_uniform_f32(uint32_t out, uint32_t k0, uint32_t k1, uint32_t stream, uint32_t jlo, uint32_t jhi,
                     uint32_t skip, uint32_t count) {
  fill(0, 0, out, k0, k1, stream, jlo, jhi, skip, count);
}
EXPORT(rng_uniform_f64)
void rng_uniform_f64(uint32_t out, uint32_t k0, uint32_t k1, uint32_t stream, uint32_t jlo, uint32_t jhi,
                     uint32_t skip, uint32_t count) {
  fill(0, 1, out, k0, k1, stream, jlo, jhi, skip, count);
}
EXPORT(rng_normal_f32)
void rng_normal_f32(uint32_t out, uint32_t k0, uint32_t k1, uint32_t stream, uint32_t jlo, uint32_t jhi,
                    uint32_t skip, uint32_t count) {
  fill(1, 0, out, k0, k1, stream, jlo, jhi, skip, count);
}
EXPORT(rng_normal_f64)
void rng_normal_f64(uint32_t out, uint32_t k0, uint32_t k1, uint32_t stream, uint32_t jlo, uint32_t jhi,
                    uint32_t skip, uint32_t count) {
  fill(1, 1, out, k0, k1, stream, jlo, jhi, skip, count);
}

/* Test hooks: the scalar math on raw Philox words (n a multiple of 4). */
EXPORT(rng_ln_u)
void rng_ln_u(uint32_t out, uint32_t in, uint32_t n) {
  for (uint32_t i = 0; i < n; i += 4) {
    V x = wasm_v128_load((const void *)(uintptr_t)(in + 4 * i));
    wasm_v128_store((void *)(uintptr_t)(out + 4 * i), ln_u(x));
  }
}
/* out gets cos for words 0..n-1 then sin for words 0..n-1 */
EXPORT(rng_sincos_u)
void rng_sincos_u(uint32_t out, uint32_t in, uint32_t n) {
  for (uint32_t i = 0; i < n; i += 4) {
    V x = wasm_v128_load((const void *)(uintptr_t)(in + 4 * i));
    V c, s;
    sincos_u(x, &c, &s);
    wasm_v128_store((void *)(uintptr_t)(out + 4 * i), c);
    wasm_v128_store((void *)(uintptr_t)(out + 4 * (n + i)), s);
  }
}
