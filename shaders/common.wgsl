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

// Inverse and hyperbolic functions with the CPU's (JS Math's) results outside their domains, where WGSL
// leaves the builtins undefined; sinh and asinh by series near 0, where the builtins' exp/log forms lose
// the relative precision.
// atan by Cephes' atanf (range reduced to |x| <= tan(pi/8), a degree-9 odd polynomial): a few ulp,
// where Vulkan allows the builtin atan and atan2 4096 ulp (lavapipe's asin was off by 2e-4).
fn fatan(x: f32) -> f32 {
  let a = abs(x);
  if (is_nan(x) || a == 0.0) { return x; }
  var y = 0.0; var t = a;
  if (a > 2.414213562373095) { y = 1.5707963267948966; t = -1.0 / a; }
  else if (a > 0.4142135623730950) { y = 0.7853981633974483; t = (a - 1.0) / (a + 1.0); }
  let z = t * t;
  y = y + ((((8.05374449538e-2 * z - 1.38776856032e-1) * z + 1.99777106478e-1) * z - 3.33329491539e-1) * z * t + t);
  return select(y, -y, x < 0.0);
}
fn fasin(x: f32) -> f32 { if (abs(x) > 1.0 || is_nan(x)) { return nan_from(x); } return fatan2(x, sqrt((1.0 - x) * (1.0 + x))); }
fn facos(x: f32) -> f32 { if (abs(x) > 1.0 || is_nan(x)) { return nan_from(x); } return fatan2(sqrt((1.0 - x) * (1.0 + x)), x); }
fn facosh(x: f32) -> f32 { if (x < 1.0 || is_nan(x)) { return nan_from(x); } return acosh(x); }
fn fatanh(x: f32) -> f32 {
  let a = abs(x);
  if (a > 1.0 || is_nan(x)) { return nan_from(x); }
  if (a == 1.0) { return x / (1.0 - a); }
  if (a < 0.25) { let z = x * x; return x * (1.0 + z * (1.0 / 3.0 + z * (1.0 / 5.0 + z * (1.0 / 7.0 + z * (1.0 / 9.0 + z * (1.0 / 11.0 + z / 13.0)))))); }
  return 0.5 * log((1.0 + x) / (1.0 - x));
}
fn fsinh(x: f32) -> f32 {
  if (abs(x) < 0.5) { let z = x * x; return x * (1.0 + z * (1.0 / 6.0 + z * (1.0 / 120.0 + z * (1.0 / 5040.0 + z * (1.0 / 362880.0 + z / 39916800.0))))); }
  return sinh(x);
}
fn fasinh(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.25) { let z = x * x; return x * (1.0 + z * (-1.0 / 6.0 + z * (3.0 / 40.0 + z * (-15.0 / 336.0 + z * (105.0 / 3456.0 + z * (-945.0 / 42240.0 + z * 10395.0 / 599040.0)))))); }
  if (a > 1.0e18) { return sign(x) * (log(a) + 0.69314718055994531); }
  return sign(x) * log(a + sqrt(a * a + 1.0));
}
fn fatan2(y: f32, x: f32) -> f32 {
  if (is_nan(x) || is_nan(y)) { return x + y; }
  let yneg = bitcast<i32>(y) < 0i; let xneg = bitcast<i32>(x) < 0i;
  let pi = 3.14159265358979323846;
  // (y itself where the angle is a zero of y's sign: a -0.0 literal may be folded to 0)
  if (y == 0.0) { return select(y, select(pi, -pi, yneg), xneg); }
  if (x == 0.0) { return select(0.5 * pi, -0.5 * pi, yneg); }
  let xinf = abs(x) > 3.4028234e38; let yinf = abs(y) > 3.4028234e38;
  if (xinf && yinf) { let q = select(0.25 * pi, 0.75 * pi, xneg); return select(q, -q, yneg); }
  if (xinf) { return select(y * 0.0, select(pi, -pi, yneg), xneg); }
  if (yinf) { return select(0.5 * pi, -0.5 * pi, yneg); }
  // atan of the smaller ratio (|r| <= 1), then the quadrant
  var r: f32;
  if (abs(y) <= abs(x)) { r = fatan(y / x); if (xneg) { r = select(r + pi, r - pi, yneg); } }
  else { r = select(0.5 * pi, -0.5 * pi, yneg) - fatan(x / y); }
  return r;
}
// C's fmod (the dividend's sign): x - trunc(x / y)·y, exact while the quotient fits a float's 24 bits.
fn ffmod(x: f32, y: f32) -> f32 {
  if (y == 0.0 || is_nan(x) || is_nan(y) || abs(x) > 3.0e38) { return nan_from(x); }
  if (abs(y) > 3.0e38) { return x; }
  return x - trunc(x / y) * y;
}
// Python's % (the divisor's sign).
fn fremainder(x: f32, y: f32) -> f32 {
  let m = ffmod(x, y);
  if (m != 0.0 && ((m < 0.0) != (y < 0.0))) { return m + y; }
  return m;
}
fn iremainder(x: i32, y: i32) -> i32 {
  if (y == 0i) { return 0i; }
  let m = x % y;
  if (m != 0i && ((m < 0i) != (y < 0i))) { return m + y; }
  return m;
}
