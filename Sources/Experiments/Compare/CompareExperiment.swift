import FoundationEssentials
import NeuralNet
import Plot
import Support

/// The files and choices of `regionplot compare`.
public struct CompareExperimentSettings: ExperimentSettings, Equatable {
    public var modelAPath: String
    public var modelBPath: String
    /// Training samples and labels (.npy or FILE.npz:NAME).
    public var dataPath: String
    public var labelsPath: String
    /// Test samples and labels; nil: the training samples are the test samples.
    public var testDataPath: String?
    public var testLabelsPath: String?
    /// The names of the nets in the slices' titles.
    public var nameA = "a", nameB = "b"
    /// k-means, iterations and seed.
    public var compare = CompareSettings()
    /// Slice both nets through `throughRows` of the test samples, with probes at `grid`.
    public var slices = true
    public var throughRows = [0, 1, 2]
    public var grid = 51
    /// Memory the maps, distances and linearised pass may take (refused beforehand when over it).
    public var memoryBytes = Double.infinity

    public init(modelAPath: String, modelBPath: String, dataPath: String, labelsPath: String,
                testDataPath: String? = nil, testLabelsPath: String? = nil) {
        self.modelAPath = modelAPath
        self.modelBPath = modelBPath
        self.dataPath = dataPath
        self.labelsPath = labelsPath
        self.testDataPath = testDataPath
        self.testLabelsPath = testLabelsPath
    }

    /// Checks the settings, in the library's words.
    public func validate() throws {
        guard (testDataPath == nil) == (testLabelsPath == nil) else {
            throw InvalidSetting(.testData, message: "give \(Setting.testData) and \(Setting.testLabels) together, "
                + "or neither (to test on the training samples)")
        }
        guard throughRows.count == 3 else {
            throw InvalidSetting(.throughRows, "must be three row indices like 0,1,2, got \(throughRows.count)")
        }
        for k in compare.clusterCounts { try InvalidSetting.check(k, 1...100_000, .clusters) }
        try InvalidSetting.check(grid, 2...1001, .grid)
        try InvalidSetting.check(compare.maxIterations, 1...10_000, .maxIterations)
    }
}

/// What `regionplot compare` found: the comparison, and both nets' slices when asked.
public struct CompareExperimentResult: Sendable {
    public var comparison: CompareResult
    public var slices: CompareSlices?
    /// Training samples; whether the test samples are the training samples (no test files given).
    public var trainingSamples: Int
    public var testedOnTraining: Bool
    /// The models' classes (outputs).
    public var classes: Int
    /// The nets' names (the settings').
    public var nameA: String, nameB: String
}

/// `regionplot compare` as an ``Experiment``: reads both models and the data, checks them, compares the nets'
/// local affine maps (``CompareRun``) and slices both on one plane (``CompareSlices``).
public struct CompareExperiment: Experiment {
    public var reading: WeightsReading
    /// Told each long stage as it starts.
    public var progress: @Sendable (String) -> Void

    public init(reading: WeightsReading = WeightsReading(), progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.reading = reading
        self.progress = progress
    }

    public func run(_ settings: CompareExperimentSettings, context: ComputeContext) throws -> CompareExperimentResult {
        try settings.validate()
        let a = try ModelFile.read(path: settings.modelAPath, reading: reading)
        let b = try ModelFile.read(path: settings.modelBPath, reading: reading)
        try CompareRun.checkModels(a, b, nameA: settings.modelAPath, nameB: settings.modelBPath)
        func samples(_ data: String, _ labels: String) throws -> LabelledSamples {
            try LabelledSamples(data: try DataFile.read(path: data), labels: try DataFile.read(path: labels),
                                network: a, other: b, dataName: data, labelsName: labels)
        }
        let train = try samples(settings.dataPath, settings.labelsPath)
        var test = train
        if let testData = settings.testDataPath, let testLabels = settings.testLabelsPath {
            test = try samples(testData, testLabels)
        }
        try CompareRun.checkClasses(train, classes: a.outputSize, labelsName: settings.labelsPath)
        try Self.checkMemory(train: train.samples.rows, test: test.samples.rows, inputs: a.inputSize,
                             classes: a.outputSize, largestK: settings.compare.clusterCounts.max() ?? 1,
                             widest: max(a.widestValue, b.widestValue), budget: settings.memoryBytes,
                             heldMapBytes: settings.compare.heldMapBytes)
        try CompareRun.checkMagnitudes(a, b, train: train, test: test, nameA: settings.modelAPath,
                                       nameB: settings.modelBPath)
        let comparison = try CompareRun.run(a: a, b: b, train: train, test: test, settings: settings.compare,
                                            context: context, progress: progress)
        var slices: CompareSlices?
        if settings.slices {
            progress("both nets' slices through rows \(settings.throughRows.map(String.init).joined(separator: ","))")
            slices = try CompareSlices.run(a: a, b: b, nameA: settings.nameA, nameB: settings.nameB, test: test,
                                           rows: settings.throughRows, grid: settings.grid, context: context)
        }
        return CompareExperimentResult(comparison: comparison, slices: slices, trainingSamples: train.samples.rows,
                                       testedOnTraining: settings.testDataPath == nil, classes: a.outputSize,
                                       nameA: settings.nameA, nameB: settings.nameB)
    }

