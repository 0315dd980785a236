"""PyTorch 1.13 reference iterates for troupe's torch.optim.LBFGS (src/optim-more.ts; test/optim-lbfgs.test.ts):
the parameters, the returned loss and the evaluation counts after each step(closure), and the state at the
end, on the Rosenbrock function (2-d and 6-d, float64) and a two-parameter problem (float64 and float32),
with and without the strong-Wolfe line search, maxIter small and default, historySize small (its
truncation) and default; the printed form and the errors.
Run: /usr/bin/python3 scripts/torch-lbfgs.py  (writes test/fixtures/lbfgs.json)"""
import json, re
import torch
from torch_fixture import err

out = {'version': torch.__version__}


def camel(k):
    return re.sub(r'_([a-z0-9])', lambda m: m.group(1).upper(), k)


def plain_sum(t):
    return t.sum()


def reordered_sum(t):
    """the sum in another order: the same function, rounded differently (to measure PyTorch's own sensitivity)"""
    return t.flatten().flip(0).cumsum(0)[-1]


def rosen(x, total=plain_sum):
    """the (extended) Rosenbrock function Σ 100·(x[i+1] − x[i]²)² + (1 − x[i])²"""
    return total(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


P1 = [[0.5, -0.3, 0.8], [-0.2, 0.4, 0.1]]
P2 = [0.3, -0.6, 0.9]
T = [0.25, -0.5]
C = [[1.0, 0.5, 2.0], [0.3, 1.5, 0.7]]


def two(p1, p2, total=plain_sum):
    """Σ(p1·p2 − t)² + Σ c·p1² + Σ sin p2 + Σ p2⁴/4 (bounded below)"""
    t = torch.tensor(T, dtype=p1.dtype)
    c = torch.tensor(C, dtype=p1.dtype)
    return total((p1.matmul(p2) - t) ** 2) + total(p1 * p1 * c) + total(p2.sin()) + total(p2 ** 4) / 4


def scal(v):
    if torch.is_tensor(v):
        return v.item() if v.dim() == 0 else v.flatten().tolist()
    if isinstance(v, list):
        return [scal(e) for e in v]
    return v


def run(problem, opts, steps, dtype=torch.float64, unused=False):
    r = run1(problem, opts, steps, dtype, unused)
    # PyTorch's own sensitivity to rounding: the same run with the sums taken in another order and the
    # start moved by one ulp; the parameters' largest difference after each step (line searches and
    # Rosenbrock's curvature amplify it)
    other = run1(problem, opts, steps, dtype, unused, total=reordered_sum, nudge=True)
    for a, b in zip(r['steps'], other['steps']):
        a['drift'] = max(abs(u - v) for u, v in zip(a['params'], b['params']))
        a['evalsDiffer'] = a['func_evals'] != b['func_evals']
    return r


def run1(problem, opts, steps, dtype, unused, total=plain_sum, nudge=False):
    if problem == 'rosen2':
        ps = [torch.tensor([-1.5, 2.0], dtype=dtype, requires_grad=True)]
        f = lambda: rosen(ps[0], total)
    elif problem == 'rosen6':
        ps = [torch.tensor([-1.2, 1.0, -0.5, 0.8, 1.3, -0.9], dtype=dtype, requires_grad=True)]
        f = lambda: rosen(ps[0], total)
    else:
        ps = [torch.tensor(P1, dtype=dtype, requires_grad=True), torch.tensor(P2, dtype=dtype, requires_grad=True)]
        f = lambda: two(ps[0], ps[1], total)
    if unused:  # a parameter the loss does not use: its gradient stays None (zeros in the flat gradient)
        ps.append(torch.tensor([0.5, -0.5], dtype=dtype, requires_grad=True))
    if nudge:
        with torch.no_grad():
            for p in ps:
                p.copy_(torch.nextafter(p, torch.full_like(p, float('inf'))))
    opt = torch.optim.LBFGS(ps, **opts)

    def closure():
        opt.zero_grad()
        loss = f()
        loss.backward()
        return loss
    rows = []
    for _ in range(steps):
        loss = opt.step(closure)
        st = opt.state[ps[0]]
        rows.append({'params': [v for p in ps for v in p.detach().flatten().tolist()], 'loss': loss.item(),
                     'func_evals': st['func_evals'], 'n_iter': st['n_iter']})
    st = opt.state[ps[0]]
    state = {k: scal(v) for k, v in st.items()}
    return {'problem': problem, 'opts': {camel(k): v for k, v in opts.items()}, 'dtype': str(dtype).replace('torch.', ''),
            'unused': unused, 'steps': rows, 'state': state}


cases = [
    run('rosen2', {'max_iter': 4}, 5),
    run('rosen2', {'lr': 0.5, 'max_iter': 3, 'history_size': 3}, 6),
    run('rosen2', {'max_iter': 4, 'line_search_fn': 'strong_wolfe'}, 5),
    run('rosen2', {'line_search_fn': 'strong_wolfe'}, 3),
    run('rosen2', {}, 2),
    run('rosen6', {'history_size': 3, 'max_iter': 10, 'line_search_fn': 'strong_wolfe'}, 4),
    run('rosen6', {'history_size': 3, 'lr': 0.2, 'max_iter': 12}, 3),
    run('rosen6', {'line_search_fn': 'strong_wolfe', 'tolerance_grad': 1e-5, 'max_eval': 15}, 3),
    run('two', {'history_size': 2, 'max_iter': 6, 'line_search_fn': 'strong_wolfe'}, 3, unused=True),
    run('two', {'lr': 0.3, 'max_iter': 5}, 3),
    run('two', {'max_iter': 5, 'line_search_fn': 'strong_wolfe'}, 3, dtype=torch.float32),
    run('two', {'lr': 0.3, 'max_iter': 5, 'history_size': 3}, 3, dtype=torch.float32),
]
out['cases'] = cases

p = torch.zeros(2, requires_grad=True)
q = torch.zeros(2, requires_grad=True)
out['repr'] = repr(torch.optim.LBFGS([p], line_search_fn='strong_wolfe'))
def closure_p():
    p.grad = None
    loss = (p - 1).pow(2).sum()
    loss.backward()
    return loss
out['errors'] = {
    'groups': err(lambda: torch.optim.LBFGS([{'params': [p]}, {'params': [q]}])),
    'lineSearch': err(lambda: torch.optim.LBFGS([p], line_search_fn='backtracking').step(closure_p)),
}
# the constructor's default max_eval: max_iter * 5 // 4
out['maxEval'] = {str(m): torch.optim.LBFGS([p], max_iter=m).param_groups[0]['max_eval'] for m in (1, 3, 7, 20)}

with open('test/fixtures/lbfgs.json', 'w') as fh:
    json.dump(out, fh, indent=1)
print('wrote test/fixtures/lbfgs.json', len(cases), 'cases')
