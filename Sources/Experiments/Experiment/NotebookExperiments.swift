import FoundationEssentials
import LinearAlgebra
import NeuralNet
import Plot
import Support

// The notebooks' small experiments (000, 001, 003) in the one ``Experiment`` shape.

/// The settings of `regionplot nac`.
public struct NACSettings: ExperimentSettings, Equatable {
    public var seed: UInt64 = 0
    /// Iterations per task (the notebook's 10000).
    public var iterations = 10_000
    /// Width between the two cells of the scaling NAC.
    public var scalingHidden = 8

    public init(seed: UInt64 = 0, iterations: Int = 10_000, scalingHidden: Int = 8) {
        (self.seed, self.iterations, self.scalingHidden) = (seed, iterations, scalingHidden)
    }

    public func validate() throws {
        try InvalidSetting.check(scalingHidden, 1...64, .scalingHidden)
        try InvalidSetting.check(iterations, 1...10_000_000, .iterations)
    }

    /// The notebook's tasks with these settings.
    public var tasks: [NACExperiment.Task] {
        NACExperiment.notebookTasks.map { task in
            var task = task
            task.iterations = iterations
            if task.name == "scaling" { task.hidden = scalingHidden }
            return task
        }
    }
}

/// Notebook 000's Neural Accumulators, every task in turn.
public struct NACTasks: Experiment {
    /// Told as each task starts, as it trains (iteration, loss, mean absolute error) and when it is done.
    public var willTrain: @Sendable (NACExperiment.Task) -> Void
    public var log: @Sendable (_ iteration: Int, _ loss: Double, _ meanAbsError: Double) -> Void
    public var didTrain: @Sendable (NACExperiment.Result) -> Void

    public init(willTrain: @escaping @Sendable (NACExperiment.Task) -> Void = { _ in },
                log: @escaping @Sendable (Int, Double, Double) -> Void = { _, _, _ in },
                didTrain: @escaping @Sendable (NACExperiment.Result) -> Void = { _ in }) {
        (self.willTrain, self.log, self.didTrain) = (willTrain, log, didTrain)
    }

    public struct Result: Sendable {
        public var settings: NACSettings
        public var tasks: [NACExperiment.Result]
    }

    public func run(_ settings: NACSettings, context: ComputeContext) throws -> Result {
        try settings.validate()
        var results: [NACExperiment.Result] = []
        for task in settings.tasks {
            willTrain(task)
            let result = try NACExperiment.train(task, seed: settings.seed, log: log)
            didTrain(result)
            results.append(result)
        }
        return Result(settings: settings, tasks: results)
    }

    public func report(_ result: Result, written: WrittenOutput) -> NACReport {
        NACReport(seed: result.settings.seed, iterations: result.settings.iterations, results: result.tasks)
    }

    public func figures(_ result: Result, look: Look) -> [FigureRecipe] {
        let finished = result.tasks
        return [FigureRecipe("loss") { NACExperiment.lossFigure(finished) },
                FigureRecipe("matrices") { NACExperiment.matrixFigure(finished) }]
    }
}

/// The settings of `regionplot backprop`.
public struct BackpropSettings: ExperimentSettings, Equatable {
    /// Seed of the data, the batch and the initialisation.
    public var seed: UInt64

    public init(seed: UInt64 = 0) { self.seed = seed }

    public func validate() throws {}
}

/// Notebook 001's hand-derived backward pass beside the library's.
public struct BackpropCheck: Experiment {
    public init() {}

    public func run(_ settings: BackpropSettings, context: ComputeContext) throws -> BackpropExperiment {
        BackpropExperiment(seed: settings.seed)
    }

    public func report(_ result: BackpropExperiment, written: WrittenOutput) -> BackpropReport { result.report }

    public func figures(_ result: BackpropExperiment, look: Look) -> [FigureRecipe] {
        return [FigureRecipe("gradients") { BackpropExperiment.gradientsFigure(result) }]
    }
}

/// The settings of `regionplot abstraction`.
public struct AbstractionSettings: ExperimentSettings, Equatable {
    public var seed: UInt64 = 0
    /// Input width d_in (even).
    public var dIn = 512
    /// Batch size of the headline trial.
    public var batch = 128
    /// Batch sizes of the sweep.
    public var batches = [32, 64, 128, 256, 512, 1024, 2048]

    public init(seed: UInt64 = 0, dIn: Int = 512, batch: Int = 128,
                batches: [Int] = [32, 64, 128, 256, 512, 1024, 2048]) {
        (self.seed, self.dIn, self.batch, self.batches) = (seed, dIn, batch, batches)
    }

    public func validate() throws {
        guard dIn >= 2, dIn % 2 == 0, dIn <= 4096 else {
            throw InvalidSetting(.inputWidth, "must be even, between 2 and 4096, got \(dIn)")
        }
        try InvalidSetting.check(batch, 1...100_000, .batch)
        guard !batches.isEmpty else { throw InvalidSetting(.batchSizes, "needs at least one batch size") }
        for b in batches { try InvalidSetting.check(b, 1...100_000, .batchSizes) }
    }
}

/// Notebook 001's second half: one linear map for a masked two-layer network, against batch size.
public struct AbstractionFit: Experiment {
    public init() {}

    public struct Result: Sendable {
        public var settings: AbstractionSettings
        public var example: (m: Matrix, residual: Double)
        public var headline: AbstractionExperiment.Trial
        /// The sweep, by increasing batch size.
        public var sweep: [AbstractionExperiment.Trial]
    }

