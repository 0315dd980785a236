// Random fill of a contiguous float32 view: thread j computes Philox block j and writes elements
// 4j..4j+3. md: [0] n, [1] out offset, [2] key0, [3] key1, [4] stream, [5] +inf (bits; see rn()).
@group(0) @binding(0) var<storage, read> md: array<u32>;
@group(0) @binding(1) var<storage, read_write> outb: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let j = (wid.y * nwg.x + wid.x) * 256u + lid;
  let n = md[0];
  rng_inf = bitcast<f32>(md[5]);
  if (j >= (n + 3u) / 4u) { return; }
  let x = philox4x32_10(vec4<u32>(j, 0u, md[4], 0u), vec2<u32>(md[2], md[3]));
  var v: vec4<f32>;
{{DIST}}
  let base = md[1] + 4u * j;
  for (var q = 0u; q < 4u; q = q + 1u) {
    if (4u * j + q < n) { outb[base + q] = bitcast<u32>(v[q]); }
  }
}
