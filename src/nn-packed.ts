/**
 * torch.nn.utils.rnn: padSequence and PyTorch 1.13's packed sequences — PackedSequence,
 * packPaddedSequence, padPackedSequence, packSequence, unpackSequence, unpadSequence. nn.RNN, nn.LSTM and
 * nn.GRU take and return a PackedSequence (src/nn.ts).
 *
 * A PackedSequence holds the time steps of a batch of sequences, longest first, one after the other:
 * data [sum of lengths, *] is step 0 of every sequence, then step 1 of those at least 2 long, …;
 * batchSizes[t] says how many sequences step t has. Packing and unpacking are one gather each (index_select
 * by an index built here from the lengths, which are JS numbers), so gradients flow back to the padded
 * input, on any device.
 */
import { Tensor, argsortRaw, cat, checkTensor, deviceName, format, full, indexSelect, stack, tensor, valuesNow } from './tensor.ts';
import { broadcastShapes, fmtShape, sameShape } from './shape.ts';

export interface PadSequenceOptions {
  /** The result as [B, maxL, *] (false: [maxL, B, *]). */
  batchFirst?: boolean;
  /** The value of the padding (0). */
  paddingValue?: number;
}

/**
 * The sequences ([L_i, *] each, * alike) padded with paddingValue to the longest and stacked
 * (torch.nn.utils.rnn.pad_sequence): [maxL, B, *], or [B, maxL, *] with batchFirst. The result has the
 * first sequence's dtype and device (the others are converted, and broadcast to its trailing shape, as
 * PyTorch's copy_ does); gradients flow back to the sequences.
 */
export function padSequence(sequences: readonly Tensor[], o: PadSequenceOptions = {}): Tensor {
  if (!Array.isArray(sequences)) throw new TypeError('pad_sequence(): sequences must be an array of tensors');
  if (sequences.length === 0) throw new Error('received an empty list of sequences');
  sequences.forEach((s, i) => checkTensor('pad_sequence', s, `sequences[${i}]`));
  const first = sequences[0];
  if (first.ndim === 0) throw new Error('Dimension specified as 0 but tensor has no dimensions');
  const trailing = first.shape.slice(1), dtype = first.dtype, device = first.device;
  const value = o.paddingValue ?? 0;
  const maxL = Math.max(...sequences.map((s) => {
    if (s.ndim === 0) throw new Error('Dimension specified as 0 but tensor has no dimensions');
    return s.shape[0];
  }));
  const padded = sequences.map((s) => {
    const L = s.shape[0], target = [L, ...trailing];
    const b = broadcastShapes(target, s.shape);
    if (!sameShape(b, target)) throw new Error(`The expanded size of the tensor must match: sequence of shape ${fmtShape(s.shape)} cannot be copied into ${fmtShape(target)}`);
    let t = s.to({ device, dtype });
    if (!sameShape(t.shape, target)) t = t.expand(target);
    if (L === maxL) return t;
    return cat([t, full([maxL - L, ...trailing], value, { dtype, device })]);
  });
  return stack(padded, o.batchFirst ? 0 : 1);
}

/**
 * The values of the int64 tensors made here (lengths, batch sizes, indices), with their storage's version:
 * read without a read-back while nothing changed them in place, even while other work is queued.
 */
const made = new WeakMap<Tensor, { version: number; values: number[] }>();
const int64 = (v: readonly number[], device: Tensor['device'] = 'cpu') => {
  const t = tensor([...v], { dtype: 'int64', device });
  made.set(t, { version: t.storage.version, values: [...v] });
  return t;
};
/** A tensor's values where known without a read-back: one made here, or a CPU tensor with nothing queued. */
function knownValues(t: Tensor): number[] | null {
  const m = made.get(t);
  if (m && m.version === t.storage.version) return m.values;
  return t.device === 'cpu' ? valuesNow(t) : null;
}

