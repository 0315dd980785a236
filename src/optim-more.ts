/**
 * torch.optim, the rest of PyTorch 1.13's: the optimizers Adamax, NAdam, RAdam, Adadelta, Rprop, ASGD and
 * LBFGS, and the schedules ConstantLR, MultiplicativeLR, PolynomialLR, CosineAnnealingWarmRestarts,
 * CyclicLR, SequentialLR and ChainedScheduler. The updates are PyTorch 1.13's single-tensor code paths, op
 * for op (its float32 0-dim state scalars, NAdam's mu_product and ASGD's eta and mu, rounded as it rounds
 * them), written with the frontend's in-place ops so they run where the parameters live.
 *
 *   const opt = new torch.optim.NAdam(net.parameters(), { lr: 2e-3, momentumDecay: 4e-3 });
 *   const sched = new torch.optim.lrScheduler.CyclicLR(sgd, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 4 });
 */
import { Tensor, keep, where, zerosLike } from './tensor.ts';
import { fullLike as fullLikeT } from './ops-more.ts';
import { pyFloat } from './format.ts';
import { Optimizer, type OptimizerStateDict, type ParamGroup, type Params } from './optim.ts';

/** A state tensor: outlives any torch.scope() the step runs in. */
const stateTensor = (t: Tensor) => keep(t);
/** Python's str() of an option: ints as ints, floats as Python prints them (1.0, 1e-08). */
const py = (v: number): string => (Number.isInteger(v) && Math.abs(v) < 1e16 ? String(v) : pyFloat(v));
/** A float32 0-dim tensor's value (PyTorch keeps some state scalars as torch.tensor(x), float32). */
const f32 = Math.fround;

/** The state names this file adds, and PyTorch's spelling of them in state_dict(). */
const MORE_NAMES: Record<string, string> = { expInf: 'exp_inf', muProduct: 'mu_product', accDelta: 'acc_delta', stepSize: 'step_size' };
const MORE_BACK = Object.fromEntries(Object.entries(MORE_NAMES).map(([k, v]) => [v, k]));

/** The base of this file's optimizers: the state's extra names as PyTorch's in stateDict() / loadStateDict(). */
abstract class MoreOptimizer<O extends object> extends Optimizer<O> {
  override stateDict(): OptimizerStateDict {
    const sd = super.stateDict();
    for (const k of Object.keys(sd.state)) {
      const s = sd.state[Number(k)];
      sd.state[Number(k)] = Object.fromEntries(Object.entries(s).map(([n, v]) => [MORE_NAMES[n] ?? n, v]));
    }
    return sd;
  }
  override loadStateDict(sd: OptimizerStateDict): void {
    const state: OptimizerStateDict['state'] = {};
    if (sd && typeof sd.state === 'object' && sd.state !== null) {
      for (const [k, s] of Object.entries(sd.state)) state[Number(k)] = Object.fromEntries(Object.entries(s).map(([n, v]) => [MORE_BACK[n] ?? n, v]));
    }
    super.loadStateDict(sd && { ...sd, state });
  }
}

const checkLr = (lr: number) => { if (!(lr >= 0)) throw new Error(`Invalid learning rate: ${py(lr)}`); };
const checkEps = (eps: number) => { if (!(eps >= 0)) throw new Error(`Invalid epsilon value: ${py(eps)}`); };
const checkWd = (wd: number) => { if (!(wd >= 0)) throw new Error(`Invalid weight_decay value: ${py(wd)}`); };
const checkBetas = (betas: [number, number]) => {
  if (!Array.isArray(betas) || betas.length !== 2) throw new Error(`betas must be a pair [beta1, beta2], got ${String(betas)}`);
  for (const i of [0, 1]) if (!(betas[i] >= 0 && betas[i] < 1)) throw new Error(`Invalid beta parameter at index ${i}: ${pyFloat(betas[i])}`);
};

// ------------------------------------------------------------------------------------------------ Adamax

export interface AdamaxOptions { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number; maximize?: boolean }
type AdamaxGroup = Required<AdamaxOptions>;
/**
 * Adamax (Adam with the infinity norm): m = β1·m + (1 − β1)·g, u = max(β2·u, |g| + eps),
 * p −= lr/(1 − β1^t) · m/u; weightDecay adds weightDecay·p to g. State: step, exp_avg, exp_inf.
 */
