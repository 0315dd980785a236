# PyTorch 1.13 printed values, gradients, grad_fns, module reprs and error messages of the losses and the
# embedding bag in test/losses.test.ts (margin ranking, hinge embedding, soft margin, multi-label soft margin,
# multi-label margin, multi margin, cosine embedding, triplet margin (with distance), Poisson and Gaussian
# NLL, embedding_bag / EmbeddingBag):
#   /usr/bin/python3 scripts/torch-losses.py -> test/fixtures/losses.json
# The inputs are written too (as lists), so the test builds the same tensors.
import torch, torch.nn as nn, torch.nn.functional as F, json, os, warnings
from torch_fixture import ramp
warnings.simplefilter('ignore')
torch.set_printoptions(precision=4)
torch.manual_seed(0)
out = {}
def data(name, t):
    out['in_' + name] = t.tolist()
    return t.clone()
def run(key, f, *ts):
    """f(*ts), and every input's gradient after backward of (y * ramp(y)).sum(): [y, grads..., grad_fn]"""
    for t in ts: t.grad = None
    y = f(*ts)
    (y * ramp(y)).sum().backward()
    out[key] = [str(y)] + [str(t.grad) for t in ts] + [y.grad_fn.name() if y.grad_fn else None]
R = ['mean', 'sum', 'none']
pm1 = lambda *s: torch.randint(0, 2, s).float().mul(2).sub(1)

x1 = data('mr_x1', torch.randn(6)).requires_grad_(); x2 = data('mr_x2', torch.randn(6)).requires_grad_(); y = data('mr_y', pm1(6))
for r in R:
    run('mr_' + r, lambda a, b: F.margin_ranking_loss(a, b, y, margin=0.3, reduction=r), x1, x2)
run('mr_default', lambda a, b: F.margin_ranking_loss(a, b, y), x1, x2)

h = data('he_x', torch.randn(2, 5) * 2).requires_grad_(); hy = data('he_y', torch.tensor([[1., -1, 1, -1, -1], [-1, 1, 0, 1, -1]]))
for r in R:
    run('he_' + r, lambda a: F.hinge_embedding_loss(a, hy, margin=1.5, reduction=r), h)
run('he_default', lambda a: F.hinge_embedding_loss(a, hy), h)

s = data('sm_x', torch.randn(2, 5)).requires_grad_(); sy = data('sm_y', pm1(2, 5))
for r in R:
    run('sm_' + r, lambda a: F.soft_margin_loss(a, sy, reduction=r), s)

m = data('mlsm_x', torch.randn(3, 4)).requires_grad_(); mt = data('mlsm_t', torch.randint(0, 2, (3, 4)).float()).requires_grad_()
mw = data('mlsm_w', torch.rand(4) + 0.5)
for r in R:
    run('mlsm_' + r, lambda a, t: F.multilabel_soft_margin_loss(a, t, reduction=r), m, mt)
    run('mlsm_w_' + r, lambda a, t: F.multilabel_soft_margin_loss(a, t, weight=mw, reduction=r), m, mt)
run('mlsm_1d', lambda a: F.multilabel_soft_margin_loss(a, mt.detach()[0], reduction='none'), m.detach()[1].clone().requires_grad_())

ml = data('mlm_x', torch.randn(4, 5)).requires_grad_()
mlt = torch.tensor([[3, 0, -1, 1, 1], [1, 2, 3, 4, 0], [-1, 2, 2, 2, 2], [4, 4, 1, -1, 0]])
out['in_mlm_t'] = mlt.tolist()
for r in R:
    run('mlm_' + r, lambda a: F.multilabel_margin_loss(a, mlt, reduction=r), ml)
ml1 = ml.detach()[0].clone().requires_grad_()
run('mlm_1d', lambda a: F.multilabel_margin_loss(a, mlt[3], reduction='none'), ml1)
run('mlm_1d_mean', lambda a: F.multilabel_margin_loss(a, mlt[0]), ml1)

