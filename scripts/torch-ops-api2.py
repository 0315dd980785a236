# PyTorch 1.13's results for src/ops-api2.ts's functions: test/fixtures/ops-api2.json.
#   /usr/bin/python3 scripts/torch-ops-api2.py
import json, os, warnings
import torch
from torch_fixture import err, weights, lists
warnings.filterwarnings('ignore')
torch.set_printoptions(precision=10)
o = {}
D = torch.float64

# ---- windows: float64 (exact to compare) and float32, periodic and symmetric, lengths 0, 1, 2, 5, 8
win = {}
for name, f in [('hann', torch.hann_window), ('hamming', torch.hamming_window), ('blackman', torch.blackman_window),
                ('bartlett', torch.bartlett_window), ('kaiser', torch.kaiser_window)]:
    for n in [0, 1, 2, 5, 8]:
        for periodic in [True, False]:
            win[f'{name}/{n}/{int(periodic)}/64'] = f(n, periodic, dtype=D).tolist()
            win[f'{name}/{n}/{int(periodic)}/32'] = f(n, periodic).tolist()
win['hamming_ab'] = torch.hamming_window(7, False, alpha=0.6, beta=0.3, dtype=D).tolist()
win['hamming_ab_p'] = torch.hamming_window(7, True, 0.5, 0.2, dtype=D).tolist()
win['kaiser_beta'] = torch.kaiser_window(9, False, beta=5.0, dtype=D).tolist()
win['kaiser_beta_p'] = torch.kaiser_window(6, True, beta=0.5, dtype=D).tolist()
o['win'] = win
o['win_err'] = [err(lambda: torch.hann_window(-1)), err(lambda: torch.kaiser_window(-2)), err(lambda: torch.hann_window(4, dtype=torch.int64))]

# ---- combinations
x = torch.tensor([1., 2., 3., 4.], dtype=D, requires_grad=True)
out = {}
for r in [1, 2, 3]:
    for wr in [False, True]:
        y = torch.combinations(x, r, with_replacement=wr)
        g, = torch.autograd.grad((y * weights(y)).sum(), x)
        out[f'{r}/{int(wr)}'] = [y.tolist(), g.tolist(), list(y.shape)]
out['empty'] = [list(torch.combinations(torch.tensor([1., 2.]), 3).shape), list(torch.combinations(torch.tensor([1., 2.]), 0).shape)]
out['int'] = [torch.combinations(torch.tensor([5, 6, 7])).tolist(), str(torch.combinations(torch.tensor([5, 6, 7])).dtype)]
out['err'] = [err(lambda: torch.combinations(torch.ones(2, 2))), err(lambda: torch.combinations(torch.ones(3), -1))]
o['comb'] = out

# ---- cumulative_trapezoid
y = torch.tensor([[1., 3., 2., 5.], [0., -1., 4., 2.]], dtype=D, requires_grad=True)
xs = torch.tensor([0., 0.5, 2., 2.5], dtype=D, requires_grad=True)
ct = {}
for key, f in [('plain', lambda: torch.cumulative_trapezoid(y)), ('dx', lambda: torch.cumulative_trapezoid(y, dx=0.5)),
               ('dim0', lambda: torch.cumulative_trapezoid(y, dim=0)), ('x', lambda: torch.cumulative_trapezoid(y, xs)),
               ('x2d', lambda: torch.cumulative_trapezoid(y, xs.expand(2, 4) * torch.tensor([[1.], [2.]], dtype=D)))]:
    r = f()
    gs = torch.autograd.grad((r * weights(r)).sum(), [y, xs], allow_unused=True)
    ct[key] = [r.tolist(), [None if g is None else g.tolist() for g in gs]]
ct['int'] = [torch.cumulative_trapezoid(torch.tensor([1, 2, 4])).tolist(), str(torch.cumulative_trapezoid(torch.tensor([1, 2, 4])).dtype)]
ct['one'] = list(torch.cumulative_trapezoid(torch.ones(3, 1)).shape)
ct['err'] = [err(lambda: torch.cumulative_trapezoid(torch.ones(3), torch.ones(4)))]
o['ctrap'] = ct

