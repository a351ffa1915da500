#!/usr/bin/env python3
"""A vectorised NumPy float64 splitter for the exact regions of the shared digits CNN on a slice — the peer that
`regionplot slice` is timed against.

    python3 scripts/numpy_slice_splitter.py [--rows 0,1,2] [--size 1.5] [--binary .build/release/regionplot]
    python3 scripts/numpy_slice_splitter.py --wide 12 [--rows 0,1,2] [--size 1.5]   # a wider CNN, made first

The CNN is ../shared/examples/ex_cnn.onnx: Conv2d(1,4,3,padding=1) → ReLU → MaxPool2d(2) → Flatten → Linear(64,10);
with `--wide C` it is the same shape with C channels, made by scripts/make_wide_cnn.py (torch) into a temporary
folder; `--model` takes any CNN of that shape.
Same plane (Regioncam's convention), same algorithm as regionplot: the conv's output as affine maps of (u, v);
the square cut along each ReLU unit's zero line; every cell's states at its centroid; then, window by window, the
cells where a max-pool window's argmax is not the same at every vertex are cut into the regions {f_i ≥ f_j for all j}
(entries that are the same function counting once); pieces under 1e-12 dropped. Every step works on all cells at
once: polygons are padded vertex arrays, clipped by per-cell half-planes with NumPy array operations. The script
prints its count and time, runs regionplot on the same slice, and prints regionplot's count and its exact time.
"""
import argparse, json, os, subprocess, tempfile, time
import numpy as np
import onnx
from onnx import numpy_helper

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
EXAMPLES = os.path.join(ROOT, "Tests", "NeuralNetTests", "Fixtures", "examples")
MIN_AREA = 1e-12


def plane(points, size):
    p0, p1, p2 = points
    d1 = (p1 - p0) / np.linalg.norm(p1 - p0)
    e2 = p2 - p0
    o = e2 - (e2 @ d1) * d1
    d2 = o / np.linalg.norm(o)
    uv = np.array([[0, 0], [np.linalg.norm(p1 - p0), 0], [e2 @ d1, np.linalg.norm(o)]])
    centre = (uv.min(0) + uv.max(0)) / 2
    origin = p0 + centre[0] * d1 + centre[1] * d2
    return origin, d1, d2, size * np.abs(uv - centre).max()


def conv_maps(x_maps, w, b):
    """Conv2d(padding=1) of 3 rows [a; b; c] of [1, 8, 8] inputs; the bias on the c row only → [3, C·8·8]."""
    C = w.shape[0]
    x = np.pad(x_maps.reshape(3, 1, 8, 8), ((0, 0), (0, 0), (1, 1), (1, 1)))
    cols = np.stack([x[:, 0, i:i + 8, j:j + 8] for i in range(3) for j in range(3)], 1)  # [3, 9, 8, 8]
    out = np.einsum("ok,rkyx->royx", w.reshape(C, 9), cols)
    out[2] += b[:, None, None]
    return out.reshape(3, C * 64)


def areas(V, cnt):
    M = V.shape[1]
    idx = np.arange(M)
    nxt = (idx[None, :] + 1) % np.maximum(cnt[:, None], 1)
    Vn = np.take_along_axis(V, nxt[:, :, None].repeat(2, 2), 1)
    cross = V[:, :, 0] * Vn[:, :, 1] - Vn[:, :, 0] * V[:, :, 1]
    return np.abs(np.where(idx[None, :] < cnt[:, None], cross, 0).sum(1)) / 2


