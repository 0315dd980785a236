/*
 * WebAssembly SIMD kernels for troupe's 2-D convolution on the CPU (float32 data, float64 sums): the
 * forward product, the input gradient and the weight gradient, each one call over the whole batch.
 *
 * Bit-identical to the composition src/functional.ts used before (and still uses on the GPU, for
 * float64 and in createGraph passes): windows gathered (im2col), a float64 matmul per image, float32
 * results, then
 *   forward:      y = float32(sum) (+ bias, a float32 add);
 *   input grad:   dcols = float32(W^T g) per image, folded back by a float32 scatter-add whose adds reach
 *                 each pixel in increasing (kernel offset, output position) order;
 *   weight grad:  float32(g cols^T) per image, summed over the images by the protocol's reduction (four
 *                 float64 accumulators, image n into n % 4, combined (a0 + a1) + (a2 + a3), from 0).
 * Each product's element is a float64 sum over k in order from 0 (s = s + a*b, nothing fused: built with
 * -ffp-contract=off, and WebAssembly SIMD has no implicit FMA), as mm.c's; callers keep k at most the
 * protocol's REDUCE_BLOCK (one block). The micro-kernel is mm.c's: 4 rows x 4 columns of float64
 * accumulators over operands packed p-major (a[4p + r], b[4p + j]); here the packing (the window gather)
 * is done in WebAssembly too, one micro-panel of 4 columns at a time, so the windows never exist as a
 * tensor.
 *
 * Layout: geo is 16 int32 words: N, C, H, W, O, G, kh, kw, sh, sw, ph, pw, dh, dw, OH, OW. x, w, g, out and
 * bias are contiguous float32 arrays (x [N, C, H, W], w [O, C/G, kh, kw], g and y [N, O, OH, OW]);
 * scratch is 8-byte aligned room for conv_scratch_bytes(geo, mode) bytes. As mm.c: no linear-memory stack,
 * no data segments, no globals (build-wasm.sh checks this).
 */
#include <stdint.h>
#include <wasm_simd128.h>

typedef v128_t V;

#define EXPORT(name) __attribute__((export_name(#name), visibility("default")))
#define INLINE static inline __attribute__((always_inline))

#include "ordered.h"
ORDERED(add64, "f64x2.add")
ORDERED(mul64, "f64x2.mul")

/* JS: acc += av * bv (mm.c's operand order) */
#define MAC(acc, av, bv) acc = add64(mul64(bv, av), acc)

#define F32(addr) (*(float *)(addr))
#define F64(addr) (*(double *)(addr))
#define I32(addr) (*(int32_t *)(addr))

/* The 4 x 4 float64 accumulators s<row><half> of A strip a (k x 4, p-major) times B micro-panel b (k x 4,
 * p-major): s<r>0 holds columns 0-1 of row r, s<r>1 columns 2-3. */
#define TILE_LOOP(a, b, k)                                                                               \
  V s00 = wasm_f64x2_splat(0), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00; \
  for (uint32_t p = 0; p < (k); p++) {                                                                    \
    const uint32_t ap = (a) + 32 * p, bq = (b) + 32 * p;                                                  \
    const V b0 = wasm_v128_load((const void *)bq), b1 = wasm_v128_load((const void *)(bq + 16));          \
    V x = wasm_v128_load64_splat((const void *)ap);                                                       \
    MAC(s00, x, b0); MAC(s01, x, b1);                                                                     \
    x = wasm_v128_load64_splat((const void *)(ap + 8));                                                   \
    MAC(s10, x, b0); MAC(s11, x, b1);                                                                     \
    x = wasm_v128_load64_splat((const void *)(ap + 16));                                                  \
    MAC(s20, x, b0); MAC(s21, x, b1);                                                                     \
    x = wasm_v128_load64_splat((const void *)(ap + 24));                                                  \
    MAC(s30, x, b0); MAC(s31, x, b1);                                                                     \
  }

