// Second derivatives (createGraph) through the composite ops marked twice() after the first round
// (test/autograd-twice.test.ts): sorting and scans, the elementwise and matrix helpers of ops-misc /
// ops-extra, transposed convolution, im2col, interpolation and padding, the node-per-loss losses, the 3-D
// layers, linalg's factorizations and the special functions. Each against finite differences of its own
// first derivative in float64 (gradgradcheck, test/helpers.ts); linalg's Hessian-vector products also
// against PyTorch 1.13 (test/fixtures/autograd2.json, scripts/torch-autograd2.py); and what stays refused.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gradgradcheck, values } from './helpers.ts';

const F = torch.nn.functional;
const REF = JSON.parse(readFileSync(new URL('./fixtures/autograd2.json', import.meta.url), 'utf8')) as Record<string, any>;
const D = { dtype: 'float64' } as const;
const I64 = { dtype: 'int64' } as const;
const ix = (v: number[] | number[][]) => torch.tensor(v, I64);
/** A symmetric positive-definite matrix from any square X: X Xᵀ + n·I. */
const spd = (X: torch.Tensor) => X.matmul(X.t()).add(torch.eye(X.shape[0], D).mul(X.shape[0]));
/** X's symmetric part. */
const sym = (X: torch.Tensor) => X.add(X.t()).mul(0.5);

type Case = [string, (...xs: torch.Tensor[]) => torch.Tensor, number[][], { positive?: boolean; tol?: number }?];
const run = (cases: Case[]) => { for (const [name, f, shapes, o] of cases) it(name, async () => { await gradgradcheck(f, shapes, o); }); };

describe('createGraph through sorting, scans and rearrangements', () => {
  run([
    ['sort, msort, topk (k < n and k = n), kthvalue, median (all, dim)', (a) => torch.sort(a.pow(3), 1, true).values.mul(a.tanh())
      .add(torch.topk(a.mul(a), 2, 1).values.pow(2).sum(1, true))
      .add(torch.topk(a.sin(), 4, 1, false).values.pow(3))
      .add(torch.kthvalue(a.pow(3), 2, 1, true).values.mul(a))
      .add(torch.median(a.exp(), 1, true).values.pow(2)).add(torch.median(a.pow(3)).mul(a)).add(torch.msort(a.mul(a)).sum(0).pow(2)), [[3, 4]]],
    ['cumsum, cumprod, flip, roll (dims, flattened)', (a) => torch.cumsum(a.pow(2), 1).mul(torch.cumprod(a, 1))
      .add(torch.flip(a.tanh(), [0, 1]).pow(2)).add(torch.roll(a.pow(3), [1, -1], [0, 1]).mul(a)).add(torch.roll(a.sin(), 2).mul(torch.cumprod(a.flip(1), 0))), [[2, 4]]],
    ['cummax, cummin, logcumsumexp, mode', (a) => torch.cummax(a.pow(3), 1).values.mul(torch.cummin(a.sin(), 0).values)
      .add(torch.logcumsumexp(a.mul(a), 1).pow(2)).add(torch.mode(a.pow(3), 1, true).values.mul(a)), [[2, 4]]],
  ]);
});

describe('createGraph through ops-extra and ops-misc', () => {
  run([
    ['prod (all, dim), logaddexp, hypot, deg2rad, frac, nanToNum', (a, b) => torch.prod(a, 1, true).mul(torch.prod(b.tanh()))
      .add(torch.logaddexp(a, b.mul(b))).mul(torch.hypot(a, b)).add(torch.deg2rad(a.pow(3))).add(torch.frac(b.mul(0.1)).pow(2)).add(torch.nanToNum(a.log()).pow(2)), [[2, 3], [2, 3]]],
    ['logit (plain, eps), sinc, xlogy, copysign', (a, b) => torch.logit(torch.sigmoid(a)).pow(3).add(torch.logit(torch.sigmoid(b), 1e-3).pow(2))
      .add(torch.sinc(a.mul(b))).mul(torch.xlogy(a, b.abs().add(0.5))).add(torch.copysign(a.pow(3), b)), [[2, 3], [2, 3]]],
    ['cross, take, nansum, vdot, mv, rot90, diagEmbed', (a, b) => {
      const c = torch.cross(a.pow(2), b.tanh(), 1);
      const t = torch.take(a.mul(b), ix([[0, 5], [-1, 2]])).pow(2).sum();
      const m = torch.mv(a.t().matmul(b), b.index(0)).pow(2).sum();
      return c.mul(torch.nansum(a.mul(b), 1, true)).add(torch.vdot(a.index(0), b.index(1).pow(3))).add(t).add(m)
        .add(torch.rot90(a.pow(3), 1, [0, 1]).t()).add(torch.diagEmbed(b.sin(), 1).sum(-1).index(':', '0:3').pow(2));
    }, [[2, 3], [2, 3]]],
  ]);
});
