#!/usr/bin/env python3
"""Counts and times linear regions with Regioncam (pip install regioncam) and with `regionplot exact` on the same
networks, side by side.

    python3 scripts/regioncam_compare.py [regionplot binary] [safetensors files ...]

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

def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else ".build/release/regionplot"
    paths = sys.argv[2:] or make_nets(tempfile.mkdtemp())
    print(f"{'network':28s} {'regioncam':>10s} {'s':>8s} {'regionplot':>11s} {'s':>8s}")
    for path in paths:
        count, seconds = regioncam_count(load(path))
        out = tempfile.mktemp(suffix=".json")
        subprocess.run([binary, "exact", "--net", path, "--json", out, "--grid", "11"], check=True, stdout=subprocess.DEVNULL)
        ours = json.load(open(out))[0]
        print(f"{os.path.basename(path):28s} {count:10d} {seconds:8.3f} {ours['exactRegions']:11d} {ours['exactSeconds']:8.3f}", flush=True)

if __name__ == "__main__":
    main()
