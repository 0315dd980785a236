// Fused elementwise kernel written by src/backends/gpu/fuser.ts: several store statements, each
// `out[i] = expression(i)`, for the 4 elements i = 4q..4q+3 of thread q (one Philox block feeds the 4
// lanes of a random value). Statements run in order in one thread; a statement only reads, at another
// index, memory that no statement of this kernel writes. md[0] = threads (quads), md[1] = +inf bits.
@group(0) @binding(0) var<storage, read> md: array<u32>;
{{BINDINGS}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let q = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (q >= md[0]) { return; }
{{RNG}}
  let i0 = 4u * q; let i1 = i0 + 1u; let i2 = i0 + 2u; let i3 = i0 + 3u;
{{BODY}}
}
