/**
 * torch.autograd.functional (PyTorch 1.13's torch/autograd/functional.py): vjp, jvp, jacobian, hessian,
 * hvp and vhp of a function of tensors, built on autograd.grad as PyTorch builds them (jvp and hvp by the
 * double-backward trick). A JavaScript array stands for a Python tuple: inputs, v and the function's
 * outputs are each a tensor or an array of tensors, and a result is an array exactly where PyTorch's is a
 * tuple (a jacobian of array outputs and array inputs is an array, per output, of arrays, per input).
 * The function may be async. All of these are async, as autograd.grad is.
 */
import { Tensor, grad as autogradGrad, stack, zerosLike } from './tensor.ts';
import { enableGrad } from './autograd/graph.ts';

type Tensors = Tensor | Tensor[];
/** A function of tensors: one tensor or an array of tensors, or a promise of either. */
export type FunctionalFn = (...inputs: Tensor[]) => Tensors | Promise<Tensors>;
export interface FunctionalOptions { createGraph?: boolean; strict?: boolean }
export interface JacobianOptions extends FunctionalOptions { vectorize?: boolean; strategy?: 'reverse-mode' | 'forward-mode' }
export interface HessianOptions extends FunctionalOptions { vectorize?: boolean; outerJacobianStrategy?: 'reverse-mode' | 'forward-mode' }

type Grads = Array<Tensor | null>;

function typeName(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'Array';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  return typeof x;
}

/** _as_tuple: [whether it was an array, its tensors], or PyTorch's TypeError for anything else. */
function asTuple(inp: unknown, argName: string, fnName: string): [boolean, Tensor[]] {
  const isTuple = Array.isArray(inp);
  const items: unknown[] = isTuple ? inp : [inp];
  items.forEach((el, i) => {
    if (!(el instanceof Tensor)) {
      throw new TypeError(isTuple
        ? `The ${argName} given to ${fnName} must be either a Tensor or a tuple of Tensors but the value at index ${i} has type ${typeName(el)}.`
        : `The ${argName} given to ${fnName} must be either a Tensor or a tuple of Tensors but the given ${argName} has type ${typeName(el)}.`);
    }
  });
  return [isTuple, items as Tensor[]];
}

/** _tuple_postprocess: unwraps the levels that were not arrays. */
function tuplePostprocess<T>(res: T[], toUnpack: boolean): T | T[];
function tuplePostprocess<T>(res: T[][], toUnpack: [boolean, boolean]): T | T[] | T[][];
function tuplePostprocess(res: unknown[], toUnpack: boolean | [boolean, boolean]): unknown {
  if (Array.isArray(toUnpack)) {
    let r: unknown[] = res;
    if (!toUnpack[1]) r = (r as unknown[][]).map((el) => el[0]);
    return toUnpack[0] ? r : r[0];
  }
  return toUnpack ? res : res[0];
}

/** _grad_preprocess: inputs the function's graph starts at (a view keeps a createGraph result connected to the caller's). */
function gradPreprocess(inputs: Tensor[], createGraph: boolean, needGraph: boolean): Tensor[] {
  return inputs.map((inp) => (createGraph && inp.requiresGrad ? enableGrad(() => inp.viewAs(inp)) : inp.detach().requiresGrad_(needGraph)));
}
function gradPostprocess(ts: Tensor[], createGraph: boolean): Tensor[] { return createGraph ? ts : ts.map((t) => t.detach()); }

function validateV(v: Tensor[], other: Tensor[], isOtherTuple: boolean): void {
  if (v.length !== other.length) {
    throw new Error(isOtherTuple ? `v is a tuple of invalid length: should be ${other.length} but got ${v.length}.` : 'The given v should contain a single Tensor.');
  }
  v.forEach((el, i) => {
    const o = other[i];
    if (el.shape.length !== o.shape.length || el.shape.some((s, d) => s !== o.shape[d])) {
      throw new Error(`${isOtherTuple ? `Entry ${i} in ` : ''}v has invalid size: should be torch.Size([${o.shape.join(', ')}]) but got torch.Size([${el.shape.join(', ')}]).`);
    }
  });
}

