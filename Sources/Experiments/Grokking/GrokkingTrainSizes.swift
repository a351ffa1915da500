import FoundationEssentials
import NeuralNet
import Plot
import Support

/// One run of Liu et al.'s Figure 3: the toy model trained on `trainPairs` of the pairs for the whole budget,
/// and its accuracy at the end. The record a resumable (and shardable) sweep keeps per run.
public struct TrainSizeRun: Codable, Sendable, Equatable {
    /// The run's full settings: a stored run is reused only when they equal the sweep's.
    public var settings: GrokkingReport.Settings
    public var trainPairs: Int
    public var seed: Int
    /// Accuracies of the last epoch on the training pairs, the other pairs, and all pairs (nil after a failure).
    public var finalTrainAccuracy: Double?, finalTestAccuracy: Double?
    public var accuracy: Double?
    public var finalRQI: Double?
    public var firstTrain: Int?, firstTest: Int?, firstRQI: Int?
    /// The error that ended the run (divergence), if any.
    public var failure: String?
    /// Wall-clock seconds of the training loop.
    public var seconds: Double

    /// Accuracy on all pairs from the accuracies on the two parts, weighted by their sizes (the paper's `acc`).
    public static func allPairsAccuracy(train: Double, trainCount: Int, test: Double, testCount: Int) -> Double {
        (Double(trainCount) * train + Double(testCount) * test) / Double(trainCount + testCount)
    }

    /// The record of `run`.
    public init(_ run: GrokkingRun) {
        let s = run.settings
        settings = GrokkingReport.Settings(s)
        (trainPairs, seed) = (s.trainCount, Int(truncatingIfNeeded: s.seed))
        let train = run.trainAccuracy.last ?? .nan, test = run.testAccuracy.last ?? .nan
        (finalTrainAccuracy, finalTestAccuracy, finalRQI) = (train, test, run.rqi.last ?? .nan)
        accuracy = Self.allPairsAccuracy(train: train, trainCount: run.trainPairs.count, test: test,
                                         testCount: run.testPairs.count)
        (firstTrain, firstTest, firstRQI) = (run.firstTrain, run.firstTest, run.firstRQI)
        seconds = run.seconds
    }

    /// The record of a run that failed.
    public init(failed s: GrokkingSettings, failure: String, seconds: Double) {
        settings = GrokkingReport.Settings(s)
        (trainPairs, seed) = (s.trainCount, Int(truncatingIfNeeded: s.seed))
        (self.failure, self.seconds) = (failure, seconds)
    }

    /// The run's file name in `runs/`.
    public static func name(of s: GrokkingSettings) -> String { "train-\(s.trainCount)_seed-\(s.seed)" }

    /// Trains all epochs (the accuracy at the end is what the figure shows, so there is no early stop).
    public static func train(_ s: GrokkingSettings) -> TrainSizeRun {
        let clock = Stopwatch()
        do { return TrainSizeRun(try GrokkingExperiment.run(s)) } catch {
            return TrainSizeRun(failed: s, failure: "\(error)", seconds: clock.elapsed)
        }
    }
}

/// Liu et al.'s Figure 3: final accuracy on all pairs against the number of training pairs, over seeds.
public struct TrainSizePlan: Sendable {
    public var trainSizes: [Int]
    public var seeds: [UInt64]
    /// Everything else.
    public var base: GrokkingSettings

    public init(trainSizes: [Int], seeds: [UInt64], base: GrokkingSettings) {
        (self.trainSizes, self.seeds, self.base) = (trainSizes, seeds, base)
    }

    /// Every run, train size by train size, seeds innermost: the order shards split.
    public var allRuns: [GrokkingSettings] {
        trainSizes.flatMap { n in
            seeds.map { seed in
                var s = base
                (s.trainCount, s.seed) = (n, seed)
                return s
            }
        }
    }