    /// The comparison's report, with the nets' names (`labels`).
    public func report(_ result: CompareExperimentResult, written: WrittenOutput) -> CompareReport {
        var report = result.comparison.report
        report.labels = .init(a: result.nameA, b: result.nameB)
        return report
    }

    public func figures(_ result: CompareExperimentResult, look: Look) -> [FigureRecipe] {
        CompareFigures.all(result.comparison, names: look.names)
            + (result.slices.map { CompareFigures.slices($0, names: look.names) } ?? [])
    }

    /// samples.csv, classes.csv, clusters.csv, and each net's slice regions (regions-a.csv, regions-a.json, …).
    public func tables(_ result: CompareExperimentResult, names: Names) -> [ExperimentTable] {
        CompareTables.all(result.comparison, names: names)
            + [("a", result.slices?.sliceA), ("b", result.slices?.sliceB)].flatMap { suffix, slice in
                slice.map { ExperimentTable.regions(RegionTables($0.partition, network: $0.network), suffix: suffix,
                                                    classNames: names.classes) } ?? []
            }
    }

    /// Refuses a run whose held maps (four sets of N × C·(D + 1) doubles, at most `heldMapBytes`, and copies of a
    /// class's columns), streamed sums (per class, the Gram of both nets' maps and the four fits), k-means
    /// distances (held samples × k) or linearised pass (256 samples × (D + 2) rows × the widest value) would pass
    /// `budget`.
    public static func checkMemory(train: Int, test: Int, inputs: Int, classes: Int, largestK: Int, widest: Int,
                                   budget: Double, heldMapBytes: Double = CompareSettings().heldMapBytes) throws {
        let perSample = 2 * Double(classes) * Double(inputs + 1) * 8
        let all = Double(train + test) * perSample
        let held = CompareSettings.heldSamples(train: train, test: test, bytesPerSample: perSample,
                                               heldMapBytes: heldMapBytes)
        let (streamed, heldTrain) = (held.streamed, Double(held.train))
        let side = 2 * Double(inputs + 1)
        let sums = streamed ? 3 * Double(classes) * side * side * 8 : 0
        let distances = heldTrain * min(Double(largestK), heldTrain) * 8
        let pass = Double(min(256, train)) * Double(inputs + 2) * Double(widest) * 8 * 3
        let bytes = 2 * min(all, heldMapBytes) + sums + distances + pass
        guard bytes <= budget else {
            throw CompareError("comparing these models on these data needs about \(memorySizeText(bytes)) of memory; "
                + "this run may use \(memorySizeText(budget))")
        }
    }
}

extension CompareTables {
    /// samples.csv, classes.csv and clusters.csv of a comparison.
    static func all(_ result: CompareResult, names: Names) -> [ExperimentTable] {
        [ExperimentTable("samples.csv", csv: samples(result, classNames: names.classes)),
         ExperimentTable("classes.csv", csv: classes(result, classNames: names.classes)),
         ExperimentTable("clusters.csv", csv: clusters(result))]
    }
}

extension Network {
    /// Elements of the largest value one sample produces (input included).
    public var widestValue: Int { (0...layers.count).map { shape(ofValue: $0).reduce(1, *) }.max() ?? inputSize }
}

extension Setting {
    public static let testData = Setting(key: "testData", words: "test data")
    public static let testLabels = Setting(key: "testLabels", words: "test labels")
    public static let clusters = Setting(key: "clusters", words: "cluster counts")
    public static let maxIterations = Setting(key: "maxIterations", words: "iteration limit")
}
