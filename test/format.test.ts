import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DType } from '../src/runtime/protocol.ts';
import { dtypeName, formatExp, formatFixed, formatSize, formatTensor, type FormatInput } from '../src/format.ts';

type Enc = number | 'nan' | 'inf' | '-inf';
interface Case {
  name: string;
  shape: number[];
  dtype: DType;
  data: Enc[];
  requiresGrad?: boolean;
  gradFn?: string;
  device?: string;
  expected: string;
}
interface NumberRow { v: number; f4: string; e4: string; f0: string }
interface Fixtures { torch: string; cases: Case[]; numbers: NumberRow[] }

const fixtures = JSON.parse(
  readFileSync(new URL('./fixtures/print-cases.json', import.meta.url), 'utf8'),
) as Fixtures;

function dec(v: Enc): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return v;
}

function toInput(c: Case): FormatInput {
  const values = c.data.map(dec);
  let data: ArrayLike<number>;
  if (c.dtype === 'float32') data = Float32Array.from(values);
  else if (c.dtype === 'float64') data = Float64Array.from(values);
  else if (c.dtype === 'int32') data = Int32Array.from(values);
  else if (c.dtype === 'bool') data = Uint8Array.from(values);
  else data = values; // int64 arrive as plain numbers
  const input: FormatInput = { data, shape: c.shape, dtype: c.dtype };
  if (c.device !== undefined) input.device = c.device;
  if (c.requiresGrad) input.requiresGrad = true;
  if (c.gradFn !== undefined) input.gradFn = c.gradFn;
  return input;
}

describe('formatTensor matches PyTorch str(tensor) (generated fixtures)', () => {
  it('has a wide table', () => {
    expect(fixtures.cases.length).toBeGreaterThan(300);
  });
  for (const c of fixtures.cases) {
    it(c.name, () => {
      expect(formatTensor(toInput(c))).toBe(c.expected);
    });
  }
  it('float32 data given as plain (unrounded) numbers is rounded to float32 first', () => {
    const c = fixtures.cases.find((k) => k.name === 'ties/fixed_float32_values')!;
    const input = toInput(c);
    input.data = [0.1, 0.2, 0.3, 0.7, 1.1, 2.675, 1.0005, 0.00015, 1.00005];
    expect(formatTensor(input)).toBe(c.expected);
  });
});

describe('Python number formatting (exact value, ties to even)', () => {
  it('covers a table of values', () => {
    expect(fixtures.numbers.length).toBeGreaterThan(1000);
  });
  it("'{:.4f}'", () => {
    const bad = fixtures.numbers.filter((r) => formatFixed(r.v, 4) !== r.f4).map((r) => [r.v, formatFixed(r.v, 4), r.f4]);
    expect(bad).toEqual([]);
  });
  it("'{:.4e}'", () => {
    const bad = fixtures.numbers.filter((r) => formatExp(r.v, 4) !== r.e4).map((r) => [r.v, formatExp(r.v, 4), r.e4]);
    expect(bad).toEqual([]);
  });
  it("'{:.0f}'", () => {
    const bad = fixtures.numbers.filter((r) => formatFixed(r.v, 0) !== r.f0).map((r) => [r.v, formatFixed(r.v, 0), r.f0]);
    expect(bad).toEqual([]);
  });
  it('ties where JS toFixed/toExponential round the other way', () => {
    expect((0.03125).toFixed(4)).toBe('0.0313'); // JS: ties away from zero
    expect(formatFixed(0.03125)).toBe('0.0312');
    expect(formatFixed(0.15625)).toBe('0.1562');
    expect(formatFixed(0.09375)).toBe('0.0938');
    expect(formatFixed(-0.03125)).toBe('-0.0312');
    expect(formatFixed(2.5, 0)).toBe('2');
    expect(formatFixed(3.5, 0)).toBe('4');
    expect(formatFixed(-0.5, 0)).toBe('-0');
    expect((123465).toExponential(4)).toBe('1.2347e+5');
    expect(formatExp(123465)).toBe('1.2346e+05');
    expect(formatExp(123455)).toBe('1.2346e+05');
    expect(formatExp(1.03125)).toBe('1.0312e+00');
    expect(formatExp(9.99995e-7)).toBe('1.0000e-06'); // not a tie: the double is just above the midpoint
  });
  it('signs, exponents and large values', () => {
    expect(formatFixed(-0)).toBe('-0.0000');
    expect(formatFixed(-0, 0)).toBe('-0');
    expect(formatExp(-0)).toBe('-0.0000e+00');
    expect(formatExp(0)).toBe('0.0000e+00');
    expect(formatExp(1e-5)).toBe('1.0000e-05');
    expect(formatExp(1.5e300)).toBe('1.5000e+300');
    expect(formatExp(5e-324)).toBe('4.9407e-324');
    expect(formatFixed(1e22)).toBe('10000000000000000000000.0000');
    expect(formatExp(NaN)).toBe('nan');
    expect(formatFixed(-Infinity)).toBe('-inf');
  });
  it('fast path agrees with the exact path on random doubles', () => {
    // random doubles, their float32 roundings, and multiples of 1/32 (many of them exact ties at 4 decimals)
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    for (let i = 0; i < 6000; i++) {
      const e = Math.floor(rand() * 60) - 30;
      const v = (rand() * 2 - 1) * 10 ** e;
      const f = Math.fround(v);
      for (const x of [v, f, Math.round(v * 32) / 32]) {
        const fixed = formatFixed(x);
        const exp = formatExp(x);
        expect(fixed).toBe(exactFixedRef(x, 4));
        expect(exp).toBe(exactExpRef(x, 4));
      }
    }
  });
});

