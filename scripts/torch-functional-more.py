# PyTorch 1.13's values, gradients (of a weighted sum), grad_fns, module reprs and errors of
# softshrink/hardshrink, local_response_norm, lp_pool1d/2d, the *_with_indices poolings, max_unpool1d/2d/3d,
# instance_norm, the multilabel_* spellings and the dropouts' errors (test/functional-more.test.ts):
#   /usr/bin/python3 scripts/torch-functional-more.py
import torch, json, os, warnings
import torch.nn as nn
import torch.nn.functional as F
from torch_fixture import err, weights, lists, run_case as run
warnings.simplefilter('ignore')
torch.manual_seed(0)
out = {}
nan = float('nan')


r = lambda *s: torch.randn(*s)
# ---------------------------------------------------------------- shrink
sx = torch.tensor([[-1., -0.5, -0.2, 0., 0.3, 0.5, 0.7, -3.], [1.5, -2., 0.49, -0.51, 2.5, -0.25, 0.25, 1.]])
# NaN: softshrink gives 0, hardshrink NaN; the gradient there passes in the scalar kernel (this size) but
# is 0 in the vectorized one (16 elements and more): troupe passes it, as the scalar kernel
sn = torch.tensor([nan, 1., -0.1])
out['shrink_nan'] = [run(F.softshrink, sn), run(F.hardshrink, sn)]
out['shrink'] = [run(F.softshrink, sx), run(lambda t: F.softshrink(t, 0.25), sx), run(lambda t: F.softshrink(t, 0.), sx),
                 run(F.hardshrink, sx), run(lambda t: F.hardshrink(t, 1.), sx), run(lambda t: F.hardshrink(t, -1.), sx),
                 run(lambda t: F.softshrink(t, 0.3), sx, dtype=torch.float64)]
out['shrink_err'] = [err(lambda: F.softshrink(sx, -1.)), err(lambda: F.softshrink(torch.tensor([1, 2]))), err(lambda: F.hardshrink(torch.tensor([1, 2])))]

# ---------------------------------------------------------------- local response norm, lp pool
out['lrn'] = [run(lambda t: F.local_response_norm(t, 3), r(2, 5, 4) * 3),
              run(lambda t: F.local_response_norm(t, 2, alpha=0.1, beta=0.5, k=2.), r(2, 4, 3, 3) * 2),
              run(lambda t: F.local_response_norm(t, 4, alpha=1e-2, beta=1., k=0.5), r(1, 6, 2, 2, 3)),
              run(lambda t: F.local_response_norm(t, 1), r(2, 3, 2))]
out['lrn_err'] = [err(lambda: F.local_response_norm(r(2, 3), 2))]
lp = r(2, 3, 7).abs() + 0.1
lp2 = r(2, 2, 5, 6).abs() + 0.1
out['lp'] = [run(lambda t: F.lp_pool1d(t, 2, 3), lp), run(lambda t: F.lp_pool1d(t, 3, 2, stride=1), lp),
             run(lambda t: F.lp_pool1d(t, 1.5, 3, stride=2, ceil_mode=True), lp),
             run(lambda t: F.lp_pool2d(t, 2, 2), lp2), run(lambda t: F.lp_pool2d(t, 1, (2, 3), stride=(1, 2)), lp2),
             run(lambda t: F.lp_pool2d(t, 4, 3, stride=2, ceil_mode=True), lp2),
             run(lambda t: F.lp_pool1d(t, 2, 2), r(3, 6))]
out['lp_err'] = [err(lambda: F.lp_pool2d(lp2, 2, 7))]

# ---------------------------------------------------------------- with indices
p1 = torch.tensor([[[1., 3., 3., 2., 5., nan, 0., 4., 4.], [-1., -2., 6., 6., 0., 1., 2., -3., 8.]]])
p2 = r(2, 2, 5, 6)
p3 = r(1, 2, 4, 5, 3)
out['wi'] = [run(lambda t: F.max_pool1d_with_indices(t, 2), p1), run(lambda t: F.max_pool1d_with_indices(t, 3, stride=2, padding=1, ceil_mode=True), p1),
             run(lambda t: F.max_pool1d_with_indices(t, 2, stride=1, dilation=2), p1[0]),
             run(lambda t: F.max_pool2d_with_indices(t, 2), p2), run(lambda t: F.max_pool2d_with_indices(t, (3, 2), stride=(2, 1), padding=1, ceil_mode=True), p2),
             run(lambda t: F.max_pool2d_with_indices(t, 2, stride=1, dilation=(2, 1)), p2[0]),
             run(lambda t: F.max_pool3d_with_indices(t, 2, stride=1), p3), run(lambda t: F.max_pool3d_with_indices(t, (2, 3, 2), stride=2, padding=1), p3[0]),
             run(lambda t: F.adaptive_max_pool1d_with_indices(t, 4), p1), run(lambda t: F.adaptive_max_pool1d(t, 3), p1[0]),
             run(lambda t: F.adaptive_max_pool2d_with_indices(t, (3, 4)), p2), run(lambda t: F.adaptive_max_pool3d_with_indices(t, (3, 2, 2)), p3)]
