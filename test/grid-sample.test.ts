// F.gridSample against PyTorch 1.13 (test/fixtures/grid-sample.json, from scripts/torch-grid-sample.py):
// 4-D and 5-D inputs, bilinear and nearest (and bicubic for 4-D), the three padding modes, both alignCorners, values and the
// gradients of the input and the grid, errors; the GPU against the CPU.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from '../src/index.ts';
import { gpuForTests } from './helpers.ts';

const F = torch.nn.functional;
const R = JSON.parse(readFileSync(new URL('./fixtures/grid-sample.json', import.meta.url), 'utf8')) as Record<string, any>;
const available = await gpuForTests('grid-sample', { composite: true });
const f64 = (v: number[], shape: number[]) => torch.tensor(v, { dtype: 'float64' }).reshape(shape);
const inputs = { '4d': [f64(R.x4, [2, 3, 4, 5]), f64(R.g4, [2, 3, 6, 2])], '5d': [f64(R.x5, [1, 2, 3, 4, 5]), f64(R.g5, [1, 2, 3, 4, 3])] } as const;
function close(got: ArrayLike<number>, want: number[], tol: number, what: string) {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) if (!(Math.abs(got[i] - want[i]) <= tol * Math.max(1, Math.abs(want[i])))) expect.fail(`${what}[${i}]: ${got[i]} vs ${want[i]}`);
}

describe('F.gridSample', () => {
  it("PyTorch's values and gradients for every mode, padding mode and alignCorners, 4-D and 5-D", async () => {
    for (const c of R.cases) {
      const [x0, g0] = inputs[c.dims as '4d' | '5d'];
      const x = x0.clone().requiresGrad_(), g = g0.clone().requiresGrad_();
      const y = F.gridSample(x, g, { mode: c.mode, paddingMode: c.padding, alignCorners: c.align });
      const w = torch.arange(y.numel(), { dtype: 'float64' }).reshape(y.shape).div(7).add(0.5);
      await y.mul(w).sum().backward();
      const what = `${c.dims} ${c.mode} ${c.padding} align=${c.align}`;
      close(await y.detach().toTypedArray() as Float64Array, c.y, 1e-12, `${what} y`);
      close(await x.grad!.toTypedArray() as Float64Array, c.gx, 1e-12, `${what} input grad`);
      close(await g.grad!.toTypedArray() as Float64Array, c.gg, 1e-10, `${what} grid grad`);
    }
  });

  it("PyTorch's errors", () => {
    const [x, g] = inputs['4d'];
    const g5 = inputs['5d'][1];
    expect(() => F.gridSample(x, g, { mode: 'cubic' as 'nearest', alignCorners: false })).toThrow(R.errors[0]);
    expect(() => F.gridSample(x, g, { paddingMode: 'wrap' as 'zeros', alignCorners: false })).toThrow(R.errors[1]);
    expect(() => F.gridSample(x, g.float(), { alignCorners: false })).toThrow(R.errors[2]);
    expect(() => F.gridSample(x, g5, { alignCorners: false })).toThrow(R.errors[3]);
    expect(() => F.gridSample(x, g.narrow(0, 0, 1), { alignCorners: false })).toThrow(R.errors[4]);
    expect(() => F.gridSample(x, torch.zeros([2, 3, 6, 3], { dtype: 'float64' }), { alignCorners: false })).toThrow(R.errors[5]);
    expect(() => F.gridSample(inputs['5d'][0], g5, { mode: 'bicubic', alignCorners: false })).toThrow(R.errors[6]);
    // the identity grid of affineGrid reproduces the image (alignCorners either way)
  });

  it('affineGrid then gridSample with the identity transform gives the image back', async () => {
    const x = torch.randn([1, 2, 5, 7], { dtype: 'float64' });
    for (const alignCorners of [false, true]) {
      const grid = F.affineGrid(torch.tensor([[[1, 0, 0], [0, 1, 0]]], { dtype: 'float64' }), [1, 2, 5, 7], { alignCorners });
      close(await F.gridSample(x, grid, { alignCorners }).toTypedArray() as Float64Array, Array.from(await x.toTypedArray() as Float64Array), 1e-12, `identity align=${alignCorners}`);
    }
  });

  it.skipIf(!available)('the GPU gives the CPU values (float32)', async () => {
    const [x, g] = inputs['4d'];
    for (const mode of ['bilinear', 'nearest'] as const) for (const paddingMode of ['zeros', 'border', 'reflection'] as const) {
      const c = await F.gridSample(x.float(), g.float(), { mode, paddingMode, alignCorners: false }).toTypedArray();
      const d = await F.gridSample(x.float().to('gpu'), g.float().to('gpu'), { mode, paddingMode, alignCorners: false }).toTypedArray();
      close(d, Array.from(c), 1e-5, `gpu ${mode} ${paddingMode}`);
    }
  });
});
