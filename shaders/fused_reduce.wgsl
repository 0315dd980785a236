// Fused reduction, first pass (src/backends/gpu/fuser.ts): several reductions of one length L over
// expressions evaluated inline. Chunk c is elements [CHUNK c, CHUNK (c+1)); workgroup g folds chunks
// g, g + G, … (G = md[0] workgroups): thread t takes quads c*CHUNK/4 + j*256 + t for j = 0..J-1 (lanes in
// order), then a fixed binary tree per output. With one workgroup the result is final; otherwise
// partials go to scratch for fused_reduce2.wgsl. md[0] = workgroups, md[1] = +inf bits, md[2] = L.
@group(0) @binding(0) var<storage, read> md: array<u32>;
{{BINDINGS}}
{{SHARED}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let g = wid.y * nwg.x + wid.x;
  if (g >= md[0]) { return; }
{{RNG}}
{{ACCS}}
  let nchunks = (md[2] + {{CHUNK}}u - 1u) / {{CHUNK}}u;
  for (var c = g; c < nchunks; c = c + md[0]) {
  for (var j = 0u; j < {{J}}u; j = j + 1u) {
    let q = c * {{QPW}}u + j * 256u + lid;
    let i0 = 4u * q; let i1 = i0 + 1u; let i2 = i0 + 2u; let i3 = i0 + 3u;
{{BODY}}
  }
  }
  lchk_on = true; // (the body set it per lane; the trees' checked adds combine real partials)
{{TREES}}
}