type CheckKind = 'outputs' | 'grad_inputs' | 'jacobian' | 'hessian';
function checkRequiresGrad(inputs: Grads, kind: CheckKind, strict: boolean): void {
  if (!strict) return;
  inputs.forEach((inp, i) => {
    if (inp === null) throw new Error(`The output of the user-provided function is independent of input ${i}. This is not allowed in strict mode.`);
    if (inp.requiresGrad) return;
    if (kind === 'hessian') {
      throw new Error(`The hessian of the user-provided function with respect to input ${i} is independent of the input. This is not allowed in strict mode. ` +
        'You should ensure that your function is thrice differentiable and that the hessian depends on the inputs.');
    }
    if (kind === 'jacobian') {
      throw new Error(`While computing the hessian, found that the jacobian of the user-provided function with respect to input ${i} is independent of the input. ` +
        'This is not allowed in strict mode. You should ensure that your function is twice differentiable and that the jacobian depends on the inputs ' +
        '(this would be violated by a linear function for example).');
    }
    if (kind === 'grad_inputs') throw new Error(`The gradient with respect to input ${i} is independent of the inputs of the user-provided function. This is not allowed in strict mode.`);
    throw new Error(`Output ${i} of the user-provided function does not require gradients. The outputs must be computed in a differentiable manner from the input when running in strict mode.`);
  });
}

/** _autograd_grad: autograd.grad over the outputs that require grad (null for every input when none do), allowUnused. */
async function gradOf(outputs: Grads, inputs: Tensor[], gradOutputs: Grads | null, createGraph: boolean, retainGraph?: boolean): Promise<Grads> {
  const outs: Tensor[] = [], gos: Grads = [];
  outputs.forEach((o, i) => {
    if (o !== null && o.requiresGrad) { outs.push(o); gos.push(gradOutputs === null ? null : gradOutputs[i]); }
  });
  if (outs.length === 0) return inputs.map(() => null);
  return autogradGrad(outs, inputs, { gradOutputs: gos, allowUnused: true, createGraph, retainGraph });
}

type Stage = 'back' | 'back_trick' | 'double_back' | 'double_back_trick';
function fillInZeros(grads: Grads, refs: Tensor[], strict: boolean, createGraph: boolean, stage: Stage): Tensor[] {
  return grads.map((g, i) => {
    if (g === null) {
      if (strict) {
        if (stage === 'back') throw new Error(`The output of the user-provided function is independent of input ${i}. This is not allowed in strict mode.`);
        if (stage === 'back_trick') {
          throw new Error(`The gradient with respect to the input is independent of entry ${i} in the grad_outputs when using the double backward trick to compute forward mode gradients. This is not allowed in strict mode.`);
        }
        if (stage === 'double_back') throw new Error(`The jacobian of the user-provided function is independent of input ${i}. This is not allowed in strict mode.`);
        throw new Error(`The hessian of the user-provided function is independent of entry ${i} in the grad_jacobian. This is not allowed in strict mode as it prevents from using the double backward trick to replace forward mode AD.`);
      }
      return zerosLike(refs[i]);
    }
    if (strict && createGraph && !g.requiresGrad) {
      throw new Error(`The ${stage.includes('double') ? 'hessian' : 'jacobian'} of the user-provided function is independent of input ${i}. This is not allowed in strict mode when create_graph=True.`);
    }
    return g;
  });
}

async function call(func: FunctionalFn, inputs: Tensor[]): Promise<unknown> {
  return enableGrad(async () => func(...inputs));
}

/** The vector v (preprocessed), or the check that it may be left out. */
function vectorOf(v: Tensors | null | undefined, fnName: string, createGraph: boolean): Tensor[] | null {
  if (v === undefined || v === null) return null;
  return gradPreprocess(asTuple(v, 'v', fnName)[1], createGraph, false);
}

/**
 * torch.autograd.functional.vjp: [func(inputs), vᵀ·J] (each a tensor or an array as func's outputs and the
 * inputs are). v may be left out when func returns a single one-element tensor.
 */
