/**
 * torch.optim: SGD (momentum, dampening, Nesterov, weight decay), Adam (and AMSGrad) and AdamW, with
 * PyTorch 1.13's update formulas (its single-tensor path), written with the frontend's in-place ops, so
 * they run on the device the parameters live on.
 *
 *   const opt = new torch.optim.SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });
 *   opt.zeroGrad(); const loss = lossFn(net(x), y); await loss.backward(); opt.step();
 */
import { Tensor, clone, div, keep, sqrt, zerosLike } from './tensor.ts';
import { noGrad } from './autograd/graph.ts';
import { pyFloat } from './format.ts';
import { isFloat } from './dtype.ts';

const pyValue = (v: unknown): string =>
  typeof v === 'boolean' ? (v ? 'True' : 'False') : Array.isArray(v) ? `(${v.map(pyValue).join(', ')})` : v === null || v === undefined ? 'None' : String(v);

/** A group of parameters with its own options (lr, …); the optimizer's options fill what it leaves out. */
export type ParamGroup<O> = { params: Tensor[] } & O;
export type Params<O> = Iterable<Tensor> | Iterable<{ params: Iterable<Tensor> } & Partial<O>>;

/** The base of the optimizers: parameter groups, per-parameter state, zeroGrad and printing. */
export abstract class Optimizer<O extends object> {
  readonly paramGroups: Array<ParamGroup<O>> = [];
  /** Each parameter's state (momentum buffers, moment estimates, step count), made on its first step. */
  readonly state = new Map<Tensor, Record<string, Tensor | number>>();

  constructor(params: Params<O>, readonly defaults: O) {
    const list = params == null || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function' ? null : [...(params as Iterable<unknown>)];
    if (list === null) throw new Error(`params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${params === null ? 'null' : typeof params}`);
    if (list.length === 0) throw new Error('optimizer got an empty parameter list');
    const groups = list.every((g) => g instanceof Tensor) ? [{ params: list as Tensor[] }] : (list as Array<{ params: Iterable<Tensor> } & Partial<O>>);
    const seen = new Set<Tensor>();
    for (const g of groups) {
      if (g instanceof Tensor || g === null || typeof g !== 'object') throw new Error('params argument given to the optimizer should be Tensors or dicts of them ({ params, lr, … }), not a mix');
      const ps = [...g.params];
      for (const p of ps) {
        if (!(p instanceof Tensor)) throw new Error(`optimizer can only optimize Tensors, but one of the params is ${p === null ? 'null' : typeof p}`);
        if (!p.isLeaf) throw new Error("can't optimize a non-leaf Tensor");
        if (seen.has(p)) throw new Error('some parameters appear in more than one parameter group');
        seen.add(p);
      }
      const group = { ...defaults, ...g, params: ps } as ParamGroup<O>;
      this.check(group);
      this.paramGroups.push(group);
    }
  }
  /** Refuses bad options, as PyTorch's constructors do. */
  protected abstract check(group: ParamGroup<O>): void;
  /** One update of every parameter that has a gradient. */
  abstract step(): void;

