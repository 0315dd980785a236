// torch.nn, torch.nn.functional and torch.optim: PyTorch 1.13's printed forms, values, grad_fn names and
// error messages (the expected texts and numbers below are python3-torch's output for the same programs),
// gradients against finite differences, the optimizers' trajectories against PyTorch's, and the same
// training on the GPU.
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradcheck, values } from './helpers.ts';

const { nn, optim } = torch;
const F = nn.functional;
const text = (t: torch.Tensor) => torch.format(t);
const f32 = (data: number[] | number[][], device = 'cpu') => torch.tensor(data, { dtype: 'float32', device });

const available = await gpuForTests('nn');

describe('Module, Parameter, Linear, Sequential', () => {
  it('print as PyTorch prints them', async () => {
    expect(String(new nn.Linear(2, 3))).toBe('Linear(in_features=2, out_features=3, bias=True)');
    expect(String(new nn.Linear(2, 3, { bias: false }))).toBe('Linear(in_features=2, out_features=3, bias=False)');
    const s = new nn.Sequential(new nn.Linear(2, 2), new nn.Sequential(new nn.Linear(2, 1), new nn.Sigmoid()));
    expect(String(s)).toBe('Sequential(\n  (0): Linear(in_features=2, out_features=2, bias=True)\n  (1): Sequential(\n    (0): Linear(in_features=2, out_features=1, bias=True)\n    (1): Sigmoid()\n  )\n)');
    expect(s.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '1.0.weight', '1.0.bias']);
    expect(s.parameters().reduce((n, p) => n + p.numel(), 0)).toBe(9);
    expect(String(s[1])).toContain('Sequential(');
    expect(s.length).toBe(2);
    expect([new nn.ReLU(), new nn.Softmax(1), new nn.LogSoftmax(-1), new nn.Tanh(), new nn.Flatten(), new nn.Identity(), new nn.Dropout(0.25), new nn.LeakyReLU(0.1),
      new nn.MSELoss(), new nn.CrossEntropyLoss(), new nn.L1Loss({ reduction: 'sum' }), new nn.BCELoss(), new nn.BCEWithLogitsLoss(), new nn.NLLLoss(), new nn.ELU(), new nn.SiLU()].map(String).join(' '))
      .toBe('ReLU() Softmax(dim=1) LogSoftmax(dim=-1) Tanh() Flatten(start_dim=1, end_dim=-1) Identity() Dropout(p=0.25, inplace=False) LeakyReLU(negative_slope=0.1) MSELoss() CrossEntropyLoss() L1Loss() BCELoss() BCEWithLogitsLoss() NLLLoss() ELU(alpha=1.0) SiLU()');
    expect(String(new nn.ModuleList([new nn.Linear(1, 1), new nn.ReLU()]))).toBe('ModuleList(\n  (0): Linear(in_features=1, out_features=1, bias=True)\n  (1): ReLU()\n)');
    const l = new nn.Linear(2, 3);
    torch.noGrad(() => { l.weight.copy_(f32([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]])); l.bias!.copy_(f32([0.01, 0.02, 0.03])); });
    expect(await text(l.weight)).toBe('Parameter containing:\ntensor([[ 0.1000, -0.2000],\n        [ 0.3000,  0.4000],\n        [-0.5000,  0.6000]], requires_grad=True)');
    expect(await text(l.bias!)).toBe('Parameter containing:\ntensor([0.0100, 0.0200, 0.0300], requires_grad=True)');
  });

  it('a subclass: its properties are its parameters and submodules, in order; it is called like a function', async () => {
    class Net extends nn.Module {
      fc1 = new nn.Linear(3, 5);
      act = new nn.Tanh();
      fc2 = new nn.Linear(5, 2);
      scale = new nn.Parameter(torch.ones([2]));
      name = 'a property named name'; // (the module is a function; its own name is gone)
      override forward(x: torch.Tensor) { return this.fc2(this.act(this.fc1(x))).mul(this.scale); }
    }
    const net = new Net();
    expect(String(net)).toBe('Net(\n  (fc1): Linear(in_features=3, out_features=5, bias=True)\n  (act): Tanh()\n  (fc2): Linear(in_features=5, out_features=2, bias=True)\n)');
    expect(Object.keys(net.stateDict())).toEqual(['scale', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
    expect(net instanceof nn.Module && net.name === 'a property named name').toBe(true);
    const y = net(torch.ones([4, 3]));
    expect(y.shape).toEqual([4, 2]);
    await y.sum().backward();
    expect(net.parameters().every((p) => p.grad !== null && p.grad.shape.join() === p.shape.join())).toBe(true);
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
    expect(() => new (class extends nn.Module {})()(torch.ones(1))).toThrow('is missing the required "forward" function');
    expect(net.training).toBe(true);
    net.eval();
    expect(net.modules().every((m) => !m.training)).toBe(true);
  });

  it('linear: PyTorch\'s values, grad_fns (AddmmBackward0 for a batch) and errors', async () => {
    const x = f32([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]).requiresGrad_();
    const w = f32([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]).requiresGrad_();
    const b = f32([0.01, -0.02]).requiresGrad_();
    const y = F.linear(x, w, b);
    expect(await text(y)).toBe('tensor([[ 0.8600, -1.5200],\n        [-0.1150,  1.1550]], grad_fn=<AddmmBackward0>)');
    await y.mul(f32([[1, 2], [3, 4]])).sum().backward();
    expect(await text(x.grad!)).toBe('tensor([[ 0.9000,  0.8000, -0.9000],\n        [ 1.9000,  1.4000, -1.5000]])');
    expect(await text(w.grad!)).toBe('tensor([[ 5.0000, -0.2500, -0.2500],\n        [ 7.0000, -1.0000,  1.0000]])');
    expect(await text(b.grad!)).toBe('tensor([4., 6.])');
    expect(await text(torch.addmm(b, x, w.t(), { beta: 0.5, alpha: 2 }))).toBe('tensor([[ 1.7050, -3.0100],\n        [-0.2450,  2.3400]], grad_fn=<AddmmBackward0>)');
    const l = new nn.Linear(2, 3);
    torch.noGrad(() => { l.weight.copy_(f32([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]])); l.bias!.copy_(f32([0.01, 0.02, 0.03])); });
    expect(await text(l(f32([1, 2])))).toBe('tensor([-0.2900,  1.1200,  0.7300], grad_fn=<AddBackward0>)');
    expect(await text(l(torch.ones([2, 2, 2])))).toBe('tensor([[[-0.0900,  0.7200,  0.1300],\n         [-0.0900,  0.7200,  0.1300]],\n\n        [[-0.0900,  0.7200,  0.1300],\n         [-0.0900,  0.7200,  0.1300]]], grad_fn=<ViewBackward0>)');
    expect(await text(F.linear(f32([[1, 2], [3, 4]]), l.weight))).toBe('tensor([[-0.3000,  1.1000,  0.7000],\n        [-0.5000,  2.5000,  0.9000]], grad_fn=<MmBackward0>)');
    expect(() => l(torch.ones([2, 3]))).toThrow('mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)');
    expect(() => l(torch.ones([3]))).toThrow('mat1 and mat2 shapes cannot be multiplied (1x3 and 2x3)');
    expect(() => new nn.Linear(2.5, 1)).toThrow('in_features must be a non-negative integer, got 2.5');
  });

  it('default init: uniform in ±1/√in, repeatable with manualSeed', async () => {
    torch.manualSeed(5);
    const a = new nn.Linear(100, 30);
    torch.manualSeed(5);
    const b = new nn.Linear(100, 30);
    const wa = await values(a.weight), wb = await values(b.weight);
    expect(wa).toEqual(wb);
    expect(Math.max(...wa.map(Math.abs))).toBeLessThanOrEqual(0.1);
    expect(Math.max(...wa.map(Math.abs))).toBeGreaterThan(0.09);
    expect(Math.abs(wa.reduce((s, v) => s + v, 0) / wa.length)).toBeLessThan(0.01);
  });

  it('stateDict and loadStateDict: PyTorch\'s errors, values copied (across dtypes), gradients untouched', async () => {
    const m = new nn.Linear(2, 2);
    expect(() => m.loadStateDict({ weight: torch.ones([3, 2]), bias: torch.ones([2]), extra: torch.ones([1]) })).toThrow(
      'Error(s) in loading state_dict for Linear:\n\tUnexpected key(s) in state_dict: "extra". \n\tsize mismatch for weight: copying a param with shape torch.Size([3, 2]) from checkpoint, the shape in current model is torch.Size([2, 2]).');
    expect(() => m.loadStateDict({ weight: torch.ones([2, 2]) })).toThrow('Error(s) in loading state_dict for Linear:\n\tMissing key(s) in state_dict: "bias". ');
    expect(m.loadStateDict({ weight: torch.ones([2, 2]) }, false)).toEqual({ missingKeys: ['bias'], unexpectedKeys: [] });
    expect(m.loadStateDict({ weight: torch.ones([2, 2], { dtype: 'float64' }).mul(2), bias: torch.tensor([3, 4]) })).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(await values(m.weight)).toEqual([2, 2, 2, 2]);
    expect(await values(m.bias!)).toEqual([3, 4]);
    expect(m.weight.dtype).toBe('float32');
    expect(m.weight.grad).toBe(null);
    // to() keeps the Parameter objects (PyTorch's param.data = …): a float64 model, the same parameters.
    const w0 = m.weight;
    m.double();
    expect(m.weight === w0 && m.weight.dtype === 'float64' && m.weight.requiresGrad).toBe(true);
    expect(await values(m.weight)).toEqual([2, 2, 2, 2]);
    m.float();
    const sd = m.stateDict();
    expect(sd.weight.requiresGrad).toBe(false);
    expect(sd.weight.storage).toBe(m.weight.storage); // shares the parameter's memory, as PyTorch's
  });

  it('dropout: the identity in eval() and for p = 0; in training a mask of about 1 − p kept, scaled by 1/(1 − p), repeatable', async () => {
    const x = torch.ones([4000]);
    const d = new nn.Dropout(0.25);
    torch.manualSeed(9);
    const y1 = await values(d(x));
    torch.manualSeed(9);
    expect(await values(d(x))).toEqual(y1);
    const kept = y1.filter((v) => v !== 0);
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / 0.75)]));
    expect(Math.abs(kept.length / 4000 - 0.75)).toBeLessThan(0.03);
    d.eval();
    expect(d(x)).toBe(x);
    expect(F.dropout(x, 0)).toBe(x);
    expect(await values(F.dropout(x.index('0:3'), 1))).toEqual([0, 0, 0]);
    expect(() => new nn.Dropout(1.5)).toThrow('dropout probability has to be between 0 and 1, but got 1.5');
  });
});