out['wi_err'] = [err(lambda: F.adaptive_max_pool1d(r(2), 2)), err(lambda: F.max_pool2d_with_indices(p2, 2, padding=2))]

# ---------------------------------------------------------------- unpool
def unpool_case(pool, unpool, x):
    v, i = pool(x)
    c = run(lambda t: unpool(t, i), v)
    c['ind'] = lists(i)
    return c
out['unpool'] = [unpool_case(lambda t: F.max_pool1d(t, 2, return_indices=True), lambda t, i: F.max_unpool1d(t, i, 2), r(2, 3, 8)),
                 unpool_case(lambda t: F.max_pool1d(t, 3, stride=1, return_indices=True), lambda t, i: F.max_unpool1d(t, i, 3, stride=1), torch.tensor([[1., 5., 2., 0., 3., 3., 4.]])),
                 unpool_case(lambda t: F.max_pool1d(t, 2, return_indices=True), lambda t, i: F.max_unpool1d(t, i, 2, output_size=[9]), r(3, 9)),
                 unpool_case(lambda t: F.max_pool2d(t, 2, return_indices=True), lambda t, i: F.max_unpool2d(t, i, 2), r(2, 2, 4, 6)),
                 unpool_case(lambda t: F.max_pool2d(t, 3, stride=2, padding=1, return_indices=True), lambda t, i: F.max_unpool2d(t, i, 3, stride=2, padding=1, output_size=(1, 2, 5, 6)), r(1, 2, 5, 6)),
                 unpool_case(lambda t: F.max_pool2d(t, 2, return_indices=True), lambda t, i: F.max_unpool2d(t, i, (2, 2), output_size=[5, 5]), r(3, 5, 5)),
                 unpool_case(lambda t: F.max_pool3d(t, 2, return_indices=True), lambda t, i: F.max_unpool3d(t, i, 2), r(1, 2, 4, 4, 2)),
                 unpool_case(lambda t: F.max_pool3d(t, (1, 2, 2), stride=(1, 1, 2), return_indices=True), lambda t, i: F.max_unpool3d(t, i, (1, 2, 2), stride=(1, 1, 2)), r(2, 2, 3, 4))]
uv, ui = F.max_pool2d(r(1, 2, 4, 4), 2, return_indices=True)
out['unpool_err'] = [err(lambda: F.max_unpool2d(uv, ui, 2, output_size=[9, 9])), err(lambda: F.max_unpool2d(uv, ui, 2, output_size=[1, 4, 4])),
                     err(lambda: F.max_unpool2d(uv, ui[:, :1], 2)), err(lambda: F.max_unpool2d(uv, ui.float(), 2)), err(lambda: F.max_unpool2d(uv[0, 0], ui[0, 0], 2)),
                     err(lambda: F.max_unpool3d(uv[0], ui[0], 2)), err(lambda: F.max_unpool1d(uv[0, 0, 0], ui[0, 0, 0], 2))]

# ---------------------------------------------------------------- instance norm
inx = r(2, 3, 5) * 2 + 1
in4 = r(2, 3, 3, 4)
w3, b3 = r(3), r(3)
out['inorm'] = [run(lambda t: F.instance_norm(t), inx), run(lambda t, w, b: F.instance_norm(t, weight=w, bias=b, eps=1e-3), in4, w3, b3),
                run(lambda t: F.instance_norm(t, torch.tensor([0.5, -1., 2.]), torch.tensor([1., 2., 0.5]), use_input_stats=False), inx),
                run(lambda t, w: F.instance_norm(t, weight=w), inx, w3, dtype=torch.float64)]
