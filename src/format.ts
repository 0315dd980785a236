/**
 * Tensor printing that matches PyTorch 1.13's `str(tensor)` (torch/_tensor_str.py) character for character,
 * with the default print options (precision 4, threshold 1000, edgeitems 3, linewidth 80, sci_mode None).
 *
 * Pure module: it sees only values, shape, dtype and the flags that produce suffixes. Values are read through
 * `ArrayLike` indexing and, for tensors above the summarization threshold, only the elements that are shown
 * are read (PyTorch's formatter also decides widths/modes from the summarized elements only).
 *
 * Numbers are formatted the way Python's `'{:.4f}'`, `'{:.4e}'` and `'{:.0f}'` do: correctly rounded from the
 * exact binary value with ties to even, `-0` keeps its sign, exponents have at least two digits.
 */
import type { DType } from './runtime/protocol.ts';
import { getDefaultDtype } from './dtype.ts';

export interface FormatInput {
  /** contiguous row-major values, numel = product(shape); int64 arrive as plain numbers, bool as 0/1 */
  data: ArrayLike<number>;
  /** [] for 0-d */
  shape: number[];
  dtype: DType;
  /** omitted or 'cpu' -> no suffix; otherwise e.g. 'gpu:0' -> device='gpu:0' */
  device?: string;
  /** leaf requiring grad -> requires_grad=True */
  requiresGrad?: boolean;
  /** e.g. 'AddBackward0' -> grad_fn=<AddBackward0> (takes precedence over requires_grad) */
  gradFn?: string;
}

/** torch.set_printoptions' options (PyTorch's PRINT_OPTS), defaults as PyTorch's 'default' profile. */
export interface PrintOptions {
  /** digits after the point (or of the mantissa in scientific form) */
  precision?: number;
  /** above this many elements a tensor is summarized ('...') */
  threshold?: number;
  /** elements shown at each end of a summarized dim */
  edgeitems?: number;
  /** characters per line */
  linewidth?: number;
  /** 'default' (4, 1000, 3, 80), 'short' (2, 1000, 2, 80) or 'full' (4, inf, 3, 80), set before the others */
  profile?: 'default' | 'short' | 'full';
  /** true / false force scientific / fixed notation for floats; null or omitted: chosen per tensor. As
   * PyTorch's, every call sets it (to null when omitted). */
  sciMode?: boolean | null;
}
const OPTS = { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sciMode: null as boolean | null };
/** torch.set_printoptions (PyTorch 1.13's semantics: a profile first, then the given options; sciMode is
 * always set, to null when not given). */
export function setPrintoptions(o: PrintOptions = {}): void {
  const nonNeg = (name: string, v: number | undefined, allowInf = false) => {
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && (Number.isInteger(v) || (allowInf && v === Infinity)))) {
      throw new TypeError(`set_printoptions: ${name} must be a non-negative integer${allowInf ? ' (or Infinity)' : ''}, got ${String(v)}`);
    }
  };
  nonNeg('precision', o.precision); nonNeg('threshold', o.threshold, true); nonNeg('edgeitems', o.edgeitems); nonNeg('linewidth', o.linewidth);
  if (o.profile !== undefined) {
    if (o.profile === 'default') Object.assign(OPTS, { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 });
    else if (o.profile === 'short') Object.assign(OPTS, { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 });
    else if (o.profile === 'full') Object.assign(OPTS, { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 });
    else throw new TypeError(`set_printoptions: profile must be 'default', 'short' or 'full', got '${String(o.profile)}'`);
  }
  if (o.precision !== undefined) OPTS.precision = o.precision;
  if (o.threshold !== undefined) OPTS.threshold = o.threshold;
  if (o.edgeitems !== undefined) OPTS.edgeitems = o.edgeitems;
  if (o.linewidth !== undefined) OPTS.linewidth = o.linewidth;
  if (o.sciMode !== undefined && o.sciMode !== null && typeof o.sciMode !== 'boolean') throw new TypeError(`set_printoptions: sciMode must be true, false or null, got ${String(o.sciMode)}`);
  OPTS.sciMode = o.sciMode ?? null;
}
/** The current print options (a copy). */
export function getPrintoptions(): Required<Omit<PrintOptions, 'profile'>> { return { ...OPTS }; }

export function dtypeName(d: DType): string {
  return `torch.${d}`;
}