mm = data('mm_x', torch.randn(4, 5)).requires_grad_(); mmt = torch.tensor([1, 0, 4, 2]); out['in_mm_t'] = mmt.tolist()
mmw = data('mm_w', torch.rand(5) + 0.5)
for r in R:
    run('mm_' + r, lambda a: F.multi_margin_loss(a, mmt, reduction=r), mm)
    run('mm_p2_' + r, lambda a: F.multi_margin_loss(a, mmt, p=2, margin=0.7, weight=mmw, reduction=r), mm)
run('mm_w', lambda a: F.multi_margin_loss(a, mmt, weight=mmw), mm)
mm1 = mm.detach()[2].clone().requires_grad_()
run('mm_1d', lambda a: F.multi_margin_loss(a, mmt[2:3], reduction='none'), mm1)
run('mm_1d_0d', lambda a: F.multi_margin_loss(a, mmt[2], margin=2.0), mm1)

c1 = data('ce_x1', torch.randn(4, 5)).requires_grad_(); c2 = data('ce_x2', torch.randn(4, 5)).requires_grad_(); cy = data('ce_y', torch.tensor([1., -1, -1, 1]))
for r in R:
    run('ce_' + r, lambda a, b: F.cosine_embedding_loss(a, b, cy, margin=-0.2, reduction=r), c1, c2)
run('ce_default', lambda a, b: F.cosine_embedding_loss(a, b, cy), c1, c2)
run('ce_1d', lambda a, b: F.cosine_embedding_loss(a, b, torch.tensor(-1.), reduction='none'), c1.detach()[0].clone().requires_grad_(), c2.detach()[0].clone().requires_grad_())

ta = data('tm_a', torch.randn(4, 5)).requires_grad_(); tp = data('tm_p', torch.randn(4, 5)).requires_grad_(); tn = data('tm_n', torch.randn(4, 5)).requires_grad_()
for r in R:
    run('tm_' + r, lambda a, p, n: F.triplet_margin_loss(a, p, n, reduction=r), ta, tp, tn)
run('tm_p1_swap', lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=0.5, p=1, swap=True, reduction='none'), ta, tp, tn)
run('tm_p3_eps', lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=2.0, p=3, eps=0.1, reduction='sum'), ta, tp, tn)
run('tm_swap', lambda a, p, n: F.triplet_margin_loss(a, p, n, swap=True), ta, tp, tn)
run('tm_1d', lambda a, p, n: F.triplet_margin_loss(a, p, n, reduction='none'), ta.detach()[0].clone().requires_grad_(), tp.detach()[0].clone().requires_grad_(), tn.detach()[0].clone().requires_grad_())
cosd = lambda a, b: 1 - F.cosine_similarity(a, b)
for r in R:
    run('tmd_' + r, lambda a, p, n: F.triplet_margin_with_distance_loss(a, p, n, reduction=r), ta, tp, tn)
run('tmd_cos_swap', lambda a, p, n: F.triplet_margin_with_distance_loss(a, p, n, distance_function=cosd, margin=0.4, swap=True, reduction='none'), ta, tp, tn)

pi = data('pn_x', torch.randn(3, 4)).requires_grad_(); pt = data('pn_t', torch.tensor([[0., 1, 2, 5], [3, 0, 1, 7], [1, 4, 2, 0]])).requires_grad_()
pp = data('pn_pos', torch.rand(3, 4) * 3 + 0.05).requires_grad_()
for r in R:
    run('pn_' + r, lambda a, t: F.poisson_nll_loss(a, t, reduction=r), pi, pt)
    run('pn_full_' + r, lambda a, t: F.poisson_nll_loss(a, t, full=True, reduction=r), pi, pt)
    run('pn_rate_' + r, lambda a, t: F.poisson_nll_loss(a, t, log_input=False, reduction=r), pp, pt)
run('pn_rate_full_eps', lambda a, t: F.poisson_nll_loss(a, t, log_input=False, full=True, eps=0.5, reduction='none'), pp, pt)

