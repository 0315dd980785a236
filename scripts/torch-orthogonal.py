# PyTorch 1.13's nn.utils.parametrizations.orthogonal (test/orthogonal.test.ts): the weight after registering
# (square: matrix_exp, cayley, householder; wide and tall: householder, with PyTorch's base loaded), state_dict
# keys, one SGD step's weight, errors: /usr/bin/python3 scripts/torch-orthogonal.py
import torch, json, os
from torch.nn.utils.parametrizations import orthogonal
from torch_fixture import err
torch.manual_seed(0)
torch.set_default_dtype(torch.float64)
out = {'cases': []}
x = torch.randn(6, 4)
for name, shape, omap in [('square_exp', (4, 4), None), ('square_cayley', (4, 4), 'cayley'), ('square_hh', (4, 4), 'householder'),
                          ('tall_hh', (4, 3), None), ('wide_exp', (2, 4), 'matrix_exp')]:
    lin = torch.nn.Linear(shape[1], shape[0])
    w0, b0 = lin.weight.detach().clone(), lin.bias.detach().clone()
    orthogonal(lin, orthogonal_map=omap)
    sd = {k: v.tolist() for k, v in lin.state_dict().items()}
    W = lin.weight.detach().clone()
    opt = torch.optim.SGD(lin.parameters(), lr=0.1)
    xi = x[:, :shape[1]]
    loss = (lin(xi) ** 2).sum()
    loss.backward()
    opt.step()
    out['cases'].append({'name': name, 'shape': list(shape), 'map': omap, 'w0': w0.tolist(), 'bias': b0.tolist(), 'state': sd,
                         'weight': W.tolist(), 'after_step': lin.weight.detach().tolist(), 'x': xi.tolist(),
                         'orthogonal': bool(torch.allclose(W @ W.T if shape[0] <= shape[1] else W.T @ W, torch.eye(min(shape)), atol=1e-10)),
                         'keys': list(sd.keys())})
out['errors'] = [err(lambda: orthogonal(torch.nn.Linear(3, 3), orthogonal_map='qr')), err(lambda: orthogonal(torch.nn.BatchNorm1d(3)))]
out['repr'] = str(orthogonal(torch.nn.Linear(3, 3)))
with open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'orthogonal.json'), 'w') as f:
    json.dump(out, f)
print([c['keys'] for c in out['cases']], out['errors'], out['repr'])
