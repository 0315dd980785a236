# PyTorch 1.13 values, gradients, shapes, printed forms and errors of torch.distributions' transforms,
# TransformedDistribution, transform_to / biject_to, and the distributions built on them (Gumbel, Weibull,
# Pareto, LogisticNormal, RelaxedBernoulli, RelaxedOneHotCategorical) with their KLs
# (test/transforms.test.ts).
#   /usr/bin/python3 scripts/torch-transforms.py
import torch, json, os, warnings
from torch_fixture import weights, lists, param_run
from torch.distributions import (Normal, Uniform, Exponential, MultivariateNormal, TransformedDistribution, Gumbel, Weibull, Pareto,
                                 LogisticNormal, RelaxedBernoulli, RelaxedOneHotCategorical, kl_divergence, constraints, biject_to,
                                 transform_to)
from torch.distributions.relaxed_bernoulli import LogitRelaxedBernoulli
from torch.distributions.relaxed_categorical import ExpRelaxedCategorical
from torch.distributions.transforms import (ExpTransform, AffineTransform, SigmoidTransform, SoftplusTransform, TanhTransform,
                                            PowerTransform, AbsTransform, SoftmaxTransform, StickBreakingTransform, LowerCholeskyTransform,
                                            CorrCholeskyTransform, ReshapeTransform, IndependentTransform, ComposeTransform, CatTransform,
                                            StackTransform, CumulativeDistributionTransform, identity_transform)
warnings.simplefilter('ignore')
out = {}
L = lists
run = param_run
T = torch.tensor
DT = [(torch.float32, 'f32'), (torch.float64, 'f64')]


def err(f):
    """f()'s error text (the type's name where the text is empty, as for a bare NotImplementedError), or 'no error'"""
    try:
        f()
        return 'no error'
    except Exception as e:
        return str(e) or type(e).__name__


def attempt(f):
    try:
        return f()
    except Exception as e:
        return 'error: ' + (str(e) or type(e).__name__)


