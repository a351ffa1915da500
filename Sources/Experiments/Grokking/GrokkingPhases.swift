import FoundationEssentials
import Glibc
import LinearAlgebra
import NeuralNet
import Support

/// The four learning phases of Liu et al. (2022), read off a run's accuracy curves.
public enum GrokkingPhase: String, Sendable, CaseIterable, Codable {
    /// Train and test accuracy reach 0.9 close together.
    case comprehension
    /// Test accuracy reaches 0.9 long after train accuracy.
    case grokking
    /// Train accuracy reaches 0.9, test accuracy never does.
    case memorisation
    /// Train accuracy never reaches 0.9.
    case confusion

    /// How the phases are decided, for the report.
    public static func rule(delay: Int, epochs: Int) -> String {
        "Within \(epochs) epochs: confusion if train accuracy never reaches 0.9; memorisation if train accuracy "
            + "reaches 0.9 but test accuracy never does; grokking if test accuracy reaches 0.9 more than \(delay) epochs "
            + "after train accuracy; comprehension if it does so within \(delay) epochs of it (or first)."
    }

    /// The first epoch of `accuracy` (one value per epoch) at or above `threshold`; nil when none is.
    public static func firstEpoch(of accuracy: [Double], reaching threshold: Double = 0.9) -> Int? {
        accuracy.firstIndex { $0 >= threshold }
    }

    /// The phase of a run from its accuracy curves (one value per epoch, the budget being their length): the
    /// rule of ``classify(firstTrain:firstTest:delay:)`` at the 0.9 threshold.
    public static func classify(trainAccuracy: [Double], testAccuracy: [Double], delay: Int) -> GrokkingPhase {
        classify(firstTrain: firstEpoch(of: trainAccuracy), firstTest: firstEpoch(of: testAccuracy), delay: delay)
    }

    /// The phase of a run whose train/test accuracy first reached 0.9 at the given epochs (nil: never).
    public static func classify(firstTrain: Int?, firstTest: Int?, delay: Int) -> GrokkingPhase {
        guard let firstTrain else { return .confusion }
        guard let firstTest else { return .memorisation }
        return firstTest - firstTrain > delay ? .grokking : .comprehension
    }
}

/// What one seed of one cell did: the first epochs at which the thresholds were reached (nil: not within the
/// epochs run). This is the record a resumable sweep stores per run (`runs/<name>.json`).
public struct PhaseRun: Codable, Sendable, Equatable {
    /// The run's full settings: a stored run is reused only when they equal the sweep's.
    public var settings: GrokkingReport.Settings
    public var seed: Int
    /// Epochs trained: fewer than `settings.epochs` when the run stopped once its phase was decided.
    public var epochsRun: Int
    public var firstTrain: Int?, firstTest: Int?, firstRQI: Int?
    /// The error that ended the run (divergence), if any; such a run counts as confusion.
    public var failure: String?
    /// Wall-clock seconds of the training loop.
    public var seconds: Double

    public init(settings: GrokkingSettings, epochsRun: Int, firstTrain: Int?, firstTest: Int?, firstRQI: Int?,
                failure: String?, seconds: Double) {
        self.settings = GrokkingReport.Settings(settings)
        seed = Int(truncatingIfNeeded: settings.seed)
        (self.epochsRun, self.firstTrain, self.firstTest, self.firstRQI) = (epochsRun, firstTrain, firstTest, firstRQI)
        (self.failure, self.seconds) = (failure, seconds)
    }

    /// The phase under the rule with this `delay`; a failed run is confusion.
    public func phase(delay: Int) -> GrokkingPhase {
        failure != nil ? .confusion : GrokkingPhase.classify(firstTrain: firstTrain, firstTest: firstTest, delay: delay)
    }

    /// The file name of the run with these settings: its swept values and seed (other settings are checked
    /// against the stored record).
    public static func name(of s: GrokkingSettings) -> String {
        "eta1-\(s.representationLearningRate)_eta2-\(s.decoderLearningRate)_wd-\(s.weightDecay)_seed-\(s.seed)"
    }

    /// Trains one seed of one cell, stopping as soon as its phase is decided (see ``GrokkingPhaseDiagram``).
    public static func train(_ s: GrokkingSettings) -> PhaseRun {
        let clock = Stopwatch()
        do {
            let run = try GrokkingExperiment.run(s, stopWhenDecided: true)
            return PhaseRun(settings: s, epochsRun: run.loss.count, firstTrain: run.firstTrain, firstTest: run.firstTest,
                            firstRQI: run.firstRQI, failure: nil, seconds: run.seconds)
        } catch {
            return PhaseRun(settings: s, epochsRun: 0, firstTrain: nil, firstTest: nil, firstRQI: nil,
                            failure: "\(error)", seconds: clock.elapsed)
        }
    }
}

/// One cell of a phase diagram: every seed's run at one point of the plane, and what they add up to.
public struct PhaseDiagramCell: Sendable {
    public var representationLearningRate: Double
    public var decoderLearningRate: Double
    public var weightDecay: Double
    /// One run per seed, in the sweep's seed order.
    public var runs: [PhaseRun]
    /// The phase of each run (same order).
    public var phases: [GrokkingPhase]

