# The regularized incomplete gamma functions (test/igamma.test.ts): mpmath's values (30 digits) and
# PyTorch 1.13's on a grid of a from 1e-3 to 1e5 and x around a and beyond, special values, gradients
# and errors: /usr/bin/python3 scripts/torch-igamma.py
import torch, json, os, mpmath
from torch_fixture import err
mpmath.mp.dps = 30
A, X = [], []
for a in torch.logspace(-3, 5, 25, dtype=torch.float64).tolist() + [0.5, 1., 2., 3., 10., 25., 100., 250.]:
    for r in [1e-3, 0.3, 0.8, 0.97, 1.0, 1.03, 1.2, 2., 10.]:
        A.append(a); X.append(a * r)
    for x in [1e-5, 0.3, 0.7, 1.05, 3., 50.]:
        A.append(a); X.append(x)
P, Q, keepA, keepX = [], [], [], []
for a, x in zip(A, X):
    try:
        q = mpmath.gammainc(mpmath.mpf(a), mpmath.mpf(x), mpmath.inf, regularized=True)
        p = mpmath.gammainc(mpmath.mpf(a), 0, mpmath.mpf(x), regularized=True) if x < a else 1 - q
    except Exception:
        continue  # (mpmath's own series gave up)
    keepA.append(a); keepX.append(x); P.append(float(p)); Q.append(float(q))
ta, tx = torch.tensor(keepA, dtype=torch.float64), torch.tensor(keepX, dtype=torch.float64)
out = {'a': keepA, 'x': keepX, 'mp_p': P, 'mp_q': Q, 'torch_p': torch.special.gammainc(ta, tx).tolist(), 'torch_q': torch.special.gammaincc(ta, tx).tolist()}
nan, inf = float('nan'), float('inf')
sa, sx = torch.tensor([-1., 0., 0., inf, 2., nan, 3., inf]), torch.tensor([1., 0., 1., 1., inf, 1., -2., inf])
L = lambda t: [None if v != v else v for v in t.tolist()]
out['special'] = [L(torch.special.gammainc(sa, sx)), L(torch.special.gammaincc(sa, sx))]
a = torch.tensor([0.5, 2., 3., 7.5]); x = torch.tensor([1., 2., 0.5, 9.], requires_grad=True)
y = torch.special.gammainc(a, x); (y * torch.tensor([1., 2., 3., 4.])).sum().backward()
out['grad'] = [y.detach().tolist(), x.grad.tolist(), y.grad_fn.name()]
x.grad = None
y = torch.special.gammaincc(a, x); (y * torch.tensor([1., 2., 3., 4.])).sum().backward()
out['gradc'] = [y.detach().tolist(), x.grad.tolist(), y.grad_fn.name()]
a2 = a.clone().requires_grad_()
out['errors'] = [err(lambda: torch.special.gammainc(a2, x.detach()).sum().backward()), err(lambda: torch.igamma(torch.tensor([1, 2]), torch.tensor([1, 2])))]
out['dtypes'] = [str(torch.igamma(torch.tensor([1.]), torch.tensor([2.], dtype=torch.float64)).dtype), str(torch.igamma(torch.tensor([2.]), torch.tensor([1])).dtype)]
with open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'igamma.json'), 'w') as f:
    json.dump(out, f)
print(len(keepA), out['special'], out['grad'], out['errors'], out['dtypes'])
