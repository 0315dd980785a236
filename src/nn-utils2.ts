/**
 * More of torch.nn.utils (PyTorch 1.13's): weightNorm / removeWeightNorm, spectralNorm /
 * removeSpectralNorm (forward pre-hooks recomputing the weight, as PyTorch's), parametrize
 * (registerParametrization, removeParametrizations, isParametrized, cached), fuseConvBnEval /
 * fuseConvBnWeights, skipInit and the deprecated clipGradNorm. Re-exported by src/nn-utils.ts.
 *
 * nn.ts imports this file (through nn-utils.ts) before it has defined Module: nothing here may use nn.ts's
 * classes while this file is evaluated (the parametrization list's class is made on first use).
 */
import { Tensor, checkTensor, dot, keep, matmul, ones, randn, zeros } from './tensor.ts';
import { noGrad } from './autograd/graph.ts';
import { Module, ModuleDict, ModuleList, Parameter, type RemovableHandle } from './nn.ts';
import { normalize } from './functional.ts';
import { clipGradNorm_ } from './nn-utils.ts';

type Rec = Record<string, unknown>;
const rec = (m: Module) => m as unknown as Rec;
/** A property that is not a parameter, buffer or submodule (PyTorch's plain attribute: Module's walks skip it). */
function setPlain(m: Module, name: string, value: unknown): void {
  Object.defineProperty(m, name, { value, writable: true, configurable: true, enumerable: false });
}
/** Registers a parameter or buffer under name, after the others (PyTorch's register_parameter / register_buffer). */
function setRegistered(m: Module, name: string, value: unknown): void {
  delete rec(m)[name];
  rec(m)[name] = value;
}

// =============================================================== weight norm

interface NormHook { kind: 'weight_norm' | 'spectral_norm'; handle: RemovableHandle; compute: (m: Module, powerIteration: boolean) => Tensor }
const normHooks = new WeakMap<Module, Map<string, NormHook>>();
function hooksOf(m: Module): Map<string, NormHook> {
  let h = normHooks.get(m);
  if (!h) normHooks.set(m, (h = new Map()));
  return h;
}
/** PyTorch's norm_except_dim(v, 2, dim): the 2-norm of v over every dim but dim, kept as [1, …, n, …, 1]; dim −1: of all of v (0-d). */
function normExceptDim(v: Tensor, dim: number): Tensor {
  if (dim === -1) return v.mul(v).sum().sqrt();
  const d = dim < 0 ? dim + v.ndim : dim, n = v.shape[d];
  const rows = v.transpose(0, d).reshape([n, -1]);
  return rows.mul(rows).sum(1).sqrt().reshape(v.shape.map((s, i) => (i === d ? n : 1)));
}

/**
 * Weight normalization (torch.nn.utils.weight_norm): the parameter `name` is replaced by name_g (its
 * norm over every dim but dim; dim null: over all of it) and name_v (its direction), registered after the
 * module's other parameters, and recomputed as g · v / ‖v‖ before each forward (a forward pre-hook), a
 * plain property, not a parameter. Returns the module.
 */