/* t (16 doubles, row-major 4 x 4) = the tile (partial tiles: the caller takes what it needs). */
INLINE void tile4(uint32_t a, uint32_t b, uint32_t k, uint32_t t) {
  TILE_LOOP(a, b, k)
  wasm_v128_store((void *)t, s00); wasm_v128_store((void *)(t + 16), s01);
  wasm_v128_store((void *)(t + 32), s10); wasm_v128_store((void *)(t + 48), s11);
  wasm_v128_store((void *)(t + 64), s20); wasm_v128_store((void *)(t + 80), s21);
  wasm_v128_store((void *)(t + 96), s30); wasm_v128_store((void *)(t + 112), s31);
}

/* A whole tile as float32: row r to out + r·rs (bytes), 4 floats, + the float32 bias[r] when bias. */
INLINE void tile4_f32(uint32_t a, uint32_t b, uint32_t k, uint32_t out, uint32_t rs, uint32_t bias) {
  TILE_LOOP(a, b, k)
#define ROW(r, lo, hi)                                                                                       \
  {                                                                                                          \
    V f = wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo), wasm_f32x4_demote_f64x2_zero(hi), 0, 1, 4, 5); \
    if (bias) f = wasm_f32x4_add(f, wasm_v128_load32_splat((const void *)(bias + 4 * (r))));                  \
    wasm_v128_store((void *)(out + (r) * rs), f);                                                            \
  }
  ROW(0, s00, s01) ROW(1, s10, s11) ROW(2, s20, s21) ROW(3, s30, s31)
#undef ROW
}

/* A whole tile rounded to float32, added to the float64 accumulators of row r at acc + r·rs (bytes). */
INLINE void tile4_acc(uint32_t a, uint32_t b, uint32_t k, uint32_t acc, uint32_t rs) {
  TILE_LOOP(a, b, k)
#define ROUND(v) wasm_f64x2_promote_low_f32x4(wasm_f32x4_demote_f64x2_zero(v))
#define ROW(r, lo, hi)                                                                                     \
  {                                                                                                        \
    const uint32_t q = acc + (r) * rs;                                                                     \
    wasm_v128_store((void *)q, add64(ROUND(lo), wasm_v128_load((const void *)q)));                         \
    wasm_v128_store((void *)(q + 16), add64(ROUND(hi), wasm_v128_load((const void *)(q + 16))));           \
  }
  ROW(0, s00, s01) ROW(1, s10, s11) ROW(2, s20, s21) ROW(3, s30, s31)
#undef ROW
#undef ROUND
}

#define GEO                                                                                              \
  const int32_t N = I32(geo), C = I32(geo + 4), H = I32(geo + 8), W = I32(geo + 12), O = I32(geo + 16);   \
  const int32_t G = I32(geo + 20), kh = I32(geo + 24), kw = I32(geo + 28), sh = I32(geo + 32);              \
  const int32_t sw = I32(geo + 36), ph = I32(geo + 40), pw = I32(geo + 44), dh = I32(geo + 48);             \
  const int32_t dw = I32(geo + 52), OH = I32(geo + 56), OW = I32(geo + 60);                                 \
  const int32_t K = kh * kw, L = OH * OW, Og = O / G, Cw = C / G, CK = Cw * K, HW = H * W;                  \
  (void)N; (void)sh; (void)sw; (void)ph; (void)pw; (void)dh; (void)dw; (void)HW; (void)Og; (void)CK; (void)K; (void)L;

/*
 * One micro-panel of the windows of image plane block xg (channels Cw from x + 4*xg): 4 output positions
 * l0 .. l0 + 3 (past L: zeros) as b[4p + j], p = (c, i, jj) over CK (the im2col column of position l0 + j).
 */
