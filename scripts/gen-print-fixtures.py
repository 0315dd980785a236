#!/usr/bin/python3
"""Generate test/fixtures/print-cases.json: PyTorch's own str(tensor) for a wide, deterministic table of tensors.

Run with Debian's python3-torch (1.13):  /usr/bin/python3 scripts/gen-print-fixtures.py

Each case stores the tensor's values exactly (float32 values as the exact double they convert to, written
with repr so JSON round-trips bit-exactly; nan/inf/-inf as the strings "nan"/"inf"/"-inf"; bool as 0/1),
its shape, dtype, flags (requiresGrad / gradFn / device) and the string PyTorch prints.

PyTorch cannot make a 'gpu:0' device, so device cases are derived: the tensor body comes from PyTorch's
own torch._tensor_str._tensor_str and the suffixes (device first, then size/dtype, then grad_fn or
requires_grad) go through PyTorch's own _add_suffixes, i.e. the rules of _str_intern with the device
suffix substituted in. That derivation is checked against str(t) on every non-device case.

The file also holds a table of number formats ('{:.4f}', '{:.4e}', '{:.0f}' of exact doubles) to pin
Python's round-half-even formatting of the exact binary value.
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
from torch._tensor_str import _add_suffixes, _tensor_str

torch.set_printoptions(profile="default")

DTYPES = {
    torch.float32: "float32",
    torch.float64: "float64",
    torch.int32: "int32",
    torch.int64: "int64",
    torch.bool: "bool",
}
TORCH_DTYPE = {v: k for k, v in DTYPES.items()}

cases = []
names = set()


def enc(v):
    if isinstance(v, bool):
        return 1 if v else 0
    if isinstance(v, int):
        assert abs(v) <= 2**53, v
        return v
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v  # json writes repr(float) -> exact round trip


def derived_str(t, device=None):
    """str(t) rebuilt from PyTorch's own pieces, optionally with a device suffix substituted in."""
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    if device is not None:
        suffixes.append("device='" + device + "'")
    d = t.detach()
    if d.numel() == 0:
        if d.dim() != 1:
            suffixes.append("size=" + str(tuple(d.shape)))
        if d.dtype != torch.get_default_dtype():
            suffixes.append("dtype=" + str(d.dtype))
        body = "[]"
    else:
        if d.dtype not in (torch.get_default_dtype(), torch.int64, torch.bool):
            suffixes.append("dtype=" + str(d.dtype))
        with torch.no_grad():
            body = _tensor_str(d, indent)
    if t.grad_fn is not None:
        suffixes.append("grad_fn=<{}>".format(type(t.grad_fn).__name__))
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent, False)


def add(name, t, device=None):
    assert name not in names, name
    names.add(name)
    d = t.detach().contiguous()
    case = {
        "name": name,
        "shape": list(d.shape),
        "dtype": DTYPES[d.dtype],
        "data": [enc(v) for v in d.reshape(-1).tolist()],
    }
    if t.grad_fn is not None:
        case["gradFn"] = type(t.grad_fn).__name__
    elif t.requires_grad:
        case["requiresGrad"] = True
    if device is not None:
        case["device"] = device
        case["expected"] = derived_str(t, device)
    else:
        s = str(t)
        assert derived_str(t) == s, (name, derived_str(t), s)
        case["expected"] = s
    cases.append(case)


def T(data, dtype="float32", **kw):
    return torch.tensor(data, dtype=TORCH_DTYPE[dtype], **kw)


rng = np.random.RandomState(20240607)


def randn(*shape, dtype="float32", scale=1.0):
    a = rng.standard_normal(size=shape) * scale
    return torch.tensor(a, dtype=TORCH_DTYPE[dtype])


def short_floats(n, dtype="float32", step=0.25, offset=-3.0):
    # values with short reprs keep the JSON small for the big summarized cases
    a = (np.arange(n) % 97) * step + offset
    return torch.tensor(a, dtype=TORCH_DTYPE[dtype])


