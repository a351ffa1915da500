import LinearAlgebra
import NeuralNet
import Support

/// report.json of `regionplot grokking`: one run. Keys are a public contract: add, never rename or drop.
public struct GrokkingReport: Codable, Sendable {
    /// The run's settings, as the command line set them.
    public struct Settings: Codable, Sendable, Equatable {
        public var p: Int, trainCount: Int, latentDimension: Int, templateDimension: Int, width: Int
        public var representationLearningRate: Double, decoderLearningRate: Double, weightDecay: Double
        public var epochs: Int
        public var modulo: Bool, naturalGradient: Bool
        public var seed: Int

        public init(_ s: GrokkingSettings) {
            (p, trainCount, latentDimension, templateDimension, width) =
                (s.p, s.trainCount, s.latentDimension, s.inputDimension, s.decoderWidth)
            (representationLearningRate, decoderLearningRate, weightDecay) =
                (s.representationLearningRate, s.decoderLearningRate, s.weightDecay)
            (epochs, modulo, naturalGradient, seed) = (s.epochs, s.modulo, s.naturalGradient, Int(truncatingIfNeeded: s.seed))
        }
    }

    /// The learned latents: a list of numbers for one latent dimension, a list of rows for several.
    public enum Latent: Codable, Sendable {
        case values([Double])
        case rows([[Double]])

        public init(_ latent: Matrix) {
            self = latent.columns == 1 ? .values(latent.storage) : .rows(latent.nestedRows)
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .values(let v): try container.encode(v)
            case .rows(let r): try container.encode(r)
            }
        }

        public init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let rows = try? container.decode([[Double]].self) { self = .rows(rows) } else {
                self = .values(try container.decode([Double].self))
            }
        }
    }

    /// The training curves, sampled to at most about 1000 points.
    public struct Curves: Codable, Sendable {
        public var epoch: [Int]
        public var loss: [Double], trainAccuracy: [Double], testAccuracy: [Double], rqi: [Double]
    }

    public struct Timings: Codable, Sendable { public var train: Double }

    public var settings: Settings
    public var iterTrain: Int, iterTest: Int, iterRQI: Int
    public var reachedTrain: Bool, reachedTest: Bool, reachedRQI: Bool
    public var finalTrainAccuracy: Double, finalTestAccuracy: Double, finalRQI: Double, finalLoss: Double
    public var latent: Latent
    public var phase: String
    public var phaseRule: String
    public var trainPairs: [[Int]], testPairs: [[Int]]
    public var parallelograms: Int
    public var curves: Curves
    public var timings: Timings

    /// The report of `run`, classified with `delay` (epochs test accuracy may trail train accuracy).
    public init(_ run: GrokkingRun, delay: Int) {
        settings = Settings(run.settings)
        (iterTrain, iterTest, iterRQI) = (run.iterTrain, run.iterTest, run.iterRQI)
        (reachedTrain, reachedTest, reachedRQI) = (run.firstTrain != nil, run.firstTest != nil, run.firstRQI != nil)
        (finalTrainAccuracy, finalTestAccuracy) = (run.trainAccuracy.last ?? .nan, run.testAccuracy.last ?? .nan)
        (finalRQI, finalLoss) = (run.rqi.last ?? .nan, run.loss.last ?? .nan)
        latent = Latent(run.latent)
        phase = GrokkingPhase.classify(firstTrain: run.firstTrain, firstTest: run.firstTest, delay: delay).rawValue
        phaseRule = GrokkingPhase.rule(delay: delay, epochs: run.settings.epochs)
        trainPairs = run.trainPairs.map { [$0.0, $0.1] }
        testPairs = run.testPairs.map { [$0.0, $0.1] }
        parallelograms = run.parallelogramCount
        let stride = max(1, run.loss.count / 1000)
        let sampled = Array(Swift.stride(from: 0, to: run.loss.count, by: stride))
        curves = Curves(epoch: sampled, loss: sampled.map { run.loss[$0] },
                        trainAccuracy: sampled.map { run.trainAccuracy[$0] },
                        testAccuracy: sampled.map { run.testAccuracy[$0] }, rqi: sampled.map { run.rqi[$0] })
        timings = Timings(train: run.seconds)
    }
}

/// report.json of `regionplot grokking --phase-diagram`. The top-level `learningRates` and `cells` are the
/// learning-rate diagram (η₁ × η₂), as they were before seeds were swept (empty when only the weight-decay
/// diagram is drawn); `diagrams` holds every diagram drawn.
public struct GrokkingPhaseDiagramReport: Codable, Sendable {
    /// The share of seeds in each phase.
    public struct PhaseFractions: Codable, Sendable, Equatable {
        public var comprehension: Double, grokking: Double, memorisation: Double, confusion: Double
    }

    /// One seed of a cell.
    public struct SeedRun: Codable, Sendable {
        public var seed: Int
        public var phase: String
        public var firstTrain: Int?, firstTest: Int?, firstRQI: Int?
        /// Epochs trained (fewer than `epochs` when the phase was decided early).
        public var epochsRun: Int
        public var failure: String?
    }

