// Scan, stage 3 of 3 (the only one for lines of one chunk): each thread runs its chunk from the value it
// starts from (the initial value, or stage 2's carry) and writes y. md: as scan_chunks.wgsl's.
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
  var y: {{C}} = {{START}};
  for (var q = lo; q < hi; q = q + 1u) {
    let i = select(q, lo + hi - 1u - q, md[6] != 0u);
{{STEP}}
    {{OUT}}[oa + i * so] = {{STORE_Y}};
  }
}
