import FoundationEssentials
import LinearAlgebra
import NeuralNet
import Support

/// Data or labels that do not fit the model; the message names the file and the problem.
public struct PredictionError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A network's logits on every row of a data set, its predicted classes, and its accuracy when labels are known:
/// what `regionplot predict` computes to show that a model file was read right.
public struct Prediction: Sendable {
    /// N × outputs.
    public var logits: Matrix
    /// The predicted class of each row: the argmax of the logits (the first on ties), or for a single output
    /// whether it is positive (1) or not (0).
    public var predictions: [Int]
    /// Rows whose prediction equals the label, when labels were given.
    public var correct: Int?

    /// The share of rows predicted right, when labels were given.
    public var accuracy: Double? { correct.map { Double($0) / Double(max(predictions.count, 1)) } }

    /// Runs `network` on `data` (`[N, *input shape]` or `[N, input size]`, finite), checking `labels` (`[N]`
    /// integers in the range of classes) when given. `dataName`, `labelsName` and `modelName` label the messages;
    /// a non-finite value anywhere in the pass is an error naming the layer.
    public static func run(network: Network, data: NumpyArray, labels: NumpyArray?, dataName: String,
                           labelsName: String = "labels", modelName: String = "the model") throws -> Prediction {
        let rows = try checkedRows(data, network: network, name: dataName)
        let values = data.doubles
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw PredictionError("\(dataName): row \(bad / network.inputSize) holds a non-finite value "
                + "(\(values[bad]))")
        }
        let logits: Matrix
        do {
            logits = Matrix(rows: rows, columns: network.outputSize, storage: try network.checkedForward(values, rows: rows))
        } catch {
            throw PredictionError("\(modelName) on \(dataName): \(error)")
        }
        let predictions = (0..<rows).map { predictedClass(logits.row($0)) }
        var correct: Int?
        if let labels {
            let truth = try checkedLabels(labels, rows: rows, classes: max(network.outputSize, 2), name: labelsName)
            correct = zip(predictions, truth).filter { $0 == $1 }.count
        }
        return Prediction(logits: logits, predictions: predictions, correct: correct)
    }

    /// The argmax (first on ties), or for one output 1 when it is positive.
    public static func predictedClass(_ logits: [Double]) -> Int {
        logits.count == 1 ? (logits[0] > 0 ? 1 : 0) : argmax(logits)
    }

    /// `{"logits": [[…]], "predictions": […], "accuracy": x}` (accuracy only with labels).
    public var report: PredictionReport {
        PredictionReport(logits: logits.nestedRows, predictions: predictions, accuracy: accuracy)
    }

    private static func checkedRows(_ data: NumpyArray, network: Network, name: String) throws -> Int {
        do { return try network.dataRows(shape: data.shape).get() } catch {
            throw PredictionError("\(name) \(error.message)")
        }
    }

    /// The one rule for a labels file (predict, slice; compare states the same): integers, shape `[rows]`, each a
    /// class of the model, `0..<classes`.
    static func checkedLabels(_ labels: NumpyArray, rows: Int, classes: Int, name: String) throws -> [Int] {
        guard let values = labels.integers else {
            throw PredictionError("\(name) holds \(labels.dataType.rawValue) values; labels must be integers "
                + "(int64, int32 or uint8)")
        }
        guard labels.shape == [rows] else {
            throw PredictionError(
                "\(name) has shape \(labels.shape); the data have \(rows) rows, so [\(rows)] is needed")
        }
        if let bad = values.firstIndex(where: { $0 < 0 || $0 >= classes }) {
            throw PredictionError(
                "\(name): label \(values[bad]) at row \(bad) is not a class of the model (0..<\(classes))")
        }
        return values
    }
}

/// The JSON of `regionplot predict --json`. Keys are a public contract: add, never rename or drop.
public struct PredictionReport: Codable, Sendable {
    public var logits: [[Double]]
    public var predictions: [Int]
    /// With labels only (absent otherwise).
    @AbsentWhenNil public var accuracy: Double?
}
