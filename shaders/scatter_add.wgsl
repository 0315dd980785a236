// Indexed sums into zeros (scatter_add; the gradient of gather and index_select): one thread per output
// element c. It adds, for j = 0, 1, … in order, src[c with c[dim] := j] wherever index[c with c[dim] := j]
// is c[dim]: the CPU's order, so the same float sums on both (no atomics, deterministic). Work: the
// output's size times src's size along dim. md: as gather.wgsl's (the output, the index and src; the
// indexed size is the output's), then src's shape. An index outside [0, size) records an error.
@group(0) @binding(0) var<storage, read> md: array<u32>;
{{BINDINGS}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (i >= md[0]) { return; }
  let R = md[1]; let dim = md[2];
  var rem = i;
  var oa = md[{{OUT_AT}}]; var ia = md[{{INDEX_AT}}]; var sa = md[{{SRC_AT}}];
  var cd = 0u;
  var inside = true; // c lies within src's shape on every other dim
  for (var k = 0u; k < R; k = k + 1u) {
    let d = R - 1u - k;
    let c = rem % md[4u + d]; rem = rem / md[4u + d];
    oa = oa + c * md[{{OUT_AT}} + 1u + d];
    if (d == dim) { cd = c; } else {
      if (c >= md[{{SRC_SHAPE}} + d]) { inside = false; }
      ia = ia + c * md[{{INDEX_AT}} + 1u + d];
      sa = sa + c * md[{{SRC_AT}} + 1u + d];
    }
  }
  var acc: {{C}} = {{ZERO}};
  if (inside) {
    let J = md[{{SRC_SHAPE}} + dim];
    let ist = md[{{INDEX_AT}} + 1u + dim]; let sst = md[{{SRC_AT}} + 1u + dim];
    for (var j = 0u; j < J; j = j + 1u) {
      let t = bitcast<i32>({{INDEX}}[ia + j * ist]);
      if (t < 0i || u32(t) >= md[3]) { lchk_oob(); }
      else if (u32(t) == cd) { let w = {{SRC}}[sa + j * sst]; {{ADD}} }
    }
  }
  {{OUT}}[oa] = {{STORE}};
}
