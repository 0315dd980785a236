/**
 * The CPU's elementwise JS loops, compiled once per (operation, array types of the operands and the
 * output). The loop text is the same for every type; compiling a separate function for each combination
 * gives each its own type feedback, so V8 optimizes it for exactly those arrays. One shared loop that has
 * seen Float32Array, Float64Array, Int32Array and Uint8Array operands runs its element reads and writes
 * through polymorphic lookups: a 1M-element broadcast add spent ~4 ns per element in it, against ~1 here.
 *
 * Each function computes dst[id + i·sd] = EXPR(a[ia + i·sa], b[ib + i·sb]) for i < n, in float64, with
 * EXPR one of the expressions below: the same JS arithmetic as before, so the same bits. Strides let one
 * loop read a row of a transposed or broadcast operand in place, without copying it first.
 */
import type { BinaryFn, ReduceFn, UnaryFn } from '../../runtime/protocol.ts';
import { igamma, igammac, nextafter32, nextafter64, zeta } from './specfun.ts';

type Arr = Float32Array | Float64Array | Int32Array | Uint8Array;
/** Which operand is a scalar (k) instead of an array. */
export type Form = 'vv' | 'vs' | 'sv';
/** How values are stored: as the typed array converts them, or truncated (int64 buffers, which are
 * Float64Arrays), or as 0/1 (bool buffers: nonzero and NaN are 1). */
export type Store = 'as-is' | 'int64' | 'bool';
/** Each loop walks n elements: operand arrays from index i·, stepping s· (0: a broadcast value). */
export type BinaryLoop = (a: Arr | null, ia: number, sa: number, b: Arr | null, ib: number, sb: number, dst: Arr, id: number, sd: number, n: number, k: number) => void;
export type UnaryLoop = (a: Arr, ia: number, sa: number, dst: Arr, id: number, sd: number, n: number) => void;
export type WhereLoop = (c: Arr, ic: number, sc: number, a: Arr | null, ia: number, sa: number, b: Arr | null, ib: number, sb: number,
  dst: Arr, id: number, sd: number, n: number, ka: number, kb: number) => void;

/**
 * The bitwise operations on integers held as numbers: int32 values, or int64 values (exact up to 2^53)
 * as 64-bit two's complement, whose high and low words are combined separately; int32 results are the
 * low 32 bits of these (the Int32Array's store wraps them), which are the 32-bit operations' own results.
 * Source text, so that the compiled loops and the scalar table (kernels.ts) run the same code.
 */
export const BIT_HELPERS = `
const bitand64 = (x, y) => ((x | 0) === x && (y | 0) === y ? x & y
  : (Math.floor(x / 4294967296) & Math.floor(y / 4294967296)) * 4294967296 + (((x >>> 0) & (y >>> 0)) >>> 0));
const bitor64 = (x, y) => ((x | 0) === x && (y | 0) === y ? x | y
  : (Math.floor(x / 4294967296) | Math.floor(y / 4294967296)) * 4294967296 + (((x >>> 0) | (y >>> 0)) >>> 0));
const bitxor64 = (x, y) => ((x | 0) === x && (y | 0) === y ? x ^ y
  : (Math.floor(x / 4294967296) ^ Math.floor(y / 4294967296)) * 4294967296 + (((x >>> 0) ^ (y >>> 0)) >>> 0));
// x · 2^y is exact; past 2^63 it wraps modulo 2^64 (exactly: the wrapped value has at most 53 bits).
const shl64 = (x, y) => {
  if (!(y >= 0 && y < 64)) return 0;
  const m = x * Math.pow(2, y);
  if (m < 9223372036854775808 && m >= -9223372036854775808) return m;
  const r = m - Math.floor(m / 18446744073709551616) * 18446744073709551616;
  return r >= 9223372036854775808 ? r - 18446744073709551616 : r;
};
const shr64 = (x, y) => (y >= 0 && y < 63 ? Math.floor(x / Math.pow(2, y)) : x < 0 ? -1 : 0);
`;
/** The helpers as functions, for kernels.ts. */
export const BIT_FNS = new Function(`"use strict"; ${BIT_HELPERS}; return { bitand64, bitor64, bitxor64, shl64, shr64 };`)() as
  Record<'bitand64' | 'bitor64' | 'bitxor64' | 'shl64' | 'shr64', (x: number, y: number) => number>;
