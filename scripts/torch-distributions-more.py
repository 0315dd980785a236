# PyTorch 1.13 values, gradients, shapes, printed forms and errors of the distributions of
# src/distributions-more.ts (test/distributions-more.test.ts): Geometric, NegativeBinomial, Multinomial,
# OneHotCategorical(StraightThrough), Cauchy, HalfCauchy, FisherSnedecor, Kumaraswamy, ContinuousBernoulli,
# VonMises, MixtureSameFamily and the kl_divergence pairs PyTorch registers among them and the older classes.
#   /usr/bin/python3 scripts/torch-distributions-more.py
import torch, json, os, math, warnings
from torch_fixture import err as fixture_err, lists, param_run
from torch.distributions import (Geometric, NegativeBinomial, Multinomial, OneHotCategorical, OneHotCategoricalStraightThrough,
                                 Cauchy, HalfCauchy, FisherSnedecor, Kumaraswamy, ContinuousBernoulli, VonMises, MixtureSameFamily,
                                 Categorical, Normal, Exponential, Uniform, Beta, Gamma, Pareto, Laplace, Gumbel, kl_divergence)
warnings.simplefilter('ignore')
out = {}
L = lists


def run(make, f, params, dtype=torch.float32):
    """param_run, or the values alone (gradients None) where the result has no gradient (a mode, Cauchy's mean)"""
    ps = [torch.tensor(p, dtype=dtype).requires_grad_() for p in params]
    y = f(make(*ps))
    if not y.requires_grad: return [L(y)] + [None for _ in ps]
    return param_run(make, f, params, dtype)
t = torch.tensor


def err(f):
    return fixture_err(f, first_line=False)


def moments(make, params, dtype=torch.float32, mode=True):
    r = {k: run(make, (lambda k: lambda d: getattr(d, k))(k), params, dtype) for k in ['mean', 'variance', 'stddev']}
    if mode: r['mode'] = run(make, lambda d: d.mode, params, dtype)
    return r


GP = [[0.2, 0.5, 0.9, 1.0]]
gv = t([0., 3., 1., 0.])
out['geometric'] = {'log_prob': run(Geometric, lambda d: d.log_prob(gv), GP), 'entropy': run(Geometric, lambda d: d.entropy(), [[0.2, 0.5, 0.9]]),
                    **moments(Geometric, [[0.2, 0.5, 0.9]]),
                    'log_prob_logits': run(lambda l: Geometric(logits=l), lambda d: d.log_prob(gv[:3]), [[-1.0, 0.0, 2.0]]),
                    'entropy_logits': run(lambda l: Geometric(logits=l), lambda d: d.entropy(), [[-1.0, 0.0, 2.0]])}
NBP = [[3.0, 0.5, 10.0, 2.0], [0.3, 0.7, 0.1, 0.5]]
nv = t([0., 2., 1., 0.])
out['negbin'] = {'log_prob': run(lambda n, p: NegativeBinomial(n, probs=p), lambda d: d.log_prob(nv), NBP),
                 'log_prob_logits': run(lambda n, l: NegativeBinomial(n, logits=l), lambda d: d.log_prob(nv), [[3.0, 0.5, 10.0, 2.0], [-1.0, 0.5, -2.0, 0.0]]),
                 'log_prob_zero': L(NegativeBinomial(t([0., 0.]), probs=t([0.3, 0.3])).log_prob(t([0., 1.]))),
                 **moments(lambda n, p: NegativeBinomial(n, probs=p), NBP)}
