// Indexed sums into zeros for long index lines (scatter_add with many entries along dim; the gradient of
// embedding and index_select): the index's lines are sorted first (argsort_init/step: KEYS are the
// index values, POS their positions, line l at [l·2^lg, l·2^lg + J), stable), so one thread per output
// element c finds the entries naming c[dim] by a binary search and adds src at their positions in
// increasing order: the CPU's order, so the same float sums (deterministic, no atomics). Work: the
// sort, then the output's size times log2(J) plus src's size. md: as scatter_add.wgsl's (n, R, dim, the
// indexed size, out's shape, the views' offsets and strides, src's shape), then [LG] lg and [BCAST] 1
// when the index is the same on every line (only line 0 was sorted). An index outside [0, size) records
// an error (checked by the threads of c[dim] = 0 and size - 1: the smallest and largest keys).
@group(0) @binding(0) var<storage, read> md: array<u32>;
{{BINDINGS}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (i >= md[0]) { return; }
  let R = md[1]; let dim = md[2]; let size = md[3];
  var rem = i;
  var oa = md[{{OUT_AT}}]; var sa = md[{{SRC_AT}}];
  var cd = 0u;
  var line = 0u; var lmul = 1u; // c's line of the index (row-major over src's shape without dim)
  var inside = true; // c lies within src's shape on every other dim
  for (var k = 0u; k < R; k = k + 1u) {
    let d = R - 1u - k;
    let c = rem % md[4u + d]; rem = rem / md[4u + d];
    oa = oa + c * md[{{OUT_AT}} + 1u + d];
    if (d == dim) { cd = c; } else {
      let sd = md[{{SRC_SHAPE}} + d];
      if (c >= sd) { inside = false; }
      line = line + c * lmul; lmul = lmul * sd;
      sa = sa + c * md[{{SRC_AT}} + 1u + d];
    }
  }
  var acc: {{C}} = {{ZERO}};
  if (inside) {
    let J = md[{{SRC_SHAPE}} + dim];
    let sst = md[{{SRC_AT}} + 1u + dim];
    let base = select(line, 0u, md[{{BCAST}}] != 0u) << md[{{LG}}];
    if (cd == 0u && bitcast<i32>({{KEYS}}[base]) < 0i) { lchk_oob(); }
    if (cd == size - 1u && bitcast<i32>({{KEYS}}[base + J - 1u]) >= i32(size)) { lchk_oob(); }
    // the first sorted entry whose index is at least cd
    var lo = 0u; var hi = J;
    let want = i32(cd);
    while (lo < hi) {
      let mid = (lo + hi) >> 1u;
      if (bitcast<i32>({{KEYS}}[base + mid]) < want) { lo = mid + 1u; } else { hi = mid; }
    }
    for (var j = lo; j < J; j = j + 1u) {
      if (bitcast<i32>({{KEYS}}[base + j]) != want) { break; }
      let w = {{SRC}}[sa + {{POS}}[base + j] * sst]; {{ADD}}
    }
  }
  {{OUT}}[oa] = {{STORE}};
}
