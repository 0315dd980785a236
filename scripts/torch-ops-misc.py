# PyTorch 1.13 printed values, gradients, grad_fns and errors of cummax/cummin, logcumsumexp, nansum,
# nanmean, quantile/nanquantile, mode, aminmax, repeat_interleave, rot90, tril/triu_indices,
# tensor_split, h/v/dsplit, dstack, column_stack, row_stack, take, take_along_dim, isin,
# searchsorted/bucketize, isposinf/isneginf, signbit, copysign, heaviside, sinc, logit, xlogy, cross,
# kron, cartesian_prod, block_diag, cov, corrcoef, trapezoid, diag_embed, vdot, mv, ger, dist
# (test/ops-misc.test.ts): /usr/bin/python3 scripts/torch-ops-misc.py
import torch, json, os, warnings
from torch_fixture import err, weights
warnings.simplefilter('ignore')
torch.set_printoptions(precision=4)
out = {}
nan, inf = float('nan'), float('inf')


def run(f, *xs):
    """f's result and the gradients of sum(f(xs) * weights) for the inputs, printed, and f's grad_fn."""
    xs = [x.detach().clone().requires_grad_() for x in xs]
    y = f(*xs)
    (y * weights(y)).sum().backward()
    return [str(y.detach())] + [str(x.grad) for x in xs] + [type(y.grad_fn).__name__]

S = lambda t: str(t)

# ---------------------------------------------------------------- cummax, cummin
c = torch.tensor([[1., 3., 3., 2., 3., nan, 1., nan, 0.], [5., -1., 4., -1., 6., 6., -2., 7., 7.]])
out['cummax'] = [S(torch.cummax(c, 1).values), S(torch.cummax(c, 1).indices), S(torch.cummin(c, 1).values), S(torch.cummin(c, 1).indices),
                 S(torch.cummax(c, 0).indices), S(torch.cummax(torch.tensor([1, 3, 3, 2, 5]), 0).values), S(torch.cummin(torch.tensor([4, 3, 3, 5, 1], dtype=torch.int32), 0).indices),
                 S(torch.cummax(torch.tensor(2.5), 0).indices), S(torch.cummax(torch.zeros(0), 0).values)]
g = torch.tensor([[1., 3., 3., 2., 3., 0.], [5., -1., 4., -1., 6., 6.]])
out['cummax_grad'] = [run(lambda t: torch.cummax(t, 1).values, g), run(lambda t: torch.cummin(t, -1).values, g), run(lambda t: torch.cummax(t, 0).values, g)]
out['logcumsumexp'] = [run(lambda t: torch.logcumsumexp(t, 1), torch.tensor([[1., 2., -inf, 3., -1000., 1000.], [-2., 0.5, 0.5, 80., -80., 1.]])),
                       run(lambda t: torch.logcumsumexp(t, 0), torch.tensor([[1., 2.], [0., -3.], [4., -1.]]).double()),
                       S(torch.logcumsumexp(torch.tensor([-inf, -inf, 0., inf, nan, 1.]), 0))]
out['cum_err'] = [err(lambda: torch.logcumsumexp(torch.tensor([1, 2]), 0)), err(lambda: torch.cummax(c, 2))]

# ---------------------------------------------------------------- nansum, nanmean
n = torch.tensor([[1., nan, 2.5], [nan, nan, -1.], [0.5, 2., 3.]])
out['nansum'] = [run(torch.nansum, n), run(lambda t: torch.nansum(t, 1), n), run(lambda t: torch.nansum(t, 0, keepdim=True), n),
                 run(torch.nanmean, n), run(lambda t: torch.nanmean(t, 1), n), run(lambda t: torch.nanmean(t, (0, 1), keepdim=True), n)]
out['nansum_vals'] = [S(torch.nansum(torch.tensor([1, 2, 3]))), S(torch.nansum(torch.tensor([[True, False], [True, True]]), 0)), S(torch.nansum(n.double())),
                      S(torch.nanmean(torch.tensor([nan, nan]))), S(torch.nansum(torch.tensor([nan]))), S(torch.nansum(n, dtype=torch.float64))]
out['nansum_err'] = [err(lambda: torch.nanmean(torch.tensor([1, 2])))]

