import ArgumentParser
import Experiments
import FoundationEssentials
import Glibc
import NeuralNet
import Support

/// `regionplot digits`: two MLPs trained on the bundled digits, written as ONNX and safetensors, and compared.
struct DigitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digits",
        abstract: "Train two MLPs on the bundled 8×8 digits from different seeds, then compare them.",
        discussion: """
        scikit-learn's digits (1 437 training and 360 test images, pixels scaled to [0, 1]) ship with regionplot. \
        Both nets are trained with softmax cross-entropy and Adam on minibatches from PyTorch's default \
        initialisation; net a from --seed, net b from --seed + 1. Writes a.onnx, a.safetensors, \
        b.onnx, b.safetensors (float32; onnxruntime and torch load them), report.json, figures, the comparison's \
        samples.csv, classes.csv and clusters.csv (as compare writes them) and each net's slice regions \
        (regions-a.csv, regions-a.json, …, as slice writes them) into --out. With --seeds, the job runs from \
        each seed (net b from the next) and --out gets each seed's report in runs/, seeds.csv and report.json; \
        the seeds split over machines with --shard i/n (or a Slurm job array) and --summarize DIR.
        """
    )

    @Option(help: "Hidden layer widths, comma-separated.")
    var hidden = CommaList<Int>(argument: "32,32")!

    @Option(help: "Passes over the training set.")
    var epochs: Int = DigitsSettings().epochs

    @Option(help: "Samples per Adam step.")
    var batchSize: Int = DigitsSettings().batchSize

    @Option(help: "Adam's learning rate.")
    var lr: Double = DigitsSettings().learningRate

    @Option(help: "Seeds net a (net b takes the next seed) and the k-means draws.")
    var seed: UInt64 = 0

    @Option(help: "k of each k-means cluster reduction, comma-separated.")
    var clusters = CommaList<Int>(argument: "1,10,100,1000")!

    @Option(help: "Lloyd iterations at most per k-means fit.")
    var maxIterations: Int = 100

    @Option(help: "Keep a snapshot of each net every this many epochs, cut by the slice plane (0: none).")
    var snapshotEvery: Int = DigitsSettings().snapshotEvery

    @Option(name: .customLong("lc-radius"),
            help: "Radius of the neighbourhoods (ℓ1 balls, pixels in [0, 1]) of the local complexity.")
    var localComplexityRadius: Double = DigitsSettings().localComplexityRadius

    @Option(help: "Output folder.")
    var out: String = "figures/digits"

    @OptionGroup var figures: FigureOptions
    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup var netNames: NetNameOptions
    @OptionGroup var progressOptions: ProgressOptions
    @OptionGroup var names: ClassNameOptions

    @Option(help: "Seeds: run the job from each (e.g. 0-4 or 0,3,5) and summarise them, without per-seed figures.",
            transform: RuleList.seeds)
    var seeds: RuleList<UInt64>?

    @OptionGroup var sharding: ShardOptions

    /// The run's settings, from the command line.
    func settings() throws -> DigitsSettings {
        var settings = DigitsSettings(
            hidden: hidden.items, epochs: epochs, batchSize: batchSize,
            learningRate: lr, seed: seed,
            compare: CompareSettings(clusterCounts: clusters.items,
                                     maxIterations: maxIterations, seed: seed))
        settings.snapshotEvery = snapshotEvery
        settings.localComplexityRadius = localComplexityRadius
        return settings
    }

    func validate() throws {
        do { try settings().validate() } catch let error as ValidationError { throw error } catch {
            throw usageError(error)
        }
        // Training holds the parameters about eight times (weights, gradient, Adam's two moments, copies) and a
        // batch's activations; the comparison a linearised pass of 256 samples × 66 rows × the widest layer.
        let widths = [64] + hidden.items + [10]
        let parameters = zip(widths, widths.dropFirst()).reduce(0.0) { $0 + Double($1.0 + 1) * Double($1.1) }
        let widest = Double(widths.max() ?? 64)
        try MachineLimits.checkMemory(8 * 8 * parameters + 8 * 3 * (Double(batchSize) + 256 * 66) * widest,
                                      for: "--hidden \(hidden)")
        if sharding.shard != nil && seeds == nil { throw ValidationError("--shard splits a sweep: give --seeds") }
    }

    func run() throws {
        let (command, stage) = try sweepInvocation()
        try command.run(stage)
    }

    func run(_ stage: SweepStage) throws {
        if isSweep { return try runSeeds(stage) }
        do {
            let settings = try settings()
            let classNames = try names.names(classes: 10)
            let (nameA, nameB) = netNames.names(pathA: nil, pathB: nil)
            let look = try figures.look(names: Names(a: nameA, b: nameB, classes: classNames, title: names.title))
            try startRun(in: out)
            let progress = progressOptions.reporter
            let experiment = DigitsExperiment(progress: { progress($0) })
            let result = try experiment.run(settings, context: threadOptions.context)
            progress("figures and tables")
            let figureRecipes = experiment.figures(result, look: look)
            try figures.checkFigureNames(figureRecipes)
            for (name, net) in [("a", result.a.network), ("b", result.b.network)] {
                try writeAtomically(try MLPExport.onnx(net), to: "\(out)/\(name).onnx")
                try writeAtomically(MLPExport.safetensors(net), to: "\(out)/\(name).safetensors")
            }
            let writer = try OutputWriter(folder: out, options: figures, context: threadOptions.context,
                                          provenance: try Provenance(command: self, inputs: []))
            try writer.write(experiment.tables(result, names: look.names))
            let paths = try writer.write(figureRecipes).paths
            _ = try writer.writeReport(experiment.report(result, written: WrittenOutput(figures: paths)))
            let nets = result.report.nets
            for (name, net) in [(nameA, nets.a), (nameB, nets.b)] {
                print("net \(name) " + String(cFormat: "(seed %llu): train accuracy %.4f, test accuracy %.4f, %.2f s",
                                                  net.seed, net.trainAccuracy, net.testAccuracy, net.trainingSeconds))
            }
            result.report.comparison.summary(trainingSamples: 1437).forEach { print($0) }
            print("wrote \(out)/report.json, a.onnx, a.safetensors, b.onnx, b.safetensors, samples.csv, classes.csv, "
                + "clusters.csv, regions-a/b.csv and .json and \(paths.count) figures")
        } catch let error as ValidationError {
            throw error  // a flag's value refused (--class-names against the model's classes): a usage error, 64
        } catch {
            throw fail(commandLineMessage(error))
        }
    }
}

