# PyTorch 1.13's values, gradients, printed modules, parameter / state-dict names and errors of the layers
# in test/nn-more4.test.ts (BatchNorm3d, InstanceNorm1d/3d, the 3-D padding layers, UpsamplingNearest2d /
# UpsamplingBilinear2d, CrossMapLRN2d, the lazy modules) and of nn.utils' weight_norm, spectral_norm,
# parametrize, fuse_conv_bn_eval / fuse_conv_bn_weights, skip_init:
#   /usr/bin/python3 scripts/torch-nn-more4.py -> test/fixtures/nn-more4.json
# Inputs and weights are written too (as nested lists), so the test builds the same tensors.
import torch, torch.nn as nn, torch.nn.functional as F, json, os, warnings
from torch_fixture import err, lists, weights
warnings.simplefilter('ignore')
torch.manual_seed(0)
out = {}
def data(name, *shape):
    t = torch.randn(*shape)
    out['in_' + name] = t.tolist()
    return t.clone()
def run(key, f, *ts):
    """f(*ts) and every input's gradient after backward of (y * weights(y)).sum()"""
    ts = [t.detach().clone().requires_grad_() for t in ts]
    y = f(*ts)
    (y * weights(y)).sum().backward()
    out[key] = [lists(y)] + [lists(t.grad) for t in ts]
def setp(m, **ts):
    """m's parameters replaced by the given tensors (requiring grad: their gradients are the parameters')"""
    for k, t in ts.items():
        del m._parameters[k]
        setattr(m, k, t)
def state(m):
    return {k: lists(v) for k, v in m.state_dict().items()}

# ------------------------------------------------------------------ normalization
x5 = data('bn3_x', 2, 3, 2, 3, 2)
w3, b3 = data('bn3_w', 3), data('bn3_b', 3)
def bn3(x, w, b):
    m = nn.BatchNorm3d(3, momentum=0.2)
    setp(m, weight=w, bias=b)
    y = m(x)
    out['bn3_state'] = {k: lists(v) for k, v in m.state_dict().items()}
    m.eval(); out['bn3_eval'] = lists(m(x.detach()))
    return y
run('bn3', bn3, x5, w3, b3)
x3 = data('in1_x', 2, 3, 5)
def in1(x, w, b):
    m = nn.InstanceNorm1d(3, affine=True, track_running_stats=True, momentum=0.3)
    setp(m, weight=w, bias=b)
    y = m(x)
    out['in1_state'] = {k: lists(v) for k, v in m.state_dict().items()}
    m.eval(); out['in1_eval'] = lists(m(x.detach())); out['in1_eval_unbatched'] = lists(m(x.detach()[1]))
    return y
run('in1', in1, x3, w3, b3)
run('in1_plain_unbatched', lambda x: nn.InstanceNorm1d(3)(x), x3[0])
run('in3', lambda x: nn.InstanceNorm3d(3, eps=1e-3)(x), x5)
x4 = data('in2_x', 2, 3, 3, 4)
m = nn.InstanceNorm2d(3, track_running_stats=True); m(x4); out['in2_track_state'] = state(m); m.eval(); out['in2_track_eval'] = lists(m(x4))

# ------------------------------------------------------------------ padding, upsampling, CrossMapLRN2d
xp = data('pad_x', 1, 2, 3, 3, 4)
run('cpad3', lambda x: nn.ConstantPad3d((1, 0, 2, 1, 0, 1), 3.5)(x), xp)
run('rfpad3', lambda x: nn.ReflectionPad3d((2, 1, 1, 2, 1, 0))(x), xp)
run('rppad3', lambda x: nn.ReplicationPad3d(2)(x[0]), xp)
xu = data('up_x', 1, 2, 3, 4)
run('upn', lambda x: nn.UpsamplingNearest2d(scale_factor=2)(x), xu)
run('upn_size', lambda x: nn.UpsamplingNearest2d(size=(5, 7))(x), xu)
run('upb', lambda x: nn.UpsamplingBilinear2d(scale_factor=2)(x), xu)
run('upb_size', lambda x: nn.UpsamplingBilinear2d(size=(4, 6))(x), xu)
xl = data('lrn_x', 2, 7, 2, 3)
for size in (3, 4, 5, 2):
    run(f'lrn{size}', lambda x: nn.CrossMapLRN2d(size, alpha=0.3, beta=0.6, k=1.5)(x), xl)
