import FoundationEssentials
import NeuralNet
import Plot
import Support

/// The files of `regionplot predict`.
public struct PredictSettings: ExperimentSettings, Equatable {
    public var modelPath: String
    /// Input rows (.npy or FILE.npz:NAME).
    public var dataPath: String
    /// Integer labels, for the accuracy; optional.
    public var labelsPath: String?

    public init(modelPath: String, dataPath: String, labelsPath: String? = nil) {
        (self.modelPath, self.dataPath, self.labelsPath) = (modelPath, dataPath, labelsPath)
    }

    public func validate() throws {}
}

/// A model's predictions on data, with the model they came from.
public struct PredictResult: Sendable {
    public var network: Network
    public var prediction: Prediction
    /// The labels given, if any.
    public var labels: [Int]?
}

/// `regionplot predict` as an ``Experiment``: the user's model run on the user's data.
public struct PredictExperiment: Experiment {
    public var reading: WeightsReading

    public init(reading: WeightsReading = WeightsReading()) { self.reading = reading }

    public func run(_ settings: PredictSettings, context: ComputeContext) throws -> PredictResult {
        let network = try ModelFile.read(path: settings.modelPath, reading: reading)
        let rows = try DataFile.read(path: settings.dataPath)
        let truth = try settings.labelsPath.map { try DataFile.read(path: $0) }
        let prediction = try Prediction.run(network: network, data: rows, labels: truth, dataName: settings.dataPath,
                                            labelsName: settings.labelsPath ?? "labels", modelName: settings.modelPath)
        return PredictResult(network: network, prediction: prediction, labels: truth?.integers)
    }

    public func report(_ result: PredictResult, written: WrittenOutput) -> PredictionReport { result.prediction.report }

    public func figures(_ result: PredictResult, look: Look) -> [FigureRecipe] { [] }

    /// predictions.csv (index, prediction, label when given, prediction_name when classes are named) and
    /// logits.npy [N, outputs].
    public func tables(_ result: PredictResult, names: Names) -> [ExperimentTable] {
        let classNames = names.classes
        var table = CSVTable(columns: ["index", "prediction"] + (result.labels == nil ? [] : ["label"])
            + (classNames == nil ? [] : ["prediction_name"]))
        for (i, predicted) in result.prediction.predictions.enumerated() {
            table.append([.int(i), .int(predicted)] + (result.labels.map { [.int($0[i])] } ?? [])
                + (classNames.map { [.text($0[predicted])] } ?? []))
        }
        let logits = result.prediction.logits
        return [ExperimentTable("predictions.csv", csv: table),
                ExperimentTable("logits.npy", file: Numpy.encode(doubles: logits.storage,
                                                                 shape: [logits.rows, logits.columns]))]
    }
}