    /// Parses `10,20,25` into train sizes: whole numbers of at least 1, distinct, in the order given. Whether each
    /// leaves a pair to test on depends on the modulus: ``checkTrainSizes(_:pairCount:)``.
    public static func parseTrainSizes(_ text: String) throws -> [Int] {
        var sizes: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = part.trimmingWhitespace()
            guard let n = Int(item) else {
                throw BatchSpecificationError("\(Setting.trainSizes): '\(item)' is not a whole number")
            }
            guard n >= 1 else { throw BatchSpecificationError("\(Setting.trainSizes): \(n) is not at least 1") }
            guard !sizes.contains(n) else { throw BatchSpecificationError("\(Setting.trainSizes): \(n) is listed twice") }
            sizes.append(n)
        }
        return sizes
    }

    /// Refuses a train size that leaves no pair of the `pairCount` to test on.
    public static func checkTrainSizes(_ sizes: [Int], pairCount: Int) throws {
        for n in sizes where n >= pairCount {
            throw BatchSpecificationError("\(Setting.trainSizes): \(n) is not between 1 and \(pairCount - 1) "
                + "(there are \(pairCount) pairs)")
        }
    }

    /// Parses and checks `10,20,25` against `pairCount` pairs: ``parseTrainSizes(_:)`` then
    /// ``checkTrainSizes(_:pairCount:)``.
    public static func parseTrainSizes(_ text: String, pairCount: Int) throws -> [Int] {
        let sizes = try parseTrainSizes(text)
        try checkTrainSizes(sizes, pairCount: pairCount)
        return sizes
    }
}

/// The sweep of Figure 3 and what it adds up to.
public enum GrokkingTrainSizes {
    /// One point of the curve: the runs of one train size.
    public struct Point: Codable, Sendable, Equatable {
        public var trainPairs: Int
        /// trainPairs / all pairs.
        public var trainFraction: Double
        /// Mean over the seeds that finished of the accuracy on all pairs (nil when none did).
        public var meanAccuracy: Double?
        /// Each seed's accuracy on all pairs, in seed order (nil for a failed run).
        public var accuracies: [Double?]
        public var meanTestAccuracy: Double?
    }

    /// Trains `shard`'s runs of `plan` not already in `store`; with the whole sweep (or a summary, `trainMissing`
    /// false), returns every run in the plan's order, else nil. Throws ``MissingRunsError`` when a summary
    /// finds runs missing (`shards`: the shards the sweep was split into).
    public static func sweep(_ plan: TrainSizePlan, context: ComputeContext, store: FinishedRuns<TrainSizeRun>?,
                             shard: Shard = .whole, trainMissing: Bool = true, shards: Int = 1,
                             progress: (@Sendable (String, TrainSizeRun, Int, Int) -> Void)? = nil)
        throws -> (runs: [TrainSizeRun]?, trained: Int, reused: Int) {
        let settings = plan.allRuns
        let names = settings.map(TrainSizeRun.name(of:))
        let outcome = try ShardedSweep.run(
            names: names, shard: shard, store: store, trainMissing: trainMissing, context: context,
            isCurrent: { k, stored in stored.settings == GrokkingReport.Settings(settings[k]) },
            // The largest training sets first: they take longest, and the cores then finish together.
            trainFirst: { a, b in (-settings[a].trainCount, a) < (-settings[b].trainCount, b) },
            train: { k in TrainSizeRun.train(settings[k]) }, progress: progress)
        guard shard.isWhole else { return (nil, outcome.trained, outcome.reused) }
        let folder = store?.sweepFolder ?? "the sweep"
        let runs = try ShardedSweep.complete(outcome, names: names, shards: shards, folder: folder)
        return (runs, outcome.trained, outcome.reused)
    }

    /// The curve: one point per train size, in the plan's order.
    public static func curve(_ runs: [TrainSizeRun], plan: TrainSizePlan) -> [Point] {
        let pairs = plan.base.pairCount
        return plan.trainSizes.map { n in
            let mine = runs.filter { $0.trainPairs == n }
            func mean(_ values: [Double]) -> Double? {
                values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
            }
            return Point(trainPairs: n, trainFraction: Double(n) / Double(pairs),
                         meanAccuracy: mean(mine.compactMap(\.accuracy)), accuracies: mine.map(\.accuracy),
                         meanTestAccuracy: mean(mine.compactMap(\.finalTestAccuracy)))
        }
    }