MP = [[[0.2, 0.3, 0.5], [1.0, 1.0, 2.0]]]
mv = t([[1., 2., 3.], [0., 4., 2.]])
out['multinomial'] = {'log_prob': run(lambda p: Multinomial(6, probs=p), lambda d: d.log_prob(mv), MP),
                      'log_prob_logits': run(lambda l: Multinomial(6, logits=l), lambda d: d.log_prob(mv), [[[-1.0, 0.0, 1.0], [0.5, 0.5, 0.0]]]),
                      'entropy': run(lambda p: Multinomial(6, probs=p), lambda d: d.entropy(), MP),
                      **moments(lambda p: Multinomial(6, probs=p), MP, mode=False),
                      'log_prob_inf': L(Multinomial(3, logits=t([-math.inf, 0., 0.])).log_prob(t([0., 1., 2.])))}
ov = t([[0., 0., 1.], [1., 0., 0.]])
out['onehot'] = {'log_prob': run(lambda p: OneHotCategorical(p), lambda d: d.log_prob(ov), MP), 'entropy': run(lambda p: OneHotCategorical(p), lambda d: d.entropy(), MP),
                 **moments(lambda p: OneHotCategorical(p), MP),
                 'enum': L(OneHotCategorical(t([[0.2, 0.8], [0.5, 0.5]])).enumerate_support()), 'enum_noexpand': L(OneHotCategorical(t([[0.2, 0.8], [0.5, 0.5]])).enumerate_support(False)),
                 'st_grad': run(lambda p: OneHotCategoricalStraightThrough(p), lambda d: d.rsample([4]), MP)[1]}
CP = [[0.5, -1.0, 0.0], [1.0, 0.5, 2.0]]
cv = t([0.3, 2.0, -5.0])
out['cauchy'] = {'log_prob': run(Cauchy, lambda d: d.log_prob(cv), CP), 'entropy': run(Cauchy, lambda d: d.entropy(), CP), 'cdf': run(Cauchy, lambda d: d.cdf(cv), CP),
                 'icdf': run(Cauchy, lambda d: d.icdf(t([0.1, 0.5, 0.9])), CP), **moments(Cauchy, CP)}
hv = t([0.3, 2.0, 0.0])
out['halfcauchy'] = {'log_prob': run(HalfCauchy, lambda d: d.log_prob(hv), [[1.0, 0.5, 2.0]]), 'entropy': run(HalfCauchy, lambda d: d.entropy(), [[1.0, 0.5, 2.0]]),
                     'cdf': run(HalfCauchy, lambda d: d.cdf(hv), [[1.0, 0.5, 2.0]]), 'icdf': run(HalfCauchy, lambda d: d.icdf(t([0.1, 0.5, 0.9])), [[1.0, 0.5, 2.0]]),
                     **moments(HalfCauchy, [[1.0, 0.5, 2.0]]), 'log_prob_neg': L(HalfCauchy(1.0, validate_args=False).log_prob(t([-1.0])))}
FP = [[1.0, 3.0, 10.0, 5.0], [2.0, 5.0, 8.0, 3.0]]
out['fisher'] = {'log_prob': run(FisherSnedecor, lambda d: d.log_prob(t([0.3, 2.0, 1.0, 0.7])), FP), **moments(FisherSnedecor, FP)}
KP = [[0.5, 2.0, 3.0, 1.5], [0.7, 2.0, 1.5, 5.0]]
kv = t([0.2, 0.5, 0.9, 0.3])
out['kumaraswamy'] = {'log_prob': run(Kumaraswamy, lambda d: d.log_prob(kv), KP), 'entropy': run(Kumaraswamy, lambda d: d.entropy(), KP),
                      'cdf': run(Kumaraswamy, lambda d: d.cdf(kv), KP), 'icdf': run(Kumaraswamy, lambda d: d.icdf(kv), KP), **moments(Kumaraswamy, KP)}
