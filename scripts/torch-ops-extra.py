# PyTorch 1.13 printed values, gradients and errors of prod, the logical ops, einsum, meshgrid, diff,
# count_nonzero, movedim/swapaxes and logaddexp, hypot, deg2rad, rad2deg, frac, nan_to_num
# (test/ops-extra.test.ts): /usr/bin/python3 scripts/torch-ops-extra.py
import torch, json, os, warnings
from torch_fixture import err, weights
warnings.simplefilter('ignore')
torch.set_printoptions(precision=4)
out = {}
nan, inf = float('nan'), float('inf')


def run(f, *xs):
    """f's result and the gradients of sum(f(xs) * weights) for the inputs, printed."""
    xs = [x.detach().clone().requires_grad_() for x in xs]
    y = f(*xs)
    (y * weights(y)).sum().backward()
    return [str(y.detach())] + [str(x.grad) for x in xs]

# ---------------------------------------------------------------- prod
m = torch.tensor([[1.5, -2., 0.5, 1.25], [3., -1., 2., -0.5]])
z1 = torch.tensor([[1.5, 0., 2., -1.], [3., -1., 2., 0.5]])
z2 = torch.tensor([[1.5, 0., 2., -1.], [3., -1., 0., 0.5]])
zr = torch.tensor([[1.5, 0., 2., -1.], [0., 0., 3., 2.], [2., 3., -0.5, 1.]])
out['prod_all'] = run(torch.prod, m)
out['prod_z1'] = run(torch.prod, z1)
out['prod_z2'] = run(torch.prod, z2)
out['prod_d1'] = run(lambda t: torch.prod(t, 1), zr)
out['prod_d0k'] = run(lambda t: torch.prod(t, 0, keepdim=True), zr)
out['prod_dm1'] = run(lambda t: t.prod(-1), zr.double())
out['prod_0d'] = run(torch.prod, torch.tensor(2.5)) + run(lambda t: torch.prod(t, 0), torch.tensor(-1.5))
out['prod_vals'] = [str(torch.prod(torch.tensor([[2, 3], [-4, 5]], dtype=torch.int32))), str(torch.prod(torch.tensor([[2, 3], [-4, 5]]), 1)),
                    str(torch.prod(torch.tensor([True, True]))), str(torch.prod(torch.tensor([[True, False], [True, True]]), 0)),
                    str(torch.prod(torch.tensor([1.5, 2.]), 0, dtype=torch.float64)), str(torch.prod(torch.tensor([2, 3]), dtype=torch.float32)),
                    str(torch.prod(torch.zeros(0))), str(torch.prod(torch.zeros(2, 0), 1)), str(torch.prod(torch.tensor([nan, 0.])))]
out['prod_err'] = [err(lambda: torch.prod(m, 2))]

# ---------------------------------------------------------------- logical
a = torch.tensor([0., 1.5, nan, -0., -2., inf])
b = torch.tensor([1, 0, 0, 3, -1, 0])
c = torch.tensor([[True], [False]])
out['logical'] = [str(torch.logical_and(a, b)), str(torch.logical_or(a, b)), str(torch.logical_xor(a, b)), str(torch.logical_not(a)),
                  str(torch.logical_not(b)), str(torch.logical_and(c, a)), str(torch.logical_or(b, c)), str(torch.logical_xor(c, torch.tensor([True, False]))),
                  str(a.bool()), str(b.bool()), str(torch.logical_not(torch.tensor(0.)))]
out['logical_err'] = [err(lambda: torch.logical_and(a, torch.ones(4)))]

# ---------------------------------------------------------------- einsum
def ramp(*shape):
    n = 1
    for s in shape: n *= s
    return (torch.arange(n, dtype=torch.float32) % 7 - 3).div(4).reshape(shape)
