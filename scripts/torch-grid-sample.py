# PyTorch 1.13's F.grid_sample: values and gradients (input and grid) for 4-D and 5-D inputs, every mode
# and padding mode (bicubic for 4-D), both align_corners (test/grid-sample.test.ts): /usr/bin/python3 scripts/torch-grid-sample.py
import torch, json, os, warnings
import torch.nn.functional as F
from torch_fixture import err, weights
warnings.simplefilter('ignore')
torch.manual_seed(0)
out = {'cases': []}
x4 = torch.randn(2, 3, 4, 5, dtype=torch.float64)
g4 = (torch.rand(2, 3, 6, 2, dtype=torch.float64) * 3 - 1.5)  # some points outside [-1, 1]
g4[0, 0, 0] = torch.tensor([1.0, -1.0], dtype=torch.float64)   # exact edges
g4[0, 0, 1] = torch.tensor([0.25, 0.5], dtype=torch.float64)
x5 = torch.randn(1, 2, 3, 4, 5, dtype=torch.float64)
g5 = (torch.rand(1, 2, 3, 4, 3, dtype=torch.float64) * 2.6 - 1.3)
for name, x, g in [('4d', x4, g4), ('5d', x5, g5)]:
    for mode in ['bilinear', 'nearest']:
        for pm in ['zeros', 'border', 'reflection']:
            for ac in [False, True]:
                xi = x.clone().requires_grad_(); gi = g.clone().requires_grad_()
                y = F.grid_sample(xi, gi, mode=mode, padding_mode=pm, align_corners=ac)
                (y * weights(y)).sum().backward()
                out['cases'].append({'dims': name, 'mode': mode, 'padding': pm, 'align': ac, 'y': y.detach().flatten().tolist(),
                                     'gx': xi.grad.flatten().tolist(), 'gg': gi.grad.flatten().tolist(), 'grad_fn': y.grad_fn.name()})
for pm in ['zeros', 'border', 'reflection']:
    for ac in [False, True]:
        xi = x4.clone().requires_grad_(); gi = g4.clone().requires_grad_()
        y = F.grid_sample(xi, gi, mode='bicubic', padding_mode=pm, align_corners=ac)
        (y * weights(y)).sum().backward()
        out['cases'].append({'dims': '4d', 'mode': 'bicubic', 'padding': pm, 'align': ac, 'y': y.detach().flatten().tolist(),
                             'gx': xi.grad.flatten().tolist(), 'gg': gi.grad.flatten().tolist(), 'grad_fn': y.grad_fn.name()})
out['x4'] = x4.flatten().tolist(); out['g4'] = g4.flatten().tolist(); out['x5'] = x5.flatten().tolist(); out['g5'] = g5.flatten().tolist()
out['errors'] = [err(lambda: F.grid_sample(x4, g4, mode='cubic', align_corners=False)), err(lambda: F.grid_sample(x4, g4, padding_mode='wrap', align_corners=False)),
                 err(lambda: F.grid_sample(x4, g4.float(), align_corners=False)), err(lambda: F.grid_sample(x4, g5, align_corners=False)),
                 err(lambda: F.grid_sample(x4, g4[:1], align_corners=False)), err(lambda: F.grid_sample(x4, torch.zeros(2, 3, 6, 3, dtype=torch.float64), align_corners=False)),
                 err(lambda: F.grid_sample(x5, g5, mode='bicubic', align_corners=False))]
with open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'grid-sample.json'), 'w') as f:
    json.dump(out, f)
print(len(out['cases']), out['errors'], {c['grad_fn'] for c in out['cases']})
