// Argsort, stage 3: write each line's first k sorted positions to out (int64 as i32 words; k = n, or less
// for a top-k). One thread per output element. md: [0] threads (lines·k), [1] rank R, [2] dim, [3] k,
// [4] lg, [5..5+R) out's shape with dim's size 1, then out's offset and R strides.
@group(0) @binding(0) var<storage, read> md: array<u32>;
{{BINDINGS}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (t >= md[0]) { return; }
  let R = md[1]; let k = md[3];
  let line = t / k; let i = t % k;
{{BASES}}
  {{OUT}}[oa + i * so] = {{POS}}[(line << md[4]) + i];
}