    public init(representationLearningRate: Double, decoderLearningRate: Double, weightDecay: Double,
                runs: [PhaseRun], delay: Int) {
        (self.representationLearningRate, self.decoderLearningRate, self.weightDecay) =
            (representationLearningRate, decoderLearningRate, weightDecay)
        self.runs = runs
        phases = runs.map { $0.phase(delay: delay) }
    }

    /// How many seeds ended in `phase`.
    public func count(_ phase: GrokkingPhase) -> Int { phases.filter { $0 == phase }.count }

    /// The share of seeds in `phase`.
    public func fraction(_ phase: GrokkingPhase) -> Double { Double(count(phase)) / Double(max(1, phases.count)) }

    /// The phase most seeds ended in; a tie goes to the phase listed first in ``GrokkingPhase/allCases``.
    public var phase: GrokkingPhase {
        GrokkingPhase.allCases.max { a, b in count(a) < count(b) || (count(a) == count(b) && a.order > b.order) }!
    }

    /// The median over seeds of a first epoch, a run that never reached it counting as later than every epoch;
    /// nil when half the seeds or more never reached it (the median is then "never"). With an even number of
    /// seeds, the mean of the two middle epochs.
    public static func median(_ epochs: [Int?]) -> Double? {
        let n = epochs.count
        guard n > 0 else { return nil }
        let sorted = epochs.map { $0.map(Double.init) ?? .infinity }.sorted()
        let m = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        return m.isFinite ? m : nil
    }

    /// The lower median (an epoch some seed really had; nil when it is "never").
    public static func lowerMedian(_ epochs: [Int?]) -> Int? {
        let reached = epochs.compactMap { $0 }.sorted()
        let index = (epochs.count - 1) / 2
        return index < reached.count ? reached[index] : nil
    }

    public var medianFirstTrain: Double? { Self.median(runs.map(\.firstTrain)) }
    public var medianFirstTest: Double? { Self.median(runs.map(\.firstTest)) }
    public var medianFirstRQI: Double? { Self.median(runs.map(\.firstRQI)) }
    /// The first failure among the seeds, if any.
    public var failure: String? { runs.lazy.compactMap(\.failure).first }
}

extension GrokkingPhase {
    var order: Int { GrokkingPhase.allCases.firstIndex(of: self)! }
}

/// The paper's two phase diagrams, each cell trained for several seeds: representation learning rate η₁ × decoder
/// learning rate η₂ (weight decay fixed), and decoder learning rate η₂ × decoder weight decay (η₁ fixed).
public enum PhaseDiagramKind: String, Sendable, CaseIterable, Codable {
    /// η₁ (rows) × η₂ (columns).
    case learningRates = "lr"
    /// Weight decay (rows) × η₂ (columns).
    case weightDecay = "weight-decay"

    /// The figure's file stem.
    public var figureName: String { self == .learningRates ? "phase-diagram" : "phase-diagram-weight-decay" }
}

/// A phase diagram to sweep: its kind, its two axes (rows × columns) and the seeds.
public struct PhaseDiagramPlan: Sendable {
    public var kind: PhaseDiagramKind
    /// The row values: η₁ for `.learningRates`, weight decays for `.weightDecay`.
    public var rows: [Double]
    /// The column values: η₂, the decoder learning rate, in both kinds.
    public var columns: [Double]
    public var seeds: [UInt64]
    /// Everything else (and the fixed η₁ or weight decay).
    public var base: GrokkingSettings

    public init(kind: PhaseDiagramKind, rows: [Double], columns: [Double], seeds: [UInt64], base: GrokkingSettings) {
        (self.kind, self.rows, self.columns, self.seeds, self.base) = (kind, rows, columns, seeds, base)
    }

    /// The settings of the run at row `r`, column `c`, for `seed`.
    public func settings(row r: Int, column c: Int, seed: UInt64) -> GrokkingSettings {
        var s = base
        s.decoderLearningRate = columns[c]
        switch kind {
        case .learningRates: s.representationLearningRate = rows[r]
        case .weightDecay: s.weightDecay = rows[r]
        }
        s.seed = seed
        return s
    }

    /// Every run, row-major over the cells, seeds innermost.
    public var allRuns: [GrokkingSettings] {
        rows.indices.flatMap { r in
            columns.indices.flatMap { c in seeds.map { settings(row: r, column: c, seed: $0) } }
        }
    }
}

/// Sweeps phase diagrams over seeds, resumably.
///
/// Early stopping: a run stops at the first epoch at which both train and test accuracy have reached 0.9. The
/// phase depends only on those two first epochs (and on whether they exist within the epoch budget), so once both
/// are known nothing later can change it; a run that has not reached both trains to the end, since memorisation,
/// confusion and a late grokking can only be told apart there. The first epochs are the full run's (training is
/// deterministic and the stopped run is its prefix); only `firstRQI` may be missing where the full run would
/// reach it later.
public enum GrokkingPhaseDiagram {
    /// `count` learning rates evenly spaced in log from `low` to `high`.
    public static func logGrid(from low: Double, to high: Double, count: Int) -> [Double] {
        precondition(count >= 1 && low > 0 && high >= low, "invalid learning-rate grid")
        if count == 1 { return [low] }
        let a = log10(low), b = log10(high)
        return (0..<count).map { pow(10, a + (b - a) * Double($0) / Double(count - 1)) }
    }

