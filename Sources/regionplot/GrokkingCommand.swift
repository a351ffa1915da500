import ArgumentParser
import Experiments
import FoundationEssentials
import Glibc
import LinearAlgebra
import NeuralNet
import Plot
import Support

/// `regionplot grokking`: notebook 002's toy model of grokking, and the paper's phase diagram.
struct GrokkingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grokking",
        abstract: "Train notebook 002's toy addition model (Liu et al. 2022) and track accuracy and RQI; --phase-diagram sweeps the learning rates.",
        discussion: """
        Defaults are the notebook's. Writes report.json, accuracy, loss and representation figures into --out. \
        With --phase-diagram: every cell of η₁ × η₂ (phase-diagram) and of weight decay × η₂ \
        (phase-diagram-weight-decay; --diagram picks one) is trained for each of --seeds, on all cores, each run \
        stopping once its phase is decided; finished runs are kept in --out/runs, so a killed sweep rerun with the \
        same arguments trains only the rest. --diagram liu2022 is Liu et al.'s weight decay × η₂ diagram in the \
        paper's settings; --train-sizes is their Figure 3 (accuracy on all pairs against the training pairs). \
        Every sweep splits over machines with --shard i/n (or a Slurm job array) and --summarize DIR.
        """
    )

    @Option(help: "The base p (symbols 0 … p−1).")
    var p: Int = 10
    @Option(help: "Training pairs, out of p(p+1)/2.")
    var trainCount: Int = 45
    @Option(help: "Dimension of the latent representation.")
    var latentDim: Int = 1
    @Option(help: "Width of the random input and output templates.")
    var templateDim: Int = 10
    @Option(help: "Hidden width of the encoder and decoder.")
    var width: Int = 200
    @Option(name: [.customLong("eta1"), .customLong("representation-lr")],
            help: "η₁: the representation learning rate (Adam), or the encoder's with --encoder-gradient.")
    var eta1: Double = 1e-4
    @Option(name: [.customLong("eta2"), .customLong("decoder-lr")], help: "η₂: the decoder learning rate (AdamW).")
    var eta2: Double = 1e-3
    @Option(help: "The decoder's AdamW weight decay.")
    var weightDecay: Double = 0
    @Option(help: "Full-batch training epochs.")
    var epochs: Int = 10_000
    @Option(help: "Print the loss every this many epochs.")
    var logEvery: Int = 100
    @Flag(help: "Learn o = i + j (mod p) instead of i + j.")
    var modulo = false
    @Flag(help: "Train the encoder MLP instead of the latent vectors themselves (the notebook's natural_gradient = False).")
    var encoderGradient = false
    @Option(help: "Seed of the split, the templates and the initialisation (the notebook's 4).")
    var seed: UInt64 = 4
    @Option(help: "Output folder (default figures/grokking, or figures/grokking/phase-diagram with --phase-diagram).")
    var out: String?

    var outputFolder: String {
        out ?? (trainSizes != nil ? "figures/grokking/train-sizes"
                : phaseDiagram ? "figures/grokking/phase-diagram" : "figures/grokking")
    }

    @Flag(help: "Sweep learning rates (and weight decays) over seeds and draw the phase diagrams.")
    var phaseDiagram = false
    @Option(help: """
        Which phase diagram: lr (η₁ × η₂), weight-decay (weight decay × η₂, η₁ at --eta1), both, or liu2022 \
        (Liu et al. 2022: weight decay 0, 1, …, 10 × η₂ from 1e-4 to 1e-2 in 11 log steps, η₁ 1e-3, templates of \
        30, 100000 epochs, comprehension within 1000 epochs; implies --phase-diagram and sets those options).
        """)
    var diagram = DiagramChoice.both
    @Option(help: "Seeds of every cell of the phase diagram: a list and/or ranges, e.g. 0-4 or 0,2,5 (default: 0-4).",
            transform: RuleList.seeds)
    var seeds = try! RuleList.seeds("0-4")
    @Option(help: """
        Representation learning rates η₁ of the phase diagram, e.g. 1e-5,1e-4,1e-3 (default: the log grid of \
        --grid-size, --lr-min, --lr-max).
        """, transform: RuleList.axis("--repr-lrs"))
    var reprLrs: RuleList<Double>?
    @Option(help: "Decoder learning rates η₂ of the phase diagram (default: the same log grid).",
            transform: RuleList.axis("--decoder-lrs"))
    var decoderLrs: RuleList<Double>?
    @Option(help: "Decoder weight decays of the weight-decay diagram (default: 0,1e-2,1e-1,1,3,10).",
            transform: RuleList.axis("--weight-decays", allowZero: true))
    var weightDecays = try! RuleList.axis("--weight-decays", allowZero: true)("0,1e-2,1e-1,1,3,10")
    @Option(help: "Learning rates per axis of the phase diagram's default grid.")
    var gridSize: Int = 6
    @Option(help: "Smallest learning rate of the phase diagram's default grid.")
    var lrMin: Double = 1e-5
    @Option(help: "Largest learning rate of the phase diagram's default grid.")
    var lrMax: Double = 1e-2
    @Option(help: "Epochs by which test accuracy may trail train accuracy and still count as comprehension (default: epochs / 10).")
    var grokkingDelay: Int?
    @Option(name: [.customLong("jobs"), .customLong("threads")],
            help: "Parallel runs for the phase diagram (default: all cores).")
    var jobs: Int?
    @Flag(help: "Retrain the phase diagram's runs even when runs/ holds them from an earlier sweep.")
    var force = false
    @Option(help: """
        Liu et al.'s Figure 3: train every one of these numbers of training pairs (e.g. 10,20,25,30,40,45) for \
        each of --seeds, all --epochs, and draw the accuracy on all pairs against them (train-sizes.csv and .png).
        """, transform: RuleList.trainSizes)
    var trainSizes: RuleList<Int>?
    @OptionGroup var sharding: ShardOptions

    @OptionGroup var figures: FigureOptions

    /// Epochs by which test accuracy may trail train accuracy and still count as comprehension.
    var delay: Int { GrokkingRunSettings(training: settings, grokkingDelay: grokkingDelay).delay }

    var settings: GrokkingSettings {
        var s = GrokkingSettings()
        s.p = p
        s.trainCount = trainCount
        s.latentDimension = latentDim
        s.inputDimension = templateDim
        s.outputDimension = templateDim
        s.encoderWidth = width
        s.decoderWidth = width
        s.representationLearningRate = eta1
        s.decoderLearningRate = eta2
        s.weightDecay = weightDecay
        s.epochs = epochs
        s.logEvery = logEvery
        s.modulo = modulo
        s.naturalGradient = !encoderGradient
        s.seed = seed
        return s
    }

    func validate() throws {
        // With --train-sizes, --train-count is not used: each run takes its train size.
        var checked = settings
        if trainSizes != nil { checked.trainCount = 1 }
        do { try GrokkingRunSettings(training: checked, grokkingDelay: grokkingDelay).validate() } catch {
            throw usageError(error)
        }
        guard gridSize >= 1, gridSize <= 32 else { throw ValidationError("--grid-size must be between 1 and 32, got \(gridSize)") }
        guard lrMin.isFinite, lrMax.isFinite, lrMin > 0, lrMax >= lrMin else {
            throw ValidationError("--lr-min and --lr-max must be positive with --lr-min ≤ --lr-max")
        }
        if phaseDiagram {
            do { _ = try plans() } catch let error as BatchSpecificationError {
                throw usageError(error)
            }
        }
        if trainSizes != nil {
            guard !phaseDiagram && diagram != Self.liu2022 else {
                throw ValidationError("--train-sizes and --phase-diagram are two sweeps; run them one at a time")
            }
            do { _ = try trainSizePlan() } catch let error as BatchSpecificationError {
                throw usageError(error)
            }
        }
        if sharding.shard != nil && !isSweep {
            throw ValidationError("--shard splits a sweep: give --phase-diagram, --diagram liu2022 or --train-sizes")
        }
        try MachineLimits.checkThreads(jobs, option: "--jobs")
    }

    func run() throws {
        let (command, stage) = try withPaperSettings.sweepInvocation()
        try command.withPaperSettings.run(stage)
    }

    func run(_ stage: SweepStage) throws {
        if trainSizes != nil { return try runTrainSizes(stage) }
        if phaseDiagram { return try runPhaseDiagram(stage) }
        try startRun(in: outputFolder)
        try runOnce()
    }

    func runOnce() throws {
        let experiment = GrokkingToyExperiment { epoch, loss in
            print(String(cFormat: "epoch: %d  | loss: %.8f", epoch, loss))
        }
        let result = try experiment.run(GrokkingRunSettings(training: settings, grokkingDelay: grokkingDelay),
                                        context: .serial)
        let run = result.run
        print(String(cFormat: "trained %d epochs in %.2f s", run.loss.count, run.seconds))
        func when(_ first: Int?) -> String { first.map { "epoch \($0)" } ?? "never" }
        print("train accuracy ≥ 0.9: \(when(run.firstTrain)); test accuracy ≥ 0.9: \(when(run.firstTest)); RQI > 0.99: \(when(run.firstRQI))")
        print(String(cFormat: "final: loss %.3g, train accuracy %.3f, test accuracy %.3f, RQI %.3f",
                     run.loss.last!, run.trainAccuracy.last!, run.testAccuracy.last!, run.rqi.last!))
        let phase = GrokkingPhase.classify(firstTrain: run.firstTrain, firstTest: run.firstTest, delay: result.delay)
        print("phase: \(phase.rawValue)")
        print("latent: " + (0..<run.latent.rows).map { k in "\(k): " + run.latent.row(k).map { String(cFormat: "%.3f", $0) }.joined(separator: ",") }.joined(separator: "  "))

        let writer = try OutputWriter(folder: outputFolder, options: figures,
                                      provenance: try Provenance(command: self, inputs: []))
        let written = try writer.write(experiment.figures(result, look: figures.look()))
        let report = experiment.report(result, written: WrittenOutput(figures: written.paths))
        print("wrote \(try writer.writeReport(report)), " + written.paths.joined(separator: ", "))
    }

    /// The diagrams to sweep, from the command line.
    func plans() throws -> [PhaseDiagramPlan] {
        let kinds = diagram.kinds
        let grid = GrokkingPhaseDiagram.logGrid(from: lrMin, to: lrMax, count: gridSize)
        let representation = reprLrs?.items ?? grid
        let decoder = decoderLrs?.items ?? grid
        let decays = weightDecays.items
        let seedList = seeds.items
        return kinds.map { kind in
            PhaseDiagramPlan(kind: kind, rows: kind == .learningRates ? representation : decays, columns: decoder,
                             seeds: seedList, base: settings)
        }
    }

    func runPhaseDiagram(_ stage: SweepStage) throws {
        let s = settings
        let plans = try plans()
        let context = jobs.map(ComputeContext.init(threads:)) ?? .allCores
        let names = GrokkingPhaseDiagram.runs(plans).map(\.name)
        try prepareSweepFolder(stage: stage, runs: names.count)
        let store = try FinishedRuns<PhaseRun>(folder: outputFolder + "/runs", shared: stage.isShard)
        let shard = stage.shard
        if force && stage.trains {
            for name in shard.select(names) { unlink(store.path(of: name)) }
        }
        for plan in plans {
            let size = "\(plan.rows.count)×\(plan.columns.count) cells × \(plan.seeds.count) seeds"
            print("\(plan.kind.figureName): \(size), "
                + "up to \(s.epochs) epochs each")
        }
        let clock = Stopwatch()
        // The bar counts the runs still to train: those in runs/ from an earlier sweep with the same settings
        // are read back, not retrained.
        let pending = !stage.trains ? 0 : shard.select(GrokkingPhaseDiagram.runs(plans)).filter { run in
            store.record(named: run.name)?.settings != GrokkingReport.Settings(run.settings)
        }.count
        let plural = context.threads == 1 ? "" : "s"
        let line = "regionplot grokking: \(pending) runs to train on \(context.threads) thread\(plural), "
            + "the rest already in \(store.folder)\n"
        StandardError.write(Data(line.utf8))
        let progress = Progress(total: pending)
        let delay = self.delay
        let outcome = try GrokkingPhaseDiagram.sweep(plans, delay: delay, context: context, store: store,
                                                     shard: shard, trainMissing: stage.trains,
                                                     shards: stage.shardCount) { name, run, _, _ in
            progress.finished(name, error: nil, seconds: run.seconds,
                              detail: run.phase(delay: delay).rawValue + " after \(run.epochsRun) epochs")
        }
        progress.close()
        guard !stage.isShard else {
            return shardFinished(shard, trained: outcome.trained, kept: outcome.reused)
        }
        let seconds = clock.elapsed
        for (plan, cells) in zip(plans, outcome.cells) {
            let runs = cells.flatMap(\.phases)
            print("\(plan.kind.figureName): " + GrokkingPhase.allCases.map { phase in
                "\(phase.rawValue) \(runs.filter { $0 == phase }.count)/\(runs.count) runs"
            }.joined(separator: ", "))
        }
        print(String(cFormat: "phase diagrams took %.1f s (%d runs trained, %d from runs/)", seconds, outcome.trained,
                     outcome.reused))
        let report = GrokkingPhaseDiagramReport(base: s, plans: plans, outcome: outcome, delay: delay, seconds: seconds)
        let writer = try OutputWriter(folder: outputFolder, options: figures,
                                      provenance: try Provenance(command: self, inputs: []))
        let written = try writer.write(zip(plans, outcome.cells).map { plan, cells in
            let marked = plan.kind == .learningRates ? (s.representationLearningRate, s.decoderLearningRate)
                                                     : (s.weightDecay, s.decoderLearningRate)
            return FigureRecipe(plan.kind.figureName) {
                GrokkingFigures.phaseDiagram(plan, cells: cells, marked: marked)
            }
        })
        print("wrote \(try writer.writeReport(report)), " + written.paths.joined(separator: ", "))
    }
}
