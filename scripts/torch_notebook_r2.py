#!/usr/bin/env python3
"""The notebook's getRegions with PyTorch itself (float32, point by point, autograd) and its R² both ways, for two
safetensors nets: what `regionplot --precision float32` aims to reproduce.

    python3 scripts/torch_notebook_r2.py Tests/ExperimentsTests/Fixtures/w20-a.safetensors \
        Tests/ExperimentsTests/Fixtures/w20-b.safetensors
"""
import itertools, numpy as np, torch, sys
from safetensors.torch import load_file
from sklearn import linear_model
torch.set_num_threads(1)
def load(p):
    d = load_file(p); names = sorted({k.rsplit('.',1)[0] for k in d}, key=lambda s: int(s[2:]) if s.startswith('fc') else int(s))
    layers = []
    for i, n in enumerate(names):
        lin = torch.nn.Linear(d[n+'.weight'].shape[1], d[n+'.weight'].shape[0])
        lin.weight.data = d[n+'.weight'].clone(); lin.bias.data = d[n+'.bias'].clone(); layers.append(lin)
        if i < len(names)-1: layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)
G=101
x = np.linspace(-1,1,G); xx, yy = np.meshgrid(x, x)
pts = np.concatenate([np.concatenate((xx.reshape(-1,1), yy.reshape(-1,1)),1), np.array([2*(np.array(v)-0.5) for v in itertools.product([0,1],repeat=2)])]).astype(np.float32)
def regions(net):
    out = np.zeros((len(pts),3))
    for i,p in enumerate(pts):
        t = torch.tensor(p[None,:], requires_grad=True); f = net(t); f.backward()
        g = t.grad[0].numpy(); out[i] = [g[0], g[1], f.item() - np.dot(p, g)]
    return out
ra, rb = regions(load(sys.argv[1])), regions(load(sys.argv[2]))
def r2(X, Y):
    reg = linear_model.LinearRegression().fit(np.round(X,5), np.round(Y,5)); return reg.score(X, Y)
print('torch float32 per point: r2 aToB %.6f bToA %.6f' % (r2(ra, rb), r2(rb, ra)))
