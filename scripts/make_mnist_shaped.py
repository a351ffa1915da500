#!/usr/bin/env python3
"""Synthetic MNIST-shaped data and two random MLPs for timing `regionplot compare` at MNIST scale.

    python3 scripts/make_mnist_shaped.py [--out /tmp/mnist_shaped] [--hidden 32] [--train 60000] [--test 10000]

Writes <out>/a.onnx and <out>/b.onnx (784 → hidden → hidden → 10 ReLU MLPs, PyTorch's default initialisation,
seeds 1 and 2, TorchScript export), <out>/train_x.npy (float32 [N, 784], uniform in [0, 1), seeded), the labels
<out>/train_y.npy (int64, uniform over the ten classes, seeded), and the same for the test set. Nothing here is
committed: the files are about 220 MB.
"""
import argparse, os, warnings
import numpy as np
import torch
import torch.nn as nn


def mlp(seed, hidden):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                         nn.Linear(hidden, 10)).eval()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/mnist_shaped")
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--train", type=int, default=60000)
    ap.add_argument("--test", type=int, default=10000)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    a, b = mlp(1, args.hidden), mlp(2, args.hidden)
    for name, net in (("a", a), ("b", b)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(net, (torch.zeros(2, 784),), os.path.join(args.out, f"{name}.onnx"), dynamo=False,
                              opset_version=17, input_names=["input"], output_names=["logits"],
                              dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    rng = np.random.default_rng(0)
    for split, n in (("train", args.train), ("test", args.test)):
        x = rng.random((n, 784), dtype=np.float32)
        y = rng.integers(0, 10, n).astype(np.int64)
        np.save(os.path.join(args.out, f"{split}_x.npy"), x)
        np.save(os.path.join(args.out, f"{split}_y.npy"), y)
        print(split, x.shape, np.bincount(y, minlength=10))


if __name__ == "__main__":
    main()
