// Fused reduction, second pass: workgroup k folds the md[0] partials of output k (thread t takes
// t, t+256, … in order), then a fixed binary tree; thread 0 stores the result.
@group(0) @binding(0) var<storage, read> md: array<u32>;
{{BINDINGS}}
{{SHARED}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let g = wid.y * nwg.x + wid.x;
  let nch = md[0];
{{BRANCHES}}
}