  /** Clears the parameters' gradients: to null (the default, as PyTorch 2's), or to zeros in place. */
  zeroGrad(setToNone = true): void {
    for (const g of this.paramGroups) for (const p of g.params) {
      if (!p.grad) continue;
      if (setToNone) p.grad = null;
      else noGrad(() => p.grad!.zero_());
    }
  }
  /**
   * The optimizer's state as PyTorch's state_dict lays it out: `state` by parameter position (across the
   * groups, in order), with PyTorch's names (momentum_buffer, exp_avg, exp_avg_sq, max_exp_avg_sq,
   * step), and `paramGroups` with each group's options and its parameters' positions. The tensors are
   * the optimizer's own (save them, or load them into another optimizer: loadStateDict copies).
   */
  stateDict(): OptimizerStateDict {
    const state: OptimizerStateDict['state'] = {};
    const paramGroups: OptimizerStateDict['paramGroups'] = [];
    let i = 0;
    for (const g of this.paramGroups) {
      const ids: number[] = [];
      for (const p of g.params) {
        const s = this.state.get(p);
        if (s) state[i] = Object.fromEntries(Object.entries(s).map(([k, v]) => [STATE_NAMES[k] ?? k, v]));
        ids.push(i++);
      }
      const { params: _p, ...opts } = g as ParamGroup<O> & Record<string, unknown>;
      paramGroups.push({ ...(opts as Record<string, unknown>), params: ids });
    }
    return { state, paramGroups };
  }
  /** Takes another optimizer's stateDict() (of the same parameter layout): its options and state, copied
   * onto each parameter's device and dtype. */
  loadStateDict(sd: OptimizerStateDict): void {
    if (!sd || !Array.isArray(sd.paramGroups) || typeof sd.state !== 'object') throw new Error('loadStateDict(): expected { state, paramGroups }, as stateDict() gives');
    if (sd.paramGroups.length !== this.paramGroups.length) throw new Error('loaded state dict has a different number of parameter groups');
    const params: Tensor[] = [];
    sd.paramGroups.forEach((g, i) => {
      if (!Array.isArray(g.params) || g.params.length !== this.paramGroups[i].params.length) throw new Error("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
      params.push(...this.paramGroups[i].params);
    });
    const back = Object.fromEntries(Object.entries(STATE_NAMES).map(([k, v]) => [v, k]));
    this.state.clear();
    for (const [pos, st] of Object.entries(sd.state)) {
      const p = params[Number(pos)];
      if (!p) throw new Error(`loadStateDict(): state for parameter ${pos}, which this optimizer does not have`);
      const mine: Record<string, Tensor | number> = {};
      for (const [k, v] of Object.entries(st)) {
        mine[back[k] ?? k] = v instanceof Tensor ? stateTensor(noGrad(() => v.to({ device: p.device, dtype: isFloat(v.dtype) ? p.dtype : v.dtype }).clone())) : v;
      }
      this.state.set(p, mine);
    }
    sd.paramGroups.forEach((g, i) => {
      const { params: _p, ...opts } = g;
      Object.assign(this.paramGroups[i], opts);
      this.check(this.paramGroups[i]);
    });
  }
  protected stateOf(p: Tensor): Record<string, Tensor | number> {
    let s = this.state.get(p);
    if (!s) this.state.set(p, (s = {}));
    return s;
  }
  /** PyTorch's printed form: the class, then each group's options. */
  toString(): string {
    const lines = [`${this.constructor.name} (`];
    this.paramGroups.forEach((g, i) => {
      lines.push(`Parameter Group ${i}`);
      for (const k of Object.keys(g).filter((k) => k !== 'params').sort()) lines.push(`    ${k}: ${pyValue((g as Record<string, unknown>)[k])}`);
    });
    lines.push(')');
    return lines.join('\n');
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }
}

/** What stateDict() gives and loadStateDict() takes (PyTorch's layout, camelCase paramGroups). */
export interface OptimizerStateDict {
  state: Record<number, Record<string, Tensor | number>>;
  paramGroups: Array<Record<string, unknown> & { params: number[] }>;
}
/** The state's names in PyTorch's state_dict. */
const STATE_NAMES: Record<string, string> = { momentumBuffer: 'momentum_buffer', expAvg: 'exp_avg', expAvgSq: 'exp_avg_sq', maxExpAvgSq: 'max_exp_avg_sq', step: 'step' };

/** A state tensor (momentum buffer, moment estimate): outlives any torch.scope() the step runs in. */
const stateTensor = (t: Tensor) => keep(t);

export interface SGDOptions { lr: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean; maximize?: boolean }
type SGDGroup = Required<SGDOptions>;

/**
 * Stochastic gradient descent: d = grad (+ weightDecay·p); with momentum, buf = momentum·buf +
 * (1 − dampening)·d (d itself on the first step) and d = buf (Nesterov: d + momentum·buf); p −= lr·d.
 */
export class SGD extends Optimizer<SGDGroup> {
  constructor(params: Params<SGDGroup>, o: SGDOptions) {
    if (o === undefined || o === null || typeof o.lr !== 'number') throw new Error('SGD(): the learning rate is required: new SGD(params, { lr: 0.1 })');
    super(params, { lr: o.lr, momentum: o.momentum ?? 0, dampening: o.dampening ?? 0, weightDecay: o.weightDecay ?? 0, nesterov: o.nesterov ?? false, maximize: o.maximize ?? false });
  }
  protected check(g: ParamGroup<SGDGroup>): void {
    if (!(g.lr >= 0)) throw new Error(`Invalid learning rate: ${g.lr}`);
    if (!(g.momentum >= 0)) throw new Error(`Invalid momentum value: ${g.momentum}`);
    if (!(g.weightDecay >= 0)) throw new Error(`Invalid weight_decay value: ${g.weightDecay}`);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) throw new Error('Nesterov momentum requires a momentum and zero dampening');
  }
  step(): void {
    noGrad(() => {
      for (const g of this.paramGroups) for (const p of g.params) {
        if (!p.grad) continue;
        let d: Tensor = g.maximize ? p.grad.neg() : p.grad;
        if (g.weightDecay !== 0) d = d.add(p, g.weightDecay);
        if (g.momentum !== 0) {
          const s = this.stateOf(p);
          let buf = s.momentumBuffer as Tensor | undefined;
          if (!buf) s.momentumBuffer = buf = stateTensor(clone(d));
          else buf.mul_(g.momentum).add_(d, 1 - g.dampening);
          d = g.nesterov ? d.add(buf, g.momentum) : buf;
        }
        p.add_(d, -g.lr);
      }
    });
  }
}