/** A 1-D list of integers given as numbers, or as a tensor whose values are known (knownValues). */
function integersNow(what: string, v: Tensor | readonly number[]): number[] {
  if (v instanceof Tensor) {
    if (v.ndim !== 1) throw new Error(`'${what}' argument should be a 1D CPU int64 tensor, but got ${v.ndim}D ${deviceName(v.device)} tensor`);
    if (v.device !== 'cpu') throw new Error(`'${what}' argument should be a 1D CPU int64 tensor, but got 1D ${deviceName(v.device)} tensor`);
    const n = knownValues(v);
    if (n === null) throw new Error(`${what}: the tensor's values are not computed yet (troupe reads no values back here, and other work is queued); pass them as an array of numbers (await t.tolist())`);
    return n.map(Math.trunc);
  }
  if (!Array.isArray(v)) throw new TypeError(`${what} must be an array of numbers or a 1-D tensor`);
  return v.map((x) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new TypeError(`${what} must hold finite numbers, got ${String(x)}`);
    return Math.trunc(x); // as torch.as_tensor(lengths, dtype=torch.int64)
  });
}

const inverse = (p: readonly number[]) => { const q = new Array<number>(p.length); p.forEach((v, i) => { q[v] = i; }); return q; };
const isPermutation = (p: readonly number[]) => {
  const seen = new Array<boolean>(p.length).fill(false);
  return p.every((v) => Number.isInteger(v) && v >= 0 && v < p.length && !seen[v] && (seen[v] = true));
};

/**
 * A packed batch of sequences (torch.nn.utils.rnn.PackedSequence): data [sum of lengths, *], batchSizes
 * (int64 on the CPU: how many sequences each time step has), sortedIndices (the order, longest first, in
 * which the original batch's sequences were packed; null when they came sorted) and unsortedIndices (its
 * inverse). Destructures as [data, batchSizes, sortedIndices, unsortedIndices]; `await p.format()`
 * prints it as PyTorch's repr does. Made by packPaddedSequence and packSequence; `new PackedSequence(data, batchSizes, sortedIndices?, unsortedIndices?)` as PyTorch's.
 */