export function weightNorm<M extends Module>(module: M, name = 'weight', dim: number | null = 0): M {
  const hooks = hooksOf(module);
  if (hooks.get(name)?.kind === 'weight_norm') throw new Error(`Cannot register two weight_norm hooks on the same parameter ${name}`);
  const weight = rec(module)[name];
  if (weight instanceof Parameter && weight.constructor.name === 'UninitializedParameter') {
    throw new Error("The module passed to `WeightNorm` can't have uninitialized parameters. Make sure to run the dummy forward before applying weight normalization");
  }
  if (!(weight instanceof Parameter)) throw new Error(`weight_norm(): ${module.constructor.name} has no parameter named '${name}'`);
  const d = dim ?? -1;
  const g = new Parameter(noGrad(() => normExceptDim(weight, d)));
  const v = new Parameter(weight.detach());
  delete rec(module)[name];
  rec(module)[`${name}_g`] = g;
  rec(module)[`${name}_v`] = v;
  const compute = (m: Module) => {
    const gg = rec(m)[`${name}_g`] as Tensor, vv = rec(m)[`${name}_v`] as Tensor;
    return vv.mul(gg.div(normExceptDim(vv, d)));
  };
  setPlain(module, name, compute(module));
  const handle = module.registerForwardPreHook((m) => { setPlain(m, name, compute(m)); });
  hooks.set(name, { kind: 'weight_norm', handle, compute });
  return module;
}
/** Undoes weightNorm: `name` a parameter again (the current g · v / ‖v‖), name_g and name_v gone. */
export function removeWeightNorm<M extends Module>(module: M, name = 'weight'): M {
  const hook = normHooks.get(module)?.get(name);
  if (!hook || hook.kind !== 'weight_norm') throw new Error(`weight_norm of '${name}' not found in ${String(module)}`);
  const w = noGrad(() => hook.compute(module, false));
  hook.handle.remove();
  normHooks.get(module)!.delete(name);
  for (const k of [name, `${name}_g`, `${name}_v`]) delete rec(module)[k];
  rec(module)[name] = new Parameter(w.detach());
  return module;
}

// =============================================================== spectral norm

export interface SpectralNormOptions { nPowerIterations?: number; eps?: number; dim?: number | null }
/** The weight as PyTorch's reshape_weight_to_matrix: dim moved first, the rest flattened. */
function weightMatrix(w: Tensor, dim: number): Tensor {
  let t = w;
  if (dim !== 0) t = t.permute([dim, ...w.shape.map((_, i) => i).filter((i) => i !== dim)]);
  return t.reshape([t.shape[0], -1]);
}
/**
 * Spectral normalization (torch.nn.utils.spectral_norm): the parameter `name` becomes name_orig, and
 * before each forward `name` (a plain property) is name_orig / σ, σ ≈ its largest singular value,
 * estimated as uᵀ W v with buffers name_u and name_v (normalized standard normal draws from torch.randn at
 * first: manualSeed repeats them, not PyTorch's values) refined by nPowerIterations steps of power
 * iteration (in place, without gradient) in training mode only. dim: the output dim (default 0; 1 for
 * ConvTranspose1d/2d/3d, as PyTorch's). Returns the module.
 */
