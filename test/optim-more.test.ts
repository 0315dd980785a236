// torch.optim's remaining optimizers and schedules (src/optim-more.ts) against PyTorch 1.13: trajectories,
// state dicts, printed forms, learning rates per epoch and errors (test/fixtures/optim-more.json, from
// scripts/torch-optim-more.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { values } from './helpers.ts';

const { optim } = torch;
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const REF = JSON.parse(readFileSync(new URL('./fixtures/optim-more.json', import.meta.url), 'utf8')) as Json;

const P1 = [[0.5, -0.3, 0.8], [-0.2, 0.4, 0.1]], P2 = [0.3, -0.6, 0.9], T = [0.25, -0.5], C = [[1.0, 0.5, 2.0], [0.3, 1.5, 0.7]];
/** The fixture's loss: Σ(p1·p2 − t)² + Σ c·p1² + Σ sin p2. */
const lossFn = (p1: torch.Tensor, p2: torch.Tensor) => {
  const dtype = p1.dtype as 'float32' | 'float64';
  return p1.matmul(p2).sub(torch.tensor(T, { dtype })).pow(2).sum().add(p1.mul(p1).mul(torch.tensor(C, { dtype })).sum()).add(p2.sin().sum());
};
const CLASSES: Record<string, new (p: Json, o?: Json) => torch.optim.Optimizer<object>> = {
  Adamax: optim.Adamax, NAdam: optim.NAdam, RAdam: optim.RAdam, Adadelta: optim.Adadelta, Rprop: optim.Rprop, ASGD: optim.ASGD,
};

async function trajectory(name: string, opts: Json, dtype: 'float32' | 'float64', groups: boolean, steps = 8) {
  const p1 = torch.tensor(P1, { dtype }).requiresGrad_(), p2 = torch.tensor(P2, { dtype }).requiresGrad_();
  const params = groups ? [{ params: [p1] }, { params: [p2], lr: (opts.lr ?? 0.01) * 0.5 }] : [p1, p2];
  const opt = new CLASSES[name](params, opts);
  const traj: number[][] = [];
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    await lossFn(p1, p2).backward();
    opt.step();
    traj.push([...(await values(p1)), ...(await values(p2))]);
  }
  return { opt, traj };
}
const close = (got: number[], want: number[], tol: number, what: string) => {
  expect(got.length, what).toBe(want.length);
  got.forEach((v, i) => expect(Math.abs(v - want[i]), `${what}, element ${i}: ${v} against ${want[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i]))));
};

describe('optimizers: PyTorch 1.13\'s trajectories', () => {
  for (const c of REF.optimizers as Json[]) {
    const label = `${c.name} ${JSON.stringify(c.opts)} ${c.dtype}${c.groups ? ', two groups' : ''}`;
    it(label, async () => {
      const { opt, traj } = await trajectory(c.name, c.opts, c.dtype, c.groups);
      const tol = c.dtype === 'float64' ? 1e-12 : 2e-6;
      traj.forEach((row, i) => close(row, c.traj[i], tol, `step ${i + 1}`));
      // the state dict: PyTorch's names; tensors of the parameters' shapes, scalars (0-dim in PyTorch) as numbers
      const sd = opt.stateDict();
      for (const [k, names] of Object.entries(c.state as Record<string, Record<string, number[] | null>>)) {
        const mine = sd.state[Number(k)];
        expect(Object.keys(mine).sort()).toEqual(Object.keys(names).sort());
        for (const [n, shape] of Object.entries(names)) {
          const v = mine[n], want = c.values[k][n];
          if (typeof want === 'number') expect(Math.abs((v as number) - want), n).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want)));
          else {
            expect((v as torch.Tensor).shape, n).toEqual(shape);
            close(await values(v as torch.Tensor), want, tol, `state ${k} ${n}`);
          }
        }
      }
    });
  }

  it('stateDict / loadStateDict round trip: a copy goes on as the original', async () => {
    for (const name of Object.keys(CLASSES)) {
      // the last float64 one-group case of each (ASGD's averages from t0 = 2 on, Rprop's flipped signs)
      const ref = (REF.optimizers as Json[]).filter((c) => c.name === name && c.dtype === 'float64' && !c.groups).at(-1);
      const a = await trajectory(name, ref.opts, 'float64', false, 3);
      const p1 = torch.tensor(a.traj[2].slice(0, 6), { dtype: 'float64' }).reshape([2, 3]).requiresGrad_();
      const p2 = torch.tensor(a.traj[2].slice(6), { dtype: 'float64' }).requiresGrad_();
      const b = new CLASSES[name]([p1, p2], ref.opts);
      b.loadStateDict(a.opt.stateDict());
      for (let i = 3; i < 8; i++) {
        b.zeroGrad();
        await lossFn(p1, p2).backward();
        b.step();
        close([...(await values(p1)), ...(await values(p2))], ref.traj[i], 1e-12, `${name} step ${i + 1} after loading`);
      }
    }
  });

  it('printed forms and PyTorch\'s errors for bad options', () => {
    const p = torch.zeros([2]).requiresGrad_();
    const pyRepr = (s: string) => s.replace(/    foreach: None\n/, '').replace(/: \(([^)]*)\)/g, ': ($1)');
    expect(String(new optim.Adamax([p]))).toBe('Adamax (\nParameter Group 0\n    betas: (0.9, 0.999)\n    eps: 1e-8\n    lr: 0.002\n    maximize: False\n    weightDecay: 0\n)');
    expect(pyRepr(REF.repr.Adamax)).toContain('lr: 0.002');
    for (const [name, opts, msg] of REF.errors as Array<[string, Json, string]>) {
      expect(() => new CLASSES[name]([p], opts), `${name} ${JSON.stringify(opts)}`).toThrow(msg);
    }
  });
});
