"""The ops of `npm run scenario -- ops-cpu` in PyTorch (Debian's python3-torch), one thread, timed the
same way: 5 untimed runs, then REPEAT timed runs of each op; the median in ms. Then the op in a loop, back
to back with each result dropped, for LOOP_MS ms (at least LOOP_MIN calls): the mean in ms.

usage: /usr/bin/python3 scripts/torch-ops.py N REPEAT SEED [LOOP_MS LOOP_MIN]   -> prints one JSON line
"""
import json, sys, time
import torch

n, repeat, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
loop_ms = float(sys.argv[4]) if len(sys.argv) > 4 else 400.0
loop_min = int(sys.argv[5]) if len(sys.argv) > 5 else 8
torch.set_num_threads(1)
torch.manual_seed(seed)
x, y, row, col, v = torch.randn(n, n), torch.randn(n, n), torch.randn(n), torch.randn(n, 1), torch.randn(n)
p = torch.rand(n, n) + 0.5
a = torch.arange(n * n).reshape(n, n)
OPS = [
    ('x + y', lambda: x + y), ('x * 2', lambda: x * 2), ('x ** 2', lambda: x ** 2), ('x + y.t()', lambda: x + y.t()),
    ('x + row', lambda: x + row), ('x * col', lambda: x * col), ('x.t().contiguous()', lambda: x.t().contiguous()),
    ('x > 0', lambda: x > 0), ('where(x > y, x, y)', lambda: torch.where(x > y, x, y)), ('relu', lambda: x.relu()),
    ('exp', lambda: x.exp()), ('log (of p)', lambda: p.log()), ('tanh', lambda: x.tanh()), ('sin', lambda: x.sin()), ('sigmoid', lambda: x.sigmoid()), ('sum()', lambda: x.sum()),
    ('sum(0)', lambda: x.sum(0)), ('sum(1)', lambda: x.sum(1)), ('max()', lambda: x.max()),
    ('argmax(0)', lambda: x.argmax(0)), ('x.t() + row', lambda: x.t() + row), ('softmax(1)', lambda: x.softmax(1)), ('x @ v', lambda: x @ v),
    ('x @ y', lambda: x @ y),
    ('a + a (int64)', lambda: a + a), ('a > 5 (int64)', lambda: a > 5), ('a.sum() (int64)', lambda: a.sum()), ('x.long()', lambda: x.long()),
    ('(x > 0).sum()', lambda: (x > 0).sum()), ('arange(n·n)', lambda: torch.arange(x.numel())),
]
ms, loop = {}, {}
for name, f in OPS:
    for _ in range(5): f()
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    ts.sort()
    m = len(ts) // 2
    ms[name] = (ts[m] if len(ts) % 2 else (ts[m - 1] + ts[m]) / 2) * 1e3
    if loop_ms > 0:
        t0, calls = time.perf_counter(), 0
        while calls < loop_min or (time.perf_counter() - t0) * 1e3 < loop_ms:
            f(); calls += 1
        loop[name] = (time.perf_counter() - t0) * 1e3 / calls
print(json.dumps({"torch": torch.__version__, "ms": ms, "loop": loop}))
