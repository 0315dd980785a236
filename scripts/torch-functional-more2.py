# PyTorch 1.13's values, gradients (of a weighted sum), grad_fns, module reprs and errors of ctc_loss,
# fractional_max_pool2d/3d (with fixed _random_samples), rrelu (eval), channel_shuffle, the in-place
# activations and the upsample spellings (test/functional-more2.test.ts):
#   /usr/bin/python3 scripts/torch-functional-more2.py
import torch, json, os, warnings
import torch.nn as nn
import torch.nn.functional as F
from torch_fixture import err, weights, lists, run_case as run
warnings.simplefilter('ignore')
torch.manual_seed(0)
out = {}


r = lambda *s: torch.randn(*s)
ls = lambda *s: torch.randn(*s).log_softmax(-1)
# ---------------------------------------------------------------- ctc_loss
# each case: the log-probabilities, then ctc_loss's arguments (targets as lists, lengths) and options;
# the test rebuilds the call from 'args'
def ctc_case(x, targets, il, tl, dtype=torch.float64, softmax=False, **kw):
    t = torch.tensor(targets)
    f = (lambda v: F.ctc_loss(v.log_softmax(-1), t, il, tl, **kw)) if softmax else (lambda v: F.ctc_loss(v, t, il, tl, **kw))
    c = run(f, x, dtype=dtype)
    c['args'] = {'targets': targets, 'il': il, 'tl': tl, 'softmax': softmax, **{k: v for k, v in kw.items()}}
    return c

x1 = ls(6, 3, 5)
tg = [[1, 2, 2], [3, 3, 0], [4, 1, 2]]
out['ctc'] = [
    ctc_case(x1, tg, [6, 5, 4], [3, 2, 3], reduction='none'),
    ctc_case(x1, tg, [6, 5, 4], [3, 2, 3]),
    ctc_case(x1, tg, [6, 6, 6], [3, 2, 1], reduction='sum'),
    ctc_case(x1, [1, 2, 2, 3, 3, 4], [6, 5, 4], [3, 2, 1], reduction='none'),             # concatenated
    ctc_case(r(6, 3, 5), tg, [6, 5, 4], [3, 2, 3], reduction='none'),                    # not normalized: PyTorch's exp(lp) term
    ctc_case(r(6, 3, 5), tg, [6, 5, 4], [3, 2, 3], softmax=True),                        # through log_softmax
    ctc_case(ls(5, 2, 4), [[1, 1, 1], [2, 2, 0]], [5, 4], [3, 2], reduction='none'),      # repeats: 5 steps just enough
    ctc_case(ls(5, 2, 4), [[1, 1, 1], [2, 2, 0]], [4, 2], [3, 2], reduction='none'),      # impossible: inf, NaN gradients
    ctc_case(ls(5, 2, 4), [[1, 1, 1], [2, 2, 0]], [4, 4], [3, 2], reduction='none', zero_infinity=True),
    ctc_case(ls(5, 2, 4), [[1, 1, 1], [2, 2, 0]], [4, 4], [3, 2], zero_infinity=True),
    ctc_case(ls(5, 2, 4), [[1, 1, 1], [2, 2, 0]], [4, 5], [3, 2], reduction='sum'),       # inf summed
    ctc_case(ls(7, 4), [1, 3, 3], [7], [3], reduction='none'),                            # unbatched
    ctc_case(ls(7, 4), [1, 3, 3], [7], [3]),
    ctc_case(ls(6, 2, 4), [[0, 1, 0], [3, 3, 1]], [6, 6], [3, 3], blank=2, reduction='none'),
    ctc_case(ls(4, 3, 3), [[1, 2], [2, 2], [1, 1]], [4, 3, 2], [0, 2, 1], reduction='none'),  # an empty target
    ctc_case(ls(6, 3, 5), tg, [6, 5, 4], [3, 2, 3], dtype=torch.float32, reduction='none'),
    ctc_case(ls(6, 3, 5), tg, [6, 5, 4], [3, 2, 3], dtype=torch.float32),
]
xe = ls(3, 2, 4)
tge = torch.tensor([[1, 1, 2], [2, 0, 0]])
out['ctc_err'] = [err(lambda: F.ctc_loss(xe, tge, [4, 2], [3, 1])), err(lambda: F.ctc_loss(xe, tge, [3, 2], [4, 1])),
                  err(lambda: F.ctc_loss(xe, tge, [3], [3, 1])), err(lambda: F.ctc_loss(xe, tge, [3, 2], [3])),
                  err(lambda: F.ctc_loss(xe, tge, [3, 2], [3, 1], blank=4)), err(lambda: F.ctc_loss(xe, torch.tensor([1, 1, 2, 2]), [3, 2], [3, 2])),
                  err(lambda: F.ctc_loss(xe, tge, [3, 2], [3, 1], reduction='foo')), err(lambda: F.ctc_loss(xe.int(), tge, [3, 2], [3, 1])),
                  err(lambda: F.ctc_loss(xe, tge[:1], [3, 2], [3, 1])), err(lambda: F.ctc_loss(xe[0, 0], tge, [3, 2], [3, 1])),
                  err(lambda: F.ctc_loss(xe, tge.unsqueeze(0), [3, 2], [3, 1]))]
