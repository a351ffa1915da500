#!/usr/bin/env python3
"""Checks a `regionplot slice` run's region tables against onnxruntime, and redraws them with matplotlib.

    regionplot slice --model M.onnx --data X.npy --through 0,1,2 --out run
    python3 scripts/check_region_tables.py run M.onnx [--png run/redrawn.png]

Checks: the polygons of regions.json tile the square (areas add up to its area to 1e-9 relative, and each
polygon's shoelace area is its `area`), regions.csv has the same regions, and each region's affine map at its
centroid equals onnxruntime's logits there (1e-9 of the logits' size, after a softmax or log-softmax at the
model's end is undone by comparing differences to the first logit). Exit 0 when every check holds.
"""
import argparse
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import onnxruntime
import pandas as pd
from matplotlib.collections import PolyCollection


def shoelace(vertices):
    x, y = vertices[:, 0], vertices[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def float64_session(path):
    """The model with every float32 tensor made float64, so that onnxruntime's logits are exact to 1e-9 like
    regionplot's (which computes in float64 from the float32 weights); the float32 model if that fails."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(path)
    try:
        for tensor in model.graph.initializer:
            if tensor.data_type == onnx.TensorProto.FLOAT:
                tensor.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(tensor).astype(np.float64), tensor.name))
        for node in model.graph.node:
            for attribute in node.attribute:
                if attribute.type == onnx.AttributeProto.TENSOR and attribute.t.data_type == onnx.TensorProto.FLOAT:
                    t = attribute.t
                    t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float64), t.name))
        for value in list(model.graph.input) + list(model.graph.output) + list(model.graph.value_info):
            if value.type.tensor_type.elem_type == onnx.TensorProto.FLOAT:
                value.type.tensor_type.elem_type = onnx.TensorProto.DOUBLE
        return onnxruntime.InferenceSession(model.SerializeToString()), np.float64
    except Exception as error:  # an operator without a float64 kernel: compare in float32
        print(f"note: float64 copy of the model refused ({error}); comparing with float32 onnxruntime")
        return onnxruntime.InferenceSession(path), np.float32


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", help="the slice's --out folder")
    parser.add_argument("model", help="the .onnx model the slice was made of")
    parser.add_argument("--png", help="where to draw the regions (default: RUN/regions-redrawn.png)")
    parser.add_argument("--logits-of", choices=["logits", "softmax", "logsoftmax"], default="logits",
                        help="what the model's last node returns (the maps are of the logits)")
    args = parser.parse_args()

    with open(f"{args.run}/regions.json") as f:
        doc = json.load(f)
    table = pd.read_csv(f"{args.run}/regions.csv")
    regions = doc["regions"]
    failures = []

    # Tiling: areas add up to the square's, and each stated area is its polygon's.
    areas = np.array([shoelace(np.array(r["vertices"])) for r in regions])
    total = float(areas.sum())
    if abs(total / doc["area"] - 1) > 1e-9:
        failures.append(f"areas add up to {total!r}, the square's is {doc['area']!r}")
    stated = np.array([r["area"] for r in regions])
    if np.max(np.abs(areas - stated)) > 1e-12 * doc["area"]:
        failures.append("a region's stated area is not its polygon's")
    if len(table) != len(regions) or not np.allclose(table["area"], stated, rtol=0, atol=0):
        failures.append("regions.csv and regions.json differ")

    # Maps against onnxruntime at the centroids.
    origin, d1, d2 = (np.array(doc[k]) for k in ("origin", "d1", "d2"))
    centroids = np.array([r["centroid"] for r in regions])
    inputs = origin + centroids[:, :1] * d1 + centroids[:, 1:] * d2
    session, dtype = float64_session(args.model)
    declared = session.get_inputs()[0]
    shape = [len(inputs)] + [d for d in declared.shape[1:]]
    feed = inputs.reshape(shape).astype(dtype)
    truth = session.run(None, {declared.name: feed})[0].astype(np.float64).reshape(len(inputs), -1)
    mapped = np.einsum("rkj,rj->rk", np.array([r["map"] for r in regions]),
                       np.hstack([centroids, np.ones((len(centroids), 1))]))
    if args.logits_of == "softmax":
        truth = np.log(truth)
    if args.logits_of != "logits":
        # Softmax and log-softmax keep the logits only up to a constant per row.
        truth, mapped = truth - truth[:, :1], mapped - mapped[:, :1]
    scale = np.maximum(1, np.abs(truth).max(axis=1))
    # float32 models: onnxruntime's own rounding (about 1e-6 of the logits) is the tolerance's floor.
    tolerance = 1e-9 if feed.dtype == np.float64 else 1e-4
    worst = float(np.max(np.abs(mapped - truth).max(axis=1) / scale))
    if worst > tolerance:
        failures.append(f"a map differs from onnxruntime's logits by {worst:.3g} of their size")
    classes = np.argmax(mapped, axis=1) if mapped.shape[1] > 1 else (mapped[:, 0] > 0).astype(int)
    if not np.array_equal(classes, np.array([r["class"] for r in regions])):
        failures.append("a region's class is not the argmax of its map at its centroid")

    # The redraw: every polygon, coloured by class, as regionplot's slice figure shows them.
    png = args.png or f"{args.run}/regions-redrawn.png"
    fig, ax = plt.subplots(figsize=(5, 5))
    polygons = [np.array(r["vertices"]) for r in regions]
    colours = [plt.cm.tab10(r["class"] % 10) for r in regions]
    ax.add_collection(PolyCollection(polygons, facecolors=colours, edgecolors="k", linewidths=0.2, alpha=0.5))
    b = doc["bounds"]
    ax.set_xlim(b[0], b[1])
    ax.set_ylim(b[2], b[3])
    ax.set_aspect("equal")
    ax.set_title(f"{len(regions)} regions redrawn from regions.json")
    fig.savefig(png, dpi=100)

    print(f"{len(regions)} regions; areas add up to {total!r} (square {doc['area']!r}, relative error "
          f"{abs(total / doc['area'] - 1):.2e}); largest map error {worst:.2e} of the logits (tolerance "
          f"{tolerance:g}); drew {png}")
    for failure in failures:
        print("FAILED:", failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
