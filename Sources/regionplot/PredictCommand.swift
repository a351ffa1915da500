import ArgumentParser
import Experiments
import FoundationEssentials
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

    @Option(help: "The model: a .onnx file, or a .safetensors MLP (nn.Sequential of Linear layers; see --activation).")
    var model: String

    @Option(help: "Input rows as a .npy file (or FILE.npz:NAME): [N, *input shape] or [N, input size].")
    var data: String

    @OptionGroup var weights: WeightsOptions

    @Option(help: "Class labels as an integer .npy file (or FILE.npz:NAME) [N]; adds the accuracy.")
    var labels: String?

    @Option(help: "Write {\"logits\", \"predictions\", \"accuracy\"} as JSON to this file.")
    var json: String?

    @Option(help: ArgumentHelp("Output folder for predictions.csv (index, prediction, label), logits.npy [N, outputs] "
        + "and report.json."))
    var out: String?

    @OptionGroup var names: ClassNameOptions

    func run() throws {
        if let json { try checkReplaceable(json) }
        let notes = StructureNotes()
        let experiment = PredictExperiment(reading: try weights.reading(notes: notes))
        let output = try experiment.run(PredictSettings(modelPath: model, dataPath: data, labelsPath: labels),
                                        context: .serial)
        let (network, result) = (output.network, output.prediction)
        let provenance = try Provenance(command: self, inputs: [("model", model), ("data", data), ("labels", labels)])
        let classNames = try names.names(classes: max(network.outputSize, 2))
        if let json {
            let value = try provenance.adding(to: ReportEncoder.value(of: result.report))
            try writeAtomically(Data((value.serialized() + "\n").utf8), to: json)
        }
        if let out {
            try startRun(in: out)
            var writer = OutputWriter(folder: out)
            writer.provenance = provenance
            try writer.write(experiment.tables(output, names: Names(classes: classNames)))
            _ = try writer.writeReport(experiment.report(output, written: .none))
        }
        notes.print()
        let kinds = network.layers.map(\.operation.kind).joined(separator: ", ")
        print("\(model): input \(network.inputShape), \(network.outputSize) outputs, "
            + "\(network.layers.count) layers (\(kinds))"
            + (network.omittedOutputActivation.map { "; its final \($0) is left out: the logits before it" } ?? ""))
        var line = "\(result.predictions.count) rows"
        if let correct = result.correct, let accuracy = result.accuracy {
            line += String(cFormat: ": accuracy %.4f (%d of %d)", accuracy, correct, result.predictions.count)
        }
        print(line)
        if let json { print("wrote \(json)") }
        if let out { print("wrote \(out)/predictions.csv, \(out)/logits.npy, \(out)/report.json") }
    }
}
