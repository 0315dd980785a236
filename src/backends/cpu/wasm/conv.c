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

/* t (16 doubles, row-major 4 x 4) = A strip (k x 4, p-major) times B micro-panel (k x 4, p-major). */
INLINE void tile4(uint32_t a, uint32_t b, uint32_t k, uint32_t t) {
  V s00 = wasm_f64x2_splat(0), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
  for (uint32_t p = 0; p < k; p++) {
    const uint32_t ap = a + 32 * p, bq = b + 32 * p;
    const V b0 = wasm_v128_load((const void *)bq), b1 = wasm_v128_load((const void *)(bq + 16));
    V x = wasm_v128_load64_splat((const void *)ap);
    MAC(s00, x, b0); MAC(s01, x, b1);
    x = wasm_v128_load64_splat((const void *)(ap + 8));
    MAC(s10, x, b0); MAC(s11, x, b1);
    x = wasm_v128_load64_splat((const void *)(ap + 16));
    MAC(s20, x, b0); MAC(s21, x, b1);
    x = wasm_v128_load64_splat((const void *)(ap + 24));
    MAC(s30, x, b0); MAC(s31, x, b1);
  }
  wasm_v128_store((void *)t, s00); wasm_v128_store((void *)(t + 16), s01);
  wasm_v128_store((void *)(t + 32), s10); wasm_v128_store((void *)(t + 48), s11);
  wasm_v128_store((void *)(t + 64), s20); wasm_v128_store((void *)(t + 80), s21);
  wasm_v128_store((void *)(t + 96), s30); wasm_v128_store((void *)(t + 112), s31);
}

#define GEO                                                                                              \
  const int32_t N = I32(geo), C = I32(geo + 4), H = I32(geo + 8), W = I32(geo + 12), O = I32(geo + 16);   \
  const int32_t G = I32(geo + 20), kh = I32(geo + 24), kw = I32(geo + 28), sh = I32(geo + 32);              \
  const int32_t sw = I32(geo + 36), ph = I32(geo + 40), pw = I32(geo + 44), dh = I32(geo + 48);             \
  const int32_t dw = I32(geo + 52), OH = I32(geo + 56), OW = I32(geo + 60);                                 \
  const int32_t K = kh * kw, L = OH * OW, Og = O / G, Cw = C / G, CK = Cw * K, HW = H * W;                  \
  (void)N; (void)sh; (void)sw; (void)ph; (void)pw; (void)dh; (void)dw; (void)HW;

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
  for (int32_t c = 0; c < Cw; c++) {
    const uint32_t plane = xg + 4 * (uint32_t)(c * H * W);
    for (int32_t i = 0; i < kh; i++) {
      for (int32_t jj = 0; jj < kw; jj++, d += 32) {
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
          tile4(a + 32 * (uint32_t)(s * CK), b, (uint32_t)CK, t);
          const int32_t rows = Og - 4 * s < 4 ? Og - 4 * s : 4;
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
          tile4(a + 32 * (uint32_t)(s * Og), b, (uint32_t)Og, t);
          const int32_t rows = CK - 4 * s < 4 ? CK - 4 * s : 4;
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
            for (int32_t oh = 0; oh < OH; oh++) {
              const int32_t ih = oh * sh - ph + i * dh;
              if ((uint32_t)ih >= (uint32_t)H) continue;
              const uint32_t row = plane + 4 * (uint32_t)(ih * W), sr = src + 4 * (uint32_t)(oh * OW);
              for (int32_t ow = 0; ow < OW; ow++) {
                const int32_t iw = ow * sw - pw + jj * dw;
                if ((uint32_t)iw >= (uint32_t)W) continue;
                F32(row + 4 * iw) = F32(row + 4 * iw) + F32(sr + 4 * ow);
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
          tile4(a + 32 * (uint32_t)(s * L), b, (uint32_t)L, t);
          const int32_t rows = Og - 4 * s < 4 ? Og - 4 * s : 4;
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
