#!/usr/bin/env python3
"""Makes a wider digits CNN than the shared example (whose slices stop at ~55 000 regions), for the slice benchmark.

    python3 scripts/make_wide_cnn.py [--channels 12] [--out /tmp/wide_cnn.onnx]

Conv2d(1, C, 3, padding=1) → ReLU → MaxPool2d(2) → Flatten → Linear(16·C, 10): the shared ex_cnn.onnx with C
channels instead of 4, trained briefly (Adam, lr 1e-3, 30 epochs, batch 64) on scikit-learn's digits with the
same split and scaling as ../shared/examples/make_examples.py (pixels / 16, 8 × 8 images, 20 % test, seed 0), and
exported with torch.onnx.export (TorchScript exporter, opset 17, symbolic batch). Deterministic: fixed seeds,
one thread. Prints the test accuracy. The model is a few kilobytes, but it is rebuilt rather than committed.
"""
import argparse, os, warnings

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from make_cnn_family import train  # the same loop: Adam, batch 64, a seeded permutation per epoch

torch.set_num_threads(1)


def digits():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    d = load_digits()
    X = (d.data / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    y = d.target.astype(np.int64)
    return train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)


def make(channels, out, seed=12, epochs=30):
    Xtr, Xte, ytr, yte = digits()
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Conv2d(1, channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(16 * channels, 10))
    train(model, Xtr, ytr, epochs, seed)
    with torch.no_grad():
        accuracy = float((model(torch.from_numpy(Xte)).argmax(1).numpy() == yte).mean())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.zeros(2, 1, 8, 8),), out, dynamo=False, opset_version=17,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    return accuracy


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--channels", type=int, default=12)
    ap.add_argument("--out", default="/tmp/wide_cnn.onnx")
    args = ap.parse_args()
    accuracy = make(args.channels, args.out)
    print(f"{args.out}: Conv2d(1, {args.channels}, 3) digits CNN, test accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main()