export function spectralNorm<M extends Module>(module: M, name = 'weight', o: SpectralNormOptions = {}): M {
  const nIter = o.nPowerIterations ?? 1, eps = o.eps ?? 1e-12;
  const dim = o.dim ?? (/^ConvTranspose[123]d$/.test(module.constructor.name) ? 1 : 0);
  const hooks = hooksOf(module);
  if (hooks.get(name)?.kind === 'spectral_norm') throw new Error(`Cannot register two spectral_norm hooks on the same parameter ${name}`);
  if (nIter <= 0) throw new Error(`Expected n_power_iterations to be positive, but got n_power_iterations=${nIter}`);
  const weight = rec(module)[name];
  if (!(weight instanceof Parameter)) throw new Error(`spectral_norm(): ${module.constructor.name} has no parameter named '${name}'`);
  const [u, v] = noGrad(() => {
    const [h, w] = weightMatrix(weight, dim).shape, opts = { device: weight.device, dtype: weight.dtype };
    return [keep(normalize(randn([h], opts), { dim: 0, eps })), keep(normalize(randn([w], opts), { dim: 0, eps }))];
  });
  delete rec(module)[name];
  rec(module)[`${name}_orig`] = weight;
  setPlain(module, name, weight.detach());
  rec(module)[`${name}_u`] = u;
  rec(module)[`${name}_v`] = v;
  const compute = (m: Module, powerIteration: boolean) => {
    const w = rec(m)[`${name}_orig`] as Tensor;
    let uu = rec(m)[`${name}_u`] as Tensor, vv = rec(m)[`${name}_v`] as Tensor;
    const mat = weightMatrix(w, dim);
    if (powerIteration) {
      noGrad(() => {
        const W = mat.detach();
        for (let i = 0; i < nIter; i++) {
          vv.copy_(normalize(matmul(W.transpose(0, 1), uu), { dim: 0, eps }));
          uu.copy_(normalize(matmul(W, vv), { dim: 0, eps }));
        }
      });
      uu = uu.clone(); vv = vv.clone();
    }
    return w.div(dot(uu, matmul(mat, vv)));
  };
  const handle = module.registerForwardPreHook((m) => { setPlain(m, name, compute(m, m.training)); });
  hooks.set(name, { kind: 'spectral_norm', handle, compute });
  return module;
}
/** Undoes spectralNorm: `name` a parameter again (name_orig / σ from the current u and v, no iteration), name_orig, name_u and name_v gone. */
export function removeSpectralNorm<M extends Module>(module: M, name = 'weight'): M {
  const hook = normHooks.get(module)?.get(name);
  if (!hook || hook.kind !== 'spectral_norm') throw new Error(`spectral_norm of '${name}' not found in ${String(module)}`);
  const w = noGrad(() => hook.compute(module, false));
  hook.handle.remove();
  normHooks.get(module)!.delete(name);
  for (const k of [name, `${name}_u`, `${name}_v`, `${name}_orig`]) delete rec(module)[k];
  rec(module)[name] = new Parameter(w.detach());
  return module;
}

// =============================================================== fusion, initialization, clipping

/**
 * A convolution's weight and bias with an eval-mode batch norm folded in (torch.nn.utils.fuse_conv_bn_weights):
 * w · (γ / √(var + eps)) per output channel (dim 0; dim 1 with transpose), (b − mean) · γ / √(var + eps) + β;
 * as new Parameters. A null bias, γ or β counts as zeros, ones, zeros.
 */
export function fuseConvBnWeights(convW: Tensor, convB: Tensor | null, bnRm: Tensor, bnRv: Tensor, bnEps: number, bnW: Tensor | null, bnB: Tensor | null, transpose = false): [Parameter, Parameter] {
  checkTensor('fuse_conv_bn_weights', convW);
  const like = { device: bnRm.device, dtype: bnRm.dtype };
  const b0 = convB ?? zeros([...bnRm.shape], like), g = bnW ?? ones([...bnRm.shape], like), beta = bnB ?? zeros([...bnRm.shape], like);
  const rsqrt = bnRv.add(bnEps).rsqrt();
  const shape = transpose ? [1, -1, ...new Array<number>(convW.ndim - 2).fill(1)] : [-1, 1, ...new Array<number>(convW.ndim - 2).fill(1)];
  const w = convW.mul(g.mul(rsqrt).reshape(shape));
  const b = b0.sub(bnRm).mul(rsqrt).mul(g).add(beta);
  return [new Parameter(w.detach()), new Parameter(b.detach())];
}
/** A copy of the module (parameters and buffers cloned, submodules copied), as Python's copy.deepcopy. */
function copyModule(src: Module, memo = new Map<unknown, unknown>()): Module {
  const copy = new Module();
  Object.setPrototypeOf(copy, Object.getPrototypeOf(src));
  for (const key of Reflect.ownKeys(src)) {
    const desc = Object.getOwnPropertyDescriptor(src, key)!;
    const v = desc.value;
    if (v instanceof Module) desc.value = memo.get(v) ?? copyModule(v, memo);
    else if (v instanceof Parameter) desc.value = memo.get(v) ?? new Parameter(noGrad(() => v.detach().clone()), v.requiresGrad);
    else if (v instanceof Tensor) desc.value = memo.get(v) ?? keep(noGrad(() => v.detach().clone()));
    else if (Array.isArray(v)) desc.value = [...v];
    if (desc.value !== v) memo.set(v, desc.value);
    Object.defineProperty(copy, key, desc);
  }
  return copy;
}
type ConvLike = Module & { weight: Tensor; bias: Tensor | null };
type BnLike = Module & { runningMean: Tensor | null; runningVar: Tensor | null; eps: number; weight: Tensor | null; bias: Tensor | null };
/**
 * A copy of conv with the eval-mode batch norm bn folded into its weight and bias
 * (torch.nn.utils.fuse_conv_bn_eval); both must be in eval mode ("Fusion only for eval!").
 */
