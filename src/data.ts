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
 *
 * Samplers (SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler)
 * are iterables of indices (or of index lists) made on this thread: the random ones draw from the seeded
 * generator's host-side uniform streams (one stream per pass, as randperm's Fisher–Yates shuffle), so a
 * loader's iteration stays synchronous and its orders are a function of manualSeed and the order of the
 * draws. A JS array is a map-style dataset (as a Python list is); any other iterable without `get`
 * (a generator object, a Set, an IterableDataset subclass) is an iterable-style dataset, batched in the
 * order it yields.
 */
import { Tensor, hostUniform, indexSelect, stack, tensor } from './tensor.ts';
import { permutation } from './ops-sort.ts';
import { fmtShape } from './shape.ts';

/** A map-style dataset: `length` items, item i from get(i). */
export interface Dataset<T = unknown> {
  readonly length: number;
  get(i: number): T;
}

/** An iterable-style dataset (torch.utils.data.IterableDataset): subclass it and write the iterator. A
 * DataLoader takes any iterable that has no `get` the same way; give it a `length` for loader.length. */
export abstract class IterableDataset<T = unknown> implements Iterable<T> {
  abstract [Symbol.iterator](): Iterator<T>;
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

/** The items of several datasets one after another (torch.utils.data.ConcatDataset); a negative index
 * counts from the end. */
export class ConcatDataset<T = unknown> implements Dataset<T> {
  readonly datasets: Array<Dataset<T> | readonly T[]>;
  /** The running totals of the datasets' lengths. */
  readonly cumulativeSizes: number[];
  constructor(datasets: Iterable<Dataset<T> | readonly T[]>) {
    this.datasets = [...datasets];
    if (this.datasets.length === 0) throw new Error('datasets should not be an empty iterable');
    let total = 0;
    this.cumulativeSizes = this.datasets.map((d) => {
      if (!isMapStyle(d)) throw new Error('ConcatDataset does not support IterableDataset');
      total += d.length;
      return total;
    });
  }
  get length(): number { return this.cumulativeSizes[this.cumulativeSizes.length - 1]; }
  get(i: number): T {
    const n = this.length;
    if (Number.isInteger(i) && i < 0) {
      if (-i > n) throw new Error('absolute value of index should not exceed dataset length');
      i += n;
    }
    checkIndex(i, n);
    let d = 0;
    while (this.cumulativeSizes[d] <= i) d++; // (bisect_right)
    return itemAt(this.datasets[d], d === 0 ? i : i - this.cumulativeSizes[d - 1]);
  }
}

/** Whether a dataset is map-style (an array, or has get(i)) rather than iterable-style. */
function isMapStyle<T>(ds: unknown): ds is Dataset<T> | readonly T[] {
  if (ds instanceof IterableDataset) return false;
  return Array.isArray(ds) || (ds !== null && typeof ds === 'object' && typeof (ds as { get?: unknown }).get === 'function');
}
function itemAt<T>(ds: Dataset<T> | readonly T[], i: number): T {
  if (Array.isArray(ds)) { checkIndex(i, ds.length); return ds[i] as T; }
  return (ds as Dataset<T>).get(i);
}
/** len(x), with Python's TypeError for an object without a length. */
function lenOf(x: unknown): number {
  const n = (x as { length?: unknown } | null)?.length;
  if (typeof n !== 'number') throw new TypeError(`object of type '${typeName(x)}' has no len()`);
  return n;
}
function typeName(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x !== 'object') return typeof x;
  const tag = (x as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag];
  return typeof tag === 'string' ? tag : (x as object).constructor?.name ?? 'Object';
}
function show(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(show).join(', ')}]`;
  if (x !== null && typeof x === 'object') return `<${typeName(x)}>`;
  return String(x);
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

// =============================================================== samplers

/** What a loader draws indices from: an iterable of indices (`length` where it has one). */
export type Sampler<T = number> = Iterable<T> & { readonly length?: number };

/** 0, 1, …, length − 1 of a dataset (torch.utils.data.SequentialSampler). */
export class SequentialSampler implements Iterable<number> {
  constructor(readonly dataSource: { readonly length: number }) {}
  get length(): number { return lenOf(this.dataSource); }
  *[Symbol.iterator](): Iterator<number> { for (let i = 0, n = this.length; i < n; i++) yield i; }
}

export interface RandomSamplerOptions {
  /** Draw each index independently, uniform over the dataset (false: a shuffle). */
  replacement?: boolean;
  /** How many indices a pass yields (the dataset's length). Without replacement, more than that length
   * gives whole permutations one after another, the last one cut short. */
  numSamples?: number;
}

/**
 * The indices of a dataset in random order (torch.utils.data.RandomSampler): without replacement a new
 * permutation each pass (randperm's Fisher–Yates shuffle, so shuffle: true in a DataLoader is this
 * sampler); with replacement numSamples independent indices floor(u·n) from one stream of uniform
 * draws (24-bit uniforms: even over up to 2^24 items).
 */
export class RandomSampler implements Iterable<number> {
  readonly replacement: boolean;
  private readonly _numSamples: number | undefined;
  constructor(readonly dataSource: { readonly length: number }, o: RandomSamplerOptions = {}) {
    const replacement = o.replacement ?? false;
    if (typeof replacement !== 'boolean') throw new TypeError(`replacement should be a boolean value, but got replacement=${show(replacement)}`);
    this.replacement = replacement;
    this._numSamples = o.numSamples;
    const n = this.numSamples;
    if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) throw new Error(`num_samples should be a positive integer value, but got num_samples=${show(n)}`);
  }
  get numSamples(): number { return this._numSamples ?? lenOf(this.dataSource); }
  get length(): number { return this.numSamples; }
  *[Symbol.iterator](): Iterator<number> {
    const n = lenOf(this.dataSource), m = this.numSamples;
    if (n === 0) { // (numSamples given for an empty dataset: PyTorch's errors)
      throw new Error(this.replacement ? "random_ expects 'from' to be less than 'to', but got from=0 >= to=0" : 'integer division or modulo by zero');
    }
    if (this.replacement) {
      const u = hostUniform(m);
      for (let k = 0; k < m; k++) yield Math.min(Math.floor(u[k] * n), n - 1);
      return;
    }
    for (let k = 0; k < Math.floor(m / n); k++) yield* permutation(n);
    if (m % n > 0) yield* permutation(n).subarray(0, m % n);
  }
}

/** The given indices in a new random order each pass (torch.utils.data.SubsetRandomSampler). */
export class SubsetRandomSampler implements Iterable<number> {
  readonly indices: readonly number[];
  constructor(indices: Iterable<number>) { this.indices = [...indices]; }
  get length(): number { return this.indices.length; }
  *[Symbol.iterator](): Iterator<number> {
    for (const k of permutation(this.indices.length)) yield this.indices[k];
  }
}

export interface WeightedRandomSamplerOptions {
  /** Draw with replacement (true); without, an index is drawn at most once per pass. */
  replacement?: boolean;
}

/**
 * numSamples indices of 0 … weights.length − 1, index i with probability proportional to weights[i]
 * (torch.utils.data.WeightedRandomSampler). The draws are torch.multinomial's, made on the host from
 * one stream of the seeded generator per pass (so iteration stays synchronous): with replacement the
 * inverse CDF (the number of running sums c[0 … C−2] at or below u·c[C−1]; a zero weight repeats the sum
 * before it and is never drawn), without replacement the Gumbel-top-k order (a zero weight only once every
 * positive one has been). The weights are numbers (an array or typed array; float64, as PyTorch's
 * as_tensor(weights, dtype=double)): for a tensor's, pass `await w.tolist()`. Weight errors are
 * multinomial's, raised when a pass starts, as PyTorch's.
 */
export class WeightedRandomSampler implements Iterable<number> {
  readonly weights: Float64Array;
  readonly replacement: boolean;
  constructor(weights: ArrayLike<number>, readonly numSamples: number, o: WeightedRandomSamplerOptions = {}) {
    if (typeof numSamples !== 'number' || !Number.isInteger(numSamples) || numSamples <= 0) {
      throw new Error(`num_samples should be a positive integer value, but got num_samples=${show(numSamples)}`);
    }
    const replacement = o.replacement ?? true;
    if (typeof replacement !== 'boolean') throw new Error(`replacement should be a boolean value, but got replacement=${show(replacement)}`);
    if (weights instanceof Tensor) throw new TypeError('WeightedRandomSampler: give the weights as numbers (for a tensor\'s: await weights.tolist()); a loader draws its indices synchronously');
    if (weights === null || typeof weights !== 'object' || typeof weights.length !== 'number') throw new TypeError(`WeightedRandomSampler: weights must be a sequence of numbers, got ${show(weights)}`);
    const w = Array.from(weights as ArrayLike<unknown>);
    if (w.some((x) => typeof x !== 'number')) {
      const shape = Array.isArray(w[0]) ? `(${w.length}, ${(w[0] as unknown[]).length})` : `(${w.length},)`;
      throw new Error(`weights should be a 1d sequence but given weights have shape ${shape}`);
    }
    this.weights = Float64Array.from(w as number[]);
    this.replacement = replacement;
  }
  get length(): number { return this.numSamples; }
  *[Symbol.iterator](): Iterator<number> {
    const w = this.weights, C = w.length, m = this.numSamples;
    if (!this.replacement && m > C) throw new Error('cannot sample n_sample > prob_dist.size(-1) samples without replacement');
    let total = 0;
    for (let j = 0; j < C; j++) {
      const x = w[j];
      if (this.replacement) {
        if (!(x >= 0)) throw new Error('invalid multinomial distribution (encountering probability entry < 0)');
        if (x === Infinity) throw new Error('invalid multinomial distribution (encountering probability entry = infinity or NaN)');
      } else if (!(x >= 0 && x < Infinity)) throw new Error('probability tensor contains either `inf`, `nan` or element < 0');
      total += x;
    }
    if (!(total > 0)) throw new Error('invalid multinomial distribution (sum of probabilities <= 0)');
    if (this.replacement) {
      const c = new Float64Array(C);
      let s = 0;
      for (let j = 0; j < C; j++) { s += w[j]; c[j] = s; }
      const u = hostUniform(m), top = c[C - 1];
      for (let k = 0; k < m; k++) {
        const v = u[k] * top;
        // the number of c[0 … C-2] at or below v (c is non-decreasing: a binary search)
        let lo = 0, hi = C - 1;
        while (lo < hi) { const mid = (lo + hi) >> 1; if (c[mid] <= v) lo = mid + 1; else hi = mid; }
        yield lo;
      }
      return;
    }
    const u = hostUniform(C), keys = new Float64Array(C);
    for (let j = 0; j < C; j++) keys[j] = w[j] > 0 ? Math.log(w[j]) - Math.log(-Math.log(Math.max(u[j], 2 ** -60))) : -Infinity;
    const order = Array.from({ length: C }, (_, j) => j).sort((a, b) => (keys[b] - keys[a]) || a - b);
    for (let k = 0; k < m; k++) yield order[k];
  }
}

/**
 * Lists of batchSize indices from a sampler (torch.utils.data.BatchSampler), the last one shorter
 * unless dropLast; `length` needs the sampler's.
 */
export class BatchSampler implements Iterable<number[]> {
  constructor(readonly sampler: Sampler<number>, readonly batchSize: number, readonly dropLast: boolean) {
    if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize <= 0) {
      throw new Error(`batch_size should be a positive integer value, but got batch_size=${show(batchSize)}`);
    }
    if (typeof dropLast !== 'boolean') throw new Error(`drop_last should be a boolean value, but got drop_last=${show(dropLast)}`);
  }
  get length(): number {
    const n = lenOf(this.sampler);
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) { yield batch; batch = []; }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
}

// =============================================================== the loader

export interface DataLoaderOptions<T, B> {
  /** Items per batch (1); null: no batching, each item is yielded (through `collate` where given, which
   * then gets the item itself, as PyTorch's collate_fn does). */
  batchSize?: number | null;
  /** A new random order at each pass (false: the dataset's order): a RandomSampler. */
  shuffle?: boolean;
  /** The indices to load, in order (a map-style dataset only; not with shuffle). */
  sampler?: Sampler<number>;
  /** The batches of indices to load (a map-style dataset only; not with batchSize, shuffle, sampler or
   * dropLast). */
  batchSampler?: Sampler<readonly number[]>;
  /** Leave out the last batch when it is smaller than batchSize (false). */
  dropLast?: boolean;
  /** Makes a batch of a list of items (defaultCollate); not used for a TensorDataset's batches. */
  collate?: (items: T[]) => B;
}

/**
 * Batches of a dataset (torch.utils.data.DataLoader), iterated with for…of; `length` is the number of
 * batches a pass gives (an iterable-style dataset's needs its `length`). A map-style dataset (`{ length,
 * get(i) }`, a TensorDataset, an array) is read at the indices of the sampler (SequentialSampler, or a
 * RandomSampler with shuffle, or the one given) cut into batches by a BatchSampler (or the batchSampler
 * given); an iterable-style one (any other iterable) is batched in the order it yields, and takes no
 * shuffle, sampler or batchSampler (PyTorch's errors). The options' conflicts are PyTorch's errors.
 */
export class DataLoader<T = Tensor[], B = Collated<T>> implements Iterable<B> {
  readonly batchSize: number | null;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  /** The indices a map-style dataset is read at (null for an iterable-style dataset). */
  readonly sampler: Sampler<number> | null;
  /** The batches of indices (null without batching or for an iterable-style dataset). */
  readonly batchSampler: Sampler<readonly number[]> | null;
  private readonly collate: (items: T[]) => B;
  private readonly userCollate: ((items: T[]) => B) | null;
  private readonly mapStyle: boolean;
  constructor(readonly dataset: Dataset<T> | readonly T[] | Iterable<T>, o: DataLoaderOptions<T, B> = {}) {
    this.mapStyle = isMapStyle(dataset);
    let bs = o.batchSize === undefined ? 1 : o.batchSize;
    let shuffle = o.shuffle ?? false, dropLast = o.dropLast ?? false;
    let sampler = o.sampler ?? null, batchSampler = o.batchSampler ?? null;
    if (!this.mapStyle) {
      if (typeof dataset !== 'object' || dataset === null || typeof (dataset as Iterable<T>)[Symbol.iterator] !== 'function') {
        throw new TypeError(`DataLoader: the dataset must be a map-style dataset ({ length, get(i) }, an array) or an iterable, got ${show(dataset)}`);
      }
      if (o.shuffle !== undefined && o.shuffle !== false) throw new Error(`DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=${show(o.shuffle)}`);
      if (sampler !== null) throw new Error(`DataLoader with IterableDataset: expected unspecified sampler option, but got sampler=${show(sampler)}`);
      if (batchSampler !== null) throw new Error(`DataLoader with IterableDataset: expected unspecified batch_sampler option, but got batch_sampler=${show(batchSampler)}`);
    }
    shuffle = !!shuffle;
    if (sampler !== null && shuffle) throw new Error('sampler option is mutually exclusive with shuffle');
    if (batchSampler !== null) {
      if (bs !== 1 || shuffle || sampler !== null || dropLast) {
        throw new Error('batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last');
      }
      bs = null; dropLast = false;
    } else if (bs === null && dropLast) {
      throw new Error('batch_size=None option disables auto-batching and is mutually exclusive with drop_last');
    }
    if (this.mapStyle) {
      const ds = dataset as Dataset<T> | readonly T[];
      if (sampler === null) sampler = shuffle ? new RandomSampler(ds) : new SequentialSampler(ds);
      if (bs !== null && batchSampler === null) batchSampler = new BatchSampler(sampler, bs, dropLast);
    } else if (bs !== null) {
      void new BatchSampler([], bs, dropLast); // (its checks of batchSize and dropLast)
    }
    this.batchSize = bs;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.sampler = sampler;
    this.batchSampler = batchSampler;
    this.collate = o.collate ?? ((items: T[]) => defaultCollate(items) as B);
    this.userCollate = o.collate ?? null;
  }
  get length(): number {
    if (!this.mapStyle) {
      const n = lenOf(this.dataset);
      if (this.batchSize === null) return n;
      return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
    }
    return lenOf(this.batchSampler ?? this.sampler);
  }
  *[Symbol.iterator](): Iterator<B> {
    if (!this.mapStyle) {
      const bs = this.batchSize;
      let items: T[] = [];
      for (const item of this.dataset as Iterable<T>) {
        if (bs === null) { yield this.one(item); continue; }
        items.push(item);
        if (items.length === bs) { yield this.collate(items); items = []; }
      }
      if (bs !== null && items.length > 0 && !this.dropLast) yield this.collate(items);
      return;
    }
    const ds = this.dataset as Dataset<T> | readonly T[];
    if (this.batchSampler === null) {
      for (const i of this.sampler!) yield this.one(itemAt(ds, i));
      return;
    }
    for (const batch of this.batchSampler) {
      if (ds instanceof TensorDataset) {
        const n = ds.length, at = new Int32Array(batch.length);
        batch.forEach((i, k) => { checkIndex(i, n); at[k] = i; });
        const perDevice = new Map<string, Tensor>();
        yield ds.tensors.map((t) => {
          let idx = perDevice.get(t.device);
          if (!idx) { idx = tensor(at, { device: t.device }); perDevice.set(t.device, idx); }
          return indexSelect(t, 0, idx);
        }) as B;
      } else {
        yield this.collate(batch.map((i) => itemAt(ds, i)));
      }
    }
  }
  /** An item without batching: as it is, or through the collate given. */
  private one(item: T): B {
    return this.userCollate ? (this.userCollate as unknown as (x: T) => B)(item) : item as unknown as B;
  }
}
