import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gradcheck, values } from './helpers.ts';

describe('creation', () => {
  it('makes tensors with PyTorch dtypes and shapes', async () => {
    expect(torch.ones(3, 2).shape).toEqual([3, 2]);
    expect(torch.ones([3, 2]).shape).toEqual([3, 2]);
    expect(torch.zeros(2).dtype).toBe('float32');
    expect(torch.tensor([[1, 2], [3, 4]]).dtype).toBe('int64');
    expect(torch.tensor([1.5, 2]).dtype).toBe('float32');
    expect(torch.tensor([true, false]).dtype).toBe('bool');
    expect(torch.fromTypedArray(new Float64Array([1, 2])).dtype).toBe('float64');
    expect(String(torch.tensor([[1, 2], [3, 4], [5, 6]]).size())).toBe('torch.Size([3, 2])');
    expect(await values(torch.linspace(0, 1, 5))).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(await values(torch.arange(4))).toEqual([0, 1, 2, 3]);
    expect(await values(torch.zerosLike(torch.ones(2, 2)))).toEqual([0, 0, 0, 0]);
    expect(torch.ones(2, { dtype: torch.float64 }).dtype).toBe('float64');
  });
  it('rejects bad input with clear errors', () => {
    expect(() => torch.ones(2, { dtype: 'float16' as never })).toThrow(/unknown dtype "float16"/);
    expect(() => torch.ones(2, { device: 'tpu' })).toThrow(/unknown device "tpu"/);
    expect(() => torch.ones(-1)).toThrow(/negative/);
    expect(() => torch.tensor([[1, 2], [3]])).toThrow(/expected sequence of length 2/);
  });
  it('integer dtypes refuse values they cannot hold (no silent wrap), as PyTorch does', async () => {
    expect(() => torch.full([3], 2 ** 40, { dtype: 'int32' })).toThrow(/value cannot be converted to type int32_t without overflow/);
    expect(() => torch.tensor([1, 2 ** 31], { dtype: 'int32' })).toThrow(/int32_t without overflow: 2147483648/);
    expect(() => torch.zeros([2], { dtype: 'int32' }).fill_(NaN)).toThrow(/int32_t without overflow: NaN/);
    expect(() => torch.ones([2], { dtype: 'int32' }).add(2 ** 33)).toThrow(/int32_t without overflow/);
    expect(() => torch.full([1], Infinity, { dtype: 'int64' })).toThrow(/int64_t without overflow: Infinity/);
    expect(await torch.full([2], -2.7, { dtype: 'int32' }).tolist()).toEqual([-2, -2]); // truncated toward zero
    expect(await torch.full([1], 2 ** 40, { dtype: 'int64' }).tolist()).toEqual([2 ** 40]);
  });
  it('random fills are reproducible under manualSeed', async () => {
    torch.manualSeed(42);
    const a = await values(torch.randn(100));
    torch.manualSeed(42);
    const b = await values(torch.randn(100));
    expect(a).toEqual(b);
    const u = await values(torch.rand(1000));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
  });
});

