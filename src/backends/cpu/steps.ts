/**
 * What a CPU worker runs for one shard: a list of steps over one element range [s, e) of a group of ops
 * that share a length N. `map` steps split their output elements; `partial` steps (full reductions and
 * dot products) split their input elements and leave one float64 partial per REDUCE_BLOCK.
 *
 * When every step is element-local (output element i reads only element i of what earlier steps wrote),
 * the range is walked in cache-sized tiles, all steps per tile: temporaries stay in cache between ops.
 */
import type { Op, ReduceFn, View } from '../../runtime/protocol.ts';
import { partialBlocks, runOp, type Resolve } from './kernels.ts';
import { REDUCE_BLOCK } from '../../runtime/protocol.ts';

export type Step =
  | { k: 'map'; op: Op }
  | { k: 'partial'; fn: ReduceFn; x: View; b: View | null; p: number };

export const TILE = REDUCE_BLOCK; // a tile is one partial's block

export function runSteps(steps: Step[], R: Resolve, s: number, e: number, partials: Float64Array | null, tiled: boolean): void {
  if (tiled) {
    for (let t0 = s; t0 < e; t0 += TILE) {
      const t1 = Math.min(e, t0 + TILE);
      for (const st of steps) {
        if (st.k === 'map') runOp(st.op, R, t0, t1);
        else partialBlocks(st.fn, st.x, st.b, R, t0, t1, partials!, st.p);
      }
    }
    return;
  }
  for (const st of steps) {
    if (st.k === 'map') { runOp(st.op, R, s, e); continue; }
    partialBlocks(st.fn, st.x, st.b, R, s, e, partials!, st.p);
  }
}
