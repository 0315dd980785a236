/**
 * torch.nn: Parameter, Module and the common layers, activations and losses, composed of the frontend's
 * ops (src/functional.ts has them as functions, `torch.nn.functional`).
 *
 * A Module is callable, as in PyTorch: `const net = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU());
 * const y = net(x);`. Its parameters and submodules are found among its own properties, in the order they
 * were set (PyTorch's registration order): a Parameter is a parameter, a Module a submodule, any other
 * Tensor a buffer (moved by `to()`, not trained). Lists of modules go in a ModuleList.
 */
import { Tensor, cat, keep, matmul, ones, rand, randn, stack, zeros, type TensorOptions } from './tensor.ts';
import { noGrad } from './autograd/graph.ts';
import { fmtShape, sameShape } from './shape.ts';
import * as F from './functional.ts';
import { pyFloat } from './format.ts';
import { PackedSequence } from './nn-packed.ts';

export * as functional from './functional.ts';
export * as init from './nn-init.ts';
export * as utils from './nn-utils.ts';

/** A tensor that is a module's parameter: a leaf requiring grad (unless told), printed "Parameter containing:". */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor)) throw new Error(`Parameter(): data must be a Tensor, got ${data === null ? 'null' : typeof data}`);
    super(data.storage, [...data.shape], [...data.strides], data.offset);
    keep(this); // a parameter outlives any torch.scope() it was made in
    this.requiresGrad_(requiresGrad);
  }
  override _formatPrefix(): string { return 'Parameter containing:\n'; }
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const pyBool = (v: boolean) => (v ? 'True' : 'False');

