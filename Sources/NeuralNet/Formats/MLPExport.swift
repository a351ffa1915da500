import FoundationEssentials
import ONNXSchema
import SwiftProtobuf

/// Writing a ReLU MLP in float32 as PyTorch users load it: a safetensors state dict of
/// `nn.Sequential(Linear, ReLU, …, Linear)` and an ONNX graph like the one `torch.onnx.export` makes of it.
public enum MLPExport {
    /// The `nn.Sequential` names of layer k's tensors: `"2k.weight"` and `"2k.bias"` (the ReLUs take the odd
    /// indices).
    public static func sequentialNames(layer k: Int) -> (weight: String, bias: String) {
        ("\(2 * k).weight", "\(2 * k).bias")
    }

    /// The bytes of a safetensors file holding `network`'s parameters as F32 tensors named as
    /// ``sequentialNames(layer:)``, so that `model.load_state_dict(safetensors.torch.load_file(path))` loads them
    /// into `nn.Sequential(nn.Linear(…), nn.ReLU(), …)`; its metadata records the structure
    /// (``SafetensorsMetadata``: an MLP with ReLU).
    public static func safetensors(_ network: MLP) -> Data {
        var entries: [(name: String, shape: [Int], values: [Double])] = []
        for (k, layer) in network.layers.enumerated() {
            let names = sequentialNames(layer: k)
            entries.append((names.weight, [layer.outputs, layer.inputs], layer.weight.storage))
            entries.append((names.bias, [layer.outputs], layer.bias))
        }
        var offset = 0
        var parts: [String] = [Safetensors.metadataJSON(activation: .relu)]
        for e in entries {
            let bytes = e.values.count * 4
            let shape = e.shape.map(String.init).joined(separator: ",")
            parts.append("\"\(e.name)\":{\"dtype\":\"F32\",\"shape\":[\(shape)],"
                + "\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        var header = Array(("{" + parts.joined(separator: ",") + "}").utf8)
        // The reference implementation pads the header with spaces to an 8-byte boundary.
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
        var data = Data()
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for e in entries {
            for v in e.values { withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        }
        return data
    }

    /// The bytes of an ONNX model (IR version 8, opset 17) of `network` in float32: input `input [batch, D]`,
    /// output `logits [batch, C]`, a `Gemm` (transB = 1, the weight stored `[out, in]` like torch) per layer with
    /// `Relu` between them, initialisers named as ``sequentialNames(layer:)`` — the graph the TorchScript exporter
    /// writes for the same `nn.Sequential`.
    public static func onnx(_ network: MLP) throws -> Data {
        func info(_ name: String, _ size: Int) -> Onnx_ValueInfoProto {
            var value = Onnx_ValueInfoProto()
            value.name = name
            var tensor = Onnx_TypeProto.Tensor()
            tensor.elemType = 1  // FLOAT
            var batch = Onnx_TensorShapeProto.Dimension()
            batch.dimParam = "batch"
            var width = Onnx_TensorShapeProto.Dimension()
            width.dimValue = Int64(size)
            tensor.shape.dim = [batch, width]
            value.type.tensorType = tensor
            return value
        }
        func initialiser(_ name: String, _ dims: [Int], _ values: [Double]) -> Onnx_TensorProto {
            var t = Onnx_TensorProto()
            t.name = name
            t.dims = dims.map(Int64.init)
            t.dataType = 1
            var raw = Data(capacity: 4 * values.count)
            for v in values { withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
            t.rawData = raw
            return t
        }
        var graph = Onnx_GraphProto()
        graph.name = "main_graph"
        graph.input = [info("input", network.inputDimension)]
        graph.output = [info("logits", network.outputDimension)]
        var current = "input"
        for (k, layer) in network.layers.enumerated() {
            let names = sequentialNames(layer: k)
            graph.initializer.append(initialiser(names.weight, [layer.outputs, layer.inputs], layer.weight.storage))
            graph.initializer.append(initialiser(names.bias, [layer.outputs], layer.bias))
            let isLast = k == network.layers.count - 1
            var gemm = Onnx_NodeProto()
            gemm.opType = "Gemm"
            gemm.name = "/\(2 * k)/Gemm"
            gemm.input = [current, names.weight, names.bias]
            gemm.output = [isLast ? "logits" : "/\(2 * k)/Gemm_output_0"]
            for (key, value) in [("alpha", 1.0), ("beta", 1.0)] {
                var a = Onnx_AttributeProto()
                a.name = key
                a.type = .float
                a.f = Float(value)
                gemm.attribute.append(a)
            }
            var transB = Onnx_AttributeProto()
            transB.name = "transB"
            transB.type = .int
            transB.i = 1
            gemm.attribute.append(transB)
            graph.node.append(gemm)
            current = gemm.output[0]
            if !isLast {
                var relu = Onnx_NodeProto()
                relu.opType = "Relu"
                relu.name = "/\(2 * k + 1)/Relu"
                relu.input = [current]
                relu.output = ["/\(2 * k + 1)/Relu_output_0"]
                graph.node.append(relu)
                current = relu.output[0]
            }
        }
        var model = Onnx_ModelProto()
        model.irVersion = 8
        model.producerName = "regionplot"
        var opset = Onnx_OperatorSetIdProto()
        opset.version = 17
        model.opsetImport = [opset]
        model.graph = graph
        return try model.serializedBytes()
    }
}
