#!/usr/bin/env python3
"""Times `regionplot slice` against a vectorised NumPy float64 splitter on every net of the CNN family
(scripts/make_cnn_family.py), in one run, and prints a Markdown table.

    python3 scripts/cnn_family_bench.py [--family /tmp/cnn_family] [--binary .build/release/regionplot]
        [--before OTHER_BINARY] [--only unseen_digits,stride2] [--rows 0,1,2] [--size S] [--timeout 600]
        [--repeat N]

The family is made first when <family>/family.json is missing. Each net is sliced through test rows 0, 1, 2 of its
data at its `SIZES` entry (the 28×28 and 3×32×32 nets at small squares: their full slices have hundreds of
thousands to millions of regions). The splitter is scripts/numpy_slice_splitter.py's generalised to any
Sequential of the family: the same algorithm as regionplot — the plane's maps carried through the layers (the
affine layers by the torch module itself in float64, the value at 0 taken off the u and v rows), every cell cut
along each ReLU unit's zero line, the states read at the centroids, max-pool windows split into the regions
{f_i ≥ f_j} (entries that are the same function counting once), pieces under 1e-12 dropped — with every step on
all cells at once (batches of `--batch` cells through the later layers). regionplot's time is its report's
`timings.exact` (cold, one partition); `--before` times a second binary on the same slices (before / after).
`--repeat N` times each of the three N times (the NumPy split, and each binary in N fresh processes) and keeps the
fastest: on a loaded machine a slice of a few milliseconds is stretched many times over by a single wait for a core,
so one cold run of a small net measures the load more than the program.
"""
import argparse, json, os, subprocess, sys, tempfile, time
import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_cnn_family as family  # noqa: E402
from numpy_slice_splitter import plane, clip, centroids, keep_large  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SIZES = {"unseen_digits": 1.5, "stride2": 1.5, "dilated": 1.5, "avgpool": 1.5, "residual": 1.5, "lenet5": 0.03,
         "vgg_small": 0.03}


def flatten(model):
    """The module as steps: ('affine', module) | ('relu',) | ('prelu', slopes) | ('pool', kernel, stride) |
    ('push',) | ('add', projection)."""
    steps = []
    for m in model.children():
        if isinstance(m, nn.ReLU):
            steps.append(("relu",))
        elif isinstance(m, nn.PReLU):
            steps.append(("prelu", m.weight.detach().double().numpy().reshape(-1)))
        elif isinstance(m, nn.MaxPool2d):
            steps.append(("pool", m.kernel_size, m.stride))
        elif isinstance(m, family.Residual):
            steps.append(("push",))
            steps += flatten(m.body)
            steps += [("add", m.projection), ("relu",)]
        else:
            steps.append(("affine", m))
    return steps


class Cells:
    """Polygons (padded vertices V [P, M, 2], counts cnt [P]), each cell's current maps [P, 3, *shape] and the
    maps saved at a residual block's entry (or None)."""

    def __init__(self, V, cnt, maps, saved=None):
        self.V, self.cnt, self.maps, self.saved = V, cnt, maps, saved

    def take(self, mask):
        return Cells(self.V[mask], self.cnt[mask], self.maps[mask], None if self.saved is None else self.saved[mask])


def pad_to(A, M):
    return np.pad(A, ((0, 0), (0, M - A.shape[1]), (0, 0)))


def concat(parts):
    parts = [p for p in parts if len(p.cnt)]
    if not parts:
        return None
    M = max(p.V.shape[1] for p in parts)
    saved = None if parts[0].saved is None else np.concatenate([p.saved for p in parts])
    return Cells(np.concatenate([pad_to(p.V, M) for p in parts]), np.concatenate([p.cnt for p in parts]),
                 np.concatenate([p.maps for p in parts]), saved)


def affine(module, maps):
    """The module on each cell's three rows, its value at 0 taken off the u and v rows."""
    P = maps.shape[0]
    with torch.no_grad():
        x = torch.from_numpy(maps.reshape(P * 3, *maps.shape[2:]))
        y = module(x).numpy()
        zero = module(torch.zeros(1, *maps.shape[2:], dtype=torch.float64)).numpy()
    y = y.reshape(P, 3, *y.shape[1:])
    y[:, 0] -= zero[0]
    y[:, 1] -= zero[0]
    return y


