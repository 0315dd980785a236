// int64 on the GPU is stored and computed in 32 bits (see common.wgsl). These checked forms of the
// operations that can leave that range (add, sub, mul, neg, abs, sums, a float converted to int64)
// give the wrapped result and record that they did in troupe_status (bind group 1), which the next read
// reports as an error: a value past 32 bits is never handed back as if it were right. Included only in
// kernels that use them (the binding is then part of the pipeline's layout).
@group(1) @binding(0) var<storage, read_write> troupe_status: atomic<u32>;

fn lchk_flag() { if (lchk_on) { atomicOr(&troupe_status, 1u); } }
// (bit 2: an index outside its dimension, in gather.wgsl and scatter_add*.wgsl)
fn lchk_oob() { atomicOr(&troupe_status, 2u); }
fn lchk_add(a: i32, b: i32) -> i32 {
  let r = a + b;
  if (((a ^ r) & (b ^ r)) < 0i) { lchk_flag(); }
  return r;
}
fn lchk_sub(a: i32, b: i32) -> i32 {
  let r = a - b;
  if (((a ^ b) & (a ^ r)) < 0i) { lchk_flag(); }
  return r;
}
fn lchk_mul(a: i32, b: i32) -> i32 {
  let r = a * b;
  let min = bitcast<i32>(0x80000000u);
  if (a != 0i && (r / a != b || (a == -1i && b == min))) { lchk_flag(); }
  return r;
}
fn lchk_neg(a: i32) -> i32 {
  if (a == bitcast<i32>(0x80000000u)) { lchk_flag(); }
  return -a;
}
fn lchk_abs(a: i32) -> i32 {
  if (a == bitcast<i32>(0x80000000u)) { lchk_flag(); }
  return abs(a);
}
// x << y in 64 bits: 0 for a shift outside [0, 64), else x · 2^y, which must fit in the 32 bits.
fn lchk_shl(x: i32, y: i32) -> i32 {
  if (y < 0i || y >= 64i || x == 0i) { return 0i; }
  if (y >= 32i) { lchk_flag(); return 0i; }
  let r = bitcast<i32>(bitcast<u32>(x) << u32(y));
  if ((r >> u32(y)) != x) { lchk_flag(); }
  return r;
}
// A float about to be stored as int64 (truncated): it must lie in [-2^31, 2^31).
fn lchk_f2l(v: f32) -> f32 {
  if (!(v >= -2147483648.0 && v < 2147483648.0)) { lchk_flag(); }
  return v;
}
