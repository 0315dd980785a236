"""PyTorch 1.13 reference trajectories for troupe's src/optim-more.ts (test/optim-more.test.ts):
the optimizers Adamax, NAdam, RAdam, Adadelta, Rprop, ASGD, and the schedulers ConstantLR,
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

# ------------------------------------------------------------------ learning-rate schedules
import warnings
warnings.filterwarnings('ignore')
S = torch.optim.lr_scheduler

def sched_run(make, n=12, groups=False, epochs=None):
    p = torch.zeros(1, requires_grad=True)
    q = torch.zeros(1, requires_grad=True)
    opt = O.SGD([{'params': [p]}, {'params': [q], 'lr': 0.05}] if groups else [p], lr=0.1, momentum=0.9)
    s = make(opt)
    lrs, moms, last = [], [], []
    for i in range(n):
        lrs.append([g['lr'] for g in opt.param_groups])
        moms.append([g['momentum'] for g in opt.param_groups])
        last.append(list(s.get_last_lr()))
        opt.step()
        if epochs is not None:
            s.step(epochs[i])
        else:
            s.step()
    lrs.append([g['lr'] for g in opt.param_groups])
    moms.append([g['momentum'] for g in opt.param_groups])
    last.append(list(s.get_last_lr()))
    return {'lrs': lrs, 'momentums': moms, 'last': last}

FRAC = [0.5, 1.0, 1.5, 2.25, 3.0, 3.5, 5.9, 6.0, 2.0, 0.0, 7.75, 100.5]
SCHED_CASES = {
    'ConstantLR': lambda o: S.ConstantLR(o, factor=0.5, total_iters=3),
    'ConstantLR defaults': lambda o: S.ConstantLR(o),
    'MultiplicativeLR': lambda o: S.MultiplicativeLR(o, lambda e: 0.9),
    'MultiplicativeLR per group': lambda o: S.MultiplicativeLR(o, [lambda e: 0.9, lambda e: 1 / (e + 1)]),
    'PolynomialLR': lambda o: S.PolynomialLR(o, total_iters=6, power=2.0),
    'PolynomialLR defaults': lambda o: S.PolynomialLR(o),
    'CosineAnnealingWarmRestarts': lambda o: S.CosineAnnealingWarmRestarts(o, T_0=3),
    'CosineAnnealingWarmRestarts tMult': lambda o: S.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2, eta_min=0.01),
    'CyclicLR': lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3),
    'CyclicLR triangular2': lambda o: S.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=[0.1, 0.3], step_size_up=2, step_size_down=4, mode='triangular2', base_momentum=0.7, max_momentum=0.95),
    'CyclicLR exp_range': lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2, mode='exp_range', gamma=0.9, cycle_momentum=False),
    'CyclicLR scaleFn': lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2, scale_fn=lambda x: 1 / (1 + x), scale_mode='iterations'),
    'SequentialLR': lambda o: S.SequentialLR(o, [S.ConstantLR(o, factor=0.1, total_iters=2), S.ExponentialLR(o, gamma=0.9)], milestones=[2]),
    'SequentialLR three': lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.25, total_iters=3), S.CosineAnnealingLR(o, T_max=4, eta_min=0.01), S.StepLR(o, step_size=2, gamma=0.5)], milestones=[3, 7]),
    'SequentialLR multiplicative': lambda o: S.SequentialLR(o, [S.ExponentialLR(o, gamma=0.5), S.MultiplicativeLR(o, lambda e: 0.9), S.PolynomialLR(o, total_iters=3)], milestones=[3, 6]),
    'ChainedScheduler': lambda o: S.ChainedScheduler([S.ConstantLR(o, factor=0.1, total_iters=2), S.ExponentialLR(o, gamma=0.9)]),
    'ChainedScheduler cosine': lambda o: S.ChainedScheduler([S.StepLR(o, step_size=3, gamma=0.5), S.LinearLR(o, start_factor=0.5, total_iters=4), S.CosineAnnealingLR(o, T_max=3, eta_min=0.001)]),
    'ChainedScheduler multistep, polynomial, multiplicative': lambda o: S.ChainedScheduler([S.MultiStepLR(o, milestones=[2, 2, 5], gamma=0.5), S.PolynomialLR(o, total_iters=8, power=0.5), S.MultiplicativeLR(o, lambda e: 0.95)]),
}
sched = {}
for name, make in SCHED_CASES.items():
    if name not in ('MultiplicativeLR per group', 'CyclicLR triangular2'):
        sched[name] = sched_run(make)
    sched[name + ', two groups'] = sched_run(make, groups=True)
sched['CosineAnnealingWarmRestarts epochs'] = sched_run(lambda o: S.CosineAnnealingWarmRestarts(o, T_0=3), epochs=FRAC)
sched['CosineAnnealingWarmRestarts tMult epochs'] = sched_run(lambda o: S.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2, eta_min=0.01), epochs=FRAC)
sched['ConstantLR epochs'] = sched_run(lambda o: S.ConstantLR(o, factor=0.5, total_iters=3), epochs=[1, 5, 2, 3, 0, 4, 3, 3, 1, 9, 2, 2])
sched['MultiplicativeLR epochs'] = sched_run(lambda o: S.MultiplicativeLR(o, lambda e: 0.9), epochs=[1, 5, 2, 3, 0, 4, 3, 3, 1, 9, 2, 2])
sched['PolynomialLR epochs'] = sched_run(lambda o: S.PolynomialLR(o, total_iters=6, power=2.0), epochs=[1, 5, 2, 3, 0, 4, 3, 3, 1, 9, 2, 2])
sched['CyclicLR epochs'] = sched_run(lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3), epochs=[1, 5, 2, 3, 0, 4, 3, 3, 1, 9, 2, 2])
out['schedulers'] = sched

q = torch.zeros(1, requires_grad=True)
sgd = O.SGD([q], lr=0.1, momentum=0.9)
out['scheduler_errors'] = {
    'ConstantLR factor': err(lambda: S.ConstantLR(sgd, factor=1.5)),
    'ConstantLR factor negative': err(lambda: S.ConstantLR(sgd, factor=-0.5)),
    'CosineAnnealingWarmRestarts t0': err(lambda: S.CosineAnnealingWarmRestarts(sgd, T_0=0)),
    'CosineAnnealingWarmRestarts t0 float': err(lambda: S.CosineAnnealingWarmRestarts(sgd, T_0=1.5)),
    'CosineAnnealingWarmRestarts tMult': err(lambda: S.CosineAnnealingWarmRestarts(sgd, T_0=2, T_mult=0)),
    'CosineAnnealingWarmRestarts epoch': err(lambda: S.CosineAnnealingWarmRestarts(sgd, T_0=2).step(-1)),
    'CyclicLR mode': err(lambda: S.CyclicLR(sgd, base_lr=0.01, max_lr=0.1, mode='zigzag')),
    'CyclicLR Adam': err(lambda: S.CyclicLR(O.Adam([q]), base_lr=0.01, max_lr=0.1)),
    'CyclicLR maxLr list': err(lambda: S.CyclicLR(sgd, base_lr=0.01, max_lr=[0.1, 0.2])),
    'MultiplicativeLR list': err(lambda: S.MultiplicativeLR(sgd, [lambda e: 1, lambda e: 1])),
    'SequentialLR milestones': err(lambda: S.SequentialLR(sgd, [S.ConstantLR(sgd), S.ExponentialLR(sgd, 0.9)], milestones=[2, 3])),
    'SequentialLR optimizer': err(lambda: S.SequentialLR(sgd, [S.ConstantLR(sgd), S.ExponentialLR(O.SGD([torch.zeros(1, requires_grad=True)], lr=1), 0.9)], milestones=[2])),
    'ChainedScheduler optimizer': err(lambda: S.ChainedScheduler([S.ConstantLR(sgd), S.ExponentialLR(O.SGD([torch.zeros(1, requires_grad=True)], lr=1), 0.9)])),
}

with open(__file__.rsplit('/', 2)[0] + '/test/fixtures/optim-more.json', 'w') as f:
    json.dump(out, f, indent=None, separators=(',', ':'))
print('wrote', len(cases), 'optimizer cases,', len(sched), 'schedules')