# ---- gradient
Y = torch.tensor([[1., 2., 4., 8., 10.], [3., 1., 0., 5., 9.], [2., 2., 7., -1., 0.]], dtype=D, requires_grad=True)
cx = torch.tensor([0., 1., 1.5, 3.5, 4.], dtype=D)
cy = torch.tensor([-1., 0.5, 2.], dtype=D)
gr = {}
cases = {
    'default': dict(), 'dim1': dict(dim=1), 'dim0e2': dict(dim=0, edge_order=2), 'e2': dict(edge_order=2),
    'sp2': dict(spacing=2.), 'splist': dict(spacing=[0.5, 2.]), 'coords': dict(spacing=[cy, cx]),
    'coords_e2': dict(spacing=[cy, cx], edge_order=2), 'coords1': dict(spacing=[cx], dim=1), 'dims': dict(dim=[1, 0], spacing=[2., 3.]),
}
for key, kw in cases.items():
    rs = torch.gradient(Y, **kw)
    total = sum((r * weights(r)).sum() for r in rs)
    g, = torch.autograd.grad(total, Y)
    gr[key] = [[r.tolist() for r in rs], g.tolist()]
gr['1d'] = [r.tolist() for r in torch.gradient(torch.tensor([1., 4., 9., 16., 25.], dtype=D), spacing=torch.tensor([0., 1., 3., 4., 7.], dtype=D).unsqueeze(0).unbind(0))] if False else [r.tolist() for r in torch.gradient(torch.tensor([1., 4., 9., 16., 25.], dtype=D), spacing=(torch.tensor([0., 1., 3., 4., 7.], dtype=D),), edge_order=2)]
gr['int'] = [[r.tolist() for r in torch.gradient(torch.tensor([1, 4, 9, 16]))], str(torch.gradient(torch.tensor([1, 4, 9, 16]))[0].dtype)]
gr['err'] = [err(lambda: torch.gradient(Y, edge_order=3)), err(lambda: torch.gradient(torch.ones(2, 5), edge_order=2)),
             err(lambda: torch.gradient(Y, spacing=[1., 2., 3.])), err(lambda: torch.gradient(torch.ones(1)))]
o['grad'] = gr

# ---- histogram
h = {}
X = torch.tensor([0.5, 1.0, 1.5, 2.0, 2.0, 3.25, 4.0, -1.0, 0.1, 2.9], dtype=D)
W = torch.tensor([1., 2., 0.5, 1., 3., 1., 1., 2., 4., 0.25], dtype=D)
for key, (bins, kw) in {'5': (5, {}), '3r': (3, dict(range=(0., 3.))), 'w': (4, dict(weight=W)), 'd': (4, dict(density=True)),
                        'wd': (6, dict(weight=W, density=True, range=(-1., 5.))),
                        'edges': (torch.tensor([-1., 0., 0.5, 2., 2.5, 4.], dtype=D), {}),
                        'edges_wd': (torch.tensor([0., 1., 3., 3.25], dtype=D), dict(weight=W, density=True))}.items():
    r = torch.histogram(X, bins, **kw)
    h[key] = [r.hist.tolist(), r.bin_edges.tolist()]
r = torch.histogram(torch.tensor([1., 1., 1.]), 3); h['same'] = [r.hist.tolist(), r.bin_edges.tolist()]
r = torch.histogram(torch.tensor([0.1, 0.2, 0.7, 0.3, 1.0, 0.9]), 10); h['f32'] = [r.hist.tolist(), r.bin_edges.tolist()]
r = torch.histogram(torch.tensor([[1., 2.], [2., 3.]]), 2); h['2d'] = [r.hist.tolist(), r.bin_edges.tolist()]
h['err'] = [err(lambda: torch.histogram(X, 0)), err(lambda: torch.histogram(X, 3, range=(2., 1.))),
            err(lambda: torch.histogram(torch.tensor([1, 2]), 3)), err(lambda: torch.histogram(X, 3, weight=torch.ones(3, dtype=D)))]
o['hist'] = h