describe('losses and activations: PyTorch\'s values, grad_fns and gradients', () => {
  const x = () => f32([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]).requiresGrad_();
  const y = f32([[0.0, 1.0, 2.5], [1.0, -0.5, 0.0]]);
  const t = torch.tensor([2, 0]);
  /** The loss's text and the text of d(sum of it)/dx. */
  async function both(f: (x: torch.Tensor) => torch.Tensor): Promise<[string, string]> {
    const xi = x();
    const v = f(xi);
    await (v.ndim ? v.sum() : v).backward();
    return [await text(v), await text(xi.grad!)];
  }

  it('mse, l1, cross entropy and nll, each reduction', async () => {
    expect(await both((x) => F.mseLoss(x, y))).toEqual(['tensor(0.9792, grad_fn=<MseLossBackward0>)', 'tensor([[ 0.1667, -0.6667, -0.1667],\n        [ 0.1667,  0.2500, -0.2500]])']);
    expect(await both((x) => F.mseLoss(x, y, { reduction: 'sum' }))).toEqual(['tensor(5.8750, grad_fn=<MseLossBackward0>)', 'tensor([[ 1.0000, -4.0000, -1.0000],\n        [ 1.0000,  1.5000, -1.5000]])']);
    expect((await both((x) => F.mseLoss(x, y, { reduction: 'none' })))[0]).toBe('tensor([[0.2500, 4.0000, 0.2500],\n        [0.2500, 0.5625, 0.5625]], grad_fn=<MseLossBackward0>)');
    expect(await both((x) => F.l1Loss(x, y))).toEqual(['tensor(0.8333, grad_fn=<MeanBackward0>)', 'tensor([[ 0.1667, -0.1667, -0.1667],\n        [ 0.1667,  0.1667, -0.1667]])']);
    expect(await both((x) => F.crossEntropy(x, t))).toEqual(['tensor(0.2860, grad_fn=<NllLossBackward0>)', 'tensor([[ 0.0876,  0.0196, -0.1072],\n        [-0.1408,  0.1029,  0.0379]])']);
    expect(await both((x) => F.crossEntropy(x, t, { reduction: 'sum' }))).toEqual(['tensor(0.5720, grad_fn=<NllLossBackward0>)', 'tensor([[ 0.1753,  0.0391, -0.2144],\n        [-0.2816,  0.2058,  0.0757]])']);
    expect((await both((x) => F.crossEntropy(x, t, { reduction: 'none' })))[0]).toBe('tensor([0.2413, 0.3307], grad_fn=<NllLossBackward0>)');
    expect(await both((x) => F.nllLoss(x, t))).toEqual(['tensor(-1.7500, grad_fn=<NllLossBackward0>)', 'tensor([[ 0.0000,  0.0000, -0.5000],\n        [-0.5000,  0.0000,  0.0000]])']);
    expect((await both((x) => F.nllLoss(x, t, { reduction: 'none' })))[0]).toBe('tensor([-2.0000, -1.5000], grad_fn=<NllLossBackward0>)');
    // Through the modules too; their weights are buffers, as PyTorch's (in the state dict, moved by to()).
    expect(await text(new nn.CrossEntropyLoss()(x(), t))).toBe('tensor(0.2860, grad_fn=<NllLossBackward0>)');
    const wce = new nn.CrossEntropyLoss({ weight: f32([1, 2, 0.5]) });
    expect(await text(wce(x(), t))).toBe('tensor(0.3009, grad_fn=<NllLossBackward0>)');
    expect([Object.keys(wce.stateDict()), Object.keys(new nn.BCEWithLogitsLoss({ posWeight: f32([1, 2, 3]) }).stateDict()), Object.keys(new nn.CrossEntropyLoss().stateDict())]).toEqual([['weight'], ['pos_weight'], []]);
    expect(String(wce)).toBe('CrossEntropyLoss()');
    expect(await text(new nn.MSELoss({ reduction: 'sum' })(x(), y))).toBe('tensor(5.8750, grad_fn=<MseLossBackward0>)');
  });

  it('cross entropy with probabilities, label smoothing, class weights, ignored samples, one unbatched sample', async () => {
    expect(await both((x) => F.crossEntropy(x, y.softmax(1)))).toEqual(['tensor(0.9374, grad_fn=<DivBackward1>)', 'tensor([[ 0.0562, -0.0659,  0.0097],\n        [ 0.0450,  0.0328, -0.0778]])']);
    expect(await both((x) => F.crossEntropy(x, t, { labelSmoothing: 0.1 }))).toEqual(['tensor(0.4193, grad_fn=<AddBackward0>)', 'tensor([[ 0.0710,  0.0029, -0.0739],\n        [-0.1074,  0.0863,  0.0212]])']);
    expect(await both((x) => F.crossEntropy(x, t, { weight: f32([1, 2, 0.5]) }))).toEqual(['tensor(0.3009, grad_fn=<NllLossBackward0>)', 'tensor([[ 0.0584,  0.0130, -0.0715],\n        [-0.1877,  0.1372,  0.0505]])']);
    expect(await both((x) => F.crossEntropy(x, torch.tensor([2, -100])))).toEqual(['tensor(0.2413, grad_fn=<NllLossBackward0>)', 'tensor([[ 0.1753,  0.0391, -0.2144],\n        [ 0.0000,  0.0000,  0.0000]])']);
    expect(await both((x) => F.crossEntropy(x.index(0), torch.tensor(1)))).toEqual(['tensor(3.2413, grad_fn=<NllLossBackward0>)', 'tensor([[ 0.1753, -0.9609,  0.7856],\n        [ 0.0000,  0.0000,  0.0000]])']);
  });

  it('cross entropy over [N, C, d1] inputs (per position classes, as for segmentation): PyTorch\'s values and gradients', async () => {
    const mod = (t: torch.Tensor, m: number) => t.sub(t.div(m).floor().mul(m));
    const xk = () => mod(torch.arange(24).reshape(2, 3, 4).float(), 7).sub(3).div(4).requiresGrad_();
    const tk = torch.tensor([[0, 2, 1, 1], [2, 2, 0, -100]]);
    let a = xk(), l = F.crossEntropy(a, tk);
    expect(await text(l)).toBe('tensor(1.3922, grad_fn=<NllLoss2DBackward0>)');
    await l.backward();
    expect(await text(a.grad!.index(1))).toBe('tensor([[ 0.0518,  0.0843, -0.1143,  0.0000],\n        [ 0.0245,  0.0398,  0.0776,  0.0000],\n        [-0.0763, -0.1241,  0.0367,  0.0000]])');
    a = xk(); l = F.crossEntropy(a, tk, { reduction: 'none', labelSmoothing: 0.2, weight: f32([1, 2, 0.5]) });
    expect(await text(l)).toBe('tensor([[1.5219, 0.7779, 1.2098, 3.1505],\n        [0.6338, 1.0844, 1.5219, 0.0000]], grad_fn=<AddBackward0>)');
    await l.sum().backward();
    expect(await text(a.grad!.index(0))).toBe('tensor([[-0.6601,  0.0599,  0.2998,  0.5985],\n        [ 0.4282,  0.2108, -0.7371, -1.4192],\n        [ 0.2319, -0.2708,  0.4373,  0.8207]])');
    a = xk(); l = F.crossEntropy(a, torch.softmax(a.detach().mul(2), 1));
    expect(await text(l)).toBe('tensor(0.8424, grad_fn=<DivBackward1>)');
    expect(await text(F.nllLoss(xk(), tk, { reduction: 'sum' }))).toBe('tensor(1.7500, grad_fn=<NllLoss2DBackward0>)');
    expect(() => F.crossEntropy(xk(), torch.tensor([[0, 1, 1], [1, 1, 1]]))).toThrow('Expected target size [2, 4], got [2, 3]');
    await gradcheck((p) => F.crossEntropy(p, torch.tensor([[[0, 2], [1, 1]], [[2, -100], [0, 0]]]), { weight: torch.tensor([1, 2, 0.5], { dtype: 'float64' }), labelSmoothing: 0.1 }), [[2, 3, 2, 2]]);
  });

  it('binary cross entropy, of probabilities and of logits (posWeight), and the log clamp at -100', async () => {
    const yb = f32([[0, 1, 1], [1, 0, 0]]);
    expect(await both((x) => F.binaryCrossEntropyWithLogits(x, yb))).toEqual(['tensor(0.6381, grad_fn=<BinaryCrossEntropyWithLogitsBackward0>)', 'tensor([[ 0.1037, -0.1218, -0.0199],\n        [-0.0304,  0.0937,  0.0535]])']);
    expect(await both((x) => F.binaryCrossEntropyWithLogits(x, yb, { posWeight: f32([1, 2, 3]) }))).toEqual(['tensor(0.8993, grad_fn=<BinaryCrossEntropyWithLogitsBackward0>)', 'tensor([[ 0.1037, -0.2437, -0.0596],\n        [-0.0304,  0.0937,  0.0535]])']);
    expect(await both((x) => F.binaryCrossEntropy(x.sigmoid(), yb))).toEqual(['tensor(0.6381, grad_fn=<BinaryCrossEntropyBackward0>)', 'tensor([[ 0.1037, -0.1218, -0.0199],\n        [-0.0304,  0.0937,  0.0535]])']);
    expect(await both((x) => F.binaryCrossEntropy(x.sigmoid(), yb, { reduction: 'none' }))).toEqual(['tensor([[0.9741, 1.3133, 0.1269],\n        [0.2014, 0.8259, 0.3869]], grad_fn=<BinaryCrossEntropyBackward0>)',
      'tensor([[ 0.6225, -0.7311, -0.1192],\n        [-0.1824,  0.5622,  0.3208]])']);
    expect(await text(F.binaryCrossEntropy(f32([0, 1]), f32([1, 0])))).toBe('tensor(100.)');
    // Large logits stay finite (the stable form): PyTorch gives 0 and 1000.
    expect(await values(F.binaryCrossEntropyWithLogits(f32([1000, -1000]), f32([1, 1]), { reduction: 'none' }))).toEqual([0, 1000]);
  });

  it('leakyRelu, elu, silu, softplus, gelu (erf and tanh forms)', async () => {
    expect(await both((x) => F.leakyRelu(x, 0.1))).toEqual(['tensor([[ 0.5000, -0.1000,  2.0000],\n        [ 1.5000,  0.2500, -0.0750]], grad_fn=<LeakyReluBackward0>)', 'tensor([[1.0000, 0.1000, 1.0000],\n        [1.0000, 1.0000, 0.1000]])']);
    expect(await both((x) => F.elu(x))).toEqual(['tensor([[ 0.5000, -0.6321,  2.0000],\n        [ 1.5000,  0.2500, -0.5276]], grad_fn=<EluBackward0>)', 'tensor([[1.0000, 0.3679, 1.0000],\n        [1.0000, 1.0000, 0.4724]])']);
    expect(await both((x) => F.silu(x))).toEqual(['tensor([[ 0.3112, -0.2689,  1.7616],\n        [ 1.2264,  0.1405, -0.2406]], grad_fn=<SiluBackward0>)', 'tensor([[0.7400, 0.0723, 1.0908],\n        [1.0413, 0.6237, 0.1574]])']);
    expect(await both((x) => F.softplus(x))).toEqual(['tensor([[0.9741, 0.3133, 2.1269],\n        [1.7014, 0.8259, 0.3869]], grad_fn=<SoftplusBackward0>)', 'tensor([[0.6225, 0.2689, 0.8808],\n        [0.8176, 0.5622, 0.3208]])']);
    expect(await text(F.softplus(f32([30, -2]), 2, 10))).toBe('tensor([3.0000e+01, 9.0750e-03])');
    expect((await both((x) => F.gelu(x)))[0]).toBe('tensor([[ 0.3457, -0.1587,  1.9545],\n        [ 1.3998,  0.1497, -0.1700]], grad_fn=<GeluBackward0>)');
    expect((await both((x) => F.gelu(x, { approximate: 'tanh' })))[0]).toBe('tensor([[ 0.3457, -0.1588,  1.9546],\n        [ 1.3996,  0.1497, -0.1700]], grad_fn=<GeluBackward0>)');
    // GELU's gradient where its two terms cancel (x = -0.75): 7.742783e-4 in float64; PyTorch prints 7.7420e-04.
    const g = x();
    await F.gelu(g).sum().backward();
    expect(Math.abs((await values(g.grad!))[5] - 7.742783e-4)).toBeLessThan(3e-8);
    // softplus of very negative values keeps their size (log1p, not log(1 + e)).
    expect((await values(F.softplus(f32([-20]))))[0]).toBeCloseTo(2.061153622e-9, 15);
  });

  it('gradients match finite differences (float64)', async () => {
    const tgt = torch.tensor([2, 0, 1]);
    const pos = () => torch.tensor([[0, 1, 1, 0], [1, 0, 0, 1], [0.25, 0.5, 1, 0]], { dtype: 'float64' });
    await gradcheck((a, w, b) => F.linear(a, w, b), [[3, 4], [2, 4], [2]]);
    await gradcheck((a, w, b) => F.linear(a, w, b), [[2, 3, 4], [2, 4], [2]]);
    await gradcheck((b, m1, m2) => torch.addmm(b, m1, m2, { beta: 0.5, alpha: -2 }), [[3, 1], [3, 2], [2, 4]]);
    await gradcheck((a) => F.leakyRelu(a, 0.2).add(F.elu(a, 1.5)).add(F.silu(a)).add(F.softplus(a, 2, 1)), [[3, 4]]);
    await gradcheck((a) => F.gelu(a).add(F.gelu(a.mul(2), { approximate: 'tanh' })), [[3, 4]]);
    await gradcheck((a, b) => F.mseLoss(a, b), [[3, 4], [3, 4]]);
    await gradcheck((a, b) => F.mseLoss(a, b, { reduction: 'none' }), [[3, 4], [4]]);
    await gradcheck((a) => F.crossEntropy(a, tgt), [[3, 4]]);
    await gradcheck((a) => F.crossEntropy(a, tgt, { reduction: 'none', labelSmoothing: 0.2 }), [[3, 4]]);
    await gradcheck((a) => F.crossEntropy(a, torch.tensor([2, -100, 1]), { weight: torch.tensor([1, 2, 0.5, 3], { dtype: 'float64' }), labelSmoothing: 0.1 }), [[3, 4]]);
    await gradcheck((a, p) => F.crossEntropy(a, p.softmax(1)), [[3, 4], [3, 4]]);
    await gradcheck((a) => F.nllLoss(a.logSoftmax(1), tgt, { reduction: 'sum' }), [[3, 4]]);
    await gradcheck((a) => F.binaryCrossEntropy(a.sigmoid(), pos(), { weight: torch.tensor([1, 2, 3, 4], { dtype: 'float64' }) }), [[3, 4]]);
    await gradcheck((a, t2) => F.binaryCrossEntropyWithLogits(a, t2.sigmoid(), { posWeight: torch.tensor([1, 2, 3, 0.5], { dtype: 'float64' }), reduction: 'sum' }), [[3, 4], [3, 4]]);
    await gradcheck((a, t2) => F.binaryCrossEntropyWithLogits(a, t2.sigmoid(), { weight: torch.tensor([1, 2, 3, 0.5], { dtype: 'float64' }) }), [[3, 4], [3, 4]]);
  });

  it('errors and warnings: PyTorch\'s where it can say them; a class out of range is an error, a probability out of range NaN', async () => {
    const xi = x();
    expect(() => F.crossEntropy(xi, torch.tensor([1, 0, 1]))).toThrow('Expected input batch_size (2) to match target batch_size (3).');
    expect(() => F.nllLoss(xi, torch.tensor([[1], [0]]))).toThrow('0D or 1D target tensor expected, multi-target not supported');
    expect(() => F.crossEntropy(xi, t, { reduction: 'avg' as 'mean' })).toThrow('avg is not a valid value for reduction');
    expect(() => F.nllLoss(xi, f32([1, 0]))).toThrow('expected scalar type Long but found Float');
    expect(() => F.crossEntropy(xi, t, { weight: f32([1, 2]) })).toThrow('weight tensor should be defined either for all 3 classes or no classes but got weight tensor of shape: [2]');
    expect(() => F.crossEntropy(xi, t, { labelSmoothing: 1.5 })).toThrow('label_smoothing must be between 0.0 and 1.0. Got: 1.5');
    expect(() => F.crossEntropy(torch.ones([2, 3, 4]), t)).toThrow('Expected target size [2, 4], got [2]');
    expect(() => F.binaryCrossEntropyWithLogits(xi, f32([1, 0]))).toThrow('Target size ([2]) must be the same as input size ([2, 3])');
    expect(() => F.binaryCrossEntropy(xi.sigmoid(), y.requiresGrad_())).toThrow("the derivative for 'target' is not implemented");
    expect(() => F.gelu(xi, { approximate: 'fast' as 'tanh' })).toThrow('approximate argument must be either none or tanh, got fast');
    // (PyTorch: "Target 3 is out of bounds."; here the gather that picks the classes says it. Ignored
    // samples may hold any value.)
    expect(() => F.crossEntropy(xi, torch.tensor([3, 0]), { reduction: 'none' })).toThrow('index 3 is out of bounds for dimension 1 with size 3');
    expect(() => F.nllLoss(xi, torch.tensor([-1, 0]))).toThrow('index -1 is out of bounds for dimension 1 with size 3');
    expect(await values(F.crossEntropy(xi, torch.tensor([-100, 0]), { reduction: 'none' }).detach())).toEqual([0, expect.closeTo(0.3307, 4)]);
    // PyTorch's range check where the input's values are at hand (a final CPU tensor; NaN counts as outside)
    expect(() => F.binaryCrossEntropy(f32([1.5, 0.5]), f32([1, 0]))).toThrow('all elements of input should be between 0 and 1');
    expect(() => F.binaryCrossEntropy(f32([NaN, 0.5]), f32([1, 0]))).toThrow('all elements of input should be between 0 and 1');
    expect(await values(F.binaryCrossEntropy(f32([0, 1, 2]).narrow(0, 0, 2), f32([0, 1])))).toEqual([0]); // (only the view is checked)
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    expect(await text(F.mseLoss(xi, y.detach().index(0)))).toBe('tensor(2.9792, grad_fn=<MseLossBackward0>)');
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    expect(warnings.filter((w) => w.includes('torch.Size([2, 3])'))).toEqual(['Using a target size (torch.Size([3])) that is different to the input size (torch.Size([2, 3])). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.']);
  });
});

