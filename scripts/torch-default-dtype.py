# PyTorch 1.13 under torch.set_default_dtype(torch.float64): the dtypes factories and promotions give, and
# how tensors print (test/default-dtype.test.ts): /usr/bin/python3 scripts/torch-default-dtype.py
import torch, json, os
from torch_fixture import err

torch.set_default_dtype(torch.float64)
x = torch.tensor([1, 2])
D = lambda t: str(t.dtype).replace('torch.', '')
cases = {
    'zeros': torch.zeros(2), 'ones': torch.ones(2), 'empty': torch.empty(2), 'rand': torch.rand(2), 'randn': torch.randn(2),
    'full': torch.full([2], 1.5), 'full_int': torch.full([2], 3), 'arange_float': torch.arange(0, 3, 0.5), 'arange_int': torch.arange(3),
    'linspace': torch.linspace(0, 1, 3), 'logspace': torch.logspace(0, 1, 2), 'eye': torch.eye(2), 'tensor': torch.tensor([1.5]),
    'tensor0d': torch.tensor(2.5), 'div': x / 2, 'add_float': x + 1.5, 'sqrt': x.sqrt(), 'float': x.float(), 'sigmoid': x.sigmoid(),
    'atan2': torch.atan2(x, x), 'erf': torch.erf(x), 'expit': torch.special.expit(x), 'true_divide': torch.true_divide(x, 3),
    'randint': torch.randint(0, 3, [2]), 'normal': torch.normal(0., 1., [2]), 'Normal': torch.distributions.Normal(0., 1.).sample(),
    'linear': torch.nn.Linear(2, 3).weight, 'f32_plus_0d': torch.ones(2, dtype=torch.float32) + torch.tensor(1.5),
    'rand_like': torch.rand_like(torch.zeros(2)), 'bool': torch.tensor([True]), 'int32': torch.tensor([1], dtype=torch.int32),
}
out = {'dtypes': {k: D(v) for k, v in cases.items()}}
out['print'] = [str(torch.tensor([1.5, 2.])), str(torch.tensor([1.5], dtype=torch.float32)), str(torch.zeros(0)), str(torch.zeros(0, dtype=torch.float32)),
                str(torch.tensor([1, 2], dtype=torch.int32)), str(torch.tensor([[0.25]])), str(torch.tensor(3.))]
out['errors'] = [err(lambda: torch.set_default_dtype(torch.int32))]
torch.set_default_dtype(torch.float32)
out['back'] = [str(torch.tensor([1.5], dtype=torch.float64)), D(torch.zeros(1))]
with open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'default-dtype.json'), 'w') as f:
    json.dump(out, f)
print(json.dumps(out))
