# PyTorch 1.13 values, gradients, shapes, printed forms and errors of the gamma-family and other
# distributions (test/distributions2.test.ts): torch.lgamma / digamma, Gamma, Chi2, Beta, Dirichlet,
# Poisson, Binomial, MultivariateNormal, StudentT, HalfNormal, LogNormal and their kl_divergence pairs.
#   /usr/bin/python3 scripts/torch-distributions2.py
import torch, json, os, math, warnings
from torch_fixture import err as fixture_err, weights, lists, param_run
from torch.distributions import (Gamma, Chi2, Beta, Dirichlet, Poisson, Binomial, MultivariateNormal, StudentT, HalfNormal,
                                 LogNormal, kl_divergence)
warnings.simplefilter('ignore')
out = {}


def err(f):
    return fixture_err(f, first_line=False)


L = lists
run = param_run


def moments(make, params, dtype=torch.float32, mode=True):
    r = {k: run(make, (lambda k: lambda d: getattr(d, k))(k), params, dtype) for k in ['mean', 'variance', 'stddev']}
    if mode: r['mode'] = run(make, lambda d: d.mode, params, dtype)
    return r


# special functions
SX = [1e-6, 0.01, 0.3, 0.5, 0.9, 1.0, 1.0001, 1.4616, 1.5, 2.0, 2.3, 2.5, 3.7, 7.99, 8.0, 12.5, 100.0, 1e4, 1e7, -0.5, -1.3, -2.7, -3.0, 0.0, math.inf]
for dt, name in [(torch.float32, 'f32'), (torch.float64, 'f64')]:
    out[f'special_{name}'] = {'lgamma': run(torch.lgamma, lambda y: y, [SX[:-6] + SX[-6:-2]], dt), 'digamma': run(torch.digamma, lambda y: y, [SX[:-6] + SX[-6:-2]], dt),
                              'lgamma_poles': L(torch.lgamma(torch.tensor(SX, dtype=dt))), 'digamma_poles': L(torch.digamma(torch.tensor(SX, dtype=dt)))}

GP = [[0.5, 2.0, 7.5], [1.0, 0.5, 3.0]]
gv = torch.tensor([0.3, 2.0, 1.5])
for dt, name in [(torch.float32, 'f32'), (torch.float64, 'f64')]:
    out[f'gamma_{name}'] = {'log_prob': run(Gamma, lambda d: d.log_prob(gv.to(dt)), GP, dt), 'entropy': run(Gamma, lambda d: d.entropy(), GP, dt), **moments(Gamma, GP, dt)}
out['chi2'] = {'log_prob': run(Chi2, lambda d: d.log_prob(gv), [[1.0, 3.0, 10.0]]), 'entropy': run(Chi2, lambda d: d.entropy(), [[1.0, 3.0, 10.0]]), **moments(Chi2, [[1.0, 3.0, 10.0]])}
BP = [[0.5, 2.0, 3.0], [0.7, 2.0, 1.5]]
bv = torch.tensor([0.2, 0.5, 0.9])
out['beta'] = {'log_prob': run(Beta, lambda d: d.log_prob(bv), BP), 'entropy': run(Beta, lambda d: d.entropy(), BP), **moments(Beta, [[1.5, 2.0, 3.0], [2.7, 2.0, 1.5]])}
DP = [[[0.5, 2.0, 3.0], [1.5, 1.5, 4.0]]]
dv = torch.tensor([[0.2, 0.3, 0.5], [0.1, 0.6, 0.3]])
out['dirichlet'] = {'log_prob': run(Dirichlet, lambda d: d.log_prob(dv), DP), 'entropy': run(Dirichlet, lambda d: d.entropy(), DP), **moments(Dirichlet, DP, mode=False),
                    'mode': L(Dirichlet(torch.tensor([[0.5, 2.0, 3.0], [0.5, 0.2, 0.7], [1.0, 1.0, 1.0]])).mode)}
PP = [[0.5, 3.0, 12.0, 0.0]]
pv = torch.tensor([0., 2., 15., 0.])
out['poisson'] = {'log_prob': run(Poisson, lambda d: d.log_prob(pv), [[0.5, 3.0, 12.0, 2.0]]), 'log_prob_zero_rate': L(Poisson(torch.tensor([0., 0.])).log_prob(torch.tensor([0., 1.]))),
                  **moments(Poisson, [[0.5, 3.0, 12.0, 2.0]])}
