# PyTorch 1.13 printed values, gradients, grad_fns, module reprs, parameter names and error messages of the
# layers in test/nn-extra.test.ts (transposed convolutions, linear/bilinear interpolation, reflect /
# replicate / circular padding and the padding layers, adaptive max pooling, pixel (un)shuffle, PReLU,
# Threshold, Softmax2d, Bilinear, unfold / fold, ParameterList / ParameterDict):
#   /usr/bin/python3 scripts/torch-nn-extra.py -> test/fixtures/nn-extra.json
# The inputs and weights are written too (as lists of float32 values), so the test builds the same tensors.
import torch, torch.nn as nn, torch.nn.functional as F, json, os, warnings
from torch_fixture import ramp
warnings.simplefilter('ignore')
torch.set_printoptions(precision=4)
torch.manual_seed(0)
out = {}
def data(name, *shape, scale=1.0):
    t = (torch.randn(*shape) * scale)
    out['in_' + name] = t.tolist()
    return t.clone()
def run(key, f, *ts):
    """f(*ts) with every input's gradient after backward of (y * ramp(y)).sum(): [y, grads..., grad_fn]"""
    for t in ts: t.grad = None
    y = f(*ts)
    (y * ramp(y)).sum().backward()
    out[key] = [str(y)] + [str(t.grad) for t in ts] + [y.grad_fn.name() if y.grad_fn else None]

# ------------------------------------------------------------------ transposed convolution
x = data('ct_x', 2, 4, 3, 3).requires_grad_()
w = data('ct_w', 4, 3, 3, 2).requires_grad_()
b = data('ct_b', 6).requires_grad_()
run('ct2d', lambda x, w, b: F.conv_transpose2d(x, w, b, stride=(2, 1), padding=(1, 0), output_padding=(1, 0), groups=2, dilation=(1, 2)), x, w, b)
x2 = data('ct_x2', 1, 2, 3, 4).requires_grad_()
w2 = data('ct_w2', 2, 3, 2, 2).requires_grad_()
run('ct2d_plain', lambda x, w: F.conv_transpose2d(x, w), x2, w2)
run('ct2d_stride', lambda x, w: F.conv_transpose2d(x, w, stride=3, padding=1, output_padding=2), x2, w2)
out['ct2d_unbatched'] = [str(F.conv_transpose2d(x2.detach()[0], w2.detach(), None, stride=2))]
x1 = data('ct1_x', 2, 4, 5).requires_grad_()
w1 = data('ct1_w', 4, 3, 3).requires_grad_()
b1 = data('ct1_b', 6).requires_grad_()
run('ct1d', lambda x, w, b: F.conv_transpose1d(x, w, b, stride=2, padding=1, output_padding=1, groups=2), x1, w1, b1)
out['ct1d_unbatched'] = [str(F.conv_transpose1d(x1.detach()[1], w1.detach(), None, dilation=2))]
m = nn.ConvTranspose2d(2, 3, 2, stride=2)
with torch.no_grad(): m.weight.copy_(w2); m.bias.zero_()
out['ct2d_output_size'] = [str(m(x2.detach(), output_size=[7, 9])), list(m(x2.detach(), output_size=[1, 2, 6, 8]).shape)]

# ------------------------------------------------------------------ interpolation
u = data('up_x', 1, 2, 3, 4).requires_grad_()
for k, f in {
    'bilinear_sf2': lambda t: F.interpolate(t, scale_factor=2, mode='bilinear'),
    'bilinear_size': lambda t: F.interpolate(t, size=(5, 3), mode='bilinear'),
    'bilinear_ac': lambda t: F.interpolate(t, size=(5, 7), mode='bilinear', align_corners=True),
    'bilinear_sf': lambda t: F.interpolate(t, scale_factor=(1.5, 2.5), mode='bilinear'),
    'bilinear_down': lambda t: F.interpolate(t, scale_factor=0.5, mode='bilinear', align_corners=True),
}.items(): run(k, f, u)
l = data('lin_x', 2, 3, 5).requires_grad_()
for k, f in {
    'linear_size': lambda t: F.interpolate(t, size=8, mode='linear'),
    'linear_ac': lambda t: F.interpolate(t, size=8, mode='linear', align_corners=True),
    'linear_sf': lambda t: F.interpolate(t, scale_factor=0.7, mode='linear'),
    'linear_one': lambda t: F.interpolate(t, size=1, mode='linear', align_corners=True),
}.items(): run(k, f, l)
out['upsample_bilinear'] = [str(nn.Upsample(scale_factor=2, mode='bilinear', align_corners=True)(u.detach())), str(nn.Upsample(size=7, mode='linear')(l.detach()))]