def clip(V, cnt, a, b, c, h):
    """Each polygon (padded V [P, M, 2], cnt [P]) clipped to a_p·u + b_p·v + c_p ≥ 0."""
    P, M, _ = V.shape
    idx = np.arange(M)
    valid = idx[None, :] < cnt[:, None]
    eps = 1e-12 * ((np.abs(a) + np.abs(b)) * h + np.abs(c))
    val = a[:, None] * V[:, :, 0] + b[:, None] * V[:, :, 1] + c[:, None]
    s = np.where(val > eps[:, None], 1, np.where(val < -eps[:, None], -1, 0))
    nxt = (idx[None, :] + 1) % np.maximum(cnt[:, None], 1)
    Vn = np.take_along_axis(V, nxt[:, :, None].repeat(2, 2), 1)
    valn = np.take_along_axis(val, nxt, 1)
    sn = np.take_along_axis(s, nxt, 1)
    keep_v = valid & (s >= 0)
    cross = valid & (s * sn < 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(cross, val / (val - valn), 0)
    X = V + t[:, :, None] * (Vn - V)
    out = np.empty((P, 2 * M, 2))
    out[:, 0::2], out[:, 1::2] = V, X
    keep = np.empty((P, 2 * M), bool)
    keep[:, 0::2], keep[:, 1::2] = keep_v, cross
    new_cnt = keep.sum(1)
    order = np.argsort(~keep, axis=1, kind="stable")
    width = max(3, int(new_cnt.max()) if P else 3)
    out = np.take_along_axis(out, order[:, :width, None].repeat(2, 2), 1)
    return out, new_cnt


def centroids(V, cnt):
    M = V.shape[1]
    idx = np.arange(M)
    valid = idx[None, :] < cnt[:, None]
    nxt = (idx[None, :] + 1) % np.maximum(cnt[:, None], 1)
    Vn = np.take_along_axis(V, nxt[:, :, None].repeat(2, 2), 1)
    cr = np.where(valid, V[:, :, 0] * Vn[:, :, 1] - Vn[:, :, 0] * V[:, :, 1], 0)
    A = cr.sum(1)
    cx = ((V[:, :, 0] + Vn[:, :, 0]) * cr).sum(1) / (3 * A)
    cy = ((V[:, :, 1] + Vn[:, :, 1]) * cr).sum(1) / (3 * A)
    return np.stack([cx, cy], 1)


def keep_large(V, cnt, maps):
    ok = (cnt >= 3) & (areas(V, cnt) >= MIN_AREA)
    return V[ok], cnt[ok], maps[ok]


def split_cnn(z, h):
    """Cells of the CNN slice from the conv output's maps z [3, 256] on the square ±h."""
    V = np.array([[[-h, -h], [h, -h], [h, h], [-h, h]]], float)
    cnt = np.array([4])
    dummy = np.zeros((1, 1))
    # ReLU: every unit's zero line is the same on the whole square.
    for j in range(z.shape[1]):
        a, b, c = z[0, j], z[1, j], z[2, j]
        eps = 1e-12 * ((abs(a) + abs(b)) * h + abs(c))
        val = a * V[:, :, 0] + b * V[:, :, 1] + c
        valid = np.arange(V.shape[1])[None, :] < cnt[:, None]
        crossing = (valid & (val > eps)).any(1) & (valid & (val < -eps)).any(1)
        if not crossing.any():
            continue
        Vc, cc = V[crossing], cnt[crossing]
        n = len(cc)
        P1, c1 = clip(Vc, cc, np.full(n, a), np.full(n, b), np.full(n, c), h)
        P2, c2 = clip(Vc, cc, np.full(n, -a), np.full(n, -b), np.full(n, -c), h)
        M = max(V.shape[1], P1.shape[1], P2.shape[1])
        pad = lambda A: np.pad(A, ((0, 0), (0, M - A.shape[1]), (0, 0)))
        V = np.concatenate([pad(V[~crossing]), pad(P1), pad(P2)])
        cnt = np.concatenate([cnt[~crossing], c1, c2])
        V, cnt, _ = keep_large(V, cnt, np.zeros((len(cnt), 1)))
    # States at the centroids; each cell's pooled inputs as maps [P, 3, 256].
    c = centroids(V, cnt)
    on = (c[:, 0:1] * z[0] + c[:, 1:2] * z[1] + z[2]) > 0
    maps = z[None, :, :] * on[:, None, :]
    windows = [[(ch * 8 + 2 * oy + dy) * 8 + 2 * ox + dx for dy in (0, 1) for dx in (0, 1)]
               for ch in range(z.shape[1] // 64) for oy in range(4) for ox in range(4)]
    for win in windows:
        F = maps[:, :, win]  # [P, 3, 4]
        M = V.shape[1]
        valid = np.arange(M)[None, :] < cnt[:, None]
        vals = np.einsum("pm,pk->pmk", V[:, :, 0], F[:, 0]) + np.einsum("pm,pk->pmk", V[:, :, 1], F[:, 1]) \
            + F[:, 2][:, None, :]
        eps = 1e-12 * ((np.abs(F[:, 0]) + np.abs(F[:, 1])) * h + np.abs(F[:, 2]))  # [P, 4]
        best = np.where(valid[:, :, None], vals, -np.inf).max(2, keepdims=True)
        ok = (vals >= best - eps[:, None, :]) | ~valid[:, :, None]
        constant = ok.all(1).any(1)
        if constant.all():
            continue
        split = ~constant
        Vs, cs, Fs, ms = V[split], cnt[split], F[split], maps[split]
        parts_V, parts_c, parts_m = [], [], []
        for i in range(4):
            # A candidate the same function as an earlier one has no region of its own.
            dup = np.zeros(len(cs), bool)
            for k in range(i):
                dup |= np.all(np.abs(Fs[:, :, i] - Fs[:, :, k]) <= 0, 1)
            Pi, ci = Vs[~dup], cs[~dup]
            Fi = Fs[~dup]
            for j in range(4):
                if j == i:
                    continue
                d = Fi[:, :, i] - Fi[:, :, j]
                Pi, ci = clip(Pi, ci, d[:, 0], d[:, 1], d[:, 2], h)
            Pi, ci, mi = keep_large(Pi, ci, ms[~dup])
            parts_V.append(Pi); parts_c.append(ci); parts_m.append(mi)
        M = max([V.shape[1]] + [p.shape[1] for p in parts_V])
        pad = lambda A: np.pad(A, ((0, 0), (0, M - A.shape[1]), (0, 0)))
        V = np.concatenate([pad(V[constant])] + [pad(p) for p in parts_V])
        cnt = np.concatenate([cnt[constant]] + parts_c)
        maps = np.concatenate([maps[constant]] + parts_m)
    return len(cnt)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="0,1,2")
    ap.add_argument("--size", type=float, default=1.5)
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "regionplot"))
    ap.add_argument("--model", default=os.path.join(EXAMPLES, "ex_cnn.onnx"))
    ap.add_argument("--wide", type=int, default=0, help="make and use a digits CNN with this many channels")
    ap.add_argument("--exact-runs", type=int, default=1, help="regionplot's fastest of this many partitions")
    args = ap.parse_args()
    if args.wide:
        import make_wide_cnn
        args.model = os.path.join(tempfile.mkdtemp(), f"wide_cnn_{args.wide}.onnx")
        print(f"made {args.model}: test accuracy {make_wide_cnn.make(args.wide, args.model):.4f}")
    rows = [int(r) for r in args.rows.split(",")]
    g = onnx.load(args.model).graph
    init = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in g.initializer}
    conv = [n for n in g.node if n.op_type == "Conv"][0]
    w, b = init[conv.input[1]], init[conv.input[2]]
    x = np.load(os.path.join(EXAMPLES, "digits_test_img.npy")).astype(np.float64).reshape(-1, 64)
    start = time.perf_counter()
    origin, d1, d2, h = plane(x[rows], args.size)
    z = conv_maps(np.stack([d1, d2, origin]), w, b)
    count = split_cnn(z, h)
    seconds = time.perf_counter() - start
    print(f"numpy float64 splitter: {count} regions in {seconds:.3f} s")
    out = tempfile.mkdtemp()
    command = [args.binary, "slice", "--model", args.model, "--data", os.path.join(EXAMPLES, "digits_test_img.npy"),
               "--through", args.rows, "--size", str(args.size), "--grid", "2", "--format", "svg",
               "--exact-runs", str(args.exact_runs), "--out", out]
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    process = time.perf_counter() - start
    report = json.load(open(os.path.join(out, "report.json")))
    print(f"regionplot slice:       {report['exactRegions']} regions in {report['timings']['exact']:.3f} s "
          f"({seconds / report['timings']['exact']:.0f}x; whole process {process:.2f} s)")


if __name__ == "__main__":
    main()