const isBitFn = (fn: BinaryFn) => fn === 'bitand' || fn === 'bitor' || fn === 'bitxor' || fn === 'shl' || fn === 'shr';

const BINARY_EXPR: Record<BinaryFn, string> = {
  add: 'x + y', sub: 'x - y', mul: 'x * y', div: 'x / y',
  pow: 'Math.pow(x, y)',
  maximum: '(x !== x || y !== y ? NaN : x > y ? x : y)',
  minimum: '(x !== x || y !== y ? NaN : x < y ? x : y)',
  // (A boolean times 1 compiles without a branch here; +(x > y) and a ternary do not: 1M random float64
  // comparisons 2.4 / 8.3 ms against 1.6.)
  eq: '(x === y) * 1', ne: '(x !== y) * 1', lt: '(x < y) * 1', le: '(x <= y) * 1', gt: '(x > y) * 1', ge: '(x >= y) * 1',
  // (JS's % is C's fmod, exact; remainder moves a nonzero result to the divisor's sign)
  atan2: 'Math.atan2(x, y)', fmod: 'x % y', remainder: '(x % y !== 0 && (x % y < 0) !== (y < 0) ? x % y + y : x % y)',
  bitand: 'bitand64(x, y)', bitor: 'bitor64(x, y)', bitxor: 'bitxor64(x, y)', shl: 'shl64(x, y)', shr: 'shr64(x, y)',
  igamma: 'LIB.igamma(x, y)', igammac: 'LIB.igammac(x, y)', zeta: 'LIB.zeta(x, y)', nextafter: 'LIB.nextafter64(x, y)',
};
/** Functions the loops' expressions call by name (LIB.…): the special functions of specfun.ts. */
const LIB = { igamma, igammac, zeta, nextafter32, nextafter64 };
const UNARY_EXPR: Record<UnaryFn, string> = {
  neg: '-x', exp: 'Math.exp(x)', log: 'Math.log(x)', sqrt: 'Math.sqrt(x)', abs: 'Math.abs(x)',
  sign: '(x > 0 ? 1 : x < 0 ? -1 : 0)', /* (NaN and -0: 0, as PyTorch's) */ sin: 'Math.sin(x)', cos: 'Math.cos(x)', tanh: 'Math.tanh(x)',
  relu: '(x < 0 ? 0 : x)',
  // 1 / (exp(-x) + 1) as the three ops it used to be: each result rounded to the output's type.
  sigmoid: '1 / (Math.exp(-x) + 1)',
  floor: 'Math.floor(x)', ceil: 'Math.ceil(x)', trunc: 'Math.trunc(x)',
  // Half to even, as PyTorch (and IEEE roundToIntegralTiesToEven): Math.round goes half up.
  round: '(Math.round(x) - x === 0.5 && Math.round(x) % 2 !== 0 ? Math.round(x) - 1 : Math.round(x))',
  asin: 'Math.asin(x)', acos: 'Math.acos(x)', atan: 'Math.atan(x)', sinh: 'Math.sinh(x)', cosh: 'Math.cosh(x)',
  asinh: 'Math.asinh(x)', acosh: 'Math.acosh(x)', atanh: 'Math.atanh(x)', log2: 'Math.log2(x)', log10: 'Math.log10(x)', exp2: 'Math.pow(2, x)',
};
const SIGMOID_F32 = 'Math.fround(1 / Math.fround(Math.fround(Math.exp(-x)) + 1))';
// (int64: + 0 turns -0, which Math.trunc keeps, into 0: an integer has no negative zero)
const stored = (expr: string, store: Store) => (store === 'int64' ? `(Math.trunc(${expr}) + 0)` : store === 'bool' ? `((${expr}) !== 0 ? 1 : 0)` : expr);

/**
 * Compiled loops by a number packing what they are specialized for (looked up on every op, so no key
 * string is built): the kind of loop and its operation, then a code per operand array type.
 */