export async function vjp(func: FunctionalFn, inputs: Tensors, v?: Tensors | null, o: FunctionalOptions = {}): Promise<[Tensors, Tensors]> {
  const createGraph = o.createGraph === true, strict = o.strict === true;
  const [isInputsTuple, ins0] = asTuple(inputs, 'inputs', 'vjp');
  const ins = gradPreprocess(ins0, createGraph, true);
  const [isOutputsTuple, outs] = asTuple(await call(func, ins), 'outputs of the user-provided function', 'vjp');
  checkRequiresGrad(outs, 'outputs', strict);
  const vs = vectorOf(v, 'vjp', createGraph);
  if (vs !== null) validateV(vs, outs, isOutputsTuple);
  else if (outs.length !== 1 || outs[0].numel() !== 1) {
    throw new Error('The vector v can only be None if the user-provided function returns a single Tensor with a single element.');
  }
  const res = fillInZeros(await gradOf(outs, ins, vs, createGraph), ins, strict, createGraph, 'back');
  return [tuplePostprocess(gradPostprocess(outs, createGraph), isOutputsTuple), tuplePostprocess(gradPostprocess(res, createGraph), isInputsTuple)];
}

/**
 * torch.autograd.functional.jvp: [func(inputs), J·v], by the double-backward trick as PyTorch 1.13 (a vjp
 * with a zero vector that requires grad, differentiated with respect to that vector). v may be left out
 * when the input is a single one-element tensor.
 */
export async function jvp(func: FunctionalFn, inputs: Tensors, v?: Tensors | null, o: FunctionalOptions = {}): Promise<[Tensors, Tensors]> {
  const createGraph = o.createGraph === true, strict = o.strict === true;
  const [isInputsTuple, ins0] = asTuple(inputs, 'inputs', 'jvp');
  const ins = gradPreprocess(ins0, createGraph, true);
  const vs = vectorOf(v, 'jvp', createGraph);
  if (vs !== null) validateV(vs, ins, isInputsTuple);
  else if (ins.length !== 1 || ins[0].numel() !== 1) {
    throw new Error('The vector v can only be None if the input to the user-provided function is a single Tensor with a single element.');
  }
  const [isOutputsTuple, outs] = asTuple(await call(func, ins), 'outputs of the user-provided function', 'jvp');
  checkRequiresGrad(outs, 'outputs', strict);
  const gradOutputs = outs.map((t) => zerosLike(t).requiresGrad_(true));
  const gradInputs = await gradOf(outs, ins, gradOutputs, true);
  checkRequiresGrad(gradInputs, 'grad_inputs', strict);
  const res = fillInZeros(await gradOf(gradInputs, gradOutputs, vs, createGraph), outs, strict, createGraph, 'back_trick');
  return [tuplePostprocess(gradPostprocess(outs, createGraph), isOutputsTuple), tuplePostprocess(gradPostprocess(res, createGraph), isOutputsTuple)];
}

/** One output's row block: [d out / d input_j for each j], each of shape out.shape ++ input_j.shape. */
async function jacobianRows(outs: Tensor[], ins: Tensor[], createGraph: boolean, strict: boolean): Promise<Tensor[][]> {
  const jac: Tensor[][] = [];
  for (let i = 0; i < outs.length; i++) {
    const out = outs[i];
    const rows: Tensor[][] = ins.map(() => []);
    const n = out.numel();
    for (let j = 0; j < n; j++) {
      // (PyTorch differentiates out.reshape(-1)[j]; the gradient of out with the j-th one-hot vector is the
      // same row and keeps an indexing backward out of a createGraph result)
      const basis = new Array<number>(n).fill(0);
      basis[j] = 1;
      const vj = await gradOf([out], ins, [out.newTensor(basis).reshape([...out.shape])], createGraph, true);
      vj.forEach((g, k) => {
        if (g !== null) {
          if (strict && createGraph && !g.requiresGrad) {
            throw new Error(`The jacobian of the user-provided function is independent of input ${i}. This is not allowed in strict mode when create_graph=True.`);
          }
          rows[k].push(g);
        } else {
          if (strict) throw new Error(`Output ${i} of the user-provided function is independent of input ${k}. This is not allowed in strict mode.`);
          rows[k].push(zerosLike(ins[k]));
        }
      });
    }
    const build = () => rows.map((r, k) => (r.length === 0 ? zerosLike(ins[k]).reshape([...out.shape, ...ins[k].shape]) : stack(r, 0).view([...out.shape, ...ins[k].shape])));
    jac.push(createGraph ? enableGrad(build) : build());
  }
  return jac;
}