/** A parameter uniform in ±bound (PyTorch's default initialisations), from torch.rand. */
function uniformParameter(shape: number[], bound: number, o: { device?: string; dtype?: TensorOptions['dtype'] }): Parameter {
  return new Parameter(noGrad(() => rand(shape, { device: o.device, dtype: o.dtype }).mul(2 * bound).sub(bound)));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyArgs = any[];
/** A forward pre-hook: called with the module and its inputs before forward; what it returns (unless
 * undefined or null) replaces the inputs: an array as the argument list, anything else as the only argument. */
export type ForwardPreHook = (module: Module, input: AnyArgs) => unknown;
/** A forward hook: called with the module, its inputs and forward's output; what it returns (unless
 * undefined or null) replaces the output. */
export type ForwardHook = (module: Module, input: AnyArgs, output: unknown) => unknown;
/** What registerForwardPreHook / registerForwardHook give: remove() unregisters the hook (PyTorch's RemovableHandle). */
export interface RemovableHandle { readonly id: number; remove(): void }
/** Each module's hooks, by registration id, kept off the module's own properties (which name its
 * parameters, buffers and submodules). */
const moduleHooks = new WeakMap<Module, { pre: Map<number, ForwardPreHook>; post: Map<number, ForwardHook> }>();
let nextHookId = 0;
/** Calling a module (PyTorch's _call_impl): its forward pre-hooks, forward, its forward hooks. */
function callModule(m: Module, input: AnyArgs): unknown {
  const hooks = moduleHooks.get(m);
  if (!hooks || (hooks.pre.size === 0 && hooks.post.size === 0)) return m.forward(...input);
  for (const hook of [...hooks.pre.values()]) {
    const r = hook(m, input);
    if (r !== undefined && r !== null) input = Array.isArray(r) ? r : [r];
  }
  let out = m.forward(...input);
  for (const hook of [...hooks.post.values()]) {
    const r = hook(m, input, out);
    if (r !== undefined && r !== null) out = r;
  }
  return out;
}
function addHook<H>(m: Module, kind: 'pre' | 'post', hook: H): RemovableHandle {
  if (typeof hook !== 'function') throw new TypeError(`a hook must be a function, got ${hook === null ? 'null' : typeof hook}`);
  let hooks = moduleHooks.get(m);
  if (!hooks) moduleHooks.set(m, (hooks = { pre: new Map(), post: new Map() }));
  const id = nextHookId++, table = hooks[kind] as Map<number, H>;
  table.set(id, hook);
  return { id, remove: () => { table.delete(id); } };
}

/** What a Module is called with: tensors (and, for custom modules, anything their forward takes). */
export interface Module {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  (...input: any[]): Tensor;
}
/**
 * The base of every layer: subclass it, set parameters and submodules as properties in the constructor,
 * write forward(). Calling the module calls forward.
 */
export class Module {
  /** Training mode (dropout on) or evaluation mode: train(), eval(). */
  declare training: boolean;
  constructor() {
    // A function whose prototype is the subclass's: `net(x)` calls forward, and instanceof, methods and
    // properties work as on any object. (Its own `name` and `length` go, so a subclass may set them.)
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const self = ((...input: any[]) => callModule(self, input)) as unknown as Module;
    delete (self as { name?: string }).name;
    delete (self as { length?: number }).length;
    Object.setPrototypeOf(self, new.target.prototype);
    Object.defineProperty(self, 'training', { value: true, writable: true, enumerable: false, configurable: true });
    return self;
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  forward(..._input: any[]): any {
    throw new Error(`Module [${this.constructor.name}] is missing the required "forward" function`);
  }

  /** Registers fn to run before each forward (PyTorch's register_forward_pre_hook): fn(module, inputs)
   * may return new inputs. Returns a handle whose remove() unregisters it. */
  registerForwardPreHook(fn: ForwardPreHook): RemovableHandle { return addHook(this, 'pre', fn); }
  /** Registers fn to run after each forward (PyTorch's register_forward_hook): fn(module, inputs, output)
   * may return a new output. Returns a handle whose remove() unregisters it. */
  registerForwardHook(fn: ForwardHook): RemovableHandle { return addHook(this, 'post', fn); }

  /** The submodules set on this module, by name, in order. */
  namedChildren(): Array<[string, Module]> {
    const out: Array<[string, Module]> = [];
    for (const [k, v] of Object.entries(this)) if (v instanceof Module) out.push([k, v]);
    return out;
  }
  children(): Module[] { return this.namedChildren().map(([, m]) => m); }
  /** This module and every module below it, depth first, each once (names joined by '.'). */
  namedModules(prefix = ''): Array<[string, Module]> {
    const out: Array<[string, Module]> = [], seen = new Set<Module>();
    const walk = (m: Module, name: string) => {
      if (seen.has(m)) return;
      seen.add(m); out.push([name, m]);
      for (const [k, c] of m.namedChildren()) walk(c, name ? `${name}.${k}` : k);
    };
    walk(this, prefix);
    return out;
  }
  modules(): Module[] { return this.namedModules().map(([, m]) => m); }
  /** The parameters of this module (and of its submodules, unless recurse is false), each once, named as
   * PyTorch names them ('0.weight', 'fc1.bias'). */
  namedParameters(recurse = true): Array<[string, Parameter]> {
    const out: Array<[string, Parameter]> = [], seen = new Set<Parameter>();
    for (const [prefix, m] of recurse ? this.namedModules() : [['', this] as [string, Module]]) {
      for (const [k, v] of Object.entries(m)) {
        if (v instanceof Parameter && !seen.has(v)) { seen.add(v); out.push([prefix ? `${prefix}.${k}` : k, v]); }
      }
    }
    return out;
  }
  parameters(recurse = true): Parameter[] { return this.namedParameters(recurse).map(([, p]) => p); }

  /** Training mode on (or off) for this module and all below it. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  eval(): this { return this.train(false); }
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }
  /** Clears every parameter's gradient: to null (the default, as PyTorch 2's), or to zeros in place. */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      if (!p.grad) continue;
      if (setToNone) p.grad = null;
      else noGrad(() => p.grad!.zero_());
    }
  }
  /** Calls fn on every submodule, then on this one (PyTorch's order); returns this. */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Moves (or converts) every parameter and buffer: `net.to('gpu')`, `net.to({ dtype: 'float64' })`. The
   * Parameter objects stay (their memory is replaced, as PyTorch's `param.data = …`), so an optimizer made
   * before still trains them; their gradients move with them. (An optimizer's state made before, such as
   * momentum buffers, stays where it was: its next step says the devices differ.)
   */
  to(target: string | { device?: string; dtype?: string }): this {
    for (const m of this.modules()) {
      for (const [k, v] of Object.entries(m)) {
        if (!(v instanceof Tensor)) continue;
        const moved = noGrad(() => v.detach().to(target));
        if (moved.storage === v.storage) continue;
        keep(moved); // (outlives a torch.scope() the move is made in, as the module does)
        if (v instanceof Parameter) {
          if (v.grad) v.grad = keep(noGrad(() => v.grad!.to(target)));
          v._replaceData(moved);
        } else (m as unknown as Record<string, unknown>)[k] = moved;
      }
    }
    return this;
  }
  cpu(): this { return this.to('cpu'); }
  gpu(): this { return this.to('gpu'); }
  float(): this { return this.to({ dtype: 'float32' }); }
  double(): this { return this.to({ dtype: 'float64' }); }

  /**
   * The buffers (tensor properties that are not parameters: BatchNorm's running statistics), named as
   * PyTorch's state_dict names them (a class may map a property to PyTorch's name: stateNames).
   */
  namedBuffers(): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [k, v] of Object.entries(m)) if (v instanceof Tensor && !(v instanceof Parameter)) out.push([prefix ? `${prefix}.${m.stateName(k)}` : m.stateName(k), v]);
    }
    return out;
  }
  buffers(): Tensor[] { return this.namedBuffers().map(([, b]) => b); }
  /** The name a property has in the state dict (PyTorch's, for the classes whose properties are named
   * in camelCase: runningMean -> running_mean). */
  protected stateName(property: string): string { return property; }
  /** The parameters and buffers by name, detached (sharing their memory), in PyTorch's state_dict order
   * (each module's parameters, then its buffers, then its submodules'). */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [prefix, m] of this.namedModules()) {
      const named = Object.entries(m).filter(([, v]) => v instanceof Tensor);
      for (const [k, v] of [...named.filter(([, v]) => v instanceof Parameter), ...named.filter(([, v]) => !(v instanceof Parameter))]) {
        const name = m.stateName(k);
        out[prefix ? `${prefix}.${name}` : name] = (v as Tensor).detach();
      }
    }
    return out;
  }
  /**
   * Copies values into the parameters by name (from another device or dtype too). strict (the default):
   * every parameter must be given and nothing else, with PyTorch's error listing what is missing,
   * unexpected or of another shape.
   */
  loadStateDict(stateDict: Record<string, Tensor>, strict = true): { missingKeys: string[]; unexpectedKeys: string[] } {
    const params = new Map<string, Tensor>([...this.namedParameters(), ...this.namedBuffers()]);
    const missingKeys = [...params.keys()].filter((k) => !(k in stateDict));
    const unexpectedKeys = Object.keys(stateDict).filter((k) => !params.has(k));
    const errors: string[] = [];
    if (strict) {
      if (unexpectedKeys.length) errors.push(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}. `);
      if (missingKeys.length) errors.push(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}. `);
    }
    for (const [k, p] of params) {
      const v = stateDict[k];
      if (v === undefined) continue;
      if (!(v instanceof Tensor)) { errors.push(`While copying the parameter named "${k}", expected a Tensor, got ${typeof v}.`); continue; }
      if (!sameShape(v.shape, p.shape)) {
        errors.push(`size mismatch for ${k}: copying a param with shape torch.Size(${fmtShape(v.shape)}) from checkpoint, the shape in current model is torch.Size(${fmtShape(p.shape)}).`);
      }
    }
    if (errors.length) throw new Error(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join('\n\t')}`);
    noGrad(() => {
      for (const [k, p] of params) {
        const v = stateDict[k];
        if (v !== undefined) p.copy_(v.device === p.device && v.dtype === p.dtype ? v : v.to({ device: p.device, dtype: p.dtype }));
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** The options shown between the parentheses of this module's printed form. */
  extraRepr(): string { return ''; }
  /** PyTorch's printed form: `Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n …)`. */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split('\n') : [];
    const childLines = this.namedChildren().map(([k, m]) => `(${k}): ${m.toString().split('\n').join('\n  ')}`);
    const lines = [...extraLines, ...childLines];
    let s = `${this.constructor.name}(`;
    if (lines.length) s += extraLines.length === 1 && childLines.length === 0 ? extraLines[0] : `\n  ${lines.join('\n  ')}\n`;
    return `${s})`;
  }
  [INSPECT](): string { return this.toString(); }
}

// =============================================================== containers

/** Modules applied in order (each one's output the next one's input); `seq[i]`, `seq.length`, iterable. */
export class Sequential extends Module {
  [index: number]: Module;
  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    const named = modules.length === 1 && !(modules[0] instanceof Module) ? Object.entries(modules[0] as Record<string, Module>) : (modules as Module[]).map((m, i) => [String(i), m] as [string, Module]);
    for (const [k, m] of named) {
      if (!(m instanceof Module)) throw new Error(`Sequential(): ${k} is not a Module (got ${m === null ? 'null' : typeof m})`);
      (this as unknown as Record<string, Module>)[k] = m;
    }
  }
  get length(): number { return this.namedChildren().length; }
  [Symbol.iterator](): Iterator<Module> { return this.children()[Symbol.iterator](); }
  append(m: Module): this { (this as unknown as Record<string, Module>)[String(this.length)] = m; return this; }
  override forward(x: Tensor): Tensor {
    for (const m of this.children()) x = m(x);
    return x;
  }
}

/** A list of modules registered as submodules ('0', '1', …); it has no forward of its own. */
export class ModuleList extends Module {
  [index: number]: Module;
  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }
  get length(): number { return this.namedChildren().length; }
  [Symbol.iterator](): Iterator<Module> { return this.children()[Symbol.iterator](); }
  append(m: Module): this {
    if (!(m instanceof Module)) throw new Error(`ModuleList.append(): expected a Module, got ${m === null ? 'null' : typeof m}`);
    (this as unknown as Record<string, Module>)[String(this.length)] = m;
    return this;
  }
}

/**
 * Modules by name, registered as submodules in the order they were set (PyTorch's ModuleDict: named
 * parameters 'key.weight'); it has no forward of its own. Iterating it gives the keys, as PyTorch's.
 */
export class ModuleDict extends Module {
  #keys: string[] = [];
  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    this.update(modules);
  }
  override namedChildren(): Array<[string, Module]> {
    const self = this as unknown as Record<string, Module>;
    return this.#keys.map((k) => [k, self[k]]);
  }
  get length(): number { return this.#keys.length; }
  [Symbol.iterator](): Iterator<string> { return [...this.#keys][Symbol.iterator](); }
  keys(): string[] { return [...this.#keys]; }
  values(): Module[] { return this.children(); }
  items(): Array<[string, Module]> { return this.namedChildren(); }
  has(key: string): boolean { return this.#keys.includes(key); }
  get(key: string): Module {
    if (!this.has(key)) throw new Error(`KeyError: '${key}'`);
    return (this as unknown as Record<string, Module>)[key];
  }
  /** Sets (or replaces, keeping its place) the module under key; PyTorch's checks of the name. */
  set(key: string, m: Module): this {
    if (typeof key !== 'string') throw new Error(`module name should be a string. Got ${typeof key}`);
    if (!(m instanceof Module)) throw new Error(`${m === null ? 'null' : typeof m} is not a Module subclass`);
    if (key.includes('.')) throw new Error(`module name can't contain ".", got: ${key}`);
    if (key === '') throw new Error('module name can\'t be empty string ""');
    if (!this.has(key)) {
      if (key in this) throw new Error(`attribute '${key}' already exists`);
      this.#keys.push(key);
    }
    (this as unknown as Record<string, Module>)[key] = m;
    return this;
  }
  /** Removes the module under key and returns it. */
  pop(key: string): Module {
    const m = this.get(key);
    this.#keys.splice(this.#keys.indexOf(key), 1);
    delete (this as unknown as Record<string, Module>)[key];
    return m;
  }
  clear(): void { for (const k of this.keys()) this.pop(k); }
  update(modules: Record<string, Module> | Iterable<[string, Module]>): this {
    const entries = Symbol.iterator in Object(modules) ? [...(modules as Iterable<[string, Module]>)] : Object.entries(modules as Record<string, Module>);
    for (const [k, m] of entries) this.set(k, m);
    return this;
  }
}

// =============================================================== layers

