/**
 * torch.optim, more of PyTorch 1.13's: the optimizers Adamax, NAdam, RAdam, Adadelta, Rprop, ASGD and LBFGS
 * (its strong-Wolfe line search too; step takes an async closure),
 * and the schedules ConstantLR, MultiplicativeLR, PolynomialLR, CosineAnnealingWarmRestarts,
 * CyclicLR, SequentialLR and ChainedScheduler. The updates are PyTorch 1.13's single-tensor code paths, op
 * for op (its float32 0-dim state scalars, NAdam's mu_product and ASGD's eta and mu, rounded as it rounds
 * them), written with the frontend's in-place ops so they run where the parameters live.
 *
 *   const opt = new torch.optim.NAdam(net.parameters(), { lr: 2e-3, momentumDecay: 4e-3 });
 *   const sched = new torch.optim.lrScheduler.CyclicLR(sgd, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 4 });
 */
import { Tensor, cat, keep, where, zerosLike } from './tensor.ts';
import { enableGrad, noGrad } from './autograd/graph.ts';
import { fullLike as fullLikeT } from './ops-more.ts';
import { pyFloat } from './format.ts';
import {
  Optimizer, type OptimizerStateDict, type ParamGroup, type Params,
  LRScheduler, StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, ReduceLROnPlateau, lrScheduler as baseSchedulers,
} from './optim.ts';

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


// ------------------------------------------------------------------------------------------------- LBFGS

export interface LBFGSOptions {
  lr?: number; maxIter?: number; maxEval?: number; toleranceGrad?: number; toleranceChange?: number;
  historySize?: number; lineSearchFn?: 'strong_wolfe' | null;
}
type LBFGSGroup = {
  lr: number; maxIter: number; maxEval: number; toleranceGrad: number; toleranceChange: number;
  historySize: number; lineSearchFn: 'strong_wolfe' | null;
};
/** What LBFGS.step() calls: re-evaluates the model, backpropagates and returns the loss. */
export type LBFGSClosure = () => Promise<Tensor> | Tensor;

/** Python's max(a, b) and min(a, b): the first unless the second is strictly greater (less); NaN as Python. */
const pyMax = (a: number, b: number) => (b > a ? b : a);
const pyMin = (a: number, b: number) => (b < a ? b : a);

/** PyTorch's _cubic_interpolate: the minimizer of the cubic through (x1, f1, g1), (x2, f2, g2), in bounds. */
export function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2sq = d1 * d1 - g1 * g2;
  if (d2sq >= 0) {
    const d2 = Math.sqrt(d2sq);
    const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return pyMin(pyMax(minPos, lo), hi);
  }
  return (lo + hi) / 2;
}

const num = async (t: Tensor): Promise<number> => Number(await t.item());

/**
 * PyTorch's _strong_wolfe: a line search along d from the parameters x (f, g, gtd at step 0), bracketing
 * then zooming with cubic interpolation until the strong Wolfe conditions hold (c1 = 1e-4, c2 = 0.9, at
 * most 25 evaluations). Returns [loss, flat gradient, step, evaluations].
 */
