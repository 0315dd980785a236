// torch.utils.data's samplers (Sequential, Random, SubsetRandom, WeightedRandom, Batch), DataLoader's
// sampler / batchSampler / batchSize: null options and iterable-style datasets, ConcatDataset; and
// torch.nn.utils' clipGradValue_, parametersToVector / vectorToParameters and rnn.padSequence. Expected
// texts, orders of batches and error messages are PyTorch 1.13's (python3-torch on the same programs);
// the random orders are troupe's own generator's (a function of manualSeed), checked against the streams
// they are drawn from.
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, values } from './helpers.ts';

const {
  TensorDataset, DataLoader, ConcatDataset, IterableDataset, SequentialSampler, RandomSampler, SubsetRandomSampler,
  WeightedRandomSampler, BatchSampler,
} = torch.utils.data;
const { clipGradValue_, parametersToVector, vectorToParameters, padSequence } = torch.nn.utils;
const text = (t: torch.Tensor) => torch.format(t);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
const available = await gpuForTests('utils-extra');

/** The next `n` float64 uniforms of the generator's next stream (what the host-side samplers draw). */
async function stream(n: number): Promise<number[]> { return values(torch.rand([n], { dtype: 'float64' })); }

describe('samplers', () => {
  it('SequentialSampler: 0 … n-1; RandomSampler: a permutation per pass, randperm\'s, the same after manualSeed', async () => {
    const ds = range(10);
    const seq = new SequentialSampler(ds);
    expect([...seq]).toEqual(range(10));
    expect(seq.length).toBe(10);

    const rs = new RandomSampler(ds);
    expect(rs.length).toBe(10);
    torch.manualSeed(3);
    const p1 = [...rs], p2 = [...rs];
    expect(sorted(p1)).toEqual(range(10));
    expect(sorted(p2)).toEqual(range(10));
    expect(p1).not.toEqual(p2);
    torch.manualSeed(3);
    expect([...rs]).toEqual(p1);
    torch.manualSeed(3);
    expect(await values(torch.randperm(10))).toEqual(p1);

    // numSamples past the length: whole permutations, the last one cut short (PyTorch's)
    const long = new RandomSampler(ds, { numSamples: 25 });
    expect(long.length).toBe(25);
    const l = [...long];
    expect(l.length).toBe(25);
    expect(sorted(l.slice(0, 10))).toEqual(range(10));
    expect(sorted(l.slice(10, 20))).toEqual(range(10));
    expect(new Set(l.slice(20)).size).toBe(5);
  });

  it('RandomSampler with replacement: floor(u·n) of one uniform stream; each index about equally often', async () => {
    const rs = new RandomSampler(range(7), { replacement: true, numSamples: 7000 });
    expect(rs.length).toBe(7000);
    torch.manualSeed(8);
    const got = [...rs];
    torch.manualSeed(8);
    expect(got).toEqual((await stream(7000)).map((u) => Math.floor(u * 7)));
    const counts = range(7).map((k) => got.filter((i) => i === k).length);
    // binomial(7000, 1/7): sd ≈ 29.3; 5 sd (the draws are fixed by the seed, so this cannot flake)
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(5 * Math.sqrt(7000 * (1 / 7) * (6 / 7)));
    // num_samples defaults to the length with replacement too
    expect([...new RandomSampler(range(4), { replacement: true })].length).toBe(4);
  });

  it('RandomSampler errors are PyTorch\'s (an empty dataset has no default num_samples)', () => {
    expect(() => new RandomSampler([])).toThrow('num_samples should be a positive integer value, but got num_samples=0');
    expect(() => new RandomSampler([1, 2], { numSamples: 2.5 })).toThrow('num_samples should be a positive integer value, but got num_samples=2.5');
    expect(() => [...new RandomSampler([], { numSamples: 3 })]).toThrow('integer division or modulo by zero');
    expect(() => [...new RandomSampler([], { numSamples: 3, replacement: true })]).toThrow("random_ expects 'from' to be less than 'to', but got from=0 >= to=0");
    expect(() => new RandomSampler([1, 2], { replacement: 1 as unknown as boolean })).toThrow(new TypeError('replacement should be a boolean value, but got replacement=1'));
  });

  it('SubsetRandomSampler: the given indices in a new order each pass, by randperm of their count', async () => {
    const idx = [10, 11, 12, 13, 14, 15];
    const s = new SubsetRandomSampler(idx);
    expect(s.length).toBe(6);
    torch.manualSeed(21);
    const a = [...s], b = [...s];
    expect(sorted(a)).toEqual(idx);
    expect(a).not.toEqual(b);
    torch.manualSeed(21);
    expect(await values(torch.randperm(6))).toEqual(a.map((v) => v - 10));
  });

  it('WeightedRandomSampler with replacement: the inverse CDF of one stream; frequencies follow the weights', async () => {
    const w = [1, 0, 3, 6];
    const s = new WeightedRandomSampler(w, 20000);
    expect(s.length).toBe(20000);
    expect(s.replacement).toBe(true);
    torch.manualSeed(5);
    const got = [...s];
    // the draws are multinomial's: the number of running sums c[0 … C-2] at or below u·c[C-1]
    torch.manualSeed(5);
    const c = [1, 1, 4, 10];
    expect(got).toEqual((await stream(20000)).map((u) => c.slice(0, 3).filter((x) => x <= u * 10).length));
    const counts = range(4).map((k) => got.filter((i) => i === k).length);
    expect(counts[1]).toBe(0); // a zero weight is never drawn
    // binomial(20000, p): 5 sd is at most 5·√(20000·0.25) ≈ 354 (fixed seed: no flake, but a wrong
    // distribution, e.g. off by one category, is thousands off)
    [0.1, 0, 0.3, 0.6].forEach((p, k) => expect(Math.abs(counts[k] - 20000 * p)).toBeLessThanOrEqual(5 * Math.sqrt(20000 * p * (1 - p))));
    torch.manualSeed(5);
    expect([...s]).toEqual(got); // deterministic under the seed
    // zero weights at either end, and typed arrays
    torch.manualSeed(6);
    expect(new Set(new WeightedRandomSampler([0, 2, 0], 500))).toEqual(new Set([1]));
    expect(new Set(new WeightedRandomSampler(new Float32Array([0, 0, 1, 1, 0]), 500))).toEqual(new Set([2, 3]));
  });

  it('WeightedRandomSampler without replacement: each index at most once, positive weights first', async () => {
    torch.manualSeed(9);
    const a = [...new WeightedRandomSampler([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 6, { replacement: false })];
    expect(sorted(a)).toEqual(range(6));
    // PyTorch gives [0, 1, 2] here too: the zero weights come after every positive one, in order
    expect([...new WeightedRandomSampler([1, 0, 0], 3, { replacement: false })]).toEqual([0, 1, 2]);
    const b = [...new WeightedRandomSampler([5, 0, 1, 0], 3, { replacement: false })];
    expect(sorted(b.slice(0, 2))).toEqual([0, 2]);
    expect(b[2]).toBe(1);
    // the first draw is weight-proportional: P(1) = 3/4 (5 sd of binomial(4000, 3/4) ≈ 137)
    const first = new WeightedRandomSampler([1, 3], 1, { replacement: false });
    let ones = 0;
    for (let k = 0; k < 4000; k++) ones += [...first][0];
    expect(Math.abs(ones - 3000)).toBeLessThan(5 * Math.sqrt(4000 * 0.75 * 0.25));
  });

  it('WeightedRandomSampler errors: PyTorch\'s, the weight checks when a pass starts (multinomial\'s)', () => {
    const pass = (w: number[], n: number, replacement = true) => () => [...new WeightedRandomSampler(w, n, { replacement })];
    expect(pass([1, -1, 2], 3)).toThrow('invalid multinomial distribution (encountering probability entry < 0)');
    expect(pass([1, NaN, 2], 3)).toThrow('invalid multinomial distribution (encountering probability entry < 0)');
    expect(pass([1, Infinity, 2], 3)).toThrow('invalid multinomial distribution (encountering probability entry = infinity or NaN)');
    expect(pass([0, 0], 3)).toThrow('invalid multinomial distribution (sum of probabilities <= 0)');
    expect(pass([], 3)).toThrow('invalid multinomial distribution (sum of probabilities <= 0)');
    expect(pass([1, -1, 2], 2, false)).toThrow('probability tensor contains either `inf`, `nan` or element < 0');
    expect(pass([1, 1, 2], 4, false)).toThrow('cannot sample n_sample > prob_dist.size(-1) samples without replacement');
    expect(() => new WeightedRandomSampler([[1, 2], [3, 4]] as unknown as number[], 3)).toThrow('weights should be a 1d sequence but given weights have shape (2, 2)');
    expect(() => new WeightedRandomSampler([1, 2], 0)).toThrow('num_samples should be a positive integer value, but got num_samples=0');
    expect(() => new WeightedRandomSampler([1, 2], 2, { replacement: 1 as unknown as boolean })).toThrow('replacement should be a boolean value, but got replacement=1');
    expect(() => new WeightedRandomSampler(torch.tensor([1, 2]) as unknown as number[], 2)).toThrow(/await weights.tolist\(\)/);
  });

  it('BatchSampler: PyTorch\'s batches and lengths, and errors', () => {
    const seq = new SequentialSampler(range(10));
    expect([...new BatchSampler(seq, 3, false)]).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    expect([...new BatchSampler(seq, 3, true)]).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8]]);
    expect(new BatchSampler(seq, 3, false).length).toBe(4);
    expect(new BatchSampler(seq, 3, true).length).toBe(3);
    expect([...new BatchSampler([4, 2, 7, 1], 2, false)]).toEqual([[4, 2], [7, 1]]);
    expect(() => new BatchSampler([1, 2], 0, false)).toThrow('batch_size should be a positive integer value, but got batch_size=0');
    expect(() => new BatchSampler([1, 2], 2, 0 as unknown as boolean)).toThrow('drop_last should be a boolean value, but got drop_last=0');
    expect(() => new BatchSampler([1, 2][Symbol.iterator](), 2, false).length).toThrow(new TypeError("object of type 'Array Iterator' has no len()"));
  });
});

