# PyTorch 1.13's torch.autograd.functional for test/autograd-functional.test.ts: vjp, jvp, jacobian
# (reverse mode, vectorize, forward mode), hessian, hvp and vhp of functions of one and several inputs and
# outputs (float64), createGraph results differentiated again, zero fills for independent inputs, and
# the errors strict mode and bad arguments raise.
#   /usr/bin/python3 scripts/torch-autograd-functional.py   (writes test/fixtures/autograd-functional.json)
import torch, json, os, warnings
from torch.autograd.functional import vjp, jvp, jacobian, hessian, hvp, vhp
from torch_fixture import err
warnings.simplefilter('ignore')
D = torch.float64
out = {}


def W(*shape, scale=0.3, shift=0.0):
    """fixed values: a sine of the element index, so every entry differs"""
    n = 1
    for s in shape: n *= s
    return (torch.sin(torch.arange(n, dtype=D) * 0.7 + shift) * scale).reshape(shape)


def L(t):
    if t is None: return None
    if isinstance(t, (tuple, list)): return [L(e) for e in t]
    return t.detach().tolist()


A46 = W(4, 6, scale=0.5, shift=1)
def f1(x):  # [2, 3] -> [4]
    return torch.tanh(A46 @ x.reshape(-1)) * x.pow(2).sum()
def f2(x, y):  # [3], [2, 2] -> ([2], [])
    return x[:2] * y.sum(0).sin(), x.exp().sum() * y.pow(2).sum()
def s1(x):  # [3] -> []
    return x.pow(3).sum() + x.prod() * x[0]
def s2(x, y):  # [3], [2, 2] -> []
    return x.sin().sum() * y.cos().sum() + (x[:2] * y[0]).pow(2).sum() + x[2] * y.prod()
def indep(x, y):  # y unused
    return x * 2 + x.pow(2)
def indep_s(x, y):
    return x.pow(3).sum()
def linear(x):
    return (x * 3).sum()

x0, xa, y0 = W(2, 3, shift=0.5), W(3, scale=0.8, shift=2), W(2, 2, scale=0.6, shift=3)
v4, vx, vy, vx23 = W(4, shift=4), W(3, shift=5), W(2, 2, shift=6), W(2, 3, shift=7)
va, vb = W(2, shift=8), torch.tensor(0.7, dtype=D)
out['inputs'] = {'x0': L(x0), 'xa': L(xa), 'y0': L(y0), 'v4': L(v4), 'vx': L(vx), 'vy': L(vy), 'vx23': L(vx23), 'va': L(va), 'vb': L(vb)}

out['vjp'] = {
    'f1': L(vjp(f1, x0, v4)),
    'f2': L(vjp(f2, (xa, y0), (va, vb))),
    's1_nov': L(vjp(s1, xa)),
    'indep': L(vjp(indep, (xa, y0), vx)),
}
out['jvp'] = {
    'f1': L(jvp(f1, x0, vx23)),
    'f2': L(jvp(f2, (xa, y0), (vx, vy))),
    'indep': L(jvp(indep, (xa, y0), (vx, vy))),
}
out['jacobian'] = {
    'f1': L(jacobian(f1, x0)),
    'f1_tuple_in': L(jacobian(f1, (x0,))),
    'f2': L(jacobian(f2, (xa, y0))),
    'f2_vec': L(jacobian(f2, (xa, y0), vectorize=True)),
    'f2_fwd': L(jacobian(f2, (xa, y0), vectorize=True, strategy='forward-mode')),
    'f1_fwd': L(jacobian(f1, x0, vectorize=True, strategy='forward-mode')),
    's2': L(jacobian(s2, (xa, y0))),
    'indep': L(jacobian(indep, (xa, y0))),
}
out['hessian'] = {
    's1': L(hessian(s1, xa)),
    's2': L(hessian(s2, (xa, y0))),
    'indep': L(hessian(indep_s, (xa, y0))),
    'linear': L(hessian(linear, xa)),
}
out['hvp'] = {
    's1': L(hvp(s1, xa, vx)),
    's2': L(hvp(s2, (xa, y0), (vx, vy))),
    'indep': L(hvp(indep_s, (xa, y0), (vx, vy))),
}
out['vhp'] = {
    's1': L(vhp(s1, xa, vx)),
    's2': L(vhp(s2, (xa, y0), (vx, vy))),
    'indep': L(vhp(indep_s, (xa, y0), (vx, vy))),
}