INLINE void pack_cols(uint32_t b, uint32_t xg, int32_t l0, int32_t L, int32_t OW, int32_t Cw, int32_t H, int32_t W,
  int32_t kh, int32_t kw, int32_t sh, int32_t sw, int32_t ph, int32_t pw, int32_t dh, int32_t dw) {
  int32_t bh[4], bw[4];
  for (int j = 0; j < 4; j++) {
    const int32_t l = l0 + j;
    if (l < L) { bh[j] = (l / OW) * sh - ph; bw[j] = (l % OW) * sw - pw; }
    else { bh[j] = -(1 << 30); bw[j] = 0; } /* (never inside the image) */
  }
  uint32_t d = b;
  /* The 4 positions in one output row, stride 1: each window element's 4 values are consecutive in the
   * image row (one load) unless the row or a column lies in the padding. */
  const int row4 = sw == 1 && l0 + 3 < L && bh[0] == bh[3];
  for (int32_t c = 0; c < Cw; c++) {
    const uint32_t plane = xg + 4 * (uint32_t)(c * H * W);
    for (int32_t i = 0; i < kh; i++) {
      for (int32_t jj = 0; jj < kw; jj++, d += 32) {
        if (row4) {
          const int32_t ih = bh[0] + i * dh, iw = bw[0] + jj * dw;
          if ((uint32_t)ih >= (uint32_t)H) {
            wasm_v128_store((void *)d, wasm_f64x2_splat(0)); wasm_v128_store((void *)(d + 16), wasm_f64x2_splat(0));
            continue;
          }
          if (iw >= 0 && iw + 3 < W) {
            const V v = wasm_v128_load((const void *)(plane + 4 * (uint32_t)(ih * W + iw)));
            wasm_v128_store((void *)d, wasm_f64x2_promote_low_f32x4(v));
            wasm_v128_store((void *)(d + 16), wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3)));
            continue;
          }
        }
        for (int j = 0; j < 4; j++) {
          const int32_t ih = bh[j] + i * dh, iw = bw[j] + jj * dw;
          F64(d + 8 * j) = ((uint32_t)ih < (uint32_t)H && (uint32_t)iw < (uint32_t)W) ? (double)F32(plane + 4 * (uint32_t)(ih * W + iw)) : 0.0;
        }
      }
    }
  }
}

/* Rows r0 .. r0 + 3 (past `rows`: zeros) of a row-major float32 matrix (row length k, from m) as a k x 4
 * p-major strip. */
INLINE void pack_rows(uint32_t a, uint32_t m, int32_t r0, int32_t rows, int32_t k) {
  for (int t = 0; t < 4; t++) {
    const int32_t r = r0 + t;
    if (r < rows) for (int32_t p = 0; p < k; p++) F64(a + 32 * p + 8 * t) = (double)F32(m + 4 * (uint32_t)(r * k + p));
    else for (int32_t p = 0; p < k; p++) F64(a + 32 * p + 8 * t) = 0.0;
  }
}

/* Scratch bytes each mode needs (mode 0: forward, 1: input gradient, 2: weight gradient). */
EXPORT(conv_scratch_bytes)
uint32_t conv_scratch_bytes(uint32_t geo, uint32_t mode) {
  GEO
  const uint32_t strips = (uint32_t)(Og + 3) / 4, cstrips = (uint32_t)(CK + 3) / 4;
  if (mode == 0) return 128 + 32 * strips * CK + 32 * CK;
  if (mode == 1) return 128 + 32 * cstrips * Og + 32 * Og + 4 * (uint32_t)CK * L;
  return 128 + 32 * strips * L + 32 * L + 32 * (uint32_t)O * CK;
}

