# PyTorch 1.13 values, gradients, shapes, printed forms and errors of torch.distributions: Normal,
# Bernoulli, Categorical, Uniform, Exponential, Laplace, Independent and kl_divergence
# (test/distributions.test.ts): /usr/bin/python3 scripts/torch-distributions.py
import torch, json, os, math, warnings
from torch_fixture import err as fixture_err, weights, lists, param_run
from torch.distributions import Normal, Bernoulli, Categorical, Uniform, Exponential, Laplace, Independent, kl_divergence
warnings.simplefilter('ignore')
out = {}

def err(f):
    return fixture_err(f, first_line=False)

L = lists
run = param_run

# Normal
NP = [[0.5, -1.0, 2.0], [1.0, 0.5, 2.0]]
nv = torch.tensor([0.3, -2.0, 5.0])
nq = torch.tensor([0.1, 0.5, 0.975])
for dt, name in [(torch.float32, 'f32'), (torch.float64, 'f64')]:
    out[f'normal_{name}'] = {
        'log_prob': run(Normal, lambda d: d.log_prob(nv.to(dt)), NP, dt),
        'cdf': run(Normal, lambda d: d.cdf(nv.to(dt)), NP, dt),
        'icdf': run(Normal, lambda d: d.icdf(nq.to(dt)), NP, dt),
        'entropy': run(Normal, lambda d: d.entropy(), NP, dt),
        'mean': run(Normal, lambda d: d.mean, NP, dt), 'stddev': run(Normal, lambda d: d.stddev, NP, dt),
        'variance': run(Normal, lambda d: d.variance, NP, dt), 'mode': run(Normal, lambda d: d.mode, NP, dt),
        'perplexity': run(Normal, lambda d: d.perplexity(), NP, dt),
    }