describe('LayerNorm, Embedding, nn.init, clipGradNorm_', () => {
  it('LayerNorm: PyTorch\'s printed form, values and gradients (NativeLayerNormBackward0)', async () => {
    const x = f32([[0.5, -1.0, 2.0, 0.25], [1.5, 0.25, -0.75, 3.0]]).requiresGrad_();
    const ln = new nn.LayerNorm(4);
    torch.noGrad(() => { ln.weight!.copy_(f32([1.0, 0.5, 2.0, -1.0])); ln.bias!.copy_(f32([0.1, 0.2, 0.3, 0.4])); });
    expect(`${ln} ${new nn.LayerNorm([2, 4], { eps: 1e-6, elementwiseAffine: false })}`).toBe('LayerNorm((4,), eps=1e-05, elementwise_affine=True) LayerNorm((2, 4), eps=1e-06, elementwise_affine=False)');
    const y = ln(x);
    expect(await text(y)).toBe('tensor([[ 0.1586, -0.4741,  3.2310,  0.5759],\n        [ 0.4563, -0.0673, -2.1944, -1.0254]],\n       grad_fn=<NativeLayerNormBackward0>)');
    await y.mul(f32([[1, 2, 3, 4], [-1, 0.5, 2, 1]])).sum().backward();
    expect(await text(x.grad!)).toBe('tensor([[-0.1128,  2.5946,  1.8694, -4.3512],\n        [-0.6752, -0.8803,  0.9156,  0.6399]])');
    expect(await text(ln.weight!.grad!)).toBe('tensor([-0.2977, -2.9638,  1.9021,  0.7219])');
    expect(await text(ln.bias!.grad!)).toBe('tensor([0.0000, 2.5000, 5.0000, 5.0000])');
    expect(await text(F.layerNorm(x.detach(), [2, 4]))).toBe('tensor([[-0.1712, -1.3455,  1.0030, -0.3669],\n        [ 0.6116, -0.3669, -1.1498,  1.7858]])');
    expect(() => F.layerNorm(x, [3])).toThrow('Given normalized_shape=[3], expected input with shape [*, 3], but got input of size[2, 4]');
    await gradcheck((a, w, b) => F.layerNorm(a, [4], w, b), [[3, 4], [4], [4]]);
    await gradcheck((a, w) => F.layerNorm(a, [2, 3], w, null, 1e-3), [[2, 2, 3], [2, 3]]);
  });

  it('Embedding: PyTorch\'s printed form, rows, gradient (padding row: none); out-of-range indices are an error', async () => {
    const e = new nn.Embedding(5, 3);
    torch.noGrad(() => e.weight.copy_(torch.arange(15).reshape(5, 3).float().div(10)));
    expect(`${e} ${new nn.Embedding(10, 4, { paddingIdx: 0 })}`).toBe('Embedding(5, 3) Embedding(10, 4, padding_idx=0)');
    const out = e(torch.tensor([[1, 4], [1, 0]]));
    expect(await text(out)).toBe('tensor([[[0.3000, 0.4000, 0.5000],\n         [1.2000, 1.3000, 1.4000]],\n\n        [[0.3000, 0.4000, 0.5000],\n         [0.0000, 0.1000, 0.2000]]], grad_fn=<EmbeddingBackward0>)');
    await out.mul(torch.arange(12).reshape(2, 2, 3).float()).sum().backward();
    expect(await text(e.weight.grad!)).toBe('tensor([[ 9., 10., 11.],\n        [ 6.,  8., 10.],\n        [ 0.,  0.,  0.],\n        [ 0.,  0.,  0.],\n        [ 3.,  4.,  5.]])');
    const p = new nn.Embedding(4, 2, { paddingIdx: -1 });
    expect(await values(p.weight.index(3))).toEqual([0, 0]);
    await p(torch.tensor([3, 1, 3])).sum().backward();
    expect(await values(p.weight.grad!)).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    expect(() => e(torch.tensor([1, 5]))).toThrow('index 5 is out of bounds for dimension 0 with size 5');
    expect(() => e(f32([1.5]))).toThrow("Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got float32 instead");
    expect(() => new nn.Embedding(4, 2, { paddingIdx: 4 })).toThrow('Padding_idx must be within num_embeddings');
  });

  it('nn.init: in place, without a graph, within the bounds PyTorch gives; errors for fewer than 2 dims', async () => {
    const w = new nn.Linear(200, 100).weight;
    expect(nn.init.xavierUniform_(w)).toBe(w);
    let v = await values(w);
    const xb = Math.sqrt(6 / 300);
    expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(xb);
    expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.95 * xb);
    expect(w.isLeaf && w.requiresGrad && w.gradFn === null).toBe(true);
    nn.init.kaimingNormal_(w, { nonlinearity: 'relu' });
    v = await values(w);
    const sd = Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
    expect(Math.abs(sd / (Math.SQRT2 / Math.sqrt(200)) - 1)).toBeLessThan(0.03);
    nn.init.kaimingUniform_(w, { a: Math.sqrt(5) }); // nn.Linear's own default
    expect(Math.max(...(await values(w)).map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(200) + 1e-7);
    nn.init.constant_(w, 0.5);
    expect(new Set(await values(w))).toEqual(new Set([0.5]));
    nn.init.normal_(w, 3, 0.01);
    expect(Math.abs((await values(w.mean()))[0] - 3)).toBeLessThan(0.01);
    expect([nn.init.calculateGain('relu'), nn.init.calculateGain('leaky_relu', 0.2), nn.init.calculateGain('tanh')]).toEqual([1.4142135623730951, 1.3867504905630728, 1.6666666666666667]);
    expect(() => nn.init.xavierUniform_(torch.ones([3]))).toThrow('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  });

  it('clipGradNorm_: PyTorch\'s total norms and scaled gradients (2-norm, infinity norm, no clipping below the max)', async () => {
    const a = f32([3, 4]).requiresGrad_(), b = f32([12]).requiresGrad_();
    await a.sum().add(b.sum()).backward();
    const setg = () => torch.noGrad(() => { a.grad!.copy_(f32([3, 4])); b.grad!.copy_(f32([12])); });
    setg();
    expect(await text(nn.utils.clipGradNorm_([a, b], 1.0))).toBe('tensor(13.)');
    expect([await text(a.grad!), await text(b.grad!)]).toEqual(['tensor([0.2308, 0.3077])', 'tensor([0.9231])']);
    setg();
    expect(await text(nn.utils.clipGradNorm_([a, b], 100))).toBe('tensor(13.)');
    expect(await values(a.grad!)).toEqual([3, 4]);
    expect(await text(nn.utils.clipGradNorm_([a, b], 1.0, Infinity))).toBe('tensor(12.)');
    expect([await text(a.grad!), await text(b.grad!)]).toEqual(['tensor([0.2500, 0.3333])', 'tensor([1.0000])']);
  });
});

describe('Conv2d, MaxPool2d, AvgPool2d', () => {
  /** The data of ref: (arange % 7 − 3) / 4 as [2, 2, 5, 6]; weight (arange % 5 − 2) / 5 as [3, 2, 3, 3]. */
  const mod = (t: torch.Tensor, m: number) => t.sub(t.div(m).floor().mul(m));
  const data = (dev = 'cpu') => mod(torch.arange(120).reshape(2, 2, 5, 6).float(), 7).sub(3).div(4).to(dev).requiresGrad_();
  const wdata = (dev = 'cpu') => mod(torch.arange(54).reshape(3, 2, 3, 3).float(), 5).sub(2).div(5).to(dev).requiresGrad_();

  it('conv2d: PyTorch\'s values, grad_fn, gradients, shapes, printed modules and errors', async () => {
    const x = data(), w = wdata(), b = f32([0.1, -0.2, 0.3]).requiresGrad_();
    const y = F.conv2d(x, w, b, { stride: [2, 1], padding: 1 });
    expect(y.shape).toEqual([2, 3, 3, 6]);
    expect(y.gradFn?.name).toBe('ConvolutionBackward0');
    expect(await text(y.index(1, 2))).toBe('tensor([[ 0.9500,  0.1000,  0.2500,  0.7500, -0.1500,  0.2500],\n        [ 0.1000, -0.1000,  0.9500,  0.2500,  0.2500,  1.2500],\n        [ 0.5500,  0.1500,  0.0000, -0.1500,  0.7500,  0.3500]],\n       grad_fn=<SelectBackward0>)');
    await y.mul(torch.arange(y.numel()).reshape(y.shape).float().sin()).sum().backward();
    expect(await text(x.grad!.index(1, 1))).toBe('tensor([[ 0.4870, -0.3652, -0.6959, -0.3869,  0.2779,  0.6960],\n        [-0.0537,  0.5959,  0.6336,  0.0887, -0.5377, -0.2892],\n        [ 0.4832, -0.1850, -0.6646, -0.5331,  0.0885,  0.7231],\n        [-0.1449,  0.4687,  0.6925,  0.2796, -0.3904, -0.3906],\n        [ 0.4410,  0.0098, -0.5803, -0.6369, -0.1079,  0.6925]])');
    expect(await text(w.grad!.index(2))).toBe('tensor([[[-3.7751, -4.1231, -0.5116],\n         [-2.2648, -3.7720, -1.0508],\n         [-2.9846, -4.4245, -1.3114]],\n\n        [[-1.0019,  3.1770,  5.1006],\n         [-0.8913,  2.1689,  2.6391],\n         [-2.1637,  1.7562,  4.9131]]])');
    expect(await text(b.grad!)).toBe('tensor([ 0.4063,  0.0466, -0.3448])');
    expect([F.conv2d(x, w, null, { dilation: 2 }).shape, F.conv2d(x.index(0), w).shape]).toEqual([[2, 3, 1, 2], [3, 3, 4]]);
    expect(`${new nn.Conv2d(2, 3, 3, { stride: 2, padding: 1 })} ${new nn.Conv2d(2, 3, [3, 1], { bias: false })}`).toBe('Conv2d(2, 3, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1)) Conv2d(2, 3, kernel_size=(3, 1), stride=(1, 1), bias=False)');
    expect(new nn.Conv2d(4, 8, 3)(torch.ones([2, 4, 10, 10])).shape).toEqual([2, 8, 8, 8]);
    expect(() => F.conv2d(x, torch.ones([3, 3, 3, 3]))).toThrow('Given groups=1, weight of size [3, 3, 3, 3], expected input[2, 2, 5, 6] to have 3 channels, but got 2 channels instead');
    expect(() => F.conv2d(x, w, null, { padding: -1 })).toThrow('negative padding is not supported');
    expect(() => F.conv2d(torch.ones([1, 2, 2, 2]), w)).toThrow("Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater than actual input size");
    expect(() => F.conv2d(torch.ones([2, 2]), w)).toThrow('Expected 3D (unbatched) or 4D (batched) input');
  });

  it('max and average pooling: PyTorch\'s values, grad_fns, gradients (max: to the first largest), printed modules', async () => {
    const x = data();
    let m = F.maxPool2d(x, 2);
    expect(await text(m.index(0, 1))).toBe('tensor([[0.0000, 0.5000, 0.7500],\n        [0.7500, 0.0000, 0.5000]], grad_fn=<SelectBackward0>)');
    expect(m.gradFn?.name).toBe('MaxPool2DWithIndicesBackward0');
    await m.sum().backward();
    expect(await text(x.grad!.index(0, 1))).toBe('tensor([[0., 1., 0., 1., 1., 0.],\n        [0., 0., 0., 0., 0., 0.],\n        [0., 0., 0., 1., 0., 1.],\n        [1., 0., 0., 0., 0., 0.],\n        [0., 0., 0., 0., 0., 0.]])');
    x.grad = null;
    m = F.maxPool2d(x, 3, { stride: 2, padding: 1 });
    expect(await text(m.index(1, 0))).toBe('tensor([[ 0.5000,  0.7500,  0.7500],\n        [ 0.2500,  0.7500,  0.7500],\n        [-0.2500,  0.2500,  0.7500]], grad_fn=<SelectBackward0>)');
    await m.mul(torch.arange(m.numel()).reshape(m.shape).float()).sum().backward();
    expect(await text(x.grad!.index(1, 0))).toBe('tensor([[ 0., 18., 19.,  0.,  0.,  0.],\n        [ 0., 21.,  0., 65.,  0.,  0.],\n        [ 0.,  0.,  0.,  0.,  0.,  0.],\n        [ 0., 24.,  0., 25.,  0., 26.],\n        [ 0.,  0.,  0.,  0.,  0.,  0.]])');
    x.grad = null;
    const a = F.avgPool2d(x, 2, { stride: 1 });
    expect(await text(a.index(0, 0))).toBe('tensor([[-0.3125, -0.5000, -0.2500,  0.0000,  0.2500],\n        [ 0.3125, -0.3125, -0.5000, -0.2500,  0.0000],\n        [ 0.5000,  0.3125, -0.3125, -0.5000, -0.2500],\n        [ 0.2500,  0.5000,  0.3125, -0.3125, -0.5000]],\n       grad_fn=<SelectBackward0>)');
    expect(a.gradFn?.name).toBe('AvgPool2DBackward0');
    await a.sum().backward();
    expect(await text(x.grad!.index(0, 0))).toBe('tensor([[0.2500, 0.5000, 0.5000, 0.5000, 0.5000, 0.2500],\n        [0.5000, 1.0000, 1.0000, 1.0000, 1.0000, 0.5000],\n        [0.5000, 1.0000, 1.0000, 1.0000, 1.0000, 0.5000],\n        [0.5000, 1.0000, 1.0000, 1.0000, 1.0000, 0.5000],\n        [0.2500, 0.5000, 0.5000, 0.5000, 0.5000, 0.2500]])');
    expect(await text(F.avgPool2d(x.detach(), 3, { padding: 1 }).index(0, 0))).toBe('tensor([[-0.1389, -0.0833],\n        [ 0.2500, -0.1667]])');
    // Without the padding in the count: a corner window of 4 elements divides by 4.
    const ones = torch.ones([1, 1, 3, 3]);
    expect(await values(F.avgPool2d(ones, 3, { stride: 2, padding: 1, countIncludePad: false }))).toEqual([1, 1, 1, 1]);
    expect(await values(F.avgPool2d(ones, 3, { stride: 2, padding: 1 }))).toEqual([4 / 9, 4 / 9, 4 / 9, 4 / 9].map(Math.fround));
    expect([String(new nn.MaxPool2d(2)), String(new nn.MaxPool2d(3, { stride: 1, padding: 1 })), String(new nn.AvgPool2d(2))]).toEqual(
      ['MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)', 'MaxPool2d(kernel_size=3, stride=1, padding=1, dilation=1, ceil_mode=False)', 'AvgPool2d(kernel_size=2, stride=2, padding=0)']);
    expect(() => F.maxPool2d(x, 4, { padding: 3 })).toThrow('pad should be at most half of kernel size, but got pad=3 and kernel_size=4');
  });

  it('grouped convolution (groups, depthwise): PyTorch\'s values, gradients, printed modules and errors', async () => {
    // (.scratch-style reference: scripts' pattern, python3-torch 1.13: x = (arange % 11 − 5) / 5 as
    // [2, 4, 5, 5]; weight parameter 0 and bias parameter 1 of the LSTM tests' fill)
    const x = mod(torch.arange(200).reshape(2, 4, 5, 5).float(), 11).sub(5).div(5).requiresGrad_();
    const fillw = (shape: number[], i: number) => mod(torch.arange(shape.reduce((a, b) => a * b, 1)).reshape(shape).float().mul(i + 3), 7).sub(3).div(10).requiresGrad_();
    const w = fillw([6, 2, 3, 3], 0), b = fillw([6], 1);
    const y = F.conv2d(x, w, b, { groups: 2, padding: 1, stride: [1, 2] });
    expect(y.shape).toEqual([2, 6, 5, 3]);
    expect(await text(y.index(1, ':', 2))).toBe('tensor([[ 0.0200,  0.3800, -1.1400],\n        [-0.6000,  0.8200,  0.5200],\n        [ 0.1800, -0.2800, -0.4800],\n        [ 0.5200,  0.3200,  0.2400],\n        [-0.1600, -1.2400, -0.0200],\n        [ 0.5600,  1.2600,  0.5600]], grad_fn=<SelectBackward0>)');
    await y.mul(torch.arange(y.numel()).reshape(y.shape).float().div(100)).sum().backward();
    expect(await text(x.grad!.index(1, 3))).toBe('tensor([[ 0.1380,  0.3780,  0.1390,  0.3800,  0.1400],\n        [ 0.0360,  0.0660,  0.0360,  0.0660,  0.0360],\n        [ 0.0360,  0.0660,  0.0360,  0.0660,  0.0360],\n        [ 0.0360,  0.0660,  0.0360,  0.0660,  0.0360],\n        [-0.1740, -0.2480, -0.1750, -0.2500, -0.1760]])');
    expect(await text(w.grad!.index(5))).toBe('tensor([[[ 0.5440, -0.9700,  0.5440],\n         [ 2.3300,  1.7100,  2.3180],\n         [-1.2080,  0.0220, -1.1920]],\n\n        [[-2.0540, -1.2100, -2.0400],\n         [-0.9600,  0.3920, -0.9600],\n         [ 1.5160,  1.3300,  1.5020]]])');
    expect(await text(b.grad!)).toBe('tensor([15.6000, 20.1000, 24.6000, 29.1000, 33.6000, 38.1000])');
    // Each output block reads its own input channels only: the same as two separate convolutions.
    const xs = x.detach(), ws = w.detach();
    const split = torch.cat([F.conv2d(xs.index(':', '0:2'), ws.index('0:3')), F.conv2d(xs.index(':', '2:4'), ws.index('3:6'))], 1);
    expect(await values(F.conv2d(xs, ws, null, { groups: 2 }))).toEqual(await values(split));
    const dw = new nn.Conv2d(4, 4, 3, { groups: 4, bias: false, padding: 1 });
    expect(`${new nn.Conv2d(4, 6, 3, { groups: 2 })} ${dw}`).toBe('Conv2d(4, 6, kernel_size=(3, 3), stride=(1, 1), groups=2) Conv2d(4, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), groups=4, bias=False)');
    expect([dw.weight.shape, dw(xs).shape]).toEqual([[4, 1, 3, 3], [2, 4, 5, 5]]);
    expect(() => F.conv2d(xs, ws, null, { groups: 0 })).toThrow('non-positive groups is not supported');
    expect(() => F.conv2d(xs, ws, null, { groups: 3 })).toThrow('Given groups=3, weight of size [6, 2, 3, 3], expected input[2, 4, 5, 5] to have 6 channels, but got 4 channels instead');
    expect(() => F.conv2d(xs, torch.ones([5, 2, 3, 3]), null, { groups: 2 })).toThrow('Given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of size [[5, 2, 3, 3]] instead');
    expect(() => F.conv2d(xs.index(':', '0:3'), ws, null, { groups: 2 })).toThrow('Given groups=2, weight of size [6, 2, 3, 3], expected input[2, 3, 5, 5] to have 4 channels, but got 3 channels instead');
    expect(() => new nn.Conv2d(3, 6, 3, { groups: 2 })).toThrow('in_channels must be divisible by groups');
    expect(() => new nn.Conv2d(4, 5, 3, { groups: 2 })).toThrow('out_channels must be divisible by groups');
    expect(() => new nn.Conv2d(4, 4, 3, { groups: 0 })).toThrow('groups must be a positive integer');
  });

  it('ceil mode pooling: PyTorch\'s shapes, values (partial last windows) and gradients', async () => {
    const z = mod(torch.arange(70).reshape(1, 2, 5, 7).float(), 13).sub(6).div(4).requiresGrad_();
    const cases: Array<[number, { stride?: number; padding?: number; ceilMode?: boolean }, number[], string, string, string]> = [
      [2, { ceilMode: true }, [1, 2, 3, 4],
        'tensor([[ 1.0000,  1.5000,  0.5000,  0.7500],\n        [ 1.2500,  1.5000,  0.7500,  1.0000],\n        [ 1.5000, -1.2500, -0.7500, -0.5000]])',
        'tensor([[ 0.1250,  0.6250, -0.5000, -0.1250],\n        [ 0.3750,  0.0625, -0.2500,  0.1250],\n        [ 1.3750, -1.3750, -0.8750, -0.5000]])',
        'tensor([[ 0.1250,  0.6250, -0.5000, -0.1250],\n        [ 0.3750,  0.0625, -0.2500,  0.1250],\n        [ 1.3750, -1.3750, -0.8750, -0.5000]])'],
      [3, { stride: 2, padding: 1, ceilMode: true }, [1, 2, 3, 4],
        'tensor([[1.0000, 1.5000, 1.5000, 0.7500],\n        [1.2500, 1.5000, 0.7500, 1.0000],\n        [1.5000, 1.5000, 0.7500, 1.0000]])',
        'tensor([[ 0.0556,  0.3333, -0.0556, -0.1111],\n        [ 0.0278,  0.0556, -0.1667,  0.1389],\n        [ 0.2222, -0.1389, -0.1667,  0.0556]])',
        'tensor([[ 0.1250,  0.5000, -0.0833, -0.2500],\n        [ 0.0417,  0.0556, -0.1667,  0.2083],\n        [ 0.5000, -0.2083, -0.2500,  0.1250]])'],
      [2, { stride: 3, ceilMode: true }, [1, 2, 2, 3],
        'tensor([[1.0000, 1.5000, 0.7500],\n        [1.5000, 0.5000, 1.0000]])',
        'tensor([[ 0.1250,  0.0625, -0.1250],\n        [ 0.5000, -0.3750,  0.2500]])',
        'tensor([[ 0.1250,  0.0625, -0.1250],\n        [ 0.5000, -0.3750,  0.2500]])'],
    ];
    const zd = z.detach();
    for (const [k, o, shape, max, avg, avgNoPad] of cases) {
      const m = F.maxPool2d(zd, k, o), a = F.avgPool2d(zd, k, o), a2 = F.avgPool2d(zd, k, { ...o, countIncludePad: false });
      expect([m.shape, a.shape, a2.shape]).toEqual([shape, shape, shape]);
      expect([await text(m.index(0, 1)), await text(a.index(0, 1)), await text(a2.index(0, 1))]).toEqual([max, avg, avgNoPad]);
    }
    await F.maxPool2d(z, 3, { stride: 2, padding: 1, ceilMode: true }).sum().add(F.avgPool2d(z, 3, { stride: 2, padding: 1, ceilMode: true }).mul(2).sum())
      .add(F.avgPool2d(z, 2, { ceilMode: true, countIncludePad: false }).mul(3).sum()).backward();
    expect(await text(z.grad!.index(0, 1))).toBe('tensor([[0.9722, 2.1944, 0.9722, 3.1944, 0.9722, 1.1944, 1.7222],\n        [1.1944, 1.6389, 1.1944, 1.6389, 1.1944, 1.6389, 2.9444],\n        [0.9722, 2.1944, 1.9722, 1.1944, 0.9722, 1.1944, 1.7222],\n        [1.1944, 1.6389, 1.1944, 1.6389, 1.1944, 3.6389, 3.9444],\n        [1.7222, 3.9444, 1.7222, 1.9444, 1.7222, 1.9444, 3.2222]])');
    // A window that would start in the right padding is dropped, as PyTorch's.
    expect([F.maxPool2d(torch.ones([1, 1, 6, 6]), 3, { stride: 2, padding: 1, ceilMode: true }).shape, F.maxPool2d(torch.ones([1, 1, 5, 5]), 2, { stride: 2, padding: 1, ceilMode: true }).shape]).toEqual([[1, 1, 4, 4], [1, 1, 3, 3]]);
    expect(`${new nn.MaxPool2d(2, { ceilMode: true })}`).toBe('MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=True)');
  });

  it('gradients match finite differences (float64)', async () => {
    await gradcheck((a, w, b) => F.conv2d(a, w, b, { stride: [2, 1], padding: [1, 2], dilation: [1, 2] }), [[2, 2, 5, 6], [3, 2, 2, 3], [3]]);
    await gradcheck((a, w) => F.conv2d(a, w), [[2, 4, 3], [1, 2, 2, 2]]);
    await gradcheck((a) => F.maxPool2d(a, 3, { stride: 2, padding: 1 }).add(F.maxPool2d(a, [2, 3], { dilation: [1, 2] }).sum()), [[2, 2, 5, 6]]);
    await gradcheck((a) => F.avgPool2d(a, 3, { stride: 2, padding: 1 }).add(F.avgPool2d(a, 2, { countIncludePad: false, padding: 1 }).sum()), [[1, 2, 5, 4]]);
    await gradcheck((a, w, b) => F.conv2d(a, w, b, { groups: 3, padding: 1, stride: [1, 2] }), [[2, 3, 4, 5], [6, 1, 2, 3], [6]]);
    await gradcheck((a) => F.maxPool2d(a, 3, { stride: 2, padding: 1, ceilMode: true }).add(F.avgPool2d(a, 2, { stride: 3, ceilMode: true }).sum()), [[1, 2, 6, 5]]);
  });
});

describe('BatchNorm1d, BatchNorm2d', () => {
  const mod = (t: torch.Tensor, m: number) => t.sub(t.div(m).floor().mul(m));
  it('PyTorch\'s values, gradients, running statistics, state dict names, eval mode and errors', async () => {
    const x = mod(torch.arange(24).reshape(2, 3, 2, 2).float(), 5).sub(2).div(3).requiresGrad_();
    const bn = new nn.BatchNorm2d(3);
    torch.noGrad(() => { bn.weight!.copy_(f32([1.0, 0.5, -2.0])); bn.bias!.copy_(f32([0.1, 0.2, 0.3])); });
    expect(`${bn} ${new nn.BatchNorm1d(4, { eps: 1e-3, momentum: 0.2, affine: false })}`).toBe('BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True) BatchNorm1d(4, eps=0.001, momentum=0.2, affine=False, track_running_stats=True)');
    let y = bn(x);
    expect(await text(y.index(1))).toBe('tensor([[[ 0.1917,  0.9250],\n         [ 1.6583, -1.2750]],\n\n        [[-0.2125,  0.1542],\n         [ 0.5208,  0.8875]],\n\n        [[ 2.8144,  1.3776],\n         [-0.0592, -1.4960]]], grad_fn=<SelectBackward0>)');
    expect(y.gradFn?.name).toBe('NativeBatchNormBackward0');
    await y.mul(torch.arange(24).reshape(y.shape).float().sin()).sum().backward();
    expect(await text(x.grad!.index(0))).toBe('tensor([[[-0.7100,  1.0188],\n         [ 1.0457, -0.7667]],\n\n        [[-0.5215, -0.4720],\n         [ 0.2075,  1.1696]],\n\n        [[-3.6575, -1.0078],\n         [ 2.4675,  4.5944]]])');
    expect([await text(bn.weight!.grad!), await text(bn.bias!.grad!)]).toEqual(['tensor([0.6068, 0.6739, 0.4173])', 'tensor([ 3.4164, -3.1886,  0.7520])']);
    expect([await text(bn.runningMean!), await text(bn.runningVar!), await text(bn.numBatchesTracked!)]).toEqual(['tensor([-0.0042,  0.0042, -0.0083])', 'tensor([0.9236, 0.9236, 0.9246])', 'tensor(1)']);
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(bn.namedBuffers().map(([k]) => k)).toEqual(['running_mean', 'running_var', 'num_batches_tracked']);
    bn.eval();
    x.grad = null;
    y = bn(x);
    expect(await text(y.index(0, 1))).toBe('tensor([[ 0.5447, -0.1490],\n        [ 0.0244,  0.1978]], grad_fn=<SelectBackward0>)');
    await y.sum().backward();
    expect(await text(x.grad!.index(0, 1))).toBe('tensor([[0.5203, 0.5203],\n        [0.5203, 0.5203]])');
    expect(await text(bn.numBatchesTracked!)).toBe('tensor(1)'); // (eval: statistics untouched)
    const b1 = new nn.BatchNorm1d(3);
    expect(await text(b1(f32([[1, 2, 3], [4, 6, 8]])))).toBe('tensor([[-1.0000, -1.0000, -1.0000],\n        [ 1.0000,  1.0000,  1.0000]], grad_fn=<NativeBatchNormBackward0>)');
    expect(await text(b1.runningVar!)).toBe('tensor([1.3500, 1.7000, 2.1500])');
    // The running statistics travel with the state dict (PyTorch's names), into another module.
    const b2 = new nn.BatchNorm1d(3);
    b2.loadStateDict(b1.stateDict());
    expect(await values(b2.runningVar!)).toEqual(await values(b1.runningVar!));
    expect(() => b2.loadStateDict({ weight: torch.ones([3]), bias: torch.ones([3]) })).toThrow('Missing key(s) in state_dict: "running_mean", "running_var", "num_batches_tracked".');
    expect(() => new nn.BatchNorm2d(3)(torch.ones([2, 4, 2, 2]))).toThrow('running_mean should contain 4 elements not 3');
    expect(() => new nn.BatchNorm1d(3)(torch.ones([1, 3]))).toThrow('Expected more than 1 value per channel when training, got input size torch.Size([1, 3])');
    expect(() => new nn.BatchNorm2d(3)(torch.ones([2, 3, 4]))).toThrow('expected 4D input (got 3D input)');
    await gradcheck((a, w, b) => F.batchNorm(a, null, null, { weight: w, bias: b, training: true }), [[3, 2, 2, 2], [2], [2]]);
    await gradcheck((a, w) => F.batchNorm(a, torch.zeros([2], { dtype: 'float64' }), torch.ones([2], { dtype: 'float64' }).mul(2), { weight: w }), [[3, 2, 4], [2]]);
  });

  it('copy_ takes a tensor from another device (a transfer), as PyTorch\'s', async () => {
    const t = torch.zeros([3]);
    t.copy_(torch.tensor([1, 2, 3]).to({ dtype: 'float64' }));
    expect(await values(t)).toEqual([1, 2, 3]);
  });
});

describe('LSTM, GRU, RNN', () => {
  const mod = (t: torch.Tensor, m: number) => t.sub(t.div(m).floor().mul(m));
  /** Parameter i (in PyTorch's order) filled with ((k · (i + 3)) mod 7 − 3) / 10, k its element index. */
  function setw<M extends torch.nn.Module>(m: M, dev = 'cpu'): M {
    torch.noGrad(() => m.namedParameters().forEach(([, p], i) => { p.copy_(mod(torch.arange(p.numel()).reshape(p.shape).float().mul(i + 3), 7).sub(3).div(10)); }));
    return m.to(dev);
  }
  const input = (dev = 'cpu') => mod(torch.arange(18).reshape(3, 2, 3).float(), 5).sub(2).div(4).to(dev).requiresGrad_();

  it('PyTorch\'s printed modules, parameter names, outputs, final states and input gradients', async () => {
    const cases: Array<[torch.nn.Module, string, string[], string, string[], string]> = [
      [new nn.LSTM(3, 4), 'LSTM(3, 4)', ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0'],
        'tensor([[ 0.1455,  0.0603, -0.0079,  0.1084],\n        [ 0.1368,  0.0964, -0.0370,  0.1516]], grad_fn=<SelectBackward0>)',
        ['tensor([[ 0.1455,  0.0603, -0.0079,  0.1084],\n        [ 0.1368,  0.0964, -0.0370,  0.1516]], grad_fn=<SelectBackward0>)', 'tensor([[ 0.3033,  0.1419, -0.0202,  0.1815],\n        [ 0.3014,  0.2362, -0.0950,  0.2495]], grad_fn=<SelectBackward0>)'],
        'tensor([[ 0.0245, -0.0895, -0.1536],\n        [ 0.0072, -0.0670, -0.1730]])'],
      [new nn.GRU(3, 4), 'GRU(3, 4)', ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0'],
        'tensor([[ 0.2055,  0.0410, -0.0615,  0.2324],\n        [ 0.2138,  0.1364, -0.1376,  0.3420]], grad_fn=<SelectBackward0>)',
        ['tensor([[ 0.2055,  0.0410, -0.0615,  0.2324],\n        [ 0.2138,  0.1364, -0.1376,  0.3420]], grad_fn=<SelectBackward0>)'],
        'tensor([[ 0.1328, -0.1656, -0.2549],\n        [ 0.0189, -0.1022, -0.3431]])'],
      [new nn.RNN(3, 4), 'RNN(3, 4)', ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0'],
        'tensor([[-0.3539,  0.6462,  0.0203, -0.1923],\n        [-0.3028,  0.6598,  0.1170, -0.4466]], grad_fn=<SelectBackward0>)',
        ['tensor([[-0.3539,  0.6462,  0.0203, -0.1923],\n        [-0.3028,  0.6598,  0.1170, -0.4466]], grad_fn=<SelectBackward0>)'],
        'tensor([[-0.0559, -0.0898,  0.3375],\n        [ 0.0507, -0.1071,  0.2615]])'],
      [new nn.LSTM(3, 4, { numLayers: 2, batchFirst: true }), 'LSTM(3, 4, num_layers=2, batch_first=True)', ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1'],
        'tensor([[-0.0222,  0.0872,  0.0302, -0.0121],\n        [-0.0316,  0.1128,  0.0415, -0.0235]], grad_fn=<SelectBackward0>)',
        ['tensor([[-0.0337,  0.1067,  0.0370, -0.0277],\n        [-0.0333,  0.1076,  0.0378, -0.0269],\n        [-0.0316,  0.1128,  0.0415, -0.0235]], grad_fn=<SelectBackward0>)',
          'tensor([[-0.0810,  0.1954,  0.1127, -0.0605],\n        [-0.0799,  0.1970,  0.1151, -0.0589],\n        [-0.0753,  0.2053,  0.1254, -0.0510]], grad_fn=<SelectBackward0>)'],
        'tensor([[ 0.0146, -0.0346,  0.0275],\n        [ 0.0714, -0.0888, -0.0681]])'],
      [new nn.RNN(3, 4, { nonlinearity: 'relu', bias: false }), 'RNN(3, 4, bias=False)', ['weight_ih_l0', 'weight_hh_l0'],
        'tensor([[0.1225, 0.0000, 0.0000, 0.1063],\n        [0.1470, 0.0000, 0.0430, 0.0000]], grad_fn=<SelectBackward0>)',
        ['tensor([[0.1225, 0.0000, 0.0000, 0.1063],\n        [0.1470, 0.0000, 0.0430, 0.0000]], grad_fn=<SelectBackward0>)'],
        'tensor([[ 0.1800, -0.1600,  0.6200],\n        [ 0.4600, -0.4200,  0.2400]])'],
    ];
    for (const [m, repr, names, out2, finals, grad] of cases) {
      setw(m);
      expect(String(m)).toBe(repr);
      expect(m.namedParameters().map(([n]) => n)).toEqual(names);
      const x = input();
      const [out, h] = (m as unknown as (x: torch.Tensor) => [torch.Tensor, torch.Tensor | torch.Tensor[]])(x);
      expect(await text(out.index(2))).toBe(out2);
      expect(out.gradFn?.name).toBe(repr.includes('batch_first') ? 'TransposeBackward0' : 'StackBackward0');
      const hs = Array.isArray(h) ? h : [h];
      expect(await Promise.all(hs.map((t) => text(t.index(-1))))).toEqual(finals);
      await hs.reduce((acc, t) => acc.add(t.sum()), out.sum()).backward();
      expect(await text(x.grad!.index(1))).toBe(grad);
    }
    const lstm = setw(new nn.LSTM(3, 4));
    const [out, [, c]] = lstm(input(), [torch.ones([1, 2, 4]).mul(0.5), torch.ones([1, 2, 4]).mul(-0.25)]);
    expect(await text(out.index(0))).toBe('tensor([[ 9.3336e-05,  1.2579e-02, -7.6409e-02,  6.7112e-02],\n        [-5.3038e-04, -3.4254e-02, -4.9752e-02,  1.0566e-01]],\n       grad_fn=<SelectBackward0>)');
    expect(await text(c)).toBe('tensor([[[ 0.2500,  0.1136, -0.0446,  0.1756],\n         [ 0.2422,  0.2076, -0.1221,  0.2479]]], grad_fn=<StackBackward0>)');
    expect(lstm(input().index(':', 0))[0].shape).toEqual([3, 4]); // unbatched [T, I]
    expect(() => lstm(torch.ones([3, 2, 5]))).toThrow('input.size(-1) must be equal to input_size. Expected 3, got 5');
    expect(() => lstm(torch.ones([3, 2, 3]), [torch.ones([2, 2, 4]), torch.ones([2, 2, 4])])).toThrow('Expected hidden[0] size (1, 2, 4), got [2, 2, 4]');
    expect(() => new nn.RNN(3, 4, { nonlinearity: 'gelu' as 'relu' })).toThrow("Unknown nonlinearity 'gelu'. Select from 'tanh' or 'relu'.");
  });

  it('bidirectional: PyTorch\'s printed modules, parameter names, outputs (time order), final states, input gradients and hx checks', async () => {
    const rev = (l: number) => [`weight_ih_l${l}`, `weight_hh_l${l}`, `bias_ih_l${l}`, `bias_hh_l${l}`, `weight_ih_l${l}_reverse`, `weight_hh_l${l}_reverse`, `bias_ih_l${l}_reverse`, `bias_hh_l${l}_reverse`];
    // [module, repr, parameter names, output[2], output's grad_fn, final states, x.grad[1]]
    const cases: Array<[torch.nn.Module, string, string[], string, string, string[], string]> = [
      [new nn.LSTM(3, 4, { bidirectional: true }), 'LSTM(3, 4, bidirectional=True)', rev(0),
        'tensor([[ 0.1455,  0.0603, -0.0079,  0.1084, -0.0377,  0.0376, -0.0041, -0.0456],\n        [ 0.1368,  0.0964, -0.0370,  0.1516,  0.0256,  0.1799,  0.1041,  0.0707]],\n       grad_fn=<SelectBackward0>)',
        'CatBackward0',
        ['tensor([[[ 0.1455,  0.0603, -0.0079,  0.1084],\n         [ 0.1368,  0.0964, -0.0370,  0.1516]],\n\n        [[ 0.0111,  0.2416,  0.1344,  0.0646],\n         [-0.0081,  0.1578,  0.0860,  0.0020]]], grad_fn=<StackBackward0>)',
          'tensor([[[ 0.3033,  0.1419, -0.0202,  0.1815],\n         [ 0.3014,  0.2362, -0.0950,  0.2495]],\n\n        [[ 0.0225,  0.4029,  0.3467,  0.1201],\n         [-0.0198,  0.2840,  0.2714,  0.0043]]], grad_fn=<StackBackward0>)'],
        'tensor([[-1.5683, -1.7744, -1.9699],\n        [-2.2217, -2.3578, -2.6913]])'],
      // PyTorch's own grad_fn here is TransposeBackward1 (ATen's GRU transposes in place); ours is the out-of-place transpose
      [new nn.GRU(3, 4, { numLayers: 2, batchFirst: true, bidirectional: true }), 'GRU(3, 4, num_layers=2, batch_first=True, bidirectional=True)', [...rev(0), ...rev(1)],
        'tensor([[ 0.0498,  0.0578, -0.0285, -0.1007,  0.0179,  0.0925,  0.0189,  0.0898],\n        [ 0.0977,  0.0536, -0.0568, -0.1814,  0.0143,  0.0557, -0.0082,  0.0218]],\n       grad_fn=<SelectBackward0>)',
        'TransposeBackward0',
        ['tensor([[[ 0.2361,  0.0261, -0.1635,  0.3772],\n         [ 0.1459,  0.1803, -0.0149,  0.2190],\n         [ 0.1893,  0.0846, -0.1532,  0.2643]],\n\n        [[ 0.0170,  0.2749,  0.2086,  0.0389],\n         [-0.0435,  0.2058,  0.1731, -0.0565],\n         [-0.1372,  0.0801,  0.0990, -0.1901]],\n\n        [[ 0.0759,  0.0908, -0.0554, -0.2157],\n         [ 0.0908,  0.0645, -0.0455, -0.1562],\n         [ 0.0977,  0.0536, -0.0568, -0.1814]],\n\n        [[ 0.0297,  0.0877,  0.0060,  0.0316],\n         [ 0.0197,  0.0828,  0.0057,  0.0788],\n         [ 0.0179,  0.0925,  0.0189,  0.0898]]], grad_fn=<StackBackward0>)'],
        'tensor([[ 0.5957, -0.7069,  0.1948],\n        [ 0.9936,  0.0238,  0.5609]])'],
      [new nn.RNN(3, 4, { bidirectional: true }), 'RNN(3, 4, bidirectional=True)', rev(0),
        'tensor([[-0.3539,  0.6462,  0.0203, -0.1923, -0.6778, -0.3140,  0.1732, -0.0250],\n        [-0.3028,  0.6598,  0.1170, -0.4466, -0.3584,  0.1244,  0.5546,  0.4011]],\n       grad_fn=<SelectBackward0>)',
        'CatBackward0',
        ['tensor([[[-0.3539,  0.6462,  0.0203, -0.1923],\n         [-0.3028,  0.6598,  0.1170, -0.4466]],\n\n        [[-0.2831,  0.2296,  0.6055,  0.1670],\n         [-0.5304, -0.0616,  0.3931, -0.1179]]], grad_fn=<StackBackward0>)'],
        'tensor([[-3.2219, -3.4337, -2.1920],\n        [-3.6516, -4.4101, -2.9648]])'],
    ];
    for (const [m, repr, names, out2, gradFn, finals, grad] of cases) {
      setw(m);
      expect(String(m)).toBe(repr);
      expect(m.namedParameters().map(([n]) => n)).toEqual(names);
      const x = input();
      const [out, h] = (m as unknown as (x: torch.Tensor) => [torch.Tensor, torch.Tensor | torch.Tensor[]])(x);
      expect(out.shape).toEqual([3, 2, 8]);
      expect(await text(out.index(2))).toBe(out2);
      expect(out.gradFn?.name).toBe(gradFn);
      const hs = Array.isArray(h) ? h : [h];
      expect(await Promise.all(hs.map((t) => text(t)))).toEqual(finals);
      // each output element weighted by its position, so that the gradient sees the time order
      const w = torch.arange(out.numel()).reshape(out.shape).float().div(10);
      await hs.reduce((acc, t) => acc.add(t.sum()), out.sum().add(out.mul(w).sum())).backward();
      expect(await text(x.grad!.index(1))).toBe(grad);
    }
    // unbatched [T, I] input with an initial state [2, H]
    const gru = setw(new nn.GRU(3, 4, { bidirectional: true }));
    const [uo, uh] = gru(input().index(':', 0), torch.ones([2, 4]).mul(0.5));
    expect(uo.shape).toEqual([3, 8]);
    expect(await text(uo.detach())).toBe('tensor([[ 0.4170,  0.2989,  0.1039,  0.4350,  0.0907,  0.3259,  0.3305,  0.0582],\n        [ 0.3499,  0.1735, -0.0091,  0.3595,  0.0191,  0.1985,  0.2747, -0.0852],\n        [ 0.2959,  0.0933, -0.0028,  0.2681,  0.0854,  0.1585,  0.3058, -0.0813]])');
    expect(await text(uh.detach())).toBe('tensor([[ 0.2959,  0.0933, -0.0028,  0.2681],\n        [ 0.0907,  0.3259,  0.3305,  0.0582]])');
    // a given initial state [L·2, N, H] is read layer 0 forward, layer 0 reverse, layer 1 forward, …
    const gru2 = setw(new nn.GRU(3, 4, { numLayers: 2, batchFirst: true, bidirectional: true }));
    const [go, gh] = gru2(input(), torch.arange(48).reshape(4, 3, 4).float().div(24).sub(1));
    expect(await text(go.index(':', 0).detach())).toBe('tensor([[ 0.0381,  0.0185, -0.0788, -0.0567,  0.1976,  0.2202,  0.1017,  0.0934],\n        [ 0.1155,  0.1064,  0.0018,  0.0167,  0.2206,  0.2650,  0.1551,  0.1790],\n        [ 0.1947,  0.2052,  0.0796,  0.0914,  0.2459,  0.3263,  0.2304,  0.2215]])');
    expect(await text(gh.detach())).toBe('tensor([[[-0.0679, -0.2876, -0.3211,  0.2004],\n         [-0.0806, -0.0521, -0.1652,  0.0771],\n         [ 0.0031, -0.0952, -0.2695,  0.1413]],\n\n        [[-0.1425,  0.1825,  0.0884, -0.0503],\n         [-0.1492,  0.1559,  0.0917, -0.0964],\n         [-0.1879,  0.0637,  0.0642, -0.1933]],\n\n        [[ 0.0570,  0.1123, -0.0645, -0.2003],\n         [ 0.1038,  0.1161, -0.0380, -0.1118],\n         [ 0.1478,  0.1303, -0.0304, -0.1077]],\n\n        [[ 0.1976,  0.2202,  0.1017,  0.0934],\n         [ 0.2206,  0.2650,  0.1551,  0.1790],\n         [ 0.2459,  0.3263,  0.2304,  0.2215]]])');
    // dropout between layers (p = 1 in training: the second layer sees zeros, on both directions' features)
    const dl = setw(new nn.LSTM(3, 4, { numLayers: 2, dropout: 1, bidirectional: true }));
    const [dout, [dh]] = dl(input());
    expect(await text(dout.index(0))).toBe('tensor([[ 0.0000, -0.0188, -0.0331, -0.0652,  0.0305,  0.0499,  0.0325,  0.0435],\n        [ 0.0000, -0.0188, -0.0331, -0.0652,  0.0305,  0.0499,  0.0325,  0.0435]],\n       grad_fn=<SelectBackward0>)');
    expect(await text(dh)).toBe('tensor([[[ 0.1455,  0.0603, -0.0079,  0.1084],\n         [ 0.1368,  0.0964, -0.0370,  0.1516]],\n\n        [[ 0.0111,  0.2416,  0.1344,  0.0646],\n         [-0.0081,  0.1578,  0.0860,  0.0020]],\n\n        [[ 0.0056, -0.0339, -0.0504, -0.1018],\n         [ 0.0056, -0.0339, -0.0504, -0.1018]],\n\n        [[ 0.0305,  0.0499,  0.0325,  0.0435],\n         [ 0.0305,  0.0499,  0.0325,  0.0435]]], grad_fn=<StackBackward0>)');
    // PyTorch's messages for an initial state of the wrong size or number of dimensions
    const x = torch.ones([3, 2, 3]), lstm = new nn.LSTM(3, 4, { bidirectional: true });
    expect(() => lstm(x, [torch.ones([1, 2, 4]), torch.ones([2, 2, 4])])).toThrow('Expected hidden[0] size (2, 2, 4), got [1, 2, 4]');
    expect(() => lstm(x, [torch.ones([2, 2, 4]), torch.ones([2, 3, 4])])).toThrow('Expected hidden[1] size (2, 2, 4), got [2, 3, 4]');
    expect(() => gru(x, torch.ones([1, 2, 4]))).toThrow('Expected hidden size (2, 2, 4), got [1, 2, 4]');
    expect(() => gru(x.index(':', 0), torch.ones([1, 4]))).toThrow('Expected hidden size (2, 1, 4), got [1, 1, 4]');
    expect(() => gru(x.index(':', 0), torch.ones([2, 1, 4]))).toThrow('For unbatched 2-D input, hx should also be 2-D but got 3-D tensor');
    expect(() => gru(x, torch.ones([2, 4]))).toThrow('For batched 3-D input, hx should also be 3-D but got 2-D tensor');
    expect(() => lstm(x, [torch.ones([2, 2, 4]), torch.ones([2, 4])])).toThrow('For batched 3-D input, hx and cx should also be 3-D but got (3-D, 2-D) tensors');
    expect(() => lstm(x.index(':', 0), [torch.ones([2, 4]), torch.ones([2, 1, 4])])).toThrow('For unbatched 2-D input, hx and cx should also be 2-D but got (2-D, 3-D) tensors');
  });

  it('gradients match finite differences (float64), and the GPU gives the CPU\'s results', async () => {
    const f64 = { dtype: 'float64' as const };
    const gru = new nn.GRU(2, 3, f64), lstm = new nn.LSTM(2, 3, { ...f64, numLayers: 2 });
    await gradcheck((x) => gru(x)[0], [[4, 2, 2]]);
    await gradcheck((x, h) => lstm(x, [h, h.mul(0.5)])[1][1], [[3, 1, 2], [2, 1, 3]]);
    const bgru = new nn.GRU(2, 3, { ...f64, numLayers: 2, bidirectional: true, batchFirst: true });
    await gradcheck((x, h) => { const [o, hn] = bgru(x, h); return torch.cat([o.flatten(), hn.flatten()]); }, [[2, 3, 2], [4, 2, 3]]);
    const blstm = new nn.LSTM(2, 3, { ...f64, bidirectional: true });
    await gradcheck((x, h) => blstm(x, [h, h.mul(0.5)])[1][1], [[3, 1, 2], [2, 1, 3]]);
    if (!available) return;
    const run = async (dev: string) => {
      const m = setw(new nn.LSTM(3, 4, { numLayers: 2 }), dev), x = input(dev);
      const [out, [h, c]] = m(x);
      await out.sum().add(h.sum()).add(c.mul(2).sum()).backward();
      return [await values(out), await values(x.grad!), await values(m.parameters()[1].grad!)];
    };
    const [cpu, gpu] = [await run('cpu'), await run('gpu')];
    for (let k = 0; k < 3; k++) close(gpu[k], cpu[k], 1e-5);
    const runBi = async (dev: string) => { // bidirectional, two layers, batch first; a reverse weight's gradient too
      const m = setw(new nn.GRU(3, 4, { numLayers: 2, batchFirst: true, bidirectional: true }), dev), x = input(dev);
      const [out, h] = m(x);
      await out.mul(torch.arange(out.numel()).reshape(out.shape).float().div(10).to(dev)).sum().add(h.sum()).backward();
      const p = Object.fromEntries(m.namedParameters());
      return [await values(out), await values(h), await values(x.grad!), await values(p.weight_hh_l0_reverse.grad!), await values(p.weight_ih_l1_reverse.grad!)];
    };
    if (process.env.TROUPE_GPU_TESTS !== 'all') return; // (composite-op GPU checks: see gpuForTests)
    const [cpuBi, gpuBi] = [await runBi('cpu'), await runBi('gpu')];
    for (let k = 0; k < 5; k++) close(gpuBi[k], cpuBi[k], 1e-5);
  });
});

describe('pad and interpolate', () => {
  it('PyTorch\'s values, grad_fns and gradients; finite differences', async () => {
    const x = torch.arange(6).reshape(1, 2, 3).float().requiresGrad_();
    expect(await text(F.pad(x, [1, 2]))).toBe('tensor([[[0., 0., 1., 2., 0., 0.],\n         [0., 3., 4., 5., 0., 0.]]], grad_fn=<ConstantPadNdBackward0>)');
    const y = F.pad(x, [1, 0, -1, 1], { value: 9.5 });
    expect(await text(y)).toBe('tensor([[[9.5000, 3.0000, 4.0000, 5.0000],\n         [9.5000, 9.5000, 9.5000, 9.5000]]], grad_fn=<ConstantPadNdBackward0>)');
    await y.mul(torch.arange(y.numel()).reshape(y.shape).float()).sum().backward();
    expect(await text(x.grad!)).toBe('tensor([[[0., 0., 0.],\n         [1., 2., 3.]]])');
    const z = torch.arange(6).reshape(1, 1, 2, 3).float().requiresGrad_();
    const u = F.interpolate(z, { scaleFactor: 2 });
    expect(await text(u)).toBe('tensor([[[[0., 0., 1., 1., 2., 2.],\n          [0., 0., 1., 1., 2., 2.],\n          [3., 3., 4., 4., 5., 5.],\n          [3., 3., 4., 4., 5., 5.]]]], grad_fn=<UpsampleNearest2DBackward1>)');
    await u.mul(torch.arange(u.numel()).reshape(u.shape).float()).sum().backward();
    expect(await text(z.grad!)).toBe('tensor([[[[14., 22., 30.],\n          [62., 70., 78.]]]])');
    expect(await text(F.interpolate(z.detach(), { size: [3, 5] }))).toBe('tensor([[[[0., 0., 1., 1., 2.],\n          [0., 0., 1., 1., 2.],\n          [3., 3., 4., 4., 5.]]]])');
    expect(await values(F.interpolate(torch.arange(4).reshape(1, 1, 4).float(), { size: 6 }))).toEqual([0, 0, 1, 2, 2, 3]);
    expect(await values(F.interpolate(torch.arange(4).reshape(1, 1, 4).float(), { scaleFactor: 0.5 }))).toEqual([0, 2]);
    expect(() => F.pad(x, [1])).toThrow('Padding length must be divisible by 2');
    expect(() => F.interpolate(z, { size: 3, scaleFactor: 2 })).toThrow('only one of size or scale_factor should be defined');
    await gradcheck((a) => F.pad(a, [2, -1, 0, 1], { value: 3 }), [[2, 3, 4]]);
    await gradcheck((a) => F.interpolate(a, { size: [5, 2] }), [[1, 2, 3, 3]]);
  });
});

describe('learning-rate schedules: PyTorch\'s lr at each epoch', () => {
  const lrs = (mk: (o: torch.optim.SGD) => torch.optim.LRScheduler, n = 8) => {
    const opt = new optim.SGD([torch.zeros([1]).requiresGrad_()], { lr: 0.1 });
    const s = mk(opt), out: number[] = [];
    for (let i = 0; i < n; i++) { out.push(opt.paramGroups[0].lr); opt.step(); s.step(); }
    return [...out, s.getLastLr()[0]].map((v) => Number(v.toPrecision(10)));
  };
  it('StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LambdaLR', () => {
    expect(lrs((o) => new optim.lrScheduler.StepLR(o, { stepSize: 3, gamma: 0.5 }))).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025]);
    expect(lrs((o) => new optim.lrScheduler.MultiStepLR(o, { milestones: [2, 5], gamma: 0.1 }))).toEqual([0.1, 0.1, 0.01, 0.01, 0.01, 0.001, 0.001, 0.001, 0.001]);
    expect(lrs((o) => new optim.ExponentialLR(o, { gamma: 0.9 }))).toEqual([0.1, 0.09, 0.081, 0.0729, 0.06561, 0.059049, 0.0531441, 0.04782969, 0.043046721]);
    expect(lrs((o) => new optim.lrScheduler.CosineAnnealingLR(o, { tMax: 5, etaMin: 0.01 }), 12)).toEqual(
      [0.1, 0.09140576475, 0.06890576475, 0.04109423525, 0.01859423525, 0.01, 0.01859423525, 0.04109423525, 0.06890576475, 0.09140576475, 0.1, 0.09140576475, 0.06890576475]);
    expect(lrs((o) => new optim.lrScheduler.LambdaLR(o, (e) => 1 / (e + 1)))).toEqual([0.1, 0.05, 0.03333333333, 0.025, 0.02, 0.01666666667, 0.01428571429, 0.0125, 0.01111111111]);
    expect(() => lrs((o) => new optim.lrScheduler.StepLR(o, { stepSize: 0 }))).toThrow('StepLR: stepSize must be a positive integer, got 0');
  });
  it('OneCycleLR (lr and momentum), LinearLR, ReduceLROnPlateau: PyTorch 1.13\'s values', () => {
    const run = (mk: (o: torch.optim.SGD) => { step(m?: number): void }, n: number, metric?: number[]) => {
      const opt = new optim.SGD([torch.zeros([1]).requiresGrad_()], { lr: 0.1, momentum: 0.9 });
      const s = mk(opt), lr: number[] = [], mom: number[] = [];
      for (let i = 0; i < n; i++) { lr.push(opt.paramGroups[0].lr); mom.push(opt.paramGroups[0].momentum); opt.step(); s.step(metric?.[i]); }
      return [[...lr, opt.paramGroups[0].lr].map((v) => Number(v.toPrecision(7))), mom.map((v) => Number(v.toPrecision(7)))];
    };
    expect(run((o) => new optim.lrScheduler.OneCycleLR(o, { maxLr: 1, totalSteps: 10 }), 10)).toEqual([
      [0.04, 0.52, 1, 0.9504846, 0.8117457, 0.611262, 0.388742, 0.1882583, 0.04951937, 4e-6, 0.04951937],
      [0.95, 0.9, 0.85, 0.8549516, 0.8688255, 0.888874, 0.911126, 0.9311745, 0.9450484, 0.95]]);
    expect(run((o) => new optim.lrScheduler.OneCycleLR(o, { maxLr: 0.5, totalSteps: 9, annealStrategy: 'linear', threePhase: true, pctStart: 0.4, divFactor: 10, finalDivFactor: 100 }), 9)).toEqual([
      [0.05, 0.2230769, 0.3961538, 0.4307692, 0.2576923, 0.08461538, 0.03585714, 0.01817857, 0.0005, -0.01717857],
      [0.95, 0.9115385, 0.8730769, 0.8653846, 0.9038462, 0.9423077, 0.95, 0.95, 0.95]]);
    expect(run((o) => new optim.lrScheduler.LinearLR(o, { startFactor: 0.25, totalIters: 4 }), 8)[0]).toEqual([0.025, 0.04375, 0.0625, 0.08125, 0.1, 0.1, 0.1, 0.1, 0.1]);
    expect(run((o) => new optim.lrScheduler.ReduceLROnPlateau(o, { factor: 0.5, patience: 1 }), 10, [5, 4, 4, 4, 4, 3.9999, 3, 3, 3, 3])[0])
      .toEqual([0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125]);
    expect(run((o) => new optim.lrScheduler.ReduceLROnPlateau(o, { mode: 'max', factor: 0.1, patience: 0, threshold: 0.5, thresholdMode: 'abs', cooldown: 2, minLr: 0.0005 }), 10, [1, 1.2, 2, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6, 2.7])[0])
      .toEqual([0.1, 0.1, 0.01, 0.01, 0.01, 0.001, 0.001, 0.001, 0.0005, 0.0005, 0.0005]);
    // Adam: the cycle moves beta1; stepping past the cycle is PyTorch's error
    const p = torch.zeros([1]).requiresGrad_(), adam = new optim.Adam([p], { lr: 0.1 });
    const s = new optim.lrScheduler.OneCycleLR(adam, { maxLr: 1, totalSteps: 4 });
    expect(adam.paramGroups[0].betas).toEqual([0.95, 0.999]);
    for (let i = 0; i < 4; i++) s.step();
    expect(() => s.step()).toThrow('Tried to step 6 times. The specified number of total steps is 4');
    expect(() => new optim.lrScheduler.OneCycleLR(new optim.Adagrad([p]), { maxLr: 1, totalSteps: 3 })).toThrow('optimizer must support momentum with `cycle_momentum` option enabled');
    expect(() => new optim.lrScheduler.ReduceLROnPlateau(adam).step(torch.tensor(1) as unknown as number)).toThrow('pass a number');
  });
});

// The optimizers against PyTorch 1.13: a 3-4-2 tanh network with fixed weights on fixed data, 6 steps.
const grid = (r: number, c: number, a: number, b: number, m: number, s: number) =>
  f32(Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => (((i * a + j * b) % m) - Math.floor(m / 2)) / s)));
