"""PyTorch 1.13 reference trajectories for troupe's src/optim-more.ts (test/optim-more.test.ts):
the optimizers Adamax, NAdam, RAdam, Adadelta, Rprop, ASGD (and LBFGS), and the schedulers ConstantLR,
MultiplicativeLR, PolynomialLR, CosineAnnealingWarmRestarts, CyclicLR, SequentialLR, ChainedScheduler.
Run: /usr/bin/python3 scripts/torch-optim-more.py  (writes test/fixtures/optim-more.json)"""
import json, math, re
import torch

out = {'version': torch.__version__}

def camel(k):
    return re.sub(r'_([a-z0-9])', lambda m: m.group(1).upper(), k)

P1 = [[0.5, -0.3, 0.8], [-0.2, 0.4, 0.1]]
P2 = [0.3, -0.6, 0.9]
T = [0.25, -0.5]
C = [[1.0, 0.5, 2.0], [0.3, 1.5, 0.7]]

def loss_fn(p1, p2):
    t = torch.tensor(T, dtype=p1.dtype)
    c = torch.tensor(C, dtype=p1.dtype)
    return ((p1.matmul(p2) - t) ** 2).sum() + (p1 * p1 * c).sum() + p2.sin().sum()

def run_opt(cls, opts, dtype, steps=8, groups=False):
    p1 = torch.tensor(P1, dtype=dtype, requires_grad=True)
    p2 = torch.tensor(P2, dtype=dtype, requires_grad=True)
    params = [{'params': [p1]}, {'params': [p2], 'lr': opts.get('lr', 0.01) * 0.5}] if groups else [p1, p2]
    opt = cls(params, **opts)
    traj = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(p1, p2)
        loss.backward()
        opt.step()
        traj.append(p1.detach().flatten().tolist() + p2.detach().flatten().tolist())
    sd = opt.state_dict()
    state = {str(k): {n: (list(v.shape) if torch.is_tensor(v) else None) for n, v in s.items()} for k, s in sd['state'].items()}
    vals = {str(k): {n: (v.item() if torch.is_tensor(v) and v.dim() == 0 else (v.flatten().tolist() if torch.is_tensor(v) else v)) for n, v in s.items()} for k, s in sd['state'].items()}
    return {'traj': traj, 'state': state, 'values': vals}

O = torch.optim
OPT_CASES = [
    ('Adamax', O.Adamax, {'lr': 0.05}),
    ('Adamax', O.Adamax, {'lr': 0.1, 'betas': (0.8, 0.95), 'eps': 1e-3, 'weight_decay': 0.1}),
    ('Adamax', O.Adamax, {'lr': 0.05, 'maximize': True}),
    ('NAdam', O.NAdam, {'lr': 0.05}),
    ('NAdam', O.NAdam, {'lr': 0.1, 'betas': (0.85, 0.99), 'eps': 1e-4, 'weight_decay': 0.05, 'momentum_decay': 0.01}),
    ('RAdam', O.RAdam, {'lr': 0.05}),
    ('RAdam', O.RAdam, {'lr': 0.1, 'betas': (0.9, 0.7), 'weight_decay': 0.1, 'eps': 1e-5}),
    ('Adadelta', O.Adadelta, {}),
    ('Adadelta', O.Adadelta, {'lr': 0.5, 'rho': 0.8, 'eps': 1e-4, 'weight_decay': 0.1}),
    ('Adadelta', O.Adadelta, {'lr': 2.0, 'maximize': True}),
    ('Rprop', O.Rprop, {'lr': 0.05}),
    ('Rprop', O.Rprop, {'lr': 0.2, 'etas': (0.3, 1.5), 'step_sizes': (0.01, 0.25)}),
    ('Rprop', O.Rprop, {'lr': 0.05, 'maximize': True}),
    ('ASGD', O.ASGD, {'lr': 0.05}),
    ('ASGD', O.ASGD, {'lr': 0.1, 'lambd': 0.01, 'alpha': 0.5, 't0': 3, 'weight_decay': 0.1}),
    ('ASGD', O.ASGD, {'lr': 0.05, 't0': 2, 'maximize': True}),
]
cases = []
for name, cls, opts in OPT_CASES:
    for dtype in (torch.float64, torch.float32):
        for groups in ((False, True) if dtype == torch.float64 else (False,)):
            r = run_opt(cls, opts, dtype, groups=groups)
            r.update({'name': name, 'opts': {camel(k): (list(v) if isinstance(v, tuple) else v) for k, v in opts.items()},
                      'dtype': str(dtype).replace('torch.', ''), 'groups': groups})
            cases.append(r)