/* y [N, O, OH, OW] = the windows of x times w (+ bias when bias is not 0). */
EXPORT(conv_forward)
void conv_forward(uint32_t geo, uint32_t x, uint32_t w, uint32_t bias, uint32_t out, uint32_t scratch) {
  GEO
  const int32_t strips = (Og + 3) / 4;
  const uint32_t t = scratch, a = scratch + 128, b = a + 32 * (uint32_t)strips * CK;
  for (int32_t g = 0; g < G; g++) {
    for (int32_t s = 0; s < strips; s++) pack_rows(a + 32 * (uint32_t)(s * CK), w + 4 * (uint32_t)(g * Og * CK), 4 * s, Og, CK);
    for (int32_t n = 0; n < N; n++) {
      const uint32_t xg = x + 4 * (uint32_t)((n * C + g * Cw) * HW);
      const uint32_t yo = out + 4 * (uint32_t)((n * O + g * Og) * L);
      for (int32_t l0 = 0; l0 < L; l0 += 4) {
        pack_cols(b, xg, l0, L, OW, Cw, H, W, kh, kw, sh, sw, ph, pw, dh, dw);
        const int32_t cols = L - l0 < 4 ? L - l0 : 4;
        for (int32_t s = 0; s < strips; s++) {
          const int32_t rows = Og - 4 * s < 4 ? Og - 4 * s : 4;
          if (rows == 4 && cols == 4) {
            tile4_f32(a + 32 * (uint32_t)(s * CK), b, (uint32_t)CK, yo + 4 * (uint32_t)(4 * s * L + l0), 4 * (uint32_t)L, bias ? bias + 4 * (uint32_t)(g * Og + 4 * s) : 0);
            continue;
          }
          tile4(a + 32 * (uint32_t)(s * CK), b, (uint32_t)CK, t);
          for (int32_t r = 0; r < rows; r++) {
            const int32_t o = 4 * s + r;
            const uint32_t yr = yo + 4 * (uint32_t)(o * L + l0);
            if (bias) {
              const float bv = F32(bias + 4 * (uint32_t)(g * Og + o));
              for (int32_t j = 0; j < cols; j++) F32(yr + 4 * j) = (float)F64(t + 32 * r + 8 * j) + bv;
            } else {
              for (int32_t j = 0; j < cols; j++) F32(yr + 4 * j) = (float)F64(t + 32 * r + 8 * j);
            }
          }
        }
      }
    }
  }
}

/* gx [N, C, H, W] = the windows' gradients (w^T g per image, float32) summed back into the image. */
EXPORT(conv_input_grad)
void conv_input_grad(uint32_t geo, uint32_t w, uint32_t gy, uint32_t out, uint32_t scratch) {
  GEO
  const int32_t cstrips = (CK + 3) / 4;
  const uint32_t t = scratch, a = scratch + 128, b = a + 32 * (uint32_t)cstrips * Og, dc = b + 32 * (uint32_t)Og;
  for (int32_t n = 0; n < N; n++) {
    for (int32_t g = 0; g < G; g++) {
      /* A: w^T of this group, strips of 4 rows p (= c, i, jj), k = o */
      if (n == 0 || G > 1) {
        const uint32_t wg = w + 4 * (uint32_t)(g * Og * CK);
        for (int32_t s = 0; s < cstrips; s++) {
          const uint32_t as = a + 32 * (uint32_t)(s * Og);
          for (int32_t o = 0; o < Og; o++)
            for (int32_t r = 0; r < 4; r++) F64(as + 32 * o + 8 * r) = 4 * s + r < CK ? (double)F32(wg + 4 * (uint32_t)(o * CK + 4 * s + r)) : 0.0;
        }
      }
      const uint32_t gg = gy + 4 * (uint32_t)((n * O + g * Og) * L);
      for (int32_t l0 = 0; l0 < L; l0 += 4) {
        const int32_t cols = L - l0 < 4 ? L - l0 : 4;
        for (int32_t o = 0; o < Og; o++)
          for (int32_t j = 0; j < 4; j++) F64(b + 32 * o + 8 * j) = j < cols ? (double)F32(gg + 4 * (uint32_t)(o * L + l0 + j)) : 0.0;
        for (int32_t s = 0; s < cstrips; s++) {
          const int32_t rows = CK - 4 * s < 4 ? CK - 4 * s : 4;
          if (rows == 4 && cols == 4) {
            tile4_f32(a + 32 * (uint32_t)(s * Og), b, (uint32_t)Og, dc + 4 * (uint32_t)(4 * s * L + l0), 4 * (uint32_t)L, 0);
            continue;
          }
          tile4(a + 32 * (uint32_t)(s * Og), b, (uint32_t)Og, t);
          for (int32_t r = 0; r < rows; r++)
            for (int32_t j = 0; j < cols; j++) F32(dc + 4 * (uint32_t)((4 * s + r) * L + l0 + j)) = (float)F64(t + 32 * r + 8 * j);
        }
      }
      /* the fold: each channel's plane from zeros, the window gradients added in (i, jj, oh, ow) order */
      for (int32_t c = 0; c < Cw; c++) {
        const uint32_t plane = out + 4 * (uint32_t)((n * C + g * Cw + c) * HW);
        for (int32_t q = 0; q < HW; q++) F32(plane + 4 * q) = 0.0f;
        for (int32_t i = 0; i < kh; i++) {
          for (int32_t jj = 0; jj < kw; jj++) {
            const uint32_t src = dc + 4 * (uint32_t)(((c * kh + i) * kw + jj) * L);
            /* output columns [lo, hi) land inside the image (iw = ow·sw + off); each pixel gets at most one
             * add per (i, jj), so 4 columns at once keep every pixel's order */
            const int32_t off = jj * dw - pw;
            const int32_t lo0 = off >= 0 ? 0 : (-off + sw - 1) / sw, hi0 = W - off <= 0 ? 0 : (W - off + sw - 1) / sw;
            const int32_t lo = lo0 < OW ? lo0 : OW, hi = hi0 < lo ? lo : hi0 < OW ? hi0 : OW;
            for (int32_t oh = 0; oh < OH; oh++) {
              const int32_t ih = oh * sh - ph + i * dh;
              if ((uint32_t)ih >= (uint32_t)H) continue;
              const uint32_t row = plane + 4 * (uint32_t)(ih * W + off), sr = src + 4 * (uint32_t)(oh * OW);
              int32_t ow = lo;
              if (sw == 1)
                for (; ow + 4 <= hi; ow += 4) {
                  const uint32_t q = row + 4 * (uint32_t)ow;
                  wasm_v128_store((void *)q, wasm_f32x4_add(wasm_v128_load((const void *)q), wasm_v128_load((const void *)(sr + 4 * (uint32_t)ow))));
                }
              for (; ow < hi; ow++) {
                const uint32_t q = row + 4 * (uint32_t)(ow * sw);
                F32(q) = F32(q) + F32(sr + 4 * (uint32_t)ow);
              }
            }
          }
        }
      }
    }
  }
}

