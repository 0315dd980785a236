// The 64-bit SIMD kernels (float64 and int64 data, conversions between dtypes, sums of bool) against the JS
// loops they stand in for: every op runs twice through runOp, once on arena memory (the SIMD kernels)
// and once on plain typed arrays (the JS loops), and the two outputs must hold the same bits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BinaryFn, DType, Op, View } from '../src/runtime/protocol.ts';
import { REDUCE_BLOCK } from '../src/runtime/protocol.ts';
import { enableFastPath, runOp, type Resolve } from '../src/backends/cpu/kernels.ts';
import { Arena } from '../src/backends/cpu/arena.ts';
import { simdSupported } from '../src/backends/cpu/simd.ts';

type Arr = Float32Array | Float64Array | Int32Array | Uint8Array;
const ARRAY: Record<DType, new (n: number) => Arr> = { float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: Float64Array, bool: Uint8Array };

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
}
const F64_SPECIAL = [0, -0, 1, -1, 0.5, -2.5, Infinity, -Infinity, NaN, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 2 ** 63 - 1024, 1e-310, -5e-324, 1.7976931348623157e308, 0.1, 1 / 3, 3.4028235677973366e38, 3.5e38];
const I64_SPECIAL = [0, -0, 1, -1, 2, 7, -7, 2 ** 31, -(2 ** 31), 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 2 ** 62, -(2 ** 63), 123456789012];
/** Values of a dtype as its typed array holds them: specials sprinkled among random ones. */
function data(d: DType, n: number, seed: number): Arr {
  const r = rng(seed), out = new ARRAY[d](n);
  for (let i = 0; i < n; i++) {
    const k = r();
    if (d === 'bool') out[i] = r() < 0.5 ? 1 : 0;
    // (+ 0: an int64 holds no negative zero; the stores write 0 for it)
    else if (d === 'int64') out[i] = (k < 0.2 ? I64_SPECIAL[Math.floor(r() * I64_SPECIAL.length)] : Math.round((r() - 0.5) * 2 ** (1 + Math.floor(r() * 60)))) + 0;
    else out[i] = k < 0.2 ? F64_SPECIAL[Math.floor(r() * F64_SPECIAL.length)] : k < 0.3 ? Math.round((r() - 0.5) * 100) : (r() - 0.5) * 2 ** (Math.floor(r() * 80) - 40);
  }
  return out;
}
/** The first index where a and b differ in bits (NaNs of any payload are equal), or -1. */
function firstDiff(a: Arr, b: Arr): number {
  for (let i = 0; i < a.length; i++) {
    if (Object.is(a[i], b[i]) || (a[i] !== a[i] && b[i] !== b[i])) continue;
    return i;
  }
  return -1;
}

const LENGTHS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 1003];

