import Foundation
import LinearAlgebra
import NeuralNet
import Support

/// The four learning phases of Liu et al. (2022), read off a run's accuracy curves.
public enum GrokkingPhase: String, Sendable, CaseIterable {
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

    /// The phase of a run whose train/test accuracy first reached 0.9 at the given epochs (nil: never).
    public static func classify(firstTrain: Int?, firstTest: Int?, delay: Int) -> GrokkingPhase {
        guard let firstTrain else { return .confusion }
        guard let firstTest else { return .memorisation }
        return firstTest - firstTrain > delay ? .grokking : .comprehension
    }
}

/// One cell of the phase diagram.
public struct PhaseDiagramCell: Sendable {
    public var representationLearningRate: Double
    public var decoderLearningRate: Double
    public var phase: GrokkingPhase
    public var firstTrain: Int?, firstTest: Int?, firstRQI: Int?
    /// The error that ended the run (divergence), if any; such a cell counts as confusion.
    public var failure: String?
}

/// The paper's phase diagram: the representation and decoder learning rates swept on a log grid.
public enum GrokkingPhaseDiagram {
    /// `count` learning rates evenly spaced in log from `low` to `high`.
    public static func logGrid(from low: Double, to high: Double, count: Int) -> [Double] {
        precondition(count >= 1 && low > 0 && high >= low, "invalid learning-rate grid")
        if count == 1 { return [low] }
        let a = log10(low), b = log10(high)
        return (0..<count).map { pow(10, a + (b - a) * Double($0) / Double(count - 1)) }
    }

    /// Trains one model per (η₁, η₂) pair on `context.threads` threads, each the same seed and data as `base`.
    /// Runs stop once their phase is decided. Cells come back η₁-major.
    public static func sweep(base: GrokkingSettings, representationRates: [Double], decoderRates: [Double],
                             delay: Int, context: ComputeContext,
                             progress: (@Sendable (Int, Int) -> Void)? = nil) -> [PhaseDiagramCell] {
        let jobs = representationRates.flatMap { r in decoderRates.map { (r, $0) } }
        let done = AtomicCounter()
        return parallelMap(count: jobs.count, context: context) { k in
            var s = base
            (s.representationLearningRate, s.decoderLearningRate) = jobs[k]
            var cell = PhaseDiagramCell(representationLearningRate: s.representationLearningRate,
                                        decoderLearningRate: s.decoderLearningRate, phase: .confusion)
            do {
                let run = try GrokkingExperiment.run(s, stopWhenDecided: true)
                cell.firstTrain = run.firstTrain
                cell.firstTest = run.firstTest
                cell.firstRQI = run.firstRQI
                cell.phase = GrokkingPhase.classify(firstTrain: run.firstTrain, firstTest: run.firstTest, delay: delay)
            } catch {
                cell.failure = "\(error)"
            }
            progress?(done.increment(), jobs.count)
            return cell
        }
    }
}
