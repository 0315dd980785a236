# PyTorch 1.13's values, gradients and errors for src/tensor-api.ts (test/tensor-api.test.ts): tan, fmax/fmin,
# put, index_put, masked_scatter, fill_diagonal_, unfold, select, sum_to_size, type, H:
# /usr/bin/python3 scripts/torch-tensor-api.py
import torch, json, os
from torch_fixture import err, weights
out = {}
nan = float('nan')
L = lambda t: json.loads(json.dumps(t.tolist()).replace('NaN', 'null'))

def run(f, *xs):
    xs = [x.detach().clone().requires_grad_() for x in xs]
    y = f(*xs)
    (y * weights(y)).sum().backward()
    return [L(y.detach())] + [L(x.grad) for x in xs] + [type(y.grad_fn).__name__]

t = torch.tensor([-1.2, -0.3, 0., 0.7, 1.5, 3.])
out['tan'] = [run(torch.tan, t), run(torch.tan, t.double()), L(torch.tan(torch.tensor([1, 2])))]
a = torch.tensor([1., nan, 3., nan, -0., 2.]); b = torch.tensor([nan, 2., 1., nan, 0., 2.])
out['fmax'] = [run(torch.fmax, a, b), run(torch.fmin, a, b), L(torch.fmax(torch.tensor([1, 5]), torch.tensor([3, 2])))]
x = torch.arange(12.).reshape(3, 4)
out['put'] = [L(x.put(torch.tensor([0, 5, -1]), torch.tensor([9., 8., 7.]))), L(x.put(torch.tensor([1, 1, 2]), torch.tensor([1., 2., 3.]), accumulate=True)),
              run(lambda u, s: u.put(torch.tensor([0, 5, -1]), s), x, torch.tensor([9., 8., 7.]))]
out['index_put'] = [L(x.index_put((torch.tensor([0, 2]), torch.tensor([1, -1])), torch.tensor([50., 60.]))),
                    L(x.index_put((torch.tensor([0, 0]), torch.tensor([1, 1])), torch.tensor([5., 6.]), accumulate=True)),
                    L(x.index_put((torch.tensor([1, 0]),), torch.tensor([[1., 2., 3., 4.], [5., 6., 7., 8.]]))),
                    L(x.index_put((torch.tensor([2]),), torch.tensor(-1.))),
                    L(x.index_put((x > 6,), torch.tensor(0.))),
                    run(lambda u, v: u.index_put((torch.tensor([0, 2]), torch.tensor([1, 3])), v), x, torch.tensor([50., 60.]))]
m = torch.tensor([[True, False, True, False], [False, False, True, True], [True, True, False, False]])
src = torch.arange(100., 112.).reshape(3, 4)
out['masked_scatter'] = [L(x.masked_scatter(m, src)), L(x.masked_scatter(torch.tensor([True, False, False, True]), src)),
                         run(lambda u, s: u.masked_scatter(m, s), x, src)]
def fd(shape, v, wrap=False):
    z = torch.zeros(shape); z.fill_diagonal_(v, wrap=wrap); return L(z)
out['fill_diagonal'] = [fd((3, 3), 5.), fd((7, 3), 1., False), fd((7, 3), 1., True), fd((2, 5), 2.), fd((3, 3, 3), 4.)]
out['fill_diagonal_err'] = [err(lambda: torch.zeros(3).fill_diagonal_(1.)), err(lambda: torch.zeros(2, 3, 3).fill_diagonal_(1.))]
u = torch.arange(24.).reshape(2, 3, 4)
out['select'] = [L(u.select(1, -1)), L(u.select(0, 1)), err(lambda: u.select(2, 4))]
out['sum_to_size'] = [L(u.sum_to_size(3, 1)), L(u.sum_to_size((1, 3, 4))), L(u.sum_to_size(4)), err(lambda: u.sum_to_size(2, 2))]
out['type'] = [x.type(), torch.tensor([1, 2]).type(), torch.tensor([True]).type(), torch.tensor([1.], dtype=torch.float64).type(),
               str(x.type('torch.LongTensor').dtype), str(x.type(torch.int32).dtype)]
out['H'] = [L(x.H), L(x.mH), L(x.adjoint()), err(lambda: u.H)]
out['unfold'] = [L(x.unfold(1, 2, 2)), list(x.unfold(1, 3, 1).shape), run(lambda v: v.unfold(1, 3, 1), x), L(torch.tensor(3.).unfold(0, 1, 1)),
                 err(lambda: x.unfold(1, 6, 1)), err(lambda: x.unfold(1, 2, 0))]
out['misc'] = [x.is_signed(), torch.tensor([True]).is_signed(), x.get_device(), x.ndimension(), L(torch.greater(x, 5)), L(torch.not_equal(x, 5))]
with open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'tensor-api.json'), 'w') as f:
    json.dump(out, f)
print(json.dumps(out)[:2000])
