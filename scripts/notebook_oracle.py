#!/usr/bin/env python3
"""The XOR notebook's own analysis code, as an independent oracle for regionplot's tests.

Writes small networks as safetensors files (F32, as `safetensors.torch.save_file(model.state_dict(), ...)`
writes a float32 model) into Tests/ExperimentsTests/Fixtures/, and `oracle.json` with what the notebook's code
(`getRegions`, `calcUniqueRegions`, `NumpyLinearRegression`) computes for each pair. PyTorch is replaced by NumPy
in float32: the forward pass and the autograd gradient of a ReLU MLP are the same float32 products.

    pip install numpy scikit-learn safetensors
    python3 scripts/notebook_oracle.py

`--float64` instead reads those networks back, widens their weights to float64 (exactly), and runs the same
code in float64 on float64 probe points: the oracle for regionplot's default float64 analysis of F32 files,
written to `oracle-float64.json`.
"""
import itertools, json, os
import numpy as np
from safetensors.numpy import save_file
from sklearn import linear_model

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "ExperimentsTests", "Fixtures")

def init_linear(rng, fan_in, fan_out):
    bound = 1 / np.sqrt(fan_in)
    return (rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32),
            rng.uniform(-bound, bound, fan_out).astype(np.float32))

def forward(layers, x):
    """float32 forward pass, keeping the masks for the gradient."""
    masks = []
    a = x
    for i, (w, b) in enumerate(layers):
        z = a @ w.T + b
        if i < len(layers) - 1:
            masks.append(z > 0)
            a = np.maximum(z, 0)
        else:
            a = z
    return a, masks

def gradient(layers, masks):
    """d output / d input for one point, as autograd computes it (float32)."""
    g = layers[-1][0][0].copy()            # (h_L,)
    for (w, _), m in zip(reversed(layers[:-1]), reversed(masks)):
        g = (g * m[0]) @ w
    return g

def train_xor(rng, width, lr=np.float32(0.1), epochs=100):
    """trainNet in float32 (full batch, SGD, MSE), retrying until accuracy >= 0.99."""
    X = np.array([2 * (np.array(v) - 0.5) for v in itertools.product([0, 1], repeat=2)], np.float32)
    Y = np.array([[2 * (sum(v) % 2) - 1] for v in itertools.product([0, 1], repeat=2)], np.float32)
    while True:
        (w1, b1), (w2, b2) = init_linear(rng, 2, width), init_linear(rng, width, 1)
        for _ in range(epochs):
            z1 = X @ w1.T + b1; a1 = np.maximum(z1, 0); out = a1 @ w2.T + b2
            d = (out - Y) * np.float32(2 / out.size)
            gw2 = d.T @ a1; gb2 = d.sum(0)
            d1 = (d @ w2) * (z1 > 0)
            gw1 = d1.T @ X; gb1 = d1.sum(0)
            w1 -= lr * gw1; b1 -= lr * gb1; w2 -= lr * gw2; b2 -= lr * gb2
        out = np.maximum(X @ w1.T + b1, 0) @ w2.T + b2
        if np.mean((out > 0) == (Y > 0)) >= 0.99:
            return [(w1, b1), (w2, b2)]

def probe_points(G=101):
    x = np.linspace(-1, 1, G); y = np.linspace(-1, 1, G)
    x, y = np.meshgrid(x, y)
    into = np.concatenate((x.reshape([-1, 1]), y.reshape([-1, 1])), axis=1)
    corners = [2 * (np.array(v) - 0.5) for v in itertools.product([0, 1], repeat=2)]
    return np.concatenate([into, np.array(corners)]).astype(np.float32)

def get_regions(layers, pts):
    regions = np.zeros((len(pts), 3))
    patterns = set()
    for i, p in enumerate(pts):
        out, masks = forward(layers, p[None, :])
        g = gradient(layers, masks)
        regions[i, :] = [g[0], g[1], out[0, 0] - np.dot(p, g)]
        patterns.add(tuple(np.concatenate([m[0] for m in masks]).tolist()))
    return regions, len(patterns)

def calc_unique_regions(regions):
    """calcUniqueRegions, with the inner loop over kept regions vectorised (same test, same order)."""
    kept = np.zeros((0, 3))
    for i in range(regions.shape[0]):
        if len(kept) == 0 or not np.any(np.linalg.norm(kept - regions[i, :], axis=1) < 0.001):
            kept = np.vstack([kept, regions[i, :]])
    return kept