describe('DataLoader options, iterable datasets, ConcatDataset', () => {
  it('sampler: the loader reads at its indices, batched; length from the sampler (PyTorch\'s batches)', async () => {
    const dl = new DataLoader([1, 2, 3], { batchSize: 2, sampler: [2, 0, 1] });
    expect(dl.length).toBe(2);
    expect(await Promise.all([...dl].map(text))).toEqual(['tensor([3, 1])', 'tensor([2])']);
    // a TensorDataset through a weighted sampler: gathered on its device, rows where the sampler says
    const ds = new TensorDataset(torch.arange(8).mul(10), torch.arange(8));
    const ws = new WeightedRandomSampler([0, 1, 0, 0, 0, 0, 1, 0], 10);
    torch.manualSeed(2);
    const idx = [...ws];
    torch.manualSeed(2);
    const wl = new DataLoader(ds, { batchSize: 4, sampler: ws });
    expect(wl.length).toBe(3);
    const rows: number[] = [], xs: number[] = [];
    for (const [xb, yb] of wl) { rows.push(...await values(yb)); xs.push(...await values(xb)); }
    expect(rows).toEqual(idx);
    expect(new Set(rows)).toEqual(new Set([1, 6]));
    expect(xs).toEqual(idx.map((i) => i * 10));
    // dropLast with a sampler
    expect([...new DataLoader(ds, { batchSize: 4, sampler: ws, dropLast: true })].length).toBe(2);
    // shuffle is a RandomSampler: the same orders as one
    torch.manualSeed(4);
    const sh = (await Promise.all([...new DataLoader(ds, { batchSize: 3, shuffle: true })].map(([, y]) => values(y)))).flat();
    torch.manualSeed(4);
    expect(sh).toEqual([...new RandomSampler(ds)]);
  });

  it('batchSampler: each of its lists is one batch; batchSize: null yields items unbatched', async () => {
    const dl = new DataLoader([1, 2, 3], { batchSampler: [[2], [0, 1]] });
    expect(dl.length).toBe(2);
    expect(dl.batchSize).toBe(null);
    expect(await Promise.all([...dl].map(text))).toEqual(['tensor([3])', 'tensor([1, 2])']);
    const bs = new DataLoader(new TensorDataset(torch.arange(10)), { batchSampler: new BatchSampler(new SequentialSampler(range(10)), 4, true) });
    expect(bs.length).toBe(2);
    expect(await Promise.all([...bs].map(([b]) => text(b)))).toEqual(['tensor([0, 1, 2, 3])', 'tensor([4, 5, 6, 7])']);
    const single = new DataLoader([1, 2, 3], { batchSize: null });
    expect([...single]).toEqual([1, 2, 3]);
    expect(single.length).toBe(3);
    expect([...new DataLoader([1, 2, 3], { batchSize: null, collate: (x) => (x as unknown as number) * 2 })]).toEqual([2, 4, 6]);
  });

  it('the options\' conflicts are PyTorch\'s errors', () => {
    expect(() => new DataLoader([1, 2, 3], { sampler: [0, 1], shuffle: true })).toThrow('sampler option is mutually exclusive with shuffle');
    const excl = 'batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last';
    expect(() => new DataLoader([1, 2, 3], { batchSampler: [[0, 1]], batchSize: 2 })).toThrow(excl);
    expect(() => new DataLoader([1, 2, 3], { batchSampler: [[0, 1]], dropLast: true })).toThrow(excl);
    expect(() => new DataLoader([1, 2, 3], { batchSampler: [[0, 1]], shuffle: true })).toThrow(excl);
    expect(() => new DataLoader([1, 2, 3], { batchSampler: [[0, 1]], sampler: [0] })).toThrow(excl);
    expect(() => new DataLoader([1, 2, 3], { batchSampler: [[0, 1]], batchSize: 1 })).not.toThrow();
    expect(() => new DataLoader([1, 2, 3], { batchSize: null, dropLast: true })).toThrow('batch_size=None option disables auto-batching and is mutually exclusive with drop_last');
    expect(() => new DataLoader([1, 2, 3], { batchSize: 0 })).toThrow('batch_size should be a positive integer value, but got batch_size=0');
    expect(() => new DataLoader([1, 2, 3], { sampler: [0, 1][Symbol.iterator]() }).length).toThrow(new TypeError("object of type 'Array Iterator' has no len()"));
    // an index out of range from a sampler
    expect(() => [...new DataLoader(new TensorDataset(torch.arange(3)), { sampler: [0, 3] })]).toThrow('index 3 is out of range for a dataset of 3 items');
  });

  it('an iterable-style dataset is batched in the order it yields; no shuffle, sampler or batchSampler', async () => {
    class Five extends IterableDataset<number> { *[Symbol.iterator]() { yield* range(5); } }
    const dl = new DataLoader(new Five(), { batchSize: 2 });
    expect(await Promise.all([...dl].map(text))).toEqual(['tensor([0, 1])', 'tensor([2, 3])', 'tensor([4])']);
    expect(await Promise.all([...dl].map(text))).toEqual(['tensor([0, 1])', 'tensor([2, 3])', 'tensor([4])']); // a new pass
    expect(await Promise.all([...new DataLoader(new Five(), { batchSize: 2, dropLast: true })].map(text))).toEqual(['tensor([0, 1])', 'tensor([2, 3])']);
    expect(() => dl.length).toThrow(new TypeError("object of type 'Five' has no len()"));
    expect(() => new DataLoader(new Five(), { shuffle: true })).toThrow('DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=true');
    expect(() => new DataLoader(new Five(), { sampler: [1] })).toThrow('DataLoader with IterableDataset: expected unspecified sampler option, but got sampler=[1]');
    expect(() => new DataLoader(new Five(), { batchSampler: [[1]] })).toThrow('DataLoader with IterableDataset: expected unspecified batch_sampler option, but got batch_sampler=[[1]]');
    expect(() => new DataLoader(new Five(), { batchSize: -1 })).toThrow('batch_size should be a positive integer value, but got batch_size=-1');
    // any iterable of samples: a Set of [x, y] pairs, with a length for loader.length; a generator
    const pairs = new Set([[torch.tensor([1, 2]), 0], [torch.tensor([3, 4]), 1], [torch.tensor([5, 6]), 0]] as Array<[torch.Tensor, number]>);
    const withLen = Object.assign(pairs, { length: 3 });
    const pl = new DataLoader(withLen, { batchSize: 2 });
    expect(pl.length).toBe(2);
    const got = [...pl];
    expect(await text(got[0][0])).toBe('tensor([[1, 2],\n        [3, 4]])');
    expect(await text(got[1][1])).toBe('tensor([0])');
    function* gen() { for (let i = 0; i < 3; i++) yield { v: i }; }
    const gl = [...new DataLoader(gen(), { batchSize: 2 })];
    expect(await Promise.all(gl.map((b) => text(b.v)))).toEqual(['tensor([0, 1])', 'tensor([2])']);
  });

  it('ConcatDataset: indices run on from one dataset into the next; negative ones from the end', async () => {
    const c = new ConcatDataset<number>([[1, 2, 3], [4, 5]]);
    expect([c.length, c.get(0), c.get(3), c.get(4), c.get(-1), c.get(-5)]).toEqual([5, 1, 4, 5, 5, 1]);
    expect(c.cumulativeSizes).toEqual([3, 5]);
    expect(() => c.get(-6)).toThrow('absolute value of index should not exceed dataset length');
    expect(() => c.get(5)).toThrow('index 5 is out of range for a dataset of 5 items');
    expect(() => new ConcatDataset([])).toThrow('datasets should not be an empty iterable');
    class It extends IterableDataset<number> { *[Symbol.iterator]() { yield 1; } }
    expect(() => new ConcatDataset([new It() as unknown as number[]])).toThrow('ConcatDataset does not support IterableDataset');
    expect(await Promise.all([...new DataLoader(c, { batchSize: 2 })].map(text))).toEqual(['tensor([1, 2])', 'tensor([3, 4])', 'tensor([5])']);
    // TensorDatasets concatenated: items from the right one, collated
    const t = new ConcatDataset([new TensorDataset(torch.arange(3)), new TensorDataset(torch.arange(2).add(100))]);
    expect(await text(t.get(4)[0])).toBe('tensor(101)');
    const [[b]] = [...new DataLoader(t, { batchSize: 5 })];
    expect(await text(b)).toBe('tensor([  0,   1,   2, 100, 101])');
  });
});