    /// What a sweep did: the cells of each plan, and how many runs it trained and took from the store.
    public struct Outcome: Sendable {
        /// Per plan, its cells row-major.
        public var cells: [[PhaseDiagramCell]]
        public var trained: Int, reused: Int
    }

    /// Every distinct run of `plans` (a run shared by two plans once), in the sweep's order: plan by plan,
    /// row-major over the cells, seeds innermost. Shards split this list.
    public static func runs(_ plans: [PhaseDiagramPlan]) -> [(name: String, settings: GrokkingSettings)] {
        var seen = Set<String>(), runs: [(name: String, settings: GrokkingSettings)] = []
        for plan in plans {
            for s in plan.allRuns where seen.insert(PhaseRun.name(of: s)).inserted {
                runs.append((PhaseRun.name(of: s), s))
            }
        }
        return runs
    }

    /// Trains every run of `plans` (of `shard`'s share) not already in `store` on `context.threads` threads (each
    /// run on one thread), saving each as it finishes; a run shared by two plans is trained once. `progress` is
    /// called after each trained run with its name, its record, and how many of the runs to train are done.
    /// The cells are built only when every run is finished (a whole sweep, or a summary); a shard's outcome has
    /// none. `trainMissing` false (a summary) trains nothing and throws ``MissingRunsError`` for a missing run
    /// (`shards`: the shards the sweep was split into).
    public static func sweep(_ plans: [PhaseDiagramPlan], delay: Int, context: ComputeContext,
                             store: FinishedRuns<PhaseRun>? = nil, shard: Shard = .whole, trainMissing: Bool = true,
                             shards: Int = 1,
                             progress: (@Sendable (String, PhaseRun, Int, Int) -> Void)? = nil) throws -> Outcome {
        let runs = Self.runs(plans)
        let names = runs.map(\.name), settings = runs.map(\.settings)
        // Seed by seed (every cell of every plan for the first seed, then the next): a sweep killed part way
        // leaves whole seeds behind, which a rerun with fewer seeds can use as they are.
        let outcome = try ShardedSweep.run(
            names: names, shard: shard, store: store, trainMissing: trainMissing, context: context,
            isCurrent: { k, stored in stored.settings == GrokkingReport.Settings(settings[k]) },
            trainFirst: { a, b in (settings[a].seed, a) < (settings[b].seed, b) },
            train: { k in PhaseRun.train(settings[k]) }, progress: progress)
        guard shard.isWhole else { return Outcome(cells: [], trained: outcome.trained, reused: outcome.reused) }
        let folder = store?.sweepFolder ?? "the sweep"
        _ = try ShardedSweep.complete(outcome, names: names, shards: shards, folder: folder)
        let records = outcome.records
        let cells = plans.map { plan in
            plan.rows.indices.flatMap { r in
                plan.columns.indices.map { c in
                    let runs = plan.seeds.map { records[PhaseRun.name(of: plan.settings(row: r, column: c, seed: $0))]! }
                    let s = plan.settings(row: r, column: c, seed: plan.seeds[0])
                    return PhaseDiagramCell(representationLearningRate: s.representationLearningRate,
                                            decoderLearningRate: s.decoderLearningRate, weightDecay: s.weightDecay,
                                            runs: runs, delay: delay)
                }
            }
        }
        return Outcome(cells: cells, trained: outcome.trained, reused: outcome.reused)
    }
}

/// The first error a parallel loop met.
final class ErrorBox: @unchecked Sendable {
    private let lock = Lock()
    private var error: Error?
    func set(_ e: Error) { lock.withLock { if error == nil { error = e } } }
    var value: Error? { lock.withLock { error } }
}

extension PhaseDiagramPlan {
    /// Parses `1e-5,1e-4,3e-4` into the values of an axis: finite, positive (or zero with `allowZero`), distinct,
    /// in the order given.
    public static func parseValues(_ text: String, name: String, allowZero: Bool = false) throws -> [Double] {
        var values: [Double] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = part.trimmingWhitespace()
            guard let v = Double(item), v.isFinite else {
                throw BatchSpecificationError("\(name): '\(item)' is not a number")
            }
            guard v > 0 || (allowZero && v == 0) else {
                throw BatchSpecificationError("\(name): \(item) must be \(allowZero ? "zero or positive" : "positive")")
            }
            guard !values.contains(v) else { throw BatchSpecificationError("\(name): \(item) is listed twice") }
            values.append(v)
        }
        guard values.count <= 32 else {
            throw BatchSpecificationError("\(name): at most 32 values, got \(values.count)")
        }
        return values
    }
}
