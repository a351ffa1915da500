#!/usr/bin/env python3
"""Writes Tests/NeuralNetTests/Fixtures/slices/regioncam_slices.json: Regioncam's region counts on planes through
three data points, for the MLP, residual, LeakyReLU and 2-input models of the ONNX fixtures and the shared digits
MLP — the independent exact method `regionplot slice` is checked against.

    pip install regioncam torch onnx numpy
    python scripts/make_slice_fixtures.py

The models are rebuilt exactly as scripts/make_onnx_fixtures.py builds them (same seeds; BatchNorm folded into
the Linear before it, as Regioncam takes linear layers), and the shared digits MLP is read from its ONNX file.
Regioncam computes in float32; `Regioncam.through_points(points, size=1.5)` is the plane of the issue's convention
(d1, d2 by Gram–Schmidt, centred on the points' bounding box, half-width 1.5 × the largest centred coordinate).
For each slice the file holds the counts without and with the decision boundary (argmax of the outputs).
"""
import json
import os
import sys
import time

import numpy as np
import onnx
import regioncam
import torch
import torch.nn as nn
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_onnx_fixtures as fx  # noqa: E402

ROOT = os.path.join(HERE, "..")
ONNX_DIR = os.path.join(ROOT, "Tests", "NeuralNetTests", "Fixtures", "onnx")
EXAMPLES = os.path.join(ROOT, "Tests", "NeuralNetTests", "Fixtures", "examples")  # copies of ../shared/examples
OUT = os.path.join(ROOT, "Tests", "NeuralNetTests", "Fixtures", "slices", "regioncam_slices.json")


def folded(linear, bn):
    """nn.Linear followed by an eval-mode BatchNorm1d, as one nn.Linear."""
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    out = nn.Linear(linear.in_features, linear.out_features)
    out.weight.data = linear.weight.data * scale[:, None]
    out.bias.data = (linear.bias.data - bn.running_mean) * scale + bn.bias.data
    return out


def regioncam_layers(model):
    """The fixture model as Regioncam layers (Dropout left out, BatchNorm folded)."""
    conv = regioncam.nn.convert
    layers = []
    modules = list(model)
    i = 0
    while i < len(modules):
        m = modules[i]
        if isinstance(m, nn.Dropout):
            pass
        elif isinstance(m, fx.Residual):
            layers.append(regioncam.nn.Residual(regioncam_sequential(list(m.f))))
        elif isinstance(m, nn.Linear) and i + 1 < len(modules) and isinstance(modules[i + 1], nn.BatchNorm1d):
            layers.append(conv(folded(m, modules[i + 1])))
            i += 1
        else:
            layers.append(conv(m))
        i += 1
    return regioncam.nn.Sequential(*layers)


def regioncam_sequential(modules):
    return regioncam_layers(nn.Sequential(*modules))


def onnx_gemm_mlp(path):
    """A chain of Gemm (transB=1) and Relu nodes as a torch nn.Sequential."""
    g = onnx.load(path).graph
    init = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    layers = []
    for node in g.node:
        if node.op_type == "Gemm":
            w, b = init[node.input[1]], init[node.input[2]]
            lin = nn.Linear(w.shape[1], w.shape[0])
            lin.weight.data = torch.from_numpy(w.astype(np.float32))
            lin.bias.data = torch.from_numpy(b.astype(np.float32))
            layers.append(lin)
        elif node.op_type == "Relu":
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def count(net, points=None, size=1.5):
    start = time.perf_counter()
    rc = regioncam.Regioncam(size=size) if points is None else regioncam.Regioncam.through_points(points, size=size)
    rc.add(net)
    regions = rc.num_faces
    seconds = time.perf_counter() - start
    rc.decision_boundary()
    return regions, rc.num_faces, seconds, rc


def main():
    built = {}
    for name, seed, _, build in fx.models():
        torch.manual_seed(seed)
        model = build()
        fx.randomise_batchnorm(model, seed)
        built[name] = model.eval()
    cases = [
        ("mlp_ts.onnx", "mlp_x.npy", built["mlp"], [[0, 1, 2], [3, 4, 5]]),
        ("residual_mlp_ts.onnx", "residual_mlp_x.npy", built["residual_mlp"], [[0, 1, 2], [4, 5, 6]]),
        ("leaky_ts.onnx", "leaky_x.npy", built["leaky"], [[0, 1, 2], [2, 4, 6]]),
        ("two_input_ts.onnx", None, built["two_input"], [None]),
    ]
    slices = []
    with torch.no_grad():
        for model_file, data_file, model, triples in cases:
            net = regioncam_layers(model)
            x = np.load(os.path.join(ONNX_DIR, data_file)) if data_file else None
            for rows in triples:
                points = None if rows is None else x[rows].reshape(3, -1).astype(np.float32)
                regions, with_decision, seconds, _ = count(net, points)
                slices.append({"model": model_file, "data": data_file, "rows": rows, "size": 1.5,
                               "regions": regions, "regionsWithDecision": with_decision})
                print(model_file, rows, regions, with_decision, f"{seconds:.4f}s")
        # The shared digits MLP (64 → 16 → 16 → 10), on digits test rows.
        mlp = onnx_gemm_mlp(os.path.join(EXAMPLES, "ex_mlp.onnx"))
        x = np.load(os.path.join(EXAMPLES, "digits_test_x.npy"))
        for rows in [[0, 1, 2], [10, 20, 30]]:
            regions, with_decision, seconds, _ = count(regioncam.nn.convert(mlp), x[rows].astype(np.float32))
            slices.append({"model": "ex_mlp.onnx", "data": "digits_test_x.npy", "rows": rows, "size": 1.5,
                           "regions": regions, "regionsWithDecision": with_decision})
            print("ex_mlp.onnx", rows, regions, with_decision, f"{seconds:.4f}s")
    report = {"regioncam": regioncam.__version__, "torch": torch.__version__, "slices": slices}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    print("wrote", os.path.relpath(OUT, ROOT))


if __name__ == "__main__":
    main()