export function formatSize(shape: number[]): string {
  return `torch.Size([${shape.join(', ')}])`;
}

/** Python's str(tuple(shape)). */
function pyTuple(shape: number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

// ------------------------------------------------------------------------------------------------------------
// Python-compatible number formatting

const pow5Cache: bigint[] = [1n];
function pow5(k: number): bigint {
  for (let i = pow5Cache.length; i <= k; i++) pow5Cache.push(pow5Cache[i - 1]! * 5n);
  return pow5Cache[k]!;
}
const pow10Cache: bigint[] = [1n];
function pow10(k: number): bigint {
  for (let i = pow10Cache.length; i <= k; i++) pow10Cache.push(pow10Cache[i - 1]! * 10n);
  return pow10Cache[k]!;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Exact value of a positive finite double as N * 10^-scale (N a BigInt, scale >= 0). */
function exactDecimal(a: number): { n: bigint; scale: number } {
  f64[0] = a;
  const lo = u32[LITTLE ? 0 : 1]!;
  const hi = u32[LITTLE ? 1 : 0]!;
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (bexp === 0) {
    e = -1074;
  } else {
    mant |= 1n << 52n;
    e = bexp - 1075;
  }
  if (e >= 0) return { n: mant << BigInt(e), scale: 0 };
  // mant * 2^e = mant * 5^-e / 10^-e
  return { n: mant * pow5(-e), scale: -e };
}

/** q = round_half_even(n / 10^k), k >= 1. */
function divRoundHalfEven(n: bigint, k: number): bigint {
  const d = pow10(k);
  const q = n / d;
  const r = n - q * d;
  const half = d / 2n;
  if (r > half || (r === half && (q & 1n) === 1n)) return q + 1n;
  return q;
}

/** '{:.pf}' of a non-negative finite double, computed exactly. */
function exactFixed(a: number, p: number): string {
  let digits: string;
  if (a === 0) {
    digits = '0';
  } else {
    const { n, scale } = exactDecimal(a);
    const r = scale > p ? divRoundHalfEven(n, scale - p) : n * pow10(p - scale);
    digits = r.toString();
  }
  if (p === 0) return digits;
  if (digits.length <= p) digits = '0'.repeat(p + 1 - digits.length) + digits;
  return `${digits.slice(0, digits.length - p)}.${digits.slice(digits.length - p)}`;
}

/** '{:.pe}' of a non-negative finite double, computed exactly. */
function exactExp(a: number, p: number): string {
  let mant: string;
  let exp: number;
  if (a === 0) {
    mant = '0'.repeat(p + 1);
    exp = 0;
  } else {
    const { n, scale } = exactDecimal(a);
    let s = n.toString();
    exp = s.length - 1 - scale;
    if (s.length > p + 1) {
      s = divRoundHalfEven(n, s.length - p - 1).toString();
      if (s.length > p + 1) {
        // carried into a new digit (9.99995 -> 10.0000)
        s = s.slice(0, p + 1);
        exp += 1;
      }
    } else {
      s = s + '0'.repeat(p + 1 - s.length);
    }
    mant = s;
  }
  const m = p > 0 ? `${mant[0]}.${mant.slice(1)}` : mant;
  return `${m}e${expSuffix(exp)}`;
}

function expSuffix(exp: number): string {
  const sign = exp < 0 ? '-' : '+';
  const ae = Math.abs(exp);
  return sign + (ae < 10 ? `0${ae}` : `${ae}`);
}

function signOf(x: number): string {
  return x < 0 || Object.is(x, -0) ? '-' : '';
}

/**
 * Python's `'{:.{p}f}'.format(x)`. JS `toFixed` is exact but rounds ties away from zero and gives up at 1e21,
 * so it is used only when x cannot be a tie: a value exactly halfway at p decimals is k/2^(p+1) with k odd.
 */
export function formatFixed(x: number, p: number = OPTS.precision): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  const a = Math.abs(x);
  const mayTie = !Number.isInteger(a) && Number.isInteger(a * 2 ** (p + 1));
  const s = a < 1e21 && !mayTie ? a.toFixed(p) : exactFixed(a, p);
  return signOf(x) + s;
}

/**
 * Python's `'{:.{p}e}'.format(x)`. JS `toExponential` is exact except on ties (it rounds them up), so values
 * that could be exactly halfway at p+1 significant digits go through the exact path: such a value times
 * 2^(p+1-E) is an integer, E its decimal exponent (one less is used to stay safe against log10 rounding).
 */
export function formatExp(x: number, p: number = OPTS.precision): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  const a = Math.abs(x);
  let s: string;
  if (a === 0) {
    s = exactExp(0, p);
  } else {
    const e = Math.floor(Math.log10(a)) - 1;
    const mayTie = Number.isInteger(a * 2 ** Math.max(0, p + 1 - e));
    if (mayTie) {
      s = exactExp(a, p);
    } else {
      const js = a.toExponential(p); // 'd.dddde+X'
      const i = js.indexOf('e');
      s = js.slice(0, i + 1) + expSuffix(Number(js.slice(i + 1)));
    }
  }
  return signOf(x) + s;
}

