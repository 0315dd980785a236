// Second (and third) derivatives: autograd.grad and backward with createGraph. PyTorch 1.13's values for a
// physics-style loss on an input derivative of an MLP, a gradient penalty, a Hessian-vector product,
// backward(createGraph) and a third derivative (test/fixtures/autograd2.json, from
// scripts/torch-autograd2.py); second derivatives of each op that supports them against finite
// differences of its first derivative in float64; the refusals (ops whose backward is not recorded); and
// the GPU against the CPU.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests, gradgradcheck, values } from './helpers.ts';

const F = torch.nn.functional;
const REF = JSON.parse(readFileSync(new URL('./fixtures/autograd2.json', import.meta.url), 'utf8')) as Record<string, any>;
const available = await gpuForTests('autograd-twice', { composite: true });
const D = { dtype: 'float64' } as const;

/** The script's fixed weights: sin(0.7·i + shift)·scale over the elements, shaped. */
function W(shape: number[], scale = 0.3, shift = 0): torch.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.arange(n, D).mul(0.7).add(shift).sin().mul(scale).reshape(shape);
}
function close(got: number[], want: number[], tol: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]), `${what}[${i}]: ${g} vs ${want[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i]))));
}
const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);

describe('createGraph: second derivatives against finite differences (float64)', () => {
  const cases: Array<[string, (...xs: torch.Tensor[]) => torch.Tensor, number[][], { positive?: boolean }?]> = [
    ['mul, div, pow', (a, b) => a.mul(b).div(b.mul(b).add(1)).pow(3), [[2, 3], [2, 3]]],
    ['pow by a tensor', (a, b) => torch.pow(a, b), [[4], [4]], { positive: true }],
    ['exp, log, sqrt, rsqrt', (a) => torch.exp(a.mul(0.3)).add(torch.log(a)).add(torch.sqrt(a)).mul(torch.rsqrt(a)), [[5]], { positive: true }],
    ['sin, cos, tanh, sigmoid, atan', (a) => torch.sin(a).mul(torch.cos(a)).add(torch.tanh(a)).mul(torch.sigmoid(a)).add(torch.atan(a)), [[5]]],
    ['log1p, expm1, erf, erfc, reciprocal', (a) => torch.log1p(a.abs()).mul(torch.expm1(a.mul(0.4))).add(torch.erf(a)).mul(torch.erfc(a)).add(torch.reciprocal(a.abs().add(1))), [[6]]],
    ['sum, mean, var, std over dims', (a) => a.mul(a).sum(1).add(a.mean(0).sum()).add(a.var(1)).mul(a.std(1)), [[3, 4]]],
    ['softmax, logSoftmax', (a) => torch.softmax(a, 1).mul(torch.logSoftmax(a, 1)), [[2, 4]]],
    ['logsumexp, norm, amax', (a) => a.logsumexp(1).mul(a.norm(2, 1)).add(torch.amax(a.mul(a), 1)), [[3, 4]]],
    ['linalg.vectorNorm (p = 2, 3)', (a) => torch.linalg.vectorNorm(a, 2, 1).mul(torch.linalg.vectorNorm(a, 3, 0).sum()), [[3, 4]]],
    ['matmul, dot, linear (addmm)', (a, w, b) => F.linear(a.matmul(w.t()).tanh(), w, b).mul(torch.dot(b, b)), [[2, 3], [3, 3], [3]]],
    ['silu, softplus, gelu, gelu tanh, mish, elu, selu, celu, logsigmoid, leakyRelu',
      (a) => F.silu(a).mul(F.softplus(a)).add(F.gelu(a)).mul(F.gelu(a, { approximate: 'tanh' })).add(F.mish(a)).mul(F.elu(a)).add(F.selu(a)).add(F.celu(a, 0.7)).mul(F.logsigmoid(a)).add(F.leakyRelu(a, 0.1).pow(2)), [[7]]],
    ['mseLoss, crossEntropy, nllLoss, bceWithLogits', (a, t) => F.mseLoss(a.tanh(), t).add(F.crossEntropy(a.mul(a), torch.tensor([1, 0], { dtype: 'int64' })))
      .add(F.nllLoss(F.logSoftmax(a, 1), torch.tensor([2, 1], { dtype: 'int64' }), { reduction: 'sum' })).add(F.binaryCrossEntropyWithLogits(a.mul(a), torch.sigmoid(t))), [[2, 3], [2, 3]]],
    ['layerNorm with weight and bias', (a, w, b) => F.layerNorm(a, [4], w, b).pow(2), [[3, 4], [4], [4]]],
    ['indexing, gather, indexSelect, cat, stack, where, clamp, abs, max(dim)', (a) => {
      const i = torch.tensor([2, 0, 2], { dtype: 'int64' });
      const parts = torch.cat([a.index(':', '1:3'), a.indexSelect(1, i)], 1).mul(torch.gather(a, 1, torch.tensor([[0, 1, 1, 0, 2], [2, 2, 0, 1, 1]], { dtype: 'int64' })));
      return torch.stack([parts.pow(2), torch.where(a.gt(0).index(':', '0:1').expand([2, 5]), parts, parts.mul(3))]).sum(0).mul(a.abs().clamp(0.2, 1.5).sum()).add(a.pow(3).max(1).values.sum());
    }, [[2, 3]]],
    ['conv2d (bias, stride, padding, groups), conv1d', (x, w, b, w1) => F.conv2d(x, w, b, { stride: [2, 1], padding: 1, groups: 2 }).tanh().sum([2, 3])
      .add(F.conv1d(x.reshape([1, 4, 9]), w1, null, { padding: 1 }).pow(2).sum(2)), [[1, 4, 3, 3], [2, 2, 2, 2], [2], [2, 4, 3]]],
    ['maxPool2d, avgPool2d (ceil mode, padding), constant pad', (x) => F.maxPool2d(x.pow(3), 2, { ceilMode: true }).sum([2, 3])
      .mul(F.avgPool2d(F.pad(x.mul(x), [1, 0, 0, 1]), 3, { stride: 2, padding: 1, countIncludePad: false }).sum([2, 3])), [[1, 2, 5, 5]]],
    ['batchNorm (training, eval), embedding, nearest upsampling', (x, w, b, e) => {
      const rm = torch.zeros([3], D), rv = torch.ones([3], D);
      const tr = F.batchNorm(x.pow(3), rm, rv, { training: true, weight: w, bias: b });
      const ev = F.batchNorm(x.pow(3), torch.tensor([0.1, -0.2, 0.3], D), torch.tensor([1.5, 0.5, 2], D), { training: false, weight: w, bias: b });
      const emb = F.embedding(torch.tensor([[1, 0], [3, 1]], { dtype: 'int64' }), e.pow(2)).sum(2); // [2, 2]
      return tr.mul(ev).sum([2, 3]).add(F.interpolate(x, { scaleFactor: 2 }).pow(2).sum([1, 2, 3]).unsqueeze(1)).mul(emb.sum(1, true).tanh());
    }, [[2, 3, 2, 2], [3], [3], [4, 3]]],
  ];
  for (const [name, f, shapes, o] of cases) it(name, async () => { await gradgradcheck(f, shapes, o); });
});

describe("PyTorch's values", () => {
  it("a physics-style loss on du/dx of an MLP: u, du, the loss, the weights' and the input's gradients", async () => {
    const R = REF.pinn;
    const ps = [W([8, 2], 0.8), W([8], 0.3, 1), W([8, 8], 0.4, 2), W([8], 0.3, 3), W([1, 8], 0.5, 4), W([1], 0.3, 5)].map((p) => p.requiresGrad_());
    const [w1, b1, w2, b2, w3, b3] = ps;
    const x = torch.arange(10, D).reshape([5, 2]).div(7).sub(0.6).requiresGrad_();
    const mlp = (x: torch.Tensor) => F.linear(F.silu(F.linear(torch.tanh(F.linear(x, w1, b1)), w2, b2)), w3, b3);
    const u = mlp(x);
    const [du] = await torch.autograd.grad(u.sum(), x, { createGraph: true });
    expect(du!.requiresGrad).toBe(true);
    const loss = du!.index(':', 0).add(u.squeeze(1).mul(du!.index(':', 1))).pow(2).mean().add(F.softplus(du!).sum().mul(0.1));
    await loss.backward();
    close(await values(u), flat(R.u), 1e-12, 'u');
    close(await values(du!), flat(R.du), 1e-12, 'du');
    close([(await loss.item()) as number], [R.loss], 1e-12, 'loss');
    for (let i = 0; i < ps.length; i++) close(await values(ps[i].grad!), flat(R.grads[i]), 1e-10, `grad ${i}`);
    close(await values(x.grad!), flat(R.x_grad), 1e-10, 'x.grad');
  });

  it("a gradient penalty: ((‖∂D/∂x‖ − 1)²).mean(), backward to D's weights (the last bias gets none)", async () => {
    const R = REF.gp;
    const qs = [W([6, 3], 0.7), W([6], 0.3, 1), W([1, 6], 0.6, 2), W([1], 0.3, 3)].map((p) => p.requiresGrad_());
    const [a1, c1, a2, c2] = qs;
    const xi = torch.arange(12, D).reshape([4, 3]).div(5).sub(1).requiresGrad_();
    const d = F.linear(F.leakyRelu(F.linear(xi, a1, c1), 0.2), a2, c2);
    const [gx] = await torch.autograd.grad(d.sum(), xi, { createGraph: true });
    const gp = gx!.norm(2, 1).sub(1).pow(2).mean();
    await gp.backward();
    close(await values(gx!), flat(R.gx), 1e-12, 'gx');
    close([(await gp.item()) as number], [R.gp], 1e-12, 'gp');
    for (const i of [0, 2]) close(await values(qs[i].grad!), flat(R.grads[i]), 1e-10, `grad ${i}`);
    // The first bias: leaky_relu's derivative does not depend on its input, so PyTorch's gradient is zeros
    // (its graph reaches the bias); troupe's graph does not, and leaves .grad null, as for the last bias.
    expect(flat(R.grads[1]).every((v) => v === 0)).toBe(true);
    expect(c1.grad).toBe(null);
    expect(R.grads[3]).toBe(null);
    expect(c2.grad).toBe(null);
  });

  it('a Hessian-vector product and the Hessian, row by row', async () => {
    const R = REF.hvp;
    const A = W([5, 4], 0.9);
    const w = torch.tensor([0.3, -0.8, 1.1, 0.05], D).requiresGrad_();
    const v = torch.tensor([1.0, -2.0, 0.5, 3.0], D);
    const f = (w: torch.Tensor) => F.softplus(A.matmul(w)).sum().add(w.logsumexp(0)).add(torch.sigmoid(w).mul(torch.exp(w.mul(w).neg())).sum());
    const [g] = await torch.autograd.grad(f(w), w, { createGraph: true });
    const [hv] = await torch.autograd.grad(torch.dot(g!, v), w, { retainGraph: true });
    close(await values(g!), R.g, 1e-12, 'g');
    close(await values(hv!), R.hv, 1e-10, 'Hv');
    for (let i = 0; i < 4; i++) {
      const [row] = await torch.autograd.grad(g!.index(i), w, { retainGraph: true });
      close(await values(row!), R.H[i], 1e-10, `H[${i}]`);
    }
  });

  it('backward({ createGraph }) leaves a .grad with a graph; a second backward through it', async () => {
    const R = REF.backward_create;
    const z = torch.tensor([0.5, -1.5, 2.0], D).requiresGrad_();
    await z.pow(3).mul(torch.sin(z)).sum().backward(undefined, { createGraph: true });
    close(await values(z.grad!), R.first, 1e-12, 'first');
    expect(z.grad!.requiresGrad).toBe(true);
    const gz = z.grad!;
    z.grad = null;
    await gz.sum().backward();
    close(await values(z.grad!), R.second, 1e-12, 'second');
    // Two createGraph backwards accumulate into .grad with the graph kept: twice the first and second derivatives.
    z.grad = null;
    for (let k = 0; k < 2; k++) await z.pow(3).mul(torch.sin(z)).sum().backward(undefined, { createGraph: true });
    close(await values(z.grad!), R.first.map((v: number) => 2 * v), 1e-12, 'first, twice');
    const [h] = await torch.autograd.grad(z.grad!.sum(), z);
    close(await values(h!), R.second.map((v: number) => 2 * v), 1e-12, 'second, twice');
  });

  it('a third derivative: grad three times', async () => {
    const t = torch.tensor(0.7, D).requiresGrad_();
    const e = t.pow(4).mul(torch.exp(t));
    const [d1] = await torch.autograd.grad(e, t, { createGraph: true });
    const [d2] = await torch.autograd.grad(d1!, t, { createGraph: true });
    const [d3] = await torch.autograd.grad(d2!, t);
    close([await d1!.item(), await d2!.item(), await d3!.item()] as number[], REF.third, 1e-12, 'd1..d3');
  });

  it("first gradients' grad_fn names (where troupe's formula is PyTorch's)", async () => {
    const s = torch.tensor([0.5, 1.5], D).requiresGrad_();
    for (const [name, fn] of [['pow', (s: torch.Tensor) => s.pow(3)], ['exp', torch.exp], ['mul', (s: torch.Tensor) => s.mul(s)]] as const) {
      const [g] = await torch.autograd.grad(fn(s).sum(), s, { createGraph: true });
      expect(g!.gradFn?.name, name).toBe(REF.names[name]);
    }
  });
});

describe('createGraph: what it refuses', () => {
  it("an op whose backward is not recorded: a clear error naming it, not a silently wrong gradient", async () => {
    // (an in-place op on a view: CopySlices writes the gradient into a window that carries no graph)
    const x = torch.tensor([[2, 1], [0.5, 3]], D).requiresGrad_();
    const f = () => { const b = x.pow(2); b.index(0).mul_(3); return b.sum(); };
    await expect(torch.autograd.grad(f(), x, { createGraph: true })).rejects.toThrow(/createGraph: the backward of CopySlices is not recorded/);
    // Without createGraph, the same graph's first derivative is fine.
    const [g] = await torch.autograd.grad(f(), x);
    expect(g!.shape).toEqual([2, 2]);
    expect(g!.requiresGrad).toBe(false);
  });

  it("an op without a recorded backward is fine after the createGraph pass (the ordinary backward that follows)", async () => {
    // The penalty sorts the gradient norms: only the createGraph pass must avoid ops whose backward is not
    // recorded, not what is computed from its gradients (sort is differentiable twice now, and checked
    // here against the same loss with its order applied by hand).
    const w = torch.tensor([[0.5, -1], [2, 0.3]], D).requiresGrad_();
    const xi = torch.tensor([[1, 2], [-1, 0.5], [0.2, 0.1]], D).requiresGrad_();
    const [gx] = await torch.autograd.grad(torch.tanh(xi.matmul(w)).sum(), xi, { createGraph: true });
    const loss = torch.sort(gx!.norm(2, 1)).values.mul(torch.tensor([1, 2, 3], D)).sum();
    await loss.backward();
    expect(w.grad!.shape).toEqual([2, 2]);
    // (against the same loss with the sorted order applied by hand, which needs no SortBackward0)
    const order = (await values(torch.argsort(gx!.detach().norm(2, 1)))).map(Number);
    const w2 = w.detach().clone().requiresGrad_();
    const xi3 = xi.detach().requiresGrad_();
    const [g3] = await torch.autograd.grad(torch.tanh(xi3.matmul(w2)).sum(), xi3, { createGraph: true });
    const n3 = g3!.norm(2, 1);
    const byHand = order.reduce<torch.Tensor>((acc, r, k) => acc.add(n3.index(r).mul(k + 1)), torch.zeros([], D));
    await byHand.backward();
    close(await values(w.grad!), await values(w2.grad!), 1e-12, 'w.grad');
  });

  it("PyTorch's error for a graph a createGraph pass did not retain (retainGraph: false)", async () => {
    const q = torch.tensor([1, 2], D).requiresGrad_();
    const e2 = q.pow(2).sum();
    await torch.autograd.grad(e2, q, { createGraph: true, retainGraph: false });
    await expect(torch.autograd.grad(e2, q)).rejects.toThrow(/^Trying to backward through the graph a second time/);
    expect(REF.err_freed).toMatch(/^Trying to backward through the graph a second time/);
  });

  it("without createGraph, a first gradient has no graph (and a leaf's .grad accumulates in place)", async () => {
    const x = torch.tensor([1, 2], D).requiresGrad_();
    const [g] = await torch.autograd.grad(x.pow(3).sum(), x);
    expect(g!.requiresGrad).toBe(false);
    await x.pow(2).sum().backward();
    const before = x.grad!;
    await x.pow(2).sum().backward();
    expect(x.grad).toBe(before);
    expect(await values(x.grad!)).toEqual([4, 8]);
  });
});

describe.skipIf(!available)('createGraph on the GPU', () => {
  it('the gradient penalty and a Hessian-vector product equal the CPU', async () => {
    const run = async (device: string) => {
      const qs = [W([6, 3], 0.7, 0), W([6], 0.3, 1), W([1, 6], 0.6, 2), W([1], 0.3, 3)].map((p) => p.to({ dtype: 'float32', device }).detach().requiresGrad_());
      const [a1, c1, a2, c2] = qs;
      const xi = torch.arange(12, { device }).reshape([4, 3]).div(5).sub(1).requiresGrad_();
      const d = F.linear(torch.tanh(F.linear(xi, a1, c1)), a2, c2);
      const [gx] = await torch.autograd.grad(d.sum(), xi, { createGraph: true });
      await gx!.norm(2, 1).sub(1).pow(2).mean().backward();
      const w = torch.tensor([0.3, -0.8, 1.1, 0.05], { device }).requiresGrad_();
      const [g] = await torch.autograd.grad(F.softplus(w.mul(w)).sum().add(w.logsumexp(0)), w, { createGraph: true });
      const [hv] = await torch.autograd.grad(g!.mul(torch.tensor([1, -2, 0.5, 3], { device })).sum(), w);
      return [await values(gx!), ...(await Promise.all(qs.slice(0, 3).map((p) => values(p.grad!)))), await values(hv!)];
    };
    const [cpu, gpu] = [await run('cpu'), await run('gpu')];
    cpu.forEach((c, i) => close(gpu[i], c, 1e-5, `part ${i}`));
  });
});
