# PyTorch 1.13 values, gradients, grad_fns, module reprs, parameter names and error messages of the 3-D
# layers in test/nn-3d.test.ts (conv3d / Conv3d with 'same'/'valid' and the padding modes, conv_transpose3d,
# max / avg / adaptive pooling in 3-D, and F.interpolate's 'bicubic', 'trilinear' and 5-D 'nearest'):
#   /usr/bin/python3 scripts/torch-nn-3d.py -> test/fixtures/nn-3d.json
# Inputs and weights are written too (flat float32 values and their shapes), so the test builds the same
# tensors. Outputs and gradients are flat float lists (compared at ~1e-5 relative), gradients those of
# (y * weights(y)).sum() w.r.t. every input.
import os, sys
if os.environ.get('PYTHONHASHSEED') != '0':  # (a Python set is printed in one error: the same order every run)
    os.environ['PYTHONHASHSEED'] = '0'
    os.execv(sys.executable, [sys.executable] + sys.argv)
import torch, torch.nn as nn, torch.nn.functional as F, json, warnings
from torch_fixture import err, weights
warnings.simplefilter('ignore')
torch.manual_seed(0)
out = {}
def data(name, *shape, scale=1.0):
    t = torch.randn(*shape) * scale
    out['in_' + name] = flat(t)
    return t.clone()
def flat(t):
    """[shape, values] (9 significant digits: a float32's exact value)"""
    return [list(t.shape), [float('%.9g' % v) for v in t.detach().flatten().tolist()]]
def run(key, f, *ts):
    """f(*ts) and every input's gradient after backward of (y * weights(y)).sum(): [y, grads..., grad_fn]"""
    for t in ts: t.grad = None
    y = f(*ts)
    (y * weights(y)).sum().backward()
    out[key] = [flat(y)] + [flat(t.grad) for t in ts] + [y.grad_fn.name() if y.grad_fn else None]

# ------------------------------------------------------------------ conv3d
x = data('c_x', 2, 4, 5, 6, 5).requires_grad_()
w = data('c_w', 6, 2, 3, 2, 3).requires_grad_()
b = data('c_b', 6).requires_grad_()
run('conv3d', lambda x, w, b: F.conv3d(x, w, b, stride=(2, 1, 2), padding=(1, 0, 1), dilation=(1, 2, 1), groups=2), x, w, b)
x2 = data('c_x2', 1, 2, 4, 4, 5).requires_grad_()
w2 = data('c_w2', 3, 2, 2, 2, 3).requires_grad_()
b2 = data('c_b2', 3).requires_grad_()
run('conv3d_plain', lambda x, w: F.conv3d(x, w), x2, w2)
run('conv3d_same', lambda x, w, b: F.conv3d(x, w, b, padding='same', dilation=(1, 2, 1)), x2, w2, b2)
run('conv3d_valid', lambda x, w: F.conv3d(x, w, padding='valid', stride=2), x2, w2)
run('conv3d_unbatched', lambda x, w, b: F.conv3d(x[0], w, b, stride=(1, 2, 1), padding=1), x2, w2, b2)
for mode in ['reflect', 'replicate', 'circular']:
    m = nn.Conv3d(2, 3, (2, 2, 3), padding=(1, 0, 2), padding_mode=mode)
    with torch.no_grad(): m.weight.copy_(w2); m.bias.copy_(b2)
    run('conv3d_mod_' + mode, lambda x: m(x), x2)
m = nn.Conv3d(2, 3, (2, 2, 3), padding='same', padding_mode='replicate', dilation=(2, 1, 1))
with torch.no_grad(): m.weight.copy_(w2); m.bias.copy_(b2)
run('conv3d_mod_same_replicate', lambda x: m(x), x2)