# ---- logaddexp2
a = torch.tensor([-1., 0., 3., 100., -float('inf'), 2.], dtype=D, requires_grad=True)
b = torch.tensor([2., 0., -4., 99., -float('inf'), float('inf')], dtype=D, requires_grad=True)
y = torch.logaddexp2(a, b)
ga, gb = torch.autograd.grad((y * weights(y)).sum(), [a, b])
o['lae2'] = [lists(y), lists(ga), lists(gb), y.grad_fn.name()]
o['lae2_f32'] = torch.logaddexp2(torch.tensor([1., 2.5]), torch.tensor([0.25, -3.])).tolist()

# ---- utilities
o['result_type'] = [str(torch.result_type(torch.ones(2, dtype=torch.int32), 1.5)), str(torch.result_type(torch.ones(2, dtype=torch.int32), torch.tensor(1.))),
                    str(torch.result_type(torch.ones(2, dtype=torch.int32), torch.ones(2, dtype=torch.int64))), str(torch.result_type(torch.tensor(True), 2)),
                    str(torch.result_type(torch.ones(2), torch.ones(2, dtype=D)))]
o['promote'] = [str(torch.promote_types(a, b)) for a, b in [(torch.int32, torch.float32), (torch.bool, torch.int32), (torch.int64, torch.float32), (torch.float32, torch.float64), (torch.bool, torch.bool)]]
o['can_cast'] = [torch.can_cast(a, b) for a, b in [(torch.float64, torch.float32), (torch.float32, torch.int32), (torch.int64, torch.int32), (torch.int32, torch.bool), (torch.bool, torch.int64)]]
o['scalar_tensor'] = [str(torch.scalar_tensor(3).dtype), torch.scalar_tensor(3).item(), list(torch.scalar_tensor(2.5).shape), str(torch.scalar_tensor(1, dtype=torch.int64).dtype)]
o['range'] = [torch.range(1, 4).tolist(), str(torch.range(1, 4).dtype), torch.range(0, 1, 0.25).tolist(), torch.range(5, 1, -1.5).tolist(), torch.range(0., 0.3, 0.1).tolist(), torch.range(0, 0.3, 0.1, dtype=D).tolist(),
              torch.range(1, 4, dtype=torch.int64).tolist(), err(lambda: torch.range(1, 4, -1)), err(lambda: torch.range(1, 4, 0))]
o['is_signed'] = [torch.is_signed(torch.ones(1)), torch.is_signed(torch.ones(1, dtype=torch.bool)), torch.is_signed(torch.ones(1, dtype=torch.int32))]
s = torch.arange(24.).reshape(2, 3, 4).requires_grad_()
r = torch.select(s, 1, -1)
o['select'] = [r.tolist(), r.grad_fn.name(), err(lambda: torch.select(s, 2, 4)), err(lambda: torch.select(s, 3, 0))]
i0 = torch.tensor([1., 2., 3.], dtype=D, requires_grad=True); t1 = torch.tensor([[0.5], [-2.]], dtype=D, requires_grad=True); t2 = torch.tensor([4., -1., 0.25], dtype=D, requires_grad=True)
for key, f in [('addcmul', torch.addcmul), ('addcdiv', torch.addcdiv)]:
    y = f(i0, t1, t2, value=-1.5)
    gs = torch.autograd.grad((y * weights(y)).sum(), [i0, t1, t2])
    o[key] = [y.tolist(), [g.tolist() for g in gs], y.grad_fn.name()]
o['addcmul_dt'] = [str(torch.addcmul(torch.ones(2, dtype=torch.int64), torch.ones(2, dtype=torch.int64), torch.ones(2)).dtype), torch.addcmul(torch.tensor([1, 2]), torch.tensor([3, 4]), torch.tensor([5, 6]), value=2).tolist()]
o['addcdiv_err'] = err(lambda: torch.addcdiv(torch.ones(2), torch.tensor([1, 2]), torch.tensor([3, 4])))
o['subtract'] = [torch.subtract(torch.tensor([5., 6.]), torch.tensor([1., 2.]), alpha=2).tolist(), torch.multiply(torch.tensor([5., 6.]), 3).tolist(),
                 torch.divide(torch.tensor([5., -7.]), 2, rounding_mode='floor').tolist(), torch.divide(torch.tensor([5, -7]), 2).tolist()]