# ---------------------------------------------------------------- seed tour and basics
add("seed/ones_3x2", torch.ones(3, 2))
add("seed/float64_randn5", T([-0.22648217, 2.33063636, -2.35281499, 1.52592661, 0.05184195], "float64"))
add("seed/tiny_3x2", T([5.1069e-36, 0, 0, 0, 0, 0]).reshape(3, 2))
add("seed/int_scalar_4", torch.tensor(4))
x = torch.full((2, 3), 37.0, requires_grad=True)
add("seed/sum_222_gradfn", (x.sum()))
add("seed/scalar_237", T(237.3524))
add("seed/vec_237", T([237.3524, -12.5, 0.0625]))
add("basic/zeros_2x3", torch.zeros(2, 3))
add("basic/zeros_1", torch.zeros(1))
add("basic/ones_int64_5", torch.ones(5, dtype=torch.int64))
add("basic/arange10", torch.arange(10))
add("basic/arange10_float", torch.arange(10).float())
add("basic/arange10_float64", torch.arange(10, dtype=torch.float64))
add("basic/arange10_int32", torch.arange(10, dtype=torch.int32))
add("basic/eye3", torch.eye(3))
add("basic/full_7", torch.full((2, 2), 7.0))
add("basic/linspace", torch.linspace(0, 1, 7))
add("basic/linspace64", torch.linspace(-1, 1, 9, dtype=torch.float64))
add("basic/arange_neg", torch.arange(-5, 5))
add("basic/one_elem", T([3.5]))
add("basic/one_elem_2d", T([[3.5]]))
add("basic/one_elem_3d", T([[[3.5]]]))
add("basic/one_elem_4d", T([[[[-2.0]]]]))

# ---------------------------------------------------------------- 0-d
for i, (v, dt) in enumerate([
    (4.0, "float32"), (0.0, "float32"), (-0.0, "float32"), (float("nan"), "float32"),
    (float("inf"), "float32"), (float("-inf"), "float32"), (1e-5, "float32"), (1e10, "float32"),
    (-3.25, "float32"), (0.1, "float32"), (0.1, "float64"), (123456789.0, "float64"), (1e-300, "float64"),
    (2.5, "float64"), (-7.0, "float64"), (1e8, "float32"), (100000001.0, "float64"), (0.03125, "float32"),
    (0, "int64"), (-17, "int64"), (2**40, "int64"), (7, "int32"), (-2**31, "int32"), (True, "bool"),
    (False, "bool"), (5e-324, "float64"), (1.7976931348623157e308, "float64"), (3.4028234663852886e38, "float32"),
]):
    add(f"scalar/{i}_{dt}", T(v, dt))
x = torch.tensor(3.0, requires_grad=True)
add("scalar/requires_grad", x)
add("scalar/requires_grad_f64", torch.tensor(-0.5, dtype=torch.float64, requires_grad=True))
add("scalar/mul_gradfn", x * 2)
add("scalar/mean_gradfn", torch.tensor([1.0, 2.0, 4.0], requires_grad=True).mean())
add("scalar/sum_f64_gradfn", torch.tensor([1.5, 2.25], dtype=torch.float64, requires_grad=True).sum())

# ---------------------------------------------------------------- random shapes, float32/float64
shapes = [(1,), (2,), (5,), (8,), (3, 4), (4, 1), (1, 4), (2, 3, 4), (2, 1, 3), (1, 1, 1), (3, 3, 3),
          (2, 2, 2, 2), (3, 2, 1, 2), (1, 2, 1, 2), (2, 3, 2, 2)]
for dt in ("float32", "float64"):
    for s in shapes:
        add(f"randn/{dt}_{'x'.join(map(str, s))}", randn(*s, dtype=dt))

# ---------------------------------------------------------------- scales (fixed vs sci mode)
for dt in ("float32", "float64"):
    for sc in (1e-10, 1e-5, 1e-4, 1e-3, 1e-2, 1e2, 1e3, 1e4, 1e5, 1e7, 1e8, 1e9, 1e20):
        add(f"scale/{dt}_{sc:g}", randn(6, dtype=dt, scale=sc))
    add(f"scale/{dt}_2d_1e-6", randn(3, 3, dtype=dt, scale=1e-6))
    add(f"scale/{dt}_3d_1e6", randn(2, 2, 3, dtype=dt, scale=1e6))
