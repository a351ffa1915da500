#!/usr/bin/env python3
"""Writes the finite-but-absurd networks of issue 23 (items 1, 2 and 6) into a folder, to measure by hand what
every command does with them (the tests build the same files themselves, in Swift).

  python3 scripts/make_absurd_nets.py OUT_FOLDER

Each file parses: its weights are finite. What is absurd is what they compute:
  overflow-1e308.safetensors   2→8→1, weights 1e308: the forward pass overflows to inf
  three-class-1e300.safetensors 2→8→3, weights 1e300
  grows-1e11.safetensors       30 dense layers of width 4, each multiplying by about 1e11
  huge-1e150.safetensors       2→8→1, weights 1e150: finite logits, squares overflow
  add-chain.onnx               2→8→1 MLP followed by 3 000 Add(v, v) nodes (doubling to inf)
  deep-finite.onnx             3 000 dense layers of width 2 that grow ×1.141 each: logits near 1e172
  wide-10000.safetensors       2→10 000→1 (160 KB): its exact partition needs ~10⁸ regions
  digits-overflow.safetensors  64→16→10, weights 1e300 (for `predict` and `compare` on the digits)
"""
import json
import os
import struct
import sys

import numpy as np


def safetensors(tensors):
    """tensors: list of (name, float array); stored as F64 unless the array is float32."""
    header, payload = {}, b""
    for name, array in tensors:
        dtype = "F32" if array.dtype == np.float32 else "F64"
        data = array.astype("<f4" if dtype == "F32" else "<f8").tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [len(payload), len(payload) + len(data)]}
        payload += data
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + payload


def sequential(weights):
    """nn.Sequential(Linear, ReLU, Linear, …) names: 0, 2, 4, …"""
    tensors = []
    for k, (w, b) in enumerate(weights):
        tensors += [("%d.weight" % (2 * k), w), ("%d.bias" % (2 * k), b)]
    return tensors


def alternating(rows, columns, scale, dtype=np.float64):
    """A weight matrix of ±scale in a fixed pattern (rows are not all equal, so units split the plane)."""
    w = np.fromfunction(lambda i, j: np.where((i + 2 * j) % 3 == 0, -1.0, 1.0) * (1 + 0.1 * i), (rows, columns))
    return (w * scale).astype(dtype)


def mlp(widths, scale, dtype=np.float64):
    return [(alternating(o, i, scale, dtype), np.full(o, 0.5 * scale, dtype=dtype)) for i, o in zip(widths, widths[1:])]


def onnx_model(nodes, initializers, name):
    import onnx
    from onnx import TensorProto, helper
    graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2])],
                              [helper.make_tensor_value_info(nodes[-1].output[0], TensorProto.FLOAT, None)],
                              initializer=initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()


def add_chain(count):
    from onnx import helper, numpy_helper
    inits = [numpy_helper.from_array(alternating(8, 2, 1.0, np.float32), "w1"),
             numpy_helper.from_array(np.zeros(8, np.float32), "b1"),
             numpy_helper.from_array(alternating(1, 8, 1.0, np.float32), "w2"),
             numpy_helper.from_array(np.zeros(1, np.float32), "b2")]
    nodes = [helper.make_node("Gemm", ["x", "w1", "b1"], ["h"], transB=1, name="fc1"),
             helper.make_node("Relu", ["h"], ["r"], name="relu"),
             helper.make_node("Gemm", ["r", "w2", "b2"], ["v0"], transB=1, name="fc2")]
    for k in range(count):
        nodes.append(helper.make_node("Add", ["v%d" % k, "v%d" % k], ["v%d" % (k + 1)], name="double_%d" % k))
    return onnx_model(nodes, inits, "add_chain")


def deep_chain(layers, growth):
    from onnx import helper, numpy_helper
    nodes, inits, value = [], [], "x"
    for k in range(layers):
        # Rotation-free growth: a diagonal map times `growth`, positive bias so ReLU keeps both units alive.
        inits += [numpy_helper.from_array((np.eye(2) * growth).astype(np.float32), "w%d" % k),
                  numpy_helper.from_array(np.array([0.01, -0.01], np.float32), "b%d" % k)]
        nodes.append(helper.make_node("Gemm", [value, "w%d" % k, "b%d" % k], ["h%d" % k], transB=1, name="fc%d" % k))
        value = "h%d" % k
        if k < layers - 1:
            nodes.append(helper.make_node("Relu", [value], ["r%d" % k], name="relu%d" % k))
            value = "r%d" % k
    return onnx_model(nodes, inits, "deep_chain")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "absurd-nets"
    os.makedirs(out, exist_ok=True)
    files = {
        "overflow-1e308.safetensors": safetensors(sequential(mlp([2, 8, 1], 1e308))),
        "three-class-1e300.safetensors": safetensors(sequential(mlp([2, 8, 3], 1e300))),
        "grows-1e11.safetensors": safetensors(sequential(mlp([2] + [4] * 29 + [1], 1e11))),
        "huge-1e150.safetensors": safetensors(sequential(mlp([2, 8, 1], 1e150))),
        "wide-10000.safetensors": safetensors(sequential(mlp([2, 10_000, 1], 1.0, np.float32))),
        "digits-overflow.safetensors": safetensors(sequential(mlp([64, 16, 10], 1e300))),
        "add-chain.onnx": add_chain(3000),
        "deep-finite.onnx": deep_chain(3000, 1.141),
    }
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        print("%-32s %9d bytes" % (name, len(data)))


if __name__ == "__main__":
    main()
