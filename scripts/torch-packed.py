# PyTorch 1.13's packed sequences (torch.nn.utils.rnn) and nn.RNN/LSTM/GRU on packed input, for
# test/packed.test.ts: /usr/bin/python3 scripts/torch-packed.py -> test/fixtures/packed.json
# Values are written as flat lists of float32 numbers (the test compares them within a tolerance); the
# inputs and weights are written too, so the test builds the same tensors.
import torch, torch.nn as nn, json, os, warnings
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence, pack_sequence, unpack_sequence, unpad_sequence
from torch_fixture import err, ramp
warnings.simplefilter('ignore')
torch.manual_seed(0)
out = {}
flat = lambda t: t.detach().reshape(-1).tolist()
ints = lambda t: None if t is None else t.tolist()

def data(name, *shape, scale=1.0):
    t = torch.randn(*shape) * scale
    out['in_' + name] = flat(t)
    return t.clone()

def packed_fields(p):
    return {'data': flat(p.data), 'shape': list(p.data.shape), 'batch_sizes': ints(p.batch_sizes), 'sorted': ints(p.sorted_indices), 'unsorted': ints(p.unsorted_indices)}

# ------------------------------------------------------------------ packing and unpacking
x = data('x', 5, 4, 3).requires_grad_()  # [T=5, B=4, 3]
cases = {
    'sorted': dict(lengths=[5, 3, 3, 1], batch_first=False, enforce_sorted=True),
    'unsorted': dict(lengths=[2, 5, 1, 4], batch_first=False, enforce_sorted=False),
    'ties': dict(lengths=[3, 5, 3, 5], batch_first=False, enforce_sorted=False),
    'bf_unsorted': dict(lengths=[1, 3, 5, 2], batch_first=True, enforce_sorted=False),
    'short': dict(lengths=[3, 2, 2, 1], batch_first=False, enforce_sorted=True),  # shorter than T
}
for k, c in cases.items():
    x.grad = None
    inp = x.transpose(0, 1) if c['batch_first'] else x
    p = pack_padded_sequence(inp, c['lengths'], batch_first=c['batch_first'], enforce_sorted=c['enforce_sorted'])
    pad, lens = pad_packed_sequence(p, batch_first=c['batch_first'], padding_value=-2.5, total_length=6)
    (pad * ramp(pad)).sum().backward()
    out['pack_' + k] = {**c, **packed_fields(p), 'padded': flat(pad), 'padded_shape': list(pad.shape), 'lengths_out': ints(lens), 'grad': flat(x.grad),
                        'default_pad': flat(pad_packed_sequence(p, batch_first=c['batch_first'])[0]),
                        'unpacked': [flat(s) for s in unpack_sequence(p)]}

seqs = [torch.tensor([1, 2]), torch.tensor([3, 4, 5]), torch.tensor([6])]
out['pack_sequence'] = packed_fields(pack_sequence(seqs, enforce_sorted=False))
out['pack_sequence_sorted'] = packed_fields(pack_sequence([seqs[1], seqs[0], seqs[2]]))
out['unpad'] = [flat(s) for s in unpad_sequence(x.detach()[:, :3], torch.tensor([2, 5, 3]))]
out['unpad_bf'] = [flat(s) for s in unpad_sequence(x.detach()[:3].transpose(0, 1), torch.tensor([2, 1, 3]), batch_first=True)]
xi = torch.arange(12.).reshape(4, 3, 1)
out['repr'] = {
    'unsorted': repr(pack_padded_sequence(xi, [2, 4, 2], enforce_sorted=False)),
    'sorted': repr(pack_padded_sequence(xi, torch.tensor([4, 2, 2]))),
    'ints': repr(pack_sequence(seqs, enforce_sorted=False)),
    'double': repr(pack_padded_sequence(xi, [4, 2, 1]).to(torch.float64)),
}

