// Reduction for short reduced sizes (m <= 256): one thread per output folds its elements in order.
// Same metadata layout as reduce.wgsl.
@group(0) @binding(0) var<storage, read> md: array<u32>;
{{BINDINGS}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (o >= md[0]) { return; }
  let m = md[1];
  let c = 0u;
{{XBASE}}
  var acc: {{C}} = {{IDENT}};
  for (var r = 0u; r < m; r = r + 1u) {
{{RIDX}}
    acc = {{COMBINE_ACC}};
  }
  let res = acc;
{{STORE}}
}
