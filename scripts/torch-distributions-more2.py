# PyTorch 1.13 values, gradients, shapes, printed forms and errors of the distributions of
# src/distributions-more2.ts (test/distributions-more2.test.ts): LowRankMultivariateNormal and its KLs
# (against itself and MultivariateNormal, both ways), LKJCholesky and Wishart. All float64.
#   /usr/bin/python3 scripts/torch-distributions-more2.py
import torch, json, os, warnings
from torch_fixture import err as fixture_err, lists, param_run
from torch.distributions import LowRankMultivariateNormal as LR, MultivariateNormal as MVN, LKJCholesky, Wishart, kl_divergence
warnings.simplefilter('ignore')
out = {}
L = lists
F = torch.float64
t = lambda x: torch.tensor(x, dtype=F)


def run(make, f, params):
    ps = [torch.tensor(p, dtype=F).requires_grad_() for p in params]
    y = f(make(*ps))
    if not y.requires_grad: return [L(y)] + [None for _ in ps]
    return param_run(make, f, params, F)


def err(f):
    return fixture_err(f, first_line=False)


# ---------------------------------------------------------------- LowRankMultivariateNormal
LOC = [[0.5, -1.0, 2.0], [0.0, 0.3, -0.7]]
W = [[1.0, 0.5], [-0.3, 0.8], [0.2, -1.1]]
DG = [0.7, 1.3, 0.4]
W2 = [[[0.4, 0.1], [0.2, -0.5], [1.0, 0.3]], [[-0.6, 0.2], [0.9, 0.7], [0.1, 0.05]]]
D2 = [[0.5, 0.9, 1.6], [2.0, 0.3, 0.8]]
V = [[[0.3, -0.2, 1.5], [1.0, 0.0, -1.0]], [[-2.0, 0.5, 0.1], [0.4, 0.9, 0.2]], [[0.0, 0.0, 0.0], [3.0, -1.0, 2.5]]]
mk = lambda l, w, d: LR(l, w, d)
lr = {}
for name, ps in [('a', [LOC, W, DG]), ('b', [LOC, W2, D2])]:
    r = {'log_prob': run(mk, lambda d: d.log_prob(t(V)), ps), 'entropy': run(mk, lambda d: d.entropy(), ps)}
    for k in ['mean', 'mode', 'variance', 'stddev', 'scale_tril', 'covariance_matrix', 'precision_matrix']:
        r[k] = run(mk, (lambda k: lambda d: getattr(d, k))(k), ps)
    r['capacitance_tril'] = L(LR(*[t(p) for p in ps])._capacitance_tril)
    lr[name] = r
d = LR(t(LOC), t(W), t(DG))
e = d.expand([4, 2])
lr['shapes'] = {'batch': list(d.batch_shape), 'event': list(d.event_shape), 'cov_factor': list(d.cov_factor.shape), 'cov_diag': list(d.cov_diag.shape),
                'expand_batch': list(e.batch_shape), 'expand_log_prob': L(e.log_prob(t(V[0]))), 'expand_entropy': L(e.entropy()),
                'expand_cov_factor': list(e.cov_factor.shape),
                'single_batch': list(LR(t([1., 2.]), t([[1.], [0.]]), t([1., 1.])).batch_shape),
                'bcast_batch': list(LR(t([1., 2.]), t([[[1.], [0.]]] * 3), t([1., 1.])).batch_shape)}
lr['repr'] = repr(d)
lr['repr_expand'] = repr(e)
lr['errors'] = {
    'loc0': err(lambda: LR(t(1.), t(W), t(DG))),
    'factor1': err(lambda: LR(t(LOC[0]), t(DG), t(DG))),
    'factor_n': err(lambda: LR(t(LOC[0]), t([[1.], [2.]]), t(DG))),
    'diag_n': err(lambda: LR(t(LOC[0]), t(W), t([1., 2.]))),
    'batch': err(lambda: LR(t(LOC), t(W2 + [W2[0]]), t(DG))),
    'diag_neg': err(lambda: LR(t(LOC[0]), t(W) * 0.01, t([0.7, -1.3, 0.4]))),
    'value': err(lambda: d.log_prob(t([1., 2.]))),
    'kl_event': err(lambda: kl_divergence(d, LR(t([0., 0.]), t([[1.], [0.]]), t([1., 1.])))),
    'kl_event_mvn': err(lambda: kl_divergence(d, MVN(t([0., 0.]), torch.eye(2, dtype=F)))),
}
SIG = [[[2.0, 0.3, -0.4], [0.3, 1.5, 0.2], [-0.4, 0.2, 1.0]], [[1.0, 0.0, 0.5], [0.0, 2.5, -0.3], [0.5, -0.3, 0.9]]]
MLOC = [[1.0, 0.0, -0.5], [0.2, 0.4, 0.6]]
mvn = lambda l, s: MVN(l, covariance_matrix=s)
lr['kl_lr_lr'] = run(lambda l1, w1, d1, l2, w2, d2: (LR(l1, w1, d1), LR(l2, w2, d2)), lambda pq: kl_divergence(*pq), [LOC, W, DG, MLOC, W2, D2])
lr['kl_lr_mvn'] = run(lambda l1, w1, d1, l2, s2: (LR(l1, w1, d1), mvn(l2, s2)), lambda pq: kl_divergence(*pq), [LOC, W, DG, MLOC, SIG])
lr['kl_mvn_lr'] = run(lambda l1, s1, l2, w2, d2: (mvn(l1, s1), LR(l2, w2, d2)), lambda pq: kl_divergence(*pq), [MLOC, SIG, LOC, W2, D2])
# a KL of a LowRankMVN against the MultivariateNormal of the same covariance: 0
lr['kl_same'] = L(kl_divergence(d, MVN(d.loc, d.covariance_matrix)))
out['lowrank'] = lr

