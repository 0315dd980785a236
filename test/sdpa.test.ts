// F.scaledDotProductAttention (PyTorch 2's) against the reference composition PyTorch 2's documentation
// gives, computed by PyTorch 1.13 (test/fixtures/sdpa.json, from scripts/torch-sdpa.py): values and the
// gradients of q, k and v with no mask, bool and float masks, isCausal and a given scale; dropout's mean.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';

const R = JSON.parse(readFileSync(new URL('./fixtures/sdpa.json', import.meta.url), 'utf8')) as Record<string, any>;
const F = torch.nn.functional;
const f64 = (v: number[], shape: number[]) => torch.tensor(v, { dtype: 'float64' }).reshape(shape);
async function close(t: torch.Tensor, want: number[], what: string) {
  const got = await t.toTypedArray();
  expect(got.length, what).toBe(want.length);
  want.forEach((w, i) => { if (!(Math.abs(got[i] - w) <= 1e-12 * Math.max(1, Math.abs(w)))) expect.fail(`${what}[${i}]: ${got[i]} vs ${w}`); });
}

describe('F.scaledDotProductAttention', () => {
  it("the reference composition's values and gradients (PyTorch 1.13 computing PyTorch 2's formula)", async () => {
    const bm = torch.tensor(R.bm as boolean[]).reshape([4, 5]), fm = f64(R.fm, [4, 5]);
    const opts: Record<string, torch.nn.functional.SdpaOptions> = { plain: {}, bool_mask: { attnMask: bm }, float_mask: { attnMask: fm }, causal: { isCausal: true }, scale: { scale: 0.3 } };
    for (const [name, o] of Object.entries(opts)) {
      const q = f64(R.q, [2, 3, 4, 8]).requiresGrad_(), k = f64(R.k, [2, 3, 5, 8]).requiresGrad_(), v = f64(R.v, [2, 3, 5, 6]).requiresGrad_();
      const y = F.scaledDotProductAttention(q, k, v, o);
      const w = torch.arange(y.numel(), { dtype: 'float64' }).reshape(y.shape).div(7).add(0.5);
      await y.mul(w).sum().backward();
      const [wy, wq, wk, wv] = R.cases[name];
      await close(y.detach(), wy, `${name} out`);
      await close(q.grad!, wq, `${name} dq`);
      await close(k.grad!, wk, `${name} dk`);
      await close(v.grad!, wv, `${name} dv`);
    }
  });
  it('dropout keeps the expectation; errors name the shapes', async () => {
    const q = torch.randn([1, 1, 64, 8], { dtype: 'float64' }), k = torch.randn([1, 1, 64, 8], { dtype: 'float64' }), v = torch.ones([1, 1, 64, 1], { dtype: 'float64' });
    torch.manualSeed(1);
    // each output is Σ_j w_j · mask_j / (1 − p) · 1: its mean over queries is about 1
    const m = (await F.scaledDotProductAttention(q, k, v, { dropoutP: 0.5 }).mean().item()) as number;
    expect(Math.abs(m - 1)).toBeLessThan(0.15);
    expect(() => F.scaledDotProductAttention(q, torch.randn([1, 1, 64, 4]), v)).toThrow("query's last dim (8) and key's (4) must match");
    // (tril of a bool tensor stays bool, as PyTorch's: the causal mask is made that way)
    expect([torch.ones([2, 2], { dtype: 'bool' }).tril().dtype, torch.ones([2, 2], { dtype: 'bool' }).triu(1).dtype]).toEqual(['bool', 'bool']);
    expect(() => F.scaledDotProductAttention(q, k, v, { isCausal: true, attnMask: torch.ones([64, 64], { dtype: 'bool' }) })).toThrow('explicit attn_mask should not be set when is_causal=True');
  });
});