// Independent reference for the property test: exact decimal expansion via BigInt and string rounding.
function exactDigits(a: number): { int: string; frac: string } {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, a);
  const hi = buf.getUint32(0);
  const lo = buf.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e = -1074;
  if (bexp !== 0) {
    mant |= 1n << 52n;
    e = bexp - 1075;
  }
  if (e >= 0) return { int: (mant << BigInt(e)).toString(), frac: '' };
  const n = (mant * 5n ** BigInt(-e)).toString().padStart(-e + 1, '0');
  return { int: n.slice(0, n.length + e), frac: n.slice(n.length + e) };
}
function roundDigits(digits: string, keep: number): { digits: string; carry: boolean } {
  // digits: decimal digit string; keep the first `keep`, round half to even on the rest
  const head = digits.slice(0, keep);
  const rest = digits.slice(keep).replace(/0+$/, '');
  let up = false;
  if (rest.length > 0) {
    if (rest[0]! > '5') up = true;
    else if (rest[0] === '5') up = rest.length > 1 || (head.length > 0 && Number(head[head.length - 1]) % 2 === 1);
  }
  if (!up) return { digits: head, carry: false };
  const r = (BigInt(head === '' ? '0' : head) + 1n).toString().padStart(head.length, '0');
  return { digits: r.length > head.length ? r.slice(r.length - head.length) : r, carry: r.length > head.length };
}
function exactFixedRef(x: number, p: number): string {
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const { int, frac } = exactDigits(Math.abs(x));
  const all = int + frac.padEnd(p, '0');
  const r = roundDigits(all, int.length + p);
  let d = (r.carry ? '1' : '') + r.digits;
  d = d.padStart(p + 1, '0');
  return `${sign}${d.slice(0, d.length - p)}.${d.slice(d.length - p)}`;
}
function exactExpRef(x: number, p: number): string {
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const a = Math.abs(x);
  if (a === 0) return `${sign}0.${'0'.repeat(p)}e+00`;
  const { int, frac } = exactDigits(a);
  const all = (int + frac).replace(/^0+/, '');
  let exp = int.replace(/^0+/, '').length - 1;
  if (int.replace(/^0+/, '') === '') exp = -(frac.length - frac.replace(/^0+/, '').length) - 1;
  const r = roundDigits(all.padEnd(p + 1, '0'), p + 1);
  let d = r.digits;
  if (r.carry) {
    d = '1' + d.slice(0, p);
    exp += 1;
  }
  const ae = Math.abs(exp);
  return `${sign}${d[0]}.${d.slice(1)}e${exp < 0 ? '-' : '+'}${ae < 10 ? '0' + ae : ae}`;
}