const cache = new Map<number, unknown>();
function compiled<T>(key: number, body: () => string): T {
  let f = cache.get(key) as T | undefined;
  if (f === undefined) {
    // A new Function per key: its own bytecode and type feedback (see above).
    f = new Function('LIB', `"use strict"; return ${body()};`)(LIB) as T;
    cache.set(key, f);
  }
  return f;
}
/** 0: no array (a scalar operand), 1-4: the array types. */
function typeCode(x: Arr | null): number {
  return x === null ? 0 : x instanceof Float32Array ? 1 : x instanceof Float64Array ? 2 : x instanceof Int32Array ? 3 : 4;
}
const codes = (names: readonly string[]) => Object.fromEntries(names.map((n, i) => [n, i]));
const BINARY_CODE = codes(Object.keys(BINARY_EXPR)) as Record<BinaryFn, number>;
const UNARY_CODE = codes([...Object.keys(UNARY_EXPR), 'copy']) as Record<UnaryFn | 'copy', number>;
const FORM_CODE: Record<Form, number> = { vv: 0, vs: 1, sv: 2 };
const STORE_CODE: Record<Store, number> = { 'as-is': 0, int64: 1, bool: 2 };
const REDUCE_CODE = { sum: 0, max: 1, min: 2, argmax: 3, argmin: 4 };
/** Three operand types in one number (5 values each). */
const types = (a: Arr | null, b: Arr | null, c: Arr | null) => (typeCode(a) * 5 + typeCode(b)) * 5 + typeCode(c);

/**
 * A scalar exponent's class, for pow: exponents whose Math.pow bits have a cheaper road (V8's pow is
 * fdlibm's: y = 2 is x * x, y = 0.5 the square root of x >= +0 with pow(-0, 0.5) = +0 and
 * pow(-inf, 0.5) = +inf, y = -1 is 1 / x: the same float64 on every input). Into float32 from float32,
 * x * x * x and 1 / (x * x) round to Math.pow's float32 for y = 3 and -2 (checked on all 2^32 float32
 * inputs; their float64 values differ from Math.pow's in 1 of 10). Math.pow costs ~50 ns an element.
 */
const POW_EXPR = ['Math.pow(x, y)', 'x * x', '(x === -Infinity ? Infinity : Math.sqrt(x) + 0)', '1 / x', 'x * x * x', '1 / (x * x)'];
function powClass(k: number, f32: boolean): number {
  return k === 2 ? 1 : k === 0.5 ? 2 : k === -1 ? 3 : f32 && k === 3 ? 4 : f32 && k === -2 ? 5 : 0;
}

/** k: the scalar operand (pow by a scalar picks its loop by the exponent). */
export function binaryLoop(fn: BinaryFn, form: Form, a: Arr | null, b: Arr | null, dst: Arr, store: Store, k = 0): BinaryLoop {
  const pc = fn === 'pow' && form === 'vs' ? powClass(k, dst instanceof Float32Array && a instanceof Float32Array) : 0;
  return compiled(((((1 * 32 + BINARY_CODE[fn]) * 4 + FORM_CODE[form]) * 4 + STORE_CODE[store]) * 125 + types(a, b, dst)) * 8 + pc, () => {
    // (nextafter steps in the output's own precision)
    const expr = fn === 'pow' && form === 'vs' ? POW_EXPR[pc] : fn === 'nextafter' && dst instanceof Float32Array ? 'LIB.nextafter32(x, y)' : BINARY_EXPR[fn];
    const x = form === 'sv' ? 'k' : 'a[ia]', y = form === 'vs' ? 'k' : 'b[ib]';
    const loop = `function (a, ia, sa, b, ib, sb, dst, id, sd, n, k) {
      for (let i = 0; i < n; i++, ia += sa, ib += sb, id += sd) { const x = ${x}, y = ${y}; dst[id] = ${stored(expr, store)}; } }`;
    return isBitFn(fn) ? `(() => { ${BIT_HELPERS}; return ${loop}; })()` : loop;
  });
}