gi = data('gn_x', torch.randn(3, 4)).requires_grad_(); gt = data('gn_t', torch.randn(3, 4)).requires_grad_()
gv = data('gn_v', torch.rand(3, 4) + 0.1); gv[0, 1] = 1e-8; out['in_gn_v'] = gv.tolist(); gv.requires_grad_()
gv1 = data('gn_v1', torch.rand(3) + 0.2).requires_grad_()
for r in R:
    run('gn_' + r, lambda a, t, v: F.gaussian_nll_loss(a, t, v, reduction=r), gi, gt, gv)
    run('gn_full_' + r, lambda a, t, v: F.gaussian_nll_loss(a, t, v, full=True, eps=1e-3, reduction=r), gi, gt, gv)
run('gn_homo', lambda a, t, v: F.gaussian_nll_loss(a, t, v, reduction='none'), gi, gt, gv1)
run('gn_homo1', lambda a, t, v: F.gaussian_nll_loss(a, t, v.unsqueeze(1), reduction='sum'), gi, gt, gv1)
run('gn_scalar_var', lambda a, t, v: F.gaussian_nll_loss(a, t, v, reduction='none'), gi.detach()[0].clone().requires_grad_(), gt.detach()[0].clone().requires_grad_(), gv1.detach()[:1].clone().requires_grad_())

# ------------------------------------------------------------------ embedding bag
ew = data('eb_w', torch.randn(10, 3)).requires_grad_()
ei = torch.tensor([[1, 2, 4, 5], [4, 3, 2, 9], [0, 0, 7, 7]]); out['in_eb_i'] = ei.tolist()
e1 = torch.tensor([1, 2, 4, 5, 4, 3, 2, 9, 7]); out['in_eb_i1'] = e1.tolist()
psw = data('eb_psw', torch.randn(3, 4)).requires_grad_()
psw1 = data('eb_psw1', torch.randn(9)).requires_grad_()
for mode in ['sum', 'mean', 'max']:
    run('eb_' + mode, lambda w: F.embedding_bag(ei, w, mode=mode), ew)
    run('eb_pad_' + mode, lambda w: F.embedding_bag(ei, w, mode=mode, padding_idx=7), ew)
    run('eb_off_' + mode, lambda w: F.embedding_bag(e1, w, torch.tensor([0, 2, 2, 5]), mode=mode), ew)
    run('eb_last_' + mode, lambda w: F.embedding_bag(e1, w, torch.tensor([0, 3, 3, 9]), mode=mode, include_last_offset=True, padding_idx=2), ew)
run('eb_psw', lambda w, p: F.embedding_bag(ei, w, mode='sum', per_sample_weights=p), ew, psw)
run('eb_psw_off', lambda w, p: F.embedding_bag(e1, w, torch.tensor([0, 4, 4]), mode='sum', per_sample_weights=p, padding_idx=4), ew, psw1)
out['eb_default'] = [str(F.embedding_bag(ei, ew.detach()))]

