"""The mlp scenario's network, data and loop in PyTorch (Debian's python3-torch), for `--torch yes`.

usage: python3 scripts/torch-mlp.py N HIDDEN BATCH EPOCHS adam|sgd THREADS [mlp|cnn]   -> prints one JSON line
(The data and initial weights are the formulas of scenarios/mlp.ts, in float64, then float32.)
"""
import json, math, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

n, hidden, batch, epochs, opt_name, threads = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
model = sys.argv[7] if len(sys.argv) > 7 else 'mlp'
torch.set_num_threads(threads)
S = 16
D, C = (S * S if model == 'cnn' else 32), 10
xs, ys = [], []
for i in range(n):
    row = [math.sin(0.61 * i + 1.37 * j) * math.cos(0.23 * i - 0.71 * j) for j in range(D)]
    xs.append(row)
    best, best_v = 0, -math.inf
    for c in range(C):
        s = 0.0
        for j in range(D):
            s += row[j] * math.sin(1.1 * j + 2.3 * c + 0.4)
        if s > best_v:
            best, best_v = c, s
    ys.append(best)
X = torch.tensor(xs, dtype=torch.float32)
if model == 'cnn':
    X = X.reshape(n, 1, S, S)
Y = torch.tensor(ys)
if model == 'cnn':
    c2 = hidden // 8
    net = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, c2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(c2 * (S // 4) ** 2, C))
else:
    net = nn.Sequential(nn.Linear(D, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, C))
with torch.no_grad():
    layers = [m for m in net if isinstance(m, (nn.Linear, nn.Conv2d))]
    for k, m in enumerate(layers):
        o = m.weight.shape[0]; i_ = m.weight.numel() // o
        bound = 1 / math.sqrt(i_)
        w = torch.tensor([[bound * math.sin(0.37 * oo + 0.91 * ii + 0.1 * k) for ii in range(i_)] for oo in range(o)], dtype=torch.float32)
        b = torch.tensor([bound * math.cos(0.5 * oo + 0.1 * k) for oo in range(o)], dtype=torch.float32)
        m.weight.copy_(w.reshape(m.weight.shape))
        m.bias.copy_(b)
opt = torch.optim.Adam(net.parameters(), lr=1e-3) if opt_name == 'adam' else torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
steps = (n + batch - 1) // batch
ms, epoch_loss = [], []
t0 = time.perf_counter()
for e in range(epochs):
    te = time.perf_counter()
    for s in range(0, n, batch):
        opt.zero_grad()
        loss = F.cross_entropy(net(X[s:s + batch]), Y[s:s + batch])
        loss.backward()
        opt.step()
    epoch_loss.append(loss.item())
    ms.append((time.perf_counter() - te) * 1000 / steps)
seconds = time.perf_counter() - t0
with torch.no_grad():
    logits = net(X)
    final = F.cross_entropy(logits, Y).item()
    acc = (logits.argmax(1) == Y).float().mean().item()
print(json.dumps({"torch": torch.__version__, "threads": threads, "msPerStep": ms, "epochLoss": epoch_loss, "loss": final, "accuracy": acc, "seconds": seconds}))
