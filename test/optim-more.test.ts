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

describe('learning-rate schedules: PyTorch 1.13\'s lrs per epoch', () => {
  const S = optim.lrScheduler;
  type Sched = { step(epoch?: number): void; getLastLr(): number[] };
  const FRAC = [0.5, 1.0, 1.5, 2.25, 3.0, 3.5, 5.9, 6.0, 2.0, 0.0, 7.75, 100.5], INTS = [1, 5, 2, 3, 0, 4, 3, 3, 1, 9, 2, 2];
  const CASES: Record<string, [(o: torch.optim.SGD) => Sched, number[]?]> = {
    'ConstantLR': [(o) => new S.ConstantLR(o, { factor: 0.5, totalIters: 3 })],
    'ConstantLR defaults': [(o) => new S.ConstantLR(o)],
    'MultiplicativeLR': [(o) => new S.MultiplicativeLR(o, () => 0.9)],
    'MultiplicativeLR per group': [(o) => new S.MultiplicativeLR(o, [() => 0.9, (e) => 1 / (e + 1)])],
    'PolynomialLR': [(o) => new S.PolynomialLR(o, { totalIters: 6, power: 2 })],
    'PolynomialLR defaults': [(o) => new S.PolynomialLR(o)],
    'CosineAnnealingWarmRestarts': [(o) => new S.CosineAnnealingWarmRestarts(o, { t0: 3 })],
    'CosineAnnealingWarmRestarts tMult': [(o) => new S.CosineAnnealingWarmRestarts(o, { t0: 2, tMult: 2, etaMin: 0.01 })],
    'CyclicLR': [(o) => new S.CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3 })],
    'CyclicLR triangular2': [(o) => new S.CyclicLR(o, { baseLr: [0.01, 0.02], maxLr: [0.1, 0.3], stepSizeUp: 2, stepSizeDown: 4, mode: 'triangular2', baseMomentum: 0.7, maxMomentum: 0.95 })],
    'CyclicLR exp_range': [(o) => new S.CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2, mode: 'exp_range', gamma: 0.9, cycleMomentum: false })],
    'CyclicLR scaleFn': [(o) => new S.CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2, scaleFn: (x) => 1 / (1 + x), scaleMode: 'iterations' })],
    'SequentialLR': [(o) => new S.SequentialLR(o, { schedulers: [new S.ConstantLR(o, { factor: 0.1, totalIters: 2 }), new S.ExponentialLR(o, { gamma: 0.9 })], milestones: [2] })],
    'SequentialLR three': [(o) => new S.SequentialLR(o, {
      schedulers: [new S.LinearLR(o, { startFactor: 0.25, totalIters: 3 }), new S.CosineAnnealingLR(o, { tMax: 4, etaMin: 0.01 }), new S.StepLR(o, { stepSize: 2, gamma: 0.5 })], milestones: [3, 7] })],
    'SequentialLR multiplicative': [(o) => new S.SequentialLR(o, {
      schedulers: [new S.ExponentialLR(o, { gamma: 0.5 }), new S.MultiplicativeLR(o, () => 0.9), new S.PolynomialLR(o, { totalIters: 3 })], milestones: [3, 6] })],
    'ChainedScheduler': [(o) => new S.ChainedScheduler([new S.ConstantLR(o, { factor: 0.1, totalIters: 2 }), new S.ExponentialLR(o, { gamma: 0.9 })])],
    'ChainedScheduler cosine': [(o) => new S.ChainedScheduler([new S.StepLR(o, { stepSize: 3, gamma: 0.5 }), new S.LinearLR(o, { startFactor: 0.5, totalIters: 4 }), new S.CosineAnnealingLR(o, { tMax: 3, etaMin: 0.001 })])],
    'ChainedScheduler multistep, polynomial, multiplicative': [(o) => new S.ChainedScheduler([new S.MultiStepLR(o, { milestones: [2, 2, 5], gamma: 0.5 }), new S.PolynomialLR(o, { totalIters: 8, power: 0.5 }), new S.MultiplicativeLR(o, () => 0.95)])],
    'CosineAnnealingWarmRestarts epochs': [(o) => new S.CosineAnnealingWarmRestarts(o, { t0: 3 }), FRAC],
    'CosineAnnealingWarmRestarts tMult epochs': [(o) => new S.CosineAnnealingWarmRestarts(o, { t0: 2, tMult: 2, etaMin: 0.01 }), FRAC],
    'ConstantLR epochs': [(o) => new S.ConstantLR(o, { factor: 0.5, totalIters: 3 }), INTS],
    'MultiplicativeLR epochs': [(o) => new S.MultiplicativeLR(o, () => 0.9), INTS],
    'PolynomialLR epochs': [(o) => new S.PolynomialLR(o, { totalIters: 6, power: 2 }), INTS],
    'CyclicLR epochs': [(o) => new S.CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3 }), INTS],
  };
  const run = (make: (o: torch.optim.SGD) => Sched, groups: boolean, epochs?: number[]) => {
    const p = torch.zeros([1]).requiresGrad_(), q = torch.zeros([1]).requiresGrad_();
    const opt = new optim.SGD(groups ? [{ params: [p] }, { params: [q], lr: 0.05 }] : [p], { lr: 0.1, momentum: 0.9 });
    const s = make(opt), lrs: number[][] = [], moms: number[][] = [], last: number[][] = [];
    const record = () => { lrs.push(opt.paramGroups.map((g) => g.lr)); moms.push(opt.paramGroups.map((g) => g.momentum)); last.push(s.getLastLr()); };
    for (let i = 0; i < 12; i++) { record(); opt.step(); s.step(epochs?.[i]); }
    record();
    return { lrs, momentums: moms, last };
  };
  for (const [name, want] of Object.entries(REF.schedulers as Record<string, Json>)) {
    it(name, () => {
      const groups = name.endsWith(', two groups');
      const [make, epochs] = CASES[name.replace(/, two groups$/, '')];
      const got = run(make, groups, epochs);
      for (const k of ['lrs', 'momentums', 'last'] as const) got[k].forEach((row, i) => close(row, want[k][i], 1e-12, `${k} at epoch ${i}`));
    });
  }
  it('PyTorch\'s errors', () => {
    const E = REF.scheduler_errors as Record<string, string>;
    const q = torch.zeros([1]).requiresGrad_(), sgd = new optim.SGD([q], { lr: 0.1, momentum: 0.9 });
    const other = () => new optim.SGD([torch.zeros([1]).requiresGrad_()], { lr: 1 });
    expect(() => new S.ConstantLR(sgd, { factor: 1.5 })).toThrow(E['ConstantLR factor']);
    expect(() => new S.ConstantLR(sgd, { factor: -0.5 })).toThrow(E['ConstantLR factor negative']);
    expect(() => new S.CosineAnnealingWarmRestarts(sgd, { t0: 0 })).toThrow(E['CosineAnnealingWarmRestarts t0']);
    expect(() => new S.CosineAnnealingWarmRestarts(sgd, { t0: 1.5 })).toThrow(E['CosineAnnealingWarmRestarts t0 float']);
    expect(() => new S.CosineAnnealingWarmRestarts(sgd, { t0: 2, tMult: 0 })).toThrow(E['CosineAnnealingWarmRestarts tMult']);
    expect(() => new S.CosineAnnealingWarmRestarts(sgd, { t0: 2 }).step(-1)).toThrow(E['CosineAnnealingWarmRestarts epoch']);
    expect(() => new S.CyclicLR(sgd, { baseLr: 0.01, maxLr: 0.1, mode: 'zigzag' as 'triangular' })).toThrow(E['CyclicLR mode']);
    expect(() => new S.CyclicLR(new optim.Adam([q]), { baseLr: 0.01, maxLr: 0.1 })).toThrow(E['CyclicLR Adam']);
    expect(() => new S.CyclicLR(sgd, { baseLr: 0.01, maxLr: [0.1, 0.2] })).toThrow(E['CyclicLR maxLr list']);
    expect(() => new S.MultiplicativeLR(sgd, [() => 1, () => 1])).toThrow(E['MultiplicativeLR list']);
    expect(() => new S.SequentialLR(sgd, { schedulers: [new S.ConstantLR(sgd), new S.ExponentialLR(sgd, { gamma: 0.9 })], milestones: [2, 3] })).toThrow(E['SequentialLR milestones']);
    expect(() => new S.SequentialLR(sgd, { schedulers: [new S.ConstantLR(sgd), new S.ExponentialLR(other(), { gamma: 0.9 })], milestones: [2] })).toThrow(E['SequentialLR optimizer']);
    expect(() => new S.ChainedScheduler([new S.ConstantLR(sgd), new S.ExponentialLR(other(), { gamma: 0.9 })])).toThrow(E['ChainedScheduler optimizer']);
    expect(() => new S.ChainedScheduler([new S.ReduceLROnPlateau(sgd) as unknown as torch.optim.LRScheduler])).toThrow('cannot be chained');
  });
});