out['normal_icdf_wide'] = L(Normal(0., 1.).icdf(torch.tensor([1e-6, 0.001, 0.02, 0.3, 0.7, 0.999, 0.999999, 0., 1.], dtype=torch.float64)))
out['normal_broadcast'] = L(Normal(torch.tensor([[0.], [1.]]), torch.tensor([1., 2., 3.])).log_prob(torch.tensor([0.5, 0.5, 0.5])))
# Bernoulli
BP, BL = [[0.2, 0.7, 0.5]], [[-1.0, 0.3, 2.0]]
bv = torch.tensor([1., 0., 1.])
out['bernoulli'] = {
    'log_prob_p': run(lambda p: Bernoulli(probs=p), lambda d: d.log_prob(bv), BP),
    'log_prob_l': run(lambda p: Bernoulli(logits=p), lambda d: d.log_prob(bv), BL),
    'entropy_p': run(lambda p: Bernoulli(probs=p), lambda d: d.entropy(), BP),
    'entropy_l': run(lambda p: Bernoulli(logits=p), lambda d: d.entropy(), BL),
    'logits': run(lambda p: Bernoulli(probs=p), lambda d: d.logits, [[0.2, 0.0, 1.0]]),
    'probs': run(lambda p: Bernoulli(logits=p), lambda d: d.probs, BL),
    'mean': L(Bernoulli(probs=torch.tensor(BP[0])).mean), 'variance': run(lambda p: Bernoulli(logits=p), lambda d: d.variance, BL),
    'mode': L(Bernoulli(probs=torch.tensor(BP[0])).mode),
    'log_prob_bcast': L(Bernoulli(probs=torch.tensor([0.2, 0.9])).log_prob(torch.tensor([[1.], [0.]]))),
    'enum': L(Bernoulli(probs=torch.tensor([[0.2, 0.9]])).enumerate_support()), 'enum_shape': list(Bernoulli(probs=torch.tensor([[0.2, 0.9]])).enumerate_support(expand=False).shape),
}
# Categorical
CP = [[[0.1, 0.2, 0.7], [1.0, 1.0, 2.0]]]
CL = [[[0.5, -1.0, 2.0], [0.0, 0.0, 0.0]]]
cv = torch.tensor([2, 0])
out['categorical'] = {
    'log_prob_p': run(lambda p: Categorical(probs=p), lambda d: d.log_prob(cv), CP),
    'log_prob_l': run(lambda p: Categorical(logits=p), lambda d: d.log_prob(cv), CL),
    'log_prob_bcast': run(lambda p: Categorical(logits=p), lambda d: d.log_prob(torch.tensor([[0], [1], [2]])), CL),
    'entropy_p': run(lambda p: Categorical(probs=p), lambda d: d.entropy(), CP),
    'entropy_l': run(lambda p: Categorical(logits=p), lambda d: d.entropy(), CL),
    'entropy_zero': L(Categorical(probs=torch.tensor([0.0, 0.5, 0.5])).entropy()),
    'entropy_neginf': L(Categorical(logits=torch.tensor([-math.inf, 0.0, 0.0])).entropy()),
    'probs': run(lambda p: Categorical(logits=p), lambda d: d.probs, CL),
    'probs_p': run(lambda p: Categorical(probs=p), lambda d: d.probs, CP),
    'logits': run(lambda p: Categorical(probs=p), lambda d: d.logits, CP),
    'logits_l': run(lambda p: Categorical(logits=p), lambda d: d.logits, CL),
    'mode': L(Categorical(probs=torch.tensor(CP[0])).mode), 'mean': L(Categorical(probs=torch.tensor(CP[0])).mean),
    'enum': L(Categorical(probs=torch.tensor(CP[0])).enumerate_support()),
}
# Uniform
UP = [[0.0, -1.0], [1.0, 3.0]]
uv = torch.tensor([0.25, 2.5])
out['uniform'] = {
    'log_prob': run(Uniform, lambda d: d.log_prob(uv), UP),
    'log_prob_out': L(Uniform(torch.tensor(UP[0]), torch.tensor(UP[1]), validate_args=False).log_prob(torch.tensor([1.0, -1.0]))),
    'cdf': run(Uniform, lambda d: d.cdf(uv), UP), 'icdf': run(Uniform, lambda d: d.icdf(torch.tensor([0.1, 0.8])), UP),
    'cdf_out': L(Uniform(torch.tensor(UP[0]), torch.tensor(UP[1]), validate_args=False).cdf(torch.tensor([2.0, -3.0]))),
    'entropy': run(Uniform, lambda d: d.entropy(), UP), 'mean': run(Uniform, lambda d: d.mean, UP),
    'stddev': run(Uniform, lambda d: d.stddev, UP), 'variance': run(Uniform, lambda d: d.variance, UP),
}
# Exponential
EP = [[0.5, 2.0]]
ev = torch.tensor([1.5, 0.2])
out['exponential'] = {
    'log_prob': run(Exponential, lambda d: d.log_prob(ev), EP), 'cdf': run(Exponential, lambda d: d.cdf(ev), EP),
    'icdf': run(Exponential, lambda d: d.icdf(torch.tensor([0.3, 0.9])), EP), 'entropy': run(Exponential, lambda d: d.entropy(), EP),
    'mean': run(Exponential, lambda d: d.mean, EP), 'stddev': run(Exponential, lambda d: d.stddev, EP), 'variance': run(Exponential, lambda d: d.variance, EP),
    'mode': L(Exponential(torch.tensor(EP[0])).mode),
}
# Laplace
LP = [[0.5, -1.0, 0.0], [1.0, 0.5, 2.0]]
lv = torch.tensor([0.3, -2.0, 5.0])
out['laplace'] = {
    'log_prob': run(Laplace, lambda d: d.log_prob(lv), LP), 'cdf': run(Laplace, lambda d: d.cdf(lv), LP),
    'icdf': run(Laplace, lambda d: d.icdf(torch.tensor([0.1, 0.5, 0.8])), LP), 'entropy': run(Laplace, lambda d: d.entropy(), LP),
    'stddev': run(Laplace, lambda d: d.stddev, LP), 'variance': run(Laplace, lambda d: d.variance, LP),
}
# Independent
IL = [[[0.5, -1.0, 2.0], [0.0, 1.0, -0.5]], [[1.0, 0.5, 2.0], [0.3, 1.5, 1.0]]]
iv = torch.tensor([[0.3, -2.0, 5.0], [0.1, 0.2, 0.3]])
out['independent'] = {
    'log_prob': run(lambda l, s: Independent(Normal(l, s), 1), lambda d: d.log_prob(iv), IL),
    'log_prob2': run(lambda l, s: Independent(Normal(l, s), 2), lambda d: d.log_prob(iv), IL),
    'entropy': run(lambda l, s: Independent(Normal(l, s), 1), lambda d: d.entropy(), IL),
}
# shapes
n23 = Normal(torch.zeros(2, 3), torch.ones(2, 3))
i1 = Independent(n23, 1)
c = Categorical(probs=torch.ones(4, 5))
def shapes(d, ss):
    return [list(d.batch_shape), list(d.event_shape), list(d.sample(ss).shape)]