/**
 * torch.autograd.functional.jacobian: d outputs / d inputs, each block of shape output.shape ++ input.shape;
 * a tensor for a tensor function of a tensor, an array per output and/or per input where func's outputs or
 * the inputs are arrays. vectorize and strategy 'forward-mode' give the same values (computed by reverse
 * mode here: troupe has no forward-mode AD) with PyTorch's checks of those options.
 */
export async function jacobian(func: FunctionalFn, inputs: Tensors, o: JacobianOptions = {}): Promise<Tensor | Tensor[] | Tensor[][]> {
  const createGraph = o.createGraph === true, strict = o.strict === true, vectorize = o.vectorize === true;
  const strategy = o.strategy ?? 'reverse-mode';
  if (strategy !== 'forward-mode' && strategy !== 'reverse-mode') {
    throw new Error('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your function has more outputs than inputs, "forward-mode" tends to be more performant. Otherwise, prefer to use "reverse-mode".');
  }
  if (strategy === 'forward-mode') {
    if (createGraph) {
      throw new Error('torch.autograd.functional.jacobian: `create_graph=True` and `strategy="forward-mode"` are not supported together (yet). Please either set `create_graph=False` or `strategy="reverse-mode"`.');
    }
    if (strict) {
      throw new Error('torch.autograd.functional.jacobian: `strict=True` and `strategy="forward-mode"` are not supported together (yet). Please either set `strict=False` or `strategy="reverse-mode"`.');
    }
    if (!vectorize) throw new Error('Computing Jacobian using forward-AD or forward-over-reverse Hessian isonly implemented for `vectorize=True`.');
  }
  const [isInputsTuple, ins0] = asTuple(inputs, 'inputs', 'jacobian');
  const ins = gradPreprocess(ins0, createGraph, true);
  const [isOutputsTuple, outs] = asTuple(await call(func, ins), 'outputs of the user-provided function', 'jacobian');
  checkRequiresGrad(outs, 'outputs', strict);
  if (vectorize && strict) {
    throw new Error('torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not supported together. Please either set `strict=False` or `vectorize=False`.');
  }
  const jac = (await jacobianRows(outs, ins, createGraph, strict)).map((row) => gradPostprocess(row, createGraph));
  return tuplePostprocess(jac, [isOutputsTuple, isInputsTuple]);
}

/**
 * torch.autograd.functional.hessian of a function returning a single one-element tensor: the jacobian of
 * its jacobian, blocks of shape input_i.shape ++ input_j.shape (an array of arrays for array inputs).
 */
export async function hessian(func: FunctionalFn, inputs: Tensors, o: HessianOptions = {}): Promise<Tensor | Tensor[] | Tensor[][]> {
  const strict = o.strict === true;
  const [isInputsTuple, ins] = asTuple(inputs, 'inputs', 'hessian');
  const strategy = o.outerJacobianStrategy ?? 'reverse-mode';
  if (strategy !== 'forward-mode' && strategy !== 'reverse-mode') throw new Error('Expected strategy to be either "forward-mode" or "reverse-mode".');
  const ensureSingleOutput: FunctionalFn = async (...inp) => {
    const out = await func(...inp);
    const [isOutTuple, tOut] = asTuple(out, 'outputs of the user-provided function', 'hessian');
    checkRequiresGrad(tOut, 'outputs', strict);
    if (isOutTuple) throw new Error('The function given to hessian should return a single Tensor');
    if (tOut[0].numel() !== 1) throw new Error('The Tensor returned by the function given to hessian should contain a single element');
    return enableGrad(() => tOut[0].squeeze());
  };
  const jacFunc: FunctionalFn = async (...inp) => {
    if (strategy === 'forward-mode') inp.forEach((t) => t.requiresGrad_(true));
    const jac = await jacobian(ensureSingleOutput, inp, { createGraph: true }) as Tensor[];
    checkRequiresGrad(jac, 'jacobian', strict);
    return jac;
  };
  const res = await jacobian(jacFunc, ins, { createGraph: o.createGraph, strict, vectorize: o.vectorize, strategy }) as Tensor[][];
  return tuplePostprocess(res, [isInputsTuple, isInputsTuple]);
}

