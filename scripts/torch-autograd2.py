# PyTorch 1.13's second derivatives (create_graph=True) for test/autograd-twice.test.ts: a physics-style
# loss on an input derivative of a tanh MLP, a WGAN-GP gradient penalty, a Hessian-vector product, .grad
# with a graph after backward(create_graph=True), and the grad_fn names of first gradients; and for
# test/autograd-twice2.test.ts, Hessian-vector products through linalg's inv, solve, det, slogdet,
# cholesky, eigh, svdvals and pinv.
#   /usr/bin/python3 scripts/torch-autograd2.py   (writes test/fixtures/autograd2.json)
import torch, json, os, warnings
import torch.nn.functional as F
from torch_fixture import err
warnings.simplefilter('ignore')
out = {}
D = torch.float64

def W(*shape, scale=0.3, shift=0.0):
    """fixed weights: a sine of the element index, so every entry differs"""
    n = 1
    for s in shape: n *= s
    return (torch.sin(torch.arange(n, dtype=D) * 0.7 + shift) * scale).reshape(shape)

def L(t): return None if t is None else t.detach().tolist()

# 1. A PINN-style loss: u = mlp(x), du/dx by autograd.grad(create_graph), loss on du and u; backward to
#    the weights.
w1, b1, w2, b2, w3, b3 = W(8, 2, scale=0.8), W(8, shift=1), W(8, 8, scale=0.4, shift=2), W(8, shift=3), W(1, 8, scale=0.5, shift=4), W(1, shift=5)
ps = [p.requires_grad_() for p in (w1, b1, w2, b2, w3, b3)]
x = (torch.arange(10, dtype=D).reshape(5, 2) / 7 - 0.6).requires_grad_()
def mlp(x):
    h = torch.tanh(F.linear(x, w1, b1))
    h = F.silu(F.linear(h, w2, b2))
    return F.linear(h, w3, b3)
u = mlp(x)
(du,) = torch.autograd.grad(u.sum(), x, create_graph=True)
loss = (du[:, 0] + u.squeeze(1) * du[:, 1]).pow(2).mean() + F.softplus(du).sum() * 0.1
loss.backward()
out['pinn'] = {'u': L(u), 'du': L(du), 'loss': loss.item(), 'grads': [L(p.grad) for p in ps], 'x_grad': L(x.grad), 'du_fn': type(du.grad_fn).__name__}

# 2. A gradient penalty (WGAN-GP): ((‖∂D/∂x‖₂ − 1)²).mean() over samples, backward to D's weights.
a1, c1, a2, c2 = W(6, 3, scale=0.7), W(6, shift=1), W(1, 6, scale=0.6, shift=2), W(1, shift=3)
qs = [p.requires_grad_() for p in (a1, c1, a2, c2)]
xi = (torch.arange(12, dtype=D).reshape(4, 3) / 5 - 1).requires_grad_()
d = F.linear(F.leaky_relu(F.linear(xi, a1, c1), 0.2), a2, c2)
(gx,) = torch.autograd.grad(d.sum(), xi, create_graph=True)
gp = ((gx.norm(2, dim=1) - 1) ** 2).mean()
gp.backward()
out['gp'] = {'gx': L(gx), 'gp': gp.item(), 'grads': [L(p.grad) for p in qs]}

# 3. A Hessian-vector product: H(w)·v for f(w) = sum(softplus(A w)) + logsumexp(w) + sum(sigmoid(w)·exp(-w²)),
#    and the Hessian's rows by a second grad of each first-gradient entry.
A = W(5, 4, scale=0.9)
w = torch.tensor([0.3, -0.8, 1.1, 0.05], dtype=D, requires_grad=True)
v = torch.tensor([1.0, -2.0, 0.5, 3.0], dtype=D)
def f(w): return F.softplus(A @ w).sum() + torch.logsumexp(w, 0) + (torch.sigmoid(w) * torch.exp(-w * w)).sum()
(g,) = torch.autograd.grad(f(w), w, create_graph=True)
(hv,) = torch.autograd.grad(g @ v, w, retain_graph=True)
H = [L(torch.autograd.grad(g[i], w, retain_graph=True)[0]) for i in range(4)]
out['hvp'] = {'g': L(g), 'hv': L(hv), 'H': H}