export class PackedSequence {
  readonly data: Tensor;
  readonly batchSizes: Tensor;
  readonly sortedIndices: Tensor | null;
  readonly unsortedIndices: Tensor | null;
  /** @internal batchSizes as numbers (non-increasing, positive) */
  readonly _batchSizes: readonly number[];
  /** @internal sortedIndices as numbers, where known (null: sorted, or values not computed) */
  readonly _sorted: readonly number[] | null;
  constructor(data: Tensor, batchSizes: Tensor | readonly number[], sortedIndices: Tensor | readonly number[] | null = null, unsortedIndices: Tensor | readonly number[] | null = null) {
    checkTensor('PackedSequence', data, 'data');
    if (data.ndim === 0) throw new Error('PackedSequence(): data must have at least 1 dimension');
    const bs = integersNow('batch_sizes', batchSizes);
    if (bs.length === 0 || bs.some((b, t) => b <= 0 || (t > 0 && b > bs[t - 1]))) throw new Error(`PackedSequence(): batch_sizes must be positive and non-increasing, got [${bs.join(', ')}]`);
    const total = bs.reduce((a, b) => a + b, 0);
    if (data.shape[0] !== total) throw new Error(`PackedSequence(): data has ${data.shape[0]} rows but batch_sizes add up to ${total}`);
    this.data = data;
    this._batchSizes = bs;
    this.batchSizes = batchSizes instanceof Tensor ? batchSizes : int64(bs);
    const B = bs[0];
    const asIndex = (v: Tensor | readonly number[], what: string): [Tensor, number[] | null] => {
      const known = v instanceof Tensor ? knownValues(v) : integersNow(what, v);
      if (known && (known.length !== B || !isPermutation(known))) throw new Error(`PackedSequence(): ${what} must be a permutation of 0..${B - 1}, got [${known.join(', ')}]`);
      return [v instanceof Tensor ? v : int64(known!, data.device), known];
    };
    if (sortedIndices === null) {
      if (unsortedIndices !== null) throw new Error('PackedSequence(): unsorted_indices given without sorted_indices');
      this.sortedIndices = this.unsortedIndices = null;
      this._sorted = null;
    } else {
      const [s, known] = asIndex(sortedIndices, 'sorted_indices');
      this.sortedIndices = s;
      this._sorted = known;
      // PyTorch's invert_permutation when not given: here the inverse by numbers, or an argsort of the tensor
      this.unsortedIndices = unsortedIndices !== null ? asIndex(unsortedIndices, 'unsorted_indices')[0]
        : known ? int64(inverse(known), s.device) : argsortRaw(s, 0, false);
    }
  }
  /** The number of sequences (batchSizes[0]). */
  get batchSize(): number { return this._batchSizes[0]; }
  *[Symbol.iterator](): Iterator<Tensor | null> { yield this.data; yield this.batchSizes; yield this.sortedIndices; yield this.unsortedIndices; }
  /**
   * The same sequences with data moved or converted (`p.to('gpu')`, `p.to({ dtype: 'float64' })`): the
   * indices go to data's device, batchSizes stay on the CPU, as PyTorch's PackedSequence.to.
   */
  to(target: string | { device?: string; dtype?: string }): PackedSequence {
    const data = this.data.to(target as Parameters<Tensor['to']>[0]);
    if (data === this.data) return this;
    const move = (t: Tensor | null) => (t === null || t.device === data.device ? t : t.to(data.device));
    return this._withData(data, move(this.sortedIndices), move(this.unsortedIndices));
  }
  cpu(): PackedSequence { return this.to('cpu'); }
  gpu(): PackedSequence { return this.to('gpu'); }
  float(): PackedSequence { return this.to({ dtype: 'float32' }); }
  double(): PackedSequence { return this.to({ dtype: 'float64' }); }
  get isCuda(): boolean { return this.data.device === 'gpu'; }
  /** @internal the same packing (batch sizes, order) around other data, e.g. an RNN's output */
  _withData(data: Tensor, sorted = this.sortedIndices, unsorted = this.unsortedIndices): PackedSequence {
    const p = Object.create(PackedSequence.prototype) as { -readonly [K in keyof PackedSequence]: PackedSequence[K] };
    p.data = data; p.batchSizes = this.batchSizes; p.sortedIndices = sorted; p.unsortedIndices = unsorted;
    p._batchSizes = this._batchSizes; p._sorted = this._sorted;
    return p as PackedSequence;
  }
  toString(): string {
    const t = (x: Tensor | null) => (x === null ? 'None' : `Tensor(shape=${fmtShape(x.shape)}, dtype=${x.dtype}, device=${deviceName(x.device)})`);
    return `PackedSequence(data=${t(this.data)}, batch_sizes=tensor([${this._batchSizes.join(', ')}]), sorted_indices=${t(this.sortedIndices)}, unsorted_indices=${t(this.unsortedIndices)}) — use await p.format() for values`;
  }
  [Symbol.for('nodejs.util.inspect.custom')]() { return this.toString(); }
  /** As PyTorch prints it: PackedSequence(data=tensor(…), batch_sizes=tensor([…]), sorted_indices=…, unsorted_indices=…). */
  async format(): Promise<string> {
    const f = async (x: Tensor | null) => (x === null ? 'None' : format(x));
    return `PackedSequence(data=${await f(this.data)}, batch_sizes=${await f(this.batchSizes)}, sorted_indices=${await f(this.sortedIndices)}, unsorted_indices=${await f(this.unsortedIndices)})`;
  }
}

export interface PackPaddedOptions {
  /** input is [B, T, *] (false: [T, B, *]). */
  batchFirst?: boolean;
  /** The lengths come longest first (true, PyTorch's default); false sorts them and records the order. */
  enforceSorted?: boolean;
}

/**
 * Packs a padded batch (torch.nn.utils.rnn.pack_padded_sequence): input [T, B, *] ([B, T, *] with
 * batchFirst) of sequences whose lengths (numbers, or a CPU int64 tensor whose values are computed) are
 * given; steps past a sequence's length are left out. With enforceSorted (the default) the lengths must
 * not increase; with enforceSorted: false they are sorted longest first (ties in batch order) and the
 * order is kept in sortedIndices. One gather of the input: its gradient flows back.
 */
