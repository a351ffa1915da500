#!/usr/bin/env python3
"""Writes random *valid* PyTorch networks and random data into a folder, for the command fuzzing campaign of
scripts/fuzz_commands.py (docs/testing.md#command-fuzzing): every command that takes a user's net or data is run
on them and its outcome classified.

    python3 scripts/make_random_nets.py OUT_FOLDER [--seed 0] [--count 40] [--no-dynamo] [--no-regioncam]

Everything flows from --seed (net i uses seed·1000 + i), so a failing net can be remade alone with
`--seed S --count N --only I`.  Each net is exported by both exporters (TorchScript, `dynamo=False`, opset 17; and
`dynamo=True`, opset 18; an export that torch itself refuses is recorded, not fatal) and, when it is an
nn.Sequential of Linear and one elementwise activation, to safetensors.  Kinds:

  mlp   1..10 inputs, 1..4 hidden layers of width 1..12, ReLU / LeakyReLU / ReLU6 / Hardtanh / PReLU (one slope or
        per unit), BatchNorm1d, Dropout, residual blocks, 1..5 outputs
  cnn   1..3 channels of 3..9 × 3..9, 1..3 convolutions (kernel 1..3, stride 1..2, padding 0..2, dilation 1..2,
        groups),
        BatchNorm2d, max / average pooling (ceil_mode, padding, count_include_pad), residual convolutions, global
        average / max pooling, Flatten or x.view(x.size(0), -1), a Linear head
  simple  an MLP of Linear and one ReLU or LeakyReLU (residual blocks too), ordinary weights and data: Regioncam's
        counts hold its slices
  two   a 2-input MLP (sliced on its own plane without data, and the XOR job's / exact's safetensors nets)

Degenerate weights on some nets: all zero, one layer zero, every weight ×1e30 (float32 logits overflow) or ×1e-30.
Data per net: `<net>_x.npy` (1, 3, 5 or 20 rows; normal, some constant columns, duplicated rows, or values near
1e30; float32 or float64, sometimes also as `<net>_x.npz:x`), `<net>_y.npy` labels.  manifest.json records each
net's files, shapes, onnxruntime's logits on the data (per exporter) and, for small ReLU / LeakyReLU MLPs with
finite ordinary weights, Regioncam's region count on the plane through rows 0, 1, 2 (or on a 2-input net's own
plane), the oracle of the slices.
"""
import argparse
import copy
import json
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn

warnings.filterwarnings("ignore")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_onnx_fixtures import Residual, export as fixture_export  # noqa: E402  (the fixtures' exports, both)


class View(nn.Module):
    """TorchScript exports x.view(x.size(0), -1) as Shape → Gather → Unsqueeze → Concat → Reshape."""

    def forward(self, x):
        return x.view(x.size(0), -1)


def activation(rng):
    kind = rng.choice(["relu", "relu", "leaky", "relu6", "hardtanh", "prelu"])
    if kind == "relu":
        return nn.ReLU(), "relu"
    if kind == "leaky":
        slope = float(rng.choice([0.01, 0.2, 0.5, 1e-6]))
        return nn.LeakyReLU(slope), "leaky-relu:%r" % slope
    if kind == "relu6":
        return nn.ReLU6(), "relu6"
    if kind == "hardtanh":
        return nn.Hardtanh(), "hardtanh"
    return "prelu", None  # the caller knows the width


def make_activation(rng, width, channels=False):
    act, name = activation(rng)
    if act == "prelu":
        return nn.PReLU(int(rng.choice([1, width]))), None
    return act, name


