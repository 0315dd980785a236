"""The tour's large loop in PyTorch, for bench:large --compare-torch (Debian's python3-torch).

usage: python3 scripts/torch-loop.py N EPOCHS LR THREADS   -> prints one JSON line
"""
import json, sys, time
import torch

n, epochs, lr, threads = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.manual_seed(0)
t0 = time.perf_counter()
w = torch.rand([n], requires_grad=True)
b = torch.ones([1], requires_grad=True)
for i in range(epochs):
    x = torch.randn([n])
    y = torch.dot(3 * torch.ones([n]), x) - 2
    y_hat = torch.dot(w, x) + b
    loss = torch.sum((y_hat - y) ** 2)
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
seconds = time.perf_counter() - t0
lv = loss.item()
print(json.dumps({"torch": torch.__version__, "threads": threads, "seconds": seconds, "secondsPerEpoch": seconds / epochs, "loss": lv if lv == lv and abs(lv) != float("inf") else None}))
