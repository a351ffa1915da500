"""Checks the models `regionplot digits --out FOLDER` wrote: a.onnx and b.onnx run in onnxruntime, a.safetensors and
b.safetensors load into torch's nn.Sequential(Linear, ReLU, …, Linear) with model.load_state_dict, and both give
the test predictions regionplot reported (report.json: nets.a.testPredictions) on the bundled digits test split,
with logits that agree between onnxruntime and torch to 1e-5.

    python scripts/check_digits_exports.py FOLDER     # needs numpy, torch, safetensors, onnxruntime
"""
import json
import os
import sys

import numpy as np
import onnxruntime
import torch
from safetensors.torch import load_file

folder = sys.argv[1] if len(sys.argv) > 1 else "digits"
data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "Experiments", "Digits", "Data")
x = (np.load(os.path.join(data, "digits_test_x.npy")) / 16.0).astype(np.float32)
y = np.load(os.path.join(data, "digits_test_y.npy")).astype(np.int64)
report = json.load(open(os.path.join(folder, "report.json")))
failures = 0
for name in "ab":
    expected = np.array(report["nets"][name]["testPredictions"])
    session = onnxruntime.InferenceSession(os.path.join(folder, name + ".onnx"), providers=["CPUExecutionProvider"])
    ort_logits = session.run(None, {"input": x})[0]

    state = load_file(os.path.join(folder, name + ".safetensors"))
    count = len(state) // 2
    layers = []
    for k in range(count):
        w = state[f"{2 * k}.weight"]
        layers.append(torch.nn.Linear(w.shape[1], w.shape[0]))
        if k < count - 1:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    model.load_state_dict(state)
    with torch.no_grad():
        torch_logits = model.eval()(torch.from_numpy(x)).numpy()

    ort_pred, torch_pred = ort_logits.argmax(1), torch_logits.argmax(1)
    diff = float(np.abs(ort_logits - torch_logits).max())
    ok = (ort_pred == expected).all() and (torch_pred == expected).all() and diff < 1e-5
    failures += not ok
    same_ort, same_torch = int((ort_pred == expected).sum()), int((torch_pred == expected).sum())
    print(f"net {name}: onnxruntime accuracy {(ort_pred == y).mean():.4f}, "
          f"torch accuracy {(torch_pred == y).mean():.4f}, "
          f"regionplot {report['nets'][name]['testAccuracy']:.4f}; predictions equal to regionplot's: "
          f"onnxruntime {same_ort}/{len(y)}, torch {same_torch}/{len(y)}; max |onnxruntime − torch| {diff:.2e}")
sys.exit(1 if failures else 0)