# ---------------------------------------------------------------- quantile
qx = torch.tensor([[0.5, 3., -1., 2., 7.], [4., 4., 1., -2., 0.]])
qn = torch.tensor([[0.5, nan, -1., 2., 7.], [nan, nan, nan, nan, nan]])
QS = []
for interp in ['linear', 'lower', 'higher', 'midpoint', 'nearest']:
    QS.append(run(lambda t: torch.quantile(t, 0.3, interpolation=interp), qx))
    QS.append(run(lambda t: torch.quantile(t, torch.tensor([0.25, 0.5, 0.9]), dim=1, interpolation=interp), qx))
    QS.append(run(lambda t: torch.quantile(t, 0.625, dim=0, keepdim=True, interpolation=interp), qx))
    QS.append(run(lambda t: torch.nanquantile(t, torch.tensor([0.1, 0.75]), dim=1, interpolation=interp), qn.nan_to_num(nan=0.) + qn * 0))
out['quantile'] = QS
out['quantile_vals'] = [S(torch.quantile(qn, 0.5, dim=1)), S(torch.nanquantile(qn, 0.5, dim=1)), S(torch.quantile(qx, 0.4, keepdim=True)), S(torch.quantile(qx, torch.tensor([0.5]), keepdim=True)),
                        S(torch.quantile(qx.double(), 0.35)), S(torch.quantile(torch.tensor(3.), 0.7)), S(torch.quantile(qx, torch.tensor(0.5), dim=1)), S(torch.nanquantile(qn, 0.5))]
out['quantile_err'] = [err(lambda: torch.quantile(qx, 1.5)), err(lambda: torch.quantile(torch.tensor([1, 2]), 0.5)), err(lambda: torch.quantile(qx, torch.tensor([0.5]).double())),
                       err(lambda: torch.quantile(qx, torch.ones(2, 2))), err(lambda: torch.quantile(qx, 0.5, interpolation='cubic')), err(lambda: torch.quantile(torch.zeros(0), 0.5))]

# ---------------------------------------------------------------- mode, aminmax
mo = torch.tensor([[1., 2., 2., 3., 3.], [5., 4., 4., 5., 1.], [2., 2., 2., 1., 1.], [0., -1., 3., 7., 0.5]])
mv_ = mo.mode(1)
out['mode'] = [S(mv_.values), S(mv_.indices), S(mo.mode(0).values), S(mo.mode(0).indices), S(torch.mode(torch.tensor([3., 1., 3., 1.])).indices),
               S(torch.mode(mo, 1, keepdim=True).indices), S(torch.mode(torch.tensor([3, 1, 3, 2])).values), S(torch.mode(torch.tensor(4.)).indices),
               run(lambda t: torch.mode(t, 1).values, mo), run(lambda t: torch.mode(t, 0, keepdim=True).values, mo)]
am = torch.aminmax(qx, dim=1)
am2 = torch.aminmax(qx)
am3 = torch.aminmax(qx, dim=0, keepdim=True)
out['aminmax'] = [S(am.min), S(am.max), S(am2.min), S(am2.max), S(am3.min), S(am3.max), S(torch.aminmax(torch.tensor([[3, 1], [2, 9]])).max), str(am)]
out['aminmax_err'] = [err(lambda: torch.aminmax(torch.zeros(0))), err(lambda: torch.aminmax(torch.zeros(2, 0), dim=1))]

# ---------------------------------------------------------------- arrangements
r = torch.tensor([[1., 2.], [3., 4.], [5., 6.]])
out['repeat_interleave'] = [run(lambda t: torch.repeat_interleave(t, 2), r), run(lambda t: torch.repeat_interleave(t, 3, dim=1), r),
                            run(lambda t: torch.repeat_interleave(t, torch.tensor([1, 0, 2]), dim=0), r), S(torch.repeat_interleave(torch.tensor([1, 2]), 2)),
                            S(torch.repeat_interleave(torch.tensor(5), 3))]
out['repeat_interleave_err'] = [err(lambda: torch.repeat_interleave(r, -1)), err(lambda: torch.repeat_interleave(r, torch.tensor([1, 2]), dim=0))]
x3 = torch.arange(24.).reshape(2, 3, 4)
out['rot90'] = [S(torch.rot90(r)), S(torch.rot90(r, 2)), S(torch.rot90(r, 3)), S(torch.rot90(r, -1)), S(torch.rot90(r, 4)), S(torch.rot90(x3, 1, [1, 2])), S(torch.rot90(x3, 1, [2, 0])),
                run(lambda t: torch.rot90(t, 1), r)]