    public func run(_ settings: AbstractionSettings, context: ComputeContext) throws -> Result {
        try settings.validate()
        let example = try AbstractionExperiment.workedExample()
        var g = SeededGenerator(seed: settings.seed)
        let headline = try AbstractionExperiment.trial(batch: settings.batch, dIn: settings.dIn, using: &g)
        let sweep = try settings.batches.sorted().map { b -> AbstractionExperiment.Trial in
            var gb = SeededGenerator(seed: settings.seed, stream: UInt64(b))
            return try AbstractionExperiment.trial(batch: b, dIn: settings.dIn, using: &gb)
        }
        return Result(settings: settings, example: example, headline: headline, sweep: sweep)
    }

    public func report(_ result: Result, written: WrittenOutput) -> AbstractionReport {
        AbstractionReport(dIn: result.settings.dIn, batch: result.settings.batch, seed: result.settings.seed,
                          headline: result.headline, example: result.example, sweep: result.sweep)
    }

    public func figures(_ result: Result, look: Look) -> [FigureRecipe] {
        let (trials, inputs) = (result.sweep, result.settings.dIn)
        return [FigureRecipe("residuals") { AbstractionExperiment.figure(trials, dIn: inputs) }]
    }
}

/// The settings of `regionplot circuits`.
public struct CircuitsSettings: ExperimentSettings {
    /// The circuits to train (default: all of notebook 003's).
    public var circuits = CircuitsExperiment.circuits
    /// Each circuit is trained from every seed.
    public var seeds: [UInt64] = [0]
    /// Batches per circuit; nil: each circuit's own.
    public var batches: Int?

    public init(circuits: [CircuitsExperiment.Circuit] = CircuitsExperiment.circuits, seeds: [UInt64] = [0],
                batches: Int? = nil) {
        (self.circuits, self.seeds, self.batches) = (circuits, seeds, batches)
    }

    public func validate() throws {
        guard !circuits.isEmpty else { throw InvalidSetting(.circuits, "needs at least one circuit") }
        guard !seeds.isEmpty, seeds.count <= 10_000 else {
            throw InvalidSetting(.seeds, "must hold 1 to 10000 seeds, got \(seeds.count)")
        }
        if let batches { try InvalidSetting.check(batches, 1...100_000_000, .batches) }
    }
}

/// Notebook 003's bias-free ReLU circuits, each from every seed, side by side on the context's threads.
public struct CircuitsTraining: Experiment {
    /// Told the test loss along a run's training, when the run is the only one.
    public var log: @Sendable (_ circuit: String, _ batch: Int, _ loss: Double) -> Void
    /// Told each run as it finishes (from the worker that ran it).
    public var didTrain: @Sendable (CircuitsExperiment.Run) -> Void

    public init(log: @escaping @Sendable (String, Int, Double) -> Void = { _, _, _ in },
                didTrain: @escaping @Sendable (CircuitsExperiment.Run) -> Void = { _ in }) {
        (self.log, self.didTrain) = (log, didTrain)
    }

    public struct Result: Sendable {
        public var settings: CircuitsSettings
        public var runs: [CircuitsExperiment.Run]
        /// Wall-clock seconds of all the runs, and the threads they ran on.
        public var wall: Double
        public var threads: Int

        public init(settings: CircuitsSettings, runs: [CircuitsExperiment.Run], wall: Double, threads: Int) {
            (self.settings, self.runs, self.wall, self.threads) = (settings, runs, wall, threads)
        }
    }

    public func run(_ settings: CircuitsSettings, context: ComputeContext) throws -> Result {
        try settings.validate()
        let jobs = settings.circuits.flatMap { c in settings.seeds.map { (c, $0) } }
        let batches = settings.batches
        // Longest runs first, so that the cores finish together.
        let order = jobs.indices.sorted { (batches ?? jobs[$0].0.batches) > (batches ?? jobs[$1].0.batches) }
        let threads = Self.runContext(settings, context)
        let verbose = jobs.count == 1
        let clock = Stopwatch()
        let runs = parallelMap(count: jobs.count, context: threads, order: order) { k -> CircuitsExperiment.Run in
            let (circuit, seed) = jobs[k]
            let run = CircuitsExperiment.train(circuit, seed: seed, batches: batches) { i, loss in
                if verbose { log(circuit.name, i, loss) }
            }
            didTrain(run)
            return run
        }
        return Result(settings: settings, runs: runs, wall: clock.elapsed, threads: threads.threads)
    }

    /// The context the runs share: the given one's threads, but no more than there are runs.
    public static func runContext(_ settings: CircuitsSettings, _ context: ComputeContext) -> ComputeContext {
        ComputeContext(threads: max(1, min(context.threads, settings.circuits.count * settings.seeds.count)))
    }

    public func report(_ result: Result, written: WrittenOutput) -> CircuitsReport {
        CircuitsReport(runs: result.runs, circuitNames: result.settings.circuits.map(\.name),
                       seedCount: result.settings.seeds.count, wall: result.wall, threads: result.threads)
    }

    /// With several seeds, each circuit is drawn from a seed that learned it, beside a seed that got stuck.
    public func figures(_ result: Result, look: Look) -> [FigureRecipe] {
        CircuitsExperiment.figures(result.runs, circuits: result.settings.circuits.map(\.name),
                                   seeds: result.settings.seeds)
    }
}

extension Setting {
    public static let scalingHidden = Setting(key: "scalingHidden", words: "scaling width")
    public static let iterations = Setting(key: "iterations", words: "iterations")
    public static let inputWidth = Setting(key: "inputWidth", words: "input width")
    public static let batch = Setting(key: "batch", words: "batch size")
    public static let batchSizes = Setting(key: "batchSizes", words: "batch sizes")
    public static let circuits = Setting(key: "circuits", words: "circuits")
    public static let batches = Setting(key: "batches", words: "batches")
}