out['shapes'] = {
    'normal': shapes(n23, (4,)), 'normal_scalar': shapes(Normal(0., 1.), (2, 2)), 'ind1': shapes(i1, (5,)), 'ind2': shapes(Independent(n23, 2), ()),
    'categorical': shapes(c, (3, 2)), 'cat1d': shapes(Categorical(probs=torch.ones(5)), (7,)), 'bernoulli': shapes(Bernoulli(probs=torch.full((3,), 0.5)), (2,)),
    'uniform': shapes(Uniform(torch.zeros(2), 1.), ()), 'exponential': shapes(Exponential(torch.ones(1, 2)), (3,)), 'laplace': shapes(Laplace(0., torch.ones(3)), (2,)),
    'expand_normal': shapes(Normal(torch.zeros(3), 1.).expand((2, 3)), ()), 'expand_cat': shapes(c.expand((2, 4)), ()), 'expand_ind': shapes(i1.expand((4, 2)), ()),
    'ind_lp': list(i1.log_prob(torch.zeros(2, 3)).shape), 'cat_lp': list(c.log_prob(torch.tensor([[1], [2]])).shape),
    'dtypes': [str(c.sample().dtype), str(Bernoulli(probs=torch.full((3,), 0.5)).sample().dtype), str(Normal(torch.zeros(2, dtype=torch.float64), 1.).sample().dtype)],
    'flags': [Normal(0., 1.).has_rsample, Bernoulli(0.3).has_rsample, Categorical(torch.ones(2)).has_enumerate_support, i1.has_rsample, Uniform(0., 1.).has_rsample],
}
# KL
out['kl'] = {
    'normal': run(lambda a, b, c_, d: kl_divergence(Normal(a, b), Normal(c_, d)), lambda r: r, [[0.5, -1.0], [1.0, 0.5], [0.0, 1.0], [2.0, 0.3]]),
    'bernoulli': run(lambda p, q: kl_divergence(Bernoulli(probs=p), Bernoulli(probs=q)), lambda r: r, [[0.2, 0.7, 0.0, 1.0, 0.5, 0.3], [0.5, 0.1, 0.3, 0.6, 0.0, 1.0]]),
    'bernoulli_l': run(lambda p, q: kl_divergence(Bernoulli(logits=p), Bernoulli(logits=q)), lambda r: r, [[0.2, -3.0], [1.5, 0.1]]),
    'categorical': run(lambda p, q: kl_divergence(Categorical(probs=p), Categorical(probs=q)), lambda r: r, [[[0.2, 0.3, 0.5], [0.0, 0.5, 0.5], [0.5, 0.5, 0.0]], [[0.1, 0.1, 0.8], [0.3, 0.3, 0.4], [0.3, 0.7, 0.0]]]),
    'categorical_inf': L(kl_divergence(Categorical(probs=torch.tensor([0.5, 0.5])), Categorical(probs=torch.tensor([1.0, 0.0])))),
    'uniform': run(lambda a, b, c_, d: kl_divergence(Uniform(a, b), Uniform(c_, d)), lambda r: r, [[0.0, 0.0, -1.0], [1.0, 2.0, 1.0], [-1.0, 0.5, -2.0], [2.0, 3.0, 0.5]]),
    'exponential': run(lambda a, b: kl_divergence(Exponential(a), Exponential(b)), lambda r: r, [[0.5, 2.0], [1.0, 3.0]]),
    'laplace': run(lambda a, b, c_, d: kl_divergence(Laplace(a, b), Laplace(c_, d)), lambda r: r, [[0.5, -1.0], [1.0, 0.5], [0.0, 1.0], [2.0, 0.3]]),
    'independent': L(kl_divergence(Independent(Normal(torch.tensor([[0.5, -1.0]]), torch.tensor([[1.0, 0.5]])), 1), Independent(Normal(torch.tensor([[0.0, 1.0]]), torch.tensor([[2.0, 0.3]])), 1))),
}
# printed forms
b = Bernoulli(probs=torch.tensor([0.3, 0.6]))
r_b0 = repr(b); _ = b.logits
cl = Categorical(logits=torch.zeros(2, 3))
out['repr'] = [repr(Normal(torch.zeros(2), torch.ones(2))), repr(Normal(0., 1.)), repr(Normal(torch.tensor([0.5]), 2.)), r_b0, repr(b), repr(Bernoulli(0.3)),
               repr(Bernoulli(logits=torch.tensor(-1.5))), repr(cl), repr(Uniform(0., 1.)), repr(Uniform(torch.zeros(2, 3), 1.)), repr(Exponential(torch.tensor([2.0, 3.0]))),
               repr(Laplace(0., 2.)), repr(Independent(Normal(torch.zeros(2, 3), torch.ones(2, 3)), 1)), repr(Normal(torch.zeros(2, dtype=torch.float64), 1.)),
               repr(Normal(torch.zeros(3), 1.).expand((2, 3))), repr(Categorical(probs=torch.tensor([1., 3.])))]