export function fuseConvBnEval<C extends ConvLike>(conv: C, bn: BnLike, transpose = false): C {
  if (conv.training || bn.training) throw new Error('Fusion only for eval!');
  if (!bn.runningMean || !bn.runningVar) throw new Error('fuse_conv_bn_eval(): the batch norm must track running statistics');
  const fused = copyModule(conv) as C;
  [fused.weight, fused.bias] = fuseConvBnWeights(fused.weight, fused.bias, bn.runningMean, bn.runningVar, bn.eps, bn.weight, bn.bias, transpose);
  return fused;
}
/**
 * torch.nn.utils.skip_init: new moduleCls(...args). (PyTorch builds it on the meta device and leaves the
 * memory uninitialized; here the constructor's initialization runs as usual: the values are of no
 * consequence either way.)
 */
export function skipInit<A extends unknown[], M extends Module>(moduleCls: new (...args: A) => M, ...args: A): M {
  if (typeof moduleCls !== 'function' || !(moduleCls.prototype instanceof Module)) throw new Error(`Expected a Module; got ${String(moduleCls)}`);
  return new moduleCls(...args);
}
let clipWarned = false;
/** The deprecated torch.nn.utils.clip_grad_norm: clipGradNorm_, warning once. */
export function clipGradNorm(parameters: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2): Tensor {
  if (!clipWarned) {
    clipWarned = true;
    process.emitWarning('torch.nn.utils.clip_grad_norm is now deprecated in favor of torch.nn.utils.clip_grad_norm_.', 'UserWarning');
  }
  return clipGradNorm_(parameters, maxNorm, normType);
}

// =============================================================== parametrize

/** A parametrization: a module whose forward maps the original tensor to the one used, optionally with
 * rightInverse (the original from a value assigned). */
