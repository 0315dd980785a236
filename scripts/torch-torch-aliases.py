# PyTorch 1.13's torch.* spellings of nn.functional operations called with torch's positional
# signatures (test/torch-aliases.test.ts): /usr/bin/python3 scripts/torch-torch-aliases.py
import torch, json, os
torch.manual_seed(0)
out = {}
L = lambda t: t.flatten().tolist()
x1 = torch.randn(2, 4, 9, dtype=torch.float64); w1 = torch.randn(6, 2, 3, dtype=torch.float64); b1 = torch.randn(6, dtype=torch.float64)
x2 = torch.randn(2, 4, 7, 6, dtype=torch.float64); w2 = torch.randn(6, 2, 3, 2, dtype=torch.float64); b2 = torch.randn(6, dtype=torch.float64)
x3 = torch.randn(1, 2, 5, 4, 6, dtype=torch.float64); w3 = torch.randn(4, 2, 2, 3, 2, dtype=torch.float64)
wt = torch.randn(4, 3, 3, 2, dtype=torch.float64)
inputs = {'x1': x1, 'w1': w1, 'b1': b1, 'x2': x2, 'w2': w2, 'b2': b2, 'x3': x3, 'w3': w3, 'wt': wt}
out['inputs'] = {k: [list(v.shape), L(v)] for k, v in inputs.items()}
out['conv1d'] = L(torch.conv1d(x1, w1, b1, 2, 1, 2, 2))
out['conv2d'] = L(torch.conv2d(x2, w2, b2, (2, 1), (1, 0), (1, 2), 2))
out['conv3d'] = L(torch.conv3d(x3, w3, None, 1, (1, 0, 1), 1, 1))
out['conv_transpose2d'] = L(torch.conv_transpose2d(x2, wt, None, 2, 1, 1, 1, 1))
out['max_pool1d'] = L(torch.max_pool1d(x1, 3, 2, 1, 1, True))
out['max_pool2d'] = L(torch.max_pool2d(x2, (3, 2), [], 1))
out['max_pool3d'] = L(torch.max_pool3d(x3, 2, 1, 0, 1, False))
v, i = torch.max_pool1d_with_indices(x1, 2, 2)
out['max_pool1d_with_indices'] = [L(v), L(i)]
out['avg_pool1d'] = L(torch.avg_pool1d(x1, 3, 2, 1, False, False))
out['adaptive_avg_pool1d'] = L(torch.adaptive_avg_pool1d(x1, 4))
v, i = torch.adaptive_max_pool1d(x1, 4)
out['adaptive_max_pool1d'] = [L(v), L(i)]
out['dropout_eval'] = L(torch.dropout(x1, 0.5, False))
rm, rv = torch.zeros(4, dtype=torch.float64), torch.ones(4, dtype=torch.float64)
g, b = torch.randn(4, dtype=torch.float64), torch.randn(4, dtype=torch.float64)
out['norm_inputs'] = [L(g), L(b)]
out['batch_norm_train'] = [L(torch.batch_norm(x2, g, b, rm, rv, True, 0.3, 1e-5, False)), L(rm), L(rv)]
out['batch_norm_eval'] = L(torch.batch_norm(x2, g, b, rm, rv, False, 0.3, 1e-5, False))
out['layer_norm'] = L(torch.layer_norm(x2, [7, 6], None, None, 1e-5, False))
out['group_norm'] = L(torch.group_norm(x2, 2, g, b, 1e-5, False))
out['instance_norm'] = L(torch.instance_norm(x2, g, b, None, None, True, 0.1, 1e-5, False))
emb = torch.randn(5, 3, dtype=torch.float64)
out['emb'] = L(emb)
out['embedding'] = L(torch.embedding(emb, torch.tensor([[0, 4], [2, 2]]), 2))
out['pixel_shuffle'] = L(torch.pixel_shuffle(x2, 2))
out['prelu'] = L(torch.prelu(x2, torch.tensor([0.25], dtype=torch.float64)))
out['selu_celu_threshold'] = [L(torch.selu(x1)), L(torch.celu(x1, 0.7)), L(torch.threshold(x1, 0.1, -3.))]
out['pdist'] = L(torch.pdist(x1[0], 3))
out['constant_pad_nd'] = L(torch.constant_pad_nd(x1, [1, 2], 5.))
out['fill'] = L(torch.fill(x1, 2.5))
y = x1.clone(); torch.abs_(y); torch.clamp_(y, 0.2, 1.0); torch.exp_(y)
out['inplace'] = L(y)
with open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'torch-aliases.json'), 'w') as f:
    json.dump(out, f)
print(list(out.keys()))