export interface LinearOptions { bias?: boolean; device?: string; dtype?: TensorOptions['dtype'] }
/**
 * y = x @ weight^T + bias. weight [out, in] and bias [out] start uniform in ±1/√in, as PyTorch's defaults
 * (from torch.rand, so manualSeed repeats them; not PyTorch's values).
 */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;
  constructor(readonly inFeatures: number, readonly outFeatures: number, o: LinearOptions = {}) {
    super();
    for (const [n, v] of [['in_features', inFeatures], ['out_features', outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new Error(`Linear(): ${n} must be a non-negative integer, got ${v}`);
    }
    const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    this.weight = uniformParameter([outFeatures, inFeatures], bound, o);
    this.bias = o.bias === false ? null : uniformParameter([outFeatures], bound, o);
  }
  override forward(x: Tensor): Tensor { return F.linear(x, this.weight, this.bias); }
  override extraRepr(): string { return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`; }
}

export interface BatchNormModuleOptions { eps?: number; momentum?: number; affine?: boolean; trackRunningStats?: boolean; device?: string; dtype?: TensorOptions['dtype'] }
/**
 * Batch normalization over the channels (dim 1), F.batchNorm: in training mode the batch's statistics
 * normalize it and the running ones (buffers: runningMean, runningVar, numBatchesTracked, saved in the
 * state dict under PyTorch's names) follow them; in eval() the running ones normalize it.
 */
class BatchNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  runningMean: Tensor | null;
  runningVar: Tensor | null;
  numBatchesTracked: Tensor | null;
  readonly eps: number;
  readonly momentum: number;
  constructor(readonly numFeatures: number, o: BatchNormModuleOptions, private readonly ranks: number[]) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new Error(`${new.target.name}(): num_features must be a positive integer, got ${numFeatures}`);
    this.eps = o.eps ?? 1e-5; this.momentum = o.momentum ?? 0.1;
    const opts = { device: o.device, dtype: o.dtype };
    const affine = o.affine ?? true, track = o.trackRunningStats ?? true;
    this.weight = affine ? new Parameter(ones([numFeatures], opts)) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures], opts)) : null;
    this.runningMean = track ? keep(zeros([numFeatures], opts)) : null;
    this.runningVar = track ? keep(ones([numFeatures], opts)) : null;
    this.numBatchesTracked = track ? keep(zeros([], { device: o.device, dtype: 'int64' })) : null;
  }
  protected override stateName(p: string): string {
    return p === 'runningMean' ? 'running_mean' : p === 'runningVar' ? 'running_var' : p === 'numBatchesTracked' ? 'num_batches_tracked' : p;
  }
  override forward(x: Tensor): Tensor {
    if (!this.ranks.includes(x.ndim)) throw new Error(`expected ${this.ranks.map((r) => `${r}D`).join(' or ')} input (got ${x.ndim}D input)`);
    const training = this.training || this.runningMean === null;
    if (this.training && this.numBatchesTracked) noGrad(() => this.numBatchesTracked!.add_(1));
    return F.batchNorm(x, this.runningMean, this.runningVar, { weight: this.weight, bias: this.bias, training, momentum: this.momentum, eps: this.eps });
  }
  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, affine=${pyBool(this.weight !== null)}, track_running_stats=${pyBool(this.runningMean !== null)}`;
  }
}
/** Batch normalization of [N, C] or [N, C, L] inputs. */
export class BatchNorm1d extends BatchNorm {
  constructor(numFeatures: number, o: BatchNormModuleOptions = {}) { super(numFeatures, o, [2, 3]); }
}
/** Batch normalization of [N, C, H, W] inputs. */
export class BatchNorm2d extends BatchNorm {
  constructor(numFeatures: number, o: BatchNormModuleOptions = {}) { super(numFeatures, o, [4]); }
}

export class Identity extends Module {
  override forward(x: Tensor): Tensor { return x; }
}
/** Dims startDim..endDim (default 1..-1: all but the batch dim) merged into one. */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) { super(); }
  override forward(x: Tensor): Tensor { return x.flatten(this.startDim, this.endDim); }
  override extraRepr(): string { return `start_dim=${this.startDim}, end_dim=${this.endDim}`; }
}
/** Zeroes elements with probability p in training mode (scaling the rest by 1/(1 − p)); the identity in eval(). */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
  }
  override forward(x: Tensor): Tensor { return F.dropout(x, this.p, this.training); }
  override extraRepr(): string { return `p=${pyFloat(this.p)}, inplace=False`; }
}

/** Zeroes whole channels (x[n, c]) with probability p in training mode, scaling the rest by 1/(1 − p)
 * (F.dropout2d); the identity in eval(). */
export class Dropout2d extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
  }
  override forward(x: Tensor): Tensor { return F.dropout2d(x, this.p, this.training); }
  override extraRepr(): string { return `p=${pyFloat(this.p)}, inplace=False`; }
}
/** Dim `dim` split into the sizes given (one of them may be -1): [N, 12] -> [N, 3, 4] with Unflatten(1, [3, 4]). */
export class Unflatten extends Module {
  readonly unflattenedSize: number[];
  constructor(readonly dim: number, unflattenedSize: number[]) {
    super();
    if (!Array.isArray(unflattenedSize) || unflattenedSize.some((v) => !Number.isInteger(v))) throw new Error(`unflattened_size must be tuple of ints, but found type ${typeof unflattenedSize}`);
    this.unflattenedSize = [...unflattenedSize];
  }
  override forward(x: Tensor): Tensor {
    const d = this.dim < 0 ? this.dim + x.ndim : this.dim;
    if (!(d >= 0 && d < x.ndim)) throw new Error(`Dimension out of range (expected to be in range of [${-x.ndim}, ${x.ndim - 1}], but got ${this.dim})`);
    const sizes = this.unflattenedSize, n = x.shape[d];
    const known = sizes.filter((v) => v !== -1).reduce((a, b) => a * b, 1);
    const inferred = sizes.filter((v) => v === -1).length;
    if (inferred > 1 || (inferred === 0 ? known !== n : known === 0 || n % known !== 0)) {
      throw new Error(inferred > 1 ? 'only one dimension can be inferred' : `unflatten: Provided sizes ${fmtShape(sizes)} don't multiply up to the size of dim ${this.dim} (${n}) in the input tensor`);
    }
    return x.reshape([...x.shape.slice(0, d), ...sizes, ...x.shape.slice(d + 1)]);
  }
  override extraRepr(): string { return `dim=${this.dim}, unflattened_size=(${this.unflattenedSize.join(', ')}${this.unflattenedSize.length === 1 ? ',' : ''})`; }
}

export interface NormOptions { eps?: number; elementwiseAffine?: boolean; device?: string; dtype?: TensorOptions['dtype'] }
/** Layer normalization over the last dims (normalizedShape), with a learned weight (ones) and bias (zeros). */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  weight: Parameter | null;
  bias: Parameter | null;
  constructor(normalizedShape: number | number[], o: NormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = o.eps ?? 1e-5;
    const affine = o.elementwiseAffine ?? true;
    const opts = { device: o.device, dtype: o.dtype };
    this.weight = affine ? new Parameter(ones(this.normalizedShape, opts)) : null;
    this.bias = affine ? new Parameter(zeros(this.normalizedShape, opts)) : null;
  }
  override forward(x: Tensor): Tensor { return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps); }
  override extraRepr(): string {
    const shape = this.normalizedShape.length === 1 ? `(${this.normalizedShape[0]},)` : `(${this.normalizedShape.join(', ')})`;
    return `${shape}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.weight !== null)}`;
  }
}

export interface GroupNormOptions { eps?: number; affine?: boolean; device?: string; dtype?: TensorOptions['dtype'] }
/** Group normalization (F.groupNorm) of [N, C, *] inputs, numChannels in numGroups groups, with a learned
 * per-channel weight (ones) and bias (zeros) unless affine is false. */
