#!/usr/bin/env python3
"""Two builds of regionplot side by side: runs `BIN --width W --out DIR` for each, alternately, N times, and prints
the least process CPU (user + system) and wall time of each, each figure's least `timings.renderFigures` from
report.json, and whether the two builds' PNGs are the same files and the same pixels (decoded RGBA, the largest
per-channel difference and how many pixels differ). Alternating keeps the two under the same machine load.

    python3 scripts/compare_builds.py BEFORE_BIN AFTER_BIN [N=10] [WIDTH=100]   # needs numpy and Pillow
"""
import json, os, resource, subprocess, sys, tempfile, time

import numpy as np
from PIL import Image


def run(binary, width, out):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([binary, "--width", str(width), "--out", out], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    with open(os.path.join(out, "report.json")) as f:
        return cpu, wall, json.load(f)["timings"]


def main():
    binaries = sys.argv[1:3]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    width = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    with tempfile.TemporaryDirectory() as tmp:
        outs = [os.path.join(tmp, "before"), os.path.join(tmp, "after")]
        cpu, wall, figures = [[], []], [[], []], [{}, {}]
        for _ in range(n):
            for k in range(2):
                c, w, timings = run(binaries[k], width, outs[k])
                cpu[k].append(c)
                wall[k].append(w)
                for name, seconds in timings["renderFigures"].items():
                    figures[k].setdefault(name, []).append(seconds)
        print(f"regionplot --width {width}, best of {n} (seconds)      before     after")
        print(f"{'process CPU (user + system)':40s} {min(cpu[0]):9.3f} {min(cpu[1]):9.3f}")
        print(f"{'process wall':40s} {min(wall[0]):9.3f} {min(wall[1]):9.3f}")
        for name in figures[0]:
            print(f"{'  ' + name:40s} {min(figures[0][name]):9.4f} {min(figures[1].get(name, [float('nan')])):9.4f}")
        worst = 0
        for name in sorted(f for f in os.listdir(outs[0]) if f.endswith(".png")):
            paths = [os.path.join(out, name) for out in outs]
            with open(paths[0], "rb") as a, open(paths[1], "rb") as b:
                same_file = a.read() == b.read()
            pixels = [np.asarray(Image.open(p).convert("RGBA")).astype(int) for p in paths]
            if pixels[0].shape != pixels[1].shape:
                print(f"{name:28s} sizes differ: {pixels[0].shape} {pixels[1].shape}")
                worst = 255
                continue
            difference = np.abs(pixels[0] - pixels[1])
            worst = max(worst, int(difference.max()))
            print(f"{name:28s} same file: {same_file}, largest channel difference {int(difference.max())}, "
                  f"{int((difference.max(axis=2) > 0).sum())} pixels differ")
        print(f"largest channel difference over all figures: {worst}")


if __name__ == "__main__":
    main()