EINSUM = [
    ('ij,jk', [(2, 3), (3, 4)]), ('ij,jk->ik', [(2, 3), (3, 4)]), ('ij,jk->ki', [(2, 3), (3, 4)]), ('bij,bjk->bik', [(2, 2, 3), (2, 3, 2)]),
    ('ii->i', [(3, 3)]), ('ii', [(3, 3)]), ('i,j->ij', [(3,), (2,)]), ('...ij,...jk->...ik', [(2, 1, 2, 3), (3, 3, 2)]), ('ij->ji', [(2, 3)]),
    ('ji', [(2, 3)]), ('ij->', [(2, 3)]), ('i,i', [(3,), (3,)]), ('bii->bi', [(2, 3, 3)]), ('iij->j', [(2, 2, 3)]), ('ij,jk,kl->il', [(2, 3), (3, 4), (4, 2)]),
    ('i,i,i->i', [(3,), (3,), (3,)]), ('bn,anm,bm->ba', [(2, 3), (4, 3, 2), (2, 2)]), ('ij,ij->ij', [(2, 3), (2, 3)]), ('ij,kj->ik', [(2, 3), (4, 3)]),
    ('...ii->...i', [(2, 3, 3)]), ('bA,bc', [(2, 3), (2, 2)]), ('ba,b', [(3, 2), (3,)]), ('ij,jk', [(2, 1), (3, 4)]), ('i j , j k -> i k', [(2, 3), (3, 4)]),
    ('ij...,jk...->ik...', [(2, 3, 2), (3, 2, 1)]), ('ij,ij->', [(2, 3), (2, 3)]), ('ijk->kji', [(2, 3, 4)]), ('iii->i', [(2, 2, 2)]), ('i...->...', [(3, 2)]),
]
out['einsum'] = []
for k, (eq, shapes) in enumerate(EINSUM):
    ops = [ramp(*s).add(k / 10) for s in shapes]
    out['einsum'].append([eq, [list(s) for s in shapes], run(lambda *t: torch.einsum(eq, *t), *ops)])
out['einsum_int'] = [str(torch.einsum('ij,jk', torch.tensor([[1, 2], [3, 4]]), torch.tensor([[5, 6], [7, -8]]))), str(torch.einsum('ii', torch.arange(9).reshape(3, 3)))]
out['einsum_grad_fn'] = [type(torch.einsum(eq, torch.ones(3, 3, requires_grad=True)).grad_fn).__name__ for eq in ['ii', 'ii->i', 'ij->ji']]
EINSUM_ERR = [('ij,jk', [(2, 3), (2, 3, 4)]), ('ij,jk', [(2, 3)]), ('ij', [(2, 3), (3, 4)]), ('ij->k', [(2, 3)]), ('ij->ii', [(2, 3)]), ('i.j', [(2, 3)]),
              ('ij,jk', [(2, 3), (4, 4)]), ('ii', [(2, 3)]), ('i1', [(2, 3)]), ('...ij', [(2,)]), ('ij->i...j..', [(2, 3)]), ('ij->I', [(2, 3)]),
              ('i...j...', [(2, 3)]), ('ij->i.', [(2, 3)]), ('ij->i1', [(2, 3)]), ('...i,...i', [(2, 3), (4, 3)])]
out['einsum_err'] = [[eq, [list(s) for s in shapes], err(lambda: torch.einsum(eq, *[torch.ones(s) for s in shapes]))] for eq, shapes in EINSUM_ERR]
out['einsum_err_dtype'] = err(lambda: torch.einsum('ij,jk', torch.ones(2, 3), torch.ones(3, 4, dtype=torch.float64)))

# ---------------------------------------------------------------- meshgrid
p, q, r = torch.tensor([1, 2, 3]), torch.tensor([4, 5]), torch.tensor([6., 7.])
out['meshgrid'] = [str(t) for t in torch.meshgrid(p, q, indexing='ij') + torch.meshgrid(p, q, indexing='xy')]
out['meshgrid3'] = [str(list(t.shape)) for t in torch.meshgrid(p, q, torch.tensor([7, 8, 9, 10]), indexing='xy') + torch.meshgrid(torch.tensor(1), q, indexing='ij')]
gx, gy = torch.arange(3.).requires_grad_(), r.clone().requires_grad_()
u, v = torch.meshgrid(gx, gy, indexing='xy')
(u * weights(u) + v * weights(v).mul(3)).sum().backward()
out['meshgrid_grad'] = [str(gx.grad), str(gy.grad), type(u.grad_fn).__name__, type(torch.meshgrid(gx, gy, indexing='ij')[0].grad_fn).__name__]
out['meshgrid_err'] = [err(lambda: torch.meshgrid(p, r, indexing='ij')), err(lambda: torch.meshgrid(p, indexing='ab')), err(lambda: torch.meshgrid([], indexing='ij'))]

# ---------------------------------------------------------------- diff, count_nonzero
d = torch.tensor([[1., 4., 9., 16., 25.], [2., -1., 3., 0., 7.]])
out['diff'] = [run(torch.diff, d), run(lambda t: torch.diff(t, n=2), d), run(lambda t: torch.diff(t, dim=0), d),
               run(lambda t, pre, app: torch.diff(t, 1, -1, pre, app), d, torch.tensor([[0.5], [1.5]]), torch.tensor([[-1., 2.], [3., 4.]])),
               run(lambda t: torch.diff(t, n=3, dim=1), d)]
