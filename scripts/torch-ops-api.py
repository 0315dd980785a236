# PyTorch 1.13's results for src/ops-api.ts's functions: test/fixtures/ops-api.json.
#   /usr/bin/python3 scripts/torch-ops-api.py
import json, os
import torch
o = {}
x = torch.tensor([3, 1, 2, 3, 1, 5, 2, 2])
u, inv, c = torch.unique(x, return_inverse=True, return_counts=True); o['unique'] = [u.tolist(), inv.tolist(), c.tolist()]
m = torch.tensor([[1, 2], [3, 4], [1, 2], [0, 9]]); u, inv, c = torch.unique(m, dim=0, return_inverse=True, return_counts=True); o['unique_dim0'] = [u.tolist(), inv.tolist(), c.tolist()]
u, c = torch.unique_consecutive(torch.tensor([1, 1, 2, 2, 3, 1, 1, 2]), return_counts=True); o['uc'] = [u.tolist(), c.tolist()]
o['bincount'] = torch.bincount(torch.tensor([0, 1, 1, 3, 2, 1, 7])).tolist()
o['bincount_w'] = torch.bincount(torch.tensor([0, 1, 1, 3]), weights=torch.tensor([0.5, 1.0, 2.0, 0.25]), minlength=6).tolist()
o['logspace'] = torch.logspace(-2, 2, 5).tolist(); o['logspace2'] = torch.logspace(0, 3, 4, base=2).tolist()
a = torch.arange(24.).reshape(2, 3, 4); b = torch.arange(24.).reshape(4, 3, 2)
o['tensordot'] = torch.tensordot(a, b, dims=([1, 2], [1, 0])).tolist(); o['tensordot1'] = torch.tensordot(torch.arange(6.).reshape(2, 3), torch.arange(12.).reshape(3, 4), dims=1).tolist()
x1 = torch.tensor([[0., 1.], [2., 3.], [4., -1.]]); x2 = torch.tensor([[1., 1.], [0., -2.]])
o['cdist'] = [torch.cdist(x1, x2).tolist(), torch.cdist(x1, x2, p=1).tolist(), torch.cdist(x1, x2, p=3).tolist(), torch.cdist(x1, x2, p=float('inf')).tolist(), torch.cdist(x1, x2, p=0).tolist()]
A = torch.tensor([[1., 2.], [3., 4.]]); o['mpow'] = [torch.linalg.matrix_power(A, 3).tolist(), torch.linalg.matrix_power(A, -2).tolist(), torch.linalg.matrix_power(A, 0).tolist()]
o['inner'] = torch.inner(torch.arange(6.).reshape(2, 3), torch.arange(9.).reshape(3, 3)).tolist()
o['vander'] = torch.vander(torch.tensor([1, 2, 3]), N=4).tolist(); o['vander_inc'] = torch.vander(torch.tensor([1., 2., 3.]), increasing=True).tolist()
o['diagflat'] = torch.diagflat(torch.tensor([[1, 2], [3, 4]]), 1).tolist()
s, mn = torch.std_mean(torch.tensor([[1., 2., 4.], [3., 5., 9.]]), dim=1); o['std_mean'] = [s.tolist(), mn.tolist()]
v, mn = torch.var_mean(torch.tensor([[1., 2., 4.], [3., 5., 9.]])); o['var_mean'] = [v.tolist(), mn.tolist()]
I = torch.tensor([1., 2.]); M = torch.tensor([[1., 2., 3.], [4., 5., 6.]]); V = torch.tensor([1., 0., -1.])
o['addmv'] = torch.addmv(I, M, V, beta=0.5, alpha=2).tolist(); o['addr'] = torch.addr(torch.ones(2, 3), torch.tensor([1., 2.]), V, alpha=3).tolist()
B1 = torch.arange(12.).reshape(2, 2, 3); B2 = torch.arange(12.).reshape(2, 3, 2)
o['baddbmm'] = torch.baddbmm(torch.ones(2, 2, 2), B1, B2, beta=2).tolist(); o['addbmm'] = torch.addbmm(torch.ones(2, 2), B1, B2).tolist()
o['float_power'] = [torch.float_power(torch.tensor([2, 3]), 0.5).tolist(), str(torch.float_power(torch.tensor([2, 3]), 2).dtype)]
o['argwhere'] = torch.argwhere(torch.tensor([[0, 1], [2, 0]])).tolist()
o['atleast'] = [list(torch.atleast_1d(torch.tensor(1.)).shape), list(torch.atleast_2d(torch.tensor([1., 2])).shape), list(torch.atleast_3d(torch.tensor([1., 2])).shape), list(torch.atleast_3d(torch.ones(2, 3)).shape)]
o['nan_unique'] = [str(v) for v in torch.unique(torch.tensor([float('nan'), 1., float('nan')])).tolist()]
path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'ops-api.json')
with open(path, 'w') as fh:
    json.dump(o, fh)
    fh.write('\n')
print('wrote', path)