# ------------------------------------------------------------------ transforms
X23 = [[0.5, -1.0, 2.0], [0.1, 0.0, -0.3]]
POS23 = [[0.5, 1.0, 2.0], [0.1, 3.0, 0.7]]
UNIT23 = [[0.2, 0.5, 0.9], [0.01, 0.7, 0.35]]
SYM23 = [[0.2, -0.5, 0.9], [-0.99, 0.7, 0.0]]
SIMPLEX24 = [[0.2, 0.3, 0.1, 0.4], [0.25, 0.25, 0.25, 0.25]]
MAT222 = [[[0.5, -1.0], [2.0, 0.3]], [[0.1, 0.7], [-0.4, -0.3]]]
LS = [[0.5, -1.0, 2.0], [2.0, -0.5, 1.5]]
# name: (make(*params), params, x, has inverse, has log_abs_det_jacobian)
CASES = {
    'exp': (lambda: ExpTransform(), [], X23, True, True),
    'exp_inv': (lambda: ExpTransform().inv, [], POS23, True, True),
    'affine_num': (lambda: AffineTransform(1.5, -2.0), [], X23, True, True),
    'affine_tensor': (lambda l, s: AffineTransform(l, s), LS, X23, True, True),
    'affine_event1': (lambda l, s: AffineTransform(l, s, event_dim=1), LS, X23, True, True),
    'affine_event2_num': (lambda: AffineTransform(0.5, 3.0, event_dim=2), [], X23, True, True),
    'sigmoid': (lambda: SigmoidTransform(), [], X23, True, True),
    'sigmoid_inv': (lambda: SigmoidTransform().inv, [], UNIT23, True, True),
    'softplus': (lambda: SoftplusTransform(), [], X23, True, True),
    'tanh': (lambda: TanhTransform(), [], X23, True, True),
    'tanh_inv': (lambda: TanhTransform().inv, [], SYM23, True, True),
    'power_num': (lambda: PowerTransform(2.5), [], POS23, True, True),
    'power_tensor': (lambda e: PowerTransform(e), [[0.5, 2.0, -1.5]], POS23, True, True),
    'abs': (lambda: AbsTransform(), [], X23, True, False),
    'softmax': (lambda: SoftmaxTransform(), [], X23, True, False),
    'stick_breaking': (lambda: StickBreakingTransform(), [], X23, True, True),
    'stick_breaking_inv': (lambda: StickBreakingTransform().inv, [], SIMPLEX24, True, True),
    'lower_cholesky': (lambda: LowerCholeskyTransform(), [], MAT222, True, False),
    'corr_cholesky': (lambda: CorrCholeskyTransform(), [], X23, True, True),
    'reshape': (lambda: ReshapeTransform((2, 3), (3, 2)), [], X23, True, True),
    'independent': (lambda: IndependentTransform(ExpTransform(), 1), [], X23, True, True),
    'independent_affine': (lambda l, s: IndependentTransform(AffineTransform(l, s), 2), LS, X23, True, True),
    'compose': (lambda l, s: ComposeTransform([ExpTransform(), AffineTransform(l, s)]), LS, X23, True, True),
    'compose_event': (lambda: ComposeTransform([AffineTransform(0.5, 2.0), StickBreakingTransform()]), [], X23, True, True),
    'compose_empty': (lambda: ComposeTransform([]), [], X23, True, True),
    'cat': (lambda: CatTransform([ExpTransform(), identity_transform, AffineTransform(1.0, 2.0)], dim=1, lengths=[1, 1, 1]), [], X23, True, True),
    'cat_rows': (lambda: CatTransform([ExpTransform(), SigmoidTransform()], dim=0, lengths=[1, 1]), [], X23, True, True),
    'stack': (lambda: StackTransform([ExpTransform(), SigmoidTransform(), AffineTransform(-1.0, 0.5)], dim=1), [], X23, True, True),
    'cdf_normal': (lambda: CumulativeDistributionTransform(Normal(0.0, 1.0)), [], X23, True, True),
}


def tcase(make, params, x, inverse, ladj, dtype):
    ps = [T(p, dtype=dtype).requires_grad_() for p in params]
    xt = T(x, dtype=dtype).requires_grad_()
    t = make(*ps)
    y = t(xt)
    loss = (y * weights(y)).sum()
    r = {'y': L(y)}
    if ladj:
        l = t.log_abs_det_jacobian(xt, y)
        r['ladj'] = L(l)
        loss = loss + (l * weights(l)).sum()
    loss.backward()
    r['grad_x'] = L(xt.grad)
    r['grad_p'] = [L(p.grad) if p.grad is not None else None for p in ps]
    if inverse:
        yd = y.detach().clone().requires_grad_()
        xi = t.inv(yd)
        (xi * weights(xi)).sum().backward()
        r['inv'] = L(xi)
        r['grad_y'] = L(yd.grad) if yd.grad is not None else None
    return r


def sign_of(t):
    s = t.sign
    return L(s) if isinstance(s, torch.Tensor) else s


out['transforms'] = {}
for name, (make, params, x, inverse, ladj) in CASES.items():
    r = {'params': params, 'x': x}
    for dt, dn in DT:
        r[dn] = tcase(make, params, x, inverse, ladj, dt)
    t = make(*[T(p) for p in params])
    xs = list(T(x).shape)
    r['meta'] = {'repr': repr(t), 'domain': attempt(lambda: repr(t.domain)), 'codomain': attempt(lambda: repr(t.codomain)),
                 'bijective': t.bijective, 'sign': attempt(lambda: sign_of(t)), 'event_dim': attempt(lambda: t.event_dim),
                 'forward_shape': attempt(lambda: list(t.forward_shape(torch.Size(xs)))),
                 'inverse_shape': attempt(lambda: list(t.inverse_shape(torch.Size(list(t(T(x)).shape))))),
                 'inv_repr': repr(t.inv), 'domain_event_dim': t.domain.event_dim, 'codomain_event_dim': t.codomain.event_dim}
    out['transforms'][name] = r