NV = torch.tensor([0., 3., 10., 2.])
out['binomial'] = {'log_prob_p': run(lambda p: Binomial(torch.tensor([5., 4., 10., 2.]), probs=p), lambda d: d.log_prob(NV), [[0.3, 0.5, 0.9, 1e-3]]),
                   'log_prob_l': run(lambda l: Binomial(torch.tensor([5., 4., 10., 2.]), logits=l), lambda d: d.log_prob(NV), [[-1.0, 0.0, 3.0, -20.0]]),
                   'entropy': run(lambda p: Binomial(6, probs=p), lambda d: d.entropy(), [[0.3, 0.5, 0.9]]),
                   **moments(lambda p: Binomial(torch.tensor([5., 4., 10.]), probs=p), [[0.3, 0.5, 0.9]]),
                   'enum': L(Binomial(3, probs=torch.tensor([0.2, 0.4])).enumerate_support())}
# MultivariateNormal: a 3×3 covariance A Aᵀ + I, and a batch of two
A = torch.tensor([[1.0, 0.0, 0.0], [0.5, 1.2, 0.0], [-0.3, 0.4, 0.8]])
COV = (A @ A.T + torch.eye(3)).tolist()
LOC = [0.5, -1.0, 2.0]
mv = torch.tensor([[0.3, -2.0, 1.0], [1.0, 0.0, 2.5]])
for dt, name in [(torch.float32, 'f32'), (torch.float64, 'f64')]:
    out[f'mvn_{name}'] = {
        'log_prob_cov': run(lambda l, c: MultivariateNormal(l, covariance_matrix=c), lambda d: d.log_prob(mv.to(dt)), [LOC, COV], dt),
        'log_prob_tril': run(lambda l, c: MultivariateNormal(l, scale_tril=c), lambda d: d.log_prob(mv.to(dt)), [LOC, A.tolist()], dt),
        'log_prob_prec': run(lambda l, c: MultivariateNormal(l, precision_matrix=c), lambda d: d.log_prob(mv.to(dt)), [LOC, COV], dt),
        'entropy': run(lambda l, c: MultivariateNormal(l, covariance_matrix=c), lambda d: d.entropy(), [LOC, COV], dt),
        'variance': run(lambda l, c: MultivariateNormal(l, covariance_matrix=c), lambda d: d.variance, [LOC, COV], dt),
        'scale_tril': run(lambda l, c: MultivariateNormal(l, covariance_matrix=c), lambda d: d.scale_tril, [LOC, COV], dt),
        'precision': run(lambda l, c: MultivariateNormal(l, covariance_matrix=c), lambda d: d.precision_matrix, [LOC, COV], dt),
        'cov_from_prec': run(lambda l, c: MultivariateNormal(l, precision_matrix=c), lambda d: d.covariance_matrix, [LOC, COV], dt),
    }
out['mvn_batch'] = L(MultivariateNormal(torch.tensor([[0., 0.], [1., -1.]]), torch.tensor([[1., 0.3], [0.3, 2.]])).log_prob(torch.tensor([[[0.5, 0.5]], [[1., 2.]], [[0., 0.]]])))
SP = [[1.5, 3.0, 30.0], [0.5, -1.0, 0.0], [1.0, 2.0, 0.5]]
sv = torch.tensor([0.3, -2.0, 5.0])
out['studentt'] = {'log_prob': run(StudentT, lambda d: d.log_prob(sv), SP), 'entropy': run(StudentT, lambda d: d.entropy(), SP), **moments(StudentT, [[0.5, 1.5, 3.0], [0.5, -1.0, 0.0], [1.0, 2.0, 0.5]])}
out['halfnormal'] = {'log_prob': run(HalfNormal, lambda d: d.log_prob(torch.tensor([0.3, 2.0, 0.0])), [[1.0, 0.5, 2.0]]), 'entropy': run(HalfNormal, lambda d: d.entropy(), [[1.0, 0.5, 2.0]]),
                     'cdf': run(HalfNormal, lambda d: d.cdf(torch.tensor([0.3, 2.0, 0.0])), [[1.0, 0.5, 2.0]]), 'icdf': run(HalfNormal, lambda d: d.icdf(torch.tensor([0.1, 0.5, 0.9])), [[1.0, 0.5, 2.0]]),
                     **moments(HalfNormal, [[1.0, 0.5, 2.0]], mode=False), 'mode': L(HalfNormal(torch.tensor([1.0, 0.5])).mode)}
LNP = [[0.5, -1.0, 0.0], [1.0, 0.5, 2.0]]
out['lognormal'] = {'log_prob': run(LogNormal, lambda d: d.log_prob(torch.tensor([0.3, 2.0, 5.0])), LNP), 'entropy': run(LogNormal, lambda d: d.entropy(), LNP),
                    'cdf': run(LogNormal, lambda d: d.cdf(torch.tensor([0.3, 2.0, 5.0])), LNP), **moments(LogNormal, LNP)}