export function unaryLoop(fn: UnaryFn | 'copy', a: Arr, dst: Arr, store: Store): UnaryLoop {
  return compiled(((2 * 32 + UNARY_CODE[fn]) * 4 + STORE_CODE[store]) * 125 + types(a, dst, null), () => `function (a, ia, sa, dst, id, sd, n) {
      for (let i = 0; i < n; i++, ia += sa, id += sd) { const x = a[ia]; dst[id] = ${stored(fn === 'copy' ? 'x' : fn === 'sigmoid' && dst instanceof Float32Array ? SIGMOID_F32 : UNARY_EXPR[fn], store)}; } }`);
}

/** A transposed copy: dst[id + i·w + j] = a[ia + j·ld + i] for rows i0 <= i < i1 and j < w, in 16x16
 * tiles so that the 16 source lines a tile reads stay in cache while its 16 rows are written. */
export type TransposeLoop = (a: Arr, ia: number, ld: number, dst: Arr, id: number, w: number, i0: number, i1: number) => void;
export function transposeLoop(a: Arr, dst: Arr, store: Store): TransposeLoop {
  // (Negative keys: no other loop uses them.)
  return compiled(-1 - (STORE_CODE[store] * 125 + types(a, dst, null)), () => `function (a, ia, ld, dst, id, w, i0, i1) {
      for (let ib = i0; ib < i1; ib += 16) {
        const ie = Math.min(i1, ib + 16);
        for (let jb = 0; jb < w; jb += 16) {
          const je = Math.min(w, jb + 16);
          for (let i = ib; i < ie; i++) {
            let p = ia + jb * ld + i, q = id + i * w + jb;
            for (let j = jb; j < je; j++, p += ld, q++) { const x = a[p]; dst[q] = ${stored('x', store)}; }
          }
        }
      } }`);
}

/**
 * dst = c ? a : b, where a missing array means the scalar ka (kb). c is a bool buffer (bytes 0 and 1: the
 * frontend takes no other condition): the pick is a lookup, sel[c], not a branch. A branch on a random
 * mask is mispredicted half the time: where(mask, 1, 0) into int64, 1M elements, 9.6 -> 4.2 ms; float64
 * operands 10.2 -> 8.6 ms.
 */
export function whereLoop(c: Arr, a: Arr | null, b: Arr | null, dst: Arr, store: Store): WhereLoop {
  return compiled(((3 * 4 + STORE_CODE[store]) * 5 + typeCode(c)) * 125 + types(a, b, dst), () => {
    const x = a === null ? 'ka' : 'a[ia]', y = b === null ? 'kb' : 'b[ib]';
    // (sel: one per loop, made once; a loop runs to completion, one at a time per thread)
    return `(() => { const sel = new Float64Array(2); return function (c, ic, sc, a, ia, sa, b, ib, sb, dst, id, sd, n, ka, kb) {
      sel[0] = kb; sel[1] = ka;
      for (let i = 0; i < n; i++, ic += sc, ia += sa, ib += sb, id += sd) { ${a === null ? '' : `sel[1] = ${x}; `}${b === null ? '' : `sel[0] = ${y}; `}dst[id] = ${stored('sel[c[ic]]', store)}; } }; })()`;
  });
}

export type ReduceLoop = (a: Arr, base: number, stride: number, n: number) => number;

/**
 * fn over a[base + i·stride] for i < n, in the protocol's order: a sum adds blocks of `block` elements
 * left to right, each block in four interleaved float64 accumulators combined as (a0 + a1) + (a2 + a3);
 * max and min go in order and give NaN as soon as an element is NaN.
 */
export function reduceLoop(fn: ReduceFn, a: Arr, block: number): ReduceLoop {
  return compiled(((4 * 4 + REDUCE_CODE[fn]) * 5 + typeCode(a)) * 2 ** 20 + block, () => {
    if (fn === 'argmax' || fn === 'argmin') {
      // The position of the first largest (smallest) of n >= 1 elements; the first NaN wins.
      return `function (a, base, st, n) { let best = a[base], at = 0; if (best !== best) return 0;
        for (let i = 1, p = base + st; i < n; i++, p += st) { const v = a[p]; if (v !== v) return i; if (v ${fn === 'argmax' ? '>' : '<'} best) { best = v; at = i; } }
        return at; }`;
    }
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
