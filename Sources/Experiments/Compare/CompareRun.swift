import FoundationEssentials
import LinearAlgebra
import NeuralNet
import RegionAnalysis
import Support

/// Input that cannot be compared; the message names the file and the problem.
public struct CompareError: SettingMessageError, Equatable {
    /// The message; the settings it names are said by each front end its own way.
    public var settingMessage: SettingMessage
    public init(_ message: SettingMessage) { settingMessage = message }
    /// The message in the library's words.
    public var message: String { settingMessage.description }
}

/// Labelled samples, one per row.
public struct LabelledSamples: Sendable {
    /// N × D.
    public var samples: Matrix
    /// N classes.
    public var labels: [Int] = []

    public init(samples: Matrix, labels: [Int]) {
        precondition(samples.rows == labels.count, "one label per sample")
        self.samples = samples
        self.labels = labels
    }

    /// Checks NumPy data and labels for a network: data `[N, *input shape]` (of `network` or of `other`, a second
    /// network reading as many values) or `[N, input size]`, finite; labels integers `[N]` in 0..<classes.
    /// `dataName` and `labelsName` label the messages.
    public init(data: NumpyArray, labels: NumpyArray, network: Network, other: Network? = nil, dataName: String,
                labelsName: String) throws {
        // The one rule of every command; the second network reads as many values, so it fits both.
        let rows: Int
        do { rows = try network.dataRows(shape: data.shape).get() } catch {
            throw CompareError("\(dataName) \(error.message.replacing("the model takes", with: "the models take"))")
        }
        let values = data.doubles
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw CompareError("\(dataName): row \(bad / network.inputSize) holds a non-finite value (\(values[bad]))")
        }
        guard let truth = labels.integers else {
            throw CompareError("\(labelsName) holds \(labels.dataType.rawValue) values; labels must be integers "
                + "(int64, int32 or uint8)")
        }
        guard labels.shape == [rows] else {
            throw CompareError("\(labelsName) has shape \(labels.shape); \(dataName) has \(rows) rows, so [\(rows)] "
                + "is needed")
        }
        let classes = network.outputSize
        if let bad = truth.firstIndex(where: { $0 < 0 || $0 >= classes }) {
            throw CompareError("\(labelsName): label \(truth[bad]) at row \(bad) is not a class of the models "
                + "(0..<\(classes))")
        }
        self.init(samples: Matrix(rows: rows, columns: network.inputSize, storage: values), labels: truth)
    }
}

/// Everything `regionplot compare` computes: the report, and what the figures draw beyond it.
public struct CompareResult: Sendable {
    public var report: CompareReport
    /// Confusion matrix of the transferred classifier a → b on the test samples: `[true class][predicted class]`.
    public var transferredConfusion: [[Int]]
    /// Confusion matrix of the transferred classifier b → a.
    public var transferredConfusionBToA: [[Int]]
    /// Every test sample's numbers, for samples.csv.
    public var samples = CompareSamples()
}

/// Per test sample: its label, the classes each net and each transferred classifier predict, the id of its local
/// affine map among the test samples' distinct maps (the report's tolerance) and its k-means cluster (the largest
/// k fitted; nil when none was).
public struct CompareSamples: Sendable, Equatable {
    public var labels: [Int] = []
    public var predictionsA: [Int] = []
    public var predictionsB: [Int] = []
    public var transferredAToB: [Int] = []
    public var transferredBToA: [Int] = []
    public var mapIDsA: [Int] = []
    public var mapIDsB: [Int] = []
    /// The k of the cluster ids.
    public var clusterK: Int? = nil
    public var clustersA: [Int]? = nil
    public var clustersB: [Int]? = nil
}

/// Sattelberg et al.'s comparison of two classifiers through their local affine maps on a data set.
public enum CompareRun {
    /// Checks that two networks can be compared: the same input size and the same number (≥ 2) of outputs.
    public static func checkModels(_ a: Network, _ b: Network, nameA: String, nameB: String) throws {
        guard a.outputSize == b.outputSize else {
            throw CompareError("\(nameA) has \(a.outputSize) outputs and \(nameB) has \(b.outputSize); "
                + "both models must classify into the same classes")
        }
        guard a.outputSize >= 2 else {
            throw CompareError("\(nameA) has \(a.outputSize) output; a classifier with at least 2 classes is needed")
        }
        guard a.inputSize == b.inputSize else {
            throw CompareError("\(nameA) takes \(a.inputShape) (\(a.inputSize) values) and \(nameB) takes "
                + "\(b.inputShape) (\(b.inputSize)); both models must read the same inputs")
        }
    }