export class GroupNorm extends Module {
  readonly eps: number;
  weight: Parameter | null;
  bias: Parameter | null;
  constructor(readonly numGroups: number, readonly numChannels: number, o: GroupNormOptions = {}) {
    super();
    if (numChannels % numGroups !== 0) throw new Error('num_channels must be divisible by num_groups');
    this.eps = o.eps ?? 1e-5;
    const opts = { device: o.device, dtype: o.dtype };
    const affine = o.affine ?? true;
    this.weight = affine ? new Parameter(ones([numChannels], opts)) : null;
    this.bias = affine ? new Parameter(zeros([numChannels], opts)) : null;
  }
  override forward(x: Tensor): Tensor { return F.groupNorm(x, this.numGroups, this.weight, this.bias, this.eps); }
  override extraRepr(): string { return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.weight !== null)}`; }
}
export interface InstanceNormOptions { eps?: number; momentum?: number; affine?: boolean; trackRunningStats?: boolean; device?: string; dtype?: TensorOptions['dtype'] }
/** What the instance normalizations share (InstanceNorm2d here; 1d and 3d in nn-more4.ts): the affine
 * parameters, the running statistics under PyTorch's state-dict names, the repr. Each has its own forward. */
export abstract class InstanceNormBase extends Module {
  readonly eps: number;
  readonly momentum: number;
  weight: Parameter | null;
  bias: Parameter | null;
  runningMean: Tensor | null;
  runningVar: Tensor | null;
  numBatchesTracked: Tensor | null;
  constructor(readonly numFeatures: number, o: InstanceNormOptions = {}) {
    super();
    this.eps = o.eps ?? 1e-5; this.momentum = o.momentum ?? 0.1;
    const opts = { device: o.device, dtype: o.dtype };
    this.weight = o.affine ? new Parameter(ones([numFeatures], opts)) : null;
    this.bias = o.affine ? new Parameter(zeros([numFeatures], opts)) : null;
    const track = !!o.trackRunningStats;
    this.runningMean = track ? keep(zeros([numFeatures], opts)) : null;
    this.runningVar = track ? keep(ones([numFeatures], opts)) : null;
    this.numBatchesTracked = track ? keep(zeros([], { device: o.device, dtype: 'int64' })) : null;
  }
  protected override stateName(p: string): string {
    return p === 'runningMean' ? 'running_mean' : p === 'runningVar' ? 'running_var' : p === 'numBatchesTracked' ? 'num_batches_tracked' : p;
  }
  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, affine=${pyBool(this.weight !== null)}, track_running_stats=${pyBool(this.runningMean !== null)}`;
  }
}
/**
 * Instance normalization of [N, C, H, W] (or [C, H, W]) inputs: each sample's channel normalized over its
 * positions (F.groupNorm with a group per channel), then · weight + bias when affine (default off). With
 * trackRunningStats, F.instanceNorm with running statistics (buffers runningMean, runningVar,
 * numBatchesTracked, PyTorch's state-dict names): updated in training, normalizing in eval().
 */
export class InstanceNorm2d extends InstanceNormBase {
  override forward(x: Tensor): Tensor {
    if (x.ndim !== 3 && x.ndim !== 4) throw new Error(`expected 3D or 4D input (got ${x.ndim}D input)`);
    const x4 = x.ndim === 3 ? x.unsqueeze(0) : x;
    if (this.weight && x4.shape[1] !== this.numFeatures) throw new Error(`expected input's size at dim=${x.ndim - 3} to match num_features (${this.numFeatures}), but got: ${x4.shape[1]}.`);
    const y = this.runningMean === null ? F.groupNorm(x4, x4.shape[1], this.weight, this.bias, this.eps)
      : F.instanceNorm(x4, { runningMean: this.runningMean, runningVar: this.runningVar, weight: this.weight, bias: this.bias, useInputStats: this.training, momentum: this.momentum, eps: this.eps });
    return x.ndim === 3 ? y.squeeze(0) : y;
  }
}

export interface EmbeddingOptions { paddingIdx?: number | null; device?: string; dtype?: TensorOptions['dtype'] }
/** A table of numEmbeddings vectors of embeddingDim, looked up by integer indices (F.embedding); starts
 * standard normal (from torch.randn), the padding row zero. */
export class Embedding extends Module {
  weight: Parameter;
  readonly paddingIdx: number | null;
  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, o: EmbeddingOptions = {}) {
    super();
    for (const [n, v] of [['num_embeddings', numEmbeddings], ['embedding_dim', embeddingDim]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new Error(`Embedding(): ${n} must be a non-negative integer, got ${v}`);
    }
    const pad = o.paddingIdx ?? null;
    if (pad !== null && !(Number.isInteger(pad) && pad >= -numEmbeddings && pad < numEmbeddings)) throw new Error('Padding_idx must be within num_embeddings');
    this.paddingIdx = pad === null ? null : pad < 0 ? pad + numEmbeddings : pad;
    const w = randn([numEmbeddings, embeddingDim], { device: o.device, dtype: o.dtype });
    if (this.paddingIdx !== null) noGrad(() => w.index(this.paddingIdx!).fill_(0));
    this.weight = new Parameter(w);
  }
  override forward(x: Tensor): Tensor { return F.embedding(x, this.weight, { paddingIdx: this.paddingIdx }); }
  override extraRepr(): string { return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? '' : `, padding_idx=${this.paddingIdx}`}`; }
}

const pyPair = (v: number | [number, number]) => (typeof v === 'number' ? `(${v}, ${v})` : `(${v[0]}, ${v[1]})`);
const isDefault = (v: number | [number, number], d: number) => (typeof v === 'number' ? v === d : v[0] === d && v[1] === d);
export interface Conv2dModuleOptions { stride?: number | [number, number]; padding?: number | [number, number]; dilation?: number | [number, number]; groups?: number; bias?: boolean; device?: string; dtype?: TensorOptions['dtype'] }
/** 2-D convolution (F.conv2d): weight [out, in, kh, kw] and bias [out] start uniform in ±1/√(in·kh·kw), as PyTorch's. */
export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: [number, number];
  readonly stride: number | [number, number];
  readonly padding: number | [number, number];
  readonly dilation: number | [number, number];
  /** Blocks of input channels and filters, each filter reading its block only (depthwise: inChannels). */
  readonly groups: number;
  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: number | [number, number], o: Conv2dModuleOptions = {}) {
    super();
    for (const [n, v] of [['in_channels', inChannels], ['out_channels', outChannels]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`Conv2d(): ${n} must be a positive integer, got ${v}`);
    }
    const G = o.groups ?? 1;
    if (!Number.isInteger(G) || G <= 0) throw new Error('groups must be a positive integer');
    if (inChannels % G !== 0) throw new Error('in_channels must be divisible by groups');
    if (outChannels % G !== 0) throw new Error('out_channels must be divisible by groups');
    this.groups = G;
    this.kernelSize = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : [kernelSize[0], kernelSize[1]];
    this.stride = o.stride ?? 1; this.padding = o.padding ?? 0; this.dilation = o.dilation ?? 1;
    const [kh, kw] = this.kernelSize;
    const bound = 1 / Math.sqrt((inChannels / G) * kh * kw);
    this.weight = uniformParameter([outChannels, inChannels / G, kh, kw], bound, o);
    this.bias = o.bias === false ? null : uniformParameter([outChannels], bound, o);
  }
  override forward(x: Tensor): Tensor { return F.conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups }); }
  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyPair(this.kernelSize)}, stride=${pyPair(this.stride)}`;
    if (!isDefault(this.padding, 0)) s += `, padding=${pyPair(this.padding)}`;
    if (!isDefault(this.dilation, 1)) s += `, dilation=${pyPair(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    return s;
  }
}
const pyInts = (v: number | [number, number]) => (typeof v === 'number' ? String(v) : `(${v[0]}, ${v[1]})`);
/** 2-D max pooling (F.maxPool2d); stride defaults to the kernel size. */
export class MaxPool2d extends Module {
  constructor(readonly kernelSize: number | [number, number], readonly o: F.PoolOptions = {}) { super(); }
  override forward(x: Tensor): Tensor { return F.maxPool2d(x, this.kernelSize, this.o); }
  override extraRepr(): string {
    return `kernel_size=${pyInts(this.kernelSize)}, stride=${pyInts(this.o.stride ?? this.kernelSize)}, padding=${pyInts(this.o.padding ?? 0)}, dilation=${pyInts(this.o.dilation ?? 1)}, ceil_mode=${this.o.ceilMode ? 'True' : 'False'}`;
  }
}
/** 2-D average pooling (F.avgPool2d); stride defaults to the kernel size. */
export class AvgPool2d extends Module {
  constructor(readonly kernelSize: number | [number, number], readonly o: F.AvgPoolOptions = {}) { super(); }
  override forward(x: Tensor): Tensor { return F.avgPool2d(x, this.kernelSize, this.o); }
  override extraRepr(): string { return `kernel_size=${pyInts(this.kernelSize)}, stride=${pyInts(this.o.stride ?? this.kernelSize)}, padding=${pyInts(this.o.padding ?? 0)}`; }
}

const one = (v: number | [number]) => (Array.isArray(v) ? v[0] : v);
export interface Conv1dModuleOptions { stride?: number | [number]; padding?: number | [number]; dilation?: number | [number]; groups?: number; bias?: boolean; device?: string; dtype?: TensorOptions['dtype'] }
/** 1-D convolution (F.conv1d): weight [out, in / groups, k] and bias [out] start uniform in ±1/√(in/groups·k), as PyTorch's. */
export class Conv1d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number;
  readonly dilation: number;
  readonly groups: number;
  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: number | [number], o: Conv1dModuleOptions = {}) {
    super();
    for (const [n, v] of [['in_channels', inChannels], ['out_channels', outChannels]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`Conv1d(): ${n} must be a positive integer, got ${v}`);
    }
    const G = o.groups ?? 1;
    if (!Number.isInteger(G) || G <= 0) throw new Error('groups must be a positive integer');
    if (inChannels % G !== 0) throw new Error('in_channels must be divisible by groups');
    if (outChannels % G !== 0) throw new Error('out_channels must be divisible by groups');
    this.groups = G;
    this.kernelSize = one(kernelSize); this.stride = one(o.stride ?? 1); this.padding = one(o.padding ?? 0); this.dilation = one(o.dilation ?? 1);
    const bound = 1 / Math.sqrt((inChannels / G) * this.kernelSize);
    this.weight = uniformParameter([outChannels, inChannels / G, this.kernelSize], bound, o);
    this.bias = o.bias === false ? null : uniformParameter([outChannels], bound, o);
  }
  override forward(x: Tensor): Tensor { return F.conv1d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups }); }
  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=(${this.kernelSize},), stride=(${this.stride},)`;
    if (this.padding !== 0) s += `, padding=(${this.padding},)`;
    if (this.dilation !== 1) s += `, dilation=(${this.dilation},)`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    return s;
  }
}
/** 1-D max pooling (F.maxPool1d); stride defaults to the kernel size. */
export class MaxPool1d extends Module {
  constructor(readonly kernelSize: number, readonly o: F.Pool1dOptions = {}) { super(); }
  override forward(x: Tensor): Tensor { return F.maxPool1d(x, this.kernelSize, this.o); }
  override extraRepr(): string {
    return `kernel_size=${this.kernelSize}, stride=${one(this.o.stride ?? this.kernelSize)}, padding=${one(this.o.padding ?? 0)}, dilation=${one(this.o.dilation ?? 1)}, ceil_mode=${pyBool(!!this.o.ceilMode)}`;
  }
}
/** 1-D average pooling (F.avgPool1d); stride defaults to the kernel size. */
export class AvgPool1d extends Module {
  constructor(readonly kernelSize: number, readonly o: F.AvgPool1dOptions = {}) { super(); }
  override forward(x: Tensor): Tensor { return F.avgPool1d(x, this.kernelSize, this.o); }
  override extraRepr(): string { return `kernel_size=(${this.kernelSize},), stride=(${one(this.o.stride ?? this.kernelSize)},), padding=(${one(this.o.padding ?? 0)},)`; }
}

