# PyTorch 1.13 printed values, gradients, module reprs, parameter names and error messages of the layers in
# test/nn-layers.test.ts (conv1d, 1-D pooling, group and instance norm, the recurrent cells, ModuleDict,
# Unflatten, Upsample, Dropout2d): /usr/bin/python3 scripts/torch-nn-layers.py -> test/fixtures/nn-layers.json
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

# ------------------------------------------------------------------ conv1d
x = data('conv_x', 2, 4, 7).requires_grad_()
w = data('conv_w', 6, 2, 3).requires_grad_()
b = data('conv_b', 6).requires_grad_()
y = F.conv1d(x, w, b, stride=2, padding=1, dilation=2, groups=2)
(y * ramp(y)).sum().backward()
out['conv1d'] = [str(y), str(x.grad), str(w.grad), str(b.grad)]
x.grad = None
w2 = data('conv_w2', 3, 4, 3).requires_grad_()
y = F.conv1d(x, w2)
(y * ramp(y)).sum().backward()
out['conv1d_plain'] = [str(y), str(x.grad), str(w2.grad)]
out['conv1d_unbatched'] = [str(F.conv1d(x.detach()[1], w2.detach(), None, padding=2))]

# ------------------------------------------------------------------ pooling
p = data('pool_x', 2, 3, 9).requires_grad_()
cases = {
    'maxpool1d': lambda t: F.max_pool1d(t, 3, 2, 1, ceil_mode=True),
    'maxpool1d_dil': lambda t: F.max_pool1d(t, 2, 1, 0, dilation=3),
    'avgpool1d': lambda t: F.avg_pool1d(t, 3, 2, 1, ceil_mode=True, count_include_pad=False),
    'avgpool1d_def': lambda t: F.avg_pool1d(t, 2),
    'avgpool1d_pad': lambda t: F.avg_pool1d(t, 4, 3, 2, ceil_mode=True),
    'adaptive1d': lambda t: F.adaptive_avg_pool1d(t, 4),
}
for k, f in cases.items():
    p.grad = None
    y = f(p); (y * ramp(y)).sum().backward()
    out[k] = [str(y), str(p.grad), str(y.grad_fn.name())]
out['maxpool1d_unbatched'] = [str(F.max_pool1d(p.detach()[0], 4, 2))]

# ------------------------------------------------------------------ group / instance norm
g = data('gn_x', 2, 6, 5, scale=2.0).requires_grad_()
gw = data('gn_w', 6).requires_grad_()
gb = data('gn_b', 6).requires_grad_()
y = F.group_norm(g, 3, gw, gb)
(y * ramp(y)).sum().backward()
out['groupnorm'] = [str(y), str(g.grad), str(gw.grad), str(gb.grad)]
g4 = data('gn_x4', 2, 4, 3, 2).add(1.5).requires_grad_()
y = F.group_norm(g4, 2, eps=1e-3)
(y * ramp(y)).sum().backward()
out['groupnorm4'] = [str(y), str(g4.grad)]
inorm = nn.InstanceNorm2d(3, affine=True)
with torch.no_grad():
    inorm.weight.copy_(torch.tensor([0.5, -1.0, 2.0])); inorm.bias.copy_(torch.tensor([0.1, 0.2, -0.3]))
ix = data('in_x', 2, 3, 3, 4).requires_grad_()
y = inorm(ix); (y * ramp(y)).sum().backward()
out['instancenorm'] = [str(y), str(ix.grad), str(inorm.weight.grad), str(inorm.bias.grad)]
out['instancenorm_plain'] = [str(nn.InstanceNorm2d(3)(ix.detach()[0]))]