out['lrn1'] = lists(nn.CrossMapLRN2d(1, alpha=0.3)(xl))
out['lrn1_backward'] = err(lambda: nn.CrossMapLRN2d(1)(xl.clone().requires_grad_()).sum().backward())
run('lrn_big', lambda x: nn.CrossMapLRN2d(9, alpha=0.5)(x), xl)

# ------------------------------------------------------------------ lazy modules
lazy = {}
def lazy_case(key, make, x):
    torch.manual_seed(1)
    m = make()
    r = {'before': repr(m), 'params_before': [(n, type(p).__name__) for n, p in m.named_parameters()],
         'buffers_before': [(n, type(b).__name__) for n, b in m.named_buffers()], 'keys_before': list(m.state_dict().keys())}
    y = m(x)
    r.update({'after': repr(m), 'cls': type(m).__name__, 'params': [(n, list(p.shape)) for n, p in m.named_parameters()],
              'keys': list(m.state_dict().keys()), 'state': state(m), 'y': lists(y)})
    lazy[key] = r
xi = {1: data('lazy_x1', 2, 4, 6), 2: data('lazy_x2', 2, 4, 5, 5), 3: data('lazy_x3', 1, 4, 3, 4, 3)}
lazy_case('linear', lambda: nn.LazyLinear(3), xi[1])
lazy_case('linear_nobias', lambda: nn.LazyLinear(2, bias=False), xi[2])
lazy_case('conv1d', lambda: nn.LazyConv1d(4, 3, stride=2, groups=2), xi[1])
lazy_case('conv1d_unbatched', lambda: nn.LazyConv1d(3, 2), xi[1][0])
lazy_case('conv2d', lambda: nn.LazyConv2d(3, (2, 3), padding=1, bias=False), xi[2])
lazy_case('conv3d', lambda: nn.LazyConv3d(2, 2), xi[3])
lazy_case('convt1d', lambda: nn.LazyConvTranspose1d(3, 3, stride=2), xi[1])
lazy_case('convt2d', lambda: nn.LazyConvTranspose2d(4, 2, groups=2, output_padding=1, stride=2), xi[2])
lazy_case('convt3d', lambda: nn.LazyConvTranspose3d(2, (1, 2, 2)), xi[3])
lazy_case('bn1d', lambda: nn.LazyBatchNorm1d(), xi[1])
lazy_case('bn2d', lambda: nn.LazyBatchNorm2d(affine=False, momentum=0.5), xi[2])
lazy_case('bn3d', lambda: nn.LazyBatchNorm3d(track_running_stats=False), xi[3])
lazy_case('in1d', lambda: nn.LazyInstanceNorm1d(), xi[1])
lazy_case('in2d', lambda: nn.LazyInstanceNorm2d(affine=False, track_running_stats=False), xi[2])
lazy_case('in3d', lambda: nn.LazyInstanceNorm3d(track_running_stats=False), xi[3])
out['lazy'] = lazy
out['lazy_uninit_repr'] = repr(nn.LazyLinear(3).weight)

# ------------------------------------------------------------------ reprs and errors
out['repr'] = {
    'bn3': repr(nn.BatchNorm3d(3)), 'bn3_opts': repr(nn.BatchNorm3d(4, eps=1e-3, momentum=0.2, affine=False, track_running_stats=False)),
    'in1': repr(nn.InstanceNorm1d(3)), 'in1_opts': repr(nn.InstanceNorm1d(5, affine=True, track_running_stats=True)),
    'in3': repr(nn.InstanceNorm3d(3, affine=True)), 'in2_track': repr(nn.InstanceNorm2d(3, track_running_stats=True)),
    'cpad3': repr(nn.ConstantPad3d(1, 3.5)), 'cpad3_t': repr(nn.ConstantPad3d((1, 0, 2, 1, 0, 1), -1)),
    'rfpad3': repr(nn.ReflectionPad3d(1)), 'rppad3': repr(nn.ReplicationPad3d((1, 2, 0, 1, 1, 0))),
    'upn': repr(nn.UpsamplingNearest2d(scale_factor=2)), 'upn_size': repr(nn.UpsamplingNearest2d(size=(5, 7))),
    'upb': repr(nn.UpsamplingBilinear2d(scale_factor=2)), 'upb_size': repr(nn.UpsamplingBilinear2d(size=(3, 4))),
    'lrn': repr(nn.CrossMapLRN2d(3)), 'lrn_opts': repr(nn.CrossMapLRN2d(5, alpha=0.3, beta=0.6, k=1.5)),
}
out['errors'] = {
    'bn3_dim': err(lambda: nn.BatchNorm3d(3)(torch.randn(2, 3, 4))),
    'in1_dim': err(lambda: nn.InstanceNorm1d(3)(torch.randn(2, 3, 4, 5))),
    'in3_dim': err(lambda: nn.InstanceNorm3d(3)(torch.randn(2, 3, 4))),
    'rfpad3_big': err(lambda: nn.ReflectionPad3d(3)(torch.randn(1, 2, 3, 3, 3))),
    'lazy_conv_dim': err(lambda: nn.LazyConv2d(4, 3)(torch.randn(2, 3))),
    'lazy_conv_groups': err(lambda: nn.LazyConv2d(4, 3, groups=2)(torch.randn(1, 3, 5, 5))),
    'lazy_shape': err(lambda: nn.LazyLinear(3).weight.shape),
}

