/**
 * WGSL for the primitive ops of protocol.ts. Fixed parts live in shaders/*.wgsl (templates with
 * {{NAME}} holes); this file fills the holes for one op and returns a Plan: the dispatches to encode,
 * each with its WGSL (pipelines are cached by that text), its buffers and its metadata words.
 *
 * Storage on the GPU: every element is one 32-bit word. float32 → f32 bits; int32 → i32; int64 → i32
 * (values are range-checked when uploaded; arithmetic that leaves 32 bits is recorded by the checked
 * operations of shaders/int64.wgsl and reported at the next read); bool → u32 0/1 (one word per
 * element, so no two threads ever write the same word). float64 is refused: WGSL has no f64.
 *
 * Shapes, strides, offsets and scalars travel in a metadata storage buffer, not in the WGSL, so a new
 * shape never compiles a new pipeline; the WGSL depends only on the op, the dtypes, the ranks and which
 * operands are contiguous / broadcast scalars / inline scalars.
 */
import { readFileSync } from 'node:fs';
import type { BinaryFn, DType, Op, ReduceFn, ScatterFn, UnaryFn, View } from '../../runtime/protocol.ts';

/** The key of a batch message from the client (client.ts flush()) to the worker (workers/gpu-worker.ts),
 * which takes these off its port beside comlink's calls. */
export const BATCH = 'troupeBatch';
export const F64_ERROR = 'float64 is not supported on gpu: WGSL has no f64; use float32';

/** Storage kind of a dtype on the GPU (each element is one u32 word). */
export type Kind = 'f32' | 'i32' | 'bool';
/** Type a kernel computes in. */
export type CType = 'f32' | 'i32';

export function kindOf(d: DType): Kind {
  switch (d) {
    case 'float32': return 'f32';
    case 'int32': case 'int64': return 'i32';
    case 'bool': return 'bool';
    case 'float64': throw new Error(F64_ERROR);
    default: throw new Error(`unknown dtype ${String(d)}`);
  }
}

/** A buffer id, or an index into Plan.temps (scratch buffers the executor allocates and frees). */
export type BufRef = number | { temp: number };
export interface Dispatch {
  wgsl: string;
  /** Bindings 1..k (binding 0 is always the metadata). */
  bufs: { ref: BufRef; write: boolean }[];
  meta: Uint32Array;
  /** Number of workgroups (laid out in 2-D by the executor when over the per-dimension limit). */
  groups: number;
}
export interface Plan { temps: number[]; dispatches: Dispatch[] }

// ---- templates -------------------------------------------------------------------------------------

const SHADER_DIR = new URL('../../../shaders/', import.meta.url);
const templates = new Map<string, string>();
export function tpl(name: string): string {
  let t = templates.get(name);
  if (t === undefined) {
    t = readFileSync(new URL(name, SHADER_DIR), 'utf8');
    templates.set(name, t);
  }
  return t;
}
export function fill(name: string, holes: Record<string, string>, libs: string[] = ['common.wgsl']): string {
  const body = tpl(name).replace(/\{\{(\w+)\}\}/g, (_, k: string) => {
    if (!(k in holes)) throw new Error(`kernel template ${name}: no value for {{${k}}}`);
    return holes[k];
  });
  // The checked int64 operations (and their status binding) only where a kernel uses them.
  const own = body.includes('lchk_') ? `${tpl(INT64_LIB)}\n${body}` : body;
  return `${libsFor(libs, own)}\n${own}`;
}

/** A library's module-scope declarations: name, text, and the identifiers its text uses. */
interface LibDecl { name: string; text: string; uses: string[] }
const libDecls = new Map<string, LibDecl[]>();
const IDENT = /[A-Za-z_]\w*/g;
/** Splits a library at its column-0 declarations (fn, const, var), each with the lines up to the next;
 * comments are dropped (the kernel's text is what the driver compiles). */
function declsOf(lib: string): LibDecl[] {
  let out = libDecls.get(lib);
  if (out) return out;
  out = [];
  let cur: string[] | null = null;
  const close = () => {
    if (!cur) return;
    const text = cur.join('\n').trimEnd();
    const m = /^(?:fn|const|var(?:<[^>]*>)?)\s+([A-Za-z_]\w*)/.exec(text);
    if (!m) throw new Error(`${lib}: cannot name the declaration starting '${text.slice(0, 40)}'`);
    out!.push({ name: m[1], text, uses: [...new Set(text.match(IDENT) ?? [])] });
  };
  for (const line of tpl(lib).split('\n')) {
    if (/^(fn|const|var)\b/.test(line)) { close(); cur = [line]; }
    else if (cur && !/^\s*\/\//.test(line)) cur.push(line.replace(/\s+\/\/.*$/, ''));
  }
  close();
  libDecls.set(lib, out);
  return out;
}
/** The libraries' declarations that `code` reaches (directly or through each other), in library order:
 * a kernel compiles only the helpers it calls (NVIDIA's compiler took 30-45 ms per pipeline of 8-23k
 * characters, common.wgsl alone being ~12k). */
function libsFor(libs: string[], code: string): string {
  const decls = libs.flatMap(declsOf);
  const byName = new Map(decls.map((d) => [d.name, d]));
  const keep = new Set<LibDecl>();
  const visit = (ids: Iterable<string>) => {
    for (const id of ids) {
      const d = byName.get(id);
      if (d && !keep.has(d)) { keep.add(d); visit(d.uses); }
    }
  };
  visit(new Set(code.match(IDENT) ?? []));
  return decls.filter((d) => keep.has(d)).map((d) => d.text).join('\n');
}

export const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
/** The WGSL of the checked int64 operations (lchk_*); a kernel that includes it binds the status word
 * (bind group 1, binding 0: STATUS_DECL) where they record an overflow past 32 bits. */
export const INT64_LIB = 'int64.wgsl';
export const STATUS_DECL = 'var<storage, read_write> troupe_status';
/** What a read says when a checked int64 operation overflowed since the last read (workers/gpu-worker.ts). */
/** What a read says when a gather or scatterAdd met an index outside its dim since the last read (the
 * status word's bit 2; int64 overflows set bit 1). */
export const GPU_INDEX_ERROR = 'index out of bounds on gpu: a gather, index_select or scatter_add since the last read had an index outside its dimension ' +
  '(each index must be in [0, size)); the values computed since then may be wrong';
export const INT64_OVERFLOW = 'int64 overflow on gpu: an int64 result computed on the gpu since the last read went past 32 bits ' +
  '(int64 is stored and computed as int32 on the gpu), so the values computed since then may be wrong. Keep int64 values on the ' +
  'gpu within [-2^31, 2^31), or compute them on the cpu';
const WG = 256;

// ---- metadata ----------------------------------------------------------------------------------------

/** A dispatch's metadata words (u32; negative integers wrap); push* return the index of the first.
 * Backed by a growing Uint32Array (no per-word boxing); reset() reuses it. */
export class Meta {
  private buf = new Uint32Array(128);
  length = 0;
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const b = new Uint32Array(Math.max(this.buf.length * 2, this.length + n));
    b.set(this.buf.subarray(0, this.length));
    this.buf = b;
  }
  push(...v: number[]): number { return this.pushAll(v); }
  push1(a: number): number { this.room(1); this.buf[this.length] = a; return this.length++; }
  push3(a: number, b: number, c: number): number { this.room(3); const at = this.length; this.buf[at] = a; this.buf[at + 1] = b; this.buf[at + 2] = c; this.length += 3; return at; }
  pushAll(v: readonly number[]): number { this.room(v.length); const at = this.length; for (let i = 0; i < v.length; i++) this.buf[at + i] = v[i]; this.length += v.length; return at; }
  f32(v: number): number { return this.push1(f32Bits(v)); }
  set(i: number, v: number): void { this.buf[i] = v; }
  get(i: number): number { return this.buf[i]; }
  reset(): this { this.length = 0; return this; }
  /**
   * A copy of the words (at least one: a binding may not be empty), as a view into a shared arena: a
   * kernel's metadata is made at every dispatch, and a fresh ArrayBuffer each time (a backing store the
   * collector tracks) cost more than the copy. Views are never overwritten; an arena full of them is
   * left to the collector with its last view.
   */
  done(): Uint32Array {
    const n = Math.max(1, this.length);
    if (n > ARENA_WORDS / 4) return this.length ? this.buf.slice(0, this.length) : Uint32Array.of(0);
    if (arenaAt + n > ARENA_WORDS) { arena = new Uint32Array(ARENA_WORDS); arenaAt = 0; }
    const at = arenaAt, b = this.buf;
    for (let i = 0; i < this.length; i++) arena[at + i] = b[i];
    arenaAt += n;
    return arena.subarray(at, at + n);
  }
}
const ARENA_WORDS = 1 << 14;
let arena = new Uint32Array(ARENA_WORDS), arenaAt = 0;
const f32buf = new Float32Array(1), u32view = new Uint32Array(f32buf.buffer);
export function f32Bits(v: number): number { f32buf[0] = v; return u32view[0]; }