# KL
out['kl'] = {
    'gamma': run(lambda a, b, c, d: kl_divergence(Gamma(a, b), Gamma(c, d)), lambda r: r, [[0.5, 2.0], [1.0, 3.0], [1.5, 0.7], [2.0, 0.5]]),
    'beta': run(lambda a, b, c, d: kl_divergence(Beta(a, b), Beta(c, d)), lambda r: r, [[0.5, 2.0], [1.0, 3.0], [1.5, 0.7], [2.0, 0.5]]),
    'dirichlet': run(lambda a, b: kl_divergence(Dirichlet(a), Dirichlet(b)), lambda r: r, [[[0.5, 2.0, 1.0], [1.0, 1.0, 1.0]], [[1.5, 0.7, 2.0], [3.0, 0.5, 0.2]]]),
    'poisson': run(lambda a, b: kl_divergence(Poisson(a), Poisson(b)), lambda r: r, [[0.5, 2.0, 10.0], [1.0, 3.0, 7.0]]),
    'chi2': run(lambda a, b: kl_divergence(Chi2(a), Chi2(b)), lambda r: r, [[1.0, 4.0], [2.0, 3.0]]),
    'mvn': run(lambda l1, c1, l2, c2: kl_divergence(MultivariateNormal(l1, c1), MultivariateNormal(l2, scale_tril=c2)), lambda r: r,
               [LOC, COV, [0.0, 1.0, -1.0], [[2.0, 0.0, 0.0], [0.3, 0.7, 0.0], [0.1, -0.2, 1.5]]]),
}
# shapes
g = Gamma(torch.ones(2, 3), 1.)
m = MultivariateNormal(torch.zeros(4, 3), torch.eye(3))
def shapes(d, ss):
    return [list(d.batch_shape), list(d.event_shape), list(d.sample(ss).shape)]
out['shapes'] = {
    'gamma': shapes(g, (4,)), 'gamma_scalar': shapes(Gamma(1., 2.), (2, 2)), 'chi2': shapes(Chi2(torch.ones(3)), (2,)), 'beta': shapes(Beta(torch.ones(2), 1.), (5,)),
    'beta_scalar': shapes(Beta(1., 2.), ()), 'dirichlet': shapes(Dirichlet(torch.ones(2, 4)), (3,)), 'poisson': shapes(Poisson(torch.ones(2)), (3,)),
    'binomial': shapes(Binomial(5, probs=torch.full((2, 1), 0.3)), (3,)), 'mvn': shapes(m, (2,)), 'mvn_batch_cov': shapes(MultivariateNormal(torch.zeros(3), torch.eye(3).expand(2, 3, 3)), ()),
    'studentt': shapes(StudentT(torch.ones(2), 0., 1.), (3,)), 'halfnormal': shapes(HalfNormal(torch.ones(2)), (3,)), 'lognormal': shapes(LogNormal(0., torch.ones(2)), (3,)),
    'expand_gamma': shapes(g.expand((5, 2, 3)), ()), 'expand_dirichlet': shapes(Dirichlet(torch.ones(4)).expand((2,)), ()), 'expand_mvn': shapes(m.expand((2, 4)), ()),
    'expand_beta': shapes(Beta(torch.ones(2), 1.).expand((3, 2)), ()), 'expand_binomial': shapes(Binomial(5, probs=torch.full((2,), 0.3)).expand((3, 2)), ()),
    'expand_chi2': shapes(Chi2(torch.ones(2)).expand((3, 2)), ()), 'expand_studentt': shapes(StudentT(torch.ones(2)).expand((3, 2)), ()),
    'expand_halfnormal': shapes(HalfNormal(torch.ones(2)).expand((3, 2)), ()), 'expand_lognormal': shapes(LogNormal(0., torch.ones(2)).expand((3, 2)), ()),
    'expand_poisson': shapes(Poisson(torch.ones(2)).expand((3, 2)), ()),
    'mvn_lp': list(m.log_prob(torch.zeros(5, 1, 3)).shape), 'mvn_entropy': list(m.entropy().shape),
    'dtypes': [str(Poisson(torch.ones(2)).sample().dtype), str(Binomial(3, probs=torch.ones(2, dtype=torch.float64) / 2).sample().dtype), str(Gamma(torch.ones(2, dtype=torch.float64), 1.).rsample().dtype)],
    'flags': [Gamma(1., 1.).has_rsample, Poisson(1.).has_rsample, Beta(1., 1.).has_rsample, Dirichlet(torch.ones(2)).has_rsample, Binomial(3, probs=torch.tensor(0.5)).has_rsample,
              m.has_rsample, StudentT(2.).has_rsample, HalfNormal(1.).has_rsample, LogNormal(0., 1.).has_rsample, Chi2(1.).has_rsample, Binomial(3, probs=torch.tensor(0.5)).has_enumerate_support],
}
# printed forms
mc = MultivariateNormal(torch.zeros(2), torch.eye(2))
r_mc0 = repr(mc); _ = mc.scale_tril
out['repr'] = [repr(Gamma(torch.ones(3), torch.ones(3))), repr(Gamma(2., 3.)), repr(Beta(torch.ones(2), torch.ones(2))), repr(Dirichlet(torch.ones(2))),
               repr(Poisson(torch.ones(2))), repr(Poisson(2.)), repr(Binomial(torch.tensor([3., 4.]), probs=torch.tensor([.1, .2]))), repr(Binomial(5, logits=torch.tensor([.1, .2]))),
               r_mc0, repr(mc), repr(MultivariateNormal(torch.zeros(2), scale_tril=torch.eye(2))), repr(MultivariateNormal(torch.zeros(2), precision_matrix=torch.eye(2))),
               repr(Chi2(torch.ones(2))), repr(StudentT(torch.ones(2))), repr(StudentT(3.)), repr(HalfNormal(torch.ones(2))), repr(LogNormal(torch.zeros(2), 1.)),
               repr(Gamma(torch.ones(3), 1.).expand((2, 3)))]