# createGraph: the results differentiated again, with respect to the inputs (and v where it takes part).
def req(*ts): return [t.clone().requires_grad_() for t in ts]
cg = {}
x, = req(x0)
o, r = vjp(f1, x, v4, create_graph=True)
cg['vjp_f1'] = {'rg': [o.requires_grad, r.requires_grad], 'g': L(torch.autograd.grad(r.pow(2).sum() + o.sum(), x))}
x, v = req(x0, vx23)
o, r = jvp(f1, x, v, create_graph=True)
cg['jvp_f1'] = {'rg': [o.requires_grad, r.requires_grad], 'g': L(torch.autograd.grad(r.pow(2).sum(), (x, v)))}
x, y = req(xa, y0)
j = jacobian(f2, (x, y), create_graph=True)
cg['jacobian_f2'] = {'rg': [[t.requires_grad for t in row] for row in j],
                     'g': L(torch.autograd.grad(sum(t.pow(2).sum() for row in j for t in row), (x, y)))}
x, = req(xa)
h = hessian(s1, x, create_graph=True)
cg['hessian_s1'] = {'rg': h.requires_grad, 'g': L(torch.autograd.grad(h.pow(2).sum(), x))}
x, y, a, b = req(xa, y0, vx, vy)
o, r = hvp(s2, (x, y), (a, b), create_graph=True)
cg['hvp_s2'] = {'rg': [o.requires_grad, r[0].requires_grad, r[1].requires_grad], 'g': L(torch.autograd.grad(r[0].pow(2).sum() + r[1].sum(), (x, y, a, b)))}
x, y, a, b = req(xa, y0, vx, vy)
o, r = vhp(s2, (x, y), (a, b), create_graph=True)
cg['vhp_s2'] = {'rg': [o.requires_grad, r[0].requires_grad, r[1].requires_grad], 'g': L(torch.autograd.grad(r[0].pow(2).sum() + r[1].sum(), (x, y, a, b)))}
# without createGraph nothing requires grad, also for inputs that do
x, = req(xa)
o, r = vjp(s1, x)
cg['plain'] = [o.requires_grad, r.requires_grad, jacobian(s1, x).requires_grad, hessian(s1, x).requires_grad]
out['create_graph'] = cg