describe('indexing and views', () => {
  const x = torch.tensor([[1, 2], [3, 4], [5, 6]]);
  it('slices like Python', async () => {
    expect(await values(x.index(':', 1))).toEqual([2, 4, 6]);
    expect(await values(x.index(0, ':'))).toEqual([1, 2]);
    expect(await x.index(1, 1).item()).toBe(4);
    expect(x.index(1, 1).shape).toEqual([]);
    expect(await values(x.index('1:', 0))).toEqual([3, 5]);
    expect(await values(x.index('::2'))).toEqual([1, 2, 5, 6]);
    expect(await values(x.index(-1))).toEqual([5, 6]);
    expect(x.index(null, ':').shape).toEqual([1, 3, 2]);
    expect(x.index('...', 0).shape).toEqual([3]);
  });
  it('views share memory and reshape copies only when needed', async () => {
    const v = x.view(2, 3);
    expect(await v.tolist()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(x.view(6, -1).shape).toEqual([6, 1]);
    expect(v.storage).toBe(x.storage);
    const t = x.t();
    expect(await t.tolist()).toEqual([[1, 3, 5], [2, 4, 6]]);
    expect(() => t.view(6)).toThrow(/view size is not compatible/);
    expect(await values(t.reshape(6))).toEqual([1, 3, 5, 2, 4, 6]);
    expect(() => x.view(4, 2)).toThrow(/shape '\[4, 2\]' is invalid for input of size 6/);
  });
  it('says how much memory a tensor too large for this machine asked for', () => {
    // (V8's own message is only "Array buffer allocation failed".)
    expect(() => torch.zeros([1e11])).toThrow(/^not enough memory: you tried to allocate 400000000000 bytes \(372\.53 GiB\) for a float32 tensor of 100000000000 elements on the CPU/);
  });
  it('errors on out-of-range indices', async () => {
    expect(() => x.index(3)).toThrow(/index 3 is out of bounds for dimension 0 with size 3/);
    expect(() => x.index(0, 0, 0)).toThrow(/too many indices/);
    await expect(x.item()).rejects.toThrow(/a Tensor with 6 elements cannot be converted to Scalar/);
  });
});

describe('CPU elementwise and reduction kernels on strided views', () => {
  it('sums over several dims whose elements lie in runs (a conv bias gradient, sum([0, 2, 3])): the JS loop\'s float64 order, bit for bit', async () => {
    const { reduceLoop } = await import('../src/backends/cpu/loops.ts');
    const { REDUCE_BLOCK } = await import('../src/runtime/protocol.ts');
    // (the first is large enough to live in the shared arena, whose kernel scratch the path copies into)
    for (const [shape, dims, slice] of [[[64, 8, 32, 17], [0, 2, 3], null], [[16, 8, 5, 7], [0, 2, 3], null], [[3, 5, 7, 20], [0, 3], null], [[6, 4, 33], [0, 2], '1:3'], [[2, 3, 4, 40], [1, 3], null]] as const) {
      const full = [...shape] as number[], view = slice ? full.map((v, d) => (d === 1 ? 2 : v)) : full, lo = slice ? 1 : 0;
      const strides = full.map((_, d) => full.slice(d + 1).reduce((a, b) => a * b, 1));
      const kept = view.map((_, d) => d).filter((d) => !(dims as readonly number[]).includes(d));
      const redShape = (dims as readonly number[]).map((d) => view[d]), m = redShape.reduce((a, b) => a * b, 1);
      const outN = kept.reduce((a, d) => a * view[d], 1);
      /** where output o's reduced element j lies in the full tensor's data */
      const at = (o: number, j: number) => {
        let off = lo * strides[1], rem = o;
        for (let k = kept.length - 1; k >= 0; k--) { off += (rem % view[kept[k]]) * strides[kept[k]]; rem = Math.floor(rem / view[kept[k]]); }
        for (let k = dims.length - 1; k >= 0; k--) { off += (j % redShape[k]) * strides[dims[k]]; j = Math.floor(j / redShape[k]); }
        return off;
      };
      // Each output: +2^40 first, −2^40 last, small values of both signs between: the float64 sums round
      // the small values differently for every other order of the additions, and the total is small, so
      // the float32 result shows it.
      const data = new Float32Array(full.reduce((a, b) => a * b, 1));
      for (let o = 0; o < outN; o++) {
        for (let j = 0; j < m; j++) data[at(o, j)] = j === 0 ? 2 ** 40 : j === m - 1 ? -(2 ** 40) : ((((j * 7919 + o * 104729) % 2001) - 1000) / 1000) * (1 + ((j * 31) % 1000) / 4096);
      }
      let x = torch.fromTypedArray(data).reshape(full).clone(); // (a fresh storage: large ones go to the arena)
      if (slice) x = x.index(':', slice); // (a view with an offset and a gap)
      const got = Array.from((await x.sum([...dims]).toTypedArray()) as Float32Array);
      const line = new Float32Array(m), f = reduceLoop('sum', line, REDUCE_BLOCK), want: number[] = [];
      for (let o = 0; o < outN; o++) {
        for (let j = 0; j < m; j++) line[j] = data[at(o, j)];
        want.push(Math.fround(f(line, 0, 1, m)));
      }
      expect(got, `${shape} ${dims}`).toEqual(want);
    }
  });

  // Many chunks of the JS loops (8192 elements each), rows that straddle them, transposed and broadcast
  // operands, outputs of four dtypes, against a plain JS reference. Integer-valued data: sums are exact.
  for (const [rows, cols] of [[130, 70], [700, 610]]) {
    it(`match a plain reference (${rows}x${cols})`, async () => {
      const n = rows * cols;
      const xs = Array.from({ length: n }, (_, i) => ((i * 7919) % 23) - 11);
      const x = torch.tensor(xs).float().view(rows, cols);
      const col = torch.tensor(Array.from({ length: rows }, (_, i) => (i % 5) - 2)).float().view(rows, 1);
      const xt = x.t().contiguous(); // [cols, rows]
      const at = (r: number, c: number) => xs[r * cols + c];
      const check = async (t: torch.Tensor, f: (r: number, c: number) => number) => {
        const v = await t.toTypedArray();
        expect(t.shape).toEqual([rows, cols]);
        let bad = -1;
        for (let i = 0; i < n && bad < 0; i++) if (v[i] !== f(Math.floor(i / cols), i % cols)) bad = i;
        expect(bad, `first wrong element ${bad}: ${v[bad]} vs ${bad >= 0 ? f(Math.floor(bad / cols), bad % cols) : ''}`).toBe(-1);
      };
      await check(x.add(xt.t()), (r, c) => 2 * at(r, c));                       // a transposed operand
      await check(x.mul(col), (r, c) => at(r, c) * ((r % 5) - 2));               // a broadcast column
      const row = torch.tensor(Array.from({ length: cols }, (_, i) => (i % 7) - 3)).float(); // a small row
      await check(x.add(row), (r, c) => at(r, c) + (c % 7) - 3);
      await check(row.sub(x), (r, c) => (c % 7) - 3 - at(r, c));                 // the row first
      const z = x.clone();
      z.sub_(row);                                                                // in place
      await check(z, (r, c) => at(r, c) - ((c % 7) - 3));
      const g = x.clone();
      g.index('::2').sub_(row);                                                   // in place, rows with gaps
      g.index('1::2').mul_(col.index('1::2'));
      await check(g, (r, c) => (r % 2 === 0 ? at(r, c) - ((c % 7) - 3) : at(r, c) * ((r % 5) - 2)));
      await check(torch.maximum(x, row.expand(rows, cols)), (r, c) => Math.max(at(r, c), (c % 7) - 3));
      await check(xt.t().contiguous(), at);                                       // a strided copy
      await check(x.gt(col).float(), (r, c) => +(at(r, c) > (r % 5) - 2));        // bool output
      await check(torch.where(x.lt(0), col.expand(rows, cols), xt.t()), (r, c) => (at(r, c) < 0 ? (r % 5) - 2 : at(r, c)));
      await check(x.mul(x.gt(0)), (r, c) => at(r, c) * +(at(r, c) > 0));        // a bool operand (relu's backward)
      await check(x.lt(0).mul(2.5), (r, c) => 2.5 * +(at(r, c) < 0));             // a bool operand and a number
      await check(torch.where(x.ge(col), x, -1), (r, c) => (at(r, c) >= (r % 5) - 2 ? at(r, c) : -1)); // a number branch
      await check(x.int().mul(3).float(), (r, c) => 3 * at(r, c));              // int32
      await check(xt.t().long().sub(1).float(), (r, c) => at(r, c) - 1);         // int64 from a strided view
      await check(x.pow(2), (r, c) => at(r, c) ** 2);
      const y = torch.zeros([cols, rows]);
      y.t().copy_(x);                                                             // a strided output
      await check(y.t(), at);
      const s0 = await x.sum(0).toTypedArray(), s1 = await xt.t().sum(1).toTypedArray(), mx = await x.t().max().item();
      const colSums = new Array<number>(cols).fill(0), rowSums = new Array<number>(rows).fill(0);
      xs.forEach((v, i) => { colSums[i % cols] += v; rowSums[Math.floor(i / cols)] += v; });
      expect(Array.from(s0)).toEqual(colSums);
      expect(Array.from(s1)).toEqual(rowSums);
      expect(Array.from(await x.sum(1).toTypedArray())).toEqual(rowSums);      // contiguous lines, all in one call
      expect(mx).toBe(11);
    });
  }
});

describe('in-place ops on views of one storage', () => {
  // Small tensors (plain memory, JS loops) and large ones (the shared arena, chunked SIMD kernels): before
  // the checks, x[1:] += x[:-1] silently gave running sums on the first and garbage on the second.
  for (const n of [10, 300_000]) {
    it(`follow PyTorch's overlap rules (${n} elements)`, async () => {
      const ramp = () => torch.arange(n).float();
      const y = ramp();
      expect(() => y.index('1:').add_(y.index(':-1'))).toThrow('unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location. Please clone() the tensor before performing the operation.');
      expect(() => y.index('1:').copy_(y.index(':-1'))).toThrow(/some elements of the input tensor and the written-to tensor refer to a single memory location/);
      expect(() => torch.ones([n]).expand(2, n).add_(1)).toThrow('unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.');
      expect(() => torch.ones([n]).expand(2, n).zero_()).toThrow(/more than one element of the written-to tensor/);
      // The same elements in the same layout, and disjoint parts, are fine.
      const z = ramp();
      z.add_(z.view(n));
      z.index(`:${n / 2}`).sub_(z.index(`${n / 2}:`));
      const v = await z.toTypedArray();
      expect([v[0], v[1], v[n / 2], v[n - 1]]).toEqual([-n, -n, n, 2 * (n - 1)]);
      // Views with gaps that may share elements (PyTorch cannot tell): read as if copied first.
      const w = ramp();
      w.index('2::2').add_(w.index(':-2:2'));
      const u = await w.toTypedArray();
      expect([u[0], u[2], u[4], u[6], u[5]]).toEqual([0, 2, 4 + 2, 6 + 4, 5]);
      const m = torch.arange(n).float().view(2, n / 2);
      expect(() => m.index(':', '1:').copy_(m.index(':', ':-1'))).not.toThrow(); // rows with gaps: copied first
      const mv = await m.toTypedArray();
      expect([mv[0], mv[1], mv[2], mv[n / 2 + 1]]).toEqual([0, 0, 1, n / 2]);
    });
  }
});

describe('arithmetic', () => {
  it('broadcasts and promotes like PyTorch', async () => {
    const a = torch.tensor([[1, 2, 3]]);            // int64 [1,3]
    const b = torch.tensor([[0.5], [1.5]]);         // float32 [2,1]
    const c = a.add(b);
    expect(c.shape).toEqual([2, 3]);
    expect(c.dtype).toBe('float32');
    expect(await values(c)).toEqual([1.5, 2.5, 3.5, 2.5, 3.5, 4.5]);
    expect(torch.ones(2).add(torch.ones(2, { dtype: 'float64' })).dtype).toBe('float64');
    expect(torch.tensor([1, 2]).add(1.5).dtype).toBe('float32');
    expect(torch.tensor([1, 2]).add(1).dtype).toBe('int64');
    expect(torch.tensor([1, 2]).div(2).dtype).toBe('float32');
    expect(torch.ones(2, { dtype: 'float64' }).add(torch.tensor(1.0)).dtype).toBe('float64');
    expect(await values(torch.div(1, torch.tensor([2.0, 4.0])))).toEqual([0.5, 0.25]);
    expect(await values(torch.tensor([1.0, 2.0, 3.0]).pow(2))).toEqual([1, 4, 9]);
    expect(await values(torch.tensor([3, 1, 2]).gt(1))).toEqual([1, 0, 1]);
  });
  it('names the shapes when broadcasting fails and leaves tensors alone', async () => {
    const a = torch.ones(3, 2), b = torch.ones(3);
    expect(() => a.add(b)).toThrow(/size of tensor a \(2\) must match the size of tensor b \(3\) at non-singleton dimension 1/);
    expect(() => a.add_(torch.ones(4, 3, 2))).toThrow(/output with shape \[3, 2\] doesn't match the broadcast shape \[4, 3, 2\]/);
    expect(() => torch.tensor([1, 2]).add_(0.5)).toThrow("result type Float can't be cast to the desired output type Long");
    expect(() => torch.tensor([true]).add_(1)).toThrow("result type Long can't be cast to the desired output type Bool");
    // PyTorch's can_cast: a narrower type of the same kind takes the result (computed wide, then stored)
    const i = torch.full([2], 2 ** 31 - 1, { dtype: 'int32' }).add_(torch.tensor([1, 2 ** 40]));
    expect([i.dtype, await values(i)]).toEqual(['int32', [-(2 ** 31), 2 ** 31 - 1]]);
    const f = torch.ones([2]).add_(torch.tensor([1e-9, 3.0000000001], { dtype: 'float64' }));
    expect([f.dtype, await values(f)]).toEqual(['float32', [1, 4]]);
    expect(await values(a)).toEqual([1, 1, 1, 1, 1, 1]);
  });
  it('reductions, dot and matmul', async () => {
    const m = torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' });
    expect(await torch.sum(m).item()).toBe(10);
    expect(await values(m.sum(0))).toEqual([4, 6]);
    expect(await values(m.sum(1, true))).toEqual([3, 7]);
    expect(m.sum(1, true).shape).toEqual([2, 1]);
    expect(await torch.mean(m).item()).toBe(2.5);
    expect(await torch.dot(torch.tensor([1.5, 2]), torch.tensor([2, 4.5])).item()).toBe(12);
    expect(await torch.matmul(m, m).tolist()).toEqual([[7, 10], [15, 22]]);
    expect(await torch.matmul(m, torch.ones(2)).tolist()).toEqual([3, 7]);
    expect(() => torch.matmul(m, torch.ones(3, 2))).toThrow(/mat1 and mat2 shapes cannot be multiplied \(2x2 and 3x2\)/);
    expect(() => torch.dot(torch.ones(2), torch.ones(3))).toThrow(/inconsistent tensor size/);
    expect(await m.max().item()).toBe(4);
  });
  it('max and min along a dim give values and first indices (torch.return_types), argmax and argmin', async () => {
    const m = torch.tensor([[1, 5, 5], [3, 2, 0]]);
    const r = m.max(1);
    expect(await r.values.tolist()).toEqual([5, 3]);
    expect(await r.indices.tolist()).toEqual([1, 0]); // the first of tied maxima, as PyTorch's CPU
    expect(r.indices.dtype).toBe('int64');
    const [v, i] = m.min(0, true); // destructures as PyTorch's namedtuple
    expect(await v.tolist()).toEqual([[1, 2, 0]]);
    expect(await i.tolist()).toEqual([[0, 1, 1]]);
    expect(torch.max(m, -1).values.shape).toEqual([2]);
    expect(await torch.max(m, torch.tensor([2, 2, 9])).tolist()).toEqual([[2, 5, 9], [3, 2, 9]]);
    // NaN wins and its index is given; PyTorch's printing of the pair
    const f = torch.tensor([[1, NaN, 0.5], [3, 2, NaN]]);
    expect(await f.max(1).indices.tolist()).toEqual([1, 2]);
    expect(await f.min(1).indices.tolist()).toEqual([1, 2]);
    expect(await torch.tensor([[1.5, 5], [3, 2]]).max(1, true).format()).toBe(
      'torch.return_types.max(\nvalues=tensor([[5.],\n        [3.]]),\nindices=tensor([[1],\n        [0]]))');
    expect(await torch.tensor(5.5).max(0).format()).toBe('torch.return_types.max(\nvalues=tensor(5.5000),\nindices=tensor(0))');
    expect(String(m.min(1))).toBe('torch.return_types.min(values=Tensor(shape=[2], dtype=int64, device=cpu), indices=Tensor(shape=[2], dtype=int64, device=cpu)) — use await r.format() or torch.print(r) for values');
    expect(await torch.tensor([true, false]).max(0).indices.item()).toBe(0);
    expect(await torch.zeros([0, 3]).max(1).values.tolist()).toEqual([]);
    expect(() => torch.zeros([2, 0]).max(1)).toThrow('max(): Expected reduction dim 1 to have non-zero size.');
    expect(() => m.max(2)).toThrow(/Dimension out of range/);
    expect(() => m.max(0.5)).toThrow(/dim must be an integer/);
    expect(await m.argmax().item()).toBe(1);
    expect(await m.argmin().item()).toBe(5);
    expect(await m.argmax(0).tolist()).toEqual([1, 0, 0]);
    expect(await m.argmin(1, true).tolist()).toEqual([[0], [2]]);
    expect(m.argmax(undefined, true).shape).toEqual([1, 1]);
    expect(() => torch.zeros([0]).argmax()).toThrow(/numel\(\) == 0/);
    // Large and strided: against a plain loop (first index of the largest)
    torch.manualSeed(5);
    const big = torch.randn([600, 700]).t(); // 420000 elements: shared memory, a transposed view
    const data = await big.contiguous().toTypedArray(), [bv, bi] = big.max(1);
    const vs = await bv.toTypedArray(), is = await bi.toTypedArray();
    for (let row = 0; row < 700; row++) {
      let best = -Infinity, at = -1;
      for (let c = 0; c < 600; c++) if (data[row * 600 + c] > best) { best = data[row * 600 + c]; at = c; }
      expect([vs[row], is[row]]).toEqual([best, at]);
    }
    // Contiguous float32 lines in shared memory (the SIMD path) and the same lines as float64 (the JS
    // loop): NaNs, ±0 and ties placed on purpose; the JS reference takes the first extreme, NaN first.
    const rowsN = 500, cols = 1000, vals0 = new Float32Array(rowsN * cols);
    for (let i = 0; i < vals0.length; i++) vals0[i] = Math.round(Math.sin(i * 12.9898) * 50) / 10;
    for (let r = 0; r < rowsN; r += 7) vals0[r * cols + ((r * 31) % cols)] = NaN;
    for (let r = 3; r < rowsN; r += 11) { vals0.fill(0, r * cols, (r + 1) * cols); vals0[r * cols + 5] = -0; vals0[r * cols + 9] = -0; }
    const ref = (fn: 'max' | 'min', row: Float32Array) => {
      let at = 0;
      for (let c = 0; c < row.length; c++) {
        if (row[c] !== row[c]) { at = c; break; }
        if (fn === 'max' ? row[c] > row[at] : row[c] < row[at]) at = c;
      }
      return at;
    };
    for (const dtype of ['float32', 'float64'] as const) {
      const t = torch.fromTypedArray(dtype === 'float32' ? vals0.slice() : Float64Array.from(vals0)).view(rowsN, cols).clone();
      for (const fn of ['max', 'min'] as const) {
        const r = t[fn](1), am = await (fn === 'max' ? t.argmax(1) : t.argmin(1)).toTypedArray();
        const vals = await r.values.toTypedArray(), idx = await r.indices.toTypedArray();
        for (let row = 0; row < rowsN; row++) {
          const want = ref(fn, vals0.subarray(row * cols, (row + 1) * cols));
          expect([idx[row], am[row]], `${dtype} ${fn} row ${row}`).toEqual([want, want]);
          expect(Object.is(vals[row], vals0[row * cols + want]), `${dtype} ${fn} value of row ${row}`).toBe(true);
        }
        // Along dim 0 (columns: every output advanced a row at a time)
        const c = t[fn](0), cm = await (fn === 'max' ? t.argmax(0) : t.argmin(0)).toTypedArray();
        const cv = await c.values.toTypedArray(), ci = await c.indices.toTypedArray();
        const colVals = new Float32Array(rowsN);
        for (let col = 0; col < cols; col += 7) {
          for (let r = 0; r < rowsN; r++) colVals[r] = vals0[r * cols + col];
          const want = ref(fn, colVals);
          expect([ci[col], cm[col]], `${dtype} ${fn} column ${col}`).toEqual([want, want]);
          expect(Object.is(cv[col], colVals[want]), `${dtype} ${fn} value of column ${col}`).toBe(true);
        }
      }
    }
  });
  it("pow by 0.5, -1, 3 and -2 gives Math.pow's bits (cheaper roads to the same values)", async () => {
    // Every 997th float32 bit pattern (both signs, zeros, denormals, infinities, NaNs)
    const n = Math.ceil(2 ** 32 / 997), bits = new Uint32Array(n);
    for (let i = 0; i < n; i++) bits[i] = 997 * i;
    const f = new Float32Array(bits.buffer);
    f[0] = -0; f[1] = -Infinity; f[2] = Infinity; f[3] = NaN;
    const x = torch.fromTypedArray(f);
    for (const y of [0.5, -1, 3, -2, 2, 1.5]) {
      const got = await x.pow(y).toTypedArray();
      let bad = '';
      for (let i = 0; i < n && !bad; i++) if (!Object.is(got[i], Math.fround(Math.pow(f[i], y)))) bad = `${f[i]} ** ${y}: ${got[i]}, Math.pow: ${Math.fround(Math.pow(f[i], y))}`;
      expect(bad).toBe('');
    }
    // float64: 0.5 and -1 are Math.pow's float64 itself
    const d = new Float64Array(100000);
    for (let i = 0; i < d.length; i++) d[i] = Math.sin(i * 7.77) * 10 ** ((i % 40) - 20);
    d[0] = -0; d[1] = -Infinity; d[2] = 0; d[3] = Infinity; d[4] = NaN;
    for (const y of [0.5, -1]) {
      const got = await torch.fromTypedArray(d).pow(y).toTypedArray();
      for (let i = 0; i < d.length; i++) if (!Object.is(got[i], Math.pow(d[i], y))) expect([d[i], y, got[i]]).toEqual([d[i], y, Math.pow(d[i], y)]);
    }
    expect(await torch.tensor([2, -3]).pow(3).tolist()).toEqual([8, -27]);
  });
  it('comparisons with a broadcast row or column (SIMD per row, and the JS loop) against plain JS, NaN and -0 included', async () => {
    const n = 700, m = 300, v = new Float32Array(n * m), rv = new Float32Array(m), cv = new Float32Array(n);
    for (let i = 0; i < v.length; i++) v[i] = Math.round(Math.sin(i) * 4) / 2;
    for (let i = 0; i < m; i++) rv[i] = Math.round(Math.cos(i) * 4) / 2;
    for (let i = 0; i < n; i++) cv[i] = Math.round(Math.cos(i * 3) * 4) / 2;
    v[17] = NaN; v[905] = -0; rv[3] = NaN; rv[5] = 0; cv[9] = NaN;
    const x = torch.fromTypedArray(v).view(n, m).clone(), row = torch.fromTypedArray(rv), col = torch.fromTypedArray(cv).view(n, 1);
    for (const dtype of ['float32', 'float64'] as const) {
      const X = x.to({ dtype }), Rw = row.to({ dtype }), C = col.to({ dtype });
      for (const fn of ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const) {
        const ref = (a: number, b: number) => ({ eq: a === b, ne: a !== b, lt: a < b, le: a <= b, gt: a > b, ge: a >= b })[fn] ? 1 : 0;
        const cases: Array<[torch.Tensor, (i: number, j: number) => number]> = [
          [X[fn](Rw), (i, j) => ref(v[i * m + j], rv[j])], [X[fn](C), (i, j) => ref(v[i * m + j], cv[i])],
          [Rw.unsqueeze(0).expand(n, m)[fn](X), (i, j) => ref(rv[j], v[i * m + j])]];
        for (const [t, want] of cases) {
          const d = await t.toTypedArray();
          let bad = '';
          for (let i = 0; i < n && !bad; i++) for (let j = 0; j < m; j++) if (d[i * m + j] !== want(i, j)) { bad = `${dtype} ${fn} at ${i},${j}`; break; }
          expect(bad).toBe('');
        }
      }
    }
  });
  it('flatten merges a range of dims', async () => {
    const x = torch.arange(24).reshape(2, 3, 4);
    expect(x.flatten().shape).toEqual([24]);
    expect(x.flatten(1).shape).toEqual([2, 12]);
    expect(x.flatten(0, 1).shape).toEqual([6, 4]);
    expect(x.flatten(-2, -1).shape).toEqual([2, 12]);
    expect(x.flatten(1, 1)).toBe(x);
    expect(torch.tensor(3).flatten().shape).toEqual([1]);
    expect(await x.transpose(0, 2).flatten(1).tolist()).toEqual(await x.transpose(0, 2).contiguous().view(4, 6).tolist());
    expect(() => x.flatten(2, 1)).toThrow('flatten() has invalid args: start_dim cannot come after end_dim');
    expect(() => x.flatten(3)).toThrow(/Dimension out of range/);
  });
  it('small PyTorch behaviours: linspace with one step, integer powers, permute and mean messages', async () => {
    expect(await torch.linspace(0, 1, 1).tolist()).toEqual([0]);
    expect(() => torch.tensor([2, 3]).pow(-1)).toThrow('Integers to negative integer powers are not allowed.');
    expect(await torch.tensor([2, 3]).pow(torch.tensor([-1, 1])).tolist()).toEqual([0, 3]);
    expect(await torch.tensor([4], { dtype: 'float32' }).pow(-1).tolist()).toEqual([0.25]);
    expect(() => torch.ones(2, 3).permute(0, 0)).toThrow('permute(): duplicate dims are not allowed.');
    expect(() => torch.ones(2, 3).permute(0)).toThrow(/input.dim\(\) = 2 is not equal to len\(dims\) = 1/);
    expect(() => torch.tensor([1, 2]).mean()).toThrow(/Got: Long$/);
    expect(() => torch.fromTypedArray(new Uint8Array([1, 2]))).toThrow(/bytes are 0 or 1; got 2 at index 1/);
    expect(() => torch.where(torch.tensor([0.5, 0], { dtype: 'float32' }), 1, 2)).toThrow('where expected condition to be a boolean tensor, but got a tensor with dtype Float');
    // where's JS loop (int64 and float64 outputs) picks without branching: every combination of operands
    const m = torch.tensor([true, false, true, false, false, true]), fa = torch.tensor([1.5, 2, 3, 4, 5, 6], { dtype: 'float64' });
    expect(await torch.where(m, 7, -1).tolist()).toEqual([7, -1, 7, -1, -1, 7]);
    expect(await torch.where(m, fa, 0).tolist()).toEqual([1.5, 0, 3, 0, 0, 6]);
    expect(await torch.where(m, -2, fa).tolist()).toEqual([-2, 2, -2, 4, 5, -2]);
    expect(await torch.where(m, fa, fa.neg()).tolist()).toEqual([1.5, -2, 3, -4, -5, 6]);
    expect(await torch.where(m.index('::2'), torch.tensor([1, 2, 3]), torch.tensor([9, 9, 9])).tolist()).toEqual([1, 2, 9]); // (a strided condition: true, true, false)
    expect(await torch.fromTypedArray(new Uint8Array([1, 0])).tolist()).toEqual([true, false]);
    expect(() => torch.ones(2, 3).sum([0, -2])).toThrow('dim 0 appears multiple times in the list of dims');
    expect(() => torch.ones(2, 3).sum('1' as never)).toThrow("dim must be an integer, got '1'");
    expect(() => torch.ones(2, 3).mean(1.5)).toThrow('dim must be an integer, got 1.5');
    expect(() => torch.ones(2, 3).index(1.5)).toThrow(/index 1.5 is not an integer/);
    // (an integer tensor picks entries, test/ops-more.test.ts; two of them, or one with numbers beside it, are refused)
    expect(() => torch.ones(3, 3).index(torch.tensor([0, 2]), torch.tensor([1]))).toThrow(/unsupported index: tensor indexing takes one 1-D \(or 0-d\) integer tensor/);
    expect(() => torch.ones(3).index(torch.ones(3).gt(0))).toThrow(/indexing by a bool mask is not supported/);
    // full's dtype follows its value, as torch.tensor's does
    expect([torch.full([2], 7).dtype, torch.full([2], 0.5).dtype, torch.full([2], true).dtype]).toEqual(['int64', 'float32', 'bool']);
    expect(await torch.full([2], 7).tolist()).toEqual([7, 7]);
  });
  it('in-place ops mutate and return the receiver', async () => {
    const y = torch.ones(3, 2), x = torch.ones(3, 2);
    const z = y.add_(x);
    expect(z).toBe(y);
    expect(await values(y)).toEqual([2, 2, 2, 2, 2, 2]);
    y.zero_();
    expect(await values(y)).toEqual([0, 0, 0, 0, 0, 0]);
    const col = y.index(':', 0);
    col.fill_(7);
    expect(await y.tolist()).toEqual([[7, 0], [7, 0], [7, 0]]);
  });
  it('shares memory with typed arrays both ways', async () => {
    const a = new Float64Array([1, 2, 3]);
    const t = torch.fromTypedArray(a);
    a[0] = 10;
    expect(await values(t)).toEqual([10, 2, 3]);
    const x = torch.ones(3);
    const arr = await x.toTypedArray();
    arr[1] = 5;
    expect(await values(x)).toEqual([1, 5, 1]);
  });
  it('rejects mixing devices without a GPU touching', () => {
    expect(() => torch.ones(2, { device: 'gpu' })).toThrow(/GPU|gpu/);
  });
});

describe('autograd', () => {
  it('torch.autograd.grad and retainGraph: PyTorch 1.13\'s gradients and errors; no .grad is touched', async () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true }), w = torch.tensor([0.5, -1, 2], { requiresGrad: true });
    const y = x.mul(w).sum().add(x.pow(2).sum());
    const [gx, gw] = await torch.autograd.grad(y, [x, w], { retainGraph: true });
    expect([await values(gx!), await values(gw!), x.grad, w.grad]).toEqual([[2.5, 3, 8], [1, 2, 3], null, null]);
    expect(await values((await torch.autograd.grad(y, x))[0]!)).toEqual([2.5, 3, 8]);
    await expect(y.backward()).rejects.toThrow('Trying to backward through the graph a second time');
    // several outputs, with and without their gradients; an inner tensor as the input
    const z = x.mul(2), u = z.sum(), v = z.mul(z).sum();
    expect(await values((await torch.autograd.grad([u, v], z, { retainGraph: true }))[0]!)).toEqual([5, 9, 13]);
    expect(await values((await torch.autograd.grad([u, v], [x], { gradOutputs: [torch.tensor(2), torch.tensor(0.5)] }))[0]!)).toEqual([8, 12, 16]);
    const a = torch.tensor([1, 1], { requiresGrad: true }), b = torch.tensor([2, 2], { requiresGrad: true });
    await expect(torch.autograd.grad(a.mul(2).sum(), [a, b])).rejects.toThrow('One of the differentiated Tensors appears to not have been used in the graph. Set allowUnused: true');
    const [ga, gb] = await torch.autograd.grad(a.mul(2).sum(), [a, b], { allowUnused: true });
    expect([await values(ga!), gb]).toEqual([[2, 2], null]);
    await expect(torch.autograd.grad(a.mul(2).sum(), [torch.ones([2])])).rejects.toThrow('One of the differentiated Tensors does not require grad');
    // (createGraph: test/autograd-twice.test.ts)
    expect((await torch.autograd.grad(a.mul(a).sum(), [a], { createGraph: true }))[0]!.requiresGrad).toBe(true);
    const q = x.mul(3);
    expect((await values((await torch.autograd.grad(q.exp().sum(), q))[0]!)).map((e) => Number(e.toPrecision(6)))).toEqual([20.0855, 403.429, 8103.08]);
    // retainGraph: a second backward through the same graph sums into .grad
    const s = x.mul(2).sum();
    await s.backward({ retainGraph: true });
    await s.backward();
    expect(await values(x.grad!)).toEqual([4, 4, 4]);
    // a leaf reached by a broadcast: its gradient summed to its shape
    const c = torch.tensor([1.5], { requiresGrad: true });
    expect(await values((await torch.autograd.grad(x.detach().mul(c).sum(), c))[0]!)).toEqual([6]);
  });

  it('in-place math (relu_ … addcdiv_, uniform_, normal_): PyTorch 1.13\'s values, grad_fns, gradients and errors', async () => {
    const f32 = (v: number[]) => torch.tensor(v, { dtype: 'float32' });
    const a = f32([-1.5, 0.5, 2.0]).requiresGrad_();
    const cases: Array<[string, (x: torch.Tensor) => torch.Tensor, string, string, string]> = [
      ['relu_', (x) => x.relu_(), 'tensor([0.0000, 0.5000, 2.0000])', 'ReluBackward0', 'tensor([0., 2., 3.])'],
      ['sigmoid_', (x) => x.sigmoid_(), 'tensor([0.1824, 0.6225, 0.8808])', 'SigmoidBackward0', 'tensor([0.1491, 0.4700, 0.3150])'],
      ['tanh_', (x) => x.tanh_(), 'tensor([-0.9051,  0.4621,  0.9640])', 'TanhBackward0', 'tensor([0.1807, 1.5729, 0.2120])'],
      ['exp_', (x) => x.exp_(), 'tensor([0.2231, 1.6487, 7.3891])', 'ExpBackward0', 'tensor([ 0.2231,  3.2974, 22.1672])'],
      ['clamp_', (x) => x.clamp_(-1, 1), 'tensor([-1.0000,  0.5000,  1.0000])', 'ClampBackward1', 'tensor([0., 2., 0.])'],
      ['pow_', (x) => x.pow_(3), 'tensor([-3.3750,  0.1250,  8.0000])', 'PowBackward0', 'tensor([ 6.7500,  1.5000, 36.0000])'],
      ['abs_', (x) => x.abs_(), 'tensor([1.5000, 0.5000, 2.0000])', 'AbsBackward0', 'tensor([-1.,  2.,  3.])'],
      ['neg_', (x) => x.neg_(), 'tensor([ 1.5000, -0.5000, -2.0000])', 'NegBackward0', 'tensor([-1., -2., -3.])'],
      ['sqrt_', (x) => x.add_(2).sqrt_(), 'tensor([0.7071, 1.5811, 2.0000])', 'SqrtBackward0', 'tensor([0.7071, 0.6325, 0.7500])'],
      ['addcmul_', (x) => x.addcmul_(f32([1, 2, 3]), f32([2, 2, 2]), 0.5), 'tensor([-0.5000,  2.5000,  5.0000])', 'AddcmulBackward0', 'tensor([1., 2., 3.])'],
      ['addcdiv_', (x) => x.addcdiv_(f32([1, 2, 3]), f32([2, 4, 8]), 2), 'tensor([-0.5000,  1.5000,  2.7500])', 'AddcdivBackward0', 'tensor([1., 2., 3.])'],
      ['lerp_', (x) => x.lerp_(f32([1, 1, 1]), 0.25), 'tensor([-0.8750,  0.6250,  1.7500])', 'LerpBackward0', 'tensor([0.7500, 1.5000, 2.2500])'],
      ['reciprocal_', (x) => x.reciprocal_(), 'tensor([-0.6667,  2.0000,  0.5000])', 'ReciprocalBackward0', 'tensor([-0.4444, -8.0000, -0.7500])'],
    ];
    for (const [name, f, val, fn, grad] of cases) {
      a.grad = null;
      const y = a.mul(1);
      const r = f(y);
      expect(r, name).toBe(y);
      await r.mul(f32([1, 2, 3])).sum().backward();
      expect([await torch.format(r.detach()), y.gradFn?.name, await torch.format(a.grad!)], name).toEqual([val, fn, grad]);
    }
    expect(await values(f32([3, -4]).relu_())).toEqual([3, 0]);
    expect(() => torch.tensor([1, 2]).sigmoid_()).toThrow("result type Float can't be cast to the desired output type Long");
    expect(() => a.relu_()).toThrow('a leaf Variable that requires grad is being used in an in-place operation');
    // a view: the base's other elements keep their gradient (CopySlices)
    const x = f32([1, -2, 3]).requiresGrad_();
    const z = x.mul(2);
    z.index('1:').relu_();
    await z.sum().backward();
    expect([await values(z), await values(x.grad!), z.gradFn?.name]).toEqual([[2, 0, 6], [2, 0, 2], 'CopySlices']);
    // random fills in place: a view, the generator's stream
    const v = torch.zeros([2, 3]);
    v.index(0).uniform_(2, 3);
    const vv = await values(v);
    expect(vv.slice(0, 3).every((e) => e >= 2 && e < 3) && vv.slice(3).every((e) => e === 0)).toBe(true);
    torch.manualSeed(3); const n1 = await values(torch.zeros([4]).normal_(1, 2));
    torch.manualSeed(3); const n2 = await values(torch.randn([4]).mul(2).add(1));
    expect(n1).toEqual(n2);
    expect(() => torch.zeros([2]).uniform_(3, 2)).toThrow('uniform_ expects to return a [from, to) range, but found from=3 > to=2');
  });

  it('registerHook and retainGrad: PyTorch 1.13\'s gradients, order, removal and errors', async () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(2);
    y.retainGrad();
    const seen: torch.Tensor[] = [];
    const h = y.registerHook((g) => g.mul(10)); // after retainGrad: y.grad is the gradient before it
    x.registerHook((g) => { seen.push(g); });
    await y.pow(2).sum().backward();
    expect([await values(y.grad!), await values(x.grad!), await values(seen[0]), y.retainsGrad, x.retainsGrad]).toEqual([[4, 8, 12], [80, 160, 240], [80, 160, 240], true, false]);
    h.remove();
    const y2 = x.mul(2);
    y2.retainGrad();
    await y2.sum().backward();
    expect([await values(y2.grad!), await values(x.grad!)]).toEqual([[1, 1, 1], [82, 162, 242]]);
    // A hook's result replaces the gradient; the root's hooks run too.
    const w = torch.tensor([1, -1], { requiresGrad: true });
    w.registerHook((g) => g.clamp(0, 4));
    const out = w.mul(torch.tensor([3, -5])).sum();
    out.registerHook((g) => g.mul(2));
    await out.backward();
    expect(await values(w.grad!)).toEqual([4, 0]);
    expect(() => torch.ones([2]).registerHook((g) => g)).toThrow("cannot register a hook on a tensor that doesn't require gradient");
    expect(() => torch.ones([2]).retainGrad()).toThrow("can't retain_grad on Tensor that has requires_grad=False");
    const a = torch.ones([2], { requiresGrad: true }), b = a.mul(1);
    b.registerHook(() => torch.ones([3]));
    await expect(b.sum().backward()).rejects.toThrow('hook has changed the size of value');
    // a leaf's retainGrad is a no-op
    expect(a.retainGrad().retainsGrad).toBe(false);
  });

  it('computes the tour gradients', async () => {
    const x = torch.ones([3, 2], { requiresGrad: true });
    const y = x.add(5);
    expect(y.gradFn!.name).toBe('AddBackward0');
    const z = y.mul(y).add(1);
    const t = torch.sum(z);
    expect(t.gradFn!.name).toBe('SumBackward0');
    await t.backward();
    expect(await values(x.grad!)).toEqual([12, 12, 12, 12, 12, 12]);
    const r = torch.div(1, torch.exp(x.add(5).neg()).add(1));
    expect(r.gradFn!.name).toBe('MulBackward0');
    expect(torch.tensor([1.5]).sub(1).gradFn).toBe(null);
    expect(torch.tensor([1], { requiresGrad: true }).dtype).toBe('float32'); // JS has no 1. literal
    expect(torch.sub(2, x).gradFn!.name).toBe('RsubBackward1');
    expect(x.pow(2).gradFn!.name).toBe('PowBackward0');
  });
  it('non-scalar backward needs a gradient', async () => {
    const x = torch.ones([3, 2], { requiresGrad: true });
    const r = x.mul(2);
    await expect(r.backward()).rejects.toThrow(/grad can be implicitly created only for scalar outputs/);
    await r.backward(torch.ones([3, 2]));
    expect(await values(x.grad!)).toEqual([2, 2, 2, 2, 2, 2]);
    await expect(torch.ones(2).sum().backward()).rejects.toThrow(/does not require grad/);
  });
  it('guards in-place updates of leaves', async () => {
    const w = torch.ones(2, { requiresGrad: true });
    expect(() => w.sub_(1)).toThrow(/leaf Variable that requires grad is being used in an in-place operation/);
    expect(await values(w)).toEqual([1, 1]);
    torch.noGrad(() => { w.sub_(1); });
    expect(await values(w)).toEqual([0, 0]);
    expect(torch.isGradEnabled()).toBe(true);
  });
  it('gradients at ties and zeros are PyTorch 1.13\'s', async () => {
    const f = (v: number[]) => torch.tensor(v, { dtype: 'float32', requiresGrad: true });
    let a = f([1, 2, 3, NaN]), b = f([1, 1, 4, 0]);
    await torch.maximum(a, b).sum().backward(); // a tie shares the gradient; a NaN gives it to both
    expect([await values(a.grad!), await values(b.grad!)]).toEqual([[0.5, 1, 0, 1], [0.5, 0, 1, 1]]);
    a = f([1, 2, 3]); b = f([1, 1, 4]);
    await torch.minimum(a, b).sum().backward();
    expect([await values(a.grad!), await values(b.grad!)]).toEqual([[0.5, 0, 1], [0.5, 1, 0]]);
    a = f([0, -2, 0]); b = f([2, 0.5, 0]);
    await a.pow(b).sum().backward(); // d/db at a = 0, b >= 0 and d/da at b = 0: 0, not NaN
    expect([await values(a.grad!), await values(b.grad!)]).toEqual([[0, NaN, 0], [0, NaN, 0]]);
    b = f([0, 1, -1]);
    await torch.pow(0, b).sum().backward();
    expect(await values(b.grad!)).toEqual([0, 0, -Infinity]);
    a = f([3, 3, 1]);
    await a.max().backward(); // the full max spreads it over the ties (MaxBackward1)
    expect(await values(a.grad!)).toEqual([0.5, 0.5, 0]);
  });
  it('throws, as PyTorch does, when a tensor saved for backward was changed in place since (version counters)', async () => {
    const modified = /one of the variables needed for gradient computation has been modified by an inplace operation: \[torch.FloatTensor \[3\]\], which is output 0 of (\w+), is at version 1; expected version 0 instead/;
    let a = torch.ones(3, { requiresGrad: true });
    let b = a.mul(2);
    const c = b.mul(b); // MulBackward0 saved b
    b.add_(1);
    await expect(c.sum().backward()).rejects.toThrow(modified);
    a = torch.ones(3, { requiresGrad: true });
    const e = a.exp(); // saves its output
    e.add_(1);
    await expect(e.sum().backward()).rejects.toThrow(/output 0 of ExpBackward0, is at version 1/);
    a = torch.zeros(3, { requiresGrad: true });
    const s = a.sigmoid(), s2 = s.mul(1);
    s.index(0).zero_(); // through a view: the version is the storage's
    await expect(s2.sum().backward()).rejects.toThrow(/output 0 of SigmoidBackward0, is at version 1/);
    // What PyTorch allows: nothing the gradient reads was changed
    a = torch.ones(3, { requiresGrad: true });
    b = a.mul(2);
    b.mul_(3); // mul by a scalar saves nothing of b
    await b.sum().backward();
    expect(await values(a.grad!)).toEqual([6, 6, 6]);
    a = torch.ones(3, { requiresGrad: true });
    const r = a.relu(), q = a.div(torch.tensor([2, 2, 2], { dtype: 'float32' }));
    q.add_(1); // div saves its operands, not its result
    await r.sum().add(q.sum()).backward();
    expect(await values(a.grad!)).toEqual([1.5, 1.5, 1.5]);
    const w = torch.ones(3, { requiresGrad: true }), k = torch.tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    const t = w.mul(1);
    t.mul_(k); // saves k and a copy of t's old value
    t.add_(1);
    await t.sum().backward();
    expect([await values(w.grad!), await values(k.grad!)]).toEqual([[1, 2, 3], [1, 1, 1]]);
  });
  it('in-place changes through views reach the viewed tensor\'s graph (CopySlices) and views are regenerated, as in PyTorch 1.13', async () => {
    // Each case's gradients are PyTorch 1.13's (python3-torch, same program)
    let a = torch.ones(4, { requiresGrad: true });
    let b = a.mul(1);
    b.index('0:2').mul_(3);
    expect(b.gradFn!.name).toBe('CopySlices');
    await b.sum().backward();
    expect(await values(a.grad!)).toEqual([3, 3, 1, 1]);
    a = torch.ones(4, { requiresGrad: true });
    b = a.mul(2);
    const x = torch.ones(2, { requiresGrad: true });
    b.index('1:3').add_(x.mul(5));
    await b.pow(2).sum().backward();
    expect([await values(a.grad!), await values(x.grad!)]).toEqual([[8, 28, 28, 8], [70, 70]]);
    a = torch.ones(4, { requiresGrad: true });
    b = a.mul(3);
    b.index(0).zero_();
    await b.sum().backward();
    expect(await values(a.grad!)).toEqual([0, 3, 3, 3]);
    a = torch.ones(4, { requiresGrad: true });
    b = a.mul(1);
    const v = b.index('0:2'); // taken before its base changes: regenerated from the base's new graph
    b.mul_(2);
    await v.sum().backward();
    expect(await values(a.grad!)).toEqual([2, 2, 0, 0]);
    expect(v.gradFn!.name).toBe('AsStridedBackward0');
    // Assembling a result from pieces in a buffer that needs no gradient itself
    const p = torch.tensor([5, 6], { dtype: 'float32', requiresGrad: true }), q = torch.tensor([7, 8], { dtype: 'float32', requiresGrad: true });
    const out = torch.zeros([2, 2]);
    out.index(':', 0).copy_(p);
    out.index(':', 1).copy_(q.mul(2));
    expect(await out.tolist()).toEqual([[5, 14], [6, 16]]);
    await out.mul(torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' })).sum().backward();
    expect([await values(p.grad!), await values(q.grad!)]).toEqual([[1, 3], [4, 8]]);
    // What PyTorch refuses, and what troupe cannot map
    expect(() => torch.ones(3, { requiresGrad: true }).index('0:2').mul_(2)).toThrow(/a view of a leaf Variable that requires grad is being used in an in-place operation/);
    const nc = torch.ones([3, 4], { requiresGrad: true }).mul(1).t().index('0:2'); // a view of a view of a contiguous base: fine
    nc.mul_(2);
    const detached = torch.ones([3, 4]).t().detach(); // shares a transposed layout without being a view: not mapped
    expect(() => detached.index(0).copy_(torch.ones(3, { requiresGrad: true }))).toThrow(/copy_ on a view of a non-contiguous tensor \(shape \[4, 3\]\)/);
    expect(await detached.index(0).tolist()).toEqual([1, 1, 1]); // (refused before writing)
    // What needs nothing: the changed view alone, and changes made without recording
    a = torch.ones(3, { requiresGrad: true });
    const o = a.mul(2).unsqueeze(0);
    o.mul_(3);
    await o.sum().backward();
    expect(await values(a.grad!)).toEqual([6, 6, 6]);
    const w = torch.ones(4, { requiresGrad: true }), wv = w.index('0:2');
    torch.noGrad(() => { w.index('0:2').mul_(3); });
    await wv.sum().add(w.sum()).backward();
    expect(await values(w.grad!)).toEqual([2, 2, 1, 1]);
  });
  it('accumulates gradients across backward calls', async () => {
    const w = torch.ones(2, { requiresGrad: true });
    await w.mul(3).sum().backward();
    await w.mul(3).sum().backward();
    expect(await values(w.grad!)).toEqual([6, 6]);
  });
  it('frees the graph after backward, as PyTorch does; shared and gradient-less branches', async () => {
    const w = torch.ones(2, { requiresGrad: true });
    const h = w.mul(2);
    const loss = h.mul(h).sum().add(h.sum()); // h feeds two branches: its gradient is their sum
    await loss.backward();
    expect(await values(w.grad!)).toEqual([10, 10]); // d/dw (4w² + 2w) = 8w + 2
    await expect(loss.backward()).rejects.toThrow(/backward through the graph a second time \(AddBackward0\)/);
    // A node whose inputs need no gradient, beside one whose do; the same graph shape twice (the engine's
    // per-node scratch from the first pass must not leak into the second).
    for (let k = 0; k < 2; k++) {
      const v = torch.ones(2, { requiresGrad: true });
      const c = torch.ones(2).mul(3); // no grad
      await v.mul(c).add(c.mul(c)).sum().backward();
      expect(await values(v.grad!)).toEqual([3, 3]);
    }
  });
  const cases: Array<[string, (...xs: torch.Tensor[]) => torch.Tensor, number[][], { positive?: boolean }?]> = [
    ['add broadcast', (a, b) => a.add(b), [[3, 2], [2]]],
    ['sub broadcast', (a, b) => a.sub(b), [[3, 1], [1, 4]]],
    ['mul', (a, b) => a.mul(b), [[2, 3], [2, 3]]],
    ['div', (a, b) => a.div(b), [[2, 3], [3]], { positive: true }],
    ['pow scalar', (a) => a.pow(3), [[4]]],
    ['pow tensor', (a, b) => a.pow(b), [[4], [4]], { positive: true }],
    ['rsub / rdiv', (a) => torch.div(1, torch.sub(2, a)), [[3]], { positive: true }],
    ['neg exp log', (a) => torch.log(torch.exp(a.neg()).add(1)), [[5]]],
    ['sqrt', (a) => torch.sqrt(a), [[4]], { positive: true }],
    ['sin cos tanh', (a) => torch.sin(a).mul(torch.cos(a)).add(torch.tanh(a)), [[5]]],
    ['sigmoid', (a) => torch.sigmoid(a), [[6]]],
    ['relu abs', (a) => torch.relu(a).add(torch.abs(a.mul(2))), [[6]]],
    ['sum dim', (a) => a.sum(1), [[3, 4]]],
    ['sum keepdim', (a) => a.sum(0, true).mul(a), [[3, 4]]],
    ['mean', (a) => a.mean(0).add(torch.mean(a)), [[3, 4]]],
    ['dot', (a, b) => torch.dot(a, b), [[5], [5]]],
    ['matmul 2d', (a, b) => torch.matmul(a, b), [[2, 3], [3, 4]]],
    ['matmul mv', (a, b) => torch.matmul(a, b), [[2, 3], [3]]],
    ['matmul batched', (a, b) => torch.matmul(a, b), [[2, 2, 3], [3, 2]]],
    ['view transpose', (a) => a.view(3, 2).t().mul(a.view(2, 3)), [[6]]],
    ['index slice', (a) => a.index('1:', 0).mul(a.index('1:', 2)), [[3, 3]]],
    ['expand unsqueeze', (a) => a.unsqueeze(0).expand(3, 4).mul(2), [[4]]],
    ['maximum', (a, b) => torch.maximum(a, b), [[5], [5]]],
    ['max dim, min dim keepdim', (a) => a.max(1).values.add(a.t().min(0, true).values.squeeze(0)), [[3, 4]]],
    ['max of all', (a) => a.max().mul(a.min()), [[7]]],
    ['reshape non-contiguous', (a) => a.t().reshape(6), [[2, 3]]],
    ['in-place on non-leaf', (a, b) => a.mul(1).mul_(b).add_(b), [[3], [3]]],
    ['in-place through views (CopySlices)', (a, b) => {
      const t = a.mul(1);
      t.index('1:3', ':').mul_(b);
      t.index(0).add_(b.pow(2));
      t.index(':', 1).div_(b.index(1).add(3));
      return t.mul(t);
    }, [[4, 3], [3]]],
    ['copy_ into a buffer, then a view taken before', (a, b) => {
      const buf = torch.zeros([2, 3], { dtype: 'float64' });
      const row = buf.index(1);
      buf.index(0).copy_(a);
      row.copy_(b.mul(a));
      return buf.mul(buf.index(0).add(1));
    }, [[3], [3]]],
  ];
  for (const [name, f, shapes, o] of cases) {
    it(`gradient of ${name} matches finite differences`, async () => { await gradcheck(f, shapes, o); });
  }
});