rm, rv = torch.tensor([0.5, -1., 2.]), torch.tensor([1., 2., 0.5])
F.instance_norm(in4, rm, rv, momentum=0.3)
out['inorm_running'] = [lists(rm), lists(rv)]
out['inorm_err'] = [err(lambda: F.instance_norm(r(2, 3, 1))), err(lambda: F.instance_norm(inx, weight=torch.ones(2))),
                    err(lambda: F.instance_norm(inx, torch.zeros(2), torch.ones(2))), err(lambda: F.instance_norm(inx, use_input_stats=False))]

# ---------------------------------------------------------------- multilabel aliases
mi = r(2, 4)
mt = torch.tensor([[3, 0, -1, 1], [1, 2, 3, -1]])
st = torch.tensor([[1., 0., 1., 0.], [0., 1., 1., 1.]])
out['multilabel'] = [run(lambda t: F.multilabel_margin_loss(t, mt), mi), run(lambda t: F.multilabel_soft_margin_loss(t, st, reduction='none'), mi)]

# ---------------------------------------------------------------- dropout errors, gumbel
out['dropout_err'] = [err(lambda: F.dropout1d(r(2, 3, 4, 5))), err(lambda: F.alpha_dropout(r(2), 1.5)), err(lambda: F.feature_alpha_dropout(r(2), 0.5, True)),
                      err(lambda: F.dropout3d(r(2, 3, 4, 5), -0.1))]
out['gumbel_err'] = [err(lambda: F.gumbel_softmax(r(2, 3), dim=2))]

# ---------------------------------------------------------------- affine_grid
out['affine'] = [run(lambda t: F.affine_grid(t, [2, 1, 3, 4], align_corners=False), r(2, 2, 3)),
                 run(lambda t: F.affine_grid(t, [1, 3, 5, 2], align_corners=True), r(1, 2, 3)),
                 run(lambda t: F.affine_grid(t, [2, 1, 2, 3, 4], align_corners=False), r(2, 3, 4)),
                 run(lambda t: F.affine_grid(t, [1, 1, 3, 2, 2], align_corners=True), r(1, 3, 4), dtype=torch.float64),
                 run(lambda t: F.affine_grid(t, [1, 1, 1, 3], align_corners=False), r(1, 2, 3))]
out['affine_err'] = [err(lambda: F.affine_grid(r(1, 3, 3), [1, 1, 4, 4], align_corners=False)), err(lambda: F.affine_grid(r(1, 2, 3), [1, 1, 4], align_corners=False)),
                     err(lambda: F.affine_grid(r(1, 2, 3), [1, 1, 4, 4, 4], align_corners=False)), err(lambda: F.affine_grid(r(1, 2, 3), [1, 1, 0, 4], align_corners=False)),
                     err(lambda: F.affine_grid(torch.ones(1, 2, 3, dtype=torch.int32), [1, 1, 2, 4], align_corners=False))]

# ---------------------------------------------------------------- module reprs
out['repr'] = {k: str(m) for k, m in {
    'softshrink': nn.Softshrink(), 'softshrink1': nn.Softshrink(1.0), 'hardshrink': nn.Hardshrink(), 'hardshrink25': nn.Hardshrink(0.25),
    'lrn': nn.LocalResponseNorm(2), 'lrn2': nn.LocalResponseNorm(3, alpha=1e-5, beta=0.5, k=2.),
    'lp1': nn.LPPool1d(2, 3), 'lp1b': nn.LPPool1d(1.5, 3, stride=2, ceil_mode=True), 'lp2': nn.LPPool2d(2, 3, stride=2), 'lp2b': nn.LPPool2d(3, (2, 3)),
    'amp1': nn.AdaptiveMaxPool1d(3), 'amp1i': nn.AdaptiveMaxPool1d(3, True),
    'unpool1': nn.MaxUnpool1d(2), 'unpool2': nn.MaxUnpool2d(2, stride=1, padding=1), 'unpool3': nn.MaxUnpool3d((1, 2, 2)),
    'dropout1d': nn.Dropout1d(), 'dropout3d': nn.Dropout3d(0.2), 'alpha': nn.AlphaDropout(0.1), 'falpha': nn.FeatureAlphaDropout()}.items()}

with open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'functional-more.json'), 'w') as f:
    json.dump(out, f)
print('wrote test/fixtures/functional-more.json')