out['rot90_err'] = [err(lambda: torch.rot90(r, 1, [0])), err(lambda: torch.rot90(torch.ones(3), 1)), err(lambda: torch.rot90(r, 1, [1, 1])), err(lambda: torch.rot90(r, 1, [0, -2]))]
out['tri_indices'] = [S(torch.tril_indices(3, 3)), S(torch.triu_indices(3, 4, 1)), S(torch.tril_indices(4, 3, -1)), S(torch.triu_indices(2, 5, -1)), S(torch.tril_indices(0, 3)),
                      S(torch.triu_indices(3, 3, 5)), S(torch.tril_indices(3, 2, dtype=torch.int32))]
t10 = torch.arange(10.)
out['tensor_split'] = [[S(p) for p in torch.tensor_split(t10, 3)], [S(p) for p in torch.tensor_split(t10, [1, 4, 6])], [S(p) for p in torch.tensor_split(t10, [7, 3, 12])],
                       [S(p) for p in torch.tensor_split(x3, 2, dim=2)], [S(p) for p in torch.tensor_split(t10, [-3, -1])], [S(p) for p in torch.tensor_split(torch.arange(2.), 4)],
                       [S(p) for p in torch.hsplit(x3, 3)], [S(p) for p in torch.vsplit(x3, [1])], [S(p) for p in torch.dsplit(x3, [1, 3])], [S(p) for p in torch.hsplit(t10, [3])]]
out['tensor_split_err'] = [err(lambda: torch.tensor_split(t10, 0)), err(lambda: torch.hsplit(x3, 2)), err(lambda: torch.vsplit(t10, 2)), err(lambda: torch.dsplit(r, 2)),
                           err(lambda: torch.tensor_split(torch.tensor(1.), 2)), err(lambda: torch.hsplit(torch.tensor(1.), 1))]
va, vb = torch.tensor([1., 2., 3.]), torch.tensor([4., 5., 6.])
ma, mb = torch.tensor([[1, 2], [3, 4]]), torch.tensor([[5.], [6.]])
out['stacks'] = [S(torch.dstack([va, vb])), S(torch.dstack([ma, ma])), S(torch.column_stack([va, vb])), S(torch.column_stack([ma, mb])), S(torch.row_stack([va, vb])),
                 S(torch.dstack([torch.tensor(1.), torch.tensor(2.)])), S(torch.column_stack([torch.tensor(1.), torch.tensor(2.)]))]
# ---------------------------------------------------------------- selection
src = torch.tensor([[4., 3., 5.], [6., 7., 8.]])
out['take'] = [run(lambda t: torch.take(t, torch.tensor([0, 2, 5, -1, 2])), src), run(lambda t: torch.take(t, torch.tensor([[0, 1], [5, 5]])), src),
               run(lambda t: torch.take_along_dim(t, torch.tensor([[0, 2], [1, 1]]), 1), src), run(lambda t: torch.take_along_dim(t, torch.tensor([[1, 0, 1]]), 0), src),
               run(lambda t: torch.take_along_dim(t, torch.tensor([5, 0])), src), run(lambda t: torch.take_along_dim(t, torch.tensor([[0], [2]]), 1), src)]
out['take_err'] = [err(lambda: torch.take(src, torch.tensor([0.]))), err(lambda: torch.take_along_dim(src, torch.tensor([0]), 1)), err(lambda: torch.take_along_dim(src, torch.tensor([[0]]).int(), 1))]
el = torch.tensor([[1, 2], [3, 4]])
out['isin'] = [S(torch.isin(el, torch.tensor([2, 3]))), S(torch.isin(el, torch.tensor([2, 3]), invert=True)), S(torch.isin(el, 4)), S(torch.isin(3, el)),
               S(torch.isin(torch.tensor([1., nan, 2.5]), torch.tensor([nan, 2.5])))]
bnd = torch.tensor([1., 3., 5., 7., 9.])
vv = torch.tensor([[3., 6., 9.], [3., 6., 10.]])
ss = torch.tensor([[1., 3., 5., 7., 9.], [2., 4., 6., 8., 10.]])
out['search'] = [S(torch.bucketize(vv, bnd)), S(torch.bucketize(vv, bnd, right=True)), S(torch.searchsorted(bnd, vv)), S(torch.searchsorted(ss, vv, right=True)),
                 S(torch.searchsorted(ss, vv, side='left')), S(torch.bucketize(torch.tensor([1, 5, 11]), torch.tensor([2, 5, 10]), out_int32=True)), S(torch.searchsorted(bnd, 4.)),
                 S(torch.bucketize(torch.tensor(6.), bnd)), S(torch.searchsorted(bnd, torch.tensor([-inf, inf, 5.]))), S(torch.bucketize(vv, bnd).dtype)]