function makeNet(device: string): torch.nn.Sequential {
  const net = new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 2));
  net.loadStateDict({ '0.weight': grid(4, 3, 7, 3, 11, 10), '0.bias': grid(1, 4, 5, 2, 7, 20).index(0), '2.weight': grid(2, 4, 3, 5, 9, 10), '2.bias': grid(1, 2, 1, 4, 5, 10).index(0) });
  return net.to(device);
}
type MakeOpt = (p: torch.nn.Parameter[]) => torch.optim.Optimizer<object>;
async function train(device: string, mk: MakeOpt, loss: 'mse' | 'ce', steps = 6): Promise<{ losses: number[]; w: number[] }> {
  const X = grid(8, 3, 5, 7, 13, 4).to(device), Y = grid(8, 2, 3, 1, 7, 3).to(device), C = torch.tensor([0, 1, 1, 0, 1, 0, 0, 1], { device });
  const net = makeNet(device), opt = mk(net.parameters()), losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    const l = loss === 'mse' ? F.mseLoss(net(X), Y) : F.crossEntropy(net(X), C);
    await l.backward();
    opt.step();
    losses.push((await l.item()) as number);
  }
  return { losses, w: await values((net[0] as torch.nn.Linear).weight) };
}
const CASES: Array<[string, MakeOpt, 'mse' | 'ce', number[], number[]]> = [
  ['SGD', (p) => new optim.SGD(p, { lr: 0.1 }), 'mse', [0.5724596, 0.5517365, 0.535102, 0.5215773, 0.5104443, 0.5011696],
    [-0.5066195, -0.1900802, 0.04358076, 0.2195369, 0.4735712, -0.251693, -0.2008033, 0.09965175, 0.3582395, 0.4795383, -0.2637463, -0.008175375]],
  ['SGD momentum', (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9 }), 'mse', [0.5724596, 0.5517365, 0.5201853, 0.489174, 0.4662155, 0.4531273],
    [-0.5170096, -0.1744003, -0.06229939, 0.2534248, 0.4287428, -0.1686599, -0.2024946, 0.09874395, 0.2820307, 0.4435103, -0.200355, -0.02092064]],
  ['SGD Nesterov, weight decay', (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 }), 'ce', [0.8563659, 0.8239136, 0.78285, 0.7378694, 0.692409, 0.6484582],
    [-0.400494, -0.2803999, 0.2100441, 0.257309, 0.4458241, -0.2182826, -0.08483016, 0.0002045147, 0.5366914, 0.3722872, -0.1880643, -0.158218]],
  ['SGD dampening', (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.5, dampening: 0.1 }), 'ce', [0.8563659, 0.8391888, 0.8165301, 0.7925776, 0.769235, 0.7472208],
    [-0.4584405, -0.2371753, 0.1489694, 0.2311402, 0.4745023, -0.2590668, -0.1527623, 0.05835416, 0.4583834, 0.444238, -0.2493387, -0.07250864]],
  ['Adam', (p) => new optim.Adam(p, { lr: 0.01 }), 'mse', [0.5724596, 0.5557269, 0.5406168, 0.5269344, 0.5145734, 0.5034705],
    [-0.5551093, -0.147209, 0.04103246, 0.2576931, 0.4418556, -0.2414807, -0.25569, 0.0932353, 0.3408555, 0.4410695, -0.2409992, -0.05853413]],
  ['Adam betas, eps, weight decay', (p) => new optim.Adam(p, { lr: 0.02, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 }), 'ce', [0.8563659, 0.806681, 0.761964, 0.7222577, 0.6870777, 0.6557429],
    [-0.3843218, -0.3033849, 0.2112105, 0.3005186, 0.3848881, -0.1866231, -0.07974023, -0.0201046, 0.5210369, 0.3819046, -0.183525, -0.1167927]],
  ['AdamW', (p) => new optim.AdamW(p, { lr: 0.02 }), 'ce', [0.8563659, 0.8062577, 0.7613508, 0.7216009, 0.6865335, 0.6553686],
    [-0.383896, -0.3143446, 0.2154838, 0.3137248, 0.3855195, -0.1851325, -0.0794851, -0.02034921, 0.5199343, 0.3806845, -0.1820314, -0.1184291]],
  ['RMSprop', (p) => new optim.RMSprop(p, { lr: 0.01 }), 'mse', [0.5724596, 0.4675442, 0.4432755, 0.431736, 0.4212354, 0.4108496],
    [-0.6515653, -0.1990401, -0.1576091, 0.270037, 0.4214672, -0.2431646, -0.5645095, -0.02355434, 0.2012868, 0.2950905, -0.16609, -0.34521]],
  ['RMSprop centered, momentum, weight decay', (p) => new optim.RMSprop(p, { lr: 0.005, alpha: 0.9, momentum: 0.5, centered: true, weightDecay: 0.05 }), 'ce', [0.8563659, 0.8143164, 0.766912, 0.7240487, 0.6868413, 0.6541666],
    [-0.3902217, -0.2984407, 0.2052016, 0.2928912, 0.3943998, -0.1966643, -0.07515459, -0.0244, 0.5272458, 0.3838787, -0.188473, -0.113602]],
  ['Adagrad', (p) => new optim.Adagrad(p, { lr: 0.1 }), 'mse', [0.5724596, 0.4675442, 0.4433226, 0.4318355, 0.4214363, 0.4111805],
    [-0.6517417, -0.1981557, -0.1558754, 0.2704285, 0.4209694, -0.2417641, -0.5633994, -0.02232685, 0.2018459, 0.2957818, -0.1658193, -0.3435874]],
  ['Adagrad lr decay, initial accumulator, weight decay', (p) => new optim.Adagrad(p, { lr: 0.1, lrDecay: 0.05, initialAccumulatorValue: 0.1, weightDecay: 0.01 }), 'ce', [0.8563659, 0.7661889, 0.7077422, 0.6631801, 0.6260998, 0.5939282],
    [-0.3729538, -0.3008052, 0.2376943, 0.2481291, 0.4497133, -0.2296549, -0.04307257, -0.03831946, 0.5810865, 0.3556455, -0.1763192, -0.1644763]],
  ['Adam AMSGrad', (p) => new optim.Adam(p, { lr: 0.01, amsgrad: true }), 'mse', [0.5724596, 0.5557269, 0.5406168, 0.5269344, 0.5145734, 0.5034705],
    [-0.5551093, -0.147209, 0.04103246, 0.2576931, 0.4418556, -0.2414807, -0.25569, 0.0932353, 0.3408555, 0.4410695, -0.2409992, -0.05853413]],
];
const close = (got: number[], want: number[], tol: number) => {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(Math.abs(v - want[i]), `element ${i}: ${v} against ${want[i]}`).toBeLessThan(tol * Math.max(1, Math.abs(want[i]))));
};

