# PyTorch 1.13's torch.special values, gradients and grad_fns (float64 and float32) for the functions troupe
# adds in src/special.ts: test/fixtures/special.json.   /usr/bin/python3 scripts/torch-special.py
import json, math, os
import torch
import torch.special as S

def L(t):
    return [None if (isinstance(v, float) and math.isnan(v)) else ('inf' if v == math.inf else '-inf' if v == -math.inf else v) for v in t.detach().reshape(-1).tolist()]

X = [-40.0, -20.0, -8.0, -5.5, -4.9, -1.3, -0.2, 0.0, 0.3, 1.0, 2.5, 4.9, 5.1, 14.9, 15.1, 30.0, 80.0]
P = [0.0, 1e-10, 0.001, 0.2, 0.5, 0.77, 0.999, 1.0]
POS = [0.0, 1e-5, 0.3, 1.0, 2.5, 40.0]
cases = {
    'entr': (S.entr, POS + [-1.0]),
    'ndtr': (S.ndtr, X),
    'ndtri': (S.ndtri, P),
    'log_ndtr': (S.log_ndtr, X),
    'i0': (S.i0, X[:-1]),
    'i0e': (S.i0e, X),
    'i1': (S.i1, X[:-1]),
    'i1e': (S.i1e, X),
    'erfinv': (S.erfinv, [-0.999, -0.5, 0.0, 0.1, 0.7, 0.9999]),
}
out = {}
for name, (f, xs) in cases.items():
    for dt in (torch.float64, torch.float32):
        x = torch.tensor(xs, dtype=dt, requires_grad=True)
        y = f(x)
        y.sum().backward()
        out[f'{name}_{str(dt)[6:]}'] = {'x': xs, 'y': L(y), 'grad': L(x.grad), 'grad_fn': y.grad_fn.name()}
a = torch.tensor([2.0, 3.5, 10.0], dtype=torch.float64, requires_grad=True)
y = S.multigammaln(a, 3); y.sum().backward()
out['multigammaln'] = {'y': L(y), 'grad': L(a.grad), 'grad_fn': y.grad_fn.name()}
x = torch.tensor([0.0, 2.0, -0.5, 3.0], dtype=torch.float64, requires_grad=True)
yy = torch.tensor([0.5, 1.5, 0.25, float('nan')], dtype=torch.float64, requires_grad=True)
y = S.xlog1py(x, yy); y[:3].sum().backward()
out['xlog1py'] = {'y': L(y), 'gx': L(x.grad), 'gy': L(yy.grad), 'grad_fn': y.grad_fn.name()}
errs = []
for f in [lambda: S.multigammaln(torch.tensor([0.5]), 3), lambda: S.polygamma(-1, torch.tensor([1.0]))]:
    try:
        f(); errs.append(None)
    except Exception as e:
        errs.append(str(e))
out['errors'] = errs
path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'special.json')
with open(path, 'w') as fh:
    json.dump(out, fh, separators=(',', ':'))
    fh.write('\n')
print('wrote', path)
