import LinearAlgebra
import NeuralNet
import Support

/// report.json of `regionplot grokking`: one run. Keys are a public contract: add, never rename or drop.
public struct GrokkingReport: Codable, Sendable {
    /// The run's settings, as the command line set them.
    public struct Settings: Codable, Sendable {
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

/// report.json of `regionplot grokking --phase-diagram`.
public struct GrokkingPhaseDiagramReport: Codable, Sendable {
    /// One (η₁, η₂) cell.
    public struct Cell: Codable, Sendable {
        public var representationLearningRate: Double, decoderLearningRate: Double
        public var phase: String
        public var firstTrain: Int?, firstTest: Int?, firstRQI: Int?
        public var failure: String?
    }

    public struct Timings: Codable, Sendable { public var phaseDiagram: Double }

    public var settings: GrokkingReport.Settings
    public var learningRates: [Double]
    public var phaseRule: String
    public var cells: [Cell]
    public var timings: Timings

    public init(base: GrokkingSettings, learningRates: [Double], cells: [PhaseDiagramCell], delay: Int, seconds: Double) {
        settings = GrokkingReport.Settings(base)
        self.learningRates = learningRates
        phaseRule = GrokkingPhase.rule(delay: delay, epochs: base.epochs)
            + " Runs stop once train and test accuracy have both reached 0.9; a diverged run counts as confusion."
        self.cells = cells.map {
            Cell(representationLearningRate: $0.representationLearningRate, decoderLearningRate: $0.decoderLearningRate,
                 phase: $0.phase.rawValue, firstTrain: $0.firstTrain, firstTest: $0.firstTest, firstRQI: $0.firstRQI,
                 failure: $0.failure)
        }
        timings = Timings(phaseDiagram: seconds)
    }
}
