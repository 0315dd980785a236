# The expected texts of test/math.test.ts: python3 scripts/torch-math.py > test/fixtures/math-functions.json (PyTorch 1.13)
import torch, json
out={}
x=torch.tensor([[0.5,-0.25,0.9],[-0.75,0.1,0.0]],requires_grad=True)
for f in ['asin','acos','atan','sinh','cosh','asinh','atanh','erf','erfc']:
    y=getattr(torch,f)(x); y.sum().backward(); out[f]=[str(y), str(x.grad)]; x.grad=None
p=torch.tensor([[1.5,2.0,4.0],[10.0,1.25,3.0]],requires_grad=True)
for f in ['acosh','log2','log10','exp2']:
    y=getattr(torch,f)(p); y.sum().backward(); out[f]=[str(y), str(p.grad)]; p.grad=None
a=torch.tensor([5.5,-5.5,5.5,-5.5,0.0],requires_grad=True); b=torch.tensor([2.0,2.0,-2.0,-2.0,3.0],requires_grad=True)
for f in ['atan2','fmod','remainder']:
    y=getattr(torch,f)(a,b); y.sum().backward(); out[f]=[str(y), str(a.grad), str(b.grad)]; a.grad=None; b.grad=None
print(json.dumps(out, indent=1))
