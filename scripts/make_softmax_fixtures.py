#!/usr/bin/env python3
"""Writes the fixtures of a PyTorch user's everyday files into Tests/NeuralNetTests/Fixtures/softmax/:

- mlp_softmax.onnx, mlp_logsoftmax.onnx: the shared digits MLP (examples/ex_mlp.onnx's weights) with a final
  nn.Softmax(dim=1) / nn.LogSoftmax(dim=1), exported by torch.onnx.export as a notebook would;
- digits_test.npz: np.savez(x=[360, 1, 8, 8] float32 images, y=[360] int64 labels), stored;
- digits_test_compressed.npz: the same with np.savez_compressed (deflated);
- expected.json: PyTorch's logits of the plain MLP on the first 5 images and its accuracy on all 360.

    python3 scripts/make_softmax_fixtures.py
"""
import json
import pathlib

import numpy as np
import onnx
import torch
from onnx import numpy_helper

root = pathlib.Path(__file__).resolve().parent.parent
examples = root / "Tests/NeuralNetTests/Fixtures/examples"
out = root / "Tests/NeuralNetTests/Fixtures/softmax"
out.mkdir(parents=True, exist_ok=True)

weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy())
           for t in onnx.load(str(examples / "ex_mlp.onnx")).graph.initializer}
mlp = torch.nn.Sequential(torch.nn.Linear(64, 16), torch.nn.ReLU(), torch.nn.Linear(16, 16), torch.nn.ReLU(),
                          torch.nn.Linear(16, 10))
mlp.load_state_dict({k: v for k, v in weights.items()})
mlp.eval()

x = np.load(examples / "digits_test_x.npy")
y = np.load(examples / "digits_test_y.npy")
for name, last in [("softmax", torch.nn.Softmax(dim=1)), ("logsoftmax", torch.nn.LogSoftmax(dim=1))]:
    model = torch.nn.Sequential(mlp, last).eval()
    torch.onnx.export(model, torch.zeros(1, 64), str(out / f"mlp_{name}.onnx"), input_names=["input"],
                      output_names=["probabilities"], dynamic_axes={"input": {0: "batch"}}, dynamo=False)

np.savez(out / "digits_test.npz", x=x.reshape(-1, 1, 8, 8), y=y)
np.savez_compressed(out / "digits_test_compressed.npz", x=x.reshape(-1, 1, 8, 8), y=y)
with torch.no_grad():
    logits = mlp(torch.from_numpy(x)).numpy()
expected = {"logits": logits[:5].astype(float).tolist(),
            "accuracy": float(np.mean(np.argmax(logits, axis=1) == y))}
(out / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
print(f"wrote {sorted(p.name for p in out.iterdir())}; accuracy {expected['accuracy']:.4f}")