    /// One cell.
    public struct Cell: Codable, Sendable {
        public var representationLearningRate: Double, decoderLearningRate: Double
        /// The phase most seeds ended in (ties: the first of comprehension, grokking, memorisation, confusion).
        public var phase: String
        /// The lower median over seeds of the first epochs (an epoch one seed had; null when half or more never
        /// reached it); with one seed, that seed's epochs.
        public var firstTrain: Int?, firstTest: Int?, firstRQI: Int?
        public var failure: String?
        public var weightDecay: Double
        public var phaseFractions: PhaseFractions
        /// The seeds run, in order.
        public var seeds: [Int]
        /// The medians over seeds of the first epochs at which train accuracy ≥ 0.9, test accuracy ≥ 0.9 and
        /// RQI > 0.99 (never counts as later than any epoch; null when the median is never; the mean of the two
        /// middle epochs for an even number of seeds).
        public var medianFirstTrain: Double?, medianFirstTest: Double?, medianFirstRQI: Double?
        /// Each seed's run.
        public var runs: [SeedRun]

        public init(_ cell: PhaseDiagramCell, delay: Int) {
            (representationLearningRate, decoderLearningRate, weightDecay) =
                (cell.representationLearningRate, cell.decoderLearningRate, cell.weightDecay)
            phase = cell.phase.rawValue
            firstTrain = PhaseDiagramCell.lowerMedian(cell.runs.map(\.firstTrain))
            firstTest = PhaseDiagramCell.lowerMedian(cell.runs.map(\.firstTest))
            firstRQI = PhaseDiagramCell.lowerMedian(cell.runs.map(\.firstRQI))
            failure = cell.failure
            phaseFractions = PhaseFractions(comprehension: cell.fraction(.comprehension),
                                            grokking: cell.fraction(.grokking),
                                            memorisation: cell.fraction(.memorisation),
                                            confusion: cell.fraction(.confusion))
            seeds = cell.runs.map(\.seed)
            (medianFirstTrain, medianFirstTest, medianFirstRQI) =
                (cell.medianFirstTrain, cell.medianFirstTest, cell.medianFirstRQI)
            runs = zip(cell.runs, cell.phases).map { run, phase in
                SeedRun(seed: run.seed, phase: phase.rawValue, firstTrain: run.firstTrain, firstTest: run.firstTest,
                        firstRQI: run.firstRQI, epochsRun: run.epochsRun, failure: run.failure)
            }
        }
    }

    /// One diagram: rows × columns of cells, row-major.
    public struct Diagram: Codable, Sendable {
        /// `lr` (rows η₁, columns η₂) or `weight-decay` (rows weight decay, columns η₂).
        public var kind: String
        public var figure: String
        public var rowParameter: String, columnParameter: String
        public var rows: [Double], columns: [Double]
        public var cells: [Cell]
    }

    public struct Timings: Codable, Sendable { public var phaseDiagram: Double }

    public var settings: GrokkingReport.Settings
    /// The η₁ (and η₂) values of the learning-rate diagram's rows (and, when they agree, its columns).
    public var learningRates: [Double]
    public var phaseRule: String
    public var cells: [Cell]
    public var timings: Timings
    public var seeds: [Int]
    /// The early-stopping rule.
    public var stoppingRule: String
    public var diagrams: [Diagram]
    /// Runs trained by this invocation, and runs taken from an earlier (killed or finished) sweep in `runs/`.
    public var runsTrained: Int, runsReused: Int

    public init(base: GrokkingSettings, plans: [PhaseDiagramPlan], outcome: GrokkingPhaseDiagram.Outcome, delay: Int,
                seconds: Double) {
        settings = GrokkingReport.Settings(base)
        phaseRule = GrokkingPhase.rule(delay: delay, epochs: base.epochs)
            + " Runs stop once train and test accuracy have both reached 0.9; a diverged run counts as confusion."
            + " A cell's phase is the one most seeds ended in."
        stoppingRule = "A run stops at the first epoch at which train and test accuracy have both reached 0.9: the "
            + "phase depends only on those two epochs, so it is then decided; otherwise it trains all "
            + "\(base.epochs) epochs."
        diagrams = zip(plans, outcome.cells).map { plan, cells in
            Diagram(kind: plan.kind.rawValue, figure: plan.kind.figureName,
                    rowParameter: plan.kind == .learningRates ? "representationLearningRate" : "weightDecay",
                    columnParameter: "decoderLearningRate", rows: plan.rows, columns: plan.columns,
                    cells: cells.map { Cell($0, delay: delay) })
        }
        let lr = diagrams.first { $0.kind == PhaseDiagramKind.learningRates.rawValue }
        learningRates = lr?.rows ?? []
        cells = lr?.cells ?? []
        seeds = plans.first?.seeds.map { Int(truncatingIfNeeded: $0) } ?? []
        (runsTrained, runsReused) = (outcome.trained, outcome.reused)
        timings = Timings(phaseDiagram: seconds)
    }
}
