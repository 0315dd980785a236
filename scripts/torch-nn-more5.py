# PyTorch 1.13's values, gradients, printed modules, parameter names and errors of nn.AdaptiveLogSoftmaxWithLoss
# (test/nn-more5.test.ts): forward's output and loss (batched and not), the parameters' and the input's
# gradients of the loss, log_prob, predict (all in the shortlist, none, mixed), state-dict names:
#   /usr/bin/python3 scripts/torch-nn-more5.py -> test/fixtures/nn-more5.json
# The parameters are written too (loadStateDict in the test) and the inputs, as nested lists.
import torch, torch.nn as nn, json, warnings
from torch_fixture import err, lists
warnings.simplefilter('ignore')
torch.manual_seed(0)
out = {}


def state(m):
    return {k: lists(v) for k, v in m.state_dict().items()}


def asm_case(key, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False, batch=7, targets=None, dtype=torch.float32):
    m = nn.AdaptiveLogSoftmaxWithLoss(in_features, n_classes, cutoffs, div_value=div_value, head_bias=head_bias).to(dtype)
    x = torch.randn(batch, in_features, dtype=dtype)
    t = torch.tensor(targets) if targets is not None else torch.randint(0, n_classes, (batch,))
    xg = x.clone().requires_grad_()
    r = m(xg, t)
    r.loss.backward()
    c = {'args': [in_features, n_classes, cutoffs], 'opts': {'divValue': div_value, 'headBias': head_bias}, 'dtype': str(dtype).replace('torch.', ''),
         'state': state(m), 'shapes': {k: list(v.shape) for k, v in m.state_dict().items()}, 'names': [n for n, _ in m.named_parameters()], 'x': lists(x), 'target': t.tolist(),
         'output': lists(r.output), 'loss': r.loss.item(), 'xGrad': lists(xg.grad),
         'grads': {n: (lists(p.grad) if p.grad is not None else None) for n, p in m.named_parameters()},
         'logProb': lists(m.log_prob(x)), 'predict': m.predict(x).tolist(), 'repr': repr(m)}
    # unbatched: a 1-D input and a 0-D target
    r1 = m(x[1], t[1])
    c['single'] = {'output': lists(r1.output), 'loss': r1.loss.item(), 'outputShape': list(r1.output.shape)}
    out[key] = c
    return m, x


asm_case('asm', 8, 20, [5, 12], div_value=2.0, batch=9, targets=[0, 7, 19, 4, 12, 11, 5, 3, 16])
asm_case('asmBias', 16, 30, [4, 10, 20], head_bias=True, batch=8)
asm_case('asmShort', 6, 10, [6], div_value=3.0, batch=4, targets=[1, 5, 0, 2])  # the shortlist only
asm_case('asm64', 8, 12, [3, 7], div_value=2.0, batch=6, targets=[3, 11, 0, 7, 6, 2], dtype=torch.float64)

# predict: a head bias pushing every row into the shortlist, every row out of it, and a mix
m = nn.AdaptiveLogSoftmaxWithLoss(8, 20, [5, 12], div_value=2.0, head_bias=True)
x = torch.randn(6, 8)
pred = {'x': lists(x)}
for name, bias in (('shortlist', [5.0] * 5 + [-5.0, -5.0]), ('clusters', [-5.0] * 5 + [5.0, 4.9]), ('mixed', [0, 0, 0, 0, 0, 2.5, 2.4])):
    with torch.no_grad():
        m.head.bias.copy_(torch.tensor(bias))
    pred[name] = {'state': state(m), 'predict': m.predict(x).tolist(), 'argmax': m.log_prob(x).argmax(1).tolist()}
out['predict'] = pred

mm = nn.AdaptiveLogSoftmaxWithLoss(8, 20, [5, 12])
x2 = torch.randn(3, 8)
out['errors'] = {
    'unsorted': err(lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 20, [12, 5])),
    'zero': err(lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 20, [0, 5])),
    'tooBig': err(lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 20, [5, 20])),
    'repeated': err(lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 20, [5, 5])),
    'fraction': err(lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 20, [5, 7.5])),
    'batch': err(lambda: mm(x2, torch.tensor([1, 2]))),
    'input3d': err(lambda: mm(torch.randn(3, 2, 8), torch.tensor([1, 2, 3]))),
    'input2dTarget0d': err(lambda: mm(x2, torch.tensor(1))),
    'target2d': err(lambda: mm(x2, torch.tensor([[1, 2, 3]]))),
    'range': err(lambda: mm(x2, torch.tensor([1, 20, 3]))),
    'negative': err(lambda: mm(x2, torch.tensor([-1, 2, 25]))),
}

with open('test/fixtures/nn-more5.json', 'w') as fh:
    json.dump(out, fh)
print('wrote test/fixtures/nn-more5.json')
