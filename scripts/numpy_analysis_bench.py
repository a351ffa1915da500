#!/usr/bin/env python3
"""A vectorised NumPy version of regionplot's analysis, to compare speeds on the same machine.

Same work as `regionplot bench`: gradient probes on the notebook's grid (plus the four corners) with the
activation pattern of every point, deduplication of the (g1, g2, c) triples at tolerance 1e-3 (hashed into
cells, as the notebook's quadratic loop is hopeless at these sizes), and the rounded least-squares fit with
intercept between two networks (scikit-learn-free: np.linalg.lstsq on centred data, as LinearRegression does).

Times both nets of each pair (probes, deduplications, the regression both ways), as `regionplot bench` does.
`--save-nets DIR` rounds the weights to float32 and writes each pair as DIR/NAME-a.safetensors and
DIR/NAME-b.safetensors (F32, `fc1.weight`, … as `safetensors.torch.save_file` writes a PyTorch model), then
analyses exactly those weights widened to float64, so that `regionplot bench --nets-from DIR` times the same nets.

    python3 scripts/numpy_analysis_bench.py --grids 1001 --nets 1000 --save-nets /tmp/nets
    .build/release/regionplot bench --grids 1001 --nets 1000 --nets-from /tmp/nets
"""
import argparse, time
import numpy as np

def init(rng, widths):
    layers = []
    for fan_in, fan_out in zip(widths, widths[1:]):
        bound = 1 / np.sqrt(fan_in)
        layers.append((rng.uniform(-bound, bound, (fan_out, fan_in)), rng.uniform(-bound, bound, fan_out)))
    return layers

def grid_points(G):
    x = np.linspace(-1, 1, G)
    xx, yy = np.meshgrid(x, x)
    pts = np.stack([xx.ravel(), yy.ravel()], 1)
    return np.concatenate([pts, np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]], float)])

def probe(layers, pts, chunk=4096):
    n = len(pts)
    triples = np.empty((n, 3))
    patterns = []
    for lo in range(0, n, chunk):
        x = pts[lo:lo + chunk]
        a = x
        jx = jy = None                                       # d a / d x and d a / d y, each (n, width)
        masks = []
        for w, b in layers[:-1]:
            z = a @ w.T + b
            m = z > 0
            masks.append(m)
            a = z * m
            if jx is None:
                jx, jy = m * w[:, 0], m * w[:, 1]
            else:
                jx, jy = (jx @ w.T) * m, (jy @ w.T) * m
        w, b = layers[-1]
        f = a @ w[0] + b[0]
        g = np.column_stack([jx @ w[0], jy @ w[0]])
        triples[lo:lo + len(x)] = np.column_stack([g, f - np.sum(g * x, 1)])
        patterns.append(np.packbits(np.concatenate(masks, 1), axis=1))
    patterns = np.concatenate(patterns)
    n_patterns = len(np.unique(patterns, axis=0))
    return triples, n_patterns

def dedup(triples, tol=1e-3):
    cells = {}
    kept = []
    keys = np.floor(triples / (tol * (1 + 1e-9))).astype(np.int64)
    offsets = [(i, j, k) for i in (-1, 0, 1) for j in (-1, 0, 1) for k in (-1, 0, 1)]
    for i in range(len(triples)):
        t = triples[i]; cx, cy, cz = keys[i]
        new = True
        for dx, dy, dz in offsets:
            for r in cells.get((cx + dx, cy + dy, cz + dz), ()):
                if np.sqrt(((t - triples[r]) ** 2).sum()) < tol:
                    new = False; break
            if not new: break
        if new:
            kept.append(i); cells.setdefault((cx, cy, cz), []).append(i)
    return kept

def regression(x, y):
    x = np.round(x, 5); y = np.round(y, 5)
    xm, ym = x.mean(0), y.mean(0)
    coef, *_ = np.linalg.lstsq(x - xm, y - ym, rcond=1e-6)
    pred = (x - xm) @ coef + ym
    ss_res = ((y - pred) ** 2).sum(0); ss_tot = ((y - ym) ** 2).sum(0)
    return np.mean(1 - ss_res / ss_tot)

def save_pair(folder, name, pair):
    """Rounds both nets to float32, writes them as PyTorch would, and returns the rounded weights as float64."""
    import os
    from safetensors.numpy import save_file
    os.makedirs(folder, exist_ok=True)
    rounded = []
    for label, layers in zip("ab", pair):
        layers = [(w.astype(np.float32), b.astype(np.float32)) for w, b in layers]
        tensors = {}
        for i, (w, b) in enumerate(layers):
            tensors[f"fc{i + 1}.weight"] = w
            tensors[f"fc{i + 1}.bias"] = b
        save_file(tensors, os.path.join(folder, f"{name}-{label}.safetensors"))
        rounded.append([(w.astype(np.float64), b.astype(np.float64)) for w, b in layers])
    return rounded

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--grids', default='101,501,1001')
    p.add_argument('--nets', default='20,100,1000,3x64')
    p.add_argument('--save-nets', default=None)
    a = p.parse_args()
    print("seconds for both nets of the pair")
    print("net      grid   points     probe s   dedup s   regr s   total s    regions a, b      patterns a, b")
    for name in a.nets.split(','):
        parts = [int(v) for v in name.split('x')]
        widths = [2, parts[0], 1] if len(parts) == 1 else [2] + [parts[1]] * parts[0] + [1]
        rng = np.random.default_rng(0)
        na, nb = init(rng, widths), init(rng, widths)
        if a.save_nets:
            na, nb = save_pair(a.save_nets, name, (na, nb))
        for G in [int(g) for g in a.grids.split(',')]:
            pts = grid_points(G)
            t0 = time.perf_counter()
            ta, pa = probe(na, pts); tb, pb = probe(nb, pts)
            t1 = time.perf_counter()
            ka, kb = dedup(ta), dedup(tb)
            t2 = time.perf_counter()
            regression(ta, tb); regression(tb, ta)
            t3 = time.perf_counter()
            print(f"{name:8} {G:5d} {len(pts):9d} {t1 - t0:9.4f} {t2 - t1:9.4f} {t3 - t2:9.4f} {t3 - t0:9.4f}"
                  f" {len(ka):9d} {len(kb):7d} {pa:9d} {pb:7d}", flush=True)

if __name__ == '__main__':
    main()