# shapes that broadcast: forward_shape / inverse_shape of parameterized transforms
out['shape_rules'] = {
    'affine': [list(AffineTransform(torch.zeros(3), torch.ones(2, 1)).forward_shape(torch.Size([4, 1, 1]))),
               list(AffineTransform(0.0, torch.ones(3)).inverse_shape(torch.Size([2, 1])))],
    'power': list(PowerTransform(torch.ones(3)).forward_shape(torch.Size([2, 1]))),
    'stick': [list(StickBreakingTransform().forward_shape(torch.Size([2, 3]))), list(StickBreakingTransform().inverse_shape(torch.Size([2, 3])))],
    'corr': [list(CorrCholeskyTransform().forward_shape(torch.Size([5, 6]))), list(CorrCholeskyTransform().inverse_shape(torch.Size([5, 4, 4])))],
    'reshape': [list(ReshapeTransform((2, 3), (6,)).forward_shape(torch.Size([4, 2, 3]))), list(ReshapeTransform((2, 3), (6,)).inverse_shape(torch.Size([4, 6])))],
    'compose': list(ComposeTransform([AffineTransform(0.0, torch.ones(3)), StickBreakingTransform(), ReshapeTransform((4,), (2, 2))]).forward_shape(torch.Size([2, 1]))),
    'compose_inv': list(ComposeTransform([AffineTransform(0.0, torch.ones(3)), StickBreakingTransform(), ReshapeTransform((4,), (2, 2))]).inverse_shape(torch.Size([2, 2, 2]))),
}
e = ExpTransform()
c = ComposeTransform([ExpTransform(), AffineTransform(1.0, 2.0)])
out['identity'] = {'exp_inv_inv': e.inv.inv is e, 'exp_inv_same': e.inv is e.inv, 'compose_inv_inv': c.inv.inv is c,
                   'compose_inv_repr': repr(c.inv), 'eq': [ExpTransform() == ExpTransform(), AffineTransform(1.0, 2.0) == AffineTransform(1.0, 2.0),
                                                          AffineTransform(1.0, 2.0) == AffineTransform(1.0, 3.0), ExpTransform().inv == ExpTransform().inv,
                                                          ComposeTransform([ExpTransform()]) == ComposeTransform([ExpTransform()]),
                                                          PowerTransform(T([1.0, 2.0])) == PowerTransform(T([1.0, 2.0])), e == e.inv,
                                                          IndependentTransform(e, 1) == IndependentTransform(e, 1)],
                   'cache': []}
# cache_size 1: the same x object gives the same y object, the inverse of that y gives back x
for cs in [0, 1]:
    t = ExpTransform(cache_size=cs)
    x = T([0.5, 1.0])
    y = t(x)
    out['identity']['cache'].append([t(x) is y, t.inv(y) is x, t.with_cache(cs) is t, t.with_cache(1 - cs)._cache_size])