// ---- conversions -------------------------------------------------------------------------------------

/** WGSL expression converting the u32 word `w` of storage kind s to type t ('bool' = WGSL bool). */
export function conv(w: string, s: Kind, t: CType | 'bool'): string {
  if (s === 'f32') return t === 'f32' ? `bitcast<f32>(${w})` : t === 'i32' ? `i32(bitcast<f32>(${w}))` : `(bitcast<f32>(${w}) != 0.0)`;
  if (s === 'i32') return t === 'f32' ? `f32(bitcast<i32>(${w}))` : t === 'i32' ? `bitcast<i32>(${w})` : `(${w} != 0u)`;
  return t === 'f32' ? `f32(${w})` : t === 'i32' ? `i32(${w})` : `(${w} != 0u)`;
}
/** WGSL expression turning value `v` of compute type c into the u32 word of storage kind k. */
export function store(v: string, c: CType, k: Kind): string {
  if (k === 'f32') return c === 'f32' ? `bitcast<u32>(${v})` : `bitcast<u32>(f32(${v}))`;
  if (k === 'i32') return c === 'f32' ? `bitcast<u32>(i32(${v}))` : `bitcast<u32>(${v})`;
  return c === 'f32' ? `select(0u, 1u, ${v} != 0.0)` : `select(0u, 1u, ${v} != 0i)`;
}
/** Metadata word of an inline scalar in compute type c. */
export function scalarWord(v: number, c: CType | 'bool'): number {
  if (c === 'f32') return f32Bits(v);
  if (c === 'bool') return v !== 0 ? 1 : 0;
  return (v | 0) >>> 0;
}
export const fitsI32 = (v: number) => Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;
export const isFloatKind = (x: View | number) => typeof x === 'number' ? !fitsI32(x) : kindOf(x.dtype) === 'f32';

// ---- bindings ----------------------------------------------------------------------------------------

/** Assigns bindings 1..k to the distinct buffers (the output's is read_write; an input aliasing it
 * reads through the same binding, as WebGPU forbids binding a written buffer twice). */
class Bindings {
  list: { ref: BufRef; write: boolean }[] = [];
  private key = (r: BufRef) => (typeof r === 'number' ? `b${r}` : `t${r.temp}`);
  of(ref: BufRef, write = false): string {
    const k = this.key(ref);
    let i = this.list.findIndex((b) => this.key(b.ref) === k);
    if (i < 0) { i = this.list.length; this.list.push({ ref, write }); }
    else if (write) this.list[i].write = true;
    return `buf${i + 1}`;
  }
  wgsl(): string {
    return this.list.map((b, i) =>
      `@group(0) @binding(${i + 1}) var<storage, ${b.write ? 'read_write' : 'read'}> buf${i + 1}: array<u32>;`).join('\n');
  }
}

/** Groups of `WG` threads needed for n items. */
const groupsFor = (n: number) => Math.ceil(n / WG);

// ---- elementwise ---------------------------------------------------------------------------------------

export type Load = { src: View | number; as: CType | 'bool' };

export function rowMajor(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) { st[d] = acc; acc *= shape[d]; }
  return st;
}
function viewMode(v: View, shape: readonly number[]): 'contig' | 'scalar' | 'strided' {
  if (v.shape.length !== shape.length || v.shape.some((s, d) => s !== shape[d])) {
    throw new Error(`gpu: operand shape [${v.shape}] is not the output shape [${shape}] (broadcast views must use stride 0)`);
  }
  return modeOf(shape, v.strides);
}
/** How a view over `shape` with these strides is indexed: row-major contiguous, one element broadcast, or strided. */
export function modeOf(shape: readonly number[], strides: readonly number[]): 'contig' | 'scalar' | 'strided' {
  // No arrays or closures: this runs for every operand of every GPU op.
  let contig = true, scalar = true, rm = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const s = shape[d];
    if (s !== 1) {
      if (strides[d] !== rm) contig = false;
      if (strides[d] !== 0) scalar = false;
    }
    rm *= s;
  }
  return contig ? 'contig' : scalar ? 'scalar' : 'strided';
}

/**
 * out[i] = expr(loads) computed in c; every View in loads has out's shape (stride 0 where broadcast).
 * `expr` gets one WGSL expression per load.
 */
function elementwise(out: View, loads: Load[], c: CType, expr: (v: string[]) => string): Plan {
  const n = numel(out.shape);
  if (n === 0) return { temps: [], dispatches: [] };
  const R = out.shape.length;
  const md = new Meta();
  md.push(n, ...out.shape);
  const b = new Bindings();
  const outBind = b.of(out.buf, true);
  const views: { v: View; base: number; mode: ReturnType<typeof viewMode> }[] = [];
  const addView = (v: View) => {
    const base = md.push(v.offset, ...v.strides);
    const e = { v, base, mode: viewMode(v, out.shape) };
    views.push(e);
    return e;
  };
  const outV = addView(out);
  const idx = (e: { base: number; mode: string }) => e.mode === 'contig' ? `md[${e.base}u] + i`
    : e.mode === 'scalar' || R === 0 ? `md[${e.base}u]`
      : `md[${e.base}u]` + Array.from({ length: R }, (_, d) => ` + c${d} * md[${e.base + 1 + d}u]`).join('');
  const loadExprs: string[] = [];
  const lines: string[] = [];
  loads.forEach((l, k) => {
    if (typeof l.src === 'number') {
      const at = md.push(scalarWord(l.src, l.as));
      const w = `md[${at}u]`;
      loadExprs.push(l.as === 'f32' ? `bitcast<f32>(${w})` : l.as === 'i32' ? `bitcast<i32>(${w})` : `(${w} != 0u)`);
    } else {
      const e = addView(l.src);
      const bind = b.of(l.src.buf);
      lines.push(`  let v${k} = ${conv(`${bind}[${idx(e)}]`, kindOf(l.src.dtype), l.as)};`);
      loadExprs.push(`v${k}`);
    }
  });
  const strided = views.some((e) => e.mode === 'strided') && R > 0;
  const coords: string[] = [];
  if (strided) {
    coords.push('  var rem = i;');
    for (let d = R - 1; d > 0; d--) coords.push(`  let c${d} = rem % md[${1 + d}u]; rem = rem / md[${1 + d}u];`);
    coords.push('  let c0 = rem;');
  }
  const wgsl = fill('elementwise.wgsl', {
    BINDINGS: b.wgsl(),
    COORDS: coords.join('\n'),
    LOADS: lines.join('\n'),
    EXPR: expr(loadExprs),
    STORE: `${outBind}[${idx(outV)}] = ${store('r', c, kindOf(out.dtype))};`,
  });
  return { temps: [], dispatches: [{ wgsl, bufs: b.list, meta: md.done(), groups: groupsFor(n) }] };
}

