# The Hurwitz zeta function, polygamma of orders 2 and up, and nextafter (test/zeta.test.ts): mpmath's
# values (60 digits) and PyTorch 1.13's, gradients and errors: /usr/bin/python3 scripts/torch-zeta.py
import torch, json, os, mpmath
from torch_fixture import err
mpmath.mp.dps = 60  # (at 30 digits mpmath's own Hurwitz zeta was 1.6e-10 off at x = 20, q = 55: direct sums agree with 60)
out = {}
X, Q = [], []
for x in [1.001, 1.1, 1.5, 2., 2.5, 3., 4., 7., 10., 20., 50.]:
    for q in [1e-3, 0.1, 0.5, 1., 2., 3.7, 9., 10., 55., 1e3, 1e6, 2e8, -0.5, -2.5, -5.5]:
        if q < 0 and x != int(x):
            continue
        X.append(x); Q.append(q)
out['x'], out['q'] = X, Q
def hurwitz(x, q, N=3000):
    # Σ_{k<N} (k + q)^−x, then Euler–Maclaurin's tail from N + q (its next term is below 1e-25 of the sum
    # here). (mpmath.zeta itself was 1.6e-10 off at x = 20, q = 55 and 8e-11 at x = 50, q = 1000, even
    # at 80 digits; these direct sums agree with the plain sums to the last digit.)
    x, q = mpmath.mpf(x), mpmath.mpf(q)
    s = mpmath.fsum((k + q) ** -x for k in range(N))
    w = N + q
    return s + w ** (1 - x) / (x - 1) + w ** -x / 2 + x * w ** (-x - 1) / 12 - x * (x + 1) * (x + 2) * w ** (-x - 3) / 720
out['mp'] = [float(hurwitz(x, q)) for x, q in zip(X, Q)]
tx, tq = torch.tensor(X, dtype=torch.float64), torch.tensor(Q, dtype=torch.float64)
out['torch'] = torch.special.zeta(tx, tq).tolist()
L = lambda t: [None if v != v else v for v in t.tolist()]
out['special'] = L(torch.special.zeta(torch.tensor([1., 0.5, 2., 2., 2.5, float('nan'), 2.]), torch.tensor([1., 1., 0., -3., -1.5, 1., float('inf')])))
pg = torch.tensor([0.25, 0.5, 1., 3., 10., -1.5, -0.3, 100.], dtype=torch.float64)
out['polygamma'] = {str(n): [float(mpmath.polygamma(n, mpmath.mpf(v))) for v in pg.tolist()] for n in [2, 3, 4, 6]}
out['polygamma_torch'] = {str(n): torch.polygamma(n, pg).tolist() for n in [2, 3, 4, 6]}
x = torch.tensor([0.5, 2., 7.], requires_grad=True)
y = torch.polygamma(2, x); (y * torch.tensor([1., 2., 3.])).sum().backward()
out['pg_grad'] = [x.grad.tolist(), y.grad_fn.name()]
x.grad = None; torch.polygamma(1, x).sum().backward(); out['trigamma_grad'] = x.grad.tolist()
q = torch.tensor([1., 2., 0.5], requires_grad=True)
y = torch.special.zeta(torch.tensor([2., 3., 4.]), q); y.sum().backward()
out['zeta_grad'] = [q.grad.tolist(), y.grad_fn.name()]
a = torch.tensor([1., 0., -1., 1., float('inf'), 3.4028234663852886e38, -1.401298464324817e-45, 2.])
b = torch.tensor([2., -1., 0., 1., 0., float('inf'), 1., float('nan')])
out['nextafter32'] = L(torch.nextafter(a, b))
out['nextafter64'] = L(torch.nextafter(a.double(), b.double()))
xx = torch.tensor([2., 3.], requires_grad=True)
out['errors'] = [err(lambda: torch.special.zeta(xx, torch.tensor([1., 2.])).sum().backward()), err(lambda: torch.nextafter(torch.tensor([1]), torch.tensor([2]))),
                 err(lambda: torch.nextafter(xx, torch.tensor([1., 1.])).sum().backward())]
def fix(v):  # (JSON has no inf: 'inf' and '-inf', which the test's reader turns back)
    if isinstance(v, dict): return {k: fix(w) for k, w in v.items()}
    if isinstance(v, list): return [fix(w) for w in v]
    if isinstance(v, float) and v in (float('inf'), float('-inf')): return 'inf' if v > 0 else '-inf'
    return v
with open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'zeta.json'), 'w') as f:
    json.dump(fix(out), f)
print(len(X), out['special'], out['errors'], out['nextafter32'])