# ------------------------------------------------------------------ conv_transpose3d
tx = data('ct_x', 2, 4, 3, 3, 2).requires_grad_()
tw = data('ct_w', 4, 3, 3, 2, 2).requires_grad_()
tb = data('ct_b', 6).requires_grad_()
run('ct3d', lambda x, w, b: F.conv_transpose3d(x, w, b, stride=(2, 1, 2), padding=(1, 0, 1), output_padding=(1, 0, 1), groups=2, dilation=(1, 2, 1)), tx, tw, tb)
tw2 = data('ct_w2', 4, 2, 2, 2, 2).requires_grad_()
run('ct3d_plain', lambda x, w: F.conv_transpose3d(x, w), tx, tw2)
out['ct3d_unbatched'] = [flat(F.conv_transpose3d(tx.detach()[1], tw2.detach(), None, stride=2))]
m = nn.ConvTranspose3d(4, 2, 2, stride=2)
with torch.no_grad(): m.weight.copy_(tw2); m.bias.zero_()
out['ct3d_output_size'] = [flat(m(tx.detach(), output_size=[7, 7, 5]))]

# ------------------------------------------------------------------ pooling
p = data('p_x', 2, 3, 5, 6, 7).requires_grad_()
p.data[0, 0, 1, 1, 1] = p.data[0, 0, 1, 1, 2]  # a tie
out['in_p_x'] = flat(p)
run('maxpool3d', lambda t: F.max_pool3d(t, (2, 3, 2), stride=(2, 2, 1), padding=(1, 1, 0), dilation=(1, 1, 2), ceil_mode=True), p)
out['maxpool3d_indices'] = [flat(F.max_pool3d(p.detach(), (2, 3, 2), stride=(2, 2, 1), padding=(1, 1, 0), dilation=(1, 1, 2), ceil_mode=True, return_indices=True)[1].float())]
run('maxpool3d_k2', lambda t: F.max_pool3d(t, 2), p)
run('maxpool3d_unbatched', lambda t: F.max_pool3d(t[1], 3, stride=2, padding=1), p)
out['maxpool3d_unbatched_indices'] = [flat(F.max_pool3d(p.detach()[1], 3, stride=2, padding=1, return_indices=True)[1].float())]
run('avgpool3d', lambda t: F.avg_pool3d(t, (3, 2, 2), stride=2, padding=1, ceil_mode=True), p)
run('avgpool3d_nopad', lambda t: F.avg_pool3d(t, (3, 2, 2), stride=2, padding=1, ceil_mode=True, count_include_pad=False), p)
run('avgpool3d_div', lambda t: F.avg_pool3d(t, (2, 3, 3), stride=(1, 2, 3), padding=(0, 1, 1), divisor_override=5), p)
run('avgpool3d_unbatched', lambda t: F.avg_pool3d(t[0], 2), p)
run('aap3d', lambda t: F.adaptive_avg_pool3d(t, (2, None, 3)), p)
run('aap3d_3', lambda t: F.adaptive_avg_pool3d(t, 3), p)
run('aap3d_unbatched', lambda t: F.adaptive_avg_pool3d(t[1], (4, 4, 5)), p)
run('amp3d', lambda t: F.adaptive_max_pool3d(t, (2, 4, 3)), p)
out['amp3d_indices'] = [flat(F.adaptive_max_pool3d(p.detach(), (2, 4, 3), return_indices=True)[1].float())]
run('amp3d_unbatched', lambda t: F.adaptive_max_pool3d(t[0], (3, None, 2)), p)

