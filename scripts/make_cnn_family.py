#!/usr/bin/env python3
"""Makes the CNN benchmark family of issue 24: small conv nets of different kinds, each exported to ONNX with the
data its slices go through, so that `regionplot slice` and the NumPy splitter are timed on more than one net.

    python3 scripts/make_cnn_family.py [--out /tmp/cnn_family] [--epochs 8]

Writes <out>/<name>.onnx for each net below, <out>/digits8.npy (the scikit-learn digits test split, [N, 1, 8, 8],
pixels / 16, the split of ../shared/examples/make_examples.py), <out>/digits28.npy ([N, 1, 28, 28], the same
images resized bilinearly) and <out>/digits32rgb.npy ([N, 3, 32, 32], resized, the channels scaled by 1, 0.8, 0.6),
<out>/<name>.pt (the module's state_dict) and <out>/family.json (name → model, data, layers). The nets (PyTorch modules, `FAMILY` below):

    unseen_digits   Conv(1→8,3,p1) BN ReLU MaxPool2 Conv(8→16,3,p1) ReLU MaxPool2 Linear(64→10)     8×8
    stride2         Conv(1→8,3,s2,p1) BN ReLU Conv(8→16,3,s2,p1) ReLU Linear(64→10)                  8×8
    dilated         Conv(1→8,3,p2,d2) ReLU MaxPool2 Linear(128→10)                                   8×8
    avgpool         Conv(1→8,3,p1) ReLU AvgPool2 Conv(8→12,3,p1) ReLU AvgPool2 Linear(48→10)         8×8
    residual        Conv(1→8,3,p1) ReLU, [Conv(8→12,3,p1) ReLU Conv(12→12,3,p1)] + Conv1×1(8→12), ReLU,
                    MaxPool2 Linear(192→10)                                                          8×8
    lenet5          Conv(1→6,5,p2) ReLU MaxPool2 Conv(6→16,5) ReLU MaxPool2 Linear(400→120) ReLU
                    Linear(120→84) ReLU Linear(84→10)                                                1×28×28
    vgg_small       [Conv(·→8,3,p1) ReLU MaxPool2] [Conv(8→16,3,p1) ReLU MaxPool2] [Conv(16→16,3,p1) ReLU
                    MaxPool2] Linear(256→10)                                                         3×32×32

Each is trained briefly (Adam, lr 1e-3, batch 64, `--epochs`) on the digits training split at its input size,
from torch.manual_seed(24), one thread, and exported with the TorchScript exporter (opset 17, symbolic batch;
BatchNorm in eval mode). Deterministic: fixed seeds, one thread. Prints each net's test accuracy.
"""
import argparse, json, os, warnings

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


class Residual(nn.Module):
    """x → ReLU(body(x) + projection(x)): the residual block with a 1×1 projection."""

    def __init__(self, cin, cout):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(), nn.Conv2d(cout, cout, 3, padding=1))
        self.projection = nn.Conv2d(cin, cout, 1)

    def forward(self, x):
        return F.relu(self.body(x) + self.projection(x))


def unseen_digits():
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64, 10))


def stride2():
    return nn.Sequential(nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                         nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(64, 10))


def dilated():
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=2, dilation=2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(128, 10))


def avgpool():
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2), nn.Conv2d(8, 12, 3, padding=1),
                         nn.ReLU(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(48, 10))


def residual():
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), Residual(8, 12), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(192, 10))


def lenet5():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


def vgg_small():
    def stage(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
    return nn.Sequential(*stage(3, 8), *stage(8, 16), *stage(16, 16), nn.Flatten(), nn.Linear(256, 10))


# name → (constructor, data file)
FAMILY = {
    "unseen_digits": (unseen_digits, "digits8.npy"),
    "stride2": (stride2, "digits8.npy"),
    "dilated": (dilated, "digits8.npy"),
    "avgpool": (avgpool, "digits8.npy"),
    "residual": (residual, "digits8.npy"),
    "lenet5": (lenet5, "digits28.npy"),
    "vgg_small": (vgg_small, "digits32rgb.npy"),
}


def data():
    """The digits split at each input size: {file: (train x, test x)}, and the labels (train, test)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    d = load_digits()
    X = (d.data / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    Xtr, Xte, ytr, yte = train_test_split(X, d.target.astype(np.int64), test_size=0.2, random_state=0,
                                          stratify=d.target)

    def resized(x, size, channels=1):
        y = F.interpolate(torch.from_numpy(x), size=(size, size), mode="bilinear", align_corners=False)
        if channels == 3:
            y = torch.cat([y, 0.8 * y, 0.6 * y], 1)
        return y.numpy().astype(np.float32)

    sets = {"digits8.npy": (Xtr, Xte), "digits28.npy": (resized(Xtr, 28), resized(Xte, 28)),
            "digits32rgb.npy": (resized(Xtr, 32, 3), resized(Xte, 32, 3))}
    return sets, (ytr, yte)


def train(model, Xtr, ytr, epochs, seed=24):
    g = torch.Generator().manual_seed(seed)
    Xt, yt = torch.from_numpy(Xtr), torch.from_numpy(ytr)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(len(Xt), generator=g)
        for i in range(0, len(Xt), 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            F.cross_entropy(model(Xt[idx]), yt[idx]).backward()
            opt.step()
    model.eval()
    return model


def export(model, shape, path, dynamo=False):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kwargs = dict(dynamo=dynamo, opset_version=17 if not dynamo else 18, input_names=["input"],
                      output_names=["logits"])
        if dynamo:
            kwargs["dynamic_shapes"] = ({0: torch.export.Dim("batch", min=1)},)
        else:
            kwargs["dynamic_axes"] = {"input": {0: "batch"}, "logits": {0: "batch"}}
        torch.onnx.export(model, (torch.zeros(2, *shape),), path, **kwargs)


def make(out, epochs=8, names=None):
    os.makedirs(out, exist_ok=True)
    sets, (ytr, yte) = data()
    for file, (_, Xte) in sets.items():
        np.save(os.path.join(out, file), Xte)
    np.save(os.path.join(out, "digits_y.npy"), yte)
    index = {}
    for name, (build, file) in FAMILY.items():
        if names and name not in names:
            continue
        torch.manual_seed(24)
        Xtr, Xte = sets[file]
        model = train(build(), Xtr, ytr, epochs)
        with torch.no_grad():
            accuracy = float((model(torch.from_numpy(Xte)).argmax(1).numpy() == yte).mean())
        path = os.path.join(out, name + ".onnx")
        export(model, Xte.shape[1:], path)
        # The trained module itself, for scripts/cnn_family_bench.py's float64 splitter.
        torch.save(model.state_dict(), os.path.join(out, name + ".pt"))
        index[name] = {"model": path, "data": os.path.join(out, file), "accuracy": accuracy,
                       "layers": str(model)}
        print(f"{path}: test accuracy {accuracy:.4f}")
    with open(os.path.join(out, "family.json"), "w") as f:
        json.dump(index, f, indent=1)
    return index


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/cnn_family")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--only", default="", help="comma-separated names (default: all)")
    args = ap.parse_args()
    make(args.out, args.epochs, [n for n in args.only.split(",") if n])


if __name__ == "__main__":
    main()