/** The shared start of hvp and vhp: preprocessed inputs and v, the single output and its gradient (with a graph). */
async function secondOrderStart(fnName: 'hvp' | 'vhp', func: FunctionalFn, inputs: Tensors, v: Tensors | null | undefined, createGraph: boolean, strict: boolean) {
  const [isInputsTuple, ins0] = asTuple(inputs, 'inputs', fnName);
  const ins = gradPreprocess(ins0, createGraph, true);
  const vs = vectorOf(v, fnName, createGraph);
  if (vs !== null) validateV(vs, ins, isInputsTuple);
  else if (ins.length !== 1 || ins[0].numel() !== 1) {
    throw new Error('The vector v can only be None if the input to the user-provided function is a single Tensor with a single element.');
  }
  const [isOutputsTuple, outs] = asTuple(await call(func, ins), 'outputs of the user-provided function', fnName);
  checkRequiresGrad(outs, 'outputs', strict);
  if (isOutputsTuple) throw new Error(`The function given to ${fnName} should return a single Tensor`);
  if (outs[0].numel() !== 1) throw new Error(`The Tensor returned by the function given to ${fnName} should contain a single element`);
  const jac = await gradOf(outs, ins, null, true);
  checkRequiresGrad(jac, 'jacobian', strict);
  return { isInputsTuple, isOutputsTuple, ins, vs, outs, jac };
}

/** torch.autograd.functional.vhp: [func(inputs), vᵀ·H] for a function returning a single one-element tensor. */
export async function vhp(func: FunctionalFn, inputs: Tensors, v?: Tensors | null, o: FunctionalOptions = {}): Promise<[Tensors, Tensors]> {
  const createGraph = o.createGraph === true, strict = o.strict === true;
  const { isInputsTuple, isOutputsTuple, ins, vs, outs, jac } = await secondOrderStart('vhp', func, inputs, v, createGraph, strict);
  const res = fillInZeros(await gradOf(jac, ins, vs, createGraph), ins, strict, createGraph, 'double_back');
  return [tuplePostprocess(gradPostprocess(outs, createGraph), isOutputsTuple), tuplePostprocess(gradPostprocess(res, createGraph), isInputsTuple)];
}

/**
 * torch.autograd.functional.hvp: [func(inputs), H·v] for a function returning a single one-element tensor,
 * by the double-backward trick as PyTorch 1.13 (equal to vhp for a twice continuously differentiable func).
 */
export async function hvp(func: FunctionalFn, inputs: Tensors, v?: Tensors | null, o: FunctionalOptions = {}): Promise<[Tensors, Tensors]> {
  const createGraph = o.createGraph === true, strict = o.strict === true;
  const { isInputsTuple, isOutputsTuple, ins, vs, outs, jac } = await secondOrderStart('hvp', func, inputs, v, createGraph, strict);
  const gradJac = ins.map((t) => zerosLike(t).requiresGrad_(true));
  const doubleBack = await gradOf(jac, ins, gradJac, true);
  checkRequiresGrad(jac, 'hessian', strict);
  const res = fillInZeros(await gradOf(doubleBack, gradJac, vs, createGraph), ins, strict, createGraph, 'double_back_trick');
  return [tuplePostprocess(gradPostprocess(outs, createGraph), isOutputsTuple), tuplePostprocess(gradPostprocess(res, createGraph), isInputsTuple)];
}

/** torch.autograd.functional. */
export const functional = { vjp, jvp, jacobian, hessian, hvp, vhp };