export interface AdamOptions { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number; amsgrad?: boolean; maximize?: boolean }
type AdamGroup = Required<AdamOptions>;

/**
 * Adam: m = β1·m + (1 − β1)·g, v = β2·v + (1 − β2)·g² (AMSGrad: the running max of v), then
 * p −= lr/(1 − β1^t) · m / (√v/√(1 − β2^t) + eps). weightDecay adds weightDecay·p to g (L2); AdamW
 * decays p itself instead.
 */
export class Adam extends Optimizer<AdamGroup> {
  /** AdamW's decoupled weight decay (p *= 1 − lr·weightDecay before the step) instead of Adam's L2 term. */
  protected decoupled = false;
  constructor(params: Params<AdamGroup>, o: AdamOptions = {}, defaultWeightDecay = 0) {
    super(params, { lr: o.lr ?? 1e-3, betas: o.betas ?? [0.9, 0.999], eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? defaultWeightDecay, amsgrad: o.amsgrad ?? false, maximize: o.maximize ?? false });
  }
  protected check(g: ParamGroup<AdamGroup>): void {
    if (!(g.lr >= 0)) throw new Error(`Invalid learning rate: ${g.lr}`);
    if (!(g.eps >= 0)) throw new Error(`Invalid epsilon value: ${g.eps}`);
    if (!Array.isArray(g.betas) || g.betas.length !== 2) throw new Error(`betas must be a pair [beta1, beta2], got ${String(g.betas)}`);
    for (const i of [0, 1]) if (!(g.betas[i] >= 0 && g.betas[i] < 1)) throw new Error(`Invalid beta parameter at index ${i}: ${pyFloat(g.betas[i])}`);
    if (!(g.weightDecay >= 0)) throw new Error(`Invalid weight_decay value: ${g.weightDecay}`);
  }
  step(): void {
    noGrad(() => {
      for (const g of this.paramGroups) for (const p of g.params) {
        if (!p.grad) continue;
        let grad: Tensor = g.maximize ? p.grad.neg() : p.grad;
        const s = this.stateOf(p);
        if (s.step === undefined) {
          s.step = 0;
          s.expAvg = stateTensor(zerosLike(p));
          s.expAvgSq = stateTensor(zerosLike(p));
          if (g.amsgrad) s.maxExpAvgSq = stateTensor(zerosLike(p));
        }
        const t = (s.step as number) + 1;
        s.step = t;
        const [b1, b2] = g.betas;
        if (g.weightDecay !== 0) {
          if (this.decoupled) p.mul_(1 - g.lr * g.weightDecay);
          else grad = grad.add(p, g.weightDecay);
        }
        const m = s.expAvg as Tensor, v = s.expAvgSq as Tensor;
        m.mul_(b1).add_(grad, 1 - b1);
        v.mul_(b2).add_(grad.mul(grad), 1 - b2);
        const bc1 = 1 - b1 ** t, bc2Sqrt = Math.sqrt(1 - b2 ** t);
        let second = v;
        if (g.amsgrad) { const mx = s.maxExpAvgSq as Tensor; mx.copy_(mx.maximum(v)); second = mx; }
        const denom = div(sqrt(second), bc2Sqrt).add(g.eps);
        p.add_(div(m, denom), -g.lr / bc1);
      }
    });
  }
}

/** Adam with decoupled weight decay (default 0.01): p *= 1 − lr·weightDecay, then Adam's step. */
export class AdamW extends Adam {
  constructor(params: Params<AdamGroup>, o: AdamOptions = {}) {
    super(params, o, 1e-2);
    this.decoupled = true;
  }
}

// =============================================================== learning-rate schedules (torch.optim.lrScheduler)

/**
 * torch.optim.lr_scheduler's common schedules: each sets its optimizer's groups' lr from their initial
 * lr and the epoch count (closed forms of PyTorch's), once when made and at each step().
 *   const sched = new optim.lrScheduler.StepLR(opt, { stepSize: 30, gamma: 0.1 });
 *   for (…epochs) { …train (opt.step())…; sched.step(); }
 */
