// torch.* spellings of nn.functional operations with torch's positional signatures, and the in-place
// top-level forms (src/torch-aliases.ts), against PyTorch 1.13 (test/fixtures/torch-aliases.json, from
// scripts/torch-torch-aliases.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';

const R = JSON.parse(readFileSync(new URL('./fixtures/torch-aliases.json', import.meta.url), 'utf8')) as Record<string, any>;
const I = Object.fromEntries(Object.entries(R.inputs as Record<string, [number[], number[]]>).map(([k, [shape, v]]) => [k, torch.tensor(v, { dtype: 'float64' }).reshape(shape)]));
const f64 = (v: number[]) => torch.tensor(v, { dtype: 'float64' });
async function close(t: torch.Tensor, want: number[], what: string, tol = 1e-12) {
  const got = Array.from(await t.toTypedArray(), Number);
  expect(got.length, what).toBe(want.length);
  got.forEach((g, i) => { if (!(Math.abs(g - want[i]) <= tol * Math.max(1, Math.abs(want[i])))) expect.fail(`${what}[${i}]: ${g} vs ${want[i]}`); });
}

describe("torch's spellings of nn.functional operations", () => {
  it("convolutions and pools with torch's positional arguments give PyTorch's values", async () => {
    const { x1, w1, b1, x2, w2, b2, x3, w3, wt } = I;
    await close(torch.conv1d(x1, w1, b1, 2, 1, 2, 2), R.conv1d, 'conv1d');
    await close(torch.conv2d(x2, w2, b2, [2, 1], [1, 0], [1, 2], 2), R.conv2d, 'conv2d');
    await close(torch.conv3d(x3, w3, null, 1, [1, 0, 1], 1, 1), R.conv3d, 'conv3d');
    await close(torch.convTranspose2d(x2, wt, null, 2, 1, 1, 1, 1), R.conv_transpose2d, 'conv_transpose2d');
    await close(torch.maxPool1d(x1, 3, 2, 1, 1, true), R.max_pool1d, 'max_pool1d');
    await close(torch.maxPool2d(x2, [3, 2], [], 1), R.max_pool2d, 'max_pool2d (stride [] = the kernel)');
    await close(torch.maxPool3d(x3, 2, 1, 0, 1, false), R.max_pool3d, 'max_pool3d');
    const [v, i] = torch.maxPool1dWithIndices(x1, 2, 2);
    await close(v, R.max_pool1d_with_indices[0], 'max_pool1d_with_indices values');
    await close(i, R.max_pool1d_with_indices[1], 'max_pool1d_with_indices indices');
    await close(torch.avgPool1d(x1, 3, 2, 1, false, false), R.avg_pool1d, 'avg_pool1d');
    await close(torch.adaptiveAvgPool1d(x1, 4), R.adaptive_avg_pool1d, 'adaptive_avg_pool1d');
    const [av, ai] = torch.adaptiveMaxPool1d(x1, 4);
    await close(av, R.adaptive_max_pool1d[0], 'adaptive_max_pool1d values');
    await close(ai, R.adaptive_max_pool1d[1], 'adaptive_max_pool1d indices');
  });

  it("normalizations, embedding, activations, padding, dropout, fill and in-place forms give PyTorch's values", async () => {
    const { x1, x2 } = I;
    const [g, b] = R.norm_inputs.map(f64);
    await close(torch.dropout(x1, 0.5, false), R.dropout_eval, 'dropout(train=false)');
    const rm = torch.zeros([4], { dtype: 'float64' }), rv = torch.ones([4], { dtype: 'float64' });
    await close(torch.batchNorm(x2, g, b, rm, rv, true, 0.3, 1e-5, false), R.batch_norm_train[0], 'batch_norm training');
    await close(rm, R.batch_norm_train[1], 'running mean');
    await close(rv, R.batch_norm_train[2], 'running var');
    await close(torch.batchNorm(x2, g, b, rm, rv, false, 0.3, 1e-5, false), R.batch_norm_eval, 'batch_norm eval');
    await close(torch.layerNorm(x2, [7, 6], null, null, 1e-5, false), R.layer_norm, 'layer_norm');
    await close(torch.groupNorm(x2, 2, g, b, 1e-5, false), R.group_norm, 'group_norm');
    await close(torch.instanceNorm(x2, g, b, null, null, true, 0.1, 1e-5, false), R.instance_norm, 'instance_norm');
    await close(torch.embedding(f64(R.emb).reshape([5, 3]), torch.tensor([[0, 4], [2, 2]]), 2), R.embedding, 'embedding(weight, indices)');
    await close(torch.pixelShuffle(x2, 2), R.pixel_shuffle, 'pixel_shuffle');
    await close(torch.prelu(x2, f64([0.25])), R.prelu, 'prelu');
    await close(torch.selu(x1), R.selu_celu_threshold[0], 'selu');
    await close(torch.celu(x1, 0.7), R.selu_celu_threshold[1], 'celu');
    await close(torch.threshold(x1, 0.1, -3), R.selu_celu_threshold[2], 'threshold');
    await close(torch.pdist(x1.index(0), 3), R.pdist, 'pdist');
    await close(torch.constantPadNd(x1, [1, 2], 5), R.constant_pad_nd, 'constant_pad_nd');
    const f = torch.fill(x1, 2.5);
    await close(f, R.fill, 'fill');
    expect(f).not.toBe(x1);
    const y = x1.clone();
    expect(torch.abs_(y)).toBe(y);
    torch.clamp_(y, 0.2, 1.0); torch.exp_(y);
    await close(y, R.inplace, 'abs_, clamp_, exp_');
    expect(await torch.concatenate([f64([1]), f64([2, 3])]).tolist()).toEqual([1, 2, 3]);
    // (the functional forms these stand for have their own PyTorch tests in functional-more2)
    const neg = f64([-2, 3]);
    expect(await torch.rrelu(neg).tolist()).toEqual(await torch.nn.functional.rrelu(neg).tolist());
    expect(await torch.channelShuffle(torch.arange(4, { dtype: 'float64' }).reshape([1, 4, 1]), 2).tolist()).toEqual([[[0], [2], [1], [3]]]);
    const t = f64([-1, 0.5]);
    expect(torch.threshold_(t, 0, 9)).toBe(t);
    expect(await t.tolist()).toEqual([9, 0.5]);
    expect(torch.detach(x1.clone().requiresGrad_()).requiresGrad).toBe(false);
    expect([torch.isConj(x1), torch.isNeg(x1), torch.getDevice(x1), torch.real(x1) === x1, torch.conj(x1) === x1]).toEqual([false, false, -1, true, true]);
  });
});
