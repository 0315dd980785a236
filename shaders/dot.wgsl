// Dot product (a 1xK by Kx1 matmul), first pass: like reduce.wgsl, the K products are cut into fixed
// chunks of 4096; a workgroup folds one chunk (thread t takes t, t+256, … in order) and then a fixed
// binary tree. md: [0] K, [1] chunks, [2] a offset, [3] a stride, [4] b offset, [5] b stride, [6] out offset.
@group(0) @binding(0) var<storage, read> md: array<u32>;
{{BINDINGS}}

const CHUNK: u32 = 4096u;
var<workgroup> sh: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let c = wid.y * nwg.x + wid.x;
  if (c >= md[1]) { return; }
  let k = md[0];
  var acc = 0.0;
  for (var j = 0u; j < 16u; j = j + 1u) {
    let r = c * CHUNK + j * 256u + lid;
    if (r < k) {
      acc = acc + {{LOAD_A}} * {{LOAD_B}};
    }
  }
  sh[lid] = acc;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (lid < s) { sh[lid] = sh[lid] + sh[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let res = sh[0];
{{STORE}}
  }
}