def relu(cells, h, slope=0.0):
    """Every cell cut along each unit's zero line, then the units' states at the centroids; units that are off
    keep `slope` times their maps (0 for ReLU; PReLU's slopes, one per element)."""
    shape = cells.maps.shape[2:]
    n = int(np.prod(shape))
    for j in range(n):
        z = cells.maps.reshape(len(cells.cnt), 3, n)[:, :, j]
        a, b, c = z[:, 0], z[:, 1], z[:, 2]
        eps = 1e-12 * ((np.abs(a) + np.abs(b)) * h + np.abs(c))
        val = a[:, None] * cells.V[:, :, 0] + b[:, None] * cells.V[:, :, 1] + c[:, None]
        valid = np.arange(cells.V.shape[1])[None, :] < cells.cnt[:, None]
        crossing = (valid & (val > eps[:, None])).any(1) & (valid & (val < -eps[:, None])).any(1) & (eps > 0)
        if not crossing.any():
            continue
        cut = cells.take(crossing)
        P1, c1 = clip(cut.V, cut.cnt, cut.maps.reshape(-1, 3, n)[:, 0, j], cut.maps.reshape(-1, 3, n)[:, 1, j],
                      cut.maps.reshape(-1, 3, n)[:, 2, j], h)
        P2, c2 = clip(cut.V, cut.cnt, -cut.maps.reshape(-1, 3, n)[:, 0, j], -cut.maps.reshape(-1, 3, n)[:, 1, j],
                      -cut.maps.reshape(-1, 3, n)[:, 2, j], h)
        sides = []
        for P, cc in ((P1, c1), (P2, c2)):
            side = Cells(P, cc, cut.maps, cut.saved)
            idx = np.arange(len(cc))
            V, cnt, keep = keep_large(P, cc, idx[:, None])
            sides.append(Cells(V, cnt, cut.maps[keep[:, 0]],
                               None if cut.saved is None else cut.saved[keep[:, 0]]))
        cells = concat([cells.take(~crossing)] + sides)
    cen = centroids(cells.V, cells.cnt)
    flat = cells.maps.reshape(len(cells.cnt), 3, n)
    on = (cen[:, 0:1] * flat[:, 0] + cen[:, 1:2] * flat[:, 1] + flat[:, 2]) > 0
    factor = np.where(on, 1.0, np.broadcast_to(slope, (n,))[None, :])
    cells.maps = (flat * factor[:, None, :]).reshape(cells.maps.shape)
    return cells


def maxpool(cells, kernel, stride, h):
    """Window by window, the cells where the argmax is not the same at every vertex cut into its regions; then
    each cell's pooled maps (the argmax at its centroid)."""
    P, _, C, H, W = cells.maps.shape
    oh, ow = (H - kernel) // stride + 1, (W - kernel) // stride + 1
    windows = [[(ch * H + stride * oy + dy) * W + stride * ox + dx for dy in range(kernel) for dx in range(kernel)]
               for ch in range(C) for oy in range(oh) for ox in range(ow)]
    k = kernel * kernel
    for win in windows:
        F = cells.maps.reshape(len(cells.cnt), 3, -1)[:, :, win]
        valid = np.arange(cells.V.shape[1])[None, :] < cells.cnt[:, None]
        vals = np.einsum("pm,pk->pmk", cells.V[:, :, 0], F[:, 0]) + np.einsum("pm,pk->pmk", cells.V[:, :, 1], F[:, 1]) \
            + F[:, 2][:, None, :]
        eps = 1e-12 * ((np.abs(F[:, 0]) + np.abs(F[:, 1])) * h + np.abs(F[:, 2]))
        best = np.where(valid[:, :, None], vals, -np.inf).max(2, keepdims=True)
        ok = (vals >= best - eps[:, None, :]) | ~valid[:, :, None]
        constant = ok.all(1).any(1)
        if constant.all():
            continue
        split = cells.take(~constant)
        Fs = F[~constant]
        parts = [cells.take(constant)]
        for i in range(k):
            dup = np.zeros(len(split.cnt), bool)
            for j in range(i):
                dup |= np.all(np.abs(Fs[:, :, i] - Fs[:, :, j]) <= 0, 1)
            part = split.take(~dup)
            Fi = Fs[~dup]
            V, cnt = part.V, part.cnt
            for j in range(k):
                if j != i:
                    d = Fi[:, :, i] - Fi[:, :, j]
                    same = np.all(d == 0, 1)
                    a, b, c = np.where(same, 1.0, d[:, 0]), np.where(same, 0.0, d[:, 1]), np.where(same, 2 * h, d[:, 2])
                    V, cnt = clip(V, cnt, a, b, c, h)
            idx = np.arange(len(cnt))
            V, cnt, keep = keep_large(V, cnt, idx[:, None])
            parts.append(Cells(V, cnt, part.maps[keep[:, 0]], None if part.saved is None else part.saved[keep[:, 0]]))
        cells = concat(parts)
    cen = centroids(cells.V, cells.cnt)
    flat = cells.maps.reshape(len(cells.cnt), 3, -1)
    W3 = np.array(windows)  # [windows, k]
    vals = cen[:, 0, None, None] * flat[:, 0][:, W3] + cen[:, 1, None, None] * flat[:, 1][:, W3] + flat[:, 2][:, W3]
    arg = vals.argmax(2)  # the first on ties
    chosen = W3[np.arange(len(windows))[None, :], arg]  # [P, windows]
    pooled = np.take_along_axis(flat, chosen[:, None, :].repeat(3, 1), 2)
    cells.maps = pooled.reshape(len(cells.cnt), 3, C, oh, ow)
    return cells