# ------------------------------------------------------------------ RNNs on packed input
rnn_cases = {
    'lstm': dict(mode='LSTM', layers=1, bidir=False, bf=False, lengths=[5, 3, 3, 1], sorted=True, hx=True, bias=True),
    'gru_2l_bi_bf': dict(mode='GRU', layers=2, bidir=True, bf=True, lengths=[2, 5, 1, 4], sorted=False, hx=True, bias=True),
    'rnn_bi': dict(mode='RNN', layers=1, bidir=True, bf=False, lengths=[4, 4, 2], sorted=True, hx=False, bias=True),
    'rnn_relu_2l': dict(mode='RNN_RELU', layers=2, bidir=False, bf=False, lengths=[1, 3, 2], sorted=False, hx=True, bias=True),
    'lstm_2l_bi_bf': dict(mode='LSTM', layers=2, bidir=True, bf=True, lengths=[3, 5, 2, 5], sorted=False, hx=True, bias=True),
    'gru_nobias_one': dict(mode='GRU', layers=1, bidir=True, bf=False, lengths=[3], sorted=True, hx=False, bias=False),
    'lstm_bi_nohx': dict(mode='LSTM', layers=1, bidir=True, bf=False, lengths=[2, 4, 1], sorted=False, hx=False, bias=True),
    'gru_equal': dict(mode='GRU', layers=1, bidir=False, bf=False, lengths=[2, 2], sorted=True, hx=True, bias=True),
}
I, H = 3, 4
for k, c in rnn_cases.items():
    kw = dict(num_layers=c['layers'], bidirectional=c['bidir'], batch_first=c['bf'], bias=c['bias'])
    m = {'LSTM': lambda: nn.LSTM(I, H, **kw), 'GRU': lambda: nn.GRU(I, H, **kw), 'RNN': lambda: nn.RNN(I, H, **kw), 'RNN_RELU': lambda: nn.RNN(I, H, nonlinearity='relu', **kw)}[c['mode']]()
    with torch.no_grad():
        for pn, prm in m.named_parameters(): prm.copy_(data(f'{k}_{pn}', *prm.shape, scale=0.5))
    B, T, D, L = len(c['lengths']), max(c['lengths']), 2 if c['bidir'] else 1, c['layers']
    xx = data(f'{k}_x', *((B, T, I) if c['bf'] else (T, B, I))).requires_grad_()
    args = []
    if c['hx']:
        h0 = data(f'{k}_h0', L * D, B, H).requires_grad_()
        if c['mode'] == 'LSTM':
            c0 = data(f'{k}_c0', L * D, B, H).requires_grad_()
            args = [(h0, c0)]
        else:
            args = [h0]
    p = pack_padded_sequence(xx, c['lengths'], batch_first=c['bf'], enforce_sorted=c['sorted'])
    po, hn = m(p, *args)
    cn = None
    if c['mode'] == 'LSTM': hn, cn = hn
    pad, lens = pad_packed_sequence(po, batch_first=c['bf'])
    loss = (pad * ramp(pad)).sum() + (hn * ramp(hn).flip(0)).sum()
    if cn is not None: loss = loss + (cn * ramp(cn).flip(1)).sum()
    loss.backward()
    r = {**c, 'out_packed': flat(po.data), 'out_shape': list(po.data.shape), 'batch_sizes': ints(po.batch_sizes), 'sorted_indices': ints(po.sorted_indices),
         'padded': flat(pad), 'padded_shape': list(pad.shape), 'hn': flat(hn), 'hn_shape': list(hn.shape), 'grad_x': flat(xx.grad),
         'grads': {pn: flat(prm.grad) for pn, prm in m.named_parameters()}}
    if cn is not None: r['cn'] = flat(cn)
    if c['hx']:
        r['grad_h0'] = flat(h0.grad)
        if c['mode'] == 'LSTM': r['grad_c0'] = flat(c0.grad)
    out['rnn_' + k] = r

# ------------------------------------------------------------------ errors
x3 = torch.arange(12.).reshape(4, 3, 1)
pk = pack_padded_sequence(x3, [4, 2, 2])
errors = {
    'not_sorted': lambda: pack_padded_sequence(x3, [2, 4, 2]),
    'not_sorted_seq': lambda: pack_sequence([torch.ones(1), torch.ones(2)]),
    'zero_length': lambda: pack_padded_sequence(x3, [4, 2, 0]),
    'negative_unsorted': lambda: pack_padded_sequence(x3, [4, -2, 1], enforce_sorted=False),
    'lengths_count': lambda: pack_padded_sequence(x3, [4, 2]),
    'empty': lambda: pack_padded_sequence(torch.ones(0, 3), [1, 1, 1]),
    'empty_seq': lambda: pack_sequence([torch.ones(0, 3)]),
    'no_sequences': lambda: pack_sequence([]),
    'total_length': lambda: pad_packed_sequence(pk, total_length=3),
    'input_size': lambda: nn.GRU(2, 2)(pk),
    'hidden_size': lambda: nn.GRU(1, 2)(pk, torch.zeros(1, 2, 2)),
    'hidden_size_lstm': lambda: nn.LSTM(1, 2, num_layers=2)(pk, (torch.zeros(2, 3, 2), torch.zeros(1, 3, 2))),
    'hidden_2d': lambda: nn.RNN(1, 2)(pk, torch.zeros(1, 3)),
}
out['errors'] = {k: err(f) for k, f in errors.items()}

with open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'packed.json'), 'w') as fh:
    json.dump(out, fh, separators=(',', ':'))
