# PyTorch 1.13's str(tensor) under torch.set_printoptions (precision, sci_mode, threshold/edgeitems,
# linewidth, profiles): test/fixtures/printoptions.json.   /usr/bin/python3 scripts/torch-printoptions.py
import json, os
import torch

a = torch.tensor([[1.23456789, -2.5, 1000.125], [0.0001234, 5.0, -0.5]])
b = torch.arange(30, dtype=torch.float32).reshape(5, 6) / 7
c = torch.tensor([1.0, 2.0, 3.0])
d = torch.tensor([1e-5, 1.0, 2.5])
e = torch.arange(2000, dtype=torch.float64)
f = torch.tensor([0.0, 0.0])
cases = []
def show(opts, name, t):
    torch.set_printoptions(**opts)
    cases.append({'opts': opts, 'tensor': name, 'str': str(t)})
    torch.set_printoptions(profile='default')
for opts in [{'precision': 2}, {'precision': 8}, {'sci_mode': True}, {'sci_mode': False}, {'threshold': 5, 'edgeitems': 1},
             {'linewidth': 30}, {'profile': 'short'}, {'precision': 0}]:
    for name, t in [('a', a), ('b', b), ('c', c), ('d', d), ('f', f)]:
        show(opts, name, t)
show({'profile': 'full'}, 'e11x3', e[:1100].reshape(11, 100)[:, :3])
show({'threshold': 10, 'edgeitems': 2}, 'e4x5', e[:20].reshape(4, 5))
show({'profile': 'short', 'precision': 3}, 'b', b)
path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'printoptions.json')
with open(path, 'w') as fh:
    json.dump(cases, fh, indent=0)
    fh.write('\n')
print('wrote', path)