def run_steps(cells, steps, h, batch):
    """The steps on `cells`, in batches of at most `batch` cells (so later layers' maps stay small)."""
    if not steps:
        return len(cells.cnt)
    if len(cells.cnt) > batch:
        return sum(run_steps(cells.take(slice(i, i + batch)), steps, h, batch)
                   for i in range(0, len(cells.cnt), batch))
    step, rest = steps[0], steps[1:]
    if step[0] == "affine":
        if isinstance(step[1], nn.Flatten):
            cells.maps = cells.maps.reshape(len(cells.cnt), 3, -1)
        else:
            cells.maps = affine(step[1], cells.maps)
    elif step[0] == "relu":
        cells = relu(cells, h)
    elif step[0] == "prelu":
        # One slope, or one per channel (the first axis of the sample) spread over the channel's elements.
        shape = cells.maps.shape[2:]
        w = step[1]
        slope = w[0] if w.size == 1 else np.repeat(w, int(np.prod(shape[1:])))
        cells = relu(cells, h, slope)
    elif step[0] == "pool":
        cells = maxpool(cells, step[1], step[2], h)
    elif step[0] == "push":
        cells.saved = cells.maps.copy()
    elif step[0] == "add":
        cells.maps = cells.maps + affine(step[1], cells.saved)
        cells.saved = None
    return run_steps(cells, rest, h, batch)


def split(model, points, size, batch):
    origin, d1, d2, h = plane(points.reshape(3, -1).astype(np.float64), size)
    shape = points.shape[1:]
    maps = np.stack([d1, d2, origin]).reshape(1, 3, *shape)
    cells = Cells(np.array([[[-h, -h], [h, -h], [h, h], [-h, h]]], float), np.array([4]), maps)
    return run_steps(cells, flatten(model), h, batch)


def regionplot(binary, model, data, rows, size, timeout):
    out = tempfile.mkdtemp()
    command = [binary, "slice", "--model", model, "--data", data, "--through", rows, "--size", str(size),
               "--grid", "2", "--format", "svg", "--out", out]
    try:
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, None
    report = json.load(open(os.path.join(out, "report.json")))
    return report["exactRegions"], report["timings"]["exact"]


def fastest(binary, model, data, rows, size, timeout, repeat):
    """The count and the fastest `timings.exact` of `repeat` fresh runs (None when one timed out)."""
    best = (None, None)
    for _ in range(max(1, repeat)):
        count, seconds = regionplot(binary, model, data, rows, size, timeout)
        if seconds is None:
            return None, None
        if best[1] is None or seconds < best[1]:
            best = (count, seconds)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--family", default="/tmp/cnn_family")
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "regionplot"))
    ap.add_argument("--before", default="", help="another regionplot binary, timed on the same slices")
    ap.add_argument("--only", default="")
    ap.add_argument("--rows", default="0,1,2")
    ap.add_argument("--batch", type=int, default=20000)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--size", type=float, default=0, help="one --size for every net (default: SIZES)")
    ap.add_argument("--repeat", type=int, default=1, help="time each N times and keep the fastest")
    args = ap.parse_args()
    index_path = os.path.join(args.family, "family.json")
    if not os.path.exists(index_path):
        family.make(args.family)
    index = json.load(open(index_path))
    rows = [int(r) for r in args.rows.split(",")]
    names = [n for n in args.only.split(",") if n] or list(family.FAMILY)
    header = "| net | size | NumPy regions | NumPy s | regionplot regions | regionplot s | ratio |"
    if args.before:
        header += " before s | before / after |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for name in names:
        entry = index[name]
        torch.manual_seed(0)
        model = family.FAMILY[name][0]().double()
        model.load_state_dict({k: v.double() if v.is_floating_point() else v
                               for k, v in torch.load(os.path.join(args.family, name + ".pt")).items()})
        model.eval()
        x = np.load(entry["data"])
        size = args.size or SIZES[name]
        numpy_seconds = float("inf")
        for _ in range(max(1, args.repeat)):
            start = time.perf_counter()
            count = split(model, x[rows].astype(np.float64), size, args.batch)
            numpy_seconds = min(numpy_seconds, time.perf_counter() - start)
        ours, seconds = fastest(args.binary, entry["model"], entry["data"], args.rows, size, args.timeout,
                                args.repeat)
        line = (f"| {name} | {size} | {count} | {numpy_seconds:.2f} | {ours} | "
                + (f"{seconds:.3f} | {numpy_seconds / seconds:.1f}× |" if seconds else "timeout | |"))
        if args.before:
            _, before = fastest(args.before, entry["model"], entry["data"], args.rows, size, args.timeout,
                                args.repeat)
            line += (f" {before:.3f} | {before / seconds:.1f}× |" if before and seconds else " timeout | |")
        print(line, flush=True)


if __name__ == "__main__":
    main()