out['ctc_repr'] = [repr(nn.CTCLoss()), repr(nn.CTCLoss(blank=2, reduction='sum', zero_infinity=True))]

# ---------------------------------------------------------------- fractional max pooling (fixed _random_samples)
def fmp_case(f, x, samples, dtype=torch.float32, **kw):
    u = samples.to(dtype)
    c = run(lambda t: f(t, _random_samples=u, return_indices=True, **kw), x, dtype=dtype)
    c['samples'] = lists(u); c['sshape'] = list(u.shape)
    return c

ties = torch.randint(0, 3, (2, 2, 8, 7)).float()
ties[0, 0, 1, 1] = float('nan'); ties[0, 0, 1, 2] = float('nan'); ties[1, 1, 5, 5] = float('-inf')
out['fmp2'] = [fmp_case(lambda t, **kw: F.fractional_max_pool2d(t, 2, output_size=(4, 5), **kw), r(2, 3, 9, 8), torch.rand(2, 3, 2)),
               fmp_case(lambda t, **kw: F.fractional_max_pool2d(t, (3, 2), output_ratio=(0.5, 0.6), **kw), r(2, 2, 11, 10), torch.rand(2, 2, 2)),
               fmp_case(lambda t, **kw: F.fractional_max_pool2d(t, 3, output_size=3, **kw), r(3, 7, 7), torch.rand(1, 3, 2)),
               fmp_case(lambda t, **kw: F.fractional_max_pool2d(t, 2, output_size=(5, 4), **kw), ties, torch.rand(2, 2, 2)),
               fmp_case(lambda t, **kw: F.fractional_max_pool2d(t, 2, output_size=(1, 6), **kw), r(1, 2, 5, 9), torch.rand(1, 2, 2)),
               fmp_case(lambda t, **kw: F.fractional_max_pool2d(t, 2, output_size=(6, 7), **kw), r(2, 2, 13, 17), torch.rand(2, 2, 2), dtype=torch.float64),
               fmp_case(lambda t, **kw: F.fractional_max_pool2d(t, 2, output_size=(10, 13), **kw), r(1, 3, 11, 14), torch.rand(1, 3, 2))]
out['fmp3'] = [fmp_case(lambda t, **kw: F.fractional_max_pool3d(t, 2, output_size=(3, 4, 5), **kw), r(1, 2, 7, 6, 8), torch.rand(1, 2, 3)),
               fmp_case(lambda t, **kw: F.fractional_max_pool3d(t, (1, 2, 3), output_ratio=0.5, **kw), r(2, 6, 8, 9), torch.rand(1, 2, 3)),
               fmp_case(lambda t, **kw: F.fractional_max_pool3d(t, 2, output_size=(4, 3, 3), **kw), r(2, 1, 9, 5, 7), torch.rand(2, 1, 3), dtype=torch.float64)]