extension DigitsCommand: ShardableSweepCommand {
    var isSweep: Bool { seeds != nil }
    var sweepFolder: String { out }
    mutating func writeSweep(into folder: String) { out = folder }

    /// `--seeds`: the job from every seed, through runs/; the summary is report.json and seeds.csv.
    func runSeeds(_ stage: SweepStage) throws {
        do {
            let seedList = seeds?.items ?? []
            let base = try settings()
            try prepareSweepFolder(stage: stage, runs: seedList.count)
            let store = try FinishedRuns<DigitsSeeds.Run>(folder: out + "/runs", shared: stage.isShard)
            let clock = Stopwatch()
            let outcome = try DigitsSeeds.sweep(base, seeds: seedList, store: store, shard: stage.shard,
                                                trainMissing: stage.trains, shards: stage.shardCount) { name, run, _, _ in
                guard let nets = run.report?.nets else { return }
                print("\(name): " + String(cFormat: "test accuracy %.4f (net a), %.4f (net b)", nets.a.testAccuracy,
                                              nets.b.testAccuracy))
                fflush(nil)
            }
            guard let reports = outcome.reports else {
                return shardFinished(stage.shard, trained: outcome.trained, kept: outcome.reused)
            }
            let report = DigitsSeedsReport(seeds: seedList, reports: reports, trained: outcome.trained,
                                           reused: outcome.reused, seconds: clock.elapsed)
            let writer = try OutputWriter(folder: out, options: figures,
                                          provenance: try Provenance(command: self, inputs: []))
            let tables = try writer.write([ExperimentTable("seeds.csv", csv: DigitsSeeds.table(reports))])
            print(String(cFormat: "test accuracy over %d nets: mean %.4f, from %.4f to %.4f; mean R² a → b %.3f, "
                + "b → a %.3f", 2 * reports.count, report.testAccuracy.mean, report.testAccuracy.min,
                report.testAccuracy.max, report.r2AToB.mean, report.r2BToA.mean))
            print("wrote " + ([try writer.writeReport(report)] + tables).joined(separator: ", "))
        } catch let error as ValidationError {
            throw fail(error.message)
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw fail(commandLineMessage(error))
        }
    }
}
