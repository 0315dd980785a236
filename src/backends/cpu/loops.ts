/**
 * The CPU's elementwise JS loops, compiled once per (operation, array types of the operands and the
 * output). The loop text is the same for every type; compiling a separate function for each combination
 * gives each its own type feedback, so V8 optimizes it for exactly those arrays. One shared loop that has
 * seen Float32Array, Float64Array, Int32Array and Uint8Array operands runs its element reads and writes
 * through polymorphic lookups: a 1M-element broadcast add spent ~4 ns per element in it, against ~1 here.
 *
 * Each function computes dst[db + i] = EXPR(a[ab + i], b[bb + i]) for i < n, in float64, with EXPR one
 * of the expressions below: the same JS arithmetic as before, so the same bits.
 */
import type { BinaryFn, UnaryFn } from '../../runtime/protocol.ts';

type Arr = Float32Array | Float64Array | Int32Array | Uint8Array;
/** Which operand is a scalar (k) instead of an array. */
export type Form = 'vv' | 'vs' | 'sv';
export type BinaryLoop = (a: Arr | null, ab: number, b: Arr | null, bb: number, dst: Arr, db: number, n: number, k: number) => void;
export type UnaryLoop = (a: Arr, ab: number, dst: Arr, db: number, n: number) => void;
export type WhereLoop = (c: Arr, cb: number, a: Arr | null, ab: number, b: Arr | null, bb: number, dst: Arr, db: number, n: number, ka: number, kb: number) => void;

const BINARY_EXPR: Record<BinaryFn, string> = {
  add: 'x + y', sub: 'x - y', mul: 'x * y', div: 'x / y',
  pow: 'Math.pow(x, y)',
  maximum: '(x !== x || y !== y ? NaN : x > y ? x : y)',
  minimum: '(x !== x || y !== y ? NaN : x < y ? x : y)',
  eq: '+(x === y)', ne: '+(x !== y)', lt: '+(x < y)', le: '+(x <= y)', gt: '+(x > y)', ge: '+(x >= y)',
};
const UNARY_EXPR: Record<UnaryFn, string> = {
  neg: '-x', exp: 'Math.exp(x)', log: 'Math.log(x)', sqrt: 'Math.sqrt(x)', abs: 'Math.abs(x)',
  sign: '(x > 0 ? 1 : x < 0 ? -1 : x)', sin: 'Math.sin(x)', cos: 'Math.cos(x)', tanh: 'Math.tanh(x)',
  relu: '(x > 0 ? x : 0 * x)',
};

const cache = new Map<string, unknown>();
function compiled<T>(key: string, body: () => string): T {
  let f = cache.get(key) as T | undefined;
  if (f === undefined) {
    // A new Function per key: its own bytecode and type feedback (see above).
    f = new Function(`"use strict"; return ${body()};`)() as T;
    cache.set(key, f);
  }
  return f;
}
const typeOf = (x: Arr | null) => (x === null ? '-' : x.constructor.name);

export function binaryLoop(fn: BinaryFn, form: Form, a: Arr | null, b: Arr | null, dst: Arr): BinaryLoop {
  return compiled(`b:${fn}:${form}:${typeOf(a)}:${typeOf(b)}:${typeOf(dst)}`, () => {
    // x ** 2 as x * x where the exponent is the scalar 2 (as the kernels always did).
    const expr = fn === 'pow' && form === 'vs' ? '(y === 2 ? x * x : Math.pow(x, y))' : BINARY_EXPR[fn];
    const x = form === 'sv' ? 'k' : 'a[ab + i]', y = form === 'vs' ? 'k' : 'b[bb + i]';
    return `function (a, ab, b, bb, dst, db, n, k) { for (let i = 0; i < n; i++) { const x = ${x}, y = ${y}; dst[db + i] = ${expr}; } }`;
  });
}

export function unaryLoop(fn: UnaryFn, a: Arr, dst: Arr): UnaryLoop {
  return compiled(`u:${fn}:${typeOf(a)}:${typeOf(dst)}`, () =>
    `function (a, ab, dst, db, n) { for (let i = 0; i < n; i++) { const x = a[ab + i]; dst[db + i] = ${UNARY_EXPR[fn]}; } }`);
}

/** dst = c ? a : b, where a missing array means the scalar ka (kb). */
export function whereLoop(c: Arr, a: Arr | null, b: Arr | null, dst: Arr): WhereLoop {
  return compiled(`w:${typeOf(c)}:${typeOf(a)}:${typeOf(b)}:${typeOf(dst)}`, () => {
    const x = a === null ? 'ka' : 'a[ab + i]', y = b === null ? 'kb' : 'b[bb + i]';
    return `function (c, cb, a, ab, b, bb, dst, db, n, ka, kb) { for (let i = 0; i < n; i++) dst[db + i] = c[cb + i] ? ${x} : ${y}; }`;
  });
}

/** dst[db + i] = a[ab + i]. */
export function copyLoop(a: Arr, dst: Arr): UnaryLoop {
  return compiled(`c:${typeOf(a)}:${typeOf(dst)}`, () =>
    'function (a, ab, dst, db, n) { for (let i = 0; i < n; i++) dst[db + i] = a[ab + i]; }');
}

export type ReduceLoop = (a: Arr, base: number, stride: number, n: number) => number;

/**
 * fn over a[base + i·stride] for i < n, in the protocol's order: a sum adds blocks of `block` elements
 * left to right, each block in four interleaved float64 accumulators combined as (a0 + a1) + (a2 + a3);
 * max and min go in order and give NaN as soon as an element is NaN.
 */
export function reduceLoop(fn: 'sum' | 'max' | 'min', a: Arr, block: number): ReduceLoop {
  return compiled(`r:${fn}:${block}:${typeOf(a)}`, () => {
    if (fn !== 'sum') {
      return `function (a, base, st, n) { let acc = ${fn === 'max' ? '-Infinity' : 'Infinity'};
        for (let i = 0, p = base; i < n; i++, p += st) { const v = a[p]; if (v !== v) return NaN; if (v ${fn === 'max' ? '>' : '<'} acc) acc = v; }
        return acc; }`;
    }
    return `function (a, base, st, n) {
      let total = 0;
      for (let b0 = 0; b0 < n; b0 += ${block}) {
        const b1 = Math.min(n, b0 + ${block}), s2 = 2 * st, s3 = 3 * st, s4 = 4 * st;
        let a0 = 0, a1 = 0, a2 = 0, a3 = 0, i = b0, p = base + b0 * st;
        for (; i + 3 < b1; i += 4, p += s4) { a0 += a[p]; a1 += a[p + st]; a2 += a[p + s2]; a3 += a[p + s3]; }
        if (i < b1) { a0 += a[p]; i++; p += st; }
        if (i < b1) { a1 += a[p]; i++; p += st; }
        if (i < b1) { a2 += a[p]; }
        total += (a0 + a1) + (a2 + a3);
      }
      return total; }`;
  });
}