out['constraints'] = [repr(x) for x in [Gamma(1., 1.).support, Beta(1., 1.).support, Dirichlet(torch.ones(2)).support, Poisson(1.).support, Binomial(3, probs=torch.tensor(.5)).support,
                                       Binomial(torch.tensor([3.]), probs=torch.tensor([.5])).support, mc.support, HalfNormal(1.).support, LogNormal(0., 1.).support, StudentT(2.).support,
                                       Dirichlet(torch.ones(2)).arg_constraints['concentration'], mc.arg_constraints['covariance_matrix'], mc.arg_constraints['scale_tril'],
                                       Binomial(3, probs=torch.tensor(.5)).arg_constraints['total_count']]]
t = torch.tensor
out['errors'] = [
    err(lambda: Gamma(t([1., -1.]), 1.)),
    err(lambda: Gamma(1., 0.)),
    err(lambda: Beta(t([1.]), t([0.]))),
    err(lambda: Dirichlet(t(1.))),
    err(lambda: Dirichlet(t([1., -1.]))),
    err(lambda: Poisson(t([-1.]))),
    err(lambda: Binomial(t([2.5]), probs=t([.5]))),
    err(lambda: Binomial(t([3.]), probs=t([1.5]))),
    err(lambda: Binomial(3)),
    err(lambda: MultivariateNormal(torch.zeros(2))),
    err(lambda: MultivariateNormal(t(0.), torch.eye(2))),
    err(lambda: MultivariateNormal(torch.zeros(2), torch.eye(2), scale_tril=torch.eye(2))),
    err(lambda: MultivariateNormal(torch.zeros(2), t([[1., 2.], [2., 1.]]))),
    err(lambda: MultivariateNormal(torch.zeros(2), torch.ones(2))),
    err(lambda: MultivariateNormal(torch.zeros(2), scale_tril=t([[1., 1.], [0., 1.]]))),
    err(lambda: MultivariateNormal(torch.zeros(2), precision_matrix=torch.ones(2))),
    err(lambda: MultivariateNormal(torch.zeros(2), scale_tril=torch.ones(2))),
    err(lambda: Poisson(t([1.])).log_prob(t([0.5]))),
    err(lambda: Gamma(1., 1.).log_prob(t([-1.]))),
    err(lambda: Beta(1., 1.).log_prob(t([1.5]))),
    err(lambda: Dirichlet(t([1., 1.])).log_prob(t([.3, .3]))),
    err(lambda: Binomial(t([3.]), probs=t([.5])).log_prob(t([4.]))),
    err(lambda: Binomial(t([3., 4.]), probs=t([.5, .5])).entropy()),
    err(lambda: StudentT(t([-1.]))),
    err(lambda: HalfNormal(t([-1.]))),
    err(lambda: HalfNormal(1.).log_prob(t([-1.]))),
    err(lambda: LogNormal(0., 1.).log_prob(t([0.]))),
    err(lambda: Chi2(t([0.]))),
    err(lambda: MultivariateNormal(torch.zeros(2), torch.eye(2)).log_prob(torch.zeros(3))),
    err(lambda: Dirichlet(torch.ones(3)).log_prob(torch.ones(2) / 2)),
]
json.dump(out, open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'distributions2.json'), 'w'), indent=1)
