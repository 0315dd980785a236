/**
 * Reverse-mode autodiff, independent of what a tensor is: a graph of Nodes (PyTorch's grad_fn objects),
 * each holding a closure from the gradient of its output to the gradients of its inputs. The frontend
 * supplies the closures (one per primitive) and the tensor arithmetic used to accumulate.
 */
import { keepShapes } from '../runtime/gc.ts';
export interface GradOps<T> {
  add(a: T, b: T): T;
  /** Throws if a tensor the node saved for its backward (s0..s2) changed since (an in-place op). */
  checkSaved(n: Node<T>): void;
  /** Leaf accumulation: set or add into variable.grad (in place when a grad exists). */
  accumulate(leaf: unknown, g: T): void;
}

export class Node<T> {
  /** runBackward's scratch, valid while bwPass is its pass number: edges still to arrive, the gradient
   * summed so far (fields, not Maps: a training loop runs backward every step). */
  bwPass = 0;
  bwDeps = 0;
  bwGrad: T | undefined = undefined;
  /** backward has run and its closure (with the tensors it saved) is gone, as PyTorch frees the graph. */
  freed = false;
  /** Tensors the closure reads (PyTorch's saved variables), and their versions when saved: an in-place
   * op on one before backward would make the closure compute a wrong gradient, so backward throws. */
  s0: T | null = null; s1: T | null = null; s2: T | null = null;
  v0 = 0; v1 = 0; v2 = 0;
  /** Bit i set: s_i is the node's own output. */
  savedOut = 0;
  /** Functions of the gradient of this node's output (its tensor's hooks and retain_grad, in the order
   * registered): each may return a gradient to use instead. */
  hooks: Array<(g: T) => T | null | undefined | void> | null = null;
  /** Its backward computes the gradient in a way autograd cannot record (a kernel without a graph, values
   * saved from a forward run without recording): a createGraph pass through it throws rather than
   * return a gradient whose own gradient would be silently wrong. */
  once = false;
  constructor(
    readonly name: string,
    /** Where each input's gradient goes: a Node, a leaf accumulator, or null (input needs no grad). */
    public next: Array<Node<T> | null>,
    public backward: (g: T) => Array<T | null>,
  ) {}
  /** Drops the closure (and the tensors it saved) once backward has used it. */
  release(): void {
    this.freed = true;
    this.backward = freedBackward;
    this.s0 = this.s1 = this.s2 = null;
  }
}
const freedBackward = (): never => { throw new Error('internal: a freed graph node ran'); };

/** The grad_fn of a leaf that requires grad: adds incoming gradients into the leaf's .grad. */
export class AccumulateGrad<T> extends Node<T> {
  constructor(readonly variable: unknown) {
    super('AccumulateGrad', [], () => []);
  }
}

// A graph node and a leaf accumulator alive for the whole process: see keepShapes (src/runtime/gc.ts).
keepShapes(new Node<unknown>('ShapeAnchor', [], () => []), new AccumulateGrad<unknown>(null));

let gradEnabled = true;
export const isGradEnabled = () => gradEnabled;

/** Runs fn with gradient recording off (torch.no_grad). Works with sync and async functions. */
export function noGrad<R>(fn: () => R): R { return withGradMode(false, fn); }
/** Runs fn with gradient recording on (torch.enable_grad), inside noGrad too. Sync and async functions. */
export function enableGrad<R>(fn: () => R): R { return withGradMode(true, fn); }
function withGradMode<R>(on: boolean, fn: () => R): R {
  const prev = gradEnabled;
  gradEnabled = on;
  let r: R;
  try {
    r = fn();
  } catch (e) {
    gradEnabled = prev;
    throw e;
  }
  if (r instanceof Promise) {
    return r.finally(() => { gradEnabled = prev; }) as R;
  }
  gradEnabled = prev;
  return r;
}
/** Turns gradient recording on or off until told otherwise (torch.set_grad_enabled). */
export function setGradEnabled(on: boolean): void {
  if (typeof on !== 'boolean') throw new Error(`setGradEnabled(): expected true or false, got ${typeof on}`);
  gradEnabled = on;
}

/** What torch.autograd.grad asks of a pass: the gradients arriving at `targets` (edges of the inputs:
 * their grad_fn, or a leaf's accumulator), stored in `grads` by target index, and no leaf's .grad touched.
 * retain: the graph stays (retain_graph). create: the pass is itself recorded (create_graph; the caller
 * runs it with recording on), so a node whose backward cannot be recorded (Node.once) throws. */