// =============================================================== recurrent layers

export interface RNNOptions { numLayers?: number; bias?: boolean; batchFirst?: boolean; dropout?: number; bidirectional?: boolean; device?: string; dtype?: TensorOptions['dtype'] }
type RecurrentMode = 'LSTM' | 'GRU' | 'RNN_TANH' | 'RNN_RELU';
const GATES: Record<RecurrentMode, number> = { LSTM: 4, GRU: 3, RNN_TANH: 1, RNN_RELU: 1 };
/**
 * One time step of a recurrent layer, PyTorch's gate order: xw = W_ih·x + b_ih and hw = W_hh·h + b_hh
 * (each [N, G·H]) give the next hidden state h (and, for an LSTM, the next cell state c).
 * LSTM gates i, f, g, o; GRU r, z, n (n = tanh(xw_n + r·hw_n), h' = (1 − z)·n + z·h); RNN tanh or relu.
 */
function recurrentStep(mode: RecurrentMode, xw: Tensor, hw: Tensor, h: Tensor, c: Tensor | null): [Tensor, Tensor | null] {
  if (mode === 'LSTM') {
    const [i, f, g, o] = xw.add(hw).chunk(4, 1);
    const c2 = f.sigmoid().mul(c!).add(i.sigmoid().mul(g.tanh()));
    return [o.sigmoid().mul(c2.tanh()), c2];
  }
  if (mode === 'GRU') {
    const [ir, iz, inn] = xw.chunk(3, 1), [hr, hz, hn] = hw.chunk(3, 1);
    const r = ir.add(hr).sigmoid(), z = iz.add(hz).sigmoid();
    const n = inn.add(r.mul(hn)).tanh();
    return [n.sub(n.mul(z)).add(z.mul(h)), null]; // (1 − z)·n + z·h
  }
  const a = xw.add(hw);
  return [mode === 'RNN_TANH' ? a.tanh() : a.relu(), null];
}
/**
 * The recurrent layers' common part: per layer l, weight_ih_l{l} [G·H, in], weight_hh_l{l} [G·H, H],
 * bias_ih_l{l}, bias_hh_l{l} (PyTorch's names and gate order), all uniform in ±1/√H; bidirectional adds
 * the same four with the suffix _reverse after each layer's (l0, l0_reverse, l1, …), and the layers after
 * the first then take the two directions' 2·H features. The input's projection is one matrix product per
 * layer and direction; each time step adds the hidden state's. A PackedSequence input runs runPacked.
 */