describe('seed tour strings', () => {
  const cases: [FormatInput, string][] = [
    [{ data: [1, 1, 1, 1, 1, 1], shape: [3, 2], dtype: 'float32' }, 'tensor([[1., 1.],\n        [1., 1.],\n        [1., 1.]])'],
    [
      { data: [-0.22648217, 2.33063636, -2.35281499, 1.52592661, 0.05184195], shape: [5], dtype: 'float64' },
      'tensor([-0.2265,  2.3306, -2.3528,  1.5259,  0.0518], dtype=torch.float64)',
    ],
    [
      { data: Float32Array.from([5.1069e-36, 0, 0, 0, 0, 0]), shape: [3, 2], dtype: 'float32' },
      'tensor([[5.1069e-36, 0.0000e+00],\n        [0.0000e+00, 0.0000e+00],\n        [0.0000e+00, 0.0000e+00]])',
    ],
    [{ data: [4], shape: [], dtype: 'int64' }, 'tensor(4)'],
    [{ data: [222], shape: [], dtype: 'float32', gradFn: 'SumBackward0' }, 'tensor(222., grad_fn=<SumBackward0>)'],
    [{ data: [237.3524], shape: [], dtype: 'float32' }, 'tensor(237.3524)'],
    [{ data: [237.3524, -12.5, 0.25], shape: [3], dtype: 'float32' }, 'tensor([237.3524, -12.5000,   0.2500])'],
    [{ data: [237.3524, -12.5, 0.0625], shape: [3], dtype: 'float32' }, 'tensor([ 2.3735e+02, -1.2500e+01,  6.2500e-02])'],
    [{ data: [3], shape: [], dtype: 'float32', requiresGrad: true }, 'tensor(3., requires_grad=True)'],
    [{ data: [1, 2], shape: [2], dtype: 'float32', requiresGrad: true, gradFn: 'AddBackward0' }, 'tensor([1., 2.], grad_fn=<AddBackward0>)'],
    [{ data: [1, 2], shape: [2], dtype: 'int32', device: 'gpu:0' }, "tensor([1, 2], device='gpu:0', dtype=torch.int32)"],
    [{ data: [1, 2], shape: [2], dtype: 'float32', device: 'cpu' }, 'tensor([1., 2.])'],
    [{ data: [1, 0, 1], shape: [3], dtype: 'bool' }, 'tensor([ True, False,  True])'],
    [{ data: [], shape: [0], dtype: 'float32' }, 'tensor([])'],
    [{ data: [], shape: [0, 3], dtype: 'float32' }, 'tensor([], size=(0, 3))'],
    [{ data: [], shape: [0], dtype: 'int64' }, 'tensor([], dtype=torch.int64)'],
    [{ data: [NaN, NaN], shape: [2], dtype: 'float32' }, 'tensor([nan, nan])'],
    [{ data: [1e-5, 1], shape: [2], dtype: 'float32' }, 'tensor([1.0000e-05, 1.0000e+00])'],
  ];
  for (const [input, expected] of cases) {
    it(expected.split('\n')[0]!, () => {
      expect(formatTensor(input)).toBe(expected);
    });
  }
});

describe('helpers', () => {
  it('formatSize', () => {
    expect(formatSize([3, 2])).toBe('torch.Size([3, 2])');
    expect(formatSize([])).toBe('torch.Size([])');
    expect(formatSize([7])).toBe('torch.Size([7])');
  });
  it('dtypeName', () => {
    const all: DType[] = ['float32', 'float64', 'int32', 'int64', 'bool'];
    expect(all.map(dtypeName)).toEqual(['torch.float32', 'torch.float64', 'torch.int32', 'torch.int64', 'torch.bool']);
  });
});

describe('big tensors', () => {
  /** An ArrayLike that computes values on demand and counts reads. */
  function lazy(n: number, f: (i: number) => number): { data: ArrayLike<number>; reads: () => number } {
    let reads = 0;
    const data = new Proxy({ length: n } as ArrayLike<number>, {
      get(target, key) {
        if (key === 'length') return n;
        if (typeof key === 'string') {
          reads++;
          return f(Number(key));
        }
        return Reflect.get(target, key);
      },
    });
    return { data, reads: () => reads };
  }

  it('1e8 elements format in well under a second and read only the shown elements', () => {
    const { data, reads } = lazy(1e8, (i) => (i % 1000) * 0.5);
    const t0 = performance.now();
    const s = formatTensor({ data, shape: [10000, 10000], dtype: 'float32', requiresGrad: true });
    const ms = performance.now() - t0;
    expect(s).toBe(
      'tensor([[  0.0000,   0.5000,   1.0000,  ..., 498.5000, 499.0000, 499.5000],\n' +
        '        [  0.0000,   0.5000,   1.0000,  ..., 498.5000, 499.0000, 499.5000],\n' +
        '        [  0.0000,   0.5000,   1.0000,  ..., 498.5000, 499.0000, 499.5000],\n' +
        '        ...,\n' +
        '        [  0.0000,   0.5000,   1.0000,  ..., 498.5000, 499.0000, 499.5000],\n' +
        '        [  0.0000,   0.5000,   1.0000,  ..., 498.5000, 499.0000, 499.5000],\n' +
        '        [  0.0000,   0.5000,   1.0000,  ..., 498.5000, 499.0000, 499.5000]],\n' +
        '       requires_grad=True)',
    );
    expect(ms).toBeLessThan(500);
    expect(reads()).toBeLessThanOrEqual(2 * 36);
  });

  it('1e7-element 1-d typed array', () => {
    const data = new Float32Array(1e7);
    data[0] = 1.5;
    data[1e7 - 1] = -2;
    const t0 = performance.now();
    const s = formatTensor({ data, shape: [1e7], dtype: 'float32' });
    expect(performance.now() - t0).toBeLessThan(500);
    expect(s).toBe('tensor([ 1.5000,  0.0000,  0.0000,  ...,  0.0000,  0.0000, -2.0000])');
  });
});