add("scale/float32_1e-38", randn(5, scale=1e-38))
add("scale/float32_1e38", randn(5, scale=1e38))
add("scale/float32_subnormal", T([1e-45, 3e-45, -1e-40, 1.0e-39]))
add("scale/float64_1e300", randn(4, dtype="float64", scale=1e300))
add("scale/float64_1e-300", randn(4, dtype="float64", scale=1e-300))
add("scale/float64_subnormal", T([5e-324, -1e-310, 2.5e-320], "float64"))
add("scale/float64_extremes", T([1.7976931348623157e308, 5e-324, -1.0], "float64"))
add("scale/float32_max", T([3.4028234663852886e38, -3.4028234663852886e38, 1.0]))

# ---------------------------------------------------------------- mixed magnitudes / mode boundaries
mixed = [
    [1e-3, 1.0, 10.0], [1e-4, 0.5], [0.0001, 0.1], [0.00009999, 0.05], [1.5, 1500.0], [1.5, 1501.0],
    [1.5, 1499.0], [1.0, 1000.0], [1.0, 1001.0], [2.0, 2000.0], [2.0, 2002.0], [1e8], [1e8, 1.0],
    [100000008.0], [1.5e8], [99999999.0, 1.5], [0.25, 250.0], [0.25, 250.5], [0.001, 1.0], [0.001, 1.0001],
    [123.456, 0.5], [12345.678, 99.5], [-1e-3, 1e-1, -12.0], [3.14159, -2.71828, 1e-4], [0.5, 1e5],
    [1e-4, 1e-4, 1e-4], [1e-5, 2e-5], [-1e-5], [65504.0, 0.125], [1.0, -1.0, 0.5, -0.5], [99999.5, 1.5],
    [999.99995, 1.0], [9.99995, 0.5], [0.99995, 0.5], [-9.99995, 0.5], [10.0, 0.01], [10.0, 0.0099],
]
for dt in ("float32", "float64"):
    for i, m in enumerate(mixed):
        add(f"mixed/{dt}_{i}", T(m, dt))

# ---------------------------------------------------------------- negative zeros
negz = [[-0.0], [-0.0, 0.0], [-0.0, 0.0, 1.0], [-0.0, 1.5], [-0.0, -1.5, 2.25], [-0.0, 1e-5],
        [-0.0, -1e-5, 1e-5], [-0.0, 1e9], [-0.0, -0.0, -0.0], [0.0, -0.0, float("nan")],
        [-0.0, 12345.5], [-0.0, 100.0]]
for dt in ("float32", "float64"):
    for i, m in enumerate(negz):
        add(f"negzero/{dt}_{i}", T(m, dt))
add("negzero/2d", T([[-0.0, 1.0], [2.0, -0.0]]))
add("negzero/neg_of_zeros", -torch.zeros(2, 2))

# ---------------------------------------------------------------- integers stored as floats
ints = [[1.0, 2.0, 3.0], [-1.0, 100.0], [-5.0, 5.0], [1e7, 1.0], [1e15], [1e15, 1.0], [1000.0, 1.0],
        [1001.0, -1.0], [0.0, 10.0, -100.0], [16777216.0, 1.0], [16777217.0], [-123456.0, 7.0],
        [100000000.0, 2.0], [100000001.0], [2.0**60, 1.0], [12.0, float("nan")], [12.0, float("inf")],
        [-3.0, float("-inf"), float("nan"), 4.0], [0.0, 0.0, 0.0], [1.0, 1000000.0]]
for dt in ("float32", "float64"):
    for i, m in enumerate(ints):
        add(f"intfloat/{dt}_{i}", T(m, dt))
add("intfloat/2d", T([[1.0, -20.0, 300.0], [4000.0, 5.0, 6.0]]))
add("intfloat/3d_sci", T([[[1.0, 2.0]], [[3e9, 4.0]]]))