type Parametrization = Module & { rightInverse?: (x: Tensor) => Tensor };
interface PList extends Module {
  original: Tensor;
  length: number;
  [i: number]: Parametrization;
  unsafe: boolean;
  append(m: Module): PList;
  rightInverse(value: Tensor): void;
}
let plistClass: (new (modules: Parametrization[], original: Tensor, unsafe: boolean) => PList) | null = null;
/** PyTorch's ParametrizationList: the parametrizations ('0', '1', …) and the original tensor ('original'). */
function parametrizationList(): new (modules: Parametrization[], original: Tensor, unsafe: boolean) => PList {
  if (plistClass) return plistClass;
  // (through a local: vitest's module transform left the imported binding undefined in this heritage clause)
  const Base: typeof ModuleList = ModuleList;
  class ParametrizationList extends Base {
    declare original: Tensor;
    declare unsafe: boolean;
    constructor(modules: Parametrization[], original: Tensor, unsafe: boolean) {
      if (modules.length === 0) throw new Error('ParametrizationList requires one or more modules.');
      super(modules);
      Object.defineProperty(this, 'unsafe', { value: unsafe, writable: true, enumerable: false });
      let next = original;
      noGrad(() => {
        for (const m of [...modules].reverse()) if (typeof m.rightInverse === 'function') next = m.rightInverse(next);
      });
      if (!(next instanceof Tensor)) throw new Error(`'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). Got ${typeof next}`);
      if (next.dtype !== original.dtype) throw new Error(`When \`right_inverse\` outputs one tensor, it may not change the dtype.\noriginal.dtype: ${original.dtype}\nright_inverse(original).dtype: ${next.dtype}`);
      if (next !== original) noGrad(() => original._replaceData(keep(next.detach().clone())));
      this.original = original;
      if (!unsafe) {
        const z = noGrad(() => this.forward());
        if (!(z instanceof Tensor)) throw new Error(`A parametrization must return a tensor. Got ${typeof z}.`);
        if (z.dtype !== original.dtype) throw new Error(`Registering a parametrization may not change the dtype of the tensor, unless \`unsafe\` flag is enabled.\nunparametrized dtype: ${original.dtype}\nparametrized dtype: ${z.dtype}`);
        if (z.shape.join() !== original.shape.join()) throw new Error(`Registering a parametrization may not change the shape of the tensor, unless \`unsafe\` flag is enabled.\nunparametrized shape: torch.Size([${original.shape.join(', ')}])\nparametrized shape: torch.Size([${z.shape.join(', ')}])`);
      }
    }
    override forward(): Tensor {
      const ms = this.children();
      let x = ms[0](this.original);
      for (const m of ms.slice(1)) x = m(x);
      return x;
    }
    rightInverse(value: Tensor): void {
      const v = noGrad(() => {
        let x = value;
        for (const m of [...this.children()].reverse() as Parametrization[]) {
          if (typeof m.rightInverse !== 'function') throw new Error(`parametrization ${m.constructor.name} does not implement right_inverse.`);
          x = m.rightInverse(x);
        }
        return x;
      });
      if (v.dtype !== this.original.dtype) throw new Error(`The tensor returned by right_inverse has dtype ${v.dtype} while \`original\` has dtype ${this.original.dtype}`);
      noGrad(() => this.original._replaceData(keep(v.detach().clone())));
    }
  }
  plistClass = ParametrizationList as unknown as new (modules: Parametrization[], original: Tensor, unsafe: boolean) => PList;
  return plistClass;
}
const parametrizedClasses = new Map<Function, Function>();
/** PyTorch's _inject_new_class: the module's class becomes Parametrized<Class>, a subclass of its own. */
function injectClass(m: Module): void {
  const base = Object.getPrototypeOf(m).constructor as new (...a: never[]) => Module;
  let cls = parametrizedClasses.get(base);
  if (!cls) {
    const name = `Parametrized${base.name}`;
    cls = { [name]: class extends base {} }[name];
    parametrizedClasses.set(base, cls);
  }
  Object.setPrototypeOf(m, cls.prototype);
}
let cache: Map<string, Tensor> | null = null;
const cacheIds = new WeakMap<Module, number>();
let nextCacheId = 0;
/**
 * Runs fn with the parametrized tensors cached (torch.nn.utils.parametrize.cached, a context manager in
 * PyTorch): each is computed once, at its first use, until fn returns (or its promise settles).
 */
export function cached<T>(fn: () => T): T {
  const outer = cache === null;
  if (outer) cache = new Map();
  let async = false;
  try {
    const r = fn();
    if (outer && r instanceof Promise) { async = true; return r.finally(() => { cache = null; }) as T; }
    return r;
  } finally { if (outer && !async) cache = null; }
}
function parametrizationsOf(m: Module): InstanceType<typeof ModuleDict> | null {
  const p = rec(m).parametrizations;
  return p instanceof ModuleDict ? p : null;
}
/** Whether module has a parametrization (on tensorName, or on anything). */
export function isParametrized(module: Module, tensorName?: string): boolean {
  const p = parametrizationsOf(module);
  if (!p) return false;
  return tensorName === undefined ? p.length > 0 : p.has(tensorName);
}
/**
 * torch.nn.utils.parametrize.register_parametrization: module[tensorName] becomes parametrization(original),
 * computed at each read (cached inside cached()); original (the same Parameter, its value
 * rightInverse(value) if the parametrization has one) lives at module.parametrizations[tensorName].original,
 * so named 'parametrizations.<name>.original'; assigning module[tensorName] sets original through the
 * right inverses. The module's class becomes Parametrized<Class>, as PyTorch's. A second parametrization
 * of the same tensor is appended to its list.
 */
