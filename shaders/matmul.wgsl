// Batched matmul (…, M, K) @ (…, K, N) on strided views. A workgroup of 16x16 threads computes a 64x64
// output tile; each thread owns 4x4 outputs (rows ty + 16 i, columns tx + 16 j), and the K dimension
// goes through workgroup memory 16 at a time (A tile 64x16, B tile 16x64, 4 loads per thread each).
// md: [0] M, [1] N, [2] K, [3] tiles along M, [4] tiles along N, [5] batches, [6..8] a/b/out
// offsets, [9..14] a (row, col), b (row, col), out (row, col) strides, then the batch shape and the
// a, b and out batch strides.
@group(0) @binding(0) var<storage, read> md: array<u32>;
{{BINDINGS}}

var<workgroup> ta: array<{{C}}, 1024>;   // [64 rows][16 k]
var<workgroup> tb: array<{{C}}, 1024>;   // [16 k][64 columns]

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) l: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let g = wid.y * nwg.x + wid.x;
  let tn = g % md[4];
  let t2 = g / md[4];
  let tm = t2 % md[3];
  let bi = t2 / md[3];
  if (bi >= md[5]) { return; }
  let M = md[0]; let N = md[1]; let K = md[2];
{{BATCH}}
  let row0 = tm * 64u;
  let col0 = tn * 64u;
  var acc: array<{{C}}, 16>;
  for (var q = 0u; q < 16u; q = q + 1u) { acc[q] = {{ZERO}}; }
  for (var k0 = 0u; k0 < K; k0 = k0 + 16u) {
    for (var q = 0u; q < 4u; q = q + 1u) {
      let e = lid + 256u * q;
      let ar = row0 + e / 16u; let ak = k0 + e % 16u;
      var va: {{C}} = {{ZERO}};
      if (ar < M && ak < K) { let w = {{A}}[abase + ar * md[9] + ak * md[10]]; va = {{LOAD_A}}; }
      ta[e] = va;
      let bk = k0 + e / 64u; let bc = col0 + e % 64u;
      var vb: {{C}} = {{ZERO}};
      if (bk < K && bc < N) { let w = {{B}}[bbase + bk * md[11] + bc * md[12]]; vb = {{LOAD_B}}; }
      tb[e] = vb;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk = kk + 1u) {
      let a0 = ta[(l.y) * 16u + kk]; let a1 = ta[(l.y + 16u) * 16u + kk];
      let a2 = ta[(l.y + 32u) * 16u + kk]; let a3 = ta[(l.y + 48u) * 16u + kk];
      let b0 = tb[kk * 64u + l.x]; let b1 = tb[kk * 64u + l.x + 16u];
      let b2 = tb[kk * 64u + l.x + 32u]; let b3 = tb[kk * 64u + l.x + 48u];
{{MAC}}
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i = i + 1u) {
    let row = row0 + l.y + 16u * i;
    for (var j = 0u; j < 4u; j = j + 1u) {
      let col = col0 + l.x + 16u * j;
      if (row < M && col < N) {
        let res = acc[i * 4u + j];
        {{OUT}}[obase + row * md[13] + col * md[14]] = {{STORE}};
      }
    }
  }
}