export class Adamax extends MoreOptimizer<AdamaxGroup> {
  constructor(params: Params<AdamaxGroup>, o: AdamaxOptions = {}) {
    super(params, { lr: o.lr ?? 2e-3, betas: o.betas ?? [0.9, 0.999], eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? 0, maximize: o.maximize ?? false });
  }
  protected check(g: ParamGroup<AdamaxGroup>): void {
    checkLr(g.lr); checkEps(g.eps); checkBetas(g.betas); checkWd(g.weightDecay);
  }
  step(): void {
    this.forEachGrad((g, p, grad) => {
      const s = this.stateOf(p);
      if (s.step === undefined) { s.step = 0; s.expAvg = stateTensor(zerosLike(p)); s.expInf = stateTensor(zerosLike(p)); }
      const t = (s.step as number) + 1;
      s.step = t;
      if (g.weightDecay !== 0) grad = grad.add(p, g.weightDecay);
      const [b1, b2] = g.betas;
      const m = s.expAvg as Tensor, u = s.expInf as Tensor;
      m.mul_(b1).add_(grad, 1 - b1);
      u.mul_(b2);
      u.copy_(u.maximum(grad.abs().add_(g.eps)));
      p.addcdiv_(m, u, -g.lr / (1 - b1 ** t));
    });
  }
}

// ------------------------------------------------------------------------------------------------- NAdam

export interface NAdamOptions { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number; momentumDecay?: number }
type NAdamGroup = Required<NAdamOptions>;
/**
 * NAdam (Adam with Nesterov momentum): μ_t = β1·(1 − ½·0.96^(t·momentumDecay)), the product of the μs in
 * mu_product (a float32 scalar, as PyTorch's 0-dim tensor), then
 * p −= lr·(1 − μ_t)/(1 − Πμ)·g/d + lr·μ_{t+1}/(1 − Πμ·μ_{t+1})·m/d, d = √(v/(1 − β2^t)) + eps.
 * (PyTorch 1.13's NAdam has no maximize.) State: step, mu_product, exp_avg, exp_avg_sq.
 */
export class NAdam extends MoreOptimizer<NAdamGroup> {
  constructor(params: Params<NAdamGroup>, o: NAdamOptions = {}) {
    super(params, { lr: o.lr ?? 2e-3, betas: o.betas ?? [0.9, 0.999], eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? 0, momentumDecay: o.momentumDecay ?? 4e-3 });
  }
  protected check(g: ParamGroup<NAdamGroup>): void {
    checkLr(g.lr); checkEps(g.eps); checkBetas(g.betas); checkWd(g.weightDecay);
    if (!(g.momentumDecay >= 0)) throw new Error(`Invalid momentum_decay value: ${py(g.momentumDecay)}`);
  }
  step(): void {
    this.forEachGrad((g, p, grad) => {
      const s = this.stateOf(p);
      if (s.step === undefined) { s.step = 0; s.muProduct = 1; s.expAvg = stateTensor(zerosLike(p)); s.expAvgSq = stateTensor(zerosLike(p)); }
      const t = (s.step as number) + 1;
      s.step = t;
      const [b1, b2] = g.betas;
      const bc2 = 1 - b2 ** t;
      if (g.weightDecay !== 0) grad = grad.add(p, g.weightDecay);
      const mu = b1 * (1 - 0.5 * 0.96 ** (t * g.momentumDecay));
      const muNext = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * g.momentumDecay));
      // float32 arithmetic, as PyTorch's mu_product tensor: mu_product *= mu; mu_product * mu * mu_next
      const muProduct = f32((s.muProduct as number) * f32(mu));
      s.muProduct = muProduct;
      const muProductNext = f32(f32(muProduct * f32(mu)) * f32(muNext));
      const m = s.expAvg as Tensor, v = s.expAvgSq as Tensor;
      m.mul_(b1).add_(grad, 1 - b1);
      v.mul_(b2).addcmul_(grad, grad, 1 - b2);
      const denom = v.div(bc2).sqrt().add_(g.eps);
      p.addcdiv_(grad, denom, (-g.lr * (1 - mu)) / (1 - muProduct));
      p.addcdiv_(m, denom, (-g.lr * muNext) / (1 - muProductNext));
    });
  }
}

// ------------------------------------------------------------------------------------------------- RAdam

