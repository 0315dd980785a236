// The bitwise operations (bitwiseAnd/Or/Xor/Not, bitwiseLeftShift/RightShift and their in-place forms)
// against PyTorch 1.13 (test/fixtures/bitwise.json, from scripts/torch-bitwise.py): values, dtypes, errors;
// shift counts outside the width against PyTorch 2's definition; 2 CPU workers; the GPU.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests } from './helpers.ts';

const R = JSON.parse(readFileSync(new URL('./fixtures/bitwise.json', import.meta.url), 'utf8')) as Record<string, any>;
const available = await gpuForTests('bitwise');
const list = (t: torch.Tensor) => t.tolist();
const i64 = (v: number[]) => torch.tensor(v, { dtype: 'int64' });
const i32 = (v: number[]) => torch.tensor(v, { dtype: 'int32' });
const f32 = (v: number[]) => torch.tensor(v, { dtype: 'float32' });
const bool = (v: boolean[]) => torch.tensor(v, { dtype: 'bool' });

const big = i64([0, 1, -1, 5, -8, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 40 + 3, -(2 ** 40) - 7, 2 ** 52 - 1, -(2 ** 52)]);
const oth = i64([3, -2, 2 ** 35 + 1, -1, 7, -(2 ** 33), 2 ** 31 - 1, -5, 2 ** 41 - 1, 2 ** 20, -(2 ** 52), 12345]);
const a32 = i32([0, 1, -1, 5, -8, 2 ** 31 - 1, -(2 ** 31), 1000, -77, 2 ** 20]);
const b32 = i32([3, -2, 7, -1, 6, 65535, 1, -1000, 12, -(2 ** 20)]);
const b1 = bool([true, false, true, false]), b2 = bool([true, true, false, false]);