out['search_err'] = [err(lambda: torch.bucketize(vv, ss)), err(lambda: torch.searchsorted(ss, torch.ones(3, 2))), err(lambda: torch.searchsorted(bnd, vv, side='middle')),
                     err(lambda: torch.searchsorted(bnd, vv, side='left', right=True))]
# ---------------------------------------------------------------- elementwise
e = torch.tensor([-inf, -2.5, -0., 0., 0.3, 1., inf, nan])
out['elementwise_vals'] = [S(torch.isposinf(e)), S(torch.isneginf(e)), S(torch.signbit(e)), S(torch.isposinf(torch.tensor([1, 2]))), S(torch.signbit(torch.tensor([-1, 0, 2]))),
                           S(torch.copysign(e, -1.)), S(torch.copysign(torch.tensor([1, -2, 3]), torch.tensor([-0., 0., -1.]))), S(torch.copysign(torch.tensor([1, 2]), 1)),
                           S(torch.heaviside(torch.tensor([-1.5, 0., 2.]), torch.tensor([0.5]))), S(torch.heaviside(torch.tensor([-1, 0, 2]), torch.tensor([7, 8, 9]))),
                           S(torch.sinc(e)), S(torch.sinc(torch.tensor([0, 1, 2]))), S(torch.logit(torch.tensor([0., 0.25, 0.5, 1., 1.5]))), S(torch.logit(torch.tensor([0., 0.25, 0.5, 1., 1.5]), 0.1)),
                           S(torch.logit(torch.tensor([0, 1]))), S(torch.xlogy(torch.tensor([0., 0., 2., 3., 0.]), torch.tensor([0., nan, 3., 0., -1.]))), S(torch.xlogy(torch.tensor([1, 2]), torch.tensor([3, 4]))),
                           S(torch.xlogy(2, torch.tensor([3., 4.]))), S(torch.xlogy(torch.tensor([3., 4.]), 2))]
ea = torch.tensor([-2.5, 0.5, 3., -0.75, 0., 7.25])
eb = torch.tensor([1., -0.5, -1., 2., -4., 0.25])
ep = torch.tensor([0.05, 0.2, 0.5, 0.75, 0.97, 0.6])
out['elementwise_grad'] = [run(torch.copysign, ea, eb), run(lambda t: torch.copysign(t, -2.), ea), run(torch.sinc, ea), run(torch.logit, ep), run(lambda t: torch.logit(t, 0.1), ep),
                           run(torch.xlogy, ea, ep), run(lambda t: torch.xlogy(t, 3.), ea), run(lambda t: torch.xlogy(2., t), ep)]
out['elementwise_err'] = [err(lambda: torch.heaviside(torch.tensor([1.]), torch.tensor([1]))), err(lambda: torch.heaviside(torch.tensor([1.], requires_grad=True), torch.tensor([1.])))]
# ---------------------------------------------------------------- matrices
ca = torch.tensor([[1., 2., 3.], [-1., 0.5, 2.]])
cb = torch.tensor([[4., 5., 6.], [2., -3., 1.]])
out['cross'] = [run(lambda a, b: torch.cross(a, b, dim=1), ca, cb), run(lambda a, b: torch.cross(a, b), ca.t(), cb.t()), run(lambda a, b: torch.cross(a, b, -1), ca, cb[:1])]
out['cross_err'] = [err(lambda: torch.cross(ca, cb, dim=0)), err(lambda: torch.cross(torch.ones(2, 2), torch.ones(2, 2)))]
out['kron'] = [run(torch.kron, torch.tensor([[1., 2.], [3., 4.]]), torch.tensor([[0., 5.], [6., 7.]])), run(torch.kron, torch.tensor([1., 2.]), torch.tensor([[1., -1.], [2., 0.5]])),
               S(torch.kron(torch.tensor([1, 2]), torch.tensor([3, 4, 5])))]
out['cartesian_prod'] = [S(torch.cartesian_prod(torch.tensor([1, 2, 3]), torch.tensor([4, 5]))), S(torch.cartesian_prod(torch.tensor([1., 2.]))),
                         S(torch.cartesian_prod(torch.tensor([1, 2]), torch.tensor([3]), torch.tensor([4, 5]))), run(lambda a, b: torch.cartesian_prod(a, b), va, vb[:2])]