# ---------------------------------------------------------------- nan / inf
nan, inf = float("nan"), float("inf")
nans = [[nan], [nan, nan], [nan, nan, nan, nan], [inf], [-inf], [inf, -inf], [nan, inf, -inf],
        [1.0, nan], [1.5, nan, inf, -inf], [1e-5, nan], [1e10, inf], [0.0, nan], [0.0, inf],
        [1.0, 2.0, nan], [1e-6, nan, -inf], [-0.5, nan, 0.25, inf], [123.25, -inf], [1e-5, 1.0, inf],
        [nan, 0.0, -0.0], [1e20, -inf, nan]]
for dt in ("float32", "float64"):
    for i, m in enumerate(nans):
        add(f"nonfinite/{dt}_{i}", T(m, dt))
add("nonfinite/2d_mixed", T([[nan, 1.5], [inf, -2.25], [-inf, 0.0]]))
add("nonfinite/2d_allnan", torch.full((2, 3), nan))
add("nonfinite/3d_sci", T([[[nan, 1e-7]], [[inf, -3e-6]]]))
add("nonfinite/log_zero", torch.log(torch.tensor([0.0, 1.0, 2.0])))
add("nonfinite/div_zero", torch.tensor([1.0, -1.0, 0.0]) / 0.0)

# ---------------------------------------------------------------- rounding ties (half-to-even on the exact value)
odd32 = [k / 32 for k in range(1, 64, 2)]
add("ties/fixed_k32_float32", T(odd32))
add("ties/fixed_k32_float64", T(odd32, "float64"))
add("ties/fixed_neg_k32", T([-k for k in odd32[:12]] + [0.5], "float64"))
add("ties/fixed_big", T([1000.03125, 999.15625, 12.40625, 7.84375], "float64"))
add("ties/sci_dyadic", T([1.03125, 1e-5, 3.15625, -2.40625, 5.09375, 7.96875], "float64"))
add("ties/sci_int", T([123455.0, 123465.0, 1e9, 234565.0, 100005.0, 999995.0], "float64"))
add("ties/sci_int32", T([123455.0, 123465.0, 1e9, 234565.0, 100005.0, 999995.0]))
add("ties/sci_small", T([1.03125e-3 * 0 + 0.0009765625 * 1.0546875, 2.0**-20 * 1.09375, 1.0], "float64"))
add("ties/fixed_float32_values", T([0.1, 0.2, 0.3, 0.7, 1.1, 2.675, 1.0005, 0.00015, 1.00005]))
add("ties/fixed_float64_values", T([0.1, 0.2, 0.3, 0.7, 1.1, 2.675, 1.0005, 0.00015, 1.00005], "float64"))
add("ties/round_up_carry", T([9.99995, 99.99996, 0.99999, 9.5], "float64"))
add("ties/sci_carry", T([9.99995e-7, 9.99996e-7, 1.0], "float64"))
add("ties/sci_carry32", T([9.99995e-7, 9.99996e-7, 1.0]))

# ---------------------------------------------------------------- integer dtypes
for dt in ("int64", "int32"):
    add(f"int/{dt}_neg", T([-1, 100, 0, -12345], dt))
    add(f"int/{dt}_2d", T([[1, 2, 3], [40, 50, 60]], dt))
    add(f"int/{dt}_3d", torch.arange(24, dtype=TORCH_DTYPE[dt]).reshape(2, 3, 4))
    add(f"int/{dt}_4d", torch.arange(-8, 8, dtype=TORCH_DTYPE[dt]).reshape(2, 2, 2, 2))
    add(f"int/{dt}_zeros", torch.zeros(3, dtype=TORCH_DTYPE[dt]))
    add(f"int/{dt}_randint", torch.tensor(rng.randint(-1000, 1000, size=(4, 5)), dtype=TORCH_DTYPE[dt]))
add("int/int32_limits", T([-2**31, 2**31 - 1, 0], "int32"))
add("int/int64_big", T([2**40, -2**53, 2**53, 7], "int64"))
add("int/int64_wrap", torch.arange(0, 3000, 37))
add("int/int64_wrap_neg", torch.arange(-3000, 3000, 71))
add("int/int32_wrap_2d", torch.arange(0, 180, dtype=torch.int32).reshape(3, 60) * 1000)