describe('torch.nn.utils', () => {
  const a = () => torch.tensor([[1, 2], [3, 4], [5, 6]], { dtype: 'float32' });
  const b = () => torch.tensor([[7, 8]], { dtype: 'float32' });
  const c = () => torch.tensor([[9, 10], [11, 12]], { dtype: 'float32' });

  it('padSequence: PyTorch 1.13\'s values, [maxL, B, *] or batchFirst [B, maxL, *]', async () => {
    expect(await text(padSequence([a(), b(), c()]))).toBe(
      'tensor([[[ 1.,  2.],\n         [ 7.,  8.],\n         [ 9., 10.]],\n\n'
      + '        [[ 3.,  4.],\n         [ 0.,  0.],\n         [11., 12.]],\n\n'
      + '        [[ 5.,  6.],\n         [ 0.,  0.],\n         [ 0.,  0.]]])');
    expect(await text(padSequence([a(), b(), c()], { batchFirst: true, paddingValue: -1.5 }))).toBe(
      'tensor([[[ 1.0000,  2.0000],\n         [ 3.0000,  4.0000],\n         [ 5.0000,  6.0000]],\n\n'
      + '        [[ 7.0000,  8.0000],\n         [-1.5000, -1.5000],\n         [-1.5000, -1.5000]],\n\n'
      + '        [[ 9.0000, 10.0000],\n         [11.0000, 12.0000],\n         [-1.5000, -1.5000]]])');
    // the first sequence's dtype: the others converted
    expect(await text(padSequence([torch.tensor([1, 2, 3]), torch.tensor([4])], { batchFirst: true }))).toBe('tensor([[1, 2, 3],\n        [4, 0, 0]])');
    expect(await text(padSequence([torch.tensor([1, 2, 3]), torch.tensor([4.5])], { batchFirst: true }))).toBe('tensor([[1, 2, 3],\n        [4, 0, 0]])');
    expect(await text(padSequence([torch.tensor([1, 2, 3], { dtype: 'float32' }), torch.tensor([4])], { batchFirst: true, paddingValue: 7 }))).toBe('tensor([[1., 2., 3.],\n        [4., 7., 7.]])');
    // an empty sequence; a sequence broadcast to the trailing shape (PyTorch's copy_)
    expect(await text(padSequence([torch.zeros([0, 2]), torch.ones([1, 2])]))).toBe('tensor([[[0., 0.],\n         [1., 1.]]])');
    expect(await text(padSequence([a(), torch.zeros([2])]))).toBe(
      'tensor([[[1., 2.],\n         [0., 0.]],\n\n        [[3., 4.],\n         [0., 0.]],\n\n        [[5., 6.],\n         [0., 0.]]])');
  });

  it('padSequence: gradients flow back to the sequences (PyTorch\'s), and its errors', async () => {
    const x = torch.tensor([1, 2], { dtype: 'float32', requiresGrad: true }), y = torch.tensor([3], { dtype: 'float32', requiresGrad: true });
    const p = padSequence([x, y]);
    expect(await values(p)).toEqual([1, 3, 2, 0]); // (PyTorch's grad_fn is CopySlices, troupe's StackBackward0)
    await torch.sum(p.mul(torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' }))).backward();
    expect(await values(x.grad!)).toEqual([1, 3]);
    expect(await values(y.grad!)).toEqual([2]);
    expect(() => padSequence([])).toThrow('received an empty list of sequences');
    expect(() => padSequence([torch.tensor(1)])).toThrow('Dimension specified as 0 but tensor has no dimensions');
    expect(() => padSequence([a(), torch.zeros([2, 3])])).toThrow('The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 1');
    expect(torch.nn.utils.rnn.padSequence).toBe(padSequence);
  });

  it('clipGradValue_: every gradient clamped in place to [-v, v]; parameters without one skipped', async () => {
    const w = torch.tensor([1, 2, 3], { dtype: 'float32', requiresGrad: true });
    const u = torch.tensor([1], { dtype: 'float32', requiresGrad: true });
    const none = torch.tensor([5], { dtype: 'float32', requiresGrad: true });
    await torch.sum(w.mul(torch.tensor([-3, 0.25, 2], { dtype: 'float32' }))).add(torch.sum(u.mul(-0.5))).backward();
    const gw = w.grad!;
    expect(clipGradValue_([w, u, none], 1)).toBeUndefined();
    expect(w.grad).toBe(gw); // in place
    expect(await values(w.grad!)).toEqual([-1, 0.25, 1]);
    expect(await values(u.grad!)).toEqual([-0.5]);
    expect(none.grad).toBe(null);
    clipGradValue_(w, 0.1);
    expect(await values(w.grad!)).toEqual([-0.1, 0.1, 0.1].map(Math.fround));
  });

  it('parametersToVector and vectorToParameters: a round trip; the parameters then view vec, as PyTorch\'s', async () => {
    torch.manualSeed(1);
    const net = new torch.nn.Linear(3, 2);
    const params = [...net.parameters()];
    const vec = parametersToVector(params);
    expect(vec.shape).toEqual([8]);
    expect(await values(vec)).toEqual([...await values(net.weight), ...await values(net.bias!)]);
    // gradients flow back through it
    await torch.sum(vec.mul(torch.arange(8, { dtype: 'float32' }))).backward();
    expect(await values(net.weight.grad!)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await values(net.bias!.grad!)).toEqual([6, 7]);

    const w0 = net.weight;
    const v2 = torch.arange(10, { dtype: 'float32' }).add(0.5); // longer than the parameters: the rest unused
    vectorToParameters(v2, params);
    expect(net.weight).toBe(w0); // the same objects
    expect(await text(net.weight)).toBe('Parameter containing:\ntensor([[0.5000, 1.5000, 2.5000],\n        [3.5000, 4.5000, 5.5000]], requires_grad=True)');
    expect(await values(net.bias!)).toEqual([6.5, 7.5]);
    expect(await values(parametersToVector(params))).toEqual(range(8).map((i) => i + 0.5));
    expect(await text(net(torch.ones([1, 3])))).toBe('tensor([[11., 21.]], grad_fn=<AddmmBackward0>)');
    // the parameters view vec's memory
    torch.noGrad(() => v2.mul_(2));
    expect(await values(net.bias!)).toEqual([13, 15]);

    expect(() => vectorToParameters(torch.zeros([5]), params)).toThrow("shape '[2, 3]' is invalid for input of size 5");
    expect(() => vectorToParameters([1, 2] as unknown as torch.Tensor, params)).toThrow(new TypeError('expected torch.Tensor, but got: object'));
  });
});

describe.runIf(available)('GPU tensors', () => {
  it('padSequence on the GPU: the CPU\'s values, on the GPU; a CPU sequence moved to the first one\'s device', async () => {
    const seqs = [torch.tensor([[1, 2], [3, 4], [5, 6]], { dtype: 'float32' }), torch.tensor([[7, 8]], { dtype: 'float32' })];
    const cpu = padSequence(seqs, { batchFirst: true, paddingValue: -1 });
    const gpu = padSequence([seqs[0].to('gpu'), seqs[1]], { batchFirst: true, paddingValue: -1 });
    expect(gpu.device).toBe('gpu');
    expect(await text(gpu.cpu())).toBe(await text(cpu));
    const g = padSequence(seqs.map((s) => s.to('gpu')));
    expect(await values(g)).toEqual(await values(padSequence(seqs)));
  });

  it('parametersToVector / vectorToParameters with GPU parameters; clipGradValue_ on GPU gradients', async () => {
    torch.manualSeed(2);
    const net = new torch.nn.Linear(2, 2).to('gpu');
    const params = [...net.parameters()];
    const vec = parametersToVector(params);
    expect(vec.device).toBe('gpu');
    const before = await values(vec);
    vectorToParameters(vec.mul(-1), params);
    expect(net.weight.device).toBe('gpu');
    expect(await values(parametersToVector(params))).toEqual(before.map((v) => -v));
    // a CPU vector: the parameters take its device, as PyTorch's param.data = …
    vectorToParameters(torch.arange(6, { dtype: 'float32' }), params);
    expect(net.bias!.device).toBe('cpu');
    expect(await values(net.bias!)).toEqual([4, 5]);
    expect(() => parametersToVector([torch.zeros([2]), torch.zeros([2]).to('gpu')])).toThrow(new TypeError('Found two parameters on different devices, this is currently not supported.'));
    const w = torch.tensor([-3, 0.5, 4], { dtype: 'float32' }).to('gpu').requiresGrad_(true);
    await torch.sum(w.mul(w)).backward();
    clipGradValue_([w], 2);
    expect(await values(w.grad!)).toEqual([-2, 1, 2]);
  });

  it('a TensorDataset on the GPU through a sampler', async () => {
    const ds = new TensorDataset(torch.arange(6).to('gpu'));
    const dl = new DataLoader(ds, { batchSize: 4, sampler: [5, 0, 3, 3, 1] });
    const got = [...dl];
    expect(got[0][0].device).toBe('gpu');
    expect((await Promise.all(got.map(([b]) => values(b)))).flat()).toEqual([5, 0, 3, 3, 1]);
  });
});
