// Per-op GPU time at N = 10M: 50 repetitions, one scalar read at the end (run on a GPU machine).
import * as torch from '../src/index.ts';
await torch.gpu.init();
const N = 10_000_000, dev = { device: 'gpu' };
const x = torch.randn([N], dev), w = torch.rand([N], dev), one = torch.ones([1], dev);
await torch.sum(x).item();
const cases: Array<[string, () => torch.Tensor]> = [
  ['randn', () => torch.randn([N], dev)], ['ones', () => torch.ones([N], dev)], ['mul scalar', () => x.mul(3)],
  ['add', () => x.add(w)], ['mul [1]', () => x.mul(one)], ['dot', () => torch.dot(w, x)], ['sum', () => torch.sum(x)],
  ['sub_ in place', () => w.sub_(x.mul(0))], ['small add', () => one.add(1)],
];
for (const [name, f] of cases) {
  for (let i = 0; i < 5; i++) f();
  await torch.sum(one).item();
  const t = performance.now();
  let last!: torch.Tensor;
  for (let i = 0; i < 50; i++) last = f();
  await torch.sum(last.index(0)).item();
  console.log(`${name.padEnd(14)} ${((performance.now() - t) / 50 * 1000).toFixed(1)} us/op`);
}
await torch.shutdown();