# ------------------------------------------------------------------ recurrent cells
for name, make in [('lstm', lambda: nn.LSTMCell(5, 4)), ('gru', lambda: nn.GRUCell(5, 4)), ('rnn', lambda: nn.RNNCell(5, 4)), ('rnnrelu', lambda: nn.RNNCell(5, 4, nonlinearity='relu')), ('gru_nobias', lambda: nn.GRUCell(5, 4, bias=False))]:
    cell = make()
    with torch.no_grad():
        for pn, prm in cell.named_parameters(): prm.copy_(data(f'{name}_{pn}', *prm.shape, scale=0.5))
    cx = data(f'{name}_x', 3, 5).requires_grad_()
    h0 = data(f'{name}_h0', 3, 4).requires_grad_()
    if name == 'lstm':
        c0 = data(f'{name}_c0', 3, 4).requires_grad_()
        h, c = cell(cx, (h0, c0))
        ((h * ramp(h)).sum() + (c * ramp(c).flip(0)).sum()).backward()
        res = [str(h), str(c), str(cx.grad), str(h0.grad), str(c0.grad)]
        res.append(str(cell(cx.detach()[1])[1]))  # unbatched, no state
    else:
        h = cell(cx, h0)
        (h * ramp(h)).sum().backward()
        res = [str(h), str(cx.grad), str(h0.grad)]
        res.append(str(cell(cx.detach()[1], h0.detach()[2])))  # unbatched
    res += [str(cell.weight_ih.grad), str(cell.weight_hh.grad)]
    if cell.bias: res.append(str(cell.bias_hh.grad))
    out['cell_' + name] = res

# ------------------------------------------------------------------ upsample, unflatten
u = torch.arange(6.).reshape(1, 2, 3).requires_grad_()
y = nn.Upsample(scale_factor=2)(u); (y * ramp(y)).sum().backward()
out['upsample1d'] = [str(y), str(u.grad)]
u2 = torch.arange(6.).reshape(1, 1, 2, 3)
out['upsample2d'] = [str(nn.Upsample(size=(3, 5))(u2)), str(nn.Upsample(scale_factor=(1.5, 2.0))(u2))]
out['unflatten'] = [list(nn.Unflatten(1, (2, -1))(torch.zeros(2, 6, 3)).shape), list(nn.Unflatten(-1, (3, 1, 2))(torch.zeros(2, 6)).shape)]