describe('optimizers: PyTorch\'s trajectories', () => {
  for (const [name, mk, loss, losses, w] of CASES) {
    it(`${name}: 6 steps, losses and weights as PyTorch's`, async () => {
      const r = await train('cpu', mk, loss);
      close(r.losses, losses, 1e-6);
      close(r.w, w, 2e-6);
    });
  }

  it('parameter groups, zeroGrad, printing and PyTorch\'s errors', async () => {
    const net = makeNet('cpu');
    const opt = new optim.SGD([{ params: (net[0] as torch.nn.Linear).parameters() }, { params: (net[2] as torch.nn.Linear).parameters(), lr: 0 }], { lr: 0.5 });
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.5, 0]);
    const before = await values((net[2] as torch.nn.Linear).weight);
    await F.mseLoss(net(torch.ones([2, 3])), torch.zeros([2, 2])).backward();
    opt.step();
    expect(await values((net[2] as torch.nn.Linear).weight)).toEqual(before); // lr 0: unchanged
    opt.zeroGrad(false);
    expect(await values(net.parameters()[0].grad!)).toEqual(new Array(12).fill(0));
    opt.zeroGrad();
    expect(net.parameters()[0].grad).toBe(null);
    expect(String(new optim.SGD(net.parameters(), { lr: 0.1 }))).toBe('SGD (\nParameter Group 0\n    dampening: 0\n    lr: 0.1\n    maximize: False\n    momentum: 0\n    nesterov: False\n    weightDecay: 0\n)');
    expect(() => new optim.SGD(net.parameters(), { lr: -1 })).toThrow('Invalid learning rate: -1');
    expect(() => new optim.SGD([], { lr: 1 })).toThrow('optimizer got an empty parameter list');
    expect(() => new optim.SGD(net.parameters(), { lr: 0.1, nesterov: true })).toThrow('Nesterov momentum requires a momentum and zero dampening');
    expect(() => new optim.Adam(net.parameters(), { betas: [1.0, 0.9] })).toThrow('Invalid beta parameter at index 0: 1.0');
    expect(() => new optim.Adam([net.parameters()[0].mul(2)])).toThrow("can't optimize a non-leaf Tensor");
    expect(() => new optim.Adam([...net.parameters(), net.parameters()[0]].map((p) => ({ params: [p] })))).toThrow('some parameters appear in more than one parameter group');
  });

  it('a training loop in torch.scope(): parameters and optimizer state outlive each step\'s scope', async () => {
    const ref = await train('cpu', CASES[5][1], 'ce');
    const X = grid(8, 3, 5, 7, 13, 4), C = torch.tensor([0, 1, 1, 0, 1, 0, 0, 1]);
    const net = makeNet('cpu'), opt = new optim.Adam(net.parameters(), { lr: 0.02, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 });
    const losses: number[] = [];
    for (let i = 0; i < 6; i++) {
      losses.push(await torch.scope(async () => {
        opt.zeroGrad();
        const l = F.crossEntropy(net(X), C);
        await l.backward();
        opt.step();
        return (await l.item()) as number;
      }));
    }
    expect(losses).toEqual(ref.losses);
    expect(await values((net[0] as torch.nn.Linear).weight)).toEqual(ref.w);
  });
});