# ------------------------------------------------------------------ TransformedDistribution
NP = [[0.5, -1.0, 0.0], [1.0, 0.5, 2.0]]
NP23 = [[[0.5, -1.0, 0.0], [0.2, 0.3, -0.4]], [[1.0, 0.5, 2.0], [0.7, 1.2, 0.9]]]
A = [[1.0, 0.0, 0.0], [0.5, 1.2, 0.0], [-0.3, 0.4, 0.8]]
# name: (make(*params), params, log_prob value, cdf value or None, icdf value or None)
TD = {
    'lognormal': (lambda l, s: TransformedDistribution(Normal(l, s), [ExpTransform()]), NP, [0.3, 2.0, 5.0], [0.3, 2.0, 5.0], [0.1, 0.5, 0.9]),
    'affine_neg': (lambda l, s: TransformedDistribution(Normal(l, s), [AffineTransform(1.0, -2.0)]), NP, [0.3, -2.0, 5.0], [0.3, -2.0, 5.0], [0.1, 0.5, 0.9]),
    'logistic': (lambda l, s: TransformedDistribution(Uniform(torch.zeros(3, dtype=l.dtype), torch.ones(3, dtype=l.dtype)), [SigmoidTransform().inv, AffineTransform(l, s)]),
                 NP, [0.3, -2.0, 5.0], [0.3, -2.0, 5.0], [0.1, 0.5, 0.9]),
    'tanh': (lambda l, s: TransformedDistribution(Normal(l, s), TanhTransform()), NP, [0.3, -0.9, 0.5], [0.3, -0.9, 0.5], [0.1, 0.5, 0.9]),
    'stick': (lambda l, s: TransformedDistribution(Normal(l, s), StickBreakingTransform()), NP23, SIMPLEX24, None, None),
    'indep_exp': (lambda l, s: TransformedDistribution(Normal(l, s), IndependentTransform(ExpTransform(), 1)), NP23, POS23, None, None),
    'reshape': (lambda l, s: TransformedDistribution(Normal(l, s), ReshapeTransform((3,), (3, 1))), NP23, [[[0.3], [2.0], [5.0]], [[0.1], [-1.0], [0.0]]], None, None),
    'mvn_affine': (lambda l, s: TransformedDistribution(MultivariateNormal(l, scale_tril=T(A, dtype=l.dtype)), AffineTransform(T([1.0, 0.0, -1.0], dtype=l.dtype), s, event_dim=1)),
                   NP, X23, None, None),
    'broadcast': (lambda l, s: TransformedDistribution(Normal(T(0.0, dtype=l.dtype), T(1.0, dtype=l.dtype)), AffineTransform(l, s)), NP, [0.3, -2.0, 5.0], [0.3, -2.0, 5.0], [0.1, 0.5, 0.9]),
    'compose_sign': (lambda r: TransformedDistribution(Exponential(r), [AffineTransform(0.0, -1.0), ExpTransform()]), [[0.5, 2.0, 1.0]], [0.3, 0.9, 0.05], [0.3, 0.9, 0.05], [0.1, 0.5, 0.9]),
    'tensor_sign': (lambda l, s: TransformedDistribution(Normal(l, s), AffineTransform(0.0, T([2.0, -0.5, 1.5], dtype=l.dtype))), NP, [0.3, -2.0, 5.0], [0.3, -2.0, 5.0], [0.1, 0.5, 0.9]),
    'empty': (lambda l, s: TransformedDistribution(Normal(l, s), []), NP, [0.3, -2.0, 5.0], [0.3, -2.0, 5.0], [0.1, 0.5, 0.9]),
}
out['td'] = {}
for name, (make, params, v, cv, iv) in TD.items():
    r = {'params': params, 'value': v, 'cdf_value': cv, 'icdf_value': iv}
    for dt, dn in DT:
        r[dn] = {'log_prob': run(make, lambda d: d.log_prob(T(v, dtype=dt)), params, dt)}
        if cv is not None:
            r[dn]['cdf'] = run(make, lambda d: d.cdf(T(cv, dtype=dt)), params, dt)
            r[dn]['icdf'] = run(make, lambda d: d.icdf(T(iv, dtype=dt)), params, dt)
    d = make(*[T(p) for p in params])
    r['meta'] = {'batch_shape': list(d.batch_shape), 'event_shape': list(d.event_shape), 'sample': list(d.sample((2,)).shape),
                 'support': repr(d.support), 'has_rsample': d.has_rsample, 'repr': repr(d), 'base': repr(d.base_dist),
                 'expand': [list(x) for x in [d.expand((4,) + tuple(d.batch_shape)).batch_shape, d.expand((4,) + tuple(d.batch_shape)).sample().shape]]}
    out['td'][name] = r


