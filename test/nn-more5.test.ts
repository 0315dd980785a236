// nn.AdaptiveLogSoftmaxWithLoss (src/nn-more5.ts) against PyTorch 1.13: forward's output and loss (batched
// and not), the gradients of the loss, logProb, predict, parameter names, printed form and errors, with
// PyTorch's parameters loaded (test/fixtures/nn-more5.json, from scripts/torch-nn-more5.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { values } from './helpers.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const REF = JSON.parse(readFileSync(new URL('./fixtures/nn-more5.json', import.meta.url), 'utf8')) as Record<string, any>;
const { nn } = torch;
type Nested = number | Nested[];
type Dt = 'float32' | 'float64';
const flat = (v: Nested): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);
async function close(t: torch.Tensor, want: Nested, what: string, tol = 2e-5): Promise<void> {
  const w = flat(want), v = await values(t);
  expect(v.length, `${what}: size`).toBe(w.length);
  v.forEach((a, i) => expect(Math.abs(a - w[i]), `${what}[${i}]: ${a} against ${w[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w[i]))));
}
/** A module made as the fixture's, PyTorch's parameters loaded. */
function build(c: Record<string, any>): torch.nn.AdaptiveLogSoftmaxWithLoss { // eslint-disable-line @typescript-eslint/no-explicit-any
  const dtype = c.dtype as Dt;
  const [inF, n, cutoffs] = c.args as [number, number, number[]];
  const m = new nn.AdaptiveLogSoftmaxWithLoss(inF, n, cutoffs, { ...c.opts, dtype });
  // (an empty weight's values are [], its shape from the fixture)
  m.loadStateDict(Object.fromEntries(Object.entries(c.state as Record<string, Nested>).map(([k, v]) => [k, torch.tensor(flat(v), { dtype }).reshape(c.shapes[k])])));
  return m;
}

describe('AdaptiveLogSoftmaxWithLoss: PyTorch 1.13\'s values', () => {
  for (const key of ['asm', 'asmBias', 'asmShort', 'asm64']) {
    it(key, async () => {
      const c = REF[key];
      const dtype = c.dtype as Dt, tol = dtype === 'float64' ? 1e-12 : 2e-5;
      const m = build(c);
      expect(m.namedParameters().map(([k]) => k)).toEqual(c.names);
      expect(Object.keys(m.stateDict())).toEqual(Object.keys(c.state));
      expect(String(m)).toBe(c.repr);
      const x = torch.tensor(c.x, { dtype }).requiresGrad_();
      const target = torch.tensor(c.target, { dtype: 'int64' });
      const r = await m(x, target);
      await close(r.output, c.output, 'output', tol);
      expect(r.loss.shape).toEqual([]);
      await close(r.loss, c.loss, 'loss', tol);
      await r.loss.backward();
      await close(x.grad!, c.xGrad, 'input gradient', tol);
      for (const [name, p] of m.namedParameters()) {
        const want = c.grads[name];
        if (want === null) expect(p.grad, `${name}: no gradient (its cluster had no target)`).toBeNull();
        else await close(p.grad!, want, `${name} gradient`, tol);
      }
      const xd = x.detach();
      await close(m.logProb(xd), c.logProb, 'logProb', tol);
      expect(await values(await m.predict(xd))).toEqual(c.predict);
      // unbatched: a 1-D input and a 0-D target
      const one = await m(xd.select(0, 1), target.select(0, 1));
      expect(one.output.shape).toEqual(c.single.outputShape);
      await close(one.output, c.single.output, 'unbatched output', tol);
      await close(one.loss, c.single.loss, 'unbatched loss', tol);
    });
  }

  it('predict: every row in the shortlist, none, a mix (the tails run only where needed)', async () => {
    const P = REF.predict;
    const m = new nn.AdaptiveLogSoftmaxWithLoss(8, 20, [5, 12], { divValue: 2, headBias: true });
    const x = torch.tensor(P.x);
    for (const k of ['shortlist', 'clusters', 'mixed']) {
      m.loadStateDict(Object.fromEntries(Object.entries(P[k].state as Record<string, Nested>).map(([n, v]) => [n, torch.tensor(v as number[])])));
      const got = await m.predict(x);
      expect(got.dtype, k).toBe('int64');
      expect(await values(got), k).toEqual(P[k].predict);
      expect(await values(m.logProb(x).argmax(1)), k).toEqual(P[k].argmax);
    }
  });

  it('PyTorch\'s errors', async () => {
    const E = REF.errors;
    for (const [k, cs] of [['unsorted', [12, 5]], ['zero', [0, 5]], ['tooBig', [5, 20]], ['repeated', [5, 5]], ['fraction', [5, 7.5]]] as const) {
      expect(() => new nn.AdaptiveLogSoftmaxWithLoss(8, 20, cs), k).toThrow(E[k]);
    }
    const m = new nn.AdaptiveLogSoftmaxWithLoss(8, 20, [5, 12]);
    const x2 = torch.randn([3, 8]);
    const t = (v: Nested) => torch.tensor(v as number[], { dtype: 'int64' });
    await expect(m(x2, t([1, 2]))).rejects.toThrow(E.batch);
    await expect(m(torch.randn([3, 2, 8]), t([1, 2, 3]))).rejects.toThrow(E.input3d);
    await expect(m(x2, t(1))).rejects.toThrow(E.input2dTarget0d);
    await expect(m(x2, t([[1, 2, 3]]))).rejects.toThrow(E.target2d);
    await expect(m(x2, t([1, 20, 3]))).rejects.toThrow(E.range);
    await expect(m(x2, t([-1, 2, 25]))).rejects.toThrow(E.negative);
  });
});