CBP = [[0.1, 0.4995, 0.5, 0.7, 0.99]]
cbv = t([0.3, 0.5, 0.9, 0.0, 1.0])
out['cbern'] = {'log_prob': run(ContinuousBernoulli, lambda d: d.log_prob(cbv), CBP), 'entropy': run(ContinuousBernoulli, lambda d: d.entropy(), CBP),
                'cdf': run(ContinuousBernoulli, lambda d: d.cdf(cbv), CBP), 'icdf': run(ContinuousBernoulli, lambda d: d.icdf(t([0.1, 0.5, 0.9, 0.3, 0.7])), CBP),
                **moments(ContinuousBernoulli, CBP, mode=False),
                'log_prob_logits': run(lambda l: ContinuousBernoulli(logits=l), lambda d: d.log_prob(cbv), [[-2.0, 0.0, 0.001, 1.0, 4.0]]),
                'mean_logits': run(lambda l: ContinuousBernoulli(logits=l), lambda d: d.mean, [[-2.0, 0.0, 0.001, 1.0, 4.0]])}
VP = [[0.5, -1.0, 0.0, 3.0], [1.0, 0.1, 5.0, 20.0]]
out['vonmises'] = {'log_prob': run(VonMises, lambda d: d.log_prob(t([0.3, 2.0, -3.0, 3.1])), VP), 'variance': run(VonMises, lambda d: d.variance, VP),
                   'mean': L(VonMises(t([0.5, -1.]), t([1., 2.])).mean)}
# MixtureSameFamily: 3 Normal components, batch of 2
mix = [[[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]], [[-1.0, 0.0, 2.0], [1.0, 1.5, -0.5]], [[1.0, 0.5, 2.0], [0.3, 1.0, 0.7]]]
mk = lambda p, l, s: MixtureSameFamily(Categorical(p), Normal(l, s))
xv = t([[0.3, -1.0], [2.0, 0.0], [0.0, 5.0]])
out['mixture'] = {'log_prob': run(mk, lambda d: d.log_prob(xv), mix), 'cdf': run(mk, lambda d: d.cdf(xv), mix), 'mean': run(mk, lambda d: d.mean, mix),
                  'variance': run(mk, lambda d: d.variance, mix)}
# mixture of 2-d Independent Normals, one mixture over a batch
mk2 = lambda p, l, s: MixtureSameFamily(Categorical(p), torch.distributions.Independent(Normal(l, s), 1))
mix2 = [[0.3, 0.7], [[[0.0, 1.0], [2.0, -1.0]], [[0.5, 0.5], [1.0, 1.0]]], [[[1.0, 0.5], [2.0, 1.0]], [[1.0, 1.0], [0.5, 0.3]]]]
out['mixture_ev'] = {'log_prob': run(mk2, lambda d: d.log_prob(t([[0.3, 0.2], [1.0, -0.5]])), mix2), 'mean': run(mk2, lambda d: d.mean, mix2),
                     'variance': run(mk2, lambda d: d.variance, mix2),
                     'shapes': [list(mk2(*[t(x) for x in mix2]).batch_shape), list(mk2(*[t(x) for x in mix2]).event_shape)]}