# ------------------------------------------------------------------ reprs, parameters, errors
mods = {
    'conv1d': nn.Conv1d(2, 4, 3), 'conv1d_all': nn.Conv1d(4, 6, 3, stride=2, padding=1, dilation=2, groups=2, bias=False),
    'maxpool1d': nn.MaxPool1d(3), 'maxpool1d_all': nn.MaxPool1d(3, 2, 1, dilation=2, ceil_mode=True),
    'avgpool1d': nn.AvgPool1d(3), 'avgpool1d_all': nn.AvgPool1d(3, 2, 1, ceil_mode=True, count_include_pad=False),
    'adaptive1d': nn.AdaptiveAvgPool1d(4), 'groupnorm': nn.GroupNorm(2, 4), 'groupnorm_all': nn.GroupNorm(2, 4, eps=1e-3, affine=False),
    'instancenorm': nn.InstanceNorm2d(3), 'instancenorm_affine': nn.InstanceNorm2d(3, affine=True),
    'lstmcell': nn.LSTMCell(3, 4), 'grucell': nn.GRUCell(3, 4, bias=False), 'rnncell': nn.RNNCell(3, 4), 'rnncell_relu': nn.RNNCell(3, 4, nonlinearity='relu'),
    'unflatten': nn.Unflatten(1, (2, 3)), 'upsample': nn.Upsample(scale_factor=2), 'upsample_size': nn.Upsample(size=5), 'upsample_size2': nn.Upsample(size=(3, 4)),
    'upsample_sf2': nn.Upsample(scale_factor=(1.5, 2)), 'dropout2d': nn.Dropout2d(), 'dropout2d_p': nn.Dropout2d(0.3),
    'moduledict': nn.ModuleDict({'conv': nn.Conv1d(1, 2, 3), 'act': nn.ReLU(), 'cell': nn.GRUCell(2, 3)}), 'moduledict_empty': nn.ModuleDict(),
    'nested': nn.Sequential(nn.ModuleDict({'b': nn.Linear(2, 2), 'a': nn.GroupNorm(1, 2)}), nn.Dropout2d(0.1)),
}
out['repr'] = {k: repr(m) for k, m in mods.items()}
out['params'] = {k: [[n, list(p.shape)] for n, p in m.named_parameters()] for k, m in mods.items()}
errors = {
    'groupnorm_ctor': lambda: nn.GroupNorm(3, 4),
    'groupnorm_groups': lambda: F.group_norm(torch.ones(2, 4, 3), 3),
    'groupnorm_weight': lambda: F.group_norm(torch.ones(2, 4, 3), 2, torch.ones(3)),
    'groupnorm_1d': lambda: F.group_norm(torch.ones(4), 2),
    'lstmcell_input': lambda: nn.LSTMCell(3, 4)(torch.ones(2, 5)),
    'grucell_batch': lambda: nn.GRUCell(3, 4)(torch.ones(2, 3), torch.ones(3, 4)),
    'grucell_hidden': lambda: nn.GRUCell(3, 4)(torch.ones(2, 3), torch.ones(2, 5)),
    'rnncell_3d': lambda: nn.RNNCell(3, 4)(torch.ones(2, 3, 3)),
    'lstmcell_unbatched_hidden': lambda: nn.LSTMCell(3, 4)(torch.ones(3), (torch.ones(2, 4), torch.ones(2, 4))),
    'lstmcell_c': lambda: nn.LSTMCell(3, 4)(torch.ones(2, 3), (torch.ones(2, 4), torch.ones(2, 3))),
    'conv1d_channels': lambda: F.conv1d(torch.ones(1, 2, 5), torch.ones(4, 3, 3)),
    'conv1d_4d': lambda: F.conv1d(torch.ones(1, 1, 2, 5), torch.ones(4, 1, 3)),
    'conv1d_groups': lambda: F.conv1d(torch.ones(1, 4, 5), torch.ones(3, 2, 3), groups=2),
    'conv1d_bias': lambda: F.conv1d(torch.ones(1, 4, 5), torch.ones(4, 4, 3), torch.ones(3)),
    'conv1d_kernel': lambda: F.conv1d(torch.ones(1, 1, 2), torch.ones(1, 1, 3)),
    'conv1d_ctor': lambda: nn.Conv1d(3, 4, 2, groups=2),
    'maxpool1d_4d': lambda: F.max_pool1d(torch.ones(2, 1, 2, 5), 2),
    'avgpool1d_4d': lambda: F.avg_pool1d(torch.ones(2, 1, 2, 5), 2),
    'adaptive1d_4d': lambda: F.adaptive_avg_pool1d(torch.ones(2, 1, 2, 5), 2),
    'avgpool1d_pad': lambda: F.avg_pool1d(torch.ones(1, 1, 5), 3, padding=2),
    'dropout2d_1d': lambda: F.dropout2d(torch.ones(3), 0.5),
    'dropout2d_p': lambda: nn.Dropout2d(1.5),
    'unflatten': lambda: nn.Unflatten(1, (2, 4))(torch.ones(2, 6)),
    'instancenorm_2d': lambda: nn.InstanceNorm2d(3)(torch.ones(2, 3)),
    'upsample_2d': lambda: nn.Upsample(size=3)(torch.ones(2, 3)),
    'moduledict_dot': lambda: nn.ModuleDict({'a.b': nn.ReLU()}),
    'moduledict_attr': lambda: nn.ModuleDict({'keys': nn.ReLU()}),
    'moduledict_empty': lambda: nn.ModuleDict({'': nn.ReLU()}),
}
out['errors'] = {}
for k, f in errors.items():
    try:
        f(); out['errors'][k] = None
    except Exception as e:
        out['errors'][k] = e.args[0] if isinstance(e, KeyError) else str(e)
json.dump(out, open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'nn-layers.json'), 'w'), indent=1)