describe.runIf(available)('on the GPU', () => {
  it('a model moved with to(\'gpu\') trains as on the CPU (SGD with momentum, Adam)', async () => {
    for (const k of [2, 6]) {
      const [name, mk, loss] = CASES[k];
      const cpu = await train('cpu', mk, loss), gpu = await train('gpu', mk, loss);
      close(gpu.losses, cpu.losses, 1e-5);
      close(gpu.w, cpu.w, 1e-5);
      expect(name).toBeTruthy();
    }
    const net = makeNet('gpu');
    expect(net.parameters().every((p) => p.device === 'gpu' && p instanceof nn.Parameter && p.requiresGrad)).toBe(true);
    expect(await text(net.parameters()[3])).toBe('Parameter containing:\ntensor([-0.2000,  0.2000], device=\'gpu:0\', requires_grad=True)');
    expect(() => net(torch.ones([2, 3]))).toThrow('Expected all tensors to be on the same device');
    // BCE's range check needs the input's values: on the GPU an input outside [0, 1] gives NaN instead
    expect(await values(F.binaryCrossEntropy(torch.tensor([1.5, 0.5], { device: 'gpu' }), torch.tensor([1, 0], { dtype: 'float32', device: 'gpu' })).cpu())).toEqual([NaN]);
    // An optimizer made before the move trains the moved parameters (the Parameter objects stay).
    const moved = makeNet('cpu'), ps = moved.parameters(), opt = new optim.SGD(ps, { lr: 0.1, momentum: 0.9 });
    moved.to('gpu');
    expect(moved.parameters().every((p, i) => p === ps[i] && p.device === 'gpu')).toBe(true);
    const Xg = grid(8, 3, 5, 7, 13, 4).to('gpu'), Yg = grid(8, 2, 3, 1, 7, 3).to('gpu');
    const got: number[] = [];
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      const l = F.mseLoss(moved(Xg), Yg);
      await l.backward();
      opt.step();
      got.push((await l.item()) as number);
    }
    close(got, CASES[1][3].slice(0, 3), 1e-5);
    // A loss's class weights move with to(), as PyTorch's buffers.
    const wce = new nn.CrossEntropyLoss({ weight: f32([1, 2]) }).to('gpu');
    expect(wce.weight!.device).toBe('gpu');
    expect(await values(wce(moved(Xg), torch.tensor([0, 1, 1, 0, 1, 0, 0, 1], { device: 'gpu' })))).toHaveLength(1);
    // copy_ across devices (a transfer), as PyTorch's: a GPU parameter from a CPU tensor.
    torch.noGrad(() => net.parameters()[3].copy_(f32([0.5, -0.5])));
    expect(await values(net.parameters()[3])).toEqual([0.5, -0.5]);
    const back = net.to('cpu');
    expect(back.parameters().every((p) => p.device === 'cpu')).toBe(true);
  });

  it('losses and activations on the GPU: the CPU\'s values and gradients', async () => {
    torch.manualSeed(4);
    const a = torch.randn([5, 4]), tgt = torch.tensor([3, 0, 1, -100, 2]), yb = torch.rand([5, 4]);
    const run = async (dev: string) => {
      const x = a.to(dev).detach().requiresGrad_();
      const t = tgt.to(dev), y = yb.to(dev);
      const parts = [
        F.crossEntropy(x, t, { labelSmoothing: 0.1, weight: f32([1, 2, 3, 4], dev) }), F.nllLoss(x.logSoftmax(1), t, { reduction: 'sum' }), F.mseLoss(x, y), F.l1Loss(x, y),
        F.binaryCrossEntropy(x.sigmoid(), y), F.binaryCrossEntropyWithLogits(x, y, { posWeight: f32([1, 2, 3, 4], dev) }),
        F.gelu(x).sum(), F.gelu(x, { approximate: 'tanh' }).sum(), F.silu(x).sum(), F.elu(x).sum(), F.leakyRelu(x).sum(), F.softplus(x).sum(),
        F.layerNorm(x, [4], f32([1, 2, 3, 4], dev), f32([0.5, 0, 0, 1], dev)).mul(y).sum(), F.embedding(torch.tensor([[1, 0], [4, 4]], { device: dev }), x).sum(),
        F.conv2d(x.reshape([1, 1, 5, 4]), x.index('0:2', '0:2').reshape([1, 1, 2, 2]), null, { padding: 1, stride: [2, 1] }).sin().sum(),
        F.maxPool2d(x.reshape([1, 1, 5, 4]), 2, { stride: 1 }).mul(y.index('0:4', '0:3')).sum(), F.avgPool2d(x.reshape([1, 1, 5, 4]), 3, { stride: 2, padding: 1 }).sum(),
        F.batchNorm(x.reshape([5, 2, 2]), null, null, { training: true, weight: f32([2, -1], dev) }).mul(y.reshape([5, 2, 2])).sum(),
        F.pad(x, [1, -1, 2, 0], { value: 0.5 }).sin().sum(), F.interpolate(x.reshape([1, 1, 5, 4]), { size: [7, 3] }).mul(2).sin().sum(),
      ];
      // grouped conv and ceil-mode pooling (composite ops: their GPU checks compile ~30 s of kernels cold; see gpuForTests)
      if (process.env.TROUPE_GPU_TESTS === 'all') parts.push(
        F.conv2d(x.reshape([1, 2, 5, 2]), x.index('0:4', '0:3').reshape([4, 1, 1, 3]).narrow(3, 0, 2), null, { groups: 2, padding: 1 }).sin().sum(),
        F.avgPool2d(x.reshape([1, 1, 5, 4]), 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }).sum(),
      );
      const total = torch.stack(parts);
      await total.mul(torch.arange(parts.length, { device: dev }).float().add(1)).sum().backward();
      return [await values(total), await values(x.grad!)];
    };
    const [cpu, gpu] = [await run('cpu'), await run('gpu')];
    for (let k = 0; k < 2; k++) close(gpu[k], cpu[k], 1e-5);
    // A class out of range on the GPU: the next read says so (the kernel cannot throw).
    const bad = F.crossEntropy(a.to('gpu'), torch.tensor([3, 0, 4, 1, 2], { device: 'gpu' }));
    await expect(bad.item()).rejects.toThrow('index out of bounds on gpu');
    expect(await values(F.crossEntropy(a.to('gpu'), tgt.to('gpu').clamp(0, 3)))).toHaveLength(1); // (and the GPU goes on)
  });
});
