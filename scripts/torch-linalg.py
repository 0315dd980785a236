# PyTorch 1.13 values, gradients, grad_fns and errors of torch.linalg (inv, solve, det, slogdet, logdet,
# vector_norm, matrix_norm, norm, cholesky, qr, eigh, eigvalsh, svd, svdvals, pinv, matrix_rank,
# diagonal) and torch.inverse/det/logdet/slogdet/pinverse (test/linalg.test.ts):
#   /usr/bin/python3 scripts/torch-linalg.py
# The inputs' entries are sin/cos of k² (of k, as sin(a + k·d), would make rank-2 matrices).
# Values are stored as nested lists (float64 text of each number) and compared numerically: LAPACK's
# and troupe's eliminations round differently, so printed text would differ in float32.
import torch, json, os, math, warnings
from torch_fixture import err, weights
warnings.simplefilter('ignore')
torch.set_printoptions(precision=4)
out = {}


def L(t):
    return t.detach().tolist()

def run(f, *xs):
    """f's result, the gradients of sum(f(xs) * weights) for the inputs, and f's grad_fn."""
    xs = [x.detach().clone().requires_grad_() for x in xs]
    y = f(*xs)
    (y * weights(y)).sum().backward()
    return [L(y)] + [L(x.grad) for x in xs] + [type(y.grad_fn).__name__]

D = torch.float64
def inputs(dtype):
    A = torch.tensor([[0.5, 2., -1.], [3., 1., 0.25], [-1., 4., 2.]], dtype=dtype)
    Ab = (torch.sin(torch.arange(36, dtype=D) * 0.7).reshape(2, 2, 3, 3) * 2 + 3 * torch.eye(3, dtype=D)).to(dtype)
    M = torch.cos(torch.arange(16, dtype=D).pow(2).reshape(4, 4) * 1.3)
    S = (M @ M.T + 4 * torch.eye(4, dtype=D)).to(dtype)
    Mb = torch.cos(torch.arange(32, dtype=D).pow(2).reshape(2, 4, 4) * 0.9)
    Sb = (Mb @ Mb.mT + 2 * torch.eye(4, dtype=D)).to(dtype)
    T = torch.sin(torch.arange(15, dtype=D).pow(2).reshape(5, 3) * 1.1 + 0.3).to(dtype)
    Wd = torch.cos(torch.arange(15, dtype=D).pow(2).reshape(3, 5) * 0.8 - 0.2).to(dtype)
    Tb = torch.sin(torch.arange(24, dtype=D).pow(2).reshape(2, 4, 3) * 0.6 + 1.).to(dtype)
    B = torch.tensor([[1., -2.], [0.5, 3.], [2., 1.]], dtype=dtype)
    v = torch.tensor([1., -1., 2.], dtype=dtype)
    return dict(A=A, Ab=Ab, S=S, Sb=Sb, T=T, Wd=Wd, Tb=Tb, B=B, v=v)

