"""The tour's two CPU speed cells in PyTorch, for `npm run scenario -- speed-cpu --torch yes`
(Debian's python3-torch), timed the way speed-cpu times troupe: one untimed warm-up, then REPEAT timed
runs of each cell.

usage: /usr/bin/python3 scripts/torch-cells.py N REPEAT THREADS SEED   -> prints one JSON line
"""
import json, sys, time
import torch

n, repeat, threads, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.manual_seed(seed)
shape = [10000, 10000] if n == 100_000_000 else [n]

def matmul(reps):
    for _ in range(reps):
        c = torch.matmul(torch.randn([100, 100]), torch.randn([100, 100]))
    return c

def add(size, reps):
    for _ in range(reps):
        c = torch.randn(size) + torch.randn(size)
    return c

matmul(2); add([1000], 1)  # warm-up, untimed (as speed-cpu does)
times = {"matmul": [], "add": []}
for _ in range(repeat):
    t0 = time.perf_counter(); matmul(100); times["matmul"].append(time.perf_counter() - t0)
for _ in range(repeat):
    t0 = time.perf_counter(); add(shape, 10); times["add"].append(time.perf_counter() - t0)
print(json.dumps({"torch": torch.__version__, "threads": threads, "times": times}))