fx = r(1, 1, 9, 9)
out['fmp_err'] = [err(lambda: F.fractional_max_pool2d(fx, 2)), err(lambda: F.fractional_max_pool2d(fx, 4, output_size=7)),
                  err(lambda: F.fractional_max_pool2d(fx, 2, output_size=4, _random_samples=torch.rand(1, 1, 2).double())),
                  err(lambda: F.fractional_max_pool2d(fx, 2, output_ratio=1.5)), err(lambda: F.fractional_max_pool2d(fx.int(), 2, output_size=3)),
                  err(lambda: F.fractional_max_pool3d(r(1, 1, 9, 9, 9), 5, output_size=7)), err(lambda: F.fractional_max_pool3d(fx, 2, output_size=4)),
                  err(lambda: F.fractional_max_pool3d(r(1, 1, 9, 9, 9), 2, output_size=(3, 9, 3))),
                  err(lambda: nn.FractionalMaxPool2d(2)), err(lambda: nn.FractionalMaxPool2d(2, output_ratio=1.5)),
                  err(lambda: nn.FractionalMaxPool3d(2, output_size=2, output_ratio=0.5)), err(lambda: nn.FractionalMaxPool3d(2, output_ratio=(0.5, 0., 0.5)))]
out['fmp_repr'] = [repr(nn.FractionalMaxPool2d(2, output_size=3)), repr(nn.FractionalMaxPool3d(2, output_ratio=(0.5, 0.6, 0.7)))]

# ---------------------------------------------------------------- rrelu (eval), channel_shuffle, in-place activations, upsample
rx = torch.tensor([[-2., -0.5, 0., 0.3, 1.5], [-1e-3, 4., -7., 2., -0.1]])
out['rrelu'] = [run(lambda t: F.rrelu(t), rx), run(lambda t: F.rrelu(t, 0.1, 0.3), rx), run(lambda t: F.rrelu(t, 0.2, 0.2), rx),
                run(lambda t: F.rrelu(t, 0.01, 0.9), rx, dtype=torch.float64),
                run(lambda t: F.rrelu_(t.clone(), 0.1, 0.5), rx)]
out['rrelu_err'] = [err(lambda: F.rrelu(rx, 0.5, 0.1)), err(lambda: F.rrelu(rx.int())), err(lambda: F.rrelu(rx.int(), training=True)),
                    err(lambda: F.rrelu_(rx.clone().requires_grad_()))]
out['rrelu_repr'] = [repr(nn.RReLU()), repr(nn.RReLU(0.1, 0.3, inplace=True))]
cs = torch.arange(2 * 6 * 2 * 2.).reshape(2, 6, 2, 2)
out['shuffle'] = [lists(F.channel_shuffle(cs, 2)), lists(F.channel_shuffle(cs, 3)), lists(F.channel_shuffle(cs[:, :, 0], 6)), lists(F.channel_shuffle(cs, 1))]
out['shuffle_err'] = [err(lambda: F.channel_shuffle(cs, 4)), err(lambda: F.channel_shuffle(cs, 0)), err(lambda: F.channel_shuffle(cs[0, 0, 0], 1)),
                      repr(nn.ChannelShuffle(2))]
ax = r(3, 5) * 2
out['inplace'] = [run(lambda t: F.relu_(t.clone()), ax), run(lambda t: F.elu_(t.clone()), ax), run(lambda t: F.elu_(t.clone(), 0.5), ax),
                  run(lambda t: F.leaky_relu_(t.clone()), ax), run(lambda t: F.leaky_relu_(t.clone(), 0.2), ax),
                  run(lambda t: F.hardtanh_(t.clone()), ax), run(lambda t: F.hardtanh_(t.clone(), -0.5, 2.), ax),
                  run(lambda t: F.selu_(t.clone()), ax), run(lambda t: F.celu_(t.clone()), ax), run(lambda t: F.celu_(t.clone(), 1.5), ax),
                  run(lambda t: F.threshold_(t.clone(), 0.3, -2.), ax), run(lambda t: F.elu_(t.clone(), 0.7), ax, dtype=torch.float64)]
out['inplace_err'] = [err(lambda: F.relu_(ax.clone().requires_grad_())), err(lambda: F.elu_(torch.tensor([1, 2])))]
ux = r(1, 2, 3, 4)
out['upsample'] = [run(lambda t: F.upsample(t, scale_factor=2), ux), run(lambda t: F.upsample(t, size=(5, 7), mode='bilinear', align_corners=False), ux),
                   run(lambda t: F.upsample_nearest(t, size=(4, 6)), ux), run(lambda t: F.upsample_bilinear(t, scale_factor=2), ux),
                   run(lambda t: F.upsample_bilinear(t, size=(5, 3)), ux)]

json.dump(out, open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'functional-more2.json'), 'w'))