for name, dtype in [('f32', torch.float32), ('f64', torch.float64)]:
    X = inputs(dtype)
    A, Ab, S, Sb, T, Wd, Tb, B, v = (X[k] for k in ['A', 'Ab', 'S', 'Sb', 'T', 'Wd', 'Tb', 'B', 'v'])
    r = {}
    P = torch.tensor([[1e-6, 1., 2.], [-1., 1., 0.], [-3., 0.5, 1.]], dtype=dtype)  # the largest |a| negative: pivoting on |a|
    r['inv'] = [run(torch.linalg.inv, A), run(torch.inverse, Ab), run(torch.linalg.inv, P), run(torch.linalg.det, P)]
    r['solve'] = [run(torch.linalg.solve, A, B), run(torch.linalg.solve, A, v), run(torch.linalg.solve, Ab, B),
                  run(torch.linalg.solve, Ab, Ab[..., 0]), run(lambda a, b: torch.linalg.solve(a, b, left=False), A, B.T)]
    r['det'] = [run(torch.linalg.det, A), run(torch.det, Ab), run(torch.linalg.det, S)]
    r['slogdet'] = [run(lambda a: torch.linalg.slogdet(a).logabsdet, A), L(torch.linalg.slogdet(A).sign), run(lambda a: torch.slogdet(a)[1], Ab), L(torch.slogdet(Ab)[0])]
    r['logdet'] = [run(torch.logdet, S), L(torch.logdet(A)), L(torch.logdet(Ab))]
    r['vector_norm'] = [run(torch.linalg.vector_norm, A), run(lambda a: torch.linalg.vector_norm(a, 1, dim=1), A), run(lambda a: torch.linalg.vector_norm(a, float('inf'), dim=-1, keepdim=True), Ab),
                        run(lambda a: torch.linalg.vector_norm(a, -float('inf'), dim=(0, 1)), Ab), run(lambda a: torch.linalg.vector_norm(a, 3, dim=0), A), run(lambda a: torch.linalg.vector_norm(a, 0.5), A),
                        L(torch.linalg.vector_norm(A, 0, dim=1))]
    r['matrix_norm'] = [run(torch.linalg.matrix_norm, Ab), run(lambda a: torch.linalg.matrix_norm(a, 1), A), run(lambda a: torch.linalg.matrix_norm(a, -1), Ab), run(lambda a: torch.linalg.matrix_norm(a, float('inf'), keepdim=True), Ab),
                        run(lambda a: torch.linalg.matrix_norm(a, -float('inf')), A), run(lambda a: torch.linalg.matrix_norm(a, 'nuc'), T), run(lambda a: torch.linalg.matrix_norm(a, 2), A), run(lambda a: torch.linalg.matrix_norm(a, -2), Tb),
                        run(lambda a: torch.linalg.matrix_norm(a, 1, dim=(0, 2)), Ab)]
    r['norm'] = [run(torch.linalg.norm, Ab), run(lambda a: torch.linalg.norm(a, 1), A), run(lambda a: torch.linalg.norm(a, 1), v), run(lambda a: torch.linalg.norm(a, dim=1), A),
                 run(lambda a: torch.linalg.norm(a, 'fro', dim=(1, 2)), Ab), run(lambda a: torch.linalg.norm(a, float('inf')), A)]
    r['cholesky'] = [run(torch.linalg.cholesky, S), run(lambda a: torch.linalg.cholesky(a, upper=True), Sb)]
    r['qr'] = [run(lambda a: torch.linalg.qr(a).Q, T), run(lambda a: torch.linalg.qr(a).R, T), run(lambda a: torch.linalg.qr(a).Q, Wd), run(lambda a: torch.linalg.qr(a).R, Wd),
               run(lambda a: torch.linalg.qr(a).Q, Tb), run(lambda a: torch.linalg.qr(a).R, A), L(torch.linalg.qr(T, mode='complete').Q), L(torch.linalg.qr(T, mode='complete').R),
               L(torch.linalg.qr(Tb, mode='r').R), run(lambda a: torch.linalg.qr(a).Q, S)]
    r['eigh'] = [run(lambda a: torch.linalg.eigh(a).eigenvalues, S), L(torch.linalg.eigh(S).eigenvectors), run(lambda a: torch.linalg.eigh(a).eigenvectors.square(), S),
                 run(torch.linalg.eigvalsh, Sb), L(torch.linalg.eigh(Sb).eigenvectors), run(lambda a: torch.linalg.eigvalsh(a, UPLO='U'), A)]
    r['svd'] = [run(torch.linalg.svdvals, T), run(torch.linalg.svdvals, Wd), L(torch.linalg.svd(T, full_matrices=False).U), L(torch.linalg.svd(T, full_matrices=False).Vh),
                run(lambda a: torch.linalg.svdvals(a), Tb)]
    r['pinv'] = [run(torch.linalg.pinv, T), run(torch.pinverse, Wd), run(lambda a: torch.linalg.pinv(a, hermitian=True), S), run(torch.linalg.pinv, Tb)]
    r['matrix_rank'] = [L(torch.linalg.matrix_rank(T)), L(torch.linalg.matrix_rank(torch.tensor([[1., 2, 3], [2, 4, 6], [1, 0, 1]], dtype=dtype))),
                        L(torch.linalg.matrix_rank(Ab)), L(torch.linalg.matrix_rank(torch.tensor([[1., 2], [2, 4.0001]], dtype=dtype), atol=0.01))]
    r['diagonal'] = [L(torch.linalg.diagonal(Ab)), L(torch.linalg.diagonal(T, offset=1)), L(torch.linalg.diagonal(Wd, offset=-1))]
    out[name] = r

sing = torch.tensor([[1., 2], [2, 4]])
out['singular'] = [L(torch.linalg.det(sing)), L(torch.linalg.slogdet(sing).sign), L(torch.linalg.slogdet(sing).logabsdet), str(torch.logdet(sing)),
                   str(torch.linalg.det(torch.tensor([[1., 2, 3], [4, 5, 6], [7, 8, 9]], dtype=D)))]