# 4. backward(create_graph=True): x.grad has a graph; a second backward through it.
z = torch.tensor([0.5, -1.5, 2.0], dtype=D, requires_grad=True)
y = (z ** 3 * torch.sin(z)).sum()
y.backward(create_graph=True)
first = L(z.grad)
fn = type(z.grad.grad_fn).__name__
gz = z.grad
z.grad = None
gz.sum().backward()
out['backward_create'] = {'first': first, 'grad_fn': fn, 'second': L(z.grad)}

# 5. Third derivative of x⁴·exp(x) at 0.7 (grad three times).
t = torch.tensor(0.7, dtype=D, requires_grad=True)
e = t ** 4 * torch.exp(t)
(d1,) = torch.autograd.grad(e, t, create_graph=True)
(d2,) = torch.autograd.grad(d1, t, create_graph=True)
(d3,) = torch.autograd.grad(d2, t)
out['third'] = [d1.item(), d2.item(), d3.item()]

# 6. grad_fn names of first gradients taken with create_graph
names = {}
s = torch.tensor([0.5, 1.5], dtype=D, requires_grad=True)
for name, fun in [('pow', lambda s: s.pow(3)), ('tanh', torch.tanh), ('exp', torch.exp), ('mul', lambda s: s * s)]:
    (gg,) = torch.autograd.grad(fun(s).sum(), s, create_graph=True)
    names[name] = type(gg.grad_fn).__name__
out['names'] = names

# 7. Errors: a second backward through a graph not retained
q = torch.tensor([1.0, 2.0], dtype=D, requires_grad=True)
e2 = (q ** 2).sum()
torch.autograd.grad(e2, q, create_graph=True, retain_graph=False)
out['err_freed'] = err(lambda: torch.autograd.grad(e2, q))

# 8. linalg's double backward (test/autograd-twice2.test.ts): Hessian-vector products H·v of scalar
#    functions of one 3×3 matrix, through inv, solve, det, slogdet, cholesky, eigh, svdvals and pinv.
A0 = torch.tensor([[1.2, -0.3, 0.5], [0.4, 0.9, -0.2], [-0.1, 0.6, 1.5]], dtype=D)
B0 = torch.tensor([[0.3, -1.0], [0.8, 0.2], [-0.5, 0.7]], dtype=D)
v = torch.tensor([[0.2, -0.5, 1.0], [0.7, 0.1, -0.3], [-0.4, 0.9, 0.6]], dtype=D)
def eigh_f(A):
    w, V = torch.linalg.eigh(A + A.mT)
    return (w ** 3).sum() + (V ** 4).sum()
fs = {
    'inv': lambda A: (torch.linalg.inv(A) ** 2).sum(),
    'solve': lambda A: (torch.linalg.solve(A, B0) ** 3).sum(),
    'det': lambda A: torch.linalg.det(A) ** 2,
    'slogdet': lambda A: torch.linalg.slogdet(A).logabsdet ** 2,
    'cholesky': lambda A: (torch.linalg.cholesky(A @ A.mT) ** 3).sum(),
    'eigh': eigh_f,
    'svdvals': lambda A: (torch.linalg.svdvals(A) ** 3).sum(),
    'pinv': lambda A: (torch.linalg.pinv(A[:, 0:2]) ** 2).sum(),
}
hvp = {}
for name, fun in fs.items():
    A = A0.clone().requires_grad_()
    (g,) = torch.autograd.grad(fun(A), A, create_graph=True)
    (hv,) = torch.autograd.grad((g * v).sum(), A)
    hvp[name] = L(hv)
out['linalg_hvp'] = hvp

path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'autograd2.json')
with open(path, 'w') as fh: json.dump(out, fh, indent=1)
print('wrote', path)