    /// Checks that every class of the models has a training sample (a class-wise regression needs its class).
    public static func checkClasses(_ train: LabelledSamples, classes: Int, labelsName: String) throws {
        var seen = [Bool](repeating: false, count: classes)
        for y in train.labels { seen[y] = true }
        if let missing = seen.firstIndex(of: false) {
            throw CompareError("\(labelsName): class \(missing) has no training sample; every class of the models "
                + "(0..<\(classes)) must appear")
        }
    }

    /// Checks that neither network's values can pass ``Network/largestAnalysedMagnitude`` on the samples, so that
    /// the maps' coefficients and offsets, and the regressions' sums of their squares, stay within float64.
    public static func checkMagnitudes(_ a: Network, _ b: Network, train: LabelledSamples, test: LabelledSamples,
                                       nameA: String, nameB: String) throws {
        let inputBound = [train.samples.storage, test.samples.storage].reduce(0.0) { bound, values in
            values.reduce(bound) { max($0, abs($1)) }
        }
        for (network, name) in [(a, nameA), (b, nameB)] {
            do { try network.checkMagnitudes(inputBound: inputBound) } catch { throw CompareError("\(name): \(error)") }
        }
    }

    /// Compares `a` and `b` (checked with ``checkModels(_:_:nameA:nameB:)``): maps on the training and test
    /// samples, class-wise regressions both ways with and without offsets, distinct maps, and the k-means cluster
    /// reduction for each k of the settings that does not exceed the training samples. `progress` is told each
    /// stage as it starts.
    public static func run(a: Network, b: Network, train: LabelledSamples, test: LabelledSamples,
                           settings: CompareSettings = CompareSettings(), context: ComputeContext = .serial,
                           progress: ((String) -> Void)? = nil) throws -> CompareResult {
        let total = Stopwatch()
        try checkMagnitudes(a, b, train: train, test: test, nameA: "model a", nameB: "model b")
        var clock = Stopwatch()
        // Both nets' maps of one sample, in float64.
        let bytesPerSample = 2 * 8 * Double(a.outputSize) * Double(a.inputSize + 1)
        let held = CompareSettings.heldSamples(train: train.samples.rows, test: test.samples.rows,
                                               bytesPerSample: bytesPerSample, heldMapBytes: settings.heldMapBytes)
        let (heldTrain, heldTest, allHeld) = (held.train, held.test, !held.streamed)
        progress?("local affine maps of \(allHeld ? train.samples.rows + test.samples.rows : heldTrain + heldTest) "
            + "samples")
        let heldTestSamples = Self.first(heldTest, of: test.samples), heldTestLabels = Array(test.labels.prefix(heldTest))
        let mapsA = LocalAffineMaps(network: a, samples: Self.first(heldTrain, of: train.samples))
        let mapsB = LocalAffineMaps(network: b, samples: Self.first(heldTrain, of: train.samples))
        let testA = LocalAffineMaps(network: a, samples: heldTestSamples)
        let testB = LocalAffineMaps(network: b, samples: heldTestSamples)
        let mapSeconds = clock.lap()
        progress?("class-wise regressions" + (allHeld ? "" : " (maps streamed a block of samples at a time)"))

        func regression(_ s: LocalAffineMaps, _ t: LocalAffineMaps, _ st: LocalAffineMaps, _ tt: LocalAffineMaps,
                        offset: Bool) throws -> ClassWiseRegression {
            try ClassWiseRegression(from: s, to: t, sourceTest: st, targetTest: tt, testSamples: test.samples,
                                    testLabels: test.labels, includingOffset: offset)
        }
        let aToB: ClassWiseRegression, bToA: ClassWiseRegression, aToBJ: ClassWiseRegression
        let bToAJ: ClassWiseRegression, predictionsA: [Int], predictionsB: [Int]
        if allHeld {
            aToB = try regression(mapsA, mapsB, testA, testB, offset: true)
            bToA = try regression(mapsB, mapsA, testB, testA, offset: true)
            aToBJ = try regression(mapsA, mapsB, testA, testB, offset: false)
            bToAJ = try regression(mapsB, mapsA, testB, testA, offset: false)
            predictionsA = (0..<testA.count).map { argmax(testA.logits.row($0)) }
            predictionsB = (0..<testB.count).map { argmax(testB.logits.row($0)) }
        } else {
            let streamed = try StreamedClassWiseRegressions(a: a, b: b, train: train.samples, test: test.samples,
                                                            testLabels: test.labels, context: context)
            (aToB, bToA, aToBJ, bToAJ) = (streamed.aToB, streamed.bToA, streamed.aToBWithoutOffset,
                                          streamed.bToAWithoutOffset)
            (predictionsA, predictionsB) = (streamed.predictionsA, streamed.predictionsB)
        }
        func accuracy(_ predictions: [Int]) -> Double {
            Double(zip(predictions, test.labels).filter { $0 == $1 }.count) / Double(test.labels.count)
        }
        // Streamed, the regressions' time includes computing every sample's maps.
        let regressionSeconds = clock.lap()

        let distinctA = distinctRows(mapsA.maps, tolerance: settings.distinctTolerance).count
        let distinctB = distinctRows(mapsB.maps, tolerance: settings.distinctTolerance).count
        let distinctSeconds = clock.lap()

        var clustersA: [CompareReport.ClusterPoint] = [], clustersB: [CompareReport.ClusterPoint] = []
        var largest: (k: Int, a: [Int], b: [Int])?
        for k in settings.clusterCounts where k >= 1 && k <= heldTrain {
            progress?("k-means, k = \(k)")
            var generatorA = SeededGenerator(seed: settings.seed, stream: UInt64(2 * k))
            var generatorB = SeededGenerator(seed: settings.seed, stream: UInt64(2 * k + 1))
            let reducedA = clusterReduction(
                train: mapsA, test: testA, testSamples: heldTestSamples, testLabels: heldTestLabels, clusters: k,
                generator: &generatorA, maxIterations: settings.maxIterations)
            let reducedB = clusterReduction(
                train: mapsB, test: testB, testSamples: heldTestSamples, testLabels: heldTestLabels, clusters: k,
                generator: &generatorB, maxIterations: settings.maxIterations)
            clustersA.append(.init(k: k, accuracy: reducedA.accuracy))
            clustersB.append(.init(k: k, accuracy: reducedB.accuracy))
            if k >= (largest?.k ?? 0) { largest = (k, reducedA.nearest, reducedB.nearest) }
        }
        let kMeansSeconds = clock.lap()

        func r2(_ r: ClassWiseRegression) -> CompareReport.R2 { .init(perClass: r.perClassR2, mean: r.meanR2) }
        let report = CompareReport(
            accuracy: .init(a: accuracy(predictionsA), b: accuracy(predictionsB)),
            r2: .init(aToB: r2(aToB), bToA: r2(bToA)),
            transferredAccuracy: .init(aToB: aToB.transferredAccuracy, bToA: bToA.transferredAccuracy),
            withoutBias: .init(r2: .init(aToB: r2(aToBJ), bToA: r2(bToAJ)),
                               transferredAccuracy: .init(aToB: aToBJ.transferredAccuracy,
                                                          bToA: bToAJ.transferredAccuracy)),
            distinctMaps: .init(a: distinctA, b: distinctB),
            clusterAccuracy: .init(a: clustersA, b: clustersB),
            timings: .init(maps: mapSeconds, regressions: regressionSeconds, distinctMaps: distinctSeconds,
                           kMeans: kMeansSeconds, total: total.elapsed),
            heldSamples: heldTrain)
        // Test samples beyond the held ones have no map id or cluster: -1.
        func padded(_ ids: [Int]?) -> [Int]? {
            ids.map { $0 + [Int](repeating: -1, count: test.labels.count - $0.count) }
        }
        let samples = CompareSamples(
            labels: test.labels, predictionsA: predictionsA, predictionsB: predictionsB,
            transferredAToB: aToB.predictions, transferredBToA: bToA.predictions,
            mapIDsA: padded(distinctRowIDs(testA.maps, tolerance: settings.distinctTolerance)) ?? [],
            mapIDsB: padded(distinctRowIDs(testB.maps, tolerance: settings.distinctTolerance)) ?? [],
            clusterK: largest?.k, clustersA: padded(largest?.a), clustersB: padded(largest?.b))
        return CompareResult(report: report,
                             transferredConfusion: confusion(test.labels, aToB.predictions, classes: a.outputSize),
                             transferredConfusionBToA: confusion(test.labels, bToA.predictions, classes: a.outputSize),
                             samples: samples)
    }

    /// The first `rows` rows.
    static func first(_ rows: Int, of m: Matrix) -> Matrix {
        rows == m.rows ? m : Matrix(rows: rows, columns: m.columns, storage: Array(m.storage.prefix(rows * m.columns)))
    }

    /// `[true class][predicted class]` counts.
    static func confusion(_ truth: [Int], _ predicted: [Int], classes: Int) -> [[Int]] {
        var m = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (t, p) in zip(truth, predicted) { m[t][p] += 1 }
        return m
    }
}