out['diff_vals'] = [str(torch.diff(torch.tensor([1, 3, 7, 15]))), str(torch.diff(torch.tensor([1, 3, 7, 15]), n=2)), str(torch.diff(torch.tensor([True, False, False, True]))),
                    str(torch.diff(d, n=5)), str(torch.diff(d, n=7)), str(torch.diff(d, n=0)), str(torch.diff(torch.tensor([1, 2], dtype=torch.int32)))]
out['diff_err'] = [err(lambda: torch.diff(torch.tensor(1.))), err(lambda: torch.diff(d, prepend=torch.ones(2))), err(lambda: torch.diff(d, dim=2))]
cn = torch.tensor([[0., nan, 2.], [1., 0., -0.]])
out['count_nonzero'] = [str(torch.count_nonzero(cn)), str(torch.count_nonzero(cn, 0)), str(torch.count_nonzero(cn, dim=(0, 1))), str(torch.count_nonzero(cn, -1)),
                        str(torch.count_nonzero(torch.tensor([True, False, True]))), str(torch.count_nonzero(torch.tensor(3)))]

# ---------------------------------------------------------------- movedim, swapaxes
x = torch.arange(24).reshape(2, 3, 4)
out['movedim'] = [str(torch.movedim(x, 0, 2)), str(torch.movedim(x, [0, 1], [2, 0])), str(torch.movedim(x, -1, 0)), str(torch.swapaxes(x, 0, 2)), str(torch.swapdims(x, 1, -1))]
out['movedim_err'] = [err(lambda: torch.movedim(x, (0, 1), (0,))), err(lambda: torch.movedim(x, (0, 0), (0, 1))), err(lambda: torch.movedim(x, (0, 1), (1, 1))), err(lambda: torch.movedim(x, 3, 0))]

# ---------------------------------------------------------------- elementwise
ea = torch.tensor([-2.5, 0.5, 3., -0.75, 1e-3, 7.25, 100., 1000.])
eb = torch.tensor([1., 0.5, -1., 2., -4., 0.25, 100., 0.])
sa = torch.tensor([inf, -inf, inf, -inf, nan, 1., 0., 1e30])
sb = torch.tensor([inf, -inf, 1., 2., 1., nan, 0., 1e30])
out['logaddexp'] = [run(torch.logaddexp, ea, eb), run(torch.logaddexp, sa, sb), str(torch.logaddexp(ea, eb.double())), str(torch.logaddexp(torch.tensor([1, 2]), torch.tensor([0.5, -1.])))]
out['hypot'] = [run(torch.hypot, ea, eb), run(torch.hypot, sa, sb), str(torch.hypot(torch.tensor([3.]), torch.tensor([4.], dtype=torch.float64))),
                str(torch.hypot(torch.tensor([1e-30, 3e38]), torch.tensor([1e-30, 3e38])))]
out['deg'] = [run(torch.deg2rad, ea), run(torch.rad2deg, ea), str(torch.deg2rad(torch.tensor([180, -90]))), str(torch.rad2deg(torch.tensor([True, False]))), str(torch.deg2rad(torch.tensor([180.], dtype=torch.float64)))]
fr = torch.tensor([-2.5, 0.5, 3., -0.75, 7.25, inf, nan, -1e-3])
out['frac'] = run(torch.frac, fr)
nn_ = torch.tensor([nan, inf, -inf, 1.5, -2., 0.])
out['nan_to_num'] = [run(torch.nan_to_num, nn_), run(lambda t: torch.nan_to_num(t, nan=1., posinf=2., neginf=-3.), nn_), str(torch.nan_to_num(nn_.double())),
                     str(torch.nan_to_num(torch.tensor([1, 2]))), str(torch.nan_to_num(nn_, posinf=5.))]
out['elem_err'] = [err(lambda: torch.hypot(torch.tensor([1, 2]), torch.tensor([1, 2]))), err(lambda: torch.frac(torch.tensor([1, 2]))), err(lambda: torch.logaddexp(torch.tensor([1, 2]), torch.tensor([1, 2])))]
x1 = torch.ones(3, requires_grad=True)
out['grad_fns'] = [type(t.grad_fn).__name__ for t in [torch.prod(x1), torch.prod(x1, 0), torch.logaddexp(x1, x1), torch.hypot(x1, x1), torch.deg2rad(x1), torch.rad2deg(x1),
                                                      torch.frac(x1), torch.nan_to_num(x1), torch.diff(x1), torch.movedim(x1.reshape(1, 3), 0, 1), torch.swapaxes(x1.reshape(1, 3), 0, 1)]]

json.dump(out, open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'ops-extra.json'), 'w'), indent=1)