async function strongWolfe(
  objFunc: (t: number) => Promise<[number, Tensor]>, t: number, d: Tensor, f: number, g: Tensor, gtd: number,
  c1 = 1e-4, c2 = 0.9, toleranceChange = 1e-9, maxLs = 25,
): Promise<[number, Tensor, number, number]> {
  const dNorm = await num(d.abs().max());
  let [fNew, gNew] = await objFunc(t);
  let lsFuncEvals = 1;
  let gtdNew = await num(gNew.dot(d));
  let tPrev = 0, fPrev = f, gPrev = g, gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [], bracketF: number[] = [], bracketG: Tensor[] = [], bracketGtd: number[] = [];
  while (lsIter < maxLs) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew]; bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      bracket = [t]; bracketF = [fNew]; bracketG = [gNew]; done = true;
      break;
    }
    if (gtdNew >= 0) {
      bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew]; bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    // interpolate
    const minStep = t + 0.01 * (t - tPrev), maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = tmp; fPrev = fNew; gPrev = gNew; gtdPrev = gtdNew;
    [fNew, gNew] = await objFunc(t);
    lsFuncEvals++;
    gtdNew = await num(gNew.dot(d));
    lsIter++;
  }
  if (lsIter === maxLs) { bracket = [0, t]; bracketF = [f, fNew]; bracketG = [g, gNew]; }

  // zoom: refine the bracket until a point satisfies the conditions
  let insufProgress = false;
  let [lowPos, highPos] = bracketF[0] <= bracketF[bracketF.length - 1] ? [0, 1] : [1, 0];
  const bmax = () => pyMax(bracket[0], bracket[1]), bmin = () => pyMin(bracket[0], bracket[1]);
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break;
    t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
    // too close to a boundary (twice, or at it): move to 0.1·(bracket's length) inside
    const eps = 0.1 * (bmax() - bmin());
    if (pyMin(bmax() - t, t - bmin()) < eps) {
      if (insufProgress || t >= bmax() || t <= bmin()) {
        t = Math.abs(t - bmax()) < Math.abs(t - bmin()) ? bmax() - eps : bmin() + eps;
        insufProgress = false;
      } else insufProgress = true;
    } else insufProgress = false;

    [fNew, gNew] = await objFunc(t);
    lsFuncEvals++;
    gtdNew = await num(gNew.dot(d));
    lsIter++;

    if (fNew > f + c1 * t * gtd || fNew >= bracketF[lowPos]) {
      // Armijo not satisfied, or not below the lowest point
      bracket[highPos] = t; bracketF[highPos] = fNew; bracketG[highPos] = gNew; bracketGtd[highPos] = gtdNew;
      [lowPos, highPos] = bracketF[0] <= bracketF[1] ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) done = true;
      else if (gtdNew * (bracket[highPos] - bracket[lowPos]) >= 0) {
        // the old high becomes the new low
        bracket[highPos] = bracket[lowPos]; bracketF[highPos] = bracketF[lowPos]; bracketG[highPos] = bracketG[lowPos]; bracketGtd[highPos] = bracketGtd[lowPos];
      }
      bracket[lowPos] = t; bracketF[lowPos] = fNew; bracketG[lowPos] = gNew; bracketGtd[lowPos] = gtdNew;
    }
  }
  return [bracketF[lowPos], bracketG[lowPos], bracket[lowPos], lsFuncEvals];
}

/** LBFGS's state, under PyTorch's names (kept on the first parameter, as PyTorch's). */
interface LBFGSState {
  func_evals: number; n_iter: number;
  d?: Tensor; t?: number; old_dirs?: Tensor[]; old_stps?: Tensor[]; ro?: number[]; H_diag?: number;
  prev_flat_grad?: Tensor; prev_loss?: number; al?: Array<number | null>;
}

/**
 * L-BFGS (PyTorch 1.13's torch/optim/lbfgs.py, after minFunc) over all the parameters flattened into one
 * vector: the two-loop recursion over the last historySize (s, y) pairs, a fixed step lr (the first
 * iteration's min(1, 1/‖g‖₁)·lr) or PyTorch's strong-Wolfe line search, until maxIter iterations or
 * maxEval evaluations, a gradient below toleranceGrad (max-norm) or progress below toleranceChange.
 * One parameter group only. The closure is async (backward is): it clears the gradients, evaluates the
 * loss, awaits loss.backward() and returns the loss; step(closure) resolves to the first loss, as PyTorch's.
 *
 *   const opt = new torch.optim.LBFGS([x], { lineSearchFn: 'strong_wolfe' });
 *   await opt.step(async () => { opt.zeroGrad(); const l = f(x); await l.backward(); return l; });
 *
 * The host reads each dot product and norm (await item()), so an iteration waits on the device a few
 * times. State (on the first parameter): func_evals, n_iter, d, t, old_dirs, old_stps, ro, H_diag,
 * prev_flat_grad, prev_loss, al — scalars (0-dim tensors in PyTorch) as numbers.
 */
