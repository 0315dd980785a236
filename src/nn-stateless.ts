/**
 * torch.nn.utils.stateless (PyTorch 1.13's): functionalCall(module, parametersAndBuffers, args) calls the
 * module with the given tensors in place of its parameters and buffers of those names, so autograd
 * differentiates the result with respect to the given tensors. Re-exported by src/nn-utils.ts as
 * nn.utils.stateless.
 *
 * nn.ts imports this file (through nn-utils.ts) before it has defined Module: Module is only used when a
 * function here runs.
 */
import { Tensor } from './tensor.ts';
import { Module } from './nn.ts';

type Rec = Record<string, unknown>;
interface Swap { owner: Module; prop: string; name: string; given: Tensor; before: PropertyDescriptor | undefined; own: boolean }

/** The property of m a state-dict name stands for (its own name, or the property whose stateName it is). */
function propertyOf(m: Module, leaf: string): string {
  if (Object.prototype.hasOwnProperty.call(m, leaf)) return leaf;
  const stateName = (m as unknown as { stateName(p: string): string }).stateName.bind(m);
  return Object.keys(m).find((k) => stateName(k) === leaf) ?? leaf;
}

/**
 * Swaps each named tensor in (as PyTorch 1.13's _reparametrize_module): a name is a path of submodule
 * properties ('0.weight', 'bn.running_mean'); a name the module lacks is added for the call. A tied
 * tensor (one object under two names) given two different replacements: PyTorch's deprecation warning.
 */
function swapIn(module: Module, parametersAndBuffers: Record<string, Tensor>): Swap[] {
  const swaps: Swap[] = [], replaced = new Map<unknown, Tensor>();
  try {
    for (const [name, given] of Object.entries(parametersAndBuffers)) {
      if (!(given instanceof Tensor)) throw new TypeError(`functionalCall: the value for '${name}' must be a Tensor, got ${given === null ? 'null' : typeof given}`);
      const path = name.split('.');
      let owner: Module = module;
      for (const part of path.slice(0, -1)) {
        const next = (owner as unknown as Rec)[part];
        if (!(next instanceof Module)) throw new Error(`'${owner.constructor.name}' object has no attribute '${part}'`);
        owner = next;
      }
      const prop = propertyOf(owner, path[path.length - 1]);
      const rec = owner as unknown as Rec;
      if (prop in rec) {
        const old = rec[prop];
        if (!replaced.has(old)) replaced.set(old, given);
        else if (replaced.get(old) !== given) {
          process.emitWarning('functional_call was passed multiple values for tied weights. This behavior is deprecated and will be an error in future versions', 'UserWarning');
        }
      }
      const before = Object.getOwnPropertyDescriptor(owner, prop);
      // An own writable value keeps its place among the module's properties (their order is the order of
      // namedParameters); an accessor (a parametrized tensor) or a missing name is shadowed for the call.
      const own = before !== undefined && 'value' in before && before.writable === true;
      if (own) rec[prop] = given;
      else Object.defineProperty(owner, prop, { value: given, writable: true, configurable: true, enumerable: before?.enumerable ?? true });
      swaps.push({ owner, prop, name, given, before, own });
    }
  } catch (e) {
    restore(swaps, null);
    throw e;
  }
  return swaps;
}
/** Puts the originals back, last swapped first; a tensor the call assigned in place of a given one goes to
 * the dictionary (PyTorch's calls write such assignments there). */
function restore(swaps: Swap[], parametersAndBuffers: Record<string, Tensor> | null): void {
  for (const s of [...swaps].reverse()) {
    const rec = s.owner as unknown as Rec;
    const now = rec[s.prop];
    if (parametersAndBuffers !== null && now !== s.given && now instanceof Tensor) parametersAndBuffers[s.name] = now;
    if (s.own) rec[s.prop] = s.before!.value;
    else if (s.before !== undefined) Object.defineProperty(s.owner, s.prop, s.before);
    else delete rec[s.prop];
  }
}

/**
 * torch.nn.utils.stateless.functional_call: module(...args) (an array is the argument list, anything else
 * the only argument) with the tensors of parametersAndBuffers, by the names namedParameters and
 * namedBuffers give, in place of the module's own for the call; they are restored after it (also when it
 * throws, or, for a promise, when it settles). The module's own tensors are neither read nor changed.
 */
export function functionalCall<R = Tensor>(module: Module, parametersAndBuffers: Record<string, Tensor>, args: unknown): R {
  if (!(module instanceof Module)) throw new TypeError(`functionalCall: expected a Module, got ${module === null ? 'null' : typeof module}`);
  const swaps = swapIn(module, parametersAndBuffers);
  let out: unknown;
  try {
    out = Array.isArray(args) ? module(...args) : module(args);
  } catch (e) {
    restore(swaps, parametersAndBuffers);
    throw e;
  }
  if (out instanceof Promise) return out.finally(() => restore(swaps, parametersAndBuffers)) as R;
  restore(swaps, parametersAndBuffers);
  return out as R;
}