describe.skipIf(!simdSupported())('64-bit SIMD kernels (float64, int64, conversions, bool sums) give the JS loops\' bits', () => {
  const arena = new Arena({ initialBytes: 1 << 22 });
  // (with kernel scratch, as the main thread has: small operands outside the arena are copied there)
  beforeAll(() => { const at = arena.alloc(1 << 16)!.byteOffset; enableFastPath(arena.memory, { at, bytes: 1 << 16 }); });
  afterAll(() => enableFastPath(null));
  const blocks: number[] = [];
  afterAll(() => { for (const b of blocks) arena.release(b); });

  /** Runs makeOp on the inputs twice: buffers in the arena (at element offset off) and plain arrays. */
  function both(inputs: { d: DType; v: Arr; plain?: boolean }[], out: { d: DType; n: number; shape?: number[] }, makeOp: (ins: View[], o: View) => Op, off: number): { simd: Arr; js: Arr } {
    const arenaBufs: Arr[] = [], plainBufs: Arr[] = [];
    for (const [j, x] of [...inputs, { d: out.d, v: new ARRAY[out.d](out.n).fill(out.d === 'bool' ? 1 : 9) }].entries()) {
      const eb = new ARRAY[x.d](0).BYTES_PER_ELEMENT, len = x.v.length + off;
      const blk = arena.alloc(eb * len + 64)!.byteOffset;
      blocks.push(blk);
      const a = arena.view(x.d, blk, len) as Arr, p = new ARRAY[x.d](len);
      a.set(x.v as never, off); p.set(x.v as never, off);
      // (inputs in either order of placement in the arena: offsets differ between operands)
      void j;
      arenaBufs.push(a); plainBufs.push(p);
    }
    const views = inputs.map((x, j): View => ({ buf: j, dtype: x.d, shape: [x.v.length], strides: [1], offset: off }));
    const o: View = { buf: inputs.length, dtype: out.d, shape: out.shape ?? [out.n], strides: out.shape?.length === 2 ? [out.shape[1], 1] : [1], offset: off };
    inputs.forEach((x, j) => { if (x.plain) arenaBufs[j] = plainBufs[j]; }); // (an operand outside the arena in both runs)
    const run = (bufs: Arr[]) => { const R: Resolve = (id) => bufs[id]; const op = makeOp(views, o); runOp(op, R); return bufs[inputs.length].subarray(off); };
    return { simd: run(arenaBufs), js: run(plainBufs) };
  }
  const expectSame = (r: { simd: Arr; js: Arr }, what: string) => {
    const i = firstDiff(r.simd, r.js);
    expect(i, `${what}: element ${i}: SIMD ${r.simd[i]}, JS ${r.js[i]}`).toBe(-1);
  };

  it('arithmetic on int64 and float64 (vector and scalar forms) into int64, float64 and float32', () => {
    let seed = 1;
    const fns: BinaryFn[] = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum'];
    const combos: [DType, DType, DType][] = [['int64', 'int64', 'int64'], ['float64', 'float64', 'float64'], ['int64', 'int64', 'float32'],
      ['float64', 'float64', 'float32'], ['int64', 'float64', 'float64'], ['float64', 'int64', 'int64']];
    for (const fn of fns) for (const [da, db, dout] of combos) for (const n of LENGTHS) {
      const off = n % 3, a = data(da, n, seed++), b = data(db, n, seed++);
      if (n > 4) { b[1] = a[1]; b[3] = -a[3]; } // ties (maximum of equal values and zeros of either sign)
      expectSame(both([{ d: da, v: a }, { d: db, v: b }], { d: dout, n }, ([x, y], o) => ({ op: 'binary', fn, a: x, b: y, out: o }), off), `${fn} ${da} ${db} -> ${dout} n=${n}`);
      for (const k of [3, -2, 0, -0, 0.5, 2 ** 60, NaN, -Infinity]) {
        expectSame(both([{ d: da, v: a }], { d: dout, n }, ([x], o) => ({ op: 'binary', fn, a: x, b: k, out: o }), off), `${fn}(${da}, ${k}) -> ${dout} n=${n}`);
        expectSame(both([{ d: da, v: a }], { d: dout, n }, ([x], o) => ({ op: 'binary', fn, a: k, b: x, out: o }), off), `${fn}(${k}, ${da}) -> ${dout} n=${n}`);
      }
    }
  });

  it('broadcast rows and columns (a + row, a * col), in the arena or outside it, and a ** 2', () => {
    let seed = 7000;
    for (const fn of ['add', 'sub', 'mul', 'div', 'maximum'] as const) for (const [d, dout] of [['int64', 'int64'], ['float64', 'float64'], ['int64', 'float32']] as [DType, DType][])
      for (const [rows, w] of [[1, 16], [3, 17], [9, 40], [20, 33]]) for (const plain of [false, true]) {
        const a = data(d, rows * w, seed++), row = data(d, w, seed++), col = data(d, rows, seed++);
        const mat = (v: View): View => ({ ...v, shape: [rows, w], strides: [w, 1] });
        const bc = (v: View, strides: number[]): View => ({ ...v, shape: [rows, w], strides });
        const o2 = { d: dout, n: rows * w, shape: [rows, w] };
        expectSame(both([{ d, v: a }, { d, v: row, plain }], o2, ([x, y], o) => ({ op: 'binary', fn, a: mat(x), b: bc(y, [0, 1]), out: o }), 1), `${fn} ${d} + row (${plain ? 'outside' : 'in'} the arena) -> ${dout} ${rows}x${w}`);
        expectSame(both([{ d, v: col, plain }, { d, v: a }], o2, ([y, x], o) => ({ op: 'binary', fn, a: bc(y, [1, 0]), b: mat(x), out: o }), 2), `${fn} col ${d} -> ${dout} ${rows}x${w}`);
        expectSame(both([{ d, v: row }, { d, v: col }], o2, ([y, z], o) => ({ op: 'binary', fn, a: bc(y, [0, 1]), b: bc(z, [1, 0]), out: o }), 0), `${fn} row, col ${d} -> ${dout} ${rows}x${w}`);
      }
    for (const d of ['int64', 'float64'] as DType[]) for (const n of LENGTHS) {
      const a = data(d, n, seed++);
      expectSame(both([{ d, v: a }], { d, n }, ([x], o) => ({ op: 'binary', fn: 'pow', a: x, b: 2, out: o }), 1), `${d} ** 2 n=${n}`);
    }
  });

  it('column sums (a.sum(0)) of int64 and float64: each column in the protocol\'s order', () => {
    let seed = 8000;
    for (const d of ['int64', 'float64'] as DType[]) for (const [rows, w] of [[1, 1], [5, 3], [7, 4], [33, 9], [100, 65]]) {
      const x = data(d, rows * w, seed++).map((v) => (Number.isFinite(v) ? v : 3));
      expectSame(both([{ d, v: x }], { d, n: w, shape: [1, w] }, ([v], o) => ({ op: 'reduce', fn: 'sum', x: { ...v, shape: [rows, w], strides: [w, 1] }, axes: [0], out: o }), 1), `sum(0) ${d} ${rows}x${w}`);
    }
  });

  it('operands of different storage types (float32 with int64 or float64, bool with int64) and float32 with a non-float32 number', () => {
    let seed = 9000;
    const arith = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum'] as const, cmps = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
    const pairs: [DType, DType, DType][] = [['float32', 'int64', 'float32'], ['int64', 'float32', 'float32'], ['float32', 'float64', 'float64'],
      ['float64', 'float32', 'float64'], ['bool', 'int64', 'int64'], ['int64', 'bool', 'int64'], ['bool', 'bool', 'int64'], ['bool', 'float64', 'float64'],
      ['float32', 'bool', 'float64']];
    const vals = (d: DType, n: number) => (d === 'float32' ? Float32Array.from(data('float64', n, seed++)) : data(d, n, seed++));
    for (const [da, db, dout] of pairs) for (const n of LENGTHS) {
      const a = vals(da, n), b = vals(db, n);
      for (const fn of arith) expectSame(both([{ d: da, v: a }, { d: db, v: b }], { d: dout, n }, ([x, y], o) => ({ op: 'binary', fn, a: x, b: y, out: o }), n % 3), `${fn} ${da} ${db} -> ${dout} n=${n}`);
      for (const fn of cmps) expectSame(both([{ d: da, v: a }, { d: db, v: b }], { d: 'bool', n }, ([x, y], o) => ({ op: 'binary', fn, a: x, b: y, out: o }), n % 4), `${fn} ${da} ${db} n=${n}`);
    }
    for (const n of LENGTHS) {
      const x = vals('float32', n);
      for (const k of [0.1, -1 / 3, 1e300, 16777217]) {
        for (const fn of cmps) {
          expectSame(both([{ d: 'float32', v: x }], { d: 'bool', n }, ([v], o) => ({ op: 'binary', fn, a: v, b: k, out: o }), 1), `${fn}(float32, ${k}) n=${n}`);
          expectSame(both([{ d: 'float32', v: x }], { d: 'bool', n }, ([v], o) => ({ op: 'binary', fn, a: k, b: v, out: o }), 2), `${fn}(${k}, float32) n=${n}`);
        }
        expectSame(both([{ d: 'bool', v: data('bool', n, seed++) }], { d: 'float64', n }, ([v], o) => ({ op: 'binary', fn: 'mul', a: v, b: k, out: o }), 0), `bool * ${k} n=${n}`);
      }
    }
  });

  it('max, min, argmax and argmin along columns of float32 (x.max(0)): NaN, ties, zeros of either sign, -inf', () => {
    let seed = 10000;
    for (const fn of ['max', 'min', 'argmax', 'argmin'] as const) for (const [rows, w] of [[1, 1], [1, 20], [5, 3], [7, 4], [33, 17], [100, 40], [9, 70]]) {
      const x = Float32Array.from(data('float64', rows * w, seed++));
      const r = rng(seed++);
      for (let i = 0; i < x.length; i++) {
        const k = r();
        if (k < 0.05) x[i] = NaN; else if (k < 0.1) x[i] = 0; else if (k < 0.15) x[i] = -0; else if (k < 0.2) x[i] = -Infinity; else if (k < 0.25) x[i] = 1;
      }
      const arg = fn.startsWith('arg'), od: DType = arg ? 'int64' : 'float32';
      for (const [what, strides] of [['rows', [w, 1]], ['a transpose', [1, w]]] as const) {
        const [R0, W0] = what === 'rows' ? [rows, w] : [w, rows];
        expectSame(both([{ d: 'float32', v: x }], { d: od, n: W0, shape: [1, W0] }, ([v], o) => ({ op: 'reduce', fn, x: { ...v, shape: [R0, W0], strides: [...strides] }, axes: [0], out: o }), 1), `${fn}(0) of ${what} ${R0}x${W0}`);
      }
    }
  });

  it('float32 with a transposed operand: x.t() + row, x.t() * col, x > y.t(), y.t() <= 0.5, also over part of the rows', () => {
    let seed = 11000;
    for (const [rows, w] of [[16, 16], [20, 33], [70, 40], [300, 64]]) {
      const x = Float32Array.from(data('float64', rows * w, seed++)), y = Float32Array.from(data('float64', rows * w, seed++));
      const row = Float32Array.from(data('float64', w, seed++)), col = Float32Array.from(data('float64', rows, seed++));
      y.set(x.subarray(0, 40)); // some equal pairs
      const T = (v: View): View => ({ ...v, shape: [rows, w], strides: [1, rows] }); // v holds a w x rows matrix, read transposed
      const M = (v: View): View => ({ ...v, shape: [rows, w], strides: [w, 1] });
      const o2 = (d: DType) => ({ d, n: rows * w, shape: [rows, w] });
      for (const fn of ['add', 'mul', 'maximum'] as const) {
        expectSame(both([{ d: 'float32', v: x }, { d: 'float32', v: row, plain: true }], o2('float32'), ([a, r], o) => ({ op: 'binary', fn, a: T(a), b: { ...r, shape: [rows, w], strides: [0, 1] }, out: o }), 1), `${fn} x.t() row ${rows}x${w}`);
        expectSame(both([{ d: 'float32', v: col }, { d: 'float32', v: x }], o2('float32'), ([c, a], o) => ({ op: 'binary', fn, a: { ...c, shape: [rows, w], strides: [1, 0] }, b: T(a), out: o }), 2), `${fn} col x.t() ${rows}x${w}`);
      }
      for (const fn of ['eq', 'lt', 'ge'] as const) {
        expectSame(both([{ d: 'float32', v: x }, { d: 'float32', v: y }], o2('bool'), ([a, b], o) => ({ op: 'binary', fn, a: M(a), b: T(b), out: o }), 1), `${fn} x y.t() ${rows}x${w}`);
        expectSame(both([{ d: 'float32', v: y }, { d: 'float32', v: x }], o2('bool'), ([b, a], o) => ({ op: 'binary', fn, a: T(b), b: M(a), out: o }), 3), `${fn} y.t() x ${rows}x${w}`);
        expectSame(both([{ d: 'float32', v: y }], o2('bool'), ([b], o) => ({ op: 'binary', fn, a: T(b), b: 0.5, out: o }), 0), `${fn} y.t() 0.5 ${rows}x${w}`);
      }
      // Over part of the rows (a worker's range): rows the range covers in part go through the JS loop.
      const X = arena.view('float32', arena.alloc(4 * rows * w)!.byteOffset, rows * w) as Float32Array, Y = arena.view('float32', arena.alloc(4 * rows * w)!.byteOffset, rows * w) as Float32Array;
      X.set(x); Y.set(y);
      const O = arena.view('bool', arena.alloc(rows * w + 16)!.byteOffset, rows * w) as Uint8Array, P = new Uint8Array(rows * w);
      const op: Op = { op: 'binary', fn: 'gt', a: { buf: 0, dtype: 'float32', shape: [rows, w], strides: [w, 1], offset: 0 }, b: { buf: 1, dtype: 'float32', shape: [rows, w], strides: [1, rows], offset: 0 }, out: { buf: 2, dtype: 'bool', shape: [rows, w], strides: [w, 1], offset: 0 } };
      const [s0, e0] = [Math.floor(w / 2), rows * w - 3];
      runOp(op, (id) => [X, Y, O][id], s0, e0);
      runOp(op, (id) => [x, y, P][id], s0, e0);
      expect(firstDiff(O, P), `x > y.t() over [${s0}, ${e0})`).toBe(-1);
    }
  });

  it('copies of strided rows (x[::2], a column block) into the same dtype: the elements, in order', () => {
    // (Against the elements picked here: the row copy does not depend on the arena, so both runs of
    // both() would take it.)
    let seed = 12000;
    for (const d of ['float32', 'int64', 'bool'] as DType[]) for (const [rows, w] of [[6, 16], [9, 40]]) {
      const x = d === 'float32' ? Float32Array.from(data('float64', rows * w, seed++)) : data(d, rows * w, seed++);
      const half = Math.ceil(rows / 2);
      const evens = both([{ d, v: x }], { d, n: half * w, shape: [half, w] }, ([v], o) => ({ op: 'copy', x: { ...v, shape: [half, w], strides: [2 * w, 1] }, out: o }), 1);
      const wantEvens = new ARRAY[d](half * w).map((_, k) => x[2 * w * Math.floor(k / w) + (k % w)]);
      expect(firstDiff(evens.simd, wantEvens), `${d} x[::2] ${rows}x${w}`).toBe(-1);
      expect(firstDiff(evens.js, wantEvens), `${d} x[::2] ${rows}x${w} (plain arrays)`).toBe(-1);
      const block = both([{ d, v: x }], { d, n: rows * (w - 4), shape: [rows, w - 4] }, ([v], o) => ({ op: 'copy', x: { ...v, offset: v.offset + 2, shape: [rows, w - 4], strides: [w, 1] }, out: o }), 0);
      const wantBlock = new ARRAY[d](rows * (w - 4)).map((_, k) => x[w * Math.floor(k / (w - 4)) + 2 + (k % (w - 4))]);
      expect(firstDiff(block.simd, wantBlock), `${d} x[:, 2:-2] ${rows}x${w}`).toBe(-1);
    }
  });

  it('fills with a step (arange) into float32, float64, int64 and bool, also over part of the range', () => {
    for (const d of ['float32', 'float64', 'int64', 'bool', 'int32'] as DType[]) for (const n of LENGTHS) for (const [v, st] of [[0, 1], [3.5, -0.37], [-7, 2.5], [1e15, 3]]) {
      expectSame(both([], { d, n }, (_, o) => ({ op: 'fill', value: v, step: st, out: o }), n % 3), `fill ${v} + i * ${st} ${d} n=${n}`);
    }
    const O = arena.view('float64', arena.alloc(8 * 1003)!.byteOffset, 1003) as Float64Array, P = new Float64Array(1003);
    const op: Op = { op: 'fill', value: 2.5, step: 0.1, out: { buf: 0, dtype: 'float64', shape: [1003], strides: [1], offset: 0 } };
    runOp(op, () => O, 101, 877);
    runOp(op, () => P, 101, 877);
    expect(firstDiff(O, P)).toBe(-1);
    expect(O[101]).toBe(2.5 + 101 * 0.1);
  });

  it('transposed copies of float64 and int64 (x.t().contiguous()), whole and over part of the rows', () => {
    let seed = 13000;
    for (const d of ['float64', 'int64'] as DType[]) for (const [rows, w] of [[16, 16], [17, 33], [40, 20], [3, 50]]) {
      const x = data(d, rows * w, seed++);
      expectSame(both([{ d, v: x }], { d, n: rows * w, shape: [rows, w] }, ([v], o) => ({ op: 'copy', x: { ...v, shape: [rows, w], strides: [1, rows] }, out: o }), 1), `${d} transpose ${rows}x${w}`);
    }
    // Arithmetic with a transposed operand (a + b.t(), a.t() * row), into the operand's dtype.
    for (const d of ['float64', 'int64'] as DType[]) for (const [rows, w] of [[16, 16], [20, 33]]) {
      const p = data(d, rows * w, seed++), q = data(d, rows * w, seed++), row = data(d, w, seed++);
      const T = (v: View): View => ({ ...v, shape: [rows, w], strides: [1, rows] }), M = (v: View): View => ({ ...v, shape: [rows, w], strides: [w, 1] });
      q.set(p.subarray(0, 30));
      for (const fn of ['gt', 'eq'] as const) {
        expectSame(both([{ d, v: p }, { d, v: q }], { d: 'bool', n: rows * w, shape: [rows, w] }, ([a, b], o) => ({ op: 'binary', fn, a: M(a), b: T(b), out: o }), 1), `${fn} ${d} a b.t() ${rows}x${w}`);
        expectSame(both([{ d, v: q }], { d: 'bool', n: rows * w, shape: [rows, w] }, ([b], o) => ({ op: 'binary', fn, a: T(b), b: 0.5, out: o }), 2), `${fn} ${d} b.t() 0.5 ${rows}x${w}`);
      }
      for (const fn of ['add', 'mul', 'minimum'] as const) {
        expectSame(both([{ d, v: p }, { d, v: q }], { d, n: rows * w, shape: [rows, w] }, ([a, b], o) => ({ op: 'binary', fn, a: M(a), b: T(b), out: o }), 1), `${fn} ${d} a b.t() ${rows}x${w}`);
        expectSame(both([{ d, v: q }, { d, v: row, plain: true }], { d, n: rows * w, shape: [rows, w] }, ([b, r], o) => ({ op: 'binary', fn, a: T(b), b: { ...r, shape: [rows, w], strides: [0, 1] }, out: o }), 2), `${fn} ${d} b.t() row ${rows}x${w}`);
      }
    }
    const x = data('float64', 40 * 20, seed++), X = arena.view('float64', arena.alloc(8 * 800)!.byteOffset, 800) as Float64Array;
    X.set(x);
    const O = arena.view('float64', arena.alloc(8 * 800)!.byteOffset, 800) as Float64Array, P = new Float64Array(800);
    const op: Op = { op: 'copy', x: { buf: 0, dtype: 'float64', shape: [40, 20], strides: [1, 40], offset: 0 }, out: { buf: 1, dtype: 'float64', shape: [40, 20], strides: [20, 1], offset: 0 } };
    runOp(op, (id) => [X, O][id], 13, 777);
    runOp(op, (id) => [x, P][id], 13, 777);
    expect(firstDiff(O, P)).toBe(-1);
  });

  it('comparisons of int64 and float64 into bool, every form', () => {
    let seed = 1000;
    for (const fn of ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const) for (const [da, db] of [['int64', 'int64'], ['float64', 'float64'], ['int64', 'float64']] as [DType, DType][]) for (const n of LENGTHS) {
      const a = data(da, n, seed++), b = data(db, n, seed++);
      if (n > 4) { b[0] = a[0]; b[2] = -a[2]; }
      expectSame(both([{ d: da, v: a }, { d: db, v: b }], { d: 'bool', n }, ([x, y], o) => ({ op: 'binary', fn, a: x, b: y, out: o }), n % 4), `${fn} ${da} ${db} n=${n}`);
      for (const k of [5, 0, -0, 2 ** 53 + 1, NaN, Infinity, 0.5]) {
        expectSame(both([{ d: da, v: a }], { d: 'bool', n }, ([x], o) => ({ op: 'binary', fn, a: x, b: k, out: o }), 1), `${fn}(${da}, ${k}) n=${n}`);
        expectSame(both([{ d: da, v: a }], { d: 'bool', n }, ([x], o) => ({ op: 'binary', fn, a: k, b: x, out: o }), 2), `${fn}(${k}, ${da}) n=${n}`);
      }
    }
  });

  it('conversions (the copy op) between float32, float64, int64 and bool, both ways', () => {
    let seed = 2000;
    const dts: DType[] = ['float32', 'float64', 'int64', 'bool'];
    for (const from of dts) for (const to of dts) for (const n of LENGTHS) {
      if (from === to) continue;
      const x = from === 'float32' ? Float32Array.from(data('float64', n, seed++)) : data(from, n, seed++);
      expectSame(both([{ d: from, v: x }], { d: to, n }, ([v], o) => ({ op: 'copy', x: v, out: o }), n % 3), `${from} -> ${to} n=${n}`);
    }
  });

  it('unary ops on int64 and float64 (neg, abs, sqrt, relu, sign, exp, sigmoid) into int64, float64 and float32', () => {
    let seed = 5000;
    const fns = ['neg', 'abs', 'sqrt', 'relu', 'sign', 'exp', 'sigmoid'] as const;
    for (const fn of fns) for (const [d, out] of [['int64', 'int64'], ['float64', 'float64'], ['int64', 'float32'], ['float64', 'float32']] as [DType, DType][]) for (const n of LENGTHS) {
      const x = data(d, n, seed++);
      // exp's whole range: overflow, underflow, the k = 0 branch, |x| < 2^-28, x = 1, denormal results
      if (d === 'float64' && n > 12) x.set([709.7, 709.79, -745.1, -745.2, 0.3, 1e-9, 1, -0.5, -708.5, 2.5e-300, 88.7, -103]);
      expectSame(both([{ d, v: x }], { d: out, n }, ([v], o) => ({ op: 'unary', fn, x: v, out: o }), n % 3), `${fn} ${d} -> ${out} n=${n}`);
    }
  });

  it('max and min of a whole int64 / float64 tensor (zeros of either sign, NaN, across blocks)', () => {
    let seed = 6000;
    for (const fn of ['max', 'min'] as const) for (const d of ['int64', 'float64'] as DType[]) for (const n of [...LENGTHS.slice(1), REDUCE_BLOCK + 7]) {
      const x = data(d, n, seed++).map((v) => (v !== v ? 0 : v));
      const zeros = x.map((v, i) => (i % 2 ? -0 : 0)); // an all-zero tensor: the first zero's sign
      expectSame(both([{ d, v: x }], { d, n: 1, shape: [] }, ([v], o) => ({ op: 'reduce', fn, x: v, axes: [0], out: { ...o, shape: [1], strides: [1] } }), 1), `${fn} ${d} n=${n}`);
      expectSame(both([{ d, v: zeros }], { d, n: 1, shape: [] }, ([v], o) => ({ op: 'reduce', fn, x: v, axes: [0], out: { ...o, shape: [1], strides: [1] } }), 0), `${fn} zeros ${d} n=${n}`);
      if (d === 'float64' && n > 3) { x[2] = NaN; expectSame(both([{ d, v: x }], { d, n: 1, shape: [] }, ([v], o) => ({ op: 'reduce', fn, x: v, axes: [0], out: { ...o, shape: [1], strides: [1] } }), 2), `${fn} NaN n=${n}`); }
    }
  });

  it('where into int64 and float64, over arrays and numbers', () => {
    let seed = 3000;
    for (const d of ['int64', 'float64'] as DType[]) for (const n of LENGTHS) {
      const c = data('bool', n, seed++), a = data(d, n, seed++), b = data(d, n, seed++);
      const w = (x: View | number, y: View | number) => (cv: View, o: View): Op => ({ op: 'where', cond: cv, a: x, b: y, out: o });
      expectSame(both([{ d: 'bool', v: c }, { d, v: a }, { d, v: b }], { d, n }, ([cv, x, y], o) => w(x, y)(cv, o), n % 2), `where ${d} n=${n}`);
      expectSame(both([{ d: 'bool', v: c }, { d, v: a }], { d, n }, ([cv, x], o) => w(x, 0)(cv, o), 1), `where(c, ${d}, 0) n=${n}`);
      expectSame(both([{ d: 'bool', v: c }, { d, v: b }], { d, n }, ([cv, y], o) => w(-3, y)(cv, o), 0), `where(c, -3, ${d}) n=${n}`);
      expectSame(both([{ d: 'bool', v: c }], { d, n }, ([cv], o) => w(7, -0)(cv, o), 3), `where(c, 7, -0) n=${n}`);
    }
  });

  it('sums of int64, float64 and bool: whole (block partials, across blocks) and along rows', () => {
    let seed = 4000;
    for (const d of ['int64', 'float64', 'bool'] as DType[]) {
      const outD: DType = d === 'float64' ? 'float64' : 'int64';
      for (const n of [...LENGTHS, REDUCE_BLOCK + 5, 2 * REDUCE_BLOCK + 3]) {
        const x = d === 'float64' ? data(d, n, seed++).map((v) => (Number.isFinite(v) ? v : 1)) : data(d, n, seed++);
        expectSame(both([{ d, v: x }], { d: outD, n: 1, shape: [] }, ([v], o) => ({ op: 'reduce', fn: 'sum', x: v, axes: [0], out: { ...o, shape: [1], strides: [1] } }), 1), `sum ${d} n=${n}`);
      }
      for (const [rows, cols] of [[3, 5], [7, 33], [10, 1003]]) {
        const x = data(d, rows * cols, seed++);
        expectSame(both([{ d, v: x }], { d: outD, n: rows, shape: [rows, 1] }, ([v], o) => ({ op: 'reduce', fn: 'sum', x: { ...v, shape: [rows, cols], strides: [cols, 1] }, axes: [1], out: o }), 2), `sum(1) ${d} ${rows}x${cols}`);
      }
    }
  });
});
