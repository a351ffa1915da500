import NeuralNet
import Plot
import Support

/// The settings of one run of notebook 002's toy model: its training, and how its phase is read.
public struct GrokkingRunSettings: ExperimentSettings, Equatable {
    public var training: GrokkingSettings
    /// Epochs by which test accuracy may trail train accuracy and still count as comprehension; nil: a tenth of
    /// the epochs.
    public var grokkingDelay: Int?

    public init(training: GrokkingSettings = GrokkingSettings(), grokkingDelay: Int? = nil) {
        self.training = training
        self.grokkingDelay = grokkingDelay
    }

    /// The delay used: `grokkingDelay`, or a tenth of the epochs (at least 1).
    public var delay: Int { grokkingDelay ?? max(1, training.epochs / 10) }

    public func validate() throws {
        try training.validate()
        if let grokkingDelay, grokkingDelay < 0 {
            throw InvalidSetting(.grokkingDelay, "must be non-negative, got \(grokkingDelay)")
        }
    }
}

/// One trained toy model and the delay its phase is read with.
public struct GrokkingRunResult: Sendable {
    public var run: GrokkingRun
    public var delay: Int
}

/// `regionplot grokking` (one run) as an ``Experiment``: train the toy model, report its accuracies, RQI and phase,
/// and draw accuracy, loss and representation.
public struct GrokkingToyExperiment: Experiment {
    /// Told the loss every `logEvery` epochs.
    public var log: @Sendable (_ epoch: Int, _ loss: Double) -> Void

    public init(log: @escaping @Sendable (_ epoch: Int, _ loss: Double) -> Void = { _, _ in }) { self.log = log }

    public func run(_ settings: GrokkingRunSettings, context: ComputeContext) throws -> GrokkingRunResult {
        try settings.validate()
        // One BLAS thread whatever the context: OpenBLAS splits products by thread count, which would change the
        // rounding and so the run from machine to machine.
        return GrokkingRunResult(run: try GrokkingExperiment.run(settings.training, log: log), delay: settings.delay)
    }

    public func report(_ result: GrokkingRunResult, written: WrittenOutput) -> GrokkingReport {
        GrokkingReport(result.run, delay: result.delay)
    }

    public func figures(_ result: GrokkingRunResult, look: Look) -> [FigureRecipe] {
        let run = result.run
        return [
            FigureRecipe("accuracy") { GrokkingFigures.accuracy(run) },
            FigureRecipe("loss") { GrokkingFigures.loss(run) },
            FigureRecipe("representation") { GrokkingFigures.representation(run) },
        ]
    }
}

extension Setting {
    public static let grokkingDelay = Setting(key: "grokkingDelay", words: "grokking delay")
}