describe('CPU matmul kernel', () => {
  it('gives the same bits however its output is split (workers take ranges of output elements)', async () => {
    const { runOp } = await import('../src/backends/cpu/kernels.ts');
    // Rows are computed up to four at a time; a range that starts or ends mid-row or mid-group regroups
    // them. Every element must still be the same float64 sum in the same order.
    let seed = 3;
    const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
    for (const [batch, m, k, n, transB] of [[[], 7, 33, 5, false], [[3], 6, 130, 9, true], [[2], 9, 70_000, 3, false], [[], 5, 17, 1, false], [[2], 3, 70_003, 1, true]] as const) {
      const nb = batch.length ? batch[0] : 1;
      const A = new Float32Array(nb * m * k).map(() => rnd() * 2 - 1), B = new Float32Array(nb * k * n).map(() => rnd() * 2 - 1);
      const outShape = [...batch, m, n], total = nb * m * n;
      const op = {
        op: 'matmul' as const,
        a: { buf: 0, dtype: 'float32' as const, shape: [...batch, m, k], strides: [...(batch.length ? [m * k] : []), k, 1], offset: 0 },
        b: { buf: 1, dtype: 'float32' as const, shape: [...batch, k, n], strides: [...(batch.length ? [k * n] : []), ...(transB ? [1, k] : [n, 1])], offset: 0 },
        out: { buf: 2, dtype: 'float32' as const, shape: outShape, strides: [...(batch.length ? [m * n] : []), n, 1], offset: 0 },
      };
      const whole = new Float32Array(total);
      runOp(op, (i) => [A, B, whole][i], 0, total);
      // The reference: each element as one float64 sum over k (blocks of 65536 added left to right).
      for (let q = 0; q < total; q++) {
        const bi = Math.floor(q / (m * n)), i = Math.floor(q / n) % m, j = q % n;
        let sum = 0, blk = 0;
        for (let p = 0; p < k; p++) {
          if (p > 0 && p % 65536 === 0) { sum = p === 65536 ? blk : sum + blk; blk = 0; }
          blk += A[bi * m * k + i * k + p] * B[bi * k * n + (transB ? j * k + p : p * n + j)];
        }
        sum = k > 65536 ? sum + blk : blk;
        expect(whole[q], `element ${q}`).toBe(Math.fround(sum));
      }
      for (const cuts of [[1], [3, 10], [n + 1, 2 * n + 3], [Math.floor(total / 2)]]) {
        const parts = new Float32Array(total);
        const bounds = [0, ...cuts.filter((c) => c > 0 && c < total), total];
        for (let t = 0; t + 1 < bounds.length; t++) runOp(op, (i) => [A, B, parts][i], bounds[t], bounds[t + 1]);
        expect(Array.from(parts)).toEqual(Array.from(whole));
      }
    }
  });
});