export class LBFGS extends Optimizer<LBFGSGroup> {
  constructor(params: Params<LBFGSGroup>, o: LBFGSOptions = {}) {
    const maxIter = o.maxIter ?? 20;
    super(params, {
      lr: o.lr ?? 1, maxIter, maxEval: o.maxEval ?? Math.floor((maxIter * 5) / 4), toleranceGrad: o.toleranceGrad ?? 1e-7,
      toleranceChange: o.toleranceChange ?? 1e-9, historySize: o.historySize ?? 100, lineSearchFn: o.lineSearchFn ?? null,
    });
    if (this.paramGroups.length !== 1) throw new Error("LBFGS doesn't support per-parameter options (parameter groups)");
  }
  protected check(): void { /* PyTorch 1.13 checks none of LBFGS's options */ }
  private get params(): Tensor[] { return this.paramGroups[0].params; }

  /** The gradients flattened into one new vector (zeros for a parameter without one). */
  private gatherFlatGrad(): Tensor {
    return noGrad(() => cat(this.params.map((p) => (p.grad ? p.grad.reshape(-1) : zerosLike(p).reshape(-1))), 0).clone());
  }
  /** p += stepSize · (p's slice of update), for each parameter. */
  private addGrad(stepSize: number, update: Tensor): void {
    noGrad(() => {
      let offset = 0;
      for (const p of this.params) {
        const n = p.numel();
        p.add_(update.narrow(0, offset, n).view([...p.shape]), stepSize);
        offset += n;
      }
    });
  }
  /** The loss and flat gradient at x + t·d (the parameters are put back to x after). */
  private async directionalEvaluate(closure: LBFGSClosure, x: Tensor[], t: number, d: Tensor): Promise<[number, Tensor]> {
    this.addGrad(t, d);
    const loss = await num(await enableGrad(closure));
    const flatGrad = this.gatherFlatGrad();
    noGrad(() => this.params.forEach((p, i) => p.copy_(x[i])));
    return [loss, flatGrad];
  }

  /** Up to maxIter L-BFGS iterations; resolves to the closure's first loss. */
  async step(closure?: LBFGSClosure): Promise<Tensor> {
    if (typeof closure !== 'function') throw new Error('LBFGS.step() needs a closure that re-evaluates the model and returns the loss');
    const group = this.paramGroups[0];
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, lineSearchFn, historySize } = group;
    // float32 parameters: PyTorch's 0-dim tensors (ys, ro, H_diag, al, the first t) are float32 values
    const sc = this.params[0].dtype === 'float32' ? Math.fround : (v: number) => v;

    const p0 = this.params[0];
    let state = this.state.get(p0) as unknown as LBFGSState | undefined;
    if (!state) { state = { func_evals: 0, n_iter: 0 }; this.state.set(p0, state as unknown as Record<string, Tensor | number>); }
    state.func_evals ??= 0;
    state.n_iter ??= 0;

    const origLoss = await enableGrad(closure);
    let loss = await num(origLoss);
    let currentEvals = 1;
    state.func_evals += 1;

    let flatGrad = this.gatherFlatGrad();
    let optCond = (await num(flatGrad.abs().max())) <= toleranceGrad;
    if (optCond) return origLoss;

    let { d, t, old_dirs: oldDirs, old_stps: oldStps, ro, H_diag: hDiag, prev_flat_grad: prevFlatGrad, prev_loss: prevLoss } = state;