out['constraints'] = [repr(Normal(0., 1.).support), repr(Exponential(1.).support), repr(Bernoulli(0.3).support), repr(Categorical(torch.ones(3)).support),
                      repr(Categorical(torch.ones(3)).arg_constraints['probs']), repr(Categorical(torch.ones(3)).arg_constraints['logits']), repr(Bernoulli(0.3).arg_constraints['probs']),
                      repr(Normal(0., 1.).arg_constraints['scale']), repr(Independent(Normal(torch.zeros(2), 1.), 1).support)]
# errors
out['errors'] = [
    err(lambda: Normal(torch.tensor([1., 1.]), torch.tensor([1., -1.]))),
    err(lambda: Normal(0., -1.)),
    err(lambda: Normal(torch.tensor([0., float('nan')]), 1.)),
    err(lambda: Normal(torch.zeros(2), torch.zeros(3))),
    err(lambda: Bernoulli(probs=torch.tensor([0.5, 1.5]))),
    err(lambda: Bernoulli()),
    err(lambda: Bernoulli(probs=torch.tensor([0.5]), logits=torch.tensor([0.5]))),
    err(lambda: Bernoulli(logits=torch.tensor([float('nan')]))),
    err(lambda: Categorical(probs=torch.tensor(1.))),
    err(lambda: Categorical(logits=torch.tensor(1.))),
    err(lambda: Categorical(probs=torch.tensor([-0.1, 1.1]))),
    err(lambda: Uniform(1., 0.)),
    err(lambda: Uniform(torch.tensor([0., 2.]), torch.tensor([1., 2.]))),
    err(lambda: Exponential(torch.tensor([1., 0.]))),
    err(lambda: Laplace(0., torch.tensor([-2.]))),
    err(lambda: Independent(Normal(torch.zeros(2), 1.), 2)),
    err(lambda: Normal(torch.zeros(2), 1.).log_prob(torch.zeros(3))),
    err(lambda: Independent(Normal(torch.zeros(2, 3), 1.), 1).log_prob(torch.zeros(2, 4))),
    err(lambda: Exponential(1.).log_prob(torch.tensor([-1., 2.]))),
    err(lambda: Bernoulli(0.3).log_prob(torch.tensor([0.5]))),
    err(lambda: Categorical(torch.ones(3)).log_prob(torch.tensor([3]))),
    err(lambda: Normal(0., 1.).log_prob(torch.tensor(float('nan')))),
    err(lambda: kl_divergence(Categorical(torch.ones(3)), Normal(0., 1.))),
    err(lambda: Bernoulli(0.3).rsample()),
    err(lambda: Uniform(torch.zeros(2), 1.).log_prob(torch.tensor([0.5, 1.5]))),
]
json.dump(out, open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'distributions.json'), 'w'), indent=1)
