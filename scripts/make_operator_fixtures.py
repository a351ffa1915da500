#!/usr/bin/env python3
"""ONNX fixtures of the operators issue 24 added to the reader, with onnxruntime's logits for the tests.

    python3 scripts/make_operator_fixtures.py [--out Tests/NeuralNetTests/Fixtures/onnx]

Writes <out>/ops_<name>_{ts,dynamo}.onnx (torch modules, both exporters: TorchScript `dynamo=False`, opset 17, and
`dynamo=True`, opset 18), <out>/ops_<name>.onnx (graphs built with onnx.helper, for what no exporter writes),
<out>/ops_<name>_x.npy (inputs, seeded) and <out>/operators.json: {"models": {file: {"input": npy file, "values":
onnxruntime's logits in float32}}}. Models:

    same_conv   Conv2d(1→4, 3, padding='same') ReLU Conv2d(4→3, 4, padding='same') ReLU Flatten Linear   1×6×6
                (the TorchScript exporter writes auto_pad=SAME_UPPER; the even kernel pads unevenly)
    ceil_pool   Conv2d(1→4, 3) ReLU MaxPool2d(2, ceil_mode=True) AvgPool2d(2, ceil_mode=True,
                count_include_pad=False) Flatten Linear                                             1×9×9
    global_max  Conv2d(1→4, 3, padding=1) ReLU AdaptiveMaxPool2d(1) Flatten Linear(4→3)            1×6×6
                (dynamo: ReduceMax over H and W; TorchScript: GlobalMaxPool)
    same_lower  Conv(auto_pad=SAME_LOWER, 4×4, stride 2) Relu Conv(auto_pad=VALID, 2×2) Flatten Gemm  1×7×7
    prelu       Conv2d(1→4, 3, padding=1) PReLU(4) Flatten Linear(144→8) PReLU() Linear(8→3)      1×6×6
    grouped     Conv2d(2→4, 3, groups=2, padding=1) ReLU Conv2d(4→4, 3, groups=4) (depthwise) PReLU(4)
                Flatten Linear(64→3)                                                               2×6×6
    view        Conv2d(1→4, 3) ReLU x.view(x.size(0), -1) Linear(64→3)                            1×6×6
                (TorchScript: Shape → Gather → Unsqueeze → Concat → Reshape; dynamo: a constant Reshape)
"""
import argparse, json, os, warnings

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn as nn
from onnx import TensorProto, helper, numpy_helper

torch.set_num_threads(1)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def same_conv():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding="same"), nn.ReLU(), nn.Conv2d(4, 3, 4, padding="same"),
                         nn.ReLU(), nn.Flatten(), nn.Linear(108, 5)), (1, 6, 6)


def ceil_pool():
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True),
                         nn.AvgPool2d(2, ceil_mode=True, count_include_pad=False), nn.Flatten(),
                         nn.Linear(16, 5)), (1, 9, 9)


def global_max():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveMaxPool2d(1), nn.Flatten(),
                         nn.Linear(4, 3)), (1, 6, 6)


def prelu():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.PReLU(4), nn.Flatten(), nn.Linear(144, 8), nn.PReLU(),
                         nn.Linear(8, 3)), (1, 6, 6)


def grouped():
    return nn.Sequential(nn.Conv2d(2, 4, 3, groups=2, padding=1), nn.ReLU(), nn.Conv2d(4, 4, 3, groups=4),
                         nn.PReLU(4), nn.Flatten(), nn.Linear(64, 3)), (2, 6, 6)


class View(nn.Module):
    """`x.view(x.size(0), -1)` in forward, the way many tutorials flatten."""

    def __init__(self):
        super().__init__()
        self.conv, self.linear = nn.Conv2d(1, 4, 3), nn.Linear(64, 3)

    def forward(self, x):
        x = torch.relu(self.conv(x))
        return self.linear(x.view(x.size(0), -1))


def view():
    return View(), (1, 6, 6)


BUILDERS = {"same_conv": same_conv, "ceil_pool": ceil_pool, "global_max": global_max, "prelu": prelu,
            "grouped": grouped, "view": view}


def built(name):
    """The fixture's torch module (eval mode, seeded) and its sample shape."""
    torch.manual_seed(24)
    model, shape = BUILDERS[name]()
    for m in model.modules():
        if isinstance(m, nn.PReLU):  # PyTorch starts every slope at 0.25: spread them out
            m.weight.data = torch.rand(m.weight.shape, generator=torch.Generator().manual_seed(3)) - 0.5
    return model.eval(), shape


def same_lower(path):
    rng = np.random.default_rng(7)
    w1 = numpy_helper.from_array(rng.standard_normal((3, 1, 4, 4)).astype(np.float32), "w1")
    b1 = numpy_helper.from_array(rng.standard_normal(3).astype(np.float32), "b1")
    w2 = numpy_helper.from_array(rng.standard_normal((2, 3, 2, 2)).astype(np.float32), "w2")
    w3 = numpy_helper.from_array(rng.standard_normal((4, 18)).astype(np.float32), "w3")
    b3 = numpy_helper.from_array(rng.standard_normal(4).astype(np.float32), "b3")
    nodes = [helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], auto_pad="SAME_LOWER", strides=[2, 2]),
             helper.make_node("Relu", ["c1"], ["r1"]),
             helper.make_node("Conv", ["r1", "w2"], ["c2"], auto_pad="VALID"),
             helper.make_node("Flatten", ["c2"], ["f"]),
             helper.make_node("Gemm", ["f", "w3", "b3"], ["y"], transB=1)]
    graph = helper.make_graph(nodes, "same_lower", [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                                                                  ["N", 1, 7, 7])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])], [w1, b1, w2, w3, b3])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)
    return (1, 7, 7)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "Tests", "NeuralNetTests", "Fixtures", "onnx"))
    args = ap.parse_args()
    models = {}

    def record(file, x_file, x):
        session = ort.InferenceSession(os.path.join(args.out, file))
        values = session.run(None, {session.get_inputs()[0].name: x})[0]
        models[file] = {"input": x_file, "values": values.astype(np.float64).tolist()}

    for name in BUILDERS:
        model, shape = built(name)
        x = torch.randn(6, *shape, generator=torch.Generator().manual_seed(5))
        x_file = f"ops_{name}_x.npy"
        np.save(os.path.join(args.out, x_file), x.numpy())
        for exporter, dynamo in (("ts", False), ("dynamo", True)):
            file = f"ops_{name}_{exporter}.onnx"
            kwargs = dict(dynamo=dynamo, input_names=["input"], output_names=["logits"])
            if dynamo:
                kwargs.update(opset_version=18, dynamic_shapes=({0: torch.export.Dim("batch", min=1)},),
                              external_data=False)
            else:
                kwargs.update(opset_version=17, dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                torch.onnx.export(model, (torch.zeros(2, *shape),), os.path.join(args.out, file), **kwargs)
            record(file, x_file, x.numpy())
    shape = same_lower(os.path.join(args.out, "ops_same_lower.onnx"))
    x = np.random.default_rng(5).standard_normal((6, *shape)).astype(np.float32)
    np.save(os.path.join(args.out, "ops_same_lower_x.npy"), x)
    record("ops_same_lower.onnx", "ops_same_lower_x.npy", x)
    with open(os.path.join(args.out, "operators.json"), "w") as f:
        json.dump({"models": models}, f, indent=1)
    for file in models:
        ops = sorted({n.op_type for n in onnx.load(os.path.join(args.out, file)).graph.node})
        print(file, ops)


if __name__ == "__main__":
    main()