class NumpyLinearRegression:
    def __init__(self):
        self.reg = linear_model.LinearRegression(fit_intercept=True)
    def fit(self, X, y):
        self.reg.fit(np.round(X, decimals=5), np.round(y, decimals=5))
    def test(self, X, y):
        return self.reg.score(X, y)

def state_dict(layers, sequential):
    d = {}
    for i, (w, b) in enumerate(layers):
        name = str(2 * i) if sequential else f"fc{i + 1}"
        d[name + ".weight"] = w
        d[name + ".bias"] = b
    return d

def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20261122)
    cases = []
    nets = {
        "w2-a": (train_xor(rng, 2), False), "w2-b": (train_xor(rng, 2), False),
        "w20-a": (train_xor(rng, 20), False), "w20-b": (train_xor(rng, 20), False),
        "w100-a": (train_xor(rng, 100), False), "w100-b": (train_xor(rng, 100), False),
        # An nn.Sequential(Linear, ReLU, Linear, ReLU, Linear, ReLU, Linear) at init: names 0, 2, 4, 6.
        "deep-a": ([init_linear(rng, 2, 16), init_linear(rng, 16, 16), init_linear(rng, 16, 16), init_linear(rng, 16, 1)], True),
        "deep-b": ([init_linear(rng, 2, 16), init_linear(rng, 16, 16), init_linear(rng, 16, 16), init_linear(rng, 16, 1)], True),
    }
    for name, (layers, sequential) in nets.items():
        save_file(state_dict(layers, sequential), os.path.join(OUT, name + ".safetensors"))
    pts = probe_points()
    for a, b in [("w2-a", "w2-b"), ("w20-a", "w20-b"), ("w100-a", "w100-b"), ("deep-a", "deep-b")]:
        ra, pa = get_regions(nets[a][0], pts)
        rb, pb = get_regions(nets[b][0], pts)
        reg = NumpyLinearRegression(); reg.fit(ra, rb)
        reg2 = NumpyLinearRegression(); reg2.fit(rb, ra)
        cases.append({"a": a + ".safetensors", "b": b + ".safetensors",
                      "probeRegionsA": len(calc_unique_regions(ra)), "probeRegionsB": len(calc_unique_regions(rb)),
                      "activationPatternsA": pa, "activationPatternsB": pb,
                      "r2AToB": reg.test(ra, rb), "r2BToA": reg2.test(rb, ra)})
        print(cases[-1])
    with open(os.path.join(OUT, "oracle.json"), "w") as f:
        json.dump({"grid": 101, "cases": cases}, f, indent=2)

def main_float64():
    from safetensors.numpy import load_file
    def load(name):
        d = load_file(os.path.join(OUT, name))
        prefixes = sorted({k.rsplit(".", 1)[0] for k in d}, key=lambda p: int(p[2:]) if p.startswith("fc") else int(p))
        return [(d[p + ".weight"].astype(np.float64), d[p + ".bias"].astype(np.float64)) for p in prefixes]
    x = np.linspace(-1, 1, 101)
    x, y = np.meshgrid(x, x)
    pts = np.concatenate([np.concatenate((x.reshape([-1, 1]), y.reshape([-1, 1])), axis=1),
                          np.array([2 * (np.array(v) - 0.5) for v in itertools.product([0, 1], repeat=2)])])
    cases = []
    for a, b in [("w2-a", "w2-b"), ("w20-a", "w20-b"), ("w100-a", "w100-b"), ("deep-a", "deep-b")]:
        ra, pa = get_regions(load(a + ".safetensors"), pts)
        rb, pb = get_regions(load(b + ".safetensors"), pts)
        reg = NumpyLinearRegression(); reg.fit(ra, rb)
        reg2 = NumpyLinearRegression(); reg2.fit(rb, ra)
        cases.append({"a": a + ".safetensors", "b": b + ".safetensors",
                      "probeRegionsA": len(calc_unique_regions(ra)), "probeRegionsB": len(calc_unique_regions(rb)),
                      "activationPatternsA": pa, "activationPatternsB": pb,
                      "r2AToB": reg.test(ra, rb), "r2BToA": reg2.test(rb, ra)})
        print(cases[-1])
    with open(os.path.join(OUT, "oracle-float64.json"), "w") as f:
        json.dump({"grid": 101, "cases": cases}, f, indent=2)

if __name__ == "__main__":
    import sys
    main_float64() if "--float64" in sys.argv[1:] else main()
