import type { DType } from './runtime/protocol.ts';
export type { DType };

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** int64 values live in a Float64Array (exact up to 2^53); bool in a Uint8Array of 0/1. */
export const ARRAY_OF: Record<DType, { new (n: number | ArrayBufferLike, off?: number, len?: number): TypedArray }> = {
  float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: Float64Array, bool: Uint8Array,
};

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'int64', 'bool'];

const ALIASES: Record<string, DType> = {
  float32: 'float32', float: 'float32', 'torch.float32': 'float32', 'torch.float': 'float32',
  float64: 'float64', double: 'float64', 'torch.float64': 'float64', 'torch.double': 'float64',
  int32: 'int32', int: 'int32', 'torch.int32': 'int32', 'torch.int': 'int32',
  int64: 'int64', long: 'int64', 'torch.int64': 'int64', 'torch.long': 'int64',
  bool: 'bool', 'torch.bool': 'bool',
};

export function parseDType(d: unknown): DType {
  if (typeof d === 'string' && ALIASES[d]) return ALIASES[d];
  throw new Error(`unknown dtype ${JSON.stringify(d)}: expected one of ${DTYPES.join(', ')}`);
}

export const isFloat = (d: DType) => d === 'float32' || d === 'float64';
export const isInt = (d: DType) => d === 'int32' || d === 'int64';

const CATEGORY: Record<DType, number> = { bool: 0, int32: 1, int64: 1, float32: 2, float64: 2 };
const RANK: Record<DType, number> = { bool: 0, int32: 1, int64: 2, float32: 3, float64: 4 };

