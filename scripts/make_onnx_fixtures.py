#!/usr/bin/env python3
"""Writes the ONNX test fixtures of Tests/NeuralNetTests/Fixtures/onnx: small PyTorch models exported with both
exporters, a few input rows, and onnxruntime's logits on them.

    pip install torch onnx onnxruntime onnxscript numpy
    python scripts/make_onnx_fixtures.py

Deterministic: every model is built right after torch.manual_seed(seed) (PyTorch's default initialisation), its
BatchNorm statistics and input rows come from numpy generators with fixed seeds, and nothing is trained. Each
model is exported twice:

- <name>_ts.onnx      torch.onnx.export(..., dynamo=False, opset_version=17), the TorchScript exporter
- <name>_dynamo.onnx  torch.onnx.export(..., dynamo=True, opset_version=18), the torch.export-based exporter

both with a symbolic batch dimension. logits.json holds, per file, the input file, the op types, the opset,
onnxruntime's (CPUExecutionProvider) outputs on the rows of the input file and their argmax.
Versions used are written into logits.json too.
"""
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime
import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "NeuralNetTests", "Fixtures", "onnx")


class Normalise(nn.Module):
    """(x - mean) / std with constant buffers: becomes Sub and Div by constants."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32))

    def forward(self, x):
        return (x - self.mean) / self.std


class Residual(nn.Module):
    """x + f(x)."""

    def __init__(self, f):
        super().__init__()
        self.f = f

    def forward(self, x):
        return x + self.f(x)


class Scale(nn.Module):
    """x * factor: becomes Mul by a constant."""

    def __init__(self, factor):
        super().__init__()
        self.factor = factor

    def forward(self, x):
        return x * self.factor


def randomise_batchnorm(model, seed):
    """Non-trivial running statistics and affine parameters, so folding them is actually tested."""
    rng = np.random.default_rng(seed)
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            n = m.num_features
            m.running_mean.copy_(torch.tensor(rng.normal(0, 0.5, n), dtype=torch.float32))
            m.running_var.copy_(torch.tensor(rng.uniform(0.5, 2.0, n), dtype=torch.float32))
            m.weight.data.copy_(torch.tensor(rng.uniform(0.5, 1.5, n), dtype=torch.float32))
            m.bias.data.copy_(torch.tensor(rng.normal(0, 0.3, n), dtype=torch.float32))


def models():
    """(name, seed, input sample shape, builder)."""
    def mlp():
        return nn.Sequential(nn.Linear(6, 12), nn.ReLU(), nn.Linear(12, 12), nn.ReLU(), nn.Linear(12, 4))

    def cnn_bn():
        # Conv+BN (the exporters fold it into the Conv), MaxPool, a BN the exporters keep (after the pool),
        # a dilated padded conv, AvgPool, Flatten, Linear.
        return nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
            nn.BatchNorm2d(4), nn.Conv2d(4, 6, 3, padding=2, dilation=2), nn.ReLU(), nn.AvgPool2d(2),
            nn.Flatten(), nn.Linear(24, 10))

    def cnn_gap():
        # Strided conv, ReLU6 (Clip), padded strided MaxPool, LeakyReLU, global average pooling.
        return nn.Sequential(
            nn.Conv2d(1, 5, 3, stride=2, padding=1), nn.ReLU6(), nn.MaxPool2d(3, stride=2, padding=1),
            nn.Conv2d(5, 8, 1), nn.LeakyReLU(0.05), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 10))

    def residual_mlp():
        return nn.Sequential(
            nn.Linear(4, 8), nn.ReLU(),
            Residual(nn.Sequential(nn.Linear(8, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 8))),
            nn.ReLU(), Residual(nn.Sequential(nn.Linear(8, 8), nn.ReLU())), nn.Linear(8, 3))

    def leaky():
        return nn.Sequential(nn.Linear(5, 10), nn.LeakyReLU(0.2), nn.Dropout(0.5), nn.Linear(10, 10),
                             nn.LeakyReLU(0.01), nn.Linear(10, 2))

    def two_input():
        return nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3))

    def normalised_cnn():
        return nn.Sequential(
            Normalise([[[0.4]], [[0.5]], [[0.6]]], [[[0.2]], [[0.25]], [[0.3]]]), Scale(2.0),
            nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(64, 5))

    def normalised_mlp():
        return nn.Sequential(Normalise([0.1, -0.2, 0.3], [1.5, 0.5, 2.0]), nn.Linear(3, 8), nn.ReLU(),
                             nn.Linear(8, 2))

    return [
        ("mlp", 21, (6,), mlp),
        ("cnn_bn", 22, (1, 8, 8), cnn_bn),
        ("cnn_gap", 23, (1, 8, 8), cnn_gap),
        ("residual_mlp", 24, (4,), residual_mlp),
        ("leaky", 25, (5,), leaky),
        ("two_input", 26, (2,), two_input),
        ("normalised_cnn", 27, (3, 6, 6), normalised_cnn),
        ("normalised_mlp", 28, (3,), normalised_mlp),
    ]


def export(model, sample, path, dynamo):
    if dynamo:
        torch.onnx.export(model, (sample,), path, dynamo=True, opset_version=18, input_names=["input"],
                          output_names=["logits"], dynamic_shapes=({0: torch.export.Dim("batch")},),
                          external_data=False, verbose=False)
    else:
        torch.onnx.export(model, (sample,), path, dynamo=False, opset_version=17, input_names=["input"],
                          output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    onnx.checker.check_model(onnx.load(path), full_check=True)


def main():
    os.makedirs(OUT, exist_ok=True)
    report = {"versions": {"torch": torch.__version__, "onnx": onnx.__version__,
                           "onnxruntime": onnxruntime.__version__, "numpy": np.__version__,
                           "python": sys.version.split()[0]}, "models": {}}
    for name, seed, shape, build in models():
        torch.manual_seed(seed)
        model = build()
        randomise_batchnorm(model, seed)
        model.eval()
        rows = np.random.default_rng(seed).normal(0, 1, (7,) + shape).astype(np.float32)
        if len(shape) == 3:
            rows = np.abs(rows)  # image-like
        x_file = f"{name}_x.npy"
        np.save(os.path.join(OUT, x_file), rows)
        with torch.no_grad():
            torch_out = model(torch.from_numpy(rows)).numpy()
        for exporter, dynamo in [("ts", False), ("dynamo", True)]:
            file = f"{name}_{exporter}.onnx"
            path = os.path.join(OUT, file)
            export(model, torch.from_numpy(rows[:2]), path, dynamo)
            g = onnx.load(path)
            session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
            values = session.run(None, {session.get_inputs()[0].name: rows})[0]
            report["models"][file] = {
                "input": x_file, "opset": g.opset_import[0].version,
                "opTypes": [n.op_type for n in g.graph.node],
                "maxAbsDiffVsTorch": float(np.max(np.abs(values - torch_out))),
                "argmax": [int(i) for i in values.argmax(axis=1)],
                "values": [[float(v) for v in row] for row in values],
            }
            print(f"{file}: {report['models'][file]['opTypes']}")
    # The one-liner a user types, torch.onnx.export(model, x[:1], path) with every default: in torch >= 2.9 the
    # dynamo exporter, a fixed batch of 1, and the weights in an external file <path>.data beside the model.
    torch.manual_seed(22)
    model = {n: b for n, _, _, b in models()}["cnn_bn"]()
    randomise_batchnorm(model, 22)
    model.eval()
    rows = np.load(os.path.join(OUT, "cnn_bn_x.npy"))
    path = os.path.join(OUT, "cnn_bn_default.onnx")
    torch.onnx.export(model, (torch.from_numpy(rows[:1]),), path)
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    values = np.concatenate([session.run(None, {session.get_inputs()[0].name: rows[i:i + 1]})[0]
                             for i in range(len(rows))])
    report["models"]["cnn_bn_default.onnx"] = {
        "input": "cnn_bn_x.npy", "opset": onnx.load(path).opset_import[0].version,
        "opTypes": [n.op_type for n in onnx.load(path).graph.node], "maxAbsDiffVsTorch": 0.0,
        "argmax": [int(i) for i in values.argmax(axis=1)], "values": [[float(v) for v in row] for row in values]}
    # A float64 model: onnxruntime then computes in double, so this one is compared at 1e-12.
    torch.manual_seed(29)
    model = nn.Sequential(nn.Linear(3, 7), nn.ReLU(), nn.Linear(7, 2)).double().eval()
    rows = np.random.default_rng(29).normal(0, 1, (5, 3))
    np.save(os.path.join(OUT, "mlp64_x.npy"), rows)
    path = os.path.join(OUT, "mlp64_ts.onnx")
    export(model, torch.from_numpy(rows[:2]), path, dynamo=False)
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    values = session.run(None, {"input": rows})[0]
    report["models"]["mlp64_ts.onnx"] = {
        "input": "mlp64_x.npy", "opset": 17, "opTypes": [n.op_type for n in onnx.load(path).graph.node],
        "maxAbsDiffVsTorch": 0.0, "argmax": [int(i) for i in values.argmax(axis=1)],
        "values": [[float(v) for v in row] for row in values]}
    with open(os.path.join(OUT, "logits.json"), "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
