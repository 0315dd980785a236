// Scan (y[i] = a[i]·y[i-1] + b[i] along each line; protocol.ts ScanOp), stage 1 of 3 for long lines:
// each thread composes its chunk of CH elements into one map y -> A·y + B and stores (A, B) in scratch.
// md: [0] threads (lines·m), [1] rank R, [2] dim, [3] n, [4] m (chunks per line), [5] CH, [6] reverse,
// [7] the initial value's word, [8..8+R) out's shape with dim's size 1, then the views' offsets and strides.
@group(0) @binding(0) var<storage, read> md: array<u32>;
{{BINDINGS}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (t >= md[0]) { return; }
  let R = md[1]; let n = md[3]; let m = md[4]; let CH = md[5];
  let line = t / m; let ch = t % m;
{{BASES}}
  let lo = ch * CH; let hi = min(n, lo + CH);
  var A: {{C}} = {{ONE}}; var B: {{C}} = {{ZERO}};
  for (var q = lo; q < hi; q = q + 1u) {
    let i = select(q, lo + hi - 1u - q, md[6] != 0u);
{{COMPOSE}}
  }
  {{T}}[2u * t] = {{STORE_A}};
  {{T}}[2u * t + 1u] = {{STORE_B}};
}
