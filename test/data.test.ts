// torch.utils.data: TensorDataset, Subset, randomSplit, DataLoader (batches, shuffling from the seeded
// generator, dropLast, default collation of other datasets, GPU tensors), and a training loop over it.
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, values } from './helpers.ts';

const { TensorDataset, DataLoader, Subset, randomSplit, defaultCollate } = torch.utils.data;
const text = (t: torch.Tensor) => torch.format(t);
const available = await gpuForTests('data');

describe('TensorDataset and DataLoader', () => {
  const x = () => torch.arange(10, { dtype: 'float32' }).reshape(5, 2), y = () => torch.arange(5);

  it('batches in order, the last one short unless dropLast; length counts batches', async () => {
    const ds = new TensorDataset(x(), y());
    expect(ds.length).toBe(5);
    expect(await Promise.all(ds.get(3).map(text))).toEqual(['tensor([6., 7.])', 'tensor(3)']);
    const dl = new DataLoader(ds, { batchSize: 2 });
    expect(dl.length).toBe(3);
    const got: string[][] = [];
    for (const [xb, yb] of dl) got.push([await text(xb), await text(yb)]);
    expect(got).toEqual([
      ['tensor([[0., 1.],\n        [2., 3.]])', 'tensor([0, 1])'],
      ['tensor([[4., 5.],\n        [6., 7.]])', 'tensor([2, 3])'],
      ['tensor([[8., 9.]])', 'tensor([4])'],
    ]);
    const dropped = new DataLoader(ds, { batchSize: 2, dropLast: true });
    expect(dropped.length).toBe(2);
    expect([...dropped].length).toBe(2);
    // a batch is a copy: changing it leaves the dataset as it was
    const [[xb]] = [...new DataLoader(ds, { batchSize: 5 })];
    xb.zero_();
    expect(await values(ds.tensors[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('shuffle: every item once per pass, a new order each pass, the same orders after manualSeed', async () => {
    const ds = new TensorDataset(torch.arange(100));
    const dl = new DataLoader(ds, { batchSize: 16, shuffle: true });
    const pass = async () => (await Promise.all([...dl].map(([b]) => values(b)))).flat();
    torch.manualSeed(11);
    const p1 = await pass(), p2 = await pass();
    expect([...p1].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...p2].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(p1).not.toEqual(p2);
    torch.manualSeed(11);
    expect(await pass()).toEqual(p1);
    // the order is randperm's (a Fisher-Yates shuffle of the stream rand([n], float64) would draw)
    torch.manualSeed(11);
    expect(await values(torch.randperm(100))).toEqual(p1);
    torch.manualSeed(11);
    const u = await values(torch.rand([100], { dtype: 'float64' }));
    const fy = Array.from({ length: 100 }, (_, i) => i);
    for (let i = 99; i > 0; i--) { const j = Math.floor(u[i] * (i + 1)); [fy[i], fy[j]] = [fy[j], fy[i]]; }
    expect(p1).toEqual(fy);
  });

  it('other datasets: items collated as default_collate; Subset and randomSplit', async () => {
    const gen = { length: 3, get: (i: number) => ({ v: torch.full([2], i), label: i % 2 === 0, pair: [i, torch.tensor(i * 10)] as const }) };
    const batches = [...new DataLoader(gen, { batchSize: 2 })];
    expect(batches.length).toBe(2);
    expect(await text(batches[0].v)).toBe('tensor([[0, 0],\n        [1, 1]])');
    expect(await text(batches[0].label)).toBe('tensor([ True, False])');
    expect(await Promise.all(batches[1].pair.map(text))).toEqual(['tensor([2])', 'tensor([20])']);
    const custom = [...new DataLoader(gen, { batchSize: 3, collate: (items) => items.map((it) => it.label) })];
    expect(custom).toEqual([[true, false, true]]);
    expect(() => defaultCollate([null])).toThrow(/default_collate: batch must contain tensors/);

    const ds = new TensorDataset(torch.arange(10));
    const sub = new Subset(ds, [7, 2]);
    expect(await Promise.all([...new DataLoader(sub, { batchSize: 2 })].map(([b]) => values(b)))).toEqual([[7, 2]]);
    torch.manualSeed(3);
    const parts = randomSplit(ds, [0.33, 0.33, 0.34]);
    expect(parts.map((p) => p.length)).toEqual([4, 3, 3]); // PyTorch's sizes for these fractions
    expect(parts.flatMap((p) => [...p.indices]).sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(randomSplit(ds, [6, 4]).map((p) => p.length)).toEqual([6, 4]);
  });

  it("PyTorch's errors", () => {
    expect(() => new TensorDataset(torch.ones([3]), torch.ones([4]))).toThrow(/^Size mismatch between tensors/);
    expect(() => new DataLoader(new TensorDataset(torch.ones([3])), { batchSize: 0 })).toThrow('batch_size should be a positive integer value, but got batch_size=0');
    expect(() => randomSplit(new TensorDataset(torch.ones([7])), [3, 3])).toThrow(/^Sum of input lengths does not equal the length of the input dataset!/);
    expect(() => new TensorDataset(torch.ones([3])).get(3)).toThrow('index 3 is out of range for a dataset of 3 items');
  });

  it('a training loop over shuffled batches fits a line', async () => {
    torch.manualSeed(0);
    const xs = torch.rand([256, 1]), ys = xs.mul(3).add(1);
    const model = new torch.nn.Linear(1, 1);
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.5 });
    const loader = new DataLoader(new TensorDataset(xs, ys), { batchSize: 32, shuffle: true });
    for (let epoch = 0; epoch < 40; epoch++) {
      for (const [xb, yb] of loader) {
        opt.zeroGrad();
        const loss = torch.nn.functional.mseLoss(model(xb), yb);
        await loss.backward();
        opt.step();
      }
    }
    expect((await values(model.weight))[0]).toBeCloseTo(3, 2);
    expect((await values(model.bias!))[0]).toBeCloseTo(1, 2);
  });
});

describe.runIf(available)('on the GPU', () => {
  it("a TensorDataset of GPU tensors gives GPU batches, the CPU's batches in value", async () => {
    torch.manualSeed(4);
    const x = torch.rand([50, 3]), y = torch.randint(0, 5, [50]);
    const cpu = new DataLoader(new TensorDataset(x, y), { batchSize: 8, shuffle: true });
    const gpu = new DataLoader(new TensorDataset(x.to('gpu'), y.to('gpu')), { batchSize: 8, shuffle: true });
    torch.manualSeed(9);
    const a = [...cpu];
    torch.manualSeed(9);
    const b = [...gpu];
    expect(b.length).toBe(7);
    for (let i = 0; i < a.length; i++) {
      expect(b[i][0].device).toBe('gpu');
      expect(await values(b[i][0].to('cpu'))).toEqual(await values(a[i][0]));
      expect(await values(b[i][1].to('cpu'))).toEqual(await values(a[i][1]));
    }
  });
});