export abstract class LRScheduler {
  /** The groups' lr when the schedule was made. */
  readonly baseLrs: number[];
  /** Steps taken (the epoch count, from 0). */
  lastEpoch = 0;
  constructor(readonly optimizer: Optimizer<{ lr: number }>) {
    if (!(optimizer instanceof Optimizer)) throw new Error(`${new.target.name}: expected an optimizer, got ${optimizer === null ? 'null' : typeof optimizer}`);
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
  }
  /** The lr of group i at epoch e. */
  protected abstract lrAt(base: number, e: number): number;
  /** Sets the lrs for lastEpoch (the subclass's constructor calls it once, as PyTorch's first step). */
  protected apply(): void {
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = this.lrAt(this.baseLrs[i], this.lastEpoch); });
  }
  step(): void { this.lastEpoch++; this.apply(); }
  getLastLr(): number[] { return this.optimizer.paramGroups.map((g) => g.lr); }
}
const checkNumber = (cls: string, name: string, v: unknown, ok: (v: number) => boolean) => {
  if (typeof v !== 'number' || !ok(v)) throw new Error(`${cls}: ${name} must be ${name === 'gamma' ? 'a positive number' : 'a positive integer'}, got ${String(v)}`);
};
/** lr = base · gamma^⌊epoch / stepSize⌋ (gamma 0.1 by default). */
export class StepLR extends LRScheduler {
  constructor(optimizer: Optimizer<{ lr: number }>, readonly o: { stepSize: number; gamma?: number }) {
    super(optimizer);
    checkNumber('StepLR', 'stepSize', o?.stepSize, (v) => Number.isInteger(v) && v > 0);
    checkNumber('StepLR', 'gamma', o.gamma ?? 0.1, (v) => v > 0);
    this.apply();
  }
  protected lrAt(base: number, e: number): number { return base * (this.o.gamma ?? 0.1) ** Math.floor(e / this.o.stepSize); }
}
/** lr = base · gamma^(the milestones reached), milestones increasing epochs. */
export class MultiStepLR extends LRScheduler {
  constructor(optimizer: Optimizer<{ lr: number }>, readonly o: { milestones: number[]; gamma?: number }) {
    super(optimizer);
    if (!Array.isArray(o?.milestones) || o.milestones.some((m, i) => !Number.isInteger(m) || (i > 0 && m < o.milestones[i - 1]))) {
      throw new Error(`MultiStepLR: milestones must be a list of increasing integers, got ${JSON.stringify(o?.milestones)}`);
    }
    checkNumber('MultiStepLR', 'gamma', o.gamma ?? 0.1, (v) => v > 0);
    this.apply();
  }
  protected lrAt(base: number, e: number): number { return base * (this.o.gamma ?? 0.1) ** this.o.milestones.filter((m) => m <= e).length; }
}
/** lr = base · gamma^epoch. */
export class ExponentialLR extends LRScheduler {
  constructor(optimizer: Optimizer<{ lr: number }>, readonly o: { gamma: number }) {
    super(optimizer);
    checkNumber('ExponentialLR', 'gamma', o?.gamma, (v) => v > 0);
    this.apply();
  }
  protected lrAt(base: number, e: number): number { return base * this.o.gamma ** e; }
}
/** lr = etaMin + (base − etaMin) · (1 + cos(π · epoch / tMax)) / 2 (etaMin 0 by default; it rises again after tMax, as PyTorch's). */
export class CosineAnnealingLR extends LRScheduler {
  constructor(optimizer: Optimizer<{ lr: number }>, readonly o: { tMax: number; etaMin?: number }) {
    super(optimizer);
    checkNumber('CosineAnnealingLR', 'tMax', o?.tMax, (v) => Number.isInteger(v) && v > 0);
    this.apply();
  }
  protected lrAt(base: number, e: number): number {
    const min = this.o.etaMin ?? 0;
    return e === 0 ? base : min + ((base - min) * (1 + Math.cos((Math.PI * e) / this.o.tMax))) / 2;
  }
}
/** lr = base · f(epoch), f a function of your own. */
export class LambdaLR extends LRScheduler {
  constructor(optimizer: Optimizer<{ lr: number }>, readonly f: (epoch: number) => number) {
    super(optimizer);
    if (typeof f !== 'function') throw new Error(`LambdaLR: expected a function of the epoch, got ${f === null ? 'null' : typeof f}`);
    this.apply();
  }
  protected lrAt(base: number, e: number): number { return base * this.f(e); }
}

/** The schedules under PyTorch's module name too: `optim.lrScheduler.StepLR`. */
export const lrScheduler = { LRScheduler, StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LambdaLR };
