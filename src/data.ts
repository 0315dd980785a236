/**
 * torch.utils.data: datasets and the loader that cuts them into (shuffled) batches.
 *
 *   const ds = new torch.utils.data.TensorDataset(x, y);
 *   const loader = new torch.utils.data.DataLoader(ds, { batchSize: 64, shuffle: true });
 *   for (let epoch = 0; epoch < 5; epoch++) for (const [xb, yb] of loader) { … }
 *
 * A TensorDataset's batches are gathered on the tensors' own device (one indexSelect per tensor and
 * batch, nothing read back); any other dataset's items are fetched one by one and collated as PyTorch's
 * default_collate does (tensors stacked, numbers made a tensor, arrays and objects field by field).
 * Shuffling draws a new permutation from the seeded generator (manualSeed) at the start of each pass.
 */
import { Tensor, indexSelect, stack, tensor } from './tensor.ts';
import { permutation } from './ops-sort.ts';
import { fmtShape } from './shape.ts';

/** A map-style dataset: `length` items, item i from get(i). */
export interface Dataset<T = unknown> {
  readonly length: number;
  get(i: number): T;
}

/** Rows of tensors that share their first dim: item i is [t0[i], t1[i], …]. */
export class TensorDataset implements Dataset<Tensor[]> {
  readonly tensors: Tensor[];
  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new Error('TensorDataset: give at least one tensor');
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new Error(`TensorDataset: argument ${i} is not a tensor`);
      if (t.ndim === 0) throw new Error(`TensorDataset: tensor ${i} is 0-d; every tensor needs a first dim to index`);
    });
    if (tensors.some((t) => t.shape[0] !== tensors[0].shape[0])) {
      throw new Error(`Size mismatch between tensors: first dims ${tensors.map((t) => fmtShape(t.shape)).join(', ')}`);
    }
    this.tensors = tensors;
  }
  get length(): number { return this.tensors[0].shape[0]; }
  get(i: number): Tensor[] { checkIndex(i, this.length); return this.tensors.map((t) => t.index(i)); }
}

/** The items of `dataset` at `indices`, in that order. */
export class Subset<T> implements Dataset<T> {
  constructor(readonly dataset: Dataset<T>, readonly indices: readonly number[]) {
    for (const i of indices) checkIndex(i, dataset.length);
  }
  get length(): number { return this.indices.length; }
  get(i: number): T { checkIndex(i, this.length); return this.dataset.get(this.indices[i]); }
}

function checkIndex(i: number, n: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`index ${i} is out of range for a dataset of ${n} items`);
}

/**
 * The dataset split at random into subsets of the given lengths (torch.utils.data.random_split): whole
 * numbers summing to its length, or fractions summing to 1 (each floor(fraction·length), the items left
 * over given one each to the first subsets, as PyTorch does).
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[]): Subset<T>[] {
  const n = dataset.length;
  let sizes = [...lengths];
  const fractions = sizes.length > 0 && sizes.every((v) => v >= 0 && v <= 1) && Math.abs(sizes.reduce((a, b) => a + b, 0) - 1) < 1e-9 && sizes.some((v) => !Number.isInteger(v));
  if (fractions) {
    sizes = sizes.map((f) => Math.floor(n * f));
    let left = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; left > 0; i = (i + 1) % sizes.length, left--) sizes[i]++;
  }
  if (sizes.some((v) => !Number.isInteger(v) || v < 0) || sizes.reduce((a, b) => a + b, 0) !== n) {
    throw new Error(`Sum of input lengths does not equal the length of the input dataset! (lengths [${lengths.join(', ')}], dataset of ${n})`);
  }
  const perm = permutation(n);
  let at = 0;
  return sizes.map((len) => { const s = new Subset(dataset, Array.from(perm.subarray(at, at + len))); at += len; return s; });
}

/** What default collation makes of a list of items of type T. */
export type Collated<T> = T extends Tensor ? Tensor
  : T extends number | boolean ? Tensor
    : T extends readonly unknown[] ? { [K in keyof T]: Collated<T[K]> }
      : T extends object ? { [K in keyof T]: Collated<T[K]> } : never;

/** PyTorch's default_collate: tensors stacked along a new first dim, numbers and booleans made into a
 * tensor, arrays and plain objects collated position by position / key by key. */
export function defaultCollate<T>(items: readonly T[]): Collated<T> {
  const first = items[0] as unknown;
  if (first instanceof Tensor) return stack(items as unknown as Tensor[]) as Collated<T>;
  if (typeof first === 'number' || typeof first === 'boolean') return tensor(items as unknown as number[]) as Collated<T>;
  if (Array.isArray(first)) {
    if (items.some((it) => !Array.isArray(it) || it.length !== first.length)) throw new Error('default_collate: each element in list of batch should be of equal size');
    return first.map((_, k) => defaultCollate(items.map((it) => (it as unknown as unknown[])[k]))) as unknown as Collated<T>;
  }
  if (first !== null && typeof first === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first)) out[key] = defaultCollate(items.map((it) => (it as Record<string, unknown>)[key]));
    return out as Collated<T>;
  }
  throw new Error(`default_collate: batch must contain tensors, numbers, arrays or objects; found ${first === null ? 'null' : typeof first}`);
}

export interface DataLoaderOptions<T, B> {
  /** Items per batch (1). */
  batchSize?: number;
  /** A new random order at each pass (false: the dataset's order). */
  shuffle?: boolean;
  /** Leave out the last batch when it is smaller than batchSize (false). */
  dropLast?: boolean;
  /** Makes a batch of a list of items (defaultCollate); not used for a TensorDataset's batches. */
  collate?: (items: T[]) => B;
}

/**
 * Batches of a dataset (torch.utils.data.DataLoader), iterated with for…of; `length` is the number of
 * batches a pass gives.
 */
export class DataLoader<T = Tensor[], B = Collated<T>> implements Iterable<B> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly collate: (items: T[]) => B;
  constructor(readonly dataset: Dataset<T>, o: DataLoaderOptions<T, B> = {}) {
    const bs = o.batchSize ?? 1;
    if (!Number.isInteger(bs) || bs < 1) throw new Error(`batch_size should be a positive integer value, but got batch_size=${bs}`);
    this.batchSize = bs;
    this.shuffle = o.shuffle ?? false;
    this.dropLast = o.dropLast ?? false;
    this.collate = o.collate ?? ((items: T[]) => defaultCollate(items) as B);
  }
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
  *[Symbol.iterator](): Iterator<B> {
    const n = this.dataset.length, bs = this.batchSize;
    const order = this.shuffle ? permutation(n) : null;
    const ds = this.dataset;
    for (let start = 0; start < n; start += bs) {
      const len = Math.min(bs, n - start);
      if (len < bs && this.dropLast) return;
      if (ds instanceof TensorDataset) {
        const at = new Int32Array(len);
        for (let k = 0; k < len; k++) at[k] = order ? order[start + k] : start + k;
        const perDevice = new Map<string, Tensor>();
        yield ds.tensors.map((t) => {
          let idx = perDevice.get(t.device);
          if (!idx) { idx = tensor(at, { device: t.device }); perDevice.set(t.device, idx); }
          return indexSelect(t, 0, idx);
        }) as B;
      } else {
        const items: T[] = [];
        for (let k = 0; k < len; k++) items.push(ds.get(order ? order[start + k] : start + k));
        yield this.collate(items);
      }
    }
  }
}