def mlp(rng, inputs, outputs, simple=False):
    """simple: one ReLU or LeakyReLU throughout, no BatchNorm or Dropout (what Regioncam and safetensors take)."""
    layers, width, plain, act_names = [], inputs, True, set()
    fixed = (nn.ReLU(), "relu") if rng.random() < 0.6 else (nn.LeakyReLU(0.1), "leaky-relu:0.1")
    for _ in range(int(rng.integers(1, 5))):
        out = int(rng.choice([1, 2, 3, 5, 8, 12]))
        layers.append(nn.Linear(width, out))
        if not simple and rng.random() < 0.2:
            layers.append(nn.BatchNorm1d(out))
            plain = False
        act, name = fixed if simple else make_activation(rng, out)
        layers.append(act)
        act_names.add(name)
        if not simple and rng.random() < 0.15:
            layers.append(nn.Dropout(0.3))
            plain = False
        if rng.random() < 0.2:
            act2, _ = fixed if simple else make_activation(rng, out)
            layers.append(Residual(nn.Sequential(nn.Linear(out, out), act2, nn.Linear(out, out))))
            plain = False
        width = out
    layers.append(nn.Linear(width, outputs))
    plain = plain and len(act_names) == 1 and None not in act_names
    return nn.Sequential(*layers), (act_names.pop() if plain else None)


def conv_out(size, k, s, p, d, ceil=False):
    span = d * (k - 1) + 1
    if size + 2 * p < span:
        return 0
    q = (size + 2 * p - span)
    n = (q + s - 1) // s + 1 if ceil else q // s + 1
    if ceil and (n - 1) * s >= size + p:  # PyTorch: the last window must start inside the input or left padding
        n -= 1
    return n


