#!/usr/bin/env python3
"""Recomputes a `regionplot compare` (or `digits`) run's accuracies from its samples.csv and checks them against
report.json.

    regionplot compare --model-a A.onnx --model-b B.onnx --data X.npy --labels Y.npy \\
        --test-data Xt.npy --test-labels Yt.npy --out run
    python3 scripts/check_samples_table.py run

Checks: the transferred accuracy both ways (a → b, b → a), each net's own test accuracy, and classes.csv's
per-class accuracies, all recomputed from samples.csv (exactly: they are the same counts). Exit 0 when all agree.
"""
import json
import sys

import numpy as np
import pandas as pd


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    run = sys.argv[1]
    samples = pd.read_csv(f"{run}/samples.csv")
    classes = pd.read_csv(f"{run}/classes.csv")
    with open(f"{run}/report.json") as f:
        report = json.load(f)
    comparison = report.get("comparison", report)  # digits nests the comparison

    checks = {
        "transferred accuracy a → b": (np.mean(samples.pred_a_to_b == samples.label),
                                       comparison["transferredAccuracy"]["aToB"]),
        "transferred accuracy b → a": (np.mean(samples.pred_b_to_a == samples.label),
                                       comparison["transferredAccuracy"]["bToA"]),
        "accuracy a": (np.mean(samples.pred_a == samples.label), comparison["accuracy"]["a"]),
        "accuracy b": (np.mean(samples.pred_b == samples.label), comparison["accuracy"]["b"]),
    }
    failures = 0
    for name, (recomputed, reported) in checks.items():
        ok = abs(recomputed - reported) <= 1e-12
        failures += not ok
        print(f"{name}: {recomputed:.6f} from samples.csv, {reported:.6f} in report.json {'ok' if ok else 'DIFFER'}")
    per_class = (samples.pred_a_to_b == samples.label).groupby(samples.label).mean()
    stated = classes.set_index("class").accuracy_a_to_b.dropna()
    if not np.allclose(per_class.loc[stated.index], stated, rtol=0, atol=1e-12):
        failures += 1
        print("classes.csv's accuracy_a_to_b differs from samples.csv")
    else:
        print(f"classes.csv: per-class transferred accuracy of {len(stated)} classes agrees")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
