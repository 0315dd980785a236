// Elementwise kernel (unary, binary, where, fill, copy), one thread per output element, 256 per
// workgroup, workgroups laid out in 2-D when there are more than 65535.
// md (binding 0) holds the shape/stride metadata: md[0] = n, md[1..R] = out shape, then for each
// view (out first) its offset and R strides (u32; negative strides wrap), then inline scalars.
// {{...}} parts are filled in by src/backends/gpu/kernels.ts.
@group(0) @binding(0) var<storage, read> md: array<u32>;
{{BINDINGS}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (i >= md[0]) { return; }
{{COORDS}}
{{LOADS}}
  let r = {{EXPR}};
  {{STORE}}
}
