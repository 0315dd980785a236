import { describe, expect, it } from 'vitest';
import { run } from '../scenarios/seed-walkthrough.ts';

// The tour's printed PyTorch output for every cell whose values do not depend on the random generator.
const expected = [
  'tensor([[1., 1.],\n        [1., 1.],\n        [1., 1.]])',
  'tensor([[0., 0.],\n        [0., 0.],\n        [0., 0.]])',
  null, // rand
  null, // empty (uninitialised in PyTorch)
  'tensor([[0., 0.],\n        [0., 0.],\n        [0., 0.]])',
  'tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])',
  'tensor([[1, 2],\n        [3, 4],\n        [5, 6]])',
  'torch.Size([3, 2])',
  'tensor([2, 4, 6])',
  'tensor([1, 2])',
  'tensor(4)',
  '4',
  'tensor([[1, 2],\n        [3, 4],\n        [5, 6]])',
  'tensor([[1, 2, 3],\n        [4, 5, 6]])',
  'tensor([[1],\n        [2],\n        [3],\n        [4],\n        [5],\n        [6]])',
  'tensor([[2., 2.],\n        [2., 2.],\n        [2., 2.]])',
  'tensor([[0., 0.],\n        [0., 0.],\n        [0., 0.]])',
  'tensor([[1., 1.],\n        [1., 1.],\n        [1., 1.]])',
  'tensor([[2., 2.],\n        [2., 2.],\n        [2., 2.]])',
  'tensor([[1., 1.],\n        [1., 1.],\n        [1., 1.]])',
  'tensor([[2., 2.],\n        [2., 2.],\n        [2., 2.]])',
  'tensor([[2., 2.],\n        [2., 2.],\n        [2., 2.]])',
  'Tensor Float32Array',
  '[1, 1, 1, 1, 1, 1]',
  '[-0.22648217, 2.33063636, -2.35281499, 1.52592661, 0.05184195]',
  'Float64Array Tensor',
  'tensor([-0.2265,  2.3306, -2.3528,  1.5259,  0.0518], dtype=torch.float64)',
  null, // the array after +1 (JS prints full precision)
  'tensor([ 0.7735,  3.3306, -1.3528,  2.5259,  1.0518], dtype=torch.float64)',
  null, // timing
  'tensor([[1., 1.],\n        [1., 1.],\n        [1., 1.]], requires_grad=True)',
  'tensor([[6., 6.],\n        [6., 6.],\n        [6., 6.]], grad_fn=<AddBackward0>)',
  'tensor([[37., 37.],\n        [37., 37.],\n        [37., 37.]], grad_fn=<AddBackward0>)',
  'tensor(222., grad_fn=<SumBackward0>)',
  'tensor([[12., 12.],\n        [12., 12.],\n        [12., 12.]])',
  'tensor([[0.9975, 0.9975],\n        [0.9975, 0.9975],\n        [0.9975, 0.9975]], grad_fn=<MulBackward0>)',
  'tensor([[0.0025, 0.0025],\n        [0.0025, 0.0025],\n        [0.0025, 0.0025]])',
  'tensor([[0.0025, 0.0025],\n        [0.0025, 0.0025],\n        [0.0025, 0.0025]])',
];

describe('seed walkthrough', () => {
  it('prints what PyTorch prints for every deterministic cell, and the learning loop converges', async () => {
    const log = console.log;
    console.log = () => {};
    let out: string[];
    try { out = await run(); } finally { console.log = log; }
    expected.forEach((e, i) => { if (e !== null) expect([i, out[i]]).toEqual([i, e]); });
    const rest = out.slice(expected.length);
    expect(rest[0]).toMatch(/^tensor\(\d+\.\d{4}, grad_fn=<SumBackward0>\)$/);        // loss
    expect(rest[1]).toMatch(/^tensor\(\[-?\d+\.\d{4}\]\) tensor\(\[-?\d+\.\d{4}\]\)$/); // w.grad b.grad
    expect(rest[2]).toBe('1.0 1.0');
    const [w, b] = rest[rest.length - 1].split(' ').map(Number);
    expect(rest.length).toBe(3 + 10);
    expect(Math.abs(w - 3)).toBeLessThan(0.5);
    expect(Math.abs(b + 2)).toBeLessThan(0.5);
  });
});