export function registerParametrization<M extends Module>(module: M, tensorName: string, parametrization: Module, o: { unsafe?: boolean } = {}): M {
  const unsafe = !!o.unsafe, p = parametrization as Parametrization;
  if (isParametrized(module, tensorName)) {
    if (!unsafe) {
      const y = rec(module)[tensorName] as Tensor, x = noGrad(() => p(y));
      if (!(x instanceof Tensor)) throw new Error(`A parametrization must return a tensor. Got ${typeof x}.`);
      if (x.dtype !== y.dtype) throw new Error(`Registering a parametrization may not change the dtype of the tensor, unless the \`unsafe\` flag is enabled.\nunparametrized dtype: ${y.dtype}\nparametrized dtype: ${x.dtype}`);
      if (x.shape.join() !== y.shape.join()) throw new Error(`Registering a parametrization may not change the shape of the tensor, unless the \`unsafe\` flag is enabled.\nunparametrized shape: torch.Size([${y.shape.join(', ')}])\nparametrized shape: torch.Size([${x.shape.join(', ')}])`);
    }
    const list = parametrizationsOf(module)!.get(tensorName) as PList;
    list.append(p);
    list.unsafe ||= unsafe;
    return module;
  }
  const original = rec(module)[tensorName];
  if (!(original instanceof Tensor)) throw new Error(`Module '${String(module)}' does not have a parameter, a buffer, or a parametrized element with name '${tensorName}'`);
  const PL = parametrizationList();
  const list = new PL([p], original, unsafe);
  delete rec(module)[tensorName];
  if (!isParametrized(module)) {
    injectClass(module);
    rec(module).parametrizations = new ModuleDict();
  }
  if (!cacheIds.has(module)) cacheIds.set(module, nextCacheId++);
  Object.defineProperty(module, tensorName, {
    configurable: true, enumerable: false,
    get() {
      const pl = parametrizationsOf(module)!.get(tensorName) as PList;
      if (cache === null) return pl();
      const key = `${cacheIds.get(module)}.${tensorName}`;
      let t = cache.get(key);
      if (!t) cache.set(key, (t = pl()));
      return t;
    },
    set(value: Tensor) { (parametrizationsOf(module)!.get(tensorName) as PList).rightInverse(value); },
  });
  parametrizationsOf(module)!.set(tensorName, list);
  return module;
}
/**
 * torch.nn.utils.parametrize.remove_parametrizations: tensorName a parameter (or buffer) again, the same
 * original object holding the parametrized value (leaveParametrized, the default) or its original value.
 * The module's class is its own again once nothing is parametrized.
 */
export function removeParametrizations<M extends Module>(module: M, tensorName: string, leaveParametrized = true): M {
  if (!isParametrized(module, tensorName)) throw new Error(`Module ${String(module)} does not have a parametrization on ${tensorName}`);
  const dict = parametrizationsOf(module)!;
  const list = dict.get(tensorName) as PList, original = list.original;
  if (leaveParametrized) {
    const t = noGrad(() => rec(module)[tensorName] as Tensor);
    noGrad(() => original._replaceData(keep(t.detach().clone())));
  }
  delete rec(module)[tensorName];
  dict.pop(tensorName);
  setRegistered(module, tensorName, original);
  if (!isParametrized(module)) {
    delete rec(module).parametrizations;
    Object.setPrototypeOf(module, Object.getPrototypeOf(Object.getPrototypeOf(module)));
  }
  return module;
}
/** torch.nn.utils.parametrize as a namespace: registerParametrization, removeParametrizations, isParametrized, cached. */
export const parametrize = { registerParametrization, removeParametrizations, isParametrized, cached };
