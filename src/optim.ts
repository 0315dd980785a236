/**
 * torch.optim: SGD (momentum, dampening, Nesterov, weight decay), Adam (and AMSGrad) and AdamW, with
 * PyTorch 1.13's update formulas (its single-tensor path), written with the frontend's in-place ops, so
 * they run on the device the parameters live on.
 *
 *   const opt = new torch.optim.SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });
 *   opt.zeroGrad(); const loss = lossFn(net(x), y); await loss.backward(); opt.step();
 */
import { Tensor, adamRaw, clone, div, full, keep, sqrt, zerosLike } from './tensor.ts';
import { isGradEnabled, noGrad } from './autograd/graph.ts';
import { SHARD_THRESHOLD, adamOpAvailable } from './runtime/runtime.ts';
import { sameShape } from './shape.ts';
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
  /** update(group, parameter, gradient) for each parameter that has a gradient, outside autograd; the
   * gradient negated where the group maximizes. */
  protected forEachGrad(update: (g: ParamGroup<O>, p: Tensor, grad: Tensor) => void): void {
    noGrad(() => {
      for (const g of this.paramGroups) for (const p of g.params) {
        if (!p.grad) continue;
        update(g, p, (g as { maximize?: boolean }).maximize ? p.grad.neg() : p.grad);
      }
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
const STATE_NAMES: Record<string, string> = { momentumBuffer: 'momentum_buffer', expAvg: 'exp_avg', expAvgSq: 'exp_avg_sq', maxExpAvgSq: 'max_exp_avg_sq', squareAvg: 'square_avg', gradAvg: 'grad_avg', sum: 'sum', step: 'step' };

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
    this.forEachGrad((g, p, d) => {
      if (g.weightDecay !== 0) d = d.add(p, g.weightDecay);
      if (g.momentum !== 0) {
        const s = this.stateOf(p);
        let buf = s.momentumBuffer as Tensor | undefined;
        if (!buf) s.momentumBuffer = buf = stateTensor(clone(d));
        else buf.mul_(g.momentum).add_(d, 1 - g.dampening);
        d = g.nesterov ? d.add(buf, g.momentum) : buf;
      }
      p.add_(d, -g.lr);
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
    this.forEachGrad((g, p, grad) => {
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
      const m = s.expAvg as Tensor, v = s.expAvgSq as Tensor;
      if (!g.amsgrad && fusableAdam(p, grad, m, v)) {
        // One pass over p, m and v: the same bits as the composition below (protocol.ts AdamOp).
        const wd = g.weightDecay;
        adamRaw(p, grad, m, v, [b1, 1 - b1, b2, 1 - b2, Math.sqrt(1 - b2 ** t), g.eps, -g.lr / (1 - b1 ** t), wd, 1 - g.lr * wd], wd === 0 ? 0 : this.decoupled ? 2 : 1);
        return;
      }
      if (g.weightDecay !== 0) {
        if (this.decoupled) p.mul_(1 - g.lr * g.weightDecay);
        else grad = grad.add(p, g.weightDecay);
      }
      m.mul_(b1).add_(grad, 1 - b1);
      v.mul_(b2).add_(grad.mul(grad), 1 - b2);
      const bc1 = 1 - b1 ** t, bc2Sqrt = Math.sqrt(1 - b2 ** t);
      let second = v;
      if (g.amsgrad) { const mx = s.maxExpAvgSq as Tensor; mx.copy_(mx.maximum(v)); second = mx; }
      const denom = div(sqrt(second), bc2Sqrt).add(g.eps);
      p.add_(div(m, denom), -g.lr / bc1);
    });
  }
}

/**
 * The largest parameter (elements) whose Adam step runs fused. The fused op is plain JS (~11-15 ns an
 * element); the composition's ~11 SIMD ops cost ~50 µs of per-op overhead plus ~4 ns an element, so the
 * fused step wins below ~6k elements (measured, one float32 parameter, no workers: 1024: 55 -> 16 µs;
 * 4096: 90 -> 61 µs; 8192: 82 -> 119 µs; 16384: 103 -> 236 µs).
 */
const ADAM_FUSED_MAX = 4096;
/**
 * Whether Adam's step for p runs as one fused CPU op (protocol.ts AdamOp): CPU float32/float64 tensors of
 * one dtype and shape, contiguous, in distinct storages, small (ADAM_FUSED_MAX, and below the pool's
 * sharding threshold: larger ones keep the composition, whose ops the workers shard), with autograd not
 * recording (step() runs under noGrad) and the op not turned off.
 */
function fusableAdam(p: Tensor, grad: Tensor, m: Tensor, v: Tensor): boolean {
  const dt = p.dtype;
  if (p.device !== 'cpu' || (dt !== 'float32' && dt !== 'float64') || isGradEnabled() || !adamOpAvailable()) return false;
  const n = p.numel();
  if (n > ADAM_FUSED_MAX || n >= SHARD_THRESHOLD || !p.isContiguous()) return false;
  for (const t of [grad, m, v]) {
    if (t.device !== 'cpu' || t.dtype !== dt || !sameShape(t.shape, p.shape) || !t.isContiguous()) return false;
  }
  const ps = p.storage, gs = grad.storage, ms = m.storage, vs = v.storage;
  return ps !== gs && ps !== ms && ps !== vs && gs !== ms && gs !== vs && ms !== vs;
}

/** Adam with decoupled weight decay (default 0.01): p *= 1 − lr·weightDecay, then Adam's step. */
export class AdamW extends Adam {
  constructor(params: Params<AdamGroup>, o: AdamOptions = {}) {
    super(params, o, 1e-2);
    this.decoupled = true;
  }
}

export interface RMSpropOptions { lr?: number; alpha?: number; eps?: number; weightDecay?: number; momentum?: number; centered?: boolean; maximize?: boolean }
type RMSpropGroup = Required<RMSpropOptions>;
/**
 * RMSprop: s = alpha·s + (1 − alpha)·g² (centered: minus the square of the mean gradient's average), then
 * p −= lr·g / (√s + eps), or through a momentum buffer; PyTorch 1.13's formulas and order.
 */
export class RMSprop extends Optimizer<RMSpropGroup> {
  constructor(params: Params<RMSpropGroup>, o: RMSpropOptions = {}) {
    super(params, { lr: o.lr ?? 1e-2, alpha: o.alpha ?? 0.99, eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? 0, momentum: o.momentum ?? 0, centered: o.centered ?? false, maximize: o.maximize ?? false });
  }
  protected check(g: ParamGroup<RMSpropGroup>): void {
    if (!(g.lr >= 0)) throw new Error(`Invalid learning rate: ${g.lr}`);
    if (!(g.eps >= 0)) throw new Error(`Invalid epsilon value: ${g.eps}`);
    if (!(g.momentum >= 0)) throw new Error(`Invalid momentum value: ${g.momentum}`);
    if (!(g.weightDecay >= 0)) throw new Error(`Invalid weight_decay value: ${g.weightDecay}`);
    if (!(g.alpha >= 0)) throw new Error(`Invalid alpha value: ${g.alpha}`);
  }
  step(): void {
    this.forEachGrad((g, p, grad) => {
      const s = this.stateOf(p);
      if (s.step === undefined) {
        s.step = 0;
        s.squareAvg = stateTensor(zerosLike(p));
        if (g.momentum > 0) s.momentumBuffer = stateTensor(zerosLike(p));
        if (g.centered) s.gradAvg = stateTensor(zerosLike(p));
      }
      s.step = (s.step as number) + 1;
      if (g.weightDecay !== 0) grad = grad.add(p, g.weightDecay);
      const sq = s.squareAvg as Tensor;
      sq.mul_(g.alpha).addcmul_(grad, grad, 1 - g.alpha);
      let avg: Tensor;
      if (g.centered) {
        const ga = s.gradAvg as Tensor;
        ga.mul_(g.alpha).add_(grad, 1 - g.alpha);
        avg = clone(sq).addcmul_(ga, ga, -1).sqrt_();
      } else avg = sq.sqrt();
      avg = avg.add_(g.eps);
      if (g.momentum > 0) {
        const buf = s.momentumBuffer as Tensor;
        buf.mul_(g.momentum).addcdiv_(grad, avg);
        p.add_(buf, -g.lr);
      } else p.addcdiv_(grad, avg, -g.lr);
    });
  }
}

export interface AdagradOptions { lr?: number; lrDecay?: number; weightDecay?: number; initialAccumulatorValue?: number; eps?: number; maximize?: boolean }
type AdagradGroup = Required<AdagradOptions>;
/** Adagrad: s += g², p −= lr / (1 + (step − 1)·lrDecay) · g / (√s + eps); PyTorch 1.13's formulas. */
export class Adagrad extends Optimizer<AdagradGroup> {
  constructor(params: Params<AdagradGroup>, o: AdagradOptions = {}) {
    super(params, { lr: o.lr ?? 1e-2, lrDecay: o.lrDecay ?? 0, weightDecay: o.weightDecay ?? 0, initialAccumulatorValue: o.initialAccumulatorValue ?? 0, eps: o.eps ?? 1e-10, maximize: o.maximize ?? false });
    // (PyTorch makes the state when the optimizer is made)
    for (const g of this.paramGroups) for (const p of g.params) {
      const s = this.stateOf(p);
      s.step = 0;
      s.sum = stateTensor(noGrad(() => full([...p.shape], g.initialAccumulatorValue, { dtype: p.dtype, device: p.device })));
    }
  }
  protected check(g: ParamGroup<AdagradGroup>): void {
    if (!(g.lr >= 0)) throw new Error(`Invalid learning rate: ${g.lr}`);
    if (!(g.lrDecay >= 0)) throw new Error(`Invalid lr_decay value: ${g.lrDecay}`);
    if (!(g.weightDecay >= 0)) throw new Error(`Invalid weight_decay value: ${g.weightDecay}`);
    if (!(g.initialAccumulatorValue >= 0)) throw new Error(`Invalid initial_accumulator_value value: ${g.initialAccumulatorValue}`);
    if (!(g.eps >= 0)) throw new Error(`Invalid epsilon value: ${g.eps}`);
  }
  step(): void {
    this.forEachGrad((g, p, grad) => {
      const s = this.stateOf(p);
      const step = (s.step as number) + 1;
      s.step = step;
      if (g.weightDecay !== 0) grad = grad.add(p, g.weightDecay);
      const clr = g.lr / (1 + (step - 1) * g.lrDecay);
      const sum = s.sum as Tensor;
      sum.addcmul_(grad, grad, 1);
      p.addcdiv_(grad, sum.sqrt().add_(g.eps), -clr);
    });
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

/** lr = base · (startFactor + (endFactor − startFactor) · min(epoch, totalIters) / totalIters) (a warm-up). */
export class LinearLR extends LRScheduler {
  constructor(optimizer: Optimizer<{ lr: number }>, readonly o: { startFactor?: number; endFactor?: number; totalIters?: number } = {}) {
    super(optimizer);
    const sf = o.startFactor ?? 1 / 3, ef = o.endFactor ?? 1;
    if (!(sf > 0 && sf <= 1)) throw new Error('Starting multiplicative factor expected to be greater than 0 and less or equal to 1.');
    if (!(ef >= 0 && ef <= 1)) throw new Error('Ending multiplicative factor expected to be between 0 and 1.');
    checkNumber('LinearLR', 'totalIters', o.totalIters ?? 5, (v) => Number.isInteger(v) && v > 0);
    this.apply();
  }
  protected lrAt(base: number, e: number): number {
    const sf = this.o.startFactor ?? 1 / 3, ef = this.o.endFactor ?? 1, T = this.o.totalIters ?? 5;
    return base * (sf + ((ef - sf) * Math.min(e, T)) / T);
  }
}

export interface OneCycleOptions {
  maxLr: number | number[];
  /** the steps of the whole cycle (or epochs · stepsPerEpoch) */
  totalSteps?: number; epochs?: number; stepsPerEpoch?: number;
  pctStart?: number; annealStrategy?: 'cos' | 'linear'; cycleMomentum?: boolean; baseMomentum?: number; maxMomentum?: number;
  divFactor?: number; finalDivFactor?: number; threePhase?: boolean;
}
/**
 * The 1cycle schedule (step it every batch): lr from maxLr/divFactor up to maxLr over pctStart of the
 * steps, then down to that over finalDivFactor (threePhase: back to the start first, then down); the
 * momentum (SGD's momentum, Adam's beta1) the other way between maxMomentum and baseMomentum. PyTorch
 * 1.13's phases and annealing; stepping past totalSteps is its error.
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  private readonly phases: Array<{ end: number; lr: [string, string]; m: [string, string] }>;
  private readonly anneal: (a: number, b: number, pct: number) => number;
  private readonly bounds: Array<Record<string, number>>;
  private readonly useBetas: boolean;
  constructor(optimizer: Optimizer<{ lr: number }>, readonly o: OneCycleOptions) {
    super(optimizer);
    const groups = optimizer.paramGroups;
    let total: number;
    if (o.totalSteps !== undefined) {
      if (!Number.isInteger(o.totalSteps) || o.totalSteps <= 0) throw new Error(`Expected positive integer total_steps, but got ${o.totalSteps}`);
      total = o.totalSteps;
    } else {
      if (!Number.isInteger(o.epochs) || o.epochs! <= 0) throw new Error(`Expected positive integer epochs, but got ${o.epochs}`);
      if (!Number.isInteger(o.stepsPerEpoch) || o.stepsPerEpoch! <= 0) throw new Error(`Expected positive integer steps_per_epoch, but got ${o.stepsPerEpoch}`);
      total = o.epochs! * o.stepsPerEpoch!;
    }
    this.totalSteps = total;
    const pct = o.pctStart ?? 0.3;
    if (!(pct >= 0 && pct <= 1)) throw new Error(`Expected float between 0 and 1 pct_start, but got ${pct}`);
    const strategy = o.annealStrategy ?? 'cos';
    if (strategy !== 'cos' && strategy !== 'linear') throw new Error(`anneal_strategy must by one of 'cos' or 'linear', instead got ${String(strategy)}`);
    this.anneal = strategy === 'cos' ? (a, b, p) => b + ((a - b) / 2) * (Math.cos(Math.PI * p) + 1) : (a, b, p) => (b - a) * p + a;
    this.phases = o.threePhase
      ? [{ end: pct * total - 1, lr: ['initial', 'max'], m: ['maxM', 'baseM'] }, { end: 2 * pct * total - 2, lr: ['max', 'initial'], m: ['baseM', 'maxM'] }, { end: total - 1, lr: ['initial', 'min'], m: ['maxM', 'maxM'] }]
      : [{ end: pct * total - 1, lr: ['initial', 'max'], m: ['maxM', 'baseM'] }, { end: total - 1, lr: ['max', 'min'], m: ['baseM', 'maxM'] }];
    const maxLrs = Array.isArray(o.maxLr) ? o.maxLr : groups.map(() => o.maxLr as number);
    if (maxLrs.length !== groups.length) throw new Error(`expected ${groups.length} values for max_lr, got ${maxLrs.length}`);
    const cycle = o.cycleMomentum ?? true;
    const defaults = optimizer.defaults as Record<string, unknown>;
    this.useBetas = 'betas' in defaults;
    if (cycle && !('momentum' in defaults) && !this.useBetas) throw new Error('optimizer must support momentum with `cycle_momentum` option enabled');
    this.bounds = maxLrs.map((max) => {
      const initial = max / (o.divFactor ?? 25);
      return { initial, max, min: initial / (o.finalDivFactor ?? 1e4), maxM: o.maxMomentum ?? 0.95, baseM: o.baseMomentum ?? 0.85 };
    });
    this.cycle = cycle;
    this.apply();
  }
  private readonly cycle: boolean;
  protected lrAt(): number { return 0; } // (apply sets the groups itself: lr and momentum together)
  protected override apply(): void {
    const step = this.lastEpoch;
    if (step > this.totalSteps) throw new Error(`Tried to step ${step + 1} times. The specified number of total steps is ${this.totalSteps}`);
    this.optimizer.paramGroups.forEach((g, i) => {
      const b = this.bounds[i];
      let start = 0, lr = 0, m = 0;
      for (let k = 0; k < this.phases.length; k++) {
        const ph = this.phases[k];
        if (step <= ph.end || k === this.phases.length - 1) {
          const pct = (step - start) / (ph.end - start);
          lr = this.anneal(b[ph.lr[0]], b[ph.lr[1]], pct);
          m = this.anneal(b[ph.m[0]], b[ph.m[1]], pct);
          break;
        }
        start = ph.end;
      }
      g.lr = lr;
      if (!this.cycle) return;
      const gg = g as unknown as { betas?: [number, number]; momentum?: number };
      if (this.useBetas) gg.betas = [m, gg.betas![1]];
      else gg.momentum = m;
    });
  }
}

export interface PlateauOptions { mode?: 'min' | 'max'; factor?: number; patience?: number; threshold?: number; thresholdMode?: 'rel' | 'abs'; cooldown?: number; minLr?: number | number[]; eps?: number }
/**
 * Divides the lr by 1/factor when a metric (a number: `sched.step(await valLoss.item())`) has not
 * improved for more than `patience` steps, then waits `cooldown` steps; PyTorch 1.13's rules (improvement
 * beyond a relative or absolute threshold, minLr floor, changes under eps ignored).
 */
export class ReduceLROnPlateau {
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private readonly minLrs: number[];
  constructor(readonly optimizer: Optimizer<{ lr: number }>, readonly o: PlateauOptions = {}) {
    if (!(optimizer instanceof Optimizer)) throw new Error(`ReduceLROnPlateau: expected an optimizer, got ${optimizer === null ? 'null' : typeof optimizer}`);
    const factor = o.factor ?? 0.1;
    if (factor >= 1) throw new Error('Factor should be < 1.0.');
    const mode = o.mode ?? 'min', tm = o.thresholdMode ?? 'rel';
    if (mode !== 'min' && mode !== 'max') throw new Error(`mode ${String(mode)} is unknown!`);
    if (tm !== 'rel' && tm !== 'abs') throw new Error(`threshold mode ${String(tm)} is unknown!`);
    const groups = optimizer.paramGroups;
    if (Array.isArray(o.minLr) && o.minLr.length !== groups.length) throw new Error(`expected ${groups.length} min_lrs, got ${o.minLr.length}`);
    this.minLrs = Array.isArray(o.minLr) ? o.minLr : groups.map(() => (o.minLr as number | undefined) ?? 0);
    this.best = mode === 'min' ? Infinity : -Infinity;
  }
  private better(a: number): boolean {
    const th = this.o.threshold ?? 1e-4, rel = (this.o.thresholdMode ?? 'rel') === 'rel';
    if ((this.o.mode ?? 'min') === 'min') return rel ? a < this.best * (1 - th) : a < this.best - th;
    return rel ? a > this.best * (th + 1) : a > this.best + th;
  }
  /** One epoch's metric. */
  step(metric: number): void {
    if ((metric as unknown) instanceof Tensor) throw new Error('ReduceLROnPlateau.step(): pass a number: sched.step(await loss.item())');
    if (typeof metric !== 'number') throw new Error(`ReduceLROnPlateau.step(): expected a number, got ${typeof metric}`);
    this.lastEpoch++;
    if (this.better(metric)) { this.best = metric; this.numBadEpochs = 0; } else this.numBadEpochs++;
    if (this.cooldownCounter > 0) { this.cooldownCounter--; this.numBadEpochs = 0; }
    if (this.numBadEpochs > (this.o.patience ?? 10)) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const next = Math.max(g.lr * (this.o.factor ?? 0.1), this.minLrs[i]);
        if (g.lr - next > (this.o.eps ?? 1e-8)) g.lr = next;
      });
      this.cooldownCounter = this.o.cooldown ?? 0;
      this.numBadEpochs = 0;
    }
  }
  getLastLr(): number[] { return this.optimizer.paramGroups.map((g) => g.lr); }
}

/** The schedules under PyTorch's module name too: `optim.lrScheduler.StepLR`. */
export const lrScheduler = { LRScheduler, StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LambdaLR, LinearLR, OneCycleLR, ReduceLROnPlateau };
