// Philox4x32-10 exactly as Random123 (and src/backends/cpu/philox.ts): element i of a random fill
// depends only on (seed, stream, i). key = (seed mod 2^32, floor(seed / 2^32)); block j (elements
// 4j..4j+3) uses counter (j mod 2^32, floor(j / 2^32), stream, 0).

const PHILOX_M0: u32 = 0xD2511F53u;
const PHILOX_M1: u32 = 0xCD9E8D57u;
const PHILOX_W0: u32 = 0x9E3779B9u;
const PHILOX_W1: u32 = 0xBB67AE85u;

// (hi, lo) of the 64-bit product a * b, from 16-bit halves (WGSL has no 64-bit integers).
fn mulhilo(a: u32, b: u32) -> vec2<u32> {
  let a0 = a & 0xffffu; let a1 = a >> 16u;
  let b0 = b & 0xffffu; let b1 = b >> 16u;
  let ll = a0 * b0; let lh = a0 * b1; let hl = a1 * b0; let hh = a1 * b1;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  let hi = hh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
  return vec2<u32>(hi, a * b);
}

fn philox4x32_10(ctr: vec4<u32>, key0: vec2<u32>) -> vec4<u32> {
  var c = ctr;
  var k = key0;
  for (var r = 0u; r < 10u; r = r + 1u) {
    if (r > 0u) { k = k + vec2<u32>(PHILOX_W0, PHILOX_W1); }
    let p0 = mulhilo(PHILOX_M0, c.x);
    let p1 = mulhilo(PHILOX_M1, c.z);
    c = vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
  }
  return c;
}

// uniform in [0, 1): the top 24 bits times 2^-24 (exact in f32).
fn philox_uniform(x: u32) -> f32 { return f32(x >> 8u) * 5.9604644775390625e-8; }