# ------------------------------------------------------------------ nn.utils: weight_norm
U = {}
lw, lb, lx = data('wn_w', 4, 3), data('wn_b', 4), data('wn_x', 2, 3)
def linear(w, b):
    m = nn.Linear(3, 4)
    with torch.no_grad(): m.weight.copy_(w); m.bias.copy_(b)
    return m
for key, dim in (('wn', 0), ('wn_dim1', 1), ('wn_none', None)):
    m = nn.utils.weight_norm(linear(lw, lb), dim=dim)
    x = lx.clone().requires_grad_()
    y = m(x); (y * weights(y)).sum().backward()
    U[key] = {'names': [n for n, _ in m.named_parameters()], 'keys': list(m.state_dict().keys()), 'repr': repr(m),
              'g': lists(m.weight_g), 'v': lists(m.weight_v), 'weight': lists(m.weight), 'y': lists(y),
              'dx': lists(x.grad), 'dg': lists(m.weight_g.grad), 'dv': lists(m.weight_v.grad), 'db': lists(m.bias.grad)}
    nn.utils.remove_weight_norm(m)
    U[key]['removed_names'] = [n for n, _ in m.named_parameters()]
    U[key]['removed_weight'] = lists(m.weight)
cw = data('wn_cw', 3, 2, 2, 2)
m = nn.Conv2d(2, 3, 2)
with torch.no_grad(): m.weight.copy_(cw)
nn.utils.weight_norm(m, dim=2)
U['wn_conv'] = {'g': lists(m.weight_g)}
m = nn.utils.weight_norm(nn.Linear(3, 4))
U['wn_errors'] = {'twice': err(lambda: nn.utils.weight_norm(m)), 'remove': err(lambda: nn.utils.remove_weight_norm(nn.Linear(3, 4)))}
# ------------------------------------------------------------------ spectral_norm
torch.manual_seed(2)
m = nn.utils.spectral_norm(linear(lw, lb), n_power_iterations=2)
sn = {'names': [n for n, _ in m.named_parameters()], 'keys': list(m.state_dict().keys()), 'buffers': [n for n, _ in m.named_buffers()],
      'u0': lists(m.weight_u), 'v0': lists(m.weight_v), 'weight0': lists(m.weight)}
x = lx.clone().requires_grad_()
y = m(x); y2 = m(x)
(y2 * weights(y2)).sum().backward()
sn.update({'y': lists(y), 'y2': lists(y2), 'u': lists(m.weight_u), 'v': lists(m.weight_v), 'weight': lists(m.weight),
           'dx': lists(x.grad), 'dw': lists(m.weight_orig.grad), 'db': lists(m.bias.grad)})
m.eval(); sn['eval'] = lists(m(lx)); sn['u_eval'] = lists(m.weight_u)
nn.utils.remove_spectral_norm(m)
sn['removed_names'] = [n for n, _ in m.named_parameters()]; sn['removed_keys'] = list(m.state_dict().keys()); sn['removed_weight'] = lists(m.weight)
U['sn'] = sn
ct = nn.ConvTranspose2d(2, 3, 2)
with torch.no_grad(): ct.weight.copy_(data('sn_ctw', 2, 3, 2, 2)); ct.bias.zero_()
nn.utils.spectral_norm(ct)
U['sn_ct'] = {'u0': lists(ct.weight_u), 'v0': lists(ct.weight_v)}
xc = data('sn_ctx', 1, 2, 3, 3)
U['sn_ct']['y'] = lists(ct(xc)); U['sn_ct']['u'] = lists(ct.weight_u); U['sn_ct']['v'] = lists(ct.weight_v)
m = nn.utils.spectral_norm(nn.Linear(3, 4))
U['sn_errors'] = {'twice': err(lambda: nn.utils.spectral_norm(m)), 'remove': err(lambda: nn.utils.remove_spectral_norm(nn.Linear(3, 4))),
                  'iters': err(lambda: nn.utils.spectral_norm(nn.Linear(3, 4), n_power_iterations=0))}
