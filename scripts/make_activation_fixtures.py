#!/usr/bin/env python3
"""Writes the fixtures of Tests/NeuralNetTests/Fixtures/activations: small PyTorch MLPs whose activation is not
ReLU (LeakyReLU(0.1), ReLU6, Hardtanh(-0.5, 1.5)) and a residual MLP, each saved as safetensors
(safetensors.torch.save_file(model.state_dict())) and as ONNX (TorchScript exporter, opset 17), with rows and
onnxruntime's logits on them. They hold regionplot's safetensors reader to "read a file only under a structure it
really has": with the right --activation (or the activation recorded in __metadata__) the logits equal
onnxruntime's; read as a ReLU MLP they would not (the script checks that they differ, so the tests can fail);
the residual MLP's nested names are refused.

    pip install torch safetensors onnx onnxruntime numpy
    python scripts/make_activation_fixtures.py

Deterministic: each model is built right after torch.manual_seed(seed), its weights scaled so that the
activations' kinks and bounds are reached on the rows, and nothing is trained.
"""
import json
import os

import numpy as np
import onnxruntime
import torch
import torch.nn as nn
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "NeuralNetTests", "Fixtures",
                   "activations")


class Block(nn.Module):
    """x + body(x): the nested names `1.body.0.weight` the reader must refuse."""

    def __init__(self, width):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(width, width), nn.ReLU(), nn.Linear(width, width))

    def forward(self, x):
        return x + self.body(x)


def mlp(activation):
    return nn.Sequential(nn.Linear(2, 8), activation(), nn.Linear(8, 8), activation(), nn.Linear(8, 3))


MODELS = [
    # name, seed, builder, the --activation that states it (None: refused), scale of the weights
    ("leaky", 1, lambda: mlp(lambda: nn.LeakyReLU(0.1)), "leaky-relu:0.1", 1.5),
    ("relu6", 2, lambda: mlp(nn.ReLU6), "relu6", 4.0),
    ("hardtanh", 3, lambda: mlp(lambda: nn.Hardtanh(-0.5, 1.5)), "hardtanh:-0.5,1.5", 1.5),
    ("residual", 4, lambda: nn.Sequential(nn.Linear(2, 8), Block(8), nn.ReLU(), nn.Linear(8, 3)), None, 1.5),
]


def relu_reading(model, x):
    """The logits of the same Linear layers with ReLU between them: what a reader assuming ReLU computes."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    h = x
    for k, layer in enumerate(linears):
        h = layer(h)
        if k < len(linears) - 1:
            h = torch.relu(h)
    return h


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, size=(24, 2)).astype(np.float32)
    np.save(os.path.join(OUT, "x.npy"), x)
    document = {"versions": {"torch": torch.__version__, "onnxruntime": onnxruntime.__version__},
                "x": x.astype(float).tolist(), "models": {}}
    for name, seed, build, activation, scale in MODELS:
        torch.manual_seed(seed)
        model = build().eval()
        with torch.no_grad():
            for p in model.parameters():
                p.mul_(scale)
        state = {k: v.contiguous() for k, v in model.state_dict().items()}
        save_file(state, os.path.join(OUT, f"{name}.safetensors"))
        onnx_path = os.path.join(OUT, f"{name}.onnx")
        torch.onnx.export(model, torch.from_numpy(x[:1]), onnx_path, dynamo=False, opset_version=17,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
        session = onnxruntime.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
        logits = session.run(None, {"input": x})[0]
        with torch.no_grad():
            assumed = relu_reading(model, torch.from_numpy(x)).numpy()
        gap = float(np.abs(assumed - logits).max())
        assert gap > 0.1, f"{name}: reading it as a ReLU MLP changes the logits by only {gap}"
        document["models"][name] = {"activation": activation, "keys": sorted(state),
                                    "logits": logits.astype(float).tolist(), "relu_reading_gap": gap}
        if name == "leaky":
            # The same weights with the activation recorded as regionplot records it (docs: README, "Reading
            # your own model").
            save_file(state, os.path.join(OUT, "leaky-metadata.safetensors"),
                      metadata={"regionplot.architecture": "mlp", "regionplot.activation": "leaky-relu:0.1"})
    with open(os.path.join(OUT, "logits.json"), "w") as f:
        json.dump(document, f, indent=1)


if __name__ == "__main__":
    main()