# KLs
K = {}
K['geometric'] = run(lambda a, b: kl_divergence(Geometric(a), Geometric(b)), lambda r: r, [[0.2, 0.5, 0.9], [0.5, 0.1, 0.3]])
K['onehot'] = run(lambda a, b: kl_divergence(OneHotCategorical(a), OneHotCategorical(b)), lambda r: r, [[[0.2, 0.3, 0.5]], [[0.5, 0.25, 0.25]]])
K['cauchy'] = run(lambda a, b, c, d: kl_divergence(Cauchy(a, b), Cauchy(c, d)), lambda r: r, [[0.0, 1.0], [1.0, 0.5], [0.5, -1.0], [2.0, 0.3]])
CB2 = [[0.1, 0.5, 0.8], [0.3, 0.7, 0.4999]]
K['cb_cb'] = run(lambda a, b: kl_divergence(ContinuousBernoulli(a), ContinuousBernoulli(b)), lambda r: r, CB2)
K['cb_exp'] = run(lambda a, b: kl_divergence(ContinuousBernoulli(a), Exponential(b)), lambda r: r, [[0.1, 0.5, 0.8], [0.5, 1.0, 2.0]])
K['cb_normal'] = run(lambda a, b, c: kl_divergence(ContinuousBernoulli(a), Normal(b, c)), lambda r: r, [[0.1, 0.5, 0.8], [0.0, 1.0, -1.0], [1.0, 0.5, 2.0]])
K['cb_uniform'] = L(kl_divergence(ContinuousBernoulli(t([0.1, 0.5, 0.8])), Uniform(t([-0.5, 0.0, 0.2]), t([1.5, 1.0, 1.0]))))
K['beta_cb'] = run(lambda a, b, c: kl_divergence(Beta(a, b), ContinuousBernoulli(c)), lambda r: r, [[0.5, 2.0, 3.0], [0.7, 2.0, 1.5], [0.1, 0.5, 0.8]])
K['uniform_cb'] = L(kl_divergence(Uniform(t([0.1, 0.0, 0.2]), t([0.9, 1.0, 0.5])), ContinuousBernoulli(t([0.1, 0.5, 0.8]))))
K['inf'] = [L(kl_divergence(d, ContinuousBernoulli(t([0.3, 0.6])))) for d in [Exponential(t([1., 2.])), Gamma(t([1., 2.]), 1.), Normal(t([0., 1.]), 1.), Laplace(t([0., 1.]), 1.), Gumbel(t([0., 1.]), 1.), Pareto(t([1., 2.]), 1.)]] + \
    [L(kl_divergence(ContinuousBernoulli(t([0.3, 0.6])), Pareto(t([1., 2.]), 1.)))]
out['kl'] = K
# shapes, reprs, constraints, expand, errors
out['shapes'] = {
    'geometric': [list(Geometric(t([0.3, 0.5])).sample([4]).shape), list(Geometric(0.3).batch_shape)],
    'negbin': [list(NegativeBinomial(t([2., 3.]), probs=t([[0.3], [0.5]])).batch_shape), list(NegativeBinomial(2., probs=t([0.3, 0.2])).sample([5]).shape)],
    'multinomial': [list(Multinomial(4, t([[0.2, 0.8], [0.5, 0.5], [0.1, 0.9]])).batch_shape), list(Multinomial(4, t([[0.2, 0.8], [0.5, 0.5], [0.1, 0.9]])).event_shape),
                    list(Multinomial(4, t([0.2, 0.3, 0.5])).sample([7]).shape)],
    'onehot': [list(OneHotCategorical(t([[0.2, 0.8]])).batch_shape), list(OneHotCategorical(t([[0.2, 0.8]])).event_shape), list(OneHotCategorical(t([0.2, 0.3, 0.5])).sample([4, 2]).shape)],
    'mixture': [list(mk(*[t(x) for x in mix]).batch_shape), list(mk(*[t(x) for x in mix]).sample([5]).shape), list(mk2(t([[0.3, 0.7], [0.6, 0.4]]), *[t(x) for x in mix2[1:]]).sample([5]).shape),
                list(mk(*[t(x) for x in mix]).expand([3, 2]).batch_shape), list(mk(*[t(x) for x in mix]).expand([3, 2]).log_prob(t(0.5)).shape)],
    'vonmises': [list(VonMises(t([0., 1.]), 2.).sample([3]).shape), list(VonMises(0., 2.).batch_shape)],
    'kumaraswamy': [list(Kumaraswamy(t([1., 2.]), 2.).expand([3, 2]).sample([4]).shape)],
}
out['has'] = [[c.__name__, c.has_rsample, c.has_enumerate_support] for c in [Geometric, NegativeBinomial, Multinomial, OneHotCategorical, OneHotCategoricalStraightThrough, Cauchy, HalfCauchy,
                                                                              FisherSnedecor, Kumaraswamy, ContinuousBernoulli, VonMises, MixtureSameFamily]]