abstract class RNNBase extends Module {
  readonly numLayers: number;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bias: boolean;
  readonly bidirectional: boolean;
  constructor(private readonly mode: RecurrentMode, readonly inputSize: number, readonly hiddenSize: number, o: RNNOptions) {
    super();
    for (const [n, v] of [['input_size', inputSize], ['hidden_size', hiddenSize], ['num_layers', o.numLayers ?? 1]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${mode.startsWith('RNN') ? 'RNN' : mode}(): ${n} must be a positive integer, got ${v}`);
    }
    this.numLayers = o.numLayers ?? 1; this.batchFirst = o.batchFirst ?? false; this.dropout = o.dropout ?? 0; this.bias = o.bias ?? true;
    this.bidirectional = o.bidirectional ?? false;
    if (!(this.dropout >= 0 && this.dropout <= 1)) throw new Error(`dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got ${this.dropout}`);
    const G = GATES[mode] * hiddenSize, bound = 1 / Math.sqrt(hiddenSize), D = this.bidirectional ? 2 : 1;
    const init = (shape: number[]) => uniformParameter(shape, bound, o);
    const self = this as unknown as Record<string, Parameter>;
    for (let l = 0; l < this.numLayers; l++) {
      for (const sfx of D === 2 ? ['', '_reverse'] : ['']) {
        self[`weight_ih_l${l}${sfx}`] = init([G, l === 0 ? inputSize : D * hiddenSize]);
        self[`weight_hh_l${l}${sfx}`] = init([G, hiddenSize]);
        if (this.bias) { self[`bias_ih_l${l}${sfx}`] = init([G]); self[`bias_hh_l${l}${sfx}`] = init([G]); }
      }
    }
  }
  private param(name: string, l: number, sfx: string): Parameter | null { return (this as unknown as Record<string, Parameter | undefined>)[`${name}_l${l}${sfx}`] ?? null; }
  /**
   * output [T, N, D·H] (or batch first; the forward direction's H features, then the reverse one's), and
   * the last hidden (and cell) state per layer and direction [L·D, N, H] (layer 0 forward, layer 0 reverse, …).
   */
  protected run(input: Tensor, hx: Tensor | [Tensor, Tensor] | null | undefined): [Tensor, Tensor, Tensor | null] {
    const name = this.constructor.name;
    if (!(input instanceof Tensor)) throw new Error(`${name}(): input must be a Tensor`);
    if (input.ndim !== 2 && input.ndim !== 3) throw new Error(`${name}: Expected input to be 2-D or 3-D but received ${input.ndim}-D tensor`);
    const lstm = this.mode === 'LSTM', unbatched = input.ndim === 2;
    if (lstm && hx != null && !Array.isArray(hx)) throw new Error('LSTM(): hx must be a pair [h0, c0]');
    const given = hx == null ? null : Array.isArray(hx) ? hx : [hx];
    if (given) { // PyTorch's checks and messages (1.13), in its order
      const want = unbatched ? 2 : 3, what = unbatched ? 'unbatched 2-D' : 'batched 3-D';
      if (given.some((t) => t.ndim !== want)) {
        throw new Error(lstm ? `For ${what} input, hx and cx should also be ${want}-D but got (${given[0].ndim}-D, ${given[1].ndim}-D) tensors`
          : `For ${what} input, hx should also be ${want}-D but got ${given[0].ndim}-D tensor`);
      }
    }
    if (input.shape[input.ndim - 1] !== this.inputSize) throw new Error(`input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${input.shape[input.ndim - 1]}`);
    let x = unbatched ? input.unsqueeze(1) : this.batchFirst ? input.transpose(0, 1) : input; // [T, N, I]
    const [T, N] = x.shape, H = this.hiddenSize, L = this.numLayers, D = this.bidirectional ? 2 : 1;
    const state = (t: Tensor | undefined, k: number) => {
      if (t === undefined) return zeros([L * D, N, H], { device: input.device, dtype: input.dtype });
      const s = unbatched ? t.unsqueeze(1) : t;
      if (s.shape[0] !== L * D || s.shape[1] !== N || s.shape[2] !== H) throw new Error(`Expected hidden${lstm ? `[${k}]` : ''} size (${L * D}, ${N}, ${H}), got [${s.shape.join(', ')}]`);
      return s;
    };
    const h0 = state(given?.[0], 0), c0 = lstm ? state(given?.[1], 1) : null;
    const hs: Tensor[] = [], cs: Tensor[] = [];
    for (let l = 0; l < L; l++) {
      const dirs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const sfx = d === 1 ? '_reverse' : '';
        const wih = this.param('weight_ih', l, sfx)!, whh = this.param('weight_hh', l, sfx)!, bih = this.param('bias_ih', l, sfx), bhh = this.param('bias_hh', l, sfx);
        let xw = matmul(x, wih.t()); // [T, N, G·H], every step's input projection at once
        if (bih) xw = xw.add(bih);
        const whhT = whh.t();
        let h = h0.index(l * D + d), c = c0 ? c0.index(l * D + d) : null;
        const outs: Tensor[] = new Array<Tensor>(T);
        for (let s = 0; s < T; s++) {
          const t = d === 1 ? T - 1 - s : s; // the reverse direction reads time backwards
          let hw = matmul(h, whhT);
          if (bhh) hw = hw.add(bhh);
          [h, c] = recurrentStep(this.mode, xw.index(t), hw, h, c);
          outs[t] = h; // in time order whichever way it was read
        }
        hs.push(h); if (c) cs.push(c);
        dirs.push(stack(outs));
      }
      x = D === 2 ? cat(dirs, 2) : dirs[0];
      if (this.dropout > 0 && this.training && l < L - 1) x = F.dropout(x, this.dropout, true);
    }
    let out = x, hn = stack(hs), cn = lstm ? stack(cs) : null;
    if (unbatched) { out = out.squeeze(1); hn = hn.squeeze(1); cn = cn?.squeeze(1) ?? null; } else if (this.batchFirst) out = out.transpose(0, 1);
    return [out, hn, cn];
  }
  /**
   * A packed batch (PyTorch's semantics): step t takes only the first batchSizes[t] sequences (they are
   * longest first), so the state is narrowed as sequences end, and each sequence's final state is the one
   * after its own last step. The reverse direction starts each sequence at its own last step, from its
   * initial state. hx and the final states are in the original batch order (permuted by sortedIndices and
   * back by unsortedIndices). The output has the input's packing.
   */
  protected runPacked(input: PackedSequence, hx: Tensor | [Tensor, Tensor] | null | undefined): [PackedSequence, Tensor, Tensor | null] {
    const name = this.constructor.name, lstm = this.mode === 'LSTM';
    if (input.data.ndim !== 2) throw new Error(`input must have 2 dimensions, got ${input.data.ndim}`);
    if (input.data.shape[1] !== this.inputSize) throw new Error(`input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${input.data.shape[1]}`);
    if (lstm && hx != null && !Array.isArray(hx)) throw new Error('LSTM(): hx must be a pair [h0, c0]');
    const bs = input._batchSizes, T = bs.length, B = bs[0], H = this.hiddenSize, L = this.numLayers, D = this.bidirectional ? 2 : 1;
    const given = hx == null ? null : Array.isArray(hx) ? hx : [hx];
    const state = (t: Tensor | undefined, k: number) => {
      if (t === undefined) return zeros([L * D, B, H], { device: input.data.device, dtype: input.data.dtype });
      if (!(t instanceof Tensor)) throw new Error(`${name}(): hx must be ${lstm ? 'a pair of tensors' : 'a tensor'}`);
      if (t.ndim !== 3 || t.shape[0] !== L * D || t.shape[1] !== B || t.shape[2] !== H) throw new Error(`Expected hidden${lstm ? `[${k}]` : ''} size (${L * D}, ${B}, ${H}), got [${t.shape.join(', ')}]`);
      return input.sortedIndices ? t.indexSelect(1, input.sortedIndices) : t; // into the packed (sorted) order
    };
    const h0 = state(given?.[0], 0), c0 = lstm ? state(given?.[1], 1) : null;
    const offsets: number[] = [];
    for (let t = 0, o = 0; t < T; o += bs[t], t++) offsets.push(o);
    let x = input.data; // [sum of lengths, in]
    const hs: Tensor[] = [], cs: Tensor[] = [];
    for (let l = 0; l < L; l++) {
      const dirs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const sfx = d === 1 ? '_reverse' : '';
        const wih = this.param('weight_ih', l, sfx)!, whh = this.param('weight_hh', l, sfx)!, bih = this.param('bias_ih', l, sfx), bhh = this.param('bias_hh', l, sfx);
        let xw = matmul(x, wih.t()); // every step's input projection at once
        if (bih) xw = xw.add(bih);
        const whhT = whh.t(), hInit = h0.index(l * D + d), cInit = c0 ? c0.index(l * D + d) : null;
        const step = (t: number, h: Tensor, c: Tensor | null) => {
          let hw = matmul(h, whhT);
          if (bhh) hw = hw.add(bhh);
          return recurrentStep(this.mode, xw.narrow(0, offsets[t], bs[t]), hw, h, c);
        };
        const outs = new Array<Tensor>(T);
        if (d === 0) {
          // forward: sequences drop out from the end of the batch as they end; their states are final
          let h = hInit, c = cInit, n = B;
          const doneH: Tensor[] = [], doneC: Tensor[] = [];
          for (let t = 0; t < T; t++) {
            if (bs[t] < n) {
              doneH.push(h.narrow(0, bs[t], n - bs[t])); if (c) doneC.push(c.narrow(0, bs[t], n - bs[t]));
              n = bs[t]; h = h.narrow(0, 0, n); c = c ? c.narrow(0, 0, n) : null;
            }
            [h, c] = step(t, h, c);
            outs[t] = h;
          }
          doneH.push(h); if (c) doneC.push(c);
          hs.push(doneH.length === 1 ? h : cat(doneH.reverse())); if (c) cs.push(doneC.length === 1 ? c : cat(doneC.reverse()));
        } else {
          // reverse: from the last step back; a sequence joins, from its initial state, at its own last step
          let n = bs[T - 1], h = n === B ? hInit : hInit.narrow(0, 0, n), c = cInit ? (n === B ? cInit : cInit.narrow(0, 0, n)) : null;
          for (let t = T - 1; t >= 0; t--) {
            if (bs[t] > n) {
              h = cat([h, hInit.narrow(0, n, bs[t] - n)]); if (c) c = cat([c, cInit!.narrow(0, n, bs[t] - n)]);
              n = bs[t];
            }
            [h, c] = step(t, h, c);
            outs[t] = h;
          }
          hs.push(h); if (c) cs.push(c);
        }
        dirs.push(T === 1 ? outs[0] : cat(outs));
      }
      x = D === 2 ? cat(dirs, 1) : dirs[0];
      if (this.dropout > 0 && this.training && l < L - 1) x = F.dropout(x, this.dropout, true);
    }
    let hn = stack(hs), cn = lstm ? stack(cs) : null;
    if (input.unsortedIndices) { hn = hn.indexSelect(1, input.unsortedIndices); cn = cn ? cn.indexSelect(1, input.unsortedIndices) : null; }
    return [input._withData(x), hn, cn];
  }
  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += ', bias=False';
    if (this.batchFirst) s += ', batch_first=True';
    if (this.dropout) s += `, dropout=${this.dropout}`;
    if (this.bidirectional) s += ', bidirectional=True';
    return s;
  }
}
/** A long short-term memory: `const [output, [hn, cn]] = lstm(x, [h0, c0]?)`; input [T, N, I] ([N, T, I] with batchFirst, or [T, I]), or a PackedSequence (output one too). */
export interface LSTM {
  (input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
  (input: PackedSequence, hx?: [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
}
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, o: RNNOptions = {}) { super('LSTM', inputSize, hiddenSize, o); }
  override forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
  override forward(input: PackedSequence, hx?: [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
  override forward(input: Tensor | PackedSequence, hx?: [Tensor, Tensor] | null): [Tensor | PackedSequence, [Tensor, Tensor]] {
    const [out, h, c] = input instanceof PackedSequence ? this.runPacked(input, hx) : this.run(input, hx);
    return [out, [h, c!]];
  }
}
/** A gated recurrent unit: `const [output, hn] = gru(x, h0?)`; x a tensor or a PackedSequence (output one too). */
export interface GRU {
  (input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  (input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
}
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, o: RNNOptions = {}) { super('GRU', inputSize, hiddenSize, o); }
  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  override forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  override forward(input: Tensor | PackedSequence, hx?: Tensor | null): [Tensor | PackedSequence, Tensor] {
    const [out, h] = input instanceof PackedSequence ? this.runPacked(input, hx) : this.run(input, hx);
    return [out, h];
  }
}
/** An Elman RNN, h' = tanh (or relu) of W_ih·x + b_ih + W_hh·h + b_hh: `const [output, hn] = rnn(x, h0?)`; x a tensor or a PackedSequence (output one too). */
export interface RNN {
  (input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  (input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
}
export class RNN extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, o: RNNOptions & { nonlinearity?: 'tanh' | 'relu' } = {}) {
    const nl = o.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new Error(`Unknown nonlinearity '${String(nl)}'. Select from 'tanh' or 'relu'.`);
    super(nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, o);
  }
  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  override forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  override forward(input: Tensor | PackedSequence, hx?: Tensor | null): [Tensor | PackedSequence, Tensor] {
    const [out, h] = input instanceof PackedSequence ? this.runPacked(input, hx) : this.run(input, hx);
    return [out, h];
  }
}

export interface RNNCellOptions { bias?: boolean; device?: string; dtype?: TensorOptions['dtype'] }
/**
 * One step of a recurrent layer on its own: weight_ih [G·H, I], weight_hh [G·H, H], bias_ih, bias_hh
 * [G·H] (PyTorch's names, no layer suffix), uniform in ±1/√H; the step is RNNBase's (recurrentStep).
 * Input [N, I] or [I] (then the states are [H]); a missing state is zeros.
 */
abstract class RNNCellBase extends Module {
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih: Parameter | null;
  bias_hh: Parameter | null;
  constructor(private readonly mode: RecurrentMode, readonly inputSize: number, readonly hiddenSize: number, o: RNNCellOptions) {
    super();
    for (const [n, v] of [['input_size', inputSize], ['hidden_size', hiddenSize]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${new.target.name}(): ${n} must be a positive integer, got ${v}`);
    }
    const G = GATES[mode] * hiddenSize, init = (shape: number[]) => uniformParameter(shape, 1 / Math.sqrt(hiddenSize), o);
    this.weight_ih = init([G, inputSize]);
    this.weight_hh = init([G, hiddenSize]);
    this.bias_ih = o.bias === false ? null : init([G]);
    this.bias_hh = o.bias === false ? null : init([G]);
  }
  /** The next hidden (and cell) state, PyTorch's checks and messages (1.13). */
  protected step(input: Tensor, hx: Tensor | null | undefined, cx: Tensor | null | undefined): [Tensor, Tensor | null] {
    const name = this.constructor.name;
    if (!(input instanceof Tensor)) throw new Error(`${name}(): input must be a Tensor`);
    if (input.ndim !== 1 && input.ndim !== 2) throw new Error(`${name}: Expected input to be 1-D or 2-D but received ${input.ndim}-D tensor`);
    const unbatched = input.ndim === 1, x = unbatched ? input.unsqueeze(0) : input, N = x.shape[0], H = this.hiddenSize;
    if (x.shape[1] !== this.inputSize) throw new Error(`input has inconsistent input_size: got ${x.shape[1]} expected ${this.inputSize}`);
    const state = (t: Tensor | null | undefined, k: number) => {
      if (t == null) return zeros([N, H], { device: input.device, dtype: input.dtype });
      const s = unbatched ? t.unsqueeze(0) : t;
      if (s.ndim < 2) throw new Error(`${name}(): hidden${k} must be ${unbatched ? '1' : '2'}-D [${unbatched ? '' : 'N, '}${H}], got shape ${fmtShape(t.shape)}`);
      if (s.shape[0] !== N) throw new Error(`Input batch size ${N} doesn't match hidden${k} batch size ${s.shape[0]}`);
      if (s.shape[1] !== H) throw new Error(`hidden${k} has inconsistent hidden_size: got ${s.shape[1]}, expected ${H}`);
      return s;
    };
    const h = state(hx, 0), c = this.mode === 'LSTM' ? state(cx, 0) : null; // (PyTorch labels the cell state hidden0 too)
    const xw = F.linear(x, this.weight_ih, this.bias_ih), hw = F.linear(h, this.weight_hh, this.bias_hh);
    const [h2, c2] = recurrentStep(this.mode, xw, hw, h, c);
    return unbatched ? [h2.squeeze(0), c2?.squeeze(0) ?? null] : [h2, c2];
  }
  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.bias_ih === null) s += ', bias=False';
    if (this.mode === 'RNN_RELU') s += ', nonlinearity=relu';
    return s;
  }
}
/** An LSTM's step: `const [h1, c1] = cell(x, [h0, c0]?)`. */
export interface LSTMCell { (input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, Tensor] }
export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, o: RNNCellOptions = {}) { super('LSTM', inputSize, hiddenSize, o); }
  override forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, Tensor] {
    if (hx != null && !Array.isArray(hx)) throw new Error("lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, not Tensor");
    const [h, c] = this.step(input, hx?.[0], hx?.[1]);
    return [h, c!];
  }
}
/** A GRU's step: `const h1 = cell(x, h0?)`. */
export interface GRUCell { (input: Tensor, hx?: Tensor | null): Tensor }
export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, o: RNNCellOptions = {}) { super('GRU', inputSize, hiddenSize, o); }
  override forward(input: Tensor, hx?: Tensor | null): Tensor { return this.step(input, hx, null)[0]; }
}
/** An Elman RNN's step, h' = tanh (or relu) of W_ih·x + b_ih + W_hh·h + b_hh: `const h1 = cell(x, h0?)`. */
export interface RNNCell { (input: Tensor, hx?: Tensor | null): Tensor }
export class RNNCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, o: RNNCellOptions & { nonlinearity?: 'tanh' | 'relu' } = {}) {
    const nl = o.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new Error(`Unknown nonlinearity: ${String(nl)}`);
    super(nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, o);
  }
  override forward(input: Tensor, hx?: Tensor | null): Tensor { return this.step(input, hx, null)[0]; }
}