# ------------------------------------------------------------------ distributions built on transforms
def moments(make, params, dtype, keys=('mean', 'mode', 'stddev', 'variance')):
    return {k: run(make, (lambda k: lambda d: getattr(d, k))(k), params, dtype) for k in keys}


GP = [[0.5, -1.0, 2.0], [1.0, 0.5, 2.0]]
WP = [[1.0, 0.5, 2.0], [0.5, 1.5, 3.0]]
PP = [[1.0, 0.5, 2.0], [0.5, 2.5, 3.0]]
out['dists'] = {}
for dt, dn in DT:
    tv = lambda v: T(v, dtype=dt)
    out['dists'][dn] = {
        'gumbel': {'log_prob': run(Gumbel, lambda d: d.log_prob(tv([0.3, -2.0, 5.0])), GP, dt), 'cdf': run(Gumbel, lambda d: d.cdf(tv([0.3, -2.0, 5.0])), GP, dt),
                   'icdf': run(Gumbel, lambda d: d.icdf(tv([0.1, 0.5, 0.9])), GP, dt), 'entropy': run(Gumbel, lambda d: d.entropy(), GP, dt),
                   'td_log_prob': run(Gumbel, lambda d: TransformedDistribution.log_prob(d, tv([0.3, -2.0, 5.0])), GP, dt), **moments(Gumbel, GP, dt)},
        'weibull': {'log_prob': run(Weibull, lambda d: d.log_prob(tv([0.3, 2.0, 1.5])), WP, dt), 'cdf': run(Weibull, lambda d: d.cdf(tv([0.3, 2.0, 1.5])), WP, dt),
                    'icdf': run(Weibull, lambda d: d.icdf(tv([0.1, 0.5, 0.9])), WP, dt), 'entropy': run(Weibull, lambda d: d.entropy(), WP, dt), **moments(Weibull, WP, dt)},
        'pareto': {'log_prob': run(Pareto, lambda d: d.log_prob(tv([1.5, 0.7, 2.5])), PP, dt), 'cdf': run(Pareto, lambda d: d.cdf(tv([1.5, 0.7, 2.5])), PP, dt),
                   'icdf': run(Pareto, lambda d: d.icdf(tv([0.1, 0.5, 0.9])), PP, dt), 'entropy': run(Pareto, lambda d: d.entropy(), PP, dt), **moments(Pareto, PP, dt)},
        'logistic_normal': {'log_prob': run(LogisticNormal, lambda d: d.log_prob(tv(SIMPLEX24)), NP23, dt),
                            'log_prob_scalar': run(LogisticNormal, lambda d: d.log_prob(tv([[0.3, 0.7], [0.9, 0.1]])), [0.5, 2.0], dt)},
        'relaxed_bernoulli': {'log_prob': run(lambda t, p: RelaxedBernoulli(t, probs=p), lambda d: d.log_prob(tv([0.2, 0.5, 0.9])), [0.5, [0.3, 0.5, 0.9]], dt),
                              'log_prob_logits': run(lambda t, l: RelaxedBernoulli(t, logits=l), lambda d: d.log_prob(tv([0.2, 0.5, 0.9])), [2.0, [-1.0, 0.0, 3.0]], dt),
                              'base_log_prob': run(lambda t, p: LogitRelaxedBernoulli(t, probs=p), lambda d: d.log_prob(tv([-1.0, 0.5, 2.0])), [0.5, [0.3, 0.5, 0.9]], dt)},
        'relaxed_one_hot': {'log_prob': run(lambda t, p: RelaxedOneHotCategorical(t, probs=p), lambda d: d.log_prob(tv([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])),
                                            [0.5, [[0.2, 0.3, 0.5], [1.0, 2.0, 3.0]]], dt),
                            'log_prob_logits': run(lambda t, l: RelaxedOneHotCategorical(t, logits=l), lambda d: d.log_prob(tv([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])),
                                                   [2.0, [[0.0, 1.0, -1.0], [0.5, 0.5, 2.0]]], dt),
                            'base_log_prob': run(lambda t, p: ExpRelaxedCategorical(t, probs=p), lambda d: d.log_prob(tv([[-1.0, -2.0, -0.5], [-0.3, -1.5, -3.0]])),
                                                 [0.5, [[0.2, 0.3, 0.5], [1.0, 2.0, 3.0]]], dt)},
        'kl': {'gumbel': run(lambda a, b, c, d: kl_divergence(Gumbel(a, b), Gumbel(c, d)), lambda r: r, [[0.5, -1.0, 2.0], [1.0, 0.5, 2.0], [0.0, 1.0, 2.5], [2.0, 1.5, 0.7]], dt),
               'pareto': run(lambda a, b, c, d: kl_divergence(Pareto(a, b), Pareto(c, d)), lambda r: r, [[1.0, 2.0, 0.5], [0.5, 2.5, 3.0], [0.5, 1.0, 1.0], [2.0, 1.5, 0.7]], dt),
               'logistic_normal': run(lambda a, b, c, d: kl_divergence(LogisticNormal(a, b), LogisticNormal(c, d)), lambda r: r, [NP23[0], NP23[1], [[0.0, 0.1, 0.2], [0.3, -0.5, 1.0]], [[2.0, 0.7, 1.1], [0.4, 1.5, 0.8]]], dt)},
    }


