# PyTorch 1.13's values, dtypes and errors of the bitwise operations (test/bitwise.test.ts):
# /usr/bin/python3 scripts/torch-bitwise.py
# Shift counts stay inside [0, width): outside it PyTorch 1.13's CPU kernels shift by the count modulo the
# width (C's undefined shift), and PyTorch 2 defines the results (0, or the sign's fill), as troupe does;
# the test checks those cases against that definition by hand.
import torch, json, os
from torch_fixture import err

out = {}
L = lambda t: t.tolist()
D = lambda t: str(t.dtype).replace('torch.', '')

big = torch.tensor([0, 1, -1, 5, -8, 2**31 - 1, -2**31, 2**31, 2**40 + 3, -(2**40) - 7, 2**52 - 1, -(2**52)])
oth = torch.tensor([3, -2, 2**35 + 1, -1, 7, -(2**33), 2**31 - 1, -5, 2**41 - 1, 2**20, -(2**52), 12345])
i32 = torch.tensor([0, 1, -1, 5, -8, 2**31 - 1, -2**31, 1000, -77, 2**20], dtype=torch.int32)
j32 = torch.tensor([3, -2, 7, -1, 6, 65535, 1, -1000, 12, -(2**20)], dtype=torch.int32)
b1 = torch.tensor([True, False, True, False])
b2 = torch.tensor([True, True, False, False])

for name, f in [('and', torch.bitwise_and), ('or', torch.bitwise_or), ('xor', torch.bitwise_xor)]:
    out[name] = {
        'i64': L(f(big, oth)), 'i32': L(f(i32, j32)), 'bool': L(f(b1, b2)),
        'i64_scalar': L(f(big, -6)), 'scalar_i32': L(f(-6, i32)), 'i32_scalar': L(f(i32, 255)),
        'mixed': L(f(i32, big[:10])), 'bool_int': L(f(b1, torch.tensor([6, 7, 8, 9]))),
        'bcast': L(f(i32.reshape(2, 5), torch.tensor([[1], [-4]], dtype=torch.int32))),
        'dtypes': [D(f(i32, 3)), D(f(i32, big[:10])), D(f(b1, True)), D(f(b1, 3)), D(f(b1, torch.tensor([1, 2, 3, 4], dtype=torch.int32)))],
    }
out['not'] = {'i64': L(torch.bitwise_not(big)), 'i32': L(torch.bitwise_not(i32)), 'bool': L(torch.bitwise_not(b1)), 'dtype': D(torch.bitwise_not(i32))}

cnt64 = torch.tensor([0, 1, 63, 2, 60, 1, 0, 31, 12, 11, 1, 0])
cnt32 = torch.tensor([0, 31, 3, 1, 28, 1, 0, 21, 30, 11], dtype=torch.int32)
out['shl'] = {
    'i64': L(big[:8] << cnt64[:8]), 'i64_wrap': L(torch.tensor([1, -8, 5, 3, -1]) << torch.tensor([63, 60, 62, 62, 63])),
    'i32': L(i32 << cnt32), 'i64_scalar': L(big[:8] << 3), 'scalar': L(torch.bitwise_left_shift(3, cnt32)),
    'dtypes': [D(i32 << 2), D(torch.tensor([True, False]) << 1), D(i32 << cnt64[:10])],
}
out['shr'] = {
    'i64': L(big >> cnt64), 'i32': L(i32 >> cnt32), 'i64_scalar': L(big >> 7), 'i32_scalar': L(i32 >> 4),
    'scalar': L(torch.bitwise_right_shift(-1000, torch.tensor([0, 1, 2, 9, 10]))),
}
x = torch.tensor([12, 10, -3], dtype=torch.int32)
x.bitwise_and_(torch.tensor([10, 6, 2**40 + 5]))
y = torch.tensor([1, 2, 3])
y.bitwise_left_shift_(2)
z = torch.tensor([True, False])
z.bitwise_xor_(torch.tensor([True, True]))
w = torch.tensor([5, 6])
w.bitwise_not_()
out['inplace'] = [L(x), L(y), L(z), L(w)]
out['errors'] = [
    err(lambda: torch.bitwise_and(torch.tensor([1.0]), 1)), err(lambda: torch.bitwise_or(torch.tensor([1]), 1.5)),
    err(lambda: torch.bitwise_xor(torch.tensor([1.0], dtype=torch.float64), torch.tensor([1]))),
    err(lambda: torch.bitwise_not(torch.tensor([1.0]))), err(lambda: torch.tensor([1.0]) << 1),
    err(lambda: torch.tensor([True]) << torch.tensor([True])), err(lambda: torch.tensor([True]) >> torch.tensor([False])),
    err(lambda: torch.tensor([True, False]).bitwise_and_(torch.tensor([1, 2]))),
    err(lambda: torch.bitwise_and(torch.tensor([1, 2, 3]), torch.tensor([1, 2]))),
]

with open(os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'bitwise.json'), 'w') as f:
    json.dump(out, f)
print(json.dumps(out)[:3000])