describe('bitwise operations', () => {
  it("and, or, xor, not: PyTorch's values and dtypes (int64 as 64-bit two's complement, int32, bool, numbers, broadcasting)", async () => {
    const fns = { and: torch.bitwiseAnd, or: torch.bitwiseOr, xor: torch.bitwiseXor } as const;
    for (const [name, f] of Object.entries(fns)) {
      const want = R[name];
      expect(await list(f(big, oth)), `${name} i64`).toEqual(want.i64);
      expect(await list(f(a32, b32)), `${name} i32`).toEqual(want.i32);
      expect(await list(f(b1, b2)), `${name} bool`).toEqual(want.bool);
      expect(await list(f(big, -6)), `${name} i64 & number`).toEqual(want.i64_scalar);
      expect(await list(f(-6, a32)), `${name} number & i32`).toEqual(want.scalar_i32);
      expect(await list(f(a32, 255)), `${name} i32 & number`).toEqual(want.i32_scalar);
      expect(await list(f(a32, big.narrow(0, 0, 10))), `${name} i32 & i64`).toEqual(want.mixed);
      expect(await list(f(b1, torch.tensor([6, 7, 8, 9]))), `${name} bool & i64`).toEqual(want.bool_int);
      expect(await list(f(a32.reshape([2, 5]), i32([1, -4]).reshape([2, 1]))), `${name} broadcast`).toEqual(want.bcast);
      expect([f(a32, 3), f(a32, big.narrow(0, 0, 10)), f(b1, true), f(b1, 3), f(b1, i32([1, 2, 3, 4]))].map((t) => t.dtype), `${name} dtypes`).toEqual(want.dtypes);
    }
    expect(await list(torch.bitwiseNot(big))).toEqual(R.not.i64);
    expect(await list(a32.bitwiseNot())).toEqual(R.not.i32);
    expect(await list(b1.bitwiseNot())).toEqual(R.not.bool);
    expect(a32.bitwiseNot().dtype).toBe(R.not.dtype);
    // methods are the functions
    expect(await list(big.bitwiseAnd(oth))).toEqual(R.and.i64);
    expect(await list(a32.bitwiseXor(b32))).toEqual(R.xor.i32);
  });

  it("shifts: PyTorch's values inside the width, wrapping past 64 bits, and PyTorch 2's results outside it", async () => {
    const cnt64 = i64([0, 1, 63, 2, 60, 1, 0, 31, 12, 11, 1, 0]), cnt32 = i32([0, 31, 3, 1, 28, 1, 0, 21, 30, 11]);
    expect(await list(torch.bitwiseLeftShift(big.narrow(0, 0, 8), cnt64.narrow(0, 0, 8)))).toEqual(R.shl.i64);
    expect(await list(i64([1, -8, 5, 3, -1]).bitwiseLeftShift(i64([63, 60, 62, 62, 63])))).toEqual(R.shl.i64_wrap);
    expect(await list(a32.bitwiseLeftShift(cnt32))).toEqual(R.shl.i32);
    expect(await list(big.narrow(0, 0, 8).bitwiseLeftShift(3))).toEqual(R.shl.i64_scalar);
    expect(await list(torch.bitwiseLeftShift(3, cnt32))).toEqual(R.shl.scalar);
    expect([a32.bitwiseLeftShift(2), bool([true, false]).bitwiseLeftShift(1), a32.bitwiseLeftShift(cnt64.narrow(0, 0, 10))].map((t) => t.dtype)).toEqual(R.shl.dtypes);
    expect(await list(big.bitwiseRightShift(cnt64))).toEqual(R.shr.i64);
    expect(await list(a32.bitwiseRightShift(cnt32))).toEqual(R.shr.i32);
    expect(await list(big.bitwiseRightShift(7))).toEqual(R.shr.i64_scalar);
    expect(await list(a32.bitwiseRightShift(4))).toEqual(R.shr.i32_scalar);
    expect(await list(torch.bitwiseRightShift(-1000, i64([0, 1, 2, 9, 10])))).toEqual(R.shr.scalar);
    // Counts outside [0, width): a left shift gives 0, a right shift the sign's fill (PyTorch 2's kernels;
    // 1.13's shifted by the count modulo the width).
    const x64 = i64([5, -5, 5, -5, 7, -7]), c64 = i64([64, 64, -1, -1, 100, 63]);
    expect(await list(x64.bitwiseLeftShift(c64))).toEqual([0, 0, 0, 0, 0, -(2 ** 63)]); // (-7 << 63: the low bit, wrapped)
    expect(await list(x64.bitwiseRightShift(c64))).toEqual([0, -1, 0, -1, 0, -1]);
    const x32 = i32([5, -5, 5, -5, 7, -7]), c32 = i32([32, 32, -1, -1, 31, 31]);
    expect(await list(x32.bitwiseLeftShift(c32))).toEqual([0, 0, 0, 0, -(2 ** 31), -(2 ** 31)]);
    expect(await list(x32.bitwiseRightShift(c32))).toEqual([0, -1, 0, -1, 0, -1]);
    // int32 values shifted by an int64 count are int64 (PyTorch's promotion): 1 << 40 is 2^40.
    expect(await list(i32([1, -1]).bitwiseLeftShift(i64([40, 40])))).toEqual([2 ** 40, -(2 ** 40)]);
  });

  it("in-place forms, and PyTorch's errors", async () => {
    const x = i32([12, 10, -3]);
    x.bitwiseAnd_(i64([10, 6, 2 ** 40 + 5])); // (an int64 operand into int32: the low bits, as PyTorch)
    const y = i64([1, 2, 3]).bitwiseLeftShift_(2);
    const z = bool([true, false]).bitwiseXor_(bool([true, true]));
    const w = i64([5, 6]).bitwiseNot_();
    expect([await list(x), await list(y), await list(z), await list(w)]).toEqual(R.inplace);
    expect(x.dtype).toBe('int32');
    const errors = [
      () => torch.bitwiseAnd(f32([1]), 1), () => torch.bitwiseOr(torch.tensor([1]), 1.5),
      () => torch.bitwiseXor(torch.tensor([1.0], { dtype: 'float64' }), torch.tensor([1])),
      () => torch.bitwiseNot(f32([1])), () => f32([1]).bitwiseLeftShift(1),
      () => bool([true]).bitwiseLeftShift(bool([true])), () => bool([true]).bitwiseRightShift(bool([false])),
      () => bool([true, false]).bitwiseAnd_(torch.tensor([1, 2])),
    ];
    errors.forEach((f, i) => expect(f, R.errors[i]).toThrow(R.errors[i]));
    expect(() => torch.bitwiseAnd(torch.tensor([1, 2, 3]), torch.tensor([1, 2]))).toThrow(/size of tensor a \(3\) must match the size of tensor b \(2\)/);
    expect(() => torch.bitwiseAnd(3 as unknown as torch.Tensor, 5)).toThrow('bitwise_and(): expected at least one Tensor argument, got two numbers');
    expect(() => torch.bitwiseAnd(i32([1]), 2 ** 40)).toThrow(/int32/);
  });

  it.skipIf(!available)('the GPU gives the CPU values (int32, int64 within 32 bits, bool) and refuses a left shift out of int64 range', async () => {
    const g = { device: 'gpu' } as const;
    const x32 = i32([0, 1, -1, 5, -8, 2 ** 31 - 1, -(2 ** 31), 1000, -77, 2 ** 20, 5, -5, 7, -7]);
    const y32 = i32([3, -2, 7, -1, 6, 65535, 1, -1000, 12, -(2 ** 20), 32, 31, -1, 40]);
    const c32 = i32([0, 31, 3, 1, 28, 1, 0, 21, 30, 11, 32, 31, -1, 40]);
    const x64 = x32.long(), y64 = y32.long(), c64 = i64([0, 31, 3, 1, 2, 0, 0, 1, 30, 11, 64, 63, -1, 100]);
    const cases: Array<[string, (d: (t: torch.Tensor) => torch.Tensor) => torch.Tensor]> = [
      ['and i32', (d) => d(x32).bitwiseAnd(d(y32))], ['or i32', (d) => d(x32).bitwiseOr(d(y32))], ['xor i32', (d) => d(x32).bitwiseXor(d(y32))],
      ['and i64', (d) => d(x64).bitwiseAnd(d(y64))], ['or i64 number', (d) => d(x64).bitwiseOr(-6)], ['xor i64', (d) => d(x64).bitwiseXor(d(y64))],
      ['not i32', (d) => d(x32).bitwiseNot()], ['not i64', (d) => d(x64).bitwiseNot()], ['not bool', (d) => d(x32).gt(0).bitwiseNot()],
      ['and bool', (d) => d(x32).gt(0).bitwiseAnd(d(y32).lt(0))], ['xor bool & number', (d) => d(x32).gt(0).bitwiseXor(true)],
      ['shl i32', (d) => d(x32).bitwiseLeftShift(d(c32))], ['shr i32', (d) => d(x32).bitwiseRightShift(d(c32))],
      ['shr i64', (d) => d(x64).bitwiseRightShift(d(c64))], ['shl i64 in range', (d) => d(i64([1, -1, 3, 0, 7])).bitwiseLeftShift(d(i64([30, 31, 4, 63, 64])))],
      ['a fused chain', (d) => d(x32).bitwiseAnd(255).bitwiseLeftShift(2).bitwiseXor(d(y32)).add(1)],
    ];
    for (const [what, f] of cases) {
      const want = await list(f((t) => t));
      expect(await list(f((t) => t.to('gpu'))), what).toEqual(want);
    }
    const overflow = /int64 overflow on gpu/;
    await expect(i64([1, 2]).to('gpu').bitwiseLeftShift(31).tolist()).rejects.toThrow(overflow);
    await expect(i64([3]).to('gpu').bitwiseLeftShift(i64([30]).to('gpu')).tolist()).rejects.toThrow(overflow);
    expect(await i64([-1]).to('gpu').bitwiseLeftShift(31).tolist()).toEqual([-(2 ** 31)]);
    expect(() => torch.ones([2], g).bitwiseAnd(1)).toThrow(`"bitwise_and_gpu" not implemented for 'Float'`);
  });
  it('the same values sharded over 2 CPU workers', async () => {
    const n = 1 << 19; // (past the sharding threshold)
    const mk = () => {
      const a = torch.randint(-(2 ** 40), 2 ** 40, [n]), b = torch.randint(-(2 ** 20), 2 ** 20, [n]), s = torch.randint(0, 64, [n]);
      return [a.bitwiseAnd(b), a.bitwiseOr(b), a.bitwiseXor(b), a.bitwiseRightShift(s), b.bitwiseLeftShift(s.remainder(33)), a.bitwiseNot()];
    };
    torch.manualSeed(5);
    const ref = await Promise.all(mk().map((t) => t.toTypedArray()));
    await torch.init({ workers: 2 });
    try {
      torch.manualSeed(5);
      const got = await Promise.all(mk().map((t) => t.toTypedArray()));
      got.forEach((g, i) => expect(g, `result ${i}`).toEqual(ref[i]));
    } finally {
      await torch.shutdown();
    }
  });

});
