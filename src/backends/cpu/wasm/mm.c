/*
 * WebAssembly SIMD matmul micro-kernel for troupe: one 4-row strip of a matrix product, in float64.
 *
 * Bit-identical to the JS matmul of src/backends/cpu/kernels.ts (runMatmul / rowBlock4) for every dtype:
 * the JS driver (matmul.ts) packs the operands as float64 (exact for float32, int32, uint8 and float64
 * values) and each output element is the same sequence of IEEE float64 operations as in JS:
 *
 *   for each block [p0, p1) of at most REDUCE_BLOCK steps of k, in order (one call per block, acc = p0 > 0):
 *     s = 0; for p in [p0, p1): s = s + a[p] * b[p]      (one mul, then one add: nothing fused)
 *     total = p0 == 0 ? s : total + s
 *
 * The build uses -ffp-contract=off and WebAssembly SIMD has no implicit FMA, so nothing is fused or
 * reassociated; the lanes of an f64x2 are two independent output elements. The operand order of each add
 * and mul follows ew.c's rule for the code V8 generates from the JS kernels (it only matters for which
 * NaN's payload survives; every non-NaN result is the same either way).
 *
 * Layout (byte addresses in the imported memory, 8-byte aligned):
 *   a:   k x 4 float64 (k: this block's steps), p-major: a[4p + r] is row r's element p (rows past the strip are zeros);
 *   b:   nb micro-panels of 4 columns, each k x 4 p-major: b[(c * k + p) * 4 + j] is B[p, 4c + j];
 *   out: 4 x (4 nb) float64, row-major: the totals.
 * As in ew.c: no linear-memory stack, no data segments, no globals (build-wasm.sh checks this).
 *
 * Build: scripts/build-wasm.sh (Debian clang/lld, wasm32, -O3 -msimd128).
 */
#include <stdint.h>
#include <wasm_simd128.h>

typedef v128_t V;

#define EXPORT(name) __attribute__((export_name(#name), visibility("default")))
#define INLINE static inline __attribute__((always_inline))

#include "ordered.h"
ORDERED(add64, "f64x2.add")
ORDERED(mul64, "f64x2.mul")

/* JS: acc += av * bv, i.e. acc = acc + (av * bv); ew.c's rule: x op y -> op(y, x). */
#define MAC(acc, av, bv) acc = add64(mul64(bv, av), acc)

EXPORT(mm_strip4)
void mm_strip4(uint32_t a, uint32_t b, uint32_t out, uint32_t k, uint32_t nb, uint32_t acc) {
  const uint32_t w = 4 * nb; /* columns of out */
  for (uint32_t c = 0; c < nb; c++) {
    const uint32_t bp = b + 32 * k * c; /* this micro-panel */
    V s00 = wasm_f64x2_splat(0), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
    for (uint32_t p = 0; p < k; p++) {
      const uint32_t ap = a + 32 * p, bq = bp + 32 * p;
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
    /* out row r, columns 4c .. 4c + 3: the block sum, or JS's total += block (ew.c's operand rule) */
    const uint32_t o0 = out + 32 * c, o1 = o0 + 8 * w, o2 = o1 + 8 * w, o3 = o2 + 8 * w;
#define PUT(o, lo, hi)                                                                                  \
    if (!acc) { wasm_v128_store((void *)(o), lo); wasm_v128_store((void *)((o) + 16), hi); }           \
    else {                                                                                              \
      wasm_v128_store((void *)(o), add64(lo, wasm_v128_load((const void *)(o))));                       \
      wasm_v128_store((void *)((o) + 16), add64(hi, wasm_v128_load((const void *)((o) + 16))));         \
    }
    PUT(o0, s00, s01)
    PUT(o1, s10, s11)
    PUT(o2, s20, s21)
    PUT(o3, s30, s31)
#undef PUT
  }
}
