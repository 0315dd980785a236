# Makes the .pt fixtures that test/io.test.ts reads (PyTorch's own torch.save files) and
# test/fixtures/pt-expected.json, the values they hold as python3-torch prints them.
#   /usr/bin/python3 scripts/torch-pt.py        (PyTorch 1.13; run from the repository root)
import json, os, zipfile
import torch

out = 'test/fixtures'
torch.manual_seed(0)

# 1. A trained model's state_dict: Linear, ReLU, Linear, BatchNorm1d (running stats and an int64
#    num_batches_tracked), and its forward output in eval mode for a fixed input.
net = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3), torch.nn.BatchNorm1d(3))
opt = torch.optim.SGD(net.parameters(), lr=0.1)
for _ in range(3):
    opt.zero_grad()
    net(torch.randn(8, 4)).pow(2).mean().backward()
    opt.step()
net.eval()
x = (torch.arange(8.).reshape(2, 4) - 3) / 4
torch.save(net.state_dict(), f'{out}/pt-net.pt')
expected = {
    'net': {k: {'dtype': str(v.dtype), 'shape': list(v.shape), 'values': v.tolist()} for k, v in net.state_dict().items()},
    'input': x.tolist(),
    'output': net(x).tolist(),
}

# 2. Every dtype, 0-d and empty tensors, views sharing one storage (a transposed slice, a row with a
#    storage offset), a Parameter, and nested dicts/lists/tuples of numbers, strings and None.
base = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 8
tensors = {
    'f32': torch.tensor([1.5, -2.25, 3e-8]),
    'f64': torch.tensor([1 / 3, -1e300], dtype=torch.float64),
    'i32': torch.tensor([[1, -2], [2**31 - 1, -2**31]], dtype=torch.int32),
    'i64': torch.tensor([1, -2, 2**40, -2**53 + 1], dtype=torch.int64),
    'bool': torch.tensor([True, False, True]),
    'f16': torch.tensor([1.5, -2.25, 65504, 2**-24], dtype=torch.float16),
    'bf16': torch.tensor([1.5, -3e38, 0.1], dtype=torch.bfloat16),
    'u8': torch.tensor([0, 7, 255], dtype=torch.uint8),
    'i8': torch.tensor([-128, 5, 127], dtype=torch.int8),
    'i16': torch.tensor([-32768, 300], dtype=torch.int16),
    'scalar': torch.tensor(2.5, dtype=torch.float64),
    'empty': torch.zeros(0, 3),
    'base': base,
    'view': base.t()[1:],          # [3, 3], strides (1, 4), storage offset 1: shares base's storage
    'row': base[2],                # [4], storage offset 8: shares it too
    'param': torch.nn.Parameter(torch.tensor([[0.5, -1.0]])),
}
assert tensors['view'].storage().data_ptr() == base.storage().data_ptr()
doc = {
    'tensors': tensors,
    'meta': {'epoch': 7, 'lr': 0.125, 'name': 'troupe', 'none': None, 'flag': True, 'big': 2**40, 'neg': -70000},
    'list': [1, 'two', [3.5, None], (4, 5)],
    'nested': {'a': {'b': [torch.tensor([1, 2, 3], dtype=torch.int32), {'c': torch.tensor(True)}]}},
}
torch.save(doc, f'{out}/pt-dtypes.pt')
storage = lambda t: t.float() if t.dtype in (torch.float16, torch.bfloat16) else t
expected['dtypes'] = {k: {'dtype': str(v.dtype), 'shape': list(v.shape), 'values': storage(v).tolist()} for k, v in tensors.items()}

# 3. The same model file with its records compressed (DEFLATE), as a zip tool might rewrite it.
with zipfile.ZipFile(f'{out}/pt-net.pt') as z, zipfile.ZipFile(f'{out}/pt-deflated.pt', 'w', zipfile.ZIP_DEFLATED) as w:
    for i in z.infolist():
        w.writestr(i.filename, z.read(i.filename))
assert torch.load(f'{out}/pt-deflated.pt').keys() == net.state_dict().keys()

# 4. What troupe refuses, by name: a pickled class of the script's own, and a complex tensor.
class Note:
    def __init__(self): self.text = 'hi'
Note.__module__ = 'mylib'
import sys, types
sys.modules['mylib'] = types.ModuleType('mylib'); sys.modules['mylib'].Note = Note
torch.save({'w': torch.ones(2), 'note': Note()}, f'{out}/pt-custom.pt')
torch.save({'z': torch.tensor([1 + 2j])}, f'{out}/pt-complex.pt')
# ... and the pre-1.6 (non-zip) format.
torch.save({'w': torch.ones(2)}, f'{out}/pt-legacy.pt', _use_new_zipfile_serialization=False)

with open(f'{out}/pt-expected.json', 'w') as f:
    json.dump(expected, f)
    f.write('\n')
print('torch', torch.__version__, 'wrote', sorted(n for n in os.listdir(out) if n.startswith('pt-')))