/* gw [O, C/G, kh, kw] = the sum over images of float32(g cols^T), in the protocol's reduction order. */
EXPORT(conv_weight_grad)
void conv_weight_grad(uint32_t geo, uint32_t x, uint32_t gy, uint32_t out, uint32_t scratch) {
  GEO
  const int32_t strips = (Og + 3) / 4, OCK = O * CK;
  const uint32_t t = scratch, a = scratch + 128, b = a + 32 * (uint32_t)strips * L, acc = b + 32 * (uint32_t)L;
  for (int32_t q = 0; q < 4 * OCK; q++) F64(acc + 8 * q) = 0.0;
  for (int32_t n = 0; n < N; n++) {
    const uint32_t an = acc + 8 * (uint32_t)((n & 3) * OCK);
    for (int32_t g = 0; g < G; g++) {
      const uint32_t gg = gy + 4 * (uint32_t)((n * O + g * Og) * L);
      for (int32_t s = 0; s < strips; s++) pack_rows(a + 32 * (uint32_t)(s * L), gg, 4 * s, Og, L);
      const uint32_t xg = x + 4 * (uint32_t)((n * C + g * Cw) * HW);
      for (int32_t p0 = 0; p0 < CK; p0 += 4) {
        /* B: columns p0 .. p0 + 3 of cols^T (past CK: zeros), k = l */
        for (int32_t j = 0; j < 4; j++) {
          const int32_t p = p0 + j;
          if (p >= CK) { for (int32_t l = 0; l < L; l++) F64(b + 32 * l + 8 * j) = 0.0; continue; }
          const int32_t c = p / K, i = (p % K) / kw, jj = p % kw;
          const uint32_t plane = xg + 4 * (uint32_t)(c * HW);
          uint32_t d = b + 8 * j;
          for (int32_t oh = 0; oh < OH; oh++) {
            const int32_t ih = oh * sh - ph + i * dh;
            if ((uint32_t)ih >= (uint32_t)H) { for (int32_t ow = 0; ow < OW; ow++, d += 32) F64(d) = 0.0; continue; }
            const uint32_t row = plane + 4 * (uint32_t)(ih * W);
            for (int32_t ow = 0; ow < OW; ow++, d += 32) {
              const int32_t iw = ow * sw - pw + jj * dw;
              F64(d) = (uint32_t)iw < (uint32_t)W ? (double)F32(row + 4 * iw) : 0.0;
            }
          }
        }
        const int32_t cols = CK - p0 < 4 ? CK - p0 : 4;
        for (int32_t s = 0; s < strips; s++) {
          const int32_t rows = Og - 4 * s < 4 ? Og - 4 * s : 4;
          if (rows == 4 && cols == 4) {
            tile4_acc(a + 32 * (uint32_t)(s * L), b, (uint32_t)L, an + 8 * (uint32_t)((g * Og + 4 * s) * CK + p0), 8 * (uint32_t)CK);
            continue;
          }
          tile4(a + 32 * (uint32_t)(s * L), b, (uint32_t)L, t);
          for (int32_t r = 0; r < rows; r++) {
            const uint32_t ar = an + 8 * (uint32_t)((g * Og + 4 * s + r) * CK + p0);
            for (int32_t j = 0; j < cols; j++) F64(ar + 8 * j) = F64(ar + 8 * j) + (double)(float)F64(t + 32 * r + 8 * j);
          }
        }
      }
    }
  }
  for (int32_t q = 0; q < OCK; q++) {
    const double a0 = F64(acc + 8 * q), a1 = F64(acc + 8 * (uint32_t)(OCK + q));
    const double a2 = F64(acc + 8 * (uint32_t)(2 * OCK + q)), a3 = F64(acc + 8 * (uint32_t)(3 * OCK + q));
    double total = 0;
    total += (a0 + a1) + (a2 + a3);
    F32(out + 4 * q) = (float)total;
  }
}

