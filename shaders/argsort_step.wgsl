// Argsort, stage 2: one compare-exchange pass (k, j) of a bitonic sort of each padded line of (key,
// position) pairs. The order: padding (position >= n) after everything; NaN above every number
// (ascending: last, descending: first); then the value (-0 equals 0); then the position, so the order is
// total and the result is the CPU's stable sort. One thread per scratch element; the lower of each pair
// does the exchange. md: [0] threads (lines·P), [1] lg, [2] n, [3] j, [4] k, [5] descending (0/1).
@group(0) @binding(0) var<storage, read> md: array<u32>;
{{BINDINGS}}

// Whether (ka, ia) comes before (kb, ib).
fn before(ka: {{C}}, ia: u32, kb: {{C}}, ib: u32) -> bool {
  let n = md[2]; let desc = md[5] != 0u;
  let pa = ia >= n; let pb = ib >= n;
  if (pa || pb) { if (pa && pb) { return ia < ib; } return pb; }
{{NAN}}
  if (ka < kb) { return !desc; }
  if (ka > kb) { return desc; }
  return ia < ib;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (t >= md[0]) { return; }
  let lg = md[1];
  let i = t & ((1u << lg) - 1u);
  let l = i ^ md[3];
  if (l <= i) { return; }
  let p = t; let q = t - i + l;
  let ka = {{LOAD_P}}; let kb = {{LOAD_Q}};
  let ia = {{POS}}[p]; let ib = {{POS}}[q];
  // In a block sorted upwards p's pair must end in order (p, q); downwards, (q, p).
  let up = (i & md[4]) == 0u;
  if (select(before(ka, ia, kb, ib), before(kb, ib, ka, ia), up)) {
    let wa = {{KEYS}}[p]; {{KEYS}}[p] = {{KEYS}}[q]; {{KEYS}}[q] = wa;
    {{POS}}[p] = ib; {{POS}}[q] = ia;
  }
}