# ---------------------------------------------------------------- bool
add("bool/tf", T([True, False], "bool"))
add("bool/all_true", T([True, True, True], "bool"))
add("bool/all_false", T([False, False], "bool"))
add("bool/2d", T([[True], [False]], "bool"))
add("bool/3d", torch.tensor(rng.rand(2, 3, 4) > 0.5))
add("bool/cmp", torch.arange(6) > 2)
add("bool/long_row", torch.tensor(rng.rand(40) > 0.3))
add("bool/summarized", torch.tensor(rng.rand(1001) > 0.5))
add("bool/summarized_2d", torch.tensor(rng.rand(50, 30) > 0.5))
add("bool/summarized_all_true_shown", torch.cat([torch.ones(3, dtype=torch.bool), torch.zeros(1000, dtype=torch.bool), torch.ones(3, dtype=torch.bool)]))

# ---------------------------------------------------------------- empty tensors
empties = [((0,), "float32"), ((0, 3), "float32"), ((3, 0), "float32"), ((0,), "int64"), ((0,), "bool"),
           ((0,), "float64"), ((0,), "int32"), ((0, 2, 2), "int32"), ((2, 0, 3), "float64"), ((1, 0), "bool"),
           ((0, 0), "int64"), ((5, 0, 2, 1), "float32")]
for s, dt in empties:
    add(f"empty/{dt}_{'x'.join(map(str, s))}", torch.zeros(s, dtype=TORCH_DTYPE[dt]))
add("empty/requires_grad", torch.zeros(0, requires_grad=True))
add("empty/requires_grad_2d", torch.zeros(0, 3, dtype=torch.float64, requires_grad=True))
add("empty/gradfn", torch.zeros(0, 4, requires_grad=True) * 2)
add("empty/tensor_list", torch.tensor([]))

# ---------------------------------------------------------------- summarization threshold
for n in (999, 1000, 1001, 1002, 1500):
    add(f"summ/int64_{n}", torch.arange(n))
add("summ/float32_1000", short_floats(1000))
add("summ/float32_1001", short_floats(1001))
add("summ/float32_randn_1001", randn(1001))
add("summ/float64_randn_1200", randn(1200, dtype="float64"))
add("summ/float32_randn_1001_sci", randn(1001, scale=1e-6))
# the formatter only sees the summarized elements: a hidden huge value / nan / fraction must not matter
hidden = torch.arange(2000, dtype=torch.float32)
hidden[1000] = 1e12
hidden[1001] = float("nan")
hidden[1002] = 0.5
add("summ/hidden_values_ignored", hidden)
hid2 = torch.ones(40, 40)
hid2[20, 20] = 1e-9
hid2[3, 3] = 2.5
add("summ/hidden_2d", hid2)
add("summ/int_hidden_wide", torch.cat([torch.tensor([1, 2, 3]), torch.full((1000,), -123456789), torch.tensor([4, 5, 6])]))
add("summ/2d_40x30", short_floats(1200).reshape(40, 30))
add("summ/2d_30x40_int", torch.arange(1200).reshape(30, 40))
add("summ/2d_1001x1", short_floats(1001, step=1.0).reshape(1001, 1))
add("summ/2d_1x1001", short_floats(1001, step=1.0).reshape(1, 1001))
add("summ/2d_6x200", short_floats(1200, step=0.5).reshape(6, 200))
add("summ/2d_7x150", short_floats(1050, step=0.5).reshape(7, 150))
add("summ/2d_200x6", short_floats(1200, dtype="float64", step=0.125).reshape(200, 6))
add("summ/2d_randn_32x32", randn(32, 32))
add("summ/3d_11x10x10", short_floats(1100, step=0.5).reshape(11, 10, 10))
add("summ/3d_2x3x200_int32", torch.arange(1200, dtype=torch.int32).reshape(2, 3, 200))
add("summ/3d_7x7x21", short_floats(1029, step=0.75).reshape(7, 7, 21))
add("summ/3d_10x10x11_sci", short_floats(1100, step=1.0, offset=1.0).reshape(10, 10, 11) * 1e-6)
add("summ/4d_4x4x4x16", short_floats(1024, step=0.25).reshape(4, 4, 4, 16))
add("summ/4d_7x2x2x36", torch.arange(1008).reshape(7, 2, 2, 36))
add("summ/4d_2x2x2x126_f64", short_floats(1008, dtype="float64", step=2.0).reshape(2, 2, 2, 126))
add("summ/4d_6x6x6x6", torch.arange(1296).reshape(6, 6, 6, 6))
x = short_floats(1200, step=0.5).reshape(40, 30).requires_grad_()
add("summ/gradfn_2d", x + 5)
add("summ/requires_grad_float64", short_floats(1001, dtype="float64", step=0.5).requires_grad_())
add("summ/device_2d", short_floats(1200, step=0.5).reshape(40, 30), device="gpu:0")

