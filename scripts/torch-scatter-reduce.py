# PyTorch 1.13's scatter_reduce: values (float with NaN, int with floor means, 2-D along either dim, an
# index smaller than src), gradients and grad_fns, errors (test/scatter-reduce.test.ts):
# /usr/bin/python3 scripts/torch-scatter-reduce.py
import torch, json, os, warnings
from torch_fixture import err
warnings.simplefilter('ignore')
out = {}
nan = float('nan')
L = lambda t: [None if v != v else v for v in t.flatten().tolist()]
R = ['sum', 'prod', 'mean', 'amax', 'amin']

x = torch.tensor([1., 2., 3., 4.]); src = torch.tensor([5., -1., nan, 2., 7., 0.5]); idx = torch.tensor([0, 1, 1, 3, 0, 3])
out['f1'] = {f'{r}_{s}': L(x.scatter_reduce(0, idx, src, r, include_self=s)) for r in R for s in [True, False]}
xi = torch.tensor([1, 2, 3, 4]); si = torch.tensor([5, -1, -6, 2, 7, 3])
out['i1'] = {f'{r}_{s}': L(xi.scatter_reduce(0, idx, si, r, include_self=s)) for r in R for s in [True, False]}
x2 = torch.arange(12.).reshape(3, 4) - 5; s2 = torch.tensor([[2., -3., 0.5, 9., 4.], [1., 1., -2., 6., 0.], [7., -8., 3., 3., 2.5], [9., 9., 9., 9., 9.]])
i2 = torch.tensor([[0, 1, 0, 2], [2, 2, 1, 0], [1, 0, 1, 1]])  # (3, 4): smaller than src (4, 5) on both dims
i2b = torch.tensor([[3, 0, 3], [1, 1, 2], [0, 3, 3]])  # along dim 1 (indices < 4)
out['f2'] = {f'{r}_{s}': [L(x2.scatter_reduce(0, i2, s2, r, include_self=s)), L(x2.scatter_reduce(1, i2b, s2, r, include_self=s))] for r in R for s in [True, False]}

w = torch.tensor([1., 2., 3., 4.])
grads = {}
for r in R:
    for s in [True, False]:
        xx = torch.tensor([1., 2., 3., 4.], requires_grad=True); ss = torch.tensor([5., 2., 2., 2., 0., 3.], requires_grad=True)
        y = xx.scatter_reduce(0, idx, ss, r, include_self=s); (y * w).sum().backward()
        grads[f'{r}_{s}'] = [L(y.detach()), L(xx.grad), L(ss.grad), y.grad_fn.name()]
        # two zeros in one group, and a group of one zero
        xx = torch.tensor([1., 0., 3., 4.], requires_grad=True); ss = torch.tensor([0., 2., 0., 2., 5., 0.], requires_grad=True)
        y = xx.scatter_reduce(0, torch.tensor([1, 1, 1, 2, 0, 3]), ss, r, include_self=s); (y * w).sum().backward()
        grads[f'{r}_{s}_zeros'] = [L(y.detach()), L(xx.grad), L(ss.grad)]
out['grads'] = grads
g2 = {}
for r in R:
    xx = x2.clone().requires_grad_(); ss = s2[:3, :4].clone().requires_grad_()  # (1.13's backward refuses a src larger than index)
    y = xx.scatter_reduce(0, i2, ss, r); (y * torch.arange(12.).reshape(3, 4)).sum().backward()
    g2[r] = [L(xx.grad), L(ss.grad)]
out['grads2'] = g2
out['errors'] = [err(lambda: x.scatter_reduce(0, idx, src, 'max')), err(lambda: x.scatter_reduce(0, idx, si, 'sum')),
                 err(lambda: x.scatter_reduce(0, torch.tensor([0, 4]), torch.tensor([1., 2.]), 'sum'))]
z = torch.tensor([1., 2., 3.]); z.scatter_reduce_(0, torch.tensor([0, 0, 2]), torch.tensor([4., 5., 6.]), 'amax', include_self=False)
out['inplace'] = L(z)
with open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'scatter-reduce.json'), 'w') as f:
    json.dump(out, f)
print(json.dumps(out)[:1500])
print(out['errors'], out['grads']['amax_False'], out['grads']['amax_False_zeros'])