    let nIter = 0;
    while (nIter < maxIter) {
      nIter++;
      state.n_iter++;

      // ------------------------------------------------------------ the descent direction
      if (state.n_iter === 1) {
        d = keep(noGrad(() => flatGrad.neg()));
        oldDirs = []; oldStps = []; ro = []; hDiag = 1;
      } else {
        // update the memory
        const y = noGrad(() => flatGrad.sub(prevFlatGrad!));
        const s = noGrad(() => d!.mul(t!));
        const ys = sc(await num(y.dot(s)));
        if (ys > 1e-10) {
          if (oldDirs!.length === historySize) { oldDirs!.shift(); oldStps!.shift(); ro!.shift(); }
          oldDirs!.push(keep(y)); oldStps!.push(keep(s)); ro!.push(sc(1 / ys));
          hDiag = sc(ys / sc(await num(y.dot(y))));
        }
        // the two-loop recursion: d = −H·g
        const numOld = oldDirs!.length;
        state.al ??= new Array<number | null>(historySize).fill(null);
        const al = state.al;
        const q = noGrad(() => flatGrad.neg());
        for (let i = numOld - 1; i >= 0; i--) {
          al[i] = sc(sc(await num(oldStps![i].dot(q))) * ro![i]);
          noGrad(() => q.add_(oldDirs![i], -al[i]!));
        }
        const r = noGrad(() => q.mul(hDiag!));
        for (let i = 0; i < numOld; i++) {
          const be = sc(sc(await num(oldDirs![i].dot(r))) * ro![i]);
          noGrad(() => r.add_(oldStps![i], sc(al[i]! - be)));
        }
        d = keep(r);
      }
      if (prevFlatGrad === undefined) prevFlatGrad = keep(noGrad(() => flatGrad.clone()));
      else noGrad(() => prevFlatGrad!.copy_(flatGrad));
      prevLoss = loss;

      // ------------------------------------------------------------ the step length
      if (state.n_iter === 1) {
        const inv = sc(1 / (await num(flatGrad.abs().sum())));
        t = inv < 1 ? sc(inv * lr) : 1 * lr;
      } else t = lr;
      const gtd = sc(await num(flatGrad.dot(d)));
      // the directional derivative is below the tolerance
      if (gtd > -toleranceChange) break;

      let lsFuncEvals = 0;
      if (lineSearchFn !== null && lineSearchFn !== undefined) {
        if (lineSearchFn !== 'strong_wolfe') throw new Error("only 'strong_wolfe' is supported");
        const xInit = noGrad(() => this.params.map((p) => p.clone()));
        const dir = d;
        [loss, flatGrad, t, lsFuncEvals] = await strongWolfe((tt) => this.directionalEvaluate(closure, xInit, tt, dir), t, d, loss, flatGrad, gtd);
        this.addGrad(t, d);
        optCond = (await num(flatGrad.abs().max())) <= toleranceGrad;
      } else {
        // a fixed step; the function re-evaluated except after the last iteration
        this.addGrad(t, d);
        if (nIter !== maxIter) {
          loss = await num(await enableGrad(closure));
          flatGrad = this.gatherFlatGrad();
          optCond = (await num(flatGrad.abs().max())) <= toleranceGrad;
          lsFuncEvals = 1;
        }
      }
      currentEvals += lsFuncEvals;
      state.func_evals += lsFuncEvals;

      // ------------------------------------------------------------ the stopping conditions
      if (nIter === maxIter) break;
      if (currentEvals >= maxEval) break;
      if (optCond) break;
      const tt = t;
      if ((await num(noGrad(() => d!.mul(tt).abs().max()))) <= toleranceChange) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }

    Object.assign(state, { d, t, old_dirs: oldDirs, old_stps: oldStps, ro, H_diag: hDiag, prev_flat_grad: prevFlatGrad, prev_loss: prevLoss });
    return origLoss;
  }

  /** As the base's, the lists (old_dirs, old_stps, ro, al) copied too, their tensors onto the parameters. */
  override loadStateDict(sd: OptimizerStateDict): void {
    super.loadStateDict(sd);
    for (const [p, s] of this.state) {
      for (const [k, v] of Object.entries(s)) {
        if (Array.isArray(v)) {
          (s as Record<string, unknown>)[k] = (v as unknown[]).map((e) => (e instanceof Tensor ? keep(noGrad(() => e.to({ device: p.device, dtype: p.dtype }).clone())) : e));
        }
      }
    }
  }
}

// =============================================================== learning-rate schedules (torch.optim.lrScheduler)

type AnyOptimizer = Optimizer<{ lr: number }>;
const groupsOf = (o: AnyOptimizer) => o.paramGroups as Array<{ lr: number } & Record<string, unknown>>;
/** Python's a % b (the sign of b). */
const pyMod = (a: number, b: number) => ((a % b) + b) % b;

/**
 * A schedule in PyTorch's chainable form: step() takes each group's lr from its current lr (PyTorch's
 * get_lr()), so schedules on one optimizer compose as PyTorch's do (ChainedScheduler); step(epoch) sets
 * the epoch and uses the closed form where PyTorch has one (_get_closed_form_lr).
 */
