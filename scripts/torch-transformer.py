# PyTorch 1.13's printed values, gradients, printed modules, parameter names and errors of MultiheadAttention
# and the transformer layers (test/nn-transformer.test.ts): /usr/bin/python3 scripts/torch-transformer.py
# Every module's weights are set as the test sets them: parameter i (named_parameters order) filled with
# ((k * (i + 3)) % 7 - 3) / 10, k the element index; dropout 0 (training mode: the slow, differentiable path).
import torch, torch.nn as nn, torch.nn.functional as F, json, os, warnings
warnings.simplefilter('ignore')
torch.set_printoptions(precision=4)
out = {}
def setw(m):
    with torch.no_grad():
        for i, (n, p) in enumerate(m.named_parameters()):
            k = torch.arange(p.numel()).reshape(p.shape).float()
            p.copy_((((k * (i + 3)) % 7) - 3) / 10)
    return m
def names(m): return [n for n, _ in m.named_parameters()]
def shapes(m): return [list(p.shape) for p in m.parameters()]
def err(f):
    try: f(); return 'no error'
    except Exception as e: return str(e).split('\n')[0]
ramp = lambda t: torch.arange(t.numel()).reshape(t.shape).float()

q = ((torch.arange(3*2*4).reshape(3, 2, 4).float() % 5) - 2) / 4
kv = ((torch.arange(5*2*4).reshape(5, 2, 4).float() % 7) - 3) / 5
mha = setw(nn.MultiheadAttention(4, 2))
out['mha_repr'] = str(mha); out['mha_names'] = names(mha); out['mha_shapes'] = shapes(mha)
qg, kvg = q.clone().requires_grad_(), kv.clone().requires_grad_()
o, w = mha(qg, kvg, kvg)
(o.sum() + (w * ramp(w)).sum()).backward()
out['mha'] = [str(o), str(w), str(qg.grad), str(kvg.grad), o.grad_fn.name(), w.grad_fn.name()]
# separate key and value tensors (three projections)
qg, kg, vg = q.clone().requires_grad_(), kv.clone().requires_grad_(), kv.flip(0).clone().requires_grad_()
o, w = mha(qg, kg, vg)
(o * ramp(o)).sum().backward()
out['mha_kv'] = [str(o), str(w), str(qg.grad), str(kg.grad), str(vg.grad)]
am = torch.tensor([[False, True, False, False, True], [False, False, False, True, True], [True, False, False, False, False]])
kpm = torch.tensor([[False, False, False, False, True], [True, False, False, False, False]])
o, w = mha(q, kv, kv, key_padding_mask=kpm, attn_mask=am)
out['masked'] = [str(o), str(w)]
o, w = mha(q, kv, kv, key_padding_mask=kpm)
out['kpm_only'] = [str(o), str(w)]
fm = torch.arange(15).reshape(3, 5).float().div(-10)
o, w = mha(q, kv, kv, attn_mask=fm, average_attn_weights=False)
out['float_mask'] = [str(o), str(w)]
o, w = mha(q, kv, kv, attn_mask=fm, key_padding_mask=kpm)
out['float_mask_kpm'] = [str(o), str(w)]
fkpm = torch.tensor([[0., -1., 0., 0.5, 0.], [0., 0., -2., 0., 0.]])
o, w = mha(q, kv, kv, key_padding_mask=fkpm)
out['float_kpm'] = [str(o), str(w)]
am3 = torch.arange(4*3*5).reshape(4, 3, 5) % 3 == 0
o, w = mha(q, kv, kv, attn_mask=am3, average_attn_weights=False)
out['mask3d'] = [str(o), str(w)]
o, w = mha(q, q, q, need_weights=False)
out['self'] = [str(o), str(w)]
bf = setw(nn.MultiheadAttention(4, 1, batch_first=True, bias=False))
o, w = bf(q.transpose(0, 1), kv.transpose(0, 1), kv.transpose(0, 1))
out['bf'] = [str(bf), names(bf), str(o), str(w)]
ub = torch.tensor([False, True, False, False, False])
o, w = mha(q[:, 0], kv[:, 0], kv[:, 0], key_padding_mask=ub)
out['unbatched'] = [list(o.shape), list(w.shape), str(o), str(w)]
kd = setw(nn.MultiheadAttention(4, 2, kdim=3, vdim=5))
kk = ((torch.arange(5*2*3).reshape(5, 2, 3).float() % 4) - 1.5) / 3
vv = ((torch.arange(5*2*5).reshape(5, 2, 5).float() % 6) - 2) / 4
kk.requires_grad_(); vv.requires_grad_()
o, w = kd(q, kk, vv)
(o * ramp(o)).sum().backward()
out['kdim'] = [str(kd), names(kd), shapes(kd), str(o), str(w), str(kk.grad), str(vv.grad)]
bk = setw(nn.MultiheadAttention(4, 2, add_bias_kv=True, add_zero_attn=True))
o, w = bk(q, kv, kv, key_padding_mask=kpm, attn_mask=am)
out['biaskv'] = [names(bk), shapes(bk), str(o), str(w)]
out['mha_errors'] = [err(f) for f in [
    lambda: nn.MultiheadAttention(5, 2),
    lambda: mha(q, kv[:, :1], kv[:, :1]),
    lambda: mha(q, kv, kv, attn_mask=torch.zeros(2, 2, dtype=torch.bool)),
    lambda: mha(q, kv, kv, attn_mask=torch.zeros(3, 3, 5, dtype=torch.bool)),
    lambda: mha(q, kv, kv, key_padding_mask=torch.zeros(2, 4, dtype=torch.bool)),
    lambda: mha(q.unsqueeze(0), kv, kv),
    lambda: mha(q, kv, kv, attn_mask=torch.zeros(3, 5, dtype=torch.long)),
    lambda: mha(q, kv, kv, key_padding_mask=torch.zeros(2, 5, dtype=torch.long)),
    lambda: mha(q, kv[0], kv[0]),
    lambda: mha(q, kv, kv[:4]),
]]