export interface PassOptions<T> { retain?: boolean; targets?: Node<T>[]; grads?: Array<T | undefined>; create?: boolean }

let passes = 0;
/** Backpropagates `grad` from `root` through the graph in topological order. */
export function runBackward<T>(root: Node<T>, grad: T, ops: GradOps<T>, opts?: PassOptions<T>): void {
  const pass = ++passes;
  // Count, for every node, how many edges lead into it, so a node runs once all its gradients arrived.
  const stack: Node<T>[] = [root];
  root.bwPass = pass; root.bwDeps = 0; root.bwGrad = undefined;
  while (stack.length) {
    const n = stack.pop()!;
    const next = n.next;
    for (let i = 0; i < next.length; i++) {
      const m = next[i];
      if (!m) continue;
      if (m.bwPass !== pass) { m.bwPass = pass; m.bwDeps = 0; m.bwGrad = undefined; stack.push(m); }
      m.bwDeps++;
    }
  }
  root.bwGrad = grad;
  // (autograd.grad: only the nodes a target is reached through run; the targets' gradients are kept)
  const needed = opts?.targets ? neededFor(root, opts.targets) : null;
  const ready: Node<T>[] = [root];
  while (ready.length) {
    const n = ready.pop()!;
    let g = n.bwGrad as T;
    n.bwGrad = undefined;
    if (n.hooks !== null) g = runHooks(n.hooks, g);
    if (needed !== null) {
      const t = opts!.targets!.indexOf(n);
      if (t >= 0) opts!.grads![t] = g;
      if (n instanceof AccumulateGrad || !needed.has(n)) { markDone(n, ready); continue; }
    } else if (n instanceof AccumulateGrad) { ops.accumulate(n.variable, g); continue; }
    if (n.freed) throw new Error(`Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retainGraph: true if you need to backward through the graph a second time (${n.name})`);
    if (n.once && opts?.create) {
      throw new Error(`createGraph: the backward of ${n.name} is not recorded by troupe's autograd, so a gradient through it cannot be differentiated again (a second derivative through this op is not supported yet; ops whose second derivative works are listed in the README)`);
    }
    if (n.s0 !== null) ops.checkSaved(n);
    const grads = n.backward(g);
    if (!opts?.retain) n.release();
    const next = n.next;
    for (let i = 0; i < next.length; i++) {
      const m = next[i];
      if (!m) continue;
      const gi = grads[i];
      if (gi !== null && gi !== undefined) m.bwGrad = m.bwGrad === undefined ? gi : ops.add(m.bwGrad, gi);
      if (--m.bwDeps === 0) {
        if (m.bwGrad !== undefined) ready.push(m);
        else markDone(m, ready);
      }
    }
  }
}

/** A node's hooks in order, each given the gradient the one before it left. */
function runHooks<T>(hooks: Array<(g: T) => T | null | undefined | void>, g: T): T {
  for (const h of hooks) {
    const r = h(g);
    if (r !== undefined && r !== null) g = r;
  }
  return g;
}

/** The nodes below root from which a target is reached (a target itself only if one lies below it). */
function neededFor<T>(root: Node<T>, targets: Node<T>[]): Set<Node<T>> {
  const goal = new Set(targets), memo = new Map<Node<T>, boolean>(), needed = new Set<Node<T>>();
  // (iterative post-order: graphs of long loops are deep)
  const stack: Array<[Node<T>, number]> = [[root, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1], [n, i] = top;
    if (i < n.next.length) {
      top[1]++;
      const m = n.next[i];
      if (m && !memo.has(m)) { memo.set(m, false); stack.push([m, 0]); }
      continue;
    }
    stack.pop();
    let hit = false;
    for (const m of n.next) if (m && (goal.has(m) || memo.get(m))) { hit = true; break; }
    memo.set(n, hit);
    if (hit) needed.add(n);
  }
  return needed;
}

/** A node that received no gradient at all still releases its own inputs' dependency counts. */
function markDone<T>(n: Node<T>, ready: Node<T>[]) {
  for (const m of n.next) {
    if (!m) continue;
    if (--m.bwDeps === 0) {
      if (m.bwGrad !== undefined) ready.push(m);
      else markDone(m, ready);
    }
  }
}
