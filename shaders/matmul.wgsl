// Batched matmul (…, M, K) @ (…, K, N) on strided views, 16x16 output tiles through workgroup memory;
// each thread of the 16x16 workgroup owns one output element.
// md: [0] M, [1] N, [2] K, [3] tiles along M, [4] tiles along N, [5] batches, [6..8] a/b/out
// offsets, [9..14] a (row, col), b (row, col), out (row, col) strides, then the batch shape and the
// a, b and out batch strides.
@group(0) @binding(0) var<storage, read> md: array<u32>;
{{BINDINGS}}

var<workgroup> ta: array<array<{{C}}, 16>, 16>;
var<workgroup> tb: array<array<{{C}}, 16>, 16>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) l: vec3<u32>) {
  let g = wid.y * nwg.x + wid.x;
  let tn = g % md[4];
  let t2 = g / md[4];
  let tm = t2 % md[3];
  let bi = t2 / md[3];
  if (bi >= md[5]) { return; }
  let M = md[0]; let N = md[1]; let K = md[2];
{{BATCH}}
  let row = tm * 16u + l.y;
  let col = tn * 16u + l.x;
  var acc: {{C}} = {{ZERO}};
  for (var k0 = 0u; k0 < K; k0 = k0 + 16u) {
    let ka = k0 + l.x;
    var va: {{C}} = {{ZERO}};
    if (row < M && ka < K) { let w = {{A}}[abase + row * md[9] + ka * md[10]]; va = {{LOAD_A}}; }
    ta[l.y][l.x] = va;
    let kb = k0 + l.y;
    var vb: {{C}} = {{ZERO}};
    if (kb < K && col < N) { let w = {{B}}[bbase + kb * md[11] + col * md[12]]; vb = {{LOAD_B}}; }
    tb[l.y][l.x] = vb;
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk = kk + 1u) { acc = acc + ta[l.y][kk] * tb[kk][l.x]; }
    workgroupBarrier();
  }
  if (row < M && col < N) {
    let res = acc;
    {{OUT}}[obase + row * md[13] + col * md[14]] = {{STORE}};
  }
}