src = q.clone().requires_grad_()
enc = setw(nn.TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.0))
y = enc(src)
(y * ramp(y).div(10)).sum().backward()
out['enc'] = [str(enc), names(enc), str(y), y.grad_fn.name(), str(src.grad)]
enc2 = setw(nn.TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.0, activation='gelu', norm_first=True, batch_first=True))
kpm3 = torch.tensor([[False, False, True], [True, False, False]])
src2 = q.transpose(0, 1).clone().requires_grad_()
y = enc2(src2, src_key_padding_mask=kpm3)
(y * ramp(y).div(10)).sum().backward()
out['enc2'] = [str(y), str(src2.grad)]
stack = setw(nn.TransformerEncoder(enc, 2, norm=nn.LayerNorm(4), enable_nested_tensor=False))
mask = nn.Transformer.generate_square_subsequent_mask(3)
src3 = q.clone().requires_grad_()
y = stack(src3, mask=mask)
(y * ramp(y).div(10)).sum().backward()
out['stack'] = [str(stack), names(stack), str(mask), str(y), str(src3.grad)]
out['mask5'] = str(nn.Transformer.generate_square_subsequent_mask(5))

dec = setw(nn.TransformerDecoderLayer(4, 2, dim_feedforward=6, dropout=0.0))
tgt = ((torch.arange(4*2*4).reshape(4, 2, 4).float() % 3) - 1) / 3
tgt.requires_grad_()
mem = kv.clone().requires_grad_()
y = dec(tgt, mem, tgt_mask=nn.Transformer.generate_square_subsequent_mask(4), memory_key_padding_mask=kpm)
(y * ramp(y).div(10)).sum().backward()
out['dec'] = [str(dec), names(dec), str(y), str(tgt.grad), str(mem.grad)]
dec2 = setw(nn.TransformerDecoderLayer(4, 2, dim_feedforward=6, dropout=0.0, activation='gelu', norm_first=True))
out['dec2'] = [str(dec2(tgt.detach(), kv, memory_mask=torch.arange(20).reshape(4, 5) % 4 == 1, tgt_key_padding_mask=torch.tensor([[False] * 3 + [True], [False] * 4])))]
torch.manual_seed(0)
tf = nn.Transformer(d_model=4, nhead=2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=6, dropout=0.0)
setw(tf)
s4, t4 = q.clone().requires_grad_(), tgt.detach().clone().requires_grad_()
y = tf(s4, t4, tgt_mask=tf.generate_square_subsequent_mask(4), src_key_padding_mask=kpm3)
(y * ramp(y).div(10)).sum().backward()
out['tf'] = [str(tf), names(tf), shapes(tf), str(y), str(s4.grad), str(t4.grad)]
tfb = setw(nn.Transformer(d_model=4, nhead=1, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=3, dropout=0.0, batch_first=True))
out['tf_bf'] = [str(tfb(q.transpose(0, 1), tgt.detach().transpose(0, 1)))]
out['tf_errors'] = [err(f) for f in [
    lambda: tf(q, tgt[:, :1]),
    lambda: tf(q[..., :3], tgt),
    lambda: nn.TransformerEncoderLayer(4, 2, activation='tanh'),
    lambda: nn.TransformerEncoderLayer(4, 3),
    lambda: enc(q, src_key_padding_mask=torch.zeros(2, 3, dtype=torch.long)),
]]
json.dump(out, open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'transformer.json'), 'w'), indent=1)