/* ---------------------------------------------------------------- max pooling (geo's O and G unused) */

/* The window of output position (oh, ow) in plane: the position (i·kw + jj) of its first largest element,
 * elements outside the image counting as -inf, the first NaN if there is one (kernels.ts's argmax loop). */
INLINE int32_t window_arg(uint32_t plane, int32_t oh, int32_t ow, int32_t H, int32_t W, int32_t kh, int32_t kw,
  int32_t sh, int32_t sw, int32_t ph, int32_t pw, int32_t dh, int32_t dw) {
  float best = -__builtin_inff(); /* (as JS's best = the first element, at = 0: -inf stays at 0) */
  int32_t at = 0;
  for (int32_t i = 0; i < kh; i++) {
    const int32_t ih = oh * sh - ph + i * dh;
    const int inh = (uint32_t)ih < (uint32_t)H;
    for (int32_t jj = 0; jj < kw; jj++) {
      const int32_t iw = ow * sw - pw + jj * dw, k = i * kw + jj;
      const float v = inh && (uint32_t)iw < (uint32_t)W ? F32(plane + 4 * (uint32_t)(ih * W + iw)) : -__builtin_inff();
      if (v != v) return k;
      const int gt = v > best;
      best = gt ? v : best;
      at = gt ? k : at;
    }
  }
  return at;
}

/* Window element (i, jj) of the 4 output positions ow .. ow + 3 of row oh (all < OW): -inf outside the
 * image. row: the image row ih's address (read only when inh). */
INLINE V gather4(uint32_t row, int inh, int32_t iw0, int32_t sw, int32_t W) {
  if (inh && iw0 >= 0 && iw0 + 3 * sw < W) {
    if (sw == 1) return wasm_v128_load((const void *)(row + 4 * (uint32_t)iw0));
    if (sw == 2 && iw0 + 7 < W) {
      const V a = wasm_v128_load((const void *)(row + 4 * (uint32_t)iw0)), b = wasm_v128_load((const void *)(row + 4 * (uint32_t)iw0 + 16));
      return wasm_i32x4_shuffle(a, b, 0, 2, 4, 6);
    }
    return wasm_f32x4_make(F32(row + 4 * (uint32_t)iw0), F32(row + 4 * (uint32_t)(iw0 + sw)), F32(row + 4 * (uint32_t)(iw0 + 2 * sw)), F32(row + 4 * (uint32_t)(iw0 + 3 * sw)));
  }
  const float ninf = -__builtin_inff();
#define AT(j) (inh && (uint32_t)(iw0 + (j) * sw) < (uint32_t)W ? F32(row + 4 * (uint32_t)(iw0 + (j) * sw)) : ninf)
  return wasm_f32x4_make(AT(0), AT(1), AT(2), AT(3));
#undef AT
}