export const UNARY_F32: Record<UnaryFn, (x: string) => string> = {
  neg: (x) => `-${x}`, exp: (x) => `fexp(${x})`, log: (x) => `flog(${x})`, sqrt: (x) => `sqrt(${x})`,
  abs: (x) => `abs(${x})`, sign: (x) => `fsign(${x})`, sin: (x) => `fsin(${x})`, cos: (x) => `fcos(${x})`,
  tanh: (x) => `ftanh(${x})`, relu: (x) => `frelu(${x})`, sigmoid: (x) => `fsigmoid(${x})`,
  // (WGSL's round is half to even, as PyTorch's.)
  floor: (x) => `floor(${x})`, ceil: (x) => `ceil(${x})`, trunc: (x) => `trunc(${x})`, round: (x) => `round(${x})`,
  // (outside their domains WGSL leaves these undefined; the f* forms in common.wgsl give NaN or ±inf as the CPU)
  asin: (x) => `fasin(${x})`, acos: (x) => `facos(${x})`, atan: (x) => `fatan(${x})`, sinh: (x) => `fsinh(${x})`, cosh: (x) => `fcosh(${x})`,
  asinh: (x) => `fasinh(${x})`, acosh: (x) => `facosh(${x})`, atanh: (x) => `fatanh(${x})`, log2: (x) => `flog2(${x})`,
  log10: (x) => `(flog(${x}) * 0.434294481903251828)`, exp2: (x) => `fexp2(${x})`,
};
export const UNARY_I32: Partial<Record<UnaryFn, (x: string) => string>> = {
  neg: (x) => `-${x}`, abs: (x) => `abs(${x})`, sign: (x) => `sign(${x})`, relu: (x) => `max(${x}, 0i)`,
  floor: (x) => `(${x})`, ceil: (x) => `(${x})`, trunc: (x) => `(${x})`, round: (x) => `(${x})`,
};

export const CMP: Partial<Record<BinaryFn, string>> = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };
export function binaryExpr(fn: BinaryFn, c: CType, a: string, b: string): string {
  const one = c === 'f32' ? '1.0' : '1i', zero = c === 'f32' ? '0.0' : '0i';
  const cmp = CMP[fn];
  // NaN != anything is true (PyTorch's and the CPU's); lavapipe compiled WGSL's f32 `!=` as an ordered
  // comparison, false for NaN (x.isnan() was all false). `!(a == b)` is the unordered one everywhere.
  if (fn === 'ne' && c === 'f32') return `select(${zero}, ${one}, !(${a} == ${b}))`;
  if (cmp) return `select(${zero}, ${one}, ${a} ${cmp} ${b})`;
  switch (fn) {
    case 'add': return `${a} + ${b}`;
    case 'sub': return `${a} - ${b}`;
    case 'mul': return `${a} * ${b}`;
    case 'div': return c === 'f32' ? `${a} / ${b}` : `select(${a} / ${b}, 0i, ${b} == 0i)`;
    case 'pow': return `fpow(${a}, ${b})`;
    case 'maximum': return c === 'f32' ? `fmax(${a}, ${b})` : `max(${a}, ${b})`;
    case 'minimum': return c === 'f32' ? `fmin(${a}, ${b})` : `min(${a}, ${b})`;
    case 'atan2': return `fatan2(${a}, ${b})`;
    case 'fmod': return c === 'f32' ? `ffmod(${a}, ${b})` : `select(${a} % ${b}, 0i, ${b} == 0i)`;
    case 'remainder': return c === 'f32' ? `fremainder(${a}, ${b})` : `iremainder(${a}, ${b})`;
    // (integer and bool operands only: the frontend refuses floats)
    case 'bitand': return `((${a}) & (${b}))`;
    case 'bitor': return `((${a}) | (${b}))`;
    case 'bitxor': return `((${a}) ^ (${b}))`;
    case 'shl': return `ishl(${a}, ${b})`;
    case 'shr': return `ishr(${a}, ${b})`;
    case 'igamma': return `figamma(${a}, ${b})`;
    case 'igammac': return `figammac(${a}, ${b})`;
    case 'zeta': return `fzeta(${a}, ${b})`;
    case 'nextafter': return `fnextafter(${a}, ${b})`;
    default: throw new Error(`gpu: unknown binary fn ${String(fn)}`);
  }
}

// ---- reduce --------------------------------------------------------------------------------------------

const SEQ_MAX = 256;
const CHUNK = 4096;

interface RedGeom {
  src: BufRef; srcKind: Kind; xOffset: number;
  keptShape: number[]; keptStrides: number[];        // x's kept dims (define the output order)
  redShape: number[]; redStrides: number[];
  dst: BufRef; dstKind: Kind; final: boolean;
  outOffset: number; outKeptShape: number[]; outKeptStrides: number[];
}

/** Whether a reduction (or a dot product: fn 'sum') into `out` is an int64 sum in 32-bit integers, whose
 * adds (and products) go through the checked operations of int64.wgsl. */
export const checkedSum = (fn: ReduceFn, c: CType, out: DType): boolean => fn === 'sum' && c === 'i32' && out === 'int64';
/** fn's fold of a and b in compute type c; `chk`: an int64 sum, whose adds record an overflow. */
export function combine(fn: ReduceFn, c: CType, a: string, b: string, chk = false): string {
  if (fn === 'sum') return chk ? `lchk_add(${a}, ${b})` : `${a} + ${b}`;
  if (c === 'f32') return fn === 'max' ? `fmax(${a}, ${b})` : `fmin(${a}, ${b})`;
  return fn === 'max' ? `max(${a}, ${b})` : `min(${a}, ${b})`;
}
export function identity(fn: ReduceFn, c: CType): string {
  if (fn === 'sum') return c === 'f32' ? '0.0' : '0i';
  // ±inf built from a run-time value: WGSL's constant evaluation rejects inf constants.
  if (c === 'f32') return fn === 'max' ? 'bitcast<f32>(0xff800000u | (md[0] & 0u))' : 'bitcast<f32>(0x7f800000u | (md[0] & 0u))';
  return fn === 'max' ? 'bitcast<i32>(0x80000000u)' : '2147483647i';
}

/** Index expression `base + Σ coord_d(v) * stride_d` for a row-major decomposition of v over shape. */
function decompose(v: string, shapeAt: number, stridesAt: number, rank: number, name: string): string[] {
  if (rank === 0) return [`  let ${name} = 0u;`];
  if (rank === 1) return [`  let ${name} = ${v} * md[${stridesAt}u];`];
  const out = [`  var ${name}_r = ${v};`, `  var ${name} = 0u;`];
  for (let d = rank - 1; d > 0; d--) {
    out.push(`  ${name} = ${name} + (${name}_r % md[${shapeAt + d}u]) * md[${stridesAt + d}u]; ${name}_r = ${name}_r / md[${shapeAt + d}u];`);
  }
  out.push(`  ${name} = ${name} + ${name}_r * md[${stridesAt}u];`);
  return out;
}