# ------------------------------------------------------------------ padding
p = data('pad_x', 2, 3, 4, 5).requires_grad_()
for k, f in {
    'pad_reflect2d': lambda t: F.pad(t, (2, 1, 3, 0), mode='reflect'),
    'pad_replicate2d': lambda t: F.pad(t, (1, 3, 2, 2), mode='replicate'),
    'pad_circular2d': lambda t: F.pad(t, (2, 1, 1, 3), mode='circular'),
    'pad_reflect1d': lambda t: F.pad(t[0], (3, 1), mode='reflect'),
    'pad_replicate1d': lambda t: F.pad(t[1], (4, 2), mode='replicate'),
    'pad_circular1d': lambda t: F.pad(t[0], (2, 3), mode='circular'),
    'pad_reflect_unbatched': lambda t: F.pad(t[0], (1, 2, 2, 1), mode='reflect'),
    'pad_replicate3d': lambda t: F.pad(t, (1, 0, 0, 2, 1, 1), mode='replicate'),
}.items(): run(k, f, p)
for k, mod in {
    'zeropad2d': nn.ZeroPad2d((1, 0, 2, 1)), 'constpad1d': nn.ConstantPad1d(2, 3.5), 'constpad2d': nn.ConstantPad2d((1, 2, 0, 1), -1.5),
    'reflpad1d': nn.ReflectionPad1d(2), 'reflpad2d': nn.ReflectionPad2d((1, 2, 2, 0)), 'replpad1d': nn.ReplicationPad1d((3, 1)), 'replpad2d': nn.ReplicationPad2d(2),
}.items():
    t = p.detach()[0, :2, :3, :4] if '1d' in k else p.detach()[0, :2, :3, :4].unsqueeze(0)
    out['mod_' + k] = [str(mod(t)), mod(t.requires_grad_()).grad_fn.name()]

# ------------------------------------------------------------------ adaptive max pooling, shuffles, activations
a = data('amp_x', 2, 3, 5, 7).requires_grad_()
a.data[0, 0, 1, 1] = a.data[0, 0, 1, 2]  # a tie
run('amp', lambda t: F.adaptive_max_pool2d(t, (3, 4)), a)
out['amp_indices'] = [str(F.adaptive_max_pool2d(a.detach(), (3, 4), return_indices=True)[1])]
run('amp_none', lambda t: F.adaptive_max_pool2d(t, (2, None)), a)
out['amp_unbatched'] = [str(F.adaptive_max_pool2d(a.detach()[1], 3)), str(F.adaptive_max_pool2d(a.detach()[1], 3, return_indices=True)[1])]
s = data('ps_x', 2, 8, 2, 3).requires_grad_()
run('pixel_shuffle', lambda t: F.pixel_shuffle(t, 2), s)
s2 = data('pu_x', 1, 2, 4, 6).requires_grad_()
run('pixel_unshuffle', lambda t: F.pixel_unshuffle(t, 2), s2)
pr = data('prelu_x', 2, 3, 4).requires_grad_()
pr.data[0, 0, :2] = 0
prw = torch.tensor([0.25, -0.5, 1.5]).requires_grad_()
run('prelu', lambda t, w: F.prelu(t, w), pr, prw)
prw1 = torch.tensor([0.1]).requires_grad_()
run('prelu1', lambda t, w: F.prelu(t, w), pr, prw1)
run('threshold', lambda t: F.threshold(t, 0.1, 20.0), pr)
run('softmax2d', lambda t: nn.Softmax2d()(t), s2)
b1_ = data('bil_x1', 4, 3).requires_grad_()
b2_ = data('bil_x2', 4, 5).requires_grad_()
bw = data('bil_w', 2, 3, 5).requires_grad_()
bb = data('bil_b', 2).requires_grad_()
run('bilinear', lambda x1, x2, w, b: F.bilinear(x1, x2, w, b), b1_, b2_, bw, bb)
uf = data('unfold_x', 2, 3, 4, 5).requires_grad_()
run('unfold', lambda t: F.unfold(t, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)), uf)
fo = data('fold_x', 2, 12, 12).requires_grad_()
run('fold', lambda t: F.fold(t, (4, 5), 2), fo)
run('fold_opts', lambda t: F.fold(t, (4, 6), 2, dilation=(2, 1), padding=(1, 0), stride=(1, 2)), fo)

