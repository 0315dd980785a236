// Reduction (sum/max/min over axes). Deterministic: the reduced elements of one output are cut into
// fixed chunks of CHUNK = 4096 (depending only on the reduced size, never on the device); a workgroup
// of 256 threads folds one chunk (thread t takes elements t, t+256, … in order) and then a fixed
// binary tree in workgroup memory. Partials of several chunks are reduced again by the same kernel.
// md: [0] outputs, [1] reduced size m, [2] chunks, [3] x offset, [4] out offset, then x's kept shape
// and strides, the reduced shape and strides, out's kept shape and strides.
@group(0) @binding(0) var<storage, read> md: array<u32>;
{{BINDINGS}}

const CHUNK: u32 = 4096u;
var<workgroup> sh: array<{{C}}, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let g = wid.y * nwg.x + wid.x;
  let nch = md[2];
  let o = g / nch;
  let c = g % nch;
  if (o >= md[0]) { return; }
  let m = md[1];
{{XBASE}}
  var acc: {{C}} = {{IDENT}};
  for (var j = 0u; j < 16u; j = j + 1u) {
    let r = c * CHUNK + j * 256u + lid;
    if (r < m) {
{{RIDX}}
      acc = {{COMBINE_ACC}};
    }
  }
  sh[lid] = acc;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (lid < s) { let a0 = sh[lid]; let a1 = sh[lid + s]; sh[lid] = {{COMBINE_TREE}}; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let res = sh[0];
{{STORE}}
  }
}
