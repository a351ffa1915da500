import ArgumentParser
import Experiments
import FoundationEssentials
import Glibc
import LinearAlgebra
import NeuralNet
import Plot
import Support

/// `regionplot circuits`: notebook 003's tiny bias-free ReLU nets.
struct CircuitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "circuits",
        abstract: "Train notebook 003's bias-free ReLU 'circuits' (x, −x, |x|, x₁+x₂, x₁−x₂, min) by SGD and show their breakpoints and linear regions.",
        discussion: """
        --seeds 0-9 trains every circuit from each seed and reports how many reach a test loss below 1e-5; each \
        run is kept in --out/runs (a rerun trains only what is missing), and the seeds split over machines with \
        --shard i/n (or a Slurm job array) and --summarize DIR.
        """
    )

    @Option(help: "Seed of the initialisation and the data.")
    var seed: UInt64 = 0
    @Option(help: "Seed range, e.g. 0-9 or 0,3,5: train each circuit from every seed and report success rates.",
            transform: RuleList.seeds)
    var seeds: RuleList<UInt64>?
    @Option(help: "Batches per circuit (default: the notebook's 300000, 3000000 for min).")
    var batches: Int?
    @Option(help: "Only these circuits, comma-separated: identity, negation, abs, add, sub, min.")
    var only: CommaList<String>?
    @Option(name: [.customLong("jobs"), .customLong("threads")],
            help: "Parallel runs (default: all cores).")
    var jobs: Int?
    @Option(help: "Output folder.")
    var out: String = "figures/circuits"
    @OptionGroup var figures: FigureOptions
    @OptionGroup var sharding: ShardOptions

    func selectedCircuits() throws -> [CircuitsExperiment.Circuit] {
        guard let only else { return CircuitsExperiment.circuits }
        return try only.items.map { trimmed in
            guard let c = CircuitsExperiment.circuits.first(where: { $0.name == trimmed }) else {
                throw ValidationError("--only: unknown circuit '\(trimmed)' (use identity, negation, abs, add, sub, min)")
            }
            return c
        }
    }

    func seedList() throws -> [UInt64] {
        guard let seeds else { return [seed] }
        guard seeds.items.count <= 10_000 else {
            throw ValidationError("--seeds: at most 10000 seeds, got \(seeds.items.count)")
        }
        return seeds.items
    }

    func validate() throws {
        do { try CircuitsSettings(circuits: try selectedCircuits(), seeds: try seedList(), batches: batches).validate() }
        catch let error as ValidationError { throw error } catch { throw usageError(error) }
        try MachineLimits.checkThreads(jobs, option: "--jobs")
        if sharding.shard != nil && seeds == nil { throw ValidationError("--shard splits a sweep: give --seeds") }
    }

    func run() throws {
        let (command, stage) = try sweepInvocation()
        try command.run(stage)
    }

    func run(_ stage: SweepStage) throws {
        if isSweep { try prepareSweepFolder(stage: stage, runs: try selectedCircuits().count * seedList().count) }
        else { try startRun(in: out) }
        let settings = CircuitsSettings(circuits: try selectedCircuits(), seeds: try seedList(), batches: batches)
        let printLock = Lock()
        let training = CircuitsTraining(log: { name, i, loss in print("\(name) batch \(i): loss = \(loss)") },
                                        didTrain: { r in printLock.withLock { Self.printOutcome(r) } })
        let context = jobs.map(ComputeContext.init(threads:)) ?? .allCores
        let result: CircuitsTraining.Result
        if isSweep {
            let threads = CircuitsTraining.runContext(settings, context)
            let clock = Stopwatch()
            let runs = try sweep(stage, context: threads)
            guard !stage.isShard else { return }
            result = CircuitsTraining.Result(settings: settings, runs: runs, wall: clock.elapsed, threads: threads.threads)
        } else {
            result = try training.run(settings, context: context)
        }
        print(String(cFormat: "all runs took %.1f s on %d threads", result.wall, result.threads))
        for r in result.runs where r.seed == settings.seeds[0] {
            print("\(r.circuit.name) weights (seed \(r.seed)):")
            for (l, layer) in r.network.layers.enumerated() {
                print("  layer \(l) (W, outputs × inputs): " + layer.weight.nestedRows.map { "[" + $0.map { String(cFormat: "%.4f", $0) }.joined(separator: ", ") + "]" }.joined(separator: " "))
            }
            if let b = r.breakpoints { print("  breakpoints: " + (b.isEmpty ? "none" : b.map { String(cFormat: "%.4g", $0) }.joined(separator: ", "))) }
            if let p = r.partition { print("  linear regions on [−1, 1]²: \(p.count)") }
        }
        let writer = try OutputWriter(folder: out, options: figures,
                                      provenance: try Provenance(command: self, inputs: []))
        let written = try writer.write(training.figures(result, look: figures.look()))
        let report = training.report(result, written: WrittenOutput(figures: written.paths))
        for rate in report.successRates ?? [] {
            let stuck = zip(rate.stuckSeeds, rate.stuckLosses)
                .map { String(cFormat: "seed %d at %.3g", $0.0, $0.1) }.joined(separator: ", ")
            print("\(rate.name): \(rate.reached) of \(rate.seeds) seeds reach a test loss below 1e-5; stuck: \(stuck)")
        }
        print("wrote \(try writer.writeReport(report)), " + written.paths.joined(separator: ", "))
    }
}

extension CircuitsCommand: ShardableSweepCommand {
    var isSweep: Bool { seeds != nil }
    var sweepFolder: String { out }

    /// The line that tells how a run ended.
    static func printOutcome(_ r: CircuitsExperiment.Run) {
        print("\(r.circuit.name) (seed \(r.seed)): " + String(cFormat: "test loss %.3g after %d batches, ", r.finalLoss, r.batches)
              + (r.succeeded ? "learned" : "stuck") + String(cFormat: " (%.2f s)", r.seconds))
        fflush(nil)  // every stream: the lines of parallel runs appear as they finish
    }
    mutating func writeSweep(into folder: String) { out = folder }

    /// Circuits over seeds: the stage's runs trained (or read back) through `runs/`; empty for a shard.
    func sweep(_ stage: SweepStage, context: ComputeContext) throws -> [CircuitsExperiment.Run] {
        let store = try FinishedRuns<CircuitsReport.RunEntry>(folder: out + "/runs", shared: stage.isShard)
        let printLock = Lock()
        let outcome = try CircuitsSweep.sweep(
            circuits: try selectedCircuits(), seeds: try seedList(), batches: batches, context: context,
            store: store, shard: stage.shard, trainMissing: stage.trains, shards: stage.shardCount) { r in
            printLock.withLock { Self.printOutcome(r) }
        }
        guard let runs = outcome.runs else {
            shardFinished(stage.shard, trained: outcome.trained, kept: outcome.reused)
            return []
        }
        return runs
    }
}