def shapes(d, ss):
    return [list(d.batch_shape), list(d.event_shape), list(d.sample(ss).shape), list(d.rsample(ss).shape) if d.has_rsample else None]


pr = torch.ones(2, 3) / 3
out['shapes'] = {
    'gumbel': shapes(Gumbel(torch.ones(2, 3), 1.0), (4,)), 'gumbel_scalar': shapes(Gumbel(1.0, 2.0), (2,)), 'weibull': shapes(Weibull(torch.ones(2), 1.0), (3,)),
    'pareto': shapes(Pareto(1.0, torch.ones(3)), (2,)), 'logistic_normal': shapes(LogisticNormal(torch.zeros(2, 3), 1.0), (4,)),
    'logistic_normal_scalar': shapes(LogisticNormal(0.0, 1.0), (3,)), 'relaxed_bernoulli': shapes(RelaxedBernoulli(T(0.5), probs=torch.ones(2) / 2), (3,)),
    'relaxed_one_hot': shapes(RelaxedOneHotCategorical(T(0.5), probs=pr), (3,)),
    'expand_gumbel': shapes(Gumbel(torch.ones(3), 1.0).expand((2, 3)), ()), 'expand_weibull': shapes(Weibull(torch.ones(3), 1.0).expand((2, 3)), ()),
    'expand_pareto': shapes(Pareto(torch.ones(3), 1.0).expand((2, 3)), ()), 'expand_logistic_normal': shapes(LogisticNormal(torch.zeros(3), 1.0).expand((2,)), ()),
    'expand_relaxed_bernoulli': shapes(RelaxedBernoulli(T(0.5), probs=torch.ones(3) / 2).expand((2, 3)), ()),
    'expand_relaxed_one_hot': shapes(RelaxedOneHotCategorical(T(0.5), probs=torch.ones(3) / 3).expand((2,)), ()),
    'flags': [Gumbel(0.0, 1.0).has_rsample, Weibull(1.0, 1.0).has_rsample, Pareto(1.0, 1.0).has_rsample, LogisticNormal(0.0, 1.0).has_rsample,
              RelaxedBernoulli(T(0.5), probs=T(0.5)).has_rsample, RelaxedOneHotCategorical(T(0.5), probs=pr).has_rsample,
              LogitRelaxedBernoulli(T(0.5), probs=T(0.5)).has_rsample, TransformedDistribution(Exponential(1.0), ExpTransform()).has_rsample],
}
out['repr'] = [repr(Gumbel(torch.ones(3), torch.ones(3))), repr(Gumbel(1.0, 2.0)), repr(Weibull(torch.ones(2), 1.0)), repr(Weibull(2.0, 3.0)),
               repr(Pareto(torch.ones(2), 1.0)), repr(Pareto(2.0, 3.0)), repr(LogisticNormal(torch.zeros(2), 1.0)),
               repr(RelaxedBernoulli(T(0.5), probs=torch.ones(2) / 2)), repr(RelaxedOneHotCategorical(T(0.5), probs=pr)),
               repr(LogitRelaxedBernoulli(T(0.5), probs=torch.ones(2) / 2)), repr(LogitRelaxedBernoulli(T(0.5), logits=T(0.3))),
               repr(ExpRelaxedCategorical(T(0.5), probs=pr)), repr(TransformedDistribution(Normal(0.0, 1.0), [ExpTransform()])),
               repr(Gumbel(torch.ones(3), 1.0).expand((2, 3)))]