/** The larger of two dtypes in PyTorch's promotion lattice (same-category widening or category jump). */
export function promote(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

let defaultFloat: 'float32' | 'float64' = 'float32';
/** torch.get_default_dtype: the floating dtype that factories give when not told (zeros, rand, a float
 * in tensor()), and that integers become where an op needs a float (true division, sqrt, a float scalar). */
export function getDefaultDtype(): 'float32' | 'float64' { return defaultFloat; }
/** torch.set_default_dtype: float32 or float64 (PyTorch accepts no other). Tensors made before keep theirs. */
export function setDefaultDtype(d: unknown): void {
  const t = parseDType(d);
  if (t !== 'float32' && t !== 'float64') throw new Error(`only floating-point types are supported as the default type, got ${t}`);
  defaultFloat = t;
}

/** PyTorch's can_cast, which in-place ops and out= apply to their result: any cast but float to an
 * integer or bool, and integer to bool (a narrower type of the same kind is fine: int64 into int32). */
export function canCast(from: DType, to: DType): boolean {
  return !(CATEGORY[from] > CATEGORY[to]);
}

/**
 * PyTorch's result_type: dimensioned tensors outrank zero-dim tensors, which outrank Python scalars,
 * except that a higher category (bool < int < float) always wins; a float scalar with integer tensors
 * gives the default float dtype (getDefaultDtype).
 */
export function resultType(operands: Array<{ dtype: DType; dim: number } | number | boolean>): DType {
  let dimT: DType | null = null, zeroT: DType | null = null, scal: DType | null = null;
  for (const o of operands) {
    if (typeof o === 'number' || typeof o === 'boolean') {
      const d: DType = typeof o === 'boolean' ? 'bool' : Number.isInteger(o) ? 'int64' : defaultFloat;
      scal = scal ? promote(scal, d) : d;
    } else if (o.dim > 0) dimT = dimT ? promote(dimT, o.dtype) : o.dtype;
    else zeroT = zeroT ? promote(zeroT, o.dtype) : o.dtype;
  }
  let r: DType | null = dimT;
  if (zeroT) r = !r ? zeroT : CATEGORY[zeroT] > CATEGORY[r] ? zeroT : r;
  if (scal) r = !r ? scal : CATEGORY[scal] > CATEGORY[r] ? scal : r;   // scalars map to the defaults (float)/int64/bool
  return r ?? defaultFloat;
}

/**
 * A number the user gives (a fill value, a scalar operand, an element of torch.tensor's data) as a value
 * of dtype d. Like PyTorch, an integer dtype refuses what it cannot hold (out of range, NaN, inf) instead
 * of wrapping; fractions are truncated toward zero.
 */
export function castValue(v: number, d: DType): number {
  switch (d) {
    case 'float32': return Math.fround(v);
    case 'int32': {
      const t = Math.trunc(v);
      if (!(t >= -2147483648 && t <= 2147483647)) throw new Error(`value cannot be converted to type int32_t without overflow: ${v}`);
      return t | 0;
    }
    case 'int64': {
      const t = Math.trunc(v);
      if (!(t >= -(2 ** 63) && t < 2 ** 63)) throw new Error(`value cannot be converted to type int64_t without overflow: ${v}`);
      return t;
    }
    case 'bool': return v ? 1 : 0;
    default: return v;
  }
}

/** Python's '%g' (6 significant digits, trailing zeros dropped, exponent of at least 2 digits). */
function pyG(v: number): string {
  if (v === 0) return '0';
  const e = Math.floor(Math.log10(Math.abs(Number(v.toPrecision(6)))));
  if (e < -4 || e >= 6) {
    const [m, x] = v.toExponential(5).split('e');
    const mant = m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m;
    const n = Number(x);
    return `${mant}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const f = v.toFixed(Math.max(0, 5 - e));
  return f.includes('.') ? f.replace(/0+$/, '').replace(/\.$/, '') : f;
}
/** torch.finfo(dtype): a floating dtype's limits, as PyTorch's (default: the default dtype). */
export class FInfo {
  readonly bits: number; readonly eps: number; readonly max: number; readonly min: number;
  readonly tiny: number; readonly smallestNormal: number; readonly resolution: number; readonly dtype: DType;
  constructor(dtype?: unknown) {
    const d = dtype === undefined ? defaultFloat : parseDType(dtype);
    if (!isFloat(d)) throw new TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to handle 'torch.finfo'");
    const f64 = d === 'float64';
    this.dtype = d; this.bits = f64 ? 64 : 32;
    this.eps = f64 ? 2 ** -52 : 2 ** -23;
    this.max = f64 ? Number.MAX_VALUE : 3.4028234663852886e38; this.min = -this.max;
    this.tiny = this.smallestNormal = f64 ? 2 ** -1022 : 2 ** -126;
    this.resolution = f64 ? 1e-15 : 1e-6;
  }
  toString(): string {
    return `finfo(resolution=${pyG(this.resolution)}, min=${pyG(this.min)}, max=${pyG(this.max)}, eps=${pyG(this.eps)}, smallest_normal=${pyG(this.smallestNormal)}, tiny=${pyG(this.tiny)}, dtype=${this.dtype})`;
  }
}
/** torch.iinfo(dtype): an integer dtype's limits (int64's max as the nearest double, 2^63). */
export class IInfo {
  readonly bits: number; readonly max: number; readonly min: number; readonly dtype: DType;
  constructor(dtype: unknown) {
    const d = parseDType(dtype);
    if (d === 'bool') throw new TypeError('torch.bool is not supported by torch.iinfo');
    if (!isInt(d)) throw new TypeError(`torch.iinfo() requires an integer input type. Use torch.finfo to handle 'torch.${d}'`);
    this.dtype = d; this.bits = d === 'int32' ? 32 : 64;
    this.max = d === 'int32' ? 2147483647 : 9223372036854775807; this.min = d === 'int32' ? -2147483648 : -9223372036854775808;
  }
  toString(): string { return `iinfo(min=${pyG(this.min)}, max=${pyG(this.max)}, dtype=${this.dtype})`; }
}
export const finfo = (dtype?: unknown): FInfo => new FInfo(dtype);
export const iinfo = (dtype: unknown): IInfo => new IInfo(dtype);