out['block_diag'] = [S(torch.block_diag(torch.tensor([[1, 2], [3, 4]]), torch.tensor([5, 6, 7]), torch.tensor(8), torch.tensor([[9.], [10.]]))),
                     run(lambda a, b: torch.block_diag(a, b), torch.tensor([[1., 2.]]), torch.tensor([[3.], [4.]]))]
cv = torch.tensor([[0., 1., 2., 4.], [2., 1., 0., -1.], [1., 3., 2., 2.]])
fw = torch.tensor([1, 2, 1, 3])
aw = torch.tensor([0.5, 1., 2., 0.25])
out['cov'] = [run(torch.cov, cv), run(lambda t: torch.cov(t, correction=0), cv), run(lambda t: torch.cov(t, fweights=fw), cv), run(lambda t: torch.cov(t, aweights=aw), cv),
              run(lambda t: torch.cov(t, fweights=fw, aweights=aw, correction=2), cv), run(torch.cov, cv[0]), run(torch.corrcoef, cv), S(torch.cov(torch.tensor([[1, 2, 4]]))), S(torch.corrcoef(cv[0]))]
out['cov_err'] = [err(lambda: torch.cov(torch.ones(2, 2, 2))), err(lambda: torch.cov(cv, fweights=aw)), err(lambda: torch.cov(cv, aweights=fw)), err(lambda: torch.cov(cv, fweights=torch.tensor([1, 2])))]
ty = torch.tensor([[1., 4., 9., 16.], [2., -1., 3., 0.5]])
out['trapezoid'] = [run(torch.trapezoid, ty), run(lambda t: torch.trapezoid(t, dx=0.5), ty), run(lambda t: torch.trapezoid(t, dim=0), ty),
                    run(lambda t, x: torch.trapezoid(t, x), ty, torch.tensor([0., 1., 3., 3.5])), run(lambda t, x: torch.trapezoid(t, x, dim=1), ty, torch.tensor([[0., 1., 3., 3.5], [1., 2., 2.5, 5.]]))]
de = torch.tensor([[1., 2.], [3., 4.]])
out['diag_embed'] = [run(torch.diag_embed, de), run(lambda t: torch.diag_embed(t, 1), de), run(lambda t: torch.diag_embed(t, -1, 0, 2), de), S(torch.diag_embed(torch.tensor([1, 2, 3]), 0, 1, 0))]
mm_ = torch.tensor([[1., 2., 3.], [4., -5., 6.]])
out['vec'] = [run(torch.vdot, va, vb), run(torch.mv, mm_, va), run(torch.ger, va, vb[:2]), run(torch.dist, ca, cb), run(lambda a, b: torch.dist(a, b, 1), ca, cb), run(lambda a, b: torch.dist(a, b, 3.5), ca, cb),
              S(torch.dist(ca, cb, inf)), S(torch.dist(ca, cb, 0))]
out['vec_err'] = [err(lambda: torch.vdot(ca, cb)), err(lambda: torch.mv(mm_, vb[:2])), err(lambda: torch.mv(va, va))]
# ---------------------------------------------------------------- Tensor methods
base = torch.tensor([[1, 2], [3, 4]], dtype=torch.int32)
out['methods'] = [S(base.new_zeros(2, 3)), S(base.new_ones(2)), S(base.new_full((2,), 7)), S(base.new_tensor([1.5, 2.])), S(base.new_zeros(2, dtype=torch.float64)),
                  S(torch.arange(4.).view_as(base)), S(torch.arange(4.).reshape_as(base)), S(torch.tensor([1.7, -2.2]).type_as(base)), S(torch.tensor([1, 2]).expand_as(base)),
                  [base.element_size(), torch.ones(3).element_size(), torch.ones(3, dtype=torch.int64).element_size(), torch.ones(2, dtype=torch.bool).element_size(), torch.ones(3).double().element_size()]]  # (nbytes and itemsize came in PyTorch 2.1)
tr = torch.arange(1., 10.).reshape(3, 3)
t1, t2 = tr.clone(), tr.clone()
t1.tril_(); t2.triu_(1)
lf = tr.clone().requires_grad_()
y = lf * 2
y.tril_(-1)
(y * weights(y)).sum().backward()
out['tri_'] = [S(t1), S(t2), S(lf.grad), type(y.grad_fn).__name__]

json.dump(out, open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'ops-misc.json'), 'w'), indent=1)