out['supports'] = [repr(x) for x in [Gumbel(0.0, 1.0).support, Weibull(1.0, 1.0).support, Pareto(2.0, 1.0).support, Pareto(torch.ones(2), 1.0).support,
                                      LogisticNormal(0.0, 1.0).support, RelaxedBernoulli(T(0.5), probs=T(0.5)).support,
                                      RelaxedOneHotCategorical(T(0.5), probs=pr).support, LogitRelaxedBernoulli(T(0.5), probs=T(0.5)).support,
                                      ExpRelaxedCategorical(T(0.5), probs=pr).support]]

# ------------------------------------------------------------------ transform_to, biject_to
CONSTRAINTS = {
    'real': (lambda: constraints.real, X23), 'positive': (lambda: constraints.positive, X23), 'nonnegative': (lambda: constraints.nonnegative, X23),
    'greater_than': (lambda: constraints.greater_than(2.0), X23), 'greater_than_eq': (lambda: constraints.greater_than_eq(-1.0), X23),
    'less_than': (lambda: constraints.less_than(1.0), X23), 'unit_interval': (lambda: constraints.unit_interval, X23),
    'interval': (lambda: constraints.interval(-1.0, 3.0), X23), 'half_open_interval': (lambda: constraints.half_open_interval(0.0, 2.0), X23),
    'interval_tensor': (lambda: constraints.interval(T([0.0, -1.0, 2.0]), T([1.0, 1.0, 5.0])), X23),
    'greater_than_tensor': (lambda: constraints.greater_than(T([0.0, -1.0, 2.0])), X23),
    'simplex': (lambda: constraints.simplex, X23), 'real_vector': (lambda: constraints.real_vector, X23),
    'independent_positive': (lambda: constraints.independent(constraints.positive, 1), X23),
    'lower_cholesky': (lambda: constraints.lower_cholesky, MAT222), 'corr_cholesky': (lambda: constraints.corr_cholesky, X23),
    'cat': (lambda: constraints.cat([constraints.positive, constraints.real, constraints.unit_interval], 1, [1, 1, 1]), X23),
    'stack': (lambda: constraints.stack([constraints.positive, constraints.interval(0.0, 2.0)], 0), X23),
    'boolean': (lambda: constraints.boolean, X23), 'positive_definite': (lambda: constraints.positive_definite, MAT222),
}
out['registry'] = {}
for name, (mk, x) in CONSTRAINTS.items():
    r = {'x': x, 'constraint': repr(mk())}
    for rn, reg in [('biject_to', biject_to), ('transform_to', transform_to)]:
        try:
            t = reg(mk())
        except Exception as e:
            r[rn] = {'error': str(e)}
            continue
        xt = T(x, dtype=torch.float64)
        y = t(xt)
        q = {'repr': repr(t), 'bijective': t.bijective, 'y': L(y), 'inv': L(t.inv(y)), 'check': bool(mk().check(y).all())}
        if t.bijective:
            q['ladj'] = L(t.log_abs_det_jacobian(xt, y))
        r[rn] = q
    out['registry'][name] = r