# ---------------------------------------------------------------- LKJCholesky
def corr_chol(rows):
    """a lower Cholesky factor of a correlation matrix from given below-diagonal entries (rows normalized)"""
    m = t(rows)
    m = m.tril(-1)
    diag = (1 - (m ** 2).sum(-1)).sqrt()
    return m + torch.diag_embed(diag)
LV3 = corr_chol([[0, 0, 0], [0.3, 0, 0], [-0.5, 0.4, 0]])
LV4 = corr_chol([[0, 0, 0, 0], [-0.2, 0, 0, 0], [0.1, 0.6, 0, 0], [0.3, -0.3, 0.5, 0]])
LV2 = corr_chol([[0, 0], [0.8, 0]])
mkl = lambda dim: (lambda c, v: (LKJCholesky(dim, c), v))
lp = lambda dv: dv[0].log_prob(dv[1])
lkj = {'log_prob3': run(mkl(3), lp, [[0.5, 1.0, 2.5], L(LV3)]),
       'log_prob4': run(mkl(4), lp, [[0.3, 4.0], L(torch.stack([LV4, LV4.mT.mT]))]),
       'log_prob2': run(mkl(2), lp, [[1.5], L(LV2)]),
       'log_prob_scalar': L(LKJCholesky(3, 2.0).log_prob(LV3)),
       'repr': repr(LKJCholesky(3, 2.0)), 'repr_t': repr(LKJCholesky(3, t([0.5, 1.0]))),
       'batch': list(LKJCholesky(3, t([0.5, 1.0])).batch_shape), 'event': list(LKJCholesky(3, t([0.5, 1.0])).event_shape),
       'expand_log_prob': L(LKJCholesky(3, t([0.5, 2.0])).expand([3, 2]).log_prob(LV3)),
       'errors': {'dim': err(lambda: LKJCholesky(1, 1.0)), 'conc': err(lambda: LKJCholesky(3, t([1.0, -0.5]))),
                  'value': err(lambda: LKJCholesky(3, 1.0).log_prob(t([[1., 0, 0], [0.5, 0.5, 0], [0, 0, 1]])))}}
out['lkj'] = lkj

# ---------------------------------------------------------------- Wishart
SL = [[1.2, 0.0, 0.0], [0.3, 0.8, 0.0], [-0.5, 0.2, 1.5]]
COV = SIG[0]
PREC = SIG[1]
WV = [[[2.0, 0.5, 0.1], [0.5, 1.0, -0.2], [0.1, -0.2, 3.0]], [[4.0, -1.0, 0.0], [-1.0, 2.0, 0.3], [0.0, 0.3, 1.0]]]
DF = [4.5, 2.5]
wi = {}
for key, M in [('scale_tril', SL), ('covariance_matrix', COV), ('precision_matrix', PREC)]:
    mkw = (lambda key: lambda df, m: Wishart(df, **{key: m}))(key)
    r = {'log_prob': run(mkw, lambda d: d.log_prob(t(WV)), [DF, M]), 'entropy': run(mkw, lambda d: d.entropy(), [DF, M])}
    for k in ['mean', 'variance', 'covariance_matrix', 'precision_matrix', 'scale_tril']:
        r[k] = run(mkw, (lambda k: lambda d: getattr(d, k))(k), [DF, M])
    r['mode'] = L(Wishart(t(DF), **{key: t(M)}).mode)
    r['mode_high'] = L(Wishart(t([5.5, 7.0]), **{key: t(M)}).mode)
    wi[key] = r
dw = Wishart(t(DF), scale_tril=t(SL))
wi['number_df'] = {'log_prob': L(Wishart(3.5, scale_tril=t(SL)).log_prob(t(WV))), 'entropy': L(Wishart(3.5, scale_tril=t(SL)).entropy()),
                   'batch': list(Wishart(3.5, scale_tril=t(SL)).batch_shape)}
ew = dw.expand([2, 2])
wi['shapes'] = {'batch': list(dw.batch_shape), 'event': list(dw.event_shape), 'expand_batch': list(ew.batch_shape),
                'expand_log_prob': L(ew.log_prob(t(WV[0]))), 'expand_entropy': L(ew.entropy())}
wi['repr'] = repr(dw)
wi['repr_number'] = repr(Wishart(3.5, covariance_matrix=t(COV)))
wi['errors'] = {'none': err(lambda: Wishart(3.0)), 'two': err(lambda: Wishart(3.0, scale_tril=t(SL), covariance_matrix=t(COV))),
                'dim': err(lambda: Wishart(3.0, scale_tril=t([1.0, 2.0]))),
                'df': err(lambda: Wishart(1.5, scale_tril=t(SL))),
                'value': err(lambda: dw.log_prob(t([[1.0, 2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 1.0]]))),
                'scale': err(lambda: Wishart(3.0, scale_tril=t([[1.0, 0.0], [0.5, -1.0]])))}
out['wishart'] = wi

path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'distributions-more2.json')
with open(path, 'w') as f: json.dump(out, f)
print('wrote', path)