/** Python's str(int) for an integer-valued number. */
function formatInt(v: number): string {
  if (Math.abs(v) < 1e21) return String(Object.is(v, -0) ? 0 : v);
  return Number.isFinite(v) ? BigInt(v).toString() : String(v);
}

// ------------------------------------------------------------------------------------------------------------
// _Formatter

interface Formatter {
  width: number;
  format(v: number): string;
}

function padLeft(s: string, width: number): string {
  return s.length >= width ? s : ' '.repeat(width - s.length) + s;
}

function makeFormatter(values: number[], dtype: DType): Formatter {
  if (dtype === 'bool') {
    let width = 1;
    for (const v of values) width = Math.max(width, v ? 4 : 5);
    return { width, format: (v) => padLeft(v ? 'True' : 'False', width) };
  }
  if (dtype === 'int32' || dtype === 'int64') {
    let width = 1;
    for (const v of values) width = Math.max(width, formatInt(v).length);
    return { width, format: (v) => padLeft(formatInt(v), width) };
  }

  // floating point: decisions from the nonzero finite values
  let intMode = true;
  let sciMode = false;
  let width = 1;
  let min = Infinity;
  let max = 0;
  let count = 0;
  for (const v of values) {
    if (v === 0 || !Number.isFinite(v)) continue;
    count++;
    const a = Math.abs(v);
    if (a < min) min = a;
    if (a > max) max = a;
    if (intMode && !Number.isInteger(v)) intMode = false;
  }
  if (count > 0) {
    if (intMode) {
      if (max / min > 1000 || max > 1e8) {
        sciMode = true;
        for (const v of values) if (v !== 0 && Number.isFinite(v)) width = Math.max(width, formatExp(v).length);
      } else {
        for (const v of values) if (v !== 0 && Number.isFinite(v)) width = Math.max(width, formatFixed(v, 0).length + 1);
      }
    } else if (max / min > 1000 || max > 1e8 || min < 1e-4) {
      sciMode = true;
      for (const v of values) if (v !== 0 && Number.isFinite(v)) width = Math.max(width, formatExp(v).length);
    } else {
      for (const v of values) if (v !== 0 && Number.isFinite(v)) width = Math.max(width, formatFixed(v).length);
    }
  }
  // (PyTorch applies a set sci_mode after choosing the width: a forced notation keeps the other's width)
  if (count > 0 && OPTS.sciMode !== null) sciMode = OPTS.sciMode;
  const w = width;
  let format: (v: number) => string;
  if (sciMode) format = (v) => padLeft(formatExp(v), w);
  else if (intMode) format = (v) => padLeft(Number.isFinite(v) ? formatFixed(v, 0) + '.' : formatFixed(v, 0), w);
  else format = (v) => padLeft(formatFixed(v), w);
  return { width: w, format };
}

// ------------------------------------------------------------------------------------------------------------
// tensor body

function reader(t: FormatInput): (i: number) => number {
  const data = t.data;
  if (t.dtype === 'float32') return (i) => Math.fround(data[i]!);
  return (i) => data[i]!;
}

/** Indices shown along a dimension of the given size (null = the '...' marker). */
function shownIndices(size: number, summarize: boolean): (number | null)[] {
  const E = OPTS.edgeitems;
  if (summarize && size > 2 * E) {
    const out: (number | null)[] = [];
    for (let i = 0; i < E; i++) out.push(i);
    out.push(null);
    for (let i = size - E; i < size; i++) out.push(i);
    return out;
  }
  return Array.from({ length: size }, (_, i) => i);
}

