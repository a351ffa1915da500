#!/usr/bin/env python3
"""Counts and times linear regions with Regioncam (pip install regioncam) and with `regionplot exact` on the same
networks, side by side.

    python3 scripts/regioncam_compare.py [--repeat N] [regionplot binary] [safetensors files ...]

With --repeat N each network is counted N times by each tool, alternately (Regioncam, regionplot, Regioncam, …), so
that both see the same load; the table gives the best and the median time of each and the ratio of the best times.

Without files it makes PyTorch-style initialised nets (2→1000→1, 2→100→100→1, 2→400→400→400→1, F32 as Regioncam takes them) in /tmp and
compares on those. Regioncam's square is [-1, 1]² (size=1), the same as regionplot's default domain.
"""
import json, os, subprocess, sys, tempfile, time
import numpy as np
import regioncam
from safetensors.numpy import load_file, save_file

def load(path):
    d = load_file(path)
    names = sorted({k.rsplit('.', 1)[0] for k in d}, key=lambda n: [int(t) if t.isdigit() else t for t in n.replace('fc', 'fc.').split('.')])
    return [(d[n + '.weight'].astype(np.float64), d[n + '.bias'].astype(np.float64)) for n in names]

def regioncam_count(layers):
    t = time.perf_counter()
    rc = regioncam.Regioncam(size=1.0)
    for i, (w, b) in enumerate(layers):
        rc.linear(np.ascontiguousarray(w.T, dtype=np.float32), b.astype(np.float32))
        if i < len(layers) - 1:
            rc.relu()
    return rc.num_faces, time.perf_counter() - t

def make_nets(folder):
    rng = np.random.default_rng(0)
    paths = []
    for name, widths in [("w1000", [2, 1000, 1]), ("deep2x100", [2, 100, 100, 1]), ("deep3x400", [2, 400, 400, 400, 1])]:
        tensors = {}
        for i, (fi, fo) in enumerate(zip(widths, widths[1:])):
            bound = 1 / np.sqrt(fi)
            tensors[f"fc{i + 1}.weight"] = rng.uniform(-bound, bound, (fo, fi)).astype(np.float32)
            tensors[f"fc{i + 1}.bias"] = rng.uniform(-bound, bound, fo).astype(np.float32)
        path = os.path.join(folder, name + ".safetensors")
        save_file(tensors, path)
        paths.append(path)
    return paths

def regionplot_count(binary, path):
    out = tempfile.mktemp(suffix=".json")
    subprocess.run([binary, "exact", "--net", path, "--json", out, "--grid", "11"], check=True, stdout=subprocess.DEVNULL)
    ours = json.load(open(out))[0]
    os.remove(out)
    return ours["exactRegions"], ours["exactSeconds"]

def main():
    args = sys.argv[1:]
    repeat = 1
    if args[:1] == ["--repeat"]:
        repeat, args = int(args[1]), args[2:]
    binary = args[0] if args else ".build/release/regionplot"
    paths = args[1:] or make_nets(tempfile.mkdtemp())
    if repeat == 1:
        print(f"{'network':28s} {'regioncam':>10s} {'s':>8s} {'regionplot':>11s} {'s':>8s}")
    else:
        print(f"{'network':24s} {'regioncam':>10s} {'best s':>8s} {'median':>8s} {'regionplot':>11s} {'best s':>8s} "
              f"{'median':>8s} {'ratio':>7s}")
    for path in paths:
        layers = load(path)
        theirs, ours = [], []
        for _ in range(repeat):
            theirs.append(regioncam_count(layers))
            ours.append(regionplot_count(binary, path))
        count, seconds = theirs[0][0], sorted(t for _, t in theirs)
        our_count, our_seconds = ours[0][0], sorted(t for _, t in ours)
        assert all(c == count for c, _ in theirs) and all(c == our_count for c, _ in ours), "counts changed between runs"
        name = os.path.basename(path)
        if repeat == 1:
            print(f"{name:28s} {count:10d} {seconds[0]:8.3f} {our_count:11d} {our_seconds[0]:8.3f}", flush=True)
        else:
            median = lambda xs: xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2
            print(f"{name:24s} {count:10d} {seconds[0]:8.3f} {median(seconds):8.3f} {our_count:11d} "
                  f"{our_seconds[0]:8.3f} {median(our_seconds):8.3f} {seconds[0] / our_seconds[0]:6.1f}x", flush=True)

if __name__ == "__main__":
    main()