/* window_arg for the 4 output positions ow .. ow + 3 of row oh at once (int32 lanes). */
INLINE V window_arg4(uint32_t plane, int32_t oh, int32_t ow, int32_t H, int32_t W, int32_t kh, int32_t kw,
  int32_t sh, int32_t sw, int32_t ph, int32_t pw, int32_t dh, int32_t dw) {
  V best = wasm_f32x4_splat(-__builtin_inff()), at = wasm_i32x4_splat(0), done = at;
  for (int32_t i = 0; i < kh; i++) {
    const int32_t ih = oh * sh - ph + i * dh;
    const int inh = (uint32_t)ih < (uint32_t)H;
    const uint32_t row = plane + 4 * (uint32_t)(inh ? ih * W : 0);
    for (int32_t jj = 0; jj < kw; jj++) {
      const V v = gather4(row, inh, ow * sw - pw + jj * dw, sw, W);
      const V nan = wasm_f32x4_ne(v, v);
      /* (a lane takes its first NaN, or a larger element, until it has seen a NaN) */
      const V take = wasm_v128_andnot(wasm_v128_or(nan, wasm_f32x4_gt(v, best)), done);
      at = wasm_v128_bitselect(wasm_i32x4_splat(i * kw + jj), at, take);
      best = wasm_v128_bitselect(v, best, take);
      done = wasm_v128_or(done, nan);
    }
  }
  return at;
}

/* y [N, C, OH, OW] = each window's largest element (NaN if it holds one; -inf outside the image). */
EXPORT(pool_max_forward)
void pool_max_forward(uint32_t geo, uint32_t x, uint32_t out) {
  GEO
  for (int32_t nc = 0; nc < N * C; nc++) {
    const uint32_t plane = x + 4 * (uint32_t)(nc * HW), y = out + 4 * (uint32_t)(nc * L);
    for (int32_t oh = 0; oh < OH; oh++) {
      int32_t ow = 0;
      /* 4 positions at once: the largest so far where an element is larger (kernels.ts's v > acc), NaN
       * where one was seen */
      for (; ow + 4 <= OW; ow += 4) {
        V best = wasm_f32x4_splat(-__builtin_inff()), nan = wasm_i32x4_splat(0);
        for (int32_t i = 0; i < kh; i++) {
          const int32_t ih = oh * sh - ph + i * dh;
          const int inh = (uint32_t)ih < (uint32_t)H;
          const uint32_t row = plane + 4 * (uint32_t)(inh ? ih * W : 0);
          for (int32_t jj = 0; jj < kw; jj++) {
            const V v = gather4(row, inh, ow * sw - pw + jj * dw, sw, W);
            nan = wasm_v128_or(nan, wasm_f32x4_ne(v, v));
            best = wasm_v128_bitselect(v, best, wasm_f32x4_gt(v, best));
          }
        }
        wasm_v128_store((void *)(y + 4 * (uint32_t)(oh * OW + ow)), wasm_v128_bitselect(wasm_f32x4_splat(__builtin_nanf("")), best, nan));
      }
      for (; ow < OW; ow++) {
        float best = -__builtin_inff();
        for (int32_t i = 0; i < kh; i++) {
          const int32_t ih = oh * sh - ph + i * dh;
          const int inh = (uint32_t)ih < (uint32_t)H;
          for (int32_t jj = 0; jj < kw; jj++) {
            const int32_t iw = ow * sw - pw + jj * dw;
            const float v = inh && (uint32_t)iw < (uint32_t)W ? F32(plane + 4 * (uint32_t)(ih * W + iw)) : -__builtin_inff();
            if (v != v) { best = __builtin_nanf(""); goto done; }
            if (v > best) best = v;
          }
        }
      done:
        F32(y + 4 * (uint32_t)(oh * OW + ow)) = best;
      }
    }
  }
}

