// The fused CPU Adam/AdamW step (src/backends/cpu/adam.ts; protocol.ts AdamOp) against the composition it
// replaces (optim.ts: mul_, add_ with alpha, grad², sqrt, div, add eps, div, add_): the same bits for the
// parameters and both moment estimates after every step, float32 and float64, with and without weight
// decay (L2 and AdamW's decoupled), maximize, several parameter groups; and the cases left to the
// composition (AMSGrad, large or non-contiguous parameters, autograd recording).
import { afterEach, describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { adamCalls, disableAdamKernel } from '../src/backends/cpu/adam.ts';

const optim = torch.optim;
type DT = 'float32' | 'float64';

async function bits(t: torch.Tensor): Promise<number[]> {
  const a = await t.toTypedArray();
  const c = t.dtype === 'float32' ? new Float32Array(a as Float32Array) : new Float64Array(a as Float64Array);
  return Array.from(new Uint32Array(c.buffer));
}

/** Trains a small two-layer net for `steps` steps; after each, the bits of every parameter and its exp_avg
 * and exp_avg_sq. */
async function trajectory(dtype: DT, mk: (ps: torch.Tensor[]) => torch.optim.Adam, steps = 5, fused = true) {
  disableAdamKernel(!fused);
  torch.manualSeed(7);
  const X = torch.randn([16, 5], { dtype }), Y = torch.randn([16, 3], { dtype });
  const w1 = torch.randn([8, 5], { dtype }).mul(0.4).requiresGrad_(), b1 = torch.randn([8], { dtype }).mul(0.1).requiresGrad_();
  const w2 = torch.randn([3, 8], { dtype }).mul(0.4).requiresGrad_(), b2 = torch.zeros([3], { dtype }).requiresGrad_();
  const ps = [w1, b1, w2, b2], opt = mk(ps), out: number[][][] = [];
  const calls = adamCalls.n;
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    const y = X.matmul(w1.transpose(0, 1)).add(b1).tanh().matmul(w2.transpose(0, 1)).add(b2);
    await y.sub(Y).pow(2).mean().backward();
    opt.step();
    const st = opt.stateDict().state;
    const snap: number[][] = [];
    for (let k = 0; k < ps.length; k++) {
      snap.push(await bits(ps[k]), await bits(st[k].exp_avg as torch.Tensor), await bits(st[k].exp_avg_sq as torch.Tensor));
    }
    out.push(snap);
  }
  const ran = adamCalls.n - calls;
  disableAdamKernel(false);
  return { out, ran };
}

const CASES: Array<[string, (ps: torch.Tensor[]) => torch.optim.Adam]> = [
  ['Adam', (p) => new optim.Adam(p, { lr: 0.01 })],
  ['Adam betas, eps, weight decay', (p) => new optim.Adam(p, { lr: 0.02, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 })],
  ['Adam maximize, weight decay', (p) => new optim.Adam(p, { lr: 0.003, weightDecay: 0.05, maximize: true })],
  ['AdamW', (p) => new optim.AdamW(p, { lr: 0.02 })],
  ['AdamW no weight decay, odd betas', (p) => new optim.AdamW(p, { lr: 0.1, betas: [0.7, 0.9], weightDecay: 0, eps: 1e-3 })],
  ['AdamW large weight decay, two groups', (p) => new optim.AdamW([{ params: p.slice(0, 2), lr: 0.05 }, { params: p.slice(2), weightDecay: 0.3 }], { lr: 0.01, weightDecay: 0.7 })],
];

describe('fused Adam step: the composition\'s bits', () => {
  afterEach(() => disableAdamKernel(false));
  for (const dtype of ['float32', 'float64'] as const) {
    for (const [name, mk] of CASES) {
      it(`${name}, ${dtype}: p, exp_avg, exp_avg_sq after each of 5 steps`, async () => {
        const ref = await trajectory(dtype, mk, 5, false);
        const got = await trajectory(dtype, mk, 5, true);
        expect(ref.ran).toBe(0);
        expect(got.ran).toBe(5 * 4);
        for (let s = 0; s < 5; s++) expect(got.out[s], `step ${s + 1}`).toEqual(ref.out[s]);
      });
    }
  }

  it('the same bits with 2 CPU workers', async () => {
    const mk = (p: torch.Tensor[]) => new optim.AdamW(p, { lr: 0.02, weightDecay: 0.1 });
    const ref = await trajectory('float32', mk, 4, false);
    await torch.init({ workers: 2 });
    try {
      const got = await trajectory('float32', mk, 4, true);
      expect(got.ran).toBe(4 * 4);
      expect(got.out).toEqual(ref.out);
    } finally {
      await torch.shutdown();
    }
  });

  it('leaves AMSGrad, non-contiguous and large parameters to the composition', async () => {
    const ams = await trajectory('float32', (p) => new optim.Adam(p, { lr: 0.01, amsgrad: true }), 2);
    expect(ams.ran).toBe(0);
    // a transposed parameter (its gradient contiguous, itself not)
    const wt = torch.randn([4, 3]).transpose(0, 1).requiresGrad_();
    const opt = new optim.Adam([wt], { lr: 0.1 });
    let before = adamCalls.n;
    await wt.mul(wt).sum().backward();
    opt.step();
    expect(adamCalls.n).toBe(before);
    // a parameter past the fused op's size (4096 elements; the sharding threshold is 1 << 18 by default)
    const big = torch.randn([65, 64]).requiresGrad_(), small = torch.randn([3]).requiresGrad_();
    const opt2 = new optim.Adam([big, small], { lr: 0.1 });
    await big.sum().add(small.sum()).backward();
    before = adamCalls.n;
    opt2.step();
    expect(adamCalls.n).toBe(before + 1);
  });
});