# ---------------------------------------------------------------- long 1-d rows that wrap at 80 columns
add("wrap/arange100", torch.arange(100))
add("wrap/arange1000", torch.arange(1000))
add("wrap/arange100_float", torch.arange(100, dtype=torch.float32))
add("wrap/arange100_int32", torch.arange(100, dtype=torch.int32))
add("wrap/randn50", randn(50))
add("wrap/randn50_f64", randn(50, dtype="float64"))
add("wrap/randn30_sci", randn(30, scale=1e-6))
add("wrap/randn30_sci_f64", randn(30, dtype="float64", scale=1e6))
add("wrap/2d_3x50", randn(3, 50))
add("wrap/2d_3x40_f64", randn(3, 40, dtype="float64"))
add("wrap/3d_2x2x30", randn(2, 2, 30))
add("wrap/4d_2x1x2x25", randn(2, 1, 2, 25))
add("wrap/bool_3x40", torch.tensor(rng.rand(3, 40) > 0.5))
for w in range(1, 13):
    # vectors whose element width is w, lengths around a line's capacity
    base = 10 ** (w - 1)
    per = max(1, (80 - 7) // (w + 2))
    for n in (per - 1, per, per + 1, 2 * per + 1):
        if n >= 1:
            add(f"wrap/int_w{w}_n{n}", torch.tensor([base + (i % 9) for i in range(n)]))
for n in (7, 8, 9, 10, 16, 17):
    add(f"wrap/f32_n{n}", randn(n))

# ---------------------------------------------------------------- autograd: grad_fn and requires_grad
xa = torch.tensor(rng.standard_normal((2, 3)), dtype=torch.float32, requires_grad=True)
wa = torch.tensor(rng.standard_normal((3, 2)), dtype=torch.float32, requires_grad=True)
add("grad/leaf", xa)
add("grad/leaf_f64", torch.tensor(rng.standard_normal(4), dtype=torch.float64, requires_grad=True))
add("grad/add5", xa + 5)
add("grad/mul2", xa * 2)
add("grad/sub", xa - wa.t())
add("grad/div", xa / 3)
add("grad/sum", xa.sum())
add("grad/sum_dim", xa.sum(0))
add("grad/mean", xa.mean())
add("grad/mm", xa @ wa)
add("grad/exp", xa.exp())
add("grad/relu", xa.relu())
add("grad/t", xa.t())
add("grad/view", xa.view(6))
add("grad/pow", xa ** 2)
add("grad/neg", -xa)
add("grad/tanh", torch.tanh(xa))
add("grad/to_double", xa.double())
add("grad/to_double_sum", xa.double().sum())
add("grad/int_mode", torch.ones(3, requires_grad=True) * 4)
add("grad/sci", xa * 1e-7)
add("grad/nan", xa.log())

# ---------------------------------------------------------------- device suffix (derived, see module doc)
add("device/vec", T([1.0, 2.5, -3.0]), device="gpu:0")
add("device/scalar", T(4.0), device="gpu:0")
add("device/int64", torch.arange(5), device="gpu:0")
add("device/int32", torch.arange(5, dtype=torch.int32), device="gpu:0")
add("device/f64_2d", randn(2, 3, dtype="float64"), device="gpu:0")
add("device/bool", T([True, False], "bool"), device="gpu:1")
add("device/empty", torch.zeros(0), device="gpu:0")
add("device/empty_int64_2d", torch.zeros(0, 3, dtype=torch.int64), device="gpu:0")
add("device/requires_grad", torch.ones(2, requires_grad=True), device="gpu:0")
add("device/gradfn", xa + 5, device="gpu:0")
add("device/gradfn_f64_scalar", xa.double().sum(), device="gpu:0")
add("device/wasm", T([1.5]), device="wasm")

# ---------------------------------------------------------------- suffix wrapping sweep
for n in range(1, 13):
    v = randn(n, dtype="float64")
    add(f"suffix/f64_n{n}", v)
    add(f"suffix/f64_grad_n{n}", v.clone().requires_grad_())
    add(f"suffix/f64_device_grad_n{n}", v.clone().requires_grad_() * 3, device="gpu:0")
for n in range(4, 11):
    v = randn(n)
    add(f"suffix/f32_gradfn_n{n}", v.requires_grad_() + 5)
    add(f"suffix/f32_device_n{n}", v.detach(), device="gpu:0")
    add(f"suffix/int32_n{n}", torch.tensor(rng.randint(-10**8, 10**8, size=n), dtype=torch.int32))
for n in (5, 6, 7, 8, 9):
    add(f"suffix/2d_f64_{n}", randn(2, n, dtype="float64"))
    add(f"suffix/2d_f64_dev_{n}", randn(2, n, dtype="float64").requires_grad_() * 1, device="gpu:0")

# ---------------------------------------------------------------- number-format table
def f32(v):
    return struct.unpack("f", struct.pack("f", v))[0]


nums = set()
for v in odd32 + [k / 64 for k in range(1, 128, 2)] + [k / 1024 for k in range(1, 2048, 37)]:
    nums.add(v)
    nums.add(-v)
    nums.add(v * 1000)
for v in [0.0, -0.0, 0.5, 1.5, 2.5, 3.5, -2.5, 1e21, 1e22, 1.5e300, 5e-324, 2.2250738585072014e-308,
          1.7976931348623157e308, 123455.0, 123465.0, 100005.0, 999995.0, 9999950.0, 9.99995, 0.99995,
          999.99995, 99999.5, 1e-5, 1e-4, 1.00005, 2.675, 0.1, 0.2, 0.3, 1.0005, 9.5, 10.5, 4.5,
          2.0 ** 70, 2.0 ** -30, 3 * 2.0 ** -25, 0.00015, 1.03125, 1.0009765625]:
    nums.add(v)
    nums.add(f32(v) if abs(v) < 3e38 else v)
for e in range(-320, 309, 7):
    for _ in range(3):
        v = float(rng.uniform(1, 10)) * 10.0 ** e
        if math.isfinite(v):
            nums.add(v)
            nums.add(-v)
            if 1e-44 < abs(v) < 3e38:
                nums.add(f32(v))
for _ in range(400):
    nums.add(float(rng.standard_normal()))
    nums.add(f32(float(rng.standard_normal() * 100)))
    nums.add(float(rng.randint(-10**7, 10**7)) + float(rng.randint(0, 16)) / 16)
numbers = []
for v in sorted(nums, key=lambda z: (z, math.copysign(1, z))):
    numbers.append({"v": v, "f4": "{:.4f}".format(v), "e4": "{:.4e}".format(v), "f0": "{:.0f}".format(v)})

out = {
    "generator": "scripts/gen-print-fixtures.py",
    "torch": torch.__version__,
    "cases": cases,
    "numbers": numbers,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "print-cases.json")
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w") as fh:
    json.dump(out, fh, allow_nan=False, separators=(",", ":"))
    fh.write("\n")
print(f"{len(cases)} cases, {len(numbers)} numbers, {os.path.getsize(path)} bytes -> {os.path.normpath(path)}",
      file=sys.stderr)
