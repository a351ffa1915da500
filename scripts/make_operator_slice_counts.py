#!/usr/bin/env python3
"""The NumPy float64 splitter's region counts on slices of the operator fixtures it can read (PReLU, grouped and
depthwise convolutions), for the Swift tests to hold `SlicePartition` to.

    python3 scripts/make_operator_slice_counts.py [--size 1.5]

Rebuilds each fixture's torch module (scripts/make_operator_fixtures.py's seeds, so its weights are those of the
ONNX files), runs scripts/cnn_family_bench.py's splitter on the plane through rows 0, 1, 2 of its input, and
writes Tests/NeuralNetTests/Fixtures/slices/operator_numpy_counts.json: {"slices": [{"model", "data", "rows",
"size", "regions"}]}.
"""
import argparse, json, os, sys
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cnn_family_bench as splitter  # noqa: E402
import make_operator_fixtures as fixtures  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
ONNX = os.path.join(ROOT, "Tests", "NeuralNetTests", "Fixtures", "onnx")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=float, default=1.5)
    args = ap.parse_args()
    torch.set_default_dtype(torch.float32)
    slices = []
    for name in ("prelu", "grouped"):
        model, _ = fixtures.built(name)
        model = model.double()
        x = np.load(os.path.join(ONNX, f"ops_{name}_x.npy")).astype(np.float64)
        regions = splitter.split(model, x[[0, 1, 2]], args.size, 20000)
        for exporter in ("ts", "dynamo"):
            slices.append({"model": f"onnx/ops_{name}_{exporter}.onnx", "data": f"onnx/ops_{name}_x.npy",
                           "rows": [0, 1, 2], "size": args.size, "regions": int(regions)})
        print(name, regions)
    out = os.path.join(ROOT, "Tests", "NeuralNetTests", "Fixtures", "slices", "operator_numpy_counts.json")
    with open(out, "w") as f:
        json.dump({"slices": slices}, f, indent=1)


if __name__ == "__main__":
    main()