# ------------------------------------------------------------------ interpolation
u = data('up_x', 1, 2, 4, 5).requires_grad_()
for k, f in {
    'bicubic_size': lambda t: F.interpolate(t, size=(7, 9), mode='bicubic'),
    'bicubic_down': lambda t: F.interpolate(t, size=(3, 2), mode='bicubic'),
    'bicubic_ac': lambda t: F.interpolate(t, size=(6, 8), mode='bicubic', align_corners=True),
    'bicubic_sf': lambda t: F.interpolate(t, scale_factor=1.7, mode='bicubic'),
    'bicubic_sf2': lambda t: F.interpolate(t, scale_factor=(0.6, 2.0), mode='bicubic'),
    'bicubic_ac_one': lambda t: F.interpolate(t, size=(1, 3), mode='bicubic', align_corners=True),
    # (a dim whose size stays is copied by the linear modes whatever the scale factor; not by bicubic)
    'bilinear_keep': lambda t: F.interpolate(t, scale_factor=(2, 1.1), mode='bilinear'),
    'bicubic_keep': lambda t: F.interpolate(t, scale_factor=(2, 1.1), mode='bicubic'),
}.items(): run(k, f, u)
v = data('tri_x', 2, 2, 3, 4, 3).requires_grad_()
for k, f in {
    'trilinear_size': lambda t: F.interpolate(t, size=(5, 6, 4), mode='trilinear'),
    'trilinear_ac': lambda t: F.interpolate(t, size=(4, 7, 2), mode='trilinear', align_corners=True),
    'trilinear_sf': lambda t: F.interpolate(t, scale_factor=1.5, mode='trilinear'),
    'trilinear_sf3': lambda t: F.interpolate(t, scale_factor=(0.7, 2.0, 1.3), mode='trilinear'),
    'nearest3d_size': lambda t: F.interpolate(t, size=(5, 7, 2), mode='nearest'),
    'nearest3d_sf': lambda t: F.interpolate(t, scale_factor=2, mode='nearest'),
}.items(): run(k, f, v)
out['upsample'] = [flat(nn.Upsample(scale_factor=2, mode='bicubic', align_corners=True)(u.detach())), flat(nn.Upsample(size=(4, 5, 6), mode='trilinear')(v.detach())),
                   flat(nn.Upsample(scale_factor=(1, 2, 3))(v.detach()))]

