// torch.setDefaultDtype / getDefaultDtype against PyTorch 1.13 (test/fixtures/default-dtype.json, from
// scripts/torch-default-dtype.py): the dtypes factories and promotions give under float64, how tensors
// print, a float64 training step, and the GPU's refusal.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';

const R = JSON.parse(readFileSync(new URL('./fixtures/default-dtype.json', import.meta.url), 'utf8')) as Record<string, any>;

describe('the default dtype', () => {
  afterEach(() => torch.setDefaultDtype('float32'));

  it("under float64: PyTorch's dtypes from factories, promotions, layers and distributions", () => {
    expect(torch.getDefaultDtype()).toBe('float32');
    torch.setDefaultDtype('float64');
    expect(torch.getDefaultDtype()).toBe('float64');
    const x = torch.tensor([1, 2]);
    const cases: Record<string, () => torch.Tensor> = {
      zeros: () => torch.zeros(2), ones: () => torch.ones(2), empty: () => torch.empty(2), rand: () => torch.rand(2), randn: () => torch.randn(2),
      full: () => torch.full([2], 1.5), full_int: () => torch.full([2], 3), arange_float: () => torch.arange(0, 3, 0.5), arange_int: () => torch.arange(3),
      linspace: () => torch.linspace(0, 1, 3), logspace: () => torch.logspace(0, 1, 2), eye: () => torch.eye(2), tensor: () => torch.tensor([1.5]),
      tensor0d: () => torch.tensor(2.5), div: () => x.div(2), add_float: () => x.add(1.5), sqrt: () => x.sqrt(), float: () => x.float(), sigmoid: () => x.sigmoid(),
      atan2: () => torch.atan2(x, x), erf: () => torch.erf(x), expit: () => torch.special.expit(x), true_divide: () => torch.trueDivide(x, 3),
      randint: () => torch.randint(0, 3, [2]), normal: () => torch.normal(0, 1, [2]), Normal: () => new torch.distributions.Normal(0, 1).sample(),
      linear: () => new torch.nn.Linear(2, 3).weight, f32_plus_0d: () => torch.ones(2, { dtype: 'float32' }).add(torch.tensor(1.5)),
      rand_like: () => torch.randLike(torch.zeros(2)), bool: () => torch.tensor([true]), int32: () => torch.tensor([1], { dtype: 'int32' }),
    };
    expect(Object.keys(cases)).toEqual(Object.keys(R.dtypes));
    for (const [k, f] of Object.entries(cases)) expect(f().dtype, k).toBe(R.dtypes[k]);
  });

  it("prints as PyTorch: the default float unnamed, float32 named; refuses non-float defaults", async () => {
    torch.setDefaultDtype('float64');
    const got = [torch.tensor([1.5, 2]), torch.tensor([1.5], { dtype: 'float32' }), torch.zeros(0), torch.zeros(0, { dtype: 'float32' }),
      torch.tensor([1, 2], { dtype: 'int32' }), torch.tensor([[0.25]]), torch.zeros([]).add(3)]; // (JS's 3.0 is the integer 3)
    expect(await Promise.all(got.map((t) => torch.format(t)))).toEqual(R.print);
    expect(() => torch.setDefaultDtype('int32')).toThrow(R.errors[0]);
    expect(() => torch.setDefaultDtype('half')).toThrow(/unknown dtype "half"/);
    expect(torch.getDefaultDtype()).toBe('float64');
    torch.setDefaultDtype('float32');
    expect([await torch.format(torch.tensor([1.5], { dtype: 'float64' })), torch.zeros(1).dtype]).toEqual(R.back);
  });

  it('a float64 model trains in float64, its gradients as finite differences give them', async () => {
    torch.setDefaultDtype('float64');
    torch.manualSeed(3);
    const lin = new torch.nn.Linear(3, 1);
    const X = torch.randn([16, 3]), y = X.matmul(torch.tensor([[1], [-2], [0.5]])).add(0.25);
    const lossOf = () => lin.forward(X).sub(y).pow(2).mean();
    const loss = lossOf();
    await loss.backward();
    const w = lin.weight, g = await w.grad!.tolist() as number[][];
    expect(w.grad!.dtype).toBe('float64');
    // central differences in float64 agree to ~1e-9 (float32 would give ~1e-3)
    const wv = await w.detach().tolist() as number[][];
    for (let j = 0; j < 3; j++) {
      const at = (d: number) => torch.noGrad(() => { w.detach().copy_(torch.tensor([wv[0].map((v, k) => (k === j ? v + d : v))])); return lossOf(); });
      const fd = (((await at(1e-6).item()) as number) - ((await at(-1e-6).item()) as number)) / 2e-6;
      expect(Math.abs(fd - g[0][j])).toBeLessThan(1e-8);
    }
    w.detach().copy_(torch.tensor(wv));
    const opt = new torch.optim.SGD(lin.parameters(), { lr: 0.1 });
    let last = Infinity;
    for (let i = 0; i < 100; i++) { opt.zeroGrad(); const l = lossOf(); await l.backward(); opt.step(); last = (await l.item()) as number; }
    expect(last).toBeLessThan(1e-6);
    expect(lin.bias!.dtype).toBe('float64');
  });

  it('a GPU tensor under the float64 default is refused with what to do', () => {
    torch.setDefaultDtype('float64');
    expect(() => torch.zeros(2, { device: 'gpu' })).toThrow("float64 is not supported on gpu: WGSL has no f64, and torch.setDefaultDtype('float64') is in effect");
    expect(() => torch.tensor([1.5], { device: 'gpu' })).toThrow(/setDefaultDtype\('float32'\)/);
  });
});
