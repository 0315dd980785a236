// Indexed reads (gather, index_select): out[c] = x[c with c[dim] := index[c]], one thread per output
// element. md: [0] n, [1] rank R, [2] dim, [3] x's size along dim, [4..4+R) the output's shape, then for
// the output, the index and x an offset and R strides each (u32; negative strides wrap). An index
// outside [0, size) records an error in the status word (int64.wgsl) and writes 0.
@group(0) @binding(0) var<storage, read> md: array<u32>;
{{BINDINGS}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (i >= md[0]) { return; }
  let R = md[1]; let dim = md[2];
  var rem = i;
  var oa = md[{{OUT_AT}}]; var ia = md[{{INDEX_AT}}]; var xa = md[{{X_AT}}];
  for (var k = 0u; k < R; k = k + 1u) {
    let d = R - 1u - k;
    let c = rem % md[4u + d]; rem = rem / md[4u + d];
    oa = oa + c * md[{{OUT_AT}} + 1u + d];
    ia = ia + c * md[{{INDEX_AT}} + 1u + d];
    if (d != dim) { xa = xa + c * md[{{X_AT}} + 1u + d]; }
  }
  let j = bitcast<i32>({{INDEX}}[ia]);
  var w = 0u;
  if (j < 0i || u32(j) >= md[3]) { lchk_oob(); } else { w = {{X}}[xa + u32(j) * md[{{X_AT}} + 1u + dim]]; }
  {{OUT}}[oa] = w;
}