describe('CPU matmul: WebAssembly kernel against the JS loops', () => {
  it('gives the JS loops\' bits for every dtype, stride, batch, split and panel size', async () => {
    const { runOp } = await import('../src/backends/cpu/kernels.ts');
    const { disableWasmMatmul, wasmMatmulAvailable } = await import('../src/backends/cpu/matmul.ts');
    expect(wasmMatmulAvailable()).toBe(true); // Node 20 has SIMD and shared memory: the fast path must run
    let seed = 11;
    const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
    const ri = (a: number, b: number) => a + Math.floor(rnd() * (b - a + 1));
    const ARR = { float32: Float32Array, float64: Float64Array, int32: Int32Array } as const;
    // Shapes that cross the kernel's edges: rows not a multiple of 4, columns not a multiple of 4, more
    // columns than one panel (2048), k over REDUCE_BLOCK (blocks added left to right, and fewer columns
    // per panel then), k = 1, a broadcast batch.
    const fixed: [number, number, number][] = [[3, 2100, 5], [5, 9, 70_000], [1, 2, 1], [4, 4, 4], [6, 17, 3]];
    try {
      for (let c = 0; c < 120; c++) {
        const dtype = (['float32', 'float32', 'float64', 'int32'] as const)[c % 4];
        const [m, n, k] = c < fixed.length ? fixed[c] : [ri(1, 13), ri(2, 13), ri(1, 40)];
        const nb = ri(1, 3), batched = c >= fixed.length && rnd() < 0.4;
        const tA = rnd() < 0.3, tB = rnd() < 0.5, bcastB = batched && rnd() < 0.3;
        const special = [NaN, Infinity, -Infinity, -0];
        const val = () => dtype === 'int32' ? ri(-50, 50) : k < 100 && rnd() < 0.02 ? special[ri(0, 3)] : rnd() * 2 - 1; // (no NaN in every sum)
        const A = new ARR[dtype](nb * m * k + 3).map(val), B = new ARR[dtype](nb * k * n + 2).map(val);
        const bs = batched ? [nb] : [];
        const total = (batched ? nb : 1) * m * n;
        const op = {
          op: 'matmul' as const,
          a: { buf: 0, dtype, shape: [...bs, m, k], strides: [...(batched ? [m * k] : []), ...(tA ? [1, m] : [k, 1])], offset: 3 },
          b: { buf: 1, dtype, shape: [...bs, k, n], strides: [...(batched ? [bcastB ? 0 : k * n] : []), ...(tB ? [1, k] : [n, 1])], offset: 2 },
          out: { buf: 2, dtype, shape: [...bs, m, n], strides: [...(batched ? [m * n] : []), n, 1], offset: 0 },
        };
        const cut = ri(0, total);
        const run = (wasmOff: boolean) => {
          disableWasmMatmul(wasmOff);
          const out = new ARR[dtype](total);
          for (const [s, e] of [[0, cut], [cut, total]]) if (e > s) runOp(op, (i) => [A, B, out][i], s, e);
          return Array.from(out);
        };
        const wasm = run(false), js = run(true);
        // toEqual tells -0 from +0 and takes NaN as equal to NaN (payload bits are not promised)
        expect(wasm, `case ${c}: ${dtype} ${bs.join('x')}[${m}x${k}]·[${k}x${n}] transA ${tA} transB ${tB} cut ${cut}`).toEqual(js);
      }
    } finally {
      disableWasmMatmul(false);
    }
  });
});

