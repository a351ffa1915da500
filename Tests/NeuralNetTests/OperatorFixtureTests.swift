import Foundation
import LinearAlgebra
import Testing
@testable import NeuralNet

/// Issue 24's operators against onnxruntime: PReLU, grouped and depthwise convolutions, `view(x.size(0), -1)`,
/// `auto_pad` SAME_UPPER (the TorchScript export of
/// `Conv2d(padding='same')`), SAME_LOWER and VALID, and `ceil_mode=1` max and average pooling, from both
/// exporters (fixtures by `python3 scripts/make_operator_fixtures.py`).
@Suite struct OperatorFixturesAgainstOnnxruntime {
    static let json = neuralNetFixtures + "/onnx/operators.json"
    static let files: [String] = ((try? onnxruntimeLogits(json, key: "models")) ?? [:]).keys.sorted()

    @Test func theFixturesAreThere() {
        #expect(Self.files.count == 13)
    }

    @Test(arguments: files)
    func readsAsOnnxruntimeComputes(file: String) throws {
        let entry = try #require(try onnxruntimeLogits(Self.json, key: "models")[file])
        let network = try ONNX.read(path: neuralNetFixtures + "/onnx/" + file)
        let input = try Numpy.read(path: neuralNetFixtures + "/onnx/" + (entry["input"] as? String ?? ""))
        let logits = network.forward(Matrix(rows: input.shape[0], columns: network.inputSize, storage: input.doubles))
        // float32 in onnxruntime, float64 here: see ONNXAgainstOnnxruntime.float32Tolerance.
        expectClose(logits, try #require(entry["values"] as? [[Double]]),
                    tolerance: ONNXAgainstOnnxruntime.float32Tolerance, file)
    }

    /// Average pooling with ceil_mode=1 that counts padding would count the added positions too: refused.
    @Test func ceilModeAveragesThatCountPaddingAreRefused() throws {
        var b = GraphBuilder(shape: [nil, 1, 5, 5])
        b.node("AveragePool", ["x"], "y", ints: ["kernel_shape": [2, 2], "strides": [2, 2]],
               int: ["ceil_mode": 1, "count_include_pad": 1])
        let message = try #require(importError(try b.bytes(output: "y")))
        #expect(message.contains("ceil_mode=1 with count_include_pad=1"), "\(message)")
    }
}