    /// `train-sizes.csv`: one row per run, in the plan's order.
    public static func table(_ runs: [TrainSizeRun]) -> CSVTable {
        var table = CSVTable(columns: [
            "train_pairs", "seed", "accuracy", "train_accuracy", "test_accuracy", "final_rqi", "first_train",
            "first_test", "first_rqi", "failure",
        ])
        func value(_ x: Double?) -> CSVTable.Value { x.map(CSVTable.Value.double) ?? .missing }
        func value(_ x: Int?) -> CSVTable.Value { x.map(CSVTable.Value.int) ?? .missing }
        for r in runs {
            table.append([.int(r.trainPairs), .int(r.seed), value(r.accuracy), value(r.finalTrainAccuracy),
                          value(r.finalTestAccuracy), value(r.finalRQI), value(r.firstTrain), value(r.firstTest),
                          value(r.firstRQI), r.failure.map(CSVTable.Value.text) ?? .missing])
        }
        return table
    }

    /// Accuracy on all pairs against the number of training pairs: each seed as a point, the mean as a line,
    /// and the diagonal y = fraction of pairs trained on (what memorising the training pairs alone gives).
    public static func figure(_ points: [Point], runs: [TrainSizeRun], pairCount: Int) -> Figure {
        let figure = Figure(width: 7, height: 4.8)
        let axes = figure.addAxes()
        let finished = runs.filter { $0.accuracy != nil }
        axes.scatter(finished.map { Double($0.trainPairs) }, finished.map { $0.accuracy! }, color: Color.tab10[0],
                     size: 24, alpha: 0.6, label: "each seed")
        let meanPoints = points.filter { $0.meanAccuracy != nil }.sorted { $0.trainPairs < $1.trainPairs }
        axes.plot(meanPoints.map { Double($0.trainPairs) }, meanPoints.map { $0.meanAccuracy! }, color: .black,
                  width: 1.5, marker: .circle, label: "mean over seeds")
        axes.plot([0, Double(pairCount)], [0, 1], color: Color(0.6, 0.6, 0.6), width: 1, dashed: true,
                  label: "training pairs only")
        axes.xLimits = (0, Double(pairCount))
        axes.yLimits = (-0.02, 1.04)
        axes.xLabel = "training pairs (of \(pairCount))"
        axes.yLabel = "accuracy on all pairs"
        axes.title = "Accuracy after training against the size of the training set"
        axes.legendLocation = .lowerRight
        return figure
    }
}

/// report.json of `regionplot grokking --train-sizes`. Keys are a public contract: add, never rename or drop.
public struct GrokkingTrainSizesReport: Codable, Sendable {
    public struct Timings: Codable, Sendable { public var trainSizes: Double }

    /// The settings every run shares (its train count and seed are the first run's).
    public var settings: GrokkingReport.Settings
    public var trainSizes: [Int]
    public var seeds: [Int]
    /// What `accuracy` means.
    public var accuracyRule: String
    public var curve: [GrokkingTrainSizes.Point]
    /// Every run, train size by train size, seeds innermost (per-run seconds left out: they are timings).
    public var runs: [Run]
    public var runsTrained: Int, runsReused: Int
    public var timings: Timings

    /// One run.
    public struct Run: Codable, Sendable {
        public var trainPairs: Int, seed: Int
        public var accuracy: Double?, finalTrainAccuracy: Double?, finalTestAccuracy: Double?, finalRQI: Double?
        public var firstTrain: Int?, firstTest: Int?, firstRQI: Int?
        public var failure: String?
    }

    public init(plan: TrainSizePlan, runs: [TrainSizeRun], trained: Int, reused: Int, seconds: Double) {
        settings = GrokkingReport.Settings(plan.allRuns[0])
        trainSizes = plan.trainSizes
        seeds = plan.seeds.map { Int(truncatingIfNeeded: $0) }
        accuracyRule = "Accuracy on all \(plan.base.pairCount) pairs after the last of \(plan.base.epochs) epochs: "
            + "the training and the other pairs' nearest-template accuracies weighted by their sizes."
        curve = GrokkingTrainSizes.curve(runs, plan: plan)
        self.runs = runs.map { r in
            Run(trainPairs: r.trainPairs, seed: r.seed, accuracy: r.accuracy, finalTrainAccuracy: r.finalTrainAccuracy,
                finalTestAccuracy: r.finalTestAccuracy, finalRQI: r.finalRQI, firstTrain: r.firstTrain,
                firstTest: r.firstTest, firstRQI: r.firstRQI, failure: r.failure)
        }
        (runsTrained, runsReused) = (trained, reused)
        timings = Timings(trainSizes: seconds)
    }
}