function reducePass(fn: ReduceFn, c: CType, g: RedGeom, nOut: number, m: number, nch: number, chk: boolean): Dispatch {
  const seq = nch === 0;
  const md = new Meta();
  md.push(nOut, m, seq ? 1 : nch, g.xOffset, g.outOffset);
  const kShape = md.push(...g.keptShape), kStr = md.push(...g.keptStrides);
  const rShape = md.push(...g.redShape), rStr = md.push(...g.redStrides);
  const oShape = md.push(...g.outKeptShape), oStr = md.push(...g.outKeptStrides);
  const b = new Bindings();
  const x = b.of(g.src);
  const dst = b.of(g.dst, true);
  const xbase = [...decompose('o', kShape, kStr, g.keptShape.length, 'xk'), '  let xbase = md[3u] + xk;'];
  const ridx = decompose('r', rShape, rStr, g.redShape.length, 'ri').map((l) => '  ' + l);
  ridx.push(`      let w = ${x}[xbase + ri];`);
  let st: string[];
  if (g.final) {
    st = [...decompose('o', oShape, oStr, g.outKeptShape.length, 'ok'),
      `    ${dst}[md[4u] + ok] = ${store('res', c, g.dstKind)};`];
  } else {
    st = [`    ${dst}[o * nch + c] = ${store('res', c, g.dstKind)};`];
  }
  const wgsl = fill(seq ? 'reduce_seq.wgsl' : 'reduce.wgsl', {
    BINDINGS: b.wgsl(), C: c, IDENT: identity(fn, c), XBASE: xbase.join('\n'), RIDX: ridx.join('\n'),
    COMBINE_ACC: combine(fn, c, 'acc', conv('w', g.srcKind, c), chk), COMBINE_TREE: combine(fn, c, 'a0', 'a1', chk),
    STORE: st.join('\n'),
  });
  return { wgsl, bufs: b.list, meta: md.done(), groups: seq ? groupsFor(nOut) : nOut * nch };
}