out['errors'] = [
    err(lambda: torch.linalg.inv(torch.ones(2, 3))),
    err(lambda: torch.linalg.inv(sing)),
    err(lambda: torch.linalg.inv(torch.stack([torch.eye(2), sing]))),
    err(lambda: torch.linalg.inv(torch.tensor([[1, 2], [3, 4]]))),
    err(lambda: torch.linalg.inv(torch.ones(3))),
    err(lambda: torch.linalg.solve(sing, torch.ones(2))),
    err(lambda: torch.linalg.solve(torch.eye(2), torch.ones(3))),
    err(lambda: torch.linalg.solve(torch.eye(2), torch.ones(3, 2))),
    err(lambda: torch.linalg.solve(torch.eye(2), torch.ones(2).double())),
    err(lambda: torch.linalg.det(torch.ones(2, 3))),
    err(lambda: torch.linalg.cholesky(torch.tensor([[1., 2], [2, 1]]))),
    err(lambda: torch.linalg.cholesky(torch.stack([torch.eye(2), torch.tensor([[1., 2], [2, 1]])]))),
    err(lambda: torch.linalg.cholesky(torch.ones(2, 3))),
    err(lambda: torch.linalg.eigh(torch.ones(2, 3))),
    err(lambda: torch.linalg.qr(torch.ones(3))),
    err(lambda: torch.linalg.qr(torch.ones(3, 2), mode='x')),
    err(lambda: torch.linalg.vector_norm(torch.tensor([1, 2]))),
    err(lambda: torch.linalg.matrix_norm(torch.ones(3))),
    err(lambda: torch.linalg.matrix_norm(torch.ones(3, 3), 3)),
    err(lambda: torch.linalg.slogdet(torch.ones(2, 3))),
    err(lambda: torch.linalg.norm(torch.ones(2, 2, 2), 1)),
]
out['shapes'] = [list(torch.linalg.solve(torch.eye(2).expand(3, 2, 2), torch.ones(3, 2)).shape), list(torch.linalg.solve(torch.eye(2).expand(2, 2, 2), torch.ones(2, 2)).shape),
                 list(torch.linalg.solve(torch.eye(2).expand(3, 2, 2), torch.ones(2)).shape), list(torch.linalg.solve(torch.eye(2), torch.ones(4, 2, 1)).shape),
                 list(torch.linalg.qr(torch.ones(2, 5, 3), mode='complete').Q.shape), list(torch.linalg.qr(torch.ones(2, 3, 5), mode='complete').R.shape)]

# lstsq (float64): every driver's four outputs on a tall full-rank A; a wide A with a vector B; a
# rank-deficient A (gelsd); a batch broadcast against B; the solution's gradient; its errors.
lA = torch.tensor([[1., 2], [3, 4], [5, 7]], dtype=D)
lB = torch.tensor([[1., 0.5], [2, -1], [4, 3]], dtype=D)
def lst(r):
    return [L(r.solution), L(r.residuals), L(r.rank), L(r.singular_values)]
g0 = torch.Generator().manual_seed(0)
lAb = torch.randn(2, 4, 3, generator=g0, dtype=D)
lBb = torch.randn(1, 4, 2, generator=g0, dtype=D)
out['lstsq'] = {
    'drivers': {d: lst(torch.linalg.lstsq(lA, lB, driver=d)) for d in ['gelsy', 'gelsd', 'gelss', 'gels']},
    'wide_vector': L(torch.linalg.lstsq(torch.tensor([[1., 2, 3], [4, 5, 6]], dtype=D), torch.tensor([1., 2], dtype=D)).solution),
    'rank_deficient': lst(torch.linalg.lstsq(torch.tensor([[1., 2], [2, 4], [3, 6]], dtype=D), lB, driver='gelsd')),
    'batch': [L(lAb), L(lBb), lst(torch.linalg.lstsq(lAb, lBb, driver='gelsd'))],
    'grad': run(lambda a, b: torch.linalg.lstsq(a, b).solution, lA, lB),
    'errors': [err(lambda: torch.linalg.lstsq(lA, torch.ones(4, 1, dtype=D))), err(lambda: torch.linalg.lstsq(lA, lB, driver='foo')),
               err(lambda: torch.linalg.lstsq(lA.float(), lB)), err(lambda: torch.linalg.lstsq(lA, torch.ones(2, 3, 1, dtype=D)))],
}

path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'linalg.json')
def finite(x):
    # JSON has no NaN/Infinity: those as the strings 'nan', 'inf', '-inf'.
    if isinstance(x, float) and not math.isfinite(x):
        return 'nan' if math.isnan(x) else ('inf' if x > 0 else '-inf')
    if isinstance(x, list):
        return [finite(y) for y in x]
    if isinstance(x, dict):
        return {k: finite(y) for k, y in x.items()}
    return x
with open(path, 'w') as f:
    json.dump(finite(out), f, separators=(',', ':'), allow_nan=False)
    f.write('\n')
print('wrote', path)
