// Scan, stage 2 of 3: one thread per line runs the chunks' maps in order (reverse: from the last) and
// stores the value each chunk starts from. md: [0] lines, [1] m, [2] reverse, [3] the initial value's word.
@group(0) @binding(0) var<storage, read> md: array<u32>;
{{BINDINGS}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let line = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (line >= md[0]) { return; }
  let m = md[1];
  var y: {{C}} = {{VALUE}};
  for (var q = 0u; q < m; q = q + 1u) {
    let at = line * m + select(q, m - 1u - q, md[2] != 0u);
    {{CARRY}}[at] = {{STORE_Y}};
    y = {{APPLY}};
  }
}
