import Experiments
import Foundation
import LinearAlgebra
import NeuralNet
import RegionAnalysis
import Support

// The analysis behind each reader, fuzzed as `analysis-READER`: a file that parses is run through what `slice`,
// `exact` and `predict` compute, with small budgets, through the same checks the commands make first
// (`scripts/fuzz.sh analysis-READER`; replayed by the tests as `FuzzReaders analysis-READER FILE_OR_FOLDER …`).
// Errors are fine; a crash, a trap, a hang or an unbounded allocation is a finding.

/// The budgets: a model beyond them is read but not analysed (the commands' own memory checks refuse such models
/// in their words; here they would only make each input slow).
enum Budget {
    static let layers = 256
    static let hiddenUnits = 64
    static let inputSize = 4096
    static let widestValue = 1 << 16
    static let probeGrid = 11
}

/// A deterministic 'd → 6 → 3' ReLU network for the data files.
func dataModel(inputs: Int) -> Network {
    var generator = SeededGenerator(seed: 7)
    return Network(MLP(layerWidths: [inputs, 6, 3], using: &generator))
}

/// Whether `network` fits the budgets.
func withinBudget(_ network: Network) -> Bool {
    let widest = (0...network.layers.count).map { network.shape(ofValue: $0).reduce(1, *) }.max() ?? 0
    return network.layers.count <= Budget.layers && network.hiddenUnitCount <= Budget.hiddenUnits
        && network.inputSize <= Budget.inputSize && widest <= Budget.widestValue
}

/// `rows` deterministic input rows for `network` in [−2, 2].
func sampleRows(_ network: Network, rows: Int) -> NumpyArray {
    let d = network.inputSize
    let values = (0..<(rows * d)).map { Double(($0 * 7919) % 401) / 100 - 2 }
    return NumpyArray(shape: [rows] + network.inputShape, dataType: .float64, elements: .floating(values))
}

/// What `predict` computes.
func predict(_ network: Network, data: NumpyArray) throws -> String {
    let p = try Prediction.run(network: network, data: data, labels: nil, dataName: "data")
    return "predictions \(p.predictions.prefix(4))"
}

/// What `slice` computes on `plane` (through `points`, or the model's own plane when empty).
func slice(_ network: Network, plane: SlicePlane, points: [[Double]]) throws -> String {
    let settings = SliceSettings(modelPath: "model", grid: Budget.probeGrid)
    let result = try SliceExperiment.analyse(network: network, modelPath: "model", plane: plane, points: points,
                                             labels: nil, settings: settings, context: .serial)
    return "slice \(result.report.exactRegions) regions, \(result.report.probeRegions) probed"
}

/// What `exact` computes, for a 2 → … → 1 MLP.
func exact(_ mlp: MLP) throws -> String {
    let network = Network(mlp)
    try network.checkMagnitudes(inputBound: Domain.square.largestMagnitude)
    if let problem = ExactPartition.problem(with: .square, for: mlp) { return "exact refused: \(problem)" }
    let partition = ExactPartition(network: mlp, domain: .square, context: .serial)
    let probe = GradientProbe(network: mlp, context: .serial).probe(
        RectangleGrid(resolution: Budget.probeGrid, domain: .square))
    let counts = ExactCounts(partition: partition, probe: probe,
                             probeRegions: RegionDeduplication(triples: probe.coefficients).count, seconds: 0)
    return "exact \(counts.exactRegions) regions, \(counts.exactFunctions) maps"
}

/// Slice, predict (and exact, for a 2 → … → 1 MLP) on a model read from a file.
func analyseModel(_ network: Network, mlp: MLP?) -> String {
    guard withinBudget(network) else { return "beyond the budget" }
    var lines: [String] = []
    func attempt(_ body: () throws -> String) {
        do { lines.append(try body()) } catch { lines.append("error \(error)") }
    }
    attempt { try predict(network, data: sampleRows(network, rows: 4)) }
    attempt {
        if network.inputSize == 2 { return try slice(network, plane: try SlicePlane(inputPlaneOfSize: 1.5), points: []) }
        guard network.inputSize >= 2 else { return "no plane" }
        var points = [[Double]](repeating: [Double](repeating: 0, count: network.inputSize), count: 3)
        points[1][0] = 1
        points[2][1] = 1
        return try slice(network, plane: try SlicePlane(through: points[0], points[1], points[2]), points: points)
    }
    if let mlp, mlp.inputDimension == 2, mlp.outputDimension == 1 { attempt { try exact(mlp) } }
    return lines.joined(separator: "; ")
}

/// The inputs, each a pure function of a file's bytes that must return or throw — never crash, trap or hang.
let analyses: [String: @Sendable (Data) throws -> String] = [
    "analysis-safetensors": { data in
        let model = try Safetensors.decode(data, path: "input", inputDimension: nil, outputDimension: nil)
        // The file's own structure for slice and predict; exact takes ReLU MLPs only.
        return analyseModel(model.network, mlp: model.activation == .relu ? model.layers : nil)
    },
    "analysis-onnx": { data in analyseModel(try ONNX.network(from: data, name: "input"), mlp: nil) },
    "analysis-npy": { data in
        // The data through a small model: predict on every row, and slice through rows 0, 1 and 2.
        let array = try Numpy.parse(data, name: "input")
        guard array.shape.count == 2, (2...Budget.inputSize).contains(array.shape[1]), array.shape[0] <= 4096 else {
            return "not a small [N, d] table"
        }
        let network = dataModel(inputs: array.shape[1])
        var lines = [try predict(network, data: array)]
        if array.shape[0] >= 3 {
            let values = array.doubles, d = array.shape[1]
            let points = (0..<3).map { Array(values[($0 * d)..<(($0 + 1) * d)]) }
            do {
                lines.append(try slice(network, plane: try SlicePlane(through: points[0], points[1], points[2]),
                                       points: points))
            } catch { lines.append("error \(error)") }
        }
        return lines.joined(separator: "; ")
    },
]