# ------------------------------------------------------------------ errors
N01 = Normal(0.0, 1.0)
out['errors'] = [
    err(lambda: ReshapeTransform((2, 3), (5,))),
    err(lambda: ExpTransform(cache_size=2)),
    err(lambda: CorrCholeskyTransform().event_dim),
    err(lambda: LowerCholeskyTransform().sign),
    err(lambda: LowerCholeskyTransform().log_abs_det_jacobian(torch.eye(2), torch.eye(2))),
    err(lambda: TransformedDistribution(N01, 'x')),
    err(lambda: TransformedDistribution(N01, [ExpTransform(), 3])),
    err(lambda: TransformedDistribution(N01, StickBreakingTransform())),
    err(lambda: ReshapeTransform((2, 3), (6,)).forward_shape(torch.Size([4, 3]))),
    err(lambda: ReshapeTransform((2, 3), (6,)).forward_shape(torch.Size([3]))),
    err(lambda: ReshapeTransform((2, 3), (6,)).inverse_shape(torch.Size([4, 5]))),
    err(lambda: StickBreakingTransform().forward_shape(torch.Size([]))),
    err(lambda: CorrCholeskyTransform().forward_shape(torch.Size([4]))),
    err(lambda: CorrCholeskyTransform().inverse_shape(torch.Size([2, 3]))),
    err(lambda: CorrCholeskyTransform()(torch.zeros(4))),
    err(lambda: IndependentTransform(ExpTransform(), 2)(torch.zeros(3))),
    err(lambda: biject_to(constraints.lower_cholesky)),
    err(lambda: transform_to(constraints.positive_definite)),
    err(lambda: biject_to(constraints.boolean)),
    err(lambda: Gumbel(0.0, -1.0)),
    err(lambda: Gumbel(T([0.0, float('nan')]), 1.0)),
    err(lambda: Weibull(T([1.0, -1.0]), 1.0)),
    err(lambda: Weibull(1.0, 0.0)),
    err(lambda: Pareto(1.0, -2.0)),
    err(lambda: Pareto(-1.0, 2.0)),
    err(lambda: Pareto(1.0, 2.0).log_prob(T([0.5]))),
    err(lambda: Weibull(1.0, 1.0).log_prob(T([-1.0]))),
    err(lambda: LogisticNormal(torch.zeros(2), torch.ones(2)).log_prob(T([0.5, 0.6, 0.1]))),
    err(lambda: LogisticNormal(torch.zeros(2), torch.ones(2)).log_prob(torch.ones(4) / 4)),
    err(lambda: LogisticNormal(0.0, -1.0)),
    err(lambda: RelaxedBernoulli(T(1.0), probs=T([0.5]), logits=T([0.0]))),
    err(lambda: RelaxedBernoulli(T(1.0), probs=T([1.5]))),
    err(lambda: RelaxedOneHotCategorical(T(1.0))),
    err(lambda: kl_divergence(TransformedDistribution(N01, ExpTransform()), TransformedDistribution(N01, SigmoidTransform()))),
    err(lambda: kl_divergence(Weibull(T([1.0]), T([2.0])), Weibull(T([1.5]), T([2.0])))),
    err(lambda: TransformedDistribution(N01, [ExpTransform()]).log_prob(T([-1.0]))),
    err(lambda: TransformedDistribution(N01, [SigmoidTransform()]).log_prob(T([1.5]))),
    err(lambda: TransformedDistribution(Normal(torch.zeros(2), 1.0), [ExpTransform()]).log_prob(torch.ones(3))),
    err(lambda: AbsTransform().sign),
    err(lambda: TransformedDistribution(N01, [ExpTransform()]).mean),
]
json.dump(out, open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'transforms.json'), 'w'), indent=1)
