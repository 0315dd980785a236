# PyTorch 1.13 printed values and gradients of the activations, losses, normalize, cosine similarity and adaptive
# average pooling added with them (test/nn-more.test.ts): /usr/bin/python3 scripts/torch-activations.py
import torch, torch.nn as nn, torch.nn.functional as F, json, warnings
warnings.simplefilter('ignore')
torch.set_printoptions(precision=4)
out = {}
x = torch.tensor([-4., -3., -2.5, -1., -0.5, 0., 0.5, 1., 2.5, 3., 4., 7.], requires_grad=True)
w = torch.arange(12.).div(10).add(0.5)
for name, f in [('hardtanh', lambda x: F.hardtanh(x)), ('hardtanh2', lambda x: F.hardtanh(x, -2., 3.)), ('relu6', F.relu6), ('hardsigmoid', F.hardsigmoid), ('hardswish', F.hardswish), ('mish', F.mish), ('selu', F.selu), ('celu', lambda x: F.celu(x, 2.)), ('logsigmoid', F.logsigmoid), ('softsign', F.softsign), ('tanhshrink', F.tanhshrink)]:
    x.grad = None
    y = f(x); (y * w).sum().backward()
    out[name] = [str(y), str(x.grad)]
m = x.detach().reshape(3, 4).requires_grad_()
for name, f in [('softmin', lambda t: F.softmin(t, 1)), ('glu', lambda t: F.glu(t, 1)), ('glu0', lambda t: F.glu(t.reshape(4, 3), 0))]:
    m.grad = None
    y = f(m); (y * torch.arange(y.numel()).reshape(y.shape).float().div(7)).sum().backward()
    out[name] = [str(y), str(m.grad)]
a = torch.tensor([[0.2, -1.5, 3.0], [0.9, 0.1, -0.3]], requires_grad=True)
b = torch.tensor([[0.0, 0.5, 1.0], [1.2, -2.0, -0.3]])
for name, f in [('huber', lambda: F.huber_loss(a, b)), ('huber2', lambda: F.huber_loss(a, b, delta=0.5, reduction='sum')), ('smoothl1', lambda: F.smooth_l1_loss(a, b)), ('smoothl1b', lambda: F.smooth_l1_loss(a, b, beta=0.5, reduction='none')), ('smoothl1b0', lambda: F.smooth_l1_loss(a, b, beta=0.0))]:
    a.grad = None
    l = f(); l.sum().backward()
    out[name] = [str(l), str(a.grad)]
lp = F.log_softmax(a, 1).detach().requires_grad_()
t = torch.tensor([[0.1, 0.6, 0.3], [0.0, 0.5, 0.5]])
out['lp'] = lp.tolist()
for red in ['mean', 'batchmean', 'sum', 'none']:
    lp.grad = None
    l = F.kl_div(lp, t, reduction=red); l.sum().backward()
    out['kl_' + red] = [str(l), str(lp.grad)]
lp.grad = None
l = F.kl_div(lp, t.add(1e-3).log(), reduction='batchmean', log_target=True); l.backward()
out['kl_logt'] = [str(l), str(lp.grad)]
v = torch.tensor([[3., 4., 0.], [0., 0., 0.], [1., -2., 2.]], requires_grad=True)
n = F.normalize(v); (n * torch.arange(9.).reshape(3, 3)).sum().backward()
out['normalize'] = [str(n), str(v.grad)]
out['normalize_p1'] = [str(F.normalize(v.detach(), p=1, dim=0))]
v.grad = None
u = torch.tensor([[1., 0., 1.], [2., 2., 2.], [0., 0., 0.]])
c = F.cosine_similarity(v, u); c.sum().backward()
out['cos'] = [str(c), str(v.grad)]
out['cos_dims'] = [str(F.cosine_similarity(v.detach(), u, dim=0)), str(F.cosine_similarity(v.detach()[0], u, dim=-1))]
z = (torch.arange(2*2*5*7).reshape(2,2,5,7).float() % 13 - 6) / 4
z.requires_grad_()
p = F.adaptive_avg_pool2d(z, (3, 4)); (p * torch.arange(p.numel()).reshape(p.shape).float().div(10)).sum().backward()
out['aap'] = [str(p[1, 0]), str(z.grad[1, 0])]
out['aap1'] = [str(F.adaptive_avg_pool2d(z.detach(), 1)[0, :, 0, 0])]
json.dump(out, open(__import__('os').path.join(__import__('os').path.dirname(__file__), '..', 'test', 'fixtures', 'activations-losses.json'), 'w'), indent=1)