export abstract class ChainableLR extends LRScheduler {
  /** PyTorch's get_lr(): group i's lr at this.lastEpoch, from its current lr and its base lr. */
  protected abstract getLr(lr: number, base: number, i: number): number;
  /** PyTorch's _get_closed_form_lr(), where it has one. */
  protected closedForm?(base: number, e: number, i: number): number;
  protected lrAt(base: number, e: number): number { return this.closedForm ? this.closedForm(base, e, 0) : base; }
  protected override apply(): void { groupsOf(this.optimizer).forEach((g, i) => { g.lr = this.getLr(g.lr, this.baseLrs[i], i); }); }
  override step(epoch?: number): void {
    if (epoch === undefined) { this.lastEpoch++; this.apply(); return; }
    this.lastEpoch = epoch;
    groupsOf(this.optimizer).forEach((g, i) => { g.lr = this.closedForm ? this.closedForm(this.baseLrs[i], epoch, i) : this.getLr(g.lr, this.baseLrs[i], i); });
  }
}

/** lr = base · factor until totalIters epochs, then base (defaults 1/3 and 5). */
export class ConstantLR extends ChainableLR {
  readonly factor: number; readonly totalIters: number;
  constructor(optimizer: AnyOptimizer, o: { factor?: number; totalIters?: number } = {}) {
    super(optimizer);
    this.factor = o.factor ?? 1 / 3; this.totalIters = o.totalIters ?? 5;
    if (!(this.factor >= 0 && this.factor <= 1)) throw new Error('Constant multiplicative factor expected to be between 0 and 1.');
    this.apply();
  }
  protected getLr(lr: number): number {
    const e = this.lastEpoch;
    if (e === 0) return lr * this.factor;
    return e !== this.totalIters ? lr : lr * (1 / this.factor);
  }
  protected override closedForm(base: number, e: number): number { return base * (this.factor + (e >= this.totalIters ? 1 : 0) * (1 - this.factor)); }
}

/** lr *= f(epoch) at each step (f one function, or one per group); no closed form, as PyTorch's. */
export class MultiplicativeLR extends ChainableLR {
  readonly lrLambdas: Array<(epoch: number) => number>;
  constructor(optimizer: AnyOptimizer, lrLambda: ((epoch: number) => number) | Array<(epoch: number) => number>) {
    super(optimizer);
    const n = optimizer.paramGroups.length;
    if (Array.isArray(lrLambda)) {
      if (lrLambda.length !== n) throw new Error(`Expected ${n} lr_lambdas, but got ${lrLambda.length}`);
      this.lrLambdas = [...lrLambda];
    } else this.lrLambdas = new Array(n).fill(lrLambda);
    if (this.lrLambdas.some((f) => typeof f !== 'function')) throw new Error('MultiplicativeLR: expected a function of the epoch (or one per group)');
    this.apply();
  }
  protected getLr(lr: number, _base: number, i: number): number { return this.lastEpoch > 0 ? lr * this.lrLambdas[i](this.lastEpoch) : lr; }
}

/** lr = base · (1 − min(epoch, totalIters)/totalIters)^power (defaults 5 and 1). */
export class PolynomialLR extends ChainableLR {
  readonly totalIters: number; readonly power: number;
  constructor(optimizer: AnyOptimizer, o: { totalIters?: number; power?: number } = {}) {
    super(optimizer);
    this.totalIters = o.totalIters ?? 5; this.power = o.power ?? 1;
    this.apply();
  }
  protected getLr(lr: number): number {
    const e = this.lastEpoch, T = this.totalIters;
    if (e === 0 || e > T) return lr;
    return lr * ((1 - e / T) / (1 - (e - 1) / T)) ** this.power;
  }
  protected override closedForm(base: number, e: number): number { return base * (1 - Math.min(this.totalIters, e) / this.totalIters) ** this.power; }
}

