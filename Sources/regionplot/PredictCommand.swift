import ArgumentParser
import Experiments
import Foundation
import NeuralNet
import Support

/// `regionplot predict`: runs the user's own model on a data file, to check that regionplot reads it right.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Run your own network (ONNX or safetensors) on a .npy data file and write its logits.",
        discussion: """
        The data are [N, *input shape] or [N, input size]; with --labels (integers, [N]) the accuracy is reported \
        too. ONNX models as torch.onnx.export writes them (TorchScript or dynamo exporter): dense, conv, pooling, \
        BatchNorm, ReLU / LeakyReLU / ReLU6, residual sums, input normalisation.
        """
    )

    @Option(help: "The model: a .onnx file, or a .safetensors ReLU MLP (nn.Sequential of Linear and ReLU).")
    var model: String

    @Option(help: "Input rows as a .npy file: [N, *input shape] or [N, input size].")
    var data: String

    @Option(help: "Class labels as an integer .npy file [N]; adds the accuracy.")
    var labels: String?

    @Option(help: "Write {\"logits\", \"predictions\", \"accuracy\"} as JSON to this file.")
    var json: String?

    func run() throws {
        if let json { try checkReplaceable(json) }
        let network = try ModelFile.read(path: model)
        let rows = try Numpy.read(path: data)
        let truth = try labels.map { try Numpy.read(path: $0) }
        let result = try Prediction.run(network: network, data: rows, labels: truth, dataName: data,
                                        labelsName: labels ?? "labels")
        if let json {
            try writeAtomically(Data(try ReportEncoder.text(of: result.report).utf8), to: json)
        }
        let kinds = network.layers.map(\.operation.kind).joined(separator: ", ")
        print("\(model): input \(network.inputShape), \(network.outputSize) outputs, "
            + "\(network.layers.count) layers (\(kinds))")
        var line = "\(result.predictions.count) rows"
        if let correct = result.correct, let accuracy = result.accuracy {
            line += String(format: ": accuracy %.4f (%d of %d)", accuracy, correct, result.predictions.count)
        }
        print(line)
        if let json { print("wrote \(json)") }
    }
}