export function packPaddedSequence(input: Tensor, lengths: Tensor | readonly number[], o: PackPaddedOptions = {}): PackedSequence {
  checkTensor('pack_padded_sequence', input);
  const len = integersNow('lengths', lengths), enforceSorted = o.enforceSorted ?? true, batchFirst = !!o.batchFirst;
  let order: number[] | null = null;
  if (!enforceSorted) {
    order = len.map((_, i) => i).sort((a, b) => len[b] - len[a] || a - b);
  }
  if (input.numel() === 0) throw new Error('Cannot pack empty tensors.');
  if (input.ndim < 2) throw new Error(`pack_padded_sequence(): input must be at least 2-D ([T, B, *] or [B, T, *]), got shape ${fmtShape(input.shape)}`);
  const bDim = batchFirst ? 0 : 1, B = input.shape[bDim], T = input.shape[1 - bDim];
  if (len.length !== B) throw new Error(`Expected \`len(lengths)\` to be equal to batch_size, but got ${len.length} (batch_size=${B})`);
  const sortedLen = order ? order.map((i) => len[i]) : len;
  if (!(sortedLen[B - 1] > 0)) throw new Error("Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0");
  for (let i = 0; i + 1 < B; i++) {
    if (sortedLen[i + 1] > sortedLen[i]) {
      throw new Error('`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement if you do not need ONNX exportability.');
    }
  }
  // (PyTorch reads past the input here and returns a malformed sequence; troupe refuses)
  if (sortedLen[0] > T) throw new Error(`pack_padded_sequence(): a length (${sortedLen[0]}) is larger than the input's number of time steps (${T})`);
  const batchSizes: number[] = [], rows: number[] = [];
  for (let t = 0; t < sortedLen[0]; t++) {
    let n = 0;
    while (n < B && sortedLen[n] > t) {
      const b = order ? order[n] : n;
      rows.push(batchFirst ? b * T + t : t * B + b);
      n++;
    }
    batchSizes.push(n);
  }
  const flat = input.reshape([T * B, ...input.shape.slice(2)]);
  const data = indexSelect(flat, 0, int64(rows, input.device));
  return new PackedSequence(data, batchSizes, order, order ? inverse(order) : null); // (numbers: the indices' values stay known)
}

export interface PadPackedOptions {
  /** The result as [B, T, *] (false: [T, B, *]). */
  batchFirst?: boolean;
  /** The value past each sequence's end (0). */
  paddingValue?: number;
  /** Pad to this many time steps (at least the longest sequence's length) instead of the longest's. */
  totalLength?: number | null;
}

/** The sequences' lengths in the original batch order, as numbers, where known without a read-back. */
function lengthsOf(seq: PackedSequence): { sorted: number[]; original: number[] | null } {
  const bs = seq._batchSizes, B = bs[0], sorted = new Array<number>(B).fill(0);
  for (const n of bs) for (let b = 0; b < n; b++) sorted[b]++;
  if (seq.sortedIndices === null) return { sorted, original: sorted };
  const order = seq._sorted;
  if (!order) return { sorted, original: null };
  const original = new Array<number>(B);
  order.forEach((o, i) => { original[o] = sorted[i]; });
  return { sorted, original };
}

/**
 * Pads a packed batch back (torch.nn.utils.rnn.pad_packed_sequence): [padded, lengths] where padded is
 * [T, B, *] ([B, T, *] with batchFirst; T the longest length, or totalLength), paddingValue past each
 * sequence's end, the sequences in the original batch order, and lengths an int64 CPU tensor. One gather:
 * the gradient flows back to seq.data.
 */
