/**
 * Reverse-mode autodiff, independent of what a tensor is: a graph of Nodes (PyTorch's grad_fn objects),
 * each holding a closure from the gradient of its output to the gradients of its inputs. The frontend
 * supplies the closures (one per primitive) and the tensor arithmetic used to accumulate.
 */
import { keepShapes } from '../runtime/gc.ts';
export interface GradOps<T> {
  add(a: T, b: T): T;
  /** Leaf accumulation: set or add into variable.grad (in place when a grad exists). */
  accumulate(leaf: unknown, g: T): void;
}

export class Node<T> {
  constructor(
    readonly name: string,
    /** Where each input's gradient goes: a Node, a leaf accumulator, or null (input needs no grad). */
    public next: Array<Node<T> | null>,
    public backward: (g: T) => Array<T | null>,
  ) {}
  /** Drops the closure (and the tensors it saved) once backward has used it, as PyTorch frees the graph. */
  release(): void {
    const name = this.name;
    this.backward = () => {
      throw new Error(`Trying to backward through the graph a second time (${name}): saved tensors were freed after the first backward`);
    };
  }
}

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
export function noGrad<R>(fn: () => R): R {
  const prev = gradEnabled;
  gradEnabled = false;
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

/** Backpropagates `grad` from `root` through the graph in topological order. */
export function runBackward<T>(root: Node<T>, grad: T, ops: GradOps<T>): void {
  // Count, for every node, how many edges lead into it, so a node runs once all its gradients arrived.
  const deps = new Map<Node<T>, number>();
  const stack: Node<T>[] = [root];
  const seen = new Set<Node<T>>([root]);
  while (stack.length) {
    const n = stack.pop()!;
    for (const m of n.next) {
      if (!m) continue;
      deps.set(m, (deps.get(m) ?? 0) + 1);
      if (!seen.has(m)) { seen.add(m); stack.push(m); }
    }
  }
  const pending = new Map<Node<T>, T>([[root, grad]]);
  const ready: Node<T>[] = [root];
  while (ready.length) {
    const n = ready.pop()!;
    const g = pending.get(n)!;
    pending.delete(n);
    if (n instanceof AccumulateGrad) { ops.accumulate(n.variable, g); continue; }
    const grads = n.backward(g);
    n.release();
    n.next.forEach((m, i) => {
      if (!m) return;
      const gi = grads[i];
      if (gi !== null && gi !== undefined) {
        const prev = pending.get(m);
        pending.set(m, prev === undefined ? gi : ops.add(prev, gi));
      }
      const left = deps.get(m)! - 1;
      deps.set(m, left);
      if (left === 0) {
        if (pending.has(m)) ready.push(m);
        else markDone(m, deps, ready, pending);
      }
    });
  }
}

/** A node that received no gradient at all still releases its own inputs' dependency counts. */
function markDone<T>(n: Node<T>, deps: Map<Node<T>, number>, ready: Node<T>[], pending: Map<Node<T>, T>) {
  for (const m of n.next) {
    if (!m) continue;
    const left = deps.get(m)! - 1;
    deps.set(m, left);
    if (left === 0) {
      if (pending.has(m)) ready.push(m);
      else markDone(m, deps, ready, pending);
    }
  }
}