# ------------------------------------------------------------------ parametrize
import torch.nn.utils.parametrize as P
class Symmetric(nn.Module):
    def forward(self, X): return X.triu() + X.triu(1).transpose(0, 1)
    def right_inverse(self, A): return A.triu()
class Double(nn.Module):
    def forward(self, X): return X * 2
class Shrink(nn.Module):
    def forward(self, X): return X[:-1]
pw = data('pz_w', 3, 3)
m = nn.Linear(3, 3)
with torch.no_grad(): m.weight.copy_(pw); m.bias.copy_(lb[:3])
P.register_parametrization(m, 'weight', Symmetric())
pz = {'repr': repr(m), 'names': [n for n, _ in m.named_parameters()], 'keys': list(m.state_dict().keys()),
      'original': lists(m.parametrizations.weight.original), 'weight': lists(m.weight), 'is': [P.is_parametrized(m), P.is_parametrized(m, 'weight'), P.is_parametrized(m, 'bias')]}
x = lx.clone().requires_grad_()
y = m(x); (y * weights(y)).sum().backward()
pz.update({'y': lists(y), 'dx': lists(x.grad), 'dorig': lists(m.parametrizations.weight.original.grad)})
with torch.no_grad(): m.weight = lw[:3]
pz['assigned_original'] = lists(m.parametrizations.weight.original); pz['assigned_weight'] = lists(m.weight)
P.register_parametrization(m, 'weight', Double())
pz['repr2'] = repr(m); pz['weight2'] = lists(m.weight)
pz['assign_error'] = err(lambda: setattr(m, 'weight', lw[:3]))
P.remove_parametrizations(m, 'weight')
pz['removed'] = {'repr': repr(m), 'cls': type(m).__name__, 'names': [n for n, _ in m.named_parameters()], 'weight': lists(m.weight)}
m = nn.Linear(3, 3)
with torch.no_grad(): m.weight.copy_(pw)
P.register_parametrization(m, 'weight', Symmetric())
P.remove_parametrizations(m, 'weight', leave_parametrized=False)
pz['removed_orig'] = lists(m.weight)
pz['errors'] = {'remove': err(lambda: P.remove_parametrizations(nn.Linear(3, 3), 'weight')),
                'shape': err(lambda: P.register_parametrization(nn.Linear(3, 3), 'weight', Shrink())),
                'missing': err(lambda: P.register_parametrization(nn.Linear(3, 3), 'nothing', Double()))}
U['pz'] = pz
# ------------------------------------------------------------------ fusion
conv = nn.Conv2d(2, 3, 2)
with torch.no_grad(): conv.weight.copy_(cw); conv.bias.copy_(lb[:3])
bn = nn.BatchNorm2d(3)
with torch.no_grad():
    bn.running_mean.copy_(data('fz_rm', 3)); bn.running_var.copy_(data('fz_rv', 3).abs() + 0.5); bn.weight.copy_(lb[1:]); bn.bias.copy_(lw[0])
conv.eval(); bn.eval()
f = nn.utils.fuse_conv_bn_eval(conv, bn)
xf = data('fz_x', 1, 2, 4, 4)
U['fz'] = {'w': lists(f.weight), 'b': lists(f.bias), 'y': lists(f(xf)), 'ref': lists(bn(conv(xf))), 'repr': repr(f),
           'train_error': err(lambda: nn.utils.fuse_conv_bn_eval(nn.Conv2d(2, 3, 2), bn))}
w2, b2 = nn.utils.fuse_conv_bn_weights(ct.weight_orig, None, bn.running_mean, bn.running_var, 1e-3, None, bn.bias, transpose=True)
U['fz_t'] = {'w': lists(w2), 'b': lists(b2)}
U['skip'] = repr(nn.utils.skip_init(nn.Linear, 3, 4))
out['utils'] = U

dest = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'nn-more4.json')
with open(dest, 'w') as f: json.dump(out, f)
print('wrote', dest)