export function padPackedSequence(seq: PackedSequence, o: PadPackedOptions = {}): [Tensor, Tensor] {
  if (!(seq instanceof PackedSequence)) throw new TypeError('pad_packed_sequence(): sequence must be a PackedSequence');
  const bs = seq._batchSizes, maxL = bs.length, B = bs[0];
  let T = maxL;
  if (o.totalLength != null) {
    if (o.totalLength < maxL) throw new Error(`Expected total_length to be at least the length of the longest sequence in input, but got total_length=${o.totalLength} and max sequence length being ${maxL}`);
    T = o.totalLength;
  }
  const data = seq.data, S = data.shape[0], trailing = data.shape.slice(1), batchFirst = !!o.batchFirst;
  // rows of [data; one padding row], in the padded layout
  const rows = new Array<number>(T * B).fill(S);
  let off = 0;
  for (let t = 0; t < maxL; t++) {
    for (let i = 0; i < bs[t]; i++) {
      const b = seq._sorted ? seq._sorted[i] : i;
      if (seq.sortedIndices && !seq._sorted) rows[batchFirst ? i * T + t : t * B + i] = off + i; // reordered by a gather below
      else rows[batchFirst ? b * T + t : t * B + b] = off + i;
    }
    off += bs[t];
  }
  const pad = full([1, ...trailing], o.paddingValue ?? 0, { dtype: data.dtype, device: data.device });
  let out = indexSelect(cat([data, pad]), 0, int64(rows, data.device)).reshape(batchFirst ? [B, T, ...trailing] : [T, B, ...trailing]);
  const { sorted, original } = lengthsOf(seq);
  let lengths: Tensor;
  if (seq.sortedIndices && !seq._sorted) { // the order's values are not known here: reorder by tensors
    out = indexSelect(out, batchFirst ? 0 : 1, seq.unsortedIndices!);
    lengths = indexSelect(int64(sorted), 0, seq.unsortedIndices!.to('cpu'));
  } else lengths = int64(original!);
  return [out, lengths];
}

/**
 * Packs a list of sequences ([L_i, *] each) (torch.nn.utils.rnn.pack_sequence): padSequence, then
 * packPaddedSequence with their lengths; enforceSorted (true by default) wants them longest first.
 */
export function packSequence(sequences: readonly Tensor[], o: { enforceSorted?: boolean } = {}): PackedSequence {
  if (!Array.isArray(sequences)) throw new TypeError('pack_sequence(): sequences must be an array of tensors');
  const lengths = sequences.map((s) => (s instanceof Tensor && s.ndim > 0 ? s.shape[0] : 0));
  return packPaddedSequence(padSequence(sequences), lengths, { enforceSorted: o.enforceSorted ?? true });
}

/**
 * The padded batch's sequences cut to their lengths (torch.nn.utils.rnn.unpad_sequence): padded
 * [T, B, *] ([B, T, *] with batchFirst), lengths numbers or a CPU tensor whose values are computed; tensors
 * [L_i, *] (views of padded). As PyTorch's (a zip and a mask), one per pair of sequence and length, so
 * extra sequences or lengths are left out, and a length past T gives all T steps.
 */
export function unpadSequence(padded: Tensor, lengths: Tensor | readonly number[], o: { batchFirst?: boolean } = {}): Tensor[] {
  checkTensor('unpad_sequence', padded, 'padded_sequences');
  const len = integersNow('lengths', lengths);
  if (padded.ndim < 2) throw new Error(`unpad_sequence(): padded_sequences must be at least 2-D, got shape ${fmtShape(padded.shape)}`);
  const x = o.batchFirst ? padded : padded.transpose(0, 1), T = x.shape[1];
  return len.slice(0, x.shape[0]).map((l, i) => x.index(i).narrow(0, 0, Math.min(Math.max(l, 0), T)));
}

/** The packed batch's sequences, in the original order (torch.nn.utils.rnn.unpack_sequence): [L_i, *] each. */
export function unpackSequence(packed: PackedSequence): Tensor[] {
  if (!(packed instanceof PackedSequence)) throw new TypeError('unpack_sequence(): packed_sequences must be a PackedSequence');
  const { original } = lengthsOf(packed);
  if (!original) throw new Error("unpack_sequence(): the sorted_indices' values are not computed yet (troupe reads no values back here)");
  const [padded] = padPackedSequence(packed, { batchFirst: true });
  return unpadSequence(padded, original, { batchFirst: true });
}