function reducePlan(op: Extract<Op, { op: 'reduce' }>, srcOverride?: BufRef): Plan {
  const { x, out, fn } = op; // (never argmax/argmin: the fuser refuses them, see ReduceOp)
  const rank = x.shape.length;
  const axes = [...new Set(op.axes.map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
  if (axes.some((a) => a < 0 || a >= rank)) throw new Error(`gpu: reduce axes [${op.axes}] out of range for rank ${rank}`);
  if (out.shape.length !== rank || out.shape.some((s, d) => s !== (axes.includes(d) ? 1 : x.shape[d]))) {
    throw new Error(`gpu: reduce output shape [${out.shape}] does not match x [${x.shape}] over axes [${axes}]`);
  }
  const c: CType = kindOf(x.dtype) === 'f32' || kindOf(out.dtype) === 'f32' ? 'f32' : 'i32';
  const chk = checkedSum(fn, c, out.dtype);
  const kept = x.shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const nOut = numel(out.shape);
  if (nOut === 0) return { temps: [], dispatches: [] };
  const m = axes.reduce((p, a) => p * x.shape[a], 1);
  const plan: Plan = { temps: [], dispatches: [] };
  const outKeptShape = kept.map((d) => out.shape[d]), outKeptStrides = kept.map((d) => out.strides[d]);
  let g: RedGeom = {
    src: srcOverride ?? x.buf, srcKind: kindOf(x.dtype), xOffset: x.offset,
    keptShape: kept.map((d) => x.shape[d]), keptStrides: kept.map((d) => x.strides[d]),
    redShape: axes.map((d) => x.shape[d]), redStrides: axes.map((d) => x.strides[d]),
    dst: out.buf, dstKind: kindOf(out.dtype), final: true,
    outOffset: out.offset, outKeptShape, outKeptStrides,
  };
  let len = m;
  for (;;) {
    if (len <= SEQ_MAX) { plan.dispatches.push(reducePass(fn, c, g, nOut, len, 0, chk)); return plan; }
    const nch = Math.ceil(len / CHUNK);
    if (nch === 1) { plan.dispatches.push(reducePass(fn, c, g, nOut, len, 1, chk)); return plan; }
    // Partials of each chunk go to a scratch buffer laid out [nOut, nch], then are reduced again.
    const temp = plan.temps.push(nOut * nch * 4) - 1;
    plan.dispatches.push(reducePass(fn, c, { ...g, dst: { temp }, dstKind: c, final: false }, nOut, len, nch, chk));
    g = {
      ...g, src: { temp }, srcKind: c, xOffset: 0, keptShape: [nOut], keptStrides: [nch],
      redShape: [nch], redStrides: [1],
    };
    len = nch;
  }
}

// ---- gather and scatterAdd ------------------------------------------------------------------------------

/** Metadata of an indexed op: n, rank, dim, the indexed size, then out's shape and the views' offsets
 * and strides (index and out over `shape`, the indexed view over its own strides). */
function indexedMeta(n: number, shape: number[], dim: number, size: number, views: View[]): { md: Meta; at: number[] } {
  const md = new Meta();
  md.push(n, shape.length, dim, size, ...shape);
  const at = views.map((v) => md.push(v.offset, ...v.strides));
  return { md, at };
}
function gatherPlan(op: Extract<Op, { op: 'gather' }>): Plan {
  const { x, index, dim, out } = op;
  const n = numel(out.shape);
  if (n === 0) return { temps: [], dispatches: [] };
  if (kindOf(x.dtype) !== kindOf(out.dtype)) throw new Error(`gpu: gather of ${x.dtype} into ${out.dtype}`);
  const { md, at } = indexedMeta(n, out.shape, dim, x.shape[dim], [out, index, x]);
  const b = new Bindings();
  const OUT = b.of(out.buf, true), INDEX = b.of(index.buf), X = b.of(x.buf);
  const wgsl = fill('gather.wgsl', { BINDINGS: b.wgsl(), OUT, INDEX, X, OUT_AT: `${at[0]}u`, INDEX_AT: `${at[1]}u`, X_AT: `${at[2]}u` });
  return { temps: [], dispatches: [{ wgsl, bufs: b.list, meta: md.done(), groups: groupsFor(n) }] };
}
/** Index lines longer than this are sorted first (scatter_add_sorted.wgsl): the direct kernel's work is
 * the output's size times the line length. */
const SCATTER_SORT_MIN = 64;
/** A scatter's starting value in WGSL: its fold's identity (protocol.ts scatterIdentity; int64, held in
 * 32 bits here, starts at int32's extremes, which the frontend never lets through unfolded). */
function scatterStart(fn: ScatterFn | undefined, c: CType, d: DType): string {
  if (fn === undefined) return c === 'f32' ? '0.0' : '0i';
  if (fn === 'prod') return c === 'f32' ? '1.0' : '1i';
  if (c === 'f32') return identity(fn === 'amax' ? 'max' : 'min', c);
  if (d === 'bool') return fn === 'amax' ? '0i' : '1i';
  return identity(fn === 'amax' ? 'max' : 'min', c);
}
/** One source w folded into acc: sums and products of int64 through the checked operations, as every
 * int64 sum and product on the GPU; maxima and minima with NaN winning (fmax/fmin). */
function scatterFold(fn: ScatterFn | undefined, c: CType, d: DType, w: string): string {
  const chk = c === 'i32' && d === 'int64';
  switch (fn) {
    case undefined: return chk ? `acc = lchk_add(acc, ${w});` : `acc = acc + ${w};`;
    case 'prod': return chk ? `acc = lchk_mul(acc, ${w});` : `acc = acc * ${w};`;
    case 'amax': return `acc = ${combine('max', c, 'acc', w)};`;
    case 'amin': return `acc = ${combine('min', c, 'acc', w)};`;
  }
}
function scatterAddPlan(op: Extract<Op, { op: 'scatterAdd' }>): Plan {
  const { src, index, dim, out, fn } = op;
  const n = numel(out.shape);
  if (n === 0) return { temps: [], dispatches: [] };
  const c: CType = kindOf(out.dtype) === 'f32' ? 'f32' : 'i32';
  const J = index.shape[dim];
  const w = conv('w', kindOf(src.dtype), c);
  const sorted = J > SCATTER_SORT_MIN;
  const { md, at } = indexedMeta(n, out.shape, dim, out.shape[dim], [out, index, src]);
  md.push(...src.shape);
  const plan: Plan = { temps: [], dispatches: [] };
  const b = new Bindings();
  const OUT = b.of(out.buf, true), SRC = b.of(src.buf);
  const holes: Record<string, string> = {
    OUT, SRC, OUT_AT: `${at[0]}u`, INDEX_AT: `${at[1]}u`, SRC_AT: `${at[2]}u`, SRC_SHAPE: `${at[2] + 1 + out.shape.length}u`,
    C: c, ZERO: scatterStart(fn, c, out.dtype), STORE: store('acc', c, kindOf(out.dtype)),
    ADD: scatterFold(fn, c, out.dtype, w),
  };
  if (!sorted) {
    holes.INDEX = b.of(index.buf);
    plan.dispatches.push({ wgsl: fill('scatter_add.wgsl', { ...holes, BINDINGS: b.wgsl() }), bufs: b.list, meta: md.done(), groups: groupsFor(n) });
    return plan;
  }
  // An index that is the same on every line (index_select's and embedding's gradients view a 1-D index
  // with stride 0 off dim) is sorted once.
  const bcast = index.strides.every((s, d) => d === dim || s === 0 || index.shape[d] === 1);
  const iv: View = bcast ? { ...index, shape: index.shape.map((s, d) => (d === dim ? s : 1)) } : index;
  const { lg, KEYS, POS } = bitonicSort(plan, iv, dim, false);
  const LG = md.push1(lg), BCAST = md.push1(bcast ? 1 : 0);
  holes.KEYS = b.of(KEYS); holes.POS = b.of(POS);
  plan.dispatches.push({
    wgsl: fill('scatter_add_sorted.wgsl', { ...holes, BINDINGS: b.wgsl(), LG: `${LG}u`, BCAST: `${BCAST}u` }),
    bufs: b.list, meta: md.done(), groups: groupsFor(n),
  });
  return plan;
}

// ---- argsort and scan ------------------------------------------------------------------------------------

/** A line-wise op's metadata head: its fixed words, then the view's shape with dim's size 1. */
function lineMeta(head: number[], shape: readonly number[], dim: number): Meta {
  const md = new Meta();
  md.pushAll(head);
  for (let d = 0; d < shape.length; d++) md.push1(d === dim ? 1 : shape[d]);
  return md;
}
/** WGSL that walks line `line` to its first element's offset in each named view (md[at] its offset, then
 * its strides) and names the views' strides along dim (`s<name>`); shape words from md[shapeAt]. */
function lineBases(views: { name: string; at: number }[], shapeAt: number): string {
  const vars = views.map((v) => `var ${v.name}a = md[${v.at}u];`).join(' ');
  const steps = views.map((v) => `${v.name}a = ${v.name}a + c * md[${v.at + 1}u + d];`).join(' ');
  const strides = views.map((v) => `let s${v.name} = md[${v.at + 1}u + md[2]];`).join(' ');
  return `  var rem = line; ${vars}\n` +
    `  for (var k = 0u; k < R; k = k + 1u) { let d = R - 1u - k; let c = rem % md[${shapeAt}u + d]; rem = rem / md[${shapeAt}u + d]; ${steps} }\n  ${strides}`;
}

/**
 * A bitonic sort of each line of x along dim into two new scratch buffers of plan (argsort_init, then
 * the argsort_step passes): KEYS (x's words) and POS (positions), each line padded to P = 2^lg slots,
 * line l's sorted pairs at [l·P, l·P + n). The order is total: (value, position), padding last.
 */
function bitonicSort(plan: Plan, x: View, dim: number, descending: boolean): { lg: number; lines: number; KEYS: BufRef; POS: BufRef } {
  const n = x.shape[dim], lines = numel(x.shape) / n, R = x.shape.length;
  const lg = Math.ceil(Math.log2(n)), P = 2 ** lg, threads = lines * P;
  if (threads > 2 ** 31) throw new Error(`gpu: argsort of ${lines} lines of ${n} needs ${threads} sort slots (at most 2^31)`);
  const kind = kindOf(x.dtype), c: CType = kind === 'f32' ? 'f32' : 'i32';
  const KEYS: BufRef = { temp: plan.temps.push(threads * 4) - 1 }, POS: BufRef = { temp: plan.temps.push(threads * 4) - 1 };
  {
    const md = lineMeta([threads, R, dim, n, lg], x.shape, dim);
    const xat = md.push(x.offset, ...x.strides);
    const b = new Bindings();
    const X = b.of(x.buf), K = b.of(KEYS, true), Pb = b.of(POS, true);
    plan.dispatches.push({ wgsl: fill('argsort_init.wgsl', { BINDINGS: b.wgsl(), X, KEYS: K, POS: Pb, BASES: lineBases([{ name: 'x', at: xat }], 5) }), bufs: b.list, meta: md.done(), groups: groupsFor(threads) });
  }
  const b = new Bindings();
  const K = b.of(KEYS, true), Pb = b.of(POS, true);
  const load = (w: string) => (c === 'f32' ? `bitcast<f32>(${w})` : `bitcast<i32>(${w})`);
  const wgsl = fill('argsort_step.wgsl', {
    BINDINGS: b.wgsl(), KEYS: K, POS: Pb, C: c, LOAD_P: load(`${K}[p]`), LOAD_Q: load(`${K}[q]`),
    NAN: c === 'f32' ? '  let na = is_nan(ka); let nb = is_nan(kb);\n  if (na || nb) { if (na && nb) { return ia < ib; } return select(nb, na, desc); }' : '',
  });
  for (let k = 2; k <= P; k *= 2) {
    for (let j = k / 2; j >= 1; j /= 2) {
      const md = new Meta();
      md.push(threads, lg, n, j, k, descending ? 1 : 0);
      plan.dispatches.push({ wgsl, bufs: b.list, meta: md.done(), groups: groupsFor(threads) });
    }
  }
  return { lg, lines, KEYS, POS };
}

/**
 * Argsort: a bitonic sort of each line padded to a power of two P, on (key, position) pairs in scratch
 * (argsort_init, log2(P)·(log2(P)+1)/2 argsort_step passes, argsort_out). The order is total (value, then
 * position), so the result is the CPU's.
 */
function argsortPlan(op: Extract<Op, { op: 'argsort' }>): Plan {
  const { x, dim, descending, out } = op;
  const total = numel(x.shape);
  if (total === 0) return { temps: [], dispatches: [] };
  const plan: Plan = { temps: [], dispatches: [] };
  const { lg, lines, POS } = bitonicSort(plan, x, dim, descending);
  const R = x.shape.length;
  const k = out.shape[dim];
  if (k > 0) {
    const md = lineMeta([lines * k, R, dim, k, lg], out.shape, dim);
    const oat = md.push(out.offset, ...out.strides);
    const b = new Bindings();
    const OUT = b.of(out.buf, true), Pb = b.of(POS);
    plan.dispatches.push({ wgsl: fill('argsort_out.wgsl', { BINDINGS: b.wgsl(), OUT, POS: Pb, BASES: lineBases([{ name: 'o', at: oat }], 5) }), bufs: b.list, meta: md.done(), groups: groupsFor(lines * k) });
  }
  return plan;
}

/** Elements per chunk of a scan's line (a line of one chunk is scanned by one thread in one pass). */
const SCAN_CHUNK = 256;
/**
 * Scan: lines of at most SCAN_CHUNK elements in one pass, a thread per line; longer lines in chunks:
 * each chunk's map y -> A·y + B (scan_chunks), the value each chunk starts from, a thread per line
 * (scan_carry), then each chunk from it (scan_out). Computed in f32 (int: i32, int64 checked).
 */
function scanPlan(op: Extract<Op, { op: 'scan' }>): Plan {
  const { a, b, value, dim, reverse, out } = op;
  const total = numel(out.shape);
  if (total === 0) return { temps: [], dispatches: [] };
  const n = out.shape[dim], lines = total / n, R = out.shape.length;
  const c: CType = kindOf(out.dtype) === 'f32' ? 'f32' : 'i32';
  const chk = out.dtype === 'int64';
  const mul = (p: string, q: string) => (chk ? `lchk_mul(${p}, ${q})` : `(${p} * ${q})`);
  const add = (p: string, q: string) => (chk ? `lchk_add(${p}, ${q})` : `(${p} + ${q})`);
  const m = Math.ceil(n / SCAN_CHUNK), threads = lines * m;
  const ONE = c === 'f32' ? '1.0' : '1i', ZERO = c === 'f32' ? '0.0' : '0i';
  const load = (w: string) => (c === 'f32' ? `bitcast<f32>(${w})` : `bitcast<i32>(${w})`);
  const T: BufRef = { temp: 0 }, CARRY: BufRef = { temp: 1 };
  const plan: Plan = { temps: m > 1 ? [threads * 8, threads * 4] : [], dispatches: [] };
  /** One chunked pass: md head, the views' bases, the a and b loads. */
  const pass = (withOut: boolean) => {
    const md = lineMeta([threads, R, dim, n, m, SCAN_CHUNK, reverse ? 1 : 0, scalarWord(value, c)], out.shape, dim);
    const bind = new Bindings();
    const views: { name: string; at: number }[] = [];
    let OUT = '';
    if (withOut) { OUT = bind.of(out.buf, true); views.push({ name: 'o', at: md.push(out.offset, ...out.strides) }); }
    let av = '', bv = '';
    if (a) { const A = bind.of(a.buf); views.push({ name: 'a', at: md.push(a.offset, ...a.strides) }); av = conv(`${A}[aa + i * sa]`, kindOf(a.dtype), c); }
    if (b) { const B = bind.of(b.buf); views.push({ name: 'b', at: md.push(b.offset, ...b.strides) }); bv = conv(`${B}[ba + i * sb]`, kindOf(b.dtype), c); }
    return { md, bind, OUT, av, bv, BASES: lineBases(views, 8) };
  };
  /** y := a·y + b, with a and b where present. */
  const apply = (y: string, av: string, bv: string) => {
    const ay = av ? mul(av, y) : y;
    return bv ? add(ay, bv) : ay;
  };
  if (m > 1) {
    const p = pass(false);
    const Tb = p.bind.of(T, true);
    const compose = `    ${p.av ? `let av = ${p.av}; A = ${mul('av', 'A')};` : ''} B = ${apply('B', p.av ? 'av' : '', p.bv)};`;
    const wgsl = fill('scan_chunks.wgsl', {
      BINDINGS: p.bind.wgsl(), BASES: p.BASES, C: c, ONE, ZERO, COMPOSE: compose, T: Tb,
      STORE_A: store('A', c, c), STORE_B: store('B', c, c),
    });
    plan.dispatches.push({ wgsl, bufs: p.bind.list, meta: p.md.done(), groups: groupsFor(threads) });
    const md = new Meta();
    md.push(lines, m, reverse ? 1 : 0, scalarWord(value, c));
    const bind = new Bindings();
    const Tr = bind.of(T), Cw = bind.of(CARRY, true);
    plan.dispatches.push({
      wgsl: fill('scan_carry.wgsl', {
        BINDINGS: bind.wgsl(), C: c, VALUE: load('md[3]'), CARRY: Cw, STORE_Y: store('y', c, c),
        APPLY: add(mul(load(`${Tr}[2u * at]`), 'y'), load(`${Tr}[2u * at + 1u]`)),
      }),
      bufs: bind.list, meta: md.done(), groups: groupsFor(lines),
    });
  }
  const p = pass(true);
  const start = m > 1 ? load(`${p.bind.of(CARRY)}[t]`) : load('md[7]');
  const wgsl = fill('scan_out.wgsl', {
    BINDINGS: p.bind.wgsl(), BASES: p.BASES, C: c, START: start, OUT: p.OUT,
    STEP: `    y = ${apply('y', p.av, p.bv)};`, STORE_Y: store('y', c, kindOf(out.dtype)),
  });
  plan.dispatches.push({ wgsl, bufs: p.bind.list, meta: p.md.done(), groups: groupsFor(threads) });
  return plan;
}

// ---- matmul --------------------------------------------------------------------------------------------

function matmulPlan(op: Extract<Op, { op: 'matmul' }>): Plan {
  const { a, b, out } = op;
  const r = out.shape.length;
  if (r < 2 || a.shape.length !== r || b.shape.length !== r) throw new Error('gpu: matmul needs views of equal rank >= 2');
  const M = out.shape[r - 2], N = out.shape[r - 1], K = a.shape[r - 1];
  if (a.shape[r - 2] !== M || b.shape[r - 2] !== K || b.shape[r - 1] !== N) {
    throw new Error(`gpu: matmul shapes [${a.shape}] @ [${b.shape}] -> [${out.shape}] do not agree`);
  }
  const batchShape = out.shape.slice(0, r - 2);
  const nb = numel(batchShape);
  if (M * N * nb === 0) return { temps: [], dispatches: [] };
  if (K === 0) return elementwise(out, [{ src: 0, as: 'f32' }], 'f32', (v) => v[0]);
  const c: CType = [a, b, out].some((v) => kindOf(v.dtype) === 'f32') ? 'f32' : 'i32';
  if (M === 1 && N === 1 && nb === 1 && c === 'f32' && K > SEQ_MAX) return dotPlan(op, K);
  const tm = Math.ceil(M / 64), tn = Math.ceil(N / 64);
  const md = new Meta();
  md.push(M, N, K, tm, tn, nb, a.offset, b.offset, out.offset,
    a.strides[r - 2], a.strides[r - 1], b.strides[r - 2], b.strides[r - 1], out.strides[r - 2], out.strides[r - 1]);
  const bd = r - 2;
  const shAt = md.push(...batchShape);
  const aAt = md.push(...a.strides.slice(0, bd)), bAt = md.push(...b.strides.slice(0, bd)), oAt = md.push(...out.strides.slice(0, bd));
  const bind = new Bindings();
  const ob = bind.of(out.buf, true), ab = bind.of(a.buf), bb = bind.of(b.buf);
  const batch: string[] = [];
  if (bd === 0) batch.push('  let abase = md[6u]; let bbase = md[7u]; let obase = md[8u];');
  else {
    batch.push('  var rem = bi; var abase = md[6u]; var bbase = md[7u]; var obase = md[8u];');
    for (let d = bd - 1; d >= 0; d--) {
      batch.push(`  { let cd = ${d > 0 ? `rem % md[${shAt + d}u]` : 'rem'}; ${d > 0 ? `rem = rem / md[${shAt + d}u]; ` : ''}` +
        `abase = abase + cd * md[${aAt + d}u]; bbase = bbase + cd * md[${bAt + d}u]; obase = obase + cd * md[${oAt + d}u]; }`);
    }
  }
  // acc[i·4 + j] += a_i · b_j; an int64 product through the checked operations (int64.wgsl).
  const chk = checkedSum('sum', c, out.dtype);
  const mac: string[] = [];
  for (let i = 0; i < 4; i++) {
    mac.push('      ' + [0, 1, 2, 3].map((j) => {
      const q = 4 * i + j;
      return chk ? `acc[${q}] = lchk_add(acc[${q}], lchk_mul(a${i}, b${j}));` : `acc[${q}] = acc[${q}] + a${i} * b${j};`;
    }).join(' '));
  }
  const wgsl = fill('matmul.wgsl', {
    MAC: mac.join('\n'),
    BINDINGS: bind.wgsl(), C: c, ZERO: c === 'f32' ? '0.0' : '0i', BATCH: batch.join('\n'),
    A: ab, B: bb, OUT: ob, LOAD_A: conv('w', kindOf(a.dtype), c), LOAD_B: conv('w', kindOf(b.dtype), c),
    STORE: store('res', c, kindOf(out.dtype)),
  });
  return { temps: [], dispatches: [{ wgsl, bufs: bind.list, meta: md.done(), groups: tm * tn * nb }] };
}

/**
 * A 1xK by Kx1 product as a two-level reduction: fixed 4096-element chunks of products, then the
 * chunk partials reduced like any sum (the 64x64-tile matmul would run it on one workgroup).
 */
function dotPlan(op: Extract<Op, { op: 'matmul' }>, K: number): Plan {
  const { a, b, out } = op;
  const r = out.shape.length;
  const nch = Math.ceil(K / CHUNK);
  const plan: Plan = { temps: [], dispatches: [] };
  const md = new Meta();
  md.push(K, nch, a.offset, a.strides[r - 1], b.offset, b.strides[r - 2], out.offset);
  const bind = new Bindings();
  const ab = bind.of(a.buf), bb = bind.of(b.buf);
  let storeLine: string;
  if (nch === 1) {
    const ob = bind.of(out.buf, true);
    storeLine = `    ${ob}[md[6u]] = ${store('res', 'f32', kindOf(out.dtype))};`;
  } else {
    plan.temps.push(nch * 4); // temp 0: the chunk partials
    const tb = bind.of({ temp: 0 }, true);
    storeLine = `    ${tb}[c] = bitcast<u32>(res);`;
  }
  const wgsl = fill('dot.wgsl', {
    BINDINGS: bind.wgsl(),
    LOAD_A: conv(`${ab}[md[2u] + r * md[3u]]`, kindOf(a.dtype), 'f32'),
    LOAD_B: conv(`${bb}[md[4u] + r * md[5u]]`, kindOf(b.dtype), 'f32'),
    STORE: storeLine,
  });
  plan.dispatches.push({ wgsl, bufs: bind.list, meta: md.done(), groups: nch });
  if (nch > 1) {
    const sub = reducePlan({
      op: 'reduce', fn: 'sum', axes: [0],
      x: { buf: -1, dtype: 'float32', shape: [nch], strides: [1], offset: 0 },
      out: { ...out, shape: [1], strides: [1] },
    }, { temp: -1 }); // -1: our temp 0 once the sub-plan's temps are shifted past it
    plan.dispatches.push(...sub.dispatches.map((d) => ({ ...d, bufs: d.bufs.map((x) => ({ ...x, ref: remapTemp(x.ref, 1) })) })));
    plan.temps.push(...sub.temps);
  }
  return plan;
}
const remapTemp = (r: BufRef, shift: number): BufRef => (typeof r === 'number' ? r : { temp: r.temp + shift });

// ---- random --------------------------------------------------------------------------------------------

const NORMAL_WGSL = '  v = philox_normal4(x);';
const UNIFORM_WGSL = '  v = vec4<f32>(philox_uniform(x.x), philox_uniform(x.y), philox_uniform(x.z), philox_uniform(x.w));';

/** Checks a random fill and returns its Philox key words and stream. */
export function randomParams(op: Extract<Op, { op: 'random' }>): { k0: number; k1: number; stream: number } {
  const { out } = op;
  if (out.dtype !== 'float32') {
    if (out.dtype === 'float64') throw new Error(F64_ERROR);
    throw new Error(`gpu: random fill needs a float32 output, got ${out.dtype}`);
  }
  if (!(Number.isInteger(op.seed) && op.seed >= 0 && op.seed <= Number.MAX_SAFE_INTEGER)) {
    throw new Error(`gpu: random seed must be an integer in [0, 2^53), got ${op.seed}`);
  }
  if (!(Number.isInteger(op.stream) && op.stream >= 0 && op.stream <= 0xffffffff)) {
    throw new Error(`gpu: random stream must be an integer in [0, 2^32), got ${op.stream}`);
  }
  return { k0: op.seed % 4294967296, k1: Math.floor(op.seed / 4294967296), stream: op.stream };
}

function randomPlan(op: Extract<Op, { op: 'random' }>): Plan {
  const { out } = op;
  const { k0, k1, stream } = randomParams(op);
  const n = numel(out.shape);
  if (n === 0) return { temps: [], dispatches: [] };
  if (viewMode(out, out.shape) !== 'contig') throw new Error('gpu: random fill needs a contiguous output view');
  const md = new Meta();
  md.push(n, out.offset, k0, k1, stream, 0x7f800000); // +inf for rn() in philox.wgsl
  const wgsl = fill('random.wgsl', { DIST: op.dist === 'normal' ? NORMAL_WGSL : UNIFORM_WGSL }, ['common.wgsl', 'philox.wgsl']);
  return { temps: [], dispatches: [{ wgsl, bufs: [{ ref: out.buf, write: true }], meta: md.done(), groups: groupsFor(Math.ceil(n / 4)) }] };
}


export type EwOp = Extract<Op, { op: 'unary' | 'binary' | 'where' | 'fill' | 'copy' }>;
/** What an elementwise op computes in: its compute type and its operands (views or inline scalars,
 * each read as a type). Shared by the one-op kernels and the fuser; ewExpr gives the WGSL. */
export interface EwTypes { c: CType; loads: Load[] }
export function ewTypes(op: EwOp): EwTypes {
  const c = ewCompute(op);
  const loads: Load[] = [];
  for (let i = 0, n = ewArity(op); i < n; i++) loads.push({ src: ewSrc(op, i), as: ewAs(op, i, c) });
  return { c, loads };
}
/** The compute type of an elementwise op (and its checks). The fuser asks operand by operand
 * (ewArity, ewSrc, ewAs) rather than through ewTypes: no objects per op. */
export function ewCompute(op: EwOp): CType {
  switch (op.op) {
    case 'unary': {
      const c: CType = kindOf(op.out.dtype) === 'f32' || !UNARY_I32[op.fn] ? 'f32' : 'i32';
      if (!(c === 'f32' ? UNARY_F32 : UNARY_I32)[op.fn]) throw new Error(`gpu: unknown unary fn ${String(op.fn)}`);
      return c;
    }
    case 'binary': {
      const cmp = op.fn in CMP;
      return isFloatKind(op.a) || isFloatKind(op.b) || (!cmp && (kindOf(op.out.dtype) === 'f32' || op.fn === 'pow')) ? 'f32' : 'i32';
    }
    case 'where':
      return isFloatKind(op.a) || isFloatKind(op.b) || kindOf(op.out.dtype) === 'f32' ? 'f32' : 'i32';
    case 'fill': {
      const k = kindOf(op.out.dtype);
      if (op.step !== undefined) throw new Error('internal: gpu: a fill with a step (arange) is for CPU executors; the frontend uploads arange for the gpu');
      if (k === 'i32' && Number.isFinite(op.value) && !fitsI32(Math.trunc(op.value))) {
        throw new Error(`gpu: fill value ${op.value} does not fit ${op.out.dtype} on gpu (stored as 32-bit integers)`);
      }
      return k === 'f32' ? 'f32' : 'i32';
    }
    case 'copy':
      return kindOf(op.x.dtype) === 'f32' ? 'f32' : 'i32';
  }
}
/** How many operands an elementwise op reads. */
export function ewArity(op: EwOp): number {
  return op.op === 'binary' ? 2 : op.op === 'where' ? 3 : 1;
}
/** Operand i of an elementwise op: a view, or an inline scalar (a fill's value, as stored). */
export function ewSrc(op: EwOp, i: number): View | number {
  switch (op.op) {
    case 'unary': case 'copy': return op.x;
    case 'binary': return i === 0 ? op.a : op.b;
    case 'where': return i === 0 ? op.cond : i === 1 ? op.a : op.b;
    case 'fill': {
      const k = kindOf(op.out.dtype);
      return k === 'f32' ? op.value : k === 'bool' ? (op.value !== 0 ? 1 : 0) : Math.trunc(op.value) | 0;
    }
  }
}
/** The type operand i is read as. */
export function ewAs(op: EwOp, i: number, c: CType): CType | 'bool' {
  return op.op === 'where' && i === 0 ? 'bool' : c;
}
/**
 * Whether an elementwise op into int64 can leave the 32 bits the GPU holds int64 in, and so computes
 * through the checked operations of int64.wgsl: add, sub, mul, shl, neg and abs in 32-bit integers, and a
 * float converted to int64 (a copy).
 */
export function ewChecked(op: EwOp, c: CType): boolean {
  if (op.out.dtype !== 'int64') return false;
  switch (op.op) {
    case 'unary': return c === 'i32' && (op.fn === 'neg' || op.fn === 'abs');
    case 'binary': return c === 'i32' && (op.fn === 'add' || op.fn === 'sub' || op.fn === 'mul' || op.fn === 'shl');
    case 'copy': return c === 'f32';
    default: return false;
  }
}
/** What an elementwise op's WGSL depends on besides its types, for kernel cache keys: the op, and
 * whether it is checked (ewChecked). */
export function ewWhat(op: EwOp, c: CType): string {
  const w = op.op === 'unary' || op.op === 'binary' ? op.fn : op.op;
  return ewChecked(op, c) ? `${w}!` : w;
}
/** The WGSL value of an elementwise op in compute type c, from its operands' expressions v. */
export function ewExpr(op: EwOp, c: CType, v: string[]): string {
  if (ewChecked(op, c)) {
    switch (op.op) {
      case 'unary': return `lchk_${op.fn}(${v[0]})`;
      case 'binary': return `lchk_${op.fn}(${v[0]}, ${v[1]})`;
      default: return `lchk_f2l(${v[0]})`;
    }
  }
  switch (op.op) {
    case 'unary': return (c === 'f32' ? UNARY_F32 : UNARY_I32)[op.fn]!(v[0]);
    case 'binary': return binaryExpr(op.fn, c, v[0], v[1]);
    case 'where': return `select(${v[2]}, ${v[1]}, ${v[0]})`;
    case 'fill': case 'copy': return v[0];
  }
}

// ---- entry ---------------------------------------------------------------------------------------------

function checkDtypes(op: Op) {
  for (const v of Object.values(op)) {
    if (v && typeof v === 'object' && 'dtype' in v && (v as View).dtype === 'float64') throw new Error(F64_ERROR);
  }
}

/**
 * planOp, memoized. Building the WGSL text costs 20-90 us per op, as much as a whole training step's
 * work on a large GPU, while a training loop sends the same ops (same shapes, offsets, scalars) every
 * step with other buffer ids. The cache key is the op with its buffer ids replaced by their order of
 * appearance; a hit only renames the buffers. Random fills (seed and stream in their metadata) are
 * cheap to plan and not cached.
 */
const planCache = new Map<string, { plan: Plan; ids: number[] }>();
const PLAN_CACHE_MAX = 4096;
export function planOpCached(op: Op): Plan {
  if (op.op === 'random') return planOp(op);
  const ids: number[] = [];
  const o = op as unknown as Record<string, unknown>;
  let key = op.op;
  for (const f of ['fn', 'x', 'a', 'b', 'cond', 'index', 'src', 'dim', 'out', 'axes', 'value', 'dist', 'descending', 'reverse'] as const) {
    const v = o[f];
    if (v === undefined) continue;
    if (typeof v === 'object' && v !== null && 'buf' in v) {
      const w = v as View;
      let i = ids.indexOf(w.buf);
      if (i < 0) { i = ids.length; ids.push(w.buf); }
      key += `|${f}:${i}:${w.dtype}:${w.shape.join(',')}:${w.strides.join(',')}:${w.offset}`;
    } else key += `|${f}:${Array.isArray(v) ? v.join(',') : Object.is(v, -0) ? '-0' : String(v)}`;
  }
  const hit = planCache.get(key);
  if (!hit) {
    const plan = planOp(op);
    if (planCache.size >= PLAN_CACHE_MAX) planCache.clear();
    planCache.set(key, { plan, ids });
    return plan;
  }
  const rename = (r: BufRef): BufRef => (typeof r === 'number' ? ids[hit.ids.indexOf(r)] : r);
  return {
    temps: hit.plan.temps,
    dispatches: hit.plan.dispatches.map((d) => ({ ...d, bufs: d.bufs.map((b) => ({ ref: rename(b.ref), write: b.write })) })),
  };
}

/** The dispatches for one primitive op. Throws a clear Error for what the GPU cannot do. */
export function planOp(op: Op): Plan {
  checkDtypes(op);
  switch (op.op) {
    case 'unary': case 'binary': case 'where': case 'fill': case 'copy': {
      const e = ewTypes(op);
      return elementwise(op.out, e.loads, e.c, (v) => ewExpr(op, e.c, v));
    }
    case 'reduce': return reducePlan(op);
    case 'matmul': return matmulPlan(op);
    case 'random': return randomPlan(op);
    case 'gather': return gatherPlan(op);
    case 'scatterAdd': return scatterAddPlan(op);
    case 'argsort': return argsortPlan(op);
    case 'scan': return scanPlan(op);
    default: throw new Error(`gpu: unknown op ${JSON.stringify((op as { op: unknown }).op)}`);
  }
}

// ---- uploads -------------------------------------------------------------------------------------------

/**
 * Values of a buffer of `dtype` as the GPU stores them (one 32-bit word per element). int64 values
 * must fit in 32 bits (the GPU stores int64 as int32): anything else is refused with a RangeError
 * rather than silently wrapped. int32 wraps like an Int32Array; bool is 0/1 (NaN counts as true).
 */
export function toGpuWords(dtype: DType, data: ArrayLike<number> | ArrayLike<bigint>): Float32Array | Int32Array | Uint32Array {
  const k = kindOf(dtype);
  const n = data.length;
  if (k === 'f32') {
    if (data instanceof Float32Array) return data.slice();
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = Number(data[i]);
    return out;
  }
  if (k === 'bool') {
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) { const v = data[i]; out[i] = v !== 0 && v !== 0n && v !== false as unknown ? 1 : 0; }
    return out;
  }
  if (dtype === 'int32') {
    if (data instanceof Int32Array) return data.slice();
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = Number(data[i]);
    return out;
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = Number(data[i]);
    if (!(v >= -2147483648 && v <= 2147483647)) {
      throw new RangeError(`gpu: int64 value ${String(data[i])} at index ${i} does not fit in 32 bits (int64 is stored as int32 on the gpu)`);
    }
    out[i] = v;
  }
  return out;
}