describe('torch.print', () => {
  it("prints what has an async format() as PyTorch's print does (return types, packed sequences), other values as strings", async () => {
    const torch = await import('../src/index.ts');
    const { vi } = await import('vitest');
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { lines.push(a.join(' ')); });
    try {
      await torch.print(torch.nn.utils.rnn.packSequence([torch.tensor([1, 2, 3]), torch.tensor([4, 5])]));
      await torch.print(torch.linalg.slogdet(torch.eye(2)), 'and', 3);
      await torch.print(torch.tensor([1, 2]).max(0));
    } finally {
      spy.mockRestore();
    }
    expect(lines).toEqual([
      'PackedSequence(data=tensor([1, 4, 2, 5, 3]), batch_sizes=tensor([2, 2, 1]), sorted_indices=None, unsorted_indices=None)',
      'torch.return_types.linalg_slogdet(\nsign=tensor(1.),\nlogabsdet=tensor(0.)) and 3',
      'torch.return_types.max(\nvalues=tensor(2),\nindices=tensor(1))',
    ]);
  });
});

describe('torch.setPrintoptions (PyTorch 1.13 str(tensor) under each option: test/fixtures/printoptions.json)', () => {
  it('precision, sciMode, threshold/edgeitems, linewidth and the profiles print as PyTorch prints', async () => {
    const torch = await import('../src/index.ts');
    const cases = JSON.parse(readFileSync(new URL('./fixtures/printoptions.json', import.meta.url), 'utf8')) as { opts: Record<string, unknown>; tensor: string; str: string }[];
    const e = torch.arange(2000, { dtype: 'float64' });
    const T: Record<string, () => InstanceType<typeof torch.Tensor>> = {
      a: () => torch.tensor([[1.23456789, -2.5, 1000.125], [0.0001234, 5.0, -0.5]], { dtype: 'float32' }),
      b: () => torch.arange(30, { dtype: 'float32' }).reshape([5, 6]).div(7),
      c: () => torch.tensor([1, 2, 3], { dtype: 'float32' }),
      d: () => torch.tensor([1e-5, 1, 2.5], { dtype: 'float32' }),
      f: () => torch.tensor([0, 0], { dtype: 'float32' }),
      e11x3: () => e.narrow(0, 0, 1100).reshape([11, 100]).narrow(1, 0, 3),
      e4x5: () => e.narrow(0, 0, 20).reshape([4, 5]),
    };
    try {
      for (const c of cases) {
        const o = c.opts;
        torch.setPrintoptions({
          precision: o.precision as number | undefined, threshold: o.threshold as number | undefined, edgeitems: o.edgeitems as number | undefined,
          linewidth: o.linewidth as number | undefined, profile: o.profile as 'short' | undefined, sciMode: o.sci_mode as boolean | undefined,
        });
        expect(await T[c.tensor]().format(), JSON.stringify(c.opts) + ' ' + c.tensor).toBe(c.str);
        torch.setPrintoptions({ profile: 'default' });
      }
      // every call sets sciMode (to null when omitted), as PyTorch's; bad values are refused
      torch.setPrintoptions({ sciMode: true });
      torch.setPrintoptions({ precision: 4 });
      expect(torch.getPrintoptions()).toEqual({ precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null });
      expect(() => torch.setPrintoptions({ precision: -1 })).toThrow('precision must be a non-negative integer');
      expect(() => torch.setPrintoptions({ profile: 'long' as 'short' })).toThrow("profile must be 'default', 'short' or 'full'");
    } finally {
      torch.setPrintoptions({ profile: 'default' });
    }
  });
});