export interface RAdamOptions { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number }
type RAdamGroup = Required<RAdamOptions>;
/**
 * RAdam (rectified Adam): with ρ∞ = 2/(1 − β2) − 1 and ρ_t = ρ∞ − 2t·β2^t/(1 − β2^t), the adaptive step
 * p −= lr·m̂·r_t·√(1 − β2^t)/(√v + eps) once ρ_t > 5, else the SGD-with-momentum step p −= lr·m̂
 * (m̂ = m/(1 − β1^t)). (PyTorch 1.13's RAdam has no maximize.) State: step, exp_avg, exp_avg_sq.
 */
export class RAdam extends MoreOptimizer<RAdamGroup> {
  constructor(params: Params<RAdamGroup>, o: RAdamOptions = {}) {
    super(params, { lr: o.lr ?? 1e-3, betas: o.betas ?? [0.9, 0.999], eps: o.eps ?? 1e-8, weightDecay: o.weightDecay ?? 0 });
  }
  protected check(g: ParamGroup<RAdamGroup>): void {
    checkLr(g.lr); checkEps(g.eps); checkBetas(g.betas); checkWd(g.weightDecay);
  }
  step(): void {
    this.forEachGrad((g, p, grad) => {
      const s = this.stateOf(p);
      if (s.step === undefined) { s.step = 0; s.expAvg = stateTensor(zerosLike(p)); s.expAvgSq = stateTensor(zerosLike(p)); }
      const t = (s.step as number) + 1;
      s.step = t;
      const [b1, b2] = g.betas;
      const bc1 = 1 - b1 ** t, bc2 = 1 - b2 ** t;
      if (g.weightDecay !== 0) grad = grad.add(p, g.weightDecay);
      const m = s.expAvg as Tensor, v = s.expAvgSq as Tensor;
      m.mul_(b1).add_(grad, 1 - b1);
      v.mul_(b2).addcmul_(grad, grad, 1 - b2);
      const mHat = m.div(bc1);
      const rhoInf = 2 / (1 - b2) - 1;
      const rhoT = rhoInf - (2 * t * b2 ** t) / bc2;
      if (rhoT > 5) {
        const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
        // PyTorch: math.sqrt(bc2) / (√v + eps) is Tensor.__rtruediv__, a reciprocal times the number
        const adaptive = v.sqrt().add_(g.eps).reciprocal().mul(Math.sqrt(bc2));
        p.add_(mHat.mul(g.lr).mul(adaptive).mul(rect), -1);
      } else p.add_(mHat.mul(g.lr), -1);
    });
  }
}

// ---------------------------------------------------------------------------------------------- Adadelta

export interface AdadeltaOptions { lr?: number; rho?: number; eps?: number; weightDecay?: number; maximize?: boolean }
type AdadeltaGroup = Required<AdadeltaOptions>;
/**
 * Adadelta: v = ρ·v + (1 − ρ)·g², δ = √(u + eps)/√(v + eps)·g, u = ρ·u + (1 − ρ)·δ², p −= lr·δ (lr 1 by
 * default). State: step, square_avg, acc_delta.
 */
export class Adadelta extends MoreOptimizer<AdadeltaGroup> {
  constructor(params: Params<AdadeltaGroup>, o: AdadeltaOptions = {}) {
    super(params, { lr: o.lr ?? 1.0, rho: o.rho ?? 0.9, eps: o.eps ?? 1e-6, weightDecay: o.weightDecay ?? 0, maximize: o.maximize ?? false });
  }
  protected check(g: ParamGroup<AdadeltaGroup>): void {
    checkLr(g.lr);
    if (!(g.rho >= 0 && g.rho <= 1)) throw new Error(`Invalid rho value: ${py(g.rho)}`);
    checkEps(g.eps); checkWd(g.weightDecay);
  }
  step(): void {
    this.forEachGrad((g, p, grad) => {
      const s = this.stateOf(p);
      if (s.step === undefined) { s.step = 0; s.squareAvg = stateTensor(zerosLike(p)); s.accDelta = stateTensor(zerosLike(p)); }
      s.step = (s.step as number) + 1;
      if (g.weightDecay !== 0) grad = grad.add(p, g.weightDecay);
      const v = s.squareAvg as Tensor, u = s.accDelta as Tensor;
      v.mul_(g.rho).addcmul_(grad, grad, 1 - g.rho);
      const std = v.add(g.eps).sqrt_();
      const delta = u.add(g.eps).sqrt_().div_(std).mul_(grad);
      u.mul_(g.rho).addcmul_(delta, delta, 1 - g.rho);
      p.add_(delta, -g.lr);
    });
  }
}

// ------------------------------------------------------------------------------------------------- Rprop

