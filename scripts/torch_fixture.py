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
