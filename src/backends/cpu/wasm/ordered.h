/*
 * ORDERED(name, insn): a SIMD add or mul that keeps its operand order. clang treats fadd/fmul as
 * commutative and may swap the operands; the value is the same, but for two NaN inputs x86 returns the
 * first NaN operand (quieted), so the order decides which payload survives. ew.c and mm.c follow the
 * operand order of the code V8 generates for the JS kernels (NaN bits only). Needs V (v128_t) and INLINE.
 */
#define ORDERED(name, insn)                                                                           \
  INLINE V name(V x, V y) {                                                                           \
    V r;                                                                                              \
    __asm__("local.get %1\n\tlocal.get %2\n\t" insn "\n\tlocal.set %0" : "=r"(r) : "r"(x), "r"(y)); \
    return r;                                                                                         \
  }