def cnn(rng, channels, h, w, outputs):
    layers, c = [], channels
    for _ in range(int(rng.integers(1, 4))):
        k, s = int(rng.integers(1, 4)), int(rng.integers(1, 3))
        p, d = int(rng.integers(0, 3)), int(rng.integers(1, 3))
        p = min(p, (d * (k - 1) + 1) // 2 + 1)
        out_c = int(rng.choice([1, 2, 3, 4, 6]))
        groups = int(rng.choice([g for g in (1, 2, 3) if c % g == 0 and out_c % g == 0]))
        nh, nw = conv_out(h, k, s, p, d), conv_out(w, k, s, p, d)
        if nh < 1 or nw < 1:
            break
        layers.append(nn.Conv2d(c, out_c, k, stride=s, padding=p, dilation=d, groups=groups))
        c, h, w = out_c, nh, nw
        if rng.random() < 0.3:
            layers.append(nn.BatchNorm2d(c))
        act, _ = make_activation(rng, c)
        layers.append(act)
        if rng.random() < 0.2:
            layers.append(Residual(nn.Sequential(nn.Conv2d(c, c, 3, padding=1), nn.ReLU(), nn.Conv2d(c, c, 1))))
        if rng.random() < 0.5 and min(h, w) >= 2:
            pk = int(rng.integers(2, 4))
            ps = int(rng.integers(1, pk + 1))
            pp = int(rng.integers(0, pk // 2 + 1))
            ceil = bool(rng.random() < 0.4)
            nh, nw = conv_out(h, pk, ps, pp, 1, ceil), conv_out(w, pk, ps, pp, 1, ceil)
            if nh >= 1 and nw >= 1:
                if rng.random() < 0.5:
                    layers.append(nn.MaxPool2d(pk, ps, pp, ceil_mode=ceil))
                else:
                    layers.append(nn.AvgPool2d(pk, ps, pp, ceil_mode=ceil, count_include_pad=bool(rng.random() < 0.5)))
                h, w = nh, nw
    head = rng.choice(["flatten", "view", "gap", "gmp"])
    if head == "gap":
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        h = w = 1
    elif head == "gmp":
        layers += [nn.AdaptiveMaxPool2d(1), nn.Flatten()]
        h = w = 1
    else:
        layers.append(nn.Flatten() if head == "flatten" else View())
    layers.append(nn.Linear(c * h * w, outputs))
    return nn.Sequential(*layers)


def degenerate(rng, model):
    kind = rng.choice(["none"] * 7 + ["zero", "zero-layer", "huge", "tiny"])
    with torch.no_grad():
        params = [p for n, p in model.named_parameters()]
        if kind == "zero":
            for p in params:
                p.zero_()
        elif kind == "zero-layer":
            weights = [p for n, p in model.named_parameters() if n.endswith("weight") and p.dim() >= 2]
            weights[int(rng.integers(len(weights)))].zero_()
        elif kind in ("huge", "tiny"):
            for n, p in model.named_parameters():
                if p.dim() >= 2 or n.endswith("bias"):
                    p.mul_(1e30 if kind == "huge" else 1e-30)
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.running_mean.copy_(torch.from_numpy(rng.normal(0, 0.5, m.running_mean.shape)).float())
            m.running_var.copy_(torch.from_numpy(rng.uniform(0.2, 2.0, m.running_var.shape)).float())
    return str(kind)


def data(rng, shape, outputs, ordinary=False):
    rows = int(rng.choice([5, 20] if ordinary else [1, 3, 5, 20, 20]))
    kind = "normal" if ordinary else str(rng.choice(["normal"] * 5 + ["constant-columns", "duplicates", "huge"]))
    x = rng.normal(0, 1, (rows,) + tuple(shape))
    flat = x.reshape(rows, -1)
    if kind == "constant-columns":
        columns = rng.random(flat.shape[1]) < 0.5
        flat[:, columns] = 0.25
    elif kind == "duplicates" and rows >= 2:
        flat[1] = flat[0]
    elif kind == "huge":
        flat *= 1e30
    x = flat.reshape(x.shape).astype(np.float64 if rng.random() < 0.3 else np.float32)
    y = rng.integers(0, max(outputs, 2), rows).astype(np.int64)
    return x, y, kind


def export(model, sample, path, dynamo):
    try:
        fixture_export(model, sample, path, dynamo)
        return None
    except Exception as error:  # torch's own refusal: recorded, the net still has its other files
        if os.path.exists(path):
            os.remove(path)
        return "%s: %s" % (type(error).__name__, str(error).splitlines()[0][:200] if str(error) else "")


def onnx_logits(path, x):
    import onnxruntime
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    dtype = np.float64 if "double" in session.get_inputs()[0].type else np.float32
    return session.run(None, {session.get_inputs()[0].name: x.astype(dtype)})[0].astype(np.float64)


def save_safetensors(model, path):
    from safetensors.torch import save_file
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, path)


def regioncam_count(model, points, size=1.5):
    """Regioncam's regions of a Linear / ReLU / LeakyReLU / residual model (float32) on the plane, or None."""
    import regioncam
    from make_slice_fixtures import regioncam_layers
    try:
        net = regioncam_layers(model)
        rc = regioncam.Regioncam(size=size) if points is None else \
            regioncam.Regioncam.through_points(points.astype(np.float32), size=size)
        rc.add(net)
        return int(rc.num_faces)
    except Exception:
        return None
    except BaseException as error:  # Regioncam 0.5.2 panics (a Rust unwrap) on some planes: no oracle there
        if isinstance(error, KeyboardInterrupt):
            raise
        return None


def regioncam_safe(model):
    ok = (nn.Linear, nn.ReLU, nn.LeakyReLU, nn.Sequential, Residual)
    return all(isinstance(m, ok) for m in model.modules())


def make(i, seed, out, dynamo, with_regioncam):
    rng = np.random.default_rng(seed * 1000 + i)
    torch.manual_seed(seed * 1000 + i)
    kind = str(rng.choice(["mlp", "mlp", "cnn", "cnn", "two", "simple", "simple"]))
    outputs = int(rng.choice([1, 2, 3, 5]))
    if kind == "cnn":
        shape = (int(rng.integers(1, 4)), int(rng.integers(3, 10)), int(rng.integers(3, 10)))
        model, act = cnn(rng, *shape, outputs), None
    else:
        shape = (2,) if kind == "two" else (int(rng.choice([1, 2, 3, 5, 10])),)
        model, act = mlp(rng, shape[0], outputs, simple=kind == "simple" or (kind == "two" and rng.random() < 0.5))
    weights = degenerate(rng, model) if kind != "simple" else "none"  # "two" nets: degenerate or Regioncam's
    model.eval()
    x, y, data_kind = data(rng, shape, outputs, ordinary=kind == "simple")
    name = "net%03d" % i
    entry = {"name": name, "seed": seed, "index": i, "kind": kind, "inputShape": list(shape), "outputs": outputs,
             "weights": weights, "data": name + "_x.npy", "labels": name + "_y.npy", "dataKind": data_kind,
             "rows": int(x.shape[0]), "dataDtype": str(x.dtype), "models": {}, "exportErrors": {},
             "modules": str(model).replace("\n", " ")[:2000]}
    np.save(os.path.join(out, entry["data"]), x)
    np.save(os.path.join(out, entry["labels"]), y)
    if rng.random() < 0.3:
        np.savez_compressed(os.path.join(out, name + "_x.npz"), x=x, y=y)
        entry["npz"] = name + "_x.npz"
    sample = torch.from_numpy(np.random.default_rng(i).normal(0, 1, (2,) + shape).astype(np.float32))
    with torch.no_grad(), np.errstate(all="ignore"):
        torch_logits = model(torch.from_numpy(x.astype(np.float32))).double().numpy()
        # float64, as regionplot computes: where float32 overflows (×1e30 weights on 1e30 data) the two differ.
        logits64 = copy.deepcopy(model).double()(torch.from_numpy(x.astype(np.float64))).numpy()
    entry["logits64"] = [[float(v) for v in row] for row in logits64]
    exporters = [("ts", False)] + ([("dynamo", True)] if dynamo else [])
    for exporter, is_dynamo in exporters:
        path = os.path.join(out, "%s_%s.onnx" % (name, exporter))
        error = export(model, sample, path, is_dynamo)
        if error:
            entry["exportErrors"][exporter] = error
            continue
        try:
            with np.errstate(all="ignore"):
                logits, oracle = onnx_logits(path, x), "onnxruntime"
        except Exception as error:  # onnxruntime refuses a file torch wrote: hold regionplot to torch's logits
            logits, oracle = torch_logits, "torch (onnxruntime: %s)" % str(error).splitlines()[0][:200]
        entry["models"][os.path.basename(path)] = {"logits": [[float(v) for v in row] for row in logits],
                                                   "oracle": oracle}
    if act is not None:
        path = os.path.join(out, name + ".safetensors")
        save_safetensors(model, path)
        entry["safetensors"] = os.path.basename(path)
        entry["activation"] = act
    if with_regioncam and kind != "cnn" and regioncam_safe(model) and weights in ("none", "zero-layer") \
            and sum(p.numel() for p in model.parameters()) < 2000:
        with torch.no_grad():
            if shape == (2,):
                entry["regioncamOwnPlane"] = regioncam_count(model, None)
                entry["regioncamSquare1"] = regioncam_count(model, None, size=1.0)  # exact's default domain
            flat = x.reshape(x.shape[0], -1).astype(np.float64)
            if x.shape[0] >= 3 and data_kind in ("normal", "constant-columns"):
                entry["regioncamThrough012"] = regioncam_count(model, flat[:3])
    return entry


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--count", type=int, default=40)
    ap.add_argument("--only", type=int, default=None, help="remake only net ONLY")
    ap.add_argument("--no-dynamo", action="store_true", help="skip the (slow) dynamo exporter")
    ap.add_argument("--no-regioncam", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)
    entries = []
    for i in range(args.count) if args.only is None else [args.only]:
        entry = make(i, args.seed, args.out, not args.no_dynamo, not args.no_regioncam)
        entries.append(entry)
        print(entry["name"], entry["kind"], entry["inputShape"], entry["outputs"], entry["weights"],
              entry["dataKind"], sorted(entry["models"]), entry.get("safetensors", ""),
              "export errors: %s" % entry["exportErrors"] if entry["exportErrors"] else "", flush=True)
    manifest = {"seed": args.seed, "torch": torch.__version__, "nets": entries}
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print("wrote", len(entries), "nets into", args.out)


if __name__ == "__main__":
    sys.exit(main())