# ---- linear algebra
A = torch.tensor([[2., 1., -1.], [0.5, 3., 2.], [1., -2., 4.]], dtype=D)
Bm = torch.tensor([[1., 2.], [-1., 0.5], [3., 1.]], dtype=D)
ts = {}
for up in [True, False]:
    for tr in [False, True]:
        for un in [False, True]:
            Ar = A.clone().requires_grad_(); Br = Bm.clone().requires_grad_()
            X, C = torch.triangular_solve(Br, Ar, upper=up, transpose=tr, unitriangular=un)
            gA, gB = torch.autograd.grad((X * weights(X)).sum(), [Ar, Br])
            ts[f'{int(up)}{int(tr)}{int(un)}'] = [X.tolist(), C.tolist(), gA.tolist(), gB.tolist()]
ts['gradfn'] = torch.triangular_solve(Bm, A.clone().requires_grad_())[0].grad_fn.name()
ts['batch'] = torch.triangular_solve(torch.stack([Bm, 2 * Bm]), A)[0].tolist()
ts['err'] = [err(lambda: torch.triangular_solve(torch.ones(3), A)), err(lambda: torch.triangular_solve(torch.ones(2, 1, dtype=D), A))]
o['tsolve'] = ts
L = torch.tensor([[2., 0., 0.], [0.5, 1.5, 0.], [-1., 0.25, 3.]], dtype=D)
cs = {}
for up in [False, True]:
    Lr = (L.t() if up else L).clone().requires_grad_(); Br = Bm.clone().requires_grad_()
    X = torch.cholesky_solve(Br, Lr, upper=up)
    gL, gB = torch.autograd.grad((X * weights(X)).sum(), [Lr, Br])
    Lr2 = (L.t() if up else L).clone().requires_grad_()
    Ci = torch.cholesky_inverse(Lr2, upper=up)
    gC, = torch.autograd.grad((Ci * weights(Ci)).sum(), [Lr2])
    cs[str(int(up))] = [X.tolist(), gL.tolist(), gB.tolist(), Ci.tolist(), gC.tolist()]
cs['gradfn'] = [torch.cholesky_solve(Bm, L.clone().requires_grad_()).grad_fn.name(), torch.cholesky_inverse(L.clone().requires_grad_()).grad_fn.name()]
o['chol'] = cs
M = torch.tensor([[1., 2., 3., 0.5], [4., -5., 6., 1.], [7., 8., -9., 2.], [0.5, 1., 2., 10.]], dtype=D)
Mr = M.clone().requires_grad_()
LU, piv = torch.lu(Mr)
gM, = torch.autograd.grad((LU * weights(LU)).sum(), Mr)
P, Lo, U = torch.lu_unpack(LU, piv)
bb = torch.tensor([[1., 0.], [2., 1.], [-1., 3.], [0.5, 0.5]], dtype=D, requires_grad=True)
Xs = torch.lu_solve(bb, LU.detach(), piv)
gb, = torch.autograd.grad((Xs * weights(Xs)).sum(), bb)
Mb = torch.stack([M, M.flip(0)])
LUb, pivb = torch.lu(Mb)
_, _, info = torch.lu(Mb, get_infos=True)
Pb, Lb, Ub = torch.lu_unpack(LUb, pivb)
o['lu'] = [LU.tolist(), piv.tolist(), str(piv.dtype), gM.tolist(), P.tolist(), Lo.tolist(), U.tolist(), Xs.tolist(), gb.tolist(),
           LUb.tolist(), pivb.tolist(), Pb.tolist(), info.tolist(), str(info.dtype), LU.grad_fn.name()]
Mrect = torch.tensor([[1., 2., 3.], [4., 5., 6.]], dtype=D)
LUr, pr = torch.lu(Mrect); Pr, Lr_, Ur = torch.lu_unpack(LUr, pr)
o['lu_rect'] = [LUr.tolist(), pr.tolist(), Pr.tolist(), Lr_.tolist(), Ur.tolist()]
Ms = torch.tensor([[1., 2.], [2., 4.]], dtype=D)
o['lu_sing'] = [torch.lu(Ms)[0].tolist(), torch.lu(Ms, get_infos=True)[2].tolist()]

path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'ops-api2.json')
with open(path, 'w') as fh:
    json.dump(o, fh)
    fh.write('\n')
print('wrote', path)