export interface RpropOptions { lr?: number; etas?: [number, number]; stepSizes?: [number, number]; maximize?: boolean }
type RpropGroup = Required<RpropOptions>;
/**
 * Rprop (resilient backpropagation): each element's step size grows by etas[1] while its gradient keeps its
 * sign and shrinks by etas[0] when it flips (that step then skipped, and its gradient forgotten), within
 * stepSizes; p −= sign(g)·stepSize. State: step, prev, step_size.
 */
export class Rprop extends MoreOptimizer<RpropGroup> {
  constructor(params: Params<RpropGroup>, o: RpropOptions = {}) {
    super(params, { lr: o.lr ?? 1e-2, etas: o.etas ?? [0.5, 1.2], stepSizes: o.stepSizes ?? [1e-6, 50], maximize: o.maximize ?? false });
  }
  protected check(g: ParamGroup<RpropGroup>): void {
    checkLr(g.lr);
    if (!Array.isArray(g.etas) || g.etas.length !== 2) throw new Error(`etas must be a pair [etaminus, etaplus], got ${String(g.etas)}`);
    if (!(g.etas[0] > 0 && g.etas[0] < 1 && g.etas[1] > 1)) throw new Error(`Invalid eta values: ${py(g.etas[0])}, ${py(g.etas[1])}`);
    if (!Array.isArray(g.stepSizes) || g.stepSizes.length !== 2) throw new Error(`stepSizes must be a pair [min, max], got ${String(g.stepSizes)}`);
  }
  step(): void {
    this.forEachGrad((g, p, grad) => {
      const s = this.stateOf(p);
      if (s.step === undefined) { s.step = 0; s.prev = stateTensor(zerosLike(p)); s.stepSize = stateTensor(fullLikeT(p, g.lr)); }
      s.step = (s.step as number) + 1;
      const [etaminus, etaplus] = g.etas, [lo, hi] = g.stepSizes;
      const prev = s.prev as Tensor, size = s.stepSize as Tensor;
      const prod = grad.mul(prev), flipped = prod.lt(0);
      const factor = where(prod.gt(0), etaplus, where(flipped, etaminus, fullLikeT(p, 1)));
      size.mul_(factor).clamp_(lo, hi);
      const d = where(flipped, 0, grad);
      p.addcmul_(d.sign(), size, -1);
      prev.copy_(d);
    });
  }
}

// -------------------------------------------------------------------------------------------------- ASGD

export interface ASGDOptions { lr?: number; lambd?: number; alpha?: number; t0?: number; weightDecay?: number; maximize?: boolean }
type ASGDGroup = Required<ASGDOptions>;
/**
 * Averaged SGD: p *= 1 − λ·η, p −= η·g, and the average ax of the iterates from step t0 on (ax = p before);
 * η = lr/(1 + λ·lr·t)^α and μ = 1/max(1, t − t0) after each step, float32 scalars as PyTorch's 0-dim
 * tensors. State: step, eta, mu, ax.
 */
export class ASGD extends MoreOptimizer<ASGDGroup> {
  constructor(params: Params<ASGDGroup>, o: ASGDOptions = {}) {
    super(params, { lr: o.lr ?? 1e-2, lambd: o.lambd ?? 1e-4, alpha: o.alpha ?? 0.75, t0: o.t0 ?? 1e6, weightDecay: o.weightDecay ?? 0, maximize: o.maximize ?? false });
  }
  protected check(g: ParamGroup<ASGDGroup>): void {
    checkLr(g.lr); checkWd(g.weightDecay);
  }
  step(): void {
    this.forEachGrad((g, p, grad) => {
      const s = this.stateOf(p);
      if (s.step === undefined) { s.step = 0; s.eta = f32(g.lr); s.mu = 1; s.ax = stateTensor(zerosLike(p)); }
      const t = (s.step as number) + 1;
      s.step = t;
      if (g.weightDecay !== 0) grad = grad.add(p, g.weightDecay);
      const eta = s.eta as number, mu = s.mu as number, ax = s.ax as Tensor;
      p.mul_(1 - g.lambd * eta);
      p.add_(grad, -eta);
      if (mu !== 1) ax.add_(p.sub(ax).mul(mu));
      else ax.copy_(p);
      s.eta = f32(g.lr / Math.pow(1 + g.lambd * g.lr * t, g.alpha));
      s.mu = f32(1 / Math.max(1, t - g.t0));
    });
  }
}


// torch.optim is this module: optim.ts's optimizers and schedules, and this file's.
export * from './optim.ts';