describe('torch.scope', () => {
  const N = 1 << 19; // over the size that puts tensors in the shared arena (recycled memory)
  const live = async () => (await import('../src/runtime/shared-memory.ts')).sharedMemory().arena.stats().liveBytes;
  /** Live bytes once the garbage of earlier tests is gone (the arena lets some of it wait for a
   * collection), so that the scope's own frees are what the difference shows. */
  const liveAfterCollecting = async () => { (await import('../src/runtime/gc.ts')).collect(); return live(); };

  it('frees at once what it made and did not return; keeps what it returned, keep()s and leaf gradients', async () => {
    const w = torch.ones([N], { requiresGrad: true });
    await w.toTypedArray();
    const before = await liveAfterCollecting();
    let inner!: torch.Tensor, kept!: torch.Tensor;
    const out = await torch.scope(async () => {
      inner = torch.randn([N]).mul(2);
      kept = torch.keep(torch.full([N], 3, { dtype: 'float32' }));
      const loss = w.mul(inner).sum();
      await loss.backward(); // w.grad is made here, and outlives the scope
      return { loss: loss.detach(), list: [inner.add(1)] };
    });
    await out.loss.item(); // (frees wait for the ops queued before them)
    // Alive now: list[0], kept and w.grad (the loss is one element, outside the arena).
    expect((await live()) - before).toBe(3 * 4 * N);
    expect(() => inner.add(1)).toThrow(/freed at the end of the torch.scope\(\) that made it/);
    expect(await kept.sum().item()).toBe(3 * N);
    const g = await w.grad!.toTypedArray(), l = await out.list[0].toTypedArray(); // grad = inner, list[0] = inner + 1
    for (let i = 0; i < 5; i++) expect(g[i] + 1).toBeCloseTo(l[i], 5);
  });

  it('nests (what an inner scope returns belongs to the outer one), runs sync functions, and frees on a throw', async () => {
    const before = await liveAfterCollecting();
    let a!: torch.Tensor;
    const b = torch.scope(() => {
      a = torch.scope(() => torch.ones([N]).mul(2));
      return a.add(1);
    });
    expect(await b.sum().item()).toBe(3 * N);
    expect((await live()) - before).toBe(4 * N);
    expect(() => a.mul(1)).toThrow(/torch.scope/); // returned by the inner scope, freed by the outer
    let c!: torch.Tensor;
    expect(() => torch.scope(() => { c = torch.zeros([N]); throw new Error('boom'); })).toThrow('boom');
    await expect(torch.scope(async () => { c = torch.zeros([N]); throw new Error('async boom'); })).rejects.toThrow('async boom');
    expect(() => c.add(1)).toThrow(/torch.scope/);
    expect(() => torch.keep(3 as never)).toThrow(/must be a Tensor/);
  });

  it('work a scope started and did not await belongs, once it ended, to the scope still open around it', async () => {
    let late!: torch.Tensor;
    await torch.scope(async () => {
      let p!: Promise<void>;
      await torch.scope(async () => {
        p = (async () => { await new Promise((r) => setTimeout(r, 20)); late = torch.ones([N]); })();
      });
      await p; // the inner scope has ended; the outer one is still open
      expect(await late.sum().item()).toBe(N);
    });
    expect(() => late.add(1)).toThrow(/torch.scope/); // freed with the outer scope, not held by the inner
  });

  it('backward() frees the gradients it makes on the way at once; leaves keep theirs', async () => {
    const w = torch.rand([N], { requiresGrad: true }), x = torch.randn([N]);
    const expected = await values(x);
    await w.toTypedArray();
    for (let step = 0; step < 2; step++) {
      const before = await liveAfterCollecting();
      // mul's backward makes grad·x (N elements) and sum's an expanded gradient: on the first step
      // w.grad is a copy of the first, on the second the first is added into w.grad.
      await w.mul(x).sum().backward();
      // No collection ran since `before`: what backward made and dropped is already free. Alive: the
      // forward's w * x (a temporary of the caller's, found dead by the next collection) and, from the
      // first step on, w.grad.
      expect((await live()) - before).toBe(step === 0 ? 8 * N : 4 * N);
    }
    const g = await values(w.grad!);
    for (let i = 0; i < N; i += 9973) expect(g[i]).toBe(Math.fround(2 * expected[i]));
  });
});