out['optimizers'] = cases

# printed form of one optimizer, and the constructors' errors
p = torch.zeros(2, requires_grad=True)
out['repr'] = {'Adamax': repr(O.Adamax([p])), 'NAdam': repr(O.NAdam([p])), 'RAdam': repr(O.RAdam([p])),
               'Adadelta': repr(O.Adadelta([p])), 'Rprop': repr(O.Rprop([p])), 'ASGD': repr(O.ASGD([p]))}
def err(f):
    try:
        f()
    except Exception as e:
        return str(e)
    return None
out['errors'] = [
    ['Adamax', {'lr': -1}, err(lambda: O.Adamax([p], lr=-1))],
    ['Adamax', {'eps': -1}, err(lambda: O.Adamax([p], eps=-1))],
    ['Adamax', {'betas': [1.0, 0.9]}, err(lambda: O.Adamax([p], betas=(1.0, 0.9)))],
    ['Adamax', {'betas': [0.9, -0.5]}, err(lambda: O.Adamax([p], betas=(0.9, -0.5)))],
    ['Adamax', {'weightDecay': -0.5}, err(lambda: O.Adamax([p], weight_decay=-0.5))],
    ['NAdam', {'lr': -0.5}, err(lambda: O.NAdam([p], lr=-0.5))],
    ['NAdam', {'momentumDecay': -1}, err(lambda: O.NAdam([p], momentum_decay=-1))],
    ['NAdam', {'betas': [0.9, 1.0]}, err(lambda: O.NAdam([p], betas=(0.9, 1.0)))],
    ['RAdam', {'eps': -1e-8}, err(lambda: O.RAdam([p], eps=-1e-8))],
    ['RAdam', {'weightDecay': -1}, err(lambda: O.RAdam([p], weight_decay=-1))],
    ['Adadelta', {'rho': 1.5}, err(lambda: O.Adadelta([p], rho=1.5))],
    ['Adadelta', {'lr': -1}, err(lambda: O.Adadelta([p], lr=-1))],
    ['Adadelta', {'eps': -1}, err(lambda: O.Adadelta([p], eps=-1))],
    ['Rprop', {'etas': [1.5, 1.2]}, err(lambda: O.Rprop([p], etas=(1.5, 1.2)))],
    ['Rprop', {'etas': [0.5, 0.9]}, err(lambda: O.Rprop([p], etas=(0.5, 0.9)))],
    ['Rprop', {'lr': -1}, err(lambda: O.Rprop([p], lr=-1))],
    ['ASGD', {'lr': -1}, err(lambda: O.ASGD([p], lr=-1))],
    ['ASGD', {'weightDecay': -1}, err(lambda: O.ASGD([p], weight_decay=-1))],
]

import sys
sys.path.insert(0, __file__.rsplit('/', 1)[0])
try:
    from importlib import import_module
except Exception:
    pass
if 'SCHED' in globals():
    pass
exec(open(__file__.rsplit('/', 1)[0] + '/torch-optim-more-sched.py').read()) if __import__('os').path.exists(__file__.rsplit('/', 1)[0] + '/torch-optim-more-sched.py') else None

with open(__file__.rsplit('/', 2)[0] + '/test/fixtures/optim-more.json', 'w') as f:
    json.dump(out, f, indent=None, separators=(',', ':'))
print('wrote', len(cases), 'optimizer cases')