# ------------------------------------------------------------------ reprs, errors
mods = {
    'mr': nn.MarginRankingLoss(), 'mr_opts': nn.MarginRankingLoss(margin=0.5, reduction='sum'), 'he': nn.HingeEmbeddingLoss(margin=2.0),
    'sm': nn.SoftMarginLoss(), 'mlsm': nn.MultiLabelSoftMarginLoss(weight=torch.ones(3)), 'mlm': nn.MultiLabelMarginLoss(),
    'mm': nn.MultiMarginLoss(p=2, margin=0.5), 'ce': nn.CosineEmbeddingLoss(), 'tm': nn.TripletMarginLoss(margin=2.0, p=1, swap=True),
    'tmd': nn.TripletMarginWithDistanceLoss(margin=0.5), 'pn': nn.PoissonNLLLoss(log_input=False), 'gn': nn.GaussianNLLLoss(full=True),
    'eb': nn.EmbeddingBag(10, 3), 'eb_sum': nn.EmbeddingBag(10, 3, mode='sum'), 'eb_max_pad': nn.EmbeddingBag(10, 3, mode='max', padding_idx=-2),
    'nested': nn.Sequential(nn.EmbeddingBag(5, 2, mode='sum'), nn.SoftMarginLoss()),
}
out['repr'] = {k: repr(m) for k, m in mods.items()}
out['mlsm_buffers'] = list(dict(nn.MultiLabelSoftMarginLoss(weight=torch.ones(3)).named_buffers()).keys())
out['mm_buffers'] = list(dict(nn.MultiMarginLoss(weight=torch.ones(3)).named_buffers()).keys())
o = torch.ones(4, 5)
errors = {
    'reduction': lambda: F.margin_ranking_loss(o[0], o[0], o[0], reduction='avg'),
    'mr_dims': lambda: F.margin_ranking_loss(o, o[0], o[0]),
    'mm_p': lambda: F.multi_margin_loss(o, torch.zeros(4, dtype=torch.long), p=3),
    'mm_weight': lambda: F.multi_margin_loss(o, torch.zeros(4, dtype=torch.long), weight=torch.ones(5, 1)),
    'mm_target': lambda: F.multi_margin_loss(o, torch.zeros(3, dtype=torch.long)),
    'mm_3d': lambda: F.multi_margin_loss(torch.ones(2, 2, 2), torch.zeros(2, dtype=torch.long)),
    'mlm_target': lambda: F.multilabel_margin_loss(o, torch.zeros(4, 4, dtype=torch.long)),
    'ce_sizes': lambda: F.cosine_embedding_loss(o, torch.ones(4, 4), torch.ones(4)),
    'ce_target': lambda: F.cosine_embedding_loss(o, o, torch.ones(4, 1)),
    'ce_3d': lambda: F.cosine_embedding_loss(torch.ones(2, 2, 2), torch.ones(2, 2, 2), torch.ones(2, 2)),
    'tm_dims': lambda: F.triplet_margin_loss(o, o[0], o),
    'tmd_margin': lambda: F.triplet_margin_with_distance_loss(o, o, o, margin=0.0),
    'tmd_dims': lambda: F.triplet_margin_with_distance_loss(o, o, o[0]),
    'gn_size': lambda: F.gaussian_nll_loss(o, o, torch.ones(4, 2)),
    'gn_reduction': lambda: F.gaussian_nll_loss(o, o, o, reduction='x'),
    'pn_reduction': lambda: F.poisson_nll_loss(o, o, reduction='x'),
    'eb_psw_mode': lambda: F.embedding_bag(torch.zeros(2, 2, dtype=torch.long), o, mode='mean', per_sample_weights=torch.ones(2, 2)),
    'eb_psw_shape': lambda: F.embedding_bag(torch.zeros(2, 2, dtype=torch.long), o, mode='sum', per_sample_weights=torch.ones(4)),
    'eb_2d_offsets': lambda: F.embedding_bag(torch.zeros(2, 2, dtype=torch.long), o, torch.tensor([0, 1])),
    'eb_1d_no_offsets': lambda: F.embedding_bag(torch.zeros(4, dtype=torch.long), o),
    'eb_3d': lambda: F.embedding_bag(torch.zeros(2, 2, 2, dtype=torch.long), o),
    'eb_offset0': lambda: F.embedding_bag(torch.zeros(4, dtype=torch.long), o, torch.tensor([1, 2])),
    'eb_offset_big': lambda: F.embedding_bag(torch.zeros(4, dtype=torch.long), o, torch.tensor([0, 5])),
    'eb_mode': lambda: F.embedding_bag(torch.zeros(2, 2, dtype=torch.long), o, mode='min'),
    'eb_weight': lambda: F.embedding_bag(torch.zeros(2, 2, dtype=torch.long), torch.ones(4)),
    'eb_pad': lambda: nn.EmbeddingBag(4, 2, padding_idx=4),
    'eb_float_idx': lambda: F.embedding_bag(torch.zeros(2, 2), o),
}
out['errors'] = {}
for k, f in errors.items():
    try:
        f(); out['errors'][k] = None
    except Exception as e:
        out['errors'][k] = str(e)
json.dump(out, open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'losses.json'), 'w'), indent=1)