describe('torch.memoryStats', () => {
  it('counts shared memory, forced collections and the garbage allowance', async () => {
    const { GarbageAllowance } = await import('../src/runtime/shared-memory.ts');
    await torch.ones([1 << 20]).toTypedArray(); // the arena exists (with its kernels' scratch)
    const m0 = torch.memoryStats();
    expect(m0.garbageAllowanceMaxBytes).toBe(256 << 20);
    expect([m0.sharedMinElements, m0.shardMinElements]).toEqual([4096, 262144]);
    const t = torch.ones([1 << 20]); // 4 MB: in the shared arena
    expect(torch.memoryStats().sharedLiveBytes - m0.sharedLiveBytes).toBe(4 << 20);
    t.dispose();
    expect(torch.memoryStats().sharedLiveBytes).toBe(m0.sharedLiveBytes);
    // Dropped results pile up to the allowance (and what the arena has free), then a collection finds them.
    const x = torch.ones([1 << 20]);
    const c0 = torch.memoryStats().forcedCollections;
    for (let i = 0; i < 400 && torch.memoryStats().forcedCollections === c0; i++) x.add(1);
    const m1 = torch.memoryStats();
    expect(m1.forcedCollections).toBeGreaterThan(c0);
    expect(m1.forcedCollectionMs).toBeGreaterThan(m0.forcedCollectionMs);
    expect(m1.sharedLiveBytes + m1.sharedFreeBytes).toBeLessThanOrEqual(m1.sharedCapacityBytes);

    // A large tensor freed at the top of the arena gives its memory back to the bump pointer: the next
    // one of that size reuses it without a forced collection (that one used to find nothing).
    const { SharedBuffers } = await import('../src/runtime/shared-memory.ts');
    const { Storage } = await import('../src/runtime/runtime.ts');
    const sb = new SharedBuffers(); // an arena of its own, so that the layout is known
    const made = (id: number, n: number) => { const st = new Storage(id, 'cpu', 'float32', n, sb.alloc('float32', n)); sb.track(st); return st; };
    const small = [1, 2, 3].map((id) => made(-id, 1 << 20));
    const big = made(-4, 1 << 22); // 16 MB: over the small-block allowance, at the top
    const c = torch.memoryStats().forcedCollections;
    big.release!();
    sb.released(); // no back-off left from the collection that made room for `big` (it found nothing)
    const again = made(-5, 1 << 22);
    expect(torch.memoryStats().forcedCollections).toBe(c);
    expect(again.data!.byteOffset).toBe(big.data!.byteOffset);
    // A collection that frees the blocks at the top leaves no free block but room (the bump pointer went
    // back): it found something, so the next shortage collects again (a loop of 300x300 results used to
    // back off from collecting while the arena grew to 1.8 GB).
    (() => { for (let i = 0; i < 6; i++) made(-10 - i, 1 << 22); })(); // 6 x 16 MB at the top, dropped at once
    sb.released();
    const c1 = torch.memoryStats().forcedCollections;
    const third = made(-20, 1 << 23); // 32 MB: no room until the six dead blocks are found
    expect(torch.memoryStats().forcedCollections).toBe(c1 + 1);
    expect(third.data!.byteOffset).toBeLessThan(big.data!.byteOffset + (32 << 20)); // in their memory, not above it
    expect((sb as unknown as { backoff: number }).backoff).toBe(0);
    // Freed blocks of another size are no room: 20 MB of freed 40 KB blocks do not hold a 16 MB tensor,
    // which collects first instead of silently taking fresh memory (the tour's add cell after its matmul
    // cell took 6.2 s for 0.8).
    const many = Array.from({ length: 500 }, (_, i) => made(-100 - i, 10240)); // 40 KB each: small free lists once freed
    for (const st of many) st.release!();
    sb.released();
    const c2 = torch.memoryStats().forcedCollections;
    const fourth = made(-21, 1 << 22);
    expect(torch.memoryStats().forcedCollections).toBe(c2 + 1);
    for (const st of [...small, again, third, fourth]) st.release!();

    // The allowance doubles once collections for small blocks cost what the doubling's memory would
    // (3 ms per MB): 64 MB -> 128 MB after 192 ms of them, -> 256 MB after 384 ms more, then stays.
    const a = new GarbageAllowance();
    expect(a.bytes).toBe(64 << 20);
    for (let i = 0; i < 21; i++) a.collected(9); // 189 ms
    expect(a.bytes).toBe(64 << 20);
    a.collected(9);
    expect(a.bytes).toBe(128 << 20);
    for (let i = 0; i < 42; i++) a.collected(9); // 378 ms
    expect(a.bytes).toBe(128 << 20);
    a.collected(9);
    expect(a.bytes).toBe(256 << 20);
    for (let i = 0; i < 1000; i++) a.collected(100);
    expect(a.bytes).toBe(256 << 20);
  });
});