# ------------------------------------------------------------------ reprs, parameters, errors
mods = {
    'conv3d': nn.Conv3d(2, 4, 3), 'conv3d_all': nn.Conv3d(2, 4, (3, 2, 1), padding='same', dilation=(1, 2, 1), groups=2, bias=False, padding_mode='reflect'),
    'conv3d_pad': nn.Conv3d(2, 4, 3, stride=2, padding=1), 'conv3d_valid': nn.Conv3d(2, 4, 3, padding='valid'), 'conv3d_pad3': nn.Conv3d(2, 4, 3, padding=(1, 0, 2), padding_mode='circular'),
    'ct3d': nn.ConvTranspose3d(2, 4, 3), 'ct3d_all': nn.ConvTranspose3d(2, 4, (3, 2, 1), stride=2, padding=1, output_padding=1, groups=2, dilation=2, bias=False),
    'maxpool3d': nn.MaxPool3d(2), 'maxpool3d_all': nn.MaxPool3d((2, 1, 2), stride=1, padding=1, dilation=2, ceil_mode=True, return_indices=True),
    'avgpool3d': nn.AvgPool3d(2), 'avgpool3d_all': nn.AvgPool3d((2, 1, 2), stride=1, padding=1, ceil_mode=True, count_include_pad=False, divisor_override=3),
    'aap3d': nn.AdaptiveAvgPool3d(2), 'aap3d_none': nn.AdaptiveAvgPool3d((2, None, 3)), 'amp3d': nn.AdaptiveMaxPool3d((2, None, 3), return_indices=True),
    'upsample_bicubic': nn.Upsample(scale_factor=2, mode='bicubic'), 'upsample_trilinear': nn.Upsample(size=(2, 3, 4), mode='trilinear', align_corners=True),
    'nested': nn.Sequential(nn.Conv3d(1, 2, 2), nn.MaxPool3d(2), nn.AdaptiveAvgPool3d(1)),
}
out['repr'] = {k: repr(m) for k, m in mods.items()}
out['params'] = {k: [[n, list(p.shape)] for n, p in m.named_parameters()] for k, m in mods.items()}
x5 = torch.ones(1, 2, 3, 4, 5)
errors = {
    'conv3d_rank': lambda: F.conv3d(x5[0, 0], torch.ones(2, 2, 1, 1, 1)),
    'conv3d_channels': lambda: F.conv3d(x5, torch.ones(2, 3, 1, 1, 1)),
    'conv3d_bias': lambda: F.conv3d(x5, torch.ones(2, 2, 1, 1, 1), torch.ones(3)),
    'conv3d_big': lambda: F.conv3d(x5, torch.ones(2, 2, 4, 1, 1)),
    'conv3d_same_stride': lambda: F.conv3d(x5, torch.ones(2, 2, 1, 1, 1), stride=2, padding='same'),
    'conv3d_pad_string': lambda: F.conv3d(x5, torch.ones(2, 2, 1, 1, 1), padding='foo'),
    'conv3d_groups': lambda: F.conv3d(x5, torch.ones(3, 2, 1, 1, 1), groups=2),
    'conv3d_stride0': lambda: F.conv3d(x5, torch.ones(2, 2, 1, 1, 1), stride=0),
    'conv3d_negpad': lambda: F.conv3d(x5, torch.ones(2, 2, 1, 1, 1), padding=-1),
    'conv3d_ctor_groups': lambda: nn.Conv3d(3, 4, 2, groups=2),
    'conv3d_ctor_out': lambda: nn.Conv3d(4, 3, 2, groups=2),
    'conv3d_ctor_mode': lambda: nn.Conv3d(2, 4, 2, padding_mode='foo'),
    'conv3d_ctor_same': lambda: nn.Conv3d(2, 4, 2, padding='same', stride=2),
    'ct3d_rank': lambda: F.conv_transpose3d(x5[0, 0], torch.ones(3, 2, 1, 1, 1)),
    'ct3d_channels': lambda: F.conv_transpose3d(x5, torch.ones(3, 2, 1, 1, 1)),
    'ct3d_output_padding': lambda: F.conv_transpose3d(x5, torch.ones(2, 2, 2, 2, 2), stride=2, output_padding=2),
    'maxpool3d_rank': lambda: F.max_pool3d(x5[0, 0], 2),
    'maxpool3d_pad': lambda: F.max_pool3d(x5, 2, padding=2),
    'maxpool3d_small': lambda: F.max_pool3d(x5, 4),
    'avgpool3d_rank': lambda: F.avg_pool3d(x5[0, 0], 2),
    'avgpool3d_pad': lambda: F.avg_pool3d(x5, 2, padding=2),
    'avgpool3d_small': lambda: F.avg_pool3d(x5, 4),
    'avgpool3d_pad_first': lambda: F.avg_pool3d(x5, 4, padding=3),
    'aap3d_rank': lambda: F.adaptive_avg_pool3d(x5[0, 0], 2),
    'aap3d_size': lambda: F.adaptive_avg_pool3d(x5, (2, 2)),
    'amp3d_rank': lambda: F.adaptive_max_pool3d(x5[0, 0], 2),
    'interp_bicubic_5d': lambda: F.interpolate(x5, size=3, mode='bicubic'),
    'interp_bicubic_3d': lambda: F.interpolate(x5[0, 0], size=3, mode='bicubic'),
    'interp_trilinear_4d': lambda: F.interpolate(x5[0], size=3, mode='trilinear'),
    'interp_bilinear_5d': lambda: F.interpolate(x5, size=3, mode='bilinear'),
    'interp_size_len': lambda: F.interpolate(x5, size=(3, 3), mode='trilinear'),
    'interp_sf_len': lambda: F.interpolate(x5, scale_factor=(3, 3), mode='nearest'),
    'interp_nearest_ac': lambda: F.interpolate(x5, size=3, mode='nearest', align_corners=True),
}
out['errors'] = {k: err(f) for k, f in errors.items()}
json.dump(out, open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'nn-3d.json'), 'w'))