function tensorBody(t: FormatInput, indent: number): string {
  const shape = t.shape;
  const nd = shape.length;
  const read = reader(t);
  if (nd === 0) {
    const v = read(0);
    return makeFormatter([v], t.dtype).format(v);
  }
  let numel = 1;
  for (const s of shape) numel *= s;
  const summarize = numel > OPTS.threshold;

  const strides = new Array<number>(nd);
  let acc = 1;
  for (let d = nd - 1; d >= 0; d--) {
    strides[d] = acc;
    acc *= shape[d]!;
  }
  const shown = shape.map((s) => shownIndices(s, summarize));

  // the values the formatter sees: get_summarized_data, i.e. exactly the shown elements
  const values: number[] = [];
  const collect = (d: number, off: number): void => {
    const stride = strides[d]!;
    for (const i of shown[d]!) {
      if (i === null) continue;
      if (d === nd - 1) values.push(read(off + i));
      else collect(d + 1, off + i * stride);
    }
  };
  collect(0, 0);
  const fmt = makeFormatter(values, t.dtype);

  const perLineFor = (ind: number): number => Math.max(1, Math.floor((OPTS.linewidth - ind) / (fmt.width + 2)));
  const build = (d: number, off: number, ind: number): string => {
    const stride = strides[d]!;
    if (d === nd - 1) {
      const items = shown[d]!.map((i) => (i === null ? ' ...' : fmt.format(read(off + i))));
      const per = perLineFor(ind);
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += per) lines.push(items.slice(i, i + per).join(', '));
      return '[' + lines.join(',\n' + ' '.repeat(ind + 1)) + ']';
    }
    const slices = shown[d]!.map((i) => (i === null ? '...' : build(d + 1, off + i * stride, ind + 1)));
    return '[' + slices.join(',' + '\n'.repeat(nd - d - 1) + ' '.repeat(ind + 1)) + ']';
  };
  return build(0, 0, indent);
}

function addSuffixes(tensorStr: string, suffixes: string[], indent: number): string {
  const parts = [tensorStr];
  // PyTorch's own arithmetic: len - rfind('\n') + 1 (so a single line counts two extra characters)
  let lastLineLen = tensorStr.length - tensorStr.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (lastLineLen + suffix.length + 2 > OPTS.linewidth) {
      parts.push(',\n' + ' '.repeat(indent) + suffix);
      lastLineLen = indent + suffix.length;
    } else {
      parts.push(', ' + suffix);
      lastLineLen += suffix.length + 2;
    }
  }
  parts.push(')');
  return parts.join('');
}

export function formatTensor(t: FormatInput): string {
  const prefix = 'tensor(';
  const indent = prefix.length;
  const suffixes: string[] = [];
  if (t.device !== undefined && t.device !== 'cpu') suffixes.push(`device='${t.device}'`);

  let numel = 1;
  for (const s of t.shape) numel *= s;
  let body: string;
  if (numel === 0) {
    // no elements to infer the dtype from: anything but the default float dtype is shown
    if (t.shape.length !== 1) suffixes.push(`size=${pyTuple(t.shape)}`);
    if (t.dtype !== getDefaultDtype()) suffixes.push(`dtype=${dtypeName(t.dtype)}`);
    body = '[]';
  } else {
    // (PyTorch names any dtype but the default float, int64 and bool)
    if (t.dtype !== getDefaultDtype() && t.dtype !== 'int64' && t.dtype !== 'bool') suffixes.push(`dtype=${dtypeName(t.dtype)}`);
    body = tensorBody(t, indent);
  }

  if (t.gradFn) suffixes.push(`grad_fn=<${t.gradFn}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');

  return addSuffixes(prefix + body, suffixes, indent);
}

/** Python's repr of a float, as PyTorch's module and optimizer reprs print options: 1.0, 0.5, 1e-05
 * (exponent form below 1e-4 and from 1e16, with two exponent digits at least). */
export function pyFloat(v: number): string {
  const a = Math.abs(v);
  if (v !== 0 && Number.isFinite(v) && (a < 1e-4 || a >= 1e16)) return v.toExponential().replace(/e([+-])(\d)$/, (_m, sign: string, d: string) => `e${sign}0${d}`);
  return Number.isInteger(v) ? v.toFixed(1) : String(v);
}
