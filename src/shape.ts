export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { st[i] = acc; acc *= shape[i]; }
  return st;
}

export const fmtShape = (s: readonly number[]) => `[${s.join(', ')}]`;

export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1, db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i} (shapes ${fmtShape(a)} and ${fmtShape(b)})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function normDim(d: number, rank: number): number {
  const r = Math.max(rank, 1);
  if (typeof d !== 'number' || !Number.isInteger(d)) throw new Error(`dim must be an integer, got ${typeof d === 'string' ? `'${d}'` : typeof d === 'object' ? JSON.stringify(d) : String(d)}`);
  if (d < -r || d >= r) {
    throw new Error(`Dimension out of range (expected to be in range of [${-r}, ${r - 1}], but got ${d})`);
  }
  return d < 0 ? d + r : d;
}

/**
 * Whether a view's elements are distinct and fill a contiguous range of memory, in any dimension order
 * (PyTorch's is_non_overlapping_and_dense): sorted by stride, each stride is the product of the sizes
 * before it. Size-1 dimensions do not count.
 */
export function isNonOverlappingAndDense(shape: readonly number[], strides: readonly number[]): boolean {
  // Row-major contiguous (the usual case) without the sort below.
  let acc = 1, i = shape.length - 1;
  for (; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== acc) break;
    acc *= shape[i];
  }
  if (i < 0) return true;
  const dims: number[] = [];
  for (let i = 0; i < shape.length; i++) if (shape[i] !== 1) dims.push(i);
  dims.sort((a, b) => strides[a] - strides[b] || shape[a] - shape[b]);
  let expected = 1;
  for (const d of dims) {
    if (strides[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

/** Elements [begin, end) of storage a view can touch (strides are never negative). */
export function storageSpan(shape: readonly number[], strides: readonly number[], offset: number): [number, number] {
  let end = offset + 1;
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 0) return [offset, offset];
    end += (shape[i] - 1) * strides[i];
  }
  return [offset, end];
}