out['repr'] = [repr(Geometric(t([0.3, 0.5]))), repr(Geometric(0.3)), repr(Geometric(logits=t([0.3, 0.5]))), repr(NegativeBinomial(t([2., 3.]), probs=t([0.3, 0.5]))),
               repr(NegativeBinomial(3., logits=0.5)), repr(Multinomial(3, t([0.2, 0.8]))), repr(OneHotCategorical(t([0.2, 0.8]))), repr(OneHotCategoricalStraightThrough(t([0.2, 0.8]))),
               repr(Cauchy(t([0., 1.]), 1.)), repr(Cauchy(0., 2.)), repr(HalfCauchy(t([1., 2.]))), repr(FisherSnedecor(t([1., 2.]), 3.)), repr(Kumaraswamy(t([1., 2.]), 3.)),
               repr(ContinuousBernoulli(t([0.2, 0.3]))), repr(ContinuousBernoulli(logits=0.5)), repr(VonMises(t([0., 1.]), 2.)), repr(VonMises(0., 2.)),
               repr(mk(*[t(x) for x in mix])), repr(Geometric(t([0.3])).expand([2]))]
out['constraints'] = [repr(x) for x in [Geometric(0.3).support, NegativeBinomial(2., 0.3).support, Multinomial(3, t([0.2, 0.8])).support, OneHotCategorical(t([0.2, 0.8])).support,
                                        Cauchy(0., 1.).support, HalfCauchy(1.).support, FisherSnedecor(1., 2.).support, Kumaraswamy(1., 2.).support, ContinuousBernoulli(0.3).support,
                                        VonMises(0., 1.).support, mk(*[t(x) for x in mix]).support]] + \
    [repr(NegativeBinomial.arg_constraints), repr(FisherSnedecor.arg_constraints), repr(Kumaraswamy.arg_constraints), repr(VonMises.arg_constraints), repr(Geometric.arg_constraints)]
out['errors'] = [
    err(lambda: Geometric(t([0.0, 0.5]))),
    err(lambda: Geometric(t([1.5]))),
    err(lambda: Geometric()),
    err(lambda: NegativeBinomial(t([-1.]), probs=t([0.5]))),
    err(lambda: NegativeBinomial(t([1.]), probs=t([1.0]))),
    err(lambda: Multinomial(2.5, t([0.5, 0.5]))),
    err(lambda: Multinomial(2, t([0.5, -0.5]))),
    err(lambda: Cauchy(0., -1.)),
    err(lambda: HalfCauchy(t([-1.]))),
    err(lambda: FisherSnedecor(t([1.]), t([0.]))),
    err(lambda: Kumaraswamy(t([1.]), t([-1.]))),
    err(lambda: ContinuousBernoulli(t([1.5]))),
    err(lambda: VonMises(0., t([-1.]))),
    err(lambda: MixtureSameFamily(Normal(0., 1.), Normal(t([0., 1.]), 1.))),
    err(lambda: MixtureSameFamily(Categorical(t([0.5, 0.5])), Normal(t([0., 1., 2.]), 1.))),
    err(lambda: MixtureSameFamily(Categorical(t([[0.5, 0.5]] * 3)), Normal(t([[0., 1.]] * 2), 1.))),
    err(lambda: Geometric(t([0.5])).log_prob(t([1.5]))),
    err(lambda: Multinomial(3, t([0.5, 0.5])).log_prob(t([2., 2.]))),
    err(lambda: OneHotCategorical(t([0.5, 0.5])).log_prob(t([1., 1.]))),
    err(lambda: HalfCauchy(1.).log_prob(t([-1.]))),
    err(lambda: Kumaraswamy(1., 2.).log_prob(t([1.5]))),
    err(lambda: Multinomial(3, t([[0.5, 0.5], [0.2, 0.8]])).expand([3])),
]
json.dump(out, open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'distributions-more.json'), 'w'))
print('ok', len(json.dumps(out)))