/**
 * SGDR: lr = etaMin + (base − etaMin)·(1 + cos(π·Tcur/Ti))/2, restarting after Ti epochs (Ti = t0, then
 * ·tMult each restart). step(epoch) takes fractional epochs (step it per batch: epoch + i/iters), as
 * PyTorch's.
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  readonly t0: number; readonly tMult: number; readonly etaMin: number;
  /** The current cycle's length, and the epochs (maybe fractional) since its start. */
  tI: number; tCur: number;
  constructor(optimizer: AnyOptimizer, o: { t0: number; tMult?: number; etaMin?: number }) {
    super(optimizer);
    const t0 = o?.t0, tMult = o.tMult ?? 1;
    if (!(Number.isInteger(t0) && t0 > 0)) throw new Error(`Expected positive integer T_0, but got ${String(t0)}`);
    if (!(Number.isInteger(tMult) && tMult >= 1)) throw new Error(`Expected integer T_mult >= 1, but got ${String(tMult)}`);
    this.t0 = t0; this.tMult = tMult; this.etaMin = o.etaMin ?? 0;
    this.tI = t0; this.tCur = -1;
    this.lastEpoch = -1;
    this.step();
  }
  protected lrAt(base: number): number { return this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2; }
  override step(epoch?: number): void {
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.tCur += 1;
      if (this.tCur >= this.tI) { this.tCur -= this.tI; this.tI *= this.tMult; }
    } else {
      if (epoch < 0) throw new Error(`Expected non-negative epoch, but got ${epoch}`);
      if (epoch >= this.t0) {
        if (this.tMult === 1) this.tCur = pyMod(epoch, this.t0);
        else {
          const n = Math.trunc(Math.log((epoch / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
          this.tCur = epoch - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
          this.tI = this.t0 * this.tMult ** n;
        }
      } else { this.tI = this.t0; this.tCur = epoch; }
    }
    this.lastEpoch = Math.floor(epoch);
    groupsOf(this.optimizer).forEach((g, i) => { g.lr = this.lrAt(this.baseLrs[i]); });
  }
}

export interface CyclicLROptions {
  baseLr: number | number[]; maxLr: number | number[];
  stepSizeUp?: number; stepSizeDown?: number | null;
  mode?: 'triangular' | 'triangular2' | 'exp_range'; gamma?: number;
  scaleFn?: ((x: number) => number) | null; scaleMode?: 'cycle' | 'iterations';
  cycleMomentum?: boolean; baseMomentum?: number | number[]; maxMomentum?: number | number[];
}
/**
 * The cyclical schedule (step it per batch): lr from baseLr up to maxLr over stepSizeUp steps and back over
 * stepSizeDown (default the same), the amplitude scaled per cycle (triangular: 1, triangular2: halved each
 * cycle) or per step (exp_range: gamma^step), or by scaleFn; SGD's momentum the other way between
 * maxMomentum and baseMomentum. PyTorch 1.13's: an optimizer without `momentum` (Adam) needs
 * cycleMomentum: false.
 */
export class CyclicLR extends LRScheduler {
  readonly maxLrs: number[];
  readonly totalSize: number; readonly stepRatio: number;
  readonly mode: string; readonly gamma: number; readonly scaleMode: 'cycle' | 'iterations';
  readonly cycleMomentum: boolean;
  readonly baseMomentums: number[] = []; readonly maxMomentums: number[] = [];
  private readonly scale: (x: number) => number;
  constructor(optimizer: AnyOptimizer, readonly o: CyclicLROptions) {
    super(optimizer);
    const groups = groupsOf(optimizer);
    const per = (name: string, v: number | number[]) => {
      if (Array.isArray(v)) {
        if (v.length !== groups.length) throw new Error(`expected ${groups.length} values for ${name}, got ${v.length}`);
        return [...v];
      }
      return groups.map(() => v);
    };
    const baseLrs = per('base_lr', o?.baseLr);
    groups.forEach((g, i) => { g.lr = baseLrs[i]; });
    this.maxLrs = per('max_lr', o.maxLr);
    const up = o.stepSizeUp ?? 2000, down = o.stepSizeDown ?? up;
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    this.mode = o.mode ?? 'triangular';
    if (!['triangular', 'triangular2', 'exp_range'].includes(this.mode) && !o.scaleFn) throw new Error('mode is invalid and scale_fn is None');
    this.gamma = o.gamma ?? 1;
    if (o.scaleFn) { this.scale = o.scaleFn; this.scaleMode = o.scaleMode ?? 'cycle'; }
    else if (this.mode === 'triangular') { this.scale = () => 1; this.scaleMode = 'cycle'; }
    else if (this.mode === 'triangular2') { this.scale = (x) => 1 / 2 ** (x - 1); this.scaleMode = 'cycle'; }
    else { this.scale = (x) => this.gamma ** x; this.scaleMode = 'iterations'; }
    this.cycleMomentum = o.cycleMomentum ?? true;
    if (this.cycleMomentum) {
      if (!('momentum' in (optimizer.defaults as object))) throw new Error('optimizer must support momentum with `cycle_momentum` option enabled');
      const bm = per('base_momentum', o.baseMomentum ?? 0.8);
      groups.forEach((g, i) => { g.momentum = bm[i]; });
      this.baseMomentums = groups.map((g) => g.momentum as number);
      this.maxMomentums = per('max_momentum', o.maxMomentum ?? 0.9);
    }
    this.baseLrs.splice(0, this.baseLrs.length, ...baseLrs);
    this.apply();
  }
  protected lrAt(): number { return 0; } // (apply sets the groups itself: lr and momentum together)
  protected override apply(): void {
    const e = this.lastEpoch;
    const cycle = Math.floor(1 + e / this.totalSize);
    const x = 1 + e / this.totalSize - cycle;
    const sf = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const s = this.scale(this.scaleMode === 'cycle' ? cycle : e);
    const groups = groupsOf(this.optimizer);
    const lrs = this.baseLrs.map((b, i) => b + (this.maxLrs[i] - b) * sf * s);
    if (this.cycleMomentum) groups.forEach((g, i) => { g.momentum = this.maxMomentums[i] - (this.maxMomentums[i] - this.baseMomentums[i]) * sf * s; });
    groups.forEach((g, i) => { g.lr = lrs[i]; });
  }
  /** step(epoch) sets the step count first, as PyTorch's. */
  override step(epoch?: number): void {
    if (epoch === undefined) this.lastEpoch++;
    else this.lastEpoch = epoch;
    this.apply();
  }
}

/**
 * PyTorch's step() of any schedule: the chainable form (from the groups' current lr) for optim.ts's
 * closed-form schedules too, so that ChainedScheduler and SequentialLR compose them as PyTorch does;
 * step(epoch) the closed form.
 */
function pytorchStep(s: LRScheduler, epoch?: number): void {
  if (s instanceof ChainableLR || s instanceof CyclicLR || s instanceof CosineAnnealingWarmRestarts) { s.step(epoch); return; }
  const rec = epoch === undefined ? recurrence(s) : null;
  if (!rec) {
    // closed forms (StepLR, …, and LambdaLR, OneCycleLR, whose get_lr is one): lastEpoch, then apply
    if (epoch !== undefined) s.lastEpoch = epoch - 1;
    s.step();
    return;
  }
  s.lastEpoch++;
  groupsOf(s.optimizer).forEach((g, i) => { g.lr = rec(g.lr, s.baseLrs[i], s.lastEpoch); });
}
/** PyTorch 1.13's get_lr() of optim.ts's schedules whose get_lr is recursive. */
function recurrence(s: LRScheduler): ((lr: number, base: number, e: number) => number) | null {
  if (s instanceof StepLR) {
    const { stepSize, gamma = 0.1 } = s.o;
    return (lr, _b, e) => (e === 0 || e % stepSize !== 0 ? lr : lr * gamma);
  }
  if (s instanceof MultiStepLR) {
    const { milestones, gamma = 0.1 } = s.o;
    return (lr, _b, e) => { const n = milestones.filter((m) => m === e).length; return n === 0 ? lr : lr * gamma ** n; };
  }
  if (s instanceof ExponentialLR) return (lr, _b, e) => (e === 0 ? lr : lr * s.o.gamma);
  if (s instanceof LinearLR) {
    const sf = s.o.startFactor ?? 1 / 3, ef = s.o.endFactor ?? 1, T = s.o.totalIters ?? 5;
    return (lr, _b, e) => (e === 0 ? lr * sf : e > T ? lr : lr * (1 + (ef - sf) / (T * sf + (e - 1) * (ef - sf))));
  }
  if (s instanceof CosineAnnealingLR) {
    const T = s.o.tMax, min = s.o.etaMin ?? 0;
    return (lr, base, e) => {
      if (e === 0) return lr;
      if (pyMod(e - 1 - T, 2 * T) === 0) return lr + ((base - min) * (1 - Math.cos(Math.PI / T))) / 2;
      return ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (lr - min) + min;
    };
  }
  return null;
}
const checkSchedulers = (schedulers: unknown, cls: string): LRScheduler[] => {
  if (!Array.isArray(schedulers) || schedulers.length === 0) throw new Error(`${cls}: expected a list of schedulers`);
  for (const s of schedulers) {
    if (s instanceof ReduceLROnPlateau) throw new Error(`${cls}: ReduceLROnPlateau steps on a metric and cannot be ${cls === 'SequentialLR' ? 'sequenced' : 'chained'} (as in PyTorch 1.13)`);
    if (!(s instanceof LRScheduler)) throw new Error(`${cls}: expected schedulers, got ${s === null ? 'null' : typeof s}`);
  }
  return schedulers as LRScheduler[];
};
/** PyTorch's base_lrs are the groups' initial_lr, the lr when the first schedule was made: the same for all. */
const shareBaseLrs = (schedulers: LRScheduler[], initial: number[]) => {
  for (const s of schedulers) if (!(s instanceof CyclicLR)) s.baseLrs.splice(0, s.baseLrs.length, ...initial);
};

/**
 * Runs schedules one after another: schedulers[i] from epoch milestones[i − 1] on (restarted there at its
 * epoch 0). PyTorch 1.13's: the groups' lr reset to the initial lr (the first schedule's base) when made.
 */
export class SequentialLR {
  lastEpoch = 0;
  readonly schedulers: LRScheduler[]; readonly milestones: number[];
  constructor(readonly optimizer: AnyOptimizer, o: { schedulers: LRScheduler[]; milestones: number[] }) {
    const schedulers = checkSchedulers(o?.schedulers, 'SequentialLR');
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer) throw new Error(`Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index ${i} to be different than the optimizer passed in.`);
    });
    const milestones = o.milestones;
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new Error(`Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${schedulers.length} and the number of milestones to be equal to ${Array.isArray(milestones) ? milestones.length : String(milestones)}`);
    }
    this.schedulers = schedulers; this.milestones = [...milestones];
    const initial = [...schedulers[0].baseLrs];
    shareBaseLrs(schedulers, initial);
    groupsOf(optimizer).forEach((g, i) => { g.lr = initial[i]; });
    for (const s of schedulers) s.lastEpoch -= 1;
    pytorchStep(schedulers[0]);
  }
  step(): void {
    this.lastEpoch++;
    let idx = 0;
    while (idx < this.milestones.length && this.milestones[idx] <= this.lastEpoch) idx++; // bisect_right
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) pytorchStep(s, 0);
    else pytorchStep(s);
  }
  getLastLr(): number[] { return groupsOf(this.optimizer).map((g) => g.lr); }
}

