# PyTorch 1.13's _standard_gamma_grad(alpha, x) (float64) on a grid that covers its three branches (x < 0.8;
# alpha > 8 near and away from the mean; the rational approximation): test/fixtures/gamma-grad.json.
#   /usr/bin/python3 scripts/torch-gamma-grad.py
import json, os
import torch

alphas = [0.05, 0.3, 0.9, 1.0, 2.5, 5.0, 7.9, 8.5, 12.0, 30.0, 100.0]
xs = [1e-4, 0.01, 0.2, 0.79, 0.81, 1.5, 3.0, 7.0, 9.0, 11.0, 14.0, 27.0, 33.0, 60.0, 95.0, 105.0, 150.0]
A = torch.tensor([a for a in alphas for _ in xs], dtype=torch.float64)
X = torch.tensor([x for _ in alphas for x in xs], dtype=torch.float64)
out = {'alpha': A.tolist(), 'x': X.tolist(), 'grad': torch._standard_gamma_grad(A, X).tolist(),
       'grad_f32': torch._standard_gamma_grad(A.float(), X.float()).tolist()}
path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'gamma-grad.json')
with open(path, 'w') as f:
    json.dump(out, f, separators=(',', ':'), allow_nan=True)
    f.write('\n')
print('wrote', path)