# ------------------------------------------------------------------ reprs, parameters, errors
mods = {
    'ct2d': nn.ConvTranspose2d(2, 4, 3, stride=2), 'ct2d_all': nn.ConvTranspose2d(2, 4, (3, 2), stride=(2, 1), padding=1, output_padding=1, groups=2, dilation=2, bias=False),
    'ct1d': nn.ConvTranspose1d(2, 4, 3), 'ct1d_all': nn.ConvTranspose1d(2, 4, 3, stride=2, padding=1, output_padding=1, groups=2, dilation=3, bias=False),
    'zeropad2d': nn.ZeroPad2d(1), 'zeropad2d_4': nn.ZeroPad2d((1, 2, 3, 4)), 'constpad1d': nn.ConstantPad1d(2, 3.5), 'constpad2d': nn.ConstantPad2d((1, 0, 2, 0), -1.5),
    'reflpad1d': nn.ReflectionPad1d(2), 'reflpad2d': nn.ReflectionPad2d((1, 0, 2, 1)), 'replpad1d': nn.ReplicationPad1d((1, 2)), 'replpad2d': nn.ReplicationPad2d(1),
    'amp': nn.AdaptiveMaxPool2d(3), 'amp_none': nn.AdaptiveMaxPool2d((2, None), return_indices=True), 'pixel_shuffle': nn.PixelShuffle(2), 'pixel_unshuffle': nn.PixelUnshuffle(3),
    'prelu': nn.PReLU(), 'prelu3': nn.PReLU(3, 0.1), 'threshold': nn.Threshold(0.1, 20), 'softmax2d': nn.Softmax2d(),
    'bilinear': nn.Bilinear(2, 3, 4), 'bilinear_nobias': nn.Bilinear(2, 3, 4, bias=False),
    'unfold': nn.Unfold(2), 'unfold_all': nn.Unfold((2, 3), dilation=2, padding=1, stride=(1, 2)), 'fold': nn.Fold((4, 5), 2),
    'upsample_bilinear': nn.Upsample(scale_factor=2, mode='bilinear', align_corners=True), 'upsample_linear': nn.Upsample(size=4, mode='linear'),
    'plist': nn.ParameterList([nn.Parameter(torch.ones(2, 3)), torch.ones(3)]), 'plist_empty': nn.ParameterList(),
    'pdict': nn.ParameterDict({'b': nn.Parameter(torch.ones(2, 3)), 'a': torch.zeros(3, dtype=torch.float64)}), 'pdict_empty': nn.ParameterDict(),
    'nested': nn.Sequential(nn.ConvTranspose2d(1, 2, 2), nn.PReLU(2), nn.ReflectionPad2d(1)),
}
out['repr'] = {k: repr(m) for k, m in mods.items()}
out['params'] = {k: [[n, list(p.shape)] for n, p in m.named_parameters()] for k, m in mods.items()}
out['prelu_init'] = [nn.PReLU().weight.tolist(), nn.PReLU(3, 0.1).weight.tolist()]
x4 = torch.ones(1, 2, 3, 4)
errors = {
    'ct_channels': lambda: F.conv_transpose2d(x4, torch.ones(3, 2, 2, 2)),
    'ct_bias': lambda: F.conv_transpose2d(x4, torch.ones(2, 2, 2, 2), torch.ones(3)),
    'ct_output_padding': lambda: F.conv_transpose2d(x4, torch.ones(2, 2, 2, 2), stride=2, output_padding=2),
    'ct_small': lambda: F.conv_transpose2d(x4, torch.ones(2, 3, 2, 2), padding=3),
    'ct_ctor': lambda: nn.ConvTranspose2d(3, 4, 2, groups=2),
    'ct_ctor_out': lambda: nn.ConvTranspose2d(4, 3, 2, groups=2),
    'interp_bilinear_3d': lambda: F.interpolate(x4[0], size=3, mode='bilinear'),
    'interp_linear_4d': lambda: F.interpolate(x4, size=3, mode='linear'),
    'interp_nearest_ac': lambda: F.interpolate(x4, size=3, mode='nearest', align_corners=True),
    'interp_linear_2d': lambda: F.interpolate(x4[0, 0], size=3, mode='linear'),
    'pad_mode': lambda: F.pad(x4, (1, 1), mode='foo'),
    'pad_value': lambda: F.pad(x4, (1, 1), mode='reflect', value=2),
    'pad_dims': lambda: F.pad(x4, (1, 1), mode='reflect'),
    'pad_dims1': lambda: F.pad(x4[0, 0, 0], (1, 1), mode='replicate'),
    'pad_reflect_w': lambda: F.pad(x4, (4, 1, 0, 0), mode='reflect'),
    'pad_reflect_h': lambda: F.pad(x4, (1, 1, 0, 3), mode='reflect'),
    'pad_reflect_1d': lambda: F.pad(x4[0], (1, 4), mode='reflect'),
    'pad_circular_wrap': lambda: F.pad(x4[0], (5, 1), mode='circular'),
    'pad_circular_size': lambda: F.pad(x4[0], (1, 1, 4, 0), mode='circular'),
    'amp_size': lambda: F.adaptive_max_pool2d(x4, (2, 2, 2)),
    'amp_2d': lambda: F.adaptive_max_pool2d(x4[0, 0], 2),
    'pixel_shuffle_c': lambda: F.pixel_shuffle(torch.ones(1, 5, 2, 2), 2),
    'pixel_unshuffle_h': lambda: F.pixel_unshuffle(torch.ones(1, 1, 3, 2), 2),
    'pixel_unshuffle_w': lambda: F.pixel_unshuffle(torch.ones(1, 1, 2, 3), 2),
    'pixel_shuffle_2d': lambda: F.pixel_shuffle(torch.ones(5, 2), 2),
    'prelu_channels': lambda: nn.PReLU(3)(x4),
    'softmax2d_2d': lambda: nn.Softmax2d()(x4[0, 0]),
    'bilinear_batch': lambda: nn.Bilinear(2, 3, 4)(torch.ones(5, 2), torch.ones(4, 3)),
    'bilinear_in1': lambda: nn.Bilinear(2, 3, 4)(torch.ones(5, 3), torch.ones(5, 3)),
    'bilinear_in2': lambda: nn.Bilinear(2, 3, 4)(torch.ones(5, 2), torch.ones(5, 2)),
    'fold_blocks': lambda: F.fold(torch.ones(1, 4, 10), (4, 5), 2),
    'fold_kernel': lambda: F.fold(torch.ones(1, 5, 12), (4, 5), 2),
    'pdict_dot': lambda: nn.ParameterDict({'a.b': nn.Parameter(torch.ones(1))}),
    'reflpad2d_big': lambda: nn.ReflectionPad2d(3)(x4),
}
out['errors'] = {}
for k, f in errors.items():
    try:
        f(); out['errors'][k] = None
    except Exception as e:
        out['errors'][k] = e.args[0] if isinstance(e, KeyError) else str(e)
json.dump(out, open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'nn-extra.json'), 'w'), indent=1)