/* The window positions of row oh's outputs into args[0 .. OW). */
INLINE void row_args(uint32_t args, uint32_t plane, int32_t oh, int32_t OW, int32_t H, int32_t W, int32_t kh, int32_t kw,
  int32_t sh, int32_t sw, int32_t ph, int32_t pw, int32_t dh, int32_t dw) {
  int32_t ow = 0;
  for (; ow + 4 <= OW; ow += 4) wasm_v128_store((void *)(args + 4 * (uint32_t)ow), window_arg4(plane, oh, ow, H, W, kh, kw, sh, sw, ph, pw, dh, dw));
  for (; ow < OW; ow++) I32(args + 4 * (uint32_t)ow) = window_arg(plane, oh, ow, H, W, kh, kw, sh, sw, ph, pw, dh, dw);
}

/* gx [N, C, H, W]: each output's gradient to its window's first largest element (none when that lies
 * outside the image), added from zeros in (window position, output position) order, float32. scratch:
 * 4·OH·OW + 8·kh·kw bytes. */
EXPORT(pool_max_grad)
void pool_max_grad(uint32_t geo, uint32_t x, uint32_t gy, uint32_t out, uint32_t scratch) {
  GEO
  const int disjoint = sh >= dh * (kh - 1) + 1 && sw >= dw * (kw - 1) + 1;
  /* (window position k's row and column offsets: no divisions in the loops) */
  const uint32_t ktab = scratch + 4 * (uint32_t)L;
  for (int32_t i = 0; i < kh; i++)
    for (int32_t jj = 0; jj < kw; jj++) { I32(ktab + 8 * (uint32_t)(i * kw + jj)) = i * dh; I32(ktab + 8 * (uint32_t)(i * kw + jj) + 4) = jj * dw; }
  for (int32_t nc = 0; nc < N * C; nc++) {
    const uint32_t plane = x + 4 * (uint32_t)(nc * HW), gp = gy + 4 * (uint32_t)(nc * L), o = out + 4 * (uint32_t)(nc * HW);
    for (int32_t q = 0; q < HW; q++) F32(o + 4 * q) = 0.0f;
    if (disjoint) {
      /* Windows that do not overlap (stride at least the dilated kernel): each pixel has at most one
       * reader, so the order of the adds is moot (0 + g, as the scatter-add's). */
      for (int32_t oh = 0; oh < OH; oh++) {
        row_args(scratch, plane, oh, OW, H, W, kh, kw, sh, sw, ph, pw, dh, dw);
        for (int32_t ow = 0; ow < OW; ow++) {
          const int32_t k = I32(scratch + 4 * (uint32_t)ow);
          const int32_t ih = oh * sh - ph + I32(ktab + 8 * (uint32_t)k), iw = ow * sw - pw + I32(ktab + 8 * (uint32_t)k + 4);
          if ((uint32_t)ih >= (uint32_t)H || (uint32_t)iw >= (uint32_t)W) continue;
          F32(o + 4 * (uint32_t)(ih * W + iw)) = 0.0f + F32(gp + 4 * (uint32_t)(oh * OW + ow));
        }
      }
      continue;
    }
    for (int32_t oh = 0; oh < OH; oh++) row_args(scratch + 4 * (uint32_t)(oh * OW), plane, oh, OW, H, W, kh, kw, sh, sw, ph, pw, dh, dw);
    for (int32_t k = 0; k < K; k++) {
      const int32_t i = k / kw, jj = k % kw;
      for (int32_t oh = 0; oh < OH; oh++) {
        const int32_t ih = oh * sh - ph + i * dh;
        if ((uint32_t)ih >= (uint32_t)H) continue;
        for (int32_t ow = 0; ow < OW; ow++) {
          const int32_t l = oh * OW + ow, iw = ow * sw - pw + jj * dw;
          if (I32(scratch + 4 * (uint32_t)l) != k || (uint32_t)iw >= (uint32_t)W) continue;
          F32(o + 4 * (uint32_t)(ih * W + iw)) = F32(o + 4 * (uint32_t)(ih * W + iw)) + F32(gp + 4 * (uint32_t)l);
        }
      }
    }
  }
}
