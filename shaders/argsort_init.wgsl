// Argsort, stage 1 of 3 (a bitonic sort of each line, padded to P = 2^lg elements; see argsort_step.wgsl):
// copy each line of x into the scratch keys and set the scratch positions to 0, 1, …, P-1 (positions
// n.. are padding). One thread per scratch element. md: [0] threads (lines·P), [1] rank R, [2] dim,
// [3] n (the line length), [4] lg, [5..5+R) x's shape with dim's size 1, then x's offset and R strides.
@group(0) @binding(0) var<storage, read> md: array<u32>;
{{BINDINGS}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (t >= md[0]) { return; }
  let R = md[1]; let lg = md[4];
  let line = t >> lg; let i = t & ((1u << lg) - 1u);
  var w = 0u;
  if (i < md[3]) {
{{BASES}}
    w = {{X}}[xa + i * sx];
  }
  {{KEYS}}[t] = w;
  {{POS}}[t] = i;
}
