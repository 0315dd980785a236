# F.scaled_dot_product_attention (PyTorch 2's; 1.13 has none) by the reference composition PyTorch 2's
# documentation gives, computed with PyTorch 1.13 (values and gradients of q, k, v), for test/sdpa.test.ts:
# /usr/bin/python3 scripts/torch-sdpa.py
import torch, json, os, math
from torch_fixture import weights
torch.manual_seed(0)
def ref(q, k, v, attn_mask=None, is_causal=False, scale=None):
    L, S = q.size(-2), k.size(-2)
    s = 1 / math.sqrt(q.size(-1)) if scale is None else scale
    bias = torch.zeros(L, S, dtype=q.dtype)
    if is_causal:
        bias.masked_fill_(torch.ones(L, S, dtype=torch.bool).tril(diagonal=0).logical_not(), float('-inf'))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool: bias = bias.masked_fill(attn_mask.logical_not(), float('-inf'))
        else: bias = bias + attn_mask
    w = torch.softmax(q @ k.transpose(-2, -1) * s + bias, dim=-1)
    return w @ v
q = torch.randn(2, 3, 4, 8, dtype=torch.float64); k = torch.randn(2, 3, 5, 8, dtype=torch.float64); v = torch.randn(2, 3, 5, 6, dtype=torch.float64)
bm = torch.rand(4, 5) > 0.3; bm[:, 0] = True
fm = torch.randn(4, 5, dtype=torch.float64)
out = {'q': q.flatten().tolist(), 'k': k.flatten().tolist(), 'v': v.flatten().tolist(), 'bm': bm.flatten().tolist(), 'fm': fm.flatten().tolist(), 'cases': {}}
for name, kw in [('plain', {}), ('bool_mask', {'attn_mask': bm}), ('float_mask', {'attn_mask': fm}), ('causal', {'is_causal': True}), ('scale', {'scale': 0.3})]:
    qi, ki, vi = [t.clone().requires_grad_() for t in (q, k, v)]
    y = ref(qi, ki, vi, **kw)
    (y * weights(y)).sum().backward()
    out['cases'][name] = [y.detach().flatten().tolist(), qi.grad.flatten().tolist(), ki.grad.flatten().tolist(), vi.grad.flatten().tolist()]
with open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'sdpa.json'), 'w') as f:
    json.dump(out, f)
print(list(out['cases']))