// =============================================================== activations

export class ReLU extends Module { override forward(x: Tensor): Tensor { return x.relu(); } }
export class Sigmoid extends Module { override forward(x: Tensor): Tensor { return x.sigmoid(); } }
export class Tanh extends Module { override forward(x: Tensor): Tensor { return x.tanh(); } }
export class SiLU extends Module { override forward(x: Tensor): Tensor { return F.silu(x); } }
export class Softmax extends Module {
  constructor(readonly dim: number) { super(); }
  override forward(x: Tensor): Tensor { return x.softmax(this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}
export class LogSoftmax extends Module {
  constructor(readonly dim: number) { super(); }
  override forward(x: Tensor): Tensor { return x.logSoftmax(this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) { super(); }
  override forward(x: Tensor): Tensor { return F.leakyRelu(x, this.negativeSlope); }
  override extraRepr(): string { return `negative_slope=${this.negativeSlope}`; }
}
export class ELU extends Module {
  constructor(readonly alpha = 1) { super(); }
  override forward(x: Tensor): Tensor { return F.elu(x, this.alpha); }
  override extraRepr(): string { return `alpha=${pyFloat(this.alpha)}`; }
}
export class Softplus extends Module {
  constructor(readonly beta = 1, readonly threshold = 20) { super(); }
  override forward(x: Tensor): Tensor { return F.softplus(x, this.beta, this.threshold); }
  override extraRepr(): string { return `beta=${this.beta}, threshold=${this.threshold}`; }
}
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') { super(); }
  override forward(x: Tensor): Tensor { return F.gelu(x, { approximate: this.approximate }); }
  override extraRepr(): string { return `approximate='${this.approximate}'`; }
}

/** F.hardtanh: x clamped to [minVal, maxVal]. */
export class Hardtanh extends Module {
  constructor(readonly minVal = -1, readonly maxVal = 1) { super(); }
  override forward(x: Tensor): Tensor { return F.hardtanh(x, this.minVal, this.maxVal); }
  override extraRepr(): string { return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}`; }
}
export class ReLU6 extends Module { override forward(x: Tensor): Tensor { return F.relu6(x); } }
export class Hardsigmoid extends Module { override forward(x: Tensor): Tensor { return F.hardsigmoid(x); } }
export class Hardswish extends Module { override forward(x: Tensor): Tensor { return F.hardswish(x); } }
export class Mish extends Module { override forward(x: Tensor): Tensor { return F.mish(x); } }
export class SELU extends Module { override forward(x: Tensor): Tensor { return F.selu(x); } }
export class CELU extends Module {
  constructor(readonly alpha = 1) { super(); }
  override forward(x: Tensor): Tensor { return F.celu(x, this.alpha); }
  override extraRepr(): string { return `alpha=${pyFloat(this.alpha)}`; }
}
export class LogSigmoid extends Module { override forward(x: Tensor): Tensor { return F.logsigmoid(x); } }
export class Softsign extends Module { override forward(x: Tensor): Tensor { return F.softsign(x); } }
export class Tanhshrink extends Module { override forward(x: Tensor): Tensor { return F.tanhshrink(x); } }
export class Softmin extends Module {
  constructor(readonly dim: number) { super(); }
  override forward(x: Tensor): Tensor { return F.softmin(x, this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}
export class GLU extends Module {
  constructor(readonly dim = -1) { super(); }
  override forward(x: Tensor): Tensor { return F.glu(x, this.dim); }
  override extraRepr(): string { return `dim=${this.dim}`; }
}
/** F.adaptiveAvgPool2d: outputSize a number or [oh, ow] (null keeps that input size). */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | [number | null, number | null]) { super(); }
  override forward(x: Tensor): Tensor { return F.adaptiveAvgPool2d(x, this.outputSize); }
  override extraRepr(): string {
    const o = this.outputSize;
    return `output_size=${typeof o === 'number' ? o : `(${o.map((v) => (v === null ? 'None' : v)).join(', ')})`}`;
  }
}
/** F.adaptiveAvgPool1d to outputSize. */
export class AdaptiveAvgPool1d extends Module {
  constructor(readonly outputSize: number) { super(); }
  override forward(x: Tensor): Tensor { return F.adaptiveAvgPool1d(x, this.outputSize); }
  override extraRepr(): string { return `output_size=${this.outputSize}`; }
}
/** Resizes [N, C, L], [N, C, H, W] or [N, C, D, H, W] inputs to size or by scaleFactor (F.interpolate; modes 'nearest', 'linear', 'bilinear', 'bicubic', 'trilinear'). */
export class Upsample extends Module {
  readonly size: number | number[] | null;
  readonly scaleFactor: number | number[] | null;
  readonly mode: F.InterpolateMode;
  readonly alignCorners: boolean | null;
  constructor(o: { size?: number | number[] | null; scaleFactor?: number | number[] | null; mode?: F.InterpolateMode; alignCorners?: boolean | null } = {}) {
    super();
    this.size = o.size ?? null; this.scaleFactor = o.scaleFactor ?? null; this.mode = o.mode ?? 'nearest'; this.alignCorners = o.alignCorners ?? null;
  }
  override forward(x: Tensor): Tensor {
    if (x.ndim < 3 || x.ndim > 5) throw new Error(`Input Error: Only 3D, 4D and 5D input Tensors supported (got ${x.ndim}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${this.mode})`);
    return F.interpolate(x, { size: this.size ?? undefined, scaleFactor: this.scaleFactor ?? undefined, mode: this.mode, alignCorners: this.alignCorners });
  }
  override extraRepr(): string {
    const tuple = (v: number[], f: (n: number) => string) => `(${v.map(f).join(', ')}${v.length === 1 ? ',' : ''})`;
    const info = this.scaleFactor !== null
      ? `scale_factor=${Array.isArray(this.scaleFactor) ? tuple(this.scaleFactor, pyFloat) : pyFloat(this.scaleFactor)}`
      : `size=${this.size === null ? 'None' : Array.isArray(this.size) ? tuple(this.size, String) : this.size}`;
    return `${info}, mode=${this.mode}`;
  }
}
/** F.cosineSimilarity along dim (default 1). */
export class CosineSimilarity extends Module {
  constructor(readonly options: { dim?: number; eps?: number } = {}) { super(); }
  override forward(x1: Tensor, x2: Tensor): Tensor { return F.cosineSimilarity(x1, x2, this.options); }
}

// =============================================================== losses

/** Losses: `new nn.MSELoss()(prediction, target)`, options as their functional forms take them. */
export class MSELoss extends Module {
  constructor(readonly options: F.LossOptions = {}) { super(); }
  override forward(input: Tensor, target: Tensor): Tensor { return F.mseLoss(input, target, this.options); }
}
export class L1Loss extends Module {
  constructor(readonly options: F.LossOptions = {}) { super(); }
  override forward(input: Tensor, target: Tensor): Tensor { return F.l1Loss(input, target, this.options); }
}
export class HuberLoss extends Module {
  constructor(readonly options: F.HuberOptions = {}) { super(); }
  override forward(input: Tensor, target: Tensor): Tensor { return F.huberLoss(input, target, this.options); }
}
export class SmoothL1Loss extends Module {
  constructor(readonly options: F.SmoothL1Options = {}) { super(); }
  override forward(input: Tensor, target: Tensor): Tensor { return F.smoothL1Loss(input, target, this.options); }
}
export class KLDivLoss extends Module {
  constructor(readonly options: F.KlDivOptions = {}) { super(); }
  override forward(input: Tensor, target: Tensor): Tensor { return F.klDiv(input, target, this.options); }
}
/**
 * A loss whose class (or element) weights are buffers, as PyTorch registers them: `to()` moves them
 * with the model, the state dict holds them (weight, pos_weight).
 */
abstract class WeightedLoss<O extends { weight?: Tensor | null; posWeight?: Tensor | null }> extends Module {
  weight: Tensor | null;
  posWeight: Tensor | null;
  constructor(readonly options: O) {
    super();
    this.weight = options.weight ? keep(options.weight) : null;
    this.posWeight = options.posWeight ? keep(options.posWeight) : null;
  }
  protected override stateName(p: string): string { return p === 'posWeight' ? 'pos_weight' : p; }
  /** The options with the buffers as they are now (moved by to()). */
  protected opts(): O { return { ...this.options, weight: this.weight, posWeight: this.posWeight }; }
}
export class CrossEntropyLoss extends WeightedLoss<F.CrossEntropyOptions> {
  constructor(options: F.CrossEntropyOptions = {}) { super(options); }
  override forward(input: Tensor, target: Tensor): Tensor { return F.crossEntropy(input, target, this.opts()); }
}
export class NLLLoss extends WeightedLoss<F.NllOptions> {
  constructor(options: F.NllOptions = {}) { super(options); }
  override forward(input: Tensor, target: Tensor): Tensor { return F.nllLoss(input, target, this.opts()); }
}
export class BCELoss extends WeightedLoss<F.BceOptions> {
  constructor(options: F.BceOptions = {}) { super(options); }
  override forward(input: Tensor, target: Tensor): Tensor { return F.binaryCrossEntropy(input, target, this.opts()); }
}
export class BCEWithLogitsLoss extends WeightedLoss<F.BceLogitsOptions> {
  constructor(options: F.BceLogitsOptions = {}) { super(options); }
  override forward(input: Tensor, target: Tensor): Tensor { return F.binaryCrossEntropyWithLogits(input, target, this.opts()); }
}

