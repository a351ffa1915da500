import FoundationEssentials
import LinearAlgebra
import NeuralNet
import Plot
import RegionAnalysis
import Support

/// report.json of `regionplot digits`.
public struct DigitsReport: Codable, Equatable, Sendable {
    /// One trained net.
    public struct Net: Codable, Equatable, Sendable {
        /// The seed its initialisation and shuffles came from.
        public var seed: UInt64
        public var trainAccuracy: Double
        public var testAccuracy: Double
        /// The mean training loss of the last epoch.
        public var finalLoss: Double
        public var trainingSeconds: Double
        /// The class it predicts for each test image (argmax of its float64 logits, the first on ties): what the
        /// written ONNX and safetensors files must reproduce.
        public var testPredictions: [Int]
        /// The net along training, on the run's slice (exact and probe regions on the plane, loss, accuracy, local
        /// complexity at the training images).
        public var trainingSnapshots: TrainingSnapshotsReport?
    }

    public var settings: DigitsSettings
    public var nets: CompareReport.Pair<Net>
    /// The comparison of the two nets on the digits (the report of `regionplot compare`).
    public var comparison: CompareReport
    /// Each net's slice through the same three test images (the report of `regionplot slice`).
    public var slices: CompareReport.Pair<SliceReport>
}

/// Everything `regionplot digits` computes.
public struct DigitsResult: Sendable {
    public var a: TrainedClassifier
    public var b: TrainedClassifier
    public var comparison: CompareResult
    public var report: DigitsReport
    /// The test split, for figures.
    public var test: LabelledSamples
    /// Each net's slice through the same three test images.
    public var sliceA: SliceResult, sliceB: SliceResult
    /// Each net's training snapshots, cut by the same plane.
    public var snapshotsA: [DigitsSnapshot] = [], snapshotsB: [DigitsSnapshot] = []
}

/// Trains two MLPs on the bundled digits from different seeds and compares them.
public enum DigitsRun {
    /// `progress` is told each long stage (training, the comparison's stages, the slices) as it starts.
    public static func run(_ settings: DigitsSettings, context: ComputeContext = .allCores,
                           progress: ((String) -> Void)? = nil) throws -> DigitsResult {
        try settings.validate()
        let (train, test) = try DigitsData.load()
        func trained(forB: Bool) -> (TrainedClassifier, DigitsReport.Net) {
            let clock = Stopwatch()
            let training = settings.training(forB: forB)
            let net = ClassifierTraining.train(samples: train.samples, labels: train.labels,
                                               classes: DigitsData.classes, settings: training,
                                               snapshotEvery: settings.snapshotEvery)
            let seconds = clock.elapsed
            return (net, .init(seed: training.seed, trainAccuracy: accuracy(net.network, train),
                               testAccuracy: accuracy(net.network, test), finalLoss: net.epochLosses.last ?? .nan,
                               trainingSeconds: seconds, testPredictions: predictions(net.network, test)))
        }
        progress?("training net a (\(settings.epochs) epochs)")
        var (a, reportA) = trained(forB: false)
        progress?("training net b (\(settings.epochs) epochs)")
        var (b, reportB) = trained(forB: true)
        let comparison = try CompareRun.run(a: Network(a.network), b: Network(b.network), train: train, test: test,
                                            settings: settings.compare, context: context, progress: progress)
        progress?("both nets' slices and snapshots")
        // The XOR notebook's question on a real data set: the same plane through three test images, cut by each net.
        let rows = settings.sliceRows
        guard rows.count == 3, rows.allSatisfy({ test.labels.indices.contains($0) }) else {
            throw SliceError("the slice needs three test rows in 0..<\(test.labels.count), got \(rows)")
        }
        let points = rows.map { test.samples.row($0) }
        let plane = try SlicePlane(through: points[0], points[1], points[2], size: 1.5)
        func slice(_ net: TrainedClassifier, name: String) throws -> SliceResult {
            let sliceSettings = SliceSettings(modelPath: name, rows: rows, grid: settings.sliceGrid)
            return try SliceExperiment.analyse(network: Network(net.network), modelPath: name, plane: plane,
                                               points: points, labels: rows.map { test.labels[$0] },
                                               settings: sliceSettings, context: context)
        }
        let sliceA = try slice(a, name: "a.onnx"), sliceB = try slice(b, name: "b.onnx")
        func snapshots(_ net: TrainedClassifier, _ slice: SliceResult) -> [DigitsSnapshot] {
            DigitsSnapshot.analyse(net.snapshots, plane: plane, grid: settings.sliceGrid, train: train.samples,
                                   radius: settings.localComplexityRadius, context: context, final: slice)
        }
        let snapshotsA = snapshots(a, sliceA), snapshotsB = snapshots(b, sliceB)
        reportA.trainingSnapshots = TrainingSnapshotsReport(snapshotsA, radius: settings.localComplexityRadius,
                                                          probeGrid: settings.sliceGrid)
        reportB.trainingSnapshots = TrainingSnapshotsReport(snapshotsB, radius: settings.localComplexityRadius,
                                                          probeGrid: settings.sliceGrid)
        // The snapshots' networks are not needed past here: drop them rather than hold every epoch's weights.
        a.snapshots = []
        b.snapshots = []
        let report = DigitsReport(settings: settings, nets: .init(a: reportA, b: reportB),
                                  comparison: comparison.report, slices: .init(a: sliceA.report, b: sliceB.report))
        return DigitsResult(a: a, b: b, comparison: comparison, report: report, test: test,
                            sliceA: sliceA, sliceB: sliceB, snapshotsA: snapshotsA, snapshotsB: snapshotsB)
    }

    /// The share of `data` an MLP classifies right (argmax of its logits, the first on ties).
    public static func accuracy(_ network: MLP, _ data: LabelledSamples) -> Double {
        let right = zip(predictions(network, data), data.labels).filter { $0 == $1 }.count
        return Double(right) / Double(max(data.labels.count, 1))
    }

    /// The argmax of the MLP's logits for every sample, the first on ties.
    public static func predictions(_ network: MLP, _ data: LabelledSamples) -> [Int] {
        let logits = network(data.samples)
        return (0..<logits.rows).map { argmax(logits.row($0)) }
    }
}

/// `regionplot digits` as an ``Experiment``: ``DigitsRun``, its report, figures and tables.
public struct DigitsExperiment: Experiment {
    /// Told each long stage as it starts.
    public var progress: @Sendable (String) -> Void

    public init(progress: @escaping @Sendable (String) -> Void = { _ in }) { self.progress = progress }

    public func run(_ settings: DigitsSettings, context: ComputeContext) throws -> DigitsResult {
        try DigitsRun.run(settings, context: context, progress: progress)
    }

    public func report(_ result: DigitsResult, written: WrittenOutput) -> DigitsReport { result.report }

    public func figures(_ result: DigitsResult, look: Look) -> [FigureRecipe] {
        DigitsFigures.all(result, names: look.names)
    }

    /// The comparison's samples.csv, classes.csv and clusters.csv, and each net's slice regions.
    public func tables(_ result: DigitsResult, names: Names) -> [ExperimentTable] {
        CompareTables.all(result.comparison, names: names)
            + [("a", result.sliceA), ("b", result.sliceB)].flatMap { suffix, slice in
                ExperimentTable.regions(RegionTables(slice.partition, network: slice.network), suffix: suffix,
                                        classNames: names.classes)
            }
    }
}