/** Steps several schedules together, each from the lr the one before it left (PyTorch's chainable forms). */
export class ChainedScheduler {
  readonly optimizer: AnyOptimizer;
  readonly schedulers: LRScheduler[];
  constructor(schedulers: LRScheduler[]) {
    this.schedulers = checkSchedulers(schedulers, 'ChainedScheduler');
    this.schedulers.forEach((s, i) => {
      if (s.optimizer !== this.schedulers[0].optimizer) throw new Error(`ChainedScheduler expects all schedulers to belong to the same optimizer, but got schedulers at index 0 and ${i} to be different`);
    });
    this.optimizer = this.schedulers[0].optimizer;
    shareBaseLrs(this.schedulers, [...this.schedulers[0].baseLrs]);
  }
  step(): void { for (const s of this.schedulers) pytorchStep(s); }
  getLastLr(): number[] { return groupsOf(this.optimizer).map((g) => g.lr); }
}

// torch.optim is this module: optim.ts's optimizers and schedules, and this file's.
export * from './optim.ts';
/** The schedules under PyTorch's module name: `optim.lrScheduler.CyclicLR`, optim.ts's and this file's. */
export const lrScheduler = {
  ...baseSchedulers, ChainableLR, ConstantLR, MultiplicativeLR, PolynomialLR, CosineAnnealingWarmRestarts, CyclicLR, SequentialLR, ChainedScheduler,
};
