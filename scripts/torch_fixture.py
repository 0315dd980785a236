# Helpers the scripts/torch-*.py fixture scripts share (python3-torch 1.13): imported as `torch_fixture`
# (a script's own directory is on sys.path when run as /usr/bin/python3 scripts/<name>.py).
import torch


def err(f, first_line=True):
    """f()'s error text (its first line unless told), or 'no error'."""
    try:
        f()
        return 'no error'
    except Exception as e:
        return str(e).split('\n')[0] if first_line else str(e)


def weights(y):
    """0.5, 0.643, … over y's elements: a weighted sum's gradient differs at every element."""
    return torch.arange(y.numel()).reshape(y.shape).to(y.dtype).div(7).add(0.5)


def ramp(t):
    """a fixed weighting of an output, so every element's gradient differs"""
    return torch.arange(t.numel()).reshape(t.shape).float().div(10).sub(0.7)


def lists(t):
    """a tensor's values as nested lists (inf and nan as strings, JSON has neither)"""
    import math

    def fix(x):
        if isinstance(x, list): return [fix(y) for y in x]
        if isinstance(x, bool): return x
        if math.isnan(x): return 'nan'
        if math.isinf(x): return 'inf' if x > 0 else '-inf'
        return x
    return fix(t.detach().tolist())


def param_run(make, f, params, dtype=torch.float32):
    """f(make(params))'s values, and the gradients of sum(f · weights) for the params (None where unused)"""
    ps = [torch.tensor(p, dtype=dtype).requires_grad_() for p in params]
    y = f(make(*ps))
    (y * weights(y)).sum().backward()
    return [lists(y)] + [lists(p.grad) if p.grad is not None else None for p in ps]


def run_case(f, *xs, dtype=torch.float32):
    """inputs, f(xs) (a tensor or a tuple whose first is differentiated), the gradients of sum(y * weights),
    grad_fn: one case as test/fixture-cases.ts's check() reads it"""
    xs = [x.to(dtype).detach().clone().requires_grad_() for x in xs]
    r = f(*xs)
    y = r[0] if isinstance(r, tuple) else r
    (y * weights(y)).sum().backward()
    return {'x': [lists(x) for x in xs], 'shapes': [list(x.shape) for x in xs], 'y': lists(y), 'yshape': list(y.shape),
            'extra': [lists(t) for t in r[1:]] if isinstance(r, tuple) else [],
            'g': [lists(x.grad) if x.grad is not None else None for x in xs], 'fn': type(y.grad_fn).__name__}
