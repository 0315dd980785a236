// Helpers shared by every troupe kernel. Storage: every element is one 32-bit word (array<u32>);
// float32 is f32 bits, int32 and int64 are i32 bits (int64 is stored in 32 bits on the GPU), bool is
// 0u / 1u. Loads bitcast/convert a word to the kernel's compute type, stores convert back.

// Whether the lane being computed is one of its statement's elements: a fused kernel computes each value
// for all four lanes of its quad and stores only the lanes inside the statement; the checked int64
// operations (int64.wgsl) record an overflow only where this is true (a lane past the end reads
// whatever follows in the buffer, a slab shared with other storages).
var<private> lchk_on: bool = true;

fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
// A NaN made at run time (NaN and inf constants are rejected by WGSL's constant evaluation).
fn nan_from(x: f32) -> f32 { return sqrt(-1.0 - abs(x)); }

// maximum/minimum propagate NaN (as the CPU kernels and PyTorch do); WGSL's max/min leave it undefined.
fn fmax(a: f32, b: f32) -> f32 {
  if (is_nan(a)) { return a; }
  if (is_nan(b)) { return b; }
  return select(b, a, a > b);
}
fn fmin(a: f32, b: f32) -> f32 {
  if (is_nan(a)) { return a; }
  if (is_nan(b)) { return b; }
  return select(b, a, a < b);
}
// sign of 0, -0 and NaN is 0 (PyTorch's); relu keeps NaN.
fn fsign(x: f32) -> f32 { return select(select(0.0, -1.0, x < 0.0), 1.0, x > 0.0); }
// relu is x < 0 ? 0 : x, PyTorch's (and the CPU's): -inf -> 0, -0 -> -0, NaN -> NaN.
fn frelu(x: f32) -> f32 {
  if (x < 0.0 && !is_nan(x)) { return 0.0; }
  return x;
}
// tanh clamped: some implementations compute it through exp and give NaN for large |x|.
fn ftanh(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  return tanh(clamp(x, -20.0, 20.0));
}
// pow with JS Math.pow semantics for negative bases and integer exponents (WGSL's pow is undefined
// for x < 0), exact for the common small exponents.
fn fpow(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (is_nan(a) || is_nan(b)) { return a + b; }
  if (b == 1.0) { return a; }
  if (b == 2.0) { return a * a; }
  if (b == -1.0) { return 1.0 / a; }
  let is_int = floor(b) == b;
  let odd = is_int && abs(b) < 16777216.0 && fract(b * 0.5) != 0.0;
  let m = abs(a);
  var r: f32;
  if (m == 0.0) {
    r = select(1.0 / m, 0.0, b > 0.0); // 1 / 0 = inf, made at run time
  } else if (b == 0.5) {
    r = sqrt(m);
  } else {
    r = exp2(b * log2(m));
  }
  if (a < 0.0 || (a == 0.0 && (bitcast<u32>(a) & 0x80000000u) != 0u)) {
    if (!is_int && m != 0.0) { return nan_from(a); }
    if (odd) { return -r; }
  }
  return r;
}