e = {}
e['vjp_strict_indep'] = err(lambda: vjp(indep, (xa, y0), vx, strict=True))
e['vjp_strict_nograd_out'] = err(lambda: vjp(lambda x: torch.ones(3, dtype=D), xa, vx, strict=True))
e['vjp_nograd_out'] = L(vjp(lambda x: torch.ones(3, dtype=D), xa, vx))
e['vjp_v_none'] = err(lambda: vjp(f1, x0))
e['vjp_v_len'] = err(lambda: vjp(f2, (xa, y0), (va,)))
e['vjp_v_single'] = err(lambda: vjp(f1, x0, (v4, v4)))
e['vjp_v_size'] = err(lambda: vjp(f2, (xa, y0), (va, vy)))
e['vjp_v_size_single'] = err(lambda: vjp(f1, x0, vx))
e['vjp_bad_input'] = err(lambda: vjp(f1, 3.0, v4))
e['vjp_bad_input_tuple'] = err(lambda: vjp(f2, (xa, 2), v4))
e['vjp_bad_output'] = err(lambda: vjp(lambda x: 3, xa, vx))
e['jvp_strict_indep'] = err(lambda: jvp(indep, (xa, y0), (vx, vy), strict=True))
e['jvp_v_none'] = err(lambda: jvp(f1, x0))
e['jacobian_strict_indep'] = err(lambda: jacobian(indep, (xa, y0), strict=True))
e['jacobian_strict_linear_cg'] = err(lambda: jacobian(lambda x: x * 3, xa, strict=True, create_graph=True))
e['jacobian_strict_vec'] = err(lambda: jacobian(f1, x0, strict=True, vectorize=True))
e['jacobian_fwd_cg'] = err(lambda: jacobian(f1, x0, create_graph=True, strategy='forward-mode'))
e['jacobian_fwd_novec'] = err(lambda: jacobian(f1, x0, strategy='forward-mode'))
e['jacobian_fwd_strict'] = err(lambda: jacobian(f1, x0, strict=True, vectorize=True, strategy='forward-mode'))
e['hessian_strict_linear'] = err(lambda: hessian(linear, xa, strict=True))
e['hessian_strict_indep'] = err(lambda: hessian(indep_s, (xa, y0), strict=True))
e['hessian_tuple_out'] = err(lambda: hessian(lambda x: (x.sum(),), xa))
e['hessian_nonscalar'] = err(lambda: hessian(lambda x: x * x, xa))
e['hvp_strict_linear'] = err(lambda: hvp(linear, xa, vx, strict=True))
e['vhp_strict_linear'] = err(lambda: vhp(linear, xa, vx, strict=True))
e['hvp_strict_indep'] = err(lambda: hvp(indep_s, (xa, y0), (vx, vy), strict=True))
e['vhp_strict_indep'] = err(lambda: vhp(indep_s, (xa, y0), (vx, vy), strict=True))
e['hvp_tuple_out'] = err(lambda: hvp(lambda x: (x.sum(),), xa, vx))
e['vhp_nonscalar'] = err(lambda: vhp(lambda x: x * x, xa, vx))
e['hvp_v_none'] = err(lambda: hvp(s1, xa))
out['errors'] = e

# torch.nn.utils.stateless.functional_call (for test/autograd-functional.test.ts too): a Linear, Tanh,
# BatchNorm1d, Linear net in training mode with some of its tensors replaced; the output, gradients with
# respect to the given tensors, and what became of the given running mean and of the net's own tensors.
from torch.nn.utils.stateless import functional_call
import torch.nn as nn
net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.BatchNorm1d(4), nn.Linear(4, 2)).double()
sd = {}
for i, (k, v) in enumerate(net.state_dict().items()):
    if k.endswith('num_batches_tracked'): sd[k] = v
    elif k.endswith('running_var'): sd[k] = 1 + W(*v.shape, shift=i).abs()
    else: sd[k] = W(*v.shape, scale=0.6, shift=i)
net.load_state_dict(sd)
rep = {'0.weight': W(4, 3, scale=0.7, shift=10).requires_grad_(), '3.bias': W(2, shift=11).requires_grad_(), '2.running_mean': W(4, shift=12)}
xs = W(5, 3, scale=1.2, shift=13)
rep_before = {k: L(v) for k, v in rep.items()}  # (the running mean is updated in place by the call)
o = functional_call(net, rep, (xs,))
g = torch.autograd.grad(o.pow(2).sum(), [rep['0.weight'], rep['3.bias']])
out['stateless'] = {'sd': {k: L(v) for k, v in sd.items() if not k.endswith('num_batches_tracked')}, 'rep': rep_before,
                    'x': L(xs), 'out': L(o), 'grads': L(g), 'rep_running_mean_after': L(rep['2.running_mean']),
                    'net_after': {k: L(v) for k, v in net.state_dict().items()}, 'plain_out': L(net(xs))}

path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'autograd-functional.json')
with open(path, 'w') as f: json.dump(out, f)
print('wrote', path)
for k, v in e.items(): print(k, ':', v if isinstance(v, str) else '')
