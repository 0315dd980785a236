/**
 * The CPU matmul's fast path: a WebAssembly SIMD micro-kernel (wasm/mm.c, 4 rows x 4 columns of float64
 * accumulators in registers) over operands packed here into the module's own scratch memory.
 *
 * Bit-identical to kernels.ts's JS loops (rowBlock / rowBlock4) for every dtype: the packed values are
 * float64 (exact for float32, int32, uint8 and float64 data) and every output element is the same
 * sequence of float64 operations (see mm.c), so results do not depend on which path ran, on how rows are
 * grouped or on how a range is split over workers. NaN payload bits aside: only "is NaN" is promised.
 *
 * The scratch is a memory private to this thread (one per worker), sized by the packing below and never
 * more than ~7 MiB: the kernels need no allocator from the runtime and touch no tensor memory but the
 * operands they read and the range they return.
 */
import { instantiateShared, wasmFile } from './wasm-module.ts';

type Arr = Float32Array | Float64Array | Int32Array | Uint8Array;

interface MmExports { mm_strip4(a: number, b: number, out: number, k: number, nb: number, acc: number): void }

const file = wasmFile(new URL('./wasm/mm.wasm', import.meta.url));
/** Steps of k packed at once: the protocol's REDUCE_BLOCK (the caller passes it). Columns per panel at
 * most: */
const MAX_PANEL = 2048;
/** Bytes of packed B per panel (then fewer columns when k is long). */
const PANEL_BYTES = 4 << 20;

let state: { mem: WebAssembly.Memory; ex: MmExports; f64: Float64Array } | null | undefined;
let disabled = !!process.env.TROUPE_NO_WASM;

/** Turns the WebAssembly matmul off (true) or on again; the JS loops give the same bits (tests, benchmarks). */
export function disableWasmMatmul(off: boolean): void { disabled = off; }

function kernel(): typeof state {
  if (disabled) return null;
  if (state === undefined) {
    // (a shared memory only because the module imports one; no other thread sees it)
    const s = instantiateShared<MmExports>(file, 1024);
    state = s && { ...s, f64: new Float64Array(s.mem.buffer) };
  }
  return state;
}

function ensure(s: NonNullable<typeof state>, bytes: number): Float64Array {
  const have = s.mem.buffer.byteLength;
  if (bytes > have) s.mem.grow(Math.ceil((bytes - have) / 65536));
  if (s.f64.byteLength !== s.mem.buffer.byteLength) s.f64 = new Float64Array(s.mem.buffer);
  return s.f64;
}

/** Whether matmulRows can run here (the module compiled and instantiated, and it is not turned off). */
export function wasmMatmulAvailable(): boolean { return kernel() != null; }

/**
 * Rows [r0, r1) of one batch of C = A·B, all n columns, as float64 totals into tmp: element (r, j) goes to
 * tmp[(r - r0)·n + j - skip] when 0 <= (r - r0)·n + j - skip < count.
 * A element (r, p) is A[aBase + r·as0 + p·as1]; B element (p, j) is B[bBase + p·bs0 + j·bs1].
 * Each element: float64 block sums over k in blocks of `block`, added left to right (kernels.ts's order).
 */
export function matmulRows(A: Arr, aBase: number, as0: number, as1: number, B: Arr, bBase: number, bs0: number, bs1: number,
  r0: number, r1: number, n: number, k: number, block: number, tmp: Float64Array, count: number, skip: number): void {
  const s = kernel()!;
  const kb = Math.min(k, block);
  const pw = Math.min(MAX_PANEL, Math.ceil(n / 4) * 4, Math.max(4, Math.floor(PANEL_BYTES / (8 * kb)) & ~3));
  // Scratch layout (bytes): A strip 32·kb | B panel 8·kb·pw | out 32·pw.
  const aAt = 0, bAt = 32 * kb, oAt = bAt + 8 * kb * pw;
  const f = ensure(s, oAt + 32 * pw);
  const ai = aAt / 8, bi = bAt / 8, oi = oAt / 8;
  const oneBlock = k <= block;
  for (let j0 = 0; j0 < n; j0 += pw) {
    const w = Math.min(pw, n - j0), nb = Math.ceil(w / 4), w4 = 4 * nb;
    if (oneBlock) packB(f, bi, B, bBase, bs0, bs1, 0, k, j0, w, nb);
    for (let r = r0; r < r1; r += 4) {
      const h = Math.min(4, r1 - r);
      for (let p0 = 0; p0 < k; p0 += block) {
        const p1 = Math.min(k, p0 + block);
        if (!oneBlock) packB(f, bi, B, bBase, bs0, bs1, p0, p1, j0, w, nb);
        packA(f, ai, A, aBase + r * as0, as0, as1, p0, p1, h);
        s.ex.mm_strip4(aAt, bAt, oAt, p1 - p0, nb, p0 === 0 ? 0 : 1);
      }
      for (let t = 0; t < h; t++) {
        const d = (r + t - r0) * n + j0 - skip, o = oi + t * w4;
        const jLo = Math.max(0, -d), jHi = Math.min(w, count - d);
        if (jHi > jLo) tmp.set(f.subarray(o + jLo, o + jHi), d + jLo);
      }
    }
  }
}

/** B[p0..p1) x columns [j0, j0 + w) into nb micro-panels of 4 columns, p-major, zero-padded. */
function packB(f: Float64Array, at: number, B: Arr, bBase: number, bs0: number, bs1: number, p0: number, p1: number, j0: number, w: number, nb: number): void {
  const kb = p1 - p0;
  for (let c = 0; c < nb; c++) {
    const cols = Math.min(4, w - 4 * c);
    let d = at + 4 * kb * c;
    const col0 = bBase + (j0 + 4 * c) * bs1;
    if (cols === 4) {
      for (let p = p0; p < p1; p++, d += 4) {
        const q = col0 + p * bs0;
        f[d] = B[q]; f[d + 1] = B[q + bs1]; f[d + 2] = B[q + 2 * bs1]; f[d + 3] = B[q + 3 * bs1];
      }
    } else {
      for (let p = p0; p < p1; p++, d += 4) {
        const q = col0 + p * bs0;
        for (let j = 0; j < 4; j++) f[d + j] = j < cols ? B[q + j * bs1] : 0;
      }
    }
  }
}

/** Rows aRow + t·as0 (t < h), steps [p0, p1), p-major 4 per step, rows past h zero. */
function packA(f: Float64Array, at: number, A: Arr, aRow: number, as0: number, as1: number, p0: number, p1: number, h: number): void {
  let d = at;
  if (h === 4) {
    for (let p = p0; p < p1; p++, d += 4) {
      const q = aRow + p * as1;
      f[d] = A[q]; f[d + 1] = A[q + as0]; f[d + 2] = A[q + 2 * as0]; f[d + 3] = A[q + 3 * as0];
    }
  } else {
    for (let p = p0; p < p1; p++, d += 4) {
      const q = aRow + p * as1;
      for (let t = 0; t < 4; t++) f[d + t] = t < h ? A[q + t * as0] : 0;
    }
  }
}
